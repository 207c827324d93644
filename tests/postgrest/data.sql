-- PostgREST's spec rows (test/spec/fixtures/data.sql) for the tables of schema_*.sql, written
-- so that both engines take them; rows whose literals differ by engine are in data_pg.sql and
-- data_sqlite.sql.
INSERT INTO users (id, name) VALUES (1, 'Angela Martin'), (2, 'Michael Scott'), (3, 'Dwight Schrute');
INSERT INTO clients (id, name) VALUES (1, 'Microsoft'), (2, 'Apple');
INSERT INTO projects (id, name, client_id) VALUES (1, 'Windows 7', 1), (2, 'Windows 10', 1),
  (3, 'IOS', 2), (4, 'OSX', 2), (5, 'Orphan', NULL);
INSERT INTO tasks (id, name, project_id) VALUES (1, 'Design w7', 1), (2, 'Code w7', 1),
  (3, 'Design w10', 2), (4, 'Code w10', 2), (5, 'Design IOS', 3), (6, 'Code IOS', 3),
  (7, 'Design OSX', 4), (8, 'Code OSX', 4);
INSERT INTO users_tasks (user_id, task_id) VALUES (1, 1), (1, 2), (1, 3), (1, 4), (2, 5), (2, 6),
  (2, 7), (3, 1), (3, 5);
INSERT INTO users_projects (user_id, project_id) VALUES (1, 1), (1, 2), (2, 3), (2, 4), (3, 1), (3, 3);
INSERT INTO comments (id, commenter_id, user_id, task_id, content)
  VALUES (1, 1, 2, 6, 'Needs to be delivered ASAP');
INSERT INTO files (project_id, filename, content) VALUES (1, 'command.com', '#include <unix.h>'),
  (1, 'autoexec.bat', '@ECHO OFF'), (1, 'io.sys', 'TODO'), (2, 'README.md', '# make $$$!'),
  (2, 'marketing.key', '$-$');
INSERT INTO touched_files (user_id, task_id, project_id, filename) VALUES (1, 1, 1, 'command.com'),
  (1, 1, 1, 'autoexec.bat'), (1, 1, 2, 'README.md'), (3, 1, 1, 'autoexec.bat');
INSERT INTO private_articles (id, body, owner) VALUES
  (1, 'No… It''s a thing; it''s like a plan, but with more greatness.', 'diogo'),
  (2, 'Stop talking, brain thinking. Hush.', 'diogo'),
  (3, 'It''s a fez. I wear a fez now. Fezes are cool.', 'diogo');
INSERT INTO private_article_stars (article_id, user_id, created_at) VALUES
  (1, 1, '2015-12-08 04:22:57.472738'), (1, 2, '2015-12-08 04:22:57.472738'),
  (2, 3, '2015-12-08 04:22:57.472738'), (3, 2, '2015-12-08 04:22:57.472738'),
  (1, 3, '2015-12-08 04:22:57.472738');
INSERT INTO items (id) VALUES (1), (2), (3), (4), (5), (6), (7), (8), (9), (10), (11), (12), (13),
  (14), (15);
INSERT INTO items2 (id) VALUES (1), (2), (3), (4), (5), (6), (7), (8), (9), (10), (11), (12), (13),
  (14), (15);
INSERT INTO complex_items (id, name, settings) VALUES (1, 'One', '{"foo":{"int":1,"bar":"baz"}}'),
  (2, 'Two', '{"foo":{"int":1,"bar":"baz"}}');
INSERT INTO complex_items (id, name, settings, "field-with_sep") VALUES
  (3, 'Three', '{"foo":{"int":1,"bar":"baz"}}', 3);
INSERT INTO json_table (data) VALUES ('{"foo":{"bar":"baz"},"id":1}'), ('{"id":3}'), ('{"id":0}');
INSERT INTO json_arr (id, data) VALUES (1, '[1, 2, 3]'), (2, '[4, 5, 6]'),
  (3, '[[9, 8, 7], [11, 12, 13]]'), (4, '[[[5, 6], 7, 8]]'), (5, '[{"a": "A"}, {"b": "B"}]'),
  (6, '[{"a": [1,2,3]}, {"b": [4,5]}]'), (7, '{"c": [1,2,3], "d": [4,5]}'),
  (8, '{"c": [{"d": [4,5,6,7,8]}]}'), (9, '[{"0xy1": [1,{"23-xy-45": [2, {"xy-6": [3]}]}]}]'),
  (10, '{"!@#$%^&*_a": [{"!@#$%^&*_b": 1}, {"!@#$%^&*_c": [2]}], "!@#$%^&*_d": {"!@#$%^&*_e": 3}}');
INSERT INTO jsonb_test (id, data) VALUES (1, '{ "a": {"b": 2} }'), (2, '{ "c": [1,2,3] }'),
  (3, '[{ "d": "test" }]'), (4, '{ "e": 1 }');
INSERT INTO simple_pk (k, extra) VALUES ('xyyx', 'u'), ('xYYx', 'v');
INSERT INTO no_pk (a, b) VALUES (NULL, NULL), ('1', '0'), ('2', '0');
INSERT INTO nullable_integer (a) VALUES (NULL);
INSERT INTO "Escap3e;" ("so6meIdColumn") VALUES (1), (2), (3), (4), (5);
INSERT INTO "ghostBusters" ("escapeId") VALUES (1), (3), (5);
INSERT INTO addresses (id, address) VALUES (1, 'address 1'), (2, 'address 2'), (3, 'address 3'),
  (4, 'address 4');
INSERT INTO orders (id, name, billing_address_id, shipping_address_id) VALUES (1, 'order 1', 1, 2),
  (2, 'order 2', 3, 4);
INSERT INTO w_or_wo_comma_names (name) VALUES ('Hebdon, John'), ('Williams, Mary'), ('Smith, Joseph'),
  ('David White'), ('Larry Thompson'), ('Double O Seven(007)'), ('"'), ('Double"Quote"McGraw"'),
  ('\'), ('/\Slash/\Beast/\');
INSERT INTO items_with_different_col_types (int_data, text_data, bool_data, bin_data, char_data,
  date_data, real_data, time_data) VALUES (1, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
INSERT INTO entities (id, name, text_search_vector) VALUES (1, 'entity 1', '''bar'':2 ''foo'':1'),
  (2, 'entity 2', '''baz'':1 ''qux'':2'), (3, 'entity 3', NULL), (4, NULL, NULL);
INSERT INTO child_entities (id, name, parent_id) VALUES (1, 'child entity 1', 1),
  (2, 'child entity 2', 1), (3, 'child entity 3', 2), (4, 'child entity 4', 1),
  (5, 'child entity 5', 1), (6, 'child entity 6', 2);
INSERT INTO grandchild_entities (id, name, parent_id, or_starting_col, and_starting_col, jsonb_col)
  VALUES (1, 'grandchild entity 1', 1, NULL, NULL, NULL),
  (2, 'grandchild entity 2', 1, NULL, NULL, NULL), (3, 'grandchild entity 3', 2, NULL, NULL, NULL),
  (4, '(grandchild,entity,4)', 2, NULL, NULL, '{"a": {"b":"foo"}}'),
  (5, '(grandchild,entity,5)', 2, NULL, NULL, '{"b":"bar"}');
INSERT INTO being (being) VALUES (1), (2), (3), (4);
INSERT INTO descendant (descendant, being) VALUES (1, 1), (2, 1), (3, 1), (4, 2);
INSERT INTO part (part) VALUES (1), (2), (3), (4);
INSERT INTO being_part (being, part) VALUES (1, 1), (2, 1), (3, 2), (4, 3);
INSERT INTO family_tree (id, name, parent) VALUES ('1', 'Parental Unit', NULL), ('2', 'Kid One', '1'),
  ('3', 'Kid Two', '1'), ('4', 'Grandkid One', '2'), ('5', 'Grandkid Two', '3');
INSERT INTO managers (id, name) VALUES (1, 'Referee Manager'), (2, 'Auditor Manager'),
  (3, 'Acme Manager'), (4, 'Umbrella Manager'), (5, 'Cyberdyne Manager'), (6, 'Oscorp Manager');
INSERT INTO organizations (id, name, referee, auditor, manager_id) VALUES
  (1, 'Referee Org', NULL, NULL, 1), (2, 'Auditor Org', NULL, NULL, 2), (3, 'Acme', 1, 2, 3),
  (4, 'Umbrella', 1, 2, 4), (5, 'Cyberdyne', 3, 4, 5), (6, 'Oscorp', 3, 4, 6);
INSERT INTO private_internal_job (id, parent_id) VALUES (1, NULL), (2, 1);
INSERT INTO test (id, parent_id) VALUES (1, NULL), (2, 1);
INSERT INTO private_authors (id, name) VALUES (1, 'George Orwell'), (2, 'Anne Frank'),
  (3, 'Antoine de Saint-Exupéry'), (4, 'J.D. Salinger'), (5, 'Ray Bradbury'),
  (6, 'William Golding'), (7, 'Harper Lee'), (8, 'Kurt Vonnegut'), (9, 'Ken Kesey'),
  (10, 'Fyodor Dostoevsky');
INSERT INTO private_publishers (id, name) VALUES (1, 'Secker & Warburg'), (2, 'Contact Publishing'),
  (3, 'Reynal & Hitchcock'), (4, 'Little, Brown and Company'), (5, 'Ballantine Books'),
  (6, 'Faber and Faber'), (7, 'J. B. Lippincott & Co.'), (8, 'Delacorte'),
  (9, 'Viking Press & Signet Books');
INSERT INTO private_books (id, title, publication_year, author_id, first_publisher_id) VALUES
  (1, '1984', 1949, 1, 1), (2, 'The Diary of a Young Girl', 1947, 2, 2),
  (3, 'The Little Prince', 1947, 3, 3), (4, 'The Catcher in the Rye', 1951, 4, 4),
  (5, 'Farenheit 451', 1953, 5, 5), (6, 'Lord of the Flies', 1954, 6, 6),
  (7, 'To Kill a Mockingbird', 1960, 7, 7), (8, 'Slaughterhouse-Five', 1969, 8, 8),
  (9, 'One Flew Over the Cuckoo''s Nest', 1962, 9, 9), (10, 'Crime and Punishment', 1866, 10, NULL);
INSERT INTO person (id, name) VALUES (1, 'John'), (2, 'Jane'), (3, 'Jake'), (4, 'Julie');
INSERT INTO message (id, body, sender, recipient) VALUES (1, 'Hello Jane', 1, 2),
  (2, 'Hi John', 2, 1), (3, 'How are you doing?', 1, 2), (4, 'Hey Julie', 3, 4),
  (5, 'What''s up Jake', 4, 3);
INSERT INTO space (id, name) VALUES (1, 'space 1');
INSERT INTO zone (id, name, zone_type_id, space_id) VALUES (1, 'zone 1', 2, 1), (2, 'zone 2', 2, 1),
  (3, 'store 3', 3, 1), (4, 'store 4', 3, 1);
INSERT INTO private_player (id, first_name, last_name, birth_date) VALUES
  (1, 'first_name_1', 'last_name_1', '2018-10-11'), (2, 'first_name_2', 'last_name_2', '2018-10-11'),
  (3, 'first_name_3', 'last_name_3', '2018-10-11'), (4, 'first_name_4', 'last_name_4', '2018-10-11'),
  (5, 'first_name_5', 'last_name_5', '2018-10-11'), (6, 'first_name_6', 'last_name_6', '2018-10-11'),
  (7, 'first_name_7', 'last_name_7', '2018-10-11'), (8, 'first_name_8', 'last_name_8', '2018-10-11'),
  (9, 'first_name_9', 'last_name_9', '2018-10-11'),
  (10, 'first_name_10', 'last_name_10', '2018-10-11'),
  (11, 'first_name_11', 'last_name_11', '2018-10-11'),
  (12, 'first_name_12', 'last_name_12', '2018-10-11');
INSERT INTO "Server Today" ("cHostname", "Just A Server Model") VALUES
  ('argnim1    ', ' IBM,9113-550 (P5-550)'), ('argnim2    ', ' IBM,9113-550 (P5-550)'),
  ('daaa2nim71 ', ' IBM,9131-52A (P5-52A)'), ('daah3nim71 ', ' IBM,8406-71Y (P7-PS701)'),
  ('hbnim1     ', ' IBM,9133-55A (P5-55A)');
INSERT INTO pgrst_reserved_chars ("*id*", ":arr->ow::cast", "(inside,parens)", "a.dotted.column",
  "  col  w  space  ") VALUES (1, ' arrow-1 ', ' parens-1 ', ' dotted-1 ', ' space-1'),
  (2, ' arrow-2 ', ' parens-2 ', ' dotted-2 ', ' space-2'),
  (3, ' arrow-3 ', ' parens-3 ', ' dotted-3 ', ' space-3');
INSERT INTO private_pages (link, url) VALUES (1, 'http://postgrest.org/en/v6.0/api.html'),
  (2, 'http://postgrest.org/en/v6.0/admin.html');
INSERT INTO private_referrals (site, link) VALUES ('github.com', 1), ('hub.docker.com', 2);
INSERT INTO big_projects (big_project_id, name) VALUES (1, 'big project 1'), (2, 'big project 2');
INSERT INTO sites (site_id, name, main_project_id) VALUES (1, 'site 1', 1), (2, 'site 2', NULL),
  (3, 'site 3', 2), (4, 'site 4', NULL);
INSERT INTO jobs (job_id, name, site_id, big_project_id) VALUES
  ('bc5d5362-b881-438f-b9f5-7417e08704ed', 'job 1-1', 1, 1),
  ('3bd52697-033b-4edd-8a28-46a9c04b7c1e', 'job 2-1', 2, 1),
  ('e6e67e4e-19b1-11e9-ab14-d663bd873d93', 'job 2-2', 2, 2);
INSERT INTO agents (id, name) VALUES (1, 'agent 1'), (2, 'agent 2'), (3, 'agent 3'), (4, 'agent 4');
INSERT INTO departments (id, name, head_id) VALUES (1, 'dep 1', 1), (2, 'dep 3', 3);
UPDATE agents SET department_id = 1 WHERE id IN (1, 2);
UPDATE agents SET department_id = 2 WHERE id IN (3, 4);
INSERT INTO schedules (id, name, start_at, end_at) VALUES (1, 'morning', '06:00:00', '11:59:00'),
  (2, 'afternoon', '12:00:00', '17:59:00'), (3, 'night', '18:00:00', '23:59:00'),
  (4, 'early morning', '00:00:00', '05:59:00');
INSERT INTO activities (id, schedule_id, car_id) VALUES (1, 1, 'CAR-349');
INSERT INTO activities (id, schedule_id, camera_id) VALUES (2, 3, 'CAM-123');
INSERT INTO unit_workdays (unit_id, day, fst_shift_activity_id, fst_shift_schedule_id,
  snd_shift_activity_id, snd_shift_schedule_id) VALUES (1, '2019-12-02', 1, 1, 2, 3);
INSERT INTO private_screens (id, name) VALUES (1, 'banana'), (2, 'helicopter'), (3, 'formula 1 banana');
INSERT INTO private_labels (id, name) VALUES (1, 'vehicles'), (2, 'fruit');
INSERT INTO private_label_screen (label_id, screen_id) VALUES (1, 2), (1, 3), (2, 1), (2, 3);
INSERT INTO private_actors (id, name) VALUES (1, 'john'), (2, 'mary');
INSERT INTO private_films (id, title) VALUES (12, 'douze commandements'), (2001, 'odyssée de l''espace');
INSERT INTO private_personnages (film_id, role_id, character) VALUES (12, 1, 'méchant'),
  (2001, 2, 'astronaute');
INSERT INTO products (id, name) VALUES (1, 'product-1'), (2, 'product-2'), (3, 'product-3');
INSERT INTO suppliers (id, name) VALUES (1, 'supplier-1'), (2, 'supplier-2'), (3, 'supplier-3');
INSERT INTO products_suppliers (product_id, supplier_id) VALUES (1, 1), (1, 2), (2, 1), (2, 3);
INSERT INTO trade_unions (id, name) VALUES (1, 'union-1'), (2, 'union-2'), (3, 'union-3'),
  (4, 'union-4');
INSERT INTO suppliers_trade_unions (supplier_id, trade_union_id) VALUES (1, 1), (1, 2), (2, 3), (2, 4);
INSERT INTO client (id, name) VALUES (1, 'Walmart'), (2, 'Target'), (3, 'Big Lots');
INSERT INTO contact (id, name, clientid) VALUES (1, 'Wally Walton', 1), (2, 'Wilma Wellers', 1),
  (3, 'Tabby Targo', 2), (4, 'Bobby Bots', 3), (5, 'Bonnie Bits', 3), (6, 'Billy Boats', 3);
INSERT INTO clientinfo (id, clientid, other) VALUES (1, 1, '123 Main St'), (2, 2, '456 South 3rd St'),
  (3, 3, '789 Palm Tree Ln');
INSERT INTO chores (id, name, done) VALUES (1, 'take out the garbage', true), (2, 'do the laundry', false),
  (3, 'wash the dishes', NULL);
INSERT INTO "do$llar$s" ("a$num$") VALUES (100), (200), (300);
INSERT INTO empty_string (id, string) VALUES (1, '');
INSERT INTO students (id, code, name) VALUES (1, '0001', 'John Doe'), (2, '0002', 'Jane Doe');
INSERT INTO students_info (id, code, address) VALUES (1, '0001', 'Street 1'), (2, '0002', 'Street 2');
INSERT INTO country (id, name) VALUES (1, 'Afghanistan'), (2, 'Algeria');
INSERT INTO capital (id, name, country_id) VALUES (1, 'Kabul', 1), (2, 'Algiers', 2);
INSERT INTO posters (id, name) VALUES (1, 'Mark'), (2, 'Elon'), (3, 'Bill'), (4, 'Jeff');
INSERT INTO subscriptions (subscriber, subscribed) VALUES (3, 1), (4, 1), (1, 2);
INSERT INTO places (name) VALUES ('Lake'), ('Mountain'), ('Beach');
INSERT INTO visits (place_id, start_time, end_time, visit_type) VALUES
  (1, '2025-01-01 10:00', '2025-01-01 11:00', 'vacation'),
  (1, '2025-01-01 15:00', '2025-01-01 16:00', 'vacation'),
  (1, '2025-01-01 20:00', '2025-01-01 21:00', 'work'),
  (2, '2024-11-01 09:00', '2024-11-01 10:00', 'vacation'),
  (3, '2024-12-02 13:00', '2024-12-02 14:00', 'vacation'),
  (1, '2023-01-02 20:00', '2023-01-01 21:00', 'work');
INSERT INTO trash (id) VALUES (1), (2), (3);
INSERT INTO trash_details (id, jsonb_col) VALUES (1, '{"key": 10}'), (2, '{"key": 6}'), (3, '{"key": 8}');
INSERT INTO project_invoices (id, invoice_total, project_id) VALUES (1, 100, 1), (2, 200, 1),
  (3, 500, 2), (4, 700, 2), (5, 1200, 3), (6, 2000, 3), (7, 100, 4), (8, 4000, 4);
INSERT INTO budget_categories (id, category_name, budget_owner, budget_amount) VALUES
  (1, 'Beanie Babies', 'Brian Smith', 1000.31), (2, 'DVDs', 'Jane Clarkson', 2000.12),
  (3, 'Pizza', 'Brian Smith', 1000.11), (4, 'Opera Tickets', 'Jane Clarkson', 7000.41),
  (5, 'Nuclear Fusion Research', 'Sally Hughes', 500.23), (6, 'T-5hirts', 'Dana de Groot', 500.33);
INSERT INTO budget_expenses (id, expense_amount, budget_category_id) VALUES (1, 200.26, 1),
  (2, 400.26, 3), (3, 100.22, 4), (5, 900.27, 5);
INSERT INTO factories (id, name) VALUES (1, 'Factory A'), (2, 'Factory B'), (3, 'Factory C'),
  (4, 'Factory D');
INSERT INTO process_categories (id, name) VALUES (1, 'Batch'), (2, 'Mass');
INSERT INTO processes (id, name, factory_id, category_id) VALUES (1, 'Process A1', 1, 1),
  (2, 'Process A2', 1, 2), (3, 'Process B1', 2, 1), (4, 'Process B2', 2, 1),
  (5, 'Process C1', 3, 2), (6, 'Process C2', 3, 2), (7, 'Process XX', 3, 2),
  (8, 'Process YY', 3, 2);
INSERT INTO process_costs (process_id, cost) VALUES (1, 150.00), (2, 200.00), (3, 180.00),
  (4, 70.00), (5, 40.00), (6, 70.00), (8, 40.00);
INSERT INTO supervisors (id, name) VALUES (1, 'Mary'), (2, 'John'), (3, 'Peter'), (4, 'Sarah'),
  (5, 'Jane');
INSERT INTO process_supervisor (process_id, supervisor_id) VALUES (1, 1), (2, 2), (3, 3), (3, 4),
  (4, 1), (4, 2), (5, 3), (6, 3);
INSERT INTO factory_buildings (id, code, size, "type", factory_id, inspections) VALUES
  (1, 'A001', 150, 'A', 1, '{"ins": "2024C", "pending": true}'),
  (2, 'A002', 200, 'A', 1, '{"ins": "2025A", "pending": true}'),
  (3, 'B001', 50, 'B', 2, '{"ins": "2025A", "pending": true}'),
  (4, 'B002', 120, 'C', 2, '{"ins": "2023A"}'),
  (5, 'C001', 240, 'B', 3, '{"ins": "2022B"}'),
  (6, 'D001', 310, 'A', 4, '{"ins": "2024C", "pending": true}');

-- the rows of the tables that only the ported writing cases touch
INSERT INTO "withUnique" (uni, extra) VALUES ('nodup', 'blah');
INSERT INTO bitchar_with_length (bit, char) VALUES ('00000', 'aaaaa'), ('11111', 'bbbbb');
INSERT INTO web_content (id, name, p_web_id) VALUES (5, 'wat', NULL), (0, 'tardis', 5), (1, 'fezz', 0),
  (2, 'foo', 0), (3, 'bar', 0), (4, 'wut', 1);
INSERT INTO app_users (id, email, password) VALUES (1, 'test@123.com', 'pass'),
  (2, 'abc@123.com', 'pass'), (3, 'def@123.com', 'pass');
INSERT INTO unsafe_update_items (id, name, observation) VALUES (1, 'item-1', NULL),
  (2, 'item-2', NULL), (3, 'item-3', NULL);
INSERT INTO unsafe_delete_items (id, name, observation) VALUES (1, 'item-1', NULL),
  (2, 'item-2', NULL), (3, 'item-3', NULL);
INSERT INTO artists (id, name) VALUES (1, 'duster'), (2, 'black country, new road'), (3, 'bjork');
INSERT INTO albums (id, title, artist_id) VALUES (1, 'stratosphere', 1), (2, 'ants from up above', 2),
  (3, 'vespertine', 3), (4, 'contemporary movement', 1);
INSERT INTO employees (first_name, last_name, salary, company, occupation) VALUES
  ('Frances M.', 'Roe', '24000', 'One-Up Realty', 'Author'),
  ('Daniel B.', 'Lyon', '36000', 'Dubrow''s Cafeteria', 'Packer'),
  ('Edwin S.', 'Smith', '48000', 'Pro Garden Management', 'Marine biologist');
INSERT INTO tiobe_pls (name, rank) VALUES ('Java', 1), ('C', 2), ('Python', 4);
INSERT INTO single_unique (unique_key, value) VALUES (1, 'A');
INSERT INTO compound_unique (key1, key2, value) VALUES (1, 1, 'A');
INSERT INTO only_pk (id) VALUES (1), (2);
INSERT INTO "UnitTest" ("idUnitTest", "nameUnitTest") VALUES (1, 'unit test 1');
INSERT INTO surr_serial_upsert (name, extra) VALUES ('value', 'existing value');
INSERT INTO surr_gen_default_upsert (name, extra) VALUES ('value', 'existing value');

-- PostgREST's spec fixtures (test/spec/fixtures/schema.sql), the tables and views that the
-- ported reading and writing cases touch, on PostgreSQL.  Same names, keys, constraint names and types.
-- reflite serves one schema, so the tables PostgREST keeps in its unexposed schemas ("private",
-- "public") live here too: those of "private" as private_<name> (their names are taken by the
-- views over them), those of "public" under their own names.  PostgREST's constraints renamed
-- after the fact (ALTER TABLE ... RENAME CONSTRAINT) are created with their final names.

CREATE TYPE enum_menagerie_type AS ENUM ('foo', 'bar');
CREATE TYPE visit_type AS ENUM ('vacation', 'work');
CREATE DOMAIN tsvector_not_null AS tsvector CONSTRAINT "tsvector is required" CHECK (VALUE IS NOT NULL);
CREATE DOMAIN tsvector_not_empty AS tsvector_not_null
  CONSTRAINT "tsvector is required and not empty" CHECK (VALUE <> '');

-- projects, clients, tasks, users and their links
CREATE TABLE clients (id integer PRIMARY KEY, name text NOT NULL);
CREATE TABLE projects (
  id integer PRIMARY KEY,
  name text NOT NULL,
  client_id integer,
  CONSTRAINT client FOREIGN KEY (client_id) REFERENCES clients (id)
);
CREATE VIEW projects_view AS SELECT projects.id, projects.name, projects.client_id FROM projects;
CREATE VIEW projects_view_alt AS
  SELECT projects.id AS t_id, projects.name, projects.client_id AS t_client_id FROM projects;
CREATE TABLE users (id integer PRIMARY KEY, name text NOT NULL);
CREATE TABLE users_projects (
  user_id integer NOT NULL REFERENCES users (id),
  project_id integer NOT NULL REFERENCES projects (id),
  PRIMARY KEY (project_id, user_id)
);
CREATE TABLE tasks (
  id integer PRIMARY KEY,
  name text NOT NULL,
  project_id integer,
  CONSTRAINT project FOREIGN KEY (project_id) REFERENCES projects (id)
);
CREATE TABLE users_tasks (
  user_id integer NOT NULL REFERENCES users (id),
  task_id integer NOT NULL REFERENCES tasks (id),
  PRIMARY KEY (task_id, user_id)
);
CREATE TABLE comments (
  id integer PRIMARY KEY,
  commenter_id integer NOT NULL,
  user_id integer NOT NULL,
  task_id integer NOT NULL,
  content text NOT NULL,
  CONSTRAINT "user" FOREIGN KEY (commenter_id) REFERENCES users (id),
  CONSTRAINT comments_task_id_fkey FOREIGN KEY (task_id, user_id) REFERENCES users_tasks (task_id, user_id)
);
CREATE TABLE files (
  project_id integer NOT NULL,
  filename text NOT NULL,
  content text NOT NULL,
  PRIMARY KEY (project_id, filename)
);
CREATE TABLE touched_files (
  user_id integer NOT NULL,
  task_id integer NOT NULL,
  project_id integer NOT NULL,
  filename text NOT NULL,
  CONSTRAINT fk_users_tasks FOREIGN KEY (user_id, task_id) REFERENCES users_tasks (user_id, task_id)
    ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT fk_upload FOREIGN KEY (project_id, filename) REFERENCES files (project_id, filename)
    ON DELETE CASCADE ON UPDATE CASCADE,
  PRIMARY KEY (user_id, task_id, project_id, filename)
);
CREATE MATERIALIZED VIEW materialized_projects AS SELECT id, name, client_id FROM projects;
CREATE VIEW projects_count_grouped_by AS
  SELECT client_id, count(id) AS number_of_projects FROM projects GROUP BY client_id;
CREATE VIEW infinite_recursion AS SELECT * FROM projects;
CREATE OR REPLACE VIEW infinite_recursion AS SELECT * FROM infinite_recursion;

-- articles and their stars (PostgREST's private schema behind views)
-- owner: PostgREST's trigger sets it to the request's role on every write; here that role's
-- name (postgrest_test_anonymous, the role of a request without a JWT) is its default
CREATE TABLE private_articles (
  id integer PRIMARY KEY,
  body text,
  owner name NOT NULL DEFAULT 'postgrest_test_anonymous'
);
CREATE TABLE private_article_stars (
  article_id integer NOT NULL,
  user_id integer NOT NULL,
  created_at timestamp without time zone DEFAULT now() NOT NULL,
  PRIMARY KEY (article_id, user_id),
  CONSTRAINT article FOREIGN KEY (article_id) REFERENCES private_articles (id),
  CONSTRAINT "user" FOREIGN KEY (user_id) REFERENCES users (id)
);
CREATE VIEW "articleStars" AS
  SELECT article_stars.article_id AS "articleId", article_stars.user_id AS "userId",
         article_stars.created_at AS "createdAt"
    FROM private_article_stars article_stars;
CREATE VIEW articles AS SELECT articles.id, articles.body, articles.owner FROM private_articles articles;

-- single tables
CREATE TABLE items (id bigserial PRIMARY KEY);
CREATE TABLE items2 (id bigserial PRIMARY KEY);
CREATE TABLE complex_items (
  id bigint NOT NULL,
  name text,
  settings json,
  arr_data integer[],
  "field-with_sep" integer DEFAULT 1 NOT NULL
);
CREATE VIEW has_count_column AS SELECT 1 AS count;
-- json and jsonb: their operators
CREATE TABLE json_table (data json);
CREATE TABLE json_arr (id integer PRIMARY KEY, data json);
CREATE TABLE jsonb_test (id integer PRIMARY KEY, data jsonb);
-- PostgREST issues 1543 and 2075: a composite type's fields and arrays' items by -> and ->>
CREATE TYPE complex AS (r double precision, i double precision);
CREATE TABLE fav_numbers (num complex, person text);
CREATE TABLE arrays (id int PRIMARY KEY, numbers int[], numbers_mult int[][]);
CREATE TABLE menagerie (
  "integer" integer NOT NULL,
  double double precision NOT NULL,
  "varchar" character varying NOT NULL,
  "boolean" boolean NOT NULL,
  date date NOT NULL,
  money money NOT NULL,
  enum enum_menagerie_type NOT NULL
);
CREATE TABLE no_pk (a character varying, b character varying);
CREATE TABLE nullable_integer (a integer);
CREATE TABLE simple_pk (k character varying NOT NULL, extra character varying NOT NULL, PRIMARY KEY (k));
CREATE TABLE tsearch (text_search_vector tsvector);
CREATE TABLE "Escap3e;" ("so6meIdColumn" integer PRIMARY KEY);
CREATE TABLE "ghostBusters" ("escapeId" integer NOT NULL REFERENCES "Escap3e;" ("so6meIdColumn"));
CREATE TABLE clashing_column (t text);
CREATE TABLE w_or_wo_comma_names (name text);
CREATE TABLE items_with_different_col_types (
  int_data integer,
  text_data text,
  bool_data bool,
  bin_data bytea,
  char_data character varying,
  date_data date,
  real_data real,
  time_data time
);
CREATE TABLE chores (id int PRIMARY KEY, name text, done bool);
CREATE TABLE oid_test (id int, oid_col oid, oid_array_col oid[]);
CREATE TABLE "Server Today" ("cHostname" text, "Just A Server Model" text);
CREATE TABLE pgrst_reserved_chars (
  "*id*" integer,
  ":arr->ow::cast" text,
  "(inside,parens)" text,
  "a.dotted.column" text,
  "  col  w  space  " text
);
-- quoted: reflite's statement splitter would read $llar$ as a dollar quote
CREATE TABLE "do$llar$s" ("a$num$" numeric);
CREATE TABLE empty_string (id integer, string text);
CREATE TABLE tsearch_to_tsvector (
  text_search text,
  jsonb_search jsonb,
  text_search_domain tsvector_not_null DEFAULT '',
  text_search_rec_domain tsvector_not_empty DEFAULT '.'
);

-- addresses and orders: two keys to one table, renamed
CREATE TABLE addresses (id int NOT NULL UNIQUE, address text NOT NULL);
CREATE TABLE orders (
  id int NOT NULL UNIQUE,
  name text NOT NULL,
  billing_address_id int,
  shipping_address_id int,
  CONSTRAINT billing FOREIGN KEY (billing_address_id) REFERENCES addresses (id),
  CONSTRAINT shipping FOREIGN KEY (shipping_address_id) REFERENCES addresses (id)
);

-- entities, three levels
CREATE TABLE entities (id integer PRIMARY KEY, name text, arr integer[], text_search_vector tsvector);
CREATE TABLE child_entities (id integer PRIMARY KEY, name text, parent_id integer REFERENCES entities (id));
CREATE TABLE grandchild_entities (
  id integer PRIMARY KEY,
  name text,
  parent_id integer REFERENCES child_entities (id),
  or_starting_col text,
  and_starting_col text,
  jsonb_col jsonb
);
CREATE TABLE ranges (id integer PRIMARY KEY, range numrange);

-- column named as its table
CREATE TABLE being (being int PRIMARY KEY NOT NULL);
CREATE TABLE descendant (descendant int PRIMARY KEY NOT NULL, being int REFERENCES being (being));
CREATE TABLE part (part int PRIMARY KEY NOT NULL);
CREATE TABLE being_part (
  being int NOT NULL REFERENCES being (being),
  part int NOT NULL REFERENCES part (part),
  PRIMARY KEY (being, part)
);

-- self references
CREATE TABLE family_tree (id text NOT NULL PRIMARY KEY, name text NOT NULL, parent text,
  CONSTRAINT pptr FOREIGN KEY (parent) REFERENCES family_tree (id));
CREATE TABLE managers (id integer PRIMARY KEY, name text);
CREATE TABLE organizations (
  id integer PRIMARY KEY,
  name text,
  referee integer REFERENCES organizations (id),
  auditor integer REFERENCES organizations (id),
  manager_id integer,
  CONSTRAINT manager FOREIGN KEY (manager_id) REFERENCES managers (id)
);
CREATE TABLE private_internal_job (
  id integer NOT NULL,
  parent_id integer,
  CONSTRAINT internal_job_pkey PRIMARY KEY (id),
  CONSTRAINT parent_fk FOREIGN KEY (parent_id) REFERENCES private_internal_job (id)
);
CREATE VIEW job AS SELECT j.id, j.parent_id FROM private_internal_job j;
CREATE TABLE test (
  id bigint NOT NULL PRIMARY KEY,
  parent_id bigint CONSTRAINT parent_test REFERENCES test (id)
);
CREATE VIEW view_test AS SELECT id FROM test;

-- books, authors, publishers (PostgREST's private schema behind views)
CREATE TABLE private_authors (id integer PRIMARY KEY, name text);
CREATE TABLE private_publishers (id integer PRIMARY KEY, name text);
CREATE TABLE private_books (
  id integer PRIMARY KEY,
  title text,
  publication_year smallint,
  author_id integer REFERENCES private_authors (id),
  first_publisher_id integer REFERENCES private_publishers (id)
);
CREATE VIEW authors AS SELECT id, name FROM private_authors;
CREATE VIEW publishers AS SELECT id, name FROM private_publishers;
CREATE VIEW books AS SELECT id, title, publication_year, author_id, first_publisher_id FROM private_books;
CREATE VIEW forties_books AS SELECT id, title, publication_year, author_id FROM private_books
  WHERE publication_year >= 1940 AND publication_year < 1950;
CREATE VIEW fifties_books AS SELECT id, title, publication_year, author_id FROM private_books
  WHERE publication_year >= 1950 AND publication_year < 1960;
CREATE VIEW sixties_books AS SELECT id, title, publication_year, author_id FROM private_books
  WHERE publication_year >= 1960 AND publication_year < 1970;
CREATE VIEW authors_books_number AS
SELECT id, name,
  (SELECT count(*) FROM forties_books WHERE author_id = authors.id) AS num_in_forties,
  (SELECT count(*) FROM fifties_books WHERE author_id = authors.id) AS num_in_fifties,
  (SELECT count(*) FROM sixties_books WHERE author_id = authors.id) AS num_in_sixties,
  (SELECT count(*) FROM (
     SELECT id FROM forties_books WHERE author_id = authors.id
     UNION SELECT id FROM fifties_books WHERE author_id = authors.id
     UNION SELECT id FROM sixties_books WHERE author_id = authors.id) _) AS num_in_all_decades
FROM private_authors authors;
CREATE VIEW authors_have_book_in_decade AS
SELECT id, name,
  CASE WHEN (x.id IN (SELECT author_id FROM forties_books)) THEN true ELSE false END AS has_book_in_forties,
  CASE WHEN (x.id IN (SELECT author_id FROM fifties_books)) THEN true ELSE false END AS has_book_in_fifties,
  CASE WHEN (x.id IN (SELECT author_id FROM sixties_books)) THEN true ELSE false END AS has_book_in_sixties
FROM private_authors x;
CREATE VIEW authors_have_book_in_decade2 AS
SELECT id, name,
  coalesce((SELECT true FROM forties_books WHERE author_id = x.id LIMIT 1), false) AS has_book_in_forties,
  coalesce((SELECT true FROM fifties_books WHERE author_id = x.id LIMIT 1), false) AS has_book_in_fifties,
  coalesce((SELECT true FROM sixties_books WHERE author_id = x.id LIMIT 1), false) AS has_book_in_sixties
FROM private_authors x;
CREATE VIEW forties_and_fifties_books AS
SELECT x.id, x.title, x.publication_year, y.name AS first_publisher, x.author_id
FROM (SELECT id, title, publication_year, author_id, first_publisher_id FROM private_books
      WHERE publication_year >= 1940 AND publication_year < 1960) x
JOIN private_publishers y ON y.id = x.first_publisher_id;
CREATE VIEW odd_years_publications AS
WITH odd_years_books AS (
  SELECT id, title, publication_year, author_id, first_publisher_id FROM private_books
  WHERE publication_year % 2 <> 0)
SELECT x.id, x.title, x.publication_year, y.name AS first_publisher, x.author_id
FROM odd_years_books x JOIN private_publishers y ON y.id = x.first_publisher_id;
CREATE VIEW authors_w_entities AS
SELECT id, name,
  (SELECT json_agg(id) FROM entities WHERE id NOT IN (SELECT parent_id FROM child_entities)) AS entities
FROM private_authors;

-- persons and messages
CREATE TABLE person (id integer PRIMARY KEY, name character varying NOT NULL);
CREATE TABLE message (
  id integer PRIMARY KEY,
  body text NOT NULL DEFAULT '',
  sender bigint NOT NULL REFERENCES person (id),
  recipient bigint NOT NULL REFERENCES person (id)
);
CREATE VIEW person_detail AS
SELECT p.id, p.name, s.count AS sent, r.count AS received
FROM person p
JOIN LATERAL (SELECT message.sender, count(message.id) AS count FROM message GROUP BY message.sender) s
  ON s.sender = p.id
JOIN LATERAL (SELECT message.recipient, count(message.id) AS count FROM message GROUP BY message.recipient) r
  ON r.recipient = p.id;

CREATE TABLE space (id integer PRIMARY KEY, name text);
CREATE TABLE zone (id integer PRIMARY KEY, name text, zone_type_id integer, space_id integer REFERENCES space (id));

-- "Foo" and bar behind views
CREATE TABLE "Foo" (id int PRIMARY KEY, name text);
CREATE TABLE bar (id int PRIMARY KEY, name text, "fooId" int REFERENCES "Foo" (id));
CREATE VIEW foos AS SELECT id, name FROM "Foo";
CREATE VIEW bars AS SELECT id, "fooId", name FROM bar;

-- a long compound key (PostgREST's private.player)
CREATE TABLE private_player (
  id integer NOT NULL,
  first_name text NOT NULL,
  last_name text NOT NULL,
  birth_date date,
  PRIMARY KEY (last_name, id, first_name, birth_date)
);
CREATE TABLE contract (
  tournament text NOT NULL,
  time tsrange NOT NULL,
  purchase_price int NOT NULL,
  id integer NOT NULL,
  first_name text NOT NULL,
  last_name text NOT NULL,
  birth_date date,
  FOREIGN KEY (last_name, id, first_name, birth_date) REFERENCES private_player
);
CREATE VIEW player_view AS SELECT * FROM private_player;
CREATE VIEW contract_view AS SELECT * FROM contract;

-- a view over a key to a UNIQUE column (PostgREST's private schema)
CREATE TABLE private_pages (link int NOT NULL UNIQUE, url text);
CREATE TABLE private_referrals (site text, link int REFERENCES private_pages (link) NOT NULL);
CREATE VIEW pages AS SELECT * FROM private_pages;
CREATE VIEW referrals AS SELECT * FROM private_referrals;

-- orders and consumers (PostgREST's public schema) behind views
CREATE TABLE public_consumers (
  id serial NOT NULL UNIQUE,
  name text NOT NULL CHECK (name <> ''),
  PRIMARY KEY (id)
);
CREATE TABLE public_orders (
  id serial NOT NULL UNIQUE,
  consumer integer NOT NULL REFERENCES public_consumers (id),
  number integer NOT NULL,
  PRIMARY KEY (id)
);
CREATE VIEW orders_view AS SELECT * FROM public_orders;
CREATE VIEW consumers_view AS SELECT * FROM public_consumers;
CREATE VIEW consumers_view_view AS SELECT * FROM consumers_view;

-- disambiguation
CREATE TABLE big_projects (big_project_id serial PRIMARY KEY, name text);
CREATE TABLE sites (
  site_id serial PRIMARY KEY,
  name text,
  main_project_id int NULL,
  CONSTRAINT main_project FOREIGN KEY (main_project_id) REFERENCES big_projects (big_project_id)
);
CREATE TABLE jobs (
  job_id uuid,
  name text,
  site_id int NOT NULL REFERENCES sites (site_id),
  big_project_id int NOT NULL REFERENCES big_projects (big_project_id),
  PRIMARY KEY (job_id, site_id, big_project_id)
);
CREATE VIEW main_jobs AS
  SELECT * FROM jobs WHERE site_id IN (SELECT site_id FROM sites WHERE main_project_id IS NOT NULL);
CREATE TABLE whatev_projects (id serial PRIMARY KEY, name text);
CREATE TABLE whatev_sites (id serial PRIMARY KEY, name text);
CREATE TABLE whatev_jobs (
  job_id uuid,
  name text,
  site_id_1 int NOT NULL REFERENCES whatev_sites (id),
  project_id_1 int NOT NULL REFERENCES whatev_projects (id),
  site_id_2 int NOT NULL REFERENCES whatev_sites (id),
  project_id_2 int NOT NULL REFERENCES whatev_projects (id),
  PRIMARY KEY (job_id, site_id_1, project_id_1, site_id_2, project_id_2)
);
CREATE TABLE agents (id int PRIMARY KEY, name text, department_id int);
CREATE TABLE departments (id int PRIMARY KEY, name text, head_id int REFERENCES agents (id));
ALTER TABLE agents ADD CONSTRAINT agents_department_id_fkey FOREIGN KEY (department_id) REFERENCES departments (id);
CREATE TABLE schedules (id int PRIMARY KEY, name text, start_at timetz, end_at timetz);
CREATE TABLE activities (
  id int,
  schedule_id int,
  car_id text,
  camera_id text,
  PRIMARY KEY (id, schedule_id),
  CONSTRAINT schedule FOREIGN KEY (schedule_id) REFERENCES schedules (id)
);
CREATE TABLE unit_workdays (
  unit_id int,
  day date,
  fst_shift_activity_id int,
  fst_shift_schedule_id int,
  snd_shift_activity_id int,
  snd_shift_schedule_id int,
  PRIMARY KEY (unit_id, day),
  CONSTRAINT fst_shift FOREIGN KEY (fst_shift_activity_id, fst_shift_schedule_id)
    REFERENCES activities (id, schedule_id),
  CONSTRAINT snd_shift FOREIGN KEY (snd_shift_activity_id, snd_shift_schedule_id)
    REFERENCES activities (id, schedule_id)
);
CREATE VIEW unit_workdays_fst_shift AS
  SELECT unit_id, day, fst_shift_activity_id, fst_shift_schedule_id FROM unit_workdays
  WHERE fst_shift_activity_id IS NOT NULL AND fst_shift_schedule_id IS NOT NULL;

-- partitioned tables
CREATE TABLE car_brands (name varchar(64) PRIMARY KEY);
CREATE TABLE car_models (
  name varchar(64) NOT NULL,
  year int NOT NULL,
  car_brand_name varchar(64) REFERENCES car_brands (name),
  PRIMARY KEY (name, year)
) PARTITION BY LIST (year);
CREATE TABLE car_models_2021 PARTITION OF car_models FOR VALUES IN (2021);
CREATE TABLE car_models_default PARTITION OF car_models FOR VALUES IN (1981, 1997, 2001, 2013);
CREATE TABLE car_model_sales (
  date varchar(64) NOT NULL,
  quantity int NOT NULL,
  car_model_name varchar(64),
  car_model_year int,
  PRIMARY KEY (date, car_model_name, car_model_year),
  FOREIGN KEY (car_model_name, car_model_year) REFERENCES car_models (name, year)
) PARTITION BY RANGE (date);
CREATE TABLE car_model_sales_202101 PARTITION OF car_model_sales FOR VALUES FROM ('2021-01-01') TO ('2021-01-31');
CREATE TABLE car_model_sales_default PARTITION OF car_model_sales DEFAULT;
CREATE TABLE car_racers (
  name varchar(64) NOT NULL PRIMARY KEY,
  car_model_name varchar(64),
  car_model_year int,
  FOREIGN KEY (car_model_name, car_model_year) REFERENCES car_models (name, year)
);
CREATE TABLE car_dealers (
  name varchar(64) NOT NULL,
  city varchar(64) NOT NULL,
  PRIMARY KEY (name, city)
) PARTITION BY LIST (city);
CREATE TABLE car_dealers_springfield PARTITION OF car_dealers FOR VALUES IN ('Springfield');
CREATE TABLE car_dealers_default PARTITION OF car_dealers DEFAULT;
CREATE TABLE car_models_car_dealers (
  car_model_name varchar(64) NOT NULL,
  car_model_year int NOT NULL,
  car_dealer_name varchar(64) NOT NULL,
  car_dealer_city varchar(64) NOT NULL,
  quantity int NOT NULL,
  FOREIGN KEY (car_model_name, car_model_year) REFERENCES car_models (name, year),
  FOREIGN KEY (car_dealer_name, car_dealer_city) REFERENCES car_dealers (name, city),
  PRIMARY KEY (car_model_name, car_model_year, car_dealer_name, car_dealer_city, quantity)
) PARTITION BY RANGE (quantity);
CREATE TABLE car_models_car_dealers_10to20 PARTITION OF car_models_car_dealers FOR VALUES FROM (10) TO (20);
CREATE TABLE car_models_car_dealers_default PARTITION OF car_models_car_dealers DEFAULT;

-- many-to-many for inner joins
CREATE TABLE products (id int PRIMARY KEY, name text);
CREATE TABLE suppliers (id int PRIMARY KEY, name text);
CREATE TABLE products_suppliers (
  product_id int REFERENCES products (id),
  supplier_id int REFERENCES suppliers (id),
  PRIMARY KEY (product_id, supplier_id)
);
CREATE TABLE trade_unions (id int PRIMARY KEY, name text);
CREATE TABLE suppliers_trade_unions (
  supplier_id int REFERENCES suppliers (id),
  trade_union_id int REFERENCES trade_unions (id),
  PRIMARY KEY (supplier_id, trade_union_id)
);
CREATE TABLE client (id int PRIMARY KEY, name text);
CREATE TABLE contact (id int PRIMARY KEY, name text, clientid int REFERENCES client (id));
CREATE TABLE clientinfo (id serial PRIMARY KEY, clientid int REFERENCES client (id), other text);

CREATE TABLE plate (plate_id int PRIMARY KEY);
CREATE TABLE well (
  well_id int PRIMARY KEY,
  plate_id int NOT NULL,
  parent_well_id int,
  CONSTRAINT well_parent_well_id_fkey FOREIGN KEY (parent_well_id) REFERENCES well (well_id),
  CONSTRAINT well_plate_id_fkey FOREIGN KEY (plate_id) REFERENCES plate (plate_id)
);
CREATE TABLE plate_plan_step (
  plate_plan_step_id int PRIMARY KEY,
  from_well_id int,
  to_well_id int,
  to_plate_id int,
  CONSTRAINT plate_plan_step_from_well_id_fkey FOREIGN KEY (from_well_id) REFERENCES well (well_id),
  CONSTRAINT plate_plan_step_to_plate_id_fkey FOREIGN KEY (to_plate_id) REFERENCES plate (plate_id),
  CONSTRAINT plate_plan_step_to_well_id_fkey FOREIGN KEY (to_well_id) REFERENCES well (well_id)
);

CREATE TABLE series (id bigint PRIMARY KEY, title text NOT NULL);
CREATE TABLE adaptation_notifications (id bigint PRIMARY KEY, series bigint REFERENCES series (id), status text);
CREATE VIEW series_popularity AS SELECT id, random() AS popularity_score FROM series;

-- one-to-one
CREATE TABLE students (id int, code text, name text, PRIMARY KEY (id, code));
CREATE TABLE students_info (
  id int,
  code text,
  address text,
  PRIMARY KEY (id, code),
  FOREIGN KEY (code, id) REFERENCES students (code, id) ON DELETE CASCADE
);
CREATE TABLE country (id int PRIMARY KEY, name text);
CREATE TABLE capital (id int PRIMARY KEY, name text, country_id int UNIQUE,
  FOREIGN KEY (country_id) REFERENCES country (id));
CREATE VIEW students_view AS SELECT * FROM students;
CREATE VIEW students_info_view AS SELECT * FROM students_info;
CREATE TABLE second (id int PRIMARY KEY, name text);
CREATE TABLE first (
  id int PRIMARY KEY,
  name text,
  second_id_1 int REFERENCES second UNIQUE,
  second_id_2 int REFERENCES second UNIQUE
);

-- PostgREST issue 2518: a composite key whose columns come in another order
CREATE TABLE a (PRIMARY KEY (c1, c2), c1 int, c2 bool);
CREATE TABLE b (c2 bool, c1 int, FOREIGN KEY (c1, c2) REFERENCES a);
CREATE VIEW v1 AS TABLE a;
CREATE VIEW v2 AS TABLE b;

-- PostgREST issue 2459: views naming one base column twice (tables of its public schema)
CREATE TABLE i2459_simple_t1 (id int PRIMARY KEY);
CREATE TABLE i2459_simple_t2 (t1_id int REFERENCES i2459_simple_t1);
CREATE VIEW i2459_simple_v1 AS TABLE i2459_simple_t1;
CREATE VIEW i2459_simple_v2 AS SELECT t1_id AS t1_id1, t1_id AS t1_id2 FROM i2459_simple_t2;
CREATE TABLE i2459_composite_t1 (PRIMARY KEY (a, b), a int, b int);
CREATE TABLE i2459_composite_t2 (
  t1_a int,
  t1_b int,
  CONSTRAINT i2459_composite_t2_t1_a_t1_b_fkey FOREIGN KEY (t1_a, t1_b) REFERENCES i2459_composite_t1
);
CREATE VIEW i2459_composite_v1 AS TABLE i2459_composite_t1;
CREATE VIEW i2459_composite_v2 AS
  SELECT t1_a AS t1_a1, t1_b AS t1_b1, t1_a AS t1_a2, t1_b AS t1_b2 FROM i2459_composite_t2;
CREATE TABLE i2459_self_t (id int PRIMARY KEY, parent int REFERENCES i2459_self_t, type text);
CREATE VIEW i2459_self_v1 AS
  SELECT parent.parent AS grandparent, child.parent, child.id
  FROM i2459_self_t AS parent JOIN i2459_self_t AS child ON child.parent = parent.id
  WHERE child.type = 'A';
CREATE VIEW i2459_self_v2 AS
  SELECT parent.parent AS grandparent, child.parent, child.id
  FROM i2459_self_t AS parent JOIN i2459_self_t AS child ON child.parent = parent.id;

-- PostgREST issues 2458 and 2548: keys between hidden tables (its public schema)
CREATE TABLE ta (a1 INT PRIMARY KEY, a2 INT, UNIQUE (a1, a2));
CREATE TABLE tb (b1 INT REFERENCES ta (a1), b2 INT, FOREIGN KEY (b1, b2) REFERENCES ta (a1, a2));
CREATE VIEW va AS SELECT a1 FROM ta;
CREATE VIEW vb AS SELECT b1 FROM tb;

CREATE TABLE posters (id int PRIMARY KEY, name text);
CREATE TABLE subscriptions (
  subscriber int REFERENCES posters (id),
  subscribed int REFERENCES posters (id),
  PRIMARY KEY (subscriber, subscribed)
);

CREATE TABLE places (id int PRIMARY KEY GENERATED ALWAYS AS IDENTITY, name text NOT NULL);
CREATE TABLE visits (
  id int PRIMARY KEY GENERATED ALWAYS AS IDENTITY,
  place_id int NOT NULL REFERENCES places (id),
  start_time timestamp,
  end_time timestamp,
  visit_type visit_type
);

-- many-to-many through a junction shown by a view (PostgREST's private schema behind views)
CREATE TABLE private_screens (id serial PRIMARY KEY, name text NOT NULL DEFAULT 'new screen');
CREATE TABLE private_labels (id serial PRIMARY KEY, name text NOT NULL DEFAULT 'new label');
CREATE TABLE private_label_screen (
  label_id int NOT NULL REFERENCES private_labels (id) ON UPDATE CASCADE ON DELETE CASCADE,
  screen_id int NOT NULL REFERENCES private_screens (id) ON UPDATE CASCADE ON DELETE CASCADE,
  CONSTRAINT label_screen_pkey PRIMARY KEY (label_id, screen_id)
);
CREATE VIEW labels AS SELECT * FROM private_labels;
CREATE VIEW screens AS SELECT * FROM private_screens;
CREATE VIEW label_screen AS SELECT * FROM private_label_screen;
CREATE TABLE private_actors (id int, name text, CONSTRAINT actors_id PRIMARY KEY (id));
CREATE TABLE private_films (id integer, title text, CONSTRAINT films_id PRIMARY KEY (id));
CREATE TABLE private_personnages (
  film_id int NOT NULL,
  role_id int NOT NULL,
  character text NOT NULL,
  CONSTRAINT personnages_film_id_role_id PRIMARY KEY (film_id, role_id),
  CONSTRAINT personnages_film_id_fkey FOREIGN KEY (film_id) REFERENCES private_films (id),
  CONSTRAINT personnages_role_id_fkey FOREIGN KEY (role_id) REFERENCES private_actors (id)
);
CREATE VIEW actors AS SELECT * FROM private_actors;
CREATE VIEW films AS SELECT * FROM private_films;
CREATE VIEW personnages AS SELECT * FROM private_personnages;

-- aggregates: invoices of projects, budgets, factories and their processes, json to sum
CREATE TABLE trash (id int PRIMARY KEY);
CREATE TABLE trash_details (id int PRIMARY KEY REFERENCES trash (id), jsonb_col jsonb);
CREATE TABLE project_invoices (
  id int PRIMARY KEY,
  invoice_total numeric,
  project_id integer REFERENCES projects (id)
);
CREATE TABLE budget_categories (
  id int PRIMARY KEY,
  category_name text,
  budget_owner text,
  budget_amount numeric
);
CREATE TABLE budget_expenses (
  id int PRIMARY KEY,
  expense_amount numeric,
  budget_category_id integer REFERENCES budget_categories (id)
);
CREATE TABLE factories (id int PRIMARY KEY, name text);
CREATE TABLE process_categories (id int PRIMARY KEY, name text);
CREATE TABLE processes (
  id int PRIMARY KEY,
  name text,
  factory_id int REFERENCES factories (id),
  category_id int REFERENCES process_categories (id)
);
CREATE TABLE process_costs (process_id int REFERENCES processes (id) PRIMARY KEY, cost numeric);
CREATE TABLE supervisors (id int PRIMARY KEY, name text);
CREATE TABLE process_supervisor (
  process_id int REFERENCES processes (id),
  supervisor_id int REFERENCES supervisors (id),
  PRIMARY KEY (process_id, supervisor_id)
);
CREATE TABLE factory_buildings (
  id int PRIMARY KEY,
  code char(4),
  size numeric,
  "type" char(1),
  factory_id int REFERENCES factories (id),
  inspections jsonb
);

-- ---- the tables and views that only the ported writing cases touch ----------------------

-- inserting: a key from a sequence, keys of several columns, no key, one unique column
CREATE TABLE auto_incrementing_pk (
  id serial,
  nullable_string character varying,
  non_nullable_string character varying NOT NULL,
  inserted_at timestamp with time zone DEFAULT now(),
  CONSTRAINT auto_incrementing_pk_pkey PRIMARY KEY (id)
);
CREATE TABLE compound_pk (k1 integer NOT NULL, k2 text NOT NULL, extra integer, PRIMARY KEY (k1, k2));
CREATE VIEW compound_pk_view AS SELECT * FROM compound_pk;
CREATE TABLE empty_table (k character varying NOT NULL, extra character varying NOT NULL);
CREATE TABLE insertonly (v text NOT NULL);
CREATE TABLE simple_pk2 (k character varying NOT NULL, extra character varying NOT NULL, PRIMARY KEY (k));
CREATE TABLE "withUnique" (uni text UNIQUE, extra text);
CREATE TABLE tbl_w_json (id int, data json);
CREATE TABLE channels (
  id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  data jsonb DEFAULT '{"foo": "bar"}',
  slug text
);
CREATE TABLE foo (
  a text,
  b text GENERATED ALWAYS AS (
    CASE WHEN a = 'telegram' THEN 'im' WHEN a = 'proton' THEN 'email'
         WHEN a = 'infinity' THEN 'idea' ELSE 'bad idea' END) STORED
);
CREATE TABLE bitchar_with_length (bit bit(5), char char(5), bit_arr bit(5)[], char_arr char(5)[]);
CREATE VIEW complex_items_view AS SELECT * FROM complex_items;
ALTER VIEW complex_items_view ALTER COLUMN name SET DEFAULT 'Default';
-- a view whose key may be NULL, written through a rule
CREATE TABLE sponsors (id integer PRIMARY KEY, name varchar(20) NOT NULL);
CREATE TABLE competitors (
  id integer PRIMARY KEY,
  sponsor_id integer REFERENCES sponsors (id),
  full_name varchar(40) NOT NULL
);
CREATE VIEW test_null_pk_competitors_sponsors AS
  SELECT c.id, s.id AS sponsor_id FROM competitors c LEFT JOIN sponsors s ON c.sponsor_id = s.id;
CREATE RULE test_null_pk_competitors_sponsors AS
  ON INSERT TO test_null_pk_competitors_sponsors DO INSTEAD
  INSERT INTO competitors (id, full_name, sponsor_id)
  VALUES (new.id, 'Competitor without sponsor', new.sponsor_id)
  RETURNING id, sponsor_id;
-- a view over two tables' keys, written by an INSTEAD OF trigger
CREATE TABLE with_pk1 (pk1 int PRIMARY KEY);
CREATE TABLE with_pk2 (pk2 int PRIMARY KEY);
CREATE VIEW with_multiple_pks AS SELECT * FROM with_pk1, with_pk2;
CREATE FUNCTION with_multiple_pks_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO with_pk1 VALUES (new.pk1) ON CONFLICT DO NOTHING;
  INSERT INTO with_pk2 VALUES (new.pk2) ON CONFLICT DO NOTHING;
  RETURN new;
END
$$;
CREATE TRIGGER ins INSTEAD OF INSERT ON with_multiple_pks
  FOR EACH ROW EXECUTE PROCEDURE with_multiple_pks_insert();
-- PostgREST's private.article_stars shown without created_at's privileges
CREATE VIEW limited_article_stars AS
  SELECT article_id, user_id, created_at FROM private_article_stars;
-- a trigger that inserts into its own table until the stack runs out
CREATE TABLE infinite_inserts (id int, name text);
CREATE FUNCTION infinite_inserts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO infinite_inserts VALUES (new.id, new.name);
END
$$;
CREATE TRIGGER do_infinite_inserts AFTER INSERT ON infinite_inserts
  FOR EACH ROW EXECUTE PROCEDURE infinite_inserts();

-- updating: a table with a key to itself, privileges PostgREST limits by column
CREATE TABLE web_content (
  id integer,
  name text,
  p_web_id integer REFERENCES web_content (id),
  PRIMARY KEY (id)
);
CREATE TABLE app_users (id integer PRIMARY KEY, email text UNIQUE NOT NULL, password text NOT NULL);
CREATE TABLE unsafe_update_items (id int PRIMARY KEY, name text, observation text);
CREATE TABLE unsafe_delete_items (id int PRIMARY KEY, name text, observation text);
CREATE TABLE artists (id int PRIMARY KEY, name text);
CREATE TABLE albums (
  id int PRIMARY KEY,
  title text,
  artist_id int,
  CONSTRAINT fk_artist FOREIGN KEY (artist_id) REFERENCES artists (id)
    ON UPDATE CASCADE ON DELETE CASCADE
);

-- upserting: keys of one and several columns, unique keys, surrogate keys
CREATE TABLE employees (
  first_name text,
  last_name text,
  salary money,
  company text,
  occupation text,
  PRIMARY KEY (first_name, last_name)
);
CREATE TABLE tiobe_pls (name text PRIMARY KEY, rank smallint);
CREATE TABLE single_unique (unique_key integer UNIQUE NOT NULL, value text);
CREATE TABLE compound_unique (key1 integer NOT NULL, key2 integer NOT NULL, value text, UNIQUE (key1, key2));
CREATE TABLE only_pk (id integer PRIMARY KEY);
CREATE TABLE "UnitTest" ("idUnitTest" integer PRIMARY KEY, "nameUnitTest" text);
CREATE TABLE surr_serial_upsert (id serial PRIMARY KEY, name text, extra text);
CREATE TABLE surr_gen_default_upsert (id int GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, name text, extra text);
CREATE TABLE "Surr_Gen_Default_Upsert" (id int GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, name text, extra text);

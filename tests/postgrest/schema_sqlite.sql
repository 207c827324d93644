-- PostgREST's spec fixtures (test/spec/fixtures/schema.sql), the tables and views that the
-- ported reading and writing cases touch, on SQLite: the names, keys and constraint names of
-- schema_pg.sql with SQLite's nearest types (serial and identity columns are INTEGER PRIMARY
-- KEY; arrays, json and jsonb are JSON; uuid, name, enums, tsvector, bit(n) and char(n) are
-- TEXT; bytea is BLOB; money is NUMERIC).  Left out: what only PostgreSQL has (partitioned
-- tables, ranges, text search vectors and configurations, domains, oids, materialized views, a
-- view that reads itself, a composite type (fav_numbers), int[] columns read by their subscripts
-- (arrays)); the cases reading them run on PostgreSQL only.  As there, the tables of
-- PostgREST's "private" schema are private_<name>, those of its "public" schema keep their names.

-- projects, clients, tasks, users and their links
CREATE TABLE clients (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE projects (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  client_id INTEGER,
  CONSTRAINT client FOREIGN KEY (client_id) REFERENCES clients (id)
);
CREATE VIEW projects_view AS SELECT projects.id, projects.name, projects.client_id FROM projects;
CREATE VIEW projects_view_alt AS
  SELECT projects.id AS t_id, projects.name, projects.client_id AS t_client_id FROM projects;
CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE users_projects (
  user_id INTEGER NOT NULL REFERENCES users (id),
  project_id INTEGER NOT NULL REFERENCES projects (id),
  PRIMARY KEY (project_id, user_id)
);
CREATE TABLE tasks (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  project_id INTEGER,
  CONSTRAINT project FOREIGN KEY (project_id) REFERENCES projects (id)
);
CREATE TABLE users_tasks (
  user_id INTEGER NOT NULL REFERENCES users (id),
  task_id INTEGER NOT NULL REFERENCES tasks (id),
  PRIMARY KEY (task_id, user_id)
);
CREATE TABLE comments (
  id INTEGER PRIMARY KEY,
  commenter_id INTEGER NOT NULL,
  user_id INTEGER NOT NULL,
  task_id INTEGER NOT NULL,
  content TEXT NOT NULL,
  CONSTRAINT "user" FOREIGN KEY (commenter_id) REFERENCES users (id),
  CONSTRAINT comments_task_id_fkey FOREIGN KEY (task_id, user_id) REFERENCES users_tasks (task_id, user_id)
);
CREATE TABLE files (
  project_id INTEGER NOT NULL,
  filename TEXT NOT NULL,
  content TEXT NOT NULL,
  PRIMARY KEY (project_id, filename)
);
CREATE TABLE touched_files (
  user_id INTEGER NOT NULL,
  task_id INTEGER NOT NULL,
  project_id INTEGER NOT NULL,
  filename TEXT NOT NULL,
  CONSTRAINT fk_users_tasks FOREIGN KEY (user_id, task_id) REFERENCES users_tasks (user_id, task_id)
    ON DELETE CASCADE ON UPDATE CASCADE,
  CONSTRAINT fk_upload FOREIGN KEY (project_id, filename) REFERENCES files (project_id, filename)
    ON DELETE CASCADE ON UPDATE CASCADE,
  PRIMARY KEY (user_id, task_id, project_id, filename)
);
CREATE VIEW projects_count_grouped_by AS
  SELECT client_id, count(id) AS number_of_projects FROM projects GROUP BY client_id;

-- articles and their stars (PostgREST's private schema behind views)
-- owner: PostgREST's trigger sets it to the request's role on every write; here that role's
-- name (postgrest_test_anonymous, the role of a request without a JWT) is its default
CREATE TABLE private_articles (
  id INTEGER PRIMARY KEY,
  body TEXT,
  owner TEXT NOT NULL DEFAULT 'postgrest_test_anonymous'
);
CREATE TABLE private_article_stars (
  article_id INTEGER NOT NULL,
  user_id INTEGER NOT NULL,
  created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL,
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
CREATE TABLE items (id INTEGER PRIMARY KEY);
CREATE TABLE items2 (id INTEGER PRIMARY KEY);
CREATE TABLE complex_items (
  id BIGINT NOT NULL,
  name TEXT,
  settings JSON,
  arr_data JSON,
  "field-with_sep" INTEGER DEFAULT 1 NOT NULL
);
CREATE VIEW has_count_column AS SELECT 1 AS count;
-- json and jsonb: their operators
CREATE TABLE json_table (data JSON);
CREATE TABLE json_arr (id INTEGER PRIMARY KEY, data JSON);
CREATE TABLE jsonb_test (id INTEGER PRIMARY KEY, data JSON);
CREATE TABLE menagerie (
  "integer" INTEGER NOT NULL,
  double DOUBLE PRECISION NOT NULL,
  "varchar" VARCHAR NOT NULL,
  "boolean" BOOLEAN NOT NULL,
  date DATE NOT NULL,
  money NUMERIC NOT NULL,
  enum TEXT NOT NULL CHECK (enum IN ('foo', 'bar'))
);
CREATE TABLE no_pk (a VARCHAR, b VARCHAR);
CREATE TABLE nullable_integer (a INTEGER);
CREATE TABLE simple_pk (k VARCHAR NOT NULL, extra VARCHAR NOT NULL, PRIMARY KEY (k));
CREATE TABLE "Escap3e;" ("so6meIdColumn" INTEGER PRIMARY KEY);
CREATE TABLE "ghostBusters" ("escapeId" INTEGER NOT NULL REFERENCES "Escap3e;" ("so6meIdColumn"));
CREATE TABLE clashing_column (t TEXT);
CREATE TABLE w_or_wo_comma_names (name TEXT);
CREATE TABLE items_with_different_col_types (
  int_data INTEGER,
  text_data TEXT,
  bool_data BOOLEAN,
  bin_data BLOB,
  char_data VARCHAR,
  date_data DATE,
  real_data REAL,
  time_data TIME
);
CREATE TABLE chores (id INTEGER PRIMARY KEY, name TEXT, done BOOLEAN);
CREATE TABLE "Server Today" ("cHostname" TEXT, "Just A Server Model" TEXT);
CREATE TABLE pgrst_reserved_chars (
  "*id*" INTEGER,
  ":arr->ow::cast" TEXT,
  "(inside,parens)" TEXT,
  "a.dotted.column" TEXT,
  "  col  w  space  " TEXT
);
CREATE TABLE do$llar$s (a$num$ NUMERIC);
CREATE TABLE empty_string (id INTEGER, string TEXT);

-- addresses and orders: two keys to one table, renamed
CREATE TABLE addresses (id INTEGER NOT NULL UNIQUE, address TEXT NOT NULL);
CREATE TABLE orders (
  id INTEGER NOT NULL UNIQUE,
  name TEXT NOT NULL,
  billing_address_id INTEGER,
  shipping_address_id INTEGER,
  CONSTRAINT billing FOREIGN KEY (billing_address_id) REFERENCES addresses (id),
  CONSTRAINT shipping FOREIGN KEY (shipping_address_id) REFERENCES addresses (id)
);

-- entities, three levels
CREATE TABLE entities (id INTEGER PRIMARY KEY, name TEXT, arr JSON, text_search_vector TEXT);
CREATE TABLE child_entities (id INTEGER PRIMARY KEY, name TEXT, parent_id INTEGER REFERENCES entities (id));
CREATE TABLE grandchild_entities (
  id INTEGER PRIMARY KEY,
  name TEXT,
  parent_id INTEGER REFERENCES child_entities (id),
  or_starting_col TEXT,
  and_starting_col TEXT,
  jsonb_col JSON
);

-- column named as its table
CREATE TABLE being (being INTEGER PRIMARY KEY NOT NULL);
CREATE TABLE descendant (descendant INTEGER PRIMARY KEY NOT NULL, being INTEGER REFERENCES being (being));
CREATE TABLE part (part INTEGER PRIMARY KEY NOT NULL);
CREATE TABLE being_part (
  being INTEGER NOT NULL REFERENCES being (being),
  part INTEGER NOT NULL REFERENCES part (part),
  PRIMARY KEY (being, part)
);

-- self references
CREATE TABLE family_tree (id TEXT NOT NULL PRIMARY KEY, name TEXT NOT NULL, parent TEXT,
  CONSTRAINT pptr FOREIGN KEY (parent) REFERENCES family_tree (id));
CREATE TABLE managers (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE organizations (
  id INTEGER PRIMARY KEY,
  name TEXT,
  referee INTEGER REFERENCES organizations (id),
  auditor INTEGER REFERENCES organizations (id),
  manager_id INTEGER,
  CONSTRAINT manager FOREIGN KEY (manager_id) REFERENCES managers (id)
);
CREATE TABLE private_internal_job (
  id INTEGER NOT NULL,
  parent_id INTEGER,
  CONSTRAINT internal_job_pkey PRIMARY KEY (id),
  CONSTRAINT parent_fk FOREIGN KEY (parent_id) REFERENCES private_internal_job (id)
);
CREATE VIEW job AS SELECT j.id, j.parent_id FROM private_internal_job j;
CREATE TABLE test (
  id BIGINT NOT NULL PRIMARY KEY,
  parent_id BIGINT CONSTRAINT parent_test REFERENCES test (id)
);
CREATE VIEW view_test AS SELECT id FROM test;

-- books, authors, publishers (PostgREST's private schema behind views)
CREATE TABLE private_authors (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE private_publishers (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE private_books (
  id INTEGER PRIMARY KEY,
  title TEXT,
  publication_year SMALLINT,
  author_id INTEGER REFERENCES private_authors (id),
  first_publisher_id INTEGER REFERENCES private_publishers (id)
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
  (SELECT json_group_array(id) FROM entities WHERE id NOT IN (SELECT parent_id FROM child_entities)) AS entities
FROM private_authors;

-- persons and messages
CREATE TABLE person (id INTEGER PRIMARY KEY, name VARCHAR NOT NULL);
CREATE TABLE message (
  id INTEGER PRIMARY KEY,
  body TEXT NOT NULL DEFAULT '',
  sender BIGINT NOT NULL REFERENCES person (id),
  recipient BIGINT NOT NULL REFERENCES person (id)
);
CREATE VIEW person_detail AS
SELECT p.id, p.name, s.count AS sent, r.count AS received
FROM person p
JOIN (SELECT message.sender, count(message.id) AS count FROM message GROUP BY message.sender) s
  ON s.sender = p.id
JOIN (SELECT message.recipient, count(message.id) AS count FROM message GROUP BY message.recipient) r
  ON r.recipient = p.id;

CREATE TABLE space (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE zone (id INTEGER PRIMARY KEY, name TEXT, zone_type_id INTEGER, space_id INTEGER REFERENCES space (id));

-- "Foo" and bar behind views
CREATE TABLE "Foo" (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE bar (id INTEGER PRIMARY KEY, name TEXT, "fooId" INTEGER REFERENCES "Foo" (id));
CREATE VIEW foos AS SELECT id, name FROM "Foo";
CREATE VIEW bars AS SELECT id, "fooId", name FROM bar;

-- a long compound key (PostgREST's private.player)
CREATE TABLE private_player (
  id INTEGER NOT NULL,
  first_name TEXT NOT NULL,
  last_name TEXT NOT NULL,
  birth_date DATE,
  PRIMARY KEY (last_name, id, first_name, birth_date)
);
CREATE TABLE contract (
  tournament TEXT NOT NULL,
  time TEXT NOT NULL,
  purchase_price INTEGER NOT NULL,
  id INTEGER NOT NULL,
  first_name TEXT NOT NULL,
  last_name TEXT NOT NULL,
  birth_date DATE,
  FOREIGN KEY (last_name, id, first_name, birth_date) REFERENCES private_player
);
CREATE VIEW player_view AS SELECT * FROM private_player;
CREATE VIEW contract_view AS SELECT * FROM contract;

-- a view over a key to a UNIQUE column (PostgREST's private schema)
CREATE TABLE private_pages (link INTEGER NOT NULL UNIQUE, url TEXT);
CREATE TABLE private_referrals (site TEXT, link INTEGER REFERENCES private_pages (link) NOT NULL);
CREATE VIEW pages AS SELECT * FROM private_pages;
CREATE VIEW referrals AS SELECT * FROM private_referrals;

-- orders and consumers (PostgREST's public schema) behind views
CREATE TABLE public_consumers (id INTEGER PRIMARY KEY NOT NULL UNIQUE, name TEXT NOT NULL CHECK (name <> ''));
CREATE TABLE public_orders (
  id INTEGER PRIMARY KEY NOT NULL UNIQUE,
  consumer INTEGER NOT NULL REFERENCES public_consumers (id),
  number INTEGER NOT NULL
);
CREATE VIEW orders_view AS SELECT * FROM public_orders;
CREATE VIEW consumers_view AS SELECT * FROM public_consumers;
CREATE VIEW consumers_view_view AS SELECT * FROM consumers_view;

-- disambiguation
CREATE TABLE big_projects (big_project_id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE sites (
  site_id INTEGER PRIMARY KEY,
  name TEXT,
  main_project_id INTEGER NULL,
  CONSTRAINT main_project FOREIGN KEY (main_project_id) REFERENCES big_projects (big_project_id)
);
CREATE TABLE jobs (
  job_id TEXT,
  name TEXT,
  site_id INTEGER NOT NULL REFERENCES sites (site_id),
  big_project_id INTEGER NOT NULL REFERENCES big_projects (big_project_id),
  PRIMARY KEY (job_id, site_id, big_project_id)
);
CREATE VIEW main_jobs AS
  SELECT * FROM jobs WHERE site_id IN (SELECT site_id FROM sites WHERE main_project_id IS NOT NULL);
CREATE TABLE whatev_projects (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE whatev_sites (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE whatev_jobs (
  job_id TEXT,
  name TEXT,
  site_id_1 INTEGER NOT NULL REFERENCES whatev_sites (id),
  project_id_1 INTEGER NOT NULL REFERENCES whatev_projects (id),
  site_id_2 INTEGER NOT NULL REFERENCES whatev_sites (id),
  project_id_2 INTEGER NOT NULL REFERENCES whatev_projects (id),
  PRIMARY KEY (job_id, site_id_1, project_id_1, site_id_2, project_id_2)
);
CREATE TABLE agents (id INTEGER PRIMARY KEY, name TEXT, department_id INTEGER,
  CONSTRAINT agents_department_id_fkey FOREIGN KEY (department_id) REFERENCES departments (id));
CREATE TABLE departments (id INTEGER PRIMARY KEY, name TEXT, head_id INTEGER REFERENCES agents (id));
CREATE TABLE schedules (id INTEGER PRIMARY KEY, name TEXT, start_at TIME, end_at TIME);
CREATE TABLE activities (
  id INTEGER,
  schedule_id INTEGER,
  car_id TEXT,
  camera_id TEXT,
  PRIMARY KEY (id, schedule_id),
  CONSTRAINT schedule FOREIGN KEY (schedule_id) REFERENCES schedules (id)
);
CREATE TABLE unit_workdays (
  unit_id INTEGER,
  day DATE,
  fst_shift_activity_id INTEGER,
  fst_shift_schedule_id INTEGER,
  snd_shift_activity_id INTEGER,
  snd_shift_schedule_id INTEGER,
  PRIMARY KEY (unit_id, day),
  CONSTRAINT fst_shift FOREIGN KEY (fst_shift_activity_id, fst_shift_schedule_id)
    REFERENCES activities (id, schedule_id),
  CONSTRAINT snd_shift FOREIGN KEY (snd_shift_activity_id, snd_shift_schedule_id)
    REFERENCES activities (id, schedule_id)
);
CREATE VIEW unit_workdays_fst_shift AS
  SELECT unit_id, day, fst_shift_activity_id, fst_shift_schedule_id FROM unit_workdays
  WHERE fst_shift_activity_id IS NOT NULL AND fst_shift_schedule_id IS NOT NULL;

-- many-to-many for inner joins
CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE suppliers (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE products_suppliers (
  product_id INTEGER REFERENCES products (id),
  supplier_id INTEGER REFERENCES suppliers (id),
  PRIMARY KEY (product_id, supplier_id)
);
CREATE TABLE trade_unions (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE suppliers_trade_unions (
  supplier_id INTEGER REFERENCES suppliers (id),
  trade_union_id INTEGER REFERENCES trade_unions (id),
  PRIMARY KEY (supplier_id, trade_union_id)
);
CREATE TABLE client (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE contact (id INTEGER PRIMARY KEY, name TEXT, clientid INTEGER REFERENCES client (id));
CREATE TABLE clientinfo (id INTEGER PRIMARY KEY, clientid INTEGER REFERENCES client (id), other TEXT);

CREATE TABLE plate (plate_id INTEGER PRIMARY KEY);
CREATE TABLE well (
  well_id INTEGER PRIMARY KEY,
  plate_id INTEGER NOT NULL,
  parent_well_id INTEGER,
  CONSTRAINT well_parent_well_id_fkey FOREIGN KEY (parent_well_id) REFERENCES well (well_id),
  CONSTRAINT well_plate_id_fkey FOREIGN KEY (plate_id) REFERENCES plate (plate_id)
);
CREATE TABLE plate_plan_step (
  plate_plan_step_id INTEGER PRIMARY KEY,
  from_well_id INTEGER,
  to_well_id INTEGER,
  to_plate_id INTEGER,
  CONSTRAINT plate_plan_step_from_well_id_fkey FOREIGN KEY (from_well_id) REFERENCES well (well_id),
  CONSTRAINT plate_plan_step_to_plate_id_fkey FOREIGN KEY (to_plate_id) REFERENCES plate (plate_id),
  CONSTRAINT plate_plan_step_to_well_id_fkey FOREIGN KEY (to_well_id) REFERENCES well (well_id)
);

CREATE TABLE series (id BIGINT PRIMARY KEY, title TEXT NOT NULL);
CREATE TABLE adaptation_notifications (id BIGINT PRIMARY KEY, series BIGINT REFERENCES series (id), status TEXT);
CREATE VIEW series_popularity AS SELECT id, random() AS popularity_score FROM series;

-- one-to-one
CREATE TABLE students (id INTEGER, code TEXT, name TEXT, PRIMARY KEY (id, code));
CREATE TABLE students_info (
  id INTEGER,
  code TEXT,
  address TEXT,
  PRIMARY KEY (id, code),
  FOREIGN KEY (code, id) REFERENCES students (code, id) ON DELETE CASCADE
);
CREATE TABLE country (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE capital (id INTEGER PRIMARY KEY, name TEXT, country_id INTEGER UNIQUE,
  FOREIGN KEY (country_id) REFERENCES country (id));
CREATE VIEW students_view AS SELECT * FROM students;
CREATE VIEW students_info_view AS SELECT * FROM students_info;
CREATE TABLE second (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE first (
  id INTEGER PRIMARY KEY,
  name TEXT,
  second_id_1 INTEGER REFERENCES second UNIQUE,
  second_id_2 INTEGER REFERENCES second UNIQUE
);

-- PostgREST issue 2518: a composite key whose columns come in another order
CREATE TABLE a (c1 INTEGER, c2 BOOLEAN, PRIMARY KEY (c1, c2));
CREATE TABLE b (c2 BOOLEAN, c1 INTEGER, FOREIGN KEY (c1, c2) REFERENCES a);
CREATE VIEW v1 AS SELECT * FROM a;
CREATE VIEW v2 AS SELECT * FROM b;

-- PostgREST issue 2459: views naming one base column twice (tables of its public schema)
CREATE TABLE i2459_simple_t1 (id INTEGER PRIMARY KEY);
CREATE TABLE i2459_simple_t2 (t1_id INTEGER REFERENCES i2459_simple_t1);
CREATE VIEW i2459_simple_v1 AS SELECT * FROM i2459_simple_t1;
CREATE VIEW i2459_simple_v2 AS SELECT t1_id AS t1_id1, t1_id AS t1_id2 FROM i2459_simple_t2;
CREATE TABLE i2459_composite_t1 (a INTEGER, b INTEGER, PRIMARY KEY (a, b));
CREATE TABLE i2459_composite_t2 (
  t1_a INTEGER,
  t1_b INTEGER,
  CONSTRAINT i2459_composite_t2_t1_a_t1_b_fkey FOREIGN KEY (t1_a, t1_b) REFERENCES i2459_composite_t1
);
CREATE VIEW i2459_composite_v1 AS SELECT * FROM i2459_composite_t1;
CREATE VIEW i2459_composite_v2 AS
  SELECT t1_a AS t1_a1, t1_b AS t1_b1, t1_a AS t1_a2, t1_b AS t1_b2 FROM i2459_composite_t2;
CREATE TABLE i2459_self_t (id INTEGER PRIMARY KEY, parent INTEGER REFERENCES i2459_self_t, type TEXT);
CREATE VIEW i2459_self_v1 AS
  SELECT parent.parent AS grandparent, child.parent, child.id
  FROM i2459_self_t AS parent JOIN i2459_self_t AS child ON child.parent = parent.id
  WHERE child.type = 'A';
CREATE VIEW i2459_self_v2 AS
  SELECT parent.parent AS grandparent, child.parent, child.id
  FROM i2459_self_t AS parent JOIN i2459_self_t AS child ON child.parent = parent.id;

-- PostgREST issues 2458 and 2548: keys between hidden tables (its public schema)
CREATE TABLE ta (a1 INTEGER PRIMARY KEY, a2 INTEGER, UNIQUE (a1, a2));
CREATE TABLE tb (b1 INTEGER REFERENCES ta (a1), b2 INTEGER, FOREIGN KEY (b1, b2) REFERENCES ta (a1, a2));
CREATE VIEW va AS SELECT a1 FROM ta;
CREATE VIEW vb AS SELECT b1 FROM tb;

CREATE TABLE posters (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE subscriptions (
  subscriber INTEGER REFERENCES posters (id),
  subscribed INTEGER REFERENCES posters (id),
  PRIMARY KEY (subscriber, subscribed)
);

CREATE TABLE places (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE visits (
  id INTEGER PRIMARY KEY,
  place_id INTEGER NOT NULL REFERENCES places (id),
  start_time TIMESTAMP,
  end_time TIMESTAMP,
  visit_type TEXT CHECK (visit_type IN ('vacation', 'work'))
);

-- many-to-many through a junction shown by a view (PostgREST's private schema behind views)
CREATE TABLE private_screens (id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT 'new screen');
CREATE TABLE private_labels (id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT 'new label');
CREATE TABLE private_label_screen (
  label_id INTEGER NOT NULL REFERENCES private_labels (id) ON UPDATE CASCADE ON DELETE CASCADE,
  screen_id INTEGER NOT NULL REFERENCES private_screens (id) ON UPDATE CASCADE ON DELETE CASCADE,
  CONSTRAINT label_screen_pkey PRIMARY KEY (label_id, screen_id)
);
CREATE VIEW labels AS SELECT * FROM private_labels;
CREATE VIEW screens AS SELECT * FROM private_screens;
CREATE VIEW label_screen AS SELECT * FROM private_label_screen;
CREATE TABLE private_actors (id INTEGER, name TEXT, CONSTRAINT actors_id PRIMARY KEY (id));
CREATE TABLE private_films (id INTEGER, title TEXT, CONSTRAINT films_id PRIMARY KEY (id));
CREATE TABLE private_personnages (
  film_id INTEGER NOT NULL,
  role_id INTEGER NOT NULL,
  character TEXT NOT NULL,
  CONSTRAINT personnages_film_id_role_id PRIMARY KEY (film_id, role_id),
  CONSTRAINT personnages_film_id_fkey FOREIGN KEY (film_id) REFERENCES private_films (id),
  CONSTRAINT personnages_role_id_fkey FOREIGN KEY (role_id) REFERENCES private_actors (id)
);
CREATE VIEW actors AS SELECT * FROM private_actors;
CREATE VIEW films AS SELECT * FROM private_films;
CREATE VIEW personnages AS SELECT * FROM private_personnages;

-- aggregates: invoices of projects, budgets, factories and their processes, json to sum
CREATE TABLE trash (id INTEGER PRIMARY KEY);
CREATE TABLE trash_details (id INTEGER PRIMARY KEY REFERENCES trash (id), jsonb_col JSON);
CREATE TABLE project_invoices (
  id INTEGER PRIMARY KEY,
  invoice_total NUMERIC,
  project_id INTEGER REFERENCES projects (id)
);
CREATE TABLE budget_categories (
  id INTEGER PRIMARY KEY,
  category_name TEXT,
  budget_owner TEXT,
  budget_amount NUMERIC
);
CREATE TABLE budget_expenses (
  id INTEGER PRIMARY KEY,
  expense_amount NUMERIC,
  budget_category_id INTEGER REFERENCES budget_categories (id)
);
CREATE TABLE factories (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE process_categories (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE processes (
  id INTEGER PRIMARY KEY,
  name TEXT,
  factory_id INTEGER REFERENCES factories (id),
  category_id INTEGER REFERENCES process_categories (id)
);
CREATE TABLE process_costs (process_id INTEGER REFERENCES processes (id) PRIMARY KEY, cost NUMERIC);
CREATE TABLE supervisors (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE process_supervisor (
  process_id INTEGER REFERENCES processes (id),
  supervisor_id INTEGER REFERENCES supervisors (id),
  PRIMARY KEY (process_id, supervisor_id)
);
CREATE TABLE factory_buildings (
  id INTEGER PRIMARY KEY,
  code TEXT,
  size NUMERIC,
  "type" TEXT,
  factory_id INTEGER REFERENCES factories (id),
  inspections JSON
);

-- ---- the tables and views that only the ported writing cases touch ----------------------
-- A view takes on SQLite the writes its INSTEAD OF triggers carry out: those below write
-- what PostgreSQL writes through the same view (an automatically updatable view, a rule, a
-- trigger).  Left out: what only PostgreSQL has (a view column's default, a table foo beside
-- "Foo", which SQLite's names, blind to case, cannot tell apart, and so for
-- "Surr_Gen_Default_Upsert"; a trigger recursing until PostgreSQL's stack depth limit).

-- PostgREST's views over its private schema, written through
CREATE TRIGGER articles_insert INSTEAD OF INSERT ON articles BEGIN
  INSERT INTO private_articles (id, body, owner)
  VALUES (NEW.id, NEW.body, coalesce(NEW.owner, 'postgrest_test_anonymous'));
END;
CREATE TRIGGER articles_update INSTEAD OF UPDATE ON articles BEGIN
  UPDATE private_articles SET id = NEW.id, body = NEW.body, owner = NEW.owner WHERE id = OLD.id;
END;
CREATE TRIGGER articles_delete INSTEAD OF DELETE ON articles BEGIN
  DELETE FROM private_articles WHERE id = OLD.id;
END;
-- PostgREST's private.article_stars shown without created_at's privileges
CREATE VIEW limited_article_stars AS
  SELECT article_id, user_id, created_at FROM private_article_stars;
CREATE TRIGGER limited_article_stars_insert INSTEAD OF INSERT ON limited_article_stars BEGIN
  INSERT INTO private_article_stars (article_id, user_id, created_at)
  VALUES (NEW.article_id, NEW.user_id, coalesce(NEW.created_at, CURRENT_TIMESTAMP));
END;
CREATE TRIGGER limited_article_stars_update INSTEAD OF UPDATE ON limited_article_stars BEGIN
  UPDATE private_article_stars
     SET article_id = NEW.article_id, user_id = NEW.user_id, created_at = NEW.created_at
   WHERE article_id = OLD.article_id AND user_id = OLD.user_id;
END;
CREATE TRIGGER limited_article_stars_delete INSTEAD OF DELETE ON limited_article_stars BEGIN
  DELETE FROM private_article_stars WHERE article_id = OLD.article_id AND user_id = OLD.user_id;
END;

-- inserting: a key from a sequence, keys of several columns, no key, one unique column
CREATE TABLE auto_incrementing_pk (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  nullable_string VARCHAR,
  non_nullable_string VARCHAR NOT NULL,
  inserted_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE compound_pk (k1 INTEGER NOT NULL, k2 TEXT NOT NULL, extra INTEGER, PRIMARY KEY (k1, k2));
CREATE VIEW compound_pk_view AS SELECT * FROM compound_pk;
CREATE TRIGGER compound_pk_view_insert INSTEAD OF INSERT ON compound_pk_view BEGIN
  INSERT INTO compound_pk (k1, k2, extra) VALUES (NEW.k1, NEW.k2, NEW.extra);
END;
CREATE TRIGGER compound_pk_view_update INSTEAD OF UPDATE ON compound_pk_view BEGIN
  UPDATE compound_pk SET k1 = NEW.k1, k2 = NEW.k2, extra = NEW.extra
   WHERE k1 = OLD.k1 AND k2 = OLD.k2;
END;
CREATE TRIGGER compound_pk_view_delete INSTEAD OF DELETE ON compound_pk_view BEGIN
  DELETE FROM compound_pk WHERE k1 = OLD.k1 AND k2 = OLD.k2;
END;
CREATE TABLE empty_table (k VARCHAR NOT NULL, extra VARCHAR NOT NULL);
CREATE TABLE insertonly (v TEXT NOT NULL);
CREATE TABLE simple_pk2 (k VARCHAR NOT NULL, extra VARCHAR NOT NULL, PRIMARY KEY (k));
CREATE TABLE "withUnique" (uni TEXT UNIQUE, extra TEXT);
CREATE TABLE tbl_w_json (id INTEGER, data JSON);
CREATE TABLE channels (id INTEGER PRIMARY KEY, data JSON DEFAULT '{"foo": "bar"}', slug TEXT);
-- bit(5) and char(5): their text
CREATE TABLE bitchar_with_length (bit TEXT, char TEXT, bit_arr JSON, char_arr JSON);
-- a view whose key may be NULL (a rule on PostgreSQL)
CREATE TABLE sponsors (id INTEGER PRIMARY KEY, name VARCHAR(20) NOT NULL);
CREATE TABLE competitors (
  id INTEGER PRIMARY KEY,
  sponsor_id INTEGER REFERENCES sponsors (id),
  full_name VARCHAR(40) NOT NULL
);
CREATE VIEW test_null_pk_competitors_sponsors AS
  SELECT c.id, s.id AS sponsor_id FROM competitors c LEFT JOIN sponsors s ON c.sponsor_id = s.id;
CREATE TRIGGER test_null_pk_competitors_sponsors INSTEAD OF INSERT ON test_null_pk_competitors_sponsors
BEGIN
  INSERT INTO competitors (id, full_name, sponsor_id)
  VALUES (NEW.id, 'Competitor without sponsor', NEW.sponsor_id);
END;
-- a view over two tables' keys, written by an INSTEAD OF trigger
CREATE TABLE with_pk1 (pk1 INTEGER PRIMARY KEY);
CREATE TABLE with_pk2 (pk2 INTEGER PRIMARY KEY);
CREATE VIEW with_multiple_pks AS SELECT * FROM with_pk1, with_pk2;
CREATE TRIGGER ins INSTEAD OF INSERT ON with_multiple_pks BEGIN
  INSERT OR IGNORE INTO with_pk1 VALUES (NEW.pk1);
  INSERT OR IGNORE INTO with_pk2 VALUES (NEW.pk2);
END;

-- updating: a table with a key to itself, privileges PostgREST limits by column
CREATE TABLE web_content (
  id INTEGER,
  name TEXT,
  p_web_id INTEGER REFERENCES web_content (id),
  PRIMARY KEY (id)
);
CREATE TABLE app_users (id INTEGER PRIMARY KEY, email TEXT UNIQUE NOT NULL, password TEXT NOT NULL);
CREATE TABLE unsafe_update_items (id INTEGER PRIMARY KEY, name TEXT, observation TEXT);
CREATE TABLE unsafe_delete_items (id INTEGER PRIMARY KEY, name TEXT, observation TEXT);
CREATE TABLE artists (id INTEGER PRIMARY KEY, name TEXT);
CREATE TABLE albums (
  id INTEGER PRIMARY KEY,
  title TEXT,
  artist_id INTEGER,
  CONSTRAINT fk_artist FOREIGN KEY (artist_id) REFERENCES artists (id)
    ON UPDATE CASCADE ON DELETE CASCADE
);

-- upserting: keys of one and several columns, unique keys, surrogate keys
CREATE TABLE employees (
  first_name TEXT,
  last_name TEXT,
  salary NUMERIC,
  company TEXT,
  occupation TEXT,
  PRIMARY KEY (first_name, last_name)
);
CREATE TABLE tiobe_pls (name TEXT PRIMARY KEY, rank SMALLINT);
CREATE TABLE single_unique (unique_key INTEGER UNIQUE NOT NULL, value TEXT);
CREATE TABLE compound_unique (key1 INTEGER NOT NULL, key2 INTEGER NOT NULL, value TEXT, UNIQUE (key1, key2));
CREATE TABLE only_pk (id INTEGER PRIMARY KEY);
CREATE TABLE "UnitTest" ("idUnitTest" INTEGER PRIMARY KEY, "nameUnitTest" TEXT);
CREATE TABLE surr_serial_upsert (id INTEGER PRIMARY KEY, name TEXT, extra TEXT);
CREATE TABLE surr_gen_default_upsert (id INTEGER PRIMARY KEY, name TEXT, extra TEXT);

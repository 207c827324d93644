/* Migrations: diff, plan and safe execution; nothing lost, nothing dangling. */
#define _GNU_SOURCE /* asprintf */
#include "helpers.h"

#include <signal.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *SEED_002_DB =
    "CREATE TABLE users (id INTEGER PRIMARY KEY, email VARCHAR(254) UNIQUE, confirmed BOOLEAN "
    "DEFAULT 0);"
    "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT, author_id INTEGER, "
    "FOREIGN KEY (author_id) REFERENCES users (id));"
    "CREATE INDEX ix_notes_author ON notes (author_id);"
    "INSERT INTO users VALUES (1, 'a@example.org', 1), (2, 'b@example.org', 0);"
    "INSERT INTO notes VALUES (1, 'one', 1), (2, 'two', 1), (3, 'three', 2);";

static const char *SEED_002_TARGET =
    "CREATE TABLE users (id INTEGER PRIMARY KEY, email VARCHAR(254) UNIQUE, confirmed BOOLEAN "
    "DEFAULT 0);"
    "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT, author_id INTEGER, "
    "FOREIGN KEY (author_id) REFERENCES users (id) ON DELETE CASCADE);"
    "CREATE INDEX ix_notes_author ON notes (author_id);";

/* The same on PostgreSQL, whose boolean takes no 0 or 1. */
static const char *SEED_002_DB_PG =
    "CREATE TABLE users (id INTEGER PRIMARY KEY, email VARCHAR(254) UNIQUE, confirmed BOOLEAN "
    "DEFAULT false);"
    "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT, author_id INTEGER, "
    "FOREIGN KEY (author_id) REFERENCES users (id));"
    "CREATE INDEX ix_notes_author ON notes (author_id);"
    "INSERT INTO users VALUES (1, 'a@example.org', true), (2, 'b@example.org', false);"
    "INSERT INTO notes VALUES (1, 'one', 1), (2, 'two', 1), (3, 'three', 2);";

static const char *SEED_002_TARGET_PG =
    "CREATE TABLE users (id INTEGER PRIMARY KEY, email VARCHAR(254) UNIQUE, confirmed BOOLEAN "
    "DEFAULT false);"
    "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT, author_id INTEGER, "
    "FOREIGN KEY (author_id) REFERENCES users (id) ON DELETE CASCADE);"
    "CREATE INDEX ix_notes_author ON notes (author_id);";

#define ENGINE(sqlite, pg) (on_pg() ? (pg) : (sqlite))
#define SEED_DB            ENGINE(SEED_002_DB, SEED_002_DB_PG)
#define SEED_TARGET        ENGINE(SEED_002_TARGET, SEED_002_TARGET_PG)

/* notes row 2 has an owner (42) that users lacks, and a key over it: on SQLite written with
 * keys off, on PostgreSQL a key added NOT VALID over the row. */
#define ORPHAN_DB                                                                                  \
    ENGINE("CREATE TABLE users (id INTEGER PRIMARY KEY);"                                          \
           "CREATE TABLE notes (id INTEGER PRIMARY KEY, owner INTEGER REFERENCES users (id));"     \
           "INSERT INTO users VALUES (1);"                                                         \
           "INSERT INTO notes VALUES (1, 1), (2, 42);",                                            \
           "CREATE TABLE users (id INTEGER PRIMARY KEY);"                                          \
           "CREATE TABLE notes (id INTEGER PRIMARY KEY, owner INTEGER);"                           \
           "INSERT INTO users VALUES (1);"                                                         \
           "INSERT INTO notes VALUES (1, 1), (2, 42);"                                             \
           "ALTER TABLE notes ADD FOREIGN KEY (owner) REFERENCES users (id) NOT VALID;")

/* A database holding sql: a SQLite file loaded with keys off (db_with), or on PostgreSQL a
 * fresh schema of the connection's own (test profile) where sql runs through rl_exec. */
static rl_db *fixture(const char *name, const char *sql)
{
    if (!on_pg()) return db_with(name, sql);
    rl_db *db;
    rl_options o = {.profile = RL_PROFILE_TEST};
    assert_int_equal(rl_open(&db, test_pg_url, &o), RL_OK);
    if (rl_exec(db, sql, NULL, 0, NULL) != RL_OK) fail_msg("fixture: %s", rl_errmsg(db));
    return db;
}

/* Whether the database has a table of that name. */
static bool has_table(rl_db *db, const char *name)
{
    int64_t n = -1;
    rl_value v = rl_text(name);
    assert_int_equal(rl_query_int(db,
                                  ENGINE("SELECT count(*) FROM sqlite_schema WHERE name = ?",
                                         "SELECT count(*) FROM pg_tables WHERE tablename = ? AND "
                                         "schemaname = current_schema()"),
                                  &v, 1, &n),
                     RL_OK);
    return n > 0;
}

static void test_seed_002_cascade_added(void **state)
{
    (void)state;
    rl_db *db = fixture("seed002.db", SEED_DB);
    /* Before: deleting a user with notes is refused. */
    assert_int_equal(rl_exec(db, "DELETE FROM users WHERE id = 1", NULL, 0, NULL), RL_EFOREIGNKEY);

    rl_plan *plan;
    assert_int_equal(rl_plan_new(db, SEED_TARGET, &plan), RL_OK);
    assert_false(rl_plan_is_empty(plan));
    assert_contains(rl_plan_summary(plan),
                    "~ table notes: foreign key (author_id) -> users(id): ON DELETE NO ACTION -> "
                    "CASCADE");
    assert_string_equal(rl_plan_data_loss(plan), "");
    int64_t notes_oid = on_pg() ? scalar(db, "SELECT 'notes'::regclass::oid::bigint") : 0;
    if (on_pg()) { /* the key is replaced in place, the table is never rebuilt */
        assert_contains(rl_plan_sql(plan),
                        "BEGIN;\nALTER TABLE \"notes\" DROP CONSTRAINT \"notes_author_id_fkey\";\n"
                        "ALTER TABLE \"notes\" ADD CONSTRAINT \"notes_author_id_fkey\" FOREIGN KEY "
                        "(author_id) REFERENCES users(id) ON DELETE CASCADE NOT VALID;\n"
                        "ALTER TABLE \"notes\" VALIDATE CONSTRAINT \"notes_author_id_fkey\";");
        assert_null(strstr(rl_plan_sql(plan), "CREATE TABLE"));
    } else {
        assert_contains(rl_plan_sql(plan), "PRAGMA foreign_keys = OFF;\nPRAGMA quick_check;");
        assert_contains(rl_plan_sql(plan), "\nBEGIN IMMEDIATE;\n");
    }
    assert_int_equal(rl_plan_apply(db, plan, NULL), RL_OK);
    rl_plan_free(plan);

    if (on_pg())
        assert_int_equal(scalar(db, "SELECT 'notes'::regclass::oid::bigint"), notes_oid);
    else
        assert_int_equal(scalar(db, "PRAGMA foreign_keys"), 1);
    assert_int_equal(scalar(db, "SELECT count(*) FROM notes"), 3);
    assert_int_equal(scalar(db, "SELECT count(*) FROM users"), 2);
    assert_int_equal(scalar(db, "SELECT count(*) FROM reflite_migrations"), 1);
    assert_int_equal(rl_exec(db, "DELETE FROM users WHERE id = 1", NULL, 0, NULL), RL_OK);
    assert_int_equal(scalar(db, "SELECT count(*) FROM notes"), 1);
    assert_int_equal(scalar(db, "SELECT count(*) FROM notes WHERE id = 3 AND body = 'three' AND "
                                "author_id = 2"),
                     1);
    /* Now it matches: a second plan is empty. */
    assert_int_equal(rl_plan_new(db, SEED_TARGET, &plan), RL_OK);
    assert_true(rl_plan_is_empty(plan));
    rl_plan_free(plan);
    rl_close(db);
}

static void test_rebuilt_parent_keeps_children(void **state)
{
    (void)state;
    rl_db *db = fixture("parent.db",
                        "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);"
                        "CREATE TABLE notes (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES "
                        "users (id) ON DELETE CASCADE);"
                        "CREATE TABLE tags (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES "
                        "users (id) ON DELETE SET NULL);"
                        "INSERT INTO users VALUES (1, 'a'), (2, 'b');"
                        "INSERT INTO notes VALUES (1, 1), (2, 2);"
                        "INSERT INTO tags VALUES (1, 1), (2, 2);");
    const char *target = "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL CHECK "
                         "(length(name) > 0));"
                         "CREATE TABLE notes (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES "
                         "users (id) ON DELETE CASCADE);"
                         "CREATE TABLE tags (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES "
                         "users (id) ON DELETE SET NULL);";
    rl_migrate_options o = {0};
    assert_int_equal(rl_migrate(db, target, &o), RL_OK);
    assert_int_equal(scalar(db, "SELECT count(*) FROM notes"), 2);
    assert_int_equal(scalar(db, "SELECT count(*) FROM tags WHERE user_id IS NOT NULL"), 2);
    assert_int_equal(rl_exec(db, "INSERT INTO users VALUES (3, '')", NULL, 0, NULL), RL_ECHECK);
    /* The children still point at users (not at a renamed old table), with their actions. */
    assert_int_equal(rl_exec(db, "DELETE FROM users WHERE id = 1", NULL, 0, NULL), RL_OK);
    assert_int_equal(scalar(db, "SELECT count(*) FROM notes"), 1);
    assert_int_equal(scalar(db, "SELECT count(*) FROM tags WHERE user_id IS NULL"), 1);
    assert_int_equal(rl_exec(db, "INSERT INTO notes VALUES (9, 42)", NULL, 0, NULL),
                     RL_EFOREIGNKEY);
    rl_close(db);
}

static void test_everything_survives_a_rebuild(void **state)
{
    (void)state;
    const char *base =
        "CREATE TABLE authors (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT COLLATE NOCASE "
        "NOT NULL, CONSTRAINT name_len CHECK (length(name) < 50)) STRICT;"
        "CREATE TABLE books (id INTEGER PRIMARY KEY, title TEXT NOT NULL, author_id INTEGER "
        "REFERENCES authors (id) ON DELETE CASCADE ON UPDATE SET NULL DEFERRABLE INITIALLY "
        "DEFERRED) STRICT;"
        "CREATE INDEX books_author ON books (author_id);"
        "CREATE UNIQUE INDEX authors_lower ON authors (lower(name)) WHERE name <> '';"
        "CREATE VIEW author_books AS SELECT a.name, b.title FROM authors a JOIN books b ON "
        "b.author_id = a.id;"
        "CREATE TABLE log (msg TEXT);"
        "CREATE TRIGGER books_log AFTER INSERT ON books BEGIN INSERT INTO log VALUES "
        "(new.title); END;";
    char *fixture = NULL;
    assert_true(asprintf(&fixture,
                         "%s INSERT INTO authors (name) VALUES ('Ann'), ('Bob'), "
                         "('Cy'); DELETE FROM authors WHERE name = 'Cy';"
                         "INSERT INTO books VALUES (1, 'x', 1), (2, 'y', 2);",
                         base) > 0);
    rl_db *db = db_with("survive.db", fixture);
    free(fixture);
    /* The target adds a column to authors with a constraint ADD COLUMN cannot take, so
     * authors is rebuilt. */
    char *target = NULL;
    assert_true(asprintf(&target, "%s", base) > 0);
    char *p = strstr(target, "NOT NULL, CONSTRAINT");
    assert_non_null(p);
    char *t2 = NULL;
    assert_true(asprintf(&t2, "%.*sNOT NULL, born INTEGER UNIQUE, %s", (int)(p - target), target,
                         p + strlen("NOT NULL, ")) > 0);
    free(target);
    rl_plan *plan;
    assert_int_equal(rl_plan_new(db, t2, &plan), RL_OK);
    assert_contains(rl_plan_summary(plan), "~ table authors: column born added");
    assert_contains(rl_plan_summary(plan), "(rebuild)");
    assert_int_equal(rl_plan_apply(db, plan, NULL), RL_OK);
    rl_plan_free(plan);
    char *after = dump(db);
    assert_contains(after, "COLLATE NOCASE");
    assert_contains(after, "CONSTRAINT name_len CHECK (length(name) < 50)) STRICT");
    assert_contains(after, "ON DELETE CASCADE ON UPDATE SET NULL DEFERRABLE INITIALLY DEFERRED");
    assert_contains(after, "CREATE UNIQUE INDEX authors_lower ON authors (lower(name)) WHERE");
    assert_contains(after, "CREATE VIEW author_books");
    assert_contains(after, "CREATE TRIGGER books_log");
    assert_contains(after, "AUTOINCREMENT");
    free(after);
    /* Behaviour, not only text. */
    assert_int_equal(scalar(db, "SELECT count(*) FROM authors WHERE name = 'ANN'"), 1);
    assert_int_equal(scalar(db, "SELECT count(*) FROM author_books"), 2);
    assert_int_equal(rl_exec(db, "INSERT INTO books VALUES (3, 'z', 1)", NULL, 0, NULL), RL_OK);
    assert_int_equal(scalar(db, "SELECT count(*) FROM log"), 3) /* 2 from the fixture */;
    /* AUTOINCREMENT counter restored: 3 was used and deleted, so the next is 4. */
    assert_int_equal(rl_exec(db, "INSERT INTO authors (name) VALUES ('Dee')", NULL, 0, NULL),
                     RL_OK);
    assert_int_equal(scalar(db, "SELECT max(id) FROM authors"), 4);
    /* STRICT still refuses a wrong type; the deferred key still defers. */
    assert_int_equal(rl_exec(db, "INSERT INTO books VALUES (9, 'w', 'abc')", NULL, 0, NULL),
                     RL_ETYPE);
    assert_int_equal(rl_begin(db), RL_OK);
    assert_int_equal(rl_exec(db, "INSERT INTO books VALUES (10, 'later', 77)", NULL, 0, NULL),
                     RL_OK);
    assert_int_equal(rl_commit(db), RL_EFOREIGNKEY);
    assert_int_equal(rl_rollback(db), RL_OK);
    assert_int_equal(rl_exec(db, "DELETE FROM authors WHERE id = 1", NULL, 0, NULL), RL_OK);
    assert_int_equal(scalar(db, "SELECT count(*) FROM books WHERE author_id = 1"), 0);
    free(t2);
    rl_close(db);
}

static void test_without_rowid_generated_and_parent_key_change(void **state)
{
    (void)state;
    rl_db *db = db_with("kinds.db",
                        "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);"
                        "CREATE TABLE notes (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES "
                        "users (id) ON DELETE CASCADE);"
                        "CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT, n INTEGER GENERATED ALWAYS "
                        "AS (length(v)) VIRTUAL) WITHOUT ROWID;"
                        "INSERT INTO users VALUES (10, 'a'), (20, 'b');"
                        "INSERT INTO notes VALUES (1, 10), (2, 20);"
                        "INSERT INTO kv (k, v) VALUES ('x', 'hello');");
    /* The parent's key column is renamed; the children follow in the same migration. */
    const char *target = "CREATE TABLE users (uid INTEGER PRIMARY KEY, name TEXT);"
                         "CREATE TABLE notes (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES "
                         "users (uid) ON DELETE CASCADE);"
                         "CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT NOT NULL, n INTEGER "
                         "GENERATED ALWAYS AS (length(v)) VIRTUAL) WITHOUT ROWID;";
    rl_migrate_options o = {.allow_data_loss = true}; /* users.id goes, its values go to uid */
    rl_plan *plan;
    assert_int_equal(rl_plan_new(db, target, &plan), RL_OK);
    assert_contains(rl_plan_summary(plan), "~ table notes: foreign key (user_id) -> users(uid)");
    assert_contains(rl_plan_summary(plan), "~ table kv: column v: NOT NULL added");
    rl_plan_free(plan);
    /* A diff cannot know that id was renamed to uid: id's values are dropped and SQLite
     * gives the rows new keys (1, 2), which would leave every note dangling.  The
     * foreign_key_check before commit refuses it and names the rows. */
    assert_int_equal(rl_migrate(db, target, &o), RL_EMIGRATE);
    assert_contains(rl_errmsg(db), "notes rowid 1: user_id = 10 has no matching row in users(uid)");
    assert_contains(rl_errmsg(db), "rolled back");
    assert_int_equal(scalar(db, "SELECT count(*) FROM pragma_table_info('users') WHERE name = "
                                "'id'"),
                     1);
    /* Without the rename, the WITHOUT ROWID table with a generated column is rebuilt. */
    const char *kv_only = "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);"
                          "CREATE TABLE notes (id INTEGER PRIMARY KEY, user_id INTEGER "
                          "REFERENCES users (id) ON DELETE CASCADE);"
                          "CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT NOT NULL, n INTEGER "
                          "GENERATED ALWAYS AS (length(v)) VIRTUAL) WITHOUT ROWID;";
    assert_int_equal(rl_migrate(db, kv_only, NULL), RL_OK);
    assert_int_equal(scalar(db, "SELECT n FROM kv WHERE k = 'x'"), 5);
    char *after = dump(db);
    assert_contains(after, "GENERATED ALWAYS AS (length(v)) VIRTUAL) WITHOUT ROWID");
    free(after);
    rl_close(db);
}

static void test_dry_run_changes_nothing(void **state)
{
    (void)state;
    rl_db *db = fixture("dry.db", SEED_DB);
    char *before = dump(db);
    rl_migrate_options o = {.dry_run = true};
    assert_int_equal(rl_migrate(db, SEED_TARGET, &o), RL_OK);
    char *after = dump(db);
    assert_string_equal(before, after);
    assert_false(has_table(db, "reflite_migrations"));
    free(before);
    free(after);
    rl_close(db);
}

static void test_new_violation_rolls_back(void **state)
{
    (void)state;
    rl_db *db = fixture("violate.db", "CREATE TABLE users (id INTEGER PRIMARY KEY);"
                                      "CREATE TABLE notes (id INTEGER PRIMARY KEY, owner INTEGER);"
                                      "INSERT INTO users VALUES (1);"
                                      "INSERT INTO notes VALUES (1, 1), (2, 42);");
    char *before = dump(db);
    const char *target = "CREATE TABLE users (id INTEGER PRIMARY KEY);"
                         "CREATE TABLE notes (id INTEGER PRIMARY KEY, owner INTEGER REFERENCES "
                         "users (id));";
    assert_int_equal(rl_migrate(db, target, NULL), RL_EMIGRATE);
    assert_contains(rl_errmsg(db), ENGINE("notes rowid 2", "notes row id = 2"));
    assert_contains(rl_errmsg(db), ": owner = 42 has no matching row in users(id)");
    assert_contains(rl_errmsg(db), "rolled back");
    char *after = dump(db);
    assert_string_equal(before, after);
    assert_int_equal(scalar(db, "SELECT count(*) FROM notes"), 2);
    if (!on_pg()) assert_int_equal(scalar(db, "PRAGMA foreign_keys"), 1);
    free(before);
    free(after);
    rl_close(db);
}

static void test_preexisting_violations_do_not_block(void **state)
{
    (void)state;
    rl_db *db = fixture("old-orphans.db", ORPHAN_DB);
    const char *target = "CREATE TABLE users (id INTEGER PRIMARY KEY);"
                         "CREATE TABLE notes (id INTEGER PRIMARY KEY, owner INTEGER REFERENCES "
                         "users (id) ON DELETE CASCADE);";
    assert_int_equal(rl_migrate(db, target, NULL), RL_OK);
    assert_int_equal(scalar(db, "SELECT count(*) FROM notes"), 2);
    int64_t findings = -1;
    rl_check_options no_lint = {.no_lint = true};
    assert_int_equal(rl_check_ex(db, &no_lint, NULL, NULL, &findings), RL_OK);
    assert_int_equal(findings, ENGINE(1, 2)); /* PostgreSQL: the orphan, and the NOT VALID key */
    /* the new action holds: deleting the parent takes its child with it */
    assert_int_equal(rl_exec(db, "DELETE FROM users WHERE id = 1", NULL, 0, NULL), RL_OK);
    assert_int_equal(scalar(db, "SELECT count(*) FROM notes"), 1);
    rl_close(db);
}

static void test_data_loss_refused_unless_allowed(void **state)
{
    (void)state;
    rl_db *db =
        fixture("loss.db", "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, nick TEXT);"
                           "CREATE TABLE old (x INTEGER);"
                           "INSERT INTO users VALUES (1, 'a', 'aa'), (2, NULL, NULL);"
                           "INSERT INTO old VALUES (1);");
    const char *target = "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);";
    rl_plan *plan;
    assert_int_equal(rl_plan_new(db, target, &plan), RL_OK);
    assert_contains(rl_plan_data_loss(plan), "column users.nick would be dropped with its 1 "
                                             "non-NULL value");
    assert_contains(rl_plan_data_loss(plan), "column users.name holds 1 NULL but becomes NOT NULL");
    assert_contains(rl_plan_data_loss(plan), "table old would be dropped with its 1 row");
    assert_int_equal(rl_plan_apply(db, plan, NULL), RL_EDATALOSS);
    assert_contains(rl_errmsg(db), "would lose data");
    assert_int_equal(scalar(db, "SELECT count(*) FROM old"), 1);
    /* Allowed: the NOT NULL column still cannot take the NULL, and no flag changes that. */
    rl_migrate_options o = {.allow_data_loss = true};
    assert_int_equal(rl_plan_apply(db, plan, &o), RL_EDATALOSS);
    assert_contains(rl_errmsg(db), "no flag can make this migration keep the data");
    assert_contains(rl_errmsg(db), "column users.name holds 1 NULL but becomes NOT NULL");
    assert_int_equal(scalar(db, "SELECT count(*) FROM old"), 1);
    rl_plan_free(plan);
    assert_int_equal(rl_exec(db, "UPDATE users SET name = 'b' WHERE id = 2", NULL, 0, NULL), RL_OK);
    assert_int_equal(rl_migrate(db, target, &o), RL_OK);
    assert_int_equal(scalar(db, "SELECT count(*) FROM users"), 2);
    assert_false(has_table(db, "old"));
    rl_close(db);
}

static void test_native_alter_where_possible(void **state)
{
    (void)state;
    rl_db *db = fixture("native.db", "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);"
                                     "INSERT INTO users VALUES (1, 'a');");
    const char *target = "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, age INTEGER "
                         "DEFAULT 0);"
                         "CREATE INDEX users_name ON users (name);";
    rl_plan *plan;
    assert_int_equal(rl_plan_new(db, target, &plan), RL_OK);
    assert_contains(rl_plan_sql(plan),
                    ENGINE("ALTER TABLE \"users\" ADD COLUMN age INTEGER DEFAULT 0",
                           "ALTER TABLE \"users\" ADD COLUMN \"age\" integer "
                           "DEFAULT 0"));
    assert_null(strstr(rl_plan_sql(plan), "rl_new_users"));
    assert_contains(rl_plan_summary(plan), "(ALTER TABLE)");
    assert_contains(rl_plan_summary(plan), "+ index users_name");
    assert_int_equal(rl_plan_apply(db, plan, NULL), RL_OK);
    rl_plan_free(plan);
    assert_int_equal(scalar(db, "SELECT age FROM users WHERE id = 1"), 0);
    assert_int_equal(rl_plan_new(db, target, &plan), RL_OK);
    assert_true(rl_plan_is_empty(plan));
    rl_plan_free(plan);
    /* Dropping an empty column natively. */
    const char *smaller = "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);"
                          "CREATE INDEX users_name ON users (name);";
    assert_int_equal(rl_exec(db, "UPDATE users SET age = NULL", NULL, 0, NULL), RL_OK);
    assert_int_equal(rl_plan_new(db, smaller, &plan), RL_OK);
    assert_contains(rl_plan_sql(plan), "ALTER TABLE \"users\" DROP COLUMN \"age\"");
    assert_int_equal(rl_plan_apply(db, plan, NULL), RL_OK);
    rl_plan_free(plan);
    rl_close(db);
}

static void test_refused_inside_transaction(void **state)
{
    (void)state;
    rl_db *db = fixture("txn.db", SEED_DB);
    assert_int_equal(rl_begin(db), RL_OK);
    assert_int_equal(rl_migrate(db, SEED_TARGET, NULL), RL_EMISUSE);
    assert_contains(rl_errmsg(db), "inside a transaction");
    assert_int_equal(rl_rollback(db), RL_OK);
    rl_close(db);
}

static void test_bad_target_schema(void **state)
{
    (void)state;
    rl_db *db = fixture("bad.db", SEED_DB);
    rl_plan *plan;
    assert_int_equal(rl_plan_new(db, "CREATE TABLE (", &plan), RL_EINVAL);
    assert_null(plan);
    if (on_pg()) { /* PostgreSQL names the statement */
        assert_contains(rl_errmsg(db), "target schema: 'CREATE TABLE (' is not valid SQL");
    } else { /* SQLite names its line */
        assert_contains(rl_errmsg(db), "line 1 of the target schema: near \"(\": syntax error");
        assert_int_equal(rl_plan_new(db, "CREATE TABLE a (x);\n\n-- two\nCREATE TABLE b (", &plan),
                         RL_EINVAL);
        assert_contains(rl_errmsg(db), "line 4 of the target schema");
    }
    rl_close(db);
}

/* A new table whose key points at a table that exists: created, and its key holds. */
static void test_new_child_table(void **state)
{
    (void)state;
    rl_db *db = fixture("newchild.db", SEED_DB);
    char *target = NULL;
    assert_true(asprintf(&target,
                         "%sCREATE TABLE tags (id INTEGER PRIMARY KEY, note_id INTEGER NOT NULL "
                         "REFERENCES notes (id) ON DELETE CASCADE, label TEXT CHECK (label <> "
                         "''));",
                         SEED_TARGET) > 0);
    assert_int_equal(rl_migrate(db, target, NULL), RL_OK);
    assert_int_equal(rl_exec(db, "INSERT INTO tags VALUES (1, 3, 'x')", NULL, 0, NULL), RL_OK);
    assert_int_equal(rl_exec(db, "INSERT INTO tags VALUES (2, 99, 'y')", NULL, 0, NULL),
                     RL_EFOREIGNKEY);
    assert_int_equal(rl_exec(db, "INSERT INTO tags VALUES (3, 3, '')", NULL, 0, NULL), RL_ECHECK);
    assert_int_equal(rl_exec(db, "DELETE FROM notes WHERE id = 3", NULL, 0, NULL), RL_OK);
    assert_int_equal(scalar(db, "SELECT count(*) FROM tags"), 0);
    rl_plan *plan;
    assert_int_equal(rl_plan_new(db, target, &plan), RL_OK);
    assert_true(rl_plan_is_empty(plan));
    rl_plan_free(plan);
    free(target);
    rl_close(db);
}

/* Schema text that is not a schema: refused before anything runs, the database untouched. */
static void test_hostile_target_refused(void **state)
{
    (void)state;
    rl_db *db = fixture("hostile.db", SEED_DB);
    char qualified[200] = "ALTER TABLE main.notes ADD COLUMN z INTEGER", setup[300];
    if (on_pg()) { /* a real table in a schema of known name */
        snprintf(qualified, sizeof qualified, "ALTER TABLE rl_victim_%d.t ADD COLUMN z INTEGER",
                 (int)getpid());
        snprintf(setup, sizeof setup,
                 "CREATE SCHEMA rl_victim_%d; CREATE TABLE rl_victim_%d.t (a INTEGER)",
                 (int)getpid(), (int)getpid());
        assert_int_equal(rl_exec(db, setup, NULL, 0, NULL), RL_OK);
    }
    char *before = dump(db);
    const char *texts[] = {
        "DROP TABLE notes",
        "CREATE TABLE x (a INTEGER); DELETE FROM notes",
        "CREATE TABLE x (a INTEGER); COMMIT; DROP TABLE notes",
        "CREATE TABLE x (a INTEGER); INSERT INTO users (id) VALUES (99)",
        ENGINE("DROP INDEX ix_notes_author", "CREATE TABLE x AS SELECT 1 AS a"),
        ENGINE("CREATE TABLE temp.x (a INTEGER)", "CREATE TABLE public.x (a INTEGER)"),
        qualified, /* the real table, by its schema's name */
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        rl_plan *plan = NULL;
        int rc = rl_plan_new(db, texts[i], &plan);
        if (rc == RL_OK) fail_msg("'%s' was accepted as a schema", texts[i]);
        assert_null(plan);
        assert_int_equal(rl_migrate(db, texts[i], NULL), rc);
    }
    if (on_pg()) { /* the sentence says what is allowed */
        assert_int_equal(rl_plan_new(db, texts[1], &(rl_plan *){NULL}), RL_EINVAL);
        assert_contains(rl_errmsg(db), "statement 2 ('DELETE FROM notes') refused: only CREATE "
                                       "TABLE, CREATE INDEX");
    }
    char *after = dump(db);
    assert_string_equal(before, after);
    assert_int_equal(scalar(db, "SELECT count(*) FROM users"), 2);
    assert_int_equal(scalar(db, "SELECT count(*) FROM notes"), 3);
    assert_int_equal(rl_txn_depth(db), 0);
    if (on_pg()) {
        snprintf(setup, sizeof setup, "DROP SCHEMA rl_victim_%d CASCADE", (int)getpid());
        assert_int_equal(rl_exec(db, setup, NULL, 0, NULL), RL_OK);
    }
    free(before);
    free(after);
    rl_close(db);
}

/* What `reflite schema` prints is a target the database already matches. */
static void test_schema_dump_round_trip(void **state)
{
    (void)state;
    rl_db *db = fixture(
        "roundtrip.db",
        "CREATE TABLE authors (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, born INTEGER "
        "CHECK (born > 0));"
        "CREATE TABLE books (id INTEGER PRIMARY KEY, title TEXT NOT NULL DEFAULT 'untitled', "
        "author_id INTEGER REFERENCES authors (id) ON DELETE CASCADE ON UPDATE SET NULL "
        "DEFERRABLE INITIALLY DEFERRED, series TEXT, no INTEGER, UNIQUE (series, no));"
        "CREATE TABLE loans (book_series TEXT, book_no INTEGER, reader TEXT, FOREIGN KEY "
        "(book_series, book_no) REFERENCES books (series, no) ON DELETE RESTRICT);"
        "CREATE INDEX books_author ON books (author_id);"
        "CREATE VIEW titles AS SELECT b.title, a.name FROM books b JOIN authors a ON a.id = "
        "b.author_id;");
    char *sql = dump(db);
    rl_plan *plan;
    assert_int_equal(rl_plan_new(db, sql, &plan), RL_OK);
    if (!rl_plan_is_empty(plan)) fail_msg("%s\n%s", sql, rl_plan_summary(plan));
    rl_plan_free(plan);
    free(sql);
    rl_close(db);
}

/* rl_check: a row whose key has no parent, with its key, value and parent; an unindexed key. */
static int keep_finding(const rl_finding *f, void *ctx)
{
    if (f->kind == RL_FINDING_FOREIGN_KEY) {
        assert_string_equal(f->fk->child_table, "notes");
        assert_string_equal(f->fk->child_column, "owner");
        assert_string_equal(f->fk->parent_table, "users");
        assert_string_equal(f->fk->parent_column, "id");
        assert_string_equal(f->fk->value, "42");
        assert_int_equal(f->rowid, 2);
    }
    char *text = ctx;
    size_t used = strlen(text);
    snprintf(text + used, 2048 - used, "%s\n", f->message);
    return 0;
}

static void test_check_names_orphans_and_unindexed_keys(void **state)
{
    (void)state;
    rl_db *db = fixture("check.db", ORPHAN_DB);
    char text[2048] = "";
    int64_t n = -1;
    assert_int_equal(rl_check(db, keep_finding, text, &n), RL_OK);
    assert_contains(text, ": owner = 42 has no matching row in users(id)");
    assert_contains(text, "lint: notes(owner) references users but has no index");
    if (on_pg())
        assert_contains(text, "was added NOT VALID: rows older than it were never checked");
    assert_int_equal(n, ENGINE(2, 3));
    /* fixed: the parent row appears, an index is made: nothing to report but the old key */
    assert_int_equal(rl_exec(db,
                             "INSERT INTO users VALUES (42); CREATE INDEX notes_owner ON notes "
                             "(owner)",
                             NULL, 0, NULL),
                     RL_OK);
    assert_int_equal(rl_check(db, NULL, NULL, &n), RL_OK);
    assert_int_equal(n, ENGINE(0, 1));
    rl_close(db);
}

/* A type change that would alter stored values counts them as lost data. */
static void test_type_change_counts_altered_values(void **state)
{
    (void)state;
    rl_db *db = fixture("types.db", "CREATE TABLE codes (id INTEGER PRIMARY KEY, code TEXT);"
                                    "INSERT INTO codes VALUES (1, '01234'), (2, '77'), (3, NULL);");
    const char *target = "CREATE TABLE codes (id INTEGER PRIMARY KEY, code INTEGER);";
    rl_plan *plan;
    assert_int_equal(rl_plan_new(db, target, &plan), RL_OK);
    /* '01234' does not come back from 1234; '77' comes back from 77: not a loss */
    assert_contains(rl_plan_data_loss(plan),
                    ENGINE("column codes.code: 1 value that is stored would change when stored as "
                           "INTEGER",
                           "column codes.code: 1 value that is stored would change when stored as "
                           "integer"));
    assert_int_equal(rl_plan_apply(db, plan, NULL), RL_EDATALOSS);
    rl_plan_free(plan);
    rl_migrate_options o = {.allow_data_loss = true};
    assert_int_equal(rl_migrate(db, target, &o), RL_OK);
    assert_int_equal(scalar(db, "SELECT code FROM codes WHERE id = 1"), 1234);
    assert_int_equal(scalar(db, "SELECT count(*) FROM codes WHERE code IS NULL"), 1);
    /* a value the new type cannot hold blocks the change, whatever the flags */
    assert_int_equal(rl_exec(db, "INSERT INTO codes VALUES (4, 5)", NULL, 0, NULL), RL_OK);
    if (on_pg()) {
        assert_int_equal(
            rl_migrate(db, "CREATE TABLE codes (id INTEGER PRIMARY KEY, code DATE);", &o),
            RL_EDATALOSS);
        assert_contains(rl_errmsg(db), "column codes.code: a value cannot be stored as date");
    }
    rl_close(db);
}

/* A value is lost when casting the new value back to the old type does not give it back:
 * 100 -> '100' is not lost, 2^53 + 1 -> a double is; a date -> a timestamp is not. */
static void test_type_change_lost_only_when_not_recovered(void **state)
{
    (void)state;
    rl_db *db = fixture("back.db", "CREATE TABLE m (id INTEGER PRIMARY KEY, n BIGINT, big BIGINT, "
                                   "d DATE);"
                                   "INSERT INTO m VALUES (1, 100, 9007199254740993, '2024-02-29'), "
                                   "(2, -7, 5, NULL);");
    rl_plan *plan;
    assert_int_equal(rl_plan_new(db,
                                 "CREATE TABLE m (id INTEGER PRIMARY KEY, n TEXT, big BIGINT, "
                                 "d TIMESTAMP);",
                                 &plan),
                     RL_OK);
    assert_string_equal(rl_plan_data_loss(plan), "");
    assert_int_equal(rl_plan_apply(db, plan, NULL), RL_OK);
    rl_plan_free(plan);
    assert_int_equal(scalar(db, ENGINE("SELECT count(*) FROM m WHERE n = '100'",
                                       "SELECT count(*) FROM m WHERE n = '100'")),
                     1);
    /* 2^53 + 1 as a double is 2^53: lost; 5 comes back */
    assert_int_equal(rl_plan_new(db,
                                 ENGINE("CREATE TABLE m (id INTEGER PRIMARY KEY, n TEXT, big REAL, "
                                        "d TIMESTAMP);",
                                        "CREATE TABLE m (id INTEGER PRIMARY KEY, n TEXT, big "
                                        "DOUBLE PRECISION, d TIMESTAMP);"),
                                 &plan),
                     RL_OK);
    assert_contains(rl_plan_data_loss(plan), "column m.big: 1 value that is stored would change");
    assert_int_equal(rl_plan_apply(db, plan, NULL), RL_EDATALOSS);
    rl_plan_free(plan);
    /* text back to a number: '-7' comes back, '100' too; a leading zero would not */
    assert_int_equal(rl_exec(db, "UPDATE m SET n = '0100' WHERE id = 2", NULL, 0, NULL), RL_OK);
    assert_int_equal(rl_plan_new(db,
                                 "CREATE TABLE m (id INTEGER PRIMARY KEY, n BIGINT, big BIGINT, "
                                 "d TIMESTAMP);",
                                 &plan),
                     RL_OK);
    assert_contains(rl_plan_data_loss(plan), "column m.n: 1 value that is stored would change");
    rl_plan_free(plan);
    rl_close(db);
}

/* SQLite's own deterministic functions in schema expressions (JSON functions are not
 * "innocuous"): expression and partial indexes, generated columns and CHECKs over them
 * migrate, every row kept. */
static void test_json_functions_in_schema(void **state)
{
    (void)state;
    const char *events = "CREATE TABLE kinds (id INTEGER PRIMARY KEY);"
                         "CREATE TABLE events (id INTEGER PRIMARY KEY, payload TEXT CHECK "
                         "(json_valid(payload)), kind TEXT GENERATED ALWAYS AS (payload ->> "
                         "'$.kind') VIRTUAL, kind_id INTEGER REFERENCES kinds (id));"
                         "CREATE INDEX events_kind ON events (json_extract(payload, '$.kind'));"
                         "CREATE INDEX events_big ON events (id) WHERE json_type(payload, "
                         "'$.size') = 'integer';";
    char *sql = NULL;
    assert_true(asprintf(&sql,
                         "%sINSERT INTO kinds VALUES (1);"
                         "INSERT INTO events (id, payload, kind_id) VALUES (1, "
                         "'{\"kind\":\"a\",\"size\":3}', 1), (2, '{\"kind\":\"b\"}', 1);",
                         events) > 0);
    rl_db *db = fixture("json.db", sql);
    free(sql);
    /* the key gains ON DELETE CASCADE: the table is rebuilt, its indexes made again */
    assert_true(asprintf(&sql, "%s", events) > 0);
    char *target = NULL;
    const char *from = "REFERENCES kinds (id))";
    char *at = strstr(sql, from);
    assert_non_null(at);
    assert_true(asprintf(&target, "%.*sREFERENCES kinds (id) ON DELETE CASCADE, note TEXT)%s",
                         (int)(at - sql), sql, at + strlen(from)) > 0);
    free(sql);
    if (rl_migrate(db, target, NULL) != RL_OK) fail_msg("%s", rl_errmsg(db));
    assert_int_equal(scalar(db, "SELECT count(*) FROM events WHERE kind = 'a'"), 1);
    assert_int_equal(scalar(db, "SELECT count(*) FROM events"), 2);
    assert_int_equal(scalar(db, "SELECT count(*) FROM sqlite_schema WHERE name IN "
                                "('events_kind', 'events_big')"),
                     2);
    rl_plan *plan;
    assert_int_equal(rl_plan_new(db, target, &plan), RL_OK);
    assert_true(rl_plan_is_empty(plan));
    rl_plan_free(plan);
    free(target);
    assert_int_equal(rl_exec(db, "DELETE FROM kinds WHERE id = 1", NULL, 0, NULL), RL_OK);
    assert_int_equal(scalar(db, "SELECT count(*) FROM events"), 0);
    rl_close(db);
}

/* Renames: a table that others reference, the primary-key column its children reference,
 * and an ordinary column, in place: every row and value kept, the key follows with its
 * action, the index and the view too; history records the renames. */
static void test_renames_keep_rows_and_keys(void **state)
{
    (void)state;
    rl_db *db = fixture("rename.db",
                        "CREATE TABLE authors (id INTEGER PRIMARY KEY, name TEXT);"
                        "CREATE TABLE books (id INTEGER PRIMARY KEY, title TEXT, author_id "
                        "INTEGER REFERENCES authors (id) ON DELETE CASCADE);"
                        "CREATE INDEX books_author ON books (author_id);"
                        "CREATE VIEW titles AS SELECT title FROM books;"
                        "INSERT INTO authors VALUES (1, 'Ann'), (2, 'Bo');"
                        "INSERT INTO books VALUES (1, 'One', 1), (2, 'Two', 1), (3, 'Three', 2);");
    const char *target = "CREATE TABLE writers (writer_no INTEGER PRIMARY KEY, name TEXT);"
                         "CREATE TABLE books (id INTEGER PRIMARY KEY, heading TEXT, author_id "
                         "INTEGER REFERENCES writers (writer_no) ON DELETE CASCADE);"
                         "CREATE INDEX books_author ON books (author_id);"
                         "CREATE VIEW titles AS SELECT heading FROM books;";
    /* without renames: refused as data loss, and the refusal names the rename */
    assert_int_equal(rl_migrate(db, target, NULL), RL_EDATALOSS);
    assert_contains(rl_errmsg(db), "--rename books.title=heading");
    const rl_rename r[] = {
        {"books", "title", "heading"},
        {"authors", "id", "writer_no"},
        {"authors", NULL, "writers"},
    };
    rl_migrate_options o = {.renames = r, .nrenames = 3};
    rl_plan *plan;
    assert_int_equal(rl_plan_new_ex(db, target, &o, &plan), RL_OK);
    assert_string_equal(rl_plan_data_loss(plan), "");
    assert_contains(rl_plan_summary(plan), "table books: column title renamed to heading");
    assert_contains(rl_plan_summary(plan), "table authors renamed to writers");
    assert_contains(rl_plan_sql(plan), "ALTER TABLE \"authors\" RENAME TO \"writers\"");
    /* planning changed nothing */
    assert_true(has_table(db, "authors"));
    assert_false(has_table(db, "writers"));
    assert_int_equal(rl_plan_apply(db, plan, &o), RL_OK);
    rl_plan_free(plan);
    if (on_pg()) { /* the constraints are named as a fresh database of the target names them */
        const char *named = "SELECT count(*) FROM pg_constraint WHERE conrelid = "
                            "'writers'::regclass AND conname LIKE ";
        char q[200];
        snprintf(q, sizeof q, "%s'writers_pkey'", named);
        assert_int_equal(scalar(db, q), 1);
        snprintf(q, sizeof q, "%s'authors%%'", named);
        assert_int_equal(scalar(db, q), 0);
    }
    assert_int_equal(scalar(db, "SELECT count(*) FROM books b JOIN writers w ON w.writer_no = "
                                "b.author_id WHERE w.name = 'Ann' AND b.heading IN ('One', "
                                "'Two')"),
                     2);
    assert_int_equal(scalar(db, "SELECT count(*) FROM titles"), 3);
    assert_int_equal(scalar(db, "SELECT count(*) FROM reflite_migrations WHERE statements LIKE "
                                "'%RENAME COLUMN \"title\" TO \"heading\"%'"),
                     1);
    /* the database is the target now, and the key kept its action */
    assert_int_equal(rl_plan_new(db, target, &plan), RL_OK);
    if (!rl_plan_is_empty(plan)) fail_msg("still differs: %s", rl_plan_summary(plan));
    rl_plan_free(plan);
    assert_int_equal(rl_exec(db, "DELETE FROM writers WHERE writer_no = 1", NULL, 0, NULL), RL_OK);
    assert_int_equal(scalar(db, "SELECT count(*) FROM books"), 1);
    assert_int_equal(rl_exec(db, "INSERT INTO books VALUES (9, 'x', 77)", NULL, 0, NULL),
                     RL_EFOREIGNKEY);
    rl_close(db);
}

/* A renamed table that holds an old orphan: the orphan is the same one under its new name,
 * not a new violation. */
static void test_renames_keep_old_orphans(void **state)
{
    (void)state;
    rl_db *db = fixture("orphan_rename.db", ORPHAN_DB);
    const rl_rename r[] = {{"notes", "owner", "owner_id"}, {"notes", NULL, "memos"}};
    rl_migrate_options o = {.renames = r, .nrenames = 2};
    if (rl_migrate(db,
                   "CREATE TABLE users (id INTEGER PRIMARY KEY);"
                   "CREATE TABLE memos (id INTEGER PRIMARY KEY, owner_id INTEGER REFERENCES users "
                   "(id));",
                   &o) != RL_OK)
        fail_msg("%s", rl_errmsg(db));
    assert_int_equal(scalar(db, "SELECT count(*) FROM memos WHERE owner_id = 42"), 1);
    rl_close(db);
}

/* A column inside a composite key, a chain (b -> c, a -> b) and a swap, in one migration. */
static void test_renames_composite_chain_swap(void **state)
{
    (void)state;
    rl_db *db = fixture("chain.db",
                        "CREATE TABLE parts (maker TEXT, code TEXT, PRIMARY KEY (maker, code));"
                        "CREATE TABLE uses (id INTEGER PRIMARY KEY, maker TEXT, code TEXT, "
                        "FOREIGN KEY (maker, code) REFERENCES parts (maker, code) ON UPDATE "
                        "CASCADE);"
                        "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b TEXT, x TEXT, y TEXT, "
                        "rl_renaming_1 TEXT);"
                        "INSERT INTO parts VALUES ('acme', 'p1');"
                        "INSERT INTO uses VALUES (1, 'acme', 'p1');"
                        "INSERT INTO t VALUES (1, 'A', 'B', 'X', 'Y', 'kept');");
    const char *target = "CREATE TABLE parts (maker TEXT, part_code TEXT, PRIMARY KEY (maker, "
                         "part_code));"
                         "CREATE TABLE uses (id INTEGER PRIMARY KEY, maker TEXT, code TEXT, "
                         "FOREIGN KEY (maker, code) REFERENCES parts (maker, part_code) ON UPDATE "
                         "CASCADE);"
                         "CREATE TABLE t (id INTEGER PRIMARY KEY, b TEXT, c TEXT, y TEXT, x TEXT, "
                         "rl_renaming_1 TEXT);";
    const rl_rename r[] = {
        {"parts", "code", "part_code"},
        {"t", "a", "b"}, /* the old b moves on first */
        {"t", "b", "c"},
        {"t", "x", "y"}, /* a swap (through a free name: the table has rl_renaming_1) */
        {"t", "y", "x"},
    };
    rl_migrate_options o = {.renames = r, .nrenames = 5};
    if (rl_migrate(db, target, &o) != RL_OK) fail_msg("%s", rl_errmsg(db));
    assert_int_equal(scalar(db, "SELECT count(*) FROM t WHERE b = 'A' AND c = 'B' AND y = 'X' "
                                "AND x = 'Y' AND rl_renaming_1 = 'kept'"),
                     1);
    assert_int_equal(
        rl_exec(db, "UPDATE parts SET part_code = 'p2' WHERE maker = 'acme'", NULL, 0, NULL),
        RL_OK);
    assert_int_equal(scalar(db, "SELECT count(*) FROM uses WHERE code = 'p2'"), 1);
    rl_plan *plan;
    assert_int_equal(rl_plan_new(db, target, &plan), RL_OK);
    if (!rl_plan_is_empty(plan)) fail_msg("still differs: %s", rl_plan_summary(plan));
    rl_plan_free(plan);
    rl_close(db);
}

/* A rename to a name already taken, of what does not exist, or twice: refused before anything
 * runs; a table dropped and one added with its columns: the refusal names the rename. */
static void test_renames_refused_before_anything_runs(void **state)
{
    (void)state;
    rl_db *db = fixture("taken.db", "CREATE TABLE a (id INTEGER PRIMARY KEY, v TEXT, w TEXT);"
                                    "CREATE TABLE b (id INTEGER PRIMARY KEY);"
                                    "INSERT INTO a VALUES (1, 'v', 'w');");
    const char *target = "CREATE TABLE a (id INTEGER PRIMARY KEY, w TEXT, z TEXT);"
                         "CREATE TABLE b (id INTEGER PRIMARY KEY);";
    static const struct {
        rl_rename r;
        const char *says;
    } bad[] = {
        {{"a", "v", "w"}, "the table has a column of that name already"},
        {{"a", NULL, "b"}, "has a table, view or index of that name already"},
        {{"nope", NULL, "c"}, "no such table"},
        {{"a", "nope", "c"}, "no such column"},
        {{"a", "v", "v"}, "its name already"},
    };
    rl_plan *plan = NULL;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        rl_migrate_options o = {.renames = &bad[i].r, .nrenames = 1};
        assert_int_equal(rl_plan_new_ex(db, target, &o, &plan), RL_EINVAL);
        assert_null(plan);
        assert_contains(rl_errmsg(db), bad[i].says);
    }
    const rl_rename twice[] = {{"a", "v", "z"}, {"a", "v", "q"}};
    rl_migrate_options o = {.renames = twice, .nrenames = 2};
    assert_int_equal(rl_migrate(db, target, &o), RL_EINVAL);
    assert_contains(rl_errmsg(db), "renamed twice");
    assert_int_equal(scalar(db, "SELECT count(*) FROM a WHERE v = 'v'"), 1);
    /* inside a caller's transaction: refused */
    const rl_rename good = {"a", "v", "z"};
    o = (rl_migrate_options){.renames = &good, .nrenames = 1};
    assert_int_equal(rl_begin(db), RL_OK);
    assert_int_equal(rl_plan_new_ex(db, target, &o, &plan), RL_EMISUSE);
    assert_int_equal(rl_rollback(db), RL_OK);
    assert_int_equal(rl_migrate(db, target, &o), RL_OK);
    assert_int_equal(scalar(db, "SELECT count(*) FROM a WHERE z = 'v'"), 1);
    /* a table gone and one added with the same columns */
    assert_int_equal(rl_migrate(db,
                                "CREATE TABLE letters (id INTEGER PRIMARY KEY, w TEXT, z TEXT);"
                                "CREATE TABLE b (id INTEGER PRIMARY KEY);",
                                NULL),
                     RL_EDATALOSS);
    assert_contains(rl_errmsg(db), "keep its rows with --rename a=letters");
    rl_close(db);
}

typedef struct {
    char text[8][400];
    int n;
} findings;

static int keep_lint(const rl_finding *f, void *ctx)
{
    findings *out = ctx;
    if (f->kind == RL_FINDING_LINT && strstr(f->message, "citus") && out->n < 8)
        snprintf(out->text[out->n++], sizeof out->text[0], "%s", f->message);
    return 0;
}

static bool found(const findings *f, const char *part)
{
    for (int i = 0; i < f->n; i++)
        if (strstr(f->text[i], part)) return true;
    return false;
}

/* Citus lint: the keys a distributed PostgreSQL cannot enforce, by the distribution column. */
static void test_check_citus(void **state)
{
    (void)state;
    rl_db *db = fixture("citus.db",
                        "CREATE TABLE tenants (tenant_id INTEGER PRIMARY KEY);"
                        "CREATE TABLE countries (code TEXT PRIMARY KEY);"
                        "CREATE TABLE projects (tenant_id INTEGER REFERENCES tenants (tenant_id), "
                        "id INTEGER, country TEXT REFERENCES countries (code), PRIMARY KEY "
                        "(tenant_id, id));"
                        "CREATE TABLE tasks (tenant_id INTEGER, id INTEGER, project_id INTEGER, "
                        "PRIMARY KEY (tenant_id, id), FOREIGN KEY (tenant_id, project_id) "
                        "REFERENCES projects (tenant_id, id));"
                        "CREATE TABLE plans (id INTEGER PRIMARY KEY, tenant_id INTEGER);"
                        "CREATE TABLE steps (tenant_id INTEGER, id INTEGER, plan_id INTEGER "
                        "REFERENCES plans (id), PRIMARY KEY (tenant_id, id));"
                        "CREATE TABLE labels (id INTEGER PRIMARY KEY, t INTEGER, task INTEGER, "
                        "FOREIGN KEY (t, task) REFERENCES tasks (tenant_id, id));");
    findings f = {0};
    int64_t n = 0;
    rl_check_options o = {.citus_column = "tenant_id"};
    assert_int_equal(rl_check_ex(db, &o, keep_lint, &f, &n), RL_OK);
    /* co-located keys and keys to reference tables are fine */
    assert_false(found(&f, "projects(tenant_id, id)"));
    assert_false(found(&f, "countries"));
    assert_true(found(&f, "the primary key of distributed table plans (id) does not hold "
                          "tenant_id"));
    assert_true(found(&f, "the key steps(plan_id) -> plans(id) joins two distributed tables "
                          "without tenant_id"));
    assert_true(found(&f, "the key labels(t, task) -> tasks(tenant_id, id) goes from a reference "
                          "table (labels has no tenant_id) to a distributed one"));
    assert_int_equal(f.n, 3);
    /* without the option, or with no_lint: none of it */
    memset(&f, 0, sizeof f);
    o.no_lint = true;
    assert_int_equal(rl_check_ex(db, &o, keep_lint, &f, &n), RL_OK);
    assert_int_equal(f.n, 0);
    rl_close(db);
}

/* Plan lint: each check's finding, named, as "check: message". */
static int keep_planned(const rl_finding *f, void *ctx)
{
    findings *out = ctx;
    if (f->kind == RL_FINDING_LINT && f->check && out->n < 8)
        snprintf(out->text[out->n++], sizeof out->text[0], "%s: %s", f->check, f->message);
    return 0;
}

/* rl_check_options.target_sql: the migration to a schema planned, not applied, its losses and
 * refusals findings named by their checks; with a rename, no loss is left to report. */
static void test_check_plan_lint(void **state)
{
    (void)state;
    rl_db *db =
        fixture("planlint.db", "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT, n INTEGER);"
                               "INSERT INTO notes (id, body, n) VALUES (1, 'a', 1), (2, 'b', NULL);"
                               "CREATE TABLE old (x INTEGER); INSERT INTO old VALUES (1);");
    const char *target = "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT, n INTEGER NOT "
                         "NULL, flag INTEGER NOT NULL);";
    findings f = {0};
    int64_t n = 0;
    rl_check_options o = {.target_sql = target};
    assert_int_equal(rl_check_ex(db, &o, keep_planned, &f, &n), RL_OK);
    assert_true(found(&f, "destructive-change: lint (destructive-change): column notes.body would "
                          "be dropped with its 2 non-NULL values"));
    assert_true(found(&f, "destructive-change: lint (destructive-change): table old would be "
                          "dropped with its 1 row"));
    assert_true(found(&f, "not-null-without-default: lint (not-null-without-default): column "
                          "notes.flag is added NOT NULL without a default, but notes has 2 rows"));
    assert_true(found(&f, "nulls-into-not-null: lint (nulls-into-not-null): column notes.n holds 1 "
                          "NULL"));
    assert_true(found(&f, "possible-rename: lint (possible-rename): if column notes.body was "
                          "renamed to text, keep its values with --rename notes.body=text"));
    assert_int_equal(f.n, 5);
    assert_true(n >= 5);
    /* nothing was changed, and the rename keeps body's values: no loss left of it */
    assert_true(has_table(db, "old"));
    memset(&f, 0, sizeof f);
    rl_rename r = {.table = "notes", .column = "body", .to = "text"};
    o.renames = &r;
    o.nrenames = 1;
    assert_int_equal(rl_check_ex(db, &o, keep_planned, &f, &n), RL_OK);
    assert_false(found(&f, "notes.body"));
    assert_int_equal(f.n, 3);
    assert_int_equal(scalar(db, "SELECT count(*) FROM notes WHERE body IS NOT NULL"), 2);
    /* a schema that cannot be read is the call's error, not a finding */
    o = (rl_check_options){.target_sql = "CREATE TABLE (;"};
    assert_int_equal(rl_check_ex(db, &o, keep_planned, &f, &n), RL_EINVAL);
    /* no_lint: none of it */
    memset(&f, 0, sizeof f);
    o = (rl_check_options){.target_sql = target, .no_lint = true};
    assert_int_equal(rl_check_ex(db, &o, keep_planned, &f, &n), RL_OK);
    assert_int_equal(f.n, 0);
    rl_close(db);
}

/* A rename that would break a view: the target's view still names the old column.  SQLite
 * creates such a view and fails when it is read, so the plan refuses it (a finding of check,
 * a refusal of migrate, nothing changed); PostgreSQL refuses the view in the target itself. */
static void test_rename_that_breaks_a_view(void **state)
{
    (void)state;
    rl_db *db = fixture("viewbreak.db", "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);"
                                        "INSERT INTO notes (id, body) VALUES (1, 'a');"
                                        "CREATE VIEW shown AS SELECT body FROM notes;");
    const char *broken = "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT);"
                         "CREATE VIEW shown AS SELECT body FROM notes;";
    rl_rename r = {.table = "notes", .column = "body", .to = "text"};
    rl_migrate_options mo = {.renames = &r, .nrenames = 1};
    findings f = {0};
    int64_t n = 0;
    rl_check_options o = {.target_sql = broken, .renames = &r, .nrenames = 1};
    if (on_pg()) {
        assert_int_equal(rl_check_ex(db, &o, keep_planned, &f, &n), RL_EINVAL);
        assert_contains(rl_errmsg(db), "body");
    } else {
        assert_int_equal(rl_check_ex(db, &o, keep_planned, &f, &n), RL_OK);
        assert_true(found(&f, "view-breaks: lint (view-breaks): view shown of the target cannot "
                              "be read (no such column: body), after --rename notes.body=text: "
                              "the view still names the old column"));
        assert_int_equal(f.n, 1);
    }
    assert_int_not_equal(rl_migrate(db, broken, &mo), RL_OK);
    assert_int_equal(scalar(db, "SELECT count(*) FROM notes WHERE body = 'a'"), 1); /* as it was */
    /* the view changed with it: no finding, and the migration keeps the value */
    const char *fixed = "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT);"
                        "CREATE VIEW shown AS SELECT text AS body FROM notes;";
    memset(&f, 0, sizeof f);
    o.target_sql = fixed;
    assert_int_equal(rl_check_ex(db, &o, keep_planned, &f, &n), RL_OK);
    assert_int_equal(f.n, 0);
    assert_int_equal(rl_migrate(db, fixed, &mo), RL_OK);
    assert_int_equal(scalar(db, "SELECT count(*) FROM shown WHERE body = 'a'"), 1);
    rl_close(db);
}

/* Models as the target: version 2 of a model adds a nullable column and a cascade. */
typedef struct {
    int64_t pk;
    char *title;
    int64_t author_id;
    rl_maybe_int year;
} BookV2;
static const rl_field book_v2_fields[] = {
    RL_TEXT(BookV2, title),
    RL_FOREIGN_KEY(BookV2, author_id, &Author_model, .on_delete = RL_SET_DEFAULT,
                   .default_sql = "1"),
    RL_FIELD(BookV2, year),
};
static const rl_model BookV2_model = RL_MODEL(BookV2, "books", book_v2_fields);

static void test_models_as_target(void **state)
{
    (void)state;
    rl_db *db = fixture("models.db", "SELECT 1");
    assert_int_equal(rl_create_table(db, &Book_model), RL_OK);
    int64_t a = add_author(db, "A");
    add_book(db, "t", a);
    const rl_model *v2[] = {&BookV2_model};
    rl_plan *plan;
    assert_int_equal(rl_plan_from_models(db, v2, 1, &plan), RL_OK);
    assert_contains(rl_plan_summary(plan), "ON DELETE CASCADE -> SET DEFAULT");
    assert_contains(rl_plan_summary(plan), "column price dropped");
    rl_migrate_options o = {.allow_data_loss = true};
    assert_int_equal(rl_plan_apply(db, plan, &o), RL_OK);
    rl_plan_free(plan);
    BookV2 b;
    assert_int_equal(rl_get(db, &BookV2_model, 1, &b), RL_OK);
    assert_string_equal(b.title, "t");
    assert_false(b.year.present);
    rl_row_free(&BookV2_model, &b);
    assert_int_equal(rl_migrate_models(db, v2, 1, NULL), RL_OK); /* nothing to do */
    assert_int_equal(scalar(db, "SELECT count(*) FROM reflite_migrations"), 1);
    rl_close(db);
}

/* ---- crash safety ------------------------------------------------------------------------- */

typedef struct kill_point {
    const char *stage;
    int64_t after_rows; /* for "copy": die once this many rows are copied */
} kill_point;

static void die_at(const char *stage, const char *table, int64_t done, int64_t total, void *ctx)
{
    (void)table;
    (void)total;
    const kill_point *k = ctx;
    if (strcmp(stage, k->stage) == 0 && done >= k->after_rows) raise(SIGKILL);
}

static void test_killed_migration_leaves_old_or_new(void **state)
{
    (void)state;
    char path[400];
    snprintf(path, sizeof path, "%s", path_of("crash.db"));
    const kill_point points[] = {
        {"copy", 0}, {"copy", 100000}, {"copy", 200000}, {"check", 0}, {"commit", 0}};
    const char *target = "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);"
                         "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT, user_id INTEGER "
                         "REFERENCES users (id) ON DELETE CASCADE);"
                         "CREATE INDEX notes_user ON notes (user_id);";
    for (size_t i = 0; i < sizeof points / sizeof points[0]; i++) {
        unlink(path);
        rl_db *db;
        assert_int_equal(rl_open(&db, path, NULL), RL_OK);
        assert_int_equal(
            rl_exec(db,
                    "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);"
                    "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT, user_id INTEGER "
                    "REFERENCES users (id));"
                    "CREATE INDEX notes_user ON notes (user_id);"
                    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100)"
                    " INSERT INTO users SELECT i, 'u' || i FROM n;"
                    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < "
                    "250000) INSERT INTO notes SELECT i, 'note ' || i, 1 + i % 100 FROM n;",
                    NULL, 0, NULL),
            RL_OK);
        rl_close(db);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            rl_db *child;
            if (rl_open(&child, path, NULL) != RL_OK) _exit(3);
            rl_migrate_options o = {.progress = die_at, .progress_ctx = (void *)&points[i]};
            _exit(rl_migrate(child, target, &o) == RL_OK ? 0 : 4);
        }
        int status;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
        /* Reopen: wholly old, integrity and keys clean. */
        assert_int_equal(rl_open(&db, path, NULL), RL_OK);
        int64_t findings = -1;
        assert_int_equal(rl_check(db, NULL, NULL, &findings), RL_OK);
        assert_int_equal(findings, 0);
        assert_int_equal(scalar(db, "SELECT count(*) FROM notes"), 250000);
        assert_int_equal(scalar(db, "SELECT count(*) FROM sqlite_schema WHERE name LIKE "
                                    "'rl_new_%'"),
                         0);
        assert_int_equal(scalar(db, "SELECT count(*) FROM pragma_foreign_key_list('notes') "
                                    "WHERE on_delete = 'CASCADE'"),
                         0);
        /* And the migration then runs to completion: wholly new. */
        assert_int_equal(rl_migrate(db, target, NULL), RL_OK);
        assert_int_equal(scalar(db, "SELECT count(*) FROM notes"), 250000);
        assert_int_equal(scalar(db, "SELECT count(*) FROM pragma_foreign_key_list('notes') "
                                    "WHERE on_delete = 'CASCADE'"),
                         1);
        assert_int_equal(rl_check(db, NULL, NULL, &findings), RL_OK);
        assert_int_equal(findings, 0);
        rl_close(db);
    }
}

int main(void)
{
    const struct CMUnitTest both[] = {
        cmocka_unit_test(test_seed_002_cascade_added),
        cmocka_unit_test(test_rebuilt_parent_keeps_children),
        cmocka_unit_test(test_dry_run_changes_nothing),
        cmocka_unit_test(test_new_violation_rolls_back),
        cmocka_unit_test(test_preexisting_violations_do_not_block),
        cmocka_unit_test(test_data_loss_refused_unless_allowed),
        cmocka_unit_test(test_native_alter_where_possible),
        cmocka_unit_test(test_refused_inside_transaction),
        cmocka_unit_test(test_bad_target_schema),
        cmocka_unit_test(test_models_as_target),
        cmocka_unit_test(test_new_child_table),
        cmocka_unit_test(test_hostile_target_refused),
        cmocka_unit_test(test_schema_dump_round_trip),
        cmocka_unit_test(test_check_names_orphans_and_unindexed_keys),
        cmocka_unit_test(test_type_change_counts_altered_values),
        cmocka_unit_test(test_type_change_lost_only_when_not_recovered),
        cmocka_unit_test(test_renames_keep_rows_and_keys),
        cmocka_unit_test(test_renames_composite_chain_swap),
        cmocka_unit_test(test_renames_keep_old_orphans),
        cmocka_unit_test(test_check_citus),
        cmocka_unit_test(test_check_plan_lint),
        cmocka_unit_test(test_rename_that_breaks_a_view),
        cmocka_unit_test(test_renames_refused_before_anything_runs),
    };
    const struct CMUnitTest sqlite_only[] = {
        cmocka_unit_test(test_everything_survives_a_rebuild), /* STRICT, AUTOINCREMENT... */
        cmocka_unit_test(test_without_rowid_generated_and_parent_key_change),
        cmocka_unit_test(test_killed_migration_leaves_old_or_new), /* one file, two processes */
        cmocka_unit_test(test_json_functions_in_schema),
    };
    return run_suites_with(both, sqlite_only, tmpdir_setup, tmpdir_teardown);
}

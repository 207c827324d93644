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

static void test_seed_002_cascade_added(void **state)
{
    (void)state;
    rl_db *db = db_with("seed002.db", SEED_002_DB);
    /* Before: deleting a user with notes is refused. */
    assert_int_equal(rl_exec(db, "DELETE FROM users WHERE id = 1", NULL, 0, NULL), RL_EFOREIGNKEY);

    rl_plan *plan;
    assert_int_equal(rl_plan_new(db, SEED_002_TARGET, &plan), RL_OK);
    assert_false(rl_plan_is_empty(plan));
    assert_contains(rl_plan_summary(plan),
                    "~ table notes: foreign key (author_id) -> users(id): ON DELETE NO ACTION -> "
                    "CASCADE");
    assert_contains(rl_plan_sql(plan), "PRAGMA foreign_keys = OFF;\nPRAGMA quick_check;");
    assert_contains(rl_plan_sql(plan), "\nBEGIN IMMEDIATE;\n");
    assert_string_equal(rl_plan_data_loss(plan), "");
    assert_int_equal(rl_plan_apply(db, plan, NULL), RL_OK);
    rl_plan_free(plan);

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
    assert_int_equal(rl_plan_new(db, SEED_002_TARGET, &plan), RL_OK);
    assert_true(rl_plan_is_empty(plan));
    rl_plan_free(plan);
    rl_close(db);
}

static void test_rebuilt_parent_keeps_children(void **state)
{
    (void)state;
    rl_db *db = db_with("parent.db",
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
    /* The children still point at users (not at a renamed old table). */
    assert_int_equal(scalar(db, "SELECT count(*) FROM pragma_foreign_key_list('notes') WHERE "
                                "\"table\" = 'users'"),
                     1);
    assert_int_equal(rl_exec(db, "INSERT INTO users VALUES (3, '')", NULL, 0, NULL), RL_ECHECK);
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
                     RL_ECONSTRAINT);
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
    rl_db *db = db_with("dry.db", SEED_002_DB);
    char *before = dump(db);
    rl_migrate_options o = {.dry_run = true};
    assert_int_equal(rl_migrate(db, SEED_002_TARGET, &o), RL_OK);
    char *after = dump(db);
    assert_string_equal(before, after);
    assert_int_equal(scalar(db, "SELECT count(*) FROM sqlite_schema WHERE name = "
                                "'reflite_migrations'"),
                     0);
    free(before);
    free(after);
    rl_close(db);
}

static void test_new_violation_rolls_back(void **state)
{
    (void)state;
    rl_db *db = db_with("violate.db", "CREATE TABLE users (id INTEGER PRIMARY KEY);"
                                      "CREATE TABLE notes (id INTEGER PRIMARY KEY, owner INTEGER);"
                                      "INSERT INTO users VALUES (1);"
                                      "INSERT INTO notes VALUES (1, 1), (2, 42);");
    char *before = dump(db);
    const char *target = "CREATE TABLE users (id INTEGER PRIMARY KEY);"
                         "CREATE TABLE notes (id INTEGER PRIMARY KEY, owner INTEGER REFERENCES "
                         "users (id));";
    assert_int_equal(rl_migrate(db, target, NULL), RL_EMIGRATE);
    assert_contains(rl_errmsg(db), "notes rowid 2: owner = 42 has no matching row in users(id)");
    assert_contains(rl_errmsg(db), "rolled back");
    char *after = dump(db);
    assert_string_equal(before, after);
    assert_int_equal(scalar(db, "SELECT count(*) FROM notes"), 2);
    assert_int_equal(scalar(db, "PRAGMA foreign_keys"), 1);
    free(before);
    free(after);
    rl_close(db);
}

static void test_preexisting_violations_do_not_block(void **state)
{
    (void)state;
    rl_db *db = db_with("old-orphans.db",
                        "CREATE TABLE users (id INTEGER PRIMARY KEY);"
                        "CREATE TABLE notes (id INTEGER PRIMARY KEY, owner INTEGER REFERENCES "
                        "users (id));"
                        "INSERT INTO users VALUES (1);"
                        "INSERT INTO notes VALUES (1, 1), (2, 42);");
    const char *target = "CREATE TABLE users (id INTEGER PRIMARY KEY);"
                         "CREATE TABLE notes (id INTEGER PRIMARY KEY, owner INTEGER REFERENCES "
                         "users (id) ON DELETE CASCADE);";
    assert_int_equal(rl_migrate(db, target, NULL), RL_OK);
    assert_int_equal(scalar(db, "SELECT count(*) FROM notes"), 2);
    assert_int_equal(scalar(db, "SELECT count(*) FROM pragma_foreign_key_check"), 1);
    rl_close(db);
}

static void test_data_loss_refused_unless_allowed(void **state)
{
    (void)state;
    rl_db *db =
        db_with("loss.db", "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, nick TEXT);"
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
    assert_int_equal(scalar(db, "SELECT count(*) FROM sqlite_schema WHERE name = 'old'"), 0);
    rl_close(db);
}

static void test_native_alter_where_possible(void **state)
{
    (void)state;
    rl_db *db = db_with("native.db", "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);"
                                     "INSERT INTO users VALUES (1, 'a');");
    const char *target = "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT, age INTEGER "
                         "DEFAULT 0);"
                         "CREATE INDEX users_name ON users (name);";
    rl_plan *plan;
    assert_int_equal(rl_plan_new(db, target, &plan), RL_OK);
    assert_contains(rl_plan_sql(plan), "ALTER TABLE \"users\" ADD COLUMN age INTEGER DEFAULT 0");
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
    rl_db *db = db_with("txn.db", SEED_002_DB);
    assert_int_equal(rl_begin(db), RL_OK);
    assert_int_equal(rl_migrate(db, SEED_002_TARGET, NULL), RL_EMISUSE);
    assert_contains(rl_errmsg(db), "inside a transaction");
    assert_int_equal(rl_rollback(db), RL_OK);
    rl_close(db);
}

static void test_bad_target_schema(void **state)
{
    (void)state;
    rl_db *db = db_with("bad.db", SEED_002_DB);
    rl_plan *plan;
    assert_int_equal(rl_plan_new(db, "CREATE TABLE (", &plan), RL_EINVAL);
    assert_null(plan);
    assert_contains(rl_errmsg(db), "not valid SQL");
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
    rl_db *db = db_with("models.db", "SELECT 1");
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
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_002_cascade_added),
        cmocka_unit_test(test_rebuilt_parent_keeps_children),
        cmocka_unit_test(test_everything_survives_a_rebuild),
        cmocka_unit_test(test_without_rowid_generated_and_parent_key_change),
        cmocka_unit_test(test_dry_run_changes_nothing),
        cmocka_unit_test(test_new_violation_rolls_back),
        cmocka_unit_test(test_preexisting_violations_do_not_block),
        cmocka_unit_test(test_data_loss_refused_unless_allowed),
        cmocka_unit_test(test_native_alter_where_possible),
        cmocka_unit_test(test_refused_inside_transaction),
        cmocka_unit_test(test_bad_target_schema),
        cmocka_unit_test(test_models_as_target),
        cmocka_unit_test(test_killed_migration_leaves_old_or_new),
    };
    return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}

/*
 * Hostile but realistic use: odd schemas, crafted and damaged files, NULL handles, long and
 * strange names.  Each group matches a class of promise: nothing lost or changed silently,
 * nothing committed whose keys do not hold, nothing run beyond its purpose, virtual tables,
 * messages that name every part of a key, and the C API's own contract.
 */
#define _GNU_SOURCE
#include "helpers.h"

#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* ---- 1. migrations never lose or change data silently ------------------------------------ */

static void test_copy_keeps_extreme_rowids(void **state)
{
    (void)state;
    rl_db *db = db_with("rowids.db", "CREATE TABLE t (a TEXT);"
                                     "INSERT INTO t (rowid, a) VALUES (-9223372036854775808, "
                                     "'min'), (-5, 'x'), (0, 'zero'), (7, 'y'), "
                                     "(9223372036854775807, 'max');"
                                     "CREATE TABLE h (rowid TEXT, oid TEXT, v INTEGER);"
                                     "INSERT INTO h (v) VALUES (1), (2), (3);");
    const char *target = "CREATE TABLE t (a TEXT CHECK (length(a) < 10));"
                         "CREATE TABLE h (rowid TEXT, oid TEXT, v INTEGER NOT NULL);";
    assert_int_equal(rl_migrate(db, target, NULL), RL_OK);
    assert_int_equal(scalar(db, "SELECT count(*) FROM t"), 5);
    assert_int_equal(scalar(db, "SELECT count(*) FROM t WHERE _rowid_ = -9223372036854775807 - 1 "
                                "AND a = 'min'"),
                     1);
    assert_int_equal(scalar(db, "SELECT count(*) FROM t WHERE _rowid_ = 9223372036854775807"), 1);
    /* a table whose columns hide "rowid" and "oid" keeps its rows too */
    assert_int_equal(scalar(db, "SELECT count(*) FROM h"), 3);
    rl_close(db);
}

static void test_type_change_compared_by_value(void **state)
{
    (void)state;
    rl_db *db = db_with("types.db", "CREATE TABLE t (id INTEGER PRIMARY KEY, code TEXT, n INTEGER);"
                                    "INSERT INTO t VALUES (1, '01234', 5), (2, '1e3', 6), "
                                    "(3, 'abc', 9007199254740993), (4, '77', 7);");
    rl_plan *plan;
    assert_int_equal(rl_plan_new(db,
                                 "CREATE TABLE t (id INTEGER PRIMARY KEY, code INTEGER, n "
                                 "INTEGER);",
                                 &plan),
                     RL_OK);
    /* '01234' -> 1234 and '1e3' -> 1000 do not come back; '77' -> 77 does ('abc' stays text) */
    assert_contains(rl_plan_data_loss(plan),
                    "column t.code: 2 values that are stored would change");
    assert_int_equal(rl_plan_apply(db, plan, NULL), RL_EDATALOSS);
    assert_contains(rl_errmsg(db), "--allow-data-loss");
    assert_int_equal(scalar(db, "SELECT count(*) FROM t WHERE code = '01234' AND typeof(code) = "
                                "'text'"),
                     1);
    rl_plan_free(plan);
    /* INTEGER -> REAL: exact below 2^53, not above. */
    assert_int_equal(
        rl_plan_new(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, code TEXT, n REAL);", &plan),
        RL_OK);
    assert_contains(rl_plan_data_loss(plan), "column t.n: 1 value that is stored would change");
    rl_plan_free(plan);
    assert_int_equal(rl_exec(db, "UPDATE t SET n = 3 WHERE id = 3", NULL, 0, NULL), RL_OK);
    assert_int_equal(
        rl_plan_new(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, code TEXT, n REAL);", &plan),
        RL_OK);
    assert_string_equal(rl_plan_data_loss(plan), "");
    assert_int_equal(rl_plan_apply(db, plan, NULL), RL_OK);
    rl_plan_free(plan);
    rl_close(db);
}

static void test_empty_target_refused(void **state)
{
    (void)state;
    rl_db *db = db_with("empty.db", "CREATE TABLE t (a INTEGER);");
    assert_int_equal(rl_migrate(db, "-- nothing here\n/* at all */", NULL), RL_EREFUSED);
    assert_contains(rl_errmsg(db), "--allow-empty-schema");
    assert_int_equal(scalar(db, "SELECT count(*) FROM sqlite_schema WHERE name = 't'"), 1);
    assert_int_equal(rl_migrate(db, "", NULL), RL_EREFUSED);
    rl_migrate_options o = {.allow_empty_schema = true};
    assert_int_equal(rl_migrate(db, "", &o), RL_OK);
    assert_int_equal(scalar(db, "SELECT count(*) FROM sqlite_schema WHERE name = 't'"), 0);
    rl_close(db);
}

static void test_no_flag_helps_not_null_without_default(void **state)
{
    (void)state;
    rl_db *db = db_with("nn.db", "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT);"
                                 "INSERT INTO t VALUES (1, 'x');");
    rl_migrate_options o = {.allow_data_loss = true};
    assert_int_equal(rl_migrate(db,
                                "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT, b TEXT NOT "
                                "NULL);",
                                &o),
                     RL_EDATALOSS);
    assert_contains(rl_errmsg(db), "no flag can make this migration keep the data");
    assert_contains(rl_errmsg(db), "column t.b is added NOT NULL without a default");
    rl_close(db);
}

/* ---- 2. a migration never commits a database whose keys do not hold ------------------------ */

static void test_unchecked_key_is_a_failure(void **state)
{
    (void)state;
    const char *base = "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT UNIQUE);"
                       "CREATE TABLE notes (id INTEGER PRIMARY KEY, author_email TEXT "
                       "REFERENCES users (email));";
    rl_db *db = db_with("mismatch.db", base);
    char *before = dump(db);
    /* dropping the UNIQUE the key relies on */
    assert_int_equal(rl_migrate(db,
                                "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);"
                                "CREATE TABLE notes (id INTEGER PRIMARY KEY, author_email TEXT "
                                "REFERENCES users (email));",
                                NULL),
                     RL_EMIGRATE);
    assert_contains(rl_errmsg(db), "foreign key notes(author_email) -> users(email)");
    assert_contains(rl_errmsg(db), "neither the primary key nor unique");
    /* pointing a key at a column that does not exist */
    assert_int_equal(rl_migrate(db,
                                "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT UNIQUE);"
                                "CREATE TABLE notes (id INTEGER PRIMARY KEY, author_email TEXT "
                                "REFERENCES users (mail));",
                                NULL),
                     RL_EMIGRATE);
    assert_contains(rl_errmsg(db), "column users.mail does not exist");
    char *after = dump(db);
    assert_string_equal(before, after);
    free(before);
    free(after);
    rl_close(db);
}

static void test_new_violation_on_row_with_old_one(void **state)
{
    (void)state;
    rl_db *db = db_with("sameorphan.db",
                        "CREATE TABLE a (id INTEGER PRIMARY KEY);"
                        "CREATE TABLE b (id INTEGER PRIMARY KEY);"
                        "CREATE TABLE c (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a (id), "
                        "b_id INTEGER);"
                        "INSERT INTO c VALUES (1, 10, 20);");
    /* row 1 already breaks c(a_id); the target adds a key on b_id that it breaks too */
    int rc = rl_migrate(db,
                        "CREATE TABLE a (id INTEGER PRIMARY KEY);"
                        "CREATE TABLE b (id INTEGER PRIMARY KEY);"
                        "CREATE TABLE c (id INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a (id), "
                        "b_id INTEGER REFERENCES b (id));",
                        NULL);
    assert_int_equal(rc, RL_EMIGRATE);
    assert_contains(rl_errmsg(db), "would break 1 foreign key (c rowid 1: b_id = 20 has no "
                                   "matching row in b(id))");
    assert_contains(rl_errmsg(db), "1 violation that existed before the migration is not counted");
    assert_int_equal(scalar(db, "SELECT count(*) FROM pragma_foreign_key_list('c')"), 1);
    rl_close(db);
}

static void test_without_rowid_new_violation(void **state)
{
    (void)state;
    rl_db *db = db_with("wr.db", "CREATE TABLE p (id INTEGER PRIMARY KEY);"
                                 "CREATE TABLE w (k TEXT PRIMARY KEY, p_id INTEGER REFERENCES "
                                 "p (id), q_id INTEGER) WITHOUT ROWID;"
                                 "INSERT INTO p VALUES (1);"
                                 "INSERT INTO w VALUES ('old', 99, 1), ('new', 1, 5);");
    int rc = rl_migrate(db,
                        "CREATE TABLE p (id INTEGER PRIMARY KEY);"
                        "CREATE TABLE w (k TEXT PRIMARY KEY, p_id INTEGER REFERENCES p (id), "
                        "q_id INTEGER REFERENCES p (id)) WITHOUT ROWID;",
                        NULL);
    assert_int_equal(rc, RL_EMIGRATE);
    assert_contains(rl_errmsg(db), "w k = 'new': q_id = 5 has no matching row in p(id)");
    rl_close(db);
}

static void test_many_old_orphans(void **state)
{
    (void)state;
    rl_db *db = db_with("orphans.db",
                        "CREATE TABLE users (id INTEGER PRIMARY KEY);"
                        "CREATE TABLE notes (id INTEGER PRIMARY KEY, owner INTEGER REFERENCES "
                        "users (id), body TEXT);"
                        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i "
                        "< 100000) INSERT INTO notes SELECT i, i + 1000000, 'x' FROM n;");
    /* a one-column change: 100,000 violations before, the same after */
    assert_int_equal(rl_migrate(db,
                                "CREATE TABLE users (id INTEGER PRIMARY KEY);"
                                "CREATE TABLE notes (id INTEGER PRIMARY KEY, owner INTEGER "
                                "REFERENCES users (id) ON DELETE CASCADE, body TEXT);",
                                NULL),
                     RL_OK);
    assert_int_equal(scalar(db, "SELECT count(*) FROM notes"), 100000);
    rl_close(db);
}

/* A damaged file is refused with nothing changed: without WAL the check runs first, in WAL
 * mode beside the migration's steps, on a second connection, and when that connection cannot
 * read (the first holds an exclusive lock) on the first connection after the steps. */
static void test_damaged_file_refused(void **state)
{
    (void)state;
    for (int mode = 0; mode < 3; mode++) {
        const char *name = mode == 0 ? "damaged.db" : mode == 1 ? "damaged-wal.db" : "damaged-x.db";
        bool wal = mode > 0;
        rl_db *db =
            db_with(name, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);"
                          "CREATE TABLE u (id INTEGER PRIMARY KEY, v TEXT);"
                          "CREATE INDEX u_v ON u (v);"
                          "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n "
                          "WHERE i < 5000) INSERT INTO u SELECT i, printf('%08d', i) FROM n;"
                          "INSERT INTO t VALUES (1, 'a');");
        /* damage the index of a table the migration does not touch: only a check finds it */
        int64_t root = scalar(db, "SELECT rootpage FROM sqlite_schema WHERE name = 'u_v'");
        rl_close(db);
        FILE *f = fopen(path_of(name), "r+b");
        assert_non_null(f);
        fseek(f, (long)((root - 1) * 4096 + 3), SEEK_SET); /* its page header and cell pointers */
        for (int i = 0; i < 60; i++)
            fputc(0x5a, f);
        fclose(f);
        rl_options o = {.no_wal = !wal};
        assert_int_equal(rl_open(&db, path_of(name), &o), RL_OK);
        if (mode == 2)
            assert_int_equal(
                sqlite3_exec(rl_sqlite3(db), "PRAGMA locking_mode = EXCLUSIVE", NULL, NULL, NULL),
                SQLITE_OK);
        rl_plan *plan;
        assert_int_equal(rl_plan_new(db,
                                     "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL);"
                                     "CREATE TABLE u (id INTEGER PRIMARY KEY, v TEXT);"
                                     "CREATE INDEX u_v ON u (v);",
                                     &plan),
                         RL_OK);
        assert_int_equal(rl_plan_apply(db, plan, NULL), RL_ECORRUPT);
        assert_contains(rl_errmsg(db), "damaged");
        assert_int_equal(
            scalar(db, "SELECT count(*) FROM sqlite_schema WHERE sql LIKE '%NOT NULL%'"), 0);
        assert_int_equal(scalar(db, "SELECT count(*) FROM sqlite_schema WHERE name LIKE 'rl_%'"),
                         0);
        rl_plan_free(plan);
        rl_close(db);
    }
}

/* A sound file under an exclusive lock: the second connection cannot read it, and that is
 * not damage; the check runs on the first connection and the migration goes through. */
static void test_damage_check_under_an_exclusive_lock(void **state)
{
    (void)state;
    rl_db *db = db_with("exclusive.db", "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT);"
                                        "INSERT INTO t VALUES (1, 'a');");
    assert_int_equal(sqlite3_exec(rl_sqlite3(db),
                                  "PRAGMA locking_mode = EXCLUSIVE; SELECT count(*) FROM t", NULL,
                                  NULL, NULL),
                     SQLITE_OK);
    assert_int_equal(
        rl_migrate(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL);", NULL), RL_OK);
    assert_int_equal(
        scalar(db, "SELECT count(*) FROM sqlite_schema WHERE name = 't' AND sql LIKE '%NOT NULL%'"),
        1);
    assert_int_equal(scalar(db, "SELECT count(*) FROM t"), 1);
    rl_close(db);
}

/* ---- 3. nothing from a file runs beyond its purpose ---------------------------------------- */

/* Store sql as the definition of table name, as a crafted file would. */
static void craft(rl_db *db, const char *name, const char *sql)
{
    sqlite3 *h = rl_sqlite3(db);
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_exec(h, "PRAGMA writable_schema = ON", NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(
        sqlite3_prepare_v2(h, "UPDATE sqlite_schema SET sql = ?1 WHERE name = ?2", -1, &st, NULL),
        SQLITE_OK);
    sqlite3_bind_text(st, 1, sql, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, name, -1, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    assert_int_equal(sqlite3_exec(h, "PRAGMA writable_schema = OFF", NULL, NULL, NULL), SQLITE_OK);
}

static void test_stored_sql_runs_as_one_statement(void **state)
{
    (void)state;
    rl_db *db = db_with("crafted.db", "CREATE TABLE t (a INTEGER);");
    char *evil = NULL;
    assert_true(asprintf(&evil,
                         "CREATE TABLE t (a INTEGER); ATTACH '%s' AS q; CREATE TABLE q.x (a)",
                         path_of("written.db")) > 0);
    craft(db, "t", evil);
    free(evil);
    rl_close(db);
    assert_int_equal(rl_open(&db, path_of("crafted.db"), NULL), RL_OK);
    rl_plan *plan = NULL;
    assert_int_equal(rl_plan_new(db, "CREATE TABLE t (a INTEGER, b TEXT);", &plan), RL_ECORRUPT);
    assert_contains(rl_errmsg(db), "holds more than one statement");
    char *s = NULL;
    assert_int_equal(rl_schema_dump(db, &s), RL_ECORRUPT);
    assert_null(s);
    assert_false(exists(path_of("written.db")));
    rl_close(db);
}

static void test_schema_text_is_guarded(void **state)
{
    (void)state;
    rl_db *db = db_with("guard.db", "CREATE TABLE t (a INTEGER);");
    rl_plan *plan = NULL;
    char *sql = NULL;
    assert_true(asprintf(&sql, "CREATE TABLE t (a INTEGER); ATTACH '%s' AS q;",
                         path_of("attached.db")) > 0);
    assert_int_equal(rl_plan_new(db, sql, &plan), RL_EINVAL);
    assert_contains(rl_errmsg(db), "ATTACH refused");
    free(sql);
    assert_false(exists(path_of("attached.db")));
    assert_int_equal(rl_plan_new(db, "PRAGMA writable_schema = 1; CREATE TABLE t (a);", &plan),
                     RL_EINVAL);
    assert_contains(rl_errmsg(db), "PRAGMA writable_schema refused");
    assert_int_equal(rl_plan_new(db, "CREATE TABLE t (a); INSERT INTO t VALUES (1);", &plan),
                     RL_EINVAL);
    assert_contains(rl_errmsg(db), "line 1 of the target schema");
    assert_contains(rl_errmsg(db), "not 'INSERT'; take the schema alone");
    assert_int_equal(rl_plan_new(db, "SELECT load_extension('/tmp/x.so');", &plan), RL_EINVAL);
    /* the engine's own deterministic functions are welcome in a schema; what touches files or
     * the engine is not, wherever it hides */
    static const char *const evil[] = {
        "CREATE TABLE t (a INTEGER CHECK (load_extension('/tmp/x.so') IS NULL));",
        ("CREATE TABLE t (a INTEGER); CREATE INDEX t_x ON t (a) WHERE fts3_tokenizer('simple') "
         "IS NOT NULL;"),
        "CREATE TABLE t (a INTEGER, b GENERATED ALWAYS AS (load_extension('/tmp/x.so')));",
    };
    for (size_t i = 0; i < sizeof evil / sizeof evil[0]; i++) {
        assert_int_equal(rl_plan_new(db, evil[i], &plan), RL_EINVAL);
        assert_contains(rl_errmsg(db), "() refused");
    }
    assert_int_equal(rl_plan_new(db,
                                 "CREATE TABLE t (a INTEGER CHECK (json_valid(a) OR a IS NULL));"
                                 "CREATE INDEX t_j ON t (json_extract(a, '$.k'));",
                                 &plan),
                     RL_OK);
    assert_contains(rl_plan_summary(plan), "+ index t_j");
    rl_plan_free(plan);
    /* an endless statement is stopped */
    assert_int_equal(rl_plan_new(db,
                                 "CREATE TABLE t AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL "
                                 "SELECT x + 1 FROM c) SELECT count(*) AS a FROM c;",
                                 &plan),
                     RL_EINVAL);
    assert_contains(rl_errmsg(db), "was stopped");
    assert_null(plan);
    /* a schema file in the shape sqlite3's .dump writes is fine */
    assert_int_equal(rl_plan_new(db,
                                 "PRAGMA foreign_keys=OFF;\nBEGIN TRANSACTION;\nCREATE TABLE t (a "
                                 "INTEGER);\nCOMMIT;\n",
                                 &plan),
                     RL_OK);
    assert_true(rl_plan_is_empty(plan));
    rl_plan_free(plan);
    rl_close(db);
}

static void test_quoted_and_crafted_names(void **state)
{
    (void)state;
    rl_db *db = db_with("names.db",
                        "CREATE TABLE victims (id INTEGER PRIMARY KEY);"
                        "INSERT INTO victims VALUES (1), (2), (3);"
                        "CREATE TABLE \"owner's pets\" (id INTEGER PRIMARY KEY AUTOINCREMENT, n "
                        "TEXT);"
                        "INSERT INTO \"owner's pets\" (n) VALUES ('a'), ('b');"
                        "DELETE FROM \"owner's pets\" WHERE id = 2;"
                        "CREATE TABLE \"x') ; DELETE FROM victims; --\" (id INTEGER PRIMARY KEY "
                        "AUTOINCREMENT, n TEXT);"
                        "INSERT INTO \"x') ; DELETE FROM victims; --\" (n) VALUES ('z');"
                        "CREATE TABLE t (a INTEGER);"
                        "CREATE TABLE rl_new_t (keep INTEGER);"
                        "INSERT INTO rl_new_t VALUES (42);");
    const char *target = "CREATE TABLE victims (id INTEGER PRIMARY KEY);"
                         "CREATE TABLE \"owner's pets\" (id INTEGER PRIMARY KEY AUTOINCREMENT, n "
                         "TEXT NOT NULL);"
                         "CREATE TABLE \"x') ; DELETE FROM victims; --\" (id INTEGER PRIMARY KEY "
                         "AUTOINCREMENT, n TEXT NOT NULL);"
                         "CREATE TABLE t (a INTEGER NOT NULL DEFAULT 0);"
                         "CREATE TABLE rl_new_t (keep INTEGER);";
    if (rl_migrate(db, target, NULL) != RL_OK) fail_msg("%s", rl_errmsg(db));
    assert_int_equal(scalar(db, "SELECT count(*) FROM victims"), 3);
    assert_int_equal(scalar(db, "SELECT seq FROM sqlite_sequence WHERE name = 'owner''s pets'"), 2);
    assert_int_equal(scalar(db, "SELECT count(*) FROM rl_new_t WHERE keep = 42"), 1);
    /* the counter survived: a new pet does not reuse id 2 */
    assert_int_equal(rl_exec(db, "INSERT INTO \"owner's pets\" (n) VALUES ('c')", NULL, 0, NULL),
                     RL_OK);
    assert_int_equal(scalar(db, "SELECT max(id) FROM \"owner's pets\""), 3);
    rl_close(db);
}

static void test_long_names_are_not_confused(void **state)
{
    (void)state;
    char a[220], b[220];
    memset(a, 'n', 200);
    memcpy(b, a, 200);
    a[200] = b[200] = '\0';
    a[199] = 'a';
    b[199] = 'b';
    char *sql = NULL;
    assert_true(asprintf(&sql,
                         "CREATE TABLE p (id INTEGER PRIMARY KEY);"
                         "CREATE TABLE %s (id INTEGER PRIMARY KEY, p_id INTEGER REFERENCES p "
                         "(id));"
                         "CREATE TABLE %s (id INTEGER PRIMARY KEY, p_id INTEGER);"
                         "INSERT INTO %s VALUES (1, 9);"
                         "INSERT INTO %s VALUES (1, 9);",
                         a, b, a, b) > 0);
    rl_db *db = db_with("long.db", sql);
    free(sql);
    /* the old orphan is row 1 of table a; the new one is row 1 of table b */
    assert_true(asprintf(&sql,
                         "CREATE TABLE p (id INTEGER PRIMARY KEY);"
                         "CREATE TABLE %s (id INTEGER PRIMARY KEY, p_id INTEGER REFERENCES p "
                         "(id));"
                         "CREATE TABLE %s (id INTEGER PRIMARY KEY, p_id INTEGER REFERENCES p "
                         "(id));",
                         a, b) > 0);
    assert_int_equal(rl_migrate(db, sql, NULL), RL_EMIGRATE);
    assert_contains(rl_errmsg(db), b);
    free(sql);
    /* raw SQL names the whole table too */
    assert_true(asprintf(&sql, "INSERT INTO %s VALUES (2, 77)", a) > 0);
    assert_int_equal(rl_exec(db, sql, NULL, 0, NULL), RL_EFOREIGNKEY);
    free(sql);
    char want[300];
    snprintf(want, sizeof want, "insert into %s: p_id = 77 has no matching row in p(id).", a);
    assert_string_equal(rl_errmsg(db), want);
    rl_close(db);
}

static void test_names_in_messages_are_escaped(void **state)
{
    (void)state;
    rl_db *db = db_with("nl.db", "CREATE TABLE \"evil\n+ table forged\" (a INTEGER);");
    rl_plan *plan;
    assert_int_equal(
        rl_plan_new(db, "CREATE TABLE \"evil\n+ table forged\" (a INTEGER, b TEXT);", &plan),
        RL_OK);
    assert_contains(rl_plan_summary(plan), "evil\\n+ table forged");
    assert_null(strstr(rl_plan_summary(plan), "\n+ table forged"));
    rl_plan_free(plan);
    rl_close(db);
}

/* ---- 4. virtual tables -------------------------------------------------------------------- */

static void test_virtual_tables(void **state)
{
    (void)state;
    const char *base = "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);"
                       "CREATE VIRTUAL TABLE docs USING fts5(title, body);"
                       "INSERT INTO docs (rowid, title, body) VALUES (5, 'one', 'first text'), "
                       "(9, 'two', 'second text');";
    rl_db *db = db_with("fts.db", base);
    char *s = dump(db);
    assert_contains(s, "CREATE VIRTUAL TABLE docs USING fts5(title, body)");
    assert_null(strstr(s, "docs_data"));
    assert_null(strstr(s, "docs_config"));
    /* the dump loads back and diffs clean against the same database */
    rl_plan *plan;
    assert_int_equal(rl_plan_new(db, s, &plan), RL_OK);
    assert_true(rl_plan_is_empty(plan));
    rl_plan_free(plan);
    /* changing it keeps its rows */
    assert_int_equal(rl_migrate(db,
                                "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);"
                                "CREATE VIRTUAL TABLE docs USING fts5(title, body, tags);",
                                NULL),
                     RL_OK);
    assert_int_equal(scalar(db, "SELECT count(*) FROM docs WHERE docs MATCH 'second'"), 1);
    assert_int_equal(scalar(db, "SELECT rowid FROM docs WHERE title = 'two'"), 9);
    /* adding one */
    assert_int_equal(rl_migrate(db,
                                "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);"
                                "CREATE VIRTUAL TABLE docs USING fts5(title, body, tags);"
                                "CREATE VIRTUAL TABLE more USING fts5(x);",
                                NULL),
                     RL_OK);
    /* dropping one that holds rows is data loss; allowed, it goes with its shadow tables */
    const char *drop = "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT);"
                       "CREATE VIRTUAL TABLE more USING fts5(x);";
    assert_int_equal(rl_migrate(db, drop, NULL), RL_EDATALOSS);
    rl_migrate_options o = {.allow_data_loss = true};
    assert_int_equal(rl_migrate(db, drop, &o), RL_OK);
    assert_int_equal(scalar(db, "SELECT count(*) FROM sqlite_schema WHERE name LIKE 'docs%'"), 0);
    free(s);
    s = dump(db);
    assert_int_equal(rl_plan_new(db, s, &plan), RL_OK);
    assert_true(rl_plan_is_empty(plan));
    rl_plan_free(plan);
    free(s);
    rl_close(db);
}

/* ---- 5. messages that name every part of a key -------------------------------------------- */

static int collect(const rl_finding *f, void *ctx)
{
    if (f->kind == RL_FINDING_FOREIGN_KEY) snprintf(ctx, 512, "%s", f->message);
    return 0;
}

static void test_composite_and_without_rowid_messages(void **state)
{
    (void)state;
    rl_db *db = db_with("composite.db",
                        "CREATE TABLE p (a INTEGER, b INTEGER, PRIMARY KEY (a, b));"
                        "CREATE TABLE c (id INTEGER PRIMARY KEY, x INTEGER, y INTEGER, FOREIGN "
                        "KEY (x, y) REFERENCES p (a, b));"
                        "CREATE TABLE w (k TEXT PRIMARY KEY, x INTEGER, y INTEGER, FOREIGN KEY "
                        "(x, y) REFERENCES p) WITHOUT ROWID;"
                        "INSERT INTO w VALUES ('key', 3, 4);");
    assert_int_equal(rl_exec(db, "INSERT INTO c VALUES (1, 1, 9)", NULL, 0, NULL), RL_EFOREIGNKEY);
    assert_string_equal(rl_errmsg(db),
                        "insert into c: (x, y) = (1, 9) has no matching row in p(a, b).");
    const rl_error *e = rl_last_error(db);
    assert_string_equal(e->fk.child_column, "x, y");
    assert_string_equal(e->fk.value, "(1, 9)");
    assert_string_equal(e->fk.parent_column, "a, b");
    /* rl_check names the WITHOUT ROWID row by its primary key */
    char found[512] = "";
    int64_t n = 0;
    assert_int_equal(rl_check(db, collect, found, &n), RL_OK);
    assert_contains(found, "w k = 'key': (x, y) = (3, 4) has no matching row in p(a, b)");
    rl_close(db);
}

typedef struct {
    int64_t pk;
    int64_t a_id, b_id;
} Pair;
typedef struct {
    int64_t pk;
} Thing;
static const rl_field thing_fields[] = {{0}};
static const rl_model Thing_model = {.type_name = "Thing",
                                     .table = "things",
                                     .size = sizeof(Thing),
                                     .has_pk = true,
                                     .pk_offset = offsetof(Thing, pk),
                                     .pk_ctype = RL_CT_INT64,
                                     .fields = thing_fields,
                                     .nfields = 0};
static const rl_field pair_fields[] = {
    RL_FOREIGN_KEY(Pair, a_id, &Thing_model),
    RL_FOREIGN_KEY(Pair, b_id, &Thing_model),
};
static const rl_model Pair_model = RL_MODEL(Pair, "pairs", pair_fields);

static void test_every_bad_key_and_one_sentence(void **state)
{
    (void)state;
    rl_db *db = open_library();
    const rl_model *models[] = {&Pair_model};
    assert_int_equal(rl_create_all(db, models, 1), RL_OK);
    Pair p = {.a_id = 7, .b_id = 8};
    assert_int_equal(rl_insert(db, &Pair_model, &p), RL_EFOREIGNKEY);
    assert_string_equal(rl_errmsg(db), "insert into pairs: a_id = 7 has no matching row in "
                                       "things(pk); b_id = 8 has no matching row in things(pk).");
    /* the same failure through the typed API and raw SQL reads the same */
    Book b = {.title = "T", .author_id = 4242};
    assert_int_equal(rl_insert(db, &Book_model, &b), RL_EFOREIGNKEY);
    char typed[256];
    snprintf(typed, sizeof typed, "%s", rl_errmsg(db));
    assert_int_equal(rl_exec(db,
                             "INSERT INTO books (title, author_id, price, in_print) VALUES "
                             "('T', 4242, 0, 1)",
                             NULL, 0, NULL),
                     RL_EFOREIGNKEY);
    assert_string_equal(rl_errmsg(db), typed);
    /* CHECK failures name the table and the constraint */
    int64_t author = add_author(db, "A");
    Book bad = {.title = "", .author_id = author};
    assert_int_equal(rl_insert(db, &Book_model, &bad), RL_ECHECK);
    assert_contains(rl_errmsg(db), "length(title) > 0");
    assert_contains(rl_errmsg(db), "of table books");
    assert_string_equal(rl_last_error(db)->table, "books");
    assert_string_equal(rl_last_error(db)->constraint, "length(title) > 0");
    rl_close(db);
}

/* ---- 6. the C API keeps its own contract -------------------------------------------------- */

static int no_finding(const rl_finding *f, void *ctx)
{
    (void)f;
    (void)ctx;
    return 0;
}

static void test_null_handles(void **state)
{
    (void)state;
    rl_db *db = open_library();
    Author a = {0};
    int64_t i64 = 0;
    bool b = false;
    rl_rows *rows = NULL;
    rl_plan *plan = NULL;
    char *s = NULL;
    const rl_model *models[] = {&Author_model};
    assert_int_equal(rl_open(NULL, "x", NULL), RL_EINVAL);
    assert_int_equal(rl_open_ex(NULL, "x", NULL, NULL, 0), RL_EINVAL);
    assert_int_equal(rl_close(NULL), RL_OK);
    assert_int_equal(rl_last_error(NULL)->code, RL_EINVAL);
    assert_non_null(rl_errmsg(NULL));
    assert_int_equal(rl_db_profile(NULL), RL_PROFILE_FROM_ENV);
    assert_null(rl_sqlite3(NULL));
    assert_int_equal(rl_profile_parse(NULL, NULL), RL_EINVAL);
    assert_int_equal(rl_profile_parse("dev", NULL), RL_EINVAL);
    assert_int_equal(rl_begin(NULL), RL_EINVAL);
    assert_int_equal(rl_commit(NULL), RL_EINVAL);
    assert_int_equal(rl_rollback(NULL), RL_EINVAL);
    assert_int_equal(rl_txn_depth(NULL), RL_EINVAL);
    assert_int_equal(rl_exec(NULL, "SELECT 1", NULL, 0, NULL), RL_EINVAL);
    assert_int_equal(rl_exec(db, NULL, NULL, 0, NULL), RL_EINVAL);
    assert_int_equal(rl_exec(db, "SELECT ?", NULL, 1, NULL), RL_EINVAL);
    assert_int_equal(rl_query_int(NULL, "SELECT 1", NULL, 0, &i64), RL_EINVAL);
    assert_int_equal(rl_query_int(db, NULL, NULL, 0, &i64), RL_EINVAL);
    assert_int_equal(rl_query_int(db, "SELECT 1", NULL, 0, NULL), RL_EINVAL);
    assert_int_equal(rl_model_validate(NULL, &Author_model), RL_EINVAL);
    assert_int_equal(rl_model_validate(db, NULL), RL_EINVAL);
    assert_int_equal(rl_create_all(NULL, models, 1), RL_EINVAL);
    assert_int_equal(rl_create_all(db, NULL, 1), RL_EINVAL);
    assert_int_equal(rl_create_table(NULL, &Author_model), RL_EINVAL);
    assert_int_equal(rl_create_table(db, NULL), RL_EINVAL);
    assert_int_equal(rl_schema_sql(NULL, models, 1, &s), RL_EINVAL);
    assert_int_equal(rl_schema_sql(db, models, 1, NULL), RL_EINVAL);
    assert_null(rl_model_table(NULL, &Author_model));
    assert_null(rl_model_table(db, NULL));
    assert_int_equal(rl_insert(NULL, &Author_model, &a), RL_EINVAL);
    assert_int_equal(rl_insert(db, NULL, &a), RL_EINVAL);
    assert_int_equal(rl_insert(db, &Author_model, NULL), RL_EINVAL);
    assert_int_equal(rl_insert_many(NULL, &Author_model, &a, 1), RL_EINVAL);
    assert_int_equal(rl_insert_many(db, &Author_model, NULL, 1), RL_EINVAL);
    assert_int_equal(rl_get(NULL, &Author_model, 1, &a), RL_EINVAL);
    assert_int_equal(rl_get(db, &Author_model, 1, NULL), RL_EINVAL);
    rl_row_free(NULL, &a);
    rl_row_free(&Author_model, NULL);
    assert_int_equal(rl_update(NULL, &Author_model, &a), RL_EINVAL);
    assert_int_equal(rl_update(db, &Author_model, NULL), RL_EINVAL);
    assert_int_equal(rl_update_fields(NULL, &Author_model, &a, NULL), RL_EINVAL);
    assert_int_equal(rl_update_fields(db, &Author_model, &a, NULL), RL_EINVAL);
    assert_int_equal(rl_delete(NULL, &Author_model, 1), RL_EINVAL);
    assert_int_equal(rl_delete(db, NULL, 1), RL_EINVAL);
    assert_int_equal(rl_update_pk(NULL, &Author_model, 1, 2), RL_EINVAL);
    assert_int_equal(rl_update_pk(db, NULL, 1, 2), RL_EINVAL);
    assert_null(rl_select(NULL, &Author_model));
    rl_query_free(NULL);
    assert_int_equal(rl_where(NULL, "name", RL_EQ, rl_int(1)), RL_EINVAL);
    assert_int_equal(rl_where_in(NULL, "name", NULL, 0, false), RL_EINVAL);
    assert_int_equal(rl_any(NULL), RL_EINVAL);
    assert_int_equal(rl_all(NULL), RL_EINVAL);
    assert_int_equal(rl_end(NULL), RL_EINVAL);
    assert_int_equal(rl_order_by(NULL, "name", RL_ASC), RL_EINVAL);
    assert_int_equal(rl_limit(NULL, 1), RL_EINVAL);
    assert_int_equal(rl_offset(NULL, 1), RL_EINVAL);
    assert_int_equal(rl_fetch_all(NULL, &rows), RL_EINVAL);
    assert_int_equal(rl_fetch_first(NULL, &a), RL_EINVAL);
    assert_int_equal(rl_fetch_one(NULL, &a), RL_EINVAL);
    assert_int_equal(rl_count(NULL, &i64), RL_EINVAL);
    assert_int_equal(rl_exists(NULL, &b), RL_EINVAL);
    assert_int_equal(rl_update_where(NULL, NULL, 0, NULL), RL_EINVAL);
    assert_int_equal(rl_delete_where(NULL, NULL), RL_EINVAL);
    assert_string_equal(rl_query_sql(NULL), "");
    rl_rows_free(NULL);
    rl_query *q = rl_select(db, &Author_model);
    assert_int_equal(rl_where_in(q, "name", NULL, 2, false), RL_EINVAL);
    rl_query_free(q);
    q = rl_select(db, &Author_model);
    assert_int_equal(rl_fetch_all(q, NULL), RL_EINVAL);
    assert_int_equal(rl_fetch_first(q, NULL), RL_EINVAL);
    assert_int_equal(rl_fetch_one(q, NULL), RL_EINVAL);
    assert_int_equal(rl_count(q, NULL), RL_EINVAL);
    assert_int_equal(rl_exists(q, NULL), RL_EINVAL);
    assert_int_equal(rl_update_where(q, NULL, 1, NULL), RL_EINVAL);
    rl_query_free(q);
    q = rl_select(db, NULL);
    assert_non_null(q);
    assert_int_equal(rl_count(q, &i64), RL_EINVAL);
    rl_query_free(q);
    assert_int_equal(rl_check(NULL, no_finding, NULL, NULL), RL_EINVAL);
    assert_int_equal(rl_check_ex(NULL, NULL, no_finding, NULL, NULL), RL_EINVAL);
    assert_int_equal(rl_plan_new(NULL, "", &plan), RL_EINVAL);
    assert_int_equal(rl_plan_new(db, NULL, &plan), RL_EINVAL);
    assert_int_equal(rl_plan_new(db, "", NULL), RL_EINVAL);
    assert_int_equal(rl_plan_from_models(NULL, models, 1, &plan), RL_EINVAL);
    assert_int_equal(rl_plan_from_models(db, models, 1, NULL), RL_EINVAL);
    rl_plan_free(NULL);
    assert_true(rl_plan_is_empty(NULL));
    assert_string_equal(rl_plan_summary(NULL), "");
    assert_string_equal(rl_plan_sql(NULL), "");
    assert_string_equal(rl_plan_data_loss(NULL), "");
    assert_int_equal(rl_plan_apply(NULL, NULL, NULL), RL_EINVAL);
    assert_int_equal(rl_plan_apply(db, NULL, NULL), RL_EINVAL);
    assert_int_equal(rl_migrate(NULL, "", NULL), RL_EINVAL);
    assert_int_equal(rl_migrate(db, NULL, NULL), RL_EINVAL);
    assert_int_equal(rl_migrate_models(NULL, models, 1, NULL), RL_EINVAL);
    assert_int_equal(rl_migrate_models(db, NULL, 1, NULL), RL_EINVAL);
    assert_int_equal(rl_schema_dump(NULL, &s), RL_EINVAL);
    assert_int_equal(rl_schema_dump(db, NULL), RL_EINVAL);
    assert_non_null(rl_code_name(12345));
    assert_non_null(rl_action_name((rl_action)99));
    rl_close(db);
}

static void test_not_a_database_message_is_clean(void **state)
{
    (void)state;
    const char *p = path_of("text.db");
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    for (int i = 0; i < 200; i++)
        fputs("this is not a database, just text\n", f);
    fclose(f);
    for (int wal = 0; wal < 2; wal++) {
        char err[512];
        memset(err, 0x7f, sizeof err);
        err[sizeof err - 1] = '\0';
        rl_db *db = NULL;
        rl_options o = {.no_wal = wal == 0};
        int rc = rl_open_ex(&db, p, &o, err, sizeof err);
        if (rc == RL_OK) {
            int64_t n;
            rc = rl_query_int(db, "SELECT count(*) FROM sqlite_schema", NULL, 0, &n);
            snprintf(err, sizeof err, "%s", rl_errmsg(db));
            rl_close(db);
        }
        assert_int_equal(rc, RL_ECORRUPT);
        for (const char *c = err; *c; c++)
            if ((unsigned char)*c < 0x20 || (unsigned char)*c >= 0x7f)
                fail_msg("byte 0x%02x in the message '%s'", (unsigned char)*c, err);
    }
}

static void test_last_error_has_no_leftovers(void **state)
{
    (void)state;
    rl_db *db = open_library();
    Author a = {.name = "A", .email = "same@example.org"},
           b = {.name = "B", .email = "same@example.org"};
    assert_int_equal(rl_insert(db, &Author_model, &a), RL_OK);
    assert_int_equal(rl_insert(db, &Author_model, &b), RL_EUNIQUE);
    assert_string_equal(rl_last_error(db)->column, "email");
    /* the value is an SQL literal, as everywhere else: quotes doubled */
    Author c = {.name = "C", .email = "o'brien@example.org"}, d = c;
    assert_int_equal(rl_insert(db, &Author_model, &c), RL_OK);
    assert_int_equal(rl_insert(db, &Author_model, &d), RL_EUNIQUE);
    assert_contains(rl_errmsg(db), "email = 'o''brien@example.org' already exists in authors");
    assert_int_equal(rl_commit(db), RL_EMISUSE);
    const rl_error *e = rl_last_error(db);
    assert_string_equal(e->table, "");
    assert_string_equal(e->column, "");
    assert_int_equal(e->engine_code, 0);
    assert_string_equal(e->fk.child_table, "");
    Book k = {.title = "T", .author_id = 999};
    assert_int_equal(rl_insert(db, &Book_model, &k), RL_EFOREIGNKEY);
    assert_int_equal(rl_rollback(db), RL_EMISUSE);
    assert_string_equal(rl_last_error(db)->fk.child_table, "");
    assert_string_equal(rl_last_error(db)->fk.value, "");
    rl_close(db);
}

static void test_raw_sql_cannot_switch_keys_off(void **state)
{
    (void)state;
    rl_db *db = open_library();
    static const char *const refused[] = {
        "PRAGMA foreign_keys = OFF",     "PRAGMA foreign_keys = 0",
        "pragma main.foreign_keys='no'", "PRAGMA ignore_check_constraints = ON",
        "PRAGMA writable_schema = 1",    "SELECT 1; PRAGMA foreign_keys = false",
    };
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        assert_int_equal(rl_exec(db, refused[i], NULL, 0, NULL), RL_EREFUSED);
        assert_contains(rl_errmsg(db), "is refused");
        assert_int_equal(scalar(db, "PRAGMA foreign_keys"), 1);
    }
    int64_t v;
    assert_int_equal(rl_query_int(db, "PRAGMA foreign_keys = OFF", NULL, 0, &v), RL_EREFUSED);
    assert_int_equal(rl_exec(db, "PRAGMA foreign_keys = ON", NULL, 0, NULL), RL_OK);
    assert_int_equal(rl_exec(db, "PRAGMA defer_foreign_keys = ON", NULL, 0, NULL), RL_OK);
    assert_int_equal(scalar(db, "PRAGMA foreign_keys"), 1);
    assert_int_equal(scalar(db, "PRAGMA ignore_check_constraints"), 0);
    rl_close(db);
}

typedef struct {
    int64_t pk;
    char *status;
    rl_maybe_int rank;
    char *note;
} Post;
static const rl_field post_fields[] = {
    RL_TEXT(Post, status, .default_sql = "'draft'"),
    RL_INT(Post, rank, .default_sql = "7"),
    RL_TEXT(Post, note, .nullable = true),
};
static const rl_model Post_model = RL_MODEL(Post, "posts", post_fields);

static void test_defaults_apply_and_read_back(void **state)
{
    (void)state;
    rl_db *db = open_library();
    assert_int_equal(rl_create_table(db, &Post_model), RL_OK);
    Post p = {0};
    assert_int_equal(rl_insert(db, &Post_model, &p), RL_OK);
    assert_non_null(p.status);
    assert_string_equal(p.status, "draft");
    assert_true(p.rank.present);
    assert_int_equal(p.rank.value, 7);
    assert_null(p.note);
    free(p.status);
    Post q = {.status = "live", .rank = RL_SOME(1)};
    assert_int_equal(rl_insert(db, &Post_model, &q), RL_OK);
    assert_int_equal(scalar(db, "SELECT count(*) FROM posts WHERE status = 'live' AND rank = 1"),
                     1);
    assert_int_equal(scalar(db, "SELECT count(*) FROM posts WHERE status = 'draft' AND rank = 7"),
                     1);
    rl_close(db);
}

typedef struct {
    int64_t pk;
    char *a;
    char *b;
} Ix;
static const rl_field ix_fields[] = {RL_TEXT(Ix, a), RL_TEXT(Ix, b)};
static const char *const ix_ab[] = {"a", "b", NULL};
static const char *const ix_aa[] = {"a", "a", NULL};
static const rl_index dup_names[] = {{.name = "ix_same", .fields = ix_ab},
                                     {.name = "ix_same", .fields = ix_ab}};
static const rl_index table_named[] = {{.name = "ixes", .fields = ix_ab}};
static const rl_index twice[] = {{.name = "ix_twice", .fields = ix_aa}};
static const rl_index cross1[] = {{.name = "ix_shared", .fields = ix_ab}};
static const rl_model Ix_dup = RL_MODEL(Ix, "ixes", ix_fields, RL_INDEXES(dup_names));
static const rl_model Ix_table = RL_MODEL(Ix, "ixes", ix_fields, RL_INDEXES(table_named));
static const rl_model Ix_twice = RL_MODEL(Ix, "ixes", ix_fields, RL_INDEXES(twice));
static const rl_model Ix_c1 = RL_MODEL(Ix, "ix_one", ix_fields, RL_INDEXES(cross1));
static const rl_model Ix_c2 = RL_MODEL(Ix, "ix_two", ix_fields, RL_INDEXES(cross1));

static void test_index_declarations_validated(void **state)
{
    (void)state;
    rl_db *db = open_library();
    assert_int_equal(rl_model_validate(db, &Ix_dup), RL_EMODEL_INDEX_DUPLICATE);
    assert_int_equal(rl_model_validate(db, &Ix_table), RL_EMODEL_INDEX_NAME);
    assert_int_equal(rl_model_validate(db, &Ix_twice), RL_EMODEL_INDEX_COLUMN);
    assert_contains(rl_errmsg(db), "lists column 'a' twice");
    const rl_model *both[] = {&Ix_c1, &Ix_c2};
    assert_int_equal(rl_create_all(db, both, 2), RL_EMODEL_INDEX_DUPLICATE);
    assert_int_equal(scalar(db, "SELECT count(*) FROM sqlite_schema WHERE name LIKE 'ix_%'"), 0);
    rl_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_copy_keeps_extreme_rowids),
        cmocka_unit_test(test_type_change_compared_by_value),
        cmocka_unit_test(test_empty_target_refused),
        cmocka_unit_test(test_no_flag_helps_not_null_without_default),
        cmocka_unit_test(test_unchecked_key_is_a_failure),
        cmocka_unit_test(test_new_violation_on_row_with_old_one),
        cmocka_unit_test(test_without_rowid_new_violation),
        cmocka_unit_test(test_many_old_orphans),
        cmocka_unit_test(test_damaged_file_refused),
        cmocka_unit_test(test_damage_check_under_an_exclusive_lock),
        cmocka_unit_test(test_stored_sql_runs_as_one_statement),
        cmocka_unit_test(test_schema_text_is_guarded),
        cmocka_unit_test(test_quoted_and_crafted_names),
        cmocka_unit_test(test_long_names_are_not_confused),
        cmocka_unit_test(test_names_in_messages_are_escaped),
        cmocka_unit_test(test_virtual_tables),
        cmocka_unit_test(test_composite_and_without_rowid_messages),
        cmocka_unit_test(test_every_bad_key_and_one_sentence),
        cmocka_unit_test(test_null_handles),
        cmocka_unit_test(test_not_a_database_message_is_clean),
        cmocka_unit_test(test_last_error_has_no_leftovers),
        cmocka_unit_test(test_raw_sql_cannot_switch_keys_off),
        cmocka_unit_test(test_defaults_apply_and_read_back),
        cmocka_unit_test(test_index_declarations_validated),
    };
    return cmocka_run_group_tests(tests, tmpdir_setup, tmpdir_teardown);
}

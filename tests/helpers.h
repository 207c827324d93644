/* Shared fixtures of the tests: a small library schema and a fresh test-profile database. */
#ifndef REFLITE_TEST_HELPERS_H
#define REFLITE_TEST_HELPERS_H

#include <reflite.h>
#include <reflite/sqlite.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sqlite3.h>
#include <unistd.h>

typedef struct {
    int64_t pk;
    char *name;
    char *email;
} Author;

typedef struct {
    int64_t pk;
    char *title;
    int64_t author_id;
    rl_maybe_int year;
    double price;
    bool in_print;
} Book;

static const rl_field author_fields[] = {
    RL_TEXT(Author, name),
    RL_TEXT(Author, email, .unique = true, .nullable = true),
};
static const rl_model Author_model = RL_MODEL(Author, "authors", author_fields);

static const rl_field book_fields[] = {
    RL_TEXT(Book, title, .check_sql = "length(title) > 0"),
    RL_FOREIGN_KEY(Book, author_id, &Author_model, .on_delete = RL_CASCADE,
                   .on_update = RL_CASCADE),
    RL_INT(Book, year),
    RL_REAL(Book, price, .default_sql = "0"),
    RL_BOOL(Book, in_print, .default_sql = "1"),
};
static const rl_model Book_model = RL_MODEL(Book, "books", book_fields);

/* ---- the engine under test ------------------------------------------------------------ *
 *
 * Every API suite runs twice from this one source: on SQLite, and on PostgreSQL when
 * REFLITE_TEST_PG names the state file of the throw-away server the suite started
 * (tests/pg_server.sh; its second line is the URL).  On PostgreSQL the URL becomes
 * REFLITE_DATABASE, so that open_library's test-profile open lands in a fresh schema of its
 * own there, dropped at close.  Tests of SQLite's own mechanics (files, pragmas, the raw
 * handle) form a second group that runs on SQLite only, and the suite says so.
 */
static char test_pg_url[600];

static inline bool on_pg(void)
{
    return test_pg_url[0] != '\0';
}

/* 0, or -1 after saying why the server named by REFLITE_TEST_PG cannot be used. */
static inline int engine_init(void)
{
    const char *file = getenv("REFLITE_TEST_PG");
    if (!file || !*file) return 0;
    FILE *f = fopen(file, "r");
    char line[600];
    for (int i = 0; f && i < 2 && fgets(line, sizeof line, f); i++)
        if (i == 1)
            snprintf(test_pg_url, sizeof test_pg_url, "%.*s", (int)strcspn(line, "\n"), line);
    if (f) fclose(f);
    if (!test_pg_url[0]) {
        fprintf(stderr,
                "REFLITE_TEST_PG=%s holds no server URL: the PostgreSQL server did not "
                "start (see the pg_start test's output)\n",
                file);
        return -1;
    }
    setenv("REFLITE_DATABASE", test_pg_url, 1);
    return 0;
}

/* Run the suite's engine-neutral tests, then (on SQLite) its SQLite-only ones; each group
 * with setup and teardown (may be NULL). */
#define run_suites_with(both, sqlite_only, setup, teardown)                                        \
    (engine_init() != 0 ? 1                                                                        \
     : on_pg() ? (printf("PostgreSQL at %s; %zu SQLite-only tests run in the SQLite suite\n",      \
                         test_pg_url, sizeof(sqlite_only) / sizeof(sqlite_only)[0]),               \
                  cmocka_run_group_tests_name("postgres", both, setup, teardown))                  \
               : cmocka_run_group_tests_name("sqlite", both, setup, teardown) +                    \
                     cmocka_run_group_tests_name("sqlite only", sqlite_only, setup, teardown))
#define run_suites(both, sqlite_only) run_suites_with(both, sqlite_only, NULL, NULL)

/* A suite whose tests all run on both engines. */
#define run_suite(both)                                                                            \
    (engine_init() != 0                                                                            \
         ? 1                                                                                       \
         : cmocka_run_group_tests_name(on_pg() ? "postgres" : "sqlite", both, NULL, NULL))

/* A fresh private database (test profile) with authors and books. */
static inline rl_db *open_library(void)
{
    rl_db *db = NULL;
    rl_options o = {.profile = RL_PROFILE_TEST};
    assert_int_equal(rl_open(&db, NULL, &o), RL_OK);
    const rl_model *models[] = {&Book_model, &Author_model};
    assert_int_equal(rl_create_all(db, models, 2), RL_OK);
    return db;
}

static inline int64_t add_author(rl_db *db, const char *name)
{
    Author a = {.name = (char *)name};
    assert_int_equal(rl_insert(db, &Author_model, &a), RL_OK);
    return a.pk;
}

static inline int64_t add_book(rl_db *db, const char *title, int64_t author)
{
    Book b = {.title = (char *)title, .author_id = author};
    assert_int_equal(rl_insert(db, &Book_model, &b), RL_OK);
    return b.pk;
}

static inline int64_t scalar(rl_db *db, const char *sql)
{
    int64_t v = -1;
    assert_int_equal(rl_query_int(db, sql, NULL, 0, &v), RL_OK);
    return v;
}

/* ---- the catalog, asked the same on both engines ---------------------------------------- */

/* Tables (without the engine's own) of the database. */
static inline int64_t table_count(rl_db *db)
{
    return scalar(db, on_pg() ? "SELECT count(*) FROM pg_tables WHERE schemaname = "
                                "current_schema()"
                              : "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND "
                                "name NOT LIKE 'sqlite_%'");
}

/* Tables, indexes, views and sequences: everything a schema holds. */
static inline int64_t object_count(rl_db *db)
{
    return scalar(db, on_pg() ? "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid "
                                "= c.relnamespace WHERE n.nspname = current_schema()"
                              : "SELECT count(*) FROM sqlite_schema");
}

/* A statement that would run for minutes on the engine under test (to be interrupted). */
static inline const char *endless_sql(void)
{
    return on_pg() ? "SELECT pg_sleep(300)"
                   : "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < "
                     "100000000000) SELECT count(*) FROM n";
}

/* Whether table has an index called name, unique or not as asked. */
static inline bool has_index(rl_db *db, const char *table, const char *name, bool unique)
{
    rl_value p[] = {rl_text(table), rl_text(name), rl_int(unique)};
    int64_t n = -1;
    const char *sql = on_pg() ? "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = "
                                "i.indexrelid WHERE i.indrelid = to_regclass(?1) AND c.relname = "
                                "?2 AND i.indisunique = (?3 = 1)"
                              : "SELECT count(*) FROM pragma_index_list(?1) WHERE name = ?2 AND "
                                "\"unique\" = ?3";
    assert_int_equal(rl_query_int(db, sql, p, 3, &n), RL_OK);
    return n == 1;
}

/* Indexes of table that cover column. */
static inline int64_t indexes_on(rl_db *db, const char *table, const char *column)
{
    rl_value p[] = {rl_text(table), rl_text(column)};
    int64_t n = -1;
    const char *sql = on_pg() ? "SELECT count(*) FROM pg_index i JOIN pg_attribute a ON "
                                "a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey) WHERE "
                                "i.indrelid = to_regclass(?1) AND a.attname = ?2"
                              : "SELECT count(*) FROM pragma_index_list(?1) i, "
                                "pragma_index_info(i.name) c WHERE c.name = ?2";
    assert_int_equal(rl_query_int(db, sql, p, 2, &n), RL_OK);
    return n;
}

/* ---- a temporary directory of file databases, for the tests that need real files ---- */

static char test_dir[256];

static inline int tmpdir_setup(void **state)
{
    (void)state;
    snprintf(test_dir, sizeof test_dir, "/tmp/reflite-test-XXXXXX");
    return mkdtemp(test_dir) ? 0 : -1;
}

static inline int tmpdir_teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", test_dir);
    return system(cmd) == 0 ? 0 : -1;
}

static inline const char *path_of(const char *name)
{
    static char p[512];
    snprintf(p, sizeof p, "%s/%s", test_dir, name);
    return p;
}

/* A file database holding sql, loaded with keys off through the raw handle: fixtures hold
 * violations and crafted rows on purpose, and reflite's own rl_exec refuses that pragma. */
static inline rl_db *db_with(const char *name, const char *sql)
{
    const char *path = path_of(name);
    unlink(path);
    rl_db *db;
    assert_int_equal(rl_open(&db, path, NULL), RL_OK); /* WAL: real transactions */
    sqlite3 *h = rl_sqlite3(db);
    assert_int_equal(sqlite3_exec(h, "PRAGMA foreign_keys = OFF", NULL, NULL, NULL), SQLITE_OK);
    if (sqlite3_exec(h, sql, NULL, NULL, NULL) != SQLITE_OK)
        fail_msg("fixture: %s", sqlite3_errmsg(h));
    assert_int_equal(sqlite3_exec(h, "PRAGMA foreign_keys = ON", NULL, NULL, NULL), SQLITE_OK);
    return db;
}

static inline char *dump(rl_db *db)
{
    char *s = NULL;
    if (rl_schema_dump(db, &s) != RL_OK) fail_msg("dump: %s", rl_errmsg(db));
    return s;
}

#define assert_contains(haystack, needle)                                                          \
    do {                                                                                           \
        const char *h_ = (haystack);                                                               \
        if (!strstr(h_, (needle))) fail_msg("'%s' does not contain '%s'", h_, (needle));           \
    } while (0)

#endif

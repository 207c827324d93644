/* Connections: enforced foreign keys, pragmas, profiles, transactions, raw SQL. */
#include "helpers.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static char tmpdir[256];

static int setup_dir(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/reflite-test-XXXXXX");
    assert_non_null(mkdtemp(tmpdir));
    unsetenv("REFLITE_ENV");
    if (!on_pg()) unsetenv("REFLITE_DATABASE"); /* on PostgreSQL: the server's URL */
    return 0;
}

static int remove_dir(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static void path_in_tmp(char *buf, size_t n, const char *name)
{
    snprintf(buf, n, "%s/%s", tmpdir, name);
}

static const char *pragma(rl_db *db, const char *sql, char *buf, size_t n)
{
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(rl_sqlite3(db), sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    snprintf(buf, n, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return buf;
}

static void test_file_db_has_fk_wal_and_timeout(void **state)
{
    (void)state;
    char path[300], buf[64];
    path_in_tmp(path, sizeof path, "app.db");
    rl_db *db;
    rl_options o = {.profile = RL_PROFILE_DEVELOPMENT, .busy_timeout_ms = 1234};
    assert_int_equal(rl_open(&db, path, &o), RL_OK);
    assert_string_equal(pragma(db, "PRAGMA foreign_keys", buf, sizeof buf), "1");
    assert_string_equal(pragma(db, "PRAGMA journal_mode", buf, sizeof buf), "wal");
    assert_string_equal(pragma(db, "PRAGMA synchronous", buf, sizeof buf), "1"); /* NORMAL */
    assert_int_equal(rl_close(db), RL_OK);

    o.no_wal = true;
    o.busy_timeout_ms = 0;
    path_in_tmp(path, sizeof path, "nowal.db");
    assert_int_equal(rl_open(&db, path, &o), RL_OK);
    assert_string_equal(pragma(db, "PRAGMA journal_mode", buf, sizeof buf), "delete");
    rl_close(db);
}

/* A u32 of the WAL-index (the -shm file, in the machine's byte order; SQLite's documented
 * layout): at 16 the WAL's last frame (mxFrame), at 96 the frames checkpointed (nBackfill). */
static uint32_t wal_index(const char *path, off_t at)
{
    char shm[320];
    snprintf(shm, sizeof shm, "%s-shm", path);
    FILE *f = fopen(shm, "rb");
    assert_non_null(f);
    uint32_t v = 0;
    assert_int_equal(fseeko(f, at, SEEK_SET), 0);
    assert_int_equal(fread(&v, sizeof v, 1, f), 1);
    fclose(f);
    return v;
}

/* Commits past 1000 pages of WAL while another connection keeps reading (each time a newer
 * snapshot, as connections writing in turn do): the checkpoint, which then cannot start the
 * WAL again, runs once for every 1000 pages it grows, not at every commit (each one syncs the
 * file); once no one reads, the WAL starts again from its beginning. */
static void test_wal_checkpoints_are_spaced(void **state)
{
    (void)state;
    if (on_pg()) skip();
    char path[300];
    path_in_tmp(path, sizeof path, "spaced.db");
    rl_db *db;
    rl_options o = {.profile = RL_PROFILE_DEVELOPMENT};
    assert_int_equal(rl_open(&db, path, &o), RL_OK);
    assert_int_equal(rl_exec(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB)", NULL, 0, NULL),
                     RL_OK);
    sqlite3 *reader;
    assert_int_equal(sqlite3_open_v2(path, &reader, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    uint32_t backfilled = wal_index(path, 96), moves = 0;
    while (wal_index(path, 16) < 3500) {
        assert_int_equal(sqlite3_exec(reader, "BEGIN; SELECT count(*) FROM t", NULL, NULL, NULL),
                         SQLITE_OK);
        assert_int_equal(rl_exec(db, "INSERT INTO t (v) VALUES (zeroblob(3000))", NULL, 0, NULL),
                         RL_OK);
        assert_int_equal(sqlite3_exec(reader, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
        uint32_t now = wal_index(path, 96);
        moves += now != backfilled;
        backfilled = now;
    }
    assert_true(moves >= 2 && moves <= 4); /* at about 1000, 2000 and 3000 pages */
    int64_t next = 0;
    assert_int_equal(rl_query_int(db, "SELECT reflite_wal_next()", NULL, 0, &next), RL_OK);
    assert_true(next > 3500 && next <= 4600);
    sqlite3_close(reader);
    /* no reader: the next checkpoint lets the WAL start again */
    for (int i = 0; i < 1200 && wal_index(path, 16) >= 1000; i++)
        assert_int_equal(rl_exec(db, "INSERT INTO t (v) VALUES (zeroblob(3000))", NULL, 0, NULL),
                         RL_OK);
    assert_true(wal_index(path, 16) < 1000);
    rl_close(db);
}

static void test_memory_db_enforces_fk(void **state)
{
    (void)state;
    rl_db *db;
    char buf[16];
    assert_int_equal(rl_open(&db, ":memory:", NULL), RL_OK);
    assert_string_equal(pragma(db, "PRAGMA foreign_keys", buf, sizeof buf), "1");
    rl_close(db);
}

static void test_profile_from_env(void **state)
{
    (void)state;
    char path[300];
    path_in_tmp(path, sizeof path, "env.db");
    setenv("REFLITE_DATABASE", path, 1);
    setenv("REFLITE_ENV", "production", 1);
    rl_db *db = NULL;
    char err[256] = "";
    /* Production does not create a missing database. */
    assert_int_equal(rl_open_ex(&db, NULL, NULL, err, sizeof err), RL_ECANTOPEN);
    assert_null(db);
    assert_contains(err, "does not exist");
    assert_int_equal(access(path, F_OK), -1);

    setenv("REFLITE_ENV", "development", 1);
    assert_int_equal(rl_open(&db, NULL, NULL), RL_OK);
    assert_int_equal(rl_db_profile(db), RL_PROFILE_DEVELOPMENT);
    rl_close(db);
    assert_int_equal(access(path, F_OK), 0);

    setenv("REFLITE_ENV", "prod", 1);
    assert_int_equal(rl_open(&db, NULL, NULL), RL_OK);
    assert_int_equal(rl_db_profile(db), RL_PROFILE_PRODUCTION);
    char buf[16];
    assert_string_equal(pragma(db, "PRAGMA synchronous", buf, sizeof buf), "2"); /* FULL */
    rl_close(db);

    setenv("REFLITE_ENV", "staging", 1);
    assert_int_equal(rl_open_ex(&db, NULL, NULL, err, sizeof err), RL_EINVAL);
    assert_contains(err, "staging");
    unsetenv("REFLITE_ENV");
    unsetenv("REFLITE_DATABASE");
}

static void test_test_profile_is_fresh_and_leaves_nothing(void **state)
{
    (void)state;
    char path[300];
    path_in_tmp(path, sizeof path, "shared.db");
    const char *target = on_pg() ? test_pg_url : path; /* one file, or one server */
    rl_options o = {.profile = RL_PROFILE_TEST};
    rl_db *a, *b;
    assert_int_equal(rl_open(&a, target, &o), RL_OK);
    assert_int_equal(rl_open(&b, target, &o), RL_OK);
    /* the engine a target names, and the one a connection runs on */
    assert_int_equal(rl_target_is_server(target), on_pg());
    assert_false(rl_target_is_server(path));
    assert_true(rl_target_is_server("POSTGRES://h/db"));
    assert_false(rl_target_is_server(NULL));
    assert_string_equal(rl_db_engine(a), on_pg() ? "postgresql" : "sqlite");
    assert_string_equal(rl_db_engine(NULL), "");
    assert_int_equal(rl_create_table(a, &Author_model), RL_OK);
    add_author(a, "only in a");
    int64_t schema_oid = on_pg() ? scalar(a, "SELECT oid FROM pg_namespace WHERE nspname = "
                                             "current_schema()")
                                 : 0;
    /* b shares nothing with a, although both named the same database. */
    assert_int_equal(rl_exec(b, "SELECT * FROM authors", NULL, 0, NULL), RL_ESCHEMA);
    assert_contains(rl_errmsg(b), on_pg() ? "does not exist" : "no such table");
    rl_close(a);
    rl_close(b);
    if (on_pg()) { /* a's schema is gone */
        rl_db *c;
        assert_int_equal(rl_open(&c, target, NULL), RL_OK);
        rl_value p[] = {rl_int(schema_oid)};
        int64_t n = -1;
        assert_int_equal(
            rl_query_int(c, "SELECT count(*) FROM pg_namespace WHERE oid = ?1", p, 1, &n), RL_OK);
        assert_int_equal(n, 0);
        rl_close(c);
    } else {
        assert_int_equal(access(path, F_OK), -1);
    }
    /* A new open starts empty again. */
    assert_int_equal(rl_open(&a, target, &o), RL_OK);
    assert_int_equal(object_count(a), 0);
    rl_close(a);
}

static void test_profile_parse(void **state)
{
    (void)state;
    rl_profile p;
    assert_int_equal(rl_profile_parse("Test", &p), RL_OK);
    assert_int_equal(p, RL_PROFILE_TEST);
    assert_int_equal(rl_profile_parse("dev", &p), RL_OK);
    assert_int_equal(p, RL_PROFILE_DEVELOPMENT);
    assert_int_equal(rl_profile_parse("live", &p), RL_EINVAL);
    assert_string_equal(rl_profile_name(RL_PROFILE_PRODUCTION), "production");
}

static void test_open_errors(void **state)
{
    (void)state;
    rl_db *db = (rl_db *)1;
    char err[256];
    assert_int_equal(rl_open_ex(&db, "/nonexistent-dir/x/y.db", NULL, err, sizeof err),
                     RL_ECANTOPEN);
    assert_null(db);
    assert_contains(err, "/nonexistent-dir/x/y.db");
    assert_int_equal(rl_close(NULL), RL_OK);
}

static void test_nested_transactions(void **state)
{
    (void)state;
    rl_db *db = open_library();
    assert_int_equal(rl_begin(db), RL_OK);
    add_author(db, "outer");
    assert_int_equal(rl_begin(db), RL_OK);
    assert_int_equal(rl_txn_depth(db), 2);
    add_author(db, "inner");
    assert_int_equal(rl_rollback(db), RL_OK); /* undoes only "inner" */
    assert_int_equal(rl_begin(db), RL_OK);
    add_author(db, "inner kept");
    assert_int_equal(rl_commit(db), RL_OK);
    assert_int_equal(rl_commit(db), RL_OK);
    assert_int_equal(rl_txn_depth(db), 0);
    assert_int_equal(scalar(db, "SELECT count(*) FROM authors"), 2);
    assert_int_equal(scalar(db, "SELECT count(*) FROM authors WHERE name = 'inner'"), 0);
    assert_int_equal(rl_commit(db), RL_EMISUSE);
    assert_int_equal(rl_rollback(db), RL_EMISUSE);
    rl_close(db);
}

/* A failed call inside a nested level, rolled back, leaves the outer transaction as it was
 * (on both engines).  Without the nested level, SQLite undoes only the failed statement,
 * while PostgreSQL aborts the whole transaction and says so. */
static void test_failed_call_undoes_only_itself(void **state)
{
    (void)state;
    rl_db *db = open_library();
    assert_int_equal(rl_begin(db), RL_OK);
    int64_t a = add_author(db, "kept");
    Book bad = {.title = "x", .author_id = 4242};
    assert_int_equal(rl_begin(db), RL_OK);
    assert_int_equal(rl_insert(db, &Book_model, &bad), RL_EFOREIGNKEY);
    assert_int_equal(rl_rollback(db), RL_OK);
    if (on_pg()) {
        assert_int_equal(rl_insert(db, &Book_model, &bad), RL_EFOREIGNKEY);
        assert_contains(rl_errmsg(db), "The transaction is aborted");
        assert_int_equal(rl_rollback(db), RL_OK);
        assert_int_equal(rl_begin(db), RL_OK);
        a = add_author(db, "kept");
    } else {
        assert_int_equal(rl_insert(db, &Book_model, &bad), RL_EFOREIGNKEY);
    }
    add_book(db, "also kept", a);
    assert_int_equal(rl_commit(db), RL_OK);
    assert_int_equal(scalar(db, "SELECT count(*) FROM books"), 1);
    assert_int_equal(scalar(db, "SELECT count(*) FROM authors"), 1);
    rl_close(db);
}

static void test_close_with_open_transaction_rolls_back(void **state)
{
    (void)state;
    char path[300];
    path_in_tmp(path, sizeof path, "txn.db");
    rl_db *db;
    assert_int_equal(rl_open(&db, path, NULL), RL_OK);
    assert_int_equal(rl_create_table(db, &Author_model), RL_OK);
    assert_int_equal(rl_begin(db), RL_OK);
    add_author(db, "never committed");
    assert_int_equal(rl_close(db), RL_ETXN);
    assert_int_equal(rl_open(&db, path, NULL), RL_OK);
    assert_int_equal(scalar(db, "SELECT count(*) FROM authors"), 0);
    rl_close(db);
}

static void test_exec_with_params_and_all_or_nothing(void **state)
{
    (void)state;
    rl_db *db = open_library();
    int64_t changes = 0;
    rl_value p[] = {rl_text("Ann"), rl_text("ann@example.org")};
    assert_int_equal(
        rl_exec(db, "INSERT INTO authors (name, email) VALUES (?1, ?2)", p, 2, &changes), RL_OK);
    assert_int_equal(changes, 1);
    /* Two statements, the second fails: the first is undone too. */
    assert_int_equal(rl_exec(db,
                             "INSERT INTO authors (name) VALUES ('Bob');"
                             "INSERT INTO books (title, author_id) VALUES ('t', 777)",
                             NULL, 0, NULL),
                     RL_EFOREIGNKEY);
    /* the same sentence as the typed API gives */
    assert_contains(rl_errmsg(db), "insert into books: author_id = 777 has no matching row in "
                                   "authors(pk).");
    assert_int_equal(scalar(db, "SELECT count(*) FROM authors"), 1);
    assert_int_equal(rl_exec(db, "SELEC nonsense", NULL, 0, NULL), RL_ERROR);
    assert_contains(rl_errmsg(db), "syntax error");
    assert_contains(rl_errmsg(db), "SELEC");
    int64_t v;
    assert_int_equal(rl_query_int(db, "SELECT 1 WHERE 1 = 0", NULL, 0, &v), RL_ENOTFOUND);
    rl_close(db);
}

typedef struct holder {
    rl_db *db;
    atomic_bool holding;
} holder;

/* Hold the write lock for 30 ms, then commit. */
static void *hold_then_commit(void *arg)
{
    holder *h = arg;
    if (rl_begin(h->db) != RL_OK) return NULL;
    add_author(h->db, "held a moment");
    atomic_store(&h->holding, true);
    struct timespec t = {0, 30 * 1000 * 1000};
    nanosleep(&t, NULL);
    rl_commit(h->db);
    return NULL;
}

/* A write that meets another connection's lock waits for it (within its busy timeout) and
 * then goes through; without a busy handler it is refused at once. */
static void test_busy_waits_its_turn(void **state)
{
    (void)state;
    char path[300];
    path_in_tmp(path, sizeof path, "wait.db");
    rl_options o = {.busy_timeout_ms = 5000}, none = {.busy_timeout_ms = -1};
    rl_db *b, *c;
    holder h = {0};
    assert_int_equal(rl_open(&h.db, path, &o), RL_OK);
    assert_int_equal(rl_open(&b, path, &o), RL_OK);
    assert_int_equal(rl_open(&c, path, &none), RL_OK);
    assert_int_equal(rl_create_table(h.db, &Author_model), RL_OK);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, hold_then_commit, &h), 0);
    while (!atomic_load(&h.holding))
        sched_yield();
    assert_int_equal(rl_begin(c), RL_EBUSY); /* no handler: at once */
    assert_int_equal(rl_begin(b), RL_OK);    /* waits for the commit */
    add_author(b, "after the wait");
    assert_int_equal(rl_commit(b), RL_OK);
    pthread_join(t, NULL);
    int64_t n = 0;
    rl_query *q = rl_select(b, &Author_model);
    assert_int_equal(rl_count(q, &n), RL_OK);
    rl_query_free(q);
    assert_int_equal(n, 2);
    rl_close(c);
    rl_close(b);
    rl_close(h.db);
}

static void test_busy_is_reported(void **state)
{
    (void)state;
    char path[300];
    path_in_tmp(path, sizeof path, "busy.db");
    rl_db *a, *b;
    rl_options o = {.busy_timeout_ms = 50};
    assert_int_equal(rl_open(&a, path, &o), RL_OK);
    assert_int_equal(rl_open(&b, path, &o), RL_OK);
    assert_int_equal(rl_create_table(a, &Author_model), RL_OK);
    assert_int_equal(rl_begin(a), RL_OK);
    add_author(a, "holding the write lock");
    assert_int_equal(rl_begin(b), RL_EBUSY);
    assert_contains(rl_errmsg(b), "locked");
    assert_int_equal(rl_commit(a), RL_OK);
    rl_close(a);
    rl_close(b);
}

/* Another connection to the same database sees its rows; one only a connection can see is
 * refused. */
static void test_clone_shares_the_database(void **state)
{
    (void)state;
    rl_db *db, *other = (rl_db *)1;
    rl_options o = {.profile = RL_PROFILE_TEST};
    assert_int_equal(rl_open(&db, NULL, &o), RL_OK);
    assert_int_equal(rl_db_clone(db, &other), RL_EMISUSE);
    assert_null(other);
    assert_contains(rl_errmsg(db), "private store");
    rl_close(db);
    assert_int_equal(rl_db_clone(NULL, &other), RL_EINVAL);

    char path[300];
    path_in_tmp(path, sizeof path, "shared.db");
    o.profile = RL_PROFILE_DEVELOPMENT;
    assert_int_equal(rl_open(&db, on_pg() ? test_pg_url : path, &o), RL_OK);
    assert_int_equal(rl_exec(db,
                             "CREATE TABLE clone_probe (n INTEGER); INSERT INTO clone_probe "
                             "VALUES (42)",
                             NULL, 0, NULL),
                     RL_OK);
    assert_int_equal(rl_db_clone(db, &other), RL_OK);
    int64_t n = 0;
    assert_int_equal(rl_query_int(other, "SELECT n FROM clone_probe", NULL, 0, &n), RL_OK);
    assert_int_equal(n, 42);
    assert_string_equal(rl_db_engine(other), rl_db_engine(db));
    rl_close(other);
    assert_int_equal(rl_exec(db, "DROP TABLE clone_probe", NULL, 0, NULL), RL_OK);
    rl_close(db);
    if (!on_pg()) {
        assert_int_equal(rl_open(&db, ":memory:", NULL), RL_OK);
        assert_int_equal(rl_db_clone(db, &other), RL_EMISUSE);
        assert_contains(rl_errmsg(db), "in memory");
        rl_close(db);
    }
}

/* rl_interrupt from another thread, a moment after the statement started. */
static void *interrupt_soon(void *db)
{
    struct timespec t = {0, 200 * 1000 * 1000};
    nanosleep(&t, NULL);
    rl_interrupt(db);
    return NULL;
}

/* A statement that would run for minutes, stopped from another thread: RL_EINTERRUPTED, and
 * the connection goes on. */
static void test_interrupt_stops_a_statement(void **state)
{
    (void)state;
    rl_db *db;
    rl_options o = {.profile = RL_PROFILE_TEST};
    assert_int_equal(rl_open(&db, NULL, &o), RL_OK);
    for (int round = 0; round < 2; round++) { /* and again on the same connection */
        pthread_t t;
        assert_int_equal(pthread_create(&t, NULL, interrupt_soon, db), 0);
        assert_int_equal(rl_exec(db, endless_sql(), NULL, 0, NULL), RL_EINTERRUPTED);
        pthread_join(t, NULL);
        assert_int_equal(rl_last_error(db)->code, RL_EINTERRUPTED);
        int64_t n = 0;
        assert_int_equal(rl_query_int(db, "SELECT 7", NULL, 0, &n), RL_OK);
        assert_int_equal(n, 7);
    }
    if (!on_pg()) { /* nothing running: nothing stopped later */
        assert_int_equal(rl_interrupt(db), RL_OK);
        int64_t n = 0;
        assert_int_equal(rl_query_int(db, "SELECT 8", NULL, 0, &n), RL_OK);
        assert_int_equal(n, 8);
    }
    assert_int_equal(rl_interrupt(NULL), RL_EINVAL);
    assert_string_equal(rl_code_name(RL_EINTERRUPTED), "RL_EINTERRUPTED");
    rl_close(db);
}

int main(void)
{
    const struct CMUnitTest both[] = {
        cmocka_unit_test(test_test_profile_is_fresh_and_leaves_nothing),
        cmocka_unit_test(test_profile_parse),
        cmocka_unit_test(test_nested_transactions),
        cmocka_unit_test(test_failed_call_undoes_only_itself),
        cmocka_unit_test(test_exec_with_params_and_all_or_nothing),
        cmocka_unit_test(test_clone_shares_the_database),
        cmocka_unit_test(test_interrupt_stops_a_statement),
    };
    const struct CMUnitTest sqlite_only[] = {
        cmocka_unit_test(test_file_db_has_fk_wal_and_timeout), /* pragmas of a file */
        cmocka_unit_test(test_wal_checkpoints_are_spaced),
        cmocka_unit_test(test_memory_db_enforces_fk),
        cmocka_unit_test(test_profile_from_env), /* files per profile */
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_close_with_open_transaction_rolls_back),
        cmocka_unit_test(test_busy_is_reported), /* SQLite's file lock */
        cmocka_unit_test(test_busy_waits_its_turn),
    };
    if (engine_init() != 0) return 1;
    int failed =
        cmocka_run_group_tests_name(on_pg() ? "postgres" : "sqlite", both, setup_dir, remove_dir);
    if (on_pg()) {
        printf("%zu SQLite-only tests run in the SQLite suite\n",
               sizeof sqlite_only / sizeof sqlite_only[0]);
        return failed;
    }
    return failed + cmocka_run_group_tests_name("sqlite only", sqlite_only, setup_dir, remove_dir);
}

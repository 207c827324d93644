/*
 * A PostgreSQL server that goes away and comes back, under a running program and a running
 * HTTP server: the server is restarted (fast shutdown ends every session), stopped and started
 * again, and the connections reflite holds must notice, answer RL_EDISCONNECTED where a call
 * cannot be carried out, and connect again by themselves.
 *
 * The server is one of this test's own (CTest fixture pg_private: tests/pg_server.sh with a
 * state file of its own, stopped even when a test fails), never the one other suites share.
 * REFLITE_TEST_PG names its state file; argv[1] is tests/pg_server.sh, run to restart, halt
 * and resume it.
 *
 * What a caller sees, as docs/guide.md states it:
 *  - outside a transaction, a connection the server ended while it was idle is found ended
 *    before the next statement is sent: that call connects again and succeeds;
 *  - a statement under way when the connection goes fails with RL_EDISCONNECTED, and the next
 *    call outside a transaction connects again;
 *  - inside a transaction the call fails with RL_EDISCONNECTED and the transaction is gone:
 *    every further call in it fails the same way (nothing runs on its own, committed by
 *    itself) until rl_rollback, which succeeds; rl_commit fails and ends it;
 *  - while the server is down, calls fail with RL_EDISCONNECTED at once.
 */
#include "http_client.h"

#include <pthread.h>
#include <stdatomic.h>
#include <sys/wait.h>
#include <time.h>

static const char *script; /* tests/pg_server.sh */

/* Run pg_server.sh action on this test's server; the test fails when it does. */
static void server_ctl(const char *action)
{
    char cmd[1400];
    snprintf(cmd, sizeof cmd, "sh '%s' %s '%s'", script, action, getenv("REFLITE_TEST_PG"));
    int rc = system(cmd);
    if (rc == -1 || !WIFEXITED(rc) || WEXITSTATUS(rc) != 0)
        fail_msg("pg_server.sh %s failed", action);
}

static int64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Each test starts with the server up, also after one that failed while it was down. */
static int server_up(void **state)
{
    (void)state;
    char cmd[1400];
    snprintf(cmd, sizeof cmd, "sh '%s' resume '%s'", script, getenv("REFLITE_TEST_PG"));
    return system(cmd) == 0 ? 0 : -1;
}

/* The oid of the connection's current schema: the test profile's private one. */
static int64_t schema_oid(rl_db *db)
{
    return scalar(db, "SELECT oid::bigint FROM pg_namespace WHERE nspname = current_schema()");
}

static int64_t authors(rl_db *db)
{
    return scalar(db, "SELECT count(*) FROM authors");
}

/* Every kind of statement a connection keeps, used once: the model's own (get, insert), the
 * query cache (a select by shape), a cursor's kept statement, raw SQL's. */
static void use_kept_statements(rl_db *db, int64_t author)
{
    Author got = {0};
    assert_int_equal(rl_get(db, &Author_model, author, &got), RL_OK);
    rl_row_free(&Author_model, &got);
    add_book(db, "A book", author);
    rl_query *q = rl_select(db, &Book_model);
    assert_non_null(q);
    assert_int_equal(rl_where(q, "author_id", RL_EQ, rl_int(author)), RL_OK);
    rl_rows *rows = NULL;
    assert_int_equal(rl_fetch_all(q, &rows), RL_OK);
    assert_true(rows->count >= 1);
    rl_rows_free(rows);
    rl_cursor *c = NULL;
    assert_int_equal(rl_cursor_open(q, &c), RL_OK);
    Book b = {0};
    int n = 0;
    while (rl_cursor_next(c, &b, NULL) == 1)
        n++;
    assert_true(n >= 1);
    rl_cursor_free(c);
    rl_query_free(q);
}

/* (1) A restart while the program holds an idle connection: the next call connects again
 * and succeeds; every statement kept before works, in the same private schema, with the
 * session's settings made again. */
static void test_restart_between_calls_is_invisible(void **state)
{
    (void)state;
    rl_db *db = open_library();
    int64_t a = add_author(db, "Le Guin");
    use_kept_statements(db, a);
    int64_t schema = schema_oid(db);
    for (int round = 0; round < 2; round++) {
        server_ctl("restart");
        Author got = {0};
        if (rl_get(db, &Author_model, a, &got) != RL_OK)
            fail_msg("round %d: the first call after the restart: %s", round, rl_errmsg(db));
        assert_string_equal(got.name, "Le Guin");
        rl_row_free(&Author_model, &got);
        use_kept_statements(db, a);
        assert_int_equal(schema_oid(db), schema);
        /* the settings of the open, made again on the new session */
        assert_int_equal(scalar(db, "SELECT setting::bigint FROM pg_settings WHERE name = "
                                    "'lock_timeout'"),
                         5000);
        assert_int_equal(scalar(db, "SELECT count(*) FROM pg_settings WHERE name = "
                                    "'client_min_messages' AND setting = 'warning'"),
                         1);
        /* a row with its own key moves the identity sequence (a statement of the backend's
         * own, kept since its first use) */
        Author own = {.pk = 1000 + round, .name = "Own key"};
        assert_int_equal(rl_upsert(db, &Author_model, &own, NULL), RL_OK);
        int64_t after = add_author(db, "After");
        if (after <= 1000 + round) fail_msg("round %d: a new key %lld", round, (long long)after);
    }
    assert_int_equal(rl_close(db), RL_OK);
    /* the private schema was dropped at close, as without a restart */
    rl_db *other = NULL;
    rl_options o = {.profile = RL_PROFILE_DEVELOPMENT};
    assert_int_equal(rl_open(&other, NULL, &o), RL_OK);
    rl_value p = rl_int(schema);
    int64_t left = -1;
    assert_int_equal(
        rl_query_int(other, "SELECT count(*) FROM pg_namespace WHERE oid = ?1", &p, 1, &left),
        RL_OK);
    assert_int_equal(left, 0);
    rl_close(other);
}

/* A connection of its own that watches pg_stat_activity. */
typedef struct restarter {
    rl_db *db; /* the connection whose statement is stopped */
    rl_db *watch;
    atomic_bool done;
    bool restarted;
} restarter;

/* Wait until the long statement runs on the server: true then, false when the test is done
 * or a minute passed. */
static bool long_statement_runs(restarter *r)
{
    int64_t deadline = now_ms() + 60000;
    struct timespec tick = {0, 10 * 1000 * 1000};
    for (; !atomic_load(&r->done) && now_ms() < deadline; nanosleep(&tick, NULL)) {
        int64_t n = 0;
        if (rl_query_int(r->watch,
                         "SELECT count(*) FROM pg_stat_activity WHERE (query LIKE "
                         "'%pg_sleep(60)%' OR wait_event = 'PgSleep') AND state = 'active' AND "
                         "pid <> pg_backend_pid()",
                         NULL, 0, &n) == RL_OK &&
            n > 0)
            return true;
    }
    return false;
}

/* Once the long statement runs on the server, restart it. */
static void *restart_when_running(void *arg)
{
    restarter *r = arg;
    if (long_statement_runs(r)) {
        server_ctl("restart");
        r->restarted = true;
    }
    return NULL;
}

/* A statement under way when the server goes: RL_EDISCONNECTED; the next call connects
 * again.  Statements run as one call (in a transaction of the call's own) are all undone:
 * there is no transaction left for the caller to end. */
static void test_statement_under_way_fails_then_next_call_connects(void **state)
{
    (void)state;
    static const char *const sql[] = {
        "SELECT pg_sleep(60)",
        "INSERT INTO authors (name) VALUES ('Half'); SELECT pg_sleep(60)",
    };
    rl_db *db = open_library();
    int64_t a = add_author(db, "Le Guin");
    for (size_t i = 0; i < 2; i++) {
        restarter r = {0};
        rl_options o = {.profile = RL_PROFILE_DEVELOPMENT};
        assert_int_equal(rl_open(&r.watch, NULL, &o), RL_OK);
        pthread_t t;
        assert_int_equal(pthread_create(&t, NULL, restart_when_running, &r), 0);
        int rc = rl_exec(db, sql[i], NULL, 0, NULL);
        atomic_store(&r.done, true);
        pthread_join(t, NULL);
        rl_close(r.watch);
        assert_true(r.restarted);
        if (rc != RL_EDISCONNECTED) fail_msg("%s: %s", rl_code_name(rc), rl_errmsg(db));
        assert_int_equal(rl_last_error(db)->code, RL_EDISCONNECTED);
        assert_contains(rl_errmsg(db), "connection to the PostgreSQL server was lost");
        if (strstr(rl_errmsg(db), "rl_rollback")) fail_msg("%s", rl_errmsg(db));
        assert_int_equal(rl_txn_depth(db), 0);
        Author got = {0};
        assert_int_equal(rl_get(db, &Author_model, a, &got), RL_OK);
        rl_row_free(&Author_model, &got);
        assert_int_equal(authors(db), 1); /* no half of the second call */
    }
    assert_string_equal(rl_code_name(RL_EDISCONNECTED), "RL_EDISCONNECTED");
    assert_int_equal(rl_close(db), RL_OK);
}

/* A write outside a transaction under way when the server goes: RL_EINDOUBT, whether it took
 * effect unknown, and nothing runs it again; a read under way stays RL_EDISCONNECTED. */
static void test_write_under_way_is_in_doubt(void **state)
{
    (void)state;
    rl_db *db = open_library();
    restarter r = {0};
    rl_options o = {.profile = RL_PROFILE_DEVELOPMENT};
    assert_int_equal(rl_open(&r.watch, NULL, &o), RL_OK);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, restart_when_running, &r), 0);
    int64_t n = 0;
    int rc = rl_query_int(db,
                          "WITH x AS (INSERT INTO authors (name) SELECT 'Maybe' FROM pg_sleep(60) "
                          "RETURNING 1) SELECT count(*) FROM x",
                          NULL, 0, &n);
    atomic_store(&r.done, true);
    pthread_join(t, NULL);
    rl_close(r.watch);
    assert_true(r.restarted);
    if (rc != RL_EINDOUBT) fail_msg("%s: %s", rl_code_name(rc), rl_errmsg(db));
    assert_int_equal(rl_last_error(db)->code, RL_EINDOUBT);
    assert_contains(rl_errmsg(db), "Whether this statement took effect is unknown");
    assert_string_equal(rl_code_name(RL_EINDOUBT), "RL_EINDOUBT");
    assert_int_equal(authors(db), 0); /* the next call connects again; nothing ran it again */
    assert_int_equal(rl_close(db), RL_OK);
}

/* A COMMIT under way when the server goes (made slow by a deferred trigger that sleeps):
 * RL_EINDOUBT through the C API, 503 RL_EINDOUBT over HTTP without Retry-After; neither runs
 * the write again. */
static void test_commit_under_way_is_in_doubt(void **state)
{
    (void)state;
    rl_db *db = NULL;
    rl_options o = {.profile = RL_PROFILE_TEST};
    assert_int_equal(rl_open(&db, NULL, &o), RL_OK);
    if (rl_exec(db,
                "CREATE TABLE slow (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, body "
                "text NOT NULL); CREATE FUNCTION sleepy() RETURNS trigger LANGUAGE plpgsql AS $$ "
                "BEGIN PERFORM pg_sleep(60); RETURN NULL; END $$; CREATE CONSTRAINT TRIGGER "
                "slow_commit AFTER INSERT ON slow DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
                "EXECUTE FUNCTION sleepy()",
                NULL, 0, NULL) != RL_OK)
        fail_msg("%s", rl_errmsg(db));
    server web = serve_rest(db, &(rl_server_options){.threads = 1, .quiet = true});
    for (int http = 0; http < 2; http++) {
        restarter r = {0};
        rl_options w = {.profile = RL_PROFILE_DEVELOPMENT};
        assert_int_equal(rl_open(&r.watch, NULL, &w), RL_OK);
        pthread_t t;
        assert_int_equal(pthread_create(&t, NULL, restart_when_running, &r), 0);
        if (http) {
            resp a = call(&web, "POST", "/slow", "{\"body\": \"maybe\"}", NULL);
            atomic_store(&r.done, true);
            pthread_join(t, NULL);
            assert_true(r.restarted);
            if (a.status != 503 || !a.body || !strstr(a.body, "\"RL_EINDOUBT\""))
                fail_msg("POST /slow: %ld %s", a.status, a.body ? a.body : "");
            assert_null(strstr(a.headers, "Retry-After"));
            assert_non_null(strstr(a.body, "before sending it again")); /* what to do */
            done(&a);
        } else {
            assert_int_equal(rl_begin(db), RL_OK);
            assert_int_equal(rl_exec(db, "INSERT INTO slow (body) VALUES ('maybe')", NULL, 0, NULL),
                             RL_OK);
            int rc = rl_commit(db);
            atomic_store(&r.done, true);
            pthread_join(t, NULL);
            assert_true(r.restarted);
            if (rc != RL_EINDOUBT) fail_msg("%s: %s", rl_code_name(rc), rl_errmsg(db));
            assert_contains(rl_errmsg(db), "Whether the transaction was committed is unknown");
            assert_int_equal(rl_txn_depth(db), 0);
        }
        rl_close(r.watch);
        assert_int_equal(scalar(db, "SELECT count(*) FROM slow"), 0); /* not run again */
    }
    rl_server_free(web.s);
    assert_int_equal(rl_close(db), RL_OK);
}

/* Stop the long statement once it runs: rl_interrupt from another thread, as the HTTP
 * server's watchdog does. */
static void *interrupt_when_running(void *arg)
{
    restarter *r = arg;
    while (long_statement_runs(r))
        rl_interrupt(r->db);
    return NULL;
}

/* rl_interrupt reaches the statement of the new session: the cancel request names the
 * session the server knows now, not the one it ended. */
static void test_interrupt_after_a_restart(void **state)
{
    (void)state;
    rl_db *db = open_library();
    server_ctl("restart");
    add_author(db, "Le Guin"); /* the new session */
    restarter r = {.db = db};
    rl_options o = {.profile = RL_PROFILE_DEVELOPMENT};
    assert_int_equal(rl_open(&r.watch, NULL, &o), RL_OK);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, interrupt_when_running, &r), 0);
    int rc = rl_exec(db, "SELECT pg_sleep(60)", NULL, 0, NULL);
    atomic_store(&r.done, true);
    pthread_join(t, NULL);
    rl_close(r.watch);
    if (rc != RL_EINTERRUPTED) fail_msg("%s: %s", rl_code_name(rc), rl_errmsg(db));
    assert_int_equal(authors(db), 1);
    assert_int_equal(rl_close(db), RL_OK);
}

/* (2) Inside a transaction: the call fails with RL_EDISCONNECTED, the transaction is gone,
 * and nothing after it runs on its own until the caller rolls back. */
static void test_restart_inside_a_transaction(void **state)
{
    (void)state;
    rl_db *db = open_library();
    add_author(db, "Kept");
    /* one level */
    assert_int_equal(rl_begin(db), RL_OK);
    add_author(db, "Lost 1");
    server_ctl("restart");
    Author x = {.name = "Lost 2"};
    assert_int_equal(rl_insert(db, &Author_model, &x), RL_EDISCONNECTED);
    assert_contains(rl_errmsg(db), "transaction");
    assert_int_equal(rl_txn_depth(db), 1);
    x.pk = 0;
    assert_int_equal(rl_insert(db, &Author_model, &x), RL_EDISCONNECTED); /* not on its own */
    assert_contains(rl_errmsg(db), "rl_rollback");
    assert_int_equal(rl_rollback(db), RL_OK);
    assert_int_equal(rl_txn_depth(db), 0);
    assert_int_equal(authors(db), 1);
    /* nested levels, ended by a commit */
    assert_int_equal(rl_begin(db), RL_OK);
    assert_int_equal(rl_begin(db), RL_OK);
    add_author(db, "Lost 3");
    server_ctl("restart");
    x.pk = 0;
    assert_int_equal(rl_insert(db, &Author_model, &x), RL_EDISCONNECTED);
    assert_int_equal(rl_rollback(db), RL_OK); /* the inner level: its work is gone anyway */
    assert_int_equal(rl_txn_depth(db), 1);
    x.pk = 0;
    assert_int_equal(rl_insert(db, &Author_model, &x), RL_EDISCONNECTED);
    assert_int_equal(rl_commit(db), RL_EDISCONNECTED);
    assert_contains(rl_errmsg(db), "not committed");
    assert_int_equal(rl_txn_depth(db), 0);
    assert_int_equal(rl_rollback(db), RL_EMISUSE); /* nothing left to roll back */
    assert_int_equal(authors(db), 1);
    /* a transaction begun with raw SQL, ended by raw SQL */
    assert_int_equal(rl_exec(db, "BEGIN", NULL, 0, NULL), RL_OK);
    assert_int_equal(rl_exec(db, "INSERT INTO authors (name) VALUES ('Lost 4')", NULL, 0, NULL),
                     RL_OK);
    server_ctl("restart");
    assert_int_equal(rl_exec(db, "INSERT INTO authors (name) VALUES ('Lost 5')", NULL, 0, NULL),
                     RL_EDISCONNECTED);
    assert_int_equal(rl_exec(db, "INSERT INTO authors (name) VALUES ('Lost 6')", NULL, 0, NULL),
                     RL_EDISCONNECTED);
    assert_int_equal(rl_exec(db, "ROLLBACK", NULL, 0, NULL), RL_OK);
    assert_int_equal(authors(db), 1);
    add_author(db, "After");
    assert_int_equal(authors(db), 2);
    assert_int_equal(rl_close(db), RL_OK);
}

/* (3) While the server is down: calls fail with RL_EDISCONNECTED at once, and succeed once it
 * is up again. */
static void test_server_down_then_up(void **state)
{
    (void)state;
    rl_db *db = open_library();
    int64_t a = add_author(db, "Le Guin");
    server_ctl("halt");
    for (int i = 0; i < 3; i++) {
        Author got = {0};
        assert_int_equal(rl_get(db, &Author_model, a, &got), RL_EDISCONNECTED);
        assert_int_equal(rl_last_error(db)->code, RL_EDISCONNECTED);
        assert_contains(rl_errmsg(db), "PostgreSQL server");
    }
    assert_int_equal(rl_begin(db), RL_EDISCONNECTED);
    assert_int_equal(rl_txn_depth(db), 0);
    int64_t n = 0;
    assert_int_equal(rl_query_int(db, "SELECT 1", NULL, 0, &n), RL_EDISCONNECTED);
    server_ctl("resume");
    Author got = {0};
    assert_int_equal(rl_get(db, &Author_model, a, &got), RL_OK);
    rl_row_free(&Author_model, &got);
    use_kept_statements(db, a);
    assert_int_equal(rl_close(db), RL_OK);
}

/* ---- the HTTP server ---------------------------------------------------------------------- */

/* GET path answers 200 with n rows. */
static void expect_rows(const server *web, const char *path, size_t n)
{
    resp r = call(web, "GET", path, NULL, NULL);
    if (r.status != 200) fail_msg("GET %s: %ld %s", path, r.status, r.body ? r.body : "");
    assert_true(json_is_array(r.json));
    assert_int_equal(json_array_size(r.json), n);
    done(&r);
}

/* The answer while the database is down: 503, RL_EDISCONNECTED, a sentence, Retry-After. */
static void expect_unavailable(const server *web, const char *method, const char *path,
                               const char *body)
{
    resp r = call(web, method, path, body, NULL);
    if (r.status != 503)
        fail_msg("%s %s: %ld, expected 503: %s", method, path, r.status, r.body ? r.body : "");
    assert_non_null(r.json);
    assert_string_equal(json_string_value(json_object_get(r.json, "code")), "RL_EDISCONNECTED");
    assert_contains(json_string_value(json_object_get(r.json, "message")), "database");
    assert_contains(r.headers, "Retry-After: ");
    done(&r);
}

/* (4) The server over PostgreSQL, on the test profile's one connection and on a pool of
 * several: a restart is invisible; while the database is down every request is answered 503;
 * once it is up the server serves again by itself, and nothing is ever answered 500. */
static void test_http_server_rides_out_restarts(void **state)
{
    (void)state;
    for (int pooled = 0; pooled < 2; pooled++) {
        rl_db *db = NULL;
        rl_options o = {.profile = pooled ? RL_PROFILE_DEVELOPMENT : RL_PROFILE_TEST};
        assert_int_equal(rl_open(&db, NULL, &o), RL_OK);
        assert_int_equal(rl_exec(db,
                                 "DROP TABLE IF EXISTS notes; CREATE TABLE notes (id bigint "
                                 "GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, body text NOT "
                                 "NULL); INSERT INTO notes (body) VALUES ('one'), ('two')",
                                 NULL, 0, NULL),
                         RL_OK);
        server web = serve_rest(
            db, &(rl_server_options){.threads = 3, .quiet = true, .statement_timeout = 10000});
        expect_rows(&web, "/notes", 2);

        server_ctl("restart");
        for (int i = 0; i < 6; i++) /* every pooled connection, each found ended and renewed */
            expect_rows(&web, "/notes", 2);

        server_ctl("halt");
        expect_unavailable(&web, "GET", "/notes", NULL);
        expect_unavailable(&web, "GET", "/notes?id=eq.1", NULL);
        expect_unavailable(&web, "POST", "/notes", "{\"body\": \"three\"}");

        server_ctl("resume");
        int64_t deadline = now_ms() + 60000;
        long status = 0;
        while (status != 200 && now_ms() < deadline) {
            resp r = call(&web, "GET", "/notes", NULL, NULL);
            status = r.status;
            if (status != 200 && status != 503)
                fail_msg("GET /notes while the database comes back: %ld %s", status, r.body);
            done(&r);
        }
        assert_int_equal(status, 200);
        resp w = call(&web, "POST", "/notes", "{\"body\": \"three\"}", NULL);
        if (w.status != 201) fail_msg("POST /notes: %ld %s", w.status, w.body ? w.body : "");
        done(&w);
        for (int i = 0; i < 6; i++)
            expect_rows(&web, "/notes", 3);
        rl_server_free(web.s);
        if (pooled) assert_int_equal(rl_exec(db, "DROP TABLE notes", NULL, 0, NULL), RL_OK);
        assert_int_equal(rl_close(db), RL_OK);
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: test_reconnect PATH/TO/pg_server.sh\n");
        return 2;
    }
    script = argv[1];
    if (engine_init() != 0) return 1;
    if (!on_pg()) {
        fprintf(stderr, "REFLITE_TEST_PG must name this test's own PostgreSQL server\n");
        return 1;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_restart_between_calls_is_invisible, server_up),
        cmocka_unit_test_setup(test_write_under_way_is_in_doubt, server_up),
        cmocka_unit_test_setup(test_commit_under_way_is_in_doubt, server_up),
        cmocka_unit_test_setup(test_statement_under_way_fails_then_next_call_connects, server_up),
        cmocka_unit_test_setup(test_interrupt_after_a_restart, server_up),
        cmocka_unit_test_setup(test_restart_inside_a_transaction, server_up),
        cmocka_unit_test_setup(test_server_down_then_up, server_up),
        cmocka_unit_test_setup(test_http_server_rides_out_restarts, server_up),
    };
    int failed = cmocka_run_group_tests_name("postgres reconnect", tests, NULL, NULL);
    curl_global_cleanup();
    return failed;
}

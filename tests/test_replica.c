/*
 * Read replicas and failover, on a real streaming replica: a PostgreSQL server of this test's
 * own and a standby made from it with pg_basebackup -R (CTest fixture pg_replica:
 * tests/pg_server.sh start and replica, both stopped even when a test fails).  REFLITE_TEST_PG
 * and REFLITE_TEST_REPLICA name their state files; argv[1] is tests/pg_server.sh.
 *
 * Where a read ran is asked of the servers themselves: the replica's sessions of the
 * connection under test carry an application_name of their own, and pg_stat_activity on the
 * replica shows the last statement each ran.  The replica's replay is paused
 * (pg_wal_replay_pause) to make it fall behind on purpose.
 *
 * The last test stops the primary and promotes the replica: it runs last.
 */
#include "http_client.h"

#include <sys/wait.h>
#include <time.h>

static const char *script; /* tests/pg_server.sh */
static char replica_url[600];

static void url_of(const char *env, char *out, size_t n)
{
    const char *file = getenv(env);
    FILE *f = file ? fopen(file, "r") : NULL;
    char line[600];
    out[0] = '\0';
    for (int i = 0; f && i < 2 && fgets(line, sizeof line, f); i++)
        if (i == 1) snprintf(out, n, "%.*s", (int)strcspn(line, "\n"), line);
    if (f) fclose(f);
}

static void ctl(const char *action, const char *env)
{
    char cmd[1400];
    snprintf(cmd, sizeof cmd, "sh '%s' %s '%s'", script, action, getenv(env));
    int rc = system(cmd);
    if (rc == -1 || !WIFEXITED(rc) || WEXITSTATUS(rc) != 0)
        fail_msg("pg_server.sh %s %s failed", action, env);
}

static void sleep_ms(int ms)
{
    struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

/* A connection to the replica itself, to ask it what ran there. */
static rl_db *on_replica(void)
{
    rl_db *r = NULL;
    rl_options o = {.profile = RL_PROFILE_DEVELOPMENT};
    char err[512];
    if (rl_open_ex(&r, replica_url, &o, err, sizeof err) != RL_OK) fail_msg("%s", err);
    return r;
}

/* A connection to the primary with the replica, both in schema (search_path), its replica
 * session under application name app, a replica lagging more than max_lag_ms getting no
 * reads. */
static rl_db *open_on(const char *schema, const char *app, int max_lag_ms)
{
    char url[800], list[800];
    url_of("REFLITE_TEST_PG", url, sizeof url);
    snprintf(url + strlen(url), sizeof url - strlen(url), "&options=-csearch_path%%3D%s", schema);
    snprintf(list, sizeof list, "%s&application_name=%s&options=-csearch_path%%3D%s", replica_url,
             app, schema);
    rl_db *db = NULL;
    rl_options o = {
        .profile = RL_PROFILE_DEVELOPMENT, .replicas = list, .replica_max_lag_ms = max_lag_ms};
    char err[512];
    if (rl_open_ex(&db, url, &o, err, sizeof err) != RL_OK) fail_msg("%s", err);
    return db;
}

/* A fresh schema of this test's own on the primary (dropped by drop_schema). */
static void make_schema(const char *schema)
{
    rl_db *db = open_on("public", "rl_setup", -1);
    char sql[200];
    snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE; CREATE SCHEMA %s", schema, schema);
    if (rl_exec(db, sql, NULL, 0, NULL) != RL_OK) fail_msg("%s", rl_errmsg(db));
    rl_close(db);
}

static void drop_schema(const char *schema)
{
    rl_db *db = open_on("public", "rl_setup", -1);
    char sql[200];
    snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE", schema);
    rl_exec(db, sql, NULL, 0, NULL);
    rl_close(db);
}

/* How many sessions named app on the replica last ran a statement holding part. */
static int64_t ran_on_replica(rl_db *r, const char *app, const char *part)
{
    rl_value p[] = {rl_text(app), rl_text(part)};
    int64_t n = -1;
    assert_int_equal(rl_query_int(r,
                                  "SELECT count(*) FROM pg_stat_activity WHERE application_name = "
                                  "$1 AND strpos(query, $2) > 0",
                                  p, 2, &n),
                     RL_OK);
    return n;
}

/* Wait (at most 10 s) until the replica has replayed what db wrote. */
static void replayed(rl_db *r, rl_db *db)
{
    char at[32];
    assert_int_equal(rl_db_position(db, at, sizeof at), RL_OK);
    assert_true(at[0] != '\0');
    rl_value p[] = {rl_text(at)};
    for (int i = 0; i < 1000; i++) {
        int64_t done = 0;
        assert_int_equal(
            rl_query_int(r, "SELECT (pg_last_wal_replay_lsn() >= $1::pg_lsn)::int", p, 1, &done),
            RL_OK);
        if (done) return;
        sleep_ms(10);
    }
    fail_msg("the replica did not replay %s in 10 s", at);
}

static int64_t count_sql(rl_db *db, const char *sql)
{
    int64_t n = -1;
    if (rl_query_int(db, sql, NULL, 0, &n) != RL_OK) fail_msg("%s: %s", sql, rl_errmsg(db));
    return n;
}

static void test_reads_go_to_a_current_replica(void **state)
{
    (void)state;
    rl_db *r = on_replica();
    make_schema("rp_reads");
    rl_db *db = open_on("rp_reads", "rl_reads", -1);
    assert_int_equal(
        rl_exec(db, "CREATE TABLE notes (id bigint PRIMARY KEY, body text)", NULL, 0, NULL), RL_OK);
    assert_int_equal(rl_exec(db, "INSERT INTO notes VALUES (1, 'one'), (2, 'two')", NULL, 0, NULL),
                     RL_OK);
    replayed(r, db);
    /* raw SQL that reads, and reflite's own reads of a model */
    assert_int_equal(count_sql(db, "SELECT count(*) FROM notes /* read-1 */"), 2);
    assert_int_equal(ran_on_replica(r, "rl_reads", "read-1"), 1);
    rl_models *ms = NULL;
    assert_int_equal(rl_models_load(db, &ms), RL_OK);
    const rl_model *m = rl_models_find(ms, "notes");
    assert_non_null(m);
    rl_query *q = rl_select(db, m);
    int64_t n = 0;
    assert_int_equal(rl_count(q, &n), RL_OK);
    rl_query_free(q);
    assert_int_equal(n, 2);
    assert_int_equal(ran_on_replica(r, "rl_reads", "FROM \"notes\""), 1);
    /* writes, and reads inside a transaction, go to the primary */
    assert_int_equal(rl_begin(db), RL_OK);
    assert_int_equal(count_sql(db, "SELECT count(*) FROM notes /* read-2 */"), 2);
    assert_int_equal(rl_commit(db), RL_OK);
    assert_int_equal(ran_on_replica(r, "rl_reads", "read-2"), 0);
    /* a SELECT that writes is refused by the replica and runs on the primary */
    assert_int_equal(count_sql(db, "WITH x AS (INSERT INTO notes VALUES (3, 'three') RETURNING "
                                   "1) SELECT count(*) FROM x"),
                     1);
    assert_int_equal(count_sql(db, "SELECT count(*) FROM notes"), 3); /* its write is seen */
    rl_models_free(ms);
    rl_close(db);
    rl_close(r);
    drop_schema("rp_reads");
}

/* While the replica replays nothing, a connection still reads its own writes, and another
 * reads them once given their position; a connection without either reads the replica. */
static void test_read_your_writes_while_paused(void **state)
{
    (void)state;
    rl_db *r = on_replica();
    make_schema("rp_paused");
    rl_db *writer = open_on("rp_paused", "rl_writer", -1);
    assert_int_equal(rl_exec(writer, "CREATE TABLE events (id bigint PRIMARY KEY)", NULL, 0, NULL),
                     RL_OK);
    replayed(r, writer);
    rl_db *reader = open_on("rp_paused", "rl_reader", -1);
    assert_int_equal(count_sql(reader, "SELECT count(*) FROM events"), 0);

    assert_int_equal(count_sql(r, "SELECT count(*) FROM (SELECT pg_wal_replay_pause()) p"), 1);
    for (int i = 1; i <= 20; i++) { /* each write then at once a read: always seen */
        char sql[96];
        snprintf(sql, sizeof sql, "INSERT INTO events VALUES (%d)", i);
        assert_int_equal(rl_exec(writer, sql, NULL, 0, NULL), RL_OK);
        assert_int_equal(count_sql(writer, "SELECT count(*) FROM events"), i);
    }
    assert_int_equal(ran_on_replica(r, "rl_writer", "FROM events"), 0);
    /* the reader, which wrote nothing, reads the replica: behind */
    assert_int_equal(count_sql(reader, "SELECT count(*) FROM events /* stale */"), 0);
    assert_int_equal(ran_on_replica(r, "rl_reader", "stale"), 1);
    /* given the writer's position, it reads the primary */
    char at[32];
    assert_int_equal(rl_db_position(writer, at, sizeof at), RL_OK);
    assert_int_equal(rl_read_after(reader, at), RL_OK);
    assert_int_equal(count_sql(reader, "SELECT count(*) FROM events"), 20);
    /* a text that is no position: the primary, said so */
    assert_int_equal(rl_read_after(reader, "16/B374D848x"), RL_EINVAL);
    assert_int_equal(count_sql(reader, "SELECT count(*) FROM events"), 20);
    assert_int_equal(rl_read_after(reader, NULL), RL_OK);

    /* a stale replica gets no reads: another reader with a limit of 200 ms of lag */
    rl_db *strict = open_on("rp_paused", "rl_strict", 200);
    sleep_ms(400);
    assert_int_equal(count_sql(strict, "SELECT count(*) FROM events /* strict */"), 20);
    assert_int_equal(ran_on_replica(r, "rl_strict", "strict"), 0);

    assert_int_equal(count_sql(r, "SELECT count(*) FROM (SELECT pg_wal_replay_resume()) p"), 1);
    replayed(r, writer);
    sleep_ms(150); /* past the time a replica's state is kept */
    assert_int_equal(count_sql(writer, "SELECT count(*) FROM events /* caught up */"), 20);
    assert_int_equal(ran_on_replica(r, "rl_writer", "caught up"), 1);
    assert_int_equal(count_sql(strict, "SELECT count(*) FROM events /* strict again */"), 20);
    assert_int_equal(ran_on_replica(r, "rl_strict", "strict again"), 1);
    rl_close(strict);
    rl_close(reader);
    rl_close(writer);
    rl_close(r);
    drop_schema("rp_paused");
}

/* Over HTTP: a write's answer carries its position (Reflite-Position); a client that sends it
 * back with a read sees the write, also from another server, while the replica is behind. */
static void test_http_reads_see_the_clients_writes(void **state)
{
    (void)state;
    rl_db *r = on_replica();
    make_schema("rp_http");
    rl_db *wdb = open_on("rp_http", "rl_http_w", -1);
    assert_int_equal(
        rl_exec(wdb, "CREATE TABLE items (id bigint PRIMARY KEY, name text)", NULL, 0, NULL),
        RL_OK);
    replayed(r, wdb);
    server w, g;
    rl_server_options one = {.threads = 1, .quiet = true}; /* on the connection given */
    w = serve_rest(wdb, &one);
    g = serve_rest(open_on("rp_http", "rl_http_r", -1), &one); /* another, as behind a balancer */
    assert_int_equal(count_sql(r, "SELECT count(*) FROM (SELECT pg_wal_replay_pause()) p"), 1);

    const char *json[] = {"Content-Type: application/json", NULL};
    resp a = call(&w, "POST", "/items", "{\"id\":1,\"name\":\"first\"}", json);
    assert_int_equal(a.status, 201);
    char at[64], h[100];
    assert_true(resp_header(&a, "Reflite-Position", at, sizeof at));
    done(&a);
    a = call(&g, "GET", "/items?select=name", NULL, NULL); /* the replica's: behind */
    assert_int_equal(a.status, 200);
    assert_string_equal(a.body, "[]");
    assert_false(resp_header(&a, "Reflite-Position", h, sizeof h)); /* a read has none */
    done(&a);
    snprintf(h, sizeof h, "Reflite-Position: %s", at);
    const char *after[] = {h, NULL};
    a = call(&g, "GET", "/items?select=name", NULL, after);
    assert_int_equal(a.status, 200);
    assert_string_equal(a.body, "[{\"name\":\"first\"}]");
    done(&a);
    /* the position holds for that request only */
    a = call(&g, "GET", "/items?select=name", NULL, NULL);
    assert_string_equal(a.body, "[]");
    done(&a);
    assert_int_equal(count_sql(r, "SELECT count(*) FROM (SELECT pg_wal_replay_resume()) p"), 1);
    rl_server_free(w.s);
    rl_server_free(g.s);
    rl_close(wdb);
    rl_close(g.db);
    rl_close(r);
    drop_schema("rp_http");
}

/* The primary stops and the replica is promoted: a connection whose URL lists both hosts with
 * target_session_attrs=read-write writes to the new primary without being opened again. */
static void test_failover(void **state)
{
    (void)state;
    char primary[600], url[1400];
    url_of("REFLITE_TEST_PG", primary, sizeof primary);
    const char *h1 = strstr(primary, "host="), *h2 = strstr(replica_url, "host=");
    assert_non_null(h1);
    assert_non_null(h2);
    snprintf(url, sizeof url,
             "postgresql://postgres@/postgres?host=%.*s,%s&target_session_attrs=read-write",
             (int)strcspn(h1 + 5, "&"), h1 + 5, h2 + 5);
    rl_db *db = NULL;
    rl_options o = {.profile = RL_PROFILE_DEVELOPMENT, .replicas = replica_url};
    char err[512];
    if (rl_open_ex(&db, url, &o, err, sizeof err) != RL_OK) fail_msg("%s", err);
    assert_int_equal(rl_exec(db, "CREATE TABLE moves (id bigint PRIMARY KEY)", NULL, 0, NULL),
                     RL_OK);
    assert_int_equal(rl_exec(db, "INSERT INTO moves VALUES (1)", NULL, 0, NULL), RL_OK);
    rl_db *r = on_replica();
    replayed(r, db);
    rl_close(r);
    ctl("halt", "REFLITE_TEST_PG");
    ctl("promote", "REFLITE_TEST_REPLICA");
    int rc = RL_ERROR, tries = 0;
    for (; tries < 100 && rc != RL_OK; tries++) {
        rc = rl_exec(db, "INSERT INTO moves VALUES (2)", NULL, 0, NULL);
        if (rc != RL_OK) {
            assert_int_equal(rc, RL_EDISCONNECTED); /* never a wrong answer */
            sleep_ms(100);
        }
    }
    if (rc != RL_OK) fail_msg("no write reached the new primary: %s", rl_errmsg(db));
    assert_int_equal(count_sql(db, "SELECT count(*) FROM moves"), 2);
    assert_int_equal(count_sql(db, "SELECT pg_is_in_recovery()::int"), 0);
    rl_close(db);
}

/* Each test starts with the replica replaying, also after one that failed while it was
 * paused. */
static int replaying(void **state)
{
    (void)state;
    rl_db *r = on_replica();
    int64_t n = 0;
    rl_query_int(r, "SELECT count(*) FROM (SELECT pg_wal_replay_resume()) p", NULL, 0, &n);
    rl_close(r);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_replica tests/pg_server.sh\n");
        return 2;
    }
    script = argv[1];
    url_of("REFLITE_TEST_REPLICA", replica_url, sizeof replica_url);
    if (engine_init() != 0 || !on_pg() || !replica_url[0]) {
        fprintf(stderr, "test_replica: REFLITE_TEST_PG and REFLITE_TEST_REPLICA must name the "
                        "state files of a server and its replica (tests/pg_server.sh)\n");
        return 1;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_reads_go_to_a_current_replica, replaying),
        cmocka_unit_test_setup(test_read_your_writes_while_paused, replaying),
        cmocka_unit_test_setup(test_http_reads_see_the_clients_writes, replaying),
        cmocka_unit_test_setup(test_failover, replaying),
    };
    int failed = cmocka_run_group_tests_name("replica", tests, NULL, NULL);
    curl_global_cleanup();
    return failed;
}

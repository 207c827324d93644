/*
 * What the HTTP server never lets through, tried as an attacker and as an unlucky user would:
 * writes that reach more rows than they say (empty and always-true filters, a column dropped
 * under the server), a schema changed while it runs, values the column cannot hold, NUL bytes,
 * oversized requests, ambiguous framing on raw sockets (request smuggling), web pages of other
 * sites (DNS rebinding, text/plain POSTs, foreign origins), a client holding every connection,
 * and the request log.  On both engines where the class applies.
 */
#include "http_client.h"

#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <sys/socket.h>
#include <time.h>

/* ---- helpers ------------------------------------------------------------------------------- */

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* A TCP connection to the server from source address from (NULL: any). */
static int connect_from(const server *sv, const char *from)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    if (from) {
        struct sockaddr_in src = {.sin_family = AF_INET};
        assert_int_equal(inet_pton(AF_INET, from, &src.sin_addr), 1);
        assert_int_equal(bind(fd, (struct sockaddr *)&src, sizeof src), 0);
    }
    struct sockaddr_in to = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)rl_server_port(sv->s))};
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    assert_int_equal(connect(fd, (struct sockaddr *)&to, sizeof to), 0);
    return fd;
}

/* What the server sends on fd until it closes the connection or wait_ms pass in silence;
 * *closed says which. */
static char *read_all(int fd, int wait_ms, bool *closed)
{
    size_t len = 0, cap = 65536;
    char *out = calloc(cap + 1, 1);
    assert_non_null(out);
    *closed = false;
    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, wait_ms) <= 0) break;
        ssize_t n = recv(fd, out + len, cap - len, 0);
        if (n <= 0) {
            *closed = true;
            break;
        }
        len += (size_t)n;
        if (len == cap) break;
    }
    out[len] = '\0';
    return out;
}

/* Send the raw bytes of req (n of them) on a new connection; the answer, and whether the
 * server closed the connection after it. */
static char *raw(const server *sv, const char *req, size_t n, bool *closed)
{
    int fd = connect_from(sv, NULL);
    assert_int_equal(send(fd, req, n, 0), (ssize_t)n);
    char *out = read_all(fd, 1500, closed);
    close(fd);
    return out;
}

/* How many times s occurs in text. */
static int occurrences(const char *text, const char *s)
{
    int n = 0;
    for (const char *p = strstr(text, s); p; p = strstr(p + 1, s))
        n++;
    return n;
}

/* The number of rows of table, read with the server's own connection (it is idle). */
static int64_t count_rows(const server *sv, const char *table)
{
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM %s", table);
    return scalar(sv->db, sql);
}

/* ---- 1. a write never reaches more rows than it says -------------------------------------- */

static void test_unfiltered_writes_are_refused(void **state)
{
    (void)state;
    server sv;
    start_rest(&sv, NULL);
    /* filters that hold for every row are no filters: an OR with a TRUE in it is TRUE, x IS
     * NULL OR x IS NOT NULL is TRUE, so are IS NOT NULL of a column that cannot be NULL, NOT
     * IN (), x = 5 OR NOT x = 5 of a column without NULLs */
    static const char *const always[] = {
        "/reviews?or=(stars.is.null,stars.not.is.null)",
        "/reviews?not.and=(stars.is.null,stars.not.is.null)",
        "/reviews?or=(id.eq.2,id.not.eq.2)",
        "/reviews?or=(stars.gt.4,and(book_id.in.(7,8),book_id.not.in.(7,8)),id.not.is.null)",
        "/reviews?id=not.is.null",
        "/reviews?book_id=not.is.null",
        "/reviews?id=not.in.()",
        "/reviews?not.and=(id.in.(),stars.in.())",
        "/reviews?select=id&id=not.in.()",
    };
    for (size_t i = 0; i < sizeof always / sizeof always[0]; i++) {
        char msg[300];
        expect_error(&sv, "DELETE", always[i], NULL, NULL, 400, "RL_EINVAL", msg, sizeof msg);
        assert_contains(msg, "every row");
        expect_error(&sv, "PATCH", always[i], "{\"stars\": 1}", NULL, 400, "RL_EINVAL", NULL, 0);
    }
    /* an empty and=() or or=() is not a condition in PostgREST's grammar: 400, nothing goes */
    static const char *const empty[] = {
        "/reviews?and=()",
        "/reviews?not.or=()",
        "/reviews?or=(and(),stars.eq.5)",
        "/reviews?not.and=(or(),stars.eq.5)",
        "/reviews?and=(and(),and(and()))",
        "/reviews?select=id&and=()",
    };
    for (size_t i = 0; i < sizeof empty / sizeof empty[0]; i++) {
        expect_error(&sv, "DELETE", empty[i], NULL, NULL, 400, "PGRST100", NULL, 0);
        expect_error(&sv, "PATCH", empty[i], "{\"stars\": 1}", NULL, 400, "PGRST100", NULL, 0);
    }
    /* a condition beside its negation on a column that may be NULL leaves the NULLs out */
    static const char *const some[] = {"/reviews?or=(stars.eq.5,stars.not.eq.5)",
                                       "/reviews?or=(stars.is.null,book_id.not.is.null)&id=eq.0"};
    for (size_t i = 0; i < sizeof some / sizeof some[0]; i++) {
        resp r = call(&sv, "PATCH", some[i], "{\"editor_id\": null}", NULL);
        if (r.status != 204) fail_msg("PATCH %s: %ld %s", some[i], r.status, r.body);
        done(&r);
    }
    assert_int_equal(count_rows(&sv, "reviews"), 3);
    assert_int_equal(rows_of(&sv, "/reviews?stars=eq.1"), 0);

    /* an empty IN matches nothing: a filter, and nothing goes */
    resp r = call(&sv, "DELETE", "/reviews?id=in.()", NULL, NULL);
    assert_int_equal(r.status, 204);
    done(&r);
    assert_int_equal(count_rows(&sv, "reviews"), 3);
    /* a real filter reaches its rows only */
    r = call(&sv, "DELETE", "/reviews?stars=eq.5", NULL, NULL);
    assert_int_equal(r.status, 204);
    done(&r);
    assert_int_equal(count_rows(&sv, "reviews"), 2);
    /* and the header still allows what it says */
    static const char *const allow[] = {"Prefer: unfiltered=allow", NULL};
    r = call(&sv, "DELETE", "/reviews", NULL, allow);
    assert_int_equal(r.status, 204);
    done(&r);
    assert_int_equal(count_rows(&sv, "reviews"), 0);
    stop(&sv);
}

/* limit= on a write reaches that many rows by order= and no more; a singular write or one over
 * max-affected (with handling=strict) is undone */
static void test_writes_reach_what_they_say(void **state)
{
    (void)state;
    server sv;
    start_rest(&sv, NULL);
    /* reviews: id 1 (stars 5), 2 (stars 4), 3 (stars 3) */
    resp r = call(&sv, "DELETE", "/reviews?id=gt.0&limit=1&order=stars.asc", NULL, NULL);
    assert_int_equal(r.status, 204);
    done(&r);
    assert_int_equal(count_rows(&sv, "reviews"), 2);
    assert_int_equal(rows_of(&sv, "/reviews?id=eq.3"), 0);
    static const char *const rep[] = {"Prefer: return=representation", NULL};
    r = call(&sv, "PATCH", "/reviews?id=gt.0&order=id.desc&limit=1&select=id,stars",
             "{\"stars\": 1}", rep);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "[{\"id\":2,\"stars\":1}]");
    done(&r);
    assert_int_equal(rows_of(&sv, "/reviews?stars=eq.1"), 1);
    /* offset= too: the second row by key, and no other */
    r = call(&sv, "PATCH", "/reviews?id=gt.0&offset=1&select=id", "{\"stars\": 2}", rep);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "[{\"id\":2}]");
    done(&r);
    assert_int_equal(rows_of(&sv, "/reviews?stars=eq.5"), 1);

    /* the integer key can change, and the answer shows the row as it is now, with embeds */
    r = call(&sv, "PATCH", "/reviews?id=eq.2&select=id,book:books(title)", "{\"id\": 20}", rep);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "[{\"id\":20,\"book\":{\"title\":\"A Wizard of Earthsea\"}}]");
    assert_contains(r.headers, "Content-Range: 0-0/*");
    done(&r);

    /* more rows than max-affected: nothing changes */
    static const char *const strict[] = {"Prefer: handling=strict, max-affected=1", NULL};
    char msg[300];
    expect_error(&sv, "PATCH", "/reviews?id=gt.0", "{\"stars\": 3}", strict, 400, "PGRST124", msg,
                 sizeof msg);
    assert_contains(msg, "2 rows");
    assert_int_equal(rows_of(&sv, "/reviews?stars=eq.3"), 0);
    static const char *const strict2[] = {"Prefer: handling=strict, max-affected=2",
                                          "Prefer: count=exact", NULL};
    r = call(&sv, "PATCH", "/reviews?id=gt.0", "{\"stars\": 3}", strict2);
    assert_int_equal(r.status, 204);
    assert_contains(r.headers, "Preference-Applied: count=exact, handling=strict, max-affected=2");
    assert_contains(r.headers, "Content-Range: 0-1/2");
    done(&r);

    /* a singular write is one row or none at all, filtered or not */
    static const char *const one[] = {"Accept: application/vnd.pgrst.object+json", NULL};
    expect_error(&sv, "DELETE", "/reviews", NULL, one, 406, "PGRST116", NULL, 0);
    expect_error(&sv, "PATCH", "/reviews?stars=eq.3", "{\"stars\": 4}", one, 406, "PGRST116", NULL,
                 0);
    assert_int_equal(rows_of(&sv, "/reviews?stars=eq.3"), 2);
    static const char *const one_rep[] = {"Accept: application/vnd.pgrst.object+json",
                                          "Prefer: return=representation", NULL};
    r = call(&sv, "DELETE", "/reviews?id=eq.20&select=id", NULL, one_rep);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "{\"id\":20}");
    assert_contains(r.headers, "Content-Range: */*");
    done(&r);
    assert_int_equal(count_rows(&sv, "reviews"), 1);
    stop(&sv);
}

/* Run sql on the database as another program would (SQLite: a connection of its own; on
 * PostgreSQL the server's private schema is reached through its connection, idle meanwhile). */
static void other_program(const server *sv, const char *sql)
{
    if (on_pg()) {
        assert_int_equal(rl_exec(sv->db, sql, NULL, 0, NULL), RL_OK);
        return;
    }
    sqlite3 *h;
    assert_int_equal(sqlite3_open(sv->path, &h), SQLITE_OK);
    sqlite3_busy_timeout(h, 5000);
    char *err = NULL;
    if (sqlite3_exec(h, sql, NULL, NULL, &err) != SQLITE_OK) fail_msg("%s: %s", sql, err);
    sqlite3_close(h);
}

/* GET path until its body contains want (true) or the deadline passes (false). */
static bool eventually(const server *sv, const char *path, const char *want)
{
    for (double until = now_ms() + 5000; now_ms() < until;) {
        resp r = call(sv, "GET", path, NULL, NULL);
        bool ok = r.status == 200 && r.body && strstr(r.body, want);
        done(&r);
        if (ok) return true;
        struct timespec tick = {0, 50 * 1000 * 1000};
        nanosleep(&tick, NULL);
    }
    return false;
}

static void test_schema_changes_are_followed(void **state)
{
    (void)state;
    server sv;
    start_rest(&sv, NULL);
    assert_int_equal(rows_of(&sv, "/reviews"), 3);
    /* a column dropped under the server: never a string of its name, never every row */
    other_program(&sv, "ALTER TABLE reviews DROP COLUMN stars");
    char msg[300];
    expect_error(&sv, "DELETE", "/reviews?stars=eq.stars", NULL, NULL, 400, "RL_EFIELD", msg,
                 sizeof msg);
    assert_contains(msg, "stars");
    expect_error(&sv, "PATCH", "/reviews?stars=eq.stars", "{\"editor_id\": null}", NULL, 400,
                 "RL_EFIELD", NULL, 0);
    assert_int_equal(count_rows(&sv, "reviews"), 3);
    other_program(&sv, "ALTER TABLE authors DROP COLUMN born");
    resp r = call(&sv, "GET", "/authors/2", NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_null(strstr(r.body, "born"));
    assert_string_equal(str_at(r.json, "name"), "Tolkien");
    done(&r);
    /* a column added: in the rows, and in filters and select= at once */
    other_program(&sv, "ALTER TABLE authors ADD COLUMN country TEXT");
    assert_int_equal(rows_of(&sv, "/authors?select=name,country&country=is.null"), 3);
    assert_true(eventually(&sv, "/authors?id=eq.1", "\"country\":null"));
    /* a table added, renamed, dropped */
    other_program(&sv, on_pg() ? "CREATE TABLE shelves (id BIGINT GENERATED BY DEFAULT AS "
                                 "IDENTITY PRIMARY KEY, label TEXT)"
                               : "CREATE TABLE shelves (id INTEGER PRIMARY KEY, label TEXT)");
    assert_int_equal(rows_of(&sv, "/shelves"), 0);
    resp w = call(&sv, "POST", "/shelves", "{\"label\": \"top\"}", NULL);
    assert_int_equal(w.status, 201);
    done(&w);
    other_program(&sv, "ALTER TABLE shelves RENAME TO racks");
    expect_error(&sv, "GET", "/shelves", NULL, NULL, 404, "RL_ENOTFOUND", NULL, 0);
    expect_error(&sv, "DELETE", "/shelves?id=eq.1", NULL, NULL, 404, "RL_ENOTFOUND", NULL, 0);
    assert_int_equal(rows_of(&sv, "/racks?label=eq.top"), 1);
    other_program(&sv, "DROP TABLE racks");
    expect_error(&sv, "GET", "/racks", NULL, NULL, 404, "RL_ENOTFOUND", NULL, 0);
    /* rl_server_reload: every connection reads the tables again */
    assert_int_equal(rl_server_reload(sv.s), RL_OK);
    assert_int_equal(rl_server_reload(NULL), RL_EINVAL);
    assert_int_equal(rows_of(&sv, "/books"), 4);
    stop(&sv);
}

/* SQLite's double-quoted strings: a name that names no column is an error, never a value. */
static void test_unknown_names_are_errors(void **state)
{
    (void)state;
    rl_db *db = open_library();
    int64_t version, again;
    assert_int_equal(rl_schema_version(db, &version), RL_OK);
    assert_int_equal(rl_schema_version(db, &again), RL_OK);
    assert_true(version == again);
    assert_int_equal(rl_exec(db, "CREATE TABLE t (a INTEGER)", NULL, 0, NULL), RL_OK);
    assert_int_equal(rl_schema_version(db, &again), RL_OK);
    assert_true(version != again);
    assert_int_equal(rl_schema_version(NULL, &again), RL_EINVAL);
    assert_int_equal(rl_schema_version(db, NULL), RL_EINVAL);
    if (!on_pg()) {
        int64_t v;
        assert_int_equal(rl_query_int(db, "SELECT \"nothing\" FROM t", NULL, 0, &v), RL_ESCHEMA);
        assert_contains(rl_errmsg(db), "nothing");
        assert_int_equal(rl_exec(db,
                                 "INSERT INTO t (a) VALUES (1); DELETE FROM t WHERE \"a\" = "
                                 "\"b\"",
                                 NULL, 0, NULL),
                         RL_ESCHEMA);
        assert_int_equal(rl_exec(db, "CREATE TABLE u (a TEXT CHECK (a <> \"x\"))", NULL, 0, NULL),
                         RL_ESCHEMA);
    }
    rl_close(db);
}

/* ---- 2. every bad input is a clear 4xx ---------------------------------------------------- */

static void test_values_the_column_cannot_hold(void **state)
{
    (void)state;
    server sv;
    start_rest(&sv, NULL);
    char msg[400];
    expect_error(&sv, "POST", "/books", "{\"title\": \"x\", \"price\": \"abc\"}", NULL, 400,
                 "RL_ETYPE", msg, sizeof msg);
    assert_contains(msg, "price");
    assert_contains(msg, "abc");
    assert_contains(msg, "REAL");
    expect_error(&sv, "PATCH", "/books?id=eq.1", "{\"price\": \"abc\"}", NULL, 400, "RL_ETYPE",
                 NULL, 0);
    expect_error(&sv, "POST", "/authors", "{\"name\": \"x\", \"born\": \"1.5e\"}", NULL, 400,
                 "RL_ETYPE", NULL, 0);
    expect_error(&sv, "POST", "/books", "{\"title\": \"x\", \"in_print\": \"maybe\"}", NULL, 400,
                 "RL_ETYPE", NULL, 0);
    /* in a filter: the same sentence */
    expect_error(&sv, "GET", "/books?price=eq.abc", NULL, NULL, 400, "RL_ETYPE", msg, sizeof msg);
    assert_contains(msg, "price takes a number (REAL), and 'abc' is not one");
    expect_error(&sv, "DELETE", "/books?id=in.(1,x)", NULL, NULL, 400, "RL_ETYPE", NULL, 0);
    /* numbers as text are numbers */
    resp r = call(&sv, "POST", "/books", "{\"title\": \"y\", \"price\": \"2.5\"}", NULL);
    assert_int_equal(r.status, 201);
    done(&r);
    assert_int_equal(rows_of(&sv, "/books?price=eq.2.5"), 1);
    assert_int_equal(count_rows(&sv, "books"), 5);

    /* the same refusal through the C API's runtime models, on both engines */
    rl_models *ms;
    assert_int_equal(rl_models_load(sv.db, &ms), RL_OK);
    const rl_model *books = rl_models_find(ms, "books");
    assert_non_null(books);
    void *row = calloc(1, books->size);
    rl_value *v = rl_row_values(books, row);
    for (size_t i = 0; i < books->nfields; i++)
        if (strcmp(books->fields[i].name, "price") == 0)
            v[i] = rl_text(strdup("abc"));
        else if (strcmp(books->fields[i].name, "title") == 0)
            v[i] = rl_text(strdup("z"));
    assert_int_equal(rl_insert(sv.db, books, row), RL_ETYPE);
    assert_string_equal(rl_last_error(sv.db)->column, "price");
    assert_string_equal(rl_last_error(sv.db)->value, "abc");
    assert_contains(rl_errmsg(sv.db), "price takes a number (REAL), and 'abc' is not one");
    rl_row_free(books, row);
    free(row);
    rl_models_free(ms);
    assert_int_equal(count_rows(&sv, "books"), 5);
    stop(&sv);

    if (!on_pg()) return;
    /* PostgreSQL's own types: every data error (SQLSTATE class 22) is a 400 naming the column
     * and the value, in bodies and in filters, never a 500 or a 409 */
    start(&sv, NULL);
    assert_int_equal(
        rl_exec(sv.db,
                "CREATE TABLE typed (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, "
                "code VARCHAR(5), at TIMESTAMPTZ, day DATE, uid UUID, doc JSONB, small INTEGER, "
                "flag BOOLEAN)",
                NULL, 0, NULL),
        RL_OK);
    rl_server_free(sv.s);
    char err[300];
    assert_int_equal(
        rl_server_new(&sv.s, sv.db, &(rl_server_options){.quiet = true}, err, sizeof err), RL_OK);
    assert_int_equal(rl_server_rest(sv.s, ""), RL_OK);
    listen_now(&sv);
    static const struct {
        const char *body, *column, *value;
    } bad[] = {
        {"{\"code\": \"toolongvalue\"}", "code", NULL},
        {"{\"at\": \"not a time\"}", "at", "not a time"},
        {"{\"day\": \"2024-02-30\"}", "day", "2024-02-30"},
        {"{\"uid\": \"not-a-uuid\"}", "uid", "not-a-uuid"},
        {"{\"at\": \"2024-13-01T00:00:00\"}", "at", "2024-13-01T00:00:00"},
        {"{\"small\": 99999999999}", "small", NULL},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        resp b = call(&sv, "POST", "/typed", bad[i].body, NULL);
        if (b.status != 400) fail_msg("POST %s: %ld %s", bad[i].body, b.status, b.body);
        assert_string_equal(str_at(json_object_get(b.json, "reflite"), "code"), "RL_ETYPE");
        assert_true(strncmp(str_at(b.json, "code"), "22", 2) == 0); /* SQLSTATE class 22 */
        assert_contains(str_at(b.json, "message"), bad[i].column);
        if (bad[i].value) assert_contains(str_at(b.json, "message"), bad[i].value);
        assert_null(strstr(str_at(b.json, "message"), "rl_"));
        done(&b);
    }
    /* a JSON column takes any JSON value: a string is a JSON string, "{oops" included */
    resp doc = call(&sv, "POST", "/typed", "{\"doc\": \"{oops\"}", NULL);
    if (doc.status != 201) fail_msg("POST a string into jsonb: %ld %s", doc.status, doc.body);
    done(&doc);
    expect_error(&sv, "GET", "/typed?at=eq.not%20a%20time", NULL, NULL, 400, "RL_ETYPE", msg,
                 sizeof msg);
    assert_contains(msg, "at");
    expect_error(&sv, "GET", "/typed?day=gt.2024-02-30", NULL, NULL, 400, "RL_ETYPE", NULL, 0);
    expect_error(&sv, "DELETE", "/typed?uid=eq.zzz", NULL, NULL, 400, "RL_ETYPE", NULL, 0);
    stop(&sv);
}

static void test_nul_bytes_and_oversized_requests(void **state)
{
    (void)state;
    server sv;
    start_rest(&sv, NULL);
    char msg[300];
    expect_error(&sv, "GET", "/authors%00.json", NULL, NULL, 400, "RL_EINVAL", msg, sizeof msg);
    assert_contains(msg, "NUL");
    expect_error(&sv, "GET", "/authors?name=eq.Le%20Guin%00junk", NULL, NULL, 400, "RL_EINVAL",
                 NULL, 0);
    expect_error(&sv, "GET", "/authors?na%00me=eq.x", NULL, NULL, 400, "RL_EINVAL", NULL, 0);
    expect_error(&sv, "DELETE", "/authors?name=eq.Nobody%00", NULL, NULL, 400, "RL_EINVAL", NULL,
                 0);
    assert_int_equal(count_rows(&sv, "authors"), 3);
    /* the same connection's next request is judged on its own */
    assert_int_equal(rows_of(&sv, "/authors?name=eq.Le%20Guin"), 1);
    /* raw NUL bytes in a header's value (not the last, the last), in a name, in the request
     * line, and a header folded over two lines: 400, never a value cut at the NUL */
    // clang-format off
#define RAW(text) {text, sizeof text - 1}
    // clang-format on
    static const struct {
        const char *text;
        size_t len;
    } raw_nul[] = {
        RAW("GET /authors HTTP/1.1\r\nHost: 127.0.0.1\r\nPrefer: count=exact\0junk\r\nX-A: "
            "b\r\n\r\n"),
        RAW("GET /authors HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: b\r\nPrefer: "
            "count=exact\0junk\r\n\r\n"),
        RAW("GET /authors HTTP/1.1\r\nHost: 127.0.0.1\r\nX-\0A: b\r\nX-B: c\r\n\r\n"),
        RAW("GET /authors\0.json HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"),
        RAW("GET /authors HTTP/1.1\r\nHost: 127.0.0.1\r\nPrefer: count=exact\0 \r\n\r\n"),
        RAW("GET /authors HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: a\r\n folded\r\nX-B: c\r\n\r\n"),
    };
#undef RAW
    for (size_t i = 0; i < sizeof raw_nul / sizeof raw_nul[0]; i++) {
        bool closed;
        char *out = raw(&sv, raw_nul[i].text, raw_nul[i].len, &closed);
        if (strncmp(out, "HTTP/1.1 400", 12) != 0) fail_msg("request %zu: %s", i, out);
        assert_null(strstr(out, "Tolkien"));
        free(out);
    }
    /* bare LF line ends, white space after a value, a body after the headers: answered */
    static const char plain[] = "POST /authors HTTP/1.1\nHost: 127.0.0.1  \nContent-Type: "
                                "application/json\nContent-Length: 16\nConnection: close\n\n"
                                "{\"name\": \"Okri\"}";
    bool closed;
    char *out = raw(&sv, plain, sizeof plain - 1, &closed);
    if (strncmp(out, "HTTP/1.1 201", 12) != 0) fail_msg("bare LF: %s", out);
    free(out);
    assert_int_equal(count_rows(&sv, "authors"), 4);

    /* 2,000 and 8,000 query arguments: a JSON 414 at once, not silence */
    size_t cap = 40000, len;
    char *path = malloc(cap);
    for (int many = 2000; many <= 8000; many += 6000) {
        len = (size_t)snprintf(path, cap, "/authors?");
        for (int i = 0; i < many; i++)
            len += (size_t)snprintf(path + len, cap - len, "%sa=%d", i ? "&" : "", i % 10);
        double t0 = now_ms();
        expect_error(&sv, "GET", path, NULL, NULL, 414, "RL_ETOOLARGE", NULL, 0);
        assert_true(now_ms() - t0 < 10000); /* an answer, not the idle timeout (no speed test) */
    }
    free(path);
    /* 30 KB of headers (within the HTTP layer's 32 KiB): a JSON 431 */
    char *big = malloc(30100);
    strcpy(big, "X-Big: ");
    memset(big + 7, 'a', 30000);
    big[30007] = '\0';
    const char *const heavy[] = {big, NULL};
    expect_error(&sv, "GET", "/authors", NULL, heavy, 431, "RL_ETOOLARGE", NULL, 0);
    free(big);

    /* a long or=(...): a 400 naming the limit, never a 500 */
    cap = 80000;
    path = malloc(cap);
    len = (size_t)snprintf(path, cap, "/authors?or=(");
    for (int i = 0; i < 1200; i++) /* 13 KB, within the path the door takes */
        len += (size_t)snprintf(path + len, cap - len, "%sid.eq.%d", i ? "," : "", i);
    snprintf(path + len, cap - len, ")");
    expect_error(&sv, "GET", path, NULL, NULL, 400, "RL_EINVAL", msg, sizeof msg);
    assert_contains(msg, "500");
    path[10] = 'x'; /* the same as a DELETE */
    free(path);
    /* a long name is looked up whole, never cut to another name */
    char longname[400] = "/authors?or=(";
    memset(longname + 13, 'n', 300);
    strcpy(longname + 313, ".eq.1)");
    expect_error(&sv, "GET", longname, NULL, NULL, 400, "RL_EFIELD", msg, sizeof msg);
    assert_contains(msg, "no column");
    assert_true(strspn(strstr(msg, "nnn"), "n") >= 150); /* the sentence shows 150 of them */
    stop(&sv);
}

/* ---- 3. HTTP framing: no request smuggling ------------------------------------------------ */

static void test_no_request_smuggling(void **state)
{
    (void)state;
    server sv;
    start_rest(&sv, NULL);
    static const char hidden[] =
        "0\r\n\r\nGET /authors?id=eq.2 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    static const char *const heads[] = {
        /* Content-Length and Transfer-Encoding both */
        "POST /authors HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "Content-Length: %zu\r\nTransfer-Encoding: chunked\r\n\r\n",
        /* two Transfer-Encodings */
        "POST /authors HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\nX-N: %zu\r\n\r\n",
        /* disguised ones */
        "POST /authors HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "Content-Length: 5\r\nTransfer-Encoding:\tchunked\r\nX-N: %zu\r\n\r\n",
        "POST /authors HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "Content-Length: 5\r\nTransfer-Encoding : chunked\r\nX-N: %zu\r\n\r\n",
        "POST /authors HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        "Content-Length: 5\r\nTransfer-Encoding: Chunked \r\nX-N: %zu\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof heads / sizeof heads[0]; i++) {
        char req[1024];
        int n = snprintf(req, sizeof req, heads[i], sizeof hidden - 1);
        memcpy(req + n, hidden, sizeof hidden - 1);
        bool closed;
        char *out = raw(&sv, req, (size_t)n + sizeof hidden - 1, &closed);
        if (strncmp(out, "HTTP/1.1 400", 12) != 0) fail_msg("request %zu: %s", i, out);
        assert_contains(out, "RL_EFRAMING");
        assert_int_equal(occurrences(out, "HTTP/1.1 "), 1); /* the hidden request: unanswered */
        assert_null(strstr(out, "Tolkien"));
        assert_true(closed);
        free(out);
    }
    /* a coding the server does not implement: 501 at once */
    static const char gzip[] = "POST /authors HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                               "application/json\r\nTransfer-Encoding: gzip\r\n\r\nxxxx";
    bool closed;
    char *out = raw(&sv, gzip, sizeof gzip - 1, &closed);
    assert_true(strncmp(out, "HTTP/1.1 501", 12) == 0);
    assert_contains(out, "RL_EFRAMING");
    assert_true(closed);
    free(out);
    assert_int_equal(count_rows(&sv, "authors"), 3);
    /* chunked alone is fine */
    static const char chunked[] = "POST /authors HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                                  "application/json\r\nTransfer-Encoding: chunked\r\nConnection: "
                                  "close\r\n\r\n10\r\n{\"name\": \"Okri\"}\r\n0\r\n\r\n";
    out = raw(&sv, chunked, sizeof chunked - 1, &closed);
    if (strncmp(out, "HTTP/1.1 201", 12) != 0) fail_msg("chunked: %s", out);
    free(out);
    assert_int_equal(count_rows(&sv, "authors"), 4);
    stop(&sv);
}

/* ---- 4. a local server is safe from the web pages its user visits ------------------------ */

static void test_web_pages_of_other_sites(void **state)
{
    (void)state;
    server sv;
    start_rest(&sv, &(rl_server_options){.allow_hosts = "api.internal, other.test"});
    /* DNS rebinding: a name that is not the server's */
    static const char *const evil_host[] = {"Host: evil.example:8080", NULL};
    expect_error(&sv, "GET", "/authors", NULL, evil_host, 421, "RL_EHOST", NULL, 0);
    static const char *const evil_post[] = {"Host: evil.example", NULL};
    expect_error(&sv, "POST", "/authors", "{\"name\": \"x\"}", evil_post, 421, "RL_EHOST", NULL, 0);
    static const char *const suffix[] = {"Host: localhost.evil.example", NULL};
    expect_error(&sv, "GET", "/authors", NULL, suffix, 421, "RL_EHOST", NULL, 0);
    static const char *const ok_hosts[][2] = {{"Host: localhost", NULL},
                                              {"Host: LOCALHOST:1234", NULL},
                                              {"Host: api.internal", NULL},
                                              {"Host: other.test:443", NULL}};
    for (size_t i = 0; i < 4; i++) {
        resp r = call(&sv, "GET", "/authors", NULL, ok_hosts[i]);
        if (r.status != 200) fail_msg("%s: %ld", ok_hosts[i][0], r.status);
        done(&r);
    }
    /* a text/plain POST (no CORS preflight) is not a JSON body: 415, nothing written */
    static const char *const plain[] = {"Content-Type: text/plain", NULL};
    expect_error(&sv, "POST", "/authors", "{\"name\": \"x\"}", plain, 415, "RL_EMEDIA", NULL, 0);
    /* a form is what a page can send without asking: one its browser says comes from another
     * site is refused, whatever its Origin says */
    static const char *const form[] = {"Content-Type: application/x-www-form-urlencoded",
                                       "Sec-Fetch-Site: cross-site", NULL};
    expect_error(&sv, "PATCH", "/authors?id=eq.1", "name=x", form, 415, "RL_EMEDIA", NULL, 0);
    expect_error(&sv, "POST", "/authors", "name=x", form, 415, "RL_EMEDIA", NULL, 0);
    static const char *const form_foreign[] = {"Content-Type: application/x-www-form-urlencoded",
                                               "Origin: http://evil.example", NULL};
    expect_error(&sv, "POST", "/authors", "name=x", form_foreign, 403, "RL_EORIGIN", NULL, 0);
    static const char *const csv_plain[] = {"Content-Type: text/csv", NULL};
    expect_error(&sv, "PATCH", "/authors?id=eq.1", "name\nx", csv_plain, 415, "RL_EMEDIA", NULL, 0);
    static const char *const vnd[] = {"Content-Type: application/vnd.pgrst.object+json; "
                                      "charset=utf-8",
                                      NULL};
    resp r = call(&sv, "POST", "/tags", "{\"label\": \"vnd\"}", vnd);
    assert_int_equal(r.status, 201);
    done(&r);
    /* a page of another origin may not write; the server's own may */
    static const char *const foreign[] = {"Origin: http://evil.example", NULL};
    expect_error(&sv, "POST", "/authors", "{\"name\": \"x\"}", foreign, 403, "RL_EORIGIN", NULL, 0);
    expect_error(&sv, "DELETE", "/reviews?id=eq.1", NULL, foreign, 403, "RL_EORIGIN", NULL, 0);
    static const char *const null_origin[] = {"Origin: null", NULL};
    expect_error(&sv, "POST", "/authors", "{\"name\": \"x\"}", null_origin, 403, "RL_EORIGIN", NULL,
                 0);
    char own[100], other_port[100];
    snprintf(own, sizeof own, "Origin: http://localhost:%d", rl_server_port(sv.s));
    snprintf(other_port, sizeof other_port, "Origin: http://127.0.0.1:%d",
             rl_server_port(sv.s) + 1);
    const char *const mine[] = {own, NULL}, *const elsewhere[] = {other_port, NULL};
    expect_error(&sv, "POST", "/authors", "{\"name\": \"x\"}", elsewhere, 403, "RL_EORIGIN", NULL,
                 0);
    r = call(&sv, "POST", "/authors", "{\"name\": \"Mine\"}", mine);
    assert_int_equal(r.status, 201);
    done(&r);
    /* reading from another origin is the browser's business (no CORS header: it hides it) */
    r = call(&sv, "GET", "/authors", NULL, foreign);
    assert_int_equal(r.status, 200);
    assert_null(strstr(r.headers, "Access-Control-Allow-Origin"));
    done(&r);
    assert_int_equal(count_rows(&sv, "authors"), 4);
    assert_int_equal(count_rows(&sv, "reviews"), 3);
    stop(&sv);
}

static void test_one_client_cannot_hold_the_server(void **state)
{
    (void)state;
    server sv;
    start_rest(&sv, &(rl_server_options){.max_per_address = 5, .idle_timeout = 3});
    /* five connections, each answered once (so the server has surely counted it), then idle */
    static const char get[] = "GET /authors HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    int idle[5];
    bool closed;
    for (int i = 0; i < 5; i++) {
        idle[i] = connect_from(&sv, "127.0.0.1");
        assert_int_equal(send(idle[i], get, sizeof get - 1, 0), (ssize_t)(sizeof get - 1));
        char *first = read_all(idle[i], 200, &closed);
        assert_true(strncmp(first, "HTTP/1.1 200", 12) == 0);
        assert_false(closed);
        free(first);
    }
    /* the sixth from the same address is turned away at once, not left waiting */
    int sixth = connect_from(&sv, "127.0.0.1");
    send(sixth, get, sizeof get - 1, MSG_NOSIGNAL);
    char *out = read_all(sixth, 5000, &closed);
    assert_true(closed);
    assert_null(strstr(out, "Tolkien"));
    free(out);
    close(sixth);
    /* another address is served meanwhile */
    int other = connect_from(&sv, "127.0.0.2");
    assert_int_equal(send(other, get, sizeof get - 1, 0), (ssize_t)(sizeof get - 1));
    out = read_all(other, 5000, &closed);
    assert_true(strncmp(out, "HTTP/1.1 200", 12) == 0);
    free(out);
    close(other);
    /* silent connections are closed after the idle timeout */
    for (int i = 0; i < 5; i++) {
        out = read_all(idle[i], 5000, &closed);
        assert_true(closed);
        free(out);
        close(idle[i]);
    }
    /* and the address is served again (once the server has counted them out) */
    bool served = false;
    for (double until = now_ms() + 5000; !served && now_ms() < until;) {
        int fd = connect_from(&sv, "127.0.0.1");
        send(fd, get, sizeof get - 1, MSG_NOSIGNAL);
        out = read_all(fd, 2000, &closed);
        served = strncmp(out, "HTTP/1.1 200", 12) == 0;
        free(out);
        close(fd);
    }
    assert_true(served);
    stop(&sv);
}

/* The request log shows the query string, never a secret, never a forged line. */
static void test_request_log(void **state)
{
    (void)state;
    char path[] = "/tmp/reflite-log-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *log = fdopen(fd, "w+");
    server sv;
    start(&sv, &(rl_server_options){.log = log});
    rl_server_free(sv.s); /* start() makes it quiet: this one logs */
    char err[300];
    assert_int_equal(rl_server_new(&sv.s, sv.db, &(rl_server_options){.log = log}, err, sizeof err),
                     RL_OK);
    assert_int_equal(rl_server_rest(sv.s, ""), RL_OK);
    listen_now(&sv);
    expect_error(&sv, "GET", "/authors?name=eq.Tolkien&access_token=S3CRET&apikey=K3Y", NULL, NULL,
                 400, "RL_EINVAL", NULL, 0);
    expect_error(&sv, "GET", "/x%0AGET%20/forged%20200", NULL, NULL, 404, "RL_ENOTFOUND", NULL, 0);
    stop(&sv);
    fflush(log);
    rewind(log);
    char text[4096] = "";
    size_t n = fread(text, 1, sizeof text - 1, log);
    text[n] = '\0';
    fclose(log);
    unlink(path);
    assert_contains(text, "GET /authors?name=eq.Tolkien&access_token=(secret)&apikey=(secret) 400");
    assert_null(strstr(text, "S3CRET"));
    assert_null(strstr(text, "K3Y"));
    assert_null(strstr(text, "\nGET /forged"));
    assert_contains(text, "GET /x%0AGET%20/forged%20200 404");
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unfiltered_writes_are_refused),
        cmocka_unit_test(test_writes_reach_what_they_say),
        cmocka_unit_test(test_schema_changes_are_followed),
        cmocka_unit_test(test_unknown_names_are_errors),
        cmocka_unit_test(test_values_the_column_cannot_hold),
        cmocka_unit_test(test_nul_bytes_and_oversized_requests),
        cmocka_unit_test(test_no_request_smuggling),
        cmocka_unit_test(test_web_pages_of_other_sites),
        cmocka_unit_test(test_one_client_cannot_hold_the_server),
        cmocka_unit_test(test_request_log),
    };
    int failed = run_suite(tests);
    curl_global_cleanup();
    return failed;
}

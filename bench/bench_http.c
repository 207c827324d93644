/*
 * The HTTP server under load, against a bare libmicrohttpd handler in the same run.
 *
 * Both listen on 127.0.0.1 with the same daemon settings (a thread pool over epoll, the same
 * number of threads); wrk loads each in turn with the same connections and duration.  The bare
 * handler answers each request with the bytes reflite gave for it (read once beforehand), and
 * reads a POST's body, so both put the same bytes on the wire: the difference is what reflite
 * does between the socket and the database.
 *
 *   GET /books/{id}                            one row by key
 *   GET /books?select=...,authors(name)&...    100 rows, each with its parent embedded
 *   POST /books                                one row inserted (a transaction each)
 *
 * Prints requests per second of both, their ratio and the p99 latencies.  Then the three
 * workloads against a hand-written server that does the same work on sqlite3, libmicrohttpd and
 * jansson (hand_http.c, checked to answer the same status and bytes), in alternating rounds:
 *
 *   http get-by-key vs hand-written: R
 *   http list-with-parent vs hand-written: R
 *   http post vs hand-written: R
 *
 * and the web page of 100 rows against the JSON of the same rows (page_vs_json):
 *
 *   http page of 100 rows vs its JSON: R
 *
 * R = reflite's requests per second / the hand-written server's, the median of the rounds (each
 * round one-second slices of the two sides in turn, as many as the seconds per run): 9 rounds,
 * since on a machine of 2 shared cores one round's ratio varies by a tenth either way; the
 * page against its JSON, at most 5.
 * Usage: bench_http [seconds per run (5)] [threads (2)] [connections (16)] [rounds (9)]
 */
#include "bench_util.h"
#include "hand_http.h"

#include <reflite.h>
#include <reflite/http.h>

#include <arpa/inet.h>
#include <curl/curl.h>
#include <microhttpd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct workload {
    const char *name, *method, *path, *body;
    char *reply; /* reflite's answer, replayed by the bare handler */
    size_t reply_len;
    long status;
} workload;

static workload loads[] = {
    {"GET one row by key", "GET", "/books/5000", NULL, NULL, 0, 0},
    {"GET 100 rows + parent", "GET",
     "/books?select=id,title,price,authors(name)&id=gt.2000&limit=100", NULL, NULL, 0, 0},
    {"POST one row", "POST", "/books", "{\"title\":\"New\",\"author_id\":7,\"price\":3.5}", NULL, 0,
     0},
};
enum { NLOADS = sizeof loads / sizeof loads[0] };

/* ---- the bare handler --------------------------------------------------------------------- */

static enum MHD_Result bare(void *cls, struct MHD_Connection *c, const char *url,
                            const char *method, const char *version, const char *upload,
                            size_t *upload_size, void **con_cls)
{
    (void)cls, (void)version, (void)upload;
    if (!*con_cls) { /* headers only: wait for the body, as a real handler does */
        *con_cls = c;
        return MHD_YES;
    }
    if (*upload_size) {
        *upload_size = 0;
        return MHD_YES;
    }
    const workload *w = &loads[0];
    for (size_t i = 0; i < NLOADS; i++)
        if (strcmp(method, loads[i].method) == 0 && strncmp(url, loads[i].path, strlen(url)) == 0)
            w = &loads[i];
    struct MHD_Response *r =
        MHD_create_response_from_buffer(w->reply_len, w->reply, MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(r, "Content-Type", "application/json");
    enum MHD_Result ok = MHD_queue_response(c, (unsigned)w->status, r);
    MHD_destroy_response(r);
    return ok;
}

/* ---- wrk ---------------------------------------------------------------------------------- */

typedef struct result {
    double rps, p99_ms;
} result;

/* A wrk latency ("1.23ms", "456.00us", "1.01s") in milliseconds. */
static double ms_of(const char *t)
{
    char *end;
    double v = strtod(t, &end);
    return strncmp(end, "us", 2) == 0 ? v / 1000 : strncmp(end, "ms", 2) == 0 ? v : v * 1000;
}

static result run_wrk(int port, const workload *w, int secs, int conns)
{
    char lua[] = "/tmp/reflite-wrk-XXXXXX";
    int fd = mkstemp(lua);
    FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
    if (!f) exit(1);
    fprintf(f, "wrk.method = \"%s\"\n", w->method);
    if (w->body)
        fprintf(f, "wrk.body = '%s'\nwrk.headers[\"Content-Type\"] = \"application/json\"\n",
                w->body);
    fclose(f);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "wrk -t2 -c%d -d%ds --latency -s %s 'http://127.0.0.1:%d%s' 2>&1",
             conns, secs, lua, port, w->path);
    FILE *p = popen(cmd, "r");
    result r = {0, 0};
    char line[512];
    bool errors = false;
    while (p && fgets(line, sizeof line, p)) {
        const char *s = line + strspn(line, " \t");
        if (strncmp(s, "Requests/sec:", 13) == 0) r.rps = strtod(s + 13, NULL);
        if (strncmp(s, "99%", 3) == 0) r.p99_ms = ms_of(s + 3 + strspn(s + 3, " \t"));
        if (strstr(s, "Non-2xx") || strstr(s, "Socket errors")) {
            errors = true;
            fprintf(stderr, "  wrk: %s", s);
        }
    }
    if (p) pclose(p);
    unlink(lua);
    if (errors) r.rps = -r.rps; /* shown, not counted */
    return r;
}

/* ---- the database and reflite's answers --------------------------------------------------- */

static size_t keep(char *d, size_t size, size_t n, void *ctx)
{
    workload *w = ctx;
    char *g = realloc(w->reply, w->reply_len + size * n + 1);
    if (!g) return 0;
    memcpy(g + w->reply_len, d, size * n);
    w->reply = g;
    w->reply_len += size * n;
    return size * n;
}

/* w's answer from the server on port into w->reply (which must be empty). */
static void capture(int port, workload *w)
{
    char url[512];
    snprintf(url, sizeof url, "http://127.0.0.1:%d%s", port, w->path);
    CURL *c = curl_easy_init();
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, w->method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    if (w->body) curl_easy_setopt(c, CURLOPT_POSTFIELDS, w->body);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, w);
    if (curl_easy_perform(c) != CURLE_OK) exit(1);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &w->status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    if (w->status >= 300) {
        fprintf(stderr, "%s %s: %ld %.*s\n", w->method, w->path, w->status, (int)w->reply_len,
                w->reply);
        exit(1);
    }
}

static rl_db *make_database(const char *path)
{
    rl_db *db;
    char err[256];
    rl_options o = {.profile = RL_PROFILE_DEVELOPMENT};
    if (rl_open_ex(&db, path, &o, err, sizeof err) != RL_OK) {
        fprintf(stderr, "%s\n", err);
        exit(1);
    }
    const char *sql =
        "CREATE TABLE authors (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, born INTEGER);"
        "CREATE TABLE books (id INTEGER PRIMARY KEY, title TEXT NOT NULL, author_id INTEGER "
        "REFERENCES authors (id) ON DELETE CASCADE, price REAL CHECK (price >= 0));"
        "CREATE INDEX books_author ON books (author_id);"
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100) "
        "INSERT INTO authors (name, born) SELECT 'Author ' || i, 1900 + i FROM n;"
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 10000) "
        "INSERT INTO books (title, author_id, price) SELECT 'Book ' || i, 1 + i % 100, i % 50 "
        "FROM n;";
    if (rl_exec(db, sql, NULL, 0, NULL) != RL_OK) {
        fprintf(stderr, "%s\n", rl_errmsg(db));
        exit(1);
    }
    return db;
}

/* The workloads against the hand-written server: rounds of one-second slices of both sides in
 * turn (the first side alternating), a round's ratio that of their requests, and the median
 * ratio of the rounds. */
static void against_hand(int port, const char *path, int threads, int secs, int conns, int rounds)
{
    static const char *const lines[] = {"http get-by-key", "http list-with-parent", "http post"};
    enum { NLINES = 3 };
    hand_server *h = hand_start(path, (unsigned)threads);
    if (!h) die("hand-written server", "cannot start");
    for (int i = 0; i < NLINES; i++) { /* the same bytes, or the comparison means nothing */
        workload mine = loads[i];
        mine.reply = NULL;
        mine.reply_len = 0;
        capture(hand_port(h), &mine);
        if (mine.status != loads[i].status || mine.reply_len != loads[i].reply_len ||
            memcmp(mine.reply, loads[i].reply, mine.reply_len) != 0) {
            fprintf(stderr, "%s: the hand-written server answers\n%.*s\nreflite answers\n%.*s\n",
                    lines[i], (int)mine.reply_len, mine.reply, (int)loads[i].reply_len,
                    loads[i].reply);
            exit(1);
        }
        free(mine.reply);
    }
    printf("\nagainst a hand-written sqlite3 + libmicrohttpd server, %d rounds of %d one-second "
           "slices a side, in turn:\n",
           rounds, secs);
    double ratios[NLINES * 16];
    /* a workload's rounds together: the reads are not run among the inserts' checkpoints */
    for (int i = 0; i < NLINES; i++)
        for (int r = 0; r < rounds; r++) { /* one-second slices of each side in turn */
            double sa = 0, sb = 0;
            bool counted = true;
            for (int s = 0; s < secs; s++) {
                result a, b;
                if ((r + s) % 2) {
                    a = run_wrk(port, &loads[i], 1, conns);
                    b = run_wrk(hand_port(h), &loads[i], 1, conns);
                } else {
                    b = run_wrk(hand_port(h), &loads[i], 1, conns);
                    a = run_wrk(port, &loads[i], 1, conns);
                }
                counted = counted && a.rps > 0 && b.rps > 0;
                sa += a.rps;
                sb += b.rps;
            }
            ratios[i * rounds + r] = counted ? sa / sb : 0;
            printf("  round %d %-22s reflite %8.0f r/s  hand-written %8.0f r/s  %.3f\n", r + 1,
                   lines[i] + 5, sa / secs, sb / secs, ratios[i * rounds + r]);
            fflush(stdout);
        }
    hand_stop(h);
    for (int i = 0; i < NLINES; i++) {
        double *v = ratios + i * rounds;
        qsort(v, (size_t)rounds, sizeof *v, bench_by_value);
        printf("%s vs hand-written: %.3f\n", lines[i],
               rounds % 2 ? v[rounds / 2] : (v[rounds / 2 - 1] + v[rounds / 2]) / 2);
    }
}

/* The web page of 100 books (each key labelled with its author's name, the facets counted
 * over the rows the filter keeps) against the JSON API's answer for the same rows with their
 * authors' names, on the same server: rounds of both in turn, the first alternating. */
static void page_vs_json(int port, int secs, int conns, int rounds)
{
    workload page = {"page", "GET", "/books?id=gt.2000&_size=100&_format=html", NULL, NULL, 0, 0},
             json = {"json", "GET", "/books?select=*,authors(name)&id=gt.2000&limit=100",
                     NULL,   NULL,  0,
                     0};
    double ratios[16];
    printf("\nthe web page of 100 rows with labelled keys and facets, against the JSON of the "
           "same rows with their parents, %d rounds of %d s a side:\n",
           rounds, secs);
    for (int r = 0; r < rounds; r++) {
        result a, b;
        if (r % 2) {
            a = run_wrk(port, &page, secs, conns);
            b = run_wrk(port, &json, secs, conns);
        } else {
            b = run_wrk(port, &json, secs, conns);
            a = run_wrk(port, &page, secs, conns);
        }
        ratios[r] = a.rps > 0 && b.rps > 0 ? a.rps / b.rps : 0;
        printf("  round %d page %8.0f r/s  JSON %8.0f r/s  %.3f\n", r + 1, a.rps, b.rps, ratios[r]);
        fflush(stdout);
    }
    qsort(ratios, (size_t)rounds, sizeof *ratios, bench_by_value);
    printf("http page of 100 rows vs its JSON: %.3f\n",
           rounds % 2 ? ratios[rounds / 2] : (ratios[rounds / 2 - 1] + ratios[rounds / 2]) / 2);
}

/* The books the POST workloads added, deleted through a connection of its own, so that every
 * workload after them reads the same 10,000 (the page counts facets over the rows it keeps). */
static void forget_posted(const char *path)
{
    rl_db *db;
    char err[256];
    rl_options o = {.profile = RL_PROFILE_DEVELOPMENT};
    if (rl_open_ex(&db, path, &o, err, sizeof err) != RL_OK) die("reopen", err);
    if (rl_exec(db, "DELETE FROM books WHERE id > 10000", NULL, 0, NULL) != RL_OK)
        die("delete the posted books", rl_errmsg(db));
    rl_close(db);
}

int main(int argc, char **argv)
{
    int secs = argc > 1 ? atoi(argv[1]) : 5, threads = argc > 2 ? atoi(argv[2]) : 2,
        conns = argc > 3 ? atoi(argv[3]) : 16, rounds = argc > 4 ? atoi(argv[4]) : 9;
    if (rounds < 3 || rounds > 16) die("rounds", "between 3 and 16");
    if (system("command -v wrk >/dev/null 2>&1") != 0) {
        fprintf(stderr, "bench_http: wrk is needed (Debian package wrk)\n");
        return 1;
    }
    char path[] = "/tmp/reflite-bench-http-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) return 1;
    close(fd);
    unlink(path);
    rl_db *db = make_database(path);
    rl_server *s;
    char err[256];
    rl_server_options o = {.threads = (unsigned)threads, .quiet = true};
    if (rl_server_new(&s, db, &o, err, sizeof err) != RL_OK || rl_server_rest(s, "") != RL_OK ||
        rl_server_start(s) != RL_OK) {
        fprintf(stderr, "bench_http: %s\n", err);
        return 1;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    for (size_t i = 0; i < NLOADS; i++)
        capture(rl_server_port(s), &loads[i]);
    struct sockaddr_in lo = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    struct MHD_Daemon *d =
        MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC, 0, NULL, NULL, bare, NULL,
                         MHD_OPTION_SOCK_ADDR, &lo, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads,
                         MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_END);
    const union MHD_DaemonInfo *info = d ? MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT) : 0;
    if (!info) return 1;
    int bare_port = info->port;
    printf("HTTP on loopback: wrk -t2 -c%d -d%ds, %d server threads, SQLite file, 10,000 books\n",
           conns, secs, threads);
    printf("%-24s %12s %12s %7s %10s %10s\n", "workload", "reflite r/s", "bare r/s", "ratio",
           "p99 reflite", "p99 bare");
    for (size_t i = 0; i < NLOADS; i++) {
        result bare_r = run_wrk(bare_port, &loads[i], secs, conns);
        result rl_r = run_wrk(rl_server_port(s), &loads[i], secs, conns);
        printf("%-24s %12.0f %12.0f %7.3f %8.2fms %8.2fms\n", loads[i].name, rl_r.rps, bare_r.rps,
               bare_r.rps > 0 ? rl_r.rps / bare_r.rps : 0, rl_r.p99_ms, bare_r.p99_ms);
        fflush(stdout);
    }
    MHD_stop_daemon(d);
    forget_posted(path);
    against_hand(rl_server_port(s), path, threads, secs, conns, rounds);
    forget_posted(path);
    page_vs_json(rl_server_port(s), secs, conns, rounds < 5 ? rounds : 5);
    rl_server_free(s);
    rl_close(db);
    unlink(path);
    char side[400];
    snprintf(side, sizeof side, "%s-wal", path);
    unlink(side);
    snprintf(side, sizeof side, "%s-shm", path);
    unlink(side);
    for (size_t i = 0; i < NLOADS; i++)
        free(loads[i].reply);
    curl_global_cleanup();
    return 0;
}

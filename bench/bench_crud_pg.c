/*
 * The library workload (bench/crud_workload.h) on PostgreSQL: reflite against hand-written
 * libpq code in the same run, on the same server.
 *
 * Usage: bench_crud_pg URL [rounds] [authors] [reflite|baseline]   (defaults: 5 rounds, 1,000
 * authors x 100 books: every statement is a round trip to the server, so the SQLite run's
 * 10,000 authors would take minutes here).  One side alone is for an instruction counter.
 * scripts/bench_pg.sh starts a throw-away server for it, pinned to another core.
 *
 * Each side runs in a fresh schema of its own: reflite's through the test profile, the
 * baseline's created by hand with reflite's DDL, so both have the same tables and indexes.
 * The baseline is the fastest honest hand-written libpq code without pipelining (neither side
 * pipelines): every statement prepared once (PQprepare) and run with PQexecPrepared, text
 * parameters and results, INSERT ... RETURNING for the generated key, the writing phases in
 * one transaction per slice.  Both sides are open at once and each phase runs in slices, the
 * sides alternating slice by slice; the table gives each phase's best time, and each round's
 * ratio with their minimum, median and maximum.
 *
 * With REFLITE_BENCH_POOLED=1, URL is a transaction pooler's (PgBouncer): each side then works
 * in a fresh database of its own (a session's schema does not hold through the pooler), reflite
 * with prepared_statements off (found by itself on PgBouncer's port), the baseline with unnamed
 * statements (PQexecParams): named ones do not survive a pooler either.
 */
#include <libpq-fe.h>

#define BENCH_HANDLE PGconn
#define BENCH_STMT   char /* a prepared statement's name */
#include "crud_workload.h"

#include <inttypes.h>

/* ---- hand-written libpq ------------------------------------------------------------------- */

static void pq_ok(PGconn *h, PGresult *r, ExecStatusType want, const char *what)
{
    if (PQresultStatus(r) != want) die(what, PQerrorMessage(h));
}

static void pq_exec(PGconn *h, const char *sql)
{
    PGresult *r = PQexec(h, sql);
    pq_ok(h, r, PGRES_COMMAND_OK, sql);
    PQclear(r);
}

/* Run a statement with n text parameters; the result (caller clears it).  The statement is
 * its prepared name, or through a pooler its text (which has spaces), run unnamed. */
static PGresult *run(PGconn *h, const char *stmt, int n, const char *const *params,
                     ExecStatusType want)
{
    PGresult *r = strchr(stmt, ' ') ? PQexecParams(h, stmt, n, NULL, params, NULL, NULL, 0)
                                    : PQexecPrepared(h, stmt, n, params, NULL, NULL, 0);
    pq_ok(h, r, want, stmt);
    return r;
}

enum { S_INS_A, S_INS_B, S_SEL, S_UPD, S_DEL, S_GET, S_TOP };
static const char *const stmt_names[] = {"ins_a", "ins_b", "sel", "upd", "del", "get", "top"};
static const char *const stmt_text[] = {
    [S_INS_A] = "INSERT INTO authors (name, email) VALUES ($1, $2) RETURNING pk",
    [S_INS_B] = "INSERT INTO books (title, author_id) VALUES ($1, $2) RETURNING pk",
    [S_SEL] = "SELECT pk, title, author_id FROM books WHERE author_id = $1",
    [S_UPD] = "UPDATE books SET title = $1 WHERE pk = $2",
    [S_DEL] = "DELETE FROM authors WHERE pk = $1",
    [S_GET] = "SELECT pk, title, author_id FROM books WHERE pk = $1",
    [S_TOP] = "SELECT pk, title, author_id FROM books WHERE author_id = $1 ORDER BY title LIMIT 10",
};

static int64_t int_at(PGresult *r, int row, int col)
{
    return strtoll(PQgetvalue(r, row, col), NULL, 10);
}

PHASE phase_insert_baseline(side *x)
{
    char name[64], email[64], title[64], apk[24];
    pq_exec(x->h, "BEGIN");
    int lo, hi;
    span(x, x->authors, &lo, &hi);
    for (int i = lo; i < hi; i++) {
        author_name(name, sizeof name, i);
        author_email(email, sizeof email, i);
        const char *pa[] = {name, email};
        PGresult *r = run(x->h, x->st[S_INS_A], 2, pa, PGRES_TUPLES_OK);
        x->author_pk[i] = int_at(r, 0, 0);
        PQclear(r);
        snprintf(apk, sizeof apk, "%" PRId64, x->author_pk[i]);
        for (int j = 0; j < BOOKS_PER_AUTHOR; j++) {
            book_title(title, sizeof title, i, j);
            const char *pb[] = {title, apk};
            r = run(x->h, x->st[S_INS_B], 2, pb, PGRES_TUPLES_OK);
            x->book_pk[(size_t)i * BOOKS_PER_AUTHOR + (size_t)j] = int_at(r, 0, 0);
            PQclear(r);
        }
    }
    pq_exec(x->h, "COMMIT");
}

/* Rows of r as an array of structs with copied strings. */
static Book *books_of(PGresult *r, int *n)
{
    *n = PQntuples(r);
    Book *books = malloc(sizeof *books * (size_t)(*n ? *n : 1));
    for (int k = 0; k < *n; k++)
        books[k] = (Book){.pk = int_at(r, k, 0),
                          .title = strdup(PQgetvalue(r, k, 1)),
                          .author_id = int_at(r, k, 2)};
    return books;
}

static void free_books(Book *books, int n)
{
    for (int k = 0; k < n; k++)
        free(books[k].title);
    free(books);
}

PHASE phase_fetch_baseline(side *x)
{
    char pk[24];
    int lo, hi;
    span(x, x->authors, &lo, &hi);
    for (int i = lo; i < hi; i++) {
        snprintf(pk, sizeof pk, "%" PRId64, x->author_pk[i]);
        const char *p[] = {pk};
        PGresult *r = run(x->h, x->st[S_SEL], 1, p, PGRES_TUPLES_OK);
        int n;
        Book *books = books_of(r, &n);
        PQclear(r);
        for (int k = 0; k < n; k++)
            x->sum += books[k].pk + (int64_t)strlen(books[k].title);
        free_books(books, n);
    }
}

PHASE phase_update_baseline(side *x)
{
    char title[64], pk[24];
    pq_exec(x->h, "BEGIN");
    int lo, hi; /* every 10th book */
    span(x, x->authors * BOOKS_PER_AUTHOR / 10, &lo, &hi);
    for (size_t k = (size_t)lo * 10; k < (size_t)hi * 10; k += 10) {
        snprintf(title, sizeof title, "Revised %zu", k);
        snprintf(pk, sizeof pk, "%" PRId64, x->book_pk[k]);
        const char *p[] = {title, pk};
        PQclear(run(x->h, x->st[S_UPD], 2, p, PGRES_COMMAND_OK));
    }
    pq_exec(x->h, "COMMIT");
}

PHASE phase_delete_baseline(side *x)
{
    char pk[24];
    pq_exec(x->h, "BEGIN");
    int lo, hi; /* every 10th author */
    span(x, (x->authors + 9) / 10, &lo, &hi);
    for (int i = lo * 10; i < hi * 10 && i < x->authors; i += 10) {
        snprintf(pk, sizeof pk, "%" PRId64, x->author_pk[i]);
        const char *p[] = {pk};
        PQclear(run(x->h, x->st[S_DEL], 1, p, PGRES_COMMAND_OK));
    }
    pq_exec(x->h, "COMMIT");
}

PHASE phase_get_pk_baseline(side *x)
{
    char pk[24];
    int lo, hi;
    span(x, GET_PK_QUERIES, &lo, &hi);
    for (int n = lo; n < hi; n++) {
        snprintf(pk, sizeof pk, "%" PRId64, get_pk_target(x, n));
        const char *p[] = {pk};
        PGresult *r = run(x->h, x->st[S_GET], 1, p, PGRES_TUPLES_OK);
        if (PQntuples(r) != 1) die("get_pk", "no row");
        Book b = {.pk = int_at(r, 0, 0),
                  .title = strdup(PQgetvalue(r, 0, 1)),
                  .author_id = int_at(r, 0, 2)};
        PQclear(r);
        x->sum += b.author_id + (int64_t)strlen(b.title);
        free(b.title);
    }
}

PHASE phase_top10_baseline(side *x)
{
    char pk[24];
    int lo, hi;
    span(x, TOP10_QUERIES, &lo, &hi);
    for (int n = lo; n < hi; n++) {
        snprintf(pk, sizeof pk, "%" PRId64, x->author_pk[n % x->authors]);
        const char *p[] = {pk};
        PGresult *r = run(x->h, x->st[S_TOP], 1, p, PGRES_TUPLES_OK);
        int k;
        Book *books = books_of(r, &k);
        PQclear(r);
        for (int j = 0; j < k; j++)
            x->sum += books[j].pk + (int64_t)books[j].title[5];
        free_books(books, k);
    }
}

/* A connection in a fresh schema of its own holding the workload's tables (ddl); through a
 * pooler (pooled) in the fresh database url names, its statements unnamed. */
static void open_baseline(side *x, const char *url, const char *ddl, bool pooled)
{
    x->h = PQconnectdb(url);
    if (PQstatus(x->h) != CONNECTION_OK) die("connect", PQerrorMessage(x->h));
    if (pooled) {
        pq_exec(x->h, ddl);
        for (int i = 0; i <= S_TOP; i++)
            x->st[i] = (char *)stmt_text[i];
        return;
    }
    char sql[160];
    snprintf(sql, sizeof sql,
             "SET client_min_messages = warning; DROP SCHEMA IF EXISTS bench_base_%d CASCADE; "
             "CREATE SCHEMA bench_base_%d; SET search_path TO bench_base_%d",
             (int)getpid(), (int)getpid(), (int)getpid());
    pq_exec(x->h, sql);
    pq_exec(x->h, ddl);
    for (int i = 0; i <= S_TOP; i++) {
        PGresult *r = PQprepare(x->h, stmt_names[i], stmt_text[i], 0, NULL);
        pq_ok(x->h, r, PGRES_COMMAND_OK, stmt_text[i]);
        PQclear(r);
        x->st[i] = (char *)stmt_names[i];
    }
}

static int64_t close_baseline(side *x, bool pooled)
{
    PGresult *r = PQexec(x->h, "SELECT count(*) FROM books");
    pq_ok(x->h, r, PGRES_TUPLES_OK, "count");
    int64_t left = int_at(r, 0, 0);
    PQclear(r);
    char sql[96];
    snprintf(sql, sizeof sql, "DROP SCHEMA bench_base_%d CASCADE", (int)getpid());
    if (!pooled) pq_exec(x->h, sql); /* through a pooler its database goes */
    PQfinish(x->h);
    return left;
}

static void (*const phases_baseline[P_COUNT])(side *) = {
    phase_insert_baseline, phase_fetch_baseline,  phase_update_baseline,
    phase_delete_baseline, phase_get_pk_baseline, phase_top10_baseline};

typedef struct {
    const char *url, *ddl;
    bool pooled; /* url is a transaction pooler's: nothing may rest on a session */
} pg_target;

/* The database of a side through a pooler (a session's schema would not hold there). */
static void side_db(char *db, size_t len, bool reflite)
{
    snprintf(db, len, "bench_%s_%d", reflite ? "rl" : "base", (int)getpid());
}

static void quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* Run sql on a connection of its own to url (its notices unsaid: "does not exist, skipping"). */
static void admin(const char *url, const char *sql)
{
    PGconn *h = PQconnectdb(url);
    if (PQstatus(h) != CONNECTION_OK) die("connect", PQerrorMessage(h));
    PQsetNoticeProcessor(h, quiet, NULL);
    pq_exec(h, sql);
    PQfinish(h);
}

/* url with its database db instead (a new string). */
static char *url_with_db(const char *url, const char *db)
{
    const char *path = strchr(strstr(url, "://") + 3, '/');
    if (!path) die("url", "no database in the URL");
    size_t head = (size_t)(path - url) + 1, tail = strcspn(path + 1, "?");
    char *out = malloc(strlen(url) + strlen(db) + 1);
    sprintf(out, "%.*s%s%s", (int)head, url, db, path + 1 + tail);
    return out;
}

/* reflite's side in a fresh schema of the test profile, the baseline's in one it creates; through
 * a pooler each in a fresh database */
static void open_pg(side *x, bool reflite, const void *ctx)
{
    const pg_target *pg = ctx;
    rl_options o = {.profile = RL_PROFILE_TEST}; /* a fresh schema, dropped at close */
    char db[64], sql[128];
    char *url = (char *)pg->url;
    if (pg->pooled) {
        side_db(db, sizeof db, reflite);
        snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", db);
        admin(pg->url, sql);
        snprintf(sql, sizeof sql, "CREATE DATABASE %s", db);
        admin(pg->url, sql);
        url = url_with_db(pg->url, db);
        o.profile = RL_PROFILE_DEVELOPMENT;
    }
    if (reflite)
        open_reflite(x, url, &o);
    else
        open_baseline(x, url, pg->ddl, pg->pooled);
    if (url != pg->url) free(url);
}

static int64_t close_pg(side *x, bool reflite, const void *ctx)
{
    const pg_target *pg = ctx;
    int64_t left = reflite ? close_reflite(x) : close_baseline(x, pg->pooled);
    if (pg->pooled) {
        char db[64], sql[128];
        side_db(db, sizeof db, reflite);
        snprintf(sql, sizeof sql, "DROP DATABASE %s WITH (FORCE)", db);
        admin(pg->url, sql);
    }
    return left;
}

int main(int argc, char **argv)
{
    const char *url = argc > 1 ? argv[1] : NULL;
    int rounds = argc > 2 ? atoi(argv[2]) : 5;
    int authors = argc > 3 ? atoi(argv[3]) : 1000;
    /* a fourth argument runs one side only, for an instruction counter */
    char only = argc > 4 ? argv[4][0] : 0;
    if (!url || rounds < 1 || authors < 10 || (only && only != 'r' && only != 'b'))
        die("usage", "bench_crud_pg postgresql://URL [rounds>=1] [authors>=10] "
                     "[reflite|baseline]");

    /* REFLITE_BENCH_POOLED=1: url is a transaction pooler's (scripts/bench_pg.sh) */
    bool pooled = getenv("REFLITE_BENCH_POOLED") && *getenv("REFLITE_BENCH_POOLED") == '1';
    char *ddl = workload_ddl(url, pooled ? RL_PROFILE_DEVELOPMENT : RL_PROFILE_TEST);
    pg_target pg = {url, ddl, pooled};
    crud_engine e = {"PostgreSQL", "libpq", phases_baseline, open_pg, close_pg, &pg};
    run_rounds(&e, rounds, authors, only);
    free(ddl);
    return 0;
}

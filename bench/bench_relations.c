/*
 * Reading related rows, through reflite and through hand-written code on the same data in the
 * same run (sqlite3 for a SQLite file, libpq for a PostgreSQL URL):
 *
 *   prefetch  the books of every author (10,000 authors x 100 books), grouped by author:
 *             rl_fetch_children with the authors vs a hand-written query of their books
 *             ordered by author whose rows are cut into groups as they come
 *   join      every book with its author: rl_join + rl_fetch_all vs a hand-written LEFT JOIN
 *             read into two arrays of structs
 *   stream    every book, one row at a time: a cursor vs a hand-written step loop (libpq:
 *             single-row mode), reading each row's values and copying nothing; the process's
 *             peak memory after it is printed (nothing before it held rows but the parents)
 *   prefetch_text, join_text, prefetch_composite, join_composite
 *             the same through a text key and a key of two columns (relations_keys.h)
 *
 * Both sides copy every text they keep (reflite into its result's arena, the baseline into
 * one growing buffer) and no side allocates per row beyond that.  Both compute the same
 * checksum from what they read, the same way (every kept text's length by strlen, since
 * reflite's structs hold no lengths), and the run stops when the sides' checksums differ.  Each
 * workload runs in 20 slices of the authors (their books by key range; for prefetch, 500 authors
 * given to rl_fetch_children and their key range to the hand-written query), the sides alternating
 * slice by slice so that what else the machine does weighs on both alike; the best round's
 * times and each round's ratio (min, median, max) are printed.
 *
 * Usage: bench_relations [TARGET] [rounds] [authors] [reflite|baseline]   TARGET: a SQLite file
 * ("" or none: a temporary one) or a PostgreSQL URL (scripts/bench_pg.sh passes its throw-away
 * server's).  One side alone is for scripts/bench_instructions.sh.
 */
#include <reflite.h>

#include "bench_util.h"

#include <libpq-fe.h>
#include <sqlite3.h>

#include <inttypes.h>
#include <stdbool.h>
#include <string.h>
#include <sys/resource.h>

typedef struct {
    int64_t pk;
    char *name;
} Author;
typedef struct {
    int64_t pk;
    char *title;
    int64_t author_id;
} Book;

static const rl_field author_fields[] = {RL_TEXT(Author, name)};
static const rl_model Author_model = RL_MODEL(Author, "authors", author_fields);
static const rl_field book_fields[] = {
    RL_TEXT(Book, title),
    RL_FOREIGN_KEY(Book, author_id, &Author_model, .on_delete = RL_CASCADE),
};
static const rl_model Book_model = RL_MODEL(Book, "books", book_fields);

/* The state both sides share: the connection(s) and the authors to group by. */
typedef struct {
    rl_db *db;
    sqlite3 *lite; /* the hand-written side on SQLite (its own connection) */
    PGconn *pg;    /* ... or on PostgreSQL */
    Author *authors;
    size_t nauthors;
    struct Country *countries; /* as many as authors, in key order (relations_keys.h) */
    struct Student *students;
    int64_t sum; /* a checksum each workload adds to, so that nothing is optimised away */
    /* the slice a workload call does: authors [first, first + count), whose books have the
     * keys [book_lo, book_hi] (the fill gives author k the books (k - 1) * 100 + 1..k * 100) */
    size_t first, count;
    int64_t book_lo, book_hi;
} bench;

static void ok(rl_db *db, int rc, const char *what)
{
    if (rc != RL_OK) die(what, rl_errmsg(db));
}

/* Each workload of each side is its own function, not inlined, so that an instruction counter
 * can attribute costs to it (scripts/bench_instructions.sh). */
#define PHASE __attribute__((noinline)) static void

/* ---- the hand-written side: rows into arrays of structs, texts into one buffer ---------- */

typedef struct {
    char *s;
    size_t len, cap;
} textbuf;

/* A copy of t in tb; the offset of the copy (pointers would move as tb grows). */
static size_t keep(textbuf *tb, const char *t, size_t n)
{
    if (tb->len + n + 1 > tb->cap) {
        tb->cap = (tb->len + n + 1) * 2;
        tb->s = realloc(tb->s, tb->cap);
        if (!tb->s) die("realloc", "out of memory");
    }
    memcpy(tb->s + tb->len, t, n);
    tb->s[tb->len + n] = '\0';
    size_t at = tb->len;
    tb->len += n + 1;
    return at;
}

typedef struct {
    int64_t pk, author_id;
    size_t title; /* offset in the text buffer */
} book_row;
typedef struct {
    int64_t pk;
    size_t name;
    bool present;
} author_row;

typedef struct {
    book_row *b;
    author_row *a;
    size_t n, cap;
    textbuf text;
} table;

static void table_push(table *t, bool with_author)
{
    if (t->n < t->cap) return;
    t->cap = t->cap ? t->cap * 2 : 1024;
    t->b = realloc(t->b, t->cap * sizeof *t->b);
    if (with_author) t->a = realloc(t->a, t->cap * sizeof *t->a);
    if (!t->b || (with_author && !t->a)) die("realloc", "out of memory");
}

static void table_free(table *t)
{
    free(t->b);
    free(t->a);
    free(t->text.s);
}

/* Groups of an ordered result: start of each author's run. */
static int64_t groups_of(const table *t, size_t nauthors)
{
    size_t *start = calloc(nauthors + 1, sizeof *start), g = 0;
    int64_t sum = 0;
    for (size_t k = 0; k < t->n; k++)
        if (k == 0 || t->b[k].author_id != t->b[k - 1].author_id) {
            if (g < nauthors) start[g++] = k;
            sum += (int64_t)k;
        }
    free(start);
    return sum + (int64_t)g;
}

/* The length of every text kept in t, each with its NUL, read as the reflite side reads them. */
static int64_t texts_of(const table *t, bool join)
{
    size_t n = 0;
    for (size_t k = 0; k < t->n; k++)
        n += strlen(t->text.s + t->b[k].title) + 1 +
             (join && t->a[k].present ? strlen(t->text.s + t->a[k].name) + 1 : 0);
    return (int64_t)n;
}

static void lite_rows(bench *x, const char *sql, int64_t p1, int64_t p2, table *t, bool join)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(x->lite, sql, -1, &st, NULL) != SQLITE_OK)
        die(sql, sqlite3_errmsg(x->lite));
    sqlite3_bind_int64(st, 1, p1);
    sqlite3_bind_int64(st, 2, p2);
    while (sqlite3_step(st) == SQLITE_ROW) {
        table_push(t, join);
        book_row *b = &t->b[t->n];
        b->pk = sqlite3_column_int64(st, 0);
        b->title = keep(&t->text, (const char *)sqlite3_column_text(st, 1),
                        (size_t)sqlite3_column_bytes(st, 1));
        b->author_id = sqlite3_column_int64(st, 2);
        if (join) {
            author_row *a = &t->a[t->n];
            a->present = sqlite3_column_type(st, 3) != SQLITE_NULL;
            a->pk = sqlite3_column_int64(st, 3);
            a->name = a->present ? keep(&t->text, (const char *)sqlite3_column_text(st, 4),
                                        (size_t)sqlite3_column_bytes(st, 4))
                                 : 0;
        }
        t->n++;
    }
    sqlite3_finalize(st);
}

/* The two integer parameters as text, for libpq. */
static void pg_params(int64_t p1, int64_t p2, char buf[2][24], const char *params[2])
{
    snprintf(buf[0], 24, "%lld", (long long)p1);
    snprintf(buf[1], 24, "%lld", (long long)p2);
    params[0] = buf[0];
    params[1] = buf[1];
}

static void pg_rows(bench *x, const char *sql, int64_t p1, int64_t p2, table *t, bool join)
{
    char buf[2][24];
    const char *params[2];
    pg_params(p1, p2, buf, params);
    PGresult *r = PQexecParams(x->pg, sql, 2, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) die(sql, PQerrorMessage(x->pg));
    int n = PQntuples(r);
    for (int k = 0; k < n; k++) {
        table_push(t, join);
        book_row *b = &t->b[t->n];
        b->pk = strtoll(PQgetvalue(r, k, 0), NULL, 10);
        b->title = keep(&t->text, PQgetvalue(r, k, 1), (size_t)PQgetlength(r, k, 1));
        b->author_id = strtoll(PQgetvalue(r, k, 2), NULL, 10);
        if (join) {
            author_row *a = &t->a[t->n];
            a->present = !PQgetisnull(r, k, 3);
            a->pk = a->present ? strtoll(PQgetvalue(r, k, 3), NULL, 10) : 0;
            a->name =
                a->present ? keep(&t->text, PQgetvalue(r, k, 4), (size_t)PQgetlength(r, k, 4)) : 0;
        }
        t->n++;
    }
    PQclear(r);
}

/* sql has ?1 and ?2 (written $1 and $2 for PostgreSQL) */
static void base_rows(bench *x, const char *sql, int64_t p1, int64_t p2, table *t, bool join)
{
    if (x->pg) {
        char pg_sql[300];
        snprintf(pg_sql, sizeof pg_sql, "%s", sql);
        for (char *q = pg_sql; (q = strchr(q, '?'));)
            *q = '$';
        pg_rows(x, pg_sql, p1, p2, t, join);
    } else {
        lite_rows(x, sql, p1, p2, t, join);
    }
}

PHASE phase_prefetch_baseline(bench *x)
{
    table t = {0};
    base_rows(x,
              "SELECT pk, title, author_id FROM books WHERE author_id BETWEEN ?1 AND ?2 "
              "ORDER BY author_id",
              x->authors[x->first].pk, x->authors[x->first + x->count - 1].pk, &t, false);
    x->sum += groups_of(&t, x->count) + texts_of(&t, false);
    table_free(&t);
}

PHASE phase_join_baseline(bench *x)
{
    table t = {0};
    base_rows(x,
              "SELECT b.pk, b.title, b.author_id, a.pk, a.name FROM books b LEFT JOIN authors a "
              "ON a.pk = b.author_id WHERE b.pk BETWEEN ?1 AND ?2",
              x->book_lo, x->book_hi, &t, true);
    x->sum += (int64_t)t.n + texts_of(&t, true);
    table_free(&t);
}

PHASE phase_stream_baseline(bench *x)
{
    const char *sql = x->pg ? "SELECT pk, title, author_id FROM books WHERE pk BETWEEN $1 AND $2"
                            : "SELECT pk, title, author_id FROM books WHERE pk BETWEEN ?1 AND ?2";
    int64_t sum = 0;
    if (x->lite) {
        sqlite3_stmt *st;
        if (sqlite3_prepare_v2(x->lite, sql, -1, &st, NULL) != SQLITE_OK)
            die(sql, sqlite3_errmsg(x->lite));
        sqlite3_bind_int64(st, 1, x->book_lo);
        sqlite3_bind_int64(st, 2, x->book_hi);
        while (sqlite3_step(st) == SQLITE_ROW)
            sum += sqlite3_column_int64(st, 0) +
                   (int64_t)strlen((const char *)sqlite3_column_text(st, 1)) +
                   sqlite3_column_int64(st, 2);
        sqlite3_finalize(st);
    } else {
        char buf[2][24];
        const char *params[2];
        pg_params(x->book_lo, x->book_hi, buf, params);
        if (!PQsendQueryParams(x->pg, sql, 2, NULL, params, NULL, NULL, 0) ||
            !PQsetSingleRowMode(x->pg))
            die(sql, PQerrorMessage(x->pg));
        PGresult *r;
        while ((r = PQgetResult(x->pg))) {
            if (PQresultStatus(r) == PGRES_SINGLE_TUPLE)
                sum += strtoll(PQgetvalue(r, 0, 0), NULL, 10) +
                       (int64_t)strlen(PQgetvalue(r, 0, 1)) +
                       strtoll(PQgetvalue(r, 0, 2), NULL, 10);
            PQclear(r);
        }
    }
    x->sum += sum;
}

/* ---- reflite ------------------------------------------------------------------------------ */

PHASE phase_prefetch_reflite(bench *x)
{
    rl_query *q = rl_select(x->db, &Book_model);
    rl_groups *g;
    ok(x->db, rl_fetch_children(q, &Author_model, NULL, x->authors + x->first, x->count, &g),
       "prefetch");
    int64_t sum = 0;
    size_t text = 0;
    const Book *b = g->items;
    for (size_t i = 0; i < g->count; i++)
        if (g->size[i]) sum += (int64_t)g->start[i];
    for (size_t k = 0; k < g->total; k++)
        text += strlen(b[k].title) + 1;
    x->sum += sum + (int64_t)g->count + (int64_t)text;
    rl_groups_free(g);
    rl_query_free(q);
}

/* The books of the slice, by key. */
static rl_query *slice_of_books(bench *x)
{
    rl_query *q = rl_select(x->db, &Book_model);
    rl_where(q, "pk", RL_GE, rl_int(x->book_lo));
    rl_where(q, "pk", RL_LE, rl_int(x->book_hi));
    return q;
}

PHASE phase_join_reflite(bench *x)
{
    rl_query *q = slice_of_books(x);
    ok(x->db, rl_join(q, &Author_model, NULL), "join");
    rl_rows *rows;
    ok(x->db, rl_fetch_all(q, &rows), "join fetch");
    const Book *b = rows->items;
    const Author *a = rows->parents;
    size_t text = 0;
    for (size_t k = 0; k < rows->count; k++)
        text += strlen(b[k].title) + 1 + (rows->has_parent[k] ? strlen(a[k].name) + 1 : 0);
    x->sum += (int64_t)rows->count + (int64_t)text;
    rl_rows_free(rows);
    rl_query_free(q);
}

PHASE phase_stream_reflite(bench *x)
{
    rl_query *q = slice_of_books(x);
    rl_cursor *c;
    ok(x->db, rl_cursor_open(q, &c), "cursor");
    rl_query_free(q);
    Book b;
    int64_t sum = 0;
    int rc;
    while ((rc = rl_cursor_next(c, &b, NULL)) == 1)
        sum += b.pk + (int64_t)strlen(b.title) + b.author_id;
    if (rc != 0) die("cursor", rl_errmsg(x->db));
    rl_cursor_free(c);
    x->sum += sum;
}

#include "relations_keys.h"

/* ---- the run ------------------------------------------------------------------------------ */

/* The data, made by the engine itself so that no row passes through this process (pg: on
 * PostgreSQL, before the hand-written side connects). */
static void fill(bench *x, int authors, bool pg)
{
    const rl_model *models[] = {&Book_model};
    ok(x->db,
       rl_exec(x->db, "DROP TABLE IF EXISTS books; DROP TABLE IF EXISTS authors", NULL, 0, NULL),
       "drop");
    ok(x->db, rl_create_all(x->db, models, 1), "create");
    char sql[600];
    if (pg)
        snprintf(sql, sizeof sql,
                 "INSERT INTO authors (name) SELECT 'Author ' || i FROM generate_series(1, %d) i; "
                 "INSERT INTO books (title, author_id) SELECT 'Book ' || j || ' of author ' || "
                 "a.pk, a.pk FROM authors a, generate_series(1, 100) j ORDER BY a.pk, j; "
                 "ANALYZE",
                 authors);
    else
        snprintf(sql, sizeof sql,
                 "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d) "
                 "INSERT INTO authors (name) SELECT 'Author ' || i FROM n; "
                 "WITH RECURSIVE n(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM n WHERE j < 100) "
                 "INSERT INTO books (title, author_id) SELECT 'Book ' || j || ' of author ' || "
                 "a.pk, a.pk FROM authors a, n ORDER BY a.pk, j; ANALYZE",
                 authors);
    ok(x->db, rl_exec(x->db, sql, NULL, 0, NULL), "fill");
    fill_keyed(x, authors, pg);
}

static double peak_mb(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (double)u.ru_maxrss / 1024.0;
}

enum {
    W_STREAM,
    W_PREFETCH,
    W_JOIN,
    W_PREFETCH_TEXT,
    W_JOIN_TEXT,
    W_PREFETCH_COMPOSITE,
    W_JOIN_COMPOSITE,
    W_COUNT
};
enum { SLICES = 20 }; /* each workload in slices of the authors, the sides alternating */
static const char *const names[W_COUNT] = {"stream",        "prefetch",  "join",
                                           "prefetch_text", "join_text", "prefetch_composite",
                                           "join_composite"};
static const double targets[W_COUNT] = {1.05, 1.10, 1.10, 1.10, 1.10, 1.10, 1.10};
static void (*const reflite_side[W_COUNT])(bench *) = {
    phase_stream_reflite,        phase_prefetch_reflite,  phase_join_reflite,
    phase_prefetch_text_reflite, phase_join_text_reflite, phase_prefetch_composite_reflite,
    phase_join_composite_reflite};
static void (*const base_side[W_COUNT])(bench *) = {
    phase_stream_baseline,        phase_prefetch_baseline,  phase_join_baseline,
    phase_prefetch_text_baseline, phase_join_text_baseline, phase_prefetch_composite_baseline,
    phase_join_composite_baseline};

/* The rows of model in key order: the parents of a workload, sliced like the authors. */
static rl_rows *parents_of(bench *x, const rl_model *model, const char *const *key)
{
    rl_query *q = rl_select(x->db, model);
    for (size_t i = 0; key[i]; i++)
        rl_order_by(q, key[i], RL_ASC);
    rl_rows *rows;
    ok(x->db, rl_fetch_all(q, &rows), model->table);
    rl_query_free(q);
    if (rows->count != x->nauthors) die(model->table, "not as many as the authors");
    return rows;
}

int main(int argc, char **argv)
{
    char path[512];
    snprintf(path, sizeof path, "%s/reflite-bench-rel-%d.db",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid());
    const char *target = argc > 1 && argv[1][0] ? argv[1] : path;
    int rounds = argc > 2 ? atoi(argv[2]) : 3;
    int authors = argc > 3 ? atoi(argv[3]) : 10000;
    char only = argc > 4 ? argv[4][0] : 0; /* one side, for an instruction counter */
    if (rounds < 1 || authors < 1 || (only && only != 'r' && only != 'b'))
        die("usage", "bench_relations [TARGET] [rounds] [authors] [reflite|baseline]");
    bool pg = rl_target_is_server(target);
    bench x = {0};
    /* both sides read the same tables: in the file, or in the server's public schema */
    rl_options o = {.profile = RL_PROFILE_DEVELOPMENT};
    char err[256];
    if (!pg) remove_db(target);
    if (rl_open_ex(&x.db, target, &o, err, sizeof err) != RL_OK) die("open", err);
    fill(&x, authors, pg);
    if (pg) {
        x.pg = PQconnectdb(target);
        if (PQstatus(x.pg) != CONNECTION_OK) die("connect", PQerrorMessage(x.pg));
    } else if (sqlite3_open_v2(target, &x.lite, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) !=
               SQLITE_OK) {
        die("open", "the hand-written side cannot open the file");
    }
    rl_query *aq = rl_select(x.db, &Author_model);
    rl_rows *arows;
    ok(x.db, rl_fetch_all(aq, &arows), "authors");
    x.authors = arows->items;
    x.nauthors = arows->count;
    rl_rows *crows = parents_of(&x, &Country_model, RL_NAMES("code"));
    rl_rows *srows = parents_of(&x, &Student_model, RL_NAMES("id", "code"));
    x.countries = crows->items;
    x.students = srows->items;

    printf("relations on %s: %d authors x 100 books, %d rounds, each workload in %d slices "
           "alternating between the sides\n",
           pg ? "PostgreSQL" : "SQLite", authors, rounds, SLICES);
    fflush(stdout);
    double best[2][W_COUNT];
    double *ratios = calloc((size_t)rounds * W_COUNT, sizeof *ratios);
    double peak_after_stream = 0;
    for (int w = 0; w < W_COUNT; w++)
        best[0][w] = best[1][w] = 1e30;
    for (int r = 0; r < rounds; r++) {
        for (int w = 0; w < W_COUNT; w++) {
            int64_t sums[2] = {0, 0};
            double t_side[2] = {0, 0};
            for (int part = 0; part < SLICES; part++) {
                x.first = x.nauthors * (size_t)part / SLICES;
                x.count = x.nauthors * (size_t)(part + 1) / SLICES - x.first;
                x.book_lo = (x.authors[x.first].pk - 1) * 100 + 1;
                x.book_hi = x.authors[x.first + x.count - 1].pk * 100;
                for (int k = 0; k < 2; k++) {
                    int side = (k + r + w + part) % 2; /* alternate which side goes first */
                    if (only && only != "rb"[side]) continue;
                    x.sum = 0;
                    double t0 = now();
                    (side == 0 ? reflite_side : base_side)[w](&x);
                    t_side[side] += now() - t0;
                    sums[side] += x.sum;
                }
            }
            for (int side = 0; side < 2; side++)
                if (t_side[side] > 0 && t_side[side] < best[side][w]) best[side][w] = t_side[side];
            if (!only && sums[0] != sums[1]) die(names[w], "the sides' checksums disagree");
            if (r == 0 && w == W_STREAM) peak_after_stream = peak_mb();
            ratios[w * rounds + r] = t_side[1] > 0 ? t_side[0] / t_side[1] : 0;
        }
        fprintf(stderr, "  round %d/%d done\n", r + 1, rounds);
    }
    printf("%-18s %12s %12s %8s %8s\n", "workload", "reflite (s)", pg ? "libpq (s)" : "sqlite3 (s)",
           "ratio", "target");
    for (int w = 0; w < W_COUNT; w++)
        printf("%-18s %12.4f %12.4f %8.3f %8.2f\n", names[w], best[0][w], best[1][w],
               best[0][w] / best[1][w], targets[w]);
    if (!only) print_ratio_spread(names, W_COUNT, ratios, rounds);
    free(ratios);
    printf("peak memory of the process after streaming %d rows: %.1f MB (the whole run: %.1f "
           "MB)\n",
           authors * 100, peak_after_stream, peak_mb());
    rl_rows_free(arows);
    rl_rows_free(crows);
    rl_rows_free(srows);
    rl_query_free(aq);
    if (x.lite) sqlite3_close(x.lite);
    if (x.pg) PQfinish(x.pg);
    if (pg)
        rl_exec(x.db,
                "DROP TABLE books; DROP TABLE authors; DROP TABLE cities; DROP TABLE countries; "
                "DROP TABLE notes; DROP TABLE students",
                NULL, 0, NULL);
    rl_close(x.db);
    if (!pg) remove_db(target);
    return 0;
}

/*
 * The library workload of the CRUD benchmarks (bench_crud on SQLite, bench_crud_pg on
 * PostgreSQL): its models, its data, the reflite side of every phase, and the rounds that run
 * both sides in alternating slices, written once for both engines.  The includer defines
 * BENCH_HANDLE and BENCH_STMT, the types of its hand-written side's connection and
 * statements, before including this file.
 */
#ifndef REFLITE_BENCH_CRUD_WORKLOAD_H
#define REFLITE_BENCH_CRUD_WORKLOAD_H

#include <reflite.h>

#include "bench_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BOOKS_PER_AUTHOR 100

typedef struct {
    int64_t pk;
    char *name;
    char *email;
} Author;

typedef struct {
    int64_t pk;
    char *title;
    int64_t author_id;
} Book;

static const rl_field author_fields[] = {RL_TEXT(Author, name), RL_TEXT(Author, email)};
static const rl_model Author_model = RL_MODEL(Author, "authors", author_fields);
static const rl_field book_fields[] = {
    RL_TEXT(Book, title),
    RL_FOREIGN_KEY(Book, author_id, &Author_model, .on_delete = RL_CASCADE,
                   .on_update = RL_CASCADE),
};
static const rl_model Book_model = RL_MODEL(Book, "books", book_fields);

enum { P_INSERT, P_FETCH, P_UPDATE, P_DELETE, P_GET_PK, P_TOP10, P_COUNT };
static const char *phase_names[P_COUNT] = {"insert", "fetch",  "update",
                                           "delete", "get_pk", "top10"};
#define GET_PK_QUERIES (x->authors * 10)
#define TOP10_QUERIES  (x->authors)

/* The deterministic data both sides write. */
static void author_name(char *buf, size_t n, int i)
{
    snprintf(buf, n, "Author %d", i);
}
static void author_email(char *buf, size_t n, int i)
{
    snprintf(buf, n, "a%d@example.org", i);
}
static void book_title(char *buf, size_t n, int i, int j)
{
    snprintf(buf, n, "Book %d of author %d", j, i);
}

/* One side's state across its phases. */
typedef struct side {
    rl_db *db;       /* reflite */
    BENCH_HANDLE *h; /* baseline */
    BENCH_STMT *st[8];
    int authors;
    int64_t *author_pk, *book_pk;
    int64_t sum;
    int part, parts; /* a phase call does its part-th of parts equal slices (parts 0: all) */
} side;

/* The slice [*lo, *hi) of a phase's count iterations that the call does: interleaving the two
 * sides slice by slice puts their measurements close together in time. */
static void span(const side *x, int count, int *lo, int *hi)
{
    int parts = x->parts > 0 ? x->parts : 1;
    *lo = (int)((int64_t)count * x->part / parts);
    *hi = (int)((int64_t)count * (x->part + 1) / parts);
}

/* The book of the n-th get_pk query: spread over the authors that survive the delete phase. */
static int64_t get_pk_target(const side *x, int n)
{
    int i = 1 + (n * 7) % (x->authors - 1);
    if (i % 10 == 0) i++;
    if (i >= x->authors) i = 1;
    return x->book_pk[(size_t)i * BOOKS_PER_AUTHOR + (size_t)(n % BOOKS_PER_AUTHOR)];
}

/* Each phase is its own function, not inlined, so that an instruction counter can attribute
 * costs to it (see scripts/bench_instructions.sh). */
#define PHASE __attribute__((noinline)) static void

/* ---- reflite ------------------------------------------------------------------------------ */

static void rl_check_rc(rl_db *db, int rc, const char *what)
{
    if (rc != RL_OK) die(what, rl_errmsg(db));
}

PHASE phase_insert_reflite(side *x)
{
    char name[64], email[64], title[64];
    rl_check_rc(x->db, rl_begin(x->db), "begin");
    int lo, hi;
    span(x, x->authors, &lo, &hi);
    for (int i = lo; i < hi; i++) {
        author_name(name, sizeof name, i);
        author_email(email, sizeof email, i);
        Author a = {.name = name, .email = email};
        rl_check_rc(x->db, rl_insert(x->db, &Author_model, &a), "insert author");
        x->author_pk[i] = a.pk;
        for (int j = 0; j < BOOKS_PER_AUTHOR; j++) {
            book_title(title, sizeof title, i, j);
            Book b = {.title = title, .author_id = a.pk};
            rl_check_rc(x->db, rl_insert(x->db, &Book_model, &b), "insert book");
            x->book_pk[(size_t)i * BOOKS_PER_AUTHOR + (size_t)j] = b.pk;
        }
    }
    rl_check_rc(x->db, rl_commit(x->db), "commit");
}

PHASE phase_fetch_reflite(side *x)
{
    int lo, hi;
    span(x, x->authors, &lo, &hi);
    for (int i = lo; i < hi; i++) {
        rl_query *q = rl_select(x->db, &Book_model);
        rl_where(q, "author_id", RL_EQ, rl_int(x->author_pk[i]));
        rl_rows *rows;
        rl_check_rc(x->db, rl_fetch_all(q, &rows), "fetch");
        const Book *books = rows->items;
        for (size_t k = 0; k < rows->count; k++)
            x->sum += books[k].pk + (int64_t)strlen(books[k].title);
        rl_rows_free(rows);
        rl_query_free(q);
    }
}

PHASE phase_update_reflite(side *x)
{
    static const char *const title_only[] = {"title", NULL};
    char title[64];
    rl_check_rc(x->db, rl_begin(x->db), "begin");
    int lo, hi; /* every 10th book */
    span(x, x->authors * BOOKS_PER_AUTHOR / 10, &lo, &hi);
    for (size_t k = (size_t)lo * 10; k < (size_t)hi * 10; k += 10) {
        snprintf(title, sizeof title, "Revised %zu", k);
        Book b = {.pk = x->book_pk[k], .title = title};
        rl_check_rc(x->db, rl_update_fields(x->db, &Book_model, &b, title_only), "update");
    }
    rl_check_rc(x->db, rl_commit(x->db), "commit");
}

PHASE phase_delete_reflite(side *x)
{
    rl_check_rc(x->db, rl_begin(x->db), "begin");
    int lo, hi; /* every 10th author */
    span(x, (x->authors + 9) / 10, &lo, &hi);
    for (int i = lo * 10; i < hi * 10 && i < x->authors; i += 10)
        rl_check_rc(x->db, rl_delete(x->db, &Author_model, x->author_pk[i]), "delete");
    rl_check_rc(x->db, rl_commit(x->db), "commit");
}

PHASE phase_get_pk_reflite(side *x)
{
    int lo, hi;
    span(x, GET_PK_QUERIES, &lo, &hi);
    for (int n = lo; n < hi; n++) {
        rl_query *q = rl_select(x->db, &Book_model);
        rl_where(q, "pk", RL_EQ, rl_int(get_pk_target(x, n)));
        Book b;
        rl_check_rc(x->db, rl_fetch_first(q, &b), "get_pk");
        x->sum += b.author_id + (int64_t)strlen(b.title);
        rl_row_free(&Book_model, &b);
        rl_query_free(q);
    }
}

PHASE phase_top10_reflite(side *x)
{
    int lo, hi;
    span(x, TOP10_QUERIES, &lo, &hi);
    for (int n = lo; n < hi; n++) {
        rl_query *q = rl_select(x->db, &Book_model);
        rl_where(q, "author_id", RL_EQ, rl_int(x->author_pk[n % x->authors]));
        rl_order_by(q, "title", RL_ASC);
        rl_limit(q, 10);
        rl_rows *rows;
        rl_check_rc(x->db, rl_fetch_all(q, &rows), "top10");
        const Book *books = rows->items;
        for (size_t k = 0; k < rows->count; k++)
            x->sum += books[k].pk + (int64_t)books[k].title[5];
        rl_rows_free(rows);
        rl_query_free(q);
    }
}

/* Open target (a fresh file or a fresh schema) and create the workload's tables. */
static void open_reflite(side *x, const char *target, const rl_options *o)
{
    char err[256];
    if (rl_open_ex(&x->db, target, o, err, sizeof err) != RL_OK) die("open", err);
    const rl_model *models[] = {&Book_model};
    rl_check_rc(x->db, rl_create_all(x->db, models, 1), "create");
}

/* The books left, and the connection closed. */
static int64_t close_reflite(side *x)
{
    int64_t left = 0;
    rl_query_int(x->db, "SELECT count(*) FROM books", NULL, 0, &left);
    rl_close(x->db);
    return left;
}

static void (*const phases_reflite[P_COUNT])(side *) = {phase_insert_reflite, phase_fetch_reflite,
                                                        phase_update_reflite, phase_delete_reflite,
                                                        phase_get_pk_reflite, phase_top10_reflite};

/* Keep the better of each phase's times (best_* start at 1e30). */
static void keep_best(double best_rl[P_COUNT], double best_base[P_COUNT],
                      const double t_rl[P_COUNT], const double t_base[P_COUNT])
{
    for (int p = 0; p < P_COUNT; p++) {
        if (t_rl[p] < best_rl[p]) best_rl[p] = t_rl[p];
        if (t_base[p] < best_base[p]) best_base[p] = t_base[p];
    }
}

/* The table of best times and ratios reflite / baseline (named base_name), with the total. */
static void print_ratios(const char *base_name, const double best_rl[P_COUNT],
                         const double best_base[P_COUNT])
{
    char head[32];
    snprintf(head, sizeof head, "%s (s)", base_name);
    printf("%-8s %12s %12s %8s\n", "phase", "reflite (s)", head, "ratio");
    double tot_rl = 0, tot_base = 0;
    for (int p = 0; p < P_COUNT; p++) {
        printf("%-8s %12.4f %12.4f %8.3f\n", phase_names[p], best_rl[p], best_base[p],
               best_rl[p] / best_base[p]);
        tot_rl += best_rl[p];
        tot_base += best_base[p];
    }
    printf("%-8s %12.4f %12.4f %8.3f\n", "total", tot_rl, tot_base, tot_rl / tot_base);
}

/* reflite's DDL of the workload's tables on the engine of target (NULL: SQLite in memory),
 * for the baseline to run, so that both sides have the same tables and indexes (malloc'd). */
static char *workload_ddl(const char *target, rl_profile profile)
{
    rl_db *tmp;
    rl_options o = {.profile = profile};
    char *ddl, err[256];
    const rl_model *models[] = {&Book_model};
    if (rl_open_ex(&tmp, target, &o, err, sizeof err) != RL_OK) die("open", err);
    if (rl_schema_sql(tmp, models, 1, &ddl) != RL_OK) die("schema", rl_errmsg(tmp));
    rl_close(tmp);
    return ddl;
}

/* ---- rounds: both sides in alternating slices ------------------------------------------- */

/* What an engine's benchmark gives the rounds: its baseline's phases, and how a side of either
 * kind opens (its connection and tables, fresh) and closes (the books left). */
typedef struct crud_engine {
    const char *name;      /* the engine, for the heading: "SQLite", "PostgreSQL" */
    const char *base_name; /* the baseline, for the table: "sqlite3", "libpq" */
    void (*const *phases_baseline)(side *);
    void (*open)(side *x, bool reflite, const void *ctx);
    int64_t (*close)(side *x, bool reflite, const void *ctx);
    const void *ctx; /* the engine's own: database paths, the server's URL, the DDL */
} crud_engine;

enum { PARTS = 20 }; /* slices per phase, run in alternation by the two sides */

static void open_side(const crud_engine *e, side *x, bool reflite, int authors)
{
    *x = (side){.authors = authors, .parts = PARTS};
    x->author_pk = malloc(sizeof *x->author_pk * (size_t)authors);
    x->book_pk = malloc(sizeof *x->book_pk * (size_t)authors * BOOKS_PER_AUTHOR);
    if (!x->author_pk || !x->book_pk) die("open", "out of memory");
    e->open(x, reflite, e->ctx);
}

/* The side's checksum, its connection closed. */
static int64_t close_side(const crud_engine *e, side *x, bool reflite)
{
    int64_t left = e->close(x, reflite, e->ctx);
    free(x->author_pk);
    free(x->book_pk);
    return x->sum + left;
}

/* One round: both sides open at once, each phase run slice by slice in alternation (which
 * side goes first alternates too), so that what else the machine does in a moment weighs on
 * both alike.  only: 'r' or 'b' runs that side alone, whole phases, for an instruction
 * counter.  The times go to t[0] (reflite) and t[1] (baseline); the checksum comes back. */
static int64_t run_round(const crud_engine *e, int r, char only, int authors, double t[2][P_COUNT])
{
    side s[2];
    void (*const *phases[2])(side *) = {phases_reflite, e->phases_baseline};
    for (int w = 0; w < 2; w++)
        if (!only || only == "rb"[w]) open_side(e, &s[w], w == 0, authors);
    int parts = only ? 1 : PARTS;
    for (int p = 0; p < P_COUNT; p++) {
        t[0][p] = t[1][p] = 0;
        for (int part = 0; part < parts; part++)
            for (int k = 0; k < 2; k++) {
                int w = (part + r + k) % 2;
                if (only && only != "rb"[w]) continue;
                s[w].part = part;
                s[w].parts = parts;
                double t0 = now();
                phases[w][p](&s[w]);
                t[w][p] += now() - t0;
            }
    }
    int64_t sum[2] = {0, 0};
    for (int w = 0; w < 2; w++)
        if (!only || only == "rb"[w]) sum[w] = close_side(e, &s[w], w == 0);
    if (!only && sum[0] != sum[1]) die("checksum", "reflite and the baseline disagree");
    return sum[0] + sum[1];
}

/*
 * The benchmark: with only ('r' or 'b'), that side alone, once, for an instruction counter;
 * else rounds of both sides, then the table of each phase's best time and ratio, and each
 * round's ratio (every one taken from slices side by side) with their minimum, median and
 * maximum: the median is the figure that holds when the machine's speed drifts.
 */
static void run_rounds(const crud_engine *e, int rounds, int authors, char only)
{
    double t[2][P_COUNT];
    if (only) {
        int64_t sum = run_round(e, 0, only, authors, t);
        printf("%s side done, checksum %lld\n", only == 'r' ? "reflite" : "baseline",
               (long long)sum);
        return;
    }
    printf("crud workload on %s: %d authors x %d books, %d rounds, each phase in %d slices "
           "alternating between the sides\n",
           e->name, authors, BOOKS_PER_AUTHOR, rounds, PARTS);
    fflush(stdout);
    double best_rl[P_COUNT], best_base[P_COUNT];
    double *ratios = malloc(sizeof *ratios * (size_t)rounds * (P_COUNT + 1));
    if (!ratios) die("rounds", "out of memory");
    for (int p = 0; p < P_COUNT; p++)
        best_rl[p] = best_base[p] = 1e30;
    for (int r = 0; r < rounds; r++) {
        double tot[2] = {0, 0};
        run_round(e, r, 0, authors, t);
        keep_best(best_rl, best_base, t[0], t[1]);
        for (int p = 0; p < P_COUNT; p++) {
            ratios[p * rounds + r] = t[0][p] / t[1][p];
            tot[0] += t[0][p];
            tot[1] += t[1][p];
        }
        ratios[P_COUNT * rounds + r] = tot[0] / tot[1];
        fprintf(stderr, "  round %d/%d done\n", r + 1, rounds);
    }
    print_ratios(e->base_name, best_rl, best_base);
    const char *names[P_COUNT + 1];
    for (int p = 0; p < P_COUNT; p++)
        names[p] = phase_names[p];
    names[P_COUNT] = "total";
    print_ratio_spread(names, P_COUNT + 1, ratios, rounds);
    free(ratios);
}

#endif

/*
 * The library workload of the CRUD benchmarks (bench_crud on SQLite, bench_crud_pg on
 * PostgreSQL): its models, its data, and the reflite side of every phase, written once for
 * both engines.  The includer defines BENCH_HANDLE and BENCH_STMT, the types of its
 * hand-written side's connection and statements, before including this file.
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

#endif

/*
 * The library workload, through reflite and through hand-written sqlite3 code, in one run:
 *
 *   insert   10,000 authors and 100 books each, in one transaction
 *   fetch    each author's books as structs (10,000 queries of 100 rows)
 *   update   10% of the book titles, by primary key, in one transaction
 *   delete   10% of the authors, their books going by ON DELETE CASCADE, in one transaction
 *
 * Both sides use the same schema (reflite's DDL), the same pragmas and fresh database files
 * in the same directory.  Each phase is timed on both sides in alternation, several rounds,
 * and the best time of each is kept; the table prints the times and the ratio
 * reflite / baseline.
 *
 * Usage: bench_crud [rounds] [authors]      (defaults: 3 rounds, 10000 authors)
 */
#include <reflite.h>

#include "bench_util.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

enum { P_INSERT, P_FETCH, P_UPDATE, P_DELETE, P_COUNT };
static const char *phase_names[P_COUNT] = {"insert", "fetch", "update", "delete"};

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

/* ---- reflite ------------------------------------------------------------------------------ */

static void rl_check_rc(rl_db *db, int rc, const char *what)
{
    if (rc != RL_OK) die(what, rl_errmsg(db));
}

static void run_reflite(const char *path, int authors, double t[P_COUNT], int64_t *checksum)
{
    rl_db *db;
    char err[256];
    remove_db(path);
    if (rl_open_ex(&db, path, NULL, err, sizeof err) != RL_OK) die("open", err);
    const rl_model *models[] = {&Book_model};
    rl_check_rc(db, rl_create_all(db, models, 1), "create");
    int64_t *author_pk = malloc(sizeof *author_pk * (size_t)authors);
    int64_t *book_pk = malloc(sizeof *book_pk * (size_t)authors * BOOKS_PER_AUTHOR);
    char name[64], email[64], title[64];

    double t0 = now();
    rl_check_rc(db, rl_begin(db), "begin");
    for (int i = 0; i < authors; i++) {
        author_name(name, sizeof name, i);
        author_email(email, sizeof email, i);
        Author a = {.name = name, .email = email};
        rl_check_rc(db, rl_insert(db, &Author_model, &a), "insert author");
        author_pk[i] = a.pk;
        for (int j = 0; j < BOOKS_PER_AUTHOR; j++) {
            book_title(title, sizeof title, i, j);
            Book b = {.title = title, .author_id = a.pk};
            rl_check_rc(db, rl_insert(db, &Book_model, &b), "insert book");
            book_pk[(size_t)i * BOOKS_PER_AUTHOR + (size_t)j] = b.pk;
        }
    }
    rl_check_rc(db, rl_commit(db), "commit");
    t[P_INSERT] = now() - t0;

    t0 = now();
    int64_t sum = 0;
    for (int i = 0; i < authors; i++) {
        rl_query *q = rl_select(db, &Book_model);
        rl_where(q, "author_id", RL_EQ, rl_int(author_pk[i]));
        rl_rows *rows;
        rl_check_rc(db, rl_fetch_all(q, &rows), "fetch");
        const Book *books = rows->items;
        for (size_t k = 0; k < rows->count; k++)
            sum += books[k].pk + (int64_t)strlen(books[k].title);
        rl_rows_free(rows);
        rl_query_free(q);
    }
    t[P_FETCH] = now() - t0;

    t0 = now();
    static const char *const title_only[] = {"title", NULL};
    rl_check_rc(db, rl_begin(db), "begin");
    size_t nbooks = (size_t)authors * BOOKS_PER_AUTHOR;
    for (size_t k = 0; k < nbooks; k += 10) {
        snprintf(title, sizeof title, "Revised %zu", k);
        Book b = {.pk = book_pk[k], .title = title};
        rl_check_rc(db, rl_update_fields(db, &Book_model, &b, title_only), "update");
    }
    rl_check_rc(db, rl_commit(db), "commit");
    t[P_UPDATE] = now() - t0;

    t0 = now();
    rl_check_rc(db, rl_begin(db), "begin");
    for (int i = 0; i < authors; i += 10)
        rl_check_rc(db, rl_delete(db, &Author_model, author_pk[i]), "delete");
    rl_check_rc(db, rl_commit(db), "commit");
    t[P_DELETE] = now() - t0;

    int64_t left = 0;
    rl_query_int(db, "SELECT count(*) FROM books", NULL, 0, &left);
    *checksum = sum + left;
    free(author_pk);
    free(book_pk);
    rl_close(db);
    remove_db(path);
}

/* ---- hand-written sqlite3 ----------------------------------------------------------------- */

static sqlite3_stmt *prep(sqlite3 *h, const char *sql)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v3(h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
        die(sql, sqlite3_errmsg(h));
    return st;
}

static void exec(sqlite3 *h, const char *sql)
{
    if (sqlite3_exec(h, sql, NULL, NULL, NULL) != SQLITE_OK) die(sql, sqlite3_errmsg(h));
}

static void step_done(sqlite3 *h, sqlite3_stmt *st)
{
    if (sqlite3_step(st) != SQLITE_DONE) die("step", sqlite3_errmsg(h));
    sqlite3_reset(st);
}

static void run_baseline(const char *path, const char *ddl, int authors, double t[P_COUNT],
                         int64_t *checksum)
{
    sqlite3 *h;
    remove_db(path);
    if (sqlite3_open(path, &h) != SQLITE_OK) die("open", sqlite3_errmsg(h));
    sqlite3_busy_timeout(h, 5000);
    exec(h, "PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL");
    exec(h, ddl);
    int64_t *author_pk = malloc(sizeof *author_pk * (size_t)authors);
    int64_t *book_pk = malloc(sizeof *book_pk * (size_t)authors * BOOKS_PER_AUTHOR);
    char name[64], email[64], title[64];

    sqlite3_stmt *ins_a = prep(h, "INSERT INTO authors (name, email) VALUES (?1, ?2)");
    sqlite3_stmt *ins_b = prep(h, "INSERT INTO books (title, author_id) VALUES (?1, ?2)");
    double t0 = now();
    exec(h, "BEGIN IMMEDIATE");
    for (int i = 0; i < authors; i++) {
        author_name(name, sizeof name, i);
        author_email(email, sizeof email, i);
        sqlite3_bind_text(ins_a, 1, name, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins_a, 2, email, -1, SQLITE_STATIC);
        step_done(h, ins_a);
        author_pk[i] = sqlite3_last_insert_rowid(h);
        for (int j = 0; j < BOOKS_PER_AUTHOR; j++) {
            book_title(title, sizeof title, i, j);
            sqlite3_bind_text(ins_b, 1, title, -1, SQLITE_STATIC);
            sqlite3_bind_int64(ins_b, 2, author_pk[i]);
            step_done(h, ins_b);
            book_pk[(size_t)i * BOOKS_PER_AUTHOR + (size_t)j] = sqlite3_last_insert_rowid(h);
        }
    }
    exec(h, "COMMIT");
    t[P_INSERT] = now() - t0;

    /* Fetch into an array of structs with copied strings, freed per author. */
    sqlite3_stmt *sel = prep(h, "SELECT pk, title, author_id FROM books WHERE author_id = ?1");
    t0 = now();
    int64_t sum = 0;
    for (int i = 0; i < authors; i++) {
        sqlite3_bind_int64(sel, 1, author_pk[i]);
        size_t n = 0, cap = 16;
        Book *books = malloc(cap * sizeof *books);
        while (sqlite3_step(sel) == SQLITE_ROW) {
            if (n == cap) books = realloc(books, (cap *= 2) * sizeof *books);
            books[n].pk = sqlite3_column_int64(sel, 0);
            books[n].title = strdup((const char *)sqlite3_column_text(sel, 1));
            books[n].author_id = sqlite3_column_int64(sel, 2);
            n++;
        }
        sqlite3_reset(sel);
        for (size_t k = 0; k < n; k++)
            sum += books[k].pk + (int64_t)strlen(books[k].title);
        for (size_t k = 0; k < n; k++)
            free(books[k].title);
        free(books);
    }
    t[P_FETCH] = now() - t0;

    sqlite3_stmt *upd = prep(h, "UPDATE books SET title = ?1 WHERE pk = ?2");
    t0 = now();
    exec(h, "BEGIN IMMEDIATE");
    size_t nbooks = (size_t)authors * BOOKS_PER_AUTHOR;
    for (size_t k = 0; k < nbooks; k += 10) {
        snprintf(title, sizeof title, "Revised %zu", k);
        sqlite3_bind_text(upd, 1, title, -1, SQLITE_STATIC);
        sqlite3_bind_int64(upd, 2, book_pk[k]);
        step_done(h, upd);
    }
    exec(h, "COMMIT");
    t[P_UPDATE] = now() - t0;

    sqlite3_stmt *del = prep(h, "DELETE FROM authors WHERE pk = ?1");
    t0 = now();
    exec(h, "BEGIN IMMEDIATE");
    for (int i = 0; i < authors; i += 10) {
        sqlite3_bind_int64(del, 1, author_pk[i]);
        step_done(h, del);
    }
    exec(h, "COMMIT");
    t[P_DELETE] = now() - t0;

    sqlite3_stmt *cnt = prep(h, "SELECT count(*) FROM books");
    sqlite3_step(cnt);
    *checksum = sum + sqlite3_column_int64(cnt, 0);
    sqlite3_finalize(cnt);
    sqlite3_finalize(ins_a);
    sqlite3_finalize(ins_b);
    sqlite3_finalize(sel);
    sqlite3_finalize(upd);
    sqlite3_finalize(del);
    free(author_pk);
    free(book_pk);
    sqlite3_close(h);
    remove_db(path);
}

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 3;
    int authors = argc > 2 ? atoi(argv[2]) : 10000;
    if (rounds < 1 || authors < 10) die("usage", "bench_crud [rounds>=1] [authors>=10]");
    const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char rl_path[512], base_path[512];
    snprintf(rl_path, sizeof rl_path, "%s/reflite-bench-%d.db", dir, (int)getpid());
    snprintf(base_path, sizeof base_path, "%s/reflite-bench-base-%d.db", dir, (int)getpid());

    /* The baseline runs reflite's own DDL, so both sides have the same tables and indexes. */
    rl_db *tmp;
    rl_options o = {.profile = RL_PROFILE_TEST};
    char *ddl;
    const rl_model *models[] = {&Book_model};
    if (rl_open(&tmp, NULL, &o) != RL_OK || rl_schema_sql(tmp, models, 1, &ddl) != RL_OK)
        die("schema", "cannot produce the DDL");
    rl_close(tmp);

    printf("crud workload: %d authors x %d books, best of %d rounds\n", authors, BOOKS_PER_AUTHOR,
           rounds);
    fflush(stdout);
    double best_rl[P_COUNT], best_base[P_COUNT];
    for (int p = 0; p < P_COUNT; p++)
        best_rl[p] = best_base[p] = 1e30;
    for (int r = 0; r < rounds; r++) {
        double t_rl[P_COUNT], t_base[P_COUNT];
        int64_t sum_rl, sum_base;
        if (r % 2 == 0) {
            run_baseline(base_path, ddl, authors, t_base, &sum_base);
            run_reflite(rl_path, authors, t_rl, &sum_rl);
        } else {
            run_reflite(rl_path, authors, t_rl, &sum_rl);
            run_baseline(base_path, ddl, authors, t_base, &sum_base);
        }
        if (sum_rl != sum_base) die("checksum", "reflite and the baseline disagree");
        for (int p = 0; p < P_COUNT; p++) {
            if (t_rl[p] < best_rl[p]) best_rl[p] = t_rl[p];
            if (t_base[p] < best_base[p]) best_base[p] = t_base[p];
        }
        fprintf(stderr, "  round %d/%d done\n", r + 1, rounds);
    }
    free(ddl);
    printf("%-8s %12s %12s %8s\n", "phase", "reflite (s)", "sqlite3 (s)", "ratio");
    double tot_rl = 0, tot_base = 0;
    for (int p = 0; p < P_COUNT; p++) {
        printf("%-8s %12.4f %12.4f %8.3f\n", phase_names[p], best_rl[p], best_base[p],
               best_rl[p] / best_base[p]);
        tot_rl += best_rl[p];
        tot_base += best_base[p];
    }
    printf("%-8s %12.4f %12.4f %8.3f\n", "total", tot_rl, tot_base, tot_rl / tot_base);
    return 0;
}

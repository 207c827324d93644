/*
 * The library workload, through reflite and through hand-written sqlite3 code, in one run:
 *
 *   insert   10,000 authors and 100 books each, in one transaction per slice (below)
 *   fetch    each author's books as structs (10,000 queries of 100 rows)
 *   update   10% of the book titles, by primary key, in one transaction per slice
 *   delete   10% of the authors, their books going by ON DELETE CASCADE, a transaction per slice
 *   get_pk   a builder query "pk = ?" fetching one book, 10 per author (each a new query)
 *   top10    a builder query "author_id = ? ORDER BY title LIMIT 10", one per author
 *
 * Usage: bench_crud [rounds] [authors] [reflite|baseline]   (defaults: 5 rounds, 10000
 * authors, both sides).  One side alone is for scripts/bench_instructions.sh, which counts
 * each phase's instructions under callgrind: the same count on every run, unlike seconds.
 *
 * Both sides use the same schema (reflite's DDL), the same pragmas, the same open flags
 * (SQLITE_OPEN_NOMUTEX: a connection is used by one thread at a time) and fresh database
 * files in the same directory.  The baseline is the fastest honest hand-written code: each
 * statement prepared once and reused, columns read by position without type checks where
 * the schema says NOT NULL.  Both sides are open at once and each phase runs in 20 slices,
 * the sides taking turns slice by slice (each slice of a writing phase is one transaction),
 * so that a loaded machine slows both alike; the first table gives each phase's best time
 * over the rounds and the ratio reflite / baseline, the second each round's ratio with their
 * minimum, median and maximum.  Seconds still move with the machine's load: the instruction
 * counts (scripts/bench_instructions.sh) are the figure that repeats exactly.
 */
#include <sqlite3.h>

#define BENCH_HANDLE sqlite3
#define BENCH_STMT   sqlite3_stmt
#include "crud_workload.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

enum { S_INS_A, S_INS_B, S_SEL, S_UPD, S_DEL, S_GET, S_TOP };

PHASE phase_insert_baseline(side *x)
{
    char name[64], email[64], title[64];
    sqlite3_stmt *ins_a = x->st[S_INS_A], *ins_b = x->st[S_INS_B];
    exec(x->h, "BEGIN IMMEDIATE");
    int lo, hi;
    span(x, x->authors, &lo, &hi);
    for (int i = lo; i < hi; i++) {
        author_name(name, sizeof name, i);
        author_email(email, sizeof email, i);
        sqlite3_bind_text(ins_a, 1, name, -1, SQLITE_STATIC);
        sqlite3_bind_text(ins_a, 2, email, -1, SQLITE_STATIC);
        step_done(x->h, ins_a);
        x->author_pk[i] = sqlite3_last_insert_rowid(x->h);
        for (int j = 0; j < BOOKS_PER_AUTHOR; j++) {
            book_title(title, sizeof title, i, j);
            sqlite3_bind_text(ins_b, 1, title, -1, SQLITE_STATIC);
            sqlite3_bind_int64(ins_b, 2, x->author_pk[i]);
            step_done(x->h, ins_b);
            x->book_pk[(size_t)i * BOOKS_PER_AUTHOR + (size_t)j] = sqlite3_last_insert_rowid(x->h);
        }
    }
    exec(x->h, "COMMIT");
}

/* Fetch into an array of structs with copied strings, freed per author. */
PHASE phase_fetch_baseline(side *x)
{
    sqlite3_stmt *sel = x->st[S_SEL];
    int lo, hi;
    span(x, x->authors, &lo, &hi);
    for (int i = lo; i < hi; i++) {
        sqlite3_bind_int64(sel, 1, x->author_pk[i]);
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
            x->sum += books[k].pk + (int64_t)strlen(books[k].title);
        for (size_t k = 0; k < n; k++)
            free(books[k].title);
        free(books);
    }
}

PHASE phase_update_baseline(side *x)
{
    char title[64];
    sqlite3_stmt *upd = x->st[S_UPD];
    exec(x->h, "BEGIN IMMEDIATE");
    int lo, hi; /* every 10th book */
    span(x, x->authors * BOOKS_PER_AUTHOR / 10, &lo, &hi);
    for (size_t k = (size_t)lo * 10; k < (size_t)hi * 10; k += 10) {
        snprintf(title, sizeof title, "Revised %zu", k);
        sqlite3_bind_text(upd, 1, title, -1, SQLITE_STATIC);
        sqlite3_bind_int64(upd, 2, x->book_pk[k]);
        step_done(x->h, upd);
    }
    exec(x->h, "COMMIT");
}

PHASE phase_delete_baseline(side *x)
{
    sqlite3_stmt *del = x->st[S_DEL];
    exec(x->h, "BEGIN IMMEDIATE");
    int lo, hi; /* every 10th author */
    span(x, (x->authors + 9) / 10, &lo, &hi);
    for (int i = lo * 10; i < hi * 10 && i < x->authors; i += 10) {
        sqlite3_bind_int64(del, 1, x->author_pk[i]);
        step_done(x->h, del);
    }
    exec(x->h, "COMMIT");
}

/* The same queries through statements prepared once and reused. */
PHASE phase_get_pk_baseline(side *x)
{
    sqlite3_stmt *get = x->st[S_GET];
    int lo, hi;
    span(x, GET_PK_QUERIES, &lo, &hi);
    for (int n = lo; n < hi; n++) {
        sqlite3_bind_int64(get, 1, get_pk_target(x, n));
        if (sqlite3_step(get) != SQLITE_ROW) die("get_pk", sqlite3_errmsg(x->h));
        Book b = {.pk = sqlite3_column_int64(get, 0),
                  .title = strdup((const char *)sqlite3_column_text(get, 1)),
                  .author_id = sqlite3_column_int64(get, 2)};
        sqlite3_reset(get);
        x->sum += b.author_id + (int64_t)strlen(b.title);
        free(b.title);
    }
}

PHASE phase_top10_baseline(side *x)
{
    sqlite3_stmt *top = x->st[S_TOP];
    int lo, hi;
    span(x, TOP10_QUERIES, &lo, &hi);
    for (int n = lo; n < hi; n++) {
        sqlite3_bind_int64(top, 1, x->author_pk[n % x->authors]);
        Book books[10];
        size_t k = 0;
        while (k < 10 && sqlite3_step(top) == SQLITE_ROW) {
            books[k].pk = sqlite3_column_int64(top, 0);
            books[k].title = strdup((const char *)sqlite3_column_text(top, 1));
            books[k].author_id = sqlite3_column_int64(top, 2);
            k++;
        }
        sqlite3_reset(top);
        for (size_t j = 0; j < k; j++) {
            x->sum += books[j].pk + (int64_t)books[j].title[5];
            free(books[j].title);
        }
    }
}

static void open_baseline(side *x, const char *path, const char *ddl)
{
    remove_db(path);
    /* the flags rl_open uses: no mutex (one thread per connection) */
    if (sqlite3_open_v2(path, &x->h,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        NULL) != SQLITE_OK)
        die("open", sqlite3_errmsg(x->h));
    sqlite3_busy_timeout(x->h, 5000);
    exec(x->h, "PRAGMA foreign_keys = ON; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL");
    exec(x->h, ddl);
    static const char *const sql[] = {
        [S_INS_A] = "INSERT INTO authors (name, email) VALUES (?1, ?2)",
        [S_INS_B] = "INSERT INTO books (title, author_id) VALUES (?1, ?2)",
        [S_SEL] = "SELECT pk, title, author_id FROM books WHERE author_id = ?1",
        [S_UPD] = "UPDATE books SET title = ?1 WHERE pk = ?2",
        [S_DEL] = "DELETE FROM authors WHERE pk = ?1",
        [S_GET] = "SELECT pk, title, author_id FROM books WHERE pk = ?1",
        [S_TOP] = ("SELECT pk, title, author_id FROM books WHERE author_id = ?1 ORDER BY title "
                   "LIMIT 10"),
    };
    for (size_t i = 0; i < sizeof sql / sizeof sql[0]; i++)
        x->st[i] = prep(x->h, sql[i]);
}

static int64_t close_baseline(side *x, const char *path)
{
    sqlite3_stmt *cnt = prep(x->h, "SELECT count(*) FROM books");
    sqlite3_step(cnt);
    int64_t left = sqlite3_column_int64(cnt, 0);
    sqlite3_finalize(cnt);
    for (size_t i = 0; i < sizeof x->st / sizeof x->st[0]; i++)
        sqlite3_finalize(x->st[i]);
    sqlite3_close(x->h);
    remove_db(path);
    return left;
}

static void (*const phases_baseline[P_COUNT])(side *) = {
    phase_insert_baseline, phase_fetch_baseline,  phase_update_baseline,
    phase_delete_baseline, phase_get_pk_baseline, phase_top10_baseline};

typedef struct {
    char path[2][512]; /* reflite's database file and the baseline's */
    const char *ddl;
} sqlite_target;

/* Each side on a fresh database file of its own. */
static void open_sqlite(side *x, bool reflite, const void *ctx)
{
    const sqlite_target *db = ctx;
    const char *path = db->path[reflite ? 0 : 1];
    remove_db(path);
    if (reflite)
        open_reflite(x, path, NULL);
    else
        open_baseline(x, path, db->ddl);
}

static int64_t close_sqlite(side *x, bool reflite, const void *ctx)
{
    const sqlite_target *db = ctx;
    const char *path = db->path[reflite ? 0 : 1];
    int64_t left = reflite ? close_reflite(x) : close_baseline(x, path);
    remove_db(path);
    return left;
}

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 5;
    int authors = argc > 2 ? atoi(argv[2]) : 10000;
    /* a third argument runs one side only, for an instruction counter */
    char only = argc > 3 ? argv[3][0] : 0;
    if (rounds < 1 || authors < 10 || (only && only != 'r' && only != 'b'))
        die("usage", "bench_crud [rounds>=1] [authors>=10] [reflite|baseline]");
    const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    sqlite_target db = {.ddl = workload_ddl(NULL, RL_PROFILE_TEST)};
    snprintf(db.path[0], sizeof db.path[0], "%s/reflite-bench-%d.db", dir, (int)getpid());
    snprintf(db.path[1], sizeof db.path[1], "%s/reflite-bench-base-%d.db", dir, (int)getpid());
    crud_engine e = {"SQLite", "sqlite3", phases_baseline, open_sqlite, close_sqlite, &db};
    run_rounds(&e, rounds, authors, only);
    free((char *)db.ddl);
    return 0;
}

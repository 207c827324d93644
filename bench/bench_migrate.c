/*
 * Rebuilding a 1,000,000-row child table to add ON DELETE CASCADE: through rl_migrate and
 * through the hand-written 12-step SQL, on identical fresh databases, in one run and both in
 * this process.  Each side's time runs from opening the database to closing it, and both
 * open it the same way (SQLITE_OPEN_NOMUTEX).
 *
 * Both include the foreign_key_check before commit; reflite also reads the schema, plans,
 * checks the plan for data loss and records the migration in its history table, which is
 * the work a program does when it migrates at start-up.  Each side runs several rounds in
 * alternation and the best time of each is kept.
 *
 * Usage: bench_migrate [rounds] [rows] [reflite|baseline]   (defaults: 3 rounds, 1000000 rows)
 * With a side named, only that side runs, once (phase_migrate_<side>), for
 * scripts/bench_instructions.sh, which counts each side's instructions with callgrind.
 */
#include "bench_util.h"

#include <reflite.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *OLD_SCHEMA =
    "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT UNIQUE);"
    "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, author_id INTEGER NOT NULL "
    "REFERENCES users (id));"
    "CREATE INDEX notes_author ON notes (author_id);";

static const char *NEW_SCHEMA =
    "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT UNIQUE);\n"
    "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, author_id INTEGER NOT NULL "
    "REFERENCES users (id) ON DELETE CASCADE);\n"
    "CREATE INDEX notes_author ON notes (author_id);\n";

/* The twelve steps, written by hand. */
static const char *HAND_WRITTEN =
    "BEGIN IMMEDIATE;"
    "CREATE TABLE new_notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, author_id INTEGER NOT "
    "NULL REFERENCES users (id) ON DELETE CASCADE);"
    "INSERT INTO new_notes (id, body, author_id) SELECT id, body, author_id FROM notes;"
    "DROP TABLE notes;"
    "ALTER TABLE new_notes RENAME TO notes;"
    "CREATE INDEX notes_author ON notes (author_id);";

static void exec(sqlite3 *h, const char *sql)
{
    if (sqlite3_exec(h, sql, NULL, NULL, NULL) != SQLITE_OK) die(sql, sqlite3_errmsg(h));
}

static void make_db(const char *path, long rows)
{
    sqlite3 *h;
    remove_db(path);
    if (sqlite3_open(path, &h) != SQLITE_OK) die("open", path);
    exec(h, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL");
    exec(h, "BEGIN");
    exec(h, OLD_SCHEMA);
    exec(h, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000) "
            "INSERT INTO users SELECT i, 'user' || i || '@example.org' FROM n");
    char sql[400];
    snprintf(sql, sizeof sql,
             "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %ld) "
             "INSERT INTO notes SELECT i, 'note number ' || i, 1 + i %% 1000 FROM n",
             rows);
    exec(h, sql);
    exec(h, "COMMIT");
    exec(h, "PRAGMA wal_checkpoint(TRUNCATE)");
    sqlite3_close(h);
}

static int count_violations(sqlite3 *h)
{
    sqlite3_stmt *st;
    int n = 0;
    if (sqlite3_prepare_v2(h, "PRAGMA foreign_key_check", -1, &st, NULL) != SQLITE_OK)
        die("check", sqlite3_errmsg(h));
    while (sqlite3_step(st) == SQLITE_ROW)
        n++;
    sqlite3_finalize(st);
    return n;
}

/* Named for scripts/bench_instructions.sh. */
__attribute__((noinline)) static double phase_migrate_baseline(const char *path)
{
    sqlite3 *h;
    double t0 = now();
    if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
        die("open", path);
    sqlite3_busy_timeout(h, 5000);
    exec(h, "PRAGMA foreign_keys = OFF; PRAGMA synchronous = NORMAL");
    exec(h, HAND_WRITTEN);
    if (count_violations(h) != 0) die("hand-written", "foreign key violations");
    exec(h, "COMMIT; PRAGMA foreign_keys = ON");
    sqlite3_close(h);
    return now() - t0;
}

__attribute__((noinline)) static double phase_migrate_reflite(const char *path)
{
    char err[512];
    rl_db *db;
    double t0 = now();
    if (rl_open_ex(&db, path, NULL, err, sizeof err) != RL_OK) die("open", err);
    if (rl_migrate(db, NEW_SCHEMA, NULL) != RL_OK) die("rl_migrate", rl_last_error(db)->message);
    if (rl_close(db) != RL_OK) die("close", "failed");
    return now() - t0;
}

static void verify(const char *path, long rows)
{
    sqlite3 *h;
    sqlite3_open(path, &h);
    sqlite3_stmt *st;
    sqlite3_prepare_v2(h,
                       "SELECT (SELECT count(*) FROM notes), (SELECT count(*) FROM "
                       "pragma_foreign_key_list('notes') WHERE on_delete = 'CASCADE')",
                       -1, &st, NULL);
    sqlite3_step(st);
    if (sqlite3_column_int64(st, 0) != rows || sqlite3_column_int(st, 1) != 1)
        die("verify", "the migrated table is not as expected");
    sqlite3_finalize(st);
    sqlite3_close(h);
}

int main(int argc, char **argv)
{
    int rounds = argc > 1 ? atoi(argv[1]) : 3;
    long rows = argc > 2 ? atol(argv[2]) : 1000000;
    const char *only = argc > 3 ? argv[3] : NULL;
    if (rounds < 1 || rows < 1 ||
        (only && strcmp(only, "reflite") != 0 && strcmp(only, "baseline") != 0))
        die("usage", "bench_migrate [rounds] [rows] [reflite|baseline]");
    const char *dir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char path[512];
    snprintf(path, sizeof path, "%s/reflite-bench-migrate-%d.db", dir, (int)getpid());
    if (only) {
        make_db(path, rows);
        double t = strcmp(only, "reflite") == 0 ? phase_migrate_reflite(path)
                                                : phase_migrate_baseline(path);
        verify(path, rows);
        remove_db(path);
        printf("%s %.3f s\n", only, t);
        return 0;
    }

    printf("migrate workload: rebuild a %ld-row child table to ON DELETE CASCADE, best of %d\n",
           rows, rounds);
    fflush(stdout);
    double best_rl = 1e30, best_hand = 1e30;
    for (int r = 0; r < rounds; r++) {
        for (int side = 0; side < 2; side++) {
            bool reflite_side = (side + r) % 2 == 0;
            make_db(path, rows);
            double t = reflite_side ? phase_migrate_reflite(path) : phase_migrate_baseline(path);
            verify(path, rows);
            if (reflite_side && t < best_rl) best_rl = t;
            if (!reflite_side && t < best_hand) best_hand = t;
        }
        fprintf(stderr, "  round %d/%d done\n", r + 1, rounds);
    }
    remove_db(path);
    printf("%-22s %10s\n", "", "time (s)");
    printf("%-22s %10.3f\n", "rl_migrate", best_rl);
    printf("%-22s %10.3f\n", "hand-written 12 steps", best_hand);
    printf("%-22s %10.3f\n", "ratio", best_rl / best_hand);
    return 0;
}

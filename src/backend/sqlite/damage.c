/*
 * The damage check of a migration (PRAGMA quick_check), in WAL mode on a second connection in
 * a thread of its own, beside the migration's steps: a WAL reader sees the file as it was
 * before the migration began, and the migration commits only after the check has answered,
 * so the check costs no time on a second core.  Without WAL (a reader would block the
 * writer's commit), without a file or without threads, it runs first, on the connection.
 */
#define _GNU_SOURCE /* strdup */
#include "sqlite_int.h"
#include "core/error.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* The first line of PRAGMA quick_check when it is not "ok" (malloc'd), or NULL; with
 * unread, a check that could not run for any reason but damage (a lock, no memory) sets
 * *unread instead of naming the failure. */
static char *first_damage(sqlite3 *h, bool *unread)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(h, "PRAGMA quick_check(1)", -1, &st, NULL);
    char *first = NULL;
    if (rc == SQLITE_OK) {
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
            const char *line = (const char *)sqlite3_column_text(st, 0);
            if (line && strcmp(line, "ok") != 0) first = rli_name_disp(line);
            rc = SQLITE_OK;
        }
        sqlite3_finalize(st);
    }
    if (rc != SQLITE_OK && rc != SQLITE_DONE && !first) {
        int primary = sqlite3_errcode(h) & 0xff;
        if (unread && primary != SQLITE_CORRUPT && primary != SQLITE_NOTADB)
            *unread = true;
        else
            first = rli_name_disp(sqlite3_errmsg(h));
    }
    return first;
}

static int damaged(rl_db *db, char *first)
{
    int code = rli_err_set(db, RL_ECORRUPT,
                           "migrate: refused, the database is damaged (PRAGMA quick_check: %s); "
                           "nothing was changed. 'reflite check' lists every problem.",
                           first);
    free(first);
    return code;
}

static void *check_beside(void *arg)
{
    damage_check *c = arg;
    sqlite3 *h = NULL;
    if (sqlite3_open_v2(c->path, &h, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) ==
        SQLITE_OK) {
        rli_sqlite_strict_names(h);
        c->first = first_damage(h, &c->unread);
    } else
        c->unread = true;
    sqlite3_close(h);
    return NULL;
}

static bool is_wal(sqlite3 *h)
{
    sqlite3_stmt *st;
    bool wal = false;
    if (sqlite3_prepare_v2(h, "PRAGMA main.journal_mode", -1, &st, NULL) != SQLITE_OK) return false;
    if (sqlite3_step(st) == SQLITE_ROW) {
        const char *m = (const char *)sqlite3_column_text(st, 0);
        wal = m && strcmp(m, "wal") == 0;
    }
    sqlite3_finalize(st);
    return wal;
}

/* Start the check beside the migration, or run it now; RL_ECORRUPT when it already knows. */
int rli_damage_check_start(rl_db *db, damage_check *c)
{
    sqlite3 *h = rli_sqlite_h(db);
    *c = (damage_check){.db = db};
    const char *file = sqlite3_db_filename(h, "main");
    if (file && *file && sqlite3_threadsafe() && is_wal(h) && (c->path = strdup(file)) &&
        pthread_create(&c->thread, NULL, check_beside, c) == 0) {
        c->running = true;
        return RL_OK;
    }
    free(c->path);
    c->path = NULL;
    char *first = first_damage(h, NULL);
    return first ? damaged(db, first) : RL_OK;
}

/* Wait for the check's answer (checking on the connection itself if the second one could
 * not read); RL_ECORRUPT when the file is damaged.  Also called after a failed step, so that
 * damage is named as the cause. */
int rli_damage_check_finish(damage_check *c)
{
    if (c->running) {
        pthread_join(c->thread, NULL);
        c->running = false;
        if (c->unread) c->first = first_damage(rli_sqlite_h(c->db), NULL);
    }
    char *first = c->first;
    c->first = NULL;
    return first ? damaged(c->db, first) : RL_OK;
}

void rli_damage_check_free(damage_check *c)
{
    if (c->running) pthread_join(c->thread, NULL);
    free(c->first);
    free(c->path);
}

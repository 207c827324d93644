/*
 * Statements of reflite's own: running them through the backend, savepoints, and the
 * per-connection cache of prepared statements (open addressing keyed by an FNV-1a hash of a
 * key: the SQL text, or a query's shape).
 */
#include "db.h"
#include "error.h"
#include "stmt.h"

#include "sql/render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int rli_step_done(rl_db *db, rlb_stmt *st)
{
    int rc = db->be->step(st);
    db->be->reset(st);
    return rc == RLB_ROW ? RLB_DONE : rc;
}

int rli_exec_sql(rl_db *db, const char *sql)
{
    return db->be->exec(db->conn, sql);
}

int rli_exec_tx(rl_db *db, const char *sql)
{
    if (!db->be->dialect->tx_kept) return rli_exec_sql(db, sql);
    uint64_t h = rli_hash_text(sql);
    rlb_stmt *st = rli_cache_get(db->be, &db->queries, sql, h, false);
    if (!st) {
        int rc = db->be->prepare(db->conn, sql, true, &st);
        if (rc != RLB_OK) return rc;
        if (rli_cache_put(db->be, &db->queries, sql, h, st) != RL_OK)
            return rli_exec_sql(db, sql); /* out of memory for the cache: run it as it is */
    }
    int rc = rli_step_done(db, st);
    return rc == RLB_DONE ? RLB_OK : rc;
}

int rli_set_foreign_keys(rl_db *db, bool on)
{
    return db->be->set_foreign_keys(db->conn, on);
}

int rli_prepare_kept(rl_db *db, const char *sql, rlb_stmt **out, const char *op)
{
    int rc = db->be->prepare(db->conn, sql, true, out);
    return rc == RLB_OK ? RL_OK : rli_fail(db, NULL, rc, op);
}

int rli_prepare_once(rl_db *db, const char *sql, rlb_stmt **out, const char *op)
{
    int rc = db->be->prepare(db->conn, sql, false, out);
    return rc == RLB_OK ? RL_OK : rli_fail(db, NULL, rc, op);
}

void rli_cache_free(const rl_backend *be, stmt_cache *c)
{
    for (size_t i = 0; i < c->cap; i++) {
        if (c->slots[i].sql) {
            be->finalize(c->slots[i].stmt);
            free(c->slots[i].sql);
        }
    }
    free(c->slots);
    memset(c, 0, sizeof *c);
}

/* The statement cached under key, reset (and its bindings cleared when clear); NULL when there
 * is none. */
static const stmt_entry *find_entry(const stmt_cache *c, const char *key, uint64_t h)
{
    if (!c->cap) return NULL;
    for (size_t i = h & (c->cap - 1);; i = (i + 1) & (c->cap - 1)) {
        const stmt_entry *e = &c->slots[i];
        if (!e->sql) return NULL;
        if (e->hash == h && strcmp(e->sql, key) == 0) return e;
    }
}

rlb_stmt *rli_cache_find(const stmt_cache *c, const char *key, uint64_t h)
{
    const stmt_entry *e = find_entry(c, key, h);
    return e ? e->stmt : NULL;
}

rlb_stmt *rli_cache_probe(stmt_cache *c, const char *key, size_t len, uint64_t *h)
{
    *h = rli_hash_text(key);
    const stmt_entry *e = find_entry(c, key, *h);
    if (!e) return NULL;
    c->last_key = e->sql;
    c->last_len = len;
    c->last = e->stmt;
    return e->stmt;
}

rlb_stmt *rli_cache_get(const rl_backend *be, stmt_cache *c, const char *key, uint64_t h,
                        bool clear)
{
    rlb_stmt *st = rli_cache_find(c, key, h);
    if (st) {
        be->reset(st);
        if (clear && be->clear_bindings) be->clear_bindings(st);
    }
    return st;
}

/*
 * Keep st under key (the cache owns it from now on, also on failure, when it is finalized).
 * The cache holds at most 3/4 of its slots; past 768 statements it starts over, so callers
 * never keep a cached statement beyond the call that got it.
 */
int rli_cache_put(const rl_backend *be, stmt_cache *c, const char *key, uint64_t h, rlb_stmt *st)
{
    if (c->used + 1 > c->cap * 3 / 4) {
        if (c->cap >= 1024) rli_cache_free(be, c);
        size_t ncap = c->cap ? c->cap * 2 : 16;
        stmt_entry *slots = calloc(ncap, sizeof *slots);
        if (!slots) {
            be->finalize(st);
            return RL_ENOMEM;
        }
        for (size_t i = 0; i < c->cap; i++) {
            if (!c->slots[i].sql) continue;
            size_t j = c->slots[i].hash & (ncap - 1);
            while (slots[j].sql)
                j = (j + 1) & (ncap - 1);
            slots[j] = c->slots[i];
        }
        free(c->slots);
        c->slots = slots;
        c->cap = ncap;
    }
    char *copy = strdup(key);
    if (!copy) {
        be->finalize(st);
        return RL_ENOMEM;
    }
    size_t i = h & (c->cap - 1);
    while (c->slots[i].sql)
        i = (i + 1) & (c->cap - 1);
    c->slots[i] = (stmt_entry){.sql = copy, .hash = h, .stmt = st};
    c->used++;
    c->last_key = copy;
    c->last_len = strlen(copy);
    c->last = st;
    return RL_OK;
}

int rli_cache_prepare(rl_db *db, const char *sql, rlb_stmt **out)
{
    uint64_t h = rli_hash_text(sql);
    if ((*out = rli_cache_get(db->be, &db->queries, sql, h, true))) return RL_OK;
    int rc = db->be->prepare(db->conn, sql, true, out);
    if (rc != RLB_OK) return rli_fail(db, NULL, rc, "prepare");
    rc = rli_cache_put(db->be, &db->queries, sql, h, *out);
    if (rc != RL_OK) {
        *out = NULL;
        return rli_err_set(db, RL_ENOMEM, "Out of memory.");
    }
    return RL_OK;
}

/*
 * Savepoints.  An engine whose SAVEPOINT also works outside a transaction (SQLite) gets one
 * always; elsewhere (PostgreSQL) the outermost one is a transaction of its own, begun here
 * and committed or rolled back by the matching release or rollback.
 */
int rli_sp_begin(rl_db *db, const char *name)
{
    char sql[96];
    if (!db->be->dialect->savepoint_anywhere && !db->be->in_transaction(db->conn)) {
        int rc = rli_exec_tx(db, db->be->dialect->begin);
        if (rc == RLB_OK) db->sp_outer = name;
        return rc;
    }
    snprintf(sql, sizeof sql, "SAVEPOINT %s", name);
    return rli_exec_tx(db, sql);
}

/* Whether name is the savepoint that began the transaction (and forget it if so). */
static bool sp_is_outer(rl_db *db, const char *name)
{
    if (!db->sp_outer || strcmp(db->sp_outer, name) != 0) return false;
    db->sp_outer = NULL;
    return true;
}

int rli_sp_release(rl_db *db, const char *name)
{
    char sql[96];
    if (sp_is_outer(db, name)) {
        int rc = rli_exec_tx(db, "COMMIT");
        if (rc != RLB_OK && db->be->in_transaction(db->conn)) rli_exec_sql(db, "ROLLBACK");
        return rc;
    }
    snprintf(sql, sizeof sql, "RELEASE %s", name);
    return rli_exec_tx(db, sql);
}

void rli_sp_rollback(rl_db *db, const char *name)
{
    char sql[128];
    if (sp_is_outer(db, name))
        snprintf(sql, sizeof sql, "ROLLBACK");
    else
        snprintf(sql, sizeof sql, "ROLLBACK TO %s; RELEASE %s", name, name);
    if (rli_exec_sql(db, sql) == RLB_OK) rli_err_unnote(db); /* nothing is left aborted */
}

int rli_failed(rl_db *db, int code)
{
    if (!db->be->failed_note || db->e.note_at) return code;
    size_t at = strlen(db->e.err.message);
    db->be->failed_note(db->conn, &db->e);
    if (strlen(db->e.err.message) != at) db->e.note_at = at;
    return code;
}

/*
 * Statements (stmt.c): the cache of prepared query statements keyed by their SQL text, and the
 * helpers that prepare and run reflite's own statements and savepoints.  Nothing here names an
 * engine: statements are the backend's (rlb_stmt) and run through db->be.
 */
#ifndef REFLITE_CORE_STMT_H
#define REFLITE_CORE_STMT_H

#include "reflite.h"

#include "backend/backend.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* ---- prepared statement cache for queries ---------------------------------------------- */

typedef struct stmt_entry {
    char *sql;
    uint64_t hash;
    rlb_stmt *stmt;
} stmt_entry;

typedef struct stmt_cache {
    stmt_entry *slots;
    size_t cap, used;
    /* the entry last looked up or stored: a query repeated in a loop skips hash and probe */
    const char *last_key; /* an entry's own copy of its key */
    size_t last_len;
    rlb_stmt *last;
} stmt_cache;

/* ---- statements ------------------------------------------------------------------------ */

/* Prepare sql with the query cache: the statement stays owned by the cache. */
int rli_cache_prepare(rl_db *db, const char *sql, rlb_stmt **out);
/* The statement cached under a key as it was left, or NULL. */
rlb_stmt *rli_cache_find(const stmt_cache *c, const char *key, uint64_t hash);
/* rli_cache_lookup past its first test: the hash and the probe (*hash set). */
rlb_stmt *rli_cache_probe(stmt_cache *c, const char *key, size_t len, uint64_t *hash);
/* Like rli_cache_find for a key of len bytes, trying the entry last looked up or stored
 * first, in line (a query repeated in a loop); *hash is set (for rli_cache_put) whenever that
 * entry is not the one. */
static inline rlb_stmt *rli_cache_lookup(stmt_cache *c, const char *key, size_t len, uint64_t *hash)
{
    if (c->last && c->last_len == len && memcmp(c->last_key, key, len + 1) == 0) return c->last;
    return rli_cache_probe(c, key, len, hash);
}
/* The statement cached under a key (reset, bindings cleared when clear), or NULL. */
rlb_stmt *rli_cache_get(const rl_backend *be, stmt_cache *c, const char *key, uint64_t hash,
                        bool clear);
/* Cache st under key; the cache owns st from then on (finalized on failure). */
int rli_cache_put(const rl_backend *be, stmt_cache *c, const char *key, uint64_t hash,
                  rlb_stmt *st);
void rli_cache_free(const rl_backend *be, stmt_cache *c);
/* Prepare a statement of reflite's own that the caller keeps (persistent). */
int rli_prepare_kept(rl_db *db, const char *sql, rlb_stmt **out, const char *op);
/* Prepare a statement of reflite's own that runs once (a cursor's): the engine may then use
 * its faster short-lived memory for it. */
int rli_prepare_once(rl_db *db, const char *sql, rlb_stmt **out, const char *op);
/* Run a statement that returns no rows to completion (RLB_DONE), resetting it. */
int rli_step_done(rl_db *db, rlb_stmt *st);
/* Run sql (no parameters, possibly several statements of reflite's own) directly. */
int rli_exec_sql(rl_db *db, const char *sql);
/* rli_exec_sql for one statement of transaction control (BEGIN, COMMIT, SAVEPOINT x, RELEASE
 * x): prepared once and kept in the connection's cache where the dialect lets it (tx_kept),
 * so that a transaction per request does not compile its two statements each time. */
int rli_exec_tx(rl_db *db, const char *sql);
/* Switch foreign keys on or off and read the setting back: RL_OK only if it took effect. */
int rli_set_foreign_keys(rl_db *db, bool on);
/* Savepoint helpers used by multi-statement operations (not counted in db->depth). */
int rli_sp_begin(rl_db *db, const char *name);
int rli_sp_release(rl_db *db, const char *name);
void rli_sp_rollback(rl_db *db, const char *name);

#endif

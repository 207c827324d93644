/*
 * The connection (db.c).  Nothing here names an engine: statements are the backend's (rlb_stmt)
 * and run through db->be.
 *
 * A connection (struct rl_db) owns: the engine's connection and its backend table, the last error,
 * the transaction depth, a table of per-model information (validated names and prepared statements,
 * one entry per model the connection has seen: model.h) and a cache of prepared query statements
 * keyed by their SQL text (stmt.h).  Nothing here is shared between connections.
 */
#ifndef REFLITE_CORE_DB_H
#define REFLITE_CORE_DB_H

#include "reflite.h"

#include "backend/backend.h"
#include "base/base.h"
#include "error.h"
#include "stmt.h"

#include <stdbool.h>
#include <stddef.h>

struct model_info; /* model.h */
struct rl_query;   /* query.h */

struct rl_db {
    const rl_backend *be; /* the engine's table of operations */
    rlb_conn *conn;       /* the engine's connection */
    rl_profile profile;
    int depth;                  /* our transaction depth */
    bool outer_begin;           /* level 1 is a BEGIN (not a savepoint in a caller's transaction) */
    bool names_from_db;         /* validating runtime models: names are the database's own */
    err_rec e;                  /* the last error (core/error.h) */
    struct model_info **models; /* open addressing on the model pointer */
    size_t models_cap, models_used;
    struct model_info *last_model; /* the model last found valid (rli_model_lookup) */
    stmt_cache queries;
    struct rl_query *spare; /* the last query freed, reused by the next rl_select */
    const char *sp_outer;   /* the savepoint that began the transaction (rli_sp_begin) */
    rl_trace_fn trace;      /* rl_trace's function and its context */
    void *trace_ctx;
    char *target;      /* what was opened (a path or URL), for rl_db_clone */
    rl_options opened; /* with the options it was opened with (profile resolved; replicas
                          pointing at this connection's own copy) */
    char *replicas;    /* that copy, or NULL */
};

/* A statement starts to run on db: tell rl_trace's function (the backends call this). */
static inline void rli_trace(rl_db *db, const char *sql)
{
    if (db && db->trace) db->trace(sql, db->trace_ctx);
}

/* A failure worded on db: the backend adds what it did to the transaction (once; the note
 * is taken back by rli_sp_rollback, whose rollback undoes what it said); returns code. */
int rli_failed(rl_db *db, int code);
/* RL_OK, or RL_EINVAL (said on db) when one of the n values (a raw statement's params, a
 * row's field) is rl_default(), which only rl_update_where's sets and inserts take. */
int rli_params_check(rl_db *db, const rl_value *params, size_t n, const char *op);
/* What a backend's diagnosis asks of the models seen on db (backend.h: rlb_keys; fkdiag.c). */
rlb_keys rli_model_keys(rl_db *db);
/* A statement failed with rc: the backend diagnoses and words it into db's error
 * (db->be->fail, with the models' keys); returns its code. */
static inline int rli_word_failure(rl_db *db, rlb_stmt *st, int rc, const char *op)
{
    rlb_keys keys = rli_model_keys(db);
    return db->be->fail(db->conn, st, rc, op, &keys, &db->e);
}
/* The same, then the backend's note of what the failure did to the transaction (rli_failed). */
static inline int rli_fail(rl_db *db, rlb_stmt *st, int rc, const char *op)
{
    return rli_failed(db, rli_word_failure(db, st, rc, op));
}

#endif

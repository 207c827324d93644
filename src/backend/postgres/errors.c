/*
 * The PostgreSQL backend's errors: a failure is read from the server's structured fields
 * (SQLSTATE, table, column, constraint, detail), never from the message text, and set on
 * the connection's error record with its RL_E* code.
 *
 * Not here yet: mapping a failed key's constraint back to the model's key (the rl_fk_detail
 * of the C API), parent-side diagnosis, and the schema work (introspection, plans, rl_check);
 * those callbacks say so with RL_EMISUSE and a sentence.
 */
#define _GNU_SOURCE /* strdup */
#include "pg_int.h"

#include <stdlib.h>
#include <string.h>

static int code_of(int rc)
{
    switch (rc) {
    case PG_FAIL_FK:
        return RL_EFOREIGNKEY;
    case PG_FAIL_UNIQUE:
        return RL_EUNIQUE;
    case PG_FAIL_NOTNULL:
        return RL_ENOTNULL;
    case PG_FAIL_CHECK:
        return RL_ECHECK;
    case PG_FAIL_BUSY:
        return RL_EBUSY;
    default:
        return RL_ERROR;
    }
}

int rli_pg_fail(rl_db *db, rlb_stmt *s, int rc, const char *op)
{
    (void)s;
    const pg_error *e = &rli_pg(db)->err;
    strbuf m;
    rli_sb_init(&m);
    rli_sb_printf(&m, "%s: ", op);
    rli_sb_name(&m, e->message ? e->message : "failed");
    if (e->detail) {
        rli_sb_puts(&m, " (");
        rli_sb_name(&m, e->detail);
        rli_sb_puts(&m, ")");
    }
    int code = code_of(rc);
    rli_err_set(db, code, "%s.", m.oom ? "Out of memory" : sb_str(&m));
    rli_sb_free(&m);
    db->err.engine_code = rc;
    if (e->table) db->err.table = rli_err_str(db, e->table);
    if (e->column) db->err.column = rli_err_str(db, e->column);
    if (e->constraint && code == RL_ECHECK) db->err.constraint = rli_err_str(db, e->constraint);
    return code;
}

bool rli_pg_maybe_fk(int rc)
{
    return rc == PG_FAIL_FK;
}

const char *rli_pg_errmsg(rlb_conn *c)
{
    const pg_error *e = &((pg_conn *)c)->err;
    return e->message ? e->message : "no error";
}

int rli_pg_diag_parent(rl_db *db, const char *table, const char *column, const rl_value *value,
                       const char *op, bool is_delete)
{
    (void)db, (void)table, (void)column, (void)value, (void)op, (void)is_delete;
    return RL_OK; /* the failure's own fields say it (rli_pg_fail) */
}

char *rli_pg_statement_op(rl_db *db, const char *sql)
{
    (void)db, (void)sql;
    return NULL;
}

static int not_yet(rl_db *db, const char *what)
{
    return rli_err_set(db, RL_EMISUSE, "%s is not available on PostgreSQL in this version.", what);
}

int rli_pg_introspect(rl_db *db, struct schema *out, const char *op)
{
    (void)out, (void)op;
    return not_yet(db, "Reading the schema");
}

int rli_pg_load_schema(rl_db *db, const char *sql, struct schema *out)
{
    (void)sql, (void)out;
    return not_yet(db, "Loading a schema");
}

int rli_pg_plan(rl_db *db, const struct schema *cur, const struct schema *tgt, struct rl_plan *p)
{
    (void)cur, (void)tgt, (void)p;
    return not_yet(db, "Planning a migration");
}

int rli_pg_apply(rl_db *db, const struct rl_plan *p, const rl_migrate_options *opts)
{
    (void)p, (void)opts;
    return not_yet(db, "Applying a migration");
}

int rli_pg_check(rl_db *db, const rl_check_options *opts, rl_finding_fn fn, void *ctx,
                 int64_t *count)
{
    (void)opts, (void)fn, (void)ctx, (void)count;
    return not_yet(db, "rl_check");
}

/*
 * The PostgreSQL backend's errors: a failure is read from the server's structured fields
 * (SQLSTATE, table, column, constraint, detail), never from the message text, and worded into
 * the error record the core hands in, with its RL_E* code.
 *
 * A foreign-key failure names its constraint and the referencing table.  The core maps the
 * constraint back to a model's key (rlb_keys: the names are the DDL's, rli_fk_name), and
 * for a parent-side failure the catalog fills in keys no model declares.  PostgreSQL aborts
 * the transaction a statement failed in, so nothing can be asked of the server there: inside
 * a transaction the referencing rows are not counted (rl_fk_detail.referencing = -1).
 *
 * A lost session (conn.c) is RL_EDISCONNECTED, worded by what it means for the caller: a
 * statement whose effect is unknown, a transaction gone, a server that cannot be reached.
 */
#define _GNU_SOURCE /* strdup */
#include "pg_int.h"
#include "core/error.h"
#include "core/fkdiag.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* ---- errors kept on the connection ------------------------------------------------------ */

void rli_pg_error_clear(pg_error *e)
{
    free(e->message);
    free(e->detail);
    free(e->hint);
    free(e->table);
    free(e->column);
    free(e->constraint);
    memset(e, 0, sizeof *e);
}

static char *field_dup(const PGresult *r, int code)
{
    const char *v = r ? PQresultErrorField(r, code) : NULL;
    return v ? strdup(v) : NULL;
}

int rli_pg_keep_error(pg_conn *c, const PGresult *r)
{
    pg_error *e = &c->err;
    rli_pg_error_clear(e);
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    snprintf(e->sqlstate, sizeof e->sqlstate, "%s", state ? state : "");
    const char *primary = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    e->message = strdup(primary ? primary : PQerrorMessage(c->c));
    if (e->message) { /* libpq's own messages end in a newline */
        size_t n = strlen(e->message);
        while (n && (e->message[n - 1] == '\n' || e->message[n - 1] == ' '))
            e->message[--n] = '\0';
    }
    e->detail = field_dup(r, PG_DIAG_MESSAGE_DETAIL);
    e->hint = field_dup(r, PG_DIAG_MESSAGE_HINT);
    e->table = field_dup(r, PG_DIAG_TABLE_NAME);
    e->column = field_dup(r, PG_DIAG_COLUMN_NAME);
    e->constraint = field_dup(r, PG_DIAG_CONSTRAINT_NAME);
    if (PQstatus(c->c) != CONNECTION_OK || rli_pg_session_ending(e->sqlstate)) {
        rli_pg_lost(c, r);
        return PG_FAIL_CONN;
    }
    if (strcmp(e->sqlstate, "23503") == 0) return PG_FAIL_FK;
    if (strcmp(e->sqlstate, "23505") == 0) return PG_FAIL_UNIQUE;
    if (strcmp(e->sqlstate, "23502") == 0) return PG_FAIL_NOTNULL;
    if (strcmp(e->sqlstate, "23514") == 0) return PG_FAIL_CHECK;
    if (strncmp(e->sqlstate, "22", 2) == 0 || strcmp(e->sqlstate, "42804") == 0)
        return PG_FAIL_TYPE;
    if (strcmp(e->sqlstate, "42P01") == 0 || strcmp(e->sqlstate, "42703") == 0)
        return PG_FAIL_SCHEMA;
    if (strcmp(e->sqlstate, "40P01") == 0 || strcmp(e->sqlstate, "55P03") == 0 ||
        strcmp(e->sqlstate, "40001") == 0)
        return PG_FAIL_BUSY;
    if (strcmp(e->sqlstate, "57014") == 0) return PG_FAIL_CANCELED;
    return PG_FAIL;
}

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
    case PG_FAIL_TYPE:
        return RL_ETYPE;
    case PG_FAIL_SCHEMA:
        return RL_ESCHEMA;
    case PG_FAIL_MISUSE:
        return RL_EMISUSE;
    case PG_FAIL_CANCELED:
        return RL_EINTERRUPTED;
    case PG_FAIL_CONN:
        return RL_EDISCONNECTED;
    case PG_FAIL_REFUSED:
        return RL_EREFUSED;
    default:
        return RL_ERROR;
    }
}

/* Whether the connection can still run a query (not in a transaction a failure aborted). */
static bool can_ask(pg_conn *c)
{
    return PQtransactionStatus(c->c) != PQTRANS_INERROR;
}

/* The one row that sql (parameters $1 constraint, $2 table) finds in the catalog, or NULL
 * (PQclear it). */
static PGresult *constraint_row(pg_conn *c, const char *sql, const char *constraint,
                                const char *table)
{
    const char *params[] = {constraint, table};
    PGresult *r = PQexecParams(c->c, sql, 2, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1) return r;
    PQclear(r);
    return NULL;
}

/* The first column of constraint_row as text (malloc'd), or NULL. */
static char *constraint_text(pg_conn *c, const char *sql, const pg_error *e)
{
    PGresult *r = constraint_row(c, sql, e->constraint, e->table);
    char *v = r ? strdup(PQgetvalue(r, 0, 0)) : NULL;
    PQclear(r);
    return v;
}

/* The column of a failed single-column unique constraint: from the catalog when the server
 * can still be asked, else from the name PostgreSQL gives an inline UNIQUE ("<table>_<col>_key");
 * malloc'd, or NULL. */
static char *unique_column(pg_conn *c, const pg_error *e)
{
    if (!e->table || !e->constraint) return NULL;
    if (can_ask(c))
        return constraint_text(c,
                               "SELECT a.attname FROM pg_constraint c JOIN pg_attribute a ON "
                               "a.attrelid = c.conrelid AND a.attnum = c.conkey[1] WHERE "
                               "c.conname = $1 AND cardinality(c.conkey) = 1 AND c.conrelid = "
                               "to_regclass(quote_ident($2))",
                               e);
    size_t t = strlen(e->table), n = strlen(e->constraint);
    if (n <= t + 5 || strncmp(e->constraint, e->table, t) != 0 || e->constraint[t] != '_' ||
        strcmp(e->constraint + n - 4, "_key") != 0)
        return NULL;
    return strndup(e->constraint + t + 1, n - t - 5);
}

/* The text of a failed CHECK constraint ("CHECK ((length(title) > 0))"), malloc'd, when the
 * server can still be asked; else NULL. */
static char *check_text(pg_conn *c, const pg_error *e)
{
    if (!e->table || !e->constraint || !can_ask(c)) return NULL;
    return constraint_text(c,
                           "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = "
                           "$1 AND conrelid = to_regclass(quote_ident($2))",
                           e);
}

/* "op: the row does not satisfy the CHECK constraint <name>: <text> of table t." */
static void check_sentence(pg_conn *c, err_rec *r, const pg_error *e, const char *op)
{
    char *def = check_text(c, e);
    char *opd = strdup(op);
    if (opd && e->table)
        rli_rec_reword(r, "%s: the row does not satisfy the CHECK constraint %s%s%s of table %s.",
                       opd, e->constraint ? e->constraint : "", def ? " " : "", def ? def : "",
                       e->table);
    free(opd);
    free(def);
}

/* The value(s) of the server's "Key (cols)=(values) ..." detail (malloc'd), or NULL. */
static char *detail_value(const char *detail)
{
    const char *v = detail ? strstr(detail, ")=(") : NULL;
    if (!v) return NULL;
    v += 3;
    int depth = 1;
    const char *e = v;
    for (; *e && depth; e++)
        depth += *e == '(' ? 1 : *e == ')' ? -1 : 0;
    return depth ? NULL : strndup(v, (size_t)(e - 1 - v));
}

/* Whether op ("update books", "insert into books") writes table. */
static bool op_writes(const char *op, const char *table)
{
    const char *sp = strrchr(op, ' ');
    return sp && strcmp(sp + 1, table) == 0;
}

/* Whether a key failure of op is the parent's (a delete or key change of a referenced row):
 * deletes always, inserts never; otherwise as the server's detail says (in English), or for
 * an update, when it writes another table than the key's. */
static bool parent_side(const pg_error *e, const char *op)
{
    if (strncmp(op, "delete", 6) == 0) return true;
    if (strncmp(op, "insert", 6) == 0 || !e->table) return false;
    if (e->detail && strstr(e->detail, "still referenced")) return true;
    if (e->detail && strstr(e->detail, "is not present")) return false;
    return strncmp(op, "update", 6) == 0 && !op_writes(op, e->table);
}

/* A child-side key failure of a statement, from the constraint (as a model declares it) and
 * the server's detail: "op: author_id = 99 has no matching row in authors(pk)."  RL_OK when the
 * key cannot be told (a composite key is told from the row: rli_diag_child_row). */
static int child_key_failed(const rlb_keys *keys, err_rec *r, const pg_error *e, const char *op)
{
    rlb_key k;
    if (!e->table || !keys || !keys->find(keys->ctx, e->table, e->constraint, &k) ||
        !k.parent_table)
        return RL_OK;
    char *val = detail_value(e->detail);
    rl_fk_detail d = {.child_table = e->table,
                      .child_column = k.child_column,
                      .parent_table = k.parent_table,
                      .parent_column = k.parent_column,
                      .value = val ? val : ""};
    strbuf b;
    rli_sb_init(&b);
    rli_sb_printf(&b, "%s: %s = %s has no matching row in %s(%s).", op, d.child_column,
                  val ? val : "?", d.parent_table, d.parent_column);
    int code = rli_rec_fk(r, &d, PG_FAIL_FK, &b);
    free(val);
    return code;
}

/* A parent-side key failure of a statement on the parent (op "delete from t", "update t"):
 * the parent's columns and value from the server's detail, the rest as rli_pg_diag_parent. */
static int parent_key_failed(rlb_conn *c, const rlb_keys *keys, err_rec *r, const pg_error *e,
                             const char *op)
{
    const char *sp = strrchr(op, ' ');
    const char *open = e->detail ? strchr(e->detail, '(') : NULL;
    const char *close = open ? strstr(open, ")=(") : NULL;
    char *val = detail_value(e->detail);
    char *cols = close ? strndup(open + 1, (size_t)(close - open - 1)) : NULL;
    int code = RL_OK;
    if (sp && val && cols) {
        char *end;
        long long n = strtoll(val, &end, 10);
        rl_value v = *val && !*end ? rl_int(n) : rl_text(val);
        code = rli_pg_diag_parent(c, sp + 1, cols, &v, op, strncmp(op, "delete", 6) == 0, keys, r);
    }
    free(val);
    free(cols);
    return code;
}

/* What a lost session means for the caller, after "the connection ... was lost (why)." */
static const char *lost_sentence(pg_lost how)
{
    switch (how) {
    case PG_LOST_IN_TXN: /* and rli_pg_failed_note's sentence while the caller's is open */
        return "Nothing of the transaction it was in is kept.";
    case PG_LOST_AT_COMMIT:
        return "Whether the transaction was committed is unknown; the next call connects again.";
    case PG_LOST_UNREACHABLE:
        return "The connection to it was lost; every call tries again.";
    case PG_LOST_TXN_PENDING:
        return "It was lost inside this transaction, which the server rolled back: end it with "
               "rl_rollback before going on.";
    case PG_LOST_TXN_COMMIT:
        return "It was lost inside this transaction, which the server rolled back: the "
               "transaction was not committed.";
    case PG_LOST_WRITING:
        return "Whether this statement took effect is unknown: find out before running it "
               "again; the next call connects again.";
    case PG_LOST_RUNNING:
    default:
        return "The next call connects again.";
    }
}

/* "op: the connection to the PostgreSQL server was lost (why). <what it means>" */
static int lost_failed(const pg_conn *c, err_rec *r, const char *op)
{
    strbuf m;
    rli_sb_init(&m);
    rli_sb_printf(&m, "%s: %s (", op,
                  c->lost == PG_LOST_UNREACHABLE ? "the PostgreSQL server cannot be reached"
                                                 : "the connection to the PostgreSQL server was "
                                                   "lost");
    rli_sb_name(&m, c->reason[0] ? c->reason : "it closed the connection");
    rli_sb_printf(&m, "). %s", lost_sentence(c->lost));
    int code =
        c->lost == PG_LOST_AT_COMMIT || c->lost == PG_LOST_WRITING ? RL_EINDOUBT : RL_EDISCONNECTED;
    rli_rec_set(r, code, "%s", m.oom ? "Out of memory." : sb_str(&m));
    rli_sb_free(&m);
    r->err.engine_code = PG_FAIL_CONN;
    return code;
}

/* The server's own account of the failure beside reflite's (rl_error.sqlstate and after). */
static int server_words(err_rec *r, const pg_error *e, int code)
{
    r->err.sqlstate = rli_rec_str(r, e->sqlstate);
    r->err.engine_message = rli_rec_str(r, e->message);
    r->err.engine_detail = rli_rec_str(r, e->detail);
    r->err.engine_hint = rli_rec_str(r, e->hint);
    return code;
}

int rli_pg_fail(rlb_conn *cc, rlb_stmt *s, int rc, const char *op, const rlb_keys *keys, err_rec *r)
{
    (void)s;
    pg_conn *c = (pg_conn *)cc;
    if (rc == PG_FAIL_CONN) return lost_failed(c, r, op);
    const pg_error *e = &c->err;
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
    if (rc == PG_FAIL_FK &&
        (parent_side(e, op) ? parent_key_failed(cc, keys, r, e, op)
                            : child_key_failed(keys, r, e, op)) == RL_EFOREIGNKEY) {
        rli_sb_free(&m);
        return server_words(r, e, RL_EFOREIGNKEY);
    }
    rli_rec_set(r, code, "%s.", m.oom ? "Out of memory" : sb_str(&m));
    rli_sb_free(&m);
    r->err.engine_code = rc;
    if (e->table) r->err.table = rli_rec_str(r, e->table);
    if (e->column) r->err.column = rli_rec_str(r, e->column);
    char *ucol = code == RL_EUNIQUE && !e->column ? unique_column(c, e) : NULL;
    if (ucol) r->err.column = rli_rec_str(r, ucol);
    free(ucol);
    if (code == RL_ETYPE && e->message) { /* the value, where the server quotes it */
        const char *q = strchr(e->message, '"'), *end = q ? strchr(q + 1, '"') : NULL;
        char *v = end ? strndup(q + 1, (size_t)(end - q - 1)) : NULL;
        if (v) r->err.value = rli_rec_str(r, v);
        free(v);
    }
    if (e->constraint && code == RL_ECHECK) {
        r->err.constraint = rli_rec_str(r, e->constraint);
        check_sentence(c, r, e, op);
    }
    return server_words(r, e, code);
}

void rli_pg_failed_note(rlb_conn *cc, err_rec *r)
{
    const pg_conn *c = (const pg_conn *)cc;
    if (c->broken) {
        if (c->lost == PG_LOST_IN_TXN && c->lost_txn)
            rli_rec_reword(r,
                           "%s End the transaction with rl_rollback; the next call after that "
                           "connects again.",
                           r->err.message);
        return;
    }
    if (PQtransactionStatus(c->c) != PQTRANS_INERROR) return;
    rli_rec_reword(r,
                   "%s The transaction is aborted: roll it back (rl_rollback; a failure inside a "
                   "nested rl_begin level rolls back only that level).",
                   r->err.message);
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

bool rli_pg_failed_key(rlb_conn *cc, const char **table, const char **constraint)
{
    const pg_error *e = &((pg_conn *)cc)->err;
    if (strcmp(e->sqlstate, "23503") != 0 || !e->table || !e->constraint) return false;
    *table = e->table;
    *constraint = e->constraint;
    return true;
}

static rl_action action_of(char t)
{
    switch (t) {
    case 'r':
        return RL_RESTRICT;
    case 'c':
        return RL_CASCADE;
    case 'n':
        return RL_SET_NULL;
    case 'd':
        return RL_SET_DEFAULT;
    default:
        return RL_NO_ACTION;
    }
}

/* The column and actions of key constraint on table from the catalog (*column malloc'd). */
static bool catalog_key(pg_conn *c, const char *table, const char *constraint, char **column,
                        char actions[2])
{
    PGresult *r = constraint_row(
        c,
        "SELECT a.attname, c.confdeltype, c.confupdtype FROM pg_constraint c JOIN pg_attribute a "
        "ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] WHERE c.contype = 'f' AND "
        "c.conname = $1 AND c.conrelid = to_regclass(quote_ident($2))",
        constraint, table);
    bool ok = r != NULL;
    if (ok) {
        *column = strdup(PQgetvalue(r, 0, 0));
        actions[0] = PQgetvalue(r, 0, 1)[0];
        actions[1] = PQgetvalue(r, 0, 2)[0];
        ok = *column != NULL;
    }
    PQclear(r);
    return ok;
}

/* Rows of table whose column equals v; -1 when they cannot be counted. */
static int64_t count_referencing(pg_conn *c, const char *table, const char *column,
                                 const char *value)
{
    strbuf q;
    rli_sb_init(&q);
    rli_render_count(&q, NULL, table, column, " = $1");
    int64_t n = -1;
    if (!q.oom) {
        PGresult *r = PQexecParams(c->c, q.s, 1, NULL, &value, NULL, NULL, 0);
        if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
            n = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        PQclear(r);
    }
    rli_sb_free(&q);
    return n;
}

int rli_pg_diag_parent(rlb_conn *cc, const char *table, const char *column, const rl_value *value,
                       const char *op, bool is_delete, const rlb_keys *keys, err_rec *r)
{
    pg_conn *c = (pg_conn *)cc;
    const char *ctable, *constraint;
    if (!rli_pg_failed_key(cc, &ctable, &constraint)) return RL_OK;
    char *child_table = strdup(ctable), *child_column = NULL, actions[2] = {0};
    rlb_key k;
    rl_fk_detail d = {.parent_table = table, .parent_column = column, .parent_side = true};
    if (keys && keys->find(keys->ctx, ctable, constraint, &k)) {
        child_column = strdup(k.child_column);
        d.action = is_delete ? k.on_delete : k.on_update;
    } else if (can_ask(c) && catalog_key(c, ctable, constraint, &child_column, actions)) {
        d.action = action_of(actions[is_delete ? 0 : 1]);
    }
    char *val = rli_value_literal(value);
    int code = RL_OK;
    if (child_table && child_column && val) {
        d.child_table = child_table;
        d.child_column = child_column;
        d.value = val;
        d.referencing = can_ask(c) ? count_referencing(c, child_table, child_column, val) : -1;
        strbuf b;
        rli_sb_init(&b);
        rli_fk_referenced_sentence(&b, op, &d, is_delete ? "DELETE" : "UPDATE");
        code = rli_rec_fk(r, &d, PG_FAIL_FK, &b);
    }
    free(child_table);
    free(child_column);
    free(val);
    return code;
}

/* "insert into t", "update t", "delete from t" from the words a statement starts with. */
char *rli_pg_statement_op(rlb_conn *c, const char *sql)
{
    (void)c;
    static const struct {
        const char *verb, *then, *op;
    } forms[] = {{"insert", "into", "insert into"},
                 {"update", NULL, "update"},
                 {"delete", "from", "delete from"}};
    const char *p = sql;
    char *verb = rli_pg_next_word(&p), *table = NULL, *op = NULL;
    for (size_t i = 0; verb && i < sizeof forms / sizeof forms[0] && !table; i++) {
        if (strcmp(verb, forms[i].verb) != 0) continue;
        char *w = forms[i].then ? rli_pg_next_word(&p) : NULL;
        if (!forms[i].then || (w && strcmp(w, forms[i].then) == 0)) table = rli_pg_next_word(&p);
        free(w);
        if (table && strcmp(table, "only") == 0) {
            free(table);
            table = rli_pg_next_word(&p);
        }
        if (table) {
            strbuf b;
            rli_sb_init(&b);
            rli_sb_printf(&b, "%s %s", forms[i].op, table);
            op = rli_sb_take(&b);
        }
    }
    free(verb);
    free(table);
    return op;
}

/*
 * Errors on SQLite: result codes mapped to RL_E* codes and sentences, and the diagnosis of
 * foreign-key failures that SQLite reports only as "FOREIGN KEY constraint failed".
 *
 * SQLite counts violations but does not remember which key or row caused them, so the
 * diagnosis reconstructs it after the fact, and only after a failure:
 *
 *  - a parent row (delete or key change through a model): for every key in the schema that
 *    references the parent column, count the child rows holding the value; the first key
 *    whose action refuses the change (RESTRICT, NO ACTION) with a nonzero count is the
 *    culprit.
 *  - any statement (raw SQL, cascades that fail further down): run the statement again inside
 *    a savepoint with PRAGMA defer_foreign_keys on, so that NO ACTION violations are recorded
 *    instead of raised, read the violations (fkcheck.c), keep only those that were not there
 *    before (compared exactly, by row, key and value), and roll the savepoint back.  RESTRICT
 *    fires even when deferred; for that, the statement's target table (found with an
 *    authorizer) names the refusing keys.
 *
 * A model row's own keys are probed by the core (core/fkdiag.c), which needs no catalog.
 */
#include "sqlite_int.h"
#include "core/error.h"
#include "core/fkdiag.h"
#include "core/stmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int rli_code_from_sqlite(int rc)
{
    switch (rc) {
    case SQLITE_CONSTRAINT_FOREIGNKEY:
        return RL_EFOREIGNKEY;
    case SQLITE_CONSTRAINT_UNIQUE:
    case SQLITE_CONSTRAINT_PRIMARYKEY:
        return RL_EUNIQUE;
    case SQLITE_CONSTRAINT_NOTNULL:
        return RL_ENOTNULL;
    case SQLITE_CONSTRAINT_CHECK:
        return RL_ECHECK;
    case SQLITE_CONSTRAINT_DATATYPE: /* a STRICT table's column */
        return RL_ETYPE;
    default:
        break;
    }
    switch (rc & 0xff) {
    case SQLITE_OK:
        return RL_OK;
    case SQLITE_NOMEM:
        return RL_ENOMEM;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return RL_EBUSY;
    case SQLITE_CONSTRAINT:
        return RL_ECONSTRAINT;
    case SQLITE_FULL:
        return RL_ENOSPACE;
    case SQLITE_CANTOPEN:
        return RL_ECANTOPEN;
    case SQLITE_MISUSE:
        return RL_EMISUSE;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return RL_ECORRUPT;
    case SQLITE_AUTH:
        return RL_EREFUSED;
    case SQLITE_INTERRUPT:
        return RL_EINTERRUPTED;
    default:
        return RL_ERROR;
    }
}

/* "UNIQUE constraint failed: authors.email, authors.x" -> table "authors", columns
 * "email, x" (one column: "email"). */
static void parse_table_column(err_rec *r, const char *msg)
{
    const char *p = strstr(msg, "failed: ");
    if (!p) return;
    p += 8;
    char cols[512] = "", *t = NULL;
    size_t have = 0;
    while (*p && have < sizeof cols - 1) {
        size_t end = strcspn(p, ", ");
        const char *dot = memchr(p, '.', end);
        if (dot) {
            if (!t) t = strndup(p, (size_t)(dot - p));
            end -= (size_t)(dot + 1 - p);
            p = dot + 1;
        }
        have += (size_t)snprintf(cols + have, sizeof cols - have, "%s%.*s", have ? ", " : "",
                                 (int)end, p);
        p += end;
        p += strspn(p, ", ");
    }
    if (t) r->err.table = rli_rec_str(r, t);
    if (*cols) r->err.column = rli_rec_str(r, cols);
    free(t);
}

/* What followed "CHECK constraint failed: ": the constraint's name or expression. */
static const char *check_text(const char *msg)
{
    const char *p = strstr(msg, "constraint failed: ");
    return p ? p + 19 : "";
}

int rli_sqlite_word(sqlite3 *h, err_rec *r, int rc, const char *op)
{
    int code = rli_code_from_sqlite(rc);
    /* After a diagnosis ran other statements, the handle's message is no longer this one. */
    const char *m = sqlite3_extended_errcode(h) == rc ? sqlite3_errmsg(h)
                    : code == RL_EFOREIGNKEY          ? "FOREIGN KEY constraint failed"
                                                      : sqlite3_errstr(rc);
    if (code == RL_ERROR &&
        (strncmp(m, "no such table", 13) == 0 || strncmp(m, "no such column", 14) == 0))
        code = RL_ESCHEMA; /* a name the schema does not have (any more) */
    char *saved = rli_name_disp(m);
    char *opd = strdup(op ? op : "");
    rli_rec_set(r, code, "%s", "");
    r->err.engine_code = rc;
    if (saved) parse_table_column(r, saved);
    const char *t = r->err.table, *c = r->err.column, *o = opd ? opd : "", *sm = saved ? saved : "";
    switch (code) {
    case RL_EUNIQUE:
        if (strchr(c, ','))
            rli_rec_reword(r,
                           "%s: (%s) of %s must be unique together, and another row already has "
                           "these values (%s).",
                           o, c, t, sm);
        else
            rli_rec_reword(r,
                           "%s: %s%s%s must be unique and another row already has this value "
                           "(%s).",
                           o, t, *t ? "." : "", c, sm);
        break;
    case RL_ENOTNULL:
        rli_rec_reword(r, "%s: %s%s%s may not be NULL (%s).", o, t, *t ? "." : "", c, sm);
        break;
    case RL_ECHECK:
        r->err.column = "";
        r->err.constraint = rli_rec_str(r, check_text(sm));
        rli_rec_reword(r, "%s: the row does not satisfy the CHECK constraint %s.", o,
                       r->err.constraint);
        break;
    case RL_EFOREIGNKEY:
        rli_rec_reword(r,
                       "%s: a foreign key constraint failed, and no single key or row could be "
                       "identified as the cause (%s).",
                       o, sm);
        break;
    case RL_EBUSY:
        rli_rec_reword(r, "%s: the database is locked by another connection (%s).", o, sm);
        break;
    case RL_ECORRUPT:
        rli_rec_reword(r, "%s: the database file is damaged or is not a database (%s).", o, sm);
        break;
    default:
        rli_rec_reword(r, "%s: %s.", o, sm);
        break;
    }
    free(saved);
    free(opd);
    return code;
}

/* Every single-column key in the schema that references table: child, from, to, actions. */
static const char *INBOUND_SQL =
    "SELECT m.name, f.\"from\", coalesce(f.\"to\", ''), f.on_update, f.on_delete"
    " FROM sqlite_schema m, pragma_foreign_key_list(m.name) f"
    " WHERE m.type = 'table' AND f.\"table\" = ?1 COLLATE NOCASE"
    " AND (SELECT count(*) FROM pragma_foreign_key_list(m.name) g WHERE g.id = f.id) = 1"
    " ORDER BY m.name, f.id";

static int64_t count_refs(sqlite3 *h, const char *child, const char *col, const rl_value *v)
{
    strbuf sql;
    rli_sb_init(&sql);
    rli_render_count(&sql, NULL, child, col, v ? " = ?" : " IS NOT NULL");
    sqlite3_stmt *st;
    int64_t n = 0;
    if (sqlite3_prepare_v2(h, sb_str(&sql), -1, &st, NULL) == SQLITE_OK) {
        if (v) rli_sqlite_bind(st, 1, v);
        if (sqlite3_step(st) == SQLITE_ROW) n = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    rli_sb_free(&sql);
    return n;
}

/* The primary-key column of table ("rowid" when it has none of its own). malloc'd. */
static char *parent_pk_column(sqlite3 *h, const char *table)
{
    sqlite3_stmt *st;
    char *out = NULL;
    if (sqlite3_prepare_v2(h, "SELECT name FROM pragma_table_info(?1) WHERE pk = 1", -1, &st,
                           NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW) out = strdup((const char *)sqlite3_column_text(st, 0));
        sqlite3_finalize(st);
    }
    return out ? out : strdup("rowid");
}

int rli_diag_parent_change(rlb_conn *c, const char *table, const char *column,
                           const rl_value *value, const char *op, bool is_delete,
                           const rlb_keys *keys, err_rec *r)
{
    (void)keys; /* SQLite's catalog can always be asked */
    sqlite3 *h = (sqlite3 *)c;
    int sc = sqlite3_extended_errcode(h);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(h, INBOUND_SQL, -1, &st, NULL) != SQLITE_OK) return RL_OK;
    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    char *pkcol = parent_pk_column(h, table);
    char *child = NULL, *from = NULL, *to = NULL;
    rl_fk_detail best = {0};
    while (!child && sqlite3_step(st) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(st, 2);
        if (!*t) t = pkcol ? pkcol : "rowid";
        if (column && strcasecmp(t, column) != 0) continue;
        rl_action act =
            rli_action_from_sql((const char *)sqlite3_column_text(st, is_delete ? 4 : 3));
        if (act != RL_RESTRICT && act != RL_NO_ACTION && act != RL_SET_DEFAULT) continue;
        const char *ct = (const char *)sqlite3_column_text(st, 0);
        const char *f = (const char *)sqlite3_column_text(st, 1);
        int64_t n = count_refs(h, ct, f, value);
        if (n == 0) continue;
        child = strdup(ct);
        from = strdup(f);
        to = strdup(t);
        best.referencing = n;
        best.action = act;
    }
    sqlite3_finalize(st);
    free(pkcol);
    if (!child || !from || !to) {
        free(child);
        free(from);
        free(to);
        return RL_OK;
    }
    char *val = value ? rli_value_literal(value) : NULL;
    best.child_table = child;
    best.child_column = from;
    best.parent_table = table;
    best.parent_column = to;
    best.value = val ? val : "";
    best.parent_side = true;
    strbuf b;
    rli_sb_init(&b);
    rli_fk_referenced_sentence(&b, op, &best, is_delete ? "DELETE" : "UPDATE");
    int code = rli_rec_fk(r, &best, sc, &b);
    free(val);
    free(child);
    free(from);
    free(to);
    return code;
}

/* ---- generic diagnosis through the violation sets ------------------------------------------ */

#define LISTED 8 /* violations named one by one in a message; the rest are counted */

/*
 * Report the violations of after that are not in before: child-side (a key without a
 * parent, every such key named) when the statement wrote to the child table, else
 * parent-side (the rows still referencing what the statement removed or changed).
 */
static int report_new(err_rec *r, const fk_violations *after, const fk_violations *before,
                      const char *target, const char *verb, const char *op, int sc)
{
    size_t nnew = 0, first = SIZE_MAX;
    for (size_t i = 0; i < after->n; i++) {
        if (before && rli_fkv_contains(before, &after->v[i])) continue;
        if (first == SIZE_MAX) first = i;
        nnew++;
    }
    if (first == SIZE_MAX) return RL_OK;
    const fk_violation *x = &after->v[first];
    rl_fk_detail d;
    rli_fkv_detail(x, &d);
    strbuf b;
    rli_sb_init(&b);
    bool child_side = !target || strcasecmp(target, x->table) == 0;
    if (!child_side) {
        size_t same = 0;
        for (size_t i = 0; i < after->n; i++) {
            const fk_violation *y = &after->v[i];
            if (before && rli_fkv_contains(before, y)) continue;
            if (strcmp(y->table, x->table) == 0 && strcmp(y->from, x->from) == 0 &&
                strcmp(y->value, x->value) == 0)
                same++;
        }
        d.parent_side = true;
        d.referencing = (int64_t)same;
        d.action = strcmp(verb, "UPDATE") == 0 ? x->on_update : x->on_delete;
        rli_fk_referenced_sentence(&b, op, &d, verb);
        return rli_rec_fk(r, &d, sc, &b);
    }
    rli_sb_printf(&b, "%s: ", op);
    /* All on one row of the statement's table: name the keys alone, as the typed API does. */
    bool one_row = target != NULL;
    for (size_t i = first; i < after->n && one_row; i++) {
        const fk_violation *y = &after->v[i];
        if (before && rli_fkv_contains(before, y)) continue;
        one_row = strcmp(y->table, x->table) == 0 && strcmp(y->row, x->row) == 0;
    }
    size_t listed = 0;
    for (size_t i = first; i < after->n && listed < LISTED; i++) {
        const fk_violation *y = &after->v[i];
        if (before && rli_fkv_contains(before, y)) continue;
        rli_sb_puts(&b, listed ? "; " : "");
        char *text = rli_fkv_text(y);
        const char *key = text && one_row ? strstr(text, ": ") : NULL;
        rli_sb_puts(&b, key ? key + 2 : text ? text : "");
        free(text);
        listed++;
    }
    if (nnew > listed) rli_sb_printf(&b, " (%zu rows in all break a foreign key)", nnew);
    rli_sb_puts(&b, ".");
    return rli_rec_fk(r, &d, sc, &b);
}

typedef struct target_ctx {
    char *table;
    int action;
} target_ctx;

static int find_target(void *arg, int action, const char *a, const char *b, const char *dbname,
                       const char *trigger)
{
    (void)b;
    (void)dbname;
    target_ctx *t = arg;
    if (!t->table && !trigger &&
        (action == SQLITE_INSERT || action == SQLITE_UPDATE || action == SQLITE_DELETE) && a) {
        t->table = strdup(a);
        t->action = action;
    }
    return SQLITE_OK;
}

/* The table a statement writes (malloc'd) and how, asked of SQLite's own compiler. */
static char *statement_target(sqlite3 *h, const char *sql, int *action)
{
    target_ctx target = {NULL, 0};
    sqlite3_stmt *probe = NULL;
    sqlite3_set_authorizer(h, find_target, &target);
    sqlite3_prepare_v2(h, sql, -1, &probe, NULL);
    sqlite3_set_authorizer(h, NULL, NULL);
    sqlite3_finalize(probe);
    *action = target.action;
    return target.table;
}

char *rli_statement_op(rlb_conn *c, const char *sql)
{
    int action;
    char *t = statement_target((sqlite3 *)c, sql, &action);
    if (!t) return NULL;
    strbuf b;
    rli_sb_init(&b);
    rli_sb_puts(&b, action == SQLITE_INSERT   ? "insert into "
                    : action == SQLITE_UPDATE ? "update "
                                              : "delete from ");
    rli_sb_puts(&b, t);
    free(t);
    return rli_sb_take(&b);
}

static int diag_fk_check(sqlite3 *h, err_rec *r, const char *op)
{
    int sc = sqlite3_extended_errcode(h);
    fk_violations after = {0};
    rli_fkv_collect(h, NULL, &after, NULL);
    int code = report_new(r, &after, NULL, NULL, "DELETE", op, sc);
    rli_fkv_free(&after);
    return code;
}

static int diag_statement(sqlite3 *h, err_rec *r, sqlite3_stmt *stmt, const char *op)
{
    int sc = sqlite3_extended_errcode(h);
    int action;
    char *target = statement_target(h, sqlite3_sql(stmt), &action);

    if (sqlite3_exec(h, "SAVEPOINT rl_diagnose", NULL, NULL, NULL) != SQLITE_OK) {
        free(target);
        return RL_OK;
    }
    sqlite3_exec(h, "PRAGMA defer_foreign_keys = ON", NULL, NULL, NULL);
    sqlite3_reset(stmt);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    }
    sqlite3_reset(stmt);
    fk_violations after = {0}, before = {0};
    if (rc == SQLITE_DONE) rli_fkv_collect(h, NULL, &after, NULL);
    sqlite3_exec(h, "ROLLBACK TO rl_diagnose", NULL, NULL, NULL);
    if (rc == SQLITE_DONE) rli_fkv_collect_like(h, &after, &before, NULL);
    sqlite3_exec(h, "PRAGMA defer_foreign_keys = OFF", NULL, NULL, NULL);
    sqlite3_exec(h, "RELEASE rl_diagnose", NULL, NULL, NULL);
    rli_fkv_sort(&before);

    int code = RL_OK;
    if (rc == SQLITE_DONE)
        code = report_new(r, &after, &before, action == SQLITE_DELETE ? "" : target,
                          action == SQLITE_UPDATE ? "UPDATE" : "DELETE", op, sc);
    if (code == RL_OK && target) {
        /* Refused even when deferred: a RESTRICT key on the target table (an INSERT can hit
         * one too, when OR REPLACE deletes the conflicting parent row). */
        code = rli_diag_parent_change((rlb_conn *)h, target, NULL, NULL, op,
                                      action != SQLITE_UPDATE, NULL, r);
    }
    rli_fkv_free(&after);
    rli_fkv_free(&before);
    free(target);
    return code;
}

int rli_sqlite_fail(rlb_conn *c, rlb_stmt *s, int rc, const char *op, const rlb_keys *keys,
                    err_rec *r)
{
    (void)keys; /* SQLite's catalog can always be asked */
    sqlite3 *h = (sqlite3 *)c;
    sqlite3_stmt *stmt = rli_sqlite_st(s);
    if (!stmt) { /* a COMMIT (or another exec) refused by deferred keys */
        if (rc == SQLITE_CONSTRAINT_FOREIGNKEY && diag_fk_check(h, r, op) == RL_EFOREIGNKEY)
            return RL_EFOREIGNKEY;
        return rli_sqlite_word(h, r, rc, op);
    }
    if ((rc == SQLITE_CONSTRAINT_FOREIGNKEY || rc == SQLITE_CONSTRAINT_TRIGGER) &&
        diag_statement(h, r, stmt, op) == RL_EFOREIGNKEY)
        return RL_EFOREIGNKEY;
    int code = rli_sqlite_word(h, r, rc, op);
    if (code == RL_ECHECK) {
        int action;
        char *t = statement_target(h, sqlite3_sql(stmt), &action);
        if (t) {
            r->err.table = rli_rec_str(r, t);
            char *opd = strdup(op);
            rli_rec_reword(r, "%s: the row does not satisfy the CHECK constraint %s of table %s.",
                           opd ? opd : op, r->err.constraint, r->err.table);
            free(opd);
        }
        free(t);
    }
    return code;
}

/*
 * Errors: the last-error record of a connection, the mapping of SQLite result codes, and the
 * foreign-key diagnosis that turns "FOREIGN KEY constraint failed" into a sentence naming the
 * constraint, the value and the operation.
 *
 * SQLite counts foreign-key violations but does not remember which key or row caused them, so
 * the diagnosis reconstructs it after the fact, and only after a failure (the success path
 * pays nothing):
 *
 *  - a child row (insert/update through a model): look up each of the row's non-NULL keys in
 *    its parent table; the first one without a parent is the culprit.
 *  - a parent row (delete or key change through a model): for every key in the schema that
 *    references the parent column, count the child rows holding the value; the first key
 *    whose action refuses the change (RESTRICT, NO ACTION) with a nonzero count is the
 *    culprit.
 *  - any statement (raw SQL, cascades that fail further down): run the statement again inside
 *    a savepoint with PRAGMA defer_foreign_keys on, so that NO ACTION violations are recorded
 *    instead of raised, read PRAGMA foreign_key_check, keep only the rows that were not
 *    violations before, and roll the savepoint back.  RESTRICT fires even when deferred; for
 *    that, the statement's target table (found with an authorizer) names the refusing keys.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *rl_code_name(int code)
{
    switch (code) {
    case RL_OK:
        return "RL_OK";
    case RL_ERROR:
        return "RL_ERROR";
    case RL_ENOMEM:
        return "RL_ENOMEM";
    case RL_EINVAL:
        return "RL_EINVAL";
    case RL_EMISUSE:
        return "RL_EMISUSE";
    case RL_ENOTFOUND:
        return "RL_ENOTFOUND";
    case RL_EMULTIPLE:
        return "RL_EMULTIPLE";
    case RL_EFIELD:
        return "RL_EFIELD";
    case RL_ENOFK:
        return "RL_ENOFK";
    case RL_EBUSY:
        return "RL_EBUSY";
    case RL_EFOREIGNKEY:
        return "RL_EFOREIGNKEY";
    case RL_EUNIQUE:
        return "RL_EUNIQUE";
    case RL_ENOTNULL:
        return "RL_ENOTNULL";
    case RL_ECHECK:
        return "RL_ECHECK";
    case RL_ECONSTRAINT:
        return "RL_ECONSTRAINT";
    case RL_ETXN:
        return "RL_ETXN";
    case RL_EDATALOSS:
        return "RL_EDATALOSS";
    case RL_EMIGRATE:
        return "RL_EMIGRATE";
    case RL_ENOSPACE:
        return "RL_ENOSPACE";
    case RL_ECANTOPEN:
        return "RL_ECANTOPEN";
    case RL_EMODEL:
        return "RL_EMODEL";
    case RL_EMODEL_SET_NULL:
        return "RL_EMODEL_SET_NULL";
    case RL_EMODEL_SET_DEFAULT:
        return "RL_EMODEL_SET_DEFAULT";
    case RL_EMODEL_NO_PK:
        return "RL_EMODEL_NO_PK";
    case RL_EMODEL_UNKNOWN:
        return "RL_EMODEL_UNKNOWN";
    case RL_EMODEL_DUPLICATE:
        return "RL_EMODEL_DUPLICATE";
    case RL_EMODEL_IDENT:
        return "RL_EMODEL_IDENT";
    case RL_EMODEL_CYCLE:
        return "RL_EMODEL_CYCLE";
    default:
        return "RL_E?";
    }
}

const char *rl_action_name(rl_action a)
{
    switch (a) {
    case RL_CASCADE:
        return "CASCADE";
    case RL_SET_NULL:
        return "SET NULL";
    case RL_SET_DEFAULT:
        return "SET DEFAULT";
    case RL_NO_ACTION:
        return "NO ACTION";
    case RL_RESTRICT:
    case RL_ACTION_DEFAULT:
    default:
        return "RESTRICT";
    }
}

static rl_action action_from_sql(const char *s)
{
    if (!s) return RL_NO_ACTION;
    if (strcasecmp(s, "CASCADE") == 0) return RL_CASCADE;
    if (strcasecmp(s, "SET NULL") == 0) return RL_SET_NULL;
    if (strcasecmp(s, "SET DEFAULT") == 0) return RL_SET_DEFAULT;
    if (strcasecmp(s, "RESTRICT") == 0) return RL_RESTRICT;
    return RL_NO_ACTION;
}

const rl_error *rl_last_error(const rl_db *db)
{
    return &db->err;
}

const char *rl_errmsg(const rl_db *db)
{
    return db->msg;
}

void err_clear(rl_db *db)
{
    memset(&db->err, 0, sizeof db->err);
    db->err.message = db->msg;
    db->err.item = -1;
    snprintf(db->msg, sizeof db->msg, "No error.");
}

static void vset(rl_db *db, int code, const char *fmt, va_list ap)
{
    db->err.code = code;
    db->err.message = db->msg;
    vsnprintf(db->msg, sizeof db->msg, fmt, ap);
}

int err_set(rl_db *db, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vset(db, code, fmt, ap);
    va_end(ap);
    return code;
}

int rl_code_from_sqlite(int rc)
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
    default:
        return RL_ERROR;
    }
}

/* "UNIQUE constraint failed: authors.email, authors.x" -> table "authors", column "email". */
static void parse_table_column(rl_db *db, const char *msg)
{
    const char *p = strstr(msg, "failed: ");
    if (!p) return;
    p += 8;
    const char *dot = strchr(p, '.');
    size_t end = strcspn(p, ", ");
    if (dot && (size_t)(dot - p) < end) {
        snprintf(db->err.table, sizeof db->err.table, "%.*s", (int)(dot - p), p);
        p = dot + 1;
        end = strcspn(p, ", ");
    }
    snprintf(db->err.column, sizeof db->err.column, "%.*s", (int)end, p);
}

int err_sqlite(rl_db *db, int rc, const char *op)
{
    int code = rl_code_from_sqlite(rc);
    /* After a diagnosis ran other statements, the handle's message is no longer this one. */
    const char *msg = sqlite3_extended_errcode(db->h) == rc ? sqlite3_errmsg(db->h)
                      : code == RL_EFOREIGNKEY              ? "FOREIGN KEY constraint failed"
                                                            : sqlite3_errstr(rc);
    char saved[512];
    snprintf(saved, sizeof saved, "%s", msg);
    err_clear(db);
    db->err.sqlite_code = rc;
    parse_table_column(db, saved);
    const char *t = db->err.table, *c = db->err.column;
    switch (code) {
    case RL_EUNIQUE:
        err_set(db, code, "%s: %s%s%s must be unique and another row already has this value (%s).",
                op, t, *t ? "." : "", c, saved);
        break;
    case RL_ENOTNULL:
        err_set(db, code, "%s: %s%s%s may not be NULL (%s).", op, t, *t ? "." : "", c, saved);
        break;
    case RL_ECHECK:
        err_set(db, code, "%s: the row does not satisfy the CHECK constraint %s (%s).", op, c,
                saved);
        break;
    case RL_EFOREIGNKEY:
        err_set(db, code,
                "%s: a foreign key constraint failed, and no single key or row could be "
                "identified as the cause (%s).",
                op, saved);
        break;
    case RL_EBUSY:
        err_set(db, code, "%s: the database is locked by another connection (%s).", op, saved);
        break;
    default:
        err_set(db, code, "%s: %s.", op, saved);
        break;
    }
    db->err.sqlite_code = rc;
    return code;
}

/* ---- foreign-key diagnosis ---------------------------------------------------------------- */

static void copy(char *dst, size_t n, const void *src)
{
    snprintf(dst, n, "%s", src ? (const char *)src : "");
}

static int fk_fail(rl_db *db, const rl_fk_detail *d, int sqlite_code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fk_fail(rl_db *db, const rl_fk_detail *d, int sqlite_code, const char *fmt, ...)
{
    err_clear(db);
    va_list ap;
    va_start(ap, fmt);
    vset(db, RL_EFOREIGNKEY, fmt, ap);
    va_end(ap);
    db->err.fk = *d;
    db->err.sqlite_code = sqlite_code;
    copy(db->err.table, sizeof db->err.table, d->parent_side ? d->parent_table : d->child_table);
    copy(db->err.column, sizeof db->err.column,
         d->parent_side ? d->parent_column : d->child_column);
    return RL_EFOREIGNKEY;
}

int diag_child_row(rl_db *db, model_info *mi, const void *row, const char *op)
{
    int sc = sqlite3_extended_errcode(db->h);
    const rl_model *m = mi->model;
    for (size_t i = 0; i < m->nfields; i++) {
        const rl_field *f = &m->fields[i];
        if (!f->references || f->deferrable) continue;
        rl_value v = field_value(f, row);
        if (v.type == RL_V_NULL) continue;
        model_info *parent;
        if (model_lookup(db, f->references, &parent) != RL_OK) continue;
        strbuf sql;
        sb_init(&sql);
        sb_puts(&sql, "SELECT 1 FROM ");
        sb_ident(&sql, parent->table);
        sb_puts(&sql, " WHERE ");
        sb_ident(&sql, parent->pk_column);
        sb_puts(&sql, " = ?");
        sqlite3_stmt *st;
        int rc = sqlite3_prepare_v2(db->h, sb_str(&sql), -1, &st, NULL);
        sb_free(&sql);
        if (rc != SQLITE_OK) continue;
        bind_value(st, 1, &v);
        bool found = sqlite3_step(st) == SQLITE_ROW;
        sqlite3_finalize(st);
        if (found) continue;
        rl_fk_detail d = {0};
        copy(d.child_table, sizeof d.child_table, mi->table);
        copy(d.child_column, sizeof d.child_column, mi->columns[i]);
        copy(d.parent_table, sizeof d.parent_table, parent->table);
        copy(d.parent_column, sizeof d.parent_column, parent->pk_column);
        value_text(&v, d.value, sizeof d.value);
        return fk_fail(db, &d, sc, "%s: %s = %s has no matching row in %s(%s).", op, d.child_column,
                       d.value, d.parent_table, d.parent_column);
    }
    return RL_OK;
}

/* Every single-column key in the schema that references table: child, from, to, actions. */
static const char *INBOUND_SQL =
    "SELECT m.name, f.\"from\", coalesce(f.\"to\", ''), f.on_update, f.on_delete"
    " FROM sqlite_schema m, pragma_foreign_key_list(m.name) f"
    " WHERE m.type = 'table' AND f.\"table\" = ?1 COLLATE NOCASE"
    " AND (SELECT count(*) FROM pragma_foreign_key_list(m.name) g WHERE g.id = f.id) = 1"
    " ORDER BY m.name, f.id";

static int64_t count_refs(rl_db *db, const char *child, const char *col, const rl_value *v)
{
    strbuf sql;
    sb_init(&sql);
    sb_puts(&sql, "SELECT count(*) FROM ");
    sb_ident(&sql, child);
    sb_puts(&sql, " WHERE ");
    sb_ident(&sql, col);
    sb_puts(&sql, v ? " = ?" : " IS NOT NULL");
    sqlite3_stmt *st;
    int64_t n = 0;
    if (sqlite3_prepare_v2(db->h, sb_str(&sql), -1, &st, NULL) == SQLITE_OK) {
        if (v) bind_value(st, 1, v);
        if (sqlite3_step(st) == SQLITE_ROW) n = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    sb_free(&sql);
    return n;
}

/* The column a key with an implicit target ("REFERENCES authors") points at: the parent's
 * primary key. */
static void parent_pk_column(rl_db *db, const char *table, char *buf, size_t len)
{
    sqlite3_stmt *st;
    copy(buf, len, "rowid");
    if (sqlite3_prepare_v2(db->h, "SELECT name FROM pragma_table_info(?1) WHERE pk = 1", -1, &st,
                           NULL) != SQLITE_OK)
        return;
    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW) copy(buf, len, sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
}

int diag_parent_change(rl_db *db, const char *table, const char *column, const rl_value *value,
                       const char *op, bool is_delete)
{
    int sc = sqlite3_extended_errcode(db->h);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db->h, INBOUND_SQL, -1, &st, NULL) != SQLITE_OK) return RL_OK;
    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    char pkcol[128];
    parent_pk_column(db, table, pkcol, sizeof pkcol);
    rl_fk_detail best = {0};
    bool have = false;
    while (!have && sqlite3_step(st) == SQLITE_ROW) {
        const char *to = (const char *)sqlite3_column_text(st, 2);
        if (!*to) to = pkcol;
        if (column && strcasecmp(to, column) != 0) continue;
        rl_action act = action_from_sql((const char *)sqlite3_column_text(st, is_delete ? 4 : 3));
        if (act != RL_RESTRICT && act != RL_NO_ACTION && act != RL_SET_DEFAULT) continue;
        const char *child = (const char *)sqlite3_column_text(st, 0);
        const char *from = (const char *)sqlite3_column_text(st, 1);
        int64_t n = count_refs(db, child, from, value);
        if (n == 0) continue;
        copy(best.child_table, sizeof best.child_table, child);
        copy(best.child_column, sizeof best.child_column, from);
        copy(best.parent_table, sizeof best.parent_table, table);
        copy(best.parent_column, sizeof best.parent_column, to);
        best.referencing = n;
        best.action = act;
        best.parent_side = true;
        have = true;
    }
    sqlite3_finalize(st);
    if (!have) return RL_OK;
    if (value) {
        value_text(value, best.value, sizeof best.value);
    } else {
        copy(best.value, sizeof best.value, "");
    }
    const char *verb = is_delete ? "DELETE" : "UPDATE";
    if (best.action == RL_SET_DEFAULT)
        return fk_fail(db, &best, sc,
                       "%s: %s = %s is referenced by %lld row%s of %s(%s) whose ON %s SET "
                       "DEFAULT value has no matching row in %s(%s).",
                       op, best.parent_column, best.value, (long long)best.referencing,
                       best.referencing == 1 ? "" : "s", best.child_table, best.child_column, verb,
                       best.parent_table, best.parent_column);
    if (!value)
        return fk_fail(db, &best, sc,
                       "%s: %s(%s) is still referenced by %lld row%s of %s(%s) (ON %s %s).", op,
                       best.parent_table, best.parent_column, (long long)best.referencing,
                       best.referencing == 1 ? "" : "s", best.child_table, best.child_column, verb,
                       rl_action_name(best.action));
    return fk_fail(db, &best, sc,
                   "%s: %s = %s is still referenced by %lld row%s of %s(%s) (ON %s %s).", op,
                   best.parent_column, best.value, (long long)best.referencing,
                   best.referencing == 1 ? "" : "s", best.child_table, best.child_column, verb,
                   rl_action_name(best.action));
}

/* ---- generic diagnosis through foreign_key_check ----------------------------------------- */

void read_violations(rl_db *db, violations *out)
{
    sqlite3_stmt *st;
    out->n = 0;
    if (sqlite3_prepare_v2(db->h, "PRAGMA foreign_key_check", -1, &st, NULL) != SQLITE_OK) return;
    while (sqlite3_step(st) == SQLITE_ROW && out->n < 100000) {
        if (out->n == out->cap) {
            size_t cap = out->cap ? out->cap * 2 : 16;
            violation *nv = realloc(out->v, cap * sizeof *nv);
            if (!nv) break;
            out->v = nv;
            out->cap = cap;
        }
        violation *x = &out->v[out->n++];
        copy(x->table, sizeof x->table, sqlite3_column_text(st, 0));
        x->rowid = sqlite3_column_int64(st, 1);
        copy(x->parent, sizeof x->parent, sqlite3_column_text(st, 2));
        x->fkid = sqlite3_column_int(st, 3);
    }
    sqlite3_finalize(st);
}

bool violations_contain(const violations *set, const violation *x)
{
    for (size_t i = 0; i < set->n; i++) {
        const violation *y = &set->v[i];
        if (y->rowid == x->rowid && y->fkid == x->fkid && strcmp(y->table, x->table) == 0)
            return true;
    }
    return false;
}

/* Fill d with the key (child column, parent column, child's value) of violation x. */
void describe_violation(rl_db *db, const violation *x, rl_fk_detail *d)
{
    memset(d, 0, sizeof *d);
    copy(d->child_table, sizeof d->child_table, x->table);
    copy(d->parent_table, sizeof d->parent_table, x->parent);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db->h,
                           "SELECT \"from\", coalesce(\"to\", ''), on_update, on_delete FROM "
                           "pragma_foreign_key_list(?1) WHERE id = ?2 ORDER BY seq",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, x->table, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 2, x->fkid);
        if (sqlite3_step(st) == SQLITE_ROW) {
            copy(d->child_column, sizeof d->child_column, sqlite3_column_text(st, 0));
            copy(d->parent_column, sizeof d->parent_column, sqlite3_column_text(st, 1));
            d->action = action_from_sql((const char *)sqlite3_column_text(st, 3));
        }
        sqlite3_finalize(st);
    }
    if (!d->parent_column[0])
        parent_pk_column(db, x->parent, d->parent_column, sizeof d->parent_column);
    strbuf sql;
    sb_init(&sql);
    sb_puts(&sql, "SELECT ");
    sb_ident(&sql, d->child_column);
    sb_puts(&sql, " FROM ");
    sb_ident(&sql, x->table);
    sb_puts(&sql, " WHERE rowid = ?");
    if (sqlite3_prepare_v2(db->h, sb_str(&sql), -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, x->rowid);
        if (sqlite3_step(st) == SQLITE_ROW) column_text(st, 0, d->value, sizeof d->value);
        sqlite3_finalize(st);
    }
    sb_free(&sql);
}

/* Described violations: the rows are read while they still exist (before any rollback). */
#define DESCRIBED 64

typedef struct described {
    rl_fk_detail d[DESCRIBED];
    size_t n;
} described;

static void describe_all(rl_db *db, const violations *v, described *out)
{
    out->n = v->n < DESCRIBED ? v->n : DESCRIBED;
    for (size_t i = 0; i < out->n; i++)
        describe_violation(db, &v->v[i], &out->d[i]);
}

/* Report the new violations: child-side if the statement wrote to the child table. */
static int report_violations(rl_db *db, const violations *after, const described *desc,
                             const violations *before, const char *target, const char *verb,
                             const char *op, int sc)
{
    size_t nnew = 0, first = SIZE_MAX;
    for (size_t i = 0; i < after->n; i++) {
        if (before && violations_contain(before, &after->v[i])) continue;
        if (first == SIZE_MAX) first = i;
        nnew++;
    }
    if (first == SIZE_MAX || first >= desc->n) return RL_OK;
    rl_fk_detail d = desc->d[first];
    bool child_side = !target || strcasecmp(target, after->v[first].table) == 0;
    if (child_side) {
        if (nnew == 1)
            return fk_fail(db, &d, sc, "%s: %s(%s) = %s has no matching row in %s(%s).", op,
                           d.child_table, d.child_column, d.value, d.parent_table, d.parent_column);
        return fk_fail(db, &d, sc,
                       "%s: %s(%s) = %s has no matching row in %s(%s) (%zu rows in all break a "
                       "foreign key).",
                       op, d.child_table, d.child_column, d.value, d.parent_table, d.parent_column,
                       nnew);
    }
    d.parent_side = true;
    d.referencing = (int64_t)nnew;
    return fk_fail(db, &d, sc,
                   "%s: %s(%s) = %s is still referenced by %zu row%s of %s(%s) (ON %s %s).", op,
                   d.parent_table, d.parent_column, d.value, nnew, nnew == 1 ? "" : "s",
                   d.child_table, d.child_column, verb, rl_action_name(d.action));
}

int err_statement(rl_db *db, sqlite3_stmt *stmt, int rc, const char *op)
{
    if ((rc == SQLITE_CONSTRAINT_FOREIGNKEY || rc == SQLITE_CONSTRAINT_TRIGGER) &&
        diag_statement(db, stmt, op) == RL_EFOREIGNKEY)
        return RL_EFOREIGNKEY;
    return err_sqlite(db, rc, op);
}

void violation_text(rl_db *db, const violation *x, rl_fk_detail *d, char *buf, size_t len)
{
    describe_violation(db, x, d);
    snprintf(buf, len, "%s rowid %lld: %s = %s has no matching row in %s(%s)", x->table,
             (long long)x->rowid, d->child_column, d->value, d->parent_table, d->parent_column);
}

int diag_fk_check(rl_db *db, const char *op)
{
    int sc = sqlite3_extended_errcode(db->h);
    violations after = {0};
    read_violations(db, &after);
    described *desc = malloc(sizeof *desc);
    int code = RL_OK;
    if (desc) {
        describe_all(db, &after, desc);
        code = report_violations(db, &after, desc, NULL, NULL, "DELETE", op, sc);
    }
    free(desc);
    free(after.v);
    return code;
}

typedef struct target_ctx {
    char table[128];
    int action;
} target_ctx;

static int find_target(void *arg, int action, const char *a, const char *b, const char *dbname,
                       const char *trigger)
{
    (void)b;
    (void)dbname;
    target_ctx *t = arg;
    if (!t->table[0] && !trigger &&
        (action == SQLITE_INSERT || action == SQLITE_UPDATE || action == SQLITE_DELETE) && a) {
        copy(t->table, sizeof t->table, a);
        t->action = action;
    }
    return SQLITE_OK;
}

int diag_statement(rl_db *db, sqlite3_stmt *stmt, const char *op)
{
    int sc = sqlite3_extended_errcode(db->h);
    target_ctx target = {{0}, 0};
    sqlite3_stmt *probe = NULL;
    sqlite3_set_authorizer(db->h, find_target, &target);
    sqlite3_prepare_v2(db->h, sqlite3_sql(stmt), -1, &probe, NULL);
    sqlite3_set_authorizer(db->h, NULL, NULL);
    sqlite3_finalize(probe);

    if (sp_begin(db, "rl_diagnose") != SQLITE_OK) return RL_OK;
    exec_sql(db, "PRAGMA defer_foreign_keys = ON");
    sqlite3_reset(stmt);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    }
    sqlite3_reset(stmt);
    violations after = {0}, before = {0};
    described *desc = calloc(1, sizeof *desc);
    if (rc == SQLITE_DONE && desc) {
        read_violations(db, &after);
        describe_all(db, &after, desc);
    }
    exec_sql(db, "ROLLBACK TO rl_diagnose");
    if (rc == SQLITE_DONE) read_violations(db, &before);
    exec_sql(db, "PRAGMA defer_foreign_keys = OFF");
    sp_release(db, "rl_diagnose");

    int code = RL_OK;
    if (rc == SQLITE_DONE && desc)
        code = report_violations(db, &after, desc, &before,
                                 target.action == SQLITE_DELETE ? "" : target.table,
                                 target.action == SQLITE_UPDATE ? "UPDATE" : "DELETE", op, sc);
    if (code == RL_OK && target.table[0]) {
        /* Refused even when deferred: a RESTRICT key on the target table (an INSERT can hit
         * one too, when OR REPLACE deletes the conflicting parent row). */
        code = diag_parent_change(db, target.table, NULL, NULL, op, target.action != SQLITE_UPDATE);
    }
    free(desc);
    free(after.v);
    free(before.v);
    return code;
}

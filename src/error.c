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
 *    its parent table; every key without a parent is named.
 *  - a parent row (delete or key change through a model): for every key in the schema that
 *    references the parent column, count the child rows holding the value; the first key
 *    whose action refuses the change (RESTRICT, NO ACTION) with a nonzero count is the
 *    culprit.
 *  - any statement (raw SQL, cascades that fail further down): run the statement again inside
 *    a savepoint with PRAGMA defer_foreign_keys on, so that NO ACTION violations are recorded
 *    instead of raised, read the violations (fkcheck.c), keep only those that were not there
 *    before (compared exactly, by row, key and value), and roll the savepoint back.  RESTRICT fires
 * even when deferred; for that, the statement's target table (found with an authorizer) names the
 * refusing keys.
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
    case RL_ECORRUPT:
        return "RL_ECORRUPT";
    case RL_EREFUSED:
        return "RL_EREFUSED";
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
    case RL_EMODEL_INDEX_DUPLICATE:
        return "RL_EMODEL_INDEX_DUPLICATE";
    case RL_EMODEL_INDEX_NAME:
        return "RL_EMODEL_INDEX_NAME";
    case RL_EMODEL_INDEX_COLUMN:
        return "RL_EMODEL_INDEX_COLUMN";
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

/* ---- the last-error record ------------------------------------------------------------------ */

static const rl_error NULL_DB_ERROR = {.code = RL_EINVAL,
                                       .message = "The connection handle is NULL.",
                                       .table = "",
                                       .column = "",
                                       .constraint = "",
                                       .item = -1,
                                       .fk = {.child_table = "",
                                              .child_column = "",
                                              .parent_table = "",
                                              .parent_column = "",
                                              .value = ""}};

const rl_error *rl_last_error(const rl_db *db)
{
    return db ? &db->err : &NULL_DB_ERROR;
}

const char *rl_errmsg(const rl_db *db)
{
    return rl_last_error(db)->message;
}

static void err_reset(rl_db *db)
{
    rli_arena_free(&db->err_strings);
    memset(&db->err, 0, sizeof db->err);
    db->err.message = "No error.";
    db->err.table = db->err.column = db->err.constraint = "";
    db->err.fk.child_table = db->err.fk.child_column = "";
    db->err.fk.parent_table = db->err.fk.parent_column = db->err.fk.value = "";
    db->err.item = -1;
}

void rli_err_clear(rl_db *db)
{
    if (db->err.code == RL_OK && !db->err_strings.head && db->err.message)
        return; /* the common, free case */
    err_reset(db);
}

const char *rli_err_str(rl_db *db, const char *s)
{
    if (!s) return "";
    size_t n = strlen(s);
    char *p = rli_arena_alloc(&db->err_strings, n + 1);
    if (!p) return "";
    memcpy(p, s, n + 1);
    return p;
}

/* Format into a fresh buffer first: the arguments may point into the old error. */
static void put_message(rl_db *db, const char *fmt, va_list ap)
{
    strbuf fresh;
    rli_sb_init(&fresh);
    va_list aq;
    va_copy(aq, ap);
    int n = vsnprintf(NULL, 0, fmt, aq);
    va_end(aq);
    if (n >= 0) {
        char *s = malloc((size_t)n + 1);
        if (s) {
            vsnprintf(s, (size_t)n + 1, fmt, ap);
            rli_sb_putn(&fresh, s, (size_t)n);
            free(s);
        }
    }
    rli_sb_free(&db->msg);
    db->msg = fresh;
    db->err.message = fresh.s ? fresh.s : "Out of memory.";
}

int rli_err_set(rl_db *db, int code, const char *fmt, ...)
{
    strbuf keep = db->msg; /* the old message may be an argument */
    rli_sb_init(&db->msg);
    arena old = db->err_strings;
    db->err_strings.head = NULL;
    err_reset(db);
    va_list ap;
    va_start(ap, fmt);
    put_message(db, fmt, ap);
    va_end(ap);
    rli_sb_free(&keep);
    rli_arena_free(&old);
    db->err.code = code;
    return code;
}

void rli_err_reword(rl_db *db, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    put_message(db, fmt, ap);
    va_end(ap);
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
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
        return RL_ECORRUPT;
    case SQLITE_AUTH:
        return RL_EREFUSED;
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
    char *t = NULL, *c;
    if (dot && (size_t)(dot - p) < end) {
        t = strndup(p, (size_t)(dot - p));
        p = dot + 1;
        end = strcspn(p, ", ");
    }
    c = strndup(p, end);
    if (t) db->err.table = rli_err_str(db, t);
    if (c) db->err.column = rli_err_str(db, c);
    free(t);
    free(c);
}

/* What followed "CHECK constraint failed: ": the constraint's name or expression. */
static const char *check_text(const char *msg)
{
    const char *p = strstr(msg, "constraint failed: ");
    return p ? p + 19 : "";
}

int rli_err_sqlite(rl_db *db, int rc, const char *op)
{
    int code = rl_code_from_sqlite(rc);
    /* After a diagnosis ran other statements, the handle's message is no longer this one. */
    const char *m = sqlite3_extended_errcode(db->h) == rc ? sqlite3_errmsg(db->h)
                    : code == RL_EFOREIGNKEY              ? "FOREIGN KEY constraint failed"
                                                          : sqlite3_errstr(rc);
    char *saved = rli_name_disp(m);
    char *opd = strdup(op ? op : "");
    rli_err_set(db, code, "%s", "");
    db->err.sqlite_code = rc;
    if (saved) parse_table_column(db, saved);
    const char *t = db->err.table, *c = db->err.column, *o = opd ? opd : "",
               *sm = saved ? saved : "";
    switch (code) {
    case RL_EUNIQUE:
        rli_err_reword(db, "%s: %s%s%s must be unique and another row already has this value (%s).",
                       o, t, *t ? "." : "", c, sm);
        break;
    case RL_ENOTNULL:
        rli_err_reword(db, "%s: %s%s%s may not be NULL (%s).", o, t, *t ? "." : "", c, sm);
        break;
    case RL_ECHECK:
        db->err.column = "";
        db->err.constraint = rli_err_str(db, check_text(sm));
        rli_err_reword(db, "%s: the row does not satisfy the CHECK constraint %s.", o,
                       db->err.constraint);
        break;
    case RL_EFOREIGNKEY:
        rli_err_reword(db,
                       "%s: a foreign key constraint failed, and no single key or row could be "
                       "identified as the cause (%s).",
                       o, sm);
        break;
    case RL_EBUSY:
        rli_err_reword(db, "%s: the database is locked by another connection (%s).", o, sm);
        break;
    case RL_ECORRUPT:
        rli_err_reword(db, "%s: the database file is damaged or is not a database (%s).", o, sm);
        break;
    default:
        rli_err_reword(db, "%s: %s.", o, sm);
        break;
    }
    free(saved);
    free(opd);
    return code;
}

/* ---- foreign-key diagnosis ---------------------------------------------------------------- */

/* Record d (strings copied into the error) as a foreign-key failure with message b. */
static int fk_fail(rl_db *db, const rl_fk_detail *d, int sqlite_code, strbuf *b)
{
    if (b->oom) {
        rli_sb_free(b);
        return rli_err_set(db, RL_ENOMEM, "Out of memory.");
    }
    rl_fk_detail copy = *d;
    rli_err_set(db, RL_EFOREIGNKEY, "%s", sb_str(b));
    rli_sb_free(b);
    db->err.fk = copy;
    db->err.fk.child_table = rli_err_str(db, copy.child_table);
    db->err.fk.child_column = rli_err_str(db, copy.child_column);
    db->err.fk.parent_table = rli_err_str(db, copy.parent_table);
    db->err.fk.parent_column = rli_err_str(db, copy.parent_column);
    db->err.fk.value = rli_err_str(db, copy.value);
    db->err.sqlite_code = sqlite_code;
    db->err.table = copy.parent_side ? db->err.fk.parent_table : db->err.fk.child_table;
    db->err.column = copy.parent_side ? db->err.fk.parent_column : db->err.fk.child_column;
    return RL_EFOREIGNKEY;
}

int rli_diag_child_row(rl_db *db, model_info *mi, const void *row, const char *op)
{
    int sc = sqlite3_extended_errcode(db->h);
    const rl_model *m = mi->model;
    strbuf msg;
    rli_sb_init(&msg);
    rl_fk_detail first = {0};
    char *firstv = NULL;
    size_t found = 0;
    for (size_t i = 0; i < m->nfields; i++) {
        const rl_field *f = &m->fields[i];
        if (!f->references || f->deferrable) continue;
        rl_value v = rli_field_value(f, row);
        if (v.type == RL_V_NULL) continue;
        model_info *parent;
        if (rli_model_lookup(db, f->references, &parent) != RL_OK) continue;
        strbuf sql;
        rli_sb_init(&sql);
        rli_sb_puts(&sql, "SELECT 1 FROM ");
        rli_sb_ident(&sql, parent->table);
        rli_sb_puts(&sql, " WHERE ");
        rli_sb_ident(&sql, parent->pk_column);
        rli_sb_puts(&sql, " = ?");
        sqlite3_stmt *st;
        int rc = sqlite3_prepare_v2(db->h, sb_str(&sql), -1, &st, NULL);
        rli_sb_free(&sql);
        if (rc != SQLITE_OK) continue;
        rli_bind_value(st, 1, &v);
        bool has_parent = sqlite3_step(st) == SQLITE_ROW;
        sqlite3_finalize(st);
        if (has_parent) continue;
        char *val = rli_value_literal(&v);
        rli_sb_puts(&msg, found ? "; " : "");
        rli_sb_printf(&msg, "%s = %s has no matching row in %s(%s)", mi->columns[i],
                      val ? val : "?", parent->table, parent->pk_column);
        if (!found) {
            first.child_table = mi->table;
            first.child_column = mi->columns[i];
            first.parent_table = parent->table;
            first.parent_column = parent->pk_column;
            firstv = val;
        } else {
            free(val);
        }
        found++;
    }
    if (!found) {
        rli_sb_free(&msg);
        return RL_OK;
    }
    first.value = firstv ? firstv : "";
    strbuf b;
    rli_sb_init(&b);
    rli_sb_printf(&b, "%s: %s.", op, sb_str(&msg));
    rli_sb_free(&msg);
    int code = fk_fail(db, &first, sc, &b);
    free(firstv);
    return code;
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
    rli_sb_init(&sql);
    rli_sb_puts(&sql, "SELECT count(*) FROM ");
    rli_sb_ident(&sql, child);
    rli_sb_puts(&sql, " WHERE ");
    rli_sb_ident(&sql, col);
    rli_sb_puts(&sql, v ? " = ?" : " IS NOT NULL");
    sqlite3_stmt *st;
    int64_t n = 0;
    if (sqlite3_prepare_v2(db->h, sb_str(&sql), -1, &st, NULL) == SQLITE_OK) {
        if (v) rli_bind_value(st, 1, v);
        if (sqlite3_step(st) == SQLITE_ROW) n = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    rli_sb_free(&sql);
    return n;
}

/* The primary-key column of table ("rowid" when it has none of its own). malloc'd. */
static char *parent_pk_column(rl_db *db, const char *table)
{
    sqlite3_stmt *st;
    char *out = NULL;
    if (sqlite3_prepare_v2(db->h, "SELECT name FROM pragma_table_info(?1) WHERE pk = 1", -1, &st,
                           NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW) out = strdup((const char *)sqlite3_column_text(st, 0));
        sqlite3_finalize(st);
    }
    return out ? out : strdup("rowid");
}

/* "pk = 3 is still referenced by 2 rows of books(author_id) (ON DELETE RESTRICT)" */
static void referenced_sentence(strbuf *b, const char *op, const rl_fk_detail *d, const char *verb)
{
    rli_sb_printf(b, "%s: ", op);
    if (d->value[0])
        rli_sb_printf(b, "%s = %s", d->parent_column, d->value);
    else
        rli_sb_printf(b, "%s(%s)", d->parent_table, d->parent_column);
    if (d->action == RL_SET_DEFAULT)
        rli_sb_printf(b,
                      " is referenced by %lld row%s of %s(%s) whose ON %s SET DEFAULT value has no "
                      "matching row in %s(%s).",
                      (long long)d->referencing, d->referencing == 1 ? "" : "s", d->child_table,
                      d->child_column, verb, d->parent_table, d->parent_column);
    else
        rli_sb_printf(b, " is still referenced by %lld row%s of %s(%s) (ON %s %s).",
                      (long long)d->referencing, d->referencing == 1 ? "" : "s", d->child_table,
                      d->child_column, verb, rl_action_name(d->action));
}

int rli_diag_parent_change(rl_db *db, const char *table, const char *column, const rl_value *value,
                           const char *op, bool is_delete)
{
    int sc = sqlite3_extended_errcode(db->h);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db->h, INBOUND_SQL, -1, &st, NULL) != SQLITE_OK) return RL_OK;
    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    char *pkcol = parent_pk_column(db, table);
    char *child = NULL, *from = NULL, *to = NULL;
    rl_fk_detail best = {0};
    while (!child && sqlite3_step(st) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(st, 2);
        if (!*t) t = pkcol ? pkcol : "rowid";
        if (column && strcasecmp(t, column) != 0) continue;
        rl_action act =
            rli_action_from_sql((const char *)sqlite3_column_text(st, is_delete ? 4 : 3));
        if (act != RL_RESTRICT && act != RL_NO_ACTION && act != RL_SET_DEFAULT) continue;
        const char *c = (const char *)sqlite3_column_text(st, 0);
        const char *f = (const char *)sqlite3_column_text(st, 1);
        int64_t n = count_refs(db, c, f, value);
        if (n == 0) continue;
        child = strdup(c);
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
    referenced_sentence(&b, op, &best, is_delete ? "DELETE" : "UPDATE");
    int code = fk_fail(db, &best, sc, &b);
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
static int report_new(rl_db *db, const fk_violations *after, const fk_violations *before,
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
        referenced_sentence(&b, op, &d, verb);
        return fk_fail(db, &d, sc, &b);
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
    return fk_fail(db, &d, sc, &b);
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

char *rli_statement_op(sqlite3 *h, const char *sql)
{
    int action;
    char *t = statement_target(h, sql, &action);
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

int rli_err_statement(rl_db *db, sqlite3_stmt *stmt, int rc, const char *op)
{
    if ((rc == SQLITE_CONSTRAINT_FOREIGNKEY || rc == SQLITE_CONSTRAINT_TRIGGER) &&
        rli_diag_statement(db, stmt, op) == RL_EFOREIGNKEY)
        return RL_EFOREIGNKEY;
    int code = rli_err_sqlite(db, rc, op);
    if (code == RL_ECHECK) {
        int action;
        char *t = statement_target(db->h, sqlite3_sql(stmt), &action);
        if (t) {
            db->err.table = rli_err_str(db, t);
            char *opd = strdup(op);
            rli_err_reword(db, "%s: the row does not satisfy the CHECK constraint %s of table %s.",
                           opd ? opd : op, db->err.constraint, db->err.table);
            free(opd);
        }
        free(t);
    }
    return code;
}

int rli_diag_fk_check(rl_db *db, const char *op)
{
    int sc = sqlite3_extended_errcode(db->h);
    fk_violations after = {0};
    rli_fkv_collect(db->h, NULL, &after, NULL);
    int code = report_new(db, &after, NULL, NULL, "DELETE", op, sc);
    rli_fkv_free(&after);
    return code;
}

int rli_diag_statement(rl_db *db, sqlite3_stmt *stmt, const char *op)
{
    int sc = sqlite3_extended_errcode(db->h);
    int action;
    char *target = statement_target(db->h, sqlite3_sql(stmt), &action);

    if (rli_sp_begin(db, "rl_diagnose") != SQLITE_OK) {
        free(target);
        return RL_OK;
    }
    rli_exec_sql(db, "PRAGMA defer_foreign_keys = ON");
    sqlite3_reset(stmt);
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
    }
    sqlite3_reset(stmt);
    fk_violations after = {0}, before = {0};
    if (rc == SQLITE_DONE) rli_fkv_collect(db->h, NULL, &after, NULL);
    rli_exec_sql(db, "ROLLBACK TO rl_diagnose");
    if (rc == SQLITE_DONE) rli_fkv_collect_like(db->h, &after, &before, NULL);
    rli_exec_sql(db, "PRAGMA defer_foreign_keys = OFF");
    rli_sp_release(db, "rl_diagnose");
    rli_fkv_sort(&before);

    int code = RL_OK;
    if (rc == SQLITE_DONE)
        code = report_new(db, &after, &before, action == SQLITE_DELETE ? "" : target,
                          action == SQLITE_UPDATE ? "UPDATE" : "DELETE", op, sc);
    if (code == RL_OK && target) {
        /* Refused even when deferred: a RESTRICT key on the target table (an INSERT can hit
         * one too, when OR REPLACE deletes the conflicting parent row). */
        code = rli_diag_parent_change(db, target, NULL, NULL, op, action != SQLITE_UPDATE);
    }
    rli_fkv_free(&after);
    rli_fkv_free(&before);
    free(target);
    return code;
}

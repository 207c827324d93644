/*
 * Insert, get, update and delete of single rows through a model.
 *
 * Each operation has one SQL statement per model, built and prepared the first time a
 * connection needs it and kept in the model's per-connection information, so the steady
 * state of rl_insert is: one pointer-hash lookup, binding the struct's members, one step.
 * That is the work a hand-written sqlite3 loop does.
 *
 * Statement text comes from the renderer (sql/render.c) and runs through the backend.  When
 * a statement fails, the failure is diagnosed (fkdiag.c and the backend's fail) before
 * anything else runs on the connection, while the offending values are still at hand.
 */
#include "db.h"
#include "error.h"
#include "fkdiag.h"
#include "model.h"
#include "stmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The tree of the model's statement for an operation (see sql/render.h). */
static rls_stmt model_tree(const model_info *mi, enum model_stmt which)
{
    uint64_t all = rls_all(mi->model->nfields), written = all & ~mi->generated;
    switch (which) {
    case MS_INSERT:
        return (rls_stmt){
            .kind = RLS_INSERT, .t = &mi->rt, .columns = written, .returning_pk = true};
    case MS_INSERT_PK:
        return (rls_stmt){.kind = RLS_INSERT, .t = &mi->rt, .columns = written, .with_pk = true};
    case MS_GET:
        return (rls_stmt){.kind = RLS_SELECT,
                          .t = &mi->rt,
                          .columns = all,
                          .with_pk = true,
                          .where = RLS_WHERE_PK};
    case MS_UPDATE:
        return (rls_stmt){
            .kind = RLS_UPDATE, .t = &mi->rt, .columns = written, .where = RLS_WHERE_PK};
    case MS_DELETE:
        return (rls_stmt){.kind = RLS_DELETE, .t = &mi->rt, .where = RLS_WHERE_PK};
    case MS_UPDATE_PK:
    default: /* MS__COUNT is a count, never an operation */
        return (rls_stmt){.kind = RLS_UPDATE, .t = &mi->rt, .with_pk = true, .where = RLS_WHERE_PK};
    }
}

/* Render tree and prepare it as a statement the model keeps. */
static int prepare_tree(rl_db *db, const model_info *mi, const rls_stmt *tree, rlb_stmt **out)
{
    strbuf b;
    rli_sb_init(&b);
    rli_render(db->be->dialect, tree, &b);
    int code = b.oom ? rli_err_set(db, RL_ENOMEM, "Out of memory.")
                     : rli_prepare_kept(db, b.s, out, mi->table);
    rli_sb_free(&b);
    return code;
}

/* The model's statement for an operation, prepared on first use. */
static int model_stmt(rl_db *db, model_info *mi, enum model_stmt which, rlb_stmt **out)
{
    if (mi->stmt[which]) {
        *out = mi->stmt[which];
        return RL_OK;
    }
    if (!mi->model->has_pk && which != MS_INSERT && mi->model->primary_key)
        return rli_err_set(db, RL_EMISUSE,
                           "Model %s is keyed by its fields (%s...), not by an integer pk: find "
                           "or delete its rows with a query on them (rl_fetch_one, "
                           "rl_delete_where); rl_update takes the row.",
                           mi->model->type_name, mi->model->primary_key[0]);
    if (!mi->model->has_pk && which != MS_INSERT)
        return rli_err_set(db, RL_EMISUSE,
                           "Model %s has no primary key: rows can be inserted and queried, not "
                           "fetched, updated or deleted by key.",
                           mi->model->type_name);
    rls_stmt tree = model_tree(mi, which);
    int code = prepare_tree(db, mi, &tree, &mi->stmt[which]);
    *out = mi->stmt[which];
    return code;
}

static int lookup(rl_db *db, const rl_model *model, model_info **mi)
{
    if (!db) return RL_EINVAL;
    rli_err_clear(db); /* the last call's error is this call's: none when it succeeds */
    return rli_model_lookup(db, model, mi);
}

/* lookup for the calls that read or fill a row: a NULL row is refused before any SQL. */
static int lookup_row(rl_db *db, const rl_model *model, const void *row, model_info **mi)
{
    int code = lookup(db, model, mi);
    if (code == RL_OK && !row)
        return rli_err_set(db, RL_EINVAL, "%s: the row pointer is NULL.", (*mi)->table);
    return code;
}

/*
 * After a failed write of row: name the broken key (child side first: a key without a
 * parent), or the violated column with its value for UNIQUE / NOT NULL.
 */
static int write_failed(rl_db *db, model_info *mi, rlb_stmt *st, const void *row, int rc,
                        const char *op)
{
    /* the engine's account first (its own words stay beside a diagnosis of the key) */
    int code = rli_word_failure(db, st, rc, op);
    if (db->be->maybe_fk(rc) && row && rli_diag_child_row(db, mi, row, op, rc) == RL_EFOREIGNKEY)
        return rli_failed(db, RL_EFOREIGNKEY);
    code = rli_failed(db, code);
    if (!row || (code != RL_EUNIQUE && code != RL_ENOTNULL)) return code;
    /* several columns: keep the engine's list */
    if (strchr(db->be->errmsg(db->conn), ',')) return code;
    int fi = rli_model_field_index(mi, db->e.err.column);
    if (fi < 0) return code;
    rl_value v = rli_field_value(&mi->model->fields[fi], row);
    char *val = rli_value_literal(&v);
    const char *col = db->e.err.column;
    if (code == RL_EUNIQUE)
        rli_err_reword(db, "%s: %s = %s already exists in %s, and %s must be unique.", op, col,
                       val ? val : "?", mi->table, col);
    else
        rli_err_reword(db, "%s: %s may not be NULL.", op, col);
    free(val);
    return code;
}

static void op_name(char *buf, size_t len, const char *verb, const model_info *mi)
{
    snprintf(buf, len, "%s %s", verb, mi->table);
}

/*
 * The INSERT (and the read-back SELECT) for a row that leaves the fields in omit to their
 * database defaults: those columns are left out of the INSERT, and read back afterwards (or
 * returned by the INSERT itself where the dialect has RETURNING: then there is no read-back).
 */
static int default_stmt(rl_db *db, model_info *mi, bool with_pk, uint64_t omit,
                        field_mask_stmt **out)
{
    for (field_mask_stmt *p = mi->default_inserts; p; p = p->next)
        if (p->mask == omit && p->with_pk == with_pk) {
            *out = p;
            return RL_OK;
        }
    uint64_t given = rls_all(mi->model->nfields) & ~omit;
    rls_stmt ins = {.kind = RLS_INSERT,
                    .t = &mi->rt,
                    .columns = given,
                    .with_pk = with_pk,
                    .returning_pk = true,
                    .returning = omit};
    rls_stmt back = {.kind = RLS_SELECT, .t = &mi->rt, .columns = omit, .where = RLS_WHERE_ROWID};
    field_mask_stmt *node = calloc(1, sizeof *node);
    int code = node ? RL_OK : rli_err_set(db, RL_ENOMEM, "Out of memory.");
    if (code == RL_OK) code = prepare_tree(db, mi, &ins, &node->stmt);
    if (code == RL_OK && !db->be->dialect->returning)
        code = prepare_tree(db, mi, &back, &node->readback);
    if (code != RL_OK) {
        if (node) {
            db->be->finalize(node->stmt);
            free(node);
        }
        return code;
    }
    node->mask = omit;
    node->with_pk = with_pk;
    node->next = mi->default_inserts;
    mi->default_inserts = node;
    *out = node;
    return RL_OK;
}

/* The fields of row that are unset (NULL) and have a database default. */
static uint64_t unset_defaults(const model_info *mi, const void *row, unsigned flags)
{
    uint64_t omit = mi->generated; /* computed by the engine: always read back */
    for (uint64_t d = mi->defaultable; d && !(flags & RL_INSERT_NULL_IS_NULL); d &= d - 1) {
        int i = __builtin_ctzll(d);
        if (rli_field_value(&mi->model->fields[i], row).type == RL_V_NULL) omit |= 1ULL << i;
    }
    for (uint64_t d = mi->values; d; d &= d - 1) { /* rl_default(): the column's default */
        int i = __builtin_ctzll(d);
        if (rli_field_value(&mi->model->fields[i], row).type == RL_V_DEFAULT) omit |= 1ULL << i;
    }
    return omit;
}

/* Read the fields in omit from st's current row, from column col on (strings malloc'd). */
static int read_omitted(rl_db *db, model_info *mi, rlb_stmt *st, int col, void *row, uint64_t omit)
{
    int code = RL_OK;
    for (size_t i = 0; i < mi->model->nfields && code == RL_OK; i++)
        if (omit & (1ULL << i))
            code = rli_field_read(db->be, &mi->model->fields[i], row, st, col++, NULL);
    return code == RL_OK ? RL_OK
                         : rli_err_set(db, code, "insert into %s: out of memory.", mi->table);
}

/* Read the defaulted fields of the row just inserted back into row (no RETURNING). */
static int read_defaults(rl_db *db, model_info *mi, field_mask_stmt *ds, void *row, uint64_t omit)
{
    rlb_stmt *st = ds->readback;
    db->be->bind_int64(st, 1, db->be->last_id(db->conn));
    int code = db->be->step(st) == RLB_ROW ? read_omitted(db, mi, st, 0, row, omit) : RL_OK;
    db->be->reset(st);
    return code;
}

/* The row an INSERT ... RETURNING gave back: the generated key (when none was given), then
 * the defaulted fields. */
static int read_returned(rl_db *db, model_info *mi, rlb_stmt *st, void *row, bool set_pk,
                         uint64_t omit)
{
    const rl_model *m = mi->model;
    if (m->has_pk && set_pk) rli_row_set_pk(m, row, db->be->column_int64(st, 0));
    return omit ? read_omitted(db, mi, st, m->has_pk ? 1 : 0, row, omit) : RL_OK;
}

/* A row was inserted with its own key: the engine's key generator must not hand it out. */
static int key_given(rl_db *db, model_info *mi, int64_t pk)
{
    int rc = db->be->key_given(db->conn, mi->table, mi->pk_column, pk);
    if (rc == RLB_OK) return RL_OK;
    char op[160];
    op_name(op, sizeof op, "insert into", mi);
    return rli_fail(db, NULL, rc, op);
}

/* Insert row as flags (RL_INSERT_*) say. */
static int insert_one(rl_db *db, model_info *mi, void *row, unsigned flags)
{
    const rl_model *m = mi->model;
    int64_t pk = m->has_pk ? rli_row_pk(m, row) : 0;
    bool own = m->has_pk && ((flags & RL_INSERT_KEY_GIVEN) || pk != 0); /* its own key written */
    uint64_t omit =
        mi->defaultable | mi->generated | mi->values ? unset_defaults(mi, row, flags) : 0;
    rlb_stmt *st = NULL;
    field_mask_stmt *ds = NULL;
    if (rli_row_fits(db, mi, row, "insert into") != RL_OK) return RL_ETYPE;
    int code = omit ? default_stmt(db, mi, own, omit, &ds)
                    : model_stmt(db, mi, own ? MS_INSERT_PK : MS_INSERT, &st);
    if (code != RL_OK) return code;
    if (ds) {
        st = ds->stmt;
        int k = 0;
        if (own) db->be->bind_int64(st, ++k, pk);
        for (size_t i = 0; i < m->nfields; i++) {
            if (omit & (1ULL << i)) continue;
            rl_value v = rli_field_value(&m->fields[i], row);
            db->be->bind(st, ++k, &v);
        }
    } else {
        if (own) db->be->bind_int64(st, 1, pk);
        rli_bind_row(db->be, st, mi, row, own ? 2 : 1);
    }
    int rc = db->be->step(st);
    if (rc == RLB_ROW) { /* RETURNING */
        code = read_returned(db, mi, st, row, !own, omit);
        db->be->reset(st);
        if (code == RL_OK && own && db->be->key_given) code = key_given(db, mi, pk);
        return code;
    }
    db->be->reset(st);
    if (rc != RLB_DONE) {
        char op[160];
        op_name(op, sizeof op, "insert into", mi);
        code = write_failed(db, mi, st, row, rc, op);
        if (db->be->clear_bindings) db->be->clear_bindings(st);
        return code;
    }
    if (m->has_pk && !own) rli_row_set_pk(m, row, db->be->last_id(db->conn));
    code = ds ? read_defaults(db, mi, ds, row, omit) : RL_OK;
    /* a key of the row's own: the generated ones move past it (as after RETURNING above) */
    if (code == RL_OK && own && db->be->key_given) code = key_given(db, mi, pk);
    return code;
}

int rl_insert(rl_db *db, const rl_model *model, void *row)
{
    model_info *mi;
    int code = lookup_row(db, model, row, &mi);
    if (code != RL_OK) return code;
    return insert_one(db, mi, row, 0);
}

int rl_insert_ex(rl_db *db, const rl_model *model, void *row, unsigned flags)
{
    model_info *mi;
    int code = lookup_row(db, model, row, &mi);
    if (code != RL_OK) return code;
    return insert_one(db, mi, row, flags);
}

int rl_insert_many(rl_db *db, const rl_model *model, void *rows, size_t n)
{
    model_info *mi;
    int code = lookup_row(db, model, rows, &mi);
    if (code != RL_OK) return code;
    const rl_model *m = mi->model;
    unsigned char *assigned = calloc(n / 8 + 1, 1);
    if (!assigned) return rli_err_set(db, RL_ENOMEM, "Out of memory.");
    int rc = rli_sp_begin(db, "rl_insert_many");
    if (rc != RLB_OK) {
        free(assigned);
        return rli_fail(db, NULL, rc, "insert many");
    }
    size_t i;
    for (i = 0; i < n; i++) {
        char *row = (char *)rows + i * m->size;
        if (m->has_pk && rli_row_pk(m, row) == 0) assigned[i / 8] |= (unsigned char)(1u << (i % 8));
        code = insert_one(db, mi, row, 0);
        if (code != RL_OK) break;
    }
    if (code == RL_OK) {
        rc = rli_sp_release(db, "rl_insert_many");
        if (rc != RLB_OK) code = rli_fail(db, NULL, rc, "insert many");
    }
    if (code != RL_OK) {
        rli_sp_rollback(db, "rl_insert_many");
        for (size_t j = 0; j <= i && j < n; j++)
            if (assigned[j / 8] & (1u << (j % 8))) rli_row_set_pk(m, (char *)rows + j * m->size, 0);
        if (i < n) {
            rli_err_reword(db, "item %zu of %zu: %s Nothing was inserted.", i, n,
                           db->e.err.message);
            db->e.err.item = (int64_t)i;
        }
    }
    free(assigned);
    return code;
}

int rl_get(rl_db *db, const rl_model *model, int64_t pk, void *out)
{
    model_info *mi;
    int code = lookup_row(db, model, out, &mi);
    if (code != RL_OK) return code;
    rlb_stmt *st = NULL;
    if ((code = model_stmt(db, mi, MS_GET, &st)) != RL_OK) return code;
    db->be->bind_int64(st, 1, pk);
    memset(out, 0, model->size);
    int rc = db->be->step(st);
    if (rc == RLB_ROW) {
        code = rli_read_row(db->be, mi, out, st, NULL);
        if (code != RL_OK) {
            rl_row_free(model, out);
            code = rli_err_set(db, code, "get from %s: out of memory.", mi->table);
        }
    } else if (rc == RLB_DONE) {
        code = rli_err_set(db, RL_ENOTFOUND, "get from %s: no row has %s = %lld.", mi->table,
                           mi->pk_column, (long long)pk);
    } else {
        code = rli_fail(db, NULL, rc, mi->table);
    }
    db->be->reset(st);
    return code;
}

static int not_found(rl_db *db, const char *op, const model_info *mi, int64_t pk)
{
    return rli_err_set(db, RL_ENOTFOUND, "%s: no row has %s = %lld.", op, mi->pk_column,
                       (long long)pk);
}

/* Run an UPDATE of row (bound, pk last at index pk_param); RL_ENOTFOUND if nothing changed. */
static int run_update(rl_db *db, model_info *mi, rlb_stmt *st, const void *row, int pk_param)
{
    int64_t pk = rli_row_pk(mi->model, row);
    db->be->bind_int64(st, pk_param, pk);
    int rc = rli_step_done(db, st);
    char op[160];
    if (rc != RLB_DONE) {
        op_name(op, sizeof op, "update", mi);
        int code = write_failed(db, mi, st, row, rc, op);
        if (db->be->clear_bindings) db->be->clear_bindings(st);
        return code;
    }
    if (db->be->changes(db->conn) == 0) {
        op_name(op, sizeof op, "update", mi);
        return not_found(db, op, mi, pk);
    }
    return RL_OK;
}

/* rl_update of a model whose key is its primary_key fields: UPDATE ... SET the other fields
 * WHERE each key field is the row's. */
static int update_by_key_fields(rl_db *db, model_info *mi, const void *row)
{
    const rl_model *m = mi->model;
    rl_set sets[RL_MAX_FIELDS];
    size_t nsets = 0;
    rl_query *q = rl_select(db, m);
    if (!q) return rli_err_set(db, RL_ENOMEM, "Out of memory.");
    for (size_t i = 0; i < m->nfields; i++) {
        bool key = false;
        for (const char *const *k = m->primary_key; *k && !key; k++)
            key = rli_model_field_index(mi, *k) == (int)i;
        rl_value v = rli_field_value(&m->fields[i], row);
        if (key)
            rl_where(q, m->fields[i].name, v.type == RL_V_NULL ? RL_IS_NULL : RL_EQ, v);
        else if (!m->fields[i].generated)
            sets[nsets++] = (rl_set){m->fields[i].name, v};
    }
    int64_t changed = 0;
    int code = nsets ? rl_update_where(q, sets, nsets, &changed) : rl_count(q, &changed);
    rl_query_free(q);
    if (code != RL_OK || changed > 0) return code;
    strbuf cols, vals; /* "(id, code) = (1, 'x')" */
    rli_sb_init(&cols);
    rli_sb_init(&vals);
    for (const char *const *k = m->primary_key; *k; k++) {
        rl_value v = rli_field_value(&m->fields[rli_model_field_index(mi, *k)], row);
        char *lit = rli_value_literal(&v);
        rli_sb_printf(&cols, "%s%s", k == m->primary_key ? "" : ", ", *k);
        rli_sb_printf(&vals, "%s%s", k == m->primary_key ? "" : ", ", lit ? lit : "?");
        free(lit);
    }
    code = rli_err_set(db, RL_ENOTFOUND, "update %s: no row has (%s) = (%s).", mi->table,
                       sb_str(&cols), sb_str(&vals));
    rli_sb_free(&cols);
    rli_sb_free(&vals);
    return code;
}

int rl_update(rl_db *db, const rl_model *model, const void *row)
{
    model_info *mi;
    int code = lookup_row(db, model, row, &mi);
    if (code != RL_OK) return code;
    rlb_stmt *st = NULL;
    if ((code = rli_row_fits(db, mi, row, "update")) != RL_OK) return code;
    if (!model->has_pk && model->primary_key) return update_by_key_fields(db, mi, row);
    if ((code = model_stmt(db, mi, MS_UPDATE, &st)) != RL_OK) return code;
    rli_bind_row(db->be, st, mi, row, 1);
    return run_update(db, mi, st, row, mi->nwritten + 1);
}

static int partial_stmt(rl_db *db, model_info *mi, uint64_t mask, rlb_stmt **out)
{
    for (field_mask_stmt *p = mi->partial_updates; p; p = p->next) {
        if (p->mask == mask) {
            *out = p->stmt;
            return RL_OK;
        }
    }
    rls_stmt tree = {.kind = RLS_UPDATE, .t = &mi->rt, .columns = mask, .where = RLS_WHERE_PK};
    field_mask_stmt *node = calloc(1, sizeof *node);
    if (!node) return rli_err_set(db, RL_ENOMEM, "Out of memory.");
    int code = prepare_tree(db, mi, &tree, &node->stmt);
    if (code != RL_OK) {
        free(node);
        return code;
    }
    node->mask = mask;
    node->next = mi->partial_updates;
    mi->partial_updates = node;
    *out = node->stmt;
    return RL_OK;
}

int rl_update_fields(rl_db *db, const rl_model *model, const void *row, const char *const *fields)
{
    model_info *mi;
    int code = lookup_row(db, model, row, &mi);
    if (code != RL_OK) return code;
    if (!model->has_pk) {
        rlb_stmt *unused;
        return model_stmt(db, mi, MS_UPDATE, &unused);
    }
    uint64_t mask = 0;
    for (const char *const *p = fields; p && *p; p++) {
        int fi = rli_model_field_index(mi, *p);
        if (fi < 0)
            return rli_err_set(db, RL_EFIELD, "update %s: model %s has no field named '%s'.",
                               mi->table, model->type_name, *p);
        mask |= 1ULL << fi;
        rl_value v = rli_field_value(&model->fields[fi], row);
        if ((code = rli_value_fits(db, mi, &model->fields[fi], &v, "update")) != RL_OK) return code;
    }
    if (!mask)
        return rli_err_set(db, RL_EINVAL, "update %s: the list of fields to write is empty.",
                           mi->table);
    rlb_stmt *st = NULL;
    if ((code = partial_stmt(db, mi, mask, &st)) != RL_OK) return code;
    int k = 0;
    for (size_t i = 0; i < model->nfields; i++) {
        if (!(mask & (1ULL << i))) continue;
        rl_value v = rli_field_value(&model->fields[i], row);
        db->be->bind(st, ++k, &v);
    }
    return run_update(db, mi, st, row, k + 1);
}

/* A parent-side failure (delete, key change): name the child rows that still refer to it. */
static int parent_failed(rl_db *db, model_info *mi, rlb_stmt *st, int rc, int64_t pk,
                         const char *op, bool is_delete)
{
    rl_value v = rl_int(pk);
    rlb_keys keys = rli_model_keys(db);
    if (db->be->maybe_fk(rc) && db->be->diag_parent(db->conn, mi->table, mi->pk_column, &v, op,
                                                    is_delete, &keys, &db->e) == RL_EFOREIGNKEY)
        return rli_failed(db, RL_EFOREIGNKEY);
    return rli_fail(db, st, rc, op);
}

int rl_delete(rl_db *db, const rl_model *model, int64_t pk)
{
    model_info *mi;
    int code = lookup(db, model, &mi);
    if (code != RL_OK) return code;
    rlb_stmt *st = NULL;
    if ((code = model_stmt(db, mi, MS_DELETE, &st)) != RL_OK) return code;
    db->be->bind_int64(st, 1, pk);
    int rc = rli_step_done(db, st);
    if (rc == RLB_DONE && db->be->changes(db->conn) > 0) return RL_OK;
    char op[160];
    op_name(op, sizeof op, "delete from", mi);
    if (rc == RLB_DONE) return not_found(db, op, mi, pk);
    return parent_failed(db, mi, st, rc, pk, op, true);
}

int rl_update_pk(rl_db *db, const rl_model *model, int64_t old_pk, int64_t new_pk)
{
    model_info *mi;
    int code = lookup(db, model, &mi);
    if (code != RL_OK) return code;
    rlb_stmt *st = NULL;
    if ((code = model_stmt(db, mi, MS_UPDATE_PK, &st)) != RL_OK) return code;
    db->be->bind_int64(st, 1, new_pk);
    db->be->bind_int64(st, 2, old_pk);
    int rc = rli_step_done(db, st);
    if (rc == RLB_DONE && db->be->changes(db->conn) > 0) return RL_OK;
    char op[200];
    snprintf(op, sizeof op, "update %s set %s = %lld", mi->table, mi->pk_column, (long long)new_pk);
    if (rc == RLB_DONE) return not_found(db, op, mi, old_pk);
    return parent_failed(db, mi, st, rc, old_pk, op, false);
}

/* The conflict target of an upsert as a bit per field (0: the primary key). */
static int conflict_mask(rl_db *db, model_info *mi, const char *const *conflict, uint64_t *mask)
{
    *mask = 0;
    for (size_t i = 0; conflict && conflict[i]; i++) {
        int fi = rli_model_field_index(mi, conflict[i]);
        if (fi < 0)
            return rli_err_set(db, RL_EFIELD, "upsert into %s: model %s has no field named '%s'.",
                               mi->table, mi->model->type_name, conflict[i]);
        *mask |= 1ULL << fi;
    }
    for (const char *const *k = mi->model->primary_key; !conflict && k && *k; k++)
        *mask |= 1ULL << rli_model_field_index(mi, *k); /* a key that is not one integer */
    if (!*mask && !mi->model->has_pk)
        return rli_err_set(db, RL_EINVAL,
                           "upsert into %s: the model has no primary key: name the unique "
                           "fields that decide a conflict.",
                           mi->table);
    return RL_OK;
}

/* rl_upsert; keyed: with the pk the row holds, 0 included. */
static int upsert(rl_db *db, const rl_model *model, void *row, const char *const *conflict,
                  bool keyed)
{
    model_info *mi;
    uint64_t mask;
    int code = lookup_row(db, model, row, &mi);
    if (code == RL_OK) code = conflict_mask(db, mi, conflict, &mask);
    if (code != RL_OK) return code;
    const rl_model *m = mi->model;
    int64_t pk = m->has_pk ? rli_row_pk(m, row) : 0;
    bool own = m->has_pk && (keyed || pk != 0);
    if ((code = rli_row_fits(db, mi, row, "insert into")) != RL_OK) return code;
    for (uint64_t d = mi->values; d; d &= d - 1) /* every column is written: no default */
        if (rli_field_value(&m->fields[__builtin_ctzll(d)], row).type == RL_V_DEFAULT)
            return rli_err_set(db, RL_EINVAL,
                               "upsert into %s: %s is rl_default(), which an upsert cannot "
                               "take: give it a value.",
                               mi->table, m->fields[__builtin_ctzll(d)].name);
    if (!mask && !own)
        return rli_err_set(db, RL_EINVAL,
                           "upsert into %s: the row has no primary key to decide a conflict "
                           "on; set it or name the unique fields.",
                           mi->table);
    rls_stmt tree = {.kind = RLS_UPSERT,
                     .t = &mi->rt,
                     .columns = rls_all(m->nfields) & ~mi->generated,
                     .with_pk = own,
                     .conflict = mask};
    strbuf b;
    rli_sb_init(&b);
    rli_render(db->be->dialect, &tree, &b);
    rlb_stmt *st = NULL;
    code = b.oom ? rli_err_set(db, RL_ENOMEM, "Out of memory.") : rli_cache_prepare(db, b.s, &st);
    rli_sb_free(&b);
    if (code != RL_OK) return code;
    if (own) db->be->bind_int64(st, 1, pk);
    rli_bind_row(db->be, st, mi, row, own ? 2 : 1);
    int rc = db->be->step(st);
    if (rc == RLB_ROW && m->has_pk) rli_row_set_pk(m, row, db->be->column_int64(st, 0));
    db->be->reset(st);
    if (rc == RLB_ROW || rc == RLB_DONE)
        return own && db->be->key_given ? key_given(db, mi, pk) : RL_OK;
    char op[160];
    op_name(op, sizeof op, "insert into", mi);
    code = write_failed(db, mi, st, row, rc, op);
    if (db->be->clear_bindings) db->be->clear_bindings(st);
    return code;
}

int rl_upsert(rl_db *db, const rl_model *model, void *row, const char *const *conflict)
{
    return upsert(db, model, row, conflict, false);
}

int rl_upsert_keyed(rl_db *db, const rl_model *model, void *row, const char *const *conflict)
{
    return upsert(db, model, row, conflict, true);
}

const char *rli_default_sql(const rl_db *db, const rl_field *f, arena *a)
{
    const char *expr = f ? f->default_sql : NULL;
    if (db->be->dialect->set_default) return "DEFAULT";
    if (!expr || !*expr) return "NULL";
    size_t n = strlen(expr);
    char *s = rli_arena_alloc(a, n + 3);
    if (s) snprintf(s, n + 3, "(%s)", expr);
    return s;
}

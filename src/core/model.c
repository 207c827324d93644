/*
 * Model descriptors: validation, name resolution and the mapping between struct members and
 * column values (read and bound through the backend).
 *
 * A model is a constant C struct that connections share: nothing is written into it.  The
 * first time a connection meets a model it validates the declaration (every rule has its own
 * error code and a message naming the model and the field), resolves the table and column
 * names, and keeps them in a hash table keyed by the model's address: found again in one hash.
 */
#include "fieldread.h"
#include "db.h"
#include "error.h"
#include "stmt.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rli_model_info_free(const rl_backend *be, model_info *mi)
{
    if (!mi) return;
    for (int i = 0; i < MS__COUNT; i++)
        be->finalize(mi->stmt[i]);
    for (int list = 0; list < 2; list++)
        for (field_mask_stmt *p = list ? mi->default_inserts : mi->partial_updates, *next; p;
             p = next) {
            next = p->next;
            be->finalize(p->stmt);
            be->finalize(p->readback);
            free(p);
        }
    if (mi->queries) rli_cache_free(be, mi->queries);
    free(mi->queries);
    be->finalize(mi->cursor_spare);
    free(mi->cursor_sql);
    free(mi->table);
    free(mi->columns);
    free(mi->kinds);
    free(mi->ref);
    rli_keys_free(mi->ckeys, mi->nckeys);
    free(mi->plan);
    free(mi->error);
    free(mi);
}

/* "BookReview" -> "book_reviews", "Address" -> "addresses", "Category" -> "categories". */
static char *derive_table(const char *type_name)
{
    strbuf b;
    rli_sb_init(&b);
    for (const char *p = type_name; *p; p++) {
        if (isupper((unsigned char)*p)) {
            if (p != type_name && !isupper((unsigned char)p[-1])) rli_sb_putn(&b, "_", 1);
            char c = (char)tolower((unsigned char)*p);
            rli_sb_putn(&b, &c, 1);
        } else {
            rli_sb_putn(&b, p, 1);
        }
    }
    size_t n = b.len;
    if (n > 1 && b.s[n - 1] == 'y' && !strchr("aeiou", b.s[n - 2])) {
        b.len--;
        rli_sb_puts(&b, "ies");
    } else if (n > 0 && (b.s[n - 1] == 's' || b.s[n - 1] == 'x')) {
        rli_sb_puts(&b, "es");
    } else {
        rli_sb_puts(&b, "s");
    }
    return rli_sb_take(&b);
}

bool rli_field_nullable(const rl_field *f)
{
    return f->nullable || f->ctype == RL_CT_MAYBE_INT || f->ctype == RL_CT_MAYBE_REAL ||
           f->ctype == RL_CT_MAYBE_BOOL;
}

static size_t ctype_size(rl_ctype c)
{
    switch (c) {
    case RL_CT_INT64:
        return sizeof(int64_t);
    case RL_CT_INT:
        return sizeof(int);
    case RL_CT_DOUBLE:
        return sizeof(double);
    case RL_CT_BOOL:
        return sizeof(bool);
    case RL_CT_TEXT:
        return sizeof(char *);
    case RL_CT_BLOB:
        return sizeof(rl_blob);
    case RL_CT_MAYBE_INT:
        return sizeof(rl_maybe_int);
    case RL_CT_MAYBE_REAL:
        return sizeof(rl_maybe_real);
    case RL_CT_MAYBE_BOOL:
        return sizeof(rl_maybe_bool);
    case RL_CT_VALUE:
        return sizeof(rl_value);
    default:
        return 0;
    }
}

rl_kind rli_field_kind(const rl_field *f)
{
    if (f->kind != RL_KIND_AUTO) return f->kind;
    switch (f->ctype) {
    case RL_CT_INT64:
    case RL_CT_INT:
    case RL_CT_MAYBE_INT:
        return RL_KIND_INTEGER;
    case RL_CT_DOUBLE:
    case RL_CT_MAYBE_REAL:
        return RL_KIND_REAL;
    case RL_CT_BOOL:
    case RL_CT_MAYBE_BOOL:
        return RL_KIND_BOOLEAN;
    case RL_CT_TEXT:
        return RL_KIND_TEXT;
    case RL_CT_BLOB:
        return RL_KIND_BLOB;
    default:
        return RL_KIND_AUTO;
    }
}

static bool kind_accepts(rl_kind k, rl_ctype c)
{
    if (c == RL_CT_VALUE) return k != RL_KIND_AUTO && k <= RL_KIND_DATE; /* any kind */
    switch (k) {
    case RL_KIND_JSON:
    case RL_KIND_NUMERIC:
    case RL_KIND_ARRAY:
    case RL_KIND_TIMESTAMP:
    case RL_KIND_DATE:
        return c == RL_CT_TEXT; /* their text */
    case RL_KIND_INTEGER:
        return c == RL_CT_INT64 || c == RL_CT_INT || c == RL_CT_MAYBE_INT;
    case RL_KIND_REAL:
        return c == RL_CT_DOUBLE || c == RL_CT_MAYBE_REAL;
    case RL_KIND_TEXT:
        return c == RL_CT_TEXT;
    case RL_KIND_BLOB:
        return c == RL_CT_BLOB;
    case RL_KIND_BOOLEAN:
        return c == RL_CT_BOOL || c == RL_CT_MAYBE_BOOL;
    default:
        return false;
    }
}

static int invalid(model_info *mi, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int invalid(model_info *mi, int code, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    mi->status = code;
    free(mi->error);
    mi->error = strdup(buf);
    return code;
}

/* One rule after another, each with its own code and sentence: kept in one function so the
 * rules read in the order they are checked (over 60 lines for that reason). */
/* Whether s may name a table or column of a model.  Names a model declares follow the
 * identifier rules (a typo is caught before any SQL); names read from the database by
 * rl_models_load are taken as they are (every name is quoted in SQL), except those of the
 * rowid, which a column so named would hide. */
static bool name_ok(const rl_db *db, const char *s)
{
    if (!db->names_from_db) return rli_valid_ident(s);
    return s && *s && strcasecmp(s, "rowid") != 0 && strcasecmp(s, "_rowid_") != 0 &&
           strcasecmp(s, "oid") != 0;
}

static int validate_field(rl_db *db, model_info *mi, size_t i)
{
    const rl_model *m = mi->model;
    const rl_field *f = &m->fields[i];
    const char *tn = m->type_name;
    if (!f->name) return invalid(mi, RL_EMODEL, "Model %s: field %zu has no name.", tn, i);
    if (f->ctype == RL_CT_INVALID || f->size != ctype_size(f->ctype))
        return invalid(mi, RL_EMODEL,
                       "Model %s, field %s: the C member's type cannot be mapped; use int64_t, "
                       "int, double, bool, char *, rl_blob or rl_maybe_int/real/bool.",
                       tn, f->name);
    if (f->kind != RL_KIND_AUTO && !kind_accepts(f->kind, f->ctype))
        return invalid(mi, RL_EMODEL,
                       "Model %s, field %s: the C member's type does not match the declared "
                       "column kind.",
                       tn, f->name);
    if (f->nullable && (f->ctype == RL_CT_INT64 || f->ctype == RL_CT_INT ||
                        f->ctype == RL_CT_DOUBLE || f->ctype == RL_CT_BOOL))
        return invalid(mi, RL_EMODEL,
                       "Model %s, field %s: a nullable number needs an rl_maybe_int / "
                       "rl_maybe_real / rl_maybe_bool member so NULL stays distinct from 0.",
                       tn, f->name);
    const char *col = mi->columns[i];
    if (!name_ok(db, col))
        return invalid(mi, RL_EMODEL_IDENT,
                       "Model %s, field %s: '%s' is not a valid column name (letters, digits "
                       "and _, not starting with a digit, at most 63 characters).",
                       tn, f->name, col);
    if (strcasecmp(col, mi->pk_column) == 0 && m->has_pk)
        return invalid(mi, RL_EMODEL_DUPLICATE,
                       "Model %s, field %s: column '%s' is already the primary key.", tn, f->name,
                       col);
    for (size_t j = 0; j < i; j++)
        if (strcasecmp(col, mi->columns[j]) == 0)
            return invalid(mi, RL_EMODEL_DUPLICATE,
                           "Model %s: fields %s and %s both map to column '%s'.", tn,
                           m->fields[j].name, f->name, col);
    if (!f->references) {
        if (f->on_delete || f->on_update || f->deferrable)
            return invalid(mi, RL_EMODEL,
                           "Model %s, field %s: on_delete/on_update/deferrable need a "
                           "foreign key (.references).",
                           tn, f->name);
        return RL_OK;
    }
    const rl_model *t = f->references;
    char why[400];
    int code, rc = rli_key_target(m, f, &code, why, sizeof why);
    if (rc != RL_OK) return invalid(mi, rc, "%s", why);
    mi->ref[i] = (short)code;
    bool nullable = rli_field_nullable(f);
    if ((f->on_delete == RL_SET_NULL || f->on_update == RL_SET_NULL) && !nullable)
        return invalid(mi, RL_EMODEL_SET_NULL,
                       "Model %s, field %s: ON %s SET NULL needs a nullable key; declare the "
                       "member rl_maybe_int.",
                       tn, f->name, f->on_delete == RL_SET_NULL ? "DELETE" : "UPDATE");
    if ((f->on_delete == RL_SET_DEFAULT || f->on_update == RL_SET_DEFAULT) && !f->default_sql)
        return invalid(mi, RL_EMODEL_SET_DEFAULT,
                       "Model %s, field %s: ON %s SET DEFAULT needs a default (.default_sql).", tn,
                       f->name, f->on_delete == RL_SET_DEFAULT ? "DELETE" : "UPDATE");
    if (t != m) {
        model_info *ti;
        int rc = rli_model_lookup(db, t, &ti);
        if (rc != RL_OK && rc != RL_EMISUSE)
            return invalid(mi, rc, "Model %s, field %s references model %s, which is invalid: %s",
                           tn, f->name, t->type_name, ti ? ti->error : "");
    }
    return RL_OK;
}

static int validate_indexes(model_info *mi)
{
    const rl_model *m = mi->model;
    const char *tn = m->type_name;
    for (size_t i = 0; i < m->nindexes; i++) {
        const rl_index *ix = &m->indexes[i];
        const char *label = ix->name ? ix->name : "(unnamed)";
        if (ix->name && !rli_valid_ident(ix->name))
            return invalid(mi, RL_EMODEL_IDENT, "Model %s: '%s' is not a valid index name.", tn,
                           ix->name);
        if (ix->name && strcasecmp(ix->name, mi->table) == 0)
            return invalid(mi, RL_EMODEL_INDEX_NAME,
                           "Model %s: index '%s' has the name of its table; an index and a table "
                           "cannot share a name.",
                           tn, ix->name);
        for (size_t j = 0; ix->name && j < i; j++)
            if (m->indexes[j].name && strcasecmp(m->indexes[j].name, ix->name) == 0)
                return invalid(mi, RL_EMODEL_INDEX_DUPLICATE,
                               "Model %s: two indexes are named '%s'.", tn, ix->name);
        if (!ix->fields || !ix->fields[0])
            return invalid(mi, RL_EMODEL, "Model %s: index %zu names no field.", tn, i);
        size_t nf = 0;
        for (const char *const *p = ix->fields; *p; p++, nf++) {
            if (nf >= RL_MAX_FIELDS + 1)
                return invalid(mi, RL_EMODEL, "Model %s: index %s lists too many fields.", tn,
                               label);
            int fi = rli_model_field_index(mi, *p);
            if (fi < 0 && strcasecmp(*p, mi->pk_column) != 0 && strcmp(*p, "pk") != 0)
                return invalid(mi, RL_EMODEL_UNKNOWN,
                               "Model %s: index %s names field '%s', which the model does not "
                               "have.",
                               tn, label, *p);
            const char *col = fi >= 0 ? mi->columns[fi] : mi->pk_column;
            for (const char *const *q = ix->fields; q < p; q++) {
                int fj = rli_model_field_index(mi, *q);
                const char *other = fj >= 0 ? mi->columns[fj] : mi->pk_column;
                if (strcasecmp(other, col) == 0)
                    return invalid(mi, RL_EMODEL_INDEX_COLUMN,
                                   "Model %s: index %s lists column '%s' twice.", tn, label, col);
            }
        }
    }
    return RL_OK;
}

static int validate(rl_db *db, model_info *mi)
{
    const rl_model *m = mi->model;
    if (!m->type_name || !name_ok(db, m->type_name))
        return invalid(mi, RL_EMODEL_IDENT, "A model has no valid type name.");
    mi->table = m->table ? strdup(m->table) : derive_table(m->type_name);
    mi->pk_column = m->pk_column ? m->pk_column : "pk";
    mi->columns = calloc(m->nfields ? m->nfields : 1, sizeof *mi->columns);
    mi->kinds = calloc(m->nfields ? m->nfields : 1, 1);
    mi->ref = calloc(m->nfields ? m->nfields : 1, sizeof *mi->ref);
    if (!mi->table || !mi->columns || !mi->kinds || !mi->ref)
        return invalid(mi, RL_ENOMEM, "Out of memory.");
    for (size_t i = 0; i < m->nfields; i++) {
        mi->ref[i] = -1;
        mi->columns[i] = m->fields[i].column ? m->fields[i].column : m->fields[i].name;
        rl_kind k = rli_field_kind(&m->fields[i]);
        mi->kinds[i] = (unsigned)k < RLS_KINDS ? (unsigned char)k : 0;
    }
    mi->rt = (rls_table){
        mi->table, m->has_pk ? mi->pk_column : NULL, mi->columns, m->nfields, mi->kinds, NULL};
    mi->pk_word_free = m->has_pk && rli_model_field_index(mi, "pk") < 0;
    if (!name_ok(db, mi->table))
        return invalid(mi, RL_EMODEL_IDENT, "Model %s: '%s' is not a valid table name.",
                       m->type_name, mi->table);
    if (m->has_pk && m->pk_ctype != RL_CT_INT64)
        return invalid(mi, RL_EMODEL, "Model %s: the primary key member must be an int64_t.",
                       m->type_name);
    if (m->has_pk && !name_ok(db, mi->pk_column))
        return invalid(mi, RL_EMODEL_IDENT, "Model %s: '%s' is not a valid column name.",
                       m->type_name, mi->pk_column);
    if (m->nfields > 0 && !m->fields)
        return invalid(mi, RL_EMODEL, "Model %s: nfields is %zu but fields is NULL.", m->type_name,
                       m->nfields);
    if (!m->has_pk && m->nfields == 0)
        return invalid(mi, RL_EMODEL, "Model %s has neither a primary key nor fields.",
                       m->type_name);
    char why[300];
    int pk_rc = rli_primary_key_check(m, why, sizeof why);
    if (pk_rc != RL_OK) return invalid(mi, pk_rc, "%s", why);
    if (m->nfields > RL_MAX_FIELDS)
        return invalid(mi, RL_EMODEL, "Model %s: at most %d fields are supported (RL_MAX_FIELDS).",
                       m->type_name, RL_MAX_FIELDS);
    for (size_t i = 0; i < m->nfields; i++) {
        int rc = validate_field(db, mi, i);
        if (rc != RL_OK) return rc;
        const rl_field *f = &m->fields[i];
        bool unsettable = f->ctype == RL_CT_TEXT || f->ctype == RL_CT_BLOB ||
                          f->ctype == RL_CT_MAYBE_INT || f->ctype == RL_CT_MAYBE_REAL ||
                          f->ctype == RL_CT_MAYBE_BOOL || f->ctype == RL_CT_VALUE;
        if (f->default_sql && unsettable) mi->defaultable |= 1ULL << i;
        if (f->generated) mi->generated |= 1ULL << i;
        if (f->ctype == RL_CT_VALUE) mi->values |= 1ULL << i;
    }
    mi->nwritten = (int)m->nfields - __builtin_popcountll(mi->generated);
    int rc = validate_indexes(mi);
    if (rc == RL_OK && (rc = rli_keys_resolve(mi, &mi->ckeys, why, sizeof why)) != RL_OK)
        return invalid(mi, rc, "%s", why);
    mi->nckeys = m->nkeys;
    for (size_t i = 0; rc == RL_OK && i < mi->nckeys; i++) { /* a key's target is valid too */
        model_info *ti = NULL;
        int trc = mi->ckeys[i].target == m ? RL_OK : rli_model_lookup(db, mi->ckeys[i].target, &ti);
        if (trc != RL_OK && trc != RL_EMISUSE)
            return invalid(mi, trc, "Model %s: key %s references model %s, which is invalid: %s",
                           m->type_name, mi->ckeys[i].name, mi->ckeys[i].target->type_name,
                           ti ? ti->error : "");
    }
    if (rc != RL_OK) return rc;
    mi->plan = calloc(m->nfields ? m->nfields : 1, sizeof *mi->plan);
    if (!mi->plan) return invalid(mi, RL_ENOMEM, "Out of memory.");
    for (size_t i = 0; i < m->nfields; i++)
        mi->plan[i] = (read_step){(uint32_t)m->fields[i].offset, (uint8_t)m->fields[i].ctype,
                                  (uint8_t)rli_field_kind(&m->fields[i])};
    return RL_OK;
}

static size_t ptr_hash(const void *p, size_t cap)
{
    uint64_t x = (uint64_t)(uintptr_t)p;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return (size_t)x & (cap - 1);
}

static int models_grow(rl_db *db)
{
    size_t ncap = db->models_cap ? db->models_cap * 2 : 16;
    model_info **slots = calloc(ncap, sizeof *slots);
    if (!slots) return RL_ENOMEM;
    for (size_t i = 0; i < db->models_cap; i++) {
        model_info *mi = db->models[i];
        if (!mi) continue;
        size_t j = ptr_hash(mi->model, ncap);
        while (slots[j])
            j = (j + 1) & (ncap - 1);
        slots[j] = mi;
    }
    free(db->models);
    db->models = slots;
    db->models_cap = ncap;
    return RL_OK;
}

int rli_model_lookup(rl_db *db, const rl_model *m, model_info **out)
{
    model_info *last = db->last_model; /* calls in a loop use one model */
    if (last && last->model == m && last->status == RL_OK && !last->validating) {
        *out = last;
        return RL_OK;
    }
    *out = NULL;
    if (!m) return rli_err_set(db, RL_EINVAL, "The model is NULL.");
    if (db->models_cap) {
        for (size_t i = ptr_hash(m, db->models_cap);; i = (i + 1) & (db->models_cap - 1)) {
            model_info *mi = db->models[i];
            if (!mi) break;
            if (mi->model == m) {
                *out = mi;
                if (mi->validating) return RL_EMISUSE; /* a reference cycle being validated */
                if (mi->status != RL_OK) return rli_err_set(db, mi->status, "%s", mi->error);
                db->last_model = mi;
                return RL_OK;
            }
        }
    }
    if ((db->models_used + 1) * 2 > db->models_cap && models_grow(db) != RL_OK)
        return rli_err_set(db, RL_ENOMEM, "Out of memory.");
    model_info *mi = calloc(1, sizeof *mi);
    if (!mi) return rli_err_set(db, RL_ENOMEM, "Out of memory.");
    mi->model = m;
    size_t j = ptr_hash(m, db->models_cap);
    while (db->models[j])
        j = (j + 1) & (db->models_cap - 1);
    db->models[j] = mi;
    db->models_used++;
    mi->validating = true;
    validate(db, mi);
    mi->validating = false;
    *out = mi;
    if (mi->status != RL_OK) return rli_err_set(db, mi->status, "%s", mi->error);
    return RL_OK;
}

void rli_model_forget(rl_db *db, const rl_model *m)
{
    for (size_t i = 0; m && i < db->models_cap; i++) {
        model_info *mi = db->models[i];
        if (!mi || mi->model != m) continue;
        /* the slot keeps a retired entry (no model, not valid): probes pass over it */
        model_info *retired = calloc(1, sizeof *retired);
        if (!retired) return; /* then the entry stays: it is freed at rl_close */
        retired->status = RL_EINVAL;
        if (db->last_model == mi) db->last_model = NULL;
        rli_model_info_free(db->be, mi);
        db->models[i] = retired;
        return;
    }
}

int rl_model_validate(rl_db *db, const rl_model *model)
{
    model_info *mi;
    if (!db || !model) return RL_EINVAL;
    rli_err_clear(db);
    return rli_model_lookup(db, model, &mi);
}

const char *rl_model_table(rl_db *db, const rl_model *model)
{
    model_info *mi;
    if (!db || !model) return NULL;
    if (rli_model_lookup(db, model, &mi) != RL_OK) return NULL;
    return mi->table;
}

int rli_model_field_index(const model_info *mi, const char *name)
{
    const rl_model *m = mi->model;
    for (size_t i = 0; i < m->nfields; i++)
        if (strcmp(m->fields[i].name, name) == 0) return (int)i;
    for (size_t i = 0; i < m->nfields; i++)
        if (strcasecmp(mi->columns[i], name) == 0) return (int)i;
    return -1;
}

/* ---- struct members <-> values ------------------------------------------------------------ */

rl_value rli_field_value(const rl_field *f, const void *row)
{
    const char *p = (const char *)row + f->offset;
    switch (f->ctype) {
    case RL_CT_INT64:
        return rl_int(*(const int64_t *)p);
    case RL_CT_INT:
        return rl_int(*(const int *)p);
    case RL_CT_DOUBLE:
        return rl_real(*(const double *)p);
    case RL_CT_BOOL:
        return rl_int(*(const bool *)p);
    case RL_CT_TEXT:
        return rl_text(*(const char *const *)p);
    case RL_CT_BLOB: {
        const rl_blob *b = (const rl_blob *)p;
        return rl_blob_value(b->data, b->len);
    }
    case RL_CT_MAYBE_INT: {
        const rl_maybe_int *v = (const rl_maybe_int *)p;
        return v->present ? rl_int(v->value) : rl_null();
    }
    case RL_CT_MAYBE_REAL: {
        const rl_maybe_real *v = (const rl_maybe_real *)p;
        return v->present ? rl_real(v->value) : rl_null();
    }
    case RL_CT_MAYBE_BOOL: {
        const rl_maybe_bool *v = (const rl_maybe_bool *)p;
        return v->present ? rl_int(v->value) : rl_null();
    }
    case RL_CT_VALUE: {
        rl_value v;
        memcpy(&v, p, sizeof v);
        return v;
    }
    default:
        return rl_null();
    }
}

void *rli_copy_bytes(arena *a, const void *src, size_t n)
{
    char *dst = a ? rli_arena_alloc(a, n + 1) : malloc(n + 1);
    if (!dst) return NULL;
    if (n) memcpy(dst, src, n);
    dst[n] = '\0';
    return dst;
}

rli_column_ops rli_ops_of(const rl_backend *be)
{
    return (rli_column_ops){be->column_null, be->column_int64, be->column_double,
                            be->column_text, be->column_blob,  be->column_type};
}

void rl_row_free(const rl_model *m, void *row)
{
    if (!m || !row) return;
    for (size_t i = 0; i < m->nfields; i++) {
        const rl_field *f = &m->fields[i];
        char *p = (char *)row + f->offset;
        if (f->ctype == RL_CT_TEXT) {
            char *s;
            memcpy(&s, p, sizeof s);
            free(s);
            s = NULL;
            memcpy(p, &s, sizeof s);
        } else if (f->ctype == RL_CT_BLOB) {
            rl_blob *b = (rl_blob *)p;
            free((void *)b->data);
            b->data = NULL;
            b->len = 0;
        } else if (f->ctype == RL_CT_VALUE) {
            rl_value *v = (rl_value *)p;
            if (v->type == RL_V_TEXT) free((char *)v->u.s);
            if (v->type == RL_V_BLOB) free((void *)v->u.b.data);
            *v = rl_null();
        }
    }
}

int rli_bind_row(const rl_backend *be, rlb_stmt *st, const model_info *mi, const void *row,
                 int first)
{
    const rl_model *m = mi->model;
    for (size_t i = 0; i < m->nfields; i++) {
        if (mi->generated & (1ULL << i)) continue; /* never written */
        rl_value v = rli_field_value(&m->fields[i], row);
        int rc = be->bind(st, first++, &v);
        if (rc != RLB_OK) return rc;
    }
    return RLB_OK;
}

int rli_field_read(const rl_backend *be, const rl_field *f, void *row, rlb_stmt *st, int col,
                   arena *a)
{
    rli_column_ops ops = rli_ops_of(be);
    read_step step = {(uint32_t)f->offset, (uint8_t)f->ctype, (uint8_t)rli_field_kind(f)};
    return rli_field_read_ops(&ops, step, row, st, col, a, false);
}

int rli_read_row(const rl_backend *be, const model_info *mi, void *row, rlb_stmt *st, arena *a)
{
    return rli_read_row_at(be, mi, row, st, 0, a);
}

int rli_read_row_at(const rl_backend *be, const model_info *mi, void *row, rlb_stmt *st, int col,
                    arena *a)
{
    if (be->read_row) return be->read_row(st, mi, row, col, a);
    rli_column_ops ops = rli_ops_of(be);
    return rli_read_row_ops(&ops, mi, row, st, col, a, false);
}

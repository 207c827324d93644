/*
 * Keys of every shape: which column of its target a model's key references (the target's
 * pk member, or one of its fields that is unique: a text code, a UNIQUE column, the one field
 * of a primary_key), and which of a model's fields are unique on their own (a key through
 * one of them is to-one from the parent's side).  Read from the declarations only, so that
 * validation can ask it of a model that is still being validated (a cycle of keys).
 */
#include "model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The index of m's field called name (member or column name), or -1. */
static int field_named(const rl_model *m, const char *name)
{
    for (size_t i = 0; name && i < m->nfields; i++) {
        const rl_field *f = &m->fields[i];
        if ((f->name && strcmp(f->name, name) == 0) || (f->column && strcmp(f->column, name) == 0))
            return (int)i;
    }
    return -1;
}

/* The number of names in a NULL-terminated list (NULL: 0). */
static size_t count_names(const char *const *names)
{
    size_t n = 0;
    while (names && names[n])
        n++;
    return n;
}

bool rli_field_unique(const rl_model *m, int fi)
{
    if (fi < 0 || (size_t)fi >= m->nfields) return false;
    if (m->fields[fi].unique) return true;
    if (count_names(m->primary_key) == 1 && field_named(m, m->primary_key[0]) == fi) return true;
    for (size_t i = 0; i < m->nindexes; i++) {
        const rl_index *ix = &m->indexes[i];
        if (ix->unique && count_names(ix->fields) == 1 && field_named(m, ix->fields[0]) == fi)
            return true;
    }
    return false;
}

int rli_key_target(const rl_model *m, const rl_field *f, int *code, char *why, size_t len)
{
    const rl_model *t = f->references;
    const char *tn = t->type_name ? t->type_name : "(unnamed)";
    *code = RLS_PK;
    if (f->references_field) {
        int fi = field_named(t, f->references_field);
        if (fi < 0 && t->has_pk &&
            (strcmp(f->references_field, "pk") == 0 ||
             (t->pk_column && strcmp(f->references_field, t->pk_column) == 0)))
            return RL_OK;
        if (fi < 0) {
            snprintf(why, len, "Model %s, field %s: the target model %s has no field %s.",
                     m->type_name, f->name, tn, f->references_field);
            return RL_EMODEL;
        }
        if (!rli_field_unique(t, fi)) {
            snprintf(why, len,
                     "Model %s, field %s: field %s of %s is not unique, so a key cannot "
                     "reference it (declare it .unique, or its model's primary_key).",
                     m->type_name, f->name, f->references_field, tn);
            return RL_EMODEL;
        }
        *code = fi;
    } else if (!t->has_pk) {
        *code = count_names(t->primary_key) == 1 ? field_named(t, t->primary_key[0]) : -1;
        if (*code < 0) {
            snprintf(why, len,
                     "Model %s, field %s: the target model %s has no primary key of one field, "
                     "so nothing can reference it without naming a unique field "
                     "(.references_field).",
                     m->type_name, f->name, tn);
            return RL_EMODEL_NO_PK;
        }
    }
    if (*code == RLS_PK) {
        bool value_key = f->ctype == RL_CT_VALUE && f->kind == RL_KIND_INTEGER;
        if (f->ctype != RL_CT_INT64 && f->ctype != RL_CT_MAYBE_INT && !value_key) {
            snprintf(why, len,
                     "Model %s, field %s: a foreign key member is int64_t, or rl_maybe_int when "
                     "nullable.",
                     m->type_name, f->name);
            return RL_EMODEL;
        }
        return RL_OK;
    }
    rl_kind mine = rli_field_kind(f), theirs = rli_field_kind(&t->fields[*code]);
    bool numbers = (mine == RL_KIND_INTEGER || mine == RL_KIND_NUMERIC) &&
                   (theirs == RL_KIND_INTEGER || theirs == RL_KIND_NUMERIC);
    if (mine != theirs && !numbers) {
        snprintf(why, len,
                 "Model %s, field %s: the key's kind is not the kind of %s.%s, which it "
                 "references.",
                 m->type_name, f->name, tn, t->fields[*code].name);
        return RL_EMODEL;
    }
    return RL_OK;
}

int rli_primary_key_check(const rl_model *m, char *why, size_t len)
{
    size_t n = count_names(m->primary_key);
    if (!m->primary_key) return RL_OK;
    if (m->has_pk || n == 0) {
        snprintf(why, len,
                 m->has_pk ? "Model %s: a model with a pk member cannot also list primary_key."
                           : "Model %s: primary_key lists no field.",
                 m->type_name);
        return RL_EMODEL;
    }
    for (size_t i = 0; i < n; i++) {
        int fi = field_named(m, m->primary_key[i]);
        if (fi < 0) {
            snprintf(why, len, "Model %s: primary_key names %s, which is not a field.",
                     m->type_name, m->primary_key[i]);
            return RL_EMODEL;
        }
        for (size_t j = 0; j < i; j++)
            if (field_named(m, m->primary_key[j]) == fi) {
                snprintf(why, len, "Model %s: primary_key lists %s twice.", m->type_name,
                         m->primary_key[i]);
                return RL_EMODEL;
            }
    }
    return RL_OK;
}

/* Whether the n fields at fis (indexes of m's fields) are, as a set, the fields of the
 * NULL-terminated list names. */
static bool same_fields(const rl_model *m, const short *fis, int n, const char *const *names)
{
    if ((int)count_names(names) != n) return false;
    for (int i = 0; i < n; i++) {
        bool found = false;
        for (int j = 0; j < n && !found; j++)
            found = field_named(m, names[j]) == fis[i];
        if (!found) return false;
    }
    return true;
}

/* Whether the fields at fis are unique together in m: its primary key, a unique index of
 * exactly them, or one field unique on its own. */
static bool fields_unique(const rl_model *m, const short *fis, int n)
{
    if (n == 1 && rli_field_unique(m, fis[0])) return true;
    if (!m->has_pk && same_fields(m, fis, n, m->primary_key)) return true;
    for (size_t i = 0; i < m->nindexes; i++)
        if (m->indexes[i].unique && same_fields(m, fis, n, m->indexes[i].fields)) return true;
    return false;
}

/* Resolve rl_key k of m into *out. */
static int key_resolve(const rl_model *m, const rl_key *k, size_t idx, rli_key *out, char *why,
                       size_t len)
{
    const char *tn = m->type_name;
    size_t n = count_names(k->fields);
    if (n == 0 || n > RL_MAX_KEY_FIELDS) {
        snprintf(why, len, "Model %s: key %zu lists %s fields (1 to %d).", tn, idx,
                 n ? "too many" : "no", RL_MAX_KEY_FIELDS);
        return RL_EMODEL;
    }
    if (!k->references) {
        snprintf(why, len, "Model %s: key %zu references no model (.references).", tn, idx);
        return RL_EMODEL;
    }
    const rl_model *t = k->references;
    const char *ttn = t->type_name ? t->type_name : "(unnamed)";
    const char *const *to = k->references_fields ? k->references_fields : t->primary_key;
    if (count_names(to) != n) {
        snprintf(why, len,
                 "Model %s: key %zu has %zu fields but references %zu of %s (.references_fields, "
                 "or the target's primary_key).",
                 tn, idx, n, count_names(to), ttn);
        return RL_EMODEL;
    }
    *out = (rli_key){.n = (int)n, .target = t, .name = k->name};
    if (!k->name) { /* named by its fields: "a,b" */
        size_t sz = 1;
        for (size_t i = 0; i < n; i++)
            sz += strlen(k->fields[i]) + 1;
        char *nm = malloc(sz);
        if (!nm) {
            snprintf(why, len, "Out of memory.");
            return RL_ENOMEM;
        }
        nm[0] = '\0';
        for (size_t i = 0; i < n; i++) {
            if (i) strcat(nm, ",");
            strcat(nm, k->fields[i]);
        }
        out->name = nm;
        out->owns_name = true;
    }
    for (size_t i = 0; i < n; i++) {
        int c = field_named(m, k->fields[i]), p = field_named(t, to[i]);
        if (c < 0 || p < 0) {
            snprintf(why, len, "Model %s: key %zu names %s, which is not a field of %s.", tn, idx,
                     c < 0 ? k->fields[i] : to[i], c < 0 ? tn : ttn);
            return RL_EMODEL_UNKNOWN;
        }
        for (size_t j = 0; j < i; j++)
            if (out->child[j] == c) {
                snprintf(why, len, "Model %s: key %zu lists %s twice.", tn, idx, k->fields[i]);
                return RL_EMODEL;
            }
        rl_kind mine = rli_field_kind(&m->fields[c]), theirs = rli_field_kind(&t->fields[p]);
        bool numbers = (mine == RL_KIND_INTEGER || mine == RL_KIND_NUMERIC) &&
                       (theirs == RL_KIND_INTEGER || theirs == RL_KIND_NUMERIC);
        if (mine != theirs && !numbers) {
            snprintf(why, len, "Model %s: key %zu: the kind of %s is not the kind of %s.%s.", tn,
                     idx, k->fields[i], ttn, to[i]);
            return RL_EMODEL;
        }
        out->child[i] = (short)c;
        out->parent[i] = (short)p;
    }
    if (!fields_unique(t, out->parent, out->n)) {
        snprintf(why, len,
                 "Model %s: key %zu references fields of %s that are not unique together (its "
                 "primary_key, or a unique rl_index of exactly them).",
                 tn, idx, ttn);
        return RL_EMODEL;
    }
    if ((k->on_delete == RL_SET_NULL || k->on_update == RL_SET_NULL))
        for (size_t i = 0; i < n; i++)
            if (!rli_field_nullable(&m->fields[out->child[i]])) {
                snprintf(why, len, "Model %s: key %zu: SET NULL needs every field nullable (%s).",
                         tn, idx, k->fields[i]);
                return RL_EMODEL_SET_NULL;
            }
    return RL_OK;
}

int rli_keys_resolve(const model_info *mi, rli_key **out, char *why, size_t len)
{
    const rl_model *m = mi->model;
    *out = NULL;
    if (!m->nkeys) return RL_OK;
    if (!m->keys) {
        snprintf(why, len, "Model %s: nkeys is %zu but keys is NULL.", m->type_name, m->nkeys);
        return RL_EMODEL;
    }
    rli_key *ks = calloc(m->nkeys, sizeof *ks);
    if (!ks) {
        snprintf(why, len, "Out of memory.");
        return RL_ENOMEM;
    }
    for (size_t i = 0; i < m->nkeys; i++) {
        int rc = key_resolve(m, &m->keys[i], i, &ks[i], why, len);
        if (rc != RL_OK) {
            rli_keys_free(ks, i + 1);
            return rc;
        }
    }
    *out = ks;
    return RL_OK;
}

void rli_keys_free(rli_key *ks, size_t n)
{
    for (size_t i = 0; ks && i < n; i++)
        if (ks[i].owns_name) free((char *)ks[i].name);
    free(ks);
}

void rli_key_of(const model_info *mi, int ki, rli_key *out)
{
    if (ki >= RLI_CKEY) {
        *out = mi->ckeys[ki - RLI_CKEY];
        return;
    }
    const rl_field *f = &mi->model->fields[ki];
    *out = (rli_key){.n = 1, .target = f->references, .name = f->name};
    out->child[0] = (short)ki;
    out->parent[0] = mi->ref[ki];
}

/* Whether models a and b are of one table (a declared model and a runtime one may be). */
static bool same_table(rl_db *db, const rl_model *a, const rl_model *b)
{
    model_info *x, *y;
    if (a == b) return true;
    if (!a || !b || rli_model_lookup(db, a, &x) != RL_OK) return false;
    const char *ta = x->table; /* y's lookup may grow the table of models, not move x */
    return rli_model_lookup(db, b, &y) == RL_OK && strcmp(ta, y->table) == 0;
}

bool rli_key_toward(rl_db *db, const model_info *parent, rli_key *k)
{
    if (!k->target) return false;
    if (same_table(db, k->target, parent->model)) return true;
    if (!parent->origin) return false;
    short shown[RL_MAX_KEY_FIELDS];
    for (int i = 0; i < k->n; i++) {
        int at = -1;
        for (size_t f = 0; at < 0 && f < parent->model->nfields; f++) {
            const rli_origin *o = &parent->origin[f];
            if (o->table && o->code == k->parent[i] && same_table(db, o->table, k->target))
                at = (int)f;
        }
        if (at < 0) return false;
        shown[i] = (short)at;
    }
    memcpy(k->parent, shown, (size_t)k->n * sizeof *shown);
    k->target = parent->model;
    return true;
}

void rli_key_to(rl_db *db, const model_info *child, int ki, const model_info *parent, rli_key *out)
{
    rli_key_of(child, ki, out);
    rli_key k = *out;
    if (parent && rli_key_toward(db, parent, &k)) *out = k;
}

bool rli_key_unique(const model_info *mi, int ki)
{
    rli_key k;
    rli_key_of(mi, ki, &k);
    return fields_unique(mi->model, k.child, k.n);
}

bool rli_key_next(const model_info *mi, int *ki, rli_key *k)
{
    const rl_model *m = mi->model;
    int i = *ki + 1;
    while (i < (int)m->nfields && !m->fields[i].references)
        i++;
    if (i >= (int)m->nfields && i < RLI_CKEY) i = RLI_CKEY;
    if (i >= RLI_CKEY + (int)mi->nckeys) return false;
    *ki = i;
    rli_key_of(mi, i, k);
    return true;
}

void rli_fk_name(const model_info *mi, int ki, char out[RLI_FK_NAME_MAX])
{
    rli_key k; /* "<table>_<a>[_<b>...]_fkey", cut where PostgreSQL cuts an identifier */
    rli_key_of(mi, ki, &k);
    int len = snprintf(out, RLI_FK_NAME_MAX, "%s", mi->table);
    for (int j = 0; j < k.n && len < RLI_FK_NAME_MAX; j++)
        len += snprintf(out + len, (size_t)(RLI_FK_NAME_MAX - len), "_%s", mi->columns[k.child[j]]);
    if (len < RLI_FK_NAME_MAX) snprintf(out + len, (size_t)(RLI_FK_NAME_MAX - len), "_fkey");
}

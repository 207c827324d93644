/*
 * Keys of every shape: which column of its target a model's key references (the target's
 * pk member, or one of its fields that is unique: a text code, a UNIQUE column, the one field
 * of a primary_key), and which of a model's fields are unique on their own (a key through
 * one of them is to-one from the parent's side).  Read from the declarations only, so that
 * validation can ask it of a model that is still being validated (a cycle of keys).
 */
#include "model.h"

#include <stdio.h>
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

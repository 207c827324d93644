/*
 * How two tables relate, for embedding (select=rel(...)) and for the planner: every foreign key
 * of one to the other, of one column or several, to any unique key (a to-one relation from the
 * child, to-many from the parent, one-to-one when the key is unique in the child), else every
 * link table with a key to each side.  Read from the models only (rl_models_load).
 */
#include "http_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Whether model x is t (or the model of t's table). */
static bool same_table(const rl_model *x, const rl_model *t)
{
    return x && (x == t || (x->table && t->table && strcmp(x->table, t->table) == 0));
}

/* One key of a model, of one field or several: its name as the relation calls take it (the
 * field's, or the rl_key's, else its fields joined by commas) and its fields. */
typedef struct key_ref {
    char name[RLH_KEY_NAME];
    const char *const *fields; /* a key of several fields: the rl_key's list, else NULL */
    const char *one;           /* a key of one field: its name */
    const rl_model *target;
} key_ref;

/* Field i of key k, NULL past the last. */
static const char *key_field(const key_ref *k, size_t i)
{
    return k->fields ? k->fields[i] : i == 0 ? k->one : NULL;
}

/* Key i of m: its fields with .references first, then its rl_keys; false after the last. */
static bool key_at(const rl_model *m, size_t i, key_ref *k)
{
    for (size_t f = 0; f < m->nfields; f++) {
        if (!m->fields[f].references || i--) continue;
        snprintf(k->name, sizeof k->name, "%s", m->fields[f].name);
        k->one = m->fields[f].name;
        k->fields = NULL;
        k->target = m->fields[f].references;
        return true;
    }
    if (i >= m->nkeys) return false;
    const rl_key *ck = &m->keys[i];
    k->fields = ck->fields;
    k->target = ck->references;
    if (ck->name) {
        snprintf(k->name, sizeof k->name, "%s", ck->name);
    } else {
        size_t len = 0;
        k->name[0] = '\0';
        for (size_t j = 0; ck->fields[j] && len < sizeof k->name; j++)
            len += (size_t)snprintf(k->name + len, sizeof k->name - len, "%s%s", j ? "," : "",
                                    ck->fields[j]);
    }
    return true;
}

/* Whether hint names key k of m: its name, the column of a key of one field or the column it
 * references, or the name PostgreSQL gives a key by default,
 * "<table>_<column>[_<column>...]_fkey" (which PostgREST's hints use). */
static bool hint_names(const char *hint, const rl_model *m, const key_ref *k)
{
    if (!hint || strcmp(k->name, hint) == 0) return true;
    const rl_field *f = k->fields ? NULL : rlh_field(m, k->one);
    if (f && strcmp(rlh_column_of(f), hint) == 0) return true;
    if (f && f->references) { /* the column it references, as PostgREST's hints may name */
        const rl_field *to =
            f->references_field ? rlh_field(f->references, f->references_field) : NULL;
        const char *col = to ? rlh_column_of(to) : rlh_pk_name(f->references);
        if (strcmp(col, hint) == 0) return true;
    }
    size_t n = strlen(m->table);
    if (strncmp(hint, m->table, n) != 0) return false;
    const char *h = hint + n;
    for (size_t i = 0; key_field(k, i); i++) {
        size_t len = strlen(key_field(k, i));
        if (h[0] != '_' || strncmp(h + 1, key_field(k, i), len) != 0) return false;
        h += 1 + len;
    }
    return strcmp(h, "_fkey") == 0;
}

/* Whether the NULL-terminated list a names the fields of key k, in any order. */
static bool same_fields(const char *const *a, const key_ref *k)
{
    size_t n = 0, m = 0;
    while (a && a[n])
        n++;
    while (key_field(k, m))
        m++;
    for (size_t i = 0; i < n && n == m; i++) {
        bool in = false;
        for (size_t j = 0; j < m && !in; j++)
            in = strcmp(a[i], key_field(k, j)) == 0;
        if (!in) return false;
    }
    return n == m && n > 0;
}

/* Whether the fields of key k of m are unique together (a one-to-one relation): a field
 * declared so, the whole primary key, or the fields of a unique index. */
static bool unique_in(const rl_model *m, const key_ref *k)
{
    const rl_field *f = k->fields ? NULL : rlh_field(m, k->one);
    if ((f && f->unique) || same_fields(m->primary_key, k)) return true;
    for (size_t i = 0; i < m->nindexes; i++)
        if (m->indexes[i].unique && same_fields(m->indexes[i].fields, k)) return true;
    return false;
}

/* The way through key k of the child (rel says which side m is). */
static rlh_way way_by(rlh_rel rel, const rl_model *child, const key_ref *k)
{
    rlh_way w = {.rel = rel,
                 .single = rel == RLH_TO_MANY && unique_in(child, k),
                 .several = k->fields != NULL};
    snprintf(w.key, sizeof w.key, "%s", k->name);
    size_t len = (size_t)snprintf(w.fkey, sizeof w.fkey, "%s", child->table);
    for (size_t j = 0; key_field(k, j) && len < sizeof w.fkey; j++)
        len += (size_t)snprintf(w.fkey + len, sizeof w.fkey - len, "_%s", key_field(k, j));
    if (len < sizeof w.fkey) snprintf(w.fkey + len, sizeof w.fkey - len, "_fkey");
    const rl_field *f = k->fields ? NULL : rlh_field(child, k->one);
    /* a key of one field is hinted by its column, one of several by its PostgreSQL name */
    snprintf(w.hint, sizeof w.hint, "%s", f ? rlh_column_of(f) : w.fkey);
    return w;
}

size_t rlh_ways_of(const rl_models *ms, const rl_model *m, const rl_model *t, const char *hint,
                   rlh_way *out)
{
    size_t n = 0;
    key_ref k;
    for (size_t i = 0; m != t && key_at(m, i, &k) && n < RLH_MAX_WAYS; i++)
        if (same_table(k.target, t) && hint_names(hint, m, &k))
            out[n++] = way_by(RLH_TO_ONE, m, &k);
    for (size_t i = 0; key_at(t, i, &k) && n < RLH_MAX_WAYS; i++)
        if (same_table(k.target, m) && hint_names(hint, t, &k))
            out[n++] = way_by(RLH_TO_MANY, t, &k);
    if (n) return n;
    for (size_t l = 0; l < rl_models_count(ms) && n < RLH_MAX_WAYS; l++) {
        const rl_model *link = rl_models_get(ms, l);
        if (link == m || link == t || (hint && strcmp(link->table, hint) != 0)) continue;
        size_t to_m = 0, to_t = 0;
        for (size_t i = 0; key_at(link, i, &k); i++) {
            to_m += same_table(k.target, m);
            to_t += same_table(k.target, t);
        }
        if (m == t ? to_m == 2 : to_m && to_t) {
            out[n] = (rlh_way){.rel = RLH_LINKED, .link = link};
            snprintf(out[n].hint, sizeof out[n].hint, "%s", link->table);
            n++;
        }
    }
    return n;
}

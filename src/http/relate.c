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
 * field's, or the rl_key's, else its fields joined by commas), its fields, and the columns of
 * its target it references. */
typedef struct key_ref {
    char name[RLH_KEY_NAME];
    const char *const *fields; /* a key of several fields: the rl_key's list, else NULL */
    const char *one;           /* a key of one field: its name */
    const rl_model *target;
    const char *const *to; /* a key of several fields: the target's fields it references */
    const char *to_one;    /* a key of one field: the target's column it references */
} key_ref;

/* Field i of key k, NULL past the last; the target's column it references. */
static const char *key_field(const key_ref *k, size_t i)
{
    return k->fields ? k->fields[i] : i == 0 ? k->one : NULL;
}
static const char *key_to(const key_ref *k, size_t i)
{
    return k->fields ? k->to[i] : k->to_one;
}

/* Key i of m: its fields with .references first, then its rl_keys; false after the last. */
static bool key_at(const rl_model *m, size_t i, key_ref *k)
{
    for (size_t f = 0; f < m->nfields; f++) {
        const rl_field *fld = &m->fields[f];
        if (!fld->references || i--) continue;
        snprintf(k->name, sizeof k->name, "%s", fld->name);
        k->one = fld->name;
        k->fields = NULL;
        k->target = fld->references;
        k->to_one = fld->references_field ? fld->references_field : rlh_pk_name(fld->references);
        return true;
    }
    if (i >= m->nkeys) return false;
    const rl_key *ck = &m->keys[i];
    k->fields = ck->fields;
    k->target = ck->references;
    k->to = ck->references_fields ? ck->references_fields : ck->references->primary_key;
    if (!k->to) return false;
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

/* The field of x that shows column col of table t as it is (x a view of ms), or NULL. */
static const char *shows(const rl_models *ms, const rl_model *x, const rl_model *t, const char *col)
{
    const char *c;
    for (size_t f = 0; f < x->nfields; f++)
        if (same_table(rl_models_origin(ms, x, f, &c), t) && strcmp(c, col) == 0)
            return x->fields[f].name;
    return NULL;
}

/* Whether key k leads to model x: x is its target's table, or a view that shows every column
 * it references (the core follows it so too).  cols (may be NULL) receives the columns of x
 * it meets, NULL-terminated. */
static bool leads_to(const rl_models *ms, const key_ref *k, const rl_model *x, const char **cols)
{
    bool table = same_table(k->target, x);
    size_t i = 0;
    for (; key_field(k, i); i++) {
        const char *c = table ? key_to(k, i) : shows(ms, x, k->target, key_to(k, i));
        if (!c) return false;
        if (cols) cols[i] = c;
    }
    if (cols) cols[i] = NULL;
    return true;
}

/* The PostgreSQL name of key k of m into out: its constraint's name where the database gives
 * one (rl_models_key_name: a view's key has its table's), else the name PostgreSQL gives a key
 * by default, "<table>_<column>[_<column>...]_fkey" (of the table whose columns a view's key
 * shows, for a view). */
static void fkey_name(const rl_models *ms, const rl_model *m, const key_ref *k, char *out,
                      size_t size)
{
    const char *named = rl_models_key_name(ms, m, k->name);
    if (named) {
        snprintf(out, size, "%s", named);
        return;
    }
    const rl_model *base = NULL;
    const char *cols[RL_MAX_KEY_FIELDS + 1] = {0}, *c;
    for (size_t i = 0, f = 0; key_field(k, i) && i < RL_MAX_KEY_FIELDS; i++) {
        for (f = 0; f < m->nfields && strcmp(m->fields[f].name, key_field(k, i)) != 0; f++)
            ;
        const rl_model *o = f < m->nfields ? rl_models_origin(ms, m, f, &c) : NULL;
        if (!o || (base && o != base)) {
            base = NULL;
            break;
        }
        base = o;
        cols[i] = c;
    }
    size_t len = (size_t)snprintf(out, size, "%s", base ? base->table : m->table);
    for (size_t j = 0; key_field(k, j) && len < size; j++)
        len += (size_t)snprintf(out + len, size - len, "_%s", base ? cols[j] : key_field(k, j));
    if (len < size) snprintf(out + len, size - len, "_fkey");
}

/* Whether hint names key k of m: its name, the column of a key of one field or the column it
 * references, or its PostgreSQL name (which PostgREST's hints use). */
static bool hint_names(const rl_models *ms, const char *hint, const rl_model *m, const key_ref *k)
{
    if (!hint || strcmp(k->name, hint) == 0) return true;
    const rl_field *f = k->fields ? NULL : rlh_field(m, k->one);
    if (f && strcmp(rlh_column_of(f), hint) == 0) return true;
    if (f && strcmp(k->to_one, hint) == 0) return true; /* the column it references */
    char fkey[RLH_KEY_NAME];
    fkey_name(ms, m, k, fkey, sizeof fkey);
    return strcmp(fkey, hint) == 0;
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

/* cols (NULL-terminated) as "a, b" into out. */
static void list_cols(const char *const *cols, char *out, size_t size)
{
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; cols[i] && len < size; i++)
        len += (size_t)snprintf(out + len, size - len, "%s%s", i ? ", " : "", cols[i]);
}

/* The way through key k of child to parent (rel says which of them is the request's m);
 * pcols: the parent's columns the key meets. */
static rlh_way way_by(const rl_models *ms, rlh_rel rel, const rl_model *child, const key_ref *k,
                      const char *const *pcols)
{
    rlh_way w = {.rel = rel,
                 .single = unique_in(child, k),
                 .several = k->fields != NULL,
                 .meets = k->fields ? NULL : pcols[0]};
    snprintf(w.key, sizeof w.key, "%s", k->name);
    fkey_name(ms, child, k, w.fkey, sizeof w.fkey);
    const rl_field *f = k->fields ? NULL : rlh_field(child, k->one);
    /* a key of one field is hinted by its column, one of several by its PostgreSQL name */
    snprintf(w.hint, sizeof w.hint, "%s", f ? rlh_column_of(f) : w.fkey);
    const char *ccols[RL_MAX_KEY_FIELDS + 1] = {0};
    for (size_t i = 0; key_field(k, i) && i < RL_MAX_KEY_FIELDS; i++)
        ccols[i] = key_field(k, i);
    list_cols(rel == RLH_TO_ONE ? ccols : pcols, w.mcols, sizeof w.mcols);
    list_cols(rel == RLH_TO_ONE ? pcols : ccols, w.tcols, sizeof w.tcols);
    return w;
}

/* Whether every column of keys a and b is in the list cols (NULL-terminated; NULL: none). */
static bool keys_within(const char *const *cols, const key_ref *a, const key_ref *b)
{
    for (int side = 0; side < 2; side++)
        for (size_t c = 0; key_field(side ? b : a, c); c++) {
            bool in = false;
            for (size_t p = 0; cols && cols[p] && !in; p++)
                in = strcmp(cols[p], key_field(side ? b : a, c)) == 0;
            if (!in) return false;
        }
    return true;
}

/* Whether link is a junction of keys a and b as PostgREST takes one: their columns are all in
 * its primary key (a view's: a unique key it shows of its table). */
static bool junction(const rl_model *link, const key_ref *a, const key_ref *b)
{
    if (keys_within(link->primary_key, a, b)) return true;
    for (size_t x = 0; x < link->nindexes; x++)
        if (link->indexes[x].unique && keys_within(link->indexes[x].fields, a, b)) return true;
    return false;
}

/* The ways through link: its keys that lead to m and to t, in pairs (m == t: each pair of two
 * keys to it, in order); at most RLH_MAX_WAYS - n more into out.  strict: only where link is
 * a junction as PostgREST takes one, both keys inside its primary key (a table with a key of
 * its own and two references, comments of a user on a task, is no link beside a direct way). */
static size_t link_ways(const rl_models *ms, const rl_model *link, const rl_model *m,
                        const rl_model *t, rlh_way *out, size_t n, bool strict)
{
    size_t added = 0;
    key_ref a, b;
    for (size_t i = 0; key_at(link, i, &a); i++) {
        if (!leads_to(ms, &a, m, NULL)) continue;
        for (size_t j = m == t ? i + 1 : 0; key_at(link, j, &b); j++) {
            if (j == i || !leads_to(ms, &b, t, NULL)) continue;
            if (strict && !junction(link, &a, &b)) continue;
            if (n + added == RLH_MAX_WAYS) return added;
            const char *am[RL_MAX_KEY_FIELDS + 1], *bm[RL_MAX_KEY_FIELDS + 1];
            leads_to(ms, &a, m, am);
            leads_to(ms, &b, t, bm);
            rlh_way *w = &out[n + added++];
            *w = (rlh_way){.rel = RLH_LINKED, .link = link};
            if (!a.fields && !b.fields)
                w->link_m = a.one, w->link_m_meets = am[0], w->link_t = b.one,
                w->link_t_meets = bm[0];
            snprintf(w->hint, sizeof w->hint, "%s", link->table);
            const char *ac[RL_MAX_KEY_FIELDS + 1] = {0}, *bc[RL_MAX_KEY_FIELDS + 1] = {0};
            for (size_t c = 0; key_field(&a, c) && c < RL_MAX_KEY_FIELDS; c++)
                ac[c] = key_field(&a, c);
            for (size_t c = 0; key_field(&b, c) && c < RL_MAX_KEY_FIELDS; c++)
                bc[c] = key_field(&b, c);
            char name[RLH_KEY_NAME], cols[200];
            fkey_name(ms, link, &a, name, sizeof name);
            list_cols(ac, cols, sizeof cols);
            snprintf(w->mcols, sizeof w->mcols, "%s(%s)", name, cols);
            fkey_name(ms, link, &b, name, sizeof name);
            list_cols(bc, cols, sizeof cols);
            snprintf(w->tcols, sizeof w->tcols, "%s(%s)", name, cols);
        }
    }
    return added;
}

size_t rlh_ways_of(const rl_models *ms, const rl_model *m, const rl_model *t, const char *hint,
                   rlh_way *out)
{
    size_t n = 0;
    key_ref k;
    const char *cols[RL_MAX_KEY_FIELDS + 1];
    for (size_t i = 0; m != t && key_at(m, i, &k) && n < RLH_MAX_WAYS; i++)
        if (leads_to(ms, &k, t, cols) && hint_names(ms, hint, m, &k))
            out[n++] = way_by(ms, RLH_TO_ONE, m, &k, cols);
    for (size_t i = 0; key_at(t, i, &k) && n < RLH_MAX_WAYS; i++)
        if (leads_to(ms, &k, m, cols) && hint_names(ms, hint, t, &k))
            out[n++] = way_by(ms, RLH_TO_MANY, t, &k, cols);
    /* and through link tables, junctions only beside a direct way: PostgREST asks which when
     * there are both (300) */
    bool direct = n > 0;
    for (size_t l = 0; l < rl_models_count(ms) && n < RLH_MAX_WAYS; l++) {
        const rl_model *link = rl_models_get(ms, l);
        if (link == m || link == t || (hint && strcmp(link->table, hint) != 0)) continue;
        n += link_ways(ms, link, m, t, out, n, direct);
    }
    return n;
}

/* Whether way w is among the n ways at ws (the same key, the same way, to the same model). */
static bool known_way(const rlh_way *ws, size_t n, const rlh_way *w)
{
    for (size_t i = 0; i < n; i++)
        if (!ws[i].link && ws[i].rel == w->rel && ws[i].target == w->target &&
            strcmp(ws[i].key, w->key) == 0 && strcmp(ws[i].fkey, w->fkey) == 0)
            return true;
    return false;
}

/* Add way w (to target) to the n ways at out unless it is there; the new n. */
static size_t add_way(rlh_way *out, size_t n, rlh_way w, const rl_model *target)
{
    w.target = target;
    if (n == RLH_MAX_WAYS || known_way(out, n, &w)) return n;
    out[n] = w;
    return n + 1;
}

size_t rlh_ways_named(const rl_models *ms, const rl_model *m, const char *name, rlh_way *out,
                      size_t n)
{
    key_ref k;
    char fkey[RLH_KEY_NAME];
    const char *cols[RL_MAX_KEY_FIELDS + 1];
    for (size_t i = 0; name && key_at(m, i, &k); i++) {
        if (same_table(k.target, m) || rl_models_is_view(ms, k.target)) continue;
        fkey_name(ms, m, &k, fkey, sizeof fkey);
        if (strcmp(fkey, name) == 0 && leads_to(ms, &k, k.target, cols))
            n = add_way(out, n, way_by(ms, RLH_TO_ONE, m, &k, cols), k.target);
    }
    for (size_t x = 0; name && x < rl_models_count(ms); x++) {
        const rl_model *t = rl_models_get(ms, x);
        if (same_table(t, m) || rl_models_is_view(ms, t)) continue;
        for (size_t i = 0; key_at(t, i, &k); i++) {
            if (!leads_to(ms, &k, m, cols)) continue;
            fkey_name(ms, t, &k, fkey, sizeof fkey);
            /* its name, or the one column of m it references (country?select=id(name)) */
            if (strcmp(fkey, name) == 0 || (!cols[1] && strcmp(cols[0], name) == 0))
                n = add_way(out, n, way_by(ms, RLH_TO_MANY, t, &k, cols), t);
        }
    }
    return n;
}

int rlh_children_of(const rl_models *ms, const rl_model *m, const char *name, const rl_model **t,
                    const rl_field **key, char *why, size_t whylen)
{
    char text[300], *hint;
    snprintf(text, sizeof text, "%s", name);
    if ((hint = strchr(text, '!'))) *hint++ = '\0';
    *t = rl_models_find(ms, text);
    if (!*t) return 0;
    rlh_way w[RLH_MAX_WAYS];
    size_t n = rlh_ways_of(ms, m, *t, hint, w), k = 0;
    for (size_t i = 0; i < n; i++)
        if (w[i].rel == RLH_TO_MANY) w[k++] = w[i];
    if (k > 1) {
        snprintf(why, whylen, "%.150s has %zu keys to %.150s: name one (%.150s!key_column).",
                 (*t)->table, k, m->table, (*t)->table);
        return -1;
    }
    if (k == 1 && w[0].several) return 0; /* a key of several fields: not nested writes */
    if (k == 1) *key = rlh_field(*t, w[0].key);
    return k == 1 && *key;
}

/* The edit distance of a and b (their first 200 bytes). */
static size_t distance(const char *a, const char *b)
{
    size_t na = strnlen(a, 200), nb = strnlen(b, 200), row[201];
    for (size_t j = 0; j <= nb; j++)
        row[j] = j;
    for (size_t i = 1; i <= na; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= nb; j++) {
            size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best) best = up + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            diag = up;
            row[j] = best;
        }
    }
    return row[nb];
}

const char *rlh_related_like(const rl_models *ms, const rl_model *m, const char *name)
{
    const char *best = NULL;
    size_t best_d = 0, n = strnlen(name, 200);
    for (size_t i = 0; i < rl_models_count(ms); i++) {
        const rl_model *t = rl_models_get(ms, i);
        rlh_way w[RLH_MAX_WAYS];
        if (strcmp(t->table, name) == 0 || rlh_ways_of(ms, m, t, NULL, w) == 0) continue;
        size_t d = distance(t->table, name), len = strnlen(t->table, 200);
        if (2 * d <= (len > n ? len : n) && (!best || d < best_d)) {
            best = t->table;
            best_d = d;
        }
    }
    return best;
}

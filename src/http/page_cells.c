/*
 * What the pages show of a row: its values as text, and its foreign keys with their parents'
 * labels (Datasette's habit: a key cell shows the parent's first text column and links to the
 * parent's row), read for every row of a page in one statement per key.
 */
#include "page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The field of m named name: its index, RLH_FIELD_PK for the integer key, or -3. */
static int field_index(const rl_model *m, const char *name)
{
    const rl_field *f = rlh_field(m, name);
    if (f) return (int)(f - m->fields);
    return m->has_pk && strcmp(name, rlh_pk_name(m)) == 0 ? RLH_FIELD_PK : -3;
}

/* The column of parent that a key referencing it without naming one references. */
static const char *parent_key(const rl_model *parent)
{
    if (parent->has_pk) return rlh_pk_name(parent);
    return parent->primary_key ? parent->primary_key[0] : NULL;
}

/* The label of parent: its first text field that is not one of the key's refs, or -1. */
static int label_of(const rl_model *parent, const rlh_pkey *k)
{
    for (size_t i = 0; i < parent->nfields; i++) {
        if (parent->fields[i].kind != RL_KIND_TEXT) continue;
        bool in_key = false;
        for (size_t j = 0; j < k->n && !in_key; j++)
            in_key = k->refs[j] && strcmp(k->refs[j], parent->fields[i].name) == 0;
        if (!in_key) return (int)i;
    }
    return -1;
}

size_t rlh_page_keys(const rl_model *m, rlh_pkey *out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < m->nfields && n < max; i++) {
        const rl_field *f = &m->fields[i];
        if (!f->references) continue;
        rlh_pkey *k = &out[n];
        *k = (rlh_pkey){.parent = f->references, .n = 1};
        snprintf(k->name, sizeof k->name, "%s", f->name);
        k->fields[0] = (int)i;
        k->on_delete = f->on_delete;
        k->refs[0] = f->references_field ? f->references_field : parent_key(f->references);
        if (!k->refs[0]) continue;
        k->label = label_of(k->parent, k);
        n++;
    }
    for (size_t i = 0; i < m->nkeys && n < max; i++) {
        const rl_key *key = &m->keys[i];
        rlh_pkey *k = &out[n];
        *k = (rlh_pkey){.parent = key->references, .on_delete = key->on_delete};
        bool ok = key->references != NULL;
        size_t at = 0;
        for (size_t j = 0; ok && key->fields[j] && j < RL_MAX_KEY_FIELDS; j++) {
            k->fields[j] = field_index(m, key->fields[j]);
            k->refs[j] = key->references_fields         ? key->references_fields[j]
                         : key->references->primary_key ? key->references->primary_key[j]
                                                        : NULL;
            ok = k->fields[j] != -3 && k->refs[j];
            if (!key->name)
                at += (size_t)snprintf(k->name + at, at < sizeof k->name ? sizeof k->name - at : 0,
                                       "%s%s", j ? "," : "", key->fields[j]);
            k->n = j + 1;
        }
        if (key->name) snprintf(k->name, sizeof k->name, "%s", key->name);
        if (!ok || !k->n || at >= sizeof k->name) continue;
        k->label = label_of(k->parent, k);
        n++;
    }
    return n;
}

void rlh_page_labels(rl_db *db, const rl_model *m, rlh_pkey *keys, size_t n, const void *rows,
                     size_t count)
{
    for (size_t i = 0; i < n && count; i++) {
        rl_query *q = rl_select(db, keys[i].parent);
        if (q && rl_fetch_parents(q, m, keys[i].name, rows, count, &keys[i].groups) != RL_OK)
            keys[i].groups = NULL;
        rl_query_free(q);
    }
}

void rlh_page_keys_free(rlh_pkey *keys, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        rl_groups_free(keys[i].groups);
        keys[i].groups = NULL;
    }
}

rl_value rlh_page_field(const rl_model *m, const void *row, int field)
{
    return field == RLH_FIELD_PK ? rl_int(rlh_row_pk(m, row))
                                 : rl_row_values(m, (void *)row)[field];
}

const char *rlh_page_text(const rl_value *v, rl_kind kind, char *buf, size_t n)
{
    switch (v->type) {
    case RL_V_INT:
        if (kind == RL_KIND_BOOLEAN) return v->u.i ? "true" : "false";
        snprintf(buf, n, "%lld", (long long)v->u.i);
        return buf;
    case RL_V_REAL: {
        char t[32];
        rlh_real_text(v->u.r, t);
        snprintf(buf, n, "%s", t);
        return buf;
    }
    case RL_V_TEXT:
        return v->u.s;
    case RL_V_BLOB:
        snprintf(buf, n, "(%zu bytes)", v->u.b.len);
        return buf;
    default:
        return NULL;
    }
}

void rlh_page_cell(rlh_buf *b, const rl_value *v, rl_kind kind, size_t cap)
{
    char buf[64];
    const char *t = rlh_page_text(v, kind, buf, sizeof buf);
    if (!t) {
        rlh_adds(b, "<td class=\"null\">null");
        return;
    }
    bool num = (v->type == RL_V_INT && kind != RL_KIND_BOOLEAN) || v->type == RL_V_REAL;
    rlh_adds(b, num ? "<td class=\"num\">" : "<td>");
    size_t len = strlen(t);
    if (cap && len > cap) {
        while (cap && ((unsigned char)t[cap] & 0xC0) == 0x80) /* not inside a character */
            cap--;
        rlh_html(b, t, (long)cap);
        rlh_adds(b, "\xE2\x80\xA6"); /* ... */
    } else {
        rlh_html(b, t, (long)len);
    }
}

/* href="base + table" and, for the row whose columns cols (of m) hold values at row, either
 * "/" + its integer key or "?" + a filter per column. */
static void href_of(rlh_buf *b, const char *base, const rl_model *parent, const char *const *refs,
                    const rl_value *vals, const rl_kind *kinds, size_t n)
{
    rlh_buf u = {0};
    char buf[64];
    rlh_adds(&u, base);
    rlh_page_encode(&u, parent->table);
    bool by_pk = n == 1 && parent->has_pk && strcmp(refs[0], rlh_pk_name(parent)) == 0;
    for (size_t i = 0; i < n; i++) {
        const char *t = rlh_page_text(&vals[i], kinds[i], buf, sizeof buf);
        if (by_pk) {
            rlh_adds(&u, "/");
        } else {
            rlh_adds(&u, i ? "&" : "?");
            rlh_page_encode(&u, refs[i]);
            rlh_adds(&u, t ? "=eq." : "=is.null");
        }
        if (t) rlh_page_encode(&u, t);
    }
    rlh_adds(b, " href=\"");
    if (u.data) rlh_html(b, u.data, (long)u.len);
    rlh_adds(b, "\"");
    b->oom |= u.oom;
    rlh_free(&u);
}

void rlh_page_parent_link(rlh_buf *b, const char *base, const rl_model *m, const rlh_pkey *key,
                          const void *row, size_t k)
{
    rl_value vals[RL_MAX_KEY_FIELDS];
    rl_kind kinds[RL_MAX_KEY_FIELDS];
    for (size_t i = 0; i < key->n; i++) {
        vals[i] = rlh_page_field(m, row, key->fields[i]);
        kinds[i] =
            key->fields[i] == RLH_FIELD_PK ? RL_KIND_INTEGER : m->fields[key->fields[i]].kind;
        if (vals[i].type == RL_V_NULL) return;
    }
    const rl_value *label = NULL;
    if (key->groups && k < key->groups->count && key->groups->size[k] && key->label >= 0) {
        const void *p =
            (const char *)key->groups->items + key->groups->start[k] * key->parent->size;
        label = &rl_row_values(key->parent, (void *)p)[key->label];
    }
    char buf[64];
    const char *t = label ? rlh_page_text(label, RL_KIND_TEXT, buf, sizeof buf) : NULL;
    rlh_adds(b, " <a class=\"label\"");
    href_of(b, base, key->parent, key->refs, vals, kinds, key->n);
    rlh_adds(b, ">");
    if (t)
        rlh_html(b, t, (long)(strlen(t) > 80 ? 80 : strlen(t)));
    else
        rlh_html(b, key->parent->table, -1);
    rlh_adds(b, "</a>");
}

void rlh_page_row_href(rlh_buf *b, const char *base, const rl_model *m, const void *row)
{
    rl_value vals[RL_MAX_KEY_FIELDS];
    rl_kind kinds[RL_MAX_KEY_FIELDS];
    const char *cols[RL_MAX_KEY_FIELDS];
    size_t n = 0;
    if (m->has_pk) {
        cols[0] = rlh_pk_name(m);
        vals[0] = rl_int(rlh_row_pk(m, row));
        kinds[0] = RL_KIND_INTEGER;
        n = 1;
    }
    for (size_t i = 0; !m->has_pk && m->primary_key && m->primary_key[i] && n < RL_MAX_KEY_FIELDS;
         i++) {
        int f = field_index(m, m->primary_key[i]);
        if (f < 0) return;
        cols[n] = m->primary_key[i];
        vals[n] = rlh_page_field(m, row, f);
        kinds[n++] = m->fields[f].kind;
    }
    if (n) href_of(b, base, m, cols, vals, kinds, n);
}

void rlh_page_referrers(rlh_buf *b, rl_db *db, const rl_models *ms, const char *base,
                        const rl_model *m, const void *row)
{
    rlh_pkey keys[32];
    bool any = false;
    for (size_t t = 0; t < rl_models_count(ms); t++) {
        const rl_model *cm = rl_models_get(ms, t);
        size_t n = rlh_page_keys(cm, keys, 32);
        for (size_t i = 0; i < n; i++) {
            const rlh_pkey *k = &keys[i];
            if (k->parent != m) continue;
            rl_value count = rl_null(), vals[RL_MAX_KEY_FIELDS];
            bool ok = true;
            for (size_t j = 0; j < k->n && ok; j++) {
                int f = field_index(m, k->refs[j]);
                ok = f != -3;
                if (ok) vals[j] = rlh_page_field(m, row, f);
                ok = ok && vals[j].type != RL_V_NULL;
            }
            rl_query *q = ok ? rl_select(db, cm) : NULL;
            if (!q ||
                rl_aggregate_children(q, m, k->name, row, 1, RL_AGG_COUNT, NULL, &count) != RL_OK)
                count = rl_null();
            rl_query_free(q);
            if (count.type != RL_V_INT) continue;
            if (!any) rlh_adds(b, "<h2>Rows that refer to this one</h2>\n<ul class=\"refs\">\n");
            any = true;
            rlh_buf u = {0};
            char buf[64];
            rlh_adds(&u, base);
            rlh_page_encode(&u, cm->table);
            for (size_t j = 0; j < k->n; j++) {
                const char *col =
                    k->fields[j] == RLH_FIELD_PK ? rlh_pk_name(cm) : cm->fields[k->fields[j]].name;
                int f = field_index(m, k->refs[j]);
                rl_kind kind = f == RLH_FIELD_PK ? RL_KIND_INTEGER : m->fields[f].kind;
                rlh_adds(&u, j ? "&" : "?");
                rlh_page_encode(&u, col);
                rlh_adds(&u, "=eq.");
                rlh_page_encode(&u, rlh_page_text(&vals[j], kind, buf, sizeof buf));
            }
            rlh_addf(b, "<li><a href=\"");
            if (u.data) rlh_html(b, u.data, (long)u.len);
            rlh_addf(b, "\">%lld %s of ", (long long)count.u.i, count.u.i == 1 ? "row" : "rows");
            rlh_html(b, cm->table, -1);
            rlh_adds(b, "</a> through <code>");
            rlh_html(b, k->name, -1);
            rlh_adds(b, "</code></li>\n");
            b->oom |= u.oom;
            rlh_free(&u);
        }
    }
    rlh_adds(b, any ? "</ul>\n" : "<p class=\"meta\">No table refers to this one.</p>\n");
}

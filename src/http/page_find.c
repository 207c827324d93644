/*
 * Finding rows on a table page: the filters in force (PostgREST's, straight from the URL, each
 * one removable), a form that adds one (it answers with a redirect to the URL holding the
 * filter it wrote: page_rows.c), and facets: the values of a few columns among the rows the
 * filters keep, counted, each a link that adds its filter.  A key column's facet is labelled
 * with its parents' labels.
 */
#include "page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A facet shows at most FACET_MAX values; the facets of key and boolean columns are counted by
 * themselves when the filters keep at most FACET_ROWS rows (each is a statement over all of
 * them), else offered as links that ask for them (?_facet=column). */
enum { FACET_MAX = 30, FACETS = 6, FACET_ROWS = 5000 };

bool rlh_page_arg(const char *key)
{
    static const char *const own[] = {"_format", "_size", "_hide", "_after",   "_facet", "_col",
                                      "_op",     "_val",  "_not",  "_confirm", NULL};
    for (const char *const *o = own; *o; o++)
        if (strcmp(key, *o) == 0) return true;
    return false;
}

bool rlh_page_hidden(const char *hide, const char *name)
{
    size_t n = strlen(name);
    for (const char *h = hide; h && *h;) {
        size_t k = strcspn(h, ",");
        if (k == n && strncmp(h, name, n) == 0) return true;
        h += k + (h[k] == ',');
    }
    return false;
}

/* Whether argument key is a filter (not one of the API's other words, nor the page's). */
static bool is_filter(const char *key)
{
    static const char *const words[] = {"select",  "order",       "limit", "offset",
                                        "columns", "on_conflict", NULL};
    for (const char *const *w = words; *w; w++)
        if (strcmp(key, *w) == 0) return false;
    return !rlh_page_arg(key);
}

/* Every operator of PostgREST's filters. */
static const char *const OPS[] = {"eq",    "neq",   "gt",     "gte", "lt", "lte",        "like",
                                  "ilike", "match", "imatch", "in",  "is", "isdistinct", "fts",
                                  "plfts", "phfts", "wfts",   "cs",  "cd", "ov",         "sl",
                                  "sr",    "nxr",   "nxl",    "adj", NULL};

static void option(rlh_buf *b, const char *value)
{
    rlh_adds(b, "<option>");
    rlh_html(b, value, -1);
    rlh_adds(b, "</option>");
}

/* The filters in force, and the form that adds one. */
static void filters(rlh_buf *b, rl_request *r, const char *base, const rl_model *m)
{
    rlh_links l;
    rlh_links_init(&l, r, base);
    bool any = false;
    for (size_t i = 0; i < l.nargs; i++) {
        if (!is_filter(l.args[i].key)) continue;
        if (!any) rlh_adds(b, "<div class=\"filters\" aria-label=\"filters in force\">");
        any = true;
        rlh_links without = l;
        without.args[i] = without.args[--without.nargs];
        rlh_links_set(&without, "_after", NULL);
        rlh_links_set(&without, "offset", NULL);
        rlh_adds(b, "<span class=\"chip\"><code>");
        rlh_html(b, l.args[i].key, -1);
        rlh_adds(b, "=");
        rlh_html(b, l.args[i].value, -1);
        rlh_adds(b, "</code> <a");
        rlh_links_href(b, &without, m->table, NULL);
        rlh_adds(b, " title=\"remove this filter\" aria-label=\"remove this filter\">\xC3\x97</a>"
                    "</span>");
    }
    if (any) rlh_adds(b, "</div>\n");
    rlh_adds(b, "<form class=\"filters\" method=\"get\" action=\"");
    rlh_buf u = {0};
    rlh_adds(&u, base);
    rlh_page_encode(&u, m->table);
    if (u.data) rlh_html(b, u.data, (long)u.len);
    b->oom |= u.oom;
    rlh_free(&u);
    rlh_adds(b, "\">\n");
    for (size_t i = 0; i < l.nargs; i++) {
        const char *k = l.args[i].key;
        if (!strcmp(k, "_after") || !strcmp(k, "offset") || !strcmp(k, "_col") ||
            !strcmp(k, "_op") || !strcmp(k, "_val") || !strcmp(k, "_not"))
            continue;
        rlh_adds(b, "<input type=\"hidden\" name=\"");
        rlh_html(b, k, -1);
        rlh_adds(b, "\" value=\"");
        rlh_html(b, l.args[i].value, -1);
        rlh_adds(b, "\">\n");
    }
    rlh_adds(b, "<select name=\"_col\" aria-label=\"column\">");
    if (m->has_pk) option(b, rlh_pk_name(m));
    for (size_t i = 0; i < m->nfields; i++)
        option(b, m->fields[i].name);
    rlh_adds(b,
             "</select>\n<label><input type=\"checkbox\" name=\"_not\" value=\"1\"> not</label>\n"
             "<select name=\"_op\" aria-label=\"operator\">");
    for (const char *const *o = OPS; *o; o++)
        option(b, *o);
    rlh_adds(b, "</select>\n<input name=\"_val\" aria-label=\"value\" placeholder=\"value\">\n"
                "<button type=\"submit\">Add filter</button>\n</form>\n");
}

/* ---- facets ---------------------------------------------------------------------------------- */

static bool same(const rl_value *a, const rl_value *b)
{
    if (a->type != b->type) {
        if (a->type == RL_V_INT && b->type == RL_V_REAL) return (double)a->u.i == b->u.r;
        if (a->type == RL_V_REAL && b->type == RL_V_INT) return a->u.r == (double)b->u.i;
        return false;
    }
    switch (a->type) {
    case RL_V_INT:
        return a->u.i == b->u.i;
    case RL_V_REAL:
        return a->u.r == b->u.r;
    case RL_V_TEXT:
        return strcmp(a->u.s, b->u.s) == 0;
    default:
        return false;
    }
}

/* The parents (of key, one field) of the facet's values vs, read in one statement: their rows
 * in *rows (NULL when they cannot be read). */
static void facet_parents(rl_db *db, const rlh_pkey *key, const rl_values *vs, rl_rows **rows)
{
    *rows = NULL;
    rl_value *in = calloc(vs->rows ? vs->rows : 1, sizeof *in);
    size_t n = 0;
    for (size_t i = 0; in && i < vs->rows; i++)
        if (vs->values[i * 2].type != RL_V_NULL) in[n++] = vs->values[i * 2];
    rl_query *q = in && n ? rl_select(db, key->parent) : NULL;
    if (q &&
        (rl_where_in(q, key->refs[0], in, n, false) != RL_OK || rl_fetch_all(q, rows) != RL_OK))
        *rows = NULL;
    rl_query_free(q);
    free(in);
}

/* The label of value v among the parents read, or NULL. */
static const char *facet_label(const rlh_pkey *key, const rl_rows *rows, const rl_value *v,
                               char *buf, size_t n)
{
    const rl_field *ref = rows ? rlh_field(key->parent, key->refs[0]) : NULL;
    bool pk = rows && !ref && key->parent->has_pk;
    for (size_t i = 0; rows && key->label >= 0 && (ref || pk) && i < rows->count; i++) {
        void *row = (char *)rows->items + i * key->parent->size;
        rl_value kv = pk ? rl_int(rlh_row_pk(key->parent, row))
                         : rl_row_values(key->parent, row)[ref - key->parent->fields];
        if (same(&kv, v))
            return rlh_page_text(&rl_row_values(key->parent, row)[key->label], RL_KIND_TEXT, buf,
                                 n);
    }
    return NULL;
}

/* The facet of field (of m; with key, a key column) among the rows the plan's conditions
 * keep: nothing when it has more than FACET_MAX values or cannot be read. */
static void facet(rlh_buf *b, rl_request *r, const char *base, const rl_model *m, const rlh_plan *p,
                  int field, const rlh_pkey *key)
{
    rl_db *db = rl_request_db(r);
    const char *name = field == RLH_FIELD_PK ? rlh_pk_name(m) : m->fields[field].name;
    rl_kind kind = field == RLH_FIELD_PK ? RL_KIND_INTEGER : m->fields[field].kind;
    rl_query *q = rl_select(db, m);
    rlh_exec_error err;
    rl_values *vs = NULL;
    int rc = q ? rlh_exec_where(q, &p->root, &err) : RL_ENOMEM;
    if (rc == RL_OK) rc = rl_select_field(q, name);
    if (rc == RL_OK) rc = rl_select_agg(q, RL_AGG_COUNT, NULL);
    if (rc == RL_OK) rc = rl_group_by(q, name);
    if (rc == RL_OK) rc = rl_limit(q, FACET_MAX + 1);
    if (rc == RL_OK) rc = rl_fetch_values(q, &vs);
    rl_query_free(q);
    if (rc != RL_OK || vs->rows == 0 || vs->rows > FACET_MAX || vs->cols != 2) {
        if (rc == RL_OK) rl_values_free(vs);
        return;
    }
    size_t order[FACET_MAX];
    for (size_t i = 0; i < vs->rows; i++) { /* by count, the most first */
        size_t j = i;
        for (; j > 0 && vs->values[order[j - 1] * 2 + 1].u.i < vs->values[i * 2 + 1].u.i; j--)
            order[j] = order[j - 1];
        order[j] = i;
    }
    rl_rows *parents = NULL;
    if (key) facet_parents(db, key, vs, &parents);
    rlh_adds(b, "<section class=\"facet\"><h3>");
    rlh_html(b, name, -1);
    rlh_adds(b, "</h3><ul>\n");
    for (size_t i = 0; i < vs->rows; i++) {
        const rl_value *v = &vs->values[order[i] * 2];
        char buf[64], lbuf[64];
        const char *t = rlh_page_text(v, kind, buf, sizeof buf);
        const char *label = key && t ? facet_label(key, parents, v, lbuf, sizeof lbuf) : NULL;
        rlh_buf value = {0};
        rlh_adds(&value, t ? "eq." : "is.null");
        if (t) rlh_adds(&value, t);
        rlh_links l;
        rlh_links_init(&l, r, base);
        rlh_links_set(&l, "_after", NULL);
        rlh_links_set(&l, "offset", NULL);
        if (l.nargs < 64 && value.data) l.args[l.nargs++] = (rlh_arg){name, value.data};
        rlh_adds(b, "<li><a");
        rlh_links_href(b, &l, m->table, NULL);
        rlh_adds(b, ">");
        rlh_html(b, label ? label : t ? t : "null", -1);
        rlh_addf(b, "</a> %lld</li>\n", (long long)vs->values[order[i] * 2 + 1].u.i);
        b->oom |= value.oom;
        rlh_free(&value);
    }
    rlh_adds(b, "</ul></section>\n");
    rl_rows_free(parents);
    rl_values_free(vs);
}

/* Links that ask for the facets of fields[0..n-1] (those of had[0..nhad-1] are shown). */
static void suggest(rlh_buf *b, rl_request *r, const char *base, const rl_model *m,
                    const int *fields, size_t n, const int *had, size_t nhad)
{
    bool any = false;
    for (size_t i = 0; i < n; i++) {
        bool shown = false;
        for (size_t j = 0; j < nhad; j++)
            shown |= had[j] == fields[i];
        if (shown) continue;
        rlh_adds(b, any ? ", <a" : "<p class=\"meta\">Facets: <a");
        any = true;
        rlh_links l;
        rlh_links_init(&l, r, base);
        if (l.nargs < 64) l.args[l.nargs++] = (rlh_arg){"_facet", m->fields[fields[i]].name};
        rlh_links_href(b, &l, m->table, NULL);
        rlh_adds(b, ">");
        rlh_html(b, m->fields[fields[i]].name, -1);
        rlh_adds(b, "</a>");
    }
    if (any) rlh_adds(b, "</p>\n");
}

void rlh_page_find(rlh_buf *b, rl_request *r, const char *base, const rl_model *m,
                   const rlh_plan *p, int64_t total)
{
    filters(b, r, base, m);
    if (p->root.grouped) return;
    rlh_pkey keys[32];
    size_t nkeys = rlh_page_keys(m, keys, 32), nfacets = 0;
    int fields[FACETS];
    const rlh_pkey *of[FACETS];
    for (size_t i = 0; i < r->nargs && nfacets < FACETS; i++) { /* ?_facet=column first */
        if (strcmp(r->args[i].key, "_facet") != 0) continue;
        const rl_field *f = rlh_field(m, r->args[i].value);
        if (f) of[nfacets] = NULL, fields[nfacets++] = (int)(f - m->fields);
    }
    size_t asked = nfacets;
    for (size_t i = 0; i < nkeys && nfacets < FACETS; i++)
        if (keys[i].n == 1 && keys[i].fields[0] >= 0)
            of[nfacets] = &keys[i], fields[nfacets++] = keys[i].fields[0];
    for (size_t i = 0; i < m->nfields && nfacets < FACETS; i++)
        if (m->fields[i].kind == RL_KIND_BOOLEAN) of[nfacets] = NULL, fields[nfacets++] = (int)i;
    if (total < 0 || total > FACET_ROWS) { /* too many rows to count by themselves: offered */
        suggest(b, r, base, m, fields + asked, nfacets - asked, fields, asked);
        nfacets = asked;
    }
    for (size_t i = 0; i < nfacets; i++) { /* a key column asked for by name is labelled too */
        for (size_t k = 0; !of[i] && k < nkeys; k++)
            if (keys[k].n == 1 && keys[k].fields[0] == fields[i]) of[i] = &keys[k];
        for (size_t j = 0; j < i; j++)
            if (fields[j] == fields[i]) fields[i] = -9; /* once each */
    }
    if (!nfacets) return;
    rlh_adds(b, "<div class=\"facets\">\n");
    for (size_t i = 0; i < nfacets; i++)
        if (fields[i] != -9) facet(b, r, base, m, p, fields[i], of[i]);
    rlh_adds(b, "</div>\n");
}

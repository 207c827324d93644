/*
 * The table page (/T) and the row page (/T/PK, or /T with filters naming a whole primary
 * key).  The rows are the API's: the page's query string, less the page's own arguments
 * (_size, _hide, _after, _facet, _format) and with a page's limit, goes through the same parse,
 * plan and execute stages as a JSON request, so that every filter, order= and select= works
 * and every error is the API's, shown as a page.  Then, in one statement per key, the parents'
 * labels; on a row page, in one statement per key into the table, the rows that refer to it.
 */
#include "answer.h"
#include "page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { PAGE_SIZE = 50, PAGE_MAX = 1000, CELL_CAP = 300, MAX_KEYS = 32 };

/* The page size ?_size= asks for, within bounds. */
static int64_t page_size(rl_request *r)
{
    const char *s = rl_request_query(r, "_size");
    long long n = s ? strtoll(s, NULL, 10) : PAGE_SIZE;
    size_t max = rlh_max_rows(r);
    if (n < 1) n = PAGE_SIZE;
    if (n > PAGE_MAX) n = PAGE_MAX;
    if (max && (size_t)n > max) n = (long long)max;
    return n;
}

/* Whether the page's rows are in the order of the integer key (no order= of its own). */
static bool keyset(rl_request *r, const rl_model *m)
{
    return m->has_pk && !rl_request_query(r, "order") && !rl_request_query(r, "offset");
}

/* The query string the API is asked: r's arguments less the page's own, a page's limit, and
 * ?_after= as the key's condition. */
static void api_query(rl_request *r, const rl_model *m, rlh_buf *q, int64_t size)
{
    for (size_t i = 0; i < r->nargs; i++) {
        if (rlh_page_arg(r->args[i].key)) continue;
        if (q->len) rlh_adds(q, "&");
        rlh_page_encode(q, r->args[i].key);
        rlh_adds(q, "=");
        rlh_page_encode(q, r->args[i].value);
    }
    if (!rl_request_query(r, "limit"))
        rlh_addf(q, "%slimit=%lld", q->len ? "&" : "", (long long)size);
    const char *after = rl_request_query(r, "_after");
    if (after && keyset(r, m)) {
        rlh_adds(q, "&");
        rlh_page_encode(q, rlh_pk_name(m));
        rlh_adds(q, "=gt.");
        rlh_page_encode(q, after);
    }
}

/* ---- the filter form's answer: a redirect to the URL with the PostgREST filter it wrote ---- */

/* ?_col=C&_op=O&_val=V[&_not=1]: 303 to the same URL with C=[not.]O.V instead (in.(V) for in,
 * whose V is a comma-separated list), back to the first page. */
static int add_filter(rl_request *r, const char *base, const rl_model *m)
{
    const char *col = rl_request_query(r, "_col"), *op = rl_request_query(r, "_op");
    const char *val = rl_request_query(r, "_val");
    if (!col || !*col || !op || !*op) return 0;
    bool not = rl_request_query(r, "_not") != NULL, list = strcmp(op, "in") == 0;
    rlh_buf v = {0};
    rlh_addf(&v, "%s%s.%s", not ? "not." : "", op, list ? "(" : "");
    rlh_adds(&v, val ? val : "");
    if (list) rlh_adds(&v, ")");
    rlh_links l;
    rlh_links_init(&l, r, base);
    const char *drop[] = {"_col", "_op", "_val", "_not", "_after", "offset"};
    for (size_t i = 0; i < sizeof drop / sizeof *drop; i++)
        rlh_links_set(&l, drop[i], NULL);
    if (l.nargs < 64 && v.data) l.args[l.nargs++] = (rlh_arg){col, v.data};
    rlh_buf url = {0}, href = {0};
    rlh_links_url(&url, &l, m->table, NULL);
    rlh_links_href(&href, &l, m->table, NULL);
    int rc;
    if (v.oom || href.oom || url.oom || !url.data) {
        rc = rl_respond_error(r, 500, "RL_ENOMEM", "Out of memory.", NULL, NULL);
    } else {
        rl_response_header(r, "Location", url.data);
        rlh_buf b = {0};
        rlh_page_open(&b, base, m->table, m->table);
        rlh_adds(&b, "<p><a");
        rlh_adds(&b, href.data);
        rlh_adds(&b, ">The rows so filtered.</a></p>\n");
        rlh_page_close(&b);
        rc = rlh_page_respond(r, 303, &b);
    }
    rlh_free(&v);
    rlh_free(&href);
    rlh_free(&url);
    return rc ? rc : 1;
}

/* ---- cells ------------------------------------------------------------------------------- */

static const rlh_pkey *key_at(const rlh_pkey *keys, size_t n, int field)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < keys[i].n; j++)
            if (keys[i].fields[j] == field) return j == 0 ? &keys[i] : NULL;
    return NULL;
}

static void related(rlh_buf *b, const char *base, const rlh_rset *ks, size_t k, int depth);

/* The cells of row k of rs: its columns (hidden ones left out), its parents' labels, its own
 * page's link on its key, and its embedded relations as nested tables. */
static void cells(rlh_buf *b, const char *base, const rlh_rset *rs, size_t k, const rlh_pkey *keys,
                  size_t nkeys, const char *hide, int depth)
{
    const rlh_pnode *n = rs->node;
    const void *row = (const char *)rs->items + k * rs->m->size;
    for (size_t i = 0; i < n->ncols; i++) {
        const rlh_pcol *c = &n->cols[i];
        if (rlh_page_hidden(hide, c->name)) continue;
        rl_value v = c->field == RLH_FIELD_COUNT ? rl_null() : rlh_page_field(rs->m, row, c->field);
        rlh_page_cell(b, &v, c->field == RLH_FIELD_PK ? RL_KIND_INTEGER : c->kind, CELL_CAP);
        bool is_key = c->field == RLH_FIELD_PK ||
                      (!rs->m->has_pk && rs->m->primary_key && c->field >= 0 &&
                       strcmp(rs->m->primary_key[0], rs->m->fields[c->field].name) == 0);
        if (is_key && depth == 0 && v.type != RL_V_NULL) {
            rlh_adds(b, " <a class=\"label\"");
            rlh_page_row_href(b, base, rs->m, row);
            rlh_adds(b, ">row</a>");
        }
        const rlh_pkey *key =
            c->field >= 0 || c->field == RLH_FIELD_PK ? key_at(keys, nkeys, c->field) : NULL;
        if (key) rlh_page_parent_link(b, base, rs->m, key, row, k);
        rlh_adds(b, "</td>");
    }
    for (size_t j = 0; j < n->nkids; j++) {
        if (n->kids[j].hidden) continue;
        rlh_adds(b, "<td>");
        related(b, base, &rs->kids[j], k, depth + 1);
        rlh_adds(b, "</td>");
    }
}

/* The head of a table of node n's columns and relations (hidden columns left out); with
 * links, each column's name sorts by it and a mark hides it. */
static void head(rlh_buf *b, const rlh_pnode *n, const rlh_links *links, const char *table,
                 const char *order, const char *hide)
{
    rlh_adds(b, "<thead><tr>");
    for (size_t i = 0; i < n->ncols; i++) {
        const char *name = n->cols[i].name;
        if (rlh_page_hidden(hide, name)) continue;
        rlh_adds(b, "<th scope=\"col\">");
        if (!links || n->cols[i].field == RLH_FIELD_COUNT || n->cols[i].agg != RLH_AGG_NONE) {
            rlh_html(b, name, -1);
            rlh_adds(b, "</th>");
            continue;
        }
        rlh_links l = *links;
        char asc[300], desc[300];
        snprintf(asc, sizeof asc, "%s.asc", name);
        snprintf(desc, sizeof desc, "%s.desc", name);
        bool up = order && strcmp(order, asc) == 0, down = order && strcmp(order, desc) == 0;
        rlh_links_set(&l, "order", up ? desc : asc);
        rlh_links_set(&l, "_after", NULL);
        rlh_links_set(&l, "offset", NULL);
        rlh_adds(b, "<a");
        rlh_links_href(b, &l, table, NULL);
        rlh_adds(b, " title=\"sort\">");
        rlh_html(b, name, -1);
        rlh_adds(b, up ? " \xE2\x96\xB2" : down ? " \xE2\x96\xBC" : "");
        rlh_adds(b, "</a>");
        l = *links;
        rlh_buf h = {0};
        if (hide && *hide) rlh_addf(&h, "%s,", hide);
        rlh_adds(&h, name);
        if (h.data) rlh_links_set(&l, "_hide", h.data);
        rlh_adds(b, "<a class=\"hide\"");
        rlh_links_href(b, &l, table, NULL);
        rlh_adds(b, " title=\"hide this column\" aria-label=\"hide ");
        rlh_html(b, name, -1);
        rlh_adds(b, "\">\xC3\x97</a></th>");
        rlh_free(&h);
    }
    for (size_t j = 0; j < n->nkids; j++) {
        if (n->kids[j].hidden) continue;
        rlh_adds(b, "<th scope=\"col\">");
        rlh_html(b, n->kids[j].name, -1);
        rlh_adds(b, "</th>");
    }
    rlh_adds(b, "</tr></thead>\n");
}

/* The rows of kid ks related to row k above, as a nested table (none: an empty cell). */
static void related(rlh_buf *b, const char *base, const rlh_rset *ks, size_t k, int depth)
{
    const rlh_pnode *kn = ks->node;
    size_t size = ks->groups->size[k], skip = kn->offset > 0 ? (size_t)kn->offset : 0;
    skip = skip < size ? skip : size;
    size_t from = ks->groups->start[k] + skip, count = size - skip;
    if (kn->limit >= 0 && (size_t)kn->limit < count) count = (size_t)kn->limit;
    if (!count) {
        rlh_adds(b, "<span class=\"label\">none</span>");
        return;
    }
    rlh_adds(b, "<table class=\"nested\">");
    head(b, kn, NULL, NULL, NULL, NULL);
    rlh_adds(b, "<tbody>");
    for (size_t i = from; i < from + count; i++) {
        rlh_adds(b, "<tr>");
        cells(b, base, ks, i, NULL, 0, NULL, depth);
        rlh_adds(b, "</tr>");
    }
    rlh_adds(b, "</tbody></table>");
}

/* A select= with aggregates: a row per group, its values. */
static void groups_table(rlh_buf *b, const rlh_rset *rs)
{
    rlh_adds(b, "<table>");
    head(b, rs->node, NULL, NULL, NULL, NULL);
    rlh_adds(b, "<tbody>\n");
    for (size_t k = 0; k < rs->values->rows; k++) {
        rlh_adds(b, "<tr>");
        for (size_t i = 0; i < rs->values->cols; i++) {
            const rl_value *v = &rs->values->values[k * rs->values->cols + i];
            rlh_page_cell(b, v, rs->node->cols[i].kind, CELL_CAP);
            rlh_adds(b, "</td>");
        }
        rlh_adds(b, "</tr>\n");
    }
    rlh_adds(b, "</tbody></table>\n");
}

/* ---- the pages ------------------------------------------------------------------------------ */

/* Whether the request's filters name every column of m's primary key with eq. */
static bool names_one_row(rl_request *r, const rl_model *m)
{
    const char *one[RL_MAX_KEY_FIELDS + 1] = {m->has_pk ? rlh_pk_name(m) : NULL};
    const char *const *cols = m->has_pk ? one : m->primary_key;
    if (!cols || !cols[0]) return false;
    for (size_t i = 0; cols[i]; i++) {
        const char *v = rl_request_query(r, cols[i]);
        if (!v || strncmp(v, "eq.", 3) != 0) return false;
    }
    return true;
}

/* The twins of the page: the same rows as the API gives them, as JSON and as CSV. */
static void twins(rlh_buf *b, rl_request *r, const char *base, const rl_model *m, const char *id,
                  int64_t size)
{
    rlh_links l;
    rlh_links_init(&l, r, base);
    for (size_t i = 0; i < l.nargs;) {
        if (rlh_page_arg(l.args[i].key))
            l.args[i] = l.args[--l.nargs];
        else
            i++;
    }
    char lim[24];
    snprintf(lim, sizeof lim, "%lld", (long long)size);
    if (!id && !rl_request_query(r, "limit")) rlh_links_set(&l, "limit", lim);
    rlh_adds(b, "<p class=\"twins\">These rows as <a");
    rlh_links_set(&l, "_format", "json");
    rlh_links_href(b, &l, m->table, id);
    rlh_adds(b, ">JSON</a> or <a");
    rlh_links_set(&l, "_format", "csv");
    rlh_links_href(b, &l, m->table, id);
    rlh_adds(b, ">CSV</a>.</p>\n");
}

/* The pager under a table page: the next page (by the key after the last row, else by
 * offset), and the first. */
static void pager(rlh_buf *b, rl_request *r, const char *base, const rl_model *m,
                  const rlh_result *res, int64_t size)
{
    rlh_links l;
    rlh_links_init(&l, r, base);
    int64_t n = (int64_t)res->root.count;
    bool more = n == size && (res->total < 0 || res->root.node->offset + n < res->total);
    rlh_adds(b, "<nav class=\"pager\">");
    if (rl_request_query(r, "_after") || rl_request_query(r, "offset")) {
        rlh_links f = l;
        rlh_links_set(&f, "_after", NULL);
        rlh_links_set(&f, "offset", NULL);
        rlh_adds(b, "<a rel=\"first\"");
        rlh_links_href(b, &f, m->table, NULL);
        rlh_adds(b, ">first page</a>");
    }
    if (more && !res->root.values && !rl_request_query(r, "limit")) {
        char next[32];
        if (keyset(r, m)) {
            const void *last = (const char *)res->root.items + (size_t)(n - 1) * m->size;
            snprintf(next, sizeof next, "%lld", (long long)rlh_row_pk(m, last));
            rlh_links_set(&l, "_after", next);
        } else {
            snprintf(next, sizeof next, "%lld", (long long)(res->root.node->offset + n));
            rlh_links_set(&l, "offset", next);
        }
        rlh_adds(b, "<a rel=\"next\"");
        rlh_links_href(b, &l, m->table, NULL);
        rlh_adds(b, ">next page</a>");
    }
    rlh_adds(b, "</nav>\n");
}

/* The table of rows, with the labels of their keys. */
static void rows_table(rlh_buf *b, rl_request *r, const char *base, const rl_model *m,
                       const rlh_result *res, const rlh_pkey *keys, size_t nkeys)
{
    const char *hide = rl_request_query(r, "_hide");
    rlh_links l;
    rlh_links_init(&l, r, base);
    if (res->root.values) {
        groups_table(b, &res->root);
        return;
    }
    rlh_adds(b, "<table class=\"rows\">\n");
    head(b, res->root.node, &l, m->table, rl_request_query(r, "order"), hide);
    rlh_adds(b, "<tbody>\n");
    for (size_t k = 0; k < res->root.count; k++) {
        rlh_adds(b, "<tr>");
        cells(b, base, &res->root, k, keys, nkeys, hide, 0);
        rlh_adds(b, "</tr>\n");
    }
    rlh_adds(b, "</tbody></table>\n");
    if (hide && *hide) {
        rlh_links_set(&l, "_hide", NULL);
        rlh_adds(b, "<p class=\"meta\"><a");
        rlh_links_href(b, &l, m->table, NULL);
        rlh_adds(b, ">Show every column</a></p>\n");
    }
}

/* One row: its columns, and what refers to it. */
static void row_page(rlh_buf *b, rl_request *r, const char *base, const rl_model *m, const char *id,
                     const rlh_result *res, const rlh_pkey *keys, size_t nkeys)
{
    const rlh_pnode *n = res->root.node;
    const void *row = res->root.items;
    rlh_adds(b, "<h1>");
    rlh_html(b, m->table, -1);
    rlh_adds(b, "</h1>\n<dl class=\"row\">\n");
    for (size_t i = 0; i < n->ncols; i++) {
        const rlh_pcol *c = &n->cols[i];
        rl_value v = rlh_page_field(m, row, c->field);
        rlh_adds(b, "<dt>");
        rlh_html(b, c->name, -1);
        rlh_adds(b, "</dt><dd>");
        rlh_buf cell = {0};
        rlh_page_cell(&cell, &v, c->field == RLH_FIELD_PK ? RL_KIND_INTEGER : c->kind, 0);
        const char *gt = cell.data ? strchr(cell.data, '>') : NULL; /* the value without <td> */
        if (gt) rlh_adds(b, gt + 1);
        b->oom |= cell.oom;
        rlh_free(&cell);
        const rlh_pkey *key = key_at(keys, nkeys, c->field);
        if (key) rlh_page_parent_link(b, base, m, key, row, 0);
        rlh_adds(b, "</dd>\n");
    }
    for (size_t j = 0; j < n->nkids; j++) {
        if (n->kids[j].hidden) continue;
        rlh_adds(b, "<dt>");
        rlh_html(b, n->kids[j].name, -1);
        rlh_adds(b, "</dt><dd>");
        related(b, base, &res->root.kids[j], 0, 1);
        rlh_adds(b, "</dd>\n");
    }
    rlh_adds(b, "</dl>\n");
    rlh_page_referrers(b, rl_request_db(r), rl_request_models(r), base, m, row);
    unsigned can = rlh_read_only(r) ? 0 : rl_models_writable(rl_request_models(r), m);
    if (can & RL_WRITE_UPDATE) {
        rlh_adds(b, "<details class=\"edit\"><summary>Edit this row</summary>\n");
        rlh_page_form(b, r, base, m, row, id, NULL, NULL, NULL);
        rlh_adds(b, "</details>\n");
    }
    if (can & RL_WRITE_DELETE) {
        rlh_links l;
        rlh_links_init(&l, r, base);
        rlh_links_set(&l, "_confirm", "delete");
        rlh_adds(b, "<p><a class=\"delete\"");
        rlh_links_href(b, &l, m->table, id);
        rlh_adds(b, ">Delete this row\xE2\x80\xA6</a></p>\n");
    }
}

int rlh_page_rows(rl_request *r, const char *base, const rl_model *m, const char *id)
{
    if (!id && add_filter(r, base, m)) return 0;
    rl_value key;
    if (id && (!m->has_pk || !rlh_parse_value(id, -1, &key))) return rlh_bad_key(r, m, id);
    int64_t size = page_size(r);
    rlh_buf q = {0};
    api_query(r, m, &q, size);
    rlh_req *req = NULL;
    rlh_plan *p = q.oom ? NULL
                        : rlh_query_planned(r, m, id, m->has_pk && !rl_request_query(r, "order"),
                                            q.data ? q.data : "", &req);
    rlh_free(&q);
    if (!p)
        return r->response ? 0
                           : rl_respond_error(r, 500, "RL_ENOMEM", "Out of memory.", NULL, NULL);
    rl_db *db = rl_request_db(r);
    rlh_exec_count count = {id ? RLH_COUNT_NONE : RLH_COUNT_ESTIMATED, 10000};
    rlh_result res;
    rlh_exec_error err;
    int rc = rlh_exec_read(db, p, &count, &res, &err);
    if (rc != RL_OK) {
        rc = rc == RL_EINVAL && err.e.code ? rlh_answer_error(r, &err.e)
                                           : rlh_db_error(r, db, -1, NULL);
    } else if (id && res.root.count != 1) {
        const rlh_perror e = {404,
                              "PGRST116",
                              "Cannot coerce the result to a single JSON object",
                              NULL,
                              NULL,
                              "No row has this key.",
                              "RL_ENOTFOUND",
                              NULL};
        rc = rlh_answer_error(r, &e);
    } else {
        rlh_pkey keys[MAX_KEYS];
        size_t nkeys = res.root.values ? 0 : rlh_page_keys(m, keys, MAX_KEYS);
        rlh_page_labels(db, m, keys, nkeys, res.root.items, res.root.count);
        rlh_buf b = {0};
        bool one = id || (res.root.count == 1 && !res.root.values && names_one_row(r, m));
        rlh_page_open(&b, base, m->table, m->table);
        const char *confirm = rl_request_query(r, "_confirm");
        if (one && confirm && !strcmp(confirm, "delete")) {
            rlh_page_confirm_delete(&b, r, base, m, res.root.items, id);
        } else if (one) {
            row_page(&b, r, base, m, id, &res, keys, nkeys);
        } else {
            rlh_adds(&b, "<h1>");
            rlh_html(&b, m->table, -1);
            rlh_adds(&b, "</h1>\n<p class=\"meta\">");
            int64_t from = res.root.node->offset, n = (int64_t)res.root.count;
            if (n)
                rlh_addf(&b, "Rows %lld to %lld", (long long)from + 1, (long long)(from + n));
            else
                rlh_adds(&b, "No rows");
            if (res.total >= 0)
                rlh_addf(&b, " of %s%lld", res.total_estimated ? "about " : "",
                         (long long)res.total);
            rlh_adds(&b, ".</p>\n");
            rlh_page_find(&b, r, base, m, p, res.total);
            rows_table(&b, r, base, m, &res, keys, nkeys);
            pager(&b, r, base, m, &res, size);
            if (!rlh_read_only(r) &&
                (rl_models_writable(rl_request_models(r), m) & RL_WRITE_INSERT)) {
                rlh_adds(&b, "<details class=\"edit\"><summary>Add a row</summary>\n");
                rlh_page_form(&b, r, base, m, NULL, NULL, NULL, NULL, NULL);
                rlh_adds(&b, "</details>\n");
            }
        }
        twins(&b, r, base, m, id, size);
        rlh_page_close(&b);
        rlh_page_keys_free(keys, nkeys);
        rc = rlh_page_respond(r, 200, &b);
    }
    rlh_result_free(&res);
    rlh_plan_free(p);
    rlh_req_free(req);
    return rc;
}

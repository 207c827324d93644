/*
 * The home page (/): every table and view with its rows counted (exactly up to COUNT_CAP,
 * the engine's estimate beyond, said so), what it references, and a diagram of the keys:
 * each table a box in the column of its depth (a table that references none at the left, a
 * child to the right of its parents), a line from each child to each parent (the list above
 * it has the links: links inside SVG are not HTML that every checker takes).
 */
#include "page.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { COUNT_CAP = 10000, DIAGRAM_MAX = 80, BOX_W = 170, BOX_H = 26, COL_W = 230, ROW_H = 40 };

/* The rows of m, exactly up to COUNT_CAP (*about false), else the estimate; -1 when neither
 * can be read. */
static int64_t rows_of(rl_db *db, const rl_model *m, bool *about)
{
    int64_t n = -1;
    *about = false;
    rl_query *q = rl_select(db, m);
    if (q && rlh_count_estimated(db, q, COUNT_CAP, &n, about) != RL_OK) { /* then the count */
        *about = false;
        if (rl_count(q, &n) != RL_OK) n = -1;
    }
    rl_query_free(q);
    return n;
}

static void href(rlh_buf *b, const char *base, const char *table)
{
    rlh_buf u = {0};
    rlh_adds(&u, base);
    rlh_page_encode(&u, table);
    rlh_adds(b, "href=\"");
    if (u.data) rlh_html(b, u.data, (long)u.len);
    rlh_adds(b, "\"");
    b->oom |= u.oom;
    rlh_free(&u);
}

/* The index of model m among ms, or -1. */
static long index_of(const rl_models *ms, const rl_model *m)
{
    for (size_t i = 0; i < rl_models_count(ms); i++)
        if (rl_models_get(ms, i) == m) return (long)i;
    return -1;
}

/* The diagram of the keys between the tables (not the views) of ms. */
static void diagram(rlh_buf *b, const rl_models *ms)
{
    size_t n = rl_models_count(ms), ntables = 0;
    if (n > DIAGRAM_MAX) return;
    int depth[DIAGRAM_MAX] = {0}, row[DIAGRAM_MAX] = {0}, per[DIAGRAM_MAX] = {0};
    rlh_pkey keys[32];
    for (size_t pass = 0; pass < n; pass++) { /* the longest path to a table that has no key */
        bool moved = false;
        for (size_t i = 0; i < n; i++) {
            const rl_model *m = rl_models_get(ms, i);
            if (rl_models_is_view(ms, m)) continue;
            size_t nk = rlh_page_keys(m, keys, 32);
            for (size_t k = 0; k < nk; k++) {
                long j = index_of(ms, keys[k].parent);
                if (j >= 0 && (size_t)j != i && depth[j] + 1 > depth[i] && depth[j] + 1 < (int)n) {
                    depth[i] = depth[j] + 1;
                    moved = true;
                }
            }
        }
        if (!moved) break;
    }
    int width = 0, height = 0;
    for (size_t i = 0; i < n; i++) {
        if (rl_models_is_view(ms, rl_models_get(ms, i))) continue;
        ntables++;
        row[i] = per[depth[i]]++;
        if (10 + depth[i] * COL_W + BOX_W + 10 > width) width = 10 + depth[i] * COL_W + BOX_W + 10;
        if (10 + row[i] * ROW_H + BOX_H + 10 > height) height = 10 + row[i] * ROW_H + BOX_H + 10;
    }
    if (!ntables) return;
    rlh_addf(b,
             "<h2>Keys</h2>\n<svg class=\"diagram\" role=\"img\" aria-label=\"which table "
             "references which\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
             "width=\"%d\" height=\"%d\">\n",
             width, height, width, height);
    for (size_t i = 0; i < n; i++) { /* the lines first, under the boxes */
        const rl_model *m = rl_models_get(ms, i);
        if (rl_models_is_view(ms, m)) continue;
        size_t nk = rlh_page_keys(m, keys, 32);
        for (size_t k = 0; k < nk; k++) {
            long j = index_of(ms, keys[k].parent);
            if (j < 0 || rl_models_is_view(ms, keys[k].parent)) continue;
            rlh_addf(b, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n", 10 + depth[i] * COL_W,
                     10 + row[i] * ROW_H + BOX_H / 2, 10 + depth[j] * COL_W + BOX_W,
                     10 + row[j] * ROW_H + BOX_H / 2);
        }
    }
    for (size_t i = 0; i < n; i++) {
        const rl_model *m = rl_models_get(ms, i);
        if (rl_models_is_view(ms, m)) continue;
        int x = 10 + depth[i] * COL_W, y = 10 + row[i] * ROW_H;
        rlh_addf(b,
                 "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"4\"/>"
                 "<text x=\"%d\" y=\"%d\">",
                 x, y, BOX_W, BOX_H, x + 8, y + 17);
        size_t len = strlen(m->table), cut = len > 24 ? 22 : len;
        while (cut < len && cut && ((unsigned char)m->table[cut] & 0xC0) == 0x80)
            cut--;
        rlh_html(b, m->table, (long)cut);
        if (cut < len) rlh_adds(b, "\xE2\x80\xA6");
        rlh_adds(b, "</text>\n");
    }
    rlh_adds(b, "</svg>\n");
}

int rlh_page_home(rl_request *r, const char *base)
{
    const rl_models *ms = rl_request_models(r);
    rl_db *db = rl_request_db(r);
    rlh_buf b = {0};
    rlh_pkey keys[32];
    rlh_page_open(&b, base, "database", NULL);
    rlh_adds(&b, "<h1>Tables</h1>\n<table class=\"tables\">\n<thead><tr><th scope=\"col\">name</th>"
                 "<th scope=\"col\">rows</th><th scope=\"col\">references</th></tr></thead>\n"
                 "<tbody>\n");
    for (size_t i = 0; i < rl_models_count(ms); i++) {
        const rl_model *m = rl_models_get(ms, i);
        bool about;
        int64_t n = rows_of(db, m, &about);
        rlh_adds(&b, "<tr><td><a ");
        href(&b, base, m->table);
        rlh_adds(&b, ">");
        rlh_html(&b, m->table, -1);
        rlh_adds(&b, "</a>");
        if (rl_models_is_view(ms, m)) rlh_adds(&b, " <span class=\"label\">view</span>");
        rlh_adds(&b, "</td><td class=\"num\">");
        if (n >= 0) rlh_addf(&b, "%s%lld", about ? "about " : "", (long long)n);
        rlh_adds(&b, "</td><td>");
        size_t nk = rlh_page_keys(m, keys, 32);
        for (size_t k = 0; k < nk; k++) {
            rlh_adds(&b, k ? ", <a " : "<a ");
            href(&b, base, keys[k].parent->table);
            rlh_adds(&b, ">");
            rlh_html(&b, keys[k].parent->table, -1);
            rlh_adds(&b, "</a> <span class=\"label\">(");
            rlh_html(&b, keys[k].name, -1);
            rlh_adds(&b, ")</span>");
        }
        rlh_adds(&b, "</td></tr>\n");
    }
    rlh_addf(&b,
             "</tbody></table>\n<p class=\"meta\">Rows are counted exactly up to %d; beyond, "
             "the number is the engine's estimate.</p>\n",
             COUNT_CAP);
    diagram(&b, ms);
    rlh_adds(&b, "<p class=\"twins\">The API's description: <a ");
    rlh_buf u = {0};
    rlh_adds(&u, base);
    rlh_adds(&u, "openapi.json");
    href(&b, u.data ? u.data : "/", "");
    rlh_free(&u);
    rlh_adds(&b, ">OpenAPI</a>.</p>\n");
    rlh_page_close(&b);
    return rlh_page_respond(r, 200, &b);
}

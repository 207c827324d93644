/*
 * The render stage's JSON for reads: the rows of an executed plan (exec.h) as PostgREST writes
 * them.  Each row is an object of its node's columns (under their aliases), then a member per
 * embedded relation: an object or null for a to-one relation (and for a to-many one through a
 * key that is unique in the child), an array otherwise, cut to the relation's own offset and
 * limit for each row; a spread relation's columns (and its own relations) go among the row's
 * own members instead.  With nulls stripped, a member whose value is null is left out.
 */
#include "answer.h"
#include "cast.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* Row k of rs. */
static const void *row_at(const rlh_rset *rs, size_t k)
{
    return (const char *)rs->items + k * rs->m->size;
}

/* A member's name (the plan's ",\"name\":", its comma left out for the first). */
static void member(rlh_buf *b, bool *first, const char *m, size_t len)
{
    size_t skip = *first ? 1 : 0;
    rlh_add(b, m + skip, len - skip);
    *first = false;
}

/* Value v of column c as JSON. */
static void cell(rlh_buf *b, const rlh_pcol *c, const rl_value *v)
{
    const char *why;
    if (!c->cast)
        rlh_json_value(b, v, c->kind);
    else if (!rlh_cast_write(b, v, c->kind, c->cast_type, &why))
        rlh_adds(b, "null");
}

/* The value of column i of row k of rs. */
static void value(rlh_buf *b, const rlh_rset *rs, size_t k, size_t i)
{
    rl_value v = rlh_cell(rs, k, i);
    cell(b, &rs->node->cols[i], &v);
}

/* The rows of kid ks related to row k above: the first index and how many, after the kid's
 * own offset and limit. */
static void slice(const rlh_rset *ks, size_t k, size_t *from, size_t *n)
{
    if (ks->starts) { /* rows of aggregates, each parent's */
        *from = ks->starts[k];
        *n = ks->sizes[k];
        return;
    }
    const rlh_pnode *kn = ks->node;
    size_t size = ks->groups->size[k];
    size_t skip = kn->offset > 0 ? (size_t)kn->offset : 0;
    skip = skip < size ? skip : size;
    *from = ks->groups->start[k] + skip;
    *n = size - skip;
    if (kn->limit >= 0 && (size_t)kn->limit < *n) *n = (size_t)kn->limit;
}

static void object(rlh_buf *b, const rlh_rset *rs, size_t k, bool strip);
static void related(rlh_buf *b, const rlh_rset *ks, size_t from, size_t count, bool strip);

/* The members of row k of rs (NULL row: a spread relation that has none, every column
 * null), after *first. */
/* Value i of group k of rs (a select= with aggregates). */
static void group_value(rlh_buf *b, const rlh_rset *rs, size_t k, size_t i)
{
    const rlh_pcol *c = &rs->node->cols[i];
    const rl_value *v = &rs->values->values[k * rs->values->cols + i];
    const char *why;
    if (!c->cast)
        rlh_json_value(b, v, c->kind);
    else if (!rlh_cast_write(b, v, c->kind, c->cast_type, &why))
        rlh_adds(b, "null");
}

static void members(rlh_buf *b, const rlh_rset *rs, size_t k, bool has_row, bool strip, bool *first)
{
    const rlh_pnode *n = rs->node;
    bool row = has_row && !rs->values; /* a row of rs (else a group's values, or none) */
    for (size_t i = 0; i < n->ncols; i++) {
        const rlh_pcol *c = &n->cols[i];
        rl_value v = row ? rlh_cell(rs, k, i) : rl_null();
        bool null = rs->values ? rs->values->values[k * rs->values->cols + i].type == RL_V_NULL
                               : v.type == RL_V_NULL;
        if (strip && null) continue;
        member(b, first, c->member, c->member_len);
        if (null)
            rlh_adds(b, "null");
        else if (rs->values)
            group_value(b, rs, k, i);
        else
            cell(b, c, &v);
    }
    for (size_t j = 0; j < n->nkids; j++) {
        const rlh_rset *ks = &rs->kids[j];
        const rlh_pnode *kn = ks->node;
        if (kn->hidden) continue;
        size_t from = 0, count = 0;
        if (has_row) slice(ks, k, &from, &count);
        if (kn->spread) {
            members(b, ks, from, count > 0, strip, first);
            continue;
        }
        bool array = kn->way.rel != RLH_TO_ONE && !kn->way.single;
        if (!array && count == 0 && strip) continue;
        member(b, first, kn->member, kn->member_len);
        related(b, ks, from, count, strip);
    }
}

/* The rows of kid ks from..from+count-1: an object or null (to-one), else an array. */
static void related(rlh_buf *b, const rlh_rset *ks, size_t from, size_t count, bool strip)
{
    const rlh_pnode *kn = ks->node;
    if (kn->way.rel == RLH_TO_ONE || kn->way.single) {
        if (count)
            object(b, ks, from, strip);
        else
            rlh_adds(b, "null");
        return;
    }
    rlh_add(b, "[", 1);
    for (size_t r = from; r < from + count; r++) {
        if (r > from) rlh_add(b, ",", 1);
        object(b, ks, r, strip);
    }
    rlh_add(b, "]", 1);
}

static void object(rlh_buf *b, const rlh_rset *rs, size_t k, bool strip)
{
    bool first = true;
    rlh_add(b, "{", 1);
    members(b, rs, k, true, strip, &first);
    rlh_add(b, "}", 1);
}

void rlh_answer_object(rlh_buf *b, const rlh_result *res, size_t k, bool strip_nulls)
{
    object(b, &res->root, k, strip_nulls);
}

void rlh_answer_json(rlh_buf *b, const rlh_result *res, bool strip_nulls)
{
    rlh_add(b, "[", 1);
    for (size_t k = 0; k < res->root.count; k++) {
        if (k) rlh_add(b, ",", 1);
        object(b, &res->root, k, strip_nulls);
    }
    rlh_add(b, "]", 1);
}

/* ---- CSV ------------------------------------------------------------------------------------ */

/* One CSV field: as it is, or in double quotes (inner ones doubled) when it holds a comma, a
 * quote, a line end, or space at an end. */
static void csv_field(rlh_buf *b, const char *s, size_t n)
{
    bool quote = n && (strpbrk(s, ",\"\r\n") || s[0] == ' ' || s[n - 1] == ' ');
    if (!quote) {
        rlh_add(b, s, n);
        return;
    }
    rlh_add(b, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"') rlh_add(b, "\"", 1);
        rlh_add(b, &s[i], 1);
    }
    rlh_add(b, "\"", 1);
}

/* A value written as JSON in t (then freed), as CSV: a string as its text, null as nothing,
 * the rest as their JSON text. */
static void csv_of_json(rlh_buf *b, rlh_buf *t)
{
    json_t *text =
        t->len && t->data[0] == '"' ? json_loadb(t->data, t->len, JSON_DECODE_ANY, NULL) : NULL;
    if (text)
        csv_field(b, json_string_value(text), json_string_length(text));
    else if (!t->oom && !(t->len == 4 && memcmp(t->data, "null", 4) == 0))
        csv_field(b, t->data ? t->data : "", t->len);
    json_decref(text);
    rlh_free(t);
}

/* Column i of row k of rs as CSV: text as it is, NULL as nothing, the rest as their JSON
 * text. */
static void csv_value(rlh_buf *b, const rlh_rset *rs, size_t k, size_t i)
{
    const rlh_pcol *c = &rs->node->cols[i];
    rl_value cell = rlh_cell(rs, k, i);
    if (c->field >= 0 || c->njson) {
        const rl_value *v = &cell;
        if (v->type == RL_V_NULL) return;
        if (v->type == RL_V_TEXT && !c->cast) {
            csv_field(b, v->u.s, strlen(v->u.s));
            return;
        }
        if (v->type == RL_V_REAL && !c->cast) { /* as PostgreSQL writes a double: 0, 9.5, 1e+20 */
            char num[32];
            double x = v->u.r;
            if (isnan(x) || isinf(x)) {
                snprintf(num, sizeof num, "%s",
                         isnan(x) ? "NaN"
                         : x > 0  ? "Infinity"
                                  : "-Infinity");
            } else {
                rlh_real_text(x, num);
            }
            rlh_adds(b, num);
            return;
        }
    }
    rlh_buf t = {0};
    value(&t, rs, k, i);
    csv_of_json(b, &t);
}

void rlh_answer_csv(rlh_buf *b, const rlh_result *res)
{
    const rlh_rset *rs = &res->root;
    const rlh_pnode *n = rs->node;
    for (size_t i = 0; i < n->ncols; i++) { /* the header: the members' names */
        if (i) rlh_add(b, ",", 1);
        csv_field(b, n->cols[i].name, strlen(n->cols[i].name));
    }
    for (size_t j = 0; j < n->nkids; j++) {
        if (n->ncols || j) rlh_add(b, ",", 1);
        csv_field(b, n->kids[j].name, strlen(n->kids[j].name));
    }
    for (size_t k = 0; k < rs->count; k++) {
        rlh_add(b, "\n", 1);
        const void *row = rs->values ? NULL : row_at(rs, k);
        for (size_t i = 0; i < n->ncols; i++) {
            if (i) rlh_add(b, ",", 1);
            if (!row) { /* a group's value */
                rlh_buf t = {0};
                group_value(&t, rs, k, i);
                csv_of_json(b, &t);
                continue;
            }
            csv_value(b, rs, k, i);
        }
        for (size_t j = 0; j < n->nkids; j++) { /* related rows: their JSON in one field */
            if (n->ncols || j) rlh_add(b, ",", 1);
            size_t from, count;
            slice(&rs->kids[j], k, &from, &count);
            rlh_buf t = {0};
            related(&t, &rs->kids[j], from, count, false);
            if (!t.oom) csv_field(b, t.data ? t.data : "", t.len);
            rlh_free(&t);
        }
    }
}

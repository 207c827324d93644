/*
 * The values of a read's cells: a column's own, or for a select= item with a JSON path
 * (data->a->>b, data->0) the value the path reaches in the column's JSON document (a JSON
 * array column's too), found here in the text the database gave, byte for byte: ->> gives a
 * string's text, null as NULL, any other value as its JSON text; -> the value as JSON.  A path
 * that leads nowhere (a key of an array, an index of an object, past the end) or a column that
 * holds no JSON reaches NULL, as PostgreSQL's operators do.  Conditions and orderings through
 * a path are the database's (rl_where_json, rl_order_by_json).
 */
#include "exec.h"
#include "cast.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *blanks(const char *p)
{
    while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
        p++;
    return p;
}

/* The end of the string at p (its opening quote). */
static const char *string_end(const char *p)
{
    for (p++; *p && *p != '"'; p++)
        if (*p == '\\' && p[1]) p++;
    return *p ? p + 1 : p;
}

/* The end of the value at p (a document already known to be valid JSON). */
static const char *value_end(const char *p)
{
    if (*p == '"') return string_end(p);
    if (*p != '{' && *p != '[') {
        while (*p && !strchr(",}] \t\n\r", *p))
            p++;
        return p;
    }
    int depth = 0;
    for (; *p; p++) {
        if (*p == '"') {
            p = string_end(p) - 1;
        } else if (*p == '{' || *p == '[') {
            depth++;
        } else if ((*p == '}' || *p == ']') && --depth == 0) {
            return p + 1;
        }
    }
    return p;
}

/* Whether the JSON string [s, e) is key. */
static bool key_is(const char *s, const char *e, const char *key)
{
    size_t n = (size_t)(e - s);
    if (!memchr(s, '\\', n)) return n - 2 == strlen(key) && memcmp(s + 1, key, n - 2) == 0;
    json_t *j = json_loadb(s, n, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    bool same = j && json_string_length(j) == strlen(key) &&
                memcmp(json_string_value(j), key, strlen(key)) == 0;
    json_decref(j);
    return same;
}

/* The value step s reaches inside the value at p, or NULL. */
static const char *step_into(const char *p, const rlh_jstep *s)
{
    if (*p == '{' && !s->index) {
        for (p = blanks(p + 1); *p == '"'; p = blanks(p + 1)) {
            const char *k = p, *ke = string_end(p);
            const char *v = blanks(blanks(ke) + 1); /* past the colon */
            if (key_is(k, ke, s->key)) return v;
            p = blanks(value_end(v));
            if (*p != ',') return NULL;
        }
        return NULL;
    }
    if (*p != '[' || !s->index) return NULL;
    long want = strtol(s->key, NULL, 10), n = 0;
    if (want < 0) { /* from the end: count them first */
        for (const char *q = blanks(p + 1); *q && *q != ']'; n++) {
            q = blanks(value_end(q));
            q = blanks(q + (*q == ','));
        }
        want += n;
        if (want < 0) return NULL;
    }
    n = 0;
    for (p = blanks(p + 1); *p && *p != ']'; n++) {
        if (n == want) return p;
        p = blanks(value_end(p));
        p = blanks(p + (*p == ','));
    }
    return NULL;
}

/* The value the path of c reaches in v (a JSON document as text), into *out (text malloc'd);
 * false when out of memory. */
static bool reach(const rl_value *v, const rlh_pcol *c, rl_value *out)
{
    *out = rl_null();
    if (v->type != RL_V_TEXT) return true;
    json_t *doc = json_loads(v->u.s, JSON_DECODE_ANY, NULL); /* only a valid document is read */
    if (!doc) return true;
    json_decref(doc);
    const char *p = blanks(v->u.s);
    for (size_t i = 0; p && i < c->njson; i++)
        p = step_into(p, &c->json[i]);
    if (!p) return true;
    const char *e = value_end(p);
    if ((size_t)(e - p) == 4 && memcmp(p, "null", 4) == 0) return true;
    char *text;
    if (*p == '"' && c->json[c->njson - 1].text) { /* ->> of a string: its text */
        json_t *s = json_loadb(p, (size_t)(e - p), JSON_DECODE_ANY, NULL);
        text = s ? strdup(json_string_value(s)) : NULL;
        json_decref(s);
    } else {
        text = strndup(p, (size_t)(e - p));
    }
    if (!text) return false;
    *out = rl_text(text);
    return true;
}

/* The casts of rs's columns, tried on every row (and its kids'): the first value its type
 * cannot take is the request's error, as PostgreSQL words it. */
static int check_casts(const rlh_rset *rs, rlh_exec_error *err)
{
    const rlh_pnode *n = rs->node;
    for (size_t i = 0; i < n->ncols; i++) {
        const rlh_pcol *c = &n->cols[i];
        for (size_t k = 0; c->cast && k < rs->count; k++) {
            rl_value v = rlh_cell(rs, k, i);
            const char *why;
            if (rlh_cast_write(NULL, &v, c->kind, c->cast_type, &why)) continue;
            char shown[160];
            rlh_buf t = {0};
            rlh_json_value(&t, &v, c->kind);
            snprintf(shown, sizeof shown, "%.150s", t.data ? t.data : "");
            rlh_free(&t);
            if (shown[0] == '"') { /* PostgreSQL shows the text itself, in its own quotes */
                memmove(shown, shown + 1, strlen(shown));
                if (*shown && shown[strlen(shown) - 1] == '"') shown[strlen(shown) - 1] = '\0';
            }
            return strcmp(why, "22003") == 0
                       ? rlh_exec_fail(err, 400, why, NULL,
                                       "value \"%s\" is out of range for type %s", shown,
                                       rlh_cast_name(c->cast_type))
                       : rlh_exec_fail(err, 400, why, NULL,
                                       "invalid input syntax for type %s: \"%s\"",
                                       rlh_cast_name(c->cast_type), shown);
        }
    }
    for (size_t j = 0; rs->kids && j < n->nkids; j++) {
        int rc = check_casts(&rs->kids[j], err);
        if (rc != RL_OK) return rc;
    }
    return RL_OK;
}

/* The values of the columns of rs (and its kids) through a JSON path. */
static int paths_of(rlh_rset *rs)
{
    const rlh_pnode *n = rs->node;
    bool any = false;
    for (size_t i = 0; i < n->ncols; i++)
        any |= n->cols[i].njson > 0;
    if (any && rs->count && !rs->values && !rs->all_cells) {
        if (!(rs->paths = calloc(rs->count * n->ncols, sizeof *rs->paths))) return RL_ENOMEM;
        for (size_t k = 0; k < rs->count; k++)
            for (size_t i = 0; i < n->ncols; i++) {
                const rlh_pcol *c = &n->cols[i];
                if (!c->njson || c->field < 0) continue; /* the integer key holds no JSON */
                const void *row = (const char *)rs->items + k * rs->m->size;
                const rl_value *v = &rl_row_values(rs->m, (void *)row)[c->field];
                if (!reach(v, c, &rs->paths[k * n->ncols + i])) return RL_ENOMEM;
            }
    }
    for (size_t j = 0; rs->kids && j < n->nkids; j++) {
        int rc = paths_of(&rs->kids[j]);
        if (rc != RL_OK) return rc;
    }
    return RL_OK;
}

int rlh_cells_of(rlh_rset *rs, rlh_exec_error *err)
{
    int rc = paths_of(rs);
    return rc == RL_OK ? check_casts(rs, err) : rc;
}

void rlh_cells_free(rlh_rset *rs)
{
    for (size_t x = 0; rs->paths && x < rs->count * rs->node->ncols; x++)
        if (rs->paths[x].type == RL_V_TEXT) free((char *)rs->paths[x].u.s);
    free(rs->paths);
    rs->paths = NULL;
}

/* The n steps at s as the query API takes them into out (room for RLH_MAX_STEPS); how many
 * (n + 1 past the limit, which the query API refuses). */
enum { RLH_MAX_STEPS = 64 };
static size_t steps_of(const rlh_jstep *s, size_t n, rl_json_step *out)
{
    for (size_t i = 0; i < n && i < RLH_MAX_STEPS; i++)
        out[i] = (rl_json_step){s[i].key, s[i].index};
    return n <= RLH_MAX_STEPS ? n : RLH_MAX_STEPS + 1;
}

int rlh_where_path(rl_query *q, const char *field, const rlh_jstep *s, size_t n, rl_op op,
                   rl_value v)
{
    rl_json_step steps[RLH_MAX_STEPS + 1];
    return rl_where_json(q, field, steps, steps_of(s, n, steps), s[n - 1].text, op, v);
}

int rlh_agg_path(rl_query *q, rl_agg agg, const char *field, const rlh_jstep *s, size_t n,
                 rl_kind cast)
{
    rl_json_step steps[RLH_MAX_STEPS + 1];
    size_t count = n ? steps_of(s, n, steps) : 0;
    return rl_select_agg_of(q, agg, field, steps, count, n && s[n - 1].text, cast);
}

int rlh_order_path(rl_query *q, const char *field, const rlh_jstep *s, size_t n, rl_order dir)
{
    rl_json_step steps[RLH_MAX_STEPS + 1];
    return rl_order_by_json(q, field, steps, steps_of(s, n, steps), s[n - 1].text, dir);
}

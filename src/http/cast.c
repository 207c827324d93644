/*
 * Casts in select= (col::type): the types a cast may name, as PostgreSQL spells them, and a
 * value of a column written as that type, as PostgreSQL's cast would give it.  A cast is done
 * on the rows read, the same way on every engine; a value the type cannot take is the request's
 * error, found before anything is written (rlh_cast_check).
 */
#include "cast.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct {
    const char *name;
    rlh_cast to;
    int64_t lo, hi; /* the integers the type holds */
} types[] = {
    {"text", RLH_CAST_TEXT, 0, 0},
    {"varchar", RLH_CAST_TEXT, 0, 0},
    {"char", RLH_CAST_TEXT, 0, 0},
    {"bpchar", RLH_CAST_TEXT, 0, 0},
    {"name", RLH_CAST_TEXT, 0, 0},
    {"smallint", RLH_CAST_INTEGER, -32768, 32767},
    {"int2", RLH_CAST_INTEGER, -32768, 32767},
    {"integer", RLH_CAST_INTEGER, INT32_MIN, INT32_MAX},
    {"int", RLH_CAST_INTEGER, INT32_MIN, INT32_MAX},
    {"int4", RLH_CAST_INTEGER, INT32_MIN, INT32_MAX},
    {"bigint", RLH_CAST_INTEGER, INT64_MIN, INT64_MAX},
    {"int8", RLH_CAST_INTEGER, INT64_MIN, INT64_MAX},
    {"real", RLH_CAST_REAL, 0, 0},
    {"float4", RLH_CAST_REAL, 0, 0},
    {"float8", RLH_CAST_REAL, 0, 0},
    {"float", RLH_CAST_REAL, 0, 0},
    {"numeric", RLH_CAST_NUMERIC, 0, 0},
    {"decimal", RLH_CAST_NUMERIC, 0, 0},
    {"boolean", RLH_CAST_BOOLEAN, 0, 0},
    {"bool", RLH_CAST_BOOLEAN, 0, 0},
    {"json", RLH_CAST_JSON, 0, 0},
    {"jsonb", RLH_CAST_JSON, 0, 0},
    /* arrays, by PostgreSQL's names of their types: each element cast to the type after "_" */
    {"_text", RLH_CAST_ARRAY, 0, 0},
    {"_varchar", RLH_CAST_ARRAY, 0, 0},
    {"_int2", RLH_CAST_ARRAY, 0, 0},
    {"_int4", RLH_CAST_ARRAY, 0, 0},
    {"_int8", RLH_CAST_ARRAY, 0, 0},
    {"_float4", RLH_CAST_ARRAY, 0, 0},
    {"_float8", RLH_CAST_ARRAY, 0, 0},
    {"_numeric", RLH_CAST_ARRAY, 0, 0},
    {"_bool", RLH_CAST_ARRAY, 0, 0},
    {"_json", RLH_CAST_ARRAY, 0, 0},
    {"_jsonb", RLH_CAST_ARRAY, 0, 0},
};

/* The elements of JSON array a (nested arrays too) cast to type t, added to b (NULL: only
 * checked); false with *why as rlh_cast_write's. */
static bool array_write(rlh_buf *b, const json_t *a, int t, const char **why)
{
    if (b) rlh_adds(b, "[");
    for (size_t i = 0; i < json_array_size(a); i++) {
        const json_t *e = json_array_get(a, i);
        if (b && i) rlh_adds(b, ",");
        rl_value v = {.type = RL_V_NULL};
        rl_kind kind = RL_KIND_TEXT;
        char *text = NULL;
        if (json_is_array(e)) {
            if (!array_write(b, e, t, why)) return false;
            continue;
        } else if (json_is_integer(e)) {
            v = (rl_value){.type = RL_V_INT, .u.i = json_integer_value(e)};
            kind = RL_KIND_INTEGER;
        } else if (json_is_real(e)) {
            v = (rl_value){.type = RL_V_REAL, .u.r = json_real_value(e)};
            kind = RL_KIND_REAL;
        } else if (json_is_boolean(e)) {
            v = (rl_value){.type = RL_V_INT, .u.i = json_is_true(e)};
            kind = RL_KIND_BOOLEAN;
        } else if (json_is_string(e)) {
            v = (rl_value){.type = RL_V_TEXT, .u.s = (char *)json_string_value(e)};
        } else if (!json_is_null(e)) { /* an object: a json[] element */
            text = json_dumps(e, JSON_COMPACT);
            v = (rl_value){.type = RL_V_TEXT, .u.s = text};
            kind = RL_KIND_JSON;
        }
        bool ok = (!json_is_object(e) || text) && rlh_cast_write(b, &v, kind, t, why);
        free(text);
        if (!ok) return false;
    }
    if (b) rlh_adds(b, "]");
    return true;
}

int rlh_cast_of(const char *name)
{
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        if (strcasecmp(name, types[i].name) == 0) return (int)i;
    return -1;
}

const char *rlh_cast_name(int type)
{
    return types[type].name;
}

rl_kind rlh_cast_kind(int t)
{
    static const rl_kind kinds[] = {[RLH_CAST_TEXT] = RL_KIND_TEXT,
                                    [RLH_CAST_INTEGER] = RL_KIND_INTEGER,
                                    [RLH_CAST_REAL] = RL_KIND_REAL,
                                    [RLH_CAST_NUMERIC] = RL_KIND_NUMERIC,
                                    [RLH_CAST_ARRAY] = RL_KIND_AUTO};
    return t >= 0 && (size_t)t < sizeof types / sizeof types[0] ? kinds[types[t].to] : RL_KIND_AUTO;
}

/* The integer nearest x (within int64's range, else false): halves to even as a real's cast
 * rounds them, away from zero as a decimal's. */
static bool nearest(double x, bool decimal, int64_t *out)
{
    if (!(x >= -9223372036854775808.0 && x < 9223372036854775808.0)) return false;
    int64_t t = (int64_t)x; /* toward zero */
    double frac = x - (double)t;
    bool odd = t % 2 != 0;
    if (frac > 0.5 || (frac == 0.5 && (decimal || odd)))
        t++;
    else if (frac < -0.5 || (frac == -0.5 && (decimal || odd)))
        t--;
    *out = t;
    return true;
}

/* v (of a column of kind) as an integer of type t: false when it is none (why says so). */
static bool as_integer(const rl_value *v, rl_kind kind, int t, int64_t *out, const char **why)
{
    double x;
    char *end;
    switch (v->type) {
    case RL_V_INT:
        *out = v->u.i;
        break;
    case RL_V_REAL:
        if (!nearest(v->u.r, kind == RL_KIND_NUMERIC, out)) goto range;
        break;
    case RL_V_TEXT:
        if (kind == RL_KIND_NUMERIC) { /* a decimal's digits: rounded */
            x = strtod(v->u.s, &end);
            if (end == v->u.s) goto syntax;
            if (!nearest(x, true, out)) goto range;
            break;
        }
        {
            rl_value n;
            if (!rlh_parse_value(v->u.s, RL_KIND_INTEGER, &n)) goto syntax;
            *out = n.u.i;
        }
        break;
    default:
        goto syntax;
    }
    if (*out < types[t].lo || *out > types[t].hi) goto range;
    return true;
range:
    *why = "22003";
    return false;
syntax:
    *why = "22P02";
    return false;
}

/* v as a real: false when it is none. */
static bool as_real(const rl_value *v, double *out)
{
    char *end;
    switch (v->type) {
    case RL_V_INT:
        *out = (double)v->u.i;
        return true;
    case RL_V_REAL:
        *out = v->u.r;
        return true;
    case RL_V_TEXT:
        *out = strtod(v->u.s, &end);
        while (*end == ' ' || (*end >= '\t' && *end <= '\r'))
            end++;
        return end != v->u.s && !*end;
    default:
        return false;
    }
}

bool rlh_cast_write(rlh_buf *b, const rl_value *v, rl_kind kind, int t, const char **why)
{
    const char *code = "22P02";
    if (v->type == RL_V_NULL) {
        if (b) rlh_adds(b, "null");
        return true;
    }
    switch (types[t].to) {
    case RLH_CAST_TEXT: {
        if (!b) return true;
        if (v->type == RL_V_TEXT) {
            rlh_json_str(b, v->u.s, strlen(v->u.s));
        } else if (v->type == RL_V_INT && kind == RL_KIND_BOOLEAN) {
            rlh_adds(b, v->u.i ? "\"true\"" : "\"false\"");
        } else { /* a number or bytes, as the column writes them, in quotes */
            rlh_buf t = {0};
            rlh_json_value(&t, v, kind);
            size_t n = t.len;
            bool quoted = n && t.data[0] == '"';
            if (!quoted && n > 2 && strcmp(t.data + n - 2, ".0") == 0) n -= 2; /* 5.0: "5" */
            if (quoted)
                rlh_add(b, t.data, n);
            else
                rlh_json_str(b, t.data ? t.data : "", n);
            rlh_free(&t);
        }
        return true;
    }
    case RLH_CAST_INTEGER: {
        int64_t i;
        if (kind == RL_KIND_BOOLEAN && v->type == RL_V_INT)
            i = v->u.i != 0;
        else if (!as_integer(v, kind, t, &i, &code))
            break;
        if (b) rlh_add_int(b, i);
        return true;
    }
    case RLH_CAST_REAL:
    case RLH_CAST_NUMERIC: {
        double x;
        if (!as_real(v, &x)) break;
        if (!b) return true;
        if (types[t].to == RLH_CAST_NUMERIC && v->type == RL_V_TEXT)
            rlh_json_value(b, v, RL_KIND_NUMERIC); /* every digit it has */
        else if (types[t].to == RLH_CAST_NUMERIC && v->type == RL_V_INT)
            rlh_add_int(b, v->u.i);
        else
            rlh_json_value(b, &(rl_value){.type = RL_V_REAL, .u.r = x}, RL_KIND_REAL);
        return true;
    }
    case RLH_CAST_BOOLEAN: {
        int truth = v->type == RL_V_INT    ? v->u.i != 0
                    : v->type == RL_V_TEXT ? rlh_truth_of(v->u.s)
                                           : -1;
        if (truth < 0) break;
        if (b) rlh_adds(b, truth ? "true" : "false");
        return true;
    }
    case RLH_CAST_ARRAY: {
        json_t *a = v->type == RL_V_TEXT ? json_loads(v->u.s, 0, NULL) : NULL;
        bool ok = json_is_array(a) && array_write(b, a, rlh_cast_of(types[t].name + 1), &code);
        json_decref(a);
        if (!ok) break;
        return true;
    }
    case RLH_CAST_JSON: {
        if (v->type != RL_V_TEXT) {
            if (b) rlh_json_value(b, v, kind);
            return true;
        }
        json_error_t e;
        json_t *j = json_loads(v->u.s, JSON_DECODE_ANY, &e);
        if (!j) break;
        if (b) {
            char *text = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
            if (text) rlh_adds(b, text);
            free(text);
        }
        json_decref(j);
        return true;
    }
    default:
        break;
    }
    *why = code;
    return false;
}

/* PostgreSQL's name of an integer column's type, from its declared type (declared: its
 * declaration, or NULL): smallint, integer or bigint (SQLite's INTEGER is named integer, as the
 * same declaration makes it on PostgreSQL). */
const char *rlh_integer_type(const char *declared)
{
    static const char *const names[][2] = {
        {"smallint", "smallint"}, {"int2", "smallint"}, {"integer", "integer"},
        {"int", "integer"},       {"int4", "integer"},  {"serial", "integer"},
        {"bigint", "bigint"},     {"int8", "bigint"},   {"bigserial", "bigint"}};
    for (size_t i = 0; declared && i < sizeof names / sizeof names[0]; i++)
        if (strcasecmp(declared, names[i][0]) == 0) return names[i][1];
    return "bigint";
}

/*
 * A request's query string as a query, in PostgREST's conventions:
 *
 *   col=op.value      eq neq gt gte lt lte like ilike in is, "not." before op negates
 *   or=(c1,c2,...)    conditions joined with OR; and=(...) with AND; not.or / not.and; inside,
 *                     a condition is col.op.value or a nested or(...) / and(...); a value with
 *                     a comma or a parenthesis is written in double quotes
 *   select=a,b        the columns written, and related rows (embed.c); order=a.desc.nullslast,b;
 *                     limit=n; offset=n; rel.arg=...: an argument of the embedded relation rel
 *
 * Negation is pushed down to the comparisons (NOT (a = 1) is a <> 1, NOT (x OR y) is NOT x
 * AND NOT y): in SQL's three-valued logic the results are the same.  Every column is looked
 * up in the model (an unknown one is a 400 naming it), every value is bound.
 */
#include "http_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *rlh_pk_name(const rl_model *m)
{
    return m->pk_column ? m->pk_column : "pk";
}

const char *rlh_column_of(const rl_field *f)
{
    return f->column ? f->column : f->name;
}

const rl_field *rlh_field(const rl_model *m, const char *name)
{
    for (size_t i = 0; i < m->nfields; i++)
        if (strcmp(rlh_column_of(&m->fields[i]), name) == 0) return &m->fields[i];
    return NULL;
}

/* Whether only spaces (as C's isspace) are left at s. */
static bool blank(const char *s)
{
    while (*s == ' ' || (*s >= '\t' && *s <= '\r'))
        s++;
    return !*s;
}

/* The truth value text spells as PostgreSQL's boolean input reads it (spaces around it, any
 * case, a word or a prefix of one that is no other's: t, true, y, yes, on, 1; f, false, n, no,
 * off, 0): 1 or 0, -1 when it spells none. */
int rlh_truth_of(const char *text)
{
    static const char *const words[] = {"true", "yes", "on", "1", "false", "no", "off", "0"};
    while (*text == ' ' || (*text >= '\t' && *text <= '\r'))
        text++;
    size_t n = 0;
    while (text[n] && !(text[n] == ' ' || (text[n] >= '\t' && text[n] <= '\r')))
        n++;
    if (!n || !blank(text + n)) return -1;
    if (n == 1 && (*text == 'o' || *text == 'O')) return -1; /* on or off */
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (n <= strlen(words[i]) && strncasecmp(text, words[i], n) == 0) return i < 4;
    return -1;
}

bool rlh_parse_value(const char *text, int kind, rl_value *out)
{
    char *end;
    errno = 0;
    /* integers, reals and truth values are read as PostgreSQL reads them: spaces around them
     * are no part of them */
    if (kind == RL_KIND_BOOLEAN) {
        int t = rlh_truth_of(text);
        if (t >= 0) {
            *out = rl_int(t);
            return true;
        }
    }
    if (kind == -1 || kind == RL_KIND_INTEGER || kind == RL_KIND_BOOLEAN) {
        long long v = strtoll(text, &end, 10);
        if (end == text || !blank(end) || errno) return false;
        *out = rl_int(v);
        return true;
    }
    if (kind == RL_KIND_REAL) {
        double v = strtod(text, &end);
        if (end == text || !blank(end) || errno) return false;
        *out = rl_real(v);
        return true;
    }
    if (kind == RL_KIND_NUMERIC) { /* a decimal, compared with every digit: its text */
        (void)strtod(text, &end);  /* kept as text: no spaces around it */
        if (!*text || *end || strpbrk(text, "xXnN") || blank(text) || *text == ' ')
            return false; /* no hex, inf or nan */
        *out = rl_text(text);
        return true;
    }
    *out = rl_text(text);
    return true;
}

const char *rlh_kind_takes(int kind)
{
    return kind == RL_KIND_REAL      ? "a number (REAL)"
           : kind == RL_KIND_NUMERIC ? "a decimal number (NUMERIC)"
           : kind == RL_KIND_BOOLEAN ? "true or false (BOOLEAN)"
                                     : "an integer (INTEGER)";
}

/* The state of one request's parsing: values made here live until the query is run. */
typedef struct parse {
    rl_request *r;
    const rl_model *m;
    rl_query *q;
    rlh_shape *shape;
    char **owned; /* strings made while parsing, freed with the parse */
    size_t nowned;
    bool failed;
    size_t conditions;  /* so far, in every group and relation */
    const char *tested; /* the last condition was IS [NOT] NULL of this field (else NULL) */
    bool tested_not;    /* ... IS NOT NULL */
} parse;

static int bad(parse *p, const char *what, const char *detail)
{
    if (!p->failed)
        rl_respond_error(p->r, 400, "RL_EINVAL", what, detail,
                         "Filters are col=op.value with op one of eq, neq, gt, gte, lt, lte, like, "
                         "ilike, in, is; see the guide's chapter on serving.");
    p->failed = true;
    return -1;
}

/* A filter's value that the column (field, of kind; -1: the pk) cannot hold: 400 RL_ETYPE
 * naming the column, its type and the value, as a write of it would be. */
static int mismatch(parse *p, const char *field, int kind, const char *v)
{
    rlh_unknown_name(p->r); /* perhaps a column whose type changed since */
    char msg[500];
    snprintf(msg, sizeof msg, "%.150s takes %s, and '%.150s' is not one.", field,
             rlh_kind_takes(kind), v);
    if (!p->failed) rl_respond_error(p->r, 400, "RL_ETYPE", msg, NULL, NULL);
    p->failed = true;
    return -1;
}

static char *own(parse *p, char *s)
{
    char **o = s ? realloc(p->owned, (p->nowned + 1) * sizeof *o) : NULL;
    if (!o) {
        free(s);
        bad(p, "Out of memory.", NULL);
        return NULL;
    }
    p->owned = o;
    return o[p->nowned++] = s;
}

/* The field name of column col for rl_where (the pk's name for the pk column), its kind
 * (-1 for the pk) and whether it can hold NULL; NULL after answering 400 for a column the
 * table does not have. */
static const char *column(parse *p, const char *col, int *kind, bool *nullable)
{
    if (strcmp(col, rlh_pk_name(p->m)) == 0 && p->m->has_pk) {
        *kind = -1;
        *nullable = false;
        return rlh_pk_name(p->m); /* the model's: lives as long as it */
    }
    const rl_field *f = rlh_field(p->m, col);
    if (!f) {
        char msg[400];
        snprintf(msg, sizeof msg, "The table %.150s has no column %.150s.", p->m->table, col);
        rlh_unknown_name(p->r);
        rl_respond_error(p->r, 400, "RL_EFIELD", msg, NULL, NULL);
        p->failed = true;
        return NULL;
    }
    *kind = (int)f->kind;
    *nullable = f->nullable;
    return f->name;
}

char *rlh_like_pattern(const char *v, bool glob)
{
    char *out = malloc(strlen(v) * 3 + 1), *o = out;
    if (!out) return NULL;
    for (; *v; v++) {
        if (*v == '*' || *v == '%') {
            *o++ = glob ? '*' : '%';
        } else if (glob && *v == '_') {
            *o++ = '?';
        } else if (glob && (*v == '?' || *v == '[')) {
            *o++ = '[';
            *o++ = *v;
            *o++ = ']';
        } else {
            *o++ = *v;
        }
    }
    *o = '\0';
    return out;
}

/* One value of an in.(...) list or a group: up to a comma or closing parenthesis, or a
 * double-quoted string with backslash escapes; *s moves past it. */
static char *item(parse *p, const char **s)
{
    const char *c = *s;
    char *out = malloc(strlen(c) + 1), *o = out;
    if (!out) return NULL;
    if (*c == '"') {
        for (c++; *c && *c != '"'; c++) {
            if (*c == '\\' && c[1]) c++;
            *o++ = *c;
        }
        if (*c != '"') {
            free(out);
            bad(p, "A quoted value has no closing quote.", *s);
            return NULL;
        }
        c++;
    } else {
        while (*c && *c != ',' && *c != ')')
            *o++ = *c++;
    }
    *o = '\0';
    *s = c;
    return own(p, out);
}

static int in_list(parse *p, const char *field, int kind, const char *list, bool negate)
{
    if (*list != '(') return bad(p, "in. takes a list in parentheses: in.(1,2,3).", list);
    rl_value vals[256];
    size_t n = 0;
    const char *c = list + 1;
    while (*c && *c != ')') {
        if (n == sizeof vals / sizeof vals[0])
            return bad(p, "An in. list has over 256 values.", NULL);
        char *v = item(p, &c);
        if (!v) return -1;
        if (!rlh_parse_value(v, kind, &vals[n++])) return mismatch(p, field, kind, v);
        if (*c == ',') c++;
    }
    if (*c != ')' || c[1]) return bad(p, "An in. list is not closed by ')'.", list);
    if (rl_where_in(p->q, field, vals, n, negate) != RL_OK) return bad(p, "Bad in. list.", list);
    return negate && n == 0; /* not.in.() holds for every row */
}

/* col with "op.value" (value already unquoted), negated or not.  Returns 0 for a condition,
 * 1 for one that holds for every row (IS NOT NULL of a column that cannot be NULL, a LIKE of
 * wildcards alone on such a column), -1 after a failure. */
static int leaf(parse *p, const char *col, const char *opval, bool negate)
{
    if (++p->conditions > RLH_MAX_CONDITIONS) {
        char msg[120];
        snprintf(msg, sizeof msg, "A request has at most %d conditions.", RLH_MAX_CONDITIONS);
        return bad(p, msg, NULL);
    }
    if (strncmp(opval, "not.", 4) == 0) {
        negate = !negate;
        opval += 4;
    }
    int kind;
    bool nullable;
    const char *field = column(p, col, &kind, &nullable);
    if (!field) return -1;
    const char *dot = strchr(opval, '.');
    if (!dot) return bad(p, "A filter is op.value, e.g. eq.5.", opval);
    size_t oplen = (size_t)(dot - opval);
    const char *v = dot + 1;
    static const struct {
        const char *name;
        rl_op op, negated;
    } cmp[] = {{"eq", RL_EQ, RL_NE},  {"neq", RL_NE, RL_EQ}, {"gt", RL_GT, RL_LE},
               {"gte", RL_GE, RL_LT}, {"lt", RL_LT, RL_GE},  {"lte", RL_LE, RL_GT}};
    for (size_t i = 0; i < sizeof cmp / sizeof cmp[0]; i++) {
        if (strlen(cmp[i].name) != oplen || strncmp(opval, cmp[i].name, oplen) != 0) continue;
        rl_value val;
        if (!rlh_parse_value(v, kind, &val)) return mismatch(p, field, kind, v);
        rl_where(p->q, field, negate ? cmp[i].negated : cmp[i].op, val);
        return 0;
    }
    if (oplen == 2 && strncmp(opval, "in", 2) == 0) return in_list(p, field, kind, v, negate);
    if (oplen == 2 && strncmp(opval, "is", 2) == 0) {
        if (strcmp(v, "null") == 0) {
            rl_where(p->q, field, negate ? RL_IS_NOT_NULL : RL_IS_NULL, rl_null());
            p->tested = field;
            p->tested_not = negate;
            return negate && !nullable;
        }
        if (strcmp(v, "true") != 0 && strcmp(v, "false") != 0)
            return bad(p, "is. takes null, true or false.", v);
        rl_value truth = rl_int(v[0] == 't');
        if (!negate) {
            rl_where(p->q, field, RL_EQ, truth);
            return 0;
        }
        rl_any(p->q); /* IS NOT TRUE: false or NULL */
        rl_where(p->q, field, RL_IS_NULL, rl_null());
        rl_where(p->q, field, RL_NE, truth);
        rl_end(p->q);
        return 0;
    }
    bool ilike = oplen == 5 && strncmp(opval, "ilike", 5) == 0;
    if (ilike || (oplen == 4 && strncmp(opval, "like", 4) == 0)) {
        char *pat = own(p, rlh_like_pattern(v, !ilike));
        if (!pat) return -1;
        rl_where(p->q, field,
                 ilike ? (negate ? RL_NOT_LIKE : RL_LIKE) : (negate ? RL_NOT_GLOB : RL_GLOB),
                 rl_text(pat));
        return !negate && !nullable && !v[strspn(v, "*%")] && *v;
    }
    char msg[120];
    snprintf(msg, sizeof msg, "Unknown operator '%.*s'.", (int)(oplen < 40 ? oplen : 40), opval);
    return bad(p, msg, NULL);
}

static int group(parse *p, const char **s, bool any, bool negate, int depth);

/* One condition inside a group: or(...), and(...), not.x, or col.op.value. */
static int condition(parse *p, const char **s, bool negate, int depth)
{
    const char *c = *s;
    if (strncmp(c, "not.", 4) == 0) {
        negate = !negate;
        c += 4;
    }
    if (strncmp(c, "or(", 3) == 0 || strncmp(c, "and(", 4) == 0) {
        bool any = c[0] == 'o';
        c += any ? 2 : 3;
        *s = c;
        return group(p, s, any, negate, depth + 1);
    }
    const char *dot = strchr(c, '.');
    if (!dot) return bad(p, "A condition is col.op.value.", c);
    char col[256];
    if (dot - c >= (ptrdiff_t)sizeof col) return bad(p, "A column's name is too long.", NULL);
    snprintf(col, sizeof col, "%.*s", (int)(dot - c), c);
    const char *opstart = dot + 1;
    const char *vdot = strchr(opstart, '.');
    if (!vdot) return bad(p, "A condition is col.op.value.", c);
    if (strncmp(opstart, "not.", 4) == 0) vdot = strchr(opstart + 4, '.');
    if (!vdot) return bad(p, "A condition is col.op.value.", c);
    const char *vs = vdot + 1;
    char *v;
    if (strncmp(vs, "(", 1) == 0) { /* an in.(...) list: up to its closing parenthesis */
        const char *e = vs;
        for (bool quoted = false; *e && (quoted || *e != ')'); e++) {
            if (*e == '\\' && quoted && e[1])
                e++;
            else if (*e == '"')
                quoted = !quoted;
        }
        if (*e != ')') return bad(p, "An in. list is not closed by ')'.", vs);
        v = own(p, strndup(vs, (size_t)(e - vs + 1)));
        *s = e + 1;
    } else {
        *s = vs;
        v = item(p, s);
    }
    if (!v) return -1;
    char *opval = own(p, malloc((size_t)(vdot - opstart) + 1 + strlen(v) + 1));
    if (!opval) return -1;
    sprintf(opval, "%.*s%s", (int)(vdot - opstart + 1), opstart, v);
    return leaf(p, col, opval, negate);
}

/* "(c1,c2,...)" at *s: the conditions joined by OR (any) or AND; NOT of it when negate.
 * Returns 1 when the group holds for every row, whatever the rows: an AND of such conditions
 * (none at all included: and=(), not.or=()), an OR with one of them; else 0, or -1. */
static int group(parse *p, const char **s, bool any, bool negate, int depth)
{
    if (depth > 16) return bad(p, "Groups are nested more than 16 deep.", NULL);
    if (**s != '(') return bad(p, "A group is written (c1,c2,...).", *s);
    (*s)++;
    bool or = any != negate; /* NOT (x OR y) is NOT x AND NOT y */
    (or ? rl_any : rl_all)(p->q);
    int always = or ? 0 : 1;
    const char *null_of[16] = {NULL}; /* in an OR: x IS NULL and x IS NOT NULL hold for all */
    bool null_not[16];
    size_t nnull = 0;
    while (**s && **s != ')') {
        p->tested = NULL;
        int rc = condition(p, s, negate, depth);
        if (rc < 0) return -1;
        for (size_t i = 0; or &&p->tested && i < nnull; i++)
            if (strcmp(null_of[i], p->tested) == 0 && null_not[i] != p->tested_not) rc = 1;
        if (or &&p->tested && nnull < 16) {
            null_of[nnull] = p->tested;
            null_not[nnull++] = p->tested_not;
        }
        always = or ? (always || rc) : (always && rc);
        if (**s == ',')
            (*s)++;
        else if (**s != ')')
            return bad(p, "Conditions in a group are separated by commas.", *s);
    }
    if (**s != ')') return bad(p, "A group is not closed by ')'.", NULL);
    (*s)++;
    rl_end(p->q);
    return always;
}

static int order(parse *p, const char *v)
{
    const char *c = v;
    while (*c) {
        size_t len = strcspn(c, ",");
        char term[300];
        if (len >= sizeof term) return bad(p, "An order term is too long.", NULL);
        snprintf(term, sizeof term, "%.*s", (int)len, c);
        char *dir = strchr(term, '.');
        if (dir) *dir++ = '\0';
        int kind;
        bool nullable;
        const char *field = column(p, term, &kind, &nullable);
        if (!field) return -1;
        /* col[.asc|.desc][.nullsfirst|.nullslast] */
        static const struct {
            const char *text;
            rl_order order;
        } dirs[] = {{"", RL_ASC},
                    {"asc", RL_ASC},
                    {"desc", RL_DESC},
                    {"nullsfirst", RL_ASC_NULLS_FIRST},
                    {"nullslast", RL_ASC_NULLS_LAST},
                    {"asc.nullsfirst", RL_ASC_NULLS_FIRST},
                    {"asc.nullslast", RL_ASC_NULLS_LAST},
                    {"desc.nullsfirst", RL_DESC_NULLS_FIRST},
                    {"desc.nullslast", RL_DESC_NULLS_LAST}};
        size_t i = 0;
        while (i < sizeof dirs / sizeof dirs[0] && strcmp(dir ? dir : "", dirs[i].text) != 0)
            i++;
        if (i == sizeof dirs / sizeof dirs[0])
            return bad(p,
                       "An order term is col, col.asc or col.desc, then .nullsfirst or "
                       ".nullslast if asked.",
                       term);
        rl_order d = dirs[i].order;
        rl_order_by(p->q, field, d);
        /* by the pk alone: pages can follow the last key */
        p->shape->keyset = !p->shape->ordered && kind == -1 && (d == RL_ASC || d == RL_DESC)
                               ? (d == RL_ASC ? 1 : -1)
                               : 0;
        p->shape->ordered = true;
        c += len;
        c += *c == ',';
    }
    return 0;
}

static int count_arg(parse *p, const char *v, int64_t *out)
{
    rl_value n;
    if (!rlh_parse_value(v, RL_KIND_INTEGER, &n) || n.u.i < 0)
        return bad(p, "limit and offset take a number of rows.", v);
    *out = n.u.i;
    return 0;
}

static int argument(parse *p, const char *key, const char *v)
{
    /* books.order=..., books.title=eq.x: an argument of the embedded relation books */
    const char *dot = strchr(key, '.');
    rlh_embed *e = dot ? rlh_embed_find(p->shape, key, (size_t)(dot - key)) : NULL;
    if (e) {
        parse sub = *p;
        sub.m = e->m;
        sub.q = e->q;
        sub.shape = &e->shape;
        int rc = argument(&sub, dot + 1, v);
        p->owned = sub.owned;
        p->nowned = sub.nowned;
        p->failed = sub.failed;
        p->conditions = sub.conditions;
        return rc;
    }
    if (strcmp(key, "select") == 0) return 0; /* read first */
    if (strcmp(key, "order") == 0) return order(p, v);
    if (strcmp(key, "limit") == 0) return count_arg(p, v, &p->shape->limit);
    if (strcmp(key, "offset") == 0) return count_arg(p, v, &p->shape->offset);
    if (strcmp(key, "on_conflict") == 0 || strcmp(key, "columns") == 0) return 0; /* for writes */
    /* a condition that holds for every row filters nothing: the unfiltered-write guard
     * counts only the others */
    bool negate = strncmp(key, "not.", 4) == 0;
    const char *k = key + (negate ? 4 : 0);
    int always;
    if (strcmp(k, "or") == 0 || strcmp(k, "and") == 0) {
        const char *s = v;
        if ((always = group(p, &s, k[0] == 'o', negate, 0)) < 0) return -1;
        if (*s) return bad(p, "Text follows a group's closing parenthesis.", s);
    } else if ((always = leaf(p, key, v, false)) < 0) {
        return -1;
    }
    if (!always) p->shape->filters++;
    return 0;
}

int rlh_apply_args(rl_request *r, const rl_model *model, rl_query *q, rlh_shape *shape)
{
    parse p = {.r = r, .m = model, .q = q, .shape = shape};
    *shape = (rlh_shape){.all_cols = true, .limit = -1, .offset = -1};
    const char *select = rl_request_query(r, "select");
    if (select && rlh_select_parse(r, model, select, shape) < 0) return -1;
    for (size_t i = 0; i < r->nargs && !p.failed; i++)
        argument(&p, r->args[i].key, r->args[i].value);
    /* the query copies text operands when they are added: what was made here can go */
    for (size_t i = 0; i < p.nowned; i++)
        free(p.owned[i]);
    free(p.owned);
    return p.failed ? -1 : 0;
}

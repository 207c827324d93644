/*
 * The plan of a read: the request value's names looked up in the models (see plan.h).
 *
 * Errors are PostgREST's, with its status, code and words, and carry reflite's sentence too:
 *   404 PGRST205  no such table          400 PGRST200  the tables are not related
 *   300 PGRST201  related in more ways than one (details: each way; hint: the names to use)
 *   400 42703     no such column         400 PGRST108  a filter, order or limit on a relation
 *                                                      that select= does not embed
 *   400 PGRST119  a spread of a relation that is not to-one
 *   400 PGRST123  aggregates when the server does not allow them
 */
#include "plan.h"
#include "cast.h"
#include "parse_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct ctx {
    rlh_plan *p;
    rlh_arena *a;
    const rl_models *ms;
    const rlh_plan_opts *o;
    const char *nsp; /* the schema's name in messages: o->schema, or "public" */
    unsigned embeds;
    bool oom;
} ctx;

/* The plan becomes an error value; returns false (for "return fail(...)"). */
static bool fail(ctx *c, int status, const char *code, const char *message, const char *details,
                 const char *hint, const char *sentence)
{
    if (c->p->error) return false;
    rlh_perror *e = rlh_arena_alloc(c->a, sizeof *e);
    if (!e) {
        c->oom = true;
        return false;
    }
    e->status = status;
    e->code = code;
    e->message = rlh_arena_strndup(c->a, message, strlen(message));
    e->details = details ? rlh_arena_strndup(c->a, details, strlen(details)) : NULL;
    e->hint = hint ? rlh_arena_strndup(c->a, hint, strlen(hint)) : NULL;
    e->sentence = sentence ? rlh_arena_strndup(c->a, sentence, strlen(sentence)) : NULL;
    if (!e->message) c->oom = true;
    c->p->error = e;
    return false;
}

static bool no_memory(ctx *c)
{
    c->oom = true;
    return false;
}

/* ---- columns -------------------------------------------------------------------------------- */

/* The field number of column name in m (RLH_FIELD_PK for its pk), or false with 42703. */
static bool column_of(ctx *c, const rl_model *m, const char *name, int *field, rl_kind *kind)
{
    const rl_field *f = rlh_field(m, name);
    if (f) {
        *field = (int)(f - m->fields);
        *kind = f->kind;
        return true;
    }
    if (m->has_pk && strcmp(name, rlh_pk_name(m)) == 0) {
        *field = RLH_FIELD_PK;
        *kind = RL_KIND_INTEGER;
        return true;
    }
    char msg[400], sentence[500];
    snprintf(msg, sizeof msg, "column %.150s.%.150s does not exist", m->table, name);
    snprintf(sentence, sizeof sentence, "The table %.150s has no column %.150s.", m->table, name);
    return fail(c, 400, "42703", msg, NULL, NULL, sentence);
}

/* PostgreSQL's error for a JSON path that reads on after ->> (text has no -> operator); true
 * when the n steps at s are a path. */
static bool path_ok(ctx *c, const rlh_jstep *s, size_t n)
{
    for (size_t i = 0; i + 1 < n; i++) {
        if (!s[i].text) continue;
        char msg[80];
        snprintf(msg, sizeof msg, "operator does not exist: text -> %s",
                 s[i + 1].index ? "integer" : "unknown");
        return fail(c, 404, "42883", msg, NULL,
                    "No operator matches the given name and argument types. You might need to "
                    "add explicit type casts.",
                    "A JSON path reads on after -> only: ->> (the value as text) comes last.");
    }
    return true;
}

/* The condition cond on a column of m, into out (its column found, and its declared type). */
static bool cond_of(ctx *c, const rl_model *m, const rlh_cond *cond, rlh_pcond *out)
{
    out->cond = cond;
    if (!path_ok(c, cond->col.json, cond->col.njson)) return false;
    if (!column_of(c, m, cond->col.name, &out->field, &out->kind)) return false;
    out->type = rl_models_column_type(c->ms, m, cond->col.name);
    return true;
}

static bool push_col(ctx *c, rlh_vec *v, const rlh_pcol *col)
{
    return rlh_vec_push(c->a, v, col, sizeof *col) || no_memory(c);
}

/* Every column of m, its pk first. */
static bool all_columns(ctx *c, const rl_model *m, rlh_vec *v)
{
    if (m->has_pk && !push_col(c, v,
                               &(rlh_pcol){.name = rlh_pk_name(m),
                                           .field = RLH_FIELD_PK,
                                           .kind = RL_KIND_INTEGER,
                                           .star = true}))
        return false;
    for (size_t i = 0; i < m->nfields; i++)
        if (!push_col(c, v,
                      &(rlh_pcol){.name = rlh_column_of(&m->fields[i]),
                                  .field = (int)i,
                                  .kind = m->fields[i].kind,
                                  .star = true}))
            return false;
    return true;
}

/* 400 PGRST123: aggregates in select= on a server that does not allow them. */
static bool aggregates_off(ctx *c)
{
    return fail(c, 400, "PGRST123", "Use of aggregate functions is not allowed", NULL, NULL,
                "Aggregates in select= are turned off on this server.");
}

/* A column item of select=. */
static bool column_item(ctx *c, rlh_pnode *n, const rlh_sel *s, rlh_vec *cols)
{
    if (s->agg != RLH_AGG_NONE && !c->o->aggregates) return aggregates_off(c);
    if (s->agg != RLH_AGG_NONE) n->grouped = true;
    /* the cast of what the member shows: the column's, or the aggregate's (col.sum()::int) */
    const char *cast = s->agg != RLH_AGG_NONE ? s->agg_cast : s->cast;
    rlh_pcol col = {.json = s->col.json,
                    .njson = s->col.njson,
                    .cast = cast,
                    .agg = s->agg,
                    .agg_cast = s->agg_cast};
    if (s->agg != RLH_AGG_NONE && s->cast) { /* the aggregate's argument, cast by the database */
        int t = rlh_cast_of(s->cast);
        if (!(col.arg_kind = rlh_cast_kind(t))) {
            char msg[300];
            snprintf(msg, sizeof msg,
                     "An aggregate's argument is cast to text, an integer, a real or a numeric "
                     "type, not %.50s.",
                     s->cast);
            return fail(c, 400, t < 0 ? "42704" : "RL_EINVAL", msg, NULL, NULL, msg);
        }
    }
    if (cast && (col.cast_type = rlh_cast_of(cast)) < 0) {
        char msg[200], sentence[300];
        snprintf(msg, sizeof msg, "type \"%.100s\" does not exist", cast);
        snprintf(sentence, sizeof sentence,
                 "%.100s is no type a column can be cast to in select= (text, integer, bigint, "
                 "numeric, real, boolean, json, ...).",
                 cast);
        return fail(c, 400, "42704", msg, NULL, NULL, sentence);
    }
    if (strcmp(s->col.name, "*") == 0) {
        if (s->agg != RLH_AGG_COUNT) return all_columns(c, n->m, cols);
        col.name = s->alias ? s->alias : "count";
        col.field = RLH_FIELD_COUNT;
        col.kind = RL_KIND_INTEGER;
        return push_col(c, cols, &col);
    }
    if (!path_ok(c, s->col.json, s->col.njson)) return false;
    if (s->agg == RLH_AGG_NONE && !s->col.njson && !strcmp(s->col.name, "count") && !s->cast &&
        !rlh_field(n->m, "count") && !(n->m->has_pk && !strcmp(rlh_pk_name(n->m), "count"))) {
        /* PostgREST's older spelling of count(), where no column is called so */
        if (!c->o->aggregates) return aggregates_off(c);
        n->grouped = true;
        col.name = s->alias ? s->alias : "count";
        col.field = RLH_FIELD_COUNT;
        col.kind = RL_KIND_INTEGER;
        col.agg = RLH_AGG_COUNT;
        return push_col(c, cols, &col);
    }
    if (!column_of(c, n->m, s->col.name, &col.field, &col.kind)) return false;
    if (s->agg == RLH_AGG_COUNT) col.kind = RL_KIND_INTEGER;
    if (s->agg == RLH_AGG_AVG) col.kind = RL_KIND_REAL;
    /* through a JSON path: the value as text (->>), or as JSON (->) */
    if (s->col.njson) col.kind = s->col.json[s->col.njson - 1].text ? RL_KIND_TEXT : RL_KIND_JSON;
    /* sum, min and max of values cast: of the cast's kind */
    if (col.arg_kind && s->agg != RLH_AGG_COUNT && s->agg != RLH_AGG_AVG) col.kind = col.arg_kind;
    /* the member's name: the alias, else the JSON path's last key (not an index), else the
     * column (an aggregate of a column is named after the aggregate, as PostgreSQL names it) */
    const char *key = NULL;
    for (size_t i = 0; i < s->col.njson; i++)
        if (!s->col.json[i].index) key = s->col.json[i].key;
    static const char *const agg_names[] = {"", "sum", "avg", "count", "max", "min"};
    col.name = s->alias                 ? s->alias
               : s->agg != RLH_AGG_NONE ? agg_names[s->agg]
               : key                    ? key
                                        : s->col.name;
    return push_col(c, cols, &col);
}

/* ---- embedded relations --------------------------------------------------------------------- */

static bool plan_node(ctx *c, rlh_pnode *n, const rlh_sel *items, size_t nitems, int depth);

/* PostgREST's order of relationships: one-to-many, many-to-one, one-to-one, many-to-many,
 * then by constraint (or link table) and columns. */
static int way_rank(const rlh_way *w)
{
    return w->rel == RLH_LINKED ? 3 : w->single ? 2 : w->rel == RLH_TO_MANY ? 0 : 1;
}

static int way_order(const void *a, const void *b)
{
    const rlh_way *x = a, *y = b;
    int d = way_rank(x) - way_rank(y);
    if (!d) d = strcmp(x->link ? x->link->table : x->fkey, y->link ? y->link->table : y->fkey);
    if (!d) d = strcmp(x->mcols, y->mcols);
    return d ? d : strcmp(x->tcols, y->tcols);
}

/* The ambiguity of two or more ways between m and t, as PostgREST words it (300 PGRST201). */
static bool ambiguous(ctx *c, const rl_model *m, const rl_model *t, const char *label, rlh_way *w,
                      size_t n)
{
    qsort(w, n, sizeof *w, way_order);
    rlh_buf details = {0}, hint = {0}, sentence = {0};
    static const char *const card[] = {"many-to-one", "one-to-many", "many-to-many"};
    rlh_adds(&details, "[");
    rlh_addf(&sentence, "%.150s and %.150s are related in %zu ways:", m->table, t->table, n);
    for (size_t i = 0; i < n; i++) {
        char rel[600];
        const rl_model *to = w[i].target ? w[i].target : t;
        if (w[i].link)
            snprintf(rel, sizeof rel, "%.150s using %.200s and %.200s", w[i].link->table,
                     w[i].mcols, w[i].tcols);
        else
            snprintf(rel, sizeof rel, "%.100s using %.100s(%.100s) and %.100s(%.100s)", w[i].fkey,
                     m->table, w[i].mcols, to->table, w[i].tcols);
        rlh_adds(&details, i ? ",{" : "{");
        rlh_json_key(&details, "cardinality");
        rlh_json_str(&details, w[i].single ? "one-to-one" : card[w[i].rel],
                     strlen(w[i].single ? "one-to-one" : card[w[i].rel]));
        rlh_adds(&details, ",");
        char embedding[400];
        snprintf(embedding, sizeof embedding, "%.150s with %.150s", m->table, to->table);
        rlh_json_member(&details, "embedding", embedding);
        rlh_adds(&details, ",");
        rlh_json_member(&details, "relationship", rel);
        rlh_adds(&details, "}");
        rlh_addf(&hint, "%s'%.150s!%.200s'", i ? ", " : "", to->table,
                 w[i].link ? w[i].link->table : w[i].fkey);
        rlh_addf(&sentence, "%s %.150s!%.200s", i ? "," : "", label,
                 w[i].link ? w[i].link->table : w[i].fkey);
    }
    rlh_adds(&details, "]");
    char msg[500], h[900];
    snprintf(msg, sizeof msg,
             "Could not embed because more than one relationship was found for '%.150s' and "
             "'%.150s'",
             m->table, label);
    snprintf(h, sizeof h,
             "Try changing '%.150s' to one of the following: %.600s. Find the desired "
             "relationship in the 'details' key.",
             label, hint.oom ? "" : hint.data);
    bool oom = details.oom || hint.oom || sentence.oom;
    if (!oom) fail(c, 300, "PGRST201", msg, details.data, h, sentence.data);
    rlh_free(&details);
    rlh_free(&hint);
    rlh_free(&sentence);
    return oom ? no_memory(c) : false;
}

/* The relation of an embed item s below node n, planned into kid. */
static bool embed_item(ctx *c, rlh_pnode *n, const rlh_sel *s, rlh_pnode *kid, int depth)
{
    unsigned most = c->o->max_embeds ? c->o->max_embeds : 16;
    unsigned deepest = c->o->max_depth ? c->o->max_depth : RLH_PARSE_MAX_DEPTH;
    if (++c->embeds > most || (unsigned)depth >= deepest) {
        char msg[200];
        snprintf(msg, sizeof msg, "Too many embedded relations (at most %u, %u deep).", most,
                 deepest);
        return fail(c, 400, "PGRST100", msg, NULL, NULL, msg);
    }
    const rl_model *m = n->m, *t = rl_models_find(c->ms, s->relation);
    const rl_field *by_key = t ? NULL : rlh_field(m, s->relation);
    *kid = (rlh_pnode){.name = s->alias ? s->alias : s->relation,
                       .label = s->relation,
                       .join = s->join,
                       .spread = s->kind == RLH_SEL_SPREAD,
                       .limit = -1};
    if (by_key && by_key->references && !s->hint) { /* embedded by its key column: to-one */
        kid->m = by_key->references;
        kid->way = (rlh_way){.rel = RLH_TO_ONE,
                             .meets = by_key->references_field ? by_key->references_field
                                                               : rlh_pk_name(by_key->references)};
        snprintf(kid->way.key, sizeof kid->way.key, "%s", by_key->name);
    } else {
        /* the ways to the table of that name, and without a hint (as PostgREST) those through
         * a key whose constraint has that name */
        rlh_way w[RLH_MAX_WAYS];
        size_t nw = t ? rlh_ways_of(c->ms, m, t, s->hint, w) : 0;
        for (size_t i = 0; i < nw; i++)
            w[i].target = t;
        if (!s->hint) nw = rlh_ways_named(c->ms, m, s->relation, w, nw);
        if (nw == 0) {
            char msg[400], details[700], sentence[500], hint[400];
            snprintf(msg, sizeof msg,
                     "Could not find a relationship between '%.150s' and '%.150s' in the schema "
                     "cache",
                     m->table, s->relation);
            const char *like = rlh_related_like(c->ms, m, s->relation);
            if (like)
                snprintf(hint, sizeof hint, "Perhaps you meant '%.150s' instead of '%.150s'.", like,
                         s->relation);
            snprintf(details, sizeof details,
                     "Searched for a foreign key relationship between '%.150s' and '%.150s'%s%.150s"
                     "%s in the schema '%.100s', but no matches were found.",
                     m->table, s->relation, s->hint ? " using the hint '" : "",
                     s->hint ? s->hint : "", s->hint ? "'" : "", c->nsp);
            if (t)
                snprintf(sentence, sizeof sentence,
                         "%.150s and %.150s are not related%s%.150s: embedding follows foreign "
                         "keys, of one table to the other or of a table to each.",
                         m->table, s->relation, s->hint ? " through " : "", s->hint ? s->hint : "");
            else
                snprintf(sentence, sizeof sentence,
                         "%.150s has no foreign key %.150s, and there is no table %.150s.",
                         m->table, s->relation, s->relation);
            fail(c, 400, "PGRST200", msg, details, like ? hint : NULL, sentence);
            if (!t && c->p->error) ((rlh_perror *)c->p->error)->own_code = "RL_EFIELD";
            return false;
        }
        if (nw > 1) return ambiguous(c, m, w[0].target, s->relation, w, nw);
        kid->m = w[0].target;
        kid->way = w[0];
    }
    bool aggregates = false;
    for (size_t i = 0; i < s->nitems; i++)
        aggregates |= s->items[i].kind == RLH_SEL_COLUMN && s->items[i].agg != RLH_AGG_NONE;
    if (aggregates && !c->o->aggregates) /* before any other word on them, as PostgREST */
        return aggregates_off(c);
    if (kid->spread && kid->way.rel != RLH_TO_ONE && !kid->way.single && aggregates)
        return fail(c, 400, "PGRST127", "Feature not implemented",
                    "Aggregates are not implemented for one-to-many or many-to-many spreads.", NULL,
                    "Aggregates of a spread relation are served for a to-one relation only.");
    if (kid->spread && kid->way.rel != RLH_TO_ONE && !kid->way.single) {
        char msg[400], details[400];
        snprintf(msg, sizeof msg, "A spread operation on '%.150s' is not possible", s->relation);
        snprintf(details, sizeof details,
                 "'%.150s' and '%.150s' do not form a many-to-one or one-to-one relationship",
                 m->table, s->relation);
        return fail(c, 400, "PGRST119", msg, details, NULL, msg);
    }
    if (!plan_node(c, kid, s->items, s->nitems, depth + 1)) return false;
    if (kid->spread && kid->grouped) n->grouped = true; /* its aggregates are over n's rows */
    return true;
}

/* The columns and relations of select= items on node n. */
static bool plan_node(ctx *c, rlh_pnode *n, const rlh_sel *items, size_t nitems, int depth)
{
    rlh_vec cols = {0}, kids = {0};
    /* the embeds first: a relation that is not there is the request's error before a column
     * that is not there, as PostgREST's plan finds its relations before the database reads */
    for (size_t i = 0; i < nitems; i++) {
        const rlh_sel *s = &items[i];
        if (s->kind == RLH_SEL_COLUMN) continue;
        rlh_pnode kid;
        if (!embed_item(c, n, s, &kid, depth)) return false;
        for (size_t k = 0; k < kids.n; k++) /* one member per name */
            if (!kid.spread && strcmp(((rlh_pnode *)kids.items)[k].name, kid.name) == 0) {
                char msg[400];
                snprintf(msg, sizeof msg,
                         "%.150s is embedded twice: give one an alias (alias:%.150s).", kid.name,
                         kid.name);
                return fail(c, 400, "RL_EINVAL", msg, NULL, NULL, msg);
            }
        if (!rlh_vec_push(c->a, &kids, &kid, sizeof kid)) return no_memory(c);
    }
    for (size_t i = 0; i < nitems; i++)
        if (items[i].kind == RLH_SEL_COLUMN && !column_item(c, n, &items[i], &cols)) return false;
    n->cols = cols.items;
    n->ncols = cols.n;
    n->kids = kids.items;
    n->nkids = kids.n;
    n->hidden = depth > 0 && n->ncols == 0; /* and so are its kids: */
    for (size_t k = 0; k < n->nkids && n->hidden; k++)
        n->hidden = n->kids[k].hidden;
    /* a member is a column or a relation, not both: a column * brings in gives way to the
     * relation embedded under its name (parent(*) beside *: PostgREST's answer has both, and
     * a JSON reader keeps the last, the relation); one named in select= is refused */
    for (size_t k = 0; k < n->nkids; k++)
        for (size_t i = 0; i < n->ncols && !n->kids[k].spread; i++)
            if (strcmp(n->cols[i].name, n->kids[k].name) == 0 && n->cols[i].star) {
                memmove(&n->cols[i], &n->cols[i + 1], (n->ncols - i - 1) * sizeof *n->cols);
                n->ncols--;
                i--;
            } else if (strcmp(n->cols[i].name, n->kids[k].name) == 0) {
                char msg[400];
                snprintf(msg, sizeof msg,
                         "%.150s is a column and an embedded relation: give the relation an "
                         "alias (alias:%.150s(...)).",
                         n->kids[k].name, n->kids[k].name);
                return fail(c, 400, "RL_EINVAL", msg, NULL, NULL, msg);
            }
    n->where = (rlh_pwhere){.leaf = false};
    return true;
}

/* ---- where filters, orders and ranges go ------------------------------------------------- */

/* The kid of n named name (its alias or relation), or NULL with PGRST108. */
static rlh_pnode *kid_named(ctx *c, rlh_pnode *n, const char *name)
{
    for (size_t k = 0; k < n->nkids; k++)
        if (strcmp(n->kids[k].name, name) == 0) return &n->kids[k];
    for (size_t k = 0; k < n->nkids; k++) { /* an aliased embed by the relation it names */
        if (strcmp(n->kids[k].label, name) != 0) continue;
        char w[600];
        snprintf(w, sizeof w,
                 "Embedded resource was referenced by relation name even though it has an alias. "
                 "This is deprecated and will stop working in a future release. Update `%.150s` "
                 "to `%.150s` in query string filters, orders or limits.",
                 name, n->kids[k].name);
        if (!c->p->warning && !(c->p->warning = rlh_arena_strndup(c->a, w, strlen(w))))
            no_memory(c);
        return &n->kids[k];
    }
    char msg[300], hint[400], sentence[500];
    snprintf(msg, sizeof msg, "'%.150s' is not an embedded resource in this request", name);
    snprintf(hint, sizeof hint, "Verify that '%.150s' is included in the 'select' query parameter.",
             name);
    snprintf(sentence, sizeof sentence,
             "%.150s is not embedded in select=: a filter, order or limit on its rows needs it "
             "there.",
             name);
    fail(c, 400, "PGRST108", msg, NULL, hint, sentence);
    return NULL;
}

/* The node a path leads to from the root, or NULL with PGRST108. */
static rlh_pnode *node_at(ctx *c, const rlh_path *path)
{
    rlh_pnode *n = &c->p->root;
    for (size_t i = 0; n && i < path->n; i++)
        n = kid_named(c, n, path->names[i]);
    return n;
}

/* A parsed or=/and= tree as the node's conditions. */
static bool plan_tree(ctx *c, const rl_model *m, const rlh_logic *t, rlh_pwhere *out)
{
    *out = (rlh_pwhere){.leaf = t->leaf, .negated = t->negated, .any = t->any};
    if (t->leaf) {
        return cond_of(c, m, &t->cond, &out->cond);
    }
    out->kids = rlh_arena_alloc(c->a, (t->nkids ? t->nkids : 1) * sizeof *out->kids);
    if (!out->kids) return no_memory(c);
    out->nkids = t->nkids;
    for (size_t i = 0; i < t->nkids; i++)
        if (!plan_tree(c, m, &t->kids[i], &out->kids[i])) return false;
    return true;
}

/* Add a condition (or tree) to the all-group of node n. */
static bool add_where(ctx *c, rlh_pnode *n, const rlh_pwhere *w)
{
    rlh_vec v = {n->where.kids, n->where.nkids, n->where.nkids};
    if (!rlh_vec_push(c->a, &v, w, sizeof *w)) return no_memory(c);
    n->where.kids = v.items;
    n->where.nkids = v.n;
    return true;
}

static bool plan_filters(ctx *c)
{
    const rlh_req *r = c->p->req;
    for (size_t i = 0; i < r->nfilters; i++) {
        rlh_pnode *n = node_at(c, &r->filters[i].path);
        rlh_pwhere w = {.leaf = true};
        if (!n || !cond_of(c, n->m, &r->filters[i].cond, &w.cond) || !add_where(c, n, &w))
            return false;
    }
    for (size_t i = 0; i < r->nlogic; i++) {
        rlh_pnode *n = node_at(c, &r->logic[i].path);
        rlh_pwhere w;
        if (!n || !plan_tree(c, n->m, &r->logic[i].tree, &w) || !add_where(c, n, &w)) return false;
    }
    return true;
}

/* One order= term on node n. */
static bool order_term(ctx *c, rlh_pnode *n, const rlh_order_term *t, rlh_porder *o)
{
    *o = (rlh_porder){
        .kid = -1, .json = t->col.json, .njson = t->col.njson, .dir = t->dir, .nulls = t->nulls};
    if (!path_ok(c, t->col.json, t->col.njson)) return false;
    const rl_model *m = n->m;
    if (t->relation) { /* rel(col): a column of a to-one relation embedded in the node */
        const rlh_pnode *kid = kid_named(c, n, t->relation);
        if (!kid) return false;
        o->kid = (int)(kid - n->kids);
        if (kid->way.rel != RLH_TO_ONE && !kid->way.single) {
            char msg[400], sentence[400];
            snprintf(msg, sizeof msg, "A related order on '%.150s' is not possible", t->relation);
            snprintf(sentence, sizeof sentence,
                     "Rows can be ordered by a column of a relation that gives each row one "
                     "row (to-one); %.150s gives several.",
                     t->relation);
            return fail(c, 400, "PGRST118", msg, NULL, NULL, sentence);
        }
        m = kid->m;
        /* a spread relation's column may be named by its alias (PostgREST's) */
        for (size_t i = 0; kid->spread && !t->col.njson && i < kid->ncols; i++)
            if (kid->cols[i].field >= RLH_FIELD_PK && !strcmp(kid->cols[i].name, t->col.name) &&
                !rlh_field(m, t->col.name)) {
                o->field = kid->cols[i].field;
                o->kind = kid->cols[i].kind;
                return true;
            }
    }
    return column_of(c, m, t->col.name, &o->field, &o->kind);
}

static bool plan_orders(ctx *c)
{
    const rlh_req *r = c->p->req;
    for (size_t i = 0; i < r->norders; i++) {
        rlh_pnode *n = node_at(c, &r->orders[i].path);
        if (!n) return false;
        n->order = rlh_arena_alloc(c->a, (r->orders[i].nterms + 1) * sizeof *n->order);
        if (!n->order) return no_memory(c);
        n->norder = r->orders[i].nterms;
        for (size_t k = 0; k < n->norder; k++)
            if (!order_term(c, n, &r->orders[i].terms[k], &n->order[k])) return false;
    }
    return true;
}

/* Rows first..first+count-1 as an offset and a limit (-1: none). */
static void set_range(rlh_pnode *n, const rlh_range *g)
{
    n->offset = g->first > 0 ? g->first : 0;
    n->limit = g->bounded ? (g->count > 0 ? g->count : 0) : -1;
}

static bool plan_ranges(ctx *c)
{
    const rlh_req *r = c->p->req;
    set_range(&c->p->root, &r->range);
    for (size_t i = 0; i < r->nranges; i++) {
        rlh_pnode *n = node_at(c, &r->ranges[i].path);
        if (!n) return false;
        set_range(n, &r->ranges[i]);
    }
    return true;
}

/* ---- the plan ------------------------------------------------------------------------------ */

/* ",\"name\":" in the arena: how a JSON answer writes a member, once per plan. */
static const char *member_of(ctx *c, const char *name, size_t *len)
{
    size_t n = strlen(name), plain = 0;
    while (plain < n && (unsigned char)name[plain] >= 0x20 && (unsigned char)name[plain] < 0x80 &&
           name[plain] != '"' && name[plain] != '\\')
        plain++;
    if (plain == n) { /* the common name: written as it is */
        char *m = rlh_arena_alloc(c->a, n + 5);
        if (!m) {
            c->oom = true;
            return NULL;
        }
        memcpy(m, ",\"", 2);
        memcpy(m + 2, name, n);
        memcpy(m + 2 + n, "\":", 3);
        *len = n + 4;
        return m;
    }
    rlh_buf b = {0};
    rlh_add(&b, ",", 1);
    rlh_json_key(&b, name);
    char *m = b.oom ? NULL : rlh_arena_strndup(c->a, b.data, b.len);
    *len = b.len;
    rlh_free(&b);
    if (!m) c->oom = true;
    return m;
}

/* The members of node n's columns and kids, and of theirs. */
static void members_of(ctx *c, rlh_pnode *n)
{
    for (size_t i = 0; i < n->ncols && !c->oom; i++)
        n->cols[i].member = member_of(c, n->cols[i].name, &n->cols[i].member_len);
    for (size_t j = 0; j < n->nkids && !c->oom; j++) {
        n->kids[j].member = member_of(c, n->kids[j].name, &n->kids[j].member_len);
        members_of(c, &n->kids[j]);
    }
}

/* A plan's memory: its arena, first in the block that holds its first block. */
typedef struct arena_kept {
    rlh_arena arena; /* first: the plan's mem */
    rlh_blocks *blocks;
    max_align_t first[1]; /* the rest of the RLH_BLOCK bytes */
} arena_kept;

rlh_plan *rlh_plan_read(const rlh_req *req, const rl_models *ms, const rlh_plan_opts *o)
{
    rlh_blocks *blocks = o ? o->blocks : NULL;
    arena_kept *k = rlh_block_take(blocks);
    rlh_arena *a = k ? &k->arena : NULL;
    if (k) k->blocks = blocks;
    if (a) rlh_arena_start(a, k->first, RLH_BLOCK - offsetof(arena_kept, first));
    rlh_plan *p = a ? rlh_arena_alloc(a, sizeof *p) : NULL;
    if (!p) {
        rlh_block_give(blocks, k);
        return NULL;
    }
    static const rlh_plan_opts defaults = {.aggregates = true};
    ctx c = {.p = p, .a = a, .ms = ms, .o = o ? o : &defaults};
    c.nsp = c.o->schema ? c.o->schema : "public";
    p->mem = a;
    p->req = req;
    p->error = req->error;
    if (!p->error && req->profile && strcmp(req->profile, c.nsp) != 0) {
        char msg[300], sentence[400];
        snprintf(msg, sizeof msg, "The schema must be one of the following: %.200s", c.nsp);
        snprintf(sentence, sizeof sentence, "This server serves one schema, and %.150s is not it.",
                 req->profile);
        fail(&c, 406, "PGRST106", msg, NULL, NULL, sentence);
    }
    const rl_model *m = p->error ? NULL : rl_models_find(ms, req->relation);
    if (!p->error && !m) {
        char msg[400], sentence[400];
        snprintf(msg, sizeof msg, "Could not find the table '%.100s.%.200s' in the schema cache",
                 c.nsp, req->relation ? req->relation : "");
        snprintf(sentence, sizeof sentence, "There is no table or view named %.200s.",
                 req->relation ? req->relation : "");
        fail(&c, 404, "PGRST205", msg, NULL, NULL, sentence);
    }
    if (!p->error) {
        p->root = (rlh_pnode){.m = m, .label = req->relation, .limit = -1};
        /* an empty select= is every column, as none is (an empty embed shows nothing) */
        static const rlh_sel star = {.kind = RLH_SEL_COLUMN, .col = {.name = "*"}};
        bool none = req->nselect == 0;
        if (plan_node(&c, &p->root, none ? &star : req->select, none ? 1 : req->nselect, 0) &&
            plan_filters(&c) && plan_orders(&c) && plan_ranges(&c))
            members_of(&c, &p->root);
    }
    if (c.oom) {
        rlh_plan_free(p);
        return NULL;
    }
    return p;
}

void rlh_plan_free(rlh_plan *p)
{
    if (!p) return;
    arena_kept *k = (arena_kept *)p->mem;
    rlh_arena_free(&k->arena);
    rlh_block_give(k->blocks, k);
}

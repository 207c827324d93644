/*
 * select= and embedding related rows through foreign keys, in PostgREST's syntax:
 *
 *   select=title,authors(name)         a book's author (the book's key to authors): an object
 *   select=title,author_id(name)       the same, named by the key column (when a table has
 *                                      two keys to one parent, this says which)
 *   select=name,books(title)           an author's books (their keys to authors): an array
 *   select=title,tags(label)           many-to-many, through a table with a key to each side
 *   select=name,books(title,tags(*))   nested
 *   select=*,writer:authors!reviewer_id(name)   an alias, and a hint: a key column, or a
 *                                      link table, when a name alone is ambiguous
 *
 * Direct relations are looked for first, links only when there is none.  Each relation is
 * one statement for all the rows above it (rl_fetch_parents, rl_fetch_children,
 * rl_fetch_linked), never one per row.  Per-embed filters, order, limit and offset are query
 * arguments prefixed with the relation's name (books.order=title.desc, books.limit=2); the
 * limit and offset apply to each row's group.
 */
#include "http_int.h"

#include <stdlib.h>
#include <string.h>

enum {
    RLH_MAX_EMBEDS = 16, /* relations in one request: each one is one statement */
    RLH_MAX_DEPTH = 6    /* relations inside relations */
};

/* The state of one select= parse. */
typedef struct sel {
    rl_request *r;
    size_t embeds; /* relations so far */
} sel;

static int fail(sel *s, int status, const char *code, const char *msg, const char *hint)
{
    if (strcmp(code, "RL_EFIELD") == 0) rlh_unknown_name(s->r); /* perhaps new since */
    rl_respond_error(s->r, status, code, msg, NULL, hint);
    return -1;
}

/* The relation name names from m (a key column of m, or a table) into e. */
static int resolve(sel *s, const rl_model *m, const char *name, const char *hint, rlh_embed *e)
{
    char msg[700];
    const rl_field *f = rlh_field(m, name);
    if (f && f->references && !hint) {
        e->rel = RLH_TO_ONE;
        snprintf(e->key, sizeof e->key, "%s", f->name);
        e->m = f->references;
        return 0;
    }
    const rl_models *ms = rl_request_models(s->r);
    const rl_model *t = rl_models_find(ms, name);
    if (!t) {
        snprintf(msg, sizeof msg, "%.150s has no foreign key %.150s, and there is no table %.150s.",
                 m->table, name, name);
        return fail(s, 400, "RL_EFIELD", msg, NULL);
    }
    rlh_way w[RLH_MAX_WAYS];
    size_t n = rlh_ways_of(ms, m, t, hint, w);
    if (n == 0) {
        snprintf(msg, sizeof msg, "%.150s and %.150s are not related%s%.150s.", m->table, t->table,
                 hint ? " through " : "", hint ? hint : "");
        return fail(s, 400, "RL_EINVAL", msg,
                    "Embedding follows foreign keys: a key of one table to the other, or a "
                    "table with a key to each.");
    }
    if (n > 1) {
        rlh_buf b = {0};
        rlh_addf(&b, "%.150s and %.150s are related in %zu ways:", m->table, t->table, n);
        for (size_t i = 0; i < n; i++)
            rlh_addf(&b, "%s %.150s!%.150s", i ? "," : "", t->table, w[i].hint);
        rlh_adds(&b, ".");
        int rc = fail(s, 400, "RL_EAMBIGUOUS", b.oom ? "Ambiguous relation." : b.data,
                      "Name one: table!key_column(...) or table!link_table(...).");
        rlh_free(&b);
        return rc;
    }
    e->rel = w[0].rel;
    snprintf(e->key, sizeof e->key, "%s", w[0].key);
    e->link = w[0].link;
    e->m = t;
    e->single = w[0].single;
    return 0;
}

static int list(sel *s, const rl_model *m, rlh_shape *sh, const char **c, int depth);

/* An embedded relation: [alias:]name[!hint](items) at *c, the name being len bytes. */
static int embed(sel *s, const rl_model *m, rlh_shape *sh, const char **c, size_t len, int depth)
{
    char text[300], *name = text, *hint;
    if (len >= sizeof text)
        return fail(s, 400, "RL_EINVAL", "A relation's name is too long.", NULL);
    memcpy(text, *c, len);
    text[len] = '\0';
    char *colon = strchr(text, ':');
    if (colon) {
        *colon = '\0';
        name = colon + 1;
    }
    if ((hint = strchr(name, '!'))) *hint++ = '\0';
    if (depth >= RLH_MAX_DEPTH || s->embeds >= RLH_MAX_EMBEDS)
        return fail(s, 400, "RL_EINVAL", "Too many embedded relations (at most 16, 6 deep).", NULL);
    rlh_embed *grown = realloc(sh->embeds, (sh->nembeds + 1) * sizeof *grown);
    if (!grown) return fail(s, 500, "RL_ENOMEM", "Out of memory.", NULL);
    sh->embeds = grown;
    rlh_embed *e = memset(&sh->embeds[sh->nembeds], 0, sizeof *e);
    e->shape = (rlh_shape){.all_cols = true, .limit = -1, .offset = -1};
    e->name = strdup(colon ? text : name);
    if (!e->name) return fail(s, 500, "RL_ENOMEM", "Out of memory.", NULL);
    sh->nembeds++;
    s->embeds++;
    if (resolve(s, m, name, hint, e) < 0) return -1;
    for (size_t i = 0; i + 1 < sh->nembeds; i++)
        if (strcmp(sh->embeds[i].name, e->name) == 0) {
            char msg[400];
            snprintf(msg, sizeof msg, "%.150s is embedded twice: give one an alias (alias:%.150s).",
                     e->name, e->name);
            return fail(s, 400, "RL_EINVAL", msg, NULL);
        }
    if (!(e->q = rl_select(rl_request_db(s->r), e->m)))
        return fail(s, 500, "RL_ENOMEM", "Out of memory.", NULL);
    *c += len + 1; /* past '(' */
    if (**c != ')') {
        e->shape.all_cols = false;
        if (list(s, e->m, &e->shape, c, depth + 1) < 0) return -1;
    }
    if (**c != ')')
        return fail(s, 400, "RL_EINVAL", "A relation's list is not closed by ')'.", NULL);
    (*c)++;
    return 0;
}

/* A column of m (or *) of len bytes at c. */
static int column(sel *s, const rl_model *m, rlh_shape *sh, const char *c, size_t len)
{
    char name[300];
    snprintf(name, sizeof name, "%.*s", (int)(len < 299 ? len : 299), c);
    if (strcmp(name, "*") == 0) {
        sh->all_cols = true;
        return 0;
    }
    const rl_field *f = rlh_field(m, name);
    if (!f && !(m->has_pk && strcmp(name, rlh_pk_name(m)) == 0)) {
        char msg[400];
        snprintf(msg, sizeof msg, "The table %.150s has no column %.150s.", m->table, name);
        return fail(s, 400, "RL_EFIELD", msg, NULL);
    }
    if (sh->ncols == RL_MAX_FIELDS + 1) return fail(s, 400, "RL_EINVAL", "Too many columns.", NULL);
    sh->cols[sh->ncols++] = f; /* NULL: the pk */
    return 0;
}

/* Items separated by commas at *c, up to a ')' or the end. */
static int list(sel *s, const rl_model *m, rlh_shape *sh, const char **c, int depth)
{
    for (;;) {
        size_t len = strcspn(*c, ",()");
        if (len == 0) return fail(s, 400, "RL_EINVAL", "select= has an empty item.", *c);
        if ((*c)[len] == '(') {
            if (embed(s, m, sh, c, len, depth) < 0) return -1;
        } else {
            if (column(s, m, sh, *c, len) < 0) return -1;
            *c += len;
        }
        if (**c != ',') return 0;
        (*c)++;
    }
}

int rlh_select_parse(rl_request *r, const rl_model *m, const char *v, rlh_shape *sh)
{
    sel s = {.r = r};
    sh->all_cols = false;
    const char *c = v;
    if (list(&s, m, sh, &c, 0) < 0) return -1;
    if (*c) return fail(&s, 400, "RL_EINVAL", "select= has a ')' that closes nothing.", NULL);
    /* a relation named like a column written with it: one name, two members */
    for (size_t i = 0; i < sh->nembeds; i++) {
        const rl_field *f = rlh_field(m, sh->embeds[i].name);
        bool written = f && sh->all_cols;
        for (size_t k = 0; f && k < sh->ncols; k++)
            written = written || sh->cols[k] == f;
        if (written) {
            char msg[400];
            snprintf(msg, sizeof msg,
                     "%.150s is a column and an embedded relation: give the relation an "
                     "alias (alias:%.150s(...)).",
                     sh->embeds[i].name, sh->embeds[i].name);
            return fail(&s, 400, "RL_EINVAL", msg, NULL);
        }
    }
    return 0;
}

int rlh_children_of(rl_request *r, const rl_model *m, const char *name, const rl_model **t,
                    const rl_field **key)
{
    sel s = {.r = r};
    char text[300], *hint;
    snprintf(text, sizeof text, "%s", name);
    if ((hint = strchr(text, '!'))) *hint++ = '\0';
    const rl_models *ms = rl_request_models(r);
    *t = rl_models_find(ms, text);
    if (!*t) return 0;
    rlh_way w[RLH_MAX_WAYS];
    size_t n = rlh_ways_of(ms, m, *t, hint, w), k = 0;
    for (size_t i = 0; i < n; i++)
        if (w[i].rel == RLH_TO_MANY) w[k++] = w[i];
    if (k > 1) {
        char msg[500];
        snprintf(msg, sizeof msg, "%.150s has %zu keys to %.150s: name one (%.150s!key_column).",
                 (*t)->table, k, m->table, (*t)->table);
        return fail(&s, 400, "RL_EAMBIGUOUS", msg, NULL);
    }
    if (k == 1 && w[0].several) return 0; /* a key of several fields: not nested writes */
    if (k == 1) *key = rlh_field(*t, w[0].key);
    return k == 1 && *key;
}

rlh_embed *rlh_embed_find(rlh_shape *sh, const char *name, size_t len)
{
    for (size_t i = 0; i < sh->nembeds; i++)
        if (strlen(sh->embeds[i].name) == len && strncmp(sh->embeds[i].name, name, len) == 0)
            return &sh->embeds[i];
    return NULL;
}

int rlh_embeds_load(rl_request *r, const rl_model *m, rlh_shape *sh, const void *rows, size_t n)
{
    size_t cap = rlh_max_rows(r) * 10;
    for (size_t i = 0; i < sh->nembeds; i++) {
        rlh_embed *e = &sh->embeds[i];
        rl_limit(e->q, (int64_t)cap + 1);
        const char *key = e->key[0] ? e->key : NULL;
        int rc = e->rel == RLH_TO_ONE    ? rl_fetch_parents(e->q, m, key, rows, n, &e->groups)
                 : e->rel == RLH_TO_MANY ? rl_fetch_children(e->q, m, key, rows, n, &e->groups)
                                         : rl_fetch_linked(e->q, e->link, m, rows, n, &e->groups);
        if (rc != RL_OK) {
            rl_respond_db_error(r, rl_request_db(r));
            return -1;
        }
        if (e->groups->total > cap) {
            char msg[400];
            snprintf(msg, sizeof msg, "%.150s has over %zu rows to embed.", e->name, cap);
            rl_respond_error(r, 400, "RL_ETOOLARGE", msg, NULL,
                             "Filter the relation (name.column=op.value) or read fewer rows.");
            return -1;
        }
        if (rlh_embeds_load(r, e->m, &e->shape, e->groups->items, e->groups->total) < 0) return -1;
    }
    return 0;
}

void rlh_shape_free(rlh_shape *sh)
{
    for (size_t i = 0; i < sh->nembeds; i++) {
        rlh_embed *e = &sh->embeds[i];
        rlh_shape_free(&e->shape);
        rl_groups_free(e->groups);
        rl_query_free(e->q);
        free(e->name);
    }
    free(sh->embeds);
    sh->embeds = NULL;
    sh->nembeds = 0;
}

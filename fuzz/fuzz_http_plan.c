/*
 * The server's parse and plan stages on their own: the input is a query string (then, after
 * a NUL byte, a Prefer and an Accept header, and a relation's name) planned as a read on the
 * tables of a small database with every kind of key (an integer key, a text key, a key of two
 * columns, a link table, two keys to one table).  Invariants: the parser and the planner
 * never crash or leak, never answer with NULL but when out of memory, an error value has a
 * status, a code and a message, and a plan names only what the schema has: every node's
 * model is one of the database's, every field number is one of that model's fields (or its
 * pk, or a count), every kid relates to its parent by a key of one of the two or a link table.
 */
#include "fuzz.h"

#include "plan.h"

static const char *const schema =
    "CREATE TABLE authors (id INTEGER PRIMARY KEY, name TEXT, data TEXT);"
    "CREATE TABLE books (id INTEGER PRIMARY KEY, title TEXT, author_id INTEGER REFERENCES "
    "authors, editor_id INTEGER REFERENCES authors);"
    "CREATE TABLE countries (code TEXT PRIMARY KEY, name TEXT);"
    "CREATE TABLE cities (id INTEGER PRIMARY KEY, name TEXT, country TEXT REFERENCES countries);"
    "CREATE TABLE tags (id INTEGER PRIMARY KEY, label TEXT);"
    "CREATE TABLE book_tags (book_id INTEGER NOT NULL REFERENCES books, tag_id INTEGER NOT NULL "
    "REFERENCES tags, PRIMARY KEY (book_id, tag_id));"
    "CREATE TABLE students (id INTEGER NOT NULL, code TEXT NOT NULL, PRIMARY KEY (id, code));"
    "CREATE TABLE grades (id INTEGER PRIMARY KEY, sid INTEGER, scode TEXT, mark INTEGER, "
    "FOREIGN KEY (sid, scode) REFERENCES students (id, code));";

static rl_models *models(void)
{
    static rl_db *db; /* the harness's own fixture, made once per process */
    static rl_models *ms;
    if (ms) return ms;
    rl_options o = {.profile = RL_PROFILE_TEST};
    if (rl_open(&db, NULL, &o) != RL_OK || rl_exec(db, schema, NULL, 0, NULL) != RL_OK ||
        rl_models_load(db, &ms) != RL_OK)
        abort();
    return ms;
}

static bool is_model(const rl_models *ms, const rl_model *m)
{
    for (size_t i = 0; i < rl_models_count(ms); i++)
        if (rl_models_get(ms, i) == m) return true;
    return false;
}

static void check_field(const rl_model *m, int field)
{
    FUZZ_ASSERT(field == RLH_FIELD_PK
                    ? m->has_pk
                    : field == RLH_FIELD_COUNT || (field >= 0 && (size_t)field < m->nfields),
                "field %d of %s", field, m->table);
}

static void check_where(const rlh_pnode *n, const rlh_pwhere *w)
{
    if (w->leaf) {
        check_field(n->m, w->cond.field);
        FUZZ_ASSERT(w->cond.cond != NULL, "a condition without its text");
        return;
    }
    for (size_t i = 0; i < w->nkids; i++)
        check_where(n, &w->kids[i]);
}

static void check_node(const rl_models *ms, const rlh_pnode *n, const rlh_pnode *parent)
{
    FUZZ_ASSERT(is_model(ms, n->m), "a node's model is not the schema's");
    for (size_t i = 0; i < n->ncols; i++) {
        check_field(n->m, n->cols[i].field);
        FUZZ_ASSERT(n->cols[i].name && n->cols[i].name[0], "a column without a name");
    }
    check_where(n, &n->where);
    for (size_t i = 0; i < n->norder; i++) {
        const rlh_porder *o = &n->order[i];
        FUZZ_ASSERT(o->kid < (int)n->nkids, "an order on a kid that is not there");
        check_field(o->kid >= 0 ? n->kids[o->kid].m : n->m, o->field);
    }
    if (parent) {
        rlh_way w[RLH_MAX_WAYS];
        size_t nw = rlh_ways_of(ms, parent->m, n->m, NULL, w);
        bool by_key_column = n->way.rel == RLH_TO_ONE && rlh_field(parent->m, n->way.key);
        FUZZ_ASSERT(nw > 0 || by_key_column, "%s is embedded in %s without a relation", n->m->table,
                    parent->m->table);
        FUZZ_ASSERT(n->name && n->name[0], "an embed without a name");
    }
    for (size_t i = 0; i < n->nkids; i++)
        check_node(ms, &n->kids[i], n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 6000) return 0;
    const rl_models *ms = models();
    const uint8_t *nul = memchr(data, 0, size);
    size_t qlen = nul ? (size_t)(nul - data) : size;
    char *query = malloc(qlen + 1);
    if (!query) abort();
    memcpy(query, data, qlen);
    query[qlen] = '\0';
    fuzz_in in = {data + qlen, size - qlen};
    fuzz_byte(&in); /* the NUL */
    char *prefer = fuzz_str(&in, 200), *accept = fuzz_str(&in, 200);
    static const char *const tables[] = {"books",    "authors", "cities",    "countries",
                                         "students", "grades",  "book_tags", "nope"};
    const char *rel = tables[fuzz_byte(&in) % 8];
    rlh_header h[2] = {{"Prefer", prefer}, {"Accept", accept}};
    rlh_parse_in pin = {.method = "GET",
                        .relation = rel,
                        .query = query,
                        .query_len = strlen(query),
                        .headers = h,
                        .nheaders = 2};
    rlh_req *r = rlh_parse(&pin);
    FUZZ_ASSERT(r != NULL, "no request value (out of memory?)");
    static const rlh_plan_opts small = {.schema = "public", .aggregates = true, .max_embeds = 4};
    rlh_plan *p = rlh_plan_read(r, ms, &small);
    FUZZ_ASSERT(p != NULL, "no plan (out of memory?)");
    if (p->error) {
        FUZZ_ASSERT(p->error->status >= 300 && p->error->status < 500, "status %d",
                    p->error->status);
        FUZZ_ASSERT(p->error->code && p->error->message, "an error without code or message");
    } else {
        check_node(ms, &p->root, NULL);
    }
    rlh_plan_free(p);
    rlh_req_free(r);
    free(query);
    free(prefer);
    free(accept);
    return 0;
}

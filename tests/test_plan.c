/*
 * The plan stage of the server (src/http/plan.h), without a server: request values planned on
 * the models of a live database (rl_models_load), on both engines.  A plan is checked through
 * its structure (the model, field numbers, relations, conditions of each node); an error
 * through PostgREST's status, code and words (Error.hs, and the answers its spec shows:
 * QuerySpec "causes a 404", "fails in some reasonable way when selecting fields that don't
 * exist", EmbedDisambiguationSpec's ambiguity, "is not an embedded resource").
 */
#include "helpers.h"
#include "plan.h"

#include <stdlib.h>
#include <string.h>

/* films -> directors (a key), films <- roles (two keys to people: actor and stand-in),
 * films <-> genres (a link table), composite students <- grades. */
static const char *const schema_sqlite =
    "CREATE TABLE directors (id INTEGER PRIMARY KEY, name TEXT NOT NULL);"
    "CREATE TABLE films (id INTEGER PRIMARY KEY, title TEXT, data TEXT, director_id INTEGER "
    "REFERENCES directors (id));"
    "CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT);"
    "CREATE TABLE roles (id INTEGER PRIMARY KEY, film_id INTEGER REFERENCES films (id), "
    "actor_id INTEGER REFERENCES people (id), standin_id INTEGER REFERENCES people (id), "
    "character TEXT);"
    "CREATE TABLE genres (id INTEGER PRIMARY KEY, label TEXT);"
    "CREATE TABLE film_genres (film_id INTEGER NOT NULL REFERENCES films (id), genre_id INTEGER "
    "NOT NULL REFERENCES genres (id), PRIMARY KEY (film_id, genre_id));"
    "CREATE TABLE students (id INTEGER NOT NULL, code TEXT NOT NULL, PRIMARY KEY (id, code));"
    "CREATE TABLE grades (id INTEGER PRIMARY KEY, sid INTEGER, scode TEXT, mark INTEGER, "
    "FOREIGN KEY (sid, scode) REFERENCES students (id, code));";
static const char *const schema_pg =
    "CREATE TABLE directors (id bigint PRIMARY KEY, name text NOT NULL);"
    "CREATE TABLE films (id bigint PRIMARY KEY, title text, data jsonb, director_id bigint "
    "REFERENCES directors (id));"
    "CREATE TABLE people (id bigint PRIMARY KEY, name text);"
    "CREATE TABLE roles (id bigint PRIMARY KEY, film_id bigint REFERENCES films (id), actor_id "
    "bigint REFERENCES people (id), standin_id bigint REFERENCES people (id), character text);"
    "CREATE TABLE genres (id bigint PRIMARY KEY, label text);"
    "CREATE TABLE film_genres (film_id bigint NOT NULL REFERENCES films (id), genre_id bigint "
    "NOT NULL REFERENCES genres (id), PRIMARY KEY (film_id, genre_id));"
    "CREATE TABLE students (id bigint NOT NULL, code text NOT NULL, PRIMARY KEY (id, code));"
    "CREATE TABLE grades (id bigint PRIMARY KEY, sid bigint, scode text, mark bigint, FOREIGN "
    "KEY (sid, scode) REFERENCES students (id, code));";

typedef struct fixture {
    rl_db *db;
    rl_models *ms;
    rlh_req *req;
    rlh_plan *plan;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    rl_options o = {.profile = RL_PROFILE_TEST};
    assert_int_equal(rl_open(&f->db, NULL, &o), RL_OK);
    assert_int_equal(rl_exec(f->db, on_pg() ? schema_pg : schema_sqlite, NULL, 0, NULL), RL_OK);
    assert_int_equal(rl_models_load(f->db, &f->ms), RL_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    rlh_plan_free(f->plan);
    rlh_req_free(f->req);
    rl_models_free(f->ms);
    rl_close(f->db);
    free(f);
    return 0;
}

/* The plan of GET /rel?query (the previous one freed). */
static const rlh_plan *plan(fixture *f, const char *rel, const char *query)
{
    rlh_plan_free(f->plan);
    rlh_req_free(f->req);
    rlh_parse_in in = {
        .method = "GET", .relation = rel, .query = query, .query_len = strlen(query)};
    f->req = rlh_parse(&in);
    assert_non_null(f->req);
    f->plan = rlh_plan_read(f->req, f->ms, NULL);
    assert_non_null(f->plan);
    return f->plan;
}

/* The plan must be an error with this status, code and message (details/hint: NULL to skip). */
static const rlh_perror *expect_error(fixture *f, const char *rel, const char *query, int status,
                                      const char *code, const char *message)
{
    const rlh_plan *p = plan(f, rel, query);
    if (!p->error) fail_msg("%s?%s: planned, expected %s", rel, query, code);
    assert_int_equal(p->error->status, status);
    assert_string_equal(p->error->code, code);
    assert_string_equal(p->error->message, message);
    assert_non_null(p->error->sentence);
    return p->error;
}

static const rlh_pnode *kid(const rlh_pnode *n, const char *name)
{
    for (size_t i = 0; i < n->nkids; i++)
        if (strcmp(n->kids[i].name, name) == 0) return &n->kids[i];
    fail_msg("no kid %s", name);
    return NULL;
}

static int field_of(fixture *f, const char *table, const char *column)
{
    const rl_model *m = rl_models_find(f->ms, table);
    for (size_t i = 0; i < m->nfields; i++)
        if (strcmp(m->fields[i].name, column) == 0) return (int)i;
    return -99;
}

static void test_columns_and_aliases(void **state)
{
    fixture *f = *state;
    const rlh_plan *p = plan(f, "films", "select=name:title,id,data->rating");
    assert_null(p->error);
    assert_string_equal(p->root.m->table, "films");
    assert_int_equal(p->root.ncols, 3);
    assert_string_equal(p->root.cols[0].name, "name");
    assert_int_equal(p->root.cols[0].field, field_of(f, "films", "title"));
    assert_int_equal(p->root.cols[1].field, RLH_FIELD_PK);
    assert_string_equal(p->root.cols[2].name, "rating"); /* a JSON path's last key */
    assert_int_equal(p->root.cols[2].njson, 1);
    p = plan(f, "films", "");
    assert_int_equal(p->root.ncols, 4); /* *: the pk first, then every field */
    assert_int_equal(p->root.cols[0].field, RLH_FIELD_PK);
    p = plan(f, "films", "select=title.count(),count()");
    assert_true(p->root.grouped);
    assert_string_equal(p->root.cols[0].name, "count");
    assert_int_equal(p->root.cols[1].field, RLH_FIELD_COUNT);
    /* QuerySpec: "fails in some reasonable way when selecting fields that don't exist" */
    expect_error(f, "films", "select=id,banana", 400, "42703",
                 "column films.banana does not exist");
    /* QuerySpec: "causes a 404" */
    expect_error(f, "faketable", "", 404, "PGRST205",
                 "Could not find the table 'public.faketable' in the schema cache");
}

static void test_embeds(void **state)
{
    fixture *f = *state;
    const rlh_plan *p =
        plan(f, "films", "select=title,boss:directors(name),roles!inner(character),genres(*)");
    assert_null(p->error);
    assert_int_equal(p->root.nkids, 3);
    const rlh_pnode *d = kid(&p->root, "boss");
    assert_int_equal(d->way.rel, RLH_TO_ONE);
    assert_string_equal(d->way.key, "director_id");
    assert_string_equal(d->m->table, "directors");
    const rlh_pnode *r = kid(&p->root, "roles");
    assert_int_equal(r->way.rel, RLH_TO_MANY);
    assert_int_equal(r->join, RLH_JOIN_INNER);
    const rlh_pnode *g = kid(&p->root, "genres");
    assert_int_equal(g->way.rel, RLH_LINKED);
    assert_string_equal(g->way.link->table, "film_genres");
    assert_int_equal(g->ncols, 2);
    /* embedded by the key column, and a spread of a to-one relation */
    p = plan(f, "films", "select=title,director_id(name),...directors(boss:name)");
    assert_null(p->error);
    assert_string_equal(p->root.kids[0].m->table, "directors");
    assert_true(p->root.kids[1].spread);
    /* composite keys relate too */
    p = plan(f, "students", "select=code,grades(mark)");
    assert_null(p->error);
    assert_string_equal(p->root.kids[0].way.key, "sid,scode");
    /* two keys from roles to people: PostgREST's 300 with each way and the hints to use */
    const rlh_perror *e =
        expect_error(f, "roles", "select=people(name)", 300, "PGRST201",
                     "Could not embed because more than one relationship was found for 'roles' "
                     "and 'people'");
    assert_string_equal(e->hint, "Try changing 'people' to one of the following: "
                                 "'people!roles_actor_id_fkey', 'people!roles_standin_id_fkey'. "
                                 "Find the desired relationship in the 'details' key.");
    assert_non_null(strstr(e->details, "\"cardinality\":\"many-to-one\""));
    assert_non_null(strstr(e->details, "\"embedding\":\"roles with people\""));
    p = plan(f, "roles", "select=people!roles_standin_id_fkey(name)");
    assert_null(p->error);
    assert_string_equal(p->root.kids[0].way.key, "standin_id");
    p = plan(f, "films", "select=directors!id(name)"); /* the column the key references */
    assert_null(p->error);
    assert_string_equal(p->root.kids[0].way.key, "director_id");
    p = plan(f, "roles", "select=people!actor_id(name)");
    assert_null(p->error);
    assert_string_equal(p->root.kids[0].way.key, "actor_id");
    e = expect_error(f, "directors", "select=genres(label)", 400, "PGRST200",
                     "Could not find a relationship between 'directors' and 'genres' in the "
                     "schema cache");
    assert_string_equal(e->details, "Searched for a foreign key relationship between 'directors' "
                                    "and 'genres' in the schema 'public', but no matches were "
                                    "found.");
    assert_null(e->hint); /* directors relates to films only: nothing like genres */
    /* a name like that of a related table: PostgREST's hint suggests it; a relation that is
     * not there is the error before a column that is not there */
    e = expect_error(f, "films", "select=nope,role(character)", 400, "PGRST200",
                     "Could not find a relationship between 'films' and 'role' in the schema "
                     "cache");
    assert_string_equal(e->hint, "Perhaps you meant 'roles' instead of 'role'.");
    e = expect_error(f, "films", "select=peoples(name)", 400, "PGRST200",
                     "Could not find a relationship between 'films' and 'peoples' in the schema "
                     "cache");
    assert_string_equal(e->hint, "Perhaps you meant 'people' instead of 'peoples'."); /* roles */
    e = expect_error(f, "films", "select=critics(name)", 400, "PGRST200",
                     "Could not find a relationship between 'films' and 'critics' in the schema "
                     "cache");
    assert_null(e->hint); /* nothing related is like it */
    expect_error(f, "films", "select=...roles(character)", 400, "PGRST119",
                 "A spread operation on 'roles' is not possible");
    expect_error(f, "films", "select=directors(nope)", 400, "42703",
                 "column directors.nope does not exist");
}

static void test_filters_orders_ranges(void **state)
{
    fixture *f = *state;
    const rlh_plan *p =
        plan(f, "films",
             "select=title,roles(character)&title=eq.X&or=(id.eq.1,id.eq.2)&roles.character=like.A*"
             "&order=title.desc&roles.order=character&roles.limit=2&limit=10&offset=5");
    assert_null(p->error);
    assert_int_equal(p->root.where.nkids, 2);
    assert_true(p->root.where.kids[0].leaf);
    assert_int_equal(p->root.where.kids[0].cond.field, field_of(f, "films", "title"));
    assert_true(p->root.where.kids[1].any);
    assert_int_equal(p->root.where.kids[1].nkids, 2);
    assert_int_equal(p->root.where.kids[1].kids[0].cond.field, RLH_FIELD_PK);
    const rlh_pnode *r = kid(&p->root, "roles");
    assert_int_equal(r->where.nkids, 1);
    assert_int_equal(p->root.norder, 1);
    assert_int_equal(p->root.order[0].dir, RLH_DIR_DESC);
    assert_int_equal(r->norder, 1);
    assert_int_equal(r->limit, 2);
    assert_int_equal(p->root.limit, 10);
    assert_int_equal(p->root.offset, 5);
    /* ordered by a column of a to-one relation */
    p = plan(f, "films", "select=title,directors(name)&order=directors(name).asc");
    assert_null(p->error);
    assert_int_equal(p->root.order[0].kid, 0);
    assert_int_equal(p->root.order[0].field, field_of(f, "directors", "name"));
    /* a filter on a relation that select= does not embed */
    const rlh_perror *e = expect_error(f, "films", "roles.character=eq.X", 400, "PGRST108",
                                       "'roles' is not an embedded resource in this request");
    assert_string_equal(e->hint, "Verify that 'roles' is included in the 'select' query "
                                 "parameter.");
    expect_error(f, "films", "order=directors(name)", 400, "PGRST108",
                 "'directors' is not an embedded resource in this request");
    expect_error(f, "films", "nope=eq.1", 400, "42703", "column films.nope does not exist");
    expect_error(f, "films", "or=(id.eq.1,nope.eq.2)", 400, "42703",
                 "column films.nope does not exist");
    expect_error(f, "films", "select=title,roles(character)&order=roles(character)", 400,
                 "PGRST118", "A related order on 'roles' is not possible");
    /* a parse error stays what it is */
    expect_error(f, "films", "select=title,", 400, "PGRST100",
                 "\"failed to parse select parameter (title,)\" (line 1, column 7)");
}

static void test_limits(void **state)
{
    fixture *f = *state;
    rlh_plan_opts o = {.schema = "api", .aggregates = false, .max_embeds = 2};
    rlh_plan_free(f->plan);
    rlh_req_free(f->req);
    const char *q = "select=count()";
    rlh_parse_in in = {.method = "GET", .relation = "films", .query = q, .query_len = strlen(q)};
    f->req = rlh_parse(&in);
    f->plan = rlh_plan_read(f->req, f->ms, &o);
    assert_non_null(f->plan->error);
    assert_string_equal(f->plan->error->code, "PGRST123");
    rlh_plan_free(f->plan);
    rlh_req_free(f->req);
    q = "select=directors(*),roles(*),genres(*)";
    in.query = q;
    in.query_len = strlen(q);
    f->req = rlh_parse(&in);
    f->plan = rlh_plan_read(f->req, f->ms, &o);
    assert_non_null(f->plan->error);
    assert_int_equal(f->plan->error->status, 400);
    rlh_plan_free(f->plan);
    rlh_req_free(f->req);
    in.relation = "nope";
    f->req = rlh_parse(&in);
    f->plan = rlh_plan_read(f->req, f->ms, &o);
    assert_string_equal(f->plan->error->message,
                        "Could not find the table 'api.nope' in the schema cache");
}

int main(void)
{
    const struct CMUnitTest both[] = {
        cmocka_unit_test_setup_teardown(test_columns_and_aliases, setup, teardown),
        cmocka_unit_test_setup_teardown(test_embeds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_filters_orders_ranges, setup, teardown),
        cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
    };
    return run_suite(both);
}

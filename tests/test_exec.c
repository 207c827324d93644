/*
 * The execute and render stages of reads (src/http/exec.h, answer.h), without a server: a
 * request parsed, planned on a live database's models, run and written as JSON, on both
 * engines.  The expected answers are PostgREST's for the same request on the same rows.
 */
#include "pipeline.h"
#include "cast.h"

#include <stdlib.h>
#include <string.h>

static const char *const schema_sqlite =
    "CREATE TABLE directors (id INTEGER PRIMARY KEY, name TEXT NOT NULL);"
    "CREATE TABLE films (id INTEGER PRIMARY KEY, title TEXT, year INTEGER, director_id INTEGER "
    "REFERENCES directors (id));"
    "CREATE TABLE roles (id INTEGER PRIMARY KEY, film_id INTEGER REFERENCES films (id), "
    "character TEXT);"
    "CREATE TABLE genres (id INTEGER PRIMARY KEY, label TEXT);"
    "CREATE TABLE film_genres (film_id INTEGER NOT NULL REFERENCES films (id), genre_id INTEGER "
    "NOT NULL REFERENCES genres (id), PRIMARY KEY (film_id, genre_id));"
    "CREATE TABLE students (id INTEGER NOT NULL, code TEXT NOT NULL, PRIMARY KEY (id, code));"
    "CREATE TABLE grades (id INTEGER PRIMARY KEY, sid INTEGER, scode TEXT, mark INTEGER, "
    "FOREIGN KEY (sid, scode) REFERENCES students (id, code));"
    "CREATE VIEW recent AS SELECT id, title, director_id FROM films WHERE year > 1960;";
static const char *const schema_pg =
    "CREATE TABLE directors (id bigint PRIMARY KEY, name text NOT NULL);"
    "CREATE TABLE films (id bigint PRIMARY KEY, title text, year bigint, director_id bigint "
    "REFERENCES directors (id));"
    "CREATE TABLE roles (id bigint PRIMARY KEY, film_id bigint REFERENCES films (id), character "
    "text);"
    "CREATE TABLE genres (id bigint PRIMARY KEY, label text);"
    "CREATE TABLE film_genres (film_id bigint NOT NULL REFERENCES films (id), genre_id bigint "
    "NOT NULL REFERENCES genres (id), PRIMARY KEY (film_id, genre_id));"
    "CREATE TABLE students (id bigint NOT NULL, code text NOT NULL, PRIMARY KEY (id, code));"
    "CREATE TABLE grades (id bigint PRIMARY KEY, sid bigint, scode text, mark bigint, FOREIGN "
    "KEY (sid, scode) REFERENCES students (id, code));"
    "CREATE VIEW recent AS SELECT id, title, director_id FROM films WHERE year > 1960;";
static const char *const rows =
    "INSERT INTO directors VALUES (1, 'Varda'), (2, 'Ozu');"
    "INSERT INTO films VALUES (1, 'Cleo', 1962, 1), (2, 'Tokyo Story', 1953, 2), (3, 'Vagabond', "
    "1985, 1), (4, 'Untitled', NULL, NULL);"
    "INSERT INTO roles VALUES (1, 1, 'Cleo'), (2, 1, 'Angele'), (3, 2, 'Noriko'), (4, 3, "
    "'Mona');"
    "INSERT INTO genres VALUES (1, 'drama'), (2, 'road');"
    "INSERT INTO film_genres VALUES (1, 1), (2, 1), (3, 1), (3, 2);"
    "INSERT INTO students VALUES (1, 'a'), (1, 'b');"
    "INSERT INTO grades VALUES (1, 1, 'b', 5), (2, 1, 'b', 3), (3, 1, 'a', 4);";

static int setup(void **state)
{
    *state = pipeline_open(on_pg() ? schema_pg : schema_sqlite, rows);
    return 0;
}

static int teardown(void **state)
{
    return pipeline_close(state);
}

/* The CSV of GET /rel?query. */
static void expect_csv(fixture *f, const char *rel, const char *query, const char *want)
{
    rlh_parse_in in = {
        .method = "GET", .relation = rel, .query = query, .query_len = strlen(query)};
    rlh_req *req = rlh_parse(&in);
    rlh_plan *p = rlh_plan_read(req, f->ms, NULL);
    assert_null(p->error);
    rlh_result res;
    rlh_exec_error err;
    assert_int_equal(rlh_exec_read(f->db, p, NULL, &res, &err), RL_OK);
    rlh_buf b = {0};
    rlh_answer_csv(&b, &res);
    if (strcmp(b.data, want) != 0) fail_msg("%s?%s:\n got  %s\n want %s", rel, query, b.data, want);
    rlh_free(&b);
    rlh_result_free(&res);
    rlh_plan_free(p);
    rlh_req_free(req);
}

static void expect(fixture *f, const char *rel, const char *query, const char *want)
{
    pipeline_expect(f->db, f->ms, rel, query, want);
}

static void count_select(const char *sql, void *ctx)
{
    if (strncmp(sql, "SELECT", 6) == 0) ++*(int *)ctx;
}

/* The SELECTs the answer of GET /rel?query runs, and the answer is want. */
static int selects(fixture *f, const char *rel, const char *query, const char *want)
{
    int n = 0;
    rl_trace(f->db, count_select, &n);
    char *got = pipeline_answer(f->db, f->ms, rel, query, false);
    rl_trace(f->db, NULL, NULL);
    if (strcmp(got, want) != 0) fail_msg("%s?%s:\n got  %s\n want %s", rel, query, got, want);
    free(got);
    return n;
}

/* A to-one relation embedded as it is comes with its rows in one statement (a LEFT JOIN);
 * with filters of its own, paging or an !inner relation below it, it is read apart, once for
 * all the rows. */
static void test_to_one_read_with_the_rows(void **state)
{
    fixture *f = *state;
    assert_int_equal(selects(f, "films", "select=id,directors(name)&order=id",
                             "[{\"id\":1,\"directors\":{\"name\":\"Varda\"}},{\"id\":2,"
                             "\"directors\":{\"name\":\"Ozu\"}},{\"id\":3,\"directors\":{"
                             "\"name\":\"Varda\"}},{\"id\":4,\"directors\":null}]"),
                     1);
    assert_int_equal(selects(f, "films", "select=id,directors(name)&order=directors(name).desc",
                             "[{\"id\":4,\"directors\":null},{\"id\":1,\"directors\":{"
                             "\"name\":\"Varda\"}},{\"id\":3,\"directors\":{\"name\":"
                             "\"Varda\"}},{\"id\":2,\"directors\":{\"name\":\"Ozu\"}}]"),
                     1);
    /* its own relations below it: one more statement for all of them */
    assert_int_equal(selects(f, "roles", "select=id,films(title,genres(label))&id=lte.2&order=id",
                             "[{\"id\":1,\"films\":{\"title\":\"Cleo\",\"genres\":[{"
                             "\"label\":\"drama\"}]}},{\"id\":2,\"films\":{\"title\":"
                             "\"Cleo\",\"genres\":[{\"label\":\"drama\"}]}}]"),
                     2);
    assert_int_equal(selects(f, "films", "select=id,directors(name)&directors.name=eq.Ozu&id=lte.2",
                             "[{\"id\":1,\"directors\":null},{\"id\":2,\"directors\":{"
                             "\"name\":\"Ozu\"}}]"),
                     2);
}

static void test_rows_and_relations(void **state)
{
    fixture *f = *state;
    expect(f, "films", "select=title,boss:directors(name)&id=lte.2&order=id",
           "[{\"title\":\"Cleo\",\"boss\":{\"name\":\"Varda\"}},{\"title\":\"Tokyo Story\","
           "\"boss\":{\"name\":\"Ozu\"}}]");
    expect(f, "directors",
           "select=name,films(title,roles(character))&order=id&films.order=id.desc&films.limit=1"
           "&films.roles.order=character",
           "[{\"name\":\"Varda\",\"films\":[{\"title\":\"Vagabond\",\"roles\":[{\"character\":"
           "\"Mona\"}]}]},{\"name\":\"Ozu\",\"films\":[{\"title\":\"Tokyo Story\",\"roles\":[{"
           "\"character\":\"Noriko\"}]}]}]");
    expect(f, "films", "select=id,genres(label)&id=eq.3&genres.order=label.desc",
           "[{\"id\":3,\"genres\":[{\"label\":\"road\"},{\"label\":\"drama\"}]}]");
    /* !inner keeps the films that have such a role; without it every film keeps its place */
    expect(f, "films", "select=title,roles!inner(character)&roles.character=eq.Mona",
           "[{\"title\":\"Vagabond\",\"roles\":[{\"character\":\"Mona\"}]}]");
    expect(f, "films", "select=id,directors!inner(name)&directors.name=eq.Ozu",
           "[{\"id\":2,\"directors\":{\"name\":\"Ozu\"}}]");
    expect(f, "films", "select=id,roles(id)&roles.character=eq.Mona&order=id&id=gt.2",
           "[{\"id\":3,\"roles\":[{\"id\":4}]},{\"id\":4,\"roles\":[]}]");
    /* !inner through a link table, and an !inner below an !inner (subqueries nest) */
    expect(f, "films", "select=id,genres!inner(label)&genres.label=eq.road",
           "[{\"id\":3,\"genres\":[{\"label\":\"road\"}]}]");
    expect(f, "directors",
           "select=name,films!inner(id,roles!inner(id))&films.roles.character=eq.Mona",
           "[{\"name\":\"Varda\",\"films\":[{\"id\":3,\"roles\":[{\"id\":4}]}]}]");
    expect(f, "directors",
           "select=name,films!inner(id,genres!inner(id))&films.genres.label=eq.road",
           "[{\"name\":\"Varda\",\"films\":[{\"id\":3,\"genres\":[{\"id\":2}]}]}]");
    /* a spread: the director's name among the film's own members */
    expect(f, "films", "select=title,...directors(director:name)&order=id&id=in.(1,4)",
           "[{\"title\":\"Cleo\",\"director\":\"Varda\"},{\"title\":\"Untitled\",\"director\":"
           "null}]");
    /* ordered by the related row's column */
    expect(f, "films",
           "select=id,directors(name)&order=directors(name).desc,id&director_id=not.is.null",
           "[{\"id\":1,\"directors\":{\"name\":\"Varda\"}},{\"id\":3,\"directors\":{\"name\":"
           "\"Varda\"}},{\"id\":2,\"directors\":{\"name\":\"Ozu\"}}]");
    /* composite keys */
    expect(f, "students", "select=code,grades(mark)&order=code&grades.order=mark",
           "[{\"code\":\"a\",\"grades\":[{\"mark\":4}]},{\"code\":\"b\",\"grades\":[{\"mark\":3},"
           "{\"mark\":5}]}]");
    /* a view's column that shows a key column has its key, on both engines (SQLite tells
     * where a view's column comes from, PostgreSQL's view rule does); a view is a parent
     * where its table is (more in test_views.c) */
    expect(f, "recent", "select=title,directors(name)&order=id",
           "[{\"title\":\"Cleo\",\"directors\":{\"name\":\"Varda\"}},{\"title\":"
           "\"Vagabond\",\"directors\":{\"name\":\"Varda\"}}]");
    expect(f, "roles", "select=character,recent(title)&id=lte.3&order=id",
           "[{\"character\":\"Cleo\",\"recent\":{\"title\":\"Cleo\"}},{\"character\":"
           "\"Angele\",\"recent\":{\"title\":\"Cleo\"}},{\"character\":\"Noriko\","
           "\"recent\":null}]");
    /* CSV: a header, text as it is (quoted where it must be), NULL empty, related rows as JSON */
    expect_csv(f, "films", "select=id,title,year&id=in.(1,4)&order=id",
               "id,title,year\n1,Cleo,1962\n4,Untitled,");
    expect_csv(
        f, "directors", "select=name,films(title)&order=id&films.order=id&films.limit=1",
        "name,films\nVarda,\"[{\"\"title\"\":\"\"Cleo\"\"}]\"\nOzu,\"[{\"\"title\"\":\"\"Tokyo "
        "Story\"\"}]\"");
    /* nulls stripped */
    char *got = pipeline_answer(f->db, f->ms, "films", "select=id,year&id=eq.4", true);
    assert_string_equal(got, "[{\"id\":4}]");
    free(got);
}

static void test_conditions(void **state)
{
    fixture *f = *state;
    expect(f, "films", "select=id&not.or=(id.eq.1,id.eq.2)&order=id", "[{\"id\":3},{\"id\":4}]");
    expect(f, "films", "select=id&or=(year.lt.1960,and(year.gt.1980,title.like.V*))&order=id",
           "[{\"id\":2},{\"id\":3}]");
    expect(f, "films", "select=id&year=is.null", "[{\"id\":4}]");
    expect(f, "films", "select=id&year=not.is.null&year=not.gt.1960", "[{\"id\":2}]");
    expect(f, "films", "select=id&id=eq(any).{1,3}&order=id", "[{\"id\":1},{\"id\":3}]");
    expect(f, "films", "select=id&title=like(all).{*o*,*S*}", "[{\"id\":2}]");
    expect(f, "films", "select=id&title=ilike.*VAGA*", "[{\"id\":3}]");
    expect(f, "films", "select=id&title=like.*VAGA*", "[]"); /* like is case-sensitive */
    expect(f, "films", "select=id&id=not.in.(1,2,3)", "[{\"id\":4}]");
    expect(f, "films", "select=id&limit=2&offset=1&order=id", "[{\"id\":2},{\"id\":3}]");
    /* a value its column cannot hold, as PostgreSQL words it */
    expect(f, "films", "id=eq.abc", "400 22P02");
    expect(f, "films", "id=in.(1,x)", "400 22P02");
    /* what the query API cannot say yet is a 501, never another query */
    expect(f, "films", "select=id&title=match.^[CV]&order=id", "[{\"id\":1},{\"id\":3}]");
    expect(f, "films", "select=id&title=imatch.^t.*y$", "[{\"id\":2}]");
    expect(f, "films", "select=id&title=not.imatch.[aeiou]n&order=id", "[{\"id\":1},{\"id\":2}]");
    expect(f, "films", "select=id&year=isdistinct.1962&order=id",
           "[{\"id\":2},{\"id\":3},{\"id\":4}]");
    if (!on_pg()) expect(f, "films", "title=match.[", "400 2201B");
    expect(f, "films", "select=nope", "400 42703");
    /* numbers with spaces around them, as PostgreSQL reads them */
    expect(f, "films", "select=id&id=in.( 1, 3 )&order=id", "[{\"id\":1},{\"id\":3}]");
    expect(f, "films", "select=id&or=( id.eq.2 , and( id.gt.0 , id.lt. 2 ) )&order=id",
           "[{\"id\":1},{\"id\":2}]");
    expect(f, "films", "id=eq.1 x", "400 22P02");
    expect(f, "films", "id=in.( ,3)", "400 22P02");
}

/* An embed that selects nothing only filters: it is no member of the answer; an empty select=
 * on the root is every column. */
static void test_empty_selects(void **state)
{
    fixture *f = *state;
    expect(f, "films", "select=id,directors()&id=eq.1", "[{\"id\":1}]");
    expect(f, "films", "select=id,directors!inner()&directors.name=eq.Ozu", "[{\"id\":2}]");
    expect(f, "directors", "select=name,films(roles())&order=id",
           "[{\"name\":\"Varda\"},{\"name\":\"Ozu\"}]");
    expect(f, "directors", "select=name,films(title,roles())&id=eq.2",
           "[{\"name\":\"Ozu\",\"films\":[{\"title\":\"Tokyo Story\"}]}]");
    expect(f, "directors", "select=&id=eq.2", "[{\"id\":2,\"name\":\"Ozu\"}]");
    /* the children that reference a column, embedded by that column's name */
    expect(f, "directors", "select=name,id(title)&id=eq.2",
           "[{\"name\":\"Ozu\",\"id\":[{\"title\":\"Tokyo Story\"}]}]");
    /* an aliased embed's filters, order and limit by the relation's own name */
    expect(f, "directors",
           "select=name,works:films(title)&id=eq.1&films.order=title.desc&films.limit=1",
           "[{\"name\":\"Varda\",\"works\":[{\"title\":\"Vagabond\"}]}]");
}

/* Casts in select=, as PostgreSQL's casts give them, the same on every engine. */
static void test_casts(void **state)
{
    fixture *f = *state;
    expect(f, "films", "select=id::text&id=eq.1", "[{\"id\":\"1\"}]");
    expect(f, "films", "select=myId:id::text,year::TEXT&id=eq.2",
           "[{\"myId\":\"2\",\"year\":\"1953\"}]");
    expect(f, "films", "select=year::numeric,year::bool,title::varchar&id=eq.3",
           "[{\"year\":1985,\"year\":true,\"title\":\"Vagabond\"}]");
    expect(f, "films", "select=year::int2,year::float8&id=eq.4", "[{\"year\":null,\"year\":null}]");
    expect(f, "directors", "select=name,films(id::text)&id=eq.2",
           "[{\"name\":\"Ozu\",\"films\":[{\"id\":\"2\"}]}]");
    expect(f, "films", "select=title::int&id=eq.1", "400 22P02");
    expect(f, "films", "select=title::json&id=eq.1", "400 22P02");
    expect(f, "films", "select=id::fakecolumntype", "400 42704");
    expect(f, "directors", "select=films(title::int)&id=eq.2", "400 22P02");
    expect_csv(f, "films", "select=id::text,title::text,year::int2&id=in.(1,4)&order=id",
               "id,title,year\n1,Cleo,1962\n4,Untitled,");
}

/* Aggregates in select=, grouped by the other columns, as PostgREST 12 answers them. */
static void test_aggregates(void **state)
{
    fixture *f = *state;
    expect(f, "films", "select=count()", "[{\"count\":4}]");
    expect(f, "films", "select=director_id,count()&order=director_id",
           "[{\"director_id\":1,\"count\":2},{\"director_id\":2,\"count\":1},"
           "{\"director_id\":null,\"count\":1}]");
    expect(f, "films", "select=year.sum(),year.max(),year.min(),year.count()",
           "[{\"sum\":5900,\"max\":1985,\"min\":1953,\"count\":3}]");
    expect(f, "films", "select=total:year.sum()::text,n:count()&director_id=eq.1",
           "[{\"total\":\"3947\",\"n\":2}]");
    expect(f, "films", "select=year.avg()&director_id=eq.1", "[{\"avg\":1973.5}]");
    expect(f, "films", "select=count()&id=gt.100", "[{\"count\":0}]");
    expect_csv(f, "films", "select=director_id,count()&order=director_id",
               "director_id,count\n1,2\n2,1\n,1");
    expect(f, "films", "select=count(),roles(id)", "501 RL_EINVAL");
    /* beside a to-one relation: grouped by its key too, its row under each group */
    expect(f, "films", "select=director_id,count(),directors(name)&order=director_id",
           "[{\"director_id\":1,\"count\":2,\"directors\":{\"name\":\"Varda\"}},{\"director_id\":2,"
           "\"count\":1,\"directors\":{\"name\":\"Ozu\"}},{\"director_id\":null,\"count\":1,"
           "\"directors\":null}]");
    /* a spread relation's columns group the rows, ordered by one of them (its alias too) */
    expect(f, "films", "select=n:count(),...directors(name)&order=directors(name)",
           "[{\"n\":1,\"name\":\"Ozu\"},{\"n\":2,\"name\":\"Varda\"},{\"n\":1,\"name\":null}]");
    expect(f, "films", "select=...directors(who:name,films:count())&order=directors(who).desc",
           "[{\"who\":null,\"films\":1},{\"who\":\"Varda\",\"films\":2},{\"who\":\"Ozu\","
           "\"films\":1}]");
    expect(f, "films", "select=n:count(),directors(name)&director_id=eq.1",
           "[{\"n\":2,\"directors\":{\"name\":\"Varda\"}}]");
    /* inside an embedded relation: each parent's rows aggregated, one row per parent (a
     * parent without any counts 0, its sum is null), with the relation's own filters */
    expect(f, "directors", "select=name,films(count())&order=id",
           "[{\"name\":\"Varda\",\"films\":[{\"count\":2}]},{\"name\":\"Ozu\",\"films\":[{"
           "\"count\":1}]}]");
    expect(f, "directors", "select=name,films(year.sum(),latest:year.max())&order=id",
           "[{\"name\":\"Varda\",\"films\":[{\"sum\":3947,\"latest\":1985}]},{\"name\":\"Ozu\","
           "\"films\":[{\"sum\":1953,\"latest\":1953}]}]");
    expect(f, "directors", "select=name,films(n:count(),year.sum())&films.year=gt.1960&order=id",
           "[{\"name\":\"Varda\",\"films\":[{\"n\":2,\"sum\":3947}]},{\"name\":\"Ozu\","
           "\"films\":[{\"n\":0,\"sum\":null}]}]");
    /* with columns beside them: a row per group of those columns under each parent */
    expect(f, "directors", "select=name,films(year,count())&films.order=year&order=id",
           "[{\"name\":\"Varda\",\"films\":[{\"year\":1962,\"count\":1},{\"year\":1985,"
           "\"count\":1}]},{\"name\":\"Ozu\",\"films\":[{\"year\":1953,\"count\":1}]}]");
    expect(f, "directors", "select=id,films(n:count(),director_id)&order=id",
           "[{\"id\":1,\"films\":[{\"n\":2,\"director_id\":1}]},{\"id\":2,\"films\":[{\"n\":1,"
           "\"director_id\":2}]}]");
    expect(f, "directors", "select=name,films(year,count())&films.year=gt.2000&order=id",
           "[{\"name\":\"Varda\",\"films\":[]},{\"name\":\"Ozu\",\"films\":[]}]");
    /* spread relations inside spread ones, joined: each role's film's director groups the
     * roles, the films' years summed over them (no order=: by what groups them) */
    expect(f, "roles", "select=...films(year.sum(),...directors(name))",
           "[{\"sum\":1953,\"name\":\"Ozu\"},{\"sum\":5909,\"name\":\"Varda\"}]");
    expect(f, "roles", "select=...films(directors(name),n:count())",
           "[{\"n\":3,\"directors\":{\"name\":\"Varda\"}},{\"n\":1,\"directors\":{"
           "\"name\":\"Ozu\"}}]");
    expect(f, "directors", "select=name,films(...directors(who:name),n:count())&order=id",
           "[{\"name\":\"Varda\",\"films\":[{\"n\":2,\"who\":\"Varda\"}]},{\"name\":\"Ozu\","
           "\"films\":[{\"n\":1,\"who\":\"Ozu\"}]}]");
    /* a spread relation's own filters beside aggregates are not served (not ignored) */
    expect(f, "films", "select=n:count(),...directors(name)&directors.name=eq.Ozu",
           "501 RL_EINVAL");
    /* an aggregate's argument cast by the database before it aggregates */
    expect(f, "films", "select=year::int.sum()", "[{\"sum\":5900}]");
    expect(f, "films", "select=latest:year::text.max(),year::text.min()::int",
           "[{\"latest\":\"1985\",\"min\":1953}]");
    expect(f, "films", "select=year::bool.sum()", "400 RL_EINVAL");
    expect(f, "films", "select=year::nope.sum()", "400 42704");
    expect(f, "films", "select=year.sum()::nope", "400 42704");
}

/* Values as PostgreSQL's input functions read them. */
static void test_values(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int kind;
        bool ok;
        int64_t i;
    } cases[] = {
        {" 3 ", RL_KIND_INTEGER, true, 3},
        {"\t-7\n", RL_KIND_INTEGER, true, -7},
        {"3 x", RL_KIND_INTEGER, false, 0},
        {"", RL_KIND_INTEGER, false, 0},
        {"  ", RL_KIND_INTEGER, false, 0},
        {"true", RL_KIND_BOOLEAN, true, 1},
        {" TRUE ", RL_KIND_BOOLEAN, true, 1},
        {"t", RL_KIND_BOOLEAN, true, 1},
        {"ye", RL_KIND_BOOLEAN, true, 1},
        {"on", RL_KIND_BOOLEAN, true, 1},
        {"of", RL_KIND_BOOLEAN, true, 0},
        {"o", RL_KIND_BOOLEAN, false, 0},
        {"n", RL_KIND_BOOLEAN, true, 0},
        {"fAlS", RL_KIND_BOOLEAN, true, 0},
        {"0", RL_KIND_BOOLEAN, true, 0},
        {"truex", RL_KIND_BOOLEAN, false, 0},
        {"tr ue", RL_KIND_BOOLEAN, false, 0},
        /* plain digits, read without strtoll, and what only strtoll reads */
        {"-12", -1, true, -12},
        {"+7", -1, true, 7},
        {"007", RL_KIND_INTEGER, true, 7},
        {"-", -1, false, 0},
        {"+", -1, false, 0},
        {"12a", -1, false, 0},
        {"--1", -1, false, 0},
        {"999999999999999999", -1, true, 999999999999999999},
        {"9223372036854775807", -1, true, INT64_MAX},
        {"-9223372036854775808", -1, true, INT64_MIN},
        {"9223372036854775808", -1, false, 0},
        {"99999999999999999999", -1, false, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rl_value v = {0};
        bool ok = rlh_parse_value(cases[i].text, cases[i].kind, &v);
        if (ok != cases[i].ok || (ok && v.u.i != cases[i].i))
            fail_msg("'%s': %s %lld", cases[i].text, ok ? "read" : "refused", (long long)v.u.i);
    }
    /* casts: a real rounds halves to even, a decimal away from zero; ranges hold */
    static const struct {
        rl_value v;
        rl_kind kind;
        const char *type, *want; /* want: the JSON, or the SQLSTATE */
    } casts[] = {
        {{.type = RL_V_REAL, .u.r = 2.5}, RL_KIND_REAL, "int", "2"},
        {{.type = RL_V_REAL, .u.r = 3.5}, RL_KIND_REAL, "int", "4"},
        {{.type = RL_V_REAL, .u.r = -2.5}, RL_KIND_REAL, "bigint", "-2"},
        {{.type = RL_V_REAL, .u.r = 2.5}, RL_KIND_NUMERIC, "int", "3"},
        {{.type = RL_V_TEXT, .u.s = "-2.5"}, RL_KIND_NUMERIC, "int", "-3"},
        {{.type = RL_V_TEXT, .u.s = "2.5"}, RL_KIND_TEXT, "int", "22P02"},
        {{.type = RL_V_INT, .u.i = 40000}, RL_KIND_INTEGER, "smallint", "22003"},
        {{.type = RL_V_INT, .u.i = 40000}, RL_KIND_INTEGER, "int4", "40000"},
        {{.type = RL_V_REAL, .u.r = 1e300}, RL_KIND_REAL, "int8", "22003"},
        {{.type = RL_V_REAL, .u.r = 5.0}, RL_KIND_REAL, "text", "\"5\""},
        {{.type = RL_V_REAL, .u.r = 0.1}, RL_KIND_REAL, "text", "\"0.1\""},
        {{.type = RL_V_INT, .u.i = 1}, RL_KIND_BOOLEAN, "text", "\"true\""},
        {{.type = RL_V_TEXT, .u.s = " yes "}, RL_KIND_TEXT, "bool", "true"},
        {{.type = RL_V_TEXT, .u.s = "maybe"}, RL_KIND_TEXT, "bool", "22P02"},
        {{.type = RL_V_TEXT, .u.s = "{\"a\": [1, 2]}"}, RL_KIND_TEXT, "json", "{\"a\":[1,2]}"},
        {{.type = RL_V_TEXT, .u.s = "12.50"}, RL_KIND_TEXT, "numeric", "12.50"},
        {{.type = RL_V_NULL}, RL_KIND_INTEGER, "text", "null"},
    };
    for (size_t i = 0; i < sizeof casts / sizeof casts[0]; i++) {
        rlh_buf b = {0};
        const char *why = NULL;
        int t = rlh_cast_of(casts[i].type);
        assert_true(t >= 0);
        bool ok = rlh_cast_write(&b, &casts[i].v, casts[i].kind, t, &why);
        const char *got = ok ? (b.data ? b.data : "") : why;
        if (strcmp(got, casts[i].want) != 0)
            fail_msg("cast %zu to %s: %s, want %s", i, casts[i].type, got, casts[i].want);
        rlh_free(&b);
    }
    assert_int_equal(rlh_cast_of("fakecolumntype"), -1);
    rl_value r;
    assert_true(rlh_parse_value(" 2.5 ", RL_KIND_REAL, &r));
    assert_true(r.u.r == 2.5);
    assert_false(rlh_parse_value("2.5.", RL_KIND_REAL, &r));
}

int main(void)
{
    const struct CMUnitTest both[] = {
        cmocka_unit_test_setup_teardown(test_rows_and_relations, setup, teardown),
        cmocka_unit_test_setup_teardown(test_to_one_read_with_the_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_conditions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_selects, setup, teardown),
        cmocka_unit_test_setup_teardown(test_casts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_aggregates, setup, teardown),
        cmocka_unit_test(test_values),
    };
    return run_suite(both);
}

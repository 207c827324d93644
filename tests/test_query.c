/* The query builder: operators, groups, ordering, paging, bulk changes, unknown fields. */
#include "helpers.h"

static rl_db *db;
static int64_t le_guin, tolkien, nobody;

static int setup(void **state)
{
    (void)state;
    db = open_library();
    le_guin = add_author(db, "Ursula K. Le Guin");
    tolkien = add_author(db, "J. R. R. Tolkien");
    nobody = add_author(db, "Nobody");
    const struct {
        const char *title;
        int64_t author;
        int year;
        double price;
    } rows[] = {{"A Wizard of Earthsea", le_guin, 1968, 8.0},
                {"The Left Hand of Darkness", le_guin, 1969, 9.0},
                {"The Dispossessed", le_guin, 1974, 10.0},
                {"The Hobbit", tolkien, 1937, 7.0},
                {"The Silmarillion", tolkien, 0, 12.0},
                {"100%_Pure", tolkien, 2001, 1.0}};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        Book b = {.title = (char *)rows[i].title,
                  .author_id = rows[i].author,
                  .price = rows[i].price,
                  .in_print = true};
        if (rows[i].year) b.year = (rl_maybe_int)RL_SOME(rows[i].year);
        assert_int_equal(rl_insert(db, &Book_model, &b), RL_OK);
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    rl_close(db);
    return 0;
}

/* Titles of the rows q matches, in order, joined with "|". */
static void titles(rl_query *q, char *buf, size_t n)
{
    rl_rows *rows;
    assert_int_equal(rl_fetch_all(q, &rows), RL_OK);
    buf[0] = '\0';
    Book *b = rows->items;
    for (size_t i = 0; i < rows->count; i++) {
        if (i) strncat(buf, "|", n - strlen(buf) - 1);
        strncat(buf, b[i].title, n - strlen(buf) - 1);
    }
    rl_rows_free(rows);
    rl_query_free(q);
}

static int64_t count_where(const char *field, rl_op op, rl_value v)
{
    rl_query *q = rl_select(db, &Book_model);
    assert_int_equal(rl_where(q, field, op, v), RL_OK);
    int64_t n = -1;
    assert_int_equal(rl_count(q, &n), RL_OK);
    rl_query_free(q);
    return n;
}

static void test_comparisons(void **state)
{
    (void)state;
    assert_int_equal(count_where("author_id", RL_EQ, rl_int(le_guin)), 3);
    assert_int_equal(count_where("author_id", RL_NE, rl_int(le_guin)), 3);
    assert_int_equal(count_where("year", RL_LT, rl_int(1969)), 2);
    assert_int_equal(count_where("year", RL_LE, rl_int(1969)), 3);
    assert_int_equal(count_where("year", RL_GT, rl_int(1969)), 2);
    assert_int_equal(count_where("year", RL_GE, rl_int(1969)), 3);
    assert_int_equal(count_where("price", RL_GE, rl_real(9.5)), 2);
    assert_int_equal(count_where("pk", RL_EQ, rl_int(1)), 1);
}

static void test_null_filters(void **state)
{
    (void)state;
    assert_int_equal(count_where("year", RL_IS_NULL, rl_null()), 1);
    assert_int_equal(count_where("year", RL_EQ, rl_null()), 1);
    assert_int_equal(count_where("year", RL_IS_NOT_NULL, rl_null()), 5);
    assert_int_equal(count_where("year", RL_NE, rl_null()), 5);
    rl_query *q = rl_select(db, &Book_model);
    assert_int_equal(rl_where(q, "year", RL_LT, rl_null()), RL_EINVAL);
    rl_query_free(q);
    /* IS [NOT] DISTINCT FROM: NULL is a value like the others, the same on both engines */
    assert_int_equal(count_where("year", RL_IS_DISTINCT, rl_int(1968)), 5); /* the NULL too */
    assert_int_equal(count_where("year", RL_NE, rl_int(1968)), 4);
    assert_int_equal(count_where("year", RL_IS_NOT_DISTINCT, rl_int(1968)), 1);
    assert_int_equal(count_where("year", RL_IS_NOT_DISTINCT, rl_null()), 1);
    assert_int_equal(count_where("year", RL_IS_DISTINCT, rl_null()), 5);
}

/* Regular expressions (POSIX extended), the same on both engines for what both take. */
static void test_regular_expressions(void **state)
{
    (void)state;
    assert_int_equal(count_where("title", RL_MATCH, rl_text("^The [A-Z]")), 4);
    assert_int_equal(count_where("title", RL_MATCH, rl_text("^the")), 0);
    assert_int_equal(count_where("title", RL_IMATCH, rl_text("^the")), 4);
    assert_int_equal(count_where("title", RL_NOT_MATCH, rl_text("(Hobbit|sea)$")), 4);
    assert_int_equal(count_where("title", RL_NOT_IMATCH, rl_text("DARK|pure")), 4);
    assert_int_equal(count_where("title", RL_MATCH, rl_text("[0-9]+%_P")), 1);
    rl_query *q = rl_select(db, &Book_model);
    assert_int_equal(rl_where(q, "title", RL_MATCH, rl_null()), RL_EINVAL);
    rl_query_free(q);
    q = rl_select(db, &Book_model); /* a pattern that does not compile fails the statement */
    rl_where(q, "title", RL_MATCH, rl_text("(unclosed"));
    int64_t n;
    assert_int_not_equal(rl_count(q, &n), RL_OK);
    rl_query_free(q);
}

static void test_patterns(void **state)
{
    (void)state;
    assert_int_equal(count_where("title", RL_LIKE, rl_text("the %")), 4);
    assert_int_equal(count_where("title", RL_GLOB, rl_text("The *")), 4);
    assert_int_equal(count_where("title", RL_GLOB, rl_text("the *")), 0);
    /* wildcards, sets and negated sets mean the same on both engines (a regex on PostgreSQL,
     * where every other character is literal) */
    assert_int_equal(count_where("title", RL_GLOB, rl_text("?he *")), 4);
    assert_int_equal(count_where("title", RL_GLOB, rl_text("*[0-9]*")), 1);
    assert_int_equal(count_where("title", RL_GLOB, rl_text("[^T]*")), 2);
    assert_int_equal(count_where("title", RL_GLOB, rl_text("*.*")), 0);
    assert_int_equal(count_where("title", RL_GLOB, rl_text("100%_Pure")), 1);
    assert_int_equal(count_where("title", RL_GLOB, rl_text("(The|A) *")), 0);
    assert_int_equal(count_where("title", RL_CONTAINS, rl_text("DARK")), 1);
    assert_int_equal(count_where("title", RL_STARTS_WITH, rl_text("the h")), 1);
    assert_int_equal(count_where("title", RL_ENDS_WITH, rl_text("SEA")), 1);
    /* Wildcards in contains/starts/ends are literal. */
    assert_int_equal(count_where("title", RL_CONTAINS, rl_text("%_")), 1);
    assert_int_equal(count_where("title", RL_CONTAINS, rl_text("_")), 1);
    assert_int_equal(count_where("title", RL_STARTS_WITH, rl_text("%")), 0);
    /* negated: what the pattern does not match */
    assert_int_equal(count_where("title", RL_NOT_LIKE, rl_text("the %")), 2);
    assert_int_equal(count_where("title", RL_NOT_GLOB, rl_text("The *")), 2);
    assert_int_equal(count_where("title", RL_NOT_GLOB, rl_text("the *")), 6);
    assert_int_equal(count_where("title", RL_NOT_GLOB, rl_text("[^T]*")), 4);
    rl_query *q = rl_select(db, &Book_model);
    assert_int_equal(rl_where(q, "title", RL_NOT_LIKE, rl_null()), RL_EINVAL);
    rl_query_free(q);
}

/* Where NULLs go when asked: the same on both engines (whose own choices differ). */
static void test_nulls_first_and_last(void **state)
{
    (void)state;
    static const struct {
        rl_order dir;
        bool first; /* the NULL year comes first (else last) */
    } cases[] = {{RL_ASC_NULLS_FIRST, true},
                 {RL_ASC_NULLS_LAST, false},
                 {RL_DESC_NULLS_FIRST, true},
                 {RL_DESC_NULLS_LAST, false}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rl_query *q = rl_select(db, &Book_model);
        assert_int_equal(rl_order_by(q, "year", cases[i].dir), RL_OK);
        char buf[512];
        titles(q, buf, sizeof buf);
        const char *silm = strstr(buf, "The Silmarillion");
        assert_non_null(silm);
        if (cases[i].first)
            assert_true(silm == buf);
        else
            assert_string_equal(silm, "The Silmarillion");
        /* and the others in the direction asked: 1937 before 2001 ascending */
        bool asc = cases[i].dir == RL_ASC_NULLS_FIRST || cases[i].dir == RL_ASC_NULLS_LAST;
        assert_true((strstr(buf, "The Hobbit") < strstr(buf, "100%_Pure")) == asc);
    }
    rl_query *q = rl_select(db, &Book_model);
    assert_int_equal(rl_order_by(q, "year", (rl_order)99), RL_EINVAL);
    rl_query_free(q);
}

static void test_in_and_not_in(void **state)
{
    (void)state;
    rl_value years[] = {rl_int(1968), rl_int(1937), rl_int(1500)};
    rl_query *q = rl_select(db, &Book_model);
    assert_int_equal(rl_where_in(q, "year", years, 3, false), RL_OK);
    rl_order_by(q, "year", RL_ASC);
    char buf[512];
    titles(q, buf, sizeof buf);
    assert_string_equal(buf, "The Hobbit|A Wizard of Earthsea");
    q = rl_select(db, &Book_model);
    rl_where_in(q, "year", years, 3, true);
    int64_t n;
    assert_int_equal(rl_count(q, &n), RL_OK);
    assert_int_equal(n, 3); /* NULL year is neither in nor not in */
    rl_query_free(q);
    q = rl_select(db, &Book_model);
    rl_where_in(q, "year", NULL, 0, false);
    assert_int_equal(rl_count(q, &n), RL_OK);
    assert_int_equal(n, 0);
    rl_query_free(q);
}

static void test_groups(void **state)
{
    (void)state;
    /* author = tolkien AND (year < 1950 OR year IS NULL) */
    rl_query *q = rl_select(db, &Book_model);
    rl_where(q, "author_id", RL_EQ, rl_int(tolkien));
    rl_any(q);
    rl_where(q, "year", RL_LT, rl_int(1950));
    rl_where(q, "year", RL_IS_NULL, rl_null());
    rl_end(q);
    rl_order_by(q, "title", RL_ASC);
    char buf[512];
    titles(q, buf, sizeof buf);
    assert_string_equal(buf, "The Hobbit|The Silmarillion");

    /* (le_guin AND year > 1970) OR price > 11 */
    q = rl_select(db, &Book_model);
    rl_any(q);
    rl_all(q);
    rl_where(q, "author_id", RL_EQ, rl_int(le_guin));
    rl_where(q, "year", RL_GT, rl_int(1970));
    rl_end(q);
    rl_where(q, "price", RL_GT, rl_real(11));
    rl_end(q);
    rl_order_by(q, "price", RL_DESC);
    titles(q, buf, sizeof buf);
    assert_string_equal(buf, "The Silmarillion|The Dispossessed");

    /* An unclosed group is an error when the query runs. */
    q = rl_select(db, &Book_model);
    rl_any(q);
    rl_rows *rows;
    assert_int_equal(rl_fetch_all(q, &rows), RL_EMISUSE);
    assert_contains(rl_errmsg(db), "rl_end");
    rl_query_free(q);
    q = rl_select(db, &Book_model);
    assert_int_equal(rl_end(q), RL_EMISUSE);
    rl_query_free(q);
}

/* rl_none: NOT (a OR b), where a condition that is NULL keeps the group from holding. */
static void test_none_of(void **state)
{
    (void)state;
    rl_query *q = rl_select(db, &Book_model);
    rl_none(q);
    rl_where(q, "author_id", RL_EQ, rl_int(le_guin));
    rl_where(q, "year", RL_LT, rl_int(1950));
    rl_end(q);
    rl_order_by(q, "title", RL_ASC);
    char buf[512];
    titles(q, buf, sizeof buf);
    assert_string_equal(buf, "100%_Pure"); /* the Silmarillion's NULL year is unknown */
    q = rl_select(db, &Book_model);        /* none of nothing: every row */
    rl_none(q);
    rl_end(q);
    int64_t n;
    assert_int_equal(rl_count(q, &n), RL_OK);
    assert_int_equal(n, 6);
    rl_query_free(q);
}

/* The planner's estimate: PostgreSQL's from its statistics (exact here, after ANALYZE on a
 * table this small, for a condition on the key), SQLite's the count itself. */
static void test_count_planned(void **state)
{
    (void)state;
    if (on_pg()) assert_int_equal(rl_exec(db, "ANALYZE books", NULL, 0, NULL), RL_OK);
    rl_query *q = rl_select(db, &Book_model);
    int64_t planned = -1, exact = -1;
    assert_int_equal(rl_count_planned(q, &planned), RL_OK);
    assert_int_equal(rl_count(q, &exact), RL_OK);
    assert_int_equal(exact, 6);
    assert_int_equal(planned, 6);
    rl_query_free(q);
    q = rl_select(db, &Book_model); /* with a bound value */
    rl_where(q, "author_id", RL_EQ, rl_int(tolkien));
    assert_int_equal(rl_count_planned(q, &planned), RL_OK);
    if (!on_pg()) assert_int_equal(planned, 3);
    assert_true(planned >= 1 && planned <= 6);
    rl_query_free(q);
    q = rl_select(db, &Book_model); /* a builder error is the call's */
    rl_where(q, "nope", RL_EQ, rl_int(1));
    assert_int_equal(rl_count_planned(q, &planned), RL_EFIELD);
    rl_query_free(q);
}

/* A JSON path is refused, before any SQL, when it is no path or is longer than the query's
 * shape can hold (keys of 40 x 900 bytes), and the query stays failed. */
static void test_json_path_limits(void **state)
{
    (void)state;
    static char keys[40][901];
    rl_json_step steps[65];
    for (int i = 0; i < 40; i++) {
        memset(keys[i], 'k', 900);
        keys[i][900] = '\0';
        steps[i] = (rl_json_step){keys[i], false};
    }
    rl_query *q = rl_select(db, &Book_model);
    assert_int_equal(rl_where_json(q, "title", steps, 40, true, RL_EQ, rl_text("x")), RL_EINVAL);
    assert_contains(rl_errmsg(db), "too long");
    assert_int_equal(rl_order_by_json(q, "title", steps, 1, true, RL_ASC), RL_EINVAL);
    int64_t n;
    assert_int_equal(rl_count(q, &n), RL_EINVAL);
    rl_query_free(q);
    static const struct {
        const char *key;
        bool index;
        size_t n;
    } bad[] = {{"1x", true, 1},         {"", true, 1},   {"-", true, 1},
               {"1234567890", true, 1}, {"a", false, 0}, {"a", false, 65}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        for (size_t s = 0; s < bad[i].n; s++)
            steps[s] = (rl_json_step){bad[i].key, bad[i].index};
        q = rl_select(db, &Book_model);
        assert_int_equal(rl_where_json(q, "title", steps, bad[i].n, true, RL_EQ, rl_text("x")),
                         RL_EINVAL);
        rl_query_free(q);
    }
    q = rl_select(db, &Book_model); /* a path that is one */
    steps[0] = (rl_json_step){"a", false};
    steps[1] = (rl_json_step){"-1", true};
    assert_int_equal(rl_where_json(q, "title", steps, 2, true, RL_EQ, rl_text("x")), RL_OK);
    assert_int_equal(rl_count(q, &n), RL_OK);
    assert_int_equal(n, 0);
    rl_query_free(q);
}

/* rl_select_agg_of: an aggregate over the value a JSON path reaches, cast by the database
 * first (texts that hold numbers summed as numbers), or over a field's values cast; a cast
 * to a kind it has no type for is refused. */
static void test_aggregate_of_cast(void **state)
{
    (void)state;
    int64_t a = add_book(db, "{\"n\": \"3\"}", le_guin),
            b = add_book(db, "{\"n\": \"4\"}", le_guin);
    rl_json_step n = {"n", false};
    rl_query *q = rl_select(db, &Book_model);
    assert_int_equal(rl_select_agg_of(q, RL_AGG_SUM, "title", &n, 1, true, RL_KIND_INTEGER), RL_OK);
    assert_int_equal(rl_select_agg_of(q, RL_AGG_MAX, "title", &n, 1, true, RL_KIND_AUTO), RL_OK);
    assert_int_equal(rl_select_agg_of(q, RL_AGG_MIN, "pk", NULL, 0, false, RL_KIND_TEXT), RL_OK);
    rl_values *v;
    assert_int_equal(rl_fetch_values(q, &v), RL_OK);
    assert_int_equal(v->rows, 1);
    if (on_pg()) { /* a text column is one JSON string there (to_jsonb): no key in it */
        assert_int_equal(v->values[0].type, RL_V_NULL);
        assert_int_equal(v->values[1].type, RL_V_NULL);
    } else { /* (PostgREST's spec cases sum a jsonb column's keys on both engines) */
        assert_int_equal(v->values[0].type, RL_V_INT);
        assert_int_equal(v->values[0].u.i, 7);
        assert_int_equal(v->values[1].type, RL_V_TEXT);
        assert_string_equal(v->values[1].u.s, "4");
    }
    assert_int_equal(v->values[2].type, RL_V_TEXT); /* the keys as texts: "1" before "10" */
    assert_string_equal(v->values[2].u.s, "1");
    rl_values_free(v);
    rl_query_free(q);
    q = rl_select(db, &Book_model);
    assert_int_equal(rl_select_agg_of(q, RL_AGG_SUM, "title", &n, 1, true, RL_KIND_BLOB),
                     RL_EINVAL);
    rl_query_free(q);
    q = rl_select(db, &Book_model);
    assert_int_equal(rl_select_agg_of(q, RL_AGG_SUM, "nope", &n, 1, true, RL_KIND_INTEGER),
                     RL_EFIELD);
    rl_query_free(q);
    assert_int_equal(rl_delete(db, &Book_model, a), RL_OK);
    assert_int_equal(rl_delete(db, &Book_model, b), RL_OK);
}

/* PostgreSQL's own operators: arrays, ranges, JSON documents and full-text search; refused on
 * SQLite, naming the field, before any SQL (a search: where no FTS5 table indexes the column,
 * saying how to make one; test_search.c searches through one). */
static void test_postgres_operators(void **state)
{
    (void)state;
    if (!on_pg()) {
        static const rl_op ops[] = {RL_INCLUDES, RL_OVERLAPS, RL_ADJACENT, RL_FTS, RL_WFTS};
        for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
            rl_query *q = rl_select(db, &Book_model);
            assert_int_equal(rl_where(q, "title", ops[i], rl_text("{1}")), RL_EINVAL);
            assert_contains(rl_errmsg(db), ops[i] >= RL_FTS ? "needs an FTS5 table that indexes it"
                                                            : "needs PostgreSQL");
            assert_contains(rl_errmsg(db), "title");
            rl_query_free(q);
        }
        rl_query *q = rl_select(db, &Book_model);
        assert_int_equal(rl_where_search(q, "title", RL_FTS, "english", "hobbit"), RL_EINVAL);
        rl_query_free(q);
        return;
    }
    assert_int_equal(
        rl_exec(db,
                "CREATE TABLE docs (id bigint PRIMARY KEY, tags int[], span int4range, "
                "body text, vec tsvector, meta jsonb);"
                "INSERT INTO docs VALUES (1, '{1,2,3}', '[1,5)', 'The fat cats ate the rats', "
                "to_tsvector('english', 'The fat cats ate the rats'), '{\"a\": 1, \"c\": \"fat "
                "rats\"}'),"
                "(2, '{3,4}', '[5,9)', 'Fun to do the impossible', "
                "to_tsvector('english', 'Fun to do the impossible'), '{\"a\": 2}'),"
                "(3, NULL, NULL, NULL, NULL, NULL);",
                NULL, 0, NULL),
        RL_OK);
    rl_models *ms;
    assert_int_equal(rl_models_load(db, &ms), RL_OK);
    const rl_model *docs = rl_models_find(ms, "docs");
    assert_non_null(docs);
    static const struct {
        const char *field;
        rl_op op;
        const char *config, *operand;
        bool negate;
        int64_t want;
    } cases[] = {
        {"tags", RL_INCLUDES, NULL, "{3}", false, 2},
        {"tags", RL_INCLUDES, NULL, "{1,3}", false, 1},
        {"tags", RL_INCLUDED_IN, NULL, "{1,2,3,4}", false, 2},
        {"tags", RL_OVERLAPS, NULL, "{4,9}", false, 1},
        {"tags", RL_OVERLAPS, NULL, "{4,9}", true, 1}, /* NOT: the NULL row is unknown */
        {"span", RL_LEFT_OF, NULL, "[6,7)", false, 1},
        {"span", RL_RIGHT_OF, NULL, "[1,3)", false, 1},
        {"span", RL_NOT_RIGHT_OF, NULL, "[1,6)", false, 1},
        {"span", RL_NOT_LEFT_OF, NULL, "[4,6)", false, 1},
        {"span", RL_ADJACENT, NULL, "[9,12)", false, 1},
        {"meta", RL_INCLUDES, NULL, "{\"a\": 1}", false, 1},
        {"vec", RL_FTS, NULL, "fat & rat", false, 1},
        {"vec", RL_PLFTS, "english", "fat rats", false, 1},
        {"vec", RL_PHFTS, "english", "fat cats", false, 1},
        {"vec", RL_WFTS, NULL, "impossible or rats", false, 2},
        {"body", RL_FTS, NULL, "impossible", false, 1},
        {"meta", RL_FTS, "simple", "rats", false, 1}, /* a JSON document: to_tsvector of it */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        rl_query *q = rl_select(db, docs);
        if (cases[i].negate) rl_none(q);
        if (cases[i].op >= RL_FTS)
            rl_where_search(q, cases[i].field, cases[i].op, cases[i].config, cases[i].operand);
        else
            rl_where(q, cases[i].field, cases[i].op, rl_text(cases[i].operand));
        if (cases[i].negate) rl_end(q);
        int64_t n = -1;
        if (rl_count(q, &n) != RL_OK || n != cases[i].want)
            fail_msg("case %zu (%s): %lld rows, %s", i, cases[i].field, (long long)n,
                     rl_errmsg(db));
        rl_query_free(q);
    }
    rl_query *q = rl_select(db, docs); /* a text that is no value of the column's type */
    rl_where(q, "tags", RL_INCLUDES, rl_text("not an array"));
    int64_t n;
    assert_int_not_equal(rl_count(q, &n), RL_OK);
    rl_query_free(q);
    rl_models_free(ms);
    assert_int_equal(rl_exec(db, "DROP TABLE docs", NULL, 0, NULL), RL_OK);
}

static void test_order_limit_offset(void **state)
{
    (void)state;
    rl_query *q = rl_select(db, &Book_model);
    rl_order_by(q, "author_id", RL_DESC);
    rl_order_by(q, "price", RL_ASC);
    rl_limit(q, 3);
    rl_offset(q, 1);
    char buf[512];
    titles(q, buf, sizeof buf);
    assert_string_equal(buf, "The Hobbit|The Silmarillion|A Wizard of Earthsea");

    q = rl_select(db, &Book_model);
    rl_limit(q, 2);
    int64_t n;
    assert_int_equal(rl_count(q, &n), RL_OK);
    assert_int_equal(n, 2);
    assert_int_equal(rl_limit(q, -1), RL_EINVAL);
    rl_query_free(q);
}

static void test_first_one_exists(void **state)
{
    (void)state;
    rl_query *q = rl_select(db, &Book_model);
    rl_where(q, "author_id", RL_EQ, rl_int(le_guin));
    rl_order_by(q, "year", RL_DESC);
    Book b;
    assert_int_equal(rl_fetch_first(q, &b), RL_OK);
    assert_string_equal(b.title, "The Dispossessed");
    rl_row_free(&Book_model, &b);
    assert_int_equal(rl_fetch_one(q, &b), RL_EMULTIPLE);
    bool found = false;
    assert_int_equal(rl_exists(q, &found), RL_OK);
    assert_true(found);
    rl_query_free(q);

    q = rl_select(db, &Book_model);
    rl_where(q, "title", RL_EQ, rl_text("The Hobbit"));
    assert_int_equal(rl_fetch_one(q, &b), RL_OK);
    assert_int_equal(b.author_id, tolkien);
    rl_row_free(&Book_model, &b);
    rl_query_free(q);

    q = rl_select(db, &Book_model);
    rl_where(q, "author_id", RL_EQ, rl_int(nobody));
    assert_int_equal(rl_fetch_first(q, &b), RL_ENOTFOUND);
    assert_int_equal(rl_fetch_one(q, &b), RL_ENOTFOUND);
    assert_int_equal(rl_exists(q, &found), RL_OK);
    assert_false(found);
    rl_query_free(q);
}

static void test_unknown_fields_are_errors_not_sql(void **state)
{
    (void)state;
    rl_query *q = rl_select(db, &Book_model);
    assert_int_equal(rl_where(q, "title = 'x' OR 1=1 --", RL_EQ, rl_text("y")), RL_EFIELD);
    assert_contains(rl_errmsg(db), "no field named");
    /* The error sticks: later calls and the run report it. */
    assert_int_equal(rl_where(q, "title", RL_EQ, rl_text("y")), RL_EFIELD);
    int64_t n;
    assert_int_equal(rl_count(q, &n), RL_EFIELD);
    rl_query_free(q);
    q = rl_select(db, &Book_model);
    assert_int_equal(rl_order_by(q, "nope", RL_ASC), RL_EFIELD);
    rl_query_free(q);
    /* Values are bound, so quotes in values are just characters. */
    assert_int_equal(count_where("title", RL_EQ, rl_text("x' OR '1'='1")), 0);
}

static void test_bulk_update_and_delete(void **state)
{
    (void)state;
    assert_int_equal(rl_begin(db), RL_OK); /* keep the shared fixture intact */
    rl_query *q = rl_select(db, &Book_model);
    rl_where(q, "author_id", RL_EQ, rl_int(le_guin));
    rl_set sets[] = {{"price", rl_real(5)}, {"in_print", rl_int(0)}};
    int64_t changed = 0;
    assert_int_equal(rl_update_where(q, sets, 2, &changed), RL_OK);
    assert_int_equal(changed, 3);
    rl_query_free(q);
    assert_int_equal(count_where("price", RL_EQ, rl_real(5)), 3);
    assert_int_equal(count_where("in_print", RL_EQ, rl_int(0)), 3);

    /* rl_default(): the column's default (in_print's is 1), in a set and nowhere else */
    q = rl_select(db, &Book_model);
    rl_where(q, "author_id", RL_EQ, rl_int(le_guin));
    rl_set to_default[] = {{"price", rl_real(6)}, {"in_print", rl_default()}};
    assert_int_equal(rl_update_where(q, to_default, 2, &changed), RL_OK);
    assert_int_equal(changed, 3);
    rl_query_free(q);
    assert_int_equal(count_where("in_print", RL_EQ, rl_int(0)), 0);
    assert_int_equal(count_where("price", RL_EQ, rl_real(6)), 3);
    q = rl_select(db, &Book_model);
    assert_int_equal(rl_where(q, "in_print", RL_EQ, rl_default()), RL_EINVAL);
    rl_query_free(q);
    rl_value dflt = rl_default();
    assert_int_equal(rl_exec(db, "SELECT ?1", &dflt, 1, NULL), RL_EINVAL);
    assert_contains(rl_errmsg(db), "rl_default() (value 1)");

    q = rl_select(db, &Book_model);
    rl_where(q, "price", RL_EQ, rl_real(5));
    rl_set bad[] = {{"pricey", rl_real(1)}};
    assert_int_equal(rl_update_where(q, bad, 1, &changed), RL_EFIELD);
    rl_query_free(q);

    /* A bulk update that breaks a key is refused with the key named.  (On PostgreSQL a
     * failure aborts the transaction it happens in: a nested level, rolled back, keeps the
     * outer one going on both engines.) */
    assert_int_equal(rl_begin(db), RL_OK);
    q = rl_select(db, &Book_model);
    rl_where(q, "author_id", RL_EQ, rl_int(tolkien));
    rl_set orphan[] = {{"author_id", rl_int(31337)}};
    assert_int_equal(rl_update_where(q, orphan, 1, &changed), RL_EFOREIGNKEY);
    if (!on_pg()) assert_contains(rl_errmsg(db), "update books: books rowid ");
    assert_contains(rl_errmsg(db), "author_id = 31337 has no matching row in authors(pk)");
    assert_string_equal(rl_last_error(db)->fk.child_column, "author_id");
    assert_string_equal(rl_last_error(db)->fk.value, "31337");
    rl_query_free(q);
    assert_int_equal(rl_rollback(db), RL_OK);

    q = rl_select(db, &Book_model);
    rl_where(q, "year", RL_IS_NULL, rl_null());
    assert_int_equal(rl_delete_where(q, &changed), RL_OK);
    assert_int_equal(changed, 1);
    rl_query_free(q);
    assert_int_equal(scalar(db, "SELECT count(*) FROM books"), 5);
    assert_int_equal(rl_rollback(db), RL_OK);
    assert_int_equal(scalar(db, "SELECT count(*) FROM books"), 6);
}

static void test_results_own_their_strings(void **state)
{
    (void)state;
    rl_query *q = rl_select(db, &Book_model);
    rl_order_by(q, "pk", RL_ASC);
    rl_rows *rows;
    assert_int_equal(rl_fetch_all(q, &rows), RL_OK);
    rl_query_free(q);
    assert_int_equal(rows->count, 6);
    Book *b = rows->items;
    assert_string_equal(b[0].title, "A Wizard of Earthsea");
    assert_string_equal(b[5].title, "100%_Pure");
    rl_rows_free(rows);
}

/* Statements are cached by the query's shape: queries that differ only in their values share
 * one, and queries whose shapes differ in any token (group kind, IN count, direction, paging)
 * never get each other's statement. */
static int64_t count_group(bool is_or, int64_t a, int64_t b)
{
    rl_query *q = rl_select(db, &Book_model);
    assert_int_equal(is_or ? rl_any(q) : rl_all(q), RL_OK);
    rl_where(q, "author_id", RL_EQ, rl_int(a));
    rl_where(q, "author_id", RL_EQ, rl_int(b));
    rl_end(q);
    int64_t n = -1;
    assert_int_equal(rl_count(q, &n), RL_OK);
    rl_query_free(q);
    return n;
}

static void test_shapes_share_statements_only_when_equal(void **state)
{
    (void)state;
    for (int round = 0; round < 2; round++) { /* the second round runs from the cache */
        assert_int_equal(count_where("author_id", RL_EQ, rl_int(le_guin)), 3);
        assert_int_equal(count_where("author_id", RL_EQ, rl_int(tolkien)), 3);
        assert_int_equal(count_where("author_id", RL_EQ, rl_int(nobody)), 0);
        assert_int_equal(count_group(true, le_guin, tolkien), 6);
        assert_int_equal(count_group(false, le_guin, tolkien), 0);
        rl_value one[] = {rl_int(le_guin)}, two[] = {rl_int(le_guin), rl_int(tolkien)};
        for (int k = 1; k <= 2; k++) {
            rl_query *q = rl_select(db, &Book_model);
            rl_where_in(q, "author_id", k == 1 ? one : two, (size_t)k, false);
            int64_t n = -1;
            assert_int_equal(rl_count(q, &n), RL_OK);
            assert_int_equal(n, k == 1 ? 3 : 6);
            rl_query_free(q);
        }
        char buf[512];
        for (int desc = 0; desc < 2; desc++) {
            rl_query *q = rl_select(db, &Book_model);
            rl_where(q, "author_id", RL_EQ, rl_int(le_guin));
            rl_order_by(q, "year", desc ? RL_DESC : RL_ASC);
            Book b;
            assert_int_equal(rl_fetch_first(q, &b), RL_OK);
            assert_string_equal(b.title, desc ? "The Dispossessed" : "A Wizard of Earthsea");
            rl_row_free(&Book_model, &b);
            rl_limit(q, 2);
            rl_offset(q, 1);
            titles(q, buf, sizeof buf);
            assert_string_equal(buf, desc ? "The Left Hand of Darkness|A Wizard of Earthsea"
                                          : "The Left Hand of Darkness|The Dispossessed");
        }
    }
}

/* Queries that differ only in their limit and offset get their own rows (on PostgreSQL the
 * numbers are in the statement, so they must be in its cache key too). */
static void test_limits_differ_only_in_value(void **state)
{
    (void)state;
    const int64_t limits[][2] = {{1, 0}, {3, 0}, {2, 4}, {1, 0}, {10, 5}};
    const size_t want[] = {1, 3, 2, 1, 1};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        rl_query *q = rl_select(db, &Book_model);
        rl_order_by(q, "pk", RL_ASC);
        rl_limit(q, limits[i][0]);
        rl_offset(q, limits[i][1]);
        rl_rows *rows;
        assert_int_equal(rl_fetch_all(q, &rows), RL_OK);
        assert_int_equal(rows->count, want[i]);
        rl_rows_free(rows);
        rl_query_free(q);
    }
}

static void test_query_sql_is_parameterised(void **state)
{
    (void)state;
    rl_query *q = rl_select(db, &Book_model);
    rl_where(q, "title", RL_EQ, rl_text("secret"));
    const char *sql = rl_query_sql(q);
    assert_contains(sql, on_pg() ? "WHERE \"title\" = $1" : "WHERE \"title\" = ?");
    assert_null(strstr(sql, "secret"));
    rl_query_free(q);
}

/* A query that outgrows the room it keeps inline (its shape and first parameters) keeps
 * every token and value: the first and the last of many OR'ed years both match. */
static void test_long_queries_keep_every_condition(void **state)
{
    (void)state;
    char buf[512];
    rl_query *q = rl_select(db, &Book_model);
    assert_int_equal(rl_any(q), RL_OK);
    assert_int_equal(rl_where(q, "year", RL_EQ, rl_int(1937)), RL_OK);
    for (int y = 3000; y < 3040; y++) /* 40 conditions that match nothing */
        assert_int_equal(rl_where(q, "year", RL_EQ, rl_int(y)), RL_OK);
    assert_int_equal(rl_where(q, "year", RL_EQ, rl_int(1974)), RL_OK);
    assert_int_equal(rl_end(q), RL_OK);
    assert_int_equal(rl_order_by(q, "year", RL_ASC), RL_OK);
    titles(q, buf, sizeof buf);
    assert_string_equal(buf, "The Hobbit|The Dispossessed");
}

/* A freed query's memory serves the next rl_select: nothing of the old query may show
 * through (its error, conditions, text operands, grown shape, order, limit and offset). */
static void test_a_freed_query_leaves_nothing_behind(void **state)
{
    (void)state;
    char buf[512];
    for (int round = 0; round < 3; round++) {
        rl_query *q = rl_select(db, &Book_model);
        rl_where(q, "title", RL_EQ, rl_text("The Hobbit"));
        for (int y = 3000; y < 3020; y++) /* outgrows the inline shape and parameters */
            rl_where(q, "year", RL_NE, rl_int(y));
        rl_order_by(q, "year", RL_DESC);
        rl_limit(q, 1);
        rl_offset(q, 0);
        if (round == 1) rl_where(q, "no_such_field", RL_EQ, rl_int(1)); /* a remembered error */
        if (round == 2) rl_any(q);                                      /* a group left open */
        rl_query_free(q);
        /* two at once: one takes the kept memory, the other is new */
        rl_query *a = rl_select(db, &Book_model), *b = rl_select(db, &Author_model);
        int64_t n = -1;
        assert_int_equal(rl_count(a, &n), RL_OK);
        assert_int_equal(n, 6);
        assert_int_equal(rl_count(b, &n), RL_OK);
        assert_int_equal(n, 3);
        rl_query_free(b);
        rl_query_free(a);
        q = rl_select(db, &Book_model);
        rl_where(q, "author_id", RL_EQ, rl_int(le_guin));
        rl_order_by(q, "title", RL_ASC);
        titles(q, buf, sizeof buf);
        assert_string_equal(buf, "A Wizard of Earthsea|The Dispossessed|The Left Hand of Darkness");
    }
}

/* Queries of different shapes in turn, on two models: each runs its own statement, also when
 * the shapes are of equal length and one model follows the other (nothing is taken from the
 * previous call by mistake). */
static void test_alternating_shapes_and_models(void **state)
{
    (void)state;
    for (int i = 0; i < 6; i++) {
        assert_int_equal(count_where("author_id", RL_EQ, rl_int(tolkien)), 3);
        assert_int_equal(count_where("year", RL_EQ, rl_int(1968)), 1);
        assert_int_equal(count_where("author_id", RL_NE, rl_int(tolkien)), 3);
        assert_int_equal(count_where("in_print", RL_EQ, rl_int(0)), 0);
        rl_query *q = rl_select(db, &Author_model);
        rl_where(q, "pk", RL_EQ, rl_int(nobody));
        int64_t n = -1;
        assert_int_equal(rl_count(q, &n), RL_OK);
        assert_int_equal(n, 1);
        rl_query_free(q);
    }
}

/* More shapes than the statement cache keeps (it starts over past 768): every query still
 * runs its own statement, the first shape again after all the others. */
static void test_many_shapes_outgrow_the_cache(void **state)
{
    (void)state;
    enum { SHAPES = 800 };
    rl_value *ids = malloc(SHAPES * sizeof *ids);
    assert_non_null(ids);
    for (int i = 0; i < SHAPES; i++)
        ids[i] = rl_int(i % 2 ? tolkien : 1000000 + i);
    for (int k = 1; k <= SHAPES; k++) {
        rl_query *q = rl_select(db, &Book_model);
        rl_where_in(q, "author_id", ids, (size_t)k, false);
        int64_t n = -1;
        assert_int_equal(rl_count(q, &n), RL_OK);
        assert_int_equal(n, k >= 2 ? 3 : 0);
        rl_query_free(q);
    }
    assert_int_equal(count_where("author_id", RL_EQ, rl_int(le_guin)), 3);
    rl_query *q = rl_select(db, &Book_model);
    rl_where_in(q, "author_id", ids, 1, false);
    int64_t n = -1;
    assert_int_equal(rl_count(q, &n), RL_OK);
    assert_int_equal(n, 0);
    rl_query_free(q);
    free(ids);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_comparisons),
        cmocka_unit_test(test_null_filters),
        cmocka_unit_test(test_regular_expressions),
        cmocka_unit_test(test_patterns),
        cmocka_unit_test(test_nulls_first_and_last),
        cmocka_unit_test(test_in_and_not_in),
        cmocka_unit_test(test_groups),
        cmocka_unit_test(test_none_of),
        cmocka_unit_test(test_count_planned),
        cmocka_unit_test(test_json_path_limits),
        cmocka_unit_test(test_aggregate_of_cast),
        cmocka_unit_test(test_postgres_operators),
        cmocka_unit_test(test_order_limit_offset),
        cmocka_unit_test(test_first_one_exists),
        cmocka_unit_test(test_unknown_fields_are_errors_not_sql),
        cmocka_unit_test(test_bulk_update_and_delete),
        cmocka_unit_test(test_results_own_their_strings),
        cmocka_unit_test(test_shapes_share_statements_only_when_equal),
        cmocka_unit_test(test_limits_differ_only_in_value),
        cmocka_unit_test(test_query_sql_is_parameterised),
        cmocka_unit_test(test_long_queries_keep_every_condition),
        cmocka_unit_test(test_a_freed_query_leaves_nothing_behind),
        cmocka_unit_test(test_alternating_shapes_and_models),
        cmocka_unit_test(test_many_shapes_outgrow_the_cache),
    };
    return engine_init() != 0 ? 1
                              : cmocka_run_group_tests_name(on_pg() ? "postgres" : "sqlite", tests,
                                                            setup, teardown);
}

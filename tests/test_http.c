/*
 * The HTTP server, run for real on 127.0.0.1 on a free port and always stopped, talked to
 * with libcurl: the generic API's reads, filters and writes, every error status, tokens,
 * CORS, routes of one's own, many clients at once, and hostile names and values.  On SQLite
 * the database is a file served by a pool of connections; on PostgreSQL the test profile's
 * private schema, served by its one connection.
 */
#include "http_client.h"

#include <ctype.h>
#include <pthread.h>
#include <stdatomic.h>

/* ---- reads -------------------------------------------------------------------------------- */

static void test_filters_select_order(void **state)
{
    (void)state;
    server sv;
    start_rest(&sv, NULL);
    assert_int_equal(rows_of(&sv, "/books"), 4);
    assert_int_equal(rows_of(&sv, "/books?author_id=eq.1"), 2);
    assert_int_equal(rows_of(&sv, "/books?author_id=neq.1"), 2);
    assert_int_equal(rows_of(&sv, "/books?price=gt.10"), 2);
    assert_int_equal(rows_of(&sv, "/books?price=gte.12"), 2);
    assert_int_equal(rows_of(&sv, "/books?price=lt.12"), 1);
    assert_int_equal(rows_of(&sv, "/books?price=lte.12"), 2);
    assert_int_equal(rows_of(&sv, "/books?price=is.null"), 1);
    assert_int_equal(rows_of(&sv, "/books?price=not.is.null"), 3);
    assert_int_equal(rows_of(&sv, "/books?in_print=is.true"), 3);
    assert_int_equal(rows_of(&sv, "/books?in_print=not.is.true"), 1);
    assert_int_equal(rows_of(&sv, "/books?id=in.(1,3,99)"), 2);
    assert_int_equal(rows_of(&sv, "/books?id=not.in.(1,3)"), 2);
    assert_int_equal(rows_of(&sv, "/books?title=like.The*"), 2);
    assert_int_equal(rows_of(&sv, "/books?title=like.the*"), 0); /* like is case-sensitive */
    assert_int_equal(rows_of(&sv, "/books?title=ilike.the*"), 2);
    assert_int_equal(rows_of(&sv, "/books?title=ilike.*of*"), 1);
    assert_int_equal(rows_of(&sv, "/books?price=not.gt.10"), 1); /* NULL matches neither */
    assert_int_equal(rows_of(&sv, "/books?title=not.like.The*"), 2);
    assert_int_equal(rows_of(&sv, "/books?title=not.like.the*"), 4);
    assert_int_equal(rows_of(&sv, "/books?title=not.ilike.the*"), 2);
    assert_int_equal(rows_of(&sv, "/books?or=(title.not.ilike.*a*,id.eq.1)"), 3);
    assert_int_equal(rows_of(&sv, "/books?or=(price.gt.15,title.eq.The%20Hobbit)"), 2);
    assert_int_equal(rows_of(&sv, "/books?not.or=(price.gt.15,author_id.eq.1)"), 0);
    assert_int_equal(rows_of(&sv, "/books?or=(author_id.eq.1,and(price.gt.15,in_print.is.true))"),
                     3);
    assert_int_equal(rows_of(&sv, "/books?title=in.(\"A%20Wizard%20of%20Earthsea\",\"x,y\")"), 1);
    assert_int_equal(rows_of(&sv, "/books?author_id=eq.1&price=gt.10"), 1);
    assert_int_equal(rows_of(&sv, "/books?limit=3"), 3);
    assert_int_equal(rows_of(&sv, "/books?limit=10&offset=3"), 1);

    resp r =
        call(&sv, "GET", "/books?select=title,id&order=price.desc,id&limit=2&price=not.is.null",
             NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.headers, "Content-Type: application/json"));
    assert_string_equal(r.body, "[{\"title\":\"Silmarillion\",\"id\":4},{\"title\":\"The "
                                "Dispossessed\",\"id\":2}]");
    done(&r);
    /* where NULLs go, when asked (the engines differ when not) */
    static const struct {
        const char *order, *ids;
    } nulls[] = {{"price.nullsfirst", "[{\"id\":3},{\"id\":1},{\"id\":2},{\"id\":4}]"},
                 {"price.asc.nullslast", "[{\"id\":1},{\"id\":2},{\"id\":4},{\"id\":3}]"},
                 {"price.desc.nullsfirst", "[{\"id\":3},{\"id\":4},{\"id\":2},{\"id\":1}]"},
                 {"price.desc.nullslast", "[{\"id\":4},{\"id\":2},{\"id\":1},{\"id\":3}]"}};
    for (size_t i = 0; i < sizeof nulls / sizeof nulls[0]; i++) {
        char path[120];
        snprintf(path, sizeof path, "/books?select=id&order=%s", nulls[i].order);
        expect_body(&sv, path, nulls[i].ids);
    }
    expect_error(&sv, "GET", "/books?order=price.sideways", NULL, NULL, 400, "RL_EINVAL", NULL, 0);
    expect_error(&sv, "GET", "/books?order=price.nullsfirst.desc", NULL, NULL, 400, "RL_EINVAL",
                 NULL, 0);
    r = call(&sv, "GET", "/books/3", NULL, NULL); /* one row: an object, types kept */
    assert_int_equal(r.status, 200);
    assert_true(json_is_object(r.json));
    assert_string_equal(str_at(r.json, "title"), "The Hobbit");
    assert_true(json_is_null(json_object_get(r.json, "price")));
    assert_true(json_is_false(json_object_get(r.json, "in_print")));
    assert_int_equal(json_integer_value(json_object_get(r.json, "author_id")), 2);
    done(&r);
    r = call(&sv, "GET", "/books/1", NULL, NULL);
    assert_true(json_real_value(json_object_get(r.json, "price")) == 9.5);
    done(&r);
    char msg[300];
    expect_error(&sv, "GET", "/books/99", NULL, NULL, 404, "RL_ENOTFOUND", NULL, 0);
    expect_error(&sv, "GET", "/books/abc", NULL, NULL, 404, "RL_ENOTFOUND", NULL, 0);
    expect_error(&sv, "GET", "/nope", NULL, NULL, 404, "RL_ENOTFOUND", msg, sizeof msg);
    assert_contains(msg, "nope");
    expect_error(&sv, "GET", "/books?colour=eq.red", NULL, NULL, 400, "RL_EFIELD", msg, sizeof msg);
    assert_contains(msg, "colour");
    expect_error(&sv, "GET", "/books?select=title,colour", NULL, NULL, 400, "RL_EFIELD", msg,
                 sizeof msg);
    assert_contains(msg, "colour");
    expect_error(&sv, "GET", "/books?order=colour.desc", NULL, NULL, 400, "RL_EFIELD", NULL, 0);
    expect_error(&sv, "GET", "/books?price=between.1", NULL, NULL, 400, "RL_EINVAL", msg,
                 sizeof msg);
    assert_contains(msg, "between");
    expect_error(&sv, "GET", "/books?price=gt.cheap", NULL, NULL, 400, "RL_ETYPE", NULL, 0);
    expect_error(&sv, "GET", "/books?or=(price.gt.1", NULL, NULL, 400, "RL_EINVAL", NULL, 0);
    /* PostgREST answers a negative limit as a range it cannot satisfy */
    expect_error(&sv, "GET", "/books?limit=-1", NULL, NULL, 416, "PGRST103", NULL, 0);
    stop(&sv);
}

static void count_select(const char *sql, void *ctx)
{
    if (strncmp(sql, "SELECT", 6) == 0) (*(int *)ctx)++;
}

static void test_embedding(void **state)
{
    (void)state;
    server sv;
    rl_server_options one = {.threads = 1}; /* one connection: sv.db, whose statements count */
    start_rest(&sv, &one);
    /* a parent, by table and by key column; one row */
    expect_body(&sv, "/books?select=title,authors(name)&order=id&limit=2",
                "[{\"title\":\"A Wizard of Earthsea\",\"authors\":{\"name\":\"Le Guin\"}},"
                "{\"title\":\"The Dispossessed\",\"authors\":{\"name\":\"Le Guin\"}}]");
    expect_body(&sv, "/books?select=title,author_id(name,born)&id=eq.3",
                "[{\"title\":\"The Hobbit\",\"author_id\":{\"name\":\"Tolkien\",\"born\":1892}}]");
    expect_body(&sv, "/books/4?select=id,authors(*)",
                "{\"id\":4,\"authors\":{\"id\":2,\"name\":\"Tolkien\",\"born\":1892}}");
    /* children, with their own order, filters, limit */
    expect_body(&sv, "/authors?select=name,books(title)&books.order=title.desc&order=id",
                "[{\"name\":\"Le Guin\",\"books\":[{\"title\":\"The Dispossessed\"},{\"title\":"
                "\"A Wizard of Earthsea\"}]},{\"name\":\"Tolkien\",\"books\":[{\"title\":\"The "
                "Hobbit\"},{\"title\":\"Silmarillion\"}]},{\"name\":\"Nobody\",\"books\":[]}]");
    expect_body(&sv, "/authors?select=name,books(title)&books.price=gt.10&order=id&limit=2",
                "[{\"name\":\"Le Guin\",\"books\":[{\"title\":\"The Dispossessed\"}]},"
                "{\"name\":\"Tolkien\",\"books\":[{\"title\":\"Silmarillion\"}]}]");
    expect_body(&sv,
                "/authors?select=name,books(id)&books.order=id&books.limit=1&books.offset=1&"
                "order=id",
                "[{\"name\":\"Le Guin\",\"books\":[{\"id\":2}]},{\"name\":\"Tolkien\","
                "\"books\":[{\"id\":4}]},{\"name\":\"Nobody\",\"books\":[]}]");
    /* a parent the relation's filter leaves out is null; the row stays */
    expect_body(&sv, "/books?select=id,authors(name)&authors.name=eq.Tolkien&order=id",
                "[{\"id\":1,\"authors\":null},{\"id\":2,\"authors\":null},{\"id\":3,\"authors\":"
                "{\"name\":\"Tolkien\"}},{\"id\":4,\"authors\":{\"name\":\"Tolkien\"}}]");
    /* many-to-many, and nested: three statements for any number of rows */
    expect_body(&sv, "/books?select=title,tags(label)&id=eq.3&tags.order=label",
                "[{\"title\":\"The Hobbit\",\"tags\":[{\"label\":\"classic\"},{\"label\":"
                "\"fantasy\"}]}]");
    int selects = 0;
    rl_trace(sv.db, count_select, &selects);
    expect_body(&sv,
                "/authors?select=name,books(title,tags(label))&order=id&books.order=id&"
                "books.tags.order=label&books.tags.label=neq.classic",
                "[{\"name\":\"Le Guin\",\"books\":[{\"title\":\"A Wizard of Earthsea\",\"tags\":"
                "[{\"label\":\"fantasy\"}]},{\"title\":\"The Dispossessed\",\"tags\":[{\"label\":"
                "\"sf\"}]}]},{\"name\":\"Tolkien\",\"books\":[{\"title\":\"The Hobbit\",\"tags\":"
                "[{\"label\":\"fantasy\"}]},{\"title\":\"Silmarillion\",\"tags\":[{\"label\":"
                "\"fantasy\"}]}]},{\"name\":\"Nobody\",\"books\":[]}]");
    rl_trace(sv.db, NULL, NULL);
    assert_int_equal(selects, 3);
    /* two keys to one table: ambiguous by name, chosen by a hint or the key column */
    char msg[400];
    expect_error(&sv, "GET", "/reviews?select=stars,authors(name)", NULL, NULL, 300, "PGRST201",
                 msg, sizeof msg);
    assert_contains(msg, "authors!reviews_reviewer_id_fkey");
    assert_contains(msg, "authors!reviews_editor_id_fkey");
    expect_body(&sv, "/reviews?select=stars,authors!editor_id(name)&order=id",
                "[{\"stars\":5,\"authors\":{\"name\":\"Tolkien\"}},{\"stars\":4,\"authors\":null},"
                "{\"stars\":3,\"authors\":{\"name\":\"Le Guin\"}}]");
    expect_body(&sv, "/reviews?select=by:reviewer_id(name),ed:editor_id(name)&stars=eq.3",
                "[{\"by\":{\"name\":\"Nobody\"},\"ed\":{\"name\":\"Le Guin\"}}]");
    expect_body(&sv, "/authors?select=name,reviews!editor_id(stars)&id=eq.1",
                "[{\"name\":\"Le Guin\",\"reviews\":[{\"stars\":3}]}]");
    expect_error(&sv, "GET", "/authors?select=name,reviews(stars)", NULL, NULL, 300,
                 "RL_EAMBIGUOUS", NULL, 0);
    /* what cannot be embedded */
    expect_error(&sv, "GET", "/books?select=title,nope(x)", NULL, NULL, 400, "RL_EFIELD", msg,
                 sizeof msg);
    assert_contains(msg, "nope");
    expect_error(&sv, "GET", "/books?select=title,authors(nope)", NULL, NULL, 400, "RL_EFIELD", msg,
                 sizeof msg);
    assert_contains(msg, "authors has no column nope");
    expect_error(&sv, "GET", "/tags?select=label,authors(name)", NULL, NULL, 400, "RL_EINVAL", msg,
                 sizeof msg);
    assert_contains(msg, "not related");
    expect_error(&sv, "GET", "/books?select=title,authors(name", NULL, NULL, 400, "RL_EINVAL", NULL,
                 0);
    /* text after a complete select= is ignored, as PostgREST does */
    resp lenient = call(&sv, "GET", "/books?select=title)", NULL, NULL);
    assert_int_equal(lenient.status, 200);
    done(&lenient);
    expect_error(&sv, "GET", "/books?select=authors(name),authors(born)", NULL, NULL, 400,
                 "RL_EINVAL", NULL, 0);
    expect_error(&sv, "GET", "/books?select=author_id,author_id(name)", NULL, NULL, 400,
                 "RL_EINVAL", msg, sizeof msg);
    assert_contains(msg, "alias");
    expect_error(&sv, "GET", "/books?select=title,authors(name)&authors.colour=eq.red", NULL, NULL,
                 400, "RL_EFIELD", msg, sizeof msg);
    assert_contains(msg, "colour");
    char deep[1024] = "/authors?select=name";
    for (int i = 0; i < 7; i++)
        strcat(deep, ",books(title,authors(name");
    for (int i = 0; i < 7; i++)
        strcat(deep, "))");
    expect_error(&sv, "GET", deep, NULL, NULL, 400, "RL_EINVAL", NULL, 0);
    stop(&sv);
}

/* POST of a parent with its children (and theirs) in one transaction. */
static void test_nested_insert(void **state)
{
    (void)state;
    server sv;
    start_rest(&sv, NULL);
    const char *rep[] = {"Prefer: return=representation", NULL};
    resp r = call(&sv, "POST", "/authors",
                  "{\"name\":\"Butler\",\"born\":1947,\"books\":[{\"title\":\"Kindred\",\"price\":"
                  "8},{\"title\":\"Dawn\",\"book_tags\":[{\"tag_id\":2},{\"tag_id\":3}]}]}",
                  rep);
    if (r.status != 201) fail_msg("%ld %s", r.status, r.body);
    assert_int_equal(json_array_size(r.json), 1); /* an array, the rows nested as written */
    json_t *author = json_array_get(r.json, 0);
    json_int_t id = json_integer_value(json_object_get(author, "id"));
    assert_true(id > 3);
    json_t *books = json_object_get(author, "books");
    assert_int_equal(json_array_size(books), 2);
    for (size_t i = 0; i < 2; i++) /* each child's key is the new parent's */
        assert_int_equal(json_integer_value(json_object_get(json_array_get(books, i), "author_id")),
                         id);
    json_t *links = json_object_get(json_array_get(books, 1), "book_tags");
    assert_int_equal(json_array_size(links), 2);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(links, 0), "book_id")),
                     json_integer_value(json_object_get(json_array_get(books, 1), "id")));
    done(&r);
    char path[200];
    snprintf(path, sizeof path,
             "/authors?id=eq.%lld&select=name,books(title,tags(label))&books.order=id&"
             "books.tags.order=label",
             (long long)id);
    expect_body(&sv, path,
                "[{\"name\":\"Butler\",\"books\":[{\"title\":\"Kindred\",\"tags\":[]},{\"title\":"
                "\"Dawn\",\"tags\":[{\"label\":\"classic\"},{\"label\":\"sf\"}]}]}]");

    /* any failure, however deep, leaves nothing behind */
    char msg[400];
    expect_error(
        &sv, "POST", "/authors",
        "{\"name\":\"Bad\",\"books\":[{\"title\":\"ok\"},{\"title\":\"neg\",\"price\":-1}]}", NULL,
        400, "RL_ECHECK", msg, sizeof msg);
    assert_contains(msg, "books[1]");
    expect_error(&sv, "POST", "/authors",
                 "{\"name\":\"Bad\",\"books\":[{\"title\":\"t\",\"book_tags\":[{\"tag_id\":99}]}]}",
                 NULL, 409, "RL_EFOREIGNKEY", msg, sizeof msg);
    assert_contains(msg, "books[0], book_tags[0]");
    r = call(&sv, "POST", "/authors",
             "[{\"name\":\"P1\",\"books\":[{\"title\":\"b1\"}]},{\"name\":\"P2\",\"books\":[{"
             "\"title\":\"b2\",\"price\":-5}]}]",
             NULL);
    assert_int_equal(r.status, 400);
    assert_int_equal(json_integer_value(json_object_get(r.json, "item")), 1);
    assert_contains(str_at(json_object_get(r.json, "reflite"), "message"), "item 1, books[0]");
    done(&r);
    assert_int_equal(rows_of(&sv, "/authors?name=in.(Bad,P1,P2)"), 0);
    assert_int_equal(rows_of(&sv, "/books?title=in.(ok,neg,t,b1,b2)"), 0);

    /* the key is the nesting's; names that are not relations; two keys to one parent */
    expect_error(&sv, "POST", "/authors",
                 "{\"name\":\"K\",\"books\":[{\"title\":\"t\",\"author_id\":1}]}", NULL, 400,
                 "RL_EINVAL", msg, sizeof msg);
    assert_contains(msg, "author_id is set by the nesting");
    expect_error(&sv, "POST", "/authors", "{\"name\":\"U\",\"chapters\":[{\"n\":1}]}", NULL, 400,
                 "RL_EFIELD", msg, sizeof msg);
    assert_contains(msg, "chapters");
    expect_error(&sv, "POST", "/authors",
                 "{\"name\":\"R\",\"reviews\":[{\"book_id\":1,\"reviewer_id\":1}]}", NULL, 400,
                 "RL_EAMBIGUOUS", NULL, 0);
    r = call(&sv, "POST", "/authors",
             "{\"name\":\"R\",\"reviews!editor_id\":[{\"book_id\":1,\"reviewer_id\":1,\"stars\":"
             "2}]}",
             rep);
    assert_int_equal(r.status, 201);
    json_t *rv = json_array_get(json_object_get(r.json, "reviews!editor_id"), 0);
    assert_int_equal(json_integer_value(json_object_get(rv, "editor_id")),
                     json_integer_value(json_object_get(r.json, "id")));
    done(&r);
    assert_int_equal(rows_of(&sv, "/authors?name=in.(K,U)"), 0);
    /* PATCH takes columns only */
    expect_error(&sv, "PATCH", "/authors?id=eq.1", "{\"books\":[{\"title\":\"x\"}]}", NULL, 400,
                 "RL_EFIELD", NULL, 0);
    stop(&sv);
}

static void expect_range(const server *sv, const char *path, const char *range, bool count,
                         long status, const char *content_range, size_t rows)
{
    char h1[80], h2[80] = "Prefer: count=exact";
    snprintf(h1, sizeof h1, "Range: %s", range ? range : "");
    const char *hs[] = {range ? h1 : h2, range && count ? h2 : NULL, NULL};
    resp r = call(sv, "GET", path, NULL, range || count ? hs : NULL);
    char cr[256];
    if (r.status != status) fail_msg("GET %s (%s): %ld %s", path, range, r.status, r.body);
    assert_true(resp_header(&r, "Content-Range", cr, sizeof cr));
    assert_string_equal(cr, content_range);
    if (status < 300) assert_int_equal(json_array_size(r.json), rows);
    done(&r);
}

/* Follow Link: rel="next" from path; the ids seen, in order, into ids (the count returned). */
static size_t follow(const server *sv, const char *path, int64_t *ids, size_t max)
{
    char next[512];
    snprintf(next, sizeof next, "%s", path);
    size_t n = 0;
    for (int pages = 0; pages < 20; pages++) {
        resp r = call(sv, "GET", next, NULL, NULL);
        assert_int_equal(r.status, 200);
        for (size_t i = 0; i < json_array_size(r.json) && n < max; i++)
            ids[n++] = json_integer_value(json_object_get(json_array_get(r.json, i), "id"));
        char link[256];
        bool more = resp_header(&r, "Link", link, sizeof link);
        done(&r);
        if (!more) return n;
        const char *end = strstr(link, ">; rel=\"next\"");
        assert_true(link[0] == '<' && end);
        snprintf(next, sizeof next, "%.*s", (int)(end - link - 1), link + 1);
    }
    fail_msg("more than 20 pages from %s", path);
    return n;
}

static void test_ranges_counts_and_pages(void **state)
{
    (void)state;
    server sv;
    start_rest(&sv, NULL);
    expect_range(&sv, "/books", NULL, true, 200, "0-3/4", 4);
    expect_range(&sv, "/books?author_id=eq.1", NULL, true, 200, "0-1/2", 2);
    expect_range(&sv, "/books?id=eq.99", NULL, true, 200, "*/0", 0);
    /* PostgREST's statuses: 206 when the total is known and the rows are fewer, else 200 */
    expect_range(&sv, "/books?limit=2", NULL, true, 206, "0-1/4", 2);
    expect_range(&sv, "/books?limit=2&offset=1", NULL, true, 206, "1-2/4", 2);
    expect_range(&sv, "/books", "0-1", false, 200, "0-1/*", 2);
    expect_range(&sv, "/books", "0-1", true, 206, "0-1/4", 2);
    expect_range(&sv, "/books", "items=2-", true, 200, "0-3/4", 4); /* not PostgREST's form */
    expect_range(&sv, "/books", "2-9", true, 206, "2-3/4", 2);
    expect_range(&sv, "/books", "10-20", true, 416, "*/4", 0);
    expect_range(&sv, "/books", "0-9223372036854775807", true, 200, "0-3/4", 4);
    expect_range(&sv, "/books", "9223372036854775807-", false, 200, "*/*", 0);
    /* a Range header PostgREST cannot read is no range: every row */
    expect_range(&sv, "/books", "x", false, 200, "0-3/*", 4);

    /* keyset pages: ordered by the key, each page's Link starts after its last row */
    int64_t ids[16];
    assert_int_equal(follow(&sv, "/books?limit=1", ids, 16), 4);
    for (int i = 0; i < 4; i++)
        assert_int_equal(ids[i], i + 1);
    assert_int_equal(follow(&sv, "/books?order=id.desc&limit=3", ids, 16), 4);
    assert_int_equal(ids[0], 4);
    assert_int_equal(ids[3], 1);
    assert_int_equal(follow(&sv, "/books?title=neq.The%20Hobbit&select=id,title&limit=2", ids, 16),
                     3);
    assert_int_equal(ids[2], 4);
    resp r = call(&sv, "GET", "/books?order=title&limit=1", NULL, NULL); /* not by the key */
    char link[256];
    assert_false(resp_header(&r, "Link", link, sizeof link));
    done(&r);
    stop(&sv);
}

/* Numbers written back as they were stored: integers at both ends of 64 bits, whole and
 * fractional reals, the largest and smallest. */
static void test_numbers_round_trip(void **state)
{
    (void)state;
    server sv;
    start_rest(&sv, NULL);
    const char *rep[] = {"Prefer: return=representation", NULL};
    /* authors.born is SQLite's 64-bit INTEGER, PostgreSQL's 32-bit one */
    static const long long ints[] = {0,
                                     -1,
                                     7,
                                     1929,
                                     -2147483648LL,
                                     2147483647LL,
                                     -9223372036854775807LL - 1,
                                     9223372036854775807LL,
                                     1000000000000000LL};
    for (size_t i = 0; i < sizeof ints / sizeof ints[0] - (on_pg() ? 3 : 0); i++) {
        char body[120];
        snprintf(body, sizeof body, "{\"name\":\"n%zu\",\"born\":%lld}", i, ints[i]);
        resp r = call(&sv, "POST", "/authors", body, rep);
        assert_int_equal(r.status, 201);
        assert_int_equal(json_array_size(r.json), 1); /* an array, as PostgREST answers */
        json_t *got = json_object_get(json_array_get(r.json, 0), "born");
        assert_true(json_is_integer(got));
        assert_true(json_integer_value(got) == ints[i]);
        done(&r);
    }
    /* books.price is SQLite's 8-byte REAL, PostgreSQL's 4-byte one: there, values it holds */
    static const double reals8[] = {
        0.0, 12.0, 2.5, 0.1, 1e15, 999999999999999.0, 1e300, 1e-300, 4503599627370497.0, 123.456};
    static const double reals4[] = {0.0, 12.0, 2.5, 0.25, 16777216.0, 0.125};
    const double *reals = on_pg() ? reals4 : reals8;
    size_t nreals = on_pg() ? sizeof reals4 / sizeof reals4[0] : sizeof reals8 / sizeof reals8[0];
    for (size_t i = 0; i < nreals; i++) {
        char body[160];
        snprintf(body, sizeof body, "{\"title\":\"r%zu\",\"price\":%.17g}", i, reals[i]);
        resp r = call(&sv, "POST", "/books", body, rep);
        assert_int_equal(r.status, 201);
        json_t *got = json_object_get(json_array_get(r.json, 0), "price");
        if (!json_is_real(got)) fail_msg("%s: price is not a real: %s", body, r.body);
        if (json_real_value(got) != reals[i]) fail_msg("%s: read back %s", body, r.body);
        done(&r);
    }
    stop(&sv);
}

/* A route whose statement would run for minutes. */
static int slow(rl_request *r, void *ctx)
{
    (void)ctx;
    rl_db *db = rl_request_db(r);
    if (rl_exec(db, endless_sql(), NULL, 0, NULL) != RL_OK) return rl_respond_db_error(r, db);
    return rl_respond(r, 200, NULL, "{}", 2);
}

/* The limit on a request's statements: a statement past it is stopped, the answer is 503, and
 * the connection serves the next requests, which are not stopped. */
static void test_statement_timeout(void **state)
{
    (void)state;
    server sv;
    rl_server_options o = {.threads = 1, .statement_timeout = 300};
    start(&sv, &o);
    assert_int_equal(rl_server_route(sv.s, "GET", "/slow", slow, NULL), RL_OK);
    assert_int_equal(rl_server_rest(sv.s, ""), RL_OK);
    listen_now(&sv);
    for (int round = 0; round < 2; round++) {
        char msg[300];
        expect_error(&sv, "GET", "/slow", NULL, NULL, 503, "RL_EINTERRUPTED", msg, sizeof msg);
        assert_contains(msg, "300 ms");
        for (int i = 0; i < 10; i++) /* the same connection, fast requests: never stopped */
            assert_int_equal(rows_of(&sv, "/books?select=title,authors(name)"), 4);
    }
    stop(&sv);
}

static void test_max_rows(void **state)
{
    (void)state;
    server sv;
    rl_server_options o = {.max_rows = 2};
    start_rest(&sv, &o);
    assert_int_equal(rows_of(&sv, "/books"), 2);
    assert_int_equal(rows_of(&sv, "/books?limit=3"), 2);
    assert_int_equal(rows_of(&sv, "/books?limit=1"), 1);
    stop(&sv);
}

/* ---- writes ------------------------------------------------------------------------------- */

/* The Location of a row whose key is not one integer is read in the write's own transaction:
 * there also when the write is rolled back (as PostgREST, which takes it from the row the
 * INSERT returns), and never another request's row. */
static void test_location_of_a_text_key(void **state)
{
    (void)state;
    server sv;
    start_sql(&sv, "CREATE TABLE codes (code TEXT PRIMARY KEY, label TEXT);");
    static const char *const headers_only[] = {"Prefer: return=headers-only", NULL};
    resp r = call(&sv, "POST", "/codes", "{\"code\": \"a b\", \"label\": \"x\"}", headers_only);
    assert_int_equal(r.status, 201);
    assert_non_null(strstr(r.headers, "Location: /codes?code=eq.a%20b"));
    done(&r);
    static const char *const undone[] = {"Prefer: return=headers-only, tx=rollback", NULL};
    r = call(&sv, "POST", "/codes", "{\"code\": \"c\"}", undone);
    assert_int_equal(r.status, 201);
    assert_non_null(strstr(r.headers, "Location: /codes?code=eq.c"));
    done(&r);
    int64_t n = -1;
    assert_int_equal(rl_query_int(sv.db, "SELECT count(*) FROM codes", NULL, 0, &n), RL_OK);
    assert_int_equal(n, 1); /* rolled back */
    stop(&sv);
}

static void test_post_patch_delete(void **state)
{
    (void)state;
    server sv;
    start_rest(&sv, NULL);
    resp r = call(&sv, "POST", "/authors", "{\"name\": \"Pratchett\", \"born\": 1948}", NULL);
    assert_int_equal(r.status, 201);
    assert_int_equal(r.len, 0); /* return=minimal by default, and no Location (PostgREST's) */
    assert_null(strstr(r.headers, "Location:"));
    assert_null(strstr(r.headers, "Content-Type:"));
    assert_non_null(strstr(r.headers, "Content-Range: */*"));
    done(&r);
    static const char *const headers_only[] = {"Prefer: return=headers-only", NULL};
    r = call(&sv, "POST", "/authors", "{\"name\": \"Rowling\"}", headers_only);
    assert_int_equal(r.status, 201);
    assert_int_equal(r.len, 0);
    assert_non_null(strstr(r.headers, "Location: /authors?id=eq.5"));
    assert_non_null(strstr(r.headers, "Preference-Applied: return=headers-only"));
    done(&r);
    r = call(&sv, "DELETE", "/authors/5", NULL, NULL);
    assert_int_equal(r.status, 204);
    done(&r);
    static const char *const rep[] = {"Prefer: return=representation", NULL};
    r = call(&sv, "POST", "/books",
             "[{\"title\": \"Mort\", \"author_id\": 4, \"price\": 7, \"in_print\": null}, "
             "{\"title\": \"Guards! Guards!\", \"author_id\": 4, \"price\": null, \"in_print\": "
             "true}]",
             rep);
    assert_int_equal(r.status, 201);
    assert_true(json_is_array(r.json));
    assert_int_equal(json_array_size(r.json), 2);
    assert_string_equal(str_at(json_array_get(r.json, 1), "title"), "Guards! Guards!");
    assert_true(json_integer_value(json_object_get(json_array_get(r.json, 1), "id")) > 4);
    done(&r);
    assert_int_equal(rows_of(&sv, "/books?author_id=eq.4"), 2);

    /* PostgREST's rules for arrays: the same keys in every object, unless columns= names the
     * keys to take (the others are left out); nothing is written otherwise */
    expect_error(&sv, "POST", "/books",
                 "[{\"title\": \"x\", \"author_id\": 4}, {\"title\": \"y\", \"price\": 1}]", NULL,
                 400, "PGRST102", NULL, 0);
    expect_error(&sv, "POST", "/books", "[{\"title\": \"x\"}, 7]", NULL, 400, "PGRST102", NULL, 0);
    expect_error(&sv, "POST", "/books?columns=title,colour", "[{\"title\": \"x\"}]", NULL, 400,
                 "PGRST204", NULL, 0);
    expect_error(&sv, "POST", "/books", "{\"title\": ", NULL, 400, "PGRST102", NULL, 0);
    assert_int_equal(rows_of(&sv, "/books?author_id=eq.4"), 2);
    r = call(&sv, "POST", "/books?columns=title,author_id&select=title,price",
             "[{\"title\": \"Eric\", \"author_id\": 4, \"price\": 3}, {\"title\": \"Snuff\", "
             "\"colour\": \"red\"}]",
             rep);
    assert_int_equal(r.status, 201);
    assert_string_equal(r.body, "[{\"title\":\"Eric\",\"price\":null},{\"title\":\"Snuff\","
                                "\"price\":null}]");
    done(&r);
    r = call(&sv, "DELETE", "/books?title=in.(Eric,Snuff)", NULL, NULL);
    assert_int_equal(r.status, 204);
    done(&r);

    /* all or nothing: the third item's broken key undoes the first two */
    char msg[400];
    resp e = call(&sv, "POST", "/books",
                  "[{\"title\": \"a\", \"author_id\": 1}, {\"title\": \"b\", \"author_id\": 2}, "
                  "{\"title\": \"c\", \"author_id\": 99999}]",
                  NULL);
    assert_int_equal(e.status, 409);
    assert_string_equal(str_at(e.json, "code"), "23503"); /* PostgreSQL's, as PostgREST says */
    assert_string_equal(str_at(json_object_get(e.json, "reflite"), "code"), "RL_EFOREIGNKEY");
    assert_int_equal(json_integer_value(json_object_get(e.json, "item")), 2);
    /* reflite's sentence; PostgREST's message and details in PostgreSQL's words on either
     * engine (the server's own on PostgreSQL, written so on SQLite) */
    json_t *own = json_object_get(e.json, "reflite");
    assert_contains(str_at(own, "message"), "item 2");
    assert_contains(str_at(own, "message"), "author_id = 99999 has no matching row in authors");
    assert_string_equal(str_at(e.json, "message"),
                        "insert or update on table \"books\" violates "
                        "foreign key constraint \"books_author_id_fkey\"");
    assert_string_equal(str_at(e.json, "details"),
                        "Key (author_id)=(99999) is not present in table \"authors\".");
    json_t *key = json_object_get(e.json, "key");
    assert_string_equal(str_at(key, "table"), "books");
    assert_string_equal(str_at(key, "column"), "author_id");
    assert_string_equal(str_at(key, "value"), "99999");
    assert_string_equal(str_at(key, "parent_table"), "authors");
    done(&e);
    assert_int_equal(rows_of(&sv, "/books"), 6);

    /* the parent side: the referencing rows, their count and the action */
    e = call(&sv, "DELETE", "/authors/2", NULL, NULL);
    assert_int_equal(e.status, 409);
    assert_contains(str_at(json_object_get(e.json, "reflite"), "message"),
                    on_pg() ? "still referenced by rows of books(author_id)"
                            : "still referenced by 2 rows of books(author_id)");
    key = json_object_get(e.json, "key");
    assert_string_equal(str_at(key, "action"), "RESTRICT");
    if (!on_pg()) assert_int_equal(json_integer_value(json_object_get(key, "referencing")), 2);
    done(&e);

    expect_error(&sv, "POST", "/authors", "{\"name\": \"Tolkien\"}", NULL, 409, "RL_EUNIQUE", NULL,
                 0);
    expect_error(&sv, "POST", "/authors", "{\"born\": 1}", NULL, 400, "RL_ENOTNULL", NULL, 0);
    expect_error(&sv, "POST", "/books", "{\"title\": \"x\", \"price\": -1}", NULL, 400, "RL_ECHECK",
                 NULL, 0);
    expect_error(&sv, "POST", "/books", "{\"title\": \"x\", \"colour\": 1}", NULL, 400, "RL_EFIELD",
                 msg, sizeof msg);
    assert_contains(msg, "colour");
    expect_error(&sv, "POST", "/books", "{\"title\": [1]}", NULL, 400, "RL_EINVAL", NULL, 0);
    expect_error(&sv, "POST", "/books", "{\"title\": \"x\",}", NULL, 400, "RL_EJSON", msg,
                 sizeof msg);
    assert_contains(msg, "column 15");
    expect_error(&sv, "POST", "/books", "42", NULL, 400, "RL_EJSON", NULL, 0);
    expect_error(&sv, "POST", "/books/1", "{}", NULL, 405, "RL_EMETHOD", NULL, 0);
    expect_error(&sv, "PUT", "/books", "{}", NULL, 405, "PGRST105", NULL, 0); /* no key named */

    /* PATCH and DELETE: filtered, by key, or every row only when asked */
    expect_error(&sv, "PATCH", "/books", "{\"price\": 1}", NULL, 400, "RL_EINVAL", msg, sizeof msg);
    assert_contains(msg, "every row");
    expect_error(&sv, "DELETE", "/books", NULL, NULL, 400, "RL_EINVAL", NULL, 0);
    assert_int_equal(rows_of(&sv, "/books"), 6);
    r = call(&sv, "PATCH", "/books?author_id=eq.1", "{\"price\": 1.5}", NULL);
    assert_int_equal(r.status, 204);
    done(&r);
    assert_int_equal(rows_of(&sv, "/books?price=eq.1.5"), 2);
    r = call(&sv, "PATCH", "/books/3", "{\"title\": \"There and Back Again\"}", rep);
    assert_int_equal(r.status, 200);
    assert_string_equal(str_at(json_array_get(r.json, 0), "title"), "There and Back Again");
    done(&r);
    expect_error(&sv, "PATCH", "/books/99", "{\"price\": 1}", NULL, 404, "RL_ENOTFOUND", NULL, 0);
    expect_error(&sv, "PATCH", "/books/1", "{\"author_id\": 12345}", NULL, 409, "RL_EFOREIGNKEY",
                 NULL, 0);
    r = call(&sv, "DELETE", "/books?author_id=eq.4", NULL, rep);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_array_size(r.json), 2);
    done(&r);
    static const char *const all[] = {"Prefer: unfiltered=allow", NULL};
    r = call(&sv, "PATCH", "/books", "{\"in_print\": false}", all);
    assert_int_equal(r.status, 204);
    done(&r);
    assert_int_equal(rows_of(&sv, "/books?in_print=is.false"), 4);
    r = call(&sv, "DELETE", "/books/4", NULL, NULL);
    assert_int_equal(r.status, 204);
    done(&r);
    assert_int_equal(rows_of(&sv, "/books"), 3);

    /* upsert on a unique column */
    static const char *const merge[] = {
        "Prefer: resolution=merge-duplicates, return=representation", NULL};
    r = call(&sv, "POST", "/authors?on_conflict=name", "{\"name\": \"Tolkien\", \"born\": 1900}",
             merge);
    assert_int_equal(r.status, 200); /* nothing new: PostgREST's 200 */
    assert_int_equal(json_array_size(r.json), 1);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(r.json, 0), "id")), 2);
    done(&r);
    assert_int_equal(rows_of(&sv, "/authors?born=eq.1900"), 1);
    assert_int_equal(rows_of(&sv, "/authors"), 4);
    /* in the body's order; rows met keep their key and the columns the body leaves out (born);
     * nothing new: 200 */
    r = call(&sv, "POST", "/authors?on_conflict=name&select=id,name",
             "[{\"name\": \"Tolkien\"}, {\"name\": \"Pratchett\"}, {\"name\": \"Le Guin\"}]",
             merge);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body,
                        "[{\"id\":2,\"name\":\"Tolkien\"},{\"id\":4,\"name\":\"Pratchett\"},"
                        "{\"id\":1,\"name\":\"Le Guin\"}]");
    done(&r);
    r = call(
        &sv, "POST", "/authors?on_conflict=name&select=id,name",
        "[{\"name\": \"Tolkien\"}, {\"name\": \"Butler\"}]",
        (const char *const[]){"Prefer: resolution=ignore-duplicates, return=representation", NULL});
    assert_int_equal(r.status, 201); /* the duplicate left as it is, and out of the answer */
    assert_contains(r.body, "\"name\":\"Butler\"");
    assert_null(strstr(r.body, "Tolkien"));
    assert_contains(r.headers, "Preference-Applied: resolution=ignore-duplicates");
    done(&r);
    assert_int_equal(rows_of(&sv, "/authors?born=eq.1900"), 1);
    assert_int_equal(rows_of(&sv, "/authors"), 5);
    stop(&sv);
}

/* The text of the last UPDATE or DELETE traced (ctx: a buffer of 1000 bytes). */
static void keep_write(const char *sql, void *ctx)
{
    if (strncmp(sql, "UPDATE", 6) == 0 || strncmp(sql, "DELETE", 6) == 0)
        snprintf(ctx, 1000, "%s", sql);
}

/* A PATCH or DELETE that answers its rows is held to the keys of the rows it found (the
 * answer's), and still checks its conditions, so that a row another transaction changed in
 * between is not written. */
static void test_write_held_to_the_rows_found(void **state)
{
    (void)state;
    server sv;
    rl_server_options one = {.threads = 1}; /* one connection: sv.db, whose statements count */
    start_rest(&sv, &one);
    const char *rep[] = {"Prefer: return=representation", NULL};
    char sql[1000] = "";
    rl_trace(sv.db, keep_write, sql);
    resp r = call(&sv, "PATCH", "/books?title=like.*Hobbit*&select=title,price", "{\"price\": 7.5}",
                  rep);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "[{\"title\":\"The Hobbit\",\"price\":7.5}]");
    done(&r);
    assert_contains(sql, "\"title\" ");
    assert_contains(sql, "\"id\" IN (");
    r = call(&sv, "DELETE", "/reviews?book_id=eq.3&select=stars", NULL, rep);
    rl_trace(sv.db, NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "[{\"stars\":5},{\"stars\":3}]");
    done(&r);
    assert_contains(sql, "\"book_id\" ");
    assert_contains(sql, "\"id\" IN (");
    assert_int_equal(rows_of(&sv, "/reviews"), 1);
    stop(&sv);
}

/* Bodies in CSV (POST) and as forms (POST, PATCH), read as PostgREST reads them. */
static void test_csv_and_form_bodies(void **state)
{
    (void)state;
    server sv;
    start_rest(&sv, NULL);
    static const char *const csv[] = {"Content-Type: text/csv", "Accept: text/csv",
                                      "Prefer: return=representation", NULL};
    resp r =
        call(&sv, "POST", "/authors?select=name,born",
             "id,name,born\n10,\"Jemisin, N. K.\",1972\r\n11,\"The \"\"Quoted\"\"\",NULL\n", csv);
    if (r.status != 201) fail_msg("%ld %s", r.status, r.body);
    assert_string_equal(r.body, "name,born\n\"Jemisin, N. K.\",1972\n\"The \"\"Quoted\"\"\",");
    assert_contains(r.headers, "Content-Type: text/csv");
    done(&r);
    assert_int_equal(rows_of(&sv, "/authors?id=gte.10&born=is.null"), 1);
    /* lines of another width: nothing written */
    expect_error(&sv, "POST", "/authors", "id,name\n12,a\n13", csv, 400, "PGRST102", NULL, 0);
    expect_error(&sv, "POST", "/authors", "id,name\n12,\"a", csv, 400, "PGRST102", NULL, 0);
    assert_int_equal(rows_of(&sv, "/authors?id=gte.12"), 0);
    static const char *const form[] = {"Content-Type: application/x-www-form-urlencoded",
                                       "Prefer: return=representation", NULL};
    r = call(&sv, "POST", "/authors?select=name,born", "name=Octavia+E.+Butler%21&born=1947", form);
    assert_int_equal(r.status, 201);
    assert_string_equal(r.body, "[{\"name\":\"Octavia E. Butler!\",\"born\":1947}]");
    done(&r);
    r = call(&sv, "PATCH", "/authors?id=eq.10&select=born", "born=1973", form);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "[{\"born\":1973}]");
    done(&r);
    expect_error(&sv, "PATCH", "/authors?id=eq.10", "born=soon", form, 400, "RL_ETYPE", NULL, 0);
    /* a boolean as text (a form has no other kind), as PostgreSQL reads one; else refused */
    static const char *const rep_json[] = {"Content-Type: application/json",
                                           "Prefer: return=representation", NULL};
    r = call(&sv, "PATCH", "/books?id=eq.1&select=in_print", "in_print=false", form);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "[{\"in_print\":false}]");
    done(&r);
    r = call(&sv, "PATCH", "/books?id=eq.1&select=in_print", "{\"in_print\": \"Yes\"}", rep_json);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "[{\"in_print\":true}]");
    done(&r);
    expect_error(&sv, "PATCH", "/books?id=eq.1", "in_print=maybe", form, 400, "RL_ETYPE", NULL, 0);
    /* text that is not UTF-8, in a form's value or name and in a CSV field: 400, nothing kept */
    expect_error(&sv, "POST", "/authors", "name=%FF%FE", form, 400, "PGRST102", NULL, 0);
    expect_error(&sv, "POST", "/authors", "%C3%28=x", form, 400, "PGRST102", NULL, 0);
    expect_error(&sv, "POST", "/authors", "name\n\xff\xfe", csv, 400, "PGRST102", NULL, 0);
    assert_int_equal(rows_of(&sv, "/authors?id=gte.12"), 1); /* Butler's, above */
    /* reals in CSV as PostgreSQL writes a double (PostgREST's CSV): no ".0" added */
    static const char *const real[][2] = {
        {"0", "0"}, {"9.5", "9.5"}, {"20", "20"}, {"0.1", "0.1"}, {"1e20", "1e+20"}};
    static const char *const json[] = {"Content-Type: application/json", NULL},
                             *const accept[] = {"Accept: text/csv", NULL};
    for (size_t i = 0; i < sizeof real / sizeof real[0]; i++) {
        char body[64], want[64];
        snprintf(body, sizeof body, "{\"price\": %s}", real[i][0]);
        r = call(&sv, "PATCH", "/books?id=eq.1", body, json);
        assert_int_equal(r.status, 204);
        done(&r);
        r = call(&sv, "GET", "/books?select=price&id=eq.1", NULL, accept);
        snprintf(want, sizeof want, "price\n%s", real[i][1]);
        assert_string_equal(r.body, want);
        done(&r);
    }
    stop(&sv);
}

/* A NOT NULL column and a duplicate key are worded as PostgreSQL words them on either engine
 * (SQLite gives no words of its own): the constraint's default name, the key's value, the
 * failing row; reflite's sentence beside them. */
static void test_refusals_in_postgres_words(void **state)
{
    (void)state;
    server sv;
    start_sql(&sv, "CREATE TABLE pairs (a text NOT NULL, b integer NOT NULL, note text, "
                   "PRIMARY KEY (a, b));"
                   "CREATE TABLE tags (code text PRIMARY KEY, label text UNIQUE, rank integer "
                   "NOT NULL DEFAULT 1, extra text NOT NULL);"
                   "CREATE TABLE ships (id integer PRIMARY KEY, a text, b integer, FOREIGN KEY "
                   "(a, b) REFERENCES pairs (a, b));"
                   "INSERT INTO pairs VALUES ('x', 1, NULL);"
                   "INSERT INTO tags (code, label, extra) VALUES ('k', 'Kind', 'e')");
    resp first = call(&sv, "POST", "/tags", "{\"code\":\"q\\\"<b>\\nx\",\"extra\":\"e\"}", NULL);
    assert_int_equal(first.status, 201);
    done(&first);
    static const struct {
        const char *path, *body, *code, *message, *details;
    } cases[] = {
        {"/pairs", "{\"a\":\"x\",\"b\":1}", "23505",
         "duplicate key value violates unique constraint \"pairs_pkey\"",
         "Key (a, b)=(x, 1) already exists."},
        {"/tags", "{\"code\":\"k\",\"extra\":\"e\"}", "23505",
         "duplicate key value violates unique constraint \"tags_pkey\"",
         "Key (code)=(k) already exists."},
        {"/tags", "{\"code\":\"n\",\"label\":\"Kind\",\"extra\":\"e\"}", "23505",
         "duplicate key value violates unique constraint \"tags_label_key\"",
         "Key (label)=(Kind) already exists."},
        {"/ships", "{\"id\":1,\"a\":\"q\",\"b\":9}", "23503",
         "insert or update on table \"ships\" violates foreign key constraint \"ships_a_b_fkey\"",
         "Key (a, b)=(q, 9) is not present in table \"pairs\"."},
        /* a value with a quote, markup and a line break: the same bytes, in the JSON string */
        {"/tags", "{\"code\":\"q\\\"<b>\\nx\",\"extra\":\"e\"}", "23505",
         "duplicate key value violates unique constraint \"tags_pkey\"",
         "Key (code)=(q\"<b>\nx) already exists."},
        {"/pairs", "{\"a\":\"y\",\"b\":null,\"note\":\"n\"}", "23502",
         "null value in column \"b\" of relation \"pairs\" violates not-null constraint",
         "Failing row contains (y, null, n)."},
        /* a column left to its default: PostgreSQL shows the default's value, which only the
         * engine knows (SQLite: no row shown) */
        {"/tags", "{\"code\":\"m\",\"extra\":null}", "23502",
         "null value in column \"extra\" of relation \"tags\" violates not-null constraint", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        resp r = call(&sv, "POST", cases[i].path, cases[i].body, NULL);
        if (!r.json) fail_msg("%s: %s", cases[i].body, r.body);
        assert_string_equal(str_at(r.json, "code"), cases[i].code);
        assert_string_equal(str_at(r.json, "message"), cases[i].message);
        json_t *details = json_object_get(r.json, "details");
        if (cases[i].details)
            assert_string_equal(json_string_value(details), cases[i].details);
        else if (!on_pg())
            assert_true(json_is_null(details));
        assert_non_null(str_at(json_object_get(r.json, "reflite"), "message"));
        done(&r);
    }
    stop(&sv);
}

/* Reads of one row by key keep their plan for the next id: each id still gets its own row (or
 * 404), HEAD and GET and each table their own, a request with more asked plans anew, and a
 * column added to the table shows in the next read (the plans go with the tables read). */
static void test_reads_by_key_keep_their_plan(void **state)
{
    (void)state;
    server sv;
    rl_server_options so = {.threads = 1};
    start_rest(&sv, &so);
    static const char *const titles[] = {"A Wizard of Earthsea", "The Dispossessed", "The Hobbit"};
    for (int round = 0; round < 2; round++)
        for (int id = 1; id <= 3; id++) {
            char path[40];
            snprintf(path, sizeof path, "/books/%d", id);
            resp r = call(&sv, "GET", path, NULL, NULL);
            assert_int_equal(r.status, 200);
            assert_string_equal(str_at(r.json, "title"), titles[id - 1]);
            done(&r);
        }
    resp r = call(&sv, "GET", "/books/99999", NULL, NULL);
    assert_int_equal(r.status, 404);
    done(&r);
    r = call(&sv, "HEAD", "/books/2", NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_null(r.body);
    done(&r);
    r = call(&sv, "GET", "/authors/2", NULL, NULL);
    assert_string_equal(str_at(r.json, "name"), "Tolkien");
    done(&r);
    r = call(&sv, "GET", "/books/3?select=title,authors(name)", NULL, NULL);
    assert_string_equal(str_at(json_object_get(r.json, "authors"), "name"), "Tolkien");
    assert_null(json_object_get(r.json, "price"));
    done(&r);
    static const char *const csv[] = {"Accept: text/csv", NULL};
    r = call(&sv, "GET", "/books/1", NULL, csv);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "A Wizard of Earthsea"));
    assert_null(r.json);
    done(&r);
    assert_int_equal(
        rl_exec(sv.db, "ALTER TABLE books ADD COLUMN isbn TEXT DEFAULT 'none'", NULL, 0, NULL),
        RL_OK);
    bool seen = false;
    for (int i = 0; i < 50 && !seen; i++) { /* the server reads the tables again by itself */
        r = call(&sv, "GET", "/books/1", NULL, NULL);
        seen = json_object_get(r.json, "isbn") != NULL;
        if (seen) assert_string_equal(str_at(r.json, "isbn"), "none");
        done(&r);
        if (!seen) usleep(20000);
    }
    assert_true(seen);
    stop(&sv);
}

/* The schema's name: PostgreSQL's current schema (SQLite: public) unless the server names it;
 * it is in PostgREST's messages, and an Accept-Profile (read) or Content-Profile (write) that
 * names another is 406 PGRST106 with nothing done. */
static void test_schema_name(void **state)
{
    (void)state;
    for (int named = 0; named < 2; named++) {
        server sv;
        rl_server_options so = {.schema = named ? "api" : NULL};
        start_rest(&sv, &so);
        rl_models *ms;
        assert_int_equal(rl_models_load(sv.db, &ms), RL_OK);
        char want[200], msg[300];
        const char *nsp = named ? "api" : on_pg() ? rl_models_schema(ms) : "public";
        assert_non_null(nsp);
        if (!on_pg()) assert_null(rl_models_schema(ms));
        snprintf(want, sizeof want, "Could not find the table '%s.nothing' in the schema cache",
                 nsp);
        resp r = call(&sv, "GET", "/nothing", NULL, NULL);
        assert_int_equal(r.status, 404);
        assert_string_equal(str_at(r.json, "message"), want);
        done(&r);

        char same[200];
        snprintf(same, sizeof same, "Accept-Profile: %s", nsp);
        const char *const good[] = {same, NULL}, *const bad[] = {"Accept-Profile: other", NULL},
                          *const bad_write[] = {"Content-Profile: other", NULL};
        assert_int_equal(rows_of(&sv, "/authors"), 3);
        r = call(&sv, "GET", "/authors", NULL, good);
        assert_int_equal(r.status, 200);
        done(&r);
        snprintf(want, sizeof want, "The schema must be one of the following: %s", nsp);
        r = call(&sv, "GET", "/authors", NULL, bad);
        assert_int_equal(r.status, 406);
        assert_string_equal(str_at(r.json, "code"), "PGRST106");
        assert_string_equal(str_at(r.json, "message"), want);
        done(&r);
        expect_error(&sv, "POST", "/authors", "{\"name\":\"Okri\"}", bad_write, 406, "PGRST106",
                     msg, sizeof msg);
        assert_int_equal(rows_of(&sv, "/authors"), 3); /* nothing written */
        /* a profile that is markup, quotes and 2,000 bytes: the same 406, its JSON whole, the
         * name cut in reflite's sentence, nothing deleted */
        char hostile[2100] = "Content-Profile: \"><script>x</script>";
        memset(hostile + strlen(hostile), 'p', 2000);
        hostile[sizeof hostile - 1] = '\0';
        const char *const evil[] = {hostile, NULL};
        r = call(&sv, "DELETE", "/authors?id=eq.3", NULL, evil);
        assert_int_equal(r.status, 406);
        assert_non_null(r.json);
        assert_string_equal(str_at(r.json, "code"), "PGRST106");
        assert_true(strlen(str_at(json_object_get(r.json, "reflite"), "message")) < 300);
        done(&r);
        assert_int_equal(rows_of(&sv, "/authors"), 3);
        rl_models_free(ms);
        stop(&sv);
    }
}

/* Prefer: tx=rollback: the write runs and is answered, and nothing of it is kept; several
 * Prefer lines are one list, reflite's own unfiltered=allow among them. */
static void test_tx_rollback(void **state)
{
    (void)state;
    server sv;
    start_rest(&sv, NULL);
    static const char *const undo[] = {"Prefer: return=representation",
                                       "Prefer: tx=rollback, handling=strict", NULL};
    resp r = call(&sv, "POST", "/authors?select=name", "{\"name\": \"Ghost\"}", undo);
    assert_int_equal(r.status, 201);
    assert_string_equal(r.body, "[{\"name\":\"Ghost\"}]");
    assert_contains(r.headers,
                    "Preference-Applied: return=representation, tx=rollback, handling=strict");
    done(&r);
    r = call(&sv, "PATCH", "/authors?id=eq.1&select=born", "{\"born\": 2000}", undo);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "[{\"born\":2000}]");
    done(&r);
    r = call(&sv, "PUT", "/authors?id=eq.2&select=name", "{\"id\": 2, \"name\": \"Other\"}", undo);
    assert_int_equal(r.status, 200);
    done(&r);
    static const char *const undo_all[] = {"Prefer: tx=rollback", "Prefer: unfiltered=allow",
                                           "Prefer: handling=strict", NULL};
    r = call(&sv, "DELETE", "/book_tags", NULL, undo_all);
    assert_int_equal(r.status, 204);
    done(&r);
    assert_int_equal(rows_of(&sv, "/authors?name=eq.Ghost"), 0);
    assert_int_equal(rows_of(&sv, "/authors?born=eq.2000"), 0);
    assert_int_equal(rows_of(&sv, "/authors?name=eq.Tolkien"), 1);
    assert_int_equal(rows_of(&sv, "/book_tags"), 5);
    stop(&sv);
}

/* PUT: one row by its primary key, inserted (201) or replaced (200), by PostgREST's rules. */
static void test_put(void **state)
{
    (void)state;
    server sv;
    start_rest(&sv, NULL);
    static const char *const rep[] = {"Prefer: return=representation", NULL};
    resp r = call(&sv, "PUT", "/authors?id=eq.10", "{\"id\": 10, \"name\": \"Jemisin\"}", rep);
    assert_int_equal(r.status, 201);
    assert_string_equal(r.body, "[{\"id\":10,\"name\":\"Jemisin\",\"born\":null}]");
    done(&r);
    r = call(&sv, "PUT", "/authors?id=eq.10&select=name,born",
             "[{\"id\": 10, \"name\": \"N. K. Jemisin\", \"born\": 1972}, {\"id\": 11}]", rep);
    assert_int_equal(r.status, 200); /* replaced; an array's first object only */
    assert_string_equal(r.body, "[{\"name\":\"N. K. Jemisin\",\"born\":1972}]");
    done(&r);
    r = call(&sv, "PUT", "/authors?id=eq.10", "{\"id\": 10, \"name\": \"Jemisin\"}", NULL);
    assert_int_equal(r.status, 204);
    done(&r);
    assert_int_equal(rows_of(&sv, "/authors?id=gte.10"), 1);
    /* the URL names the row by its whole key with eq, and the body agrees with it */
    expect_error(&sv, "PUT", "/authors?id=eq.12", "{\"id\": 13, \"name\": \"x\"}", NULL, 400,
                 "PGRST115", NULL, 0);
    expect_error(&sv, "PUT", "/authors?id=eq.12", "{\"name\": \"x\"}", NULL, 400, "PGRST115", NULL,
                 0);
    expect_error(&sv, "PUT", "/authors?name=eq.x", "{\"id\": 12, \"name\": \"x\"}", NULL, 405,
                 "PGRST105", NULL, 0);
    expect_error(&sv, "PUT", "/authors?id=gt.12", "{\"id\": 12, \"name\": \"x\"}", NULL, 405,
                 "PGRST105", NULL, 0);
    expect_error(&sv, "PUT", "/authors?id=eq.12&name=eq.x", "{\"id\": 12, \"name\": \"x\"}", NULL,
                 405, "PGRST105", NULL, 0);
    expect_error(&sv, "PUT", "/authors?id=eq.12&limit=1", "{\"id\": 12, \"name\": \"x\"}", NULL,
                 400, "PGRST114", NULL, 0);
    expect_error(&sv, "PUT", "/authors/12", "{\"id\": 12, \"name\": \"x\"}", NULL, 405,
                 "RL_EMETHOD", NULL, 0);
    assert_int_equal(rows_of(&sv, "/authors?id=gte.10"), 1);
    /* a key of 0 is the client's key, never replaced by a new one */
    r = call(&sv, "POST", "/authors", "{\"id\": 0, \"name\": \"Zero\"}", rep);
    assert_int_equal(r.status, 201);
    assert_string_equal(r.body, "[{\"id\":0,\"name\":\"Zero\",\"born\":null}]");
    done(&r);
    r = call(&sv, "PUT", "/authors?id=eq.0", "{\"id\": 0, \"name\": \"Nil\"}", rep);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "[{\"id\":0,\"name\":\"Nil\",\"born\":null}]");
    done(&r);
    assert_int_equal(rows_of(&sv, "/authors?id=eq.0&name=eq.Nil"), 1);
    assert_int_equal(rows_of(&sv, "/authors?name=eq.Zero"), 0);
    stop(&sv);
}

static void test_limits_and_read_only(void **state)
{
    (void)state;
    server sv;
    rl_server_options o = {.max_body = 64, .read_only = true, .no_aggregates = true};
    start_rest(&sv, &o);
    char big[200];
    memset(big, ' ', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    big[0] = '{';
    big[sizeof big - 2] = '}';
    expect_error(&sv, "POST", "/authors", big, NULL, 413, "RL_ETOOLARGE", NULL, 0);
    expect_error(&sv, "POST", "/authors", "{\"name\": \"x\"}", NULL, 405, "RL_EMETHOD", NULL, 0);
    resp r = call(&sv, "DELETE", "/authors/3", NULL, NULL);
    assert_int_equal(r.status, 405);
    assert_non_null(strstr(r.headers, "Allow: GET, HEAD, OPTIONS"));
    done(&r);
    assert_int_equal(rows_of(&sv, "/authors"), 3);
    /* aggregates turned off: PostgREST's 400 */
    expect_error(&sv, "GET", "/books?select=count()", NULL, NULL, 400, "PGRST123", NULL, 0);
    expect_error(&sv, "GET", "/books?select=author_id,price.sum()", NULL, NULL, 400, "PGRST123",
                 NULL, 0);
    stop(&sv);
}

/* ---- security ----------------------------------------------------------------------------- */

static void test_tokens_and_cors(void **state)
{
    (void)state;
    char tokens[] = "/tmp/reflite-tokens-XXXXXX";
    int fd = mkstemp(tokens);
    assert_true(fd >= 0);
    const char *text = "# who may do what\nread r3ad-0nly\nwrite wr1te-t0ken\n";
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    server sv;
    rl_server_options o = {.tokens = tokens, .cors = "https://app.example, https://b.example"};
    start_rest(&sv, &o);
    expect_error(&sv, "GET", "/authors", NULL, NULL, 401, "RL_EAUTH", NULL, 0);
    static const char *const wrong[] = {"Authorization: Bearer r3ad-0nlx", NULL};
    expect_error(&sv, "GET", "/authors", NULL, wrong, 401, "RL_EAUTH", NULL, 0);
    static const char *const prefix[] = {"Authorization: Bearer r3ad", NULL};
    expect_error(&sv, "GET", "/authors", NULL, prefix, 401, "RL_EAUTH", NULL, 0);
    static const char *const reader[] = {"Authorization: Bearer r3ad-0nly",
                                         "Origin: https://app.example", NULL};
    resp r = call(&sv, "GET", "/authors", NULL, reader);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.headers, "Access-Control-Allow-Origin: https://app.example"));
    done(&r);
    expect_error(&sv, "POST", "/authors", "{\"name\": \"x\"}", reader, 403, "RL_EFORBIDDEN", NULL,
                 0);
    static const char *const writer[] = {"Authorization: Bearer wr1te-t0ken",
                                         "Origin: https://evil.example", NULL};
    /* a page of an origin the server does not allow may not write, even with a token */
    r = call(&sv, "POST", "/authors", "{\"name\": \"x\"}", writer);
    assert_int_equal(r.status, 403);
    assert_string_equal(str_at(r.json, "code"), "RL_EORIGIN");
    assert_null(strstr(r.headers, "Access-Control-Allow-Origin"));
    done(&r);
    static const char *const allowed[] = {"Authorization: Bearer wr1te-t0ken",
                                          "Origin: https://b.example", NULL};
    r = call(&sv, "POST", "/authors", "{\"name\": \"x\"}", allowed);
    assert_int_equal(r.status, 201);
    done(&r);
    static const char *const preflight[] = {"Origin: https://b.example",
                                            "Access-Control-Request-Method: PATCH", NULL};
    r = call(&sv, "OPTIONS", "/authors", NULL, preflight);
    assert_int_equal(r.status, 204);
    assert_non_null(strstr(r.headers, "Access-Control-Allow-Methods:"));
    assert_non_null(strstr(r.headers, "Access-Control-Allow-Origin: https://b.example"));
    /* the headers PostgREST's clients send (supabase-js: apikey, x-client-info) pass */
    char allow[300];
    assert_true(resp_header(&r, "Access-Control-Allow-Headers", allow, sizeof allow));
    for (char *c = allow; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    for (const char *h = "apikey\0x-client-info\0prefer\0range\0accept-profile\0"; *h;
         h += strlen(h) + 1)
        if (!strstr(allow, h)) fail_msg("%s is not allowed: %s", h, allow);
    done(&r);
    stop(&sv);
    unlink(tokens);
    /* the list is the server's to set */
    rl_server_options own = {.cors = "https://app.example",
                             .cors_headers = "Authorization, X-Mine"};
    start_rest(&sv, &own);
    r = call(&sv, "OPTIONS", "/authors", NULL,
             (const char *const[]){"Origin: https://app.example", NULL});
    assert_int_equal(r.status, 204);
    assert_true(resp_header(&r, "Access-Control-Allow-Headers", allow, sizeof allow));
    assert_string_equal(allow, "Authorization, X-Mine");
    done(&r);
    stop(&sv);

    char err[300];
    rl_db *db;
    rl_options po = {.profile = RL_PROFILE_TEST};
    assert_int_equal(rl_open(&db, NULL, &po), RL_OK);
    rl_server *s = (rl_server *)1;
    rl_server_options bad = {.tokens = "/nonexistent/tokens"};
    assert_int_equal(rl_server_new(&s, db, &bad, err, sizeof err), RL_ERROR);
    assert_null(s);
    assert_contains(err, "/nonexistent/tokens");
    rl_server_options split = {.cors = "*", .cors_headers = "Prefer\r\nSet-Cookie: a=b"};
    assert_int_not_equal(rl_server_new(&s, db, &split, err, sizeof err), RL_OK);
    assert_contains(err, "control character");
    rl_close(db);
}

/* Names and values from the URL never become SQL: they are looked up or bound. */
static void test_hostile_requests(void **state)
{
    (void)state;
    server sv;
    start_rest(&sv, NULL);
    assert_int_equal(rows_of(&sv, "/books?title=eq.x%27);%20DROP%20TABLE%20books;--"), 0);
    assert_int_equal(rows_of(&sv, "/books?title=in.(%22%27%20OR%201=1--%22)"), 0);
    assert_int_equal(rows_of(&sv, "/books?title=like.%25%27%20OR%20%271%27=%271"), 0);
    expect_error(&sv, "GET", "/books?title%22%20OR%201=1--=eq.1", NULL, NULL, 400, "PGRST100", NULL,
                 0);
    expect_error(&sv, "GET", "/books;%20DROP%20TABLE%20books", NULL, NULL, 404, "RL_ENOTFOUND",
                 NULL, 0);
    expect_error(&sv, "GET", "/books?select=title,(select%201)", NULL, NULL, 400, "RL_EINVAL", NULL,
                 0);
    expect_error(&sv, "GET", "/books?order=id;drop", NULL, NULL, 400, "PGRST100", NULL, 0);
    /* aggregates: one row per group, not ordered by a key the groups do not have */
    resp agg = call(&sv, "GET", "/books?select=count()", NULL, NULL);
    assert_int_equal(agg.status, 200);
    assert_int_equal(json_array_size(agg.json), 1);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(agg.json, 0), "count")),
                     rows_of(&sv, "/books"));
    done(&agg);
    /* Content-Location names the answer with its arguments in order of name, every byte of a
     * value that could end the header line encoded again */
    resp cl = call(&sv, "GET", "/books?title=eq.a%0D%0AX-Evil:%201&select=id&limit=1", NULL, NULL);
    char where[256];
    assert_int_equal(cl.status, 200);
    assert_true(resp_header(&cl, "Content-Location", where, sizeof where));
    assert_string_equal(where, "/books?limit=1&select=id&title=eq.a%0D%0AX-Evil:%201");
    assert_false(resp_header(&cl, "X-Evil", where, sizeof where));
    done(&cl);
    /* groups nest as deep as PostgREST's parser takes them (32), no deeper */
    char deep[400] = "/books?or=(", *d = deep + strlen(deep);
    for (int i = 0; i < 40; i++)
        d += sprintf(d, "or(");
    d += sprintf(d, "id.eq.1");
    for (int i = 0; i < 41; i++)
        *d++ = ')';
    *d = '\0';
    expect_error(&sv, "GET", deep, NULL, NULL, 400, "PGRST100", NULL, 0);
    assert_int_equal(rows_of(&sv, "/books?or=(or(or(or(or(or(or(or(or(or(or(or(or(or(or(or(or(or("
                                  "id.eq.1)))))))))))))))))))"),
                     1);
    expect_error(&sv, "POST", "/books", "{\"title\": \"x\", \"title\": \"y\"}", NULL, 400,
                 "RL_EJSON", NULL, 0);
    resp r = call(&sv, "POST", "/authors", "{\"name\": \"\\u00e9\\n\\\"q\\\" \\u0001\"}", NULL);
    assert_int_equal(r.status, 201);
    done(&r);
    r = call(&sv, "GET", "/authors?born=is.null&name=neq.Nobody", NULL, NULL);
    assert_non_null(r.json); /* control characters and quotes written back as valid JSON */
    assert_string_equal(str_at(json_array_get(r.json, 0), "name"), "\xc3\xa9\n\"q\" \x01");
    done(&r);
    assert_int_equal(rows_of(&sv, "/books"), 4);
    stop(&sv);

    /* a table whose name would forge a header where it is echoed (Location) */
    start(&sv, NULL);
    assert_int_equal(rl_exec(sv.db,
                             on_pg()
                                 ? "CREATE TABLE \"evil\r\nX-Injected: 1\" (id BIGINT GENERATED "
                                   "BY DEFAULT AS IDENTITY PRIMARY KEY, v TEXT)"
                                 : "CREATE TABLE \"evil\r\nX-Injected: 1\" (id INTEGER "
                                   "PRIMARY KEY, v TEXT)",
                             NULL, 0, NULL),
                     RL_OK);
    rl_server_free(sv.s); /* the tables are read at start: serve the new one too */
    char err[300];
    assert_int_equal(
        rl_server_new(&sv.s, sv.db, &(rl_server_options){.quiet = true}, err, sizeof err), RL_OK);
    assert_int_equal(rl_server_rest(sv.s, ""), RL_OK);
    listen_now(&sv);
    r = call(&sv, "POST", "/evil%0D%0AX-Injected:%201", "{\"v\": \"x\"}", NULL);
    assert_int_equal(r.status, 201);
    assert_null(strstr(r.headers, "X-Injected"));
    done(&r);
    assert_int_equal(rows_of(&sv, "/evil%0D%0AX-Injected:%201"), 1);
    stop(&sv);
}

/* ---- routes of one's own ------------------------------------------------------------------ */

static int hello(rl_request *req, void *ctx)
{
    char body[200];
    snprintf(body, sizeof body, "{\"hello\":\"%s\",\"tag\":\"%s\",\"q\":\"%s\"}",
             rl_request_param(req, "name"), (const char *)ctx,
             rl_request_query(req, "q") ? rl_request_query(req, "q") : "");
    rl_response_header(req, "X-Route", "hello");
    return rl_respond(req, 200, NULL, body, strlen(body));
}

static int count_authors(rl_request *req, void *ctx)
{
    (void)ctx;
    int64_t n;
    rl_db *db = rl_request_db(req);
    if (rl_query_int(db, "SELECT count(*) FROM authors", NULL, 0, &n) != RL_OK)
        return rl_respond_db_error(req, db);
    char body[64];
    snprintf(body, sizeof body, "{\"authors\":%lld}", (long long)n);
    return rl_respond(req, 200, NULL, body, strlen(body));
}

static int silent(rl_request *req, void *ctx)
{
    (void)req;
    (void)ctx;
    return RL_ERROR;
}

static void test_routes_and_prefix(void **state)
{
    (void)state;
    server sv;
    start(&sv, NULL);
    assert_int_equal(rl_server_route(sv.s, "GET", "/hello/{name}", hello, "t1"), RL_OK);
    assert_int_equal(rl_server_route(sv.s, NULL, "/api/count", count_authors, NULL), RL_OK);
    assert_int_equal(rl_server_route(sv.s, "GET", "/broken", silent, NULL), RL_OK);
    assert_int_equal(rl_server_rest(sv.s, "/api"), RL_OK);
    listen_now(&sv);
    assert_int_equal(rl_server_route(sv.s, "GET", "/late", hello, NULL), RL_EMISUSE);
    resp r = call(&sv, "GET", "/hello/w%C3%B6rld?q=1", NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(str_at(r.json, "hello"), "w\xc3\xb6rld");
    assert_string_equal(str_at(r.json, "tag"), "t1");
    assert_string_equal(str_at(r.json, "q"), "1");
    assert_non_null(strstr(r.headers, "X-Route: hello"));
    done(&r);
    r = call(&sv, "GET", "/api/count", NULL, NULL); /* a route before the API's tables */
    assert_int_equal(json_integer_value(json_object_get(r.json, "authors")), 3);
    done(&r);
    assert_int_equal(rows_of(&sv, "/api/books?author_id=eq.2"), 2);
    expect_error(&sv, "GET", "/books", NULL, NULL, 404, "RL_ENOTFOUND", NULL, 0);
    expect_error(&sv, "POST", "/hello/x", NULL, NULL, 404, "RL_ENOTFOUND", NULL, 0);
    expect_error(&sv, "GET", "/hello/", NULL, NULL, 404, "RL_ENOTFOUND", NULL, 0);
    expect_error(&sv, "GET", "/broken", NULL, NULL, 500, "RL_ERROR", NULL, 0);
    assert_int_equal(rl_server_stop(sv.s), RL_OK);
    assert_int_equal(rl_server_port(sv.s), 0);
    stop(&sv);
}

/* Stopping lets the requests in flight finish and answers those that arrive meanwhile with a
 * 503, and a server can be started again. (libmicrohttpd's quiescing, used before, could make it
 * abort the process now and then with epoll threads: "Failed to remove listen FD from epoll
 * set"; and a connection made while stopping got no answer at all.) */
typedef struct slow_call {
    server *sv;
    atomic_int entered;
    long status;
} slow_call;

static int slow_route(rl_request *req, void *ctx)
{
    slow_call *sc = ctx;
    atomic_store(&sc->entered, 1);
    struct timespec t = {0, 400 * 1000 * 1000};
    nanosleep(&t, NULL);
    return rl_respond(req, 200, NULL, "{\"slow\":true}", 13);
}

static void *slow_get(void *arg)
{
    slow_call *sc = arg;
    resp r = call(sc->sv, "GET", "/slow", NULL, NULL);
    sc->status = r.status;
    done(&r);
    return NULL;
}

static void *stop_server(void *arg)
{
    server *sv = arg;
    assert_int_equal(rl_server_stop(sv->s), RL_OK);
    return NULL;
}

static void test_stop_and_start_again(void **state)
{
    (void)state;
    server sv;
    start(&sv, &(rl_server_options){.threads = 4});
    slow_call sc = {.sv = &sv};
    assert_int_equal(rl_server_route(sv.s, "GET", "/slow", slow_route, &sc), RL_OK);
    assert_int_equal(rl_server_rest(sv.s, ""), RL_OK);
    listen_now(&sv);
    pthread_t slow, stopper;
    assert_int_equal(pthread_create(&slow, NULL, slow_get, &sc), 0);
    struct timespec tick = {0, 1000 * 1000};
    while (!atomic_load(&sc.entered))
        nanosleep(&tick, NULL);
    assert_int_equal(pthread_create(&stopper, NULL, stop_server, &sv), 0);
    nanosleep(&(struct timespec){0, 100 * 1000 * 1000}, NULL);
    resp r = call(&sv, "GET", "/authors", NULL, NULL); /* arrives while the server stops */
    assert_int_equal(r.status, 503);
    assert_string_equal(str_at(r.json, "code"), "RL_EBUSY");
    done(&r);
    pthread_join(stopper, NULL);
    pthread_join(slow, NULL);
    assert_int_equal(sc.status, 200); /* the request in flight was finished */
    assert_int_equal(rl_server_port(sv.s), 0);
    for (int i = 0; i < 100; i++) {
        listen_now(&sv);
        if (i % 25 == 0) assert_int_equal(rows_of(&sv, "/authors"), 3);
        assert_int_equal(rl_server_stop(sv.s), RL_OK);
    }
    stop(&sv);
}

/* ---- many clients ------------------------------------------------------------------------- */

typedef struct client {
    const server *sv;
    int id, ok;
} client;

static void *client_run(void *arg)
{
    client *c = arg;
    for (int i = 0; i < 25; i++) {
        char body[100];
        snprintf(body, sizeof body, "{\"title\": \"c%d-%d\", \"author_id\": %d}", c->id, i,
                 1 + (i % 2));
        resp r = call(c->sv, "POST", "/books", body, NULL);
        c->ok += r.status == 201;
        if (r.status != 201) fprintf(stderr, "POST: %ld %s\n", r.status, r.body ? r.body : "");
        done(&r);
        r = call(c->sv, "GET", "/books?author_id=eq.1&limit=5", NULL, NULL);
        size_t n = json_array_size(r.json); /* its own first book makes three at least */
        c->ok += r.status == 200 && n >= 3 && n <= 5;
        done(&r);
    }
    return NULL;
}

static void test_many_clients_at_once(void **state)
{
    (void)state;
    server sv;
    start_rest(&sv, NULL);
    enum { N = 6 };
    pthread_t t[N];
    client c[N];
    for (int i = 0; i < N; i++) {
        c[i] = (client){&sv, i, 0};
        assert_int_equal(pthread_create(&t[i], NULL, client_run, &c[i]), 0);
    }
    for (int i = 0; i < N; i++) {
        pthread_join(t[i], NULL);
        assert_int_equal(c[i].ok, 50);
    }
    assert_int_equal(rows_of(&sv, "/books?title=like.c*&limit=1000"), N * 25);
    stop(&sv);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest both[] = {
        cmocka_unit_test(test_filters_select_order),
        cmocka_unit_test(test_embedding),
        cmocka_unit_test(test_nested_insert),
        cmocka_unit_test(test_ranges_counts_and_pages),
        cmocka_unit_test(test_numbers_round_trip),
        cmocka_unit_test(test_statement_timeout),
        cmocka_unit_test(test_max_rows),
        cmocka_unit_test(test_post_patch_delete),
        cmocka_unit_test(test_location_of_a_text_key),
        cmocka_unit_test(test_put),
        cmocka_unit_test(test_tx_rollback),
        cmocka_unit_test(test_schema_name),
        cmocka_unit_test(test_reads_by_key_keep_their_plan),
        cmocka_unit_test(test_refusals_in_postgres_words),
        cmocka_unit_test(test_csv_and_form_bodies),
        cmocka_unit_test(test_write_held_to_the_rows_found),
        cmocka_unit_test(test_limits_and_read_only),
        cmocka_unit_test(test_tokens_and_cors),
        cmocka_unit_test(test_hostile_requests),
        cmocka_unit_test(test_routes_and_prefix),
        cmocka_unit_test(test_stop_and_start_again),
        cmocka_unit_test(test_many_clients_at_once),
    };
    int failed = run_suite(both);
    curl_global_cleanup();
    return failed;
}

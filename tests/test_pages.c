/*
 * The web pages: what a browser gets from the API's URLs.  Which requests get a page (Accept,
 * .html, ?_format=) and which keep JSON; the tables and their rows with labelled key links
 * both ways, sorting, filters, facets, hidden columns and paging; composite keys; errors as
 * pages; the forms that insert, change and delete, their refusals next to the field, the
 * delete's account of what goes with it, and their guard against other sites; hostile names
 * and values escaped.  Every page fetched is checked to be valid HTML by tidy (Debian's HTML
 * checker, a program of its own).  On both engines.
 */
#include "http_client.h"

#include <unistd.h>

#define BROWSER "Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
#define TOKEN   "0123456789abcdef0123456789abcdef"

/* Whether tidy finds the page valid HTML (no error, no warning). */
static void valid_html(const resp *r, const char *path)
{
    char file[] = "/tmp/reflite-page-XXXXXX";
    int fd = mkstemp(file);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, r->body, r->len), (ssize_t)r->len);
    close(fd);
    char cmd[200], out[4096] = "";
    snprintf(cmd, sizeof cmd, "tidy -q -e -utf8 %s 2>&1", file);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = fread(out, 1, sizeof out - 1, p);
    out[n] = '\0';
    int rc = pclose(p);
    unlink(file);
    if (rc != 0) fail_msg("%s is not valid HTML (tidy exit %d):\n%s", path, rc, out);
}

/* GET path as a browser asks, the page checked to be valid HTML. */
static resp page(const server *sv, const char *path)
{
    const char *h[] = {BROWSER, "Cookie: rl_csrf=" TOKEN, NULL};
    resp r = call(sv, "GET", path, NULL, h);
    char type[200] = "";
    assert_true(resp_header(&r, "Content-Type", type, sizeof type));
    if (strncmp(type, "text/html", 9) != 0) fail_msg("%s: %s, not a page", path, type);
    valid_html(&r, path);
    return r;
}

/* POST of a page's form (body: name=value&...) with the cookie cookie (NULL: none). */
static resp post_form(const server *sv, const char *path, const char *body, const char *cookie)
{
    char c[100];
    snprintf(c, sizeof c, "Cookie: rl_csrf=%s", cookie ? cookie : "");
    const char *h[] = {BROWSER, "Content-Type: application/x-www-form-urlencoded",
                       cookie ? c : NULL, NULL};
    resp r = call(sv, "POST", path, body, h);
    if (r.status >= 400) valid_html(&r, path);
    return r;
}

static size_t count_of(const char *s, const char *part)
{
    size_t n = 0;
    for (const char *p = strstr(s, part); p; p = strstr(p + 1, part))
        n++;
    return n;
}

static void has(const resp *r, const char *part)
{
    if (!strstr(r->body, part)) fail_msg("the page lacks %s:\n%s", part, r->body);
}

static void lacks(const resp *r, const char *part)
{
    if (strstr(r->body, part)) fail_msg("the page has %s", part);
}

/* ---- which requests get a page -------------------------------------------------------------- */

static void test_negotiation(void **state)
{
    (void)state;
    server sv;
    start_rest(&sv, NULL);
    resp r = page(&sv, "/books");
    char v[300];
    assert_true(resp_header(&r, "Content-Security-Policy", v, sizeof v));
    assert_non_null(strstr(v, "default-src 'none'"));
    assert_non_null(strstr(v, "frame-ancestors 'none'"));
    assert_true(resp_header(&r, "X-Content-Type-Options", v, sizeof v));
    has(&r, "<table class=\"rows\">");
    done(&r);
    /* an API client keeps its JSON: any type, JSON first, or JSON asked for over HTML */
    const char *const api[] = {"Accept: */*", "Accept: application/json",
                               "Accept: application/json, text/html;q=0.5", NULL};
    for (size_t i = 0; api[i]; i++) {
        const char *h[] = {api[i], NULL};
        r = call(&sv, "GET", "/books", NULL, h);
        assert_int_equal(r.status, 200);
        assert_true(json_is_array(r.json));
        done(&r);
    }
    r = call(&sv, "GET", "/books", NULL, NULL); /* no Accept at all */
    assert_true(json_is_array(r.json));
    done(&r);
    const char *plain[] = {"Accept: */*", NULL};
    r = call(&sv, "GET", "/books.html", NULL, plain);
    assert_non_null(strstr(r.body, "<!DOCTYPE html>"));
    valid_html(&r, "/books.html");
    done(&r);
    r = call(&sv, "GET", "/authors/1.html", NULL, plain);
    assert_non_null(strstr(r.body, "Le Guin"));
    assert_non_null(strstr(r.body, "<dl class=\"row\">"));
    done(&r);
    r = call(&sv, "GET", "/?_format=html", NULL, plain);
    assert_non_null(strstr(r.body, "<h1>Tables</h1>"));
    done(&r);
    const char *browser[] = {BROWSER, NULL};
    r = call(&sv, "GET", "/books?_format=json&author_id=eq.2", NULL, browser);
    assert_int_equal(json_array_size(r.json), 2); /* the page's JSON twin, filtered */
    done(&r);
    r = call(&sv, "GET", "/books?_format=csv&select=title&order=title", NULL, browser);
    assert_int_equal(r.status, 200);
    assert_true(strncmp(r.body, "title\nA Wizard of Earthsea", 26) == 0);
    done(&r);
    r = call(&sv, "GET", "/-/page.css", NULL, NULL);
    assert_true(resp_header(&r, "Content-Type", v, sizeof v) && !strncmp(v, "text/css", 8));
    done(&r);
    r = call(&sv, "GET", "/-/page.js", NULL, NULL);
    assert_true(resp_header(&r, "Content-Type", v, sizeof v) && !strncmp(v, "text/javascript", 15));
    done(&r);
    r = call(&sv, "HEAD", "/books", NULL, browser);
    assert_int_equal(r.status, 200);
    assert_int_equal(r.len, 0);
    done(&r);
    stop(&sv);
}

/* ---- reading -------------------------------------------------------------------------------- */

static void test_home_page(void **state)
{
    (void)state;
    server sv;
    start_rest(&sv, NULL);
    resp r = page(&sv, "/");
    has(&r, "<a href=\"/books\">books</a></td><td class=\"num\">4</td>");
    has(&r, "<a href=\"/authors\">authors</a></td><td class=\"num\">3</td>");
    /* what references what: reviews -> books and authors (twice), in the list and the diagram */
    has(&r, "<a href=\"/authors\">authors</a> <span class=\"label\">(reviewer_id)</span>");
    has(&r, "<a href=\"/authors\">authors</a> <span class=\"label\">(editor_id)</span>");
    has(&r, "<svg class=\"diagram\"");
    assert_int_equal(count_of(r.body, "<line "), 6); /* books 1, book_tags 2, reviews 3 */
    assert_int_equal(count_of(r.body, "<rect "), 5);
    done(&r);
    stop(&sv);
}

static void test_table_page(void **state)
{
    (void)state;
    server sv;
    start_rest(&sv, NULL);
    resp r = page(&sv, "/books");
    /* each key cell shows the parent's label and links to its row; each row links to its own */
    assert_int_equal(count_of(r.body, "<a class=\"label\" href=\"/authors/1\">Le Guin</a>"), 2);
    assert_int_equal(count_of(r.body, "<a class=\"label\" href=\"/authors/2\">Tolkien</a>"), 2);
    has(&r, "<a class=\"label\" href=\"/books/3\">row</a>");
    /* facets: the key column labelled, the boolean column, counted */
    has(&r, "<li><a href=\"/books?author_id=eq.1\">Le Guin</a> 2</li>");
    has(&r, "<li><a href=\"/books?in_print=eq.true\">true</a> 3</li>");
    has(&r, "<li><a href=\"/books?in_print=eq.false\">false</a> 1</li>");
    has(&r, "<a href=\"/books?order=title.asc\" title=\"sort\">title</a>");
    has(&r, "Rows 1 to 4 of 4.");
    has(&r, "href=\"/books?limit=50&amp;_format=json\"");
    done(&r);

    r = page(&sv, "/books?order=title.asc");
    has(&r, "<a href=\"/books?order=title.desc\" title=\"sort\">title \xE2\x96\xB2</a>");
    const char *a = strstr(r.body, "A Wizard"), *s = strstr(r.body, "Silmarillion"),
               *h = strstr(r.body, "The Hobbit");
    assert_true(a && s && h && a < s && s < h);
    done(&r);

    r = page(&sv, "/books?author_id=eq.2&_hide=price");
    lacks(&r, "Earthsea");
    has(&r, "The Hobbit");
    has(&r, "<code>author_id=eq.2</code> <a href=\"/books?_hide=price\""); /* removable */
    lacks(&r, "title=\"sort\">price");
    has(&r, "Show every column");
    has(&r, "<li><a href=\"/books?author_id=eq.2&amp;_hide=price&amp;in_print=eq.true\">true</a> "
            "1</li>"); /* facets count among the rows kept */
    done(&r);

    /* pages by the key, then by offset when ordered otherwise */
    r = page(&sv, "/books?_size=2");
    has(&r, "<a rel=\"next\" href=\"/books?_size=2&amp;_after=2\">next page</a>");
    done(&r);
    r = page(&sv, "/books?_size=2&_after=2");
    lacks(&r, "Earthsea");
    has(&r, "Silmarillion");
    has(&r, "<a rel=\"first\" href=\"/books?_size=2\">first page</a>");
    lacks(&r, "rel=\"next\""); /* no row after the last */
    done(&r);
    r = page(&sv, "/books?_size=3&order=title.asc");
    has(&r, "href=\"/books?_size=3&amp;order=title.asc&amp;offset=3\">next page</a>");
    done(&r);
    r = page(&sv, "/books?_size=3&order=title.asc&offset=3");
    has(&r, "The Hobbit");
    lacks(&r, "Silmarillion");
    done(&r);

    /* select= with an embedded relation: a nested table */
    r = page(&sv, "/authors?select=name,books(title)&id=eq.1");
    has(&r, "<table class=\"nested\">");
    has(&r, "The Dispossessed");
    done(&r);
    stop(&sv);
}

static void count_statement(const char *sql, void *ctx)
{
    (void)sql;
    (*(int *)ctx)++;
}

/* A table page's statements: its rows, their count, one per key for the parents' labels, and
 * one per facet (a key's facet one more for its labels); none per row. */
static void test_statements_of_a_page(void **state)
{
    (void)state;
    server sv;
    rl_server_options one = {.threads = 1}; /* one connection: sv.db, whose statements count */
    start(&sv, &one);
    assert_int_equal(rl_server_rest(sv.s, ""), RL_OK);
    listen_now(&sv);
    int n = 0;
    rl_trace(sv.db, count_statement, &n);
    resp r = page(&sv, "/books?_size=100");
    rl_trace(sv.db, NULL, NULL);
    has(&r, "Rows 1 to 4 of 4.");
    done(&r);
    /* rows 1; count 1 (PostgreSQL: 2, the planner's estimate, then the exact count of so few);
     * the authors' labels 1; facets: author_id 1 and its labels 1, in_print 1 */
    assert_int_equal(n, on_pg() ? 7 : 6);
    n = 0;
    rl_trace(sv.db, count_statement, &n);
    r = page(&sv, "/");
    rl_trace(sv.db, NULL, NULL);
    done(&r);
    assert_int_equal(n, on_pg() ? 10 : 5); /* each table counted once (PostgreSQL: twice) */
    stop(&sv);
}

/* On a large table the facets of key and boolean columns are offered, each counted when asked
 * for; a filter that keeps few rows brings them back by themselves. */
static void test_facets_of_a_large_table(void **state)
{
    (void)state;
    server sv;
    start(&sv, NULL);
    if (rl_exec(
            sv.db,
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 6000) "
            "INSERT INTO books (title, author_id, in_print) SELECT 'copy', 1 + i % 2, i % 3 = 0 "
            "FROM n",
            NULL, 0, NULL) != RL_OK)
        fail_msg("%s", rl_errmsg(sv.db));
    assert_int_equal(rl_server_rest(sv.s, ""), RL_OK);
    listen_now(&sv);
    resp r = page(&sv, "/books");
    has(&r, "Facets: <a href=\"/books?_facet=author_id\">author_id</a>, "
            "<a href=\"/books?_facet=in_print\">in_print</a>");
    lacks(&r, "href=\"/books?author_id=eq.1\">Le Guin</a>");
    done(&r);
    r = page(&sv, "/books?_facet=author_id");
    has(&r, "<li><a href=\"/books?_facet=author_id&amp;author_id=eq.1\">Le Guin</a> 3002</li>");
    has(&r, "<li><a href=\"/books?_facet=author_id&amp;author_id=eq.2\">Tolkien</a> 3002</li>");
    has(&r, "Facets: <a href=\"/books?_facet=author_id&amp;_facet=in_print\">in_print</a>");
    done(&r);
    r = page(&sv, "/books?id=lt.10");
    lacks(&r, "Facets: ");
    has(&r, "<li><a href=\"/books?id=lt.10&amp;author_id=eq.1\">Le Guin</a> 4</li>");
    done(&r);
    stop(&sv);
}

static void test_row_page(void **state)
{
    (void)state;
    server sv;
    start_rest(&sv, NULL);
    resp r = page(&sv, "/authors/1");
    has(&r, "<dt>name</dt><dd>Le Guin</dd>");
    has(&r, "<a href=\"/books?author_id=eq.1\">2 rows of books</a> through <code>author_id</code>");
    has(&r, "<a href=\"/reviews?reviewer_id=eq.1\">1 row of reviews</a>");
    has(&r, "<a href=\"/reviews?editor_id=eq.1\">1 row of reviews</a>");
    done(&r);
    r = page(&sv, "/authors/3");
    has(&r, "<a href=\"/books?author_id=eq.3\">0 rows of books</a>");
    done(&r);
    r = page(&sv, "/books/1");
    has(&r, "<dt>author_id</dt><dd>1 <a class=\"label\" href=\"/authors/1\">Le Guin</a></dd>");
    done(&r);
    stop(&sv);
}

/* A primary key of two columns, one of them text: the key cell links with both filters, and
 * those filters give the row's page. */
static void test_composite_keys(void **state)
{
    (void)state;
    server sv;
    start_sql(&sv, "CREATE TABLE students (id INTEGER, code TEXT, name TEXT, PRIMARY KEY (id, "
                   "code));"
                   "CREATE TABLE grades (g INTEGER PRIMARY KEY, student_id INTEGER, student_code "
                   "TEXT, grade INTEGER, FOREIGN KEY (student_id, student_code) REFERENCES "
                   "students (id, code) ON DELETE CASCADE);"
                   "INSERT INTO students VALUES (1, 'a b', 'Ada'), (1, 'z', 'Zed');"
                   "INSERT INTO grades VALUES (1, 1, 'a b', 5), (2, 1, 'a b', 4), (3, 1, 'z', 3)");
    resp r = page(&sv, "/grades");
    assert_int_equal(
        count_of(r.body, "<a class=\"label\" href=\"/students?id=eq.1&amp;code=eq.a%20b\">Ada</a>"),
        2);
    done(&r);
    r = page(&sv, "/students?id=eq.1&code=eq.a%20b");
    has(&r, "<dt>name</dt><dd>Ada</dd>");
    has(&r, "2 rows of grades</a>");
    has(&r, "href=\"/grades?student_id=eq.1&amp;student_code=eq.a%20b\"");
    done(&r);
    r = page(&sv, "/students?id=eq.1&code=eq.z&_confirm=delete");
    has(&r, "1 row of <strong>grades</strong> will be deleted with it");
    done(&r);
    r = post_form(&sv, "/students?id=eq.1&code=eq.z&_format=html", "_csrf=" TOKEN "&_action=delete",
                  TOKEN);
    assert_int_equal(r.status, 303);
    done(&r);
    r = call(&sv, "GET", "/grades?select=g", NULL, NULL);
    assert_int_equal(json_array_size(r.json), 2);
    done(&r);
    stop(&sv);
}

static void test_filter_form(void **state)
{
    (void)state;
    server sv;
    start_rest(&sv, NULL);
    resp r = page(&sv, "/books?order=title");
    has(&r, "<form class=\"filters\" method=\"get\" action=\"/books\">");
    has(&r, "<input type=\"hidden\" name=\"order\" value=\"title\">");
    done(&r);
    const char *h[] = {BROWSER, NULL};
    char loc[300];
    r = call(&sv, "GET", "/books?order=title&_col=title&_op=like&_val=*Hobbit*", NULL, h);
    assert_int_equal(r.status, 303);
    assert_true(resp_header(&r, "Location", loc, sizeof loc));
    assert_string_equal(loc, "/books?order=title&title=like.*Hobbit*");
    done(&r);
    r = call(&sv, "GET", "/books?_col=author_id&_op=in&_val=1,2&_not=1&_after=2", NULL, h);
    assert_true(resp_header(&r, "Location", loc, sizeof loc));
    assert_string_equal(loc, "/books?author_id=not.in.(1,2)");
    done(&r);
    r = page(&sv, "/books?title=like.*Hobbit*");
    has(&r, "The Hobbit");
    lacks(&r, "Silmarillion");
    done(&r);
    stop(&sv);
}

static void test_errors_as_pages(void **state)
{
    (void)state;
    server sv;
    start_rest(&sv, NULL);
    const char *h[] = {BROWSER, NULL};
    struct {
        const char *path;
        long status;
        const char *says;
    } cases[] = {
        {"/nope", 404, "There is no table or view named nope."},
        {"/books?price=gt.abc", 400, "price"},
        {"/books/999", 404, "No row has this key."},
        {"/books?select=nope", 400, "nope"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        resp r = call(&sv, "GET", cases[i].path, NULL, h);
        assert_int_equal(r.status, cases[i].status);
        assert_non_null(strstr(r.body, "<section class=\"error\" role=\"alert\">"));
        if (!strstr(r.body, cases[i].says)) fail_msg("%s: %s", cases[i].path, r.body);
        valid_html(&r, cases[i].path);
        done(&r);
    }
    stop(&sv);
}

/* ---- writing --------------------------------------------------------------------------------- */

static int64_t count_rows(const server *sv, const char *path)
{
    resp r = call(sv, "GET", path, NULL, NULL);
    int64_t n = json_is_array(r.json) ? (int64_t)json_array_size(r.json) : -1;
    done(&r);
    return n;
}

static void test_forms(void **state)
{
    (void)state;
    server sv;
    start_rest(&sv, NULL);
    /* a page without the cookie sets one, and its forms repeat it */
    const char *h[] = {BROWSER, NULL};
    resp r = call(&sv, "GET", "/books", NULL, h);
    char set[200], tok[40];
    assert_true(resp_header(&r, "Set-Cookie", set, sizeof set));
    assert_non_null(strstr(set, "SameSite=Strict"));
    assert_non_null(strstr(set, "HttpOnly"));
    snprintf(tok, sizeof tok, "%.32s", set + 8);
    char field[100];
    snprintf(field, sizeof field, "name=\"_csrf\" value=\"%s\"", tok);
    assert_non_null(strstr(r.body, field));
    has(&r, "<summary>Add a row</summary>");
    has(&r, "data-pick=\"/authors?select=id,name\""); /* the key column's picker */
    done(&r);

    /* refused: the sentence next to the key's input, what was typed kept */
    r = post_form(&sv, "/books?_format=html",
                  "_csrf=" TOKEN "&_action=insert&title=Typed+%3Ctitle%3E&author_id=999&price=2",
                  TOKEN);
    assert_int_equal(r.status, 409);
    const char *input = strstr(r.body, "name=\"author_id\""),
               *error = strstr(r.body, "class=\"field-error\""),
               *next = strstr(r.body, "name=\"price\"");
    assert_true(input && error && next && input < error && error < next);
    has(&r, "author_id = 999 has no matching row in authors");
    has(&r, "value=\"Typed &lt;title&gt;\"");
    done(&r);
    assert_int_equal(count_rows(&sv, "/books"), 4);

    char loc[200];
    r = post_form(&sv, "/books?_format=html",
                  "_csrf=" TOKEN "&_action=insert&title=Lathe&author_id=1&price=&in_print=true",
                  TOKEN);
    assert_int_equal(r.status, 303);
    assert_true(resp_header(&r, "Location", loc, sizeof loc));
    assert_true(strncmp(loc, "/books/", 7) == 0); /* the new row (PostgreSQL spent a key on the
                                                     refused insert) */
    char row[40], form[60], want[80];
    snprintf(row, sizeof row, "%s", loc);
    snprintf(form, sizeof form, "%s?_format=html", loc);
    done(&r);
    r = call(&sv, "GET", row, NULL, NULL);
    assert_string_equal(str_at(r.json, "title"), "Lathe");
    assert_true(json_is_null(json_object_get(r.json, "price"))); /* left empty: its default */
    assert_true(json_is_true(json_object_get(r.json, "in_print")));
    done(&r);

    r = page(&sv, row);
    has(&r, "<summary>Edit this row</summary>");
    snprintf(want, sizeof want, "action=\"%s\"", form);
    has(&r, want);
    snprintf(want, sizeof want, "href=\"%s?_confirm=delete\"", row);
    has(&r, want);
    done(&r);
    r = post_form(
        &sv, form,
        "_csrf=" TOKEN "&_action=update&title=The+Lathe&author_id=2&price=&in_print=", TOKEN);
    assert_int_equal(r.status, 303);
    done(&r);
    r = call(&sv, "GET", row, NULL, NULL);
    assert_string_equal(str_at(r.json, "title"), "The Lathe");
    assert_int_equal(json_integer_value(json_object_get(r.json, "author_id")), 2);
    assert_true(json_is_null(json_object_get(r.json, "in_print")));
    done(&r);
    r = post_form(&sv, form, "_csrf=" TOKEN "&_action=update&price=-1", TOKEN);
    assert_int_equal(r.status, 400); /* CHECK (price >= 0) */
    has(&r, "value=\"-1\"");
    done(&r);

    /* a delete says first what goes with it */
    r = page(&sv, "/books/3?_confirm=delete");
    has(&r, "2 rows of <strong>book_tags</strong> will be deleted with it");
    has(&r, "2 rows of <strong>reviews</strong> will be deleted with it");
    done(&r);
    r = page(&sv, "/authors/2?_confirm=delete");
    has(&r, "3 rows of <strong>books</strong> still refer to it, and the delete will be refused");
    has(&r, "1 row of <strong>reviews</strong> still refers to it");
    done(&r);
    r = post_form(&sv, "/authors/2?_format=html", "_csrf=" TOKEN "&_action=delete", TOKEN);
    assert_int_equal(r.status, 409);
    has(&r, "still referenced by");
    done(&r);
    r = post_form(&sv, "/books/3?_format=html", "_csrf=" TOKEN "&_action=delete", TOKEN);
    assert_int_equal(r.status, 303);
    assert_true(resp_header(&r, "Location", loc, sizeof loc));
    assert_string_equal(loc, "/books");
    done(&r);
    assert_int_equal(count_rows(&sv, "/book_tags?book_id=eq.3"), 0);
    assert_int_equal(count_rows(&sv, "/reviews?book_id=eq.3"), 0);

    /* the guard: no cookie, another value, another site's page; nothing written */
    r = post_form(&sv, "/books/1?_format=html", "_csrf=" TOKEN "&_action=delete", NULL);
    assert_int_equal(r.status, 403);
    done(&r);
    r = post_form(&sv, "/books/1?_format=html", "_csrf=" TOKEN "&_action=delete",
                  "ffffffffffffffffffffffffffffffff");
    assert_int_equal(r.status, 403);
    done(&r);
    const char *cross[] = {"Content-Type: application/x-www-form-urlencoded",
                           "Cookie: rl_csrf=" TOKEN, "Origin: http://evil.example", NULL};
    r = call(&sv, "POST", "/books/1?_format=html", "_csrf=" TOKEN "&_action=delete", cross);
    assert_int_equal(r.status, 403);
    done(&r);
    const char *plain[] = {"Content-Type: text/plain", "Cookie: rl_csrf=" TOKEN, NULL};
    r = call(&sv, "POST", "/books/1?_format=html", "_csrf=" TOKEN "&_action=delete", plain);
    assert_true(r.status >= 400);
    done(&r);
    assert_int_equal(count_rows(&sv, "/books?id=eq.1"), 1);
    stop(&sv);
}

static void test_read_only_has_no_forms(void **state)
{
    (void)state;
    server sv;
    rl_server_options o = {.read_only = true};
    start_rest(&sv, &o);
    resp r = page(&sv, "/books");
    lacks(&r, "<form class=\"edit\"");
    done(&r);
    r = page(&sv, "/books/1");
    lacks(&r, "Edit this row");
    lacks(&r, "_confirm=delete");
    done(&r);
    r = post_form(&sv, "/books/1?_format=html", "_csrf=" TOKEN "&_action=delete", TOKEN);
    assert_int_equal(r.status, 405);
    done(&r);
    assert_int_equal(count_rows(&sv, "/books?id=eq.1"), 1);
    stop(&sv);
}

/* ---- hostile names and values ------------------------------------------------------------- */

static void test_hostile_names_and_values(void **state)
{
    (void)state;
    char name[301];
    memset(name, 'n', 300);
    name[300] = '\0';
    char sql[2048];
    snprintf(
        sql, sizeof sql,
        "CREATE TABLE \"<b>\"\"o'k&\" (id %s, \"<i>col\"\"'</i>\" TEXT, \"%s\" TEXT);"
        "CREATE TABLE kids (id %s, owner INTEGER REFERENCES \"<b>\"\"o'k&\" (id));"
        "INSERT INTO \"<b>\"\"o'k&\" (\"<i>col\"\"'</i>\", \"%s\") VALUES "
        "('<script>alert(1)</script>', 'line\none\" onmouseover=\"x');"
        "INSERT INTO kids (owner) VALUES (1)",
        on_pg() ? "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY" : "INTEGER PRIMARY KEY",
        name,
        on_pg() ? "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY" : "INTEGER PRIMARY KEY",
        name);
    server sv;
    start_sql(&sv, sql);
    const char *paths[] = {"/",
                           "/%3Cb%3E%22o%27k%26",
                           "/%3Cb%3E%22o%27k%26/1",
                           "/kids",
                           "/%3Cb%3E%22o%27k%26/1?_confirm=delete",
                           NULL};
    for (size_t i = 0; paths[i]; i++) {
        resp r = page(&sv, paths[i]);
        lacks(&r, "<script>alert");
        lacks(&r, "<b>");
        lacks(&r, "<i>");
        lacks(&r, "\" onmouseover");
        if (i == 1 || i == 2) has(&r, "&lt;script&gt;alert(1)&lt;/script&gt;");
        if (i == 3) has(&r, ">&lt;script&gt;alert(1)&lt;/script&gt;</a>"); /* the label */
        done(&r);
    }
    stop(&sv);
}

static void test_under_a_prefix(void **state)
{
    (void)state;
    server sv;
    start(&sv, NULL);
    assert_int_equal(rl_server_rest(sv.s, "api"), RL_OK);
    listen_now(&sv);
    resp r = page(&sv, "/api/books");
    has(&r, "href=\"/api/-/page.css\"");
    has(&r, "<a class=\"label\" href=\"/api/authors/1\">Le Guin</a>");
    has(&r, "<a href=\"/api/\">database</a>");
    done(&r);
    r = page(&sv, "/api/");
    has(&r, "<a href=\"/api/books\">books</a>");
    done(&r);
    stop(&sv);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest both[] = {
        cmocka_unit_test(test_negotiation),
        cmocka_unit_test(test_home_page),
        cmocka_unit_test(test_table_page),
        cmocka_unit_test(test_facets_of_a_large_table),
        cmocka_unit_test(test_statements_of_a_page),
        cmocka_unit_test(test_row_page),
        cmocka_unit_test(test_composite_keys),
        cmocka_unit_test(test_filter_form),
        cmocka_unit_test(test_errors_as_pages),
        cmocka_unit_test(test_forms),
        cmocka_unit_test(test_read_only_has_no_forms),
        cmocka_unit_test(test_hostile_names_and_values),
        cmocka_unit_test(test_under_a_prefix),
    };
    int failed = run_suite(both);
    curl_global_cleanup();
    return failed;
}

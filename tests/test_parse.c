/*
 * The parse stage of the server (src/http/parse.h), without a server: query strings and
 * headers become request values or error values as PostgREST's own spec says they do.
 *
 * The cases are ported from PostgREST's test suite (the .hs files of test/spec/Feature/Query) and
 * from the examples in its parser's documentation (src/PostgREST/ApiRequest/QueryParams.hs,
 * Preferences.hs): every block names its file and case.  Only what the query string and the
 * headers decide is here (syntax, operators, quoting, ranges, preferences, media types);
 * what needs a schema or rows belongs to the later stages.  An accepted request is checked
 * through a dump of the parsed structure (one token per field, never the text it came from);
 * an error through its status, code, message and details, PostgREST's texts to the letter.
 *
 * Last, random and mutated query strings and headers go through the parser (a fixed seed):
 * under AddressSanitizer a crash or a leak fails the test.
 */
#include "parse.h"
#include "parse_int.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* ---- requests -------------------------------------------------------------------------- */

/* The value of a request; headers: name, value, ..., NULL. */
static rlh_req *request(const char *method, const char *rel, const char *query,
                        const char *const *headers)
{
    rlh_header h[16];
    size_t n = 0;
    for (; headers && headers[2 * n] && n < 16; n++)
        h[n] = (rlh_header){headers[2 * n], headers[2 * n + 1]};
    rlh_parse_in in = {.method = method,
                       .relation = rel,
                       .query = query,
                       .query_len = query ? strlen(query) : 0,
                       .headers = h,
                       .nheaders = n};
    rlh_req *r = rlh_parse(&in);
    assert_non_null(r);
    return r;
}

static rlh_req *get(const char *query)
{
    return request("GET", "items", query, NULL);
}

/* ---- a dump of the structure ----------------------------------------------------------- */

typedef struct out {
    char text[8192];
    size_t len;
} out;

static void put(out *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(o->text + o->len, sizeof o->text - o->len, fmt, ap);
    va_end(ap);
    if (n > 0) o->len += (size_t)n;
    assert_true(o->len < sizeof o->text);
}

static void dump_col(out *o, const rlh_col *c)
{
    put(o, "%s", c->name);
    for (size_t i = 0; i < c->njson; i++)
        put(o, " %s%s%s", c->json[i].text ? "->>" : "->", c->json[i].index ? "#" : "",
            c->json[i].key);
}

static void dump_sel(out *o, const rlh_sel *s, size_t n)
{
    static const char *const aggs[] = {"", "sum", "avg", "count", "max", "min"};
    for (size_t i = 0; i < n; i++, s++) {
        if (i) put(o, " ");
        if (s->kind == RLH_SEL_COLUMN) {
            put(o, "col(");
            dump_col(o, &s->col);
            if (s->cast) put(o, " cast=%s", s->cast);
            if (s->agg) put(o, " agg=%s", aggs[s->agg]);
            if (s->agg_cast) put(o, " aggcast=%s", s->agg_cast);
        } else {
            put(o, "%s(%s", s->kind == RLH_SEL_EMBED ? "embed" : "spread", s->relation);
            if (s->hint) put(o, " hint=%s", s->hint);
            if (s->join) put(o, " %s", s->join == RLH_JOIN_INNER ? "inner" : "left");
            put(o, ":");
            if (s->nitems) put(o, " ");
            dump_sel(o, s->items, s->nitems);
        }
        if (s->alias) put(o, " alias=%s", s->alias);
        put(o, ")");
    }
}

static void dump_cond(out *o, const rlh_cond *c)
{
    static const char *const ops[] = {"eq",    "neq",   "gt",     "gte", "lt", "lte",        "like",
                                      "ilike", "match", "imatch", "in",  "is", "isdistinct", "fts",
                                      "plfts", "phfts", "wfts",   "cs",  "cd", "ov",         "sl",
                                      "sr",    "nxr",   "nxl",    "adj"};
    static const char *const is[] = {"null", "not_null", "true", "false", "unknown"};
    dump_col(o, &c->col);
    put(o, " %s%s", c->negated ? "not " : "", ops[c->op]);
    if (c->quant) put(o, "(%s)", c->quant == RLH_QUANT_ANY ? "any" : "all");
    if (c->lang) put(o, " lang=%s", c->lang);
    if (c->op == RLH_OP_IS) {
        put(o, " %s", is[c->is]);
    } else if (c->op == RLH_OP_IN) {
        put(o, " [");
        for (size_t i = 0; i < c->nlist; i++)
            put(o, "%s<%s>", i ? "," : "", c->list[i]);
        put(o, "]");
    } else {
        put(o, " <%s>", c->value);
    }
}

static void dump_path(out *o, const rlh_path *p)
{
    for (size_t i = 0; i < p->n; i++)
        put(o, "%s/", p->names[i]);
}

static void dump_logic(out *o, const rlh_logic *t)
{
    if (t->leaf) {
        dump_cond(o, &t->cond);
        return;
    }
    put(o, "%s%s(", t->negated ? "not " : "", t->any ? "or" : "and");
    for (size_t i = 0; i < t->nkids; i++) {
        if (i) put(o, ", ");
        dump_logic(o, &t->kids[i]);
    }
    put(o, ")");
}

/* The filters and or/and trees of r, in order, separated by " & ". */
static const char *filters(const rlh_req *r)
{
    static out o;
    o.len = 0;
    o.text[0] = '\0';
    for (size_t i = 0; i < r->nfilters; i++) {
        if (o.len) put(&o, " & ");
        dump_path(&o, &r->filters[i].path);
        dump_cond(&o, &r->filters[i].cond);
    }
    for (size_t i = 0; i < r->nlogic; i++) {
        if (o.len) put(&o, " & ");
        dump_path(&o, &r->logic[i].path);
        dump_logic(&o, &r->logic[i].tree);
    }
    return o.text;
}

static const char *selects(const rlh_req *r)
{
    static out o;
    o.len = 0;
    o.text[0] = '\0';
    dump_sel(&o, r->select, r->nselect);
    return o.text;
}

static const char *orders(const rlh_req *r)
{
    static out o;
    o.len = 0;
    o.text[0] = '\0';
    for (size_t i = 0; i < r->norders; i++) {
        if (i) put(&o, " & ");
        dump_path(&o, &r->orders[i].path);
        for (size_t k = 0; k < r->orders[i].nterms; k++) {
            const rlh_order_term *t = &r->orders[i].terms[k];
            if (k) put(&o, ", ");
            if (t->relation) put(&o, "%s/", t->relation);
            dump_col(&o, &t->col);
            if (t->dir) put(&o, " %s", t->dir == RLH_DIR_ASC ? "asc" : "desc");
            if (t->nulls) put(&o, " %s", t->nulls == RLH_NULLS_FIRST ? "nullsfirst" : "nullslast");
        }
    }
    return o.text;
}

/* ---- accepted syntax: select= ---------------------------------------------------------- */

typedef struct parsed_case {
    const char *query, *expect;
} parsed_case;

static void check_selects(const parsed_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        rlh_req *r = get(cases[i].query);
        if (r->error) fail_msg("%s: %s %s", cases[i].query, r->error->message, r->error->details);
        if (strcmp(selects(r), cases[i].expect) != 0)
            fail_msg("%s\n  got:    %s\n  wanted: %s", cases[i].query, selects(r), cases[i].expect);
        rlh_req_free(r);
    }
}

static void check_filters(const parsed_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        rlh_req *r = get(cases[i].query);
        if (r->error) fail_msg("%s: %s %s", cases[i].query, r->error->message, r->error->details);
        if (strcmp(filters(r), cases[i].expect) != 0)
            fail_msg("%s\n  got:    %s\n  wanted: %s", cases[i].query, filters(r), cases[i].expect);
        rlh_req_free(r);
    }
}

static void check_orders(const parsed_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        rlh_req *r = get(cases[i].query);
        if (r->error) fail_msg("%s: %s %s", cases[i].query, r->error->message, r->error->details);
        if (strcmp(orders(r), cases[i].expect) != 0)
            fail_msg("%s\n  got:    %s\n  wanted: %s", cases[i].query, orders(r), cases[i].expect);
        rlh_req_free(r);
    }
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- errors ---------------------------------------------------------------------------- */

typedef struct error_case {
    const char *method, *query;
    const char *headers[7];
    int status;
    const char *code, *message, *details; /* details NULL: not checked */
} error_case;

static void check_errors(const error_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const error_case *c = &cases[i];
        rlh_req *r = request(c->method ? c->method : "GET", "items", c->query, c->headers);
        if (!r->error) fail_msg("%s: no error", c->query);
        if (r->error->status != c->status || strcmp(r->error->code, c->code) != 0 ||
            (c->message && strcmp(r->error->message, c->message) != 0) ||
            (c->details && (!r->error->details || strcmp(r->error->details, c->details) != 0)))
            fail_msg("%s\n  got:    %d %s %s | %s\n  wanted: %d %s %s | %s", c->query,
                     r->error->status, r->error->code, r->error->message,
                     r->error->details ? r->error->details : "(null)", c->status, c->code,
                     c->message ? c->message : "", c->details ? c->details : "");
        assert_non_null(r->error->sentence);
        /* an error value carries nothing else */
        assert_int_equal(r->nfilters + r->nselect + r->norders + r->nlogic, 0);
        rlh_req_free(r);
    }
}

/* ---- select= --------------------------------------------------------------------------- */

static void test_select(void **state)
{
    (void)state;
    static const parsed_case cases[] = {
        /* QuerySpec.hs, "Shaping response with select parameter" */
        /* selectStar works in absense of parameter */
        {"", "col(*)"},
        /* dash `-` in column names is accepted */
        {"id=eq.3&select=id,field-with_sep", "col(id) col(field-with_sep)"},
        /* one simple column */
        {"select=id", "col(id)"},
        /* rename simple column */
        {"id=eq.1&select=myId:id", "col(id alias=myId)"},
        /* one simple column with casting (text) */
        {"select=id::text", "col(id cast=text)"},
        /* rename simple column with casting */
        {"id=eq.1&select=myId:id::text", "col(id cast=text alias=myId)"},
        /* fails on bad casting: the database says so */
        {"select=id::fakecolumntype", "col(id cast=fakecolumntype)"},
        /* can cast types with underscore and numbers */
        {"select=id,oid_col::int,oid_array_col::_int4",
         "col(id) col(oid_col cast=int) col(oid_array_col cast=_int4)"},
        /* requesting parents and children */
        {"id=eq.1&select=id, name, clients(*), tasks(id, name)",
         "col(id) col(name) embed(clients: col(*)) embed(tasks: col(id) col(name))"},
        /* requesting parent and renaming primary key */
        {"select=name,client:clients(clientId:id,name)",
         "col(name) embed(clients: col(id alias=clientId) col(name) alias=client)"},
        /* ... renaming one key of the composite primary key */
        {"select=*,users_tasks(userId:user_id)",
         "col(*) embed(users_tasks: col(user_id alias=userId))"},
        /* requesting parents and children while renaming them */
        {"id=eq.1&select=myId:id, name, project_client:clients(*), project_tasks:tasks(id, name)",
         "col(id alias=myId) col(name) embed(clients: col(*) alias=project_client) "
         "embed(tasks: col(id) col(name) alias=project_tasks)"},
        /* requesting children 2 levels */
        {"select=id,projects(id,tasks(id))",
         "col(id) embed(projects: col(id) embed(tasks: col(id)))"},
        /* many<->many using hint */
        {"select=user_id,files!touched_files(filename,content)&files.order=filename",
         "col(user_id) embed(files hint=touched_files: col(filename) col(content))"},
        /* works when using column as target */
        {"select=name,country_id(name)", "col(name) embed(country_id: col(name))"},
        {"select=name,capital_country_id_fkey(name)",
         "col(name) embed(capital_country_id_fkey: col(name))"},
        /* works when using column as hint */
        {"select=name,capital!id(name)", "col(name) embed(capital hint=id: col(name))"},
        {"select=name,country!country_id(name)",
         "col(name) embed(country hint=country_id: col(name))"},
        /* view embedding: can request two parents */
        {"select=createdAt,article:articles(id),user:users(name)&limit=1",
         "col(createdAt) embed(articles: col(id) alias=article) embed(users: col(name) "
         "alias=user)"},
        {"id=eq.1&select=id,articleStars(users(*))",
         "col(id) embed(articleStars: embed(users: col(*)))"},
        /* QuerySpec.hs, "aliased embeds" */
        {"select=id,zones:zone(id,name),stores:zone(id,name)&zones.zone_type_id=eq.2&stores.zone_"
         "type_id=eq.3",
         "col(id) embed(zone: col(id) col(name) alias=zones) embed(zone: col(id) col(name) "
         "alias=stores)"},
        {"select=id,children:child_entities(id,gChildren:grandchild_entities(id))",
         "col(id) embed(child_entities: col(id) embed(grandchild_entities: col(id) "
         "alias=gChildren) "
         "alias=children)"},
        /* QuerySpec.hs, "weird requests" */
        {"select=Just%20A%20Server%20Model&Just%20A%20Server%20Model=like.*91*",
         "col(Just A Server Model)"},
        {"select=%22:arr-%3Eow::cast%22,%22(inside,parens)%22,%22a.dotted.column%22,"
         "%22%20%20col%20%20w%20%20space%20%20%22&%22*id*%22=eq.1",
         "col(:arr->ow::cast) col((inside,parens)) col(a.dotted.column) col(  col  w  space  )"},
        {"select=a$num$&a$num$=eq.100", "col(a$num$)"},
        {"select=ghostBusters(*)", "embed(ghostBusters: col(*))"},
        /* QuerySpec.hs, "Querying a table with a column called t" */
        {"select=t", "col(t)"},
        /* QuerySpec.hs, "empty embed" */
        {"select=id,name,clients()", "col(id) col(name) embed(clients:)"},
        {"select=id,name,clients!inner()&clients.id=eq.2",
         "col(id) col(name) embed(clients inner:)"},
        {"select=*,tasks!inner()&tasks.id=eq.3", "col(*) embed(tasks inner:)"},
        {"select=*,users_tasks(tasks(projects()))",
         "col(*) embed(users_tasks: embed(tasks: embed(projects:)))"},
        {"select=*,users_tasks!inner(tasks!inner(projects()))&users_tasks.tasks.id=eq.3",
         "col(*) embed(users_tasks inner: embed(tasks inner: embed(projects:)))"},
        {"select=*,tasks!inner(projects(clients()),users_tasks(),name)&tasks.id=eq.3",
         "col(*) embed(tasks inner: embed(projects: embed(clients:)) embed(users_tasks:) "
         "col(name))"},
        /* QuerySpec.hs, "empty root select": gives all columns (the plan stage reads none as all)
         */
        {"select=", ""},
        /* QuerySpec.hs, "Data representations": formats star and explicit mix, through join */
        {"select=due_at,*&id=lt.4", "col(due_at) col(*)"},
        {"select=id,name,first_item:datarep_todos!datarep_next_two_todos_first_item_id_fkey(label_"
         "color,due_at)&order=id",
         "col(id) col(name) embed(datarep_todos hint=datarep_next_two_todos_first_item_id_fkey: "
         "col(label_color) col(due_at) alias=first_item)"},
        /* QueryParams.hs, pFieldForest, pFieldName, pFieldSelect, pRelationSelect,
         * pSpreadRelationSelect, pJsonPath (the parser's documented examples) */
        {"select=name,location", "col(name) col(location)"},
        {"select=client(id)", "embed(client: col(id))"},
        {"select=*,client(*,nested(*))", "col(*) embed(client: col(*) embed(nested: col(*)))"},
        {"select=*,...client(*),other(*)", "col(*) spread(client: col(*)) embed(other: col(*))"},
        {"select=identifier with spaces,identifier-with-dashes,123,_,$",
         "col(identifier with spaces) col(identifier-with-dashes) col(123) col(_) col($)"},
        {"select=%22:%22, no leading or trailing spaces ,%22 leading and trailing spaces %22",
         "col(:) col(no leading or trailing spaces) col( leading and trailing spaces )"},
        {"select=name->jsonpath", "col(name ->jsonpath)"},
        {"select=name::cast", "col(name cast=cast)"},
        {"select=alias:name", "col(name alias=alias)"},
        {"select=alias:name->jsonpath::cast", "col(name ->jsonpath cast=cast alias=alias)"},
        {"select=alias:name->!@#$%25^%26*_a::cast", "col(name ->!@#$%^&*_a cast=cast alias=alias)"},
        {"select=*", "col(*)"},
        {"select=data->text,data->1,data->>text,data->>1,data->0,other",
         "col(data ->text) col(data ->#1) col(data ->>text) col(data ->>#1) col(data ->#0) "
         "col(other)"},
        {"select=rel(*)", "embed(rel: col(*))"},
        {"select=alias:rel(*)", "embed(rel: col(*) alias=alias)"},
        {"select=rel!hint(*)", "embed(rel hint=hint: col(*))"},
        {"select=rel!inner(*)", "embed(rel inner: col(*))"},
        {"select=rel!hint!inner(*)", "embed(rel hint=hint inner: col(*))"},
        {"select=alias:rel!inner!hint(*)", "embed(rel hint=hint inner: col(*) alias=alias)"},
        {"select=rel!left(*)", "embed(rel left: col(*))"},
        {"select=...rel(*)", "spread(rel: col(*))"},
        {"select=...rel!hint!inner(*)", "spread(rel hint=hint inner: col(*))"},
        /* QueryParams.hs, pFieldSelect: aggregates as PostgREST 12 has them */
        {"select=count()", "col(* agg=count)"},
        {"select=total:count()::int", "col(* agg=count aggcast=int alias=total)"},
        {"select=price.sum(),price.avg(),id.count(),price.max(),price.min()",
         "col(price agg=sum) col(price agg=avg) col(id agg=count) col(price agg=max) col(price "
         "agg=min)"},
        {"select=total:price::numeric.sum()::text,authors(name,books(count()))",
         "col(price cast=numeric agg=sum aggcast=text alias=total) "
         "embed(authors: col(name) embed(books: col(* agg=count)))"},
        /* QueryParams.hs, pFieldSelect "*!hint": a first item that is no item leaves an empty
         * list, and the text after it is not read (PostgREST's select= stops there too) */
        {"select=*!hint", ""},
        /* QueryParams.hs: the parser stops after a complete list: "select=id)" is "id" */
        {"select=id)", "col(id)"},
        /* JsonOperatorSpec.hs, "accepts non reserved special characters in the key's name" */
        {"id=eq.10&select=data->!@#$%^%26*_d->>!@#$%^%26*_e::integer",
         "col(data ->!@#$%^&*_d ->>!@#$%^&*_e cast=integer)"},
    };
    check_selects(cases, N(cases));
}

/* ---- filters --------------------------------------------------------------------------- */

static void test_filters(void **state)
{
    (void)state;
    static const parsed_case cases[] = {
        /* QuerySpec.hs, "Filtering response" */
        /* matches with equality */
        {"id=eq.5", "id eq <5>"},
        /* ... using not operator */
        {"id=not.eq.5&order=id", "id not eq <5>"},
        {"k=like.*yx&extra=not.eq.u", "k like <*yx> & extra not eq <u>"},
        /* matches with inequality using not */
        {"id=not.lt.14&order=id.asc", "id not lt <14>"},
        {"id=not.gt.2&order=id.asc", "id not gt <2>"},
        /* matches items IN */
        {"id=in.(1,3,5)", "id in [<1>,<3>,<5>]"},
        /* matches items NOT IN */
        {"id=not.in.(2,4,6,7,8,9,10,11,12,13,14,15)",
         "id not in [<2>,<4>,<6>,<7>,<8>,<9>,<10>,<11>,<12>,<13>,<14>,<15>]"},
        /* matches nulls using not operator */
        {"a=not.is.null", "a not is null"},
        /* matches not_null using is operator */
        {"a=is.not_null", "a is not_null"},
        {"a=is.null", "a is null"},
        /* not.is.not_null is equivalent to is.null */
        {"a=not.is.not_null", "a not is not_null"},
        /* matches with trilean values */
        {"done=is.true", "done is true"},
        {"done=is.false", "done is false"},
        {"done=is.unknown", "done is unknown"},
        /* ... in upper or mixed case */
        {"done=is.NULL", "done is null"},
        {"done=is.NoT_NuLl", "done is not_null"},
        {"done=is.TRUE", "done is true"},
        {"done=is.FAlSe", "done is false"},
        {"done=is.UnKnOwN", "done is unknown"},
        /* matches with like */
        {"k=like.xy*", "k like <xy*>"},
        {"k=like.*YY*", "k like <*YY*>"},
        {"k=not.like.*yx", "k not like <*yx>"},
        /* matches with ilike */
        {"k=ilike.xy*&order=extra.asc", "k ilike <xy*>"},
        {"k=not.ilike.xy*&order=extra.asc", "k not ilike <xy*>"},
        /* matches with ~ */
        {"k=match.yx$", "k match <yx$>"},
        {"k=match.^xy", "k match <^xy>"},
        {"k=not.match.yx$", "k not match <yx$>"},
        /* matches with ~* */
        {"k=imatch.^xy&order=extra.asc", "k imatch <^xy>"},
        {"k=imatch..*YY.*&order=extra.asc", "k imatch <.*YY.*>"},
        {"k=not.imatch.^xy&order=extra.asc", "k not imatch <^xy>"},
        /* QuerySpec.hs, "Full text search operator" */
        {"text_search_vector=fts.impossible", "text_search_vector fts <impossible>"},
        {"text_search_vector=fts.fun%26possible", "text_search_vector fts <fun&possible>"},
        {"text_search_vector=fts.impossible%7Cpossible",
         "text_search_vector fts <impossible|possible>"},
        {"text_search_vector=fts.fun%26!possible", "text_search_vector fts <fun&!possible>"},
        {"text_search_vector=plfts.The%20Fat%20Rats", "text_search_vector plfts <The Fat Rats>"},
        {"text_search_vector=wfts.fun%20and%20-possible",
         "text_search_vector wfts <fun and -possible>"},
        {"text_search_vector=fts(french).amusant", "text_search_vector fts lang=french <amusant>"},
        {"text_search_vector=plfts(french).amusant%20impossible",
         "text_search_vector plfts lang=french <amusant impossible>"},
        {"text_search_vector=wfts(french).amusant%20impossible",
         "text_search_vector wfts lang=french <amusant impossible>"},
        {"text_search_vector=not.fts(english).impossible%7Cfat%7Cfun",
         "text_search_vector not fts lang=english <impossible|fat|fun>"},
        {"text_search_vector=not.wfts(english).impossible%20or%20fat%20or%20fun",
         "text_search_vector not wfts lang=english <impossible or fat or fun>"},
        {"text_search_vector=phfts.The%20Fat%20Cats", "text_search_vector phfts <The Fat Cats>"},
        {"text_search_vector=phfts(german).Art%20Spass",
         "text_search_vector phfts lang=german <Art Spass>"},
        {"text_search_vector=not.phfts(english).The%20Fat%20Cats",
         "text_search_vector not phfts lang=english <The Fat Cats>"},
        {"or=(text_search_vector.phfts(german).Art%20Spass, "
         "text_search_vector.phfts(french).amusant, "
         "text_search_vector.fts(english).impossible)",
         "or(text_search_vector phfts lang=german <Art Spass>, text_search_vector phfts "
         "lang=french "
         "<amusant>, text_search_vector fts lang=english <impossible>)"},
        {"select=text_search_vector&text_search_vector=fts(simple).of",
         "text_search_vector fts lang=simple <of>"},
        /* QuerySpec.hs, "matches filtering nested items", cs, cd, IS DISTINCT FROM */
        {"select=id,projects(id,tasks(id,name))&projects.tasks.name=like.Design*",
         "projects/tasks/name like <Design*>"},
        {"select=id&arr_data=cs.{2}", "arr_data cs <{2}>"},
        {"select=id&arr_data=cd.{1,2,4}", "arr_data cd <{1,2,4}>"},
        {"select=a&a=isdistinct.2", "a isdistinct <2>"},
        {"select=a&a=not.isdistinct.2", "a not isdistinct <2>"},
        /* matches with computed column */
        {"always_true=eq.true&order=id.asc", "always_true eq <true>"},
        /* QuerySpec.hs, "values with quotes in IN and NOT IN" */
        {"name=in.(\"Hebdon, John\")", "name in [<Hebdon, John>]"},
        {"name=in.(\"Hebdon, John\",\"Williams, Mary\",\"Smith, Joseph\")",
         "name in [<Hebdon, John>,<Williams, Mary>,<Smith, Joseph>]"},
        {"name=not.in.(\"Hebdon, John\",\"Williams, Mary\",\"Smith, Joseph\")&limit=3",
         "name not in [<Hebdon, John>,<Williams, Mary>,<Smith, Joseph>]"},
        {"name=in.(David White,\"Hebdon, John\")", "name in [<David White>,<Hebdon, John>]"},
        {"name=not.in.(\"Hebdon, John\",Larry Thompson,\"Smith, Joseph\")&limit=3",
         "name not in [<Hebdon, John>,<Larry Thompson>,<Smith, Joseph>]"},
        {"name=in.(\"Double O Seven(007)\")", "name in [<Double O Seven(007)>]"},
        {"name=in.(\"Double\\\"Quote\\\"McGraw\\\"\")", "name in [<Double\"Quote\"McGraw\">]"},
        /* accepts escaped backslashes */
        {"name=in.(\"\\\\\")", "name in [<\\>]"},
        {"name=in.(\"/\\\\Slash/\\\\Beast/\\\\\")", "name in [</\\Slash/\\Beast/\\>]"},
        /* any escaped char as itself */
        {"name=in.(\"D\\a\\vid W\\h\\ite\")", "name in [<David White>]"},
        /* QuerySpec.hs, "IN values without quotes" */
        {"name=in.(\")", "name in [<\">]"},
        {"name=in.(Double\"Quote\"McGraw\")", "name in [<Double\"Quote\"McGraw\">]"},
        {"name=in.(\\)", "name in [<\\>]"},
        {"name=in.(/\\Slash/\\Beast/\\)", "name in [</\\Slash/\\Beast/\\>]"},
        /* QuerySpec.hs, "IN and NOT IN empty set" */
        {"int_data=in.()", "int_data in []"},
        {"int_data=not.in.()&select=int_data", "int_data not in []"},
        {"int_data=in.(    )", "int_data in []"},
        /* the database refuses the empty one */
        {"int_data=in.( ,3,4)", "int_data in [<>,<3>,<4>]"},
        /* QuerySpec.hs, "any/all quantifiers" */
        {"id=eq(any).{3,4,5}", "id eq(any) <{3,4,5}>"},
        {"id=gt(all).{4,3}", "id gt(all) <{4,3}>"},
        {"id=gte(all).{4,3}", "id gte(all) <{4,3}>"},
        {"id=lt(all).{4,3}", "id lt(all) <{4,3}>"},
        {"id=lte(all).{4,3}", "id lte(all) <{4,3}>"},
        {"body=like(any).{%plan%,%brain%}&select=id", "body like(any) <{%plan%,%brain%}>"},
        {"body=ilike(all).{%plan%,%greatness%}&select=id",
         "body ilike(all) <{%plan%,%greatness%}>"},
        {"body=match(any).{stop,thing}&select=id", "body match(any) <{stop,thing}>"},
        {"body=imatch(any).{stop,thing}&select=id", "body imatch(any) <{stop,thing}>"},
        /* QuerySpec.hs, "Data representations", "searching for an empty string", ltree */
        {"select=id,due_at&label_color=in.(000100,01E240)", "label_color in [<000100>,<01E240>]"},
        {"select=id,due_at&label_color=not.in.(000000,01E240)",
         "label_color not in [<000000>,<01E240>]"},
        {"datarep_todos.label_color=neq.000100&order=id", "datarep_todos/label_color neq <000100>"},
        {"select=id,name&label_color=ilike.#*100", "label_color ilike <#*100>"},
        {"string=eq.&select=id,string", "string eq <>"},
        {"path=cd.Top.Science.Astronomy", "path cd <Top.Science.Astronomy>"},
        {"Just%20A%20Server%20Model=like.*91*", "Just A Server Model like <*91*>"},
        {"%22*id*%22=eq.1", "*id* eq <1>"},
        /* QuerySpec.hs, specLegacyTargetNames: '+' in a query string is a space */
        {"visits.visit_type=neq.work&visits.start_time=gt.20250101+00:00",
         "visits/visit_type neq <work> & visits/start_time gt <20250101 00:00>"},
        /* QueryParams.hs, parse and pRequestFilter */
        {"a.b=eq.0", "a/b eq <0>"},
        {"id=eq(any).value", "id eq(any) <value>"},
        {"id=eq(all).value", "id eq(all) <value>"},
        {"id=not.eq(all).value", "id not eq(all) <value>"},
        /* QueryParams.hs: is.null followed by more text is is.null */
        {"a=is.nullx", "a is null"},
        /* JsonOperatorSpec.hs: JSON paths in filters */
        {"select=data&data->-1->>b=eq.B", "data ->#-1 ->>b eq <B>"},
        {"select=data&data->-1->b->>-1=eq.5", "data ->#-1 ->b ->>#-1 eq <5>"},
        /* AndOrParamsSpec.hs, "or param", "embedded levels", "and/or params combined" */
        {"or=(id.eq.1,id.eq.2)&select=id", "or(id eq <1>, id eq <2>)"},
        {"not.or=(id.eq.1,id.eq.2)&select=id", "not or(id eq <1>, id eq <2>)"},
        {"or=(id.eq.1,id.eq.2)&name=eq.entity 1&select=id",
         "name eq <entity 1> & or(id eq <1>, id eq <2>)"},
        {"child_entities.or=(id.eq.1,name.eq.child entity 2)&select=id,child_entities(id)",
         "child_entities/or(id eq <1>, name eq <child entity 2>)"},
        {"child_entities.grandchild_entities.or=(id.eq.1,id.eq.2)",
         "child_entities/grandchild_entities/or(id eq <1>, id eq <2>)"},
        {"or=(and(name.eq.entity 2,id.eq.2),and(name.eq.entity 1,id.eq.1))&select=id",
         "or(and(name eq <entity 2>, id eq <2>), and(name eq <entity 1>, id eq <1>))"},
        {"or=(not.and(name.eq.entity 2,id.eq.2),not.and(name.eq.entity 1,id.eq.1))&select=id",
         "or(not and(name eq <entity 2>, id eq <2>), not and(name eq <entity 1>, id eq <1>))"},
        {"and=(id.eq.1,name.eq.entity 1)&or=(id.eq.1,id.eq.2)&select=id",
         "and(id eq <1>, name eq <entity 1>) & or(id eq <1>, id eq <2>)"},
        /* AndOrParamsSpec.hs, "operators inside and/or" (a ')' after the tree is not read) */
        {"and=(id.eq.1,id.neq.2))&select=id", "and(id eq <1>, id neq <2>)"},
        {"or=(id.lt.2,id.gt.3)", "or(id lt <2>, id gt <3>)"},
        {"or=(id.lte.2,id.gte.3)", "or(id lte <2>, id gte <3>)"},
        {"or=(name.like.*1,name.ilike.*ENTITY 2)", "or(name like <*1>, name ilike <*ENTITY 2>)"},
        {"or=(id.in.(1,2),id.in.(3,4))", "or(id in [<1>,<2>], id in [<3>,<4>])"},
        {"and=(name.is.null,arr.is.null)", "and(name is null, arr is null)"},
        {"or=(text_search_vector.fts.bar,text_search_vector.fts.baz)",
         "or(text_search_vector fts <bar>, text_search_vector fts <baz>)"},
        {"and=(text_search.not.plfts(german).Art%20Spass, "
         "text_search.not.plfts(french).amusant%20impossible, "
         "text_search.not.fts(english).impossible)&select=text_search",
         "and(text_search not plfts lang=german <Art Spass>, text_search not plfts lang=french "
         "<amusant impossible>, text_search not fts lang=english <impossible>)"},
        {"and=(id.gte.2,arr.isdistinct.{1,2})", "and(id gte <2>, arr isdistinct <{1,2}>)"},
        {"or=(text_search_vector.plfts(german).Art,text_search_vector.plfts(french).amusant,"
         "text_search_vector.not.wfts(english).impossible)",
         "or(text_search_vector plfts lang=german <Art>, text_search_vector plfts lang=french "
         "<amusant>, text_search_vector not wfts lang=english <impossible>)"},
        {"or=(arr.cs.{1,2,3},arr.cd.{1})", "or(arr cs <{1,2,3}>, arr cd <{1}>)"},
        /* can handle range operators */
        {"range=eq.[1,3]", "range eq <[1,3]>"},
        {"range=neq.[1,3]", "range neq <[1,3]>"},
        {"range=cs.[1,2]", "range cs <[1,2]>"},
        {"range=ov.[0,4]", "range ov <[0,4]>"},
        {"range=sl.[9,10]", "range sl <[9,10]>"},
        {"range=sr.[3,4]", "range sr <[3,4]>"},
        {"range=nxr.[4,7]", "range nxr <[4,7]>"},
        {"range=nxl.[4,7]", "range nxl <[4,7]>"},
        {"range=adj.(3,10]", "range adj <(3,10]>"},
        {"range=isdistinct.[1,3]", "range isdistinct <[1,3]>"},
        /* can handle array operators */
        {"arr=lt.{2,0}", "arr lt <{2,0}>"},
        {"arr=ov.{2,3}", "arr ov <{2,3}>"},
        {"arr=isdistinct.{1,2}", "arr isdistinct <{1,2}>"},
        /* AndOrParamsSpec.hs, "operators with not" */
        {"and=(arr.not.cs.{1,2,3},and(id.not.eq.2,name.not.like.*3))",
         "and(arr not cs <{1,2,3}>, and(id not eq <2>, name not like <*3>))"},
        {"and=(id.not.in.(1,3),and(name.not.is.null,text_search_vector.not.fts.foo))",
         "and(id not in [<1>,<3>], and(name not is null, text_search_vector not fts <foo>))"},
        {"and=(arr.not.cd.{1},or(id.not.lt.1,id.not.gte.3))",
         "and(arr not cd <{1}>, or(id not lt <1>, id not gte <3>))"},
        {"and=(name.not.ilike.*ITY2,or(id.not.gt.4,id.not.lte.1))",
         "and(name not ilike <*ITY2>, or(id not gt <4>, id not lte <1>))"},
        {"and=(id.not.eq.2,arr.not.isdistinct.{1,2,3})",
         "and(id not eq <2>, arr not isdistinct <{1,2,3}>)"},
        /* AndOrParamsSpec.hs, "and/or params with quotes" */
        {"or=(name.eq.\"(grandchild,entity,4)\",name.eq.\"(grandchild,entity,5)\")",
         "or(name eq <(grandchild,entity,4)>, name eq <(grandchild,entity,5)>)"},
        {"or=(name.like.\"*ity,4*\",name.ilike.\"*ITY,5)\")",
         "or(name like <*ity,4*>, name ilike <*ITY,5)>)"},
        {"or=(id.in.(\"1\",\"2\"),id.in.(\"3\",\"4\"))", "or(id in [<1>,<2>], id in [<3>,<4>])"},
        /* AndOrParamsSpec.hs, "allows whitespace" (a value keeps the spaces after it) */
        {"and=( and ( id.in.( 1, 2, 3 ) , id.eq.3 ) , or ( id.eq.2 , id.eq.3 ) )&select=id",
         "and(and(id in [<1>,< 2>,< 3 >], id eq <3 >), or(id eq <2 >, id eq <3 >))"},
        /* AndOrParamsSpec.hs, "multiple and/or conditions" */
        {"or=(id.eq.1)&select=id", "or(id eq <1>)"},
        {"and=(id.eq.1)&select=id", "and(id eq <1>)"},
        {"or=(id.eq.1, id.eq.2, id.eq.3)", "or(id eq <1>, id eq <2>, id eq <3>)"},
        {"or=( id.eq.1, id.eq.2, and(id.in.(1,3), id.in.(2,3)), id.eq.4 )",
         "or(id eq <1>, id eq <2>, and(id in [<1>,<3>], id in [<2>,<3>]), id eq <4 >)"},
        {"and=( id.eq.1, not.or(id.eq.2, id.eq.3), id.in.(1,4), or(id.eq.1, id.eq.4) )",
         "and(id eq <1>, not or(id eq <2>, id eq <3>), id in [<1>,<4>], or(id eq <1>, id eq <4>))"},
        /* AndOrParamsSpec.hs, "can query columns that begin with and/or reserved words" */
        {"or=(and_starting_col.eq.smth, or_starting_col.eq.smth)",
         "or(and_starting_col eq <smth>, or_starting_col eq <smth>)"},
        /* QuerySpec.hs, "aliased embeds": "works with two aliased children embeds plus and/or" */
        {"select=id,children:child_entities(id,gChildren:grandchild_entities(id))&children.and=(id."
         "in.(1,2,3))"
         "&children.gChildren.or=(id.eq.1,id.eq.2)",
         "children/and(id in [<1>,<2>,<3>]) & children/gChildren/or(id eq <1>, id eq <2>)"},
    };
    check_filters(cases, N(cases));
}

/* ---- order= ---------------------------------------------------------------------------- */

static void test_order(void **state)
{
    (void)state;
    static const parsed_case cases[] = {
        /* QuerySpec.hs, "ordering response" */
        {"id=lte.2&order=id.asc", "id asc"},
        {"id=lte.2&order=id.desc", "id desc"},
        {"order=a.nullsfirst", "a nullsfirst"},
        {"order=a.asc.nullslast", "a asc nullslast"},
        {"order=a.desc.nullsfirst", "a desc nullsfirst"},
        {"order=a.desc.nullslast", "a desc nullslast"},
        {"select=client_id,id,name&order=client_id.desc.nullslast,id.desc",
         "client_id desc nullslast, id desc"},
        {"id=lte.2&order=id", "id"},
        {"order=anti_id.desc", "anti_id desc"},
        {"id=eq.1&select=id, name, tasks(id, name)&tasks.order=name.asc", "tasks/name asc"},
        {"id=eq.1&select=id, name, the_tasks:tasks(id, name)&the_tasks.order=name.asc",
         "the_tasks/name asc"},
        {"select=id, name, tasks(id, name, users(id, "
         "name))&tasks.order=name.asc&tasks.users.order=name.desc",
         "tasks/name asc & tasks/users/name desc"},
        /* RangeSpec.hs, "works alongside order by with nulls order" */
        {"select=id,projects(id,tasks(id))&order=id.asc.nullslast&limit=1&projects.order=id.asc."
         "nullsfirst",
         "id asc nullslast & projects/id asc nullsfirst"},
        /* JsonOperatorSpec.hs: a JSON path in order= */
        {"select=val->r&order=val->>i.desc", "val ->>i desc"},
        /* QueryParams.hs, pOrder */
        {"order=name.desc.nullsfirst", "name desc nullsfirst"},
        {"order=json_col->key.asc.nullslast", "json_col ->key asc nullslast"},
        {"order=json_col->!@#$%25^%26*_a.asc.nullslast", "json_col ->!@#$%^&*_a asc nullslast"},
        {"order=clients(json_col->key).desc.nullsfirst", "clients/json_col ->key desc nullsfirst"},
        {"order=name,clients(name),id", "name, clients/name, id"},
        {"order= name , id.desc", "name, id desc"},
    };
    check_orders(cases, N(cases));
}

/* ---- errors in the query string -------------------------------------------------------- */

static void test_syntax_errors(void **state)
{
    (void)state;
    static const error_case cases[] = {
        /* QuerySpec.hs, "weird requests": "fails if an operator is not given" */
        {NULL,
         "id=0",
         {NULL},
         400,
         "PGRST100",
         "\"failed to parse filter (0)\" (line 1, column 1)",
         "unexpected \"0\" expecting \"not\" or operator (eq, gt, ...)"},
        /* QuerySpec.hs, "ordering response": "gives meaningful error message on bad syntax" */
        {NULL,
         "order=id.asc.nullslasttt",
         {NULL},
         400,
         "PGRST100",
         "\"failed to parse order (id.asc.nullslasttt)\" (line 1, column 17)",
         "unexpected 't' expecting \",\" or end of input"},
        /* QuerySpec.hs, "fails if 'is' used and there's no null or trilean value" */
        {NULL, "done=is.nil", {NULL}, 400, "PGRST100", NULL, NULL},
        {NULL, "done=is.ok", {NULL}, 400, "PGRST100", NULL, NULL},
        /* AndOrParamsSpec.hs, "cannot have zero conditions" */
        {NULL,
         "or=()",
         {NULL},
         400,
         "PGRST100",
         "\"failed to parse logic tree (())\" (line 1, column 4)",
         "unexpected \")\" expecting field name (* or [a..z0..9_$]), negation operator (not) or "
         "logic operator (and, or)"},
        /* JsonOperatorSpec.hs, "fails when there is a reserved special character in the key's name"
         */
        {NULL,
         "id=eq.10&select=data->(!@#$%^%26*_d->>!@#$%^%26*_e::integer",
         {NULL},
         400,
         "PGRST100",
         "\"failed to parse select parameter (data->(!@#$%^&*_d->>!@#$%^&*_e::integer)\" (line 1, "
         "column 7)",
         "unexpected \"(\" expecting \"-\", digit or any non reserved character different from: "
         ".,>()"},
        /* JsonOperatorSpec.hs, "gives a meaningful error on bad syntax" */
        {NULL,
         "select=data->>--34",
         {NULL},
         400,
         "PGRST100",
         "\"failed to parse select parameter (data->>--34)\" (line 1, column 9)",
         "unexpected \"-\" expecting digit"},
        /* InsertSpec.hs, "disallows blank ?columns" */
        {"POST",
         "columns=",
         {NULL},
         400,
         "PGRST100",
         "\"failed to parse columns parameter ()\" (line 1, column 1)",
         "unexpected end of input expecting field name (* or [a..z0..9_$])"},
        /* QueryParams.hs, parse: an operator that does not exist */
        {NULL,
         "a.b=noop.0",
         {NULL},
         400,
         "PGRST100",
         "\"failed to parse filter (noop.0)\" (line 1, column 1)",
         "unexpected \"o\" expecting \"not\" or operator (eq, gt, ...)"},
        /* QueryParams.hs, pRequestFilter */
        {NULL,
         "id=val",
         {NULL},
         400,
         "PGRST100",
         "\"failed to parse filter (val)\" (line 1, column 1)",
         "unexpected \"v\" expecting \"not\" or operator (eq, gt, ...)"},
        /* QueryParams.hs, pFieldForest, pFieldSelect */
        {NULL,
         "select=id,clients(name[])",
         {NULL},
         400,
         "PGRST100",
         "\"failed to parse select parameter (id,clients(name[]))\" (line 1, column 16)",
         "unexpected '[' expecting letter, digit, \"-\", \"->>\", \"->\", \"::\", \".\", \")\", "
         "\",\" or end of input"},
        {NULL,
         "select=data->>-78xy",
         {NULL},
         400,
         "PGRST100",
         "\"failed to parse select parameter (data->>-78xy)\" (line 1, column 11)",
         "unexpected 'x' expecting digit, \"->\", \"::\", \".\", \",\" or end of input"},
        {NULL,
         "select=name!hint",
         {NULL},
         400,
         "PGRST100",
         "\"failed to parse select parameter (name!hint)\" (line 1, column 5)",
         "unexpected '!' expecting letter, digit, \"-\", \"->>\", \"->\", \"::\", \".\", \")\", "
         "\",\" or end of input"},
        {NULL,
         "select=name::",
         {NULL},
         400,
         "PGRST100",
         "\"failed to parse select parameter (name::)\" (line 1, column 7)",
         "unexpected end of input expecting letter or digit"},
        /* QueryParams.hs, pJsonPath: badly formed negatives */
        {NULL,
         "select=data->>--34",
         {NULL},
         400,
         "PGRST100",
         NULL,
         "unexpected \"-\" expecting digit"},
        {NULL,
         "select=data->>-xy-4",
         {NULL},
         400,
         "PGRST100",
         "\"failed to parse select parameter (data->>-xy-4)\" (line 1, column 9)",
         "unexpected \"x\" expecting digit"},
        /* QueryParams.hs, pOpExpr */
        {NULL,
         "id=fts().value",
         {NULL},
         400,
         "PGRST100",
         "\"failed to parse filter (fts().value)\" (line 1, column 5)",
         "unexpected \")\" expecting operator (eq, gt, ...)"},
        {NULL,
         "id=eq().value",
         {NULL},
         400,
         "PGRST100",
         "\"failed to parse filter (eq().value)\" (line 1, column 4)",
         "unexpected \")\" expecting operator (eq, gt, ...)"},
        {NULL,
         "id=is().value",
         {NULL},
         400,
         "PGRST100",
         "\"failed to parse filter (is().value)\" (line 1, column 3)",
         "unexpected \"(\" expecting operator (eq, gt, ...)"},
        {NULL,
         "id=in().value",
         {NULL},
         400,
         "PGRST100",
         "\"failed to parse filter (in().value)\" (line 1, column 3)",
         "unexpected \"(\" expecting operator (eq, gt, ...)"},
        /* QueryParams.hs, pOrder */
        {NULL,
         "order=clients(name,id)",
         {NULL},
         400,
         "PGRST100",
         "\"failed to parse order (clients(name,id))\" (line 1, column 8)",
         "unexpected '(' expecting letter, digit, \"-\", \"->>\", \"->\", delimiter (.), \",\" or "
         "end "
         "of input"},
        {NULL,
         "order=id.ac",
         {NULL},
         400,
         "PGRST100",
         "\"failed to parse order (id.ac)\" (line 1, column 4)",
         "unexpected \"c\" expecting \"asc\", \"desc\", \"nullsfirst\" or \"nullslast\""},
        {NULL,
         "order=id.descc",
         {NULL},
         400,
         "PGRST100",
         "\"failed to parse order (id.descc)\" (line 1, column 8)",
         "unexpected 'c' expecting delimiter (.), \",\" or end of input"},
        {NULL,
         "order=id.nulsfist",
         {NULL},
         400,
         "PGRST100",
         "\"failed to parse order (id.nulsfist)\" (line 1, column 4)",
         "unexpected \"n\" expecting \"asc\", \"desc\", \"nullsfirst\" or \"nullslast\""},
        {NULL,
         "order=id.nullslasttt",
         {NULL},
         400,
         "PGRST100",
         "\"failed to parse order (id.nullslasttt)\" (line 1, column 13)",
         "unexpected 't' expecting \",\" or end of input"},
        {NULL,
         "order=id.smth34",
         {NULL},
         400,
         "PGRST100",
         "\"failed to parse order (id.smth34)\" (line 1, column 4)",
         "unexpected \"s\" expecting \"asc\", \"desc\", \"nullsfirst\" or \"nullslast\""},
        {NULL,
         "order=id.asc.nlsfst",
         {NULL},
         400,
         "PGRST100",
         "\"failed to parse order (id.asc.nlsfst)\" (line 1, column 8)",
         "unexpected \"l\" expecting \"nullsfirst\" or \"nullslast\""},
        {NULL,
         "order=id.asc.smth34",
         {NULL},
         400,
         "PGRST100",
         "\"failed to parse order (id.asc.smth34)\" (line 1, column 8)",
         "unexpected \"s\" expecting \"nullsfirst\" or \"nullslast\""},
        /* QueryParams.hs, pLogicTree (the tree is read as the operator and the value: the column
         * counts the operator, the message shows the value) */
        {NULL,
         "or=(id.in.1,2,id.eq.3)",
         {NULL},
         400,
         "PGRST100",
         "\"failed to parse logic tree ((id.in.1,2,id.eq.3))\" (line 1, column 10)",
         "unexpected \"1\" expecting \"(\""},
        {NULL,
         "or=)(",
         {NULL},
         400,
         "PGRST100",
         "\"failed to parse logic tree ()()\" (line 1, column 3)",
         "unexpected \")\" expecting \"(\""},
        {NULL,
         "and=(ord(id.eq.1,id.eq.1),id.eq.2)",
         {NULL},
         400,
         "PGRST100",
         "\"failed to parse logic tree ((ord(id.eq.1,id.eq.1),id.eq.2))\" (line 1, column 7)",
         "unexpected \"d\" expecting \"(\""},
        {NULL,
         "or=(id.eq.1,not.xor(id.eq.2,id.eq.3))",
         {NULL},
         400,
         "PGRST100",
         "\"failed to parse logic tree ((id.eq.1,not.xor(id.eq.2,id.eq.3)))\" (line 1, column 16)",
         "unexpected \"x\" expecting logic operator (and, or)"},
        /* QueryParams.hs, parse: the order in which parameters are read (order= first, then
         * or/and, columns, select, filters, on_conflict): the first bad one is named */
        {NULL,
         "id=0&select=a(&order=x.y",
         {NULL},
         400,
         "PGRST100",
         "\"failed to parse order (x.y)\" (line 1, column 3)",
         NULL},
        {NULL,
         "id=0&select=a(",
         {NULL},
         400,
         "PGRST100",
         "\"failed to parse select parameter (a()\" (line 1, column 3)",
         NULL},
        {"POST",
         "on_conflict=,&id=0",
         {NULL},
         400,
         "PGRST100",
         "\"failed to parse filter (0)\" (line 1, column 1)",
         NULL},
        {"POST",
         "on_conflict=,",
         {NULL},
         400,
         "PGRST100",
         "\"failed to parse on_conflict parameter (,)\" (line 1, column 1)",
         "unexpected \",\" expecting field name (* or [a..z0..9_$])"},
        /* QueryParams.hs, pTreePath: a key that is no path */
        {NULL,
         "a.=eq.1",
         {NULL},
         400,
         "PGRST100",
         "\"failed to parse tree path (a.)\" (line 1, column 3)",
         "unexpected end of input expecting field name (* or [a..z0..9_$])"},
        /* the nesting limit of this parser */
        {NULL,
         "select=a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(a(*)))))))))))))"
         ")"
         "))))))))))))))))))))",
         {NULL},
         400,
         "PGRST100",
         NULL,
         "nested more than 32 deep"},
        /* ApiRequest.hs, getAction: a method the API does not have */
        {"TRACE", "", {NULL}, 405, "PGRST117", "Unsupported HTTP method: TRACE", NULL},
    };
    check_errors(cases, N(cases));
    /* reflite's sentence counts columns in the value as sent (PostgREST's message counts the
     * operator an or/and tree is read after) */
    rlh_req *r = get("not.or=()");
    assert_non_null(r->error);
    assert_string_equal(r->error->message,
                        "\"failed to parse logic tree (())\" (line 1, column 8)");
    assert_non_null(strstr(r->error->sentence, "not.or= is not valid at line 1, column 2: "));
    rlh_req_free(r);
}

/* ---- limit, offset, Range -------------------------------------------------------------- */

typedef struct range_case {
    const char *method, *query, *range;
    int64_t first, count;
    bool bounded;
    const char *details; /* of a 416, or NULL */
} range_case;

static void test_ranges(void **state)
{
    (void)state;
    static const range_case cases[] = {
        /* RangeSpec.hs, "GET /items", "with limit/offset parameters" */
        /* no parameters return everything */
        {NULL, "", NULL, 0, 0, false, NULL},
        {NULL, "select=id&order=id.asc&limit=3", NULL, 0, 3, true, NULL},
        /* headers override get parameters */
        {NULL, "select=id&order=id.asc&limit=3", "0-1", 0, 2, true, NULL},
        {NULL, "select=id&order=id.asc&limit=3&offset=2", NULL, 2, 3, true, NULL},
        {"HEAD", "select=id&order=id.asc&limit=3&offset=2", NULL, 2, 3, true, NULL},
        /* offset 0 is a no-op */
        {NULL, "offset=0&id=eq.0", NULL, 0, 0, false, NULL},
        /* a negative offset too */
        {NULL, "select=id&offset=-4&order=id", NULL, 0, 0, false, NULL},
        /* limit 0: an empty array */
        {NULL, "select=id&limit=0", NULL, 0, 0, true, NULL},
        {NULL, "select=id&limit=-1", NULL, 0, 0, false,
         "Limit should be greater than or equal to zero."},
        /* 416 once the count is known */
        {NULL, "offset=100", NULL, 100, 0, false, NULL},
        {"HEAD", "limit=2&offset=3", NULL, 3, 2, true, NULL},
        /* RangeSpec.hs, "with range headers" */
        {NULL, "", "0-1", 0, 2, true, NULL},
        /* understands open-ended ranges */
        {NULL, "", "0-", 0, 0, false, NULL},
        /* allows one-item requests */
        {NULL, "", "0-0", 0, 1, true, NULL},
        /* beyond the rows: truncated later */
        {NULL, "", "10-100", 10, 91, true, NULL},
        /* fails with 416 for offside range */
        {NULL, "", "1-0", 0, 0, false,
         "The lower boundary must be lower than or equal to the upper boundary in the Range "
         "header."},
        /* RangeQuery.hs, rangeParse: a Range header of another shape asks for every row; and
         * ApiRequest.hs, getRanges: the header counts for GET only */
        {NULL, "", "items=0-9", 0, 0, false, NULL},
        {"POST", "", "1-0", 0, 0, false, NULL},
        {"DELETE", "limit=5", "0-1", 0, 5, true, NULL},
        /* QueryParams.hs, parse (ranges): an unreadable limit is ignored alone, taken as 0
         * beside an offset */
        {NULL, "limit=abc", NULL, 0, 0, false, NULL},
        {NULL, "limit=abc&offset=2", NULL, 0, 0, false,
         "Limit should be greater than or equal to zero."},
        /* the last one counts */
        {NULL, "limit=3&limit=5", NULL, 0, 5, true, NULL},
    };
    for (size_t i = 0; i < N(cases); i++) {
        const range_case *c = &cases[i];
        const char *h[] = {"Range-Unit", "items", "Range", c->range, NULL};
        rlh_req *r = request(c->method ? c->method : "GET", "items", c->query, c->range ? h : NULL);
        if (c->details) {
            if (!r->error) fail_msg("%s: no error", c->query);
            assert_int_equal(r->error->status, 416);
            assert_string_equal(r->error->code, "PGRST103");
            assert_string_equal(r->error->message, "Requested range not satisfiable");
            assert_string_equal(r->error->details, c->details);
        } else {
            if (r->error) fail_msg("%s: %s", c->query, r->error->message);
            if (r->range.first != c->first || r->range.bounded != c->bounded ||
                (c->bounded && r->range.count != c->count))
                fail_msg("%s (%s): %lld %lld %d", c->query, c->range ? c->range : "",
                         (long long)r->range.first, (long long)r->range.count, r->range.bounded);
        }
        rlh_req_free(r);
    }
    /* RangeSpec.hs, "limit works on all levels": ranges of embedded rows by their path */
    rlh_req *r = get("select=id,projects(id,tasks(id))&order=id.asc&limit=1&projects.order=id.asc"
                     "&projects.limit=2&projects.tasks.order=id.asc&projects.tasks.limit=1"
                     "&projects.tasks.offset=3");
    assert_null(r->error);
    assert_int_equal(r->range.count, 1);
    assert_int_equal(r->nranges, 2);
    assert_int_equal(r->ranges[0].path.n, 1);
    assert_string_equal(r->ranges[0].path.names[0], "projects");
    assert_true(r->ranges[0].bounded);
    assert_int_equal(r->ranges[0].first, 0);
    assert_int_equal(r->ranges[0].count, 2);
    assert_int_equal(r->ranges[1].path.n, 2);
    assert_string_equal(r->ranges[1].path.names[1], "tasks");
    assert_int_equal(r->ranges[1].first, 3);
    assert_int_equal(r->ranges[1].count, 1);
    rlh_req_free(r);
    /* QuerySpec.hs, "filters, orders and limits aliased embeded entities using the target
     * name": a range of an embed named by its table, the plan stage decides */
    r = get("id=eq.1&select=id, name, the_tasks:tasks(id, name)&tasks.name=like.Code*"
            "&tasks.order=name.asc&tasks.limit=1");
    assert_null(r->error);
    assert_int_equal(r->nranges, 1);
    assert_string_equal(r->ranges[0].path.names[0], "tasks");
    assert_string_equal(filters(r), "id eq <1> & tasks/name like <Code*>");
    rlh_req_free(r);
    /* ApiRequest.hs, getRanges: PUT takes no limit or offset */
    r = request("PUT", "items", "id=eq.1&limit=1", NULL);
    assert_non_null(r->error);
    assert_int_equal(r->error->status, 400);
    assert_string_equal(r->error->code, "PGRST114");
    assert_string_equal(r->error->message,
                        "limit/offset querystring parameters are not allowed for PUT");
    rlh_req_free(r);
    r = request("PUT", "items", "id=eq.1&offset=0", NULL);
    assert_null(r->error);
    rlh_req_free(r);
}

/* ---- Prefer ---------------------------------------------------------------------------- */

static void test_prefer(void **state)
{
    (void)state;
    /* Preferences.hs, fromHeaders: one header with several preferences */
    const char *one[] = {"Prefer",
                         "resolution=ignore-duplicates, count=exact, timezone=America/Los_Angeles, "
                         "max-affected=100",
                         NULL};
    rlh_req *r = request("GET", "items", "", one);
    assert_null(r->error);
    assert_int_equal(r->prefer.resolution, RLH_RESOLUTION_IGNORE);
    assert_int_equal(r->prefer.ret, RLH_RETURN_DEFAULT);
    assert_int_equal(r->prefer.count, RLH_COUNT_EXACT);
    assert_int_equal(r->prefer.tx, RLH_TX_NONE);
    assert_string_equal(r->prefer.timezone, "America/Los_Angeles");
    assert_true(r->prefer.has_max_affected);
    assert_int_equal(r->prefer.max_affected, 100);
    assert_int_equal(r->prefer.nunknown, 0);
    rlh_req_free(r);
    /* Preferences.hs, fromHeaders: several headers are one list */
    const char *many[] = {"Prefer", "resolution=ignore-duplicates",
                          "Prefer", "count=exact",
                          "prefer", "missing=null",
                          "Prefer", "handling=lenient",
                          "Prefer", "invalid",
                          "Prefer", "max-affected=5999",
                          NULL};
    r = request("GET", "items", "", many);
    assert_null(r->error);
    assert_int_equal(r->prefer.resolution, RLH_RESOLUTION_IGNORE);
    assert_int_equal(r->prefer.count, RLH_COUNT_EXACT);
    assert_int_equal(r->prefer.missing, RLH_MISSING_NULL);
    assert_int_equal(r->prefer.handling, RLH_HANDLING_LENIENT);
    assert_int_equal(r->prefer.max_affected, 5999);
    assert_int_equal(r->prefer.nunknown, 1);
    assert_string_equal(r->prefer.unknown[0], "invalid");
    rlh_req_free(r);
    /* Preferences.hs, fromHeaders: of a preference given twice the first counts, in one
     * header and across headers */
    const char *twice[] = {
        "Prefer", "tx=commit, tx=rollback",      "Prefer", "resolution=ignore-duplicates",
        "Prefer", "resolution=merge-duplicates", NULL};
    r = request("GET", "items", "", twice);
    assert_int_equal(r->prefer.tx, RLH_TX_COMMIT);
    assert_int_equal(r->prefer.resolution, RLH_RESOLUTION_IGNORE);
    rlh_req_free(r);
    /* Preferences.hs, fromHeaders: any amount of space around them, any case of the name */
    const char *spaced[] = {"prefer",
                            "count=exact,    tx=commit   ,return=representation , missing=default, "
                            "handling=strict, anything",
                            NULL};
    r = request("POST", "items", "", spaced);
    assert_non_null(r->error); /* handling=strict refuses "anything" */
    assert_string_equal(r->error->details, "Invalid preferences: anything");
    rlh_req_free(r);
    /* HandlingSpec.hs, "check behaviour of Prefer: handling=strict" */
    static const struct {
        const char *method, *lines[5], *details;
    } strict[] = {
        {"GET", {"Prefer", "handling=strict, anything"}, "Invalid preferences: anything"},
        {"GET",
         {"Prefer", "handling=strict", "Prefer", "something, else"},
         "Invalid preferences: something, else"},
        {"POST",
         {"Prefer", "return=representation, handling=strict, anything"},
         "Invalid preferences: anything"},
    };
    for (size_t i = 0; i < N(strict); i++) {
        r = request(strict[i].method, "organizations", "select=*", strict[i].lines);
        assert_non_null(r->error);
        assert_int_equal(r->error->status, 400);
        assert_string_equal(r->error->code, "PGRST122");
        assert_string_equal(r->error->message, "Invalid preferences given with handling=strict");
        assert_string_equal(r->error->details, strict[i].details);
        assert_null(r->error->hint);
        rlh_req_free(r);
    }
    /* HandlingSpec.hs, "check behaviour of Prefer: handling=lenient"; MaxAffectedSpec.hs and
     * TimezoneSpec.hs (what the header says; the database judges the time zone); RangeSpec.hs
     * "Prefer: count=none" (not a preference: ignored) */
    static const struct {
        const char *method, *lines[5];
        rlh_pref_handling handling;
        int64_t max_affected; /* -1: none */
        const char *timezone;
        size_t nunknown;
    } lenient[] = {
        {"GET", {"Prefer", "handling=lenient, anything"}, RLH_HANDLING_LENIENT, -1, NULL, 1},
        {"GET",
         {"Prefer", "handling=lenient", "Prefer", "anything"},
         RLH_HANDLING_LENIENT,
         -1,
         NULL,
         1},
        {"POST",
         {"Prefer", "return=representation, handling=lenient, anything"},
         RLH_HANDLING_LENIENT,
         -1,
         NULL,
         1},
        {"DELETE",
         {"Prefer", "handling=strict, max-affected=10"},
         RLH_HANDLING_STRICT,
         10,
         NULL,
         0},
        {"PATCH", {"Prefer", "handling=lenient, max-affected=0"}, RLH_HANDLING_LENIENT, 0, NULL, 0},
        {"GET",
         {"Prefer", "handling=strict, timezone=America/Los_Angeles"},
         RLH_HANDLING_STRICT,
         -1,
         "America/Los_Angeles",
         0},
        {"GET", {"Prefer", "timezone=+05:30"}, RLH_HANDLING_NONE, -1, "+05:30", 0},
        {"GET", {"Prefer", "timezone=-4"}, RLH_HANDLING_NONE, -1, "-4", 0},
        {"GET",
         {"Prefer", "handling=lenient, timezone=Invalid/Timezone"},
         RLH_HANDLING_LENIENT,
         -1,
         "Invalid/Timezone",
         0},
        {"GET", {"Prefer", "count=none"}, RLH_HANDLING_NONE, -1, NULL, 1},
        {"GET", {"Prefer", "max-affected=ten, max-affected=5"}, RLH_HANDLING_NONE, -1, NULL, 0},
    };
    for (size_t i = 0; i < N(lenient); i++) {
        r = request(lenient[i].method, "items", "id=lt.15", lenient[i].lines);
        if (r->error) fail_msg("%zu: %s", i, r->error->message);
        assert_int_equal(r->prefer.handling, lenient[i].handling);
        assert_int_equal(r->prefer.has_max_affected, lenient[i].max_affected >= 0);
        if (lenient[i].max_affected >= 0)
            assert_int_equal(r->prefer.max_affected, lenient[i].max_affected);
        if (lenient[i].timezone)
            assert_string_equal(r->prefer.timezone, lenient[i].timezone);
        else
            assert_null(r->prefer.timezone);
        assert_int_equal(r->prefer.nunknown, lenient[i].nunknown);
        rlh_req_free(r);
    }
}

/* ---- Accept, Content-Type, body -------------------------------------------------------- */

static void test_accept(void **state)
{
    (void)state;
    static const struct {
        const char *accept;
        rlh_media media;
        bool stripped;
    } ok[] = {
        /* QuerySpec.hs, "Accept headers": should respond correctly to star/star in accept
         * header; star/star should rescue an unknown type; specific available preference should
         * override star/star; honors client preference even when opposite of server preference;
         * should respond correctly to multiple types; should respond with CSV to 'text/csv' */
        {"*/*", RLH_MEDIA_JSON, false},
        {"text/unknowntype, */*", RLH_MEDIA_JSON, false},
        {"text/csv, */*", RLH_MEDIA_CSV, false},
        {"text/csv, application/json", RLH_MEDIA_CSV, false},
        {"text/unknowntype, text/csv", RLH_MEDIA_CSV, false},
        {"text/csv; version=1", RLH_MEDIA_CSV, false},
        /* SingularSpec.hs, "Requesting singular json object" */
        {"application/vnd.pgrst.object+json", RLH_MEDIA_SINGULAR, false},
        {"application/vnd.pgrst.object", RLH_MEDIA_SINGULAR, false},
        /* MediaType.hs, decodeMediaType */
        {"ApplicatIon/vnd.PgRsT.object+json", RLH_MEDIA_SINGULAR, false},
        {"application/vnd.pgrst.object+json;nulls=stripped", RLH_MEDIA_SINGULAR, true},
        {"application/vnd.pgrst.array+json;nulls=stripped", RLH_MEDIA_ARRAY_STRIPPED, true},
        {"application/vnd.pgrst.array+json", RLH_MEDIA_JSON, false},
        /* wai's parseHttpAccept as PostgREST uses it: by q, then by specificity; q=0 counts */
        {"text/csv;q=0.5, application/json", RLH_MEDIA_JSON, false},
        {"application/json;q=0.1, text/csv;q=0.2", RLH_MEDIA_CSV, false},
        {"*/*, application/json;q=0.9", RLH_MEDIA_JSON, false},
        {"text/csv;q=0", RLH_MEDIA_CSV, false},
        {"*/*;q=0.5, text/csv;q=0.5", RLH_MEDIA_CSV, false},
    };
    for (size_t i = 0; i < N(ok); i++) {
        const char *h[] = {"Accept", ok[i].accept, NULL};
        rlh_req *r = request("GET", "simple_pk", "", h);
        if (r->error) fail_msg("%s: %s", ok[i].accept, r->error->message);
        if (r->accept != ok[i].media || r->nulls_stripped != ok[i].stripped)
            fail_msg("%s: %d %d", ok[i].accept, r->accept, r->nulls_stripped);
        rlh_req_free(r);
    }
    static const struct {
        const char *accept, *message;
    } bad[] = {
        /* QuerySpec.hs, "should respond an unknown accept type with 406" */
        {"text/unknowntype", "None of these media types are available: text/unknowntype"},
        /* Plan/Negotiate.hs: every type named, in the order they were weighed; a plan only
         * where plans are enabled (PostgREST's default: not) */
        {"text/plain;q=0.5, application/xml",
         "None of these media types are available: application/xml, text/plain"},
        {"application/*", "None of these media types are available: application/*"},
        {"application/vnd.pgrst.plan", "None of these media types are available: "
                                       "application/vnd.pgrst.plan+text; for=\"application/json\""},
        {"", "None of these media types are available: "},
    };
    for (size_t i = 0; i < N(bad); i++) {
        const char *h[] = {"Accept", bad[i].accept, NULL};
        rlh_req *r = request("GET", "simple_pk", "", h);
        if (!r->error) fail_msg("%s: no error", bad[i].accept);
        assert_int_equal(r->error->status, 406);
        assert_string_equal(r->error->code, "PGRST107");
        assert_string_equal(r->error->message, bad[i].message);
        assert_null(r->error->details);
        rlh_req_free(r);
    }
    /* Plan.hs, inspectPlan: the API's root is its OpenAPI document */
    const char *openapi[] = {"Accept", "application/openapi+json", NULL};
    const char *csv[] = {"Accept", "text/csv", NULL};
    rlh_req *r = request("GET", NULL, "", openapi);
    assert_null(r->error);
    assert_int_equal(r->accept, RLH_MEDIA_OPENAPI);
    rlh_req_free(r);
    r = request("GET", NULL, "", csv);
    assert_non_null(r->error);
    assert_int_equal(r->error->status, 406);
    rlh_req_free(r);
}

static void test_body(void **state)
{
    (void)state;
    const char body[] = "{\"id\":7,\"name\":\"John\"}";
    const char *h[] = {"Content-Type", "application/json; charset=utf-8", "Prefer",
                       "return=representation", NULL};
    rlh_header hs[] = {{h[0], h[1]}, {h[2], h[3]}};
    rlh_parse_in in = {.method = "POST",
                       .relation = "organizations",
                       .query = "select=*",
                       .query_len = 8,
                       .headers = hs,
                       .nheaders = 2,
                       .body = body,
                       .body_len = sizeof body - 1};
    rlh_req *r = rlh_parse(&in);
    assert_non_null(r);
    assert_null(r->error);
    assert_int_equal(r->method, RLH_POST);
    assert_string_equal(r->relation, "organizations");
    assert_int_equal(r->content, RLH_MEDIA_JSON);
    assert_string_equal(r->content_type, "application/json; charset=utf-8");
    assert_int_equal(r->body_len, sizeof body - 1);
    assert_memory_equal(r->body, body, sizeof body - 1);
    assert_true(r->body != body); /* a copy: the value owns it */
    assert_int_equal(r->prefer.ret, RLH_RETURN_REPRESENTATION);
    rlh_req_free(r);
    /* ApiRequest.hs: no Content-Type is JSON; others decoded as MediaType.hs does */
    static const struct {
        const char *type;
        rlh_media media;
    } types[] = {{"text/csv", RLH_MEDIA_CSV},
                 {"application/x-www-form-urlencoded", RLH_MEDIA_URLENCODED},
                 {"text/plain;charset=utf-8", RLH_MEDIA_TEXT},
                 {"application/octet-stream", RLH_MEDIA_OCTET},
                 {"image/png", RLH_MEDIA_OTHER}};
    for (size_t i = 0; i < N(types); i++) {
        const char *ct[] = {"content-type", types[i].type, NULL};
        r = request("POST", "items", "", ct);
        assert_int_equal(r->content, types[i].media);
        rlh_req_free(r);
    }
    r = request("POST", "items", "", NULL);
    assert_int_equal(r->content, RLH_MEDIA_JSON);
    assert_null(r->content_type);
    assert_null(r->body);
    rlh_req_free(r);
    /* the columns= and on_conflict= of a write */
    r = request("POST", "articles", "columns=id,body&on_conflict=%22key one%22 , key2", NULL);
    assert_null(r->error);
    assert_int_equal(r->ncolumns, 2);
    assert_string_equal(r->columns[1], "body");
    assert_int_equal(r->non_conflict, 2);
    assert_string_equal(r->on_conflict[0], "key one");
    assert_string_equal(r->on_conflict[1], "key2");
    rlh_req_free(r);
    /* a %00 in the query string is refused: no value could hold it */
    r = get("name=eq.a%00b");
    assert_non_null(r->error);
    assert_int_equal(r->error->status, 400);
    rlh_req_free(r);
    /* every method of the API */
    static const char *const methods[] = {"GET",   "HEAD",   "POST",   "PUT",
                                          "PATCH", "DELETE", "OPTIONS"};
    for (size_t i = 0; i < N(methods); i++) {
        r = request(methods[i], "items", "", NULL);
        assert_null(r->error);
        assert_int_equal(r->method, (rlh_method)i);
        rlh_req_free(r);
    }
    /* nesting up to the limit is read */
    char deep[400] = "select=";
    for (int i = 0; i < RLH_PARSE_MAX_DEPTH; i++)
        strcat(deep, "a(");
    strcat(deep, "*");
    for (int i = 0; i < RLH_PARSE_MAX_DEPTH; i++)
        strcat(deep, ")");
    r = get(deep);
    assert_null(r->error);
    rlh_req_free(r);
}

/* ---- large input ----------------------------------------------------------------------- */

/* Long names, long lists and many items are read whole, in time proportional to their size. */
static void test_large_input(void **state)
{
    (void)state;
    size_t size = 64 * 1024;
    char *q = malloc(size);
    assert_non_null(q);
    /* a name of 10,001 dashed parts */
    size_t at = (size_t)sprintf(q, "select=");
    for (int i = 0; i < 10000; i++)
        at += (size_t)sprintf(q + at, "a-");
    sprintf(q + at, "a");
    rlh_req *r = get(q);
    assert_null(r->error);
    assert_int_equal(r->nselect, 1);
    assert_int_equal(strlen(r->select[0].col.name), 20001);
    rlh_req_free(r);
    /* 5,000 items of select=, 3,000 conditions of or=, an in list of 5,000 values */
    static const struct {
        const char *head, *item, *tail;
        int n;
    } lists[] = {{"select=", "a,", "a", 5000},
                 {"or=(", "a.eq.1,", "a.eq.1)", 3000},
                 {"id=in.(", "\"x,y\",", "z)", 5000}};
    for (size_t k = 0; k < N(lists); k++) {
        size_t len = (size_t)sprintf(q, "%s", lists[k].head);
        for (int i = 0; i < lists[k].n; i++)
            len += (size_t)sprintf(q + len, "%s", lists[k].item);
        sprintf(q + len, "%s", lists[k].tail);
        r = get(q);
        assert_null(r->error);
        size_t n = k == 0 ? r->nselect : k == 1 ? r->logic[0].tree.nkids : r->filters[0].cond.nlist;
        assert_int_equal(n, lists[k].n + 1);
        rlh_req_free(r);
    }
    free(q);
}

/* ---- random and mutated input ---------------------------------------------------------- */

static uint64_t next_random(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static size_t walk_col(const rlh_col *c)
{
    size_t n = strlen(c->name);
    assert_true(!c->njson || c->json);
    for (size_t i = 0; i < c->njson; i++)
        n += strlen(c->json[i].key);
    return n;
}

static size_t walk_sel(const rlh_sel *s, size_t count, int depth)
{
    size_t n = 0;
    assert_true(depth <= RLH_PARSE_MAX_DEPTH + 1);
    assert_true(!count || s);
    for (size_t i = 0; i < count; i++, s++) {
        n += s->alias ? strlen(s->alias) : 0;
        if (s->kind == RLH_SEL_COLUMN) {
            n += walk_col(&s->col) + (s->cast ? strlen(s->cast) : 0) +
                 (s->agg_cast ? strlen(s->agg_cast) : 0);
        } else {
            assert_non_null(s->relation);
            n += strlen(s->relation) + (s->hint ? strlen(s->hint) : 0);
            n += walk_sel(s->items, s->nitems, depth + 1);
        }
    }
    return n;
}

static size_t walk_cond(const rlh_cond *c)
{
    size_t n = walk_col(&c->col) + (c->lang ? strlen(c->lang) : 0);
    if (c->op == RLH_OP_IN)
        for (size_t i = 0; i < c->nlist; i++)
            n += strlen(c->list[i]);
    else if (c->op != RLH_OP_IS)
        n += strlen(c->value);
    return n;
}

static size_t walk_logic(const rlh_logic *t, int depth)
{
    assert_true(depth <= RLH_PARSE_MAX_DEPTH + 1);
    if (t->leaf) return walk_cond(&t->cond);
    size_t n = 0;
    assert_true(t->nkids > 0 && t->kids);
    for (size_t i = 0; i < t->nkids; i++)
        n += walk_logic(&t->kids[i], depth + 1);
    return n;
}

static size_t walk_path(const rlh_path *p)
{
    size_t n = 0;
    for (size_t i = 0; i < p->n; i++)
        n += strlen(p->names[i]);
    return n;
}

/* Every string of r is read (AddressSanitizer checks each byte), every count has its array. */
static void walk(const rlh_req *r)
{
    if (r->error) {
        const rlh_perror *e = r->error;
        assert_true(e->status == 400 || e->status == 405 || e->status == 406 || e->status == 416);
        assert_memory_equal(e->code, "PGRST1", 6);
        assert_true(strlen(e->message) + strlen(e->sentence) > 0);
        if (e->details) assert_true(strlen(e->details) < 100000);
        return;
    }
    size_t n = walk_sel(r->select, r->nselect, 0);
    for (size_t i = 0; i < r->nfilters; i++)
        n += walk_path(&r->filters[i].path) + walk_cond(&r->filters[i].cond);
    for (size_t i = 0; i < r->nlogic; i++)
        n += walk_path(&r->logic[i].path) + walk_logic(&r->logic[i].tree, 0);
    for (size_t i = 0; i < r->norders; i++) {
        n += walk_path(&r->orders[i].path);
        assert_true(r->orders[i].nterms > 0);
        for (size_t k = 0; k < r->orders[i].nterms; k++)
            n += walk_col(&r->orders[i].terms[k].col) +
                 (r->orders[i].terms[k].relation ? strlen(r->orders[i].terms[k].relation) : 0);
    }
    for (size_t i = 0; i < r->nranges; i++)
        n += walk_path(&r->ranges[i].path);
    for (size_t i = 0; i < r->ncolumns; i++)
        n += strlen(r->columns[i]);
    for (size_t i = 0; i < r->non_conflict; i++)
        n += strlen(r->on_conflict[i]);
    for (size_t i = 0; i < r->prefer.nunknown; i++)
        n += strlen(r->prefer.unknown[i]);
    assert_true(r->range.first >= 0);
    assert_true(n < (size_t)1 << 30);
}

/* Every rule decides the same reading quietly (no error kept: how requests are read) and
 * keeping its errors (how a failed reading is read again to say why): same result, same
 * place reached. */
static void same_either_way(const char *q)
{
    rlh_arena a = {0};
    size_t n = strlen(q);
    for (int rule = 0; rule < 7; rule++) {
        int r[2];
        size_t pos[2];
        for (int loud = 0; loud < 2; loud++) {
            rlh_gram g;
            rlh_g_init(&g, &a, q, n);
            if (loud) rlh_g_again(&g);
            rlh_cond c = {0};
            rlh_path path = {0};
            rlh_col col = {0};
            rlh_logic tree = {0};
            const rlh_sel *sel;
            const rlh_order_term *terms;
            const char *const *names;
            const char *op;
            size_t k;
            switch (rule) {
            case 0:
                r[loud] = rlh_g_select(&g, &sel, &k);
                break;
            case 1:
                r[loud] = rlh_g_tree_path(&g, &path, &col);
                break;
            case 2:
                r[loud] = rlh_g_filter(&g, &c);
                break;
            case 3:
                r[loud] = rlh_g_logic_path(&g, &path, &op);
                break;
            case 4:
                r[loud] = rlh_g_logic(&g, &tree);
                break;
            case 5:
                r[loud] = rlh_g_order(&g, &terms, &k);
                break;
            default:
                r[loud] = rlh_g_columns(&g, &names, &k);
            }
            pos[loud] = g.pos;
        }
        if (r[0] != r[1] || pos[0] != pos[1])
            fail_msg("rule %d on '%s': %d at %zu quietly, %d at %zu keeping errors", rule, q, r[0],
                     pos[0], r[1], pos[1]);
    }
    rlh_arena_free(&a);
}

static void test_random_input(void **state)
{
    (void)state;
    static const char *const seeds[] = {
        "select=id,name,clients(*),tasks!inner(id,name)&id=in.(1,\"a,b\")&order=id.desc.nullslast",
        "or=(and(name.eq.entity 2,id.eq.2),not.and(name.eq.\"x)y\",id.eq.1))&limit=2&offset=1",
        "select=alias:data->a->>b::text,count(),price.sum()::int,...rel!hint(x)&data->0=eq.1",
        "a=not.fts(english).x&b=is.NoT_NuLl&c=eq(any).{1,2}&d=cs.{1}&e=adj.(3,10]&f=isdistinct.2",
        "columns=a,b&on_conflict=a&select=*&rel.order=x(y).asc&rel.limit=3&rel.or=(a.in.(1,2))",
        "select=%22a%20b%22,c-d,e$&%22x.y%22=like.*a%25b*&order=c->>k.desc,rel(c).asc",
    };
    static const char *const tokens[] = {
        "select=", "order=", "limit=",  "offset=", "or=",  "and=",       "not.",     "&",
        "=",       ".",      ",",       "(",       ")",    "!",          "!inner",   "!left",
        "...",     ":",      "::",      "->",      "->>",  "\"",         "\\",       "*",
        "eq.",     "in.",    "is.",     "null",    "fts",  "(any)",      "{",        "}",
        " ",       "%",      "%2",      "%22",     "+",    ";",          "a",        "bc",
        "0",       "-1",     "count()", ".sum()",  "desc", "nullsfirst", "columns=", "on_conflict=",
        "rel.",    "\t",     "\xc3",    "\xa9",    "\xff", "-",
    };
    static const char *const prefer[] = {"handling=strict",
                                         "return=representation",
                                         "count=exact",
                                         "max-affected=9",
                                         "timezone=x",
                                         "anything",
                                         ",",
                                         " "};
    static const char *const accept[] = {"text/csv",
                                         "*/*",
                                         "application/json;q=0.2",
                                         "application/vnd.pgrst.object+json;nulls=stripped",
                                         "x/y",
                                         ";q=",
                                         ",",
                                         "application/vnd.pgrst.plan;for=\"text/csv\""};
    static const char *const methods[] = {"GET",   "HEAD",   "POST",   "PUT",
                                          "PATCH", "DELETE", "OPTIONS"};
    static const char alphabet[] = "abc=&.,()!:-\"\\*>{}[] %+;09eqnotinsl_$\t";
    uint64_t seed = 0x9E3779B97F4A7C15u;
    char q[512], pref[128], acc[128], range[32];
    for (int round = 0; round < 6000; round++) {
        size_t len = 0;
        int kind = round % 3;
        if (kind == 0) {
            /* random characters */
            size_t n = next_random(&seed) % 80;
            for (size_t i = 0; i < n; i++)
                q[len++] = alphabet[next_random(&seed) % (sizeof alphabet - 1)];
        } else if (kind == 1) {
            /* a seed, mutated: characters replaced, deleted, inserted, the end cut */
            const char *s = seeds[next_random(&seed) % N(seeds)];
            len = strlen(s);
            memcpy(q, s, len);
            for (int m = (int)(next_random(&seed) % 5); m >= 0; m--) {
                size_t at = len ? next_random(&seed) % len : 0;
                switch (next_random(&seed) % 4) {
                case 0:
                    if (len) q[at] = alphabet[next_random(&seed) % (sizeof alphabet - 1)];
                    break;
                case 1:
                    if (len) memmove(q + at, q + at + 1, len-- - at - 1);
                    break;
                case 2:
                    if (len < sizeof q - 2) {
                        memmove(q + at + 1, q + at, len - at);
                        q[at] = alphabet[next_random(&seed) % (sizeof alphabet - 1)];
                        len++;
                    }
                    break;
                default:
                    len = at;
                }
            }
        } else {
            /* tokens of the grammar */
            for (size_t n = next_random(&seed) % 40; n; n--) {
                const char *t = tokens[next_random(&seed) % N(tokens)];
                size_t tl = strlen(t);
                if (len + tl >= sizeof q) break;
                memcpy(q + len, t, tl);
                len += tl;
            }
        }
        q[len] = '\0';
        same_either_way(q);
        snprintf(pref, sizeof pref, "%s,%s", prefer[next_random(&seed) % N(prefer)],
                 prefer[next_random(&seed) % N(prefer)]);
        snprintf(acc, sizeof acc, "%s,%s", accept[next_random(&seed) % N(accept)],
                 accept[next_random(&seed) % N(accept)]);
        snprintf(range, sizeof range, "%d-%d", (int)(next_random(&seed) % 5) - 1,
                 (int)(next_random(&seed) % 5) - 1);
        const char *h[] = {"Prefer", pref, "Accept", acc, "Range", range, NULL};
        const char *method = methods[next_random(&seed) % N(methods)];
        rlh_req *a = request(method, "items", q, round % 2 ? h : NULL);
        walk(a);
        /* the same input gives the same value */
        char dump[3][8192];
        snprintf(dump[0], sizeof dump[0], "%s", a->error ? a->error->message : selects(a));
        snprintf(dump[1], sizeof dump[1], "%s", a->error ? "" : filters(a));
        snprintf(dump[2], sizeof dump[2], "%s", a->error ? "" : orders(a));
        rlh_req *b = request(method, "items", q, round % 2 ? h : NULL);
        assert_string_equal(dump[0], b->error ? b->error->message : selects(b));
        if (!b->error) {
            assert_string_equal(dump[1], filters(b));
            assert_string_equal(dump[2], orders(b));
        }
        rlh_req_free(a);
        rlh_req_free(b);
    }
    /* no input at all */
    rlh_req *r = rlh_parse(&(rlh_parse_in){0});
    assert_non_null(r);
    assert_non_null(r->error);
    assert_int_equal(r->error->status, 405);
    rlh_req_free(r);
    r = rlh_parse(NULL);
    assert_non_null(r);
    assert_non_null(r->error);
    rlh_req_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_select),      cmocka_unit_test(test_filters),
        cmocka_unit_test(test_order),       cmocka_unit_test(test_syntax_errors),
        cmocka_unit_test(test_ranges),      cmocka_unit_test(test_prefer),
        cmocka_unit_test(test_accept),      cmocka_unit_test(test_body),
        cmocka_unit_test(test_large_input), cmocka_unit_test(test_random_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

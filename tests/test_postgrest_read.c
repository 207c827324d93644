/*
 * PostgREST's own spec cases, for reading and for writing, run against reflite's server on both
 * engines.
 *
 * The cases are data: tests/postgrest/read_cases.json and write_cases.json, one request each
 * (ported from the .hs files of PostgREST's test/spec/Feature/Query), with PostgREST's answer as
 * its spec checks it: the status, the body (compared as JSON values, arrays in order, as
 * hspec-wai's matchJson does; or as text where the spec gives text), and the headers the spec
 * lists.  The fixtures are tests/postgrest/schema_<engine>.sql, data.sql and data_<engine>.sql,
 * loaded into a fresh database; a server with the REST API at its root listens on 127.0.0.1 on a
 * free port, and every case is sent to it with libcurl.
 *
 * PostgREST's spec rolls every request back unless it sends "Prefer: tx=commit".  Here a case
 * gets the fixture's rows anew when a write was sent since they were loaded, except when it
 * continues the spec example of the case before it (the same id but for the " #N" that numbers
 * an example's requests) and every write since the rows were loaded was sent with tx=commit:
 * such a case sees what its example committed, as in PostgREST's spec.  A case whose path is
 * "{location}" is sent to the last Location header its example's answers gave (as the spec's
 * example keeps it in a variable).  A case run by PostgREST's spec under another configuration
 * says so ("config": {"db-aggregates-enabled": false}, the one it uses here): it is sent to a
 * second server on the same database, started with the matching reflite option.
 *
 * Two things are compared more loosely than PostgREST's spec does, because reflite's errors
 * say more than PostgREST's by design (its own sentence and a `key` object beside PostgREST's
 * code, message, details and hint): an expected error body (an object with "code" and
 * "message") matches when every member it lists is equal, whatever else the answer holds; and
 * the Content-Length the spec lists for such an error is not compared.  A case may also name a
 * header it does not compare, with the reason ("loose": {"Content-Length": "why"}), where
 * reflite's bytes differ from PostgREST's by whitespace only.
 *
 * The ratchet: tests/postgrest/SET_passing_sqlite.txt and SET_passing_pg.txt list the ids of
 * the cases of SET_cases.json that pass today on each engine.  The test fails when a listed case
 * fails (a regression) and when a case that is not listed passes (the list is then out of date: the
 * ids to add are printed).  Cases marked "skip" (or not run on the engine) are counted as skipped,
 * with their reasons in the data.  A summary per spec file is printed: passed, failing,
 * skipped.
 *
 *   REFLITE_RATCHET_WRITE=1     write the engine's list from this run instead of comparing
 *   REFLITE_RATCHET_VERBOSE=1   print every failing case with what differed
 *
 * Usage: test_postgrest_read DIR [SET] (DIR holds the cases, fixtures and lists; SET is "read",
 * the default, or "write"); the engine is SQLite, or PostgreSQL when REFLITE_TEST_PG names the
 * test server's state file.
 */
#include "http_client.h"

#include <ctype.h>
#include <math.h>

static const char *dir;          /* tests/postgrest */
static const char *set = "read"; /* the cases of DIR/<set>_cases.json */

/* ---- files ----------------------------------------------------------------------------- */

/* The whole file DIR/name (NUL-terminated, to free), or NULL when it cannot be read. */
static char *slurp(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    char *buf = NULL;
    size_t len = 0, cap = 0, n;
    char chunk[8192];
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (len + n + 1 > cap) {
            cap = (len + n + 1) * 2;
            char *b = realloc(buf, cap);
            assert_non_null(b);
            buf = b;
        }
        memcpy(buf + len, chunk, n);
        len += n;
    }
    fclose(f);
    if (!buf)
        buf = calloc(1, 1);
    else
        buf[len] = '\0';
    return buf;
}

static const char *engine(void)
{
    return on_pg() ? "postgresql" : "sqlite";
}

/* The fixture of the engine under test: its schema (with rows = false), or the shared rows
 * then its own (rows = true). */
static char *fixture(bool rows)
{
    const char *names[2] = {"data.sql", on_pg() ? "data_pg.sql" : "data_sqlite.sql"};
    if (!rows) names[0] = on_pg() ? "schema_pg.sql" : "schema_sqlite.sql";
    char *all = calloc(1, 1);
    assert_non_null(all);
    for (size_t i = 0; i < (rows ? 2u : 1u); i++) {
        char *part = slurp(names[i]);
        if (!part) fail_msg("cannot read %s/%s", dir, names[i]);
        char *joined = malloc(strlen(all) + strlen(part) + 2);
        assert_non_null(joined);
        sprintf(joined, "%s%s\n", all, part);
        free(all);
        free(part);
        all = joined;
    }
    return all;
}

/* ---- the fixture's rows, anew ---------------------------------------------------------- */

/*
 * The rows a case may have changed are put back before the next one (see the run), often: so
 * cheaply, without a new database, which would cost the server a new reading of its tables.
 *
 * On SQLite every table of the fixture is emptied and the rows are inserted again, foreign keys
 * off, in one transaction (rowids and AUTOINCREMENT counters come out as in a new database).
 *
 * On PostgreSQL the rows of every table are copied at the start into temporary tables of the
 * connection (SNAPSHOT).  A reset (RESET) looks for the tables whose rows changed (another
 * count, or a row written since the last reset: its xmin is newer), empties them with
 * TRUNCATE ... CASCADE (new storage: the rows come back in the order they were inserted, as a
 * read without ORDER BY sees them), copies the rows back into every table left empty (one whose
 * parent's rows are not back yet waits for the next round) and sets every sequence back.  The
 * planner's statistics of a table emptied are gone: ANALYZE runs again before a case that
 * reads them (count=planned, count=estimated).
 */
static const char *SNAPSHOT =
    "DO $$DECLARE r record; i int := 0; cols text; k bigint; BEGIN "
    "CREATE TEMP TABLE \"spec tables\" (i int, rel regclass, cols text, n bigint); "
    "FOR r IN SELECT c.oid FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace "
    "AND c.relkind = 'r' ORDER BY c.oid LOOP "
    "SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY a.attnum) INTO cols FROM "
    "pg_attribute a WHERE a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped AND "
    "a.attgenerated = ''; "
    "CONTINUE WHEN cols IS NULL; "
    "i := i + 1; "
    "EXECUTE format('CREATE TEMP TABLE %I AS SELECT %s FROM %s', 'spec rows ' || i, cols, "
    "r.oid::regclass); "
    "EXECUTE format('SELECT count(*) FROM %I', 'spec rows ' || i) INTO k; "
    "INSERT INTO \"spec tables\" VALUES (i, r.oid, cols, k); "
    "END LOOP; "
    "CREATE TEMP TABLE \"spec sequences\" AS SELECT format('%I.%I', schemaname, "
    "sequencename)::regclass AS seq, start_value, last_value FROM pg_sequences WHERE "
    "schemaname = current_schema(); "
    "CREATE TEMP TABLE \"spec since\" AS SELECT txid_current() % 4294967296 AS x, false AS "
    "emptied; "
    "END$$";

static const char *RESET =
    "DO $$DECLARE r record; since bigint; changed bool; gone text := ''; waiting int; "
    "moved bool; empty bool; BEGIN "
    "SELECT x INTO since FROM \"spec since\"; "
    "FOR r IN SELECT * FROM \"spec tables\" ORDER BY i LOOP "
    "EXECUTE format('SELECT count(*) <> %s OR coalesce(bool_or(xmin::text::bigint > %s), false) "
    "FROM %s', r.n, since, r.rel) INTO changed; "
    "IF changed THEN gone := gone || CASE WHEN gone = '' THEN '' ELSE ', ' END || r.rel; END IF; "
    "END LOOP; "
    "IF gone <> '' THEN "
    "EXECUTE 'TRUNCATE ' || gone || ' CASCADE'; "
    "UPDATE \"spec since\" SET emptied = true; "
    "LOOP "
    "waiting := 0; moved := false; "
    "FOR r IN SELECT * FROM \"spec tables\" WHERE n > 0 ORDER BY i LOOP "
    "EXECUTE format('SELECT NOT EXISTS (SELECT FROM %s)', r.rel) INTO empty; "
    "CONTINUE WHEN NOT empty; "
    "BEGIN "
    "EXECUTE format('INSERT INTO %s (%s) OVERRIDING SYSTEM VALUE SELECT %s FROM %I', r.rel, "
    "r.cols, r.cols, 'spec rows ' || r.i); "
    "moved := true; "
    "EXCEPTION WHEN foreign_key_violation THEN waiting := waiting + 1; "
    "END; "
    "END LOOP; "
    "EXIT WHEN waiting = 0; "
    "IF NOT moved THEN RAISE EXCEPTION 'reset: % tables wait for each other', waiting; END IF; "
    "END LOOP; "
    "END IF; "
    "FOR r IN SELECT * FROM \"spec sequences\" LOOP "
    "PERFORM setval(r.seq, coalesce(r.last_value, r.start_value), r.last_value IS NOT NULL); "
    "END LOOP; "
    "UPDATE \"spec since\" SET x = txid_current() % 4294967296; "
    "END$$";

static char *sqlite_empty; /* SQLite: the statements that empty every table of the fixture */

/* Ready to put the fixture's rows back: right after they were loaded. */
static void snapshot(server *sv)
{
    if (on_pg()) {
        if (rl_exec(sv->db, SNAPSHOT, NULL, 0, NULL) != RL_OK)
            fail_msg("snapshot: %s", rl_errmsg(sv->db));
        return;
    }
    sqlite3 *h = rl_sqlite3(sv->db);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(h,
                           "SELECT group_concat('DELETE FROM \"' || replace(name, '\"', '\"\"') || "
                           "'\";', '') FROM sqlite_schema WHERE type = 'table' AND (name NOT "
                           "LIKE 'sqlite_%' OR name = 'sqlite_sequence')",
                           -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW)
        fail_msg("snapshot: %s", sqlite3_errmsg(h));
    sqlite_empty = strdup((const char *)sqlite3_column_text(st, 0));
    assert_non_null(sqlite_empty);
    sqlite3_finalize(st);
}

/* Back to the fixture's rows. */
static void reset(server *sv, const char *rows)
{
    if (on_pg()) {
        if (rl_exec(sv->db, RESET, NULL, 0, NULL) != RL_OK)
            fail_msg("reset: %s", rl_errmsg(sv->db));
        return;
    }
    sqlite3 *h = rl_sqlite3(sv->db);
    if (sqlite3_exec(h, "PRAGMA foreign_keys = OFF; BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_exec(h, sqlite_empty, NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_exec(h, rows, NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_exec(h, "COMMIT; PRAGMA foreign_keys = ON", NULL, NULL, NULL) != SQLITE_OK)
        fail_msg("reset: %s", sqlite3_errmsg(h));
}

/* Whether case c asks for the planner's estimates (Prefer: count=planned or count=estimated). */
static bool estimates(json_t *c)
{
    size_t i;
    json_t *pair;
    json_array_foreach(json_object_get(c, "headers"), i, pair)
    {
        const char *v = json_string_value(json_array_get(pair, 1));
        if (strcasecmp(json_string_value(json_array_get(pair, 0)), "Prefer") == 0 &&
            (strstr(v, "count=planned") || strstr(v, "count=estimated")))
            return true;
    }
    return false;
}

/* PostgreSQL: the planner's statistics again, if a reset emptied a table since they were
 * taken (as at the start, when the rows were loaded). */
static void analyze(server *sv)
{
    int64_t emptied = 0;
    if (rl_query_int(sv->db, "SELECT count(*) FROM \"spec since\" WHERE emptied", NULL, 0,
                     &emptied) != RL_OK ||
        (emptied && rl_exec(sv->db, "ANALYZE; UPDATE \"spec since\" SET emptied = false", NULL, 0,
                            NULL) != RL_OK))
        fail_msg("analyze: %s", rl_errmsg(sv->db));
}

/* ---- requests -------------------------------------------------------------------------- */

static size_t grow(char **buf, size_t *len, const char *d, size_t n)
{
    char *b = realloc(*buf, *len + n + 1);
    if (!b) return 0;
    memcpy(b + *len, d, n);
    *len += n;
    b[*len] = '\0';
    *buf = b;
    return n;
}

typedef struct answer {
    long status;
    char *body;
    size_t len;
    char *head; /* the header lines as received */
    size_t head_len;
} answer;

static size_t on_data(char *d, size_t size, size_t n, void *ctx)
{
    answer *a = ctx;
    return grow(&a->body, &a->len, d, size * n);
}

static size_t on_head(char *d, size_t size, size_t n, void *ctx)
{
    answer *a = ctx;
    return grow(&a->head, &a->head_len, d, size * n);
}

/* path as the spec's test client hands it to PostgREST, made a valid URL: bytes a URL cannot
 * hold (spaces, quotes, braces, non-ASCII...) are percent-encoded, and so is a "%" that starts
 * no escape (PostgREST reads "like.%plan%" as those characters). */
static char *url_of(const char *base, const char *path)
{
    size_t n = strlen(path);
    char *u = malloc(strlen(base) + 3 * n + 1);
    assert_non_null(u);
    char *o = u + sprintf(u, "%s", base);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)path[i];
        bool escape = c <= ' ' || c >= 0x7f || strchr("\"#<>\\^`{|}", c) != NULL;
        if (c == '%')
            escape =
                !(isxdigit((unsigned char)path[i + 1]) && isxdigit((unsigned char)path[i + 2]));
        if (escape)
            o += sprintf(o, "%%%02X", c);
        else
            *o++ = (char)c;
    }
    *o = '\0';
    return u;
}

/* Send the request of case c (its path "{location}": the header location, which may be NULL);
 * false (with why) when no answer came. */
static bool send_case(const server *sv, json_t *c, const char *location, answer *a, char *why,
                      size_t whylen)
{
    memset(a, 0, sizeof *a);
    const char *method = json_string_value(json_object_get(c, "method"));
    const char *body = json_string_value(json_object_get(c, "body"));
    const char *path = json_string_value(json_object_get(c, "path"));
    if (strcmp(path, "{location}") == 0) {
        if (!location) {
            snprintf(why, whylen, "no Location header in the answer before");
            return false;
        }
        path = location;
    }
    char *url = url_of(sv->base, path);
    CURL *h = curl_easy_init();
    assert_non_null(h);
    struct curl_slist *hs = NULL;
    bool typed = false;
    size_t i;
    json_t *pair;
    json_array_foreach(json_object_get(c, "headers"), i, pair)
    {
        char line[1024];
        snprintf(line, sizeof line, "%s: %s", json_string_value(json_array_get(pair, 0)),
                 json_string_value(json_array_get(pair, 1)));
        hs = curl_slist_append(hs, line);
        typed |= strcasecmp(json_string_value(json_array_get(pair, 0)), "Content-Type") == 0;
    }
    /* hspec-wai sends no Accept header unless the spec gives one; curl's default goes too */
    hs = curl_slist_append(hs, "Accept:");
    if (body && !typed) hs = curl_slist_append(hs, "Content-Type: application/json");
    hs = curl_slist_append(hs, "Expect:");
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    if (strcmp(method, "HEAD") == 0) curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    if (body) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hs);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, a);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_head);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, a);
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 20L);
    CURLcode rc = curl_easy_perform(h);
    if (rc == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &a->status);
    else
        snprintf(why, whylen, "no answer: %s", curl_easy_strerror(rc));
    curl_slist_free_all(hs);
    curl_easy_cleanup(h);
    free(url);
    return rc == CURLE_OK;
}

static void answer_free(answer *a)
{
    free(a->body);
    free(a->head);
}

/* The value of the header called name in a (the first of them), into out; false if absent. */
static bool header_of(const answer *a, const char *name, char *out, size_t n)
{
    size_t nl = strlen(name);
    for (const char *l = a->head; l && *l;) {
        const char *end = strchr(l, '\n');
        size_t ll = end ? (size_t)(end - l) : strlen(l);
        if (ll > nl && strncasecmp(l, name, nl) == 0 && l[nl] == ':') {
            const char *v = l + nl + 1;
            while (*v == ' ' || *v == '\t')
                v++;
            size_t vl = (size_t)(l + ll - v);
            while (vl && (v[vl - 1] == '\r' || v[vl - 1] == ' '))
                vl--;
            snprintf(out, n, "%.*s", (int)vl, v);
            return true;
        }
        if (!end) break;
        l = end + 1;
    }
    return false;
}

/* ---- comparing ------------------------------------------------------------------------- */

/* JSON values equal as aeson's Value: numbers by value (1 and 1.0 are one number), arrays in
 * order, objects as sets of members.  With loose, an object may have members beyond those
 * of want (at this level only). */
static bool same(json_t *want, json_t *got, bool loose)
{
    if (json_is_number(want) && json_is_number(got))
        return json_number_value(want) == json_number_value(got);
    if (json_typeof(want) != json_typeof(got)) return false;
    switch (json_typeof(want)) {
    case JSON_OBJECT: {
        if (!loose && json_object_size(want) != json_object_size(got)) return false;
        const char *k;
        json_t *v;
        json_object_foreach(want, k, v)
        {
            json_t *g = json_object_get(got, k);
            if (!g || !same(v, g, false)) return false;
        }
        return true;
    }
    case JSON_ARRAY: {
        if (json_array_size(want) != json_array_size(got)) return false;
        for (size_t i = 0; i < json_array_size(want); i++)
            if (!same(json_array_get(want, i), json_array_get(got, i), false)) return false;
        return true;
    }
    case JSON_STRING:
        return json_string_length(want) == json_string_length(got) &&
               memcmp(json_string_value(want), json_string_value(got), json_string_length(want)) ==
                   0;
    default:
        return json_equal(want, got);
    }
}

/* An error body as PostgREST writes them: an object with code and message. */
static bool is_error(json_t *v)
{
    return json_is_object(v) && json_object_get(v, "code") && json_object_get(v, "message");
}

/* Whether the answer a is the one case c expects; if not, why. */
static bool matches(json_t *c, const answer *a, char *why, size_t n)
{
    json_t *status = json_object_get(c, "status");
    if (status && a->status != json_integer_value(status)) {
        snprintf(why, n, "status %ld, expected %lld: %.300s", a->status,
                 (long long)json_integer_value(status), a->body ? a->body : "");
        return false;
    }
    json_t *want = json_object_get(c, "response");
    if (want) {
        json_t *got = a->body ? json_loadb(a->body, a->len, JSON_DECODE_ANY, NULL) : NULL;
        bool ok = got && same(want, got, is_error(want));
        json_decref(got);
        if (!ok) {
            char *w = json_dumps(want, JSON_COMPACT | JSON_ENCODE_ANY);
            snprintf(why, n, "body %.400s, expected %.400s", a->body ? a->body : "(none)", w);
            free(w);
            return false;
        }
    }
    json_t *text = json_object_get(c, "response_text");
    if (text && strcmp(json_string_value(text), a->body ? a->body : "") != 0) {
        snprintf(why, n, "body '%.300s', expected '%.300s'", a->body ? a->body : "",
                 json_string_value(text));
        return false;
    }
    const char *name;
    json_t *v;
    json_object_foreach(json_object_get(c, "response_headers"), name, v)
    {
        char have[1024];
        bool present = header_of(a, name, have, sizeof have);
        if (json_is_null(v)) {
            if (present) {
                snprintf(why, n, "header %s: '%s', expected none", name, have);
                return false;
            }
            continue;
        }
        if (strcasecmp(name, "Content-Length") == 0 && want && is_error(want)) continue;
        if (json_object_get(json_object_get(c, "loose"), name)) continue; /* its reason there */
        if (!present) {
            snprintf(why, n, "header %s missing", name);
            return false;
        }
        bool ok;
        const char *expect;
        if (json_is_string(v)) {
            expect = json_string_value(v);
            ok = strcmp(have, expect) == 0;
        } else if ((expect = json_string_value(json_object_get(v, "media")))) {
            size_t ml = strcspn(have, ";");
            while (ml && have[ml - 1] == ' ')
                ml--;
            ok = strlen(expect) == ml && strncasecmp(have, expect, ml) == 0;
        } else {
            expect = json_string_value(json_object_get(v, "contains"));
            ok = expect && strstr(have, expect) != NULL;
        }
        if (!ok) {
            snprintf(why, n, "header %s: '%s', expected '%s'", name, have, expect ? expect : "?");
            return false;
        }
    }
    return true;
}

/* ---- the run --------------------------------------------------------------------------- */

enum { SKIPPED, PASSED, FAILED };

/* The spec file of a case: its id up to the first '/'. */
static void spec_of(const char *id, char *out, size_t n)
{
    snprintf(out, n, "%.*s", (int)strcspn(id, "/"), id);
}

/* Whether case c runs on the engine under test. */
static bool runs_here(json_t *c)
{
    if (json_object_get(c, "skip")) return false;
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(c, "engines"), i,
                       e) if (strcmp(json_string_value(e), engine()) == 0) return true;
    return false;
}

static bool listed(char *const *ids, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(ids[i], id) == 0) return true;
    return false;
}

/* The length of id without the " #N" that numbers the requests of one spec example. */
static size_t example_len(const char *id)
{
    size_t n = strlen(id), k = n;
    while (k > 0 && isdigit((unsigned char)id[k - 1]))
        k--;
    return k < n && k >= 2 && id[k - 1] == '#' && id[k - 2] == ' ' ? k - 2 : n;
}

/* Whether the case ids a and b are requests of one spec example. */
static bool same_example(const char *a, const char *b)
{
    size_t n = example_len(a);
    return n == example_len(b) && strncmp(a, b, n) == 0;
}

/* Whether case c sends "Prefer: tx=commit" (alone or among other preferences). */
static bool commits(json_t *c)
{
    size_t i;
    json_t *pair;
    json_array_foreach(json_object_get(c, "headers"), i, pair)
    {
        if (strcasecmp(json_string_value(json_array_get(pair, 0)), "Prefer") != 0) continue;
        for (const char *p = json_string_value(json_array_get(pair, 1)); *p;) {
            p += strspn(p, " \t,");
            size_t n = strcspn(p, ",");
            size_t t = n;
            while (t && (p[t - 1] == ' ' || p[t - 1] == '\t'))
                t--;
            if (t == 9 && strncmp(p, "tx=commit", 9) == 0) return true;
            p += n;
        }
    }
    return false;
}

static void test_postgrest_spec(void **state)
{
    (void)state;
    char cases_name[64];
    snprintf(cases_name, sizeof cases_name, "%s_cases.json", set);
    char *cases_text = slurp(cases_name);
    if (!cases_text) fail_msg("cannot read %s/%s", dir, cases_name);
    json_error_t jerr;
    json_t *doc = json_loads(cases_text, 0, &jerr);
    free(cases_text);
    if (!doc) fail_msg("%s:%d: %s", cases_name, jerr.line, jerr.text);
    json_t *cases = json_object_get(doc, "cases");
    size_t ncases = json_array_size(cases);
    assert_true(ncases > 0);

    char list_name[64];
    snprintf(list_name, sizeof list_name, "%s_passing_%s.txt", set, on_pg() ? "pg" : "sqlite");
    bool write =
        getenv("REFLITE_RATCHET_WRITE") && strcmp(getenv("REFLITE_RATCHET_WRITE"), "1") == 0;
    bool verbose =
        getenv("REFLITE_RATCHET_VERBOSE") && strcmp(getenv("REFLITE_RATCHET_VERBOSE"), "1") == 0;

    /* the list: one id a line; "#" starts a comment line */
    char **ids = NULL;
    size_t nids = 0;
    char *list = slurp(list_name);
    if (!list && !write)
        fail_msg("cannot read %s/%s (REFLITE_RATCHET_WRITE=1 makes it)", dir, list_name);
    for (char *line = list ? strtok(list, "\n") : NULL; line; line = strtok(NULL, "\n")) {
        if (line[0] == '#' || line[0] == '\0') continue;
        char **more = realloc(ids, (nids + 1) * sizeof *ids);
        assert_non_null(more);
        ids = more;
        ids[nids++] = line;
    }

    char *schema = fixture(false), *rows = fixture(true);
    /* PostgreSQL's statistics of the rows, as PostgREST's own test setup takes them (VACUUM
     * ANALYZE after loading): count=planned reads the planner's estimates */
    size_t sql_len = strlen(schema) + strlen(rows) + sizeof "ANALYZE;";
    char *sql = malloc(sql_len);
    assert_non_null(sql);
    snprintf(sql, sql_len, "%s%s%s", schema, rows, on_pg() ? "ANALYZE;" : "");
    /* PostgREST's spec serves the fixture as the schema "test" */
    server sv;
    rl_server_options so = {.threads = 1, .schema = "test"};
    open_with(&sv, sql, &so);
    assert_int_equal(rl_server_rest(sv.s, ""), RL_OK);
    listen_now(&sv);
    free(sql);
    snapshot(&sv);

    int *result = calloc(ncases, sizeof *result);
    assert_non_null(result);
    size_t regressions = 0, news = 0;
    /* writes sent since the fixture's rows were loaded; whether all of them with tx=commit */
    bool dirty = false, committed = true;
    const char *last = NULL; /* the id of the case run before */
    char *location = NULL;   /* the last Location header of its example's answers */
    /* the second server, for cases under db-aggregates-enabled = false (started when first
     * needed; PostgREST's other settings are those of its spec's main configuration) */
    server plain = {.db = sv.db};
    for (size_t i = 0; i < ncases; i++) {
        json_t *c = json_array_get(cases, i);
        const char *id = json_string_value(json_object_get(c, "id"));
        if (!runs_here(c)) continue;
        const server *to = &sv;
        json_t *config = json_object_get(c, "config");
        if (config) {
            json_t *aggregates = json_object_get(config, "db-aggregates-enabled");
            if (json_object_size(config) != 1 || !json_is_false(aggregates))
                fail_msg("%s: a configuration the runner does not know", id);
            if (!plain.s) {
                rl_server_options po = so;
                po.no_aggregates = true;
                po.quiet = true;
                plain = serve_rest(sv.db, &po);
            }
            to = &plain;
        }
        if (dirty && !(committed && last && same_example(last, id))) {
            reset(&sv, rows);
            dirty = false;
            committed = true;
        }
        if (location && !(last && same_example(last, id))) {
            free(location);
            location = NULL;
        }
        if (on_pg() && estimates(c)) analyze(&sv);
        answer a;
        char why[1200] = "";
        bool answered = send_case(to, c, location, &a, why, sizeof why);
        bool ok = answered && matches(c, &a, why, sizeof why);
        char have[1024];
        if (answered && header_of(&a, "Location", have, sizeof have)) {
            free(location);
            location = strdup(have);
        }
        answer_free(&a);
        result[i] = ok ? PASSED : FAILED;
        if (!ok && verbose)
            printf("FAIL %s\n     %s %s\n     %s\n", id,
                   json_string_value(json_object_get(c, "method")),
                   json_string_value(json_object_get(c, "path")), why);
        if (!write && !ok && listed(ids, nids, id)) {
            printf("regression: %s\n  %s\n", id, why);
            regressions++;
        }
        if (!write && ok && !listed(ids, nids, id)) news++;
        /* PostgREST's spec rolls every request back unless it commits: the next case gets the
         * fixture's rows anew unless it continues this example after committed writes only
         * (whatever the answer was: a refused write is rolled back there too) */
        const char *m = json_string_value(json_object_get(c, "method"));
        if (strcmp(m, "GET") != 0 && strcmp(m, "HEAD") != 0) {
            dirty = true;
            committed = committed && commits(c);
        }
        last = id;
    }
    free(location);
    free(sqlite_empty);
    rl_server_free(plain.s);
    stop(&sv);
    free(schema);
    free(rows);

    /* the summary per spec file, in the order the files first appear */
    printf("PostgREST's spec cases of %s on %s:\n", cases_name, engine());
    size_t total[3] = {0};
    for (size_t i = 0; i < ncases; i++) {
        char spec[128];
        spec_of(json_string_value(json_object_get(json_array_get(cases, i), "id")), spec,
                sizeof spec);
        bool first = true;
        for (size_t j = 0; j < i && first; j++) {
            char other[128];
            spec_of(json_string_value(json_object_get(json_array_get(cases, j), "id")), other,
                    sizeof other);
            first = strcmp(spec, other) != 0;
        }
        total[result[i]]++;
        if (!first) continue;
        size_t count[3] = {0};
        for (size_t j = i; j < ncases; j++) {
            char other[128];
            spec_of(json_string_value(json_object_get(json_array_get(cases, j), "id")), other,
                    sizeof other);
            if (strcmp(spec, other) == 0) count[result[j]]++;
        }
        printf("  %-26s %3zu passed, %3zu failing, %3zu skipped\n", spec, count[PASSED],
               count[FAILED], count[SKIPPED]);
    }
    printf("  %-26s %3zu passed, %3zu failing, %3zu skipped\n", "all", total[PASSED], total[FAILED],
           total[SKIPPED]);

    if (write) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, list_name);
        FILE *f = fopen(path, "w");
        if (!f) fail_msg("cannot write %s", path);
        fprintf(f,
                "# The ids of tests/postgrest/%s that pass on %s (one a line),\n"
                "# written by REFLITE_RATCHET_WRITE=1 test_postgrest_read: see its comment.\n",
                cases_name, engine());
        for (size_t i = 0; i < ncases; i++)
            if (result[i] == PASSED)
                fprintf(f, "%s\n",
                        json_string_value(json_object_get(json_array_get(cases, i), "id")));
        fclose(f);
        printf("wrote %s (%zu ids)\n", path, total[PASSED]);
    } else {
        /* listed ids that name no case run here: the list is stale */
        size_t stale = 0;
        for (size_t k = 0; k < nids; k++) {
            bool found = false;
            for (size_t i = 0; i < ncases && !found; i++)
                found =
                    result[i] != SKIPPED &&
                    strcmp(ids[k],
                           json_string_value(json_object_get(json_array_get(cases, i), "id"))) == 0;
            if (!found) {
                printf("listed but not a case run on %s: %s\n", engine(), ids[k]);
                stale++;
            }
        }
        if (news) {
            printf("%zu cases pass that %s does not list; add them (or run with "
                   "REFLITE_RATCHET_WRITE=1):\n",
                   news, list_name);
            for (size_t i = 0; i < ncases; i++) {
                const char *id = json_string_value(json_object_get(json_array_get(cases, i), "id"));
                if (result[i] == PASSED && !listed(ids, nids, id)) printf("%s\n", id);
            }
        }
        if (regressions || news || stale)
            fail_msg("%zu regressions, %zu new passes, %zu stale ids in %s", regressions, news,
                     stale, list_name);
    }
    free(result);
    free(ids);
    free(list);
    json_decref(doc);
}

int main(int argc, char **argv)
{
    if (argc != 2 && argc != 3) {
        fprintf(stderr, "usage: %s DIR [read|write] (the directory of read_cases.json)\n", argv[0]);
        return 2;
    }
    dir = argv[1];
    if (argc == 3) set = argv[2];
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_postgrest_spec)};
    int rc = run_suite(tests);
    curl_global_cleanup();
    return rc;
}

/*
 * Foreign keys keep the names the database gives them, on both engines: a key named as a table
 * constraint, on its column (CONSTRAINT name REFERENCES ...), of several columns, two named
 * keys to one table, a view's key (its table's name), an unnamed key (PostgreSQL's default
 * name, none on SQLite) (rl_models_key_name); the server's embedding takes those names as
 * hints and as what to embed, to-one and to-many, and its ambiguity details name them.  On
 * SQLite, the reader of the CREATE TABLE text (src/backend/sqlite/fknames.c) on tricky texts,
 * and on texts cut short or with junk put in, which never crash it nor give a key a name
 * that is not its own.
 */
#include "pipeline.h"

#include "core/schema.h"

#include <stdlib.h>
#include <string.h>

void rli_sqlite_fk_names(sch_table *t);

#define SHIP "ship, to \"\xc3\xa9\""

static const char *const tables =
    "CREATE TABLE addresses (id INTEGER PRIMARY KEY, address TEXT);"
    "CREATE TABLE orders (id INTEGER PRIMARY KEY, name TEXT, billing_id INTEGER, shipping_id "
    "INTEGER, CONSTRAINT billing FOREIGN KEY (billing_id) REFERENCES addresses (id), "
    "CONSTRAINT \"ship, to \"\"\xc3\xa9\"\"\" FOREIGN KEY (shipping_id) REFERENCES addresses "
    "(id));"
    "CREATE TABLE clients (id INTEGER PRIMARY KEY, name TEXT);"
    "CREATE TABLE projects (id INTEGER PRIMARY KEY, name TEXT, client_id INTEGER CONSTRAINT "
    "client REFERENCES clients (id));"
    "CREATE TABLE shifts (act INTEGER NOT NULL, sched INTEGER NOT NULL, label TEXT, PRIMARY KEY "
    "(act, sched));"
    "CREATE TABLE workdays (id INTEGER PRIMARY KEY, day TEXT, a INTEGER, s INTEGER, CONSTRAINT "
    "fst_shift FOREIGN KEY (a, s) REFERENCES shifts (act, sched));"
    "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT, project_id INTEGER REFERENCES "
    "projects (id));"
    "CREATE VIEW projects_view AS SELECT id, name, client_id FROM projects;";
static const char *const rows =
    "INSERT INTO addresses VALUES (1, 'Main St'), (2, 'Dock 4');"
    "INSERT INTO orders VALUES (1, 'lamp', 1, 2), (2, 'desk', 2, 2);"
    "INSERT INTO clients VALUES (1, 'Acme'), (2, 'Umbrella');"
    "INSERT INTO projects VALUES (1, 'rocket', 1), (2, 'vaccine', 2), (3, 'anvil', 1);"
    "INSERT INTO shifts VALUES (1, 1, 'early'), (1, 2, 'late');"
    "INSERT INTO workdays VALUES (1, 'mon', 1, 2), (2, 'tue', 1, 1);"
    "INSERT INTO notes VALUES (1, 'go', 1);";

static int setup(void **state)
{
    *state = pipeline_open(tables, rows);
    return 0;
}

static int teardown(void **state)
{
    return pipeline_close(state);
}

/* The name of key of table (NULL: none). */
static const char *key_name(fixture *f, const char *table, const char *key)
{
    const rl_model *m = rl_models_find(f->ms, table);
    if (!m) fail_msg("no model %s", table);
    return rl_models_key_name(f->ms, m, key);
}

static void expect_name(fixture *f, const char *table, const char *key, const char *want)
{
    const char *got = key_name(f, table, key);
    if (!want ? got != NULL : !got || strcmp(got, want) != 0)
        fail_msg("%s key %s: got %s, want %s", table, key, got ? got : "NULL",
                 want ? want : "NULL");
}

static void test_key_names(void **state)
{
    fixture *f = *state;
    expect_name(f, "orders", "billing_id", "billing");
    expect_name(f, "orders", "shipping_id", SHIP);
    expect_name(f, "projects", "client_id", "client"); /* CONSTRAINT on the column */
    expect_name(f, "workdays", "a,s", "fst_shift");    /* a key of two columns */
    expect_name(f, "projects_view", "client_id", "client");
    /* a key without a name: PostgreSQL's default one; SQLite gives none */
    expect_name(f, "notes", "project_id", on_pg() ? "notes_project_id_fkey" : NULL);
    expect_name(f, "orders", "name", NULL); /* no key */
    expect_name(f, "orders", "a,s", NULL);
    assert_null(rl_models_key_name(NULL, rl_models_find(f->ms, "orders"), "billing_id"));
    assert_null(rl_models_key_name(f->ms, NULL, "billing_id"));
    assert_null(rl_models_key_name(f->ms, rl_models_find(f->ms, "orders"), NULL));
}

static void expect(fixture *f, const char *rel, const char *query, const char *want)
{
    pipeline_expect(f->db, f->ms, rel, query, want);
}

static void test_embed_by_name(void **state)
{
    fixture *f = *state;
    /* two named keys to one table, each embedded by its name */
    expect(f, "orders", "select=id,billing(address)&order=id",
           "[{\"id\":1,\"billing\":{\"address\":\"Main St\"}},{\"id\":2,\"billing\":{\"address\":"
           "\"Dock 4\"}}]");
    expect(f, "orders", "select=id,b:billing(address),shipping:addresses!shipping_id(id)&id=eq.1",
           "[{\"id\":1,\"b\":{\"address\":\"Main St\"},\"shipping\":{\"id\":2}}]");
    /* the key named on its column, to-one, and to-many from the parent */
    expect(f, "projects", "select=name,client(name)&id=eq.2",
           "[{\"name\":\"vaccine\",\"client\":{\"name\":\"Umbrella\"}}]");
    expect(f, "clients", "select=name,client(name)&id=eq.1&client.order=id",
           "[{\"name\":\"Acme\",\"client\":[{\"name\":\"rocket\"},{\"name\":\"anvil\"}]}]");
    /* a key of two columns, both ways */
    expect(f, "workdays", "select=day,fst_shift(label)&order=id",
           "[{\"day\":\"mon\",\"fst_shift\":{\"label\":\"late\"}},{\"day\":\"tue\",\"fst_shift\":"
           "{\"label\":\"early\"}}]");
    expect(f, "shifts", "select=label,fst_shift(day)&sched=eq.1",
           "[{\"label\":\"early\",\"fst_shift\":[{\"day\":\"tue\"}]}]");
    /* a view's key has its table's name */
    expect(f, "projects_view", "select=name,client(name)&id=eq.3",
           "[{\"name\":\"anvil\",\"client\":{\"name\":\"Acme\"}}]");
    /* no key of that name */
    expect(f, "orders", "select=id,nothing(id)", "400 PGRST200");
}

/* The error of GET /rel?query planned: status and code, with its details containing want. */
static void expect_details(fixture *f, const char *rel, const char *query, const char *want)
{
    rlh_parse_in in = {
        .method = "GET", .relation = rel, .query = query, .query_len = strlen(query)};
    rlh_req *req = rlh_parse(&in);
    assert_non_null(req);
    rlh_plan *p = rlh_plan_read(req, f->ms, NULL);
    assert_non_null(p);
    assert_non_null(p->error);
    if (!p->error->details || !strstr(p->error->details, want))
        fail_msg("%s?%s: details %s, want %s in them", rel, query,
                 p->error->details ? p->error->details : "NULL", want);
    rlh_plan_free(p);
    rlh_req_free(req);
}

static void test_hint_by_name(void **state)
{
    fixture *f = *state;
    expect(f, "orders", "select=id,addresses!billing(address)&id=eq.2",
           "[{\"id\":2,\"addresses\":{\"address\":\"Dock 4\"}}]");
    expect(f, "addresses", "select=id,orders!billing(name)&order=id",
           "[{\"id\":1,\"orders\":[{\"name\":\"lamp\"}]},{\"id\":2,\"orders\":[{\"name\":"
           "\"desk\"}]}]");
    expect(f, "clients", "select=name,projects!client(name)&id=eq.2",
           "[{\"name\":\"Umbrella\",\"projects\":[{\"name\":\"vaccine\"}]}]");
    expect(f, "workdays", "select=day,shifts!fst_shift(label)&id=eq.2",
           "[{\"day\":\"tue\",\"shifts\":{\"label\":\"early\"}}]");
    /* a key with a name is not hinted by the default one */
    expect(f, "orders", "select=id,addresses!orders_billing_id_fkey(address)", "400 PGRST200");
    /* two ways: the details and hints name the keys by their names */
    expect(f, "orders", "select=id,addresses(id)", "300 PGRST201");
    expect_details(f, "orders", "select=id,addresses(id)",
                   "\"billing using orders(billing_id) and addresses(id)\"");
    expect_details(f, "orders", "select=id,addresses(id)",
                   "\"ship, to \\\"\xc3\xa9\\\" using orders(shipping_id) and addresses(id)\"");
    /* an unnamed key is hinted by its default name on both engines */
    expect(f, "projects", "select=name,notes!notes_project_id_fkey(body)&id=eq.1",
           "[{\"name\":\"rocket\",\"notes\":[{\"body\":\"go\"}]}]");
}

/* ---- SQLite: the names in CREATE TABLE texts ------------------------------------------------ */

/* The name of the key of column col of table "c" when the parent par and c are created by
 * sql, in a fresh SQLite database. */
static char *sqlite_name(const char *sql, const char *col)
{
    rl_db *db = NULL;
    rl_models *ms = NULL;
    assert_int_equal(rl_open(&db, ":memory:", NULL), RL_OK);
    if (rl_exec(db, sql, NULL, 0, NULL) != RL_OK) fail_msg("%s: %s", sql, rl_errmsg(db));
    assert_int_equal(rl_models_load(db, &ms), RL_OK);
    const char *n = rl_models_key_name(ms, rl_models_find(ms, "c"), col);
    char *out = n ? strdup(n) : NULL;
    rl_models_free(ms);
    rl_close(db);
    return out;
}

#define PARENTS                                                                                    \
    "CREATE TABLE par (id INTEGER PRIMARY KEY, u INTEGER UNIQUE);"                                 \
    "CREATE TABLE par2 (x INTEGER, y INTEGER, PRIMARY KEY (x, y));"

static void test_sqlite_texts(void **state)
{
    (void)state;
    static const struct {
        const char *table, *col, *want;
    } cases[] = {
        /* comments and strings that look like constraints */
        {"CREATE TABLE c (id INTEGER PRIMARY KEY, /* CONSTRAINT fake FOREIGN KEY (p) "
         "REFERENCES par */ p INTEGER -- CONSTRAINT nope REFERENCES par\n CONSTRAINT \"real\" "
         "REFERENCES par)",
         "p", "real"},
        {"CREATE TABLE c (p INTEGER DEFAULT 'CONSTRAINT z REFERENCES par' CONSTRAINT k "
         "REFERENCES par)",
         "p", "k"},
        /* nested parentheses before the key */
        {"CREATE TABLE c (p INTEGER CHECK (p > (0 + (1))) CONSTRAINT k2 REFERENCES par(id))", "p",
         "k2"},
        /* a name for another constraint of the column is not the key's */
        {"CREATE TABLE c (p INTEGER CONSTRAINT nn NOT NULL REFERENCES par)", "p", NULL},
        {"CREATE TABLE c (p INTEGER CONSTRAINT nn NOT NULL CONSTRAINT fk REFERENCES par)", "p",
         "fk"},
        /* quoted every way: [], ``, '' and "" with quotes, commas, spaces and accents */
        {"CREATE TABLE c (p INTEGER, CONSTRAINT [my key] FOREIGN KEY ([p]) REFERENCES [par])", "p",
         "my key"},
        {"CREATE TABLE c (p INTEGER, CONSTRAINT `x``y` FOREIGN KEY (`p`) REFERENCES `par`)", "p",
         "x`y"},
        {"CREATE TABLE c (p INTEGER, CONSTRAINT 'it''s' FOREIGN KEY (p) REFERENCES par)", "p",
         "it's"},
        {"CREATE TABLE c (p INTEGER, CONSTRAINT \"a \"\"b\"\", c \xc3\xa9\" FOREIGN KEY (p) "
         "REFERENCES par (u))",
         "p", "a \"b\", c \xc3\xa9"},
        {"CREATE TABLE c (p INTEGER, CONSTRAINT cl\xc3\xa9_\xc3\xa9trang\xc3\xa8re FOREIGN KEY (p) "
         "REFERENCES par)",
         "p", "cl\xc3\xa9_\xc3\xa9trang\xc3\xa8re"},
        /* names as SQLite compares them: ASCII letters in any case */
        {"CREATE TABLE c (p INTEGER, CONSTRAINT K FOREIGN KEY (P) REFERENCES par (id))", "p", "K"},
        /* a key of two columns, in another order than the parent's key */
        {"CREATE TABLE c (a INTEGER, b INTEGER, CONSTRAINT two FOREIGN KEY (b, a) REFERENCES "
         "par2 (y, x))",
         "b,a", "two"},
        {"CREATE TABLE c (a INTEGER, b INTEGER, CONSTRAINT two FOREIGN KEY (a, b) REFERENCES "
         "par2)",
         "a,b", "two"},
        /* one key declared twice under two names: neither name is sure */
        {"CREATE TABLE c (p INTEGER, CONSTRAINT one FOREIGN KEY (p) REFERENCES par, CONSTRAINT "
         "two FOREIGN KEY (p) REFERENCES par)",
         "p", NULL},
        /* two keys of one column to two parents: each its own */
        {"CREATE TABLE c (p INTEGER CONSTRAINT to_u REFERENCES par (u), q INTEGER, CONSTRAINT "
         "to_id FOREIGN KEY (q) REFERENCES par (id))",
         "p", "to_u"},
        {"CREATE TABLE c (p INTEGER CONSTRAINT to_u REFERENCES par (u), q INTEGER, CONSTRAINT "
         "to_id FOREIGN KEY (q) REFERENCES par (id))",
         "q", "to_id"},
        /* a table name with parentheses and a column named like a keyword */
        {"CREATE TABLE \"c\" (\"constraint\" INTEGER CONSTRAINT \"(\" REFERENCES par)",
         "constraint", "("},
        /* a key without a name, an empty name */
        {"CREATE TABLE c (p INTEGER REFERENCES par)", "p", NULL},
        {"CREATE TABLE c (p INTEGER, CONSTRAINT \"\" FOREIGN KEY (p) REFERENCES par)", "p", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char sql[1000];
        snprintf(sql, sizeof sql, "%s%s;", PARENTS, cases[i].table);
        char *got = sqlite_name(sql, cases[i].col);
        const char *want = cases[i].want;
        if (!want ? got != NULL : !got || strcmp(got, want) != 0)
            fail_msg("case %zu (%s): got %s, want %s", i, cases[i].table, got ? got : "NULL",
                     want ? want : "NULL");
        free(got);
    }
}

/* The keys the PRAGMA gives for FUZZ_TEXT, and their names. */
#define FUZZ_TEXT                                                                                  \
    "CREATE TABLE c (id INTEGER PRIMARY KEY, p INTEGER /* (x */ CONSTRAINT \"p \"\"k\"\"\" "       \
    "REFERENCES par, q TEXT DEFAULT ')' CONSTRAINT [q,k] REFERENCES par (u), a INT, b INT, "       \
    "CONSTRAINT `ab` FOREIGN KEY (a, b) REFERENCES par2 (x, y) ON DELETE CASCADE, -- ')\n"         \
    "CONSTRAINT 'n\xc3\xa9' CHECK (a > 0))"

/* Run the reader on text with the keys the PRAGMA gives for FUZZ_TEXT: a key gets no name or
 * its own (want[k]; whole: the whole text, where each must get it), never another key's. */
static void run_reader(const char *text, bool whole)
{
    static const char *const want[] = {"p \"k\"", "q,k", "ab"};
    sch_fk fks[3] = {{.from = "p", .parent = "par", .to = ""},
                     {.from = "q", .parent = "par", .to = "u"},
                     {.from = "a, b", .parent = "par2", .to = "x, y"}};
    sch_table t = {.sql = (char *)text, .fks = fks, .nfks = 3};
    rli_sqlite_fk_names(&t);
    for (size_t k = 0; k < 3; k++) {
        for (size_t j = 0; j < 3; j++)
            if (j != k && fks[k].name && strcmp(fks[k].name, want[j]) == 0)
                fail_msg("key %zu of %s: named %s, the name of key %zu", k, text, fks[k].name, j);
        if (whole && (!fks[k].name || strcmp(fks[k].name, want[k]) != 0))
            fail_msg("key %zu of %s: named %s", k, text, fks[k].name ? fks[k].name : "NULL");
        free(fks[k].name);
    }
}

/* A cut text names a key by its own name or not at all. */
static void run_cut(const char *text)
{
    static const char *const want[] = {"p \"k\"", "q,k", "ab"};
    sch_fk fks[3] = {{.from = "p", .parent = "par", .to = ""},
                     {.from = "q", .parent = "par", .to = "u"},
                     {.from = "a, b", .parent = "par2", .to = "x, y"}};
    sch_table t = {.sql = (char *)text, .fks = fks, .nfks = 3};
    rli_sqlite_fk_names(&t);
    for (size_t k = 0; k < 3; k++) {
        if (fks[k].name && strcmp(fks[k].name, want[k]) != 0)
            fail_msg("key %zu of %s: named %s", k, text, fks[k].name);
        free(fks[k].name);
    }
}

static void test_sqlite_reader_fuzz(void **state)
{
    (void)state;
    static const char junk[] = "\"'`[]()-/*,; \x80";
    char text[sizeof FUZZ_TEXT + 8];
    size_t len = strlen(FUZZ_TEXT);
    run_reader(FUZZ_TEXT, true);
    /* cut short anywhere: each key its own name or none */
    for (size_t cut = 0; cut < len; cut++) {
        memcpy(text, FUZZ_TEXT, cut);
        text[cut] = '\0';
        run_cut(text);
    }
    /* a byte of junk put in anywhere, or a byte replaced anywhere: never a crash (the
     * sanitizers watch), never a key named by another's name */
    unsigned seed = 7;
    for (size_t at = 0; at <= len; at++)
        for (size_t j = 0; j + 1 < sizeof junk; j++) {
            memcpy(text, FUZZ_TEXT, at);
            text[at] = junk[j];
            memcpy(text + at + 1, &FUZZ_TEXT[at], len - at + 1);
            run_reader(text, false);
            seed = seed * 1103515245u + 12345u;
            memcpy(text, FUZZ_TEXT, len + 1);
            if (at < len) text[at] = (char)((seed >> 16) | 1);
            run_reader(text, false);
        }
}

int main(void)
{
    const struct CMUnitTest both[] = {
        cmocka_unit_test_setup_teardown(test_key_names, setup, teardown),
        cmocka_unit_test_setup_teardown(test_embed_by_name, setup, teardown),
        cmocka_unit_test_setup_teardown(test_hint_by_name, setup, teardown),
    };
    const struct CMUnitTest sqlite_only[] = {
        cmocka_unit_test(test_sqlite_texts),
        cmocka_unit_test(test_sqlite_reader_fuzz),
    };
    return run_suites(both, sqlite_only);
}

/*
 * Keys of every shape over HTTP, on both engines: a table keyed by text embeds as a parent and
 * takes upserts on its key; a key to a UNIQUE column embeds; a link table keyed by its pair
 * embeds many-to-many; a one-to-one relation (the child's key unique) is one object or null;
 * PATCH with return=representation on tables without an integer key, key columns included;
 * composite keys embed one-to-one, to-many and through a link table.
 */
#include "http_client.h"

static const char *LITE =
    "CREATE TABLE countries (code TEXT PRIMARY KEY, name TEXT NOT NULL);"
    "CREATE TABLE cities (id INTEGER PRIMARY KEY, name TEXT, country TEXT REFERENCES countries);"
    "CREATE TABLE addresses (id INTEGER PRIMARY KEY, uid TEXT NOT NULL UNIQUE, street TEXT);"
    "CREATE TABLE orders (id INTEGER PRIMARY KEY, item TEXT, billing TEXT REFERENCES addresses "
    "(uid));"
    "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);"
    "CREATE TABLE tasks (id INTEGER PRIMARY KEY, title TEXT);"
    "CREATE TABLE users_tasks (user_id INTEGER NOT NULL REFERENCES users, task_id INTEGER NOT "
    "NULL REFERENCES tasks, PRIMARY KEY (user_id, task_id));"
    "CREATE TABLE profiles (user_id INTEGER NOT NULL UNIQUE REFERENCES users, bio TEXT);"
    "CREATE TABLE logs (msg TEXT, level INTEGER);";

static const char *PG =
    "CREATE TABLE countries (code varchar(2) PRIMARY KEY, name text NOT NULL);"
    "CREATE TABLE cities (id bigint PRIMARY KEY, name text, country varchar(2) REFERENCES "
    "countries);"
    "CREATE TABLE addresses (id bigint PRIMARY KEY, uid uuid NOT NULL UNIQUE, street text);"
    "CREATE TABLE orders (id bigint PRIMARY KEY, item text, billing uuid REFERENCES addresses "
    "(uid));"
    "CREATE TABLE users (id bigint PRIMARY KEY, name text);"
    "CREATE TABLE tasks (id bigint PRIMARY KEY, title text);"
    "CREATE TABLE users_tasks (user_id bigint NOT NULL REFERENCES users, task_id bigint NOT NULL "
    "REFERENCES tasks, PRIMARY KEY (user_id, task_id));"
    "CREATE TABLE profiles (user_id bigint NOT NULL UNIQUE REFERENCES users, bio text);"
    "CREATE TABLE logs (msg text, level integer);";

#define UA "6f1c2b3a-0000-4000-8000-00000000000a"
#define UB "6f1c2b3a-0000-4000-8000-00000000000b"

static const char *ROWS =
    "INSERT INTO countries VALUES ('FR', 'France'), ('DE', 'Germany'), ('IS', 'Iceland');"
    "INSERT INTO cities VALUES (1, 'Paris', 'FR'), (2, 'Lyon', 'FR'), (3, 'Berlin', 'DE'), (4, "
    "'Atlantis', NULL);"
    "INSERT INTO addresses VALUES (1, '" UA "', 'Rue A'), (2, '" UB "', 'Rue B');"
    "INSERT INTO orders VALUES (1, 'pen', '" UB "'), (2, 'cap', NULL);"
    "INSERT INTO users VALUES (1, 'ann'), (2, 'bob');"
    "INSERT INTO tasks VALUES (1, 'wash'), (2, 'cook'), (3, 'read');"
    "INSERT INTO users_tasks VALUES (1, 1), (1, 3), (2, 2);"
    "INSERT INTO profiles VALUES (1, 'hi');"
    "INSERT INTO logs VALUES ('a', 1), ('b', 2)";

static void start_keys(server *sv)
{
    char sql[4096];
    snprintf(sql, sizeof sql, "%s%s", on_pg() ? PG : LITE, ROWS);
    start_sql(sv, sql);
}

static void test_embeds_of_every_key(void **state)
{
    (void)state;
    server sv;
    start_keys(&sv);
    expect_body(&sv, "/cities?select=name,countries(name)&order=id",
                "[{\"name\":\"Paris\",\"countries\":{\"name\":\"France\"}},{\"name\":\"Lyon\","
                "\"countries\":{\"name\":\"France\"}},{\"name\":\"Berlin\",\"countries\":{"
                "\"name\":\"Germany\"}},{\"name\":\"Atlantis\",\"countries\":null}]");
    expect_body(&sv, "/countries?select=code,cities(name)&order=code&cities.order=name",
                "[{\"code\":\"DE\",\"cities\":[{\"name\":\"Berlin\"}]},{\"code\":\"FR\","
                "\"cities\":[{\"name\":\"Lyon\"},{\"name\":\"Paris\"}]},{\"code\":\"IS\","
                "\"cities\":[]}]");
    expect_body(&sv, "/orders?select=item,addresses(street)&order=id",
                "[{\"item\":\"pen\",\"addresses\":{\"street\":\"Rue B\"}},{\"item\":\"cap\","
                "\"addresses\":null}]");
    expect_body(&sv, "/users?select=name,tasks(title)&order=id&tasks.order=title",
                "[{\"name\":\"ann\",\"tasks\":[{\"title\":\"read\"},{\"title\":\"wash\"}]},"
                "{\"name\":\"bob\",\"tasks\":[{\"title\":\"cook\"}]}]");
    /* the link table itself, and its hint */
    expect_body(&sv, "/users_tasks?select=task_id,users(name)&user_id=eq.2",
                "[{\"task_id\":2,\"users\":{\"name\":\"bob\"}}]");
    expect_body(&sv, "/users?select=name,tasks!users_tasks(title)&id=eq.2",
                "[{\"name\":\"bob\",\"tasks\":[{\"title\":\"cook\"}]}]");
    /* one-to-one: the child's key is unique, so one object or null */
    expect_body(&sv, "/users?select=name,profiles(bio)&order=id",
                "[{\"name\":\"ann\",\"profiles\":{\"bio\":\"hi\"}},{\"name\":\"bob\","
                "\"profiles\":null}]");
    /* a key column embedded under its own name: the relation takes the member * would give the
     * column (once, never twice); the column named in select= beside it is refused */
    expect_body(&sv, "/cities?select=*,country(name)&id=eq.1",
                "[{\"id\":1,\"name\":\"Paris\",\"country\":{\"name\":\"France\"}}]");
    expect_error(&sv, "GET", "/cities?select=country,country(name)", NULL, NULL, 400, "RL_EINVAL",
                 NULL, 0);
    stop(&sv);
}

static void test_writes_without_an_integer_key(void **state)
{
    (void)state;
    server sv;
    start_keys(&sv);
    static const char *const merge[] = {"Content-Type: application/json",
                                        "Prefer: resolution=merge-duplicates", NULL};
    resp r = call(&sv, "POST", "/countries", "{\"code\":\"FR\",\"name\":\"République\"}", merge);
    if (r.status != 200) fail_msg("upsert: %ld %s", r.status, r.body);
    done(&r);
    expect_body(&sv, "/countries?select=name&code=eq.FR", "[{\"name\":\"République\"}]");
    static const char *const repr[] = {"Content-Type: application/json",
                                       "Prefer: return=representation", NULL};
    r = call(&sv, "PATCH", "/logs?level=eq.1", "{\"msg\":\"z\"}", repr);
    if (r.status != 200) fail_msg("PATCH logs: %ld %s", r.status, r.body);
    assert_string_equal(r.body, "[{\"msg\":\"z\",\"level\":1}]");
    done(&r);
    r = call(&sv, "PATCH", "/users_tasks?user_id=eq.2", "{\"task_id\":3}", repr);
    if (r.status != 200) fail_msg("PATCH users_tasks: %ld %s", r.status, r.body);
    assert_string_equal(r.body, "[{\"user_id\":2,\"task_id\":3}]");
    done(&r);
    /* the representation of rows keyed by text lists them in the body's order, a merged row
     * (older in the table) after a new one as the body has them */
    static const char *const merge_repr[] = {"Content-Type: application/json",
                                             "Prefer: resolution=merge-duplicates",
                                             "Prefer: return=representation", NULL};
    r = call(&sv, "POST", "/countries?select=code",
             "[{\"code\":\"ZW\",\"name\":\"Zimbabwe\"},{\"code\":\"DE\",\"name\":\"Deutschland\"}]",
             merge_repr);
    if (r.status != 201) fail_msg("POST countries: %ld %s", r.status, r.body);
    assert_string_equal(r.body, "[{\"code\":\"ZW\"},{\"code\":\"DE\"}]");
    done(&r);
    /* a table without any key: a row like one already there is answered once, as written */
    r = call(&sv, "POST", "/logs", "{\"msg\":\"b\",\"level\":2}", repr);
    if (r.status != 201) fail_msg("POST logs: %ld %s", r.status, r.body);
    assert_string_equal(r.body, "[{\"msg\":\"b\",\"level\":2}]");
    done(&r);
    /* a broken text key: its value in the error's "key" is the value, not an SQL literal */
    r = call(&sv, "POST", "/cities", "{\"id\":9,\"name\":\"Oz\",\"country\":\"ZZ\"}", NULL);
    assert_int_equal(r.status, 409);
    json_t *key = json_object_get(r.json, "key");
    assert_string_equal(str_at(key, "column"), "country");
    assert_string_equal(str_at(key, "value"), "ZZ");
    done(&r);
    r = call(&sv, "PATCH", "/countries?code=eq.IS", "{\"code\":\"IC\"}", repr);
    if (r.status != 200) fail_msg("PATCH countries: %ld %s", r.status, r.body);
    assert_string_equal(r.body, "[{\"code\":\"IC\",\"name\":\"Iceland\"}]");
    done(&r);
    stop(&sv);
}

/* Composite keys (PostgREST's own fixture: students(id, code) <- students_info(id, code), the
 * child's whole primary key, so one-to-one), a to-many composite key, a link table with a
 * composite key to one side, and a hint naming a composite key. */
static const char *COMPOSITE_LITE =
    "CREATE TABLE students (id INTEGER NOT NULL, code TEXT NOT NULL, name TEXT, PRIMARY KEY "
    "(id, code));"
    "CREATE TABLE students_info (id INTEGER NOT NULL, code TEXT NOT NULL, address TEXT, PRIMARY "
    "KEY (id, code), FOREIGN KEY (id, code) REFERENCES students (id, code) ON DELETE CASCADE);"
    "CREATE TABLE marks (id INTEGER PRIMARY KEY, sid INTEGER, scode TEXT, mark INTEGER, "
    "FOREIGN KEY (sid, scode) REFERENCES students);"
    "CREATE TABLE clubs (id INTEGER PRIMARY KEY, name TEXT);"
    "CREATE TABLE members (club_id INTEGER NOT NULL REFERENCES clubs, sid INTEGER NOT NULL, "
    "scode TEXT NOT NULL, FOREIGN KEY (sid, scode) REFERENCES students (id, code), PRIMARY KEY "
    "(club_id, sid, scode));";
static const char *COMPOSITE_PG =
    "CREATE TABLE students (id bigint NOT NULL, code text NOT NULL, name text, PRIMARY KEY (id, "
    "code));"
    "CREATE TABLE students_info (id bigint NOT NULL, code text NOT NULL, address text, PRIMARY "
    "KEY (id, code), FOREIGN KEY (id, code) REFERENCES students (id, code) ON DELETE CASCADE);"
    "CREATE TABLE marks (id bigint PRIMARY KEY, sid bigint, scode text, mark integer, FOREIGN "
    "KEY (sid, scode) REFERENCES students);"
    "CREATE TABLE clubs (id bigint PRIMARY KEY, name text);"
    "CREATE TABLE members (club_id bigint NOT NULL REFERENCES clubs, sid bigint NOT NULL, scode "
    "text NOT NULL, FOREIGN KEY (sid, scode) REFERENCES students (id, code), PRIMARY KEY "
    "(club_id, sid, scode));";
static const char *COMPOSITE_ROWS =
    "INSERT INTO students VALUES (1, '0001', 'John Doe'), (2, '0002', 'Jane Doe'), (1, '0002', "
    "'Jim Roe');"
    "INSERT INTO students_info VALUES (1, '0001', 'Street X'), (2, '0002', 'Street Y');"
    "INSERT INTO marks VALUES (1, 1, '0002', 7), (2, 1, '0002', 9), (3, 2, '0002', 5), (4, 1, "
    "NULL, 1);"
    "INSERT INTO clubs VALUES (1, 'chess'), (2, 'choir');"
    "INSERT INTO members VALUES (1, 1, '0001'), (2, 1, '0001'), (2, 1, '0002');";

static void test_composite_keys(void **state)
{
    (void)state;
    server sv;
    char sql[4096];
    snprintf(sql, sizeof sql, "%s%s", on_pg() ? COMPOSITE_PG : COMPOSITE_LITE, COMPOSITE_ROWS);
    start_sql(&sv, sql);
    /* PostgREST's QuerySpec: "embeds by a composite key", one-to-one both ways */
    expect_body(&sv, "/students?select=name,students_info(address)&order=id,code",
                "[{\"name\":\"John Doe\",\"students_info\":{\"address\":\"Street X\"}},"
                "{\"name\":\"Jim Roe\",\"students_info\":null},"
                "{\"name\":\"Jane Doe\",\"students_info\":{\"address\":\"Street Y\"}}]");
    expect_body(&sv, "/students_info?select=address,students(name)&order=id",
                "[{\"address\":\"Street X\",\"students\":{\"name\":\"John Doe\"}},"
                "{\"address\":\"Street Y\",\"students\":{\"name\":\"Jane Doe\"}}]");
    /* to-many through a composite key: John (1, 0001) and Jim (1, 0002) told apart */
    expect_body(&sv, "/students?select=name,marks(mark)&order=id,code&marks.order=mark",
                "[{\"name\":\"John Doe\",\"marks\":[]},"
                "{\"name\":\"Jim Roe\",\"marks\":[{\"mark\":7},{\"mark\":9}]},"
                "{\"name\":\"Jane Doe\",\"marks\":[{\"mark\":5}]}]");
    expect_body(&sv, "/marks?select=mark,students(name)&order=id",
                "[{\"mark\":7,\"students\":{\"name\":\"Jim Roe\"}},{\"mark\":9,\"students\":{"
                "\"name\":\"Jim Roe\"}},{\"mark\":5,\"students\":{\"name\":\"Jane Doe\"}},"
                "{\"mark\":1,\"students\":null}]");
    /* many-to-many through a link with a composite key to one side */
    expect_body(&sv, "/clubs?select=name,students(name)&order=id&students.order=code",
                "[{\"name\":\"chess\",\"students\":[{\"name\":\"John Doe\"}]},"
                "{\"name\":\"choir\",\"students\":[{\"name\":\"John Doe\"},{\"name\":\"Jim "
                "Roe\"}]}]");
    /* a hint naming the composite key by PostgreSQL's name for it, as PostgREST's hints do */
    expect_body(&sv, "/students?select=name,marks!marks_sid_scode_fkey(mark)&id=eq.2",
                "[{\"name\":\"Jane Doe\",\"marks\":[{\"mark\":5}]}]");
    expect_error(&sv, "GET", "/students?select=name,marks!nope(mark)", NULL, NULL, 400, "RL_EINVAL",
                 NULL, 0);
    /* two composite keys to one table: the ambiguity names each by a hint that works */
    assert_int_equal(rl_exec(sv.db,
                             "CREATE TABLE pairs (a_id INTEGER, a_code TEXT, b_id INTEGER, b_code "
                             "TEXT, FOREIGN KEY (a_id, a_code) REFERENCES students (id, code), "
                             "FOREIGN KEY (b_id, b_code) REFERENCES students (id, code));"
                             "INSERT INTO pairs VALUES (1, '0001', 2, '0002')",
                             NULL, 0, NULL),
                     RL_OK);
    char msg[400];
    expect_error(&sv, "GET", "/students?select=name,pairs(a_id)", NULL, NULL, 300, "RL_EAMBIGUOUS",
                 msg, sizeof msg);
    assert_contains(msg, "pairs!pairs_a_id_a_code_fkey");
    assert_contains(msg, "pairs!pairs_b_id_b_code_fkey");
    expect_body(&sv, "/students?select=name,pairs!pairs_b_id_b_code_fkey(a_id)&id=eq.2",
                "[{\"name\":\"Jane Doe\",\"pairs\":[{\"a_id\":1}]}]");
    /* upsert into a table keyed by a pair: the pair is the conflict target (a row met: 200) */
    static const char *const merge[] = {"Content-Type: application/json",
                                        "Prefer: resolution=merge-duplicates", NULL};
    resp r = call(&sv, "POST", "/students", "{\"id\":1,\"code\":\"0002\",\"name\":\"Jim Roe Jr\"}",
                  merge);
    if (r.status != 200) fail_msg("upsert: %ld %s", r.status, r.body);
    done(&r);
    expect_body(&sv, "/students?select=name&id=eq.1&code=eq.0002", "[{\"name\":\"Jim Roe Jr\"}]");
    /* PATCH of a row keyed by a pair answers it as it is now */
    static const char *const repr[] = {"Content-Type: application/json",
                                       "Prefer: return=representation", NULL};
    r = call(&sv, "PATCH", "/students_info?id=eq.2&code=eq.0002", "{\"address\":\"Street Z\"}",
             repr);
    if (r.status != 200) fail_msg("PATCH: %ld %s", r.status, r.body);
    assert_string_equal(r.body, "[{\"id\":2,\"code\":\"0002\",\"address\":\"Street Z\"}]");
    done(&r);
    expect_body(&sv, "/students?select=name&id=eq.1&code=eq.0002", "[{\"name\":\"Jim Roe Jr\"}]");
    /* a broken composite key: "column" names both, "value" is their values in that order */
    r = call(&sv, "POST", "/marks", "{\"id\":9,\"sid\":7,\"scode\":\"it's\",\"mark\":1}", NULL);
    assert_int_equal(r.status, 409);
    json_t *key = json_object_get(r.json, "key");
    assert_string_equal(str_at(key, "column"), "sid, scode");
    json_t *vals = json_object_get(key, "value");
    assert_true(json_is_array(vals) && json_array_size(vals) == 2);
    assert_string_equal(json_string_value(json_array_get(vals, 0)), "7");
    assert_string_equal(json_string_value(json_array_get(vals, 1)), "it's");
    done(&r);
    /* filters on the embedded rows apply per parent */
    expect_body(&sv, "/students?select=name,marks(mark)&id=eq.1&code=eq.0002&marks.mark=gt.8",
                "[{\"name\":\"Jim Roe Jr\",\"marks\":[{\"mark\":9}]}]");
    stop(&sv);
}

/* A direct key and a junction to the same table: PostgREST asks which (300), naming both; a
 * table with a key of its own and two references is no junction beside a direct key. */
static void test_direct_and_junction_are_ambiguous(void **state)
{
    (void)state;
    server sv;
    start_sql(&sv, "CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT);"
                   "CREATE TABLE chores (id INTEGER PRIMARY KEY, title TEXT, owner_id INTEGER "
                   "REFERENCES people (id));"
                   "CREATE TABLE helpers (person_id INTEGER NOT NULL REFERENCES people (id), "
                   "chore_id INTEGER NOT NULL REFERENCES chores (id), PRIMARY KEY (person_id, "
                   "chore_id));"
                   "CREATE TABLE notes (id INTEGER PRIMARY KEY, person_id INTEGER REFERENCES "
                   "people (id), chore_id INTEGER REFERENCES chores (id));"
                   "INSERT INTO people VALUES (1, 'ann');"
                   "INSERT INTO chores VALUES (1, 'wash', 1);");
    resp r = call(&sv, "GET", "/people?select=name,chores(title)", NULL, NULL);
    assert_int_equal(r.status, 300);
    assert_string_equal(str_at(r.json, "code"), "PGRST201");
    assert_int_equal(json_array_size(json_object_get(r.json, "details")), 2); /* not notes */
    assert_contains(r.body, "helpers using");
    done(&r);
    /* a hint picks one */
    expect_body(&sv, "/people?select=name,chores!owner_id(title)",
                "[{\"name\":\"ann\",\"chores\":[{\"title\":\"wash\"}]}]");
    expect_body(&sv, "/people?select=name,chores!helpers(title)",
                "[{\"name\":\"ann\",\"chores\":[]}]");
    stop(&sv);
}

/* A table whose integer primary key is also its key to another (a one-to-one extension) is
 * related both ways: the parent embeds its one row as an object, the extension its parent;
 * it is written and read by that key as by any column. */
static void test_key_that_is_the_primary_key(void **state)
{
    (void)state;
    server sv;
    start_sql(&sv, on_pg() ? "CREATE TABLE people (id bigint PRIMARY KEY, name text);"
                             "CREATE TABLE profiles (person_id bigint PRIMARY KEY REFERENCES "
                             "people (id) ON DELETE CASCADE, bio text);"
                             "INSERT INTO people VALUES (1, 'ann'), (2, 'bo');"
                             "INSERT INTO profiles VALUES (1, 'likes tea');"
                           : "CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT);"
                             "CREATE TABLE profiles (person_id INTEGER PRIMARY KEY REFERENCES "
                             "people (id) ON DELETE CASCADE, bio TEXT);"
                             "INSERT INTO people VALUES (1, 'ann'), (2, 'bo');"
                             "INSERT INTO profiles VALUES (1, 'likes tea');");
    expect_body(&sv, "/people?select=name,profiles(bio)&order=id",
                "[{\"name\":\"ann\",\"profiles\":{\"bio\":\"likes tea\"}},{\"name\":\"bo\","
                "\"profiles\":null}]");
    expect_body(&sv, "/profiles?select=bio,people(name)",
                "[{\"bio\":\"likes tea\",\"people\":{\"name\":\"ann\"}}]");
    static const char *const rep[] = {"Prefer: return=representation", NULL};
    resp r = call(&sv, "POST", "/profiles", "{\"person_id\":2,\"bio\":\"b\"}", rep);
    assert_int_equal(r.status, 201);
    done(&r);
    r = call(&sv, "POST", "/profiles", "{\"person_id\":9,\"bio\":\"nobody\"}", NULL);
    assert_int_equal(r.status, 409); /* no person 9: the key holds */
    done(&r);
    expect_body(&sv, "/profiles?select=person_id,bio&person_id=eq.2",
                "[{\"person_id\":2,\"bio\":\"b\"}]");
    stop(&sv);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest both[] = {
        cmocka_unit_test(test_embeds_of_every_key),
        cmocka_unit_test(test_writes_without_an_integer_key),
        cmocka_unit_test(test_composite_keys),
        cmocka_unit_test(test_direct_and_junction_are_ambiguous),
        cmocka_unit_test(test_key_that_is_the_primary_key),
    };
    int failed = run_suite(both);
    curl_global_cleanup();
    return failed;
}

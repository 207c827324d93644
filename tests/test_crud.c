/* CRUD: insert/get/update/delete, NULL round trips, bulk insert, key changes, constraints. */
#include "helpers.h"

typedef struct {
    int64_t pk;
    char *label;
    rl_blob data;
    rl_maybe_real weight;
    rl_maybe_bool flag;
    int small;
} Thing;

static const rl_field thing_fields[] = {
    RL_TEXT(Thing, label, .nullable = true),
    RL_BLOB(Thing, data, .nullable = true),
    RL_FIELD(Thing, weight),
    RL_FIELD(Thing, flag),
    RL_FIELD(Thing, small, .default_sql = "7"),
};
static const rl_model Thing_model = RL_MODEL(Thing, "things", thing_fields, .autoincrement = true);

static void test_insert_sets_pk_and_get_round_trips(void **state)
{
    (void)state;
    rl_db *db = open_library();
    Author a = {.name = "Ursula", .email = "u@example.org"};
    assert_int_equal(rl_insert(db, &Author_model, &a), RL_OK);
    assert_true(a.pk > 0);
    Book b = {.title = "Earthsea",
              .author_id = a.pk,
              .year = RL_SOME(1968),
              .price = 9.5,
              .in_print = true};
    assert_int_equal(rl_insert(db, &Book_model, &b), RL_OK);
    Book got;
    assert_int_equal(rl_get(db, &Book_model, b.pk, &got), RL_OK);
    assert_int_equal(got.pk, b.pk);
    assert_string_equal(got.title, "Earthsea");
    assert_int_equal(got.author_id, a.pk);
    assert_true(got.year.present);
    assert_int_equal(got.year.value, 1968);
    assert_true(got.price == 9.5);
    assert_true(got.in_print);
    rl_row_free(&Book_model, &got);
    assert_null(got.title);

    /* An explicit pk is kept. */
    Author c = {.pk = 500, .name = "Explicit"};
    assert_int_equal(rl_insert(db, &Author_model, &c), RL_OK);
    assert_int_equal(c.pk, 500);
    Author g;
    assert_int_equal(rl_get(db, &Author_model, 500, &g), RL_OK);
    assert_string_equal(g.name, "Explicit");
    assert_null(g.email); /* NULL text stays NULL */
    rl_row_free(&Author_model, &g);
    assert_int_equal(rl_get(db, &Author_model, 501, &g), RL_ENOTFOUND);
    assert_contains(rl_errmsg(db), "no row has pk = 501");
    rl_close(db);
}

static void test_null_is_distinct_from_zero_and_empty(void **state)
{
    (void)state;
    rl_db *db;
    rl_options o = {.profile = RL_PROFILE_TEST};
    assert_int_equal(rl_open(&db, NULL, &o), RL_OK);
    assert_int_equal(rl_create_table(db, &Thing_model), RL_OK);
    Thing nulls = {0};
    Thing zeros = {.label = "", .data = {"", 0}, .weight = RL_SOME(0.0), .flag = RL_SOME(false)};
    unsigned char bytes[] = {0, 1, 2, 255};
    Thing full = {.label = "x",
                  .data = {bytes, 4},
                  .weight = RL_SOME(2.5),
                  .flag = RL_SOME(true),
                  .small = 3};
    assert_int_equal(rl_insert(db, &Thing_model, &nulls), RL_OK);
    assert_int_equal(rl_insert(db, &Thing_model, &zeros), RL_OK);
    assert_int_equal(rl_insert(db, &Thing_model, &full), RL_OK);
    assert_int_equal(scalar(db, "SELECT count(*) FROM things WHERE label IS NULL AND data IS "
                                "NULL AND weight IS NULL AND flag IS NULL"),
                     1);
    Thing t;
    assert_int_equal(rl_get(db, &Thing_model, nulls.pk, &t), RL_OK);
    assert_null(t.label);
    assert_null(t.data.data);
    assert_false(t.weight.present);
    assert_false(t.flag.present);
    rl_row_free(&Thing_model, &t);
    assert_int_equal(rl_get(db, &Thing_model, zeros.pk, &t), RL_OK);
    assert_string_equal(t.label, "");
    assert_non_null(t.data.data);
    assert_int_equal(t.data.len, 0);
    assert_true(t.weight.present);
    assert_true(t.flag.present);
    assert_false(t.flag.value);
    rl_row_free(&Thing_model, &t);
    assert_int_equal(rl_get(db, &Thing_model, full.pk, &t), RL_OK);
    assert_int_equal(t.data.len, 4);
    assert_memory_equal(t.data.data, bytes, 4);
    assert_true(t.flag.value);
    assert_int_equal(t.small, 3);
    rl_row_free(&Thing_model, &t);
    /* AUTOINCREMENT: a deleted last key is not reused. */
    assert_int_equal(rl_delete(db, &Thing_model, full.pk), RL_OK);
    Thing next = {0};
    assert_int_equal(rl_insert(db, &Thing_model, &next), RL_OK);
    assert_true(next.pk > full.pk);
    rl_close(db);
}

static void test_update_and_update_fields(void **state)
{
    (void)state;
    rl_db *db = open_library();
    int64_t a = add_author(db, "A");
    Book b = {.title = "Old", .author_id = a, .year = RL_SOME(2000), .price = 1};
    assert_int_equal(rl_insert(db, &Book_model, &b), RL_OK);
    b.title = "New";
    b.year = (rl_maybe_int)RL_NONE;
    assert_int_equal(rl_update(db, &Book_model, &b), RL_OK);
    Book got;
    assert_int_equal(rl_get(db, &Book_model, b.pk, &got), RL_OK);
    assert_string_equal(got.title, "New");
    assert_false(got.year.present);
    rl_row_free(&Book_model, &got);

    b.title = "Newer";
    b.price = 99;
    const char *only_title[] = {"title", NULL};
    assert_int_equal(rl_update_fields(db, &Book_model, &b, only_title), RL_OK);
    assert_int_equal(rl_get(db, &Book_model, b.pk, &got), RL_OK);
    assert_string_equal(got.title, "Newer");
    assert_true(got.price == 1); /* untouched */
    rl_row_free(&Book_model, &got);

    const char *bad[] = {"titel", NULL};
    assert_int_equal(rl_update_fields(db, &Book_model, &b, bad), RL_EFIELD);
    assert_contains(rl_errmsg(db), "'titel'");
    b.pk = 12345;
    assert_int_equal(rl_update(db, &Book_model, &b), RL_ENOTFOUND);
    assert_int_equal(rl_update_fields(db, &Book_model, &b, only_title), RL_ENOTFOUND);
    rl_close(db);
}

static void test_delete_and_not_found(void **state)
{
    (void)state;
    rl_db *db = open_library();
    int64_t a = add_author(db, "A");
    assert_int_equal(rl_delete(db, &Author_model, a), RL_OK);
    assert_int_equal(rl_delete(db, &Author_model, a), RL_ENOTFOUND);
    assert_contains(rl_errmsg(db), "delete from authors: no row has pk");
    rl_close(db);
}

static void test_insert_many_is_all_or_nothing(void **state)
{
    (void)state;
    rl_db *db = open_library();
    int64_t a = add_author(db, "A");
    Book books[4] = {{.title = "one", .author_id = a},
                     {.title = "two", .author_id = a},
                     {.title = "three", .author_id = 999},
                     {.title = "four", .author_id = a}};
    assert_int_equal(rl_insert_many(db, &Book_model, books, 4), RL_EFOREIGNKEY);
    assert_int_equal(rl_last_error(db)->item, 2);
    assert_contains(rl_errmsg(db), "item 2 of 4");
    assert_contains(rl_errmsg(db), "author_id = 999");
    /* its own savepoint was rolled back: nothing is left aborted, and the error says nothing so */
    assert_null(strstr(rl_errmsg(db), "aborted"));
    assert_int_equal(rl_txn_depth(db), 0);
    add_author(db, "after the failure");
    assert_int_equal(scalar(db, "SELECT count(*) FROM books"), 0);
    assert_int_equal(books[0].pk, 0); /* keys handed out were taken back */
    books[2].author_id = a;
    assert_int_equal(rl_insert_many(db, &Book_model, books, 4), RL_OK);
    assert_int_equal(scalar(db, "SELECT count(*) FROM books"), 4);
    assert_true(books[3].pk > books[0].pk);
    rl_close(db);
}

static void test_update_pk_runs_on_update_actions(void **state)
{
    (void)state;
    rl_db *db = open_library();
    int64_t a = add_author(db, "A");
    add_book(db, "b1", a);
    add_book(db, "b2", a);
    assert_int_equal(rl_update_pk(db, &Author_model, a, 77), RL_OK);
    assert_int_equal(scalar(db, "SELECT count(*) FROM books WHERE author_id = 77"), 2);
    assert_int_equal(rl_update_pk(db, &Author_model, 12345, 78), RL_ENOTFOUND);
    int64_t other = add_author(db, "B");
    assert_int_equal(rl_update_pk(db, &Author_model, other, 77), RL_EUNIQUE);
    rl_close(db);
}

static void test_constraint_errors_name_the_column(void **state)
{
    (void)state;
    rl_db *db = open_library();
    Author a = {.name = "A", .email = "same@example.org"};
    Author b = {.name = "B", .email = "same@example.org"};
    assert_int_equal(rl_insert(db, &Author_model, &a), RL_OK);
    assert_int_equal(rl_insert(db, &Author_model, &b), RL_EUNIQUE);
    assert_string_equal(rl_last_error(db)->column, "email");
    assert_contains(rl_errmsg(db), "email = 'same@example.org' already exists in authors");
    /* the engine's own account beside it: PostgreSQL's server gives one, SQLite none */
    const rl_error *e = rl_last_error(db);
    assert_string_equal(e->sqlstate, on_pg() ? "23505" : "");
    if (on_pg()) {
        assert_contains(e->engine_message, "duplicate key value violates unique constraint");
        assert_string_equal(e->engine_detail, "Key (email)=(same@example.org) already exists.");
        assert_string_equal(e->engine_hint, "");
    } else {
        assert_string_equal(e->engine_message, "");
    }
    assert_int_equal(rl_insert(db, &Author_model, &(Author){.name = "C"}), RL_OK);
    assert_string_equal(rl_last_error(db)->sqlstate, ""); /* a call that succeeds clears it */

    Author noname = {.name = NULL};
    assert_int_equal(rl_insert(db, &Author_model, &noname), RL_ENOTNULL);
    assert_string_equal(rl_last_error(db)->column, "name");
    assert_contains(rl_errmsg(db), "name may not be NULL");

    Book empty = {.title = "", .author_id = a.pk};
    assert_int_equal(rl_insert(db, &Book_model, &empty), RL_ECHECK);
    assert_contains(rl_errmsg(db), "CHECK");
    assert_contains(rl_errmsg(db), "length(title) > 0");
    if (!on_pg()) assert_int_equal(rl_last_error(db)->engine_code, 275 /* CONSTRAINT_CHECK */);

    /* STRICT tables and PostgreSQL's types: a value of the wrong type is refused, not stored */
    assert_int_equal(
        rl_exec(db, "INSERT INTO books (title, author_id) VALUES ('x', 'abc')", NULL, 0, NULL),
        RL_ETYPE);
    assert_contains(rl_errmsg(db), on_pg() ? "invalid input syntax for type bigint"
                                           : "cannot store TEXT value in INTEGER column");
    rl_close(db);
}

static void test_null_arguments_are_refused(void **state)
{
    (void)state;
    rl_db *db = open_library();
    Book b;
    assert_int_equal(rl_insert(db, &Author_model, NULL), RL_EINVAL);
    assert_contains(rl_errmsg(db), "authors: the row pointer is NULL");
    assert_int_equal(rl_insert_many(db, &Author_model, NULL, 3), RL_EINVAL);
    assert_int_equal(rl_get(db, &Book_model, 1, NULL), RL_EINVAL);
    assert_int_equal(rl_update(db, &Book_model, NULL), RL_EINVAL);
    const char *title[] = {"title", NULL};
    assert_int_equal(rl_update_fields(db, &Book_model, NULL, title), RL_EINVAL);
    assert_int_equal(rl_insert(db, NULL, &b), RL_EINVAL);
    assert_contains(rl_errmsg(db), "model is NULL");
    assert_int_equal(rl_insert(NULL, &Book_model, &b), RL_EINVAL);
    assert_int_equal(scalar(db, "SELECT count(*) FROM authors"), 0);
    rl_close(db);
}

/* A row inserted with its own key moves the generated keys past it: the next row without one
 * never collides with it (PostgreSQL's identity sequence does not move by itself). */
static void test_explicit_key_moves_generated_keys(void **state)
{
    (void)state;
    rl_db *db = open_library();
    Author a = {.pk = 1000, .name = "given"};
    assert_int_equal(rl_insert(db, &Author_model, &a), RL_OK);
    Author b = {.name = "generated"};
    assert_int_equal(rl_insert(db, &Author_model, &b), RL_OK);
    assert_true(b.pk > 1000);
    Author c = {.name = "again"};
    assert_int_equal(rl_insert(db, &Author_model, &c), RL_OK);
    assert_true(c.pk > b.pk);
    rl_close(db);
}

/* A key of 0 is a key for rl_insert_ex(RL_INSERT_KEY_GIVEN) and rl_upsert_keyed (rl_insert
 * assigns one). */
static void test_keyed_writes_keep_key_zero(void **state)
{
    (void)state;
    rl_db *db = open_library();
    Author zero = {.pk = 0, .name = "zero"};
    assert_int_equal(rl_insert_ex(db, &Author_model, &zero, RL_INSERT_KEY_GIVEN), RL_OK);
    assert_int_equal(zero.pk, 0);
    Author got = {0};
    assert_int_equal(rl_get(db, &Author_model, 0, &got), RL_OK);
    assert_string_equal(got.name, "zero");
    rl_row_free(&Author_model, &got);
    Author again = {.pk = 0, .name = "zero again"};
    assert_int_equal(rl_insert_ex(db, &Author_model, &again, RL_INSERT_KEY_GIVEN), RL_EUNIQUE);
    Author upserted = {.pk = 0, .name = "upserted"};
    assert_int_equal(rl_upsert_keyed(db, &Author_model, &upserted, NULL), RL_OK);
    assert_int_equal(upserted.pk, 0);
    assert_int_equal(rl_get(db, &Author_model, 0, &got), RL_OK);
    assert_string_equal(got.name, "upserted");
    rl_row_free(&Author_model, &got);
    Author generated = {.name = "generated"}; /* rl_insert: 0 still means "assign one" */
    assert_int_equal(rl_insert(db, &Author_model, &generated), RL_OK);
    assert_true(generated.pk > 0);
    int64_t n = 0;
    assert_int_equal(rl_query_int(db, "SELECT count(*) FROM authors", NULL, 0, &n), RL_OK);
    assert_int_equal(n, 2);
    rl_close(db);
}

static void test_booleans_are_checked(void **state)
{
    (void)state;
    rl_db *db = open_library();
    int64_t a = add_author(db, "A");
    rl_value p[] = {rl_int(a)};
    /* SQLite: the CHECK of an integer column; PostgreSQL: the boolean type itself */
    assert_int_equal(rl_exec(db,
                             "INSERT INTO books (title, author_id, in_print) VALUES ('x', ?1, 2)",
                             p, 1, NULL),
                     on_pg() ? RL_ETYPE : RL_ECHECK);
    assert_int_equal(
        rl_exec(db, "INSERT INTO books (title, author_id) VALUES ('x', ?1)", p, 1, NULL), RL_OK);
    assert_int_equal(scalar(db, "SELECT in_print FROM books"), 1); /* the default */
    rl_close(db);
}

/* A model of RL_MAX_FIELDS fields whose last one has a database default: an insert that
 * leaves it unset with the pk to assign and one that leaves it unset with an explicit pk must
 * each get their own statement (the field's bit and "explicit pk" must not share a key). */
typedef struct {
    int64_t pk;
    rl_maybe_int v[RL_MAX_FIELDS];
} Wide;

static void test_widest_model_defaults_and_explicit_pk(void **state)
{
    (void)state;
    static char names[RL_MAX_FIELDS][8];
    rl_field fields[RL_MAX_FIELDS];
    for (int i = 0; i < RL_MAX_FIELDS; i++) {
        snprintf(names[i], sizeof names[i], "f%d", i);
        fields[i] = (rl_field){.name = names[i],
                               .ctype = RL_CT_MAYBE_INT,
                               .offset = offsetof(Wide, v) + (size_t)i * sizeof(rl_maybe_int),
                               .size = sizeof(rl_maybe_int),
                               .nullable = true,
                               .default_sql = i == RL_MAX_FIELDS - 1 ? "7" : NULL};
    }
    rl_model m = {.type_name = "Wide",
                  .size = sizeof(Wide),
                  .has_pk = true,
                  .pk_offset = offsetof(Wide, pk),
                  .pk_ctype = RL_CT_INT64,
                  .fields = fields,
                  .nfields = RL_MAX_FIELDS};
    rl_db *db;
    rl_options o = {.profile = RL_PROFILE_TEST};
    assert_int_equal(rl_open(&db, NULL, &o), RL_OK);
    assert_int_equal(rl_create_table(db, &m), RL_OK);
    Wide a = {0}; /* last field unset: left to its default, pk assigned */
    assert_int_equal(rl_insert(db, &m, &a), RL_OK);
    assert_true(a.v[RL_MAX_FIELDS - 1].present);
    assert_int_equal(a.v[RL_MAX_FIELDS - 1].value, 7);
    Wide b = {.pk = 1000}; /* the same field left unset, but the pk explicit */
    for (int i = 0; i < RL_MAX_FIELDS - 1; i++)
        b.v[i] = (rl_maybe_int)RL_SOME(i + 100);
    assert_int_equal(rl_insert(db, &m, &b), RL_OK);
    assert_int_equal(b.pk, 1000);
    Wide g;
    assert_int_equal(rl_get(db, &m, 1000, &g), RL_OK);
    for (int i = 0; i < RL_MAX_FIELDS; i++) {
        assert_true(g.v[i].present);
        assert_int_equal(g.v[i].value, i == RL_MAX_FIELDS - 1 ? 7 : i + 100);
    }
    rl_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_insert_sets_pk_and_get_round_trips),
        cmocka_unit_test(test_null_is_distinct_from_zero_and_empty),
        cmocka_unit_test(test_update_and_update_fields),
        cmocka_unit_test(test_delete_and_not_found),
        cmocka_unit_test(test_insert_many_is_all_or_nothing),
        cmocka_unit_test(test_update_pk_runs_on_update_actions),
        cmocka_unit_test(test_constraint_errors_name_the_column),
        cmocka_unit_test(test_null_arguments_are_refused),
        cmocka_unit_test(test_booleans_are_checked),
        cmocka_unit_test(test_explicit_key_moves_generated_keys),
        cmocka_unit_test(test_keyed_writes_keep_key_zero),
        cmocka_unit_test(test_widest_model_defaults_and_explicit_pk),
    };
    return run_suite(tests);
}

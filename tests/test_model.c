/* Models: validation before any SQL, derived names, creation order, indexes, cycles. */
#include "helpers.h"

typedef struct {
    int64_t pk;
    int64_t author_id;
} Child;

typedef struct {
    int64_t pk;
    rl_maybe_int author_id;
} NullableChild;

typedef struct {
    int64_t pk;
    char *name;
    char *other;
} Pair;

typedef struct {
    char *line;
} LogLine;

/* SET NULL on a key that is not nullable. */
static const rl_field set_null_fields[] = {
    RL_FOREIGN_KEY(Child, author_id, &Author_model, .on_delete = RL_SET_NULL)};
static const rl_model SetNull_model = RL_MODEL(Child, "set_null", set_null_fields);

/* SET DEFAULT without a default. */
static const rl_field set_default_fields[] = {
    RL_FOREIGN_KEY(Child, author_id, &Author_model, .on_update = RL_SET_DEFAULT)};
static const rl_model SetDefault_model = RL_MODEL(Child, "set_default", set_default_fields);

/* A target without a primary key. */
static const rl_field log_fields[] = {RL_TEXT(LogLine, line)};
static const rl_model Log_model = RL_MODEL_NO_PK(LogLine, "log_lines", log_fields);
static const rl_field to_log_fields[] = {RL_FOREIGN_KEY(Child, author_id, &Log_model)};
static const rl_model ToLog_model = RL_MODEL(Child, "to_log", to_log_fields);

/* Two fields on one column. */
static const rl_field dup_fields[] = {RL_TEXT(Pair, name), RL_TEXT(Pair, other, .column = "name")};
static const rl_model Dup_model = RL_MODEL(Pair, "pairs", dup_fields);

/* A column named like the primary key. */
static const rl_field dup_pk_fields[] = {RL_TEXT(Pair, name, .column = "pk")};
static const rl_model DupPk_model = RL_MODEL(Pair, "pairs2", dup_pk_fields);

/* Invalid identifiers. */
static const rl_field bad_col_fields[] = {RL_TEXT(Pair, name, .column = "name; DROP TABLE x")};
static const rl_model BadCol_model = RL_MODEL(Pair, "pairs3", bad_col_fields);
static const rl_field ok_fields[] = {RL_TEXT(Pair, name)};
static const rl_model BadTable_model = RL_MODEL(Pair, "1pairs", ok_fields);

/* An index on an unknown field. */
static const char *const unknown_ix_cols[] = {"name", "nope", NULL};
static const rl_index unknown_ix[] = {{.fields = unknown_ix_cols}};
static const rl_model UnknownIx_model = RL_MODEL(Pair, "pairs4", ok_fields, RL_INDEXES(unknown_ix));

/* Wrong C type for the declared kind; nullable number without rl_maybe_*. */
static const rl_field wrong_kind_fields[] = {RL_INT(Pair, name)};
static const rl_model WrongKind_model = RL_MODEL(Pair, "pairs5", wrong_kind_fields);
static const rl_field nullable_int_fields[] = {
    RL_FOREIGN_KEY(Child, author_id, &Author_model, .nullable = true)};
static const rl_model NullableInt_model = RL_MODEL(Child, "pairs6", nullable_int_fields);

/* A model that references an invalid one is invalid too. */
static const rl_field via_bad_fields[] = {RL_FOREIGN_KEY(Child, author_id, &BadTable_model)};
static const rl_model ViaBad_model = RL_MODEL(Child, "via_bad", via_bad_fields);

static void expect_invalid(const rl_model *m, int code, const char *needle1, const char *needle2)
{
    rl_db *db;
    rl_options o = {.profile = RL_PROFILE_TEST};
    assert_int_equal(rl_open(&db, NULL, &o), RL_OK);
    assert_int_equal(rl_model_validate(db, m), code);
    assert_contains(rl_errmsg(db), needle1);
    assert_contains(rl_errmsg(db), needle2);
    /* Creating fails the same way and runs no SQL. */
    assert_int_equal(rl_create_table(db, m), code);
    assert_int_equal(object_count(db), 0);
    rl_close(db);
}

static void test_validation_errors(void **state)
{
    (void)state;
    expect_invalid(&SetNull_model, RL_EMODEL_SET_NULL, "Child", "author_id");
    expect_invalid(&SetDefault_model, RL_EMODEL_SET_DEFAULT, "author_id", "SET DEFAULT");
    expect_invalid(&ToLog_model, RL_EMODEL_NO_PK, "LogLine", "no primary key");
    expect_invalid(&Dup_model, RL_EMODEL_DUPLICATE, "other", "'name'");
    expect_invalid(&DupPk_model, RL_EMODEL_DUPLICATE, "Pair", "primary key");
    expect_invalid(&BadCol_model, RL_EMODEL_IDENT, "name; DROP TABLE x", "not a valid column");
    expect_invalid(&BadTable_model, RL_EMODEL_IDENT, "1pairs", "table name");
    expect_invalid(&UnknownIx_model, RL_EMODEL_UNKNOWN, "nope", "Pair");
    expect_invalid(&WrongKind_model, RL_EMODEL, "name", "does not match");
    expect_invalid(&NullableInt_model, RL_EMODEL, "author_id", "rl_maybe_int");
    expect_invalid(&ViaBad_model, RL_EMODEL_IDENT, "field author_id references model Pair",
                   "1pairs");
}

typedef struct {
    int64_t pk;
    char *x;
} BookReview;
static const rl_field review_fields[] = {RL_TEXT(BookReview, x)};
static const rl_model Review_model = RL_MODEL(BookReview, NULL, review_fields);
typedef struct {
    int64_t pk;
    char *x;
} Category;
static const rl_field category_fields[] = {RL_TEXT(Category, x)};
static const rl_model Category_model = RL_MODEL(Category, NULL, category_fields);
typedef struct {
    int64_t pk;
    char *x;
} Address;
static const rl_field address_fields[] = {RL_TEXT(Address, x)};
static const rl_model Address_model = RL_MODEL(Address, NULL, address_fields);

static void test_derived_table_names(void **state)
{
    (void)state;
    rl_db *db;
    rl_options o = {.profile = RL_PROFILE_TEST};
    assert_int_equal(rl_open(&db, NULL, &o), RL_OK);
    assert_string_equal(rl_model_table(db, &Review_model), "book_reviews");
    assert_string_equal(rl_model_table(db, &Category_model), "categories");
    assert_string_equal(rl_model_table(db, &Address_model), "addresses");
    assert_string_equal(rl_model_table(db, &Author_model), "authors");
    rl_close(db);
}

static void test_create_orders_parents_first_and_indexes_keys(void **state)
{
    (void)state;
    rl_db *db;
    rl_options o = {.profile = RL_PROFILE_TEST};
    assert_int_equal(rl_open(&db, NULL, &o), RL_OK);
    char *sql;
    const rl_model *children_first[] = {&Book_model};
    assert_int_equal(rl_schema_sql(db, children_first, 1, &sql), RL_OK);
    const char *authors = strstr(sql, "CREATE TABLE IF NOT EXISTS \"authors\"");
    const char *books = strstr(sql, "CREATE TABLE IF NOT EXISTS \"books\"");
    assert_non_null(authors);
    assert_non_null(books);
    assert_true(authors < books);
    assert_contains(sql, "REFERENCES \"authors\" (\"pk\") ON DELETE CASCADE ON UPDATE CASCADE");
    assert_contains(sql, on_pg() ? "\"pk\" bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
                                 : "STRICT");
    free(sql);

    assert_int_equal(rl_create_all(db, children_first, 1), RL_OK);
    assert_int_equal(indexes_on(db, "books", "author_id"), 1);
    /* Idempotent. */
    assert_int_equal(rl_create_all(db, children_first, 1), RL_OK);
    assert_int_equal(table_count(db), 2);
    rl_close(db);
}

/* Cycles: A -> B -> A. */
typedef struct {
    int64_t pk;
    int64_t other;
} Node;
typedef struct {
    int64_t pk;
    rl_maybe_int other;
} NodeOpt;
extern const rl_model CycA_model, CycB_model, OkA_model, OkB_model;
static const rl_field cyc_a_fields[] = {RL_FOREIGN_KEY(Node, other, &CycB_model)};
static const rl_field cyc_b_fields[] = {RL_FOREIGN_KEY(Node, other, &CycA_model)};
const rl_model CycA_model = RL_MODEL(Node, "cyc_a", cyc_a_fields);
const rl_model CycB_model = RL_MODEL(Node, "cyc_b", cyc_b_fields);
static const rl_field ok_a_fields[] = {RL_FOREIGN_KEY(Node, other, &OkB_model)};
static const rl_field ok_b_fields[] = {RL_FOREIGN_KEY(NodeOpt, other, &OkA_model)};
const rl_model OkA_model = RL_MODEL(Node, "ok_a", ok_a_fields);
const rl_model OkB_model = RL_MODEL(NodeOpt, "ok_b", ok_b_fields);

static void test_cycles(void **state)
{
    (void)state;
    rl_db *db;
    rl_options o = {.profile = RL_PROFILE_TEST};
    assert_int_equal(rl_open(&db, NULL, &o), RL_OK);
    const rl_model *bad[] = {&CycA_model};
    assert_int_equal(rl_create_all(db, bad, 1), RL_EMODEL_CYCLE);
    assert_contains(rl_errmsg(db), "Node.other -> ");
    assert_contains(rl_errmsg(db), "nullable or deferrable");
    assert_int_equal(object_count(db), 0);

    /* With one nullable key the cycle is usable: B first with NULL, then A, then link. */
    const rl_model *good[] = {&OkA_model};
    assert_int_equal(rl_create_all(db, good, 1), RL_OK);
    NodeOpt b = {0};
    assert_int_equal(rl_insert(db, &OkB_model, &b), RL_OK);
    Node a = {.other = b.pk};
    assert_int_equal(rl_insert(db, &OkA_model, &a), RL_OK);
    b.other = (rl_maybe_int)RL_SOME(a.pk);
    assert_int_equal(rl_update(db, &OkB_model, &b), RL_OK);
    rl_close(db);
}

/* Composite and unique indexes. */
typedef struct {
    int64_t pk;
    char *shelf;
    int64_t position;
    char *code;
} Slot;
static const char *const shelf_pos[] = {"shelf", "position", NULL};
static const char *const by_code[] = {"code", NULL};
static const rl_index slot_indexes[] = {{.fields = shelf_pos, .unique = true},
                                        {.name = "slots_by_code", .fields = by_code}};
static const rl_field slot_fields[] = {RL_TEXT(Slot, shelf), RL_INT(Slot, position),
                                       RL_TEXT(Slot, code, .index = true)};
static const rl_model Slot_model = RL_MODEL(Slot, "slots", slot_fields, RL_INDEXES(slot_indexes));

static void test_indexes(void **state)
{
    (void)state;
    rl_db *db;
    rl_options o = {.profile = RL_PROFILE_TEST};
    assert_int_equal(rl_open(&db, NULL, &o), RL_OK);
    assert_int_equal(rl_create_table(db, &Slot_model), RL_OK);
    assert_true(has_index(db, "slots", "slots_shelf_position_key", true));
    assert_true(has_index(db, "slots", "slots_by_code", false));
    assert_true(has_index(db, "slots", "slots_code_idx", false));
    Slot s1 = {.shelf = "A", .position = 1, .code = "x"};
    Slot s2 = {.shelf = "A", .position = 1, .code = "y"};
    assert_int_equal(rl_insert(db, &Slot_model, &s1), RL_OK);
    assert_int_equal(rl_insert(db, &Slot_model, &s2), RL_EUNIQUE);
    assert_contains(rl_errmsg(db),
                    on_pg() ? "(shelf, \"position\")" : "slots.shelf, slots.position");
    rl_close(db);
}

static void test_models_are_per_connection(void **state)
{
    (void)state;
    rl_db *a, *b;
    rl_options o = {.profile = RL_PROFILE_TEST};
    assert_int_equal(rl_open(&a, NULL, &o), RL_OK);
    assert_int_equal(rl_open(&b, NULL, &o), RL_OK);
    assert_int_equal(rl_create_table(a, &Author_model), RL_OK);
    add_author(a, "a");
    /* b has never created the table: its statements are its own. */
    Author x = {.name = "b"};
    assert_int_equal(rl_insert(b, &Author_model, &x), RL_ESCHEMA);
    assert_contains(rl_errmsg(b),
                    on_pg() ? "relation \"authors\" does not exist" : "no such table");
    rl_close(a);
    rl_close(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_validation_errors),
        cmocka_unit_test(test_derived_table_names),
        cmocka_unit_test(test_create_orders_parents_first_and_indexes_keys),
        cmocka_unit_test(test_cycles),
        cmocka_unit_test(test_indexes),
        cmocka_unit_test(test_models_are_per_connection),
    };
    return run_suite(tests);
}

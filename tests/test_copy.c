/*
 * rl_copy keeps every value exactly, and rl_copy_verify names what differs: a SQLite source
 * copied to the engine under test (SQLite, or PostgreSQL through its bulk load), values read
 * back exact, then the destination tampered with and the verification naming the row, the
 * column and both values.  Also the exact texts of numbers (base/number.c).
 */
#include "helpers.h"

/* base/number.c (internal, linked from the static library) */
struct strbuf;
size_t rli_real_text(double v, char out[32]);

static const char *SOURCE =
    "CREATE TABLE customers (id INTEGER PRIMARY KEY, name VARCHAR(40) NOT NULL);"
    "CREATE TABLE invoices (id INTEGER PRIMARY KEY, customer_id INTEGER REFERENCES "
    "customers (id), total NUMERIC(10,2), price DECIMAL, ratio REAL, big INTEGER, note TEXT, "
    "data BLOB);"
    "INSERT INTO customers VALUES (1, 'Ann'), (2, 'Bob');"
    "INSERT INTO invoices VALUES (1, 1, 0.99, 0.99, 0.1 + 0.2, 9007199254740993, 'a' || char(9) || "
    "'b' || char(10) || 'c\\d', x'00ff'),"
    "(2, 2, 5.94, 5.94, 1e308, -9223372036854775808, '\\.', x''),"
    "(3, 1, 5.94, 0.30000000000000004, -1.5e-300, 9223372036854775807, NULL, NULL);";

/* A destination of the engine under test, the source copied into it. */
static rl_db *copied(rl_db **src, bool verify)
{
    *src = db_with("src.db", SOURCE);
    rl_db *dst = NULL;
    rl_options o = {.profile = RL_PROFILE_TEST};
    assert_int_equal(rl_open(&dst, NULL, &o), RL_OK);
    rl_copy_options co = {.verify = verify};
    char *left_out = NULL;
    int rc = rl_copy(*src, dst, &co, &left_out);
    if (rc != RL_OK) fail_msg("copy: %s", rl_errmsg(dst));
    free(left_out);
    return dst;
}

static int64_t count_where(rl_db *db, const char *where, rl_value v)
{
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM invoices WHERE %s", where);
    int64_t n = -1;
    if (rl_query_int(db, sql, &v, 1, &n) != RL_OK) fail_msg("%s: %s", sql, rl_errmsg(db));
    return n;
}

static void test_values_cross_exactly(void **state)
{
    (void)state;
    rl_db *src, *dst = copied(&src, true);
    /* 5.94 stored as a double is 5.9400000000000004 at 17 digits: the decimal column has to
     * hold 5.94 for an equality on it to find the rows */
    assert_int_equal(scalar(dst, "SELECT count(*) FROM invoices WHERE total = 5.94"), 2);
    assert_int_equal(count_where(dst, "CAST(total AS TEXT) = ?1", rl_text("0.99")), 1);
    /* a decimal column without a scale keeps whatever digits it is given */
    assert_int_equal(count_where(dst, "CAST(price AS TEXT) = ?1", rl_text("0.99")), 1);
    assert_int_equal(count_where(dst, "CAST(price AS TEXT) = ?1", rl_text("5.94")), 1);
    assert_int_equal(count_where(dst, "price = ?1", rl_real(0.1 + 0.2)), 1);
    assert_int_equal(count_where(dst, "ratio = ?1", rl_real(0.1 + 0.2)), 1);
    assert_int_equal(count_where(dst, "ratio = ?1", rl_real(1e308)), 1);
    assert_int_equal(count_where(dst, "ratio = ?1", rl_real(-1.5e-300)), 1);
    assert_int_equal(count_where(dst, "big = ?1", rl_int(9007199254740993)), 1);
    assert_int_equal(count_where(dst, "big = ?1", rl_int(INT64_MIN)), 1);
    assert_int_equal(count_where(dst, "big = ?1", rl_int(INT64_MAX)), 1);
    assert_int_equal(count_where(dst, "note = ?1", rl_text("a\tb\nc\\d")), 1);
    assert_int_equal(count_where(dst, "note = ?1", rl_text("\\.")), 1);
    assert_int_equal(count_where(dst, "data = ?1", rl_blob_value("\0\xff", 2)), 1);
    assert_int_equal(count_where(dst, "data = ?1", rl_blob_value("", 0)), 1); /* not NULL */
    assert_int_equal(rl_copy_verify(src, dst), RL_OK);
    rl_close(dst);
    rl_close(src);
}

static void test_verify_names_a_changed_value(void **state)
{
    (void)state;
    rl_db *src, *dst = copied(&src, false);
    assert_int_equal(rl_copy_verify(src, dst), RL_OK);
    assert_int_equal(rl_exec(dst, "UPDATE invoices SET total = 5.95 WHERE id = 2", NULL, 0, NULL),
                     RL_OK);
    assert_int_equal(rl_copy_verify(src, dst), RL_EDATALOSS);
    const char *m = rl_errmsg(dst);
    if (!strstr(m, "table invoices, row id = 2, column total: the source has 5.94, the "
                   "destination 5.95"))
        fail_msg("message: %s", m);
    assert_int_equal(rl_exec(dst, "UPDATE invoices SET total = 5.94 WHERE id = 2", NULL, 0, NULL),
                     RL_OK);
    assert_int_equal(rl_copy_verify(src, dst), RL_OK);
    assert_int_equal(rl_exec(dst, "UPDATE invoices SET note = NULL WHERE id = 1", NULL, 0, NULL),
                     RL_OK);
    assert_int_equal(rl_copy_verify(src, dst), RL_EDATALOSS);
    assert_non_null(strstr(rl_errmsg(dst), "row id = 1, column note: the source has 'a\\tb\\nc"));
    rl_close(dst);
    rl_close(src);
}

static void test_verify_names_a_missing_row(void **state)
{
    (void)state;
    rl_db *src, *dst = copied(&src, false);
    assert_int_equal(rl_exec(dst, "DELETE FROM invoices WHERE id = 3", NULL, 0, NULL), RL_OK);
    assert_int_equal(rl_copy_verify(src, dst), RL_EDATALOSS);
    const char *m = rl_errmsg(dst);
    if (!strstr(m, "table invoices, row id = 3: missing from the destination"))
        fail_msg("message: %s", m);
    assert_int_equal(rl_exec(dst, "DROP TABLE invoices", NULL, 0, NULL), RL_OK);
    assert_int_equal(rl_copy_verify(src, dst), RL_EDATALOSS);
    assert_non_null(strstr(rl_errmsg(dst), "the destination has no table invoices"));
    assert_int_equal(rl_copy_verify(NULL, dst), RL_EINVAL);
    rl_close(dst);
    rl_close(src);
}

static void test_shortest_exact_text(void **state)
{
    (void)state;
    static const struct {
        double v;
        const char *text;
    } cases[] = {{0.99, "0.99"},
                 {5.94, "5.94"},
                 {0.1 + 0.2, "0.30000000000000004"},
                 {1e308, "1e+308"},
                 {-0.0, "-0"},
                 {0.0, "0"},
                 {42.0, "42"},
                 {5e-324, "4.94065645841247e-324"},
                 {1.0 / 3.0, "0.3333333333333333"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[32];
        rli_real_text(cases[i].v, out);
        assert_string_equal(out, cases[i].text);
        assert_true(strtod(out, NULL) == cases[i].v);
    }
}

int main(void)
{
    const struct CMUnitTest both[] = {
        cmocka_unit_test(test_values_cross_exactly),
        cmocka_unit_test(test_verify_names_a_changed_value),
        cmocka_unit_test(test_verify_names_a_missing_row),
    };
    /* no engine at all: run once, in the SQLite suite */
    const struct CMUnitTest sqlite_only[] = {cmocka_unit_test(test_shortest_exact_text)};
    return run_suites_with(both, sqlite_only, tmpdir_setup, tmpdir_teardown);
}

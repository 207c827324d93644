/*
 * Foreign keys: every action, the errors that name the broken key, and the SQLite semantics
 * users trip on (deferred keys, SET DEFAULT to a missing parent, self-referencing cascades,
 * INSERT OR REPLACE on a referenced parent, NULL keys).
 */
#include "helpers.h"

#include <sqlite3.h>

typedef struct {
    int64_t pk;
    char *name;
} Parent;

typedef struct {
    int64_t pk;
    int64_t parent_id;
} Kid;

typedef struct {
    int64_t pk;
    rl_maybe_int parent_id;
} OptKid;

static const rl_field parent_fields[] = {RL_TEXT(Parent, name)};
static const rl_model Parent_model = RL_MODEL(Parent, "parents", parent_fields);

static const rl_field restrict_fields[] = {RL_FOREIGN_KEY(Kid, parent_id, &Parent_model)};
static const rl_model Restrict_model = RL_MODEL(Kid, "restrict_kids", restrict_fields);

static const rl_field noaction_fields[] = {RL_FOREIGN_KEY(
    Kid, parent_id, &Parent_model, .on_delete = RL_NO_ACTION, .on_update = RL_NO_ACTION)};
static const rl_model NoAction_model = RL_MODEL(Kid, "noaction_kids", noaction_fields);

static const rl_field setnull_fields[] = {RL_FOREIGN_KEY(
    OptKid, parent_id, &Parent_model, .on_delete = RL_SET_NULL, .on_update = RL_SET_NULL)};
static const rl_model SetNull_model = RL_MODEL(OptKid, "setnull_kids", setnull_fields);

static const rl_field setdefault_fields[] = {
    RL_FOREIGN_KEY(Kid, parent_id, &Parent_model, .on_delete = RL_SET_DEFAULT, .default_sql = "1")};
static const rl_model SetDefault_model = RL_MODEL(Kid, "setdefault_kids", setdefault_fields);

static const rl_field deferred_fields[] = {
    RL_FOREIGN_KEY(Kid, parent_id, &Parent_model, .deferrable = true, .on_delete = RL_CASCADE)};
static const rl_model Deferred_model = RL_MODEL(Kid, "deferred_kids", deferred_fields);

typedef struct {
    int64_t pk;
    char *name;
    rl_maybe_int parent_id;
} TreeNode;
extern const rl_model Tree_model;
static const rl_field tree_fields[] = {
    RL_TEXT(TreeNode, name),
    RL_FOREIGN_KEY(TreeNode, parent_id, &Tree_model, .on_delete = RL_CASCADE)};
const rl_model Tree_model = RL_MODEL(TreeNode, "tree", tree_fields);

static rl_db *open_all(void)
{
    rl_db *db;
    rl_options o = {.profile = RL_PROFILE_TEST};
    assert_int_equal(rl_open(&db, NULL, &o), RL_OK);
    const rl_model *models[] = {&Restrict_model,   &NoAction_model, &SetNull_model,
                                &SetDefault_model, &Deferred_model, &Tree_model};
    assert_int_equal(rl_create_all(db, models, 6), RL_OK);
    return db;
}

static int64_t parent(rl_db *db, const char *name)
{
    Parent p = {.name = (char *)name};
    assert_int_equal(rl_insert(db, &Parent_model, &p), RL_OK);
    return p.pk;
}

static void test_insert_without_parent_names_key_and_value(void **state)
{
    (void)state;
    rl_db *db = open_all();
    Kid k = {.parent_id = 99999};
    assert_int_equal(rl_insert(db, &Restrict_model, &k), RL_EFOREIGNKEY);
    const rl_error *e = rl_last_error(db);
    assert_string_equal(rl_errmsg(db), "insert into restrict_kids: parent_id = 99999 has no "
                                       "matching row in parents(pk).");
    assert_string_equal(e->fk.child_table, "restrict_kids");
    assert_string_equal(e->fk.child_column, "parent_id");
    assert_string_equal(e->fk.parent_table, "parents");
    assert_string_equal(e->fk.parent_column, "pk");
    assert_string_equal(e->fk.value, "99999");
    assert_false(e->fk.parent_side);
    if (!on_pg()) assert_int_equal(e->engine_code, SQLITE_CONSTRAINT_FOREIGNKEY);
    assert_int_equal(k.pk, 0);
    assert_int_equal(scalar(db, "SELECT count(*) FROM restrict_kids"), 0);

    /* Update of a child to a missing parent. */
    k.parent_id = parent(db, "p");
    assert_int_equal(rl_insert(db, &Restrict_model, &k), RL_OK);
    k.parent_id = 4242;
    assert_int_equal(rl_update(db, &Restrict_model, &k), RL_EFOREIGNKEY);
    assert_contains(rl_errmsg(db), "update restrict_kids: parent_id = 4242 has no matching row");
    rl_close(db);
}

static void test_restrict_delete_and_update(void **state)
{
    (void)state;
    rl_db *db = open_all();
    int64_t p = parent(db, "p");
    for (int i = 0; i < 2; i++) {
        Kid k = {.parent_id = p};
        assert_int_equal(rl_insert(db, &Restrict_model, &k), RL_OK);
    }
    assert_int_equal(rl_delete(db, &Parent_model, p), RL_EFOREIGNKEY);
    char want[200];
    snprintf(want, sizeof want,
             "delete from parents: pk = %lld is still referenced by 2 rows of "
             "restrict_kids(parent_id) (ON DELETE RESTRICT).",
             (long long)p);
    assert_string_equal(rl_errmsg(db), want);
    const rl_error *e = rl_last_error(db);
    assert_true(e->fk.parent_side);
    assert_int_equal(e->fk.referencing, 2);
    assert_int_equal(e->fk.action, RL_RESTRICT);
    /* RESTRICT may surface as a trigger constraint code; either is accepted and diagnosed. */
    if (!on_pg())
        assert_true(e->engine_code == SQLITE_CONSTRAINT_FOREIGNKEY ||
                    e->engine_code == SQLITE_CONSTRAINT_TRIGGER);

    assert_int_equal(rl_update_pk(db, &Parent_model, p, 1000), RL_EFOREIGNKEY);
    assert_contains(rl_errmsg(db), "2 rows of restrict_kids(parent_id) (ON UPDATE RESTRICT)");
    assert_int_equal(scalar(db, "SELECT count(*) FROM parents"), 1);

    /* Through raw SQL the same diagnosis applies. */
    assert_int_equal(rl_exec(db, "DELETE FROM parents", NULL, 0, NULL), RL_EFOREIGNKEY);
    assert_contains(rl_errmsg(db), "restrict_kids(parent_id)");
    assert_contains(rl_errmsg(db), "RESTRICT");
    rl_close(db);
}

static void test_no_action_delete(void **state)
{
    (void)state;
    rl_db *db = open_all();
    int64_t p = parent(db, "p");
    Kid k = {.parent_id = p};
    assert_int_equal(rl_insert(db, &NoAction_model, &k), RL_OK);
    assert_int_equal(rl_delete(db, &Parent_model, p), RL_EFOREIGNKEY);
    assert_contains(rl_errmsg(db), "still referenced by 1 row of noaction_kids(parent_id) "
                                   "(ON DELETE NO ACTION)");
    assert_int_equal(rl_last_error(db)->fk.action, RL_NO_ACTION);
    /* Raw SQL: found by re-running the delete with keys deferred. */
    assert_int_equal(rl_exec(db, "DELETE FROM parents WHERE name = 'p'", NULL, 0, NULL),
                     RL_EFOREIGNKEY);
    assert_contains(rl_errmsg(db), "is still referenced by 1 row of noaction_kids(parent_id)");
    assert_int_equal(scalar(db, "SELECT count(*) FROM parents"), 1);
    rl_close(db);
}

static void test_cascade_and_set_null(void **state)
{
    (void)state;
    rl_db *db = open_all();
    int64_t p = parent(db, "p");
    OptKid o = {.parent_id = RL_SOME(p)};
    assert_int_equal(rl_insert(db, &SetNull_model, &o), RL_OK);
    assert_int_equal(rl_update_pk(db, &Parent_model, p, 50), RL_OK); /* ON UPDATE SET NULL */
    OptKid got;
    assert_int_equal(rl_get(db, &SetNull_model, o.pk, &got), RL_OK);
    assert_false(got.parent_id.present);
    o.parent_id = (rl_maybe_int)RL_SOME(50);
    assert_int_equal(rl_update(db, &SetNull_model, &o), RL_OK);
    assert_int_equal(rl_delete(db, &Parent_model, 50), RL_OK); /* ON DELETE SET NULL */
    assert_int_equal(rl_get(db, &SetNull_model, o.pk, &got), RL_OK);
    assert_false(got.parent_id.present);

    int64_t q = parent(db, "q");
    Kid d = {.parent_id = q};
    assert_int_equal(rl_insert(db, &Deferred_model, &d), RL_OK);
    assert_int_equal(rl_delete(db, &Parent_model, q), RL_OK); /* CASCADE */
    assert_int_equal(scalar(db, "SELECT count(*) FROM deferred_kids"), 0);
    rl_close(db);
}

static void test_null_keys_are_never_checked(void **state)
{
    (void)state;
    rl_db *db = open_all();
    OptKid o = {.parent_id = RL_NONE};
    assert_int_equal(rl_insert(db, &SetNull_model, &o), RL_OK);
    assert_int_equal(scalar(db, "SELECT count(*) FROM setnull_kids WHERE parent_id IS NULL"), 1);
    /* and foreign_key_check agrees nothing is wrong */
    if (!on_pg()) assert_int_equal(scalar(db, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
    rl_close(db);
}

static void test_deferred_keys_checked_at_commit(void **state)
{
    (void)state;
    rl_db *db = open_all();
    assert_int_equal(rl_begin(db), RL_OK);
    Kid early = {.parent_id = 10};
    /* The parent does not exist yet: fine until commit. */
    assert_int_equal(rl_insert(db, &Deferred_model, &early), RL_OK);
    Parent p = {.pk = 10, .name = "late"};
    assert_int_equal(rl_insert(db, &Parent_model, &p), RL_OK);
    assert_int_equal(rl_commit(db), RL_OK);

    assert_int_equal(rl_begin(db), RL_OK);
    Kid orphan = {.parent_id = 11};
    assert_int_equal(rl_insert(db, &Deferred_model, &orphan), RL_OK);
    assert_int_equal(rl_commit(db), RL_EFOREIGNKEY);
    assert_contains(rl_errmsg(db), on_pg() ? "commit: " : "commit: deferred_kids rowid 2: ");
    assert_contains(rl_errmsg(db), "parent_id = 11 has no matching row in parents(pk)");
    if (on_pg()) { /* PostgreSQL ends a transaction whose COMMIT failed: it is rolled back */
        assert_int_equal(rl_txn_depth(db), 0);
        assert_contains(rl_errmsg(db), "The transaction was rolled back.");
    } else { /* the transaction stays open so the caller can fix it or roll back */
        assert_int_equal(rl_txn_depth(db), 1);
        assert_int_equal(rl_rollback(db), RL_OK);
    }
    assert_int_equal(scalar(db, "SELECT count(*) FROM deferred_kids"), 1);
    rl_close(db);
}

static void test_set_default_to_missing_parent(void **state)
{
    (void)state;
    rl_db *db = open_all();
    assert_int_equal(parent(db, "p"), 1);
    int64_t q = parent(db, "q");
    Kid k = {.parent_id = q};
    assert_int_equal(rl_insert(db, &SetDefault_model, &k), RL_OK);
    /* The default (1) exists: deleting q moves k to parent 1. */
    assert_int_equal(rl_delete(db, &Parent_model, q), RL_OK);
    assert_int_equal(scalar(db, "SELECT parent_id FROM setdefault_kids"), 1);
    /* Deleting parent 1 itself: SET DEFAULT sets 1 again, which no longer exists. */
    assert_int_equal(rl_delete(db, &Parent_model, 1), RL_EFOREIGNKEY);
    assert_contains(rl_errmsg(db), "setdefault_kids(parent_id)");
    assert_contains(rl_errmsg(db), "SET DEFAULT");
    assert_int_equal(scalar(db, "SELECT count(*) FROM parents WHERE pk = 1"), 1);
    rl_close(db);
}

static void test_self_referencing_cascade(void **state)
{
    (void)state;
    rl_db *db = open_all();
    TreeNode root = {.name = "root"};
    assert_int_equal(rl_insert(db, &Tree_model, &root), RL_OK);
    TreeNode child = {.name = "child", .parent_id = RL_SOME(root.pk)};
    assert_int_equal(rl_insert(db, &Tree_model, &child), RL_OK);
    TreeNode grandchild = {.name = "grandchild", .parent_id = RL_SOME(child.pk)};
    assert_int_equal(rl_insert(db, &Tree_model, &grandchild), RL_OK);
    TreeNode other = {.name = "other"};
    assert_int_equal(rl_insert(db, &Tree_model, &other), RL_OK);
    assert_int_equal(rl_delete(db, &Tree_model, root.pk), RL_OK);
    assert_int_equal(scalar(db, "SELECT count(*) FROM tree"), 1);
    TreeNode bad = {.name = "bad", .parent_id = RL_SOME(777)};
    assert_int_equal(rl_insert(db, &Tree_model, &bad), RL_EFOREIGNKEY);
    assert_contains(rl_errmsg(db), "parent_id = 777 has no matching row in tree(pk)");
    rl_close(db);
}

static void test_insert_or_replace_deletes_referenced_parent(void **state)
{
    (void)state;
    rl_db *db = open_all();
    int64_t p = parent(db, "p");
    Kid r = {.parent_id = p};
    assert_int_equal(rl_insert(db, &Restrict_model, &r), RL_OK);
    rl_value args[] = {rl_int(p)};
    /* REPLACE deletes the old parent row first: RESTRICT refuses that. */
    assert_int_equal(
        rl_exec(db, "INSERT OR REPLACE INTO parents (pk, name) VALUES (?1, 'new')", args, 1, NULL),
        RL_EFOREIGNKEY);
    assert_contains(rl_errmsg(db), "restrict_kids(parent_id)");
    assert_int_equal(scalar(db, "SELECT count(*) FROM parents WHERE name = 'p'"), 1);

    /* With a CASCADE child, REPLACE silently deletes the children: a known SQLite trap. */
    int64_t q = parent(db, "q");
    Kid c = {.parent_id = q};
    assert_int_equal(rl_insert(db, &Deferred_model, &c), RL_OK);
    rl_value qa[] = {rl_int(q)};
    assert_int_equal(
        rl_exec(db, "INSERT OR REPLACE INTO parents (pk, name) VALUES (?1, 'q2')", qa, 1, NULL),
        RL_OK);
    assert_int_equal(scalar(db, "SELECT count(*) FROM deferred_kids"), 0);
    rl_close(db);
}

static void test_cascade_blocked_further_down(void **state)
{
    (void)state;
    /* authors -CASCADE-> books <-RESTRICT- loans: deleting the author is refused by loans. */
    typedef struct {
        int64_t pk;
        int64_t book_id;
    } Loan;
    static const rl_field loan_fields[] = {RL_FOREIGN_KEY(Loan, book_id, &Book_model)};
    static const rl_model Loan_model = RL_MODEL(Loan, "loans", loan_fields);
    rl_db *db = open_library();
    assert_int_equal(rl_create_table(db, &Loan_model), RL_OK);
    int64_t a = add_author(db, "A");
    int64_t b = add_book(db, "B", a);
    Loan l = {.book_id = b};
    assert_int_equal(rl_insert(db, &Loan_model, &l), RL_OK);
    assert_int_equal(rl_delete(db, &Author_model, a), RL_EFOREIGNKEY);
    assert_contains(rl_errmsg(db), "loans(book_id)");
    assert_int_equal(scalar(db, "SELECT count(*) FROM books"), 1);
    rl_close(db);
}

static int count_statements(unsigned type, void *ctx, void *p, void *x)
{
    (void)type;
    (void)p;
    (void)x;
    ++*(int *)ctx;
    return 0;
}

static void test_success_path_runs_no_diagnosis(void **state)
{
    (void)state;
    /* Count the statements SQLite runs: one per successful insert, more only on failure. */
    rl_db *db = open_all();
    int64_t p = parent(db, "p");
    Kid k = {.parent_id = p};
    assert_int_equal(rl_insert(db, &Restrict_model, &k), RL_OK); /* statement prepared */
    int n = 0;
    sqlite3_trace_v2(rl_sqlite3(db), SQLITE_TRACE_STMT, count_statements, &n);
    k.pk = 0;
    assert_int_equal(rl_insert(db, &Restrict_model, &k), RL_OK);
    assert_int_equal(n, 1);
    n = 0;
    Kid bad = {.parent_id = 555};
    assert_int_equal(rl_insert(db, &Restrict_model, &bad), RL_EFOREIGNKEY);
    assert_true(n > 1);
    sqlite3_trace_v2(rl_sqlite3(db), 0, NULL, NULL);
    rl_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_insert_without_parent_names_key_and_value),
        cmocka_unit_test(test_restrict_delete_and_update),
        cmocka_unit_test(test_no_action_delete),
        cmocka_unit_test(test_cascade_and_set_null),
        cmocka_unit_test(test_null_keys_are_never_checked),
        cmocka_unit_test(test_deferred_keys_checked_at_commit),
        cmocka_unit_test(test_set_default_to_missing_parent),
        cmocka_unit_test(test_self_referencing_cascade),
        cmocka_unit_test(test_cascade_blocked_further_down),
    };
    const struct CMUnitTest sqlite_only[] = {
        cmocka_unit_test(test_insert_or_replace_deletes_referenced_parent), /* SQLite syntax */
        cmocka_unit_test(test_success_path_runs_no_diagnosis),              /* sqlite3_trace_v2 */
    };
    return run_suites(tests, sqlite_only);
}

/*
 * Relations, on both engines: joins, prefetch, aggregates, subquery conditions, cursors,
 * upserts and raw SQL read into structs.  Results are compared with what hand-written SQL
 * says on the same data (a few thousand random cases), and the statements each call runs
 * are counted through rl_trace.
 */
#include "helpers.h"

typedef struct {
    int64_t pk;
    char *name;
} Member;

/* A loan: a book lent to a member; checked is a number to aggregate. */
typedef struct {
    int64_t pk;
    int64_t book_id;
    int64_t member_id;
    int64_t days;
} Loan;

/* Two keys to the same parent (an ambiguous relation), one of them nullable. */
typedef struct {
    int64_t pk;
    int64_t book_id;
    int64_t reviewer_id;
    rl_maybe_int editor_id;
    double score;
} Review;

/* A self-reference. */
typedef struct {
    int64_t pk;
    char *name;
    rl_maybe_int manager_id;
} Employee;

static const rl_field member_fields[] = {RL_TEXT(Member, name)};
static const rl_model Member_model = RL_MODEL(Member, "members", member_fields);
static const rl_field loan_fields[] = {
    RL_FOREIGN_KEY(Loan, book_id, &Book_model, .on_delete = RL_CASCADE),
    RL_FOREIGN_KEY(Loan, member_id, &Member_model, .on_delete = RL_CASCADE),
    RL_INT(Loan, days),
};
static const rl_model Loan_model = RL_MODEL(Loan, "loans", loan_fields);
static const rl_field review_fields[] = {
    RL_FOREIGN_KEY(Review, book_id, &Book_model, .on_delete = RL_CASCADE),
    RL_FOREIGN_KEY(Review, reviewer_id, &Author_model, .on_delete = RL_CASCADE),
    RL_FOREIGN_KEY(Review, editor_id, &Author_model, .on_delete = RL_SET_NULL),
    RL_REAL(Review, score),
};
static const rl_model Review_model = RL_MODEL(Review, "reviews", review_fields);
static const rl_model Employee_model;
static const rl_field employee_fields[] = {
    RL_TEXT(Employee, name),
    RL_FOREIGN_KEY(Employee, manager_id, &Employee_model, .on_delete = RL_SET_NULL),
};
static const rl_model Employee_model = RL_MODEL(Employee, "employees", employee_fields);

/* Many-to-many: books and tags through a link model. */
typedef struct {
    int64_t pk;
    char *label;
} Tag;
typedef struct {
    int64_t pk;
    int64_t book_id, tag_id;
} BookTag;
static const rl_field tag_fields[] = {RL_TEXT(Tag, label, .unique = true)};
static const rl_model Tag_model = RL_MODEL(Tag, "tags", tag_fields);
RL_LINK_MODEL(BookTag_model, BookTag, "book_tags", book_id, &Book_model, tag_id, &Tag_model);
/* Many-to-many between rows of one model: who follows whom. */
typedef struct {
    int64_t pk;
    int64_t follower_id, followed_id;
} Follow;
RL_LINK_MODEL(Follow_model, Follow, "follows", follower_id, &Member_model, followed_id,
              &Member_model);

static rl_db *open_all(void)
{
    rl_db *db = open_library();
    const rl_model *models[] = {&Member_model, &Loan_model,    &Review_model, &Employee_model,
                                &Tag_model,    &BookTag_model, &Follow_model};
    assert_int_equal(rl_create_all(db, models, 7), RL_OK);
    return db;
}

static int64_t add_member(rl_db *db, const char *name)
{
    Member m = {.name = (char *)name};
    assert_int_equal(rl_insert(db, &Member_model, &m), RL_OK);
    return m.pk;
}

static int64_t add_loan(rl_db *db, int64_t book, int64_t member, int64_t days)
{
    Loan l = {.book_id = book, .member_id = member, .days = days};
    assert_int_equal(rl_insert(db, &Loan_model, &l), RL_OK);
    return l.pk;
}

/* Counting statements through rl_trace: only the SELECTs and the other statements apart. */
typedef struct {
    int all, selects;
} counter;

static void count_stmt(const char *sql, void *ctx)
{
    counter *c = ctx;
    c->all++;
    if (strncmp(sql, "SELECT", 6) == 0) c->selects++;
}

/* ---- join ---------------------------------------------------------------------------------- */

/* rl_join_as: tables joined by name in both directions (members -> their loans -> each
 * loan's book -> its author), their columns grouped, aggregated, filtered and ordered. */
static void test_join_as(void **state)
{
    (void)state;
    rl_db *db = open_all();
    int64_t a = add_author(db, "A"), b = add_author(db, "B");
    int64_t x = add_book(db, "x", a), y = add_book(db, "y", b), z = add_book(db, "z", a);
    int64_t ann = add_member(db, "Ann"), bob = add_member(db, "Bob");
    add_member(db, "Cy"); /* no loans: a row of its own, its joined columns NULL */
    add_loan(db, x, ann, 3);
    add_loan(db, z, ann, 4);
    add_loan(db, y, ann, 10);
    add_loan(db, x, bob, 5);

    counter c = {0, 0};
    rl_trace(db, count_stmt, &c);
    rl_query *q = rl_select(db, &Member_model);
    assert_int_equal(rl_join_as(q, NULL, &Loan_model, NULL, "l"), RL_OK); /* loans' key */
    assert_int_equal(rl_join_as(q, "l", &Book_model, NULL, "b"), RL_OK);  /* the loan's */
    assert_int_equal(rl_join_as(q, "b", &Author_model, "author_id", "a"), RL_OK);
    assert_int_equal(rl_select_field(q, "a.name"), RL_OK);
    assert_int_equal(rl_select_agg(q, RL_AGG_SUM, "l.days"), RL_OK);
    assert_int_equal(rl_select_agg(q, RL_AGG_COUNT, "l.pk"), RL_OK);
    assert_int_equal(rl_group_by(q, "a.name"), RL_OK);
    assert_int_equal(rl_order_by(q, "a.name", RL_ASC_NULLS_LAST), RL_OK);
    rl_values *v;
    assert_int_equal(rl_fetch_values(q, &v), RL_OK);
    assert_int_equal(c.all, 1);
    assert_int_equal(v->rows, 3);
    assert_int_equal(v->cols, 3);
    const rl_value *r = v->values;
    assert_string_equal(r[0].u.s, "A");
    assert_int_equal(r[1].u.i, 12);
    assert_int_equal(r[2].u.i, 3);
    assert_string_equal(r[3].u.s, "B");
    assert_int_equal(r[4].u.i, 10);
    assert_int_equal(r[5].u.i, 1);
    assert_int_equal(r[6].type, RL_V_NULL);
    assert_int_equal(r[7].type, RL_V_NULL);
    assert_int_equal(r[8].u.i, 0);
    rl_values_free(v);
    rl_query_free(q);
    rl_trace(db, NULL, NULL);

    /* a condition on a joined column; rl_join's parent beside tables joined by name */
    q = rl_select(db, &Loan_model);
    assert_int_equal(rl_join(q, &Book_model, NULL), RL_OK);
    assert_int_equal(rl_join_as(q, "books", &Author_model, NULL, "a"), RL_OK);
    assert_int_equal(rl_join_as(q, NULL, &Member_model, NULL, "m"), RL_OK);
    assert_int_equal(rl_where(q, "a.name", RL_EQ, rl_text("A")), RL_OK);
    assert_int_equal(rl_where(q, "m.name", RL_EQ, rl_text("Ann")), RL_OK);
    assert_int_equal(rl_select_agg(q, RL_AGG_SUM, "days"), RL_OK);
    assert_int_equal(rl_fetch_values(q, &v), RL_OK);
    assert_int_equal(v->rows, 1);
    assert_int_equal(v->values[0].u.i, 7);
    rl_values_free(v);
    rl_query_free(q);

    /* refusals: a name taken or with a dot, an unknown table to join from, no key between,
     * a fourth table, writing or a set of parents after a join */
    q = rl_select(db, &Member_model);
    assert_int_equal(rl_join_as(q, NULL, &Loan_model, NULL, "l"), RL_OK);
    assert_int_equal(rl_join_as(q, NULL, &Loan_model, NULL, "l"), RL_EINVAL);
    rl_query_free(q);
    q = rl_select(db, &Member_model);
    assert_int_equal(rl_join_as(q, NULL, &Loan_model, NULL, "l.x"), RL_EINVAL);
    rl_query_free(q);
    q = rl_select(db, &Member_model);
    assert_int_equal(rl_join_as(q, "nowhere", &Loan_model, NULL, "l"), RL_EINVAL);
    assert_non_null(strstr(rl_errmsg(db), "nowhere"));
    rl_query_free(q);
    q = rl_select(db, &Member_model);
    assert_int_equal(rl_join_as(q, NULL, &Author_model, NULL, "a"), RL_EINVAL);
    rl_query_free(q);
    q = rl_select(db, &Loan_model);
    assert_int_equal(rl_join_as(q, NULL, &Book_model, NULL, "b1"), RL_OK);
    assert_int_equal(rl_join_as(q, NULL, &Member_model, NULL, "m1"), RL_OK);
    assert_int_equal(rl_join_as(q, "b1", &Author_model, NULL, "a1"), RL_OK);
    assert_int_equal(rl_join_as(q, NULL, &Member_model, NULL, "m2"), RL_EMISUSE);
    rl_query_free(q);
    q = rl_select(db, &Loan_model);
    assert_int_equal(rl_join_as(q, NULL, &Member_model, NULL, "m"), RL_OK);
    assert_int_equal(rl_where(q, "m.name", RL_EQ, rl_text("Bob")), RL_OK);
    int64_t gone = 0, left = 0;
    assert_int_equal(rl_delete_where(q, &gone), RL_EMISUSE);
    rl_query_free(q);
    q = rl_select(db, &Loan_model);
    assert_int_equal(rl_count(q, &left), RL_OK);
    assert_int_equal(left, 4);
    rl_query_free(q);
    rl_close(db);
}

static void test_join_fills_parents(void **state)
{
    (void)state;
    rl_db *db = open_all();
    int64_t le_guin = add_author(db, "Le Guin"), banks = add_author(db, "Banks");
    add_book(db, "The Dispossessed", le_guin);
    add_book(db, "Excession", banks);
    add_book(db, "Lathe of Heaven", le_guin);

    counter c = {0, 0};
    assert_int_equal(rl_trace(db, count_stmt, &c), RL_OK);
    rl_query *q = rl_select(db, &Book_model);
    assert_int_equal(rl_join(q, &Author_model, NULL), RL_OK);
    assert_int_equal(rl_where(q, "authors.name", RL_EQ, rl_text("Le Guin")), RL_OK);
    assert_int_equal(rl_order_by(q, "title", RL_DESC), RL_OK);
    rl_rows *rows;
    assert_int_equal(rl_fetch_all(q, &rows), RL_OK);
    assert_int_equal(c.all, 1); /* one statement, whatever the number of rows */
    assert_int_equal(rows->count, 2);
    const Book *b = rows->items;
    const Author *a = rows->parents;
    assert_string_equal(b[0].title, "The Dispossessed");
    assert_string_equal(b[1].title, "Lathe of Heaven");
    for (int i = 0; i < 2; i++) {
        assert_true(rows->has_parent[i]);
        assert_int_equal(a[i].pk, le_guin);
        assert_string_equal(a[i].name, "Le Guin");
    }
    rl_rows_free(rows);
    rl_query_free(q);

    /* the key's name works as the parent's prefix too, and parents order the rows */
    q = rl_select(db, &Book_model);
    rl_join(q, &Author_model, "author_id");
    rl_order_by(q, "author_id.name", RL_ASC);
    rl_order_by(q, "title", RL_ASC);
    assert_int_equal(rl_fetch_all(q, &rows), RL_OK);
    assert_int_equal(rows->count, 3);
    a = rows->parents;
    assert_string_equal(a[0].name, "Banks");
    assert_string_equal(a[2].name, "Le Guin");
    int64_t n = 0;
    assert_int_equal(rl_count(q, &n), RL_OK);
    assert_int_equal(n, 3);
    rl_rows_free(rows);
    rl_query_free(q);
    rl_trace(db, NULL, NULL);
    rl_close(db);
}

static void test_join_keeps_rows_without_parent(void **state)
{
    (void)state;
    rl_db *db = open_all();
    int64_t a = add_author(db, "Reviewer"), e = add_author(db, "Editor");
    int64_t book = add_book(db, "B", a);
    Review r1 = {.book_id = book, .reviewer_id = a, .editor_id = RL_SOME(e), .score = 4};
    Review r2 = {.book_id = book, .reviewer_id = a, .score = 2}; /* no editor */
    assert_int_equal(rl_insert(db, &Review_model, &r1), RL_OK);
    assert_int_equal(rl_insert(db, &Review_model, &r2), RL_OK);

    rl_query *q = rl_select(db, &Review_model);
    assert_int_equal(rl_join(q, &Author_model, NULL), RL_EAMBIGUOUS);
    assert_contains(rl_errmsg(db), "reviewer_id, editor_id");
    rl_rows *rows;
    assert_int_equal(rl_fetch_all(q, &rows), RL_EAMBIGUOUS); /* the query remembers */
    rl_query_free(q);

    q = rl_select(db, &Review_model);
    assert_int_equal(rl_join(q, &Author_model, "editor_id"), RL_OK);
    rl_order_by(q, "score", RL_DESC);
    assert_int_equal(rl_fetch_all(q, &rows), RL_OK);
    assert_int_equal(rows->count, 2);
    const Author *p = rows->parents;
    assert_true(rows->has_parent[0]);
    assert_string_equal(p[0].name, "Editor");
    assert_false(rows->has_parent[1]);
    assert_int_equal(p[1].pk, 0);
    assert_null(p[1].name);
    rl_rows_free(rows);

    /* a joined query cannot write */
    int64_t changed;
    assert_int_equal(rl_delete_where(q, &changed), RL_EMISUSE);
    rl_query_free(q);

    /* a field that is not a key, and a key to another table */
    q = rl_select(db, &Review_model);
    assert_int_equal(rl_join(q, &Author_model, "score"), RL_EINVAL);
    rl_query_free(q);
    q = rl_select(db, &Review_model);
    assert_int_equal(rl_join(q, &Author_model, "book_id"), RL_EINVAL);
    assert_contains(rl_errmsg(db), "reviews.book_id is not a foreign key to authors");
    rl_query_free(q);
    rl_close(db);
}

static void test_self_reference(void **state)
{
    (void)state;
    rl_db *db = open_all();
    Employee boss = {.name = "Boss"};
    assert_int_equal(rl_insert(db, &Employee_model, &boss), RL_OK);
    Employee e1 = {.name = "Ann", .manager_id = RL_SOME(boss.pk)};
    Employee e2 = {.name = "Bob", .manager_id = RL_SOME(boss.pk)};
    assert_int_equal(rl_insert(db, &Employee_model, &e1), RL_OK);
    assert_int_equal(rl_insert(db, &Employee_model, &e2), RL_OK);

    rl_query *q = rl_select(db, &Employee_model);
    assert_int_equal(rl_join(q, &Employee_model, NULL), RL_OK);
    rl_where(q, "employees.name", RL_EQ, rl_text("Boss")); /* the manager's name */
    rl_order_by(q, "name", RL_ASC);
    rl_rows *rows;
    assert_int_equal(rl_fetch_all(q, &rows), RL_OK);
    assert_int_equal(rows->count, 2);
    assert_string_equal(((Employee *)rows->items)[0].name, "Ann");
    assert_string_equal(((Employee *)rows->parents)[1].name, "Boss");
    rl_rows_free(rows);
    rl_query_free(q);

    /* the boss's reports, by prefetch */
    q = rl_select(db, &Employee_model);
    rl_order_by(q, "name", RL_DESC);
    rl_groups *g;
    Employee parents[] = {boss, e1};
    assert_int_equal(rl_fetch_children(q, &Employee_model, NULL, parents, 2, &g), RL_OK);
    assert_int_equal(g->size[0], 2);
    assert_int_equal(g->size[1], 0);
    assert_string_equal(((Employee *)g->items)[g->start[0]].name, "Bob");
    rl_groups_free(g);
    rl_query_free(q);
    rl_close(db);
}

/* ---- prefetch and aggregates ------------------------------------------------------------- */

static void test_children_grouped_in_one_statement(void **state)
{
    (void)state;
    rl_db *db = open_all();
    Author authors[4] = {{.name = "A"}, {.name = "B"}, {.name = "C"}, {.name = "D"}};
    for (int i = 0; i < 3; i++)
        assert_int_equal(rl_insert(db, &Author_model, &authors[i]), RL_OK);
    add_book(db, "a2", authors[0].pk);
    add_book(db, "c1", authors[2].pk);
    add_book(db, "a1", authors[0].pk);
    add_book(db, "a3", authors[0].pk);
    authors[3] = authors[0]; /* a parent given twice shares its group */

    counter c = {0, 0};
    rl_trace(db, count_stmt, &c);
    rl_query *q = rl_select(db, &Book_model);
    rl_where(q, "title", RL_NE, rl_text("a3"));
    rl_order_by(q, "title", RL_ASC);
    rl_groups *g;
    assert_int_equal(rl_fetch_children(q, &Author_model, NULL, authors, 4, &g), RL_OK);
    assert_int_equal(c.all, 1);
    assert_int_equal(g->count, 4);
    assert_int_equal(g->total, 3);
    const Book *b = g->items;
    assert_int_equal(g->size[0], 2);
    assert_string_equal(b[g->start[0]].title, "a1");
    assert_string_equal(b[g->start[0] + 1].title, "a2");
    assert_int_equal(g->size[1], 0); /* B has no books */
    assert_int_equal(g->size[2], 1);
    assert_string_equal(b[g->start[2]].title, "c1");
    assert_int_equal(g->size[3], 2);
    assert_int_equal(g->start[3], g->start[0]);
    rl_groups_free(g);

    /* the query is unchanged afterwards: it runs as it was */
    int64_t n = 0;
    assert_int_equal(rl_count(q, &n), RL_OK);
    assert_int_equal(n, 3);
    assert_null(strstr(rl_query_sql(q), "json_each"));
    assert_null(strstr(rl_query_sql(q), "ANY"));

    /* aggregates: every parent gets its value, count 0 and NULL for none */
    rl_value out[4];
    c.all = 0;
    assert_int_equal(
        rl_aggregate_children(q, &Author_model, NULL, authors, 4, RL_AGG_COUNT, NULL, out), RL_OK);
    assert_int_equal(c.all, 1);
    assert_int_equal(out[0].type, RL_V_INT);
    assert_int_equal(out[0].u.i, 2);
    assert_int_equal(out[1].type, RL_V_INT); /* 0, not NULL, for a parent without children */
    assert_int_equal(out[1].u.i, 0);
    assert_int_equal(out[2].u.i, 1);
    assert_int_equal(out[3].u.i, 2);
    assert_int_equal(
        rl_aggregate_children(q, &Author_model, NULL, authors, 4, RL_AGG_MAX, "price", out), RL_OK);
    assert_int_equal(out[0].type, RL_V_REAL);
    assert_int_equal(out[1].type, RL_V_NULL);
    assert_int_equal(
        rl_aggregate_children(q, &Author_model, NULL, authors, 4, RL_AGG_SUM, "title", out),
        RL_EINVAL);
    rl_query_free(q);

    /* no parents: no groups, no rows */
    q = rl_select(db, &Book_model);
    assert_int_equal(rl_fetch_children(q, &Author_model, NULL, NULL, 0, &g), RL_OK);
    assert_int_equal(g->count, 0);
    assert_int_equal(g->total, 0);
    rl_groups_free(g);
    rl_query_free(q);
    rl_trace(db, NULL, NULL);
    rl_close(db);
}

/* The parents of a set of child rows, in one statement: group i is child i's parent (none for
 * a NULL key, or when the parents' conditions leave it out). */
static void test_parents_of_a_set_in_one_statement(void **state)
{
    (void)state;
    rl_db *db = open_all();
    int64_t a = add_author(db, "Ann"), b = add_author(db, "Bob");
    int64_t book = add_book(db, "B", a);
    Review rv[4] = {
        {.book_id = book, .reviewer_id = a, .score = 1},
        {.book_id = book, .reviewer_id = b, .editor_id = RL_SOME(a), .score = 2},
        {.book_id = book, .reviewer_id = a, .editor_id = RL_SOME(b), .score = 3},
        {.book_id = book, .reviewer_id = b, .editor_id = RL_SOME(a), .score = 4},
    };
    for (int i = 0; i < 4; i++)
        assert_int_equal(rl_insert(db, &Review_model, &rv[i]), RL_OK);

    counter c = {0, 0};
    rl_trace(db, count_stmt, &c);
    rl_query *q = rl_select(db, &Author_model);
    rl_groups *g;
    assert_int_equal(rl_fetch_parents(q, &Review_model, NULL, rv, 4, &g), RL_EAMBIGUOUS);
    assert_contains(rl_errmsg(db), "reviewer_id, editor_id");
    rl_query_free(q);

    q = rl_select(db, &Author_model);
    assert_int_equal(rl_fetch_parents(q, &Review_model, "editor_id", rv, 4, &g), RL_OK);
    assert_int_equal(c.all, 1);
    assert_int_equal(g->count, 4);
    assert_int_equal(g->total, 2); /* Ann and Bob, each read once */
    const Author *p = g->items;
    assert_int_equal(g->size[0], 0); /* no editor */
    assert_int_equal(g->size[1], 1);
    assert_string_equal(p[g->start[1]].name, "Ann");
    assert_int_equal(p[g->start[1]].pk, a);
    assert_int_equal(g->size[2], 1);
    assert_string_equal(p[g->start[2]].name, "Bob");
    assert_int_equal(g->size[3], 1);
    assert_int_equal(g->start[3], g->start[1]); /* the same parent: the same row */
    rl_groups_free(g);
    rl_query_free(q);

    /* the parents' conditions: a child whose parent they leave out has none */
    q = rl_select(db, &Author_model);
    rl_where(q, "name", RL_NE, rl_text("Bob"));
    assert_int_equal(rl_fetch_parents(q, &Review_model, "reviewer_id", rv, 4, &g), RL_OK);
    assert_int_equal(g->size[0], 1);
    assert_int_equal(g->size[1], 0);
    assert_int_equal(g->size[2], 1);
    assert_int_equal(g->size[3], 0);
    assert_int_equal(g->total, 1);
    rl_groups_free(g);
    /* the query runs as it was afterwards */
    int64_t n = 0;
    assert_int_equal(rl_count(q, &n), RL_OK);
    assert_int_equal(n, 1);
    rl_query_free(q);

    /* a field that is not a key to the query's model; no children */
    q = rl_select(db, &Author_model);
    assert_int_equal(rl_fetch_parents(q, &Review_model, "book_id", rv, 4, &g), RL_EINVAL);
    assert_contains(rl_errmsg(db), "reviews.book_id is not a foreign key to authors");
    rl_query_free(q);
    q = rl_select(db, &Author_model);
    assert_int_equal(rl_fetch_parents(q, &Review_model, "editor_id", NULL, 0, &g), RL_OK);
    assert_int_equal(g->count, 0);
    assert_int_equal(g->total, 0);
    rl_groups_free(g);
    rl_query_free(q);
    rl_trace(db, NULL, NULL);
    rl_close(db);
}

static void test_many_to_many(void **state)
{
    (void)state;
    rl_db *db = open_all();
    assert_true(has_index(db, "book_tags", "book_tags_book_id_tag_id_key", true));
    int64_t a = add_author(db, "A");
    Book books[3];
    const char *titles[] = {"b0", "b1", "b2"};
    for (int i = 0; i < 3; i++) {
        books[i] = (Book){.title = (char *)titles[i], .author_id = a};
        assert_int_equal(rl_insert(db, &Book_model, &books[i]), RL_OK);
    }
    Tag tags[3] = {{.label = "sf"}, {.label = "classic"}, {.label = "unused"}};
    for (int i = 0; i < 3; i++)
        assert_int_equal(rl_insert(db, &Tag_model, &tags[i]), RL_OK);
    assert_int_equal(rl_link(db, &BookTag_model, &Book_model, books[0].pk, &Tag_model, tags[0].pk),
                     RL_OK);
    assert_int_equal(rl_link(db, &BookTag_model, &Book_model, books[0].pk, &Tag_model, tags[1].pk),
                     RL_OK);
    assert_int_equal(rl_link(db, &BookTag_model, &Book_model, books[2].pk, &Tag_model, tags[1].pk),
                     RL_OK);
    assert_int_equal(rl_link(db, &BookTag_model, &Book_model, books[2].pk, &Tag_model, tags[1].pk),
                     RL_EUNIQUE);
    assert_int_equal(rl_link(db, &BookTag_model, &Book_model, 4242, &Tag_model, tags[1].pk),
                     RL_EFOREIGNKEY);
    assert_contains(rl_errmsg(db), "book_id = 4242 has no matching row in books");

    counter c = {0, 0};
    rl_trace(db, count_stmt, &c);
    rl_query *q = rl_select(db, &Tag_model);
    rl_order_by(q, "label", RL_ASC);
    rl_groups *g;
    assert_int_equal(rl_fetch_linked(q, &BookTag_model, &Book_model, books, 3, &g), RL_OK);
    assert_int_equal(c.all, 1);
    const Tag *t = g->items;
    assert_int_equal(g->size[0], 2);
    assert_string_equal(t[g->start[0]].label, "classic");
    assert_string_equal(t[g->start[0] + 1].label, "sf");
    assert_int_equal(g->size[1], 0);
    assert_int_equal(g->size[2], 1);
    assert_string_equal(t[g->start[2]].label, "classic");
    rl_groups_free(g);
    rl_trace(db, NULL, NULL);

    /* and the other way: the books of each tag */
    rl_query *qb = rl_select(db, &Book_model);
    assert_int_equal(rl_fetch_linked(qb, &BookTag_model, &Tag_model, tags, 3, &g), RL_OK);
    assert_int_equal(g->size[1], 2);
    assert_int_equal(g->size[2], 0);
    rl_groups_free(g);
    rl_query_free(qb);

    assert_int_equal(
        rl_unlink(db, &BookTag_model, &Book_model, books[0].pk, &Tag_model, tags[0].pk), RL_OK);
    assert_int_equal(
        rl_unlink(db, &BookTag_model, &Book_model, books[0].pk, &Tag_model, tags[0].pk),
        RL_ENOTFOUND);
    assert_int_equal(rl_delete(db, &Book_model, books[2].pk), RL_OK); /* its link goes too */
    assert_int_equal(scalar(db, "SELECT count(*) FROM book_tags"), 1);
    assert_int_equal(rl_fetch_linked(q, &BookTag_model, &Book_model, books, 2, &g), RL_OK);
    assert_int_equal(g->total, 1);
    rl_groups_free(g);
    rl_query_free(q);

    /* a link between rows of one model: its first key is the side given, its second the rows
     * read (ann follows bob and cy; bob follows cy) */
    Member people[3] = {{.name = "ann"}, {.name = "bob"}, {.name = "cy"}};
    for (int i = 0; i < 3; i++)
        assert_int_equal(rl_insert(db, &Member_model, &people[i]), RL_OK);
    const int pairs[][2] = {{0, 1}, {0, 2}, {1, 2}};
    for (int i = 0; i < 3; i++)
        assert_int_equal(rl_link(db, &Follow_model, &Member_model, people[pairs[i][0]].pk,
                                 &Member_model, people[pairs[i][1]].pk),
                         RL_OK);
    assert_int_equal(scalar(db, "SELECT count(*) FROM follows WHERE follower_id <> followed_id"),
                     3);
    q = rl_select(db, &Member_model);
    rl_order_by(q, "name", RL_ASC);
    assert_int_equal(rl_fetch_linked(q, &Follow_model, &Member_model, people, 3, &g), RL_OK);
    assert_int_equal(g->size[0], 2); /* ann follows two */
    assert_string_equal(((Member *)g->items)[g->start[0]].name, "bob");
    assert_int_equal(g->size[1], 1);
    assert_string_equal(((Member *)g->items)[g->start[1]].name, "cy");
    assert_int_equal(g->size[2], 0); /* cy follows nobody */
    rl_groups_free(g);
    rl_query_free(q);
    assert_int_equal(
        rl_unlink(db, &Follow_model, &Member_model, people[1].pk, &Member_model, people[0].pk),
        RL_ENOTFOUND); /* bob does not follow ann */
    assert_int_equal(
        rl_unlink(db, &Follow_model, &Member_model, people[0].pk, &Member_model, people[1].pk),
        RL_OK);
    rl_close(db);
}

/* ---- subquery conditions ------------------------------------------------------------------ */

static void test_books_not_on_loan(void **state)
{
    (void)state;
    rl_db *db = open_all();
    int64_t a = add_author(db, "A");
    int64_t b1 = add_book(db, "one", a), b2 = add_book(db, "two", a);
    add_book(db, "three", a);
    int64_t m = add_member(db, "M"), m2 = add_member(db, "N");
    add_loan(db, b1, m, 7);
    add_loan(db, b2, m2, 30);

    rl_query *q = rl_select(db, &Book_model);
    assert_int_equal(rl_where_referenced(q, rl_select(db, &Loan_model), NULL, true), RL_OK);
    rl_rows *rows;
    assert_int_equal(rl_fetch_all(q, &rows), RL_OK);
    assert_int_equal(rows->count, 1);
    assert_string_equal(((Book *)rows->items)[0].title, "three");
    rl_rows_free(rows);
    rl_query_free(q);

    /* on loan for more than two weeks; the subquery's values are bound like any other */
    q = rl_select(db, &Book_model);
    rl_query *long_loans = rl_select(db, &Loan_model);
    rl_where(long_loans, "days", RL_GT, rl_int(14));
    assert_int_equal(rl_where_referenced(q, long_loans, "book_id", false), RL_OK);
    rl_where(q, "title", RL_NE, rl_text("x"));
    assert_int_equal(rl_fetch_all(q, &rows), RL_OK);
    assert_int_equal(rows->count, 1);
    assert_string_equal(((Book *)rows->items)[0].title, "two");
    rl_rows_free(rows);
    rl_query_free(q);

    /* members who borrowed "one": IN another query's field */
    q = rl_select(db, &Member_model);
    rl_query *loans = rl_select(db, &Loan_model);
    rl_where(loans, "book_id", RL_EQ, rl_int(b1));
    assert_int_equal(rl_where_in_query(q, "pk", loans, "member_id", false), RL_OK);
    assert_int_equal(rl_fetch_all(q, &rows), RL_OK);
    assert_int_equal(rows->count, 1);
    assert_string_equal(((Member *)rows->items)[0].name, "M");
    rl_rows_free(rows);
    rl_query_free(q);

    /* subqueries nest: authors with a book lent to N (EXISTS books WHERE EXISTS loans ...),
     * with a value on each level bound in order */
    q = rl_select(db, &Author_model);
    rl_where(q, "name", RL_NE, rl_text("nobody"));
    rl_query *books = rl_select(db, &Book_model);
    rl_where(books, "title", RL_NE, rl_text("x"));
    rl_query *to_n = rl_select(db, &Loan_model);
    rl_where(to_n, "member_id", RL_EQ, rl_int(m2));
    assert_int_equal(rl_where_referenced(books, to_n, "book_id", false), RL_OK);
    assert_int_equal(rl_where_referenced(q, books, "author_id", false), RL_OK);
    int64_t n = -1;
    assert_int_equal(rl_count(q, &n), RL_OK);
    assert_int_equal(n, 1);
    rl_query_free(q);
    q = rl_select(db, &Author_model);
    books = rl_select(db, &Book_model);
    to_n = rl_select(db, &Loan_model);
    rl_where(to_n, "member_id", RL_EQ, rl_int(m2 + 1000));
    rl_where_referenced(books, to_n, "book_id", false);
    rl_where_referenced(q, books, "author_id", false);
    assert_int_equal(rl_count(q, &n), RL_OK);
    assert_int_equal(n, 0);
    rl_query_free(q);

    /* a bulk delete with a subquery: the books nobody borrowed */
    q = rl_select(db, &Book_model);
    rl_where_referenced(q, rl_select(db, &Loan_model), NULL, true);
    int64_t changed = 0;
    assert_int_equal(rl_delete_where(q, &changed), RL_OK);
    assert_int_equal(changed, 1);
    rl_query_free(q);
    assert_int_equal(scalar(db, "SELECT count(*) FROM books"), 2);

    /* bad subqueries are refused and freed; a query is not its own subquery */
    q = rl_select(db, &Book_model);
    assert_int_equal(rl_where_referenced(q, q, NULL, false), RL_EINVAL);
    rl_query_free(q);
    q = rl_select(db, &Book_model);
    assert_int_equal(rl_where_referenced(q, rl_select(db, &Member_model), NULL, false), RL_EINVAL);
    rl_query_free(q);
    q = rl_select(db, &Book_model);
    assert_int_equal(rl_where_in_query(q, "pk", rl_select(db, &Loan_model), "nope", false),
                     RL_EFIELD);
    rl_query_free(q);
    rl_close(db);
}

/* ---- cursors ------------------------------------------------------------------------------- */

/* One cursor after another with the same statement and other values (the statement of the last
 * one may be reused), one freed before its end, and two open at once with the same text. */
static void test_cursors_one_after_another(void **state)
{
    (void)state;
    rl_db *db = open_all();
    int64_t a = add_author(db, "A"), b = add_author(db, "B");
    for (int i = 0; i < 6; i++)
        add_book(db, i % 2 ? "odd" : "even", i < 3 ? a : b);
    Book row;
    for (int round = 0; round < 4; round++) {
        int64_t who = round % 2 ? b : a;
        rl_query *q = rl_select(db, &Book_model);
        rl_where(q, "author_id", RL_EQ, rl_int(who));
        rl_order_by(q, "pk", RL_ASC);
        rl_cursor *c;
        assert_int_equal(rl_cursor_open(q, &c), RL_OK);
        rl_query_free(q);
        int n = 0, rc;
        while ((rc = rl_cursor_next(c, &row, NULL)) == 1) {
            assert_int_equal(row.author_id, who);
            n++;
            if (round == 2 && n == 1) break; /* freed before its end */
        }
        assert_int_equal(n, round == 2 ? 1 : 3);
        rl_cursor_free(c);
    }
    /* two at once (SQLite: PostgreSQL sends one statement's rows at a time): each its own
     * statement, each its own values */
    rl_cursor *c1, *c2;
    rl_query *q;
    if (on_pg()) goto once_more;
    q = rl_select(db, &Book_model);
    rl_where(q, "author_id", RL_EQ, rl_int(a));
    assert_int_equal(rl_cursor_open(q, &c1), RL_OK);
    rl_query_free(q);
    q = rl_select(db, &Book_model);
    rl_where(q, "author_id", RL_EQ, rl_int(b));
    assert_int_equal(rl_cursor_open(q, &c2), RL_OK);
    rl_query_free(q);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(rl_cursor_next(c1, &row, NULL), 1);
        assert_int_equal(row.author_id, a);
        assert_int_equal(rl_cursor_next(c2, &row, NULL), 1);
        assert_int_equal(row.author_id, b);
    }
    assert_int_equal(rl_cursor_next(c1, &row, NULL), 0);
    rl_cursor_free(c1);
    rl_cursor_free(c2);
once_more:
    q = rl_select(db, &Book_model); /* and after both, once more */
    rl_where(q, "author_id", RL_EQ, rl_int(b));
    assert_int_equal(rl_cursor_open(q, &c1), RL_OK);
    rl_query_free(q);
    int n = 0;
    while (rl_cursor_next(c1, &row, NULL) == 1)
        n += row.author_id == b;
    assert_int_equal(n, 3);
    rl_cursor_free(c1);
    rl_close(db);
}

static void test_cursor_streams_every_row(void **state)
{
    (void)state;
    rl_db *db = open_all();
    int64_t a = add_author(db, "A");
    rl_begin(db);
    char title[32];
    for (int i = 0; i < 500; i++) {
        snprintf(title, sizeof title, "book %03d", i);
        add_book(db, title, i % 2 ? a : a);
    }
    rl_commit(db);
    rl_query *q = rl_select(db, &Book_model);
    rl_join(q, &Author_model, NULL);
    rl_order_by(q, "title", RL_ASC);
    rl_cursor *c;
    assert_int_equal(rl_cursor_open(q, &c), RL_OK);
    rl_query_free(q); /* the cursor does not need it */
    Book b;
    Author p;
    int n = 0, rc;
    while ((rc = rl_cursor_next(c, &b, &p)) == 1) {
        snprintf(title, sizeof title, "book %03d", n);
        assert_string_equal(b.title, title);
        assert_string_equal(p.name, "A");
        n++;
    }
    assert_int_equal(rc, 0);
    assert_int_equal(n, 500);
    assert_int_equal(rl_cursor_next(c, &b, NULL), 0); /* stays at its end */
    rl_cursor_free(c);

    /* freed early: the rest is dropped and the connection is usable at once */
    q = rl_select(db, &Book_model);
    assert_int_equal(rl_cursor_open(q, &c), RL_OK);
    assert_int_equal(rl_cursor_next(c, &b, NULL), 1);
    int64_t count = 0;
    int during = rl_count(q, &count);
    if (on_pg()) { /* one statement at a time on a PostgreSQL connection */
        assert_int_equal(during, RL_EMISUSE);
        assert_contains(rl_errmsg(db), "cursor");
        rl_query *other = rl_select(db, &Author_model); /* a statement never prepared */
        rl_where(other, "name", RL_EQ, rl_text("x"));
        rl_cursor *c2 = NULL;
        assert_int_equal(rl_cursor_open(other, &c2), RL_EMISUSE);
        assert_null(c2);
        rl_query_free(other);
    } else {
        assert_int_equal(during, RL_OK);
        assert_int_equal(count, 500);
    }
    rl_cursor_free(c);
    assert_int_equal(rl_count(q, &count), RL_OK);
    assert_int_equal(count, 500);
    rl_query_free(q);
    assert_int_equal(rl_cursor_next(NULL, &b, NULL), RL_EINVAL);
    rl_cursor_free(NULL);
    rl_close(db);
}

/* A file: every kind of member a cursor reads, NULLs included. */
typedef struct {
    int64_t pk;
    char *name;
    rl_blob data;
    rl_maybe_int size;
    rl_maybe_real weight;
    bool hidden;
} File;
static const rl_field file_fields[] = {RL_TEXT(File, name, .nullable = true),
                                       RL_BLOB(File, data, .nullable = true), RL_INT(File, size),
                                       RL_REAL(File, weight), RL_BOOL(File, hidden)};
static const rl_model File_model = RL_MODEL(File, "files", file_fields);

static bool same_value(const rl_value *a, const rl_value *b)
{
    if (a->type != b->type) return false;
    switch (a->type) {
    case RL_V_INT:
        return a->u.i == b->u.i;
    case RL_V_REAL:
        return a->u.r == b->u.r;
    case RL_V_TEXT:
        return strcmp(a->u.s, b->u.s) == 0;
    case RL_V_BLOB:
        return a->u.b.len == b->u.b.len && memcmp(a->u.b.data, b->u.b.data, a->u.b.len) == 0;
    default:
        return true;
    }
}

/* Rows with blobs (some larger than an arena block), NULL text and NULL numbers read by a
 * cursor exactly as rl_fetch_all reads them, through a declared model and a runtime one. */
static void test_cursor_reads_every_kind(void **state)
{
    (void)state;
    rl_db *db = open_library();
    const rl_model *models[] = {&File_model};
    assert_int_equal(rl_create_all(db, models, 1), RL_OK);
    static unsigned char bytes[70000];
    for (size_t i = 0; i < sizeof bytes; i++)
        bytes[i] = (unsigned char)(i * 7 + 3);
    rl_begin(db);
    for (int i = 0; i < 40; i++) {
        char name[16];
        snprintf(name, sizeof name, "f%d", i);
        size_t len = i % 5 == 0 ? 0 : (size_t)(i * 1777) % sizeof bytes;
        File f = {.name = i % 3 ? name : NULL,
                  .data = {i % 4 ? bytes + i : NULL, len},
                  .size = {i % 2 == 0, i},
                  .weight = {i % 3 == 0, i / 4.0},
                  .hidden = i % 2};
        assert_int_equal(rl_insert(db, &File_model, &f), RL_OK);
    }
    rl_commit(db);
    rl_query *q = rl_select(db, &File_model);
    rl_order_by(q, "pk", RL_ASC);
    rl_rows *rows;
    assert_int_equal(rl_fetch_all(q, &rows), RL_OK);
    assert_int_equal(rows->count, 40);
    rl_cursor *c;
    assert_int_equal(rl_cursor_open(q, &c), RL_OK);
    File f;
    size_t n = 0;
    while (rl_cursor_next(c, &f, NULL) == 1) {
        const File *w = (const File *)rows->items + n++;
        assert_int_equal(f.pk, w->pk);
        assert_true((f.name == NULL) == (w->name == NULL));
        if (w->name) assert_string_equal(f.name, w->name);
        assert_true((f.data.data == NULL) == (w->data.data == NULL));
        assert_int_equal(f.data.len, w->data.len);
        if (w->data.len) assert_memory_equal(f.data.data, w->data.data, w->data.len);
        assert_int_equal(f.size.present, w->size.present);
        assert_int_equal(f.size.value, w->size.value);
        assert_int_equal(f.weight.present, w->weight.present);
        assert_true(f.weight.value == w->weight.value);
        assert_int_equal(f.hidden, w->hidden);
    }
    assert_int_equal(n, 40);
    rl_cursor_free(c);
    rl_rows_free(rows);
    rl_query_free(q);

    /* the same table as a runtime model: rows of values */
    rl_models *ms;
    assert_int_equal(rl_models_load(db, &ms), RL_OK);
    const rl_model *files = rl_models_find(ms, "files");
    assert_non_null(files);
    q = rl_select(db, files);
    rl_order_by(q, "pk", RL_ASC);
    assert_int_equal(rl_fetch_all(q, &rows), RL_OK);
    assert_int_equal(rl_cursor_open(q, &c), RL_OK);
    void *row = calloc(1, files->size);
    n = 0;
    int nulls = 0, blobs = 0;
    while (rl_cursor_next(c, row, NULL) == 1) {
        char *want = (char *)rows->items + n++ * files->size;
        assert_int_equal(*(int64_t *)row, *(int64_t *)want);
        const rl_value *v = rl_row_values(files, row), *wv = rl_row_values(files, want);
        for (size_t k = 0; k < files->nfields; k++) {
            assert_true(same_value(&v[k], &wv[k]));
            nulls += v[k].type == RL_V_NULL;
            blobs += v[k].type == RL_V_BLOB && v[k].u.b.len > 4096;
        }
    }
    assert_int_equal(n, 40);
    assert_true(nulls > 10);
    assert_true(blobs > 10);
    free(row); /* the cursor's values are its own: nothing to free in the row */
    rl_cursor_free(c);
    rl_rows_free(rows);
    rl_query_free(q);
    rl_models_free(ms);
    rl_close(db);
}

/* ---- upsert and raw SQL into structs --------------------------------------------------------- */

static void test_upsert_updates_in_place(void **state)
{
    (void)state;
    rl_db *db = open_all();
    static const char *const by_email[] = {"email", NULL};
    Author a = {.name = "Old name", .email = "a@example.org"};
    assert_int_equal(rl_upsert(db, &Author_model, &a, by_email), RL_OK);
    assert_true(a.pk > 0);
    int64_t book = add_book(db, "kept", a.pk); /* ON DELETE CASCADE child */
    Author again = {.name = "New name", .email = "a@example.org"};
    assert_int_equal(rl_upsert(db, &Author_model, &again, by_email), RL_OK);
    assert_int_equal(again.pk, a.pk); /* the same row, not a new one */
    Author got;
    assert_int_equal(rl_get(db, &Author_model, a.pk, &got), RL_OK);
    assert_string_equal(got.name, "New name");
    rl_row_free(&Author_model, &got);
    Book b;
    assert_int_equal(rl_get(db, &Book_model, book, &b), RL_OK); /* no delete fired */
    rl_row_free(&Book_model, &b);
    assert_int_equal(scalar(db, "SELECT count(*) FROM authors"), 1);

    /* by primary key */
    Author by_pk = {.pk = a.pk, .name = "By pk", .email = "a@example.org"};
    assert_int_equal(rl_upsert(db, &Author_model, &by_pk, NULL), RL_OK);
    Author fresh = {.pk = a.pk + 100, .name = "Fresh", .email = "f@example.org"};
    assert_int_equal(rl_upsert(db, &Author_model, &fresh, NULL), RL_OK);
    assert_int_equal(scalar(db, "SELECT count(*) FROM authors"), 2);
    Author next = {.name = "Next"}; /* keys given move the generator past them */
    assert_int_equal(rl_insert(db, &Author_model, &next), RL_OK);
    assert_true(next.pk > fresh.pk);

    /* a key with no parent is named like an insert's */
    Book orphan = {.pk = book, .title = "kept", .author_id = 99999};
    assert_int_equal(rl_upsert(db, &Book_model, &orphan, NULL), RL_EFOREIGNKEY);
    assert_contains(rl_errmsg(db), "author_id = 99999 has no matching row in authors");
    static const char *const nope[] = {"nope", NULL};
    assert_int_equal(rl_upsert(db, &Author_model, &fresh, nope), RL_EFIELD);
    Author no_pk = {.name = "x"};
    assert_int_equal(rl_upsert(db, &Author_model, &no_pk, NULL), RL_EINVAL);
    rl_close(db);
}

/* An upsert whose only field is its conflict target changes nothing of the row it meets:
 * not its key either (the key the insert would have drawn is not written over it). */
static void test_upsert_keeps_the_key(void **state)
{
    (void)state;
    rl_db *db = open_all();
    assert_int_equal(rl_exec(db,
                             on_pg() ? "CREATE TABLE labels (id bigint GENERATED BY DEFAULT AS "
                                       "IDENTITY PRIMARY KEY, label text NOT NULL UNIQUE)"
                                     : "CREATE TABLE labels (id INTEGER PRIMARY KEY, label TEXT "
                                       "NOT NULL UNIQUE)",
                             NULL, 0, NULL),
                     RL_OK);
    assert_int_equal(rl_exec(db, "INSERT INTO labels (label) VALUES ('a')", NULL, 0, NULL), RL_OK);
    rl_models *ms;
    assert_int_equal(rl_models_load(db, &ms), RL_OK);
    const rl_model *labels = rl_models_find(ms, "labels");
    assert_non_null(labels);
    void *row = calloc(1, labels->size);
    assert_non_null(row);
    rl_row_values(labels, row)[0] = rl_text("a");
    static const char *const by_label[] = {"label", NULL};
    assert_int_equal(rl_upsert(db, labels, row, by_label), RL_OK);
    assert_int_equal(*(int64_t *)((char *)row + labels->pk_offset), 1); /* the row met */
    assert_int_equal(scalar(db, "SELECT count(*) FROM labels"), 1);
    assert_int_equal(scalar(db, "SELECT id FROM labels WHERE label = 'a'"), 1);
    free(row);
    rl_models_free(ms);
    rl_close(db);
}

static void test_raw_sql_into_structs(void **state)
{
    (void)state;
    rl_db *db = open_all();
    int64_t a = add_author(db, "A");
    add_book(db, "x", a);
    add_book(db, "y", a);
    rl_rows *rows;
    rl_value p[] = {rl_text("y")};
    assert_int_equal(rl_query_rows(db, &Book_model,
                                   "SELECT b.pk, b.title AS title, b.author_id FROM books b "
                                   "JOIN authors a ON a.pk = b.author_id WHERE b.title <> ?1",
                                   p, 1, &rows),
                     RL_OK);
    assert_int_equal(rows->count, 1);
    const Book *b = rows->items;
    assert_string_equal(b[0].title, "x");
    assert_int_equal(b[0].author_id, a);
    assert_false(b[0].year.present); /* not returned: NULL */
    rl_rows_free(rows);
    assert_int_equal(
        rl_query_rows(db, &Book_model, "SELECT title, 1 AS nope FROM books", NULL, 0, &rows),
        RL_EFIELD);
    assert_contains(rl_errmsg(db), "nope");
    assert_int_equal(rl_query_rows(db, &Book_model, "SELECT * FROM no_such_table", NULL, 0, &rows),
                     RL_ESCHEMA);
    rl_close(db);
}

/* ---- values: chosen columns, aggregates, DISTINCT, GROUP BY -------------------------------- */

static void test_group_by_and_distinct(void **state)
{
    (void)state;
    rl_db *db = open_all();
    int64_t a = add_author(db, "A"), b = add_author(db, "B");
    add_author(db, "C");
    const struct {
        const char *title;
        int64_t author;
        double price;
    } books[] = {{"x", a, 10}, {"y", a, 30}, {"z", b, 5}, {"y", b, 7}};
    for (size_t i = 0; i < 4; i++) {
        Book bk = {
            .title = (char *)books[i].title, .author_id = books[i].author, .price = books[i].price};
        assert_int_equal(rl_insert(db, &Book_model, &bk), RL_OK);
    }
    counter c = {0, 0};
    rl_trace(db, count_stmt, &c);
    rl_query *q = rl_select(db, &Book_model);
    rl_join(q, &Author_model, NULL);
    assert_int_equal(rl_select_field(q, "authors.name"), RL_OK);
    assert_int_equal(rl_select_agg(q, RL_AGG_COUNT, NULL), RL_OK);
    assert_int_equal(rl_select_agg(q, RL_AGG_SUM, "price"), RL_OK);
    assert_int_equal(rl_select_agg(q, RL_AGG_AVG, "price"), RL_OK);
    assert_int_equal(rl_group_by(q, "authors.name"), RL_OK);
    rl_order_by(q, "authors.name", RL_DESC);
    rl_values *v;
    assert_int_equal(rl_fetch_values(q, &v), RL_OK);
    assert_int_equal(c.all, 1);
    assert_int_equal(v->rows, 2);
    assert_int_equal(v->cols, 4);
    assert_string_equal(v->names[0], "name");
    assert_string_equal(v->names[1], "count");
    assert_string_equal(v->names[2], "sum(price)");
    const rl_value *r0 = v->values, *r1 = v->values + 4;
    assert_string_equal(r0[0].u.s, "B");
    assert_int_equal(r0[1].type, RL_V_INT);
    assert_int_equal(r0[1].u.i, 2);
    assert_int_equal(r0[2].type, RL_V_REAL);
    assert_true(r0[2].u.r == 12.0);
    assert_string_equal(r1[0].u.s, "A");
    assert_true(r1[3].type == RL_V_REAL && r1[3].u.r == 20.0);
    rl_values_free(v);
    rl_query_free(q);
    rl_trace(db, NULL, NULL);

    /* DISTINCT titles, with paging */
    q = rl_select(db, &Book_model);
    rl_select_field(q, "title");
    rl_distinct(q);
    rl_order_by(q, "title", RL_ASC);
    assert_int_equal(rl_fetch_values(q, &v), RL_OK);
    assert_int_equal(v->rows, 3);
    assert_string_equal(v->values[1].u.s, "y");
    rl_values_free(v);
    rl_limit(q, 1);
    rl_offset(q, 2);
    assert_int_equal(rl_fetch_values(q, &v), RL_OK);
    assert_int_equal(v->rows, 1);
    assert_string_equal(v->values[0].u.s, "z");
    rl_values_free(v);
    rl_query_free(q);

    /* no chosen columns: the pk and every field, NULL kept */
    q = rl_select(db, &Book_model);
    rl_where(q, "title", RL_EQ, rl_text("z"));
    assert_int_equal(rl_fetch_values(q, &v), RL_OK);
    assert_int_equal(v->cols, 6);
    assert_string_equal(v->names[0], "pk");
    assert_int_equal(v->values[3].type, RL_V_NULL); /* year */
    rl_values_free(v);
    rl_query_free(q);

    /* bad names are errors, not SQL */
    q = rl_select(db, &Book_model);
    assert_int_equal(rl_select_field(q, "nope; DROP TABLE books"), RL_EFIELD);
    assert_int_equal(rl_fetch_values(q, &v), RL_EFIELD);
    rl_query_free(q);
    q = rl_select(db, &Book_model);
    assert_int_equal(rl_select_agg(q, RL_AGG_SUM, NULL), RL_EINVAL);
    rl_query_free(q);
    assert_int_equal(scalar(db, "SELECT count(*) FROM books"), 4);
    rl_close(db);
}

/* ---- runtime models ------------------------------------------------------------------------ */

static void test_runtime_models(void **state)
{
    (void)state;
    rl_db *db = open_all();
    int64_t a = add_author(db, "Le Guin");
    add_book(db, "The Dispossessed", a);
    assert_int_equal(rl_exec(db,
                             on_pg()
                                 ? "CREATE TABLE kv (k text PRIMARY KEY, v bigint);"
                                   "CREATE TABLE pairs (a bigint, b bigint, PRIMARY KEY (a, b));"
                                   "CREATE TABLE pair_notes (id bigint GENERATED BY DEFAULT AS "
                                   "IDENTITY PRIMARY KEY, a bigint, b bigint, FOREIGN KEY (a, b) "
                                   "REFERENCES pairs (a, b))"
                                 : "CREATE TABLE kv (k TEXT PRIMARY KEY, v INTEGER);"
                                   "CREATE TABLE pairs (a INTEGER, b INTEGER, PRIMARY KEY (a, b));"
                                   "CREATE TABLE pair_notes (id INTEGER PRIMARY KEY, a INTEGER, b "
                                   "INTEGER, FOREIGN KEY (a, b) REFERENCES pairs (a, b))",
                             NULL, 0, NULL),
                     RL_OK);
    rl_models *ms;
    assert_int_equal(rl_models_load(db, &ms), RL_OK);
    const rl_model *books = rl_models_find(ms, "books"), *authors = rl_models_find(ms, "authors");
    assert_non_null(books);
    assert_non_null(authors);
    assert_null(rl_models_find(ms, "nope"));
    assert_true(books->has_pk);
    assert_int_equal(books->nfields, 5);
    const rl_field *key = NULL;
    for (size_t i = 0; i < books->nfields; i++)
        if (strcmp(books->fields[i].name, "author_id") == 0) key = &books->fields[i];
    assert_non_null(key);
    assert_ptr_equal(key->references, authors);
    assert_int_equal(key->on_delete, RL_CASCADE);

    /* each book with its author, through the runtime models */
    rl_query *q = rl_select(db, books);
    assert_int_equal(rl_join(q, authors, NULL), RL_OK);
    rl_where(q, "authors.name", RL_EQ, rl_text("Le Guin"));
    rl_rows *rows;
    assert_int_equal(rl_fetch_all(q, &rows), RL_OK);
    assert_int_equal(rows->count, 1);
    rl_value *bv = rl_row_values(books, rows->items);
    rl_value *av = rl_row_values(authors, rows->parents);
    assert_int_equal(bv[0].type, RL_V_TEXT);
    assert_string_equal(bv[0].u.s, "The Dispossessed");
    assert_int_equal(bv[1].type, RL_V_INT);
    assert_int_equal(bv[1].u.i, a);
    assert_int_equal(bv[2].type, RL_V_NULL); /* year: NULL stays NULL */
    assert_string_equal(av[0].u.s, "Le Guin");
    rl_rows_free(rows);
    rl_query_free(q);

    /* writes: a broken key is named, defaults fill NULLs and are read back */
    size_t size = books->size;
    void *row = calloc(1, size);
    rl_value *v = rl_row_values(books, row);
    v[0] = rl_text("New book");
    v[1] = rl_int(99999);
    assert_int_equal(rl_insert(db, books, row), RL_EFOREIGNKEY);
    assert_contains(rl_errmsg(db), "author_id = 99999 has no matching row in authors");
    v[1] = rl_int(a);
    assert_int_equal(rl_insert(db, books, row), RL_OK);
    assert_true(*(int64_t *)row > 0);
    assert_int_equal(v[3].type, RL_V_REAL); /* price DEFAULT 0, read back */
    assert_true(v[3].u.r == 0.0);
    assert_int_equal(v[4].type, RL_V_INT); /* in_print DEFAULT true */
    assert_int_equal(v[4].u.i, 1);
    v[0] = rl_null(); /* the title is borrowed: only reflite's strings are freed */
    rl_row_free(books, row);
    free(row);

    /* prefetch with runtime parents */
    q = rl_select(db, authors);
    assert_int_equal(rl_fetch_all(q, &rows), RL_OK);
    rl_query_free(q);
    q = rl_select(db, books);
    rl_order_by(q, "title", RL_ASC);
    rl_groups *g;
    assert_int_equal(rl_fetch_children(q, authors, NULL, rows->items, rows->count, &g), RL_OK);
    assert_int_equal(g->size[0], 2);
    assert_string_equal(rl_row_values(books, g->items)[0].u.s, "New book");
    rl_groups_free(g);
    rl_query_free(q);
    rl_rows_free(rows);

    /* a table keyed by text: a model without pk, its key a field */
    const rl_model *kv = rl_models_find(ms, "kv");
    assert_false(kv->has_pk);
    assert_int_equal(kv->nfields, 2);
    rl_value pair[2] = {rl_text("a"), rl_int(7)};
    assert_int_equal(rl_insert(db, kv, pair), RL_OK);
    assert_int_equal(rl_insert(db, kv, pair), RL_EUNIQUE);
    q = rl_select(db, kv);
    rl_where(q, "k", RL_EQ, rl_text("a"));
    rl_value got[2];
    assert_int_equal(rl_fetch_one(q, got), RL_OK);
    assert_int_equal(got[1].u.i, 7);
    rl_row_free(kv, got);
    rl_query_free(q);

    /* a composite key is a relation of its own (an rl_key), not a key of any one column */
    const rl_model *notes = rl_models_find(ms, "pair_notes");
    for (size_t i = 0; i < notes->nfields; i++)
        assert_null(notes->fields[i].references);
    assert_int_equal(notes->nkeys, 1);
    q = rl_select(db, notes);
    assert_int_equal(rl_join(q, rl_models_find(ms, "pairs"), NULL), RL_OK);
    int64_t joined;
    assert_int_equal(rl_count(q, &joined), RL_OK);
    rl_query_free(q);

    rl_models_free(ms);
    rl_models_free(NULL);

    /* the database's own names, whatever they are, quoted wherever they go */
    assert_int_equal(rl_exec(db,
                             "CREATE TABLE \"odd \"\"names\"\" -- table\" (\"first name\" "
                             "TEXT, \"a.b\" INTEGER, \"x\"\"); DROP TABLE books; --\" TEXT);"
                             "CREATE TABLE hides (\"rowid\" INTEGER, v TEXT)",
                             NULL, 0, NULL),
                     RL_OK);
    assert_int_equal(rl_models_load(db, &ms), RL_OK);
    const rl_model *odd = rl_models_find(ms, "odd \"names\" -- table");
    assert_non_null(odd);
    assert_false(odd->has_pk);
    rl_value vals[3] = {rl_text("Ada"), rl_int(7), rl_text("q")};
    assert_int_equal(rl_insert(db, odd, vals), RL_OK);
    q = rl_select(db, odd);
    assert_int_equal(rl_where(q, "first name", RL_EQ, rl_text("Ada")), RL_OK);
    assert_int_equal(rl_where(q, "x\"); DROP TABLE books; --", RL_EQ, rl_text("q")), RL_OK);
    rl_value back[3];
    assert_int_equal(rl_fetch_one(q, back), RL_OK);
    assert_int_equal(back[1].u.i, 7);
    rl_row_free(odd, back);
    rl_query_free(q);
    assert_true(scalar(db, "SELECT count(*) FROM books") > 0);
    /* a column named like the rowid would hide it: that model is refused when used */
    q = rl_select(db, rl_models_find(ms, "hides"));
    rl_rows *none;
    assert_int_equal(rl_fetch_all(q, &none), RL_EMODEL_IDENT);
    rl_query_free(q);
    rl_models_free(ms);
    rl_close(db);
}

/* ---- the same answers as hand-written SQL, on random data -------------------------------- */

static uint64_t rnd(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void test_random_cases_match_hand_written_sql(void **state)
{
    (void)state;
    rl_db *db = open_all();
    uint64_t seed = 0x5eed1234abcdULL;
    enum { AUTHORS = 40, BOOKS = 300 };
    Author authors[AUTHORS];
    char name[32];
    rl_begin(db);
    for (int i = 0; i < AUTHORS; i++) {
        snprintf(name, sizeof name, "author %d", i);
        authors[i] = (Author){.name = name};
        assert_int_equal(rl_insert(db, &Author_model, &authors[i]), RL_OK);
        authors[i].name = NULL;
    }
    for (int i = 0; i < BOOKS; i++) {
        snprintf(name, sizeof name, "t%03d", (int)(rnd(&seed) % 1000));
        Book b = {.title = name,
                  .author_id = authors[rnd(&seed) % (AUTHORS / 2)].pk,
                  .year = rnd(&seed) % 4 ? (rl_maybe_int)RL_SOME((int64_t)(rnd(&seed) % 50))
                                         : (rl_maybe_int)RL_NONE,
                  .price = (double)(rnd(&seed) % 100)};
        assert_int_equal(rl_insert(db, &Book_model, &b), RL_OK);
    }
    rl_commit(db);
    int cases = 0;
    for (int k = 0; k < 700; k++) {
        size_t n = rnd(&seed) % 8;
        Author set[8];
        for (size_t i = 0; i < n; i++)
            set[i] = authors[rnd(&seed) % AUTHORS];
        int64_t year = (int64_t)(rnd(&seed) % 50);
        rl_query *q = rl_select(db, &Book_model);
        rl_where(q, "year", RL_GE, rl_int(year));
        rl_order_by(q, "title", RL_ASC);
        rl_order_by(q, "pk", RL_ASC);
        rl_groups *g;
        assert_int_equal(rl_fetch_children(q, &Author_model, NULL, set, n, &g), RL_OK);
        rl_value cnt[8], sum[8];
        assert_int_equal(
            rl_aggregate_children(q, &Author_model, NULL, set, n, RL_AGG_COUNT, NULL, cnt), RL_OK);
        assert_int_equal(
            rl_aggregate_children(q, &Author_model, NULL, set, n, RL_AGG_SUM, "price", sum), RL_OK);
        for (size_t i = 0; i < n; i++, cases++) {
            rl_value p[] = {rl_int(set[i].pk), rl_int(year)};
            rl_rows *want;
            assert_int_equal(rl_query_rows(db, &Book_model,
                                           "SELECT pk, title, author_id, year, price, in_print "
                                           "FROM books WHERE author_id = ?1 AND year >= ?2 "
                                           "ORDER BY title, pk",
                                           p, 2, &want),
                             RL_OK);
            assert_int_equal(g->size[i], want->count);
            assert_int_equal(cnt[i].type, RL_V_INT);
            assert_int_equal(cnt[i].u.i, (int64_t)want->count);
            double total = 0;
            for (size_t j = 0; j < want->count; j++) {
                const Book *got = (const Book *)g->items + g->start[i] + j;
                const Book *exp = (const Book *)want->items + j;
                assert_int_equal(got->pk, exp->pk);
                assert_string_equal(got->title, exp->title);
                total += exp->price;
            }
            if (want->count)
                assert_true(sum[i].type == RL_V_REAL && sum[i].u.r == total);
            else
                assert_int_equal(sum[i].type, RL_V_NULL);
            rl_rows_free(want);
        }
        rl_groups_free(g);

        /* the join with a filter on the parent against the hand-written JOIN */
        int who = (int)(rnd(&seed) % AUTHORS);
        snprintf(name, sizeof name, "author %d", who);
        rl_join(q, &Author_model, NULL);
        rl_where(q, "authors.name", RL_EQ, rl_text(name));
        int64_t joined = -1, want = -1;
        assert_int_equal(rl_count(q, &joined), RL_OK);
        rl_value p[] = {rl_text(name), rl_int(year)};
        assert_int_equal(rl_query_int(db,
                                      "SELECT count(*) FROM books b JOIN authors a ON a.pk = "
                                      "b.author_id WHERE a.name = ?1 AND b.year >= ?2",
                                      p, 2, &want),
                         RL_OK);
        assert_int_equal(joined, want);
        rl_query_free(q);
    }
    assert_true(cases > 2000);

    /* loans on random books: NOT EXISTS, IN another query, a cursor and GROUP BY against the
     * hand-written statements */
    int64_t member = add_member(db, "M");
    rl_begin(db);
    int64_t nbooks = scalar(db, "SELECT count(*) FROM books");
    for (int i = 0; i < 120; i++)
        add_loan(db,
                 scalar(db, "SELECT min(pk) FROM books") + (int64_t)(rnd(&seed) % (uint64_t)nbooks),
                 member, (int64_t)(rnd(&seed) % 60));
    rl_commit(db);
    for (int k = 0; k < 300; k++, cases++) {
        int64_t days = (int64_t)(rnd(&seed) % 60), year = (int64_t)(rnd(&seed) % 50);
        bool negate = rnd(&seed) & 1;
        rl_query *q = rl_select(db, &Book_model);
        rl_where(q, "year", RL_LT, rl_int(year));
        rl_query *loans = rl_select(db, &Loan_model);
        rl_where(loans, "days", RL_GE, rl_int(days));
        rl_where_referenced(q, loans, NULL, negate);
        int64_t got = -1, want = -2;
        assert_int_equal(rl_count(q, &got), RL_OK);
        rl_value p[] = {rl_int(year), rl_int(days)};
        assert_int_equal(rl_query_int(db,
                                      negate ? "SELECT count(*) FROM books b WHERE b.year < ?1 AND "
                                               "NOT EXISTS (SELECT 1 FROM loans l WHERE l.book_id "
                                               "= b.pk AND l.days >= ?2)"
                                             : "SELECT count(*) FROM books b WHERE b.year < ?1 AND "
                                               "b.pk IN (SELECT l.book_id FROM loans l WHERE "
                                               "l.days >= ?2)",
                                      p, 2, &want),
                         RL_OK);
        assert_int_equal(got, want);
        /* the cursor reads the same rows as rl_fetch_all */
        rl_order_by(q, "pk", RL_ASC);
        rl_rows *rows;
        assert_int_equal(rl_fetch_all(q, &rows), RL_OK);
        rl_cursor *c;
        assert_int_equal(rl_cursor_open(q, &c), RL_OK);
        Book b;
        size_t n = 0;
        while (rl_cursor_next(c, &b, NULL) == 1) {
            assert_true(n < rows->count);
            assert_int_equal(b.pk, ((Book *)rows->items)[n].pk);
            assert_string_equal(b.title, ((Book *)rows->items)[n].title);
            n++;
        }
        assert_int_equal(n, rows->count);
        rl_cursor_free(c);
        rl_rows_free(rows);
        rl_query_free(q);

        /* books per year, as values */
        q = rl_select(db, &Book_model);
        rl_where(q, "price", RL_GE, rl_real((double)(rnd(&seed) % 100)));
        rl_select_field(q, "year");
        rl_select_agg(q, RL_AGG_COUNT, NULL);
        rl_group_by(q, "year");
        rl_values *v;
        assert_int_equal(rl_fetch_values(q, &v), RL_OK);
        int64_t total = 0;
        for (size_t r = 0; r < v->rows; r++)
            total += v->values[r * 2 + 1].u.i;
        int64_t all = -1;
        assert_int_equal(rl_count(q, &all), RL_OK);
        assert_int_equal(total, all);
        rl_values_free(v);
        rl_query_free(q);
    }
    rl_close(db);
}

int main(void)
{
    const struct CMUnitTest both[] = {
        cmocka_unit_test(test_join_fills_parents),
        cmocka_unit_test(test_join_keeps_rows_without_parent),
        cmocka_unit_test(test_self_reference),
        cmocka_unit_test(test_children_grouped_in_one_statement),
        cmocka_unit_test(test_parents_of_a_set_in_one_statement),
        cmocka_unit_test(test_many_to_many),
        cmocka_unit_test(test_books_not_on_loan),
        cmocka_unit_test(test_cursor_streams_every_row),
        cmocka_unit_test(test_cursors_one_after_another),
        cmocka_unit_test(test_cursor_reads_every_kind),
        cmocka_unit_test(test_upsert_updates_in_place),
        cmocka_unit_test(test_upsert_keeps_the_key),
        cmocka_unit_test(test_raw_sql_into_structs),
        cmocka_unit_test(test_runtime_models),
        cmocka_unit_test(test_group_by_and_distinct),
        cmocka_unit_test(test_join_as),
        cmocka_unit_test(test_random_cases_match_hand_written_sql),
    };
    return run_suite(both);
}

/* The migrations' one diff (src/migrate/diff.c), on schema values made by hand: what each
 * backend's plan receives, whatever the engine.  Tables added, dropped and changed (columns
 * by what differs, keys with their actions, constraints that go, come or are renamed),
 * indexes and views, a column order that only the text shows, an empty target. */
#include "migrate/migrate.h"
#include "helpers.h"

#define S(x) ((char *)(x))

static sch_column author_cols[] = {
    {.name = S("id"), .type = S("INTEGER"), .pk = 1},
    {.name = S("name"), .type = S("TEXT"), .notnull = true},
};
static sch_column book_cols_cur[] = {
    {.name = S("id"), .type = S("INTEGER"), .pk = 1},
    {.name = S("title"), .type = S("TEXT")},
    {.name = S("author_id"), .type = S("INTEGER")},
    {.name = S("old"), .type = S("TEXT")},
};
static sch_column book_cols_tgt[] = {
    {.name = S("id"), .type = S("INTEGER"), .pk = 1},
    {.name = S("title"), .type = S("VARCHAR(80)"), .notnull = true},
    {.name = S("author_id"), .type = S("INTEGER")},
    {.name = S("year"), .type = S("INTEGER"), .dflt = S("2000")},
};
static sch_fk book_fk_cur = {.parent = S("authors"),
                             .from = S("author_id"),
                             .to = S(""),
                             .on_update = "NO ACTION",
                             .on_delete = "NO ACTION"};
static sch_fk book_fk_tgt = {.parent = S("authors"),
                             .from = S("author_id"),
                             .to = S(""),
                             .on_update = "NO ACTION",
                             .on_delete = "CASCADE"};
static sch_constraint book_cons_cur[] = {
    {.name = S("books_pkey"), .def = S("PRIMARY KEY (id)"), .kind = 'p', .validated = true},
    {.name = S("books_title_check"), .def = S("CHECK (length(title) > 0)"), .kind = 'c'},
};
static sch_constraint book_cons_tgt[] = {
    {.name = S("books_key"), .def = S("PRIMARY KEY (id)"), .kind = 'p', .validated = true},
    {.name = S("books_year_check"), .def = S("CHECK (year > 0)"), .kind = 'c'},
};
static sch_column one_col[] = {{.name = S("id"), .type = S("INTEGER"), .pk = 1}};
static sch_column ab[] = {{.name = S("a"), .type = S("INTEGER")},
                          {.name = S("b"), .type = S("TEXT")}};
static sch_column ba[] = {{.name = S("b"), .type = S("TEXT")},
                          {.name = S("a"), .type = S("INTEGER")}};

static void test_tables_columns_keys_constraints(void **state)
{
    (void)state;
    sch_table cur_tables[] = {
        {.name = S("authors"),
         .norm = S("create table authors (...)"),
         .cols = author_cols,
         .ncols = 2},
        {.name = S("books"),
         .norm = S("create table books (1)"),
         .cols = book_cols_cur,
         .ncols = 4,
         .fks = &book_fk_cur,
         .nfks = 1,
         .cons = book_cons_cur,
         .ncons = 2},
        {.name = S("legacy"), .norm = S("create table legacy (id)"), .cols = one_col, .ncols = 1},
        {.name = S("pairs"), .norm = S("create table pairs (a, b)"), .cols = ab, .ncols = 2},
    };
    sch_table tgt_tables[] = {
        {.name = S("Authors"),
         .norm = S("create table authors (...)"),
         .cols = author_cols,
         .ncols = 2},
        {.name = S("books"),
         .norm = S("create table books (2)"),
         .cols = book_cols_tgt,
         .ncols = 4,
         .fks = &book_fk_tgt,
         .nfks = 1,
         .cons = book_cons_tgt,
         .ncons = 2},
        {.name = S("tags"), .norm = S("create table tags (id)"), .cols = one_col, .ncols = 1},
        {.name = S("pairs"), .norm = S("create table pairs (b, a)"), .cols = ba, .ncols = 2},
    };
    sch_object cur_idx[] = {
        {.name = S("books_title"), .table = S("books"), .norm = S("on (title)")}};
    sch_object tgt_idx[] = {
        {.name = S("books_title"), .table = S("books"), .norm = S("on (title, id)")}};
    sch_object cur_views[] = {{.name = S("v1"), .norm = S("select 1")},
                              {.name = S("same"), .norm = S("select 2")}};
    sch_object tgt_views[] = {{.name = S("same"), .norm = S("select 2")},
                              {.name = S("v2"), .norm = S("select 3")}};
    schema cur = {.tables = cur_tables,
                  .ntables = 4,
                  .indexes = cur_idx,
                  .nindexes = 1,
                  .views = cur_views,
                  .nviews = 2};
    schema tgt = {.tables = tgt_tables,
                  .ntables = 4,
                  .indexes = tgt_idx,
                  .nindexes = 1,
                  .views = tgt_views,
                  .nviews = 2};
    sch_diff d;
    assert_true(rli_schema_diff(&cur, &tgt, &d));

    /* the target's changed and new tables in its order, then the dropped ones; authors (named
     * in another case) is the same table, unchanged */
    assert_int_equal(d.ntables, 4);
    assert_null(rli_diff_table(&d, "authors"));
    assert_ptr_equal(d.tables[0].tgt, &tgt_tables[1]);
    assert_ptr_equal(d.tables[1].cur, NULL);
    assert_ptr_equal(d.tables[1].tgt, &tgt_tables[2]);
    assert_ptr_equal(d.tables[2].tgt, &tgt_tables[3]);
    assert_ptr_equal(d.tables[3].cur, &cur_tables[2]);
    assert_null(d.tables[3].tgt);
    assert_false(d.empty_target);

    const table_change *b = rli_diff_table(&d, "books");
    assert_true(b->structure);
    assert_true(b->text);
    /* dropped columns first, then each target column with what differs */
    assert_int_equal(b->ncols, 5);
    assert_string_equal(b->cols[0].cur->name, "old");
    assert_int_equal(b->cols[0].what, COL_DROPPED);
    assert_int_equal(b->cols[1].what, 0); /* id */
    assert_int_equal(b->cols[2].what, COL_TYPE | COL_NOTNULL);
    assert_int_equal(b->cols[3].what, 0); /* author_id */
    assert_null(b->cols[4].cur);
    assert_int_equal(b->cols[4].what, COL_ADDED);
    assert_contains(b->why, "foreign key (author_id) -> authors(primary key): ON DELETE NO "
                            "ACTION -> CASCADE");
    assert_contains(b->why, "column title: type TEXT -> VARCHAR(80)");
    assert_contains(b->why, "column old dropped");
    /* constraints: the check goes, another comes, the primary key is renamed */
    assert_int_equal(b->ncons, 3);
    assert_ptr_equal(b->cons[0].cur, &book_cons_cur[1]);
    assert_null(b->cons[0].tgt);
    assert_ptr_equal(b->cons[1].cur, &book_cons_cur[0]);
    assert_ptr_equal(b->cons[1].tgt, &book_cons_tgt[0]);
    assert_null(b->cons[2].cur);
    assert_ptr_equal(b->cons[2].tgt, &book_cons_tgt[1]);

    /* a column order alone: only the text differs (an engine that cannot reorder ignores it) */
    const table_change *p = rli_diff_table(&d, "pairs");
    assert_false(p->structure);
    assert_true(p->text);

    /* indexes and views: changed, dropped, added; the same view is no change */
    assert_int_equal(d.nobjects, 3);
    const object_change *i = rli_diff_object(&d, "index", "books_title");
    assert_ptr_equal(i->cur, &cur_idx[0]);
    assert_ptr_equal(i->tgt, &tgt_idx[0]);
    assert_null(rli_diff_object(&d, "view", "v1")->tgt);
    assert_null(rli_diff_object(&d, "view", "v2")->cur);
    assert_null(rli_diff_object(&d, "view", "same"));
    assert_null(rli_diff_object(&d, "index", "v2")); /* kinds apart */
    rli_schema_diff_free(&d);

    /* a target without tables drops them all, said so */
    schema none = {0};
    assert_true(rli_schema_diff(&cur, &none, &d));
    assert_true(d.empty_target);
    assert_int_equal(d.ntables, 4);
    for (size_t k = 0; k < d.ntables; k++)
        assert_null(d.tables[k].tgt);
    rli_schema_diff_free(&d);
    /* the same schema: nothing */
    assert_true(rli_schema_diff(&cur, &cur, &d));
    assert_int_equal(d.ntables, 0);
    assert_int_equal(d.nobjects, 0);
    rli_schema_diff_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tables_columns_keys_constraints),
    };
    return cmocka_run_group_tests_name("diff", tests, NULL, NULL);
}

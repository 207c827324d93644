/*
 * Views relate through the keys of the tables they show, on both engines: a view's column that
 * shows a table's column as it is (renamed or not, through a view over a view) is found
 * (rl_models_origin), a view is a child where its table is (its keys), a parent where its
 * table is (a key to the table leads to a view that shows the columns it references), and a
 * view to a view; a key of several columns goes through a view that shows all of them, and
 * not through one that hides one.  Through the C API's relation calls, then through the
 * server's plan and execute stages (embedding, !inner, PostgREST's 300 for two ways).  Names
 * with quotes, commas and accents on purpose.
 */
#include "pipeline.h"

#include <stdlib.h>
#include <string.h>

static const char *const schema =
    "CREATE TABLE \"Aut\"\"hors, \xc3\xa9\" (id INTEGER PRIMARY KEY, \"na,me\" TEXT);"
    "CREATE TABLE books (id INTEGER PRIMARY KEY, title TEXT, author_id INTEGER REFERENCES "
    "\"Aut\"\"hors, \xc3\xa9\" (id));"
    "CREATE TABLE students (sid INTEGER NOT NULL, code TEXT NOT NULL, name TEXT, PRIMARY KEY "
    "(sid, code));"
    "CREATE TABLE grades (id INTEGER PRIMARY KEY, s_id INTEGER, s_code TEXT, mark INTEGER, "
    "FOREIGN KEY (s_id, s_code) REFERENCES students (sid, code));"
    /* the parent's key column renamed; the child's key column renamed */
    "CREATE VIEW \"writer \"\"view\"\"\" AS SELECT id AS \"wr,iter\", \"na,me\", upper(\"na,me\") "
    "AS loud FROM \"Aut\"\"hors, \xc3\xa9\";"
    "CREATE VIEW book_view AS SELECT id, title, author_id AS \"by \"\"whom\"\"\" FROM books;"
    "CREATE VIEW book_view2 AS SELECT * FROM book_view;" /* a view over a view */
    "CREATE VIEW authors_v AS SELECT id AS author_key, \"na,me\" AS name FROM \"Aut\"\"hors, "
    "\xc3\xa9\";"
    "CREATE VIEW book_twice AS SELECT id, author_id AS a1, author_id AS a2 FROM books;"
    "CREATE VIEW student_view AS SELECT sid, code, name FROM students;"
    "CREATE VIEW grade_view AS SELECT id, s_code AS c, s_id AS s, mark FROM grades;"
    "CREATE VIEW grade_half AS SELECT id, s_id, mark FROM grades;"; /* hides s_code */
static const char *const rows =
    "INSERT INTO \"Aut\"\"hors, \xc3\xa9\" VALUES (1, 'Le Guin'), (2, 'Lem');"
    "INSERT INTO books VALUES (1, 'Earthsea', 1), (2, 'Solaris', 2), (3, 'Lathe', 1), "
    "(4, 'Anon', NULL);"
    "INSERT INTO students VALUES (1, 'a', 'Ada'), (1, 'b', 'Bo'), (2, 'a', 'Cy');"
    "INSERT INTO grades VALUES (1, 1, 'b', 5), (2, 1, 'b', 3), (3, 2, 'a', 4);";

#define AUTHORS "Aut\"hors, \xc3\xa9"
#define WRITER  "writer \"view\""

static int setup(void **state)
{
    *state = pipeline_open(schema, rows);
    return 0;
}

static int teardown(void **state)
{
    return pipeline_close(state);
}

static const rl_model *model(fixture *f, const char *name)
{
    const rl_model *m = rl_models_find(f->ms, name);
    if (!m) fail_msg("no model %s", name);
    return m;
}

static size_t field(const rl_model *m, const char *name)
{
    for (size_t i = 0; i < m->nfields; i++)
        if (strcmp(m->fields[i].name, name) == 0) return i;
    fail_msg("%s has no field %s", m->table, name);
    return 0;
}

/* The rows of m ordered by order (a field). */
static rl_rows *all(fixture *f, const rl_model *m, const char *order)
{
    rl_query *q = rl_select(f->db, m);
    rl_rows *r = NULL;
    assert_int_equal(rl_order_by(q, order, RL_ASC), RL_OK);
    if (rl_fetch_all(q, &r) != RL_OK) fail_msg("%s: %s", m->table, rl_errmsg(f->db));
    rl_query_free(q);
    return r;
}

/* Row i of rows (of m): its value of field name. */
static rl_value value(const rl_model *m, const rl_rows *r, size_t i, const char *name)
{
    return rl_row_values(m, (char *)r->items + i * m->size)[field(m, name)];
}

/* The text of field name of each row of group i, joined by commas. */
static void expect_group(const rl_model *m, const rl_groups *g, size_t i, const char *name,
                         const char *want)
{
    char got[200] = "";
    for (size_t k = g->start[i]; k < g->start[i] + g->size[i]; k++) {
        rl_value v = rl_row_values(m, (char *)g->items + k * m->size)[field(m, name)];
        snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s", k > g->start[i] ? "," : "",
                 v.type == RL_V_TEXT ? v.u.s : "?");
    }
    if (strcmp(got, want) != 0) fail_msg("group %zu: got %s, want %s", i, got, want);
}

static void test_origins(void **state)
{
    fixture *f = *state;
    const rl_model *w = model(f, WRITER), *b2 = model(f, "book_view2"), *a = model(f, AUTHORS);
    const char *col = "x";
    assert_ptr_equal(rl_models_origin(f->ms, w, field(w, "wr,iter"), &col), a);
    assert_string_equal(col, "id");
    assert_ptr_equal(rl_models_origin(f->ms, w, field(w, "na,me"), &col), a);
    assert_string_equal(col, "na,me");
    assert_null(rl_models_origin(f->ms, w, field(w, "loud"), &col)); /* computed */
    assert_null(col);
    /* a view over a view: the table underneath */
    assert_ptr_equal(rl_models_origin(f->ms, b2, field(b2, "by \"whom\""), &col),
                     model(f, "books"));
    assert_string_equal(col, "author_id");
    assert_null(rl_models_origin(f->ms, a, 0, &col)); /* a table */
    assert_null(rl_models_origin(NULL, w, 0, &col));
    assert_null(rl_models_origin(f->ms, w, 99, NULL));
    /* the view's key carries the table's, to the same parent */
    assert_ptr_equal(b2->fields[field(b2, "by \"whom\"")].references, a);
}

/* A view as the child: the parents of its rows, and its rows joined to their parent. */
static void test_view_as_child(void **state)
{
    fixture *f = *state;
    const rl_model *bv = model(f, "book_view2"), *a = model(f, AUTHORS);
    rl_rows *books = all(f, bv, "id");
    rl_query *q = rl_select(f->db, a);
    rl_groups *g = NULL;
    assert_int_equal(rl_fetch_parents(q, bv, NULL, books->items, books->count, &g), RL_OK);
    for (size_t i = 0; i < 4; i++)
        expect_group(a, g, i, "na,me", (const char *[]){"Le Guin", "Lem", "Le Guin", ""}[i]);
    rl_groups_free(g);
    rl_query_free(q);
    rl_rows_free(books);
}

/* A view as the parent: a table's children of the view's rows, and a table joined to it. */
static void test_view_as_parent(void **state)
{
    fixture *f = *state;
    const rl_model *w = model(f, WRITER), *b = model(f, "books");
    rl_rows *writers = all(f, w, "wr,iter");
    rl_query *q = rl_select(f->db, b);
    rl_groups *g = NULL;
    assert_int_equal(rl_order_by(q, "title", RL_ASC), RL_OK);
    assert_int_equal(rl_fetch_children(q, w, "author_id", writers->items, writers->count, &g),
                     RL_OK);
    expect_group(b, g, 0, "title", "Earthsea,Lathe");
    expect_group(b, g, 1, "title", "Solaris");
    rl_groups_free(g);
    rl_value counts[2];
    assert_int_equal(rl_aggregate_children(q, w, NULL, writers->items, writers->count, RL_AGG_COUNT,
                                           NULL, counts),
                     RL_OK);
    assert_int_equal(counts[0].u.i, 2);
    assert_int_equal(counts[1].u.i, 1);
    rl_query_free(q);
    /* joined: each book with its row of the view, named by the view's own column */
    q = rl_select(f->db, b);
    assert_int_equal(rl_join(q, w, "author_id"), RL_OK);
    assert_int_equal(rl_where(q, WRITER ".na,me", RL_EQ, rl_text("Lem")), RL_OK);
    rl_rows *r = NULL;
    assert_int_equal(rl_fetch_all(q, &r), RL_OK);
    assert_int_equal(r->count, 1);
    assert_true(r->has_parent[0]);
    assert_int_equal(rl_row_values(w, r->parents)[field(w, "wr,iter")].u.i, 2);
    rl_rows_free(r);
    rl_query_free(q);
    /* the writers that have books titled so: EXISTS through the key to the table */
    q = rl_select(f->db, w);
    rl_query *sub = rl_select(f->db, b);
    assert_int_equal(rl_where(sub, "title", RL_EQ, rl_text("Lathe")), RL_OK);
    assert_int_equal(rl_where_referenced(q, sub, NULL, false), RL_OK);
    assert_int_equal(rl_fetch_all(q, &r), RL_OK);
    assert_int_equal(r->count, 1);
    assert_string_equal(value(w, r, 0, "na,me").u.s, "Le Guin");
    rl_rows_free(r);
    rl_query_free(q);
    rl_rows_free(writers);
}

/* A view of the child to a view of the parent, both ways. */
static void test_view_to_view(void **state)
{
    fixture *f = *state;
    const rl_model *w = model(f, WRITER), *bv = model(f, "book_view2");
    rl_rows *writers = all(f, w, "wr,iter"), *books = all(f, bv, "id");
    rl_query *q = rl_select(f->db, bv);
    rl_groups *g = NULL;
    assert_int_equal(rl_order_by(q, "id", RL_ASC), RL_OK);
    assert_int_equal(rl_fetch_children(q, w, NULL, writers->items, writers->count, &g), RL_OK);
    expect_group(bv, g, 0, "title", "Earthsea,Lathe");
    expect_group(bv, g, 1, "title", "Solaris");
    rl_groups_free(g);
    rl_query_free(q);
    q = rl_select(f->db, w);
    assert_int_equal(rl_fetch_parents(q, bv, NULL, books->items, books->count, &g), RL_OK);
    expect_group(w, g, 1, "na,me", "Lem");
    expect_group(w, g, 3, "na,me", "");
    rl_groups_free(g);
    rl_query_free(q);
    rl_rows_free(books);
    rl_rows_free(writers);
}

/* A key of two columns through views that show both (renamed, in another order), and not
 * through one that hides one of them. */
static void test_composite(void **state)
{
    fixture *f = *state;
    const rl_model *sv = model(f, "student_view"), *gv = model(f, "grade_view");
    const rl_model *half = model(f, "grade_half"), *s = model(f, "students");
    assert_int_equal(gv->nkeys, 1);
    assert_ptr_equal(gv->keys[0].references, s);
    assert_int_equal(half->nkeys, 0);
    for (size_t i = 0; i < half->nfields; i++)
        assert_null(half->fields[i].references);
    rl_rows *students = all(f, sv, "name");
    rl_query *q = rl_select(f->db, gv);
    rl_groups *g = NULL;
    assert_int_equal(rl_order_by(q, "mark", RL_ASC), RL_OK);
    assert_int_equal(rl_fetch_children(q, sv, NULL, students->items, students->count, &g), RL_OK);
    assert_int_equal(g->size[0], 0); /* Ada (1, a) */
    assert_int_equal(g->size[1], 2); /* Bo (1, b) */
    assert_int_equal(g->size[2], 1); /* Cy (2, a) */
    rl_groups_free(g);
    rl_query_free(q);
    q = rl_select(f->db, half);
    assert_int_equal(rl_fetch_children(q, sv, NULL, students->items, students->count, &g),
                     RL_EINVAL);
    assert_null(g);
    rl_query_free(q);
    rl_rows_free(students);
}

/* ---- through the server's stages ------------------------------------------------------- */

static void expect(fixture *f, const char *rel, const char *query, const char *want)
{
    pipeline_expect(f->db, f->ms, rel, query, want);
}

static void test_embedding(void **state)
{
    fixture *f = *state;
    /* a table's parent shown by a view that renames the key column */
    expect(f, "books", "select=title,authors_v(name)&id=lte.2&order=id",
           "[{\"title\":\"Earthsea\",\"authors_v\":{\"name\":\"Le Guin\"}},{\"title\":"
           "\"Solaris\",\"authors_v\":{\"name\":\"Lem\"}}]");
    /* a view's children in a view of a view */
    expect(f, "authors_v", "select=name,book_view2(title)&order=author_key&book_view2.order=id",
           "[{\"name\":\"Le Guin\",\"book_view2\":[{\"title\":\"Earthsea\"},{\"title\":"
           "\"Lathe\"}]},{\"name\":\"Lem\",\"book_view2\":[{\"title\":\"Solaris\"}]}]");
    /* !inner to a view parent: its renamed key column */
    expect(f, "books", "select=id,authors_v!inner(name)&authors_v.name=eq.Lem",
           "[{\"id\":2,\"authors_v\":{\"name\":\"Lem\"}}]");
    /* a key of two columns through views */
    expect(f, "student_view", "select=name,grade_view(mark)&order=name&grade_view.order=mark",
           "[{\"name\":\"Ada\",\"grade_view\":[]},{\"name\":\"Bo\",\"grade_view\":[{\"mark\":3},"
           "{\"mark\":5}]},{\"name\":\"Cy\",\"grade_view\":[{\"mark\":4}]}]");
    expect(f, "grade_view", "select=mark,student_view(name)&id=eq.3",
           "[{\"mark\":4,\"student_view\":{\"name\":\"Cy\"}}]");
    expect(f, "student_view", "select=name,grade_half(mark)", "400 PGRST200");
    /* a key column shown twice: two ways, until a hint names one */
    expect(f, "book_twice", "select=id,authors_v(name)", "300 PGRST201");
    expect(f, "book_twice", "select=id,authors_v!a2(name)&id=eq.1",
           "[{\"id\":1,\"authors_v\":{\"name\":\"Le Guin\"}}]");
}

int main(void)
{
    const struct CMUnitTest both[] = {
        cmocka_unit_test_setup_teardown(test_origins, setup, teardown),
        cmocka_unit_test_setup_teardown(test_view_as_child, setup, teardown),
        cmocka_unit_test_setup_teardown(test_view_as_parent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_view_to_view, setup, teardown),
        cmocka_unit_test_setup_teardown(test_composite, setup, teardown),
        cmocka_unit_test_setup_teardown(test_embedding, setup, teardown),
    };
    return run_suite(both);
}

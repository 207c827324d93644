/*
 * The public header from C++ (built with -std=c++11 -pedantic -Wall -Wextra -Werror): every
 * function, type and inline helper is usable; the models come from a C file, as reflite.h
 * documents.  The program exercises CRUD, the query builder, raw SQL with rl_value helpers
 * and a foreign-key error, and fails if any result is wrong.
 */
#include "header_cxx_models.h"

#include <cstdio>
#include <cstring>
#include <string>

static int failures = 0;

static void expect(bool ok, const char *what)
{
    if (!ok) {
        std::printf("FAIL: %s\n", what);
        failures++;
    }
}

int main()
{
    rl_db *db = nullptr;
    rl_options opts = rl_options();
    opts.profile = RL_PROFILE_TEST;
    expect(rl_open(&db, nullptr, &opts) == RL_OK, "rl_open");
    const rl_model *models[] = {&Author_model, &Book_model};
    expect(rl_create_all(db, models, 2) == RL_OK, "rl_create_all");

    std::string name = "Ursula";
    Author a = Author();
    a.name = &name[0];
    expect(rl_insert(db, &Author_model, &a) == RL_OK, "insert author");
    Book b = Book();
    b.author_id = a.pk;
    b.title = const_cast<char *>("Earthsea");
    expect(rl_insert(db, &Book_model, &b) == RL_OK, "insert book");

    Book orphan = Book();
    orphan.author_id = 99999;
    orphan.title = const_cast<char *>("Nobody's");
    expect(rl_insert(db, &Book_model, &orphan) == RL_EFOREIGNKEY, "orphan refused");
    const rl_error *e = rl_last_error(db);
    expect(e && e->fk.child_column && std::strcmp(e->fk.child_column, "author_id") == 0,
           "error names the key");

    rl_query *q = rl_select(db, &Book_model);
    expect(rl_where(q, "author_id", RL_EQ, rl_int(a.pk)) == RL_OK, "rl_where");
    int64_t n = 0;
    expect(rl_count(q, &n) == RL_OK && n == 1, "rl_count");
    rl_query_free(q);

    rl_value params[] = {rl_text("Earthsea"), rl_null()};
    int64_t found = 0;
    expect(rl_query_int(db, "SELECT count(*) FROM books WHERE title = ? AND ? IS NULL", params, 2,
                        &found) == RL_OK &&
               found == 1,
           "raw SQL with rl_text and rl_null");
    expect(rl_delete(db, &Author_model, a.pk) == RL_OK, "cascade delete");
    expect(rl_query_int(db, "SELECT count(*) FROM books", nullptr, 0, &found) == RL_OK &&
               found == 0,
           "the book went with its author");
    expect(std::strcmp(rl_version(), REFLITE_VERSION) == 0, "rl_version");
    rl_close(db);
    std::printf("header from C++: %s\n", failures ? "FAILED" : "ok");
    return failures ? 1 : 0;
}

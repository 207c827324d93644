/*
 * The public header under strict ISO C11: built with -std=c11 -pedantic -Wall -Wextra
 * -Werror, using every declaration macro both without options and with them, so a macro
 * that needs an extension (an empty variadic argument, say) fails the build.  It then runs
 * the models it declared, so that the macros' expansions are checked, not only parsed.
 */
#include <reflite.h>

#include <stdio.h>
#include <string.h>

typedef struct Author {
    int64_t pk;
    char *name;
} Author;

typedef struct Book {
    int64_t pk;
    int64_t author_id;
    char *title;
    double price;
    bool in_print;
    rl_blob cover;
    rl_maybe_int year;
} Book;

typedef struct Tag {
    int64_t book_id;
    const char *tag;
} Tag;

static const rl_field Author_fields[] = {RL_TEXT(Author, name)};
static const rl_model Author_model = RL_MODEL(Author, NULL, Author_fields);

static const rl_field Book_fields[] = {
    RL_FOREIGN_KEY(Book, author_id, &Author_model),
    RL_TEXT(Book, title, .unique = true),
    RL_REAL(Book, price),
    RL_BOOL(Book, in_print),
    RL_BLOB(Book, cover, .nullable = true),
    RL_FIELD(Book, year),
};
static const char *const price_cols[] = {"price", NULL};
static const rl_index Book_indexes[] = {{.name = "book_price", .fields = price_cols}};
static const rl_model Book_model = RL_MODEL(Book, "books", Book_fields, RL_INDEXES(Book_indexes));

static const rl_field Tag_fields[] = {
    RL_FOREIGN_KEY(Tag, book_id, &Book_model, .on_delete = RL_CASCADE),
    RL_FIELD(Tag, tag),
};
static const rl_model Tag_model = RL_MODEL_NO_PK(Tag, "tags", Tag_fields);

int main(void)
{
    rl_db *db = NULL;
    rl_options o = {.profile = RL_PROFILE_TEST};
    const rl_model *models[] = {&Author_model, &Book_model, &Tag_model};
    Author a = {.name = "Ursula"};
    Book b = {.title = "Earthsea", .price = 9.5};
    Tag t = {.tag = "fantasy"};
    Book got = {0};
    int rc = rl_open(&db, NULL, &o);
    if (rc == RL_OK) rc = rl_create_all(db, models, 3);
    if (rc == RL_OK) rc = rl_insert(db, &Author_model, &a);
    b.author_id = a.pk;
    if (rc == RL_OK) rc = rl_insert(db, &Book_model, &b);
    t.book_id = b.pk;
    if (rc == RL_OK) rc = rl_insert(db, &Tag_model, &t);
    if (rc == RL_OK) rc = rl_get(db, &Book_model, b.pk, &got);
    int ok = rc == RL_OK && got.author_id == a.pk && strcmp(got.title, "Earthsea") == 0 &&
             got.price == 9.5 && !got.year.present && got.cover.data == NULL;
    if (rc != RL_OK) printf("error: %s\n", db ? rl_errmsg(db) : rl_code_name(rc));
    rl_row_free(&Book_model, &got);
    rl_close(db);
    printf("header under ISO C11: %s\n", ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}

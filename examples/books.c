/*
 * books: every foreign-key behaviour of an ORM's foreign-key guide, in C with reflite.
 *
 *   authors <- books        ON DELETE CASCADE, ON UPDATE CASCADE
 *   books   <- loans        RESTRICT (the default): a book on loan cannot be deleted
 *   books   <- awards       NO ACTION
 *   authors <- essays       nullable key, ON DELETE SET NULL
 *   authors <- biographies  one-to-one (unique key) stored in a custom column "subject_id"
 *
 * Run: build/example_books [database]   (default: an in-memory database)
 */
#include <reflite.h>

#include <stdio.h>
#include <stdlib.h>

typedef struct {
    int64_t pk;
    char *name;
    char *email;
} Author;

typedef struct {
    int64_t pk;
    char *title;
    int64_t author_id;
} Book;

typedef struct {
    int64_t pk;
    char *borrower;
    int64_t book_id;
} Loan;

typedef struct {
    int64_t pk;
    char *prize;
    int64_t book_id;
} Award;

typedef struct {
    int64_t pk;
    char *title;
    rl_maybe_int author_id;
} Essay;

typedef struct {
    int64_t pk;
    char *summary;
    int64_t author_id;
} Biography;

static const rl_field author_fields[] = {
    RL_TEXT(Author, name),
    RL_TEXT(Author, email, .unique = true),
};
static const rl_model Author_model = RL_MODEL(Author, "authors", author_fields);

static const rl_field book_fields[] = {
    RL_TEXT(Book, title),
    RL_FOREIGN_KEY(Book, author_id, &Author_model, .on_delete = RL_CASCADE,
                   .on_update = RL_CASCADE),
};
static const rl_model Book_model = RL_MODEL(Book, "books", book_fields);

static const rl_field loan_fields[] = {
    RL_TEXT(Loan, borrower),
    RL_FOREIGN_KEY(Loan, book_id, &Book_model), /* RESTRICT unless told otherwise */
};
static const rl_model Loan_model = RL_MODEL(Loan, NULL, loan_fields); /* table "loans" */

static const rl_field award_fields[] = {
    RL_TEXT(Award, prize),
    RL_FOREIGN_KEY(Award, book_id, &Book_model, .on_delete = RL_NO_ACTION),
};
static const rl_model Award_model = RL_MODEL(Award, "awards", award_fields);

static const rl_field essay_fields[] = {
    RL_TEXT(Essay, title),
    RL_FOREIGN_KEY(Essay, author_id, &Author_model, .on_delete = RL_SET_NULL),
};
static const rl_model Essay_model = RL_MODEL(Essay, "essays", essay_fields);

static const rl_field biography_fields[] = {
    RL_TEXT(Biography, summary),
    RL_FOREIGN_KEY(Biography, author_id, &Author_model, .column = "subject_id", .unique = true,
                   .on_delete = RL_CASCADE),
};
static const rl_model Biography_model = RL_MODEL(Biography, "biographies", biography_fields);

static rl_db *db;

static void check(int rc, const char *what)
{
    if (rc == RL_OK) return;
    fprintf(stderr, "%s failed: %s (%s)\n", what, rl_errmsg(db), rl_code_name(rc));
    rl_close(db);
    exit(1);
}

static void expect_refusal(int rc, int code, const char *what)
{
    if (rc != code) {
        fprintf(stderr, "%s: expected %s, got %s (%s)\n", what, rl_code_name(code),
                rl_code_name(rc), rl_errmsg(db));
        rl_close(db);
        exit(1);
    }
    printf("  refused (%s): %s\n", rl_code_name(rc), rl_errmsg(db));
}

static int64_t count_books_of(int64_t author)
{
    rl_query *q = rl_select(db, &Book_model);
    rl_where(q, "author_id", RL_EQ, rl_int(author));
    int64_t n = -1;
    check(rl_count(q, &n), "count books");
    rl_query_free(q);
    return n;
}

int main(int argc, char **argv)
{
    rl_options opts = {.profile = RL_PROFILE_DEVELOPMENT};
    check(rl_open(&db, argc > 1 ? argv[1] : ":memory:", &opts), "open");

    /* Children listed first on purpose: reflite creates parents first by itself. */
    const rl_model *models[] = {&Loan_model,  &Award_model, &Biography_model,
                                &Essay_model, &Book_model,  &Author_model};
    check(rl_create_all(db, models, 6), "create tables");
    printf("Created authors, books, loans, awards, essays and biographies "
           "(parents first, an index on every key).\n");

    printf("\nCASCADE: deleting an author deletes the author's books\n");
    Author austen = {.name = "Jane Austen", .email = "jane@example.org"};
    check(rl_insert(db, &Author_model, &austen), "insert author");
    Book pride = {.title = "Pride and Prejudice", .author_id = austen.pk};
    Book emma = {.title = "Emma", .author_id = austen.pk};
    check(rl_insert(db, &Book_model, &pride), "insert book");
    check(rl_insert(db, &Book_model, &emma), "insert book");
    printf("  %s has %lld books\n", austen.name, (long long)count_books_of(austen.pk));
    check(rl_delete(db, &Author_model, austen.pk), "delete author");
    printf("  after deleting the author: %lld books\n", (long long)count_books_of(austen.pk));

    printf("\nON UPDATE CASCADE: changing an author's key moves the books along\n");
    Author bronte = {.name = "Charlotte Bronte", .email = "charlotte@example.org"};
    check(rl_insert(db, &Author_model, &bronte), "insert author");
    Book eyre = {.title = "Jane Eyre", .author_id = bronte.pk};
    check(rl_insert(db, &Book_model, &eyre), "insert book");
    check(rl_update_pk(db, &Author_model, bronte.pk, 1000), "change author key");
    Book got;
    check(rl_get(db, &Book_model, eyre.pk, &got), "get book");
    printf("  author key %lld -> 1000; '%s' now has author_id %lld\n", (long long)bronte.pk,
           got.title, (long long)got.author_id);
    rl_row_free(&Book_model, &got);

    printf("\nRESTRICT (the default): a book on loan cannot be deleted\n");
    Loan loan = {.borrower = "Ada", .book_id = eyre.pk};
    check(rl_insert(db, &Loan_model, &loan), "insert loan");
    expect_refusal(rl_delete(db, &Book_model, eyre.pk), RL_EFOREIGNKEY, "delete loaned book");

    printf("\nNO ACTION: an awarded book cannot be deleted either\n");
    Book villette = {.title = "Villette", .author_id = 1000};
    check(rl_insert(db, &Book_model, &villette), "insert book");
    Award award = {.prize = "Readers' Prize", .book_id = villette.pk};
    check(rl_insert(db, &Award_model, &award), "insert award");
    expect_refusal(rl_delete(db, &Book_model, villette.pk), RL_EFOREIGNKEY, "delete awarded book");

    printf("\nSET NULL and nullable keys: an essay outlives its author\n");
    Author woolf = {.name = "Virginia Woolf", .email = "virginia@example.org"};
    check(rl_insert(db, &Author_model, &woolf), "insert author");
    Essay room = {.title = "A Room of One's Own", .author_id = RL_SOME(woolf.pk)};
    Essay anon = {.title = "Anonymous Essay", .author_id = RL_NONE};
    check(rl_insert(db, &Essay_model, &room), "insert essay");
    check(rl_insert(db, &Essay_model, &anon), "insert essay without author");
    check(rl_delete(db, &Author_model, woolf.pk), "delete author");
    Essay e;
    check(rl_get(db, &Essay_model, room.pk, &e), "get essay");
    printf("  '%s' author_id is %s\n", e.title, e.author_id.present ? "set" : "NULL");
    rl_row_free(&Essay_model, &e);

    printf("\nOne-to-one with a custom column: one biography per author, in subject_id\n");
    Author dickens = {.name = "Charles Dickens", .email = "charles@example.org"};
    check(rl_insert(db, &Author_model, &dickens), "insert author");
    Biography bio = {.summary = "A life in serial parts", .author_id = dickens.pk};
    check(rl_insert(db, &Biography_model, &bio), "insert biography");
    Biography second = {.summary = "Another life", .author_id = dickens.pk};
    expect_refusal(rl_insert(db, &Biography_model, &second), RL_EUNIQUE, "second biography");

    printf("\nA key with no parent is refused, naming the key and the value\n");
    Book bogus = {.title = "Ghost Book", .author_id = 99999};
    expect_refusal(rl_insert(db, &Book_model, &bogus), RL_EFOREIGNKEY, "insert bogus book");

    printf("\nFiltering by key, and by NULL\n");
    rl_query *q = rl_select(db, &Book_model);
    rl_where(q, "author_id", RL_EQ, rl_int(1000));
    rl_order_by(q, "title", RL_ASC);
    rl_rows *rows;
    check(rl_fetch_all(q, &rows), "books by author");
    Book *books = rows->items;
    for (size_t i = 0; i < rows->count; i++)
        printf("  book by author 1000: %s\n", books[i].title);
    rl_rows_free(rows);
    rl_query_free(q);

    q = rl_select(db, &Essay_model);
    rl_where(q, "author_id", RL_EQ, rl_null());
    check(rl_fetch_all(q, &rows), "essays without author");
    Essay *essays = rows->items;
    for (size_t i = 0; i < rows->count; i++)
        printf("  essay without author: %s\n", essays[i].title);
    rl_rows_free(rows);
    rl_query_free(q);

    check(rl_close(db), "close");
    printf("\nDone.\n");
    return 0;
}

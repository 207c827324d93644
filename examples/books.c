/*
 * books: every foreign-key behaviour of an ORM's foreign-key guide, in C with reflite.
 *
 *   authors <- books        ON DELETE CASCADE, ON UPDATE CASCADE
 *   books   <- loans        RESTRICT (the default): a book on loan cannot be deleted
 *   books   <- awards       NO ACTION
 *   authors <- essays       nullable key, ON DELETE SET NULL
 *   authors <- biographies  one-to-one (unique key) stored in a custom column "subject_id"
 *   members <- loans        a member with books on loan cannot leave (RESTRICT)
 *   books <-> tags          many-to-many through book_tags (RL_LINK_MODEL)
 *
 * and then the library's catalogue, read without one query per row: each book with its
 * author, each author with a book count, the books not on loan, the tags of each book.
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
    char *name;
} Member;

typedef struct {
    int64_t pk;
    int64_t member_id;
    int64_t book_id;
} Loan;

typedef struct {
    int64_t pk;
    char *label;
} Tag;

typedef struct {
    int64_t pk;
    int64_t book_id, tag_id;
} BookTag;

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

static const rl_field member_fields[] = {RL_TEXT(Member, name)};
static const rl_model Member_model = RL_MODEL(Member, "members", member_fields);

static const rl_field loan_fields[] = {
    RL_FOREIGN_KEY(Loan, member_id, &Member_model),
    RL_FOREIGN_KEY(Loan, book_id, &Book_model), /* RESTRICT unless told otherwise */
};
static const rl_model Loan_model = RL_MODEL(Loan, NULL, loan_fields); /* table "loans" */

static const rl_field tag_fields[] = {RL_TEXT(Tag, label, .unique = true)};
static const rl_model Tag_model = RL_MODEL(Tag, "tags", tag_fields);
RL_LINK_MODEL(BookTag_model, BookTag, "book_tags", book_id, &Book_model, tag_id, &Tag_model);

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

static void count_statement(const char *sql, void *ctx)
{
    (void)sql;
    ++*(int *)ctx;
}

/* Every statement the catalogue runs is counted: one per list, whatever the number of rows. */
static void catalogue(void)
{
    printf("\nThe catalogue, one statement per list\n");
    const char *labels[] = {"classic", "gothic", "modernist"};
    Tag tags[3];
    for (int i = 0; i < 3; i++) {
        tags[i] = (Tag){.label = (char *)labels[i]};
        check(rl_insert(db, &Tag_model, &tags[i]), "insert tag");
    }
    rl_query *q = rl_select(db, &Book_model);
    rl_rows *books;
    check(rl_fetch_all(q, &books), "books");
    rl_query_free(q);
    Book *b = books->items;
    for (size_t i = 0; i < books->count; i++) /* every book a classic, and a second tag */
        for (int t = 0; t < 2; t++)
            check(rl_link(db, &BookTag_model, &Book_model, b[i].pk, &Tag_model,
                          tags[t ? 1 + (int)(i % 2) : 0].pk),
                  "tag a book");

    int statements = 0;
    check(rl_trace(db, count_statement, &statements), "trace");

    q = rl_select(db, &Book_model);
    rl_join(q, &Author_model, NULL);
    rl_order_by(q, "authors.name", RL_ASC);
    rl_order_by(q, "title", RL_ASC);
    rl_rows *rows;
    check(rl_fetch_all(q, &rows), "books with their authors");
    for (size_t i = 0; i < rows->count; i++)
        printf("  %-18s by %s\n", ((Book *)rows->items)[i].title,
               rows->has_parent[i] ? ((Author *)rows->parents)[i].name : "?");
    rl_rows_free(rows);
    rl_query_free(q);

    q = rl_select(db, &Author_model);
    rl_order_by(q, "name", RL_ASC);
    rl_rows *authors;
    check(rl_fetch_all(q, &authors), "authors");
    rl_query_free(q);
    rl_value n[16];
    size_t na = authors->count < 16 ? authors->count : 16;
    q = rl_select(db, &Book_model);
    check(rl_aggregate_children(q, &Author_model, NULL, authors->items, na, RL_AGG_COUNT, NULL, n),
          "books per author");
    rl_query_free(q);
    for (size_t i = 0; i < na; i++)
        printf("  %-18s %lld book(s)\n", ((Author *)authors->items)[i].name, (long long)n[i].u.i);
    rl_rows_free(authors);

    q = rl_select(db, &Book_model);
    rl_where_referenced(q, rl_select(db, &Loan_model), NULL, true);
    rl_order_by(q, "title", RL_ASC);
    check(rl_fetch_all(q, &rows), "books not on loan");
    for (size_t i = 0; i < rows->count; i++)
        printf("  on the shelf: %s\n", ((Book *)rows->items)[i].title);
    rl_rows_free(rows);
    rl_query_free(q);

    q = rl_select(db, &Tag_model);
    rl_order_by(q, "label", RL_ASC);
    rl_groups *g;
    check(rl_fetch_linked(q, &BookTag_model, &Book_model, books->items, books->count, &g),
          "tags of each book");
    rl_query_free(q);
    for (size_t i = 0; i < g->count; i++) {
        printf("  %-18s", b[i].title);
        for (size_t k = 0; k < g->size[i]; k++)
            printf(" [%s]", ((Tag *)g->items)[g->start[i] + k].label);
        printf("\n");
    }
    size_t linked = g->total;
    rl_groups_free(g);
    rl_trace(db, NULL, NULL);
    printf("  %d statements for %zu books (%zu tags)\n", statements, books->count, linked);
    if (statements != 5 || linked != 2 * books->count) {
        fprintf(stderr, "the catalogue ran %d statements, expected 5\n", statements);
        exit(1);
    }
    rl_rows_free(books);
}

int main(int argc, char **argv)
{
    rl_options opts = {.profile = RL_PROFILE_DEVELOPMENT};
    check(rl_open(&db, argc > 1 ? argv[1] : ":memory:", &opts), "open");

    /* Children listed first on purpose: reflite creates parents first by itself. */
    const rl_model *models[] = {&Loan_model, &Award_model,  &Biography_model, &Essay_model,
                                &Book_model, &Author_model, &BookTag_model};
    check(rl_create_all(db, models, 7), "create tables");
    printf("Created authors, books, members, loans, tags, book_tags, awards, essays and "
           "biographies (parents first, an index on every key).\n");

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
    Member ada = {.name = "Ada"};
    check(rl_insert(db, &Member_model, &ada), "insert member");
    Loan loan = {.member_id = ada.pk, .book_id = eyre.pk};
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

    catalogue();
    check(rl_close(db), "close");
    printf("\nDone.\n");
    return 0;
}

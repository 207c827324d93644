/*
 * The web pages (a render stage beside JSON and CSV): what a browser gets from the same URLs
 * as the API, when it asks for text/html (its Accept prefers it to JSON), or the URL ends in
 * .html, or says ?_format=html.
 *
 *   /            the tables and views, their rows counted (exactly up to a cap, estimated
 *                beyond and said so), and a diagram of which table references which
 *   /T           the rows of T in pages, through the same parse, plan and execute stages as
 *                the JSON answer (every filter, order= and select= of the API works), each key
 *                cell labelled with its parent's label column and linked to its row; sortable
 *                columns, a filter form that writes PostgREST filters, facets, hidden columns,
 *                the same rows as JSON and CSV one click away
 *   /T/PK        one row (also /T?k=eq.v&... when the filters name every column of T's
 *                primary key): its columns, and every table whose rows refer to it, counted
 *                and linked to those rows
 *
 * A page is HTML5 written here by hand: every text escaped, no inline script or style (the
 * Content-Security-Policy forbids them), its stylesheet and script served from the binary
 * under /-/.  An error is the same error value as the API's, rendered as a page (html.c,
 * called by the one function that writes answers).
 */
#ifndef REFLITE_HTTP_PAGE_H
#define REFLITE_HTTP_PAGE_H

#include "exec.h"

/* ---- html.c: escaping, the frame of every page, links ------------------------------------ */

/* s (n bytes; -1: up to its NUL) escaped for HTML text and attribute values (& < > " '). */
void rlh_html(rlh_buf *b, const char *s, long n);
/* s percent-encoded for a page's link: what a URI may hold as it is (RFC 3986's unreserved
 * characters and the filters' ",()*:!") stays, everything else is encoded. */
void rlh_page_encode(rlh_buf *b, const char *s);

/* A page's arguments (the query string as the browser sent it, in order), to write links
 * with some changed: set (replacing every argument of that name; value NULL removes them). */
typedef struct rlh_links {
    const char *base; /* the API's root, "/" or "/prefix/" */
    rlh_arg args[64];
    size_t nargs;
} rlh_links;
void rlh_links_init(rlh_links *l, const rl_request *r, const char *base);
void rlh_links_set(rlh_links *l, const char *key, const char *value);
/* base + table [+ "/" + id] + "?args", percent-encoded (table NULL: the root). */
void rlh_links_url(rlh_buf *u, const rlh_links *l, const char *table, const char *id);
/* The same as an attribute: href="...", escaped. */
void rlh_links_href(rlh_buf *b, const rlh_links *l, const char *table, const char *id);

/* The head of a page titled title (escaped) and its navigation: the database, and table when
 * not NULL; the body continues after it. */
void rlh_page_open(rlh_buf *b, const char *base, const char *title, const char *table);
/* The end of a page. */
void rlh_page_close(rlh_buf *b);
/* Answer r with the page in b (200), with the page's security headers. */
int rlh_page_respond(rl_request *r, int status, rlh_buf *b);

/* Whether r (a GET or HEAD; a POST of a page's form with ?_format=html) asks for a page (see
 * above), into r->page; path: what follows the
 * API's root without its leading "/", with ".html" cut off its end when that is how it asked
 * (path is the caller's copy).  True when it answered r itself: the stylesheet or the script
 * (under -/). */
bool rlh_page_negotiate(rl_request *r, char *path);

/* ---- page_cells.c: values, and the keys of a table with their parents' labels ---------------- */

/* A foreign key of a table, as the pages show it. */
typedef struct rlh_pkey {
    char name[256];         /* the key as the relation calls name it (its field, or the rl_key's
                               name, or its fields joined by commas) */
    const rl_model *parent; /* the table it references */
    int fields[RL_MAX_KEY_FIELDS];       /* the child's fields (RLH_FIELD_PK: its integer key) */
    const char *refs[RL_MAX_KEY_FIELDS]; /* the parent's columns they reference, in order */
    size_t n;
    int label;           /* the parent's label field (its first text column not in the key), -1 */
    rl_action on_delete; /* what a delete of the parent does to the rows of the key */
    rl_groups *groups;   /* the parents of the rows on the page (rlh_page_labels), or NULL */
} rlh_pkey;

/* The foreign keys of m into out (at most max); how many. */
size_t rlh_page_keys(const rl_model *m, rlh_pkey *out, size_t max);
/* The parents of rows (count structs of m) for each key, in one statement per key; a key whose
 * parents cannot be read is shown without labels. */
void rlh_page_labels(rl_db *db, const rl_model *m, rlh_pkey *keys, size_t n, const void *rows,
                     size_t count);
void rlh_page_keys_free(rlh_pkey *keys, size_t n);
/* The value of field (RLH_FIELD_PK: the integer key) of row, a row of m. */
rl_value rlh_page_field(const rl_model *m, const void *row, int field);
/* v as text (no escaping) into buf, or pointing into v; NULL for NULL. */
const char *rlh_page_text(const rl_value *v, rl_kind kind, char *buf, size_t n);
/* The opening of a table cell of v and v itself: "<td class=...>" and the value escaped, cut
 * after cap bytes (0: never), numbers to the right, NULL shown as such; the caller may add to
 * the cell and closes it. */
void rlh_page_cell(rlh_buf *b, const rl_value *v, rl_kind kind, size_t cap);
/* The link of row k (a row of m) to its parent through key: an anchor with the parent's label
 * (or its key when it has none) after the value; nothing when the key is NULL. */
void rlh_page_parent_link(rlh_buf *b, const char *base, const rl_model *m, const rlh_pkey *key,
                          const void *row, size_t k);
/* The href of a row's own page: base + table + "/" + pk, or the filters of its primary key. */
void rlh_page_row_href(rlh_buf *b, const char *base, const rl_model *m, const void *row);

/* The rows of every table that refer to row (a row of m), a list item per key into m: how many
 * (one statement per key) and a link to them. */
void rlh_page_referrers(rlh_buf *b, rl_db *db, const rl_models *ms, const char *base,
                        const rl_model *m, const void *row);

/* ---- page_find.c: the filters of a table page, its filter form and its facets --------------- */

/* Whether key is one of the pages' own arguments (_size, _hide, ...), never the API's. */
bool rlh_page_arg(const char *key);
/* Whether name is in hide, a comma-separated list (NULL: none). */
bool rlh_page_hidden(const char *hide, const char *name);
/* The filters in force (each removable), the form that adds one, and the facets: for each
 * ?_facet= column, and each key column of one field and boolean column when the filters keep
 * total rows, few enough (else a link asks for each), its values among those rows, counted
 * (one statement each), when there are few values. */
void rlh_page_find(rlh_buf *b, rl_request *r, const char *base, const rl_model *m,
                   const rlh_plan *p, int64_t total);

/* ---- the pages ------------------------------------------------------------------------------ */

/* ---- page_edit.c: forms that write --------------------------------------------------------- */

/* The form's guard against other sites (a random value in a SameSite=Strict cookie, which the
 * form repeats): the request's cookie, or a new one set on the answer; into out. */
void rlh_page_csrf(rl_request *r, char out[33]);
/* The form that inserts a row into m (row NULL) or changes row: an input per column the
 * database does not generate, a key column's input a picker of its parent's rows; typed (an
 * object of text, or NULL) holds what the user typed, shown again; error (NULL: none) the
 * sentence of a refusal, shown next to the input of field (or above the form). */
void rlh_page_form(rlh_buf *b, rl_request *r, const char *base, const rl_model *m, const void *row,
                   const char *id, const json_t *typed, const char *field, const char *error);
/* What deleting row (a row of m) would do, before it is confirmed: the rows that go with it
 * (ON DELETE CASCADE, through keys of one column down to four tables deep), those whose key
 * becomes NULL, and those that refuse it; then the form that deletes. */
void rlh_page_confirm_delete(rlh_buf *b, rl_request *r, const char *base, const rl_model *m,
                             const void *row, const char *id);
/* A POST of one of the pages' forms (?_format=html or .html): insert (/T), update or delete
 * (/T/ID, _action=update|delete); 303 to the row or the table when it is written, else the
 * form again with the refusal next to the field it names. */
int rlh_page_write(rl_request *r, const char *base, const rl_model *m, const char *id);

/* / : the tables (page_home.c). */
int rlh_page_home(rl_request *r, const char *base);
/* /T and /T/ID (page_rows.c). */
int rlh_page_rows(rl_request *r, const char *base, const rl_model *m, const char *id);

#endif

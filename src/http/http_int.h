/*
 * The server's inside: a growable text buffer and JSON writing (json.c), the request record
 * the handlers see (server.c), and what the stages of the generic API share (rest.c and the
 * files it calls: parse, plan, exec, answer, get, write, insert; values.c, relate.c).  Only
 * include/reflite.h is used of the core: the server is a client of the public API like any other
 * program.
 */
#ifndef REFLITE_HTTP_INT_H
#define REFLITE_HTTP_INT_H

#include <reflite/http.h>

#include <jansson.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <stdint.h>

/* ---- a growable buffer (json.c) ----------------------------------------------------------- */

typedef struct rlh_buf {
    char *data; /* NUL-terminated once anything was added */
    size_t len, cap;
    bool oom; /* an addition failed: the buffer is incomplete */
} rlh_buf;

/* n zeroed bytes, for a record made at every request: glibc's calloc passes by the thread's
 * cache of small blocks that malloc takes them from (several times the instructions); the
 * empty asm keeps the compiler from making malloc and memset one calloc again. */
static inline void *rlh_zalloc(size_t n)
{
    void *p = malloc(n);
    if (!p) return NULL;
    __asm__ volatile("" : : "r"(p) : "memory");
    return memset(p, 0, n);
}

/* Append n bytes of s: in line while they fit, through rlh_add_grow when they do not. */
void rlh_add_grow(rlh_buf *b, const char *s, size_t n);
static inline void rlh_add(rlh_buf *b, const char *s, size_t n)
{
    if (b->len + n < b->cap && !b->oom) {
        memcpy(b->data + b->len, s, n);
        b->len += n;
        b->data[b->len] = '\0';
    } else {
        rlh_add_grow(b, s, n);
    }
}
void rlh_adds(rlh_buf *b, const char *s);
void rlh_addf(rlh_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void rlh_free(rlh_buf *b);
/* v in decimal. */
void rlh_add_int(rlh_buf *b, int64_t v);
/* s as a JSON string, quotes included (invalid UTF-8 is written as U+FFFD). */
void rlh_json_str(rlh_buf *b, const char *s, size_t n);
/* "name": (a member's key), and "name":"value" (null for a NULL value). */
void rlh_json_key(rlh_buf *b, const char *name);
void rlh_json_member(rlh_buf *b, const char *name, const char *value);
/* The error object's members {"code", "message", "details", "hint" (details and hint may be
 * NULL), left open for more: the caller closes it. */
void rlh_error_open(rlh_buf *b, const char *code, const char *message, const char *details,
                    const char *hint);
/* v as JSON: numbers, strings, null; booleans for a field of kind boolean; a blob as "\x..";
 * the text of a column of kind RL_KIND_NUMERIC as a number, of RL_KIND_JSON or RL_KIND_ARRAY
 * as the JSON it holds (each as a string when the text is not one). */
/* A finite double as the shortest of 15 or 17 significant digits that reads back the same. */
void rlh_real_text(double x, char out[32]);
void rlh_json_value(rlh_buf *b, const rl_value *v, rl_kind kind);
/* rl_respond with b's bytes as the body, handed over without a copy (b is emptied when they
 * were taken). */
int rlh_respond_buf(rl_request *r, int status, const char *content_type, rlh_buf *b);

/*
 * Numbers of a request body with every digit (jansson reads a number with a fraction or an
 * exponent as a double, and refuses an integer beyond 64 bits): rlh_json_mark_numbers writes
 * each such number of body as the string "\u0000" followed by its text (malloc'd, its length
 * in *out_len), to be parsed with JSON_ALLOW_NUL; NULL when no number needs it, when the body
 * holds a \u0000 of its own (parse it as it is: jansson refuses that), or with *oom set when
 * out of memory.  rlh_json_marked: the text of such a number (NULL for any other value);
 * rlh_json_number_value: it as a value for a field of kind (text with every digit for
 * numeric, JSON and text; an integer or a double otherwise; false beyond an integer of 64
 * bits); rlh_json_text: a value as compact JSON text with marked numbers as they were sent
 * (malloc'd; NULL when out of memory).
 */
struct json_t;
char *rlh_json_mark_numbers(const char *body, size_t len, size_t *out_len, bool *oom);
const char *rlh_json_marked(const struct json_t *j);
bool rlh_json_number_value(const char *num, rl_kind kind, rl_value *out);
char *rlh_json_text(const struct json_t *j);

/* ---- the pool of connections (pool.c) ---------------------------------------------------- */

typedef struct rlh_slot {
    rl_db *db;
    rl_models *models;
    int64_t version;          /* rl_schema_version when models were read */
    unsigned generation;      /* the pool's generation when models were read */
    struct timespec verified; /* when version was last compared (CLOCK_MONOTONIC) */
    bool busy;
    struct timespec since;   /* when it was taken (CLOCK_MONOTONIC) */
    bool stopped;            /* the watchdog stopped its statement */
    struct rlh_keyed *keyed; /* plans of GET /{table}/{id} kept on this connection (get.c) */
} rlh_slot;
/* Forget the plans a slot keeps (its models are read again, or it closes). */
void rlh_keyed_forget(rlh_slot *slot);

typedef struct rlh_pool {
    bool opened; /* rlh_pool_open ran: there is something to close */
    rlh_slot *slots;
    size_t nslots;
    pthread_mutex_t lock;
    pthread_cond_t freed;
    bool serial_writes;      /* SQLite with several connections: writes take turns */
    pthread_mutex_t writing; /* the turn */
    unsigned limit_ms;       /* how long a request may keep a connection working (0: no limit) */
    bool watching, watch_stop;
    pthread_t watcher;
    pthread_cond_t watch_wake;
    unsigned verify_ms;          /* how often a connection asks rl_schema_version at most */
    _Atomic unsigned generation; /* bumped by rl_server_reload: every slot reads its tables */
} rlh_pool;

/* db, then clones up to size connections, each with its tables; err says why on failure
 * (the caller closes the pool either way). */
int rlh_pool_open(rlh_pool *p, rl_db *db, unsigned size, char *err, size_t errlen);
void rlh_pool_close(rlh_pool *p);
/* A free connection, waiting for one, its tables as the database has them now (within a
 * second on engines where asking costs a query); and giving it back. */
rlh_slot *rlh_pool_take(rlh_pool *p);
/* Read slot's tables again if the schema changed since they were read (force: ask the
 * database now, whatever the last time); 1 when they were read again, 0 when they are the
 * same, -1 when they could not be read (the old ones are kept). */
int rlh_pool_refresh(rlh_pool *p, rlh_slot *slot, bool force);
void rlh_pool_give(rlh_pool *p, rlh_slot *slot);
/* The watchdog: stop the statement of a connection taken for over limit_ms (0: none). */
int rlh_pool_watch_start(rlh_pool *p, unsigned limit_ms);
void rlh_pool_watch_stop(rlh_pool *p);
/* Milliseconds from one CLOCK_MONOTONIC reading to a later one. */
double rlh_ms_between(const struct timespec *from, const struct timespec *to);
/* Whether the watchdog stopped slot's statement (the request ran past the limit). */
bool rlh_pool_stopped(const rlh_slot *slot);

/* ---- requests (server.c) ------------------------------------------------------------------ */

enum {
    RLH_MAX_PARAMS = 8,
    /* conditions in one request: SQLite parses a long OR as a deep tree, and refuses one over
     * 1000 levels ("Expression tree is too large"); the same limit on every engine */
    RLH_MAX_CONDITIONS = 500
};

typedef struct rlh_arg {
    const char *key, *value; /* value "" for a key without one */
} rlh_arg;

struct rl_request {
    struct rl_server *server;
    void *conn; /* struct MHD_Connection */
    const char *method, *path;
    char *body;
    size_t body_len;
    const char *param_names[RLH_MAX_PARAMS];
    char *param_values[RLH_MAX_PARAMS];
    int nparams;
    rlh_arg *args; /* the query string's arguments, in order */
    size_t nargs;
    struct rlh_slot *slot; /* the pooled connection, once taken */
    bool write_scope;      /* the token may write (or there are no tokens) */
    bool stale;            /* the answer names a table or column the tables do not have: worth
                              one more try if the schema changed (rlh_unknown_name) */
    bool page;             /* the answer is a web page (page.h): errors too */
    bool turn;             /* it holds the server's turn to write (rlh_turn_take) */
    const char *page_base; /* with page: the API's root, "/" or "/prefix/" (the request's) */
    void *response;        /* struct MHD_Response, once answered */
    int status;
    rlh_buf extra; /* headers added before answering: name\0value\0 pairs */
};

/* The request named a table or column its connection's tables do not have: if the database's
 * schema changed since they were read, the server reads them again and answers the request
 * anew (once). */
static inline void rlh_unknown_name(rl_request *r)
{
    r->stale = true;
}

/* html.c, for the one function that writes answers: the error answer body (JSON, as the API
 * writes it) of status as a web page into out; the headers of every page
 * (Content-Security-Policy and its company) on a libmicrohttpd response. */
void rlh_page_error(const rl_request *r, int status, const char *json, size_t len, rlh_buf *out);
void rlh_page_headers(void *mhd_response);

/* The status of a reflite error code. */
int rlh_status_of(int code);
bool rlh_read_only(const rl_request *r);
/* SQLite has one writer at a time: with several connections, writes take turns in the server
 * (in order) rather than in the engine's busy handler (asleep, out of order).  A write takes
 * the turn just before its transaction, so that reading and parsing its request, and planning
 * it, run beside other writes; the server gives it back when the request is answered. */
void rlh_turn_take(rl_request *r);
void rlh_turn_give(rl_request *r);
/* The server's memory kept for request values and plans (blocks.c, parse.h). */
struct rlh_blocks *rlh_request_blocks(const rl_request *r);
struct rlh_blocks *rlh_blocks_new(void);
void rlh_blocks_free(struct rlh_blocks *b);
/* Whether the server takes aggregates in select=. */
bool rlh_aggregates(const rl_request *r);
/* The name the API gives its schema (rl_server_options.schema). */
const char *rlh_schema_name(rl_request *r);
bool rlh_has_tokens(const rl_request *r);
unsigned rlh_statement_timeout(const rl_request *r);
size_t rlh_max_rows(const rl_request *r);

/* ---- the generic API (rest.c and its stages) ------------------------------------------------ */

/* Answer a request for rest (path: what follows the prefix, "/table" or "/table/pk"; "/" and
 * "/openapi.json" are the API's OpenAPI document). */
int rlh_rest(rl_request *r, const char *path);
/* The OpenAPI 3.1 document of the generic API under prefix (openapi.c). */
int rlh_openapi(rl_request *r, const char *prefix, size_t prefix_len);

/* PostgreSQL's words for an error the engine gave none of its own for (SQLite). */
typedef struct rlh_words {
    char message[400], details[600];
} rlh_words;
/* Those words for e into out: a broken foreign key (its constraint's name from ms, else
 * PostgreSQL's default), and for the failed write of row (a row of m; NULL: none) a NOT NULL
 * or unique refusal; false when the engine gave its own (PostgreSQL) or e is none of those
 * (pgwords.c). */
bool rlh_pg_words(const rl_models *ms, const rl_error *e, const rl_model *m, const void *row,
                  rlh_words *out);
/* The sets of object o's columns (the values rlh_row_from put in row), the integer key's too
 * when o names it, into sets (room for RL_MAX_FIELDS + 1); their number. */
size_t rlh_sets_of(const rl_model *m, json_t *o, void *row, rl_set *sets);
/* The value of hexadecimal digit c, or -1 (json.c). */
int rlh_hex_value(char c);
/* bodies.c: whether a Content-Type's media type is name; a text/csv body as an array of
 * objects of text, and an application/x-www-form-urlencoded one as an object of text (NULL:
 * *why says what is wrong with it, or out of memory when *why is NULL). */
bool rlh_media_is(const char *content_type, const char *name);
json_t *rlh_csv_body(const char *s, size_t n, const char **why);
json_t *rlh_form_body(const char *s, size_t n, const char **why);
/* insert.c: POST /{table}; answers r. */
int rlh_post(rl_request *r, const rl_model *m);

typedef enum rlh_rel {
    RLH_TO_ONE,  /* the row's parent through its key: an object or null */
    RLH_TO_MANY, /* the rows whose key refers to the row: an array */
    RLH_LINKED   /* the rows linked to the row through a link table: an array */
} rlh_rel;

#define RLH_KEY_NAME 256 /* the longest key name followed: a field, or fields joined by commas */

/* One way two tables relate (relate.c). */
enum { RLH_MAX_WAYS = 8 }; /* ways two tables are related, named in an error */
typedef struct rlh_way {
    rlh_rel rel;
    char key[RLH_KEY_NAME];  /* the key followed as relation calls name it ("" for RLH_LINKED) */
    char hint[RLH_KEY_NAME]; /* what names it after "!": a key's column, its PostgreSQL name
                                (<table>_<columns>_fkey) for several columns, a link table */
    char fkey[RLH_KEY_NAME]; /* the key's PostgreSQL name: its constraint's, else
                                <table>_<columns>_fkey ("" for RLH_LINKED): PostgREST's hints
                                name keys so */
    const rl_model *link;    /* RLH_LINKED: the link table */
    const rl_model *target;  /* the model it leads to (set by rlh_ways_named, else NULL) */
    bool single;             /* the key is unique in the child: one-to-one (RLH_TO_MANY: one
                                object, not an array) */
    bool several;            /* the key has several columns (an rl_key) */
    /* a key of one field: the field (or pk column) of the parent it meets, by name; through a
     * link, the link's field to each side and the field of that side it meets (NULL for keys
     * of several fields) */
    const char *meets;
    const char *link_m, *link_m_meets, *link_t, *link_t_meets;
    /* the columns it joins, as PostgREST's details list them: of the request's table and of
     * the embedded one ("a, b"); for a link, each of the link's keys with its columns
     * ("<fkey>(a, b)") */
    char mcols[RLH_KEY_NAME], tcols[RLH_KEY_NAME];
} rlh_way;
/* The ways m relates to t (at most RLH_MAX_WAYS, into out): direct keys first (m's keys to t,
 * t's keys to m; between rows of one table only the second), else link tables among ms (a
 * way for each pair of the link's keys, one to each side).  A key to a table leads to a view
 * too when the view shows the columns it references (rl_models_origin), as the core follows
 * it.  With a hint, only the ways whose key (column, name, PostgreSQL name) or link table it
 * names. */
size_t rlh_ways_of(const rl_models *ms, const rl_model *m, const rl_model *t, const char *hint,
                   rlh_way *out);
/* Add to the n ways at out (their target set) the ways from m through a key whose PostgreSQL
 * name (its constraint's, else the default <table>_<columns>_fkey) is name, as PostgREST takes
 * a constraint's name for what to embed: m's keys (to-one) and the keys of other tables to m
 * (to-many; also by the one column of m such a key references), not a key of a table to itself nor
 * one that leads to a view; each with the model it leads to as target, none twice, at most
 * RLH_MAX_WAYS in all.  Returns the new number. */
size_t rlh_ways_named(const rl_models *ms, const rl_model *m, const char *name, rlh_way *out,
                      size_t n);

/* The table or view of ms that m is related to and whose name is most like name (not name
 * itself: at most half of the longer name's characters to change, insert or delete), or NULL:
 * what PostgREST's hint suggests for a relation it cannot find. */
const char *rlh_related_like(const rl_models *ms, const rl_model *m, const char *name);

/* Whether name ("table" or "table!key_column") names rows of ms whose key refers to m: 1 with
 * their model and key, 0 when it does not, -1 with the sentence of the refusal in why (more
 * than one key: name one) (relate.c: the nested inserts' relations). */
int rlh_children_of(const rl_models *ms, const rl_model *m, const char *name, const rl_model **t,
                    const rl_field **key, char *why, size_t whylen);
/* GET of a table, or of the row id (not NULL). */
int rlh_get(rl_request *r, const rl_model *m, const char *id);

/* The column name of a field of a runtime model, and the pk column's ("id" when unnamed). */
const char *rlh_pk_name(const rl_model *m);
/* The pk of a row of m (a model with one). */
static inline int64_t rlh_row_pk(const rl_model *m, const void *row)
{
    int64_t pk;
    memcpy(&pk, (const char *)row + m->pk_offset, sizeof pk);
    return pk;
}
/* The column a field of m is stored in. */
const char *rlh_column_of(const rl_field *f);
/* The field named name in m, or NULL. */
const rl_field *rlh_field(const rl_model *m, const char *name);
/* A LIKE pattern of PostgREST (* or % for any text, _ for a character) as SQL's (glob false:
 * ilike) or as a GLOB (glob: like, which is case-sensitive); malloc'd, NULL when out of
 * memory. */
char *rlh_like_pattern(const char *v, bool glob);
/* text as a value for a field of kind kind (-1: the pk); false when it cannot be one. */
bool rlh_parse_value(const char *text, int kind, rl_value *out);
/* The truth value text spells as PostgreSQL's boolean input reads it: 1, 0, or -1 for none. */
int rlh_truth_of(const char *text);
/* s percent-encoded into b for a URL's query string (what its syntax uses stays as it is):
 * Content-Location's and Location's names and values. */
void rlh_query_encode(rlh_buf *b, const char *s);
/* Whether rlh_query_encode keeps byte x as it is: letters, digits and -._~,()*:!"{} */
static inline bool rlh_query_plain(unsigned char x)
{
    return (x >= 'a' && x <= 'z') || (x >= 'A' && x <= 'Z') || (x >= '0' && x <= '9') ||
           (x >= '(' && x <= '.' && x != '+') || x == '_' || x == '~' || x == ':' || x == '!' ||
           x == '"' || x == '{' || x == '}';
}
/* What a column of kind (-1: the integer key) takes, for a sentence: "a number (REAL)". */
const char *rlh_kind_takes(int kind);

/* refind.c: the integer keys of q's rows (at most max + 1 of them), and, for a table without
 * an integer key, a query for the rows before (at most RLH_MAX_REFOUND, read before a PATCH,
 * or as a POST gave them: given) as the PATCH's sets leave them. */
enum { RLH_MAX_REFOUND = 200 };
int rlh_pks_of(rl_query *q, const rl_model *m, size_t max, rl_value **out, size_t *n);
rl_query *rlh_refind(rl_db *db, const rl_model *m, const rl_rows *before, const rl_set *sets,
                     size_t nsets, bool given);

#endif

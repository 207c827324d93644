/*
 * The server's inside: a growable text buffer and JSON writing (json.c), the request record
 * the handlers see (server.c), the URL's filters turned into a query (filter.c) and the
 * generic API (rest.c).  Only include/reflite.h is used of the core: the server is a client
 * of the public API like any other program.
 */
#ifndef REFLITE_HTTP_INT_H
#define REFLITE_HTTP_INT_H

#include <reflite/http.h>

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/* ---- a growable buffer (json.c) ----------------------------------------------------------- */

typedef struct rlh_buf {
    char *data; /* NUL-terminated once anything was added */
    size_t len, cap;
    bool oom; /* an addition failed: the buffer is incomplete */
} rlh_buf;

void rlh_add(rlh_buf *b, const char *s, size_t n);
void rlh_adds(rlh_buf *b, const char *s);
void rlh_addf(rlh_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void rlh_free(rlh_buf *b);
/* s as a JSON string, quotes included (invalid UTF-8 is written as U+FFFD). */
void rlh_json_str(rlh_buf *b, const char *s, size_t n);
/* "name": (a member's key), and "name":"value" (null for a NULL value). */
void rlh_json_key(rlh_buf *b, const char *name);
void rlh_json_member(rlh_buf *b, const char *name, const char *value);
/* The error object's members {"code", "message", "details", "hint" (details and hint may be
 * NULL), left open for more: the caller closes it. */
void rlh_error_open(rlh_buf *b, const char *code, const char *message, const char *details,
                    const char *hint);
/* v as JSON: numbers, strings, null; booleans for a field of kind boolean; a blob as "\x..". */
void rlh_json_value(rlh_buf *b, const rl_value *v, rl_kind kind);

/* ---- requests (server.c) ------------------------------------------------------------------ */

enum { RLH_MAX_PARAMS = 8 };

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
    void *response;        /* struct MHD_Response, once answered */
    int status;
    rlh_buf extra; /* headers added before answering: name\0value\0 pairs */
};

/* The status of a reflite error code. */
int rlh_status_of(int code);
bool rlh_read_only(const rl_request *r);
size_t rlh_max_rows(const rl_request *r);

/* ---- the generic API (rest.c, filter.c) --------------------------------------------------- */

/* Answer a request for rest (path: what follows the prefix, "/table" or "/table/pk"). */
int rlh_rest(rl_request *r, const char *path);

/* What a query string asks of a GET, PATCH or DELETE. */
typedef struct rlh_shape {
    const rl_field *cols[RL_MAX_FIELDS + 1]; /* select=: the fields written (NULL: the pk) */
    size_t ncols;                            /* 0: every column */
    bool any_col;                            /* select= named the pk column */
    int64_t limit, offset;                   /* -1: not given */
    size_t filters;                          /* conditions added */
} rlh_shape;

/* Apply r's query arguments to q (a query on model): conditions, order, limit, offset and
 * select=.  On a bad argument answers r (400) and returns -1. */
int rlh_apply_args(rl_request *r, const rl_model *model, rl_query *q, rlh_shape *shape);
/* The column name of a field of a runtime model, and the pk column's ("id" when unnamed). */
const char *rlh_pk_name(const rl_model *m);
/* The column a field of m is stored in. */
const char *rlh_column_of(const rl_field *f);
/* The field named name in m, or NULL. */
const rl_field *rlh_field(const rl_model *m, const char *name);
/* text as a value for a field of kind kind (-1: the pk); false when it cannot be one. */
bool rlh_parse_value(const char *text, int kind, rl_value *out);

#endif

/*
 * libreflite-http: a database served as JSON over HTTP, and routes of an application's own.
 *
 * A server runs on an open connection.  Its worker threads (libmicrohttpd's thread pool over
 * epoll) each take a connection of their own from a pool: the one given, and for the others
 * rl_db_clone of it (a database only that connection can see, such as SQLite's :memory: or
 * the test profile's private store, is served by that one connection, a request at a time).
 * The tables are read once at start as runtime models (rl_models_load); a schema changed
 * while the server runs is seen after a restart.
 *
 *   rl_server *s;
 *   rl_server_options o = {.port = 8080};
 *   rl_server_new(&s, db, &o);
 *   rl_server_rest(s, "");                                  // the generic API at /{table}
 *   rl_server_route(s, "GET", "/rest/v1/group/{name}", get_group, NULL);
 *   rl_server_start(s);  ...  rl_server_free(s);            // stops, finishing requests
 *
 * The generic API follows PostgREST's URL conventions: GET /{table}?col=op.value (eq, neq,
 * gt, gte, lt, lte, like, ilike, in, is; a not. prefix; or=(...) and and=(...) groups),
 * select=, order=, limit=, offset=; GET /{table}/{pk}; POST one object or an array (all or
 * nothing); PATCH and DELETE with filters (every row only with "Prefer: unfiltered=allow");
 * "Prefer: return=representation|minimal".  Errors are JSON objects {"code", "message",
 * "details", "hint"} with the status that fits (a broken foreign key: 409, with "key"
 * naming its table, column, value and parent).  See docs/guide.md, chapter "Serving".
 *
 * Threads: rl_server_* calls are for the thread that created the server; handlers run on
 * the workers, and each rl_request belongs to the one call of its handler.
 */
#ifndef REFLITE_HTTP_H
#define REFLITE_HTTP_H

#include <reflite.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Built with hidden visibility like the core: what this header declares is the whole ABI.  The
 * static library's internal names start with rlh_, a prefix reserved here. */
#pragma GCC visibility push(default)

typedef struct rl_server rl_server;
typedef struct rl_request rl_request;

/* Options of rl_server_new; zero means the default. */
typedef struct rl_server_options {
    const char *host;   /* the address to listen on: NULL for 127.0.0.1 */
    int port;           /* 0: a free port, which rl_server_port tells */
    unsigned threads;   /* worker threads (and connections): 0 for 4 */
    bool read_only;     /* the generic API refuses writes with 405 */
    const char *tokens; /* a tokens file: lines "read TOKEN" or "write TOKEN" ("#" comments);
                           NULL: no authentication */
    const char *cors;   /* origins allowed to call from a browser, comma-separated ("*": any);
                           NULL: no CORS headers */
    size_t max_body;    /* bytes of a request body: 0 for 1 MiB (413 beyond) */
    size_t max_rows;    /* rows in one response of the generic API: 0 for 1000 */
    FILE *log;          /* one line per request: NULL for stderr */
    bool quiet;         /* no request log */
    unsigned statement_timeout; /* milliseconds a request may keep its connection working:
                                   past them its statement is stopped (rl_interrupt) and the
                                   answer is 503 RL_EINTERRUPTED; 0: no limit */
    const char *allow_hosts;    /* host names answered besides localhost and the address
                                   listened on (comma-separated; the Host header of any other
                                   name is refused with 421, against DNS rebinding) */
    unsigned max_connections;   /* open connections at once: 0 for 1000 */
    unsigned max_per_address;   /* open connections from one client address: 0 for 200 */
    unsigned idle_timeout;      /* seconds a connection may stay silent: 0 for 15 */
    bool no_aggregates;         /* refuse aggregates in select= (count(), col.sum()...) with
                                   400 PGRST123: a group over a large table reads all of it */
    const char *cors_headers;   /* request headers a page of a cors origin may send, as the
                                   preflight's Access-Control-Allow-Headers (comma-separated);
                                   NULL: RL_CORS_HEADERS */
    const char *schema;         /* the name the API gives the schema it serves: in its messages
                                   ("Could not find the table 'public.x'") and the one an
                                   Accept-Profile or Content-Profile header may name (406
                                   PGRST106 otherwise); NULL: on PostgreSQL the connection's
                                   current schema (rl_models_schema), on SQLite "public" */
} rl_server_options;

/* The request headers a CORS preflight allows unless rl_server_options.cors_headers says
 * otherwise: those PostgREST's clients send (supabase-js adds apikey and x-client-info). */
#define RL_CORS_HEADERS                                                                            \
    "Accept, Accept-Profile, Authorization, Content-Profile, Content-Type, Prefer, Range, "        \
    "Reflite-Position, apikey, x-client-info"

/*
 * Make a server on db (which it uses until rl_server_free: leave it alone meanwhile, and
 * close it after).  The pool's other connections are opened here, and every connection
 * reads the tables.  On failure *out is NULL and errbuf (may be NULL) says why.
 */
int rl_server_new(rl_server **out, rl_db *db, const rl_server_options *opts, char *errbuf,
                  size_t errlen);

/* A route's handler: answers with one rl_respond* call and returns 0 (or a negative code:
 * the client then gets a 500 unless the handler has answered). */
typedef int (*rl_route_fn)(rl_request *req, void *ctx);

/*
 * Add a route before rl_server_start: method ("GET", "POST", ...; NULL for any) and a path
 * pattern whose segments in braces are parameters ("/rest/v1/group/{name}").  Routes are
 * tried in the order they were added, before the generic API.
 */
int rl_server_route(rl_server *s, const char *method, const char *pattern, rl_route_fn fn,
                    void *ctx);

/* Serve the generic API under prefix ("" or NULL: at the root; "/api": /api/{table}). */
int rl_server_rest(rl_server *s, const char *prefix);

/* Start listening (RL_ERROR, with rl_server_errmsg, when the address cannot be had). */
int rl_server_start(rl_server *s);

/* The port listened on (after rl_server_start), or 0. */
int rl_server_port(const rl_server *s);

/*
 * Read the database's tables again for every request that starts after this call (safe from
 * any thread, a signal's thread included).  Not needed for changes the server notices itself:
 * a connection compares the schema's version (rl_schema_version) at most every 50 ms on
 * SQLite and once a second on PostgreSQL, and at once when a request names a table or column
 * it does not know (the request is then answered anew).
 */
int rl_server_reload(rl_server *s);

/* Finish the requests in flight (10 s at most), answering those that arrive meanwhile with 503
 * RL_EBUSY and Retry-After, then stop and close the socket.  A no-op when not started; the server
 * can be started again. */
int rl_server_stop(rl_server *s);

/* Stop (when running), close the pool's other connections and free s (NULL: no-op). */
void rl_server_free(rl_server *s);

/* Why the last rl_server_* call failed ("" when it did not). */
const char *rl_server_errmsg(const rl_server *s);

/* ---- in a handler -------------------------------------------------------------------------- */

const char *rl_request_method(const rl_request *r);
/* The path, percent-decoded, without the query string. */
const char *rl_request_path(const rl_request *r);
/* The value of the route's parameter {name}, or NULL. */
const char *rl_request_param(const rl_request *r, const char *name);
/* The first value of query argument name (percent-decoded), or NULL. */
const char *rl_request_query(const rl_request *r, const char *name);
/* A request header (case-insensitive name), or NULL. */
const char *rl_request_header(const rl_request *r, const char *name);
/* The body (len may be NULL); "" with length 0 when there is none. */
const char *rl_request_body(const rl_request *r, size_t *len);
/* This worker's connection, for the length of the call. */
rl_db *rl_request_db(rl_request *r);
/* The models of its tables (read at start). */
const rl_models *rl_request_models(rl_request *r);

/* Add a header to the response (before the rl_respond* call). */
int rl_response_header(rl_request *r, const char *name, const char *value);
/* Answer with status and body (copied; content_type NULL: application/json; charset=utf-8).
 * An answer without a body (body NULL) has no Content-Type. */
int rl_respond(rl_request *r, int status, const char *content_type, const char *body, size_t len);
/* Answer with an error object {"code", "message", "details", "hint"} (details and hint may be
 * NULL). */
int rl_respond_error(rl_request *r, int status, const char *code, const char *message,
                     const char *details, const char *hint);
/* Answer with the last error of db, with its status (409 for keys and unique values, 400
 * for NOT NULL, CHECK and unknown fields, 404 for a missing row, 503 when busy, else 500). */
int rl_respond_db_error(rl_request *r, rl_db *db);

#pragma GCC visibility pop

#ifdef __cplusplus
}
#endif

#endif

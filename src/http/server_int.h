/*
 * The server's records (server.c), shared with request.c, where a handler reads its request
 * and writes its answer.  Brings libmicrohttpd's header.
 */
#ifndef REFLITE_HTTP_SERVER_INT_H
#define REFLITE_HTTP_SERVER_INT_H

#include "door.h"

#include <stdatomic.h>
#include <time.h>

typedef struct route {
    char *method;  /* NULL: any */
    char *pattern; /* its segments, NUL-separated */
    size_t nsegs;
    rl_route_fn fn;
    void *ctx;
} route;

typedef struct token {
    char *value;
    size_t len;
    bool write;
} token;

struct rl_server {
    rl_server_options o;
    char *host, *cors, *rest_prefix, *allow_hosts;
    char *cors_headers; /* the preflight's Access-Control-Allow-Headers */
    char *schema;       /* rl_server_options.schema, or NULL */
    bool rest;
    token *tokens;
    size_t ntokens;
    route *routes;
    size_t nroutes;
    rlh_pool pool;             /* the connections (pool.c) */
    rlh_door door;             /* what the door checks against (door.c) */
    struct rlh_blocks *blocks; /* memory kept for the requests' values and plans (blocks.c) */
    struct MHD_Daemon *d;
    int port;
    atomic_int inflight;
    atomic_bool stopping; /* rl_server_stop waits for the requests in flight */
    char err[512];
};

/* A request's record, from its first call to its completion. */
typedef struct rlh_req {
    rl_request r;
    rlh_buf body;
    bool too_large;
    struct timespec start;
} rlh_req;

#endif

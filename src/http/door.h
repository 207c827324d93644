/*
 * The door (door.c): the checks a request passes before a handler sees it, and what the
 * server keeps of each client connection for them.  Included by server.c and door.c only: it
 * brings libmicrohttpd's header.
 */
#ifndef REFLITE_HTTP_DOOR_H
#define REFLITE_HTTP_DOOR_H

#include "http_int.h"

#include <microhttpd.h>

/* The per-connection memory of the HTTP layer (libmicrohttpd's own default): the request line
 * and headers must fit in it (beyond, the HTTP layer answers on its own, not in JSON): the
 * door's largest path (24 KiB) with a few headers, or its largest headers (16 KiB) with a
 * short path.  libmicrohttpd clears it one and a half times for every request, so its size is
 * a cost per request (at 40 KiB, 61,000 of the 85,000 instructions of a read by key). */
enum { RLH_MEMORY = 32 * 1024 };

/* What the door knows of the server. */
typedef struct rlh_door {
    const char *host;        /* the address listened on */
    const char *allow_hosts; /* other names answered as (comma-separated) */
    const char *cors;        /* the origins allowed to call (comma-separated, "*": any) */
    int port;                /* the port listened on */
} rlh_door;

/* What the server keeps of one client connection (libmicrohttpd's socket context). */
typedef struct rlh_conn {
    bool nul;        /* the request being read decoded a %00 in its path or query */
    bool long_query; /* ... has more query arguments or bytes than the door takes */
} rlh_conn;

/* Whether method changes anything (not GET, HEAD or OPTIONS). */
bool rlh_is_write(const char *method);
/* The request's Origin when cors lets it call, else NULL. */
const char *rlh_allowed_origin(const char *cors, rl_request *r);
/* The door's checks on r's first call (cc: its connection's record, may be NULL); true when
 * they answered r. */
bool rlh_door_refuses(const rlh_door *d, rl_request *r, const rlh_conn *cc);
/* libmicrohttpd's callbacks: a connection opened or closed (its rlh_conn), and the
 * percent-decoding of the path and the query (which notes a %00 on the connection). */
void rlh_on_connection(void *cls, struct MHD_Connection *c, void **ctx,
                       enum MHD_ConnectionNotificationCode what);
size_t rlh_unescape(void *cls, struct MHD_Connection *c, char *s);
/* libmicrohttpd's look at a request's raw target before it splits the query: a query with too
 * many arguments is noted on the connection and emptied (the HTTP layer would otherwise spend
 * its memory on them and stop answering). */
void *rlh_uri_seen(void *cls, const char *uri, struct MHD_Connection *c);
/* The record of connection c, or NULL. */
rlh_conn *rlh_conn_of(struct MHD_Connection *c);

#endif

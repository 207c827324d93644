/* A hand-written HTTP server on sqlite3 and libmicrohttpd for bench_http's read workloads
 * (hand_http.c): the side reflite's server is measured against. */
#ifndef REFLITE_BENCH_HAND_HTTP_H
#define REFLITE_BENCH_HAND_HTTP_H

typedef struct hand_server hand_server;

/* Serve the database file at path on a free port of 127.0.0.1 with threads threads; NULL on
 * failure. */
hand_server *hand_start(const char *path, unsigned threads);
/* The port it listens on. */
int hand_port(const hand_server *h);
/* Stop it and close its connections. */
void hand_stop(hand_server *h);

#endif

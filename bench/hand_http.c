/*
 * A hand-written HTTP server for the workloads of bench_http, straight on sqlite3,
 * libmicrohttpd and jansson: the fastest honest code for the same answers.  Each server thread
 * keeps its own connection with its statements prepared once; a request binds, steps, and
 * writes the JSON bytes itself.
 *
 *   GET /books/{id}                                         one book as an object
 *   GET /books?select=id,title,price,authors(name)&id=gt.N&limit=M
 *                                                           M books after N with their author
 *   POST /books {"title":..,"author_id":..,"price":..}     one book inserted (its own
 *                                                           transaction), 201 without a body
 */
#include "hand_http.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <math.h>
#include <microhttpd.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct worker {
    sqlite3 *db;
    sqlite3_stmt *one, *list, *add;
    struct worker *next;
} worker;

struct hand_server {
    struct MHD_Daemon *d;
    char *path;
    pthread_key_t key;
    pthread_mutex_t lock;
    worker *all; /* every thread's, closed at the end */
};

typedef struct out {
    char *p;
    size_t n, cap;
} out;

static bool grow(out *o, size_t more)
{
    if (o->n + more <= o->cap) return true;
    size_t cap = o->cap ? o->cap * 2 : 1024;
    while (cap < o->n + more)
        cap *= 2;
    char *g = realloc(o->p, cap);
    if (!g) return false;
    o->p = g;
    o->cap = cap;
    return true;
}

static void put(out *o, const char *s, size_t n)
{
    if (!grow(o, n)) return;
    memcpy(o->p + o->n, s, n);
    o->n += n;
}

#define PUT(o, lit) put((o), lit, sizeof lit - 1)

static void put_int(out *o, sqlite3_int64 v)
{
    char b[24];
    put(o, b, (size_t)snprintf(b, sizeof b, "%lld", (long long)v));
}

/* The shortest text that reads back as v, with ".0" when it looks like an integer. */
static void put_real(out *o, double v)
{
    char b[32];
    if (!isfinite(v)) {
        PUT(o, "null");
        return;
    }
    int n = snprintf(b, sizeof b, "%.15g", v);
    if (strtod(b, NULL) != v) n = snprintf(b, sizeof b, "%.17g", v);
    put(o, b, (size_t)n);
    if (!strpbrk(b, ".en")) PUT(o, ".0");
}

static void put_text(out *o, const unsigned char *s, int len)
{
    static const char hex[] = "0123456789abcdef";
    if (!grow(o, (size_t)len * 6 + 2)) return;
    char *w = o->p + o->n;
    *w++ = '"';
    for (int i = 0; i < len; i++) {
        unsigned char c = s[i];
        if (c == '"' || c == '\\') {
            *w++ = '\\';
            *w++ = (char)c;
        } else if (c < 0x20) {
            *w++ = '\\';
            *w++ = 'u';
            *w++ = '0';
            *w++ = '0';
            *w++ = hex[c >> 4];
            *w++ = hex[c & 15];
        } else {
            *w++ = (char)c;
        }
    }
    *w++ = '"';
    o->n = (size_t)(w - o->p);
}

static void put_column(out *o, sqlite3_stmt *st, int i)
{
    switch (sqlite3_column_type(st, i)) {
    case SQLITE_INTEGER:
        put_int(o, sqlite3_column_int64(st, i));
        break;
    case SQLITE_FLOAT:
        put_real(o, sqlite3_column_double(st, i));
        break;
    case SQLITE_NULL:
        PUT(o, "null");
        break;
    default: {
        const unsigned char *t = sqlite3_column_text(st, i);
        put_text(o, t, sqlite3_column_bytes(st, i));
    }
    }
}

static worker *worker_of(hand_server *h)
{
    worker *w = pthread_getspecific(h->key);
    if (w) return w;
    w = calloc(1, sizeof *w);
    if (!w) return NULL;
    /* foreign keys enforced and commits as durable as reflite's development profile makes them
     * (WAL, synchronous=NORMAL): the same work per insert */
    if (sqlite3_open_v2(h->path, &w->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
            SQLITE_OK ||
        sqlite3_exec(w->db, "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL", NULL, NULL,
                     NULL) != SQLITE_OK ||
        sqlite3_prepare_v3(w->db, "SELECT id, title, author_id, price FROM books WHERE id = ?", -1,
                           SQLITE_PREPARE_PERSISTENT, &w->one, NULL) != SQLITE_OK ||
        sqlite3_prepare_v3(w->db,
                           "SELECT b.id, b.title, b.price, a.name FROM books b LEFT JOIN authors "
                           "a ON a.id = b.author_id WHERE b.id > ? ORDER BY b.id LIMIT ?",
                           -1, SQLITE_PREPARE_PERSISTENT, &w->list, NULL) != SQLITE_OK ||
        sqlite3_prepare_v3(w->db, "INSERT INTO books (title, author_id, price) VALUES (?, ?, ?)",
                           -1, SQLITE_PREPARE_PERSISTENT, &w->add, NULL) != SQLITE_OK) {
        fprintf(stderr, "hand-written server: %s\n", sqlite3_errmsg(w->db));
        sqlite3_close_v2(w->db);
        free(w);
        return NULL;
    }
    sqlite3_busy_timeout(w->db, 5000);
    pthread_setspecific(h->key, w);
    pthread_mutex_lock(&h->lock);
    w->next = h->all;
    h->all = w;
    pthread_mutex_unlock(&h->lock);
    return w;
}

/* Queue o's bytes (rows >= 0: a list of that many rows, with its Content-Range). */
static enum MHD_Result answer(struct MHD_Connection *c, unsigned status, out *o, int rows)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(o->n, o->p, MHD_RESPMEM_MUST_FREE);
    if (!r) {
        free(o->p);
        return MHD_NO;
    }
    MHD_add_response_header(r, "Content-Type", "application/json; charset=utf-8");
    if (rows > 0) {
        char range[48];
        snprintf(range, sizeof range, "0-%d/*", rows - 1);
        MHD_add_response_header(r, "Content-Range", range);
    }
    enum MHD_Result ok = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ok;
}

/* The book of the JSON body inserted: 201 without a body, 400 for a body that is not one. */
static enum MHD_Result insert(struct MHD_Connection *c, worker *w, const out *body)
{
    json_t *j = json_loadb(body->p ? body->p : "", body->n, 0, NULL);
    json_t *title = json_object_get(j, "title"), *author = json_object_get(j, "author_id"),
           *price = json_object_get(j, "price");
    unsigned status = 400;
    if (json_is_string(title) && json_is_integer(author) && json_is_number(price)) {
        sqlite3_bind_text(w->add, 1, json_string_value(title), -1, SQLITE_TRANSIENT);
        sqlite3_bind_int64(w->add, 2, json_integer_value(author));
        sqlite3_bind_double(w->add, 3, json_number_value(price));
        status = sqlite3_step(w->add) == SQLITE_DONE ? 201 : 409;
        sqlite3_reset(w->add);
    }
    json_decref(j);
    struct MHD_Response *r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    if (!r) return MHD_NO;
    enum MHD_Result ok = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ok;
}

/* A request's end: its body buffer freed. */
static void completed(void *cls, struct MHD_Connection *c, void **ctx,
                      enum MHD_RequestTerminationCode why)
{
    (void)cls, (void)c, (void)why;
    out *body = *ctx;
    if (body) free(body->p);
    free(body);
    *ctx = NULL;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **ctx)
{
    (void)version;
    hand_server *h = cls;
    if (!*ctx) { /* the head only: answered on the next call, so the connection stays open */
        *ctx = calloc(1, sizeof(out)); /* a POST's body */
        return *ctx ? MHD_YES : MHD_NO;
    }
    out *body = *ctx;
    if (*upload_size) {
        put(body, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    worker *w = worker_of(h);
    out o = {0};
    if (w && strcmp(method, "POST") == 0 && strcmp(url, "/books") == 0) return insert(c, w, body);
    if (!w || strcmp(method, "GET") != 0) return MHD_NO;
    if (strncmp(url, "/books/", 7) == 0) {
        sqlite3_bind_int64(w->one, 1, strtoll(url + 7, NULL, 10));
        unsigned status = 404;
        if (sqlite3_step(w->one) == SQLITE_ROW) {
            PUT(&o, "{\"id\":");
            put_column(&o, w->one, 0);
            PUT(&o, ",\"title\":");
            put_column(&o, w->one, 1);
            PUT(&o, ",\"author_id\":");
            put_column(&o, w->one, 2);
            PUT(&o, ",\"price\":");
            put_column(&o, w->one, 3);
            PUT(&o, "}");
            status = 200;
        }
        sqlite3_reset(w->one);
        return answer(c, status, &o, -1);
    }
    if (strcmp(url, "/books") != 0) return MHD_NO;
    const char *after = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "id");
    const char *limit = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "limit");
    if (!after || strncmp(after, "gt.", 3) != 0) return MHD_NO;
    sqlite3_bind_int64(w->list, 1, strtoll(after + 3, NULL, 10));
    sqlite3_bind_int64(w->list, 2, limit ? strtoll(limit, NULL, 10) : -1);
    PUT(&o, "[");
    int rows = 0;
    while (sqlite3_step(w->list) == SQLITE_ROW) {
        if (rows++) PUT(&o, ",");
        PUT(&o, "{\"id\":");
        put_column(&o, w->list, 0);
        PUT(&o, ",\"title\":");
        put_column(&o, w->list, 1);
        PUT(&o, ",\"price\":");
        put_column(&o, w->list, 2);
        if (sqlite3_column_type(w->list, 3) == SQLITE_NULL) {
            PUT(&o, ",\"authors\":null}");
        } else {
            PUT(&o, ",\"authors\":{\"name\":");
            put_column(&o, w->list, 3);
            PUT(&o, "}}");
        }
    }
    sqlite3_reset(w->list);
    PUT(&o, "]");
    return answer(c, 200, &o, rows);
}

hand_server *hand_start(const char *path, unsigned threads)
{
    hand_server *h = calloc(1, sizeof *h);
    if (!h || !(h->path = strdup(path)) || pthread_key_create(&h->key, NULL) != 0) {
        if (h) free(h->path);
        free(h);
        return NULL;
    }
    pthread_mutex_init(&h->lock, NULL);
    struct sockaddr_in lo = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    h->d = MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC, 0, NULL, NULL, on_request,
                            h, MHD_OPTION_SOCK_ADDR, &lo, MHD_OPTION_THREAD_POOL_SIZE, threads,
                            MHD_OPTION_CONNECTION_TIMEOUT, 30u, MHD_OPTION_NOTIFY_COMPLETED,
                            completed, h, MHD_OPTION_END);
    if (!h->d) {
        hand_stop(h);
        return NULL;
    }
    return h;
}

int hand_port(const hand_server *h)
{
    const union MHD_DaemonInfo *i = MHD_get_daemon_info(h->d, MHD_DAEMON_INFO_BIND_PORT);
    return i ? i->port : 0;
}

void hand_stop(hand_server *h)
{
    if (!h) return;
    if (h->d) MHD_stop_daemon(h->d);
    for (worker *w = h->all, *next; w; w = next) {
        next = w->next;
        sqlite3_finalize(w->one);
        sqlite3_finalize(w->list);
        sqlite3_finalize(w->add);
        sqlite3_close_v2(w->db);
        free(w);
    }
    pthread_key_delete(h->key);
    pthread_mutex_destroy(&h->lock);
    free(h->path);
    free(h);
}

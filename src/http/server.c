/*
 * The server: libmicrohttpd's thread pool over epoll, a pool of connections (one per worker),
 * the request record handlers see, routing, bearer tokens, CORS and the request log.
 *
 * A request arrives in several calls of on_request: the first makes its record (and refuses
 * a body announced too large at once), the next ones append the body, the last answers.  A
 * handler answers through rl_respond*, which only builds the response; on_request adds the
 * CORS headers and queues it.  on_completed logs the request and frees its record.
 *
 * Before any of that, on a request's first call, the door (door.c) answers what no handler
 * should see.  Connections are limited in number, per client address and in how long they
 * may stay silent, so that one client cannot hold the server.
 */
#include "door.h"

#include <arpa/inet.h>
#include <errno.h>
#include <sys/socket.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "server_int.h"

static int fail(rl_server *s, char *errbuf, size_t errlen, const char *fmt, const char *what)
{
    if (s) snprintf(s->err, sizeof s->err, fmt, what);
    if (errbuf && errlen) snprintf(errbuf, errlen, fmt, what);
    return RL_ERROR;
}

/* ---- tokens ------------------------------------------------------------------------------- */

static int tokens_read(rl_server *s, const char *path, char *errbuf, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) return fail(s, errbuf, errlen, "Cannot read the tokens file '%s'.", path);
    char line[1024];
    int code = RL_OK;
    while (code == RL_OK && fgets(line, sizeof line, f)) {
        char scope[16], value[1000];
        if (line[strspn(line, " \t")] == '#' || line[strspn(line, " \t\r\n")] == '\0') continue;
        if (sscanf(line, "%15s %999s", scope, value) != 2 ||
            (strcmp(scope, "read") != 0 && strcmp(scope, "write") != 0)) {
            code = fail(s, errbuf, errlen,
                        "The tokens file '%s' has a line that is not \"read TOKEN\" or \"write "
                        "TOKEN\".",
                        path);
            break;
        }
        token *t = realloc(s->tokens, (s->ntokens + 1) * sizeof *t);
        if (!t || !(value[0] && (t[s->ntokens].value = strdup(value)))) {
            if (t) s->tokens = t;
            code = fail(s, errbuf, errlen, "%s", "Out of memory.");
            break;
        }
        s->tokens = t;
        t[s->ntokens].len = strlen(value);
        t[s->ntokens++].write = strcmp(scope, "write") == 0;
    }
    fclose(f);
    if (code == RL_OK && s->ntokens == 0)
        code = fail(s, errbuf, errlen, "The tokens file '%s' has no token.", path);
    return code;
}

/* Whether a and b are equal, in a time that depends on neither's content. */
static bool same_secret(const char *a, size_t alen, const char *b, size_t blen)
{
    unsigned char diff = alen != blen;
    for (size_t i = 0; i < blen; i++)
        diff |= (unsigned char)(a[i % (alen ? alen : 1)] ^ b[i]);
    return diff == 0 && alen;
}

/* The token the request carries: its record, or NULL (every token compared, always). */
static const token *token_of(rl_server *s, const char *auth)
{
    if (!auth || strncasecmp(auth, "Bearer ", 7) != 0) return NULL;
    const char *given = auth + 7;
    size_t n = strlen(given);
    const token *found = NULL;
    for (size_t i = 0; i < s->ntokens; i++)
        if (same_secret(given, n, s->tokens[i].value, s->tokens[i].len) && !found)
            found = &s->tokens[i];
    return found;
}

/* ---- making and freeing a server ----------------------------------------------------------- */

int rl_server_new(rl_server **out, rl_db *db, const rl_server_options *opts, char *errbuf,
                  size_t errlen)
{
    if (!out || !db) return RL_EINVAL;
    *out = NULL;
    rl_server *s = calloc(1, sizeof *s);
    if (!s) return fail(NULL, errbuf, errlen, "%s", "Out of memory.");
    s->o = opts ? *opts : (rl_server_options){0};
    if (!s->o.threads) s->o.threads = 4;
    if (s->o.threads > 256) s->o.threads = 256;
    if (!s->o.max_body) s->o.max_body = 1 << 20;
    if (!s->o.max_rows) s->o.max_rows = 1000;
    if (!s->o.log) s->o.log = stderr;
    int code = RL_OK;
    if (!s->o.max_connections) s->o.max_connections = 1000;
    if (!s->o.max_per_address) s->o.max_per_address = 200;
    if (!s->o.idle_timeout) s->o.idle_timeout = 15;
    s->host = strdup(s->o.host ? s->o.host : "127.0.0.1");
    if (s->o.cors) s->cors = strdup(s->o.cors);
    s->cors_headers = strdup(s->o.cors_headers ? s->o.cors_headers : RL_CORS_HEADERS);
    s->allow_hosts = strdup(s->o.allow_hosts ? s->o.allow_hosts : "");
    if (s->o.schema) s->schema = strdup(s->o.schema);
    s->blocks = rlh_blocks_new();
    if (!s->host || (s->o.cors && !s->cors) || !s->allow_hosts || !s->cors_headers ||
        (s->o.schema && !s->schema) || !s->blocks)
        code = fail(s, errbuf, errlen, "%s", "Out of memory.");
    for (const char *p = s->cors_headers; code == RL_OK && *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f) /* it becomes a header line */
            code = fail(s, errbuf, errlen, "%s",
                        "The CORS headers hold a control character: name headers only.");
    if (code == RL_OK && s->o.tokens) code = tokens_read(s, s->o.tokens, errbuf, errlen);
    char why[sizeof s->err];
    if (code == RL_OK && rlh_pool_open(&s->pool, db, s->o.threads, why, sizeof why) != RL_OK)
        code = fail(s, errbuf, errlen, "%s", why);
    if (code != RL_OK) {
        rl_server_free(s);
        return code;
    }
    *out = s;
    return RL_OK;
}

void rl_server_free(rl_server *s)
{
    if (!s) return;
    rl_server_stop(s);
    rlh_pool_close(&s->pool);
    for (size_t i = 0; i < s->nroutes; i++) {
        free(s->routes[i].method);
        free(s->routes[i].pattern);
    }
    free(s->routes);
    for (size_t i = 0; i < s->ntokens; i++)
        free(s->tokens[i].value);
    free(s->tokens);
    free(s->host);
    free(s->cors);
    free(s->cors_headers);
    free(s->allow_hosts);
    free(s->schema);
    free(s->rest_prefix);
    rlh_blocks_free(s->blocks);
    free(s);
}

const char *rl_server_errmsg(const rl_server *s)
{
    return s ? s->err : "";
}

/* ---- routes ------------------------------------------------------------------------------- */

/* path's segments as NUL-separated strings in a copy (free it); their count in *n. */
static char *split(const char *path, size_t *n, char *buf, size_t cap)
{
    while (*path == '/')
        path++;
    size_t plen = strlen(path);
    char *c = plen < cap ? memcpy(buf, path, plen + 1) : strdup(path);
    *n = 0;
    if (!c) return NULL;
    size_t len = strlen(c);
    while (len && c[len - 1] == '/')
        c[--len] = '\0';
    if (len) *n = 1;
    for (size_t i = 0; i < len; i++)
        if (c[i] == '/') {
            c[i] = '\0';
            (*n)++;
        }
    return c;
}

int rl_server_route(rl_server *s, const char *method, const char *pattern, rl_route_fn fn,
                    void *ctx)
{
    if (!s || !pattern || !fn) return RL_EINVAL;
    if (s->d) return RL_EMISUSE;
    route *r = realloc(s->routes, (s->nroutes + 1) * sizeof *r);
    if (!r) return RL_ENOMEM;
    s->routes = r;
    r = &s->routes[s->nroutes];
    *r = (route){.fn = fn, .ctx = ctx};
    r->pattern = split(pattern, &r->nsegs, NULL, 0);
    if (method) r->method = strdup(method);
    if (!r->pattern || (method && !r->method)) {
        free(r->pattern);
        free(r->method);
        return RL_ENOMEM;
    }
    s->nroutes++;
    return RL_OK;
}

int rl_server_rest(rl_server *s, const char *prefix)
{
    if (!s) return RL_EINVAL;
    if (s->d) return RL_EMISUSE;
    size_t n;
    char *segs = split(prefix ? prefix : "", &n, NULL, 0);
    if (!segs) return RL_ENOMEM;
    free(s->rest_prefix);
    s->rest_prefix = segs;
    s->rest = true;
    for (size_t i = 0; i + 1 < n; i++) /* back to a path: "api/v1" */
        segs[strlen(segs)] = '/';
    return RL_OK;
}

/* Whether route ro matches path (segments segs, n of them); its parameters into r. */
static bool route_match(const route *ro, const char *method, char *segs, size_t n, rl_request *r)
{
    if (ro->nsegs != n || (ro->method && strcmp(ro->method, method) != 0)) return false;
    const char *p = ro->pattern, *s = segs;
    r->nparams = 0;
    for (size_t i = 0; i < n; i++, p += strlen(p) + 1, s += strlen(s) + 1) {
        size_t len = strlen(p);
        if (len >= 2 && p[0] == '{' && p[len - 1] == '}') {
            if (!*s || r->nparams == RLH_MAX_PARAMS) return false;
            r->param_names[r->nparams] = p + 1; /* "name}": compared up to the brace */
            r->param_values[r->nparams++] = (char *)s;
        } else if (strcmp(p, s) != 0) {
            return false;
        }
    }
    return true;
}

/* ---- answering ---------------------------------------------------------------------------- */

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    (void)kind;
    rl_request *r = cls;
    rlh_arg *a = realloc(r->args, (r->nargs + 1) * sizeof *a);
    if (!a) return MHD_NO;
    r->args = a;
    a[r->nargs++] = (rlh_arg){key, value ? value : ""};
    return MHD_YES;
}

static void dispatch(rl_server *s, rl_request *r)
{
    if (strcmp(r->method, "OPTIONS") == 0 &&
        rlh_allowed_origin(s->cors, r)) { /* a CORS preflight */
        rl_response_header(r, "Access-Control-Allow-Methods",
                           "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
        rl_response_header(r, "Access-Control-Allow-Headers", s->cors_headers);
        rl_response_header(r, "Access-Control-Max-Age", "600");
        rl_respond(r, 204, NULL, NULL, 0);
        return;
    }
    r->write_scope = true;
    if (s->ntokens) {
        const token *t = token_of(s, rl_request_header(r, "Authorization"));
        if (!t) {
            rl_response_header(r, "WWW-Authenticate", "Bearer");
            rl_respond_error(r, 401, "RL_EAUTH", "A valid bearer token is needed.", NULL,
                             "Send the header Authorization: Bearer TOKEN.");
            return;
        }
        r->write_scope = t->write;
        if (rlh_is_write(r->method) && !t->write) {
            rl_respond_error(r, 403, "RL_EFORBIDDEN", "This token may read but not write.", NULL,
                             NULL);
            return;
        }
    }
    size_t n;
    char buf[512];
    char *segs = s->nroutes ? split(r->path, &n, buf, sizeof buf) : buf;
    if (!segs) {
        rl_respond_error(r, 500, "RL_ENOMEM", "Out of memory.", NULL, NULL);
        return;
    }
    for (size_t i = 0; i < s->nroutes; i++) {
        if (!route_match(&s->routes[i], r->method, segs, n, r)) continue;
        if (rlh_is_write(r->method)) rlh_turn_take(r); /* what it writes is its own affair */
        int rc = s->routes[i].fn(r, s->routes[i].ctx);
        if (!r->response)
            rl_respond_error(r, 500, rl_code_name(rc < 0 ? rc : RL_ERROR),
                             "The handler gave no answer.", NULL, NULL);
        if (segs != buf) free(segs);
        return;
    }
    if (segs != buf) free(segs);
    size_t plen = s->rest_prefix ? strlen(s->rest_prefix) : 0;
    const char *p = r->path + strspn(r->path, "/");
    if (s->rest && strncmp(p, s->rest_prefix, plen) == 0 && (p[plen] == '/' || !p[plen] || !plen)) {
        rlh_rest(r, p + plen);
        return;
    }
    char msg[300];
    snprintf(msg, sizeof msg, "No route for %s %.200s.", r->method, r->path);
    rl_respond_error(r, 404, "RL_ENOTFOUND", msg, NULL, NULL);
}

static enum MHD_Result queue(rl_server *s, rlh_req *q)
{
    rl_request *r = &q->r;
    if (!r->response) rl_respond_error(r, 500, "RL_ENOMEM", "Out of memory.", NULL, NULL);
    if (!r->response) return MHD_NO;
    const char *origin = rlh_allowed_origin(s->cors, r);
    if (origin) {
        MHD_add_response_header(r->response, "Access-Control-Allow-Origin", origin);
        MHD_add_response_header(r->response, "Access-Control-Expose-Headers",
                                "Content-Range, Link, Location, Reflite-Position");
        MHD_add_response_header(r->response, "Vary", "Origin");
    }
    enum MHD_Result ok = MHD_queue_response(r->conn, (unsigned)r->status, r->response);
    MHD_destroy_response(r->response);
    r->response = NULL;
    return ok;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **con_cls)
{
    (void)version;
    rl_server *s = cls;
    rlh_req *q = *con_cls;
    if (!q) {
        if (!(q = rlh_zalloc(sizeof *q))) return MHD_NO;
        clock_gettime(CLOCK_MONOTONIC, &q->start);
        q->r = (rl_request){.server = s, .conn = c, .method = method, .path = url};
        *con_cls = q;
        atomic_fetch_add(&s->inflight, 1);
        if (atomic_load(&s->stopping)) {
            rl_response_header(&q->r, "Connection", "close");
            rl_response_header(&q->r, "Retry-After", "1");
            rl_respond_error(&q->r, 503, "RL_EBUSY", "The server is stopping.", NULL,
                             "Try again when it is back.");
            return queue(s, q);
        }
        if (rlh_door_refuses(&s->door, &q->r, rlh_conn_of(c))) return queue(s, q);
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        if (cl && strtoull(cl, NULL, 10) > s->o.max_body) {
            q->too_large = true; /* answered at once: the body is not read */
            goto too_large;
        }
        return MHD_YES;
    }
    if (*upload_size) {
        if (q->body.len + *upload_size > s->o.max_body)
            q->too_large = true;
        else if (!q->too_large)
            rlh_add(&q->body, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    if (q->r.status) return MHD_YES; /* answered already */
    if (q->too_large) goto too_large;
    if (MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect_arg, &q->r) < 0 || q->body.oom)
        return MHD_NO;
    q->r.body = q->body.data;
    q->r.body_len = q->body.len;
    dispatch(s, &q->r);
    if (q->r.stale && q->r.slot && rlh_pool_refresh(&s->pool, q->r.slot, true) == 1) {
        /* it named what the tables did not have, and the schema changed since they were
         * read: answered anew, with the tables as they are now */
        if (q->r.response) MHD_destroy_response(q->r.response);
        q->r.response = NULL;
        q->r.status = 0;
        q->r.stale = false;
        rlh_free(&q->r.extra);
        dispatch(s, &q->r);
    }
    if (q->r.slot) {
        char at[32];
        if (rlh_is_write(q->r.method) && q->r.response && q->r.status < 400 &&
            rl_db_position(q->r.slot->db, at, sizeof at) == RL_OK && at[0])
            MHD_add_response_header(q->r.response, "Reflite-Position", at);
        rlh_pool_give(&s->pool, q->r.slot);
        q->r.slot = NULL;
    }
    rlh_turn_give(&q->r);
    return queue(s, q);
too_large : {
    char msg[160];
    snprintf(msg, sizeof msg, "The request body is larger than %zu bytes.", s->o.max_body);
    rl_respond_error(&q->r, 413, "RL_ETOOLARGE", msg, NULL, NULL);
    return queue(s, q);
}
}

/* s (up to max bytes) into b for one line of the log: bytes other than printable ASCII
 * (line breaks that would forge a line, the rest) as %XX, and so are % & = (the query's own). */
static void log_text(rlh_buf *b, const char *s, size_t max)
{
    for (size_t i = 0; s[i] && i < max; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch > 0x20 && ch < 0x7f && !strchr("%&=\"", ch))
            rlh_add(b, s + i, 1);
        else
            rlh_addf(b, "%%%02X", ch);
    }
}

/* Whether the query argument key may carry a secret: its value is not logged. */
static bool secret_arg(const char *key)
{
    static const char *const names[] = {"access_token", "token",    "apikey", "api_key",
                                        "jwt",          "password", "secret", "key"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcasecmp(key, names[i]) == 0) return true;
    return false;
}

/* The request's log line: method, path, query string (secrets left out), status, time. */
static void log_request(rl_server *s, rlh_req *q, enum MHD_RequestTerminationCode why)
{
    struct timespec end;
    clock_gettime(CLOCK_MONOTONIC, &end);
    rlh_buf b = {0};
    rlh_adds(&b, q->r.method ? q->r.method : "?");
    rlh_add(&b, " ", 1);
    log_text(&b, q->r.path ? q->r.path : "", 300);
    for (size_t i = 0; i < q->r.nargs && i < 50; i++) {
        rlh_add(&b, i ? "&" : "?", 1);
        log_text(&b, q->r.args[i].key, 100);
        rlh_add(&b, "=", 1);
        if (secret_arg(q->r.args[i].key))
            rlh_adds(&b, "(secret)");
        else
            log_text(&b, q->r.args[i].value, 200);
    }
    if (q->r.nargs > 50) rlh_adds(&b, "&...");
    if (!b.oom)
        fprintf(s->o.log, "%s %d %.1fms%s\n", b.data, q->r.status, rlh_ms_between(&q->start, &end),
                why == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (connection closed)");
    rlh_free(&b);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode why)
{
    rl_server *s = cls;
    rlh_req *q = *con_cls;
    rlh_conn *cc = rlh_conn_of(c);
    if (cc) cc->nul = cc->long_query = false; /* the next request on the connection starts clean */
    if (!q) return;
    if (!s->o.quiet) log_request(s, q, why);
    if (q->r.response) MHD_destroy_response(q->r.response);
    rlh_free(&q->body);
    rlh_free(&q->r.extra);
    free(q->r.args);
    free(q);
    *con_cls = NULL;
    atomic_fetch_sub(&s->inflight, 1);
}

/* ---- starting and stopping ----------------------------------------------------------------- */

int rl_server_start(rl_server *s)
{
    if (!s) return RL_EINVAL;
    if (s->d) return RL_EMISUSE;
    struct sockaddr_in in4 = {.sin_family = AF_INET, .sin_port = htons((uint16_t)s->o.port)};
    struct sockaddr_in6 in6 = {.sin6_family = AF_INET6, .sin6_port = htons((uint16_t)s->o.port)};
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC;
    const struct sockaddr *addr = (const struct sockaddr *)&in4;
    if (s->o.port < 0 || s->o.port > 65535)
        return fail(s, NULL, 0, "The port %s is not between 0 and 65535.", "given");
    if (inet_pton(AF_INET6, s->host, &in6.sin6_addr) == 1) {
        addr = (const struct sockaddr *)&in6;
        flags |= MHD_USE_IPv6;
    } else if (inet_pton(AF_INET, s->host, &in4.sin_addr) != 1) {
        return fail(s, NULL, 0, "The host '%s' is not an IPv4 or IPv6 address.", s->host);
    }
    /* the socket is bound here: its port is known before the first request can arrive */
    int fd = socket(addr->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0), on = 1;
    socklen_t alen = addr == (const struct sockaddr *)&in6 ? sizeof in6 : sizeof in4;
    struct sockaddr_storage bound;
    socklen_t blen = sizeof bound;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0 ||
        bind(fd, addr, alen) != 0 || listen(fd, 128) != 0 ||
        getsockname(fd, (struct sockaddr *)&bound, &blen) != 0) {
        snprintf(s->err, sizeof s->err, "Cannot listen on %s port %d: %s.", s->host, s->o.port,
                 strerror(errno));
        if (fd >= 0) close(fd);
        return RL_ERROR;
    }
    s->port = ntohs(bound.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&bound)->sin6_port
                                                : ((struct sockaddr_in *)&bound)->sin_port);
    s->door = (rlh_door){
        .host = s->host, .allow_hosts = s->allow_hosts, .cors = s->cors, .port = s->port};
    s->d = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, s, MHD_OPTION_LISTEN_SOCKET, fd,
        MHD_OPTION_THREAD_POOL_SIZE, s->o.threads, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
        MHD_OPTION_NOTIFY_CONNECTION, rlh_on_connection, s, MHD_OPTION_UNESCAPE_CALLBACK,
        rlh_unescape, s, MHD_OPTION_URI_LOG_CALLBACK, rlh_uri_seen, s,
        MHD_OPTION_CONNECTION_TIMEOUT, s->o.idle_timeout, MHD_OPTION_CONNECTION_LIMIT,
        s->o.max_connections, MHD_OPTION_PER_IP_CONNECTION_LIMIT, s->o.max_per_address,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)RLH_MEMORY, MHD_OPTION_END);
    if (!s->d) {
        close(fd);
        s->port = 0;
        return fail(s, NULL, 0, "Cannot start the HTTP server on %s.", s->host);
    }
    if (rlh_pool_watch_start(&s->pool, s->o.statement_timeout) != RL_OK) {
        MHD_stop_daemon(s->d);
        s->d = NULL;
        s->port = 0;
        return fail(s, NULL, 0, "%s", "Cannot start the statement watchdog.");
    }
    s->err[0] = '\0';
    return RL_OK;
}

int rl_server_reload(rl_server *s)
{
    if (!s) return RL_EINVAL;
    atomic_fetch_add(&s->pool.generation, 1);
    return RL_OK;
}

int rl_server_port(const rl_server *s)
{
    return s && s->d ? s->port : 0;
}

int rl_server_stop(rl_server *s)
{
    if (!s) return RL_EINVAL;
    if (!s->d) return RL_OK;
    /* The requests in flight finish; those that arrive meanwhile are answered 503. (Not
     * MHD_quiesce_daemon: with epoll threads, libmicrohttpd 0.9.75 races itself removing the
     * listening socket and can abort the process.) MHD_stop_daemon closes the socket. */
    atomic_store(&s->stopping, true);
    struct timespec tick = {0, 5 * 1000 * 1000};
    for (int i = 0; i < 2000 && atomic_load(&s->inflight) > 0; i++) /* 10 s at most */
        nanosleep(&tick, NULL);
    MHD_stop_daemon(s->d);
    atomic_store(&s->stopping, false);
    rlh_pool_watch_stop(&s->pool);
    s->d = NULL;
    s->port = 0;
    return RL_OK;
}

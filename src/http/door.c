/*
 * The door: what the server answers before a handler sees a request, on its first call, before
 * any body is read or any connection of the pool is taken.
 *
 *   - a NUL byte in the path, a query key or value (a %00, noted while decoding them) or a
 *     header: 400 (a C string would end there, and the rest of the text be silently lost);
 *   - framing that two parsers could read two ways (RFC 9112, 6.3): Content-Length with
 *     Transfer-Encoding, two Transfer-Encodings, one written unusually ("\tchunked", a space
 *     before the colon): 400, and the connection closed after, so that what may be a request
 *     hidden in the body is never read as one; a coding other than chunked: 501;
 *   - more headers or query arguments than a request has any use for: 431 and 414, in JSON
 *     (beyond RLH_MEMORY the HTTP layer cannot hold the request and answers on its own);
 *   - a Host that is not a name the server answers as: 421 (DNS rebinding: a page of another
 *     site reaches a server on localhost through a name of its own);
 *   - a write (any method but GET, HEAD, OPTIONS) sent by a web page of an origin that is
 *     neither the server's own nor one of its CORS origins: 403.
 */
#include "door.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
/* The request line and headers a request may have: beyond them, 414 and 431 in JSON from the
 * door; beyond RLH_MEMORY (the per-connection memory of the HTTP layer, which must hold them),
 * the HTTP layer's own plain answers. */
enum { MAX_ARGS = 400, MAX_URL_BYTES = 24 * 1024, MAX_HEADER_BYTES = 16 * 1024 };

bool rlh_is_write(const char *method)
{
    return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 &&
           strcmp(method, "OPTIONS") != 0;
}

/* The origin of the request when the server lets it call, else NULL. */
const char *rlh_allowed_origin(const char *cors, rl_request *r)
{
    const char *origin = rl_request_header(r, "Origin");
    if (!cors || !origin) return NULL;
    size_t n = strlen(origin);
    for (const char *p = cors; *p;) {
        size_t len = strcspn(p, ",");
        while (len && p[len - 1] == ' ')
            len--;
        if ((len == 1 && p[0] == '*') || (len == n && strncmp(p, origin, n) == 0)) return origin;
        p += strcspn(p, ",");
        p += strspn(p, ", ");
    }
    return NULL;
}

/* Whether the len bytes at a name, ignoring case, the NUL-terminated b. */
static bool same_name(const char *a, size_t len, const char *b)
{
    return strlen(b) == len && strncasecmp(a, b, len) == 0;
}

/* Whether name (len bytes) is in list, comma-separated with optional spaces. */
static bool in_list(const char *list, const char *name, size_t len)
{
    for (const char *p = list; p && *p;) {
        p += strspn(p, ", ");
        size_t n = strcspn(p, ",");
        while (n && p[n - 1] == ' ')
            n--;
        if (n && n == len && strncasecmp(p, name, n) == 0) return true;
        p += strcspn(p, ",");
    }
    return false;
}

/* Whether host[:port] (a Host header, or the host part of an Origin) is a name the server
 * answers as: localhost, the address it listens on (any address when it listens on all), or
 * a name of --allow-host.  A web page of another site reaches a local server only through a
 * name of its own that resolves to it (DNS rebinding): that name is not one of these. */
static bool host_ok(const rlh_door *d, const char *host, size_t len)
{
    const char *name = host;
    size_t n = len;
    if (len && host[0] == '[') { /* [v6]:port */
        const char *close = memchr(host, ']', len);
        if (!close) return false;
        name = host + 1;
        n = (size_t)(close - name);
        const char *rest = close + 1;
        if (rest < host + len && (*rest != ':' || !rest[1])) return false;
    } else {
        const char *colon = memchr(host, ':', len);
        if (colon) n = (size_t)(colon - host);
    }
    if (n && name[n - 1] == '.') n--; /* "localhost." */
    if (n == 0 || n > 255) return false;
    char text[256];
    memcpy(text, name, n);
    text[n] = '\0';
    if (same_name(name, n, "localhost") || same_name(name, n, d->host)) return true;
    if (in_list(d->allow_hosts, name, n)) return true;
    struct in6_addr a6;
    bool wildcard = !strcmp(d->host, "0.0.0.0") || !strcmp(d->host, "::");
    return wildcard && (inet_pton(AF_INET, text, &a6) == 1 || inet_pton(AF_INET6, text, &a6) == 1);
}

/* Whether a write's Origin (a browser says where the page that sends it comes from) may
 * write: none (not a browser), the server's own, or one of the CORS origins. */
static bool origin_ok(const rlh_door *d, rl_request *r, const char *origin)
{
    if (!origin || rlh_allowed_origin(d->cors, r)) return true;
    if (strncmp(origin, "http://", 7) != 0) return false; /* "null", other schemes */
    const char *host = origin + 7;
    size_t len = strlen(host);
    const char *port = host + len;
    while (port > host && port[-1] >= '0' && port[-1] <= '9')
        port--;
    long p = port > host && port[-1] == ':' ? strtol(port, NULL, 10) : 80;
    return p == d->port && host_ok(d, host, len);
}

typedef struct framing {
    int te, cl;        /* Transfer-Encoding and Content-Length headers */
    bool te_chunked;   /* the one Transfer-Encoding is exactly "chunked" */
    bool te_disguised; /* ... is "chunked" written another way ("\tchunked", "Chunked ") */
    bool spaced_name;  /* a header name with white space in it ("Transfer-Encoding :") */
    bool nul;          /* a header with a NUL byte in its name or value */
    size_t bytes;      /* of every header's name and value */
    const char *end;   /* where the last header's value ends */
} framing;

/*
 * A raw NUL byte in a header line. libmicrohttpd 0.9.75 reads a header line as a C string: a
 * name or value ends at the first NUL and the rest of the line is dropped in silence (a line
 * whose name has one has no colon left and is dropped whole). It keeps names and values where
 * they arrived, in its read buffer, each line end overwritten with NULs: so after a value
 * (value + size, its terminator) come only the one or two NULs of its line end (LF or CRLF),
 * then the next header's name; after the last value the line end and the empty line, at least
 * two NULs. Anything else between them is what the NUL cut off, or a line folded into the one
 * before (obsolete since RFC 7230, which a server may refuse). Later releases refuse both
 * themselves.
 */
#if MHD_VERSION < 0x00097600
static bool cut_between(const char *end, const char *next_key)
{
    uintptr_t from = (uintptr_t)end, to = (uintptr_t)next_key;
    if (to <= from || to - from > 2) return true;
    return end[to - from - 1] != '\0';
}
static bool cut_after_last(const char *end)
{
    return end[1] != '\0';
}
/* The request line is kept the same way, undecoded when this is asked: the target, a NUL where
 * the space was, the version; a NUL in the target leaves the rest of it between them. */
static bool cut_target(const char *uri)
{
    return strncmp(uri + strlen(uri) + 1, "HTTP/", 5) != 0;
}
#else
static bool cut_between(const char *end, const char *next_key)
{
    (void)end;
    (void)next_key;
    return false;
}
static bool cut_after_last(const char *end)
{
    (void)end;
    return false;
}
static bool cut_target(const char *uri)
{
    (void)uri;
    return false;
}
#endif

static enum MHD_Result frame_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                    size_t key_size, const char *value, size_t value_size)
{
    (void)kind;
    framing *f = cls;
    f->bytes += key_size + value_size;
    if (strlen(key) != key_size || (value && strlen(value) != value_size)) f->nul = true;
    if (f->end && cut_between(f->end, key)) f->nul = true;
    f->end = value ? value + value_size : NULL;
    if (strcspn(key, " \t") != key_size) f->spaced_name = true;
    if (strcasecmp(key, "Content-Length") == 0) f->cl++;
    if (strcasecmp(key, "Transfer-Encoding") != 0) return MHD_YES;
    f->te++;
    const char *v = value ? value : "";
    size_t lead = strspn(v, " \t"), n = strlen(v + lead);
    while (n && (v[lead + n - 1] == ' ' || v[lead + n - 1] == '\t'))
        n--;
    f->te_chunked = strcmp(v, "chunked") == 0;
    f->te_disguised = !f->te_chunked && n == 7 && strncasecmp(v + lead, "chunked", 7) == 0;
    return MHD_YES;
}

static enum MHD_Result count_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                 const char *value)
{
    (void)kind;
    (void)key;
    (void)value;
    ++*(size_t *)cls;
    return MHD_YES;
}

/* Answer r with an error and close its connection after (nothing after it on the connection
 * is read: it could be a request hidden in a body). */
static void refuse_and_close(rl_request *r, int status, const char *code, const char *msg,
                             const char *hint)
{
    rl_response_header(r, "Connection", "close");
    rl_respond_error(r, status, code, msg, NULL, hint);
}

/* The checks of a request's first call; true when they answered it. */
bool rlh_door_refuses(const rlh_door *d, rl_request *r, const rlh_conn *cc)
{
    struct MHD_Connection *c = r->conn;
    framing f = {0};
    MHD_get_connection_values_n(c, MHD_HEADER_KIND, frame_header, &f);
    if (f.end && cut_after_last(f.end)) f.nul = true;
    if (f.te && (f.cl || f.te > 1 || f.te_disguised || f.spaced_name)) {
        refuse_and_close(r, 400, "RL_EFRAMING",
                         "The request's length is ambiguous: Transfer-Encoding with "
                         "Content-Length, more than one Transfer-Encoding, or one written "
                         "unusually.",
                         "Send Content-Length alone, or Transfer-Encoding: chunked alone.");
        return true;
    }
    if (f.spaced_name) {
        refuse_and_close(r, 400, "RL_EFRAMING", "A header's name has white space in it.", NULL);
        return true;
    }
    if (f.te && !f.te_chunked) {
        refuse_and_close(r, 501, "RL_EFRAMING",
                         "The request's Transfer-Encoding is not implemented: only chunked is.",
                         NULL);
        return true;
    }
    size_t args = 0; /* a %00 in them was noted while decoding them (cc->nul) */
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, count_arg, &args);
    if (f.nul || (cc && cc->nul)) {
        refuse_and_close(
            r, 400, "RL_EINVAL",
            "The request has a NUL byte (%00) in its path, query or headers, or a header folded "
            "over two lines.",
            NULL);
        return true;
    }
    if (f.bytes > MAX_HEADER_BYTES) {
        char msg[160];
        snprintf(msg, sizeof msg, "The request's headers have more than %d bytes.",
                 MAX_HEADER_BYTES);
        refuse_and_close(r, 431, "RL_ETOOLARGE", msg, NULL);
        return true;
    }
    if ((cc && cc->long_query) || args > MAX_ARGS || strlen(r->path) > MAX_URL_BYTES) {
        char msg[160];
        snprintf(msg, sizeof msg,
                 "The request's path or query string is too long (at most %d arguments, "
                 "%d bytes).",
                 MAX_ARGS, MAX_URL_BYTES);
        refuse_and_close(r, 414, "RL_ETOOLARGE", msg, "Ask for less in one request.");
        return true;
    }
    const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
    size_t host_len = host ? strlen(host) : 0;
    while (host_len && (host[host_len - 1] == ' ' || host[host_len - 1] == '\t'))
        host_len--; /* white space around a value is not part of it (RFC 9110, 5.5) */
    if (host && !host_ok(d, host, host_len)) {
        char msg[400];
        snprintf(msg, sizeof msg, "This server does not answer as '%.200s'.", host);
        rl_respond_error(r, 421, "RL_EHOST", msg, NULL,
                         "Use localhost or the address it listens on, or start it with "
                         "--allow-host NAME.");
        return true;
    }
    if (rlh_is_write(r->method) && !origin_ok(d, r, rl_request_header(r, "Origin"))) {
        rl_respond_error(r, 403, "RL_EORIGIN", "A web page of another origin may not write here.",
                         NULL, "Allow its origin with --cors ORIGIN.");
        return true;
    }
    return false;
}

/* libmicrohttpd's socket context: one per client connection. */
void rlh_on_connection(void *cls, struct MHD_Connection *c, void **ctx,
                       enum MHD_ConnectionNotificationCode what)
{
    (void)cls;
    (void)c;
    if (what == MHD_CONNECTION_NOTIFY_STARTED) {
        *ctx = calloc(1, sizeof(rlh_conn)); /* NULL: the NUL check of the path is skipped */
    } else {
        free(*ctx);
        *ctx = NULL;
    }
}

rlh_conn *rlh_conn_of(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *i =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return i ? i->socket_context : NULL;
}

void *rlh_uri_seen(void *cls, const char *uri, struct MHD_Connection *c)
{
    (void)cls;
    rlh_conn *cc = rlh_conn_of(c);
    if (cc && cut_target(uri)) cc->nul = true;
    const char *q = strchr(uri, '?');
    if (!q) return NULL;
    size_t n = 1;
    for (const char *p = q + 1; *p; p++)
        n += *p == '&';
    if (n <= MAX_ARGS && strlen(uri) <= MAX_URL_BYTES) return NULL;
    if (!cc) return NULL;
    cc->long_query = true;
    /* the query is split after this call, from the byte after '?': it becomes empty (the
     * text is the HTTP layer's own buffer of the request line) */
    ((char *)q)[1] = '\0';
    return NULL;
}

/* Percent-decoding of the path and the query's keys and values, in place, noting a %00 on
 * the connection (the decoded text ends there for whoever reads it as a C string). */
size_t rlh_unescape(void *cls, struct MHD_Connection *c, char *s)
{
    (void)cls;
    char *w = s;
    bool nul = false;
    for (const char *p = s; *p; p++) {
        int hi, lo;
        if (*p == '%' && (hi = rlh_hex_value(p[1])) >= 0 && (lo = rlh_hex_value(p[2])) >= 0) {
            *w = (char)(hi * 16 + lo);
            nul |= *w == '\0';
            w++;
            p += 2;
        } else {
            *w++ = *p;
        }
    }
    *w = '\0';
    rlh_conn *cc = nul ? rlh_conn_of(c) : NULL;
    if (cc) cc->nul = true;
    return (size_t)(w - s);
}

/*
 * Raw bytes on a socket: the input is sent as it is (request line, headers, body, what follows
 * them) on a new connection to the server of fuzz_http.h, and the client's side is then shut
 * for writing.  Invariants: whatever comes back starts as an HTTP/1.x status line; no answer on
 * the connection is a 500; an answer reflite wrote (application/json) has a JSON body; and the
 * server still answers a plain GET afterwards.  The seeds reach the door's refusals:
 * smuggling, NUL bytes, foreign hosts and origins, oversized requests.
 */
#include "fuzz_http.h"

#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

/* Everything the server sends on fd until it closes it,, or half a second of silence. */
static fuzz_buf read_answer(int fd)
{
    fuzz_buf b = {0};
    char chunk[16384];
    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 500) <= 0) break;
        ssize_t n = recv(fd, chunk, sizeof chunk, 0);
        if (n <= 0) break;
        fuzz_keep(chunk, 1, (size_t)n, &b);
    }
    return b;
}

/* The first answer of a (NUL-terminated) reply: its body is JSON when reflite wrote it. */
static void check_first_answer(const char *a, size_t len)
{
    const char *end = strstr(a, "\r\n\r\n");
    if (!end || !strstr(a, "Content-Type: application/json")) return;
    const char *cl = strstr(a, "Content-Length: ");
    if (!cl || cl > end) return;
    size_t n = strtoul(cl + 16, NULL, 10), at = (size_t)(end + 4 - a);
    if (n == 0 || at + n > len) return; /* no body, or cut short by the connection's end */
    json_error_t e;
    json_t *j = json_loadb(a + at, n, JSON_DECODE_ANY, &e);
    FUZZ_ASSERT(j != NULL, "an answer is not JSON (%s): %.300s", e.text, a);
    json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_server *fs = fuzz_server_get();
    if (size > 300000) return 0;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in to = {.sin_family = AF_INET,
                             .sin_port = htons((uint16_t)rl_server_port(fs->s))};
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    FUZZ_ASSERT(fd >= 0 && connect(fd, (struct sockaddr *)&to, sizeof to) == 0, "%s",
                "cannot connect to the server");
    for (size_t sent = 0; sent < size;) {
        ssize_t n = send(fd, data + sent, size - sent, MSG_NOSIGNAL);
        if (n <= 0) break; /* the server closed it: what it said is read below */
        sent += (size_t)n;
    }
    shutdown(fd, SHUT_WR);
    fuzz_buf b = read_answer(fd);
    close(fd);
    if (b.len) {
        FUZZ_ASSERT(strncmp(b.data, "HTTP/1.", 7) == 0, "not an HTTP answer: %.200s", b.data);
        FUZZ_ASSERT(!strstr(b.data, "HTTP/1.1 500") && !strstr(b.data, "HTTP/1.0 500"),
                    "a 500: %.500s", b.data);
        check_first_answer(b.data, b.len);
    }
    free(b.data);
    /* the server is still there for everyone else */
    FUZZ_ASSERT(fuzz_call(fs, "GET", "/authors?limit=1", NULL, 0, NULL) == 200, "%s",
                "the server no longer answers");
    return 0;
}

/*
 * Shared by the HTTP harnesses: a real server (libreflite-http's generic API over a private
 * database with related tables) started once on 127.0.0.1 on a free port, and one libcurl
 * handle kept alive to it.  Each input becomes requests; the invariants are those of every
 * answer: a status the API can give for a client's mistake or success (never 500), and a
 * body that is valid JSON (or empty).
 */
#ifndef REFLITE_FUZZ_HTTP_H
#define REFLITE_FUZZ_HTTP_H

#include "fuzz.h"

#include <reflite/http.h>

#include <curl/curl.h>
#include <jansson.h>

typedef struct fuzz_buf {
    char *data;
    size_t len;
} fuzz_buf;

typedef struct fuzz_server {
    rl_db *db;
    rl_server *s;
    CURL *c;
    char base[64];
} fuzz_server;

static inline size_t fuzz_keep(char *d, size_t size, size_t n, void *ctx)
{
    fuzz_buf *b = ctx;
    size_t add = size * n;
    char *g = realloc(b->data, b->len + add + 1);
    if (!g) abort();
    memcpy(g + b->len, d, add);
    b->data = g;
    b->len += add;
    g[b->len] = '\0';
    return add;
}

static inline fuzz_server *fuzz_server_get(void)
{
    static fuzz_server fs; /* one server for the whole run */
    if (fs.s) return &fs;
    fs.db = fuzz_db();
    const char *schema =
        "CREATE TABLE authors (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, born INTEGER);"
        "CREATE TABLE books (id INTEGER PRIMARY KEY, title TEXT NOT NULL, author_id INTEGER "
        "REFERENCES authors (id) ON DELETE CASCADE, price REAL CHECK (price >= 0), in_print "
        "BOOLEAN, cover BLOB);"
        "CREATE TABLE tags (id INTEGER PRIMARY KEY, label TEXT NOT NULL UNIQUE);"
        "CREATE TABLE book_tags (id INTEGER PRIMARY KEY, book_id INTEGER NOT NULL REFERENCES "
        "books (id) ON DELETE CASCADE, tag_id INTEGER NOT NULL REFERENCES tags (id) ON DELETE "
        "CASCADE, UNIQUE (book_id, tag_id));"
        "INSERT INTO authors (name, born) VALUES ('Le Guin', 1929), ('Tolkien', 1892);"
        "INSERT INTO books (title, author_id, price, in_print) VALUES ('Earthsea', 1, 9.5, 1), "
        "('Hobbit', 2, NULL, 0);"
        "INSERT INTO tags (label) VALUES ('fantasy'), ('sf');"
        "INSERT INTO book_tags (book_id, tag_id) VALUES (1, 1), (2, 1), (1, 2);"
        /* full-text search on books.title (fts, plfts, phfts, wfts) */
        "CREATE VIRTUAL TABLE books_fts USING fts5(title, content='books', content_rowid='id');"
        "INSERT INTO books_fts (books_fts) VALUES ('rebuild');";
    if (rl_exec(fs.db, schema, NULL, 0, NULL) != RL_OK) abort();
    rl_server_options o = {.threads = 1, .quiet = true, .max_body = 65536, .max_rows = 50};
    char err[256];
    if (rl_server_new(&fs.s, fs.db, &o, err, sizeof err) != RL_OK) abort();
    if (rl_server_rest(fs.s, "") != RL_OK || rl_server_start(fs.s) != RL_OK) abort();
    snprintf(fs.base, sizeof fs.base, "http://127.0.0.1:%d", rl_server_port(fs.s));
    curl_global_init(CURL_GLOBAL_DEFAULT);
    fs.c = curl_easy_init();
    if (!fs.c) abort();
    return &fs;
}

/* bytes as URL text: unreserved and the API's punctuation as they are, the rest %XX. */
static inline void fuzz_url_encode(const uint8_t *p, size_t n, char *out, size_t cap)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    for (size_t i = 0; i < n && o + 4 < cap; i++) {
        if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~=&,().*:!",
                   p[i]) &&
            p[i]) {
            out[o++] = (char)p[i];
        } else {
            out[o++] = '%';
            out[o++] = hex[p[i] >> 4];
            out[o++] = hex[p[i] & 15];
        }
    }
    out[o] = '\0';
}

/* method path?query with body (may be NULL); checks the invariants; returns the status. */
static inline long fuzz_call(fuzz_server *fs, const char *method, const char *target,
                             const char *body, size_t len, const char *prefer)
{
    char url[16384];
    snprintf(url, sizeof url, "%s%s", fs->base, target);
    fuzz_buf b = {0};
    struct curl_slist *h = curl_slist_append(NULL, "Expect:");
    if (body) h = curl_slist_append(h, "Content-Type: application/json");
    if (prefer) h = curl_slist_append(h, prefer);
    curl_easy_reset(fs->c);
    curl_easy_setopt(fs->c, CURLOPT_URL, url);
    curl_easy_setopt(fs->c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(fs->c, CURLOPT_HTTPHEADER, h);
    if (body) {
        curl_easy_setopt(fs->c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(fs->c, CURLOPT_POSTFIELDSIZE, (long)len);
    }
    curl_easy_setopt(fs->c, CURLOPT_WRITEFUNCTION, fuzz_keep);
    curl_easy_setopt(fs->c, CURLOPT_WRITEDATA, &b);
    CURLcode rc = curl_easy_perform(fs->c);
    long status = 0;
    curl_easy_getinfo(fs->c, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(h);
    FUZZ_ASSERT(rc == CURLE_OK, "%s %s: %s", method, target, curl_easy_strerror(rc));
    FUZZ_ASSERT(status != 500 && status >= 200 && status < 500, "%s %s: %ld %s", method, target,
                status, b.data ? b.data : "");
    if (b.len) {
        json_error_t e;
        json_t *j = json_loadb(b.data, b.len, JSON_DECODE_ANY, &e);
        FUZZ_ASSERT(j != NULL, "%s %s: %ld, not JSON (%s): %s", method, target, status, e.text,
                    b.data);
        json_decref(j);
    }
    free(b.data);
    return status;
}

#endif

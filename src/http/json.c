/*
 * A growable buffer and the JSON the server writes: rows go from the statement into the
 * buffer value by value, without a document tree in between.
 */
#include "http_int.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <errno.h>

static bool grow(rlh_buf *b, size_t more)
{
    if (b->oom) return false;
    if (b->len + more + 1 <= b->cap) return true;
    size_t cap = b->cap ? b->cap : 1024;
    while (cap < b->len + more + 1) {
        if (cap > SIZE_MAX / 2) {
            b->oom = true;
            return false;
        }
        cap *= 2;
    }
    char *d = realloc(b->data, cap);
    if (!d) {
        b->oom = true;
        return false;
    }
    b->data = d;
    b->cap = cap;
    return true;
}

void rlh_add_grow(rlh_buf *b, const char *s, size_t n)
{
    if (!grow(b, n)) return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void rlh_adds(rlh_buf *b, const char *s)
{
    rlh_add(b, s, strlen(s));
}

void rlh_addf(rlh_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char small[128];
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->oom = true;
        return;
    }
    if ((size_t)n < sizeof small) {
        rlh_add(b, small, (size_t)n);
        return;
    }
    if (!grow(b, (size_t)n)) return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void rlh_free(rlh_buf *b)
{
    free(b->data);
    *b = (rlh_buf){0};
}

/* The length of the UTF-8 sequence at s (n bytes left), or 0 when it is not a valid one. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    size_t len = s[0] >= 0xf0 ? 4 : s[0] >= 0xe0 ? 3 : 2;
    if (s[0] < 0xc2 || s[0] > 0xf4 || len > n) return 0;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xc0) != 0x80) return 0;
    if (len == 3 && ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0))) return 0;
    if (len == 4 && ((s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90))) return 0;
    return len;
}

/* Whether s[0..n) is written in JSON as it is (printable ASCII but quote and backslash). */
static bool plain_ascii(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] < 0x20 || s[i] >= 0x80 || s[i] == '"' || s[i] == '\\') return false;
    return true;
}

/* s[0..n) in quotes, then tail (tn bytes), in one copy: s is plain_ascii. */
static void quoted_plain(rlh_buf *b, const char *s, size_t n, const char *tail, size_t tn)
{
    if (!grow(b, n + 2 + tn)) return;
    char *d = b->data + b->len;
    d[0] = '"';
    memcpy(d + 1, s, n);
    d[n + 1] = '"';
    memcpy(d + n + 2, tail, tn);
    b->len += n + 2 + tn;
    b->data[b->len] = '\0';
}

void rlh_json_str(rlh_buf *b, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    if (plain_ascii(s, n)) {
        quoted_plain(b, str, n, "", 0);
        return;
    }
    rlh_add(b, "\"", 1);
    size_t run = 0; /* bytes copied as they are, written in one go */
    for (size_t i = 0; i < n;) {
        unsigned char c = s[i];
        size_t len = c < 0x80 ? 1 : utf8_len(s + i, n - i);
        if (len && c >= 0x20 && c != '"' && c != '\\') {
            i += len;
            run += len;
            continue;
        }
        rlh_add(b, (const char *)s + i - run, run);
        run = 0;
        if (!len) {
            rlh_adds(b, "\\ufffd"); /* not UTF-8: the replacement character */
        } else if (c == '"' || c == '\\') {
            char esc[2] = {'\\', (char)c};
            rlh_add(b, esc, 2);
        } else if (c == '\n') {
            rlh_adds(b, "\\n");
        } else if (c == '\t') {
            rlh_adds(b, "\\t");
        } else if (c == '\r') {
            rlh_adds(b, "\\r");
        } else {
            rlh_addf(b, "\\u%04x", c);
        }
        i++;
    }
    rlh_add(b, (const char *)s + n - run, run);
    rlh_add(b, "\"", 1);
}

void rlh_json_key(rlh_buf *b, const char *name)
{
    size_t n = strlen(name);
    if (plain_ascii((const unsigned char *)name, n)) {
        quoted_plain(b, name, n, ":", 1);
        return;
    }
    rlh_json_str(b, name, n);
    rlh_add(b, ":", 1);
}

void rlh_json_member(rlh_buf *b, const char *name, const char *value)
{
    rlh_json_key(b, name);
    if (value)
        rlh_json_str(b, value, strlen(value));
    else
        rlh_adds(b, "null");
}

void rlh_error_open(rlh_buf *b, const char *code, const char *message, const char *details,
                    const char *hint)
{
    rlh_add(b, "{", 1);
    rlh_json_member(b, "code", code);
    rlh_add(b, ",", 1);
    rlh_json_member(b, "message", message);
    rlh_add(b, ",", 1);
    rlh_json_member(b, "details", details);
    rlh_add(b, ",", 1);
    rlh_json_member(b, "hint", hint);
}

void rlh_add_int(rlh_buf *b, int64_t v)
{
    char digits[24], *p = digits + sizeof digits;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do
        *--p = (char)('0' + u % 10);
    while (u /= 10);
    if (v < 0) *--p = '-';
    rlh_add(b, p, (size_t)(digits + sizeof digits - p));
}

/* The digits at s[i..n) from i on: how many. */
static size_t digits_at(const char *s, size_t i, size_t n)
{
    size_t d = 0;
    while (i + d < n && s[i + d] >= '0' && s[i + d] <= '9')
        d++;
    return d;
}

/* The length of the JSON number at the start of s (n bytes; RFC 8259's
 * -?(0|[1-9]d*)(.d+)?([eE][+-]?d+)?), or 0 when none starts there. */
static size_t number_len(const char *s, size_t n)
{
    size_t i = n && s[0] == '-', d = digits_at(s, i, n);
    if (!d || (d > 1 && s[i] == '0')) return 0;
    i += d;
    if (i < n && s[i] == '.') {
        if (!(d = digits_at(s, i + 1, n))) return 0;
        i += 1 + d;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i += 1 + (i + 1 < n && (s[i + 1] == '+' || s[i + 1] == '-'));
        if (!(d = digits_at(s, i, n))) return 0;
        i += d;
    }
    return i;
}

/* Text a column of kind holds as JSON written as itself: a decimal's digits as a number (its
 * NaN or infinity as null, as a real's), a JSON document or array as it is; false when the
 * text is not that (a SQLite column takes any text), to be written as a string. */
static bool raw_json(rlh_buf *b, const char *s, rl_kind kind)
{
    if (kind == RL_KIND_NUMERIC) {
        size_t n = strlen(s);
        if (n && number_len(s, n) == n) {
            rlh_add(b, s, n);
            return true;
        }
        bool odd = !strcasecmp(s, "NaN") || !strcasecmp(s + (*s == '-' || *s == '+'), "Infinity");
        if (odd) rlh_adds(b, "null");
        return odd;
    }
    if (kind != RL_KIND_JSON && kind != RL_KIND_ARRAY) return false;
    json_t *j = json_loads(s, JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL, NULL);
    if (!j) return false;
    json_decref(j);
    rlh_adds(b, s);
    return true;
}

void rlh_real_text(double x, char out[32])
{
    snprintf(out, 32, "%.15g", x);
    if (strtod(out, NULL) != x) snprintf(out, 32, "%.17g", x);
}

void rlh_json_value(rlh_buf *b, const rl_value *v, rl_kind kind)
{
    switch (v->type) {
    case RL_V_INT:
        if (kind == RL_KIND_BOOLEAN)
            rlh_adds(b, v->u.i ? "true" : "false");
        else
            rlh_add_int(b, v->u.i);
        break;
    case RL_V_REAL:
        if (isfinite(v->u.r) && fabs(v->u.r) < 1e15 && v->u.r == (double)(int64_t)v->u.r &&
            !(v->u.r == 0 && signbit(v->u.r))) { /* a whole number: its digits, and ".0" */
            rlh_add_int(b, (int64_t)v->u.r);
            rlh_add(b, ".0", 2);
        } else if (isfinite(v->u.r)) {
            char num[32];
            rlh_real_text(v->u.r, num);
            rlh_adds(b, num);
            if (!strpbrk(num, ".eEn")) rlh_adds(b, ".0"); /* stays a real number */
        } else
            rlh_adds(b, "null"); /* JSON has no infinity or NaN */
        break;
    case RL_V_TEXT:
        if (kind <= RL_KIND_BOOLEAN || !raw_json(b, v->u.s, kind))
            rlh_json_str(b, v->u.s, strlen(v->u.s));
        break;
    case RL_V_BLOB: {
        static const char hex[] = "0123456789abcdef";
        rlh_adds(b, "\"\\\\x");
        const unsigned char *d = v->u.b.data;
        for (size_t i = 0; i < v->u.b.len; i++) {
            char two[2] = {hex[d[i] >> 4], hex[d[i] & 15]};
            rlh_add(b, two, 2);
        }
        rlh_add(b, "\"", 1);
        break;
    }
    default:
        rlh_adds(b, "null");
    }
}

/* ---- numbers as they were written --------------------------------------------------------- */

/* The end of the JSON string whose opening quote is at s[i] (the index after its closing
 * quote, or n); *nul is set when it holds the escape \u0000. */
static size_t string_end(const char *s, size_t i, size_t n, bool *nul)
{
    for (i++; i < n && s[i] != '"'; i++) {
        if (s[i] != '\\') continue;
        if (i + 5 < n && memcmp(s + i + 1, "u0000", 5) == 0) *nul = true;
        i++;
    }
    return i < n ? i + 1 : n;
}

/* Whether the number text s (n bytes) loses nothing as a JSON integer of jansson's. */
static bool plain_integer(const char *s, size_t n)
{
    size_t digits = n - (*s == '-');
    return digits <= 18 && !memchr(s, '.', n) && !memchr(s, 'e', n) && !memchr(s, 'E', n);
}

char *rlh_json_mark_numbers(const char *body, size_t len, size_t *out_len, bool *oom)
{
    rlh_buf b = {0};
    bool nul = false, marked = false;
    size_t done = 0; /* bytes of body copied into b */
    *oom = false;
    for (size_t i = 0; i < len && !nul;) {
        char c = body[i];
        if (c == '"') {
            i = string_end(body, i, len, &nul);
            continue;
        }
        if (c != '-' && (c < '0' || c > '9')) {
            i++;
            continue;
        }
        size_t n = 0;
        while (i + n < len && body[i + n] && strchr("0123456789+-.eE", body[i + n]))
            n++;
        if (number_len(body + i, n) == n && !plain_integer(body + i, n)) {
            rlh_add(&b, body + done, i - done);
            rlh_adds(&b, "\"\\u0000");
            rlh_add(&b, body + i, n);
            rlh_add(&b, "\"", 1);
            done = i + n;
            marked = true;
        }
        i += n;
    }
    if (nul || !marked || b.oom) { /* a \u0000 of its own: jansson refuses the body as it is */
        *oom = b.oom && !nul && marked;
        rlh_free(&b);
        return NULL;
    }
    rlh_add(&b, body + done, len - done);
    if (b.oom) {
        *oom = true;
        rlh_free(&b);
        return NULL;
    }
    *out_len = b.len;
    return b.data;
}

const char *rlh_json_marked(const json_t *j)
{
    const char *s = json_is_string(j) ? json_string_value(j) : NULL;
    return s && json_string_length(j) > 1 && s[0] == '\0' ? s + 1 : NULL;
}

bool rlh_json_number_value(const char *num, rl_kind kind, rl_value *out)
{
    size_t n = strlen(num);
    if (kind == RL_KIND_NUMERIC || kind == RL_KIND_JSON || kind == RL_KIND_TEXT) {
        char *s = strdup(num); /* every digit, as sent */
        if (!s) return false;
        *out = rl_text(s);
        return true;
    }
    char *end;
    errno = 0;
    if (!memchr(num, '.', n) && !memchr(num, 'e', n) && !memchr(num, 'E', n)) {
        long long v = strtoll(num, &end, 10);
        if (errno || *end) return false; /* beyond an integer of 64 bits */
        *out = rl_int(v);
        return true;
    }
    *out = rl_real(strtod(num, &end));
    return true;
}

char *rlh_json_text(const json_t *j)
{
    char *text = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
    if (!text || !strstr(text, "\"\\u0000")) return text;
    rlh_buf b = {0};
    const char *p = text, *m;
    while ((m = strstr(p, "\"\\u0000"))) { /* a marked number: its text, unquoted */
        rlh_add(&b, p, (size_t)(m - p));
        const char *num = m + 7, *close = strchr(num, '"');
        if (!close) break;
        rlh_add(&b, num, (size_t)(close - num));
        p = close + 1;
    }
    rlh_adds(&b, p);
    free(text);
    if (b.oom) {
        rlh_free(&b);
        return NULL;
    }
    return b.data;
}

int rlh_hex_value(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/*
 * A growable buffer and the JSON the server writes: rows go from the statement into the
 * buffer value by value, without a document tree in between.
 */
#include "http_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

void rlh_add(rlh_buf *b, const char *s, size_t n)
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

void rlh_json_str(rlh_buf *b, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
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
    rlh_json_str(b, name, strlen(name));
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
            char num[32]; /* the shortest of 15 or 17 digits that reads back the same */
            snprintf(num, sizeof num, "%.15g", v->u.r);
            if (strtod(num, NULL) != v->u.r) snprintf(num, sizeof num, "%.17g", v->u.r);
            rlh_adds(b, num);
            if (!strpbrk(num, ".eEn")) rlh_adds(b, ".0"); /* stays a real number */
        } else
            rlh_adds(b, "null"); /* JSON has no infinity or NaN */
        break;
    case RL_V_TEXT:
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

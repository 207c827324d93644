/*
 * Strings: a growable buffer for composing text, SQL quoting of identifiers and literals,
 * names made safe for messages, identifier checks and a string hash.  A leaf: it knows
 * nothing of connections.
 */
#include "base/base.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
void rli_sb_init(strbuf *b)
{
    memset(b, 0, sizeof *b);
}

void rli_sb_init_buf(strbuf *b, char *buf, size_t cap)
{
    memset(b, 0, sizeof *b);
    b->s = buf;
    b->cap = cap;
    b->borrowed = true;
    if (cap) buf[0] = '\0';
}

void rli_sb_free(strbuf *b)
{
    if (!b->borrowed) free(b->s);
    rli_sb_init(b);
}

static bool sb_reserve(strbuf *b, size_t extra)
{
    if (b->oom) return false;
    if (b->len + extra + 1 <= b->cap) return true;
    size_t cap = b->cap ? b->cap : 128;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *s = b->borrowed ? malloc(cap) : realloc(b->s, cap);
    if (!s) {
        b->oom = true;
        return false;
    }
    if (b->borrowed && b->len) memcpy(s, b->s, b->len + 1);
    b->borrowed = false;
    b->s = s;
    b->cap = cap;
    return true;
}

void rli_sb_putn_grow(strbuf *b, const char *s, size_t n)
{
    if (!sb_reserve(b, n)) return;
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void rli_sb_int(strbuf *b, int64_t v)
{
    char digits[24];
    size_t n;
    const char *p = rli_int_text(v, digits, &n);
    rli_sb_putn(b, p, n);
}

void rli_sb_puts(strbuf *b, const char *s)
{
    rli_sb_putn(b, s, strlen(s));
}

void rli_sb_printf(strbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !sb_reserve(b, (size_t)n)) return;
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

static void sb_quoted(strbuf *b, const char *s, char q)
{
    rli_sb_putn(b, &q, 1);
    for (const char *p = s; *p; p++) {
        if (*p == q) rli_sb_putn(b, &q, 1);
        rli_sb_putn(b, p, 1);
    }
    rli_sb_putn(b, &q, 1);
}

void rli_sb_ident(strbuf *b, const char *s)
{
    sb_quoted(b, s, '"');
}
void rli_sb_literal(strbuf *b, const char *s)
{
    sb_quoted(b, s, '\'');
}

void rli_sb_escape_literal(strbuf *b, const char *s)
{
    rli_sb_puts(b, "E'");
    for (; *s; s++) {
        if (*s == '\\' || *s == '\'') rli_sb_putn(b, s, 1);
        rli_sb_putn(b, s, 1);
    }
    rli_sb_puts(b, "'");
}

char *rli_sb_take(strbuf *b)
{
    if (b->oom) {
        rli_sb_free(b);
        return NULL;
    }
    if (b->borrowed) { /* the caller's buffer stays the caller's: hand out a copy */
        char *copy = malloc(b->len + 1);
        if (copy) memcpy(copy, b->s ? b->s : "", b->len + 1);
        rli_sb_init(b);
        return copy;
    }
    if (!b->s) {
        if (!sb_reserve(b, 0)) return NULL;
        b->s[0] = '\0';
    }
    char *s = b->s;
    rli_sb_init(b);
    return s;
}

bool rli_valid_ident(const char *s)
{
    if (!s || !*s || strlen(s) > RL_MAX_IDENT) return false;
    if (!(isalpha((unsigned char)s[0]) || s[0] == '_')) return false;
    for (const char *p = s; *p; p++)
        if (!(isalnum((unsigned char)*p) || *p == '_')) return false;
    if (strncasecmp(s, "sqlite_", 7) == 0) return false;
    /* the names of the rowid: a column so named would hide it */
    if (strcasecmp(s, "rowid") == 0 || strcasecmp(s, "_rowid_") == 0 || strcasecmp(s, "oid") == 0)
        return false;
    return true;
}

char *rli_value_literal(const rl_value *v)
{
    strbuf b;
    rli_sb_init(&b);
    switch (v->type) {
    case RL_V_NULL:
        rli_sb_puts(&b, "NULL");
        break;
    case RL_V_INT:
        rli_sb_printf(&b, "%lld", (long long)v->u.i);
        break;
    case RL_V_REAL: {
        char num[32];
        rli_real_text(v->u.r, num);
        rli_sb_puts(&b, num);
        break;
    }
    case RL_V_TEXT:
        rli_sb_literal(&b, v->u.s);
        break;
    case RL_V_BLOB:
        rli_sb_printf(&b, "<blob of %zu bytes>", v->u.b.len);
        break;
    case RL_V_DEFAULT:
        rli_sb_puts(&b, "DEFAULT");
        break;
    }
    return rli_sb_take(&b);
}

uint64_t rli_hash_text(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; s && *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

/* ---- names in messages --------------------------------------------------------------------- */

void rli_sb_name(strbuf *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if (*p == '\n')
            rli_sb_puts(b, "\\n");
        else if (*p == '\r')
            rli_sb_puts(b, "\\r");
        else if (*p == '\t')
            rli_sb_puts(b, "\\t");
        else if (*p < 0x20 || *p == 0x7f)
            rli_sb_printf(b, "\\x%02x", *p);
        else
            rli_sb_putn(b, (const char *)p, 1);
    }
}

char *rli_name_disp(const char *s)
{
    strbuf b;
    rli_sb_init(&b);
    rli_sb_name(&b, s);
    return rli_sb_take(&b);
}

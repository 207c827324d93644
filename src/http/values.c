/*
 * Names and values of the generic API, shared by its stages: a field by its column's name,
 * the integer key's column, a filter's text read as a value of a column's kind (as PostgreSQL
 * reads integers, reals and truth values), and PostgREST's LIKE patterns in SQL's terms.
 */
#include "http_int.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *rlh_pk_name(const rl_model *m)
{
    return m->pk_column ? m->pk_column : "pk";
}

const char *rlh_column_of(const rl_field *f)
{
    return f->column ? f->column : f->name;
}

const rl_field *rlh_field(const rl_model *m, const char *name)
{
    for (size_t i = 0; i < m->nfields; i++)
        if (strcmp(rlh_column_of(&m->fields[i]), name) == 0) return &m->fields[i];
    return NULL;
}

/* Whether only spaces (as C's isspace) are left at s. */
static bool blank(const char *s)
{
    while (*s == ' ' || (*s >= '\t' && *s <= '\r'))
        s++;
    return !*s;
}

/* The truth value text spells as PostgreSQL's boolean input reads it (spaces around it, any
 * case, a word or a prefix of one that is no other's: t, true, y, yes, on, 1; f, false, n, no,
 * off, 0): 1 or 0, -1 when it spells none. */
void rlh_query_encode(rlh_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *c = (const unsigned char *)s;
    while (*c) {
        size_t n = 0; /* the bytes kept as they are, in one run */
        while (c[n] && rlh_query_plain(c[n]))
            n++;
        if (n) rlh_add(b, (const char *)c, n);
        c += n;
        if (!*c) break;
        char e[3] = {'%', hex[*c >> 4], hex[*c & 15]};
        rlh_add(b, e, 3);
        c++;
    }
}

int rlh_truth_of(const char *text)
{
    static const char *const words[] = {"true", "yes", "on", "1", "false", "no", "off", "0"};
    while (*text == ' ' || (*text >= '\t' && *text <= '\r'))
        text++;
    size_t n = 0;
    while (text[n] && !(text[n] == ' ' || (text[n] >= '\t' && text[n] <= '\r')))
        n++;
    if (!n || !blank(text + n)) return -1;
    if (n == 1 && (*text == 'o' || *text == 'O')) return -1; /* on or off */
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (n <= strlen(words[i]) && strncasecmp(text, words[i], n) == 0) return i < 4;
    return -1;
}

bool rlh_parse_value(const char *text, int kind, rl_value *out)
{
    char *end;
    errno = 0;
    /* integers, reals and truth values are read as PostgreSQL reads them: spaces around them
     * are no part of them */
    if (kind == RL_KIND_BOOLEAN) {
        int t = rlh_truth_of(text);
        if (t >= 0) {
            *out = rl_int(t);
            return true;
        }
    }
    if (kind == -1 || kind == RL_KIND_INTEGER || kind == RL_KIND_BOOLEAN) {
        /* plain digits (a key in a path), at most 18 of them: read here, strtoll's locale
         * machinery being most of the cost of a read by key */
        const char *d = text + (*text == '-' || *text == '+');
        size_t nd = 0;
        int64_t digits = 0;
        while (nd < 18 && d[nd] >= '0' && d[nd] <= '9')
            digits = digits * 10 + (d[nd++] - '0');
        if (nd && !d[nd]) {
            *out = rl_int(*text == '-' ? -digits : digits);
            return true;
        }
        long long v = strtoll(text, &end, 10);
        if (end == text || !blank(end) || errno) return false;
        *out = rl_int(v);
        return true;
    }
    if (kind == RL_KIND_REAL) {
        double v = strtod(text, &end);
        if (end == text || !blank(end) || errno) return false;
        *out = rl_real(v);
        return true;
    }
    if (kind == RL_KIND_NUMERIC) { /* a decimal, compared with every digit: its text */
        (void)strtod(text, &end);  /* kept as text: no spaces around it */
        if (!*text || *end || strpbrk(text, "xXnN") || blank(text) || *text == ' ')
            return false; /* no hex, inf or nan */
        *out = rl_text(text);
        return true;
    }
    *out = rl_text(text);
    return true;
}

const char *rlh_kind_takes(int kind)
{
    return kind == RL_KIND_REAL      ? "a number (REAL)"
           : kind == RL_KIND_NUMERIC ? "a decimal number (NUMERIC)"
           : kind == RL_KIND_BOOLEAN ? "true or false (BOOLEAN)"
                                     : "an integer (INTEGER)";
}

char *rlh_like_pattern(const char *v, bool glob)
{
    char *out = malloc(strlen(v) * 3 + 1), *o = out;
    if (!out) return NULL;
    for (; *v; v++) {
        if (*v == '*' || *v == '%') {
            *o++ = glob ? '*' : '%';
        } else if (glob && *v == '_') {
            *o++ = '?';
        } else if (glob && (*v == '?' || *v == '[')) {
            *o++ = '[';
            *o++ = *v;
            *o++ = ']';
        } else {
            *o++ = *v;
        }
    }
    *o = '\0';
    return out;
}

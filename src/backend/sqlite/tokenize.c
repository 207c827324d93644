/*
 * A tokenizer for SQLite's SQL text (not a parser): the normal form of a statement
 * (comments and layout dropped, keywords and plain identifiers lower-cased, identifier quotes
 * removed where they are not needed), where a statement ends, where a CREATE TABLE's name
 * ends, and the top-level items of a CREATE TABLE.  Equal normal forms mean equal
 * definitions.
 */
#include "sqlite_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- tokenizer ------------------------------------------------------------------------------ */

typedef rli_tok tok;

static size_t skip_space(const char *s, size_t i)
{
    for (;;) {
        while (s[i] && isspace((unsigned char)s[i]))
            i++;
        if (s[i] == '-' && s[i + 1] == '-') {
            while (s[i] && s[i] != '\n')
                i++;
        } else if (s[i] == '/' && s[i + 1] == '*') {
            i += 2;
            while (s[i] && !(s[i] == '*' && s[i + 1] == '/'))
                i++;
            if (s[i]) i += 2;
        } else {
            return i;
        }
    }
}

static size_t skip_quoted(const char *s, size_t i, char close)
{
    i++;
    while (s[i]) {
        if (s[i] == close) {
            if (close != ']' && s[i + 1] == close) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i++;
    }
    return i;
}

rli_tok rli_sql_next_tok(const char *s, size_t *pos)
{
    size_t i = skip_space(s, *pos);
    tok t = {RLI_TOK_END, i, i};
    char c = s[i];
    if (!c) return t;
    if (c == '\'') {
        t.kind = RLI_TOK_STRING;
        t.end = skip_quoted(s, i, '\'');
    } else if (c == '"' || c == '`' || c == '[') {
        t.kind = RLI_TOK_QUOTED_ID;
        t.end = skip_quoted(s, i, c == '[' ? ']' : c);
    } else if (isalpha((unsigned char)c) || c == '_' || (unsigned char)c >= 0x80) {
        t.kind = RLI_TOK_WORD;
        while (isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == '$' ||
               (unsigned char)s[i] >= 0x80)
            i++;
        t.end = i;
    } else if (isdigit((unsigned char)c) || (c == '.' && isdigit((unsigned char)s[i + 1]))) {
        t.kind = RLI_TOK_NUMBER;
        while (isalnum((unsigned char)s[i]) || s[i] == '.' ||
               ((s[i] == '+' || s[i] == '-') && (s[i - 1] == 'e' || s[i - 1] == 'E')))
            i++;
        t.end = i;
    } else {
        t.kind = RLI_TOK_PUNCT;
        static const char *const two[] = {"<=", ">=", "<>", "!=", "==", "||", "<<", ">>", "->"};
        t.end = i + 1;
        for (size_t k = 0; k < sizeof two / sizeof two[0]; k++)
            if (s[i] == two[k][0] && s[i + 1] == two[k][1]) t.end = i + 2;
    }
    *pos = t.end;
    return t;
}

static bool plain_ident(const char *s, size_t n)
{
    if (n == 0 || !(isalpha((unsigned char)s[0]) || s[0] == '_')) return false;
    for (size_t i = 0; i < n; i++)
        if (!(isalnum((unsigned char)s[i]) || s[i] == '_')) return false;
    return true;
}

/* Append the normal form of token t. */
static void put_tok(strbuf *b, const char *s, tok t)
{
    size_t n = t.end - t.start;
    const char *p = s + t.start;
    if (t.kind == RLI_TOK_QUOTED_ID && n >= 2) {
        /* "name" -> name when plain; otherwise keep a double-quoted form. */
        const char *in = p + 1;
        size_t m = n - 2;
        if (plain_ident(in, m)) {
            for (size_t i = 0; i < m; i++) {
                char c = (char)tolower((unsigned char)in[i]);
                rli_sb_putn(b, &c, 1);
            }
        } else {
            rli_sb_putn(b, "\"", 1);
            rli_sb_putn(b, in, m);
            rli_sb_putn(b, "\"", 1);
        }
        return;
    }
    if (t.kind == RLI_TOK_WORD) {
        for (size_t i = 0; i < n; i++) {
            char c = (char)tolower((unsigned char)p[i]);
            rli_sb_putn(b, &c, 1);
        }
        return;
    }
    rli_sb_putn(b, p, n);
}

char *rli_sql_normalize(const char *sql)
{
    strbuf b;
    rli_sb_init(&b);
    size_t pos = 0;
    bool first = true;
    for (tok t = rli_sql_next_tok(sql, &pos); t.kind != RLI_TOK_END;
         t = rli_sql_next_tok(sql, &pos)) {
        if (t.kind == RLI_TOK_PUNCT && sql[t.start] == ';') continue;
        if (!first) rli_sb_putn(&b, " ", 1);
        put_tok(&b, sql, t);
        first = false;
    }
    return rli_sb_take(&b);
}

size_t rli_sql_statement_end(const char *sql)
{
    size_t pos = 0;
    for (tok t = rli_sql_next_tok(sql, &pos); t.kind != RLI_TOK_END;
         t = rli_sql_next_tok(sql, &pos)) {
        if (t.kind != RLI_TOK_PUNCT || sql[t.start] != ';') continue;
        char *head = strndup(sql, t.end);
        bool done = head && sqlite3_complete(head);
        free(head);
        if (done) return t.end; /* a trigger's inner ';' does not complete it */
    }
    return strlen(sql);
}

/* Whether only spaces, comments and ';' follow offset i. */
bool rli_sql_blank_after(const char *sql, size_t i)
{
    size_t pos = i;
    for (tok t = rli_sql_next_tok(sql, &pos); t.kind != RLI_TOK_END;
         t = rli_sql_next_tok(sql, &pos))
        if (t.kind != RLI_TOK_PUNCT || sql[t.start] != ';') return false;
    return true;
}

/* The byte offset just after the object name in "CREATE [TEMP] TABLE [IF NOT EXISTS] name". */
size_t rli_sql_name_end(const char *sql)
{
    size_t pos = 0;
    tok t;
    int words = 0;
    for (;;) {
        t = rli_sql_next_tok(sql, &pos);
        if (t.kind == RLI_TOK_END) return pos;
        if (t.kind != RLI_TOK_WORD) break;
        size_t n = t.end - t.start;
        const char *w = sql + t.start;
        bool kw = (n == 6 && strncasecmp(w, "create", 6) == 0) ||
                  (n == 4 && strncasecmp(w, "temp", 4) == 0) ||
                  (n == 9 && strncasecmp(w, "temporary", 9) == 0) ||
                  (n == 5 && strncasecmp(w, "table", 5) == 0) ||
                  (n == 7 && strncasecmp(w, "virtual", 7) == 0) ||
                  (n == 2 && strncasecmp(w, "if", 2) == 0) ||
                  (n == 3 && strncasecmp(w, "not", 3) == 0) ||
                  (n == 6 && strncasecmp(w, "exists", 6) == 0);
        if (!kw || words > 6) break;
        words++;
    }
    /* t is the name (maybe schema-qualified: name . name). */
    size_t after = t.end, p2 = after;
    tok dot = rli_sql_next_tok(sql, &p2);
    if (dot.kind == RLI_TOK_PUNCT && sql[dot.start] == '.') {
        tok name = rli_sql_next_tok(sql, &p2);
        after = name.end;
    }
    return after;
}

/* Split the parenthesised body of a CREATE TABLE into its top-level items. */
char *rli_sql_token_name(const char *sql, rli_tok t, bool *oom)
{
    const char *p = sql + t.start;
    size_t len = t.end - t.start;
    if (t.kind == RLI_TOK_WORD) {
        char *s = strndup(p, len);
        *oom |= !s;
        return s;
    }
    if ((t.kind != RLI_TOK_QUOTED_ID && t.kind != RLI_TOK_STRING) || len < 2) return NULL;
    char open = p[0], close = open == '[' ? ']' : open;
    if (p[len - 1] != close) return NULL; /* unterminated */
    char *s = malloc(len);
    if (!s) {
        *oom = true;
        return NULL;
    }
    size_t n = 0;
    for (size_t i = 1; i + 1 < len; i++) {
        s[n++] = p[i];
        if (close != ']' && p[i] == close) i++; /* "" in "..." is one " */
    }
    s[n] = '\0';
    return s;
}

int rli_sql_table_items(const char *sql, char ***out, size_t *n)
{
    size_t pos = rli_sql_name_end(sql);
    tok t = rli_sql_next_tok(sql, &pos);
    *out = NULL;
    *n = 0;
    if (t.kind != RLI_TOK_PUNCT || sql[t.start] != '(') return -1;
    size_t cap = 0, item_start = t.end;
    int depth = 1;
    for (;;) {
        t = rli_sql_next_tok(sql, &pos);
        if (t.kind == RLI_TOK_END) return -1;
        if (t.kind != RLI_TOK_PUNCT) continue;
        char c = sql[t.start];
        if (c == '(') depth++;
        if (c == ')') depth--;
        if ((c == ',' && depth == 1) || depth == 0) {
            if (*n == cap) {
                cap = cap ? cap * 2 : 8;
                char **a = realloc(*out, cap * sizeof *a);
                if (!a) return -1;
                *out = a;
            }
            size_t a = skip_space(sql, item_start);
            (*out)[(*n)++] = strndup(sql + a, t.start - a);
            item_start = t.end;
            if (depth == 0) return 0;
        }
    }
}

/* Count "word1 word2" sequences in a normalized statement. */
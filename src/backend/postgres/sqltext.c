/*
 * SQL text that did not come from reflite (rl_exec, rl_query_int, raw statements), made ready
 * for PostgreSQL: SQLite's placeholders (?, ?NNN) become $N so that the same raw SQL runs on
 * both engines, and the text is cut after its first statement.
 *
 * The scanner knows PostgreSQL's lexical rules well enough never to look inside what is not
 * SQL: 'strings' (with '' inside), E'strings' (with backslash escapes), "identifiers",
 * $tag$dollar quotes$tag$, -- comments and nested block comments.  A ? inside any of them is
 * text.  (jsonb's ? operators are therefore placeholders here: use jsonb_exists() and
 * friends in raw SQL.)
 *
 * Text that would let rows past their keys is refused: setting session_replication_role
 * (replica skips the key triggers) and ALTER TABLE ... DISABLE TRIGGER.
 */
#include "pg_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The end of a dollar quote's opening tag at p ("$$" or "$tag$"), or NULL if p opens none. */
static const char *dollar_tag_end(const char *p)
{
    const char *q = p + 1;
    if (*q != '$' && !(isalpha((unsigned char)*q) || *q == '_')) return NULL;
    while (isalnum((unsigned char)*q) || *q == '_')
        q++;
    return *q == '$' ? q + 1 : NULL;
}

/* Past the quoted or commented run starting at p (which is one), or p when none starts. */
static const char *skip_run(const char *start, const char *p)
{
    if (p[0] == '-' && p[1] == '-') {
        while (*p && *p != '\n')
            p++;
        return p;
    }
    if (p[0] == '/' && p[1] == '*') {
        int depth = 0;
        while (*p) {
            if (p[0] == '/' && p[1] == '*') {
                depth++;
                p += 2;
            } else if (p[0] == '*' && p[1] == '/') {
                p += 2;
                if (--depth == 0) return p;
            } else {
                p++;
            }
        }
        return p;
    }
    if (*p == '\'' || *p == '"') {
        char q = *p;
        bool backslash = q == '\'' && p > start && (p[-1] == 'E' || p[-1] == 'e');
        for (p++; *p; p++) {
            if (backslash && *p == '\\' && p[1]) {
                p++;
            } else if (*p == q) {
                if (p[1] != q) return p + 1;
                p++;
            }
        }
        return p;
    }
    if (*p == '$') {
        /* a $ after a letter, digit, _ or $ is part of an identifier (do$llar$s), no quote */
        if (p > start && (isalnum((unsigned char)p[-1]) || p[-1] == '_' || p[-1] == '$')) return p;
        const char *end = dollar_tag_end(p);
        if (!end) return p;
        size_t n = (size_t)(end - p);
        for (const char *s = end; *s; s++)
            if (*s == '$' && strncmp(s, p, n) == 0) return s + n;
        return p + strlen(p);
    }
    return p;
}

/* Whether the words of text (outside quotes, case-insensitive) contain word. */
static bool has_word(const char *start, const char *end, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = start; p + n <= end; p++) {
        const char *past = skip_run(start, p);
        if (past != p) {
            p = past - 1;
            continue;
        }
        if (strncasecmp(p, word, n) == 0 && (p == start || !isalnum((unsigned char)p[-1])) &&
            !isalnum((unsigned char)p[n]) && p[n] != '_')
            return true;
    }
    return false;
}

bool rli_pg_blank(const char *sql)
{
    const char *p = sql;
    while (*p) {
        if (isspace((unsigned char)*p)) {
            p++;
            continue;
        }
        if ((p[0] == '-' && p[1] == '-') || (p[0] == '/' && p[1] == '*')) {
            p = skip_run(sql, p);
            continue;
        }
        return false;
    }
    return true;
}

bool rli_pg_translate(const char *sql, char **out, const char **tail, const char **why)
{
    *out = NULL;
    *why = NULL;
    strbuf b;
    rli_sb_init(&b);
    const char *p = sql;
    int highest = 0;
    while (*p && *p != ';') {
        const char *past = skip_run(sql, p);
        if (past != p) {
            rli_sb_putn(&b, p, (size_t)(past - p));
            p = past;
            continue;
        }
        if (*p == '?') {
            int n = 0;
            const char *q = p + 1;
            while (isdigit((unsigned char)*q) && n < 100000)
                n = n * 10 + (*q++ - '0');
            if (q == p + 1) n = highest + 1; /* a bare ?: one past the highest so far */
            if (n > highest) highest = n;
            rli_sb_printf(&b, "$%d", n);
            p = q;
            continue;
        }
        rli_sb_putn(&b, p, 1);
        p++;
    }
    const char *end = p;
    if (*p == ';') p++;
    *tail = p;
    if (has_word(sql, end, "session_replication_role")) {
        *why = "setting session_replication_role would let rows past their foreign keys";
    } else if (has_word(sql, end, "disable") && has_word(sql, end, "trigger")) {
        *why = "disabling triggers would switch foreign keys off";
    } else if (b.oom) {
        *why = "out of memory";
    }
    if (*why) {
        rli_sb_free(&b);
        return false;
    }
    *out = rli_sb_take(&b);
    return *out != NULL;
}

/* The next word of sql at *p (an identifier, "quoted" or bare, schema-qualified parts
 * joined), after blanks and comments; malloc'd, or NULL. */
char *rli_pg_next_word(const char **p)
{
    const char *s = *p;
    for (;;) {
        while (isspace((unsigned char)*s))
            s++;
        if (s[0] == '-' && s[1] == '-')
            s += strcspn(s, "\n");
        else if (s[0] == '/' && s[1] == '*' && strstr(s + 2, "*/"))
            s = strstr(s + 2, "*/") + 2;
        else
            break;
    }
    strbuf w;
    rli_sb_init(&w);
    for (;;) {
        if (*s == '"') {
            for (s++; *s && !(s[0] == '"' && s[1] != '"'); s++) {
                if (*s == '"') s++;
                rli_sb_putn(&w, s, 1);
            }
            if (*s) s++;
        } else {
            size_t n = 0;
            while (isalnum((unsigned char)s[n]) || s[n] == '_')
                n++;
            if (!n) break;
            for (size_t i = 0; i < n; i++) {
                char c = (char)tolower((unsigned char)s[i]);
                rli_sb_putn(&w, &c, 1);
            }
            s += n;
        }
        if (*s != '.') break;
        rli_sb_putn(&w, s++, 1);
    }
    *p = s;
    if (w.len == 0) {
        rli_sb_free(&w);
        return NULL;
    }
    return rli_sb_take(&w);
}

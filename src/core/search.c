/*
 * Full-text search where the engine has no text-search functions (SQLite): through an FTS5
 * table that indexes the searched table (rls_search, from sch_table.search_of), with the
 * query PostgreSQL's functions would read translated into FTS5's query language:
 *
 *   RL_FTS    to_tsquery: words, & | ! ( ), "a <-> b" (a phrase), "a:*" (a prefix); a ! stands
 *             beside another term ("a & !b"), for FTS5's NOT is a binary operator
 *   RL_PLFTS  plainto_tsquery: every word
 *   RL_PHFTS  phraseto_tsquery: the words as a phrase
 *   RL_WFTS   websearch_to_tsquery: words, "quoted phrases", "or", -word
 *
 * Every word is written as an FTS5 string ("word", a quote doubled), so that nothing in the
 * text is read as FTS5's own syntax (column filters, NEAR, ^); the index's tokenizer splits
 * and folds it.  Unlike PostgreSQL's configurations, the index's tokenizer decides stemming
 * and stop words (a configuration named in the request is not used).
 */
#include "search.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

enum { MAX_DEPTH = 32 };

typedef struct tsq {
    const char *p;
    char *why;
    size_t nwhy;
    int depth;
} tsq;

static bool fail(tsq *s, const char *why)
{
    if (!*s->why) snprintf(s->why, s->nwhy, "%s", why);
    return false;
}

/* Word [p, p + n) as an FTS5 string. */
static void quoted(strbuf *out, const char *p, size_t n)
{
    rli_sb_puts(out, "\"");
    for (size_t i = 0; i < n; i++)
        rli_sb_putn(out, p[i] == '"' ? "\"\"" : p + i, p[i] == '"' ? 2 : 1);
    rli_sb_puts(out, "\"");
}

static void blanks(tsq *s)
{
    while (isspace((unsigned char)*s->p))
        s->p++;
}

/* A byte of a to_tsquery word: not a blank, an operator or a quote. */
static bool word_byte(char c)
{
    return c && !isspace((unsigned char)c) && !strchr("&|!()<>:'", c);
}

static bool or_expr(tsq *s, strbuf *out);

/* A word (plain, or quoted '...'), with a prefix mark ":*" (weights are left out). */
static bool word(tsq *s, strbuf *out)
{
    const char *start = s->p;
    if (*s->p == '\'') { /* a quoted lexeme, '' a quote within */
        strbuf w;
        rli_sb_init(&w);
        for (s->p++; *s->p && !(*s->p == '\'' && s->p[1] != '\''); s->p++) {
            if (*s->p == '\'') s->p++;
            rli_sb_putn(&w, s->p, 1);
        }
        bool closed = *s->p == '\'';
        if (closed) {
            s->p++;
            quoted(out, w.s ? w.s : "", w.len);
        }
        rli_sb_free(&w);
        if (!closed) return fail(s, "a quoted word is not closed");
    } else {
        while (word_byte(*s->p))
            s->p++;
        if (s->p == start) return fail(s, "a word is missing");
        quoted(out, start, (size_t)(s->p - start));
    }
    if (*s->p == ':') { /* :* a prefix, :AB weights (not kept by FTS5) */
        bool prefix = false;
        for (s->p++; *s->p == '*' || isalpha((unsigned char)*s->p); s->p++)
            prefix |= *s->p == '*';
        if (prefix) rli_sb_puts(out, "*");
    }
    return true;
}

/* A word, a parenthesized expression, or words joined by <-> (<1>) into a phrase. */
static bool phrase(tsq *s, strbuf *out)
{
    blanks(s);
    if (*s->p == '(') {
        if (++s->depth > MAX_DEPTH) return fail(s, "the query nests too deep");
        s->p++;
        rli_sb_puts(out, "(");
        if (!or_expr(s, out)) return false;
        blanks(s);
        if (*s->p != ')') return fail(s, "a parenthesis is not closed");
        s->p++;
        s->depth--;
        rli_sb_puts(out, ")");
        blanks(s);
        if (*s->p == '<') return fail(s, "FTS5 joins words into phrases, not groups (a <-> b)");
        return true;
    }
    for (;;) {
        if (!word(s, out)) return false;
        blanks(s);
        if (*s->p != '<') return true;
        if (strncmp(s->p, "<->", 3) == 0)
            s->p += 3;
        else if (strncmp(s->p, "<1>", 3) == 0)
            s->p += 3;
        else
            return fail(s, "FTS5 has phrases (<->) but no distances (<N>)");
        blanks(s);
        if (*s->p == '(' || *s->p == '!')
            return fail(s, "FTS5 joins words into phrases, not groups (a <-> b)");
        rli_sb_puts(out, " + ");
    }
}

/* Terms joined by &: the ones that stand ANDed, then each negated one after NOT. */
static bool and_expr(tsq *s, strbuf *out)
{
    strbuf pos, neg;
    rli_sb_init(&pos);
    rli_sb_init(&neg);
    bool ok = true;
    size_t npos = 0;
    do {
        blanks(s);
        bool negated = false;
        for (; *s->p == '!'; blanks(s))
            s->p++, negated = !negated;
        strbuf *to = negated ? &neg : &pos;
        rli_sb_puts(to, negated ? " NOT (" : npos++ ? " AND (" : "(");
        ok = phrase(s, to);
        rli_sb_puts(to, ")");
        blanks(s);
    } while (ok && *s->p == '&' && s->p++);
    if (ok && !npos) ok = fail(s, "FTS5 has no NOT alone: a negated term stands beside another");
    if (ok) {
        rli_sb_puts(out, "(");
        rli_sb_putn(out, pos.s, pos.len);
        rli_sb_puts(out, ")");
        if (neg.len) rli_sb_putn(out, neg.s, neg.len);
    }
    rli_sb_free(&pos);
    rli_sb_free(&neg);
    return ok;
}

static bool or_expr(tsq *s, strbuf *out)
{
    if (!and_expr(s, out)) return false;
    for (blanks(s); *s->p == '|'; blanks(s)) {
        s->p++;
        rli_sb_puts(out, " OR ");
        if (!and_expr(s, out)) return false;
    }
    return true;
}

/* A byte of a word of plain text: a letter or digit of any script. */
static bool text_byte(char c)
{
    return isalnum((unsigned char)c) || (unsigned char)c >= 0x80;
}

/* The words of plain text [p, end), each quoted, joined by sep (none: a query that matches
 * nothing). */
static void words(const char *p, const char *end, strbuf *out, const char *sep)
{
    size_t n = 0;
    for (;;) {
        while (p < end && !text_byte(*p))
            p++;
        if (p == end) break;
        const char *start = p;
        while (p < end && text_byte(*p))
            p++;
        if (n++) rli_sb_puts(out, sep);
        quoted(out, start, (size_t)(p - start));
    }
    if (!n) rli_sb_puts(out, "\"\"");
}

/* The group of websearch's terms so far into out (the groups before it: *groups), then empty;
 * false when it has only negated terms. */
static bool flush(tsq *s, strbuf *out, strbuf *pos, strbuf *neg, size_t *groups)
{
    if (!pos->len && !neg->len) return true;
    if (!pos->len) return fail(s, "FTS5 has no NOT alone: a negated word stands beside another");
    rli_sb_puts(out, (*groups)++ ? " OR ((" : "((");
    rli_sb_putn(out, pos->s, pos->len);
    rli_sb_puts(out, ")");
    if (neg->len) rli_sb_putn(out, neg->s, neg->len);
    rli_sb_puts(out, ")");
    pos->len = neg->len = 0;
    return true;
}

/* websearch_to_tsquery: groups separated by "or", each of words and "phrases" ANDed, -word
 * and -"phrase" after NOT. */
static bool websearch(tsq *s, strbuf *out)
{
    strbuf pos, neg, term;
    rli_sb_init(&pos);
    rli_sb_init(&neg);
    rli_sb_init(&term);
    size_t groups = 0;
    bool ok = true;
    for (;;) {
        while (*s->p && !text_byte(*s->p) && *s->p != '"' && *s->p != '-')
            s->p++;
        if (!*s->p) break;
        bool negated = *s->p == '-';
        s->p += negated;
        term.len = 0;
        if (*s->p == '"') { /* a phrase, to its closing quote or the end */
            const char *close = strchr(s->p + 1, '"');
            const char *end = close ? close : s->p + strlen(s->p);
            words(s->p + 1, end, &term, " + ");
            s->p = end + (close != NULL);
        } else {
            const char *start = s->p;
            while (text_byte(*s->p))
                s->p++;
            size_t n = (size_t)(s->p - start);
            if (!n) continue; /* a "-" before no word */
            if (!negated && n == 2 && strncasecmp(start, "or", 2) == 0) {
                if (!(ok = flush(s, out, &pos, &neg, &groups))) break;
                continue;
            }
            quoted(&term, start, n);
        }
        strbuf *to = negated ? &neg : &pos;
        rli_sb_puts(to, negated ? " NOT (" : to->len ? " AND (" : "(");
        rli_sb_putn(to, term.s, term.len);
        rli_sb_puts(to, ")");
    }
    if (ok) ok = flush(s, out, &pos, &neg, &groups);
    if (ok && !groups) rli_sb_puts(out, "\"\"");
    rli_sb_free(&pos);
    rli_sb_free(&neg);
    rli_sb_free(&term);
    return ok;
}

int rli_search_query(rl_op op, const char *text, strbuf *out, char *why, size_t nwhy)
{
    why[0] = '\0';
    tsq s = {.p = text, .why = why, .nwhy = nwhy};
    switch (op) {
    case RL_FTS:
        if (!or_expr(&s, out)) return RL_EINVAL;
        blanks(&s);
        if (*s.p) return fail(&s, "a term follows another without & or |"), RL_EINVAL;
        return RL_OK;
    case RL_PLFTS:
        words(text, text + strlen(text), out, " AND ");
        return RL_OK;
    case RL_PHFTS:
        words(text, text + strlen(text), out, " + ");
        return RL_OK;
    default:
        return websearch(&s, out) ? RL_OK : RL_EINVAL;
    }
}

int rli_search_covers(arena *a, const schema *s, const char *table, const rl_field *fields,
                      size_t n, rls_search **out)
{
    rls_search *found = *out = NULL;
    for (size_t i = 0; i < s->ntables; i++) {
        const sch_table *x = &s->tables[i];
        if (!x->search_of || strcasecmp(x->search_of, table) != 0) continue;
        for (size_t c = 0; c < x->ncols; c++) {
            if (x->cols[c].unindexed) continue;
            for (size_t f = 0; f < n; f++) {
                if (strcmp(fields[f].name, x->cols[c].name) != 0) continue;
                if (!found && (found = rli_arena_alloc(a, n * sizeof *found)))
                    memset(found, 0, n * sizeof *found);
                if (!found) return RL_ENOMEM;
                if (found[f].table) continue; /* the first index of the column */
                found[f].table = rli_copy_bytes(a, x->name, strlen(x->name));
                found[f].rowid = x->search_rowid
                                     ? rli_copy_bytes(a, x->search_rowid, strlen(x->search_rowid))
                                     : NULL;
                if (!found[f].table || (x->search_rowid && !found[f].rowid)) return RL_ENOMEM;
            }
        }
    }
    *out = found;
    return RL_OK;
}

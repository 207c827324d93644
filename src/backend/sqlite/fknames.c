/*
 * The names of a SQLite table's foreign keys.  PRAGMA foreign_key_list tells a key's columns,
 * parent and actions but not its name; the name is only in the table's CREATE TABLE text, as
 * SQLite keeps it in sqlite_schema:
 *
 *   table constraint   [CONSTRAINT name] FOREIGN KEY (cols) REFERENCES parent [(cols)] ...
 *   column constraint  col [type] ... [CONSTRAINT name] REFERENCES parent [(col)] ...
 *
 * A CONSTRAINT name names the one constraint that follows it.  The text is read with the
 * tokenizer (tokenize.c: identifiers quoted "", ``, [] or plain, strings '', comments, nested
 * parentheses), never parsed beyond that: each REFERENCES clause gives its child columns,
 * parent and parent columns, and a named clause gives its name to the PRAGMA's key with the
 * same child columns, parent and parent columns, never to one found by position, and only
 * when exactly one clause and exactly one key have them (a key declared twice keeps no name).
 * A text this reader does not follow (a stored definition written by hand) gives no names:
 * the keys stay as the PRAGMA has them, with name NULL.
 */
#include "sqlite_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* One REFERENCES clause of the text. */
typedef struct clause {
    char *name; /* NULL: none given */
    char *from, *parent, *to;
} clause;

typedef struct reader {
    const char *sql;
    size_t pos;
    rli_tok t; /* the current token */
    clause *cl;
    size_t n, cap;
    bool bad; /* out of memory: no names at all */
} reader;

static void advance(reader *r)
{
    r->t = rli_sql_next_tok(r->sql, &r->pos);
}

static bool punct(const reader *r, char c)
{
    return r->t.kind == RLI_TOK_PUNCT && r->sql[r->t.start] == c;
}

/* Whether the current token is the keyword kw (a plain word, any case). */
static bool keyword(const reader *r, const char *kw)
{
    size_t n = strlen(kw);
    return r->t.kind == RLI_TOK_WORD && r->t.end - r->t.start == n &&
           strncasecmp(r->sql + r->t.start, kw, n) == 0;
}

/* The current token as a name (an identifier, plain or quoted, or a string, which SQLite takes
 * as a name there), unquoted (malloc'd); NULL for another token. */
static char *name_of(reader *r)
{
    bool oom = false;
    char *s = rli_sql_token_name(r->sql, r->t, &oom);
    r->bad |= oom;
    return s;
}

/* Skip a parenthesized group at the current '(' (nested ones too). */
static void skip_group(reader *r)
{
    int depth = 0;
    do {
        if (punct(r, '(')) depth++;
        if (punct(r, ')')) depth--;
        advance(r);
    } while (depth > 0 && r->t.kind != RLI_TOK_END);
}

/* Append s to the list *list ("a, b", as load_fks joins the PRAGMA's columns); false when out
 * of memory. */
static bool join(char **list, const char *s)
{
    size_t have = *list ? strlen(*list) : 0, add = strlen(s);
    char *l = realloc(*list, have + add + (*list ? 2 : 0) + 1);
    if (!l) return false;
    if (*list) memcpy(l + have, ", ", 2), have += 2;
    memcpy(l + have, s, add + 1);
    *list = l;
    return true;
}

/* A column list at the current '(' ("(a COLLATE x ASC, \"b\")"): the first name of each item,
 * joined, into *out, their number into *n; false (and *out freed) when it is not one. */
static bool read_list(reader *r, char **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (!punct(r, '(')) return false;
    advance(r);
    for (;;) {
        char *c = name_of(r);
        bool ok = c && join(out, c);
        free(c);
        if (!ok) break;
        ++*n;
        advance(r);
        while (r->t.kind != RLI_TOK_END && !punct(r, ',') && !punct(r, ')'))
            punct(r, '(') ? skip_group(r) : advance(r);
        if (punct(r, ')')) {
            advance(r);
            return true;
        }
        if (!punct(r, ',')) break;
        advance(r);
    }
    free(*out);
    *out = NULL;
    return false;
}

/* The clause at REFERENCES (the current token): from (taken) is its child columns, n of them,
 * name (taken) its name. */
static void references(reader *r, char *name, char *from, size_t n)
{
    advance(r);
    char *parent = name_of(r), *to = NULL;
    size_t nto = 0;
    if (parent) advance(r);
    if (parent && punct(r, '(')) {
        if (!read_list(r, &to, &nto) || nto != n) parent = (free(parent), NULL);
    } else {
        for (size_t i = 0; parent && i < n; i++) /* the parent's primary key: "", or ", " */
            if (!join(&to, "")) r->bad = true;
        if (!n || !to) parent = (free(parent), NULL);
    }
    if (parent && r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 8;
        clause *cl = realloc(r->cl, cap * sizeof *cl);
        if (cl) r->cl = cl, r->cap = cap;
    }
    if (parent && r->n < r->cap) {
        r->cl[r->n++] = (clause){.name = name, .from = from, .parent = parent, .to = to};
        return;
    }
    if (parent) r->bad = true;
    free(name);
    free(from);
    free(parent);
    free(to);
}

/* One item of the table's body (a column definition or a table constraint), up to its ',' or
 * the body's ')'. */
static void read_item(reader *r)
{
    bool column = !(keyword(r, "constraint") || keyword(r, "primary") || keyword(r, "unique") ||
                    keyword(r, "check") || keyword(r, "foreign"));
    char *col = column ? name_of(r) : NULL, *name = NULL;
    column = col != NULL; /* no column name: only a table constraint is looked for */
    if (column) advance(r);
    bool named = false; /* name names the constraint at the current token */
    while (!r->bad && r->t.kind != RLI_TOK_END && !punct(r, ',') && !punct(r, ')')) {
        if (punct(r, '(')) {
            skip_group(r);
            named = false;
        } else if (keyword(r, "constraint")) {
            advance(r);
            free(name);
            name = name_of(r);
            named = name != NULL;
            if (named) advance(r);
        } else if (column && keyword(r, "references")) {
            char *from = strdup(col), *given = named && *name ? name : NULL;
            if (from) references(r, given, from, 1); /* takes given */
            if (!from || !given) free(name);
            r->bad = r->bad || !from;
            name = NULL;
            named = false;
        } else if (!column && keyword(r, "foreign")) {
            advance(r);
            char *from = NULL;
            size_t n = 0;
            bool ok = keyword(r, "key");
            if (ok) advance(r);
            ok = ok && read_list(r, &from, &n);
            if (ok && keyword(r, "references")) {
                char *given = named && *name ? name : NULL;
                references(r, given, from, n); /* takes given */
                if (!given) free(name);
                name = NULL;
            } else {
                free(from);
            }
            named = false;
        } else {
            advance(r);
            named = false;
        }
    }
    free(name);
    free(col);
}

/* Whether clause c and key k have the same child columns, parent and parent columns (as SQLite
 * compares names: ASCII letters in any case). */
static bool same_key(const clause *c, const sch_fk *k)
{
    return k->from && k->parent && k->to && strcasecmp(c->from, k->from) == 0 &&
           strcasecmp(c->parent, k->parent) == 0 && strcasecmp(c->to, k->to) == 0;
}

void rli_sqlite_fk_names(sch_table *t)
{
    if (!t || !t->sql || !t->nfks) return;
    reader r = {.sql = t->sql, .pos = rli_sql_name_end(t->sql)};
    advance(&r);
    if (punct(&r, '(')) {
        advance(&r);
        while (!r.bad && r.t.kind != RLI_TOK_END && !punct(&r, ')')) {
            read_item(&r);
            if (punct(&r, ',')) advance(&r);
        }
    }
    for (size_t i = 0; !r.bad && i < r.n; i++) {
        if (!r.cl[i].name) continue;
        size_t clauses = 0, keys = 0, at = 0;
        for (size_t j = 0; j < r.n; j++)
            clauses += same_key(
                &r.cl[j],
                &(sch_fk){.from = r.cl[i].from, .parent = r.cl[i].parent, .to = r.cl[i].to});
        for (size_t k = 0; k < t->nfks; k++)
            if (same_key(&r.cl[i], &t->fks[k])) keys++, at = k;
        if (clauses == 1 && keys == 1 && !t->fks[at].name) {
            t->fks[at].name = r.cl[i].name;
            r.cl[i].name = NULL;
        }
    }
    for (size_t i = 0; i < r.n; i++) {
        free(r.cl[i].name);
        free(r.cl[i].from);
        free(r.cl[i].parent);
        free(r.cl[i].to);
    }
    free(r.cl);
}

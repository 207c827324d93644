/*
 * An FTS5 table that indexes the text of another table (external content:
 * "CREATE VIRTUAL TABLE books_fts USING fts5(title, body UNINDEXED, content='books',
 * content_rowid='id')"), read from its CREATE text with the tokenizer (tokenize.c): the table
 * it indexes, the column its ids are, and which of its columns are searchable.  Full-text
 * search on SQLite goes through such a table (core/search.c); a table of its own content (no
 * content=) or a contentless one (content='') indexes no other table and is left alone.
 */
#include "sqlite_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool is_word(const char *sql, rli_tok t, const char *w)
{
    return t.kind == RLI_TOK_WORD && t.end - t.start == strlen(w) &&
           strncasecmp(sql + t.start, w, t.end - t.start) == 0;
}

static bool is_punct(const char *sql, rli_tok t, char c)
{
    return t.kind == RLI_TOK_PUNCT && sql[t.start] == c;
}

/* One argument of fts5(...) whose first token is first (*pos after it): an option "name =
 * value" sets content= and content_rowid=, a column "name [UNINDEXED]" marks the column
 * unindexed.  The token that ends it: a comma or the closing parenthesis at depth 0 (or the
 * end); false when out of memory. */
static bool argument(sch_table *t, rli_tok first, size_t *pos, rli_tok *end)
{
    const char *sql = t->sql;
    bool oom = false;
    rli_tok next = rli_sql_next_tok(sql, pos);
    if (is_punct(sql, next, '=')) { /* an option */
        rli_tok v = rli_sql_next_tok(sql, pos);
        char **to = is_word(sql, first, "content")         ? &t->search_of
                    : is_word(sql, first, "content_rowid") ? &t->search_rowid
                                                           : NULL;
        char *value = to ? rli_sql_token_name(sql, v, &oom) : NULL;
        if (value) {
            free(*to);
            *to = value;
        }
        next = rli_sql_next_tok(sql, pos);
    } else if (is_word(sql, next, "unindexed")) { /* a column kept and not searched */
        char *name = rli_sql_token_name(sql, first, &oom);
        for (size_t c = 0; name && c < t->ncols; c++)
            if (strcasecmp(t->cols[c].name, name) == 0) t->cols[c].unindexed = true;
        free(name);
    }
    for (int depth = 0; next.kind != RLI_TOK_END; next = rli_sql_next_tok(sql, pos)) {
        if (is_punct(sql, next, '(')) depth++;
        if ((is_punct(sql, next, ')') && depth-- == 0) || (is_punct(sql, next, ',') && !depth))
            break;
    }
    *end = next;
    return !oom;
}

void rli_sqlite_fts5_of(sch_table *t)
{
    if (!t->is_virtual || !t->sql) return;
    size_t pos = rli_sql_name_end(t->sql);
    rli_tok k = rli_sql_next_tok(t->sql, &pos);
    if (!is_word(t->sql, k, "using")) return;
    if (!is_word(t->sql, rli_sql_next_tok(t->sql, &pos), "fts5")) return;
    if (!is_punct(t->sql, rli_sql_next_tok(t->sql, &pos), '(')) return;
    bool ok = true;
    rli_tok end;
    do {
        rli_tok first = rli_sql_next_tok(t->sql, &pos);
        if (first.kind == RLI_TOK_END || is_punct(t->sql, first, ')')) break;
        ok = argument(t, first, &pos, &end);
    } while (ok && is_punct(t->sql, end, ','));
    if (!ok || (t->search_of && !*t->search_of)) { /* contentless: it shows no other table */
        free(t->search_of);
        free(t->search_rowid);
        t->search_of = t->search_rowid = NULL;
    }
}

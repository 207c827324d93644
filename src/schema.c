/*
 * Schema introspection: any SQLite database, live or loaded from schema.sql into :memory:,
 * becomes one value (struct schema) read through SQLite's own pragmas, never through a
 * hand-written SQL parser.
 *
 *   tables      pragma_table_list (STRICT, WITHOUT ROWID), pragma_table_xinfo (columns with
 *               type, NOT NULL, default, primary key, hidden and generated columns) and
 *               pragma_foreign_key_list (keys with their actions, column-level REFERENCES and
 *               table-level FOREIGN KEY alike)
 *   indexes, views, triggers   sqlite_schema
 *
 * What the pragmas do not tell (DEFERRABLE, CHECK constraints, collations, constraint names)
 * stays in the stored CREATE statement.  Two statements are compared through a normal form
 * made by a tokenizer (not a parser): comments and layout dropped, keywords and plain
 * identifiers lower-cased, identifier quotes removed where they are not needed.  Equal normal
 * forms mean equal definitions; the structured facts say what differs in words.
 */
#include "schema.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- tokenizer ------------------------------------------------------------------------------ */

enum tok_kind { T_END, T_WORD, T_QUOTED_ID, T_STRING, T_NUMBER, T_PUNCT };

typedef struct tok {
    enum tok_kind kind;
    size_t start, end; /* byte range in the source */
} tok;

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

/* Read the token at or after *pos; *pos moves past it. */
static tok next_tok(const char *s, size_t *pos)
{
    size_t i = skip_space(s, *pos);
    tok t = {T_END, i, i};
    char c = s[i];
    if (!c) return t;
    if (c == '\'') {
        t.kind = T_STRING;
        t.end = skip_quoted(s, i, '\'');
    } else if (c == '"' || c == '`' || c == '[') {
        t.kind = T_QUOTED_ID;
        t.end = skip_quoted(s, i, c == '[' ? ']' : c);
    } else if (isalpha((unsigned char)c) || c == '_' || (unsigned char)c >= 0x80) {
        t.kind = T_WORD;
        while (isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == '$' ||
               (unsigned char)s[i] >= 0x80)
            i++;
        t.end = i;
    } else if (isdigit((unsigned char)c) || (c == '.' && isdigit((unsigned char)s[i + 1]))) {
        t.kind = T_NUMBER;
        while (isalnum((unsigned char)s[i]) || s[i] == '.' ||
               ((s[i] == '+' || s[i] == '-') && (s[i - 1] == 'e' || s[i - 1] == 'E')))
            i++;
        t.end = i;
    } else {
        t.kind = T_PUNCT;
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
    if (t.kind == T_QUOTED_ID && n >= 2) {
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
    if (t.kind == T_WORD) {
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
    for (tok t = next_tok(sql, &pos); t.kind != T_END; t = next_tok(sql, &pos)) {
        if (t.kind == T_PUNCT && sql[t.start] == ';') continue;
        if (!first) rli_sb_putn(&b, " ", 1);
        put_tok(&b, sql, t);
        first = false;
    }
    return rli_sb_take(&b);
}

size_t rli_sql_statement_end(const char *sql)
{
    size_t pos = 0;
    for (tok t = next_tok(sql, &pos); t.kind != T_END; t = next_tok(sql, &pos)) {
        if (t.kind != T_PUNCT || sql[t.start] != ';') continue;
        char *head = strndup(sql, t.end);
        bool done = head && sqlite3_complete(head);
        free(head);
        if (done) return t.end; /* a trigger's inner ';' does not complete it */
    }
    return strlen(sql);
}

/* Whether only spaces, comments and ';' follow offset i. */
static bool blank_after(const char *sql, size_t i)
{
    size_t pos = i;
    for (tok t = next_tok(sql, &pos); t.kind != T_END; t = next_tok(sql, &pos))
        if (t.kind != T_PUNCT || sql[t.start] != ';') return false;
    return true;
}

/* The byte offset just after the object name in "CREATE [TEMP] TABLE [IF NOT EXISTS] name". */
size_t rli_sql_name_end(const char *sql)
{
    size_t pos = 0;
    tok t;
    int words = 0;
    for (;;) {
        t = next_tok(sql, &pos);
        if (t.kind == T_END) return pos;
        if (t.kind != T_WORD) break;
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
    tok dot = next_tok(sql, &p2);
    if (dot.kind == T_PUNCT && sql[dot.start] == '.') {
        tok name = next_tok(sql, &p2);
        after = name.end;
    }
    return after;
}

/* Split the parenthesised body of a CREATE TABLE into its top-level items. */
int rli_sql_table_items(const char *sql, char ***out, size_t *n)
{
    size_t pos = rli_sql_name_end(sql);
    tok t = next_tok(sql, &pos);
    *out = NULL;
    *n = 0;
    if (t.kind != T_PUNCT || sql[t.start] != '(') return -1;
    size_t cap = 0, item_start = t.end;
    int depth = 1;
    for (;;) {
        t = next_tok(sql, &pos);
        if (t.kind == T_END) return -1;
        if (t.kind != T_PUNCT) continue;
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
static int count_words(const char *norm, const char *phrase)
{
    int n = 0;
    size_t len = strlen(phrase);
    for (const char *p = norm; (p = strstr(p, phrase)); p += len)
        if ((p == norm || p[-1] == ' ') && (p[len] == ' ' || p[len] == '\0' || p[len] == '(')) n++;
    return n;
}

/* ---- introspection -------------------------------------------------------------------------- */

static char *dup_col(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? strdup((const char *)t) : NULL;
}

static int load_columns(sqlite3 *h, sch_table *t)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(h,
                                "SELECT name, type, \"notnull\", dflt_value, pk, hidden FROM "
                                "pragma_table_xinfo(?1) ORDER BY cid",
                                -1, &st, NULL);
    if (rc != SQLITE_OK) return rc;
    sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        sch_column *nc = realloc(t->cols, (t->ncols + 1) * sizeof *nc);
        if (!nc) break;
        t->cols = nc;
        sch_column *c = &t->cols[t->ncols++];
        c->name = dup_col(st, 0);
        c->type = dup_col(st, 1);
        c->notnull = sqlite3_column_int(st, 2) != 0;
        c->dflt = dup_col(st, 3);
        c->pk = sqlite3_column_int(st, 4);
        c->hidden = sqlite3_column_int(st, 5);
    }
    return sqlite3_finalize(st);
}

static int load_fks(sqlite3 *h, sch_table *t)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(h,
                                "SELECT id, \"table\", \"from\", coalesce(\"to\", ''), on_update, "
                                "on_delete FROM pragma_foreign_key_list(?1) ORDER BY id, seq",
                                -1, &st, NULL);
    if (rc != SQLITE_OK) return rc;
    sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        int id = sqlite3_column_int(st, 0);
        sch_fk *fk = t->nfks ? &t->fks[t->nfks - 1] : NULL;
        if (!fk || fk->id != id) {
            sch_fk *nf = realloc(t->fks, (t->nfks + 1) * sizeof *nf);
            if (!nf) break;
            t->fks = nf;
            fk = &t->fks[t->nfks++];
            memset(fk, 0, sizeof *fk);
            fk->id = id;
            fk->parent = dup_col(st, 1);
            snprintf(fk->on_update, sizeof fk->on_update, "%s", sqlite3_column_text(st, 4));
            snprintf(fk->on_delete, sizeof fk->on_delete, "%s", sqlite3_column_text(st, 5));
        }
        strbuf from, to;
        rli_sb_init(&from);
        rli_sb_init(&to);
        if (fk->from) rli_sb_printf(&from, "%s, ", fk->from);
        if (fk->to) rli_sb_printf(&to, "%s, ", fk->to);
        rli_sb_puts(&from, (const char *)sqlite3_column_text(st, 2));
        rli_sb_puts(&to, (const char *)sqlite3_column_text(st, 3));
        free(fk->from);
        free(fk->to);
        fk->from = rli_sb_take(&from);
        fk->to = rli_sb_take(&to);
    }
    return sqlite3_finalize(st);
}

static void add_object(sch_object **arr, size_t *n, sqlite3_stmt *st)
{
    sch_object *na = realloc(*arr, (*n + 1) * sizeof *na);
    if (!na) return;
    *arr = na;
    sch_object *o = &na[(*n)++];
    o->name = dup_col(st, 1);
    o->table = dup_col(st, 2);
    o->sql = dup_col(st, 3);
    o->norm = rli_sql_normalize(o->sql ? o->sql : "");
}

/* A stored definition must be one statement: anything after it was put there by hand.
 * Returns why (malloc'd), or NULL when sql is one statement. */
static char *stored_sql_problem(const char *name, const char *sql)
{
    if (!sql || blank_after(sql, rli_sql_statement_end(sql))) return NULL;
    strbuf b;
    rli_sb_init(&b);
    rli_sb_puts(&b, "the stored definition of ");
    rli_sb_name(&b, name);
    rli_sb_puts(&b, " in sqlite_schema holds more than one statement; the file has been edited by "
                    "hand or crafted, and reflite will not run it");
    return rli_sb_take(&b);
}

static bool stored_sql_ok(schema *out, sqlite3_stmt *st)
{
    free(out->problem);
    out->problem = stored_sql_problem((const char *)sqlite3_column_text(st, 1),
                                      (const char *)sqlite3_column_text(st, 3));
    return out->problem == NULL;
}

char *rli_schema_stored_problem(sqlite3 *h)
{
    sqlite3_stmt *st;
    char *problem = NULL;
    if (sqlite3_prepare_v2(h, "SELECT name, sql FROM sqlite_schema WHERE sql IS NOT NULL", -1, &st,
                           NULL) != SQLITE_OK)
        return NULL;
    while (!problem && sqlite3_step(st) == SQLITE_ROW)
        problem = stored_sql_problem((const char *)sqlite3_column_text(st, 0),
                                     (const char *)sqlite3_column_text(st, 1));
    sqlite3_finalize(st);
    return problem;
}

int rli_schema_load(sqlite3 *h, schema *out)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(
        h,
        "SELECT s.type, s.name, s.tbl_name, s.sql, coalesce(l.strict, 0), coalesce(l.wr, 0),"
        " coalesce(l.type, '')"
        " FROM sqlite_schema s LEFT JOIN pragma_table_list l ON l.name = s.name AND "
        " l.schema = 'main'"
        " WHERE s.sql IS NOT NULL AND s.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
        " AND s.tbl_name <> 'reflite_migrations' AND coalesce(l.type, '') <> 'shadow'"
        " AND NOT EXISTS (SELECT 1 FROM pragma_table_list x WHERE x.schema = 'main' AND"
        "   x.name = s.tbl_name AND x.type = 'shadow')"
        " ORDER BY s.type, s.name",
        -1, &st, NULL);
    if (rc != SQLITE_OK) return rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *type = (const char *)sqlite3_column_text(st, 0);
        if (!type || !stored_sql_ok(out, st)) {
            rc = SQLITE_CORRUPT;
            break;
        }
        if (strcmp(type, "table") == 0) {
            sch_table *nt = realloc(out->tables, (out->ntables + 1) * sizeof *nt);
            if (!nt) break;
            out->tables = nt;
            sch_table *t = &nt[out->ntables++];
            memset(t, 0, sizeof *t);
            t->name = dup_col(st, 1);
            t->sql = dup_col(st, 3);
            t->norm = rli_sql_normalize(t->sql);
            t->strict = sqlite3_column_int(st, 4) != 0;
            t->without_rowid = sqlite3_column_int(st, 5) != 0;
            t->is_virtual = strcmp((const char *)sqlite3_column_text(st, 6), "virtual") == 0;
            t->autoincrement = count_words(t->norm, "autoincrement") > 0;
            t->deferrable = count_words(t->norm, "deferrable initially deferred");
            t->checks = count_words(t->norm, "check");
        } else if (strcmp(type, "index") == 0) {
            add_object(&out->indexes, &out->nindexes, st);
        } else if (strcmp(type, "view") == 0) {
            add_object(&out->views, &out->nviews, st);
        } else if (strcmp(type, "trigger") == 0) {
            add_object(&out->triggers, &out->ntriggers, st);
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) return rc;
    for (size_t i = 0; i < out->ntables; i++) {
        if ((rc = load_columns(h, &out->tables[i])) != SQLITE_OK) return rc;
        if ((rc = load_fks(h, &out->tables[i])) != SQLITE_OK) return rc;
    }
    return SQLITE_OK;
}

static void free_objects(sch_object *o, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(o[i].name);
        free(o[i].table);
        free(o[i].sql);
        free(o[i].norm);
    }
    free(o);
}

void rli_schema_free(schema *s)
{
    for (size_t i = 0; i < s->ntables; i++) {
        sch_table *t = &s->tables[i];
        for (size_t k = 0; k < t->ncols; k++) {
            free(t->cols[k].name);
            free(t->cols[k].type);
            free(t->cols[k].dflt);
        }
        for (size_t k = 0; k < t->nfks; k++) {
            free(t->fks[k].parent);
            free(t->fks[k].from);
            free(t->fks[k].to);
        }
        free(t->cols);
        free(t->fks);
        free(t->name);
        free(t->sql);
        free(t->norm);
    }
    free(s->tables);
    free(s->problem);
    free_objects(s->indexes, s->nindexes);
    free_objects(s->views, s->nviews);
    free_objects(s->triggers, s->ntriggers);
    memset(s, 0, sizeof *s);
}

sch_table *rli_schema_table(const schema *s, const char *name)
{
    for (size_t i = 0; i < s->ntables; i++)
        if (strcasecmp(s->tables[i].name, name) == 0) return &s->tables[i];
    return NULL;
}

sch_column *rli_table_column(const sch_table *t, const char *name)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (strcasecmp(t->cols[i].name, name) == 0) return &t->cols[i];
    return NULL;
}

sch_object *rli_schema_object(sch_object *arr, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(arr[i].name, name) == 0) return &arr[i];
    return NULL;
}

static void dump_objects(strbuf *b, const sch_object *o, size_t n)
{
    for (size_t i = 0; i < n; i++)
        rli_sb_printf(b, "%s;\n", o[i].sql);
}

char *rli_schema_sql(const schema *s)
{
    strbuf b;
    rli_sb_init(&b);
    for (size_t i = 0; i < s->ntables; i++)
        rli_sb_printf(&b, "%s;\n", s->tables[i].sql);
    dump_objects(&b, s->indexes, s->nindexes);
    dump_objects(&b, s->views, s->nviews);
    dump_objects(&b, s->triggers, s->ntriggers);
    return rli_sb_take(&b);
}

/* Read db's schema into s; on failure the error is set on db. */
int rli_schema_read(rl_db *db, schema *s, const char *op)
{
    int rc = rli_schema_load(db->h, s);
    if (rc == SQLITE_OK) return RL_OK;
    if (s->problem) return rli_err_set(db, RL_ECORRUPT, "%s: %s.", op, s->problem);
    return rli_err_sqlite(db, rc, op);
}

int rl_schema_dump(rl_db *db, char **out)
{
    if (out) *out = NULL;
    if (!db || !out) return RL_EINVAL;
    rli_err_clear(db);
    schema s;
    int code = rli_schema_read(db, &s, "read schema");
    if (code == RL_OK) {
        *out = rli_schema_sql(&s);
        if (!*out) code = rli_err_set(db, RL_ENOMEM, "Out of memory.");
    }
    rli_schema_free(&s);
    return code;
}

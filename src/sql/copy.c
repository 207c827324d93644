/*
 * The statements of a copy between engines (rl_copy, src/migrate/copy.c), written for the
 * destination's dialect from the one schema representation of the source.
 *
 * A column's type goes across by what it holds, not by its name: integer, real, text, blob,
 * boolean, numeric (an integer primary key becomes the engine's generated key).  Kept:
 * columns, NOT NULL, primary keys, defaults that are plain literals, every foreign key with
 * its actions, an index on every key column, and, from a source that states them
 * (PostgreSQL), UNIQUE and CHECK constraints.  Everything else (other indexes, views,
 * triggers, defaults that are expressions) is named in the copy's list of what it left out.
 */
#include "sql/copy.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool has(const char *type, const char *part)
{
    char low[128];
    size_t n = 0;
    for (; type && type[n] && n + 1 < sizeof low; n++)
        low[n] = (char)tolower((unsigned char)type[n]);
    low[n] = '\0';
    return strstr(low, part) != NULL;
}

rl_copy_kind rli_copy_kind(const char *type)
{
    if (has(type, "bool")) return RL_COPY_BOOL;
    if (has(type, "int")) return RL_COPY_INT;
    if (has(type, "char") || has(type, "clob") || has(type, "text")) return RL_COPY_TEXT;
    if (has(type, "blob") || has(type, "bytea") || !type || !*type) return RL_COPY_BLOB_OR_ANY;
    if (has(type, "real") || has(type, "floa") || has(type, "doub")) return RL_COPY_REAL;
    if (has(type, "numeric") || has(type, "decimal")) return RL_COPY_NUMERIC;
    return RL_COPY_TEXT; /* dates, times, json, uuid...: their text */
}

/* The destination's type for a source column (an empty source type is a blob: it keeps any
 * value as it is on SQLite, and bytes on PostgreSQL). */
static const char *dest_type(const rl_dialect *d, const sch_column *c)
{
    switch (rli_copy_kind(c->type)) {
    case RL_COPY_INT:
        return d->types[1];
    case RL_COPY_REAL:
        return d->types[2];
    case RL_COPY_BLOB_OR_ANY:
        return d->types[4];
    case RL_COPY_BOOL:
        return d->types[5];
    case RL_COPY_NUMERIC:
        return "numeric";
    default:
        return d->types[3];
    }
}

/* A default that means the same on both engines: a number, a string, NULL, a boolean. */
static bool literal_default(const char *v)
{
    if (!v) return false;
    if (strcasecmp(v, "NULL") == 0 || strcasecmp(v, "true") == 0 || strcasecmp(v, "false") == 0)
        return true;
    if (v[0] == '\'') { /* one 'text' ('' inside), or PostgreSQL's 'text'::type, and nothing
                         * else: 'a' || f() || 'b' also starts and ends with a quote */
        const char *p = v + 1;
        while (*p && !(p[0] == '\'' && p[1] != '\''))
            p += p[0] == '\'' ? 2 : 1;
        if (*p != '\'') return false;
        if (p[1] == '\0') return true;
        if (p[1] != ':' || p[2] != ':') return false;
        return p[3 + strspn(p + 3, "abcdefghijklmnopqrstuvwxyz ")] == '\0';
    }
    char *end;
    strtod(v, &end);
    return end != v && *end == '\0';
}

/* The literal as the destination writes it: booleans as the dialect spells them, a cast
 * dropped. */
static void put_default(strbuf *b, const rl_dialect *d, const sch_column *c)
{
    const char *v = c->dflt;
    if (rli_copy_kind(c->type) == RL_COPY_BOOL) {
        bool on = strcasecmp(v, "true") == 0 || strcmp(v, "1") == 0 || strcasecmp(v, "'t'") == 0;
        bool off = strcasecmp(v, "false") == 0 || strcmp(v, "0") == 0 || strcasecmp(v, "'f'") == 0;
        if (on || off) {
            rli_sb_puts(b, on ? d->true_ : d->false_);
            return;
        }
    }
    const char *cast = v[0] == '\'' ? strstr(strrchr(v, '\''), "::") : NULL;
    rli_sb_putn(b, v, cast ? (size_t)(cast - v) : strlen(v));
}

/* The one integer primary-key column of t, or NULL. */
const sch_column *rli_copy_int_pk(const sch_table *t)
{
    const sch_column *pk = NULL;
    for (size_t i = 0; i < t->ncols; i++)
        if (t->cols[i].pk) {
            if (pk) return NULL;
            pk = &t->cols[i];
        }
    return pk && rli_copy_kind(pk->type) == RL_COPY_INT ? pk : NULL;
}

static void put_list(strbuf *b, const char *list)
{
    for (const char *p = list; *p;) {
        size_t n = strcspn(p, ",");
        char *one = strndup(p, n);
        if (!one) {
            b->oom = true;
            return;
        }
        rli_sb_puts(b, p == list ? "" : ", ");
        rli_sb_ident(b, one);
        free(one);
        p += n + (p[n] == ',');
    }
}

void rli_copy_key_clause(strbuf *b, const sch_fk *fk)
{
    rli_sb_puts(b, "FOREIGN KEY (");
    put_list(b, fk->from);
    rli_sb_puts(b, ") REFERENCES ");
    rli_sb_ident(b, fk->parent);
    if (fk->to && *fk->to) {
        rli_sb_puts(b, " (");
        put_list(b, fk->to);
        rli_sb_puts(b, ")");
    }
    rli_sb_printf(b, " ON DELETE %s ON UPDATE %s", fk->on_delete, fk->on_update);
}

static void put_column(strbuf *b, const rl_dialect *d, const sch_table *t, const sch_column *c,
                       strbuf *left_out)
{
    rli_sb_ident(b, c->name);
    if (c == rli_copy_int_pk(t)) {
        rli_sb_printf(b, " %s", d->pk_integer);
        return;
    }
    rli_sb_printf(b, " %s", dest_type(d, c));
    if (c->notnull) rli_sb_puts(b, " NOT NULL");
    if (c->dflt && literal_default(c->dflt)) {
        rli_sb_puts(b, " DEFAULT ");
        put_default(b, d, c);
    } else if (c->dflt && strncmp(c->dflt, "GENERATED ", 10) != 0) {
        rli_sb_puts(left_out, "default of ");
        rli_sb_name(left_out, t->name);
        rli_sb_puts(left_out, ".");
        rli_sb_name(left_out, c->name);
        rli_sb_puts(left_out, " (");
        rli_sb_name(left_out, c->dflt);
        rli_sb_puts(left_out, ")\n");
    }
}

char *rli_copy_create_sql(const rl_dialect *d, const sch_table *t, bool keys_inline,
                          strbuf *left_out)
{
    strbuf b;
    rli_sb_init(&b);
    rli_sb_puts(&b, "CREATE TABLE ");
    rli_sb_ident(&b, t->name);
    rli_sb_puts(&b, " (");
    for (size_t i = 0; i < t->ncols; i++) {
        rli_sb_puts(&b, i ? ",\n    " : "\n    ");
        put_column(&b, d, t, &t->cols[i], left_out);
    }
    if (!rli_copy_int_pk(t)) {
        int npk = 0;
        for (size_t i = 0; i < t->ncols; i++)
            npk += t->cols[i].pk != 0;
        for (int k = 1; k <= npk; k++)
            for (size_t i = 0; i < t->ncols; i++)
                if (t->cols[i].pk == k) {
                    rli_sb_puts(&b, k == 1 ? ",\n    PRIMARY KEY (" : ", ");
                    rli_sb_ident(&b, t->cols[i].name);
                }
        if (npk) rli_sb_puts(&b, ")");
    }
    for (size_t i = 0; i < t->ncons; i++)
        if (t->cons[i].kind == 'u' || t->cons[i].kind == 'c')
            rli_sb_printf(&b, ",\n    %s", t->cons[i].def);
    for (size_t i = 0; keys_inline && i < t->nfks; i++) {
        rli_sb_puts(&b, ",\n    ");
        rli_copy_key_clause(&b, &t->fks[i]);
    }
    rli_sb_puts(&b, "\n)");
    return rli_sb_take(&b);
}

char *rli_copy_add_key_sql(const sch_table *t, const sch_fk *fk)
{
    strbuf b;
    rli_sb_init(&b);
    rli_sb_puts(&b, "ALTER TABLE ");
    rli_sb_ident(&b, t->name);
    rli_sb_puts(&b, " ADD ");
    rli_copy_key_clause(&b, fk);
    return rli_sb_take(&b);
}

char *rli_copy_key_index_name(const sch_table *t, const sch_fk *fk)
{
    strbuf name;
    rli_sb_init(&name);
    rli_sb_printf(&name, "%s_", t->name);
    for (const char *p = fk->from; *p; p++)
        rli_sb_putn(&name, *p == ',' ? "_" : p, 1);
    rli_sb_puts(&name, "_idx");
    return rli_sb_take(&name);
}

char *rli_copy_key_index_sql(const sch_table *t, const sch_fk *fk)
{
    char *name = rli_copy_key_index_name(t, fk);
    strbuf b;
    rli_sb_init(&b);
    rli_sb_puts(&b, "CREATE INDEX ");
    rli_sb_ident(&b, name ? name : "");
    rli_sb_puts(&b, " ON ");
    rli_sb_ident(&b, t->name);
    rli_sb_puts(&b, " (");
    put_list(&b, fk->from);
    rli_sb_puts(&b, ")");
    free(name);
    return name ? rli_sb_take(&b) : (rli_sb_free(&b), NULL);
}

/* "a", "b", "c" */
static void put_columns(strbuf *b, const sch_table *t)
{
    for (size_t i = 0; i < t->ncols; i++) {
        rli_sb_puts(b, i ? ", " : "");
        rli_sb_ident(b, t->cols[i].name);
    }
}

char *rli_copy_select_sql(const rl_dialect *d, const sch_table *t, const sch_column *pk)
{
    strbuf b;
    rli_sb_init(&b);
    rli_sb_puts(&b, "SELECT ");
    put_columns(&b, t);
    rli_sb_puts(&b, " FROM ");
    rli_sb_ident(&b, t->name);
    if (pk) { /* keyset pages: ?1 the last key read, ?2 the page size */
        rli_sb_puts(&b, " WHERE ");
        rli_sb_ident(&b, pk->name);
        rli_sb_printf(&b, " > %c1 ORDER BY ", d->placeholder);
        rli_sb_ident(&b, pk->name);
        rli_sb_printf(&b, " LIMIT %c2", d->placeholder);
    }
    return rli_sb_take(&b);
}

char *rli_copy_insert_sql(const rl_dialect *d, const sch_table *t)
{
    strbuf b;
    rli_sb_init(&b);
    rli_sb_puts(&b, "INSERT INTO ");
    rli_sb_ident(&b, t->name);
    rli_sb_puts(&b, " (");
    put_columns(&b, t);
    rli_sb_puts(&b, ") VALUES (");
    for (size_t i = 0; i < t->ncols; i++)
        rli_sb_printf(&b, "%s%c%zu", i ? ", " : "", d->placeholder, i + 1);
    rli_sb_puts(&b, ")");
    return rli_sb_take(&b);
}

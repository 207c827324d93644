/*
 * The statements of a copy between engines (rl_copy, src/migrate/copy.c), written for the
 * destination's dialect from the one schema representation of the source.
 *
 * A column's type goes across by what it holds: integer, real (always 8 bytes: double
 * precision, never PostgreSQL's 4-byte real), text, blob, boolean; NUMERIC(p,s) and
 * VARCHAR(n) with their numbers; DATETIME/TIMESTAMP and DATE as timestamp and date when the
 * copy found every stored value to be one (else text); an integer primary key becomes the
 * engine's generated key.  Kept:
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

/* Whether the type, without blanks at either end, is exactly word (any case). */
static bool is(const char *type, const char *word)
{
    if (!type) return false;
    while (*type == ' ')
        type++;
    size_t n = strlen(word);
    return strncasecmp(type, word, n) == 0 && type[n + strspn(type + n, " ")] == '\0';
}

rl_copy_kind rli_copy_kind(const char *type)
{
    if (has(type, "bool")) return RL_COPY_BOOL;
    if (is(type, "interval") || is(type, "point")) return RL_COPY_TEXT; /* PostgreSQL's */
    if (has(type, "int")) return RL_COPY_INT;
    if (has(type, "char") || has(type, "clob") || has(type, "text")) return RL_COPY_TEXT;
    if (has(type, "blob") || has(type, "bytea") || !type || !*type) return RL_COPY_BLOB_OR_ANY;
    if (has(type, "real") || has(type, "floa") || has(type, "doub")) return RL_COPY_REAL;
    if (has(type, "numeric") || has(type, "decimal")) return RL_COPY_NUMERIC;
    if (has(type, "with time zone")) return RL_COPY_TEXT; /* its text keeps the zone */
    if (has(type, "datetime") || has(type, "timestamp")) return RL_COPY_TIMESTAMP;
    if (is(type, "date")) return RL_COPY_DATE;
    return RL_COPY_TEXT; /* times, json, uuid...: their text */
}

/* The numbers in "(a)" or "(a, b)" closing the type: how many were read (0 when none, when
 * one is out of 0..max, or when anything follows). */
static int type_numbers(const char *type, int max, int *a, int *b)
{
    const char *p = strchr(type, '(');
    if (!p) return 0;
    long v[2] = {0, 0};
    int n = 0;
    for (p++;; n++) {
        p += strspn(p, " ");
        size_t len = strspn(p, "0123456789");
        if (len == 0 || len > 9 || n == 2) return 0;
        v[n] = strtol(p, NULL, 10);
        if (v[n] > max) return 0;
        p += len;
        p += strspn(p, " ");
        if (*p == ')') break;
        if (*p++ != ',') return 0;
    }
    if (p[1 + strspn(p + 1, " ")] != '\0') return 0;
    *a = (int)v[0];
    *b = (int)v[1];
    return n + 1;
}

rl_copy_type rli_copy_type(const char *type)
{
    rl_copy_type t = {rli_copy_kind(type), -1, -1, -1};
    int a = -1, b = 0;
    if (t.kind == RL_COPY_NUMERIC) { /* PostgreSQL: 1 <= p <= 1000; 0 <= s <= p here */
        int n = type_numbers(type, 1000, &a, &b);
        if (n >= 1 && a >= 1 && b <= a) {
            t.precision = a;
            t.scale = n == 2 ? b : 0;
        }
    } else if (t.kind == RL_COPY_TEXT && (has(type, "varchar") || has(type, "character varying"))) {
        if (type_numbers(type, 10485760, &a, &b) == 1 && a >= 1) t.length = a;
    }
    return t;
}

/* The n digits at p as a number from lo to hi, in *out. */
static bool digits(const char *p, size_t n, int lo, int hi, int *out)
{
    int v = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9') return false;
        v = v * 10 + (p[i] - '0');
    }
    *out = v;
    return v >= lo && v <= hi;
}

bool rli_copy_is_timestamp(const char *s, size_t len, bool date_only)
{
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y, m, d, h, mi, sec;
    if (len < 10 || s[4] != '-' || s[7] != '-' || !digits(s, 4, 1, 9999, &y) ||
        !digits(s + 5, 2, 1, 12, &m) || !digits(s + 8, 2, 1, mdays[m - 1], &d))
        return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (m == 2 && d == 29 && !leap) return false;
    if (date_only) return len == 10;
    if (len < 19 || s[10] != ' ' || s[13] != ':' || s[16] != ':' || !digits(s + 11, 2, 0, 23, &h) ||
        !digits(s + 14, 2, 0, 59, &mi) || !digits(s + 17, 2, 0, 59, &sec))
        return false;
    if (len == 19) return true;
    size_t frac = len - 20; /* ".f" to ".ffffff", the last one not 0 */
    int f;
    return s[19] == '.' && frac >= 1 && frac <= 6 && digits(s + 20, frac, 1, 999999, &f) &&
           s[len - 1] != '0';
}

/* The destination's type for a column that goes across as ct (an empty source type is a
 * blob: it keeps any value as it is on SQLite, and bytes on PostgreSQL).  NUMERIC(p,s),
 * VARCHAR(n), TIMESTAMP and DATE are spelled alike on both engines. */
static void put_type(strbuf *b, const rl_dialect *d, const rl_copy_type *ct)
{
    switch (ct->kind) {
    case RL_COPY_INT:
        rli_sb_puts(b, d->types[1]);
        break;
    case RL_COPY_REAL:
        rli_sb_puts(b, d->types[2]);
        break;
    case RL_COPY_BLOB_OR_ANY:
        rli_sb_puts(b, d->types[4]);
        break;
    case RL_COPY_BOOL:
        rli_sb_puts(b, d->types[5]);
        break;
    case RL_COPY_NUMERIC:
        if (ct->precision > 0)
            rli_sb_printf(b, "NUMERIC(%d,%d)", ct->precision, ct->scale);
        else
            rli_sb_puts(b, "NUMERIC");
        break;
    case RL_COPY_TIMESTAMP:
        rli_sb_puts(b, "TIMESTAMP");
        break;
    case RL_COPY_DATE:
        rli_sb_puts(b, "DATE");
        break;
    default:
        if (ct->length > 0)
            rli_sb_printf(b, "VARCHAR(%d)", ct->length);
        else
            rli_sb_puts(b, d->types[3]);
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
                       const rl_copy_type *ct, strbuf *left_out)
{
    rli_sb_ident(b, c->name);
    if (c == rli_copy_int_pk(t)) {
        rli_sb_printf(b, " %s", d->pk_integer);
        return;
    }
    rli_sb_puts(b, " ");
    put_type(b, d, ct);
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

char *rli_copy_create_sql(const rl_dialect *d, const sch_table *t, const rl_copy_type *types,
                          bool keys_inline, strbuf *left_out)
{
    strbuf b;
    rli_sb_init(&b);
    rli_sb_puts(&b, "CREATE TABLE ");
    rli_sb_ident(&b, t->name);
    rli_sb_puts(&b, " (");
    for (size_t i = 0; i < t->ncols; i++) {
        rli_sb_puts(&b, i ? ",\n    " : "\n    ");
        put_column(&b, d, t, &t->cols[i], &types[i], left_out);
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

char *rli_copy_key_index_sql(const sch_table *t, const sch_fk *fk, const char *given)
{
    char *name = given ? strdup(given) : rli_copy_key_index_name(t, fk);
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

char *rli_copy_load_sql(const sch_table *t)
{
    strbuf b;
    rli_sb_init(&b);
    rli_sb_puts(&b, "COPY ");
    rli_sb_ident(&b, t->name);
    rli_sb_puts(&b, " (");
    put_columns(&b, t);
    rli_sb_puts(&b, ") FROM STDIN");
    return rli_sb_take(&b);
}

char *rli_copy_columns_sql(const sch_table *t, uint64_t mask)
{
    strbuf b;
    rli_sb_init(&b);
    rli_sb_puts(&b, "SELECT ");
    for (size_t i = 0, n = 0; i < t->ncols && i < 64; i++)
        if (mask & (UINT64_C(1) << i)) {
            rli_sb_puts(&b, n++ ? ", " : "");
            rli_sb_ident(&b, t->cols[i].name);
        }
    rli_sb_puts(&b, " FROM ");
    rli_sb_ident(&b, t->name);
    return rli_sb_take(&b);
}

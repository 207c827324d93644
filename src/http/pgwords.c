/*
 * PostgreSQL's words for the refusals SQLite gives no words of its own for, so that a client
 * of the server reads the same error on either engine: a NOT NULL column and a duplicate key,
 * with the failing row or key as PostgreSQL shows them ((null, foo); Key (k)=(v)).
 */
#include "http_int.h"

#include <stdio.h>
#include <string.h>

/* v as PostgreSQL writes a value of a row in its messages: text as it is, null, numbers. */
static void value_text(rlh_buf *b, const rl_value *v, rl_kind kind)
{
    switch (v->type) {
    case RL_V_TEXT:
        rlh_adds(b, v->u.s);
        break;
    case RL_V_INT:
        if (kind == RL_KIND_BOOLEAN)
            rlh_adds(b, v->u.i ? "t" : "f");
        else
            rlh_addf(b, "%lld", (long long)v->u.i);
        break;
    case RL_V_REAL:
        rlh_addf(b, "%.15g", v->u.r);
        break;
    case RL_V_BLOB:
        rlh_adds(b, "\\x");
        for (size_t i = 0; i < v->u.b.len; i++)
            rlh_addf(b, "%02x", ((const unsigned char *)v->u.b.data)[i]);
        break;
    default:
        rlh_adds(b, "null");
    }
}

/* The value of column name in row (a row of m), into b; false when m has no such column, or
 * it takes its default (whose value only the engine knows). */
static bool column_text(rlh_buf *b, const rl_model *m, const void *row, const char *name)
{
    if (m->has_pk && strcmp(name, rlh_pk_name(m)) == 0) {
        rl_value pk = rl_int(rlh_row_pk(m, row));
        value_text(b, &pk, RL_KIND_INTEGER);
        return true;
    }
    const rl_field *f = rlh_field(m, name);
    const rl_value *vals = rl_row_values((rl_model *)m, (void *)row); /* a runtime model's */
    if (!f || !vals) return false;
    const rl_value *v = &vals[f - m->fields];
    if (v->type == RL_V_DEFAULT && f->default_sql) return false;
    value_text(b, v, f->kind);
    return true;
}

/* Whether the columns list ("a" or "a, b") is m's primary key. */
static bool is_primary_key(const rl_model *m, const char *list)
{
    if (m->has_pk) return strcmp(list, rlh_pk_name(m)) == 0;
    rlh_buf k = {0};
    for (size_t i = 0; m->primary_key && m->primary_key[i]; i++)
        rlh_addf(&k, "%s%s", i ? ", " : "", m->primary_key[i]);
    bool same = k.data && strcmp(k.data, list) == 0;
    rlh_free(&k);
    return same;
}

/* PostgreSQL's default name of a constraint of table on the columns of list ("a, b"):
 * <table>_<a>_<b><suffix> ("_key", "_fkey"). */
static void default_name(const char *table, const char *list, const char *suffix, char *out,
                         size_t n)
{
    int at = snprintf(out, n, "%.150s_", table);
    for (const char *p = list; *p && at < 280; p++)
        if (*p != ' ') out[at++] = *p == ',' ? '_' : *p;
    snprintf(out + at, n - (size_t)at, "%s", suffix);
}

/* The columns of list ("a,b" or "a, b") into out as "a, b". */
static void list_of(const char *list, char *out, size_t n)
{
    size_t at = 0;
    for (const char *p = list; *p && at + 3 < n; p++) {
        if (*p == ' ') continue;
        out[at++] = *p;
        if (*p == ',') out[at++] = ' ';
    }
    out[at] = '\0';
}

/* A broken key's words: the constraint named as the database names it, else as PostgreSQL's
 * default would (<child>_<columns>_fkey); the value out of its SQL literals. */
static bool fk_words(const rl_models *ms, const rl_fk_detail *k, rlh_words *out)
{
    if (!*k->child_table || !*k->child_column || !*k->parent_table || !*k->value) return false;
    const char *named = rl_models_key_name(ms, rl_models_find(ms, k->child_table), k->child_column);
    char name[300];
    if (named)
        snprintf(name, sizeof name, "%.250s", named);
    else
        default_name(k->child_table, k->child_column, "_fkey", name, sizeof name);
    char *v[RL_MAX_KEY_FIELDS];
    size_t n = rl_key_values(k->value, v, RL_MAX_KEY_FIELDS);
    rlh_buf vals = {0};
    for (size_t i = 0; i < n; i++) {
        rlh_addf(&vals, "%s%s", i ? ", " : "", v[i] ? v[i] : "null");
        free(v[i]);
    }
    const char *shown = vals.data && !vals.oom ? vals.data : "";
    char child[300], parent[300]; /* the keys' columns as PostgreSQL lists them: "a, b" */
    list_of(k->child_column, child, sizeof child);
    list_of(k->parent_column, parent, sizeof parent);
    if (k->parent_side) {
        snprintf(out->message, sizeof out->message,
                 "update or delete on table \"%.100s\" violates foreign key constraint "
                 "\"%.150s\" on table \"%.100s\"",
                 k->parent_table, name, k->child_table);
        snprintf(out->details, sizeof out->details,
                 "Key (%.150s)=(%.250s) is still referenced from table \"%.100s\".", parent, shown,
                 k->child_table);
    } else {
        snprintf(out->message, sizeof out->message,
                 "insert or update on table \"%.100s\" violates foreign key constraint \"%.150s\"",
                 k->child_table, name);
        snprintf(out->details, sizeof out->details,
                 "Key (%.150s)=(%.250s) is not present in table \"%.100s\".", child, shown,
                 k->parent_table);
    }
    rlh_free(&vals);
    return true;
}

bool rlh_pg_words(const rl_models *ms, const rl_error *e, const rl_model *m, const void *row,
                  rlh_words *out)
{
    if (*e->sqlstate) return false;
    if (e->code == RL_EFOREIGNKEY) return fk_words(ms, &e->fk, out);
    if (!m || !*e->column || (e->code != RL_ENOTNULL && e->code != RL_EUNIQUE)) return false;
    rlh_buf b = {0};
    bool ok = true;
    if (e->code == RL_ENOTNULL) {
        snprintf(out->message, sizeof out->message,
                 "null value in column \"%.150s\" of relation \"%.150s\" violates not-null "
                 "constraint",
                 e->column, m->table);
        /* the failing row, every column in the table's order (its integer key first) */
        rlh_adds(&b, "Failing row contains (");
        bool first = true;
        if (m->has_pk) { /* a key the engine was to assign is not known here */
            ok = row && rlh_row_pk(m, row) != 0 && column_text(&b, m, row, rlh_pk_name(m));
            first = false;
        }
        for (size_t f = 0; ok && row && f < m->nfields; f++) {
            if (!first) rlh_adds(&b, ", ");
            first = false;
            ok = column_text(&b, m, row, m->fields[f].name);
        }
        rlh_adds(&b, ").");
    } else {
        /* PostgreSQL's default name of the constraint: <table>_pkey, <table>_<cols>_key */
        char name[300];
        if (is_primary_key(m, e->column))
            snprintf(name, sizeof name, "%.150s_pkey", m->table);
        else
            default_name(m->table, e->column, "_key", name, sizeof name);
        snprintf(out->message, sizeof out->message,
                 "duplicate key value violates unique constraint \"%.250s\"", name);
        rlh_addf(&b, "Key (%s)=(", e->column);
        for (const char *c = e->column; ok && row && *c;) {
            size_t n = strcspn(c, ",");
            char col[200];
            snprintf(col, sizeof col, "%.*s", (int)(n < 199 ? n : 199), c);
            if (c != e->column) rlh_adds(&b, ", ");
            ok = column_text(&b, m, row, col);
            c += n;
            c += strspn(c, ", ");
        }
        rlh_adds(&b, ") already exists.");
    }
    snprintf(out->details, sizeof out->details, "%s", ok && row && b.data && !b.oom ? b.data : "");
    rlh_free(&b);
    return true;
}

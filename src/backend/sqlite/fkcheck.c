/*
 * Foreign-key violations, read exactly.
 *
 * PRAGMA foreign_key_check says which rows break which key by (table, rowid, parent, fkid).
 * That is not enough to compare two states of a database: fkid numbers change when a table is
 * rebuilt with a key added, a WITHOUT ROWID table reports rowid NULL for every row, and a row
 * may break one key before a migration and another after.  So each violation is completed
 * here: the key's columns in the child and the parent (an implicit REFERENCES p resolved to
 * p's primary key), the row's values for every key column, and the row's identity (rowid, or
 * the primary-key values of a WITHOUT ROWID table, found by asking for the rows whose key has
 * no parent).  The identity string joins all of it; two sets are compared by sorting one and
 * searching it, O(n log n) with no cap.
 *
 * A check that cannot run at all ("foreign key mismatch": the parent columns are missing or
 * neither the primary key nor unique) is an error here, never "no violations": the caller
 * gets a sentence naming the key (rli_fk_key_problem).
 *
 * Entry points: rli_fkv_collect, rli_fkv_sort, rli_fkv_contains, rli_fkv_text, rli_fkv_detail,
 * rli_fkv_free (and, in fkkeys.c, rli_fk_key_problem).  Every name goes into SQL as a quoted
 * identifier or a bound parameter.
 *
 * The keys themselves (their columns, and why a key cannot be checked) are read in fkkeys.c.
 */
#include "sql/render.h"
#include "sqlite_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VALUE_DISPLAY_MAX 200 /* longer values are shortened in sentences, not in identities */

/* ---- sets of violations ------------------------------------------------------------------- */

void rli_fkv_free(fk_violations *set)
{
    for (size_t i = 0; i < set->n; i++) {
        fk_violation *x = &set->v[i];
        free(x->table);
        free(x->row);
        free(x->from);
        free(x->parent);
        free(x->to);
        free(x->value);
        free(x->ident);
    }
    free(set->v);
    memset(set, 0, sizeof *set);
}

static void lower_into(strbuf *b, const char *s)
{
    for (; *s; s++) {
        char c = (char)tolower((unsigned char)*s);
        rli_sb_putn(b, &c, 1);
    }
}

static int add_violation(fk_violations *set, const char *table, const fk_key *k, char *row,
                         char *value)
{
    if (set->n == set->cap) {
        size_t cap = set->cap ? set->cap * 2 : 16;
        fk_violation *nv = realloc(set->v, cap * sizeof *nv);
        if (!nv) {
            free(row);
            free(value);
            return SQLITE_NOMEM;
        }
        set->v = nv;
        set->cap = cap;
    }
    strbuf id;
    rli_sb_init(&id);
    lower_into(&id, table);
    rli_sb_putn(&id, "\x1f", 1);
    rli_sb_puts(&id, row ? row : "");
    rli_sb_putn(&id, "\x1f", 1);
    lower_into(&id, k->parent);
    rli_sb_putn(&id, "\x1f", 1);
    lower_into(&id, sb_str(&k->from));
    rli_sb_putn(&id, "\x1f", 1);
    rli_sb_puts(&id, value ? value : "");
    fk_violation x = {.table = strdup(table),
                      .row = row,
                      .from = strdup(sb_str(&k->from)),
                      .parent = strdup(k->parent),
                      .to = strdup(sb_str(&k->to)),
                      .value = value,
                      .on_delete = k->on_delete,
                      .on_update = k->on_update,
                      .ident = rli_sb_take(&id)};
    set->v[set->n++] = x;
    set->sorted = false;
    if (!x.table || !x.row || !x.from || !x.parent || !x.to || !x.value || !x.ident)
        return SQLITE_NOMEM;
    return SQLITE_OK;
}

/* A name for the rowid that no column of the table hides, or NULL if all three are taken. */
static const char *rowid_name(sqlite3 *h, const char *table)
{
    static const char *const names[] = {"rowid", "_rowid_", "oid"};
    for (size_t i = 0; i < 3; i++)
        if (!rli_sqlite_has_column(h, table, names[i])) return names[i];
    return NULL;
}

/* "quote(a) || ', ' || quote(b)", wrapped in parentheses when there are several. */
static void tuple_expr(strbuf *b, const char *alias, char **cols, size_t n)
{
    if (n > 1) rli_sb_puts(b, "'(' || ");
    for (size_t i = 0; i < n; i++) {
        if (i) rli_sb_puts(b, " || ', ' || ");
        rli_sb_puts(b, "quote(");
        rli_sb_puts(b, alias);
        rli_sb_puts(b, ".");
        rli_sb_ident(b, cols[i]);
        rli_sb_puts(b, ")");
    }
    if (n > 1) rli_sb_puts(b, " || ')'");
}

static void col_list(strbuf *b, char **cols, size_t n)
{
    if (n > 1) rli_sb_puts(b, "(");
    for (size_t i = 0; i < n; i++) {
        if (i) rli_sb_puts(b, ", ");
        rli_sb_name(b, cols[i]);
    }
    if (n > 1) rli_sb_puts(b, ")");
}

/*
 * The rows of table that break key k, found by asking for them (for tables whose rows the
 * pragma cannot name: WITHOUT ROWID, or a rowid hidden by columns).  The row is named by its
 * primary key, or by all of its values when it has none.  (Over 60 lines: building the one
 * query and reading its rows stay together.)
 */
static int enumerate_key(sqlite3 *h, const char *table, const fk_key *k, fk_violations *out)
{
    char **id;
    size_t nid;
    int rc = rli_sqlite_pk_columns(h, table, &id, &nid);
    if (rc != SQLITE_OK) return rc;
    if (nid == 0) { /* every column */
        sqlite3_stmt *st;
        rc = sqlite3_prepare_v2(h, "SELECT name FROM pragma_table_info(?1) ORDER BY cid", -1, &st,
                                NULL);
        if (rc != SQLITE_OK) return rc;
        sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
        while (sqlite3_step(st) == SQLITE_ROW)
            if (rli_strs_push(&id, nid, rli_sqlite_dup_text(st, 0))) nid++;
        sqlite3_finalize(st);
    }
    strbuf sql, label, select;
    rli_sb_init(&sql);
    rli_sb_init(&label);
    rli_sb_init(&select);
    col_list(&label, id, nid);
    rli_sb_puts(&label, " = ");
    tuple_expr(&select, "c", id, nid);
    rli_sb_puts(&select, ", ");
    tuple_expr(&select, "c", k->fcols, k->ncols);
    const char **to = calloc(k->ncols + 1, sizeof *to);
    for (size_t i = 0; to && i < k->ncols; i++)
        to[i] = k->tcols[i][0] ? k->tcols[i] : "rowid";
    if (to)
        rli_render_orphans(&sql, sb_str(&select), table, (const char *const *)k->fcols,
                           rli_sqlite_table_exists(h, k->parent) ? k->parent : NULL, to, k->ncols,
                           0);
    else
        sql.oom = true;
    free(to);
    rli_sb_free(&select);
    sqlite3_stmt *st = NULL;
    rc = sql.oom ? SQLITE_NOMEM : sqlite3_prepare_v2(h, sb_str(&sql), -1, &st, NULL);
    while (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
        strbuf row;
        rli_sb_init(&row);
        rli_sb_puts(&row, sb_str(&label));
        rli_sb_puts(&row, (const char *)sqlite3_column_text(st, 0));
        rc = add_violation(out, table, k, rli_sb_take(&row), rli_sqlite_dup_text(st, 1));
    }
    if (st && rc == SQLITE_OK) {
        int frc = sqlite3_reset(st);
        if (frc != SQLITE_OK) rc = frc;
    }
    sqlite3_finalize(st);
    rli_sb_free(&sql);
    rli_sb_free(&label);
    rli_strs_free(id, nid);
    return rc;
}

/* The values of k's columns in the row with the given rowid. */
static char *key_value(sqlite3 *h, sqlite3_stmt **cache, const char *table, const char *rowid,
                       const fk_key *k, int64_t at)
{
    if (!*cache) {
        strbuf sql;
        rli_sb_init(&sql);
        rli_sb_puts(&sql, "SELECT ");
        tuple_expr(&sql, "c", k->fcols, k->ncols);
        rli_sb_puts(&sql, " FROM ");
        rli_sb_ident(&sql, table);
        rli_sb_puts(&sql, " AS c WHERE c.");
        rli_sb_puts(&sql, rowid);
        rli_sb_puts(&sql, " = ?1");
        int rc = sql.oom ? SQLITE_NOMEM : sqlite3_prepare_v2(h, sb_str(&sql), -1, cache, NULL);
        rli_sb_free(&sql);
        if (rc != SQLITE_OK) return NULL;
    }
    sqlite3_bind_int64(*cache, 1, at);
    char *v = sqlite3_step(*cache) == SQLITE_ROW ? rli_sqlite_dup_text(*cache, 0) : NULL;
    sqlite3_reset(*cache);
    return v;
}

/* Tell why table's keys cannot be checked, naming the first key that cannot be. */
static char *table_problem(sqlite3 *h, const char *table, const fk_key *keys, size_t n,
                           const char *sqlite_msg)
{
    for (size_t i = 0; i < n; i++) {
        char *p = rli_fk_problem(h, table, &keys[i]);
        if (p) return p;
    }
    strbuf b;
    rli_sb_init(&b);
    rli_sb_puts(&b, "the foreign keys of ");
    rli_sb_name(&b, table);
    rli_sb_puts(&b, " cannot be checked: ");
    rli_sb_name(&b, sqlite_msg);
    return rli_sb_take(&b);
}

static int collect_table(sqlite3 *h, const char *table, fk_violations *out, char **problem)
{
    fk_key *keys;
    size_t nkeys;
    int rc = rli_fk_load_keys(h, table, &keys, &nkeys);
    if (rc != SQLITE_OK || nkeys == 0) return rc;
    sqlite3_stmt *st;
    rc = sqlite3_prepare_v2(h, "SELECT rowid, fkid FROM pragma_foreign_key_check(?1)", -1, &st,
                            NULL);
    if (rc == SQLITE_OK) sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    const char *rowid = rowid_name(h, table);
    sqlite3_stmt **cache = calloc(nkeys, sizeof *cache);
    bool *enumerate = calloc(nkeys, sizeof *enumerate);
    if (!cache || !enumerate) rc = SQLITE_NOMEM;
    while (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int fkid = sqlite3_column_int(st, 1);
        size_t ki = 0;
        while (ki < nkeys && keys[ki].id != fkid)
            ki++;
        if (ki == nkeys) continue;
        rc = SQLITE_OK;
        if (sqlite3_column_type(st, 0) == SQLITE_NULL || !rowid) {
            enumerate[ki] = true;
            continue;
        }
        int64_t at = sqlite3_column_int64(st, 0);
        char label[48];
        snprintf(label, sizeof label, "rowid %lld", (long long)at);
        char *value = key_value(h, &cache[ki], table, rowid, &keys[ki], at);
        rc = add_violation(out, table, &keys[ki], strdup(label), value ? value : strdup("?"));
    }
    if (rc == SQLITE_DONE) rc = SQLITE_OK;
    if (rc != SQLITE_OK && rc != SQLITE_NOMEM && problem)
        *problem = table_problem(h, table, keys, nkeys, sqlite3_errmsg(h));
    sqlite3_finalize(st);
    for (size_t i = 0; i < nkeys && rc == SQLITE_OK; i++)
        if (enumerate[i]) rc = enumerate_key(h, table, &keys[i], out);
    for (size_t i = 0; cache && i < nkeys; i++)
        sqlite3_finalize(cache[i]);
    free(cache);
    free(enumerate);
    rli_fk_keys_free(keys, nkeys);
    return rc;
}

int rli_main_tables(sqlite3 *h, char ***names, size_t *n)
{
    sqlite3_stmt *st;
    *names = NULL;
    *n = 0;
    int rc = sqlite3_prepare_v2(h,
                                "SELECT name FROM pragma_table_list WHERE schema = 'main' AND "
                                "type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
                                "ORDER BY name",
                                -1, &st, NULL);
    if (rc != SQLITE_OK) return rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (rli_strs_push(names, *n, rli_sqlite_dup_text(st, 0))) (*n)++;
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int rli_fkv_collect(sqlite3 *h, const char *table, fk_violations *out, char **problem)
{
    if (problem) *problem = NULL;
    if (table) return collect_table(h, table, out, problem);
    char **names;
    size_t n;
    int rc = rli_main_tables(h, &names, &n);
    for (size_t i = 0; i < n && rc == SQLITE_OK; i++)
        rc = collect_table(h, names[i], out, problem);
    rli_strs_free(names, n);
    return rc;
}

int rli_fkv_collect_like(sqlite3 *h, const fk_violations *like, fk_violations *out, char **problem)
{
    if (problem) *problem = NULL;
    int rc = SQLITE_OK;
    /* A table's violations are contiguous, as collected and as sorted (the identity starts
     * with the table): a table starts where the previous entry's table differs. */
    for (size_t i = 0; i < like->n && rc == SQLITE_OK; i++)
        if (i == 0 || strcasecmp(like->v[i - 1].table, like->v[i].table) != 0)
            rc = collect_table(h, like->v[i].table, out, problem);
    return rc;
}

static int cmp_ident(const void *a, const void *b)
{
    return strcmp(((const fk_violation *)a)->ident, ((const fk_violation *)b)->ident);
}

void rli_fkv_sort(fk_violations *set)
{
    if (set->n > 1) qsort(set->v, set->n, sizeof *set->v, cmp_ident);
    set->sorted = true;
}

bool rli_fkv_contains(const fk_violations *set, const fk_violation *x)
{
    if (!set || !set->n) return false;
    return bsearch(x, set->v, set->n, sizeof *set->v, cmp_ident) != NULL;
}

static void value_display(strbuf *b, const char *v)
{
    size_t n = strlen(v);
    if (n <= VALUE_DISPLAY_MAX) {
        rli_sb_name(b, v);
        return;
    }
    char *cut = strndup(v, VALUE_DISPLAY_MAX);
    rli_sb_name(b, cut ? cut : "");
    free(cut);
    rli_sb_printf(b, "... (%zu bytes)", n);
}

/* "(a, b) = (1, 9) has no matching row in p(x, y)" */
static void key_sentence(strbuf *b, const fk_violation *x)
{
    bool composite = strchr(x->from, ',') != NULL;
    if (composite) rli_sb_puts(b, "(");
    rli_sb_name(b, x->from);
    if (composite) rli_sb_puts(b, ")");
    rli_sb_puts(b, " = ");
    value_display(b, x->value);
    rli_sb_puts(b, " has no matching row in ");
    rli_sb_name(b, x->parent);
    rli_sb_puts(b, "(");
    rli_sb_name(b, x->to);
    rli_sb_puts(b, ")");
}

char *rli_fkv_text(const fk_violation *x)
{
    strbuf b;
    rli_sb_init(&b);
    rli_sb_name(&b, x->table);
    rli_sb_puts(&b, " ");
    rli_sb_name(&b, x->row);
    rli_sb_puts(&b, ": ");
    key_sentence(&b, x);
    return rli_sb_take(&b);
}

void rli_fkv_detail(const fk_violation *x, rl_fk_detail *d)
{
    memset(d, 0, sizeof *d);
    d->child_table = x->table;
    d->child_column = x->from;
    d->parent_table = x->parent;
    d->parent_column = x->to;
    d->value = x->value;
    d->action = x->on_delete;
}

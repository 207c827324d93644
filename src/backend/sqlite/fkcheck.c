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
 * rli_fkv_free, rli_fk_key_problem.  Every name goes into SQL as a quoted identifier or a bound
 * parameter.
 *
 * About 700 lines: reading violations exactly is one mechanism (keys, rows, identities,
 * comparison); splitting it would spread one essay over several files.
 */
#include "sqlite_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VALUE_DISPLAY_MAX 200 /* longer values are shortened in sentences, not in identities */

/* One foreign key of a table, every column. */
typedef struct fk_key {
    int id;
    char *parent;
    strbuf from, to; /* quoted-free comma lists for messages */
    char **fcols, **tcols;
    size_t ncols;
    rl_action on_delete, on_update;
} fk_key;

static char *dup_text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return strdup(t ? (const char *)t : "");
}

static bool push_str(char ***arr, size_t n, char *s)
{
    char **na = realloc(*arr, (n + 1) * sizeof *na);
    if (!na || !s) {
        if (na) *arr = na;
        free(s);
        return false;
    }
    *arr = na;
    na[n] = s;
    return true;
}

static void key_free(fk_key *k)
{
    free(k->parent);
    rli_sb_free(&k->from);
    rli_sb_free(&k->to);
    for (size_t i = 0; i < k->ncols; i++) {
        free(k->fcols[i]);
        free(k->tcols[i]);
    }
    free(k->fcols);
    free(k->tcols);
}

static void keys_free(fk_key *keys, size_t n)
{
    for (size_t i = 0; i < n; i++)
        key_free(&keys[i]);
    free(keys);
}

/* The primary-key columns of table, in key order (none for a table without one). */
static int pk_columns(sqlite3 *h, const char *table, char ***out, size_t *n)
{
    sqlite3_stmt *st;
    *out = NULL;
    *n = 0;
    int rc = sqlite3_prepare_v2(
        h, "SELECT name FROM pragma_table_info(?1) WHERE pk > 0 ORDER BY pk", -1, &st, NULL);
    if (rc != SQLITE_OK) return rc;
    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (push_str(out, *n, dup_text(st, 0))) (*n)++;
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static void free_strs(char **a, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(a[i]);
    free(a);
}

/* Every foreign key of table, implicit targets resolved to the parent's primary key.  One
 * pass over the pragma's rows, grouping them by key id (over 60 lines: the grouping and its
 * error paths read best together). */
static int load_keys(sqlite3 *h, const char *table, fk_key **out, size_t *nout)
{
    sqlite3_stmt *st;
    *out = NULL;
    *nout = 0;
    int rc = sqlite3_prepare_v2(h,
                                "SELECT id, \"table\", \"from\", \"to\", on_update, on_delete "
                                "FROM pragma_foreign_key_list(?1) ORDER BY id, seq",
                                -1, &st, NULL);
    if (rc != SQLITE_OK) return rc;
    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    fk_key *keys = NULL;
    size_t n = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        int id = sqlite3_column_int(st, 0);
        if (!n || keys[n - 1].id != id) {
            fk_key *nk = realloc(keys, (n + 1) * sizeof *nk);
            if (!nk) {
                rc = SQLITE_NOMEM;
                break;
            }
            keys = nk;
            fk_key *k = &keys[n++];
            memset(k, 0, sizeof *k);
            k->id = id;
            k->parent = dup_text(st, 1);
            k->on_update = rli_action_from_sql((const char *)sqlite3_column_text(st, 4));
            k->on_delete = rli_action_from_sql((const char *)sqlite3_column_text(st, 5));
        }
        fk_key *k = &keys[n - 1];
        char *to = sqlite3_column_type(st, 3) == SQLITE_NULL ? strdup("") : dup_text(st, 3);
        if (!push_str(&k->fcols, k->ncols, dup_text(st, 2))) {
            free(to);
            rc = SQLITE_NOMEM;
            break;
        }
        if (!push_str(&k->tcols, k->ncols, to)) {
            free(k->fcols[k->ncols]);
            rc = SQLITE_NOMEM;
            break;
        }
        k->ncols++;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        keys_free(keys, n);
        return rc == SQLITE_ROW ? SQLITE_ERROR : rc;
    }
    for (size_t i = 0; i < n; i++) {
        fk_key *k = &keys[i];
        if (k->ncols && !k->tcols[0][0]) { /* REFERENCES parent: its primary key */
            char **pk;
            size_t npk;
            if (pk_columns(h, k->parent, &pk, &npk) == SQLITE_OK && npk == k->ncols) {
                for (size_t c = 0; c < k->ncols; c++) {
                    free(k->tcols[c]);
                    k->tcols[c] = pk[c];
                }
                free(pk);
            } else {
                free_strs(pk, npk);
            }
        }
        for (size_t c = 0; c < k->ncols; c++) {
            rli_sb_puts(&k->from, c ? ", " : "");
            rli_sb_puts(&k->from, k->fcols[c]);
            rli_sb_puts(&k->to, c ? ", " : "");
            rli_sb_puts(&k->to, k->tcols[c][0] ? k->tcols[c] : "rowid");
        }
    }
    *out = keys;
    *nout = n;
    return SQLITE_OK;
}

static bool table_exists(sqlite3 *h, const char *name)
{
    sqlite3_stmt *st;
    bool found = false;
    if (sqlite3_prepare_v2(h,
                           "SELECT 1 FROM pragma_table_list WHERE schema = 'main' AND name = ?1 "
                           "COLLATE NOCASE AND type IN ('table', 'virtual')",
                           -1, &st, NULL) != SQLITE_OK)
        return false;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return found;
}

static bool has_column(sqlite3 *h, const char *table, const char *col)
{
    sqlite3_stmt *st;
    bool found = false;
    if (sqlite3_prepare_v2(h, "SELECT 1 FROM pragma_table_xinfo(?1) WHERE name = ?2 COLLATE NOCASE",
                           -1, &st, NULL) != SQLITE_OK)
        return false;
    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, col, -1, SQLITE_STATIC);
    found = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return found;
}

/* Whether the set of names a equals the set b (case-insensitive). */
static bool same_set(char **a, size_t na, char **b, size_t nb)
{
    if (na != nb) return false;
    for (size_t i = 0; i < na; i++) {
        bool found = false;
        for (size_t j = 0; j < nb && !found; j++)
            found = strcasecmp(a[i], b[j]) == 0;
        if (!found) return false;
    }
    return true;
}

/* Whether some complete (not partial) unique index of table covers exactly cols. */
static bool unique_on(sqlite3 *h, const char *table, char **cols, size_t n)
{
    sqlite3_stmt *ix, *ic;
    bool found = false;
    if (sqlite3_prepare_v2(h,
                           "SELECT name FROM pragma_index_list(?1) WHERE \"unique\" = 1 AND "
                           "partial = 0",
                           -1, &ix, NULL) != SQLITE_OK)
        return false;
    if (sqlite3_prepare_v2(h, "SELECT name FROM pragma_index_info(?1) ORDER BY seqno", -1, &ic,
                           NULL) != SQLITE_OK) {
        sqlite3_finalize(ix);
        return false;
    }
    sqlite3_bind_text(ix, 1, table, -1, SQLITE_STATIC);
    while (!found && sqlite3_step(ix) == SQLITE_ROW) {
        char **got = NULL;
        size_t ngot = 0;
        bool expr = false;
        sqlite3_bind_text(ic, 1, (const char *)sqlite3_column_text(ix, 0), -1, SQLITE_TRANSIENT);
        while (sqlite3_step(ic) == SQLITE_ROW) {
            if (sqlite3_column_type(ic, 0) == SQLITE_NULL) expr = true;
            if (push_str(&got, ngot, dup_text(ic, 0))) ngot++;
        }
        sqlite3_reset(ic);
        found = !expr && same_set(got, ngot, cols, n);
        free_strs(got, ngot);
    }
    sqlite3_finalize(ic);
    sqlite3_finalize(ix);
    return found;
}

static char *key_problem(sqlite3 *h, const char *table, const fk_key *k)
{
    strbuf b;
    rli_sb_init(&b);
    rli_sb_puts(&b, "foreign key ");
    rli_sb_name(&b, table);
    rli_sb_puts(&b, "(");
    rli_sb_name(&b, sb_str(&k->from));
    rli_sb_puts(&b, ") -> ");
    rli_sb_name(&b, k->parent);
    size_t head = b.len;
    if (!table_exists(h, k->parent)) {
        rli_sb_puts(&b, ": table ");
        rli_sb_name(&b, k->parent);
        rli_sb_puts(&b, " does not exist");
        return rli_sb_take(&b);
    }
    char **pk;
    size_t npk;
    if (pk_columns(h, k->parent, &pk, &npk) != SQLITE_OK) pk = NULL, npk = 0;
    bool implicit = k->ncols && !k->tcols[0][0];
    if (implicit) {
        if (npk != k->ncols) {
            rli_sb_printf(&b, ": %s has %zu primary-key column%s but the key has %zu", "the parent",
                          npk, npk == 1 ? "" : "s", k->ncols);
        }
    } else {
        rli_sb_puts(&b, "(");
        rli_sb_name(&b, sb_str(&k->to));
        rli_sb_puts(&b, ")");
        head = b.len;
        for (size_t c = 0; c < k->ncols && b.len == head; c++)
            if (!has_column(h, k->parent, k->tcols[c])) {
                rli_sb_puts(&b, ": column ");
                rli_sb_name(&b, k->parent);
                rli_sb_puts(&b, ".");
                rli_sb_name(&b, k->tcols[c]);
                rli_sb_puts(&b, " does not exist");
            }
        if (b.len == head && !same_set(pk, npk, k->tcols, k->ncols) &&
            !unique_on(h, k->parent, k->tcols, k->ncols)) {
            rli_sb_puts(&b, ": ");
            rli_sb_name(&b, k->parent);
            rli_sb_puts(&b, "(");
            rli_sb_name(&b, sb_str(&k->to));
            rli_sb_puts(&b, ") is neither the primary key nor unique");
        }
    }
    free_strs(pk, npk);
    if (b.len == head) {
        rli_sb_free(&b);
        return NULL;
    }
    return rli_sb_take(&b);
}

char *rli_fk_key_problem(sqlite3 *h, const char *table, int fkid)
{
    fk_key *keys;
    size_t n;
    if (load_keys(h, table, &keys, &n) != SQLITE_OK) return NULL;
    char *p = NULL;
    for (size_t i = 0; i < n && !p; i++)
        if (keys[i].id == fkid) p = key_problem(h, table, &keys[i]);
    keys_free(keys, n);
    return p;
}

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
        if (!has_column(h, table, names[i])) return names[i];
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
    int rc = pk_columns(h, table, &id, &nid);
    if (rc != SQLITE_OK) return rc;
    if (nid == 0) { /* every column */
        sqlite3_stmt *st;
        rc = sqlite3_prepare_v2(h, "SELECT name FROM pragma_table_info(?1) ORDER BY cid", -1, &st,
                                NULL);
        if (rc != SQLITE_OK) return rc;
        sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
        while (sqlite3_step(st) == SQLITE_ROW)
            if (push_str(&id, nid, dup_text(st, 0))) nid++;
        sqlite3_finalize(st);
    }
    strbuf sql, label;
    rli_sb_init(&sql);
    rli_sb_init(&label);
    col_list(&label, id, nid);
    rli_sb_puts(&label, " = ");
    rli_sb_puts(&sql, "SELECT ");
    tuple_expr(&sql, "c", id, nid);
    rli_sb_puts(&sql, ", ");
    tuple_expr(&sql, "c", k->fcols, k->ncols);
    rli_sb_puts(&sql, " FROM ");
    rli_sb_ident(&sql, table);
    rli_sb_puts(&sql, " AS c WHERE ");
    for (size_t i = 0; i < k->ncols; i++) {
        rli_sb_puts(&sql, "c.");
        rli_sb_ident(&sql, k->fcols[i]);
        rli_sb_puts(&sql, " IS NOT NULL AND ");
    }
    if (table_exists(h, k->parent)) {
        rli_sb_puts(&sql, "NOT EXISTS (SELECT 1 FROM ");
        rli_sb_ident(&sql, k->parent);
        rli_sb_puts(&sql, " AS p WHERE ");
        for (size_t i = 0; i < k->ncols; i++) {
            if (i) rli_sb_puts(&sql, " AND ");
            rli_sb_puts(&sql, "p.");
            rli_sb_ident(&sql, k->tcols[i][0] ? k->tcols[i] : "rowid");
            rli_sb_puts(&sql, " = c.");
            rli_sb_ident(&sql, k->fcols[i]);
        }
        rli_sb_puts(&sql, ")");
    } else {
        rli_sb_puts(&sql, "1");
    }
    sqlite3_stmt *st = NULL;
    rc = sql.oom ? SQLITE_NOMEM : sqlite3_prepare_v2(h, sb_str(&sql), -1, &st, NULL);
    while (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
        strbuf row;
        rli_sb_init(&row);
        rli_sb_puts(&row, sb_str(&label));
        rli_sb_puts(&row, (const char *)sqlite3_column_text(st, 0));
        rc = add_violation(out, table, k, rli_sb_take(&row), dup_text(st, 1));
    }
    if (st && rc == SQLITE_OK) {
        int frc = sqlite3_reset(st);
        if (frc != SQLITE_OK) rc = frc;
    }
    sqlite3_finalize(st);
    rli_sb_free(&sql);
    rli_sb_free(&label);
    free_strs(id, nid);
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
    char *v = sqlite3_step(*cache) == SQLITE_ROW ? dup_text(*cache, 0) : NULL;
    sqlite3_reset(*cache);
    return v;
}

/* Tell why table's keys cannot be checked, naming the first key that cannot be. */
static char *table_problem(sqlite3 *h, const char *table, const fk_key *keys, size_t n,
                           const char *sqlite_msg)
{
    for (size_t i = 0; i < n; i++) {
        char *p = key_problem(h, table, &keys[i]);
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
    int rc = load_keys(h, table, &keys, &nkeys);
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
    keys_free(keys, nkeys);
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
        if (push_str(names, *n, dup_text(st, 0))) (*n)++;
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
    free_strs(names, n);
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

/*
 * The foreign keys of a table as the violation reader needs them (fkcheck.c): every column of
 * every key, implicit targets resolved to the parent's primary key, and, for a key that
 * cannot be checked at all ("foreign key mismatch"), the sentence that says why.  Every name
 * goes into SQL as a bound parameter.
 */
#include "sqlite_int.h"
#include "core/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *rli_sqlite_dup_text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return strdup(t ? (const char *)t : "");
}

bool rli_strs_push(char ***arr, size_t n, char *s)
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

void rli_fk_keys_free(fk_key *keys, size_t n)
{
    for (size_t i = 0; i < n; i++)
        key_free(&keys[i]);
    free(keys);
}

/* The primary-key columns of table, in key order (none for a table without one). */
int rli_sqlite_pk_columns(sqlite3 *h, const char *table, char ***out, size_t *n)
{
    sqlite3_stmt *st;
    *out = NULL;
    *n = 0;
    int rc = sqlite3_prepare_v2(
        h, "SELECT name FROM pragma_table_info(?1) WHERE pk > 0 ORDER BY pk", -1, &st, NULL);
    if (rc != SQLITE_OK) return rc;
    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        if (rli_strs_push(out, *n, rli_sqlite_dup_text(st, 0))) (*n)++;
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

void rli_strs_free(char **a, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(a[i]);
    free(a);
}

/* Every foreign key of table, implicit targets resolved to the parent's primary key.  One
 * pass over the pragma's rows, grouping them by key id (over 60 lines: the grouping and its
 * error paths read best together). */
int rli_fk_load_keys(sqlite3 *h, const char *table, fk_key **out, size_t *nout)
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
            k->parent = rli_sqlite_dup_text(st, 1);
            k->on_update = rli_action_from_sql((const char *)sqlite3_column_text(st, 4));
            k->on_delete = rli_action_from_sql((const char *)sqlite3_column_text(st, 5));
        }
        fk_key *k = &keys[n - 1];
        char *to =
            sqlite3_column_type(st, 3) == SQLITE_NULL ? strdup("") : rli_sqlite_dup_text(st, 3);
        if (!rli_strs_push(&k->fcols, k->ncols, rli_sqlite_dup_text(st, 2))) {
            free(to);
            rc = SQLITE_NOMEM;
            break;
        }
        if (!rli_strs_push(&k->tcols, k->ncols, to)) {
            free(k->fcols[k->ncols]);
            rc = SQLITE_NOMEM;
            break;
        }
        k->ncols++;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        rli_fk_keys_free(keys, n);
        return rc == SQLITE_ROW ? SQLITE_ERROR : rc;
    }
    for (size_t i = 0; i < n; i++) {
        fk_key *k = &keys[i];
        if (k->ncols && !k->tcols[0][0]) { /* REFERENCES parent: its primary key */
            char **pk;
            size_t npk;
            if (rli_sqlite_pk_columns(h, k->parent, &pk, &npk) == SQLITE_OK && npk == k->ncols) {
                for (size_t c = 0; c < k->ncols; c++) {
                    free(k->tcols[c]);
                    k->tcols[c] = pk[c];
                }
                free(pk);
            } else {
                rli_strs_free(pk, npk);
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

bool rli_sqlite_table_exists(sqlite3 *h, const char *name)
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

bool rli_sqlite_has_column(sqlite3 *h, const char *table, const char *col)
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
            if (rli_strs_push(&got, ngot, rli_sqlite_dup_text(ic, 0))) ngot++;
        }
        sqlite3_reset(ic);
        found = !expr && same_set(got, ngot, cols, n);
        rli_strs_free(got, ngot);
    }
    sqlite3_finalize(ic);
    sqlite3_finalize(ix);
    return found;
}

char *rli_fk_problem(sqlite3 *h, const char *table, const fk_key *k)
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
    if (!rli_sqlite_table_exists(h, k->parent)) {
        rli_sb_puts(&b, ": table ");
        rli_sb_name(&b, k->parent);
        rli_sb_puts(&b, " does not exist");
        return rli_sb_take(&b);
    }
    char **pk;
    size_t npk;
    if (rli_sqlite_pk_columns(h, k->parent, &pk, &npk) != SQLITE_OK) pk = NULL, npk = 0;
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
            if (!rli_sqlite_has_column(h, k->parent, k->tcols[c])) {
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
    rli_strs_free(pk, npk);
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
    if (rli_fk_load_keys(h, table, &keys, &n) != SQLITE_OK) return NULL;
    char *p = NULL;
    for (size_t i = 0; i < n && !p; i++)
        if (keys[i].id == fkid) p = rli_fk_problem(h, table, &keys[i]);
    rli_fk_keys_free(keys, n);
    return p;
}

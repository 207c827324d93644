/*
 * rl_check on SQLite: what is wrong with a database, in sentences.
 *
 * Three passes.  integrity_check for the file itself.  foreign_key_check for rows whose key
 * has no parent (rows that got in while foreign keys were off, which is how most SQLite
 * databases acquire them), each described with its key column and value.  And lint over the
 * schema: a foreign-key column with no index makes every delete of a parent scan the child
 * table; a key to a table that does not exist, or to columns that are not unique, makes every
 * write to the child fail with "foreign key mismatch".
 */
#include "sqlite_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct checker {
    rl_db *db;
    rl_finding_fn fn;
    void *ctx;
    int64_t count;
    bool stop;
} checker;

static void report(checker *c, rl_finding_kind kind, const char *msg, int64_t rowid,
                   const rl_fk_detail *fk, const char *check)
{
    c->count++;
    if (c->stop || !c->fn) return;
    rl_finding f = {.kind = kind, .message = msg, .rowid = rowid, .fk = fk, .check = check};
    if (c->fn(&f, c->ctx)) c->stop = true;
}

static int check_integrity(checker *c)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(rli_sqlite_h(c->db), "PRAGMA integrity_check", -1, &st, NULL);
    if (rc != SQLITE_OK) return rli_err_sqlite(c->db, rc, "integrity check");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *line = (const char *)sqlite3_column_text(st, 0);
        if (line && strcmp(line, "ok") != 0) {
            strbuf msg;
            rli_sb_init(&msg);
            rli_sb_puts(&msg, "integrity: ");
            rli_sb_name(&msg, line);
            report(c, RL_FINDING_INTEGRITY, sb_str(&msg), 0, NULL, NULL);
            rli_sb_free(&msg);
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? RL_OK : rli_err_sqlite(c->db, rc, "integrity check");
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

/* Table by table, so that one table whose keys cannot be checked at all ("foreign key
 * mismatch") does not hide the others; lint names the key that cannot be checked. */
static int check_foreign_keys(checker *c, char **names, size_t n)
{
    for (size_t t = 0; t < n && !c->stop; t++) {
        fk_violations set = {0};
        char *problem = NULL;
        rli_fkv_collect(rli_sqlite_h(c->db), names[t], &set, &problem);
        free(problem);
        for (size_t i = 0; i < set.n && !c->stop; i++) {
            const fk_violation *x = &set.v[i];
            char *text = rli_fkv_text(x);
            strbuf msg;
            rli_sb_init(&msg);
            rli_sb_printf(&msg, "foreign key: %s.", text ? text : "");
            free(text);
            rl_fk_detail d;
            rli_fkv_detail(x, &d);
            int64_t rowid = strncmp(x->row, "rowid ", 6) == 0 ? strtoll(x->row + 6, NULL, 10) : 0;
            report(c, RL_FINDING_FOREIGN_KEY, sb_str(&msg), rowid, &d, NULL);
            rli_sb_free(&msg);
        }
        rli_fkv_free(&set);
    }
    return RL_OK;
}

/* Keys whose first child column is not the leftmost column of any index (or the rowid). */
static const char *UNINDEXED_SQL =
    "SELECT f.\"from\", f.\"table\" FROM pragma_foreign_key_list(?1) f"
    " WHERE f.seq = 0"
    " AND NOT EXISTS (SELECT 1 FROM pragma_index_list(?1) i, pragma_index_info(i.name) c"
    "                 WHERE c.seqno = 0 AND c.name = f.\"from\" COLLATE NOCASE)"
    " AND NOT EXISTS (SELECT 1 FROM pragma_table_info(?1) t WHERE t.pk = 1"
    "                 AND t.name = f.\"from\" COLLATE NOCASE AND upper(t.type) = 'INTEGER'"
    "                 AND (SELECT count(*) FROM pragma_table_info(?1) WHERE pk > 0) = 1)"
    " ORDER BY f.id";

static int lint_table(checker *c, sqlite3_stmt *unindexed, sqlite3_stmt *ids, const char *table)
{
    sqlite3_bind_text(unindexed, 1, table, -1, SQLITE_STATIC);
    while (sqlite3_step(unindexed) == SQLITE_ROW && !c->stop) {
        strbuf m;
        rli_sb_init(&m);
        rli_sb_puts(&m, "lint: ");
        rli_sb_name(&m, table);
        rli_sb_puts(&m, "(");
        rli_sb_name(&m, (const char *)sqlite3_column_text(unindexed, 0));
        rli_sb_puts(&m, ") references ");
        rli_sb_name(&m, (const char *)sqlite3_column_text(unindexed, 1));
        rli_sb_puts(&m, " but has no index: every delete or key change in ");
        rli_sb_name(&m, (const char *)sqlite3_column_text(unindexed, 1));
        rli_sb_puts(&m, " scans ");
        rli_sb_name(&m, table);
        rli_sb_puts(&m, ".");
        report(c, RL_FINDING_LINT, sb_str(&m), 0, NULL, "unindexed-key");
        rli_sb_free(&m);
    }
    sqlite3_reset(unindexed);
    sqlite3_bind_text(ids, 1, table, -1, SQLITE_STATIC);
    while (sqlite3_step(ids) == SQLITE_ROW && !c->stop) {
        char *problem = rli_fk_key_problem(rli_sqlite_h(c->db), table, sqlite3_column_int(ids, 0));
        if (!problem) continue;
        strbuf m;
        rli_sb_init(&m);
        rli_sb_printf(&m, "lint: %s, so every write to ", problem);
        rli_sb_name(&m, table);
        rli_sb_puts(&m, " fails with a foreign key mismatch.");
        report(c, RL_FINDING_LINT, sb_str(&m), 0, NULL, "broken-key");
        rli_sb_free(&m);
        free(problem);
    }
    sqlite3_reset(ids);
    return RL_OK;
}

static int check_lint(checker *c, char **names, size_t n)
{
    sqlite3_stmt *unindexed, *ids;
    int rc = sqlite3_prepare_v2(rli_sqlite_h(c->db), UNINDEXED_SQL, -1, &unindexed, NULL);
    if (rc != SQLITE_OK) return rli_err_sqlite(c->db, rc, "lint");
    rc = sqlite3_prepare_v2(rli_sqlite_h(c->db),
                            "SELECT DISTINCT id FROM pragma_foreign_key_list(?1)", -1, &ids, NULL);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(unindexed);
        return rli_err_sqlite(c->db, rc, "lint");
    }
    for (size_t i = 0; i < n && !c->stop; i++)
        lint_table(c, unindexed, ids, names[i]);
    sqlite3_finalize(unindexed);
    sqlite3_finalize(ids);
    return RL_OK;
}

int rli_sqlite_check(rl_db *db, const rl_check_options *opts, rl_finding_fn fn, void *ctx,
                     int64_t *count)
{
    checker c = {.db = db, .fn = fn, .ctx = ctx};
    int code = check_integrity(&c);
    char *crafted = code == RL_OK ? rli_schema_stored_problem(rli_sqlite_h(db)) : NULL;
    if (crafted) { /* a stored definition that carries more than its statement */
        strbuf m;
        rli_sb_init(&m);
        rli_sb_printf(&m, "integrity: %s.", crafted);
        report(&c, RL_FINDING_INTEGRITY, sb_str(&m), 0, NULL, NULL);
        rli_sb_free(&m);
        free(crafted);
    }
    char **names = NULL;
    size_t n = 0;
    if (code == RL_OK) {
        int rc = rli_main_tables(rli_sqlite_h(db), &names, &n);
        if (rc != SQLITE_OK) code = rli_err_sqlite(db, rc, "check");
    }
    if (code == RL_OK) code = check_foreign_keys(&c, names, n);
    if (code == RL_OK && !(opts && opts->no_lint)) code = check_lint(&c, names, n);
    free_names(names, n);
    if (count) *count = c.count;
    return code;
}

/*
 * rl_check: what is wrong with a database, in sentences.
 *
 * Three passes.  integrity_check for the file itself.  foreign_key_check for rows whose key
 * has no parent (rows that got in while foreign keys were off, which is how most SQLite
 * databases acquire them), each described with its key column and value.  And lint over the
 * schema: a foreign-key column with no index makes every delete of a parent scan the child
 * table; a key to a table that does not exist, or to columns that are not unique, makes every
 * write to the child fail with "foreign key mismatch".
 */
#include "internal.h"

#include <stdio.h>
#include <string.h>

typedef struct checker {
    rl_db *db;
    rl_finding_fn fn;
    void *ctx;
    int64_t count;
    bool stop;
} checker;

static void report(checker *c, rl_finding_kind kind, const char *msg, int64_t rowid,
                   const rl_fk_detail *fk)
{
    c->count++;
    if (c->stop || !c->fn) return;
    rl_finding f = {.kind = kind, .message = msg, .rowid = rowid, .fk = fk};
    if (c->fn(&f, c->ctx)) c->stop = true;
}

static int check_integrity(checker *c)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(c->db->h, "PRAGMA integrity_check", -1, &st, NULL);
    if (rc != SQLITE_OK) return err_sqlite(c->db, rc, "integrity check");
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *line = (const char *)sqlite3_column_text(st, 0);
        if (line && strcmp(line, "ok") != 0) {
            char msg[600];
            snprintf(msg, sizeof msg, "integrity: %s", line);
            report(c, RL_FINDING_INTEGRITY, msg, 0, NULL);
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? RL_OK : err_sqlite(c->db, rc, "integrity check");
}

/* Table by table, so that one table whose keys cannot be checked at all (a key to columns
 * that are not unique: "foreign key mismatch") does not hide the others; lint reports it. */
static int check_foreign_keys(checker *c)
{
    sqlite3_stmt *tables, *st;
    int rc = sqlite3_prepare_v2(c->db->h,
                                "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name",
                                -1, &tables, NULL);
    if (rc != SQLITE_OK) return err_sqlite(c->db, rc, "foreign key check");
    rc = sqlite3_prepare_v2(c->db->h, "SELECT * FROM pragma_foreign_key_check(?1)", -1, &st, NULL);
    if (rc != SQLITE_OK) {
        sqlite3_finalize(tables);
        return err_sqlite(c->db, rc, "foreign key check");
    }
    while (sqlite3_step(tables) == SQLITE_ROW && !c->stop) {
        sqlite3_bind_text(st, 1, (const char *)sqlite3_column_text(tables, 0), -1,
                          SQLITE_TRANSIENT);
        while (sqlite3_step(st) == SQLITE_ROW && !c->stop) {
            violation v;
            snprintf(v.table, sizeof v.table, "%s", (const char *)sqlite3_column_text(st, 0));
            v.rowid = sqlite3_column_int64(st, 1);
            snprintf(v.parent, sizeof v.parent, "%s", (const char *)sqlite3_column_text(st, 2));
            v.fkid = sqlite3_column_int(st, 3);
            rl_fk_detail d;
            char text[700], msg[800];
            violation_text(c->db, &v, &d, text, sizeof text);
            snprintf(msg, sizeof msg, "foreign key: %s.", text);
            report(c, RL_FINDING_FOREIGN_KEY, msg, v.rowid, &d);
        }
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    sqlite3_finalize(tables);
    return RL_OK;
}

/* Keys whose first child column is not the leftmost column of any index (or the rowid). */
static const char *UNINDEXED_SQL =
    "SELECT m.name, f.\"from\", f.\"table\" FROM sqlite_schema m, pragma_foreign_key_list(m.name) f"
    " WHERE m.type = 'table' AND f.seq = 0"
    " AND NOT EXISTS (SELECT 1 FROM pragma_index_list(m.name) i, pragma_index_info(i.name) c"
    "                 WHERE c.seqno = 0 AND c.name = f.\"from\" COLLATE NOCASE)"
    " AND NOT EXISTS (SELECT 1 FROM pragma_table_info(m.name) t WHERE t.pk = 1"
    "                 AND t.name = f.\"from\" COLLATE NOCASE AND upper(t.type) = 'INTEGER'"
    "                 AND (SELECT count(*) FROM pragma_table_info(m.name) WHERE pk > 0) = 1)"
    " ORDER BY m.name, f.id";

/* Keys to a missing table, and single-column keys to a column that is neither the primary
 * key nor covered by a one-column unique index. */
static const char *TARGET_SQL =
    "SELECT m.name, f.\"from\", f.\"table\", coalesce(f.\"to\", ''),"
    "  (SELECT count(*) FROM sqlite_schema p WHERE p.type = 'table' AND p.name = f.\"table\" "
    "   COLLATE NOCASE),"
    "  f.\"to\" IS NULL"
    "  OR EXISTS (SELECT 1 FROM pragma_table_info(f.\"table\") t WHERE t.pk = 1 AND t.name = "
    "             f.\"to\" COLLATE NOCASE AND (SELECT count(*) FROM pragma_table_info(f.\"table\")"
    "             WHERE pk > 0) = 1)"
    "  OR EXISTS (SELECT 1 FROM pragma_index_list(f.\"table\") i WHERE i.\"unique\" = 1"
    "             AND (SELECT count(*) FROM pragma_index_info(i.name)) = 1"
    "             AND (SELECT name FROM pragma_index_info(i.name)) = f.\"to\" COLLATE NOCASE)"
    " FROM sqlite_schema m, pragma_foreign_key_list(m.name) f"
    " WHERE m.type = 'table' AND f.seq = 0"
    "  AND (SELECT count(*) FROM pragma_foreign_key_list(m.name) g WHERE g.id = f.id) = 1"
    " ORDER BY m.name, f.id";

static int check_lint(checker *c)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(c->db->h, UNINDEXED_SQL, -1, &st, NULL);
    if (rc != SQLITE_OK) return err_sqlite(c->db, rc, "lint");
    while (sqlite3_step(st) == SQLITE_ROW && !c->stop) {
        char msg[600];
        snprintf(msg, sizeof msg,
                 "lint: %s(%s) references %s but has no index: every delete or key change in "
                 "%s scans %s.",
                 sqlite3_column_text(st, 0), sqlite3_column_text(st, 1), sqlite3_column_text(st, 2),
                 sqlite3_column_text(st, 2), sqlite3_column_text(st, 0));
        report(c, RL_FINDING_LINT, msg, 0, NULL);
    }
    sqlite3_finalize(st);
    rc = sqlite3_prepare_v2(c->db->h, TARGET_SQL, -1, &st, NULL);
    if (rc != SQLITE_OK) return err_sqlite(c->db, rc, "lint");
    while (sqlite3_step(st) == SQLITE_ROW && !c->stop) {
        char msg[600];
        const char *child = (const char *)sqlite3_column_text(st, 0);
        const char *from = (const char *)sqlite3_column_text(st, 1);
        const char *parent = (const char *)sqlite3_column_text(st, 2);
        const char *to = (const char *)sqlite3_column_text(st, 3);
        if (sqlite3_column_int(st, 4) == 0) {
            snprintf(msg, sizeof msg,
                     "lint: %s(%s) references table %s, which does not exist: every write to "
                     "%s fails.",
                     child, from, parent, child);
            report(c, RL_FINDING_LINT, msg, 0, NULL);
        } else if (sqlite3_column_int(st, 5) == 0) {
            snprintf(msg, sizeof msg,
                     "lint: %s(%s) references %s(%s), which is neither the primary key nor "
                     "unique: every write to %s fails with a foreign key mismatch.",
                     child, from, parent, to, child);
            report(c, RL_FINDING_LINT, msg, 0, NULL);
        }
    }
    sqlite3_finalize(st);
    return RL_OK;
}

int rl_check(rl_db *db, rl_finding_fn fn, void *ctx, int64_t *count)
{
    if (!db) return RL_EINVAL;
    err_clear(db);
    checker c = {.db = db, .fn = fn, .ctx = ctx};
    int code = check_integrity(&c);
    if (code == RL_OK) code = check_foreign_keys(&c);
    if (code == RL_OK) code = check_lint(&c);
    if (count) *count = c.count;
    return code;
}

/*
 * Migrations on SQLite, applying a plan (the refusals that come first are the core's:
 * src/migrate/apply.c).
 *
 * Execution follows the one order that works.  PRAGMA foreign_keys is silently ignored inside
 * a transaction, so it is switched off before BEGIN and read back; a DROP TABLE with keys on
 * would run ON DELETE CASCADE against the children.  Everything then happens in one BEGIN
 * IMMEDIATE: steps (each exactly one statement), every copy counted on arrival, the
 * violations read, a history row, COMMIT; keys go back on after.
 *
 * A damaged file is refused (RL_ECORRUPT) with nothing changed: PRAGMA quick_check runs
 * before anything else or, in WAL mode, beside the steps on a second connection, and the
 * migration commits only when it has said "ok" (damage.c).  After the steps, a foreign-key check
 * that cannot run (a key to columns that are neither the primary key nor unique) is a failure
 * naming the key, never "no violations".  If violations appear, the transaction is rolled back and
 * the violations that existed before are read from the untouched database; they are compared
 * exactly (table, row, key columns, values) after sorting, and only if every violation was already
 * there is the migration run again, so the common path pays for one check, not two.  A refusal
 * lists only what the migration would add, and says how many were there before.
 */
#define _GNU_SOURCE /* asprintf */
#include "migrate/migrate.h"
#include "sqlite_int.h"
#include "core/error.h"
#include "core/stmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#define LISTED 8 /* new violations named in a refusal; the rest are counted */

static void progress(const rl_migrate_options *o, const char *stage, const char *table,
                     int64_t done, int64_t total)
{
    if (o && o->progress) o->progress(stage, table, done, total, o->progress_ctx);
}

/*
 * Copy in chunks of COPY_CHUNK rows by inclusive rowid ranges: [INT64_MIN, r1], [r1 + 1, r2],
 * ... where r is the last rowid of each chunk; the last range ends at INT64_MAX, so no rowid
 * (INT64_MIN and INT64_MAX included) falls between two ranges.  Chunks are for reporting
 * progress: finding each chunk's end walks its rowids, so without a progress callback the
 * copy is one range, [INT64_MIN, INT64_MAX].
 */
static int copy_chunks(rl_db *db, const step *s, sqlite3_stmt *ins, const rl_migrate_options *o)
{
    if (!o || !o->progress) {
        sqlite3_bind_int64(ins, 1, INT64_MIN);
        sqlite3_bind_int64(ins, 2, INT64_MAX);
        int rc = rli_sqlite_step_done(ins);
        return rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
    strbuf sql;
    rli_sb_init(&sql);
    rli_sb_printf(&sql, "SELECT %s FROM main.", s->rowid);
    rli_sb_ident(&sql, s->table);
    rli_sb_printf(&sql, " WHERE %s >= ?1 ORDER BY %s LIMIT 1 OFFSET %d", s->rowid, s->rowid,
                  COPY_CHUNK - 1);
    sqlite3_stmt *bound = NULL;
    int rc = sql.oom ? SQLITE_NOMEM
                     : sqlite3_prepare_v2(rli_sqlite_h(db), sb_str(&sql), -1, &bound, NULL);
    rli_sb_free(&sql);
    int64_t total = rli_count_rows(rli_sqlite_h(db), s->table, NULL, NULL);
    int64_t lo = INT64_MIN, done = 0;
    progress(o, "copy", s->table, 0, total);
    while (rc == SQLITE_OK) {
        sqlite3_bind_int64(bound, 1, lo);
        int64_t hi = INT64_MAX;
        if (sqlite3_step(bound) == SQLITE_ROW) hi = sqlite3_column_int64(bound, 0);
        rc = sqlite3_reset(bound);
        if (rc != SQLITE_OK) break;
        sqlite3_bind_int64(ins, 1, lo);
        sqlite3_bind_int64(ins, 2, hi);
        rc = rli_sqlite_step_done(ins);
        if (rc != SQLITE_DONE) break;
        rc = SQLITE_OK;
        done += sqlite3_changes64(rli_sqlite_h(db));
        progress(o, "copy", s->table, done, total);
        if (hi == INT64_MAX) break;
        lo = hi + 1;
    }
    sqlite3_finalize(bound);
    return rc;
}

/* Run a copy step, then prove every row arrived: the counts of source and copy must match. */
static int run_copy(rl_db *db, const step *s, const rl_migrate_options *o, char **why)
{
    sqlite3_stmt *ins;
    int rc = sqlite3_prepare_v2(rli_sqlite_h(db), s->sql, -1, &ins, NULL);
    if (rc != SQLITE_OK) return rc;
    if (s->chunked) {
        rc = copy_chunks(db, s, ins, o);
    } else {
        rc = rli_sqlite_step_done(ins);
        rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
    sqlite3_finalize(ins);
    if (rc != SQLITE_OK) return rc;
    int64_t from = rli_count_rows(rli_sqlite_h(db), s->table, NULL, NULL),
            to = rli_count_rows(rli_sqlite_h(db), s->dest, NULL, NULL);
    if (from != to || from < 0) {
        char *t = rli_name_disp(s->table);
        if (asprintf(why, "copying %s carried %lld of its %lld rows", t ? t : "?", (long long)to,
                     (long long)from) < 0)
            *why = NULL;
        free(t);
        return SQLITE_ERROR;
    }
    return SQLITE_OK;
}

/* Roll back and switch keys on again; returns code. */
static int abort_run(rl_db *db, int code)
{
    rli_exec_sql(db, "ROLLBACK");
    rli_set_foreign_keys(db, true);
    return code;
}

static int write_history(rl_db *db, const rl_plan *p)
{
    int rc =
        rli_exec_sql(db, "CREATE TABLE IF NOT EXISTS " HISTORY_TABLE
                         " (id INTEGER PRIMARY KEY, applied_at TEXT NOT NULL, schema_hash TEXT "
                         "NOT NULL, statements TEXT NOT NULL)");
    sqlite3_stmt *st = NULL;
    if (rc == SQLITE_OK)
        rc =
            sqlite3_prepare_v2(rli_sqlite_h(db),
                               "INSERT INTO " HISTORY_TABLE " (applied_at, schema_hash, "
                               "statements) VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ?1, ?2)",
                               -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, p->hash, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, sb_str(&p->text), -1, SQLITE_STATIC);
        rc = rli_sqlite_step_done(st);
        rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
    sqlite3_finalize(st);
    return rc;
}

/* The result of one attempt: the violations found after the steps (when there were any). */
typedef struct outcome {
    fk_violations after;
    bool need_baseline;
} outcome;

static int run_steps(rl_db *db, const rl_plan *p, const rl_migrate_options *o, damage_check *c)
{
    for (size_t i = 0; i < p->nsteps; i++) {
        const step *s = &p->steps[i];
        char *why = NULL;
        int rc = s->kind == STEP_COPY ? run_copy(db, s, o, &why)
                                      : rli_exec_one(rli_sqlite_h(db), s->sql, &why);
        if (rc == SQLITE_OK) continue;
        int code =
            rli_damage_check_finish(c); /* a damaged file is the cause, whatever the step says */
        if (code != RL_OK) {
            free(why);
            return abort_run(db, code);
        }
        char *head = strndup(s->sql, 150);
        char *hd = rli_name_disp(head ? head : "");
        code = rli_err_set(db, RL_EMIGRATE,
                           "migrate: '%s' failed: %s. The migration was rolled back; the "
                           "database is unchanged.",
                           hd ? hd : "", why ? why : sqlite3_errmsg(rli_sqlite_h(db)));
        free(head);
        free(hd);
        free(why);
        return abort_run(db, code);
    }
    return RL_OK;
}

/* One attempt.  With baseline NULL, violations make it roll back and ask for the baseline;
 * with a baseline, only violations not in it refuse the migration. */
static int apply_once(rl_db *db, const rl_plan *p, const rl_migrate_options *o,
                      const fk_violations *baseline, damage_check *c, outcome *out)
{
    if (rli_set_foreign_keys(db, false) != RL_OK) {
        rli_set_foreign_keys(db, true);
        return rli_err_set(db, RL_EMIGRATE,
                           "migrate: foreign keys could not be switched off; nothing was changed.");
    }
    int rc = rli_exec_sql(db, "BEGIN IMMEDIATE");
    if (rc != SQLITE_OK) {
        int code = rli_err_sqlite(db, rc, "migrate: begin");
        rli_set_foreign_keys(db, true);
        return code;
    }
    int code = run_steps(db, p, o, c);
    if (code != RL_OK) return code;
    if ((code = rli_damage_check_finish(c)) != RL_OK) return abort_run(db, code);
    progress(o, "check", NULL, 0, 0);
    char *problem = NULL;
    rc = rli_fkv_collect(rli_sqlite_h(db), NULL, &out->after, &problem);
    if (rc != SQLITE_OK) {
        code = problem ? rli_err_set(db, RL_EMIGRATE,
                                     "migrate: refused: after the migration, %s. The migration was "
                                     "rolled back; the database is unchanged.",
                                     problem)
                       : rli_err_sqlite(db, rc, "migrate: foreign key check");
        free(problem);
        return abort_run(db, code);
    }
    size_t fresh = 0;
    for (size_t i = 0; i < out->after.n; i++)
        if (!rli_fkv_contains(baseline, &out->after.v[i])) fresh++;
    if (fresh) {
        out->need_baseline = !baseline;
        return abort_run(db, RL_EMIGRATE);
    }
    rc = write_history(db, p);
    if (rc == SQLITE_OK) {
        progress(o, "commit", NULL, 0, 0);
        rc = rli_exec_sql(db, "COMMIT");
    }
    if (rc != SQLITE_OK) return abort_run(db, rli_err_sqlite(db, rc, "migrate: commit"));
    if (rli_set_foreign_keys(db, true) != RL_OK)
        return rli_err_set(db, RL_EMIGRATE,
                           "migrate: applied, but foreign keys could not be switched back on; "
                           "reopen the connection.");
    return RL_OK;
}

static int report_violations(rl_db *db, const fk_violations *after, const fk_violations *before,
                             const char *before_problem)
{
    strbuf b;
    rli_sb_init(&b);
    size_t fresh = 0;
    for (size_t i = 0; i < after->n; i++) {
        if (rli_fkv_contains(before, &after->v[i])) continue;
        if (fresh < LISTED) {
            char *t = rli_fkv_text(&after->v[i]);
            rli_sb_printf(&b, "%s%s", fresh ? "; " : "", t ? t : "");
            free(t);
        }
        fresh++;
    }
    size_t old = before ? before->n : 0;
    strbuf tail;
    rli_sb_init(&tail);
    if (before_problem)
        rli_sb_printf(&tail,
                      " The violations from before the migration could not be read (%s), so "
                      "every violation counts as new.",
                      before_problem);
    else if (old)
        rli_sb_printf(&tail, " %zu violation%s that existed before the migration %s not counted.",
                      old, old == 1 ? "" : "s", old == 1 ? "is" : "are");
    int code = rli_err_set(db, RL_EMIGRATE,
                           "migrate: the new schema would break %zu foreign key%s (%s%s).%s The "
                           "migration was rolled back; the database is unchanged.",
                           fresh, fresh == 1 ? "" : "s", sb_str(&b), fresh > LISTED ? "; ..." : "",
                           sb_str(&tail));
    rli_sb_free(&b);
    rli_sb_free(&tail);
    return code;
}

/* Bytes a table occupies (dbstat), or the whole file for table NULL or where dbstat is not
 * compiled in. */
static int64_t table_bytes(sqlite3 *h, const char *table)
{
    sqlite3_stmt *st;
    int64_t n = 0;
    if (table && sqlite3_prepare_v2(h, "SELECT sum(pgsize) FROM dbstat WHERE name = ?1", -1, &st,
                                    NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW) n = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    if (n == 0 && sqlite3_prepare_v2(h,
                                     "SELECT page_count * page_size FROM pragma_page_count, "
                                     "pragma_page_size",
                                     -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW) n = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    return n;
}

/* Free space on the database's file system must hold a copy of every rebuilt table. */
static int check_space(rl_db *db, const rl_plan *p)
{
    const char *file = sqlite3_db_filename(rli_sqlite_h(db), "main");
    if (!file || !*file || p->nrebuilt == 0) return RL_OK;
    struct statvfs vfs;
    if (statvfs(file, &vfs) != 0) return RL_OK;
    int64_t avail = (int64_t)vfs.f_bavail * (int64_t)vfs.f_frsize;
    /* The whole file bounds the rebuilt tables from above, and is known without reading
     * them: only when that bound does not fit are the tables measured (dbstat reads them). */
    if (avail >= 2 * table_bytes(rli_sqlite_h(db), NULL)) return RL_OK;
    int64_t need = 0;
    for (size_t i = 0; i < p->nrebuilt; i++)
        need += table_bytes(rli_sqlite_h(db), p->rebuilt[i]);
    if (avail < need * 2)
        return rli_err_set(db, RL_ENOSPACE,
                           "migrate: rebuilding needs about %lld bytes free (a copy of the tables "
                           "and their journal) but only %lld are available; nothing was changed.",
                           (long long)(need * 2), (long long)avail);
    return RL_OK;
}

/* The violations like those in after that the database had before: read after the plan's
 * renames (so that they name tables and columns as after does), which are rolled back. */
static void baseline(rl_db *db, const rl_plan *p, const fk_violations *after, fk_violations *base,
                     char **problem)
{
    sqlite3 *h = rli_sqlite_h(db);
    bool renamed = p->nrename_steps && rli_exec_one(h, "SAVEPOINT rl_baseline", NULL) == SQLITE_OK;
    for (size_t i = 0; renamed && i < p->nrename_steps; i++)
        rli_exec_one(h, p->steps[i].sql, NULL);
    rli_fkv_collect_like(h, after, base, problem);
    if (renamed) {
        rli_exec_one(h, "ROLLBACK TO rl_baseline", NULL);
        rli_exec_one(h, "RELEASE rl_baseline", NULL);
    }
}

int rli_sqlite_apply(rl_db *db, const rl_plan *p, const rl_migrate_options *opts)
{
    int code = check_space(db, p);
    if (code != RL_OK) return code;
    damage_check check;
    if ((code = rli_damage_check_start(db, &check)) != RL_OK) {
        rli_damage_check_free(&check);
        return code;
    }
    outcome out = {0};
    code = apply_once(db, p, opts, NULL, &check, &out);
    if (code == RL_EMIGRATE && out.need_baseline) {
        /* Violations appeared: were they there before?  Read them from the untouched
         * database and run again if nothing new broke. */
        fk_violations base = {0};
        char *problem = NULL;
        baseline(db, p, &out.after, &base, &problem);
        rli_fkv_sort(&base);
        size_t fresh = 0;
        for (size_t i = 0; i < out.after.n; i++)
            if (!rli_fkv_contains(&base, &out.after.v[i])) fresh++;
        if (fresh || problem) {
            code = report_violations(db, &out.after, &base, problem);
        } else {
            outcome again = {0};
            code = apply_once(db, p, opts, &base, &check, &again);
            if (code == RL_EMIGRATE && again.after.n)
                code = report_violations(db, &again.after, &base, NULL);
            rli_fkv_free(&again.after);
        }
        free(problem);
        rli_fkv_free(&base);
    }
    rli_fkv_free(&out.after);
    rli_damage_check_free(&check);
    return code;
}

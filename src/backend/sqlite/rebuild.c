/*
 * Migrations, planning: diff two schema values and plan the SQL that brings the database to
 * the target without losing a row or a foreign-key action.  Applying the plan is in
 * apply.c.
 *
 * A table whose normal form differs is changed natively when SQLite has an ALTER TABLE whose
 * result is exactly the target: the ALTERs are tried on a scratch in-memory copy of the table
 * and kept only if the resulting CREATE statement normalizes to the target's.  Anything else
 * is a rebuild that folds all of the table's changes into one: create a new table under a
 * name nothing else uses from the target's own CREATE statement (so column-level REFERENCES
 * actions, DEFERRABLE, CHECKs, collations, STRICT and WITHOUT ROWID come across verbatim),
 * copy every row, drop the old table, rename the new one into place.  The old table is never
 * renamed: with foreign keys off SQLite would otherwise rewrite the children's REFERENCES to
 * the dead name.  Views and triggers are dropped first and recreated last, because a rename
 * re-parses every view and trigger that mentions a missing table.  A virtual table (FTS5...)
 * that changes is rebuilt the same way with CREATE VIRTUAL TABLE; its shadow tables are the
 * module's business and never part of the schema.
 *
 * What a plan would lose is decided by looking at the data (loss.c).
 *
 * Text that comes from a database file or a schema file is only ever run one statement at a
 * time, in a guarded scratch database (scratch.c): stored SQL with anything after its
 * statement, ATTACH, pragmas, DML and endless queries are refused there.
 */
#define _GNU_SOURCE /* asprintf */
#include "migrate/migrate.h"
#include "sql/render.h"
#include "sqlite_int.h"
#include "core/error.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int64_t rli_count_rows(sqlite3 *h, const char *table, const char *column, const char *cond)
{
    strbuf sql;
    rli_sb_init(&sql);
    rli_render_count(&sql, "main", table, column, cond);
    sqlite3_stmt *st;
    int64_t n = -1;
    if (!sql.oom && sqlite3_prepare_v2(h, sb_str(&sql), -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW) n = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    rli_sb_free(&sql);
    return n;
}

static char *column_def(const sch_table *t, const char *name)
{
    char **items;
    size_t n;
    char *found = NULL;
    if (rli_sql_table_items(t->sql, &items, &n) != 0) return NULL;
    for (size_t i = 0; i < n; i++) {
        char *norm = rli_sql_normalize(items[i]);
        size_t len = strcspn(norm, " ");
        char *first = strndup(norm, len);
        char *want = rli_sql_normalize(name);
        bool match = first && want && strcmp(first, want) == 0;
        if (!match && want && first && first[0] == '"') {
            /* a quoted name that needed quotes */
            char *q = rli_quoted(name);
            char *qn = rli_sql_normalize(q);
            match = qn && strcmp(first, qn) == 0;
            free(q);
            free(qn);
        }
        if (match && !found) found = strdup(items[i]);
        free(first);
        free(want);
        free(norm);
    }
    for (size_t i = 0; i < n; i++)
        free(items[i]);
    free(items);
    return found;
}

/* Whether name is free in the database and the target (every kind of object). */
static bool name_free(sqlite3 *h, const schema *tgt, const char *name)
{
    if (rli_schema_table(tgt, name) || rli_schema_object(tgt->indexes, tgt->nindexes, name) ||
        rli_schema_object(tgt->views, tgt->nviews, name) ||
        rli_schema_object(tgt->triggers, tgt->ntriggers, name))
        return false;
    sqlite3_stmt *st;
    bool used = true;
    if (sqlite3_prepare_v2(h,
                           "SELECT 1 FROM sqlite_schema WHERE name = ?1 COLLATE NOCASE UNION ALL "
                           "SELECT 1 FROM sqlite_temp_schema WHERE name = ?1 COLLATE NOCASE",
                           -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
        used = sqlite3_step(st) == SQLITE_ROW;
        sqlite3_finalize(st);
    }
    return !used;
}

/* "rl_new_<t>", or "rl_new_<t>_2", "_3"... : a name no object of either schema has. */
char *rli_sqlite_temp_name(sqlite3 *h, const schema *tgt, const char *prefix, const char *table)
{
    for (int i = 1; i < 1000; i++) {
        char *name = NULL;
        if ((i == 1 ? asprintf(&name, "%s%s", prefix, table)
                    : asprintf(&name, "%s%s_%d", prefix, table, i)) < 0)
            return NULL;
        if (name_free(h, tgt, name)) return name;
        free(name);
    }
    return NULL;
}

/* Append s to the n statements (taking s; freed and false on failure). */
static bool push_stmt(char ***stmts, size_t *n, char *s)
{
    char **ns = s ? realloc(*stmts, (*n + 1) * sizeof *ns) : NULL;
    if (!ns) {
        free(s);
        return false;
    }
    *stmts = ns;
    ns[(*n)++] = s;
    return true;
}

/* Whether the statements, run on a scratch copy of table c (and its indexes), leave exactly
 * the target's CREATE statement (normalized). */
static bool alters_reach_target(const schema *cur, const sch_table *c, const sch_table *t,
                                char **stmts, size_t n)
{
    scratch sc;
    if (rli_scratch_open(&sc) != SQLITE_OK) return false;
    char *err = NULL;
    bool ok = rli_scratch_load(&sc, c->sql, &err) == SQLITE_OK;
    for (size_t i = 0; ok && i < cur->nindexes; i++)
        if (rli_same_name(cur->indexes[i].table, c->name)) {
            free(err);
            err = NULL;
            rli_scratch_load(&sc, cur->indexes[i].sql, &err);
        }
    for (size_t i = 0; ok && i < n; i++) {
        free(err);
        err = NULL;
        ok = rli_scratch_load(&sc, stmts[i], &err) == SQLITE_OK;
    }
    free(err);
    sqlite3_stmt *st;
    if (ok && sqlite3_prepare_v2(sc.h, "SELECT sql FROM sqlite_schema WHERE name = ?1", -1, &st,
                                 NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
        ok = false;
        if (sqlite3_step(st) == SQLITE_ROW) {
            char *norm = rli_sql_normalize((const char *)sqlite3_column_text(st, 0));
            ok = norm && strcmp(norm, t->norm) == 0;
            free(norm);
        }
        sqlite3_finalize(st);
    } else {
        ok = false;
    }
    rli_scratch_close(&sc);
    return ok;
}

/*
 * Try native ALTER TABLE for c -> t: DROP COLUMN for columns that went, ADD COLUMN for columns
 * appended at the end.  Tried on a guarded scratch copy first; returns the statements (one
 * per step) in *out, or false if the native route does not produce exactly the target.
 */
static bool native_alters(const schema *cur, const sch_table *c, const sch_table *t, char ***out,
                          size_t *nout)
{
    *out = NULL;
    *nout = 0;
    if (c->is_virtual || t->is_virtual) return false;
    size_t kept = 0;
    for (size_t i = 0; i < c->ncols; i++)
        if (rli_table_column(t, c->cols[i].name)) {
            if (kept >= t->ncols || !rli_same_name(t->cols[kept].name, c->cols[i].name))
                return false;
            kept++;
        }
    if (kept == t->ncols && kept == c->ncols) return false; /* same columns: nothing native */
    char **stmts = NULL;
    size_t n = 0;
    bool ok = true;
    char *qt = rli_quoted(t->name);
    for (size_t i = 0; ok && i < c->ncols; i++) {
        if (rli_table_column(t, c->cols[i].name)) continue;
        char *qc = rli_quoted(c->cols[i].name), *s = NULL;
        ok = qt && qc && asprintf(&s, "ALTER TABLE %s DROP COLUMN %s", qt, qc) >= 0 &&
             push_stmt(&stmts, &n, s);
        free(qc);
    }
    for (size_t i = kept; ok && i < t->ncols; i++) {
        char *def = column_def(t, t->cols[i].name), *s = NULL;
        ok = qt && def && asprintf(&s, "ALTER TABLE %s ADD COLUMN %s", qt, def) >= 0 &&
             push_stmt(&stmts, &n, s);
        free(def);
    }
    free(qt);
    if (!ok || !alters_reach_target(cur, c, t, stmts, n)) {
        for (size_t i = 0; i < n; i++)
            free(stmts[i]);
        free(stmts);
        return false;
    }
    *out = stmts;
    *nout = n;
    return true;
}

bool rli_sqlite_rowid_alias(const sch_table *t)
{
    int npk = 0;
    const sch_column *pk = NULL;
    for (size_t i = 0; i < t->ncols; i++)
        if (t->cols[i].pk) {
            npk++;
            pk = &t->cols[i];
        }
    return npk == 1 && !t->without_rowid && pk->type && strcasecmp(pk->type, "INTEGER") == 0;
}

/* A name for c's rowid that none of its columns hides, or NULL if all three are taken. */
static const char *rowid_name(const sch_table *c)
{
    static const char *const names[] = {"rowid", "_rowid_", "oid"};
    if (c->without_rowid) return NULL;
    if (c->is_virtual) return "rowid";
    for (size_t i = 0; i < 3; i++)
        if (!rli_table_column(c, names[i])) return names[i];
    return NULL;
}

/* The sqlite_sequence row of an AUTOINCREMENT table survives its rebuild: the new table's
 * counter is raised to the old one's before the old table (and its row) is dropped, and the
 * rename carries it over.  Names go in as string literals, quotes doubled. */
static void plan_sequence(rl_plan *p, const char *old, const char *fresh)
{
    strbuf o, n;
    rli_sb_init(&o);
    rli_sb_init(&n);
    rli_sb_literal(&o, old);
    rli_sb_literal(&n, fresh);
    rli_plan_sql(p,
                 "INSERT INTO sqlite_sequence (name, seq) SELECT %s, 0 WHERE NOT EXISTS (SELECT 1 "
                 "FROM sqlite_sequence WHERE name = %s)",
                 sb_str(&n), sb_str(&n));
    rli_plan_sql(p,
                 "UPDATE sqlite_sequence SET seq = max(seq, coalesce((SELECT max(seq) FROM "
                 "sqlite_sequence WHERE name = %s), 0)) WHERE name = %s",
                 sb_str(&o), sb_str(&n));
    rli_sb_free(&o);
    rli_sb_free(&n);
}

static void plan_copy(rl_plan *p, const sch_table *c, const sch_table *t, const char *qn,
                      const char *qt, const char *tmpname)
{
    strbuf cols;
    rli_sb_init(&cols);
    const char *rid = rowid_name(c), *drid = rowid_name(t);
    bool keep_rowid = rid && drid && !rli_sqlite_rowid_alias(c) && !rli_sqlite_rowid_alias(t);
    strbuf src;
    rli_sb_init(&src);
    if (keep_rowid) {
        rli_sb_puts(&cols, drid);
        rli_sb_puts(&src, rid);
    }
    for (size_t i = 0; i < t->ncols; i++) {
        const sch_column *tc = &t->cols[i], *cc = rli_table_column(c, tc->name);
        if (!cc || tc->hidden >= 1 || cc->hidden >= 1) continue;
        if (cols.len) rli_sb_puts(&cols, ", ");
        if (src.len) rli_sb_puts(&src, ", ");
        rli_sb_ident(&cols, tc->name);
        rli_sb_ident(&src, tc->name);
    }
    bool chunked = rid && !c->is_virtual;
    char *copy = NULL;
    if (cols.len) {
        strbuf q;
        rli_sb_init(&q);
        rli_sb_printf(&q, "INSERT INTO %s (%s) SELECT %s FROM %s", qn, cols.s, src.s, qt);
        if (chunked) rli_sb_printf(&q, " WHERE %s >= ?1 AND %s <= ?2", rid, rid);
        copy = rli_sb_take(&q);
    }
    if (copy)
        rli_plan_step(p, (step){.kind = STEP_COPY,
                                .sql = copy,
                                .table = strdup(c->name),
                                .dest = strdup(tmpname),
                                .rowid = chunked ? rid : NULL,
                                .chunked = chunked});
    rli_sb_free(&cols);
    rli_sb_free(&src);
}

static void plan_rebuild(sqlite3 *h, rl_plan *p, const schema *tgt, const sch_table *c,
                         const sch_table *t)
{
    char *tmpname = rli_sqlite_temp_name(h, tgt, "rl_new_", t->name);
    char *qt = rli_quoted(t->name), *qn = tmpname ? rli_quoted(tmpname) : NULL;
    if (!tmpname || !qt || !qn) {
        p->text.oom = true;
        free(tmpname);
        free(qt);
        free(qn);
        return;
    }
    rli_plan_sql(p, "CREATE %sTABLE %s%s", t->is_virtual ? "VIRTUAL " : "", qn,
                 t->sql + rli_sql_name_end(t->sql));
    plan_copy(p, c, t, qn, qt, tmpname);
    if (c->autoincrement && t->autoincrement) plan_sequence(p, c->name, tmpname);
    rli_plan_sql(p, "DROP TABLE %s", qt);
    rli_plan_sql(p, "ALTER TABLE %s RENAME TO %s", qn, qt);
    char **nr = realloc(p->rebuilt, (p->nrebuilt + 1) * sizeof *nr);
    if (nr) {
        p->rebuilt = nr;
        p->rebuilt[p->nrebuilt++] = strdup(c->name);
    }
    free(tmpname);
    free(qt);
    free(qn);
}

/* Tables in the target, by what happens to them. */
enum fate { F_SAME, F_CREATE, F_NATIVE, F_REBUILD };

/* Drop the views or triggers (kind: the diff's word; sql: the statement's) that change or go
 * (all of them when tables change). */
static void drop_objects(rl_plan *p, const sch_diff *d, const sch_object *cur, size_t ncur,
                         const char *kind, const char *sql, bool recreate_all)
{
    for (size_t i = 0; i < ncur; i++) {
        const object_change *oc = rli_diff_object(d, kind, cur[i].name);
        if (oc && !oc->tgt) rli_plan_summary(p, "- %s %s", sql, cur[i].name), p->changes++;
        if (oc || recreate_all) {
            char *q = rli_quoted(cur[i].name);
            rli_plan_sql(p, "DROP %s IF EXISTS %s", sql, q ? q : "\"\"");
            free(q);
        }
    }
}

static void create_objects(rl_plan *p, const sch_diff *d, const sch_object *tgt, size_t ntgt,
                           const char *kind, bool recreate_all,
                           bool (*table_fresh)(const rl_plan *, const char *, void *), void *ctx)
{
    for (size_t i = 0; i < ntgt; i++) {
        const object_change *oc = rli_diff_object(d, kind, tgt[i].name);
        bool changed = oc != NULL;
        if (oc && !oc->cur)
            rli_plan_summary(p, "+ %s %s", kind, tgt[i].name), p->changes++;
        else if (changed)
            rli_plan_summary(p, "~ %s %s: definition changed", kind, tgt[i].name), p->changes++;
        bool fresh = table_fresh && table_fresh(p, tgt[i].table, ctx);
        if (changed || recreate_all || fresh) rli_plan_sql(p, "%s", tgt[i].sql);
    }
}

typedef struct fresh_ctx {
    const schema *target;
    const enum fate *fates;
} fresh_ctx;

static bool table_fresh(const rl_plan *p, const char *table, void *arg)
{
    (void)p;
    fresh_ctx *fc = arg;
    for (size_t i = 0; i < fc->target->ntables; i++)
        if (rli_same_name(fc->target->tables[i].name, table))
            return fc->fates[i] == F_CREATE || fc->fates[i] == F_REBUILD;
    return false;
}

static void plan_text(rl_plan *p)
{
    strbuf *b = &p->text;
    if (p->changes == 0) return;
    rli_sb_puts(b, "PRAGMA foreign_keys = OFF;\nPRAGMA quick_check; -- refused if the file is "
                   "damaged (WAL: beside the steps, before COMMIT)\n"
                   "BEGIN IMMEDIATE;\n");
    for (size_t i = 0; i < p->nsteps; i++) {
        rli_sb_puts(b, p->steps[i].sql);
        rli_sb_puts(b, ";");
        if (p->steps[i].chunked)
            rli_sb_printf(b, " -- ?1, ?2: successive %s ranges of %d rows", p->steps[i].rowid,
                          COPY_CHUNK);
        if (p->steps[i].kind == STEP_COPY) rli_sb_puts(b, " -- every row is counted on arrival");
        rli_sb_puts(b, "\n");
    }
    rli_sb_puts(b, "PRAGMA foreign_key_check; -- rolled back if it finds any new violation\n");
    rli_sb_printf(b,
                  "INSERT INTO " HISTORY_TABLE " (applied_at, schema_hash, statements) VALUES "
                  "(strftime('%%Y-%%m-%%dT%%H:%%M:%%fZ', 'now'), '%s', ?1);\n",
                  p->hash);
    rli_sb_puts(b, "COMMIT;\nPRAGMA foreign_keys = ON;\n");
}

/* Decide each target table's fate and describe it; tables that go are described too.  Any
 * difference in a table's text is carried out: its definition is the CREATE statement. */
static void plan_fates(rl_db *db, const schema *tgt, const sch_diff *d, rl_plan *p,
                       enum fate *fates, char ***natives, size_t *nnatives, bool *tables_change,
                       const schema *cur)
{
    for (size_t i = 0; i < tgt->ntables; i++) {
        const sch_table *t = &tgt->tables[i];
        const table_change *ch = rli_diff_table(d, t->name);
        if (!ch || !ch->text) continue;
        *tables_change = true;
        if (!ch->cur) {
            fates[i] = F_CREATE;
            rli_plan_summary(p, "+ %stable %s", t->is_virtual ? "virtual " : "", t->name);
            continue;
        }
        bool native = native_alters(cur, ch->cur, t, &natives[i], &nnatives[i]);
        fates[i] = native ? F_NATIVE : F_REBUILD;
        rli_plan_summary(p, "~ table %s: %s (%s)", t->name, ch->why,
                         native ? "ALTER TABLE" : "rebuild");
        rli_sqlite_check_loss(rli_sqlite_h(db), p, tgt, ch);
    }
    for (size_t i = 0; i < d->ntables; i++) {
        const sch_table *c = d->tables[i].cur;
        if (d->tables[i].tgt) continue;
        *tables_change = true;
        int64_t rows = rli_count_rows(rli_sqlite_h(db), c->name, NULL, NULL);
        rli_plan_summary(p, "- table %s (%lld rows)", c->name, (long long)rows);
        if (rows) rli_loss_dropped_table(p, c->name, rows);
        p->changes++;
    }
    if (d->empty_target) {
        p->empty_target = true;
        rli_plan_summary(
            p,
            "! the target schema declares no table: migrating to it would drop all %zu "
            "table%s (refused unless an empty schema is allowed)",
            cur->ntables, cur->ntables == 1 ? "" : "s");
    }
    for (size_t i = 0; i < tgt->ntables; i++)
        if (fates[i] != F_SAME) p->changes++;
}

/* Drop the indexes that change or go (a rebuilt table's indexes go with it). */
static void drop_indexes(rl_plan *p, const schema *cur, const schema *tgt, const sch_diff *d,
                         const enum fate *fates)
{
    for (size_t i = 0; i < cur->nindexes; i++) {
        const sch_object *ci = &cur->indexes[i];
        const object_change *oc = rli_diff_object(d, "index", ci->name);
        bool table_goes = !rli_schema_table(tgt, ci->table);
        bool rebuilt = false;
        for (size_t k = 0; k < tgt->ntables; k++)
            if (rli_same_name(tgt->tables[k].name, ci->table) && fates[k] == F_REBUILD)
                rebuilt = true;
        if (oc && !oc->tgt) {
            rli_plan_summary(p, "- index %s", ci->name);
            p->changes++;
        }
        if (oc && !table_goes && !rebuilt) {
            char *q = rli_quoted(ci->name);
            rli_plan_sql(p, "DROP INDEX IF EXISTS %s", q ? q : "\"\"");
            free(q);
        }
    }
}

/* The order of a plan in one place (over 60 lines so that it reads top to bottom). */
int rli_sqlite_plan(rl_db *db, const schema *cur, const schema *tgt, const sch_diff *d, rl_plan *p)
{
    enum fate *fates = calloc(tgt->ntables + 1, sizeof *fates);
    char ***natives = calloc(tgt->ntables + 1, sizeof *natives);
    size_t *nnatives = calloc(tgt->ntables + 1, sizeof *nnatives);
    if (!fates || !natives || !nnatives) {
        free(fates);
        free(natives);
        free(nnatives);
        return rli_err_set(db, RL_ENOMEM, "Out of memory.");
    }
    bool tables_change = false;
    plan_fates(db, tgt, d, p, fates, natives, nnatives, &tables_change, cur);

    /* 1. views and triggers out of the way; indexes that change or go. */
    drop_objects(p, d, cur->triggers, cur->ntriggers, "trigger", "TRIGGER", tables_change);
    drop_objects(p, d, cur->views, cur->nviews, "view", "VIEW", tables_change);
    drop_indexes(p, cur, tgt, d, fates);
    /* 2. tables */
    for (size_t i = 0; i < tgt->ntables; i++) {
        const sch_table *t = &tgt->tables[i], *c = rli_schema_table(cur, t->name);
        if (fates[i] == F_CREATE) rli_plan_sql(p, "%s", t->sql);
        for (size_t k = 0; fates[i] == F_NATIVE && k < nnatives[i]; k++) {
            rli_plan_step(p, (step){.kind = STEP_SQL, .sql = natives[i][k]});
            natives[i][k] = NULL;
        }
        if (fates[i] == F_REBUILD) plan_rebuild(rli_sqlite_h(db), p, tgt, c, t);
    }
    for (size_t i = 0; i < d->ntables; i++) {
        if (d->tables[i].tgt) continue;
        char *q = rli_quoted(d->tables[i].cur->name);
        rli_plan_sql(p, "DROP TABLE %s", q ? q : "\"\"");
        free(q);
    }
    /* 3. indexes, views, triggers */
    fresh_ctx fc = {tgt, fates};
    create_objects(p, d, tgt->indexes, tgt->nindexes, "index", false, table_fresh, &fc);
    create_objects(p, d, tgt->views, tgt->nviews, "view", tables_change, NULL, NULL);
    create_objects(p, d, tgt->triggers, tgt->ntriggers, "trigger", tables_change, NULL, NULL);
    for (size_t i = 0; i < tgt->ntables; i++) {
        for (size_t k = 0; k < nnatives[i]; k++)
            free(natives[i][k]);
        free(natives[i]);
    }
    free(natives);
    free(nnatives);
    free(fates);
    char *all = rli_schema_sql(tgt);
    char *norm = all ? rli_sql_normalize(all) : NULL;
    snprintf(p->hash, sizeof p->hash, "%016llx", (unsigned long long)rli_hash_text(norm));
    free(all);
    free(norm);
    plan_text(p);
    return rli_plan_finish(db, p);
}

/*
 * Migrations: diff two schema values, plan the SQL, and execute it without losing a row or a
 * foreign-key action.
 *
 * Planning.  A table whose normal form differs is changed natively when SQLite has an ALTER
 * TABLE whose result is exactly the target: the ALTERs are tried on a scratch in-memory copy
 * of the table and kept only if the resulting CREATE statement normalizes to the target's.
 * Anything else is a rebuild that folds all of the table's changes into one: create
 * "rl_new_<t>" from the target's own CREATE statement (so column-level REFERENCES actions,
 * DEFERRABLE, CHECKs, collations, STRICT and WITHOUT ROWID come across verbatim), copy the
 * common columns, drop the old table, rename the new one into place.  The old table is never
 * renamed: with foreign keys off SQLite would otherwise rewrite the children's REFERENCES to
 * the dead name.  Views and triggers are dropped first and recreated last, because a rename
 * re-parses every view and trigger that mentions a missing table.
 *
 * Execution follows the one order that works.  PRAGMA foreign_keys is silently ignored inside
 * a transaction, so it is switched off before BEGIN and read back; a DROP TABLE with keys on
 * would run ON DELETE CASCADE against the children.  Everything then happens in one BEGIN
 * IMMEDIATE: steps, foreign_key_check, a history row, COMMIT; keys go back on after.  If the
 * check finds violations, the transaction is rolled back and the violations that existed
 * before are read from the untouched database; only if every violation was already there is
 * the migration run again (so the common path pays for one check, not two).
 */
#define _GNU_SOURCE /* asprintf */
#include "schema.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>

#define COPY_CHUNK    100000
#define HISTORY_TABLE "reflite_migrations"

enum step_kind { STEP_SQL, STEP_COPY };

typedef struct step {
    enum step_kind kind;
    char *sql;   /* STEP_COPY: the INSERT ... SELECT, with ?1/?2 rowid bounds if chunked */
    char *table; /* STEP_COPY: the source table */
    bool chunked;
} step;

struct rl_plan {
    strbuf summary, loss, text;
    step *steps;
    size_t nsteps;
    size_t changes;
    char hash[17];
    char **rebuilt; /* tables copied: their size is needed on disk */
    size_t nrebuilt;
};

/* ---- building a plan ------------------------------------------------------------------------ */

static void add_step(rl_plan *p, enum step_kind kind, char *sql, const char *table, bool chunked)
{
    step *ns = realloc(p->steps, (p->nsteps + 1) * sizeof *ns);
    if (!ns) {
        free(sql);
        p->text.oom = true;
        return;
    }
    p->steps = ns;
    p->steps[p->nsteps++] =
        (step){.kind = kind, .sql = sql, .table = table ? strdup(table) : NULL, .chunked = chunked};
}

static void add_sql(rl_plan *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void add_sql(rl_plan *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0) s = NULL;
    va_end(ap);
    if (s) add_step(p, STEP_SQL, s, NULL, false);
}

static char *quoted(const char *name)
{
    strbuf b;
    sb_init(&b);
    sb_ident(&b, name);
    return sb_take(&b);
}

static int64_t count_rows(sqlite3 *h, const char *fmt, const char *table, const char *column)
{
    strbuf sql;
    sb_init(&sql);
    char *qt = quoted(table), *qc = column ? quoted(column) : NULL;
    sb_printf(&sql, fmt, qt, qc ? qc : "", qc ? qc : "", qc ? qc : "");
    free(qt);
    free(qc);
    sqlite3_stmt *st;
    int64_t n = 0;
    if (sqlite3_prepare_v2(h, sb_str(&sql), -1, &st, NULL) == SQLITE_OK) {
        if (sqlite3_step(st) == SQLITE_ROW) n = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    sb_free(&sql);
    return n;
}

static char affinity(const char *type)
{
    char up[64];
    size_t i = 0;
    for (; type && type[i] && i < sizeof up - 1; i++)
        up[i] = (char)toupper((unsigned char)type[i]);
    up[i] = '\0';
    if (strstr(up, "INT")) return 'i';
    if (strstr(up, "CHAR") || strstr(up, "CLOB") || strstr(up, "TEXT")) return 't';
    if (!up[0] || strstr(up, "BLOB") || strstr(up, "ANY")) return 'b';
    if (strstr(up, "REAL") || strstr(up, "FLOA") || strstr(up, "DOUB")) return 'r';
    return 'n';
}

static bool same(const char *a, const char *b)
{
    if (!a || !b) return a == b;
    return strcasecmp(a, b) == 0;
}

static bool fk_same_target(const sch_fk *a, const sch_fk *b)
{
    return same(a->from, b->from) && same(a->parent, b->parent) && same(a->to, b->to);
}

/* Words for what differs between two versions of a table. */
static void describe_table_change(const sch_table *c, const sch_table *t, strbuf *why)
{
    size_t before = why->len;
#define REASON(...)                                                                                \
    do {                                                                                           \
        sb_puts(why, why->len > before ? "; " : "");                                               \
        sb_printf(why, __VA_ARGS__);                                                               \
    } while (0)
    for (size_t i = 0; i < t->ncols; i++) {
        const sch_column *tc = &t->cols[i], *cc = table_column(c, tc->name);
        if (!cc) {
            REASON("column %s added", tc->name);
            continue;
        }
        if (!same(cc->type, tc->type))
            REASON("column %s: type %s -> %s", tc->name, cc->type, tc->type);
        if (cc->notnull != tc->notnull)
            REASON("column %s: NOT NULL %s", tc->name, tc->notnull ? "added" : "removed");
        if (!same(cc->dflt, tc->dflt))
            REASON("column %s: default %s -> %s", tc->name, cc->dflt ? cc->dflt : "none",
                   tc->dflt ? tc->dflt : "none");
        if (cc->pk != tc->pk) REASON("column %s: primary key changed", tc->name);
        if (cc->hidden != tc->hidden) REASON("column %s: generated/hidden changed", tc->name);
    }
    for (size_t i = 0; i < c->ncols; i++)
        if (!table_column(t, c->cols[i].name)) REASON("column %s dropped", c->cols[i].name);
    for (size_t i = 0; i < t->nfks; i++) {
        const sch_fk *tf = &t->fks[i];
        const sch_fk *cf = NULL;
        for (size_t k = 0; k < c->nfks && !cf; k++)
            if (fk_same_target(&c->fks[k], tf)) cf = &c->fks[k];
        const char *to = tf->to[0] ? tf->to : "primary key";
        if (!cf) {
            REASON("foreign key (%s) -> %s(%s) added with ON DELETE %s ON UPDATE %s", tf->from,
                   tf->parent, to, tf->on_delete, tf->on_update);
            continue;
        }
        if (!same(cf->on_delete, tf->on_delete))
            REASON("foreign key (%s) -> %s(%s): ON DELETE %s -> %s", tf->from, tf->parent, to,
                   cf->on_delete, tf->on_delete);
        if (!same(cf->on_update, tf->on_update))
            REASON("foreign key (%s) -> %s(%s): ON UPDATE %s -> %s", tf->from, tf->parent, to,
                   cf->on_update, tf->on_update);
    }
    for (size_t i = 0; i < c->nfks; i++) {
        bool kept = false;
        for (size_t k = 0; k < t->nfks; k++)
            kept = kept || fk_same_target(&c->fks[i], &t->fks[k]);
        if (!kept) REASON("foreign key (%s) -> %s removed", c->fks[i].from, c->fks[i].parent);
    }
    if (c->deferrable != t->deferrable) REASON("DEFERRABLE keys changed");
    if (c->strict != t->strict) REASON("STRICT %s", t->strict ? "added" : "removed");
    if (c->without_rowid != t->without_rowid)
        REASON("WITHOUT ROWID %s", t->without_rowid ? "added" : "removed");
    if (c->autoincrement != t->autoincrement)
        REASON("AUTOINCREMENT %s", t->autoincrement ? "added" : "removed");
    if (c->checks != t->checks) REASON("CHECK constraints changed");
    if (why->len == before) REASON("definition differs (constraints, collations or names)");
#undef REASON
}

/* What would be lost by changing table c into t; appended to p->loss. */
static void check_loss(sqlite3 *h, rl_plan *p, const sch_table *c, const sch_table *t)
{
    int64_t rows = count_rows(h, "SELECT count(*) FROM %s", c->name, NULL);
    if (rows == 0) return;
    for (size_t i = 0; i < c->ncols; i++) {
        const sch_column *cc = &c->cols[i];
        if (cc->hidden >= 2 || table_column(t, cc->name)) continue;
        int64_t n =
            count_rows(h, "SELECT count(*) FROM %s WHERE %s IS NOT NULL", c->name, cc->name);
        if (n)
            sb_printf(&p->loss, "column %s.%s would be dropped with its %lld non-NULL value%s\n",
                      c->name, cc->name, (long long)n, n == 1 ? "" : "s");
    }
    for (size_t i = 0; i < t->ncols; i++) {
        const sch_column *tc = &t->cols[i], *cc = table_column(c, tc->name);
        if (tc->hidden >= 2) continue;
        if (!cc) {
            if (tc->notnull && !tc->dflt && !tc->pk)
                sb_printf(&p->loss,
                          "column %s.%s is added NOT NULL without a default, but %s has %lld "
                          "rows\n",
                          t->name, tc->name, t->name, (long long)rows);
            continue;
        }
        if (tc->notnull && !cc->notnull) {
            int64_t n =
                count_rows(h, "SELECT count(*) FROM %s WHERE %s IS NULL", c->name, cc->name);
            if (n)
                sb_printf(&p->loss, "column %s.%s holds %lld NULL%s but becomes NOT NULL\n",
                          t->name, tc->name, (long long)n, n == 1 ? "" : "s");
        }
        char ta = affinity(tc->type), ca = affinity(cc->type);
        if (ta == ca || (ta != 'i' && ta != 'r')) continue;
        const char *lossy =
            ta == 'i' ? "SELECT count(*) FROM %s WHERE typeof(%s) NOT IN ('integer', 'null') AND "
                        "CAST(CAST(%s AS INTEGER) AS TEXT) <> CAST(%s AS TEXT)"
                      : "SELECT count(*) FROM %s WHERE typeof(%s) IN ('text', 'blob') AND "
                        "CAST(CAST(%s AS REAL) AS TEXT) <> CAST(%s AS TEXT)";
        int64_t n = count_rows(h, lossy, c->name, cc->name);
        if (n)
            sb_printf(&p->loss, "column %s.%s: %lld value%s would not survive the change to %s\n",
                      t->name, tc->name, (long long)n, n == 1 ? "" : "s", tc->type);
    }
}

/* The target's column definition text for column name (from its CREATE TABLE). */
static char *column_def(const sch_table *t, const char *name)
{
    char **items;
    size_t n;
    char *found = NULL;
    if (sql_table_items(t->sql, &items, &n) != 0) return NULL;
    for (size_t i = 0; i < n; i++) {
        char *norm = sql_normalize(items[i]);
        size_t len = strcspn(norm, " ");
        char *first = strndup(norm, len);
        char *want = sql_normalize(name);
        bool match = first && want && strcmp(first, want) == 0;
        if (!match && want && first && first[0] == '"') {
            /* a quoted name that needed quotes */
            char *q = quoted(name);
            char *qn = sql_normalize(q);
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

/*
 * Try native ALTER TABLE for c -> t: DROP COLUMN for columns that went, ADD COLUMN for columns
 * appended at the end.  Tried on a scratch copy first; returns the statements (NULL if the
 * native route does not produce exactly the target).
 */
static char *native_alters(const schema *cur, const sch_table *c, const sch_table *t)
{
    size_t kept = 0;
    for (size_t i = 0; i < c->ncols; i++)
        if (table_column(t, c->cols[i].name)) {
            if (kept >= t->ncols || !same(t->cols[kept].name, c->cols[i].name)) return NULL;
            kept++;
        }
    if (kept == t->ncols && kept == c->ncols) return NULL; /* same columns: nothing native */
    strbuf sql;
    sb_init(&sql);
    char *qt = quoted(t->name);
    for (size_t i = 0; i < c->ncols; i++) {
        if (table_column(t, c->cols[i].name)) continue;
        char *qc = quoted(c->cols[i].name);
        sb_printf(&sql, "ALTER TABLE %s DROP COLUMN %s;\n", qt, qc);
        free(qc);
    }
    for (size_t i = kept; i < t->ncols; i++) {
        char *def = column_def(t, t->cols[i].name);
        if (!def) {
            free(qt);
            sb_free(&sql);
            return NULL;
        }
        sb_printf(&sql, "ALTER TABLE %s ADD COLUMN %s;\n", qt, def);
        free(def);
    }
    free(qt);

    sqlite3 *scratch;
    bool ok = false;
    if (sqlite3_open_v2(":memory:", &scratch, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) ==
        SQLITE_OK) {
        ok = sqlite3_exec(scratch, c->sql, NULL, NULL, NULL) == SQLITE_OK;
        for (size_t i = 0; ok && i < cur->nindexes; i++)
            if (same(cur->indexes[i].table, c->name))
                sqlite3_exec(scratch, cur->indexes[i].sql, NULL, NULL, NULL);
        ok = ok && sqlite3_exec(scratch, sb_str(&sql), NULL, NULL, NULL) == SQLITE_OK;
        sqlite3_stmt *st;
        if (ok && sqlite3_prepare_v2(scratch, "SELECT sql FROM sqlite_schema WHERE name = ?1", -1,
                                     &st, NULL) == SQLITE_OK) {
            sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
            ok = false;
            if (sqlite3_step(st) == SQLITE_ROW) {
                char *norm = sql_normalize((const char *)sqlite3_column_text(st, 0));
                ok = norm && strcmp(norm, t->norm) == 0;
                free(norm);
            }
            sqlite3_finalize(st);
        }
    }
    sqlite3_close(scratch);
    if (!ok) {
        sb_free(&sql);
        return NULL;
    }
    return sb_take(&sql);
}

static bool rowid_alias(const sch_table *t)
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

static void plan_rebuild(rl_plan *p, const sch_table *c, const sch_table *t)
{
    char tmpname[160];
    snprintf(tmpname, sizeof tmpname, "rl_new_%s", t->name);
    char *qt = quoted(t->name), *qn = quoted(tmpname);
    add_sql(p, "CREATE TABLE %s%s", qn, t->sql + sql_name_end(t->sql));

    strbuf cols;
    sb_init(&cols);
    bool rowid_table = !c->without_rowid && !t->without_rowid;
    if (rowid_table && !rowid_alias(c) && !rowid_alias(t)) sb_puts(&cols, "rowid");
    for (size_t i = 0; i < t->ncols; i++) {
        const sch_column *tc = &t->cols[i], *cc = table_column(c, tc->name);
        if (!cc || tc->hidden >= 2 || cc->hidden >= 2) continue;
        if (cols.len) sb_puts(&cols, ", ");
        sb_ident(&cols, tc->name);
    }
    if (cols.len) {
        char *copy = NULL;
        if (asprintf(&copy, "INSERT INTO %s (%s) SELECT %s FROM %s%s", qn, cols.s, cols.s, qt,
                     !c->without_rowid ? " WHERE rowid > ?1 AND rowid <= ?2" : "") >= 0)
            add_step(p, STEP_COPY, copy, t->name, !c->without_rowid);
    }
    sb_free(&cols);
    bool seq = c->autoincrement && t->autoincrement;
    if (seq) {
        add_sql(p, "CREATE TEMP TABLE IF NOT EXISTS rl_saved_sequence (name TEXT PRIMARY KEY, "
                   "seq INTEGER)");
        add_sql(p,
                "INSERT OR REPLACE INTO temp.rl_saved_sequence SELECT name, seq FROM "
                "sqlite_sequence WHERE name = '%s'",
                t->name);
    }
    add_sql(p, "DROP TABLE %s", qt);
    add_sql(p, "ALTER TABLE %s RENAME TO %s", qn, qt);
    if (seq) {
        add_sql(p,
                "UPDATE sqlite_sequence SET seq = max(seq, (SELECT seq FROM "
                "temp.rl_saved_sequence WHERE name = '%s')) WHERE name = '%s'",
                t->name, t->name);
        add_sql(p,
                "INSERT INTO sqlite_sequence (name, seq) SELECT name, seq FROM "
                "temp.rl_saved_sequence WHERE name = '%s' AND NOT EXISTS (SELECT 1 FROM "
                "sqlite_sequence WHERE name = '%s')",
                t->name, t->name);
    }
    char **nr = realloc(p->rebuilt, (p->nrebuilt + 1) * sizeof *nr);
    if (nr) {
        p->rebuilt = nr;
        p->rebuilt[p->nrebuilt++] = strdup(c->name);
    }
    free(qt);
    free(qn);
}

/* Tables in the target, by what happens to them. */
enum fate { F_SAME, F_CREATE, F_NATIVE, F_REBUILD };

/* Drop the views or triggers that change or go (all of them when tables change). */
static void drop_objects(rl_plan *p, sch_object *cur, size_t ncur, sch_object *tgt, size_t ntgt,
                         const char *kind, bool recreate_all)
{
    for (size_t i = 0; i < ncur; i++) {
        sch_object *t = schema_object(tgt, ntgt, cur[i].name);
        bool changed = !t || strcmp(t->norm, cur[i].norm) != 0;
        if (!t) sb_printf(&p->summary, "- %s %s\n", kind, cur[i].name), p->changes++;
        if (changed || recreate_all) {
            char *q = quoted(cur[i].name);
            add_sql(p, "DROP %s IF EXISTS %s", kind, q);
            free(q);
        }
    }
}

static void create_objects(rl_plan *p, sch_object *cur, size_t ncur, sch_object *tgt, size_t ntgt,
                           const char *kind, bool recreate_all,
                           bool (*table_fresh)(const rl_plan *, const char *, void *), void *ctx)
{
    for (size_t i = 0; i < ntgt; i++) {
        sch_object *c = schema_object(cur, ncur, tgt[i].name);
        bool changed = !c || strcmp(c->norm, tgt[i].norm) != 0;
        if (!c)
            sb_printf(&p->summary, "+ %s %s\n", kind, tgt[i].name), p->changes++;
        else if (changed)
            sb_printf(&p->summary, "~ %s %s: definition changed\n", kind, tgt[i].name),
                p->changes++;
        bool fresh = table_fresh && table_fresh(p, tgt[i].table, ctx);
        if (changed || recreate_all || fresh) add_sql(p, "%s", tgt[i].sql);
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
        if (same(fc->target->tables[i].name, table))
            return fc->fates[i] == F_CREATE || fc->fates[i] == F_REBUILD;
    return false;
}

static void plan_text(rl_plan *p)
{
    strbuf *b = &p->text;
    if (p->changes == 0) return;
    sb_puts(b, "PRAGMA foreign_keys = OFF;\nBEGIN IMMEDIATE;\n");
    for (size_t i = 0; i < p->nsteps; i++) {
        sb_puts(b, p->steps[i].sql);
        size_t n = strlen(p->steps[i].sql);
        if (n && p->steps[i].sql[n - 1] != '\n') sb_puts(b, ";");
        if (p->steps[i].chunked)
            sb_printf(b, " -- ?1, ?2: successive rowid ranges of %d rows", COPY_CHUNK);
        if (n && p->steps[i].sql[n - 1] != '\n') sb_puts(b, "\n");
    }
    sb_puts(b, "PRAGMA foreign_key_check; -- rolled back if it finds any new violation\n");
    sb_printf(b,
              "INSERT INTO " HISTORY_TABLE " (applied_at, schema_hash, statements) VALUES "
              "(strftime('%%Y-%%m-%%dT%%H:%%M:%%fZ', 'now'), '%s', ?1);\n",
              p->hash);
    sb_puts(b, "COMMIT;\nPRAGMA foreign_keys = ON;\n");
}

static int build_plan(rl_db *db, const schema *cur, const schema *tgt, rl_plan *p)
{
    enum fate *fates = calloc(tgt->ntables + 1, sizeof *fates);
    char **natives = calloc(tgt->ntables + 1, sizeof *natives);
    if (!fates || !natives) {
        free(fates);
        free(natives);
        return err_set(db, RL_ENOMEM, "Out of memory.");
    }
    bool tables_change = false;
    for (size_t i = 0; i < tgt->ntables; i++) {
        const sch_table *t = &tgt->tables[i], *c = schema_table(cur, t->name);
        if (!c) {
            fates[i] = F_CREATE;
            sb_printf(&p->summary, "+ table %s\n", t->name);
            tables_change = true;
            continue;
        }
        if (strcmp(c->norm, t->norm) == 0) continue;
        tables_change = true;
        strbuf why;
        sb_init(&why);
        describe_table_change(c, t, &why);
        natives[i] = native_alters(cur, c, t);
        fates[i] = natives[i] ? F_NATIVE : F_REBUILD;
        sb_printf(&p->summary, "~ table %s: %s (%s)\n", t->name, sb_str(&why),
                  natives[i] ? "ALTER TABLE" : "rebuild");
        sb_free(&why);
        check_loss(db->h, p, c, t);
    }
    for (size_t i = 0; i < cur->ntables; i++) {
        const sch_table *c = &cur->tables[i];
        if (schema_table(tgt, c->name)) continue;
        tables_change = true;
        int64_t rows = count_rows(db->h, "SELECT count(*) FROM %s", c->name, NULL);
        sb_printf(&p->summary, "- table %s (%lld rows)\n", c->name, (long long)rows);
        if (rows)
            sb_printf(&p->loss, "table %s would be dropped with its %lld row%s\n", c->name,
                      (long long)rows, rows == 1 ? "" : "s");
    }
    for (size_t i = 0; i < tgt->ntables; i++)
        if (fates[i] != F_SAME) p->changes++;
    for (size_t i = 0; i < cur->ntables; i++)
        if (!schema_table(tgt, cur->tables[i].name)) p->changes++;

    /* 1. views and triggers out of the way; indexes that change or go. */
    drop_objects(p, cur->triggers, cur->ntriggers, tgt->triggers, tgt->ntriggers, "TRIGGER",
                 tables_change);
    drop_objects(p, cur->views, cur->nviews, tgt->views, tgt->nviews, "VIEW", tables_change);
    for (size_t i = 0; i < cur->nindexes; i++) {
        const sch_object *ci = &cur->indexes[i];
        sch_object *ti = schema_object(tgt->indexes, tgt->nindexes, ci->name);
        const sch_table *tt = schema_table(tgt, ci->table);
        bool table_goes = !tt;
        bool rebuilt = false;
        for (size_t k = 0; k < tgt->ntables; k++)
            if (same(tgt->tables[k].name, ci->table) && fates[k] == F_REBUILD) rebuilt = true;
        if (!ti) {
            sb_printf(&p->summary, "- index %s\n", ci->name);
            p->changes++;
        }
        if ((!ti || strcmp(ti->norm, ci->norm) != 0) && !table_goes && !rebuilt) {
            char *q = quoted(ci->name);
            add_sql(p, "DROP INDEX IF EXISTS %s", q);
            free(q);
        }
    }
    /* 2. tables */
    for (size_t i = 0; i < tgt->ntables; i++) {
        const sch_table *t = &tgt->tables[i], *c = schema_table(cur, t->name);
        if (fates[i] == F_CREATE) add_sql(p, "%s", t->sql);
        if (fates[i] == F_NATIVE) add_step(p, STEP_SQL, natives[i], NULL, false), natives[i] = NULL;
        if (fates[i] == F_REBUILD) plan_rebuild(p, c, t);
    }
    for (size_t i = 0; i < cur->ntables; i++) {
        if (schema_table(tgt, cur->tables[i].name)) continue;
        char *q = quoted(cur->tables[i].name);
        add_sql(p, "DROP TABLE %s", q);
        free(q);
    }
    /* 3. indexes, views, triggers */
    fresh_ctx fc = {tgt, fates};
    create_objects(p, cur->indexes, cur->nindexes, tgt->indexes, tgt->nindexes, "index", false,
                   table_fresh, &fc);
    create_objects(p, cur->views, cur->nviews, tgt->views, tgt->nviews, "view", tables_change, NULL,
                   NULL);
    create_objects(p, cur->triggers, cur->ntriggers, tgt->triggers, tgt->ntriggers, "trigger",
                   tables_change, NULL, NULL);
    for (size_t i = 0; i < p->nsteps; i++)
        if (strstr(p->steps[i].sql, "temp.rl_saved_sequence")) {
            add_sql(p, "DROP TABLE IF EXISTS temp.rl_saved_sequence");
            break;
        }
    for (size_t i = 0; i < tgt->ntables; i++)
        free(natives[i]);
    free(natives);
    free(fates);
    char *all = schema_sql(tgt);
    char *norm = all ? sql_normalize(all) : NULL;
    snprintf(p->hash, sizeof p->hash, "%016llx", (unsigned long long)hash_text(norm));
    free(all);
    free(norm);
    plan_text(p);
    if (p->summary.oom || p->text.oom || p->loss.oom)
        return err_set(db, RL_ENOMEM, "Out of memory.");
    return RL_OK;
}

int rl_plan_new(rl_db *db, const char *target_sql, rl_plan **out)
{
    *out = NULL;
    if (!db || !target_sql) return RL_EINVAL;
    err_clear(db);
    sqlite3 *scratch;
    if (sqlite3_open_v2(":memory:", &scratch, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        sqlite3_close(scratch);
        return err_set(db, RL_ENOMEM, "Cannot open an in-memory database for the target schema.");
    }
    if (sqlite3_exec(scratch, target_sql, NULL, NULL, NULL) != SQLITE_OK) {
        int code = err_set(db, RL_EINVAL, "The target schema is not valid SQL: %s.",
                           sqlite3_errmsg(scratch));
        sqlite3_close(scratch);
        return code;
    }
    schema cur, tgt;
    int rc = schema_load(db->h, &cur);
    int rc2 = schema_load(scratch, &tgt);
    int code = RL_OK;
    if (rc != SQLITE_OK)
        code = err_sqlite(db, rc, "read the database schema");
    else if (rc2 != SQLITE_OK)
        code =
            err_set(db, RL_EINVAL, "Cannot read the target schema: %s.", sqlite3_errmsg(scratch));
    rl_plan *p = code == RL_OK ? calloc(1, sizeof *p) : NULL;
    if (code == RL_OK && !p) code = err_set(db, RL_ENOMEM, "Out of memory.");
    if (p) {
        sb_init(&p->summary);
        sb_init(&p->loss);
        sb_init(&p->text);
        code = build_plan(db, &cur, &tgt, p);
        if (code != RL_OK) {
            rl_plan_free(p);
            p = NULL;
        }
    }
    schema_free(&cur);
    schema_free(&tgt);
    sqlite3_close(scratch);
    *out = p;
    return code;
}

int rl_plan_from_models(rl_db *db, const rl_model *const *models, size_t n, rl_plan **out)
{
    char *sql;
    *out = NULL;
    int code = rl_schema_sql(db, models, n, &sql);
    if (code != RL_OK) return code;
    code = rl_plan_new(db, sql, out);
    free(sql);
    return code;
}

void rl_plan_free(rl_plan *p)
{
    if (!p) return;
    for (size_t i = 0; i < p->nsteps; i++) {
        free(p->steps[i].sql);
        free(p->steps[i].table);
    }
    for (size_t i = 0; i < p->nrebuilt; i++)
        free(p->rebuilt[i]);
    free(p->rebuilt);
    free(p->steps);
    sb_free(&p->summary);
    sb_free(&p->loss);
    sb_free(&p->text);
    free(p);
}

bool rl_plan_is_empty(const rl_plan *p)
{
    return !p || p->changes == 0;
}
const char *rl_plan_summary(const rl_plan *p)
{
    return p ? sb_str(&p->summary) : "";
}
const char *rl_plan_sql(const rl_plan *p)
{
    return p ? sb_str(&p->text) : "";
}
const char *rl_plan_data_loss(const rl_plan *p)
{
    return p ? sb_str(&p->loss) : "";
}

/* ---- executing a plan ------------------------------------------------------------------------ */

static void progress(const rl_migrate_options *o, const char *stage, const char *table,
                     int64_t done, int64_t total)
{
    if (o && o->progress) o->progress(stage, table, done, total, o->progress_ctx);
}

static int run_copy(rl_db *db, const step *s, const rl_migrate_options *o)
{
    sqlite3_stmt *ins, *bound = NULL;
    int rc = sqlite3_prepare_v2(db->h, s->sql, -1, &ins, NULL);
    if (rc != SQLITE_OK) return rc;
    if (!s->chunked) {
        rc = step_done(ins);
        sqlite3_finalize(ins);
        return rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
    char *qt = quoted(s->table), *sql = NULL;
    /* Counting is a full scan: pay for it only when someone reports progress. */
    int64_t total =
        o && o->progress ? count_rows(db->h, "SELECT count(*) FROM %s", s->table, NULL) : 0;
    if (asprintf(&sql, "SELECT rowid FROM %s WHERE rowid > ?1 ORDER BY rowid LIMIT 1 OFFSET %d", qt,
                 COPY_CHUNK - 1) < 0)
        sql = NULL;
    free(qt);
    rc = sql ? sqlite3_prepare_v2(db->h, sql, -1, &bound, NULL) : SQLITE_NOMEM;
    free(sql);
    int64_t lo = INT64_MIN, done = 0;
    progress(o, "copy", s->table, 0, total);
    while (rc == SQLITE_OK) {
        sqlite3_bind_int64(bound, 1, lo);
        int64_t hi = INT64_MAX;
        if (sqlite3_step(bound) == SQLITE_ROW) hi = sqlite3_column_int64(bound, 0);
        sqlite3_reset(bound);
        sqlite3_bind_int64(ins, 1, lo);
        sqlite3_bind_int64(ins, 2, hi);
        rc = step_done(ins);
        if (rc != SQLITE_DONE) break;
        rc = SQLITE_OK;
        done += sqlite3_changes64(db->h);
        progress(o, "copy", s->table, done, total);
        if (hi == INT64_MAX) break;
        lo = hi;
    }
    sqlite3_finalize(bound);
    sqlite3_finalize(ins);
    return rc;
}

static bool same_violation(const violation *a, const violation *b)
{
    return a->rowid == b->rowid && strcmp(a->table, b->table) == 0 &&
           strcmp(a->parent, b->parent) == 0;
}

static bool in_set(const violations *set, const violation *x)
{
    for (size_t i = 0; set && i < set->n; i++)
        if (same_violation(&set->v[i], x)) return true;
    return false;
}

#define MAX_REPORTED 8

typedef struct outcome {
    violations found;              /* violations after the steps (when rolled back for them) */
    char lines[MAX_REPORTED][400]; /* their descriptions, read before the rollback */
    size_t nlines;
    size_t fresh; /* how many were not in the baseline */
} outcome;

/* Roll back and switch keys on again; returns code. */
static int abort_run(rl_db *db, int code)
{
    exec_sql(db, "ROLLBACK");
    set_foreign_keys(db, true);
    return code;
}

#define NEED_BASELINE 1

static int apply_once(rl_db *db, const rl_plan *p, const rl_migrate_options *o,
                      const violations *baseline, outcome *out)
{
    if (set_foreign_keys(db, false) != RL_OK) {
        set_foreign_keys(db, true);
        return err_set(db, RL_EMIGRATE,
                       "migrate: foreign keys could not be switched off; "
                       "nothing was changed.");
    }
    int rc = exec_sql(db, "BEGIN IMMEDIATE");
    if (rc != SQLITE_OK) {
        int code = err_sqlite(db, rc, "migrate: begin");
        set_foreign_keys(db, true);
        return code;
    }
    for (size_t i = 0; i < p->nsteps; i++) {
        const step *s = &p->steps[i];
        rc = s->kind == STEP_COPY ? run_copy(db, s, o) : exec_sql(db, s->sql);
        if (rc != SQLITE_OK) {
            char head[160];
            snprintf(head, sizeof head, "%.150s", s->sql);
            char msg[400];
            snprintf(msg, sizeof msg, "%s", sqlite3_errmsg(db->h));
            abort_run(db, 0);
            return err_set(db, RL_EMIGRATE,
                           "migrate: '%s' failed: %s. The migration was rolled back; the "
                           "database is unchanged.",
                           head, msg);
        }
    }
    progress(o, "check", NULL, 0, 0);
    violations after = {0};
    read_violations(db, &after);
    size_t fresh = 0;
    for (size_t i = 0; i < after.n; i++) {
        if (in_set(baseline, &after.v[i])) continue;
        if (out->nlines < MAX_REPORTED) {
            rl_fk_detail d;
            violation_text(db, &after.v[i], &d, out->lines[out->nlines++], sizeof out->lines[0]);
        }
        fresh++;
    }
    if (fresh) {
        out->found = after;
        out->fresh = fresh;
        abort_run(db, 0);
        return baseline ? RL_EMIGRATE : NEED_BASELINE;
    }
    free(after.v);
    char *hist = NULL;
    if (asprintf(&hist, "CREATE TABLE IF NOT EXISTS " HISTORY_TABLE
                        " (id INTEGER PRIMARY KEY, applied_at TEXT NOT NULL, schema_hash TEXT NOT "
                        "NULL, statements TEXT NOT NULL)") < 0)
        hist = NULL;
    rc = hist ? exec_sql(db, hist) : SQLITE_NOMEM;
    free(hist);
    sqlite3_stmt *st = NULL;
    if (rc == SQLITE_OK)
        rc =
            sqlite3_prepare_v2(db->h,
                               "INSERT INTO " HISTORY_TABLE " (applied_at, schema_hash, "
                               "statements) VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), ?1, ?2)",
                               -1, &st, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(st, 1, p->hash, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, sb_str(&p->text), -1, SQLITE_STATIC);
        rc = step_done(st);
        rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
    sqlite3_finalize(st);
    if (rc == SQLITE_OK) {
        progress(o, "commit", NULL, 0, 0);
        rc = exec_sql(db, "COMMIT");
    }
    if (rc != SQLITE_OK) {
        int code = err_sqlite(db, rc, "migrate: commit");
        return abort_run(db, code);
    }
    if (set_foreign_keys(db, true) != RL_OK)
        return err_set(db, RL_EMIGRATE,
                       "migrate: applied, but foreign keys could not be "
                       "switched back on; reopen the connection.");
    return RL_OK;
}

static int report_violations(rl_db *db, const outcome *out, size_t fresh)
{
    strbuf b;
    sb_init(&b);
    for (size_t i = 0; i < out->nlines; i++)
        sb_printf(&b, "%s%s", i ? "; " : "", out->lines[i]);
    int code =
        err_set(db, RL_EMIGRATE,
                "migrate: the new schema would break %zu foreign key%s (%s%s). The "
                "migration was rolled back; the database is unchanged.",
                fresh, fresh == 1 ? "" : "s", sb_str(&b), fresh > out->nlines ? "; ..." : "");
    sb_free(&b);
    return code;
}

/* Bytes a table occupies (dbstat), or the whole file where dbstat is not compiled in. */
static int64_t table_bytes(sqlite3 *h, const char *table)
{
    sqlite3_stmt *st;
    int64_t n = 0;
    if (sqlite3_prepare_v2(h, "SELECT sum(pgsize) FROM dbstat WHERE name = ?1", -1, &st, NULL) ==
        SQLITE_OK) {
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
    const char *file = sqlite3_db_filename(db->h, "main");
    if (!file || !*file || p->nrebuilt == 0) return RL_OK;
    int64_t need = 0;
    for (size_t i = 0; i < p->nrebuilt; i++)
        need += table_bytes(db->h, p->rebuilt[i]);
    struct statvfs vfs;
    if (statvfs(file, &vfs) != 0) return RL_OK;
    int64_t avail = (int64_t)vfs.f_bavail * (int64_t)vfs.f_frsize;
    if (avail < need * 2)
        return err_set(db, RL_ENOSPACE,
                       "migrate: rebuilding needs about %lld bytes free (a copy of the tables "
                       "and their journal) but only %lld are available; nothing was changed.",
                       (long long)(need * 2), (long long)avail);
    return RL_OK;
}

int rl_plan_apply(rl_db *db, const rl_plan *p, const rl_migrate_options *opts)
{
    if (!db || !p) return RL_EINVAL;
    err_clear(db);
    if (p->changes == 0) return RL_OK;
    if (p->loss.len && !(opts && opts->allow_data_loss))
        return err_set(db, RL_EDATALOSS,
                       "migrate: refused, the migration would lose data: %.*s. Nothing was "
                       "changed; allow data loss to go ahead.",
                       (int)(p->loss.len - 1), p->loss.s);
    if (db->depth > 0 || !sqlite3_get_autocommit(db->h))
        return err_set(db, RL_EMISUSE,
                       "migrate: refused inside a transaction (foreign keys cannot be switched "
                       "off there); commit or roll back first.");
    if (opts && opts->dry_run) return RL_OK;
    int code = check_space(db, p);
    if (code != RL_OK) return code;
    outcome out;
    memset(&out, 0, sizeof out);
    code = apply_once(db, p, opts, NULL, &out);
    if (code == NEED_BASELINE) {
        /* Violations appeared: were they there before?  Read them from the untouched
         * database and run again if nothing new broke. */
        violations base = {0};
        read_violations(db, &base);
        size_t fresh = 0;
        for (size_t i = 0; i < out.found.n; i++)
            if (!in_set(&base, &out.found.v[i])) fresh++;
        if (fresh) {
            code = report_violations(db, &out, fresh);
        } else {
            outcome again;
            memset(&again, 0, sizeof again);
            code = apply_once(db, p, opts, &base, &again);
            if (code == RL_EMIGRATE) code = report_violations(db, &again, again.fresh);
            free(again.found.v);
        }
        free(base.v);
    }
    free(out.found.v);
    return code;
}

int rl_migrate(rl_db *db, const char *target_sql, const rl_migrate_options *opts)
{
    rl_plan *p;
    int code = rl_plan_new(db, target_sql, &p);
    if (code != RL_OK) return code;
    code = rl_plan_apply(db, p, opts);
    rl_plan_free(p);
    return code;
}

int rl_migrate_models(rl_db *db, const rl_model *const *models, size_t n,
                      const rl_migrate_options *opts)
{
    rl_plan *p;
    int code = rl_plan_from_models(db, models, n, &p);
    if (code != RL_OK) return code;
    code = rl_plan_apply(db, p, opts);
    rl_plan_free(p);
    return code;
}

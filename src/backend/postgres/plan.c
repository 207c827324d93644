/*
 * Migrations on PostgreSQL, planning: the steps from the database's schema to the target's,
 * in PostgreSQL's own transactional DDL.  No table is ever rebuilt: columns are added,
 * dropped and altered in place, and constraints are compared by the server's own text
 * (pg_get_constraintdef), so a key whose actions change is dropped and added again:
 *
 *   ALTER TABLE notes DROP CONSTRAINT notes_author_id_fkey;
 *   ALTER TABLE notes ADD CONSTRAINT notes_author_id_fkey FOREIGN KEY (author_id)
 *       REFERENCES users(id) ON DELETE CASCADE NOT VALID;
 *   ALTER TABLE notes VALIDATE CONSTRAINT notes_author_id_fkey;
 *
 * (NOT VALID then VALIDATE: the check of the existing rows takes a lighter lock.)  A key that
 * was NOT VALID before stays so, as rows that broke it before the migration do not block one
 * on SQLite either.  What changes comes from src/migrate/diff.c (sch_diff): a table is altered
 * when its structure differs (its columns as a set, constraints, keys), never for a column
 * order or spelling alone, which PostgreSQL cannot change in place.  The order keeps every
 * statement valid: views and changed keys out of the way first, then indexes and constraints that
 * go, tables that go, new tables, columns, constraints and keys that come, indexes, views.  What a
 * plan would lose is found by counting in the data, as on SQLite (a type change counts the values
 * the cast would alter).
 */
#define _GNU_SOURCE /* asprintf */
#include "core/schema.h"
#include "migrate/migrate.h"
#include "pg_int.h"
#include "sql/render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- counting in the data ---------------------------------------------------------------------
 */

/* The count sql finds: >= 0, or -1 with *why (malloc'd) the server's reason.  Inside a
 * caller's transaction the query runs in a savepoint, so that a failure leaves it usable. */
static int64_t count_of(pg_conn *c, const char *sql, char **why)
{
    bool nested = rli_pg_in_transaction(c);
    if (why) *why = NULL;
    if (nested) rli_pg_run(c, "SAVEPOINT rl_count", NULL);
    PGresult *r;
    int64_t n = -1;
    if (rli_pg_run(c, sql, &r) == RLB_OK) {
        n = PQntuples(r) == 1 ? strtoll(PQgetvalue(r, 0, 0), NULL, 10) : -1;
        PQclear(r);
    } else if (why) {
        *why = strdup(c->err.message ? c->err.message : "failed");
    }
    if (nested) rli_pg_run(c, "ROLLBACK TO SAVEPOINT rl_count; RELEASE SAVEPOINT rl_count", NULL);
    return n;
}

/* Rows of table (where column cond, when column is not NULL). */
static int64_t count_rows(pg_conn *c, const char *table, const char *column, const char *cond)
{
    strbuf q;
    rli_sb_init(&q);
    rli_render_count(&q, NULL, table, column, cond);
    int64_t n = q.oom ? -1 : count_of(c, sb_str(&q), NULL);
    rli_sb_free(&q);
    return n;
}

/* Values of column (of type old) that a change to type would lose: those that casting back
 * to old does not give back, compared as text ('01234' -> 1234 is lost, 100 -> '100' and a
 * date -> timestamp are not); -1 with *why when the cast fails.  old NULL: compared as the
 * new type holds them. */
static int64_t changed_by_cast(pg_conn *c, const char *table, const char *column, const char *old,
                               const char *type, char **why)
{
    strbuf q;
    rli_sb_init(&q);
    rli_render_count(&q, NULL, table, column, " IS NOT NULL AND ");
    rli_sb_ident(&q, column);
    rli_sb_puts(&q, "::text IS DISTINCT FROM ((");
    rli_sb_ident(&q, column);
    if (old)
        rli_sb_printf(&q, "::%s)::%s)::text", type, old);
    else
        rli_sb_printf(&q, "::%s))::text", type);
    int64_t n = q.oom ? -1 : count_of(c, sb_str(&q), why);
    if (n < 0 && !q.oom && old) {
        /* no cast back (or a value that does not go back): compare what the new type holds */
        free(*why);
        *why = NULL;
        n = changed_by_cast(c, table, column, NULL, type, why);
    }
    rli_sb_free(&q);
    return n;
}

static void column_loss(pg_conn *c, rl_plan *p, const sch_table *t, const sch_column *cc,
                        const sch_column *tc, int64_t rows)
{
    if (!tc) {
        int64_t n = count_rows(c, t->name, cc->name, " IS NOT NULL");
        if (n > 0 && cc->hidden == 0) rli_loss_dropped_column(p, t->name, cc->name, n);
        return;
    }
    if (!cc) {
        if (tc->notnull && !tc->dflt && tc->hidden == 0)
            rli_loss_not_null_added(p, t->name, tc->name, rows);
        return;
    }
    if (tc->notnull && !cc->notnull) {
        int64_t n = count_rows(c, t->name, cc->name, " IS NULL");
        if (n > 0) rli_loss_nulls(p, t->name, tc->name, n);
    }
    if (rli_same_name(cc->type, tc->type) || tc->hidden) return;
    char *why = NULL;
    int64_t n = changed_by_cast(c, t->name, cc->name, cc->type, tc->type, &why);
    rli_loss_type(p, t->name, tc->name, tc->type, n, why);
    free(why);
}

/* What the change ch of a table in both would lose. */
static void table_loss(pg_conn *c, rl_plan *p, const table_change *ch)
{
    int64_t rows = count_rows(c, ch->cur->name, NULL, NULL);
    if (rows == 0) return;
    for (size_t i = 0; i < ch->ncols; i++) /* dropped ones on the current table, as before */
        column_loss(c, p, ch->cols[i].tgt ? ch->tgt : ch->cur, ch->cols[i].cur, ch->cols[i].tgt,
                    rows);
}

/* ---- steps ---------------------------------------------------------------------------------- */

typedef struct planner {
    pg_conn *c;
    rl_plan *p;
    const schema *cur, *tgt;
    const sch_diff *d;
} planner;

/* ALTER TABLE t <what>, with one identifier (column or constraint) in it. */
static void alter(rl_plan *p, const char *table, const char *what, const char *ident,
                  const char *rest)
{
    strbuf b;
    rli_sb_init(&b);
    rli_sb_puts(&b, "ALTER TABLE ");
    rli_sb_ident(&b, table);
    rli_sb_printf(&b, " %s ", what);
    rli_sb_ident(&b, ident);
    rli_sb_puts(&b, rest ? rest : "");
    rli_plan_step(p, (step){.kind = STEP_SQL, .sql = rli_sb_take(&b)});
}

/* Constraints of the current tables that go or change, keys (kind 'f') or the others. */
static void drop_constraints(planner *pl, bool keys)
{
    for (size_t i = 0; i < pl->d->ntables; i++) {
        const table_change *ch = &pl->d->tables[i];
        for (size_t k = 0; ch->cur && ch->tgt && k < ch->ncons; k++) {
            const sch_constraint *ck = ch->cons[k].cur;
            if (ck && !ch->cons[k].tgt && (ck->kind == 'f') == keys)
                alter(pl->p, ch->cur->name, "DROP CONSTRAINT", ck->name, NULL);
        }
    }
}

/* Whether t has a constraint named name. */
static bool has_constraint(const sch_table *t, const char *name)
{
    for (size_t k = 0; k < t->ncons; k++)
        if (strcmp(t->cons[k].name, name) == 0) return true;
    return false;
}

/* A constraint the database keeps under another name than the target's (a table renamed
 * keeps "authors_pkey" where a fresh one would say "writers_pkey"; a name changed in the
 * schema) takes the target's name, its index with it, when that name is free: what embeds
 * and errors call a key by is then the schema's. */
static void rename_constraints(planner *pl)
{
    for (size_t i = 0; i < pl->d->ntables; i++) {
        const table_change *ch = &pl->d->tables[i];
        const sch_table *t = ch->tgt, *c = ch->cur;
        for (size_t k = 0; c && t && k < ch->ncons; k++) {
            const sch_constraint *tk = ch->cons[k].tgt, *ck = ch->cons[k].cur;
            if (!ck || !tk || has_constraint(c, tk->name) || has_constraint(t, ck->name)) continue;
            rli_plan_summary(pl->p, "~ table %s: constraint %s renamed to %s", t->name, ck->name,
                             tk->name);
            pl->p->changes++;
            strbuf to;
            rli_sb_init(&to);
            rli_sb_puts(&to, " TO ");
            rli_sb_ident(&to, tk->name);
            alter(pl->p, t->name, "RENAME CONSTRAINT", ck->name, sb_str(&to));
            rli_sb_free(&to);
        }
    }
}

/* The target's constraints that the database lacks, keys or the others: a key or a CHECK on
 * a table that exists is added NOT VALID and then validated (unless the key it replaces was
 * never validated: rows that broke it before still may). */
static void add_constraints(planner *pl, bool keys)
{
    for (size_t i = 0; i < pl->d->ntables; i++) {
        const table_change *ch = &pl->d->tables[i];
        const sch_table *t = ch->tgt, *c = ch->cur;
        for (size_t k = 0; t && k < ch->ncons; k++) {
            const sch_constraint *tk = ch->cons[k].tgt;
            if (!tk || ch->cons[k].cur || (tk->kind == 'f') != keys || (!c && !keys)) continue;
            bool deferred_check = c && (tk->kind == 'f' || tk->kind == 'c');
            bool was_unchecked = false;
            for (size_t j = 0; c && j < c->ncons; j++)
                if (c->cons[j].kind == tk->kind && rli_same_name(c->cons[j].name, tk->name))
                    was_unchecked = !c->cons[j].validated;
            strbuf b;
            rli_sb_init(&b);
            rli_sb_puts(&b, "ALTER TABLE ");
            rli_sb_ident(&b, t->name);
            rli_sb_puts(&b, " ADD ");
            rli_pg_constraint_def(&b, tk);
            if (deferred_check || !tk->validated) rli_sb_puts(&b, " NOT VALID");
            rli_plan_step(pl->p, (step){.kind = STEP_SQL, .sql = rli_sb_take(&b)});
            if (!deferred_check || was_unchecked || !tk->validated) continue;
            strbuf v;
            rli_sb_init(&v);
            rli_sb_puts(&v, "ALTER TABLE ");
            rli_sb_ident(&v, t->name);
            rli_sb_puts(&v, " VALIDATE CONSTRAINT ");
            rli_sb_ident(&v, tk->name);
            /* table and dest mark a validation: apply names a row that would fail it first */
            rli_plan_step(pl->p, (step){.kind = STEP_SQL,
                                        .sql = rli_sb_take(&v),
                                        .table = tk->kind == 'f' ? strdup(t->name) : NULL,
                                        .dest = tk->kind == 'f' ? strdup(tk->name) : NULL});
        }
    }
}

static void create_table(planner *pl, const sch_table *t)
{
    rli_plan_step(pl->p, (step){.kind = STEP_SQL, .sql = rli_pg_table_sql(t, false)});
}

/* Whether a column in both, changed as what says, is dropped and added again: a generated
 * column whose expression changes, or one that becomes or stops being generated. */
static bool regenerated(const col_change *cc)
{
    return cc->cur && cc->tgt &&
           ((cc->what & COL_HIDDEN) ||
            (cc->tgt->hidden && (cc->what & (COL_TYPE | COL_NOTNULL | COL_DEFAULT))));
}

/* The columns of a table that stays: added, dropped, changed in place (a generated column
 * whose expression changes is dropped and added again). */
static void alter_columns(planner *pl, const table_change *ch)
{
    const sch_table *t = ch->tgt;
    for (size_t i = 0; i < ch->ncols; i++)
        if (!ch->cols[i].tgt || regenerated(&ch->cols[i]))
            alter(pl->p, t->name, "DROP COLUMN", ch->cols[i].cur->name, NULL);
    for (size_t i = 0; i < ch->ncols; i++) {
        const sch_column *tc = ch->cols[i].tgt, *cc = ch->cols[i].cur;
        if (!tc) continue;
        if (!cc || regenerated(&ch->cols[i])) {
            strbuf def;
            rli_sb_init(&def);
            rli_pg_column_def(&def, tc);
            strbuf b;
            rli_sb_init(&b);
            rli_sb_puts(&b, "ALTER TABLE ");
            rli_sb_ident(&b, t->name);
            rli_sb_printf(&b, " ADD COLUMN %s", sb_str(&def));
            rli_plan_step(pl->p, (step){.kind = STEP_SQL, .sql = rli_sb_take(&b)});
            rli_sb_free(&def);
            continue;
        }
        bool ident_c = cc->dflt && strncmp(cc->dflt, "GENERATED ", 10) == 0;
        bool ident_t = tc->dflt && strncmp(tc->dflt, "GENERATED ", 10) == 0;
        bool dflt_changes = ch->cols[i].what & COL_DEFAULT;
        if (dflt_changes && cc->dflt)
            alter(pl->p, t->name, "ALTER COLUMN", tc->name,
                  ident_c ? " DROP IDENTITY" : " DROP DEFAULT");
        if (ch->cols[i].what & COL_TYPE) {
            char *rest = NULL, *q = rli_quoted(tc->name);
            if (q && asprintf(&rest, " TYPE %s USING %s::%s", tc->type, q, tc->type) < 0)
                rest = NULL;
            alter(pl->p, t->name, "ALTER COLUMN", tc->name, rest ? rest : " TYPE ?");
            free(rest);
            free(q);
        }
        if (ch->cols[i].what & COL_NOTNULL)
            alter(pl->p, t->name, "ALTER COLUMN", tc->name,
                  tc->notnull ? " SET NOT NULL" : " DROP NOT NULL");
        if (dflt_changes && tc->dflt) {
            char *rest = NULL;
            if (asprintf(&rest, ident_t ? " ADD %s" : " SET DEFAULT %s", tc->dflt) < 0) rest = NULL;
            alter(pl->p, t->name, "ALTER COLUMN", tc->name, rest ? rest : " SET DEFAULT ?");
            free(rest);
        }
    }
}

/* ---- indexes and views ------------------------------------------------------------------------
 */

static void drop_objects(planner *pl, const sch_object *cur, size_t ncur, const char *kind,
                         bool all)
{
    for (size_t i = 0; i < ncur; i++) {
        const object_change *oc = rli_diff_object(pl->d, kind, cur[i].name);
        if (oc && !oc->tgt) {
            rli_plan_summary(pl->p, "- %s %s", kind, cur[i].name);
            pl->p->changes++;
        }
        bool table_goes = cur[i].table && !rli_schema_table(pl->tgt, cur[i].table);
        if ((all || oc) && !table_goes) {
            strbuf b;
            rli_sb_init(&b);
            rli_sb_printf(&b, "DROP %s ", strcmp(kind, "view") == 0 ? "VIEW" : "INDEX");
            rli_sb_ident(&b, cur[i].name);
            rli_plan_step(pl->p, (step){.kind = STEP_SQL, .sql = rli_sb_take(&b)});
        }
    }
}

static void create_objects(planner *pl, const sch_object *tgt, size_t ntgt, const char *kind,
                           bool all)
{
    for (size_t i = 0; i < ntgt; i++) {
        const object_change *oc = rli_diff_object(pl->d, kind, tgt[i].name);
        bool added = oc && !oc->cur, changed = oc != NULL;
        bool table_new = tgt[i].table && !added && !rli_schema_table(pl->cur, tgt[i].table);
        if (added)
            rli_plan_summary(pl->p, "+ %s %s", kind, tgt[i].name), pl->p->changes++;
        else if (changed)
            rli_plan_summary(pl->p, "~ %s %s: definition changed", kind, tgt[i].name),
                pl->p->changes++;
        if (changed || all || table_new) rli_plan_sql(pl->p, "%s", tgt[i].sql);
    }
}

/* ---- the plan -----------------------------------------------------------------------------------
 */

/* Describe each table's fate (and count it); true when any table changes.  A table in both
 * changes when its structure does. */
static bool describe_tables(planner *pl)
{
    rl_plan *p = pl->p;
    bool any = false;
    for (size_t i = 0; i < pl->d->ntables; i++) {
        const table_change *ch = &pl->d->tables[i];
        if (!ch->structure) continue;
        any = true;
        p->changes++;
        if (!ch->cur) {
            rli_plan_summary(p, "+ table %s", ch->tgt->name);
        } else if (ch->tgt) {
            rli_plan_summary(p, "~ table %s: %s (ALTER TABLE)", ch->tgt->name, ch->why);
            table_loss(pl->c, p, ch);
        } else {
            int64_t rows = count_rows(pl->c, ch->cur->name, NULL, NULL);
            rli_plan_summary(p, "- table %s (%lld rows)", ch->cur->name, (long long)rows);
            if (rows) rli_loss_dropped_table(p, ch->cur->name, rows);
        }
    }
    if (pl->d->empty_target) {
        p->empty_target = true;
        rli_plan_summary(p,
                         "! the target schema declares no table: migrating to it would drop all "
                         "%zu table%s (refused unless an empty schema is allowed)",
                         pl->cur->ntables, pl->cur->ntables == 1 ? "" : "s");
    }
    return any;
}

static void drop_tables(planner *pl)
{
    strbuf b;
    rli_sb_init(&b);
    for (size_t i = 0; i < pl->d->ntables; i++) {
        if (pl->d->tables[i].tgt) continue;
        rli_sb_puts(&b, b.len ? ", " : "DROP TABLE ");
        rli_sb_ident(&b, pl->d->tables[i].cur->name);
    }
    if (b.len)
        rli_plan_step(pl->p, (step){.kind = STEP_SQL, .sql = rli_sb_take(&b)});
    else
        rli_sb_free(&b);
}

static void plan_text(rl_plan *p)
{
    strbuf *b = &p->text;
    if (p->changes == 0) return;
    rli_sb_puts(b, "BEGIN;\n");
    for (size_t i = 0; i < p->nsteps; i++) {
        rli_sb_printf(b, "%s;", p->steps[i].sql);
        if (p->steps[i].dest)
            rli_sb_puts(b, " -- refused, naming the row, if any row has no parent");
        rli_sb_puts(b, "\n");
    }
    rli_sb_printf(b,
                  "INSERT INTO " HISTORY_TABLE " (applied_at, schema_hash, statements) VALUES "
                  "(now(), '%s', $1);\nCOMMIT;\n",
                  p->hash);
}

/* The order of a plan in one place. */
int rli_pg_plan(rl_db *db, const schema *cur, const schema *tgt, const sch_diff *d, rl_plan *p)
{
    planner pl = {.c = rli_pg(db), .p = p, .cur = cur, .tgt = tgt, .d = d};
    bool tables_change = describe_tables(&pl);
    /* 1. out of the way: views, keys, indexes and constraints that go or change, tables */
    drop_objects(&pl, cur->views, cur->nviews, "view", tables_change);
    drop_constraints(&pl, true);
    drop_objects(&pl, cur->indexes, cur->nindexes, "index", false);
    drop_constraints(&pl, false);
    drop_tables(&pl);
    /* 2. tables and columns */
    for (size_t i = 0; i < d->ntables; i++) {
        const table_change *ch = &d->tables[i];
        if (!ch->cur)
            create_table(&pl, ch->tgt);
        else if (ch->tgt && ch->structure)
            alter_columns(&pl, ch);
    }
    /* 3. constraints (renamed first), then keys, then indexes and views */
    rename_constraints(&pl);
    add_constraints(&pl, false);
    add_constraints(&pl, true);
    create_objects(&pl, tgt->indexes, tgt->nindexes, "index", false);
    create_objects(&pl, tgt->views, tgt->nviews, "view", tables_change);
    char *all = rli_schema_sql(tgt);
    snprintf(p->hash, sizeof p->hash, "%016llx", (unsigned long long)rli_hash_text(all));
    free(all);
    plan_text(p);
    return rli_plan_finish(db, p);
}

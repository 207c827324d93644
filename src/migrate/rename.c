/*
 * Migrations, renames: a column or a table renamed in place (ALTER TABLE ... RENAME, which
 * both engines carry out with every value, and with the foreign keys, indexes, views and
 * triggers that name it following), checked before anything runs, put in an order that
 * runs (a chain b -> c, a -> b renames b first; a swap goes through a free name), and the
 * renames a plan that would drop data seems to be missing.  Engine-neutral: it reads only
 * the schema values.
 */
#define _GNU_SOURCE /* asprintf */
#include "migrate.h"
#include "core/db.h"
#include "core/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- checking ------------------------------------------------------------------------------- */

static bool is_table_rename(const rl_rename *r)
{
    return !r->column;
}

/* Whether the renames move `name` (a column of table, or a table when column is false) away. */
static bool moved_away(const rl_rename *r, size_t n, const char *table, const char *name,
                       bool column)
{
    for (size_t i = 0; i < n; i++)
        if (is_table_rename(&r[i]) != column &&
            (column ? rli_same_name(r[i].table, table) && rli_same_name(r[i].column, name)
                    : rli_same_name(r[i].table, name)))
            return true;
    return false;
}

/* Whether a table, view or index of cur is named name. */
static bool name_taken(const schema *cur, const char *name)
{
    return rli_schema_table(cur, name) || rli_schema_object(cur->views, cur->nviews, name) ||
           rli_schema_object(cur->indexes, cur->nindexes, name);
}

/* The sentence for rename r that cannot be done (why: a printf format with one %s, the new
 * name, or none). */
static int refuse(rl_db *db, const rl_rename *r, const char *why)
{
    strbuf b;
    rli_sb_init(&b);
    rli_sb_puts(&b, "migrate: cannot rename ");
    if (r->column) {
        rli_sb_puts(&b, "column ");
        rli_sb_name(&b, r->table ? r->table : "");
        rli_sb_puts(&b, ".");
        rli_sb_name(&b, r->column);
    } else {
        rli_sb_puts(&b, "table ");
        rli_sb_name(&b, r->table ? r->table : "");
    }
    rli_sb_puts(&b, " to ");
    rli_sb_name(&b, r->to ? r->to : "");
    rli_sb_puts(&b, ": ");
    rli_sb_puts(&b, why);
    rli_sb_puts(&b, ". Nothing was changed.");
    int code = b.oom ? rli_err_set(db, RL_ENOMEM, "Out of memory.")
                     : rli_err_set(db, RL_EINVAL, "%s", sb_str(&b));
    rli_sb_free(&b);
    return code;
}

int rli_renames_check(rl_db *db, const schema *cur, const rl_rename *r, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const sch_table *t = r[i].table ? rli_schema_table(cur, r[i].table) : NULL;
        if (!r[i].table || !*r[i].table || !r[i].to || !*r[i].to || (r[i].column && !*r[i].column))
            return refuse(db, &r[i], "a rename needs a table, its new name or a column's");
        if (!t) return refuse(db, &r[i], "the database has no such table");
        if (rli_same_name(t->name, HISTORY_TABLE))
            return refuse(db, &r[i], "it is the migrations' own history");
        if (r[i].column && !rli_table_column(t, r[i].column))
            return refuse(db, &r[i], "the table has no such column");
        if (rli_same_name(r[i].column ? r[i].column : r[i].table, r[i].to))
            return refuse(db, &r[i], "that is its name already");
        if (!r[i].column && strncasecmp(r[i].to, "sqlite_", 7) == 0)
            return refuse(db, &r[i], "names that begin with sqlite_ are the engine's own");
        for (size_t k = 0; k < i; k++) {
            if (is_table_rename(&r[k]) != is_table_rename(&r[i])) continue;
            bool same_table = rli_same_name(r[k].table, r[i].table);
            if (same_table && rli_same_name(r[k].column, r[i].column))
                return refuse(db, &r[i], "it is renamed twice");
            if ((r[i].column ? same_table : true) && rli_same_name(r[k].to, r[i].to))
                return refuse(db, &r[i], "another rename takes that name too");
        }
        bool taken = r[i].column ? rli_table_column(t, r[i].to) != NULL : name_taken(cur, r[i].to);
        if (taken && !moved_away(r, n, r[i].table, r[i].to, r[i].column != NULL))
            return refuse(db, &r[i],
                          r[i].column ? "the table has a column of that name already"
                                      : "the database has a table, view or index of that name "
                                        "already");
    }
    return RL_OK;
}

/* ---- ordering and statements ------------------------------------------------------------------
 */

typedef struct pending {
    char *table, *from; /* current names (change as the renames run) */
    const char *to;
    bool done;
} pending;

/* Whether a rename not yet run still holds name (what is not renamed was checked before). */
static bool taken_now(const pending *q, size_t n, const char *table, const char *name, bool column)
{
    for (size_t i = 0; i < n; i++)
        if (!q[i].done && rli_same_name(q[i].from, name) &&
            (!column || rli_same_name(q[i].table, table)))
            return true;
    return false;
}

static void statement(rl_plan *p, const char *table, const char *column, const char *to)
{
    strbuf b;
    rli_sb_init(&b);
    rli_sb_puts(&b, "ALTER TABLE ");
    rli_sb_ident(&b, table);
    if (column) {
        rli_sb_puts(&b, " RENAME COLUMN ");
        rli_sb_ident(&b, column);
        rli_sb_puts(&b, " TO ");
    } else {
        rli_sb_puts(&b, " RENAME TO ");
    }
    rli_sb_ident(&b, to);
    if (b.oom) p->text.oom = true;
    rli_plan_step(p, (step){.kind = STEP_SQL, .sql = rli_sb_take(&b)});
}

static char *dup_or_oom(rl_plan *p, const char *s)
{
    char *d = strdup(s);
    if (!d) p->text.oom = true;
    return d;
}

/*
 * Run the renames of one kind (columns, or tables) in an order that works: a rename whose
 * new name is free goes next; when none is (a cycle: a -> b, b -> a), one of them moves to a
 * free name first.
 */
/* Rename q (now named q->from) to `to`. */
static void rename_one(rl_plan *p, const pending *q, bool column, const char *to)
{
    statement(p, column ? q->table : q->from, column ? q->from : NULL, to);
}

static void order(rl_plan *p, const schema *cur, pending *q, size_t n, bool column)
{
    size_t left = n;
    while (left && !p->text.oom) {
        size_t pick = n;
        for (size_t i = 0; i < n && pick == n; i++)
            if (!q[i].done && !taken_now(q, n, q[i].table, q[i].to, column)) pick = i;
        if (pick < n) {
            rename_one(p, &q[pick], column, q[pick].to);
            q[pick].done = true;
            left--;
            continue;
        }
        /* a cycle: move the first one to a name nothing holds, renamed or not */
        for (pick = 0; q[pick].done; pick++) {
        }
        char *tmp = NULL;
        for (int k = 1; k < 1000 && !tmp; k++) {
            if (asprintf(&tmp, "rl_renaming_%d", k) < 0) {
                p->text.oom = true;
                return;
            }
            const sch_table *t = rli_schema_table(cur, q[pick].table);
            bool clash = taken_now(q, n, q[pick].table, tmp, column) ||
                         (column ? t && rli_table_column(t, tmp) : name_taken(cur, tmp));
            for (size_t i = 0; i < n && !clash; i++)
                clash = rli_same_name(q[i].to, tmp);
            if (clash) {
                free(tmp);
                tmp = NULL;
            }
        }
        if (!tmp) {
            p->text.oom = true;
            return;
        }
        rename_one(p, &q[pick], column, tmp);
        free(q[pick].from);
        q[pick].from = tmp;
    }
}

static void summary_line(rl_plan *p, const rl_rename *r)
{
    if (r->column)
        rli_plan_summary(p, "~ table %s: column %s renamed to %s (ALTER TABLE, every value kept)",
                         r->table, r->column, r->to);
    else
        rli_plan_summary(p, "~ table %s renamed to %s (ALTER TABLE, every row and key kept)",
                         r->table, r->to);
    p->changes++;
}

void rli_renames_plan(rl_plan *p, const schema *cur, const rl_rename *r, size_t n)
{
    pending *q = calloc(n ? n : 1, sizeof *q);
    if (!q) {
        p->text.oom = true;
        return;
    }
    for (int pass = 0; pass < 2; pass++) { /* columns first, under the tables' old names */
        bool column = pass == 0;
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            if (is_table_rename(&r[i]) == column) continue;
            summary_line(p, &r[i]);
            q[m].table = dup_or_oom(p, r[i].table);
            q[m].from = dup_or_oom(p, column ? r[i].column : r[i].table);
            q[m].to = r[i].to;
            q[m].done = false;
            m++;
        }
        if (!p->text.oom) order(p, cur, q, m, column);
        for (size_t i = 0; i < m; i++) {
            free(q[i].table);
            free(q[i].from);
        }
    }
    free(q);
    p->nrename_steps = p->nsteps;
}

/* ---- hints ------------------------------------------------------------------------------------
 */

/* Whether the plan would drop this table (column NULL) or column with its data. */
static bool dropped_with_data(const rl_plan *p, const char *table, const char *column)
{
    size_t tl = strlen(table);
    for (size_t i = 0; i < p->ngone; i++) {
        const char *g = p->gone[i];
        if (strncasecmp(g, table, tl) != 0) continue;
        if (!column && g[tl] == '\0') return true;
        if (column && g[tl] == '\n' && strcasecmp(g + tl + 1, column) == 0) return true;
    }
    return false;
}

/* Types that hold the same values: the same name, lengths aside (VARCHAR(10), VARCHAR(20)). */
static bool same_kind(const char *a, const char *b)
{
    size_t la = a ? strcspn(a, "( ") : 0, lb = b ? strcspn(b, "( ") : 0;
    return la == lb && (la == 0 || strncasecmp(a, b, la) == 0);
}

/* The one column of t that c lacks and that could hold column d's values, or NULL. */
static const sch_column *only_candidate(const sch_table *c, const sch_table *t, const sch_column *d)
{
    const sch_column *found = NULL;
    for (size_t i = 0; i < t->ncols; i++) {
        const sch_column *a = &t->cols[i];
        if (a->hidden || rli_table_column(c, a->name) || !same_kind(a->type, d->type)) continue;
        if (found) return NULL;
        found = a;
    }
    return found;
}

/* Whether tables a and b have the same columns, by name. */
static bool same_columns(const sch_table *a, const sch_table *b)
{
    if (a->ncols != b->ncols) return false;
    for (size_t i = 0; i < a->ncols; i++)
        if (!rli_table_column(b, a->cols[i].name)) return false;
    return true;
}

void rli_rename_hints(rl_plan *p, const schema *cur, const schema *tgt)
{
    for (size_t i = 0; i < tgt->ntables; i++) {
        const sch_table *t = &tgt->tables[i], *c = rli_schema_table(cur, t->name);
        for (size_t k = 0; c && k < c->ncols; k++) {
            const sch_column *d = &c->cols[k];
            if (d->hidden || rli_table_column(t, d->name) ||
                !dropped_with_data(p, c->name, d->name))
                continue;
            const sch_column *a = only_candidate(c, t, d);
            if (a)
                rli_plan_noted(p, &p->loss, "possible-rename",
                               "if column %s.%s was renamed to %s, keep its values with --rename "
                               "%s.%s=%s (rl_migrate_options.renames)",
                               c->name, d->name, a->name, c->name, d->name, a->name);
        }
    }
    for (size_t i = 0; i < cur->ntables; i++) {
        const sch_table *c = &cur->tables[i];
        if (rli_schema_table(tgt, c->name) || !dropped_with_data(p, c->name, NULL)) continue;
        const sch_table *found = NULL;
        size_t candidates = 0;
        for (size_t k = 0; k < tgt->ntables; k++)
            if (!rli_schema_table(cur, tgt->tables[k].name) && same_columns(c, &tgt->tables[k])) {
                found = &tgt->tables[k];
                candidates++;
            }
        if (candidates == 1)
            rli_plan_noted(p, &p->loss, "possible-rename",
                           "if table %s was renamed to %s, keep its rows with --rename %s=%s "
                           "(rl_migrate_options.renames)",
                           c->name, found->name, c->name, found->name);
    }
}

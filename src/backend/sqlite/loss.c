/*
 * Migrations, planning: what a table's change would lose.
 *
 * What a plan would lose is decided by looking at the data, not at type names: a column
 * whose type changes is copied into a probe column of the target's type, back into one of the
 * old type, and compared value by value ('01234' -> 1234, 2^53 + 1 -> 2^53 are losses;
 * 5 -> 5.0 and 100 -> '100' are not: both come back).  Losses that a
 * flag may allow (dropping values) are kept apart from those no flag can help (NULLs into a
 * NOT NULL column, a NOT NULL column without a default added to a table with rows).
 */
#define _GNU_SOURCE /* asprintf */
#include "migrate/migrate.h"
#include "sqlite_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A temporary table (value ANY|BLOB, as TYPE) under strict or not, by a free name; NULL if it
 * cannot be made. */
static char *probe_table(sqlite3 *h, const schema *tgt, const char *prefix, const char *type,
                         bool strict)
{
    char *probe = rli_sqlite_temp_name(h, tgt, prefix, "");
    if (!probe) return NULL;
    strbuf sql;
    rli_sb_init(&sql);
    rli_sb_puts(&sql, "CREATE TEMP TABLE ");
    rli_sb_ident(&sql, probe);
    rli_sb_printf(&sql, " (value %s, as_type %s)%s", strict ? "ANY" : "BLOB", type ? type : "",
                  strict ? " STRICT" : "");
    if (sql.oom || rli_exec_one(h, sb_str(&sql), NULL) != SQLITE_OK) {
        free(probe);
        probe = NULL;
    }
    rli_sb_free(&sql);
    return probe;
}

static void drop_probe(sqlite3 *h, char *probe)
{
    if (!probe) return;
    strbuf sql;
    rli_sb_init(&sql);
    rli_sb_puts(&sql, "DROP TABLE temp.");
    rli_sb_ident(&sql, probe);
    if (!sql.oom) rli_exec_one(h, sb_str(&sql), NULL);
    rli_sb_free(&sql);
    free(probe);
}

/*
 * Values of column cc (table c) that changing it into tc would lose: each value is stored
 * through a probe column of tc's type (and strictness), that value stored back through a
 * column of cc's type (and strictness), and the result compared with the original without
 * affinity.  A value is lost when it does not come back: '01234' -> 1234 -> '1234' is lost,
 * 100 -> '100' -> 100 is not, 2^53 + 1 -> 2^53 as REAL is.  Returns the count, or -1 when a
 * value cannot be stored at all (a STRICT type refusing it); *why then says why.
 */
static int64_t changed_values(sqlite3 *h, const schema *tgt, const sch_table *c,
                              const sch_column *cc, const sch_table *t, const sch_column *tc,
                              char **why)
{
    *why = NULL;
    char *there = probe_table(h, tgt, "reflite_probe_", tc->type, t->strict);
    char *back = there ? probe_table(h, tgt, "reflite_back_", cc->type, c->strict) : NULL;
    if (!back) {
        drop_probe(h, there);
        return rli_count_rows(h, c->name, cc->name, " IS NOT NULL");
    }
    strbuf sql;
    rli_sb_init(&sql);
    int64_t n = 0;
    char *err = NULL;
    rli_sb_puts(&sql, "INSERT INTO temp.");
    rli_sb_ident(&sql, there);
    rli_sb_puts(&sql, " (value, as_type) SELECT ");
    rli_sb_ident(&sql, cc->name);
    rli_sb_puts(&sql, ", ");
    rli_sb_ident(&sql, cc->name);
    rli_sb_puts(&sql, " FROM main.");
    rli_sb_ident(&sql, c->name);
    if (!sql.oom && rli_exec_one(h, sb_str(&sql), &err) != SQLITE_OK) {
        *why = err;
        err = NULL;
        n = -1;
    }
    if (n == 0) {
        /* when the old type cannot take the values back (a STRICT column refusing one), they
         * are compared as the new type stores them */
        sql.len = 0;
        rli_sb_puts(&sql, "INSERT INTO temp.");
        rli_sb_ident(&sql, back);
        rli_sb_puts(&sql, " (rowid, value, as_type) SELECT rowid, value, as_type FROM temp.");
        rli_sb_ident(&sql, there);
        bool back_in = !sql.oom && rli_exec_one(h, sb_str(&sql), NULL) == SQLITE_OK;
        sql.len = 0;
        rli_sb_puts(&sql, "SELECT count(*) FROM temp.");
        rli_sb_ident(&sql, back_in ? back : there);
        rli_sb_puts(&sql, " WHERE +as_type IS NOT +value");
        sqlite3_stmt *st;
        if (!sql.oom && sqlite3_prepare_v2(h, sb_str(&sql), -1, &st, NULL) == SQLITE_OK) {
            if (sqlite3_step(st) == SQLITE_ROW) n = sqlite3_column_int64(st, 0);
            sqlite3_finalize(st);
        }
    }
    free(err);
    rli_sb_free(&sql);
    drop_probe(h, back);
    drop_probe(h, there);
    return n;
}

/* What would be lost by changing table c into t: p->loss (a flag may allow it) and
 * p->blocked (no flag can help: the copy itself would fail). */
void rli_sqlite_check_loss(sqlite3 *h, rl_plan *p, const schema *tgt, const table_change *ch)
{
    const sch_table *c = ch->cur, *t = ch->tgt;
    int64_t rows = rli_count_rows(h, c->name, NULL, NULL);
    if (rows == 0) return;
    bool common = !c->without_rowid && !t->without_rowid && !t->is_virtual;
    for (size_t i = 0; i < ch->ncols && !common; i++)
        common = ch->cols[i].cur && ch->cols[i].tgt && ch->cols[i].tgt->hidden == 0 &&
                 ch->cols[i].cur->hidden == 0;
    if (!common)
        rli_plan_noted(p, &p->loss, "destructive-change",
                       "table %s keeps no column of its old definition: its %lld row%s would "
                       "be dropped",
                       c->name, (long long)rows, rows == 1 ? "" : "s");
    for (size_t i = 0; i < ch->ncols; i++) {
        const sch_column *cc = ch->cols[i].cur, *tc = ch->cols[i].tgt;
        if (!tc) { /* dropped */
            if (cc->hidden >= 1) continue;
            int64_t n = rli_count_rows(h, c->name, cc->name, " IS NOT NULL");
            if (n) rli_loss_dropped_column(p, c->name, cc->name, n);
            continue;
        }
        if (tc->hidden >= 1) continue;
        if (!cc) {
            if (tc->notnull && !tc->dflt && !tc->pk && !(tc->pk && rli_sqlite_rowid_alias(t)))
                rli_loss_not_null_added(p, t->name, tc->name, rows);
            continue;
        }
        if (cc->hidden >= 1) continue;
        if (tc->notnull && !cc->notnull) {
            int64_t n = rli_count_rows(h, c->name, cc->name, " IS NULL");
            if (n) rli_loss_nulls(p, t->name, tc->name, n);
        }
        if (!(ch->cols[i].what & COL_TYPE) && c->strict == t->strict) continue;
        char *why;
        int64_t n = changed_values(h, tgt, c, cc, t, tc, &why);
        rli_loss_type(p, t->name, tc->name, tc->type, n, why);
        free(why);
    }
}

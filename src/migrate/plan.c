/*
 * Migrations, the plan: a value that holds the statements bringing a database to a target
 * schema, what they would change (summary), what they would lose (loss, blocked) and the
 * text a dry run shows.  Making one: the target schema text is loaded by the backend into
 * the one schema representation, the database's own schema is read the same way, and the
 * backend plans the steps between the two (SQLite: src/backend/sqlite/rebuild.c, with its
 * native ALTERs and table rebuilds).  Applying it: apply.c.
 */
#define _GNU_SOURCE /* asprintf */
#include "migrate.h"
#include "core/db.h"
#include "core/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- building a plan ------------------------------------------------------------------------ */

void rli_plan_step(rl_plan *p, step s)
{
    step *ns = realloc(p->steps, (p->nsteps + 1) * sizeof *ns);
    if (!ns || !s.sql) {
        free(s.sql);
        free(s.table);
        free(s.dest);
        p->text.oom = true;
        if (ns) p->steps = ns;
        return;
    }
    p->steps = ns;
    p->steps[p->nsteps++] = s;
}

void rli_plan_sql(rl_plan *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0) s = NULL;
    va_end(ap);
    rli_plan_step(p, (step){.kind = STEP_SQL, .sql = s});
}

/* One line of a text (summary, loss) with every name in it escaped. */
static void line_to(strbuf *b, const char *fmt, va_list ap)
{
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0) {
        b->oom = true;
        return;
    }
    rli_sb_name(b, s);
    rli_sb_puts(b, "\n");
    free(s);
}

void rli_plan_summary(rl_plan *p, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    line_to(&p->summary, fmt, ap);
    va_end(ap);
}

void rli_plan_loss(strbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    line_to(b, fmt, ap);
    va_end(ap);
}

void rli_plan_noted(rl_plan *p, strbuf *to, const char *check, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    size_t at = to->len;
    line_to(to, fmt, ap);
    va_end(ap);
    if (to->oom) return;
    rli_sb_printf(&p->lint, "%s\t%s", check, to->s + at); /* the line, escaped, with its \n */
}

/* Remember what would be dropped with data (for rename hints). */
static void gone(rl_plan *p, const char *table, const char *column)
{
    char *g = NULL, **ng = realloc(p->gone, (p->ngone + 1) * sizeof *ng);
    if (ng) p->gone = ng;
    if (!ng || asprintf(&g, "%s%s%s", table, column ? "\n" : "", column ? column : "") < 0) {
        p->loss.oom = true;
        return;
    }
    p->gone[p->ngone++] = g;
}

void rli_loss_dropped_table(rl_plan *p, const char *table, int64_t rows)
{
    gone(p, table, NULL);
    rli_plan_noted(p, &p->loss, "destructive-change",
                   "table %s would be dropped with its %lld row%s", table, (long long)rows,
                   rows == 1 ? "" : "s");
}

void rli_loss_dropped_column(rl_plan *p, const char *table, const char *column, int64_t n)
{
    gone(p, table, column);
    rli_plan_noted(p, &p->loss, "destructive-change",
                   "column %s.%s would be dropped with its %lld non-NULL value%s", table, column,
                   (long long)n, n == 1 ? "" : "s");
}

void rli_loss_not_null_added(rl_plan *p, const char *table, const char *column, int64_t rows)
{
    rli_plan_noted(p, &p->blocked, "not-null-without-default",
                   "column %s.%s is added NOT NULL without a default, but %s has %lld row%s: "
                   "give it a default or add it as NULL and fill it first",
                   table, column, table, (long long)rows, rows == 1 ? "" : "s");
}

void rli_loss_nulls(rl_plan *p, const char *table, const char *column, int64_t n)
{
    rli_plan_noted(p, &p->blocked, "nulls-into-not-null",
                   "column %s.%s holds %lld NULL%s but becomes NOT NULL: fill %s first", table,
                   column, (long long)n, n == 1 ? "" : "s", n == 1 ? "it" : "them");
}

void rli_loss_type(rl_plan *p, const char *table, const char *column, const char *type, int64_t n,
                   const char *why)
{
    if (n < 0)
        rli_plan_noted(p, &p->blocked, "type-cannot-hold",
                       "column %s.%s: a value cannot be stored as %s (%s)", table, column, type,
                       why ? why : "refused");
    else if (n)
        rli_plan_noted(p, &p->loss, "destructive-change",
                       "column %s.%s: %lld value%s would change when stored as %s", table, column,
                       (long long)n, n == 1 ? " that is stored" : "s that are stored",
                       type && *type ? type : "a column without a type");
}

int rli_plan_finish(rl_db *db, rl_plan *p)
{
    p->loss_all.len = 0; /* run again after rename hints */
    if (p->loss_all.s) p->loss_all.s[0] = '\0';
    rli_sb_puts(&p->loss_all, sb_str(&p->blocked));
    rli_sb_puts(&p->loss_all, sb_str(&p->loss));
    if (p->loss_all.oom || p->summary.oom || p->text.oom || p->loss.oom || p->blocked.oom ||
        p->lint.oom)
        return rli_err_set(db, RL_ENOMEM, "Out of memory.");
    return RL_OK;
}

char *rli_quoted(const char *name)
{
    strbuf b;
    rli_sb_init(&b);
    rli_sb_ident(&b, name);
    return rli_sb_take(&b);
}

/* Run the renames' statements (in a transaction the caller rolls back) and read the
 * renamed schema into cur. */
static int try_renames(rl_db *db, const rl_plan *p, schema *cur)
{
    for (size_t i = 0; i < p->nsteps; i++)
        if (rl_exec(db, p->steps[i].sql, NULL, 0, NULL) != RL_OK) {
            char *why = strdup(rl_errmsg(db));
            int code = rli_err_set(db, RL_EINVAL, "migrate: the renames cannot be carried out: %s",
                                   why ? why : "out of memory");
            free(why);
            return code;
        }
    rli_schema_free(cur);
    return rli_schema_read(db, cur, "read the renamed schema");
}

/* Whether the engine's reason why (n bytes) ends in name (": body", ".body"). */
static bool names(const char *why, size_t n, const char *name)
{
    size_t k = strlen(name);
    return n > k && strncmp(why + n - k, name, k) == 0 &&
           (why[n - k - 1] == ' ' || why[n - k - 1] == '.');
}

/* Each view of the target that cannot be read against its tables (a name it has no more,
 * often one a rename took away) refuses the plan: the migration would leave it broken. */
static void broken_views(rl_plan *p, const schema *tgt, const rl_rename *r, size_t nr)
{
    for (const char *line = tgt->unreadable; line && *line;) {
        size_t n = strcspn(line, "\n"), name = strcspn(line, "\t");
        const char *why = line + name + 1;
        size_t wn = n > name ? n - name - 1 : 0;
        const rl_rename *by = NULL;
        for (size_t i = 0; i < nr && !by; i++)
            if (names(why, wn, r[i].column ? r[i].column : r[i].table)) by = &r[i];
        char how[300] = "";
        if (by && by->column)
            snprintf(how, sizeof how,
                     ", after --rename %.100s.%.100s=%.90s: the view still names the old column",
                     by->table, by->column, by->to);
        else if (by)
            snprintf(how, sizeof how,
                     ", after --rename %.100s=%.90s: the view still names the old table", by->table,
                     by->to);
        rli_plan_noted(p, &p->blocked, "view-breaks",
                       "view %.*s of the target cannot be read (%.*s)%s: change the view in the "
                       "schema",
                       (int)name, line, (int)wn, why, how);
        line += n + (line[n] == '\n');
    }
}

int rl_plan_new_ex(rl_db *db, const char *target_sql, const rl_migrate_options *opts, rl_plan **out)
{
    if (out) *out = NULL;
    if (!db || !target_sql || !out || (opts && opts->nrenames && !opts->renames)) return RL_EINVAL;
    rli_err_clear(db);
    size_t nr = opts ? opts->nrenames : 0;
    if (nr && rl_txn_depth(db) > 0)
        return rli_err_set(db, RL_EMISUSE,
                           "migrate: renames are tried in a transaction of their own; plan them "
                           "outside a transaction.");
    schema cur = {0}, tgt = {0};
    int code = db->be->migrator->load_schema(db, target_sql, &tgt);
    if (code == RL_OK) code = rli_schema_read(db, &cur, "read the database schema");
    if (code == RL_OK && nr) code = rli_renames_check(db, &cur, opts->renames, nr);
    rl_plan *p = code == RL_OK ? calloc(1, sizeof *p) : NULL;
    if (code == RL_OK && !p) code = rli_err_set(db, RL_ENOMEM, "Out of memory.");
    bool began = false;
    if (p && nr) {
        rli_renames_plan(p, &cur, opts->renames, nr);
        code = p->text.oom ? rli_err_set(db, RL_ENOMEM, "Out of memory.") : rl_begin(db);
        began = code == RL_OK;
        if (began) code = try_renames(db, p, &cur);
    }
    sch_diff diff = {0};
    if (p && code == RL_OK && !rli_schema_diff(&cur, &tgt, &diff))
        code = rli_err_set(db, RL_ENOMEM, "Out of memory.");
    if (p && code == RL_OK) code = db->be->migrator->plan(db, &cur, &tgt, &diff, p);
    rli_schema_diff_free(&diff);
    if (began) rl_rollback(db);
    if (p && code == RL_OK) {
        broken_views(p, &tgt, opts ? opts->renames : NULL, nr);
        rli_rename_hints(p, &cur, &tgt);
        code = rli_plan_finish(db, p);
    }
    if (p && code != RL_OK) {
        rl_plan_free(p);
        p = NULL;
    }
    rli_schema_free(&cur);
    rli_schema_free(&tgt);
    *out = p;
    return code;
}

int rl_plan_new(rl_db *db, const char *target_sql, rl_plan **out)
{
    return rl_plan_new_ex(db, target_sql, NULL, out);
}

int rl_plan_from_models(rl_db *db, const rl_model *const *models, size_t n, rl_plan **out)
{
    char *sql;
    if (out) *out = NULL;
    if (!db || !out || (!models && n)) return RL_EINVAL;
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
        free(p->steps[i].dest);
    }
    for (size_t i = 0; i < p->nrebuilt; i++)
        free(p->rebuilt[i]);
    free(p->rebuilt);
    for (size_t i = 0; i < p->ngone; i++)
        free(p->gone[i]);
    free(p->gone);
    free(p->steps);
    rli_sb_free(&p->summary);
    rli_sb_free(&p->loss);
    rli_sb_free(&p->blocked);
    rli_sb_free(&p->loss_all);
    rli_sb_free(&p->text);
    rli_sb_free(&p->lint);
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
    return p ? sb_str(&p->loss_all) : "";
}

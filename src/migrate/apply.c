/*
 * Migrations, applying a plan: the refusals that come before any work (data that would be
 * lost, an empty target, a caller's open transaction), the dry run, and then the backend's
 * runner (SQLite: src/backend/sqlite/apply.c, one transaction with keys off and every
 * violation checked before COMMIT).  rl_check, the survey that comes before a migration, is
 * the backend's too.
 */
#include "migrate.h"
#include "core/db.h"
#include "core/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The lines of a text joined with "; " (malloc'd). */
static char *joined(const strbuf *lines)
{
    strbuf b;
    rli_sb_init(&b);
    const char *s = sb_str(lines);
    while (*s) {
        size_t n = strcspn(s, "\n");
        if (b.len) rli_sb_puts(&b, "; ");
        rli_sb_putn(&b, s, n);
        s += n + (s[n] == '\n');
    }
    return rli_sb_take(&b);
}

/* Refusals that come before any work: data loss, an empty target, a caller's transaction. */
static int refuse(rl_db *db, const rl_plan *p, const rl_migrate_options *opts, const char *blocked,
                  const char *loss)
{
    if (p->blocked.len)
        return rli_err_set(db, RL_EDATALOSS,
                           "migrate: refused, and no flag can make this migration keep the data: "
                           "%s.%s%s%s Nothing was changed; fix the data or the schema first.",
                           blocked, loss[0] ? " Beyond that, it would lose data: " : "", loss,
                           loss[0] ? "." : "");
    if (p->loss.len && !(opts && opts->allow_data_loss))
        return rli_err_set(db, RL_EDATALOSS,
                           "migrate: refused, the migration would lose data: %s. Nothing was "
                           "changed; allow data loss (--allow-data-loss, or "
                           "rl_migrate_options.allow_data_loss) to go ahead.",
                           loss);
    if (p->empty_target && !(opts && opts->allow_empty_schema))
        return rli_err_set(
            db, RL_EREFUSED,
            "migrate: refused, the target schema declares no table but the database "
            "has some (an empty or truncated schema file, or a wrong path?). Nothing "
            "was changed; allow an empty schema (--allow-empty-schema, or "
            "rl_migrate_options.allow_empty_schema) to drop every table.");
    if (db->depth > 0 || db->be->in_transaction(db->conn))
        return rli_err_set(db, RL_EMISUSE,
                           "migrate: refused inside a transaction (foreign keys cannot be switched "
                           "off there); commit or roll back first.");
    return RL_OK;
}

static int refusals(rl_db *db, const rl_plan *p, const rl_migrate_options *opts)
{
    char *blocked = joined(&p->blocked), *loss = joined(&p->loss);
    int code = refuse(db, p, opts, blocked ? blocked : "", loss ? loss : "");
    free(blocked);
    free(loss);
    return code;
}

int rl_plan_apply(rl_db *db, const rl_plan *p, const rl_migrate_options *opts)
{
    if (!db || !p) return RL_EINVAL;
    rli_err_clear(db);
    if (p->changes == 0) return RL_OK;
    int code = refusals(db, p, opts);
    if (code != RL_OK || (opts && opts->dry_run)) return code;
    return db->be->migrator->apply(db, p, opts);
}

int rl_migrate(rl_db *db, const char *target_sql, const rl_migrate_options *opts)
{
    rl_plan *p;
    int code = rl_plan_new_ex(db, target_sql, opts, &p);
    if (code != RL_OK) return code;
    code = rl_plan_apply(db, p, opts);
    rl_plan_free(p);
    return code;
}

int rl_migrate_models(rl_db *db, const rl_model *const *models, size_t n,
                      const rl_migrate_options *opts)
{
    rl_plan *p;
    char *sql;
    if (!db || (!models && n)) return RL_EINVAL;
    int code = rl_schema_sql(db, models, n, &sql);
    if (code != RL_OK) return code;
    code = rl_plan_new_ex(db, sql, opts, &p);
    free(sql);
    if (code != RL_OK) return code;
    code = rl_plan_apply(db, p, opts);
    rl_plan_free(p);
    return code;
}

/* A finding callback that remembers being told to stop. */
typedef struct stopping {
    rl_finding_fn fn;
    void *ctx;
    bool stopped;
} stopping;

static int stop_seen(const rl_finding *f, void *arg)
{
    stopping *s = arg;
    if (s->fn && s->fn(f, s->ctx)) s->stopped = true;
    return s->stopped;
}

/* The migration to opts->target_sql planned, not applied: each loss or refusal of its plan a
 * lint finding named by its check (rl_check_options.target_sql). */
static int plan_lint(rl_db *db, const rl_check_options *opts, rl_finding_fn fn, void *ctx,
                     int64_t *count)
{
    rl_migrate_options mo = {.renames = opts->renames, .nrenames = opts->nrenames};
    rl_plan *p;
    int code = rl_plan_new_ex(db, opts->target_sql, &mo, &p);
    if (code != RL_OK) return code;
    strbuf m;
    rli_sb_init(&m);
    for (const char *line = sb_str(&p->lint); *line && code == RL_OK;) {
        size_t n = strcspn(line, "\n"), name = strcspn(line, "\t");
        m.len = 0;
        rli_sb_printf(&m, "lint (%.*s): %.*s.", (int)name, line, (int)(n - name - 1),
                      line + name + 1);
        char check[40];
        snprintf(check, sizeof check, "%.*s", (int)name, line);
        rl_finding f = {.kind = RL_FINDING_LINT, .message = sb_str(&m), .check = check};
        if (m.oom)
            code = rli_err_set(db, RL_ENOMEM, "Out of memory.");
        else {
            if (count) ++*count;
            if (fn(&f, ctx)) break;
        }
        line += n + (line[n] == '\n');
    }
    rli_sb_free(&m);
    rl_plan_free(p);
    return code;
}

int rl_check_ex(rl_db *db, const rl_check_options *opts, rl_finding_fn fn, void *ctx,
                int64_t *count)
{
    if (count) *count = 0;
    if (!db) return RL_EINVAL;
    rli_err_clear(db);
    bool lint = opts && !opts->no_lint;
    if (!(lint && (opts->citus_column || opts->target_sql)))
        return db->be->migrator->check(db, opts, fn, ctx, count);
    stopping s = {fn, ctx, false};
    int code = db->be->migrator->check(db, opts, stop_seen, &s, count);
    if (code == RL_OK && !s.stopped && opts->citus_column)
        code = rli_citus_lint(db, opts->citus_column, stop_seen, &s, count);
    if (code == RL_OK && !s.stopped && opts->target_sql)
        code = plan_lint(db, opts, stop_seen, &s, count);
    return code;
}

int rl_check(rl_db *db, rl_finding_fn fn, void *ctx, int64_t *count)
{
    return rl_check_ex(db, NULL, fn, ctx, count);
}

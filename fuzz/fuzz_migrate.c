/*
 * Schema text -> plan -> apply -> re-plan.  The input is two schema texts separated by a NUL
 * byte: the database's schema (created, with a row in each table) and the target.
 * Invariants: after a successful migration the re-plan is empty and no foreign-key violation
 * was added; after a failed one the database is exactly as before (schema and row counts).
 */
#include "fuzz.h"

#include <reflite/sqlite.h>
#include <sqlite3.h>

/* Schema dump plus every table's row count and the number of foreign-key violations. */
typedef struct state {
    char *text;
    int64_t violations;
} state;

static int count_fk(const rl_finding *f, void *ctx)
{
    if (f->kind == RL_FINDING_FOREIGN_KEY) ++*(int64_t *)ctx;
    return 0;
}

static char *quoted(const char *name)
{
    size_t n = strlen(name);
    char *q = malloc(2 * n + 3), *p = q;
    if (!q) abort();
    *p++ = '"';
    for (const char *c = name; *c; c++) {
        if (*c == '"') *p++ = '"';
        *p++ = *c;
    }
    *p++ = '"';
    *p = '\0';
    return q;
}

/* Table names of the database (not shadow or virtual tables), through the raw handle. */
static size_t table_names(rl_db *db, char names[][256], size_t max)
{
    sqlite3_stmt *st;
    size_t n = 0;
    if (sqlite3_prepare_v2(rl_sqlite3(db),
                           "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = "
                           "'table' AND name NOT LIKE 'sqlite%' AND name <> 'reflite_migrations' "
                           "ORDER BY name",
                           -1, &st, NULL) != SQLITE_OK)
        return 0;
    while (n < max && sqlite3_step(st) == SQLITE_ROW)
        snprintf(names[n++], 256, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return n;
}

static state snapshot(rl_db *db)
{
    state s = {NULL, 0};
    char *dump = NULL;
    if (rl_schema_dump(db, &dump) != RL_OK) return s;
    char names[16][256];
    size_t n = table_names(db, names, 16);
    size_t len = strlen(dump) + 64 * n + 1;
    s.text = malloc(len);
    if (!s.text) abort();
    snprintf(s.text, len, "%s", dump);
    free(dump);
    for (size_t i = 0; i < n; i++) {
        char *q = quoted(names[i]);
        char *sql = malloc(strlen(q) + 40);
        if (!sql) abort();
        sprintf(sql, "SELECT count(*) FROM %s", q);
        int64_t c = -1;
        rl_query_int(db, sql, NULL, 0, &c);
        size_t at = strlen(s.text);
        snprintf(s.text + at, len - at, "%lld;", (long long)c);
        free(sql);
        free(q);
    }
    rl_check_options co = {.no_lint = true};
    rl_check_ex(db, &co, count_fk, &s.violations, NULL);
    return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096) return 0;
    char *text = malloc(size + 1);
    if (!text) abort();
    memcpy(text, data, size);
    text[size] = '\0';
    const char *target = text + strlen(text) + (strlen(text) < size ? 1 : 0);
    rl_db *db = fuzz_db();
    rl_migrate_options all = {.allow_data_loss = true, .allow_empty_schema = true};
    if (rl_migrate(db, text, &all) == RL_OK) {
        char names[16][256];
        size_t n = table_names(db, names, 16);
        for (size_t i = 0; i < n; i++) {
            char *q = quoted(names[i]);
            char *sql = malloc(strlen(q) + 40);
            if (!sql) abort();
            sprintf(sql, "INSERT INTO %s DEFAULT VALUES", q);
            rl_exec(db, sql, NULL, 0, NULL);
            free(sql);
            free(q);
        }
        state before = snapshot(db);
        rl_plan *plan = NULL;
        if (before.text && rl_plan_new(db, target, &plan) == RL_OK) {
            int rc = rl_plan_apply(db, plan, &all);
            state after = snapshot(db);
            if (rc == RL_OK) {
                rl_plan *again = NULL;
                FUZZ_ASSERT(rl_plan_new(db, target, &again) == RL_OK, "%s", rl_errmsg(db));
                FUZZ_ASSERT(rl_plan_is_empty(again), "re-plan not empty:\n%s",
                            rl_plan_summary(again));
                rl_plan_free(again);
                FUZZ_ASSERT(after.violations <= before.violations, "%lld violations, %lld before",
                            (long long)after.violations, (long long)before.violations);
            } else if (after.text) {
                FUZZ_ASSERT(strcmp(before.text, after.text) == 0,
                            "failed (%s) but changed the database:\n%s\n--\n%s", rl_errmsg(db),
                            before.text, after.text);
            }
            free(after.text);
        }
        rl_plan_free(plan);
        free(before.text);
    }
    rl_close(db);
    free(text);
    return 0;
}

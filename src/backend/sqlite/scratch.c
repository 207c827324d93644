/*
 * Running SQL text that reflite did not write: one stored statement at a time (nothing
 * hidden after it runs), and the guarded scratch database into which schema files and
 * stored definitions are loaded before they are trusted.
 */
#include "sqlite_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- running text that reflite did not write ------------------------------------------------ */

/* Skip spaces and comments; returns the first byte of the next token. */
static const char *skip_blank(const char *p)
{
    for (;;) {
        while (*p && isspace((unsigned char)*p))
            p++;
        if (p[0] == '-' && p[1] == '-') {
            while (*p && *p != '\n')
                p++;
        } else if (p[0] == '/' && p[1] == '*') {
            const char *e = strstr(p + 2, "*/");
            p = e ? e + 2 : p + strlen(p);
        } else {
            return p;
        }
    }
}

/* Whether nothing but spaces, comments and semicolons follows. */
static bool only_blank(const char *p)
{
    for (p = skip_blank(p); *p == ';'; p = skip_blank(p + 1)) {
    }
    return *p == '\0';
}

int rli_exec_one(sqlite3 *h, const char *sql, char **err)
{
    sqlite3_stmt *st = NULL;
    const char *tail = NULL;
    if (err) *err = NULL;
    int rc = sqlite3_prepare_v2(h, sql, -1, &st, &tail);
    if (rc == SQLITE_OK && tail && !only_blank(tail)) {
        sqlite3_finalize(st);
        if (err) {
            strbuf b;
            rli_sb_init(&b);
            rli_sb_puts(&b, "more than one statement in one definition (refused: '");
            char *cut = strndup(skip_blank(tail), 60);
            rli_sb_name(&b, cut ? cut : "");
            free(cut);
            rli_sb_puts(&b, "...')");
            *err = rli_sb_take(&b);
        }
        return SQLITE_ERROR;
    }
    if (rc == SQLITE_OK && st) {
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        }
        rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
    if (rc != SQLITE_OK && err && !*err) *err = rli_name_disp(sqlite3_errmsg(h));
    sqlite3_finalize(st);
    return rc;
}

/* ---- the guarded scratch database ------------------------------------------------------------ */

#define SCRATCH_SECONDS 3

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct scratch_guard {
    scratch *s;
    double deadline;
} scratch_guard;

static int scratch_progress(void *arg)
{
    scratch_guard *g = arg;
    g->s->ticks++;
    if (now_seconds() > g->deadline) {
        g->s->timed_out = true;
        return 1;
    }
    return 0;
}

static bool is_main(const char *dbname)
{
    return !dbname || strcmp(dbname, "main") == 0;
}

static bool schema_table_name(const char *t)
{
    return t &&
           (strcasecmp(t, "sqlite_master") == 0 || strcasecmp(t, "sqlite_schema") == 0 ||
            strcasecmp(t, "sqlite_sequence") == 0 || strcasecmp(t, "sqlite_stat1") == 0 ||
            strcasecmp(t, "sqlite_temp_master") == 0 || strcasecmp(t, "sqlite_temp_schema") == 0);
}

static bool vtab_module_allowed(const char *m)
{
    static const char *const ok[] = {"fts3", "fts4", "fts5", "rtree", "rtree_i32", "geopoly"};
    for (size_t i = 0; m && i < sizeof ok / sizeof ok[0]; i++)
        if (strcasecmp(m, ok[i]) == 0) return true;
    return false;
}

/* Whether a schema may call function name: one of the engine's own functions that are
 * innocuous or deterministic and never direct-only (json_extract yes; load_extension,
 * fts3_tokenizer and anything registered by others no), and SQLite's internal ones. */
static bool schema_function(const scratch *s, const char *name)
{
    if (!name || !s->functions || strchr(name, ',')) return false;
    /* what SQLite's own ALTER TABLE calls (sqlite_rename_column...): internal functions, which
     * schema text cannot call */
    if (strncasecmp(name, "sqlite_", 7) == 0) return true;
    size_t n = strlen(name);
    for (const char *p = s->functions; p && p[1]; p = strchr(p + 1, ','))
        if (strncasecmp(p + 1, name, n) == 0 && p[n + 1] == ',') return true;
    return false;
}

/* The functions a schema may call (see schema_function), read from the engine itself;
 * NULL when the engine cannot list them (then schemas keep to innocuous functions). */
static char *schema_functions(sqlite3 *h)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(h,
                           "SELECT ',' || group_concat(name, ',') || ',' FROM (SELECT name FROM "
                           "pragma_function_list GROUP BY name HAVING min(builtin) = 1 AND "
                           "max(flags & 0x80000) = 0 AND min((flags & 0x200800) <> 0) = 1)",
                           -1, &st, NULL) != SQLITE_OK)
        return NULL;
    char *list = sqlite3_step(st) == SQLITE_ROW ? rli_sqlite_dup_text(st, 0) : NULL;
    sqlite3_finalize(st);
    return list;
}

/* The authorizer of the scratch database: what schema text may do there.  (Over 60 lines:
 * one case per action, read as a table, then the one refusal sentence.) */
static int scratch_auth(void *arg, int action, const char *a, const char *b, const char *dbname,
                        const char *trigger)
{
    (void)trigger;
    scratch *s = arg;
    bool ok = false;
    switch (action) {
    case SQLITE_CREATE_INDEX:
    case SQLITE_CREATE_TABLE:
    case SQLITE_CREATE_TRIGGER:
    case SQLITE_CREATE_VIEW:
    case SQLITE_DROP_INDEX:
    case SQLITE_DROP_TABLE:
    case SQLITE_DROP_TRIGGER:
    case SQLITE_DROP_VIEW:
    case SQLITE_ALTER_TABLE:
    case SQLITE_DROP_VTABLE:
        ok = is_main(action == SQLITE_ALTER_TABLE ? a : dbname);
        break;
    case SQLITE_CREATE_VTABLE:
        ok = is_main(dbname) && vtab_module_allowed(b);
        break;
    case SQLITE_INSERT:
    case SQLITE_UPDATE:
    case SQLITE_DELETE:
        /* writes inside schema work (DROP COLUMN rewrites rows, triggers hold DML); a
         * statement of the text itself that is DML is refused by its first word */
        ok = is_main(dbname) || schema_table_name(a);
        break;
    case SQLITE_FUNCTION:
        ok = schema_function(s, b);
        break;
    case SQLITE_READ:
    case SQLITE_SELECT:
    case SQLITE_RECURSIVE:
    case SQLITE_TRANSACTION:
    case SQLITE_SAVEPOINT:
    case SQLITE_REINDEX:
    case SQLITE_ANALYZE:
        ok = true;
        break;
    case SQLITE_PRAGMA:
        ok = a && (strcasecmp(a, "foreign_keys") == 0 || strcasecmp(a, "defer_foreign_keys") == 0);
        break;
    default:
        ok = false;
        break;
    }
    if (ok) return SQLITE_OK;
    if (!s->denied) {
        strbuf m;
        rli_sb_init(&m);
        rli_sb_puts(&m, "only schema statements on the main database are allowed in a schema");
        if (action == SQLITE_ATTACH) rli_sb_puts(&m, " (ATTACH refused)");
        if (action == SQLITE_PRAGMA) {
            rli_sb_puts(&m, " (PRAGMA ");
            rli_sb_name(&m, a);
            rli_sb_puts(&m, " refused)");
        }
        if (action == SQLITE_FUNCTION) {
            rli_sb_puts(&m, " (function ");
            rli_sb_name(&m, b);
            rli_sb_puts(&m, "() refused: it is not one of SQLite's own deterministic functions)");
        }
        if (action == SQLITE_CREATE_VTABLE) {
            rli_sb_puts(&m, " (virtual table module ");
            rli_sb_name(&m, b);
            rli_sb_puts(&m, " refused)");
        }
        s->denied = rli_sb_take(&m);
    }
    return SQLITE_DENY;
}

int rli_scratch_open(scratch *s)
{
    memset(s, 0, sizeof *s);
    int rc = sqlite3_open_v2(
        ":memory:", &s->h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        sqlite3_close(s->h);
        s->h = NULL;
        return rc;
    }
    rli_sqlite_strict_names(s->h);
    sqlite3_db_config(s->h, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, (int *)0);
    sqlite3_db_config(s->h, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)0);
    /* Functions that are not innocuous (SQLite's JSON functions) may appear in a schema only
     * when it is trusted: the authorizer then lets through the engine's own deterministic
     * ones alone, so a schema still cannot call what touches files or runs SQL. */
    s->functions = schema_functions(s->h);
    sqlite3_db_config(s->h, SQLITE_DBCONFIG_TRUSTED_SCHEMA, s->functions ? 1 : 0, (int *)0);
    sqlite3_limit(s->h, SQLITE_LIMIT_ATTACHED, 0);
    return SQLITE_OK;
}

void rli_scratch_close(scratch *s)
{
    if (s->h) sqlite3_close(s->h);
    free(s->denied);
    free(s->functions);
    memset(s, 0, sizeof *s);
}

/* The first keyword of a statement's text into buf, lower-cased when lower. */
static void first_word(const char *sql, char *buf, size_t len, bool lower)
{
    const char *p = skip_blank(sql);
    size_t n = 0;
    while (n + 1 < len && isalpha((unsigned char)p[n])) {
        buf[n] = lower ? (char)tolower((unsigned char)p[n]) : p[n];
        n++;
    }
    buf[n] = '\0';
}

/* The line of the text at p, from 1. */
static unsigned line_of(const char *text, const char *p)
{
    unsigned line = 1;
    for (const char *q = text; q < p; q++)
        line += *q == '\n';
    return line;
}

static bool schema_statement(const char *sql)
{
    static const char *const ok[] = {"create", "drop",     "alter",     "begin",   "commit",
                                     "end",    "rollback", "savepoint", "release", "pragma"};
    char w[16];
    first_word(sql, w, sizeof w, true);
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (strcmp(w, ok[i]) == 0) return true;
    return false;
}

int rli_scratch_load(scratch *s, const char *sql, char **err)
{
    *err = NULL;
    scratch_guard g = {s, now_seconds() + SCRATCH_SECONDS};
    sqlite3_progress_handler(s->h, 1000, scratch_progress, &g);
    const char *p = sql;
    int rc = SQLITE_OK;
    while (rc == SQLITE_OK && *(p = skip_blank(p))) {
        sqlite3_stmt *st = NULL;
        const char *next = NULL;
        sqlite3_set_authorizer(s->h, scratch_auth, s);
        rc = sqlite3_prepare_v2(s->h, p, -1, &st, &next);
        sqlite3_set_authorizer(s->h, NULL, NULL);
        if (rc == SQLITE_OK && st && !schema_statement(sqlite3_sql(st))) {
            char w[16];
            first_word(sqlite3_sql(st), w, sizeof w, false);
            strbuf m;
            rli_sb_init(&m);
            rli_sb_printf(&m,
                          "line %u of the target schema: only schema statements (CREATE, DROP, "
                          "ALTER) are allowed in a schema, not '",
                          line_of(sql, p));
            rli_sb_name(&m, w);
            rli_sb_puts(&m, "'; take the schema alone with `reflite schema DB` or `sqlite3 DB "
                            ".schema`");
            *err = rli_sb_take(&m);
            rc = SQLITE_AUTH;
        }
        while (rc == SQLITE_OK && st && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        }
        if (rc == SQLITE_DONE) rc = SQLITE_OK;
        sqlite3_finalize(st);
        if (rc != SQLITE_OK && !*err) {
            strbuf m;
            rli_sb_init(&m);
            rli_sb_printf(&m, "line %u of the target schema: ", line_of(sql, p));
            if (s->timed_out)
                rli_sb_printf(&m, "a statement ran for more than %d seconds and was stopped",
                              SCRATCH_SECONDS);
            else if (s->denied)
                rli_sb_puts(&m, s->denied);
            else
                rli_sb_name(&m, sqlite3_errmsg(s->h));
            *err = rli_sb_take(&m);
        }
        if (!next || next == p) break;
        p = next;
    }
    sqlite3_progress_handler(s->h, 0, NULL, NULL);
    /* A schema file may open a transaction and not close it: nothing of it must linger. */
    if (!sqlite3_get_autocommit(s->h)) sqlite3_exec(s->h, "COMMIT", NULL, NULL, NULL);
    return rc;
}

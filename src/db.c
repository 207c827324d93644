/*
 * Connections: opening with profiles, the pragmas every connection gets, transactions with
 * nesting through savepoints, and the raw SQL escape hatch.
 *
 * The one rule this file exists for: a connection that rl_open hands out enforces foreign
 * keys.  PRAGMA foreign_keys is a no-op inside a transaction and on builds compiled without
 * foreign-key support, so the pragma is set on a fresh connection (never inside a
 * transaction) and then read back; anything but 1 refuses the open.
 */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int rl_profile_parse(const char *name, rl_profile *out)
{
    static const struct {
        const char *name;
        rl_profile p;
    } names[] = {{"development", RL_PROFILE_DEVELOPMENT},
                 {"dev", RL_PROFILE_DEVELOPMENT},
                 {"test", RL_PROFILE_TEST},
                 {"testing", RL_PROFILE_TEST},
                 {"production", RL_PROFILE_PRODUCTION},
                 {"prod", RL_PROFILE_PRODUCTION}};
    if (!name || !out) return RL_EINVAL;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcasecmp(name, names[i].name) == 0) {
            *out = names[i].p;
            return RL_OK;
        }
    }
    return RL_EINVAL;
}

const char *rl_profile_name(rl_profile p)
{
    switch (p) {
    case RL_PROFILE_DEVELOPMENT:
        return "development";
    case RL_PROFILE_TEST:
        return "test";
    case RL_PROFILE_PRODUCTION:
        return "production";
    default:
        return "from-env";
    }
}

static int open_fail(char *errbuf, size_t errlen, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int open_fail(char *errbuf, size_t errlen, int code, const char *fmt, ...)
{
    if (errbuf && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(errbuf, errlen, fmt, ap);
        va_end(ap);
    }
    return code;
}

/* Read a single integer/text pragma result; returns false if the pragma gave no row. */
static bool pragma_text(sqlite3 *h, const char *sql, char *buf, size_t len)
{
    sqlite3_stmt *st;
    bool got = false;
    if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK) return false;
    if (sqlite3_step(st) == SQLITE_ROW) {
        const unsigned char *t = sqlite3_column_text(st, 0);
        snprintf(buf, len, "%s", t ? (const char *)t : "");
        got = true;
    }
    sqlite3_finalize(st);
    return got;
}

int rli_set_foreign_keys(rl_db *db, bool on)
{
    rli_exec_sql(db, on ? "PRAGMA foreign_keys = ON" : "PRAGMA foreign_keys = OFF");
    char v[8];
    if (!pragma_text(db->h, "PRAGMA foreign_keys", v, sizeof v)) return RL_ERROR;
    return strcmp(v, on ? "1" : "0") == 0 ? RL_OK : RL_ERROR;
}

static bool is_memory_path(const char *path)
{
    return path[0] == '\0' || strcmp(path, ":memory:") == 0;
}

int rl_open(rl_db **out, const char *path, const rl_options *opts)
{
    return rl_open_ex(out, path, opts, NULL, 0);
}

int rl_open_ex(rl_db **out, const char *path, const rl_options *opts, char *errbuf, size_t errlen)
{
    rl_options o = opts ? *opts : (rl_options){0};
    if (!out) return open_fail(errbuf, errlen, RL_EINVAL, "rl_open: out must not be NULL.");
    *out = NULL;
    if (o.profile == RL_PROFILE_FROM_ENV) {
        const char *env = getenv("REFLITE_ENV");
        if (!env || !*env) {
            o.profile = RL_PROFILE_DEVELOPMENT;
        } else if (rl_profile_parse(env, &o.profile) != RL_OK) {
            return open_fail(errbuf, errlen, RL_EINVAL,
                             "REFLITE_ENV is '%s', which is not a profile; use development, "
                             "test or production.",
                             env);
        }
    }
    if (!path || !*path) path = getenv("REFLITE_DATABASE");
    if (!path || !*path) {
        if (o.profile == RL_PROFILE_PRODUCTION)
            return open_fail(errbuf, errlen, RL_EINVAL,
                             "The production profile needs a database path: pass one or set "
                             "REFLITE_DATABASE.");
        path = "reflite.db";
    }
    /* The test profile never touches the named file: SQLite's "" is a private temporary
     * database deleted when the connection closes. */
    if (o.profile == RL_PROFILE_TEST) path = "";

    int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
    if (o.read_only) {
        flags |= SQLITE_OPEN_READONLY;
    } else {
        flags |= SQLITE_OPEN_READWRITE;
        if (o.profile != RL_PROFILE_PRODUCTION || o.create) flags |= SQLITE_OPEN_CREATE;
    }
    if (o.profile == RL_PROFILE_PRODUCTION && !o.create && !is_memory_path(path) &&
        access(path, F_OK) != 0)
        return open_fail(errbuf, errlen, RL_ECANTOPEN,
                         "The database '%s' does not exist; the production profile does not "
                         "create databases unless rl_options.create is set.",
                         path);

    rl_db *db = calloc(1, sizeof *db);
    if (!db) return open_fail(errbuf, errlen, RL_ENOMEM, "Out of memory opening '%s'.", path);
    db->profile = o.profile;
    rli_err_clear(db);

    int rc = sqlite3_open_v2(path, &db->h, flags, NULL);
    if (rc != SQLITE_OK) {
        int code = (rc & 0xff) == SQLITE_CANTOPEN ? RL_ECANTOPEN : RL_ERROR;
        open_fail(errbuf, errlen, code, "Cannot open database '%s': %s.", path,
                  db->h ? sqlite3_errmsg(db->h) : sqlite3_errstr(rc));
        sqlite3_close_v2(db->h);
        free(db);
        return code;
    }
    sqlite3_extended_result_codes(db->h, 1);
    if (o.busy_timeout_ms >= 0)
        sqlite3_busy_timeout(db->h, o.busy_timeout_ms ? o.busy_timeout_ms : 5000);

    char v[32] = "";
    int code = RL_OK;
    if (sqlite3_libversion_number() < 3037000) {
        code = open_fail(errbuf, errlen, RL_ERROR,
                         "SQLite %s is too old: reflite needs 3.37 or newer (STRICT tables).",
                         sqlite3_libversion());
    } else if (rli_set_foreign_keys(db, true) != RL_OK) {
        code = open_fail(errbuf, errlen, RL_ENOFK,
                         "This SQLite build (%s) cannot enforce foreign keys (PRAGMA "
                         "foreign_keys does not stay on); reflite refuses to open '%s'.",
                         sqlite3_libversion(), path);
    } else if (!o.read_only && !o.no_wal && !is_memory_path(path)) {
        bool got = pragma_text(db->h, "PRAGMA journal_mode = WAL", v, sizeof v);
        if (!got || strcasecmp(v, "wal") != 0) {
            int rc2 = sqlite3_extended_errcode(db->h);
            int c2 = (rc2 & 0xff) == SQLITE_NOTADB || (rc2 & 0xff) == SQLITE_CORRUPT ? RL_ECORRUPT
                                                                                     : RL_ERROR;
            if (got)
                code =
                    open_fail(errbuf, errlen, c2,
                              "Cannot switch '%s' to WAL mode (journal_mode stays '%s').", path, v);
            else
                code = open_fail(errbuf, errlen, c2, "Cannot switch '%s' to WAL mode: %s.", path,
                                 sqlite3_errmsg(db->h));
        } else {
            rli_exec_sql(db, o.profile == RL_PROFILE_PRODUCTION ? "PRAGMA synchronous = FULL"
                                                                : "PRAGMA synchronous = NORMAL");
        }
    }
    if (code != RL_OK) {
        sqlite3_close_v2(db->h);
        free(db);
        return code;
    }
    *out = db;
    return RL_OK;
}

int rl_close(rl_db *db)
{
    if (!db) return RL_OK;
    int code = RL_OK;
    if (db->h && !sqlite3_get_autocommit(db->h)) {
        rli_exec_sql(db, "ROLLBACK");
        code = RL_ETXN;
    }
    for (size_t i = 0; i < db->models_cap; i++)
        rli_model_info_free(db->models[i]);
    free(db->models);
    rli_cache_free(&db->queries);
    sqlite3_close_v2(db->h);
    rli_sb_free(&db->msg);
    rli_arena_free(&db->err_strings);
    free(db);
    return code;
}

rl_profile rl_db_profile(const rl_db *db)
{
    return db ? db->profile : RL_PROFILE_FROM_ENV;
}

sqlite3 *rl_sqlite3(rl_db *db)
{
    return db ? db->h : NULL;
}

/* ---- transactions ------------------------------------------------------------------------ */

int rl_begin(rl_db *db)
{
    if (!db) return RL_EINVAL;
    rli_err_clear(db);
    char sql[64];
    bool outer_begin = db->depth == 0 && sqlite3_get_autocommit(db->h);
    if (outer_begin)
        snprintf(sql, sizeof sql, "BEGIN IMMEDIATE");
    else
        snprintf(sql, sizeof sql, "SAVEPOINT rl_level_%d", db->depth + 1);
    int rc = rli_exec_sql(db, sql);
    if (rc != SQLITE_OK) return rli_err_sqlite(db, rc, "begin");
    if (db->depth == 0) db->outer_begin = outer_begin;
    db->depth++;
    return RL_OK;
}

/* Level 1 is a real BEGIN unless the caller had already opened a transaction with raw SQL;
 * every other level is a savepoint named after its depth. */
int rl_commit(rl_db *db)
{
    if (!db) return RL_EINVAL;
    rli_err_clear(db);
    if (db->depth == 0)
        return rli_err_set(db, RL_EMISUSE, "commit: there is no transaction to commit.");
    char sql[64];
    if (db->depth == 1 && db->outer_begin)
        snprintf(sql, sizeof sql, "COMMIT");
    else
        snprintf(sql, sizeof sql, "RELEASE rl_level_%d", db->depth);
    int rc = rli_exec_sql(db, sql);
    if (rc != SQLITE_OK) {
        if (rc == SQLITE_CONSTRAINT_FOREIGNKEY && rli_diag_fk_check(db, "commit") == RL_EFOREIGNKEY)
            return RL_EFOREIGNKEY;
        return rli_err_sqlite(db, rc, "commit");
    }
    db->depth--;
    return RL_OK;
}

int rl_rollback(rl_db *db)
{
    if (!db) return RL_EINVAL;
    rli_err_clear(db);
    if (db->depth == 0)
        return rli_err_set(db, RL_EMISUSE, "rollback: there is no transaction to roll back.");
    char sql[96];
    if (db->depth == 1 && db->outer_begin)
        snprintf(sql, sizeof sql, "ROLLBACK");
    else
        snprintf(sql, sizeof sql, "ROLLBACK TO rl_level_%d; RELEASE rl_level_%d", db->depth,
                 db->depth);
    int rc = rli_exec_sql(db, sql);
    db->depth--;
    if (rc != SQLITE_OK) return rli_err_sqlite(db, rc, "rollback");
    return RL_OK;
}

int rl_txn_depth(const rl_db *db)
{
    return db ? db->depth : RL_EINVAL;
}

/* ---- raw SQL ---------------------------------------------------------------------------- *
 *
 * The escape hatch runs any SQL, but not SQL that would end the promise: switching foreign
 * keys off, ignoring CHECK constraints or writing the schema table by hand.  An authorizer
 * watches the statements while they are compiled (rl_sqlite3() remains for what is beyond).
 */

/* A pragma's value as a boolean the way SQLite reads it: 1, 0, or -1 when unclear. */
static int pragma_bool(const char *v)
{
    char buf[16];
    size_t n = strlen(v);
    if (n >= 2 && (v[0] == '\'' || v[0] == '"') && v[n - 1] == v[0]) {
        v++;
        n -= 2;
    }
    if (n == 0 || n >= sizeof buf) return -1;
    memcpy(buf, v, n);
    buf[n] = '\0';
    if (strcasecmp(buf, "on") == 0 || strcasecmp(buf, "yes") == 0 || strcasecmp(buf, "true") == 0)
        return 1;
    if (strcasecmp(buf, "off") == 0 || strcasecmp(buf, "no") == 0 || strcasecmp(buf, "false") == 0)
        return 0;
    char *end;
    long x = strtol(buf, &end, 10);
    if (*end) return -1;
    return x != 0;
}

typedef struct guard_ctx {
    char refused[96];
} guard_ctx;

static int raw_guard(void *arg, int action, const char *a, const char *b, const char *dbname,
                     const char *trigger)
{
    (void)dbname;
    (void)trigger;
    guard_ctx *g = arg;
    if (action != SQLITE_PRAGMA || !a || !b) return SQLITE_OK; /* reading a pragma is fine */
    int v = pragma_bool(b);
    bool deny = (strcasecmp(a, "foreign_keys") == 0 && v != 1) ||
                (strcasecmp(a, "ignore_check_constraints") == 0 && v != 0) ||
                (strcasecmp(a, "writable_schema") == 0 && v != 0);
    if (!deny) return SQLITE_OK;
    snprintf(g->refused, sizeof g->refused, "PRAGMA %.40s = %.40s", a, b);
    return SQLITE_DENY;
}

static int prepare_raw(rl_db *db, const char *sql, sqlite3_stmt **st, const char **tail)
{
    guard_ctx g = {{0}};
    sqlite3_set_authorizer(db->h, raw_guard, &g);
    int rc = sqlite3_prepare_v2(db->h, sql, -1, st, tail);
    sqlite3_set_authorizer(db->h, NULL, NULL);
    if (rc != SQLITE_OK && g.refused[0]) {
        char *r = rli_name_disp(g.refused);
        rli_err_set(db, RL_EREFUSED,
                    "exec: %s is refused: a reflite connection always enforces foreign keys and "
                    "constraints (the raw handle rl_sqlite3() is outside this promise).",
                    r ? r : "this pragma");
        free(r);
        return -1;
    }
    return rc;
}

/* "insert into books" for a statement that writes books, else the head of its text (malloc'd,
 * names escaped, any length). */
static char *sql_op_name(sqlite3 *h, const char *sql)
{
    char *op = rli_statement_op(h, sql);
    if (op) {
        char *d = rli_name_disp(op);
        free(op);
        return d;
    }
    while (*sql == ' ' || *sql == '\n' || *sql == '\t')
        sql++;
    size_t n = strcspn(sql, ";\n");
    char *head = strndup(sql, n > 60 ? 60 : n);
    char *d = rli_name_disp(head ? head : "");
    free(head);
    if (d && n > 60) {
        char *longer = realloc(d, strlen(d) + 4);
        if (longer) strcat(d = longer, "...");
    }
    return d;
}

int rl_exec(rl_db *db, const char *sql, const rl_value *params, size_t nparams, int64_t *changes)
{
    if (!db || !sql || (nparams && !params)) return RL_EINVAL;
    rli_err_clear(db);
    const char *tail = sql;
    bool first = true, several = false;
    int code = RL_OK;
    while (*tail) {
        sqlite3_stmt *st = NULL;
        const char *next;
        int rc = prepare_raw(db, tail, &st, &next);
        if (rc < 0) {
            code = db->err.code;
            break;
        }
        if (rc != SQLITE_OK) {
            char *op = sql_op_name(db->h, tail);
            code = rli_err_sqlite(db, rc, op ? op : "exec");
            free(op);
            break;
        }
        if (!st) { /* whitespace or a comment */
            tail = next;
            continue;
        }
        if (first) {
            const char *rest = next;
            while (*rest == ' ' || *rest == '\n' || *rest == '\t' || *rest == ';')
                rest++;
            several = *rest != '\0';
            if (several && rli_sp_begin(db, "rl_exec") != SQLITE_OK) {
                sqlite3_finalize(st);
                return rli_err_sqlite(db, sqlite3_errcode(db->h), "exec");
            }
            for (size_t i = 0; i < nparams; i++)
                rli_bind_value(st, (int)i + 1, &params[i]);
            first = false;
        }
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        }
        if (rc != SQLITE_DONE) {
            char *op = sql_op_name(db->h, sqlite3_sql(st));
            sqlite3_reset(st);
            code = rli_err_statement(db, st, rc, op ? op : "exec");
            free(op);
            sqlite3_finalize(st);
            break;
        }
        if (changes) *changes = sqlite3_changes64(db->h);
        sqlite3_finalize(st);
        tail = next;
    }
    if (several) {
        if (code == RL_OK)
            rli_sp_release(db, "rl_exec");
        else
            rli_sp_rollback(db, "rl_exec");
    }
    return code;
}

int rl_query_int(rl_db *db, const char *sql, const rl_value *params, size_t nparams, int64_t *out)
{
    if (!db || !sql || !out || (nparams && !params)) return RL_EINVAL;
    sqlite3_stmt *st = NULL;
    rli_err_clear(db);
    int rc = prepare_raw(db, sql, &st, NULL);
    if (rc < 0) return db->err.code;
    if (rc != SQLITE_OK) return rli_err_sqlite(db, rc, "query");
    if (!st) return rli_err_set(db, RL_EINVAL, "query: the SQL holds no statement.");
    for (size_t i = 0; i < nparams; i++)
        rli_bind_value(st, (int)i + 1, &params[i]);
    rc = sqlite3_step(st);
    int code = RL_OK;
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    else if (rc == SQLITE_DONE)
        code = rli_err_set(db, RL_ENOTFOUND, "query: the query returned no row.");
    else
        code = rli_err_statement(db, st, rc, "query");
    sqlite3_finalize(st);
    return code;
}

const char *rl_version(void)
{
    return REFLITE_VERSION;
}

int rl_version_number(void)
{
    return REFLITE_VERSION_NUMBER;
}

const char *rl_sqlite_version(void)
{
    return sqlite3_libversion();
}

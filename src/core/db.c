/*
 * Connections: profiles, opening through a backend, transactions with nesting through
 * savepoints, and the raw SQL escape hatch.  The engine's own opening (and the proof that it
 * enforces foreign keys) is the backend's open callback.
 */
#include "db.h"
#include "error.h"
#include "model.h"
#include "stmt.h"

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

int rli_open_fail(char *errbuf, size_t errlen, int code, const char *fmt, ...)
{
    if (errbuf && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(errbuf, errlen, fmt, ap);
        va_end(ap);
    }
    return code;
}

int rl_open(rl_db **out, const char *path, const rl_options *opts)
{
    return rl_open_ex(out, path, opts, NULL, 0);
}

int rl_open_ex(rl_db **out, const char *path, const rl_options *opts, char *errbuf, size_t errlen)
{
    rl_options o = opts ? *opts : (rl_options){0};
    if (!out) return rli_open_fail(errbuf, errlen, RL_EINVAL, "rl_open: out must not be NULL.");
    *out = NULL;
    if (o.profile == RL_PROFILE_FROM_ENV) {
        const char *env = getenv("REFLITE_ENV");
        if (!env || !*env) {
            o.profile = RL_PROFILE_DEVELOPMENT;
        } else if (rl_profile_parse(env, &o.profile) != RL_OK) {
            return rli_open_fail(errbuf, errlen, RL_EINVAL,
                                 "REFLITE_ENV is '%s', which is not a profile; use development, "
                                 "test or production.",
                                 env);
        }
    }
    if (!path || !*path) path = getenv("REFLITE_DATABASE");
    if (!path || !*path) {
        if (o.profile == RL_PROFILE_PRODUCTION)
            return rli_open_fail(errbuf, errlen, RL_EINVAL,
                                 "The production profile needs a database path: pass one or set "
                                 "REFLITE_DATABASE.");
        path = "reflite.db";
    }
    int checked = rli_backend_check(rli_backend_for(path), errbuf, errlen);
    if (checked != RL_OK) return checked;
    rl_db *db = calloc(1, sizeof *db);
    if (!db) return rli_open_fail(errbuf, errlen, RL_ENOMEM, "Out of memory opening '%s'.", path);
    db->profile = o.profile;
    db->be = rli_backend_for(path);
    db->target = strdup(path);
    if (o.replicas && !*o.replicas) o.replicas = NULL;
    db->replicas = o.replicas ? strdup(o.replicas) : NULL;
    o.replicas = db->replicas;
    db->opened = o;
    rli_err_clear(db);
    int code = !db->target || (o.replicas && !db->replicas)
                   ? rli_open_fail(errbuf, errlen, RL_ENOMEM, "Out of memory opening '%s'.", path)
               : o.replicas && db->be == &rli_sqlite_backend
                   ? rli_open_fail(errbuf, errlen, RL_EINVAL,
                                   "Read replicas are PostgreSQL's: '%s' is a SQLite file.", path)
                   : db->be->open(&db->conn, path, &o, errbuf, errlen);
    if (code != RL_OK) {
        free(db->target);
        free(db->replicas);
        free(db);
        return code;
    }
    *out = db;
    return RL_OK;
}

int rli_backend_check(const rl_backend *be, char *errbuf, size_t errlen)
{
    const char *name = be && be->name ? be->name : "unnamed";
    if (!be || be->version != RLB_VERSION)
        return rli_open_fail(errbuf, errlen, RL_EMISUSE,
                             "The %s backend was built for backend version %d, and this library "
                             "needs version %d: rebuild it against this library's backend.h.",
                             name, be ? be->version : 0, RLB_VERSION);
#define MUST(f)                                                                                    \
    {                                                                                              \
#f, be->f != NULL                                                                          \
    }
    const struct {
        const char *callback;
        bool set;
    } must[] = {
        MUST(dialect),        MUST(open),        MUST(close),
        MUST(in_transaction), MUST(exec),        MUST(set_foreign_keys),
        MUST(prepare),        MUST(prepare_raw), MUST(finalize),
        MUST(reset),          MUST(bind),        MUST(bind_int64),
        MUST(step),           MUST(column_null), MUST(column_int64),
        MUST(column_double),  MUST(column_text), MUST(column_blob),
        MUST(column_count),   MUST(column_name), MUST(statement_sql),
        MUST(changes),        MUST(last_id),     MUST(fail),
        MUST(maybe_fk),       MUST(errmsg),      MUST(diag_parent),
        MUST(statement_op),   MUST(introspect),  MUST(migrator),
    };
#undef MUST
    for (size_t i = 0; i < sizeof must / sizeof must[0]; i++)
        if (!must[i].set)
            return rli_open_fail(errbuf, errlen, RL_EMISUSE,
                                 "The %s backend is incomplete: it has no %s callback, which "
                                 "every backend must have (src/backend/backend.h).",
                                 name, must[i].callback);
    const rl_migrator *m = be->migrator;
    if (m->version != RLM_VERSION)
        return rli_open_fail(errbuf, errlen, RL_EMISUSE,
                             "The %s backend's migrator was built for migrator version %d, and "
                             "this library needs version %d: rebuild it against this library's "
                             "backend.h.",
                             name, m->version, RLM_VERSION);
    const struct {
        const char *callback;
        bool set;
    } must_migrate[] = {{"load_schema", m->load_schema != NULL},
                        {"plan", m->plan != NULL},
                        {"apply", m->apply != NULL},
                        {"check", m->check != NULL}};
    for (size_t i = 0; i < sizeof must_migrate / sizeof must_migrate[0]; i++)
        if (!must_migrate[i].set)
            return rli_open_fail(errbuf, errlen, RL_EMISUSE,
                                 "The %s backend's migrator is incomplete: it has no %s "
                                 "callback, which every migrator must have "
                                 "(src/backend/backend.h).",
                                 name, must_migrate[i].callback);
    return RL_OK;
}

int rl_db_clone(rl_db *db, rl_db **out)
{
    if (!db || !out) return RL_EINVAL;
    *out = NULL;
    rli_err_clear(db);
    bool memory =
        !rl_target_is_server(db->target) && (!db->target[0] || strcmp(db->target, ":memory:") == 0);
    if (db->profile == RL_PROFILE_TEST || memory)
        return rli_err_set(db, RL_EMISUSE,
                           "The database of this connection (%s) is its own: another connection "
                           "cannot see it.",
                           memory ? "in memory" : "the test profile's private store");
    rl_options o = db->opened;
    o.create = false; /* it exists: this connection has it open */
    char why[512];
    int code = rl_open_ex(out, db->target, &o, why, sizeof why);
    if (code != RL_OK) return rli_err_set(db, code, "%s", why);
    return RL_OK;
}

int rl_close(rl_db *db)
{
    if (!db) return RL_OK;
    int code = RL_OK;
    if (db->conn && db->be->in_transaction(db->conn)) {
        rli_exec_sql(db, "ROLLBACK");
        code = RL_ETXN;
    }
    for (size_t i = 0; i < db->models_cap; i++)
        rli_model_info_free(db->be, db->models[i]);
    free(db->models);
    rli_cache_free(db->be, &db->queries);
    free(db->spare);
    db->be->close(db->conn);
    rli_rec_free(&db->e);
    free(db->target);
    free(db->replicas);
    free(db);
    return code;
}

int rl_db_position(rl_db *db, char *buf, size_t len)
{
    if (!db || !buf || len == 0) return RL_EINVAL;
    rli_err_clear(db);
    buf[0] = '\0';
    if (!db->be->position) return RL_OK;
    return db->be->position(db->conn, buf, len) == RLB_OK
               ? RL_OK
               : rli_err_set(db, RL_EINVAL, "A position needs a buffer of 24 bytes.");
}

int rl_read_after(rl_db *db, const char *position)
{
    if (!db) return RL_EINVAL;
    rli_err_clear(db);
    if (!db->be->read_after) return RL_OK;
    return db->be->read_after(db->conn, position) == RLB_OK
               ? RL_OK
               : rli_err_set(db, RL_EINVAL,
                             "'%.40s' is not a position (such as 16/B374D848): reads go to the "
                             "primary.",
                             position);
}

rl_profile rl_db_profile(const rl_db *db)
{
    return db ? db->profile : RL_PROFILE_FROM_ENV;
}

void rli_backend_traced(void *ctx, const char *sql)
{
    rli_trace(ctx, sql);
}

int rl_trace(rl_db *db, rl_trace_fn fn, void *ctx)
{
    if (!db) return RL_EINVAL;
    if (!db->be->trace)
        return rli_err_set(db, RL_EMISUSE, "Statements cannot be traced on %s.", db->be->name);
    db->trace = fn;
    db->trace_ctx = ctx;
    db->be->trace(db->conn, fn ? db : NULL);
    return RL_OK;
}

const char *rl_db_engine(const rl_db *db)
{
    return db ? db->be->name : "";
}

int rl_interrupt(rl_db *db)
{
    if (!db) return RL_EINVAL;
    /* from another thread: nothing of db but the engine's own thread-safe call is touched */
    return db->be->interrupt && db->be->interrupt(db->conn) == RLB_OK ? RL_OK : RL_ERROR;
}

int rl_schema_version(rl_db *db, int64_t *out)
{
    if (!db || !out)
        return db ? rli_err_set(db, RL_EINVAL, "schema version: out is NULL.") : RL_EINVAL;
    *out = 0;
    rli_err_clear(db);
    if (!db->be->schema_version_sql)
        return rli_err_set(db, RL_EMISUSE, "schema version: the %s backend cannot tell.",
                           db->be->name);
    rlb_stmt *st = NULL; /* the connection's cache keeps it: asked often */
    int code = rli_cache_prepare(db, db->be->schema_version_sql, &st);
    int rc = code == RL_OK ? db->be->step(st) : RLB_DONE;
    if (code == RL_OK && rc == RLB_ROW)
        *out = db->be->column_int64(st, 0);
    else if (code == RL_OK)
        code = rli_fail(db, st, rc, "schema version");
    if (st) db->be->reset(st);
    return code;
}

bool rl_target_is_server(const char *target)
{
    return target && rli_backend_for(target) != &rli_sqlite_backend;
}

/* ---- transactions ------------------------------------------------------------------------ */

int rl_begin(rl_db *db)
{
    if (!db) return RL_EINVAL;
    rli_err_clear(db);
    char sql[64];
    bool outer_begin = db->depth == 0 && !db->be->in_transaction(db->conn);
    if (outer_begin)
        snprintf(sql, sizeof sql, "%s", db->be->dialect->begin);
    else
        snprintf(sql, sizeof sql, "SAVEPOINT rl_level_%d", db->depth + 1);
    int rc = rli_exec_tx(db, sql);
    if (rc != RLB_OK) return rli_fail(db, NULL, rc, "begin");
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
    int rc = rli_exec_tx(db, sql);
    if (rc != RLB_OK) {
        int code = rli_fail(db, NULL, rc, "commit");
        if (db->depth == 1 && db->outer_begin && !db->be->in_transaction(db->conn)) {
            db->depth = 0; /* the engine ended it (PostgreSQL rolls back a failed COMMIT) */
            if (code != RL_EDISCONNECTED && code != RL_EINDOUBT) /* its sentence says so */
                rli_err_reword(db, "%s The transaction was rolled back.", db->e.err.message);
        }
        return code;
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
    if (rc != RLB_OK) return rli_fail(db, NULL, rc, "rollback");
    return RL_OK;
}

int rl_txn_depth(const rl_db *db)
{
    return db ? db->depth : RL_EINVAL;
}

/* ---- raw SQL ---------------------------------------------------------------------------- *
 *
 * The escape hatch runs any SQL, but not SQL that would end the promise: the backend's
 * prepare_raw refuses statements that switch foreign keys or constraints off.
 */

/* "insert into books" for a statement that writes books, else the head of its text (malloc'd,
 * names escaped, any length). */
static char *sql_op_name(rl_db *db, const char *sql)
{
    char *op = db->be->statement_op(db->conn, sql);
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

int rli_params_check(rl_db *db, const rl_value *params, size_t n, const char *op)
{
    for (size_t i = 0; i < n; i++)
        if (params[i].type == RL_V_DEFAULT)
            return rli_err_set(db, RL_EINVAL,
                               "%s: rl_default() (value %zu) stands only in rl_update_where's "
                               "sets and in a row to insert.",
                               op, i + 1);
    return RL_OK;
}

int rl_exec(rl_db *db, const char *sql, const rl_value *params, size_t nparams, int64_t *changes)
{
    if (!db || !sql || (nparams && !params)) return RL_EINVAL;
    rli_err_clear(db);
    if (rli_params_check(db, params, nparams, "exec") != RL_OK) return RL_EINVAL;
    const char *tail = sql;
    bool first = true, several = false;
    int code = RL_OK;
    while (*tail) {
        rlb_stmt *st = NULL;
        const char *next;
        int rc = db->be->prepare_raw(db->conn, tail, &st, &next, &db->e);
        if (rc < 0) {
            code = db->e.err.code;
            break;
        }
        if (rc != RLB_OK) {
            char *op = sql_op_name(db, tail);
            code = rli_fail(db, NULL, rc, op ? op : "exec");
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
            if (several && (rc = rli_sp_begin(db, "rl_exec")) != RLB_OK) {
                db->be->finalize(st);
                return rli_fail(db, NULL, rc, "exec");
            }
            for (size_t i = 0; i < nparams; i++)
                db->be->bind(st, (int)i + 1, &params[i]);
            first = false;
        }
        while ((rc = db->be->step(st)) == RLB_ROW) {
        }
        if (rc != RLB_DONE) {
            char *op = sql_op_name(db, db->be->statement_sql(st));
            db->be->reset(st);
            code = rli_fail(db, st, rc, op ? op : "exec");
            free(op);
            db->be->finalize(st);
            break;
        }
        if (changes) *changes = db->be->changes(db->conn);
        db->be->finalize(st);
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
    rlb_stmt *st = NULL;
    rli_err_clear(db);
    if (rli_params_check(db, params, nparams, "query") != RL_OK) return RL_EINVAL;
    int rc = db->be->prepare_raw(db->conn, sql, &st, NULL, &db->e);
    if (rc < 0) return db->e.err.code;
    if (rc != RLB_OK) return rli_fail(db, NULL, rc, "query");
    if (!st) return rli_err_set(db, RL_EINVAL, "query: the SQL holds no statement.");
    for (size_t i = 0; i < nparams; i++)
        db->be->bind(st, (int)i + 1, &params[i]);
    rc = db->be->step(st);
    int code = RL_OK;
    if (rc == RLB_ROW)
        *out = db->be->column_int64(st, 0);
    else if (rc == RLB_DONE)
        code = rli_err_set(db, RL_ENOTFOUND, "query: the query returned no row.");
    else
        code = rli_fail(db, st, rc, "query");
    db->be->finalize(st);
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

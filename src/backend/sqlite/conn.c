/*
 * The SQLite backend: connections and statements.
 *
 * The one rule this file exists for: a connection that rl_open hands out enforces foreign
 * keys.  PRAGMA foreign_keys is a no-op inside a transaction and on builds compiled without
 * foreign-key support, so the pragma is set on a fresh connection (never inside a
 * transaction) and then read back; anything but 1 refuses the open.
 *
 * Statements are sqlite3_stmt pointers seen by the core as rlb_stmt; the callbacks below
 * are thin enough for the compiler to make most of them a single jump.
 */
#include "reflite/sqlite.h"
#include "sqlite_int.h"

#include "core/fieldread.h"
#include "core/error.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

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

static int set_foreign_keys(rlb_conn *c, bool on)
{
    sqlite3 *h = (sqlite3 *)c;
    sqlite3_exec(h, on ? "PRAGMA foreign_keys = ON" : "PRAGMA foreign_keys = OFF", NULL, NULL,
                 NULL);
    char v[8];
    if (!pragma_text(h, "PRAGMA foreign_keys", v, sizeof v)) return RL_ERROR;
    return strcmp(v, on ? "1" : "0") == 0 ? RL_OK : RL_ERROR;
}

static bool is_memory_path(const char *path)
{
    return path[0] == '\0' || strcmp(path, ":memory:") == 0;
}

/* The busy handler: another connection holds the lock (in WAL, a writer's, for the time of
 * a statement or a transaction).  Naps of 200 µs for the first 2 ms, then of 1 ms, up to the
 * connection's busy timeout (its milliseconds are the handler's argument): a lock held for one
 * statement is free again within a few tens of microseconds, where SQLite's own timeout
 * handler sleeps a millisecond at the first try and longer after (2, 5, 10 ... 100 ms), which
 * is then what a waiting writer's latency is. */
static int busy_wait(void *arg, int count)
{
    int64_t timeout_us = (int64_t)(intptr_t)arg * 1000;
    int64_t waited_us = count < 10 ? (int64_t)count * 200 : 2000 + (int64_t)(count - 10) * 1000;
    if (waited_us >= timeout_us) return 0;
    struct timespec nap = {0, count < 10 ? 200000 : 1000000};
    nanosleep(&nap, NULL);
    return 1;
}

/* What a connection's WAL hook keeps: its busy timeout (ms; 0: none) to give its handler back,
 * the WAL's size at its last commit, and the size from which it checkpoints next. */
typedef struct wal_watch {
    intptr_t busy_ms;
    int last, next;
} wal_watch;

/* After a commit that left the WAL at pages pages: from 1000 pages on, a checkpoint that also
 * starts the WAL again when no reader is in it at that moment (RESTART without waiting: where
 * it cannot, it copies what no reader still needs, as PASSIVE does), then again only once the
 * WAL has grown by another 1000 pages (or started again).  Connections that write in turn
 * without a pause are always reading some part of the WAL, so that a passive checkpoint alone
 * seldom lets it start again; one at every commit past 1000 pages would then sync the file at
 * every commit; and a reader that stays (a backup, a shell) must not make commits wait. */
static int wal_grown(void *arg, sqlite3 *h, const char *db, int pages)
{
    wal_watch *w = arg;
    if (pages < w->last || pages < 1000) w->next = 1000; /* started again */
    w->last = pages;
    if (pages < w->next) return SQLITE_OK;
    w->next = pages + 1000;
    sqlite3_busy_handler(h, NULL, NULL);
    sqlite3_wal_checkpoint_v2(h, db, SQLITE_CHECKPOINT_RESTART, NULL, NULL);
    sqlite3_busy_handler(h, w->busy_ms ? busy_wait : NULL, (void *)w->busy_ms);
    return SQLITE_OK;
}

static void wal_next(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc, (void)argv;
    sqlite3_result_int(ctx, ((const wal_watch *)sqlite3_user_data(ctx))->next);
}

/* WAL for a writable file, with the profile's synchronous level. */
static int use_wal(sqlite3 *h, const char *path, const rl_options *o, char *errbuf, size_t errlen)
{
    char v[32] = "";
    bool got = pragma_text(h, "PRAGMA journal_mode = WAL", v, sizeof v);
    if (got && strcasecmp(v, "wal") == 0) {
        sqlite3_exec(h,
                     o->profile == RL_PROFILE_PRODUCTION ? "PRAGMA synchronous = FULL"
                                                         : "PRAGMA synchronous = NORMAL",
                     NULL, NULL, NULL);
        /* the hook's state lives as long as the connection: SQLite frees it with the function
         * that shows it (reflite_wal_next(): the WAL's size from which it checkpoints next) */
        wal_watch *w = malloc(sizeof *w);
        intptr_t busy = o->busy_timeout_ms < 0 ? 0 : o->busy_timeout_ms ? o->busy_timeout_ms : 5000;
        if (w) *w = (wal_watch){busy, 0, 1000};
        if (!w || sqlite3_create_function_v2(h, "reflite_wal_next", 0, SQLITE_UTF8, w, wal_next,
                                             NULL, NULL, free) != SQLITE_OK)
            return rli_open_fail(errbuf, errlen, RL_ENOMEM, "Out of memory.");
        sqlite3_wal_hook(h, wal_grown, w);
        return RL_OK;
    }
    int rc = sqlite3_extended_errcode(h);
    int code =
        (rc & 0xff) == SQLITE_NOTADB || (rc & 0xff) == SQLITE_CORRUPT ? RL_ECORRUPT : RL_ERROR;
    if (got)
        return rli_open_fail(errbuf, errlen, code,
                             "Cannot switch '%s' to WAL mode (journal_mode stays '%s').", path, v);
    return rli_open_fail(errbuf, errlen, code, "Cannot switch '%s' to WAL mode: %s.", path,
                         sqlite3_errmsg(h));
}

static int conn_open(rlb_conn **out, const char *path, const rl_options *o, char *errbuf,
                     size_t errlen)
{
    *out = NULL;
    /* The test profile never touches the named file: SQLite's "" is a private temporary
     * database deleted when the connection closes. */
    if (o->profile == RL_PROFILE_TEST) path = "";
    int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE;
    if (o->read_only) {
        flags |= SQLITE_OPEN_READONLY;
    } else {
        flags |= SQLITE_OPEN_READWRITE;
        if (o->profile != RL_PROFILE_PRODUCTION || o->create) flags |= SQLITE_OPEN_CREATE;
    }
    if (o->profile == RL_PROFILE_PRODUCTION && !o->create && !is_memory_path(path) &&
        access(path, F_OK) != 0)
        return rli_open_fail(errbuf, errlen, RL_ECANTOPEN,
                             "The database '%s' does not exist; the production profile does not "
                             "create databases unless rl_options.create is set.",
                             path);
    sqlite3 *h = NULL;
    int rc = sqlite3_open_v2(path, &h, flags, NULL);
    if (rc != SQLITE_OK) {
        int code = (rc & 0xff) == SQLITE_CANTOPEN ? RL_ECANTOPEN : RL_ERROR;
        rli_open_fail(errbuf, errlen, code, "Cannot open database '%s': %s.", path,
                      h ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
        sqlite3_close_v2(h);
        return code;
    }
    sqlite3_extended_result_codes(h, 1);
    rli_sqlite_strict_names(h);
    rli_sqlite_regex_functions(h);
    if (o->busy_timeout_ms >= 0) {
        intptr_t ms = o->busy_timeout_ms ? o->busy_timeout_ms : 5000;
        sqlite3_busy_handler(h, busy_wait, (void *)ms);
    }
    int code = RL_OK;
    if (sqlite3_libversion_number() < 3037000)
        code = rli_open_fail(errbuf, errlen, RL_ERROR,
                             "SQLite %s is too old: reflite needs 3.37 or newer (STRICT tables).",
                             sqlite3_libversion());
    else if (set_foreign_keys((rlb_conn *)h, true) != RL_OK)
        code = rli_open_fail(errbuf, errlen, RL_ENOFK,
                             "This SQLite build (%s) cannot enforce foreign keys (PRAGMA "
                             "foreign_keys does not stay on); reflite refuses to open '%s'.",
                             sqlite3_libversion(), path);
    else if (!o->read_only && !o->no_wal && !is_memory_path(path))
        code = use_wal(h, path, o, errbuf, errlen);
    if (code != RL_OK) {
        sqlite3_close_v2(h);
        return code;
    }
    *out = (rlb_conn *)h;
    return RL_OK;
}

static void conn_close(rlb_conn *c)
{
    sqlite3_close_v2((sqlite3 *)c);
}

static bool in_transaction(rlb_conn *c)
{
    return !sqlite3_get_autocommit((sqlite3 *)c);
}

static int exec(rlb_conn *c, const char *sql)
{
    return sqlite3_exec((sqlite3 *)c, sql, NULL, NULL, NULL);
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

static int prepare_raw(rlb_conn *c, const char *sql, rlb_stmt **out, const char **tail,
                       err_rec *err)
{
    guard_ctx g = {{0}};
    sqlite3 *h = (sqlite3 *)c;
    sqlite3_stmt *st = NULL;
    sqlite3_set_authorizer(h, raw_guard, &g);
    int rc = sqlite3_prepare_v2(h, sql, -1, &st, tail);
    sqlite3_set_authorizer(h, NULL, NULL);
    *out = (rlb_stmt *)st;
    if (rc != SQLITE_OK && g.refused[0]) {
        char *r = rli_name_disp(g.refused);
        rli_rec_set(err, RL_EREFUSED,
                    "exec: %s is refused: a reflite connection always enforces foreign keys and "
                    "constraints (the raw handle rl_sqlite3() is outside this promise).",
                    r ? r : "this pragma");
        free(r);
        return -1;
    }
    return rc;
}

/* ---- statements ---------------------------------------------------------------------- */

static int prepare(rlb_conn *c, const char *sql, bool persistent, rlb_stmt **out)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v3((sqlite3 *)c, sql, -1, persistent ? SQLITE_PREPARE_PERSISTENT : 0,
                                &st, NULL);
    *out = (rlb_stmt *)st;
    return rc;
}

static void finalize(rlb_stmt *s)
{
    sqlite3_finalize(rli_sqlite_st(s));
}

static void reset(rlb_stmt *s)
{
    sqlite3_reset(rli_sqlite_st(s));
}

static void clear_bindings(rlb_stmt *s)
{
    sqlite3_clear_bindings(rli_sqlite_st(s));
}

int rli_sqlite_bind(sqlite3_stmt *st, int idx, const rl_value *v)
{
    switch (v->type) {
    case RL_V_NULL:
        return sqlite3_bind_null(st, idx);
    case RL_V_INT:
        return sqlite3_bind_int64(st, idx, v->u.i);
    case RL_V_REAL:
        return sqlite3_bind_double(st, idx, v->u.r);
    case RL_V_TEXT:
        return sqlite3_bind_text(st, idx, v->u.s, -1, SQLITE_STATIC);
    case RL_V_BLOB:
        return sqlite3_bind_blob64(st, idx, v->u.b.len ? v->u.b.data : "", v->u.b.len,
                                   SQLITE_STATIC);
    case RL_V_DEFAULT: /* no value: refused before */
        break;
    }
    return SQLITE_MISUSE;
}

static int bind(rlb_stmt *s, int idx, const rl_value *v)
{
    return rli_sqlite_bind(rli_sqlite_st(s), idx, v);
}

static int bind_int64(rlb_stmt *s, int idx, int64_t v)
{
    return sqlite3_bind_int64(rli_sqlite_st(s), idx, v);
}

static int step(rlb_stmt *s)
{
    return sqlite3_step(rli_sqlite_st(s));
}

static bool column_null(rlb_stmt *s, int col)
{
    return sqlite3_column_type(rli_sqlite_st(s), col) == SQLITE_NULL;
}

static int64_t column_int64(rlb_stmt *s, int col)
{
    return sqlite3_column_int64(rli_sqlite_st(s), col);
}

static double column_double(rlb_stmt *s, int col)
{
    return sqlite3_column_double(rli_sqlite_st(s), col);
}

static const char *column_text(rlb_stmt *s, int col, size_t *len)
{
    const unsigned char *t = sqlite3_column_text(rli_sqlite_st(s), col);
    if (len) *len = t ? (size_t)sqlite3_column_bytes(rli_sqlite_st(s), col) : 0;
    return (const char *)t;
}

static int column_count(rlb_stmt *s)
{
    return sqlite3_column_count(rli_sqlite_st(s));
}

static const char *column_name(rlb_stmt *s, int col)
{
    return sqlite3_column_name(rli_sqlite_st(s), col);
}

/* SQLITE_TRACE_STMT: a statement starts; the text of a trigger's program begins with "--". */
static int trace_stmt(unsigned type, void *ctx, void *p, void *x)
{
    (void)type;
    (void)p;
    const char *sql = x;
    if (sql && !(sql[0] == '-' && sql[1] == '-')) rli_backend_traced(ctx, sql);
    return 0;
}

static void trace(rlb_conn *c, void *ctx)
{
    sqlite3_trace_v2((sqlite3 *)c, ctx ? SQLITE_TRACE_STMT : 0, ctx ? trace_stmt : NULL, ctx);
}

static int interrupt(rlb_conn *c)
{
    sqlite3_interrupt((sqlite3 *)c); /* thread-safe; a no-op when nothing runs */
    return RLB_OK;
}

static rl_vtype column_type(rlb_stmt *s, int col)
{
    switch (sqlite3_column_type(rli_sqlite_st(s), col)) {
    case SQLITE_INTEGER:
        return RL_V_INT;
    case SQLITE_FLOAT:
        return RL_V_REAL;
    case SQLITE_TEXT:
        return RL_V_TEXT;
    case SQLITE_BLOB:
        return RL_V_BLOB;
    default:
        return RL_V_NULL;
    }
}

static const void *column_blob(rlb_stmt *s, int col, size_t *len)
{
    const void *b = sqlite3_column_blob(rli_sqlite_st(s), col);
    *len = (size_t)sqlite3_column_bytes(rli_sqlite_st(s), col);
    return b;
}

/* Rows read with direct calls into SQLite: the reading template of core/fieldread.h over the
 * column functions above, which the compiler inlines. */
static const rli_column_ops direct = {column_null, column_int64, column_double,
                                      column_text, column_blob,  column_type};

static int read_row(rlb_stmt *s, const model_info *mi, void *row, int col, arena *a)
{
    return rli_read_row_ops(&direct, mi, row, s, col, a, false);
}

static int next_row(rlb_stmt *s, const model_info *mi, void *row, arena *a)
{
    return rli_next_row_ops(&direct, step, mi, row, s, a);
}

static const char *statement_sql(rlb_stmt *s)
{
    const char *t = sqlite3_sql(rli_sqlite_st(s));
    return t ? t : "";
}

static int64_t changes(rlb_conn *c)
{
    return sqlite3_changes64((sqlite3 *)c);
}

static int64_t last_id(rlb_conn *c)
{
    return sqlite3_last_insert_rowid((sqlite3 *)c);
}

static bool maybe_fk(int rc)
{
    return rc == SQLITE_CONSTRAINT_FOREIGNKEY || rc == SQLITE_CONSTRAINT_TRIGGER;
}

static const char *errmsg(rlb_conn *c)
{
    return sqlite3_errmsg((sqlite3 *)c);
}

/* The migrator half (src/backend/backend.h). */
static const rl_migrator rli_sqlite_migrator = {
    .version = RLM_VERSION,
    .load_schema = rli_sqlite_load_schema,
    .plan = rli_sqlite_plan,
    .apply = rli_sqlite_apply,
    .check = rli_sqlite_check,
};

const rl_backend rli_sqlite_backend = {
    .version = RLB_VERSION,
    .name = "sqlite",
    .dialect = &rli_dialect_sqlite,
    .open = conn_open,
    .close = conn_close,
    .in_transaction = in_transaction,
    .exec = exec,
    .set_foreign_keys = set_foreign_keys,
    .prepare = prepare,
    .prepare_raw = prepare_raw,
    .finalize = finalize,
    .reset = reset,
    .clear_bindings = clear_bindings,
    .bind = bind,
    .bind_int64 = bind_int64,
    .step = step,
    .column_null = column_null,
    .column_int64 = column_int64,
    .column_double = column_double,
    .column_text = column_text,
    .column_blob = column_blob,
    .column_type = column_type,
    .column_count = column_count,
    .column_name = column_name,
    .read_row = read_row,
    .next_row = next_row,
    .stream = NULL, /* sqlite3_step hands over one row at a time */
    .trace = trace,
    .interrupt = interrupt,
    .schema_version_sql = "PRAGMA main.schema_version",
    .statement_sql = statement_sql,
    .changes = changes,
    .last_id = last_id,
    .key_given = NULL, /* a rowid is max + 1 */
    .bulk_load = NULL, /* one prepared INSERT in one transaction is SQLite's fastest */
    .fail = rli_sqlite_fail,
    .maybe_fk = maybe_fk,
    .failed_note = NULL, /* a failed statement undoes only itself */
    .failed_key = NULL,  /* SQLite does not say which key failed */
    .errmsg = errmsg,
    .diag_parent = rli_diag_parent_change,
    .statement_op = rli_statement_op,
    .introspect = rli_sqlite_introspect,
    .index_columns = rli_sqlite_index_columns,
    .migrator = &rli_sqlite_migrator,
};

/* ---- the public SQLite extras (include/reflite/sqlite.h) ------------------------------ */

sqlite3 *rl_sqlite3(rl_db *db)
{
    return db && db->be == &rli_sqlite_backend ? rli_sqlite_h(db) : NULL;
}

const char *rl_sqlite_version(void)
{
    return sqlite3_libversion();
}

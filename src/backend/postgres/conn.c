/*
 * The PostgreSQL backend: connections and statements through libpq.
 *
 * A connection is opened from a postgresql:// (or postgres://) URL.  PostgreSQL enforces
 * foreign keys always; what could bypass them is a session with session_replication_role =
 * replica (the key triggers do not fire), so a connection in that state is refused at open,
 * and raw SQL that would set it is refused (sqltext.c).
 *
 * Statements are server-side prepared statements named rl_1, rl_2... per connection.
 * Parameters travel as text (numbers printed exactly, reals as their shortest exact text) or, for
 * blobs, as binary; results come back as text and are read per column (bytea decoded on demand,
 * each column's kept until the next step).  A statement runs at its first step and its whole result
 * is kept until reset.
 *
 * Opening a session and making a new one in place of a lost one is session.c's work: every
 * statement passes rli_pg_ready first, and a statement prepared on an older session than
 * the connection's (gen) is prepared again before it runs.
 */
#define _GNU_SOURCE /* strdup */
#include "pg_int.h"

#include "core/fieldread.h"

#include "sql/render.h"
#include "core/error.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct pg_stmt {
    pg_conn *conn;
    char name[32];
    char *sql;
    int nparams;
    char **values; /* per parameter: text, blob bytes, or NULL for SQL NULL */
    int *lengths, *formats;
    char (*num)[32]; /* the text of numeric parameters */
    PGresult *res;
    int row, nrows;
    bool ran;
    bool stream;           /* rows one at a time (single-row mode) on the next run */
    unsigned char **blobs; /* per column: the bytea read from the current row (PQfreemem) */
    int nblobs;
    PGresult *desc; /* the statement's description: its parameters and columns */
    uint64_t gen;   /* the session it is prepared on (pg_conn.gen); 0: none yet */
} pg_stmt;

static pg_stmt *st_of(rlb_stmt *s)
{
    return (pg_stmt *)s;
}

/* ---- errors kept on the connection ------------------------------------------------------ */

void rli_pg_error_clear(pg_error *e)
{
    free(e->message);
    free(e->detail);
    free(e->table);
    free(e->column);
    free(e->constraint);
    memset(e, 0, sizeof *e);
}

static char *field_dup(const PGresult *r, int code)
{
    const char *v = r ? PQresultErrorField(r, code) : NULL;
    return v ? strdup(v) : NULL;
}

int rli_pg_keep_error(pg_conn *c, const PGresult *r)
{
    pg_error *e = &c->err;
    rli_pg_error_clear(e);
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    snprintf(e->sqlstate, sizeof e->sqlstate, "%s", state ? state : "");
    const char *primary = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    e->message = strdup(primary ? primary : PQerrorMessage(c->c));
    if (e->message) { /* libpq's own messages end in a newline */
        size_t n = strlen(e->message);
        while (n && (e->message[n - 1] == '\n' || e->message[n - 1] == ' '))
            e->message[--n] = '\0';
    }
    e->detail = field_dup(r, PG_DIAG_MESSAGE_DETAIL);
    e->table = field_dup(r, PG_DIAG_TABLE_NAME);
    e->column = field_dup(r, PG_DIAG_COLUMN_NAME);
    e->constraint = field_dup(r, PG_DIAG_CONSTRAINT_NAME);
    if (PQstatus(c->c) != CONNECTION_OK || rli_pg_session_ending(e->sqlstate)) {
        rli_pg_lost(c, r);
        return PG_FAIL_CONN;
    }
    if (strcmp(e->sqlstate, "23503") == 0) return PG_FAIL_FK;
    if (strcmp(e->sqlstate, "23505") == 0) return PG_FAIL_UNIQUE;
    if (strcmp(e->sqlstate, "23502") == 0) return PG_FAIL_NOTNULL;
    if (strcmp(e->sqlstate, "23514") == 0) return PG_FAIL_CHECK;
    if (strncmp(e->sqlstate, "22", 2) == 0 || strcmp(e->sqlstate, "42804") == 0)
        return PG_FAIL_TYPE;
    if (strcmp(e->sqlstate, "42P01") == 0 || strcmp(e->sqlstate, "42703") == 0)
        return PG_FAIL_SCHEMA;
    if (strcmp(e->sqlstate, "40P01") == 0 || strcmp(e->sqlstate, "55P03") == 0 ||
        strcmp(e->sqlstate, "40001") == 0)
        return PG_FAIL_BUSY;
    if (strcmp(e->sqlstate, "57014") == 0) return PG_FAIL_CANCELED;
    return PG_FAIL;
}

int rli_pg_run(pg_conn *c, const char *sql, PGresult **keep)
{
    return rli_pg_query(c, sql, 0, NULL, keep);
}

int rli_pg_not_busy(pg_conn *c, const void *self)
{
    if (!c->streaming || c->streaming == self) return RLB_OK;
    rli_pg_error_clear(&c->err);
    c->err.message = strdup("a cursor is still reading rows on this connection: read it to "
                            "its end or free it before running another statement");
    return PG_FAIL_MISUSE;
}

int rli_pg_query(pg_conn *c, const char *sql, int n, const char *const *params, PGresult **keep)
{
    int busy = rli_pg_not_busy(c, NULL);
    if (busy != RLB_OK) return busy;
    int rc = rli_pg_ready(c, sql);
    if (rc == RLB_DONE) { /* answered here: no result */
        if (keep) *keep = NULL;
        return RLB_OK;
    }
    if (rc != RLB_OK) return rc;
    rli_trace(c->trace_db, sql);
    PGresult *r = n ? PQexecParams(c->c, sql, n, NULL, params, NULL, NULL, 0) : PQexec(c->c, sql);
    ExecStatusType s = PQresultStatus(r);
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) rc = rli_pg_keep_error(c, r);
    c->sending = NULL;
    if (keep && rc == RLB_OK)
        *keep = r;
    else
        PQclear(r);
    if (rli_pg_rolled_back(c, sql, rc)) rc = RLB_OK;
    return rc;
}

/* ---- connections -------------------------------------------------------------------------- */

static void finalize(rlb_stmt *s);

/* A session lost since the last statement is made again to drop the test profile's schema
 * (once: when the server cannot be reached, the schema stays). */
void rli_pg_close(rlb_conn *cc)
{
    pg_conn *c = (pg_conn *)cc;
    if (!c) return;
    finalize(c->setval);
    if (c->test_schema && c->c && !c->lost_txn) {
        char sql[128];
        snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE", c->test_schema);
        rli_pg_run(c, sql, NULL);
    }
    free(c->test_schema);
    if (c->cancel) PQfreeCancel(c->cancel);
    pthread_mutex_destroy(&c->cancel_lock);
    PQfinish(c->c);
    rli_pg_error_clear(&c->err);
    free(c);
}

static int conn_exec(rlb_conn *cc, const char *sql)
{
    return rli_pg_run((pg_conn *)cc, sql, NULL);
}

/* ---- statements ------------------------------------------------------------------------ */

/* Discard what is left of a streamed result, row by row (a cancel would abort the
 * transaction the statement runs in). */
static void drain(pg_stmt *st)
{
    if (!st->conn || st->conn->streaming != st) return;
    PGresult *r;
    while ((r = PQgetResult(st->conn->c)))
        PQclear(r);
    st->conn->streaming = NULL;
}

/* The bytea values read from the current row: valid until the next step, reset or finalize
 * (each column's own, so that a row's blobs can be read one after another). */
static void free_blobs(pg_stmt *st)
{
    for (int i = 0; i < st->nblobs; i++)
        if (st->blobs[i]) {
            PQfreemem(st->blobs[i]);
            st->blobs[i] = NULL;
        }
}

static void finalize(rlb_stmt *s)
{
    pg_stmt *st = st_of(s);
    if (!st) return;
    drain(st);
    PQclear(st->res);
    PQclear(st->desc);
    free_blobs(st);
    free(st->blobs);
    /* while another statement streams, the name stays allocated until the connection closes
     * rather than a DEALLOCATE cutting into that stream */
    if (st->conn && st->gen == st->conn->gen && !st->conn->broken &&
        PQstatus(st->conn->c) == CONNECTION_OK &&
        PQtransactionStatus(st->conn->c) != PQTRANS_INERROR && !st->conn->streaming) {
        char sql[64];
        snprintf(sql, sizeof sql, "DEALLOCATE %s", st->name);
        PQclear(PQexec(st->conn->c, sql));
    }
    free(st->sql);
    free(st->values);
    free(st->lengths);
    free(st->formats);
    free(st->num);
    free(st);
}

static int prepare_text(pg_conn *c, const char *sql, rlb_stmt **out)
{
    *out = NULL;
    int busy = rli_pg_not_busy(c, NULL);
    if (busy != RLB_OK) return busy;
    bool offline = rli_pg_ends_lost_transaction(c, sql);
    int ready = offline ? RLB_OK : rli_pg_ready(c, sql);
    if (ready != RLB_OK) return ready == RLB_DONE ? PG_FAIL : ready;
    pg_stmt *st = calloc(1, sizeof *st);
    if (!st || !(st->sql = strdup(sql))) {
        free(st);
        return PG_FAIL;
    }
    st->conn = c;
    snprintf(st->name, sizeof st->name, "rl_%" PRIu64, ++c->next_name);
    if (offline) {
        *out = (rlb_stmt *)st;
        return RLB_OK;
    }
    st->gen = c->gen;
    PGresult *r = PQprepare(c->c, st->name, sql, 0, NULL);
    bool prepared = PQresultStatus(r) == PGRES_COMMAND_OK;
    int rc = prepared ? RLB_OK : rli_pg_keep_error(c, r);
    PQclear(r);
    if (rc == RLB_OK) {
        r = PQdescribePrepared(c->c, st->name);
        if (PQresultStatus(r) == PGRES_COMMAND_OK)
            st->nparams = PQnparams(r);
        else
            rc = rli_pg_keep_error(c, r);
        st->desc = r;
    }
    c->sending = NULL;
    if (rc == RLB_OK && st->nparams > 0) {
        size_t n = (size_t)st->nparams;
        st->values = calloc(n, sizeof *st->values);
        st->lengths = calloc(n, sizeof *st->lengths);
        st->formats = calloc(n, sizeof *st->formats);
        st->num = calloc(n, sizeof *st->num);
        if (!st->values || !st->lengths || !st->formats || !st->num) rc = PG_FAIL;
    }
    if (rc != RLB_OK) {
        st->conn = prepared ? c : NULL; /* a failed PREPARE left nothing to deallocate */
        finalize((rlb_stmt *)st);
        return rc;
    }
    *out = (rlb_stmt *)st;
    return RLB_OK;
}

static int prepare(rlb_conn *cc, const char *sql, bool persistent, rlb_stmt **out)
{
    (void)persistent;
    return prepare_text((pg_conn *)cc, sql, out);
}

static int prepare_raw(rl_db *db, const char *sql, rlb_stmt **out, const char **tail)
{
    *out = NULL;
    char *text;
    const char *why, *next;
    if (tail) *tail = sql + strlen(sql);
    if (!rli_pg_translate(sql, &text, &next, &why))
        return rli_err_set(db, why && strcmp(why, "out of memory") == 0 ? RL_ENOMEM : RL_EREFUSED,
                           "Refused: %s.", why ? why : "out of memory");
    if (tail) *tail = next;
    int rc = rli_pg_blank(text) ? RLB_OK : prepare_text(rli_pg(db), text, out);
    free(text);
    return rc;
}

static void reset(rlb_stmt *s)
{
    pg_stmt *st = st_of(s);
    free_blobs(st);
    drain(st);
    PQclear(st->res);
    st->res = NULL;
    st->ran = false;
    st->row = st->nrows = 0;
}

static int bind(rlb_stmt *s, int idx, const rl_value *v)
{
    pg_stmt *st = st_of(s);
    if (idx < 1 || idx > st->nparams) return PG_FAIL;
    int i = idx - 1;
    st->formats[i] = 0;
    switch (v->type) {
    case RL_V_NULL:
        st->values[i] = NULL;
        break;
    case RL_V_INT:
        snprintf(st->num[i], sizeof st->num[i], "%" PRId64, v->u.i);
        st->values[i] = st->num[i];
        break;
    case RL_V_REAL:
        rli_pg_real_text(v->u.r, st->num[i]);
        st->values[i] = st->num[i];
        break;
    case RL_V_TEXT:
        st->values[i] = (char *)v->u.s;
        break;
    case RL_V_BLOB:
        st->values[i] = v->u.b.len ? (char *)v->u.b.data : st->num[i];
        st->lengths[i] = (int)v->u.b.len;
        st->formats[i] = 1;
        break;
    }
    return RLB_OK;
}

static int bind_int64(rlb_stmt *s, int idx, int64_t v)
{
    rl_value x = {.type = RL_V_INT, .u.i = v};
    return bind(s, idx, &x);
}

/* A result that ends a run: its changes, or its failure kept. */
static int finished(pg_stmt *st, PGresult *r)
{
    ExecStatusType t = PQresultStatus(r);
    if (t == PGRES_COMMAND_OK) {
        const char *n = PQcmdTuples(r);
        st->conn->changes = n && *n ? strtoll(n, NULL, 10) : 0;
        return RLB_DONE;
    }
    return t == PGRES_TUPLES_OK ? RLB_DONE : rli_pg_keep_error(st->conn, r);
}

/* The next row of a streamed run: each arrives as a result of its own. */
static int next_streamed(pg_stmt *st)
{
    PQclear(st->res);
    st->res = PQgetResult(st->conn->c);
    st->row = 0;
    st->nrows = 0;
    if (st->res && PQresultStatus(st->res) == PGRES_SINGLE_TUPLE) {
        st->nrows = 1;
        return RLB_ROW;
    }
    int rc = st->res ? finished(st, st->res) : RLB_DONE;
    PQclear(st->res);
    st->res = NULL;
    drain(st);
    return rc;
}

static int start_stream(pg_stmt *st)
{
    if (!PQsendQueryPrepared(st->conn->c, st->name, st->nparams, (const char *const *)st->values,
                             st->lengths, st->formats, 0))
        return rli_pg_keep_error(st->conn, NULL);
    st->conn->streaming = st;
    if (!PQsetSingleRowMode(st->conn->c)) {
        drain(st);
        return rli_pg_keep_error(st->conn, NULL);
    }
    return next_streamed(st);
}

/* Ready to run st: its connection ready (rli_pg_ready: RLB_DONE when it answered st, the
 * ROLLBACK of a lost transaction), and st prepared again when its session is an older one.
 * The statement's description is kept: the same text describes the same columns. */
static int step_ready(pg_stmt *st)
{
    pg_conn *c = st->conn;
    int rc = rli_pg_ready(c, st->sql);
    if (rc != RLB_OK || st->gen == c->gen) return rc;
    PGresult *r = PQprepare(c->c, st->name, st->sql, 0, NULL);
    rc = PQresultStatus(r) == PGRES_COMMAND_OK ? RLB_OK : rli_pg_keep_error(c, r);
    PQclear(r);
    if (rc == RLB_OK) st->gen = c->gen;
    return rc;
}

static int step(rlb_stmt *s)
{
    pg_stmt *st = st_of(s);
    free_blobs(st);
    if (!st->ran) {
        int rc = rli_pg_not_busy(st->conn, st);
        if (rc == RLB_OK) rc = step_ready(st);
        if (rc != RLB_OK) {
            st->conn->sending = NULL;
            st->ran = rc == RLB_DONE; /* answered here: a next step finds no row either */
            return rc;
        }
        st->ran = true;
        rli_trace(st->conn->trace_db, st->sql);
        if (st->stream) {
            rc = start_stream(st);
            st->conn->sending = NULL;
            return rc;
        }
        st->res = PQexecPrepared(st->conn->c, st->name, st->nparams,
                                 (const char *const *)st->values, st->lengths, st->formats, 0);
        if (PQresultStatus(st->res) != PGRES_TUPLES_OK) {
            rc = finished(st, st->res);
            PQclear(st->res);
            st->res = NULL;
            if (rli_pg_rolled_back(st->conn, st->sql, rc)) rc = RLB_DONE;
            st->conn->sending = NULL;
            return rc;
        }
        st->conn->sending = NULL;
        st->nrows = PQntuples(st->res);
        st->row = 0;
        return st->nrows > 0 ? RLB_ROW : RLB_DONE;
    }
    if (st->conn->streaming == st) return next_streamed(st);
    if (!st->res || ++st->row >= st->nrows) return RLB_DONE;
    return RLB_ROW;
}

static void stream(rlb_stmt *s)
{
    st_of(s)->stream = true;
}

static int column_count(rlb_stmt *s)
{
    pg_stmt *st = st_of(s);
    return st->desc ? PQnfields(st->desc) : 0;
}

static const char *column_name(rlb_stmt *s, int col)
{
    pg_stmt *st = st_of(s);
    return st->desc && col < PQnfields(st->desc) ? PQfname(st->desc, col) : NULL;
}

static void trace(rl_db *db, bool on)
{
    rli_pg(db)->trace_db = on ? db : NULL;
}

static int interrupt(rlb_conn *cc)
{
    pg_conn *c = (pg_conn *)cc;
    char err[256];
    /* a cancel request on a connection of its own: the server stops what c runs, if anything;
     * under the lock, as a new session renews the cancel object from the connection's thread */
    pthread_mutex_lock(&c->cancel_lock);
    bool sent = c->cancel && PQcancel(c->cancel, err, sizeof err);
    pthread_mutex_unlock(&c->cancel_lock);
    return sent ? RLB_OK : PG_FAIL;
}

static bool column_null(rlb_stmt *s, int col)
{
    pg_stmt *st = st_of(s);
    return !st->res || col >= PQnfields(st->res) || PQgetisnull(st->res, st->row, col);
}

static int64_t column_int64(rlb_stmt *s, int col)
{
    pg_stmt *st = st_of(s);
    if (column_null(s, col)) return 0;
    const char *v = PQgetvalue(st->res, st->row, col);
    if (v[0] == 't' && !v[1]) return 1; /* boolean */
    if (v[0] == 'f' && !v[1]) return 0;
    return strtoll(v, NULL, 10);
}

static double column_double(rlb_stmt *s, int col)
{
    pg_stmt *st = st_of(s);
    return column_null(s, col) ? 0.0 : strtod(PQgetvalue(st->res, st->row, col), NULL);
}

static const char *column_text(rlb_stmt *s, int col, size_t *len)
{
    pg_stmt *st = st_of(s);
    if (column_null(s, col)) {
        if (len) *len = 0;
        return NULL;
    }
    if (len) *len = (size_t)PQgetlength(st->res, st->row, col);
    return PQgetvalue(st->res, st->row, col);
}

static const void *column_blob(rlb_stmt *s, int col, size_t *len)
{
    pg_stmt *st = st_of(s);
    *len = 0;
    if (column_null(s, col)) return NULL;
    if (!st->blobs) {
        int n = PQnfields(st->res);
        if (!(st->blobs = calloc((size_t)n + 1, sizeof *st->blobs))) return NULL;
        st->nblobs = n;
    }
    if (col >= st->nblobs) return NULL;
    if (st->blobs[col]) PQfreemem(st->blobs[col]);
    size_t n = 0;
    st->blobs[col] = PQunescapeBytea((const unsigned char *)PQgetvalue(st->res, st->row, col), &n);
    *len = st->blobs[col] ? n : 0;
    return st->blobs[col];
}

/* ---- rows read without a callback per column: core/fieldread.h's template over these ---- */

/* The current row exists whenever read_row runs, and its columns are the statement's own:
 * the bounds checks of the callbacks above are not needed here. */
static bool row_null(rlb_stmt *s, int col)
{
    pg_stmt *st = st_of(s);
    return PQgetisnull(st->res, st->row, col);
}

static int64_t row_int64(rlb_stmt *s, int col)
{
    pg_stmt *st = st_of(s);
    const char *v = PQgetvalue(st->res, st->row, col); /* "" for NULL: 0 */
    if (v[0] == 't' && !v[1]) return 1;                /* boolean */
    if (v[0] == 'f' && !v[1]) return 0;
    return strtoll(v, NULL, 10);
}

static double row_double(rlb_stmt *s, int col)
{
    pg_stmt *st = st_of(s);
    return strtod(PQgetvalue(st->res, st->row, col), NULL);
}

static const char *row_text(rlb_stmt *s, int col, size_t *len)
{
    pg_stmt *st = st_of(s);
    int n = PQgetlength(st->res, st->row, col); /* only an empty value can be a NULL */
    if (n == 0 && PQgetisnull(st->res, st->row, col)) {
        if (len) *len = 0;
        return NULL;
    }
    if (len) *len = (size_t)n;
    return PQgetvalue(st->res, st->row, col);
}

static const rli_column_ops direct = {row_null, row_int64, row_double, row_text, column_blob, NULL};

static int read_row(rlb_stmt *s, const model_info *mi, void *row, int col, arena *a)
{
    if (!st_of(s)->res) return RL_OK; /* no row: nothing to read */
    return rli_read_row_ops(&direct, mi, row, s, col, a, false);
}

static int next_row(rlb_stmt *s, const model_info *mi, void *row, arena *a)
{
    return rli_next_row_ops(&direct, step, mi, row, s, a);
}

static const char *statement_sql(rlb_stmt *s)
{
    return st_of(s)->sql;
}

static int64_t changes(rlb_conn *cc)
{
    return ((pg_conn *)cc)->changes;
}

/* The value the last INSERT drew from a sequence (an identity column's). */
static int64_t last_id(rlb_conn *cc)
{
    char *v = rli_pg_scalar_text((pg_conn *)cc, "SELECT lastval()");
    int64_t id = v ? strtoll(v, NULL, 10) : 0;
    free(v);
    return id;
}

/* Move the identity sequence of table(pk_column) past pk, so that the next generated key is
 * not one already taken by a row inserted with its own key (SQLite's rowid does this by
 * itself).  Only ever moves the sequence forward. */
static int key_given(rl_db *db, const char *table, const char *pk_column, int64_t pk)
{
    pg_conn *c = rli_pg(db);
    if (!c->setval) {
        int rc = prepare_text(c,
                              "SELECT setval(s, $3::bigint) FROM (SELECT "
                              "pg_get_serial_sequence(quote_ident($1::text), $2::text)::regclass "
                              "AS s) q WHERE s IS NOT NULL AND $3::bigint > "
                              "coalesce(pg_sequence_last_value(s), 0)",
                              &c->setval);
        if (rc != RLB_OK) return rc;
    }
    rl_value v[] = {rl_text(table), rl_text(pk_column), rl_int(pk)};
    for (int i = 0; i < 3; i++)
        bind(c->setval, i + 1, &v[i]);
    int rc = step(c->setval);
    reset(c->setval);
    return rc == RLB_ROW || rc == RLB_DONE ? RLB_OK : rc;
}

const rl_backend rli_postgres_backend = {
    .version = RLB_VERSION,
    .name = "postgresql",
    .dialect = &rli_dialect_postgres,
    .open = rli_pg_open,
    .close = rli_pg_close,
    .in_transaction = rli_pg_in_transaction_of,
    .exec = conn_exec,
    .set_foreign_keys = rli_pg_set_foreign_keys,
    .prepare = prepare,
    .prepare_raw = prepare_raw,
    .finalize = finalize,
    .reset = reset,
    .clear_bindings = NULL,
    .bind = bind,
    .bind_int64 = bind_int64,
    .step = step,
    .column_null = column_null,
    .column_int64 = column_int64,
    .column_double = column_double,
    .column_text = column_text,
    .column_blob = column_blob,
    .column_type = NULL, /* a value has its column's type */
    .column_count = column_count,
    .column_name = column_name,
    .read_row = read_row,
    .next_row = next_row,
    .stream = stream,
    .trace = trace,
    .interrupt = interrupt,
    /* the tables, columns and constraints of the schemas on the search path: their number and
     * the transaction ids that last wrote their catalog rows (a change rewrites a row) */
    .schema_version_sql =
        "SELECT count(*) * 4294967296 + coalesce(sum(x::text::bigint), 0) FROM ("
        "SELECT c.xmin AS x FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = ANY (current_schemas(false)) UNION ALL "
        "SELECT a.xmin FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN "
        "pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ANY (current_schemas(false)) "
        "AND a.attnum > 0 UNION ALL "
        "SELECT k.xmin FROM pg_constraint k JOIN pg_namespace n ON n.oid = k.connamespace "
        "WHERE n.nspname = ANY (current_schemas(false))) v",
    .statement_sql = statement_sql,
    .changes = changes,
    .last_id = last_id,
    .key_given = key_given,
    .bulk_load = rli_pg_bulk_load,
    .fail = rli_pg_fail,
    .maybe_fk = rli_pg_maybe_fk,
    .failed_note = rli_pg_failed_note,
    .failed_key = rli_pg_failed_key,
    .errmsg = rli_pg_errmsg,
    .diag_parent = rli_pg_diag_parent,
    .statement_op = rli_pg_statement_op,
    .introspect = rli_pg_introspect,
    .index_columns = rli_pg_index_columns,
    .load_schema = rli_pg_load_schema,
    .plan = rli_pg_plan,
    .apply = rli_pg_apply,
    .check = rli_pg_check,
};

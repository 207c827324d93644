/*
 * The PostgreSQL backend: connections and statements through libpq.
 *
 * A connection is opened from a postgresql:// (or postgres://) URL.  PostgreSQL enforces
 * foreign keys always; what could bypass them is a session with session_replication_role =
 * replica (the key triggers do not fire), so a connection in that state is refused at open,
 * and raw SQL that would set it is refused (sqltext.c).
 *
 * Statements are server-side prepared statements named rl_<random>_1, rl_<random>_2... (names
 * no other connection has, so that a pooler that moves a session cannot run another client's
 * statement under the same name), or, through a transaction pooler (prepared_statements=off,
 * or auto when the server stops knowing them), unnamed: parsed and described in one round
 * trip (a pipeline with one Sync, so one pooled transaction), and parsed again with each run.
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
#include <sys/random.h>
#include <time.h>

/* ---- connections -------------------------------------------------------------------------- */

static void finalize(rlb_stmt *s);

/* A session lost since the last statement is made again to drop the test profile's schema
 * (once: when the server cannot be reached, the schema stays). */
void rli_pg_close(rlb_conn *cc)
{
    pg_conn *c = (pg_conn *)cc;
    if (!c) return;
    finalize(c->setval);
    rli_pg_replicas_close(c);
    if (c->test_schema && c->c && !c->lost_txn && !c->standby) {
        char sql[128];
        snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE", c->test_schema);
        rli_pg_run(c, sql, NULL);
    }
    free(c->test_schema);
    if (c->cancel) PQfreeCancel(c->cancel);
    pthread_mutex_destroy(&c->cancel_lock);
    PQfinish(c->c);
    rli_pg_drop_test_database(c);
    free(c->test_db);
    free(c->admin_url);
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
    if (st->conn) st->conn = st->home; /* after a read on a replica */
    PQclear(st->res);
    PQclear(st->desc);
    free_blobs(st);
    free(st->blobs);
    /* while another statement streams, the name stays allocated until the connection closes
     * rather than a DEALLOCATE cutting into that stream */
    if (st->conn && st->gen == st->conn->gen && !st->conn->broken && !st->conn->unnamed &&
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

/* Parse st's text as the unnamed statement and describe it, in one pipeline with one Sync:
 * one round trip, and through a transaction pooler one transaction on one server connection. */
static int describe_unnamed(pg_conn *c, pg_stmt *st)
{
    if (!PQenterPipelineMode(c->c)) return rli_pg_keep_error(c, NULL);
    bool sent = PQsendPrepare(c->c, "", st->sql, 0, NULL) && PQsendDescribePrepared(c->c, "") &&
                PQpipelineSync(c->c);
    PGresult *failed = NULL;
    int ends = 0; /* each request's results end with a NULL; the Sync's result ends them all */
    while (sent && ends < 3) {
        PGresult *r = PQgetResult(c->c);
        ExecStatusType t = r ? PQresultStatus(r) : PGRES_EMPTY_QUERY;
        if (!r)
            ends++;
        else if (t == PGRES_PIPELINE_SYNC)
            ends = 3;
        else if (t == PGRES_FATAL_ERROR && !failed)
            failed = r, r = NULL;
        else if (t == PGRES_COMMAND_OK && ends == 1 && !st->desc)
            st->desc = r, r = NULL;
        PQclear(r);
    }
    PQexitPipelineMode(c->c);
    int rc = !sent || failed || !st->desc ? rli_pg_keep_error(c, failed) : RLB_OK;
    PQclear(failed);
    if (rc == RLB_OK) st->nparams = PQnparams(st->desc);
    return rc;
}

/* After a failure: whether it says the server does not know a statement this connection
 * prepared (SQLSTATE 26000), which a transaction pooler causes, moving the session's
 * transactions between server connections.  In auto mode the connection then goes unnamed for
 * good, and true is returned when the failed statement may run again (outside a transaction,
 * nothing of it ran); inside a transaction the failure stands, said so. */
static bool pooler_moved(pg_conn *c)
{
    if (!c->auto_prep || strcmp(c->err.sqlstate, "26000") != 0) return false;
    c->unnamed = c->pooled = true;
    c->auto_prep = false;
    if (!rli_pg_in_transaction(c)) return true;
    free(c->err.message);
    c->err.message = strdup("a connection pooler ran this transaction on another server "
                            "connection than the one its statement was prepared on; this "
                            "connection now runs unnamed statements (prepared_statements=off in "
                            "the URL avoids this first failure): run the transaction again");
    return false;
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
    st->conn = st->home = c;
    st->reads = c->rep && rli_pg_reads_only(sql);
    snprintf(st->name, sizeof st->name, "rl_%s_%" PRIu64, c->prefix, ++c->next_name);
    if (offline) {
        *out = (rlb_stmt *)st;
        return RLB_OK;
    }
    st->gen = c->gen;
    bool prepared = false;
    int rc;
    if (c->unnamed) {
        rc = describe_unnamed(c, st);
    } else {
        PGresult *r = PQprepare(c->c, st->name, sql, 0, NULL);
        prepared = PQresultStatus(r) == PGRES_COMMAND_OK;
        rc = prepared ? RLB_OK : rli_pg_keep_error(c, r);
        PQclear(r);
        if (rc == RLB_OK) {
            r = PQdescribePrepared(c->c, st->name);
            if (PQresultStatus(r) == PGRES_COMMAND_OK)
                st->nparams = PQnparams(r);
            else
                rc = rli_pg_keep_error(c, r);
            st->desc = r;
            if (rc != RLB_OK &&
                pooler_moved(c)) { /* prepared on one server, described on another */
                PQclear(st->desc);
                st->desc = NULL;
                prepared = false;
                rc = describe_unnamed(c, st);
            }
        }
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

static int prepare_raw(rlb_conn *cc, const char *sql, rlb_stmt **out, const char **tail,
                       err_rec *err)
{
    *out = NULL;
    char *text;
    const char *why, *next;
    if (tail) *tail = sql + strlen(sql);
    if (!rli_pg_translate(sql, &text, &next, &why))
        return rli_rec_set(err, why && strcmp(why, "out of memory") == 0 ? RL_ENOMEM : RL_EREFUSED,
                           "Refused: %s.", why ? why : "out of memory");
    if (tail) *tail = next;
    int rc = rli_pg_blank(text) ? RLB_OK : prepare_text((pg_conn *)cc, text, out);
    free(text);
    return rc;
}

static void reset(rlb_stmt *s)
{
    pg_stmt *st = st_of(s);
    free_blobs(st);
    drain(st);
    st->conn = st->home;
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
    case RL_V_DEFAULT: /* no value: refused before */
        return PG_FAIL;
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
    const char *const *values = (const char *const *)st->values;
    if (!(st->conn->unnamed ? PQsendQueryParams(st->conn->c, st->sql, st->nparams, NULL, values,
                                                st->lengths, st->formats, 0)
                            : PQsendQueryPrepared(st->conn->c, st->name, st->nparams, values,
                                                  st->lengths, st->formats, 0)))
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
    if (rc != RLB_OK || st->gen == c->gen || c->unnamed) return rc;
    PGresult *r = PQprepare(c->c, st->name, st->sql, 0, NULL);
    rc = PQresultStatus(r) == PGRES_COMMAND_OK ? RLB_OK : rli_pg_keep_error(c, r);
    PQclear(r);
    if (rc == RLB_OK) st->gen = c->gen;
    return rc;
}

/* Run st and wait for its whole result. */
static PGresult *run(pg_stmt *st)
{
    const char *const *values = (const char *const *)st->values;
    return st->conn->unnamed ? PQexecParams(st->conn->c, st->sql, st->nparams, NULL, values,
                                            st->lengths, st->formats, 0)
                             : PQexecPrepared(st->conn->c, st->name, st->nparams, values,
                                              st->lengths, st->formats, 0);
}

/* The last failure on replica session r (its error, and how a lost session went) moved to
 * home, the connection the caller asks. */
static void failure_home(pg_conn *r, pg_conn *home)
{
    pg_error e = home->err;
    home->err = r->err;
    r->err = e;
    home->lost = r->lost;
    memcpy(home->reason, r->reason, sizeof home->reason);
}

/* rc of st, told as the statement's own when it failed on a replica. */
static int told_home(pg_stmt *st, int rc)
{
    if (st->conn != st->home && rc != RLB_ROW && rc != RLB_DONE) failure_home(st->conn, st->home);
    return rc;
}

/* Run st, which only reads, on the replica session r: RLB_ROW or RLB_DONE, else a failure
 * (kept as r's last error) after which st is as before, to run on its own connection. */
static int run_on_replica(pg_stmt *st, pg_conn *r)
{
    int rc = rli_pg_ready(r, st->sql);
    if (rc != RLB_OK) return rc == RLB_DONE ? PG_FAIL : rc;
    st->conn = r;
    st->ran = true;
    rli_pg_traced(r, st->sql);
    if (st->stream) {
        rc = start_stream(st); /* r's statements are unnamed */
    } else {
        st->res = run(st);
        if (PQresultStatus(st->res) == PGRES_TUPLES_OK) {
            st->nrows = PQntuples(st->res);
            st->row = 0;
            rc = st->nrows > 0 ? RLB_ROW : RLB_DONE;
        } else {
            rc = finished(st, st->res);
            PQclear(st->res);
            st->res = NULL;
        }
    }
    r->sending = NULL;
    if (rc != RLB_ROW && rc != RLB_DONE) {
        st->conn = st->home;
        st->ran = false;
    }
    return rc;
}

static int first_run(pg_stmt *st);

static int step(rlb_stmt *s)
{
    pg_stmt *st = st_of(s);
    free_blobs(st);
    if (!st->ran) {
        pg_conn *home = st->conn, *r = st->reads ? rli_pg_reader(home) : NULL;
        bool wrote = false;
        if (r && rli_pg_not_busy(home, st) == RLB_OK) {
            int rc = run_on_replica(st, r);
            if (rc == RLB_ROW || rc == RLB_DONE) return rc;
            if (rc == PG_FAIL_CANCELED) { /* stopped by rl_interrupt: not to run again */
                failure_home(r, home);
                return rc;
            }
            if (rc == PG_FAIL_CONN) rli_pg_reader_failed(home, r);
            wrote = strcmp(r->err.sqlstate, "25006") == 0; /* it writes, after all */
        }
        int rc = first_run(st);
        if (home->rep && (rc == RLB_ROW || rc == RLB_DONE))
            rli_pg_after(home, st->sql, st->reads && !wrote);
        return rc;
    }
    if (st->conn->streaming == st) return told_home(st, next_streamed(st));
    if (!st->res || ++st->row >= st->nrows) return RLB_DONE;
    return RLB_ROW;
}

/* The first step of st on its own connection. */
static int first_run(pg_stmt *st)
{
    int rc = rli_pg_not_busy(st->conn, st);
    if (rc == RLB_OK) rc = step_ready(st);
    if (rc != RLB_OK) {
        st->conn->sending = NULL;
        st->ran = rc == RLB_DONE; /* answered here: a next step finds no row either */
        return rc;
    }
    st->ran = true;
    rli_pg_traced(st->conn, st->sql);
    if (st->stream) {
        rc = start_stream(st);
        st->conn->sending = NULL;
        return rc;
    }
    st->res = run(st);
    if (PQresultStatus(st->res) != PGRES_TUPLES_OK) {
        rc = finished(st, st->res);
        if (rc != RLB_DONE && pooler_moved(st->conn)) { /* nothing ran: again, unnamed */
            PQclear(st->res);
            st->res = run(st);
            rc = PQresultStatus(st->res) == PGRES_TUPLES_OK ? RLB_ROW : finished(st, st->res);
        }
    }
    if (PQresultStatus(st->res) != PGRES_TUPLES_OK) {
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

static void stream(rlb_stmt *s)
{
    st_of(s)->stream = true;
}

static void trace(rlb_conn *cc, void *ctx)
{
    pg_conn *c = (pg_conn *)cc;
    c->trace_ctx = ctx;
    for (size_t i = 0; c->rep && i < rli_pg_replica_count(c); i++)
        rli_pg_replica_at(c, i)->trace_ctx = ctx;
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
    /* a read may be running on a replica: stop that too (a session that runs nothing ignores
     * a cancel) */
    for (size_t i = 0; c->rep && i < rli_pg_replica_count(c); i++)
        sent |= interrupt((rlb_conn *)rli_pg_replica_at(c, i)) == RLB_OK;
    return sent ? RLB_OK : PG_FAIL;
}

static int next_row(rlb_stmt *s, const model_info *mi, void *row, arena *a)
{
    return rli_pg_step_and_read(s, step, mi, row, a);
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
static int key_given(rlb_conn *cc, const char *table, const char *pk_column, int64_t pk)
{
    pg_conn *c = (pg_conn *)cc;
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

/* The migrator half (src/backend/backend.h). */
static const rl_migrator rli_pg_migrator = {
    .version = RLM_VERSION,
    .load_schema = rli_pg_load_schema,
    .plan = rli_pg_plan,
    .apply = rli_pg_apply,
    .check = rli_pg_check,
};

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
    .column_null = rli_pg_column_null,
    .column_int64 = rli_pg_column_int64,
    .column_double = rli_pg_column_double,
    .column_text = rli_pg_column_text,
    .column_blob = rli_pg_column_blob,
    .column_type = NULL, /* a value has its column's type */
    .column_count = rli_pg_column_count,
    .column_name = rli_pg_column_name,
    .read_row = rli_pg_read_row,
    .next_row = next_row,
    .stream = stream,
    .trace = trace,
    .interrupt = interrupt,
    .position = rli_pg_position,
    .read_after = rli_pg_read_after,
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
    .migrator = &rli_pg_migrator,
};

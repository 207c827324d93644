/*
 * The PostgreSQL backend's sessions: opening one with the settings of the options, and
 * making a new one in place of a session the server ended.
 *
 * A session ends when the server restarts or stops (its sessions are told so: SQLSTATE
 * 57P01), crashes (57P02, or the socket just closes), or ends it for other reasons (class
 * 08, 57P0x, 25P03 after a transaction idle too long).  libpq then reports the connection
 * bad, or the failure's SQLSTATE says so: the failure is PG_FAIL_CONN (RL_EDISCONNECTED) and
 * the connection is marked broken.  Before every statement (rli_pg_ready):
 *
 *  - outside a transaction, an idle connection is asked without waiting whether the server
 *    has ended its session (it sent its last word and closed the socket): if so a new one is
 *    made before anything is sent, and the call goes on as if nothing had happened;
 *  - a broken connection outside a transaction gets a new session (PQreset: the same URL and
 *    parameters), with the settings of the open made again (lock timeout, read-only, the test
 *    profile's schema first on the search path), the replica check of the open done again and
 *    the cancel object renewed.  Every statement prepared on an older session is prepared
 *    again at its next run (pg_stmt.gen), so whatever the core keeps (models' statements,
 *    the query caches, cursors' kept statements, key_given's) stays usable.  When the server
 *    cannot be reached the call fails at once and the next one tries again;
 *  - a session lost inside a transaction leaves the transaction lost until the caller ends
 *    it: every statement fails, but ROLLBACK (answered here: the server rolled it back) and
 *    ROLLBACK TO (nothing is left to undo); COMMIT fails and ends it.  So nothing of a
 *    transaction ever runs on its own, committed by itself, on a new session.
 *
 * Settings a program makes with raw SQL (SET ...) belong to the session and are not made
 * again: give them in the URL (options=-c...).
 *
 * Also here: running SQL text (rli_pg_run, rli_pg_query) and the URL's prepared_statements=
 * (rli_pg_url_prepared, rli_pg_prepared_setup: see conn.c).
 *
 * Entry points: rli_pg_open (the backend's open), rli_pg_ready (before every statement),
 * rli_pg_lost (a failure found the session gone), rli_pg_in_transaction, and for the
 * statements of a lost transaction rli_pg_ends_lost_transaction and rli_pg_rolled_back.
 */
#define _GNU_SOURCE /* strdup */
#include "pg_int.h"
#include "core/error.h"

#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

/* What a statement does to the transaction, from its first words. */
typedef enum tx_word { TX_OTHER, TX_COMMIT, TX_ROLLBACK, TX_ROLLBACK_TO } tx_word;

static tx_word tx_word_of(const char *sql);

/* ---- opening --------------------------------------------------------------------------- */

char *rli_pg_scalar_text(pg_conn *c, const char *sql)
{
    PGresult *r = NULL;
    if (rli_pg_run(c, sql, &r) != RLB_OK) return NULL;
    char *v = PQntuples(r) > 0 && !PQgetisnull(r, 0, 0) ? strdup(PQgetvalue(r, 0, 0)) : NULL;
    PQclear(r);
    return v;
}

/* Whether the session skips the key triggers (session_replication_role = replica): 1, 0 when
 * it does not, -1 when the setting cannot be read. */
static int replica_role(pg_conn *c)
{
    char *role = rli_pg_scalar_text(c, "SHOW session_replication_role");
    int replica = role ? strcmp(role, "replica") == 0 : -1;
    free(role);
    return replica;
}

/* The test profile: a fresh schema of this connection's own, first on the search path, so
 * that every opened database starts empty and tests never share state.  Its name comes from
 * the server (backend pid) and the connection's address, unique among live sessions. */
static int test_schema(pg_conn *c)
{
    char name[96];
    snprintf(name, sizeof name, "rl_test_%d_%" PRIxPTR, PQbackendPID(c->c), (uintptr_t)c);
    if (!(c->test_schema = strdup(name))) return PG_FAIL;
    char sql[256];
    snprintf(sql, sizeof sql, "CREATE SCHEMA %s; SET search_path TO %s", name, name);
    int rc = rli_pg_run(c, sql, NULL);
    if (rc != RLB_OK) {
        free(c->test_schema);
        c->test_schema = NULL;
    }
    return rc;
}

/* The test profile through a transaction pooler, where a session's schema would not hold: a
 * fresh database of this connection's own (CREATE DATABASE needs no session), connected to in
 * place of url's, and dropped at close (rli_pg_drop_test_database).  The pooler must route a
 * new database's name (PgBouncer: a "*" entry). */
static int test_database(pg_conn *c, const char *url)
{
    char name[64], sql[96];
    snprintf(name, sizeof name, "rl_test_%s", c->prefix);
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", name);
    int rc = rli_pg_run(c, sql, NULL);
    if (rc != RLB_OK) return rc;
    const char *const keys[] = {"dbname", "dbname", NULL}, *const values[] = {url, name, NULL};
    PGconn *own = PQconnectdbParams(keys, values, 1);
    c->test_db = strdup(name);
    c->admin_url = strdup(url);
    if (PQstatus(own) != CONNECTION_OK || !c->test_db || !c->admin_url) {
        rli_pg_error_clear(&c->err);
        c->err.message = strdup(own ? PQerrorMessage(own) : "out of memory");
        PQfinish(own);
        return PG_FAIL; /* rli_pg_close drops the database */
    }
    PQfinish(c->c);
    c->c = own;
    return RLB_OK;
}

void rli_pg_drop_test_database(pg_conn *c)
{
    if (!c->test_db || !c->admin_url) return;
    PGconn *a = PQconnectdb(c->admin_url);
    char sql[128];
    snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", c->test_db);
    if (PQstatus(a) == CONNECTION_OK) PQclear(PQexec(a, sql));
    PQfinish(a);
}

/* The session's settings, from the options of the open: how long to wait for a lock,
 * read-only, and once the test profile's schema exists, that schema first on the search path
 * (made again on every new session). */
static int session_setup(pg_conn *c)
{
    if (c->pooled) return RLB_OK; /* they would stay on a server connection others are given */
    char sql[320];
    snprintf(sql, sizeof sql, "SET client_min_messages = warning; SET lock_timeout = %d%s%s%s",
             c->lock_ms, c->read_only ? "; SET default_transaction_read_only = on" : "",
             c->test_schema ? "; SET search_path TO " : "", c->test_schema ? c->test_schema : "");
    return rli_pg_run(c, sql, NULL);
}

/* Notices: the server's last word before it ends an idle session (a FATAL error that libpq
 * hands over as a notice) is kept as the reason the session was lost; the others go where
 * libpq sends them. */
static void on_notice(void *arg, const PGresult *r)
{
    pg_conn *c = arg;
    const char *severity = PQresultErrorField(r, PG_DIAG_SEVERITY_NONLOCALIZED);
    const char *state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    const char *primary = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
    if ((severity && (strcmp(severity, "FATAL") == 0 || strcmp(severity, "PANIC") == 0)) ||
        (state && rli_pg_session_ending(state))) {
        snprintf(c->reason, sizeof c->reason, "%s", primary ? primary : "the server ended it");
        return;
    }
    if (c->notice_next) c->notice_next(NULL, r);
}

bool rli_pg_url_prepared(const char *target, char **url, rl_prepared *mode)
{
    static const char key[] = "prepared_statements=";
    *url = strdup(target);
    if (!*url) return true;
    char *q = strchr(*url, '?'), *p = q ? q + 1 : NULL;
    while (p && *p && strncmp(p, key, sizeof key - 1) != 0) { /* the query's parameters */
        p += strcspn(p, "&");
        p += *p == '&';
    }
    if (!p || !*p) return true;
    char *v = p + sizeof key - 1, *end = v + strcspn(v, "&");
    size_t n = (size_t)(end - v);
    bool ok = true;
    if (n == 2 && strncmp(v, "on", 2) == 0)
        *mode = RL_PREPARED_ON;
    else if (n == 3 && strncmp(v, "off", 3) == 0)
        *mode = RL_PREPARED_OFF;
    else if (n == 4 && strncmp(v, "auto", 4) == 0)
        *mode = RL_PREPARED_AUTO;
    else
        ok = false;
    /* cut "key=value" with one of the separators around it */
    if (*end == '&')
        end++;
    else if (p[-1] == '&')
        p--;
    memmove(p, end, strlen(end) + 1);
    if (q[1] == '\0') *q = '\0';
    return ok;
}

void rli_pg_prepared_setup(pg_conn *c, rl_prepared mode)
{
    uint64_t r = 0;
    if (getrandom(&r, sizeof r, 0) != (ssize_t)sizeof r) /* then this session's own facts */
        r = (uint64_t)(uintptr_t)c ^ ((uint64_t)PQbackendPID(c->c) << 32) ^ (uint64_t)time(NULL);
    snprintf(c->prefix, sizeof c->prefix, "%016" PRIx64, r);
    const char *port = PQport(c->c), *host = PQhost(c->c);
    bool looks = (port && strcmp(port, "6432") == 0) || (host && strstr(host, "pooler"));
    c->unnamed = c->pooled = mode == RL_PREPARED_OFF || (mode == RL_PREPARED_AUTO && looks);
    c->auto_prep = mode == RL_PREPARED_AUTO && !c->unnamed;
}

pg_conn *rli_pg_standby_open(pg_conn *c, const char *url, rl_prepared mode)
{
    pg_conn *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    pthread_mutex_init(&r->cancel_lock, NULL);
    r->gen = 1;
    r->standby = true;
    r->lock_ms = c->lock_ms;
    r->read_only = true;
    r->test_schema = c->test_schema ? strdup(c->test_schema) : NULL;
    r->c = PQconnectdb(url);
    if (!r->c || (c->test_schema && !r->test_schema)) {
        rli_pg_close((rlb_conn *)r);
        return NULL;
    }
    rli_pg_prepared_setup(r, mode);
    r->unnamed = true; /* nothing kept on the replica: a read is parsed where it runs */
    r->auto_prep = false;
    if (PQstatus(r->c) == CONNECTION_OK) {
        r->cancel = PQgetCancel(r->c);
        r->notice_next = PQsetNoticeReceiver(r->c, on_notice, r);
        if (session_setup(r) == RLB_OK) return r;
    }
    r->broken = true; /* tried again at its next statement (rli_pg_ready) */
    r->lost = PG_LOST_UNREACHABLE;
    return r;
}

int rli_pg_open(rlb_conn **out, const char *target, const rl_options *o, char *errbuf,
                size_t errlen)
{
    *out = NULL;
    rl_prepared mode = o->prepared_statements;
    rl_prepared in_url = RL_PREPARED_AUTO;
    char *url;
    if (!rli_pg_url_prepared(target, &url, &in_url)) {
        free(url);
        return rli_open_fail(errbuf, errlen, RL_EINVAL,
                             "The URL's prepared_statements is none of on, off and auto.");
    }
    if (mode == RL_PREPARED_AUTO) mode = in_url;
    pg_conn *c = url ? calloc(1, sizeof *c) : NULL;
    if (!c) {
        free(url);
        return rli_open_fail(errbuf, errlen, RL_ENOMEM, "Out of memory opening a connection.");
    }
    pthread_mutex_init(&c->cancel_lock, NULL);
    c->gen = 1;
    c->lock_ms = o->busy_timeout_ms == 0 ? 5000 : o->busy_timeout_ms < 0 ? 0 : o->busy_timeout_ms;
    c->read_only = o->read_only;
    c->c = PQconnectdb(url);
    if (c->c && PQstatus(c->c) == CONNECTION_OK) rli_pg_prepared_setup(c, mode);
    if (c->pooled && o->read_only) {
        free(url);
        int code = rli_open_fail(
            errbuf, errlen, RL_EREFUSED,
            "Refused: through a transaction pooler (prepared_statements=off, or a pooler's port "
            "6432 or host name), read-only would be a session setting that other clients of the "
            "pooler are given; connect directly (or say prepared_statements=on if this is no "
            "pooler), or give the role SELECT only.");
        rli_pg_close((rlb_conn *)c);
        return code;
    }
    bool private_db = c->pooled && o->profile == RL_PROFILE_TEST && PQstatus(c->c) == CONNECTION_OK;
    if (private_db && test_database(c, url) != RLB_OK) {
        free(url);
        int code = rli_open_fail(errbuf, errlen, RL_ECANTOPEN,
                                 "Could not make the test profile's private database: %s",
                                 c->err.message ? c->err.message : "");
        rli_pg_close((rlb_conn *)c);
        return code;
    }
    free(url);
    if (!c->c || PQstatus(c->c) != CONNECTION_OK) {
        char *m = rli_name_disp(c->c ? PQerrorMessage(c->c) : "out of memory");
        int code = rli_open_fail(errbuf, errlen, RL_ECANTOPEN,
                                 "Could not connect to the PostgreSQL server: %s", m ? m : "");
        free(m);
        rli_pg_close((rlb_conn *)c);
        return code;
    }
    c->cancel = PQgetCancel(c->c);
    c->notice_next = PQsetNoticeReceiver(c->c, on_notice, c);
    /* replica sessions skip the key triggers: such a connection cannot keep the promise */
    bool replica = replica_role(c) == 1;
    if (replica || session_setup(c) != RLB_OK ||
        (o->profile == RL_PROFILE_TEST && !private_db && test_schema(c) != RLB_OK)) {
        int code = replica ? rli_open_fail(errbuf, errlen, RL_EREFUSED,
                                           "Refused: this PostgreSQL session has "
                                           "session_replication_role = replica, under which "
                                           "foreign keys are not enforced.")
                           : rli_open_fail(errbuf, errlen, RL_ECANTOPEN,
                                           "Could not set up the PostgreSQL session: %s",
                                           c->err.message ? c->err.message : "");
        rli_pg_close((rlb_conn *)c);
        return code;
    }
    int code = o->replicas ? rli_pg_replicas_open(c, o->replicas, o->replica_max_lag_ms, mode,
                                                  errbuf, errlen)
                           : RL_OK;
    if (code != RL_OK) {
        rli_pg_close((rlb_conn *)c);
        return code;
    }
    *out = (rlb_conn *)c;
    return RL_OK;
}

bool rli_pg_in_transaction(pg_conn *c)
{
    if (c->broken) return c->lost_txn;
    PGTransactionStatusType t = PQtransactionStatus(c->c);
    if (t == PQTRANS_UNKNOWN) return c->txn_known != PQTRANS_IDLE; /* lost, not yet noticed */
    return t == PQTRANS_INTRANS || t == PQTRANS_INERROR || t == PQTRANS_ACTIVE;
}

bool rli_pg_in_transaction_of(rlb_conn *cc)
{
    return rli_pg_in_transaction((pg_conn *)cc);
}

/* PostgreSQL always enforces keys: on is proved by the session not being a replica; off
 * is never granted (PostgreSQL's migrations do not need it). */
int rli_pg_set_foreign_keys(rlb_conn *cc, bool on)
{
    if (!on) return RL_EREFUSED;
    return replica_role((pg_conn *)cc) == 0 ? RL_OK : RL_ERROR;
}

/* ---- lost sessions --------------------------------------------------------------------- */

/* Whether SQLSTATE state means the server is ending the session. */
bool rli_pg_session_ending(const char *state)
{
    return strncmp(state, "08", 2) == 0 || strcmp(state, "25P03") == 0 ||
           (strncmp(state, "57P0", 4) == 0 && state[4] >= '1' && state[4] <= '5' && !state[5]);
}

static tx_word tx_word_of(const char *sql)
{
    const char *p = sql;
    char *w = rli_pg_next_word(&p), *next = w ? rli_pg_next_word(&p) : NULL;
    while (next && (strcmp(next, "work") == 0 || strcmp(next, "transaction") == 0)) {
        free(next);
        next = rli_pg_next_word(&p);
    }
    bool prepared = next && strcmp(next, "prepared") == 0;
    tx_word k = TX_OTHER;
    if (w && !prepared && (strcmp(w, "commit") == 0 || strcmp(w, "end") == 0))
        k = TX_COMMIT;
    else if (w && !prepared && (strcmp(w, "rollback") == 0 || strcmp(w, "abort") == 0))
        k = next && strcmp(next, "to") == 0 ? TX_ROLLBACK_TO : TX_ROLLBACK;
    free(w);
    free(next);
    return k;
}

/* The first line of libpq's message, without its "FATAL:  ", as the reason. */
static void reason_from_libpq(pg_conn *c)
{
    const char *m = PQerrorMessage(c->c);
    if (strncmp(m, "FATAL:  ", 8) == 0) m += 8;
    int n = (int)strcspn(m, "\n");
    while (n > 0 && m[n - 1] == ' ')
        n--;
    snprintf(c->reason, sizeof c->reason, "%.*s", n, n ? m : "the connection is closed");
}

/* The session is gone, found by a statement that was sent (r: its result, or NULL): why, and
 * how it was lost, with the transaction it was in.  The first finding stands. */
void rli_pg_lost(pg_conn *c, const PGresult *r)
{
    const char *primary = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (primary)
        snprintf(c->reason, sizeof c->reason, "%s", primary);
    else if (!c->reason[0]) /* else the server's last word, kept by on_notice */
        reason_from_libpq(c);
    free(c->err.message);
    c->err.message = strdup(c->reason);
    if (c->broken) return;
    tx_word k = c->sending ? tx_word_of(c->sending) : TX_OTHER;
    bool in_txn = c->txn_known != PQTRANS_IDLE;
    c->broken = true;
    c->lost_txn = in_txn && k != TX_COMMIT && k != TX_ROLLBACK;
    c->lost = in_txn ? k == TX_COMMIT ? PG_LOST_AT_COMMIT : PG_LOST_IN_TXN
              : c->sending && !rli_pg_reads_only(c->sending) ? PG_LOST_WRITING
                                                             : PG_LOST_RUNNING;
}

/* A statement that cannot go: c's last error says how (the reason of the loss). */
static int cannot_go(pg_conn *c, pg_lost how)
{
    rli_pg_error_clear(&c->err);
    snprintf(c->err.sqlstate, sizeof c->err.sqlstate, "08006");
    c->err.message = strdup(c->reason);
    c->lost = how;
    return PG_FAIL_CONN;
}

/* Whether c has sent nothing outside a transaction for a while (10 ms) before now: only then
 * is its socket asked whether the server ended the session, which costs a system call.  A
 * session ended within that time is found by the statement that is sent, and reported; a
 * server that restarts takes longer than that. */
static bool quiet_for_a_while(pg_conn *c)
{
#ifdef CLOCK_MONOTONIC_COARSE
    const clockid_t clock = CLOCK_MONOTONIC_COARSE; /* a few ms exact, and cheaper */
#else
    const clockid_t clock = CLOCK_MONOTONIC;
#endif
    struct timespec t;
    clock_gettime(clock, &t);
    int64_t ms = (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
    bool quiet = ms - c->idle_sent_ms >= 10;
    c->idle_sent_ms = ms;
    return quiet;
}

/* Whether the server has ended c's idle session, asked of the socket without waiting: an
 * idle session receives nothing unless its server ends it (its last word, then the end of
 * the stream), and what arrives is read and parsed (a last word reaches on_notice). */
static bool session_ended(pg_conn *c)
{
    for (int i = 0; i < 4 && PQstatus(c->c) == CONNECTION_OK; i++) {
        struct pollfd p = {.fd = PQsocket(c->c), .events = POLLIN};
        if (poll(&p, 1, 0) <= 0) break;
        if (!PQconsumeInput(c->c)) break;
        PQisBusy(c->c);
    }
    return PQstatus(c->c) != CONNECTION_OK;
}

/* A new session in place of a lost one (see the head of this file); RLB_OK, or a failure code with
 * c's last error set. */
static int reconnect(pg_conn *c)
{
    c->reconnecting = true;
    c->streaming = NULL;
    c->reason[0] = '\0';
    PQreset(c->c);
    int rc = RLB_OK;
    if (PQstatus(c->c) != CONNECTION_OK) {
        reason_from_libpq(c);
        rc = cannot_go(c, PG_LOST_UNREACHABLE);
    } else {
        c->gen++;
        PGcancel *fresh = PQgetCancel(c->c), *old;
        pthread_mutex_lock(&c->cancel_lock);
        old = c->cancel;
        c->cancel = fresh;
        pthread_mutex_unlock(&c->cancel_lock);
        if (old) PQfreeCancel(old);
        int replica = replica_role(c);
        if (replica == 1) {
            rli_pg_error_clear(&c->err);
            c->err.message = strdup("the new session has session_replication_role = replica, "
                                    "under which foreign keys are not enforced");
            rc = PG_FAIL_REFUSED;
        } else if (replica != 0 || (rc = session_setup(c)) != RLB_OK) {
            if (!c->reason[0]) reason_from_libpq(c);
            rc = cannot_go(c, PG_LOST_UNREACHABLE);
        }
    }
    if (rc == RLB_OK) {
        c->broken = false;
        c->txn_known = PQTRANS_IDLE;
    } else {
        c->broken = true;
    }
    c->reconnecting = false;
    return rc;
}

/* A statement of a transaction lost with its session (see the head of this file). */
static int in_lost_transaction(pg_conn *c, const char *sql)
{
    switch (tx_word_of(sql)) {
    case TX_ROLLBACK:
        c->lost_txn = false;
        return RLB_DONE;
    case TX_ROLLBACK_TO:
        return RLB_DONE;
    case TX_COMMIT:
        c->lost_txn = false;
        return cannot_go(c, PG_LOST_TXN_COMMIT);
    default:
        return cannot_go(c, PG_LOST_TXN_PENDING);
    }
}

int rli_pg_ready(pg_conn *c, const char *sql)
{
    if (c->reconnecting) return RLB_OK;
    if (!c->broken) {
        PGTransactionStatusType t = PQtransactionStatus(c->c);
        if (t == PQTRANS_UNKNOWN) { /* found lost by a statement that does not report it */
            c->sending = NULL;
            rli_pg_lost(c, NULL);
        } else if (t == PQTRANS_IDLE && quiet_for_a_while(c) && session_ended(c)) {
            c->broken = true; /* before anything was sent: no transaction went with it */
            c->lost_txn = false;
        } else {
            c->txn_known = t;
            c->sending = sql;
            return RLB_OK;
        }
    }
    if (c->lost_txn) return in_lost_transaction(c, sql);
    int rc = reconnect(c);
    if (rc == RLB_OK) c->sending = sql;
    return rc;
}

/* The end of a transaction lost with its session is answered at its run (rli_pg_ready), and
 * needs no server to be prepared on. */
bool rli_pg_ends_lost_transaction(pg_conn *c, const char *sql)
{
    return c->broken && c->lost_txn && tx_word_of(sql) != TX_OTHER;
}

/* A ROLLBACK that lost its session: the transaction is rolled back all the same. */
bool rli_pg_rolled_back(pg_conn *c, const char *sql, int rc)
{
    return rc == PG_FAIL_CONN && c->lost != PG_LOST_UNREACHABLE && tx_word_of(sql) == TX_ROLLBACK;
}

/* ---- running SQL text ------------------------------------------------------------------ */

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
    rli_pg_traced(c, sql);
    PGresult *r = n ? PQexecParams(c->c, sql, n, NULL, params, NULL, NULL, 0) : PQexec(c->c, sql);
    ExecStatusType s = PQresultStatus(r);
    if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) rc = rli_pg_keep_error(c, r);
    c->sending = NULL;
    if (keep && rc == RLB_OK)
        *keep = r;
    else
        PQclear(r);
    if (rli_pg_rolled_back(c, sql, rc)) rc = RLB_OK;
    if (c->rep && rc == RLB_OK) rli_pg_after(c, sql, rli_pg_reads_only(sql));
    return rc;
}

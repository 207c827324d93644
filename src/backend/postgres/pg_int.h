/*
 * The PostgreSQL backend's internal declarations, shared by the files of
 * src/backend/postgres/.  Only this folder includes <libpq-fe.h>.
 */
#ifndef REFLITE_PG_INT_H
#define REFLITE_PG_INT_H

#include "core/db.h"

#include <libpq-fe.h>
#include <pthread.h>

/* Failure codes of step, exec and prepare (any int but RLB_OK/ROW/DONE): the class of the
 * SQLSTATE, so that maybe_fk can tell a key failure from the code alone. */
enum {
    PG_FAIL = 1,      /* any other failure; the connection's last error says which */
    PG_FAIL_FK,       /* 23503 foreign_key_violation */
    PG_FAIL_UNIQUE,   /* 23505 unique_violation */
    PG_FAIL_NOTNULL,  /* 23502 not_null_violation */
    PG_FAIL_CHECK,    /* 23514 check_violation */
    PG_FAIL_BUSY,     /* 40P01 deadlock, 55P03 lock not available, 40001 serialization */
    PG_FAIL_CONN,     /* the session is gone, or cannot be made again (conn.c: lost sessions) */
    PG_FAIL_TYPE,     /* class 22 (data exception), 42804: a value the column's type cannot hold */
    PG_FAIL_MISUSE,   /* a statement while a cursor streams rows on the connection */
    PG_FAIL_CANCELED, /* 57014 query_canceled (rl_interrupt) */
    PG_FAIL_REFUSED,  /* a session made again runs as a replica: keys would not hold */
    PG_FAIL_SCHEMA,   /* 42P01 undefined_table, 42703 undefined_column */
};

/* How the session of the last PG_FAIL_CONN was lost, for its sentence (errors.c). */
typedef enum pg_lost {
    PG_LOST_RUNNING,     /* during a statement that only reads, outside a transaction */
    PG_LOST_WRITING,     /* during a statement that may write, outside a transaction */
    PG_LOST_IN_TXN,      /* during a statement inside a transaction, which went with it */
    PG_LOST_AT_COMMIT,   /* during COMMIT: whether it committed is unknown */
    PG_LOST_UNREACHABLE, /* it was lost before, and a new one cannot be made now */
    PG_LOST_TXN_PENDING, /* a statement in a transaction lost before: roll it back first */
    PG_LOST_TXN_COMMIT,  /* COMMIT of a transaction lost before: it was not committed */
} pg_lost;

/* The last failure on a connection, from the server's structured fields. */
typedef struct pg_error {
    char sqlstate[6];
    char *message, *detail, *hint, *table, *column, *constraint; /* malloc'd, or NULL */
} pg_error;

typedef struct pg_conn {
    PGconn *c;
    uint64_t next_name; /* prepared statements are named rl_1, rl_2...: per connection */
    int64_t changes;
    pg_error err;
    char *test_schema;       /* the test profile's private schema, dropped at close; or NULL */
    struct rlb_stmt *setval; /* key_given's statement, prepared on first use */
    void *streaming;         /* the statement whose rows are coming one at a time, or NULL */
    void *trace_ctx;  /* rl_trace is on: statements are told to rli_backend_traced(trace_ctx) */
    PGcancel *cancel; /* for rl_interrupt, from any thread (PQcancel is thread-safe) */

    /* Lost sessions (conn.c). */
    pthread_mutex_t cancel_lock; /* held while cancel is used, or renewed for a new session */
    uint64_t gen;                /* the session's number: a statement prepared on an older one
                                    is prepared again at its next run */
    bool broken;                 /* the session is gone: the next statement makes a new one... */
    bool lost_txn;     /* ...unless a transaction went with it and the caller has not ended it */
    bool reconnecting; /* a new session is being set up: its statements go straight through */
    pg_lost lost;      /* how the last PG_FAIL_CONN came about */
    PGTransactionStatusType txn_known; /* the transaction state last known (before a send) */
    const char *sending;               /* the statement being sent, while it is */
    int64_t idle_sent_ms;              /* when a statement was last sent outside a transaction */
    char reason[256];                  /* why the session was lost (the server's last word) */
    PQnoticeReceiver notice_next;      /* libpq's receiver, for the notices that are not that */
    int lock_ms;                       /* the settings of the open, made again on a new session */
    bool read_only;

    /* Poolers (conn.c; set up in session.c). */
    bool unnamed;    /* statements are unnamed, described and run in one round trip each */
    bool pooled;     /* known to be behind a transaction pooler: no session settings */
    bool auto_prep;  /* RL_PREPARED_AUTO: named until the server does not know one */
    char prefix[20]; /* named statements are rl_<prefix>_1...: no other connection's names */
    char *test_db;   /* through a pooler, the test profile's private database, or NULL... */
    char *admin_url; /* ...and the URL it was made from, to drop it at close */

    /* Read replicas (replica.c). */
    struct pg_replicas *rep; /* a primary's replicas and positions, or NULL */
    bool standby;            /* a session on a replica: its test_schema is the primary's */
} pg_conn;

/* ---- read replicas (replica.c) ----------------------------------------------------------- */

/* Open a session on each replica of list (URLs separated by spaces) for primary c, reads going
 * to one that is at most max_lag_ms behind (0: 10000; negative: no limit).  RL_OK, or an RL_E
 * code with a sentence in errbuf (a URL libpq cannot read, out of memory); a replica that
 * cannot be reached now is tried again later, its reads going to the primary meanwhile. */
int rli_pg_replicas_open(pg_conn *c, const char *list, int max_lag_ms, rl_prepared mode,
                         char *errbuf, size_t errlen);
void rli_pg_replicas_close(pg_conn *c);
/* A session on the replica at url for primary c (session.c): connected (or left broken, to be
 * tried again at its first statement), set up as c is, statements unnamed. */
pg_conn *rli_pg_standby_open(pg_conn *c, const char *url, rl_prepared mode);
/* The replica session a statement that only reads should run on now, or NULL: the primary. */
pg_conn *rli_pg_reader(pg_conn *c);
/* A replica session r failed a read with rc: left alone for a while. */
void rli_pg_reader_failed(pg_conn *c, pg_conn *r);
/* A statement sql ran on the primary c (read: it only reads); outside a transaction after a
 * write, the position of the write is read. */
void rli_pg_after(pg_conn *c, const char *sql, bool read);
/* Whether sql only reads (SELECT, WITH without a write, SHOW, TABLE, VALUES), so that a
 * replica may run it. */
bool rli_pg_reads_only(const char *sql);
int rli_pg_position(rlb_conn *cc, char *buf, size_t len);
/* The number of c's replicas, and the session on the i-th. */
size_t rli_pg_replica_count(const pg_conn *c);
pg_conn *rli_pg_replica_at(const pg_conn *c, size_t i);
int rli_pg_read_after(rlb_conn *cc, const char *position);

/* A statement (conn.c; its columns read in columns.c). */
typedef struct pg_stmt {
    pg_conn *conn; /* where it runs: home, or for a read, a replica of home's (replica.c) */
    pg_conn *home; /* the connection it was prepared on */
    bool reads;    /* it only reads: a replica may run it */
    char name[48];
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

static inline pg_stmt *st_of(rlb_stmt *s)
{
    return (pg_stmt *)s;
}

/* The backend's column readers (columns.c). */
bool rli_pg_column_null(rlb_stmt *s, int col);
int64_t rli_pg_column_int64(rlb_stmt *s, int col);
double rli_pg_column_double(rlb_stmt *s, int col);
const char *rli_pg_column_text(rlb_stmt *s, int col, size_t *len);
const void *rli_pg_column_blob(rlb_stmt *s, int col, size_t *len);
int rli_pg_column_count(rlb_stmt *s);
const char *rli_pg_column_name(rlb_stmt *s, int col);
int rli_pg_read_row(rlb_stmt *s, const struct model_info *mi, void *row, int col, struct arena *a);
/* step s (the backend's step) and, on a row, read it into row (the backend's next_row). */
int rli_pg_step_and_read(rlb_stmt *s, int (*step)(rlb_stmt *), const struct model_info *mi,
                         void *row, struct arena *a);

/* Drop the test profile's private database of c (after c's connection is closed). */
void rli_pg_drop_test_database(pg_conn *c);

/* Take prepared_statements=on|off|auto out of the URL target (a new string in *url) into
 * *mode (left as it is when the URL does not say); false when its value is none of these. */
bool rli_pg_url_prepared(const char *target, char **url, rl_prepared *mode);
/* Set up how c prepares statements, once connected: mode, and the pooler's look. */
void rli_pg_prepared_setup(pg_conn *c, rl_prepared mode);

/* ---- sessions (session.c) --------------------------------------------------------------- */

/* The backend's open, close (conn.c), in_transaction and set_foreign_keys. */
int rli_pg_open(rlb_conn **out, const char *target, const rl_options *o, char *errbuf,
                size_t errlen);
void rli_pg_close(rlb_conn *c);
bool rli_pg_in_transaction_of(rlb_conn *c);
int rli_pg_set_foreign_keys(rlb_conn *c, bool on);
/* The one-value result of sql as text (malloc'd), or NULL. */
char *rli_pg_scalar_text(pg_conn *c, const char *sql);
/* Whether SQLSTATE state means the server is ending the session. */
bool rli_pg_session_ending(const char *state);
/* A failure (of result r, or NULL) found c's session gone: why, how, and whether a
 * transaction went with it (the first finding stands). */
void rli_pg_lost(pg_conn *c, const PGresult *r);
/* Whether sql ends a transaction lost with c's session (it needs no server to be prepared). */
bool rli_pg_ends_lost_transaction(pg_conn *c, const char *sql);
/* Whether sql, which failed with rc, is a ROLLBACK that lost its session: the transaction is
 * rolled back all the same (a success). */
bool rli_pg_rolled_back(pg_conn *c, const char *sql, int rc);
/* Before sql (of reflite or raw) goes to the server on c: RLB_OK to send it, RLB_DONE when it
 * was answered here (the ROLLBACK of a transaction lost with the session), or PG_FAIL_CONN
 * (kept as c's last error) when it cannot go.  A lost session is made again here. */
int rli_pg_ready(pg_conn *c, const char *sql);
/* Whether c is inside a transaction, also one lost with its session and not yet ended. */
bool rli_pg_in_transaction(pg_conn *c);

/* RLB_OK, or PG_FAIL_MISUSE (kept as c's last error) while another statement than self
 * streams its rows on c: libpq runs one statement at a time. */
int rli_pg_not_busy(pg_conn *c, const void *self);

/* A statement's text as it starts to run on c, told to rl_trace's function when it is on. */
static inline void rli_pg_traced(const pg_conn *c, const char *sql)
{
    if (c->trace_ctx) rli_backend_traced(c->trace_ctx, sql);
}

static inline pg_conn *rli_pg(const rl_db *db)
{
    return (pg_conn *)db->conn;
}

/* Keep the failure of result r (NULL: of the connection itself) as c's last error and
 * return its failure code. */
int rli_pg_keep_error(pg_conn *c, const PGresult *r);
void rli_pg_error_clear(pg_error *e);

/* ---- SQL text from outside (sqltext.c) ------------------------------------------------ */

/* The first statement of sql with SQLite's placeholders (?, ?NNN) written as $N, in *out
 * (malloc'd); *tail: where the next statement starts.  Quotes, dollar quotes and comments
 * are skipped.  Returns false with *why set (a static sentence) for text that would switch
 * keys off (session_replication_role, DISABLE TRIGGER) or is out of memory. */
bool rli_pg_translate(const char *sql, char **out, const char **tail, const char **why);
/* The next word of sql at *p (an identifier, "quoted" or bare and then as written, else
 * lower-cased; schema-qualified parts joined with '.'), after blanks and comments; malloc'd,
 * or NULL when none follows.  *p moves past it. */
char *rli_pg_next_word(const char **p);
/* Whether text holds only blanks and comments. */
bool rli_pg_blank(const char *sql);

/* Run sql (no parameters) on c, keeping any failure as c's last error; RLB_OK or a failure
 * code.  keep: receives the result on success (PQclear it; NULL for a statement answered
 * without the server, see rli_pg_ready), or NULL.  Every statement goes through rli_pg_ready. */
int rli_pg_run(pg_conn *c, const char *sql, PGresult **keep);
/* rli_pg_run with text parameters $1..$n (NULL: SQL NULL). */
int rli_pg_query(pg_conn *c, const char *sql, int n, const char *const *params, PGresult **keep);

/* ---- bulk loads (copyin.c) -------------------------------------------------------------- */

/* v as PostgreSQL reads it back to the same double: rli_real_text, with NaN, Infinity and
 * -Infinity spelled as PostgreSQL does. */
void rli_pg_real_text(double v, char out[32]);
int rli_pg_bulk_load(rlb_conn *cc, const char *sql, int ncols, rlb_row_fn next, void *ctx);
char *rli_pg_index_columns(rlb_conn *cc, const char *table, const char *index);

/* ---- errors (errors.c) ------------------------------------------------------------------ */

int rli_pg_fail(rlb_conn *c, rlb_stmt *s, int rc, const char *op, const rlb_keys *keys, err_rec *r);
/* The same on a connection's own error, with no model keys (the migrator's). */
static inline int rli_pg_db_fail(rl_db *db, int rc, const char *op)
{
    return rli_pg_fail(db->conn, NULL, rc, op, NULL, &db->e);
}
bool rli_pg_maybe_fk(int rc);
void rli_pg_failed_note(rlb_conn *c, err_rec *r);
const char *rli_pg_errmsg(rlb_conn *c);
bool rli_pg_failed_key(rlb_conn *c, const char **table, const char **constraint);
int rli_pg_diag_parent(rlb_conn *c, const char *table, const char *column, const rl_value *value,
                       const char *op, bool is_delete, const rlb_keys *keys, err_rec *r);
char *rli_pg_statement_op(rlb_conn *c, const char *sql);

/* ---- schemas, migrations, rl_check (introspect.c, plan.c, apply.c) ------------------- */

struct sch_column;
struct sch_constraint;
struct sch_table;

int rli_pg_introspect(rlb_conn *c, struct schema *out, const char *op, err_rec *err);
/* A column's definition as CREATE TABLE / ADD COLUMN write it; a table constraint as
 * "CONSTRAINT name def". */
void rli_pg_column_def(strbuf *b, const struct sch_column *col);
void rli_pg_constraint_def(strbuf *b, const struct sch_constraint *k);
/* The table's CREATE statement, written from what was read (with its keys, or without them
 * for a plan that adds them once every table exists): how `reflite schema` shows it, and a
 * text load_schema reads back to the same value.  malloc'd, or NULL. */
char *rli_pg_table_sql(const struct sch_table *t, bool keys);
/* The origin (origin_table, origin_column) of each column of view v (relation oid, digits):
 * the table of namespace nsp whose column it shows as it is, through views over views
 * (vieworigin.c); RLB_OK, also for columns without one, or a failure code. */
struct sch_object;
int rli_pg_view_origins(pg_conn *c, const char *oid, const char *nsp, struct sch_object *v);

/* A row of table whose key (constraint conname) has no parent. */
typedef struct pg_orphan {
    const char *table, *row; /* row: "id = 2", or "ctid (0,2)" without a one-column key */
    const char *from, *parent, *to, *value; /* columns comma-separated; value as SQL literals */
    int64_t rowid;                          /* the row's integer key, or 0 */
} pg_orphan;
/* Call fn (nonzero: stop) for each row of table whose key conname has no parent, at most
 * limit rows (0: all); RLB_OK or a failure code.  *found (may be NULL): rows reported. */
int rli_pg_orphans(pg_conn *c, const char *table, const char *conname, int64_t limit,
                   int (*fn)(const pg_orphan *o, void *ctx), void *ctx, int64_t *found);
/* "notes row id = 2: owner = 42 has no matching row in users(id)" */
void rli_pg_orphan_text(strbuf *b, const pg_orphan *o);
int rli_pg_load_schema(rl_db *db, const char *sql, struct schema *out);
struct sch_diff;
int rli_pg_plan(rl_db *db, const struct schema *cur, const struct schema *tgt,
                const struct sch_diff *d, struct rl_plan *p);
int rli_pg_apply(rl_db *db, const struct rl_plan *p, const rl_migrate_options *opts);
int rli_pg_check(rl_db *db, const rl_check_options *opts, rl_finding_fn fn, void *ctx,
                 int64_t *count);

#endif

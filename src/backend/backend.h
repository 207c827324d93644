/*
 * The backend interface: what the engine-neutral core asks of a database engine.
 *
 * A backend is a constant, versioned table of function pointers (rl_backend).  A connection
 * holds the table of the engine it was opened on (db->be) and the engine's own connection
 * (db->conn, opaque to the core); every statement the core runs goes through the table:
 * prepare, bind, step, read columns, reset, finalize.  The core never names an engine's
 * types or calls an engine's functions, so a second engine is a second table in its own
 * folder (src/backend/<engine>/) plus its SQL dialect, and nothing else changes.
 *
 * Conventions for every callback:
 *  - "must": the core calls it unconditionally; a backend leaves no such pointer NULL.
 *  - "may": the pointer can be NULL and the core then does without (documented per entry).
 *  - Engine result codes: step, exec and prepare return RLB_OK, RLB_ROW or RLB_DONE, or the
 *    engine's own failure code (any other positive int).  The core never interprets a failure code:
 * it hands it back to fail(), which turns it into an RL_E* error with a sentence.  (The values of
 * RLB_OK/ROW/DONE equal SQLite's so that its backend passes codes through unchanged; any other
 * backend maps its results to them.)
 *  - Text passed in (SQL, bound strings) is borrowed for the duration of the call, except a
 *    bound string or blob, which must stay valid until the statement is reset or rebound.
 *  - Text handed out (column_text, column_blob, errmsg) stays valid until the next step,
 *    reset or finalize of that statement (for errmsg: the next call on the connection).
 *  - A connection to a server can be lost (a restart).  The backend then makes a new session
 *    by itself, before a statement outside a transaction, set up as open did; every statement
 *    it handed out before stays usable (prepared again on the new session as needed), so that
 *    the core's caches need not know.  A failure that finds the session lost maps to
 *    RL_EDISCONNECTED.  A transaction lost with its session stays "in transaction" until it
 *    is ended: every statement fails (RL_EDISCONNECTED) but ROLLBACK, which succeeds, and
 *    ROLLBACK TO a savepoint, which succeeds too; COMMIT fails and ends it.  Nothing meant for
 *    that transaction may run on the new session.
 *
 * A backend has two halves, each a table of its own with its own version, after libgit2's
 * git_refdb_backend:
 *  - the engine (rl_backend): connections, statements, transactions, errors, introspection;
 *    every callback takes the backend's own connection (rlb_conn) or statement, never the
 *    core's rl_db: errors are worded into the error record handed in (struct err_rec), and
 *    what only the core knows (the models' keys) is asked through rlb_keys;
 *  - the migrator (rl_migrator, below; rl_backend.migrator): loading a schema text, carrying
 *    out the engine-neutral diff of src/migrate/diff.c (plan: native ALTER, rebuild, DROP/ADD
 *    CONSTRAINT ... NOT VALID + VALIDATE, and what data each step could lose), applying a plan
 *    and checking a database (rl_check).
 * rl_open checks both versions and every "must" callback of both (rli_backend_check).
 */
#ifndef REFLITE_BACKEND_H
#define REFLITE_BACKEND_H

#include "reflite.h"

#include <stddef.h>
#include <stdint.h>
#include <strings.h>

/* Bumped whenever a callback is added, removed or changes its contract (9: the migrator's
 * callbacks moved to a table of their own; 10: open, trace, statement_op and index_columns
 * take the backend's connection, not the core's rl_db; 11: key_given and bulk_load too; 12:
 * prepare_raw, fail, failed_note, diag_parent and introspect too, wording failures into the
 * error record they are handed, with the models' keys asked through rlb_keys). */
#define RLB_VERSION 12

enum { RLB_OK = 0, RLB_ROW = 100, RLB_DONE = 101 };

struct schema;                    /* core/schema.h */
struct rl_plan;                   /* migrate/migrate.h */
struct sch_diff;                  /* migrate/migrate.h */
struct model_info;                /* core/model.h */
struct arena;                     /* base/base.h */
struct rl_dialect;                /* sql/render.h */
struct err_rec;                   /* core/error.h: an error record, filled by rli_rec_* */
typedef struct rlb_conn rlb_conn; /* an engine's connection handle */
typedef struct rlb_stmt rlb_stmt; /* an engine's prepared statement */

/* The rows of a bulk load, one per call: fill vals[0..n-1] (valid until the next call) and
 * return 1, or 0 when there are no more, or a negative RL_E... code to stop the load. */
typedef int (*rlb_row_fn)(void *ctx, rl_value *vals);
/* What the core's models declare of a one-column key that the engine names by its table and
 * constraint (strings valid during the call that asked). */
typedef struct rlb_key {
    const char *child_column;
    const char *parent_table; /* NULL when no model of the parent is known */
    const char *parent_column;
    rl_action on_delete, on_update; /* as the DDL spells them: never RL_ACTION_DEFAULT */
} rlb_key;
/* How a backend asks the core about a key a failure named: find fills out and returns true when
 * a model declares constraint of table as a one-column key, else false.  The engine's catalog
 * knows every key, but PostgreSQL cannot be asked inside a transaction a failure aborted. */
typedef struct rlb_keys {
    bool (*find)(void *ctx, const char *table, const char *constraint, rlb_key *out);
    void *ctx;
} rlb_keys;

/* What a backend calls with a statement's text as it starts to run, with the context its
 * trace callback was given (core/db.c). */
void rli_backend_traced(void *ctx, const char *sql);

typedef struct rl_backend {
    int version;      /* RLB_VERSION */
    const char *name; /* "sqlite" */
    /* must: how the engine spells SQL (src/sql/render.h). */
    const struct rl_dialect *dialect;

    /* ---- connections -------------------------------------------------------------- */

    /* must: open target with the resolved options (o->profile is never FROM_ENV), switch
     * foreign keys on and prove they are on; the connection into *out.  On failure write a
     * sentence to errbuf, leave *out NULL, return an RL_E* code. */
    int (*open)(rlb_conn **out, const char *target, const rl_options *o, char *errbuf,
                size_t errlen);
    /* must: close c (NULL is a no-op); every statement has been finalized before. */
    void (*close)(rlb_conn *c);
    /* must: whether c is inside a transaction (begun by reflite or by raw SQL), also one lost
     * with the connection and not yet ended. */
    bool (*in_transaction)(rlb_conn *c);
    /* must: run sql (possibly several statements of reflite's own, no parameters). */
    int (*exec)(rlb_conn *c, const char *sql);
    /* must: switch foreign-key enforcement on or off outside a transaction and read it
     * back: RL_OK only when it took effect. */
    int (*set_foreign_keys)(rlb_conn *c, bool on);

    /* ---- statements --------------------------------------------------------------- */

    /* must: compile one statement of reflite's own.  persistent: it will be kept and reused
     * (a hint).  *out is NULL on failure. */
    int (*prepare)(rlb_conn *c, const char *sql, bool persistent, rlb_stmt **out);
    /* must: compile the first statement of text that did not come from reflite, refusing
     * anything that would switch foreign keys or constraints off (then return -1 with the
     * refusal worded into err).  Any other failure: its code, for fail().  *tail: where the
     * next statement starts.  *out NULL for text that holds only blanks or comments. */
    int (*prepare_raw)(rlb_conn *c, const char *sql, rlb_stmt **out, const char **tail,
                       struct err_rec *err);
    /* must: free s (NULL is a no-op). */
    void (*finalize)(rlb_stmt *s);
    /* must: make s ready to run again; bindings stay. */
    void (*reset)(rlb_stmt *s);
    /* may: set every parameter of s back to NULL (NULL: the core rebinds every parameter
     * before each run anyway). */
    void (*clear_bindings)(rlb_stmt *s);
    /* must: bind v to parameter idx (1-based). */
    int (*bind)(rlb_stmt *s, int idx, const rl_value *v);
    /* must: bind an integer (the hot case of bind, kept separate for speed). */
    int (*bind_int64)(rlb_stmt *s, int idx, int64_t v);
    /* must: run s to its next row: RLB_ROW, RLB_DONE or a failure code. */
    int (*step)(rlb_stmt *s);
    /* must: column reads of the current row (col 0-based).  column_null tells NULL apart;
     * the others convert as the engine does (NULL reads as 0, "" or an empty blob). */
    bool (*column_null)(rlb_stmt *s, int col);
    int64_t (*column_int64)(rlb_stmt *s, int col);
    double (*column_double)(rlb_stmt *s, int col);
    /* NUL-terminated text and, when len is not NULL, its length in bytes; NULL for a NULL
     * column. */
    const char *(*column_text)(rlb_stmt *s, int col, size_t *len);
    const void *(*column_blob)(rlb_stmt *s, int col, size_t *len);
    /* may: the type of the value in column col of the current row, where each value has a
     * type of its own (SQLite).  NULL: every value has its column's declared type. */
    rl_vtype (*column_type)(rlb_stmt *s, int col);
    /* must: the number of columns a row of s has, and the name of column col (valid until
     * s is finalized; NULL when out of memory). */
    int (*column_count)(rlb_stmt *s);
    const char *(*column_name)(rlb_stmt *s, int col);
    /* may: read the current row of s from column col on into row, a struct of mi's model,
     * exactly as the core would column by column (core/fieldread.h: instantiate its template
     * with the engine's own calls).  NULL: the core reads through the column callbacks. */
    int (*read_row)(rlb_stmt *s, const struct model_info *mi, void *row, int col, struct arena *a);
    /* may: step s and, when it gives a row, read it from column 0 on as read_row does, in one
     * call (a cursor's loop): RLB_ROW for a row read, the step's code when there is none
     * (RLB_DONE or a failure), or the read's negative RL_E... code.  NULL: step, then read. */
    int (*next_row)(rlb_stmt *s, const struct model_info *mi, void *row, struct arena *a);
    /* may: make the next run of s hand its rows over one at a time as the engine produces
     * them, so that memory stays the same however many there are; a reset or finalize before
     * the last row discards the rest.  NULL: rows come one at a time anyway (SQLite). */
    void (*stream)(rlb_stmt *s);
    /* may: call rli_backend_traced(ctx, sql) with each statement's text as it starts to run
     * on c, from now on (ctx NULL: no more).  NULL: statements cannot be traced on this
     * engine. */
    void (*trace)(rlb_conn *c, void *ctx);
    /* may: stop the statement running on c, from any thread (rl_interrupt); the call running
     * it then fails with a code that maps to RL_EINTERRUPTED.  NULL: it cannot be stopped. */
    int (*interrupt)(rlb_conn *c);
    /* may (since version 7): the position of the last write c committed, as text, into buf
     * (len bytes; "" for none): rl_db_position.  RLB_OK, or a failure code when len is too
     * small.  NULL: no positions (""). */
    int (*position)(rlb_conn *c, char *buf, size_t len);
    /* may (since version 7): reads that follow on c wait for position (NULL: none), as
     * rl_read_after says.  RLB_OK, or a failure code for a text that is no position (reads then
     * go where every write is seen).  NULL: a no-op. */
    int (*read_after)(rlb_conn *c, const char *position);
    /* may: a statement of reflite's own giving one row of one integer that changes whenever
     * the schema of the tables the connection sees changes (rl_schema_version); NULL: the
     * engine has none, and rl_schema_version fails with RL_EMISUSE. */
    const char *schema_version_sql;
    /* must: the text s was prepared from. */
    const char *(*statement_sql)(rlb_stmt *s);
    /* must: rows changed by the last INSERT/UPDATE/DELETE on c. */
    int64_t (*changes)(rlb_conn *c);
    /* must: the key generated by the last INSERT on c (a dialect with RETURNING reads it
     * from the INSERT instead, and may return 0 here). */
    int64_t (*last_id)(rlb_conn *c);
    /* may: a row of table was inserted with its own key pk (column pk_column): make sure the
     * engine's key generator never hands out pk or anything below it.  NULL: the engine
     * does so itself (SQLite's rowid is max + 1).  RLB_OK or a failure code for fail(). */
    int (*key_given)(rlb_conn *c, const char *table, const char *pk_column, int64_t pk);
    /* may (since version 6): load rows into a table faster than one INSERT each, inside the
     * caller's transaction (PostgreSQL: COPY FROM STDIN).  sql starts the load (written by
     * src/sql/copy.c for the dialect; its columns in order); next hands over ncols values a
     * row until it returns 0.  A value goes in as itself: NULL as NULL, an integer as its
     * digits, a real as its shortest exact text, text as its bytes, a blob as its bytes (the
     * caller hands a blob only to a column of the dialect's blob type).  Returns RLB_OK, a
     * failure code for fail() (s NULL) when the engine refused a row, or next's negative
     * code; a refused load may leave the transaction failed.  NULL: the core inserts row by
     * row with a prepared INSERT. */
    int (*bulk_load)(rlb_conn *c, const char *sql, int ncols, rlb_row_fn next, void *ctx);

    /* ---- errors and foreign-key diagnosis ------------------------------------------ */

    /* must: word into err the failure code rc of statement s on c (s NULL: of exec or
     * prepare) with a sentence beginning with op, and return its RL_E* code.  A foreign-key
     * failure is diagnosed here, before anything else runs on the connection: which key, which
     * value, which parent, or which rows still refer to it (keys: what the models declare;
     * NULL: nothing).  A key failure at COMMIT (s NULL) names the violations that remain. */
    int (*fail)(rlb_conn *c, rlb_stmt *s, int rc, const char *op, const rlb_keys *keys,
                struct err_rec *err);
    /* may: after a failure on c has been worded into err, add what it did to the transaction
     * (on PostgreSQL a failure aborts the transaction it happened in). */
    void (*failed_note)(rlb_conn *c, struct err_rec *err);
    /* must: whether failure code rc may be a foreign-key failure, worth a diagnosis (SQLite
     * also reports some through a trigger's code). */
    bool (*maybe_fk)(int rc);
    /* may: the table and constraint named by the last failure on c, when the engine names
     * them (true).  NULL or false: a failed key is found by probing each key. */
    bool (*failed_key)(rlb_conn *c, const char **table, const char **constraint);
    /* must: the engine's message for the last failure on c. */
    const char *(*errmsg)(rlb_conn *c);
    /* must: after a failed delete of, or key change of, the row table(column) = value on c,
     * name the rows that still refer to it (RL_EFOREIGNKEY worded into err) or return RL_OK,
     * err untouched, when none does.  column NULL: any key into table; keys as for fail. */
    int (*diag_parent)(rlb_conn *c, const char *table, const char *column, const rl_value *value,
                       const char *op, bool is_delete, const rlb_keys *keys, struct err_rec *err);
    /* must: "insert into t" / "update t" / "delete from t" for statement text sql, asked of
     * the engine (malloc'd); NULL when it writes no table. */
    char *(*statement_op)(rlb_conn *c, const char *sql);

    /* ---- schemas ---------------------------------------------------------------------- */

    /* must: read the schema of c's database into out (zeroed by the caller) as the one schema
     * representation (core/schema.h); on failure word it into err (RL_ECORRUPT for a
     * definition that cannot be trusted) and return its code.  out is freed by the caller
     * either way. */
    int (*introspect)(rlb_conn *c, struct schema *out, const char *op, struct err_rec *err);
    /* may (since version 6): the columns of index, an index on table, comma-separated
     * (malloc'd), when it is a plain one: not unique, not partial, each key a column in
     * ascending order.  NULL for any other index, one that does not exist, or when out of
     * memory.  NULL callback: no index counts as plain (rl_copy then makes its own). */
    char *(*index_columns)(rlb_conn *c, const char *table, const char *index);

    /* ---- the other half ------------------------------------------------------------------ */

    /* must: the migrator (below): loading schema texts, planning, applying and checking. */
    const struct rl_migrator *migrator;
} rl_backend;

/*
 * The migrator: the half of a backend that changes and checks a database's schema, above the
 * engine half (rl_backend), whose statements, introspection and errors it uses.  Its own
 * version (RLM_VERSION), its own "must" and "may" as above; every callback takes the
 * connection (rl_db) it works on.
 */
#define RLM_VERSION 1

typedef struct rl_migrator {
    int version; /* RLM_VERSION */
    /* must: load schema text that may be hostile (a schema file, models' DDL) into out
     * without touching the database: nothing but schema statements may run, and nothing
     * for long; on failure set db's error (RL_EINVAL with the reason). */
    int (*load_schema)(rl_db *db, const char *sql, struct schema *out);

    /* must: fill p (src/migrate/migrate.h) with the steps that carry out diff, the changes from
     * cur to tgt (computed by src/migrate/diff.c: the backend compares no schemas itself), a
     * summary line per change, and every loss of data the steps would cause, decided by looking
     * at the data (p->loss: a flag may allow it; p->blocked: nothing can).  Runs no writing
     * statement. */
    int (*plan)(rl_db *db, const struct schema *cur, const struct schema *tgt,
                const struct sch_diff *diff, struct rl_plan *p);
    /* must: run p's steps so that the database ends at the target or is left as it was:
     * one transaction, no key action fired by the steps themselves, every foreign key checked
     * before COMMIT (a violation the plan adds refuses the whole plan, naming it), a history
     * row, progress through opts.  The core has already refused what p's loss and blocked
     * say, an empty target and a caller's open transaction. */
    int (*apply)(rl_db *db, const struct rl_plan *p, const rl_migrate_options *opts);
    /* must: rl_check_ex's work (the core has cleared the error and zeroed *count): the
     * file's own integrity, every row whose key has no parent (with its key, value and
     * parent), and the lint of the schema unless opts->no_lint, each reported through fn
     * and counted in *count. */
    int (*check)(rl_db *db, const rl_check_options *opts, rl_finding_fn fn, void *ctx,
                 int64_t *count);
} rl_migrator;

/* Whether be can serve: built for RLB_VERSION with a migrator built for RLM_VERSION, and every
 * callback either table marks "must" set.  RL_OK, or RL_EMISUSE with a sentence in errbuf
 * naming the backend and what it lacks (core/db.c; rl_open refuses an incomplete backend so). */
int rli_backend_check(const rl_backend *be, char *errbuf, size_t errlen);

/* The SQLite backend (src/backend/sqlite/). */
extern const rl_backend rli_sqlite_backend;
/* The PostgreSQL backend (src/backend/postgres/). */
extern const rl_backend rli_postgres_backend;

/* The backend a target names: a postgresql:// or postgres:// URL is PostgreSQL, anything
 * else a SQLite file (or ":memory:"). */
static inline const rl_backend *rli_backend_for(const char *target)
{
    if (strncasecmp(target, "postgresql://", 13) == 0 ||
        strncasecmp(target, "postgres://", 11) == 0)
        return &rli_postgres_backend;
    return &rli_sqlite_backend;
}

#endif

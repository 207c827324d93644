/*
 * The PostgreSQL backend's internal declarations, shared by the files of
 * src/backend/postgres/.  Only this folder includes <libpq-fe.h>.
 */
#ifndef REFLITE_PG_INT_H
#define REFLITE_PG_INT_H

#include "core/internal.h"

#include <libpq-fe.h>

/* Failure codes of step, exec and prepare (any int but RLB_OK/ROW/DONE): the class of the
 * SQLSTATE, so that maybe_fk can tell a key failure from the code alone. */
enum {
    PG_FAIL = 1,     /* any other failure; the connection's last error says which */
    PG_FAIL_FK,      /* 23503 foreign_key_violation */
    PG_FAIL_UNIQUE,  /* 23505 unique_violation */
    PG_FAIL_NOTNULL, /* 23502 not_null_violation */
    PG_FAIL_CHECK,   /* 23514 check_violation */
    PG_FAIL_BUSY,    /* 40P01 deadlock, 55P03 lock not available, 40001 serialization */
    PG_FAIL_CONN,    /* the connection is gone */
    PG_FAIL_TYPE,    /* 22P02, 22003, 42804: a value the column's type cannot hold */
};

/* The last failure on a connection, from the server's structured fields. */
typedef struct pg_error {
    char sqlstate[6];
    char *message, *detail, *table, *column, *constraint; /* malloc'd, or NULL */
} pg_error;

typedef struct pg_conn {
    PGconn *c;
    uint64_t next_name; /* prepared statements are named rl_1, rl_2...: per connection */
    int64_t changes;
    pg_error err;
    char *test_schema;       /* the test profile's private schema, dropped at close; or NULL */
    struct rlb_stmt *setval; /* key_given's statement, prepared on first use */
} pg_conn;

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
/* Whether text holds only blanks and comments. */
bool rli_pg_blank(const char *sql);

/* Run sql (no parameters) on c, keeping any failure as c's last error; RLB_OK or a failure
 * code.  keep: receives the result on success (PQclear it), or NULL. */
int rli_pg_run(pg_conn *c, const char *sql, PGresult **keep);

/* ---- errors (errors.c) ------------------------------------------------------------------ */

int rli_pg_fail(rl_db *db, rlb_stmt *s, int rc, const char *op);
bool rli_pg_maybe_fk(int rc);
void rli_pg_failed_note(rl_db *db);
const char *rli_pg_errmsg(rlb_conn *c);
bool rli_pg_failed_key(rlb_conn *c, const char **table, const char **constraint);
int rli_pg_diag_parent(rl_db *db, const char *table, const char *column, const rl_value *value,
                       const char *op, bool is_delete);
char *rli_pg_statement_op(rl_db *db, const char *sql);

/* What this backend does not do yet: each sets db's error and returns RL_EMISUSE. */
int rli_pg_introspect(rl_db *db, struct schema *out, const char *op);
int rli_pg_load_schema(rl_db *db, const char *sql, struct schema *out);
int rli_pg_plan(rl_db *db, const struct schema *cur, const struct schema *tgt, struct rl_plan *p);
int rli_pg_apply(rl_db *db, const struct rl_plan *p, const rl_migrate_options *opts);
int rli_pg_check(rl_db *db, const rl_check_options *opts, rl_finding_fn fn, void *ctx,
                 int64_t *count);

#endif

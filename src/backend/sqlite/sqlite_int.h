/*
 * The SQLite backend's internal declarations, shared by the files of src/backend/sqlite/.
 * Only this folder includes <sqlite3.h>.
 */
#ifndef REFLITE_SQLITE_INT_H
#define REFLITE_SQLITE_INT_H

#include "core/db.h"
#include "core/schema.h"

#include <pthread.h>
#include <sqlite3.h>

/* The sqlite3 handle of a connection opened on this backend. */
static inline sqlite3 *rli_sqlite_h(const rl_db *db)
{
    return (sqlite3 *)db->conn;
}
static inline sqlite3_stmt *rli_sqlite_st(rlb_stmt *s)
{
    return (sqlite3_stmt *)s;
}

/* Run a statement that returns no rows to completion, resetting it: SQLITE_DONE or a code. */
static inline int rli_sqlite_step_done(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? SQLITE_DONE : rc;
}

/* ---- errors (errors.c) ------------------------------------------------------------------ */

/* Map an SQLite result code to an RL_E* code. */
/* Settings every connection reflite opens gets at once: a double-quoted name that names no
 * column is an error, never a string (DQS off for statements and schema changes), so that a
 * column dropped under a running program cannot turn into a constant. */
/* regexp() and match() behind the REGEXP and MATCH operators (regex.c). */
void rli_sqlite_regex_functions(sqlite3 *h);

static inline void rli_sqlite_strict_names(sqlite3 *h)
{
    sqlite3_db_config(h, SQLITE_DBCONFIG_DQS_DML, 0, (int *)0);
    sqlite3_db_config(h, SQLITE_DBCONFIG_DQS_DDL, 0, (int *)0);
}

int rli_code_from_sqlite(int rc);
/* Word into r SQLite result code rc of a failed call on h, message prefixed with op. */
int rli_sqlite_word(sqlite3 *h, err_rec *r, int rc, const char *op);
/* The same on a connection's own error (the migrator's). */
static inline int rli_err_sqlite(rl_db *db, int rc, const char *op)
{
    return rli_sqlite_word(rli_sqlite_h(db), &db->e, rc, op);
}
/* The backend's fail(): diagnose a foreign-key failure of stmt (or of a COMMIT when stmt is
 * NULL), else word the failure (rli_sqlite_word). */
int rli_sqlite_fail(rlb_conn *c, rlb_stmt *stmt, int rc, const char *op, const rlb_keys *keys,
                    err_rec *r);
/* The backend's diag_parent(): rows of any table that still reference table(column) = value. */
int rli_diag_parent_change(rlb_conn *c, const char *table, const char *column,
                           const rl_value *value, const char *op, bool is_delete,
                           const rlb_keys *keys, err_rec *r);
/* The backend's statement_op(): "insert into t" / "update t" / "delete from t" (malloc'd). */
char *rli_statement_op(rlb_conn *c, const char *sql);

/* ---- the foreign keys of a table (fkkeys.c) ------------------------------------------- */

/* One foreign key of a table, every column. */
typedef struct fk_key {
    int id;
    char *parent;
    strbuf from, to; /* quoted-free comma lists for messages */
    char **fcols, **tcols;
    size_t ncols;
    rl_action on_delete, on_update;
} fk_key;

/* Every foreign key of table, implicit targets resolved to the parent's primary key. */
int rli_fk_load_keys(sqlite3 *h, const char *table, fk_key **out, size_t *nout);
void rli_fk_keys_free(fk_key *keys, size_t n);
/* Why key k of table cannot be checked (malloc'd sentence), or NULL when it can. */
char *rli_fk_problem(sqlite3 *h, const char *table, const fk_key *k);
/* The primary-key columns of table, in key order. */
int rli_sqlite_pk_columns(sqlite3 *h, const char *table, char ***out, size_t *n);
bool rli_sqlite_table_exists(sqlite3 *h, const char *name);
bool rli_sqlite_has_column(sqlite3 *h, const char *table, const char *col);
/* A column's text, copied ("" for NULL); NULL only when out of memory. */
char *rli_sqlite_dup_text(sqlite3_stmt *st, int i);
/* Append s to the array of n strings (taking s; freed on failure). */
bool rli_strs_push(char ***arr, size_t n, char *s);
void rli_strs_free(char **a, size_t n);

/* ---- foreign-key violations (fkcheck.c) --------------------------------------------------
 *
 * A violation is one row whose key has no parent, described completely: the table, the row
 * (its rowid, or its primary key for a WITHOUT ROWID table), every column of the key with
 * its value, and the parent.  Its identity (key) is all of that as one string, so sets of
 * violations are compared exactly by sorting, whatever the fkid numbering of either side.
 */
typedef struct fk_violation {
    char *table, *row;        /* row: "rowid 7" or "(a, b) = (1, 2)" */
    char *from, *parent, *to; /* key columns, comma-separated; to resolved to the parent's pk */
    char *value;              /* "99" or "(1, 9)": SQL literals */
    rl_action on_delete, on_update;
    char *ident; /* identity used for comparison */
} fk_violation;

typedef struct fk_violations {
    fk_violation *v;
    size_t n, cap;
    bool sorted;
} fk_violations;

/*
 * Every violation in the database (table == NULL) or in one table, appended to out.
 * A check that cannot run (a key to a missing column or to columns that are neither the
 * primary key nor unique: "foreign key mismatch") fails with RL_EMIGRATE-style text in
 * *problem (malloc'd, naming the key) and SQLITE_ERROR; otherwise SQLITE_OK.
 */
int rli_fkv_collect(sqlite3 *h, const char *table, fk_violations *out, char **problem);
/* rli_fkv_collect for only the tables that have a violation in like (what a comparison needs). */
int rli_fkv_collect_like(sqlite3 *h, const fk_violations *like, fk_violations *out, char **problem);
void rli_fkv_free(fk_violations *set);
/* Sort a set for rli_fkv_contains (O(n log n)). */
void rli_fkv_sort(fk_violations *set);
/* Whether set (sorted) holds a violation with x's identity: O(log n). */
bool rli_fkv_contains(const fk_violations *set, const fk_violation *x);
/* "notes rowid 2: owner = 42 has no matching row in users(id)" (malloc'd). */
char *rli_fkv_text(const fk_violation *x);
/* The detail record of x, pointing at x's strings. */
void rli_fkv_detail(const fk_violation *x, rl_fk_detail *d);
/* The names of the ordinary tables of main (no shadow, virtual or sqlite_ table), sorted;
 * free each and the array. */
int rli_main_tables(sqlite3 *h, char ***names, size_t *n);
/* Why foreign key number fkid of table cannot be checked (malloc'd), or NULL when it can. */
char *rli_fk_key_problem(sqlite3 *h, const char *table, int fkid);

/*
 * Run exactly one statement of text that did not come from reflite (a stored CREATE, a
 * schema file's statement): trailing text other than spaces, comments and ';' is refused
 * (SQLITE_ERROR with *err set), so nothing hidden after the statement ever runs.
 */
int rli_exec_one(sqlite3 *h, const char *sql, char **err);

/*
 * A scratch in-memory database for loading schema text that may be hostile: an authorizer
 * allows only schema statements on "main" (no ATTACH, no pragma but foreign_keys, no
 * extension loading, no DML) and a progress handler stops any statement after a few seconds.
 */
typedef struct scratch {
    sqlite3 *h;
    unsigned long ticks; /* progress handler calls */
    bool timed_out;
    char *denied;    /* what the authorizer refused (malloc'd) */
    char *functions; /* the engine's own functions a schema may call: ",name,name," */
} scratch;
int rli_scratch_open(scratch *s);
void rli_scratch_close(scratch *s);
/* Run every statement of sql, one by one, under the guards; *err gets a sentence on failure. */
int rli_scratch_load(scratch *s, const char *sql, char **err);

/* Bind an rl_value to parameter idx (1-based). */
int rli_sqlite_bind(sqlite3_stmt *st, int idx, const rl_value *v);

/* ---- schema (introspect.c, tokenize.c) ---------------------------------------------------- */

/* Read the schema of the database behind h into out (SQLITE_OK, or a result code). */
int rli_schema_load(sqlite3 *h, schema *out);
/* Why a stored definition in sqlite_schema cannot be trusted (malloc'd), or NULL. */
char *rli_schema_stored_problem(sqlite3 *h);
/* The backend's introspect(). */
int rli_sqlite_introspect(rlb_conn *c, schema *s, const char *op, err_rec *r);
/* Backend index_columns: the key columns of a plain index, comma-separated (malloc'd). */
char *rli_sqlite_index_columns(rlb_conn *c, const char *table, const char *index);
/* Length of the first complete statement of sql (through its ';' if any). */
size_t rli_sql_statement_end(const char *sql);
/* Whether only blanks (and comments) follow offset i of sql. */
bool rli_sql_blank_after(const char *sql, size_t i);
/* The normal form of an SQL statement (malloc'd). */
char *rli_sql_normalize(const char *sql);
/* Offset just past the object name of a CREATE TABLE statement. */
size_t rli_sql_name_end(const char *sql);
/* The top-level items (column definitions and table constraints) of a CREATE TABLE. */
int rli_sql_table_items(const char *sql, char ***out, size_t *n);
/* A token of SQLite's SQL text: its kind and byte range (tokenize.c). */
typedef enum rli_tok_kind {
    RLI_TOK_END,
    RLI_TOK_WORD,      /* a keyword or a plain identifier */
    RLI_TOK_QUOTED_ID, /* "x", `x`, [x] */
    RLI_TOK_STRING,    /* 'x' */
    RLI_TOK_NUMBER,
    RLI_TOK_PUNCT
} rli_tok_kind;
typedef struct rli_tok {
    rli_tok_kind kind;
    size_t start, end; /* byte range in the source */
} rli_tok;
/* The token of s at or after *pos (comments and blanks skipped); *pos moves past it.  Never
 * reads past s's NUL: an unterminated quote or comment ends there. */
rli_tok rli_sql_next_tok(const char *s, size_t *pos);
/* Token t of sql as a name (an identifier, plain or quoted, or a string, which SQLite takes as
 * a name in many places), unquoted (malloc'd); NULL for another token, or out of memory
 * (*oom set). */
char *rli_sql_token_name(const char *sql, rli_tok t, bool *oom);
/* The names of t's foreign keys (t->fks, from PRAGMA foreign_key_list) from its CREATE TABLE
 * text t->sql (fknames.c). */
void rli_sqlite_fk_names(sch_table *t);
/* For an FTS5 table t that indexes another table (content='...'), that table and its id column
 * into t->search_of and t->search_rowid, and its UNINDEXED columns marked (fts5.c). */
void rli_sqlite_fts5_of(sch_table *t);

/* ---- migrations (rebuild.c, apply.c) -------------------------------------------------------- */

struct rl_plan;
/* count(*) of "SELECT count(*) FROM main.<table> [WHERE <column> <cond>]"; -1 on error. */
int64_t rli_count_rows(sqlite3 *h, const char *table, const char *column, const char *cond);

/* The backend's load_schema(): target schema text into a value, through the guarded scratch. */
int rli_sqlite_load_schema(rl_db *db, const char *sql, schema *out);
/* The backend's plan(): the steps from cur to tgt (native ALTERs or table rebuilds). */
/* A name for a new table (or probe column) that nothing in the database or target uses. */
char *rli_sqlite_temp_name(sqlite3 *h, const schema *tgt, const char *prefix, const char *table);
/* Whether table t has a column that aliases the rowid (INTEGER PRIMARY KEY). */
bool rli_sqlite_rowid_alias(const sch_table *t);
/* Record in p what changing table c into t would lose (loss.c). */
struct table_change;
struct sch_diff;
void rli_sqlite_check_loss(sqlite3 *h, struct rl_plan *p, const schema *tgt,
                           const struct table_change *ch);
int rli_sqlite_plan(rl_db *db, const schema *cur, const schema *tgt, const struct sch_diff *d,
                    struct rl_plan *p);
/* The backend's apply(): run a plan in one transaction with keys off, checked before COMMIT. */
/* rl_check on SQLite (check.c). */
int rli_sqlite_check(rl_db *db, const rl_check_options *opts, rl_finding_fn fn, void *ctx,
                     int64_t *count);
int rli_sqlite_apply(rl_db *db, const struct rl_plan *p, const rl_migrate_options *opts);

/* ---- the damage check of a migration (damage.c) --------------------------------------- */

typedef struct damage_check {
    rl_db *db;
    char *path;
    pthread_t thread;
    bool running; /* a thread was started and not yet joined */
    bool unread;  /* the second connection could not read the file: check on the first */
    char *first;
} damage_check;

/* Start the check beside the migration, or run it now; RL_ECORRUPT when it already knows.
 * Free c with rli_damage_check_free, whatever this returns. */
int rli_damage_check_start(rl_db *db, damage_check *c);
/* Wait for the answer: RL_ECORRUPT (the error set, naming the damage) when the file is
 * damaged, RL_OK when it is sound or the answer was already taken. */
int rli_damage_check_finish(damage_check *c);
void rli_damage_check_free(damage_check *c);

#endif

/*
 * Internal declarations shared by the library's source files.
 *
 * A connection (struct rl_db) owns: the sqlite3 handle, the last error, the transaction
 * depth, a table of per-model information (validated names and prepared statements, one
 * entry per model the connection has seen) and a cache of prepared query statements keyed
 * by their SQL text.  Nothing here is shared between connections.
 */
#ifndef REFLITE_INTERNAL_H
#define REFLITE_INTERNAL_H

#include "reflite.h"

#include <sqlite3.h>
#include <stdarg.h>

/* ---- growable string ------------------------------------------------------------------ */

typedef struct strbuf {
    char *s;
    size_t len, cap;
    bool oom;
} strbuf;

void rli_sb_init(strbuf *b);
void rli_sb_free(strbuf *b);
void rli_sb_putn(strbuf *b, const char *s, size_t n);
void rli_sb_puts(strbuf *b, const char *s);
void rli_sb_printf(strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append s as a double-quoted SQL identifier. */
void rli_sb_ident(strbuf *b, const char *s);
/* Append s as a single-quoted SQL string literal. */
void rli_sb_literal(strbuf *b, const char *s);
/* Take ownership of the string (never NULL unless oom). */
char *rli_sb_take(strbuf *b);
static inline const char *sb_str(const strbuf *b)
{
    return b->s ? b->s : "";
}

/* ---- arena: the strings of a result set, freed in one go ----------------------------- */

typedef struct arena_block {
    struct arena_block *next;
    size_t used, cap;
    max_align_t data[];
} arena_block;

typedef struct arena {
    arena_block *head;
} arena;

void *rli_arena_alloc(arena *a, size_t n);
void rli_arena_free(arena *a);

/* ---- per-model information ------------------------------------------------------------ */

enum model_stmt {
    MS_INSERT,
    MS_INSERT_PK,
    MS_GET,
    MS_UPDATE,
    MS_DELETE,
    MS_UPDATE_PK,
    MS_EXISTS,
    MS__COUNT
};

typedef struct field_mask_stmt {
    uint64_t mask;
    sqlite3_stmt *stmt;
    sqlite3_stmt *readback; /* inserts that leave fields to their defaults: read them back */
    struct field_mask_stmt *next;
} field_mask_stmt;

typedef struct model_info {
    const rl_model *model;
    int status;            /* 0 when valid, else the RL_EMODEL* code */
    char *error;           /* the validation message when status != 0 */
    bool validating;       /* set while validation follows references (cycles) */
    char *table;           /* resolved table name */
    const char *pk_column; /* resolved pk column */
    const char **columns;  /* resolved column name of each field */
    sqlite3_stmt *stmt[MS__COUNT];
    field_mask_stmt *partial_updates;
    field_mask_stmt *default_inserts; /* by the mask of fields left to their defaults */
    uint64_t defaultable;             /* fields with default_sql whose member can be unset (NULL) */
    struct stmt_cache *queries;       /* builder queries on this model, by shape (query.c) */
} model_info;

/* ---- prepared statement cache for queries ---------------------------------------------- */

typedef struct stmt_entry {
    char *sql;
    uint64_t hash;
    sqlite3_stmt *stmt;
} stmt_entry;

typedef struct stmt_cache {
    stmt_entry *slots;
    size_t cap, used;
} stmt_cache;

/* ---- the connection ------------------------------------------------------------------- */

struct rl_db {
    sqlite3 *h;
    rl_profile profile;
    int depth;        /* our transaction depth */
    bool outer_begin; /* level 1 is a BEGIN (not a savepoint in a caller's transaction) */
    rl_error err;
    strbuf msg;          /* the message text of err */
    arena err_strings;   /* the other strings of err, freed when it is cleared */
    model_info **models; /* open addressing on the model pointer */
    size_t models_cap, models_used;
    stmt_cache queries;
};

/* ---- errors (error.c) ------------------------------------------------------------------- */

/* Reset the last error to "no error". */
void rli_err_clear(rl_db *db);
/* Set the last error (every field reset) with a formatted message; returns code. */
int rli_err_set(rl_db *db, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Replace only the message of the current error (its fields stay). */
void rli_err_reword(rl_db *db, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A copy of s owned by the current error (never NULL: "" when out of memory). */
const char *rli_err_str(rl_db *db, const char *s);
/* Map an SQLite result code (after a failed call) to an RL code and message prefixed with op. */
int rli_err_sqlite(rl_db *db, int rc, const char *op);
/* Map an SQLite constraint failure to RL_EUNIQUE / RL_ENOTNULL / RL_ECHECK / ... */
int rl_code_from_sqlite(int rc);

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
/* "CASCADE", "SET NULL"... as an rl_action (NO ACTION for anything else). */
rl_action rli_action_from_sql(const char *s);
/* The names of the ordinary tables of main (no shadow, virtual or sqlite_ table), sorted;
 * free each and the array. */
int rli_main_tables(sqlite3 *h, char ***names, size_t *n);
/* Why foreign key number fkid of table cannot be checked (malloc'd), or NULL when it can. */
char *rli_fk_key_problem(sqlite3 *h, const char *table, int fkid);

/*
 * Foreign-key diagnosis after a failed statement (never on the success path).
 *  rli_diag_child_row: probe each foreign key of a model row; report every key whose value
 *      has no parent.  Returns RL_EFOREIGNKEY if it found one, 0 otherwise.
 *  rli_diag_parent_change: count rows of every table that still reference table(column) = value.
 *  rli_diag_statement: the generic fallback for any statement: re-run it with foreign keys
 *      deferred inside a savepoint and read the violations it adds.
 */
int rli_diag_child_row(rl_db *db, model_info *mi, const void *row, const char *op);
int rli_diag_parent_change(rl_db *db, const char *table, const char *column, const rl_value *value,
                           const char *op, bool is_delete);
int rli_diag_statement(rl_db *db, sqlite3_stmt *stmt, const char *op);
/* Describe violations found after a failed COMMIT. */
int rli_diag_fk_check(rl_db *db, const char *op);
/* A statement failed with rc: diagnose a foreign-key failure, else map the code (rli_err_sqlite).
 */
int rli_err_statement(rl_db *db, sqlite3_stmt *stmt, int rc, const char *op);
/* "insert into t" / "update t" / "delete from t" for the statement text sql (malloc'd), by
 * asking SQLite which table it writes; NULL if it writes none. */
char *rli_statement_op(sqlite3 *h, const char *sql);

/* ---- helpers -------------------------------------------------------------------------- */

/* Prepare sql with the query cache: the statement stays owned by the cache. */
int rli_cache_prepare(rl_db *db, const char *sql, sqlite3_stmt **out);
/* The statement cached under a key (reset, bindings cleared when clear), or NULL. */
sqlite3_stmt *rli_cache_get(stmt_cache *c, const char *key, uint64_t hash, bool clear);
/* Cache st under key; the cache owns st from then on (finalized on failure). */
int rli_cache_put(stmt_cache *c, const char *key, uint64_t hash, sqlite3_stmt *st);
void rli_cache_free(stmt_cache *c);
/* Bind an rl_value to parameter idx (1-based). */
int rli_bind_value(sqlite3_stmt *st, int idx, const rl_value *v);
/* A value as an SQL literal, as quote() writes it (text quotes doubled; malloc'd). */
char *rli_value_literal(const rl_value *v);

/* Look up (validating on first sight) a model's per-connection information. */
int rli_model_lookup(rl_db *db, const rl_model *m, model_info **out);
void rli_model_info_free(model_info *mi);
bool rli_field_nullable(const rl_field *f);
rl_kind rli_field_kind(const rl_field *f);
/* Index of the field named name (by member or column name), or -1. */
int rli_model_field_index(const model_info *mi, const char *name);
/* Value of field i of row as an rl_value (text/blob borrowed from the row). */
rl_value rli_field_value(const rl_field *f, const void *row);
/* Read column col of st into field f of row; strings are malloc'd (own == NULL) or copied
 * into the arena. Returns 0 or RL_ENOMEM. */
int rli_field_read(const rl_field *f, void *row, sqlite3_stmt *st, int col, struct arena *a);
int64_t rli_row_pk(const rl_model *m, const void *row);
void rli_row_set_pk(const rl_model *m, void *row, int64_t pk);

/* Bind every field of row to parameters first..first+n-1. */
int rli_bind_row(sqlite3_stmt *st, const model_info *mi, const void *row, int first);
/* Fill row from a "SELECT pk, col1, col2..." statement row. */
int rli_read_row(const model_info *mi, void *row, sqlite3_stmt *st, struct arena *a);

/* Run a statement that returns no rows to completion (SQLITE_DONE), resetting it. */
int rli_step_done(sqlite3_stmt *st);

/* Switch foreign keys on or off and read the pragma back: RL_OK only if it took effect. */
int rli_set_foreign_keys(rl_db *db, bool on);

/* FNV-1a hash of a string (NULL hashes like ""). */
uint64_t rli_hash_text(const char *s);

/* Run sql (no parameters, possibly several statements of reflite's own) directly. */
int rli_exec_sql(rl_db *db, const char *sql);

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
    char *denied; /* what the authorizer refused (malloc'd) */
} scratch;
int rli_scratch_open(scratch *s);
void rli_scratch_close(scratch *s);
/* Run every statement of sql, one by one, under the guards; *err gets a sentence on failure. */
int rli_scratch_load(scratch *s, const char *sql, char **err);
/* Append s with control characters escaped (\n, \t, \xNN): names in messages. */
void rli_sb_name(strbuf *b, const char *s);
/* malloc'd display form of a name (rli_sb_name). */
char *rli_name_disp(const char *s);

/* Identifier check: [A-Za-z_][A-Za-z0-9_]* and at most 63 characters. */
bool rli_valid_ident(const char *s);

/* Savepoint helpers used by multi-statement operations (not counted in db->depth). */
int rli_sp_begin(rl_db *db, const char *name);
int rli_sp_release(rl_db *db, const char *name);
void rli_sp_rollback(rl_db *db, const char *name);

#endif

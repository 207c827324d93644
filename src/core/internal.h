/*
 * The core's internal declarations: connections, errors, models, statements.  Nothing here
 * names an engine: statements are the backend's (rlb_stmt) and run through db->be.
 *
 * A connection (struct rl_db) owns: the engine's connection and its backend table, the last error,
 * the transaction depth, a table of per-model information (validated names and prepared statements,
 * one entry per model the connection has seen) and a cache of prepared query statements keyed by
 * their SQL text.  Nothing here is shared between connections.
 */
#ifndef REFLITE_INTERNAL_H
#define REFLITE_INTERNAL_H

#include "reflite.h"

#include "backend/backend.h"
#include "base/base.h"
#include "sql/render.h"

#include <stdarg.h>
#include <string.h>

/* ---- per-model information ------------------------------------------------------------ */

enum model_stmt { MS_INSERT, MS_INSERT_PK, MS_GET, MS_UPDATE, MS_DELETE, MS_UPDATE_PK, MS__COUNT };

typedef struct field_mask_stmt {
    uint64_t mask; /* a bit per field: every bit can be in use (RL_MAX_FIELDS is 64) */
    bool with_pk;  /* an INSERT that also writes an explicit primary key */
    rlb_stmt *stmt;
    rlb_stmt *readback; /* inserts that leave fields to their defaults: read them back */
    struct field_mask_stmt *next;
} field_mask_stmt;

/* How to read one field from a row: what rli_read_row_ops needs of an rl_field, packed. */
typedef struct read_step {
    uint32_t offset;
    uint8_t ctype; /* rl_ctype */
    uint8_t kind;  /* rl_kind, for RL_CT_VALUE */
} read_step;

typedef struct model_info {
    const rl_model *model;
    read_step *plan;       /* a step per field, in field order (set once the model is valid) */
    int status;            /* 0 when valid, else the RL_EMODEL* code */
    char *error;           /* the validation message when status != 0 */
    bool validating;       /* set while validation follows references (cycles) */
    char *table;           /* resolved table name */
    const char *pk_column; /* resolved pk column */
    const char **columns;  /* resolved column name of each field */
    unsigned char *kinds;  /* the rl_kind of each field (rli_field_kind) */
    rls_table rt;          /* the names above, as the renderer takes them */
    bool pk_word_free;     /* "pk" names the primary key: no field is called so */
    rlb_stmt *stmt[MS__COUNT];
    field_mask_stmt *partial_updates;
    field_mask_stmt *default_inserts; /* by the mask of fields left to their defaults */
    uint64_t defaultable;             /* fields with default_sql whose member can be unset (NULL) */
    struct stmt_cache *queries;       /* builder queries on this model, by shape (query.c) */
    /* the statement of the last cursor on this model, kept for the next one with the same text
     * (rows.c): a cursor's statement is its own while it is open, so it cannot come from the
     * shared cache; NULL while that cursor is open, or on an engine that cannot keep it */
    rlb_stmt *cursor_spare;
    char *cursor_sql;
} model_info;

/* ---- prepared statement cache for queries ---------------------------------------------- */

typedef struct stmt_entry {
    char *sql;
    uint64_t hash;
    rlb_stmt *stmt;
} stmt_entry;

typedef struct stmt_cache {
    stmt_entry *slots;
    size_t cap, used;
    /* the entry last looked up or stored: a query repeated in a loop skips hash and probe */
    const char *last_key; /* an entry's own copy of its key */
    size_t last_len;
    rlb_stmt *last;
} stmt_cache;

/* ---- the connection ------------------------------------------------------------------- */

struct rl_db {
    const rl_backend *be; /* the engine's table of operations */
    rlb_conn *conn;       /* the engine's connection */
    rl_profile profile;
    int depth;          /* our transaction depth */
    bool outer_begin;   /* level 1 is a BEGIN (not a savepoint in a caller's transaction) */
    bool names_from_db; /* validating runtime models: names are the database's own */
    rl_error err;
    strbuf msg;          /* the message text of err */
    arena err_strings;   /* the other strings of err, freed when it is cleared */
    model_info **models; /* open addressing on the model pointer */
    size_t models_cap, models_used;
    model_info *last_model; /* the model last found valid (rli_model_lookup) */
    stmt_cache queries;
    struct rl_query *spare; /* the last query freed, reused by the next rl_select */
    const char *sp_outer;   /* the savepoint that began the transaction (rli_sp_begin) */
    size_t note_at;         /* where the backend's failed_note begins in err's message, or 0 */
    rl_trace_fn trace;      /* rl_trace's function and its context */
    void *trace_ctx;
    char *target;      /* what was opened (a path or URL), for rl_db_clone */
    rl_options opened; /* with the options it was opened with (profile resolved) */
};

/* A statement starts to run on db: tell rl_trace's function (the backends call this). */
static inline void rli_trace(rl_db *db, const char *sql)
{
    if (db && db->trace) db->trace(sql, db->trace_ctx);
}

/* ---- errors (error.c: the last-error record; a leaf) ------------------------------------ */

/* Reset the last error to "no error". */
void rli_err_clear(rl_db *db);
/* Set the last error (every field reset) with a formatted message; returns code. */
int rli_err_set(rl_db *db, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Take back the backend's note on the current error's message (see rli_failed). */
void rli_err_unnote(rl_db *db);
/* Replace only the message of the current error (its fields stay). */
void rli_err_reword(rl_db *db, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A copy of s owned by the current error (never NULL: "" when out of memory). */
const char *rli_err_str(rl_db *db, const char *s);
/* Record a foreign-key failure: d's strings copied into the error, message b (freed). */
int rli_err_fk(rl_db *db, const rl_fk_detail *d, int engine_code, strbuf *b);

/* An error of rl_open, before there is a connection to hold it: the sentence goes to errbuf
 * (of size errlen, when given); returns code. */
int rli_open_fail(char *errbuf, size_t errlen, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* ---- foreign-key diagnosis (fkdiag.c) ----------------------------------------------------
 *
 * Run only after a statement failed, never on the success path.
 *  rli_diag_child_row: probe each foreign key of a model row; report every key whose value
 *      has no parent.  Returns RL_EFOREIGNKEY if it found one, RL_OK otherwise.
 *  rli_fk_referenced_sentence: "op: pk = 3 is still referenced by 2 rows of books(author_id)
 *      (ON DELETE RESTRICT)." for a parent-side failure described by d.
 */
int rli_diag_child_row(rl_db *db, model_info *mi, const void *row, const char *op, int engine_code);
/* The model key (mi, field index) whose constraint is named constraint on table, among the
 * models seen on db (see rli_fk_name); RL_ENOTFOUND when none is. */
int rli_key_by_constraint(rl_db *db, const char *table, const char *constraint, model_info **mi,
                          size_t *field);
/* d->referencing < 0: the rows were not counted ("still referenced by rows of ..."). */
void rli_fk_referenced_sentence(strbuf *b, const char *op, const rl_fk_detail *d, const char *verb);
/* A failure worded on db: the backend adds what it did to the transaction (once; the note
 * is taken back by rli_sp_rollback, whose rollback undoes what it said); returns code. */
int rli_failed(rl_db *db, int code);
/* A statement failed with rc: the backend diagnoses and words it (db->be->fail). */
static inline int rli_fail(rl_db *db, rlb_stmt *st, int rc, const char *op)
{
    return rli_failed(db, db->be->fail(db, st, rc, op));
}

/* ---- statements (stmt.c) ------------------------------------------------------------------ */

/* Prepare sql with the query cache: the statement stays owned by the cache. */
int rli_cache_prepare(rl_db *db, const char *sql, rlb_stmt **out);
/* The statement cached under a key as it was left, or NULL. */
rlb_stmt *rli_cache_find(const stmt_cache *c, const char *key, uint64_t hash);
/* Like rli_cache_find for a key of len bytes, trying the entry last looked up or stored
 * first; *hash is set (for rli_cache_put) whenever that entry is not the one. */
rlb_stmt *rli_cache_lookup(stmt_cache *c, const char *key, size_t len, uint64_t *hash);
/* The statement cached under a key (reset, bindings cleared when clear), or NULL. */
rlb_stmt *rli_cache_get(const rl_backend *be, stmt_cache *c, const char *key, uint64_t hash,
                        bool clear);
/* Cache st under key; the cache owns st from then on (finalized on failure). */
int rli_cache_put(const rl_backend *be, stmt_cache *c, const char *key, uint64_t hash,
                  rlb_stmt *st);
void rli_cache_free(const rl_backend *be, stmt_cache *c);
/* Prepare a statement of reflite's own that the caller keeps (persistent). */
int rli_prepare_kept(rl_db *db, const char *sql, rlb_stmt **out, const char *op);
/* Prepare a statement of reflite's own that runs once (a cursor's): the engine may then use
 * its faster short-lived memory for it. */
int rli_prepare_once(rl_db *db, const char *sql, rlb_stmt **out, const char *op);
/* Run a statement that returns no rows to completion (RLB_DONE), resetting it. */
int rli_step_done(rl_db *db, rlb_stmt *st);
/* Run sql (no parameters, possibly several statements of reflite's own) directly. */
int rli_exec_sql(rl_db *db, const char *sql);
/* Switch foreign keys on or off and read the setting back: RL_OK only if it took effect. */
int rli_set_foreign_keys(rl_db *db, bool on);
/* Savepoint helpers used by multi-statement operations (not counted in db->depth). */
int rli_sp_begin(rl_db *db, const char *name);
int rli_sp_release(rl_db *db, const char *name);
void rli_sp_rollback(rl_db *db, const char *name);

/* ---- models (model.c) -------------------------------------------------------------------- */

/* Look up (validating on first sight) a model's per-connection information. */
int rli_model_lookup(rl_db *db, const rl_model *m, model_info **out);
void rli_model_info_free(const rl_backend *be, model_info *mi);
/* Forget what db knows of model m (its statements, its names), before m's memory is freed. */
void rli_model_forget(rl_db *db, const rl_model *m);
bool rli_field_nullable(const rl_field *f);
rl_kind rli_field_kind(const rl_field *f);
/* Index of the field named name (by member or column name), or -1. */
int rli_model_field_index(const model_info *mi, const char *name);
/* The name of key field i's constraint where keys are named: "<table>_<column>_fkey", cut
 * to the 63 bytes an identifier may have on PostgreSQL. */
#define RLI_FK_NAME_MAX 64
void rli_fk_name(const model_info *mi, size_t i, char out[RLI_FK_NAME_MAX]);
/* n bytes of src and a NUL, in a (or malloc'd when a is NULL); NULL when out of memory. */
void *rli_copy_bytes(struct arena *a, const void *src, size_t n);
/* Value of field i of row as an rl_value (text/blob borrowed from the row). */
rl_value rli_field_value(const rl_field *f, const void *row);
/* Whether v can go into the column of field f: a field of a runtime model (an rl_value member)
 * takes only what its kind can hold (an integer column, integers and their text; a number
 * column, numbers and their text; a boolean one, true/false as 1/0), the same on every engine;
 * other fields always (their C type decides).  RL_OK, or RL_ETYPE set on db naming op, the
 * column, its type and the value (op: "insert into", "update"). */
int rli_value_fits(rl_db *db, const model_info *mi, const rl_field *f, const rl_value *v,
                   const char *op);
/* rli_value_fits for every field of row. */
int rli_row_fits(rl_db *db, const model_info *mi, const void *row, const char *op);
/* Read column col of st into field f of row; strings are malloc'd (own == NULL) or copied
 * into the arena. Returns 0 or RL_ENOMEM. */
int rli_field_read(const rl_backend *be, const rl_field *f, void *row, rlb_stmt *st, int col,
                   struct arena *a);
static inline int64_t rli_row_pk(const rl_model *m, const void *row)
{
    int64_t pk;
    memcpy(&pk, (const char *)row + m->pk_offset, sizeof pk);
    return pk;
}
static inline void rli_row_set_pk(const rl_model *m, void *row, int64_t pk)
{
    memcpy((char *)row + m->pk_offset, &pk, sizeof pk);
}
/* Bind every field of row to parameters first..first+n-1. */
int rli_bind_row(const rl_backend *be, rlb_stmt *st, const model_info *mi, const void *row,
                 int first);
/* Fill row from a statement row of the pk (when the model has one), then every field. */
int rli_read_row(const rl_backend *be, const model_info *mi, void *row, rlb_stmt *st,
                 struct arena *a);
/* The same from column col on (a joined row's parent follows its child's columns). */
int rli_read_row_at(const rl_backend *be, const model_info *mi, void *row, rlb_stmt *st, int col,
                    struct arena *a);
/* "CASCADE", "SET NULL"... as an rl_action (NO ACTION for anything else). */
rl_action rli_action_from_sql(const char *s);

#endif

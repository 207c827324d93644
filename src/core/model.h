/*
 * Models (model.c): the information a connection keeps per model it has seen (validated names,
 * prepared statements, the plan to read its rows), and the functions that bind, read and check
 * a model's rows.  The table of these lives in the connection (db.h); nothing here is shared
 * between connections.
 */
#ifndef REFLITE_CORE_MODEL_H
#define REFLITE_CORE_MODEL_H

#include "reflite.h"

#include "backend/backend.h"
#include "base/base.h"
#include "sql/render.h"

#include <stdbool.h>
#include <stdint.h>
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

/* A relation's key as the core follows it: the child's fields and, in the same order, the
 * parent's columns they reference (RLS_PK: its pk member, else a field index).  A key is
 * numbered within its model: a field index for a key of one field (.references), RLI_CKEY + j
 * for the model's rl_key j. */
#define RLI_CKEY 0x100
typedef struct rli_key {
    int n;
    short child[RL_MAX_KEY_FIELDS];
    short parent[RL_MAX_KEY_FIELDS];
    const rl_model *target;
    const char *name; /* the field's name, or the rl_key's (made of its fields when unnamed) */
    bool owns_name;   /* name is malloc'd (rli_keys_free) */
} rli_key;

/* Where a field of a runtime view comes from (rl_models_load): the table model whose column
 * it shows as it is (NULL: none, a computed column), and that column (RLS_PK: the table's pk
 * member, else a field index of the table). */
typedef struct rli_origin {
    const rl_model *table;
    int code;
} rli_origin;

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
    short *ref;            /* per key field: the target's column it references (RLS_PK: its
                              pk member, else a field index; keys.c); -1 for other fields */
    rli_key *ckeys;        /* the model's rl_keys, resolved (nckeys of them) */
    size_t nckeys;
    const char *const *types; /* a runtime model: each field's declared type (owned by its
                                 rl_models), else NULL */
    const rli_origin *origin; /* a runtime view: one per field (owned by its rl_models), else
                                 NULL; a key to a table follows to the view that shows the
                                 columns it references (rli_key_toward) */
    rls_table rt;             /* the names above, as the renderer takes them */
    bool pk_word_free;        /* "pk" names the primary key: no field is called so */
    rlb_stmt *stmt[MS__COUNT];
    field_mask_stmt *partial_updates;
    field_mask_stmt *default_inserts; /* by the mask of fields left to their defaults */
    uint64_t defaultable;             /* fields with default_sql whose member can be unset (NULL) */
    uint64_t generated;               /* fields the engine computes: never written */
    uint64_t values;                  /* rl_value fields (one may hold rl_default()) */
    int nwritten;                     /* the fields an insert or update writes */
    struct stmt_cache *queries;       /* builder queries on this model, by shape (query.c) */
    /* the statement of the last cursor on this model, kept for the next one with the same text
     * (rows.c): a cursor's statement is its own while it is open, so it cannot come from the
     * shared cache; NULL while that cursor is open, or on an engine that cannot keep it */
    rlb_stmt *cursor_spare;
    char *cursor_sql;
} model_info;

/* ---- models (model.c) -------------------------------------------------------------------- */

/* Look up (validating on first sight) a model's per-connection information. */
int rli_model_lookup(rl_db *db, const rl_model *m, model_info **out);
void rli_model_info_free(const rl_backend *be, model_info *mi);
/* Forget what db knows of model m (its statements, its names), before m's memory is freed. */
void rli_model_forget(rl_db *db, const rl_model *m);
bool rli_field_nullable(const rl_field *f);
rl_kind rli_field_kind(const rl_field *f);
/* keys.c: whether field fi of m is unique on its own (.unique, the whole primary_key, a
 * unique index of it alone); the column of f->references that key field f of m references
 * (*code: RLS_PK or a field index), or an RL_EMODEL* code with the sentence in why; and
 * whether m's primary_key list is sound (RL_OK, or a code and why). */
bool rli_field_unique(const rl_model *m, int fi);
int rli_key_target(const rl_model *m, const rl_field *f, int *code, char *why, size_t len);
int rli_primary_key_check(const rl_model *m, char *why, size_t len);
/* keys.c: resolve m's rl_keys (fields and referenced fields, kinds) into ckeys[], allocated
 * (*out; NULL when there are none): RL_OK, or an RL_EMODEL* code and why. */
int rli_keys_resolve(const model_info *mi, rli_key **out, char *why, size_t len);
void rli_keys_free(rli_key *ks, size_t n);
/* The keys of mi in order, its key fields then its rl_keys: *ki walks from -1; false after
 * the last. */
bool rli_key_next(const model_info *mi, int *ki, rli_key *k);
/* Key ki (see RLI_CKEY) of mi. */
void rli_key_of(const model_info *mi, int ki, rli_key *out);
/* Whether key k (of a child, as rli_key_of gives it) leads to parent: parent is the key's
 * target or a model of its table (k is left as it is), or a view that shows every column the
 * key references as it is (a runtime view: model_info.origin), which then stands in for the
 * table: k's target becomes parent's model and its parent columns the view's fields that show
 * them (the first of each, when one is shown twice).  False otherwise. */
bool rli_key_toward(rl_db *db, const model_info *parent, rli_key *k);
/* rli_key_of, then rli_key_toward parent (a key that does not lead to it is left as it is). */
void rli_key_to(rl_db *db, const model_info *child, int ki, const model_info *parent, rli_key *out);
/* Whether key ki of mi is unique in its model (a to-one relation seen from the parent): the
 * fields are the whole primary key, or a unique index or field of exactly those fields. */
bool rli_key_unique(const model_info *mi, int ki);
/* Index of the field named name (by member or column name), or -1. */
int rli_model_field_index(const model_info *mi, const char *name);
/* The name of key ki's constraint where keys are named (ki: a key field, or RLI_CKEY + j for
 * rl_key j): "<table>_<column>[_<column>...]_fkey", cut to the 63 bytes an identifier may have
 * on PostgreSQL. */
#define RLI_FK_NAME_MAX 64
void rli_fk_name(const model_info *mi, int ki, char out[RLI_FK_NAME_MAX]);
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
/* The SQL that sets field f (NULL: the integer primary key) to its default in an UPDATE (crud.c):
 * DEFAULT where the dialect has it, else the field's declared default expression in
 * parentheses (copied into a), else NULL; NULL when out of memory. */
const char *rli_default_sql(const rl_db *db, const rl_field *f, arena *a);
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

#endif

/*
 * reflite - data models on SQLite (and other engines) whose foreign keys always hold.
 *
 * The public API in one header.  Conventions:
 *
 *  - Every function that can fail returns an int: 0 (RL_OK) on success, a negative RL_E* code
 *    on failure.  rl_last_error(db) then describes the failure in full: a sentence a user can
 *    act on, plus the structured facts (table, column, value, referencing rows...).
 *  - A function that creates a handle takes the out parameter first (rl_open(&db, ...));
 *    functions that work on a handle take the handle first and out parameters last.
 *  - Whatever *_new / rl_open / rl_select / rl_fetch_all hands out is released by exactly one
 *    matching *_free / rl_close.  Strings and blobs of a result set live in memory owned by
 *    that result set; single rows filled by rl_get / rl_fetch_first / rl_fetch_one own their
 *    strings until rl_row_free.
 *  - Models are plain constant structs declared once (RL_MODEL / RL_FIELD).  A connection
 *    validates each model the first time it sees it and caches its prepared statements.
 *  - There is no global mutable state: connections never see each other.
 *  - Reserved names: the library's external symbols all start with rl_ (this API) or rli_
 *    (internal, hidden in the shared library); macros start with RL_ or REFLITE_.  A program
 *    may use any other name, also when it links the static library.
 *
 * From C++: the header compiles as C++11 and later, inside extern "C".  Every function and
 * type and the inline value helpers (rl_int, rl_text...) work as in C.  The declaration
 * macros (RL_FIELD, RL_TEXT, RL_FOREIGN_KEY, RL_MODEL, RL_SOME...) use C's _Generic and
 * designated initializers and are C only: declare models in a C file and refer to them from
 * C++ with extern "C" const rl_model ... (tests/header_cxx.cpp shows it).
 *
 * This header names no engine.  What only SQLite has (its raw handle, its version, the WAL
 * journal) is declared in <reflite/sqlite.h>.
 */
#ifndef REFLITE_H
#define REFLITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The library is built with hidden visibility: what this header declares is its whole ABI. */
#if defined(__GNUC__) || defined(__clang__)
#pragma GCC visibility push(default)
#endif

#include "reflite/version.h"

/* ------------------------------------------------------------------------------------------ */
/* Result codes                                                                                */
/* ------------------------------------------------------------------------------------------ */

typedef enum rl_code {
    RL_OK = 0,
    RL_ERROR = -1,         /* an engine error with no more specific code */
    RL_ENOMEM = -2,        /* out of memory */
    RL_EINVAL = -3,        /* a bad argument (NULL handle, bad option, unknown profile...) */
    RL_EMISUSE = -4,       /* an API call in the wrong state (e.g. commit without begin) */
    RL_ENOTFOUND = -5,     /* no row with that primary key / the query matched nothing */
    RL_EMULTIPLE = -6,     /* rl_fetch_one matched more than one row */
    RL_EFIELD = -7,        /* a query or update named a field the model does not have */
    RL_ENOFK = -8,         /* this engine build cannot enforce foreign keys */
    RL_EBUSY = -9,         /* the database stayed locked past the busy timeout */
    RL_EFOREIGNKEY = -10,  /* a foreign key would be broken; see rl_error.fk */
    RL_EUNIQUE = -11,      /* a UNIQUE or PRIMARY KEY constraint failed */
    RL_ENOTNULL = -12,     /* a NOT NULL constraint failed */
    RL_ECHECK = -13,       /* a CHECK constraint failed */
    RL_ECONSTRAINT = -14,  /* another constraint failed (e.g. RAISE() in a trigger) */
    RL_ETXN = -15,         /* the connection was closed with an open transaction; rolled back */
    RL_EDATALOSS = -16,    /* a migration would lose data and was not allowed to */
    RL_EMIGRATE = -17,     /* a migration failed and was rolled back */
    RL_ENOSPACE = -18,     /* not enough free disk space for the operation */
    RL_ECANTOPEN = -19,    /* the database file could not be opened */
    RL_ECORRUPT = -20,     /* the database file is damaged (integrity or quick check failed) */
    RL_EREFUSED = -21,     /* refused to keep a promise: e.g. SQL that would switch keys off */
    RL_EAMBIGUOUS = -22,   /* a relation could follow several keys: name the key field */
    RL_EINTERRUPTED = -23, /* the statement was stopped by rl_interrupt */
    /* the database server cannot be reached, or the connection to it was lost during the call
     * (see "A lost connection" below) */
    RL_EDISCONNECTED = -24,
    RL_ESCHEMA = -25, /* a table or column named is not in the database (its schema
                         changed since the statement or model was made) */
    RL_ETYPE = -26,   /* a value the column's type cannot hold (rl_error.column, .value) */
    /* the connection was lost while a write outside a transaction, or COMMIT, was under way:
     * whether it took effect is unknown (see "A lost connection" below); never run again by
     * reflite, and not to be run again blindly: find out first */
    RL_EINDOUBT = -27,

    /* Model declaration errors: reported before any SQL runs. */
    RL_EMODEL = -40,             /* a model is malformed in another way (bad C member type...) */
    RL_EMODEL_SET_NULL = -41,    /* ON DELETE/UPDATE SET NULL on a key that is not nullable */
    RL_EMODEL_SET_DEFAULT = -42, /* SET DEFAULT on a key that has no default */
    RL_EMODEL_NO_PK = -43,       /* a foreign key targets a model without a primary key */
    RL_EMODEL_UNKNOWN = -44,     /* an index names a field the model does not have */
    RL_EMODEL_DUPLICATE = -45,   /* two fields (or two tables) share a name */
    RL_EMODEL_IDENT = -46,       /* a table, column or index name is not a valid identifier */
    RL_EMODEL_CYCLE = -47,       /* NOT NULL immediate keys form a cycle no row can enter */
    RL_EMODEL_INDEX_DUPLICATE = -48, /* two indexes share a name */
    RL_EMODEL_INDEX_NAME = -49,      /* an index is named like a table */
    RL_EMODEL_INDEX_COLUMN = -50     /* an index lists the same column twice */
} rl_code;

/*
 * Limits.  A model has at most RL_MAX_FIELDS fields; the names a model declares (table,
 * columns, indexes) are at most RL_MAX_IDENT bytes of [A-Za-z0-9_].  Names read from a
 * database (by migrations, rl_check, diagnosis) may have any length and any characters.
 */
#define RL_MAX_FIELDS 64
#define RL_MAX_IDENT  63

/* The name of a code ("RL_EFOREIGNKEY"). Never NULL. */
const char *rl_code_name(int code);

/* The version of the reflite library in use ("0.4.0"): REFLITE_VERSION of the build that made
 * it, which may differ from the REFLITE_VERSION a program was compiled with. */
const char *rl_version(void);
/* The same as a number: REFLITE_VERSION_NUMBER of the library in use. */
int rl_version_number(void);

/* ------------------------------------------------------------------------------------------ */
/* Models                                                                                      */
/* ------------------------------------------------------------------------------------------ */

/* The referential action of a foreign key.  RL_ACTION_DEFAULT means RL_RESTRICT. */
typedef enum rl_action {
    RL_ACTION_DEFAULT = 0,
    RL_RESTRICT,
    RL_CASCADE,
    RL_SET_NULL,
    RL_SET_DEFAULT,
    RL_NO_ACTION
} rl_action;

/* SQL name of an action ("CASCADE", "SET NULL", ...). */
const char *rl_action_name(rl_action action);

/*
 * Storage kind of a column.  RL_KIND_AUTO: inferred from the C member's type.
 *
 * The kinds after RL_KIND_BOOLEAN say what a column's text means, for columns whose values
 * travel as text (a char * member, or an rl_value of type RL_V_TEXT): renderers such as the
 * HTTP server write them as what they are.  They are what runtime models (rl_models_load)
 * give such columns, and a declared field may use them with a char * or rl_value member.
 *
 *   RL_KIND_JSON       a JSON document (PostgreSQL json, jsonb; SQLite: a column declared
 *                      JSON), as its text.  Created as jsonb on PostgreSQL, TEXT on SQLite.
 *   RL_KIND_NUMERIC    an exact decimal (NUMERIC, DECIMAL), as its digits ("12.50"), never
 *                      through a double; an integer or real value of the column is itself.
 *                      Created as numeric on PostgreSQL, ANY on SQLite (a value stays as it
 *                      was written: digits given as text stay text).
 *   RL_KIND_ARRAY      a PostgreSQL array (int[], text[], ...), read and written as the text
 *                      of a JSON array ("[1,2,null]", nested for more dimensions).  Created as
 *                      text[] on PostgreSQL, TEXT (the JSON) on SQLite.
 *   RL_KIND_TIMESTAMP  a date and time (timestamp, timestamptz) in ISO 8601, read as
 *                      "2024-01-02T03:04:05" or, with a time zone, "2024-01-02T03:04:05+00:00"
 *                      on PostgreSQL.  Created as timestamptz on PostgreSQL, TEXT on SQLite.
 *   RL_KIND_DATE       a date, "2024-01-02".  Created as date on PostgreSQL, TEXT on SQLite.
 *
 * On SQLite a value comes back as it is stored (SQLite's text for dates is what was written).
 */
typedef enum rl_kind {
    RL_KIND_AUTO = 0,
    RL_KIND_INTEGER,
    RL_KIND_REAL,
    RL_KIND_TEXT,
    RL_KIND_BLOB,
    RL_KIND_BOOLEAN,
    RL_KIND_JSON,
    RL_KIND_NUMERIC,
    RL_KIND_ARRAY,
    RL_KIND_TIMESTAMP,
    RL_KIND_DATE
} rl_kind;

/* A blob member: data == NULL is SQL NULL, data != NULL with len 0 is an empty blob. */
typedef struct rl_blob {
    const void *data;
    size_t len;
} rl_blob;

/* Nullable scalar members.  A zero-initialised value is NULL (present == false). */
typedef struct rl_maybe_int {
    bool present;
    int64_t value;
} rl_maybe_int;
typedef struct rl_maybe_real {
    bool present;
    double value;
} rl_maybe_real;
typedef struct rl_maybe_bool {
    bool present;
    bool value;
} rl_maybe_bool;

#define RL_SOME(v)                                                                                 \
    {                                                                                              \
        .present = true, .value = (v)                                                              \
    }
#define RL_NONE                                                                                    \
    {                                                                                              \
        .present = false                                                                           \
    }

/* The C type of a member, found by RL_FIELD with _Generic; validated against the kind. */
typedef enum rl_ctype {
    RL_CT_INVALID = 0,
    RL_CT_INT64,      /* int64_t */
    RL_CT_INT,        /* int */
    RL_CT_DOUBLE,     /* double */
    RL_CT_BOOL,       /* bool */
    RL_CT_TEXT,       /* char * or const char *; NULL is SQL NULL */
    RL_CT_BLOB,       /* rl_blob */
    RL_CT_MAYBE_INT,  /* rl_maybe_int */
    RL_CT_MAYBE_REAL, /* rl_maybe_real */
    RL_CT_MAYBE_BOOL, /* rl_maybe_bool */
    RL_CT_VALUE       /* rl_value: any value of the field's kind, or NULL (runtime models) */
} rl_ctype;

struct rl_model;

/*
 * One column of a model.  Declare with RL_FIELD and friends, then add options with designated
 * initialisers, e.g.  RL_TEXT(Author, email, .unique = true).
 *
 *   column      column name (default: the member name)
 *   nullable    NULL allowed (implied by rl_maybe_* members; set it for text and blob)
 *   unique      UNIQUE constraint (for a foreign key: a one-to-one relation)
 *   index       plain index on this column (foreign keys get one automatically)
 *   default_sql DEFAULT clause as an SQL expression: "0", "'draft'", "CURRENT_TIMESTAMP"
 *   check_sql   CHECK constraint as an SQL expression on this row
 *   references  foreign key: the target model; the referenced column is its primary key, or
 *               the field references_field names (a unique one: its .unique, or the whole
 *               primary_key of a model without a pk member), of the same kind as this one:
 *               a text key to a text key is RL_TEXT(City, country, .references = &Country_model)
 *   references_field   see references (NULL: the target's primary key)
 *   on_delete, on_update   actions; RL_ACTION_DEFAULT is RESTRICT
 *   deferrable  DEFERRABLE INITIALLY DEFERRED: checked at commit, not per statement
 *   generated   the engine computes the column (GENERATED ALWAYS AS ...): read like any other,
 *               never written (inserts and updates leave it out, an insert reads it back);
 *               what runtime models (rl_models_load) give such a column.  Not a column
 *               rl_create_all can make: declare it in SQL.
 */
typedef struct rl_field {
    const char *name;
    rl_ctype ctype;
    size_t offset;
    size_t size;
    rl_kind kind;
    const char *column;
    bool nullable;
    bool unique;
    bool index;
    bool generated;
    const char *default_sql;
    const char *check_sql;
    const struct rl_model *references;
    rl_action on_delete;
    rl_action on_update;
    bool deferrable;
    const char *references_field;
} rl_field;

/* A composite (or single) index: columns is a NULL-terminated list of field names. */
typedef struct rl_index {
    const char *name; /* NULL: "<table>_<col>_<col>_idx" */
    const char *const *fields;
    bool unique;
} rl_index;

/*
 * A foreign key of several columns: fields (this model's, in order, NULL-terminated, at most
 * RL_MAX_KEY_FIELDS) reference the fields of references that are its primary_key or a unique
 * index of exactly those fields (references_fields, in the same order; NULL: its primary_key),
 * each of the kind of the one it references.  Declared in a model with RL_KEYS; relation calls
 * name it by name (NULL: its fields joined by commas, "student_id,student_code").  A key of
 * one field is simpler as RL_FOREIGN_KEY or .references on the field.
 *
 *   typedef struct { int64_t id; char *code, *name; } Student;      PRIMARY KEY (id, code)
 *   static const rl_field student_fields[] = {RL_INT(Student, id), RL_TEXT(Student, code),
 *                                             RL_TEXT(Student, name)};
 *   const rl_model Student_model = RL_MODEL_NO_PK(Student, "students", student_fields,
 *                                                 .primary_key = RL_NAMES("id", "code"));
 *   typedef struct { int64_t pk, student_id; char *student_code, *note; } StudentInfo;
 *   static const rl_key info_keys[] = {
 *       RL_KEY(RL_NAMES("student_id", "student_code"), &Student_model, .name = "student",
 *              .on_delete = RL_CASCADE)};
 *   const rl_model StudentInfo_model = RL_MODEL(StudentInfo, "students_info", info_fields,
 *                                               RL_KEYS(info_keys));
 */
#define RL_MAX_KEY_FIELDS 8
typedef struct rl_key {
    const char *name;
    const char *const *fields;
    const struct rl_model *references;
    const char *const *references_fields;
    rl_action on_delete;
    rl_action on_update;
    bool deferrable; /* DEFERRABLE INITIALLY DEFERRED */
} rl_key;

/*
 * A model: a C struct mapped to a table.  The struct has an int64_t primary key member,
 * "pk" with RL_MODEL (column "pk" unless pk_column says otherwise); 0 means "not yet set".
 * A model without one (RL_MODEL_NO_PK) may name the fields that are its primary key, of any
 * kind and any number, in primary_key (a NULL-terminated list): such a model can be the
 * target of a key, and its rows are read, written and related through those fields:
 *
 *   typedef struct { char *code, *name; } Country;
 *   static const char *const country_key[] = {"code", NULL};
 *   static const rl_field country_fields[] = {RL_TEXT(Country, code), RL_TEXT(Country, name)};
 *   const rl_model Country_model = RL_MODEL_NO_PK(Country, "countries", country_fields,
 *                                                 .primary_key = country_key);
 *   typedef struct { int64_t pk; char *name, *country; } City;
 *   static const rl_field city_fields[] = {
 *       RL_TEXT(City, name), RL_TEXT(City, country, .references = &Country_model)};
 */
typedef struct rl_model {
    const char *type_name; /* the C struct name, used in messages and to derive a table name */
    const char *table;     /* NULL: derived, "BookReview" -> "book_reviews" */
    size_t size;
    bool has_pk;
    size_t pk_offset;
    rl_ctype pk_ctype;
    const char *pk_column; /* NULL: "pk" */
    bool autoincrement;    /* never reuse the pk of a deleted row */
    const rl_field *fields;
    size_t nfields;
    const rl_index *indexes;
    size_t nindexes;
    const char *const *primary_key; /* a model without a pk member: its key's fields, or NULL */
    const rl_key *keys;             /* foreign keys of several fields (RL_KEYS) */
    size_t nkeys;
} rl_model;

#define RL__MEMBER_CTYPE(T, m)                                                                     \
    _Generic(&((T *)0)->m,                                                                         \
        int64_t *: RL_CT_INT64,                                                                    \
        int *: RL_CT_INT,                                                                          \
        double *: RL_CT_DOUBLE,                                                                    \
        bool *: RL_CT_BOOL,                                                                        \
        char **: RL_CT_TEXT,                                                                       \
        const char **: RL_CT_TEXT,                                                                 \
        rl_blob *: RL_CT_BLOB,                                                                     \
        rl_maybe_int *: RL_CT_MAYBE_INT,                                                           \
        rl_maybe_real *: RL_CT_MAYBE_REAL,                                                         \
        rl_maybe_bool *: RL_CT_MAYBE_BOOL,                                                         \
        struct rl_value *: RL_CT_VALUE,                                                            \
        default: RL_CT_INVALID)

/*
 * The field and model macros take their options as designated initializers after the required
 * arguments.  Each forwards its arguments with one empty argument appended, so that a call
 * without options is valid ISO C (a variadic macro needs at least one argument for its "...")
 * and the initializer ends in a harmless trailing comma.
 */
#define RL__FIELD(k, T, m, ...)                                                                    \
    {                                                                                              \
        .name = #m, .ctype = RL__MEMBER_CTYPE(T, m), .offset = offsetof(T, m),                     \
        .size = sizeof(((T *)0)->m), .kind = (k), __VA_ARGS__                                      \
    }
#define RL__FOREIGN_KEY(T, m, target, ...)                                                         \
    RL__FIELD(RL_KIND_INTEGER, T, m, .references = (target), __VA_ARGS__)

/* A column whose kind follows from the member type (int64_t, double, char *, rl_maybe_int...):
 * RL_FIELD(T, member) or RL_FIELD(T, member, .nullable = true, ...). */
#define RL_FIELD(...) RL__FIELD(RL_KIND_AUTO, __VA_ARGS__, )
/* Columns of a stated kind; a member of the wrong C type is a declaration error. */
#define RL_INT(...)  RL__FIELD(RL_KIND_INTEGER, __VA_ARGS__, )
#define RL_REAL(...) RL__FIELD(RL_KIND_REAL, __VA_ARGS__, )
#define RL_TEXT(...) RL__FIELD(RL_KIND_TEXT, __VA_ARGS__, )
#define RL_BLOB(...) RL__FIELD(RL_KIND_BLOB, __VA_ARGS__, )
#define RL_BOOL(...) RL__FIELD(RL_KIND_BOOLEAN, __VA_ARGS__, )
/* A foreign key to target's primary key: an int64_t member, or rl_maybe_int when nullable.
 * RL_FOREIGN_KEY(T, member, &Target_model) or with options (.on_delete = RL_CASCADE, ...). */
#define RL_FOREIGN_KEY(...) RL__FOREIGN_KEY(__VA_ARGS__, )

#define RL__COUNT(arr) (sizeof(arr) / sizeof((arr)[0]))

#define RL__MODEL(T, tbl, field_array, ...)                                                        \
    {                                                                                              \
        .type_name = #T, .table = (tbl), .size = sizeof(T), .has_pk = true,                        \
        .pk_offset = offsetof(T, pk), .pk_ctype = RL__MEMBER_CTYPE(T, pk),                         \
        .fields = (field_array), .nfields = RL__COUNT(field_array), __VA_ARGS__                    \
    }
#define RL__MODEL_NO_PK(T, tbl, field_array, ...)                                                  \
    {                                                                                              \
        .type_name = #T, .table = (tbl), .size = sizeof(T), .has_pk = false,                       \
        .fields = (field_array), .nfields = RL__COUNT(field_array), __VA_ARGS__                    \
    }

/* A model for struct T with an int64_t member "pk": RL_MODEL(T, tbl, fields) or
 * RL_MODEL(T, tbl, fields, options...).  tbl may be NULL (derived from T). */
#define RL_MODEL(...) RL__MODEL(__VA_ARGS__, )

/* A model without a pk member (a log, a link table): with .primary_key = fields, its key is
 * those fields (a text or composite key) and it can be the target of a key; without, it has
 * none and cannot be. */
#define RL_MODEL_NO_PK(...) RL__MODEL_NO_PK(__VA_ARGS__, )

/* A NULL-terminated list of names, for .primary_key, rl_index and rl_key:
 * RL_NAMES("id", "code").  A compound literal: in C (not C++), in models declared at file
 * scope (inside a function it would not be a constant). */
#define RL_NAMES(...) ((const char *const[]){__VA_ARGS__, NULL})
/* A composite foreign key: RL_KEY(fields, &Target_model) or with options
 * (.name = "student", .references_fields = RL_NAMES(...), .on_delete = RL_CASCADE, ...). */
#define RL__KEY(flds, target, ...)                                                                 \
    {                                                                                              \
        .fields = (flds), .references = (target), __VA_ARGS__                                      \
    }
#define RL_KEY(...) RL__KEY(__VA_ARGS__, )
/* Use inside RL_MODEL(...) to attach an array of rl_key. */
#define RL_KEYS(key_array) .keys = (key_array), .nkeys = RL__COUNT(key_array)

/* Use inside RL_MODEL(...) to attach an array of rl_index. */
#define RL_INDEXES(index_array) .indexes = (index_array), .nindexes = RL__COUNT(index_array)

/* ------------------------------------------------------------------------------------------ */
/* Errors                                                                                      */
/* ------------------------------------------------------------------------------------------ */

/*
 * What a foreign-key failure is about.  Every string is non-NULL ("" where a fact does not
 * apply) and owned by the connection: valid until its next call.  A composite key lists every
 * column ("a, b") and every value ("(1, 9)").
 */
typedef struct rl_fk_detail {
    const char *child_table;
    const char *child_column; /* the key's columns in the child, comma-separated */
    const char *parent_table;
    const char *parent_column; /* the referenced columns, comma-separated */
    const char *value;         /* the offending key value(s) as SQL literals ("99999", "NULL") */
    int64_t referencing;       /* for a parent-side failure: child rows still referencing;
                                  -1 when they could not be counted (PostgreSQL, inside the
                                  transaction that the failure aborted) */
    rl_action action;          /* for a parent-side failure: the action that blocked it */
    bool parent_side;          /* true: a delete or key change of a parent; false: a child's key */
} rl_fk_detail;

/*
 * The values of a key as rl_fk_detail.value (and rl_finding's) writes them, taken out of their
 * SQL literals: "'it''s'" gives it's, "99999" 99999, "X'01ff'" stays X'01ff', "NULL" a NULL
 * pointer; a key of several columns, "(1, 'a')", gives each column's value in order.  At most
 * max values are written to out, each a new string to free(); returns their number, or 0 when
 * memory ran out (then nothing is left allocated).
 */
size_t rl_key_values(const char *literals, char **out, size_t max);

/*
 * The detailed error of the last failed call on a connection.  Every field describes that
 * call only; strings are never NULL and stay valid until the next call on the connection.
 */
typedef struct rl_error {
    int code;               /* RL_E* */
    int engine_code;        /* the engine's own code (SQLite: extended result code), 0 if none */
    const char *message;    /* a complete sentence */
    const char *table;      /* the table concerned, if any ("" otherwise) */
    const char *column;     /* the column concerned (unique/not-null/unknown field; a unique
                               key of several: "a, b"), or "" */
    const char *constraint; /* for RL_ECHECK: the constraint's name or its whole expression */
    int64_t item;           /* for rl_insert_many: index of the failing item, else -1 */
    rl_fk_detail fk;        /* for RL_EFOREIGNKEY */
    const char *value;      /* for RL_ETYPE: the value refused, as its text ("" if unknown) */
    /* The engine's own account of a refusal, where it gives one (PostgreSQL's server does;
     * SQLite gives none), else "": its SQLSTATE ("23505"), its primary message, DETAIL and
     * HINT, as they came. */
    const char *sqlstate;
    const char *engine_message;
    const char *engine_detail;
    const char *engine_hint;
} rl_error;

typedef struct rl_db rl_db;

/*
 * The error of the last call on db (code RL_OK and "No error." after a call that succeeded).
 * Never NULL: for a NULL db, a constant record with code RL_EINVAL.
 */
const rl_error *rl_last_error(const rl_db *db);

/* Shorthand for rl_last_error(db)->message.  Never NULL. */
const char *rl_errmsg(const rl_db *db);

/* ------------------------------------------------------------------------------------------ */
/* Connections                                                                                 */
/* ------------------------------------------------------------------------------------------ */

typedef enum rl_profile {
    RL_PROFILE_FROM_ENV = 0, /* REFLITE_ENV: development (default), test or production */
    RL_PROFILE_DEVELOPMENT,  /* WAL, synchronous=NORMAL, creates the file if missing */
    RL_PROFILE_TEST,         /* each open gets a fresh private store deleted on close */
    RL_PROFILE_PRODUCTION    /* WAL, synchronous=FULL, the file must exist unless create */
} rl_profile;

/* Options of rl_open; a zero-initialised struct (or NULL) means the defaults. */
/*
 * PostgreSQL: how statements are prepared.  A transaction-pooling connection pooler (PgBouncer
 * in transaction mode, most cloud poolers) hands each transaction to whichever server
 * connection is free, so a statement prepared on one server connection is unknown on the next.
 *  - RL_PREPARED_ON: named server-side prepared statements (fastest; for a direct connection);
 *  - RL_PREPARED_OFF: unnamed statements, described and run each in one round trip, nothing
 *    kept on the server between transactions, and no session settings made outside a
 *    transaction (read_only is refused: it would reach other clients' sessions; the test
 *    profile's private store is a database of its own, CREATE DATABASE rl_test_<hex>, dropped
 *    at close): for a transaction pooler;
 *  - RL_PREPARED_AUTO (0, the default): OFF when the connection looks like a pooler (port 6432,
 *    or a host name containing "pooler"), else ON, switching to OFF for good the first time the
 *    server does not know a statement this connection prepared (outside a transaction the
 *    statement is run again at once; inside one the transaction fails, once).
 * The URL's prepared_statements=on|off|auto says the same when this is RL_PREPARED_AUTO.
 */
typedef enum rl_prepared { RL_PREPARED_AUTO = 0, RL_PREPARED_ON, RL_PREPARED_OFF } rl_prepared;

typedef struct rl_options {
    rl_profile profile;
    int busy_timeout_ms; /* 0: 5000; negative: no busy handler (SQLite: reflite's own, which
                            tries again after naps of 200 µs, then of 1 ms, until this) */
    bool no_wal;         /* SQLite: keep the rollback journal instead of WAL (reflite/sqlite.h) */
    bool read_only;
    bool create;                     /* production: allow creating a missing database file */
    rl_prepared prepared_statements; /* PostgreSQL: see rl_prepared */
    /* PostgreSQL: read replicas (streaming standbys of the server path names), their URLs
     * separated by spaces, or NULL for none.  See "Read replicas" below. */
    const char *replicas;
    int replica_max_lag_ms; /* a replica further behind gets no reads; 0: 10000, <0: no limit */
} rl_options;

/*
 * Open a connection.  path: a file, ":memory:", or NULL for $REFLITE_DATABASE (and, in
 * development, "reflite.db" if that is unset).  Foreign keys are switched on outside any
 * transaction and read back; a build of SQLite that cannot enforce them is refused with
 * RL_ENOFK.  On failure *out is NULL; use rl_open_ex to receive the error sentence.
 */
int rl_open(rl_db **out, const char *path, const rl_options *opts);

/* Like rl_open, and on failure writes the error sentence into errbuf (of size errlen). */
int rl_open_ex(rl_db **out, const char *path, const rl_options *opts, char *errbuf, size_t errlen);

/*
 * A lost connection (PostgreSQL).  The server may restart, stop or end a session; an open
 * connection then comes back by itself, and a call fails only where it cannot be carried out,
 * with RL_EDISCONNECTED and a sentence saying what became of the work:
 *
 *  - Outside a transaction, a call on a connection whose session the server ended while it
 *    was idle connects again before it sends anything, and succeeds.
 *  - A statement under way when the connection is lost fails with RL_EDISCONNECTED, or with
 *    RL_EINDOUBT when it may write and ran outside a transaction: whether it took effect is
 *    unknown (statements of one call, such as those of rl_exec or rl_insert_many, are undone
 *    together: RL_EDISCONNECTED).  The next call connects again.
 *  - While the server cannot be reached, every call fails at once with RL_EDISCONNECTED and
 *    the next one tries again (a host that does not answer is waited for as long as the URL's
 *    connect_timeout says).
 *  - Inside a transaction (rl_begin, or BEGIN as raw SQL), the call fails with
 *    RL_EDISCONNECTED and the transaction is gone: the server rolled it back.  Until the
 *    caller ends it, every further call fails the same way, so that nothing meant for the
 *    transaction runs on its own; rl_rollback (or raw ROLLBACK) ends it and succeeds, rl_commit
 *    ends it with RL_EDISCONNECTED (not committed), and rl_txn_depth counts the levels the
 *    caller has not ended yet.  When the connection is lost during COMMIT itself, whether the
 *    transaction was committed is unknown: RL_EINDOUBT (after a failover too: the new primary
 *    may or may not have received it).
 *
 * A new session is set up as at rl_open: the same URL, the same options (lock timeout,
 * read-only), the test profile's private schema on the search path, the replica check
 * (RL_EREFUSED).  Statements the connection keeps are prepared again on their next run, and
 * rl_interrupt reaches the new session.  Settings made with raw SQL (SET ...) belong to the
 * lost session: give them in the URL (options=-c...) instead.  A SQLite file is never
 * disconnected.
 */

/*
 * Read replicas (PostgreSQL, rl_options.replicas).  The connection holds, beside its session on
 * the primary, one on each replica (a streaming standby: pg_basebackup -R, or a cloud read
 * replica).  A statement that only reads (SELECT, reflite's reads) and runs outside a
 * transaction goes to a replica that is current enough; everything else (writes, DDL, anything
 * inside rl_begin or BEGIN, SELECT ... FOR UPDATE) goes to the primary.  A replica is current
 * enough when
 *  - it has replayed the position of this connection's last committed write (its own writes
 *    are always seen: read-your-writes) and the position given to rl_read_after, and
 *  - it is in recovery and its replay lags the WAL it has received by at most
 *    replica_max_lag_ms (measured as the server does: the time since the last transaction it
 *    replayed, 0 when it has replayed all it received);
 * else the read goes to the primary.  A replica's state is read with one statement at most
 * every 100 ms (and when a read needs a newer position than it had); a replica that fails is
 * left alone for a second and its reads go to the primary, so a replica never makes a read
 * fail that the primary would answer.  Writes made by functions called from a SELECT are not
 * seen as writes unless a replica refuses them (read-only transaction): then the statement runs
 * on the primary and counts as a write.  A replica cut off from its primary and not told so
 * looks current (its lag is measured from what it received): what a replica serves can be as
 * old as replica_max_lag_ms plus the time it has been cut off, except for this connection's own
 * writes and rl_read_after's position, which are always seen.
 */

/*
 * The position of the last write this connection committed on the primary (PostgreSQL's WAL
 * position, "16/B374D848"), into buf (len bytes): what another connection (another process, an
 * HTTP client through the Reflite-Position header) gives rl_read_after to see that write.  ""
 * when the connection has written nothing since it was opened, and always on a connection
 * without replicas (and on SQLite).  RL_EINVAL for a NULL argument or a buf too small (24 bytes
 * always suffice).
 */
int rl_db_position(rl_db *db, char *buf, size_t len);

/*
 * The reads of db that follow (until the next call) go to a replica only once it has replayed
 * position (from rl_db_position, on this or another connection), else to the primary.  NULL or
 * "" forgets the position; a text that is not a position sends every read to the primary (the
 * safe side) and returns RL_EINVAL.  A no-op without replicas.
 */
int rl_read_after(rl_db *db, const char *position);

/*
 * Close a connection and free everything it cached.  An open transaction is rolled back
 * (never committed silently) and RL_ETXN is returned; the connection is closed either way.
 * rl_close(NULL) is a no-op returning 0.
 */
int rl_close(rl_db *db);

/*
 * Open another connection to the database db is connected to (the same file or server, with
 * the same options), for another thread: a connection is used by one thread at a time.
 * RL_EMISUSE when no other connection can see db's database: SQLite's ":memory:" and the test
 * profile's private store (on either engine).  On failure *out is NULL and rl_errmsg(db) says
 * why.
 */
int rl_db_clone(rl_db *db, rl_db **out);

/* The profile the connection was opened with (FROM_ENV resolved; FROM_ENV for NULL). */
rl_profile rl_db_profile(const rl_db *db);

/* The engine db runs on: "sqlite" or "postgresql" ("" for NULL). */
const char *rl_db_engine(const rl_db *db);

/*
 * Stop the statement running on db as soon as the engine can: the call running it fails
 * with RL_EINTERRUPTED (a transaction it was in stays open: roll it back).  The one call that
 * may come from another thread while db is in use, as from a watchdog that limits how long a
 * statement may run; a no-op when nothing runs (on PostgreSQL, a request to the server that
 * may arrive after the statement ended and then does nothing).  RL_EINVAL for NULL.
 */
int rl_interrupt(rl_db *db);

/*
 * A number that changes whenever the schema db sees changes (a table or column added, dropped,
 * renamed or altered, a key or constraint changed), by this connection or any other: a
 * program that keeps models read from the database (rl_models_load) compares it with the
 * number it read them at and reloads them when it moved.  SQLite: the schema cookie (PRAGMA
 * schema_version); PostgreSQL: a digest of the catalog rows of the tables, columns and
 * constraints of the schemas on the search path (one query, about as costly as a small
 * SELECT).  Equal numbers mean no change; the number itself means nothing else.
 */
int rl_schema_version(rl_db *db, int64_t *out);

/* Whether target names a database on a server (a postgresql:// or postgres:// URL) rather
 * than a SQLite file. */
bool rl_target_is_server(const char *target);

/* "development", "test" or "production". */
const char *rl_profile_name(rl_profile profile);

/* Parse "development"/"dev", "test", "production"/"prod". RL_EINVAL for anything else. */
int rl_profile_parse(const char *name, rl_profile *out);

/* ------------------------------------------------------------------------------------------ */
/* Transactions                                                                                */
/* ------------------------------------------------------------------------------------------ */

/* Begin a transaction (BEGIN IMMEDIATE), or a savepoint when one is already open. */
int rl_begin(rl_db *db);
/*
 * Commit the innermost level.  When deferred foreign keys are violated at the outermost
 * commit, RL_EFOREIGNKEY names the violation and the transaction stays open: fix the data
 * or rl_rollback.  A transaction whose connection was lost is not committed (RL_EDISCONNECTED;
 * see "A lost connection").
 */
int rl_commit(rl_db *db);
/* Roll back the innermost level (to its savepoint, or the whole transaction); also of a
 * transaction that a lost connection took with it, which succeeds. */
int rl_rollback(rl_db *db);
/* Nesting depth: 0 outside any transaction; RL_EINVAL for a NULL db. */
int rl_txn_depth(const rl_db *db);

/* ------------------------------------------------------------------------------------------ */
/* Values (raw SQL parameters and query operands)                                              */
/* ------------------------------------------------------------------------------------------ */

/* RL_V_DEFAULT is not a value but "the column's default" (rl_default), for rl_update_where's
 * sets and an inserted row's rl_value members only; anywhere else it is refused (RL_EINVAL). */
typedef enum rl_vtype {
    RL_V_NULL = 0,
    RL_V_INT,
    RL_V_REAL,
    RL_V_TEXT,
    RL_V_BLOB,
    RL_V_DEFAULT
} rl_vtype;

typedef struct rl_value {
    rl_vtype type;
    union {
        int64_t i;
        double r;
        const char *s;
        rl_blob b;
    } u;
} rl_value;

static inline rl_value rl_int(int64_t v)
{
    rl_value x;
    x.type = RL_V_INT;
    x.u.i = v;
    return x;
}
static inline rl_value rl_real(double v)
{
    rl_value x;
    x.type = RL_V_REAL;
    x.u.r = v;
    return x;
}
/* Text; a NULL pointer is SQL NULL. Not copied: must outlive the call. */
static inline rl_value rl_text(const char *s)
{
    rl_value x;
    x.type = s ? RL_V_TEXT : RL_V_NULL;
    x.u.s = s;
    return x;
}
static inline rl_value rl_blob_value(const void *data, size_t len)
{
    rl_value x;
    x.type = data ? RL_V_BLOB : RL_V_NULL;
    x.u.b.data = data;
    x.u.b.len = len;
    return x;
}
static inline rl_value rl_null(void)
{
    rl_value x;
    x.type = RL_V_NULL;
    x.u.i = 0;
    return x;
}
/*
 * The column's default, as the value of an rl_set for rl_update_where: PostgreSQL's
 * `SET col = DEFAULT`; on SQLite, which has no such keyword, the default expression the field
 * declares (rl_field.default_sql, as a runtime model reads it from the table), or NULL for a
 * field without one.  In an rl_value member of a row to insert: the column's default, read
 * back.  Refused (RL_EINVAL) anywhere else: a condition, a raw statement's parameter, an
 * update or upsert of a row.
 */
static inline rl_value rl_default(void)
{
    rl_value x;
    x.type = RL_V_DEFAULT;
    x.u.i = 0;
    return x;
}

/* ------------------------------------------------------------------------------------------ */
/* Raw SQL escape hatch                                                                        */
/* ------------------------------------------------------------------------------------------ */

/*
 * Run one or more SQL statements, binding params (?1..?n) to the first statement.  Several
 * statements run all-or-nothing inside a savepoint.  Constraint failures get the same
 * diagnosis (and sentence) as the typed API.  *changes (may be NULL) receives the rows changed
 * by the last statement.  SQL that would switch enforcement off (PRAGMA foreign_keys = OFF,
 * ignore_check_constraints = ON, writable_schema = ON) is refused with RL_EREFUSED.
 */
int rl_exec(rl_db *db, const char *sql, const rl_value *params, size_t nparams, int64_t *changes);

/* Run a query whose first column of its first row is an integer; RL_ENOTFOUND if no row. */
int rl_query_int(rl_db *db, const char *sql, const rl_value *params, size_t nparams, int64_t *out);

/* ------------------------------------------------------------------------------------------ */
/* Schema creation                                                                             */
/* ------------------------------------------------------------------------------------------ */

/* Validate a model (and every model it references) without touching the database. */
int rl_model_validate(rl_db *db, const rl_model *model);

/*
 * Create the tables and indexes of models, parents before children whatever the order given;
 * models referenced but not listed are included.  Every foreign-key column gets an index.
 * Idempotent (IF NOT EXISTS).  All or nothing, in one transaction.
 */
int rl_create_all(rl_db *db, const rl_model *const *models, size_t n);

/* rl_create_all for one model (and what it references). */
int rl_create_table(rl_db *db, const rl_model *model);

/*
 * The CREATE statements of models in creation order, as one malloc'd string (free with
 * free()).  *out is NULL on failure.
 */
int rl_schema_sql(rl_db *db, const rl_model *const *models, size_t n, char **out);

/* The table name of a model (derived if not given); NULL for a NULL or invalid model. */
const char *rl_model_table(rl_db *db, const rl_model *model);

/* ------------------------------------------------------------------------------------------ */
/* CRUD                                                                                        */
/* ------------------------------------------------------------------------------------------ */

/*
 * Insert row (a pointer to the model's struct).  A pk of 0 is assigned and written back.  A
 * field with default_sql that the struct leaves unset (NULL char *, rl_blob with NULL data,
 * absent rl_maybe_*) gets the database default, which is then read back into the struct: a
 * text or blob member filled so points to malloc'd memory the caller frees.
 */
int rl_insert(rl_db *db, const rl_model *model, void *row);
/* How rl_insert_ex takes a row. */
enum {
    /* the pk the row holds is its key, 0 included (rl_insert assigns one for 0): for a caller
     * whose 0 is a key, a row an application or an HTTP client gave id 0 */
    RL_INSERT_KEY_GIVEN = 1,
    /* a NULL member is NULL, also in a column with a default; an rl_value member set to
     * rl_default() takes the column's default (read back), as a NULL member does for rl_insert */
    RL_INSERT_NULL_IS_NULL = 2
};
/*
 * rl_insert with flags (RL_INSERT_*; 0 is rl_insert).  An rl_value member set to rl_default()
 * takes the column's default with or without flags.
 */
int rl_insert_ex(rl_db *db, const rl_model *model, void *row, unsigned flags);

/*
 * Insert n rows stored contiguously at rows (an array of the model's struct), all or nothing.
 * On failure rl_last_error(db)->item is the index of the failing row and nothing is kept.
 */
int rl_insert_many(rl_db *db, const rl_model *model, void *rows, size_t n);

/*
 * Fetch the row with primary key pk into out.  Text and blob members point to memory owned by
 * the row: release it with rl_row_free.  RL_ENOTFOUND when there is no such row.
 */
int rl_get(rl_db *db, const rl_model *model, int64_t pk, void *out);

/* Free the text and blob members of a row filled by rl_get / rl_fetch_first / rl_fetch_one. */
void rl_row_free(const rl_model *model, void *row);

/* Write every field of row to the row with the same pk (a model without a pk member but with
 * a primary_key: every other field to the row with the same key fields).  RL_ENOTFOUND if
 * there is none. */
int rl_update(rl_db *db, const rl_model *model, const void *row);

/*
 * Write only the named fields (a NULL-terminated list) of row.  Changing only what changed
 * keeps foreign-key checks off columns that were not touched.
 */
int rl_update_fields(rl_db *db, const rl_model *model, const void *row, const char *const *fields);

/* Delete the row with primary key pk.  RL_ENOTFOUND if there is none. */
int rl_delete(rl_db *db, const rl_model *model, int64_t pk);

/*
 * Change a row's primary key from old_pk to new_pk; ON UPDATE actions of referencing keys run
 * (CASCADE follows, RESTRICT refuses, ...).  RL_ENOTFOUND if there is no row old_pk.
 */
int rl_update_pk(rl_db *db, const rl_model *model, int64_t old_pk, int64_t new_pk);

/* ------------------------------------------------------------------------------------------ */
/* Queries                                                                                     */
/* ------------------------------------------------------------------------------------------ */

typedef enum rl_op {
    RL_EQ,
    RL_NE,
    RL_LT,
    RL_LE,
    RL_GT,
    RL_GE,
    RL_LIKE,            /* SQL LIKE pattern (ASCII case-insensitive) */
    RL_GLOB,            /* SQL GLOB pattern (case-sensitive) */
    RL_CONTAINS,        /* case-insensitive substring; % and _ in the operand are literal */
    RL_STARTS_WITH,     /* case-insensitive prefix */
    RL_ENDS_WITH,       /* case-insensitive suffix */
    RL_IS_NULL,         /* operand ignored */
    RL_IS_NOT_NULL,     /* operand ignored */
    RL_NOT_LIKE,        /* NOT LIKE (a NULL matches neither LIKE nor NOT LIKE) */
    RL_NOT_GLOB,        /* NOT GLOB */
    RL_IS_DISTINCT,     /* IS DISTINCT FROM: <> where NULL is a value (NULL vs 1 holds) */
    RL_IS_NOT_DISTINCT, /* IS NOT DISTINCT FROM: = where NULL is a value (NULL vs NULL holds) */
    RL_MATCH,           /* a POSIX extended regular expression matches (case-sensitive) */
    RL_IMATCH,          /* ... case-insensitive */
    RL_NOT_MATCH,       /* it does not (a NULL matches neither) */
    RL_NOT_IMATCH,
    /* PostgreSQL's own operators (RL_EINVAL on SQLite); the operand is the text of a value of
     * the column's type, as PostgreSQL reads it ('{1,2}', '[1,5)', '{"a": 1}') */
    RL_INCLUDES,     /* @>  the array, range or JSON document holds all of the operand */
    RL_INCLUDED_IN,  /* <@  it is held in the operand */
    RL_OVERLAPS,     /* &&  they have an element in common */
    RL_LEFT_OF,      /* <<  the range is strictly left of the operand */
    RL_RIGHT_OF,     /* >>  strictly right */
    RL_NOT_RIGHT_OF, /* &<  does not extend to the right of the operand */
    RL_NOT_LEFT_OF,  /* &>  does not extend to its left */
    RL_ADJACENT,     /* -|- is adjacent to it */
    /* full-text search: the column (text or tsvector) @@ the operand read as a query by
     * to_tsquery, plainto_tsquery, phraseto_tsquery or websearch_to_tsquery, in the default
     * configuration (rl_where_search names one); on SQLite through an FTS5 table that
     * indexes the column (rl_where_search) */
    RL_FTS,
    RL_PLFTS,
    RL_PHFTS,
    RL_WFTS
} rl_op;

/* The direction of an ordering term; where NULLs go is the engine's choice (SQLite: first
 * ascending, PostgreSQL: last ascending) unless a _NULLS_ value says. */
typedef enum rl_order {
    RL_ASC,
    RL_DESC,
    RL_ASC_NULLS_FIRST,
    RL_ASC_NULLS_LAST,
    RL_DESC_NULLS_FIRST,
    RL_DESC_NULLS_LAST
} rl_order;

typedef struct rl_query rl_query;

/*
 * A result set: items is an array of count structs of the model's type.  After rl_join,
 * parents is an array of count structs of the parent's model, parents[i] being the parent of
 * items[i], and has_parent[i] says whether it has one (false for a NULL key: the struct is
 * then zeroed); both NULL for a query without a join.
 */
typedef struct rl_rows {
    size_t count;
    void *items;
    struct rl_rows_private *priv;
    void *parents;
    const bool *has_parent;
} rl_rows;

/*
 * Start a query on model.  NULL only for a NULL db (or out of memory); errors in building
 * (a NULL or invalid model, an unknown field...) are remembered and returned by the first
 * call that runs the query.
 */
rl_query *rl_select(rl_db *db, const rl_model *model);
/* Free a query (NULL is a no-op).  A query belongs to its connection: free it before
 * rl_close (the connection keeps the last freed query's memory for the next rl_select). */
void rl_query_free(rl_query *q);

/*
 * Add a condition on field (a field name, or the pk column).  Comparing with rl_null() under
 * RL_EQ / RL_NE means IS NULL / IS NOT NULL.  Returns RL_EFIELD for an unknown field.
 */
int rl_where(rl_query *q, const char *field, rl_op op, rl_value v);
/* field IN (values...) or, with negate, NOT IN. n == 0 matches nothing (or everything). */
int rl_where_in(rl_query *q, const char *field, const rl_value *values, size_t n, bool negate);
/* Open a group whose conditions are joined with OR (rl_any) or AND (rl_all). */
int rl_any(rl_query *q);
int rl_all(rl_query *q);
/* Open a group that holds when none of its conditions holds: NOT (a OR b ...); a condition
 * that is NULL (SQL's unknown) keeps it from holding, as NOT does in SQL. */
int rl_none(rl_query *q);
/* Close the innermost group. */
int rl_end(rl_query *q);
/* Full-text search on PostgreSQL: field @@ op's function (RL_FTS: to_tsquery, RL_PLFTS:
 * plainto_tsquery, RL_PHFTS: phraseto_tsquery, RL_WFTS: websearch_to_tsquery) of text in
 * the text search configuration config ("english"; NULL: the database's default).  A column
 * that is not a tsvector (text, JSON) is read by to_tsvector in the same configuration.
 * On SQLite, for a model of rl_models_load whose column an FTS5 table indexes (external
 * content: "CREATE VIRTUAL TABLE books_fts USING fts5(title, content='books'[,
 * content_rowid='id'])", kept in step by the application), the rows whose ids that table
 * MATCHes: text is translated into FTS5's query language (every word an FTS5 string; &, |,
 * a ! beside another term, <-> between words, a:* for RL_FTS; every word, the words as a
 * phrase, and words, "phrases", "or" and -word for the others), the FTS5 table's tokenizer
 * in place of config; RL_EINVAL, before any SQL, for a column no FTS5 table indexes or a
 * query FTS5 cannot say (a ! alone, <N>, <-> between groups).  A row whose column is NULL is
 * neither found nor (under NOT) not found, as on PostgreSQL. */
int rl_where_search(rl_query *q, const char *field, rl_op op, const char *config, const char *text);
/* One step of a JSON path into a column: an object's key, or (index) an array's element by
 * its position in decimal ("0"; "-1" the last). */
typedef struct rl_json_step {
    const char *key;
    bool index;
} rl_json_step;
/* A condition on the value the n steps reach in field's JSON document (PostgreSQL: any column,
 * read as to_jsonb; SQLite: the column's JSON text, a value that is not JSON reaching NULL):
 * with text, the value as text (PostgreSQL's ->>: a string's own text, a number's digits,
 * true/false, an object's JSON), compared with v as text; else the value as JSON (->),
 * compared as jsonb on PostgreSQL and as SQLite's minified JSON text there.  A path that leads
 * nowhere reaches NULL.  op is one of rl_where's (not PostgreSQL's own operators or a search);
 * RL_EINVAL for a step that is not a key or an index, more than 64 steps, or on SQLite a key
 * with a double quote (its JSON paths cannot name one). */
int rl_where_json(rl_query *q, const char *field, const rl_json_step *steps, size_t n, bool text,
                  rl_op op, rl_value v);
/* Append an ordering term; several calls order by several columns. */
int rl_order_by(rl_query *q, const char *field, rl_order dir);
/* Order by the value the n steps reach in field's JSON document, as rl_where_json reads it
 * (text: as text; else PostgreSQL's jsonb order, SQLite's order of the value as SQL). */
int rl_order_by_json(rl_query *q, const char *field, const rl_json_step *steps, size_t n, bool text,
                     rl_order dir);
int rl_limit(rl_query *q, int64_t limit);
int rl_offset(rl_query *q, int64_t offset);

/* Run the query and return every row. Free with rl_rows_free. */
int rl_fetch_all(rl_query *q, rl_rows **out);
/* The first row (after ordering) into out; RL_ENOTFOUND if none. Free with rl_row_free. */
int rl_fetch_first(rl_query *q, void *out);
/* Exactly one row into out; RL_ENOTFOUND if none, RL_EMULTIPLE if more than one. */
int rl_fetch_one(rl_query *q, void *out);
int rl_count(rl_query *q, int64_t *out);
/* The engine planner's estimate of the rows q matches (PostgreSQL: EXPLAIN's top row count,
 * from its statistics: quick on a large table, and as right as they are); on SQLite, which has
 * no such estimate, the exact count. */
int rl_count_planned(rl_query *q, int64_t *out);
int rl_exists(rl_query *q, bool *out);

/* An assignment for rl_update_where. */
typedef struct rl_set {
    const char *field;
    rl_value value;
} rl_set;

/* UPDATE the rows the query matches; *changed (may be NULL) gets the number of rows. */
int rl_update_where(rl_query *q, const rl_set *sets, size_t nsets, int64_t *changed);
/* DELETE the rows the query matches (ordering/limit are ignored). */
int rl_delete_where(rl_query *q, int64_t *changed);

/* The SQL text the query would run (for logs and tests). Owned by q; "" for a NULL q. */
const char *rl_query_sql(rl_query *q);

void rl_rows_free(rl_rows *rows);

/*
 * Typed results of any shape: rows of values instead of structs.  Without chosen columns the
 * query's primary key and fields; with rl_select_field / rl_select_agg (in the order of the
 * calls) those columns, and with rl_group_by one row per group.  Fields may be the joined
 * parent's ("authors.name").  Each value has its own type (count an integer, avg real, sum /
 * min / max and fields the column's), NULL as RL_V_NULL.  Chosen columns, DISTINCT and GROUP
 * BY apply to rl_fetch_values only; conditions, ordering and paging as always.
 */
typedef struct rl_values {
    size_t rows, cols;
    const char *const
        *names; /* cols names: "title", "authors.name" as "name", "count", "sum(price)" */
    const rl_value *values; /* row r, column c: values[r * cols + c] */
    struct rl_values_private *priv;
} rl_values;

/* The aggregates of rl_select_agg and rl_aggregate_children. */
typedef enum rl_agg { RL_AGG_COUNT, RL_AGG_SUM, RL_AGG_AVG, RL_AGG_MIN, RL_AGG_MAX } rl_agg;

int rl_select_field(rl_query *q, const char *field);
/* agg over field (NULL with RL_AGG_COUNT: count(*)). */
int rl_select_agg(rl_query *q, rl_agg agg, const char *field);
/*
 * agg over the values of field, reached through n JSON steps in its document as rl_where_json
 * reads them (the last as text when text; n 0: the field's own values), each cast to cast
 * first (RL_KIND_INTEGER, RL_KIND_REAL, RL_KIND_NUMERIC or RL_KIND_TEXT; RL_KIND_AUTO: as it
 * is): PostgREST's data->>n::integer.sum().  The cast is the engine's: PostgreSQL refuses a
 * text that is no number of the type (22P02), SQLite reads the number it begins with (0 for
 * none).  The result is of the cast's kind (a count an integer, avg real).
 */
int rl_select_agg_of(rl_query *q, rl_agg agg, const char *field, const rl_json_step *steps,
                     size_t n, bool text, rl_kind cast);
int rl_distinct(rl_query *q);
int rl_group_by(rl_query *q, const char *field);
/* Run the query and return its rows as values.  Free with rl_values_free. */
int rl_fetch_values(rl_query *q, rl_values **out);
void rl_values_free(rl_values *values);

/* ------------------------------------------------------------------------------------------ */
/* Streaming                                                                                   */
/* ------------------------------------------------------------------------------------------ */

typedef struct rl_cursor rl_cursor;

/*
 * Run q (one statement) and read its rows one at a time with rl_cursor_next: memory stays
 * the same whatever the number of rows.  q may be freed or reused once the cursor is open.
 * On SQLite other statements may run on the connection while a cursor is open; on
 * PostgreSQL (which sends the rows of one statement at a time) nothing else may run until
 * the cursor has read its last row or is freed: such a call fails with RL_EMISUSE.
 */
int rl_cursor_open(rl_query *q, rl_cursor **out);
/*
 * The next row into row (a struct of the query's model): returns 1 with a row, 0 after the
 * last one, or a negative RL_E* code.  Text and blob members point into the cursor's memory,
 * valid until the next call or rl_cursor_free (copy what you keep); members of the struct that
 * are not fields are left as they were.  After rl_join, parent (may be NULL) receives the
 * row's parent the same way, zeroed when it has none.
 */
int rl_cursor_next(rl_cursor *c, void *row, void *parent);
/* Free a cursor (NULL is a no-op), also before its last row: the rest is not read into
 * memory (on PostgreSQL it still crosses the connection, row by row, and is dropped).  A
 * cursor belongs to its connection: free it before rl_close. */
void rl_cursor_free(rl_cursor *c);

/* ------------------------------------------------------------------------------------------ */
/* Relationships                                                                               */
/* ------------------------------------------------------------------------------------------ */

/*
 * Relations follow declared foreign keys, from the child (the model with the key) to the
 * parent (the model it references); "has many" is the same key seen from the parent.  A key
 * is named by the child's field ("author_id"), a key of several fields by its rl_key's name
 * (or its fields joined by commas, "student_id,student_code"); a key of several columns is
 * compared column by column and bound as one parameter all the same (SQLite: a JSON array of
 * arrays read with json_each; PostgreSQL: a JSON array of objects read through the table's row
 * type with json_populate_recordset, each value of its column's type).  A key with a NULL in
 * one of its columns relates to nothing.  Where a call takes key == NULL it means the
 * child's one key to the parent's model; when the child has several, the call fails with
 * RL_EAMBIGUOUS and names them.  Each call below runs exactly the statements it says, and
 * nothing is loaded behind a struct member later.  A set of parent keys is bound as one
 * parameter (SQLite json_each, PostgreSQL = ANY): no limit on its size, no SQL text that
 * grows with it.
 */

/*
 * Read each row of q with its parent through key (NULL: q's model's one key to parent), as
 * one LEFT JOIN: a row whose key is NULL keeps its place, without a parent.  After the call,
 * conditions and ordering may name the parent's fields as "<parent table>.<field>" or
 * "<key>.<field>" (books by the author's name: rl_where(q, "authors.name", ...)).
 * rl_fetch_all fills rows->parents and rows->has_parent; rl_cursor_next its parent argument.
 * A query joins at most one parent this way (rl_join_as joins more tables).
 */
int rl_join(rl_query *q, const rl_model *parent, const char *key);

/*
 * Join table (a LEFT JOIN) to q under the name as, through a key between it and from: from is
 * NULL for q's own model, else the name of a table joined before (by rl_join_as, or the table
 * name of rl_join's parent).  The key (NULL: the only one) is from's key to table (table is
 * from's parent) or, when from has none, table's key to from (table is its child: a row of
 * from meets each of its children, so a key that is not unique in table repeats from's rows).
 * Conditions, rl_select_field, rl_select_agg, rl_group_by and rl_order_by may then name the
 * table's fields as "<as>.<field>" (sum of the costs of each category's processes:
 * rl_join_as(q, NULL, &costs, NULL, "c"); rl_join_as(q, NULL, &categories, NULL, "k");
 * rl_select_field(q, "k.name"); rl_group_by(q, "k.name"); rl_select_agg(q, RL_AGG_SUM,
 * "c.cost")).  Rows read by rl_fetch_all and cursors hold q's own model only (and rl_join's
 * parent); a joined query does not write.  At most 3 tables are joined this way, and a
 * statement names at most 124 of their columns.  RL_EINVAL for a name taken or with a '.', an
 * unknown from or no such key; RL_EAMBIGUOUS when several keys could be meant.
 */
int rl_join_as(rl_query *q, const char *from, const rl_model *table, const char *key,
               const char *as);

/* The rows of several parents' children, grouped: group i holds parent i's children. */
typedef struct rl_groups {
    size_t count;        /* groups: one per parent given */
    const size_t *start; /* group i is items[start[i]] .. items[start[i] + size[i] - 1] */
    const size_t *size;
    size_t total; /* child rows (a parent given twice shares its group) */
    void *items;  /* child structs, each group in the order of the query */
    struct rl_rows_private *priv;
} rl_groups;

/*
 * Prefetch: the children of n parents (structs of parent's model at parents) in one
 * statement.  children is a query on the child model, with any conditions and ordering of
 * its own (each group keeps that order); key names the child's key to parent (NULL: the only
 * one).  Every parent gets a group, empty when it has no children.  Free with
 * rl_groups_free.  The query may be run again or freed afterwards.
 */
int rl_fetch_children(rl_query *children, const rl_model *parent, const char *key,
                      const void *parents, size_t n, rl_groups **out);
void rl_groups_free(rl_groups *groups);

/*
 * The other way: the parents of n child rows (structs of child at children) in one
 * statement.  parents is a query on the parent model; its conditions apply (a parent they
 * leave out is not read) and it should have no limit.  key names the child's key (NULL: the
 * only one to the parent).  Group i holds child i's parent: one row, or none when its key is
 * NULL or the parent was left out; children with one parent share its group and its row.
 * Free with rl_groups_free.  The query may be run again or freed afterwards.
 */
int rl_fetch_parents(rl_query *parents, const rl_model *child, const char *key,
                     const void *children, size_t n, rl_groups **out);

/*
 * For each of n parents, agg over field (a numeric field; NULL with RL_AGG_COUNT: rows) of
 * its children matching the query children, in one statement: out[i] (n values) is
 * parent i's.  A parent without children gets count 0 and NULL for the others, like SQL.
 * count is an integer, avg real, sum/min/max the field's type (integer or real; a NUMERIC
 * field's a whole number as an integer, else real).
 */
int rl_aggregate_children(rl_query *children, const rl_model *parent, const char *key,
                          const void *parents, size_t n, rl_agg agg, const char *field,
                          rl_value *out);

/*
 * A many-to-many relation goes through a link model: a table with a key to each side, both
 * ON DELETE CASCADE (a link goes with either of its rows) and the pair unique.  RL_LINK_MODEL
 * declares one, named NAME, for the struct T (an int64_t pk and two int64_t key members):
 *
 *   typedef struct { int64_t pk, book_id, tag_id; } BookTag;
 *   RL_LINK_MODEL(BookTag_model, BookTag, "book_tags", book_id, &Book_model, tag_id, &Tag_model);
 */
#define RL_LINK_MODEL(NAME, T, table, a_member, A_model, b_member, B_model)                        \
    static const rl_field NAME##_fields_[] = {                                                     \
        RL_FOREIGN_KEY(T, a_member, A_model, .on_delete = RL_CASCADE, .on_update = RL_CASCADE),    \
        RL_FOREIGN_KEY(T, b_member, B_model, .on_delete = RL_CASCADE, .on_update = RL_CASCADE)};   \
    static const char *const NAME##_pair_[] = {#a_member, #b_member, NULL};                        \
    static const rl_index NAME##_indexes_[] = {{NULL, NAME##_pair_, true}};                        \
    static const rl_model NAME = RL_MODEL(T, table, NAME##_fields_, RL_INDEXES(NAME##_indexes_))

/*
 * The rows of b's model linked to each of n rows of model a (at as) through link, in one
 * statement (a join with the link table): group i holds as[i]'s, in b's order, with b's
 * conditions.  The link's keys are found by the models they reference; a link between rows
 * of one model (who follows whom) reads its first key as the side of as and its second as the
 * side of b's rows, in RL_LINK_MODEL's order.  Free with rl_groups_free.
 */
int rl_fetch_linked(rl_query *b, const rl_model *link, const rl_model *a, const void *as, size_t n,
                    rl_groups **out);
/* Link row a_pk of a with row b_pk of b (one INSERT into link; RL_EUNIQUE when they are
 * linked already, RL_EFOREIGNKEY naming the side that does not exist).  Between rows of one
 * model, a_pk goes into the link's first key and b_pk into its second.  Keys of one integer
 * column only: a link through a key of several columns fails with RL_EINVAL (insert its row with
 * rl_insert, delete it with rl_delete_where). */
int rl_link(rl_db *db, const rl_model *link, const rl_model *a, int64_t a_pk, const rl_model *b,
            int64_t b_pk);
/* Remove that link (one DELETE); RL_ENOTFOUND when there is none. */
int rl_unlink(rl_db *db, const rl_model *link, const rl_model *a, int64_t a_pk, const rl_model *b,
              int64_t b_pk);

/*
 * Keep the rows of q that rows of sub refer to through sub's key (NULL: sub's one key to q's
 * model): EXISTS; negate: NOT EXISTS (books not on loan).  sub is a query on the child model
 * with conditions of its own (its ordering and paging are ignored); the call takes it over
 * and frees it, also on failure.  A subquery may have subqueries of its own (at most 8 in all
 * in one query), not a join.
 */
int rl_where_referenced(rl_query *q, rl_query *sub, const char *key, bool negate);
/*
 * Keep the rows of q whose field is among the values of sub_field in sub's rows; negate:
 * among none of them (a NULL field is then kept: NOT EXISTS, not NOT IN).  sub as above.
 */
int rl_where_in_query(rl_query *q, const char *field, rl_query *sub, const char *sub_field,
                      bool negate);

/* ------------------------------------------------------------------------------------------ */
/* Runtime models                                                                              */
/* ------------------------------------------------------------------------------------------ */

typedef struct rl_models rl_models;

/*
 * Models for the tables and views of a live database, for programs that have no C struct for
 * them (a generic tool, the REST server): one per table, in the order parents first where the
 * engine tells, then one per view (below).  A table whose primary key is one integer column gets it
 * as the row's pk, unless that column is also a key to another table (a one-to-one extension:
 * profiles.person_id), which makes it a field with its reference; any other table is a model
 * without one, its key columns being fields like the rest, named in order in the model's
 * primary_key (NULL when it has no primary key).  Every column
 * is a field of type rl_value (RL_CT_VALUE; its kind from the declared type (see rl_kind: json and
 * jsonb are RL_KIND_JSON, numeric and decimal RL_KIND_NUMERIC, and on PostgreSQL arrays
 * RL_KIND_ARRAY, timestamps RL_KIND_TIMESTAMP, dates RL_KIND_DATE), nullable unless NOT NULL,
 * unique when a one-column UNIQUE constraint says so, its default kept: a NULL value on insert
 * takes it, read back), and every single-column foreign key to a unique column of another table of
 * the same kind (its integer primary key; the one column of its primary key or a UNIQUE column,
 * then named in references_field) is the field's reference with its actions, so that rl_join,
 * rl_fetch_children, conditions and the sentences of broken keys work as with declared models.
 * A foreign key of several columns is an rl_key of the model (keys, nkeys; named by its columns
 * joined by commas), the referenced columns being the parent's primary_key or a unique index of
 * its model (added for a UNIQUE constraint of several columns); a key through a column that is not
 * a field (a generated column, an integer primary key) is left out.  Generated columns are left
 * out.  Names are the database's own, spaces and quotes included
 * (quoted wherever they go); only a column named rowid, _rowid_ or oid, which would hide SQLite's
 * row id, makes its model unusable (RL_EMODEL_IDENT on first use).  A row is { int64_t pk; rl_value
 * values[nfields]; } (without pk when the model has none): see rl_row_values.  Text and blob
 * values of rows filled by reflite are freed with rl_row_free as usual.  The models belong to
 * db: free them before rl_close.  They are for the tables they were read from: their
 * default_sql is the database's own text, which rl_create_all would write verbatim into
 * another database's tables.
 */
int rl_models_load(rl_db *db, rl_models **out);
size_t rl_models_count(const rl_models *ms);
const rl_model *rl_models_get(const rl_models *ms, size_t i);
/* The model of table, or NULL. */
const rl_model *rl_models_find(const rl_models *ms, const char *table);
/* Free the models (NULL is a no-op); the connection forgets them first. */
void rl_models_free(rl_models *ms);

/* The writes the engine can carry out through a model of rl_models_load: bits of the value
 * rl_models_writable returns. */
typedef enum rl_write {
    RL_WRITE_INSERT = 1,
    RL_WRITE_UPDATE = 2,
    RL_WRITE_DELETE = 4,
    RL_WRITE_ALL = 7
} rl_write;
/*
 * Views are models too: rl_models_load gives each view of the database a model after the
 * tables' (a view has no primary key; its columns, kinds and names are the engine's for the
 * view's query), read like any table's.  A view's column that shows a table's column as it is
 * (a plain reference, renamed or not, through views over views; both engines tell which:
 * rl_models_origin) makes the view relate wherever its table does, through the keys of the
 * columns it shows:
 *   - as a child: a key of the table whose columns the view all shows is the view's (a field's
 *     .references, or an rl_key for a key of several columns), to the same parent, with its
 *     actions; a key column the view shows twice gives a key for each (a key of several
 *     columns, one for each combination, at most 16 in a view);
 *   - as a parent: a key to the table leads to the view too when the view shows every column
 *     the key references (the first of each, when it shows one twice), so that every relation
 *     call (rl_join, rl_fetch_children, rl_fetch_parents, rl_fetch_linked, rl_where_referenced,
 *     rl_aggregate_children) takes the view where it takes the table: rl_join(books, &authors
 *     view model, "author_id") joins each book to its row of the view, and a view of one table
 *     to a view of the other relates as the tables do.
 * A key with a column the view does not show is not followed through it.  Writing a view works
 * where the engine can: on PostgreSQL an automatically updatable view (one table, no
 * aggregates...) or one with INSTEAD OF triggers; on SQLite only through INSTEAD OF triggers.
 */
/*
 * Where field (an index into its fields) of view (one of ms) comes from: the model of the table
 * whose column the field shows as it is, with that column's name in *column (column may be
 * NULL); NULL (and *column NULL) for a computed column, a column of a table ms has no model
 * of, a model that is not a view of ms, or NULL arguments.
 */
const rl_model *rl_models_origin(const rl_models *ms, const rl_model *view, size_t field,
                                 const char **column);
/*
 * The name of the constraint behind a key of model (one of ms), as the database gives it: key
 * is the key as the relation calls name it (the field's name for a key of one field, the
 * rl_key's name, or its fields joined by commas, for a key of several).  On PostgreSQL every
 * key has one (pg_constraint.conname: "books_author_id_fkey" unless the schema chose another);
 * on SQLite a key has one where its CREATE TABLE says CONSTRAINT name (as a table constraint,
 * "CONSTRAINT writer FOREIGN KEY (author_id) REFERENCES authors", or on the column,
 * "author_id INTEGER CONSTRAINT writer REFERENCES authors").  A view's key has the name of the
 * table's key it shows.  NULL when the key has no name, key is no key of model, model is not
 * of ms, or for NULL arguments.  Valid as long as ms.
 */
const char *rl_models_key_name(const rl_models *ms, const rl_model *model, const char *key);
/* The PostgreSQL schema the models were read from (the connection's current schema, the
 * first of its search_path that exists); NULL on SQLite, or for NULL.  Valid as long as ms. */
const char *rl_models_schema(const rl_models *ms);
/*
 * The type of column (a field's name, or the integer primary key's column) of model (one of
 * ms) as the database declares it: on PostgreSQL its format_type ("integer", "bigint",
 * "character varying(20)", a domain's own name), on SQLite the text of its declaration as
 * written ("INTEGER", "varchar(20)"; "" when it has none).  NULL when column is none of the
 * model's, model is not of ms, or for NULL arguments.  Valid as long as ms.
 */
const char *rl_models_column_type(const rl_models *ms, const rl_model *model, const char *column);
/* Whether model (one of ms) is a view; false for a table, a model not of ms, or NULL. */
bool rl_models_is_view(const rl_models *ms, const rl_model *model);
/* What can be written through model (one of ms): RL_WRITE_ALL for a table; for a view, the
 * RL_WRITE_* bits of the writes its engine can carry out through it (0: none, a view to read
 * only); 0 for a model not of ms or NULL. */
unsigned rl_models_writable(const rl_models *ms, const rl_model *model);
/* The values of a row of a runtime model, field by field (NULL for another kind of model). */
rl_value *rl_row_values(const rl_model *model, void *row);

/* ------------------------------------------------------------------------------------------ */
/* Upsert, raw queries into structs, tracing                                                   */
/* ------------------------------------------------------------------------------------------ */

/*
 * Insert row, or update the row it collides with on the unique fields conflict (a
 * NULL-terminated list of field names that form a UNIQUE constraint; NULL: the primary key):
 * INSERT ... ON CONFLICT DO UPDATE, so the existing row is changed in place and no ON DELETE
 * action fires (unlike INSERT OR REPLACE).  The row's pk is written back either way.  Key
 * failures are worded like those of rl_insert.
 */
int rl_upsert(rl_db *db, const rl_model *model, void *row, const char *const *conflict);
/* rl_upsert with the pk the row holds, 0 included (see RL_INSERT_KEY_GIVEN). */
int rl_upsert_keyed(rl_db *db, const rl_model *model, void *row, const char *const *conflict);

/*
 * Run a hand-written SELECT (parameters ?1..?n as in rl_exec) and read its rows into structs
 * of model by column name: each column the query returns must be a field's column or the
 * primary key (RL_EFIELD names the first that is not); fields it does not return stay zero
 * or NULL.  Free with rl_rows_free.
 */
int rl_query_rows(rl_db *db, const rl_model *model, const char *sql, const rl_value *params,
                  size_t nparams, rl_rows **out);

/* Called with each statement's text as the engine starts to run it. */
typedef void (*rl_trace_fn)(const char *sql, void *ctx);
/*
 * Trace the statements run on db (reflite's own, raw SQL, BEGIN and savepoints; not those
 * that triggers run): fn NULL stops.  What a relation call costs can be counted this way.
 */
int rl_trace(rl_db *db, rl_trace_fn fn, void *ctx);

/* ------------------------------------------------------------------------------------------ */
/* Checking a database                                                                         */
/* ------------------------------------------------------------------------------------------ */

typedef enum rl_finding_kind {
    RL_FINDING_INTEGRITY,   /* PRAGMA integrity_check reported a problem */
    RL_FINDING_FOREIGN_KEY, /* a row whose key has no parent */
    RL_FINDING_LINT         /* a schema weakness: unindexed key, key to a missing table... */
} rl_finding_kind;

typedef struct rl_finding {
    rl_finding_kind kind;
    const char *message; /* a sentence naming table, row, column and value */
    /* RL_FINDING_FOREIGN_KEY only: */
    int64_t rowid; /* 0 for a row of a WITHOUT ROWID table: fk and message name its key */
    const rl_fk_detail *fk;
    /* RL_FINDING_LINT: the check that found it (NULL otherwise): "unindexed-key",
     * "broken-key", "citus", and with rl_check_options.target_sql "destructive-change",
     * "not-null-without-default", "nulls-into-not-null", "type-cannot-hold", "view-breaks",
     * "possible-rename" (see reflite(1)) */
    const char *check;
} rl_finding;

/* Called once per finding; return nonzero to stop. */
typedef int (*rl_finding_fn)(const rl_finding *finding, void *ctx);

/*
 * Check a database: integrity_check, every foreign-key violation (table, rowid, column,
 * missing value, parent), and lint (foreign-key columns without an index, keys referencing
 * missing tables or columns that are not unique).  *count (may be NULL) receives the number
 * of findings.  Returns RL_OK when the check ran, whatever it found.
 */
int rl_check(rl_db *db, rl_finding_fn fn, void *ctx, int64_t *count);

typedef struct rl_check_options {
    bool no_lint; /* only integrity problems and foreign-key violations */
    /* Lint for a distributed PostgreSQL (Citus) sharded by this column (NULL: none): tables
     * that have it are distributed, the others would be reference tables; each foreign key
     * Citus cannot enforce between them (a key between distributed tables that does not
     * carry the column on both sides, a key from a reference table to a distributed one) and
     * each primary key of a distributed table without the column is a finding naming the
     * tables and what would have to change. */
    const char *citus_column;
    /* Lint a migration too: the plan that would bring the database to this schema (as for
     * rl_plan_new_ex, with renames/nrenames as in rl_migrate_options) is made, not applied,
     * and each change it would refuse or that would lose data is a finding: a destructive
     * change (a table or column dropped with data, values a type change alters), a NOT NULL
     * column added without a default to a table that holds rows, NULLs into a NOT NULL
     * column, a value a new type cannot hold, and the rename that would keep what a drop
     * loses.  Renames need a writable connection (they are tried and rolled back). */
    const char *target_sql;
    const struct rl_rename *renames;
    size_t nrenames;
} rl_check_options;

/* rl_check with options (opts may be NULL). */
int rl_check_ex(rl_db *db, const rl_check_options *opts, rl_finding_fn fn, void *ctx,
                int64_t *count);

/* ------------------------------------------------------------------------------------------ */
/* Migrations                                                                                  */
/* ------------------------------------------------------------------------------------------ */

/*
 * A migration brings a database to a declared schema: the target is SQL (a schema.sql file's
 * text, loaded into an in-memory database) or a set of models (through their DDL).  Both the
 * database and the target are introspected the same way and compared; the plan uses native
 * ALTER TABLE where SQLite has one whose result is exactly the target, and otherwise rebuilds
 * the table (all of a table's changes in one rebuild) in the order that keeps foreign keys
 * intact: foreign keys off outside the transaction, one BEGIN IMMEDIATE, new table from the
 * target, copy, drop, rename the new table into place, indexes / triggers / views / the
 * AUTOINCREMENT counter restored, foreign_key_check (rolling back if anything new broke),
 * history row, commit, foreign keys on.  On PostgreSQL the target is loaded into the
 * session's temporary schema (rolled back) and the plan is native, transactional DDL: a key
 * whose actions change is dropped, added NOT VALID and validated, and no table is rebuilt.
 */

typedef struct rl_plan rl_plan;

/* Called on long work: stage is "copy" (done/total rows of table), "check", "commit". */
typedef void (*rl_progress_fn)(const char *stage, const char *table, int64_t done, int64_t total,
                               void *ctx);

/*
 * A rename the migration carries out in place, every value, key and index kept: column
 * `column` of `table` becomes `to`, or (column NULL) table `table` becomes `to`.  Names are
 * those in the database now; columns are renamed before tables.  Renames may chain (a -> b
 * and b -> c in one migration: the old b becomes c, the old a becomes b) or swap.
 */
typedef struct rl_rename {
    const char *table;
    const char *column; /* NULL: the table itself is renamed */
    const char *to;
} rl_rename;

typedef struct rl_migrate_options {
    bool dry_run;            /* plan and report, change nothing */
    bool allow_data_loss;    /* permit dropping tables/columns that hold data, and values that
                                a type change would alter ('01234' stored as 1234) */
    bool allow_empty_schema; /* permit a target that declares no table (drops every table) */
    rl_progress_fn progress;
    void *progress_ctx;
    /* Renames, carried out first (native ALTER TABLE ... RENAME on both engines: foreign keys,
     * indexes, views and triggers that name the column or table follow), before the rest of
     * the plan is worked out against the renamed schema.  Without them, a column dropped and
     * one added that look like a rename are data loss, and the refusal names the rename. */
    const rl_rename *renames;
    size_t nrenames;
} rl_migrate_options;

/* Compare db with the schema in target_sql and plan the migration.  Free with rl_plan_free. */
int rl_plan_new(rl_db *db, const char *target_sql, rl_plan **out);
/*
 * rl_plan_new with options: opts->renames are checked against the database before anything
 * runs (a name already taken, a table or column that does not exist: RL_EINVAL), then tried
 * in a transaction that is rolled back, so that the plan is worked out on the renamed schema
 * and its data; the plan runs them first.  This needs a connection that may write (nothing
 * is kept) and none of the caller's transactions (RL_EMISUSE).  opts may be NULL.
 */
int rl_plan_new_ex(rl_db *db, const char *target_sql, const rl_migrate_options *opts,
                   rl_plan **out);
/* The same, with the target given as models. */
int rl_plan_from_models(rl_db *db, const rl_model *const *models, size_t n, rl_plan **out);
void rl_plan_free(rl_plan *plan);
/* True when the database already matches the target. */
bool rl_plan_is_empty(const rl_plan *plan);
/* What differs, one line per difference ("~ table notes: foreign key ..."). */
const char *rl_plan_summary(const rl_plan *plan);
/* The exact SQL the migration runs, statement by statement. */
const char *rl_plan_sql(const rl_plan *plan);
/* What the plan would lose (empty when nothing): dropped rows, columns with values... */
const char *rl_plan_data_loss(const rl_plan *plan);

/*
 * Apply a plan.  Refused (RL_EDATALOSS) when it would lose data and opts->allow_data_loss is
 * not set; refused (RL_EMISUSE) inside a caller's transaction.  On any failure the database
 * is unchanged and foreign keys are back on; RL_EMIGRATE names what broke.
 */
int rl_plan_apply(rl_db *db, const rl_plan *plan, const rl_migrate_options *opts);

/* Plan and apply in one call (what a program runs at start-up). */
int rl_migrate(rl_db *db, const char *target_sql, const rl_migrate_options *opts);
int rl_migrate_models(rl_db *db, const rl_model *const *models, size_t n,
                      const rl_migrate_options *opts);

/* ------------------------------------------------------------------------------------------ */
/* Copying a database to another engine                                                        */
/* ------------------------------------------------------------------------------------------ */

typedef struct rl_copy_options {
    rl_progress_fn progress; /* stage "copy": done/total rows of a table; "check"; "verify";
                                "commit" */
    void *progress_ctx;
    bool verify; /* before COMMIT, compare every table with its source (rl_copy_verify) and
                    refuse the copy at the first difference */
} rl_copy_options;

/*
 * Copy src's tables and rows into dst, which may run on the other engine (SQLite ->
 * PostgreSQL is the usual move to production).  dst must not have any of src's tables.  In
 * one transaction on dst: each table created for dst's engine (columns by what they hold,
 * NOT NULL, primary keys, literal defaults, every foreign key with its actions and an index
 * on its columns, UNIQUE and CHECK constraints where the source states them), rows copied
 * parents before children, every key checked before COMMIT, generated keys moved past the
 * copied ones.  On failure dst is left as it was and the error names the row.  left_out (may
 * be NULL) receives what was not carried across, one line each (malloc'd; free() it):
 * views, triggers, other indexes, defaults that are expressions; and lines starting "note: "
 * for a column carried as text because a stored value does not fit its declared type.
 * Types: REAL/FLOAT/DOUBLE become double precision (8 bytes), NUMERIC(p,s)/DECIMAL(p,s) and
 * VARCHAR(n) keep their numbers, BOOLEAN stays boolean, BLOB and no type become bytea,
 * DATETIME/TIMESTAMP and DATE become timestamp and date on PostgreSQL when every stored value
 * is one (YYYY-MM-DD HH:MM:SS[.ffffff], YYYY-MM-DD), else text.  Values cross exactly: reals
 * as their shortest text that reads back to the same double.  opts->verify compares both
 * sides before COMMIT (see rl_copy_verify) and refuses the copy, leaving dst as it was, at
 * the first difference.
 */
int rl_copy(rl_db *src, rl_db *dst, const rl_copy_options *opts, char **left_out);

/*
 * Compare every table of src with the table of the same name in dst, as rl_copy's verify
 * option does before its COMMIT; use it to check a copy later, or one made by other means.
 * Both sides are read in full.  Each value is normalised from what its engine returns:
 * numbers (integers, reals, decimals, booleans as 0/1) by their exact decimal value (in a
 * NUMERIC(p,s) column, rounded to s places, as the column rounds what it stores), text and
 * blobs by their bytes, NULL as NULL; a table matches when it has as many rows and the same
 * checksum of rows on both sides.  RL_OK when every table matches; RL_EDATALOSS when one does
 * not, with rl_errmsg(dst) naming the first difference: the table, the row's key, the column
 * and both values ("copy: verify failed, table invoices, row id = 7, column total: the source
 * has 5.94, the destination 5.9400000000000004 ..."), or a row or table on one side only.
 * Finding that row reads the differing table's source rows into memory.
 */
int rl_copy_verify(rl_db *src, rl_db *dst);

/* The database's schema as SQL: tables, indexes, views and triggers, one per statement. */
int rl_schema_dump(rl_db *db, char **out);

#if defined(__GNUC__) || defined(__clang__)
#pragma GCC visibility pop
#endif

#ifdef __cplusplus
}
#endif
#endif /* REFLITE_H */

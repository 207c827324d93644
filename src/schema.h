/* The schema value that introspection produces and migrations compare (see schema.c). */
#ifndef REFLITE_SCHEMA_H
#define REFLITE_SCHEMA_H

#include "internal.h"

typedef struct sch_column {
    char *name, *type, *dflt; /* dflt: the DEFAULT expression text, NULL if none */
    bool notnull;
    int pk;     /* position in the primary key, 0 if not part of it */
    int hidden; /* 0 normal, 1 hidden (virtual tables), 2 generated VIRTUAL, 3 generated STORED */
} sch_column;

typedef struct sch_fk {
    int id;
    char *parent;
    char *from, *to; /* comma-separated column lists; to is "" for the parent's primary key */
    char on_update[16], on_delete[16];
} sch_fk;

typedef struct sch_table {
    char *name, *sql, *norm;
    bool strict, without_rowid, autoincrement;
    bool is_virtual; /* CREATE VIRTUAL TABLE (its shadow tables are not part of the schema) */
    int deferrable;  /* number of DEFERRABLE INITIALLY DEFERRED keys (from the SQL) */
    int checks;      /* number of CHECK constraints (from the SQL) */
    sch_column *cols;
    size_t ncols;
    sch_fk *fks;
    size_t nfks;
} sch_table;

/* An index, view or trigger: compared by its normalized SQL. */
typedef struct sch_object {
    char *name, *table, *sql, *norm;
} sch_object;

typedef struct schema {
    char *problem; /* why the schema could not be read safely (malloc'd), or NULL */
    sch_table *tables;
    size_t ntables;
    sch_object *indexes, *views, *triggers;
    size_t nindexes, nviews, ntriggers;
} schema;

int rli_schema_load(sqlite3 *h, schema *out);
/* Why a stored definition in sqlite_schema cannot be trusted (malloc'd), or NULL. */
char *rli_schema_stored_problem(sqlite3 *h);
/* rli_schema_load on db's connection, setting db's error (RL_ECORRUPT for a crafted schema). */
int rli_schema_read(rl_db *db, schema *s, const char *op);
void rli_schema_free(schema *s);
sch_table *rli_schema_table(const schema *s, const char *name);
sch_column *rli_table_column(const sch_table *t, const char *name);
sch_object *rli_schema_object(sch_object *arr, size_t n, const char *name);
/* Every object's CREATE statement, tables first. malloc'd. */
char *rli_schema_sql(const schema *s);

/* Length of the first complete statement of sql (through its ';' if any). */
size_t rli_sql_statement_end(const char *sql);
/* The normal form of an SQL statement (malloc'd). */
char *rli_sql_normalize(const char *sql);
/* Offset just past the object name of a CREATE TABLE statement. */
size_t rli_sql_name_end(const char *sql);
/* The top-level items (column definitions and table constraints) of a CREATE TABLE. */
int rli_sql_table_items(const char *sql, char ***out, size_t *n);

#endif

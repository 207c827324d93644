/* The one schema representation: what introspection produces and migrations compare. */
#ifndef REFLITE_SCHEMA_H
#define REFLITE_SCHEMA_H

#include "reflite.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct sch_column {
    char *name, *type, *dflt; /* dflt: the DEFAULT expression text, NULL if none */
    bool notnull;
    int pk;     /* position in the primary key, 0 if not part of it */
    int hidden; /* 0 normal, 1 hidden (virtual tables), 2 generated VIRTUAL, 3 generated STORED */
    bool unindexed; /* a column of an FTS5 table that is kept and not searchable */
    /* a view's column that shows a table's column as it is: that table and column (where the
     * engine tells: SQLite from its statements, PostgreSQL from the view's rule), else NULL */
    char *origin_table, *origin_column;
} sch_column;

typedef struct sch_fk {
    int id;
    char *name; /* the constraint's name, NULL when the engine gives none (SQLite: none given in
                   the CREATE TABLE text, or not one that can be told apart for certain) */
    char *parent;
    char *from, *to; /* comma-separated column lists; to is "" for the parent's primary key */
    char on_update[16], on_delete[16];
} sch_fk;

/* A table constraint as the engine states it (PostgreSQL fills these; SQLite's constraints
 * stay in its CREATE TABLE text).  Two constraints are the same when kind and def are. */
typedef struct sch_constraint {
    char *name;
    char *def;      /* "FOREIGN KEY (a) REFERENCES p(id) ON DELETE CASCADE", "CHECK (x > 0)" */
    char kind;      /* 'p' primary key, 'u' unique, 'c' check, 'f' foreign key, 'x' exclusion */
    bool validated; /* false: added NOT VALID, so rows from before it were never checked */
} sch_constraint;

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
    sch_constraint *cons;
    size_t ncons;
    /* SQLite: an FTS5 table that indexes another table's text (content='books'): that table,
     * and the column its ids are in it (content_rowid; NULL: its rowid); else NULL */
    char *search_of, *search_rowid;
} sch_table;

/* An index, view or trigger: compared by its normalized SQL.  A view also has its columns as
 * the engine tells them (none when it cannot: a view over a table that is gone) and the
 * writes the engine can carry out through it (RL_WRITE_* bits): for runtime models. */
typedef struct sch_object {
    char *name, *table, *sql, *norm;
    sch_column *cols;
    size_t ncols;
    unsigned writes;
} sch_object;

typedef struct schema {
    char *problem; /* why the schema could not be read safely (malloc'd), or NULL */
    /* a target's views that cannot be read against its tables, "view\twhy\n" each (a view
     * names a column or table the target does not have; malloc'd), or NULL */
    char *unreadable;
    char *name; /* PostgreSQL: the schema read, the connection's current one (malloc'd); else
                   NULL */
    sch_table *tables;
    size_t ntables;
    sch_object *indexes, *views, *triggers;
    size_t nindexes, nviews, ntriggers;
    /* PostgreSQL's materialized views: models to read (rl_models_load), never dumped, compared
     * or migrated (their rows are the database's to refresh) */
    sch_object *matviews;
    size_t nmatviews;
} schema;

/* Read db's schema into s through its backend; on failure the error is set on db
 * (RL_ECORRUPT for a crafted schema).  s is always safe to free. */
int rli_schema_read(rl_db *db, schema *s, const char *op);
void rli_schema_free(schema *s);
sch_table *rli_schema_table(const schema *s, const char *name);
sch_column *rli_table_column(const sch_table *t, const char *name);
sch_object *rli_schema_object(sch_object *arr, size_t n, const char *name);
/* Order s's tables parents before children, so that their CREATE statements can run top to
 * bottom (tables in a cycle of keys keep their order). */
void rli_schema_parents_first(schema *s);
/* The kind a declared type suggests (SQLite's affinity rules, PostgreSQL's type names); iso:
 * the engine reads arrays as JSON, timestamps and dates in ISO 8601 (PostgreSQL). */
rl_kind rli_kind_of_type(const char *type, bool iso);
/* Every object's CREATE statement, tables first. malloc'd. */
char *rli_schema_sql(const schema *s);

#endif

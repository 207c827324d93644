/* The statements of a copy between engines (src/sql/copy.c), for rl_copy (src/migrate/copy.c). */
#ifndef REFLITE_SQL_COPY_H
#define REFLITE_SQL_COPY_H

#include "core/schema.h"
#include "sql/render.h"

/* What a column holds, from its declared type. */
typedef enum rl_copy_kind {
    RL_COPY_INT,
    RL_COPY_REAL,
    RL_COPY_TEXT,
    RL_COPY_BLOB_OR_ANY, /* a blob, or (no declared type on SQLite) any value */
    RL_COPY_BOOL,
    RL_COPY_NUMERIC,
    RL_COPY_TIMESTAMP, /* DATETIME, TIMESTAMP: a timestamp when every value is one */
    RL_COPY_DATE,      /* DATE: a date when every value is one */
} rl_copy_kind;

/* How a column goes across: its kind, NUMERIC(p,s)'s precision and scale and VARCHAR(n)'s
 * length (-1 when not stated or out of the destination's range). */
typedef struct rl_copy_type {
    rl_copy_kind kind;
    int precision, scale, length;
} rl_copy_type;

rl_copy_kind rli_copy_kind(const char *type);
/* The kind of type with its numbers: "NUMERIC(10,2)" -> numeric, 10, 2. */
rl_copy_type rli_copy_type(const char *type);
/* Whether text is a timestamp "YYYY-MM-DD HH:MM:SS[.ffffff]" (a date "YYYY-MM-DD" when
 * date_only) that every engine reads and writes back as the same text: a real calendar day
 * of year 1 to 9999, no zone, fractions without trailing zeros. */
bool rli_copy_is_timestamp(const char *text, size_t len, bool date_only);
/* The one integer primary-key column of t, or NULL. */
const sch_column *rli_copy_int_pk(const sch_table *t);
/* "FOREIGN KEY (a) REFERENCES p (id) ON DELETE x ON UPDATE y" */
void rli_copy_key_clause(strbuf *b, const sch_fk *fk);
/* CREATE TABLE for the destination (keys inline or not); what it leaves out is appended to
 * left_out, a line each.  The others: one statement each.  All malloc'd, NULL when out of
 * memory. */
char *rli_copy_create_sql(const rl_dialect *d, const sch_table *t, const rl_copy_type *types,
                          bool keys_inline, strbuf *left_out);
char *rli_copy_add_key_sql(const sch_table *t, const sch_fk *fk);
/* "<table>_<key columns>_idx", the name the DDL of models gives a key's index. */
char *rli_copy_key_index_name(const sch_table *t, const sch_fk *fk);
/* CREATE INDEX name (NULL: the name above) on the key's columns. */
char *rli_copy_key_index_sql(const sch_table *t, const sch_fk *fk, const char *name);
/* Every column of t; with pk, in key order from after parameter 1, parameter 2 rows. */
char *rli_copy_select_sql(const rl_dialect *d, const sch_table *t, const sch_column *pk);
char *rli_copy_insert_sql(const rl_dialect *d, const sch_table *t);
/* "COPY t (a, b) FROM STDIN": the start of a bulk load (backend bulk_load). */
char *rli_copy_load_sql(const sch_table *t);
/* The columns of t whose bit is set in mask (the first 64), whole table, no order. */
char *rli_copy_columns_sql(const sch_table *t, uint64_t mask);

#endif

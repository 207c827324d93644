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
} rl_copy_kind;

rl_copy_kind rli_copy_kind(const char *type);
/* The one integer primary-key column of t, or NULL. */
const sch_column *rli_copy_int_pk(const sch_table *t);
/* "FOREIGN KEY (a) REFERENCES p (id) ON DELETE x ON UPDATE y" */
void rli_copy_key_clause(strbuf *b, const sch_fk *fk);
/* CREATE TABLE for the destination (keys inline or not); what it leaves out is appended to
 * left_out, a line each.  The others: one statement each.  All malloc'd, NULL when out of
 * memory. */
char *rli_copy_create_sql(const rl_dialect *d, const sch_table *t, bool keys_inline,
                          strbuf *left_out);
char *rli_copy_add_key_sql(const sch_table *t, const sch_fk *fk);
/* "<table>_<key columns>_idx", the name the DDL of models gives a key's index. */
char *rli_copy_key_index_name(const sch_table *t, const sch_fk *fk);
char *rli_copy_key_index_sql(const sch_table *t, const sch_fk *fk);
/* Every column of t; with pk, in key order from after parameter 1, parameter 2 rows. */
char *rli_copy_select_sql(const rl_dialect *d, const sch_table *t, const sch_column *pk);
char *rli_copy_insert_sql(const rl_dialect *d, const sch_table *t);

#endif

/*
 * The execute stage of the server: a plan (plan.h) run on a connection, through the public
 * query API: the root's rows in one statement, each embedded relation's rows for all the rows
 * above it in one more (rl_fetch_parents, rl_fetch_children, rl_fetch_linked), never one per
 * row.  The result keeps every row set with the plan node it answers; the render stage writes
 * it.  Conditions are pushed through negation (not.or=(a,b) is NOT a AND NOT b, each
 * comparison negated), values are read as their column's type.
 *
 * What the query API cannot say yet (JSON paths, casts, full-text search, array and range
 * operators, aggregates) is an error value, 501, never a query that says something else.
 */
#ifndef REFLITE_HTTP_EXEC_H
#define REFLITE_HTTP_EXEC_H

#include "plan.h"

/* The rows of one node: the root's, or a kid's grouped by the rows above it. */
typedef struct rlh_rset {
    const rlh_pnode *node;
    const rl_model *m;
    size_t count;           /* rows (a kid: of every group) */
    const void *items;      /* count structs of m */
    rl_groups *groups;      /* a kid: group i holds the rows related to row i above */
    struct rlh_rset *kids;  /* one per kid of the node */
    rl_rows *rows;          /* the root: its rows */
    rl_values *values;      /* the root of a select= with aggregates: a row per group, its
                               values in the order of the node's columns (items unset) */
    rl_value *paths;        /* the values of the columns with a JSON path, count * ncols (the
                               others unset; rlh_cells_of), or NULL; with all_cells, every
                               column's (a kid of aggregates: rlh_exec_kid_groups) */
    bool all_cells;         /* a kid of aggregates: no rows, every value in paths */
    size_t *starts, *sizes; /* or its rows of parent p: starts[p], sizes[p] of them */
    void *own_row;          /* the root's one row read by its key (items), or NULL */
} rlh_rset;

typedef struct rlh_result {
    rlh_rset root;
    int64_t total;        /* with count: the number of rows the root's conditions match, else -1 */
    bool total_estimated; /* total is the planner's estimate (count=estimated beyond its max) */
} rlh_result;

/* An error of the request found while running it (a value its column cannot hold, a feature
 * the query API does not have): set in *err, texts in its own buffers. */
/* The rows q matches into *n: exactly up to max, else the planner's estimate (*estimated
 * true).  SQLite has no estimate (rl_count_planned counts): there the count, once. */
int rlh_count_estimated(rl_db *db, rl_query *q, int64_t max, int64_t *n, bool *estimated);

typedef struct rlh_exec_error {
    rlh_perror e;
    char message[400], sentence[500];
    bool posix_regex; /* set by rlh_exec_read: the engine's regular expressions are POSIX's
                         (SQLite's, regex.c), checked before the statement runs */
} rlh_exec_error;
/* The request's error in err (its message by fmt; sentence: reflite's, NULL: the message);
 * RL_EINVAL. */
int rlh_exec_fail(rlh_exec_error *err, int status, const char *code, const char *sentence,
                  const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* How the root's rows are counted (Prefer: count=...): exact, the planner's estimate, or
 * estimated (exact up to max_rows rows, the estimate beyond, as PostgREST does). */
typedef struct rlh_exec_count {
    rlh_pref_count how; /* RLH_COUNT_NONE: not counted */
    int64_t max_rows;
} rlh_exec_count;

/*
 * Run plan p (a plan without error) on db: RL_OK with *out set; RL_EINVAL with *err set for
 * the request's own mistakes; or the connection's RL_E* code (rl_errmsg(db) says why).  With
 * count (NULL: none), out->total is the root's matching rows, counted so.
 */
int rlh_exec_read(rl_db *db, const rlh_plan *p, const rlh_exec_count *count, rlh_result *out,
                  rlh_exec_error *err);
void rlh_result_free(rlh_result *r);

/* The plan's answer for the rows of query rows (on the root's model; taken, freed here): the
 * plan's columns, order, !inner and embedded relations, but not its conditions or range:
 * what a write answers with return=representation, for the rows it wrote.  With keys (the
 * integer keys of the rows, in the order they were written) and no order= in the plan, the
 * rows come in that order; for a table without an integer key, so does kept (the rows as
 * written, met by their primary key's fields, or all fields), when not NULL. */
int rlh_exec_read_of(rl_db *db, const rlh_plan *p, rl_query *rows, const rl_value *keys,
                     size_t nkeys, const rl_rows *kept, rlh_result *out, rlh_exec_error *err);

/* The query of the rows a write (PATCH, DELETE) of plan p reaches, into *out (the caller frees
 * it, whatever the return): the root's conditions; with limit= or offset=, exactly the rows of
 * that range by order= and then by the integer key (a table without one: 400).  RL_OK,
 * RL_EINVAL with *err, or the connection's code. */
int rlh_exec_target(rl_db *db, const rlh_plan *p, rl_query **out, rlh_exec_error *err);

/* The conditions of node n on q (the root's, or a kid's own): RL_OK, RL_EINVAL with *err. */
int rlh_exec_where(rl_query *q, const rlh_pnode *n, rlh_exec_error *err);

/* exec.c, for the stages beside it: 501 for what the query API cannot run yet (saying what),
 * the field name of field f of m (the pk's too), and the order a plan's term asks. */
int rlh_exec_unsupported(rlh_exec_error *err, const char *what);
const char *rlh_exec_field(const rl_model *m, int f);
rl_order rlh_exec_order(const rlh_porder *o);
/* A key value and where it is (a row, a group): sorted by key, then place (rows of one key keep
 * their order: integers, texts), and the first of a key in such a sort with how many have it
 * (none for NULL). */
typedef struct rlh_key_at {
    rl_value key;
    size_t at;
} rlh_key_at;
void rlh_keys_sort(rlh_key_at *k, size_t n);
size_t rlh_keys_find(const rlh_key_at *k, size_t n, const rl_value *key, size_t *count);
/* aggregate.c: a root with aggregates, a row per group of its other columns (out's root
 * values); and kid ks of n (aggregates only) for the rows of rs: a row per parent. */
int rlh_exec_groups(rl_db *db, const rlh_pnode *n, rlh_result *out, rlh_exec_error *err);
int rlh_exec_kid_groups(rl_db *db, const rlh_pnode *n, const rlh_rset *rs, rlh_rset *ks,
                        rlh_exec_error *err);
/* cells.c: the value of column i of row k of rs (through its JSON path: rlh_cells_of's); the
 * values of rs's (and its kids') columns with a JSON path, found in their rows' documents,
 * and every cast tried (RL_OK, RL_ENOMEM, or RL_EINVAL with the first value its cast refuses
 * in err), and freed. */
static inline rl_value rlh_cell(const rlh_rset *rs, size_t k, size_t i)
{
    const rlh_pcol *c = &rs->node->cols[i];
    if (c->njson || rs->all_cells) return rs->paths[k * rs->node->ncols + i];
    const void *row = (const char *)rs->items + k * rs->m->size;
    return c->field == RLH_FIELD_PK ? rl_int(rlh_row_pk(rs->m, row))
                                    : rl_row_values(rs->m, (void *)row)[c->field];
}
int rlh_cells_of(rlh_rset *rs, rlh_exec_error *err);
void rlh_cells_free(rlh_rset *rs);
/* rl_where_json and rl_order_by_json through the n steps of a parsed JSON path (the last's
 * arrow: as text or as JSON). */
int rlh_where_path(rl_query *q, const char *field, const rlh_jstep *s, size_t n, rl_op op,
                   rl_value v);
int rlh_order_path(rl_query *q, const char *field, const rlh_jstep *s, size_t n, rl_order dir);
/* rl_select_agg_of through the n steps of a parsed JSON path (none: the field), cast to cast. */
int rlh_agg_path(rl_query *q, rl_agg agg, const char *field, const rlh_jstep *s, size_t n,
                 rl_kind cast);

#endif

/*
 * The query builder's internals, shared by query.c (building and running), cursor.c
 * (streaming) and relation.c (joins, prefetch, aggregates, subqueries).
 */
#ifndef REFLITE_QUERY_H
#define REFLITE_QUERY_H

#include "model.h"

#define MAX_GROUPS    32
#define RLI_MAX_SUBS  8  /* subqueries in one query */
#define RLI_MAX_ITEMS 32 /* chosen columns and aggregates, and GROUP BY fields */
/* The shape starts with two characters that prepare_query overwrites with the statement's
 * kind and paging, so that the shape itself is the cache key. */
#define SHAPE_HEAD "--"

struct rl_query {
    rl_db *db;
    model_info *mi;
    int error;
    char *errmsg; /* the first builder error's message (malloc'd) */
    strbuf shape; /* the builder calls as tokens: the cache key of the statement */
    strbuf sql;   /* rendered on demand */
    rl_value *params;
    size_t nparams, cap;
    /* a query of a few conditions lives in the query itself: no allocation but the query */
    char shape_buf[64];
    rl_value params_buf[4];
    arena texts; /* copies of text and blob operands */
    int depth;
    int norder; /* rl_order_by calls */
    int64_t limit, offset;
    /* rl_join: the parent and the child's key (a key number, RLI_CKEY; join NULL: none).
     * While rl_fetch_linked runs, join is the link model instead, join_key its key to this
     * model and link_a its key to the other side (else -1) */
    model_info *join;
    int join_key, link_a;
    /* rl_join_as: the tables joined by name (their models, names and ON clauses), and the
     * columns of theirs that field codes RLS_EXTRA + k name */
    model_info *more_mi[RLS_MORE_MAX];
    const char *more_as[RLS_MORE_MAX]; /* in texts */
    rls_join more[RLS_MORE_MAX];
    rls_extra extra[RLS_EXTRA_MAX];
    int nmore, nextra;
    /* the tables of the shape's subqueries ('x' tokens) */
    model_info *subs[RLI_MAX_SUBS];
    int nsubs;
    /* SH_AGGREGATE: what rl_aggregate_children asks (field codes; agg_field -1: rows), by
     * the fields of the key */
    int agg, agg_field, nagg_group;
    int agg_group[RLS_KEY_MAX];
    /* SH_VALUES (rl_fetch_values): the chosen columns, DISTINCT, GROUP BY */
    rls_item items[RLI_MAX_ITEMS];
    int nitems, ngroups;
    int groups[RLI_MAX_ITEMS];
    bool distinct;
};

struct rl_rows_private {
    arena strings;
    size_t cap;
    /* rl_groups: the arrays behind start and size; rl_rows after a join: has_parent; after
     * a join through a link table (rl_fetch_linked): each row's key on the other side */
    size_t *start, *size;
    bool *has_parent;
    rl_value *keys; /* nkeys values per row, text in strings */
    size_t nkeys;
};

/* What a query's statement is. */
enum shape { SH_SELECT, SH_COUNT, SH_EXISTS, SH_DELETE, SH_AGGREGATE, SH_VALUES };

/* Remember the query's first error (code, message) and set it on the connection. */
int rli_q_fail(rl_query *q, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The field code (render.h) of a field name of the query's model, or of its joined parent's
 * ("authors.name", "author_id.name"); -1 when there is none. */
int rli_q_field_code(rl_query *q, const char *field);
/* Choose a column of rl_fetch_values: field (NULL: count(*)), under aggregate agg (-1: none),
 * through the JSON path of encoding path (len bytes, copied; NULL: none), cast to kind cast
 * (0: none). */
int rli_q_item(rl_query *q, int agg, const char *field, int cast, const char *path, size_t len);
/* The field code of "<name>.<field>" of a table joined by rl_join_as, or -1. */
int rli_q_more_code(rl_query *q, const char *field);
/* Append a bound value to the query. */
int rli_q_add_param(rl_query *q, rl_value v);
/* Append a token to the shape: its tag, a field code (two hex digits) and one more
 * character. */
static inline void rli_q_token(rl_query *q, char tag, int code, char arg)
{
    static const char hex[] = "0123456789abcdef";
    char t[4] = {tag, hex[(code >> 4) & 15], hex[code & 15], arg};
    rli_sb_putn(&q->shape, t, 4);
}
/* The condition field (code) op v, the column read through a JSON path when path is not NULL
 * (the plen bytes of its encoding, jsonpath.c): rl_where past its common case (where.c). */
int rli_where_value(rl_query *q, int code, const char *field, rl_op op, rl_value v,
                    const char *path, size_t plen);
/* A condition with one of PostgreSQL's own operators (RL_INCLUDES and after; config: a text
 * search configuration for RL_FTS..RL_WFTS, or NULL) on the field of code (named field):
 * refused where the engine has none (where.c). */
int rli_where_postgres(rl_query *q, int code, const char *field, rl_op op, const char *config,
                       rl_value v);
/* The query can run: no builder error, no group left open. */
int rli_q_ready(rl_query *q);
/* The statement of shape for q, from the model's cache (rendered and prepared on first
 * sight), its values bound; limit_override >= 0 replaces the query's limit. */
int rli_q_prepare(rl_query *q, enum shape shape, int64_t limit_override, rlb_stmt **out);
/* The same statement apart from the cache, the caller's own (a cursor): the model's kept
 * statement when its text is the same, else a new one.  With text, *text receives the
 * statement's text (malloc'd; NULL when out of memory) for rl_cursor_free to keep it by. */
int rli_q_prepare_own(rl_query *q, rlb_stmt **out, char **text);
/* Double the room of a result set for structs of size (and parents of psize, 0: none; and
 * nkeys values of link keys per row). */
int rli_rows_grow(rl_rows *r, size_t size, size_t psize, size_t nkeys);
/* Run q and read every row (and after a join, every parent; through a link table, every
 * row's key on the other side, in (*out)->priv->keys) into *out. */
int rli_q_fetch(rl_query *q, int64_t limit, rl_rows **out);
/* The message for an unknown field name. */
int rli_q_unknown_field(rl_query *q, const char *field);

/* The child's key to parent (relation.c), as a key number (RLI_CKEY): the field or rl_key
 * named key, or (key NULL) its only key to parent's table.  On failure the query q remembers
 * why. */
int rli_find_key(rl_query *q, model_info *child, model_info *parent, const char *key, int *ki);

#endif

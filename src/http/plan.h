/*
 * The plan stage of the server: a request value (parse.h) and the schema cache (the models of
 * rl_models_load) become a plan value or an error value, in PostgREST's conventions and with
 * its error codes and texts.  Nothing here does I/O or answers a request: every name of the
 * request is looked up here, so that what the execute stage runs names only the schema's
 * tables and columns.
 *
 * A read is a tree of nodes: the request's relation at the root, an embedded relation below
 * its parent (how it relates, found through the keys: rlh_ways_of), each node with its output
 * columns, its conditions (filters and or/and trees on its path), its order and its range.
 *
 *   GET /films?select=title,director:directors(name),roles!inner(character)&roles.character=eq.X
 *     root films: title; kids: directors as "director" (to-one), roles (to-many, inner)
 *     roles: the condition character = 'X'; films keep only those with such a role
 */
#ifndef REFLITE_HTTP_PLAN_H
#define REFLITE_HTTP_PLAN_H

#include "http_int.h"
#include "parse.h"

/* Field numbers of an output column that is not one of the model's fields. */
enum {
    RLH_FIELD_PK = -1,   /* the model's integer primary key (its pk member) */
    RLH_FIELD_COUNT = -2 /* count(): the number of rows of the group */
};

/* One column of the answer. */
typedef struct rlh_pcol {
    const char *name; /* the member's name: the alias, the column, or the JSON path's last key */
    int field;        /* a field index of the node's model, or RLH_FIELD_* */
    rl_kind kind;     /* the field's kind (RL_KIND_INTEGER for the pk and counts) */
    const rlh_jstep *json;
    size_t njson;
    const char *cast; /* col::type, or NULL */
    int cast_type;    /* with cast: its type (rlh_cast_of) */
    rlh_agg agg;
    const char *agg_cast;
    rl_kind arg_kind;   /* col::type.sum(): the kind its values are cast to first (0: none) */
    const char *member; /* ",\"name\":" as JSON answers write it (without the comma first) */
    size_t member_len;
    bool star; /* one of select=*'s columns, not named itself */
} rlh_pcol;

/* A condition on a column of the node's model. */
typedef struct rlh_pcond {
    int field; /* a field index, or RLH_FIELD_PK */
    rl_kind kind;
    const char *type;     /* the column's declared type (rl_models_column_type), or NULL */
    const rlh_cond *cond; /* the parsed condition: operator, operand(s), negation, path */
} rlh_pcond;

/* The node's conditions: a condition, or a group of them (all, or any: an or= tree). */
typedef struct rlh_pwhere {
    bool leaf;
    rlh_pcond cond;
    bool negated, any;
    struct rlh_pwhere *kids;
    size_t nkids;
} rlh_pwhere;

typedef struct rlh_porder {
    int kid; /* -1: a column of the node; else the index of the to-one kid whose column it is */
    int field;
    rl_kind kind;
    const rlh_jstep *json;
    size_t njson;
    rlh_dir dir;
    rlh_nulls nulls;
} rlh_porder;

typedef struct rlh_pnode {
    const rl_model *m;
    const char *name;  /* its member in the parent's rows: the alias or the relation; NULL: root */
    const char *label; /* what the request called it (the relation, or its alias): for errors */
    rlh_way way;       /* how it relates to its parent (not the root) */
    rlh_join join;     /* !inner: a parent without such rows is left out; !left (default) */
    bool spread;       /* ...rel(): its columns among the parent's own (to-one only) */
    bool hidden;       /* rel(): an embed that shows nothing (only filters), not in the answer */
    rlh_pcol *cols;    /* what the answer shows of each row, in order */
    size_t ncols;
    bool grouped;     /* an aggregate among cols: rows are grouped by the other columns */
    rlh_pwhere where; /* a group of all: filters and or=/and= trees of the node's path */
    rlh_porder *order;
    size_t norder;
    int64_t offset, limit; /* limit -1: none */
    struct rlh_pnode *kids;
    size_t nkids;
    const char *member; /* its name as the parent's member (as rlh_pcol's), NULL: root */
    size_t member_len;
} rlh_pnode;

typedef struct rlh_plan {
    const rlh_perror *error; /* not NULL: the request is this error, and nothing below is set */
    const rlh_req *req;      /* the request value planned (the plan points into it) */
    rlh_pnode root;
    const char *warning; /* what the answer's Warning header says (a deprecated form), or NULL */
    void *mem;           /* everything above, owned by the plan */
} rlh_plan;

/* What the planner needs to know beyond the request and the models. */
typedef struct rlh_plan_opts {
    rlh_blocks *blocks;  /* where the plan's memory comes from (NULL: malloc) */
    const char *schema;  /* the schema's name in PostgREST's messages ("public") */
    bool aggregates;     /* aggregates in select= are allowed (else 400 PGRST123) */
    int64_t max_rows;    /* the most rows a node may answer (0: no limit) */
    unsigned max_embeds; /* embedded relations in one request (0: 16) */
    unsigned max_depth;  /* relations inside relations (0: RLH_PARSE_MAX_DEPTH) */
} rlh_plan_opts;

/* The plan of a read (GET or HEAD) of req on the models ms, or its error value (->error);
 * NULL only when out of memory.  req must outlive the plan. */
rlh_plan *rlh_plan_read(const rlh_req *req, const rl_models *ms, const rlh_plan_opts *o);
void rlh_plan_free(rlh_plan *p);

/* Whether the conditions of node n (a plan's root) may leave out a row: false when there are
 * none, or when they hold for every row whatever the rows hold (and=(), not.or=(), x IS NOT
 * NULL of a column that has no NULLs, ...): what the unfiltered-write guard judges. */
bool rlh_plan_restricts(const rlh_pnode *n);

#endif

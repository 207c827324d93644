/*
 * Sets of keys (keyset.c): the keys of a set of rows, bound as one parameter, and the rows a
 * statement returns put into groups by those keys, for every relation call on many rows
 * (relation.c).  A key is one or several values (a composite key), compared as a whole.
 */
#ifndef REFLITE_CORE_KEYSET_H
#define REFLITE_CORE_KEYSET_H

#include "query.h"

#include <stddef.h>

/* The columns of one side of a key: n field codes (RLS_PK or field indexes) of a model. */
typedef struct key_cols {
    int n;
    short code[RLS_KEY_MAX];
} key_cols;

static inline key_cols rli_child_cols(const rli_key *k)
{
    key_cols c = {.n = k->n};
    memcpy(c.code, k->child, sizeof c.code);
    return c;
}

static inline key_cols rli_parent_cols(const rli_key *k)
{
    key_cols c = {.n = k->n};
    memcpy(c.code, k->parent, sizeof c.code);
    return c;
}

/* Parents by key: slot -> index of the first parent with that key (+1; 0 is empty).  A key
 * is nk values of any type (an integer, a text code, a real); one NULL makes it no key. */
typedef struct key_map {
    size_t *slot, mask;
    const rl_value *keys;
    int nk;
} key_map;

/* The keys of n parents at rows (nk values each), a map of them, and the bound text of the set
 * ("[1,2]" or "{1,2}"; text as JSON strings, or as an array literal's quoted elements;
 * composite keys as "[[1,\"a\"],...]" or "[{\"col\":1,...},...]"); first[i]: the index of the
 * first parent with parent i's key.  Text keys are borrowed from the rows. */
typedef struct parent_set {
    rl_value *keys;
    size_t *first;
    key_map map;
    strbuf text;
} parent_set;

void rli_keyset_free(parent_set *ps);
/* The set of the keys of n rows of m: the values of their columns c (a row with a NULL among
 * them is left out of the set and of the map).  names: the column names the statement reads
 * a composite set by (a dialect with key_rows_records), else ignored.  RL_OK or RL_ENOMEM;
 * free ps either way. */
int rli_keyset_make(rl_db *db, const rl_model *m, const key_cols *c, const char *const *names,
                    const void *rows, size_t n, parent_set *ps);
/* The index of the first row of the set with key k (c->n values), or -1. */
ptrdiff_t rli_key_find(const key_map *m, const rl_value *k);
/* The values of columns c of a row of m, into v. */
void rli_key_values(const rl_model *m, const key_cols *c, const void *row, rl_value *v);
/* Move the rows of r (of m) into groups by their keys (keys + k * c->n: row k's; NULL: the
 * rows' columns c), keeping their order in each group: g gets n groups, one per row of the set
 * ps was made of.  RL_OK or RL_ENOMEM. */
int rli_group_rows(const rl_model *m, const key_cols *c, const rl_value *keys, const parent_set *ps,
                   size_t n, rl_rows *r, rl_groups *g);

#endif

/*
 * Rows or groups sorted by a key value and found again by it (exec.h's rlh_key_at): the order
 * a write's answer is put back in, and the groups of aggregates under their parents.
 */
#include "exec.h"

#include <stdlib.h>
#include <string.h>

/* Key values in an order (by type, then integer or text; other values are equal), 0 when the
 * same. */
static int key_order(const rl_value *a, const rl_value *b)
{
    if (a->type != b->type) return a->type < b->type ? -1 : 1;
    if (a->type == RL_V_INT) return a->u.i < b->u.i ? -1 : a->u.i > b->u.i;
    return a->type == RL_V_TEXT ? strcmp(a->u.s, b->u.s) : 0;
}

/* By key, then by place: entries of one key keep their order. */
static int by_key_then_place(const void *x, const void *y)
{
    const rlh_key_at *a = x, *b = y;
    int c = key_order(&a->key, &b->key);
    return c ? c : (a->at > b->at) - (a->at < b->at);
}

void rlh_keys_sort(rlh_key_at *k, size_t n)
{
    qsort(k, n, sizeof *k, by_key_then_place);
}

size_t rlh_keys_find(const rlh_key_at *k, size_t n, const rl_value *key, size_t *count)
{
    size_t lo = 0, hi = n;
    while (lo < hi) { /* the first not before key */
        size_t mid = lo + (hi - lo) / 2;
        if (key_order(&k[mid].key, key) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t to = lo;
    while (key->type != RL_V_NULL && to < n && key_order(&k[to].key, key) == 0)
        to++;
    *count = to - lo;
    return lo;
}

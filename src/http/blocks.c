/*
 * Blocks of memory kept from one request to the next for the first arena block of a request
 * value (parse.c) and of a plan (plan.c): a block of this size from malloc takes glibc's slow
 * path (above its thread caches) on every request, a few hundred instructions each way, where
 * a block kept here is a pop from a stack under an uncontended lock.  At most RLH_BLOCKS_KEPT
 * are kept; the others go back to malloc.
 */
#include "parse_int.h"

#include <pthread.h>
#include <stdlib.h>

enum { RLH_BLOCKS_KEPT = 256 };

struct rlh_blocks {
    pthread_mutex_t lock;
    size_t n;
    void *kept[RLH_BLOCKS_KEPT];
};

rlh_blocks *rlh_blocks_new(void)
{
    rlh_blocks *b = calloc(1, sizeof *b);
    if (b) pthread_mutex_init(&b->lock, NULL);
    return b;
}

void rlh_blocks_free(rlh_blocks *b)
{
    if (!b) return;
    for (size_t i = 0; i < b->n; i++)
        free(b->kept[i]);
    pthread_mutex_destroy(&b->lock);
    free(b);
}

void *rlh_block_take(rlh_blocks *b)
{
    void *p = NULL;
    if (b) {
        pthread_mutex_lock(&b->lock);
        if (b->n) p = b->kept[--b->n];
        pthread_mutex_unlock(&b->lock);
    }
    return p ? p : malloc(RLH_BLOCK);
}

void rlh_block_give(rlh_blocks *b, void *block)
{
    if (!block) return;
    if (b) {
        pthread_mutex_lock(&b->lock);
        bool kept = b->n < RLH_BLOCKS_KEPT;
        if (kept) b->kept[b->n++] = block;
        pthread_mutex_unlock(&b->lock);
        if (kept) return;
    }
    free(block);
}

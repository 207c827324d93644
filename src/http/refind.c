/*
 * The rows a PATCH changed, found again after it for return=representation: by their integer
 * keys, read before; or, on a table without one, by their key fields (every column of a table
 * without a primary key) with the PATCH's values in place.
 */
#include "http_int.h"

#include <stdlib.h>
#include <string.h>

/* The pks of the rows q matches (at most max + 1 of them) into *out. */
int rlh_pks_of(rl_query *q, const rl_model *m, size_t max, rl_value **out, size_t *n)
{
    rl_limit(q, (int64_t)max + 1);
    rl_cursor *c;
    *out = NULL;
    *n = 0;
    int rc = rl_cursor_open(q, &c);
    if (rc != RL_OK) return rc;
    void *row = calloc(1, m->size);
    rl_value *pks = calloc(max + 1, sizeof *pks);
    if (!row || !pks) rc = RL_ENOMEM;
    while (rc == RL_OK && (rc = rl_cursor_next(c, row, NULL)) == 1) {
        pks[(*n)++] = rl_int(rlh_row_pk(m, row));
        rc = RL_OK;
    }
    free(row);
    rl_cursor_free(c);
    if (rc < 0) {
        free(pks);
        return rc;
    }
    *out = pks;
    return RL_OK;
}

/* A table without an integer key: the rows a PATCH will change, read before (at most max + 1
 * of them), to be found again after it by their key fields (its primary key, or every column
 * of a table without one) with the PATCH's values in place. */
rl_query *rlh_refind(rl_db *db, const rl_model *m, const rl_rows *before, const rl_set *sets,
                     size_t nsets)
{
    rl_query *after = rl_select(db, m);
    const char *const *key = m->primary_key;
    size_t nkey = 0;
    while (key && key[nkey])
        nkey++;
    rl_any(after);
    for (size_t i = 0; i < before->count; i++) {
        const rl_value *v = rl_row_values(m, (char *)before->items + i * m->size);
        rl_all(after);
        for (size_t f = 0; f < (nkey ? nkey : m->nfields); f++) {
            const rl_field *fl = nkey ? rlh_field(m, key[f]) : &m->fields[f];
            rl_value x = v[fl - m->fields];
            for (size_t k = 0; k < nsets; k++)
                if (strcmp(sets[k].field, fl->name) == 0) x = sets[k].value;
            rl_where(after, fl->name, RL_EQ, x);
        }
        rl_end(after);
    }
    if (before->count == 0) rl_where_in(after, m->fields[0].name, NULL, 0, false); /* none */
    rl_end(after);
    return after;
}

/*
 * Reading a row into a model's struct, written once as an always-inlined template over the
 * column reads: the core instantiates it with the backend's callbacks (model.c), and a
 * backend may instantiate it with its engine's own calls (backend.h read_row), which the
 * compiler then calls directly, without a callback per column.
 */
#ifndef REFLITE_FIELDREAD_H
#define REFLITE_FIELDREAD_H

#include "model.h"

#include <stdlib.h>
#include <string.h>

typedef struct rli_column_ops {
    bool (*null)(rlb_stmt *s, int col);
    int64_t (*int64)(rlb_stmt *s, int col);
    double (*dbl)(rlb_stmt *s, int col);
    const char *(*text)(rlb_stmt *s, int col, size_t *len);
    const void *(*blob)(rlb_stmt *s, int col, size_t *len);
    rl_vtype (*type)(rlb_stmt *s, int col); /* NULL: a value has its column's kind */
} rli_column_ops;

/* The backend's column reads, for the template below. */
rli_column_ops rli_ops_of(const rl_backend *be);

/* Column col as an rl_value of its own type (the engine's, or the field's kind), text and
 * blobs copied as rli_field_read_ops copies them. */
static inline int rli_value_read(const rli_column_ops *ops, rl_kind kind, rl_value *out,
                                 rlb_stmt *st, int col, arena *a)
{
    rl_vtype t;
    if (ops->null(st, col)) {
        t = RL_V_NULL;
    } else if (ops->type) {
        t = ops->type(st, col);
    } else {
        /* the kinds after BOOLEAN travel as their text (exact digits, JSON, ISO dates) */
        static const rl_vtype by_kind[] = {[RL_KIND_INTEGER] = RL_V_INT,
                                           [RL_KIND_REAL] = RL_V_REAL,
                                           [RL_KIND_TEXT] = RL_V_TEXT,
                                           [RL_KIND_BLOB] = RL_V_BLOB,
                                           [RL_KIND_BOOLEAN] = RL_V_INT};
        t = (unsigned)kind <= RL_KIND_BOOLEAN ? by_kind[kind] : RL_V_TEXT;
        if (t == RL_V_NULL) t = RL_V_TEXT;
    }
    *out = rl_null();
    size_t n = 0;
    switch (t) {
    case RL_V_INT:
        *out = rl_int(ops->int64(st, col));
        break;
    case RL_V_REAL:
        *out = rl_real(ops->dbl(st, col));
        break;
    case RL_V_TEXT: {
        const char *s = ops->text(st, col, &n);
        char *c = s && a && a->borrow_text ? (char *)s : s ? rli_copy_bytes(a, s, n) : NULL;
        if (!c) return RL_ENOMEM;
        *out = rl_text(c);
        break;
    }
    case RL_V_BLOB: {
        const void *d = ops->blob(st, col, &n);
        void *c = rli_copy_bytes(a, d, n);
        if (!c) return RL_ENOMEM;
        *out = rl_blob_value(c, n);
        break;
    }
    default:
        break;
    }
    return RL_OK;
}

/*
 * Read column col into the field's member.  borrowed, a constant at each instantiation, is
 * for a cursor's rows: text is left where the engine keeps it and the model has no blob or
 * value members (which need the arena), so that neither needs a test per row.  Plain numbers read
 * NULL as 0 without asking whether the column is NULL (the backend's column_int64 and friends
 * already do); only the "maybe" members and blobs, where NULL must be told apart, ask.  Text asks
 * only when column_text returns NULL, to tell SQL NULL from out of memory.
 */
static inline __attribute__((always_inline)) int rli_field_read_ops(const rli_column_ops *ops,
                                                                    read_step f, void *row,
                                                                    rlb_stmt *st, int col, arena *a,
                                                                    bool borrowed)
{
    char *p = (char *)row + f.offset;
    switch ((rl_ctype)f.ctype) {
    case RL_CT_INT64:
        *(int64_t *)p = ops->int64(st, col);
        break;
    case RL_CT_INT:
        *(int *)p = (int)ops->int64(st, col);
        break;
    case RL_CT_DOUBLE:
        *(double *)p = ops->dbl(st, col);
        break;
    case RL_CT_BOOL:
        *(bool *)p = ops->int64(st, col) != 0;
        break;
    case RL_CT_MAYBE_INT: {
        bool null = ops->null(st, col);
        *(rl_maybe_int *)p = (rl_maybe_int){!null, null ? 0 : ops->int64(st, col)};
        break;
    }
    case RL_CT_MAYBE_REAL: {
        bool null = ops->null(st, col);
        *(rl_maybe_real *)p = (rl_maybe_real){!null, null ? 0 : ops->dbl(st, col)};
        break;
    }
    case RL_CT_MAYBE_BOOL: {
        bool null = ops->null(st, col);
        *(rl_maybe_bool *)p = (rl_maybe_bool){!null, !null && ops->int64(st, col)};
        break;
    }
    case RL_CT_TEXT: {
        char *s = NULL;
        /* a C string ends at its first NUL: the bytes after one are unreachable anyway */
        const char *t = ops->text(st, col, NULL);
        if (t && (borrowed || (a && a->borrow_text))) {
            s = (char *)t;
        } else if (t) {
            s = rli_copy_bytes(a, t, strlen(t));
            if (!s) return RL_ENOMEM;
        } else if (!ops->null(st, col)) {
            return RL_ENOMEM; /* the conversion to text failed */
        }
        memcpy(p, &s, sizeof s);
        break;
    }
    case RL_CT_BLOB: {
        if (borrowed) return RL_EMISUSE;
        rl_blob b = {NULL, 0};
        if (!ops->null(st, col)) {
            const void *d = ops->blob(st, col, &b.len);
            b.data = rli_copy_bytes(a, d, b.len);
            if (!b.data) return RL_ENOMEM;
        }
        memcpy(p, &b, sizeof b);
        break;
    }
    case RL_CT_VALUE: {
        if (borrowed) return RL_EMISUSE;
        rl_value v;
        int rc = rli_value_read(ops, (rl_kind)f.kind, &v, st, col, a);
        memcpy(p, &v, sizeof v);
        if (rc != RL_OK) return rc;
        break;
    }
    default:
        break;
    }
    return RL_OK;
}

/* The primary key (when the model has one) and every field, from column col on (borrowed:
 * as above). */
static inline __attribute__((always_inline)) int rli_read_row_ops(const rli_column_ops *ops,
                                                                  const model_info *mi, void *row,
                                                                  rlb_stmt *st, int col, arena *a,
                                                                  bool borrowed)
{
    const rl_model *m = mi->model;
    if (m->has_pk) rli_row_set_pk(m, row, ops->int64(st, col++));
    const read_step *plan = mi->plan;
    for (size_t i = 0, n = m->nfields; i < n; i++) {
        int rc = rli_field_read_ops(ops, plan[i], row, st, col++, a, borrowed);
        if (rc != RL_OK) return rc;
    }
    return RL_OK;
}

/* A cursor's next row, for a backend's next_row: step with the engine's own step (RLB_ROW,
 * or its code when there is no row), then read the row from column 0 with text borrowed (the
 * read's negative code if it fails). */
static inline __attribute__((always_inline)) int rli_next_row_ops(const rli_column_ops *ops,
                                                                  int (*step)(rlb_stmt *s),
                                                                  const model_info *mi, void *row,
                                                                  rlb_stmt *st, arena *a)
{
    int rc = step(st);
    if (rc != RLB_ROW) return rc;
    int code = rli_read_row_ops(ops, mi, row, st, 0, a, true);
    return code == RL_OK ? RLB_ROW : code;
}

#endif
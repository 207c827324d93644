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

/* The value of field f in row v with the sets in place. */
static rl_value set_value(const rl_model *m, const rl_value *v, const rl_field *f,
                          const rl_set *sets, size_t nsets)
{
    rl_value x = v[f - m->fields];
    for (size_t k = 0; k < nsets; k++)
        if (strcmp(sets[k].field, f->name) == 0) x = sets[k].value;
    return x;
}

/* Whether field f has a known value in row v with the sets in place: not NULL, and not a
 * default a set gives it (rl_default: not known here). */
static bool known(const rl_model *m, const rl_value *v, const rl_field *f, const rl_set *sets,
                  size_t nsets)
{
    rl_vtype t = set_value(m, v, f, sets, nsets).type;
    return t != RL_V_NULL && t != RL_V_DEFAULT;
}

/* Whether every field of names (NULL-terminated) is known in row v. */
static bool all_set(const rl_model *m, const rl_value *v, const char *const *names,
                    const rl_set *sets, size_t nsets)
{
    for (size_t i = 0; names[i]; i++) {
        const rl_field *f = rlh_field(m, names[i]);
        if (!f || !known(m, v, f, sets, nsets)) return false;
    }
    return true;
}

/* Whether the elements of JSON array j are arrays of one size (a dimension more of a
 * PostgreSQL array), rather than values of it (a json[] column's arrays). */
static bool dimension(json_t *j)
{
    size_t i;
    json_t *e;
    json_array_foreach(j, i, e)
    {
        if (!json_is_array(e) || json_array_size(e) != json_array_size(json_array_get(j, 0)))
            return false;
    }
    return json_array_size(j) > 0;
}

/* A JSON value as an element of a PostgreSQL array literal into b (nested: a dimension of
 * it): a string double-quoted with its quotes and backslashes escaped, null NULL, a dimension
 * as a nested {...}, an object or another array as its quoted text, anything else as its
 * JSON text. */
static void array_element(rlh_buf *b, json_t *j, bool nested)
{
    if (json_is_null(j)) {
        rlh_adds(b, "NULL");
        return;
    }
    if (nested) {
        size_t i;
        json_t *e;
        rlh_add(b, "{", 1);
        json_array_foreach(j, i, e)
        {
            if (i) rlh_add(b, ",", 1);
            array_element(b, e, json_is_array(e) && dimension(j));
        }
        rlh_add(b, "}", 1);
        return;
    }
    char *text = json_is_string(j) ? NULL : json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT);
    const char *s = json_is_string(j) ? json_string_value(j) : text;
    bool quote = json_is_string(j) || json_is_object(j) || json_is_array(j);
    if (quote) rlh_add(b, "\"", 1);
    for (; s && *s; s++) {
        if (quote && (*s == '"' || *s == '\\')) rlh_add(b, "\\", 1);
        rlh_add(b, s, 1);
    }
    if (quote) rlh_add(b, "\"", 1);
    if (!s) b->oom = true;
    free(text);
}

/* A field's value as a condition on it takes it: on PostgreSQL an array column's JSON text
 * (as reflite reads arrays, and as a body gives them) as the array literal a filter gives,
 * "[1,[2]]" -> "{1,{2}}", a JSON string "{1,2}" -> {1,2}, into b (which then holds it). */
static rl_value as_compared(rl_db *db, const rl_field *f, rl_value x, rlh_buf *b)
{
    if (f->kind != RL_KIND_ARRAY || x.type != RL_V_TEXT ||
        strcmp(rl_db_engine(db), "postgresql") != 0)
        return x;
    json_t *j = json_loads(x.u.s, JSON_DECODE_ANY, NULL);
    if (!json_is_array(j) && !json_is_string(j)) {
        json_decref(j);
        return x;
    }
    b->len = 0;
    if (json_is_string(j)) /* a literal given as a JSON string: the literal */
        rlh_add(b, json_string_value(j), json_string_length(j));
    else
        array_element(b, j, true);
    rlh_add(b, "", 1);
    json_decref(j);
    return b->oom ? x : rl_text(b->data);
}

/* Conditions into q that find row v again: by its primary key; else by a unique field or a
 * unique index (a view's, from the table it shows) it has a value of; else by every field,
 * where given (the row as a request gave it) leaves out the fields it left NULL, which the
 * engine may have filled with their defaults.  A field a set gives its default (rl_default)
 * has a value not known here: no condition on it. */
static void find_row(rl_db *db, rl_query *q, const rl_model *m, const rl_value *v,
                     const rl_set *sets, size_t nsets, bool given)
{
    rlh_buf b = {0};
    const char *const *key = m->primary_key;
    const char *one[2] = {NULL, NULL};
    for (size_t f = 0; !key && f < m->nfields; f++)
        if (m->fields[f].unique && known(m, v, &m->fields[f], sets, nsets))
            key = (one[0] = m->fields[f].name, one);
    for (size_t x = 0; !key && x < m->nindexes; x++)
        if (m->indexes[x].unique && all_set(m, v, m->indexes[x].fields, sets, nsets))
            key = m->indexes[x].fields;
    rl_all(q);
    for (size_t i = 0; key && key[i]; i++) {
        const rl_field *f = rlh_field(m, key[i]);
        rl_value x = f ? set_value(m, v, f, sets, nsets) : rl_null();
        if (f && x.type != RL_V_DEFAULT) rl_where(q, f->name, RL_EQ, as_compared(db, f, x, &b));
    }
    for (size_t f = 0; !key && f < m->nfields; f++) {
        rl_value x = set_value(m, v, &m->fields[f], sets, nsets);
        if ((!given || x.type != RL_V_NULL) && x.type != RL_V_DEFAULT) /* a default: unknown */
            rl_where(q, m->fields[f].name, RL_EQ, as_compared(db, &m->fields[f], x, &b));
    }
    rl_end(q);
    rlh_free(&b);
}

/* A table without an integer key: the rows a write changed, found again after it by their
 * keys (see find_row) with the PATCH's values in place. */
rl_query *rlh_refind(rl_db *db, const rl_model *m, const rl_rows *before, const rl_set *sets,
                     size_t nsets, bool given)
{
    rl_query *after = rl_select(db, m);
    rl_any(after);
    for (size_t i = 0; i < before->count; i++)
        find_row(db, after, m, rl_row_values(m, (char *)before->items + i * m->size), sets, nsets,
                 given);
    if (before->count == 0) rl_where_in(after, m->fields[0].name, NULL, 0, false); /* none */
    rl_end(after);
    return after;
}

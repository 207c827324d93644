/*
 * Conditions and orderings on a value inside a column's JSON document (rl_where_json,
 * rl_order_by_json).  The path travels in the query's shape, so that the statement text (its
 * keys written as SQL literals by the renderer, render_json.c) is cached under it: each step
 * 'k' (a key) or 'i' (an index), the length of its text (4 hex digits) and its bytes in hex,
 * then 't' (the value as text, ->>) or 'j' (as JSON, ->).  Nothing of a key reaches the
 * shape but hex digits, so no byte of it is read as a token.
 */
#include "query.h"
#include "db.h"

#include <string.h>

enum { MAX_STEPS = 64, MAX_KEY = 1000 };

/* Whether s is an array index: an optional '-', then 1 to 9 digits. */
static bool is_index(const char *s)
{
    size_t n = 0;
    s += *s == '-';
    while (s[n] >= '0' && s[n] <= '9')
        n++;
    return n > 0 && n <= 9 && !s[n];
}

/* The encoding of the path into b; RL_OK, or the query's error. */
static int encode(rl_query *q, const char *field, const rl_json_step *steps, size_t n, bool text,
                  strbuf *b)
{
    static const char hex[] = "0123456789abcdef";
    if (!steps || n == 0 || n > MAX_STEPS)
        return rli_q_fail(q, RL_EINVAL, "query on %s: a JSON path of %s has 1 to %d steps.",
                          q->mi->table, field, MAX_STEPS);
    bool quoted_paths = q->db->be->dialect->json_path_text;
    for (size_t i = 0; i < n; i++) {
        const char *k = steps[i].key;
        size_t len = k ? strlen(k) : 0;
        if (!k || len > MAX_KEY || (steps[i].index && !is_index(k)))
            return rli_q_fail(q, RL_EINVAL,
                              "query on %s: step %zu of a JSON path of %s is not a key (at most "
                              "%d bytes) or an index (digits, '-' first from the end).",
                              q->mi->table, i + 1, field, MAX_KEY);
        if (quoted_paths && !steps[i].index && strchr(k, '"'))
            return rli_q_fail(q, RL_EINVAL,
                              "query on %s: %s's JSON paths cannot name a key with a double "
                              "quote (step %zu of %s).",
                              q->mi->table, q->db->be->dialect->name, i + 1, field);
        rli_sb_printf(b, "%c%04zx", steps[i].index ? 'i' : 'k', len);
        for (size_t c = 0; c < len; c++) {
            char two[2] = {hex[(unsigned char)k[c] >> 4], hex[(unsigned char)k[c] & 15]};
            rli_sb_putn(b, two, 2);
        }
    }
    rli_sb_puts(b, text ? "t" : "j");
    if (b->oom) return rli_q_fail(q, RL_ENOMEM, "Out of memory.");
    if (b->len > 0xffff) /* its length is four hex digits in the shape */
        return rli_q_fail(q, RL_EINVAL,
                          "query on %s: a JSON path of %s is too long (its keys together are "
                          "at most 32,000 bytes).",
                          q->mi->table, field);
    return RL_OK;
}

int rl_where_json(rl_query *q, const char *field, const rl_json_step *steps, size_t n, bool text,
                  rl_op op, rl_value v)
{
    if (!q) return RL_EINVAL;
    if (q->error) return q->error;
    int code = rli_q_field_code(q, field);
    if (code < 0) return rli_q_unknown_field(q, field);
    strbuf b;
    rli_sb_init(&b);
    int rc = encode(q, field, steps, n, text, &b);
    if (rc == RL_OK) rc = rli_where_value(q, code, field, op, v, b.s, b.len);
    rli_sb_free(&b);
    return rc;
}

int rl_order_by_json(rl_query *q, const char *field, const rl_json_step *steps, size_t n, bool text,
                     rl_order dir)
{
    if (!q) return RL_EINVAL;
    if (q->error) return q->error;
    int code = rli_q_field_code(q, field);
    if (code < 0) return rli_q_unknown_field(q, field);
    static const char dirs[] = "adflFL"; /* the order of rl_order, as rl_order_by's */
    if ((unsigned)dir >= sizeof dirs - 1)
        return rli_q_fail(q, RL_EINVAL, "query on %s: unknown order %d.", q->mi->table, (int)dir);
    strbuf b;
    rli_sb_init(&b);
    int rc = encode(q, field, steps, n, text, &b);
    if (rc == RL_OK) { /* 'O' FF dir LLLL path */
        rli_q_token(q, 'O', code, dirs[dir]);
        rli_sb_printf(&q->shape, "%04zx", b.len);
        rli_sb_putn(&q->shape, b.s, b.len);
        q->norder++;
    }
    rli_sb_free(&b);
    return rc;
}

int rl_select_agg_of(rl_query *q, rl_agg agg, const char *field, const rl_json_step *steps,
                     size_t n, bool text, rl_kind cast)
{
    if (!q) return RL_EINVAL;
    if (q->error) return q->error;
    if ((unsigned)agg > RL_AGG_MAX || !field)
        return rli_q_fail(q, RL_EINVAL, "query: rl_select_agg_of takes an aggregate and a field.");
    if (cast != RL_KIND_AUTO && (cast >= RLS_KINDS || !q->db->be->dialect->cast_as[cast]))
        return rli_q_fail(q, RL_EINVAL,
                          "query on %s: an aggregate's argument is cast to an integer, a real, a "
                          "numeric or a text (kind %d).",
                          q->mi ? q->mi->table : "?", (int)cast);
    if (!n) return rli_q_item(q, (int)agg, field, (int)cast, NULL, 0);
    if (rli_q_field_code(q, field) < 0) return rli_q_unknown_field(q, field);
    strbuf b;
    rli_sb_init(&b);
    int rc = encode(q, field, steps, n, text, &b);
    if (rc == RL_OK) rc = rli_q_item(q, (int)agg, field, (int)cast, b.s, b.len);
    rli_sb_free(&b);
    return rc;
}

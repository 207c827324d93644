/*
 * Verifying a copy: every table of the source against the table of that name on the
 * destination (rl_copy with opts->verify, before its COMMIT; rl_copy_verify at any time).
 *
 * Each row is read on both sides, each value normalised from what its engine returns: a
 * number (an integer, a real, a decimal's text, a boolean as 0 or 1) by its canonical decimal
 * text (base/number.c; a NUMERIC(p,s) column's rounded to s places first, as the destination
 * rounded it), text and blobs by their bytes, NULL as NULL; a column that holds text or bytes
 * on the destination takes a number as its text.  A table matches when both sides have as
 * many rows and the same sum of row hashes (the order rows come in does not matter).
 *
 * When a table does not match, the difference is found and named: the source's rows are read
 * into a hash table by their key (the primary key's values, or the whole row without one),
 * the destination's rows looked up there, and the first row that differs is named with its
 * key, its first differing column and both values; or a row found on one side only.  Only
 * that search holds a table's rows in memory.
 */
#include "migrate.h"
#include "sql/copy.h"
#include "core/db.h"
#include "core/error.h"
#include "core/stmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a row, normalised ------------------------------------------------------------------ */

/* One value: a tag ('N' null, '#' number, 'T' text, 'B' bytes), its length, its bytes. */
static void put_item(strbuf *b, char tag, const char *v, size_t len)
{
    rli_sb_printf(b, "%c%zu:", tag, len);
    rli_sb_putn(b, v ? v : "", len);
}

static bool numeric_kind(rl_copy_kind k)
{
    return k == RL_COPY_INT || k == RL_COPY_REAL || k == RL_COPY_NUMERIC || k == RL_COPY_BOOL;
}

/* A boolean's words as 1 or 0, or NULL. */
static const char *bool_word(const char *v)
{
    static const char *on[] = {"t", "true", "y", "yes", "on"},
                      *off[] = {"f", "false", "n", "no", "off"};
    for (size_t i = 0; i < 5; i++) {
        if (strcasecmp(v, on[i]) == 0) return "1";
        if (strcasecmp(v, off[i]) == 0) return "0";
    }
    return NULL;
}

/* Column col of st's current row, normalised by its kind, appended to b. */
static void put_value(strbuf *b, const rl_backend *be, rlb_stmt *st, int col,
                      const rl_copy_type *ct)
{
    if (be->column_null(st, col)) {
        put_item(b, 'N', "", 0);
        return;
    }
    rl_vtype t = be->column_type                   ? be->column_type(st, col)
                 : ct->kind == RL_COPY_BLOB_OR_ANY ? RL_V_BLOB
                                                   : RL_V_TEXT;
    char num[32];
    const char *v;
    size_t len;
    if (t == RL_V_INT) {
        len = (size_t)snprintf(num, sizeof num, "%lld", (long long)be->column_int64(st, col));
        v = num;
    } else if (t == RL_V_REAL) {
        len = rli_real_text(be->column_double(st, col), num);
        v = num;
    } else if (t == RL_V_BLOB) {
        v = be->column_blob(st, col, &len);
    } else {
        v = be->column_text(st, col, &len);
    }
    if (ct->kind == RL_COPY_BLOB_OR_ANY || (t == RL_V_BLOB && numeric_kind(ct->kind))) {
        put_item(b, 'B', v, len);
    } else if (!numeric_kind(ct->kind)) {
        put_item(b, 'T', v, len);
    } else {
        const char *word = ct->kind == RL_COPY_BOOL ? bool_word(v) : NULL;
        strbuf canon;
        rli_sb_init(&canon);
        int scale = ct->kind == RL_COPY_NUMERIC && ct->precision > 0 ? ct->scale : -1;
        if (rli_number_canon(&canon, word ? word : v, scale, ct->kind == RL_COPY_REAL))
            put_item(b, '#', sb_str(&canon), canon.len);
        else
            put_item(b, 'T', v, len);
        b->oom |= canon.oom;
        rli_sb_free(&canon);
    }
}

/* The next item of a normalised row at *p: its tag, bytes and length; false at the end. */
static bool next_item(const char **p, const char *end, char *tag, const char **v, size_t *len)
{
    if (*p >= end) return false;
    *tag = **p;
    char *colon;
    *len = (size_t)strtoull(*p + 1, &colon, 10);
    *v = colon + 1;
    *p = *v + *len;
    return true;
}

/* An item as a person reads it: NULL, 5.94, 'text', x'0102'. */
static void put_display(strbuf *b, char tag, const char *v, size_t len)
{
    if (tag == 'N') {
        rli_sb_puts(b, "NULL");
    } else if (tag == '#') {
        char *e = memchr(v, 'e', len);
        long exp = e ? strtol(e + 1, NULL, 10) : 0;
        size_t nd = e ? (size_t)(e - v) : len;
        bool neg = nd && v[0] == '-';
        const char *d = v + neg;
        nd -= neg;
        if (!e || exp > 40 || exp < -40 || nd == 0) { /* 0, inf, nan, or far out */
            rli_sb_putn(b, v, len);
        } else if (exp >= 0) {
            rli_sb_puts(b, neg ? "-" : "");
            rli_sb_putn(b, d, nd);
            for (long i = 0; i < exp; i++)
                rli_sb_putn(b, "0", 1);
        } else {
            rli_sb_puts(b, neg ? "-" : "");
            long point = (long)nd + exp; /* digits before the point */
            if (point <= 0) {
                rli_sb_puts(b, "0.");
                for (long i = point; i < 0; i++)
                    rli_sb_putn(b, "0", 1);
                rli_sb_putn(b, d, nd);
            } else {
                rli_sb_putn(b, d, (size_t)point);
                rli_sb_putn(b, ".", 1);
                rli_sb_putn(b, d + point, nd - (size_t)point);
            }
        }
    } else if (tag == 'T') {
        char *s = strndup(v, len > 200 ? 200 : len);
        rli_sb_puts(b, "'");
        rli_sb_name(b, s ? s : "");
        rli_sb_puts(b, len > 200 ? "...'" : "'");
        free(s);
    } else {
        rli_sb_puts(b, "x'");
        for (size_t i = 0; i < len && i < 64; i++)
            rli_sb_printf(b, "%02x", (unsigned char)v[i]);
        rli_sb_puts(b, len > 64 ? "...'" : "'");
    }
}

/* ---- both sides' rows ------------------------------------------------------------------- */

typedef struct side {
    rl_db *db;
    rlb_stmt *st;
    char *sql;
} side;

static int side_open(side *s, rl_db *db, const sch_table *t)
{
    s->db = db;
    s->sql = rli_copy_select_sql(db->be->dialect, t, NULL);
    if (!s->sql) return rli_err_set(db, RL_ENOMEM, "Out of memory.");
    int code = rli_prepare_kept(db, s->sql, &s->st, "copy: verify");
    if (code == RL_OK && db->be->stream) db->be->stream(s->st);
    return code;
}

static void side_close(side *s)
{
    if (s->db && s->st) s->db->be->finalize(s->st);
    free(s->sql);
    memset(s, 0, sizeof *s);
}

/* The next row of s normalised into row (and its key into key); 1, 0 at the end, or a code. */
static int side_next(side *s, const sch_table *t, const rl_copy_type *types, strbuf *row,
                     strbuf *key, bool has_pk)
{
    int rc = s->db->be->step(s->st);
    if (rc == RLB_DONE) return 0;
    if (rc != RLB_ROW) return rli_fail(s->db, s->st, rc, "copy: verify");
    row->len = 0;
    if (key) key->len = 0;
    for (size_t c = 0; c < t->ncols; c++) {
        size_t at = row->len;
        put_value(row, s->db->be, s->st, (int)c, &types[c]);
        if (key && has_pk && t->cols[c].pk) rli_sb_putn(key, row->s + at, row->len - at);
    }
    if (key && !has_pk) rli_sb_putn(key, sb_str(row), row->len);
    return row->oom || (key && key->oom) ? rli_err_set(s->db, RL_ENOMEM, "Out of memory.") : 1;
}

/* A row's hash, spread so that a sum of hashes tells sets of rows apart. */
static uint64_t row_hash(const strbuf *row)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < row->len; i++)
        h = (h ^ (unsigned char)row->s[i]) * 1099511628211ULL;
    h ^= h >> 31;
    h *= 0x7fb5d329728ea185ULL;
    h ^= h >> 27;
    h *= 0x81dadef4bc2dd44dULL;
    return h ^ (h >> 33);
}

/* Rows and the sum of their hashes on one side. */
static int sum_side(rl_db *db, const sch_table *t, const rl_copy_type *types, int64_t *n,
                    uint64_t *sum)
{
    side s = {0};
    strbuf row;
    rli_sb_init(&row);
    int code = side_open(&s, db, t), got = 0;
    *n = 0;
    *sum = 0;
    while (code == RL_OK && (got = side_next(&s, t, types, &row, NULL, false)) == 1) {
        ++*n;
        *sum += row_hash(&row);
    }
    side_close(&s);
    rli_sb_free(&row);
    return code != RL_OK ? code : got < 0 ? got : RL_OK;
}

/* ---- finding the difference ------------------------------------------------------------- */

typedef struct entry {
    char *key, *row; /* malloc'd */
    size_t keylen, rowlen;
    int64_t count; /* rows of the source with this key not yet met on the destination */
} entry;

typedef struct rowmap {
    entry *e;
    size_t cap, n;
} rowmap;

static uint64_t bytes_hash(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h;
}

static entry *map_find(rowmap *m, const char *key, size_t len)
{
    size_t i = (size_t)bytes_hash(key, len) & (m->cap - 1);
    while (m->e[i].key && !(m->e[i].keylen == len && memcmp(m->e[i].key, key, len) == 0))
        i = (i + 1) & (m->cap - 1);
    return &m->e[i];
}

static bool map_grow(rowmap *m)
{
    rowmap bigger = {calloc(m->cap ? m->cap * 2 : 1024, sizeof(entry)), m->cap ? m->cap * 2 : 1024,
                     m->n};
    if (!bigger.e) return false;
    for (size_t i = 0; i < m->cap; i++)
        if (m->e[i].key) *map_find(&bigger, m->e[i].key, m->e[i].keylen) = m->e[i];
    free(m->e);
    *m = bigger;
    return true;
}

static bool map_add(rowmap *m, const strbuf *key, const strbuf *row)
{
    if ((m->n + 1) * 2 > m->cap && !map_grow(m)) return false;
    entry *e = map_find(m, sb_str(key), key->len);
    if (e->key) {
        e->count++;
        return true;
    }
    e->key = malloc(key->len + 1);
    e->row = malloc(row->len + 1);
    if (!e->key || !e->row) {
        free(e->key);
        free(e->row);
        e->key = e->row = NULL;
        return false;
    }
    memcpy(e->key, sb_str(key), key->len);
    memcpy(e->row, sb_str(row), row->len);
    e->keylen = key->len;
    e->rowlen = row->len;
    e->count = 1;
    m->n++;
    return true;
}

static void map_free(rowmap *m)
{
    for (size_t i = 0; i < m->cap; i++) {
        free(m->e[i].key);
        free(m->e[i].row);
    }
    free(m->e);
}

/* "id = 5" (the key's columns), or the first columns of a row without a key. */
static void put_key(strbuf *b, const sch_table *t, const char *row, size_t len, bool has_pk)
{
    const char *p = row, *end = row + len, *v;
    char tag;
    size_t n, shown = 0;
    for (size_t c = 0; c < t->ncols && next_item(&p, end, &tag, &v, &n); c++) {
        if (has_pk ? !t->cols[c].pk : shown >= 3) continue;
        rli_sb_puts(b, shown++ ? ", " : "");
        rli_sb_name(b, t->cols[c].name);
        rli_sb_puts(b, " = ");
        put_display(b, tag, v, n);
    }
}

/* The sentence for a row found on both sides that differs: its first differing column. */
static void put_column_diff(strbuf *b, const sch_table *t, const entry *e, const strbuf *row)
{
    const char *p = e->row, *q = row->s, *pe = e->row + e->rowlen, *qe = row->s + row->len;
    const char *v, *w;
    char tv, tw;
    size_t nv, nw;
    for (size_t c = 0;
         c < t->ncols && next_item(&p, pe, &tv, &v, &nv) && next_item(&q, qe, &tw, &w, &nw); c++)
        if (tv != tw || nv != nw || memcmp(v, w, nv) != 0) {
            rli_sb_puts(b, ", column ");
            rli_sb_name(b, t->cols[c].name);
            rli_sb_puts(b, ": the source has ");
            put_display(b, tv, v, nv);
            rli_sb_puts(b, ", the destination ");
            put_display(b, tw, w, nw);
            return;
        }
}

/* Find the first row that differs between the sides of t and name it in why. */
static int locate(rl_db *src, rl_db *dst, const sch_table *t, const rl_copy_type *types,
                  strbuf *why)
{
    bool has_pk = false;
    for (size_t c = 0; c < t->ncols; c++)
        has_pk |= t->cols[c].pk > 0;
    rowmap m = {0};
    side s = {0};
    strbuf row, key;
    rli_sb_init(&row);
    rli_sb_init(&key);
    int code = map_grow(&m) ? side_open(&s, src, t) : RL_ENOMEM, got = 0;
    while (code == RL_OK && (got = side_next(&s, t, types, &row, &key, has_pk)) == 1)
        if (!map_add(&m, &key, &row)) code = rli_err_set(dst, RL_ENOMEM, "Out of memory.");
    side_close(&s);
    if (code == RL_OK && got < 0) code = got;
    if (code == RL_OK) code = side_open(&s, dst, t);
    bool found = false;
    while (!found && code == RL_OK && (got = side_next(&s, t, types, &row, &key, has_pk)) == 1) {
        entry *e = map_find(&m, sb_str(&key), key.len);
        if (e->key && e->count > 0 && e->rowlen == row.len &&
            memcmp(e->row, sb_str(&row), row.len) == 0) {
            e->count--;
            continue;
        }
        found = true;
        rli_sb_puts(why, "table ");
        rli_sb_name(why, t->name);
        rli_sb_puts(why, ", row ");
        put_key(why, t, row.s, row.len, has_pk);
        if (e->key && e->count > 0)
            put_column_diff(why, t, e, &row);
        else
            rli_sb_puts(why, ": on the destination only");
    }
    side_close(&s);
    if (code == RL_OK && got < 0) code = got;
    for (size_t i = 0; code == RL_OK && !found && i < m.cap; i++)
        if (m.e[i].key && m.e[i].count > 0) {
            found = true;
            rli_sb_puts(why, "table ");
            rli_sb_name(why, t->name);
            rli_sb_puts(why, ", row ");
            put_key(why, t, m.e[i].row, m.e[i].rowlen, has_pk);
            rli_sb_puts(why, ": missing from the destination");
        }
    if (code == RL_OK && !found) {
        rli_sb_puts(why, "table ");
        rli_sb_name(why, t->name);
        rli_sb_puts(why, ": the rows differ");
    }
    map_free(&m);
    rli_sb_free(&row);
    rli_sb_free(&key);
    return code;
}

/* ---- entry points ----------------------------------------------------------------------- */

static int verify_table(rl_db *src, rl_db *dst, const sch_table *t, const rl_copy_type *types)
{
    int64_t n1, n2;
    uint64_t h1, h2;
    int code = sum_side(src, t, types, &n1, &h1);
    if (code != RL_OK) return rli_err_set(dst, code, "%s", rl_errmsg(src));
    code = sum_side(dst, t, types, &n2, &h2);
    if (code != RL_OK || (n1 == n2 && h1 == h2)) return code;
    strbuf why;
    rli_sb_init(&why);
    code = locate(src, dst, t, types, &why);
    if (code == RL_OK && why.oom) code = rli_err_set(dst, RL_ENOMEM, "Out of memory.");
    if (code == RL_OK)
        code = rli_err_set(dst, RL_EDATALOSS,
                           "copy: verify failed, %s (%lld rows in the source, %lld in the "
                           "destination).",
                           sb_str(&why), (long long)n1, (long long)n2);
    else if (src->e.err.code != RL_OK && dst->e.err.code == RL_OK)
        rli_err_set(dst, code, "%s", rl_errmsg(src));
    rli_sb_free(&why);
    return code;
}

int rli_copy_verify(rl_db *src, rl_db *dst, const schema *s, const rl_copy_type *const *types)
{
    int code = RL_OK;
    for (size_t i = 0; code == RL_OK && i < s->ntables; i++) {
        const sch_table *t = &s->tables[i];
        rl_copy_type *own = types ? NULL : calloc(t->ncols + 1, sizeof *own);
        if (!types && !own) return rli_err_set(dst, RL_ENOMEM, "Out of memory.");
        for (size_t c = 0; own && c < t->ncols; c++)
            own[c] = rli_copy_type(t->cols[c].type);
        code = verify_table(src, dst, t, types ? types[i] : own);
        free(own);
    }
    return code;
}

int rl_copy_verify(rl_db *src, rl_db *dst)
{
    if (!src || !dst || src == dst) return RL_EINVAL;
    rli_err_clear(src);
    rli_err_clear(dst);
    schema s = {0}, have = {0};
    int code = rli_schema_read(src, &s, "copy: read the source schema");
    if (code != RL_OK) rli_err_set(dst, code, "%s", rl_errmsg(src));
    if (code == RL_OK) code = rli_schema_read(dst, &have, "copy: read the destination schema");
    for (size_t i = 0; code == RL_OK && i < s.ntables; i++)
        if (!rli_schema_table(&have, s.tables[i].name))
            code = rli_err_set(dst, RL_EDATALOSS,
                               "copy: verify failed, the destination has no table %s.",
                               s.tables[i].name);
    if (code == RL_OK) code = rli_copy_verify(src, dst, &s, NULL);
    rli_schema_free(&s);
    rli_schema_free(&have);
    return code;
}

/*
 * Bulk loads through PostgreSQL's COPY protocol (backend bulk_load), and which columns a
 * plain index covers (backend index_columns), for rl_copy.
 *
 * A load sends COPY ... FROM STDIN, then the rows in COPY's text format in chunks of about
 * 256 KiB (PQputCopyData), then PQputCopyEnd, and reads the one result.  The text format: a
 * row is its values separated by tabs and ended by a newline; NULL is \N; inside a value a
 * backslash, tab, newline and carriage return are written \\, \t, \n and \r, so that no
 * byte of a value can end a value, a row or the data (a lone "\." line).  Numbers go as
 * their digits, reals as their shortest exact text, blobs as bytea's hex form (\\x...: its
 * backslash doubled like any other).  A row the server refuses fails the whole COPY; the
 * failure keeps the server's context ("COPY t, line 5, column c: ...") as its detail.
 */
#include "pg_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK (256 * 1024)

void rli_pg_real_text(double v, char out[32])
{
    rli_real_text(v, out);
    if (strcmp(out, "nan") == 0)
        strcpy(out, "NaN");
    else if (strcmp(out, "inf") == 0)
        strcpy(out, "Infinity");
    else if (strcmp(out, "-inf") == 0)
        strcpy(out, "-Infinity");
}

/* Text of len bytes with COPY's escapes. */
static void put_escaped(strbuf *b, const char *s, size_t len)
{
    size_t run = 0;
    for (size_t i = 0; i < len; i++) {
        const char *esc = s[i] == '\\'   ? "\\\\"
                          : s[i] == '\t' ? "\\t"
                          : s[i] == '\n' ? "\\n"
                          : s[i] == '\r' ? "\\r"
                                         : NULL;
        if (!esc) continue;
        rli_sb_putn(b, s + run, i - run);
        rli_sb_putn(b, esc, 2);
        run = i + 1;
    }
    rli_sb_putn(b, s + run, len - run);
}

static void put_hex(strbuf *b, const unsigned char *p, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    rli_sb_putn(b, "\\\\x", 3);
    char pair[2];
    for (size_t i = 0; i < len; i++) {
        pair[0] = hex[p[i] >> 4];
        pair[1] = hex[p[i] & 15];
        rli_sb_putn(b, pair, 2);
    }
}

static void put_value(strbuf *b, const rl_value *v)
{
    char num[32];
    switch (v->type) {
    case RL_V_NULL:
    case RL_V_DEFAULT: /* no value of a row: refused before */
        rli_sb_putn(b, "\\N", 2);
        break;
    case RL_V_INT:
        rli_sb_putn(b, num, (size_t)snprintf(num, sizeof num, "%lld", (long long)v->u.i));
        break;
    case RL_V_REAL:
        rli_pg_real_text(v->u.r, num);
        rli_sb_puts(b, num);
        break;
    case RL_V_TEXT:
        put_escaped(b, v->u.s, strlen(v->u.s));
        break;
    case RL_V_BLOB:
        put_hex(b, v->u.b.data, v->u.b.len);
        break;
    }
}

/* The result that ends a COPY: RLB_OK or its failure kept, with the server's context. */
static int copy_result(pg_conn *c)
{
    int rc = RLB_OK;
    PGresult *r;
    while ((r = PQgetResult(c->c))) {
        if (rc == RLB_OK && PQresultStatus(r) != PGRES_COMMAND_OK) {
            rc = rli_pg_keep_error(c, r);
            const char *where = PQresultErrorField(r, PG_DIAG_CONTEXT);
            if (where && !c->err.detail) c->err.detail = strdup(where);
        }
        PQclear(r);
    }
    return rc;
}

static int send_chunk(pg_conn *c, strbuf *b)
{
    int ok = b->len ? PQputCopyData(c->c, b->s, (int)b->len) : 1;
    b->len = 0;
    if (b->s) b->s[0] = '\0';
    return ok == 1 ? RLB_OK : PG_FAIL;
}

int rli_pg_bulk_load(rlb_conn *cc, const char *sql, int ncols, rlb_row_fn next, void *ctx)
{
    pg_conn *c = (pg_conn *)cc;
    int rc = rli_pg_not_busy(c, NULL);
    if (rc != RLB_OK) return rc;
    if (ncols < 1) return PG_FAIL;
    rli_pg_traced(c, sql);
    PGresult *r = PQexec(c->c, sql);
    if (PQresultStatus(r) != PGRES_COPY_IN) {
        rc = rli_pg_keep_error(c, r);
        PQclear(r);
        return rc;
    }
    PQclear(r);
    rl_value *vals = calloc((size_t)ncols, sizeof *vals);
    strbuf b;
    rli_sb_init(&b);
    int got = vals ? 1 : RL_ENOMEM;
    while (got == 1 && rc == RLB_OK && (got = next(ctx, vals)) == 1) {
        for (int i = 0; i < ncols; i++) {
            if (i) rli_sb_putn(&b, "\t", 1);
            put_value(&b, &vals[i]);
        }
        rli_sb_putn(&b, "\n", 1);
        if (b.oom) got = RL_ENOMEM;
        if (got == 1 && b.len >= CHUNK) rc = send_chunk(c, &b);
    }
    if (got == 0 && rc == RLB_OK) rc = send_chunk(c, &b);
    bool whole = got == 0 && rc == RLB_OK;
    if (PQputCopyEnd(c->c, whole ? NULL : "the rows could not be read") != 1 && whole) rc = PG_FAIL;
    int end = copy_result(c);
    rli_sb_free(&b);
    free(vals);
    if (got < 0) return got; /* the caller's failure, already worded */
    if (end != RLB_OK) return end;
    return rc == RLB_OK ? RLB_OK : rli_pg_keep_error(c, NULL);
}

char *rli_pg_index_columns(rlb_conn *cc, const char *table, const char *index)
{
    static const char *sql =
        "SELECT string_agg(a.attname, ',' ORDER BY k.n) FROM pg_index x JOIN pg_class i ON "
        "i.oid = x.indexrelid JOIN pg_am m ON m.oid = i.relam CROSS JOIN LATERAL "
        "unnest(x.indkey::int2[]) WITH ORDINALITY k(attnum, n) JOIN pg_attribute a ON a.attrelid "
        "= x.indrelid AND a.attnum = k.attnum WHERE x.indrelid = quote_ident($1::text)::regclass "
        "AND i.relname = $2 AND m.amname = 'btree' AND NOT x.indisunique AND x.indpred IS NULL "
        "AND x.indexprs IS NULL AND NOT EXISTS (SELECT 1 FROM unnest(x.indoption::int2[]) o WHERE "
        "o <> 0) HAVING count(*) = max(x.indnkeyatts) AND bool_and(k.attnum > 0)";
    const char *params[] = {table, index};
    PGresult *r = NULL;
    if (rli_pg_query((pg_conn *)cc, sql, 2, params, &r) != RLB_OK) return NULL;
    char *cols = PQntuples(r) == 1 && !PQgetisnull(r, 0, 0) ? strdup(PQgetvalue(r, 0, 0)) : NULL;
    PQclear(r);
    return cols;
}

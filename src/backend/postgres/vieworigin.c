/*
 * Where a view's columns come from, on PostgreSQL: the table column each one shows as it is,
 * for runtime models (a view relates through the keys of the columns it shows).
 *
 * PostgreSQL keeps a view's query as its rule "_RETURN" (pg_rewrite.ev_action): the parsed
 * query tree, which reads as text in the server's node syntax.  Each entry of the query's
 * target list says where its value comes from when it is a column read as it is, renamed or
 * not, through joins, subqueries and CTEs: ":resorigtbl" (the relation's oid, 0 for anything
 * computed) and ":resorigcol" (its attribute number), beside ":resno" (the view column's
 * number).  Only the outer query's target list is read (a subquery's own target lists are
 * deeper in the tree), by depth of braces and parentheses; the node syntax writes a brace, a
 * parenthesis, a blank or a backslash inside a name with a backslash before it, so names are
 * skipped over, never read: every name comes from the catalogs by oid and number.
 *
 * A column of a view over a view is followed into that view's own rule (at most
 * MAX_VIEWS deep: a view that reads itself ends there), until a table.  Only a table of the
 * schema being read is an origin (the runtime models are that schema's tables).
 */
#define _GNU_SOURCE /* strdup */
#include "core/schema.h"
#include "pg_int.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAX_VIEWS = 8 };

static const char *RULE_SQL = "SELECT ev_action::text FROM pg_rewrite WHERE ev_class = $1::oid "
                              "AND rulename = '_RETURN'";

static const char *COLUMN_SQL =
    "SELECT c.relkind, n.nspname = $3, c.relname, a.attname FROM pg_class c JOIN pg_namespace n "
    "ON n.oid = c.relnamespace JOIN pg_attribute a ON a.attrelid = c.oid WHERE c.oid = $1::oid "
    "AND a.attnum = $2::int2 AND NOT a.attisdropped";

/* One entry of a target list: the view column's number and where it comes from. */
typedef struct origin {
    long resno;
    char tbl[24], col[8]; /* an oid and an attribute number, as digits ("0": none) */
    bool junk;
} origin;

/* The number after ":field " at p (digits only, into out); false when there is none. */
static bool digits_after(const char *p, const char *field, char *out, size_t size)
{
    size_t n = strlen(field);
    if (strncmp(p, field, n) != 0 || p[n] != ' ') return false;
    p += n + 1;
    size_t len = strspn(p, "0123456789");
    if (len == 0 || len >= size) return false;
    memcpy(out, p, len);
    out[len] = '\0';
    return true;
}

/*
 * The outer query's target list of rule text t into out (at most most entries): the
 * number of entries, or -1 when the text is not as expected.  The rule is a list of one
 * query: "({QUERY ... :targetList ({TARGETENTRY ... :resno 1 ... :resorigtbl 16385
 * :resorigcol 1 :resjunk false} ...) ...})".
 */
static long target_list(const char *t, origin *out, long most)
{
    int depth = 0, list = 0; /* list: the depth of the target list's "(", once in it */
    long n = -1;
    for (const char *p = t; *p; p++) {
        if (*p == '\\') {
            if (!*++p) break;
            continue;
        }
        if (*p == '{' || *p == '(') {
            depth++;
            if (list && depth == list + 1 && *p == '{') {
                if (n + 1 >= most) return -1;
                out[++n] = (origin){.resno = -1, .tbl = "0", .col = "0"};
            }
            continue;
        }
        if (*p == '}' || *p == ')') {
            if (list && depth == list) return n + 1; /* the end of the target list */
            depth--;
            continue;
        }
        if (*p != ':') continue;
        if (!list && depth == 2 && strncmp(p, ":targetList ", 12) == 0) {
            if (p[12] == '<') return 0; /* none */
            if (p[12] != '(') return -1;
            list = depth + 1;
            continue;
        }
        if (!list || depth != list + 1 || n < 0) continue;
        char num[24];
        if (digits_after(p, ":resno", num, sizeof num)) out[n].resno = atol(num);
        digits_after(p, ":resorigtbl", out[n].tbl, sizeof out[n].tbl);
        digits_after(p, ":resorigcol", out[n].col, sizeof out[n].col);
        if (strncmp(p, ":resjunk true", 13) == 0) out[n].junk = true;
    }
    return -1;
}

/* The target list of view oid into out (most entries at most): their number, 0 when it has
 * no rule or one not as expected, or -1 when the catalog cannot be read. */
static long rule_of(pg_conn *c, const char *oid, origin *out, long most)
{
    PGresult *r;
    if (rli_pg_query(c, RULE_SQL, 1, &oid, &r) != RLB_OK) return -1;
    long n = PQntuples(r) == 1 ? target_list(PQgetvalue(r, 0, 0), out, most) : 0;
    PQclear(r);
    return n < 0 ? 0 : n;
}

/* Follow column col of relation tbl (digits) to a table of schema nsp: its name and column
 * into col_out (strdup'd, both or neither); RLB_OK (also when there is no such origin), or a
 * failure code.  left: how many views more may be followed. */
static int follow(pg_conn *c, const char *nsp, const char *tbl, const char *col, int left,
                  char **table_out, char **col_out)
{
    if (strcmp(tbl, "0") == 0 || strcmp(col, "0") == 0) return RLB_OK;
    const char *params[3] = {tbl, col, nsp};
    PGresult *r;
    int rc = rli_pg_query(c, COLUMN_SQL, 3, params, &r);
    if (rc != RLB_OK) return rc;
    char kind = PQntuples(r) == 1 ? PQgetvalue(r, 0, 0)[0] : 0;
    bool here = kind && PQgetvalue(r, 0, 1)[0] == 't';
    if (here && (kind == 'r' || kind == 'p')) {
        *table_out = strdup(PQgetvalue(r, 0, 2));
        *col_out = strdup(PQgetvalue(r, 0, 3));
        if (!*table_out || !*col_out) {
            free(*table_out);
            free(*col_out);
            *table_out = *col_out = NULL;
        }
    }
    PQclear(r);
    if (kind != 'v' || left == 0) return RLB_OK;
    origin *inner = calloc(RL_MAX_FIELDS + 1, sizeof *inner);
    if (!inner) return PG_FAIL;
    long n = rule_of(c, tbl, inner, RL_MAX_FIELDS + 1);
    long want = atol(col);
    rc = n < 0 ? PG_FAIL : RLB_OK;
    for (long i = 0; i < n; i++)
        if (!inner[i].junk && inner[i].resno == want) {
            rc = follow(c, nsp, inner[i].tbl, inner[i].col, left - 1, table_out, col_out);
            break;
        }
    free(inner);
    return rc;
}

int rli_pg_view_origins(pg_conn *c, const char *oid, const char *nsp, sch_object *v)
{
    if (!v->ncols) return RLB_OK;
    origin *list = calloc(RL_MAX_FIELDS + 1, sizeof *list);
    if (!list) return PG_FAIL;
    long n = rule_of(c, oid, list, RL_MAX_FIELDS + 1);
    int rc = n < 0 ? PG_FAIL : RLB_OK;
    for (long i = 0; rc == RLB_OK && i < n; i++) {
        long at = list[i].resno - 1;
        if (list[i].junk || at < 0 || (size_t)at >= v->ncols) continue;
        sch_column *col = &v->cols[at];
        rc = follow(c, nsp, list[i].tbl, list[i].col, MAX_VIEWS, &col->origin_table,
                    &col->origin_column);
    }
    free(list);
    return rc;
}

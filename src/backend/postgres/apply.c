/*
 * Migrations on PostgreSQL, applying a plan, and rl_check.
 *
 * A plan runs in one transaction: its steps, each validation preceded by a search for a row
 * that would fail it (so that the refusal names the row, as on SQLite), the history row,
 * COMMIT.  Any failure rolls all of it back; DDL is transactional on PostgreSQL, so the
 * database is then exactly as it was.  Keys are never switched off: no step needs it.
 *
 * rl_check: keys whose triggers are disabled (ALTER TABLE ... DISABLE TRIGGER ALL) or that
 * were added NOT VALID are integrity findings, since rows may have got past them; every row
 * whose key has no parent is a foreign-key finding; a key column no index leads is lint.
 */
#define _GNU_SOURCE /* strdup */
#include "core/schema.h"
#include "migrate/migrate.h"
#include "pg_int.h"
#include "core/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- rows whose key has no parent ------------------------------------------------------------ */

/* A key's column pairs and parent, by constraint name on a table of the current schema. */
static const char *KEY_SQL =
    "SELECT ca.attname, pa.attname, p.relname FROM pg_constraint k CROSS JOIN LATERAL "
    "unnest(k.conkey, k.confkey) WITH ORDINALITY u(cn, pn, i) JOIN pg_attribute ca ON "
    "ca.attrelid = k.conrelid AND ca.attnum = u.cn JOIN pg_attribute pa ON pa.attrelid = "
    "k.confrelid AND pa.attnum = u.pn JOIN pg_class p ON p.oid = k.confrelid JOIN pg_class t ON "
    "t.oid = k.conrelid WHERE t.relname = $1 AND t.relnamespace = current_schema()::regnamespace "
    "AND k.conname = $2 AND k.contype = 'f' ORDER BY u.i";

/* The table's one-column primary key and whether it is an integer. */
static const char *PK_SQL =
    "SELECT a.attname, a.atttypid IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype) FROM "
    "pg_constraint k JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1] "
    "JOIN pg_class t ON t.oid = k.conrelid WHERE t.relname = $1 AND t.relnamespace = "
    "current_schema()::regnamespace AND k.contype = 'p' AND cardinality(k.conkey) = 1";

/* A value as an SQL literal: numbers bare, anything else quoted. */
static void literal_expr(strbuf *q, const char *alias, const char *column)
{
    rli_sb_printf(q, "CASE WHEN pg_typeof(%s.", alias);
    rli_sb_ident(q, column);
    rli_sb_printf(q,
                  ")::text IN ('smallint', 'integer', 'bigint', 'numeric', 'real', "
                  "'double precision') THEN %s.",
                  alias);
    rli_sb_ident(q, column);
    rli_sb_printf(q, "::text ELSE quote_literal(%s.", alias);
    rli_sb_ident(q, column);
    rli_sb_puts(q, ") END");
}

/* SELECT row, value, rowid of the rows of table whose key has no parent (the renderer's orphan
 * query): row "pk = value" (or the ctid), value the key's values as SQL literals, rowid the
 * integer primary key or 0. */
static char *orphan_query(const PGresult *key, const PGresult *pk, const char *table, int64_t limit)
{
    int n = PQntuples(key);
    bool has_pk = PQntuples(pk) == 1;
    strbuf sel, q;
    rli_sb_init(&sel);
    rli_sb_init(&q);
    if (has_pk) {
        rli_sb_escape_literal(&sel, PQgetvalue(pk, 0, 0));
        rli_sb_puts(&sel, " || ' = ' || ");
        literal_expr(&sel, "c", PQgetvalue(pk, 0, 0));
    } else {
        rli_sb_puts(&sel, "'ctid ' || c.ctid::text");
    }
    rli_sb_puts(&sel, ", concat_ws(', '");
    for (int i = 0; i < n; i++) {
        rli_sb_puts(&sel, ", ");
        literal_expr(&sel, "c", PQgetvalue(key, i, 0));
    }
    rli_sb_puts(&sel, "), ");
    if (has_pk && PQgetvalue(pk, 0, 1)[0] == 't') {
        rli_sb_puts(&sel, "c.");
        rli_sb_ident(&sel, PQgetvalue(pk, 0, 0));
    } else {
        rli_sb_puts(&sel, "0");
    }
    const char **from = calloc((size_t)n + 1, sizeof *from),
               **to = calloc((size_t)n + 1, sizeof *to);
    for (int i = 0; from && to && i < n; i++) {
        from[i] = PQgetvalue(key, i, 0);
        to[i] = PQgetvalue(key, i, 1);
    }
    if (from && to && !sel.oom)
        rli_render_orphans(&q, sb_str(&sel), table, from, PQgetvalue(key, 0, 2), to, (size_t)n,
                           limit);
    else
        q.oom = true;
    free(from);
    free(to);
    rli_sb_free(&sel);
    if (q.oom) {
        rli_sb_free(&q);
        return NULL;
    }
    return rli_sb_take(&q);
}

/* The key's columns (col 0: child, 1: parent) joined with ",". */
static char *key_columns(const PGresult *key, int col)
{
    strbuf b;
    rli_sb_init(&b);
    for (int i = 0; i < PQntuples(key); i++) {
        rli_sb_puts(&b, i ? "," : "");
        rli_sb_puts(&b, PQgetvalue(key, i, col));
    }
    return rli_sb_take(&b);
}

int rli_pg_orphans(pg_conn *c, const char *table, const char *conname, int64_t limit,
                   int (*fn)(const pg_orphan *o, void *ctx), void *ctx, int64_t *found)
{
    if (found) *found = 0;
    const char *params[] = {table, conname};
    PGresult *key = NULL, *pk = NULL, *rows = NULL;
    int rc = rli_pg_query(c, KEY_SQL, 2, params, &key);
    if (rc == RLB_OK) rc = rli_pg_query(c, PK_SQL, 1, params, &pk);
    char *sql = rc == RLB_OK && PQntuples(key) > 0 ? orphan_query(key, pk, table, limit) : NULL;
    if (sql) rc = rli_pg_run(c, sql, &rows);
    char *from = key ? key_columns(key, 0) : NULL, *to = key ? key_columns(key, 1) : NULL;
    for (int i = 0; rows && i < PQntuples(rows); i++) {
        pg_orphan o = {.table = table,
                       .row = PQgetvalue(rows, i, 0),
                       .from = from ? from : "",
                       .parent = PQgetvalue(key, 0, 2),
                       .to = to ? to : "",
                       .value = PQgetvalue(rows, i, 1),
                       .rowid = strtoll(PQgetvalue(rows, i, 2), NULL, 10)};
        if (found) (*found)++;
        if (fn && fn(&o, ctx)) break;
    }
    free(sql);
    free(from);
    free(to);
    PQclear(key);
    PQclear(pk);
    PQclear(rows);
    return rc;
}

void rli_pg_orphan_text(strbuf *b, const pg_orphan *o)
{
    bool composite = strchr(o->from, ',') != NULL;
    rli_sb_name(b, o->table);
    rli_sb_puts(b, " row ");
    rli_sb_name(b, o->row);
    rli_sb_puts(b, composite ? ": (" : ": ");
    rli_sb_name(b, o->from);
    rli_sb_puts(b, composite ? ") = (" : " = ");
    rli_sb_name(b, o->value);
    rli_sb_puts(b, composite ? ")" : "");
    rli_sb_puts(b, " has no matching row in ");
    rli_sb_name(b, o->parent);
    rli_sb_puts(b, "(");
    rli_sb_name(b, o->to);
    rli_sb_puts(b, ")");
}

/* ---- applying a plan ----------------------------------------------------------------------- */

static void progress(const rl_migrate_options *o, const char *stage, const char *table,
                     int64_t done, int64_t total)
{
    if (o && o->progress) o->progress(stage, table, done, total, o->progress_ctx);
}

static int first_orphan(const pg_orphan *o, void *ctx)
{
    rli_pg_orphan_text(ctx, o);
    return 1;
}

/* Roll back and report: "'<step>' failed: why." */
static int rolled_back(rl_db *db, const char *what, const char *why)
{
    pg_conn *c = rli_pg(db);
    char *head = strndup(what, 150), *hd = rli_name_disp(head ? head : "");
    char *w = rli_name_disp(why ? why : "");
    int code = rli_err_set(db, RL_EMIGRATE,
                           "migrate: '%s' failed: %s. The migration was rolled back; the database "
                           "is unchanged.",
                           hd ? hd : "", w ? w : "");
    free(head);
    free(hd);
    free(w);
    rli_pg_run(c, "ROLLBACK", NULL);
    return code;
}

static int run_step(rl_db *db, const step *s)
{
    pg_conn *c = rli_pg(db);
    if (s->table && s->dest) { /* a key's validation: the first row that would fail it */
        strbuf row;
        rli_sb_init(&row);
        int64_t n = 0;
        rli_pg_orphans(c, s->table, s->dest, 1, first_orphan, &row, &n);
        if (n > 0) {
            int code = rolled_back(db, s->sql, sb_str(&row));
            rli_sb_free(&row);
            return code;
        }
        rli_sb_free(&row);
    }
    if (rli_pg_run(c, s->sql, NULL) != RLB_OK) return rolled_back(db, s->sql, c->err.message);
    return RL_OK;
}

static const char *HISTORY_SQL =
    "CREATE TABLE IF NOT EXISTS " HISTORY_TABLE
    " (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, applied_at timestamptz NOT NULL, "
    "schema_hash text NOT NULL, statements text NOT NULL)";

int rli_pg_apply(rl_db *db, const rl_plan *p, const rl_migrate_options *opts)
{
    pg_conn *c = rli_pg(db);
    if (rli_pg_run(c, "BEGIN", NULL) != RLB_OK)
        return rli_pg_db_fail(db, PG_FAIL, "migrate: begin");
    for (size_t i = 0; i < p->nsteps; i++) {
        if (p->steps[i].dest)
            progress(opts, "check", p->steps[i].table, (int64_t)i, (int64_t)p->nsteps);
        int code = run_step(db, &p->steps[i]);
        if (code != RL_OK) return code;
    }
    const char *params[] = {p->hash, sb_str(&p->text)};
    if (rli_pg_run(c, HISTORY_SQL, NULL) != RLB_OK ||
        rli_pg_query(c,
                     "INSERT INTO " HISTORY_TABLE
                     " (applied_at, schema_hash, statements) VALUES (now(), $1, $2)",
                     2, params, NULL) != RLB_OK)
        return rolled_back(db, "the history row", c->err.message);
    progress(opts, "commit", NULL, 0, 0);
    if (rli_pg_run(c, "COMMIT", NULL) != RLB_OK) return rolled_back(db, "COMMIT", c->err.message);
    return RL_OK;
}

/* ---- rl_check ----------------------------------------------------------------------------------
 */

typedef struct checker {
    rl_finding_fn fn;
    void *ctx;
    int64_t count;
    bool stop;
} checker;

static void report(checker *k, rl_finding_kind kind, const char *msg, int64_t rowid,
                   const rl_fk_detail *fk, const char *check)
{
    k->count++;
    if (k->stop || !k->fn) return;
    rl_finding f = {.kind = kind, .message = msg, .rowid = rowid, .fk = fk, .check = check};
    if (k->fn(&f, k->ctx)) k->stop = true;
}

static int report_orphan(const pg_orphan *o, void *ctx)
{
    checker *k = ctx;
    strbuf m;
    rli_sb_init(&m);
    rli_sb_puts(&m, "foreign key: ");
    rli_pg_orphan_text(&m, o);
    rli_sb_puts(&m, ".");
    rl_fk_detail d = {.child_table = o->table,
                      .child_column = o->from,
                      .parent_table = o->parent,
                      .parent_column = o->to,
                      .value = o->value};
    report(k, RL_FINDING_FOREIGN_KEY, sb_str(&m), o->rowid, &d, NULL);
    rli_sb_free(&m);
    return k->stop;
}

/* Every key of the current schema: table, constraint, validated, triggers disabled, and
 * whether an index leads with its first column. */
static const char *KEYS_SQL =
    "SELECT t.relname, k.conname, k.convalidated, EXISTS (SELECT 1 FROM pg_trigger g WHERE "
    "g.tgconstraint = k.oid AND g.tgenabled = 'D'), EXISTS (SELECT 1 FROM pg_index i WHERE "
    "i.indrelid = k.conrelid AND i.indkey[0] = k.conkey[1]), p.relname, (SELECT a.attname FROM "
    "pg_attribute a WHERE a.attrelid = k.conrelid AND a.attnum = k.conkey[1]) FROM pg_constraint k "
    "JOIN "
    "pg_class t ON t.oid = k.conrelid JOIN pg_class p ON p.oid = k.confrelid WHERE k.contype = "
    "'f' AND t.relnamespace = current_schema()::regnamespace ORDER BY t.relname, k.conname";

static void check_key(checker *k, pg_conn *c, const PGresult *r, int i, bool lint)
{
    const char *table = PQgetvalue(r, i, 0), *name = PQgetvalue(r, i, 1);
    const char *parent = PQgetvalue(r, i, 5);
    strbuf m;
    rli_sb_init(&m);
    if (PQgetvalue(r, i, 3)[0] == 't') {
        rli_sb_puts(&m, "integrity: the triggers of key ");
        rli_sb_name(&m, name);
        rli_sb_puts(&m, " of ");
        rli_sb_name(&m, table);
        rli_sb_puts(&m, " are disabled (ALTER TABLE ... DISABLE TRIGGER): it is not enforced.");
        report(k, RL_FINDING_INTEGRITY, sb_str(&m), 0, NULL, NULL);
    } else if (PQgetvalue(r, i, 2)[0] != 't') {
        rli_sb_puts(&m, "integrity: key ");
        rli_sb_name(&m, name);
        rli_sb_puts(&m, " of ");
        rli_sb_name(&m, table);
        rli_sb_puts(&m, " was added NOT VALID: rows older than it were never checked.");
        report(k, RL_FINDING_INTEGRITY, sb_str(&m), 0, NULL, NULL);
    }
    rli_sb_free(&m);
    if (!k->stop) rli_pg_orphans(c, table, name, 0, report_orphan, k, NULL);
    if (!lint || k->stop || PQgetvalue(r, i, 4)[0] == 't') return;
    rli_sb_init(&m);
    rli_sb_puts(&m, "lint: ");
    rli_sb_name(&m, table);
    rli_sb_puts(&m, "(");
    rli_sb_name(&m, PQgetvalue(r, i, 6));
    rli_sb_puts(&m, ") references ");
    rli_sb_name(&m, parent);
    rli_sb_puts(&m, " but has no index: every delete or key change in ");
    rli_sb_name(&m, parent);
    rli_sb_puts(&m, " scans ");
    rli_sb_name(&m, table);
    rli_sb_puts(&m, ".");
    report(k, RL_FINDING_LINT, sb_str(&m), 0, NULL, "unindexed-key");
    rli_sb_free(&m);
}

int rli_pg_check(rl_db *db, const rl_check_options *opts, rl_finding_fn fn, void *ctx,
                 int64_t *count)
{
    pg_conn *c = rli_pg(db);
    checker k = {.fn = fn, .ctx = ctx};
    PGresult *r;
    if (rli_pg_run(c, KEYS_SQL, &r) != RLB_OK) return rli_pg_db_fail(db, PG_FAIL, "check");
    for (int i = 0; i < PQntuples(r) && !k.stop; i++)
        check_key(&k, c, r, i, !(opts && opts->no_lint));
    PQclear(r);
    if (count) *count = k.count;
    return RL_OK;
}

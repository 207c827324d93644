/*
 * Schemas on PostgreSQL: the catalogs read into the one schema representation
 * (core/schema.h), and schema text loaded into a throw-away schema to be read the same way.
 *
 *   tables       pg_class (ordinary tables of one namespace), parents before children
 *   columns      pg_attribute: format_type, NOT NULL, pg_get_expr of the default, identity
 *                and generated columns, position in the primary key
 *   constraints  pg_constraint with pg_get_constraintdef (the server's own wording, so that
 *                two constraints compare by text), its NOT VALID state; a key's columns and
 *                actions also go into sch_fk, for the words of a diff
 *   indexes      pg_index, those no constraint owns, as pg_get_indexdef
 *   views        pg_get_viewdef; the table column each of their columns shows as it is
 *                (vieworigin.c)
 *
 * Triggers, functions, sequences of their own, types and materialized views are not part
 * of the representation on PostgreSQL: a migration leaves them as they are.
 *
 * Loading schema text: one transaction (a savepoint inside a caller's), the session's
 * temporary schema alone on the search path, a statement time limit, and only statements that
 * create or alter tables, indexes, views and sequences of that schema; then the schema is
 * read and everything is rolled back.  A statement that names a table created further down is tried
 * again after the others, so the order of a schema file does not matter.
 */
#define _GNU_SOURCE /* strdup, asprintf */
#include "core/schema.h"
#include "migrate/migrate.h"
#include "pg_int.h"
#include "core/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *dup_value(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? NULL : strdup(PQgetvalue(r, row, col));
}

static const char *action_word(char a)
{
    switch (a) {
    case 'r':
        return "RESTRICT";
    case 'c':
        return "CASCADE";
    case 'n':
        return "SET NULL";
    case 'd':
        return "SET DEFAULT";
    default:
        return "NO ACTION";
    }
}

static const char *TABLES_SQL =
    "SELECT c.oid, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relname "
    "<> '" HISTORY_TABLE "' ORDER BY c.relname";

static const char *COLUMNS_SQL =
    "SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, "
    "pg_get_expr(d.adbin, d.adrelid), a.attidentity, a.attgenerated, "
    "coalesce(array_position(k.conkey, a.attnum), 0) FROM pg_attribute a "
    "LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum "
    "LEFT JOIN pg_constraint k ON k.conrelid = a.attrelid AND k.contype = 'p' "
    "WHERE a.attrelid = $1::oid AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum";

/* A key's columns as "a,b", in the key's order. */
#define KEY_COLUMNS(keys, rel)                                                                     \
    "(SELECT string_agg(a.attname, ',' ORDER BY k.i) FROM unnest(" keys                            \
    ") WITH ORDINALITY k(n, i) JOIN pg_attribute a ON a.attrelid = " rel " AND a.attnum = k.n)"

static const char *CONSTRAINTS_SQL =
    "SELECT c.conname, c.contype, pg_get_constraintdef(c.oid, true), c.convalidated, "
    "c.condeferred, p.relname, c.confupdtype, c.confdeltype, " KEY_COLUMNS(
        "c.conkey",
        "c.conrelid") ", " KEY_COLUMNS("c.confkey",
                                       "c.confrelid") " FROM pg_constraint c LEFT JOIN pg_class p "
                                                      "ON p.oid = c.confrelid WHERE c.conrelid = "
                                                      "$1::oid AND c.contype IN ('p', 'u', 'c', "
                                                      "'f', 'x') ORDER BY position(c.contype IN "
                                                      "'pucfx'), c.conname";

static const char *INDEXES_SQL =
    "SELECT i.relname, t.relname, replace(replace(pg_get_indexdef(x.indexrelid), ' ON ' || "
    "quote_ident(n.nspname) || '.', ' ON '), ' ON pg_temp.', ' ON ') FROM pg_index x JOIN pg_class "
    "i ON i.oid = "
    "x.indexrelid JOIN pg_class t ON t.oid = x.indrelid JOIN pg_namespace n ON n.oid = "
    "t.relnamespace WHERE n.nspname = $1 AND t.relkind IN ('r', 'p') AND t.relname <> "
    "'" HISTORY_TABLE "' AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = "
    "x.indexrelid AND k.contype IN ('p', 'u', 'x')) ORDER BY i.relname";

/* pg_relation_is_updatable: bits 1 << CMD_UPDATE (4), CMD_INSERT (8), CMD_DELETE (16), for an
 * automatically updatable view or one with INSTEAD OF triggers or rules */
static const char *VIEWS_SQL =
    "SELECT c.relname, CASE c.relkind WHEN 'm' THEN 'CREATE MATERIALIZED VIEW ' ELSE 'CREATE "
    "VIEW ' END || quote_ident(c.relname) || ' AS ' || rtrim(btrim(pg_get_viewdef(c.oid, true)), "
    "';'), c.oid, pg_relation_is_updatable(c.oid, true) FROM pg_class c JOIN pg_namespace n ON "
    "n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = $2 ORDER BY c.relname";

/* The columns of relation oid (a table or a view) into *cols (*ncols of them). */
static int read_columns_of(pg_conn *c, const char *oid, sch_column **cols, size_t *ncols)
{
    PGresult *r;
    int rc = rli_pg_query(c, COLUMNS_SQL, 1, &oid, &r);
    if (rc != RLB_OK) return rc;
    int n = PQntuples(r);
    *cols = calloc((size_t)n + 1, sizeof **cols);
    for (int i = 0; *cols && i < n; i++) {
        sch_column *col = &(*cols)[(*ncols)++];
        col->name = dup_value(r, i, 0);
        col->type = dup_value(r, i, 1);
        col->notnull = PQgetvalue(r, i, 2)[0] == 't';
        col->dflt = dup_value(r, i, 3);
        char identity = PQgetvalue(r, i, 4)[0], generated = PQgetvalue(r, i, 5)[0];
        if (identity) {
            free(col->dflt);
            col->dflt = strdup(identity == 'a' ? "GENERATED ALWAYS AS IDENTITY"
                                               : "GENERATED BY DEFAULT AS IDENTITY");
        }
        if (generated == 's') col->hidden = 3;
        col->pk = atoi(PQgetvalue(r, i, 6));
    }
    PQclear(r);
    return *cols ? RLB_OK : PG_FAIL;
}

static int read_columns(pg_conn *c, const char *oid, sch_table *t)
{
    return read_columns_of(c, oid, &t->cols, &t->ncols);
}

/* pg_get_constraintdef's text without its " NOT VALID" (kept as validated = false). */
static char *definition(const char *def)
{
    size_t n = strlen(def);
    if (n > 10 && strcmp(def + n - 10, " NOT VALID") == 0) n -= 10;
    return strndup(def, n);
}

static void add_key(sch_table *t, const PGresult *r, int i)
{
    sch_fk *fk = &t->fks[t->nfks];
    fk->id = (int)t->nfks++;
    fk->name = dup_value(r, i, 0);
    fk->parent = dup_value(r, i, 5);
    fk->from = dup_value(r, i, 8);
    fk->to = dup_value(r, i, 9);
    snprintf(fk->on_update, sizeof fk->on_update, "%s", action_word(PQgetvalue(r, i, 6)[0]));
    snprintf(fk->on_delete, sizeof fk->on_delete, "%s", action_word(PQgetvalue(r, i, 7)[0]));
    if (PQgetvalue(r, i, 4)[0] == 't') t->deferrable++;
}

static int read_constraints(pg_conn *c, const char *oid, sch_table *t)
{
    PGresult *r;
    int rc = rli_pg_query(c, CONSTRAINTS_SQL, 1, &oid, &r);
    if (rc != RLB_OK) return rc;
    int n = PQntuples(r);
    t->cons = calloc((size_t)n + 1, sizeof *t->cons);
    t->fks = calloc((size_t)n + 1, sizeof *t->fks);
    for (int i = 0; t->cons && t->fks && i < n; i++) {
        sch_constraint *k = &t->cons[t->ncons++];
        k->name = dup_value(r, i, 0);
        k->kind = PQgetvalue(r, i, 1)[0];
        k->def = definition(PQgetvalue(r, i, 2));
        k->validated = PQgetvalue(r, i, 3)[0] == 't';
        if (k->kind == 'f') add_key(t, r, i);
        if (k->kind == 'c') t->checks++;
    }
    PQclear(r);
    return t->cons && t->fks ? RLB_OK : PG_FAIL;
}

/* A column's definition: name, type, then identity, generated expression or default, NOT
 * NULL. */
void rli_pg_column_def(strbuf *b, const sch_column *col)
{
    rli_sb_ident(b, col->name);
    rli_sb_printf(b, " %s", col->type);
    if (col->hidden == 3)
        rli_sb_printf(b, " GENERATED ALWAYS AS (%s) STORED", col->dflt ? col->dflt : "NULL");
    else if (col->dflt && strncmp(col->dflt, "GENERATED ", 10) == 0)
        rli_sb_printf(b, " %s", col->dflt);
    else if (col->dflt)
        rli_sb_printf(b, " DEFAULT %s", col->dflt);
    if (col->notnull) rli_sb_puts(b, " NOT NULL");
}

void rli_pg_constraint_def(strbuf *b, const sch_constraint *k)
{
    rli_sb_puts(b, "CONSTRAINT ");
    rli_sb_ident(b, k->name);
    rli_sb_printf(b, " %s", k->def);
}

char *rli_pg_table_sql(const sch_table *t, bool keys)
{
    strbuf b;
    rli_sb_init(&b);
    rli_sb_puts(&b, "CREATE TABLE ");
    rli_sb_ident(&b, t->name);
    rli_sb_puts(&b, " (");
    size_t items = 0;
    for (size_t i = 0; i < t->ncols; i++) {
        rli_sb_puts(&b, items++ ? ",\n    " : "\n    ");
        rli_pg_column_def(&b, &t->cols[i]);
    }
    for (size_t i = 0; i < t->ncons; i++) {
        if (!keys && t->cons[i].kind == 'f') continue;
        rli_sb_puts(&b, items++ ? ",\n    " : "\n    ");
        rli_pg_constraint_def(&b, &t->cons[i]);
        if (!t->cons[i].validated) rli_sb_puts(&b, " NOT VALID");
    }
    rli_sb_puts(&b, "\n)");
    return rli_sb_take(&b);
}

static int read_tables(pg_conn *c, const char *nsp, schema *s)
{
    PGresult *r;
    int rc = rli_pg_query(c, TABLES_SQL, 1, &nsp, &r);
    if (rc != RLB_OK) return rc;
    int n = PQntuples(r);
    s->tables = calloc((size_t)n + 1, sizeof *s->tables);
    for (int i = 0; rc == RLB_OK && s->tables && i < n; i++) {
        sch_table *t = &s->tables[s->ntables++];
        t->name = dup_value(r, i, 1);
        const char *oid = PQgetvalue(r, i, 0);
        rc = read_columns(c, oid, t);
        if (rc == RLB_OK) rc = read_constraints(c, oid, t);
        if (rc == RLB_OK && !(t->sql = rli_pg_table_sql(t, true))) rc = PG_FAIL;
        if (rc == RLB_OK && !(t->norm = strdup(t->sql))) rc = PG_FAIL;
    }
    PQclear(r);
    return rc == RLB_OK && !s->tables ? PG_FAIL : rc;
}

static int read_objects(pg_conn *c, const char *sql, const char *nsp, sch_object **out,
                        size_t *nout, bool has_table)
{
    PGresult *r;
    int rc = rli_pg_query(c, sql, 1, &nsp, &r);
    if (rc != RLB_OK) return rc;
    int n = PQntuples(r);
    *out = calloc((size_t)n + 1, sizeof **out);
    for (int i = 0; *out && i < n; i++) {
        sch_object *o = &(*out)[(*nout)++];
        o->name = dup_value(r, i, 0);
        o->table = has_table ? dup_value(r, i, 1) : NULL;
        o->sql = dup_value(r, i, has_table ? 2 : 1);
        o->norm = o->sql ? strdup(o->sql) : NULL;
    }
    PQclear(r);
    return *out ? RLB_OK : PG_FAIL;
}

/* The views of nsp with their columns and the writes they take. */
/* The views of nsp of kind relkind ("v": views, "m": materialized views) into *views. */
static int read_views(pg_conn *c, const char *nsp, const char *relkind, sch_object **views,
                      size_t *nviews)
{
    PGresult *r;
    const char *params[] = {nsp, relkind};
    int rc = rli_pg_query(c, VIEWS_SQL, 2, params, &r);
    if (rc != RLB_OK) return rc;
    int n = PQntuples(r);
    *views = calloc((size_t)n + 1, sizeof **views);
    for (int i = 0; rc == RLB_OK && *views && i < n; i++) {
        sch_object *o = &(*views)[(*nviews)++];
        o->name = dup_value(r, i, 0);
        o->sql = dup_value(r, i, 1);
        o->norm = o->sql ? strdup(o->sql) : NULL;
        int can = atoi(PQgetvalue(r, i, 3));
        o->writes = (can & 8 ? RL_WRITE_INSERT : 0) | (can & 4 ? RL_WRITE_UPDATE : 0) |
                    (can & 16 ? RL_WRITE_DELETE : 0);
        rc = read_columns_of(c, PQgetvalue(r, i, 2), &o->cols, &o->ncols);
        if (rc == RLB_OK) rc = rli_pg_view_origins(c, PQgetvalue(r, i, 2), nsp, o);
    }
    PQclear(r);
    return rc == RLB_OK && !*views ? PG_FAIL : rc;
}

/* Read namespace nsp into out; RLB_OK or a failure code (c's last error says which). */
static int read_schema(pg_conn *c, const char *nsp, schema *out)
{
    int rc = read_tables(c, nsp, out);
    if (rc == RLB_OK) rc = read_objects(c, INDEXES_SQL, nsp, &out->indexes, &out->nindexes, true);
    if (rc == RLB_OK) rc = read_views(c, nsp, "v", &out->views, &out->nviews);
    if (rc == RLB_OK) rc = read_views(c, nsp, "m", &out->matviews, &out->nmatviews);
    if (rc == RLB_OK) rli_schema_parents_first(out);
    return rc;
}

int rli_pg_introspect(rlb_conn *cc, struct schema *out, const char *op, err_rec *err)
{
    pg_conn *c = (pg_conn *)cc;
    char *nsp = NULL;
    PGresult *r;
    int rc = rli_pg_run(c, "SELECT current_schema()", &r);
    if (rc == RLB_OK) {
        nsp = PQntuples(r) == 1 ? dup_value(r, 0, 0) : NULL;
        PQclear(r);
        if (!nsp)
            return rli_rec_set(err, RL_ERROR,
                               "%s: the connection has no current schema (its search_path names "
                               "none that exists).",
                               op);
        rc = read_schema(c, nsp, out);
        free(out->name);
        out->name = nsp;
    }
    return rc == RLB_OK ? RL_OK : rli_pg_fail(cc, NULL, rc, op, NULL, err);
}

/* ---- loading schema text -------------------------------------------------------------------- */

/* The next word of p, or "" at the end; words is the list of its words kept for freeing. */
typedef struct words {
    const char *p;
    char *w[16];
    int n;
} words;

static const char *word(words *ws)
{
    if (ws->n == 16) return "";
    char *w = rli_pg_next_word(&ws->p);
    ws->w[ws->n++] = w;
    return w ? w : "";
}

/* The word after the optional ones in skip (a space-separated list of words). */
static const char *word_after(words *ws, const char *skip)
{
    const char *w = word(ws);
    for (;;) {
        char padded[64];
        snprintf(padded, sizeof padded, " %s ", w);
        if (!*w || !strstr(skip, padded)) return w;
        w = word(ws);
    }
}

/*
 * Why a statement of a schema text may not run (a static sentence), or NULL when it may: it
 * creates or alters a table, an index, a view or a sequence, under a name of the throw-away
 * schema (a schema-qualified name could reach the real tables, whose rows an ALTER or an
 * index expression would read), and CREATE TABLE ... AS, which runs a query, is refused.
 */
static const char *statement_refused(const char *sql)
{
    words ws = {.p = sql};
    const char *why = "only CREATE TABLE, CREATE INDEX, CREATE VIEW, CREATE SEQUENCE and ALTER "
                      "TABLE may appear";
    const char *verb = word(&ws), *kind = word(&ws), *name = NULL;
    if (strcmp(verb, "create") == 0 && strcmp(kind, "or") == 0 && strcmp(word(&ws), "replace") == 0)
        kind = word(&ws);
    if (strcmp(verb, "create") == 0 && strcmp(kind, "unique") == 0) kind = word(&ws);
    if (strcmp(verb, "alter") == 0 && strcmp(kind, "table") == 0) {
        name = word_after(&ws, " if exists only ");
    } else if (strcmp(verb, "create") == 0) {
        if (strcmp(kind, "table") == 0 || strcmp(kind, "sequence") == 0)
            name = word_after(&ws, " if not exists ");
        else if (strcmp(kind, "view") == 0)
            name = word(&ws);
        else if (strcmp(kind, "index") == 0)
            for (const char *w = word(&ws); *w && !name; w = word(&ws))
                if (strcmp(w, "on") == 0) name = word_after(&ws, " only ");
        if (name && strcmp(kind, "table") == 0 && strcmp(word(&ws), "as") == 0)
            why = "CREATE TABLE ... AS runs a query: declare the table's columns instead";
        else if (name)
            why = NULL;
    }
    if (!why && strchr(name, '.'))
        why = "a schema text names its tables without a schema (the statement names one)";
    for (int i = 0; i < ws.n; i++)
        free(ws.w[i]);
    return why;
}

typedef struct loader {
    rl_db *db;
    pg_conn *c;
    char **stmts; /* translated statements still to run */
    size_t n;
} loader;

/* The start of a statement, as a sentence shows it (malloc'd, or NULL). */
static char *statement_head(const char *sql)
{
    char *head = strndup(sql + strspn(sql, " \t\r\n"), 80);
    char *shown = head ? rli_name_disp(head) : NULL;
    free(head);
    return shown;
}

/* Split and vet the text; RL_OK or RL_EINVAL (set on db) naming the statement. */
static int split_statements(loader *l, const char *sql)
{
    const char *p = sql;
    for (size_t no = 1; p && *p && !rli_pg_blank(p); no++) {
        char *one = NULL;
        const char *why = NULL;
        if (!rli_pg_translate(p, &one, &p, &why))
            return rli_err_set(l->db, RL_EINVAL, "target schema: statement %zu refused: %s.", no,
                               why ? why : "out of memory");
        if (!one || rli_pg_blank(one)) {
            free(one);
            continue;
        }
        char **ns = realloc(l->stmts, (l->n + 1) * sizeof *ns);
        if (!ns) {
            free(one);
            return rli_err_set(l->db, RL_ENOMEM, "Out of memory.");
        }
        l->stmts = ns;
        l->stmts[l->n++] = one;
        const char *refused = statement_refused(one);
        if (refused) {
            char *shown = statement_head(one);
            int code =
                rli_err_set(l->db, RL_EINVAL, "target schema: statement %zu ('%s') refused: %s.",
                            no, shown ? shown : "", refused);
            free(shown);
            return code;
        }
    }
    return RL_OK;
}

/* Run the statements, each in a savepoint; one that names a table not created yet (42P01)
 * waits for a later round.  RL_OK, or RL_EINVAL with the server's reason. */
static int run_statements(loader *l)
{
    size_t left = l->n;
    bool progress = true;
    while (left && progress) {
        progress = false;
        for (size_t i = 0; i < l->n; i++) {
            if (!l->stmts[i]) continue;
            rli_pg_run(l->c, "SAVEPOINT rl_stmt", NULL);
            if (rli_pg_run(l->c, l->stmts[i], NULL) == RLB_OK) {
                rli_pg_run(l->c, "RELEASE SAVEPOINT rl_stmt", NULL);
                free(l->stmts[i]);
                l->stmts[i] = NULL;
                left--;
                progress = true;
                continue;
            }
            bool later = strcmp(l->c->err.sqlstate, "42P01") == 0;
            if (!later) break;
            rli_pg_run(l->c, "ROLLBACK TO SAVEPOINT rl_stmt", NULL);
        }
        if (!progress || (left && PQtransactionStatus(l->c->c) == PQTRANS_INERROR)) break;
    }
    if (!left) return RL_OK;
    for (size_t i = 0; i < l->n; i++)
        if (l->stmts[i]) {
            char *shown = statement_head(l->stmts[i]);
            char *msg = rli_name_disp(l->c->err.message ? l->c->err.message : "failed");
            int code = rli_err_set(l->db, RL_EINVAL,
                                   "target schema: '%s' is not valid SQL on PostgreSQL: %s.",
                                   shown ? shown : "", msg ? msg : "");
            free(shown);
            free(msg);
            return code;
        }
    return RL_OK;
}

/* The session's temporary schema, where the statements went (malloc'd); "" when they
 * created nothing; NULL on failure. */
static char *temp_schema(pg_conn *c)
{
    PGresult *r;
    if (rli_pg_run(c, "SELECT nspname FROM pg_namespace WHERE oid = pg_my_temp_schema()", &r) !=
        RLB_OK)
        return NULL;
    char *name = PQntuples(r) == 1 ? dup_value(r, 0, 0) : strdup("");
    PQclear(r);
    return name;
}

/* The throw-away schema is the session's temporary one (pg_temp, alone on the search path):
 * it needs no privilege beyond TEMP, and nothing of it outlives the rollback.  A session that
 * keeps temporary tables of its own would mix them into the target, so it is refused. */
static int begin_load(loader *l, bool nested)
{
    char setup[200];
    snprintf(setup, sizeof setup,
             "%s; SET LOCAL search_path TO pg_temp; SET LOCAL statement_timeout = 10000",
             nested ? "SAVEPOINT rl_load" : "BEGIN READ WRITE");
    if (rli_pg_run(l->c, setup, NULL) != RLB_OK)
        return rli_err_set(l->db, RL_ERROR, "target schema: loading it could not begin: %s",
                           l->c->err.message ? l->c->err.message : "");
    int64_t mine = -1;
    PGresult *r;
    if (rli_pg_run(l->c, "SELECT count(*) FROM pg_class WHERE relnamespace = pg_my_temp_schema()",
                   &r) == RLB_OK) {
        mine = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
        PQclear(r);
    }
    if (mine != 0)
        return rli_err_set(l->db, RL_EMISUSE,
                           "target schema: this session has temporary tables of its own, which "
                           "would mix with the target's; plan on a connection without them.");
    return RL_OK;
}

int rli_pg_load_schema(rl_db *db, const char *sql, struct schema *out)
{
    pg_conn *c = rli_pg(db);
    loader l = {.db = db, .c = c};
    int code = split_statements(&l, sql);
    bool nested = rli_pg_in_transaction(c), begun = code == RL_OK;
    if (begun) code = begin_load(&l, nested);
    if (code == RL_OK) code = run_statements(&l);
    char *nsp = code == RL_OK ? temp_schema(c) : NULL;
    if (code == RL_OK && (!nsp || (*nsp && read_schema(c, nsp, out) != RLB_OK)))
        code = rli_err_set(db, RL_ERROR, "target schema: reading it back failed: %s",
                           c->err.message ? c->err.message : "");
    free(nsp);
    if (begun)
        rli_pg_run(c,
                   nested ? "ROLLBACK TO SAVEPOINT rl_load; RELEASE SAVEPOINT rl_load" : "ROLLBACK",
                   NULL);
    for (size_t i = 0; i < l.n; i++)
        free(l.stmts[i]);
    free(l.stmts);
    return code;
}

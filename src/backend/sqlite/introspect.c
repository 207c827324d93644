/*
 * Schema introspection: any SQLite database, live or loaded from schema.sql into :memory:,
 * becomes one value (struct schema) read through SQLite's own pragmas, never through a
 * hand-written SQL parser.
 *
 *   tables      pragma_table_list (STRICT, WITHOUT ROWID), pragma_table_xinfo (columns with
 *               type, NOT NULL, default, primary key, hidden and generated columns) and
 *               pragma_foreign_key_list (keys with their actions, column-level REFERENCES and
 *               table-level FOREIGN KEY alike)
 *   indexes, views, triggers   sqlite_schema
 *
 * What the pragmas do not tell (DEFERRABLE, CHECK constraints, collations, constraint names)
 * stays in the stored CREATE statement.  Two statements are compared through a normal form
 * made by a tokenizer (not a parser): comments and layout dropped, keywords and plain
 * identifiers lower-cased, identifier quotes removed where they are not needed.  Equal normal
 * forms mean equal definitions; the structured facts say what differs in words.
 */
#include "sqlite_int.h"
#include "core/error.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int count_words(const char *norm, const char *phrase)
{
    int n = 0;
    size_t len = strlen(phrase);
    for (const char *p = norm; (p = strstr(p, phrase)); p += len)
        if ((p == norm || p[-1] == ' ') && (p[len] == ' ' || p[len] == '\0' || p[len] == '(')) n++;
    return n;
}

/* ---- introspection -------------------------------------------------------------------------- */

static char *dup_col(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? strdup((const char *)t) : NULL;
}

/* The columns of table or view name into *cols (*n of them). */
static int load_columns_of(sqlite3 *h, const char *name, sch_column **cols, size_t *n)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(h,
                                "SELECT name, type, \"notnull\", dflt_value, pk, hidden FROM "
                                "pragma_table_xinfo(?1) ORDER BY cid",
                                -1, &st, NULL);
    if (rc != SQLITE_OK) return rc;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        sch_column *nc = realloc(*cols, (*n + 1) * sizeof *nc);
        if (!nc) break;
        *cols = nc;
        sch_column *c = &nc[(*n)++];
        *c = (sch_column){0};
        c->name = dup_col(st, 0);
        c->type = dup_col(st, 1);
        c->notnull = sqlite3_column_int(st, 2) != 0;
        c->dflt = dup_col(st, 3);
        c->pk = sqlite3_column_int(st, 4);
        c->hidden = sqlite3_column_int(st, 5);
        c->origin_table = c->origin_column = NULL;
    }
    return sqlite3_finalize(st);
}

/* The table column each column of view v shows, where SQLite can tell (a column read as it is
 * from a table, through any number of views). */
static void load_origins(sqlite3 *h, sch_object *v)
{
    strbuf sql;
    rli_sb_init(&sql);
    rli_sb_puts(&sql, "SELECT * FROM ");
    rli_sb_ident(&sql, v->name);
    sqlite3_stmt *st = NULL;
    if (!sql.oom && sqlite3_prepare_v2(h, sql.s, -1, &st, NULL) == SQLITE_OK &&
        (size_t)sqlite3_column_count(st) == v->ncols)
        for (size_t i = 0; i < v->ncols; i++) {
            const char *t = sqlite3_column_table_name(st, (int)i);
            const char *c = sqlite3_column_origin_name(st, (int)i);
            if (!t || !c) continue;
            v->cols[i].origin_table = strdup(t);
            v->cols[i].origin_column = strdup(c);
        }
    sqlite3_finalize(st);
    rli_sb_free(&sql);
}

static int load_columns(sqlite3 *h, sch_table *t)
{
    return load_columns_of(h, t->name, &t->cols, &t->ncols);
}

/*
 * A view's columns (none when SQLite cannot compile it: a view over a table that is gone is
 * no failure of the schema) and what can be written through it: SQLite writes a view only
 * through its INSTEAD OF triggers, one per kind of write.
 */
static void load_view(sqlite3 *h, sch_object *v, const schema *s)
{
    if (load_columns_of(h, v->name, &v->cols, &v->ncols) != SQLITE_OK) {
        for (size_t i = 0; i < v->ncols; i++) {
            free(v->cols[i].name);
            free(v->cols[i].type);
            free(v->cols[i].dflt);
        }
        free(v->cols);
        v->cols = NULL;
        v->ncols = 0;
    }
    load_origins(h, v);
    static const struct {
        const char *words;
        unsigned bit;
    } writes[] = {{"instead of insert", RL_WRITE_INSERT},
                  {"instead of update", RL_WRITE_UPDATE},
                  {"instead of delete", RL_WRITE_DELETE}};
    for (size_t i = 0; i < s->ntriggers; i++) {
        const sch_object *t = &s->triggers[i];
        if (!t->table || !t->norm || strcasecmp(t->table, v->name) != 0) continue;
        for (size_t w = 0; w < 3; w++)
            if (count_words(t->norm, writes[w].words) > 0) v->writes |= writes[w].bit;
    }
}

/* UNIQUE constraints (the indexes SQLite makes for them, origin 'u'), as "UNIQUE (a, b)": the
 * one thing of a table's constraints a copy to another engine needs besides its keys. */
static int load_uniques(sqlite3 *h, sch_table *t)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(h,
                                "SELECT i.name, c.name FROM pragma_index_list(?1) i, "
                                "pragma_index_info(i.name) c WHERE i.origin = 'u' ORDER BY "
                                "i.seq DESC, c.seqno",
                                -1, &st, NULL);
    if (rc != SQLITE_OK) return rc;
    sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
    strbuf def;
    rli_sb_init(&def);
    char *name = NULL;
    bool ok = true;
    for (int more = 1; more && ok;) {
        more = sqlite3_step(st) == SQLITE_ROW;
        const char *index = more ? (const char *)sqlite3_column_text(st, 0) : NULL;
        if (name && (!index || strcmp(index, name) != 0)) { /* one constraint complete */
            sch_constraint *nc = realloc(t->cons, (t->ncons + 1) * sizeof *nc);
            ok = nc != NULL;
            if (ok) {
                t->cons = nc;
                rli_sb_puts(&def, ")");
                t->cons[t->ncons++] = (sch_constraint){
                    .name = name, .def = rli_sb_take(&def), .kind = 'u', .validated = true};
                name = NULL;
            }
        }
        if (!more || !ok) break;
        if (!name) {
            name = strdup(index ? index : "");
            rli_sb_puts(&def, "UNIQUE (");
        } else {
            rli_sb_puts(&def, ", ");
        }
        rli_sb_ident(&def, (const char *)sqlite3_column_text(st, 1));
    }
    free(name);
    rli_sb_free(&def);
    sqlite3_finalize(st);
    return ok ? SQLITE_OK : SQLITE_NOMEM;
}

static int load_fks(sqlite3 *h, sch_table *t)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(h,
                                "SELECT id, \"table\", \"from\", coalesce(\"to\", ''), on_update, "
                                "on_delete FROM pragma_foreign_key_list(?1) ORDER BY id, seq",
                                -1, &st, NULL);
    if (rc != SQLITE_OK) return rc;
    sqlite3_bind_text(st, 1, t->name, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        int id = sqlite3_column_int(st, 0);
        sch_fk *fk = t->nfks ? &t->fks[t->nfks - 1] : NULL;
        if (!fk || fk->id != id) {
            sch_fk *nf = realloc(t->fks, (t->nfks + 1) * sizeof *nf);
            if (!nf) break;
            t->fks = nf;
            fk = &t->fks[t->nfks++];
            memset(fk, 0, sizeof *fk);
            fk->id = id;
            fk->parent = dup_col(st, 1);
            snprintf(fk->on_update, sizeof fk->on_update, "%s", sqlite3_column_text(st, 4));
            snprintf(fk->on_delete, sizeof fk->on_delete, "%s", sqlite3_column_text(st, 5));
        }
        strbuf from, to;
        rli_sb_init(&from);
        rli_sb_init(&to);
        if (fk->from) rli_sb_printf(&from, "%s, ", fk->from);
        if (fk->to) rli_sb_printf(&to, "%s, ", fk->to);
        rli_sb_puts(&from, (const char *)sqlite3_column_text(st, 2));
        rli_sb_puts(&to, (const char *)sqlite3_column_text(st, 3));
        free(fk->from);
        free(fk->to);
        fk->from = rli_sb_take(&from);
        fk->to = rli_sb_take(&to);
    }
    return sqlite3_finalize(st);
}

static void add_object(sch_object **arr, size_t *n, sqlite3_stmt *st)
{
    sch_object *na = realloc(*arr, (*n + 1) * sizeof *na);
    if (!na) return;
    *arr = na;
    sch_object *o = &na[(*n)++];
    memset(o, 0, sizeof *o);
    o->name = dup_col(st, 1);
    o->table = dup_col(st, 2);
    o->sql = dup_col(st, 3);
    o->norm = rli_sql_normalize(o->sql ? o->sql : "");
}

/* A stored definition must be one statement: anything after it was put there by hand.
 * Returns why (malloc'd), or NULL when sql is one statement. */
static char *stored_sql_problem(const char *name, const char *sql)
{
    if (!sql || rli_sql_blank_after(sql, rli_sql_statement_end(sql))) return NULL;
    strbuf b;
    rli_sb_init(&b);
    rli_sb_puts(&b, "the stored definition of ");
    rli_sb_name(&b, name);
    rli_sb_puts(&b, " in sqlite_schema holds more than one statement; the file has been edited by "
                    "hand or crafted, and reflite will not run it");
    return rli_sb_take(&b);
}

static bool stored_sql_ok(schema *out, sqlite3_stmt *st)
{
    free(out->problem);
    out->problem = stored_sql_problem((const char *)sqlite3_column_text(st, 1),
                                      (const char *)sqlite3_column_text(st, 3));
    return out->problem == NULL;
}

char *rli_schema_stored_problem(sqlite3 *h)
{
    sqlite3_stmt *st;
    char *problem = NULL;
    if (sqlite3_prepare_v2(h, "SELECT name, sql FROM sqlite_schema WHERE sql IS NOT NULL", -1, &st,
                           NULL) != SQLITE_OK)
        return NULL;
    while (!problem && sqlite3_step(st) == SQLITE_ROW)
        problem = stored_sql_problem((const char *)sqlite3_column_text(st, 0),
                                     (const char *)sqlite3_column_text(st, 1));
    sqlite3_finalize(st);
    return problem;
}

int rli_schema_load(sqlite3 *h, schema *out)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(
        h,
        "SELECT s.type, s.name, s.tbl_name, s.sql, coalesce(l.strict, 0), coalesce(l.wr, 0),"
        " coalesce(l.type, '')"
        " FROM sqlite_schema s LEFT JOIN pragma_table_list l ON l.name = s.name AND "
        " l.schema = 'main'"
        " WHERE s.sql IS NOT NULL AND s.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
        " AND s.tbl_name <> 'reflite_migrations' AND coalesce(l.type, '') <> 'shadow'"
        " AND NOT EXISTS (SELECT 1 FROM pragma_table_list x WHERE x.schema = 'main' AND"
        "   x.name = s.tbl_name AND x.type = 'shadow')"
        " ORDER BY s.type, s.name",
        -1, &st, NULL);
    if (rc != SQLITE_OK) return rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *type = (const char *)sqlite3_column_text(st, 0);
        if (!type || !stored_sql_ok(out, st)) {
            rc = SQLITE_CORRUPT;
            break;
        }
        if (strcmp(type, "table") == 0) {
            sch_table *nt = realloc(out->tables, (out->ntables + 1) * sizeof *nt);
            if (!nt) break;
            out->tables = nt;
            sch_table *t = &nt[out->ntables++];
            memset(t, 0, sizeof *t);
            t->name = dup_col(st, 1);
            t->sql = dup_col(st, 3);
            t->norm = rli_sql_normalize(t->sql);
            t->strict = sqlite3_column_int(st, 4) != 0;
            t->without_rowid = sqlite3_column_int(st, 5) != 0;
            t->is_virtual = strcmp((const char *)sqlite3_column_text(st, 6), "virtual") == 0;
            t->autoincrement = count_words(t->norm, "autoincrement") > 0;
            t->deferrable = count_words(t->norm, "deferrable initially deferred");
            t->checks = count_words(t->norm, "check");
        } else if (strcmp(type, "index") == 0) {
            add_object(&out->indexes, &out->nindexes, st);
        } else if (strcmp(type, "view") == 0) {
            add_object(&out->views, &out->nviews, st);
        } else if (strcmp(type, "trigger") == 0) {
            add_object(&out->triggers, &out->ntriggers, st);
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) return rc;
    for (size_t i = 0; i < out->ntables; i++) {
        if ((rc = load_columns(h, &out->tables[i])) != SQLITE_OK) return rc;
        if ((rc = load_fks(h, &out->tables[i])) != SQLITE_OK) return rc;
        rli_sqlite_fk_names(&out->tables[i]);
        if ((rc = load_uniques(h, &out->tables[i])) != SQLITE_OK) return rc;
        rli_sqlite_fts5_of(&out->tables[i]);
    }
    for (size_t i = 0; i < out->nviews; i++)
        load_view(h, &out->views[i], out);
    return SQLITE_OK;
}

/* Read c's schema into s; on failure the error is worded into r. */
int rli_sqlite_introspect(rlb_conn *c, schema *s, const char *op, err_rec *r)
{
    int rc = rli_schema_load((sqlite3 *)c, s);
    if (rc == SQLITE_OK) return RL_OK;
    if (s->problem) return rli_rec_set(r, RL_ECORRUPT, "%s: %s.", op, s->problem);
    return rli_sqlite_word((sqlite3 *)c, r, rc, op);
}

/* The views of the schema in h that name a column or table it does not have (SQLite creates
 * such a view and fails only when it is read) into s->unreadable. */
static void unreadable_views(sqlite3 *h, schema *s)
{
    strbuf b;
    rli_sb_init(&b);
    for (size_t i = 0; i < s->nviews; i++) {
        char *q = sqlite3_mprintf("SELECT * FROM \"%w\" LIMIT 0", s->views[i].name);
        sqlite3_stmt *st = NULL;
        if (q && sqlite3_prepare_v2(h, q, -1, &st, NULL) != SQLITE_OK) {
            const char *why = sqlite3_errmsg(h);
            if (strncmp(why, "no such column", 14) == 0 || strncmp(why, "no such table", 13) == 0) {
                rli_sb_name(&b, s->views[i].name); /* escaped: no tab or line break in it */
                rli_sb_puts(&b, "\t");
                rli_sb_name(&b, why);
                rli_sb_puts(&b, "\n");
            }
        }
        sqlite3_finalize(st);
        sqlite3_free(q);
    }
    s->unreadable = b.len && !b.oom ? rli_sb_take(&b) : NULL;
    if (!s->unreadable) rli_sb_free(&b);
}

int rli_sqlite_load_schema(rl_db *db, const char *sql, schema *out)
{
    scratch sc;
    if (rli_scratch_open(&sc) != SQLITE_OK)
        return rli_err_set(db, RL_ENOMEM,
                           "Cannot open an in-memory database for the target schema.");
    char *why = NULL;
    int code = RL_OK;
    if (rli_scratch_load(&sc, sql, &why) != SQLITE_OK)
        code = rli_err_set(db, RL_EINVAL, "%s.", why ? why : "refused");
    else if (rli_schema_load(sc.h, out) != SQLITE_OK)
        code =
            rli_err_set(db, RL_EINVAL, "Cannot read the target schema: %s.", sqlite3_errmsg(sc.h));
    else
        unreadable_views(sc.h, out);
    free(why);
    rli_scratch_close(&sc);
    return code;
}

/* The key columns of a plain index (not unique, not partial, every key a column, ascending,
 * BINARY): what rl_copy asks before it makes an index of its own on a foreign key. */
char *rli_sqlite_index_columns(rlb_conn *c, const char *table, const char *index)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2((sqlite3 *)c,
                           "SELECT group_concat(x.name, ',') FROM pragma_index_list(?1) l, (SELECT "
                           "* FROM pragma_index_xinfo(?2) WHERE key = 1 ORDER BY seqno) x WHERE "
                           "l.name = ?2 AND l.\"unique\" = 0 AND l.partial = 0 HAVING count(*) = "
                           "count(x.name) AND max(x.\"desc\") = 0 AND min(x.coll = 'BINARY') = 1",
                           -1, &st, NULL) != SQLITE_OK)
        return NULL;
    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, index, -1, SQLITE_STATIC);
    char *cols = sqlite3_step(st) == SQLITE_ROW ? rli_sqlite_dup_text(st, 0) : NULL;
    sqlite3_finalize(st);
    return cols;
}

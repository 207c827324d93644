/*
 * DDL from models: CREATE TABLE and CREATE INDEX statements, and the order to run them in
 * (rendered only: core/create.c runs them).
 *
 * Every foreign key is written with both actions spelled out (ON DELETE RESTRICT when the
 * model said nothing), so what the database enforces never depends on a default someone has
 * to remember.  Tables are STRICT, so a value of the wrong type is refused instead of stored.
 * Every foreign-key column gets an index (unless a UNIQUE constraint already gives it one):
 * without it each delete of a parent scans the whole child table.
 *
 * Order: parents before children, found by a depth-first walk of the references.  A cycle is
 * fine for SQLite (a REFERENCES clause may name a table created later) as long as one of its
 * keys is nullable or deferrable; a cycle of NOT NULL immediate keys could never hold a row,
 * so it is refused with the cycle spelled out.
 */
#include "core/db.h"
#include "core/error.h"
#include "core/model.h"

#include <stdlib.h>
#include <string.h>

/* " REFERENCES parent (x[, y...]) ON DELETE ... ON UPDATE ... [DEFERRABLE ...]" of key ki of
 * mi (a key field, or RLI_CKEY + j for rl_key j). */
static void references_ddl(rl_db *db, const model_info *mi, int ki, strbuf *b)
{
    rli_key k;
    rli_key_of(mi, ki, &k);
    const rl_field *f = ki < RLI_CKEY ? &mi->model->fields[ki] : NULL;
    const rl_key *d = f ? NULL : &mi->model->keys[ki - RLI_CKEY];
    model_info *t;
    rli_model_lookup(db, k.target, &t);
    rli_sb_puts(b, " REFERENCES ");
    rli_sb_ident(b, t->table);
    for (int i = 0; i < k.n; i++) {
        rli_sb_puts(b, i ? ", " : " (");
        rli_sb_ident(b, k.parent[i] == RLS_PK ? t->pk_column : t->columns[k.parent[i]]);
    }
    rli_sb_printf(b, ") ON DELETE %s ON UPDATE %s", rl_action_name(f ? f->on_delete : d->on_delete),
                  rl_action_name(f ? f->on_update : d->on_update));
    if (f ? f->deferrable : d->deferrable) rli_sb_puts(b, " DEFERRABLE INITIALLY DEFERRED");
}

/* "CONSTRAINT "<table>_<column>_fkey"": keys are named where the engine reports failures by
 * name (PostgreSQL), so that a failure maps back to the model's key (rli_fk_name). */
static void constraint_name(const rl_dialect *d, const model_info *mi, int ki, strbuf *b)
{
    if (d->forward_references) return;
    char name[RLI_FK_NAME_MAX];
    rli_fk_name(mi, ki, name);
    rli_sb_puts(b, " CONSTRAINT ");
    rli_sb_ident(b, name);
}

/* inline_key: the REFERENCES clause goes here (its parent exists, or may come later). */
static void column_ddl(rl_db *db, const model_info *mi, size_t i, bool first, bool inline_key,
                       strbuf *b)
{
    const rl_dialect *d = db->be->dialect;
    const rl_field *f = &mi->model->fields[i];
    const char *col = mi->columns[i];
    rl_kind kind = rli_field_kind(f);
    rli_sb_puts(b, first ? "\n  " : ",\n  ");
    rli_sb_ident(b, col);
    rli_sb_printf(b, " %s", d->types[kind]);
    if (!rli_field_nullable(f)) rli_sb_puts(b, " NOT NULL");
    if (f->unique) rli_sb_puts(b, " UNIQUE");
    if (f->default_sql && kind == RL_KIND_BOOLEAN && !d->bool_check)
        rli_sb_printf(b, " DEFAULT ((%s)::boolean)", f->default_sql);
    else if (f->default_sql)
        rli_sb_printf(b, " DEFAULT (%s)", f->default_sql);
    if (kind == RL_KIND_BOOLEAN && d->bool_check) {
        rli_sb_puts(b, " CHECK (");
        rli_sb_ident(b, col);
        rli_sb_puts(b, " IN (0, 1))");
    }
    if (f->check_sql) rli_sb_printf(b, " CHECK (%s)", f->check_sql);
    if (f->references && inline_key) {
        constraint_name(d, mi, (int)i, b);
        references_ddl(db, mi, (int)i, b);
    }
}

/* " [CONSTRAINT <name>] FOREIGN KEY (a[, b...]) REFERENCES ..." of key ki of mi (a key field,
 * or RLI_CKEY + j for rl_key j): a table constraint, or what "ALTER TABLE t ADD" adds. */
static void key_clause(rl_db *db, const model_info *mi, int ki, strbuf *b)
{
    rli_key k;
    rli_key_of(mi, ki, &k);
    constraint_name(db->be->dialect, mi, ki, b);
    for (int i = 0; i < k.n; i++) {
        rli_sb_puts(b, i ? ", " : " FOREIGN KEY (");
        rli_sb_ident(b, mi->columns[k.child[i]]);
    }
    rli_sb_puts(b, ")");
    references_ddl(db, mi, ki, b);
}

/* "ALTER TABLE t ADD CONSTRAINT name FOREIGN KEY (...) REFERENCES ...": a key whose parent is
 * created after its table, on an engine whose REFERENCES must name an existing table. */
static void late_key_ddl(rl_db *db, const model_info *mi, int ki, strbuf *b)
{
    rli_sb_puts(b, "ALTER TABLE ");
    rli_sb_ident(b, mi->table);
    rli_sb_puts(b, " ADD");
    key_clause(db, mi, ki, b);
    rli_sb_puts(b, ";\n");
}

/* The name of an index: its own, or "<table>_<col>_<col>_idx" ("_key" when unique). */
static char *index_name(const model_info *mi, const char *name, const char *const *cols, size_t n,
                        bool unique)
{
    if (name) return strdup(name);
    strbuf nm;
    rli_sb_init(&nm);
    rli_sb_puts(&nm, mi->table);
    for (size_t i = 0; i < n; i++)
        rli_sb_printf(&nm, "_%s", cols[i]);
    rli_sb_puts(&nm, unique ? "_key" : "_idx");
    return rli_sb_take(&nm);
}

static void index_ddl(const model_info *mi, const char *name, const char *const *cols, size_t n,
                      bool unique, strbuf *b)
{
    rli_sb_printf(b, "CREATE %sINDEX IF NOT EXISTS ", unique ? "UNIQUE " : "");
    char *nm = index_name(mi, name, cols, n, unique);
    rli_sb_ident(b, nm ? nm : "");
    free(nm);
    rli_sb_puts(b, " ON ");
    rli_sb_ident(b, mi->table);
    rli_sb_puts(b, " (");
    for (size_t i = 0; i < n; i++) {
        if (i) rli_sb_puts(b, ", ");
        rli_sb_ident(b, cols[i]);
    }
    rli_sb_puts(b, ");\n");
}

/* The column names of a declared index (fields resolved to columns). */
static size_t index_columns(const model_info *mi, const rl_index *ix, const char **cols)
{
    size_t n = 0;
    for (const char *const *p = ix->fields; *p && n < RL_MAX_FIELDS + 1; p++) {
        int fi = rli_model_field_index(mi, *p);
        cols[n++] = fi >= 0 ? mi->columns[fi] : mi->pk_column;
    }
    return n;
}

typedef struct named {
    char *name;
    const model_info *owner;
} named;

static int add_named(named **arr, size_t *n, char *name, const model_info *owner)
{
    named *na = realloc(*arr, (*n + 1) * sizeof *na);
    if (!na || !name) {
        if (na) *arr = na;
        free(name);
        return RL_ENOMEM;
    }
    *arr = na;
    na[(*n)++] = (named){name, owner};
    return RL_OK;
}

/* Every index the models would create, automatic ones included. */
static int all_index_names(const model_info *const *mis, size_t nmis, named **out, size_t *n)
{
    for (size_t k = 0; k < nmis; k++) {
        const model_info *mi = mis[k];
        const rl_model *m = mi->model;
        for (size_t i = 0; i < m->nfields; i++) {
            const rl_field *f = &m->fields[i];
            if (f->unique || !(f->references || f->index)) continue;
            if (add_named(out, n, index_name(mi, NULL, &mi->columns[i], 1, false), mi) != RL_OK)
                return RL_ENOMEM;
        }
        for (size_t i = 0; i < m->nindexes; i++) {
            const char *cols[RL_MAX_FIELDS + 2];
            size_t nc = index_columns(mi, &m->indexes[i], cols);
            char *nm = index_name(mi, m->indexes[i].name, cols, nc, m->indexes[i].unique);
            if (add_named(out, n, nm, mi) != RL_OK) return RL_ENOMEM;
        }
    }
    return RL_OK;
}

/* Index names must be unique in the whole schema and differ from every table name. */
static int check_index_names(rl_db *db, model_info *const *mis, size_t nmis)
{
    named *names = NULL;
    size_t n = 0;
    int code = all_index_names((const model_info *const *)mis, nmis, &names, &n);
    if (code != RL_OK) code = rli_err_set(db, RL_ENOMEM, "Out of memory.");
    for (size_t i = 0; i < n && code == RL_OK; i++) {
        for (size_t j = 0; j < i && code == RL_OK; j++)
            if (strcasecmp(names[i].name, names[j].name) == 0)
                code = rli_err_set(db, RL_EMODEL_INDEX_DUPLICATE,
                                   "Models %s and %s both declare an index named '%s' (index names "
                                   "are shared by the whole database).",
                                   names[j].owner->model->type_name,
                                   names[i].owner->model->type_name, names[i].name);
        for (size_t t = 0; t < nmis && code == RL_OK; t++)
            if (strcasecmp(names[i].name, mis[t]->table) == 0)
                code = rli_err_set(db, RL_EMODEL_INDEX_NAME,
                                   "Model %s: index '%s' has the name of table %s; an index and a "
                                   "table cannot share a name.",
                                   names[i].owner->model->type_name, names[i].name, mis[t]->table);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i].name);
    free(names);
    return code;
}

/* ---- ordering ---------------------------------------------------------------------------- */

typedef struct plan {
    model_info **all; /* closure of the given models */
    int *state;       /* 0 new, 1 on the walk's stack, 2 done */
    size_t n, cap;
    model_info **order;
    size_t norder;
    const char **edge; /* the key followed into each model on the stack */
    bool *escape;      /* whether that key lets a cycle hold rows (nullable or deferrable) */
    model_info **stack;
    size_t depth;
} plan;

/* Whether model m comes before position pos in p's order. */
static bool created_before(rl_db *db, const plan *p, size_t pos, const rl_model *m)
{
    model_info *t;
    if (rli_model_lookup(db, m, &t) != RL_OK) return false;
    for (size_t k = 0; k < pos; k++)
        if (p->order[k] == t) return true;
    return false;
}

/* Append the CREATE TABLE and CREATE INDEX statements of one (validated) model; created(t):
 * whether table t is created before this one.  Keys to later tables go to late. */
static void model_ddl(rl_db *db, const model_info *mi, const plan *p, size_t pos, strbuf *b,
                      strbuf *late)
{
    const rl_dialect *d = db->be->dialect;
    const rl_model *m = mi->model;
    rli_sb_puts(b, "CREATE TABLE IF NOT EXISTS ");
    rli_sb_ident(b, mi->table);
    rli_sb_puts(b, " (");
    if (m->has_pk) {
        rli_sb_puts(b, "\n  ");
        rli_sb_ident(b, mi->pk_column);
        rli_sb_printf(b, " %s", d->pk_integer);
        if (m->autoincrement) rli_sb_puts(b, d->autoinc);
    }
    for (size_t i = 0; i < m->nfields; i++) {
        bool inline_key = d->forward_references || !m->fields[i].references ||
                          m->fields[i].references == m ||
                          created_before(db, p, pos, m->fields[i].references);
        column_ddl(db, mi, i, i == 0 && !m->has_pk, inline_key, b);
        if (!inline_key) late_key_ddl(db, mi, (int)i, late);
    }
    for (const char *const *k = m->primary_key; k && *k; k++) {
        rli_sb_puts(b, k == m->primary_key ? ",\n  PRIMARY KEY (" : ", ");
        rli_sb_ident(b, mi->columns[rli_model_field_index(mi, *k)]);
        if (!k[1]) rli_sb_puts(b, ")");
    }
    for (size_t j = 0; j < mi->nckeys; j++) { /* composite keys: here, or after their parent */
        const rl_model *t = mi->ckeys[j].target;
        if (d->forward_references || t == m || created_before(db, p, pos, t)) {
            rli_sb_puts(b, ",");
            key_clause(db, mi, RLI_CKEY + (int)j, b);
        } else {
            late_key_ddl(db, mi, RLI_CKEY + (int)j, late);
        }
    }
    rli_sb_puts(b, d->table_end);
    for (size_t i = 0; i < m->nfields; i++) {
        const rl_field *f = &m->fields[i];
        if (f->unique || !(f->references || f->index)) continue;
        index_ddl(mi, NULL, &mi->columns[i], 1, false, b);
    }
    for (size_t i = 0; i < m->nindexes; i++) {
        const rl_index *ix = &m->indexes[i];
        const char *cols[RL_MAX_FIELDS + 2];
        size_t n = index_columns(mi, ix, cols);
        index_ddl(mi, ix->name, cols, n, ix->unique, b);
    }
    for (size_t j = 0; j < mi->nckeys; j++) { /* a composite key's columns: an index */
        const char *cols[RLS_KEY_MAX];
        for (int i = 0; i < mi->ckeys[j].n; i++)
            cols[i] = mi->columns[mi->ckeys[j].child[i]];
        index_ddl(mi, NULL, cols, (size_t)mi->ckeys[j].n, false, b);
    }
}

static long plan_index(const plan *p, const model_info *mi)
{
    for (size_t i = 0; i < p->n; i++)
        if (p->all[i] == mi) return (long)i;
    return -1;
}

static int plan_add(plan *p, model_info *mi)
{
    if (plan_index(p, mi) >= 0) return RL_OK;
    if (p->n == p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 16;
        model_info **a = realloc(p->all, cap * sizeof *a);
        if (!a) return RL_ENOMEM;
        p->all = a;
        p->cap = cap;
    }
    p->all[p->n++] = mi;
    return RL_OK;
}

static int cycle_error(rl_db *db, plan *p, size_t from)
{
    strbuf b;
    rli_sb_init(&b);
    bool escape = false;
    for (size_t i = from; i < p->depth; i++) {
        rli_sb_printf(&b, "%s.%s -> ", p->stack[i]->model->type_name, p->edge[i + 1]);
        if (p->escape[i + 1]) escape = true;
    }
    rli_sb_puts(&b, p->stack[from]->model->type_name);
    int code = RL_OK;
    if (!escape)
        code = rli_err_set(db, RL_EMODEL_CYCLE,
                           "Models form a reference cycle of NOT NULL, immediate keys (%s): no row "
                           "could ever be inserted. Make one of these keys nullable or deferrable.",
                           sb_str(&b));
    rli_sb_free(&b);
    return code;
}

static int visit(rl_db *db, plan *p, size_t i)
{
    p->state[i] = 1;
    p->stack[p->depth++] = p->all[i];
    const model_info *mi = p->all[i];
    const rl_model *m = mi->model;
    rli_key key;
    for (int ki = -1; rli_key_next(mi, &ki, &key);) {
        if (key.target == m) continue;
        model_info *t;
        rli_model_lookup(db, key.target, &t);
        long j = plan_index(p, t);
        bool escape = ki < RLI_CKEY && m->fields[ki].deferrable;
        for (int c = 0; c < key.n; c++)
            escape = escape || rli_field_nullable(&m->fields[key.child[c]]);
        if (ki >= RLI_CKEY) escape = escape || m->keys[ki - RLI_CKEY].deferrable;
        p->edge[p->depth] = key.name;
        p->escape[p->depth] = escape;
        if (p->state[j] == 1) {
            size_t from = 0;
            while (p->stack[from] != t)
                from++;
            int rc = cycle_error(db, p, from);
            if (rc != RL_OK) return rc;
            continue;
        }
        if (p->state[j] == 0) {
            int rc = visit(db, p, (size_t)j);
            if (rc != RL_OK) return rc;
        }
    }
    p->depth--;
    p->state[i] = 2;
    p->order[p->norder++] = p->all[i];
    return RL_OK;
}

static void plan_free(plan *p)
{
    free(p->all);
    free(p->state);
    free(p->order);
    free(p->edge);
    free(p->escape);
    free(p->stack);
}

/* Validate models, close them over their references and order parents first. */
static int plan_models(rl_db *db, const rl_model *const *models, size_t n, plan *p)
{
    memset(p, 0, sizeof *p);
    for (size_t i = 0; i < n; i++) {
        model_info *mi;
        int rc = rli_model_lookup(db, models[i], &mi);
        if (rc != RL_OK) return rc;
        for (size_t f = 0; f < mi->model->nfields; f++)
            if (mi->model->fields[f].generated)
                return rli_err_set(db, RL_EMODEL,
                                   "Model %s: field %s is generated by the engine: declare its "
                                   "table in SQL (GENERATED ALWAYS AS ...), it cannot be created "
                                   "from the model.",
                                   mi->model->type_name, mi->model->fields[f].name);
        if (plan_add(p, mi) != RL_OK) return rli_err_set(db, RL_ENOMEM, "Out of memory.");
    }
    for (size_t i = 0; i < p->n; i++) {
        rli_key key;
        for (int ki = -1; rli_key_next(p->all[i], &ki, &key);) {
            model_info *t;
            int rc = rli_model_lookup(db, key.target, &t);
            if (rc != RL_OK) return rc;
            if (plan_add(p, t) != RL_OK) return rli_err_set(db, RL_ENOMEM, "Out of memory.");
        }
    }
    for (size_t i = 0; i < p->n; i++)
        for (size_t j = 0; j < i; j++)
            if (strcasecmp(p->all[i]->table, p->all[j]->table) == 0)
                return rli_err_set(
                    db, RL_EMODEL_DUPLICATE, "Models %s and %s both map to table '%s'.",
                    p->all[j]->model->type_name, p->all[i]->model->type_name, p->all[i]->table);
    int code = check_index_names(db, p->all, p->n);
    if (code != RL_OK) return code;
    p->state = calloc(p->n, sizeof *p->state);
    p->order = calloc(p->n, sizeof *p->order);
    p->edge = calloc(p->n + 1, sizeof *p->edge);
    p->escape = calloc(p->n + 1, sizeof *p->escape);
    p->stack = calloc(p->n + 1, sizeof *p->stack);
    if (!p->state || !p->order || !p->edge || !p->escape || !p->stack)
        return rli_err_set(db, RL_ENOMEM, "Out of memory.");
    for (size_t i = 0; i < p->n; i++) {
        if (p->state[i]) continue;
        int rc = visit(db, p, i);
        if (rc != RL_OK) return rc;
    }
    return RL_OK;
}

int rl_schema_sql(rl_db *db, const rl_model *const *models, size_t n, char **out)
{
    if (out) *out = NULL;
    if (!db || !out || (n && !models)) return RL_EINVAL;
    rli_err_clear(db);
    plan p;
    int rc = plan_models(db, models, n, &p);
    if (rc == RL_OK) {
        strbuf b, late;
        rli_sb_init(&b);
        rli_sb_init(&late);
        for (size_t i = 0; i < p.norder; i++)
            model_ddl(db, p.order[i], &p, i, &b, &late);
        rli_sb_puts(&b, sb_str(&late));
        if (late.oom) b.oom = true;
        rli_sb_free(&late);
        *out = rli_sb_take(&b);
        if (!*out) rc = rli_err_set(db, RL_ENOMEM, "Out of memory.");
    }
    plan_free(&p);
    return rc;
}

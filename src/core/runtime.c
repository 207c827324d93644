/*
 * Runtime models: rl_model values built from a live database's schema, for programs (and
 * the REST server) that work with tables they have no C struct for.
 *
 * Each table becomes a model whose row is { int64_t pk; rl_value values[n]; } (no pk member
 * when the table has no single integer primary key).  Every field is an rl_value member
 * (RL_CT_VALUE) of the kind its declared type suggests; a single-column foreign key to another
 * table's integer primary key becomes the field's reference, with its actions, so that
 * relations, queries and the diagnosis of broken keys work as with declared models.  Composite
 * keys and keys to other columns are still enforced by the engine and checked by rl_check;
 * they are not relations here.
 *
 * Views follow the tables, each a model without a primary key whose fields are the columns
 * the engine gives the view's query; which writes go through one (none on SQLite without
 * INSTEAD OF triggers) is kept beside it for rl_models_writable.
 *
 * The models are registered with the connection like any other (validated on first use);
 * rl_models_free forgets them there before freeing, so that a later model at the same address
 * is never taken for one of these.
 */
#include "schema.h"
#include "db.h"
#include "error.h"
#include "model.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct rl_models {
    rl_db *db;
    size_t n;
    rl_model *models;
    rl_field **fields;
    unsigned *writes; /* per model: RL_WRITE_* bits, with VIEW_BIT for a view */
    arena names;
};

#define VIEW_BIT 0x100u

/* A copy of s (NULL: "") in a. */
static char *keep_str(arena *a, const char *s)
{
    return rli_copy_bytes(a, s ? s : "", s ? strlen(s) : 0);
}

/* Whether type (as declared) contains word, ignoring case. */
static bool type_has(const char *type, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = type; *p; p++)
        if (strncasecmp(p, word, n) == 0) return true;
    return false;
}

/*
 * The kind a declared type suggests (SQLite's affinity rules, PostgreSQL's type names).  JSON
 * and exact decimals have kinds of their own on both engines; arrays, timestamps and dates
 * only where the engine reads them as JSON and ISO 8601 (iso: PostgreSQL), while SQLite's
 * DATETIME is whatever text was stored.
 */
static rl_kind kind_of(const char *type, bool iso)
{
    if (!type || !*type) return RL_KIND_BLOB;
    size_t n = strlen(type);
    if (iso && n > 2 && strcmp(type + n - 2, "[]") == 0) return RL_KIND_ARRAY;
    if (type_has(type, "json")) return RL_KIND_JSON;
    if (type_has(type, "bool")) return RL_KIND_BOOLEAN;
    if (iso && type_has(type, "timestamp")) return RL_KIND_TIMESTAMP;
    if (iso && strcasecmp(type, "date") == 0) return RL_KIND_DATE;
    if (iso && (type_has(type, "interval") || type_has(type, "point")))
        return RL_KIND_TEXT; /* not integers, whatever their names hold */
    if (type_has(type, "int") || type_has(type, "serial")) return RL_KIND_INTEGER;
    if (type_has(type, "char") || type_has(type, "clob") || type_has(type, "text"))
        return RL_KIND_TEXT;
    if (type_has(type, "blob") || type_has(type, "bytea")) return RL_KIND_BLOB;
    if (type_has(type, "numeric") || type_has(type, "decimal")) return RL_KIND_NUMERIC;
    if (type_has(type, "real") || type_has(type, "floa") || type_has(type, "doub"))
        return RL_KIND_REAL;
    return RL_KIND_TEXT; /* uuids, times...: their text */
}

/* The one integer primary-key column of t, or NULL. */
static const sch_column *int_pk(const sch_table *t)
{
    const sch_column *pk = NULL;
    for (size_t i = 0; i < t->ncols; i++) {
        if (!t->cols[i].pk) continue;
        if (pk) return NULL; /* composite */
        pk = &t->cols[i];
    }
    return pk && kind_of(pk->type, false) == RL_KIND_INTEGER ? pk : NULL;
}

/* The column of a one-column UNIQUE constraint ("UNIQUE (code)", "UNIQUE (\"a b\")") into
 * col; false for several columns or another shape. */
static bool unique_column(const char *def, char *col, size_t len)
{
    const char *p = def ? strchr(def, '(') : NULL;
    if (!p || strncasecmp(def, "UNIQUE", 6) != 0) return false;
    p++;
    size_t n = 0;
    bool quoted = *p == '"';
    for (p += quoted; *p && n + 1 < len; p++) {
        if (quoted && *p == '"' && p[1] == '"') {
            col[n++] = *p++;
        } else if (quoted ? *p == '"' : (*p == ')' || *p == ',' || *p == ' ')) {
            break;
        } else {
            col[n++] = *p;
        }
    }
    col[n] = '\0';
    p += quoted && *p == '"';
    while (*p == ' ')
        p++;
    return n > 0 && *p == ')';
}

/* Fields for the columns of table or view t (the integer pk aside); 0 or RL_ENOMEM. */
static int build_fields(rl_models *ms, size_t i, const sch_table *t, bool iso)
{
    rl_model *m = &ms->models[i];
    const sch_column *pk = int_pk(t);
    rl_field *f = calloc(t->ncols ? t->ncols : 1, sizeof *f);
    if (!f) return RL_ENOMEM;
    ms->fields[i] = f;
    size_t n = 0, at = pk ? sizeof(int64_t) : 0;
    for (size_t c = 0; c < t->ncols; c++) {
        const sch_column *col = &t->cols[c];
        if (col == pk || col->hidden) continue; /* generated columns cannot be written */
        f[n] = (rl_field){.name = keep_str(&ms->names, col->name),
                          .ctype = RL_CT_VALUE,
                          .offset = at,
                          .size = sizeof(rl_value),
                          .kind = kind_of(col->type, iso),
                          .nullable = !col->notnull,
                          .default_sql = col->dflt ? keep_str(&ms->names, col->dflt) : NULL};
        if (!f[n].name || (col->dflt && !f[n].default_sql)) return RL_ENOMEM;
        at += sizeof(rl_value);
        n++;
    }
    const char **key = NULL; /* a primary key that is not one integer: its fields */
    size_t nkey = 0;
    for (size_t c = 0; c < t->ncols; c++)
        nkey += !pk && t->cols[c].pk > 0;
    if (nkey) {
        key = rli_arena_alloc(&ms->names, (nkey + 1) * sizeof *key);
        if (!key) return RL_ENOMEM;
        for (size_t c = 0, j = 0; c < t->ncols; c++)
            if (t->cols[c].pk > 0 && (size_t)t->cols[c].pk <= nkey)
                for (j = 0; j < n; j++)
                    if (strcmp(f[j].name, t->cols[c].name) == 0) key[t->cols[c].pk - 1] = f[j].name;
        key[nkey] = NULL;
        for (size_t j = 0; j < nkey; j++)
            if (!key[j]) key = NULL; /* a generated column in the key: none usable */
    }
    for (size_t k = 0; k < t->ncons; k++) { /* UNIQUE (one column) */
        char col[256];
        if (t->cons[k].kind == 'u' && unique_column(t->cons[k].def, col, sizeof col))
            for (size_t j = 0; j < n; j++)
                if (strcmp(f[j].name, col) == 0) f[j].unique = true;
    }
    *m = (rl_model){.type_name = keep_str(&ms->names, t->name),
                    .table = NULL,
                    .size = at ? at : sizeof(int64_t),
                    .has_pk = pk != NULL,
                    .pk_ctype = RL_CT_INT64,
                    .pk_column = pk ? keep_str(&ms->names, pk->name) : NULL,
                    .autoincrement = t->autoincrement,
                    .fields = f,
                    .nfields = n,
                    .primary_key = key};
    m->table = m->type_name;
    return m->type_name && (!pk || m->pk_column) ? RL_OK : RL_ENOMEM;
}

/* The field of m named name, or NULL. */
static rl_field *field_of(rl_model *m, const char *name)
{
    for (size_t f = 0; f < m->nfields; f++)
        if (strcmp(m->fields[f].name, name) == 0) return (rl_field *)&m->fields[f];
    return NULL;
}

/* The keys of t that are relations: one column to a unique column of another table (its
 * integer primary key, the one column of its primary key, a UNIQUE column). */
static void link_keys(rl_models *ms, size_t i, const sch_table *t, const schema *s)
{
    rl_model *m = &ms->models[i];
    for (size_t k = 0; k < t->nfks; k++) {
        const sch_fk *fk = &t->fks[k];
        if (strchr(fk->from, ',')) continue;
        rl_model *parent = (rl_model *)rl_models_find(ms, fk->parent);
        const sch_table *pt = rli_schema_table(s, fk->parent);
        rl_field *fld = field_of(m, fk->from);
        if (!parent || !pt || !fld) continue;
        const sch_column *ppk = int_pk(pt);
        const char *to = *fk->to                                          ? fk->to
                         : ppk                                            ? ppk->name
                         : parent->primary_key && !parent->primary_key[1] ? parent->primary_key[0]
                                                                          : NULL;
        if (!to) continue;
        if (!ppk || strcmp(to, ppk->name) != 0) { /* a field of the parent, which is unique */
            rl_field *target = field_of(parent, to);
            bool whole_key = parent->primary_key && !parent->primary_key[1] &&
                             strcmp(parent->primary_key[0], to) == 0;
            if (!target || !(target->unique || whole_key) || target->kind != fld->kind) continue;
            fld->references_field = target->name;
        } else if (fld->kind != RL_KIND_INTEGER) {
            continue; /* a relation joins values of one kind: the engine compares others */
        }
        fld->references = parent;
        fld->on_delete = rli_action_from_sql(fk->on_delete);
        fld->on_update = rli_action_from_sql(fk->on_update);
    }
}

/* The n names of a comma-separated list of m's fields ("a,b"), NULL-terminated in a; NULL when
 * one is not a field (a generated column, the integer pk) or out of memory. */
static const char **field_list(arena *a, rl_model *m, const char *list, size_t n)
{
    const char **names = rli_arena_alloc(a, (n + 1) * sizeof *names);
    for (size_t i = 0; names && i < n; i++) {
        while (*list == ' ')
            list++;
        size_t len = strcspn(list, ",");
        names[i] = NULL;
        for (size_t f = 0; f < m->nfields; f++)
            if (strlen(m->fields[f].name) == len && strncmp(m->fields[f].name, list, len) == 0)
                names[i] = m->fields[f].name;
        if (!names[i]) return NULL;
        list += len + (list[len] == ',');
    }
    if (names) names[n] = NULL;
    return names;
}

/* Whether the NULL-terminated lists a and b name the same fields, in any order. */
static bool same_set(const char *const *a, const char *const *b)
{
    size_t n = 0, m = 0;
    while (a && a[n])
        n++;
    while (b && b[m])
        m++;
    for (size_t i = 0; i < n && n == m; i++) {
        bool in = false;
        for (size_t j = 0; j < m && !in; j++)
            in = a[i] == b[j];
        if (!in) return false;
    }
    return n == m && n > 0;
}

/* The keys of t of several columns: rl_keys of its model (the referenced columns are unique
 * together, the engine saw to it: the parent's model gets a unique index of them when they
 * are not its primary key).  Keys whose columns are not all fields are left out. */
static int composite_keys(rl_models *ms, size_t i, const sch_table *t)
{
    rl_model *m = &ms->models[i];
    size_t n = 0;
    for (size_t k = 0; k < t->nfks; k++)
        n += strchr(t->fks[k].from, ',') != NULL;
    rl_key *keys = n ? rli_arena_alloc(&ms->names, n * sizeof *keys) : NULL;
    if (n && !keys) return RL_ENOMEM;
    size_t used = 0;
    for (size_t k = 0; k < t->nfks; k++) {
        const sch_fk *fk = &t->fks[k];
        if (!strchr(fk->from, ',')) continue;
        rl_model *parent = (rl_model *)rl_models_find(ms, fk->parent);
        size_t cols = 1;
        for (const char *c = fk->from; *c; c++)
            cols += *c == ',';
        if (!parent || cols > RL_MAX_KEY_FIELDS) continue;
        const char **from = field_list(&ms->names, m, fk->from, cols);
        bool implicit = strspn(fk->to, ", ") == strlen(fk->to); /* SQLite: "" or ", " */
        const char **to = implicit ? (const char **)parent->primary_key
                                   : field_list(&ms->names, parent, fk->to, cols);
        if (!from || !to) continue;
        if (!same_set(to, parent->primary_key)) { /* a UNIQUE of those columns: an index */
            rl_index *ix = rli_arena_alloc(&ms->names, (parent->nindexes + 1) * sizeof *ix);
            if (!ix) return RL_ENOMEM;
            if (parent->nindexes) memcpy(ix, parent->indexes, parent->nindexes * sizeof *ix);
            ix[parent->nindexes] = (rl_index){.fields = to, .unique = true};
            parent->indexes = ix;
            parent->nindexes++;
        }
        keys[used++] = (rl_key){.fields = from,
                                .references = parent,
                                .references_fields = to,
                                .on_delete = rli_action_from_sql(fk->on_delete),
                                .on_update = rli_action_from_sql(fk->on_update)};
    }
    m->keys = keys;
    m->nkeys = used;
    return RL_OK;
}

/* The keys of a view: a column that shows a table's key column as it is has that key (its
 * parent, the column it references, its actions), so that the view relates as its table does. */
static void view_keys(rl_models *ms, rl_model *m, const sch_object *v)
{
    for (size_t i = 0; i < v->ncols; i++) {
        const sch_column *col = &v->cols[i];
        if (!col->origin_table) continue;
        rl_model *base = (rl_model *)rl_models_find(ms, col->origin_table);
        const rl_field *bf = base ? field_of(base, col->origin_column) : NULL;
        rl_field *f = field_of(m, col->name);
        if (!bf || !bf->references || !f || f->kind != bf->kind) continue;
        f->references = bf->references;
        f->references_field = bf->references_field;
        f->on_delete = bf->on_delete;
        f->on_update = bf->on_update;
    }
}

int rl_models_load(rl_db *db, rl_models **out)
{
    if (!db || !out) return RL_EINVAL;
    *out = NULL;
    rli_err_clear(db);
    schema s = {0};
    int rc = rli_schema_read(db, &s, "load models");
    rl_models *ms = rc == RL_OK ? calloc(1, sizeof *ms) : NULL;
    if (rc == RL_OK && ms) {
        ms->db = db;
        size_t most = s.ntables + s.nviews + 1;
        ms->models = calloc(most, sizeof *ms->models);
        ms->fields = calloc(most, sizeof *ms->fields);
        ms->writes = calloc(most, sizeof *ms->writes);
        if (!ms->models || !ms->fields || !ms->writes) rc = RL_ENOMEM;
        bool iso = db->be->dialect->read_open[RL_KIND_TIMESTAMP] != NULL;
        for (size_t i = 0; rc == RL_OK && i < s.ntables; i++) {
            if (s.tables[i].is_virtual) continue;
            ms->writes[ms->n] = RL_WRITE_ALL;
            if (build_fields(ms, ms->n++, &s.tables[i], iso) != RL_OK) rc = RL_ENOMEM;
        }
        for (size_t i = 0, k = 0; rc == RL_OK && i < s.ntables; i++) {
            if (s.tables[i].is_virtual) continue;
            link_keys(ms, k, &s.tables[i], &s);
            rc = composite_keys(ms, k++, &s.tables[i]);
        }
        for (size_t i = 0; rc == RL_OK && i < s.nviews; i++) {
            const sch_object *v = &s.views[i];
            if (!v->ncols || rl_models_find(ms, v->name))
                continue; /* unreadable, or a name
                            a table has */
            sch_table t = {.name = v->name, .cols = v->cols, .ncols = v->ncols};
            ms->writes[ms->n] = v->writes | VIEW_BIT;
            if (build_fields(ms, ms->n++, &t, iso) != RL_OK)
                rc = RL_ENOMEM;
            else
                view_keys(ms, &ms->models[ms->n - 1], v);
        }
    } else if (rc == RL_OK) {
        rc = RL_ENOMEM;
    }
    rli_schema_free(&s);
    /* validated now, with the database's own names: a model that cannot be used keeps its
     * error for the first call that uses it */
    db->names_from_db = true;
    for (size_t i = 0; rc == RL_OK && i < ms->n; i++) {
        model_info *mi;
        rli_model_lookup(db, &ms->models[i], &mi);
    }
    db->names_from_db = false;
    rli_err_clear(db);
    if (rc != RL_OK) {
        if (ms) ms->db = NULL; /* nothing was registered yet */
        rl_models_free(ms);
        return rc == RL_ENOMEM ? rli_err_set(db, rc, "Out of memory.") : rc;
    }
    *out = ms;
    return RL_OK;
}

size_t rl_models_count(const rl_models *ms)
{
    return ms ? ms->n : 0;
}

const rl_model *rl_models_get(const rl_models *ms, size_t i)
{
    return ms && i < ms->n ? &ms->models[i] : NULL;
}

const rl_model *rl_models_find(const rl_models *ms, const char *table)
{
    if (!ms || !table) return NULL;
    for (size_t i = 0; i < ms->n; i++)
        if (strcmp(ms->models[i].table, table) == 0) return &ms->models[i];
    return NULL;
}

/* The index of model in ms, or -1. */
static long index_of(const rl_models *ms, const rl_model *model)
{
    if (!ms || !model || model < ms->models || model >= ms->models + ms->n) return -1;
    return (long)(model - ms->models);
}

bool rl_models_is_view(const rl_models *ms, const rl_model *model)
{
    long i = index_of(ms, model);
    return i >= 0 && (ms->writes[i] & VIEW_BIT);
}

unsigned rl_models_writable(const rl_models *ms, const rl_model *model)
{
    long i = index_of(ms, model);
    return i >= 0 ? ms->writes[i] & RL_WRITE_ALL : 0;
}

rl_value *rl_row_values(const rl_model *m, void *row)
{
    if (!m || !row || m->nfields == 0 || m->fields[0].ctype != RL_CT_VALUE) return NULL;
    return (rl_value *)((char *)row + m->fields[0].offset);
}

void rl_models_free(rl_models *ms)
{
    if (!ms) return;
    for (size_t i = 0; i < ms->n; i++) {
        if (ms->db) rli_model_forget(ms->db, &ms->models[i]);
        free(ms->fields ? ms->fields[i] : NULL);
    }
    free(ms->fields);
    free(ms->writes);
    free(ms->models);
    rli_arena_free(&ms->names);
    free(ms);
}

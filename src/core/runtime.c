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
 * INSTEAD OF triggers) is kept beside it for rl_models_writable.  Where a view's column shows
 * a table's column as it is (the engine tells: sch_column.origin_*), the view model keeps that
 * origin (rl_models_origin; model_info.origin for the relation calls) and takes the table's
 * keys of the columns it shows (view_keys) and what of them is unique (view_uniques); keys to
 * the table lead to the view through those origins (keys.c, rli_key_toward).  A view's keys
 * are extras: a view whose model refuses them is kept without them.
 *
 * Every key keeps the name of its constraint where the engine gives one (sch_fk.name: on
 * PostgreSQL always, on SQLite where the CREATE TABLE text names it), a view's key the name
 * of its table's key, beside the models (rl_models_key_name): the public structs have no
 * place for the name of a field's key, and an rl_key's own name is how the relation calls
 * name it (its fields joined by commas when NULL), which stays as it was.
 *
 * The models are registered with the connection like any other (validated on first use);
 * rl_models_free forgets them there before freeing, so that a later model at the same address
 * is never taken for one of these.
 */
#include "schema.h"
#include "search.h"
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
    unsigned *writes;     /* per model: RL_WRITE_* bits, with VIEW_BIT for a view */
    rli_origin **origins; /* per model: a view's, one per field (in names), else NULL */
    /* per model: the constraint names of its keys (in names), NULL where the engine gives none:
     * [f] the key of field f, [nfields + k] the rl_key k (rl_models_key_name) */
    const char ***key_names;
    /* per model: the declared type of each column (in names): [f] field f's, [nfields] the
     * integer pk's (rl_models_column_type) */
    const char ***types;
    rls_search **searches; /* per model: its columns' full-text indexes (in names), or NULL */
    const char *schema;    /* PostgreSQL's schema read (in names), or NULL */
    arena names;
};

#define VIEW_BIT 0x100u

/* A copy of s (NULL: "") in a. */
static char *keep_str(arena *a, const char *s)
{
    return rli_copy_bytes(a, s ? s : "", s ? strlen(s) : 0);
}

/* The one integer primary-key column of t, or NULL; NULL too when it is also a key to another
 * table (a one-to-one extension: profiles.user_id): then it is a field, whose key is a
 * relation, and the table's primary key names it (primary_key). */
static const sch_column *int_pk(const sch_table *t)
{
    const sch_column *pk = NULL;
    for (size_t i = 0; i < t->ncols; i++) {
        if (!t->cols[i].pk) continue;
        if (pk) return NULL; /* composite */
        pk = &t->cols[i];
    }
    for (size_t k = 0; pk && k < t->nfks; k++)
        if (strcmp(t->fks[k].from, pk->name) == 0) return NULL;
    return pk && rli_kind_of_type(pk->type, false) == RL_KIND_INTEGER ? pk : NULL;
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

/* View v's columns (a shallow copy, malloc'd; NULL when out of memory), each that shows a
 * table's column as it is taking that column's default where an insert through the view
 * gets it (the dialect says so): a field left out of an insert then gets it too. */
static sch_column *view_columns(const rl_db *db, const schema *s, const sch_object *v)
{
    sch_column *cols = malloc((v->ncols ? v->ncols : 1) * sizeof *cols);
    if (!cols) return NULL;
    memcpy(cols, v->cols, v->ncols * sizeof *cols);
    for (size_t c = 0; db->be->dialect->view_takes_table_defaults && c < v->ncols; c++) {
        const sch_table *t =
            cols[c].origin_table ? rli_schema_table(s, cols[c].origin_table) : NULL;
        const sch_column *o =
            t && cols[c].origin_column ? rli_table_column(t, cols[c].origin_column) : NULL;
        if (!cols[c].dflt && o && o->dflt && !o->hidden) cols[c].dflt = o->dflt;
    }
    return cols;
}

/* Fields for the columns of table or view t (the integer pk aside); 0 or RL_ENOMEM. */
static int build_fields(rl_models *ms, size_t i, const sch_table *t, bool iso)
{
    rl_model *m = &ms->models[i];
    const sch_column *pk = int_pk(t);
    rl_field *f = calloc(t->ncols ? t->ncols : 1, sizeof *f);
    if (!f) return RL_ENOMEM;
    ms->fields[i] = f;
    const char **types = rli_arena_alloc(&ms->names, (t->ncols + 1) * sizeof *types);
    if (!types) return RL_ENOMEM;
    ms->types[i] = types;
    size_t n = 0, at = pk ? sizeof(int64_t) : 0;
    for (size_t c = 0; c < t->ncols; c++) {
        const sch_column *col = &t->cols[c];
        if (col == pk || col->hidden == 1) continue; /* a virtual table's hidden column */
        f[n] = (rl_field){.name = keep_str(&ms->names, col->name),
                          .ctype = RL_CT_VALUE,
                          .offset = at,
                          .size = sizeof(rl_value),
                          .kind = rli_kind_of_type(col->type, iso),
                          .nullable = !col->notnull,
                          .generated = col->hidden >= 2, /* read, never written */
                          .default_sql = col->dflt ? keep_str(&ms->names, col->dflt) : NULL};
        types[n] = keep_str(&ms->names, col->type);
        if (!f[n].name || !types[n] || (col->dflt && !f[n].default_sql)) return RL_ENOMEM;
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
    types[n] = pk ? keep_str(&ms->names, pk->type) : NULL;
    if (pk && !types[n]) return RL_ENOMEM;
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
static int link_keys(rl_models *ms, size_t i, const sch_table *t, const schema *s)
{
    rl_model *m = &ms->models[i];
    const char **names = rli_arena_alloc(&ms->names, (m->nfields + t->nfks + 1) * sizeof *names);
    if (!names) return RL_ENOMEM;
    memset(names, 0, (m->nfields + t->nfks + 1) * sizeof *names);
    ms->key_names[i] = names;
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
        if (fk->name && !(names[fld - m->fields] = keep_str(&ms->names, fk->name)))
            return RL_ENOMEM;
        fld->references = parent;
        fld->on_delete = rli_action_from_sql(fk->on_delete);
        fld->on_update = rli_action_from_sql(fk->on_update);
    }
    return RL_OK;
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
        const char **names = ms->key_names[i];
        if (fk->name && !(names[m->nfields + used] = keep_str(&ms->names, fk->name)))
            return RL_ENOMEM;
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

/* The index of model in ms, or -1. */
static long index_of(const rl_models *ms, const rl_model *model)
{
    if (!ms || !model || model < ms->models || model >= ms->models + ms->n) return -1;
    return (long)(model - ms->models);
}

/* Where each field of view v (model i) comes from: the table model and its column (the pk
 * member, or a field) that the view's column shows as it is, where the engine tells. */
static int view_origins(rl_models *ms, size_t i, const sch_object *v)
{
    rl_model *m = &ms->models[i];
    rli_origin *o = rli_arena_alloc(&ms->names, (m->nfields ? m->nfields : 1) * sizeof *o);
    if (!o) return RL_ENOMEM;
    for (size_t f = 0; f < m->nfields; f++) {
        o[f] = (rli_origin){NULL, -1};
        const sch_column *col = NULL;
        for (size_t c = 0; c < v->ncols && !col; c++)
            if (strcmp(v->cols[c].name, m->fields[f].name) == 0) col = &v->cols[c];
        long t =
            col && col->origin_table ? index_of(ms, rl_models_find(ms, col->origin_table)) : -1;
        if (t < 0 || (ms->writes[t] & VIEW_BIT)) continue; /* not a column of a table of ms */
        const rl_model *base = &ms->models[t];
        const rl_field *bf = field_of((rl_model *)base, col->origin_column);
        if (bf && bf->kind == m->fields[f].kind)
            o[f] = (rli_origin){base, (int)(bf - base->fields)};
        else if (!bf && base->has_pk && strcmp(base->pk_column, col->origin_column) == 0 &&
                 m->fields[f].kind == RL_KIND_INTEGER)
            o[f] = (rli_origin){base, RLS_PK};
    }
    ms->origins[i] = o;
    return RL_OK;
}

/* The field of view model m that shows column code of table base, from the n-th on (the
 * first n such fields skipped), or NULL. */
static rl_field *shown(rl_models *ms, size_t i, const rl_model *base, int code, size_t n)
{
    rl_model *m = &ms->models[i];
    for (size_t f = 0; f < m->nfields; f++)
        if (ms->origins[i][f].table == base && ms->origins[i][f].code == code && n-- == 0)
            return (rl_field *)&m->fields[f];
    return NULL;
}

/* How many fields of view model i show column code of base. */
static size_t times_shown(rl_models *ms, size_t i, const rl_model *base, int code)
{
    size_t n = 0;
    while (shown(ms, i, base, code, n))
        n++;
    return n;
}

/* The keys of a view (model i): a key of one of its tables whose columns the view shows as
 * they are is a key of the view, to the same parent and columns, with its actions; a column
 * shown twice gives a key for each (one of several columns: a key for each combination, up
 * to a few), so that the view relates as its table does.  A key with a column the view does
 * not show is not the view's. */
static int view_keys(rl_models *ms, size_t i)
{
    rl_model *m = &ms->models[i];
    const rli_origin *o = ms->origins[i];
    enum { MOST = 16 }; /* keys of several columns a view may get */
    const char **names = rli_arena_alloc(&ms->names, (m->nfields + MOST) * sizeof *names);
    if (!names) return RL_ENOMEM;
    memset(names, 0, (m->nfields + MOST) * sizeof *names);
    ms->key_names[i] = names;
    for (size_t f = 0; f < m->nfields; f++) { /* keys of one column */
        const rl_field *bf =
            o[f].table && o[f].code != RLS_PK ? &o[f].table->fields[o[f].code] : NULL;
        if (!bf || !bf->references) continue;
        names[f] = ms->key_names[o[f].table - ms->models][bf - o[f].table->fields];
        rl_field *vf = (rl_field *)&m->fields[f];
        vf->references = bf->references;
        vf->references_field = bf->references_field;
        vf->on_delete = bf->on_delete;
        vf->on_update = bf->on_update;
    }
    rl_key keys[MOST];
    size_t n = 0;
    for (size_t t = 0; t < ms->n; t++) {
        const rl_model *base = &ms->models[t];
        for (size_t k = 0; !(ms->writes[t] & VIEW_BIT) && k < base->nkeys; k++) {
            const rl_key *bk = &base->keys[k];
            size_t nf = 0, combos = 1, times[RL_MAX_KEY_FIELDS];
            for (; bk->fields[nf]; nf++) {
                int code = (int)(field_of((rl_model *)base, bk->fields[nf]) - base->fields);
                times[nf] = times_shown(ms, i, base, code);
                combos *= times[nf];
            }
            for (size_t c = 0; c < combos && n < MOST; c++) {
                const char **fields = rli_arena_alloc(&ms->names, (nf + 1) * sizeof *fields);
                if (!fields) return RL_ENOMEM;
                for (size_t j = 0, rest = c; j < nf; rest /= times[j], j++) {
                    int code = (int)(field_of((rl_model *)base, bk->fields[j]) - base->fields);
                    fields[j] = shown(ms, i, base, code, rest % times[j])->name;
                }
                fields[nf] = NULL;
                names[m->nfields + n] = ms->key_names[t][base->nfields + k];
                keys[n++] = (rl_key){.fields = fields,
                                     .references = bk->references,
                                     .references_fields = bk->references_fields,
                                     .on_delete = bk->on_delete,
                                     .on_update = bk->on_update};
            }
        }
    }
    rl_key *kept = n ? rli_arena_alloc(&ms->names, n * sizeof *kept) : NULL;
    if (n && !kept) return RL_ENOMEM;
    if (n) memcpy(kept, keys, n * sizeof *kept);
    m->keys = kept;
    m->nkeys = n;
    return RL_OK;
}

/* Validate model i with the connection; a view whose keys it refuses is kept without them
 * (a view's relations are an extra: never a reason to lose the view).  RL_OK or RL_ENOMEM. */
static int register_model(rl_models *ms, size_t i)
{
    model_info *mi;
    rl_model *m = &ms->models[i];
    int rc = rli_model_lookup(ms->db, m, &mi);
    if (rc != RL_OK && rc != RL_ENOMEM && ms->origins[i]) {
        rli_model_forget(ms->db, m);
        for (size_t f = 0; f < m->nfields; f++)
            ((rl_field *)&m->fields[f])->references = NULL;
        m->keys = NULL;
        m->nkeys = 0;
        ms->origins[i] = NULL;
        rc = rli_model_lookup(ms->db, m, &mi);
    }
    if (mi) {
        mi->origin = ms->origins[i];
        mi->types = ms->types[i];
        mi->rt.searches = ms->searches[i];
    }
    return rc == RL_ENOMEM ? rc : RL_OK;
}

/* Add to view model i a unique index of the fields that show the fields names of base (all
 * shown, the first of each), as the table's unique key they show; RL_OK or RL_ENOMEM. */
static int view_unique(rl_models *ms, size_t i, const rl_model *base, const char *const *names)
{
    rl_model *m = &ms->models[i];
    size_t n = 0;
    const rl_field *vf[RL_MAX_FIELDS];
    for (; names && names[n]; n++) {
        const rl_field *bf = field_of((rl_model *)base, names[n]);
        vf[n] = bf && n < RL_MAX_FIELDS ? shown(ms, i, base, (int)(bf - base->fields), 0) : NULL;
        if (!vf[n]) return RL_OK; /* a column the view does not show: not its key */
    }
    const char **fields = rli_arena_alloc(&ms->names, (n + 1) * sizeof *fields);
    rl_index *ix = rli_arena_alloc(&ms->names, (m->nindexes + 1) * sizeof *ix);
    if (!fields || !ix) return RL_ENOMEM;
    for (size_t j = 0; j < n; j++)
        fields[j] = vf[j]->name;
    fields[n] = NULL;
    if (m->nindexes) memcpy(ix, m->indexes, m->nindexes * sizeof *ix);
    ix[m->nindexes++] = (rl_index){.fields = fields, .unique = true};
    m->indexes = ix;
    return RL_OK;
}

/* What is unique in view model i: a field that shows a table's integer primary key or a unique
 * column is unique, and the fields that show a table's unique key of several columns are a
 * unique index (as PostgREST takes a view's keys from its tables: a view that repeats a
 * table's rows, a join that does, is taken at its word). */
static int view_uniques(rl_models *ms, size_t i)
{
    rl_model *m = &ms->models[i];
    const rli_origin *o = ms->origins[i];
    for (size_t f = 0; f < m->nfields; f++) {
        const rl_model *b = o[f].table;
        const rl_field *bf = b && o[f].code != RLS_PK ? &b->fields[o[f].code] : NULL;
        bool whole =
            bf && b->primary_key && !b->primary_key[1] && strcmp(b->primary_key[0], bf->name) == 0;
        if (b && (o[f].code == RLS_PK || bf->unique || whole))
            ((rl_field *)&m->fields[f])->unique = true;
    }
    int rc = RL_OK;
    for (size_t t = 0; rc == RL_OK && t < ms->n; t++) {
        const rl_model *b = &ms->models[t];
        if (ms->writes[t] & VIEW_BIT) continue;
        if (b->primary_key && b->primary_key[1]) rc = view_unique(ms, i, b, b->primary_key);
        for (size_t x = 0; rc == RL_OK && x < b->nindexes; x++)
            if (b->indexes[x].unique && b->indexes[x].fields[0] && b->indexes[x].fields[1])
                rc = view_unique(ms, i, b, b->indexes[x].fields);
    }
    return rc;
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
        ms->schema = s.name ? keep_str(&ms->names, s.name) : NULL;
        if (s.name && !ms->schema) rc = RL_ENOMEM;
        size_t most = s.ntables + s.nviews + s.nmatviews + 1;
        ms->models = calloc(most, sizeof *ms->models);
        ms->fields = calloc(most, sizeof *ms->fields);
        ms->writes = calloc(most, sizeof *ms->writes);
        ms->origins = calloc(most, sizeof *ms->origins);
        ms->key_names = calloc(most, sizeof *ms->key_names);
        ms->types = calloc(most, sizeof *ms->types);
        ms->searches = calloc(most, sizeof *ms->searches);
        if (!ms->models || !ms->fields || !ms->writes || !ms->origins || !ms->key_names ||
            !ms->types || !ms->searches)
            rc = RL_ENOMEM;
        bool iso = db->be->dialect->read_open[RL_KIND_TIMESTAMP] != NULL;
        for (size_t i = 0; rc == RL_OK && i < s.ntables; i++) {
            if (s.tables[i].is_virtual) continue;
            ms->writes[ms->n] = RL_WRITE_ALL;
            if (build_fields(ms, ms->n++, &s.tables[i], iso) != RL_OK) rc = RL_ENOMEM;
            const rl_model *m = &ms->models[ms->n - 1];
            if (rc == RL_OK)
                rc = rli_search_covers(&ms->names, &s, s.tables[i].name, m->fields, m->nfields,
                                       &ms->searches[ms->n - 1]);
        }
        for (size_t i = 0, k = 0; rc == RL_OK && i < s.ntables; i++) {
            if (s.tables[i].is_virtual) continue;
            rc = link_keys(ms, k, &s.tables[i], &s);
            if (rc == RL_OK) rc = composite_keys(ms, k, &s.tables[i]);
            k++;
        }
        for (size_t i = 0; rc == RL_OK && i < s.nviews + s.nmatviews; i++) {
            const sch_object *v = i < s.nviews ? &s.views[i] : &s.matviews[i - s.nviews];
            if (!v->ncols || rl_models_find(ms, v->name))
                continue; /* unreadable, or a name
                            a table has */
            sch_column *cols = view_columns(db, &s, v);
            if (!cols) {
                rc = RL_ENOMEM;
                break;
            }
            sch_table t = {.name = v->name, .cols = cols, .ncols = v->ncols};
            ms->writes[ms->n] = v->writes | VIEW_BIT;
            rc = build_fields(ms, ms->n++, &t, iso);
            free(cols);
            if (rc == RL_OK) rc = view_origins(ms, ms->n - 1, v);
            if (rc == RL_OK) rc = view_keys(ms, ms->n - 1);
            if (rc == RL_OK) rc = view_uniques(ms, ms->n - 1);
        }
    } else if (rc == RL_OK) {
        rc = RL_ENOMEM;
    }
    rli_schema_free(&s);
    /* validated now, with the database's own names: a model that cannot be used keeps its
     * error for the first call that uses it */
    db->names_from_db = true;
    for (size_t i = 0; rc == RL_OK && i < ms->n; i++)
        rc = register_model(ms, i);
    db->names_from_db = false;
    if (rc == RL_OK) rli_err_clear(db);
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

const rl_model *rl_models_origin(const rl_models *ms, const rl_model *view, size_t field,
                                 const char **column)
{
    long i = index_of(ms, view);
    const rli_origin *o =
        i >= 0 && ms->origins[i] && field < view->nfields ? &ms->origins[i][field] : NULL;
    if (column) *column = NULL;
    if (!o || !o->table) return NULL;
    if (column) *column = o->code == RLS_PK ? o->table->pk_column : o->table->fields[o->code].name;
    return o->table;
}

/* Whether key (a relation call's name of a key of several fields) names rl_key k: its name,
 * else its fields joined by commas. */
static bool names_key(const rl_key *k, const char *key)
{
    if (k->name) return strcmp(k->name, key) == 0;
    for (size_t j = 0; k->fields && k->fields[j]; j++) {
        size_t n = strlen(k->fields[j]);
        if ((j && *key++ != ',') || strncmp(key, k->fields[j], n) != 0) return false;
        key += n;
    }
    return k->fields && k->fields[0] && *key == '\0';
}

const char *rl_models_key_name(const rl_models *ms, const rl_model *model, const char *key)
{
    long i = index_of(ms, model);
    const char **names = i >= 0 && key ? ms->key_names[i] : NULL;
    if (!names) return NULL;
    for (size_t f = 0; f < model->nfields; f++)
        if (model->fields[f].references && strcmp(model->fields[f].name, key) == 0) return names[f];
    for (size_t k = 0; k < model->nkeys; k++)
        if (names_key(&model->keys[k], key)) return names[model->nfields + k];
    return NULL;
}

const char *rl_models_schema(const rl_models *ms)
{
    return ms ? ms->schema : NULL;
}

const char *rl_models_column_type(const rl_models *ms, const rl_model *model, const char *column)
{
    long i = index_of(ms, model);
    if (i < 0 || !column || !ms->types[i]) return NULL;
    if (model->has_pk && strcmp(column, model->pk_column) == 0) return ms->types[i][model->nfields];
    for (size_t f = 0; f < model->nfields; f++)
        if (strcmp(model->fields[f].name, column) == 0) return ms->types[i][f];
    return NULL;
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
    free(ms->origins);
    free(ms->key_names);
    free(ms->types);
    free(ms->searches);
    free(ms->models);
    rli_arena_free(&ms->names);
    free(ms);
}

/*
 * The one schema representation (schema.h): freeing it, finding its parts, writing it back
 * as SQL.  Backends fill it (introspect); migrations compare two of them.
 */
#include "schema.h"
#include "db.h"
#include "error.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void free_columns(sch_column *cols, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        free(cols[k].name);
        free(cols[k].type);
        free(cols[k].dflt);
        free(cols[k].origin_table);
        free(cols[k].origin_column);
    }
    free(cols);
}

static void free_objects(sch_object *o, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free_columns(o[i].cols, o[i].ncols);
        free(o[i].name);
        free(o[i].table);
        free(o[i].sql);
        free(o[i].norm);
    }
    free(o);
}

void rli_schema_free(schema *s)
{
    for (size_t i = 0; i < s->ntables; i++) {
        sch_table *t = &s->tables[i];
        free_columns(t->cols, t->ncols);
        for (size_t k = 0; k < t->nfks; k++) {
            free(t->fks[k].name);
            free(t->fks[k].parent);
            free(t->fks[k].from);
            free(t->fks[k].to);
        }
        for (size_t k = 0; k < t->ncons; k++) {
            free(t->cons[k].name);
            free(t->cons[k].def);
        }
        free(t->fks);
        free(t->cons);
        free(t->name);
        free(t->sql);
        free(t->norm);
        free(t->search_of);
        free(t->search_rowid);
    }
    free(s->tables);
    free(s->problem);
    free(s->unreadable);
    free(s->name);
    free_objects(s->indexes, s->nindexes);
    free_objects(s->views, s->nviews);
    free_objects(s->matviews, s->nmatviews);
    free_objects(s->triggers, s->ntriggers);
    memset(s, 0, sizeof *s);
}

sch_table *rli_schema_table(const schema *s, const char *name)
{
    for (size_t i = 0; i < s->ntables; i++)
        if (strcasecmp(s->tables[i].name, name) == 0) return &s->tables[i];
    return NULL;
}

sch_column *rli_table_column(const sch_table *t, const char *name)
{
    for (size_t i = 0; i < t->ncols; i++)
        if (strcasecmp(t->cols[i].name, name) == 0) return &t->cols[i];
    return NULL;
}

sch_object *rli_schema_object(sch_object *arr, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(arr[i].name, name) == 0) return &arr[i];
    return NULL;
}

/* Whether table t has a key to a table of s not yet placed (placed[k] false), itself aside. */
static bool waits_for_parent(const schema *s, const sch_table *t, const bool *placed)
{
    for (size_t k = 0; k < t->nfks; k++)
        for (size_t j = 0; j < s->ntables; j++)
            if (!placed[j] && &s->tables[j] != t &&
                strcasecmp(s->tables[j].name, t->fks[k].parent) == 0)
                return true;
    return false;
}

void rli_schema_parents_first(schema *s)
{
    bool *placed = calloc(s->ntables + 1, sizeof *placed);
    sch_table *sorted = calloc(s->ntables + 1, sizeof *sorted);
    if (!placed || !sorted) {
        free(placed);
        free(sorted);
        return;
    }
    size_t n = 0;
    while (n < s->ntables) {
        size_t before = n;
        for (size_t i = 0; i < s->ntables; i++)
            if (!placed[i] && !waits_for_parent(s, &s->tables[i], placed)) {
                placed[i] = true;
                sorted[n++] = s->tables[i];
            }
        for (size_t i = 0; n == before && i < s->ntables; i++)
            if (!placed[i]) { /* a cycle: the first table left goes next */
                placed[i] = true;
                sorted[n++] = s->tables[i];
                break;
            }
    }
    memcpy(s->tables, sorted, s->ntables * sizeof *sorted);
    free(sorted);
    free(placed);
}

static void dump_objects(strbuf *b, const sch_object *o, size_t n)
{
    for (size_t i = 0; i < n; i++)
        rli_sb_printf(b, "%s;\n", o[i].sql);
}

char *rli_schema_sql(const schema *s)
{
    strbuf b;
    rli_sb_init(&b);
    for (size_t i = 0; i < s->ntables; i++)
        rli_sb_printf(&b, "%s;\n", s->tables[i].sql);
    dump_objects(&b, s->indexes, s->nindexes);
    dump_objects(&b, s->views, s->nviews);
    dump_objects(&b, s->triggers, s->ntriggers);
    return rli_sb_take(&b);
}

int rli_schema_read(rl_db *db, schema *s, const char *op)
{
    memset(s, 0, sizeof *s);
    return db->be->introspect(db->conn, s, op, &db->e);
}

int rl_schema_dump(rl_db *db, char **out)
{
    if (out) *out = NULL;
    if (!db || !out) return RL_EINVAL;
    rli_err_clear(db);
    schema s;
    int code = rli_schema_read(db, &s, "read schema");
    if (code == RL_OK) {
        *out = rli_schema_sql(&s);
        if (!*out) code = rli_err_set(db, RL_ENOMEM, "Out of memory.");
    }
    rli_schema_free(&s);
    return code;
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
rl_kind rli_kind_of_type(const char *type, bool iso)
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

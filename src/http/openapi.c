/*
 * GET {prefix}/ and {prefix}/openapi.json: an OpenAPI 3.1 document of the generic API, made
 * from the tables the server read at start: a path per table (and per row, for a table with
 * an integer key) with the operations the server allows, the filters of each column, the
 * relations select= can embed, a schema per table (columns, types, nullability, foreign keys
 * with their actions), and the error object with every status it comes with.
 */
#include "http_int.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* json_object_set_new that ignores a NULL value (out of memory: the document is incomplete,
 * and then refused by the caller). */
static void put(json_t *o, const char *key, json_t *v)
{
    if (o && v) json_object_set_new(o, key, v);
}

static json_t *ref(const char *where, const char *name)
{
    char r[400];
    snprintf(r, sizeof r, "#/components/%s/%s", where, name);
    return json_pack("{s:s}", "$ref", r);
}

/* A table's name as a component name ([A-Za-z0-9._-] only; others become '_'). */
static void component_name(const char *table, const char *suffix, char *out, size_t n)
{
    snprintf(out, n, "%s%s", table, suffix);
    for (char *c = out; *c; c++)
        if (!strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-", *c))
            *c = '_';
}

/* "/" and table's name as a path of the document: every byte but an unreserved one or a
 * sub-delimiter percent-encoded (a space is %20), as a client sends it. */
static void path_of(const char *table, char *out, size_t n)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t at = 0;
    if (n < 2) {
        if (n) out[0] = '\0';
        return;
    }
    out[at++] = '/';
    for (const unsigned char *c = (const unsigned char *)table; *c && at + 4 < n; c++) {
        if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
            strchr("-._~!$&'()*+,;=:@", *c)) {
            out[at++] = (char)*c;
        } else {
            out[at++] = '%';
            out[at++] = hex[*c >> 4];
            out[at++] = hex[*c & 15];
        }
    }
    out[at] = '\0'; /* at <= n - 2 */
}

/* The error statuses of a read (the only ones a read-only server's document has). */
static const char *const read_errors[] = {"400", "401", "404", "416", "503", NULL};

/* Whether status is one of read_errors. */
static bool read_error(const char *status)
{
    for (size_t i = 0; read_errors[i]; i++)
        if (strcmp(read_errors[i], status) == 0) return true;
    return false;
}

static const char *type_of(rl_kind kind)
{
    switch (kind) {
    case RL_KIND_INTEGER:
        return "integer";
    case RL_KIND_REAL:
    case RL_KIND_NUMERIC:
        return "number";
    case RL_KIND_BOOLEAN:
        return "boolean";
    case RL_KIND_ARRAY:
        return "array";
    default:
        return "string";
    }
}

static json_t *column_schema(const rl_field *f)
{
    json_t *s = json_object();
    if (f->kind == RL_KIND_JSON) /* any JSON value */
        put(s, "type",
            json_pack("[ssssss]", "object", "array", "string", "number", "boolean", "null"));
    else
        put(s, "type",
            f->nullable ? json_pack("[ss]", type_of(f->kind), "null")
                        : json_string(type_of(f->kind)));
    if (f->kind == RL_KIND_TIMESTAMP || f->kind == RL_KIND_DATE)
        put(s, "format", json_string(f->kind == RL_KIND_DATE ? "date" : "date-time"));
    if (f->kind == RL_KIND_NUMERIC)
        put(s, "description", json_string("An exact decimal: every digit is kept."));
    if (f->kind == RL_KIND_BLOB) put(s, "description", json_string("Bytes, written \\x and hex."));
    if (f->generated) put(s, "readOnly", json_true()); /* computed by the database */
    if (f->references) {
        const rl_model *p = f->references;
        const char *to = f->references_field ? f->references_field : rlh_pk_name(p);
        char d[600];
        snprintf(d, sizeof d, "Foreign key to %.200s.%.200s (ON DELETE %s, ON UPDATE %s).",
                 p->table, to, rl_action_name(f->on_delete), rl_action_name(f->on_update));
        put(s, "description", json_string(d));
        put(s, "x-references",
            json_pack("{s:s,s:s,s:s,s:s}", "table", p->table, "column", to, "on_delete",
                      rl_action_name(f->on_delete), "on_update", rl_action_name(f->on_update)));
    }
    return s;
}

/* The relations of m select= can embed, by name: a text for the select parameter. */
static void relations(const rl_models *ms, const rl_model *m, rlh_buf *b)
{
    rlh_adds(b, "Columns, and related rows: name(columns), nested, with alias:name and name!hint.");
    size_t n = 0;
    for (size_t i = 0; i < m->nfields; i++)
        if (m->fields[i].references)
            rlh_addf(b, "%s %.200s(...) or %.200s(...): the row in %.200s",
                     n++ ? ";" : " Here:", rlh_column_of(&m->fields[i]),
                     m->fields[i].references->table, m->fields[i].references->table);
    for (size_t k = 0; k < m->nkeys; k++)
        rlh_addf(b, "%s %.200s(...): the row in %.200s through a key of several columns",
                 n++ ? ";" : " Here:", m->keys[k].references->table, m->keys[k].references->table);
    for (size_t t = 0; t < rl_models_count(ms); t++) {
        const rl_model *c = rl_models_get(ms, t);
        for (size_t i = 0; i < c->nfields; i++)
            if (c->fields[i].references == m)
                rlh_addf(b, "%s %.200s!%.200s(...): the rows of %.200s referring to it",
                         n++ ? ";" : " Here:", c->table, rlh_column_of(&c->fields[i]), c->table);
        for (size_t k = 0; k < c->nkeys; k++)
            if (c->keys[k].references == m)
                rlh_addf(b,
                         "%s %.200s(...): the rows of %.200s referring to it by a key of "
                         "several columns",
                         n++ ? ";" : " Here:", c->table, c->table);
    }
    if (n) rlh_adds(b, ".");
}

static json_t *param(const char *name, const char *in, const char *description, json_t *schema)
{
    return json_pack("{s:s,s:s,s:s,s:o}", "name", name, "in", in, "description", description,
                     "schema", schema);
}

/* The query parameters of a read (every column a filter) or of a PATCH or DELETE. */
static json_t *filters(const rl_models *ms, const rl_model *m, bool read)
{
    json_t *ps = json_array();
    for (size_t i = 0; i <= m->nfields; i++) {
        const char *col =
            i == m->nfields ? (m->has_pk ? rlh_pk_name(m) : NULL) : rlh_column_of(&m->fields[i]);
        if (!col) continue;
        json_array_append_new(
            ps, param(col, "query",
                      "A filter: op.value with op eq, neq, gt, gte, lt, lte, like, ilike, in, is, "
                      "and not. before it to negate (price=gt.10, id=in.(1,2), note=is.null).",
                      json_pack("{s:s}", "type", "string")));
    }
    json_array_append_new(ps, ref("parameters", "or"));
    json_array_append_new(ps, ref("parameters", "and"));
    if (!read) return ps;
    rlh_buf b = {0};
    relations(ms, m, &b);
    json_array_append_new(
        ps, param("select", "query", b.oom ? "" : b.data, json_pack("{s:s}", "type", "string")));
    rlh_free(&b);
    const char *common[] = {"order", "limit", "offset", "Range", "Prefer_read"};
    for (size_t i = 0; i < sizeof common / sizeof common[0]; i++)
        json_array_append_new(ps, ref("parameters", common[i]));
    return ps;
}

/* The answers of an operation: its own (status, description, schema or NULL), then errors. */
static json_t *responses(const char *status, const char *description, json_t *schema,
                         const char *const *errors)
{
    json_t *rs = json_object(), *ok = json_pack("{s:s}", "description", description);
    if (schema) put(ok, "content", json_pack("{s:{s:o}}", "application/json", "schema", schema));
    put(rs, status, ok);
    for (size_t i = 0; errors[i]; i++)
        put(rs, errors[i], ref("responses", errors[i]));
    return rs;
}

static json_t *operation(const char *summary, const char *id, json_t *parameters, json_t *body,
                         json_t *answers)
{
    json_t *op = json_pack("{s:s,s:s,s:o,s:o}", "summary", summary, "operationId", id, "parameters",
                           parameters ? parameters : json_array(), "responses", answers);
    if (body)
        put(op, "requestBody",
            json_pack("{s:b,s:{s:{s:o}}}", "required", 1, "content", "application/json", "schema",
                      body));
    return op;
}

/* The paths of one table: /T, and /T/{pk} for a table with an integer key. */
static void table_paths(rl_request *r, const rl_model *m, json_t *paths)
{
    const rl_models *ms = rl_request_models(r);
    bool ro = rlh_read_only(r);
    unsigned can = ro ? 0 : rl_models_writable(ms, m); /* a view may take fewer writes */
    char row[300], insert[300], id[400], path[1000], summary[400];
    component_name(m->table, "", row, sizeof row);
    component_name(m->table, ".insert", insert, sizeof insert);
    static const char *const write_errors[] = {"400", "401", "403", "404", "405",
                                               "409", "413", "503", NULL};
    json_t *t = json_object(),
           *list = json_pack("{s:s,s:o}", "type", "array", "items", ref("schemas", row));
    snprintf(summary, sizeof summary, "%s of %.300s",
             rl_models_is_view(ms, m) ? "Rows of the view" : "Rows", m->table);
    snprintf(id, sizeof id, "list_%s", row);
    json_t *read = responses("200", "The rows.", json_deep_copy(list), read_errors);
    put(read, "206",
        json_pack("{s:s,s:{s:{s:O}}}", "description", "A part of the rows (Range).", "content",
                  "application/json", "schema", list));
    put(t, "get", operation(summary, id, filters(ms, m, true), NULL, read));
    if (can & RL_WRITE_INSERT) {
        snprintf(summary, sizeof summary, "Insert rows into %.300s", m->table);
        snprintf(id, sizeof id, "insert_%s", row);
        json_t *body = json_pack("{s:[o,{s:s,s:o}]}", "oneOf", ref("schemas", insert), "type",
                                 "array", "items", ref("schemas", insert));
        json_t *ps =
            json_pack("[o,o]", ref("parameters", "Prefer_write"), ref("parameters", "on_conflict"));
        put(t, "post",
            operation(summary, id, ps, body,
                      responses("201", "Inserted (the rows with return=representation).",
                                json_deep_copy(list), write_errors)));
    }
    if (can & RL_WRITE_UPDATE) {
        snprintf(summary, sizeof summary, "Change the rows of %.300s the filters match", m->table);
        snprintf(id, sizeof id, "update_%s", row);
        json_t *fs = filters(ms, m, false);
        json_array_append_new(fs, ref("parameters", "Prefer_write"));
        put(t, "patch",
            operation(summary, id, fs, ref("schemas", insert),
                      responses("200", "The rows changed (return=representation); 204 without.",
                                json_deep_copy(list), write_errors)));
    }
    if (can & RL_WRITE_DELETE) {
        snprintf(summary, sizeof summary, "Delete the rows of %.300s the filters match", m->table);
        snprintf(id, sizeof id, "delete_%s", row);
        json_t *fs = filters(ms, m, false);
        json_array_append_new(fs, ref("parameters", "Prefer_write"));
        put(t, "delete",
            operation(summary, id, fs, NULL,
                      responses("200", "The rows deleted (return=representation); 204 without.",
                                json_deep_copy(list), write_errors)));
    }
    path_of(m->table, path, sizeof path);
    put(paths, path, t);
    json_decref(list);
    if (!m->has_pk) return;
    json_t *one = json_object();
    put(one, "parameters",
        json_pack("[{s:s,s:s,s:b,s:s,s:{s:s}}]", "name", rlh_pk_name(m), "in", "path", "required",
                  1, "description", "The row's key.", "schema", "type", "integer"));
    snprintf(summary, sizeof summary, "One row of %.300s", m->table);
    snprintf(id, sizeof id, "get_%s", row);
    put(one, "get",
        operation(summary, id, json_pack("[o]", ref("parameters", "select")), NULL,
                  responses("200", "The row.", ref("schemas", row), read_errors)));
    if (!ro) {
        snprintf(summary, sizeof summary, "Change one row of %.300s", m->table);
        snprintf(id, sizeof id, "update_one_%s", row);
        put(one, "patch",
            operation(summary, id, json_pack("[o]", ref("parameters", "Prefer_write")),
                      ref("schemas", insert), responses("204", "Changed.", NULL, write_errors)));
        snprintf(summary, sizeof summary, "Delete one row of %.300s", m->table);
        snprintf(id, sizeof id, "delete_one_%s", row);
        put(one, "delete",
            operation(summary, id, json_pack("[o]", ref("parameters", "Prefer_write")), NULL,
                      responses("204", "Deleted.", NULL, write_errors)));
    }
    path_of(m->table, path, sizeof path - 300); /* room for the key's part */
    snprintf(path + strlen(path), 300, "/{%.250s}", rlh_pk_name(m));
    put(paths, path, one);
}

/* A table's schemas: a row as read (every NOT NULL column in it), and where it can be
 * written (writes), a row to insert (its required columns: NOT NULL without a default). */
static void table_schemas(const rl_model *m, bool writes, json_t *schemas)
{
    json_t *props = json_object(), *required = json_array(), *present = json_array();
    if (m->has_pk) {
        put(props, rlh_pk_name(m), json_pack("{s:s}", "type", "integer"));
        json_array_append_new(present, json_string(rlh_pk_name(m)));
    }
    for (size_t i = 0; i < m->nfields; i++) {
        const rl_field *f = &m->fields[i];
        put(props, rlh_column_of(f), column_schema(f));
        if (!f->nullable) json_array_append_new(present, json_string(rlh_column_of(f)));
        if (!f->nullable && !f->default_sql && !f->generated)
            json_array_append_new(required, json_string(rlh_column_of(f)));
    }
    char name[300];
    component_name(m->table, "", name, sizeof name);
    put(schemas, name,
        json_pack("{s:s,s:s,s:O,s:o}", "type", "object", "description", m->table, "properties",
                  props, "required", present));
    if (!writes) {
        json_decref(required);
        json_decref(props);
        return;
    }
    component_name(m->table, ".insert", name, sizeof name);
    put(schemas, name,
        json_pack("{s:s,s:s,s:o,s:o}", "type", "object", "description",
                  "A row to insert; arrays under the names of tables whose keys refer to it "
                  "insert those rows with it.",
                  "properties", props, "required", required));
}

static json_t *components(rl_request *r)
{
    /* PostgREST's four members; reflite's code and sentence; a broken key's account */
    json_t *key = json_pack(
        "{s:s,s:[s,s,s,s,s],s:{s:{s:s},s:{s:s},s:{s:[s,s,s,s,s]},s:{s:s},s:{s:s},s:{s:s},s:{s:s,"
        "s:[s,s,s,s,s]}}}",
        "type", "object", "required", "table", "column", "value", "parent_table", "parent_column",
        "properties", "table", "type", "string", "column", "type", "string", "value", "type",
        "string", "number", "array", "boolean", "null", "parent_table", "type", "string",
        "parent_column", "type", "string", "referencing", "type", "integer", "action", "type",
        "string", "enum", "NO ACTION", "RESTRICT", "CASCADE", "SET NULL", "SET DEFAULT");
    json_t *error = json_pack(
        "{s:s,s:[s,s],s:{s:{s:s},s:{s:s},s:{s:[s,s]},s:{s:[s,s]},s:{s:s,s:[s,s],s:{s:{s:s},s:{s:"
        "s}}},s:o,s:{s:s},s:{s:s},s:{s:s}}}",
        "type", "object", "required", "code", "message", "properties", "code", "type", "string",
        "message", "type", "string", "details", "type", "string", "null", "hint", "type", "string",
        "null", "reflite", "type", "object", "required", "code", "message", "properties", "code",
        "type", "string", "message", "type", "string", "key", key, "item", "type", "integer",
        "column", "type", "string", "value", "type", "string");
    json_t *schemas = json_pack("{s:o}", "Error", error);
    const rl_models *ms = rl_request_models(r);
    for (size_t i = 0; i < rl_models_count(ms); i++) {
        const rl_model *m = rl_models_get(ms, i);
        unsigned can = rlh_read_only(r) ? 0 : rl_models_writable(ms, m);
        table_schemas(m, can & (RL_WRITE_INSERT | RL_WRITE_UPDATE), schemas);
    }
    static const struct {
        const char *status, *text;
    } errs[] = {
        {"400", "A bad filter, column, value or body; NOT NULL or CHECK broken."},
        {"401", "No token, or a wrong one."},
        {"403", "A read token writing."},
        {"404", "No such table or row."},
        {"405", "The method is not allowed here (read-only server)."},
        {"409", "A foreign key or a unique value broken: key names the key and the value."},
        {"413", "The body is too large."},
        {"416", "The range is not satisfiable."},
        {"503", "The database is busy or cannot be reached (Retry-After), or the request ran past "
                "the server's time limit."},
    };
    json_t *resp = json_object();
    bool ro = rlh_read_only(r); /* the writes' answers and parameters are nowhere */
    for (size_t i = 0; i < sizeof errs / sizeof errs[0]; i++)
        if (!ro || read_error(errs[i].status))
            put(resp, errs[i].status,
                json_pack("{s:s,s:{s:{s:o}}}", "description", errs[i].text, "content",
                          "application/json", "schema", ref("schemas", "Error")));
    json_t *str = json_pack("{s:s}", "type", "string");
    json_t *params = json_pack(
        "{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o}", "select",
        param("select", "query", "Columns and related rows: a,b,rel(c,d).", json_deep_copy(str)),
        "order",
        param("order", "query",
              "col, col.asc or col.desc, then .nullsfirst or .nullslast if asked; comma-separated "
              "(default: the key).",
              json_deep_copy(str)),
        "limit",
        param("limit", "query", "At most this many rows (and never more than the server's cap).",
              json_pack("{s:s,s:i}", "type", "integer", "minimum", 0)),
        "offset",
        param("offset", "query", "Skip this many rows.",
              json_pack("{s:s,s:i}", "type", "integer", "minimum", 0)),
        "or",
        param("or", "query", "Conditions joined with OR: (c1,c2,and(c3,c4)).", json_deep_copy(str)),
        "and", param("and", "query", "Conditions joined with AND.", json_deep_copy(str)),
        "on_conflict",
        param("on_conflict", "query", "The unique columns of an upsert.", json_deep_copy(str)),
        "Range", param("Range", "header", "Rows first-last (0-24).", json_deep_copy(str)),
        "Prefer_read",
        param("Prefer", "header", "count=exact: the total in Content-Range.", json_deep_copy(str)),
        "Prefer_write",
        param("Prefer", "header",
              "return=representation or return=minimal; resolution=merge-duplicates (upsert); "
              "unfiltered=allow (a PATCH or DELETE of every row).",
              json_deep_copy(str)));
    json_decref(str);
    if (ro) {
        json_object_del(params, "Prefer_write");
        json_object_del(params, "on_conflict");
    }
    json_t *c =
        json_pack("{s:o,s:o,s:o}", "schemas", schemas, "responses", resp, "parameters", params);
    if (c && rlh_has_tokens(r))
        put(c, "securitySchemes",
            json_pack("{s:{s:s,s:s}}", "bearer", "type", "http", "scheme", "bearer"));
    return c;
}

int rlh_openapi(rl_request *r, const char *prefix, size_t prefix_len)
{
    json_t *paths = json_object();
    const rl_models *ms = rl_request_models(r);
    for (size_t i = 0; i < rl_models_count(ms); i++)
        table_paths(r, rl_models_get(ms, i), paths);
    char server[300];
    snprintf(server, sizeof server, "%.*s", (int)(prefix_len < 290 ? prefix_len : 290), prefix);
    json_t *doc = json_pack(
        "{s:s,s:{s:s,s:s,s:s},s:[{s:s}],s:o,s:o}", "openapi", "3.1.0", "info", "title",
        "reflite REST API", "version", rl_version(), "description",
        "The tables of a database as JSON, with foreign keys that hold: a broken key is a 409 "
        "that names it.",
        "servers", "url", server[0] ? server : "/", "paths", paths, "components", components(r));
    /* every operation under the server's one rule: the bearer token, or none (an empty list:
     * no credentials asked) */
    if (doc)
        put(doc, "security", rlh_has_tokens(r) ? json_pack("[{s:[]}]", "bearer") : json_array());
    char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
    int rc = text ? rl_respond(r, 200, NULL, text, strlen(text))
                  : rl_respond_error(r, 500, "RL_ENOMEM", "Out of memory.", NULL, NULL);
    free(text);
    json_decref(doc);
    return rc;
}

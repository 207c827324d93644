/*
 * The generic API: a table of the database at /{table}, one row at /{table}/{pk}.
 *
 *   GET     rows matching the filters (get.c, through parse, plan, execute and render)
 *   POST    one object or an array, in one transaction (all or nothing; the failing item's
 *           index in the error); an upsert with "Prefer: resolution=merge-duplicates"
 *   PATCH   the rows matching the filters (or the one pk) set to the body's values (write.c)
 *   DELETE  the rows matching the filters (or the one pk) (write.c)
 *
 * An unfiltered PATCH or DELETE is refused unless "Prefer: unfiltered=allow" says so.
 * "Prefer: return=representation" answers writes with the rows as they are after them, as
 * select= shows them.
 */
#include "answer.h"
#include "http_int.h"
#include "page.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- writing ------------------------------------------------------------------------------ */

/* A JSON value as a value for a field of kind kind (text copied: the row owns it). */
static bool value_of(json_t *j, rl_kind kind, rl_value *out)
{
    const char *num = rlh_json_marked(j);
    if ((kind == RL_KIND_JSON || kind == RL_KIND_ARRAY) && !json_is_null(j) && !num) {
        char *s = rlh_json_text(j); /* the document itself, numbers as sent */
        *out = rl_text(s);
        return s != NULL;
    }
    if (num) return rlh_json_number_value(num, kind, out);
    switch (json_typeof(j)) {
    case JSON_NULL:
        *out = rl_null();
        return true;
    case JSON_TRUE:
    case JSON_FALSE:
        *out = rl_int(json_is_true(j));
        return true;
    case JSON_INTEGER:
        *out = kind == RL_KIND_REAL ? rl_real((double)json_integer_value(j))
                                    : rl_int(json_integer_value(j));
        return true;
    case JSON_REAL:
        *out = rl_real(json_real_value(j));
        return true;
    case JSON_STRING: {
        /* a boolean as PostgreSQL's input reads one ('true', 'f', 'yes', 'on', '1'...): what a
         * form or CSV body, which has no JSON true, gives */
        int truth = kind == RL_KIND_BOOLEAN ? rlh_truth_of(json_string_value(j)) : -1;
        if (truth >= 0) {
            *out = rl_int(truth);
            return true;
        }
        char *s = strndup(json_string_value(j), json_string_length(j));
        if (!s) return false;
        *out = rl_text(s);
        return true;
    }
    default:
        return false;
    }
}

/* Fill row (of m) from object o; -1 with f for a bad key or value.  With nested, an array
 * under a name that is not a column is left for insert_tree. */
int rlh_row_from(rl_request *r, rlh_fault *f, const rl_model *m, json_t *o, void *row,
                 const char *where, bool nested)
{
    const char *key;
    json_t *val;
    rl_value *v = rl_row_values(m, row);
    json_object_foreach(o, key, val)
    {
        const rl_field *c = rlh_field(m, key);
        char msg[400];
        if (!c && m->has_pk && strcmp(key, rlh_pk_name(m)) == 0) {
            rl_value text_key; /* a CSV or form body's key is text */
            bool text = json_is_string(val) &&
                        rlh_parse_value(json_string_value(val), -1, &text_key) &&
                        text_key.type == RL_V_INT;
            if (!json_is_integer(val) && !text) {
                snprintf(msg, sizeof msg, "%.150s of %.150s is an integer.", key, m->table);
                return rlh_fail_at(f, "RL_EINVAL", where, msg);
            }
            int64_t pk = text ? text_key.u.i : json_integer_value(val);
            memcpy((char *)row + m->pk_offset, &pk, sizeof pk);
            continue;
        }
        if (!c && nested && json_is_array(val)) continue;
        if (!c) { /* PostgREST's PGRST204, with reflite's sentence saying where */
            char said[400], sentence[800];
            snprintf(said, sizeof said,
                     "Could not find the '%.150s' column of '%.150s' in the schema cache", key,
                     m->table);
            snprintf(sentence, sizeof sentence, "%s%sThe table %.150s has no column %.150s.", where,
                     *where ? ": " : "", m->table, key);
            const rlh_perror e = {400, "PGRST204", said, NULL, NULL, sentence, "RL_EFIELD", NULL};
            rlh_unknown_name(r); /* a name perhaps new since the tables were read */
            return rlh_fail(f, &e);
        }
        if (c->generated) { /* PostgreSQL's 428C9, whatever the engine */
            bool update = strcmp(rl_request_method(r), "PATCH") == 0;
            char said[300], details[300], sentence[700];
            snprintf(said, sizeof said,
                     update ? "column \"%.150s\" can only be updated to DEFAULT"
                            : "cannot insert a non-DEFAULT value into column \"%.150s\"",
                     key);
            snprintf(details, sizeof details, "Column \"%.150s\" is a generated column.", key);
            snprintf(sentence, sizeof sentence,
                     "%s%s%.150s of %.150s is generated by the database: leave it out.", where,
                     *where ? ": " : "", key, m->table);
            const rlh_perror e = {400, "428C9", said, details, NULL, sentence, "RL_EINVAL", NULL};
            return rlh_fail(f, &e);
        }
        if (!value_of(val, c->kind, &v[c - m->fields])) {
            snprintf(msg, sizeof msg, "%.150s takes a number, a string, true, false or null.", key);
            return rlh_fail_at(f, "RL_EINVAL", where, msg);
        }
    }
    return 0;
}

/* The body as JSON, or NULL with f: 400 saying where it went wrong, or out of memory. */
json_t *rlh_body_json(rl_request *r, rlh_fault *f)
{
    size_t len;
    const char *body = rl_request_body(r, &len);
    const char *type = rl_request_header(r, "Content-Type"), *why = NULL;
    bool csv = rlh_media_is(type, "text/csv");
    if (csv || rlh_media_is(type, "application/x-www-form-urlencoded")) {
        json_t *j = csv ? rlh_csv_body(body ? body : "", len, &why)
                        : rlh_form_body(body ? body : "", len, &why);
        if (!j && !why) rlh_fail_oom(f);
        if (!j && why) {
            const rlh_perror e = {400, "PGRST102", why, NULL, NULL, why, "RL_EINVAL", NULL};
            rlh_fail(f, &e);
        }
        return j;
    }
    json_error_t err;
    size_t mlen = 0;
    bool oom;
    char *marked = rlh_json_mark_numbers(body, len, &mlen, &oom); /* numbers kept exact */
    json_t *j =
        marked ? json_loadb(marked, mlen, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &err) : NULL;
    free(marked);
    if (oom) {
        rlh_fail_oom(f);
        return NULL;
    }
    if (!j) j = json_loadb(body, len, JSON_REJECT_DUPLICATES, &err);
    if (!j) {
        char msg[400];
        snprintf(msg, sizeof msg, "The body is not valid JSON: %s at line %d, column %d (byte %d).",
                 err.text, err.line, err.column, err.position);
        const rlh_perror e = {400,        "PGRST102", "Empty or invalid json", NULL, NULL, msg,
                              "RL_EJSON", NULL};
        rlh_fail(f, &e);
    }
    return j;
}

size_t rlh_sets_of(const rl_model *m, json_t *o, void *row, rl_set *sets)
{
    size_t n = 0;
    const rl_value *v = rl_row_values(m, row);
    const char *key;
    json_t *val;
    json_object_foreach(o, key, val)
    {
        const rl_field *f = rlh_field(m, key);
        if (f)
            sets[n++] = (rl_set){f->name, v[f - m->fields]};
        else if (m->has_pk && strcmp(key, rlh_pk_name(m)) == 0 && n <= RL_MAX_FIELDS)
            sets[n++] = (rl_set){rlh_pk_name(m), rl_int(rlh_row_pk(m, row))};
    }
    return n;
}

/* Prefer: missing=default on a PATCH: each column columns= names that the body leaves out
 * set to its default, after the n sets of the body (sets holds RL_MAX_FIELDS + 1); the sets
 * now. */
static size_t missing_defaults(const rl_model *m, const rlh_req *req, rl_set *sets, size_t n)
{
    for (size_t c = 0; c < req->ncolumns && n <= RL_MAX_FIELDS; c++) {
        const rl_field *f = rlh_field(m, req->columns[c]);
        const char *name = f ? f->name
                           : m->has_pk && strcmp(req->columns[c], rlh_pk_name(m)) == 0
                               ? rlh_pk_name(m)
                               : NULL;
        bool set = !name;
        for (size_t i = 0; !set && i < n; i++)
            set = strcmp(sets[i].field, name) == 0;
        if (!set) sets[n++] = (rl_set){name, rl_default()};
    }
    return n;
}

/* PATCH and DELETE: the body's values (PATCH), then the rows of the filters (or the one pk)
 * changed or deleted (write.c). */
/* The body of a PATCH (none for a DELETE) as an object, PostgREST's rules applied (the
 * request planned into *req, *p for columns=); NULL with f, or with *bad after the plan's
 * error was answered. */
static json_t *change_body(rl_request *r, rlh_fault *f, const rl_model *m, const char *id,
                           rlh_req **req, rlh_plan **p, bool *bad)
{
    json_t *j = rlh_body_json(r, f);
    if (j && json_is_array(j)) { /* PostgREST's: an array's first object, [] nothing */
        json_t *first = json_array_size(j) ? json_incref(json_array_get(j, 0)) : json_object();
        json_decref(j);
        if (!(j = first)) rlh_fail_oom(f);
    }
    if (j && !json_is_object(j)) {
        json_decref(j);
        rlh_fail_own(f, 400, "RL_EINVAL",
                     "A PATCH body is an object (or an array whose first item is one).", NULL);
        return NULL;
    }
    if (j && rl_request_query(r, "columns")) { /* the keys columns= names, and no other */
        *p = rlh_request_planned(r, m, id, false, req);
        *bad = !*p;
        if (!*p || rlh_columns_taken(f, m, *req, &j)) {
            json_decref(j);
            return NULL;
        }
    }
    return j;
}

static int change(rl_request *r, const rl_model *m, const char *id, bool del)
{
    rlh_fault f;
    rlh_fault_none(&f);
    rlh_req *req = NULL;
    rlh_plan *p = NULL; /* planned here for columns=, and passed on */
    bool bad = false;
    json_t *j = del ? NULL : change_body(r, &f, m, id, &req, &p, &bad);
    rl_set sets[RL_MAX_FIELDS + 1];
    size_t nsets = 0;
    void *row = del || j ? calloc(1, m->size) : NULL;
    int rc = 0;
    if (!row && !f.e.code && !bad) rlh_fail_oom(&f);
    if (!row || (j && rlh_row_from(r, &f, m, j, row, "", false) < 0)) {
        rlh_plan_free(p);
        rlh_req_free(req);
        if (f.e.code) rc = rlh_answer_fault(r, &f);
    } else {
        if (j) nsets = rlh_sets_of(m, j, row, sets);
        if (j && req && req->prefer.missing == RLH_MISSING_DEFAULT)
            nsets = missing_defaults(m, req, sets, nsets);
        rc = rlh_write_change(r, m, id, sets, nsets, del, req, p);
    }
    if (row) rl_row_free(m, row);
    free(row);
    json_decref(j);
    return rc < 0 ? 0 : rc;
}

/* ---- the entry ---------------------------------------------------------------------------- */

/* Whether the request says its body is JSON: application/json or application/...+json, with
 * parameters or not.  A web page of another site can send a text/plain POST without asking
 * first (no CORS preflight); it cannot send these. */
static bool json_body(rl_request *r)
{
    const char *t = rl_request_header(r, "Content-Type");
    if (!t) return false;
    t += strspn(t, " \t");
    size_t n = strcspn(t, ";");
    while (n && (t[n - 1] == ' ' || t[n - 1] == '\t'))
        n--;
    if (n < 12 || strncasecmp(t, "application/", 12) != 0) return false;
    return (n == 16 && strncasecmp(t + 12, "json", 4) == 0) ||
           (n > 17 && strncasecmp(t + n - 5, "+json", 5) == 0);
}

/* Whether the request's body is of a type a write of method takes: JSON; CSV for a POST; a
 * form (application/x-www-form-urlencoded) for a POST or PATCH, unless the browser sending it
 * says a page of another site does (Sec-Fetch-Site: cross-site; the door has checked Origin
 * already): a form is what a page can send without asking first. */
static bool body_taken(rl_request *r, const char *method)
{
    const char *type = rl_request_header(r, "Content-Type");
    bool post = strcmp(method, "POST") == 0;
    if (json_body(r) || (post && rlh_media_is(type, "text/csv"))) return true;
    if (!rlh_media_is(type, "application/x-www-form-urlencoded")) return false;
    const char *site = rl_request_header(r, "Sec-Fetch-Site");
    return (post || strcmp(method, "PATCH") == 0) && !(site && strcasecmp(site, "cross-site") == 0);
}

/* Answer r with an error reflite names alone (PostgREST has no code for it). */
static int own_error(rl_request *r, int status, const char *code, const char *message,
                     const char *hint)
{
    const rlh_perror e = {status, code, message, NULL, hint, message, code, NULL};
    return rlh_answer_error(r, &e);
}

/* 405 for a write the database cannot carry out through view m, naming it and what it takes. */
static int view_refused(rl_request *r, const rl_model *m, const char *method)
{
    unsigned can = rl_models_writable(rl_request_models(r), m);
    char allow[80], msg[500];
    snprintf(allow, sizeof allow, "GET, HEAD%s%s%s, OPTIONS", can & RL_WRITE_INSERT ? ", POST" : "",
             can & RL_WRITE_UPDATE ? ", PATCH" : "", can & RL_WRITE_DELETE ? ", DELETE" : "");
    snprintf(msg, sizeof msg,
             "%s is not allowed here: %.300s is a view, and the database cannot %s through it.",
             method, m->table,
             *method == 'D'                       ? "delete rows"
             : *method == 'P' && method[1] == 'O' ? "insert rows"
                                                  : "change rows");
    const rlh_perror e = {405,
                          "RL_EMETHOD",
                          msg,
                          NULL,
                          can ? NULL : "Read it with GET, or write the tables it shows.",
                          msg,
                          NULL,
                          allow};
    return rlh_answer_error(r, &e);
}

/* The generic API for path (without its leading "/"); base: the API's root for pages. */
static int rest(rl_request *r, const char *path, const char *prefix, size_t prefix_len,
                const char *base)
{
    const char *method = rl_request_method(r);
    bool read = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    if (read && r->page && !*path) return rlh_page_home(r, base);
    if (read && (!*path || !strcmp(path, "openapi.json")))
        return rlh_openapi(r, prefix, prefix_len);
    char table[256];
    size_t tlen = strcspn(path, "/");
    if (tlen == 0 || tlen >= sizeof table)
        return own_error(r, 404, "RL_ENOTFOUND", "Name a table: /{table}.", NULL);
    memcpy(table, path, tlen);
    table[tlen] = '\0';
    const char *id = path[tlen] ? path + tlen + 1 : NULL;
    if (id && (!*id || strchr(id, '/'))) {
        const rlh_perror e = {404,
                              "PGRST125",
                              "Invalid path specified in request URL",
                              NULL,
                              NULL,
                              "No such resource: a path is /{table} or /{table}/{key}.",
                              "RL_ENOTFOUND",
                              NULL};
        return rlh_answer_error(r, &e);
    }
    const rl_model *m = rl_models_find(rl_request_models(r), table);
    if (!m) {
        char msg[350], sentence[350];
        snprintf(msg, sizeof msg, "Could not find the table '%.100s.%.250s' in the schema cache",
                 rlh_schema_name(r), table);
        snprintf(sentence, sizeof sentence, "There is no table or view named %.250s.", table);
        rlh_unknown_name(r);
        const rlh_perror e = {404, "PGRST205", msg, NULL, NULL, sentence, "RL_ENOTFOUND", NULL};
        return rlh_answer_error(r, &e);
    }
    if (r->page && !read) return rlh_page_write(r, base, m, id); /* a page's form */
    bool put = strcmp(method, "PUT") == 0;
    bool known = read || put || strcmp(method, "POST") == 0 || strcmp(method, "PATCH") == 0 ||
                 strcmp(method, "DELETE") == 0;
    if (!known || (!read && rlh_read_only(r)) || (id && (put || strcmp(method, "POST") == 0))) {
        char msg[200];
        snprintf(msg, sizeof msg, "%s is not allowed here%s.", method,
                 rlh_read_only(r) && known ? ": the server is read-only" : "");
        const rlh_perror e = {405,
                              "RL_EMETHOD",
                              msg,
                              NULL,
                              NULL,
                              msg,
                              NULL,
                              rlh_read_only(r) ? "GET, HEAD, OPTIONS"
                              : id             ? "GET, HEAD, PATCH, DELETE, OPTIONS"
                                               : "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"};
        return rlh_answer_error(r, &e);
    }
    if (read) return r->page ? rlh_page_rows(r, base, m, id) : rlh_get(r, m, id);
    bool del = strcmp(method, "DELETE") == 0;
    unsigned need = del                                  ? RL_WRITE_DELETE
                    : put                                ? RL_WRITE_INSERT | RL_WRITE_UPDATE
                    : *method == 'P' && method[1] == 'O' ? RL_WRITE_INSERT
                                                         : RL_WRITE_UPDATE;
    if ((rl_models_writable(rl_request_models(r), m) & need) != need)
        return view_refused(r, m, method);
    if (!del && !body_taken(r, method))
        return own_error(r, 415, "RL_EMEDIA",
                         "A body is written in JSON, with the header Content-Type: "
                         "application/json (a POST also in text/csv, a POST or PATCH also as a "
                         "form, application/x-www-form-urlencoded).",
                         NULL);
    if (strcmp(method, "POST") == 0) return rlh_post(r, m);
    if (put) return rlh_put(r, m);
    return change(r, m, id, del);
}

int rlh_rest(rl_request *r, const char *path)
{
    const char *prefix = rl_request_path(r);
    size_t prefix_len = strlen(prefix) - strlen(path);
    path += strspn(path, "/");
    /* a copy of the path (page requests decode it) and the API's root, on the stack when short */
    char own_buf[512], base_buf[256];
    size_t plen = strlen(path);
    char *own = plen < sizeof own_buf ? memcpy(own_buf, path, plen + 1) : strdup(path);
    char *base = prefix_len + 2 <= sizeof base_buf ? base_buf : malloc(prefix_len + 2);
    int rc;
    if (!own || !base) {
        rc = own_error(r, 500, "RL_ENOMEM", "Out of memory.", NULL);
    } else if (rlh_page_negotiate(r, own)) { /* the pages' stylesheet or script */
        rc = 0;
    } else {
        memcpy(base, prefix, prefix_len); /* the root for the pages' links: "/", "/api/" */
        base[prefix_len] = '\0';
        if (!prefix_len || base[prefix_len - 1] != '/') strcat(base, "/");
        r->page_base = base;
        rc = rest(r, r->page ? own : path, prefix, prefix_len, base);
        r->page_base = NULL;
    }
    if (own != own_buf) free(own);
    if (base != base_buf) free(base);
    return rc;
}

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

/* ---- errors ------------------------------------------------------------------------------- */

int rlh_status_of(int code)
{
    switch (code) {
    case RL_EFOREIGNKEY:
    case RL_EUNIQUE:
    case RL_ECONSTRAINT:
    case RL_ESCHEMA: /* the database changed under the request */
        return 409;
    case RL_ETYPE:
    case RL_ENOTNULL:
    case RL_ECHECK:
    case RL_EFIELD:
    case RL_EINVAL:
    case RL_EAMBIGUOUS:
        return 400;
    case RL_ENOTFOUND:
        return 404;
    case RL_EBUSY:
    case RL_EINTERRUPTED:
    case RL_EDISCONNECTED:
    case RL_EINDOUBT:
        return 503;
    default:
        return 500;
    }
}

/* Whether j (a member of a body's object) holds value (within it, when part), or is text
 * longer than longer (>= 0). */
static bool holds(json_t *j, const char *value, bool part, long longer)
{
    char number[40];
    if (json_is_integer(j) && longer < 0) { /* 99999999999 for an INTEGER */
        snprintf(number, sizeof number, "%" JSON_INTEGER_FORMAT, json_integer_value(j));
        return strcmp(number, value) == 0;
    }
    if (!json_is_string(j)) return false;
    if (longer >= 0) return json_string_length(j) > (size_t)longer;
    return part ? strstr(json_string_value(j), value) != NULL
                : strcmp(json_string_value(j), value) == 0;
}

/* Whether the filter text v (op.value, not.op.value) compares with value. */
static bool filters_with(const char *v, const char *value, bool part)
{
    const char *dot = strchr(v, '.');
    if (dot && strncmp(v, "not.", 4) == 0) dot = strchr(dot + 1, '.');
    if (!dot) return false;
    return part ? strstr(dot + 1, value) != NULL : strcmp(dot + 1, value) == 0;
}

/* For a value the engine refused without naming its column (PostgreSQL's input functions):
 * the column the request gave it for, in a filter or in the body, into col (else "").  The
 * value is the one the engine quotes, else text its detail quotes (a token within it), else,
 * for a text too long for VARCHAR(n), any longer. */
static void type_column(rl_request *r, const rl_error *e, char *col, size_t n)
{
    col[0] = '\0';
    char quoted[200] = "";
    const char *q = strchr(e->message, '"'), *qe = q ? strchr(q + 1, '"') : NULL;
    if (!*e->value && qe && qe - q - 1 < (ptrdiff_t)sizeof quoted)
        snprintf(quoted, sizeof quoted, "%.*s", (int)(qe - q - 1), q + 1);
    const char *value = *e->value ? e->value : quoted;
    bool part = !*e->value;
    const char *len = strstr(e->message, "character varying(");
    long longer = !*value && len ? strtol(len + 18, NULL, 10) : -1;
    if (!*value && longer < 0) return;
    for (size_t i = 0; longer < 0 && i < r->nargs; i++)
        if (filters_with(r->args[i].value, value, part)) {
            snprintf(col, n, "%s", r->args[i].key);
            return;
        }
    size_t blen;
    const char *body = rl_request_body(r, &blen);
    json_t *j = json_loadb(body, blen, 0, NULL);
    for (size_t i = 0; j && !col[0] && i < (json_is_array(j) ? json_array_size(j) : 1); i++) {
        json_t *o = json_is_array(j) ? json_array_get(j, i) : j, *val;
        const char *key;
        json_object_foreach(o, key, val)
        {
            if (holds(val, value, part, longer)) {
                snprintf(col, n, "%s", key);
                break;
            }
        }
    }
    json_decref(j);
}

/* The message of e for a client over HTTP: the advice to C callers left out (the server rolls
 * back itself), and the column named when the engine did not (col). */
static char *http_message(const rl_error *e, const char *where, const char *col)
{
    const char *cut = strstr(e->message, " The transaction is aborted");
    size_t n = cut ? (size_t)(cut - e->message) : strlen(e->message);
    char *m = malloc(strlen(where) + n + strlen(col) + 40);
    if (!m) return NULL;
    int at = sprintf(m, "%s%s%.*s", where, *where ? ": " : "", (int)n, e->message);
    if (*col) {
        if (at > 0 && m[at - 1] == '.') at--;
        sprintf(m + at, " (the column %s).", col);
    }
    return m;
}

/* A key's value (rl_fk_detail.value: SQL literals) as JSON: the value, null for NULL, or for a
 * key of several columns the array of their values. */
static void key_values(rlh_buf *b, const char *literals)
{
    char *v[RL_MAX_KEY_FIELDS];
    size_t n = rl_key_values(literals, v, RL_MAX_KEY_FIELDS);
    if (literals[0] == '(') rlh_add(b, "[", 1);
    for (size_t i = 0; i < n; i++) {
        if (i) rlh_add(b, ",", 1);
        if (v[i])
            rlh_json_str(b, v[i], strlen(v[i]));
        else
            rlh_adds(b, "null");
        free(v[i]);
    }
    if (literals[0] == '(')
        rlh_add(b, "]", 1);
    else if (!n)
        rlh_adds(b, "null");
}

/* The SQLSTATE PostgreSQL (and so PostgREST) gives an error of reflite's code, or NULL. */
static const char *sqlstate_of(int code)
{
    switch (code) {
    case RL_EFOREIGNKEY:
        return "23503";
    case RL_EUNIQUE:
        return "23505";
    case RL_ENOTNULL:
        return "23502";
    case RL_ECHECK:
        return "23514";
    case RL_ETYPE:
        return "22P02";
    default:
        return NULL;
    }
}

static int db_error(rl_request *r, rl_db *db, long item, const char *where, const rlh_words *pg);

int rlh_db_error(rl_request *r, rl_db *db, long item, const char *where)
{
    return rlh_db_error_of_row(r, db, item, where, NULL, NULL);
}

int rlh_db_error_of_row(rl_request *r, rl_db *db, long item, const char *where, const rl_model *m,
                        const void *row)
{
    rlh_words pg;
    bool words = rlh_pg_words(rl_request_models(r), rl_last_error(db), m, row, &pg);
    return db_error(r, db, item, where, words ? &pg : NULL);
}

/* The answer to db's last error (pg: PostgreSQL's words for it, where the engine has none). */
static int db_error(rl_request *r, rl_db *db, long item, const char *where, const rlh_words *pg)
{
    const rl_error *e = rl_last_error(db);
    const rl_fk_detail *k = &e->fk;
    if (e->code == RL_EINTERRUPTED && rlh_pool_stopped(r->slot)) {
        char msg[200];
        snprintf(msg, sizeof msg,
                 "The request ran past the server's limit of %u ms and was stopped.",
                 rlh_statement_timeout(r));
        return rl_respond_error(r, 503, "RL_EINTERRUPTED", msg, e->message,
                                "Ask for less: narrower filters, fewer rows or relations.");
    }
    if (e->code == RL_EDISCONNECTED) { /* the connection comes back by itself at a next request */
        rl_response_header(r, "Retry-After", "1");
        return rl_respond_error(r, 503, "RL_EDISCONNECTED",
                                "The database server cannot be reached at the moment.", e->message,
                                "Try again in a moment: the server connects again by itself.");
    }
    if (e->code == RL_EINDOUBT) /* no Retry-After: running it again may write it twice */
        return rl_respond_error(r, 503, "RL_EINDOUBT",
                                "The connection to the database server was lost while this write "
                                "was being committed: whether it took effect is unknown.",
                                e->message,
                                "Read the rows it would change before sending it again.");
    if (e->code == RL_ESCHEMA) rlh_unknown_name(r);
    bool fk = e->code == RL_EFOREIGNKEY;
    where = where ? where : "";
    char col[200] = "", details[600];
    if (e->code == RL_ETYPE && !*e->column) type_column(r, e, col, sizeof col);
    char *message = http_message(e, where, col);
    snprintf(details, sizeof details, "%.100s(%.100s) = %.100s refers to %.100s(%.100s)",
             k->child_table, k->child_column, k->value, k->parent_table, k->parent_column);
    const char *hint =
        !fk              ? (e->code == RL_EUNIQUE ? "A row with this value exists already." : NULL)
        : k->parent_side ? "Delete or change the referencing rows first, or declare the key "
                           "ON DELETE CASCADE or SET NULL."
                         : "Use a key that exists in the parent table, or create that row "
                           "first.";
    rlh_buf b = {0};
    const char *sentence = message ? message : e->message, *sqlstate = sqlstate_of(e->code);
    /* on PostgreSQL, its server's code, message, details and hint, as PostgREST passes them
     * on; but a value refused keeps reflite's sentence, which names the column and the value */
    bool server = *e->sqlstate, words = server && e->code != RL_ETYPE;
    rlh_error_open(&b,
                   server     ? e->sqlstate
                   : sqlstate ? sqlstate
                              : rl_code_name(e->code),
                   pg      ? pg->message
                   : words ? e->engine_message
                           : sentence,
                   pg       ? (*pg->details ? pg->details : NULL)
                   : server ? (*e->engine_detail ? e->engine_detail : NULL)
                   : fk     ? details
                            : NULL,
                   pg       ? NULL
                   : server ? (*e->engine_hint ? e->engine_hint : NULL)
                            : hint);
    sqlstate = *e->sqlstate ? e->sqlstate : sqlstate;
    if (sqlstate) { /* PostgREST's code above, reflite's own beside it */
        rlh_adds(&b, ",\"reflite\":{");
        rlh_json_member(&b, "code", rl_code_name(e->code));
        rlh_add(&b, ",", 1);
        rlh_json_member(&b, "message", sentence);
        rlh_adds(&b, "}");
    }
    free(message);
    if (fk) {
        rlh_adds(&b, ",\"key\":{");
        rlh_json_member(&b, "table", k->child_table);
        rlh_add(&b, ",", 1);
        rlh_json_member(&b, "column", k->child_column);
        rlh_add(&b, ",", 1);
        rlh_json_key(&b, "value");
        key_values(&b, k->value);
        rlh_add(&b, ",", 1);
        rlh_json_member(&b, "parent_table", k->parent_table);
        rlh_add(&b, ",", 1);
        rlh_json_member(&b, "parent_column", k->parent_column);
        if (k->parent_side) {
            rlh_addf(&b, ",\"referencing\":%lld,", (long long)k->referencing);
            rlh_json_member(&b, "action", rl_action_name(k->action));
        }
        rlh_adds(&b, "}");
    }
    if (e->code == RL_ETYPE) { /* the column (when known) and the value refused */
        rlh_add(&b, ",", 1);
        rlh_json_member(&b, "column", *e->column ? e->column : col);
        rlh_add(&b, ",", 1);
        rlh_json_member(&b, "value", e->value);
    }
    if (item >= 0) rlh_addf(&b, ",\"item\":%ld", item);
    rlh_adds(&b, "}");
    int rc = b.oom ? RL_ENOMEM : rl_respond(r, rlh_status_of(e->code), NULL, b.data, b.len);
    rlh_free(&b);
    return rc;
}

int rl_respond_db_error(rl_request *r, rl_db *db)
{
    if (!r || !db) return RL_EINVAL;
    return rlh_db_error(r, db, -1, NULL);
}

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

/* Answer 400 with code and msg, after where ("item 2, books[0]: ...") when it is not "". */
int rlh_refuse(rl_request *r, const char *code, const char *where, const char *msg)
{
    char text[700];
    snprintf(text, sizeof text, "%s%s%s", where, *where ? ": " : "", msg);
    rl_respond_error(r, 400, code, text, NULL, NULL);
    return -1;
}

/* Fill row (of m) from object o; answers 400 and returns -1 for a bad key or value.  With
 * nested, an array under a name that is not a column is left for insert_tree. */
int rlh_row_from(rl_request *r, const rl_model *m, json_t *o, void *row, const char *where,
                 bool nested)
{
    const char *key;
    json_t *val;
    rl_value *v = rl_row_values(m, row);
    json_object_foreach(o, key, val)
    {
        const rl_field *f = rlh_field(m, key);
        char msg[400];
        if (!f && m->has_pk && strcmp(key, rlh_pk_name(m)) == 0) {
            rl_value text_key; /* a CSV or form body's key is text */
            bool text = json_is_string(val) &&
                        rlh_parse_value(json_string_value(val), -1, &text_key) &&
                        text_key.type == RL_V_INT;
            if (!json_is_integer(val) && !text) {
                snprintf(msg, sizeof msg, "%.150s of %.150s is an integer.", key, m->table);
                return rlh_refuse(r, "RL_EINVAL", where, msg);
            }
            int64_t pk = text ? text_key.u.i : json_integer_value(val);
            memcpy((char *)row + m->pk_offset, &pk, sizeof pk);
            continue;
        }
        if (!f && nested && json_is_array(val)) continue;
        if (!f) { /* PostgREST's PGRST204, with reflite's sentence saying where */
            char said[400], sentence[800];
            snprintf(said, sizeof said,
                     "Could not find the '%.150s' column of '%.150s' in the schema cache", key,
                     m->table);
            snprintf(sentence, sizeof sentence, "%s%sThe table %.150s has no column %.150s.", where,
                     *where ? ": " : "", m->table, key);
            const rlh_perror e = {400, "PGRST204", said, NULL, NULL, sentence, "RL_EFIELD"};
            rlh_answer_error(r, &e); /* and a name perhaps new since the tables were read */
            rlh_unknown_name(r);
            return -1;
        }
        if (f->generated) { /* PostgreSQL's 428C9, whatever the engine */
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
            const rlh_perror e = {400, "428C9", said, details, NULL, sentence, "RL_EINVAL"};
            rlh_answer_error(r, &e);
            return -1;
        }
        if (!value_of(val, f->kind, &v[f - m->fields])) {
            snprintf(msg, sizeof msg, "%.150s takes a number, a string, true, false or null.", key);
            return rlh_refuse(r, "RL_EINVAL", where, msg);
        }
    }
    return 0;
}

/* The body as JSON, or NULL after answering 400 with where it went wrong. */
json_t *rlh_body_json(rl_request *r)
{
    size_t len;
    const char *body = rl_request_body(r, &len);
    const char *type = rl_request_header(r, "Content-Type"), *why = NULL;
    bool csv = rlh_media_is(type, "text/csv");
    if (csv || rlh_media_is(type, "application/x-www-form-urlencoded")) {
        json_t *j = csv ? rlh_csv_body(body ? body : "", len, &why)
                        : rlh_form_body(body ? body : "", len, &why);
        if (!j && !why) rl_respond_error(r, 500, "RL_ENOMEM", "Out of memory.", NULL, NULL);
        if (!j && why) {
            const rlh_perror e = {400, "PGRST102", why, NULL, NULL, why, "RL_EINVAL"};
            rlh_answer_error(r, &e);
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
        rl_respond_error(r, 500, "RL_ENOMEM", "Out of memory.", NULL, NULL);
        return NULL;
    }
    if (!j) j = json_loadb(body, len, JSON_REJECT_DUPLICATES, &err);
    if (!j) {
        char msg[400];
        snprintf(msg, sizeof msg, "The body is not valid JSON: %s at line %d, column %d (byte %d).",
                 err.text, err.line, err.column, err.position);
        const rlh_perror e = {400, "PGRST102", "Empty or invalid json", NULL, NULL,
                              msg, "RL_EJSON"};
        rlh_answer_error(r, &e);
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
static int change(rl_request *r, const rl_model *m, const char *id, bool del)
{
    json_t *j = NULL;
    if (!del && !(j = rlh_body_json(r))) return 0;
    if (j && json_is_array(j)) { /* PostgREST's: an array's first object, [] nothing */
        json_t *first = json_array_size(j) ? json_incref(json_array_get(j, 0)) : json_object();
        json_decref(j);
        j = first;
        if (!j) return rl_respond_error(r, 500, "RL_ENOMEM", "Out of memory.", NULL, NULL);
    }
    if (j && !json_is_object(j)) {
        json_decref(j);
        return rl_respond_error(r, 400, "RL_EINVAL",
                                "A PATCH body is an object (or an array whose first item is one).",
                                NULL, NULL);
    }
    rlh_req *req = NULL;
    rlh_plan *p = NULL;                        /* planned here for columns=, and passed on */
    if (j && rl_request_query(r, "columns")) { /* the keys columns= names, and no other */
        p = rlh_request_planned(r, m, id, false, &req);
        if (!p || rlh_columns_taken(r, m, req, &j)) {
            rlh_plan_free(p);
            rlh_req_free(req);
            json_decref(j);
            return 0;
        }
    }
    rl_set sets[RL_MAX_FIELDS + 1];
    size_t nsets = 0;
    void *row = calloc(1, m->size);
    int rc = 0;
    if (!row || (j && rlh_row_from(r, m, j, row, "", false) < 0)) {
        rc = row ? -1 : rl_respond_error(r, 500, "RL_ENOMEM", "Out of memory.", NULL, NULL);
        rlh_plan_free(p);
        rlh_req_free(req);
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

/* 405 for a write the database cannot carry out through view m, naming it and what it takes. */
static int view_refused(rl_request *r, const rl_model *m, const char *method)
{
    unsigned can = rl_models_writable(rl_request_models(r), m);
    char allow[80], msg[500];
    snprintf(allow, sizeof allow, "GET, HEAD%s%s%s, OPTIONS", can & RL_WRITE_INSERT ? ", POST" : "",
             can & RL_WRITE_UPDATE ? ", PATCH" : "", can & RL_WRITE_DELETE ? ", DELETE" : "");
    rl_response_header(r, "Allow", allow);
    snprintf(msg, sizeof msg,
             "%s is not allowed here: %.300s is a view, and the database cannot %s through it.",
             method, m->table,
             *method == 'D'                       ? "delete rows"
             : *method == 'P' && method[1] == 'O' ? "insert rows"
                                                  : "change rows");
    return rl_respond_error(r, 405, "RL_EMETHOD", msg, NULL,
                            can ? NULL : "Read it with GET, or write the tables it shows.");
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
        return rl_respond_error(r, 404, "RL_ENOTFOUND", "Name a table: /{table}.", NULL, NULL);
    memcpy(table, path, tlen);
    table[tlen] = '\0';
    const char *id = path[tlen] ? path + tlen + 1 : NULL;
    if (id && (!*id || strchr(id, '/'))) {
        const rlh_perror e = {
            404,           "PGRST125", "Invalid path specified in request URL",
            NULL,          NULL,       "No such resource: a path is /{table} or /{table}/{key}.",
            "RL_ENOTFOUND"};
        return rlh_answer_error(r, &e);
    }
    const rl_model *m = rl_models_find(rl_request_models(r), table);
    if (!m) {
        char msg[350], sentence[350];
        snprintf(msg, sizeof msg, "Could not find the table '%.100s.%.250s' in the schema cache",
                 rlh_schema_name(r), table);
        snprintf(sentence, sizeof sentence, "There is no table or view named %.250s.", table);
        rlh_unknown_name(r);
        const rlh_perror e = {404, "PGRST205", msg, NULL, NULL, sentence, "RL_ENOTFOUND"};
        return rlh_answer_error(r, &e);
    }
    if (r->page && !read) return rlh_page_write(r, base, m, id); /* a page's form */
    bool put = strcmp(method, "PUT") == 0;
    bool known = read || put || strcmp(method, "POST") == 0 || strcmp(method, "PATCH") == 0 ||
                 strcmp(method, "DELETE") == 0;
    if (!known || (!read && rlh_read_only(r)) || (id && (put || strcmp(method, "POST") == 0))) {
        rl_response_header(r, "Allow",
                           rlh_read_only(r) ? "GET, HEAD, OPTIONS"
                           : id             ? "GET, HEAD, PATCH, DELETE, OPTIONS"
                                            : "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
        char msg[200];
        snprintf(msg, sizeof msg, "%s is not allowed here%s.", method,
                 rlh_read_only(r) && known ? ": the server is read-only" : "");
        return rl_respond_error(r, 405, "RL_EMETHOD", msg, NULL, NULL);
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
        return rl_respond_error(r, 415, "RL_EMEDIA",
                                "A body is written in JSON, with the header Content-Type: "
                                "application/json (a POST also in text/csv, a POST or PATCH "
                                "also as a form, application/x-www-form-urlencoded).",
                                NULL, NULL);
    if (strcmp(method, "POST") == 0) return rlh_post(r, m);
    if (put) return rlh_put(r, m);
    return change(r, m, id, del);
}

int rlh_rest(rl_request *r, const char *path)
{
    const char *prefix = rl_request_path(r);
    size_t prefix_len = strlen(prefix) - strlen(path);
    path += strspn(path, "/");
    char *own = strdup(path), *base = malloc(prefix_len + 2);
    int rc;
    if (!own || !base) {
        rc = rl_respond_error(r, 500, "RL_ENOMEM", "Out of memory.", NULL, NULL);
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
    free(own);
    free(base);
    return rc;
}

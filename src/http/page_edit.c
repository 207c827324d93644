/*
 * The pages' forms that write: insert a row (on the table page), change one and delete one (on
 * its row page, the delete after a page that says what goes with it).  A form posts to the same
 * URL with ?_format=html, as application/x-www-form-urlencoded; the door has refused it already
 * if it comes from another site (Origin, Sec-Fetch-Site), and it must repeat the random value
 * of the page's SameSite=Strict cookie (a page of another site can neither read nor send it).
 * The write goes through the public API, one statement; a refusal is shown next to the input
 * of the column it names, in reflite's sentence, with what the user typed kept.
 */
#include "answer.h"
#include "page.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

/* ---- the guard against other sites --------------------------------------------------------- */

/* The value of cookie rl_csrf in r's Cookie header (32 hex digits), into out; whether any. */
static bool cookie(rl_request *r, char out[33])
{
    const char *c = rl_request_header(r, "Cookie");
    for (const char *p = c; p && *p;) {
        p += strspn(p, " ;");
        if (strncmp(p, "rl_csrf=", 8) == 0 && strspn(p + 8, "0123456789abcdef") == 32) {
            memcpy(out, p + 8, 32);
            out[32] = '\0';
            return true;
        }
        p += strcspn(p, ";");
    }
    return false;
}

void rlh_page_csrf(rl_request *r, char out[33])
{
    if (cookie(r, out)) return;
    unsigned char raw[16] = {0};
    if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw) { /* no form can be sent then */
        memset(out, 0, 33);
        return;
    }
    for (size_t i = 0; i < 16; i++)
        snprintf(out + 2 * i, 3, "%02x", raw[i]);
    char set[120];
    snprintf(set, sizeof set, "rl_csrf=%s; Path=/; SameSite=Strict; HttpOnly", out);
    rl_response_header(r, "Set-Cookie", set);
}

/* Whether the form's _csrf is the cookie's value (compared in constant time). */
static bool guarded(rl_request *r, const json_t *form)
{
    char want[33];
    const char *given = json_string_value(json_object_get(form, "_csrf"));
    if (!cookie(r, want) || !given || strlen(given) != 32) return false;
    unsigned diff = 0;
    for (size_t i = 0; i < 32; i++)
        diff |= (unsigned)(want[i] ^ given[i]);
    return diff == 0;
}

/* ---- the form --------------------------------------------------------------------------- */

/* The URL a form about m posts to: the table (insert), the row /T/ID, or the table with the
 * filters of the row's primary key as the request has them; with _format=html. */
static void action(rlh_buf *b, rl_request *r, const char *base, const rl_model *m, const char *id,
                   bool insert)
{
    rlh_links l = {.base = base};
    if (!insert && !id && !m->has_pk && m->primary_key)
        for (size_t i = 0; m->primary_key[i] && l.nargs < 63; i++) {
            const char *v = rl_request_query(r, m->primary_key[i]);
            if (v) l.args[l.nargs++] = (rlh_arg){m->primary_key[i], v};
        }
    l.args[l.nargs++] = (rlh_arg){"_format", "html"};
    rlh_buf u = {0};
    rlh_links_url(&u, &l, m->table, insert ? NULL : id);
    rlh_adds(b, " action=\"");
    if (u.data) rlh_html(b, u.data, (long)u.len);
    rlh_adds(b, "\"");
    b->oom |= u.oom;
    rlh_free(&u);
}

/* The key of m whose only column is field, or none. */
static bool key_of(const rl_model *m, int field, rlh_pkey *out)
{
    rlh_pkey keys[32];
    size_t n = rlh_page_keys(m, keys, 32);
    for (size_t i = 0; i < n; i++)
        if (keys[i].n == 1 && keys[i].fields[0] == field) {
            *out = keys[i];
            return true;
        }
    return false;
}

/* The input of column name (field index, RLH_FIELD_PK the integer key) with value text. */
static void input(rlh_buf *b, const char *base, const rl_model *m, int field, const char *name,
                  const char *text, bool null, size_t n)
{
    rl_kind kind = field == RLH_FIELD_PK ? RL_KIND_INTEGER : m->fields[field].kind;
    rlh_addf(b, "<label for=\"f%zu\">", n);
    rlh_html(b, name, -1);
    rlh_adds(b, "</label>\n");
    if (kind == RL_KIND_BOOLEAN) {
        rlh_addf(b, "<select id=\"f%zu\" name=\"", n);
        rlh_html(b, name, -1);
        rlh_adds(b, "\">");
        const char *opts[] = {"", "true", "false"};
        for (size_t i = 0; i < 3; i++) {
            bool on = (null && i == 0) || (!null && text && !strcmp(text, opts[i]));
            rlh_addf(b, "<option value=\"%s\"%s>%s</option>", opts[i], on ? " selected" : "",
                     i ? opts[i] : "null");
        }
        rlh_adds(b, "</select>\n");
        return;
    }
    rlh_pkey key;
    bool picker = field >= 0 && key_of(m, field, &key) && key.label >= 0;
    rlh_addf(b, "<input id=\"f%zu\" name=\"", n);
    rlh_html(b, name, -1);
    rlh_adds(b, "\" value=\"");
    if (text && !null) rlh_html(b, text, -1);
    rlh_adds(b, "\"");
    if (null) rlh_adds(b, " placeholder=\"null\"");
    if (picker) { /* the script fills the list with the parent's rows whose label matches */
        rlh_buf u = {0};
        rlh_adds(&u, base);
        rlh_page_encode(&u, key.parent->table);
        rlh_adds(&u, "?select=");
        rlh_page_encode(&u, key.refs[0]);
        rlh_adds(&u, ",");
        rlh_page_encode(&u, key.parent->fields[key.label].name);
        rlh_addf(b, " list=\"l%zu\" autocomplete=\"off\" data-pick=\"", n);
        if (u.data) rlh_html(b, u.data, (long)u.len);
        rlh_adds(b, "\" data-key=\"");
        rlh_html(b, key.refs[0], -1);
        rlh_adds(b, "\" data-label=\"");
        rlh_html(b, key.parent->fields[key.label].name, -1);
        rlh_addf(b, "\"><datalist id=\"l%zu\"></datalist", n);
        b->oom |= u.oom;
        rlh_free(&u);
    }
    rlh_adds(b, ">\n");
}

void rlh_page_form(rlh_buf *b, rl_request *r, const char *base, const rl_model *m, const void *row,
                   const char *id, const json_t *typed, const char *field, const char *error)
{
    char csrf[33];
    rlh_page_csrf(r, csrf);
    bool placed = false;
    rlh_adds(b, "<form class=\"edit\" method=\"post\"");
    action(b, r, base, m, id, row == NULL);
    rlh_adds(b, ">\n");
    rlh_addf(b, "<input type=\"hidden\" name=\"_csrf\" value=\"%s\">\n", csrf);
    rlh_addf(b, "<input type=\"hidden\" name=\"_action\" value=\"%s\">\n",
             row ? "update" : "insert");
    size_t n = 0;
    for (int f = m->has_pk && !row ? RLH_FIELD_PK : 0; f < (int)m->nfields; f++, n++) {
        if (f >= 0 && m->fields[f].generated) continue;
        const char *name = f == RLH_FIELD_PK ? rlh_pk_name(m) : m->fields[f].name;
        char buf[64];
        const char *text = NULL;
        bool null = false;
        json_t *t = typed ? json_object_get(typed, name) : NULL;
        if (t) {
            text = json_string_value(t);
        } else if (row) {
            rl_value v = rlh_page_field(m, row, f);
            text = rlh_page_text(&v, f == RLH_FIELD_PK ? RL_KIND_INTEGER : m->fields[f].kind, buf,
                                 sizeof buf);
            null = !text;
        }
        rlh_adds(b, "<div class=\"field\">");
        input(b, base, m, f, name, text, null, n);
        if (error && field && !strcmp(field, name)) {
            rlh_addf(b, "<p class=\"field-error\" role=\"alert\" id=\"e%zu\">", n);
            rlh_html(b, error, -1);
            rlh_adds(b, "</p>\n");
            placed = true;
        }
        rlh_adds(b, "</div>\n");
    }
    if (error && !placed) {
        rlh_adds(b, "<p class=\"field-error\" role=\"alert\">");
        rlh_html(b, error, -1);
        rlh_adds(b, "</p>\n");
    }
    rlh_addf(b, "<button type=\"submit\">%s</button>\n</form>\n", row ? "Save" : "Insert");
}

/* ---- what a delete takes with it ------------------------------------------------------------ */

/* A path of keys of one column from the deleted row down: step i's rows refer through field to
 * ref of step i - 1's rows (step 0: to the deleted row, whose ref holds value). */
typedef struct step {
    const rl_model *m;
    const char *field, *ref;
    /* step 0 only: its key's columns (a key of several columns: at the first step only) and
     * the deleted row's values of the columns they reference */
    const char *fields[RL_MAX_KEY_FIELDS];
    rl_value values[RL_MAX_KEY_FIELDS];
    size_t n;
} step;

/* The query of the rows of steps[k] that the path reaches (NULL when out of memory). */
static rl_query *reached(rl_db *db, const step *steps, size_t k)
{
    rl_query *q = rl_select(db, steps[k].m);
    if (!q) return NULL;
    int rc = RL_OK;
    if (k == 0) {
        for (size_t i = 0; i < steps[0].n && rc == RL_OK; i++)
            rc = rl_where(q, steps[0].fields[i], RL_EQ, steps[0].values[i]);
    } else {
        rl_query *sub = reached(db, steps, k - 1);
        rc = sub ? rl_where_in_query(q, steps[k].field, sub, steps[k].ref, false) : RL_ENOMEM;
    }
    if (rc != RL_OK) {
        rl_query_free(q);
        return NULL;
    }
    return q;
}

/* The value of column name of row (a row of m). */
static rl_value column_value(const rl_model *m, const void *row, const char *name)
{
    const rl_field *f = rlh_field(m, name);
    if (f) return rl_row_values(m, (void *)row)[f - m->fields];
    return m->has_pk && !strcmp(name, rlh_pk_name(m)) ? rl_int(rlh_row_pk(m, row)) : rl_null();
}

/* One line per key into parent (the deleted row's table, row, for k 0; else steps[k - 1]'s),
 * and for a cascade the keys into its rows in turn, to four tables deep. */
static void consequences(rlh_buf *b, rl_request *r, const rl_model *parent, const void *row,
                         step *steps, size_t k, bool *blocked)
{
    const rl_models *ms = rl_request_models(r);
    rl_db *db = rl_request_db(r);
    rlh_pkey keys[32];
    for (size_t t = 0; t < rl_models_count(ms) && k < 4; t++) {
        const rl_model *cm = rl_models_get(ms, t);
        if (rl_models_is_view(ms, cm)) continue;
        size_t n = rlh_page_keys(cm, keys, 32);
        for (size_t i = 0; i < n; i++) {
            const rlh_pkey *key = &keys[i];
            if (key->parent != parent || (k > 0 && key->n != 1)) continue;
            bool known = true;
            steps[k] = (step){.m = cm, .ref = key->refs[0], .n = key->n};
            for (size_t j = 0; j < key->n && known; j++) {
                const char *f = key->fields[j] == RLH_FIELD_PK ? rlh_pk_name(cm)
                                                               : cm->fields[key->fields[j]].name;
                steps[k].fields[j] = f;
                if (k == 0) steps[0].values[j] = column_value(parent, row, key->refs[j]);
                known = k > 0 || steps[0].values[j].type != RL_V_NULL;
            }
            steps[k].field = steps[k].fields[0];
            if (!known) continue;
            rl_query *q = reached(db, steps, k);
            int64_t count = 0;
            if (!q || rl_count(q, &count) != RL_OK || count == 0) {
                rl_query_free(q);
                continue;
            }
            rl_query_free(q);
            rl_action a = key->on_delete;
            rlh_addf(b, "<li>%lld %s of <strong>", (long long)count, count == 1 ? "row" : "rows");
            rlh_html(b, cm->table, -1);
            rlh_adds(b, "</strong> ");
            if (a == RL_CASCADE) {
                rlh_adds(b, "will be deleted with it (ON DELETE CASCADE, through ");
            } else if (a == RL_SET_NULL || a == RL_SET_DEFAULT) {
                rlh_adds(b, a == RL_SET_NULL ? "will have their key set to null (ON DELETE SET "
                                               "NULL, through "
                                             : "will have their key set to its default (ON "
                                               "DELETE SET DEFAULT, through ");
            } else {
                *blocked = true;
                rlh_adds(b, count == 1 ? "still refers to it, and the delete will be refused ("
                                       : "still refer to it, and the delete will be refused (");
                rlh_adds(b, a == RL_NO_ACTION ? "NO ACTION" : "RESTRICT");
                rlh_adds(b, ", through ");
            }
            rlh_html(b, key->name, -1);
            rlh_adds(b, ")</li>\n");
            if (a == RL_CASCADE && cm != parent)
                consequences(b, r, cm, NULL, steps, k + 1, blocked);
        }
    }
}

void rlh_page_confirm_delete(rlh_buf *b, rl_request *r, const char *base, const rl_model *m,
                             const void *row, const char *id)
{
    rlh_adds(b, "<h1>Delete this row of ");
    rlh_html(b, m->table, -1);
    rlh_adds(b, "?</h1>\n<ul class=\"refs\" id=\"consequences\">\n");
    bool blocked = false;
    step steps[4];
    size_t before = b->len;
    consequences(b, r, m, row, steps, 0, &blocked);
    if (b->len == before) rlh_adds(b, "<li>No other row goes with it.</li>\n");
    rlh_adds(b, "</ul>\n");
    if (blocked)
        rlh_adds(b, "<p class=\"field-error\">Rows still refer to it: delete or change them "
                    "first.</p>\n");
    char csrf[33];
    rlh_page_csrf(r, csrf);
    rlh_adds(b, "<form class=\"edit\" method=\"post\"");
    action(b, r, base, m, id, false);
    rlh_addf(b,
             ">\n<input type=\"hidden\" name=\"_csrf\" value=\"%s\">\n"
             "<input type=\"hidden\" name=\"_action\" value=\"delete\">\n"
             "<button type=\"submit\">Delete</button>\n</form>\n",
             csrf);
}

/* ---- the writes ------------------------------------------------------------------------------ */

/* The query of the one row the form is about: /T/ID, or the filters of the primary key. */
static rl_query *the_row(rl_request *r, rl_db *db, const rl_model *m, const char *id)
{
    rl_query *q = rl_select(db, m);
    if (!q) return NULL;
    rl_value v;
    bool ok = true;
    if (id) {
        ok = m->has_pk && rlh_parse_value(id, -1, &v) &&
             rl_where(q, rlh_pk_name(m), RL_EQ, v) == RL_OK;
    } else {
        ok = !m->has_pk && m->primary_key && m->primary_key[0];
        for (size_t i = 0; ok && m->primary_key[i]; i++) {
            const rl_field *f = rlh_field(m, m->primary_key[i]);
            const char *text = rl_request_query(r, m->primary_key[i]);
            ok = f && text && !strncmp(text, "eq.", 3) && rlh_parse_value(text + 3, f->kind, &v) &&
                 rl_where(q, f->name, RL_EQ, v) == RL_OK;
        }
    }
    if (!ok) {
        rl_query_free(q);
        return NULL;
    }
    return q;
}

/* A form's text for field f of m (NULL: the integer key, when key names it) as JSON: a number
 * for a number column when it reads as one whole (the database then sees a number, as from a
 * JSON body), else the text itself. */
static json_t *typed_value(const rl_model *m, const rl_field *f, json_t *val)
{
    rl_kind kind = f ? f->kind : m->has_pk ? RL_KIND_INTEGER : RL_KIND_TEXT;
    const char *t = json_string_value(val);
    char *end = NULL;
    if (t && *t && kind == RL_KIND_INTEGER) {
        errno = 0;
        long long i = strtoll(t, &end, 10);
        if (!*end && !errno) return json_integer(i);
    } else if (t && *t && kind == RL_KIND_REAL) {
        double d = strtod(t, &end);
        if (!*end && isfinite(d)) return json_real(d);
    }
    return json_incref(val);
}

/* The form's values as the body of a write: the page's own fields left out; an empty input of
 * a column that is not text left out (insert: its default) or null (update). */
static json_t *values_of(const rl_model *m, const json_t *form, bool insert)
{
    json_t *o = json_object();
    const char *key;
    json_t *val;
    json_object_foreach((json_t *)form, key, val)
    {
        if (key[0] == '_' && rlh_page_arg(key)) continue;
        if (!strcmp(key, "_csrf") || !strcmp(key, "_action")) continue;
        const rl_field *f = rlh_field(m, key);
        bool empty = json_is_string(val) && !json_string_length(val);
        if (empty && (!f || f->kind != RL_KIND_TEXT)) {
            if (!insert && f) json_object_set_new(o, key, json_null());
            continue;
        }
        json_object_set_new(o, key, typed_value(m, f, val));
    }
    return o;
}

/* 303 to location (a URL of the server), with a page that links to it. */
static int see_other(rl_request *r, const char *base, const rl_model *m, rlh_buf *location)
{
    if (location->oom || !location->data)
        return rl_respond_error(r, 500, "RL_ENOMEM", "Out of memory.", NULL, NULL);
    rl_response_header(r, "Location", location->data);
    rlh_buf b = {0};
    rlh_page_open(&b, base, m->table, m->table);
    rlh_adds(&b, "<p>Written: <a href=\"");
    rlh_html(&b, location->data, (long)location->len);
    rlh_adds(&b, "\">see it</a>.</p>\n");
    rlh_page_close(&b);
    return rlh_page_respond(r, 303, &b);
}

/* The column a refusal names, for the input to show it next to (NULL: none). */
static const char *refused_column(const rl_error *e, char *buf, size_t n)
{
    const char *c =
        e->code == RL_EFOREIGNKEY && !e->fk.parent_side ? e->fk.child_column : e->column;
    if (!c || !*c) return NULL;
    snprintf(buf, n, "%.*s", (int)strcspn(c, ","), c); /* a key of several: its first column */
    return buf;
}

/* The page of a refused write: the form again (or, for a delete, the sentence), with what
 * the user typed. */
static int refused(rl_request *r, const char *base, const rl_model *m, const char *id,
                   const void *row, const json_t *typed, bool del)
{
    rl_db *db = rl_request_db(r);
    const rl_error *e = rl_last_error(db);
    char col[256];
    const char *cut = strstr(e->message, " The transaction is aborted");
    char *sentence = strndup(e->message, cut ? (size_t)(cut - e->message) : strlen(e->message));
    rlh_buf b = {0};
    rlh_page_open(&b, base, m->table, m->table);
    rlh_adds(&b, "<h1>");
    rlh_html(&b, m->table, -1);
    rlh_adds(&b, del ? ": the row was not deleted</h1>\n" : ": not written</h1>\n");
    if (del) {
        rlh_adds(&b, "<p class=\"field-error\" role=\"alert\">");
        rlh_html(&b, sentence ? sentence : e->message, -1);
        rlh_adds(&b, "</p>\n");
    } else {
        rlh_page_form(&b, r, base, m, row, id, typed, refused_column(e, col, sizeof col),
                      sentence ? sentence : e->message);
    }
    free(sentence);
    rlh_page_close(&b);
    return rlh_page_respond(r, rlh_status_of(e->code), &b);
}

/* An insert from the form: 303 to the new row, or the form again with the refusal. */
static int insert_row(rl_request *r, const char *base, const rl_model *m, const json_t *form)
{
    rl_db *db = rl_request_db(r);
    json_t *vals = values_of(m, form, true);
    void *row = calloc(1, m->size);
    int rc = 0;
    rlh_fault f;
    rlh_fault_none(&f);
    if (!vals || !row) {
        rc = rl_respond_error(r, 500, "RL_ENOMEM", "Out of memory.", NULL, NULL);
    } else if (rlh_row_from(r, &f, m, vals, row, "", false) < 0) {
        rc = rlh_answer_fault(r, &f);
    } else {
        json_t *k = m->has_pk ? json_object_get(vals, rlh_pk_name(m)) : NULL;
        rlh_turn_take(r);
        if (rl_insert_ex(db, m, row, k && !json_is_null(k) ? RL_INSERT_KEY_GIVEN : 0) != RL_OK) {
            rc = refused(r, base, m, NULL, NULL, form, false);
        } else {
            rlh_buf location = {0};
            rlh_adds(&location, base);
            rlh_page_encode(&location, m->table);
            if (m->has_pk) rlh_addf(&location, "/%lld", (long long)rlh_row_pk(m, row));
            rc = see_other(r, base, m, &location);
            rlh_free(&location);
        }
    }
    if (row) rl_row_free(m, row);
    free(row);
    json_decref(vals);
    return rc;
}

/* An update or a delete of the form's row: 303 to the row (to the table after a delete, or
 * when the row has no integer key), or the refusal. */
static int change_row(rl_request *r, const char *base, const rl_model *m, const char *id,
                      const json_t *form, bool del)
{
    rl_db *db = rl_request_db(r);
    rl_query *q = the_row(r, db, m, id);
    if (!q)
        return rl_respond_error(r, 400, "RL_EINVAL",
                                "The form names no row: its URL is /table/key, or has a filter "
                                "col=eq.value for each column of the table's primary key.",
                                NULL, NULL);
    json_t *vals = del ? NULL : values_of(m, form, false);
    void *row = del ? NULL : calloc(1, m->size);
    int64_t changed = 0;
    int rc = 0, code = RL_OK;
    rlh_fault f;
    rlh_fault_none(&f);
    if (!del && (!vals || !row)) {
        rc = rl_respond_error(r, 500, "RL_ENOMEM", "Out of memory.", NULL, NULL);
    } else if (!del && rlh_row_from(r, &f, m, vals, row, "", false) < 0) {
        rc = rlh_answer_fault(r, &f);
    } else {
        rl_set sets[RL_MAX_FIELDS + 1];
        size_t n = del ? 0 : rlh_sets_of(m, vals, row, sets);
        rlh_turn_take(r);
        code = del ? rl_delete_where(q, &changed)
               : n ? rl_update_where(q, sets, n, &changed)
                   : RL_OK;
        if (!del && !n) changed = 1; /* nothing to change: the row is as it was */
        if (code != RL_OK) {
            rc = refused(r, base, m, id, row, form, del);
        } else if (changed == 0) {
            rc = rl_respond_error(r, 404, "RL_ENOTFOUND", "No row has this key.", NULL, NULL);
        } else {
            rlh_buf location = {0};
            rlh_adds(&location, base);
            rlh_page_encode(&location, m->table);
            if (!del && id) {
                rlh_adds(&location, "/");
                rlh_page_encode(&location, id);
            }
            rc = see_other(r, base, m, &location);
            rlh_free(&location);
        }
    }
    rl_query_free(q);
    if (row) rl_row_free(m, row);
    free(row);
    json_decref(vals);
    return rc;
}

int rlh_page_write(rl_request *r, const char *base, const rl_model *m, const char *id)
{
    if (rlh_read_only(r))
        return rl_respond_error(r, 405, "RL_EMETHOD", "The server is read-only.", NULL, NULL);
    if (!rlh_media_is(rl_request_header(r, "Content-Type"), "application/x-www-form-urlencoded"))
        return rl_respond_error(r, 415, "RL_EMEDIA",
                                "A page's form is sent as application/x-www-form-urlencoded.", NULL,
                                NULL);
    size_t len;
    const char *body = rl_request_body(r, &len);
    const char *why = NULL;
    json_t *form = rlh_form_body(body ? body : "", len, &why);
    if (!form)
        return rl_respond_error(r, 400, "RL_EINVAL", why ? why : "Out of memory.", NULL, NULL);
    const char *what = json_string_value(json_object_get(form, "_action"));
    bool insert = what && !strcmp(what, "insert"), del = what && !strcmp(what, "delete");
    bool update = what && !strcmp(what, "update");
    int rc = 0;
    unsigned need = insert ? RL_WRITE_INSERT : del ? RL_WRITE_DELETE : RL_WRITE_UPDATE;
    if (!guarded(r, form)) {
        rc = rl_respond_error(r, 403, "RL_EFORBIDDEN",
                              "The form did not come from this server's page: load the page "
                              "again and send it from there.",
                              NULL, NULL);
    } else if (!insert && !del && !update) {
        rc = rl_respond_error(r, 400, "RL_EINVAL", "A form says _action=insert, update or delete.",
                              NULL, NULL);
    } else if ((rl_models_writable(rl_request_models(r), m) & need) != need) {
        rc = rl_respond_error(r, 405, "RL_EMETHOD", "The database cannot write through this view.",
                              NULL, NULL);
    } else {
        rc = insert ? insert_row(r, base, m, form) : change_row(r, base, m, id, form, del);
    }
    json_decref(form);
    return rc;
}

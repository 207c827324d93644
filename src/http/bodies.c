/*
 * Bodies of writes that are not JSON, read into the JSON value a JSON body would be, as
 * PostgREST reads them:
 *   text/csv                            a line of column names, then a line per row: an
 *                                       array of objects of text (unquoted NULL: null)
 *   application/x-www-form-urlencoded   name=value&...: one object of text
 * A value is text, as a JSON string would be: the column's type reads it.
 */
#include "http_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The media type of a Content-Type header (without its parameters) is name. */
bool rlh_media_is(const char *content_type, const char *name)
{
    if (!content_type) return false;
    const char *t = content_type + strspn(content_type, " \t");
    size_t n = strcspn(t, ";");
    while (n && (t[n - 1] == ' ' || t[n - 1] == '\t'))
        n--;
    return n == strlen(name) && strncasecmp(t, name, n) == 0;
}

/* ---- CSV -------------------------------------------------------------------------------- */

typedef struct csv {
    const char *s, *end;
    rlh_buf field;
    bool quoted; /* the field read was quoted (so "NULL" is the text) */
} csv;

/* Read one field at c->s into c->field; 1 and the separator after it (',' '\n' or 0 at the
 * end), or -1 for a quote not closed. */
static int field(csv *c, char *after)
{
    c->field.len = 0;
    c->quoted = c->s < c->end && *c->s == '"';
    if (c->quoted) {
        for (c->s++;; c->s++) {
            if (c->s >= c->end) return -1;
            if (*c->s == '"') {
                if (c->s + 1 < c->end && c->s[1] == '"') {
                    rlh_add(&c->field, "\"", 1);
                    c->s++;
                    continue;
                }
                c->s++;
                break;
            }
            rlh_add(&c->field, c->s, 1);
        }
    }
    while (c->s < c->end && *c->s != ',' && *c->s != '\n' && *c->s != '\r')
        rlh_add(&c->field, c->s++, 1); /* text after a closing quote is kept, as read */
    rlh_add(&c->field, "", 1);
    c->field.len--;
    *after = c->s < c->end ? *c->s : 0;
    if (*after == '\r') {
        c->s++;
        *after = '\n';
    }
    if (c->s < c->end && (*c->s == ',' || *c->s == '\n')) c->s++;
    return 1;
}

/* One line's fields into names (the header: texts) or into object o by the names. */
static int line(csv *c, json_t *names, json_t *o, size_t *count)
{
    *count = 0;
    char after;
    do {
        if (field(c, &after) < 0) return -1;
        if (c->field.oom) return -2;
        const char *text = c->field.data ? c->field.data : "";
        json_t *v = !c->quoted && strcmp(text, "NULL") == 0 ? json_null()
                                                            : json_stringn(text, c->field.len);
        if (!v) return -4; /* not UTF-8 */
        if (!o) {
            if (json_array_append_new(names, v) != 0) return -2;
        } else {
            json_t *name = json_array_get(names, *count);
            if (!name) {
                json_decref(v);
                (*count)++;
                continue;
            }
            if (json_object_set_new(o, json_string_value(name), v) != 0) return -2;
        }
        (*count)++;
    } while (after == ',');
    return 0;
}

json_t *rlh_csv_body(const char *s, size_t n, const char **why)
{
    csv c = {.s = s, .end = s + n};
    json_t *names = json_array(), *rows = json_array();
    size_t count, width = 0;
    int rc = names && rows ? line(&c, names, NULL, &width) : -2;
    while (rc == 0 && c.s < c.end) {
        if (*c.s == '\n') { /* an empty line (the last one's end): no row */
            c.s++;
            continue;
        }
        json_t *o = json_object();
        rc = o ? line(&c, names, o, &count) : -2;
        if (rc == 0 && count != width) rc = -3;
        if (rc == 0 && json_array_append(rows, o) != 0) rc = -2;
        json_decref(o);
    }
    rlh_free(&c.field);
    json_decref(names);
    if (rc != 0) {
        json_decref(rows);
        *why = rc == -1   ? "A quoted field of the CSV body is not closed."
               : rc == -3 ? "All lines must have same number of fields"
               : rc == -4 ? "The CSV body is not UTF-8 text."
                          : NULL;
        return NULL;
    }
    return rows;
}

/* ---- forms ------------------------------------------------------------------------------ */

/* n bytes at s, percent-decoded (+ is a space) into b. */
static void decode(rlh_buf *b, const char *s, size_t n)
{
    b->len = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%' && i + 2 < n && rlh_hex_value(s[i + 1]) >= 0 &&
                   rlh_hex_value(s[i + 2]) >= 0) {
            c = (char)(rlh_hex_value(s[i + 1]) * 16 + rlh_hex_value(s[i + 2]));
            i += 2;
        }
        rlh_add(b, &c, 1);
    }
    rlh_add(b, "", 1);
    b->len--;
}

json_t *rlh_form_body(const char *s, size_t n, const char **why)
{
    json_t *o = json_object();
    *why = NULL;
    rlh_buf name = {0}, value = {0};
    for (size_t at = 0; o && at < n;) {
        size_t end = at;
        while (end < n && s[end] != '&')
            end++;
        size_t eq = at;
        while (eq < end && s[eq] != '=')
            eq++;
        if (end > at) {
            decode(&name, s + at, eq - at);
            decode(&value, s + eq + (eq < end), end - eq - (eq < end));
            json_t *v = name.oom || value.oom ? NULL : json_stringn(value.data, value.len);
            if (!v && !name.oom && !value.oom) *why = "The form's names and values are UTF-8 text.";
            if (!v || json_object_setn_new(o, name.data, name.len, v) != 0) {
                if (v && !*why) *why = "The form's names and values are UTF-8 text.";
                json_decref(o);
                o = NULL;
            }
        }
        at = end + 1;
    }
    rlh_free(&name);
    rlh_free(&value);
    return o;
}

/*
 * Errors as values: what the stages of a write find wrong (a refusal of the body, the
 * database's error of a statement) kept in an rlh_fault with the text it needs, for the render
 * stage to write once (rlh_answer_fault).  A database error keeps PostgreSQL's code, message,
 * details and hint (the engine's own, or for SQLite PostgreSQL's words for it, pgwords.c),
 * reflite's sentence and code beside them, and the broken key, the refused value's column and
 * the failing item as members of their own.
 */
#include "answer.h"
#include "http_int.h"

#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* Copy s (NULL: none) into to (n bytes, cut); to, or NULL. */
static const char *keep(char *to, size_t n, const char *s)
{
    if (!s) return NULL;
    size_t len = strlen(s);
    if (len >= n) { /* cut before a character, not within one */
        len = n - 1;
        while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
            len--;
    }
    memcpy(to, s, len);
    to[len] = '\0';
    return to;
}

int rlh_fail(rlh_fault *f, const rlh_perror *e)
{
    if (f->e.code) return -1; /* the first error found is the answer */
    f->e = *e;
    f->e.code = keep(f->code, sizeof f->code, e->code);
    f->e.message = keep(f->message, sizeof f->message, e->message);
    f->e.details = keep(f->details, sizeof f->details, e->details);
    f->e.hint = keep(f->hint, sizeof f->hint, e->hint);
    f->e.sentence = keep(f->sentence, sizeof f->sentence, e->sentence);
    return -1;
}

int rlh_fail_own(rlh_fault *f, int status, const char *code, const char *message, const char *hint)
{
    const rlh_perror e = {status, code, message, NULL, hint, message, code, NULL};
    return rlh_fail(f, &e);
}

int rlh_fail_at(rlh_fault *f, const char *code, const char *where, const char *msg)
{
    char text[700];
    snprintf(text, sizeof text, "%s%s%s", where, *where ? ": " : "", msg);
    return rlh_fail_own(f, 400, code, text, NULL);
}

int rlh_fail_oom(rlh_fault *f)
{
    return rlh_fail_own(f, 500, "RL_ENOMEM", "Out of memory.", NULL);
}

/* The fault of a request the server stopped, or whose database went away or left a commit in
 * doubt; false for any other error. */
static bool fail_unavailable(rlh_fault *f, rl_request *r, const rl_error *e)
{
    char msg[200];
    if (e->code == RL_EINTERRUPTED && rlh_pool_stopped(r->slot)) {
        snprintf(msg, sizeof msg,
                 "The request ran past the server's limit of %u ms and was stopped.",
                 rlh_statement_timeout(r));
        const rlh_perror x = {503,
                              "RL_EINTERRUPTED",
                              msg,
                              e->message,
                              "Ask for less: narrower filters, fewer rows or relations.",
                              msg,
                              NULL,
                              NULL};
        return rlh_fail(f, &x), true;
    }
    if (e->code == RL_EDISCONNECTED) { /* Retry-After: it comes back by itself */
        const char *m = "The database server cannot be reached at the moment.";
        const rlh_perror x = {503,
                              "RL_EDISCONNECTED",
                              m,
                              e->message,
                              "Try again in a moment: the server connects again by itself.",
                              m,
                              NULL,
                              NULL};
        return rlh_fail(f, &x), true;
    }
    if (e->code == RL_EINDOUBT) { /* no Retry-After: running it again may write it twice */
        const char *m = "The connection to the database server was lost while this write was "
                        "being committed: whether it took effect is unknown.";
        const rlh_perror x = {503,
                              "RL_EINDOUBT",
                              m,
                              e->message,
                              "Read the rows it would change before sending it again.",
                              m,
                              NULL,
                              NULL};
        return rlh_fail(f, &x), true;
    }
    return false;
}

/* The members of e's body after reflite's own: the broken key, the refused value's column and
 * value, the failing item. */
static void more_of(rlh_buf *b, const rl_error *e, const char *col, long item)
{
    const rl_fk_detail *k = &e->fk;
    if (e->code == RL_EFOREIGNKEY) {
        rlh_adds(b, ",\"key\":{");
        rlh_json_member(b, "table", k->child_table);
        rlh_add(b, ",", 1);
        rlh_json_member(b, "column", k->child_column);
        rlh_add(b, ",", 1);
        rlh_json_key(b, "value");
        key_values(b, k->value);
        rlh_add(b, ",", 1);
        rlh_json_member(b, "parent_table", k->parent_table);
        rlh_add(b, ",", 1);
        rlh_json_member(b, "parent_column", k->parent_column);
        if (k->parent_side) {
            rlh_addf(b, ",\"referencing\":%lld,", (long long)k->referencing);
            rlh_json_member(b, "action", rl_action_name(k->action));
        }
        rlh_adds(b, "}");
    }
    if (e->code == RL_ETYPE) { /* the column (when known) and the value refused */
        rlh_add(b, ",", 1);
        rlh_json_member(b, "column", *e->column ? e->column : col);
        rlh_add(b, ",", 1);
        rlh_json_member(b, "value", e->value);
    }
    if (item >= 0) rlh_addf(b, ",\"item\":%ld", item);
}

int rlh_fail_db(rlh_fault *f, rl_request *r, rl_db *db, long item, const char *where,
                const rl_model *m, const void *row)
{
    if (f->e.code) return -1;
    const rl_error *e = rl_last_error(db);
    if (fail_unavailable(f, r, e)) return -1;
    if (e->code == RL_ESCHEMA) rlh_unknown_name(r);
    rlh_words pg;
    bool words = rlh_pg_words(rl_request_models(r), e, m, row, &pg);
    const rl_fk_detail *k = &e->fk;
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
    const char *sentence = message ? message : e->message, *sqlstate = sqlstate_of(e->code);
    /* on PostgreSQL, its server's code, message, details and hint, as PostgREST passes them
     * on; but a value refused keeps reflite's sentence, which names the column and the value */
    bool server = *e->sqlstate, own = server && e->code != RL_ETYPE;
    const rlh_perror x = {rlh_status_of(e->code),
                          server     ? e->sqlstate
                          : sqlstate ? sqlstate
                                     : rl_code_name(e->code),
                          words ? pg.message
                          : own ? e->engine_message
                                : sentence,
                          words    ? (*pg.details ? pg.details : NULL)
                          : server ? (*e->engine_detail ? e->engine_detail : NULL)
                          : fk     ? details
                                   : NULL,
                          words    ? NULL
                          : server ? (*e->engine_hint ? e->engine_hint : NULL)
                                   : hint,
                          sentence,
                          rl_code_name(e->code),
                          NULL};
    rlh_fail(f, &x);
    free(message);
    more_of(&f->more, e, col, item);
    return -1;
}

/*
 * Whether a value fits its field before any SQL: a runtime model's integer, number, decimal
 * and boolean columns refuse what SQLite would store as text, in the sentence PostgreSQL's
 * refusal gets too; rl_default() is refused everywhere but rl_update_where's sets.
 */
#include "db.h"
#include "error.h"
#include "model.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Whether s is a number's text (an integer only, when integer): optional spaces around, a
 * sign, digits (a point and an exponent for others); what SQLite's affinity turns into a
 * number and PostgreSQL's input functions take, both. */
static bool numeric_text(const char *s, bool integer)
{
    char buf[64];
    size_t len = strlen(s);
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    while (len && isspace((unsigned char)*s)) {
        s++;
        len--;
    }
    if (!len || len >= sizeof buf) return false;
    memcpy(buf, s, len);
    buf[len] = '\0';
    for (const char *p = buf; *p; p++) /* no inf, nan or hexadecimal */
        if (!isdigit((unsigned char)*p) && !strchr(integer ? "+-" : "+-.eE", *p)) return false;
    char *end;
    errno = 0;
    if (integer)
        (void)strtoll(buf, &end, 10);
    else
        (void)strtod(buf, &end);
    return *end == '\0' && errno == 0;
}

/* Whether s is a decimal's text of any length: a sign, digits with a point among or after
 * them, an exponent; spaces around (what numeric_text takes, without its length limit). */
static bool decimal_text(const char *s)
{
    s += strspn(s, " \t\n\r");
    s += *s == '+' || *s == '-';
    size_t digits = strspn(s, "0123456789");
    s += digits;
    if (*s == '.') {
        size_t more = strspn(s + 1, "0123456789");
        digits += more;
        s += 1 + more;
    }
    if (digits && (*s == 'e' || *s == 'E')) {
        s += 1 + (s[1] == '+' || s[1] == '-');
        size_t e = strspn(s, "0123456789");
        if (!e) return false;
        s += e;
    }
    return digits && s[strspn(s, " \t\n\r")] == '\0';
}

int rli_value_fits(rl_db *db, const model_info *mi, const rl_field *f, const rl_value *v,
                   const char *op)
{
    if (v->type == RL_V_DEFAULT) /* an insert takes the column's default; elsewhere refused */
        return strncmp(op, "insert", 6) == 0 ? RL_OK : rli_params_check(db, v, 1, op);
    if (f->ctype != RL_CT_VALUE || v->type == RL_V_NULL) return RL_OK;
    const char *takes = NULL;
    switch (f->kind) {
    case RL_KIND_INTEGER:
        if (v->type == RL_V_INT || (v->type == RL_V_TEXT && numeric_text(v->u.s, true)))
            return RL_OK;
        takes = "an integer (INTEGER)";
        break;
    case RL_KIND_REAL:
        if (v->type == RL_V_INT || (v->type == RL_V_REAL && isfinite(v->u.r)) ||
            (v->type == RL_V_TEXT && numeric_text(v->u.s, false)))
            return RL_OK;
        takes = "a number (REAL)";
        break;
    case RL_KIND_NUMERIC:
        if (v->type == RL_V_INT || (v->type == RL_V_REAL && isfinite(v->u.r)) ||
            (v->type == RL_V_TEXT && decimal_text(v->u.s)))
            return RL_OK;
        takes = "a decimal number (NUMERIC)";
        break;
    case RL_KIND_BOOLEAN:
        if (v->type == RL_V_INT && (v->u.i == 0 || v->u.i == 1)) return RL_OK;
        takes = "true or false (BOOLEAN)";
        break;
    default:
        return RL_OK;
    }
    char *lit = rli_value_literal(v);
    const char *col = f->column ? f->column : f->name;
    rli_err_set(db, RL_ETYPE, "%s %s: %s takes %s, and %s is not one.", op, mi->table, col, takes,
                lit ? lit : "the value");
    free(lit);
    db->e.err.table = rli_err_str(db, mi->table);
    db->e.err.column = rli_err_str(db, col);
    if (v->type == RL_V_TEXT) db->e.err.value = rli_err_str(db, v->u.s);
    return RL_ETYPE;
}

int rli_row_fits(rl_db *db, const model_info *mi, const void *row, const char *op)
{
    const rl_model *m = mi->model;
    if (!m->nfields || m->fields[0].ctype != RL_CT_VALUE) return RL_OK; /* declared models */
    int code = RL_OK;
    for (size_t i = 0; i < m->nfields && code == RL_OK; i++) {
        rl_value v = rli_field_value(&m->fields[i], row);
        code = rli_value_fits(db, mi, &m->fields[i], &v, op);
    }
    return code;
}

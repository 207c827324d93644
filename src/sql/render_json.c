/*
 * A column read through a JSON path (render.h's 'C' and 'O' tokens, encoded by
 * core/jsonpath.c).  PostgreSQL: the operators on the column as jsonb, the keys as literals,
 * (to_jsonb(col) -> 'a' -> 0 ->> 'b').  SQLite: one JSON path text ('$."a"[0]."b"', an index
 * from the end '[#-1]') read where the column holds valid JSON (else NULL): as text, a value
 * as PostgreSQL's ->> gives it (a string's text, a number's digits, true and false, an
 * object's JSON); as JSON, the -> operator's minified JSON, or, to order by, the value as SQL.
 */
#include "render_int.h"

#include <stdlib.h>
#include <string.h>

static int hex_value(char c)
{
    return c >= 'a' ? c - 'a' + 10 : c - '0';
}

/* The step at *p (its kind into *index, its text decoded into out, which holds 1001 bytes);
 * *p moves past it. */
static void step(const char **p, bool *index, char *out)
{
    const char *s = *p;
    *index = s[0] == 'i';
    size_t len = 0;
    for (int i = 1; i <= 4; i++)
        len = len * 16 + (size_t)hex_value(s[i]);
    s += 5;
    for (size_t i = 0; i < len && i < 1000; i++, s += 2)
        out[i] = (char)(hex_value(s[0]) * 16 + hex_value(s[1]));
    out[len < 1000 ? len : 1000] = '\0';
    *p = s;
}

/* fn(col, 'path'): a JSON function of column code at path (SQLite's text of one). */
static void call(render *r, const char *fn, int code, const char *path)
{
    rli_sb_puts(r->b, fn);
    rli_sb_puts(r->b, "(");
    rli_r_column_ref(r, code);
    rli_sb_puts(r->b, ", ");
    rli_sb_literal(r->b, path);
    rli_sb_puts(r->b, ")");
}

void rli_r_json_path(render *r, int code, const char *path, size_t len, bool order)
{
    const char *end = path + len - 1; /* 't' or 'j' */
    bool text = *end == 't', index;
    char key[1001];
    if (!r->d->json_path_text) {
        rli_sb_puts(r->b, "(to_jsonb(");
        rli_r_column_ref(r, code);
        rli_sb_puts(r->b, ")");
        for (const char *p = path; p < end;) {
            step(&p, &index, key);
            rli_sb_puts(r->b, p == end && text ? " ->> " : " -> ");
            if (index)
                rli_sb_puts(r->b, key);
            else
                rli_sb_escape_literal(r->b, key);
        }
        rli_sb_puts(r->b, ")");
        return;
    }
    strbuf at;
    rli_sb_init(&at);
    rli_sb_puts(&at, "$");
    for (const char *p = path; p < end;) {
        step(&p, &index, key);
        if (index && key[0] == '-')
            rli_sb_printf(&at, "[#%s]", key);
        else if (index)
            rli_sb_printf(&at, "[%s]", key);
        else
            rli_sb_printf(&at, ".\"%s\"", key);
    }
    rli_sb_puts(r->b, "(CASE WHEN json_valid(");
    rli_r_column_ref(r, code);
    rli_sb_puts(r->b, ") THEN ");
    if (text) { /* true and false as words, other values as their text */
        rli_sb_puts(r->b, "(CASE ");
        call(r, "json_type", code, at.s);
        rli_sb_puts(r->b, " WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' ELSE CAST(");
        call(r, "json_extract", code, at.s);
        rli_sb_puts(r->b, " AS TEXT) END)");
    } else if (order) { /* the value as SQL orders it */
        call(r, "json_extract", code, at.s);
    } else { /* the value as JSON text, as -> gives it (SQLite 3.38), with 3.37's functions */
        rli_sb_puts(r->b, "(CASE WHEN ");
        call(r, "json_type", code, at.s);
        rli_sb_puts(r->b, " IN ('true', 'false', 'null') THEN ");
        call(r, "json_type", code, at.s);
        rli_sb_puts(r->b, " WHEN ");
        call(r, "json_type", code, at.s);
        rli_sb_puts(r->b, " IS NOT NULL THEN json_quote(");
        call(r, "json_extract", code, at.s);
        rli_sb_puts(r->b, ") END)");
    }
    rli_sb_puts(r->b, " END)");
    rli_sb_free(&at);
}

/*
 * The SQL renderer's writes: INSERT (with RETURNING where the dialect has it), UPDATE's SET
 * list and the upsert (INSERT ... ON CONFLICT DO UPDATE).  The WHERE of an UPDATE is
 * render.c's, as for every statement.
 */
#include "render_int.h"

/* "[pk, ]a, b, c": the columns of s->columns. */
static void column_list(render *r)
{
    const rls_table *t = r->s->t;
    bool first = true;
    if (r->s->with_pk && t->pk) {
        rli_sb_ident(r->b, t->pk);
        first = false;
    }
    for (size_t i = 0; i < t->ncolumns; i++) {
        if (!(r->s->columns & (1ULL << i))) continue;
        if (!first) rli_sb_puts(r->b, ", ");
        rli_sb_ident(r->b, t->columns[i]);
        first = false;
    }
}

static size_t column_count(const rls_stmt *s)
{
    return (size_t)__builtin_popcountll(s->columns) + (s->with_pk && s->t->pk ? 1 : 0);
}

/* " RETURNING pk, a, b" of an INSERT, when the dialect has it and something is asked for. */
static void returning(render *r)
{
    const rls_stmt *s = r->s;
    bool pk = s->returning_pk && s->t->pk;
    if (!r->d->returning || (!pk && !s->returning)) return;
    rli_sb_puts(r->b, " RETURNING ");
    if (pk) rli_sb_ident(r->b, s->t->pk);
    bool first = !pk;
    for (size_t i = 0; i < s->t->ncolumns; i++) {
        if (!(s->returning & (1ULL << i))) continue;
        if (!first) rli_sb_puts(r->b, ", ");
        rli_r_column_read(r, (int)i);
        first = false;
    }
}

void rli_r_insert(render *r)
{
    rli_sb_puts(r->b, "INSERT INTO ");
    rli_sb_ident(r->b, r->s->t->name);
    size_t n = column_count(r->s);
    if (n == 0) {
        rli_sb_puts(r->b, " DEFAULT VALUES");
        returning(r);
        return;
    }
    rli_sb_puts(r->b, " (");
    column_list(r);
    rli_sb_puts(r->b, ") VALUES (");
    const rls_stmt *s = r->s;
    bool first = true;
    for (int i = -1; i < (int)s->t->ncolumns; i++) { /* column_list's columns, in its order */
        if (i < 0 ? !(s->with_pk && s->t->pk) : !(s->columns & (1ULL << i))) continue;
        if (!first) rli_sb_puts(r->b, ", ");
        rli_r_value_param(r, i < 0 ? RLS_PK : i);
        first = false;
    }
    rli_sb_puts(r->b, ")");
    returning(r);
}

/* The unqualified name of a field code of the statement's table. */
static const char *name_of(const rls_table *t, int code)
{
    return code == RLS_PK ? t->pk : t->columns[code];
}

static void set_one(render *r, int code, bool first, const char *sql)
{
    rli_sb_puts(r->b, first ? " SET " : ", ");
    rli_sb_ident(r->b, name_of(r->s->t, code));
    rli_sb_puts(r->b, " = ");
    if (sql)
        rli_sb_puts(r->b, sql);
    else
        rli_r_value_param(r, code);
}

void rli_r_update(render *r)
{
    const rls_stmt *s = r->s;
    rli_sb_puts(r->b, "UPDATE ");
    rli_sb_ident(r->b, s->t->name);
    if (r->qualify) rli_sb_puts(r->b, " AS t0");
    bool first = true;
    if (s->nset) {
        for (size_t i = 0; i < s->nset; i++, first = false)
            set_one(r, s->set[i], first, s->set_sql ? s->set_sql[i] : NULL);
        return;
    }
    if (s->with_pk && s->t->pk) {
        set_one(r, RLS_PK, true, NULL);
        first = false;
    }
    for (size_t i = 0; i < s->t->ncolumns; i++)
        if (s->columns & (1ULL << i)) {
            set_one(r, (int)i, first, NULL);
            first = false;
        }
}

/* INSERT ... ON CONFLICT (target) DO UPDATE SET each written column that is not part of the
 * target to the value the insert brought, RETURNING the key: the row is updated in place,
 * never deleted and inserted again. */
void rli_r_upsert(render *r)
{
    const rls_stmt *s = r->s;
    rli_r_insert(r);
    rli_sb_puts(r->b, " ON CONFLICT (");
    bool first = true;
    for (size_t i = 0; i < s->t->ncolumns; i++)
        if (s->conflict & (1ULL << i)) {
            if (!first) rli_sb_puts(r->b, ", ");
            rli_sb_ident(r->b, s->t->columns[i]);
            first = false;
        }
    if (first) rli_sb_ident(r->b, s->t->pk);
    rli_sb_puts(r->b, ") DO UPDATE SET ");
    first = true;
    for (size_t i = 0; i < s->t->ncolumns; i++) {
        if (!(s->columns & (1ULL << i)) || (s->conflict & (1ULL << i))) continue;
        if (!first) rli_sb_puts(r->b, ", ");
        rli_sb_ident(r->b, s->t->columns[i]);
        rli_sb_puts(r->b, " = excluded.");
        rli_sb_ident(r->b, s->t->columns[i]);
        first = false;
    }
    if (first) { /* nothing else to write: a no-op update, so that RETURNING has the row; a
                  * column of the target, which the row met holds already (never the key when
                  * the target is another: excluded's key is the one the insert would draw) */
        const char *c = NULL;
        for (size_t i = 0; i < s->t->ncolumns && !c; i++)
            if (s->conflict & (1ULL << i)) c = s->t->columns[i];
        if (!c) c = s->t->pk;
        rli_sb_ident(r->b, c);
        rli_sb_puts(r->b, " = excluded.");
        rli_sb_ident(r->b, c);
    }
    if (s->t->pk) {
        rli_sb_puts(r->b, " RETURNING ");
        rli_sb_ident(r->b, s->t->pk);
    }
}

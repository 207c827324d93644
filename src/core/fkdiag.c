/*
 * Foreign-key diagnosis that needs no engine: a model row's keys probed one by one against
 * their parents, and the sentence for a parent that is still referenced.
 *
 * Engines count foreign-key violations but do not say which key or row caused them (SQLite),
 * or say it in their own words (PostgreSQL), so a failed write through a model is explained
 * after the fact, and only after a failure (the success path pays nothing): each of the
 * row's non-NULL keys is looked up in its parent table, and every key without a parent is
 * named.  Parent-side failures and raw statements need the engine's catalog and are the
 * backend's (diag_parent, fail).
 */
#include "db.h"
#include "error.h"
#include "fkdiag.h"
#include "model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int rli_key_by_constraint(rl_db *db, const char *table, const char *constraint, model_info **mi,
                          size_t *field)
{
    if (!table || !constraint) return RL_ENOTFOUND;
    char name[RLI_FK_NAME_MAX];
    for (size_t k = 0; k < db->models_cap; k++) {
        model_info *m = db->models[k];
        if (!m || m->status != 0 || strcmp(m->table, table) != 0) continue;
        rli_key key;
        for (int ki = -1; rli_key_next(m, &ki, &key);) {
            rli_fk_name(m, ki, name);
            if (strcmp(name, constraint) != 0) continue;
            *mi = m;
            *field = (size_t)ki;
            return RL_OK;
        }
    }
    return RL_ENOTFOUND;
}

/* rlb_keys.find over the models seen on db (ctx). */
static bool model_key(void *ctx, const char *table, const char *constraint, rlb_key *out)
{
    rl_db *db = ctx;
    model_info *mi, *parent;
    size_t i;
    if (rli_key_by_constraint(db, table, constraint, &mi, &i) != RL_OK || i >= RLI_CKEY)
        return false; /* a composite key: told from the row (rli_diag_child_row) */
    const rl_field *f = &mi->model->fields[i];
    bool known = rli_model_lookup(db, f->references, &parent) == RL_OK;
    *out = (rlb_key){.child_column = mi->columns[i],
                     .parent_table = known ? parent->table : NULL,
                     .parent_column = known ? parent->pk_column : NULL,
                     /* as the DDL spells them */
                     .on_delete = f->on_delete == RL_ACTION_DEFAULT ? RL_RESTRICT : f->on_delete,
                     .on_update = f->on_update == RL_ACTION_DEFAULT ? RL_RESTRICT : f->on_update};
    return true;
}

rlb_keys rli_model_keys(rl_db *db)
{
    return (rlb_keys){model_key, db};
}

/* Whether the n values v of a row's key have a parent row, its columns codes (a failed probe
 * counts as "has one": only a key proved broken is reported). */
static bool has_parent(rl_db *db, model_info *parent, const rli_key *k, const rl_value *v)
{
    static const char hex[] = "0123456789abcdef";
    char shape[4 * RLS_KEY_MAX + 1];
    for (int i = 0; i < k->n; i++) {
        int code = k->parent[i];
        char *t = shape + 4 * i;
        t[0] = 'c', t[1] = hex[(code >> 4) & 15], t[2] = hex[code & 15], t[3] = 'A' + RL_EQ;
    }
    shape[4 * k->n] = '\0';
    bool by_pk = k->n == 1 && k->parent[0] == RLS_PK;
    rls_stmt probe = {.kind = RLS_EXISTS,
                      .t = &parent->rt,
                      .where = by_pk ? RLS_WHERE_PK : RLS_WHERE_SHAPE,
                      .shape = shape};
    strbuf sql;
    rli_sb_init(&sql);
    rli_render(db->be->dialect, &probe, &sql);
    rlb_stmt *st = NULL;
    bool ready = !sql.oom && db->be->prepare(db->conn, sql.s, false, &st) == RLB_OK;
    rli_sb_free(&sql);
    if (!ready) return true;
    for (int i = 0; i < k->n; i++)
        db->be->bind(st, i + 1, &v[i]);
    bool found = db->be->step(st) == RLB_ROW && db->be->column_int64(st, 0) != 0;
    db->be->finalize(st);
    return found;
}

/* "a" or "a, b": the columns (names of mi, or of the parent when parent) of key k, and its
 * values as SQL literals into vals ("1" or "(1, 'x')"), each ended by a NUL. */
static void key_words(strbuf *cols, strbuf *vals, const model_info *mi, const model_info *parent,
                      const rli_key *k, const rl_value *v)
{
    for (int i = 0; i < k->n; i++) {
        const char *c =
            parent ? (k->parent[i] == RLS_PK ? parent->pk_column : parent->columns[k->parent[i]])
                   : mi->columns[k->child[i]];
        rli_sb_puts(cols, i ? ", " : "");
        rli_sb_puts(cols, c);
        if (vals) {
            char *lit = rli_value_literal(&v[i]);
            rli_sb_puts(vals, i ? ", " : k->n > 1 ? "(" : "");
            rli_sb_puts(vals, lit ? lit : "?");
            free(lit);
        }
    }
    rli_sb_putn(cols, "", 1);
    if (vals) rli_sb_puts(vals, k->n > 1 ? ")" : "");
    if (vals) rli_sb_putn(vals, "", 1);
}

int rli_diag_child_row(rl_db *db, model_info *mi, const void *row, const char *op, int engine_code)
{
    /* an engine that names the failed key (PostgreSQL) is believed without a probe, which
     * could not run anyway in the transaction the failure aborted */
    const char *table = NULL, *constraint = NULL;
    model_info *named = NULL;
    size_t only = 0;
    if (db->be->failed_key && db->be->failed_key(db->conn, &table, &constraint) &&
        (rli_key_by_constraint(db, table, constraint, &named, &only) != RL_OK || named != mi))
        return RL_OK;
    strbuf msg, cols, pcols, vals;
    rli_sb_init(&msg);
    rli_sb_init(&cols);
    rli_sb_init(&pcols);
    rli_sb_init(&vals);
    rl_fk_detail first = {0};
    size_t found = 0;
    rli_key k;
    for (int ki = -1; rli_key_next(mi, &ki, &k);) {
        bool deferrable = ki < RLI_CKEY ? mi->model->fields[ki].deferrable
                                        : mi->model->keys[ki - RLI_CKEY].deferrable;
        if (named ? ki != (int)only : deferrable) continue;
        rl_value v[RLS_KEY_MAX];
        bool null = false;
        for (int i = 0; i < k.n; i++) {
            v[i] = rli_field_value(&mi->model->fields[k.child[i]], row);
            null = null || v[i].type == RL_V_NULL;
        }
        model_info *parent;
        if (null || rli_model_lookup(db, k.target, &parent) != RL_OK) continue;
        if (!named && has_parent(db, parent, &k, v)) continue;
        size_t c0 = cols.len, p0 = pcols.len, v0 = vals.len;
        key_words(&cols, &vals, mi, NULL, &k, v);
        key_words(&pcols, NULL, mi, parent, &k, v);
        rli_sb_puts(&msg, found ? "; " : "");
        rli_sb_printf(&msg,
                      k.n > 1 ? "(%s) = %s has no matching row in %s(%s)"
                              : "%s = %s has no matching row in %s(%s)",
                      cols.s + c0, vals.s + v0, parent->table, pcols.s + p0);
        if (!found) {
            first.child_table = mi->table;
            first.parent_table = parent->table;
        }
        found++;
    }
    int code = RL_OK;
    if (found && !msg.oom && !cols.oom && !pcols.oom && !vals.oom) {
        /* the first key's words: the first NUL-ended piece of each buffer */
        first.child_column = cols.s;
        first.parent_column = pcols.s;
        first.value = vals.s;
        strbuf b;
        rli_sb_init(&b);
        rli_sb_printf(&b, "%s: %s.", op, sb_str(&msg));
        code = rli_err_fk(db, &first, engine_code, &b);
    }
    rli_sb_free(&msg);
    rli_sb_free(&cols);
    rli_sb_free(&pcols);
    rli_sb_free(&vals);
    return code;
}

/* "pk = 3 is still referenced by 2 rows of books(author_id) (ON DELETE RESTRICT)" */
void rli_fk_referenced_sentence(strbuf *b, const char *op, const rl_fk_detail *d, const char *verb)
{
    rli_sb_printf(b, "%s: ", op);
    if (d->value[0])
        rli_sb_printf(b, "%s = %s", d->parent_column, d->value);
    else
        rli_sb_printf(b, "%s(%s)", d->parent_table, d->parent_column);
    if (d->action == RL_SET_DEFAULT)
        rli_sb_printf(b,
                      " is referenced by %lld row%s of %s(%s) whose ON %s SET DEFAULT value has no "
                      "matching row in %s(%s).",
                      (long long)d->referencing, d->referencing == 1 ? "" : "s", d->child_table,
                      d->child_column, verb, d->parent_table, d->parent_column);
    else if (d->referencing < 0) /* not counted: the failure aborted the transaction */
        rli_sb_printf(b, " is still referenced by rows of %s(%s) (ON %s %s).", d->child_table,
                      d->child_column, verb, rl_action_name(d->action));
    else
        rli_sb_printf(b, " is still referenced by %lld row%s of %s(%s) (ON %s %s).",
                      (long long)d->referencing, d->referencing == 1 ? "" : "s", d->child_table,
                      d->child_column, verb, rl_action_name(d->action));
}

/* One SQL literal at *p into b (false: it is NULL); *p moves past it.  In a list (several),
 * an unquoted literal ends at ',' or ')'. */
static bool key_literal(strbuf *b, const char **p, bool several)
{
    const char *s = *p;
    if (*s == '\'') {
        for (s++; *s && !(*s == '\'' && s[1] != '\''); s++) {
            rli_sb_putn(b, s, 1);
            s += *s == '\'';
        }
        *p = *s ? s + 1 : s;
        return true;
    }
    size_t n = (*s == 'X' || *s == 'x') && s[1] == '\'' ? 3 + strcspn(s + 2, "'")
               : several                                ? strcspn(s, ",)")
                                                        : strlen(s);
    *p = s + n;
    if (n == 4 && strncmp(s, "NULL", 4) == 0) return false;
    rli_sb_putn(b, s, n);
    return true;
}

size_t rl_key_values(const char *literals, char **out, size_t max)
{
    if (!literals || !out) return 0;
    const char *p = literals;
    bool several = *p == '(', oom = false;
    p += several;
    size_t n = 0;
    while (*p && n < max && !(several && *p == ')')) {
        strbuf b;
        rli_sb_init(&b);
        bool value = key_literal(&b, &p, several);
        char *v = value ? rli_sb_take(&b) : NULL; /* "" too is a value */
        if (!value) rli_sb_free(&b);
        oom = oom || (value && !v);
        out[n++] = v;
        p += strspn(p, ", ");
        if (!several) break;
    }
    if (oom) {
        while (n)
            free(out[--n]);
    }
    return n;
}

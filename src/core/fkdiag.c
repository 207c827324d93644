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
        for (size_t i = 0; i < m->model->nfields; i++) {
            if (!m->model->fields[i].references) continue;
            rli_fk_name(m, i, name);
            if (strcmp(name, constraint) != 0) continue;
            *mi = m;
            *field = i;
            return RL_OK;
        }
    }
    return RL_ENOTFOUND;
}

/* Whether key field i of row has a parent row (a failed probe counts as "has one": only
 * a key proved broken is reported). */
static bool has_parent(rl_db *db, model_info *parent, int code, const rl_value *v)
{
    static const char hex[] = "0123456789abcdef";
    char shape[] = {'c', hex[(code >> 4) & 15], hex[code & 15], 'a' + RL_EQ, '\0'};
    rls_stmt probe = {.kind = RLS_EXISTS,
                      .t = &parent->rt,
                      .where = code == RLS_PK ? RLS_WHERE_PK : RLS_WHERE_SHAPE,
                      .shape = shape};
    strbuf sql;
    rli_sb_init(&sql);
    rli_render(db->be->dialect, &probe, &sql);
    rlb_stmt *st = NULL;
    bool ready = !sql.oom && db->be->prepare(db->conn, sql.s, false, &st) == RLB_OK;
    rli_sb_free(&sql);
    if (!ready) return true;
    db->be->bind(st, 1, v);
    bool found = db->be->step(st) == RLB_ROW && db->be->column_int64(st, 0) != 0;
    db->be->finalize(st);
    return found;
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
    const rl_model *m = mi->model;
    strbuf msg;
    rli_sb_init(&msg);
    rl_fk_detail first = {0};
    char *firstv = NULL;
    size_t found = 0;
    for (size_t i = 0; i < m->nfields; i++) {
        const rl_field *f = &m->fields[i];
        if (!f->references || (named ? i != only : f->deferrable)) continue;
        rl_value v = rli_field_value(f, row);
        if (v.type == RL_V_NULL) continue;
        model_info *parent;
        if (rli_model_lookup(db, f->references, &parent) != RL_OK) continue;
        if (!named && has_parent(db, parent, mi->ref[i], &v)) continue;
        char *val = rli_value_literal(&v);
        const char *to = mi->ref[i] == RLS_PK ? parent->pk_column : parent->columns[mi->ref[i]];
        rli_sb_puts(&msg, found ? "; " : "");
        rli_sb_printf(&msg, "%s = %s has no matching row in %s(%s)", mi->columns[i],
                      val ? val : "?", parent->table, to);
        if (!found) {
            first.child_table = mi->table;
            first.child_column = mi->columns[i];
            first.parent_table = parent->table;
            first.parent_column = to;
            firstv = val;
        } else {
            free(val);
        }
        found++;
    }
    if (!found) {
        rli_sb_free(&msg);
        return RL_OK;
    }
    first.value = firstv ? firstv : "";
    strbuf b;
    rli_sb_init(&b);
    rli_sb_printf(&b, "%s: %s.", op, sb_str(&msg));
    rli_sb_free(&msg);
    int code = rli_err_fk(db, &first, engine_code, &b);
    free(firstv);
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

/*
 * Migrations, the diff: how two values of the one schema representation differ, as a list of
 * changes (tables added, dropped or changed, with their columns; indexes, views and triggers)
 * and in words ("column added: x; ON DELETE of author_id: NO ACTION -> CASCADE").
 * Engine-neutral: it compares only what introspection put into the values, once; each
 * backend's plan carries the changes out (migrate.h).
 */
#include "migrate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

bool rli_same_name(const char *a, const char *b)
{
    if (!a || !b) return a == b;
    return strcasecmp(a, b) == 0;
}

static bool fk_same_target(const sch_fk *a, const sch_fk *b)
{
    return rli_same_name(a->from, b->from) && rli_same_name(a->parent, b->parent) &&
           rli_same_name(a->to, b->to);
}

/* t's constraint of k's kind and definition (t may be NULL), or NULL. */
static const sch_constraint *same_constraint(const sch_table *t, const sch_constraint *k)
{
    for (size_t i = 0; t && i < t->ncons; i++)
        if (t->cons[i].kind == k->kind && strcmp(t->cons[i].def, k->def) == 0) return &t->cons[i];
    return NULL;
}

/* Words for what differs between two versions of a table. */
static void describe_table_change(const sch_table *c, const sch_table *t, strbuf *why)
{
    size_t before = why->len;
#define REASON(...)                                                                                \
    do {                                                                                           \
        rli_sb_puts(why, why->len > before ? "; " : "");                                           \
        rli_sb_printf(why, __VA_ARGS__);                                                           \
    } while (0)
    for (size_t i = 0; i < t->ncols; i++) {
        const sch_column *tc = &t->cols[i], *cc = rli_table_column(c, tc->name);
        if (!cc) {
            REASON("column %s added", tc->name);
            continue;
        }
        if (!rli_same_name(cc->type, tc->type))
            REASON("column %s: type %s -> %s", tc->name, cc->type, tc->type);
        if (cc->notnull != tc->notnull)
            REASON("column %s: NOT NULL %s", tc->name, tc->notnull ? "added" : "removed");
        if (!rli_same_name(cc->dflt, tc->dflt))
            REASON("column %s: default %s -> %s", tc->name, cc->dflt ? cc->dflt : "none",
                   tc->dflt ? tc->dflt : "none");
        if (cc->pk != tc->pk) REASON("column %s: primary key changed", tc->name);
        if (cc->hidden != tc->hidden) REASON("column %s: generated/hidden changed", tc->name);
    }
    for (size_t i = 0; i < c->ncols; i++)
        if (!rli_table_column(t, c->cols[i].name)) REASON("column %s dropped", c->cols[i].name);
    for (size_t i = 0; i < t->nfks; i++) {
        const sch_fk *tf = &t->fks[i];
        const sch_fk *cf = NULL;
        for (size_t k = 0; k < c->nfks && !cf; k++)
            if (fk_same_target(&c->fks[k], tf)) cf = &c->fks[k];
        const char *to = tf->to[0] ? tf->to : "primary key";
        if (!cf) {
            REASON("foreign key (%s) -> %s(%s) added with ON DELETE %s ON UPDATE %s", tf->from,
                   tf->parent, to, tf->on_delete, tf->on_update);
            continue;
        }
        if (!rli_same_name(cf->on_delete, tf->on_delete))
            REASON("foreign key (%s) -> %s(%s): ON DELETE %s -> %s", tf->from, tf->parent, to,
                   cf->on_delete, tf->on_delete);
        if (!rli_same_name(cf->on_update, tf->on_update))
            REASON("foreign key (%s) -> %s(%s): ON UPDATE %s -> %s", tf->from, tf->parent, to,
                   cf->on_update, tf->on_update);
    }
    for (size_t i = 0; i < c->nfks; i++) {
        bool kept = false;
        for (size_t k = 0; k < t->nfks; k++)
            kept = kept || fk_same_target(&c->fks[i], &t->fks[k]);
        if (!kept) REASON("foreign key (%s) -> %s removed", c->fks[i].from, c->fks[i].parent);
    }
    for (size_t i = 0; i < t->ncons; i++) /* engines that state their constraints */
        if (t->cons[i].kind != 'f' && !same_constraint(c, &t->cons[i]))
            REASON("%s added", t->cons[i].def);
    for (size_t i = 0; i < c->ncons; i++)
        if (c->cons[i].kind != 'f' && !same_constraint(t, &c->cons[i]))
            REASON("%s removed", c->cons[i].def);
    if (c->deferrable != t->deferrable) REASON("DEFERRABLE keys changed");
    if (c->strict != t->strict) REASON("STRICT %s", t->strict ? "added" : "removed");
    if (c->without_rowid != t->without_rowid)
        REASON("WITHOUT ROWID %s", t->without_rowid ? "added" : "removed");
    if (c->autoincrement != t->autoincrement)
        REASON("AUTOINCREMENT %s", t->autoincrement ? "added" : "removed");
    if (c->checks != t->checks && !c->ncons && !t->ncons) REASON("CHECK constraints changed");
    if (why->len == before) REASON("definition differs (constraints, collations or names)");
#undef REASON
}

/* ---- the list of changes -------------------------------------------------------------------- */

static bool same_text(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static unsigned column_differs(const sch_column *c, const sch_column *t)
{
    return (rli_same_name(c->type, t->type) ? 0u : COL_TYPE) |
           (c->notnull == t->notnull ? 0u : COL_NOTNULL) |
           (same_text(c->dflt, t->dflt) ? 0u : COL_DEFAULT) | (c->pk == t->pk ? 0u : COL_PK) |
           (c->hidden == t->hidden ? 0u : COL_HIDDEN);
}

/* Whether the keys of c and t differ: a key to another target, or other actions. */
static bool keys_differ(const sch_table *c, const sch_table *t)
{
    if (c->nfks != t->nfks) return true;
    for (size_t i = 0; i < t->nfks; i++) {
        bool found = false;
        for (size_t k = 0; k < c->nfks && !found; k++)
            found = fk_same_target(&c->fks[k], &t->fks[i]) &&
                    rli_same_name(c->fks[k].on_delete, t->fks[i].on_delete) &&
                    rli_same_name(c->fks[k].on_update, t->fks[i].on_update);
        if (!found) return true;
    }
    return false;
}

static bool constraints_differ(const sch_table *c, const sch_table *t)
{
    if (c->ncons != t->ncons) return true;
    for (size_t i = 0; i < t->ncons; i++)
        if (!same_constraint(c, &t->cons[i])) return true;
    return false;
}

/* The constraints that go from c (NULL: none), come from t (NULL: none) and are renamed, into
 * ch; false when out of memory. */
static bool compare_constraints(const sch_table *c, const sch_table *t, table_change *ch)
{
    size_t nc = c ? c->ncons : 0, nt = t ? t->ncons : 0;
    ch->cons = calloc(nc + nt + 1, sizeof *ch->cons);
    if (!ch->cons) return false;
    for (size_t i = 0; i < nc; i++)
        if (!same_constraint(t, &c->cons[i]))
            ch->cons[ch->ncons++] = (con_change){&c->cons[i], NULL};
    for (size_t i = 0; i < nt; i++) {
        const sch_constraint *ck = same_constraint(c, &t->cons[i]);
        if (!ck || strcmp(ck->name, t->cons[i].name) != 0)
            ch->cons[ch->ncons++] = (con_change){ck, &t->cons[i]};
    }
    return true;
}

/* c and t (a table in both) compared into ch; false when out of memory. */
static bool compare_table(const sch_table *c, const sch_table *t, table_change *ch)
{
    *ch = (table_change){.cur = c, .tgt = t};
    ch->cols = calloc(c->ncols + t->ncols + 1, sizeof *ch->cols);
    if (!ch->cols) return false;
    bool structure = c->ncols != t->ncols;
    for (size_t i = 0; i < c->ncols; i++)
        if (!rli_table_column(t, c->cols[i].name)) {
            ch->cols[ch->ncols++] = (col_change){&c->cols[i], NULL, COL_DROPPED};
            structure = true;
        }
    for (size_t i = 0; i < t->ncols; i++) {
        const sch_column *cc = rli_table_column(c, t->cols[i].name);
        unsigned what = cc ? column_differs(cc, &t->cols[i]) : COL_ADDED;
        ch->cols[ch->ncols++] = (col_change){cc, &t->cols[i], what};
        structure |= what != 0;
    }
    ch->structure = structure || keys_differ(c, t) || constraints_differ(c, t) ||
                    c->strict != t->strict || c->without_rowid != t->without_rowid ||
                    c->autoincrement != t->autoincrement || c->is_virtual != t->is_virtual ||
                    c->deferrable != t->deferrable || c->checks != t->checks;
    ch->text = !same_text(c->norm, t->norm);
    if (!compare_constraints(c, t, ch)) return false;
    if (!ch->structure && !ch->text) return true;
    strbuf why;
    rli_sb_init(&why);
    if (c->is_virtual || t->is_virtual)
        rli_sb_puts(&why, "virtual table definition changed");
    else
        describe_table_change(c, t, &why);
    ch->why = why.oom ? NULL : rli_sb_take(&why);
    if (!ch->why) rli_sb_free(&why);
    return ch->why != NULL;
}

static bool add_object_changes(sch_diff *d, const char *kind, const sch_object *cur, size_t ncur,
                               const sch_object *tgt, size_t ntgt)
{
    object_change *o = realloc(d->objects, (d->nobjects + ncur + ntgt + 1) * sizeof *o);
    if (!o) return false;
    d->objects = o;
    for (size_t i = 0; i < ncur; i++) {
        const sch_object *t = rli_schema_object((sch_object *)tgt, ntgt, cur[i].name);
        if (!t || !same_text(t->norm, cur[i].norm))
            d->objects[d->nobjects++] = (object_change){kind, &cur[i], t};
    }
    for (size_t i = 0; i < ntgt; i++)
        if (!rli_schema_object((sch_object *)cur, ncur, tgt[i].name))
            d->objects[d->nobjects++] = (object_change){kind, NULL, &tgt[i]};
    return true;
}

bool rli_schema_diff(const schema *cur, const schema *tgt, sch_diff *d)
{
    *d = (sch_diff){.empty_target = tgt->ntables == 0 && cur->ntables > 0};
    d->tables = calloc(cur->ntables + tgt->ntables + 1, sizeof *d->tables);
    if (!d->tables) return false;
    for (size_t i = 0; i < tgt->ntables; i++) {
        const sch_table *t = &tgt->tables[i], *c = rli_schema_table(cur, t->name);
        table_change *ch = &d->tables[d->ntables];
        if (!c) {
            *ch = (table_change){.tgt = t, .structure = true, .text = true};
            if (!compare_constraints(NULL, t, ch)) return false;
        } else {
            bool ok = compare_table(c, t, ch);
            if (!ok || (!ch->structure && !ch->text)) {
                free(ch->cols);
                free(ch->cons);
                free(ch->why);
                *ch = (table_change){0};
                if (!ok) return false;
                continue;
            }
        }
        d->ntables++;
    }
    for (size_t i = 0; i < cur->ntables; i++)
        if (!rli_schema_table(tgt, cur->tables[i].name))
            d->tables[d->ntables++] =
                (table_change){.cur = &cur->tables[i], .structure = true, .text = true};
    return add_object_changes(d, "index", cur->indexes, cur->nindexes, tgt->indexes,
                              tgt->nindexes) &&
           add_object_changes(d, "view", cur->views, cur->nviews, tgt->views, tgt->nviews) &&
           add_object_changes(d, "trigger", cur->triggers, cur->ntriggers, tgt->triggers,
                              tgt->ntriggers);
}

void rli_schema_diff_free(sch_diff *d)
{
    for (size_t i = 0; i < d->ntables; i++) {
        free(d->tables[i].cols);
        free(d->tables[i].cons);
        free(d->tables[i].why);
    }
    free(d->tables);
    free(d->objects);
    *d = (sch_diff){0};
}

const table_change *rli_diff_table(const sch_diff *d, const char *name)
{
    for (size_t i = 0; i < d->ntables; i++) {
        const sch_table *t = d->tables[i].tgt ? d->tables[i].tgt : d->tables[i].cur;
        if (rli_same_name(t->name, name)) return &d->tables[i];
    }
    return NULL;
}

const object_change *rli_diff_object(const sch_diff *d, const char *kind, const char *name)
{
    for (size_t i = 0; i < d->nobjects; i++) {
        const object_change *o = &d->objects[i];
        if (strcmp(o->kind, kind) == 0 && rli_same_name((o->tgt ? o->tgt : o->cur)->name, name))
            return o;
    }
    return NULL;
}

/*
 * Migrations, the diff: how two values of the one schema representation differ, in words
 * ("column added: x; ON DELETE of author_id: NO ACTION -> CASCADE").  Engine-neutral: it
 * compares only what introspection put into the values.
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

const sch_constraint *rli_same_constraint(const sch_table *t, const sch_constraint *k)
{
    for (size_t i = 0; t && i < t->ncons; i++)
        if (t->cons[i].kind == k->kind && strcmp(t->cons[i].def, k->def) == 0) return &t->cons[i];
    return NULL;
}

/* Words for what differs between two versions of a table. */
void rli_describe_table_change(const sch_table *c, const sch_table *t, strbuf *why)
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
        if (t->cons[i].kind != 'f' && !rli_same_constraint(c, &t->cons[i]))
            REASON("%s added", t->cons[i].def);
    for (size_t i = 0; i < c->ncons; i++)
        if (c->cons[i].kind != 'f' && !rli_same_constraint(t, &c->cons[i]))
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

/* The target's column definition text for column name (from its CREATE TABLE). */

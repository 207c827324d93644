/*
 * Lint for a distributed PostgreSQL (Citus): with a distribution column, the tables that
 * have it are distributed, the others would be reference tables (a copy on every node).
 * Citus enforces a foreign key between distributed tables only when both sides carry the
 * distribution column at the same place (co-located rows), a key from a distributed table
 * to a reference table always, and a key from a reference table to a distributed one never;
 * a distributed table's primary key must hold the column.  Engine-neutral: it reads the
 * schema value, so a SQLite database can be checked before it moves.
 */
#include "migrate.h"
#include "core/db.h"
#include "core/error.h"

#include <stdlib.h>
#include <string.h>

typedef struct lint {
    rl_finding_fn fn;
    void *ctx;
    int64_t *count;
    bool stop;
} lint;

static void finding(lint *l, strbuf *m)
{
    if (l->stop || m->oom) return;
    rl_finding f = {.kind = RL_FINDING_LINT, .message = sb_str(m), .check = "citus"};
    if (l->count) ++*l->count;
    if (l->fn && l->fn(&f, l->ctx)) l->stop = true;
}

/* The item of a comma-separated list at *p, its spaces trimmed: its start, its length in
 * *len; *p moves to the next item (NULL after the last). */
static const char *list_item(const char **p, size_t *len)
{
    const char *item = *p + strspn(*p, " ");
    *len = strcspn(item, ",");
    *p = item[*len] ? item + *len + 1 : NULL;
    while (*len && item[*len - 1] == ' ')
        --*len;
    return item;
}

/* The position of column in the comma-separated list (from 0), or -1. */
static int position(const char *list, const char *column)
{
    size_t n = strlen(column), len;
    for (int i = 0; list && *list; i++) {
        const char *item = list_item(&list, &len);
        if (len == n && strncasecmp(item, column, n) == 0) return i;
    }
    return -1;
}

/* The primary key's columns of t, comma-separated in key order (into b), ", " between. */
static void primary_key(const sch_table *t, strbuf *b)
{
    for (int k = 1; k <= (int)t->ncols; k++)
        for (size_t i = 0; i < t->ncols; i++)
            if (t->cols[i].pk == k) {
                if (k > 1) rli_sb_puts(b, ", ");
                rli_sb_puts(b, t->cols[i].name);
            }
}

/* A comma-separated list of columns as "a, b" (engines write "a,b" or "a, b"). */
static void list_words(strbuf *m, const char *list)
{
    strbuf one;
    rli_sb_init(&one);
    size_t len;
    for (bool first = true; list && *list; first = false) {
        const char *item = list_item(&list, &len);
        one.len = 0;
        rli_sb_putn(&one, item, len);
        rli_sb_puts(m, first ? "" : ", ");
        rli_sb_name(m, sb_str(&one));
    }
    rli_sb_free(&one);
}

static void key_words(strbuf *m, const sch_table *t, const sch_fk *f, const char *to)
{
    rli_sb_name(m, t->name);
    rli_sb_puts(m, "(");
    list_words(m, f->from);
    rli_sb_puts(m, ") -> ");
    rli_sb_name(m, f->parent);
    rli_sb_puts(m, "(");
    list_words(m, to);
    rli_sb_puts(m, ")");
}

static void check_key(lint *l, const schema *s, const sch_table *t, const sch_fk *f,
                      const char *dist)
{
    const sch_table *p = rli_schema_table(s, f->parent);
    if (!p) return; /* a key to a missing table: the engine's own lint says so */
    bool t_dist = rli_table_column(t, dist) != NULL, p_dist = rli_table_column(p, dist) != NULL;
    if (!p_dist) return; /* to a reference table: always enforced */
    strbuf to, m;
    rli_sb_init(&to);
    rli_sb_init(&m);
    if (f->to && f->to[strspn(f->to, ", ")]) /* SQLite: ", " for the parent's primary key */
        rli_sb_puts(&to, f->to);
    else
        primary_key(p, &to);
    rli_sb_puts(&m, "lint: citus: ");
    if (!t_dist) {
        rli_sb_puts(&m, "the key ");
        key_words(&m, t, f, sb_str(&to));
        rli_sb_puts(&m, " goes from a reference table (");
        rli_sb_name(&m, t->name);
        rli_sb_puts(&m, " has no ");
        rli_sb_name(&m, dist);
        rli_sb_puts(&m, ") to a distributed one, which Citus cannot enforce: give ");
        rli_sb_name(&m, t->name);
        rli_sb_puts(&m, " a ");
        rli_sb_name(&m, dist);
        rli_sb_puts(&m, " column (distributed, co-located with ");
        rli_sb_name(&m, p->name);
        rli_sb_puts(&m, ") or make ");
        rli_sb_name(&m, p->name);
        rli_sb_puts(&m, " a reference table.");
        finding(l, &m);
    } else {
        int a = position(f->from, dist), b = position(sb_str(&to), dist);
        if (a < 0 || a != b) {
            rli_sb_puts(&m, "the key ");
            key_words(&m, t, f, sb_str(&to));
            rli_sb_puts(&m, " joins two distributed tables without ");
            rli_sb_name(&m, dist);
            rli_sb_puts(&m, " at the same place on both sides, which Citus cannot enforce: add ");
            rli_sb_name(&m, dist);
            rli_sb_puts(&m, " to the key on both sides (co-located rows) or make ");
            rli_sb_name(&m, p->name);
            rli_sb_puts(&m, " a reference table.");
            finding(l, &m);
        }
    }
    rli_sb_free(&to);
    rli_sb_free(&m);
}

int rli_citus_lint(rl_db *db, const char *dist, rl_finding_fn fn, void *ctx, int64_t *count)
{
    schema s = {0};
    int code = rli_schema_read(db, &s, "check: read the schema");
    if (code != RL_OK) {
        rli_schema_free(&s);
        return code;
    }
    lint l = {.fn = fn, .ctx = ctx, .count = count};
    size_t distributed = 0;
    for (size_t i = 0; i < s.ntables; i++)
        distributed += rli_table_column(&s.tables[i], dist) != NULL;
    strbuf m;
    rli_sb_init(&m);
    if (!distributed) {
        rli_sb_puts(&m, "lint: citus: no table has a column ");
        rli_sb_name(&m, dist);
        rli_sb_puts(&m, ", so none would be distributed by it.");
        finding(&l, &m);
    }
    for (size_t i = 0; i < s.ntables && !l.stop; i++) {
        const sch_table *t = &s.tables[i];
        if (rli_same_name(t->name, HISTORY_TABLE)) continue;
        m.len = 0;
        strbuf pk;
        rli_sb_init(&pk);
        primary_key(t, &pk);
        if (rli_table_column(t, dist) && pk.len && position(sb_str(&pk), dist) < 0) {
            rli_sb_puts(&m, "lint: citus: the primary key of distributed table ");
            rli_sb_name(&m, t->name);
            rli_sb_puts(&m, " (");
            rli_sb_name(&m, sb_str(&pk));
            rli_sb_puts(&m, ") does not hold ");
            rli_sb_name(&m, dist);
            rli_sb_puts(&m, ", which Citus requires: make it (");
            rli_sb_name(&m, dist);
            rli_sb_puts(&m, ", ");
            rli_sb_name(&m, sb_str(&pk));
            rli_sb_puts(&m, ").");
            finding(&l, &m);
        }
        rli_sb_free(&pk);
        for (size_t k = 0; k < t->nfks && !l.stop; k++)
            check_key(&l, &s, t, &t->fks[k], dist);
    }
    rli_sb_free(&m);
    rli_schema_free(&s);
    return m.oom ? rli_err_set(db, RL_ENOMEM, "Out of memory.") : RL_OK;
}

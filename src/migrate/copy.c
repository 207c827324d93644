/*
 * rl_copy: a database's tables and rows into another database, on either engine, through the
 * backend interface only (the statements are written by src/sql/copy.c for the destination's
 * dialect).
 *
 * One transaction on the destination.  Tables are created parents first; rows are read in
 * pages of their integer key (one query for a table without one) and inserted with one
 * prepared statement per table.  Keys: where the dialect can check them at COMMIT (SQLite's
 * defer_foreign_keys) they are declared with the table; elsewhere (PostgreSQL) they are added
 * after the rows, which checks every row.  Then rl_check's key survey runs inside the
 * transaction, so that a row without a parent is named and refuses the copy, and each
 * table's generated key is moved past the largest copied one (backend key_given).
 */
#include "migrate.h"
#include "sql/copy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE 10000

typedef struct copier {
    rl_db *src, *dst;
    const rl_copy_options *opts;
    strbuf left_out;
    int64_t total; /* rows of the table being copied */
} copier;

static void progress(const copier *k, const char *stage, const char *table, int64_t done,
                     int64_t total)
{
    if (k->opts && k->opts->progress)
        k->opts->progress(stage, table, done, total, k->opts->progress_ctx);
}

/* Run a prepared statement that returns no rows; a failure is diagnosed before the reset. */
static int step_write(rl_db *db, rlb_stmt *st, const char *op)
{
    int rc = db->be->step(st);
    int code = rc == RLB_DONE || rc == RLB_ROW ? RL_OK : rli_fail(db, st, rc, op);
    db->be->reset(st);
    return code;
}

/* Run one statement of the copy's own on db. */
static int run(rl_db *db, char *sql, const char *op)
{
    if (!sql) return rli_err_set(db, RL_ENOMEM, "Out of memory.");
    rlb_stmt *st = NULL;
    int code = rli_prepare_kept(db, sql, &st, op);
    if (code == RL_OK) code = step_write(db, st, op);
    db->be->finalize(st);
    free(sql);
    return code;
}

/* The value of column col of the source's current row, as what it holds. */
static rl_value read_value(const rl_backend *be, rlb_stmt *st, int col, rl_copy_kind kind)
{
    if (be->column_null(st, col)) return rl_null();
    rl_vtype t = be->column_type                               ? be->column_type(st, col)
                 : kind == RL_COPY_INT || kind == RL_COPY_BOOL ? RL_V_INT
                 : kind == RL_COPY_REAL                        ? RL_V_REAL
                 : kind == RL_COPY_BLOB_OR_ANY                 ? RL_V_BLOB
                                                               : RL_V_TEXT;
    size_t len;
    switch (t) {
    case RL_V_INT:
        return rl_int(be->column_int64(st, col));
    case RL_V_REAL:
        return rl_real(be->column_double(st, col));
    case RL_V_BLOB: {
        const void *b = be->column_blob(st, col, &len);
        return rl_blob_value(b, len);
    }
    case RL_V_TEXT:
        return rl_text(be->column_text(st, col, &len));
    default:
        return rl_null();
    }
}

/* Copy the rows of one page (or of the whole table); *rows and *max_key advance. */
static int copy_page(copier *k, const sch_table *t, rlb_stmt *sel, rlb_stmt *ins, int pk_col,
                     int64_t *rows, int64_t *max_key, bool *more)
{
    const rl_backend *sb = k->src->be, *db = k->dst->be;
    int rc;
    int64_t n = 0;
    while ((rc = sb->step(sel)) == RLB_ROW) {
        for (size_t c = 0; c < t->ncols; c++) {
            rl_value v = read_value(sb, sel, (int)c, rli_copy_kind(t->cols[c].type));
            if (db->bind(ins, (int)c + 1, &v) != RLB_OK)
                return rli_err_set(k->dst, RL_ENOMEM, "copy: a value of %s could not be bound.",
                                   t->name);
        }
        if (pk_col >= 0) *max_key = sb->column_int64(sel, pk_col);
        int code = step_write(k->dst, ins, "copy: insert");
        if (code != RL_OK) return code;
        n++;
        if (++*rows % PAGE == 0) progress(k, "copy", t->name, *rows, k->total);
    }
    if (rc != RLB_DONE) return rli_fail(k->src, sel, rc, "copy: read");
    *more = pk_col >= 0 && n == PAGE;
    return RL_OK;
}

static int count_rows(rl_db *db, const sch_table *t, int64_t *out)
{
    strbuf q;
    rli_sb_init(&q);
    rli_render_count(&q, NULL, t->name, NULL, NULL);
    char *sql = rli_sb_take(&q);
    rlb_stmt *st = NULL;
    int code = sql ? rli_prepare_kept(db, sql, &st, "copy: count") : RL_ENOMEM;
    int rc = code == RL_OK ? db->be->step(st) : RLB_DONE;
    if (rc == RLB_ROW)
        *out = db->be->column_int64(st, 0);
    else if (code == RL_OK)
        code = rli_fail(db, st, rc, "copy: count");
    db->be->finalize(st);
    free(sql);
    return code;
}

static int copy_rows(copier *k, const sch_table *t)
{
    const sch_column *pk = rli_copy_int_pk(t);
    int pk_col = pk ? (int)(pk - t->cols) : -1;
    char *sel_sql = rli_copy_select_sql(k->src->be->dialect, t, pk);
    char *ins_sql = rli_copy_insert_sql(k->dst->be->dialect, t);
    rlb_stmt *sel = NULL, *ins = NULL;
    int code = sel_sql && ins_sql ? RL_OK : rli_err_set(k->dst, RL_ENOMEM, "Out of memory.");
    if (code == RL_OK) code = rli_prepare_kept(k->src, sel_sql, &sel, "copy: read");
    if (code == RL_OK) code = rli_prepare_kept(k->dst, ins_sql, &ins, "copy: insert");
    int64_t rows = 0, max_key = INT64_MIN, total = -1;
    if (code == RL_OK) code = count_rows(k->src, t, &total);
    for (bool more = true; code == RL_OK && more;) {
        if (pk) {
            k->src->be->reset(sel);
            k->src->be->bind_int64(sel, 1, max_key);
            k->src->be->bind_int64(sel, 2, PAGE);
        }
        k->total = total;
        code = copy_page(k, t, sel, ins, pk_col, &rows, &max_key, &more);
    }
    if (code == RL_OK) progress(k, "copy", t->name, rows, total);
    if (code == RL_OK && pk && rows > 0 && k->dst->be->key_given)
        code = k->dst->be->key_given(k->dst, t->name, pk->name, max_key);
    if (code != RL_OK && k->src->err.code != RL_OK && k->dst->err.code == RL_OK)
        rli_err_set(k->dst, k->src->err.code, "%s", k->src->err.message);
    k->src->be->finalize(sel);
    k->dst->be->finalize(ins);
    free(sel_sql);
    free(ins_sql);
    return code;
}

/* Every table of the source, created on the destination. */
static int create_tables(copier *k, const schema *s)
{
    const rl_dialect *d = k->dst->be->dialect;
    for (size_t i = 0; i < s->ntables; i++) {
        int code =
            run(k->dst, rli_copy_create_sql(d, &s->tables[i], d->defer_keys != NULL, &k->left_out),
                "copy: create a table");
        if (code != RL_OK) return code;
    }
    return RL_OK;
}

/* Keys not declared with their tables, and an index on every key's columns. */
static int add_keys(copier *k, const schema *s)
{
    bool inline_keys = k->dst->be->dialect->defer_keys != NULL;
    for (size_t i = 0; i < s->ntables; i++) {
        const sch_table *t = &s->tables[i];
        for (size_t f = 0; f < t->nfks; f++) {
            int code = inline_keys ? RL_OK
                                   : run(k->dst, rli_copy_add_key_sql(t, &t->fks[f]),
                                         "copy: add a foreign key");
            if (code == RL_OK)
                code =
                    run(k->dst, rli_copy_key_index_sql(t, &t->fks[f]), "copy: index a foreign key");
            if (code != RL_OK) return code;
        }
    }
    return RL_OK;
}

static int first_finding(const rl_finding *f, void *ctx)
{
    rli_sb_puts(ctx, f->message);
    return 1;
}

/* rl_check's key survey inside the transaction: a row without a parent refuses the copy. */
static int check_keys(copier *k)
{
    progress(k, "check", NULL, 0, 0);
    strbuf first;
    rli_sb_init(&first);
    int64_t n = 0;
    rl_check_options no_lint = {.no_lint = true};
    int code = rl_check_ex(k->dst, &no_lint, first_finding, &first, &n);
    if (code == RL_OK && n > 0)
        code = rli_err_set(k->dst, RL_EFOREIGNKEY, "copy: refused, %s", sb_str(&first));
    rli_sb_free(&first);
    return code;
}

/* Whether name is the name the copy gives a key's index (an equal one is made there). */
static bool is_key_index(const schema *s, const char *name)
{
    bool found = false;
    for (size_t i = 0; i < s->ntables && !found; i++)
        for (size_t f = 0; f < s->tables[i].nfks && !found; f++) {
            char *n = rli_copy_key_index_name(&s->tables[i], &s->tables[i].fks[f]);
            found = n && rli_same_name(n, name);
            free(n);
        }
    return found;
}

static void list_left_out(copier *k, const schema *s)
{
    const struct {
        const sch_object *o;
        size_t n;
        const char *kind;
    } parts[] = {{s->indexes, s->nindexes, "index"},
                 {s->views, s->nviews, "view"},
                 {s->triggers, s->ntriggers, "trigger"}};
    for (size_t p = 0; p < 3; p++)
        for (size_t i = 0; i < parts[p].n; i++) {
            if (p == 0 && is_key_index(s, parts[p].o[i].name)) continue; /* made again */
            rli_sb_printf(&k->left_out, "%s ", parts[p].kind);
            rli_sb_name(&k->left_out, parts[p].o[i].name);
            rli_sb_puts(&k->left_out, "\n");
        }
    for (size_t i = 0; i < s->ntables; i++)
        if (s->tables[i].checks && !s->tables[i].ncons) {
            rli_sb_printf(&k->left_out, "%d CHECK constraint%s of ", s->tables[i].checks,
                          s->tables[i].checks == 1 ? "" : "s");
            rli_sb_name(&k->left_out, s->tables[i].name);
            rli_sb_puts(&k->left_out, "\n");
        }
}

/* What refuses a copy before anything happens: a table dst already has, a transaction. */
static int refusals(copier *k, const schema *s, const schema *have)
{
    if (k->dst->depth > 0 || k->dst->be->in_transaction(k->dst->conn))
        return rli_err_set(k->dst, RL_EMISUSE,
                           "copy: refused inside a transaction on the destination; commit or "
                           "roll back first.");
    for (size_t i = 0; i < s->ntables; i++)
        if (rli_schema_table(have, s->tables[i].name))
            return rli_err_set(k->dst, RL_EREFUSED,
                               "copy: refused, the destination already has a table %s; copy "
                               "into a database without the source's tables. Nothing was "
                               "changed.",
                               s->tables[i].name);
    return RL_OK;
}

static int copy_all(copier *k, const schema *s)
{
    int code = create_tables(k, s);
    for (size_t i = 0; code == RL_OK && i < s->ntables; i++)
        code = copy_rows(k, &s->tables[i]);
    if (code == RL_OK) code = add_keys(k, s);
    if (code == RL_OK) code = check_keys(k);
    return code;
}

/* Roll the copy's transaction back, keeping the error that ended it (and its key fields). */
static void abandon(rl_db *dst)
{
    rli_exec_sql(dst, "ROLLBACK");
    dst->depth = 0;
    rli_err_unnote(dst);
    char *why = strdup(rl_errmsg(dst));
    if (why) rli_err_reword(dst, "%s Nothing was copied; the destination is as it was.", why);
    free(why);
}

int rl_copy(rl_db *src, rl_db *dst, const rl_copy_options *opts, char **left_out)
{
    if (left_out) *left_out = NULL;
    if (!src || !dst || src == dst) return RL_EINVAL;
    rli_err_clear(src);
    rli_err_clear(dst);
    copier k = {.src = src, .dst = dst, .opts = opts};
    rli_sb_init(&k.left_out);
    schema s = {0}, have = {0};
    int code = rli_schema_read(src, &s, "copy: read the source schema");
    if (code != RL_OK) rli_err_set(dst, code, "%s", rl_errmsg(src));
    if (code == RL_OK) code = rli_schema_read(dst, &have, "copy: read the destination schema");
    if (code == RL_OK) code = refusals(&k, &s, &have);
    if (code == RL_OK) {
        rli_schema_parents_first(&s);
        list_left_out(&k, &s);
        code = rl_begin(dst);
        if (code == RL_OK && dst->be->dialect->defer_keys)
            code = rli_exec_sql(dst, dst->be->dialect->defer_keys) == RLB_OK
                       ? RL_OK
                       : rli_err_set(dst, RL_ERROR, "copy: keys could not be deferred.");
        if (code == RL_OK) code = copy_all(&k, &s);
        if (code == RL_OK) {
            progress(&k, "commit", NULL, 0, 0);
            code = rl_commit(dst);
        } else if (dst->depth > 0) {
            abandon(dst);
        }
    }
    if (code == RL_OK && left_out) *left_out = rli_sb_take(&k.left_out);
    rli_sb_free(&k.left_out);
    rli_schema_free(&s);
    rli_schema_free(&have);
    return code;
}

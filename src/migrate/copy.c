/*
 * rl_copy: a database's tables and rows into another database, on either engine, through the
 * backend interface only (the statements are written by src/sql/copy.c for the destination's
 * dialect).
 *
 * One transaction on the destination.  Before it, when the source keeps a type per value
 * (SQLite) and the destination per column (PostgreSQL), the columns declared DATETIME,
 * TIMESTAMP, DATE or VARCHAR(n) are read once: such a column becomes a timestamp, a date or a
 * varchar(n) only when every stored value is one, else text, with a note.  Tables are created
 * parents first; rows are read in pages of their integer key (one query for a table without
 * one) and go across through the destination's bulk load (PostgreSQL's COPY) or one prepared
 * INSERT per table.  Numbers cross as their exact text: an integer's digits, a real's
 * shortest text that reads back to the same double (never 0.98999999999999999 for 0.99).
 * Keys: where the dialect can check them at COMMIT (SQLite's defer_foreign_keys) they are
 * declared with the table; elsewhere (PostgreSQL) they are added after the rows, which checks
 * every row, each with an index on its columns (the source's own plain index on them, by its
 * name, when it has one).  Then rl_check's key survey runs inside the transaction, so that a
 * row without a parent is named and refuses the copy, each table's generated key is moved
 * past the largest copied one (backend key_given), and with opts->verify every table is
 * compared with its source (verify.c) before COMMIT.
 */
#include "migrate.h"
#include "sql/copy.h"
#include "core/db.h"
#include "core/error.h"
#include "core/stmt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE 10000

typedef struct copier {
    rl_db *src, *dst;
    const rl_copy_options *opts;
    strbuf left_out;
    int64_t total;        /* rows of the table being copied */
    rl_copy_type **types; /* per table of the schema, per column: how it goes across */
    const char **key_idx; /* per key (tables in order, keys in order): the source index
                             whose name its index takes, or NULL */
    bool *idx_made;       /* per source index: made again under its own name */
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

/* ---- how each column goes across ------------------------------------------------------ */

/* Whether the probe has to read column c's values: a type that holds only some values. */
static bool needs_probe(const rl_copy_type *ct)
{
    return ct->kind == RL_COPY_TIMESTAMP || ct->kind == RL_COPY_DATE || ct->length > 0;
}

/* The number of characters of UTF-8 text (bytes that do not continue a character). */
static size_t utf8_chars(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += ((unsigned char)s[i] & 0xc0) != 0x80;
    return n;
}

/* Whether the current value of column col fits ct on the destination. */
static bool value_fits(const rl_backend *be, rlb_stmt *st, int col, const rl_copy_type *ct)
{
    if (be->column_null(st, col)) return true;
    if (be->column_type(st, col) != RL_V_TEXT) return false;
    size_t len;
    const char *v = be->column_text(st, col, &len);
    if (ct->length > 0) return utf8_chars(v, len) <= (size_t)ct->length;
    return rli_copy_is_timestamp(v, len, ct->kind == RL_COPY_DATE);
}

/* Text in place of a type that a stored value does not fit, with a note saying so. */
static void fall_back(copier *k, const sch_table *t, size_t c, rl_copy_type *ct)
{
    rli_sb_puts(&k->left_out, "note: ");
    rli_sb_name(&k->left_out, t->name);
    rli_sb_puts(&k->left_out, ".");
    rli_sb_name(&k->left_out, t->cols[c].name);
    rli_sb_puts(&k->left_out, " (");
    rli_sb_name(&k->left_out, t->cols[c].type);
    rli_sb_puts(&k->left_out, ct->length > 0 ? ") copied as text: a stored value is longer"
                                             : ") copied as text: a stored value is not a ");
    rli_sb_puts(&k->left_out, ct->length > 0             ? ""
                              : ct->kind == RL_COPY_DATE ? "date (YYYY-MM-DD)"
                                                         : "timestamp (YYYY-MM-DD HH:MM:SS)");
    rli_sb_puts(&k->left_out, "\n");
    ct->kind = RL_COPY_TEXT;
    ct->length = -1;
}

/* Read the columns of t that need it once, and fall back to text where a value does not fit
 * (only the first 64 columns are read; a later one falls back without reading). */
static int probe(copier *k, const sch_table *t, rl_copy_type *types)
{
    uint64_t mask = 0;
    for (size_t c = 0; c < t->ncols; c++)
        if (needs_probe(&types[c]) && c >= 64)
            fall_back(k, t, c, &types[c]);
        else if (needs_probe(&types[c]))
            mask |= UINT64_C(1) << c;
    if (!mask) return RL_OK;
    const rl_backend *be = k->src->be;
    char *sql = rli_copy_columns_sql(t, mask);
    rlb_stmt *st = NULL;
    int code = sql ? rli_prepare_kept(k->src, sql, &st, "copy: read the types") : RL_ENOMEM;
    int rc = RLB_DONE;
    while (code == RL_OK && mask && (rc = be->step(st)) == RLB_ROW) {
        int col = 0;
        for (size_t c = 0; c < t->ncols && c < 64; c++) {
            if (!(mask & (UINT64_C(1) << c))) continue;
            if (!value_fits(be, st, col, &types[c])) {
                fall_back(k, t, c, &types[c]);
                mask &= ~(UINT64_C(1) << c);
            }
            col++;
        }
    }
    if (code == RL_OK && rc != RLB_DONE && rc != RLB_ROW)
        code = rli_fail(k->src, st, rc, "copy: read");
    be->finalize(st);
    free(sql);
    if (code != RL_OK) rli_err_set(k->dst, code, "%s", rl_errmsg(k->src));
    return code;
}

/* How each column of each table goes across.  The stored values are read only when they can
 * differ from their column's type (a SQLite source) and the destination's column decides
 * (PostgreSQL); otherwise every declared type is kept. */
static int plan_types(copier *k, const schema *s)
{
    k->types = calloc(s->ntables + 1, sizeof *k->types);
    if (!k->types) return rli_err_set(k->dst, RL_ENOMEM, "Out of memory.");
    bool read = k->src->be->column_type && !k->dst->be->column_type;
    for (size_t i = 0; i < s->ntables; i++) {
        const sch_table *t = &s->tables[i];
        if (!(k->types[i] = calloc(t->ncols + 1, sizeof *k->types[i])))
            return rli_err_set(k->dst, RL_ENOMEM, "Out of memory.");
        for (size_t c = 0; c < t->ncols; c++)
            k->types[i][c] = rli_copy_type(t->cols[c].type);
        int code = read ? probe(k, t, k->types[i]) : RL_OK;
        if (code != RL_OK) return code;
    }
    return RL_OK;
}

/* ---- rows ------------------------------------------------------------------------------- */

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
        return rl_blob_value(b ? b : "", len); /* an empty blob is not NULL */
    }
    case RL_V_TEXT:
        return rl_text(be->column_text(st, col, &len));
    default:
        return rl_null();
    }
}

/* The rows of one table as they are handed to the destination, read page by page. */
typedef struct reader {
    copier *k;
    const sch_table *t;
    const rl_copy_type *types;
    rlb_stmt *sel;
    int pk_col; /* the integer key's column, or -1: one query */
    int64_t rows, max_key, in_page;
    bool retype;     /* the destination keeps one type per column: blobs go only
                        to blob columns, other values to them as bytes */
    char (*num)[32]; /* per column: a number's text when it goes as bytes */
    strbuf *text;    /* per column: a blob's bytes when they go as text */
} reader;

/* v, read from a column that goes across as ct, as the destination's column takes it. */
static int retype(reader *r, size_t c, rl_value *v)
{
    if (v->type == RL_V_NULL) return RL_OK;
    if (r->types[c].kind == RL_COPY_BLOB_OR_ANY) {
        if (v->type == RL_V_INT)
            snprintf(r->num[c], sizeof r->num[c], "%lld", (long long)v->u.i);
        else if (v->type == RL_V_REAL)
            rli_real_text(v->u.r, r->num[c]);
        if (v->type == RL_V_INT || v->type == RL_V_REAL)
            *v = rl_blob_value(r->num[c], strlen(r->num[c]));
        else if (v->type == RL_V_TEXT)
            *v = rl_blob_value(v->u.s, strlen(v->u.s));
        return RL_OK;
    }
    if (v->type != RL_V_BLOB) return RL_OK;
    if (memchr(v->u.b.data, 0, v->u.b.len))
        return rli_err_set(r->k->dst, RL_EREFUSED,
                           "copy: refused, a blob in %s.%s holds a zero byte and the column "
                           "holds text on the destination; declare it BLOB.",
                           r->t->name, r->t->cols[c].name);
    strbuf *b = &r->text[c];
    b->len = 0;
    rli_sb_putn(b, v->u.b.len ? v->u.b.data : "", v->u.b.len);
    if (b->oom) return rli_err_set(r->k->dst, RL_ENOMEM, "Out of memory.");
    *v = rl_text(sb_str(b));
    return RL_OK;
}

/* rlb_row_fn: the next row of the table into vals. */
static int next_row(void *ctx, rl_value *vals)
{
    reader *r = ctx;
    const rl_backend *sb = r->k->src->be;
    for (;;) {
        int rc = sb->step(r->sel);
        if (rc == RLB_ROW) {
            for (size_t c = 0; c < r->t->ncols; c++) {
                vals[c] = read_value(sb, r->sel, (int)c, r->types[c].kind);
                int code = r->retype ? retype(r, c, &vals[c]) : RL_OK;
                if (code != RL_OK) return code;
            }
            if (r->pk_col >= 0) r->max_key = sb->column_int64(r->sel, r->pk_col);
            r->in_page++;
            if (++r->rows % PAGE == 0) progress(r->k, "copy", r->t->name, r->rows, r->k->total);
            return 1;
        }
        if (rc != RLB_DONE) return rli_fail(r->k->src, r->sel, rc, "copy: read");
        if (r->pk_col < 0 || r->in_page < PAGE) return 0;
        sb->reset(r->sel); /* the next page: keys after the last one read */
        sb->bind_int64(r->sel, 1, r->max_key);
        sb->bind_int64(r->sel, 2, PAGE);
        r->in_page = 0;
    }
}

/* Every row through one prepared INSERT. */
static int insert_rows(reader *r, rlb_stmt *ins)
{
    rl_db *dst = r->k->dst;
    rl_value *vals = calloc(r->t->ncols + 1, sizeof *vals);
    if (!vals) return rli_err_set(dst, RL_ENOMEM, "Out of memory.");
    int got, code = RL_OK;
    while (code == RL_OK && (got = next_row(r, vals)) == 1) {
        for (size_t c = 0; c < r->t->ncols && code == RL_OK; c++)
            if (dst->be->bind(ins, (int)c + 1, &vals[c]) != RLB_OK)
                code = rli_err_set(dst, RL_ENOMEM, "copy: a value of %s could not be bound.",
                                   r->t->name);
        if (code == RL_OK) code = step_write(dst, ins, "copy: insert");
    }
    free(vals);
    return code != RL_OK ? code : got < 0 ? got : RL_OK;
}

/* Every row through the destination's bulk load. */
static int load_rows(reader *r)
{
    rl_db *dst = r->k->dst;
    char *sql = rli_copy_load_sql(r->t);
    if (!sql) return rli_err_set(dst, RL_ENOMEM, "Out of memory.");
    int rc = dst->be->bulk_load(dst->conn, sql, (int)r->t->ncols, next_row, r);
    free(sql);
    if (rc < 0) return rc; /* the reader's failure, worded */
    return rc == RLB_OK ? RL_OK : rli_fail(dst, NULL, rc, "copy: load the rows");
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

static int copy_rows(copier *k, const sch_table *t, const rl_copy_type *types)
{
    const sch_column *pk = rli_copy_int_pk(t);
    bool bulk = k->dst->be->bulk_load != NULL;
    reader r = {.k = k,
                .t = t,
                .types = types,
                .pk_col = pk ? (int)(pk - t->cols) : -1,
                .max_key = INT64_MIN,
                .retype = !k->dst->be->column_type};
    char *sel_sql = rli_copy_select_sql(k->src->be->dialect, t, pk);
    char *ins_sql = bulk ? NULL : rli_copy_insert_sql(k->dst->be->dialect, t);
    r.num = calloc(t->ncols + 1, sizeof *r.num);
    r.text = calloc(t->ncols + 1, sizeof *r.text);
    rlb_stmt *ins = NULL;
    int code = sel_sql && (bulk || ins_sql) && r.num && r.text
                   ? RL_OK
                   : rli_err_set(k->dst, RL_ENOMEM, "Out of memory.");
    if (code == RL_OK) code = rli_prepare_kept(k->src, sel_sql, &r.sel, "copy: read");
    if (code == RL_OK && !bulk) code = rli_prepare_kept(k->dst, ins_sql, &ins, "copy: insert");
    k->total = -1;
    if (code == RL_OK) code = count_rows(k->src, t, &k->total);
    if (code == RL_OK && pk) {
        k->src->be->bind_int64(r.sel, 1, r.max_key);
        k->src->be->bind_int64(r.sel, 2, PAGE);
    }
    if (code == RL_OK) code = bulk ? load_rows(&r) : insert_rows(&r, ins);
    if (code == RL_OK) progress(k, "copy", t->name, r.rows, k->total);
    if (code == RL_OK && pk && r.rows > 0 && k->dst->be->key_given) {
        int rc = k->dst->be->key_given(k->dst->conn, t->name, pk->name, r.max_key);
        if (rc != RLB_OK) code = rli_fail(k->dst, NULL, rc, "copy: move the key generator");
    }
    if (code != RL_OK && k->src->e.err.code != RL_OK && k->dst->e.err.code == RL_OK)
        rli_err_set(k->dst, k->src->e.err.code, "%s", k->src->e.err.message);
    k->src->be->finalize(r.sel);
    k->dst->be->finalize(ins);
    for (size_t c = 0; r.text && c < t->ncols; c++)
        rli_sb_free(&r.text[c]);
    free(r.num);
    free(r.text);
    free(sel_sql);
    free(ins_sql);
    return code;
}

/* Every table of the source, created on the destination. */
static int create_tables(copier *k, const schema *s)
{
    const rl_dialect *d = k->dst->be->dialect;
    for (size_t i = 0; i < s->ntables; i++) {
        int code = run(
            k->dst,
            rli_copy_create_sql(d, &s->tables[i], k->types[i], d->defer_keys != NULL, &k->left_out),
            "copy: create a table");
        if (code != RL_OK) return code;
    }
    return RL_OK;
}

/* Whether an earlier key of t has the same columns as key f (its index is made already). */
static bool same_columns_before(const sch_table *t, size_t f)
{
    for (size_t g = 0; g < f; g++)
        if (strcmp(t->fks[g].from, t->fks[f].from) == 0) return true;
    return false;
}

/* Keys not declared with their tables, and an index on every key's columns. */
static int add_keys(copier *k, const schema *s)
{
    bool inline_keys = k->dst->be->dialect->defer_keys != NULL;
    for (size_t i = 0, key = 0; i < s->ntables; i++) {
        const sch_table *t = &s->tables[i];
        for (size_t f = 0; f < t->nfks; f++, key++) {
            int code = inline_keys ? RL_OK
                                   : run(k->dst, rli_copy_add_key_sql(t, &t->fks[f]),
                                         "copy: add a foreign key");
            if (code == RL_OK && !same_columns_before(t, f))
                code = run(k->dst, rli_copy_key_index_sql(t, &t->fks[f], k->key_idx[key]),
                           "copy: index a foreign key");
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

/* For each key, the source's plain index on exactly its columns, if any: the copy makes the
 * key's index under that name, and does not list it as left out. */
static int match_key_indexes(copier *k, const schema *s)
{
    size_t nkeys = 0;
    for (size_t i = 0; i < s->ntables; i++)
        nkeys += s->tables[i].nfks;
    k->key_idx = calloc(nkeys + 1, sizeof *k->key_idx);
    k->idx_made = calloc(s->nindexes + 1, sizeof *k->idx_made);
    if (!k->key_idx || !k->idx_made) return rli_err_set(k->dst, RL_ENOMEM, "Out of memory.");
    if (!k->src->be->index_columns) return RL_OK;
    for (size_t j = 0; j < s->nindexes; j++) {
        const sch_object *o = &s->indexes[j];
        char *cols = o->table ? k->src->be->index_columns(k->src->conn, o->table, o->name) : NULL;
        for (size_t i = 0, key = 0; cols && i < s->ntables; i++)
            for (size_t f = 0; f < s->tables[i].nfks; f++, key++)
                if (!k->idx_made[j] && !k->key_idx[key] && !same_columns_before(&s->tables[i], f) &&
                    rli_same_name(s->tables[i].name, o->table) &&
                    strcmp(s->tables[i].fks[f].from, cols) == 0) {
                    k->key_idx[key] = o->name;
                    k->idx_made[j] = true;
                }
        free(cols);
    }
    return RL_OK;
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
            if (p == 0 && k->idx_made[i]) continue; /* made again, under its own name */
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
        code = copy_rows(k, &s->tables[i], k->types[i]);
    if (code == RL_OK) code = add_keys(k, s);
    if (code == RL_OK) code = check_keys(k);
    if (code == RL_OK && k->opts && k->opts->verify) {
        progress(k, "verify", NULL, 0, 0);
        code = rli_copy_verify(k->src, k->dst, s, (const rl_copy_type *const *)k->types);
    }
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
        code = plan_types(&k, &s);
    }
    if (code == RL_OK) code = match_key_indexes(&k, &s);
    if (code == RL_OK) {
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
    for (size_t i = 0; k.types && i < s.ntables; i++)
        free(k.types[i]);
    free(k.types);
    free(k.key_idx);
    free(k.idx_made);
    rli_schema_free(&s);
    rli_schema_free(&have);
    return code;
}

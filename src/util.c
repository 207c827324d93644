/*
 * Small building blocks: a growable string for composing SQL, an arena for the strings of a
 * result set, identifier checks, value rendering for messages, and the per-connection cache
 * of prepared query statements (open addressing keyed by an FNV-1a hash of the SQL text).
 */
#include "internal.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sb_init(strbuf *b)
{
    memset(b, 0, sizeof *b);
}

void sb_free(strbuf *b)
{
    free(b->s);
    sb_init(b);
}

static bool sb_reserve(strbuf *b, size_t extra)
{
    if (b->oom) return false;
    if (b->len + extra + 1 <= b->cap) return true;
    size_t cap = b->cap ? b->cap : 128;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *s = realloc(b->s, cap);
    if (!s) {
        b->oom = true;
        return false;
    }
    b->s = s;
    b->cap = cap;
    return true;
}

void sb_putn(strbuf *b, const char *s, size_t n)
{
    if (!sb_reserve(b, n)) return;
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void sb_puts(strbuf *b, const char *s)
{
    sb_putn(b, s, strlen(s));
}

void sb_printf(strbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || !sb_reserve(b, (size_t)n)) return;
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

static void sb_quoted(strbuf *b, const char *s, char q)
{
    sb_putn(b, &q, 1);
    for (const char *p = s; *p; p++) {
        if (*p == q) sb_putn(b, &q, 1);
        sb_putn(b, p, 1);
    }
    sb_putn(b, &q, 1);
}

void sb_ident(strbuf *b, const char *s)
{
    sb_quoted(b, s, '"');
}
void sb_literal(strbuf *b, const char *s)
{
    sb_quoted(b, s, '\'');
}

char *sb_take(strbuf *b)
{
    if (b->oom) {
        sb_free(b);
        return NULL;
    }
    if (!b->s) {
        if (!sb_reserve(b, 0)) return NULL;
        b->s[0] = '\0';
    }
    char *s = b->s;
    sb_init(b);
    return s;
}

void *arena_alloc(arena *a, size_t n)
{
    n = (n + 15) & ~(size_t)15;
    if (!a->head || a->head->cap - a->head->used < n) {
        size_t cap = n > 16384 ? n : 16384;
        arena_block *blk = malloc(sizeof *blk + cap);
        if (!blk) return NULL;
        blk->next = a->head;
        blk->used = 0;
        blk->cap = cap;
        a->head = blk;
    }
    void *p = (char *)a->head->data + a->head->used;
    a->head->used += n;
    return p;
}

void arena_free(arena *a)
{
    for (arena_block *b = a->head, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    a->head = NULL;
}

bool valid_ident(const char *s)
{
    if (!s || !*s || strlen(s) > 63) return false;
    if (!(isalpha((unsigned char)s[0]) || s[0] == '_')) return false;
    for (const char *p = s; *p; p++)
        if (!(isalnum((unsigned char)*p) || *p == '_')) return false;
    if (strncmp(s, "sqlite_", 7) == 0) return false;
    return true;
}

void value_text(const rl_value *v, char *buf, size_t len)
{
    switch (v->type) {
    case RL_V_NULL:
        snprintf(buf, len, "NULL");
        break;
    case RL_V_INT:
        snprintf(buf, len, "%lld", (long long)v->u.i);
        break;
    case RL_V_REAL:
        snprintf(buf, len, "%g", v->u.r);
        break;
    case RL_V_TEXT:
        snprintf(buf, len, "'%s'", v->u.s);
        break;
    case RL_V_BLOB:
        snprintf(buf, len, "<blob of %zu bytes>", v->u.b.len);
        break;
    }
}

void column_text(sqlite3_stmt *st, int col, char *buf, size_t len)
{
    rl_value v = rl_null();
    switch (sqlite3_column_type(st, col)) {
    case SQLITE_INTEGER:
        v = rl_int(sqlite3_column_int64(st, col));
        break;
    case SQLITE_FLOAT:
        v = rl_real(sqlite3_column_double(st, col));
        break;
    case SQLITE_TEXT:
        v = rl_text((const char *)sqlite3_column_text(st, col));
        break;
    case SQLITE_BLOB:
        v = rl_blob_value("", (size_t)sqlite3_column_bytes(st, col));
        break;
    default:
        break;
    }
    value_text(&v, buf, len);
}

int bind_value(sqlite3_stmt *st, int idx, const rl_value *v)
{
    switch (v->type) {
    case RL_V_NULL:
        return sqlite3_bind_null(st, idx);
    case RL_V_INT:
        return sqlite3_bind_int64(st, idx, v->u.i);
    case RL_V_REAL:
        return sqlite3_bind_double(st, idx, v->u.r);
    case RL_V_TEXT:
        return sqlite3_bind_text(st, idx, v->u.s, -1, SQLITE_STATIC);
    case RL_V_BLOB:
        return sqlite3_bind_blob64(st, idx, v->u.b.len ? v->u.b.data : "", v->u.b.len,
                                   SQLITE_STATIC);
    }
    return SQLITE_MISUSE;
}

int step_done(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? SQLITE_DONE : rc;
}

int exec_sql(rl_db *db, const char *sql)
{
    return sqlite3_exec(db->h, sql, NULL, NULL, NULL);
}

/* ---- query statement cache --------------------------------------------------------------- */

uint64_t hash_text(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; s && *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

void cache_free(stmt_cache *c)
{
    for (size_t i = 0; i < c->cap; i++) {
        if (c->slots[i].sql) {
            sqlite3_finalize(c->slots[i].stmt);
            free(c->slots[i].sql);
        }
    }
    free(c->slots);
    memset(c, 0, sizeof *c);
}

/* The cache holds at most 3/4 of its slots; past 512 statements it starts over. */
int cache_prepare(rl_db *db, const char *sql, sqlite3_stmt **out)
{
    stmt_cache *c = &db->queries;
    uint64_t h = hash_text(sql);
    if (c->cap) {
        for (size_t i = h & (c->cap - 1);; i = (i + 1) & (c->cap - 1)) {
            stmt_entry *e = &c->slots[i];
            if (!e->sql) break;
            if (e->hash == h && strcmp(e->sql, sql) == 0) {
                sqlite3_reset(e->stmt);
                sqlite3_clear_bindings(e->stmt);
                *out = e->stmt;
                return SQLITE_OK;
            }
        }
    }
    if (c->used + 1 > c->cap * 3 / 4) {
        if (c->cap >= 1024) {
            cache_free(c);
        }
        size_t ncap = c->cap ? c->cap * 2 : 64;
        stmt_entry *slots = calloc(ncap, sizeof *slots);
        if (!slots) return SQLITE_NOMEM;
        for (size_t i = 0; i < c->cap; i++) {
            if (!c->slots[i].sql) continue;
            size_t j = c->slots[i].hash & (ncap - 1);
            while (slots[j].sql)
                j = (j + 1) & (ncap - 1);
            slots[j] = c->slots[i];
        }
        free(c->slots);
        c->slots = slots;
        c->cap = ncap;
    }
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
    if (rc != SQLITE_OK) return rc;
    char *copy = strdup(sql);
    if (!copy) {
        sqlite3_finalize(st);
        return SQLITE_NOMEM;
    }
    size_t i = h & (c->cap - 1);
    while (c->slots[i].sql)
        i = (i + 1) & (c->cap - 1);
    c->slots[i] = (stmt_entry){.sql = copy, .hash = h, .stmt = st};
    c->used++;
    *out = st;
    return SQLITE_OK;
}

int sp_begin(rl_db *db, const char *name)
{
    char sql[96];
    snprintf(sql, sizeof sql, "SAVEPOINT %s", name);
    return exec_sql(db, sql);
}

int sp_release(rl_db *db, const char *name)
{
    char sql[96];
    snprintf(sql, sizeof sql, "RELEASE %s", name);
    return exec_sql(db, sql);
}

void sp_rollback(rl_db *db, const char *name)
{
    char sql[128];
    snprintf(sql, sizeof sql, "ROLLBACK TO %s; RELEASE %s", name, name);
    exec_sql(db, sql);
}

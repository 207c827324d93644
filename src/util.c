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
#include <time.h>

void rli_sb_init(strbuf *b)
{
    memset(b, 0, sizeof *b);
}

void rli_sb_free(strbuf *b)
{
    free(b->s);
    rli_sb_init(b);
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

void rli_sb_putn(strbuf *b, const char *s, size_t n)
{
    if (!sb_reserve(b, n)) return;
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void rli_sb_puts(strbuf *b, const char *s)
{
    rli_sb_putn(b, s, strlen(s));
}

void rli_sb_printf(strbuf *b, const char *fmt, ...)
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
    rli_sb_putn(b, &q, 1);
    for (const char *p = s; *p; p++) {
        if (*p == q) rli_sb_putn(b, &q, 1);
        rli_sb_putn(b, p, 1);
    }
    rli_sb_putn(b, &q, 1);
}

void rli_sb_ident(strbuf *b, const char *s)
{
    sb_quoted(b, s, '"');
}
void rli_sb_literal(strbuf *b, const char *s)
{
    sb_quoted(b, s, '\'');
}

char *rli_sb_take(strbuf *b)
{
    if (b->oom) {
        rli_sb_free(b);
        return NULL;
    }
    if (!b->s) {
        if (!sb_reserve(b, 0)) return NULL;
        b->s[0] = '\0';
    }
    char *s = b->s;
    rli_sb_init(b);
    return s;
}

void *rli_arena_alloc(arena *a, size_t n)
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

void rli_arena_free(arena *a)
{
    for (arena_block *b = a->head, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    a->head = NULL;
}

bool rli_valid_ident(const char *s)
{
    if (!s || !*s || strlen(s) > RL_MAX_IDENT) return false;
    if (!(isalpha((unsigned char)s[0]) || s[0] == '_')) return false;
    for (const char *p = s; *p; p++)
        if (!(isalnum((unsigned char)*p) || *p == '_')) return false;
    if (strncasecmp(s, "sqlite_", 7) == 0) return false;
    /* the names of the rowid: a column so named would hide it */
    if (strcasecmp(s, "rowid") == 0 || strcasecmp(s, "_rowid_") == 0 || strcasecmp(s, "oid") == 0)
        return false;
    return true;
}

char *rli_value_literal(const rl_value *v)
{
    strbuf b;
    rli_sb_init(&b);
    switch (v->type) {
    case RL_V_NULL:
        rli_sb_puts(&b, "NULL");
        break;
    case RL_V_INT:
        rli_sb_printf(&b, "%lld", (long long)v->u.i);
        break;
    case RL_V_REAL:
        rli_sb_printf(&b, "%.17g", v->u.r);
        break;
    case RL_V_TEXT:
        rli_sb_literal(&b, v->u.s);
        break;
    case RL_V_BLOB:
        rli_sb_printf(&b, "<blob of %zu bytes>", v->u.b.len);
        break;
    }
    return rli_sb_take(&b);
}

int rli_bind_value(sqlite3_stmt *st, int idx, const rl_value *v)
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

int rli_step_done(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? SQLITE_DONE : rc;
}

int rli_exec_sql(rl_db *db, const char *sql)
{
    return sqlite3_exec(db->h, sql, NULL, NULL, NULL);
}

/* ---- query statement cache --------------------------------------------------------------- */

uint64_t rli_hash_text(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; s && *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

void rli_cache_free(stmt_cache *c)
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

/* The statement cached under key, reset (and its bindings cleared when clear); NULL when there
 * is none. */
sqlite3_stmt *rli_cache_get(stmt_cache *c, const char *key, uint64_t h, bool clear)
{
    if (!c->cap) return NULL;
    for (size_t i = h & (c->cap - 1);; i = (i + 1) & (c->cap - 1)) {
        stmt_entry *e = &c->slots[i];
        if (!e->sql) return NULL;
        if (e->hash == h && strcmp(e->sql, key) == 0) {
            sqlite3_reset(e->stmt);
            if (clear) sqlite3_clear_bindings(e->stmt);
            return e->stmt;
        }
    }
}

/*
 * Keep st under key (the cache owns it from now on, also on failure, when it is finalized).
 * The cache holds at most 3/4 of its slots; past 768 statements it starts over, so callers
 * never keep a cached statement beyond the call that got it.
 */
int rli_cache_put(stmt_cache *c, const char *key, uint64_t h, sqlite3_stmt *st)
{
    if (c->used + 1 > c->cap * 3 / 4) {
        if (c->cap >= 1024) rli_cache_free(c);
        size_t ncap = c->cap ? c->cap * 2 : 16;
        stmt_entry *slots = calloc(ncap, sizeof *slots);
        if (!slots) {
            sqlite3_finalize(st);
            return SQLITE_NOMEM;
        }
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
    char *copy = strdup(key);
    if (!copy) {
        sqlite3_finalize(st);
        return SQLITE_NOMEM;
    }
    size_t i = h & (c->cap - 1);
    while (c->slots[i].sql)
        i = (i + 1) & (c->cap - 1);
    c->slots[i] = (stmt_entry){.sql = copy, .hash = h, .stmt = st};
    c->used++;
    return SQLITE_OK;
}

int rli_cache_prepare(rl_db *db, const char *sql, sqlite3_stmt **out)
{
    uint64_t h = rli_hash_text(sql);
    if ((*out = rli_cache_get(&db->queries, sql, h, true))) return SQLITE_OK;
    int rc = sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT, out, NULL);
    if (rc == SQLITE_OK) rc = rli_cache_put(&db->queries, sql, h, *out);
    if (rc != SQLITE_OK) *out = NULL;
    return rc;
}

int rli_sp_begin(rl_db *db, const char *name)
{
    char sql[96];
    snprintf(sql, sizeof sql, "SAVEPOINT %s", name);
    return rli_exec_sql(db, sql);
}

int rli_sp_release(rl_db *db, const char *name)
{
    char sql[96];
    snprintf(sql, sizeof sql, "RELEASE %s", name);
    return rli_exec_sql(db, sql);
}

void rli_sp_rollback(rl_db *db, const char *name)
{
    char sql[128];
    snprintf(sql, sizeof sql, "ROLLBACK TO %s; RELEASE %s", name, name);
    rli_exec_sql(db, sql);
}

/* ---- names in messages --------------------------------------------------------------------- */

void rli_sb_name(strbuf *b, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if (*p == '\n')
            rli_sb_puts(b, "\\n");
        else if (*p == '\r')
            rli_sb_puts(b, "\\r");
        else if (*p == '\t')
            rli_sb_puts(b, "\\t");
        else if (*p < 0x20 || *p == 0x7f)
            rli_sb_printf(b, "\\x%02x", *p);
        else
            rli_sb_putn(b, (const char *)p, 1);
    }
}

char *rli_name_disp(const char *s)
{
    strbuf b;
    rli_sb_init(&b);
    rli_sb_name(&b, s);
    return rli_sb_take(&b);
}

/* ---- running text that reflite did not write ------------------------------------------------ */

/* Skip spaces and comments; returns the first byte of the next token. */
static const char *skip_blank(const char *p)
{
    for (;;) {
        while (*p && isspace((unsigned char)*p))
            p++;
        if (p[0] == '-' && p[1] == '-') {
            while (*p && *p != '\n')
                p++;
        } else if (p[0] == '/' && p[1] == '*') {
            const char *e = strstr(p + 2, "*/");
            p = e ? e + 2 : p + strlen(p);
        } else {
            return p;
        }
    }
}

/* Whether nothing but spaces, comments and semicolons follows. */
static bool only_blank(const char *p)
{
    for (p = skip_blank(p); *p == ';'; p = skip_blank(p + 1)) {
    }
    return *p == '\0';
}

int rli_exec_one(sqlite3 *h, const char *sql, char **err)
{
    sqlite3_stmt *st = NULL;
    const char *tail = NULL;
    if (err) *err = NULL;
    int rc = sqlite3_prepare_v2(h, sql, -1, &st, &tail);
    if (rc == SQLITE_OK && tail && !only_blank(tail)) {
        sqlite3_finalize(st);
        if (err) {
            strbuf b;
            rli_sb_init(&b);
            rli_sb_puts(&b, "more than one statement in one definition (refused: '");
            char *cut = strndup(skip_blank(tail), 60);
            rli_sb_name(&b, cut ? cut : "");
            free(cut);
            rli_sb_puts(&b, "...')");
            *err = rli_sb_take(&b);
        }
        return SQLITE_ERROR;
    }
    if (rc == SQLITE_OK && st) {
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        }
        rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
    }
    if (rc != SQLITE_OK && err && !*err) *err = rli_name_disp(sqlite3_errmsg(h));
    sqlite3_finalize(st);
    return rc;
}

/* ---- the guarded scratch database ------------------------------------------------------------ */

#define SCRATCH_SECONDS 3

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct scratch_guard {
    scratch *s;
    double deadline;
} scratch_guard;

static int scratch_progress(void *arg)
{
    scratch_guard *g = arg;
    g->s->ticks++;
    if (now_seconds() > g->deadline) {
        g->s->timed_out = true;
        return 1;
    }
    return 0;
}

static bool is_main(const char *dbname)
{
    return !dbname || strcmp(dbname, "main") == 0;
}

static bool schema_table_name(const char *t)
{
    return t &&
           (strcasecmp(t, "sqlite_master") == 0 || strcasecmp(t, "sqlite_schema") == 0 ||
            strcasecmp(t, "sqlite_sequence") == 0 || strcasecmp(t, "sqlite_stat1") == 0 ||
            strcasecmp(t, "sqlite_temp_master") == 0 || strcasecmp(t, "sqlite_temp_schema") == 0);
}

static bool vtab_module_allowed(const char *m)
{
    static const char *const ok[] = {"fts3", "fts4", "fts5", "rtree", "rtree_i32", "geopoly"};
    for (size_t i = 0; m && i < sizeof ok / sizeof ok[0]; i++)
        if (strcasecmp(m, ok[i]) == 0) return true;
    return false;
}

static int scratch_auth(void *arg, int action, const char *a, const char *b, const char *dbname,
                        const char *trigger)
{
    (void)trigger;
    scratch *s = arg;
    bool ok = false;
    switch (action) {
    case SQLITE_CREATE_INDEX:
    case SQLITE_CREATE_TABLE:
    case SQLITE_CREATE_TRIGGER:
    case SQLITE_CREATE_VIEW:
    case SQLITE_DROP_INDEX:
    case SQLITE_DROP_TABLE:
    case SQLITE_DROP_TRIGGER:
    case SQLITE_DROP_VIEW:
    case SQLITE_ALTER_TABLE:
    case SQLITE_DROP_VTABLE:
        ok = is_main(action == SQLITE_ALTER_TABLE ? a : dbname);
        break;
    case SQLITE_CREATE_VTABLE:
        ok = is_main(dbname) && vtab_module_allowed(b);
        break;
    case SQLITE_INSERT:
    case SQLITE_UPDATE:
    case SQLITE_DELETE:
        /* writes inside schema work (DROP COLUMN rewrites rows, triggers hold DML); a
         * statement of the text itself that is DML is refused by its first word */
        ok = is_main(dbname) || schema_table_name(a);
        break;
    case SQLITE_READ:
    case SQLITE_SELECT:
    case SQLITE_RECURSIVE:
    case SQLITE_FUNCTION:
    case SQLITE_TRANSACTION:
    case SQLITE_SAVEPOINT:
    case SQLITE_REINDEX:
    case SQLITE_ANALYZE:
        ok = true;
        break;
    case SQLITE_PRAGMA:
        ok = a && (strcasecmp(a, "foreign_keys") == 0 || strcasecmp(a, "defer_foreign_keys") == 0);
        break;
    default:
        ok = false;
        break;
    }
    if (ok) return SQLITE_OK;
    if (!s->denied) {
        strbuf m;
        rli_sb_init(&m);
        rli_sb_puts(&m, "only schema statements on the main database are allowed in a schema");
        if (action == SQLITE_ATTACH) rli_sb_puts(&m, " (ATTACH refused)");
        if (action == SQLITE_PRAGMA) {
            rli_sb_puts(&m, " (PRAGMA ");
            rli_sb_name(&m, a);
            rli_sb_puts(&m, " refused)");
        }
        if (action == SQLITE_CREATE_VTABLE) {
            rli_sb_puts(&m, " (virtual table module ");
            rli_sb_name(&m, b);
            rli_sb_puts(&m, " refused)");
        }
        s->denied = rli_sb_take(&m);
    }
    return SQLITE_DENY;
}

int rli_scratch_open(scratch *s)
{
    memset(s, 0, sizeof *s);
    int rc = sqlite3_open_v2(
        ":memory:", &s->h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK) {
        sqlite3_close(s->h);
        s->h = NULL;
        return rc;
    }
    sqlite3_db_config(s->h, SQLITE_DBCONFIG_ENABLE_LOAD_EXTENSION, 0, (int *)0);
    sqlite3_db_config(s->h, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *)0);
    sqlite3_db_config(s->h, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, (int *)0);
    sqlite3_limit(s->h, SQLITE_LIMIT_ATTACHED, 0);
    return SQLITE_OK;
}

void rli_scratch_close(scratch *s)
{
    if (s->h) sqlite3_close(s->h);
    free(s->denied);
    memset(s, 0, sizeof *s);
}

/* The first keyword of a statement's text, lower-cased into buf. */
static void first_word(const char *sql, char *buf, size_t len)
{
    const char *p = skip_blank(sql);
    size_t n = 0;
    while (n + 1 < len && isalpha((unsigned char)p[n])) {
        buf[n] = (char)tolower((unsigned char)p[n]);
        n++;
    }
    buf[n] = '\0';
}

static bool schema_statement(const char *sql)
{
    static const char *const ok[] = {"create", "drop",     "alter",     "begin",   "commit",
                                     "end",    "rollback", "savepoint", "release", "pragma"};
    char w[16];
    first_word(sql, w, sizeof w);
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (strcmp(w, ok[i]) == 0) return true;
    return false;
}

int rli_scratch_load(scratch *s, const char *sql, char **err)
{
    *err = NULL;
    scratch_guard g = {s, now_seconds() + SCRATCH_SECONDS};
    sqlite3_progress_handler(s->h, 1000, scratch_progress, &g);
    const char *p = sql;
    int rc = SQLITE_OK;
    while (rc == SQLITE_OK && *(p = skip_blank(p))) {
        sqlite3_stmt *st = NULL;
        const char *next = NULL;
        sqlite3_set_authorizer(s->h, scratch_auth, s);
        rc = sqlite3_prepare_v2(s->h, p, -1, &st, &next);
        sqlite3_set_authorizer(s->h, NULL, NULL);
        if (rc == SQLITE_OK && st && !schema_statement(sqlite3_sql(st))) {
            char w[16];
            first_word(sqlite3_sql(st), w, sizeof w);
            strbuf m;
            rli_sb_init(&m);
            rli_sb_puts(&m, "only schema statements (CREATE, DROP, ALTER) are allowed in a schema, "
                            "not '");
            rli_sb_name(&m, w);
            rli_sb_puts(&m, "'");
            *err = rli_sb_take(&m);
            rc = SQLITE_AUTH;
        }
        while (rc == SQLITE_OK && st && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        }
        if (rc == SQLITE_DONE) rc = SQLITE_OK;
        sqlite3_finalize(st);
        if (rc != SQLITE_OK && !*err) {
            strbuf m;
            rli_sb_init(&m);
            if (s->timed_out)
                rli_sb_printf(&m, "a statement ran for more than %d seconds and was stopped",
                              SCRATCH_SECONDS);
            else if (s->denied)
                rli_sb_puts(&m, s->denied);
            else
                rli_sb_name(&m, sqlite3_errmsg(s->h));
            *err = rli_sb_take(&m);
        }
        if (!next || next == p) break;
        p = next;
    }
    sqlite3_progress_handler(s->h, 0, NULL, NULL);
    /* A schema file may open a transaction and not close it: nothing of it must linger. */
    if (!sqlite3_get_autocommit(s->h)) sqlite3_exec(s->h, "COMMIT", NULL, NULL, NULL);
    return rc;
}

/*
 * Errors: the names of the codes and actions, and the last-error record of a connection.
 * A leaf of the core: it words and stores errors; diagnosing them is fkdiag.c's work and the
 * backend's (src/backend/<engine>/), which know what failed.
 */
#include "db.h"
#include "error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One case per code: longer than 60 lines, and clearer as a table than split. */
const char *rl_code_name(int code)
{
    switch (code) {
    case RL_OK:
        return "RL_OK";
    case RL_ERROR:
        return "RL_ERROR";
    case RL_ENOMEM:
        return "RL_ENOMEM";
    case RL_EINVAL:
        return "RL_EINVAL";
    case RL_EMISUSE:
        return "RL_EMISUSE";
    case RL_ENOTFOUND:
        return "RL_ENOTFOUND";
    case RL_EMULTIPLE:
        return "RL_EMULTIPLE";
    case RL_EFIELD:
        return "RL_EFIELD";
    case RL_ENOFK:
        return "RL_ENOFK";
    case RL_EBUSY:
        return "RL_EBUSY";
    case RL_EFOREIGNKEY:
        return "RL_EFOREIGNKEY";
    case RL_EUNIQUE:
        return "RL_EUNIQUE";
    case RL_ENOTNULL:
        return "RL_ENOTNULL";
    case RL_ECHECK:
        return "RL_ECHECK";
    case RL_ECONSTRAINT:
        return "RL_ECONSTRAINT";
    case RL_ETXN:
        return "RL_ETXN";
    case RL_EDATALOSS:
        return "RL_EDATALOSS";
    case RL_EMIGRATE:
        return "RL_EMIGRATE";
    case RL_ENOSPACE:
        return "RL_ENOSPACE";
    case RL_ECANTOPEN:
        return "RL_ECANTOPEN";
    case RL_ECORRUPT:
        return "RL_ECORRUPT";
    case RL_EREFUSED:
        return "RL_EREFUSED";
    case RL_EAMBIGUOUS:
        return "RL_EAMBIGUOUS";
    case RL_EINTERRUPTED:
        return "RL_EINTERRUPTED";
    case RL_EDISCONNECTED:
        return "RL_EDISCONNECTED";
    case RL_ESCHEMA:
        return "RL_ESCHEMA";
    case RL_ETYPE:
        return "RL_ETYPE";
    case RL_EINDOUBT:
        return "RL_EINDOUBT";
    case RL_EMODEL:
        return "RL_EMODEL";
    case RL_EMODEL_SET_NULL:
        return "RL_EMODEL_SET_NULL";
    case RL_EMODEL_SET_DEFAULT:
        return "RL_EMODEL_SET_DEFAULT";
    case RL_EMODEL_NO_PK:
        return "RL_EMODEL_NO_PK";
    case RL_EMODEL_UNKNOWN:
        return "RL_EMODEL_UNKNOWN";
    case RL_EMODEL_DUPLICATE:
        return "RL_EMODEL_DUPLICATE";
    case RL_EMODEL_IDENT:
        return "RL_EMODEL_IDENT";
    case RL_EMODEL_CYCLE:
        return "RL_EMODEL_CYCLE";
    case RL_EMODEL_INDEX_DUPLICATE:
        return "RL_EMODEL_INDEX_DUPLICATE";
    case RL_EMODEL_INDEX_NAME:
        return "RL_EMODEL_INDEX_NAME";
    case RL_EMODEL_INDEX_COLUMN:
        return "RL_EMODEL_INDEX_COLUMN";
    default:
        return "RL_E?";
    }
}

const char *rl_action_name(rl_action a)
{
    switch (a) {
    case RL_CASCADE:
        return "CASCADE";
    case RL_SET_NULL:
        return "SET NULL";
    case RL_SET_DEFAULT:
        return "SET DEFAULT";
    case RL_NO_ACTION:
        return "NO ACTION";
    case RL_RESTRICT:
    case RL_ACTION_DEFAULT:
    default:
        return "RESTRICT";
    }
}

/* ---- the last-error record ------------------------------------------------------------------ */

static const rl_error NULL_DB_ERROR = {.code = RL_EINVAL,
                                       .message = "The connection handle is NULL.",
                                       .table = "",
                                       .column = "",
                                       .constraint = "",
                                       .item = -1,
                                       .value = "",
                                       .sqlstate = "",
                                       .engine_message = "",
                                       .engine_detail = "",
                                       .engine_hint = "",
                                       .fk = {.child_table = "",
                                              .child_column = "",
                                              .parent_table = "",
                                              .parent_column = "",
                                              .value = ""}};

const rl_error *rl_last_error(const rl_db *db)
{
    return db ? &db->e.err : &NULL_DB_ERROR;
}

const char *rl_errmsg(const rl_db *db)
{
    return rl_last_error(db)->message;
}

static void err_reset(err_rec *r)
{
    rli_arena_free(&r->strings);
    memset(&r->err, 0, sizeof r->err);
    r->err.message = "No error.";
    r->err.table = r->err.column = r->err.constraint = r->err.value = "";
    r->err.sqlstate = r->err.engine_message = r->err.engine_detail = r->err.engine_hint = "";
    r->err.fk.child_table = r->err.fk.child_column = "";
    r->err.fk.parent_table = r->err.fk.parent_column = r->err.fk.value = "";
    r->err.item = -1;
    r->note_at = 0;
}

void rli_rec_free(err_rec *r)
{
    rli_sb_free(&r->msg);
    rli_arena_free(&r->strings);
}

void rli_err_clear(rl_db *db)
{
    err_rec *r = &db->e;
    if (r->err.code == RL_OK && !r->strings.head && r->err.message)
        return; /* the common, free case */
    err_reset(r);
}

const char *rli_rec_str(err_rec *r, const char *s)
{
    if (!s) return "";
    size_t n = strlen(s);
    char *p = rli_arena_alloc(&r->strings, n + 1);
    if (!p) return "";
    memcpy(p, s, n + 1);
    return p;
}

const char *rli_err_str(rl_db *db, const char *s)
{
    return rli_rec_str(&db->e, s);
}

/* Format into a fresh buffer first: the arguments may point into the old error. */
static void put_message(err_rec *r, const char *fmt, va_list ap)
{
    strbuf fresh;
    rli_sb_init(&fresh);
    va_list aq;
    va_copy(aq, ap);
    int n = vsnprintf(NULL, 0, fmt, aq);
    va_end(aq);
    if (n >= 0) {
        char *s = malloc((size_t)n + 1);
        if (s) {
            vsnprintf(s, (size_t)n + 1, fmt, ap);
            rli_sb_putn(&fresh, s, (size_t)n);
            free(s);
        }
    }
    rli_sb_free(&r->msg);
    r->msg = fresh;
    r->err.message = fresh.s ? fresh.s : "Out of memory.";
}

static int rec_vset(err_rec *r, int code, const char *fmt, va_list ap)
{
    strbuf keep = r->msg; /* the old message may be an argument */
    rli_sb_init(&r->msg);
    arena old = r->strings;
    r->strings = (arena){0};
    err_reset(r);
    put_message(r, fmt, ap);
    rli_sb_free(&keep);
    rli_arena_free(&old);
    r->err.code = code;
    return code;
}

int rli_rec_set(err_rec *r, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rec_vset(r, code, fmt, ap);
    va_end(ap);
    return code;
}

int rli_err_set(rl_db *db, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rec_vset(&db->e, code, fmt, ap);
    va_end(ap);
    return code;
}

void rli_rec_reword(err_rec *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    put_message(r, fmt, ap);
    va_end(ap);
}

void rli_err_reword(rl_db *db, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    put_message(&db->e, fmt, ap);
    va_end(ap);
}

void rli_err_unnote(rl_db *db)
{
    if (!db->e.note_at) return;
    rli_err_reword(db, "%.*s", (int)db->e.note_at, db->e.err.message);
    db->e.note_at = 0;
}

/* Record d (strings copied into the error) as a foreign-key failure with message b. */
int rli_rec_fk(err_rec *r, const rl_fk_detail *d, int engine_code, strbuf *b)
{
    if (b->oom) {
        rli_sb_free(b);
        return rli_rec_set(r, RL_ENOMEM, "Out of memory.");
    }
    rl_fk_detail copy = *d;
    rl_error *e = &r->err;
    /* the engine's own account of the failure, when it gave one, stays beside this one */
    char *words[4] = {strdup(e->sqlstate ? e->sqlstate : ""),
                      strdup(e->engine_message ? e->engine_message : ""),
                      strdup(e->engine_detail ? e->engine_detail : ""),
                      strdup(e->engine_hint ? e->engine_hint : "")};
    rli_rec_set(r, RL_EFOREIGNKEY, "%s", sb_str(b));
    rli_sb_free(b);
    e->sqlstate = rli_rec_str(r, words[0]);
    e->engine_message = rli_rec_str(r, words[1]);
    e->engine_detail = rli_rec_str(r, words[2]);
    e->engine_hint = rli_rec_str(r, words[3]);
    for (int i = 0; i < 4; i++)
        free(words[i]);
    e->fk = copy;
    e->fk.child_table = rli_rec_str(r, copy.child_table);
    e->fk.child_column = rli_rec_str(r, copy.child_column);
    e->fk.parent_table = rli_rec_str(r, copy.parent_table);
    e->fk.parent_column = rli_rec_str(r, copy.parent_column);
    e->fk.value = rli_rec_str(r, copy.value);
    e->engine_code = engine_code;
    e->table = copy.parent_side ? e->fk.parent_table : e->fk.child_table;
    e->column = copy.parent_side ? e->fk.parent_column : e->fk.child_column;
    return RL_EFOREIGNKEY;
}

int rli_err_fk(rl_db *db, const rl_fk_detail *d, int engine_code, strbuf *b)
{
    return rli_rec_fk(&db->e, d, engine_code, b);
}

rl_action rli_action_from_sql(const char *s)
{
    if (!s) return RL_NO_ACTION;
    if (strcasecmp(s, "CASCADE") == 0) return RL_CASCADE;
    if (strcasecmp(s, "SET NULL") == 0) return RL_SET_NULL;
    if (strcasecmp(s, "SET DEFAULT") == 0) return RL_SET_DEFAULT;
    if (strcasecmp(s, "RESTRICT") == 0) return RL_RESTRICT;
    return RL_NO_ACTION;
}

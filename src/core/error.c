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
    return db ? &db->err : &NULL_DB_ERROR;
}

const char *rl_errmsg(const rl_db *db)
{
    return rl_last_error(db)->message;
}

static void err_reset(rl_db *db)
{
    rli_arena_free(&db->err_strings);
    memset(&db->err, 0, sizeof db->err);
    db->err.message = "No error.";
    db->err.table = db->err.column = db->err.constraint = db->err.value = "";
    db->err.sqlstate = db->err.engine_message = db->err.engine_detail = db->err.engine_hint = "";
    db->err.fk.child_table = db->err.fk.child_column = "";
    db->err.fk.parent_table = db->err.fk.parent_column = db->err.fk.value = "";
    db->err.item = -1;
    db->note_at = 0;
}

void rli_err_clear(rl_db *db)
{
    if (db->err.code == RL_OK && !db->err_strings.head && db->err.message)
        return; /* the common, free case */
    err_reset(db);
}

const char *rli_err_str(rl_db *db, const char *s)
{
    if (!s) return "";
    size_t n = strlen(s);
    char *p = rli_arena_alloc(&db->err_strings, n + 1);
    if (!p) return "";
    memcpy(p, s, n + 1);
    return p;
}

/* Format into a fresh buffer first: the arguments may point into the old error. */
static void put_message(rl_db *db, const char *fmt, va_list ap)
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
    rli_sb_free(&db->msg);
    db->msg = fresh;
    db->err.message = fresh.s ? fresh.s : "Out of memory.";
}

int rli_err_set(rl_db *db, int code, const char *fmt, ...)
{
    strbuf keep = db->msg; /* the old message may be an argument */
    rli_sb_init(&db->msg);
    arena old = db->err_strings;
    db->err_strings = (arena){0};
    err_reset(db);
    va_list ap;
    va_start(ap, fmt);
    put_message(db, fmt, ap);
    va_end(ap);
    rli_sb_free(&keep);
    rli_arena_free(&old);
    db->err.code = code;
    return code;
}

void rli_err_reword(rl_db *db, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    put_message(db, fmt, ap);
    va_end(ap);
}

void rli_err_unnote(rl_db *db)
{
    if (!db->note_at) return;
    rli_err_reword(db, "%.*s", (int)db->note_at, db->err.message);
    db->note_at = 0;
}

/* Record d (strings copied into the error) as a foreign-key failure with message b. */
int rli_err_fk(rl_db *db, const rl_fk_detail *d, int engine_code, strbuf *b)
{
    if (b->oom) {
        rli_sb_free(b);
        return rli_err_set(db, RL_ENOMEM, "Out of memory.");
    }
    rl_fk_detail copy = *d;
    /* the engine's own account of the failure, when it gave one, stays beside this one */
    char *words[4] = {strdup(db->err.sqlstate ? db->err.sqlstate : ""),
                      strdup(db->err.engine_message ? db->err.engine_message : ""),
                      strdup(db->err.engine_detail ? db->err.engine_detail : ""),
                      strdup(db->err.engine_hint ? db->err.engine_hint : "")};
    rli_err_set(db, RL_EFOREIGNKEY, "%s", sb_str(b));
    rli_sb_free(b);
    db->err.sqlstate = rli_err_str(db, words[0]);
    db->err.engine_message = rli_err_str(db, words[1]);
    db->err.engine_detail = rli_err_str(db, words[2]);
    db->err.engine_hint = rli_err_str(db, words[3]);
    for (int i = 0; i < 4; i++)
        free(words[i]);
    db->err.fk = copy;
    db->err.fk.child_table = rli_err_str(db, copy.child_table);
    db->err.fk.child_column = rli_err_str(db, copy.child_column);
    db->err.fk.parent_table = rli_err_str(db, copy.parent_table);
    db->err.fk.parent_column = rli_err_str(db, copy.parent_column);
    db->err.fk.value = rli_err_str(db, copy.value);
    db->err.engine_code = engine_code;
    db->err.table = copy.parent_side ? db->err.fk.parent_table : db->err.fk.child_table;
    db->err.column = copy.parent_side ? db->err.fk.parent_column : db->err.fk.child_column;
    return RL_EFOREIGNKEY;
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

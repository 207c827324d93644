/*
 * The last-error record of a connection (error.c), and the errors of rl_open before there is
 * a connection to hold one.  A leaf of the core: it words and stores errors and needs nothing
 * of the connection's layout, the models or the statements.
 */
#ifndef REFLITE_CORE_ERROR_H
#define REFLITE_CORE_ERROR_H

#include "reflite.h"

#include "base/base.h"

#include <stddef.h>

/* A last-error record: the public rl_error and the storage of its strings.  A connection holds
 * one (rl_db.e, read by rl_last_error); the backend's error callbacks word a failure into the
 * one they are handed (src/backend/backend.h), with the rli_rec_* functions below. */
typedef struct err_rec {
    rl_error err;
    strbuf msg;     /* the message text of err */
    arena strings;  /* the other strings of err, freed when it is cleared */
    size_t note_at; /* where the backend's failed_note begins in err's message, or 0 */
} err_rec;

/* Set r (every field reset) with a formatted message; returns code. */
int rli_rec_set(err_rec *r, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Replace only the message of r (its fields stay). */
void rli_rec_reword(err_rec *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A copy of s owned by r (never NULL: "" when out of memory). */
const char *rli_rec_str(err_rec *r, const char *s);
/* Record a foreign-key failure in r: d's strings copied, message b (freed); the engine's own
 * words already in r (sqlstate, engine_message...) stay.  Returns RL_EFOREIGNKEY. */
int rli_rec_fk(err_rec *r, const rl_fk_detail *d, int engine_code, strbuf *b);
/* Free what r holds (a connection's close). */
void rli_rec_free(err_rec *r);

/* The same on a connection's own record (db->e): */
/* Reset the last error to "no error". */
void rli_err_clear(rl_db *db);
/* Set the last error (every field reset) with a formatted message; returns code. */
int rli_err_set(rl_db *db, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Take back the backend's note on the current error's message (see rli_failed). */
void rli_err_unnote(rl_db *db);
/* Replace only the message of the current error (its fields stay). */
void rli_err_reword(rl_db *db, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A copy of s owned by the current error (never NULL: "" when out of memory). */
const char *rli_err_str(rl_db *db, const char *s);
/* Record a foreign-key failure: d's strings copied into the error, message b (freed). */
int rli_err_fk(rl_db *db, const rl_fk_detail *d, int engine_code, strbuf *b);

/* An error of rl_open, before there is a connection to hold it: the sentence goes to errbuf
 * (of size errlen, when given); returns code. */
int rli_open_fail(char *errbuf, size_t errlen, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* "CASCADE", "SET NULL"... as an rl_action (NO ACTION for anything else). */
rl_action rli_action_from_sql(const char *s);

#endif

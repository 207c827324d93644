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

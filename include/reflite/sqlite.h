/*
 * reflite/sqlite.h - what only the SQLite engine has, for programs that need it.
 *
 * include <reflite.h> is engine-neutral; a program that reaches for SQLite itself includes
 * this header too (and links SQLite: pkg-config's Requires already names it).
 *
 * WAL: a writable SQLite file is opened in WAL mode (readers do not block the writer) with
 * synchronous=NORMAL in development and FULL in production; rl_options.no_wal keeps the
 * rollback journal instead (for a file on a network file system, or one that must stay a
 * single file).
 */
#ifndef REFLITE_SQLITE_H
#define REFLITE_SQLITE_H

#include "reflite.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#pragma GCC visibility push(default)
#endif

typedef struct sqlite3 sqlite3;

/*
 * The underlying SQLite handle, for what reflite does not cover: NULL for a NULL db or a
 * connection on another engine.  Owned by db.  What is done through it is outside reflite's
 * promise: it can switch keys off.
 */
sqlite3 *rl_sqlite3(rl_db *db);

/* The version of the SQLite library in use ("3.46.1"). */
const char *rl_sqlite_version(void);

#if defined(__GNUC__) || defined(__clang__)
#pragma GCC visibility pop
#endif

#ifdef __cplusplus
}
#endif

#endif

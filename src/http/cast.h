/*
 * Casts in select= (col::type) on the rows read (cast.c).
 */
#ifndef REFLITE_HTTP_CAST_H
#define REFLITE_HTTP_CAST_H

#include "http_int.h"

typedef enum rlh_cast {
    RLH_CAST_TEXT,
    RLH_CAST_INTEGER,
    RLH_CAST_REAL,
    RLH_CAST_NUMERIC,
    RLH_CAST_BOOLEAN,
    RLH_CAST_JSON,
    RLH_CAST_ARRAY /* an array's JSON (a column of RL_KIND_ARRAY), each element cast */
} rlh_cast;

/* The type a cast names (PostgreSQL's names: text, varchar, int, int4, bigint, numeric, real,
 * float8, boolean, json, ..., and arrays of them by their types' names: _int4, _text, ...; any
 * case), as a number for the two calls below; -1 for a name that is none of them. */
int rlh_cast_of(const char *name);
/* The name of type t. */
const char *rlh_cast_name(int t);
/* The kind of column a database's cast to type t gives (text, integer, real, numeric), the
 * query API's for a cast it makes; RL_KIND_AUTO for any other type. */
rl_kind rlh_cast_kind(int t);
/* The JSON of v (a value of a column of kind) cast to type t, added to b (NULL: only
 * checked); false, with the SQLSTATE in *why (22P02: not a value of the type, 22003: out of its
 * range), when the type cannot take it. */
bool rlh_cast_write(rlh_buf *b, const rl_value *v, rl_kind kind, int t, const char **why);

/* PostgreSQL's name of the type of an integer column declared so (NULL: not known): smallint,
 * integer or bigint (SQLite's INTEGER is integer, as the same declaration is on PostgreSQL). */
const char *rlh_integer_type(const char *declared);

#endif

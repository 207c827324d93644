/* Full-text search through an index the engine keeps beside a table (SQLite's FTS5): search.c. */
#ifndef REFLITE_SEARCH_H
#define REFLITE_SEARCH_H

#include "model.h"
#include "schema.h"

/* The query a search of op (RL_FTS..RL_WFTS) of text reads as PostgreSQL's to_tsquery,
 * plainto_tsquery, phraseto_tsquery and websearch_to_tsquery would, in FTS5's query language
 * into out; RL_OK, or RL_EINVAL with why (what FTS5 cannot say). */
int rli_search_query(rl_op op, const char *text, strbuf *out, char *why, size_t nwhy);
/* The full-text indexes of schema s that cover the n fields of table (each column's, in a, the
 * first index of each) into *out, NULL when none covers any; RL_OK or RL_ENOMEM. */
int rli_search_covers(arena *a, const schema *s, const char *table, const rl_field *fields,
                      size_t n, rls_search **out);

#endif

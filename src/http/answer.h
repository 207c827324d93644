/*
 * The render stage of reads (answer.c): the rows of an executed plan written as PostgREST
 * writes them, a JSON array of objects (rlh_answer_json) or one of its objects
 * (rlh_answer_object: the singular answer of application/vnd.pgrst.object+json).
 */
#ifndef REFLITE_HTTP_ANSWER_H
#define REFLITE_HTTP_ANSWER_H

#include "exec.h"

void rlh_answer_json(rlh_buf *b, const rlh_result *res, bool strip_nulls);
/* The result's rows as CSV (text/csv): a line of the members' names, then a line per row
 * (text as it is, NULL empty, other values and related rows as their JSON), quoted where
 * needed; no line end after the last. */
void rlh_answer_csv(rlh_buf *b, const rlh_result *res);
/* Row k of the result's rows as one object. */
void rlh_answer_object(rlh_buf *b, const rlh_result *res, size_t k, bool strip_nulls);

/* Answer r with error e as PostgREST writes it (code, details, hint, message), with reflite's
 * own code and sentence in a member "reflite" (get.c). */
int rlh_answer_error(rl_request *r, const rlh_perror *e);

#endif

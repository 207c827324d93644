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
 * own code and sentence in a member "reflite" (render.c, as everything below but rlh_get). */
int rlh_answer_error(rl_request *r, const rlh_perror *e);
/* The answer to a read: the rows of res (plan p run; id: a read of /table/ID) with PostgREST's
 * statuses (200, 206; 404 or 406 when one row was asked for and there is not one; 416) and
 * headers (Content-Range, Content-Location, Preference-Applied, Warning, Link). */
int rlh_render_read(rl_request *r, const rl_model *m, const char *id, const rlh_plan *p,
                    const rlh_result *res);
/* r's arguments as a query string after what b holds, but the one called skip (NULL: none);
 * whether there was any. */
bool rlh_args_of(rl_request *r, const char *skip, rlh_buf *b);

/* The header Preference-Applied: of the request's Prefer, what an answer to method as applies,
 * in PostgREST's order (resolution only when it applied to the write); none when nothing. */
void rlh_preference_applied(rl_request *r, const rlh_req *q, rlh_method as, bool resolution);

/* get.c: the stages before execution, for every method of /table and /table/ID. */
/* 404: id is not a key of m (not an integer, or m has none). */
int rlh_bad_key(rl_request *r, const rl_model *m, const char *id);
/* The request value of r on m (*req: its query string and headers; with id, the filter of
 * its key; with by_key, ordered by the integer key) and its plan on r's models, both the
 * caller's to free; NULL (and *req NULL) after answering r with the request's error. */
/* The request's value from the parse stage alone (NULL when out of memory; it may hold a parse
 * error, rlh_parsed_planned's to answer): what a method checks before the plan (PUT's key
 * filters).  Free with rlh_req_free, or plan with rlh_parsed_planned. */
rlh_req *rlh_request_parsed(rl_request *r, const rl_model *m);
/* rlh_request_planned for a request already parsed (*req, taken: on failure it is freed and
 * *req set to NULL, r answered). */
rlh_plan *rlh_parsed_planned(rl_request *r, rlh_req **req);
rlh_plan *rlh_request_planned(rl_request *r, const rl_model *m, const char *id, bool by_key,
                              rlh_req **req);
/* rlh_request_planned for query (a query string as the API takes it) instead of r's, and as if
 * r asked for JSON: what a web page shows (page_rows.c). */
rlh_plan *rlh_query_planned(rl_request *r, const rl_model *m, const char *id, bool by_key,
                            const char *query, rlh_req **req);

/* What a POST wrote, in its open transaction, for its answer (write.c). */
typedef struct rlh_write_out {
    const rlh_req *req;
    const rlh_plan *p;
    const rl_model *m;
    rl_db *db;
    int64_t count;             /* the rows of the body's top level written (not ignored) */
    const rl_value *pks;       /* kept (representation, headers-only): their integer keys */
    const void *rows;          /* or, on a table without one, the rows (structs of m) */
    size_t nkept;              /* how many of either */
    const rlh_buf *as_written; /* not NULL: the answer is these rows as written (nested too) */
    bool resolution;           /* a resolution= preference applied (the table has a key) */
    bool put;                  /* a PUT: the row is the one the plan's conditions name */
    int64_t inserted;          /* the rows that were not there before (the others updated) */
    bool merged;               /* resolution=merge-duplicates applied */
} rlh_write_out;
/* Finish a POST: the rows written checked against a singular Accept, read again as select=
 * shows them (return=representation), the transaction committed (or rolled back on an
 * error), and r answered: 201 (200 when a merge inserted nothing), Location (headers-only, one
 * row), Content-Range and Preference-Applied as PostgREST sends them. */
int rlh_write_created(rl_request *r, const rlh_write_out *w);
/* The end of a write's transaction: committed, or rolled back when the request says Prefer:
 * tx=rollback (it is answered as if kept); nothing for a write that ran without one. */
int rlh_write_end(rl_db *db, const rlh_req *req);
/* insert.c: PUT /{table}?key=eq.value: the one row of that primary key inserted or replaced
 * (PostgREST's rules: PGRST105, PGRST114, PGRST115); answers r. */
int rlh_put(rl_request *r, const rl_model *m);

/* write.c: PATCH and DELETE of the rows a request's filters (or /table/ID) name: sets (none
 * for DELETE) are the body's columns with their values; req and p the request already planned
 * (both taken), or NULL to plan it here.  Answers r. */
int rlh_write_change(rl_request *r, const rl_model *m, const char *id, const rl_set *sets,
                     size_t nsets, bool del, rlh_req *req, rlh_plan *p);

#endif

/*
 * The render stage of reads (answer.c): the rows of an executed plan written as PostgREST
 * writes them, a JSON array of objects (rlh_answer_json) or one of its objects
 * (rlh_answer_object: the singular answer of application/vnd.pgrst.object+json).
 */
#ifndef REFLITE_HTTP_ANSWER_H
#define REFLITE_HTTP_ANSWER_H

#include "exec.h"

#include <jansson.h>

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

/* An error as a value, handed up from deep in a call (a body refused, a statement the database
 * refused) for the render stage to write once: PostgREST's error with the text it points to
 * kept here, and more members of the body after reflite's own (the broken "key", the refused
 * value's "column" and "value", the failing "item").  Zero it before use; the first error
 * set is the one kept.  Constructors in fault.c, each returning -1. */
typedef struct rlh_fault {
    rlh_perror e; /* e.code NULL: no fault */
    char code[32], message[1024], details[1600], hint[512], sentence[1200];
    rlh_buf more; /* ",\"key\":{...},\"item\":2" */
} rlh_fault;
/* No fault yet: what tells (e) and what holds memory (more) set, not the 4 KB of text buffers
 * a fault fills (rlh_fault f = {0} would clear them all, at every request). */
static inline void rlh_fault_none(rlh_fault *f)
{
    f->e = (rlh_perror){0};
    f->more = (rlh_buf){0};
}
/* e (its text copied). */
int rlh_fail(rlh_fault *f, const rlh_perror *e);
/* An error reflite names alone (code RL_E..., PostgREST has none): status, message, hint. */
int rlh_fail_own(rlh_fault *f, int status, const char *code, const char *message, const char *hint);
/* 400 of code whose sentence is msg after where ("item 2, books[0]: ...") when not "". */
int rlh_fail_at(rlh_fault *f, const char *code, const char *where, const char *msg);
/* 500, out of memory. */
int rlh_fail_oom(rlh_fault *f);
/* db's last error; item >= 0: the index of the failing item of an array, where (may be NULL):
 * the item's place in the body, before the message ("item 2, books[0]"); for the failed write
 * of row (a row of m; NULL: none), PostgreSQL's words where the engine has none (SQLite): a
 * NOT NULL column ("null value in column ... violates not-null constraint", "Failing row
 * contains (...)") and a duplicate key ("duplicate key value violates unique constraint
 * \"<table>_pkey\"" or "<table>_<columns>_key", "Key (k)=(v) already exists."). */
int rlh_fail_db(rlh_fault *f, rl_request *r, rl_db *db, long item, const char *where,
                const rl_model *m, const void *row);
/* Answer r with fault f (render.c), and free what it holds. */
int rlh_answer_fault(rl_request *r, rlh_fault *f);
/* Answer r with db's last error (rlh_fail_db without an item or a row). */
int rlh_db_error(rl_request *r, rl_db *db, long item, const char *where);

/* rest.c, for the writes: the body as JSON (NULL: a 400 PGRST102 in f saying where it went
 * wrong, or out of memory); object o into row (of m): -1 and f for a bad key or value (nested:
 * an array under a name that is not a column is left for the nested insert). */
json_t *rlh_body_json(rl_request *r, rlh_fault *f);
int rlh_row_from(rl_request *r, rlh_fault *f, const rl_model *m, json_t *o, void *row,
                 const char *where, bool nested);
/* PostgREST's rules for the objects of a POST or PATCH body j: with columns=, the columns named
 * (all of the table's) and of each object only those keys (*j is replaced); without it, an
 * array's objects have the same keys.  -1 and f (a refusal, or out of memory), else 0. */
int rlh_columns_taken(rlh_fault *f, const rl_model *m, const rlh_req *req, json_t **j);

/* A write's answer as a value: its status, PostgREST's headers, and its body. */
typedef struct rlh_written {
    int status;           /* 200, 201 or 204 */
    const rlh_req *req;   /* its media type (singular, CSV, JSON) and its Prefer */
    rlh_method as;        /* the method whose preferences Preference-Applied names */
    bool resolution;      /* a resolution= preference applied */
    char range[64];       /* Content-Range, or "" for none */
    const char *location; /* Location, or NULL */
    rlh_buf *body;        /* NULL: none (and no Content-Type); taken */
} rlh_written;
/* Answer r with the write w (render.c). */
int rlh_render_write(rl_request *r, rlh_written *w);
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
/* rlh_request_planned for a plain request (no query string, no header the parse stage reads
 * but an Accept of JSON: a GET or HEAD of /{table}/{id}, a POST of /{table}), whose plan is
 * kept on r's connection for the next of the same method on m (id: the key's value set to
 * it); *kept: p and *req are the connection's, not the caller's to free. */
rlh_plan *rlh_plan_kept(rl_request *r, const rl_model *m, const char *id, bool by_key,
                        rlh_req **req, bool *kept);
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

/*
 * A read through the server's stages without a server: parsed, planned on the models, run on
 * the database and written as JSON (src/http/parse.h, plan.h, exec.h, answer.h).
 */
#ifndef REFLITE_TESTS_PIPELINE_H
#define REFLITE_TESTS_PIPELINE_H

#include "helpers.h"

#include "answer.h"

#include <stdlib.h>
#include <string.h>

/* A throw-away database (the test profile) made by schema then rows, and its tables read. */
typedef struct fixture {
    rl_db *db;
    rl_models *ms;
} fixture;

static inline fixture *pipeline_open(const char *schema, const char *rows)
{
    fixture *f = calloc(1, sizeof *f);
    rl_options o = {.profile = RL_PROFILE_TEST};
    assert_non_null(f);
    assert_int_equal(rl_open(&f->db, NULL, &o), RL_OK);
    assert_int_equal(rl_exec(f->db, schema, NULL, 0, NULL), RL_OK);
    assert_int_equal(rl_exec(f->db, rows, NULL, 0, NULL), RL_OK);
    assert_int_equal(rl_models_load(f->db, &f->ms), RL_OK);
    return f;
}

/* cmocka's teardown of a fixture made by pipeline_open. */
static inline int pipeline_close(void **state)
{
    fixture *f = *state;
    rl_models_free(f->ms);
    rl_close(f->db);
    free(f);
    return 0;
}

/* GET /rel?query: the JSON (nulls stripped with strip), or the error's status and code as
 * "STATUS CODE"; malloc'd. */
static inline char *pipeline_answer(rl_db *db, const rl_models *ms, const char *rel,
                                    const char *query, bool strip)
{
    rlh_parse_in in = {
        .method = "GET", .relation = rel, .query = query, .query_len = strlen(query)};
    rlh_req *req = rlh_parse(&in);
    assert_non_null(req);
    rlh_plan *p = rlh_plan_read(req, ms, NULL);
    assert_non_null(p);
    rlh_buf b = {0};
    if (p->error) {
        rlh_addf(&b, "%d %s", p->error->status, p->error->code);
    } else {
        rlh_result res;
        rlh_exec_error err;
        int rc = rlh_exec_read(db, p, NULL, &res, &err);
        if (rc == RL_EINVAL)
            rlh_addf(&b, "%d %s", err.e.status, err.e.code);
        else if (rc != RL_OK)
            fail_msg("%s?%s: %s", rel, query, rl_errmsg(db));
        else
            rlh_answer_json(&b, &res, strip);
        rlh_result_free(&res);
    }
    rlh_plan_free(p);
    rlh_req_free(req);
    return b.data;
}

/* The answer of GET /rel?query is want, or the test fails showing both. */
static inline void pipeline_expect(rl_db *db, const rl_models *ms, const char *rel,
                                   const char *query, const char *want)
{
    char *got = pipeline_answer(db, ms, rel, query, false);
    if (strcmp(got, want) != 0) fail_msg("%s?%s:\n got  %s\n want %s", rel, query, got, want);
    free(got);
}

#endif

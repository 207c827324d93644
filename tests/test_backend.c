/* The backend tables: an incomplete backend or one built for another version is refused with
 * a sentence naming what it lacks, and both of reflite's own are complete. */
#include "backend/backend.h"
#include "helpers.h"

#include <string.h>

static void test_own_backends_are_complete(void **state)
{
    (void)state;
    char err[256] = "";
    assert_int_equal(rli_backend_check(&rli_sqlite_backend, err, sizeof err), RL_OK);
    assert_int_equal(rli_backend_check(&rli_postgres_backend, err, sizeof err), RL_OK);
}

static void test_incomplete_backend_refused(void **state)
{
    (void)state;
    char err[256] = "";
    rl_backend b = rli_sqlite_backend;
    b.version = RLB_VERSION - 1;
    assert_int_equal(rli_backend_check(&b, err, sizeof err), RL_EMISUSE);
    assert_contains(err, "The sqlite backend was built for backend version");
    b = rli_sqlite_backend;
    b.prepare = NULL;
    assert_int_equal(rli_backend_check(&b, err, sizeof err), RL_EMISUSE);
    assert_contains(err, "it has no prepare callback");
    b = rli_postgres_backend;
    b.migrator = NULL;
    assert_int_equal(rli_backend_check(&b, err, sizeof err), RL_EMISUSE);
    assert_contains(err, "The postgresql backend is incomplete: it has no migrator callback");
    /* the migrator, the other half, has a version and "must" callbacks of its own */
    rl_migrator m = *rli_postgres_backend.migrator;
    m.check = NULL;
    b.migrator = &m;
    assert_int_equal(rli_backend_check(&b, err, sizeof err), RL_EMISUSE);
    assert_contains(err, "The postgresql backend's migrator is incomplete: it has no check "
                         "callback");
    m = *rli_sqlite_backend.migrator;
    m.version = RLM_VERSION + 1;
    b = rli_sqlite_backend;
    b.migrator = &m;
    assert_int_equal(rli_backend_check(&b, err, sizeof err), RL_EMISUSE);
    assert_contains(err, "The sqlite backend's migrator was built for migrator version");
    /* "may" callbacks can be left out */
    b = rli_sqlite_backend;
    b.clear_bindings = NULL;
    b.read_row = NULL;
    b.bulk_load = NULL;
    assert_int_equal(rli_backend_check(&b, err, sizeof err), RL_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_own_backends_are_complete),
        cmocka_unit_test(test_incomplete_backend_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * examples/estimator against its running self: the seed service's test cases, in C, over
 * HTTP, on the program started in test mode (REFLITE_ENV=test) on a free port, twice: each
 * run starts with a clean database, so the cases pass the first time and every time after.
 * The program is stopped with SIGTERM and must exit 0.
 * Usage: test_estimator PATH_TO_example_estimator
 */
#include "helpers.h"

#include <curl/curl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>

static const char *program;

typedef struct reply {
    long status;
    char body[1024];
    size_t len;
    char location[512], type[128];
} reply;

static size_t on_body(char *d, size_t size, size_t n, void *ctx)
{
    reply *r = ctx;
    size_t k = size * n < sizeof r->body - 1 - r->len ? size * n : sizeof r->body - 1 - r->len;
    memcpy(r->body + r->len, d, k);
    r->len += k;
    r->body[r->len] = '\0';
    return size * n;
}

static size_t on_header(char *d, size_t size, size_t n, void *ctx)
{
    reply *r = ctx;
    int len = (int)strcspn(d, "\r\n");
    if (strncasecmp(d, "Location: ", 10) == 0)
        snprintf(r->location, sizeof r->location, "%.*s", len - 10, d + 10);
    if (strncasecmp(d, "Content-Type: ", 14) == 0)
        snprintf(r->type, sizeof r->type, "%.*s", len - 14, d + 14);
    return size * n;
}

static reply request(int port, const char *method, const char *path)
{
    reply r = {0};
    char url[256];
    snprintf(url, sizeof url, "http://localhost:%d%s", port, path);
    CURL *c = curl_easy_init();
    assert_non_null(c);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
    assert_int_equal(curl_easy_perform(c), CURLE_OK);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
    curl_easy_cleanup(c);
    return r;
}

static void expect_json_field(const reply *r, const char *key, const char *value)
{
    json_t *j = json_loads(r->body, 0, NULL);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, key)), value);
    json_decref(j);
}

/* Start the program; its port from the line it prints (read with a deadline). */
static pid_t start(int *port)
{
    int out[2];
    assert_int_equal(pipe(out), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(out[1], STDOUT_FILENO);
        close(out[0]);
        setenv("REFLITE_ENV", "test", 1);
        execl(program, program, "--port", "0", (char *)NULL);
        _exit(127);
    }
    close(out[1]);
    char line[256] = "";
    size_t len = 0;
    struct pollfd p = {out[0], POLLIN, 0};
    while (!strchr(line, '\n') && len < sizeof line - 1 && poll(&p, 1, 20000) == 1) {
        ssize_t k = read(out[0], line + len, sizeof line - 1 - len);
        if (k <= 0) break;
        len += (size_t)k;
        line[len] = '\0';
    }
    close(out[0]);
    const char *at = strstr(line, "127.0.0.1:");
    if (!at) {
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        fail_msg("the estimator did not say where it listens: '%s'", line);
    }
    assert_non_null(strstr(line, "(test)"));
    *port = atoi(at + 10);
    return pid;
}

static void test_seed_cases_every_run(void **state)
{
    (void)state;
    for (int run = 0; run < 2; run++) {
        int port;
        pid_t pid = start(&port);
        reply r = request(port, "POST", "/rest/v1/group/NewGroup"); /* test_create_group */
        assert_int_equal(r.status, 201);
        assert_string_equal(r.body, "{}");
        char want[128];
        snprintf(want, sizeof want, "http://localhost:%d/rest/v1/group/NewGroup", port);
        assert_string_equal(r.location, want);
        assert_string_equal(r.type, "application/json");
        r = request(port, "GET", "/rest/v1/group/NewGroup"); /* and it is there */
        assert_int_equal(r.status, 200);
        expect_json_field(&r, "groupname", "NewGroup");
        r = request(port, "GET", "/rest/v1/group/TestGroup"); /* test_query_group */
        assert_int_equal(r.status, 200);
        expect_json_field(&r, "groupname", "TestGroup");
        r = request(port, "GET", "/rest/v1/group/NoSuchGroup"); /* a missing group */
        assert_int_equal(r.status, 404);
        expect_json_field(&r, "message", "Group not found");
        r = request(port, "POST", "/rest/v1/group/GroupAlreadyExists"); /* an existing one */
        assert_int_equal(r.status, 400);
        expect_json_field(&r, "message", "Group already exists");
        assert_int_equal(kill(pid, SIGTERM), 0);
        int status = 0;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: test_estimator PATH_TO_example_estimator\n");
        return 2;
    }
    program = argv[1];
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_seed_cases_every_run)};
    int failed = cmocka_run_group_tests_name("estimator", tests, NULL, NULL);
    curl_global_cleanup();
    return failed;
}

/*
 * The estimator's group service on reflite's embedding API:
 *
 *   POST /rest/v1/group/<name>   creates the group: 201, body {}, Location: the group's URL;
 *                                an existing name: 400 {"message": "Group already exists"}
 *   GET  /rest/v1/group/<name>   {"groupname": ...}, or 404 {"message": "Group not found"}
 *
 * It runs in the mode REFLITE_ENV names, on the database REFLITE_DATABASE names:
 * development (the default; reflite.db), test (a fresh database every run, with the groups
 * the tests expect) or production (the database must exist).  Group names are unique in the
 * table itself, so two clients creating one name at once cannot both succeed.
 *
 *   example_estimator [--port N]   serve until SIGINT or SIGTERM ("listening on ..." first)
 *   example_estimator --demo       start on a free port, make the requests of the service's
 *                                  tests with an HTTP client, print the exchanges and stop
 */
#include <reflite.h>
#include <reflite/http.h>

#include <curl/curl.h>
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    int64_t pk;
    char *groupname;
} Group;

static const rl_field group_fields[] = {RL_TEXT(Group, groupname, .unique = true)};
static const rl_model Group_model = RL_MODEL(Group, "estimation_groups", group_fields);

static int message(rl_request *req, int status, const char *text)
{
    json_t *o = json_pack("{s:s}", "message", text);
    char *body = o ? json_dumps(o, JSON_COMPACT) : NULL;
    int rc = body ? rl_respond(req, status, NULL, body, strlen(body)) : RL_ENOMEM;
    free(body);
    json_decref(o);
    return rc;
}

static int create_group(rl_request *req, void *ctx)
{
    (void)ctx;
    rl_db *db = rl_request_db(req);
    Group g = {.groupname = (char *)rl_request_param(req, "name")};
    int rc = rl_insert(db, &Group_model, &g);
    if (rc == RL_EUNIQUE) return message(req, 400, "Group already exists");
    if (rc != RL_OK) return rl_respond_db_error(req, db);
    const char *host = rl_request_header(req, "Host");
    char *where = malloc(strlen(host ? host : "localhost") + strlen(rl_request_path(req)) + 8);
    if (!where) return message(req, 500, "Out of memory");
    sprintf(where, "http://%s%s", host ? host : "localhost", rl_request_path(req));
    rl_response_header(req, "Location", where);
    free(where);
    return rl_respond(req, 201, "application/json", "{}", 2);
}

static int query_group(rl_request *req, void *ctx)
{
    (void)ctx;
    rl_db *db = rl_request_db(req);
    rl_query *q = rl_select(db, &Group_model);
    rl_where(q, "groupname", RL_EQ, rl_text(rl_request_param(req, "name")));
    Group g = {0};
    int rc = rl_fetch_first(q, &g);
    rl_query_free(q);
    if (rc == RL_ENOTFOUND) return message(req, 404, "Group not found");
    if (rc != RL_OK) return rl_respond_db_error(req, db);
    json_t *o = json_pack("{s:s}", "groupname", g.groupname);
    char *body = o ? json_dumps(o, JSON_COMPACT) : NULL;
    rc = body ? rl_respond(req, 200, NULL, body, strlen(body)) : message(req, 500, "Out of memory");
    free(body);
    json_decref(o);
    rl_row_free(&Group_model, &g);
    return rc;
}

/* The database of the mode: its table, and in test mode the groups the tests expect. */
static int open_database(rl_db **db)
{
    char err[512];
    if (rl_open_ex(db, NULL, NULL, err, sizeof err) != RL_OK) {
        fprintf(stderr, "estimator: %s\n", err);
        return 1;
    }
    const rl_model *models[] = {&Group_model};
    if (rl_create_all(*db, models, 1) != RL_OK) {
        fprintf(stderr, "estimator: %s\n", rl_errmsg(*db));
        return 1;
    }
    if (rl_db_profile(*db) == RL_PROFILE_TEST) {
        Group seeds[] = {{.groupname = "TestGroup"}, {.groupname = "GroupAlreadyExists"}};
        if (rl_insert_many(*db, &Group_model, seeds, 2) != RL_OK) {
            fprintf(stderr, "estimator: %s\n", rl_errmsg(*db));
            return 1;
        }
    }
    return 0;
}

/* ---- the demonstration: the service's test requests, made with libcurl ------------------- */

static size_t keep(char *d, size_t size, size_t n, void *ctx)
{
    fwrite(d, size, n, (FILE *)ctx);
    return size * n;
}

static size_t header_line(char *d, size_t size, size_t n, void *ctx)
{
    (void)ctx;
    if ((n > 9 && strncmp(d, "Location:", 9) == 0) ||
        (n > 13 && strncmp(d, "Content-Type:", 13) == 0))
        printf("   %.*s\n", (int)strcspn(d, "\r\n"), d);
    return size * n;
}

static void exchange(int port, const char *method, const char *path)
{
    char url[256];
    snprintf(url, sizeof url, "http://localhost:%d%s", port, path);
    CURL *c = curl_easy_init();
    if (!c) return;
    printf("%s %s\n", method, path);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, header_line);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep);
    char body[512] = "";
    FILE *f = fmemopen(body, sizeof body - 1, "w");
    curl_easy_setopt(c, CURLOPT_WRITEDATA, f);
    CURLcode rc = curl_easy_perform(c);
    fclose(f);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    if (rc == CURLE_OK)
        printf("-> %ld %s\n", status, body);
    else
        printf("-> %s\n", curl_easy_strerror(rc));
    curl_easy_cleanup(c);
}

static void demo(int port)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    exchange(port, "POST", "/rest/v1/group/NewGroup");
    exchange(port, "GET", "/rest/v1/group/NewGroup");
    exchange(port, "GET", "/rest/v1/group/TestGroup");
    exchange(port, "GET", "/rest/v1/group/NoSuchGroup");
    exchange(port, "POST", "/rest/v1/group/GroupAlreadyExists");
    curl_global_cleanup();
}

int main(int argc, char **argv)
{
    bool show = argc > 1 && strcmp(argv[1], "--demo") == 0;
    int port = show ? 0 : argc > 2 && strcmp(argv[1], "--port") == 0 ? atoi(argv[2]) : 8080;
    if (show) setenv("REFLITE_ENV", "test", 1); /* every demonstration starts clean */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop, NULL); /* the workers leave the signals to sigwait */
    rl_db *db = NULL;
    rl_server *s = NULL;
    char err[512];
    rl_server_options o = {.port = port, .quiet = show};
    if (open_database(&db) != 0 || rl_server_new(&s, db, &o, err, sizeof err) != RL_OK) {
        if (db && !s) fprintf(stderr, "estimator: %s\n", err);
        rl_close(db);
        return 1;
    }
    rl_server_route(s, "POST", "/rest/v1/group/{name}", create_group, NULL);
    rl_server_route(s, "GET", "/rest/v1/group/{name}", query_group, NULL);
    if (rl_server_start(s) != RL_OK) {
        fprintf(stderr, "estimator: %s\n", rl_server_errmsg(s));
        rl_server_free(s);
        rl_close(db);
        return 1;
    }
    printf("estimator (%s) listening on http://127.0.0.1:%d\n", rl_profile_name(rl_db_profile(db)),
           rl_server_port(s));
    fflush(stdout);
    if (show) {
        demo(rl_server_port(s));
    } else {
        int sig;
        sigwait(&stop, &sig);
    }
    rl_server_free(s);
    rl_close(db);
    return 0;
}

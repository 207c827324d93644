/* A program built against an installed libreflite-http: a server on a private database,
 * started on a free port of 127.0.0.1 and stopped. */
#include <reflite.h>
#include <reflite/http.h>

#include <stdio.h>

int main(void)
{
    rl_db *db;
    rl_options o = {.profile = RL_PROFILE_TEST};
    if (rl_open(&db, NULL, &o) != RL_OK) return 1;
    rl_server *s;
    char err[256];
    rl_server_options so = {.quiet = true};
    if (rl_server_new(&s, db, &so, err, sizeof err) != RL_OK) return 1;
    int ok = rl_server_rest(s, "") == RL_OK && rl_server_start(s) == RL_OK &&
             rl_server_port(s) > 0;
    rl_server_free(s);
    rl_close(db);
    printf("reflite-http %s\n", ok ? "served" : "failed");
    return ok ? 0 : 1;
}

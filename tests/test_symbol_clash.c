/*
 * An application may use names the library uses inside: with the shared library its own
 * definitions must neither clash nor be called by reflite.  These are names reflite's sources
 * use internally; if the library still exported them, rl_open would call the ones below.
 */
#include <reflite.h>

#include <stdio.h>

int exec_sql(void *db, const char *sql);
int set_foreign_keys(void *db, int on);
int err_set(void *db, int code, const char *fmt);
void sb_init(void *b);

int exec_sql(void *db, const char *sql)
{
    (void)db;
    (void)sql;
    return 1;
}
int set_foreign_keys(void *db, int on)
{
    (void)db;
    (void)on;
    return -1;
}
int err_set(void *db, int code, const char *fmt)
{
    (void)db;
    (void)fmt;
    return code;
}
void sb_init(void *b)
{
    (void)b;
}

int main(void)
{
    rl_db *db = NULL;
    rl_options o = {.profile = RL_PROFILE_TEST};
    int rc = rl_open(&db, NULL, &o);
    int64_t fk = 0;
    if (rc == RL_OK) rc = rl_query_int(db, "PRAGMA foreign_keys", NULL, 0, &fk);
    rl_close(db);
    printf("rl_open with clashing application names: %s, foreign_keys = %lld\n", rl_code_name(rc),
           (long long)fk);
    return rc == RL_OK && fk == 1 ? 0 : 1;
}

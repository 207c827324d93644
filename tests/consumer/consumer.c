/*
 * A program built against an installed reflite (pkg-config, CMake or the Debian packages):
 * it opens a database, uses the SQLite handle directly (so SQLite must be linked through
 * reflite's package), checks that the header and the library are the same version, and that
 * a broken key is refused with the key named.
 */
#include <reflite.h>
#include <reflite/sqlite.h>
#include <sqlite3.h>

#include <stdio.h>
#include <string.h>

int main(void)
{
    rl_db *db = NULL;
    rl_options o = {.profile = RL_PROFILE_TEST};
    if (rl_open(&db, NULL, &o) != RL_OK) return 1;
    int rc = sqlite3_exec(rl_sqlite3(db),
                          "CREATE TABLE a (pk INTEGER PRIMARY KEY);"
                          "CREATE TABLE b (pk INTEGER PRIMARY KEY, a_id INTEGER REFERENCES a);",
                          NULL, NULL, NULL);
    int fk = rl_exec(db, "INSERT INTO b (a_id) VALUES (99999)", NULL, 0, NULL);
    const char *msg = rl_errmsg(db);
    int ok = rc == SQLITE_OK && fk == RL_EFOREIGNKEY && strstr(msg, "a_id = 99999") != NULL &&
             strcmp(rl_version(), REFLITE_VERSION) == 0 &&
             rl_version_number() == REFLITE_VERSION_NUMBER;
    printf("reflite %s (header %s), SQLite %s: %s\n", rl_version(), REFLITE_VERSION,
           sqlite3_libversion(), ok ? "ok" : msg);
    rl_close(db);
    return ok ? 0 : 1;
}

/*
 * Hostile or damaged database files: the input is written to a file and goes through what
 * the schema, check, diff and migrate commands do.  Nothing may crash, hang or leak; errors
 * are fine.
 */
#include "fuzz.h"

#include <unistd.h>

static const char *TARGET = "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);"
                            "CREATE TABLE notes (id INTEGER PRIMARY KEY, user_id INTEGER "
                            "REFERENCES users (id) ON DELETE CASCADE);";

static int ignore(const rl_finding *f, void *ctx)
{
    (void)f;
    (void)ctx;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 65536) return 0;
    char path[] = "/tmp/reflite-fuzz-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) abort();
    if (write(fd, data, size) != (ssize_t)size) abort();
    close(fd);
    for (int writable = 0; writable < 2; writable++) {
        rl_db *db = NULL;
        rl_options o = {.profile = RL_PROFILE_DEVELOPMENT, .no_wal = true, .read_only = !writable};
        if (rl_open(&db, path, &o) != RL_OK) break;
        if (!writable) {
            char *s = NULL;
            if (rl_schema_dump(db, &s) == RL_OK) free(s);
            rl_check(db, ignore, NULL, NULL);
            rl_plan *p = NULL;
            if (rl_plan_new(db, TARGET, &p) == RL_OK) rl_plan_free(p);
        } else {
            rl_migrate(db, TARGET, NULL);
        }
        rl_close(db);
    }
    unlink(path);
    char side[64];
    snprintf(side, sizeof side, "%s-journal", path);
    unlink(side);
    return 0;
}

/*
 * Hostile or damaged database files: the input is written to a file and goes through what
 * the schema, check, diff and migrate commands do, and through runtime models (each table's
 * rows read, each with its parent where a key makes a relation).  Nothing may crash, hang or
 * leak; errors are fine.
 */
#include "fuzz.h"

#include <unistd.h>

static const char *TARGET = "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);"
                            "CREATE TABLE notes (id INTEGER PRIMARY KEY, user_id INTEGER "
                            "REFERENCES users (id) ON DELETE CASCADE);";

/* Every table of the file as a runtime model: its rows, and with a parent its joined rows. */
static void read_models(rl_db *db)
{
    rl_models *ms = NULL;
    if (rl_models_load(db, &ms) != RL_OK) return;
    for (size_t i = 0; i < rl_models_count(ms) && i < 16; i++) {
        const rl_model *m = rl_models_get(ms, i);
        rl_query *q = rl_select(db, m);
        rl_limit(q, 50);
        for (size_t f = 0; f < m->nfields; f++)
            if (m->fields[f].references) {
                rl_join(q, m->fields[f].references, m->fields[f].name);
                break;
            }
        rl_rows *rows = NULL;
        if (rl_fetch_all(q, &rows) == RL_OK) rl_rows_free(rows);
        rl_values *v = NULL;
        if (rl_fetch_values(q, &v) == RL_OK) rl_values_free(v);
        rl_query_free(q);
    }
    rl_models_free(ms);
}

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
            read_models(db);
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

/* A migration plan: shared by planning (migrate.c) and applying it (migrate_apply.c). */
#ifndef REFLITE_MIGRATE_H
#define REFLITE_MIGRATE_H

#include "schema.h"

#define COPY_CHUNK    100000
#define HISTORY_TABLE "reflite_migrations"

enum step_kind { STEP_SQL, STEP_COPY };

/*
 * One statement of a plan.  STEP_SQL runs sql as exactly one statement.  STEP_COPY copies
 * table into dest with sql (an INSERT ... SELECT; with ?1/?2 inclusive bounds on rowid, the
 * source's unhidden rowid name, when chunked) and then proves that every row arrived.
 */
typedef struct step {
    enum step_kind kind;
    char *sql;
    char *table, *dest;
    const char *rowid; /* "rowid", "_rowid_" or "oid": a name no column of table hides */
    bool chunked;
} step;

struct rl_plan {
    strbuf summary, loss, blocked, text;
    strbuf loss_all; /* blocked, then loss: what rl_plan_data_loss shows */
    step *steps;
    size_t nsteps;
    size_t changes;
    bool empty_target; /* the target declares no table while the database has some */
    char hash[17];
    char **rebuilt; /* tables copied: their size is needed on disk */
    size_t nrebuilt;
};

/* count(*) of "SELECT count(*) FROM main.<table> [WHERE <column> <cond>]"; -1 on error. */
int64_t rli_count_rows(sqlite3 *h, const char *table, const char *column, const char *cond);

#endif

/*
 * Creating the tables of models: the DDL that sql/ddl.c renders (rl_schema_sql), run in one
 * savepoint, so that either every table and index is created or none is.
 */
#include "db.h"
#include "stmt.h"

#include <stdlib.h>

int rl_create_all(rl_db *db, const rl_model *const *models, size_t n)
{
    if (!db || (n && !models)) return RL_EINVAL;
    char *sql;
    int rc = rl_schema_sql(db, models, n, &sql);
    if (rc != RL_OK) return rc;
    int src = rli_sp_begin(db, "rl_create");
    if (src != RLB_OK) {
        free(sql);
        return rli_fail(db, NULL, src, "create tables");
    }
    src = rli_exec_sql(db, sql);
    free(sql);
    if (src != RLB_OK) {
        rc = rli_fail(db, NULL, src, "create tables");
        rli_sp_rollback(db, "rl_create");
        return rc;
    }
    src = rli_sp_release(db, "rl_create");
    if (src != RLB_OK) return rli_fail(db, NULL, src, "create tables");
    return RL_OK;
}

int rl_create_table(rl_db *db, const rl_model *model)
{
    if (!db || !model) return RL_EINVAL;
    return rl_create_all(db, &model, 1);
}

/*
 * A migration plan: the value shared by the engine-neutral planning and applying
 * (src/migrate/) and the backend that fills and runs it (src/backend/<engine>/).
 */
#ifndef REFLITE_MIGRATE_H
#define REFLITE_MIGRATE_H

#include "core/schema.h"
#include "sql/copy.h"

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
    strbuf lint;     /* each loss or blocked line again as "check\tsentence\n", for rl_check */
    strbuf loss_all; /* blocked, then loss: what rl_plan_data_loss shows */
    step *steps;
    size_t nsteps;
    size_t changes;
    bool empty_target; /* the target declares no table while the database has some */
    char hash[17];
    char **rebuilt; /* tables copied: their size is needed on disk */
    size_t nrebuilt;
    char **gone;          /* what would be dropped with data: "table" or "table\ncolumn" */
    size_t nrename_steps; /* the first steps are the renames' */
    size_t ngone;
};

/* Building a plan: a step, a one-statement SQL step, a summary line, a loss line. */
void rli_plan_step(rl_plan *p, step s);
void rli_plan_sql(rl_plan *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void rli_plan_summary(rl_plan *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void rli_plan_loss(strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A loss line into to (p->loss or p->blocked) that is also a finding of the lint check named
 * check (rl_check_options.target_sql) in p->lint. */
void rli_plan_noted(rl_plan *p, strbuf *to, const char *check, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The last of a planner's work: every loss line in one text (blocked ones first); RL_OK, or
 * RL_ENOMEM set on db when any of the plan's texts ran out of memory. */
int rli_plan_finish(rl_db *db, rl_plan *p);
/* The data-loss guard's sentences, worded once for every engine (the caller decides whether
 * the count calls for one): a column dropped with n values (p->loss); a NOT NULL column
 * without a default added to a table of rows rows, a column of n NULLs becoming NOT NULL, a
 * type that cannot hold a value (n < 0, why) (p->blocked); n values a type change alters
 * (p->loss). */
void rli_loss_dropped_column(rl_plan *p, const char *table, const char *column, int64_t n);
void rli_loss_dropped_table(rl_plan *p, const char *table, int64_t rows);
void rli_loss_not_null_added(rl_plan *p, const char *table, const char *column, int64_t rows);
void rli_loss_nulls(rl_plan *p, const char *table, const char *column, int64_t n);
void rli_loss_type(rl_plan *p, const char *table, const char *column, const char *type, int64_t n,
                   const char *why);
/* Renames (rename.c): check opts' renames against cur (RL_EINVAL naming the first bad one),
 * and put their statements, in an order that runs (chains, swaps through a name nothing in
 * cur holds), into p's steps and their lines into its summary. */
int rli_renames_check(rl_db *db, const schema *cur, const rl_rename *r, size_t n);
void rli_renames_plan(rl_plan *p, const schema *cur, const rl_rename *r, size_t n);
/* After a plan is worked out: for each column or table it would drop with data while the
 * target adds one that looks the same, the rename that would keep the data (p->loss). */
void rli_rename_hints(rl_plan *p, const schema *cur, const schema *tgt);
/* rl_check_ex's lint for Citus distributed by column dist (citus.c): findings through fn,
 * counted in *count. */
int rli_citus_lint(rl_db *db, const char *dist, rl_finding_fn fn, void *ctx, int64_t *count);
/* name as a double-quoted identifier (malloc'd). */
char *rli_quoted(const char *name);

/* ---- the diff (diff.c) ----------------------------------------------------------------------
 *
 * What differs between two schema values, computed once and engine-neutrally from what
 * introspection put into them; a backend's plan receives it and decides only how to carry
 * out each change (native ALTER, rebuild, DROP/ADD CONSTRAINT) and what data it could lose. */

/* What differs in a column (bits of col_change.what). */
enum {
    COL_ADDED = 1,    /* only in the target */
    COL_DROPPED = 2,  /* only in the current schema */
    COL_TYPE = 4,     /* declared type (names compared as SQL does) */
    COL_NOTNULL = 8,  /* NOT NULL added or removed */
    COL_DEFAULT = 16, /* DEFAULT expression (its text) */
    COL_PK = 32,      /* position in the primary key */
    COL_HIDDEN = 64   /* hidden or generated */
};

typedef struct col_change {
    const sch_column *cur, *tgt; /* NULL on the side that has no such column */
    unsigned what;               /* COL_* bits; 0: the same column */
} col_change;

/* A constraint the engine states (sch_constraint) that goes (tgt NULL), comes (cur NULL), or
 * stays under another name (both: the same kind and definition). */
typedef struct con_change {
    const sch_constraint *cur, *tgt;
} con_change;

/* A table added (cur NULL), dropped (tgt NULL), or in both with a difference. */
typedef struct table_change {
    const sch_table *cur, *tgt;
    bool structure;   /* columns (as a set, and each one's type, NOT NULL, default, key position,
                         generation), keys and their actions, constraints, or options differ */
    bool text;        /* the definitions' normal forms differ: the above, or column order,
                         collations, names, spelling */
    col_change *cols; /* a table in both: its dropped columns, then each target column */
    size_t ncols;
    con_change *cons; /* the current's constraints that go, the target's that come (all of an
                         added table's), those renamed */
    size_t ncons;
    char *why; /* a table in both: what differs, in words */
} table_change;

/* An index, view or trigger added (cur NULL), dropped (tgt NULL) or changed (its normal
 * form); kind is "index", "view" or "trigger". */
typedef struct object_change {
    const char *kind;
    const sch_object *cur, *tgt;
} object_change;

typedef struct sch_diff {
    table_change *tables; /* the target's tables that are new or differ (in its order), then
                             the current tables it does not have */
    size_t ntables;
    object_change *objects;
    size_t nobjects;
    bool empty_target; /* the target declares no table while the current schema has some */
} sch_diff;

/* The differences from cur to tgt into *d (always safe to free); false when out of memory. */
bool rli_schema_diff(const schema *cur, const schema *tgt, sch_diff *d);
void rli_schema_diff_free(sch_diff *d);
/* The change of the table named name (in the target, or a dropped one), or NULL: the same. */
const table_change *rli_diff_table(const sch_diff *d, const char *name);
/* The change of kind's object named name, or NULL: the same (or in neither). */
const object_change *rli_diff_object(const sch_diff *d, const char *kind, const char *name);

/* Names equal as SQL compares them (case-insensitive; NULL only to NULL). */
bool rli_same_name(const char *a, const char *b);

/* rl_copy's verification (verify.c): every table of s (the source's schema) on src against
 * the table of that name on dst, each column normalised as types says (types[i] for table i;
 * NULL: from the declared types).  RL_OK, or RL_EDATALOSS with dst's error naming the first
 * difference (table, row key, column, both values), or another code on failure. */
int rli_copy_verify(rl_db *src, rl_db *dst, const schema *s, const rl_copy_type *const *types);

#endif

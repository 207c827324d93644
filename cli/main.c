/*
 * reflite: the command-line tool.
 *
 *   reflite schema DB                  the schema as SQL
 *   reflite diff DB SCHEMA.sql         what differs and the SQL that would run (--json)
 *   reflite migrate DB SCHEMA.sql      bring DB to SCHEMA.sql, creating DB if it is missing
 *   reflite check DB                   integrity, foreign-key violations, lint (--json)
 *   reflite copy SRC DST [--verify]    tables and rows into another database
 *   reflite serve DB                   the database as a JSON API over HTTP (serve.c)
 *   reflite help [COMMAND]             the usage of reflite or of one command
 *   reflite version | --version        the version
 *
 * One exit rule for every command (EXIT_RULE below, repeated in README.md and reflite(1)):
 * 0 done or clean, 1 differs, refused or findings, 2 error.  schema, diff and check open the
 * database read-only: they never write or create a file.  A lock held by another connection
 * is reported by one sentence and exit 2, whichever command and whichever kind of lock.
 */
#include <reflite.h>
#include <reflite/sqlite.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "output.h"

#define EXIT_FINDINGS 1
#define EXIT_ERROR    2

#define EXIT_RULE                                                                                  \
    "Exit status: 0 done or clean; 1 differs, refused or findings; 2 error (usage, I/O, a lock\n"  \
    "held by another connection, a damaged file).\n"

#define TIMEOUT_HELP                                                                               \
    "  --timeout MS           wait up to MS milliseconds for a lock held by another\n"             \
    "                         connection (default 5000)\n"

static const char *USAGE =
    "usage: reflite <command> [options]\n"
    "\n"
    "commands:\n"
    "  schema DB                 print the database's schema as SQL\n"
    "  diff DB SCHEMA.sql        show what differs and the SQL a migration would run\n"
    "  migrate DB SCHEMA.sql     bring DB to SCHEMA.sql (creates DB if it does not exist)\n"
    "  check DB                  integrity check, foreign-key violations and schema lint\n"
    "  copy SRC DST              copy tables and rows to another database (SQLite <->\n"
    "                            PostgreSQL)\n"
    "  serve DB                  serve the database as a JSON API over HTTP\n"
    "  help [COMMAND]            this text, or a command's options\n"
    "  version                   print the version (also --version)\n"
    "\n" EXIT_RULE "\n"
    "Run 'reflite help COMMAND' for a command's options.\n";

static const char *CHECK_USAGE =
    "usage: reflite check DB [--no-lint] [--citus COLUMN] [--schema SCHEMA.sql [--rename "
    "SPEC]...]\n"
    "                        [--json] [--timeout MS]\n"
    "\n"
    "Checks DB and prints one line per finding:\n"
    "  integrity:   problems reported by PRAGMA integrity_check\n"
    "  foreign key: rows whose key has no parent (table, rowid, column, value, parent)\n"
    "  lint:        foreign-key columns without an index; keys referencing missing tables\n"
    "               or columns that are neither the primary key nor unique\n"
    "  --no-lint              report only integrity problems and foreign-key violations\n"
    "  --citus COLUMN         lint for Citus distributed by COLUMN: keys it cannot enforce\n"
    "                         (between distributed tables without COLUMN on both sides, from\n"
    "                         a table without COLUMN to one with it), primary keys without it\n"
    "  --schema SCHEMA.sql    lint the migration to SCHEMA.sql too (planned, not applied):\n"
    "                         destructive-change, not-null-without-default,\n"
    "                         nulls-into-not-null, type-cannot-hold, view-breaks,\n"
    "                         possible-rename\n"
    "  --rename SPEC          as for migrate (then DB is opened writable: the renames are\n"
    "                         tried in a transaction that is rolled back)\n"
    "  --json                 print one JSON object instead (see reflite(1))\n" TIMEOUT_HELP
    "The database is opened read-only.  Names are printed with control characters escaped.\n"
    "\n" EXIT_RULE;

static const char *SCHEMA_USAGE =
    "usage: reflite schema DB [--timeout MS]\n"
    "\n"
    "Prints every table, index, view and trigger of DB as SQL (virtual tables as CREATE\n"
    "VIRTUAL TABLE, without their shadow tables).  Read-only.\n" TIMEOUT_HELP "\n" EXIT_RULE;

static const char *DIFF_USAGE =
    "usage: reflite diff DB SCHEMA.sql [--rename SPEC]... [--json] [--timeout MS]\n"
    "\n"
    "Compares DB with the schema declared in SCHEMA.sql and prints what differs, what data a\n"
    "migration would lose, and the exact SQL it would run.  DB is opened read-only and\n"
    "SCHEMA.sql may hold only schema statements (CREATE, DROP, ALTER).\n"
    "  --rename SPEC          as for migrate; the renames are tried in a transaction that\n"
    "                         is rolled back, so DB is then opened for writing\n"
    "  --json                 print one JSON object instead (see reflite(1))\n" TIMEOUT_HELP
    "\n" EXIT_RULE;

static const char *MIGRATE_USAGE =
    "usage: reflite migrate DB SCHEMA.sql [--rename SPEC]... [--dry-run] [--allow-data-loss]\n"
    "                       [--allow-empty-schema] [--progress] [--timeout MS]\n"
    "\n"
    "Brings DB to the schema declared in SCHEMA.sql, keeping every row and foreign-key action.\n"
    "A DB that does not exist is created (and removed again if the migration fails).\n"
    "Tables SQLite cannot ALTER are rebuilt with foreign keys off, in one transaction, and\n"
    "checked with foreign_key_check before commit; any new violation rolls everything back.\n"
    "A damaged file (PRAGMA quick_check) is refused before anything is written.\n"
    "  --rename TABLE.OLD=NEW rename a column in place, every value kept (repeatable; a\n"
    "                         name holding '.', '=' or '\"' in double quotes: '\"a.b\".c=d')\n"
    "  --rename OLD=NEW       rename a table in place, every row kept; keys, indexes, views\n"
    "                         and triggers that name it follow (chains and swaps work)\n"
    "  --dry-run              print the SQL and change nothing (creates no file)\n"
    "  --allow-data-loss      allow dropping tables or columns that hold data, and type\n"
    "                         changes that alter stored values ('01234' -> 1234)\n"
    "  --allow-empty-schema   allow a SCHEMA.sql that declares no table (drops them all)\n"
    "  --progress             report the copy of tables of 100,000 rows or more on stderr\n"
    "                         (the default when stderr is a terminal)\n" TIMEOUT_HELP
    "\n" EXIT_RULE;

static const char *COPY_USAGE =
    "usage: reflite copy SRC DST [--verify] [--progress] [--timeout MS]\n"
    "\n"
    "Copies the tables and rows of SRC into DST, either of them a SQLite file or a PostgreSQL\n"
    "URL (postgresql://user@host/db): SQLite -> PostgreSQL is the usual move to production.\n"
    "One transaction on DST: tables created for DST's engine (columns, NOT NULL, primary\n"
    "keys, literal defaults, foreign keys with their actions and an index each), rows copied\n"
    "parents first (into PostgreSQL through COPY), every key checked before COMMIT, generated\n"
    "keys moved past the copied ones.  DST must not have any of SRC's tables (a missing SQLite\n"
    "file is created, and removed again if the copy fails).  What was not carried (views,\n"
    "triggers, other indexes, defaults that are expressions) is listed.  SRC is opened\n"
    "read-only.\n"
    "\n"
    "Types: INTEGER -> bigint; REAL, FLOAT, DOUBLE -> double precision (8 bytes, never real);\n"
    "NUMERIC(p,s), DECIMAL(p,s) -> numeric(p,s); VARCHAR(n) -> varchar(n); BOOLEAN -> boolean;\n"
    "TEXT -> text; BLOB or no type -> bytea; DATETIME, TIMESTAMP -> timestamp and DATE -> date\n"
    "when every stored value is one (YYYY-MM-DD HH:MM:SS[.ffffff], YYYY-MM-DD), else text with\n"
    "a note (so for VARCHAR(n) holding a longer value).  Numbers cross as their exact text:\n"
    "reals as the shortest text that reads back to the same double (0.99, not\n"
    "0.98999999999999999); a NUMERIC(p,s) column rounds to s places as it stores.\n"
    "  --verify               before COMMIT, compare every table on both sides (row count\n"
    "                         and a checksum of every value, normalised) and refuse the copy\n"
    "                         naming the first difference: table, row key, column, values\n"
    "  --progress             report tables of 100,000 rows or more on stderr\n"
    "                         (the default when stderr is a terminal)\n" TIMEOUT_HELP
    "\n" EXIT_RULE;

#define MAX_RENAMES 64

/* What the command line said. */
typedef struct cli {
    const char *cmd;
    const char *pos[2];
    int npos;
    bool json, no_lint, dry_run, allow_data_loss, allow_empty_schema, progress, verify;
    int timeout_ms;
    const char *citus;  /* check --citus COLUMN */
    const char *schema; /* check --schema FILE */
    rl_rename renames[MAX_RENAMES];
    char *rename_text[MAX_RENAMES]; /* the specs, cut where renames[] points */
    size_t nrenames;
} cli;

/* The flags a command accepts. */
enum {
    F_JSON = 1 << 0,
    F_NO_LINT = 1 << 1,
    F_DRY_RUN = 1 << 2,
    F_ALLOW_LOSS = 1 << 3,
    F_ALLOW_EMPTY = 1 << 4,
    F_PROGRESS = 1 << 5,
    F_VERIFY = 1 << 6,
    F_RENAME = 1 << 7,
    F_CITUS = 1 << 8,
    F_SCHEMA = 1 << 9,
};

typedef struct command {
    const char *name;
    int nargs;
    unsigned flags;
    const char *usage;
    int (*run)(const cli *c);
} command;

static int usage_error(const command *cmd, const char *fmt, const char *arg)
{
    fprintf(stderr, "reflite %s: ", cmd->name);
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n\n%s", cmd->usage);
    return EXIT_ERROR;
}

/* One name of a --rename spec at p, written at *w (NUL-terminated, *w moved past it): in
 * double quotes ("" for a quote) or bare up to one of stops.  Returns where the spec goes on,
 * or NULL for an empty name or an open quote. */
static const char *spec_name(const char *p, const char *stops, char **w)
{
    char *start = *w;
    if (*p == '"') {
        for (p++;; p++) {
            if (!*p) return NULL;
            if (*p == '"' && p[1] != '"') break;
            if (*p == '"') p++;
            *(*w)++ = *p;
        }
        p++;
    } else {
        while (*p && !strchr(stops, *p))
            *(*w)++ = *p++;
    }
    *(*w)++ = '\0';
    return *w - 1 == start ? NULL : p;
}

/* Add --rename's TABLE.COLUMN=NEW or TABLE=NEW to c (a name holding '.', '=' or '"' in
 * double quotes); false when it is not one. */
static bool add_rename(cli *c, const char *spec)
{
    if (c->nrenames == MAX_RENAMES) return false;
    char *buf = malloc(strlen(spec) + 3), *w = buf, *table = buf, *column = NULL, *to = NULL;
    const char *p = buf ? spec_name(spec, ".=", &w) : NULL;
    if (p && *p == '.') {
        column = w;
        p = spec_name(p + 1, "=", &w);
    }
    if (p && *p == '=') {
        to = w;
        p = spec_name(p + 1, "", &w);
    }
    if (!p || *p || !to) {
        free(buf);
        return false;
    }
    c->rename_text[c->nrenames] = buf;
    c->renames[c->nrenames++] = (rl_rename){.table = table, .column = column, .to = to};
    return true;
}

/* Parse a command's arguments into c; returns -1 to go on, else an exit code. */
static int parse_args(const command *cmd, int argc, char **argv, cli *c)
{
    static const struct {
        const char *name;
        unsigned flag;
        size_t offset;
    } flags[] = {
        {"--json", F_JSON, offsetof(cli, json)},
        {"--no-lint", F_NO_LINT, offsetof(cli, no_lint)},
        {"--dry-run", F_DRY_RUN, offsetof(cli, dry_run)},
        {"--allow-data-loss", F_ALLOW_LOSS, offsetof(cli, allow_data_loss)},
        {"--allow-empty-schema", F_ALLOW_EMPTY, offsetof(cli, allow_empty_schema)},
        {"--progress", F_PROGRESS, offsetof(cli, progress)},
        {"--verify", F_VERIFY, offsetof(cli, verify)},
    };
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(cmd->usage, stdout);
            return 0;
        }
        if (strcmp(a, "--timeout") == 0) {
            char *end;
            errno = 0;
            long ms = i + 1 < argc ? strtol(argv[i + 1], &end, 10) : -1;
            if (i + 1 >= argc || errno || *end || end == argv[i + 1] || ms < 0 || ms > 3600000)
                return usage_error(cmd, "--timeout takes milliseconds from 0 to 3600000%s", "");
            c->timeout_ms = (int)ms;
            i++;
            continue;
        }
        if (strcmp(a, "--citus") == 0 && (cmd->flags & F_CITUS)) {
            if (i + 1 >= argc || !*argv[i + 1] || argv[i + 1][0] == '-')
                return usage_error(cmd, "--citus takes the distribution column's name%s", "");
            c->citus = argv[++i];
            continue;
        }
        if (strcmp(a, "--schema") == 0 && (cmd->flags & F_SCHEMA)) {
            if (i + 1 >= argc || !*argv[i + 1])
                return usage_error(cmd, "--schema takes the target schema's file%s", "");
            c->schema = argv[++i];
            continue;
        }
        if (strcmp(a, "--rename") == 0 && (cmd->flags & F_RENAME)) {
            if (i + 1 >= argc || !add_rename(c, argv[i + 1]))
                return usage_error(
                    cmd, "--rename takes TABLE.COLUMN=NEW or TABLE=NEW (at most 64)%s", "");
            i++;
            continue;
        }
        size_t f = 0;
        while (f < sizeof flags / sizeof flags[0] &&
               !(strcmp(a, flags[f].name) == 0 && (cmd->flags & flags[f].flag)))
            f++;
        if (f < sizeof flags / sizeof flags[0]) {
            *(bool *)((char *)c + flags[f].offset) = true;
        } else if (a[0] == '-' || c->npos == cmd->nargs) {
            return usage_error(cmd, "unexpected argument '%s'", a);
        } else {
            c->pos[c->npos++] = a;
        }
    }
    if (c->npos != cmd->nargs) return usage_error(cmd, "%smissing argument", "");
    if (strcmp(cmd->name, "check") == 0 && c->nrenames && !c->schema)
        return usage_error(cmd, "--rename needs --schema%s", "");
    return -1;
}

/* Print an error; with --json also as {"error": ...} on stdout.  Returns EXIT_ERROR. */
static int fail(const cli *c, const char *db_path, const char *message)
{
    fprintf(stderr, "reflite: %s\n", message);
    if (c->json) {
        printf("{\"database\":");
        rlc_json_string(stdout, db_path);
        printf(",\"error\":");
        rlc_json_string(stdout, message);
        printf("}\n");
    }
    return EXIT_ERROR;
}

/* The sentence for a failed call on db: one sentence for a lock, whatever its kind. */
static void db_error(const char *db_path, rl_db *db, int rc, char *msg, size_t size)
{
    if (rc == RL_EBUSY)
        snprintf(msg, size,
                 "%s: the database is locked by another connection; try again when it is done, "
                 "or wait longer with --timeout",
                 db_path);
    else
        snprintf(msg, size, "%s", db ? rl_errmsg(db) : rl_code_name(rc));
}

static int fail_db(const cli *c, const char *db_path, rl_db *db, int rc)
{
    char msg[1024];
    db_error(db_path, db, rc, msg, sizeof msg);
    return fail(c, db_path, msg);
}

static int open_db(const cli *c, const char *path, bool writable, bool create, rl_db **db)
{
    char err[1024];
    rl_options o = {.profile = RL_PROFILE_DEVELOPMENT, .no_wal = true, .read_only = !writable};
    o.busy_timeout_ms = c->timeout_ms == 0 ? -1 : c->timeout_ms;
    if (!create && !rl_target_is_server(path) && access(path, F_OK) != 0) {
        snprintf(err, sizeof err, "%s: no such database file", path);
        return fail(c, path, err);
    }
    int rc = rl_open_ex(db, path, &o, err, sizeof err);
    if (rc == RL_EBUSY) return fail_db(c, path, NULL, rc);
    if (rc != RL_OK) return fail(c, path, err);
    return -1;
}

/* ---------------------------------------------------------------------------------------- */
/* check                                                                                    */
/* ---------------------------------------------------------------------------------------- */

static const char *finding_kind(rl_finding_kind k)
{
    return k == RL_FINDING_INTEGRITY     ? "integrity"
           : k == RL_FINDING_FOREIGN_KEY ? "foreign_key"
                                         : "lint";
}

typedef struct check_output {
    bool json;
    int64_t printed;
} check_output;

/* A key's value as JSON: the value itself (not its SQL literal), null for NULL, an array of
 * them for a key of several columns. */
static void print_key_values(const char *literals)
{
    char *v[RL_MAX_KEY_FIELDS];
    size_t n = rl_key_values(literals, v, RL_MAX_KEY_FIELDS);
    bool several = literals[0] == '(';
    printf("%s", several ? "[" : n ? "" : "null");
    for (size_t i = 0; i < n; i++) {
        printf("%s", i ? "," : "");
        if (v[i])
            rlc_json_string(stdout, v[i]);
        else
            printf("null");
        free(v[i]);
    }
    printf("%s", several ? "]" : "");
}

static int print_finding(const rl_finding *f, void *ctx)
{
    check_output *out = ctx;
    if (!out->json) {
        printf("%s\n", f->message);
        return 0;
    }
    printf("%s{\"kind\":\"%s\",\"message\":", out->printed++ ? "," : "", finding_kind(f->kind));
    rlc_json_string(stdout, f->message);
    if (f->check) {
        printf(",\"check\":");
        rlc_json_string(stdout, f->check);
    }
    if (f->kind == RL_FINDING_FOREIGN_KEY && f->fk) {
        const struct {
            const char *key, *value;
        } fields[] = {{"table", f->fk->child_table},
                      {"columns", f->fk->child_column},
                      {"value", NULL},
                      {"parent_table", f->fk->parent_table},
                      {"parent_columns", f->fk->parent_column}};
        for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
            printf(",\"%s\":", fields[i].key);
            if (fields[i].value)
                rlc_json_string(stdout, fields[i].value);
            else
                print_key_values(f->fk->value);
        }
        if (f->rowid) printf(",\"rowid\":%lld", (long long)f->rowid);
    }
    printf("}\n");
    return 0;
}

static char *read_file(const char *path);

static int cmd_check(const cli *c)
{
    const char *path = c->pos[0];
    rl_db *db = NULL;
    char *target = NULL;
    if (c->schema && !(target = read_file(c->schema))) {
        char msg[1024];
        snprintf(msg, sizeof msg, "%s: %s", c->schema, strerror(errno ? errno : ENOMEM));
        return fail(c, path, msg);
    }
    /* renames are tried in a transaction that is rolled back: that needs a writable DB */
    int early = open_db(c, path, c->nrenames > 0, false, &db);
    if (early >= 0) {
        free(target);
        return early;
    }
    rl_check_options co = {.no_lint = c->no_lint,
                           .citus_column = c->citus,
                           .target_sql = target,
                           .renames = c->renames,
                           .nrenames = c->nrenames};
    check_output out = {.json = c->json};
    int64_t n = 0;
    if (c->json) {
        printf("{\"database\":");
        rlc_json_string(stdout, path);
        printf(",\"findings\":[\n");
    }
    int rc = rl_check_ex(db, &co, print_finding, &out, &n);
    free(target);
    if (rc != RL_OK) {
        char msg[1024];
        if (rc == RL_EINVAL && c->schema && strncmp(rl_errmsg(db), "migrate: ", 9) != 0)
            snprintf(msg, sizeof msg, "%s: %s", c->schema, rl_errmsg(db)); /* the target's */
        else
            db_error(path, db, rc, msg, sizeof msg);
        fprintf(stderr, "reflite: %s\n", msg);
        if (c->json) {
            printf("],\"error\":");
            rlc_json_string(stdout, msg);
            printf("}\n");
        }
        rl_close(db);
        return EXIT_ERROR;
    }
    rl_close(db);
    if (c->json)
        printf("],\"count\":%lld,\"clean\":%s}\n", (long long)n, n ? "false" : "true");
    else if (n == 0)
        printf("%s: ok\n", path);
    else
        printf("%s: %lld finding%s\n", path, (long long)n, n == 1 ? "" : "s");
    return n ? EXIT_FINDINGS : 0;
}

/* ---------------------------------------------------------------------------------------- */
/* schema, diff, migrate                                                                    */
/* ---------------------------------------------------------------------------------------- */

static int cmd_schema(const cli *c)
{
    rl_db *db = NULL;
    int early = open_db(c, c->pos[0], false, false, &db);
    if (early >= 0) return early;
    char *sql;
    int rc = rl_schema_dump(db, &sql);
    if (rc != RL_OK) {
        int code = fail_db(c, c->pos[0], db, rc);
        rl_close(db);
        return code;
    }
    fputs(sql, stdout);
    free(sql);
    rl_close(db);
    return 0;
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 4096, len = 0, n;
    char *buf = malloc(cap);
    while (buf && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len < 2) {
            char *nb = realloc(buf, cap *= 2);
            if (!nb) free(buf);
            buf = nb;
        }
    }
    if (ferror(f)) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (buf) buf[len] = '\0';
    return buf;
}

/* Read the schema file and plan the migration of db to it; -1 to go on, else an exit code. */
static int plan_for(const cli *c, rl_db *db, rl_plan **plan)
{
    char *sql = read_file(c->pos[1]);
    if (!sql) {
        char msg[1024];
        snprintf(msg, sizeof msg, "%s: %s", c->pos[1], strerror(errno ? errno : ENOMEM));
        return fail(c, c->pos[0], msg);
    }
    rl_migrate_options o = {.renames = c->renames, .nrenames = c->nrenames};
    int rc = rl_plan_new_ex(db, sql, &o, plan);
    free(sql);
    if (rc == RL_EINVAL && strncmp(rl_errmsg(db), "migrate: ", 9) == 0) /* a rename */
        return fail(c, c->pos[0], rl_errmsg(db));
    if (rc == RL_EINVAL) { /* a schema the plan cannot take: named by its file */
        char msg[1024];
        snprintf(msg, sizeof msg, "%s: %s", c->pos[1], rl_errmsg(db));
        return fail(c, c->pos[0], msg);
    }
    return rc == RL_OK ? -1 : fail_db(c, c->pos[0], db, rc);
}

static void print_plan(const rl_plan *plan)
{
    printf("%s", rl_plan_summary(plan));
    if (*rl_plan_data_loss(plan)) printf("\ndata that would be lost:\n%s", rl_plan_data_loss(plan));
    printf("\n-- SQL\n");
    print_sql(stdout, rl_plan_sql(plan));
}

static void print_plan_json(const cli *c, const rl_plan *plan)
{
    printf("{\"database\":");
    rlc_json_string(stdout, c->pos[0]);
    printf(",\"schema\":");
    rlc_json_string(stdout, c->pos[1]);
    printf(",\"matches\":%s,\"changes\":", rl_plan_is_empty(plan) ? "true" : "false");
    rlc_json_lines(stdout, rl_plan_summary(plan));
    printf(",\"data_loss\":");
    rlc_json_lines(stdout, rl_plan_data_loss(plan));
    printf(",\"sql\":");
    rlc_json_string(stdout, rl_plan_is_empty(plan) ? "" : rl_plan_sql(plan));
    printf("}\n");
}

static int cmd_diff(const cli *c)
{
    rl_db *db = NULL;
    rl_plan *plan = NULL;
    /* renames are tried in a transaction that is rolled back: that needs a writable DB */
    int code = open_db(c, c->pos[0], c->nrenames > 0, false, &db);
    if (code < 0) code = plan_for(c, db, &plan);
    if (code < 0) {
        if (c->json)
            print_plan_json(c, plan);
        else if (rl_plan_is_empty(plan))
            printf("%s matches %s\n", c->pos[0], c->pos[1]);
        else
            print_plan(plan);
        code = rl_plan_is_empty(plan) ? 0 : EXIT_FINDINGS;
    }
    rl_plan_free(plan);
    rl_close(db);
    return code;
}

/* Progress of long rebuilds on stderr: one updating line on a terminal, else a line per
 * chunk.  Tables under 100,000 rows stay quiet. */
static void show_progress(const char *stage, const char *table, int64_t done, int64_t total,
                          void *ctx)
{
    int64_t *last = ctx;
    bool tty = isatty(STDERR_FILENO);
    if (strcmp(stage, "copy") == 0) {
        if (total < 100000 || done == *last) return;
        *last = done; /* >= 0 from now on: the foreign-key check is announced too */
        fprintf(stderr, "%scopying %s: %lld / %lld rows%s", tty ? "\r" : "", table, (long long)done,
                (long long)total, tty && done < total ? "" : "\n");
    } else if (strcmp(stage, "check") == 0 && *last >= 0) {
        fprintf(stderr, "checking foreign keys...\n");
    } else if (strcmp(stage, "verify") == 0 && *last >= 0) {
        fprintf(stderr, "verifying every table...\n");
    }
}

/* Remove a database file the migration created, with its journal. */
static void remove_created(const char *path)
{
    char side[4096];
    remove(path);
    snprintf(side, sizeof side, "%s-journal", path);
    remove(side);
}

static int cmd_migrate(const cli *c)
{
    const char *path = c->pos[0];
    bool missing = !rl_target_is_server(path) && access(path, F_OK) != 0;
    int64_t last_progress = -1;
    rl_migrate_options o = {.dry_run = c->dry_run,
                            .allow_data_loss = c->allow_data_loss,
                            .allow_empty_schema = c->allow_empty_schema,
                            .renames = c->renames,
                            .nrenames = c->nrenames};
    if (c->progress || isatty(STDERR_FILENO)) {
        o.progress = show_progress;
        o.progress_ctx = &last_progress;
    }
    rl_db *db = NULL;
    rl_plan *plan = NULL;
    /* a dry run on a missing file plans against an empty database and creates nothing */
    int code = open_db(c, missing && c->dry_run ? ":memory:" : path, true, missing, &db);
    bool created = missing && !c->dry_run && code < 0;
    if (code < 0) code = plan_for(c, db, &plan);
    if (code < 0 && rl_plan_is_empty(plan)) {
        printf("%s already matches %s; nothing to do\n", path, c->pos[1]);
        code = 0;
    } else if (code < 0) {
        print_plan(plan);
        int rc = rl_plan_apply(db, plan, &o);
        if (rc != RL_OK) {
            /* refused or rolled back (DB unchanged): 1; a damaged file, a lock, I/O: 2 */
            fail_db(c, path, db, rc);
            code = rc == RL_EDATALOSS || rc == RL_EMIGRATE || rc == RL_EREFUSED ? EXIT_FINDINGS
                                                                                : EXIT_ERROR;
        } else {
            printf(c->dry_run ? "\ndry run: nothing was changed\n"
                   : created  ? "\ncreated and migrated %s\n"
                              : "\nmigrated %s\n",
                   path);
            code = 0;
        }
    }
    rl_plan_free(plan);
    rl_close(db);
    if (created && code != 0) remove_created(path);
    return code;
}

/* ---------------------------------------------------------------------------------------- */
/* help, version, dispatch                                                                  */
/* ---------------------------------------------------------------------------------------- */

static int cmd_copy(const cli *c)
{
    const char *from = c->pos[0], *to = c->pos[1];
    bool missing = !rl_target_is_server(to) && access(to, F_OK) != 0;
    int64_t last_progress = -1;
    rl_copy_options o = {.verify = c->verify};
    if (c->progress || isatty(STDERR_FILENO)) {
        o.progress = show_progress;
        o.progress_ctx = &last_progress;
    }
    rl_db *src = NULL, *dst = NULL;
    int code = open_db(c, from, false, false, &src);
    if (code < 0) code = open_db(c, to, true, true, &dst);
    char *left_out = NULL;
    if (code < 0) {
        int rc = rl_copy(src, dst, &o, &left_out);
        if (rc != RL_OK) {
            fail_db(c, to, dst, rc);
            code = rc == RL_EFOREIGNKEY || rc == RL_EREFUSED || rc == RL_EUNIQUE ||
                           rc == RL_ECONSTRAINT || rc == RL_ENOTNULL || rc == RL_ECHECK ||
                           rc == RL_EDATALOSS
                       ? EXIT_FINDINGS
                       : EXIT_ERROR;
        } else {
            printf("copied %s to %s%s\n", from, to, c->verify ? ", verified" : "");
            for (const char *p = left_out; p && *p;) {
                size_t n = strcspn(p, "\n");
                printf("%s%.*s\n", strncmp(p, "note: ", 6) == 0 ? "" : "not copied: ", (int)n, p);
                p += n + (p[n] == '\n');
            }
            code = 0;
        }
    }
    free(left_out);
    rl_close(src);
    rl_close(dst);
    if (code != 0 && missing) remove_created(to);
    return code;
}

static const command COMMANDS[] = {
    {"schema", 1, 0, NULL, cmd_schema},
    {"diff", 2, F_JSON | F_RENAME, NULL, cmd_diff},
    {"migrate", 2, F_DRY_RUN | F_ALLOW_LOSS | F_ALLOW_EMPTY | F_PROGRESS | F_RENAME, NULL,
     cmd_migrate},
    {"check", 1, F_JSON | F_NO_LINT | F_CITUS | F_SCHEMA | F_RENAME, NULL, cmd_check},
    {"copy", 2, F_PROGRESS | F_VERIFY, NULL, cmd_copy},
};
#define NCOMMANDS (sizeof COMMANDS / sizeof COMMANDS[0])

static const char *usage_of(const char *name)
{
    if (strcmp(name, "schema") == 0) return SCHEMA_USAGE;
    if (strcmp(name, "diff") == 0) return DIFF_USAGE;
    if (strcmp(name, "migrate") == 0) return MIGRATE_USAGE;
    if (strcmp(name, "check") == 0) return CHECK_USAGE;
    if (strcmp(name, "copy") == 0) return COPY_USAGE;
    if (strcmp(name, "serve") == 0) return rlc_serve_usage;
    return NULL;
}

static int print_version(void)
{
    printf("reflite %s (SQLite %s)\n", rl_version(), rl_sqlite_version());
    return 0;
}

static int cmd_help(int argc, char **argv)
{
    if (argc == 0) {
        fputs(USAGE, stdout);
        return 0;
    }
    if (strcmp(argv[0], "help") == 0 || strcmp(argv[0], "version") == 0) {
        fputs(USAGE, stdout);
        return 0;
    }
    const char *u = argc == 1 ? usage_of(argv[0]) : NULL;
    if (!u) {
        fprintf(stderr, "reflite help: no command '%s'\n\n%s", argv[0], USAGE);
        return EXIT_ERROR;
    }
    fputs(u, stdout);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(USAGE, stderr);
        return EXIT_ERROR;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0)
        return cmd_help(argc - 2, argv + 2);
    if (strcmp(name, "version") == 0 || strcmp(name, "--version") == 0) return print_version();
    if (strcmp(name, "serve") == 0) return rlc_serve(argc - 2, argv + 2);
    for (size_t i = 0; i < NCOMMANDS; i++) {
        if (strcmp(name, COMMANDS[i].name) != 0) continue;
        command cmd = COMMANDS[i];
        cmd.usage = usage_of(cmd.name);
        cli c = {.cmd = cmd.name, .timeout_ms = 5000};
        int early = parse_args(&cmd, argc - 2, argv + 2, &c);
        int code = early >= 0 ? early : cmd.run(&c);
        for (size_t k = 0; k < c.nrenames; k++)
            free(c.rename_text[k]);
        return code;
    }
    fprintf(stderr, "reflite: unknown command '%s'\n\n%s", name, USAGE);
    return EXIT_ERROR;
}

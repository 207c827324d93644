/*
 * reflite: the command-line tool.
 *
 *   reflite schema DB                      the schema as SQL
 *   reflite diff DB SCHEMA.sql             what differs and the SQL that would run
 *   reflite migrate DB SCHEMA.sql [--dry-run] [--allow-data-loss]
 *   reflite check DB                       integrity, foreign-key violations, lint
 *   reflite version
 *
 * Exit codes: 0 success / clean, 1 findings, differences or refused, 2 usage or operational
 * error (including a damaged or crafted database file).  schema, diff and check open the
 * database read-only: they never write or create a file.
 */
#include <reflite.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EXIT_FINDINGS 1
#define EXIT_USAGE    2

static const char *USAGE =
    "usage: reflite <command> [options]\n"
    "\n"
    "commands:\n"
    "  schema DB                 print the database's schema as SQL\n"
    "  diff DB SCHEMA.sql        show what differs and the SQL a migration would run\n"
    "  migrate DB SCHEMA.sql     bring DB to SCHEMA.sql (--dry-run, --allow-data-loss,\n"
    "                            --allow-empty-schema)\n"
    "  check DB                  integrity check, foreign-key violations and schema lint\n"
    "  version                   print the version\n"
    "\n"
    "Run 'reflite <command> --help' for a command's options.\n";

static const char *CHECK_USAGE =
    "usage: reflite check DB [--no-lint]\n"
    "\n"
    "Checks DB and prints one line per finding:\n"
    "  integrity:   problems reported by PRAGMA integrity_check\n"
    "  foreign key: rows whose key has no parent (table, rowid, column, value, parent)\n"
    "  lint:        foreign-key columns without an index; keys referencing missing tables\n"
    "               or columns that are neither the primary key nor unique\n"
    "  --no-lint      report only integrity problems and foreign-key violations\n"
    "The database is opened read-only.  Names are printed with control characters escaped.\n"
    "Exit status: 0 clean, 1 findings, 2 error.\n";

static const char *SCHEMA_USAGE =
    "usage: reflite schema DB\n"
    "\n"
    "Prints every table, index, view and trigger of DB as SQL (virtual tables as CREATE\n"
    "VIRTUAL TABLE, without their shadow tables).  Read-only.\n"
    "Exit status: 0 success, 2 error.\n";

static const char *DIFF_USAGE =
    "usage: reflite diff DB SCHEMA.sql\n"
    "\n"
    "Compares DB with the schema declared in SCHEMA.sql and prints what differs, what data a\n"
    "migration would lose, and the exact SQL it would run.  DB is opened read-only and\n"
    "SCHEMA.sql may hold only schema statements (CREATE, DROP, ALTER).\n"
    "Exit status: 0 DB matches, 1 it differs, 2 error (a damaged or crafted file included).\n";

static const char *MIGRATE_USAGE =
    "usage: reflite migrate DB SCHEMA.sql [--dry-run] [--allow-data-loss] "
    "[--allow-empty-schema]\n"
    "\n"
    "Brings DB to the schema declared in SCHEMA.sql, keeping every row and foreign-key action.\n"
    "Tables SQLite cannot ALTER are rebuilt with foreign keys off, in one transaction, and\n"
    "checked with foreign_key_check before commit; any new violation rolls everything back.\n"
    "A damaged file (PRAGMA quick_check) is refused before anything is written.\n"
    "  --dry-run             print the SQL and change nothing\n"
    "  --allow-data-loss     allow dropping tables or columns that hold data, and type\n"
    "                        changes that alter stored values ('01234' -> 1234)\n"
    "  --allow-empty-schema  allow a SCHEMA.sql that declares no table (drops them all)\n"
    "Exit status: 0 applied or nothing to do, 1 refused or rolled back (DB unchanged),\n"
    "2 usage or other error (a damaged file, a lock, I/O).\n";

static bool wants_help(int argc, char **argv)
{
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) return true;
    return false;
}

/* --help, or a wrong number of arguments: print usage and return the exit code; else -1. */
static int usage_exit(int argc, char **argv, int nargs, const char *usage)
{
    if (wants_help(argc, argv)) {
        fputs(usage, stdout);
        return 0;
    }
    if (nargs >= 0 && argc != nargs) {
        fputs(usage, stderr);
        return EXIT_USAGE;
    }
    return -1;
}

/* Open an existing database without creating it (read-only unless it is to be changed). */
static rl_db *open_existing(const char *path, bool writable)
{
    if (access(path, F_OK) != 0) {
        fprintf(stderr, "reflite: %s: no such database file\n", path);
        return NULL;
    }
    rl_db *db;
    char err[512];
    rl_options o = {.profile = RL_PROFILE_DEVELOPMENT, .no_wal = true, .read_only = !writable};
    if (rl_open_ex(&db, path, &o, err, sizeof err) != RL_OK) {
        fprintf(stderr, "reflite: %s\n", err);
        return NULL;
    }
    return db;
}

static int print_finding(const rl_finding *f, void *ctx)
{
    (void)ctx;
    printf("%s\n", f->message);
    return 0;
}

static int cmd_check(int argc, char **argv)
{
    int early = usage_exit(argc, argv, -1, CHECK_USAGE);
    if (early >= 0) return early;
    rl_check_options co = {0};
    const char *path = NULL;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--no-lint") == 0) {
            co.no_lint = true;
        } else if (argv[i][0] == '-' || path) {
            fprintf(stderr, "reflite check: unexpected argument '%s'\n\n%s", argv[i], CHECK_USAGE);
            return EXIT_USAGE;
        } else {
            path = argv[i];
        }
    }
    if (!path) {
        fputs(CHECK_USAGE, stderr);
        return EXIT_USAGE;
    }
    argv[0] = (char *)path;
    rl_db *db = open_existing(path, false);
    if (!db) return EXIT_USAGE;
    int64_t n = 0;
    int rc = rl_check_ex(db, &co, print_finding, NULL, &n);
    if (rc != RL_OK) {
        fprintf(stderr, "reflite: %s\n", rl_errmsg(db));
        rl_close(db);
        return EXIT_USAGE;
    }
    rl_close(db);
    if (n == 0) {
        printf("%s: ok\n", argv[0]);
        return 0;
    }
    printf("%s: %lld finding%s\n", argv[0], (long long)n, n == 1 ? "" : "s");
    return EXIT_FINDINGS;
}

static int cmd_schema(int argc, char **argv)
{
    int early = usage_exit(argc, argv, 1, SCHEMA_USAGE);
    if (early >= 0) return early;
    rl_db *db = open_existing(argv[0], false);
    if (!db) return EXIT_USAGE;
    char *sql;
    int rc = rl_schema_dump(db, &sql);
    if (rc != RL_OK) {
        fprintf(stderr, "reflite: %s\n", rl_errmsg(db));
        rl_close(db);
        return EXIT_USAGE;
    }
    fputs(sql, stdout);
    free(sql);
    rl_close(db);
    return 0;
}

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return NULL;
    }
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    size_t n;
    while (buf && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len < 2) {
            char *nb = realloc(buf, cap *= 2);
            if (!nb) {
                free(buf);
                buf = NULL;
            }
            buf = nb;
        }
    }
    fclose(f);
    if (buf) buf[len] = '\0';
    return buf;
}

/* Open DB and plan the migration to the schema in a file; NULL plan on error (printed). */
static rl_plan *plan_for(const char *dbpath, const char *schema_path, rl_db **db, bool writable)
{
    char *sql = read_file(schema_path);
    if (!sql) return NULL;
    *db = open_existing(dbpath, writable);
    if (!*db) {
        free(sql);
        return NULL;
    }
    rl_plan *plan = NULL;
    if (rl_plan_new(*db, sql, &plan) != RL_OK) {
        fprintf(stderr, "reflite: %s\n", rl_errmsg(*db));
        rl_close(*db);
        *db = NULL;
    }
    free(sql);
    return plan;
}

/*
 * Print SQL for a reader: control characters inside quoted names and strings are escaped
 * (\n, \t, \xNN), so a crafted name cannot forge an output line; the rest is verbatim.
 */
static void print_sql(const char *s)
{
    char quote = 0;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (quote) {
            if ((char)c == quote) quote = 0;
        } else if (c == '\'' || c == '"' || c == '`') {
            quote = (char)c;
        } else if (c == '[') {
            quote = ']';
        }
        if (quote && (c < 0x20 || c == 0x7f)) {
            if (c == '\n')
                fputs("\\n", stdout);
            else if (c == '\t')
                fputs("\\t", stdout);
            else
                printf("\\x%02x", c);
        } else {
            putchar(c);
        }
    }
}

static void print_plan(const rl_plan *plan)
{
    printf("%s", rl_plan_summary(plan));
    if (*rl_plan_data_loss(plan)) printf("\ndata that would be lost:\n%s", rl_plan_data_loss(plan));
    printf("\n-- SQL\n");
    print_sql(rl_plan_sql(plan));
}

static int cmd_diff(int argc, char **argv)
{
    int early = usage_exit(argc, argv, 2, DIFF_USAGE);
    if (early >= 0) return early;
    rl_db *db = NULL;
    rl_plan *plan = plan_for(argv[0], argv[1], &db, false);
    if (!plan) return EXIT_USAGE;
    int code = 0;
    if (rl_plan_is_empty(plan)) {
        printf("%s matches %s\n", argv[0], argv[1]);
    } else {
        print_plan(plan);
        code = EXIT_FINDINGS;
    }
    rl_plan_free(plan);
    rl_close(db);
    return code;
}

/* Progress of long rebuilds on stderr: one updating line on a terminal, else a line per
 * chunk.  Small tables (under 100,000 rows) stay quiet. */
static void show_progress(const char *stage, const char *table, int64_t done, int64_t total,
                          void *ctx)
{
    int64_t *last = ctx;
    bool tty = isatty(STDERR_FILENO);
    if (strcmp(stage, "copy") == 0) {
        if (total < 100000 || done == *last) return;
        *last = done;
        fprintf(stderr, "%scopying %s: %lld / %lld rows%s", tty ? "\r" : "", table, (long long)done,
                (long long)total, tty && done < total ? "" : "\n");
    } else if (strcmp(stage, "check") == 0) {
        *last = -1;
        fprintf(stderr, "checking foreign keys...\n");
    }
}

static int cmd_migrate(int argc, char **argv)
{
    int early = usage_exit(argc, argv, -1, MIGRATE_USAGE);
    if (early >= 0) return early;
    int64_t last_progress = -1;
    rl_migrate_options o = {.progress = show_progress, .progress_ctx = &last_progress};
    const char *pos[2];
    int npos = 0;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--dry-run") == 0) {
            o.dry_run = true;
        } else if (strcmp(argv[i], "--allow-data-loss") == 0) {
            o.allow_data_loss = true;
        } else if (strcmp(argv[i], "--allow-empty-schema") == 0) {
            o.allow_empty_schema = true;
        } else if (argv[i][0] == '-' || npos == 2) {
            fprintf(stderr, "reflite migrate: unexpected argument '%s'\n\n%s", argv[i],
                    MIGRATE_USAGE);
            return EXIT_USAGE;
        } else {
            pos[npos++] = argv[i];
        }
    }
    if (npos != 2) {
        fputs(MIGRATE_USAGE, stderr);
        return EXIT_USAGE;
    }
    rl_db *db = NULL;
    rl_plan *plan = plan_for(pos[0], pos[1], &db, true);
    if (!plan) return EXIT_USAGE;
    int code = 0;
    if (rl_plan_is_empty(plan)) {
        printf("%s already matches %s; nothing to do\n", pos[0], pos[1]);
    } else {
        print_plan(plan);
        int rc = rl_plan_apply(db, plan, &o);
        if (rc != RL_OK) {
            fprintf(stderr, "reflite: %s\n", rl_errmsg(db));
            /* refused or rolled back: 1; a damaged file, a lock, I/O: 2 */
            code = rc == RL_EDATALOSS || rc == RL_EMIGRATE || rc == RL_EREFUSED ? EXIT_FINDINGS
                                                                                : EXIT_USAGE;
        } else {
            printf(o.dry_run ? "\ndry run: nothing was changed\n" : "\nmigrated %s\n", pos[0]);
        }
    }
    rl_plan_free(plan);
    rl_close(db);
    return code;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(USAGE, stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(USAGE, stdout);
        return 0;
    }
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        printf("reflite %s (SQLite %s)\n", REFLITE_VERSION, rl_sqlite_version());
        return 0;
    }
    if (strcmp(cmd, "check") == 0) return cmd_check(argc - 2, argv + 2);
    if (strcmp(cmd, "schema") == 0) return cmd_schema(argc - 2, argv + 2);
    if (strcmp(cmd, "diff") == 0) return cmd_diff(argc - 2, argv + 2);
    if (strcmp(cmd, "migrate") == 0) return cmd_migrate(argc - 2, argv + 2);
    fprintf(stderr, "reflite: unknown command '%s'\n\n%s", cmd, USAGE);
    return EXIT_USAGE;
}

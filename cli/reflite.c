/*
 * reflite: the command-line tool.
 *
 *   reflite check DB        integrity, foreign-key violations, lint
 *   reflite version
 *
 * Exit codes: 0 success / clean, 1 findings or refused, 2 usage or operational error.
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
    "  check DB     integrity check, foreign-key violations and schema lint\n"
    "  version      print the version\n"
    "\n"
    "Run 'reflite <command> --help' for a command's options.\n";

static const char *CHECK_USAGE =
    "usage: reflite check DB\n"
    "\n"
    "Checks DB and prints one line per finding:\n"
    "  integrity:   problems reported by PRAGMA integrity_check\n"
    "  foreign key: rows whose key has no parent (table, rowid, column, value, parent)\n"
    "  lint:        foreign-key columns without an index; keys referencing missing tables\n"
    "               or columns that are neither the primary key nor unique\n"
    "Exit status: 0 clean, 1 findings, 2 error.\n";

static bool wants_help(int argc, char **argv)
{
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) return true;
    return false;
}

/* Open an existing database without creating it. */
static rl_db *open_existing(const char *path)
{
    if (access(path, F_OK) != 0) {
        fprintf(stderr, "reflite: %s: no such database file\n", path);
        return NULL;
    }
    rl_db *db;
    char err[512];
    rl_options o = {.profile = RL_PROFILE_DEVELOPMENT, .no_wal = true};
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
    if (wants_help(argc, argv)) {
        fputs(CHECK_USAGE, stdout);
        return 0;
    }
    if (argc != 1) {
        fputs(CHECK_USAGE, stderr);
        return EXIT_USAGE;
    }
    rl_db *db = open_existing(argv[0]);
    if (!db) return EXIT_USAGE;
    int64_t n = 0;
    int rc = rl_check(db, print_finding, NULL, &n);
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
    fprintf(stderr, "reflite: unknown command '%s'\n\n%s", cmd, USAGE);
    return EXIT_USAGE;
}

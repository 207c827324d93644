/*
 * Regular expressions for SQLite, which has the REGEXP and MATCH operators but no function
 * behind them: regexp(pattern, text) for "text REGEXP pattern" (case-sensitive) and
 * match(pattern, text) for "text MATCH pattern" (case-insensitive; a virtual table such as
 * FTS5 keeps its own MATCH), both POSIX extended expressions.  A pattern is compiled once per
 * statement (SQLite keeps it with the argument).  A NULL on either side is NULL; a pattern that
 * does not compile, or one over RLI_REGEX_MAX bytes, is an error of the statement.
 */
#include "sqlite_int.h"

#include <regex.h>
#include <stdlib.h>
#include <string.h>

#define RLI_REGEX_MAX 1000

static void regex_free(void *p)
{
    regfree(p);
    free(p);
}

static void regex_test(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    (void)argc;
    const char *pattern = (const char *)sqlite3_value_text(argv[0]);
    const char *text = (const char *)sqlite3_value_text(argv[1]);
    if (!pattern || !text) return; /* NULL */
    regex_t *re = sqlite3_get_auxdata(ctx, 0);
    if (!re) {
        if (strlen(pattern) > RLI_REGEX_MAX) {
            sqlite3_result_error(ctx, "regular expression too long", -1);
            return;
        }
        re = malloc(sizeof *re);
        int flags = REG_EXTENDED | REG_NOSUB | (sqlite3_user_data(ctx) ? REG_ICASE : 0);
        if (!re || regcomp(re, pattern, flags) != 0) {
            free(re);
            sqlite3_result_error(ctx, "invalid regular expression", -1);
            return;
        }
        sqlite3_set_auxdata(ctx, 0, re, regex_free);
        re = sqlite3_get_auxdata(ctx, 0);
        if (!re) { /* SQLite could not keep it and has freed it */
            sqlite3_result_error_nomem(ctx);
            return;
        }
    }
    sqlite3_result_int(ctx, regexec(re, text, 0, NULL, 0) == 0);
}

void rli_sqlite_regex_functions(sqlite3 *h)
{
    static const int flags = SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS;
    static const char icase = 1; /* match's user data: only whether there is some */
    sqlite3_create_function_v2(h, "regexp", 2, flags, NULL, regex_test, NULL, NULL, NULL);
    sqlite3_create_function_v2(h, "match", 2, flags, (void *)&icase, regex_test, NULL, NULL, NULL);
}

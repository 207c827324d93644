/*
 * Output of the reflite command: SQL for a reader and JSON for a program.  Everything printed
 * comes from a database or a schema file, so it is escaped: a crafted name can neither forge
 * an output line nor break a JSON document.
 */
#ifndef REFLITE_CLI_OUTPUT_H
#define REFLITE_CLI_OUTPUT_H

#include <stdio.h>

/* SQL with control characters inside quoted names and strings escaped (\n, \t, \xNN). */
void print_sql(FILE *f, const char *sql);

/* A JSON string: quotes, backslashes and control characters escaped, bytes that are not
 * UTF-8 replaced by U+FFFD.  NULL is printed as null. */
void rlc_json_string(FILE *f, const char *s);

/* A JSON array of the non-empty lines of text. */
void rlc_json_lines(FILE *f, const char *text);

/* reflite serve (serve.c): its usage text, and the command on its arguments. */
extern const char *const rlc_serve_usage;
int rlc_serve(int argc, char **argv);

#endif

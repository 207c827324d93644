/*
 * The inside of the parse stage (parse.c, parse_gram.c, parse_query.c, parse_headers.c): an
 * arena that owns every byte of a request value, and the grammar engine.
 *
 * The engine reproduces the error reporting of the parser PostgREST is written with, so that
 * a syntax error is described with PostgREST's position and words.  Its rules: every rule
 * either succeeds, fails without consuming input ("empty"), or fails after consuming some
 * ("consumed", which alternatives do not recover from unless the rule was tried: rlh_g_try).
 * An error is a position with what was unexpected there and what was expected; errors at one
 * position are merged, a further one wins, and consuming input forgets the errors before it.
 */
#ifndef REFLITE_HTTP_PARSE_INT_H
#define REFLITE_HTTP_PARSE_INT_H

#include "parse.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- the arena ------------------------------------------------------------------------- */

typedef struct rlh_ablock rlh_ablock;
typedef struct rlh_arena {
    rlh_ablock *head;
    rlh_ablock *first; /* the block its owner keeps (rlh_arena_start), never freed here */
} rlh_arena;

/* The block an owner keeps its arena's first block in, beside itself: one allocation where a
 * small request needs no other (RLH_BLOCK bytes, from an rlh_blocks, blocks.c). */
enum { RLH_BLOCK = 9216 };
/* A block of RLH_BLOCK bytes (b NULL: from malloc), or NULL when out of memory; and back. */
void *rlh_block_take(rlh_blocks *b);
void rlh_block_give(rlh_blocks *b, void *block);
/* Start a (with its head and first unset) on the block of len bytes at mem, which the caller
 * owns and frees after rlh_arena_free. */
void rlh_arena_start(rlh_arena *a, void *mem, size_t len);

/* n zeroed bytes, or NULL when out of memory. */
void *rlh_arena_alloc(rlh_arena *a, size_t n);
/* A NUL-terminated copy of the n bytes at s. */
char *rlh_arena_strndup(rlh_arena *a, const char *s, size_t n);
void rlh_arena_free(rlh_arena *a);

/* An array growing in an arena (the old copies stay in it until it is freed). */
typedef struct rlh_vec {
    void *items;
    size_t n, cap;
} rlh_vec;
bool rlh_vec_push(rlh_arena *a, rlh_vec *v, const void *item, size_t size);

/* ---- the grammar engine ---------------------------------------------------------------- */

enum { RLH_G_MAX_EXPECT = 24 };

/* What was expected: a name ("digit"), or a literal shown in double quotes ("\"->\""). */
typedef struct rlh_gexp {
    const char *text;
    bool literal;
} rlh_gexp;

typedef struct rlh_gerr {
    size_t off; /* byte offset in the input */
    bool known; /* it says something (an unknown error loses every merge) */
    bool has_sysun, has_un;
    long sysun; /* the character a character test met (-1: the end), shown only in details */
    long un;    /* the character a "not followed by" test met */
    rlh_gexp expect[RLH_G_MAX_EXPECT];
    size_t nexpect;
} rlh_gerr;

typedef struct rlh_gram {
    const char *s;
    size_t n, pos;
    rlh_gerr err;
    const char *fatal; /* out of memory or nested too deep: every rule fails, tried or not */
    bool quiet;        /* no error kept: a first reading, read again to say what is wrong */
    int depth;
    rlh_arena *a;
} rlh_gram;

/* What a rule did. */
enum { RLH_G_OK = 0, RLH_G_EMPTY = 1, RLH_G_CONSUMED = 2 };

/* g reads s (n bytes) from its start, keeping no error (a quiet reading: what goes wrong is
 * not recorded, which costs most of a reading's time); rlh_g_again starts it over keeping
 * them, to read again what failed and say why (rlh_g_details).  Rules decide the same either
 * way.  rlh_g_again returns true. */
void rlh_g_init(rlh_gram *g, rlh_arena *a, const char *s, size_t n);
bool rlh_g_again(rlh_gram *g);

/* Primitives.  rlh_g_peek: the code point at the position (its length in *len), -1 at the
 * end; rlh_g_advance: consume len bytes; rlh_g_miss: a character test failed here (what was
 * met, and what was expected: up to two literals, either NULL); rlh_g_char: the one-character
 * literal c; rlh_g_string: the literal s as a whole (an error is placed at its start);
 * rlh_g_eof: the end of the input; rlh_g_ws: spaces and tabs. */
long rlh_g_peek(const rlh_gram *g, size_t *len);
void rlh_g_advance(rlh_gram *g, size_t len);
int rlh_g_miss(rlh_gram *g, const char *lit1, const char *lit2);
int rlh_g_miss_named(rlh_gram *g, const char *name1, const char *name2);
int rlh_g_char(rlh_gram *g, const char *c);
int rlh_g_string(rlh_gram *g, const char *s);
int rlh_g_eof(rlh_gram *g);
void rlh_g_ws(rlh_gram *g);
/* notFollowedBy: fails (empty) when the next character is c / is none of set. */
int rlh_g_not_char(rlh_gram *g, const char *c);
int rlh_g_not_noneof(rlh_gram *g, const char *set);

/* Combinators, around a rule run between a mark and its end.  tried: a consumed failure is
 * turned into an empty one back at the mark; looked: a success goes back to the mark too;
 * labeled (mark taken with rlh_g_label_mark): what the rule expected, when it consumed
 * nothing, is name instead. */
typedef struct rlh_gmark {
    size_t pos;
    rlh_gerr err;
} rlh_gmark;
void rlh_g_mark(const rlh_gram *g, rlh_gmark *m);
int rlh_g_tried(rlh_gram *g, const rlh_gmark *m, int r);
int rlh_g_looked(rlh_gram *g, const rlh_gmark *m, int r);
void rlh_g_label_mark(rlh_gram *g, rlh_gmark *m);
int rlh_g_labeled(rlh_gram *g, const rlh_gmark *m, int r, const char *name);
/* try (lookAhead (string s)) and try (string s). */
int rlh_g_ahead(rlh_gram *g, const char *s);
int rlh_g_try_string(rlh_gram *g, const char *s);
/* Out of memory or nested too deep: the parse stops with why. */
int rlh_g_fatal(rlh_gram *g, const char *why);
/* Enter / leave a nested rule (or, and, an embed), fatal beyond RLH_PARSE_MAX_DEPTH. */
bool rlh_g_enter(rlh_gram *g);
/* The bytes from..to of the input in the arena, with spaces at both ends removed (strip). */
char *rlh_g_text(rlh_gram *g, size_t from, size_t to, bool strip);

/* Shared rules: a field name (quoted or identifiers joined by dashes), a JSON path, a field
 * (a name and its path between optional spaces), a quoted value and a '.' delimiter. */
int rlh_g_field_name(rlh_gram *g, const char **name);
int rlh_g_json_path(rlh_gram *g, rlh_col *col);
int rlh_g_field(rlh_gram *g, rlh_col *col);
int rlh_g_quoted(rlh_gram *g, const char **value);
int rlh_g_delim(rlh_gram *g);
int rlh_g_identifier(rlh_gram *g, const char **name);
/* The error's position as PostgREST shows it (line and column of characters, tab stops of
 * eight) and its details ("unexpected ... expecting ..."), in the arena. */
void rlh_g_position(const rlh_gram *g, int *line, int *column);
char *rlh_g_details(const rlh_gram *g);

/* The rules of the grammar (each as PostgREST's parser of the same name does it). */
int rlh_g_select(rlh_gram *g, const rlh_sel **items, size_t *n);
int rlh_g_tree_path(rlh_gram *g, rlh_path *path, rlh_col *col);
int rlh_g_filter(rlh_gram *g, rlh_cond *c);
/* The path of an or=/and= key, and its operator as the tree's text starts with it ("or",
 * "not.and"). */
int rlh_g_logic_path(rlh_gram *g, rlh_path *path, const char **op);
int rlh_g_logic(rlh_gram *g, rlh_logic *tree);
int rlh_g_order(rlh_gram *g, const rlh_order_term **terms, size_t *n);
int rlh_g_columns(rlh_gram *g, const char *const **names, size_t *n);

/* ---- the parts of a request ------------------------------------------------------------ */

/* The error value of r's request (status, PostgREST's code, message, details, hint, the
 * sentence); the texts are copied into the arena.  False when out of memory. */
bool rlh_parse_fail(rlh_req *r, rlh_arena *a, int status, const char *code, const char *message,
                    const char *details, const char *hint, const char *sentence);
/* The query string into r (select, filters, logic, order, ranges, columns, on_conflict); false
 * when r became an error (or memory ran out: *oom). */
bool rlh_parse_query(rlh_req *r, rlh_arena *a, const char *q, size_t n, const char *range_header,
                     bool *oom);
/* The Prefer lines of the headers into *p; false when out of memory. */
bool rlh_parse_prefer(rlh_arena *a, const rlh_header *h, size_t nh, rlh_preferences *p);
/* A media type as PostgREST decodes it (Content-Type, or one type of Accept). */
rlh_media rlh_media_of(const char *text, size_t n, bool *nulls_stripped);
/* The Accept header against what the request can be answered with: r->accept, or r becomes
 * the 406 error; false when out of memory. */
bool rlh_negotiate(rlh_req *r, rlh_arena *a, const char *accept, bool *oom);

#endif

/*
 * The base: growable strings, arenas and small text helpers.  A leaf: nothing here knows a
 * connection, a model or an engine, so every other room can use it.
 */
#ifndef REFLITE_BASE_H
#define REFLITE_BASE_H

#include "reflite.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* ---- growable string ------------------------------------------------------------------ */

/* A string that grows as text is appended; oom is set (and sticks) when an allocation fails,
 * so a sequence of appends is checked once at the end. */
typedef struct strbuf {
    char *s;
    size_t len, cap;
    bool oom;
    bool borrowed; /* s is the caller's buffer (rli_sb_init_buf): never freed or realloc'd */
} strbuf;

void rli_sb_init(strbuf *b);
/* Start in the caller's buffer buf of cap bytes (cap > 0); text that outgrows it moves to
 * the heap, and rli_sb_free frees only what the strbuf allocated itself. */
void rli_sb_init_buf(strbuf *b, char *buf, size_t cap);
void rli_sb_free(strbuf *b);
/* Append n bytes of s: inline while they fit, through rli_sb_putn_grow when they do not. */
void rli_sb_putn_grow(strbuf *b, const char *s, size_t n);
static inline void rli_sb_putn(strbuf *b, const char *s, size_t n)
{
    if (b->len + n < b->cap && !b->oom) {
        memcpy(b->s + b->len, s, n);
        b->len += n;
        b->s[b->len] = '\0';
    } else {
        rli_sb_putn_grow(b, s, n);
    }
}
void rli_sb_puts(strbuf *b, const char *s);
void rli_sb_printf(strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append v in decimal (rli_int_text). */
void rli_sb_int(strbuf *b, int64_t v);
/* Append s as a double-quoted SQL identifier (embedded quotes doubled). */
void rli_sb_ident(strbuf *b, const char *s);
/* Append s as a single-quoted SQL string literal (embedded quotes doubled). */
void rli_sb_literal(strbuf *b, const char *s);
/* s as a PostgreSQL escape string literal (E'...': a backslash and a quote doubled), which
 * reads the same whatever the session's standard_conforming_strings says. */
void rli_sb_escape_literal(strbuf *b, const char *s);
/* Take ownership of the string (never NULL unless oom). */
char *rli_sb_take(strbuf *b);
static inline const char *sb_str(const strbuf *b)
{
    return b->s ? b->s : "";
}
/* Append s with control characters escaped (\n, \t, \xNN): names in messages. */
void rli_sb_name(strbuf *b, const char *s);
/* malloc'd display form of a name (rli_sb_name). */
char *rli_name_disp(const char *s);

/* ---- arena: the strings of a result set, freed in one go ----------------------------- */

typedef struct arena_block {
    struct arena_block *next;
    size_t used, cap;
    max_align_t data[];
} arena_block;

typedef struct arena {
    arena_block *head;
    /* a row read "into" this arena keeps text where the engine has it (valid until the
     * statement moves on) instead of copying it: a cursor's rows */
    bool borrow_text;
} arena;

/* n bytes aligned for any type, valid until rli_arena_free; NULL when out of memory. */
void *rli_arena_alloc(arena *a, size_t n);
void rli_arena_free(arena *a);
/* Forget everything allocated, keeping one block for what comes next (a cursor's next row:
 * memory stays the size of the largest row). */
void rli_arena_reset(arena *a);

/* ---- text helpers --------------------------------------------------------------------- */

/* Identifier check: [A-Za-z_][A-Za-z0-9_]*, at most RL_MAX_IDENT characters, not a name
 * reserved by an engine (sqlite_*, the rowid's names). */
bool rli_valid_ident(const char *s);
/* A value as an SQL literal, as quote() writes it (text quotes doubled; malloc'd). */
char *rli_value_literal(const rl_value *v);
/* FNV-1a hash of a string (NULL hashes like ""). */
uint64_t rli_hash_text(const char *s);

/* ---- numbers as text (number.c) -------------------------------------------------------- */

/* The shortest text of v that strtod() reads back to v (15, 16 or 17 significant digits;
 * "0", "-0", "inf", "-inf", "nan"), written to out; its length. */
size_t rli_real_text(double v, char out[32]);
/* v in decimal (what "%" PRId64 writes, without printf) at the end of out[0..24): returns
 * where it starts, its length in *len. */
const char *rli_int_text(int64_t v, char out[24], size_t *len);
/* Append the canonical spelling of the decimal number num ("5.90" -> "59e-1", "42" ->
 * "42e0", "0"; "inf", "-inf", "nan" for theirs), rounded first to scale decimals, half away
 * from zero, when scale >= 0.  A negative zero stays "-0" only when signed_zero and no scale.
 * False (nothing appended) for text that is not a number, or when out of memory. */
bool rli_number_canon(strbuf *b, const char *num, int scale, bool signed_zero);

#endif

/* Shared by the fuzz harnesses: the libFuzzer entry point and small input readers. */
#ifndef REFLITE_FUZZ_H
#define REFLITE_FUZZ_H

#include <reflite.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* An invariant broke: say which and stop (libFuzzer records the input). */
#define FUZZ_ASSERT(cond, ...)                                                                     \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "invariant broken: %s: ", #cond);                                      \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* A cursor over the input bytes. */
typedef struct fuzz_in {
    const uint8_t *p;
    size_t n;
} fuzz_in;

static inline unsigned fuzz_byte(fuzz_in *in)
{
    if (!in->n) return 0;
    in->n--;
    return *in->p++;
}

/* A NUL-terminated string of up to max bytes taken from the input (malloc'd). */
static inline char *fuzz_str(fuzz_in *in, size_t max)
{
    size_t len = fuzz_byte(in) % (max + 1);
    if (len > in->n) len = in->n;
    char *s = malloc(len + 1);
    if (!s) abort();
    memcpy(s, in->p, len);
    s[len] = '\0';
    in->p += len;
    in->n -= len;
    return s;
}

/* A fresh private database (test profile). */
static inline rl_db *fuzz_db(void)
{
    rl_db *db = NULL;
    rl_options o = {.profile = RL_PROFILE_TEST};
    if (rl_open(&db, NULL, &o) != RL_OK) abort();
    return db;
}

#endif

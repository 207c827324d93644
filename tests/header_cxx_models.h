/* Structs shared by C and C++, and the models a C file declares for them. */
#ifndef HEADER_CXX_MODELS_H
#define HEADER_CXX_MODELS_H
#include <reflite.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct Author {
    int64_t pk;
    char *name;
} Author;

typedef struct Book {
    int64_t pk;
    int64_t author_id;
    char *title;
} Book;

extern const rl_model Author_model;
extern const rl_model Book_model;

#ifdef __cplusplus
}
#endif
#endif

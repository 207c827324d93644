/* Models for header_cxx.cpp: the declaration macros are C (see "From C++" in reflite.h). */
#include "header_cxx_models.h"

static const rl_field Author_fields[] = {RL_TEXT(Author, name)};
const rl_model Author_model = RL_MODEL(Author, "authors", Author_fields);
static const rl_field Book_fields[] = {
    RL_FOREIGN_KEY(Book, author_id, &Author_model, .on_delete = RL_CASCADE),
    RL_TEXT(Book, title),
};
const rl_model Book_model = RL_MODEL(Book, "books", Book_fields);

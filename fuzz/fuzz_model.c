/*
 * Model declarations.  The input describes up to six fields (name, column, C type, flags,
 * reference, actions, a default from a fixed list) and up to two indexes over field names
 * from the input.  Invariant: a model that validates creates its tables, and the database
 * then matches the models exactly (an empty migration plan).
 */
#include "fuzz.h"

typedef struct {
    int64_t pk;
    unsigned char slots[6][16];
} Row;

static const rl_ctype CTYPES[] = {RL_CT_INT64,     RL_CT_INT,        RL_CT_DOUBLE,
                                  RL_CT_BOOL,      RL_CT_TEXT,       RL_CT_BLOB,
                                  RL_CT_MAYBE_INT, RL_CT_MAYBE_REAL, RL_CT_MAYBE_BOOL};
static const size_t SIZES[] = {sizeof(int64_t),      sizeof(int),           sizeof(double),
                               sizeof(bool),         sizeof(char *),        sizeof(rl_blob),
                               sizeof(rl_maybe_int), sizeof(rl_maybe_real), sizeof(rl_maybe_bool)};
static const char *const DEFAULTS[] = {NULL, "0", "'x'", "NULL", "1"};

typedef struct {
    int64_t pk;
    char *label;
} Parent;
static const rl_field parent_fields[] = {RL_TEXT(Parent, label, .nullable = true)};
static const rl_model Parent_model = RL_MODEL(Parent, "parents", parent_fields);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1024) return 0;
    fuzz_in in = {data, size};
    rl_field fields[6];
    char *strs[32];
    size_t nstrs = 0;
    memset(fields, 0, sizeof fields);
    size_t nf = fuzz_byte(&in) % 7;
    rl_model m = {.type_name = "Thing",
                  .size = sizeof(Row),
                  .has_pk = true,
                  .pk_offset = offsetof(Row, pk),
                  .pk_ctype = RL_CT_INT64,
                  .fields = fields,
                  .nfields = nf};
    if (fuzz_byte(&in) & 1) m.table = strs[nstrs++] = fuzz_str(&in, 20);
    m.autoincrement = fuzz_byte(&in) & 1;
    for (size_t i = 0; i < nf; i++) {
        rl_field *f = &fields[i];
        unsigned t = fuzz_byte(&in) % 9, flags = fuzz_byte(&in);
        f->name = strs[nstrs++] = fuzz_str(&in, 12);
        if (flags & 1) f->column = strs[nstrs++] = fuzz_str(&in, 12);
        f->ctype = CTYPES[t];
        f->size = SIZES[t];
        f->offset = offsetof(Row, slots) + 16 * i;
        f->kind = (rl_kind)(fuzz_byte(&in) % 6);
        f->nullable = flags & 2;
        f->unique = flags & 4;
        f->index = flags & 8;
        f->deferrable = flags & 16;
        if (flags & 32) f->references = (flags & 64) ? &m : &Parent_model;
        f->on_delete = (rl_action)(fuzz_byte(&in) % 6);
        f->on_update = (rl_action)(fuzz_byte(&in) % 6);
        f->default_sql = DEFAULTS[fuzz_byte(&in) % 5];
    }
    const char *ixf[2][4];
    rl_index ix[2];
    size_t nix = fuzz_byte(&in) % 3;
    for (size_t k = 0; k < nix; k++) {
        size_t nc = 1 + fuzz_byte(&in) % 3;
        for (size_t c = 0; c < nc; c++)
            ixf[k][c] = nf ? fields[fuzz_byte(&in) % nf].name : "pk";
        ixf[k][nc] = NULL;
        ix[k].fields = ixf[k];
        ix[k].unique = fuzz_byte(&in) & 1;
        ix[k].name = (fuzz_byte(&in) & 1) ? (strs[nstrs++] = fuzz_str(&in, 12)) : NULL;
    }
    m.indexes = ix;
    m.nindexes = nix;
    rl_db *db = fuzz_db();
    if (rl_model_validate(db, &m) == RL_OK) {
        const rl_model *models[] = {&m};
        int rc = rl_create_all(db, models, 1);
        /* what validation does not know: two generated names that SQLite finds equal */
        if (rc == RL_OK) {
            rl_plan *plan = NULL;
            FUZZ_ASSERT(rl_plan_from_models(db, models, 1, &plan) == RL_OK, "%s", rl_errmsg(db));
            FUZZ_ASSERT(rl_plan_is_empty(plan), "models do not match their own tables:\n%s",
                        rl_plan_summary(plan));
            rl_plan_free(plan);
            Row r;
            memset(&r, 0, sizeof r);
            rl_insert(db, &m, &r);
            rl_row_free(&m, &r); /* defaults read back into text and blob members */
        } else {
            FUZZ_ASSERT(rc != RL_ERROR && rc != RL_ENOMEM, "a valid model failed to create: %s",
                        rl_errmsg(db));
        }
    }
    rl_close(db);
    for (size_t i = 0; i < nstrs; i++)
        free(strs[i]);
    return 0;
}

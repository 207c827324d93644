/*
 * The generic API's request bodies: objects, arrays, nested rows, every JSON type in every
 * column, upserts.  The input is the body, posted to two tables (one with nested rows to
 * follow) and used as a PATCH of one row.  Invariants: fuzz_http.h.
 */
#include "fuzz_http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_server *fs = fuzz_server_get();
    const char *body = (const char *)data;
    fuzz_call(fs, "POST", "/authors", body, size, "Prefer: return=representation");
    fuzz_call(fs, "POST", "/books", body, size, NULL);
    fuzz_call(fs, "POST", "/tags?on_conflict=label", body, size,
              "Prefer: resolution=merge-duplicates");
    fuzz_call(fs, "PATCH", "/books/1", body, size, "Prefer: return=representation");
    return 0;
}

/*
 * The generic API's query strings: filters, groups, select= with embedding, order, limit,
 * offset, per-relation arguments.  The input is the query string (bytes outside the API's
 * punctuation are percent-encoded, so every input is a valid URL): read on three tables, and
 * as a PATCH's filters.  Invariants: fuzz_http.h.
 */
#include "fuzz_http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_server *fs = fuzz_server_get();
    if (size > 4000) return 0;
    char q[12100], target[12200];
    fuzz_url_encode(data, size, q, sizeof q);
    static const char *const tables[] = {"books", "authors", "book_tags"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(target, sizeof target, "/%s?%s", tables[i], q);
        fuzz_call(fs, "GET", target, NULL, 0, i == 1 ? "Prefer: count=exact" : NULL);
    }
    snprintf(target, sizeof target, "/books/1?%s", q);
    fuzz_call(fs, "GET", target, NULL, 0, NULL);
    snprintf(target, sizeof target, "/tags?%s", q); /* a write with the input as its filters */
    fuzz_call(fs, "PATCH", target, "{\"label\":\"sf\"}", 14, "Prefer: return=representation");
    return 0;
}

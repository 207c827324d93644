/*
 * Query-builder call sequences.  Each input byte picks a call (where, where_in, any, all, end,
 * order_by, limit, offset, a bulk update, a join to the parent, subquery conditions, chosen
 * columns, GROUP BY, DISTINCT) with a field that is either a model's or text from the input,
 * and a value from the input.  Invariant: the SQL the query runs names only the models' own
 * tables and columns: no rejected text ever reaches it.  The query is then run every way:
 * rows, count, values, a cursor, and the children of the rows found.
 */
#include "fuzz.h"

typedef struct {
    int64_t pk;
    char *label;
} Team;

typedef struct {
    int64_t pk;
    char *name;
    char *email;
    rl_maybe_int age;
    rl_maybe_int team_id;
} Person;

typedef struct {
    int64_t pk;
    int64_t owner_id;
    char *name;
} Pet;

static const rl_field team_fields[] = {RL_TEXT(Team, label)};
static const rl_model Team_model = RL_MODEL(Team, "teams", team_fields);
static const rl_field person_fields[] = {
    RL_TEXT(Person, name),
    RL_TEXT(Person, email, .nullable = true),
    RL_INT(Person, age),
    RL_FOREIGN_KEY(Person, team_id, &Team_model, .on_delete = RL_SET_NULL),
};
static const rl_model Person_model = RL_MODEL(Person, "people", person_fields);
static const rl_field pet_fields[] = {
    RL_FOREIGN_KEY(Pet, owner_id, &Person_model, .on_delete = RL_CASCADE),
    RL_TEXT(Pet, name),
};
static const rl_model Pet_model = RL_MODEL(Pet, "pets", pet_fields);

static const char *const KNOWN[] = {"people",  "pk",    "name",  "email", "age",
                                    "team_id", "teams", "label", "pets",  "owner_id"};

/* Every double-quoted identifier in sql is one of KNOWN. */
static void check_sql(const char *sql)
{
    for (const char *p = sql; (p = strchr(p, '"'));) {
        const char *start = ++p;
        while (*p && *p != '"')
            p++;
        size_t n = (size_t)(p - start);
        bool ok = false;
        for (size_t k = 0; k < sizeof KNOWN / sizeof KNOWN[0]; k++)
            ok = ok || (strlen(KNOWN[k]) == n && strncmp(KNOWN[k], start, n) == 0);
        FUZZ_ASSERT(ok, "unknown identifier '%.*s' in %s", (int)n, start, sql);
        if (*p) p++;
    }
}

static rl_value value_from(fuzz_in *in, char **owned)
{
    switch (fuzz_byte(in) % 5) {
    case 0:
        return rl_null();
    case 1:
        return rl_int((int64_t)fuzz_byte(in) - 128);
    case 2:
        return rl_real((double)fuzz_byte(in) / 7.0);
    case 3:
        *owned = fuzz_str(in, 16);
        return rl_text(*owned);
    default:
        return rl_blob_value("\x01\x02", fuzz_byte(in) % 3);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 2048) return 0;
    static const char *const fields[] = {"name",        "email",      "age", "pk",
                                         "teams.label", "team_id.pk", "nope"};
    fuzz_in in = {data, size};
    rl_db *db = fuzz_db();
    const rl_model *models[] = {&Pet_model};
    if (rl_create_all(db, models, 1) != RL_OK) abort();
    Team t = {.label = "red"};
    rl_insert(db, &Team_model, &t);
    Person p = {.name = "ann", .age = RL_SOME(30), .team_id = RL_SOME(t.pk)};
    rl_insert(db, &Person_model, &p);
    Pet pet = {.owner_id = p.pk, .name = "rex"};
    rl_insert(db, &Pet_model, &pet);
    rl_query *q = rl_select(db, &Person_model);
    for (int steps = 0; in.n && steps < 64; steps++) {
        unsigned op = fuzz_byte(&in) % 15;
        char *field = NULL, *text = NULL;
        unsigned pick = fuzz_byte(&in);
        const char *f = pick % 8 < 7 ? fields[pick % 8] : (field = fuzz_str(&in, 24));
        switch (op) {
        case 0:
            rl_where(q, f, (rl_op)(fuzz_byte(&in) % 15), value_from(&in, &text));
            break;
        case 1: {
            char *t2 = NULL;
            rl_value vs[2] = {value_from(&in, &text), value_from(&in, &t2)};
            rl_where_in(q, f, vs, fuzz_byte(&in) % 3, fuzz_byte(&in) & 1);
            free(t2);
            break;
        }
        case 2:
            rl_any(q);
            break;
        case 3:
            rl_all(q);
            break;
        case 4:
            rl_end(q);
            break;
        case 5:
            rl_order_by(q, f, (rl_order)(fuzz_byte(&in) % 3));
            break;
        case 6:
            rl_limit(q, (int64_t)fuzz_byte(&in) - 8);
            break;
        case 7:
            rl_offset(q, (int64_t)fuzz_byte(&in) - 8);
            break;
        case 9:
            rl_join(q, &Team_model, pick & 1 ? NULL : f);
            break;
        case 10: {
            rl_query *sub = rl_select(db, &Pet_model);
            rl_where(sub, pick & 2 ? "name" : f, RL_EQ, value_from(&in, &text));
            rl_where_referenced(q, sub, pick & 1 ? NULL : f, pick & 4);
            break;
        }
        case 11:
            rl_where_in_query(q, f, rl_select(db, &Pet_model), pick & 1 ? "owner_id" : f, pick & 4);
            break;
        case 12:
            rl_select_agg(q, (rl_agg)(fuzz_byte(&in) % 6), pick & 1 ? NULL : f);
            break;
        case 13:
            if (pick & 1)
                rl_group_by(q, f);
            else
                rl_select_field(q, f);
            break;
        case 14:
            rl_distinct(q);
            break;
        default: {
            rl_set set = {f, value_from(&in, &text)};
            rl_query *u = rl_select(db, &Person_model);
            rl_where(u, "pk", RL_EQ, rl_int(-1));
            rl_update_where(u, &set, 1, NULL);
            rl_query_free(u);
            break;
        }
        }
        free(field);
        free(text);
    }
    check_sql(rl_query_sql(q));
    rl_rows *rows = NULL;
    if (rl_fetch_all(q, &rows) == RL_OK) {
        rl_query *pets = rl_select(db, &Pet_model);
        rl_groups *g = NULL;
        if (rl_fetch_children(pets, &Person_model, NULL, rows->items, rows->count, &g) == RL_OK)
            rl_groups_free(g);
        rl_query_free(pets);
        rl_rows_free(rows);
    }
    int64_t n;
    rl_count(q, &n);
    rl_values *v = NULL;
    if (rl_fetch_values(q, &v) == RL_OK) rl_values_free(v);
    rl_cursor *c = NULL;
    Person row;
    Team parent;
    if (rl_cursor_open(q, &c) == RL_OK)
        while (rl_cursor_next(c, &row, &parent) == 1)
            continue;
    rl_cursor_free(c);
    rl_query_free(q);
    rl_close(db);
    return 0;
}

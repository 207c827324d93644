/*
 * The workloads of bench_relations whose parents are keyed otherwise than by an integer pk,
 * with as many parents as there are authors and 100 children each, like the books:
 *
 *   prefetch_text       the cities of every country (countries keyed by a text code,
 *                       "C00042"), grouped by country: rl_fetch_children with the countries vs
 *                       a hand-written query of the cities in the slice's range of codes
 *                       ordered by country, cut into groups by an ordered walk of the countries
 *   join_text           every city with its country: rl_join + rl_fetch_all vs a hand-written
 *                       LEFT JOIN on the code read into two arrays of structs
 *   prefetch_composite  the notes of every student (students keyed by (id, code), two of them
 *                       sharing each id), the same way; the hand-written query reads the
 *                       slice's keys from one JSON parameter on SQLite, its range of (sid,
 *                       scode) on PostgreSQL (the cheaper on each)
 *   join_composite      every note with its student, a LEFT JOIN on both columns
 *
 * The children's pks follow their parents' order (parent k has the children (k - 1) * 100 + 1
 * .. k * 100), so that a slice's children are the same pk range as its books.  Both sides
 * compute the same checksum from what they read: every text's length (so every text is
 * read), each child's pk weighted by the place of the group it is in, each group's start.
 * Included by bench_relations.c after what the workloads share (bench, keep, PHASE).
 */
#ifndef REFLITE_BENCH_RELATIONS_KEYS_H
#define REFLITE_BENCH_RELATIONS_KEYS_H

typedef struct Country {
    char *code, *name;
} Country;
typedef struct {
    int64_t pk;
    char *name, *country;
} City;
typedef struct Student {
    int64_t id;
    char *code, *name;
} Student;
typedef struct {
    int64_t pk;
    char *title;
    int64_t sid;
    char *scode;
} Note;

static const rl_field country_fields[] = {RL_TEXT(Country, code), RL_TEXT(Country, name)};
static const rl_model Country_model =
    RL_MODEL_NO_PK(Country, "countries", country_fields, .primary_key = RL_NAMES("code"));
static const rl_field city_fields[] = {RL_TEXT(City, name),
                                       RL_TEXT(City, country, .references = &Country_model)};
static const rl_model City_model = RL_MODEL(City, "cities", city_fields);

static const rl_field student_fields[] = {RL_INT(Student, id), RL_TEXT(Student, code),
                                          RL_TEXT(Student, name)};
static const rl_model Student_model =
    RL_MODEL_NO_PK(Student, "students", student_fields, .primary_key = RL_NAMES("id", "code"));
static const rl_field note_fields[] = {RL_TEXT(Note, title), RL_INT(Note, sid),
                                       RL_TEXT(Note, scode)};
static const rl_key note_keys[] = {RL_KEY(RL_NAMES("sid", "scode"), &Student_model)};
static const rl_model Note_model = RL_MODEL(Note, "notes", note_fields, RL_KEYS(note_keys));

/* ---- the hand-written side ---------------------------------------------------------------- */

/* A child as the hand-written side keeps it: a city (pk, name, country) or a note (pk, title,
 * sid, scode), its texts as offsets in the text buffer; and its parent after a join: a country
 * (code, name) or a student (id, code, name).  text[1] is the key's text on both sides. */
typedef struct {
    int64_t pk, id;
    size_t text[2];
} kid_row;
typedef struct {
    int64_t id;
    size_t text[2];
    bool present;
} par_row;

typedef struct {
    kid_row *c;
    par_row *p;
    size_t n, cap;
    textbuf text;
} keyed;

static void keyed_push(keyed *t, bool join)
{
    if (t->n < t->cap) return;
    t->cap = t->cap ? t->cap * 2 : 1024;
    t->c = realloc(t->c, t->cap * sizeof *t->c);
    if (join) t->p = realloc(t->p, t->cap * sizeof *t->p);
    if (!t->c || (join && !t->p)) die("realloc", "out of memory");
}

static void keyed_free(keyed *t)
{
    free(t->c);
    free(t->p);
    free(t->text.s);
}

/* A parameter of a statement: a text, or (s NULL) an integer. */
typedef struct {
    const char *s;
    int64_t i;
} param;

/* The rows of sql (params p) into t; composite: the rows are notes (with an integer sid before
 * their key's text) and students, else cities and countries; join: each with its parent. */
static void lite_keyed(bench *x, const char *sql, const param *p, int np, bool composite, bool join,
                       keyed *t)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(x->lite, sql, -1, &st, NULL) != SQLITE_OK)
        die(sql, sqlite3_errmsg(x->lite));
    for (int i = 0; i < np; i++)
        if (p[i].s)
            sqlite3_bind_text(st, i + 1, p[i].s, -1, SQLITE_STATIC);
        else
            sqlite3_bind_int64(st, i + 1, p[i].i);
    while (sqlite3_step(st) == SQLITE_ROW) {
        keyed_push(t, join);
        kid_row *c = &t->c[t->n];
        c->pk = sqlite3_column_int64(st, 0);
        c->text[0] = keep(&t->text, (const char *)sqlite3_column_text(st, 1),
                          (size_t)sqlite3_column_bytes(st, 1));
        int col = 2;
        c->id = composite ? sqlite3_column_int64(st, col++) : 0;
        c->text[1] = keep(&t->text, (const char *)sqlite3_column_text(st, col),
                          (size_t)sqlite3_column_bytes(st, col));
        col++;
        if (join) {
            par_row *a = &t->p[t->n];
            a->present = sqlite3_column_type(st, col) != SQLITE_NULL;
            a->id = composite ? sqlite3_column_int64(st, col++) : 0;
            for (int k = 0; k < 2; k++, col++)
                a->text[k] = a->present ? keep(&t->text, (const char *)sqlite3_column_text(st, col),
                                               (size_t)sqlite3_column_bytes(st, col))
                                        : 0;
        }
        t->n++;
    }
    sqlite3_finalize(st);
}

static void pg_keyed(bench *x, const char *sql, const param *p, int np, bool composite, bool join,
                     keyed *t)
{
    char num[4][24];
    const char *values[4];
    for (int i = 0; i < np; i++) {
        snprintf(num[i], sizeof num[i], "%lld", (long long)p[i].i);
        values[i] = p[i].s ? p[i].s : num[i];
    }
    PGresult *r = PQexecParams(x->pg, sql, np, NULL, values, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_TUPLES_OK) die(sql, PQerrorMessage(x->pg));
    int n = PQntuples(r);
    for (int k = 0; k < n; k++) {
        keyed_push(t, join);
        kid_row *c = &t->c[t->n];
        c->pk = strtoll(PQgetvalue(r, k, 0), NULL, 10);
        c->text[0] = keep(&t->text, PQgetvalue(r, k, 1), (size_t)PQgetlength(r, k, 1));
        int col = 2;
        c->id = composite ? strtoll(PQgetvalue(r, k, col++), NULL, 10) : 0;
        c->text[1] = keep(&t->text, PQgetvalue(r, k, col), (size_t)PQgetlength(r, k, col));
        col++;
        if (join) {
            par_row *a = &t->p[t->n];
            a->present = !PQgetisnull(r, k, col);
            a->id = composite && a->present ? strtoll(PQgetvalue(r, k, col), NULL, 10) : 0;
            col += composite;
            for (int i = 0; i < 2; i++, col++)
                a->text[i] = a->present ? keep(&t->text, PQgetvalue(r, k, col),
                                               (size_t)PQgetlength(r, k, col))
                                        : 0;
        }
        t->n++;
    }
    PQclear(r);
}

/* sql has ?1.. (written $1.. for PostgreSQL) */
static void base_keyed(bench *x, const char *sql, const param *p, int np, bool composite, bool join,
                       keyed *t)
{
    if (x->pg) {
        char pg_sql[400];
        snprintf(pg_sql, sizeof pg_sql, "%s", sql);
        for (char *q = pg_sql; (q = strchr(q, '?'));)
            *q = '$';
        pg_keyed(x, pg_sql, p, np, composite, join, t);
    } else {
        lite_keyed(x, sql, p, np, composite, join, t);
    }
}

/* The groups of t's children, ordered by key, among n parents in the same order: an ordered
 * walk that moves to the next parent until its key is the child's (composite: the student's
 * id and code, else the country's code).  Every parent gets a group, empty when no child has
 * its key. */
static void walk_groups(bench *x, const keyed *t, bool composite, size_t *start, size_t *size)
{
    const Country *countries = x->countries + x->first;
    const Student *students = x->students + x->first;
    size_t g = 0, n = x->count;
    for (size_t k = 0; k < t->n; k++) {
        const char *key = t->text.s + t->c[k].text[1];
        while (g < n &&
               (composite ? students[g].id != t->c[k].id || strcmp(students[g].code, key) != 0
                          : strcmp(countries[g].code, key) != 0))
            g++;
        if (g == n) die("prefetch", "a child of no parent given, or out of the parents' order");
        if (size[g]++ == 0) start[g] = k;
    }
}

/* What both sides compute from a prefetch: each group's start, each child's pk weighted by
 * the place of its group, plus its integer key (composite) and the length of its texts. */
static int64_t base_groups_sum(const keyed *t, const size_t *start, const size_t *size, size_t n)
{
    int64_t sum = 0;
    for (size_t i = 0; i < n; i++) {
        if (size[i]) sum += (int64_t)start[i];
        for (size_t k = start[i]; k < start[i] + size[i]; k++) {
            const kid_row *c = &t->c[k];
            sum += c->pk * (int64_t)(i + 1) + c->id +
                   (int64_t)(strlen(t->text.s + c->text[0]) + strlen(t->text.s + c->text[1]));
        }
    }
    return sum;
}

/* What both sides compute from a join: each child's pk, its integer key (composite), its
 * texts' lengths, and its parent's (the integer key of a student, the texts' lengths) with one
 * for being there. */
static int64_t base_join_sum(const keyed *t)
{
    int64_t sum = 0;
    for (size_t k = 0; k < t->n; k++) {
        const kid_row *c = &t->c[k];
        const par_row *a = &t->p[k];
        sum += c->pk + c->id +
               (int64_t)(strlen(t->text.s + c->text[0]) + strlen(t->text.s + c->text[1]));
        if (a->present)
            sum += 1 + a->id +
                   (int64_t)(strlen(t->text.s + a->text[0]) + strlen(t->text.s + a->text[1]));
    }
    return sum;
}

/* The prefetch of either shape: the children of the slice's parents (sql with parameters p:
 * the range of their keys, or their keys), coming in the parents' order, cut into groups; one
 * statement. */
static void base_prefetch_keyed(bench *x, const char *sql, const param *p, int np, bool composite)
{
    keyed t = {0};
    base_keyed(x, sql, p, np, composite, false, &t);
    size_t *start = calloc(x->count, sizeof *start), *size = calloc(x->count, sizeof *size);
    if (!start || !size) die("calloc", "out of memory");
    walk_groups(x, &t, composite, start, size);
    x->sum += base_groups_sum(&t, start, size, x->count);
    free(start);
    free(size);
    keyed_free(&t);
}

PHASE phase_prefetch_text_baseline(bench *x)
{
    const param p[2] = {{x->countries[x->first].code, 0},
                        {x->countries[x->first + x->count - 1].code, 0}};
    base_prefetch_keyed(x,
                        "SELECT pk, name, country FROM cities WHERE country BETWEEN ?1 AND ?2 "
                        "ORDER BY country",
                        p, 2, false);
}

PHASE phase_join_text_baseline(bench *x)
{
    keyed t = {0};
    const param p[2] = {{NULL, x->book_lo}, {NULL, x->book_hi}};
    base_keyed(x,
               "SELECT c.pk, c.name, c.country, k.code, k.name FROM cities c LEFT JOIN countries "
               "k ON k.code = c.country WHERE c.pk BETWEEN ?1 AND ?2",
               p, 2, false, true, &t);
    x->sum += base_join_sum(&t);
    keyed_free(&t);
}

/* The keys of n students as one JSON array of [id, "code"] pairs, each code a JSON string. */
static char *student_keys_json(const Student *s, size_t n)
{
    size_t cap = 3;
    for (size_t i = 0; i < n; i++)
        cap += 32 + 6 * strlen(s[i].code);
    char *out = malloc(cap), *p = out;
    if (!out) die("malloc", "out of memory");
    *p++ = '[';
    for (size_t i = 0; i < n; i++) {
        p += sprintf(p, "%s[%lld,\"", i ? "," : "", (long long)s[i].id);
        for (const unsigned char *c = (const unsigned char *)s[i].code; *c; c++)
            if (*c == '"' || *c == '\\')
                p += sprintf(p, "\\%c", *c);
            else if (*c < 0x20)
                p += sprintf(p, "\\u%04x", *c);
            else
                *p++ = (char)*c;
        *p++ = '"';
        *p++ = ']';
    }
    strcpy(p, "]");
    return out;
}

/* On SQLite the slice's keys go as one JSON parameter walked first, each key a seek on both
 * columns of the notes' index: there that is cheaper than the range, whose every row compares
 * two columns with its end.  On PostgreSQL the range is one index scan, cheaper than a seek
 * per key.  Either way the rows come in the students' order. */
PHASE phase_prefetch_composite_baseline(bench *x)
{
    const Student *lo = &x->students[x->first], *hi = &x->students[x->first + x->count - 1];
    if (x->pg) {
        const param p[4] = {{NULL, lo->id}, {lo->code, 0}, {NULL, hi->id}, {hi->code, 0}};
        base_prefetch_keyed(x,
                            "SELECT pk, title, sid, scode FROM notes WHERE (sid, scode) BETWEEN "
                            "(?1, ?2) AND (?3, ?4) ORDER BY sid, scode",
                            p, 4, true);
        return;
    }
    char *keys = student_keys_json(lo, x->count);
    const param p[1] = {{keys, 0}};
    base_prefetch_keyed(x,
                        "SELECT n.pk, n.title, n.sid, n.scode FROM json_each(?1) AS k CROSS JOIN "
                        "notes AS n ON n.sid = json_extract(k.value, '$[0]') AND n.scode = "
                        "json_extract(k.value, '$[1]')",
                        p, 1, true);
    free(keys);
}

PHASE phase_join_composite_baseline(bench *x)
{
    keyed t = {0};
    const param p[2] = {{NULL, x->book_lo}, {NULL, x->book_hi}};
    base_keyed(x,
               "SELECT n.pk, n.title, n.sid, n.scode, s.id, s.code, s.name FROM notes n LEFT "
               "JOIN students s ON s.id = n.sid AND s.code = n.scode WHERE n.pk BETWEEN ?1 AND ?2",
               p, 2, true, true, &t);
    x->sum += base_join_sum(&t);
    keyed_free(&t);
}

/* ---- reflite ------------------------------------------------------------------------------ */

PHASE phase_prefetch_text_reflite(bench *x)
{
    rl_query *q = rl_select(x->db, &City_model);
    rl_groups *g;
    ok(x->db, rl_fetch_children(q, &Country_model, NULL, x->countries + x->first, x->count, &g),
       "prefetch_text");
    const City *c = g->items;
    int64_t sum = 0;
    for (size_t i = 0; i < g->count; i++) {
        if (g->size[i]) sum += (int64_t)g->start[i];
        for (size_t k = g->start[i]; k < g->start[i] + g->size[i]; k++)
            sum += c[k].pk * (int64_t)(i + 1) + (int64_t)(strlen(c[k].name) + strlen(c[k].country));
    }
    x->sum += sum;
    rl_groups_free(g);
    rl_query_free(q);
}

PHASE phase_join_text_reflite(bench *x)
{
    rl_query *q = rl_select(x->db, &City_model);
    rl_where(q, "pk", RL_GE, rl_int(x->book_lo));
    rl_where(q, "pk", RL_LE, rl_int(x->book_hi));
    ok(x->db, rl_join(q, &Country_model, NULL), "join_text");
    rl_rows *rows;
    ok(x->db, rl_fetch_all(q, &rows), "join_text fetch");
    const City *c = rows->items;
    const Country *a = rows->parents;
    int64_t sum = 0;
    for (size_t k = 0; k < rows->count; k++) {
        sum += c[k].pk + (int64_t)(strlen(c[k].name) + strlen(c[k].country));
        if (rows->has_parent[k]) sum += 1 + (int64_t)(strlen(a[k].code) + strlen(a[k].name));
    }
    x->sum += sum;
    rl_rows_free(rows);
    rl_query_free(q);
}

PHASE phase_prefetch_composite_reflite(bench *x)
{
    rl_query *q = rl_select(x->db, &Note_model);
    rl_groups *g;
    ok(x->db, rl_fetch_children(q, &Student_model, NULL, x->students + x->first, x->count, &g),
       "prefetch_composite");
    const Note *c = g->items;
    int64_t sum = 0;
    for (size_t i = 0; i < g->count; i++) {
        if (g->size[i]) sum += (int64_t)g->start[i];
        for (size_t k = g->start[i]; k < g->start[i] + g->size[i]; k++)
            sum += c[k].pk * (int64_t)(i + 1) + c[k].sid +
                   (int64_t)(strlen(c[k].title) + strlen(c[k].scode));
    }
    x->sum += sum;
    rl_groups_free(g);
    rl_query_free(q);
}

PHASE phase_join_composite_reflite(bench *x)
{
    rl_query *q = rl_select(x->db, &Note_model);
    rl_where(q, "pk", RL_GE, rl_int(x->book_lo));
    rl_where(q, "pk", RL_LE, rl_int(x->book_hi));
    ok(x->db, rl_join(q, &Student_model, NULL), "join_composite");
    rl_rows *rows;
    ok(x->db, rl_fetch_all(q, &rows), "join_composite fetch");
    const Note *c = rows->items;
    const Student *a = rows->parents;
    int64_t sum = 0;
    for (size_t k = 0; k < rows->count; k++) {
        sum += c[k].pk + c[k].sid + (int64_t)(strlen(c[k].title) + strlen(c[k].scode));
        if (rows->has_parent[k])
            sum += 1 + a[k].id + (int64_t)(strlen(a[k].code) + strlen(a[k].name));
    }
    x->sum += sum;
    rl_rows_free(rows);
    rl_query_free(q);
}

/* ---- the data ----------------------------------------------------------------------------- */

/* The parents and their children, made by the engine itself like the authors and books: n
 * countries "C00001".. and n students, ids 1, 1, 2, 2, ... with codes "a" and "b" in turn,
 * each with 100 children inserted in their parents' key order (pg: on PostgreSQL). */
static void fill_keyed(bench *x, int n, bool pg)
{
    const rl_model *models[] = {&City_model, &Note_model};
    ok(x->db,
       rl_exec(x->db,
               "DROP TABLE IF EXISTS cities; DROP TABLE IF EXISTS countries; "
               "DROP TABLE IF EXISTS notes; DROP TABLE IF EXISTS students",
               NULL, 0, NULL),
       "drop");
    ok(x->db, rl_create_all(x->db, models, 2), "create");
    char sql[1400];
    if (pg)
        snprintf(sql, sizeof sql,
                 "INSERT INTO countries (code, name) SELECT 'C' || lpad(i::text, 5, '0'), "
                 "'Country ' || i FROM generate_series(1, %d) i; "
                 "INSERT INTO cities (name, country) SELECT 'City ' || j || ' of ' || c.code, "
                 "c.code FROM countries c, generate_series(1, 100) j ORDER BY c.code, j; "
                 "INSERT INTO students (id, code, name) SELECT (i + 1) / 2, CASE i %% 2 WHEN 1 "
                 "THEN 'a' ELSE 'b' END, 'Student ' || i FROM generate_series(1, %d) i; "
                 "INSERT INTO notes (title, sid, scode) SELECT 'Note ' || j || ' of student ' || "
                 "s.id || s.code, s.id, s.code FROM students s, generate_series(1, 100) j "
                 "ORDER BY s.id, s.code, j; ANALYZE",
                 n, n);
    else
        snprintf(sql, sizeof sql,
                 "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d) "
                 "INSERT INTO countries (code, name) SELECT printf('C%%05d', i), 'Country ' || i "
                 "FROM n; "
                 "WITH RECURSIVE n(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM n WHERE j < 100) "
                 "INSERT INTO cities (name, country) SELECT 'City ' || j || ' of ' || c.code, "
                 "c.code FROM countries c, n ORDER BY c.code, j; "
                 "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < %d) "
                 "INSERT INTO students (id, code, name) SELECT (i + 1) / 2, CASE i %% 2 WHEN 1 "
                 "THEN 'a' ELSE 'b' END, 'Student ' || i FROM n; "
                 "WITH RECURSIVE n(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM n WHERE j < 100) "
                 "INSERT INTO notes (title, sid, scode) SELECT 'Note ' || j || ' of student ' || "
                 "s.id || s.code, s.id, s.code FROM students s, n ORDER BY s.id, s.code, j; "
                 "ANALYZE",
                 n, n);
    ok(x->db, rl_exec(x->db, sql, NULL, 0, NULL), "fill keyed");
}

#endif

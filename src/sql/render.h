/*
 * The SQL renderer: every SELECT, INSERT, UPDATE and DELETE reflite runs on a model's table is
 * a small tree (rls_stmt) that rli_render turns into text for a dialect.  No other file of the
 * core writes statement text, so quoting, placeholders and the engine's spellings are decided
 * here once.
 *
 * Conditions and ordering come from the query builder as a shape: a compact token string,
 * which is also the key under which the rendered statement is cached (core/query.c):
 *
 *   'c' FF op            comparison of field FF (two hex digits; "ff" is the primary key)
 *                        with operator op ('A' + rl_op; a search RL_FTS + i gets + 4 with a
 *                        configuration, bound before the text, and + 8 on a document that is
 *                        no tsvector, read by to_tsvector in the configuration, bound first;
 *                        on a dialect without search functions, the column's full-text
 *                        index (rls_table.searches) MATCHes the one value bound)
 *   'i' FF neg count ';' IN list of count values (neg '1': NOT IN)
 *   '(' kind ... ')'     group: kind 'o' (OR), 'a' (AND) or 'n' (NOT (... OR ...))
 *   'o' FF dir           ORDER BY field FF, dir 'a' or 'd'
 *   'C' FF op LLLL path  a comparison of the value field FF's JSON document holds at path
 *   'O' FF dir LLLL path and an ordering by it (LLLL: path's length in 4 hex digits; path:
 *                        core/jsonpath.c's encoding of its steps)
 *   'k' n FF...          the n fields FF... (n one hex digit) are in a set of keys bound as
 *                        one parameter: one field, a JSON array on SQLite, an array literal on
 *                        PostgreSQL (see rl_dialect.key_set); several, a JSON array of arrays
 *                        on SQLite, of objects by column name on PostgreSQL (key_rows_records)
 *   'x' N neg n (LL RR)... '{' ... '}'
 *                        [NOT] EXISTS (SELECT 1 FROM subs[N] WHERE its fields RR = this
 *                        table's fields LL, n pairs, AND the conditions between the braces,
 *                        whose field codes are the sub table's); N and n one hex digit, neg
 *                        '1': NOT EXISTS
 *   '|' ...              the end of the shape (what follows belongs to the cache key)
 *
 * Field codes: 00..3f a field of the statement's table, ff its primary key; with a join,
 * 40..7f (RLS_JOINED + i) a field of the joined table and fe its primary key; with more joins,
 * 80..fb (RLS_EXTRA + k) entry k of the statement's list of their columns (rls_stmt.extra).  A
 * statement with a join or a subquery qualifies every column with its table's alias (t0, t1,
 * t2... for the joins in order, s0...).
 *
 * Every value is a placeholder; identifiers are quoted.  Placeholders are numbered from 1 in
 * the order the caller binds: SET values, then the shape's values, then LIMIT and OFFSET.
 */
#ifndef REFLITE_RENDER_H
#define REFLITE_RENDER_H

#include "base/base.h"

#define RLS_PK        0xff               /* the field code of the primary key */
#define RLS_JOINED    0x40               /* RLS_JOINED + i: field i of the joined table */
#define RLS_JOINED_PK 0xfe               /* the joined table's primary key */
#define RLS_EXTRA     0x80               /* RLS_EXTRA + k: column k of rls_stmt.extra */
#define RLS_EXTRA_MAX 0x7c               /* entries of that list (codes 80..fb) */
#define RLS_MORE_MAX  3                  /* joins after the first (rls_stmt.more) */
#define RLS_KINDS     (RL_KIND_DATE + 1) /* the number of rl_kind values */

typedef enum rls_kind {
    RLS_SELECT,   /* SELECT [pk,] columns FROM t ... */
    RLS_COUNT,    /* SELECT count(*) FROM t ... (a paged count counts the page) */
    RLS_EXISTS,   /* SELECT EXISTS (SELECT 1 FROM t ...) */
    RLS_INSERT,   /* INSERT INTO t ([pk,] columns) VALUES (...) or DEFAULT VALUES */
    RLS_UPDATE,   /* UPDATE t SET ... */
    RLS_DELETE,   /* DELETE FROM t ... */
    RLS_UPSERT,   /* INSERT ... ON CONFLICT (conflict) DO UPDATE SET the other columns */
    RLS_AGGREGATE /* SELECT group, agg(field) FROM t ... GROUP BY group */
} rls_kind;

/* The aggregate of RLS_AGGREGATE (the order of rl_agg). */
typedef enum rls_agg { RLS_AGG_COUNT, RLS_AGG_SUM, RLS_AGG_AVG, RLS_AGG_MIN, RLS_AGG_MAX } rls_agg;

typedef enum rls_where {
    RLS_WHERE_NONE,
    RLS_WHERE_PK,    /* WHERE pk = ? */
    RLS_WHERE_ROWID, /* the row just inserted: WHERE <the dialect's row id> = ? */
    RLS_WHERE_SHAPE  /* the shape's conditions (and ORDER BY for SELECT and paged COUNT) */
} rls_where;

/* A full-text index that covers a column (SQLite: an FTS5 table with content= the column's
 * table): a search on the column is "<rowid> IN (SELECT rowid FROM <table> WHERE <column>
 * MATCH ?)", the column's name being the index's too. */
typedef struct rls_search {
    const char *table; /* NULL: no index covers the column */
    const char *rowid; /* the column of the table the index's ids are, NULL: its rowid */
} rls_search;

/* A table as the renderer sees it: resolved names only. */
typedef struct rls_table {
    const char *name;
    const char *pk; /* the primary-key column, NULL when the table has none */
    const char *const *columns;
    size_t ncolumns;
    const unsigned char *kinds; /* each column's rl_kind (rl_field_kind), or NULL: all plain */
    const rls_search *searches; /* each column's full-text index, or NULL: none has one */
} rls_table;

#define RLS_KEY_MAX 8 /* columns of one key (RL_MAX_KEY_FIELDS) */

/* A second table joined to the statement's: ON joined.right[i] = t.left[i] for each of the
 * key's n columns. */
typedef struct rls_join {
    const rls_table *t;
    int n;
    int left[RLS_KEY_MAX];  /* field codes of the statement's table */
    int right[RLS_KEY_MAX]; /* field codes of the joined table (RLS_JOINED + i, RLS_JOINED_PK) */
    bool inner;             /* JOIN; else LEFT JOIN (a row without a match keeps NULLs) */
    /* what SELECT reads of the joined table, after the statement's own columns: its pk
     * (when with_pk) and the columns whose bit is set */
    bool with_pk;
    uint64_t columns;
} rls_join;

/* A column of a table joined after the first (rls_stmt.more[join]): its field, -1 the
 * primary key. */
typedef struct rls_extra {
    int join;
    int field;
} rls_extra;

/* One item of a chosen SELECT list: a field, or an aggregate over one (field -1: count(*)),
 * over the value a JSON path reaches in it (path: its encoding, jsonpath.c, or NULL), cast
 * first to an rl_kind (0: not cast; dialect.cast_as names the type). */
typedef struct rls_item {
    int agg; /* -1: the field itself; else an rls_agg */
    int field;
    int cast;
    const char *path;
    size_t path_len;
} rls_item;

typedef struct rls_stmt {
    rls_kind kind;
    const rls_table *t;
    const rls_join *join; /* SELECT, COUNT, EXISTS, AGGREGATE: or NULL */
    /* more tables joined (LEFT JOIN) after it, each ON its right codes (RLS_EXTRA + k) = its
     * left codes (of the statement's table, the first join's or an earlier one of these);
     * only named by field codes (SELECT reads none of their columns but through items) */
    const rls_join *more;
    size_t nmore;
    const rls_extra *extra;
    size_t nextra;
    const rls_table *const *subs; /* the tables of the shape's 'x' tokens */
    size_t nsubs;
    rls_agg agg;           /* AGGREGATE: agg over field agg_field (-1: rows) */
    int agg_field;         /* AGGREGATE: a field code; its groups are group[] below */
    uint64_t conflict;     /* UPSERT: the conflict target's columns (bit per field;
                              0: the primary key) */
    const rls_item *items; /* SELECT: this list instead of the columns, or NULL */
    size_t nitems;
    bool distinct;    /* SELECT DISTINCT */
    const int *group; /* SELECT, AGGREGATE: GROUP BY these field codes */
    size_t ngroup;
    /* SELECT list, INSERT columns, UPDATE SET list: the columns whose bit is set (field
     * order), after the primary key when with_pk. */
    uint64_t columns;
    bool with_pk;
    /* UPDATE SET by field codes, in the caller's order (overrides columns when nset > 0);
     * set_sql (may be NULL), per set, SQL text written instead of its placeholder (a column's
     * DEFAULT), or NULL for a placeholder. */
    const unsigned char *set;
    size_t nset;
    const char *const *set_sql;
    rls_where where;
    const char *shape;     /* RLS_WHERE_SHAPE */
    bool paged;            /* LIMIT ? OFFSET ? (SELECT, COUNT) */
    int64_t limit, offset; /* their values, written as numbers by a limit_inline dialect
                              (negative: none) */
    /* INSERT on a dialect with RETURNING: " RETURNING [pk, ]columns" (pk first when
     * returning_pk; the columns whose bit is set in returning, field order). */
    bool returning_pk;
    uint64_t returning;
} rls_stmt;

/* How an engine spells what differs between engines. */
typedef struct rl_dialect {
    const char *name;
    char placeholder;                /* '?' (?1, ?2...) or '$' ($1, $2...) */
    const char *rowid;               /* the row-id column of a table with an integer primary key */
    const char *false_, *true_;      /* literals for an empty OR / AND group */
    bool set_default;                /* UPDATE ... SET col = DEFAULT is understood */
    const char *begin;               /* the statement that opens a writing transaction */
    bool tx_kept;                    /* BEGIN, COMMIT, SAVEPOINT and RELEASE may be prepared
                                        once and kept by the connection (rli_exec_tx) */
    bool savepoint_anywhere;         /* SAVEPOINT also opens a transaction (outside one) */
    bool returning;                  /* INSERT ... RETURNING gives the generated key and defaults */
    rl_value no_limit;               /* the LIMIT value that means none: -1, or NULL */
    bool limit_inline;               /* LIMIT and OFFSET as numbers, not parameters (a planner
                                        that plans a prepared statement once plans a top-N sort
                                        only for a known LIMIT) */
    const char *like;                /* " LIKE " (ASCII case-insensitive on SQLite) or " ILIKE " */
    const char *glob;                /* " GLOB ", or " ~ " with glob_regex */
    const char *not_like, *not_glob; /* their negations: " NOT LIKE ", " !~ "... */
    const char *distinct, *not_distinct; /* " IS NOT " / " IS " or " IS [NOT] DISTINCT FROM " */
    const char *match[4];  /* RL_MATCH, RL_IMATCH, RL_NOT_MATCH, RL_NOT_IMATCH: " ~ "... */
    const char *pg_ops[8]; /* RL_INCLUDES..RL_ADJACENT: " @> "...; NULL: the engine has none */
    const char *search[4]; /* RL_FTS..RL_WFTS: "to_tsquery"...; NULL: none */
    const char *explain;   /* what before a SELECT gives its plan as JSON, or NULL */
    bool glob_regex;       /* a GLOB pattern is bound as rli_glob_regex(pattern) */
    const char *cast_as[RLS_KINDS]; /* the type an aggregate's argument is cast to, by kind:
                                       integer, real, numeric, text (NULL: none) */
    bool json_path_text; /* a JSON path is one text read by json_extract ('$."a"[0]'), else
                            the -> and ->> operators on the column as jsonb */
    /* A column of each rl_kind as SELECT and RETURNING read it: written between read_open and
     * read_close (NULL: the column itself), e.g. ISO 8601 timestamps, arrays as JSON. */
    const char *read_open[RLS_KINDS], *read_close[RLS_KINDS];
    /* an RL_KIND_ARRAY value is bound as the text of a JSON array and made the column's type
     * through the table's own row type (json_populate_record) */
    bool array_from_json;
    /* an RL_KIND_JSON column and its operand compared for (in)equality through this cast
     * (PostgreSQL's json has no = of its own: "::jsonb"); NULL: compared as they are */
    const char *json_equal_cast;
    const char *json_equal_fn; /* or the function that writes a JSON document one way ("json") */
    /* an INSERT through an automatically updatable view gives the columns it leaves out the
     * defaults of the table under the view (PostgreSQL) */
    bool view_takes_table_defaults;
    /* DDL (sql/ddl.c) */
    const char *types[RLS_KINDS]; /* the column type of each rl_kind (RL_KIND_AUTO unused) */
    const char *pk_integer;       /* an integer primary key that the engine generates */
    const char *autoinc;          /* appended for AUTOINCREMENT ("" when keys are never reused) */
    const char *table_end;        /* closes CREATE TABLE ("\n) STRICT;\n") */
    bool bool_check;              /* booleans are integers: CHECK (x IN (0, 1)) */
    bool forward_references;      /* REFERENCES may name a table created later */
    const char *defer_keys;       /* checks every key at COMMIT for the rest of the transaction,
                                     or NULL (keys are then added after the rows they check) */
    /* A set of integer keys bound as one parameter: "x<open>?<close>", the value written as
     * key_set_array's brackets around comma-separated numbers ("[1,2]" / "{1,2}"). */
    const char *key_set_open, *key_set_close;
    const char *key_set_close_any; /* ... of a column that is not an integer */
    const char *key_set_array;
    /* a set of composite keys: objects by column name read through the table's row type
     * (json_populate_recordset), else arrays read with json_each and json_extract */
    bool key_rows_records;
} rl_dialect;

/* The GLOB pattern g as an anchored POSIX regular expression (for a dialect whose glob is
 * " ~ "), malloc'd; NULL when out of memory. */
char *rli_glob_regex(const char *g);

extern const rl_dialect rli_dialect_sqlite;
extern const rl_dialect rli_dialect_postgres;

/* The rows of child (alias c) whose key from[0..n-1] has no parent row (alias p) in parent
 * with to[i] = from[i] (every key column set, NOT EXISTS the parent row), appended to b as
 * "SELECT <select> FROM child AS c WHERE ... [LIMIT limit]": select is the caller's select
 * list over c (engines word values differently); parent NULL (a parent table that does not
 * exist): every row with its key set.  limit <= 0: no limit.  Names quoted.  Every engine's
 * orphan query (migrations, rl_check) is this one. */
void rli_render_orphans(strbuf *b, const char *select, const char *child, const char *const *from,
                        const char *parent, const char *const *to, size_t n, int64_t limit);

/* "SELECT count(*) FROM [schema.]table[ WHERE column<cond>]" appended to b, names quoted
 * (schema may be NULL; cond, e.g. " IS NULL", is reflite's own text). */
void rli_render_count(strbuf *b, const char *schema, const char *table, const char *column,
                      const char *cond);

/* Render s into out (appended); out->oom tells of a failed allocation. */
void rli_render(const rl_dialect *d, const rls_stmt *s, strbuf *out);

/* Every column of a model (all bits of n fields). */
static inline uint64_t rls_all(size_t n)
{
    return n >= 64 ? ~0ULL : (1ULL << n) - 1;
}

#endif

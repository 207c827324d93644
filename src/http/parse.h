/*
 * The parse stage of the server: a request (method, relation, query string, headers, body)
 * becomes a request value or an error value, in PostgREST's conventions and with its error
 * codes and texts.  Nothing here does I/O, answers a request or sees a database: what the
 * names mean (is there such a column, such a relation) is the plan stage's question.
 *
 *   select=a,b:c,d::text,e->f->>g,h.sum(),count(),rel(*),al:rel!hint!inner(x),...rel(y)
 *   col=op.value   eq neq gt gte lt lte like ilike match imatch in is isdistinct
 *                  fts plfts phfts wfts (with "(config)"), cs cd ov sl sr nxr nxl adj,
 *                  "not." before any, "(any)" / "(all)" after eq..imatch
 *   or=(...) and=(...) not.or=(...), nested; rel.col=..., rel.or=(...) for embedded rows
 *   order=a.desc.nullslast,rel(col).asc   limit= offset= rel.limit= rel.order=
 *   columns= on_conflict=   Range / Prefer / Accept / Content-Type headers
 *
 * The grammar is PostgREST's, case for case, including its leniencies (text after a complete
 * select=, order=, or=() or filter key is ignored, as it is there); its syntax errors carry
 * the same message (the parameter, the line and column) and the same details ("unexpected
 * ... expecting ...").  Everything the value points to is owned by it: rlh_req_free frees
 * all at once.
 */
#ifndef REFLITE_HTTP_PARSE_H
#define REFLITE_HTTP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Nesting of select= embeds and of or/and groups: deeper is refused (400 PGRST100). */
enum { RLH_PARSE_MAX_DEPTH = 32 };

/* ---- what goes in ---------------------------------------------------------------------- */

typedef struct rlh_header {
    const char *name, *value; /* a header may appear several times, in order */
} rlh_header;

/* Blocks of memory kept from one request to the next (blocks.c): where a request value and
 * a plan take their first block; NULL: malloc. */
typedef struct rlh_blocks rlh_blocks;
rlh_blocks *rlh_blocks_new(void);
void rlh_blocks_free(rlh_blocks *b);

typedef struct rlh_parse_in {
    rlh_blocks *blocks;   /* where the value's memory comes from (NULL: malloc) */
    const char *method;   /* "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS" */
    const char *relation; /* the path's relation, NULL for the API's root */
    const char *query;    /* the raw query string, without '?' (NULL: none) */
    size_t query_len;
    const rlh_header *headers;
    size_t nheaders;
    const void *body; /* copied into the value */
    size_t body_len;
} rlh_parse_in;

/* ---- the error value ------------------------------------------------------------------- */

typedef struct rlh_perror {
    int status;           /* 400, 404, 405, 406, 416; 409, 500, 503 for the database's */
    const char *code;     /* PostgREST's: "PGRST100" (query string), "PGRST103" (range), ... */
    const char *message;  /* PostgREST's message */
    const char *details;  /* PostgREST's details, or NULL */
    const char *hint;     /* PostgREST's hint, or NULL */
    const char *sentence; /* reflite's sentence: what was wrong and what to write instead */
    const char *own_code; /* reflite's code for it (RL_E...), or NULL: told by code */
    const char *allow;    /* a 405's header Allow: the methods the resource takes, or NULL */
} rlh_perror;

/* ---- the request value ----------------------------------------------------------------- */

typedef enum rlh_method {
    RLH_GET,
    RLH_HEAD,
    RLH_POST,
    RLH_PUT,
    RLH_PATCH,
    RLH_DELETE,
    RLH_OPTIONS
} rlh_method;

/* Names of embedded relations leading to where a filter, order or range applies (none: the
 * relation of the request). */
typedef struct rlh_path {
    const char *const *names;
    size_t n;
} rlh_path;

/* One step of a JSON path: ->key, ->>key, ->2, ->>-1. */
typedef struct rlh_jstep {
    const char *key; /* the key, or the index in decimal ("2", "-1") */
    bool text;       /* ->> (the value as text) rather than -> */
    bool index;      /* an array index rather than a key */
} rlh_jstep;

/* A column and its JSON path. */
typedef struct rlh_col {
    const char *name; /* "*" for every column */
    const rlh_jstep *json;
    size_t njson;
} rlh_col;

typedef enum rlh_sel_kind {
    RLH_SEL_COLUMN, /* a column, *, or an aggregate */
    RLH_SEL_EMBED,  /* rel(...): related rows as a member */
    RLH_SEL_SPREAD  /* ...rel(...): the related row's columns among the row's own */
} rlh_sel_kind;

typedef enum rlh_agg {
    RLH_AGG_NONE,
    RLH_AGG_SUM,
    RLH_AGG_AVG,
    RLH_AGG_COUNT, /* count() (col "*") or col.count() */
    RLH_AGG_MAX,
    RLH_AGG_MIN
} rlh_agg;

typedef enum rlh_join { RLH_JOIN_DEFAULT, RLH_JOIN_LEFT, RLH_JOIN_INNER } rlh_join;

/* An item of select=, and the items of an embed (a tree). */
typedef struct rlh_sel {
    rlh_sel_kind kind;
    const char *alias; /* alias:..., or NULL (a spread has none) */
    /* RLH_SEL_COLUMN */
    rlh_col col;
    const char *cast; /* col::type, or NULL */
    rlh_agg agg;
    const char *agg_cast; /* col.sum()::type, or NULL */
    /* RLH_SEL_EMBED, RLH_SEL_SPREAD */
    const char *relation;
    const char *hint; /* rel!hint(...): a foreign key, a column or a link table; or NULL */
    rlh_join join;
    const struct rlh_sel *items; /* what rel(...) selects (none: rel()) */
    size_t nitems;
} rlh_sel;

typedef enum rlh_op {
    RLH_OP_EQ,
    RLH_OP_NEQ,
    RLH_OP_GT,
    RLH_OP_GTE,
    RLH_OP_LT,
    RLH_OP_LTE,
    RLH_OP_LIKE,
    RLH_OP_ILIKE,
    RLH_OP_MATCH,
    RLH_OP_IMATCH,
    RLH_OP_IN,
    RLH_OP_IS,
    RLH_OP_ISDISTINCT,
    RLH_OP_FTS,
    RLH_OP_PLFTS,
    RLH_OP_PHFTS,
    RLH_OP_WFTS,
    RLH_OP_CS,
    RLH_OP_CD,
    RLH_OP_OV,
    RLH_OP_SL,
    RLH_OP_SR,
    RLH_OP_NXR,
    RLH_OP_NXL,
    RLH_OP_ADJ
} rlh_op;

typedef enum rlh_quant { RLH_QUANT_NONE, RLH_QUANT_ANY, RLH_QUANT_ALL } rlh_quant;

typedef enum rlh_is {
    RLH_IS_NULL,
    RLH_IS_NOT_NULL,
    RLH_IS_TRUE,
    RLH_IS_FALSE,
    RLH_IS_UNKNOWN
} rlh_is;

/* One condition: col op value. */
typedef struct rlh_cond {
    rlh_col col;
    bool negated; /* not. */
    rlh_op op;
    rlh_quant quant;         /* eq..imatch: (any) or (all); the value is then a {a,b} list */
    const char *value;       /* the operand of every operator but in and is */
    const char *lang;        /* fts..wfts: the (config), or NULL */
    rlh_is is;               /* is */
    const char *const *list; /* in: the values; none for in.() */
    size_t nlist;
} rlh_cond;

typedef struct rlh_filter {
    rlh_path path;
    rlh_cond cond;
} rlh_filter;

/* An or=/and= tree: a condition, or a group of trees. */
typedef struct rlh_logic {
    bool leaf;
    rlh_cond cond;                /* leaf */
    bool negated, any;            /* group: not., or (any) rather than and */
    const struct rlh_logic *kids; /* group */
    size_t nkids;
} rlh_logic;

typedef struct rlh_logic_param {
    rlh_path path;
    rlh_logic tree;
} rlh_logic_param;

typedef enum rlh_dir { RLH_DIR_DEFAULT, RLH_DIR_ASC, RLH_DIR_DESC } rlh_dir;
typedef enum rlh_nulls { RLH_NULLS_DEFAULT, RLH_NULLS_FIRST, RLH_NULLS_LAST } rlh_nulls;

typedef struct rlh_order_term {
    const char *relation; /* rel(col): ordered by a column of the embedded rel; else NULL */
    rlh_col col;
    rlh_dir dir;
    rlh_nulls nulls;
} rlh_order_term;

typedef struct rlh_order {
    rlh_path path;
    const rlh_order_term *terms;
    size_t nterms;
} rlh_order;

/* Rows first..first+count-1 of the rows asked for (bounded false: from first on).  Of the
 * request's own rows, count 0 is limit=0; of an embedded relation's rows, as limit= and
 * offset= said them (the count may be 0 or less, the first row below 0: PostgREST takes
 * them as they are there). */
typedef struct rlh_range {
    rlh_path path;
    int64_t first;
    int64_t count;
    bool bounded;
} rlh_range;

typedef enum rlh_media {
    RLH_MEDIA_JSON,           /* application/json */
    RLH_MEDIA_SINGULAR,       /* application/vnd.pgrst.object+json: one object */
    RLH_MEDIA_CSV,            /* text/csv */
    RLH_MEDIA_ARRAY_STRIPPED, /* application/vnd.pgrst.array+json;nulls=stripped */
    RLH_MEDIA_ANY,            /* star/star */
    RLH_MEDIA_GEOJSON,
    RLH_MEDIA_TEXT,
    RLH_MEDIA_XML,
    RLH_MEDIA_OPENAPI,
    RLH_MEDIA_URLENCODED,
    RLH_MEDIA_OCTET,
    RLH_MEDIA_PLAN,
    RLH_MEDIA_OTHER
} rlh_media;

typedef enum rlh_pref_return {
    RLH_RETURN_DEFAULT,
    RLH_RETURN_REPRESENTATION,
    RLH_RETURN_MINIMAL,
    RLH_RETURN_HEADERS_ONLY
} rlh_pref_return;
typedef enum rlh_pref_count {
    RLH_COUNT_NONE,
    RLH_COUNT_EXACT,
    RLH_COUNT_PLANNED,
    RLH_COUNT_ESTIMATED
} rlh_pref_count;
typedef enum rlh_pref_resolution {
    RLH_RESOLUTION_NONE,
    RLH_RESOLUTION_MERGE,
    RLH_RESOLUTION_IGNORE
} rlh_pref_resolution;
typedef enum rlh_pref_missing {
    RLH_MISSING_NONE,
    RLH_MISSING_DEFAULT,
    RLH_MISSING_NULL
} rlh_pref_missing;
typedef enum rlh_pref_handling {
    RLH_HANDLING_NONE,
    RLH_HANDLING_STRICT,
    RLH_HANDLING_LENIENT
} rlh_pref_handling;
typedef enum rlh_pref_tx { RLH_TX_NONE, RLH_TX_COMMIT, RLH_TX_ROLLBACK } rlh_pref_tx;

/* The Prefer header, every line of it: of each preference the first one given counts. */
typedef struct rlh_preferences {
    rlh_pref_return ret;
    rlh_pref_count count;
    rlh_pref_resolution resolution;
    rlh_pref_missing missing;
    rlh_pref_handling handling;
    rlh_pref_tx tx;
    const char *timezone; /* timezone=..., or NULL */
    bool unfiltered;      /* reflite's unfiltered=allow: a PATCH or DELETE may reach every row */
    bool has_max_affected;
    int64_t max_affected;
    const char *const *unknown; /* the preferences not understood (an error with handling=strict) */
    size_t nunknown;
} rlh_preferences;

typedef struct rlh_req {
    const rlh_perror *error; /* not NULL: the request is this error, and nothing below is set */
    rlh_method method;
    const char *relation;
    const rlh_sel *select; /* no select=: one item, *; select= (empty): none */
    size_t nselect;
    const rlh_filter *filters;
    size_t nfilters;
    const rlh_logic_param *logic;
    size_t nlogic;
    const rlh_order *orders;
    size_t norders;
    rlh_range range;         /* of the request's own rows: limit/offset and Range together */
    const rlh_range *ranges; /* of embedded relations' rows (rel.limit=, rel.offset=) */
    size_t nranges;
    const char *const *columns; /* columns=, or NULL */
    size_t ncolumns;
    const char *const *on_conflict; /* on_conflict=, or NULL */
    size_t non_conflict;
    rlh_preferences prefer;
    rlh_media accept;         /* JSON, SINGULAR, CSV or ARRAY_STRIPPED (OPENAPI for the root) */
    bool nulls_stripped;      /* ...;nulls=stripped */
    const char *content_type; /* the Content-Type header as sent, or NULL */
    const char *profile;      /* the schema Accept-Profile (a read) or Content-Profile (a
                                 write) names, or NULL */
    rlh_media content;        /* what it names (JSON when there is none) */
    const char *body;         /* the body's bytes (NUL-terminated for convenience) */
    size_t body_len;
} rlh_req;

/* The request value of in, or its error value (->error); NULL only when out of memory. */
rlh_req *rlh_parse(const rlh_parse_in *in);
/* Add to r (a request without error) the filter column=eq.value (value NULL: none) and, when
 * ordered, order=column: what a path /table/KEY and reflite's order by key say, without
 * writing them as text to read them again.  False when out of memory. */
bool rlh_req_add_key(rlh_req *r, const char *column, const char *value, bool ordered);
/* The value of the key rlh_req_add_key gave r, now value (a read of /table/ID whose value
 * and plan are kept for the next id): the caller keeps value alive while r is used. */
void rlh_req_set_key(rlh_req *r, const char *value);
void rlh_req_free(rlh_req *r);

#endif

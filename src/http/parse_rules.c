/*
 * The rules of the query string's grammar, each a function of the engine in parse_gram.c:
 * select= (a tree of columns and embeds), a filter's key (a tree path) and value (an
 * operator expression), or=/and= trees, order= and the lists of columns= and on_conflict=.
 *
 * Each follows PostgREST's parser of the same shape, alternative for alternative, so that it
 * accepts the same texts and fails at the same place with the same expectations.  Where that
 * parser stops at a complete item and ignores the rest ("select=id)", "and=(...))",
 * "id=is.nullx"), so does this one.
 */
#include "parse_int.h"

#include <string.h>

#define OK       RLH_G_OK
#define EMPTY    RLH_G_EMPTY
#define CONSUMED RLH_G_CONSUMED

/* A rule that consumed input before failing empty failed after consuming. */
static int since(const rlh_gram *g, size_t start, int r)
{
    return r == EMPTY && g->pos != start ? CONSUMED : r;
}

static int oom(rlh_gram *g)
{
    return rlh_g_fatal(g, "out of memory");
}

/* lexeme (char c): spaces, c, spaces. */
static int lex_char(rlh_gram *g, const char *c)
{
    size_t start = g->pos;
    rlh_g_ws(g);
    int r = rlh_g_char(g, c);
    if (r == OK) rlh_g_ws(g);
    return since(g, start, r);
}

/* try (a *> pDelimiter): a literal then '.'. */
static int try_dotted(rlh_gram *g, const char *s)
{
    rlh_gmark m;
    rlh_g_mark(g, &m);
    int r = rlh_g_string(g, s);
    if (r == OK) r = since(g, m.pos, rlh_g_delim(g));
    return rlh_g_tried(g, &m, r);
}

/* The first of the literals (each tried) that is next: its index in *which. */
static int one_of(rlh_gram *g, const char *const *lits, size_t n, size_t *which)
{
    int r = EMPTY;
    for (size_t i = 0; i < n && r == EMPTY; i++)
        if ((r = rlh_g_try_string(g, lits[i])) == OK) *which = i;
    return r;
}

/* ---- select= --------------------------------------------------------------------------- */

static int forest(rlh_gram *g, rlh_vec *items);

/* optionMaybe (try (pFieldName <* aliasSeparator)): "alias:" but not "name::". */
static int alias_opt(rlh_gram *g, const char **alias)
{
    rlh_gmark m;
    rlh_g_mark(g, &m);
    int r = rlh_g_field_name(g, alias);
    if (r == OK) r = since(g, m.pos, rlh_g_char(g, ":"));
    if (r == OK) r = since(g, m.pos, rlh_g_not_char(g, ":"));
    r = rlh_g_tried(g, &m, r);
    if (r != OK) *alias = NULL;
    return r == EMPTY ? OK : r;
}

/* Up to two of !hint, !inner, !left: the first hint and the first join count. */
static int embed_params(rlh_gram *g, rlh_sel *s)
{
    static const char *const joins[] = {"left", "inner"};
    for (int k = 0; k < 2; k++) {
        size_t start = g->pos, which;
        int r = rlh_g_char(g, "!");
        if (r == EMPTY) return OK;
        if (r != OK) return r;
        const char *hint = NULL;
        r = one_of(g, joins, 2, &which);
        if (r == OK && s->join == RLH_JOIN_DEFAULT)
            s->join = which ? RLH_JOIN_INNER : RLH_JOIN_LEFT;
        if (r == EMPTY) {
            rlh_gmark m;
            rlh_g_mark(g, &m);
            r = rlh_g_tried(g, &m, rlh_g_field_name(g, &hint));
            if (r == OK && !s->hint) s->hint = hint;
        }
        if (r != OK) return since(g, start, r);
    }
    return OK;
}

/* The head of an embed, up to its '(' (kept): [alias:]rel[!..] or ...rel[!..]. */
static int embed_head(rlh_gram *g, rlh_sel *s, bool spread)
{
    size_t start = g->pos;
    rlh_g_ws(g);
    int r = OK;
    if (spread) {
        r = rlh_g_string(g, "...");
        s->kind = RLH_SEL_SPREAD;
    } else {
        r = alias_opt(g, &s->alias);
        s->kind = RLH_SEL_EMBED;
    }
    if (r == OK) r = rlh_g_field_name(g, &s->relation);
    if (r == OK && !spread && strcmp(s->relation, "count") == 0) r = EMPTY; /* count() */
    if (r == OK) r = embed_params(g, s);
    if (r == OK) r = rlh_g_ahead(g, "(");
    if (r == OK) rlh_g_ws(g);
    return since(g, start, r);
}

/* try (string "*" / ")" / ",") ahead, or the end: what may follow an item. */
static int item_end(rlh_gram *g)
{
    int r = rlh_g_ahead(g, ")");
    if (r == EMPTY) r = rlh_g_ahead(g, ",");
    if (r == EMPTY) r = rlh_g_eof(g);
    return r;
}

/* optionMaybe (string "::" *> pIdentifier) */
static int cast_opt(rlh_gram *g, const char **cast)
{
    size_t start = g->pos;
    int r = rlh_g_string(g, "::");
    if (r == EMPTY) return OK;
    if (r == OK) r = since(g, start, rlh_g_identifier(g, cast));
    return r;
}

/* optionMaybe (try (char '.' *> aggregate <* string "()")) */
static int agg_opt(rlh_gram *g, rlh_agg *agg)
{
    static const char *const names[] = {"sum", "avg", "count", "max", "min"};
    rlh_gmark m;
    rlh_g_mark(g, &m);
    int r = rlh_g_char(g, ".");
    size_t i = 0;
    if (r == OK) {
        r = EMPTY;
        for (i = 0; i < 5 && r == EMPTY; i++)
            r = i < 3 ? rlh_g_string(g, names[i]) : rlh_g_try_string(g, names[i]);
        i--;
        if (r == OK) r = rlh_g_string(g, "()");
        r = since(g, m.pos, r);
    }
    r = rlh_g_tried(g, &m, r);
    if (r == OK) *agg = (rlh_agg)(RLH_AGG_SUM + i);
    return r == EMPTY ? OK : r;
}

/* A column item: *, [alias:]count()[::cast], or [alias:]field[::cast][.agg()[::cast]]. */
static int field_item(rlh_gram *g, rlh_sel *s)
{
    size_t start = g->pos;
    rlh_gmark m;
    s->kind = RLH_SEL_COLUMN;
    rlh_g_ws(g);
    rlh_g_mark(g, &m);
    int r = rlh_g_string(g, "*");
    if (r == OK) r = since(g, m.pos, item_end(g));
    r = rlh_g_tried(g, &m, r);
    if (r == OK) {
        s->col.name = "*";
    } else if (r == EMPTY) {
        rlh_g_mark(g, &m);
        r = alias_opt(g, &s->alias);
        if (r == OK) r = rlh_g_string(g, "count()");
        if (r == OK) r = cast_opt(g, &s->agg_cast);
        if (r == OK) r = item_end(g);
        r = rlh_g_tried(g, &m, since(g, m.pos, r));
        if (r == OK) {
            s->col.name = "*";
            s->agg = RLH_AGG_COUNT;
        }
    }
    if (r == EMPTY) {
        s->agg_cast = NULL;
        size_t from = g->pos;
        r = alias_opt(g, &s->alias);
        if (r == OK) r = rlh_g_field(g, &s->col);
        if (r == OK) r = cast_opt(g, &s->cast);
        if (r == OK) r = agg_opt(g, &s->agg);
        if (r == OK) r = cast_opt(g, &s->agg_cast);
        if (r == OK) r = item_end(g);
        r = since(g, from, r);
    }
    if (r == OK) rlh_g_ws(g);
    return since(g, start, r);
}

/* An item: ...rel(items), [alias:]rel[!hint](items), or a column item. */
static int tree(rlh_gram *g, rlh_sel *s)
{
    rlh_gmark m;
    int r = EMPTY;
    for (int spread = 1; spread >= 0 && r == EMPTY; spread--) {
        *s = (rlh_sel){0};
        rlh_g_mark(g, &m);
        r = rlh_g_tried(g, &m, embed_head(g, s, spread));
    }
    if (r == EMPTY) {
        *s = (rlh_sel){0};
        return field_item(g, s);
    }
    if (r != OK) return r;
    if (rlh_g_char(g, "(") != OK || !rlh_g_enter(g)) return CONSUMED;
    rlh_vec items = {0};
    r = forest(g, &items);
    g->depth--;
    if (r == OK && rlh_g_char(g, ")") != OK) r = CONSUMED;
    s->items = items.items;
    s->nitems = items.n;
    return r == OK ? OK : CONSUMED;
}

/* pFieldTree `sepBy` lexeme (char ','): none when the first item is not one. */
static int forest(rlh_gram *g, rlh_vec *items)
{
    rlh_sel s;
    int r = tree(g, &s);
    if (r == EMPTY) return OK;
    for (;;) {
        if (r != OK) return CONSUMED;
        if (!rlh_vec_push(g->a, items, &s, sizeof s)) return oom(g);
        r = lex_char(g, ",");
        if (r == EMPTY) return OK;
        if (r != OK) return r;
        r = tree(g, &s);
    }
}

int rlh_g_select(rlh_gram *g, const rlh_sel **items, size_t *n)
{
    rlh_vec v = {0};
    int r = forest(g, &v);
    *items = v.items;
    *n = v.n;
    return r;
}

/* ---- filters --------------------------------------------------------------------------- */

/* pFieldName `sepBy1` pDelimiter */
static int dotted_names(rlh_gram *g, rlh_vec *names)
{
    const char *name;
    int r = rlh_g_field_name(g, &name);
    if (r != OK) return r;
    for (;;) {
        if (!rlh_vec_push(g->a, names, &name, sizeof name)) return oom(g);
        r = rlh_g_delim(g);
        if (r == EMPTY) return OK;
        if (r != OK || rlh_g_field_name(g, &name) != OK) return CONSUMED;
    }
}

int rlh_g_tree_path(rlh_gram *g, rlh_path *path, rlh_col *col)
{
    rlh_vec names = {0};
    int r = dotted_names(g, &names);
    if (r == OK) r = rlh_g_json_path(g, col);
    if (r != OK) return r;
    path->names = names.items;
    path->n = names.n - 1;
    col->name = ((const char **)names.items)[names.n - 1];
    return OK;
}

/* The rest of the input, as it is (pSingleVal). */
static int single_value(rlh_gram *g, const char **v)
{
    *v = rlh_g_text(g, g->pos, g->n, false);
    if (!*v) return CONSUMED;
    if (g->pos < g->n) rlh_g_advance(g, g->n - g->pos);
    rlh_g_miss(g, NULL, NULL);
    return OK;
}

/* many (noneOf set): the text up to a character of set or the end. */
static int none_of(rlh_gram *g, const char *set, const char **v)
{
    size_t start = g->pos;
    while (g->pos < g->n && !(g->s[g->pos] && strchr(set, g->s[g->pos])))
        rlh_g_advance(g, 1);
    rlh_g_miss(g, NULL, NULL);
    return (*v = rlh_g_text(g, start, g->pos, false)) ? OK : CONSUMED;
}

/* try (pQuotedValue <* notFollowedBy (noneOf ",)")) */
static int quoted_item(rlh_gram *g, const char **v)
{
    rlh_gmark m;
    rlh_g_mark(g, &m);
    int r = rlh_g_quoted(g, v);
    if (r == OK) r = since(g, m.pos, rlh_g_not_noneof(g, ",)"));
    return rlh_g_tried(g, &m, r);
}

/* A value inside or=/and=: quoted, a {..} array (braces kept), or up to ',' or ')'. */
static int logic_value(rlh_gram *g, const char **v)
{
    int r = quoted_item(g, v);
    if (r != EMPTY) return r;
    rlh_gmark m;
    rlh_g_mark(g, &m);
    size_t start = g->pos;
    r = rlh_g_string(g, "{");
    if (r == OK) {
        while (g->pos < g->n && g->s[g->pos] != '{' && g->s[g->pos] != '}')
            rlh_g_advance(g, 1);
        rlh_g_miss(g, NULL, NULL);
        r = since(g, start, rlh_g_string(g, "}"));
        if (r == OK && !(*v = rlh_g_text(g, start, g->pos, false))) r = CONSUMED;
    }
    r = rlh_g_tried(g, &m, r);
    return r == EMPTY ? none_of(g, ",)", v) : r;
}

/* (a,b,"c") for in: spaces around the parentheses are skipped, not around the values. */
static int list_value(rlh_gram *g, rlh_cond *c)
{
    size_t start = g->pos;
    int r = lex_char(g, "(");
    if (r != OK) return r;
    rlh_vec v = {0};
    for (;;) {
        const char *item;
        r = quoted_item(g, &item);
        if (r == EMPTY) r = none_of(g, ",)", &item);
        if (r != OK) return CONSUMED;
        if (!rlh_vec_push(g->a, &v, &item, sizeof item)) return oom(g);
        if (rlh_g_char(g, ",") != OK) break;
    }
    if (lex_char(g, ")") != OK) return since(g, start, EMPTY);
    c->list = v.items;
    c->nlist = v.n;
    if (v.n == 1 && !((const char **)v.items)[0][0]) c->nlist = 0; /* in.() is the empty set */
    return OK;
}

/* null, not_null, true, false or unknown, in any case. */
static int is_value(rlh_gram *g, rlh_is *is)
{
    static const char *const words[] = {"null", "not_null", "true", "false", "unknown"};
    static const char lower[] = "a\0b\0c\0d\0e\0f\0g\0h\0i\0j\0k\0l\0m\0n\0o\0p\0q\0r\0s\0t\0u\0"
                                "v\0w\0x\0y\0z\0_";
    static const char upper[] = "A\0B\0C\0D\0E\0F\0G\0H\0I\0J\0K\0L\0M\0N\0O\0P\0Q\0R\0S\0T\0U\0"
                                "V\0W\0X\0Y\0Z\0_";
    rlh_gmark label, m;
    rlh_g_label_mark(g, &label);
    int r = EMPTY;
    for (size_t w = 0; w < 5 && r == EMPTY; w++) {
        rlh_g_mark(g, &m);
        r = OK;
        for (const char *c = words[w]; *c && r == OK; c++) {
            size_t len, i = *c == '_' ? 26 : (size_t)(*c - 'a');
            long next = rlh_g_peek(g, &len);
            if (next == *c || (next == *c - 32 && *c != '_'))
                rlh_g_advance(g, 1);
            else
                r = since(g, m.pos, rlh_g_miss(g, lower + 2 * i, upper + 2 * i));
        }
        r = rlh_g_tried(g, &m, r);
        if (r == OK) *is = (rlh_is)w;
    }
    return rlh_g_labeled(g, &label, r, "isVal: (null, not_null, true, false, unknown)");
}

/* The operand of an operator: the rest of a filter's value, or a value inside a group. */
static int operand(rlh_gram *g, bool logic, const char **v)
{
    return logic ? logic_value(g, v) : single_value(g, v);
}

/* fts, plfts, phfts, wfts with an optional (config), then the operand. */
static int fts(rlh_gram *g, rlh_cond *c, bool logic)
{
    static const char *const ops[] = {"fts", "plfts", "phfts", "wfts"};
    size_t start = g->pos, which;
    int r = one_of(g, ops, 4, &which);
    if (r != OK) return r;
    c->op = (rlh_op)(RLH_OP_FTS + which);
    rlh_gmark m;
    rlh_g_mark(g, &m);
    r = rlh_g_char(g, "(");
    if (r == OK) r = since(g, m.pos, rlh_g_identifier(g, &c->lang));
    if (r == OK) r = since(g, m.pos, rlh_g_char(g, ")"));
    if ((r = rlh_g_tried(g, &m, r)) != OK) c->lang = NULL;
    if (r == EMPTY) r = OK;
    if (r == OK) r = rlh_g_delim(g);
    if (r == OK) r = operand(g, logic, &c->value);
    return since(g, start, r);
}

/* An operator of a single value: neq cs cd ov sl sr nxr nxl adj; or eq gte gt lte lt like
 * ilike match imatch (quantified) with an optional (any) / (all). */
static int plain(rlh_gram *g, rlh_cond *c, bool logic, bool quantified)
{
    static const char *const simple[] = {"neq", "cs", "cd", "ov", "sl", "sr", "nxr", "nxl", "adj"};
    static const rlh_op simple_op[] = {RLH_OP_NEQ, RLH_OP_CS,  RLH_OP_CD,  RLH_OP_OV, RLH_OP_SL,
                                       RLH_OP_SR,  RLH_OP_NXR, RLH_OP_NXL, RLH_OP_ADJ};
    static const char *const quant[] = {"eq",   "gte",   "gt",    "lte",   "lt",
                                        "like", "ilike", "match", "imatch"};
    static const rlh_op quant_op[] = {RLH_OP_EQ,    RLH_OP_GTE,   RLH_OP_GT,
                                      RLH_OP_LTE,   RLH_OP_LT,    RLH_OP_LIKE,
                                      RLH_OP_ILIKE, RLH_OP_MATCH, RLH_OP_IMATCH};
    size_t start = g->pos, which = 0;
    rlh_gmark label;
    rlh_g_label_mark(g, &label);
    int r = quantified ? one_of(g, quant, 9, &which) : one_of(g, simple, 9, &which);
    r = rlh_g_labeled(g, &label, r, "unknown single value operator");
    if (r != OK) return r;
    c->op = quantified ? quant_op[which] : simple_op[which];
    if (quantified) {
        static const char *const quants[] = {"any", "all"};
        rlh_gmark m;
        rlh_g_mark(g, &m);
        r = rlh_g_char(g, "(");
        if (r == OK) {
            r = rlh_g_try_string(g, "any");
            which = 0;
            if (r == EMPTY && (r = rlh_g_string(g, quants[1])) == OK) which = 1;
            if (r == OK) r = rlh_g_char(g, ")");
            r = since(g, m.pos, r);
        }
        r = rlh_g_tried(g, &m, r);
        if (r == OK) c->quant = which ? RLH_QUANT_ALL : RLH_QUANT_ANY;
        if (r == EMPTY) r = OK;
    }
    if (r == OK) r = rlh_g_delim(g);
    if (r == OK) r = operand(g, logic, &c->value);
    return since(g, start, r);
}

/* [not.]operator.operand (pOpExpr) */
static int op_expr(rlh_gram *g, rlh_cond *c, bool logic)
{
    size_t start = g->pos;
    c->negated = try_dotted(g, "not") == OK;
    if (g->fatal) return CONSUMED;
    rlh_gmark label, m;
    rlh_g_label_mark(g, &label);
    int r = try_dotted(g, "in");
    if (r == OK) {
        c->op = RLH_OP_IN;
        r = since(g, label.pos, list_value(g, c));
    } else if (r == EMPTY && (r = try_dotted(g, "is")) == OK) {
        c->op = RLH_OP_IS;
        r = since(g, label.pos, is_value(g, &c->is));
    } else if (r == EMPTY && (r = try_dotted(g, "isdistinct")) == OK) {
        c->op = RLH_OP_ISDISTINCT;
        r = since(g, label.pos, operand(g, logic, &c->value));
    }
    for (int k = 0; k < 3 && r == EMPTY; k++) {
        rlh_g_mark(g, &m);
        r = rlh_g_tried(g, &m, k == 0 ? fts(g, c, logic) : plain(g, c, logic, k == 2));
    }
    r = rlh_g_labeled(g, &label, r, "operator (eq, gt, ...)");
    return since(g, start, r);
}

int rlh_g_filter(rlh_gram *g, rlh_cond *c)
{
    return op_expr(g, c, false);
}

/* ---- or=, and= ------------------------------------------------------------------------- */

int rlh_g_logic_path(rlh_gram *g, rlh_path *path, const char **op)
{
    rlh_vec all = {0}, names = {0};
    int r = dotted_names(g, &all);
    if (r != OK) return r;
    /* the last name is the operator; a "not" anywhere negates it and is no embed's name */
    const char *const *n = all.items;
    bool negated = false;
    for (size_t i = 0; i < all.n; i++) {
        negated = negated || strcmp(n[i], "not") == 0;
        if (i + 1 < all.n && strcmp(n[i], "not") != 0 &&
            !rlh_vec_push(g->a, &names, &n[i], sizeof n[i]))
            return oom(g);
    }
    size_t len = strlen(n[all.n - 1]);
    char *text = rlh_arena_alloc(g->a, len + 5);
    if (!text) return oom(g);
    memcpy(text, "not.", negated ? 4 : 0);
    memcpy(text + (negated ? 4 : 0), n[all.n - 1], len);
    *op = text;
    path->names = names.items;
    path->n = names.n;
    return OK;
}

/* A condition col.op.value inside a group (try: else it is a group). */
static int logic_cond(rlh_gram *g, rlh_cond *c)
{
    rlh_gmark m;
    rlh_g_mark(g, &m);
    int r = rlh_g_field(g, &c->col);
    if (r == OK) r = since(g, m.pos, rlh_g_delim(g));
    if (r == OK) r = since(g, m.pos, op_expr(g, c, true));
    return rlh_g_tried(g, &m, r);
}

int rlh_g_logic(rlh_gram *g, rlh_logic *t)
{
    *t = (rlh_logic){.leaf = true};
    int r = logic_cond(g, &t->cond);
    if (r != EMPTY) return r;
    *t = (rlh_logic){0};
    size_t start = g->pos;
    rlh_gmark label;
    rlh_g_label_mark(g, &label);
    r = try_dotted(g, "not");
    t->negated = r == OK;
    r = rlh_g_labeled(g, &label, r == CONSUMED ? r : OK, "negation operator (not)");
    if (r != OK) return r;
    rlh_g_label_mark(g, &label);
    r = rlh_g_try_string(g, "and");
    if (r == EMPTY && (r = rlh_g_string(g, "or")) == OK) t->any = true;
    r = rlh_g_labeled(g, &label, r, "logic operator (and, or)");
    if (r == OK) r = lex_char(g, "(");
    if (r != OK) return since(g, start, r);
    if (!rlh_g_enter(g)) return CONSUMED;
    rlh_vec kids = {0};
    for (;;) {
        rlh_logic kid;
        if (rlh_g_logic(g, &kid) != OK) {
            r = CONSUMED;
            break;
        }
        if (!rlh_vec_push(g->a, &kids, &kid, sizeof kid)) {
            r = oom(g);
            break;
        }
        if ((r = lex_char(g, ",")) == EMPTY) {
            r = lex_char(g, ")");
            break;
        }
        if (r != OK) break;
    }
    g->depth--;
    t->kids = kids.items;
    t->nkids = kids.n;
    return r == OK ? OK : CONSUMED;
}

/* ---- order= ---------------------------------------------------------------------------- */

/* [.asc|.desc][.nullsfirst|.nullslast], then a ',' or the end. */
static int order_tail(rlh_gram *g, rlh_order_term *t)
{
    static const char *const dirs[] = {".asc", ".desc"}, *const nulls[] = {".nullsfirst",
                                                                           ".nullslast"};
    size_t which, start;
    int r = EMPTY;
    for (size_t i = 0; i < 2 && r == EMPTY; i++) {
        rlh_gmark m;
        rlh_g_mark(g, &m);
        r = rlh_g_delim(g);
        if (r == OK) r = since(g, m.pos, rlh_g_string(g, dirs[i] + 1));
        if ((r = rlh_g_tried(g, &m, r)) == OK) t->dir = i ? RLH_DIR_DESC : RLH_DIR_ASC;
    }
    if (r == CONSUMED) return r;
    start = g->pos;
    r = EMPTY;
    for (which = 0; which < 2 && r == EMPTY; which++) {
        rlh_gmark m;
        rlh_g_mark(g, &m);
        r = rlh_g_delim(g);
        if (r == OK) r = since(g, m.pos, rlh_g_string(g, nulls[which] + 1));
        if ((r = rlh_g_tried(g, &m, r)) == OK) t->nulls = which ? RLH_NULLS_LAST : RLH_NULLS_FIRST;
    }
    if (r == CONSUMED) return r;
    r = rlh_g_ahead(g, ",");
    if (r == EMPTY) r = rlh_g_eof(g);
    return since(g, start, r);
}

/* rel(field)[..] (tried) or field[..], between optional spaces. */
static int order_term(rlh_gram *g, rlh_order_term *t)
{
    size_t start = g->pos;
    rlh_g_ws(g);
    rlh_gmark m;
    rlh_g_mark(g, &m);
    *t = (rlh_order_term){0};
    int r = rlh_g_field_name(g, &t->relation);
    if (r == OK) r = since(g, m.pos, rlh_g_char(g, "("));
    if (r == OK) r = since(g, m.pos, rlh_g_field(g, &t->col));
    if (r == OK) r = since(g, m.pos, rlh_g_char(g, ")"));
    if (r == OK) r = since(g, m.pos, order_tail(g, t));
    r = rlh_g_tried(g, &m, r);
    if (r == EMPTY) {
        *t = (rlh_order_term){0};
        r = rlh_g_field(g, &t->col);
        if (r == OK) r = since(g, m.pos, order_tail(g, t));
    }
    if (r == OK) rlh_g_ws(g);
    return since(g, start, r);
}

int rlh_g_order(rlh_gram *g, const rlh_order_term **terms, size_t *n)
{
    rlh_vec v = {0};
    for (;;) {
        rlh_order_term t;
        int r = order_term(g, &t);
        if (r != OK) return v.n ? CONSUMED : r;
        if (!rlh_vec_push(g->a, &v, &t, sizeof t)) return oom(g);
        *terms = v.items;
        *n = v.n;
        if (rlh_g_char(g, ",") != OK) return OK;
    }
}

/* ---- columns=, on_conflict= ------------------------------------------------------------ */

int rlh_g_columns(rlh_gram *g, const char *const **names, size_t *n)
{
    rlh_vec v = {0};
    for (;;) {
        const char *name;
        int r = rlh_g_field_name(g, &name);
        if (r != OK) return v.n ? CONSUMED : r;
        if (!rlh_vec_push(g->a, &v, &name, sizeof name)) return oom(g);
        *names = v.items;
        *n = v.n;
        r = lex_char(g, ",");
        if (r == EMPTY) return OK;
        if (r != OK) return r;
    }
}

/*
 * Read replicas: a connection's sessions on streaming standbys of its primary, the statements
 * that only read sent to one that is current enough, and the positions that make a read see
 * a write (reflite.h says what a caller is promised).
 *
 * A primary's pg_conn holds its replicas (pg_replicas).  Each replica is a pg_conn of its own
 * (standby: set up as the primary's session is, the test profile's schema on its search path,
 * statements unnamed so that nothing is kept on it), made again by rli_pg_ready when lost, as
 * any session.  What routes a statement is conn.c's step: a statement that only reads
 * (rli_pg_reads_only, decided once at prepare) outside a transaction asks rli_pg_reader for a
 * replica; a failure there but a cancel runs it on the primary after all, so a replica never
 * makes a read fail that the primary would answer (a replica that cannot be reached rests for
 * a second).
 *
 * Positions are PostgreSQL's WAL positions (LSNs, "16/B374D848"), 64-bit numbers.  After a
 * statement that may write, once outside a transaction (autocommit, or COMMIT), the primary's
 * insert position is read (pg_current_wal_insert_lsn: at or past the end of the commit record,
 * whatever synchronous_commit says): the connection's last write.  A replica takes a read only
 * when it has replayed that position and the one given to rl_read_after
 * (pg_last_wal_replay_lsn), is in recovery, has a WAL receiver (streaming, as far as the role
 * may see), and lags by at most max_lag_ms; its state is read at most every REFRESH_MS, and when
 * a read needs a position it had not replayed, at most every RECHECK_MS.
 */
#define _GNU_SOURCE /* strdup, strtok_r */
#include "pg_int.h"
#include "core/error.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

enum {
    MAX_REPLICAS = 16,
    DEFAULT_LAG_MS = 10000,
    REFRESH_MS = 100, /* a replica's state is read again after this long */
    RECHECK_MS = 2,   /* ...or this long, when a read needs a newer position than it had */
    RESTING_MS = 1000 /* a replica that failed gets no reads for this long */
};

typedef struct pg_replica {
    pg_conn *c;
    uint64_t replay;       /* the position it had replayed when its state was read */
    bool current;          /* then: in recovery, receiving, and within the lag */
    int64_t read_ms;       /* when its state was read (0: never) */
    int64_t resting_until; /* after a failure, no reads before this */
} pg_replica;

typedef struct pg_replicas {
    pg_replica r[MAX_REPLICAS];
    size_t n, next;
    int max_lag_ms; /* negative: no limit */
    uint64_t wrote; /* the position of the connection's last committed write (0: none) */
    uint64_t after; /* rl_read_after's (UINT64_MAX: a text that is none: the primary) */
    bool dirty;     /* a statement that may write ran since the position was last read */
    bool measuring; /* reading it now (its own statement is no write) */
} pg_replicas;

static const char STATE_SQL[] =
    "SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text, "
    "CASE WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0 "
    "ELSE coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()) * 1000, 0) END, "
    "EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status IS NULL OR status = 'streaming')";

static int64_t now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* "X/Y", each 1 to 8 hex digits, into *out. */
static bool parse_position(const char *s, uint64_t *out)
{
    uint64_t part[2] = {0, 0};
    for (int i = 0; i < 2; i++) {
        int digits = 0;
        for (; *s && *s != '/'; s++, digits++) {
            int d = *s >= '0' && *s <= '9'   ? *s - '0'
                    : *s >= 'a' && *s <= 'f' ? *s - 'a' + 10
                    : *s >= 'A' && *s <= 'F' ? *s - 'A' + 10
                                             : -1;
            if (d < 0 || digits == 8) return false;
            part[i] = part[i] << 4 | (uint64_t)d;
        }
        if (digits == 0 || (i == 0 && *s++ != '/')) return false;
    }
    if (*s) return false;
    *out = part[0] << 32 | part[1];
    return true;
}

int rli_pg_replicas_open(pg_conn *c, const char *list, int max_lag_ms, rl_prepared mode,
                         char *errbuf, size_t errlen)
{
    pg_replicas *rep = calloc(1, sizeof *rep);
    char *text = strdup(list);
    if (!rep || !text) {
        free(rep);
        free(text);
        return rli_open_fail(errbuf, errlen, RL_ENOMEM, "Out of memory opening the replicas.");
    }
    rep->max_lag_ms = max_lag_ms == 0 ? DEFAULT_LAG_MS : max_lag_ms;
    c->rep = rep;
    int code = RL_OK;
    char *save = NULL;
    for (char *url = strtok_r(text, " \t\r\n", &save); url && code == RL_OK;
         url = strtok_r(NULL, " \t\r\n", &save)) {
        char *clean = NULL, *why = NULL;
        rl_prepared ignored = RL_PREPARED_AUTO;
        bool ok = rli_pg_url_prepared(url, &clean, &ignored);
        PQconninfoOption *opts = ok && clean ? PQconninfoParse(clean, &why) : NULL;
        if (rep->n == MAX_REPLICAS)
            code = rli_open_fail(errbuf, errlen, RL_EINVAL, "At most %d replicas are taken.",
                                 MAX_REPLICAS);
        else if (!clean)
            code = rli_open_fail(errbuf, errlen, RL_ENOMEM, "Out of memory opening the replicas.");
        else if (!opts)
            code = rli_open_fail(errbuf, errlen, RL_EINVAL,
                                 "The URL of replica %zu cannot be read: %s", rep->n + 1,
                                 ok ? (why ? why : "out of memory")
                                    : "prepared_statements is none of on, off and auto");
        else if (!(rep->r[rep->n].c = rli_pg_standby_open(c, clean, mode)))
            code = rli_open_fail(errbuf, errlen, RL_ENOMEM, "Out of memory opening the replicas.");
        else
            rep->r[rep->n++].c->trace_ctx = c->trace_ctx;
        PQconninfoFree(opts);
        if (why) PQfreemem(why);
        free(clean);
    }
    free(text);
    if (code == RL_OK && rep->n == 0) {
        free(rep);
        c->rep = NULL;
    }
    return code;
}

void rli_pg_replicas_close(pg_conn *c)
{
    if (!c->rep) return;
    for (size_t i = 0; i < c->rep->n; i++)
        rli_pg_close((rlb_conn *)c->rep->r[i].c);
    free(c->rep);
    c->rep = NULL;
}

/* Read the position of c's last write from the primary; false when it cannot be read now. */
static bool measure(pg_conn *c)
{
    pg_replicas *rep = c->rep;
    if (c->streaming) return false; /* later: the primary is busy */
    rep->measuring = true;
    PGresult *res = NULL;
    uint64_t at;
    if (rli_pg_run(c, "SELECT pg_current_wal_insert_lsn()::text", &res) == RLB_OK && res &&
        PQntuples(res) == 1 && parse_position(PQgetvalue(res, 0, 0), &at)) {
        if (at > rep->wrote) rep->wrote = at;
        rep->dirty = false;
    }
    PQclear(res);
    rep->measuring = false;
    return !rep->dirty;
}

/* Read replica r's state: whether it may take reads, and up to where it has replayed. */
static void read_state(const pg_replicas *rep, pg_replica *r, int64_t now)
{
    r->read_ms = now;
    r->current = false;
    PGresult *res = NULL;
    if (rli_pg_run(r->c, STATE_SQL, &res) != RLB_OK || !res || PQntuples(res) != 1) {
        PQclear(res);
        r->resting_until = now + RESTING_MS;
        return;
    }
    uint64_t replay = 0;
    bool known = !PQgetisnull(res, 0, 1) && parse_position(PQgetvalue(res, 0, 1), &replay);
    double lag = strtod(PQgetvalue(res, 0, 2), NULL);
    r->replay = known ? replay : 0;
    r->current = strcmp(PQgetvalue(res, 0, 0), "t") == 0 && known &&
                 strcmp(PQgetvalue(res, 0, 3), "t") == 0 &&
                 (rep->max_lag_ms < 0 || lag <= (double)rep->max_lag_ms);
    PQclear(res);
}

pg_conn *rli_pg_reader(pg_conn *c)
{
    pg_replicas *rep = c->rep;
    if (!rep || rep->measuring || rli_pg_in_transaction(c)) return NULL;
    if (rep->dirty && !measure(c)) return NULL; /* where the last write ended is unknown */
    uint64_t need = rep->wrote > rep->after ? rep->wrote : rep->after;
    int64_t now = now_ms();
    for (size_t k = 0; k < rep->n; k++) {
        size_t i = (rep->next + k) % rep->n;
        pg_replica *r = &rep->r[i];
        if (now < r->resting_until || r->c->streaming || rli_pg_in_transaction(r->c)) continue;
        int64_t age = now - r->read_ms;
        if (age >= REFRESH_MS || (need > r->replay && age >= RECHECK_MS)) read_state(rep, r, now);
        if (!r->current || need > r->replay) continue;
        rep->next = (i + 1) % rep->n;
        return r->c;
    }
    return NULL;
}

size_t rli_pg_replica_count(const pg_conn *c)
{
    return c->rep ? c->rep->n : 0;
}

pg_conn *rli_pg_replica_at(const pg_conn *c, size_t i)
{
    return c->rep && i < c->rep->n ? c->rep->r[i].c : NULL;
}

void rli_pg_reader_failed(pg_conn *c, pg_conn *r)
{
    for (size_t i = 0; c->rep && i < c->rep->n; i++)
        if (c->rep->r[i].c == r) {
            c->rep->r[i].resting_until = now_ms() + RESTING_MS;
            c->rep->r[i].current = false;
        }
}

/* Whether sql's first word is one of words (NULL-terminated). */
static bool first_word_in(const char *sql, const char *const *words)
{
    const char *p = sql;
    char *w = rli_pg_next_word(&p);
    bool in = false;
    for (size_t i = 0; w && words[i] && !in; i++)
        in = strcmp(w, words[i]) == 0;
    free(w);
    return in;
}

/* Whether sql holds word (lower case) as a whole word, in any case, anywhere (in a string
 * too: such a statement is taken for one that may write, the safe side). */
static bool has_word(const char *sql, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = sql; *p; p++) {
        if (p > sql && (isalnum((unsigned char)p[-1]) || p[-1] == '_')) continue;
        if (strncasecmp(p, word, n) == 0 && !isalnum((unsigned char)p[n]) && p[n] != '_')
            return true;
    }
    return false;
}

bool rli_pg_reads_only(const char *sql)
{
    /* what still writes (SELECT INTO, a function that writes) is refused by a replica (a
     * read-only transaction) and runs on the primary after all */
    static const char *const reads[] = {"select", "with", "table", "values", NULL};
    static const char *const writes[] = {"insert", "update", "delete", "merge", NULL};
    if (!first_word_in(sql, reads)) return false;
    for (size_t i = 0; writes[i]; i++)
        if (has_word(sql, writes[i])) return false;
    return true;
}

void rli_pg_after(pg_conn *c, const char *sql, bool read)
{
    pg_replicas *rep = c->rep;
    if (!rep || rep->measuring) return;
    static const char *const no_write[] = {"begin", "start",      "commit",  "end", "rollback",
                                           "abort", "savepoint",  "release", "set", "reset",
                                           "show",  "deallocate", "discard", NULL};
    if (!read && !first_word_in(sql, no_write)) rep->dirty = true;
    if (rep->dirty && !rli_pg_in_transaction(c)) measure(c);
}

int rli_pg_position(rlb_conn *cc, char *buf, size_t len)
{
    pg_conn *c = (pg_conn *)cc;
    if (len < 24) return PG_FAIL;
    buf[0] = '\0';
    if (!c->rep) return RLB_OK;
    if (c->rep->dirty && !rli_pg_in_transaction(c)) measure(c);
    if (c->rep->wrote)
        snprintf(buf, len, "%" PRIX64 "/%" PRIX64, c->rep->wrote >> 32,
                 c->rep->wrote & 0xFFFFFFFFu);
    return RLB_OK;
}

int rli_pg_read_after(rlb_conn *cc, const char *position)
{
    pg_conn *c = (pg_conn *)cc;
    uint64_t at = 0;
    bool ok = !position || !*position || parse_position(position, &at);
    if (c->rep) c->rep->after = ok ? at : UINT64_MAX;
    return ok ? RLB_OK : PG_FAIL;
}

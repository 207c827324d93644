/*
 * The server's connections: the one it was given, then clones up to the thread count (fewer
 * when the database cannot be shared), each with the tables read from it.  A request takes
 * one for as long as it runs (rl_request_db) and gives it back when answered.
 *
 * With a time limit, a watchdog thread looks at the taken connections a few times per limit
 * and stops (rl_interrupt) the statement of one taken for longer: the call running it fails
 * with RL_EINTERRUPTED and the handler answers.  It looks under the pool's lock, and a
 * connection given back is no longer looked at, so a stop never reaches the next request.
 *
 * The tables follow the database's schema: a connection taken compares the schema's version
 * (rl_schema_version) with the one its tables were read at, and reads them again when it
 * moved, before the request sees any of them: a request works with the tables as they were
 * or as they are, never a mix.  Asking costs a statement (a few microseconds on SQLite, a
 * query on PostgreSQL), so a connection asks at most every 50 ms on SQLite and once a second
 * on PostgreSQL, and at once when a request names a table or column its tables do not have,
 * or gives a value its column does not take, or the engine says a name is unknown: the
 * server then answers the request anew with the tables read again (rlh_unknown_name).
 * rl_server_reload makes every connection read them again at its next take.
 */
#include "http_int.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

int rlh_pool_open(rlh_pool *p, rl_db *db, unsigned size, char *err, size_t errlen)
{
    p->opened = true;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->freed, NULL);
    pthread_mutex_init(&p->writing, NULL);
    p->slots = calloc(size, sizeof *p->slots);
    if (!p->slots) {
        snprintf(err, errlen, "Out of memory.");
        return RL_ENOMEM;
    }
    for (size_t i = 0; i < size; i++) {
        rl_db *c = db;
        if (i > 0 && rl_db_clone(db, &c) != RL_OK) {
            if (rl_last_error(db)->code == RL_EMISUSE) break; /* one connection serves */
            snprintf(err, errlen, "Cannot open another connection: %s", rl_errmsg(db));
            return RL_ERROR;
        }
        p->slots[p->nslots++].db = c;
        clock_gettime(CLOCK_MONOTONIC, &p->slots[i].verified);
        if (rl_schema_version(c, &p->slots[i].version) != RL_OK ||
            rl_models_load(c, &p->slots[i].models) != RL_OK) {
            snprintf(err, errlen, "Cannot read the tables: %s", rl_errmsg(c));
            return RL_ERROR;
        }
    }
    /* SQLite has one writer at a time: with several connections, writes wait their turn in
     * the server (in order) rather than in the engine's busy handler (asleep, out of order) */
    p->serial_writes = p->nslots > 1 && strcmp(rl_db_engine(db), "sqlite") == 0;
    p->verify_ms = strcmp(rl_db_engine(db), "sqlite") == 0 ? 50 : 1000;
    return RL_OK;
}

void rlh_pool_close(rlh_pool *p)
{
    if (!p->opened) return;
    rlh_pool_watch_stop(p);
    for (size_t i = 0; i < p->nslots; i++) {
        rlh_keyed_forget(&p->slots[i]);
        rl_models_free(p->slots[i].models);
        if (i > 0) rl_close(p->slots[i].db);
    }
    free(p->slots);
    p->slots = NULL;
    p->nslots = 0;
    pthread_mutex_destroy(&p->lock);
    pthread_mutex_destroy(&p->writing);
    pthread_cond_destroy(&p->freed);
    p->opened = false;
}

rlh_slot *rlh_pool_take(rlh_pool *p)
{
    pthread_mutex_lock(&p->lock);
    rlh_slot *got = NULL;
    while (!got) {
        for (size_t i = 0; i < p->nslots && !got; i++)
            if (!p->slots[i].busy) got = &p->slots[i];
        if (!got) pthread_cond_wait(&p->freed, &p->lock);
    }
    got->busy = true;
    got->stopped = false;
    clock_gettime(CLOCK_MONOTONIC, &got->since);
    pthread_mutex_unlock(&p->lock);
    rlh_pool_refresh(p, got, false);
    return got;
}

int rlh_pool_refresh(rlh_pool *p, rlh_slot *slot, bool force)
{
    unsigned gen = atomic_load(&p->generation);
    struct timespec now = slot->since; /* when the request took it: close enough, no clock read */
    bool due =
        force || gen != slot->generation || rlh_ms_between(&slot->verified, &now) >= p->verify_ms;
    if (!due) return 0;
    int64_t version;
    if (rl_schema_version(slot->db, &version) != RL_OK) return -1;
    slot->verified = now;
    if (version == slot->version && gen == slot->generation) return 0;
    rl_models *fresh;
    if (rl_models_load(slot->db, &fresh) != RL_OK) return -1;
    rlh_keyed_forget(slot);
    rl_models_free(slot->models);
    slot->models = fresh;
    slot->version = version;
    slot->generation = gen;
    return 1;
}

void rlh_pool_give(rlh_pool *p, rlh_slot *slot)
{
    pthread_mutex_lock(&p->lock);
    slot->busy = false;
    pthread_cond_signal(&p->freed);
    pthread_mutex_unlock(&p->lock);
}

double rlh_ms_between(const struct timespec *from, const struct timespec *to)
{
    return (double)(to->tv_sec - from->tv_sec) * 1e3 + (double)(to->tv_nsec - from->tv_nsec) / 1e6;
}

static void *watch(void *arg)
{
    rlh_pool *p = arg;
    unsigned tick_ms = p->limit_ms / 4 ? p->limit_ms / 4 : 1;
    if (tick_ms > 100) tick_ms = 100;
    pthread_mutex_lock(&p->lock);
    while (!p->watch_stop) {
        struct timespec now, until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_nsec += (long)tick_ms * 1000000L;
        until.tv_sec += until.tv_nsec / 1000000000L;
        until.tv_nsec %= 1000000000L;
        pthread_cond_timedwait(&p->watch_wake, &p->lock, &until);
        clock_gettime(CLOCK_MONOTONIC, &now);
        for (size_t i = 0; i < p->nslots; i++) {
            rlh_slot *s = &p->slots[i];
            if (s->busy && !s->stopped && rlh_ms_between(&s->since, &now) > p->limit_ms) {
                s->stopped = true;
                rl_interrupt(s->db);
            }
        }
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

int rlh_pool_watch_start(rlh_pool *p, unsigned limit_ms)
{
    if (!limit_ms || p->watching) return RL_OK;
    p->limit_ms = limit_ms;
    p->watch_stop = false;
    pthread_cond_init(&p->watch_wake, NULL);
    if (pthread_create(&p->watcher, NULL, watch, p) != 0) {
        pthread_cond_destroy(&p->watch_wake);
        return RL_ERROR;
    }
    p->watching = true;
    return RL_OK;
}

void rlh_pool_watch_stop(rlh_pool *p)
{
    if (!p->watching) return;
    pthread_mutex_lock(&p->lock);
    p->watch_stop = true;
    pthread_cond_signal(&p->watch_wake);
    pthread_mutex_unlock(&p->lock);
    pthread_join(p->watcher, NULL);
    pthread_cond_destroy(&p->watch_wake);
    p->watching = false;
}

bool rlh_pool_stopped(const rlh_slot *slot)
{
    return slot && slot->stopped;
}

/*
 * reflite serve: a database as a JSON API over HTTP (libreflite-http's generic API at the
 * root), until SIGINT or SIGTERM, which stop it after the requests in flight.
 */
#include <reflite.h>
#include <reflite/http.h>

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "output.h"

const char *const rlc_serve_usage =
    "usage: reflite serve DB [--host ADDR] [--port N] [--read-only] [--tokens FILE]\n"
    "                     [--cors ORIGINS] [--cors-headers LIST] [--max-body BYTES]\n"
    "                     [--max-rows N] [--threads N]\n"
    "                     [--statement-timeout MS] [--quiet] [--timeout MS]\n"
    "                     [--allow-host NAME]... [--max-connections N]\n"
    "                     [--max-per-address N] [--idle-timeout S] [--no-aggregates]\n"
    "                     [--schema NAME] [--replica URL]... [--replica-max-lag MS]\n"
    "\n"
    "Serves DB (a SQLite file or a PostgreSQL URL) as a JSON API over HTTP, in PostgREST's\n"
    "conventions: GET /TABLE?col=op.value&select=..&order=..&limit=.., GET /TABLE/PK,\n"
    "POST /TABLE (an object or an array), PATCH and DELETE /TABLE?filters or /TABLE/PK.\n"
    "A broken foreign key is a 409 naming the key, its value and the parent table.\n"
    "One line per request is logged on stderr (the query string too, values of arguments named\n"
    "like secrets left out); SIGINT or SIGTERM stops the server after the requests in flight;\n"
    "SIGHUP reads the tables again (a changed schema is also noticed by itself: at once when\n"
    "a request names what changed, else within 50 ms on SQLite, a second on PostgreSQL).\n"
    "Safe on a laptop: the Host header must be localhost, the address listened on or a name\n"
    "of --allow-host (421 otherwise: DNS rebinding); a write needs Content-Type:\n"
    "application/json (415) and, from a browser, an Origin that is the server's own or one\n"
    "of --cors (403).\n"
    "A SQLite file is switched to WAL journal mode, and stays so (PRAGMA journal_mode=DELETE\n"
    "switches it back); --read-only leaves it as it is. On PostgreSQL, serving as a superuser\n"
    "is warned about: such a role can switch foreign keys off.\n"
    "  --host ADDR            the address to listen on (default 127.0.0.1)\n"
    "  --port N               the port (default 8080; 0: any free port, printed)\n"
    "  --read-only            refuse writes (405); the database is opened read-only\n"
    "  --tokens FILE          require a bearer token: lines \"read TOKEN\" or \"write TOKEN\"\n"
    "  --cors ORIGINS         let these browser origins call (comma-separated, or *)\n"
    "  --cors-headers LIST    the request headers they may send (comma-separated; default:\n"
    "                         Accept, Accept-Profile, Authorization, Content-Profile,\n"
    "                         Content-Type, Prefer, Range, Reflite-Position, apikey,\n"
    "                         x-client-info)\n"
    "  --max-body BYTES       largest request body (default 1048576; 413 beyond)\n"
    "  --max-rows N           most rows in one response (default 1000)\n"
    "  --threads N            worker threads, each with its own connection (default 4)\n"
    "  --statement-timeout MS stop a request's statement after MS milliseconds: 503\n"
    "                         (default 10000; 0: no limit)\n"
    "  --quiet                no request log\n"
    "  --timeout MS           wait up to MS milliseconds for a lock (default 5000)\n"
    "  --allow-host NAME      answer as NAME too (a proxy's or a DNS name; repeatable)\n"
    "  --max-connections N    open connections at once (default 1000)\n"
    "  --max-per-address N    open connections from one client address (default 200)\n"
    "  --idle-timeout S       close a connection silent for S seconds (default 15)\n"
    "  --no-aggregates        refuse count(), sum()... in select= (400): they read whole tables\n"
    "  --schema NAME          the schema's name in errors, and the only one Accept-Profile and\n"
    "                         Content-Profile may name (406 otherwise); default: PostgreSQL's\n"
    "                         current schema, public on SQLite\n"
    "  --replica URL          PostgreSQL: a streaming replica of DB to send reads to when it\n"
    "                         has replayed the client's last write (repeatable); a write's\n"
    "                         answer carries Reflite-Position, which a client sends back\n"
    "  --replica-max-lag MS   a replica further behind gets no reads (default 10000)\n"
    "\n"
    "Exit status: 0 stopped by a signal; 2 error (usage, the database, the address).\n";

/* A role's name, read by a raw SELECT. */
typedef struct {
    int64_t pk;
    char *name;
} role_row;
static const rl_field role_fields[] = {RL_TEXT(role_row, name)};
static const rl_model role_model = RL_MODEL(role_row, "pg_roles", role_fields);

/* On PostgreSQL, a warning when the connection's role is a superuser: such a role can switch
 * foreign keys off (session_replication_role, DISABLE TRIGGER) and reach the server's files. */
static void warn_superuser(rl_db *db, const char *target)
{
    rl_rows *rows = NULL;
    if (!rl_target_is_server(target) ||
        rl_query_rows(db, &role_model,
                      "SELECT rolname AS name FROM pg_roles WHERE rolname = current_user AND "
                      "rolsuper",
                      NULL, 0, &rows) != RL_OK)
        return;
    if (rows->count == 1)
        fprintf(stderr,
                "reflite serve: warning: connected as %s, a superuser: such a role can switch "
                "foreign keys off and read or write the server's files; serve with a role that "
                "owns nothing and may only SELECT, INSERT, UPDATE and DELETE (see the guide, "
                "\"From SQLite to PostgreSQL\")\n",
                ((role_row *)rows->items)->name);
    rl_rows_free(rows);
}

static int usage_error(const char *fmt, const char *what)
{
    fprintf(stderr, "reflite serve: ");
    fprintf(stderr, fmt, what);
    fprintf(stderr, "\n\n%s", rlc_serve_usage);
    return 2;
}

static bool number(const char *s, long long min, long long max, long long *out)
{
    char *end;
    errno = 0;
    long long v = s ? strtoll(s, &end, 10) : 0;
    if (!s || !*s || *end || errno || v < min || v > max) return false;
    *out = v;
    return true;
}

int rlc_serve(int argc, char **argv)
{
    rl_server_options so = {.port = 8080, .statement_timeout = 10000};
    const char *target = NULL;
    long long timeout = 5000, lag = 0, n;
    char hosts[2048] = "", replicas[4096] = "";
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        bool takes = true;
        if (strcmp(a, "--host") == 0 && v)
            so.host = v;
        else if (strcmp(a, "--tokens") == 0 && v)
            so.tokens = v;
        else if (strcmp(a, "--cors") == 0 && v)
            so.cors = v;
        else if (strcmp(a, "--cors-headers") == 0 && v)
            so.cors_headers = v;
        else if (strcmp(a, "--schema") == 0 && v && *v)
            so.schema = v;
        else if (strcmp(a, "--port") == 0 && number(v, 0, 65535, &n))
            so.port = (int)n;
        else if (strcmp(a, "--max-body") == 0 && number(v, 1, LLONG_MAX, &n))
            so.max_body = (size_t)n;
        else if (strcmp(a, "--max-rows") == 0 && number(v, 1, LLONG_MAX, &n))
            so.max_rows = (size_t)n;
        else if (strcmp(a, "--threads") == 0 && number(v, 1, 256, &n))
            so.threads = (unsigned)n;
        else if (strcmp(a, "--statement-timeout") == 0 && number(v, 0, INT_MAX, &n))
            so.statement_timeout = (unsigned)n;
        else if (strcmp(a, "--timeout") == 0 && number(v, 0, INT_MAX, &n))
            timeout = n;
        else if (strcmp(a, "--allow-host") == 0 && v && *v && !strchr(v, ',')) {
            size_t have = strlen(hosts);
            if (have + strlen(v) + 2 > sizeof hosts)
                return usage_error("too many --allow-host names (%s)", v);
            snprintf(hosts + have, sizeof hosts - have, "%s%s", have ? "," : "", v);
            so.allow_hosts = hosts;
        } else if (strcmp(a, "--replica") == 0 && v && *v && !strpbrk(v, " \t\r\n")) {
            size_t have = strlen(replicas);
            if (have + strlen(v) + 2 > sizeof replicas)
                return usage_error("too many --replica URLs (%s)", v);
            snprintf(replicas + have, sizeof replicas - have, "%s%s", have ? " " : "", v);
        } else if (strcmp(a, "--replica-max-lag") == 0 && number(v, 1, INT_MAX, &n))
            lag = n;
        else if (strcmp(a, "--max-connections") == 0 && number(v, 1, 100000, &n))
            so.max_connections = (unsigned)n;
        else if (strcmp(a, "--max-per-address") == 0 && number(v, 1, 100000, &n))
            so.max_per_address = (unsigned)n;
        else if (strcmp(a, "--idle-timeout") == 0 && number(v, 1, 86400, &n))
            so.idle_timeout = (unsigned)n;
        else {
            takes = false;
            if (strcmp(a, "--read-only") == 0)
                so.read_only = true;
            else if (strcmp(a, "--quiet") == 0)
                so.quiet = true;
            else if (strcmp(a, "--no-aggregates") == 0)
                so.no_aggregates = true;
            else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
                fputs(rlc_serve_usage, stdout);
                return 0;
            } else if (a[0] == '-' && a[1])
                return usage_error("bad option or value: %s", a);
            else if (target)
                return usage_error("one database only (%s)", a);
            else
                target = a;
        }
        i += takes;
    }
    if (!target) return usage_error("%s", "name a database");
    if (!rl_target_is_server(target) && access(target, F_OK) != 0) {
        fprintf(stderr, "reflite serve: %s: no such database file\n", target);
        return 2;
    }
    /* The workers inherit this thread's blocked signals: only sigwait below sees them. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &stop, NULL);
    rl_options o = {.profile = RL_PROFILE_DEVELOPMENT,
                    .read_only = so.read_only,
                    .replicas = replicas[0] ? replicas : NULL,
                    .replica_max_lag_ms = (int)lag};
    o.busy_timeout_ms = timeout == 0 ? -1 : (int)timeout;
    char err[1024];
    rl_db *db = NULL;
    rl_server *s = NULL;
    if (rl_open_ex(&db, target, &o, err, sizeof err) != RL_OK ||
        rl_server_new(&s, db, &so, err, sizeof err) != RL_OK) {
        fprintf(stderr, "reflite serve: %s: %s\n", target, err);
        rl_close(db);
        return 2;
    }
    warn_superuser(db, target);
    rl_server_rest(s, "");
    if (rl_server_start(s) != RL_OK) {
        fprintf(stderr, "reflite serve: %s\n", rl_server_errmsg(s));
        rl_server_free(s);
        rl_close(db);
        return 2;
    }
    printf("serving %s on http://%s:%d/\n", target, so.host ? so.host : "127.0.0.1",
           rl_server_port(s));
    fflush(stdout);
    int sig = 0;
    while (sigwait(&stop, &sig) == 0 && sig == SIGHUP) {
        rl_server_reload(s);
        fprintf(stderr, "reflite serve: SIGHUP: the tables are read again\n");
    }
    fprintf(stderr, "reflite serve: %s: stopping after the requests in flight\n",
            sig == SIGINT ? "SIGINT" : "SIGTERM");
    rl_server_free(s);
    rl_close(db);
    return 0;
}

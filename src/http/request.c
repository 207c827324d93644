/*
 * What a handler sees of its request (method, path, parameters, query, headers, body, the
 * worker's connection and tables) and how it answers (rl_response_header, rl_respond*): the
 * answer is only built here; server.c adds the CORS headers and queues it.
 */
#include "server_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- requests ----------------------------------------------------------------------------- */

const char *rl_request_method(const rl_request *r)
{
    return r ? r->method : "";
}

const char *rl_request_path(const rl_request *r)
{
    return r ? r->path : "";
}

const char *rl_request_param(const rl_request *r, const char *name)
{
    if (!r || !name) return NULL;
    size_t n = strlen(name);
    for (int i = 0; i < r->nparams; i++)
        if (strncmp(r->param_names[i], name, n) == 0 && r->param_names[i][n] == '}')
            return r->param_values[i];
    return NULL;
}

const char *rl_request_query(const rl_request *r, const char *name)
{
    if (!r || !name) return NULL;
    for (size_t i = 0; i < r->nargs; i++)
        if (strcmp(r->args[i].key, name) == 0) return r->args[i].value;
    return NULL;
}

const char *rl_request_header(const rl_request *r, const char *name)
{
    if (!r || !name) return NULL;
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *rl_request_body(const rl_request *r, size_t *len)
{
    if (len) *len = r && r->body ? r->body_len : 0;
    return r && r->body ? r->body : "";
}

rl_db *rl_request_db(rl_request *r)
{
    if (!r) return NULL;
    if (!r->slot) {
        r->slot = rlh_pool_take(&r->server->pool);
        /* reads wait for the client's last write, when it says where that ended (replicas) */
        rl_read_after(r->slot->db, rl_request_header(r, "Reflite-Position"));
    }
    return r->slot->db;
}

const rl_models *rl_request_models(rl_request *r)
{
    return rl_request_db(r) ? r->slot->models : NULL;
}

bool rlh_read_only(const rl_request *r)
{
    return r->server->o.read_only;
}

const char *rlh_schema_name(rl_request *r)
{
    const char *nsp =
        r->server->schema ? r->server->schema : rl_models_schema(rl_request_models(r));
    return nsp ? nsp : "public";
}

void rlh_turn_take(rl_request *r)
{
    if (r->turn || !r->server->pool.serial_writes) return;
    pthread_mutex_lock(&r->server->pool.writing);
    r->turn = true;
}

void rlh_turn_give(rl_request *r)
{
    if (!r->turn) return;
    r->turn = false;
    pthread_mutex_unlock(&r->server->pool.writing);
}

struct rlh_blocks *rlh_request_blocks(const rl_request *r)
{
    return r->server->blocks;
}

bool rlh_aggregates(const rl_request *r)
{
    return !r->server->o.no_aggregates;
}

bool rlh_has_tokens(const rl_request *r)
{
    return r->server->ntokens > 0;
}

unsigned rlh_statement_timeout(const rl_request *r)
{
    return r->server->o.statement_timeout;
}

size_t rlh_max_rows(const rl_request *r)
{
    return r->server->o.max_rows;
}

int rl_response_header(rl_request *r, const char *name, const char *value)
{
    if (!r || !name || !value || strpbrk(name, "\r\n:") || strpbrk(value, "\r\n")) return RL_EINVAL;
    if (r->response) return RL_EMISUSE;
    rlh_add(&r->extra, name, strlen(name) + 1);
    rlh_add(&r->extra, value, strlen(value) + 1);
    return r->extra.oom ? RL_ENOMEM : RL_OK;
}

/* The answer of r: status, content type and body, the body copied (mode
 * MHD_RESPMEM_MUST_COPY) or handed over to be freed (MHD_RESPMEM_MUST_FREE). */
static int respond(rl_request *r, int status, const char *content_type, const char *body,
                   size_t len, enum MHD_ResponseMemoryMode mode)
{
    if (!r || (!body && len) || status < 100 || status > 599) return RL_EINVAL;
    if (r->response) return RL_EMISUSE;
    if (r->page && status >= 400 && !content_type && body) { /* an error value, as a page */
        rlh_buf page = {0};
        rlh_page_error(r, status, body, len, &page);
        if (mode == MHD_RESPMEM_MUST_FREE) free((void *)body);
        if (page.oom) {
            rlh_free(&page);
            r->page = false;
            return respond(r, 500, NULL, "{\"code\":\"RL_ENOMEM\"}", 20, MHD_RESPMEM_PERSISTENT);
        }
        return respond(r, status, "text/html; charset=utf-8", page.data, page.len,
                       MHD_RESPMEM_MUST_FREE);
    }
    struct MHD_Response *res = MHD_create_response_from_buffer(
        len, (void *)(body ? body : ""), body ? mode : MHD_RESPMEM_PERSISTENT);
    if (!res) return RL_ENOMEM;
    const char *h = r->extra.data;
    for (size_t at = 0; at < r->extra.len;) {
        const char *v = h + at + strlen(h + at) + 1;
        MHD_add_response_header(res, h + at, v);
        at = (size_t)(v - h) + strlen(v) + 1;
    }
    if (status != 204 && status != 304 && body)
        MHD_add_response_header(res, MHD_HTTP_HEADER_CONTENT_TYPE,
                                content_type ? content_type : "application/json; charset=utf-8");
    if (r->page) rlh_page_headers(res);
    r->response = res;
    r->status = status;
    return RL_OK;
}

int rl_respond(rl_request *r, int status, const char *content_type, const char *body, size_t len)
{
    return respond(r, status, content_type, body, len, MHD_RESPMEM_MUST_COPY);
}

int rlh_respond_buf(rl_request *r, int status, const char *content_type, rlh_buf *b)
{
    int rc = respond(r, status, content_type, b->data, b->len, MHD_RESPMEM_MUST_FREE);
    if (rc == RL_OK && b->data) *b = (rlh_buf){0}; /* the answer owns it now */
    return rc;
}

int rl_respond_error(rl_request *r, int status, const char *code, const char *message,
                     const char *details, const char *hint)
{
    if (!r || !code || !message) return RL_EINVAL;
    rlh_buf b = {0};
    rlh_error_open(&b, code, message, details, hint);
    rlh_adds(&b, "}");
    int rc = b.oom ? RL_ENOMEM : rl_respond(r, status, NULL, b.data, b.len);
    rlh_free(&b);
    return rc;
}

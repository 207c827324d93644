/*
 * What every web page shares (page.h): escaping, links that change one argument of the page's
 * URL, the frame of a page, its security headers, the stylesheet and the script served from
 * the binary, errors as pages, and whether a request asks for a page at all.
 */
#include "page.h"

#include <jansson.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- escaping ---------------------------------------------------------------------------------
 */

void rlh_html(rlh_buf *b, const char *s, long n)
{
    size_t len = n < 0 ? strlen(s) : (size_t)n, from = 0;
    for (size_t i = 0; i < len; i++) {
        const char *e = NULL;
        switch (s[i]) {
        case '&':
            e = "&amp;";
            break;
        case '<':
            e = "&lt;";
            break;
        case '>':
            e = "&gt;";
            break;
        case '"':
            e = "&quot;";
            break;
        case '\'':
            e = "&#39;";
            break;
        case '\0':
            e = "\xEF\xBF\xBD";
            break; /* U+FFFD: HTML has no NUL */
        default:
            continue;
        }
        rlh_add(b, s + from, i - from);
        rlh_adds(b, e);
        from = i + 1;
    }
    rlh_add(b, s + from, len - from);
}

void rlh_page_encode(rlh_buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~,()*:!",
                   *c)) {
            rlh_add(b, (const char *)c, 1);
        } else {
            char e[3] = {'%', hex[*c >> 4], hex[*c & 15]};
            rlh_add(b, e, 3);
        }
    }
}

/* ---- links --------------------------------------------------------------------------------------
 */

void rlh_links_init(rlh_links *l, const rl_request *r, const char *base)
{
    l->base = base;
    l->nargs = 0;
    for (size_t i = 0; i < r->nargs && l->nargs < 64; i++)
        l->args[l->nargs++] = r->args[i];
}

void rlh_links_set(rlh_links *l, const char *key, const char *value)
{
    size_t k = 0;
    for (size_t i = 0; i < l->nargs; i++)
        if (strcmp(l->args[i].key, key) != 0) l->args[k++] = l->args[i];
    l->nargs = k;
    if (value && l->nargs < 64) l->args[l->nargs++] = (rlh_arg){key, value};
}

void rlh_links_url(rlh_buf *u, const rlh_links *l, const char *table, const char *id)
{
    rlh_adds(u, l->base);
    if (table) rlh_page_encode(u, table);
    if (table && id) {
        rlh_adds(u, "/");
        rlh_page_encode(u, id);
    }
    for (size_t i = 0; i < l->nargs; i++) {
        rlh_adds(u, i ? "&" : "?");
        rlh_page_encode(u, l->args[i].key);
        rlh_adds(u, "=");
        rlh_page_encode(u, l->args[i].value);
    }
}

void rlh_links_href(rlh_buf *b, const rlh_links *l, const char *table, const char *id)
{
    rlh_buf u = {0};
    rlh_links_url(&u, l, table, id);
    rlh_adds(b, " href=\"");
    if (u.data) rlh_html(b, u.data, (long)u.len);
    rlh_adds(b, "\"");
    b->oom |= u.oom;
    rlh_free(&u);
}

/* ---- the frame --------------------------------------------------------------------------------
 */

void rlh_page_open(rlh_buf *b, const char *base, const char *title, const char *table)
{
    rlh_adds(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                "<title>");
    rlh_html(b, title, -1);
    rlh_adds(b, " - reflite</title>\n<link rel=\"icon\" href=\"");
    rlh_html(b, base, -1);
    rlh_adds(b, "-/icon.svg\">\n<link rel=\"stylesheet\" href=\"");
    rlh_html(b, base, -1);
    rlh_adds(b, "-/page.css\">\n<script src=\"");
    rlh_html(b, base, -1);
    rlh_adds(b, "-/page.js\" defer></script>\n</head>\n<body>\n<header><nav><a href=\"");
    rlh_html(b, base, -1);
    rlh_adds(b, "\">database</a>");
    if (table) {
        rlh_buf u = {0};
        rlh_adds(&u, base);
        rlh_page_encode(&u, table);
        rlh_adds(b, " / <a href=\"");
        if (u.data) rlh_html(b, u.data, (long)u.len);
        rlh_adds(b, "\">");
        rlh_html(b, table, -1);
        rlh_adds(b, "</a>");
        b->oom |= u.oom;
        rlh_free(&u);
    }
    rlh_adds(b, "</nav></header>\n<main>\n");
}

void rlh_page_close(rlh_buf *b)
{
    rlh_adds(b, "</main>\n<footer>reflite</footer>\n</body>\n</html>\n");
}

void rlh_page_headers(void *mhd_response)
{
    struct MHD_Response *res = mhd_response;
    /* nothing but the page's own stylesheet and script, no frame around it, forms only to the
     * server itself */
    MHD_add_response_header(res, "Content-Security-Policy",
                            "default-src 'none'; style-src 'self'; script-src 'self'; "
                            "img-src 'self'; connect-src 'self'; form-action 'self'; "
                            "frame-ancestors 'none'; base-uri 'none'");
    MHD_add_response_header(res, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(res, "Referrer-Policy", "same-origin");
    MHD_add_response_header(res, "Vary", "Accept");
}

int rlh_page_respond(rl_request *r, int status, rlh_buf *b)
{
    if (b->oom) {
        rlh_free(b);
        return rl_respond_error(r, 500, "RL_ENOMEM", "Out of memory.", NULL, NULL);
    }
    int rc = rlh_respond_buf(r, status, "text/html; charset=utf-8", b);
    rlh_free(b);
    return rc;
}

/* ---- errors as pages --------------------------------------------------------------------------
 */

static void error_line(rlh_buf *b, const char *cls, const char *text)
{
    if (!text || !*text) return;
    rlh_addf(b, "<p class=\"%s\">", cls);
    rlh_html(b, text, -1);
    rlh_adds(b, "</p>\n");
}

void rlh_page_error(const rl_request *r, int status, const char *json, size_t len, rlh_buf *out)
{
    json_t *j = json_loadb(json ? json : "", len, 0, NULL);
    json_t *own = json_object_get(j, "reflite");
    const char *sentence = json_string_value(json_object_get(own, "message"));
    const char *message = json_string_value(json_object_get(j, "message"));
    const char *code = json_string_value(json_object_get(j, "code"));
    const char *details = json_string_value(json_object_get(j, "details"));
    const char *hint = json_string_value(json_object_get(j, "hint"));
    const char *base = r->page_base ? r->page_base : "/";
    char title[80];
    snprintf(title, sizeof title, "%d %s", status, MHD_get_reason_phrase_for((unsigned)status));
    rlh_page_open(out, base, title, NULL);
    rlh_adds(out, "<h1>");
    rlh_html(out, title, -1);
    rlh_adds(out, "</h1>\n<section class=\"error\" role=\"alert\">\n");
    error_line(out, "message", sentence ? sentence : message ? message : "The request failed.");
    if (sentence && message && strcmp(sentence, message) != 0) error_line(out, "said", message);
    error_line(out, "details", details);
    error_line(out, "hint", hint);
    if (code) {
        rlh_adds(out, "<p class=\"code\">code <code>");
        rlh_html(out, code, -1);
        rlh_adds(out, "</code></p>\n");
    }
    rlh_adds(out, "</section>\n");
    rlh_page_close(out);
    json_decref(j);
}

/* ---- whether a page is wanted ------------------------------------------------------------------
 */

/* The q of each media range of an Accept header: the highest for text/html (or XHTML), and
 * for a type of the API (JSON, CSV, PostgREST's own, or any). */
static void accept_q(const char *accept, double *html, double *api)
{
    *html = *api = -1;
    for (const char *p = accept; p && *p;) {
        p += strspn(p, " \t,");
        size_t n = strcspn(p, ",;"), end = strcspn(p, ",");
        while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
            n--;
        double q = 1;
        const char *qs = strstr(p, ";q=");
        if (!qs) qs = strstr(p, "; q=");
        if (qs && (size_t)(qs - p) < end) q = strtod(strchr(qs, '=') + 1, NULL);
        bool is_html = (n == 9 && !strncasecmp(p, "text/html", 9)) ||
                       (n == 21 && !strncasecmp(p, "application/xhtml+xml", 21));
        bool is_api =
            (n >= 12 && !strncasecmp(p, "application/", 12) &&
             (strncasecmp(p + 12, "xhtml", 5) != 0 && strncasecmp(p + 12, "xml", 3) != 0)) ||
            (n == 8 && !strncasecmp(p, "text/csv", 8));
        if (is_html && q > *html) *html = q;
        if (is_api && q > *api) *api = q;
        p += end;
    }
}

static const char CSS[] =
    ":root{--fg:#1d1d1f;--mute:#5f6368;--line:#d9dce1;--bg:#fff;--tint:#f4f6f8;--link:#0b57d0;"
    "--bad:#b3261e}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;font:15px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;color:var(--fg);"
    "background:var(--bg)}\n"
    "header{background:var(--tint);border-bottom:1px solid var(--line);padding:.5rem 1rem}\n"
    "main{padding:1rem;max-width:100%;overflow-x:auto}\n"
    "footer{color:var(--mute);font-size:.8rem;padding:1rem}\n"
    "a{color:var(--link);text-decoration:none}a:hover{text-decoration:underline}\n"
    "h1{font-size:1.4rem;margin:.2rem 0 .6rem;word-break:break-word}\n"
    "h2{font-size:1.1rem;margin:1.2rem 0 .4rem}\n"
    "table{border-collapse:collapse;margin:.4rem 0}\n"
    "th,td{border:1px solid var(--line);padding:.25rem .5rem;text-align:left;vertical-align:top;"
    "max-width:32rem;overflow-wrap:anywhere}\n"
    "th{background:var(--tint);white-space:nowrap}\n"
    "td.num{text-align:right;font-variant-numeric:tabular-nums}\n"
    "td.null{color:var(--mute);font-style:italic}\n"
    ".label{color:var(--mute);font-size:.85em;margin-left:.3em}\n"
    ".hide{color:var(--mute);font-weight:normal;margin-left:.3em}\n"
    ".meta,.twins,.pager{color:var(--mute);margin:.4rem 0}\n"
    ".pager a{margin-right:1rem}\n"
    ".filters{margin:.6rem 0;display:flex;flex-wrap:wrap;gap:.4rem;align-items:center}\n"
    ".filters input,.filters select,.edit input,.edit select{font:inherit;padding:.2rem}\n"
    ".chip{background:var(--tint);border:1px solid var(--line);border-radius:1rem;"
    "padding:.1rem .6rem}\n"
    ".facets{display:flex;flex-wrap:wrap;gap:1rem;margin:.6rem 0}\n"
    ".facet{border:1px solid var(--line);padding:.3rem .6rem;min-width:10rem}\n"
    ".facet h3{font-size:.95rem;margin:.1rem 0 .3rem}.facet ul{margin:0;padding-left:1rem}\n"
    ".error{border-left:4px solid var(--bad);padding:.2rem .8rem;background:#fdf3f2}\n"
    ".error .message{font-weight:600}.error .code{color:var(--mute);font-size:.85em}\n"
    ".field-error{color:var(--bad);font-size:.9em;margin:.2rem 0}\n"
    "dl.row{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}\n"
    "dl.row dt{font-weight:600}dl.row dd{margin:0;overflow-wrap:anywhere}\n"
    "ul.refs li{margin:.2rem 0}\n"
    "svg.diagram{max-width:100%;height:auto;border:1px solid var(--line);background:var(--tint)}\n"
    "svg.diagram rect{fill:#fff;stroke:#8a94a6}svg.diagram line{stroke:#8a94a6}\n"
    "svg.diagram text{font:12px system-ui,sans-serif;fill:var(--fg)}\n"
    "@media (max-width:40rem){main{padding:.5rem}th,td{max-width:14rem}}\n";

static const char JS[] =
    "'use strict';\n"
    "/* A key column's input: the parent's rows whose label holds what is typed, as choices. */\n"
    "document.querySelectorAll('input[data-pick]').forEach(function (input) {\n"
    "  var list = document.getElementById(input.getAttribute('list')), timer = 0;\n"
    "  var key = input.getAttribute('data-key'), label = input.getAttribute('data-label');\n"
    "  function search() {\n"
    "    var q = input.value.replace(/[*,().:\"\\\\]/g, ' ').trim();\n"
    "    var url = input.getAttribute('data-pick') + '&limit=20';\n"
    "    if (q && !/^[0-9]+$/.test(q))\n"
    "      url += '&' + encodeURIComponent(label) + '=ilike.' + encodeURIComponent('*' + q + "
    "'*');\n"
    "    fetch(url, {headers: {Accept: 'application/json'}, credentials: 'same-origin'})\n"
    "      .then(function (r) { return r.ok ? r.json() : []; })\n"
    "      .then(function (rows) {\n"
    "        list.textContent = '';\n"
    "        rows.forEach(function (row) {\n"
    "          var o = document.createElement('option');\n"
    "          o.value = String(row[key]);\n"
    "          o.textContent = row[label] === null ? '' : String(row[label]);\n"
    "          list.appendChild(o);\n"
    "        });\n"
    "      }, function () {});\n"
    "  }\n"
    "  input.addEventListener('input', function () { clearTimeout(timer); timer = "
    "setTimeout(search, 150); });\n"
    "  input.addEventListener('focus', search, {once: true});\n"
    "});\n"
    "document.addEventListener('submit', function (e) {\n"
    "  var q = e.target.getAttribute('data-confirm');\n"
    "  if (q && !window.confirm(q)) e.preventDefault();\n"
    "});\n";

/* Two tables and the key between them. */
static const char ICON[] = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 16 16\">"
                           "<rect x=\"1\" y=\"2\" width=\"6\" height=\"5\" fill=\"#0b57d0\"/>"
                           "<rect x=\"9\" y=\"9\" width=\"6\" height=\"5\" fill=\"#0b57d0\"/>"
                           "<path d=\"M7 4.5h2.5v4.5\" stroke=\"#5f6368\" fill=\"none\"/></svg>\n";

/* Serve the stylesheet, the script or the icon when path names one; whether it did. */
static bool asset(rl_request *r, const char *path)
{
    const char *body = NULL, *type = NULL;
    if (strcmp(path, "-/page.css") == 0) body = CSS, type = "text/css; charset=utf-8";
    if (strcmp(path, "-/page.js") == 0) body = JS, type = "text/javascript; charset=utf-8";
    if (strcmp(path, "-/icon.svg") == 0) body = ICON, type = "image/svg+xml";
    if (!body) return false;
    rl_response_header(r, "Cache-Control", "max-age=3600");
    rl_response_header(r, "X-Content-Type-Options", "nosniff");
    rl_respond(r, 200, type, body, strlen(body));
    return true;
}

bool rlh_page_negotiate(rl_request *r, char *path)
{
    const char *method = rl_request_method(r);
    bool post = strcmp(method, "POST") == 0;
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 && !post) return false;
    if (!post && asset(r, path)) return true;
    bool page = false;
    const char *format = rl_request_query(r, "_format");
    size_t n = strlen(path);
    if (format || post) /* a form of the pages posts with ?_format=html */
        page = format && strcmp(format, "html") == 0;
    else if (n >= 5 && strcmp(path + n - 5, ".html") == 0) {
        path[n - 5] = '\0'; /* /books.html, /books/3.html, /.html */
        page = true;
    } else {
        double html, api;
        accept_q(rl_request_header(r, "Accept"), &html, &api);
        page = html > 0 && html >= api;
    }
    r->page = page;
    return false;
}

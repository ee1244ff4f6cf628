/* SPDX-License-Identifier: Apache-2.0 */
/* http_page.c: the fixed pages every exporter serves: the HTML landing page (in the shape
 * of exporter-toolkit's, with a link to the telemetry path) and /-/healthy. The pages are
 * rendered once into memory owned by the server's route table. */
#include <string.h>
#include "lm/alloc.h"
#include "lm/http.h"
#include "http_int.h"

/* html: s, HTML-escaped. */
static void
html(struct lm_buf *b, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '&':
            lm_buf_puts(b, "&amp;");
            break;
        case '<':
            lm_buf_puts(b, "&lt;");
            break;
        case '>':
            lm_buf_puts(b, "&gt;");
            break;
        case '"':
            lm_buf_puts(b, "&#34;");
            break;
        case '\'':
            lm_buf_puts(b, "&#39;");
            break;
        default:
            lm_buf_putc(b, *s);
        }
    }
}

static void
add_link(struct lm_buf *b, const char *address, const char *text, const char *description)
{
    lm_buf_puts(b, "        <li><a href=\"");
    html(b, address);
    lm_buf_puts(b, "\">");
    html(b, text);
    lm_buf_puts(b, "</a>");
    if (description && *description) {
        lm_buf_puts(b, ": ");
        html(b, description);
    }
    lm_buf_puts(b, "</li>\n");
}

int
lm_http_landing_page(struct lm_buf *out, const struct lm_http_landing *lp)
{
    lm_buf_puts(out, "<!doctype html>\n<html>\n  <head>\n    <meta charset=\"utf-8\">\n"
                     "    <title>");
    html(out, lp->name);
    lm_buf_puts(out, "</title>\n    <style>\n"
                     "      body { font-family: sans-serif; margin: 0; }\n"
                     "      nav { background: #e6522c; color: #fff; padding: 1em; "
                     "font-size: 1.4em; }\n"
                     "      .main { padding: 1em; }\n"
                     "    </style>\n  </head>\n  <body>\n    <nav>");
    html(out, lp->name);
    lm_buf_puts(out, "</nav>\n    <div class=\"main\">\n");
    if (lp->description && *lp->description) {
        lm_buf_puts(out, "      <h3>");
        html(out, lp->description);
        lm_buf_puts(out, "</h3>\n");
    }
    if (lp->version && *lp->version) {
        lm_buf_puts(out, "      <div>Version: ");
        html(out, lp->version);
        lm_buf_puts(out, "</div>\n");
    }
    lm_buf_puts(out, "      <div><ul>\n");
    if (lp->telemetry_path && *lp->telemetry_path)
        add_link(out, lp->telemetry_path, "Metrics", NULL);
    for (size_t i = 0; lp->links && i < lp->nlinks; i++)
        add_link(out, lp->links[i].address, lp->links[i].text, lp->links[i].description);
    return lm_buf_puts(out, "      </ul></div>\n    </div>\n  </body>\n</html>\n");
}

/* A rendered page; the route's ud. */
struct page {
    const char *ctype;   /* Content-Type */
    size_t len;          /* bytes in data */
    char data[];         /* the page */
};

static int
serve_page(const struct lm_http_request *req, struct lm_http_response *resp, void *ud)
{
    const struct page *p = ud;
    int rc = lm_http_response_content_type(resp, p->ctype);
    return rc ? rc : lm_buf_append(lm_http_response_body(resp), p->data, p->len);
}

/* route_page: copy len bytes of data into a page owned by the server's route table. */
static int
route_page(struct lm_http_server *srv, const char *path, const char *ctype, const char *data,
           size_t len)
{
    struct page *p = lm_malloc(sizeof *p + len + 1);
    if (!p)
        return LM_ENOMEM;
    p->ctype = ctype;
    p->len = len;
    memcpy(p->data, data, len);
    p->data[len] = '\0';
    return lmi_http_route_owned(srv, path, 0, serve_page, p, lm_free);
}

int
lm_http_route_healthy(struct lm_http_server *srv)
{
    return route_page(srv, "/-/healthy", "text/plain; charset=utf-8", "Healthy", 7);
}

int
lm_http_route_landing(struct lm_http_server *srv, const struct lm_http_landing *lp)
{
    struct lm_buf b;
    lm_buf_init(&b, 1024 * 1024);
    int rc = lm_http_landing_page(&b, lp);
    if (!rc)
        rc = route_page(srv, "/", "text/html; charset=utf-8", b.data, b.len);
    lm_buf_cleanup(&b);
    return rc;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* admin.c: the admin API (only with --web.enable-admin-api, as Prometheus; otherwise 503
 * "admin APIs disabled"): POST/PUT /api/v1/admin/tsdb/snapshot?skip_head=<bool> writes
 * a snapshot to <data dir>/snapshots/<YYYYMMDDTHHMMSSZ>-<16 hex> and answers
 * {"name": ...} as Prometheus does. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "flint/api/api_int.h"
#include "flint/tsdb/tsdb.h"

static int h_snapshot(const struct lm_http_request *req, struct lm_http_response *resp,
                      void *ud)
{
    struct api *a = ud;
    if (!a->admin)
        return api_reply_error(resp, API_ERR_UNAVAILABLE, "admin APIs disabled");
    const char *method = lm_http_request_method(req);
    if (strcmp(method, "POST") && strcmp(method, "PUT"))
        return api_reply_error(resp, API_ERR_BAD_DATA, "use POST or PUT");
    const char *sh = lm_http_request_query(req, "skip_head");
    bool skip_head = false;
    if (sh && *sh) {
        if (!strcmp(sh, "true") || !strcmp(sh, "1") || !strcmp(sh, "t") || !strcmp(sh, "T") ||
            !strcmp(sh, "TRUE") || !strcmp(sh, "True"))
            skip_head = true;
        else if (strcmp(sh, "false") && strcmp(sh, "0") && strcmp(sh, "f") &&
                 strcmp(sh, "F") && strcmp(sh, "FALSE") && strcmp(sh, "False"))
            return api_reply_error(resp, API_ERR_BAD_DATA,
                                   "unable to parse boolean 'skip_head' argument: "
                                   "strconv.ParseBool: parsing \"%s\": invalid syntax", sh);
    }
    char dir[4096], name[64];
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    unsigned long long rnd = (unsigned long long)now * 6364136223846793005ULL ^
                             (unsigned long long)getpid() << 20 ^ (unsigned long long)clock();
    snprintf(name, sizeof name, "%04d%02d%02dT%02d%02d%02dZ-%016llx", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, rnd);
    int k = snprintf(dir, sizeof dir, "%s/snapshots", a->data_dir);
    if (k < 0 || (size_t)k >= sizeof dir)
        return api_reply_error(resp, API_ERR_INTERNAL, "data dir path too long");
    if (mkdir(dir, 0755) != 0 && errno != EEXIST)
        return api_reply_error(resp, API_ERR_INTERNAL, "create snapshot directory: %s",
                               strerror(errno));
    k = snprintf(dir, sizeof dir, "%s/snapshots/%s", a->data_dir, name);
    if (k < 0 || (size_t)k >= sizeof dir)
        return api_reply_error(resp, API_ERR_INTERNAL, "data dir path too long");
    struct lm_err err;
    lm_err_clear(&err);
    if (tsdb_snapshot(a->db, dir, !skip_head, &err)) {
        char buf[LM_ERR_WHERE_MAX + LM_ERR_MSG_MAX + 8];
        return api_reply_error(resp, API_ERR_INTERNAL, "create snapshot: %s",
                               lm_err_format(&err, buf, sizeof buf));
    }
    struct lm_buf *b = api_reply_begin(resp);
    lm_buf_puts(b, "{\"name\":");
    api_json_str(b, name);
    lm_buf_putc(b, '}');
    return api_reply_end(resp);
}

int api_admin_register(struct api *a, struct lm_http_server *srv)
{
    return lm_http_route(srv, "/api/v1/admin/tsdb/snapshot",
                         LM_HTTP_ALLOW_POST | LM_HTTP_ALLOW_PUT, h_snapshot, a);
}

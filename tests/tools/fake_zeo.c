/* SPDX-License-Identifier: Apache-2.0 */
/* fake_zeo.c: a stand-in ZEO storage server for zeo_exporter's tests, byte for byte as
 * EXPORTERS.md section 8 describes: on accept send the announcement frame (\0\0\0\2Z5, or
 * --proto Z4/M5/...), read one frame, answer `ruok` with one frame of JSON formatted as
 * ZEO 5/6's json.dumps (", " and ": ", documented key order) from a fixture file, close;
 * any other first message: close. Misbehaviour on demand (--mode), and the ZEO 4 monitor
 * report (--mode monitor). Single-threaded; runs until killed.
 *
 * usage: fake_zeo --listen HOST:PORT|/unix/path --fixture FILE [--proto Z5]
 *                 [--mode ok|hang|garbage|truncated|huge|badjson|monitor]
 * Fixture: "storage NAME" starts a storage; then "KEY VALUE" lines where VALUE is the
 * JSON literal to send (1, null, true, "stub", "Sun Jan  4 09:37:03 2015"). */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <arpa/inet.h>
#include <unistd.h>

#define MAX_ST 16          /* storages in a fixture */
#define MAX_KEYS 32        /* keys per storage */
#define MAX_HANG 1024      /* connections kept open in hang mode */

struct fz_kv {
    char key[64];          /* JSON key */
    char val[256];         /* JSON literal, verbatim */
};

struct fz_storage {
    char name[128];            /* storage name */
    struct fz_kv kv[MAX_KEYS]; /* its keys, in fixture order */
    int n;                     /* keys used */
};

static struct fz_storage stor[MAX_ST];
static int nstor;

/* Key order of ZEO 5/6's StorageServer.server_status (then ZEO 4's extra key). */
static const char *const order[] = {
    "connections", "loads", "stores", "commits", "aborts", "active_txns", "lock_time",
    "conflicts", "conflicts_resolved", "start", "waiting", "timeout-thread-is-alive",
    "last-transaction", "verifying_clients",
};

/* copy: a bounded, always terminated string copy. */
static void
copy(char *dst, size_t cap, const char *src, size_t n)
{
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static void
load_fixture(const char *path)
{
    FILE *f = fopen(path, "r");
    char line[512];
    if (!f) {
        perror(path);
        exit(2);
    }
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        char *sp = strchr(line, ' ');
        if (!sp || line[0] == '#')
            continue;
        *sp = '\0';
        if (!strcmp(line, "storage") && nstor < MAX_ST) {
            copy(stor[nstor].name, sizeof stor[nstor].name, sp + 1, strlen(sp + 1));
            nstor++;
        } else if (nstor && stor[nstor - 1].n < MAX_KEYS) {
            struct fz_kv *kv = &stor[nstor - 1].kv[stor[nstor - 1].n++];
            copy(kv->key, sizeof kv->key, line, strlen(line));
            copy(kv->val, sizeof kv->val, sp + 1, strlen(sp + 1));
        }
    }
    fclose(f);
}

static const char *
get(const struct fz_storage *s, const char *key)
{
    for (int i = 0; i < s->n; i++)
        if (!strcmp(s->kv[i].key, key))
            return s->kv[i].val;
    return NULL;
}

/* json_reply: {"1": {"connections": 1, ...}, ...} into buf. */
static size_t
json_reply(char *buf, size_t cap)
{
    size_t n = 0;
    n += (size_t)snprintf(buf + n, cap - n, "{");
    for (int i = 0; i < nstor; i++) {
        n += (size_t)snprintf(buf + n, cap - n, "%s\"%s\": {", i ? ", " : "", stor[i].name);
        int first = 1;
        for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
            const char *v = get(&stor[i], order[k]);
            if (!v)
                continue;
            n += (size_t)snprintf(buf + n, cap - n, "%s\"%s\": %s", first ? "" : ", ",
                                  order[k], v);
            first = 0;
        }
        n += (size_t)snprintf(buf + n, cap - n, "}");
    }
    n += (size_t)snprintf(buf + n, cap - n, "}");
    return n;
}

/* unquote: a JSON string literal's text (fixtures use no escapes). */
static const char *
unquote(const char *v, char *out, size_t cap)
{
    size_t l = strlen(v);
    if (l >= 2 && v[0] == '"')
        copy(out, cap, v + 1, l - 2);
    else
        copy(out, cap, v, l);
    return out;
}

/* monitor_report: ZEO 4's monitor server text. */
static size_t
monitor_report(char *buf, size_t cap)
{
    static const struct { const char *label, *key; } lines[] = {
        {"Clients", "connections"}, {"Clients verifying", "verifying_clients"},
        {"Active transactions", "active_txns"}, {"Commit lock held for", "lock_held_for"},
        {"Commits", "commits"}, {"Aborts", "aborts"}, {"Loads", "loads"},
        {"Stores", "stores"}, {"Conflicts", "conflicts"},
        {"Conflicts resolved", "conflicts_resolved"},
    };
    char tmp[256];
    size_t n = (size_t)snprintf(buf, cap, "ZEO monitor server version 4.3.1\n"
                                          "Mon Jan  5 10:00:00 2015\n\n");
    for (int i = 0; i < nstor; i++) {
        n += (size_t)snprintf(buf + n, cap - n, "Storage: %s\n", stor[i].name);
        const char *st = get(&stor[i], "start");
        if (st)
            n += (size_t)snprintf(buf + n, cap - n, "Server started: %s\n",
                                  unquote(st, tmp, sizeof tmp));
        for (size_t k = 0; k < sizeof lines / sizeof lines[0]; k++) {
            const char *v = get(&stor[i], lines[k].key);
            if (v)
                n += (size_t)snprintf(buf + n, cap - n, "%s: %s\n", lines[k].label, v);
        }
        n += (size_t)snprintf(buf + n, cap - n, "\n");
    }
    return n;
}

static void
send_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t w = send(fd, c, n, MSG_NOSIGNAL);
        if (w <= 0)
            return;
        c += w;
        n -= (size_t)w;
    }
}

/* recv_all: exactly n bytes, 0 on success. */
static int
recv_all(int fd, void *p, size_t n)
{
    char *c = p;
    while (n) {
        ssize_t r = recv(fd, c, n, 0);
        if (r <= 0)
            return -1;
        c += r;
        n -= (size_t)r;
    }
    return 0;
}

static void
frame(int fd, const void *p, uint32_t n)
{
    uint32_t be = htonl(n);
    send_all(fd, &be, 4);
    send_all(fd, p, n);
}

static void
serve(int fd, const char *proto, const char *mode)
{
    static char body[1 << 20];
    if (!strcmp(mode, "monitor")) {
        send_all(fd, body, monitor_report(body, sizeof body));
        return;
    }
    if (!strcmp(mode, "garbage")) {
        static const char g[] = "HTTP/1.0 400 Bad Request\r\nContent-Length: 0\r\n\r\n";
        send_all(fd, g, sizeof g - 1);
        return;
    }
    frame(fd, proto, (uint32_t)strlen(proto));
    struct timeval tv = {.tv_sec = 5};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    unsigned char hdr[4];
    char msg[64];
    if (recv_all(fd, hdr, 4))
        return;
    uint32_t len = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 | (uint32_t)hdr[2] << 8 |
                   hdr[3];
    if (len != 4 || recv_all(fd, msg, 4) || memcmp(msg, "ruok", 4))
        return;                                   /* a bad handshake: close */
    size_t n = json_reply(body, sizeof body);
    if (!strcmp(mode, "truncated")) {
        uint32_t be = htonl((uint32_t)n);
        send_all(fd, &be, 4);
        send_all(fd, body, n / 2);
    } else if (!strcmp(mode, "huge")) {
        uint32_t be = htonl(0xfffffff0u);
        send_all(fd, &be, 4);
        send_all(fd, body, n);
    } else if (!strcmp(mode, "badjson")) {
        frame(fd, "{\"1\": {\"connections\": tru", 25);
    } else {
        frame(fd, body, (uint32_t)n);
    }
}

static int
listen_on(const char *addr)
{
    int fd;
    if (strchr(addr, '/')) {
        struct sockaddr_un un = {.sun_family = AF_UNIX};
        snprintf(un.sun_path, sizeof un.sun_path, "%s", addr);
        unlink(addr);
        fd = socket(AF_UNIX, SOCK_STREAM, 0);
        if (fd < 0 || bind(fd, (struct sockaddr *)&un, sizeof un))
            return -1;
    } else {
        const char *colon = strrchr(addr, ':');
        struct sockaddr_in in = {.sin_family = AF_INET};
        in.sin_port = htons((uint16_t)strtoul(colon ? colon + 1 : addr, NULL, 10));
        in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        fd = socket(AF_INET, SOCK_STREAM, 0);
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (fd < 0 || bind(fd, (struct sockaddr *)&in, sizeof in))
            return -1;
    }
    return listen(fd, 64) ? -1 : fd;
}

int
main(int argc, char **argv)
{
    const char *addr = NULL, *fixture = NULL, *proto = "Z5", *mode = "ok";
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--listen"))
            addr = argv[i + 1];
        else if (!strcmp(argv[i], "--fixture"))
            fixture = argv[i + 1];
        else if (!strcmp(argv[i], "--proto"))
            proto = argv[i + 1];
        else if (!strcmp(argv[i], "--mode"))
            mode = argv[i + 1];
    }
    if (!addr) {
        fprintf(stderr, "usage: fake_zeo --listen ADDR --fixture FILE [--proto Z5] "
                        "[--mode ok|hang|garbage|truncated|huge|badjson|monitor]\n");
        return 2;
    }
    if (fixture)
        load_fixture(fixture);
    signal(SIGPIPE, SIG_IGN);
    int lfd = listen_on(addr);
    if (lfd < 0) {
        perror(addr);
        return 1;
    }
    int nhung = 0;             /* hang mode: accepted fds deliberately left open */
    for (;;) {
        int fd = accept(lfd, NULL, NULL);
        if (fd < 0) {
            if (errno == EINTR)
                continue;
            return 1;
        }
        if (!strcmp(mode, "hang")) {
            if (nhung < MAX_HANG)
                nhung++;
            else
                close(fd);
            continue;
        }
        serve(fd, proto, mode);
        close(fd);
    }
}

/* SPDX-License-Identifier: Apache-2.0 */
/* fake_systemd.c: a stand-in for systemd's D-Bus API, for tests on machines where systemd
 * is not PID 1. It connects to a bus (--address, else DBUS_SYSTEM_BUS_ADDRESS), takes the
 * name org.freedesktop.systemd1 and serves, with the real interface names and signatures,
 * Manager.ListUnits (a(ssssssouso)), the Manager Version/SystemState properties and the
 * per-unit Unit/Service/Mount/Timer/Socket properties, from a fixture file. Prints READY
 * once the name is owned. Test tool only: no unit is ever started or stopped.
 *
 * Fixture lines: "@Version 252.1" / "@SystemState running" set Manager properties;
 * "name load-state active-state sub-state [Prop=value ...]" declare a unit. */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include "lm/alloc.h"

#define UNIT_ROOT "/org/freedesktop/systemd1/unit"
#define MAX_PROPS 8

struct prop {
    char *name;    /* "Type", "NAccepted", ... */
    char *value;   /* as written in the fixture */
};

struct unit {
    char *name;                      /* "ssh.service" */
    char *load;                      /* LoadState */
    char *active;                    /* ActiveState */
    char *sub;                       /* SubState */
    char *path;                      /* escaped object path */
    struct prop props[MAX_PROPS];    /* type-specific properties */
    size_t nprops;                   /* props used */
};

struct fake {
    char *version;         /* Manager.Version */
    char *system_state;    /* Manager.SystemState */
    struct unit *units;    /* the unit list */
    size_t n;              /* units used */
    size_t cap;            /* units allocated */
};

/* word: the next whitespace-separated word of *p (NUL-terminated in place), or NULL. */
static char *
word(char **p)
{
    char *s = *p + strspn(*p, " \t\r\n");
    if (!*s)
        return NULL;
    size_t n = strcspn(s, " \t\r\n");
    *p = s + n + (s[n] != '\0');
    s[n] = '\0';
    return s;
}

static int
load_fixture(struct fake *f, const char *file)
{
    FILE *fp = fopen(file, "r");
    if (!fp)
        return -errno;
    char line[4096];
    int rc = 0;
    while (!rc && fgets(line, sizeof line, fp)) {
        char *p = line, *w = word(&p);
        if (!w || *w == '#')
            continue;
        if (*w == '@') {
            char *v = word(&p);
            char **dst = strcmp(w, "@Version") == 0 ? &f->version : &f->system_state;
            lm_free(*dst);
            *dst = lm_strdup(v ? v : "");
            continue;
        }
        if (f->n == f->cap) {
            size_t cap = f->cap ? f->cap * 2 : 16;
            struct unit *nu = lm_realloc(f->units, cap * sizeof *nu);
            if (!nu) {
                rc = -ENOMEM;
                break;
            }
            f->units = nu;
            f->cap = cap;
        }
        struct unit *u = &f->units[f->n++];
        memset(u, 0, sizeof *u);
        char *load = word(&p), *active = word(&p), *sub = word(&p);
        u->name = lm_strdup(w);
        u->load = lm_strdup(load ? load : "loaded");
        u->active = lm_strdup(active ? active : "active");
        u->sub = lm_strdup(sub ? sub : "running");
        if (sd_bus_path_encode(UNIT_ROOT, w, &u->path) < 0)
            rc = -ENOMEM;
        while ((w = word(&p)) && u->nprops < MAX_PROPS) {
            char *eq = strchr(w, '=');
            if (!eq)
                continue;
            *eq = '\0';
            u->props[u->nprops].name = lm_strdup(w);
            u->props[u->nprops++].value = lm_strdup(eq + 1);
        }
    }
    fclose(fp);
    return rc;
}

static int
list_units(sd_bus_message *m, void *userdata, sd_bus_error *e)
{
    struct fake *f = userdata;
    sd_bus_message *reply = NULL;
    int r = sd_bus_message_new_method_return(m, &reply);
    if (r >= 0)
        r = sd_bus_message_open_container(reply, 'a', "(ssssssouso)");
    for (size_t i = 0; r >= 0 && i < f->n; i++) {
        const struct unit *u = &f->units[i];
        r = sd_bus_message_append(reply, "(ssssssouso)", u->name, "fake unit", u->load,
                                  u->active, u->sub, "", u->path, (uint32_t)0, "", "/");
    }
    if (r >= 0)
        r = sd_bus_message_close_container(reply);
    if (r >= 0)
        r = sd_bus_send(NULL, reply, NULL);
    sd_bus_message_unref(reply);
    return r;
}

static int
get_manager(sd_bus *bus, const char *path, const char *iface, const char *prop,
            sd_bus_message *reply, void *userdata, sd_bus_error *e)
{
    struct fake *f = userdata;
    const char *v = strcmp(prop, "Version") == 0 ? f->version : f->system_state;
    return sd_bus_message_append(reply, "s", v ? v : "");
}

static const char *
unit_prop(const struct unit *u, const char *name)
{
    for (size_t i = 0; i < u->nprops; i++)
        if (strcmp(u->props[i].name, name) == 0)
            return u->props[i].value;
    return NULL;
}

/* get_unit: any unit property, sent with its real D-Bus type (s, u or t). */
static int
get_unit(sd_bus *bus, const char *path, const char *iface, const char *prop,
         sd_bus_message *reply, void *userdata, sd_bus_error *e)
{
    const struct unit *u = userdata;
    const char *v = NULL;
    if (strcmp(prop, "Id") == 0)
        v = u->name;
    else if (strcmp(prop, "LoadState") == 0)
        v = u->load;
    else if (strcmp(prop, "ActiveState") == 0)
        v = u->active;
    else if (strcmp(prop, "SubState") == 0)
        v = u->sub;
    else
        v = unit_prop(u, prop);
    char t;
    if (strcmp(prop, "Type") == 0 || strcmp(prop, "Id") == 0 || strstr(prop, "State"))
        t = 's';
    else if (strcmp(prop, "NAccepted") == 0 || strcmp(prop, "NConnections") == 0 ||
             strcmp(prop, "NRefused") == 0 || strcmp(prop, "NRestarts") == 0)
        t = 'u';
    else
        t = 't';
    if (t == 's')
        return sd_bus_message_append(reply, "s", v ? v : "");
    unsigned long long n = v ? strtoull(v, NULL, 10) : 0;
    if (t == 'u')
        return sd_bus_message_append(reply, "u", (uint32_t)n);
    return sd_bus_message_append(reply, "t", (uint64_t)n);
}

static const sd_bus_vtable manager_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_PROPERTY("Version", "s", get_manager, 0, SD_BUS_VTABLE_PROPERTY_CONST),
    SD_BUS_PROPERTY("SystemState", "s", get_manager, 0, 0),
    SD_BUS_METHOD("ListUnits", "", "a(ssssssouso)", list_units, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_VTABLE_END,
};
static const sd_bus_vtable unit_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_PROPERTY("Id", "s", get_unit, 0, 0),
    SD_BUS_PROPERTY("LoadState", "s", get_unit, 0, 0),
    SD_BUS_PROPERTY("ActiveState", "s", get_unit, 0, 0),
    SD_BUS_PROPERTY("SubState", "s", get_unit, 0, 0),
    SD_BUS_PROPERTY("ActiveEnterTimestamp", "t", get_unit, 0, 0),
    SD_BUS_VTABLE_END,
};
static const sd_bus_vtable service_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_PROPERTY("Type", "s", get_unit, 0, 0),
    SD_BUS_PROPERTY("NRestarts", "u", get_unit, 0, 0),
    SD_BUS_PROPERTY("TasksCurrent", "t", get_unit, 0, 0),
    SD_BUS_PROPERTY("TasksMax", "t", get_unit, 0, 0),
    SD_BUS_VTABLE_END,
};
static const sd_bus_vtable mount_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_PROPERTY("Type", "s", get_unit, 0, 0),
    SD_BUS_VTABLE_END,
};
static const sd_bus_vtable timer_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_PROPERTY("LastTriggerUSec", "t", get_unit, 0, 0),
    SD_BUS_VTABLE_END,
};
static const sd_bus_vtable socket_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_PROPERTY("NAccepted", "u", get_unit, 0, 0),
    SD_BUS_PROPERTY("NConnections", "u", get_unit, 0, 0),
    SD_BUS_PROPERTY("NRefused", "u", get_unit, 0, 0),
    SD_BUS_VTABLE_END,
};

/* find_unit: the unit behind an object path, if it has interface iface (a .service has
 * org.freedesktop.systemd1.Service, and so on; every unit has ...Unit). */
static int
find_unit(sd_bus *bus, const char *path, const char *iface, void *userdata, void **found,
          sd_bus_error *e)
{
    struct fake *f = userdata;
    static const struct {
        const char *iface;   /* interface suffix */
        const char *suffix;  /* unit name suffix, NULL = any */
    } map[] = {{"Unit", NULL},        {"Service", ".service"}, {"Mount", ".mount"},
               {"Timer", ".timer"},   {"Socket", ".socket"}};
    const char *is = strrchr(iface, '.');
    is = is ? is + 1 : iface;
    for (size_t i = 0; i < f->n; i++) {
        struct unit *u = &f->units[i];
        if (strcmp(u->path, path) != 0)
            continue;
        for (size_t k = 0; k < sizeof map / sizeof map[0]; k++) {
            if (strcmp(map[k].iface, is) != 0)
                continue;
            size_t nl = strlen(u->name), sl = map[k].suffix ? strlen(map[k].suffix) : 0;
            if (sl && (nl < sl || strcmp(u->name + nl - sl, map[k].suffix) != 0))
                return 0;
            *found = u;
            return 1;
        }
    }
    return 0;
}

int
main(int argc, char **argv)
{
    const char *address = getenv("DBUS_SYSTEM_BUS_ADDRESS"), *fixture = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--address") == 0 && i + 1 < argc)
            address = argv[++i];
        else if (!fixture)
            fixture = argv[i];
    }
    if (!fixture || !address) {
        fprintf(stderr, "usage: fake_systemd [--address BUS] UNITS-FILE\n");
        return 2;
    }
    struct fake f = {0};
    int r = load_fixture(&f, fixture);
    if (r < 0) {
        fprintf(stderr, "fake_systemd: %s: %s\n", fixture, strerror(-r));
        return 1;
    }
    sd_bus *bus = NULL;
    r = sd_bus_new(&bus);
    if (r >= 0)
        r = sd_bus_set_address(bus, address);
    if (r >= 0)
        r = sd_bus_set_bus_client(bus, 1);
    if (r >= 0)
        r = sd_bus_start(bus);
    if (r >= 0)
        r = sd_bus_add_object_vtable(bus, NULL, "/org/freedesktop/systemd1",
                                     "org.freedesktop.systemd1.Manager", manager_vtable, &f);
    static const struct {
        const char *iface;             /* interface name */
        const sd_bus_vtable *vtable;   /* its properties */
    } ifaces[] = {
        {"org.freedesktop.systemd1.Unit", unit_vtable},
        {"org.freedesktop.systemd1.Service", service_vtable},
        {"org.freedesktop.systemd1.Mount", mount_vtable},
        {"org.freedesktop.systemd1.Timer", timer_vtable},
        {"org.freedesktop.systemd1.Socket", socket_vtable},
    };
    for (size_t i = 0; r >= 0 && i < sizeof ifaces / sizeof ifaces[0]; i++)
        r = sd_bus_add_fallback_vtable(bus, NULL, UNIT_ROOT, ifaces[i].iface, ifaces[i].vtable,
                                       find_unit, &f);
    if (r >= 0)
        r = sd_bus_request_name(bus, "org.freedesktop.systemd1", 0);
    if (r < 0) {
        fprintf(stderr, "fake_systemd: %s: %s\n", address, strerror(-r));
        return 1;
    }
    printf("READY\n");
    fflush(stdout);
    for (;;) {
        r = sd_bus_process(bus, NULL);
        if (r < 0) {
            fprintf(stderr, "fake_systemd: process: %s\n", strerror(-r));
            break;
        }
        if (r > 0)
            continue;
        r = sd_bus_wait(bus, UINT64_MAX);
        if (r < 0 && r != -EINTR)
            break;
    }
    sd_bus_flush_close_unref(bus);
    return 1;
}

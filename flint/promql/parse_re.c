/* SPDX-License-Identifier: Apache-2.0 */
/* parse_re.c: the RE2 (Go regexp/syntax) rules PCRE2 is more lenient about, checked
 * before a matcher's regex is compiled, so that Prometheus's parse errors come out the
 * same: stacked repetitions (a**, a++), repeat counts over 1000 or reversed, a
 * repetition with nothing to repeat, Perl groups RE2 lacks ((?<name>, (?=, (?!, (?<=)
 * and backreferences (\1, \8). */
#include <stdio.h>
#include <string.h>

#include "flint/promql/parse_int.h"

/* repeat_len: length of a {n}, {n,} or {n,m} repetition at s, or 0 when s is not one
 * (Go then reads '{' as a literal); *min and *max (-1: unbounded) get the counts. */
static size_t repeat_len(const char *s, size_t n, long *min, long *max)
{
    size_t i = 1;
    long a = 0, b;
    if (n < 3 || s[0] != '{' || s[1] < '0' || s[1] > '9')
        return 0;
    while (i < n && s[i] >= '0' && s[i] <= '9') {
        a = a < 100000 ? a * 10 + (s[i] - '0') : a;
        i++;
    }
    b = a;
    if (i < n && s[i] == ',') {
        i++;
        if (i < n && s[i] >= '0' && s[i] <= '9') {
            b = 0;
            while (i < n && s[i] >= '0' && s[i] <= '9') {
                b = b < 100000 ? b * 10 + (s[i] - '0') : b;
                i++;
            }
        } else {
            b = -1;
        }
    }
    if (i >= n || s[i] != '}')
        return 0;
    *min = a;
    *max = b;
    return i + 1;
}

bool pql_re2_check(const char *re, char *msg, size_t msgsz)
{
    size_t n = strlen(re), i = 0;
    bool can_repeat = false;    /* is there an item before that a repetition may apply to */
    size_t last_rep = (size_t)-1; /* start of the repetition just read, if the last item */
    while (i < n) {
        char c = re[i];
        if (c == '*' || c == '+' || c == '?' || c == '{') {
            long mn = 0, mx = 0;
            size_t len = c == '{' ? repeat_len(re + i, n - i, &mn, &mx) : 1;
            if (len) {
                size_t start = i;
                i += len;
                if (i < n && re[i] == '?')
                    i++;
                if (last_rep != (size_t)-1) {
                    snprintf(msg, msgsz, "invalid nested repetition operator: `%.*s`",
                             (int)(start + len - last_rep), re + last_rep);
                    return false;
                }
                if (!can_repeat) {
                    snprintf(msg, msgsz, "missing argument to repetition operator: `%.*s`",
                             (int)(i - start), re + start);
                    return false;
                }
                if (c == '{' && (mn > 1000 || mx > 1000 || (mx >= 0 && mn > mx))) {
                    snprintf(msg, msgsz, "invalid repeat count: `%.*s`", (int)len, re + start);
                    return false;
                }
                last_rep = start;
                continue;
            }
        }
        last_rep = (size_t)-1;
        can_repeat = true;
        if (c == '\\' && i + 1 < n) {
            char e = re[i + 1];
            bool octal_next = i + 2 < n && re[i + 2] >= '0' && re[i + 2] <= '7';
            bool letter = (e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z');
            if ((e >= '1' && e <= '7' && !octal_next) || e == '8' || e == '9' ||
                (letter && !strchr("aftnrvxdDsSwWbBAzpPQ", e))) {
                snprintf(msg, msgsz, "invalid escape sequence: `\\%c`", e);
                return false;
            }
            if (e == 'Q') {
                /* \Q...\E: literal text */
                const char *end = strstr(re + i + 2, "\\E");
                i = end ? (size_t)(end - re) + 2 : n;
                continue;
            }
            i += 2;
        } else if (c == '[') {
            i++;
            if (i < n && re[i] == '^')
                i++;
            if (i < n && re[i] == ']')
                i++;
            while (i < n && re[i] != ']') {
                if (re[i] == '\\' && i + 1 < n) {
                    char e = re[i + 1];
                    if (((e >= 'a' && e <= 'z') || (e >= 'A' && e <= 'Z')) &&
                        !strchr("aftnrvxdDsSwWpP", e)) {
                        snprintf(msg, msgsz, "invalid escape sequence: `\\%c`", e);
                        return false;
                    }
                    i++;
                }
                else if (re[i] == '[' && i + 1 < n && re[i + 1] == ':') {
                    const char *end = strstr(re + i + 2, ":]");
                    if (end)
                        i = (size_t)(end - re) + 1;
                }
                i++;
            }
            i++;
        } else if (c == '(') {
            can_repeat = false;
            if (i + 2 < n && re[i + 1] == '?' &&
                (re[i + 2] == '=' || re[i + 2] == '!' ||
                 (re[i + 2] == '<' && i + 3 < n))) {
                snprintf(msg, msgsz, "invalid or unsupported Perl syntax: `%.*s`", 3, re + i);
                return false;
            }
            if (i + 1 < n && re[i + 1] == '?') {
                /* (?flags), (?flags:...), (?P<name>...): skip the group's header */
                i += 2;
                while (i < n && re[i] != ':' && re[i] != ')' && re[i] != '>')
                    i++;
            }
            i++;
        } else if (c == '|') {
            can_repeat = false;
            i++;
        } else {
            i++;
        }
    }
    return true;
}

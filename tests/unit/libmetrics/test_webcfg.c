/* SPDX-License-Identifier: Apache-2.0 */
/* test_webcfg.c: unit tests for lm/webcfg.h: good web-config.yml files (defaults, users,
 * headers, rate limit, TLS from files and inline, versions, ciphers, curves), every kind
 * of error with its exact "file:line:col", and an allocation-failure sweep. Certificates
 * are made with the openssl command into a private temporary directory. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "lm/alloc.h"
#include "lm/webcfg.h"

static char dir[64];

/* A bcrypt hash of "pass" (htpasswd -nbBC 10 user pass). */
#define HASH "$2y$10$CLyACWrN3QEmazEn/7ZeT.4Y3A67dZYP0y4yX.hSXQtjbMWDj5rwS"

/* sh: run "cd dir && script" with the shell. */
static void
sh(const char *script)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, "cd %s && %s", dir, script);
    ck_assert_msg(system(cmd) == 0, "command failed: %s", cmd);
}

/* Certificates: ca + server (signed by ca), other.key (unrelated key), client CA. */
static void
make_certs(void)
{
    snprintf(dir, sizeof dir, "/tmp/lm_webcfg_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    sh("exec >/dev/null 2>&1 && "
       "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
       "-keyout ca.key -out ca.crt -days 2 -subj /CN=ca && "
       "openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
       "-keyout server.key -out server.csr -subj /CN=localhost && "
       "printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' > san.ext && "
       "openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial "
       "-out server.crt -days 2 -extfile san.ext && "
       "openssl genpkey -algorithm ec -pkeyopt ec_paramgen_curve:prime256v1 -out other.key && "
       "mkdir sub && cp server.crt server.key ca.crt sub/ && : > empty.pem");
}

static void
remove_certs(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
}

/* parse: text as "t.yml" with files relative to dir. */
static int
parse(const char *text, struct lm_webcfg **c, struct lm_err *err)
{
    return lm_webcfg_parse_mem("t.yml", text, strlen(text), dir, c, err);
}

/* bad: text must fail with code at where, and the message must contain what. */
static void
bad_(const char *text, int code, const char *where, const char *what, int line)
{
    struct lm_webcfg *c = (struct lm_webcfg *)1;
    struct lm_err err = {0};
    int rc = parse(text, &c, &err);
    ck_assert_msg(rc == code, "line %d: rc %s, want %s (%s: %s)", line, lm_err_name(rc),
                  lm_err_name(code), err.where, err.msg);
    ck_assert_ptr_null(c);
    ck_assert_int_eq(err.code, code);
    ck_assert_msg(!strcmp(err.where, where), "line %d: where %s, want %s (%s)", line,
                  err.where, where, err.msg);
    ck_assert_msg(strstr(err.msg, what), "line %d: msg \"%s\" lacks \"%s\"", line, err.msg,
                  what);
}
#define bad(text, code, where, what) bad_(text, code, where, what, __LINE__)

START_TEST(empty_is_defaults)
{
    const char *docs[] = {"", "# only a comment\n", "---\n", "~\n"};
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        struct lm_webcfg *c;
        struct lm_err err = {0};
        ck_assert_int_eq(parse(docs[i], &c, &err), 0);
        ck_assert_int_eq(lm_webcfg_tls_enabled(c), 0);
        ck_assert_int_eq(lm_webcfg_http2(c), 1);
        ck_assert_int_eq(lm_webcfg_min_version(c), LM_TLS12);
        ck_assert_int_eq(lm_webcfg_max_version(c), LM_TLS13);
        ck_assert_int_eq(lm_webcfg_client_auth(c), LM_TLS_NO_CLIENT_CERT);
        ck_assert_uint_eq(lm_webcfg_user_count(c), 0);
        ck_assert_uint_eq(lm_webcfg_header_count(c), 0);
        ck_assert_int_eq(lm_webcfg_rate_interval_ns(c), 0);
        ck_assert_ptr_null(lm_webcfg_tls_priorities(c));
        lm_webcfg_free(c);
    }
}
END_TEST

START_TEST(users_headers_rate)
{
    const char *y = "basic_auth_users:\n"
                    "  alice: " HASH "\n"
                    "  bob: '" HASH "'\n"
                    "http_server_config:\n"
                    "  http2: false\n"
                    "  headers:\n"
                    "    X-Frame-Options: deny\n"
                    "    Strict-Transport-Security: max-age=31536000\n"
                    "    X-XSS-Protection: ''\n"
                    "rate_limit:\n"
                    "  interval: 1m30.5s\n"
                    "  burst: 20\n";
    struct lm_webcfg *c;
    struct lm_err err = {0};
    ck_assert_int_eq(parse(y, &c, &err), 0);
    ck_assert_int_eq(lm_webcfg_tls_enabled(c), 0);
    ck_assert_int_eq(lm_webcfg_http2(c), 0);
    ck_assert_uint_eq(lm_webcfg_user_count(c), 2);
    ck_assert_str_eq(lm_webcfg_user_name(c, 0), "alice");
    ck_assert_str_eq(lm_webcfg_user_name(c, 1), "bob");
    ck_assert_ptr_null(lm_webcfg_user_name(c, 2));
    ck_assert_str_eq(lm_webcfg_user_hash(c, "bob"), HASH);
    ck_assert_ptr_null(lm_webcfg_user_hash(c, "carol"));
    ck_assert_uint_eq(lm_webcfg_header_count(c), 2);  /* blank values are unset */
    ck_assert_str_eq(lm_webcfg_header_name(c, 0), "X-Frame-Options");
    ck_assert_str_eq(lm_webcfg_header_value(c, 0), "deny");
    ck_assert_str_eq(lm_webcfg_header_value(c, 1), "max-age=31536000");
    ck_assert_ptr_null(lm_webcfg_header_name(c, 2));
    ck_assert_int_eq(lm_webcfg_rate_interval_ns(c), 90500000000LL);
    ck_assert_int_eq(lm_webcfg_rate_burst(c), 20);
    lm_webcfg_free(c);
}
END_TEST

START_TEST(durations)
{
    static const struct {
        const char *s;
        long long ns;
    } cases[] = {{"0", 0}, {"1s", 1000000000LL}, {"250ms", 250000000LL}, {"1h2m", 3720000000000LL},
                 {"10us", 10000}, {"7ns", 7}, {"1.5m", 90000000000LL}, {"42", 42}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char y[128];
        snprintf(y, sizeof y, "rate_limit:\n  interval: %s\n", cases[i].s);
        struct lm_webcfg *c;
        struct lm_err err = {0};
        ck_assert_msg(parse(y, &c, &err) == 0, "%s: %s", cases[i].s, err.msg);
        ck_assert_int_eq(lm_webcfg_rate_interval_ns(c), cases[i].ns);
        lm_webcfg_free(c);
    }
}
END_TEST

START_TEST(tls_files)
{
    const char *y = "tls_server_config:\n"
                    "  cert_file: server.crt\n"
                    "  key_file: server.key\n"
                    "  client_auth_type: RequireAndVerifyClientCert\n"
                    "  client_ca_file: ca.crt\n"
                    "  min_version: TLS13\n"
                    "  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256]\n"
                    "  curve_preferences:\n"
                    "    - X25519\n"
                    "    - CurveP256\n"
                    "  prefer_server_cipher_suites: false\n"
                    "  client_allowed_sans: [client.example]\n";
    struct lm_webcfg *c;
    struct lm_err err = {0};
    ck_assert_msg(parse(y, &c, &err) == 0, "%s: %s", err.where, err.msg);
    ck_assert_int_eq(lm_webcfg_tls_enabled(c), 1);
    ck_assert_int_eq(lm_webcfg_client_auth(c), LM_TLS_REQUIRE_AND_VERIFY_CLIENT_CERT);
    ck_assert_int_eq(lm_webcfg_min_version(c), LM_TLS13);
    const char *p = lm_webcfg_tls_priorities(c);
    ck_assert_ptr_nonnull(strstr(p, "-VERS-ALL:+VERS-TLS1.3"));
    ck_assert_ptr_null(strstr(p, "TLS1.2"));
    ck_assert_ptr_nonnull(strstr(p, "+ECDHE-ECDSA:+AES-128-GCM:+AEAD"));
    ck_assert_ptr_nonnull(strstr(p, "-GROUP-ALL:+GROUP-X25519:+GROUP-SECP256R1"));
    ck_assert_ptr_null(strstr(p, "SERVER_PRECEDENCE"));
    lm_webcfg_free(c);

    /* lm_webcfg_load takes relative names from the file's directory */
    char path[128];
    snprintf(path, sizeof path, "%s/sub/web.yml", dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n", f);
    fclose(f);
    ck_assert_int_eq(lm_webcfg_load(path, &c, &err), 0);
    ck_assert_int_eq(lm_webcfg_tls_enabled(c), 1);
    ck_assert_ptr_nonnull(strstr(lm_webcfg_tls_priorities(c), "+VERS-TLS1.2:+VERS-TLS1.3"));
    ck_assert_ptr_nonnull(strstr(lm_webcfg_tls_priorities(c), "%SERVER_PRECEDENCE"));
    lm_webcfg_free(c);
}
END_TEST

/* slurp: the file dir/name, indented by 4 spaces per line, for a YAML block scalar. */
static char *
slurp_indented(const char *name)
{
    char path[128], line[256];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    size_t cap = 16384, len = 0;
    char *out = calloc(1, cap);
    while (fgets(line, sizeof line, f) && len < cap)
        len += (size_t)snprintf(out + len, cap - len, "    %s", line);
    fclose(f);
    return out;
}

START_TEST(tls_inline)
{
    char *cert = slurp_indented("server.crt"), *key = slurp_indented("server.key");
    char *y = malloc(40000);
    snprintf(y, 40000, "tls_server_config:\n  cert: |\n%s  key: |\n%s  client_auth_type: "
             "RequireAnyClientCert\n  max_version: TLS12\n  min_version: TLS10\n", cert, key);
    struct lm_webcfg *c;
    struct lm_err err = {0};
    ck_assert_msg(parse(y, &c, &err) == 0, "%s: %s", err.where, err.msg);
    ck_assert_int_eq(lm_webcfg_client_auth(c), LM_TLS_REQUIRE_ANY_CLIENT_CERT);
    ck_assert_int_eq(lm_webcfg_max_version(c), LM_TLS12);
    ck_assert_ptr_nonnull(
        strstr(lm_webcfg_tls_priorities(c), "+VERS-TLS1.0:+VERS-TLS1.1:+VERS-TLS1.2"));
    lm_webcfg_free(c);
    free(cert);
    free(key);
    free(y);
}
END_TEST

START_TEST(errors_structure)
{
    bad("foo: 1\n", LM_ECONFIG, "t.yml:1:1", "unknown key \"foo\"");
    bad("- a\n- b\n", LM_ECONFIG, "t.yml:1:1", "must be a mapping");
    bad("tls_server_config:\n  cert_file: a\n  bogus: 1\n", LM_ECONFIG, "t.yml:3:3",
        "unknown key \"bogus\" in tls_server_config");
    bad("basic_auth_users: [a, b]\n", LM_ECONFIG, "t.yml:1:19", "must be a mapping");
    bad("http_server_config:\n  http2: maybe\n", LM_ECONFIG, "t.yml:2:10", "boolean");
    bad("http_server_config:\n  http2: 'true'\n", LM_ECONFIG, "t.yml:2:10", "boolean");
    bad("http_server_config:\n  nope: 1\n", LM_ECONFIG, "t.yml:2:3", "unknown key \"nope\"");
    bad("rate_limit:\n  burst: many\n", LM_ECONFIG, "t.yml:2:10", "integer");
    bad("rate_limit:\n  interval: 5 parsecs\n", LM_ECONFIG, "t.yml:2:13", "invalid duration");
    bad("tls_server_config:\n  cert_file: [a]\n", LM_ECONFIG, "t.yml:2:14",
        "cert_file must be a string");
    bad("basic_auth_users:\n  a: " HASH "\n  a: " HASH "\n", LM_ECONFIG, "t.yml:3:3",
        "duplicate key \"a\"");
    bad("basic_auth_users:\n  [x]: y\n", LM_ECONFIG, "t.yml:2:3", "must be strings");
    bad("rate_limit: {}\n---\nrate_limit: {}\n", LM_ECONFIG, "t.yml:3:1", "more than one YAML document");
    bad("rate_limit: {interval: \"1\\0s\"}\n", LM_ECONFIG, "t.yml:1:24", "NUL byte");
}
END_TEST

START_TEST(errors_yaml_syntax)
{
    bad("basic_auth_users:\n  a: [1, 2\n", LM_EPARSE, "t.yml:3:1", "flow sequence");
    bad("a: b: c\n", LM_EPARSE, "t.yml:1:5", "mapping values are not allowed");
    bad("\t- a\n", LM_EPARSE, "t.yml:1:1", "cannot start any token");
}
END_TEST

START_TEST(errors_values)
{
    bad("basic_auth_users:\n  alice: notahash\n", LM_ECONFIG, "t.yml:2:10",
        "invalid bcrypt hash for user \"alice\"");
    bad("basic_auth_users:\n  alice:\n", LM_ECONFIG, "t.yml:2:9", "invalid bcrypt hash");
    bad("basic_auth_users:\n  alice: $2y$03$CLyACWrN3QEmazEn/7ZeT.4Y3A67dZYP0y4yX.hSXQtjbMWDj5rwS\n",
        LM_ECONFIG, "t.yml:2:10", "invalid bcrypt hash");
    bad("http_server_config:\n  headers:\n    X-Foo: bar\n", LM_ECONFIG, "t.yml:3:5",
        "HTTP header \"X-Foo\" can not be configured");
    bad("http_server_config:\n  headers:\n    X-Frame-Options: allow\n", LM_ECONFIG,
        "t.yml:3:22", "invalid value for X-Frame-Options");
    bad("tls_server_config:\n  client_auth_type: Sometimes\n", LM_ECONFIG, "t.yml:2:21",
        "invalid client_auth_type: Sometimes");
    bad("tls_server_config:\n  min_version: TLS14\n", LM_ECONFIG, "t.yml:2:16",
        "unknown TLS version: TLS14");
    bad("tls_server_config:\n  cipher_suites:\n    - TLS_AES_128_GCM_SHA256\n    - TLS_FOO\n",
        LM_ECONFIG, "t.yml:4:7", "unknown cipher: TLS_FOO");
    bad("tls_server_config:\n  curve_preferences: [CurveP256, Curve25519]\n", LM_ECONFIG,
        "t.yml:2:34", "unknown curve: Curve25519");
}
END_TEST

START_TEST(errors_tls)
{
    bad("tls_server_config:\n  cert_file: server.crt\n", LM_ECONFIG, "t.yml:1:1",
        "missing one of key or key_file");
    bad("tls_server_config:\n  key_file: server.key\n", LM_ECONFIG, "t.yml:1:1",
        "missing one of cert or cert_file");
    bad("tls_server_config:\n  client_auth_type: RequireAnyClientCert\n", LM_ECONFIG,
        "t.yml:1:1", "missing one of cert or cert_file");
    bad("tls_server_config:\n  cert_file: /nonexistent/x.crt\n  key_file: server.key\n",
        LM_EIO, "t.yml:2:14", "cannot read cert_file \"/nonexistent/x.crt\"");
    bad("tls_server_config:\n  cert_file: server.crt\n  key_file: missing.key\n", LM_EIO,
        "t.yml:3:13", "cannot read key_file");
    bad("tls_server_config:\n  cert_file: server.crt\n  key_file: /dev/null\n", LM_EIO,
        "t.yml:3:13", "not a regular file");
    bad("tls_server_config:\n  cert_file: server.crt\n  key_file: other.key\n", LM_ECONFIG,
        "t.yml:2:14", "failed to load X509 key pair");
    bad("tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
        "  client_ca_file: ca.crt\n",
        LM_ECONFIG, "t.yml:4:19", "without a Client Auth Policy");
    bad("tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
        "  client_auth_type: VerifyClientCertIfGiven\n  client_ca_file: empty.pem\n",
        LM_ECONFIG, "t.yml:5:19", "no valid certificates in the client CA");
    bad("tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
        "  min_version: TLS13\n  max_version: TLS12\n",
        LM_ECONFIG, "t.yml:5:16", "min_version is greater than max_version");
    bad("tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
        "  client_auth_type: RequestClientCert\n  client_allowed_sans: [a]\n",
        LM_ECONFIG, "t.yml:5:3", "client_allowed_sans requires");
}
END_TEST

START_TEST(load_errors)
{
    struct lm_webcfg *c = (struct lm_webcfg *)1;
    struct lm_err err = {0};
    ck_assert_int_eq(lm_webcfg_load("/nonexistent/web.yml", &c, &err), LM_EIO);
    ck_assert_ptr_null(c);
    ck_assert_str_eq(err.where, "/nonexistent/web.yml");
    char path[128];
    snprintf(path, sizeof path, "%s/bad.yml", dir);
    FILE *f = fopen(path, "w");
    fputs("# comment\nbasic_auth_users:\n  bob: x\n", f);
    fclose(f);
    ck_assert_int_eq(lm_webcfg_load(path, &c, &err), LM_ECONFIG);
    char want[160];
    snprintf(want, sizeof want, "%s:3:8", path);
    ck_assert_str_eq(err.where, want);
    lm_webcfg_free(NULL);
}
END_TEST

/* Every allocation of a full parse fails in turn: a clean LM_ENOMEM (ASan finds leaks). */
START_TEST(oom_sweep)
{
    const char *y = "tls_server_config:\n"
                    "  cert_file: server.crt\n  key_file: server.key\n"
                    "  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\n"
                    "  cipher_suites: [TLS_AES_128_GCM_SHA256]\n  curve_preferences: [X25519]\n"
                    "  client_allowed_sans: [a, b]\n"
                    "basic_auth_users:\n  alice: " HASH "\n"
                    "http_server_config:\n  headers:\n    X-Content-Type-Options: nosniff\n";
    int ok = 0;
    for (long n = 1; n < 1000 && !ok; n++) {
        struct lm_webcfg *c;
        struct lm_err err = {0};
        lm_alloc_fail_after(n);
        int rc = parse(y, &c, &err);
        lm_alloc_fail_after(0);
        if (rc == 0) {
            ok = 1;
            lm_webcfg_free(c);
        } else {
            ck_assert_msg(rc == LM_ENOMEM, "n=%ld: %s %s", n, lm_err_name(rc), err.msg);
            ck_assert_ptr_null(c);
        }
    }
    ck_assert(ok);
}
END_TEST

Suite *webcfg_suite(void);

Suite *
webcfg_suite(void)
{
    Suite *s = suite_create("webcfg");
    TCase *tc = tcase_create("webcfg");
    tcase_add_unchecked_fixture(tc, make_certs, remove_certs);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, empty_is_defaults);
    tcase_add_test(tc, users_headers_rate);
    tcase_add_test(tc, durations);
    tcase_add_test(tc, tls_files);
    tcase_add_test(tc, tls_inline);
    tcase_add_test(tc, errors_structure);
    tcase_add_test(tc, errors_yaml_syntax);
    tcase_add_test(tc, errors_values);
    tcase_add_test(tc, errors_tls);
    tcase_add_test(tc, load_errors);
    tcase_add_test(tc, oom_sweep);
    suite_add_tcase(s, tc);
    return s;
}

/* SPDX-License-Identifier: Apache-2.0 */
/* test_parse.c: the exposition parser (lm/parse.h): every entry kind in both formats,
 * escaping, bit-exact floats against strtod, error positions for a table of bad pages,
 * chunked feeding equal to whole feeding on real exporter pages (tests/fixtures/
 * libmetrics/parse), a 100 MB page streamed in 64 KiB chunks, and OOM torture. */
#include <check.h>
#include <dirent.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lm/alloc.h"
#include "lm/buf.h"
#include "lm/parse.h"

static uint64_t
bits(double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    return u;
}

/* put_entry: one line describing the current entry e into b. */
static void
put_entry(struct lm_buf *b, struct lm_parser *p, enum lm_parse_entry e)
{
    struct lm_span n = lm_parser_name(p), t = lm_parser_text(p);
    switch (e) {
    case LM_PARSE_HELP:
    case LM_PARSE_UNIT:
        lm_buf_printf(b, "%c %.*s|%.*s\n", e == LM_PARSE_HELP ? 'H' : 'U', (int)n.len, n.ptr,
                      (int)t.len, t.ptr);
        break;
    case LM_PARSE_TYPE:
        lm_buf_printf(b, "T %.*s|%s\n", (int)n.len, n.ptr, lm_parse_type_name(lm_parser_type(p)));
        break;
    case LM_PARSE_COMMENT:
        lm_buf_printf(b, "C %.*s\n", (int)t.len, t.ptr);
        break;
    case LM_PARSE_SAMPLE: {
        const struct lm_parse_label *l;
        size_t k = lm_parser_labels(p, &l);
        int64_t ts = 0;
        int has = lm_parser_timestamp(p, &ts);
        lm_buf_printf(b, "S %.*s{", (int)n.len, n.ptr);
        for (size_t i = 0; i < k; i++)
            lm_buf_printf(b, "%.*s=%.*s,", (int)l[i].name.len, l[i].name.ptr,
                          (int)l[i].value.len, l[i].value.ptr);
        struct lm_span s = lm_parser_series(p);
        lm_buf_printf(b, "} %016" PRIx64 " %s%" PRId64 " %s |%.*s|", bits(lm_parser_value(p)),
                      has ? "@" : "", ts, lm_parse_type_name(lm_parser_type(p)), (int)s.len,
                      s.ptr);
        struct lm_parse_exemplar ex;
        if (lm_parser_exemplar(p, &ex)) {
            lm_buf_printf(b, " #{");
            for (size_t i = 0; i < ex.nlabels; i++)
                lm_buf_printf(b, "%.*s=%.*s,", (int)ex.labels[i].name.len, ex.labels[i].name.ptr,
                              (int)ex.labels[i].value.len, ex.labels[i].value.ptr);
            lm_buf_printf(b, "} %016" PRIx64 " %d:%" PRId64, bits(ex.value), ex.has_ts, ex.ts_ms);
        }
        lm_buf_putc(b, '\n');
        break;
    }
    case LM_PARSE_EOF:
        lm_buf_puts(b, "EOF\n");
        break;
    case LM_PARSE_END:
        lm_buf_puts(b, "END\n");
        break;
    case LM_PARSE_ERROR:
        lm_buf_printf(b, "ERROR %s: %s\n", lm_parser_error(p)->where, lm_parser_error(p)->msg);
        break;
    default:
        break;
    }
}

/* digest: parse data fed in chunks of `chunk` bytes (0: whole; negative: random sizes
 * up to -chunk from seed 1) and describe every entry. Caller frees. */
static char *
digest(enum lm_format fmt, const char *data, size_t len, long chunk)
{
    struct lm_buf b;
    lm_buf_init(&b, 1UL << 30);
    struct lm_parser *p = lm_parser_new(fmt);
    ck_assert_ptr_nonnull(p);
    unsigned seed = 1;
    size_t off = 0;
    enum lm_parse_entry e = LM_PARSE_NEED_MORE;
    for (;;) {
        if (e == LM_PARSE_NEED_MORE) {
            if (off == len && (off > 0 || len == 0)) {
                lm_parser_finish(p);
            } else {
                size_t n = chunk == 0 ? len
                         : chunk > 0 ? (size_t)chunk : 1 + (size_t)rand_r(&seed) % (size_t)-chunk;
                if (n > len - off)
                    n = len - off;
                ck_assert_int_eq(lm_parser_feed(p, data + off, n), 0);
                off += n;
                if (len == 0)
                    lm_parser_finish(p);
            }
        }
        e = lm_parser_next(p);
        if (e != LM_PARSE_NEED_MORE)
            put_entry(&b, p, e);
        if (e == LM_PARSE_END || e == LM_PARSE_ERROR)
            break;
    }
    lm_parser_free(p);
    ck_assert_int_eq(b.err, 0);
    char *s = strdup(lm_buf_cstr(&b));
    lm_buf_cleanup(&b);
    ck_assert_ptr_nonnull(s);
    return s;
}

static char *
dig(enum lm_format fmt, const char *page)
{
    return digest(fmt, page, strlen(page), 0);
}

START_TEST(text_entries)
{
    const char *page =
        "# HELP http_requests_total The total \\\\ number\\nof requests.\n"
        "# TYPE http_requests_total counter\n"
        "http_requests_total{method=\"post\",code=\"200\"} 1027 1395066363000\n"
        "  http_requests_total { method = \"get\" , code=\"400\", } 3\t1395066363000  \n"
        "\n"
        "# A free comment\n"
        "#no blank comment\n"
        "msdos_file_access_time_seconds{path=\"C:\\\\DIR\\\\FILE.TXT\",error=\"Cannot find "
        "file:\\n\\\"FILE.TXT\\\"\"} 1.458255915e9\n"
        "metric_without_timestamp_and_labels 12.47\n"
        "something_weird{problem=\"division by zero\"} +Inf -3982045\n"
        "# TYPE rpc_duration_seconds summary\n"
        "rpc_duration_seconds{quantile=\"0.99\"} 76656\n"
        "rpc_duration_seconds_sum 1.7560473e+07\n"
        "rpc_duration_seconds_count 2693\n"
        "go_info{version=\"go1.19.8\",utf8=\"h\xc3\xa9\"} 1\n"
        "x{}1\n";
    char *d = dig(LM_FORMAT_TEXT, page);
    const char *want =
        "H http_requests_total|The total \\ number\nof requests.\n"
        "T http_requests_total|counter\n"
        "S http_requests_total{method=post,code=200,} 40900c0000000000 @1395066363000 counter "
        "|http_requests_total{method=\"post\",code=\"200\"}|\n"
        "S http_requests_total{method=get,code=400,} 4008000000000000 @1395066363000 counter "
        "|http_requests_total { method = \"get\" , code=\"400\", }|\n"
        "C A free comment\n"
        "C no blank comment\n"
        "S msdos_file_access_time_seconds{path=C:\\DIR\\FILE.TXT,error=Cannot find file:\n"
        "\"FILE.TXT\",} 41d5bace0ac00000 0 unknown |msdos_file_access_time_seconds{path=\"C:\\\\DIR"
        "\\\\FILE.TXT\",error=\"Cannot find file:\\n\\\"FILE.TXT\\\"\"}|\n"
        "S metric_without_timestamp_and_labels{} 4028f0a3d70a3d71 0 unknown "
        "|metric_without_timestamp_and_labels|\n"
        /* -3982045 is not a valid timestamp (digits only): the page stops there */
        "ERROR 10:50: expected timestamp or new record, got \"VALUE\"\n";
    ck_assert_str_eq(d, want);
    ck_assert(bits(1.458255915e9) == 0x41d5bace0ac00000ULL);
    free(d);

    /* the same page without the negative timestamp parses to the end */
    const char *page2 =
        "something_weird{problem=\"division by zero\"} +Inf 3982045\n"
        "# TYPE rpc_duration_seconds summary\n"
        "rpc_duration_seconds{quantile=\"0.99\"} 76656\n"
        "rpc_duration_seconds_sum 1.7560473e+07\n"
        "rpc_duration_seconds_count 2693\n"
        "other 1\n"
        "go_info{version=\"go1.19.8\",utf8=\"h\xc3\xa9\"} 1\n"
        "x{}1\n";
    d = dig(LM_FORMAT_TEXT, page2);
    const char *want2 =
        "S something_weird{problem=division by zero,} 7ff0000000000000 @3982045 unknown "
        "|something_weird{problem=\"division by zero\"}|\n"
        "T rpc_duration_seconds|summary\n"
        "S rpc_duration_seconds{quantile=0.99,} 40f2b70000000000 0 summary "
        "|rpc_duration_seconds{quantile=\"0.99\"}|\n"
        "S rpc_duration_seconds_sum{} 4170bf3990000000 0 summary |rpc_duration_seconds_sum|\n"
        "S rpc_duration_seconds_count{} 40a50a0000000000 0 summary |rpc_duration_seconds_count|\n"
        "S other{} 3ff0000000000000 0 unknown |other|\n"
        "S go_info{version=go1.19.8,utf8=h\xc3\xa9,} 3ff0000000000000 0 unknown "
        "|go_info{version=\"go1.19.8\",utf8=\"h\xc3\xa9\"}|\n"
        "S x{} 3ff0000000000000 0 unknown |x{}|\n"
        "END\n";
    ck_assert_str_eq(d, want2);
    free(d);
}
END_TEST

START_TEST(om_entries)
{
    const char *page =
        "# HELP foo_seconds A \\\"quoted\\\" help\\\\n\n"
        "# TYPE foo_seconds counter\n"
        "# UNIT foo_seconds seconds\n"
        "foo_seconds_total{a=\"1\"} 17 1520879607.789 # {trace_id=\"abc\"} 0.5 1520879607.001\n"
        "foo_seconds_created{a=\"1\"} 1520430000.123\n"
        "foo_seconds_total{a=\"2\"} 1 # {} 2\n"
        "# TYPE st stateset\n"
        "st{st=\"a\"} 1\n"
        "# TYPE build info\n"
        "build_info{v=\"1\"} 1\n"
        "# HELP empty \n"
        "# EOF";
    char *d = dig(LM_FORMAT_OPENMETRICS, page);
    char want[2048];
    int64_t ts = (int64_t)(strtod("1520879607.789", NULL) * 1000.0);
    int64_t ets = (int64_t)(strtod("1520879607.001", NULL) * 1000.0);
    snprintf(want, sizeof want,
             "H foo_seconds|A \"quoted\" help\\n\n"
             "T foo_seconds|counter\n"
             "U foo_seconds|seconds\n"
             "S foo_seconds_total{a=1,} 4031000000000000 @%" PRId64 " counter "
             "|foo_seconds_total{a=\"1\"}| #{trace_id=abc,} 3fe0000000000000 1:%" PRId64 "\n"
             "S foo_seconds_created{a=1,} %016" PRIx64 " 0 counter |foo_seconds_created{a=\"1\"}|\n"
             "S foo_seconds_total{a=2,} 3ff0000000000000 0 counter |foo_seconds_total{a=\"2\"}| "
             "#{} 4000000000000000 0:0\n"
             "T st|stateset\n"
             "S st{st=a,} 3ff0000000000000 0 stateset |st{st=\"a\"}|\n"
             "T build|info\n"
             "S build_info{v=1,} 3ff0000000000000 0 info |build_info{v=\"1\"}|\n"
             "H empty|\n"
             "EOF\n"
             "END\n",
             ts, ets, bits(1520430000.123));
    ck_assert_str_eq(d, want);
    free(d);
}
END_TEST

START_TEST(floats_exact)
{
    static const struct {
        const char *s;   /* value text */
        uint64_t want;   /* expected bits */
    } cases[] = {
        {"0.1", 0x3fb999999999999aULL},
        {"1.7976931348623157e308", 0x7fefffffffffffffULL},
        {"5e-324", 0x1ULL},
        {"4.9406564584124654e-324", 0x1ULL},
        {"2.4703282292062327e-324", 0x0ULL},
        {"2.4703282292062328e-324", 0x1ULL},
        {"-0", 0x8000000000000000ULL},
        {"-0.0e5", 0x8000000000000000ULL},
        {"0", 0x0ULL},
        {"9007199254740993", 0x4340000000000000ULL},
        {"9007199254740992", 0x4340000000000000ULL},
        {"9007199254740995", 0x4340000000000002ULL},
        {"+Inf", 0x7ff0000000000000ULL},
        {"-Inf", 0xfff0000000000000ULL},
        {"Inf", 0x7ff0000000000000ULL},
        {"inf", 0x7ff0000000000000ULL},
        {"-infinity", 0xfff0000000000000ULL},
        {"InFiNiTy", 0x7ff0000000000000ULL},
        {"NaN", 0x7ff8000000000001ULL},
        {"nan", 0x7ff8000000000001ULL},
        {"NAN", 0x7ff8000000000001ULL},
        {"1.", 0x3ff0000000000000ULL},
        {".5", 0x3fe0000000000000ULL},
        {"1E2", 0x4059000000000000ULL},
        {"007", 0x401c000000000000ULL},
        {"1e-400", 0x0ULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char page[128];
        snprintf(page, sizeof page, "m %s\n", cases[i].s);
        char *d = dig(LM_FORMAT_TEXT, page);
        char want[64];
        snprintf(want, sizeof want, "S m{} %016" PRIx64 " ", cases[i].want);
        ck_assert_msg(strncmp(d, want, strlen(want)) == 0, "%s: got %s", cases[i].s, d);
        free(d);
    }
    /* tricky values must equal glibc's correctly rounded strtod */
    static const char *const tricky[] = {
        "1e-310", "2.2250738585072011e-308", "2.2250738585072012e-308", "0.30000000000000004",
        "123456789012345678901234567890", "8.98846567431158e307", "3.141592653589793238462643",
        "1.00000000000000011102230246251565404236316680908203125",
        "1.00000000000000011102230246251565404236316680908203124",
        "7.2057594037927933e16", "4503599627370496.5", "4503599627370497.5", "1e-22", "1e-23",
        "0.000000000000000000000000000000000000000000000000000000000000000000000000000000000001",
        "18446744073709551615", "1e22", "1e23", "18446744073709551616", "9223372036854775807",
    };
    for (size_t i = 0; i < sizeof tricky / sizeof tricky[0]; i++) {
        char page[256];
        snprintf(page, sizeof page, "m %s\n", tricky[i]);
        char *d = dig(LM_FORMAT_TEXT, page);
        char want[64];
        snprintf(want, sizeof want, "S m{} %016" PRIx64 " ", bits(strtod(tricky[i], NULL)));
        ck_assert_msg(strncmp(d, want, strlen(want)) == 0, "%s: got %s", tricky[i], d);
        free(d);
    }
    /* random doubles (%.17g), random short decimals (fast path) vs strtod */
    unsigned seed = 42;
    struct lm_parser *p = lm_parser_new(LM_FORMAT_TEXT);
    for (int i = 0; i < 20000; i++) {
        char page[96];
        uint64_t u = ((uint64_t)rand_r(&seed) << 33) ^ ((uint64_t)rand_r(&seed) << 11) ^
                     (uint64_t)rand_r(&seed);
        double v;
        memcpy(&v, &u, sizeof v);
        if (!isfinite(v))
            continue;
        int n = i % 2 ? snprintf(page, sizeof page, "m %.17g\n", v)
                      : snprintf(page, sizeof page, "m %d.%0*de%d\n", rand_r(&seed) % 100000,
                                 i % 7, rand_r(&seed) % 1000, rand_r(&seed) % 50 - 25);
        lm_parser_reset(p);
        lm_parser_feed(p, page, (size_t)n);
        lm_parser_finish(p);
        ck_assert_int_eq(lm_parser_next(p), LM_PARSE_SAMPLE);
        page[n - 1] = '\0';
        ck_assert_msg(bits(lm_parser_value(p)) == bits(strtod(page + 2, NULL)), "%s", page + 2);
    }
    lm_parser_free(p);
    static const char *const bad[] = {
        "+NaN", "-nan", "0x10", "0x1p3", "1_000", "1p5", "1e", "1e+", ".", "", "1e400",
        "-1e400", "1.5.2", "nan(1)", "infx", "in", "--1", "1,5", "e5", "Infinit", "1\r",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char page[64];
        snprintf(page, sizeof page, "m %s\n", bad[i]);
        char *d = dig(LM_FORMAT_TEXT, page);
        ck_assert_msg(strncmp(d, "ERROR 1:3: ", 11) == 0, "%s: got %s", bad[i], d);
        free(d);
    }
}
END_TEST

struct ecase {
    enum lm_format fmt;   /* format */
    const char *page;     /* input */
    const char *want;     /* "line:col: message" prefix */
};

#define D10 "0123456789"
static const struct ecase errors[] = {
    {LM_FORMAT_TEXT, "foo{a!=\"b\"} 1\n", "1:6: expected equal, got \"INVALID\""},
    {LM_FORMAT_TEXT, "foo{a=b} 1\n", "1:7: expected label value, got \"NAME\""},
    {LM_FORMAT_TEXT, "foo{a=\"b\",a=\"c\"} 1\n", "1:11: duplicate label name \"a\""},
    {LM_FORMAT_TEXT, "foo 1.2.3\n", "1:5: invalid float \"1.2.3\""},
    {LM_FORMAT_TEXT, "foo{a=\"b\"} 1\nbar 2", "2:6: unexpected end of input"},
    {LM_FORMAT_TEXT, "# TYPE foo counter\n# TYPE foo gauge\n",
     "2:1: second TYPE line for metric name \"foo\", or TYPE reported after samples"},
    {LM_FORMAT_TEXT, "foo 1\n# TYPE foo counter\n", "2:1: second TYPE line for metric name"},
    {LM_FORMAT_TEXT, "# HELP foo a\n# HELP foo b\n", "2:1: second HELP line for metric name"},
    {LM_FORMAT_TEXT, "# TYPE foo blah\n", "1:12: invalid metric type \"blah\""},
    {LM_FORMAT_TEXT, "# TYPE foo\n", "1:11: expected text in TYPE"},
    {LM_FORMAT_TEXT, "# HELP 9foo x\n", "1:8: expected metric name after HELP, got \"VALUE\""},
    {LM_FORMAT_TEXT, "# HELP foo bad \\t escape\n", "1:16: invalid escape sequence \"\\t\""},
    {LM_FORMAT_TEXT, "foo{a=\"\\q\"} 1\n", "1:8: invalid escape sequence \"\\q\""},
    {LM_FORMAT_TEXT, "1foo 1\n", "1:1: expected a valid start token, got \"VALUE\""},
    {LM_FORMAT_TEXT, "{a=\"b\"} 1\n", "1:1: expected a valid start token, got \"BOPEN\""},
    {LM_FORMAT_TEXT, "foo-bar 1\n", "1:4: invalid metric name"},
    {LM_FORMAT_TEXT, "foo 1 -5\n", "1:7: expected timestamp or new record, got \"VALUE\""},
    {LM_FORMAT_TEXT, "foo 1 99999999999999999999\n", "1:7: invalid timestamp"},
    {LM_FORMAT_TEXT, "foo 1 5 x\n", "1:9: expected next entry after timestamp, got \"NAME\""},
    {LM_FORMAT_TEXT, "foo{a=\"b\" c=\"d\"} 1\n", "1:11: expected comma or brace close"},
    {LM_FORMAT_TEXT, "foo{a=\"b} 1\n", "1:7: unterminated label value"},
    {LM_FORMAT_TEXT, "foo{a=\"\xff\"} 1\n", "1:8: invalid UTF-8 in label value"},
    {LM_FORMAT_TEXT, "foo{a=\"\xc3\"} 1\n", "1:8: invalid UTF-8 in label value"},
    {LM_FORMAT_TEXT, "foo{a=\"\xed\xa0\x80\"} 1\n", "1:8: invalid UTF-8"},
    {LM_FORMAT_TEXT, "foo\n", "1:4: expected value after metric, got \"LINEBREAK\""},
    {LM_FORMAT_TEXT, "foo{} \n", "1:7: expected value after metric"},
    {LM_FORMAT_TEXT, "foo +nan\n", "1:5: invalid float"},
    {LM_FORMAT_TEXT, "foo{__name__=\"x\"} 1\n", "1:5: label name \"__name__\" is reserved"},
    {LM_FORMAT_TEXT, "foo 1\r\n", "1:5: invalid float"},
    {LM_FORMAT_TEXT, "foo{,} 1\n", "1:5: expected label name, got \"COMMA\""},
    {LM_FORMAT_TEXT, "a 1\nb{x=\"1\"} 2\n\n  c{y=} 3\n", "4:7: expected label value"},
    {LM_FORMAT_TEXT, "foo{a=\"b\"}} 1\n", "1:11: invalid float \"}\""},
    {LM_FORMAT_OPENMETRICS, "foo 1\n", "2:1: data does not end with # EOF"},
    {LM_FORMAT_OPENMETRICS, "", "1:1: data does not end with # EOF"},
    {LM_FORMAT_OPENMETRICS, "foo 1", "1:6: data does not end with # EOF"},
    {LM_FORMAT_OPENMETRICS, "# EOF\nfoo 1\n", "2:1: unexpected data after # EOF"},
    {LM_FORMAT_OPENMETRICS, "# EOF\n\n", "2:1: unexpected data after # EOF"},
    {LM_FORMAT_OPENMETRICS, "# EOF \n", "1:1: expected \"# HELP\""},
    {LM_FORMAT_OPENMETRICS, "foo  1\n# EOF\n", "1:5: expected value after metric, got \"WHITESPACE\""},
    {LM_FORMAT_OPENMETRICS, "\n# EOF\n", "1:1: expected a valid start token, got \"LINEBREAK\""},
    {LM_FORMAT_OPENMETRICS, "# UNIT foo_seconds bytes\n# EOF\n",
     "1:20: unit \"bytes\" not a suffix of metric \"foo_seconds\""},
    {LM_FORMAT_OPENMETRICS, "foo 1 # {a=\"b\"} 1 2 3\n# EOF\n",
     "1:20: expected next entry after exemplar timestamp"},
    {LM_FORMAT_OPENMETRICS, "foo 1 NaN\n# EOF\n", "1:7: invalid timestamp"},
    {LM_FORMAT_OPENMETRICS, "foo 1 1e300\n# EOF\n", "1:7: invalid timestamp"},
    {LM_FORMAT_OPENMETRICS, "foo 1 # x\n# EOF\n", "1:7: expected \"# {\" to start an exemplar"},
    {LM_FORMAT_OPENMETRICS, "# comment\n# EOF\n", "1:1: expected \"# HELP\""},
    {LM_FORMAT_OPENMETRICS, "foo{a=\"b\" } 1\n# EOF\n", "1:10: expected comma or brace close"},
    {LM_FORMAT_OPENMETRICS, "# TYPE foo untyped\n# EOF\n", "1:12: invalid metric type"},
    {LM_FORMAT_OPENMETRICS, "# HELP foo\n# EOF\n", "1:11: expected text in HELP"},
    {LM_FORMAT_OPENMETRICS, "# TYPE foo counter\nfoo_total 1\n# TYPE foo counter\n# EOF\n",
     "3:1: second TYPE line for metric name \"foo\""},
    {LM_FORMAT_OPENMETRICS, "foo 1 # {a=\"" D10 D10 D10 D10 D10 D10 D10 D10 D10 D10 D10 D10 D10
     "\"} 1\n# EOF\n", "1:144: exemplar labels have 131 UTF-8 characters"},
    {LM_FORMAT_OPENMETRICS, "foo 1\t2\n# EOF\n", "1:5: invalid float"},
    {LM_FORMAT_OPENMETRICS, "foo 1 \n# EOF\n", "1:7: invalid timestamp"},
};

START_TEST(error_positions)
{
    const struct ecase *c = &errors[_i];
    char *d = dig(c->fmt, c->page);
    const char *last = d;
    for (const char *q = strchr(d, '\n'); q && q[1]; q = strchr(q + 1, '\n'))
        last = q + 1;
    ck_assert_msg(strncmp(last, "ERROR ", 6) == 0 && strncmp(last + 6, c->want, strlen(c->want)) == 0,
                  "case %d: want %s, got:\n%s", _i, c->want, d);
    free(d);
}
END_TEST

/* read_file: whole file (caller frees) or NULL. */
static char *
read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *s = malloc((size_t)n + 1);
    if (s && fread(s, 1, (size_t)n, f) != (size_t)n) {
        free(s);
        s = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return s;
}

static const char *
fixture_dir(void)
{
    const char *d = getenv("LM_PARSE_FIXTURES");
    return d ? d : "tests/fixtures/libmetrics/parse";
}

START_TEST(fixtures_chunked)
{
    DIR *dir = opendir(fixture_dir());
    ck_assert_msg(dir != NULL, "cannot open %s (run from the repository root)", fixture_dir());
    struct dirent *de;
    int files = 0;
    while ((de = readdir(dir))) {
        size_t nl = strlen(de->d_name);
        if (nl < 5 || strcmp(de->d_name + nl - 5, ".prom") != 0)
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", fixture_dir(), de->d_name);
        size_t len;
        char *page = read_file(path, &len);
        ck_assert_ptr_nonnull(page);
        char *whole = digest(LM_FORMAT_TEXT, page, len, 0);
        const char *end = whole + strlen(whole) - 4;
        ck_assert_msg(strcmp(end, "END\n") == 0, "%s: %s", path, strstr(whole, "ERROR"));
        static const long chunks[] = {1, 2, 3, 7, 61, 4096, -17, -300};
        for (size_t i = 0; i < sizeof chunks / sizeof chunks[0]; i++) {
            char *part = digest(LM_FORMAT_TEXT, page, len, chunks[i]);
            ck_assert_msg(strcmp(whole, part) == 0, "%s: chunk %ld differs", path, chunks[i]);
            free(part);
        }
        free(whole);
        free(page);
        files++;
    }
    closedir(dir);
    ck_assert_int_ge(files, 5);
}
END_TEST

START_TEST(om_chunked)
{
    const char *page =
        "# HELP a_seconds Help \\\"x\\\" \\\\ \\n\n# TYPE a_seconds histogram\n# UNIT a_seconds "
        "seconds\na_seconds_bucket{le=\"0.1\",x=\"\\\"q\\\"\"} 1 # {id=\"\xe2\x82\xac\"} 0.05 "
        "123.5\na_seconds_bucket{le=\"+Inf\",x=\"\\\"q\\\"\"} 2 1.5e9\na_seconds_sum{x=\"\\\"q\\\""
        "\"} 0.3\na_seconds_count{x=\"\\\"q\\\"\"} 2\n# EOF\n";
    char *whole = dig(LM_FORMAT_OPENMETRICS, page);
    ck_assert_msg(strstr(whole, "EOF\nEND\n") != NULL, "%s", whole);
    for (long c = 1; c < 40; c++) {
        char *part = digest(LM_FORMAT_OPENMETRICS, page, strlen(page), c);
        ck_assert_str_eq(whole, part);
        free(part);
    }
    free(whole);
}
END_TEST

START_TEST(stream_100mb)
{
    enum { CHUNK = 64 * 1024 };
    static char buf[2 * CHUNK + 256];
    size_t have = 0, total = 0;
    long made = 0, seen = 0;
    double sum = 0;
    struct lm_parser *p = lm_parser_new(LM_FORMAT_TEXT);
    ck_assert_ptr_nonnull(p);
    lm_alloc_fail_after(0);
    for (int last = 0; !last;) {
        while (have < CHUNK && total + have < 100UL * 1024 * 1024) {
            int n = snprintf(buf + have, sizeof buf - have,
                             "stream_total{instance=\"host-%07ld\",job=\"node\",mode=\"i\\\\dle\"} %ld\n",
                             made, made % 1000);
            have += (size_t)n;
            made++;
        }
        size_t n = have < CHUNK ? have : CHUNK;
        last = n == have && total + have >= 100UL * 1024 * 1024;
        ck_assert_int_eq(lm_parser_feed(p, buf, n), 0);
        if (last)
            lm_parser_finish(p);
        enum lm_parse_entry e;
        while ((e = lm_parser_next(p)) == LM_PARSE_SAMPLE) {
            seen++;
            sum += lm_parser_value(p);
        }
        ck_assert_msg(e == LM_PARSE_NEED_MORE || (last && e == LM_PARSE_END), "%s %s",
                      lm_parser_error(p)->where, lm_parser_error(p)->msg);
        memmove(buf, buf + n, have - n);
        have -= n;
        total += n;
    }
    ck_assert_int_ge(total, 100UL * 1024 * 1024);
    ck_assert_int_eq(seen, made);
    double want = 0;
    for (long i = 0; i < made; i++)
        want += (double)(i % 1000);
    ck_assert(sum == want);
    /* bounded memory: a handful of buffer growths, none per line */
    ck_assert_int_le(lm_alloc_count(), 8);
    lm_parser_free(p);
}
END_TEST

START_TEST(oom_torture)
{
    /* needs the parser, the carry (straddling line), scratch (escapes) and numbuf */
    char page[512];
    int n = snprintf(page, sizeof page,
                     "# HELP m Some \\\\ help\nm{a=\"x\\\"y\",b=\"\\n\"} 0.%0120d1 17\nm 2\n", 0);
    int ok = 0;
    for (long k = 1; k < 100 && !ok; k++) {
        lm_alloc_fail_after(k);
        struct lm_parser *p = lm_parser_new(LM_FORMAT_TEXT);
        if (!p)
            continue;
        enum lm_parse_entry e = LM_PARSE_NEED_MORE;
        int off = 0, samples = 0;
        while (e != LM_PARSE_END && e != LM_PARSE_ERROR) {
            if (e == LM_PARSE_NEED_MORE) {
                int c = off + 30 < n ? 30 : n - off;
                lm_parser_feed(p, page + off, (size_t)c);
                off += c;
                if (off == n)
                    lm_parser_finish(p);
            }
            e = lm_parser_next(p);
            samples += e == LM_PARSE_SAMPLE;
        }
        if (e == LM_PARSE_ERROR)
            ck_assert_msg(lm_parser_error(p)->code == LM_ENOMEM, "k=%ld: %s", k,
                          lm_parser_error(p)->msg);
        else {
            ck_assert_int_eq(samples, 2);
            ok = 1;
        }
        lm_parser_free(p);
    }
    lm_alloc_fail_after(0);
    ck_assert(ok);
}
END_TEST

START_TEST(misuse_and_reset)
{
    struct lm_parser *p = lm_parser_new(LM_FORMAT_TEXT);
    ck_assert_int_eq(lm_parser_next(p), LM_PARSE_NEED_MORE);
    ck_assert_int_eq(lm_parser_feed(p, "a 1\nb 2\n", 8), 0);
    ck_assert_int_eq(lm_parser_feed(p, "c 3\n", 4), LM_EINVAL);
    ck_assert_int_eq(lm_parser_next(p), LM_PARSE_ERROR);
    ck_assert_int_eq(lm_parser_next(p), LM_PARSE_ERROR);
    lm_parser_reset(p);
    ck_assert_int_eq(lm_parser_feed(p, "c 3\n", 4), 0);
    ck_assert_int_eq(lm_parser_next(p), LM_PARSE_SAMPLE);
    ck_assert_int_eq(lm_parser_line(p), 1);
    ck_assert_int_eq(lm_parser_next(p), LM_PARSE_NEED_MORE);
    lm_parser_finish(p);
    ck_assert_int_eq(lm_parser_next(p), LM_PARSE_END);
    ck_assert_int_eq(lm_parser_next(p), LM_PARSE_END);
    /* lenient end of line for textfile collector files */
    lm_parser_reset(p);
    lm_parser_allow_missing_eol(p, 1);
    lm_parser_feed(p, "a 1\nb 2", 7);
    lm_parser_finish(p);
    ck_assert_int_eq(lm_parser_next(p), LM_PARSE_SAMPLE);
    ck_assert_int_eq(lm_parser_next(p), LM_PARSE_SAMPLE);
    ck_assert(lm_parser_value(p) == 2);
    ck_assert_int_eq(lm_parser_next(p), LM_PARSE_END);
    lm_parser_free(p);
    lm_parser_free(NULL);
}
END_TEST

Suite *parse_suite(void);

Suite *
parse_suite(void)
{
    Suite *s = suite_create("parse");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, text_entries);
    tcase_add_test(tc, om_entries);
    tcase_add_test(tc, floats_exact);
    tcase_add_loop_test(tc, error_positions, 0, (int)(sizeof errors / sizeof errors[0]));
    tcase_add_test(tc, fixtures_chunked);
    tcase_add_test(tc, om_chunked);
    tcase_add_test(tc, stream_100mb);
    tcase_add_test(tc, oom_torture);
    tcase_add_test(tc, misuse_and_reset);
    suite_add_tcase(s, tc);
    return s;
}

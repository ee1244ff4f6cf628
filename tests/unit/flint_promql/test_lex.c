/* SPDX-License-Identifier: Apache-2.0 */
/* test_lex.c: the PromQL lexer (token kinds and boundaries, keywords case-insensitive,
 * durations only inside brackets, comments, error tokens) and the Go-compatible literal
 * helpers (numbers, durations, unquoting, quoting), with expectations taken from
 * Prometheus 2.42 and Go's strconv. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "flint/promql/lex.h"
#include "lm/alloc.h"
#include "lm/buf.h"

Suite *lex_suite(void);

/* tokens: the token kinds of q, with their text, as "KIND:text KIND:text ...". */
static void tokens(const char *q, char *out, size_t outsz)
{
    struct pql_lexer l;
    struct pql_token t;
    pql_lex_init(&l, q, strlen(q));
    out[0] = 0;
    size_t used = 0;
    for (int i = 0; i < 64; i++) {
        pql_lex_next(&l, &t);
        used += (size_t)snprintf(out + used, outsz - used, "%s%d:%.*s", i ? " " : "",
                                 (int)t.type, (int)t.len, q + t.pos);
        if (t.type == PQL_TK_EOF || t.type == PQL_TK_ERROR)
            break;
    }
}


START_TEST(token_kinds)
{
    struct { const char *q; enum pql_tok_type want[12]; } cases[] = {
        {"sum by (job) (rate(x[5m]))",
         {PQL_TK_SUM, PQL_TK_BY, PQL_TK_LEFT_PAREN, PQL_TK_IDENTIFIER, PQL_TK_RIGHT_PAREN,
          PQL_TK_LEFT_PAREN, PQL_TK_IDENTIFIER, PQL_TK_LEFT_PAREN, PQL_TK_IDENTIFIER,
          PQL_TK_LEFT_BRACKET, PQL_TK_DURATION, PQL_TK_RIGHT_BRACKET}},
        {"SUM Or uNLess atan2 inf NaN a:b", {PQL_TK_SUM, PQL_TK_LOR, PQL_TK_LUNLESS,
          PQL_TK_ATAN2, PQL_TK_NUMBER, PQL_TK_NUMBER, PQL_TK_METRIC_IDENTIFIER, PQL_TK_EOF}},
        {"{by=~\"x\",offset!~'y'}", {PQL_TK_LEFT_BRACE, PQL_TK_IDENTIFIER, PQL_TK_EQL_REGEX,
          PQL_TK_STRING, PQL_TK_COMMA, PQL_TK_IDENTIFIER, PQL_TK_NEQ_REGEX, PQL_TK_STRING,
          PQL_TK_RIGHT_BRACE, PQL_TK_EOF}},
        {"x[5m:1m] @ start() offset -1h", {PQL_TK_IDENTIFIER, PQL_TK_LEFT_BRACKET,
          PQL_TK_DURATION, PQL_TK_COLON, PQL_TK_DURATION, PQL_TK_RIGHT_BRACKET, PQL_TK_AT,
          PQL_TK_START, PQL_TK_LEFT_PAREN, PQL_TK_RIGHT_PAREN, PQL_TK_OFFSET, PQL_TK_SUB}},
        {"a==b!=c<=d<e>=f>g # c\n^ 0x1F .5 1e-3", {PQL_TK_IDENTIFIER, PQL_TK_EQLC,
          PQL_TK_IDENTIFIER, PQL_TK_NEQ, PQL_TK_IDENTIFIER, PQL_TK_LTE, PQL_TK_IDENTIFIER,
          PQL_TK_LSS, PQL_TK_IDENTIFIER, PQL_TK_GTE, PQL_TK_IDENTIFIER, PQL_TK_GTR}},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        struct pql_lexer l;
        struct pql_token t;
        pql_lex_init(&l, cases[c].q, strlen(cases[c].q));
        for (size_t i = 0; i < 12; i++) {
            if (!cases[c].want[i] && i > 0)
                break;
            pql_lex_next(&l, &t);
            ck_assert_msg(t.type == cases[c].want[i], "%s: token %zu is %d, want %d",
                          cases[c].q, i, (int)t.type, (int)cases[c].want[i]);
        }
    }
    char out[512];
    tokens("x # comment\n+ 1h30m", out, sizeof out);
    /* a duration outside brackets is a DURATION token; the comment is a token too */
    char want[256];
    snprintf(want, sizeof want, "%d:x %d:# comment %d:+ %d:1h30m %d:", PQL_TK_IDENTIFIER,
             PQL_TK_COMMENT, PQL_TK_ADD, PQL_TK_DURATION, PQL_TK_EOF);
    ck_assert_str_eq(out, want);
}
END_TEST

START_TEST(token_errors)
{
    struct { const char *q; const char *msg; uint32_t pos; } cases[] = {
        {"x[5m", "unclosed left bracket", 4},
        {"(x", "unclosed left parenthesis", 2},
        {"x)", "unexpected right parenthesis ')'", 2},
        {"\"a", "unterminated quoted string", 0},
        {"`a", "unterminated raw string", 0},
        {"x{a", "unexpected end of input inside braces", 3},
        {"x{a!b}", "unexpected character after '!' inside braces: 'b'", 3},
        {"\"\\q\"", "unknown escape sequence U+0071 'q'", 0},
        {"\"\\xg\"", "illegal character U+0067 'g' in escape sequence", 0},
        {"\"\\400\"", "escape sequence is an invalid Unicode code point", 0},
        {"x[1]", "missing unit character in duration", 2},
        {"x[a]", "bad duration syntax: \"\"", 2},
        {"1_0", "bad number or duration syntax: \"1\"", 0},
        {"\xff", "unexpected character: '\xef\xbf\xbd'", 0},
        {"\"\xff\"", "invalid UTF-8 rune", 0},
        {"x[5m:a]", "unexpected colon 'a'", 5},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        struct pql_lexer l;
        struct pql_token t;
        pql_lex_init(&l, cases[c].q, strlen(cases[c].q));
        do {
            pql_lex_next(&l, &t);
        } while (t.type != PQL_TK_ERROR && t.type != PQL_TK_EOF);
        ck_assert_msg(t.type == PQL_TK_ERROR, "%s: no error", cases[c].q);
        ck_assert_str_eq(l.err, cases[c].msg);
        ck_assert_uint_eq(t.pos, cases[c].pos);
        pql_lex_next(&l, &t); /* stays at EOF after an error */
        ck_assert_int_eq(t.type, PQL_TK_EOF);
    }
}
END_TEST

START_TEST(numbers)
{
    struct { const char *s; double v; } ok[] = {
        {"42", 42}, {"1.5", 1.5}, {".5", 0.5}, {"1e3", 1000}, {"1E-3", 0.001}, {"0x1f", 31},
        {"0X1F", 31}, {"010", 8}, {"08", 8}, {"09.5", 9.5}, {"1.", 1}, {"1e-400", 0},
        {"99999999999999999999", 1e20}, {"9223372036854775807", 9223372036854775807.0},
    };
    char msg[200];
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        double v = -1;
        ck_assert_int_eq(pql_parse_number(ok[i].s, strlen(ok[i].s), &v, msg, sizeof msg), 0);
        ck_assert_msg(v == ok[i].v, "%s -> %g", ok[i].s, v);
    }
    double v;
    ck_assert_int_eq(pql_parse_number("Inf", 3, &v, msg, sizeof msg), 0);
    ck_assert(isinf(v) && v > 0);
    ck_assert_int_eq(pql_parse_number("nAn", 3, &v, msg, sizeof msg), 0);
    ck_assert(isnan(v));
    ck_assert_int_ne(pql_parse_number("1e", 2, &v, msg, sizeof msg), 0);
    ck_assert_str_eq(msg, "strconv.ParseFloat: parsing \"1e\": invalid syntax");
    ck_assert_int_ne(pql_parse_number("1e400", 5, &v, msg, sizeof msg), 0);
    ck_assert_str_eq(msg, "strconv.ParseFloat: parsing \"1e400\": value out of range");
    ck_assert_int_ne(pql_parse_number("0x", 2, &v, msg, sizeof msg), 0);
    ck_assert_int_ne(pql_parse_number("0x1.8", 5, &v, msg, sizeof msg), 0);
}
END_TEST

START_TEST(durations)
{
    struct { const char *s; int64_t ms; } ok[] = {
        {"5m", 300000}, {"1h30m", 5400000}, {"1y", 31536000000LL}, {"2w", 1209600000},
        {"1d", 86400000}, {"1500ms", 1500}, {"1m5ms", 60005}, {"1s1ms", 1001},
        {"1y1w1d1h1m1s1ms", 31536000000LL + 604800000 + 86400000 + 3600000 + 60000 + 1001},
    };
    char msg[200];
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        int64_t ms = -1;
        ck_assert_int_eq(pql_parse_duration(ok[i].s, strlen(ok[i].s), &ms, msg, sizeof msg), 0);
        ck_assert_int_eq(ms, ok[i].ms);
    }
    struct { const char *s; const char *msg; } bad[] = {
        {"0s", "duration must be greater than 0"},
        {"30m1h", "not a valid duration string: \"30m1h\""},
        {"1.5m", "not a valid duration string: \"1.5m\""},
        {"1hs", "not a valid duration string: \"1hs\""},
        {"999999999999y", "duration out of range"},
        {"106752d", "duration out of range"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int64_t ms;
        ck_assert_int_ne(pql_parse_duration(bad[i].s, strlen(bad[i].s), &ms, msg, sizeof msg), 0);
        ck_assert_str_eq(msg, bad[i].msg);
    }
}
END_TEST

START_TEST(unquote)
{
    struct { const char *q; const char *want; size_t len; } ok[] = {
        {"\"a\\nb\"", "a\nb", 3}, {"'a\"b'", "a\"b", 3}, {"`a\\nb`", "a\\nb", 4},
        {"\"\\u00e9\\x41\\101\"", "\xc3\xa9" "AA", 4}, {"\"\"", "", 0},
        {"\"\\x00\"", "\0", 1}, {"\"\\U0001F600\"", "\xf0\x9f\x98\x80", 4},
        {"'\\''", "'", 1}, {"\"\\a\\b\\f\\r\\t\\v\\\\\"", "\a\b\f\r\t\v\\", 7},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        char *s;
        size_t len;
        ck_assert_int_eq(pql_unquote(ok[i].q, strlen(ok[i].q), &s, &len), 0);
        ck_assert_uint_eq(len, ok[i].len);
        ck_assert(memcmp(s, ok[i].want, len) == 0);
        lm_free(s);
    }
    const char *bad[] = {"\"a\nb\"", "\"\\'\"", "'\\\"'", "\"\\400\"", "\"\\ud800\"", "\"a'",
                         "x", "\"\\x4\"", "`a`b`"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *s;
        size_t len;
        ck_assert_int_eq(pql_unquote(bad[i], strlen(bad[i]), &s, &len), -1);
        ck_assert_ptr_null(s);
    }
}
END_TEST

START_TEST(quote)
{
    struct { const char *s; size_t n; const char *want; } cases[] = {
        {"a\"b\\c", 5, "\"a\\\"b\\\\c\""},
        {"\n\t\x01\x7f", 4, "\"\\n\\t\\x01\\x7f\""},
        {"\xc3\xa9\xc2\xa0", 4, "\"\xc3\xa9\\u00a0\""},      /* é printable, NBSP not */
        {"\xff", 1, "\"\\xff\""},                              /* invalid UTF-8 */
        {"\xe2\x80\x8b", 3, "\"\\u200b\""},                    /* zero-width space */
        {"\xf3\xa0\x80\x81", 4, "\"\\U000e0001\""},
        {"\0", 1, "\"\\x00\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct lm_buf b;
        lm_buf_init(&b, 1024);
        pql_quote(&b, cases[i].s, cases[i].n);
        ck_assert_str_eq(lm_buf_cstr(&b), cases[i].want);
        lm_buf_cleanup(&b);
    }
    struct lm_buf b;
    lm_buf_init(&b, 1024);
    pql_quote_trunc(&b, "\"abcdefghijkl\"", 14, 10);
    ck_assert_str_eq(lm_buf_cstr(&b), "\"\\\"abcdefghi\"");
    lm_buf_reset(&b);
    pql_quote_rune(&b, '\'');
    pql_quote_rune(&b, -1);
    pql_rune_U(&b, 'g');
    pql_rune_U(&b, 1);
    ck_assert_str_eq(lm_buf_cstr(&b), "'\\'''\xef\xbf\xbd'U+0067 'g'U+0001");
    lm_buf_reset(&b);
    pql_fmt_f6(&b, 1e20);
    pql_fmt_f6(&b, -INFINITY);
    ck_assert_str_eq(lm_buf_cstr(&b), "100000000000000000000.000000-Inf");
    lm_buf_cleanup(&b);
}
END_TEST

Suite *lex_suite(void)
{
    Suite *s = suite_create("lex");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, token_kinds);
    tcase_add_test(tc, token_errors);
    tcase_add_test(tc, numbers);
    tcase_add_test(tc, durations);
    tcase_add_test(tc, unquote);
    tcase_add_test(tc, quote);
    suite_add_tcase(s, tc);
    return s;
}

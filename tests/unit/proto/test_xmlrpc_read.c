/* SPDX-License-Identifier: Apache-2.0 */
/* test_xmlrpc_read.c: the XML reader under proto_xmlrpc_parse_response (xmlrpc_lex.c,
 * xmlrpc_read.c): entities and character references, line ends, comments, PIs, CDATA,
 * attributes and namespace prefixes, the XML declaration and encodings, whitespace
 * between elements, every value type with surrounding blanks, faults, lexical errors
 * with their line, and every truncation of a real supervisord reply. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "proto/xmlrpc.h"

#define HEAD "<methodResponse><params><param><value>"
#define TAIL "</value></param></params></methodResponse>"

/* parse: s as a response; the return code, the tree in *v. */
static int
parse(const char *s, struct proto_xmlrpc_value **v, struct lm_err *err)
{
    lm_err_clear(err);
    return proto_xmlrpc_parse_response(s, strlen(s), v, NULL, err);
}

/* str_of: the string the single-value document HEAD inner TAIL holds ("" check). */
static void
check_string(const char *inner, const char *want, size_t want_len)
{
    char doc[1024];
    struct proto_xmlrpc_value *v;
    struct lm_err err;
    size_t n;
    snprintf(doc, sizeof doc, HEAD "%s" TAIL, inner);
    ck_assert_msg(parse(doc, &v, &err) == 0, "%s: %s", inner, err.msg);
    const char *s = proto_xmlrpc_string_view(v, &n);
    ck_assert_msg(s, "%s: not a string", inner);
    ck_assert_uint_eq(n, want_len);
    ck_assert_msg(!memcmp(s, want, n), "%s: got \"%s\"", inner, s);
    ck_assert_int_eq(s[n], '\0');
    proto_xmlrpc_value_free(v);
}

START_TEST(test_entities)
{
    check_string("<string>&lt;&gt;&amp;&quot;&apos;</string>", "<>&\"'", 5);
    check_string("a&#65;&#x42;&#x263a;&#x1F600;", "aAB\xe2\x98\xba\xf0\x9f\x98\x80", 10);
    check_string("<string>&#9;&#10;&#13;</string>", "\t\n\r", 3);
    check_string("<string>x\r\ny\rz</string>", "x\ny\nz", 5);
    check_string("<string><![CDATA[a&amp;<b>]]>&amp;</string>", "a&amp;<b>&", 10);
    check_string("<string>a<!-- c <x> -->b<?pi x?>c</string>", "abc", 3);
    check_string("<string>  spaced  </string>", "  spaced  ", 10);
    check_string("", "", 0);
    check_string("<string/>", "", 0);
    check_string("\xc3\xa9t\xc3\xa9", "\xc3\xa9t\xc3\xa9", 5);
}
END_TEST

START_TEST(test_scalars_with_blanks)
{
    struct proto_xmlrpc_value *v;
    struct lm_err err;
    int64_t i;
    double d;
    bool b;
    ck_assert_int_eq(parse(HEAD "\n  <int> 42\n</int>\n " TAIL, &v, &err), 0);
    ck_assert_int_eq(proto_xmlrpc_get_int(v, &i), 0);
    ck_assert_int_eq(i, 42);
    proto_xmlrpc_value_free(v);
    ck_assert_int_eq(parse(HEAD "<i4>-2147483648</i4>" TAIL, &v, &err), 0);
    ck_assert_int_eq(proto_xmlrpc_get_int(v, &i), 0);
    ck_assert_int_eq(i, INT32_MIN);
    proto_xmlrpc_value_free(v);
    ck_assert_int_eq(parse(HEAD "<boolean>false</boolean>" TAIL, &v, &err), 0);
    ck_assert_int_eq(proto_xmlrpc_type(v), PROTO_XMLRPC_BOOL);
    ck_assert_int_eq(proto_xmlrpc_get_bool(v, &b), 0);
    ck_assert(!b);
    proto_xmlrpc_value_free(v);
    ck_assert_int_eq(parse(HEAD "<double>&#32;1e-3</double>" TAIL, &v, &err), 0);
    ck_assert_int_eq(proto_xmlrpc_get_double(v, &d), 0);
    ck_assert(d == 1e-3);
    proto_xmlrpc_value_free(v);
    ck_assert_int_eq(parse(HEAD "<nil></nil>" TAIL, &v, &err), 0);
    ck_assert_int_eq(proto_xmlrpc_type(v), PROTO_XMLRPC_NIL);
    proto_xmlrpc_value_free(v);
    ck_assert_int_eq(parse(HEAD "<base64>\n  YWJj\n  ZA==\n</base64>" TAIL, &v, &err), 0);
    size_t n;
    ck_assert_str_eq(proto_xmlrpc_string_view(v, &n), "abcd");
    ck_assert_uint_eq(n, 4);
    proto_xmlrpc_value_free(v);
    /* an empty struct, an array of mixed values, members with blanks and comments */
    ck_assert_int_eq(parse(HEAD "<array>\n<data>\n<value>a</value>\n<value><int>1</int>"
                           "</value><!-- c -->\n<value><struct>\n<member>\n<name> k </name>"
                           "\n<value><i8>-5</i8></value>\n</member>\n</struct></value>\n"
                           "</data>\n</array>" TAIL, &v, &err), 0);
    ck_assert_uint_eq(proto_xmlrpc_len(v), 3);
    ck_assert_str_eq(proto_xmlrpc_string_view(proto_xmlrpc_at(v, 0), NULL), "a");
    ck_assert_str_eq(proto_xmlrpc_member_name(proto_xmlrpc_at(v, 2), 0), " k ");
    ck_assert_int_eq(proto_xmlrpc_get_int(proto_xmlrpc_member(proto_xmlrpc_at(v, 2), " k "),
                                          &i), 0);
    ck_assert_int_eq(i, -5);
    proto_xmlrpc_value_free(v);
}
END_TEST

START_TEST(test_prolog_and_attributes)
{
    static const char *const good[] = {
        "\xef\xbb\xbf<?xml version=\"1.0\" encoding=\"utf-8\"?>\n" HEAD "x" TAIL,
        "<?xml version='1.0' encoding='US-ASCII' standalone='yes' ?>" HEAD "x" TAIL,
        "<!-- lead -->\n<?pi data?>\n" HEAD "x" TAIL "\n<!-- trail -->\n",
        "<methodResponse xmlns:ex=\"u&amp;v\" a = 'b>c'><params ><param\n>"
        "<value >x</value ></param></params></methodResponse >",
        "<m:methodResponse xmlns:m='x'><params><param><value><m:string>x</m:string>"
        "</value></param></params></m:methodResponse>",
    };
    for (size_t k = 0; k < sizeof good / sizeof good[0]; k++) {
        struct proto_xmlrpc_value *v;
        struct lm_err err;
        ck_assert_msg(parse(good[k], &v, &err) == 0, "good %zu: %s", k, err.msg);
        ck_assert_str_eq(proto_xmlrpc_string_view(v, NULL), "x");
        proto_xmlrpc_value_free(v);
    }
}
END_TEST

START_TEST(test_lexical_errors)
{
    static const struct {
        const char *doc;
        const char *msg;     /* substring of err.msg */
        const char *where;   /* err.where */
    } cases[] = {
        {"<?xml version='1.0' encoding='ISO-8859-1'?>" HEAD TAIL, "unsupported encoding", "line 1"},
        {"<?xml version='1.0' encoding='UTF-16'?>" HEAD TAIL, "unsupported encoding", "line 1"},
        {"\n" HEAD "a\x01" "b" TAIL, "not a valid character", "line 2"},
        {HEAD "\xc3" TAIL, "not a valid character", "line 1"},
        {HEAD "\xc0\xaf" TAIL, "not a valid character", "line 1"},          /* overlong */
        {HEAD "\xed\xa0\x80" TAIL, "not a valid character", "line 1"},      /* surrogate */
        {HEAD "\xf4\x90\x80\x80" TAIL, "not a valid character", "line 1"},  /* > U+10FFFF */
        {HEAD "&#0;" TAIL, "bad reference", "line 1"},
        {HEAD "&#xD800;" TAIL, "bad reference", "line 1"},
        {HEAD "&#x110000;" TAIL, "bad reference", "line 1"},
        {HEAD "&#;" TAIL, "bad reference", "line 1"},
        {HEAD "&#x;" TAIL, "bad reference", "line 1"},
        {HEAD "&#12a;" TAIL, "bad reference", "line 1"},
        {HEAD "&amp" TAIL, "bad reference", "line 1"},
        {HEAD "a & b" TAIL, "bad reference", "line 1"},
        {"\n\n" HEAD "&nbsp;" TAIL, "undefined entity", "line 3"},
        {HEAD "a]]>b" TAIL, "\"]]>\" in text", "line 1"},
        {HEAD "<!-- a -- b -->" TAIL, "inside a comment", "line 1"},
        {HEAD "<!-- a " TAIL, "unterminated comment", "line 1"},
        {HEAD "<![CDATA[ a " TAIL, "unterminated CDATA", "line 1"},
        {HEAD "<?pi " TAIL, "unterminated processing", "line 1"},
        {HEAD "<?xml version='1.0'?>" TAIL, "XML declaration not at the start", "line 1"},
        {" <?xml version='1.0'?>" HEAD TAIL, "XML declaration not at the start", "line 1"},
        {"<!ENTITY a 'b'>" HEAD TAIL, "markup declarations", "line 1"},
        {"<?xml version='1.0'?>\n<!DOCTYPE x>" HEAD TAIL, "DOCTYPE", "line 2"},
        {HEAD "< string>x</string>" TAIL, "not followed by a name", "line 1"},
        {HEAD "<string a>x</string>" TAIL, "without '='", "line 1"},
        {HEAD "<string a=b>x</string>" TAIL, "without quotes", "line 1"},
        {HEAD "<string a='<'>x</string>" TAIL, "'<' in an attribute", "line 1"},
        {HEAD "<string a='&x;'>x</string>" TAIL, "undefined entity", "line 1"},
        {HEAD "<string a='1'b='2'>x</string>" TAIL, "no space before an attribute", "line 1"},
        {HEAD "<string a='1" , "unterminated attribute", "line 1"},
        {HEAD "<string/ >" TAIL, "'/' not followed by '>'", "line 1"},
        {HEAD "<string" , "unterminated tag", "line 1"},
        {HEAD "<string>x</string x>" TAIL, "bad end tag", "line 1"},
        {HEAD "<string>x</>" TAIL, "not followed by a name", "line 1"},
        {HEAD "<string>x</int>" TAIL, "does not match <string>", "line 1"},
        {HEAD "<m:string>x</n:string>" TAIL, "does not match", "line 1"},
        {"</methodResponse>", "without a start tag", "line 1"},
        {HEAD TAIL "<methodResponse/>", "content after the root", "line 1"},
        {HEAD TAIL "x", "text outside the root", "line 1"},
        {"x" HEAD TAIL, "text outside the root", "line 1"},
        {"<![CDATA[x]]>" HEAD TAIL, "text outside the root", "line 1"},
        {"  \n ", "no root element", "line 2"},
        {"<!-- only -->", "no root element", "line 1"},
        {HEAD "<string>x", "document ends inside <string>", "line 1"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        struct proto_xmlrpc_value *v = (void *)1;
        struct lm_err err;
        ck_assert_msg(parse(cases[k].doc, &v, &err) == LM_EPARSE, "case %zu: not EPARSE", k);
        ck_assert_ptr_null(v);
        ck_assert_msg(strstr(err.msg, cases[k].msg), "case %zu: msg \"%s\"", k, err.msg);
        ck_assert_msg(!strcmp(err.where, cases[k].where), "case %zu: where \"%s\"", k,
                      err.where);
    }
}
END_TEST

START_TEST(test_structure_errors)
{
    static const struct {
        const char *doc;
        const char *msg;
    } cases[] = {
        {HEAD "<struct><member><name>a</name></member></struct>" TAIL, "without <value>"},
        {HEAD "<struct><member><name>a</name><value/><value/></member></struct>" TAIL,
         "unexpected element <value> in <member>"},
        {HEAD "<struct><name>a</name></struct>" TAIL, "unexpected element <name> in <struct>"},
        {HEAD "<struct><member>x<name>a</name><value/></member></struct>" TAIL,
         "unexpected text inside <member>"},
        {HEAD "<struct><member><name>a<b/></name><value/></member></struct>" TAIL,
         "unexpected markup inside <name>"},
        {HEAD "<array/>" TAIL, "<array> is empty"},
        {HEAD "<array><data/><data/></array>" TAIL, "unexpected element <data>"},
        {HEAD "<array><data><int>1</int></data></array>" TAIL, "unexpected element <int> in <data>"},
        {HEAD "<nil><x/></nil>" TAIL, "unexpected element <x> in <nil>"},
        {HEAD "<nil>x</nil>" TAIL, "unexpected text inside <nil>"},
        {HEAD "x<int>1</int>" TAIL, "unexpected text inside <value>"},
        {HEAD "<int>1</int>x" TAIL, "unexpected text inside <value>"},
        {HEAD "<int></int>" TAIL, "bad integer"},
        {HEAD "<i8>9223372036854775808</i8>" TAIL, "bad integer"},
        {HEAD "<double></double>" TAIL, "bad double"},
        {HEAD "<double>1e999</double>" TAIL, "bad double"},
        {HEAD "<base64>QQ=Q</base64>" TAIL, "bad base64"},
        {HEAD "<base64>Q</base64>" TAIL, "bad base64"},
        {"<methodResponse><params><value/></params></methodResponse>",
         "unexpected element <value> in <params>"},
        {"<methodResponse><params><param/></params></methodResponse>", "<param> is empty"},
        {"<methodResponse><params><param><int>1</int></param></params></methodResponse>",
         "unexpected element <int>"},
        {"<methodResponse><params><param><value/><value/></param></params></methodResponse>",
         "unexpected element <value>"},
        {"<methodResponse><other/></methodResponse>", "unexpected element <other> in <methodResponse>"},
        {"<methodResponse><fault/></methodResponse>", "<fault> is empty"},
        {"<methodResponse><fault><value><int>1</int></value></fault></methodResponse>",
         "malformed <fault>"},
        {"<methodResponse><fault><value><struct/></value><value/></fault></methodResponse>",
         "unexpected element <value>"},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        struct proto_xmlrpc_value *v = (void *)1;
        struct lm_err err;
        ck_assert_msg(parse(cases[k].doc, &v, &err) == LM_EPARSE, "case %zu: not EPARSE (%s)",
                      k, err.msg);
        ck_assert_ptr_null(v);
        ck_assert_msg(strstr(err.msg, cases[k].msg), "case %zu: msg \"%s\"", k, err.msg);
        ck_assert_msg(!strncmp(err.where, "line ", 5), "case %zu: where \"%s\"", k, err.where);
    }
}
END_TEST

START_TEST(test_fault_entities)
{
    const char *doc = "<?xml version='1.0'?>\n<methodResponse>\n<fault>\n<value><struct>\n"
                      "<member>\n<name>faultCode</name>\n<value><int>70</int></value>\n"
                      "</member>\n<member>\n<name>faultString</name>\n<value><string>"
                      "SPAWN_ERROR: a&amp;b &lt;c&gt;</string></value>\n</member>\n"
                      "</struct></value>\n</fault>\n</methodResponse>\n";
    struct proto_xmlrpc_value *v = (void *)1;
    struct proto_xmlrpc_fault f;
    struct lm_err err;
    ck_assert_int_eq(proto_xmlrpc_parse_response(doc, strlen(doc), &v, &f, &err), LM_EIO);
    ck_assert_ptr_null(v);
    ck_assert_int_eq(f.code, 70);
    ck_assert_str_eq(f.string, "SPAWN_ERROR: a&b <c>");
    ck_assert_str_eq(err.msg, "fault 70: SPAWN_ERROR: a&b <c>");
}
END_TEST

START_TEST(test_nesting)
{
    /* 300 nested elements inside a string: refused by the well-formedness pass */
    static char doc[8192];
    size_t n = (size_t)snprintf(doc, sizeof doc, "%s", HEAD);
    for (int k = 0; k < 300; k++)
        n += (size_t)snprintf(doc + n, sizeof doc - n, "<a>");
    struct proto_xmlrpc_value *v = (void *)1;
    struct lm_err err;
    ck_assert_int_eq(parse(doc, &v, &err), LM_EPARSE);
    ck_assert_ptr_null(v);
    ck_assert_ptr_nonnull(strstr(err.msg, "nested deeper than 256"));
    /* 64 nested arrays are fine, 65 are not */
    for (int depth = 64; depth <= 65; depth++) {
        n = (size_t)snprintf(doc, sizeof doc, "%s", HEAD);
        for (int k = 0; k < depth; k++)
            n += (size_t)snprintf(doc + n, sizeof doc - n, "<array><data><value>");
        for (int k = 0; k < depth; k++)
            n += (size_t)snprintf(doc + n, sizeof doc - n, "</value></data></array>");
        snprintf(doc + n, sizeof doc - n, "%s", TAIL);
        int rc = parse(doc, &v, &err);
        if (depth == 64) {
            ck_assert_msg(rc == 0, "%s", err.msg);
            proto_xmlrpc_value_free(v);
        } else {
            ck_assert_int_eq(rc, LM_EPARSE);
            ck_assert_ptr_nonnull(strstr(err.msg, "nested deeper than 64"));
        }
    }
}
END_TEST

START_TEST(test_every_truncation)
{
    FILE *f = fopen("tests/fuzz/corpus/xmlrpc/getallprocessinfo.xml", "rb");
    ck_assert_ptr_nonnull(f);
    static char body[65536];
    size_t len = fread(body, 1, sizeof body, f);
    fclose(f);
    ck_assert_uint_gt(len, 1000);
    /* trailing whitespace may be cut; anything else must fail cleanly */
    size_t end = len;
    while (end && (body[end - 1] == '\n' || body[end - 1] == ' '))
        end--;
    for (size_t n = 0; n < end; n++) {
        char *copy = malloc(n ? n : 1);   /* exact size: ASan sees any overread */
        ck_assert_ptr_nonnull(copy);
        memcpy(copy, body, n);
        struct proto_xmlrpc_value *v = (void *)1;
        struct lm_err err;
        int rc = proto_xmlrpc_parse_response(copy, n, &v, NULL, &err);
        ck_assert_msg(rc == LM_EPARSE, "length %zu: rc %d", n, rc);
        ck_assert_ptr_null(v);
        free(copy);
    }
    for (size_t n = end; n <= len; n++) {
        struct proto_xmlrpc_value *v;
        struct lm_err err;
        ck_assert_int_eq(proto_xmlrpc_parse_response(body, n, &v, NULL, &err), 0);
        ck_assert_uint_eq(proto_xmlrpc_len(v), 4);
        proto_xmlrpc_value_free(v);
    }
}
END_TEST

Suite *xmlrpc_read_suite(void);
Suite *
xmlrpc_read_suite(void)
{
    Suite *s = suite_create("xmlrpc_read");
    TCase *tc = tcase_create("reader");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_entities);
    tcase_add_test(tc, test_scalars_with_blanks);
    tcase_add_test(tc, test_prolog_and_attributes);
    tcase_add_test(tc, test_lexical_errors);
    tcase_add_test(tc, test_structure_errors);
    tcase_add_test(tc, test_fault_entities);
    tcase_add_test(tc, test_nesting);
    tcase_add_test(tc, test_every_truncation);
    suite_add_tcase(s, tc);
    return s;
}

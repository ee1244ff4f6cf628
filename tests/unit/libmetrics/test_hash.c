/* SPDX-License-Identifier: Apache-2.0 */
/* test_hash.c: lm/hash.h against published vectors: FIPS 180-2 SHA-256 examples (plus
 * the million-'a' message and split updates), RFC 4231 HMAC-SHA-256 cases 1, 2, 4, 6, 7,
 * PBKDF2-HMAC-SHA-256 vectors in RFC 6070's shape (and RFC 7914's), RFC 1321 MD5. */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include "lm/hash.h"

Suite *hash_suite(void);

static void
ck_hex(const uint8_t *p, size_t n, const char *want)
{
    char hex[257];
    lm_hex(p, n, hex);
    ck_assert_str_eq(hex, want);
}

START_TEST(sha256_vectors)
{
    uint8_t d[LM_SHA256_LEN];
    lm_sha256("abc", 3, d);
    ck_hex(d, sizeof d, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    lm_sha256("", 0, d);
    ck_hex(d, sizeof d, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    lm_sha256(m, strlen(m), d);
    ck_hex(d, sizeof d, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    /* one million 'a', fed in uneven pieces */
    char *a = malloc(1000000);
    ck_assert_ptr_nonnull(a);
    memset(a, 'a', 1000000);
    struct lm_sha256 c;
    lm_sha256_init(&c);
    size_t off = 0, step = 1;
    while (off < 1000000) {
        size_t n = step < 1000000 - off ? step : 1000000 - off;
        lm_sha256_update(&c, a + off, n);
        off += n;
        step = step * 3 + 7;
    }
    lm_sha256_final(&c, d);
    ck_hex(d, sizeof d, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(a);
    /* lengths 55, 56, 63, 64 cross the padding boundary: split == whole */
    for (size_t n = 50; n < 130; n++) {
        uint8_t whole[LM_SHA256_LEN], part[LM_SHA256_LEN];
        char buf[130];
        memset(buf, 'x', n);
        lm_sha256(buf, n, whole);
        lm_sha256_init(&c);
        lm_sha256_update(&c, buf, n / 3);
        lm_sha256_update(&c, buf + n / 3, n - n / 3);
        lm_sha256_final(&c, part);
        ck_assert_mem_eq(whole, part, sizeof whole);
    }
}
END_TEST

START_TEST(hmac_rfc4231)
{
    uint8_t d[LM_SHA256_LEN], key[131];
    memset(key, 0x0b, 20);
    lm_hmac_sha256(key, 20, "Hi There", 8, d);
    ck_hex(d, sizeof d, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    const char *m2 = "what do ya want for nothing?";
    lm_hmac_sha256("Jefe", 4, m2, strlen(m2), d);
    ck_hex(d, sizeof d, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    uint8_t k4[25], m4[50];
    for (int i = 0; i < 25; i++)
        k4[i] = (uint8_t)(i + 1);
    memset(m4, 0xcd, sizeof m4);
    lm_hmac_sha256(k4, sizeof k4, m4, sizeof m4, d);
    ck_hex(d, sizeof d, "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
    memset(key, 0xaa, sizeof key);
    const char *m6 = "Test Using Larger Than Block-Size Key - Hash Key First";
    lm_hmac_sha256(key, sizeof key, m6, strlen(m6), d);
    ck_hex(d, sizeof d, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    const char *m7 = "This is a test using a larger than block-size key and a larger than "
                     "block-size data. The key needs to be hashed before being used by the "
                     "HMAC algorithm.";
    lm_hmac_sha256(key, sizeof key, m7, strlen(m7), d);
    ck_hex(d, sizeof d, "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}
END_TEST

START_TEST(pbkdf2_vectors)
{
    uint8_t d[64];
    lm_pbkdf2_sha256("password", 8, "salt", 4, 1, d, 32);
    ck_hex(d, 32, "120fb6cffcf8b32c43e7225256c4f837a86548c92ccc35480805987cb70be17b");
    lm_pbkdf2_sha256("password", 8, "salt", 4, 2, d, 32);
    ck_hex(d, 32, "ae4d0c95af6b46d32d0adff928f06dd02a303f8ef3c251dfd6e2d85a95474c43");
    lm_pbkdf2_sha256("password", 8, "salt", 4, 4096, d, 32);
    ck_hex(d, 32, "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a");
    lm_pbkdf2_sha256("passwordPASSWORDpassword", 24, "saltSALTsaltSALTsaltSALTsaltSALTsalt", 36,
                     4096, d, 40);
    ck_hex(d, 40, "348c89dbcbd32b2f32d814b8116e84cf2b17347ebc1800181c4e2a1fb8dd53e1c635518c7dac47e9");
    lm_pbkdf2_sha256("pass\0word", 9, "sa\0lt", 5, 4096, d, 16);
    ck_hex(d, 16, "89b69d0516f829893c696226650a8687");
    /* RFC 7914 section 11: two output blocks */
    lm_pbkdf2_sha256("passwd", 6, "salt", 4, 1, d, 64);
    ck_hex(d, 64, "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc"
                  "49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783");
}
END_TEST

START_TEST(md5_vectors)
{
    uint8_t d[LM_MD5_LEN];
    static const char *const in[] = {"", "a", "abc", "message digest",
                                     "abcdefghijklmnopqrstuvwxyz",
                                     "1234567890123456789012345678901234567890123456789012345678901234567890"
                                     "1234567890"};
    static const char *const out[] = {"d41d8cd98f00b204e9800998ecf8427e",
                                      "0cc175b9c0f1b6a831c399e269772661",
                                      "900150983cd24fb0d6963f7d28e17f72",
                                      "f96b697d7cb7938d525a2f31aaf161d0",
                                      "c3fcd3d76192e4007dfb496cca67e13b",
                                      "57edf4a22be3c955ac49da2e2107b67a"};
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
        lm_md5(in[i], strlen(in[i]), d);
        ck_hex(d, sizeof d, out[i]);
    }
}
END_TEST

Suite *
hash_suite(void)
{
    Suite *s = suite_create("hash");
    TCase *tc = tcase_create("vectors");
    tcase_add_test(tc, sha256_vectors);
    tcase_add_test(tc, hmac_rfc4231);
    tcase_add_test(tc, pbkdf2_vectors);
    tcase_add_test(tc, md5_vectors);
    suite_add_tcase(s, tc);
    return s;
}

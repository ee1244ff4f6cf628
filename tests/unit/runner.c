/* SPDX-License-Identifier: Apache-2.0 */
/* runner.c: the check runner for one unit-test component. The suite table comes from
 * suites.h, generated from the test_<name>.c file names (see tests/unit/module.mk).
 * CK_RUN_SUITE / CK_RUN_CASE select suites and cases; CK_TAP_LOG_FILE_NAME gives TAP. */
#include <check.h>
#include <stdlib.h>

#define SUITE(name) Suite *name##_suite(void);
#include "suites.h"
#undef SUITE

int
main(void)
{
    SRunner *sr = srunner_create(NULL);
#define SUITE(name) srunner_add_suite(sr, name##_suite());
#include "suites.h"
#undef SUITE
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

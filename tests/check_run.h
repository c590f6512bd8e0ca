/* SPDX-License-Identifier: MIT */
/* Runs a Check suite the same way in every test program: the process exit status. */
#ifndef FAKESYS_CHECK_RUN_H
#define FAKESYS_CHECK_RUN_H

#include <check.h>
#include <stdlib.h>

static inline int check_run(Suite *suite)
{
	SRunner *runner = srunner_create(suite);
	int failed;

	srunner_run_all(runner, CK_NORMAL);
	failed = srunner_ntests_failed(runner);
	srunner_free(runner);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif

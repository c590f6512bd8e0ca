/* SPDX-License-Identifier: MIT */
/* What scenario-test checks through a mount: naming outcomes, and a scenario's steps. */
#ifndef FAKESYS_TESTS_SCENARIO_STEPS_H
#define FAKESYS_TESTS_SCENARIO_STEPS_H

#include <stdbool.h>
#include <stddef.h>

#include "scenario.h"

/* Names the sandbox in the tree at root and compares with expect; prints ok or FAIL with what. */
bool check_naming(const char *root, char *const *sandbox, size_t n_sandbox,
		  const struct scenario_expect *expect, const char *what);

/*
 * Runs the scenario's steps in order against the tree mounted at root, as a program would:
 * one open and one write() per change, the control file for plug and unplug. Prints a line per
 * step and stops at the first that fails. true when every step did what it says.
 */
bool run_steps(const struct scenario *sc, const char *root);

#endif

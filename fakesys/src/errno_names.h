/* SPDX-License-Identifier: MIT */
/* Errnos by their symbolic names ("EIO"), one table for every file that spells them. */
#ifndef FAKESYS_ERRNO_NAMES_H
#define FAKESYS_ERRNO_NAMES_H

#include <stdbool.h>

/* The name of error, or NULL when it has none here. */
const char *errno_name(int error);
/* The errno called name (exact case), or 0. */
int errno_by_name(const char *name);
/* Whether sysfs reads are seen to fail with error: what a scenario's verbatim entry may hold. */
bool errno_seen_in_sysfs(int error);

#endif

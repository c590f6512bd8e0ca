/* SPDX-License-Identifier: MIT */
/* The errno name table: what sysfs reads fail with, then what other file calls may. */
#include "errno_names.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

static const struct {
	int error;
	const char *name;
	bool sysfs; /* seen from sysfs reads, or met by a recording */
} names[] = {
	{ EPERM, "EPERM", true },
	{ ENOENT, "ENOENT", true },
	{ EIO, "EIO", true },
	{ ENXIO, "ENXIO", true },
	{ E2BIG, "E2BIG", true },
	{ EAGAIN, "EAGAIN", true },
	{ ENOMEM, "ENOMEM", true },
	{ EACCES, "EACCES", true },
	{ EFAULT, "EFAULT", true },
	{ EBUSY, "EBUSY", true },
	{ ENODEV, "ENODEV", true },
	{ EINVAL, "EINVAL", true },
	{ ENOSPC, "ENOSPC", true },
	{ ERANGE, "ERANGE", true },
	{ ENOSYS, "ENOSYS", true },
	{ ENODATA, "ENODATA", true },
	{ ETIME, "ETIME", true },
	{ EOPNOTSUPP, "EOPNOTSUPP", true },
	{ ETIMEDOUT, "ETIMEDOUT", true },
	{ ENOTTY, "ENOTTY", true },
	{ ESPIPE, "ESPIPE", true },
	{ EOVERFLOW, "EOVERFLOW", true },
	{ EEXIST, "EEXIST", false },
	{ ENOTDIR, "ENOTDIR", false },
	{ EISDIR, "EISDIR", false },
	{ EROFS, "EROFS", false },
	{ ENAMETOOLONG, "ENAMETOOLONG", false },
	{ ENOTEMPTY, "ENOTEMPTY", false },
	{ EXDEV, "EXDEV", false },
	{ EINTR, "EINTR", false },
	{ EBADF, "EBADF", false },
	{ ELOOP, "ELOOP", false },
	{ EFBIG, "EFBIG", false },
	{ EPIPE, "EPIPE", false },
	{ ENFILE, "ENFILE", false },
	{ EMFILE, "EMFILE", false },
	{ ENOTCONN, "ENOTCONN", false },
	{ ESTALE, "ESTALE", false },
};

#define N_NAMES (sizeof(names) / sizeof(names[0]))

const char *errno_name(int error)
{
	for (size_t i = 0; i < N_NAMES; i++)
		if (names[i].error == error)
			return names[i].name;
	return NULL;
}

int errno_by_name(const char *name)
{
	for (size_t i = 0; i < N_NAMES; i++)
		if (strcmp(names[i].name, name) == 0)
			return names[i].error;
	return 0;
}

bool errno_seen_in_sysfs(int error)
{
	for (size_t i = 0; i < N_NAMES; i++)
		if (names[i].error == error)
			return names[i].sysfs;
	return false;
}

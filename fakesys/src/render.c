/* SPDX-License-Identifier: MIT */
/*
 * The plain-directory renderer: a walk over the tree's public reading interface, writing with
 * *at() calls relative to directory descriptors opened O_NOFOLLOW, so nothing is ever written
 * outside the target directory whatever a name or link says.
 */
#define _GNU_SOURCE
#include "render.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

struct render {
	const struct sysfs_tree *tree;
	struct render_stats *stats;
	char path[PATH_MAX]; /* of the entry being written, relative to the target, for errors */
	char *error;
	size_t error_size;
};

static int fail(struct render *r, int err, const char *what)
{
	snprintf(r->error, r->error_size, "%s: %s: %s", r->path, what, strerror(err));
	return -1;
}

/* A name that could step out of its directory is refused, never written. */
static bool safe_name(const char *name)
{
	return name[0] && strcmp(name, ".") != 0 && strcmp(name, "..") != 0 && !strchr(name, '/');
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static int render_file(struct render *r, int dirfd, const char *name, const struct sysfs_stat *st)
{
	/* What root reads, as on a host where the tree is recorded by root. */
	struct sysfs_opener root = { .privileged = true };
	struct sysfs_open_file *file = NULL;
	char buf[SYSFS_PAGE_SIZE];
	int err = 0;
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

	if (fd < 0)
		return fail(r, errno, "create");
	if (sysfs_open(r->tree, st->ino, O_RDONLY, &root, &file) == 0) {
		uint64_t offset = 0;
		ssize_t n;

		while ((n = sysfs_read(file, buf, sizeof(buf), offset)) > 0) {
			if ((err = write_all(fd, buf, (size_t)n)) != 0)
				break;
			offset += (uint64_t)n;
		}
		if (n < 0)
			r->stats->unreadable++;
		sysfs_release(file);
	} else {
		r->stats->unreadable++;
	}
	if (!err && fchmod(fd, st->mode & 07777) != 0)
		err = -errno;
	if (close(fd) != 0 && !err)
		err = -errno;
	if (err)
		return fail(r, -err, "write");
	r->stats->files++;
	return 0;
}

static int render_chardev(struct render *r, int dirfd, const char *name,
			  const struct sysfs_stat *st)
{
	dev_t dev = makedev(st->rdev_major, st->rdev_minor);

	if (mknodat(dirfd, name, S_IFCHR | (st->mode & 07777), dev) == 0) {
		/* mknod applies the umask; the node must keep its own mode. */
		if (fchmodat(dirfd, name, st->mode & 07777, 0) != 0)
			return fail(r, errno, "chmod");
		r->stats->chardevs++;
		return 0;
	}
	if (errno != EPERM)
		return fail(r, errno, "mknod");
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
			st->mode & 07777);
	if (fd < 0)
		return fail(r, errno, "create");
	close(fd);
	r->stats->chardev_placeholders++;
	return 0;
}

static int render_dir(struct render *r, sysfs_ino_t ino, int dirfd)
{
	size_t path_len = strlen(r->path);
	uint64_t cookie = 0;
	const char *name;
	struct sysfs_stat st;
	int status;

	while ((status = sysfs_readdir(r->tree, ino, &cookie, &name, &st)) == 0) {
		snprintf(r->path + path_len, sizeof(r->path) - path_len, "%s%s",
			 path_len ? "/" : "", name);
		if (!safe_name(name))
			return fail(r, EINVAL, "unsafe name");

		int err = 0;
		switch (st.mode & S_IFMT) {
		case S_IFDIR: {
			if (mkdirat(dirfd, name, 0700) != 0)
				return fail(r, errno, "mkdir");
			int fd = openat(dirfd, name,
					O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (fd < 0)
				return fail(r, errno, "open");
			err = render_dir(r, st.ino, fd);
			/* Last, so a read-only directory (like sys, 0555) can still be filled. */
			if (!err && fchmod(fd, st.mode & 07777) != 0)
				err = fail(r, errno, "chmod");
			close(fd);
			r->stats->dirs++;
			break;
		}
		case S_IFLNK: {
			char target[PATH_MAX];
			int text = sysfs_readlink(r->tree, st.ino, target, sizeof(target));

			if (text != 0)
				return fail(r, -text, "readlink");
			if (symlinkat(target, dirfd, name) != 0)
				return fail(r, errno, "symlink");
			r->stats->links++;
			break;
		}
		case S_IFCHR:
			err = render_chardev(r, dirfd, name, &st);
			break;
		default:
			err = render_file(r, dirfd, name, &st);
			break;
		}
		if (err)
			return err;
		r->path[path_len] = '\0';
	}
	return status < 0 ? fail(r, -status, "list") : 0;
}

/* The target: created if missing, else it must be an empty directory. */
static int open_target(const char *dir, char *error, size_t error_size)
{
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		snprintf(error, error_size, "%s: %s", dir, strerror(errno));
		return -1;
	}
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(error, error_size, "%s: %s", dir, strerror(errno));
		return -1;
	}
	DIR *listing = fdopendir(dup(fd));
	struct dirent *entry;
	bool empty = true;

	while (listing && (entry = readdir(listing)))
		empty &= strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0;
	if (listing)
		closedir(listing);
	if (!empty) {
		snprintf(error, error_size, "%s: not empty (render writes into an empty directory)",
			 dir);
		close(fd);
		return -1;
	}
	return fd;
}

int render_tree(const struct sysfs_tree *tree, const char *dir, struct render_stats *stats,
		char *error, size_t error_size)
{
	struct render r = {
		.tree = tree, .stats = stats, .error = error, .error_size = error_size
	};
	int fd = open_target(dir, error, error_size);

	memset(stats, 0, sizeof(*stats));
	if (fd < 0)
		return -1;
	int status = render_dir(&r, SYSFS_ROOT_INO, fd);
	close(fd);
	if (status != 0) {
		/* Say where, relative to the target. */
		char message[512];

		snprintf(message, sizeof(message), "%s/%s", dir, error);
		snprintf(error, error_size, "%s", message);
	}
	return status;
}

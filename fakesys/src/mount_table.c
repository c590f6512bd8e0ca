/* SPDX-License-Identifier: MIT */
/* Reading /proc/self/mounts, unescaping its fields, and telling live mounts from dead ones. */
#define _GNU_SOURCE
#include "mount_table.h"

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>

bool mount_table_canonical(const char *path, char out[PATH_MAX])
{
	char copy_dir[PATH_MAX], copy_base[PATH_MAX], parent[PATH_MAX];

	snprintf(copy_dir, sizeof(copy_dir), "%s", path);
	snprintf(copy_base, sizeof(copy_base), "%s", path);
	const char *base = basename(copy_base);
	if (!realpath(dirname(copy_dir), parent))
		return false;
	if (strcmp(base, "/") == 0 || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		return realpath(path, out) != NULL;
	return snprintf(out, PATH_MAX, "%s/%s", strcmp(parent, "/") == 0 ? "" : parent, base) <
	       PATH_MAX;
}

/* The kernel writes space, tab, newline and backslash in mount fields as \ooo. */
static void unescape(char *field)
{
	char *out = field;

	for (char *p = field; *p; p++) {
		if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' &&
		    p[3] >= '0' && p[3] <= '7') {
			*out++ = (char)((p[1] - '0') << 6 | (p[2] - '0') << 3 | (p[3] - '0'));
			p += 3;
		} else {
			*out++ = *p;
		}
	}
	*out = '\0';
}

static void each_entry(bool (*each)(const struct mount_entry *entry, void *arg), void *arg)
{
	FILE *mounts = fopen("/proc/self/mounts", "r");
	char line[3 * PATH_MAX];

	if (!mounts)
		return;
	while (fgets(line, sizeof(line), mounts)) {
		struct mount_entry entry;
		char *save = NULL;
		char *source = strtok_r(line, " ", &save);
		char *dir = strtok_r(NULL, " ", &save);
		char *type = strtok_r(NULL, " ", &save);

		if (!source || !dir || !type)
			continue;
		unescape(source);
		unescape(dir);
		snprintf(entry.source, sizeof(entry.source), "%s", source);
		snprintf(entry.dir, sizeof(entry.dir), "%s", dir);
		snprintf(entry.type, sizeof(entry.type), "%s", type);
		if (!each(&entry, arg))
			break;
	}
	fclose(mounts);
}

struct find {
	const char *dir;
	struct mount_entry *out;
	bool found;
};

/* Later lines are mounted on top of earlier ones: keep the last match. */
static bool find_one(const struct mount_entry *entry, void *arg)
{
	struct find *f = arg;

	if (strcmp(entry->dir, f->dir) == 0) {
		*f->out = *entry;
		f->found = true;
	}
	return true;
}

bool mount_table_find(const char *dir, struct mount_entry *out)
{
	struct find f = { .dir = dir, .out = out };

	each_entry(find_one, &f);
	return f.found;
}

struct each_fakesys {
	void (*each)(const struct mount_entry *entry, void *arg);
	void *arg;
};

static bool call_if_fakesys(const struct mount_entry *entry, void *arg)
{
	struct each_fakesys *e = arg;

	if (strcmp(entry->type, FAKESYS_FSTYPE) == 0)
		e->each(entry, e->arg);
	return true;
}

void mount_table_each_fakesys(void (*each)(const struct mount_entry *entry, void *arg), void *arg)
{
	struct each_fakesys e = { each, arg };

	each_entry(call_if_fakesys, &e);
}

/* stat could be answered from the kernel's attribute cache; statfs always asks the daemon. */
bool mount_is_dead(const char *dir)
{
	struct statfs st;

	return statfs(dir, &st) != 0 && errno == ENOTCONN;
}

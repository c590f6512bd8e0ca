/* SPDX-License-Identifier: MIT */
/* The fakesys command: check, mount and unmount scenarios. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuse_fs.h"
#include "host_tree.h"
#include "render.h"
#include "scenario.h"

#define EXIT_FAILED 1 /* the check or the command failed */
#define EXIT_USAGE  2 /* usage or input error */

struct command {
	const char *name;
	const char *synopsis;
	int (*run)(int argc, char **argv);
};

static const struct command commands[];

static void usage(FILE *out)
{
	fprintf(out, "usage:\n");
	for (const struct command *c = commands; c->name; c++)
		fprintf(out, "  fakesys %s %s\n", c->name, c->synopsis);
	fprintf(out,
		"  fakesys --help | --version\n"
		"\nexamples:\n"
		"  fakesys check scenarios/*.yaml\n"
		"  fakesys mount scenarios/kata-10576.yaml /tmp/host && ls "
		"/tmp/host/sys/kernel/iommu_groups\n"
		"  fakesys umount /tmp/host\n"
		"  fakesys render scenarios/kata-10576.yaml /tmp/plain   # no FUSE needed\n"
		"\nORDER: how directories list: kernfs (the kernel's, default), sorted, reverse,\n"
		"shuffle:SEED\n"
		"\nexit status: 0 success, 1 failure, 2 usage or input error\n");
}

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "fakesys: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	usage(stderr);
	return EXIT_USAGE;
}

static int load(const char *path, struct scenario *sc)
{
	char error[SCENARIO_ERROR_MAX];

	if (scenario_load(path, sc, error) != 0) {
		fprintf(stderr, "%s\n", error);
		return EXIT_USAGE;
	}
	return 0;
}

static int cmd_check(int argc, char **argv)
{
	int status = 0;

	if (argc < 2)
		return usage_error("%s needs at least one scenario", "check");
	for (int i = 1; i < argc; i++) {
		struct scenario sc;

		if (load(argv[i], &sc) != 0) {
			status = EXIT_USAGE;
			continue;
		}
		printf("%s: ok (%zu functions, %zu IOMMU groups)\n", argv[i], sc.topo.n_functions,
		       sc.topo.n_groups);
		scenario_free(&sc);
	}
	return status;
}

/* "kernfs", "sorted", "reverse" or "shuffle:SEED". */
static bool parse_order(const char *text, enum sysfs_order *order, uint64_t *seed)
{
	static const struct {
		const char *name;
		enum sysfs_order order;
	} orders[] = {
		{ "kernfs", SYSFS_ORDER_KERNFS },
		{ "sorted", SYSFS_ORDER_SORTED },
		{ "reverse", SYSFS_ORDER_REVERSE },
	};

	*seed = 0;
	for (size_t i = 0; i < sizeof(orders) / sizeof(orders[0]); i++) {
		if (strcmp(text, orders[i].name) == 0) {
			*order = orders[i].order;
			return true;
		}
	}
	if (strncmp(text, "shuffle:", 8) != 0 || !text[8])
		return false;
	char *end;
	errno = 0;
	unsigned long long value = strtoull(text + 8, &end, 0);
	if (errno || *end || text[8] == '-')
		return false;
	*order = SYSFS_ORDER_SHUFFLE;
	*seed = value;
	return true;
}

static int cmd_mount(int argc, char **argv)
{
	struct fuse_fs_options options = { 0 };
	enum sysfs_order order = SYSFS_ORDER_KERNFS;
	uint64_t seed = 0;
	static const struct option long_options[] = {
		{ "foreground", no_argument, NULL, 'f' },
		{ "debug", no_argument, NULL, 'd' },
		{ "options", required_argument, NULL, 'o' },
		{ "order", required_argument, NULL, 'O' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "+fdo:", long_options, NULL)) != -1) {
		switch (opt) {
		case 'O':
			if (!parse_order(optarg, &order, &seed))
				return usage_error("unknown listing order '%s' (kernfs, sorted, "
						   "reverse or shuffle:SEED)",
						   optarg);
			break;
		case 'f':
			options.foreground = true;
			break;
		case 'd':
			options.debug = true;
			break;
		case 'o':
			if (strcmp(optarg, "allow_other") != 0)
				return usage_error("unsupported mount option '%s'", optarg);
			options.allow_other = true;
			break;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (argc - optind != 2)
		return usage_error("%s needs SCENARIO and MOUNTPOINT", "mount");

	const char *path = argv[optind];
	struct stat st;
	options.mountpoint = argv[optind + 1];
	if (stat(options.mountpoint, &st) != 0 || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "fakesys: %s: %s\n", options.mountpoint,
			errno && !S_ISDIR(st.st_mode) ? strerror(errno) : "Not a directory");
		return EXIT_USAGE;
	}

	struct scenario sc;
	int status = load(path, &sc);
	if (status)
		return status;

	struct host_tree ht;
	char error[256];
	if (host_tree_build(&sc.topo, &ht) != 0) {
		fprintf(stderr, "fakesys: %s: out of memory building the tree\n", path);
		scenario_free(&sc);
		return EXIT_FAILED;
	}
	if (order != SYSFS_ORDER_KERNFS) {
		sysfs_tree_set_order(ht.tree, order, seed);
		sysfs_tree_finish(ht.tree);
	}
	status = fuse_fs_serve(ht.tree, &options, error, sizeof(error));
	if (status)
		fprintf(stderr, "fakesys: %s\n", error);
	host_tree_free(&ht);
	scenario_free(&sc);
	return status ? EXIT_FAILED : 0;
}

/*
 * The canonical path of a mount point without touching the mount itself: a mount whose daemon
 * died answers ENOTCONN to every access, so only its parent is resolved.
 */
static bool canonical_mountpoint(const char *path, char out[PATH_MAX])
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

/* /proc/self/mounts escapes space, tab, newline and backslash as octal. */
static void unescape_mount_field(char *field)
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

/* Only a fakesys mount may be taken down by fakesys umount, even by root. */
static bool is_fakesys_mount(const char *mountpoint)
{
	char line[PATH_MAX * 2];
	bool found = false;
	FILE *mounts = fopen("/proc/self/mounts", "r");

	if (!mounts)
		return false;
	while (!found && fgets(line, sizeof(line), mounts)) {
		char *save = NULL;
		char *source = strtok_r(line, " ", &save);
		char *dir = strtok_r(NULL, " ", &save);
		char *type = strtok_r(NULL, " ", &save);

		if (!source || !dir || !type)
			continue;
		unescape_mount_field(dir);
		found = strcmp(dir, mountpoint) == 0 && strcmp(type, "fuse.fakesys") == 0;
	}
	fclose(mounts);
	return found;
}

static int cmd_umount(int argc, char **argv)
{
	bool lazy = false;
	int opt;

	optind = 1;
	while ((opt = getopt(argc, argv, "+l")) != -1) {
		if (opt != 'l') {
			usage(stderr);
			return EXIT_USAGE;
		}
		lazy = true;
	}
	if (argc - optind != 1)
		return usage_error("%s needs MOUNTPOINT", "umount");

	char mountpoint[PATH_MAX];
	if (!canonical_mountpoint(argv[optind], mountpoint)) {
		fprintf(stderr, "fakesys: %s: %s\n", argv[optind], strerror(errno));
		return EXIT_USAGE;
	}
	if (!is_fakesys_mount(mountpoint)) {
		fprintf(stderr, "fakesys: %s: not a fakesys mount\n", argv[optind]);
		return EXIT_FAILED;
	}
	if (geteuid() == 0) {
		if (umount2(mountpoint, lazy ? MNT_DETACH : 0) != 0) {
			fprintf(stderr, "fakesys: %s: %s\n", mountpoint, strerror(errno));
			return EXIT_FAILED;
		}
		return 0;
	}
	/* An unprivileged mount is undone by the setuid helper that made it. */
	pid_t pid = fork();
	if (pid == 0) {
		execlp("fusermount3", "fusermount3", lazy ? "-uz" : "-u", "--", mountpoint,
		       (char *)NULL);
		fprintf(stderr, "fakesys: fusermount3: %s\n", strerror(errno));
		_exit(EXIT_FAILED);
	}
	int wstatus;
	if (pid < 0 || waitpid(pid, &wstatus, 0) < 0)
		return EXIT_FAILED;
	return WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0 ? 0 : EXIT_FAILED;
}

static int cmd_render(int argc, char **argv)
{
	if (argc != 3)
		return usage_error("%s needs SCENARIO and DIR", "render");

	struct scenario sc;
	int status = load(argv[1], &sc);
	if (status)
		return status;

	struct host_tree ht;
	struct render_stats stats;
	char error[PATH_MAX + 256];
	if (host_tree_build(&sc.topo, &ht) != 0) {
		fprintf(stderr, "fakesys: %s: out of memory building the tree\n", argv[1]);
		scenario_free(&sc);
		return EXIT_FAILED;
	}
	if (render_tree(ht.tree, argv[2], &stats, error, sizeof(error)) != 0) {
		fprintf(stderr, "fakesys: %s\n", error);
		status = EXIT_FAILED;
	} else {
		printf("%s: %zu directories, %zu files, %zu links, %zu character devices\n",
		       argv[2], stats.dirs, stats.files, stats.links, stats.chardevs);
		if (stats.chardev_placeholders)
			printf("%s: %zu character devices written as empty files (mknod needs "
			       "CAP_MKNOD)\n",
			       argv[2], stats.chardev_placeholders);
	}
	host_tree_free(&ht);
	scenario_free(&sc);
	return status;
}

static const struct command commands[] = {
	{ "check", "SCENARIO...", cmd_check },
	{ "mount", "[-f] [-d] [-o allow_other] [--order ORDER] SCENARIO MOUNTPOINT", cmd_mount },
	{ "render", "SCENARIO DIR", cmd_render },
	{ "umount", "[-l] MOUNTPOINT", cmd_umount },
	{ NULL, NULL, NULL },
};

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		printf("fakesys %s\n", FAKESYS_VERSION);
		return 0;
	}
	for (const struct command *c = commands; c->name; c++)
		if (strcmp(argv[1], c->name) == 0)
			return c->run(argc - 1, argv + 1);
	return usage_error("unknown command '%s'", argv[1]);
}

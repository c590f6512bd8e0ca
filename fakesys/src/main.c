/* SPDX-License-Identifier: MIT */
/* The fakesys command: check, mount and unmount scenarios. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <malloc.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "access_trace.h"
#include "fault_rules.h"
#include "fuse_fs.h"
#include "gen.h"
#include "graph.h"
#include "host_control.h"
#include "host_tree.h"
#include "mount_table.h"
#include "record.h"
#include "render.h"
#include "run.h"
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
		"  fakesys record -o host.yaml   # this host, as a scenario to replay anywhere\n"
		"  fakesys gen sriov --pfs 4 --vfs 256 -o nfv.yaml   # a synthetic host\n"
		"\nORDER: how directories list: kernfs (the kernel's, default), sorted, reverse,\n"
		"shuffle:SEED\n"
		"TRACE: every operation as a JSON line (time, pid, op, path, result) to FILE or -\n"
		"RULE: \"PATTERN OP[,OP] ACTION... [nth=N|count=N|after=N]\", e.g.\n"
		"  'sys/devices/**/config read errno=EIO'  (see README, Tracing and faults)\n"
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

static void unload_tree(struct scenario *sc, struct host_tree *ht)
{
	host_tree_free(ht);
	scenario_free(sc);
}

/* The start of mount, render and run: the scenario, and the tree built from it. */
static int build_tree(struct scenario *sc, struct host_tree *ht)
{
	char error[SCENARIO_ERROR_MAX];
	int err = scenario_tree_build(sc, ht, error);

	if (err) {
		fprintf(stderr, "%s\n", error);
		scenario_free(sc);
		return err == -ENOMEM ? EXIT_FAILED : EXIT_USAGE;
	}
	return 0;
}

static int load_tree(const char *path, struct scenario *sc, struct host_tree *ht)
{
	int status = load(path, sc);

	return status ? status : build_tree(sc, ht);
}

/*
 * What a checked scenario holds now: the model also keeps every VF that sriov_numvfs could
 * enable, and their groups, which are not on the bus yet.
 */
static void print_check_summary(const char *path, const struct topology *topo)
{
	size_t on_bus = 0, more_vfs = 0, groups = 0;
	bool *shown = calloc(topo->n_groups + 1, sizeof(*shown));

	for (size_t f = 0; f < topo->n_functions; f++) {
		if (topology_function_on_bus(topo, f))
			on_bus++;
		else if (topo->functions[f].physfn != TOPO_NONE && !topo->functions[f].present)
			more_vfs++;
	}
	if (shown && topology_groups_shown(topo, shown) == 0)
		for (size_t g = 0; g < topo->n_groups; g++)
			groups += shown[g];
	else
		groups = topo->n_groups; /* out of memory: an upper bound will do */
	free(shown);
	printf("%s: ok (%zu functions, %zu IOMMU groups", path, on_bus, groups);
	if (more_vfs)
		printf("; %zu more VFs can be enabled", more_vfs);
	printf(")\n");
}

static int cmd_check(int argc, char **argv)
{
	int status = 0;

	if (argc < 2)
		return usage_error("%s needs at least one scenario", "check");
	for (int i = 1; i < argc; i++) {
		struct scenario sc;
		struct host_tree ht = { 0 };
		/* Verbatim entries only show whether they fit once the tree is built. */
		int failed = load(argv[i], &sc);
		if (!failed && sc.n_verbatim)
			failed = build_tree(&sc, &ht);
		if (failed) {
			status = failed;
			continue;
		}
		print_check_summary(argv[i], &sc.topo);
		if (ht.tree)
			host_tree_free(&ht);
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

/* Takes the fakesys mount at mountpoint down; lazily if asked (or if its daemon is dead). */
static int detach(const char *mountpoint, bool lazy)
{
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

/*
 * A mount point must not already carry a mount: a live one is refused; a fakesys mount whose
 * daemon died (every access answers ENOTCONN) is taken down first when forced.
 */
static int check_mountpoint(const char *path, bool force)
{
	char mountpoint[PATH_MAX];
	struct mount_entry entry;

	if (!mount_table_canonical(path, mountpoint)) {
		fprintf(stderr, "fakesys: %s: %s\n", path, strerror(errno));
		return EXIT_USAGE;
	}
	if (!mount_table_find(mountpoint, &entry))
		return 0;
	bool ours = strcmp(entry.type, FAKESYS_FSTYPE) == 0;
	if (ours && mount_is_dead(mountpoint)) {
		if (!force) {
			fprintf(stderr,
				"fakesys: %s: a fakesys mount whose daemon is gone is still there; "
				"fakesys mount --force takes it down first\n",
				path);
			return EXIT_FAILED;
		}
		return detach(mountpoint, true);
	}
	fprintf(stderr, "fakesys: %s: already a mount point (%s from %s); unmount it first\n", path,
		entry.type, entry.source);
	return EXIT_FAILED;
}

static void print_mount(const struct mount_entry *entry, void *arg)
{
	const char *scenario = entry->source;

	(void)arg;
	if (strncmp(scenario, FAKESYS_SOURCE_PREFIX, strlen(FAKESYS_SOURCE_PREFIX)) == 0)
		scenario += strlen(FAKESYS_SOURCE_PREFIX);
	printf("%s\t%s%s\n", entry->dir, scenario,
	       mount_is_dead(entry->dir) ? "\t(dead: fakesys umount -l or mount --force)" : "");
}

static int cmd_list(int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return usage_error("%s takes no arguments", "list");
	mount_table_each_fakesys(print_mount, NULL);
	return 0;
}

/*
 * libfuse's own words for a missing or wrong /dev/fuse ("device not found", "mount failed:
 * Invalid argument") do not say which file is at fault, so it is looked at first. The device
 * is the misc device 10:229 on every kernel.
 */
static int check_fuse_device(void)
{
	static const char advice[] = "mounting needs the FUSE device (modprobe fuse; in a "
				     "container, pass /dev/fuse in); fakesys render needs none";
	struct stat st;
	int fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);

	if (fd < 0 && (errno == EACCES || errno == EPERM)) {
		fprintf(stderr,
			"fakesys: /dev/fuse: %s; mounting needs to read and write it (mode 0666, "
			"as most distributions set it)\n",
			strerror(errno));
		return EXIT_FAILED;
	}
	if (fd < 0) {
		fprintf(stderr, "fakesys: /dev/fuse: %s; %s\n", strerror(errno), advice);
		return EXIT_FAILED;
	}
	int err = fstat(fd, &st) != 0 ? errno : 0;

	close(fd);
	if (err) {
		fprintf(stderr, "fakesys: /dev/fuse: %s\n", strerror(err));
		return EXIT_FAILED;
	}
	if (!S_ISCHR(st.st_mode) || major(st.st_rdev) != 10 || minor(st.st_rdev) != 229) {
		char what[64];

		if (S_ISCHR(st.st_mode))
			snprintf(what, sizeof(what), "the character device %u:%u",
				 major(st.st_rdev), minor(st.st_rdev));
		else
			snprintf(what, sizeof(what), "%s",
				 S_ISREG(st.st_mode) ? "a regular file" : "not a device");
		fprintf(stderr, "fakesys: /dev/fuse is %s, not the FUSE device 10:229; %s\n", what,
			advice);
		return EXIT_FAILED;
	}
	return 0;
}

/* mount, once its options are read: the rules given with --fault, checked already. */
static int mount_scenario(const char *path, const char *mountpoint, struct fuse_fs_options *options,
			  enum sysfs_order order, uint64_t seed, bool force, const char *trace_path,
			  char *const *fault_texts, size_t n_faults)
{
	struct stat st;
	/* The daemon works from / (libfuse's daemonize moves there, even in the foreground),
	 * and unmounts by this path when it is stopped: a relative one would miss. */
	char absolute[PATH_MAX];
	int status = check_mountpoint(mountpoint, force);

	options->mountpoint = mountpoint;
	if (status)
		return status;
	if (stat(mountpoint, &st) != 0 || !realpath(mountpoint, absolute)) {
		fprintf(stderr, "fakesys: %s: %s\n", mountpoint, strerror(errno));
		return EXIT_USAGE;
	}
	if (!S_ISDIR(st.st_mode)) {
		fprintf(stderr, "fakesys: %s: %s\n", mountpoint, strerror(ENOTDIR));
		return EXIT_USAGE;
	}
	options->mountpoint = absolute;

	struct host_control host;
	char source[PATH_MAX + sizeof(FAKESYS_SOURCE_PREFIX)];
	char error[PATH_MAX + SCENARIO_ERROR_MAX];
	int err = host_control_load(&host, path, fault_texts, n_faults, error);
	if (err) {
		fprintf(stderr, "%s\n", error);
		return err == -ENOMEM ? EXIT_FAILED : EXIT_USAGE;
	}
	if (trace_path && !(options->trace = access_trace_open(trace_path, error, sizeof(error)))) {
		fprintf(stderr, "fakesys: --trace: %s\n", error);
		host_control_free(&host);
		return EXIT_USAGE;
	}
	/* The scenario goes in the mount's source, where fakesys list finds it. */
	snprintf(source, sizeof(source), "%s%s", FAKESYS_SOURCE_PREFIX, host.path);
	options->source = source;
	options->faults = host.faults;
	const struct fuse_fs_control control = { HOST_CONTROL_FILE, host_control_run, &host };
	options->control = &control;
	if (order != SYSFS_ORDER_KERNFS) {
		sysfs_tree_set_order(host.ht->tree, order, seed);
		sysfs_tree_finish(host.ht->tree);
	}
	/* The loader's working arrays are freed by now, but glibc keeps their pages; the daemon
	 * lives long, so they go back to the system before it starts serving. */
	malloc_trim(0);
	status = check_fuse_device();
	if (status) {
		host_control_free(&host);
		access_trace_close(options->trace);
		return status;
	}
	status = fuse_fs_serve(host.ht->tree, options, error, sizeof(error));
	if (status)
		fprintf(stderr, "fakesys: %s\n", error);
	host_control_free(&host);
	access_trace_close(options->trace);
	return status ? EXIT_FAILED : 0;
}

static int cmd_mount(int argc, char **argv)
{
	struct fuse_fs_options options = { 0 };
	enum sysfs_order order = SYSFS_ORDER_KERNFS;
	bool force = false;
	uint64_t seed = 0;
	static const struct option long_options[] = {
		{ "foreground", no_argument, NULL, 'f' },
		{ "debug", no_argument, NULL, 'd' },
		{ "options", required_argument, NULL, 'o' },
		{ "order", required_argument, NULL, 'O' },
		{ "force", no_argument, NULL, 'F' },
		{ "trace", required_argument, NULL, 'T' },
		{ "fault", required_argument, NULL, 'X' },
		{ NULL, 0, NULL, 0 },
	};
	const char *trace_path = NULL;
	char fault_error[512];
	char **faults = calloc((size_t)argc, sizeof(*faults));
	size_t n_faults = 0;
	int opt;

	if (!faults) {
		fprintf(stderr, "fakesys: out of memory\n");
		return EXIT_FAILED;
	}

	int status = -1;
	while (status < 0 && (opt = getopt_long(argc, argv, "+fdo:", long_options, NULL)) != -1) {
		switch (opt) {
		case 'F':
			force = true;
			break;
		case 'T':
			trace_path = optarg;
			break;
		case 'X':
			/* Checked here, for a usage error; the mount's rule set takes them later.
			 */
			if (!fault_rules_valid_text(optarg, fault_error, sizeof(fault_error)))
				status = usage_error("--fault: %s", fault_error);
			faults[n_faults++] = optarg;
			break;
		case 'O':
			if (!parse_order(optarg, &order, &seed))
				status = usage_error("unknown listing order '%s' (kernfs, sorted, "
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
				status = usage_error("unsupported mount option '%s'", optarg);
			options.allow_other = true;
			break;
		default:
			usage(stderr);
			status = EXIT_USAGE;
		}
	}
	if (status < 0 && argc - optind != 2)
		status = usage_error("%s needs SCENARIO and MOUNTPOINT", "mount");
	if (status < 0)
		status = mount_scenario(argv[optind], argv[optind + 1], &options, order, seed,
					force, trace_path, faults, n_faults);
	free(faults);
	return status;
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
	struct mount_entry entry;
	if (!mount_table_canonical(argv[optind], mountpoint)) {
		fprintf(stderr, "fakesys: %s: %s\n", argv[optind], strerror(errno));
		return EXIT_USAGE;
	}
	if (!mount_table_find(mountpoint, &entry) || strcmp(entry.type, FAKESYS_FSTYPE) != 0) {
		fprintf(stderr, "fakesys: %s: not a fakesys mount\n", argv[optind]);
		return EXIT_FAILED;
	}
	return detach(mountpoint, lazy);
}

/* The words of a command as one line; reload's SCENARIO made absolute for a daemon at "/". */
static int ctl_command(int argc, char **argv, char *command, size_t size)
{
	size_t len = 0;

	for (int i = 0; i < argc; i++) {
		char absolute[PATH_MAX];
		const char *word = argv[i];

		if (i == 1 && strcmp(argv[0], "reload") == 0) {
			if (!realpath(word, absolute)) {
				fprintf(stderr, "fakesys: %s: %s\n", word, strerror(errno));
				return EXIT_USAGE;
			}
			word = absolute;
		}
		int n = snprintf(command + len, size - len, "%s%s", i ? " " : "", word);
		if (n < 0 || (size_t)n >= size - len)
			return usage_error("%s: the command is too long", "ctl");
		len += (size_t)n;
	}
	return 0;
}

/*
 * fakesys ctl MOUNTPOINT COMMAND [ARG...]: one command to a mounted host (host_control.h).
 * MOUNTPOINT may also be the control file itself, as $FAKESYS_CONTROL in fakesys run names it.
 */
static int cmd_ctl(int argc, char **argv)
{
	char path[PATH_MAX], command[SYSFS_PAGE_SIZE], reply[SYSFS_PAGE_SIZE];
	struct stat st;
	int status;

	if (argc < 3)
		return usage_error("%s needs MOUNTPOINT and a command", "ctl");
	if ((status = ctl_command(argc - 2, argv + 2, command, sizeof(command))) != 0)
		return status;
	if (stat(argv[1], &st) == 0 && !S_ISDIR(st.st_mode))
		snprintf(path, sizeof(path), "%s", argv[1]);
	else
		snprintf(path, sizeof(path), "%s/%s", argv[1], HOST_CONTROL_FILE);
	int fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		int err = errno;

		fprintf(stderr, "fakesys: %s: %s\n", argv[1],
			err == ENOENT ? "not a fakesys mount" : strerror(err));
		return err == ENOENT ? EXIT_USAGE : EXIT_FAILED;
	}
	int err = write(fd, command, strlen(command)) < 0 ? errno : 0;
	FILE *out = err ? stderr : stdout;
	bool said = false;
	ssize_t got;
	/* The reply of this open file's command, from its start: the write moved the offset. */
	for (off_t at = 0; (got = pread(fd, reply, sizeof(reply), at)) > 0; at += got) {
		if (!said && err)
			fprintf(out, "fakesys: %s: ", argv[2]);
		fwrite(reply, 1, (size_t)got, out);
		said = true;
	}
	if (err && !said)
		fprintf(stderr, "fakesys: %s: %s\n", argv[2], strerror(err));
	close(fd);
	return err == 0 ? 0 : err == EINVAL ? EXIT_USAGE : EXIT_FAILED;
}

static int cmd_render(int argc, char **argv)
{
	if (argc != 3)
		return usage_error("%s needs SCENARIO and DIR", "render");

	struct scenario sc;
	struct host_tree ht;
	struct render_stats stats;
	char error[PATH_MAX + 256];
	int status = load_tree(argv[1], &sc, &ht);
	if (status)
		return status;
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
	unload_tree(&sc, &ht);
	return status;
}

static int cmd_graph(int argc, char **argv)
{
	if (argc != 2)
		return usage_error("%s needs SCENARIO", "graph");

	struct scenario sc;
	int status = load(argv[1], &sc);
	if (status)
		return status;
	if (graph_write(&sc, stdout) != 0 || fflush(stdout) != 0) {
		fprintf(stderr, "fakesys: writing the graph: %s\n", strerror(errno));
		status = EXIT_FAILED;
	}
	scenario_free(&sc);
	return status;
}

static int cmd_run(int argc, char **argv)
{
	if (argc < 3)
		return usage_error("%s needs SCENARIO and a command", "run");
	char **command = argv + 2;
	if (strcmp(command[0], "--") == 0)
		command++;
	if (!command[0])
		return usage_error("%s needs a command after SCENARIO", "run");

	struct host_control host;
	char error[PATH_MAX + SCENARIO_ERROR_MAX];
	int status = host_control_load(&host, argv[1], NULL, 0, error);
	if (status) {
		fprintf(stderr, "%s\n", error);
		return status == -ENOMEM ? EXIT_FAILED : EXIT_USAGE;
	}
	const struct fuse_fs_control control = { HOST_CONTROL_FILE, host_control_run, &host };
	status = run_in_scenario(host.ht->tree, &control, host.faults, command, error,
				 sizeof(error));
	if (status < 0) {
		fprintf(stderr, "fakesys: %s\n", error);
		status = EXIT_FAILED;
	}
	host_control_free(&host);
	return status;
}

/* A scenario name from a file name: "host-a.yaml" -> "host-a"; "recorded" when that fails. */
static void name_from_output(const char *output, char *name, size_t size)
{
	const char *base = output ? strrchr(output, '/') : NULL;
	size_t len = 0;

	base = base ? base + 1 : output ? output : "";
	for (; base[len] && base[len] != '.' && len + 1 < size && len < 64; len++) {
		char c = base[len];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
			break;
		name[len] = c;
	}
	name[len] = '\0';
	if (len == 0 || base[len] != '.' || name[0] == '-' || name[0] == '_')
		snprintf(name, size, "recorded");
}

/*
 * Where a command writes a file it makes: stdout, or (-o PATH) a temporary file beside PATH
 * renamed over it at the end, so that a failure leaves no half file.
 */
struct output {
	FILE *out;
	const char *path; /* NULL: stdout */
	char tmp[PATH_MAX];
};

static int output_open(struct output *file, const char *path)
{
	file->out = stdout;
	file->path = path;
	if (!path)
		return 0;
	if ((size_t)snprintf(file->tmp, sizeof(file->tmp), "%s.XXXXXX", path) >=
	    sizeof(file->tmp)) {
		fprintf(stderr, "fakesys: %s: %s\n", path, strerror(ENAMETOOLONG));
		return -1;
	}
	int fd = mkstemp(file->tmp);
	if (fd < 0 || !(file->out = fdopen(fd, "w"))) {
		fprintf(stderr, "fakesys: %s: %s\n", path, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(file->tmp);
		}
		return -1;
	}
	return 0;
}

/* Puts the file in place if keep, else drops it. -1 with errno when that failed. */
static int output_close(struct output *file, bool keep)
{
	if (!file->path)
		return fflush(stdout) == 0 ? 0 : -1;
	int rc = fchmod(fileno(file->out), 0644);
	if (fclose(file->out) != 0)
		rc = -1;
	if (rc == 0 && keep && rename(file->tmp, file->path) != 0)
		rc = -1;
	if (rc != 0 || !keep)
		unlink(file->tmp);
	return rc;
}

static int cmd_record(int argc, char **argv)
{
	static const struct option options[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "output", required_argument, NULL, 'o' },
		{ "name", required_argument, NULL, 'n' },
		{ "children", no_argument, NULL, 'c' },
		{ "keep-identifiers", no_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 },
	};
	struct record_options opt = { .root = "/", .report = stderr };
	const char *output = NULL;
	char name[72], error[PATH_MAX + 256];
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "r:o:n:", options, NULL)) != -1) {
		switch (c) {
		case 'r':
			opt.root = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case 'n':
			opt.name = optarg;
			break;
		case 'c':
			opt.children = true;
			break;
		case 'k':
			opt.keep_identifiers = true;
			break;
		default:
			return usage_error("%s: unknown option", "record");
		}
	}
	if (optind != argc)
		return usage_error("%s takes no operands (the source is --root DIR)", "record");
	if (!opt.name) {
		name_from_output(output, name, sizeof(name));
		opt.name = name;
	}

	struct output file;
	if (output_open(&file, output) != 0)
		return EXIT_FAILED;
	struct record_summary summary;
	int rc = record_host(&opt, file.out, &summary, error, sizeof(error));
	if (output_close(&file, rc == 0) != 0 && rc == 0) {
		snprintf(error, sizeof(error), "%s: %s", output ? output : "standard output",
			 strerror(errno));
		rc = -1;
	}
	if (rc != 0) {
		fprintf(stderr, "fakesys: record: %s\n", error);
		return EXIT_FAILED;
	}
	fprintf(stderr,
		"fakesys: recorded %zu functions and %zu IOMMU groups from %s; %zu verbatim "
		"entries, %zu unreadable, %zu left out\n",
		summary.functions, summary.groups, opt.root, summary.verbatim, summary.unreadable,
		summary.left_out);
	return 0;
}

/* A decimal option of gen: 0..max, or a usage error naming the option. */
static int gen_number(const char *option, const char *text, unsigned long long max,
		      unsigned long long *value)
{
	char *end;

	errno = 0;
	*value = strtoull(text, &end, 10);
	if (errno || end == text || *end || text[0] == '-' || *value > max) {
		fprintf(stderr, "fakesys: gen: --%s '%s': a number 0 to %llu\n", option, text, max);
		return -1;
	}
	return 0;
}

static int cmd_gen(int argc, char **argv)
{
	enum { PFS = 'p', VFS = 'v', GPUS = 'g', FUNCTIONS = 'f', SEED = 's' };
	static const struct option options[] = {
		{ "pfs", required_argument, NULL, PFS },
		{ "vfs", required_argument, NULL, VFS },
		{ "gpus", required_argument, NULL, GPUS },
		{ "functions", required_argument, NULL, FUNCTIONS },
		{ "seed", required_argument, NULL, SEED },
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	/* The options each shape takes; a size given to the wrong shape is a mistake. */
	static const char *const shape_options[] = {
		[GEN_SRIOV] = "pv", [GEN_GPU] = "g", [GEN_DOMAIN] = "f"
	};
	struct gen_options opt;
	enum gen_shape shape;
	const char *output = NULL;
	char error[256];
	int c;

	if (argc < 2 || gen_shape_parse(argv[1], &shape) != 0)
		return usage_error("%s needs a shape: sriov, gpu or domain", "gen");
	gen_defaults(&opt, shape);
	optind = 2;
	while ((c = getopt_long(argc, argv, "o:", options, NULL)) != -1) {
		unsigned long long value = 0;

		if (c == '?')
			return usage_error("%s: unknown option", "gen");
		const char *name = NULL;
		for (const struct option *o = options; o->name; o++)
			if (o->val == c)
				name = o->name;
		if (c != 'o' && c != SEED && !strchr(shape_options[shape], c)) {
			fprintf(stderr, "fakesys: gen %s takes no --%s\n", argv[1], name);
			return EXIT_USAGE;
		}
		if (c != 'o' &&
		    gen_number(name, optarg, c == SEED ? UINT64_MAX : UINT32_MAX, &value) != 0)
			return EXIT_USAGE;
		switch (c) {
		case PFS:
			opt.pfs = (unsigned)value;
			break;
		case VFS:
			opt.vfs = (unsigned)value;
			break;
		case GPUS:
			opt.gpus = (unsigned)value;
			break;
		case FUNCTIONS:
			opt.functions = (unsigned)value;
			break;
		case SEED:
			opt.seed = value;
			break;
		case 'o':
			output = optarg;
			break;
		}
	}
	if (optind != argc)
		return usage_error("%s takes no operands after the shape", "gen");

	struct output file;
	if (output_open(&file, output) != 0)
		return EXIT_FAILED;
	int err = gen_write(&opt, file.out, error, sizeof(error));
	if (output_close(&file, err == 0) != 0 && err == 0) {
		snprintf(error, sizeof(error), "%s: %s", output ? output : "standard output",
			 strerror(errno));
		err = -EIO;
	}
	if (err) {
		fprintf(stderr, "fakesys: gen %s: %s\n", argv[1], error);
		return err == -EINVAL ? EXIT_USAGE : EXIT_FAILED;
	}
	return 0;
}

static const struct command commands[] = {
	{ "check", "SCENARIO...", cmd_check },
	{ "mount",
	  "[-f] [-d] [-o allow_other] [--order ORDER] [--force] [--trace FILE] [--fault RULE]...\n"
	  "                SCENARIO MOUNTPOINT",
	  cmd_mount },
	{ "list", "", cmd_list },
	{ "render", "SCENARIO DIR", cmd_render },
	{ "graph", "SCENARIO", cmd_graph },
	{ "gen",
	  "sriov [--pfs N] [--vfs N] | gpu [--gpus N] | domain [--functions N]\n"
	  "                [--seed N] [-o FILE]",
	  cmd_gen },
	{ "record", "[--root DIR] [-o FILE] [--name NAME] [--children] [--keep-identifiers]",
	  cmd_record },
	{ "run", "SCENARIO [--] CMD [ARG...]", cmd_run },
	{ "umount", "[-l] MOUNTPOINT", cmd_umount },
	{ "ctl", "MOUNTPOINT plug|unplug BDF | reload [SCENARIO] | fault RULE | faults [clear]",
	  cmd_ctl },
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

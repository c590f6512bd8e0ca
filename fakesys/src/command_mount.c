/* SPDX-License-Identifier: MIT */
/*
 * The commands that serve a scenario, mounted (mount) or to one command (run), and those that
 * look after mounts: list, umount and ctl.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <malloc.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "access_trace.h"
#include "command.h"
#include "fault_rules.h"
#include "fuse_fs.h"
#include "host_control.h"
#include "json_text.h"
#include "mount_table.h"
#include "run.h"

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

/* -o's comma-separated list, as libfuse's file systems take it; false for a word not known. */
static bool parse_mount_options(const char *list, struct fuse_fs_options *options)
{
	for (const char *word = list;; word++) {
		size_t len = strcspn(word, ",");

		if (len == strlen("allow_other") && strncmp(word, "allow_other", len) == 0)
			options->allow_other = true;
		else if (len == 2 && strncmp(word, "ro", 2) == 0)
			options->read_only = true;
		else if (len == 2 && strncmp(word, "rw", 2) == 0)
			options->read_only = false;
		else
			return false;
		word += len;
		if (!*word)
			return true;
	}
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

/* What mount was asked for, its options read; the --fault rules are checked already. */
struct mount_request {
	const char *scenario;
	const char *mountpoint;
	struct fuse_fs_options fuse;
	enum sysfs_order order;
	uint64_t seed; /* of --order shuffle:SEED */
	bool force;
	const char *trace_path; /* NULL: no trace */
	char **faults;
	size_t n_faults;
};

static int mount_scenario(struct mount_request *req)
{
	struct fuse_fs_options *options = &req->fuse;
	const char *mountpoint = req->mountpoint;
	struct stat st;
	/* The daemon works from / (libfuse's daemonize moves there, even in the foreground),
	 * and unmounts by this path when it is stopped: a relative one would miss. */
	char absolute[PATH_MAX];
	int status = check_mountpoint(mountpoint, req->force);

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
	if ((status = command_load_host(req->scenario, req->faults, req->n_faults, &host)) != 0)
		return status;
	if (req->trace_path &&
	    !(options->trace = access_trace_open(req->trace_path, error, sizeof(error)))) {
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
	if (req->order != SYSFS_ORDER_KERNFS) {
		sysfs_tree_set_order(host.ht->tree, req->order, req->seed);
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

static int cmd_mount(const struct command *self, int argc, char **argv)
{
	struct mount_request req = { .order = SYSFS_ORDER_KERNFS };
	static const struct option long_options[] = {
		{ "foreground", no_argument, NULL, 'f' },
		{ "debug", no_argument, NULL, 'd' },
		{ "options", required_argument, NULL, 'o' },
		{ "order", required_argument, NULL, 'O' },
		{ "force", no_argument, NULL, 'F' },
		{ "trace", required_argument, NULL, 'T' },
		{ "fault", required_argument, NULL, 'X' },
		COMMAND_COMMON_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	char fault_error[512];
	int opt;

	req.faults = calloc((size_t)argc, sizeof(*req.faults));
	if (!req.faults) {
		fprintf(stderr, "fakesys: out of memory\n");
		return EXIT_FAILED;
	}

	int status = -1;
	optind = 1;
	while (status < 0 && (opt = getopt_long(argc, argv, "+fdo:" COMMAND_COMMON_SHORT,
						long_options, NULL)) != -1) {
		switch (opt) {
		case 'F':
			req.force = true;
			break;
		case 'T':
			req.trace_path = optarg;
			break;
		case 'X':
			/* Checked now, for a usage error; the mount's rule set takes them later. */
			if (!fault_rules_valid_text(optarg, fault_error, sizeof(fault_error)))
				status = command_usage_error(self, "--fault: %s", fault_error);
			req.faults[req.n_faults++] = optarg;
			break;
		case 'O':
			if (!parse_order(optarg, &req.order, &req.seed))
				status = command_usage_error(self,
							     "unknown listing order '%s' (kernfs, "
							     "sorted, reverse or shuffle:SEED)",
							     optarg);
			break;
		case 'f':
			req.fuse.foreground = true;
			break;
		case 'd':
			req.fuse.debug = true;
			break;
		case 'o':
			if (!parse_mount_options(optarg, &req.fuse))
				status = command_usage_error(self,
							     "unsupported mount options '%s' "
							     "(allow_other, ro, rw)",
							     optarg);
			break;
		default:
			status = command_common_option(self, opt);
		}
	}
	if (status < 0 && argc - optind != 2)
		status = command_usage_error(self, "needs SCENARIO and MOUNTPOINT");
	if (status < 0) {
		req.scenario = argv[optind];
		req.mountpoint = argv[optind + 1];
		status = mount_scenario(&req);
	}
	free(req.faults);
	return status;
}

const struct command mount_command = {
	.name = "mount",
	.synopsis = "[-f] [-d] [-o OPTION[,OPTION]...] [--order ORDER] [--force] [--trace FILE]\n"
		    "[--fault RULE]... SCENARIO MOUNTPOINT",
	.summary = "serve the scenario's sys/ and dev/vfio/ at MOUNTPOINT (FUSE)",
	.description =
		"Checks SCENARIO, mounts the host it describes at MOUNTPOINT (a directory) and\n"
		"returns once the mount is ready, leaving a daemon to serve it until fakesys\n"
		"umount. MOUNTPOINT/sys holds kernel/iommu_groups, bus/pci, the devices/pci* tree\n"
		"they link into and the rest that lspci and VFIO users read; MOUNTPOINT/dev holds\n"
		"vfio/. Writes that sysfs acts on (driver binding, sriov_numvfs, remove, rescan,\n"
		"reset) act here too, with the kernel's errnos. Root may mount anywhere; other\n"
		"users mount through fusermount3 and see files of their own.",
	.options = "  -f, --foreground    stay in the foreground until unmounted or signalled\n"
		   "  -d, --debug         log every FUSE request to stderr (implies -f)\n"
		   "  -o OPTIONS          mount options, comma-separated as for any FUSE mount:\n"
		   "                      allow_other: let other users in (root, or\n"
		   "                      user_allow_other in /etc/fuse.conf); the control\n"
		   "                      file stays the owner's\n"
		   "                      ro: every write fails with EROFS; rw (the default)\n"
		   "      --order ORDER   how directories list: kernfs (the kernel's, default),\n"
		   "                      sorted, reverse or shuffle:SEED\n"
		   "      --force         take down a dead fakesys mount at MOUNTPOINT first\n"
		   "      --trace FILE    every operation as a JSON line (time, pid, op, path,\n"
		   "                      result) to FILE, or - for stderr (with -f or -d)\n"
		   "      --fault RULE    fail matching operations: \"PATTERN OP[,OP] ACTION...\n"
		   "                      [nth=N|count=N|after=N]\", e.g.\n"
		   "                      'sys/devices/**/config read errno=EIO' (repeatable)\n",
	.examples = "fakesys mount scenarios/kata-10576.yaml /tmp/host\n"
		    "ls /tmp/host/sys/kernel/iommu_groups\n"
		    "lspci -A linux-sysfs -O sysfs.path=/tmp/host/sys/bus/pci -nn\n"
		    "fakesys umount /tmp/host\n"
		    "fakesys mount --order shuffle:7 --trace /tmp/ops.json host.yaml /tmp/host\n"
		    "fakesys mount --fault 'sys/bus/pci/devices/*/config read errno=EIO' host.yaml "
		    "/tmp/h",
	.exit_status =
		"0 mounted (with -f: unmounted cleanly), 1 the mount failed, 2 usage error or a\n"
		"scenario that was refused",
	.run = cmd_mount,
};

static void print_mount(const struct mount_entry *entry, void *arg)
{
	const char *scenario = entry->source;
	bool *json_first = arg;
	bool dead = mount_is_dead(entry->dir);

	if (strncmp(scenario, FAKESYS_SOURCE_PREFIX, strlen(FAKESYS_SOURCE_PREFIX)) == 0)
		scenario += strlen(FAKESYS_SOURCE_PREFIX);
	if (!json_first) {
		printf("%s\t%s%s\n", entry->dir, scenario,
		       dead ? "\t(dead: fakesys umount -l or mount --force)" : "");
		return;
	}
	fputs(*json_first ? "{\"mountpoint\":" : ",{\"mountpoint\":", stdout);
	json_put_string(stdout, entry->dir);
	fputs(",\"scenario\":", stdout);
	json_put_string(stdout, scenario);
	printf(",\"alive\":%s}", dead ? "false" : "true");
	*json_first = false;
}

static int cmd_list(const struct command *self, int argc, char **argv)
{
	bool json, first = true;
	int status = command_parse_flag(self, argc, argv, "json", 'j', &json);

	if (status >= 0)
		return status;
	if (optind != argc)
		return command_usage_error(self, "takes no operands");
	if (json)
		fputs("{\"mounts\":[", stdout);
	mount_table_each_fakesys(print_mount, json ? &first : NULL);
	if (json)
		fputs("]}\n", stdout);
	if (fflush(stdout) != 0) {
		fprintf(stderr, "fakesys list: standard output: %s\n", strerror(errno));
		return EXIT_FAILED;
	}
	return 0;
}

const struct command list_command = {
	.name = "list",
	.synopsis = "[--json]",
	.summary = "show fakesys mounts and the scenario each serves",
	.description = "Prints each fakesys mount of this mount namespace: its mount point, the\n"
		       "scenario it serves, and whether its daemon has died (then every access\n"
		       "fails with ENOTCONN until fakesys umount -l or mount --force).",
	.options =
		"  -j, --json          one JSON object on stdout: {\"mounts\":[{\"mountpoint\",\n"
		"                      \"scenario\", \"alive\"}]}\n",
	.examples = "fakesys list\n"
		    "fakesys list --json | jq -r '.mounts[] | select(.alive | not) | .mountpoint'",
	.run = cmd_list,
};

static int cmd_umount(const struct command *self, int argc, char **argv)
{
	bool lazy;
	int status = command_parse_flag(self, argc, argv, "lazy", 'l', &lazy);

	if (status >= 0)
		return status;
	if (argc - optind != 1)
		return command_usage_error(self, "needs MOUNTPOINT");

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

const struct command umount_command = {
	.name = "umount",
	.synopsis = "[-l] MOUNTPOINT",
	.summary = "take a fakesys mount down (only a fakesys one)",
	.description = "Unmounts the fakesys mount at MOUNTPOINT, and its daemon exits. Any other\n"
		       "file system there is refused. A mount in use fails with EBUSY unless -l.",
	.options = "  -l, --lazy          detach now, finish when the last user lets go (also for\n"
		   "                      a mount whose daemon has died)\n",
	.examples = "fakesys umount /tmp/host\n"
		    "fakesys umount -l /tmp/host",
	.run = cmd_umount,
};

/* The words of a command as one line; reload's SCENARIO made absolute for a daemon at "/". */
static int ctl_command_line(int argc, char **argv, char *command, size_t size)
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
			return command_usage_error(&ctl_command, "the command is too long");
		len += (size_t)n;
	}
	return 0;
}

/*
 * One command to a mounted host (host_control.h). MOUNTPOINT may also be the control file
 * itself, as $FAKESYS_CONTROL in fakesys run names it.
 */
static int cmd_ctl(const struct command *self, int argc, char **argv)
{
	char path[PATH_MAX], command[SYSFS_PAGE_SIZE], reply[SYSFS_PAGE_SIZE];
	struct stat st;
	int status = command_parse_common_only(self, argc, argv);

	if (status >= 0)
		return status;
	argc -= optind - 1;
	argv += optind - 1;
	if (argc < 3)
		return command_usage_error(self, "needs MOUNTPOINT and a command");
	if ((status = ctl_command_line(argc - 2, argv + 2, command, sizeof(command))) != 0)
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

const struct command ctl_command = {
	.name = "ctl",
	.synopsis = "MOUNTPOINT plug|unplug BDF | reload [SCENARIO] | fault RULE | faults [clear]",
	.summary = "change a mounted host: hotplug, reload, fault rules",
	.description =
		"Sends one command to the host mounted at MOUNTPOINT (or to the control file that\n"
		"$FAKESYS_CONTROL names inside fakesys run) and prints its reply:\n"
		"  plug BDF          the card at BDF goes into its slot and is probed\n"
		"  unplug BDF        the card at BDF is pulled, with everything below it\n"
		"  reload [SCENARIO] the host becomes SCENARIO's (the mounted one's by default),\n"
		"                    as if just booted; a scenario that does not load changes "
		"nothing\n"
		"  fault RULE        adds a fault rule (mount --fault syntax)\n"
		"  faults [clear]    lists the rules in force, or removes them all",
	.examples = "fakesys ctl /tmp/host unplug 0000:3b:00.0\n"
		    "fakesys ctl /tmp/host plug 0000:3b:00.0\n"
		    "fakesys ctl /tmp/host fault 'sys/bus/pci/drivers/vfio-pci/bind write "
		    "errno=EBUSY'\n"
		    "fakesys ctl \"$FAKESYS_CONTROL\" reload",
	.exit_status =
		"0 done, 1 the command failed, 2 usage error or a command the host refused as\n"
		"invalid (EINVAL)",
	.run = cmd_ctl,
};

static int cmd_run(const struct command *self, int argc, char **argv)
{
	int status = command_parse_common_only(self, argc, argv);

	if (status >= 0)
		return status;
	if (argc - optind < 2)
		return command_usage_error(self, "needs SCENARIO and a command");
	const char *path = argv[optind];
	char **command = argv + optind + 1;
	if (strcmp(command[0], "--") == 0)
		command++;
	if (!command[0])
		return command_usage_error(self, "needs a command after SCENARIO");

	struct host_control host;
	char error[PATH_MAX + SCENARIO_ERROR_MAX];
	if ((status = command_load_host(path, NULL, 0, &host)) != 0)
		return status;
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

const struct command run_command = {
	.name = "run",
	.synopsis = "SCENARIO [--] CMD [ARG...]",
	.summary = "run one command with the scenario at /sys and /dev/vfio",
	.description =
		"Runs CMD in a private mount namespace where SCENARIO's tree is /sys and its\n"
		"dev/vfio and dev/iommu are in /dev, so programs with fixed paths (plain lspci,\n"
		"shell loops over /sys/kernel/iommu_groups, Go binaries) see the scenario. The\n"
		"host's /sys and /dev are untouched and nothing stays mounted afterwards. CMD\n"
		"finds the control file (see ctl) in $FAKESYS_CONTROL. Root makes the namespace\n"
		"directly; other users need unprivileged user namespaces and /dev/fuse.",
	.examples = "fakesys run scenarios/kata-10576.yaml -- lspci -nn\n"
		    "fakesys run scenarios/kata-10576.yaml -- sh -c 'ls /sys/kernel/iommu_groups'\n"
		    "fakesys run host.yaml -- go test ./pkg/device/...",
	.exit_status =
		"CMD's own (128+N if signal N killed it, 127 or 126 if it could not be run);\n"
		"1 the namespace could not be set up, 2 usage error or a scenario that was\n"
		"refused",
	.run = cmd_run,
};

/* SPDX-License-Identifier: MIT */
/*
 * fakesys run: inside a private mount namespace, a FUSE daemon serves the tree, its sys is
 * bound over /sys and its dev/vfio over /dev/vfio, and the command runs on top. /dev becomes
 * a tmpfs holding a bind of each of the host's entries, so that nothing is ever created on
 * the host's devtmpfs; the scratch space lives under the new /sys, so not even a directory
 * appears on the host. Without CAP_SYS_ADMIN, a user namespace of run's own grants the right
 * to mount there, and there only.
 */
#define _GNU_SOURCE
#include "run.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fuse_fs.h"

#define MOUNT_TIMEOUT_MS 10000 /* for the FUSE mount to come up */
#define STOP_TIMEOUT_MS	 1000  /* for the FUSE daemon to end once the tree is unmounted */
#define POLL_INTERVAL_MS 5

/* Shell conventions for a command that could not be executed. */
#define EXIT_NOT_FOUND	    127
#define EXIT_NOT_EXECUTABLE 126
#define EXIT_SIGNALLED_BASE 128

/* Where things live inside the namespace, under the scratch tmpfs. */
#define SCRATCH	   "/sys"
#define TREE_MOUNT SCRATCH "/fakesys"  /* the FUSE mount of the whole tree */
#define HOST_DEV   SCRATCH "/host-dev" /* the host's /dev, bound before /dev is replaced */

struct run_env {
	const struct fuse_fs_control *control; /* may be NULL */
	struct fault_rules *faults;	       /* may be NULL */
	int control_fd;			       /* open while the command runs, or -1 */
	bool in_user_namespace;
	bool scratch_mounted, sys_mounted, dev_mounted;
	pid_t daemon;
	char *error;
	size_t error_size;
};

__attribute__((format(printf, 2, 3))) static int fail(struct run_env *env, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(env->error, env->error_size, fmt, ap);
	va_end(ap);
	return -1;
}

__attribute__((format(printf, 3, 4))) static int
format_path(struct run_env *env, char out[PATH_MAX], const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(out, PATH_MAX, fmt, ap);
	va_end(ap);
	if (n < 0 || n >= PATH_MAX)
		return fail(env, "%.64s...: path too long", out);
	return 0;
}

/* The settings by which a kernel keeps unprivileged users out of user namespaces. */
static const struct {
	const char *path, *name, *denying_value;
} userns_sysctls[] = {
	{ "/proc/sys/kernel/unprivileged_userns_clone", "kernel.unprivileged_userns_clone", "0" },
	{ "/proc/sys/user/max_user_namespaces", "user.max_user_namespaces", "0" },
	{ "/proc/sys/kernel/apparmor_restrict_unprivileged_userns",
	  "kernel.apparmor_restrict_unprivileged_userns", "1" },
};

/* " (sysctl NAME is VALUE)" for each of those settings that denies here, else which to check. */
static void userns_hint(char *hint, size_t size)
{
	size_t used = 0;

	hint[0] = '\0';
	for (size_t i = 0; i < sizeof(userns_sysctls) / sizeof(userns_sysctls[0]); i++) {
		char value[32] = "";
		FILE *file = fopen(userns_sysctls[i].path, "re");

		if (!file)
			continue;
		if (!fgets(value, sizeof(value), file))
			value[0] = '\0';
		fclose(file);
		value[strcspn(value, "\n")] = '\0';
		if (strcmp(value, userns_sysctls[i].denying_value) == 0 && used < size)
			used += snprintf(hint + used, size - used, " (sysctl %s is %s)",
					 userns_sysctls[i].name, value);
	}
	if (used == 0)
		snprintf(hint, size,
			 " (check the sysctls kernel.unprivileged_userns_clone, "
			 "user.max_user_namespaces and "
			 "kernel.apparmor_restrict_unprivileged_userns, "
			 "and a container's seccomp profile)");
}

static int refuse_user_namespace(struct run_env *env, const char *what, int error_number)
{
	char hint[512];

	userns_hint(hint, sizeof(hint));
	return fail(env,
		    "%s: %s; without CAP_SYS_ADMIN, run mounts in a user namespace of its own, "
		    "which this system does not allow%s",
		    what, strerror(error_number), hint);
}

static int write_proc_file(struct run_env *env, const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t written = fd < 0 ? -1 : write(fd, text, strlen(text));
	int write_errno = errno;

	if (fd >= 0)
		close(fd);
	if (written != (ssize_t)strlen(text))
		return refuse_user_namespace(env, path, written < 0 ? write_errno : EIO);
	return 0;
}

/*
 * A new user namespace in which the caller is themselves (uid and gid map to the same numbers
 * outside), with a mount namespace it owns. run holds every capability in it until the
 * command's exec drops them, as for any non-root program; the mounts are the namespace's alone.
 */
static int enter_user_namespace(struct run_env *env)
{
	/* Read before the namespace: until the maps are written, these read as the overflow id. */
	unsigned int uid = geteuid(), gid = getegid();
	char map[64];

	/* libfuse opens it itself, in the namespace; this only says early and plainly why not. */
	int fuse = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	if (fuse < 0)
		return fail(env,
			    "/dev/fuse: %s; without CAP_SYS_ADMIN, run needs to read and write it "
			    "(mode 0666, as most distributions set it)",
			    strerror(errno));
	close(fuse);

	if (unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0)
		return refuse_user_namespace(env, "cannot make a user namespace", errno);
	env->in_user_namespace = true;
	/* The kernel lets an unprivileged process map its own gid only once setgroups is off. */
	if (write_proc_file(env, "/proc/self/setgroups", "deny") != 0)
		return -1;
	snprintf(map, sizeof(map), "%u %u 1\n", uid, uid);
	if (write_proc_file(env, "/proc/self/uid_map", map) != 0)
		return -1;
	snprintf(map, sizeof(map), "%u %u 1\n", gid, gid);
	return write_proc_file(env, "/proc/self/gid_map", map);
}

static int enter_namespace(struct run_env *env)
{
	if (unshare(CLONE_NEWNS) != 0) {
		if (errno != EPERM)
			return fail(env, "cannot make a private mount namespace: %s",
				    strerror(errno));
		if (enter_user_namespace(env) != 0)
			return -1;
	}
	/* A copied mount may still be shared with the host's: what is mounted below it would
	 * show up there too. */
	if (mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL) != 0) {
		int mount_errno = errno;

		/* AppArmor's restriction lets the namespace be made, then withholds the rights. */
		if (env->in_user_namespace && (mount_errno == EPERM || mount_errno == EACCES))
			return refuse_user_namespace(
				env, "cannot make the namespace's mounts private", mount_errno);
		return fail(env, "cannot make the namespace's mounts private: %s",
			    strerror(mount_errno));
	}
	return 0;
}

/*
 * A scratch tmpfs over /sys, which the tree's sys covers in the end: the tree's mount and the
 * host's /dev get places to live without a directory made anywhere on the host, even if run
 * is killed.
 */
static int make_scratch(struct run_env *env)
{
	if (mount("fakesys-run", SCRATCH, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0700") !=
	    0)
		return fail(env, "%s: cannot mount a scratch tmpfs: %s", SCRATCH, strerror(errno));
	env->scratch_mounted = true;
	if (mkdir(TREE_MOUNT, 0755) != 0 || mkdir(HOST_DEV, 0755) != 0)
		return fail(env, "%s: cannot make scratch directories: %s", SCRATCH,
			    strerror(errno));
	return 0;
}

/* The daemon child: serves tree at mountpoint until told to stop. Never returns. */
static void serve(const struct run_env *env, struct sysfs_tree *tree, const char *mountpoint,
		  pid_t parent, int report)
{
	struct fuse_fs_options options = {
		.mountpoint = mountpoint,
		.foreground = true,
		/* Seen only inside the namespace, where the command may switch users. */
		.allow_other = true,
		.faults = env->faults,
		.control = env->control,
	};
	char error[PATH_MAX + 256];

	/* Should run itself be killed, the daemon goes too, and the namespace with them. At once:
	 * the tree covers the path it was mounted at, so unmounting it there would fail. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
		_exit(1);
	/* ^C, ^\ and a hangup are meant for the command: the daemon stops once the command is
	 * done. libfuse leaves ignored signals ignored. */
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	/* Nor does it hold the command's input, or its output open after the command ends. */
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
		if (null > STDOUT_FILENO)
			close(null);
	}

	int status = fuse_fs_serve(tree, &options, error, sizeof(error));
	if (status != 0) {
		ssize_t written = write(report, error, strlen(error));
		(void)written;
	}
	_exit(status == 0 ? 0 : 1);
}

/* Until the tree is mounted (another device than the scratch tmpfs), or the daemon says why not. */
static int wait_for_mount(struct run_env *env, dev_t scratch_dev, int report)
{
	for (int waited = 0; waited < MOUNT_TIMEOUT_MS; waited += POLL_INTERVAL_MS) {
		struct pollfd pfd = { .fd = report, .events = POLLIN };
		struct stat st;

		if (stat(TREE_MOUNT, &st) == 0 && st.st_dev != scratch_dev)
			return 0;
		/* Readable: a message, or the end of a daemon that had none to give. */
		if (poll(&pfd, 1, POLL_INTERVAL_MS) > 0) {
			char message[PATH_MAX + 256];
			ssize_t n = read(report, message, sizeof(message) - 1);

			if (n <= 0)
				return fail(env,
					    "%s: the FUSE daemon ended before its mount came up",
					    TREE_MOUNT);
			message[n] = '\0';
			return fail(env, "%s", message);
		}
	}
	return fail(env, "%s: the FUSE mount did not come up within %d s", TREE_MOUNT,
		    MOUNT_TIMEOUT_MS / 1000);
}

static int start_daemon(struct run_env *env, struct sysfs_tree *tree)
{
	pid_t parent = getpid();
	struct stat scratch;
	int report[2];

	if (stat(TREE_MOUNT, &scratch) != 0)
		return fail(env, "%s: %s", TREE_MOUNT, strerror(errno));
	if (pipe2(report, O_CLOEXEC) != 0)
		return fail(env, "cannot make a pipe: %s", strerror(errno));
	fflush(NULL);
	env->daemon = fork();
	if (env->daemon == 0) {
		close(report[0]);
		serve(env, tree, TREE_MOUNT, parent, report[1]);
	}
	int fork_errno = errno;
	close(report[1]);
	int status = env->daemon < 0
			     ? fail(env, "cannot start the FUSE daemon: %s", strerror(fork_errno))
			     : wait_for_mount(env, scratch.st_dev, report[0]);
	close(report[0]);
	return status;
}

static int bind_mount(struct run_env *env, const char *source, const char *target)
{
	if (mount(source, target, "none", MS_BIND | MS_REC, NULL) != 0)
		return fail(env, "cannot bind %s onto %s: %s", source, target, strerror(errno));
	return 0;
}

/*
 * source at target, which does not exist yet: a symlink is copied, anything else is bound
 * onto a stand-in of its kind (a directory for a directory, an empty file for the rest). A
 * source that is not there (a host device gone meanwhile, a node the tree lacks) is skipped.
 */
static int place_entry(struct run_env *env, const char *source, const char *target)
{
	struct stat st;

	if (lstat(source, &st) != 0)
		return errno == ENOENT ? 0 : fail(env, "%s: %s", source, strerror(errno));
	if (S_ISLNK(st.st_mode)) {
		char link[PATH_MAX];
		ssize_t n = readlink(source, link, sizeof(link) - 1);

		if (n < 0)
			return fail(env, "%s: %s", source, strerror(errno));
		link[n] = '\0';
		if (symlink(link, target) != 0)
			return fail(env, "%s: cannot make a symlink: %s", target, strerror(errno));
		return 0;
	}
	if (S_ISDIR(st.st_mode)) {
		if (mkdir(target, 0755) != 0)
			return fail(env, "%s: cannot make a directory: %s", target,
				    strerror(errno));
	} else {
		int fd = open(target, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

		if (fd < 0)
			return fail(env, "%s: cannot make a file: %s", target, strerror(errno));
		close(fd);
	}
	return bind_mount(env, source, target);
}

/* Entries the tree provides: the host's are left out even when the tree has none. */
static bool from_tree(const char *name)
{
	return strcmp(name, "vfio") == 0 || strcmp(name, "iommu") == 0;
}

static int mount_dev(struct run_env *env)
{
	if (bind_mount(env, "/dev", HOST_DEV) != 0)
		return -1;
	if (mount("fakesys-dev", "/dev", "tmpfs", MS_NOSUID, "mode=0755") != 0)
		return fail(env, "cannot mount a tmpfs on /dev: %s", strerror(errno));
	env->dev_mounted = true;

	DIR *dir = opendir(HOST_DEV);
	if (!dir)
		return fail(env, "%s: %s", HOST_DEV, strerror(errno));
	int status = 0;
	struct dirent *entry;
	while (status == 0 && (entry = readdir(dir))) {
		const char *name = entry->d_name;
		char source[PATH_MAX], target[PATH_MAX];

		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || from_tree(name))
			continue;
		status = format_path(env, source, "%s/%s", HOST_DEV, name) ||
			 format_path(env, target, "/dev/%s", name) ||
			 place_entry(env, source, target);
	}
	closedir(dir);
	if (status)
		return -1;

	static const char *const tree_entries[] = { "vfio", "iommu" };
	for (size_t i = 0; i < sizeof(tree_entries) / sizeof(tree_entries[0]); i++) {
		char source[PATH_MAX], target[PATH_MAX];

		if (format_path(env, source, "%s/dev/%s", TREE_MOUNT, tree_entries[i]) ||
		    format_path(env, target, "/dev/%s", tree_entries[i]) ||
		    place_entry(env, source, target))
			return -1;
	}
	return 0;
}

/* Last: it covers the scratch, and with it the paths the other steps go through. */
static int mount_sys(struct run_env *env)
{
	if (bind_mount(env, TREE_MOUNT "/sys", "/sys") != 0)
		return -1;
	env->sys_mounted = true;
	return 0;
}

/*
 * The tree's root is hidden under /sys once the command runs, and its control file with it. An
 * open descriptor of it is the command's, and its children's, as /proc/self/fd/<N>: opening
 * that opens the file anew. The command finds the path in FAKESYS_CONTROL. (Not run's own
 * /proc/<pid>/fd: in a user namespace run holds capabilities the command lacks, which keeps
 * the command out of run's /proc entries.)
 */
static int export_control(struct run_env *env)
{
	char path[PATH_MAX], proc_path[64];

	if (!env->control)
		return 0;
	if (format_path(env, path, "%s/%s", TREE_MOUNT, env->control->name) != 0)
		return -1;
	if ((env->control_fd = open(path, O_RDWR | O_CLOEXEC)) < 0)
		return fail(env, "%s: %s", path, strerror(errno));
	snprintf(proc_path, sizeof(proc_path), "/proc/self/fd/%d", env->control_fd);
	if (setenv("FAKESYS_CONTROL", proc_path, 1) != 0)
		return fail(env, "cannot set FAKESYS_CONTROL: %s", strerror(errno));
	return 0;
}

/* Runs argv and waits for it, passing on the signals that ask it to stop. */
static int run_command(struct run_env *env, char *const argv[])
{
	sigset_t waited, saved;

	sigemptyset(&waited);
	sigaddset(&waited, SIGINT);
	sigaddset(&waited, SIGTERM);
	sigaddset(&waited, SIGHUP);
	sigaddset(&waited, SIGCHLD);
	/* Blocked before the fork: none is lost, and each is taken in turn by sigwaitinfo. */
	sigprocmask(SIG_BLOCK, &waited, &saved);
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		sigprocmask(SIG_SETMASK, &saved, NULL);
		if (env->control_fd >= 0)
			fcntl(env->control_fd, F_SETFD, 0); /* inherited through exec */
		execvp(argv[0], argv);
		int exec_errno = errno;
		fprintf(stderr, "fakesys: %s: %s\n", argv[0], strerror(exec_errno));
		_exit(exec_errno == ENOENT ? EXIT_NOT_FOUND : EXIT_NOT_EXECUTABLE);
	}
	if (pid < 0) {
		int fork_errno = errno;
		sigprocmask(SIG_SETMASK, &saved, NULL);
		return fail(env, "cannot start %s: %s", argv[0], strerror(fork_errno));
	}

	int wstatus = 0;
	for (;;) {
		siginfo_t info;
		int sig = sigwaitinfo(&waited, &info);

		if (sig == SIGCHLD) {
			/* Or the daemon's: the command may still be running. */
			if (waitpid(pid, &wstatus, WNOHANG) == pid)
				break;
		} else if (sig > 0) {
			kill(pid, sig);
		}
	}
	sigprocmask(SIG_SETMASK, &saved, NULL);
	if (WIFSIGNALED(wstatus))
		return EXIT_SIGNALLED_BASE + WTERMSIG(wstatus);
	return WEXITSTATUS(wstatus);
}

/* True once pid is reaped (or cannot be), false if it still runs after timeout_ms. */
static bool reap_within(pid_t pid, int timeout_ms)
{
	const struct timespec interval = { .tv_nsec = POLL_INTERVAL_MS * 1000000L };

	for (int waited = 0;; waited += POLL_INTERVAL_MS) {
		pid_t reaped = waitpid(pid, NULL, WNOHANG);

		if (reaped == pid || (reaped < 0 && errno != EINTR))
			return true;
		if (waited >= timeout_ms)
			return false;
		nanosleep(&interval, NULL);
	}
}

/*
 * Once the last mount of the tree is gone, the kernel ends the FUSE session and the daemon
 * returns. A process the command left behind with a file of the tree open keeps the session
 * alive: then the daemon is killed, which aborts the connection under that process. Not
 * SIGTERM: the daemon would try to unmount the tree again, and complain.
 */
static void stop_daemon(struct run_env *env)
{
	if (env->daemon <= 0)
		return;
	umount2(TREE_MOUNT, MNT_DETACH);
	if (!reap_within(env->daemon, STOP_TIMEOUT_MS)) {
		kill(env->daemon, SIGKILL);
		waitpid(env->daemon, NULL, 0);
	}
	env->daemon = -1;
}

/* Lazy unmounts throughout: a process the command left behind may hold files open below. */
static void tear_down(struct run_env *env)
{
	if (env->control_fd >= 0)
		close(env->control_fd); /* it would keep the FUSE session alive */
	if (env->sys_mounted)
		umount2("/sys", MNT_DETACH); /* the tree's sys: the scratch is on top again */
	if (env->dev_mounted)
		umount2("/dev", MNT_DETACH); /* with every bind on it */
	stop_daemon(env);
	if (env->scratch_mounted)
		umount2(SCRATCH, MNT_DETACH); /* with the host's /dev bound in it */
}

int run_in_scenario(struct sysfs_tree *tree, const struct fuse_fs_control *control,
		    struct fault_rules *faults, char *const argv[], char *error, size_t error_size)
{
	struct run_env env = { .control = control,
			       .faults = faults,
			       .control_fd = -1,
			       .daemon = -1,
			       .error = error,
			       .error_size = error_size };
	int status = -1;

	if (!argv || !argv[0])
		return fail(&env, "no command to run");
	if (enter_namespace(&env) == 0 && make_scratch(&env) == 0 &&
	    start_daemon(&env, tree) == 0 && export_control(&env) == 0 && mount_dev(&env) == 0 &&
	    mount_sys(&env) == 0)
		status = run_command(&env, argv);
	tear_down(&env);
	return status;
}

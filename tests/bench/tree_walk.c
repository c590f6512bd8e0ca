/* SPDX-License-Identifier: MIT */
/*
 * The timed loops of ci/bench, in C so that a shell's fork and exec per file do not drown what
 * is measured. Every mode prints one line of key=value pairs on stdout, ns= first: the elapsed
 * time on CLOCK_MONOTONIC of the part that is measured and nothing else.
 *
 *   tree-walk walk DIR         readdir + lstat (fstatat, AT_SYMLINK_NOFOLLOW) of every node
 *                              below DIR, links never followed
 *   tree-walk read DIR         the same descent by readdir's d_type, and every regular file
 *                              opened, read to EOF and closed once; device nodes, links and
 *                              other kinds are skipped
 *   tree-walk stat PATH N      stat(PATH) N times: on a path the kernel does not cache (the
 *                              mount's control file), the cost of FUSE requests themselves
 *   tree-walk run CMD [ARG]... CMD from fork to its exit, its stdout thrown away
 *   tree-walk ready PATH CMD [ARG]...
 *                              CMD from fork to its exit, then stat(PATH) again and again until
 *                              it succeeds: ns= is fork to that first success, returned_ns=
 *                              fork to CMD's exit
 *
 * Both walks go from directory descriptors (openat, fdopendir, fstatat relative to the parent),
 * so the fakesys mount and its tmpfs rendering pay the same path lookups: one component each.
 * A node that cannot be opened or stat'ed is counted in errors= (and a file that cannot be
 * opened or read to its end in failed=) rather than ending the walk, so that a tree with a few
 * unreadable attributes is still measured whole; the first few are named on stderr.
 *
 * Exit status: 0 when the walk ran (whatever it counted) or CMD exited 0, 1 when DIR cannot be
 * opened, CMD failed or PATH never appeared, 2 on a usage error.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Errors beyond these are counted but not named: a tree failing everywhere names a few. */
#define ERRORS_NAMED 5
/* How long ready waits for PATH after CMD exited before it gives up. */
#define READY_WAIT_NS (30 * 1000000000LL)

struct counts {
	uint64_t dirs;
	uint64_t files;
	uint64_t links;
	uint64_t other;	 /* device nodes, fifos, sockets */
	uint64_t errors; /* nodes that could not be stat'ed, directories that could not be listed */
	uint64_t failed; /* read: regular files that could not be opened or read to EOF */
	uint64_t bytes;	 /* read: bytes read */
};

/* The directory being walked, from the root given: for messages only, never for lookups. */
struct dir_path {
	char buf[PATH_MAX];
	size_t len;
};

static char read_buffer[64 * 1024];

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void report_error(struct counts *counts, const struct dir_path *dir, const char *name,
			 const char *what, int err)
{
	if (counts->errors + counts->failed < ERRORS_NAMED)
		fprintf(stderr, "tree-walk: %s%s%s: %s: %s\n", dir->buf, name ? "/" : "",
			name ? name : "", what, strerror(err));
}

/* Appends NAME to the path of messages; false when it would not fit (the walk goes on). */
static bool dir_path_push(struct dir_path *dir, const char *name, size_t *saved)
{
	size_t name_len = strlen(name);

	*saved = dir->len;
	if (dir->len + 1 + name_len >= sizeof(dir->buf))
		return false;
	dir->buf[dir->len++] = '/';
	memcpy(dir->buf + dir->len, name, name_len + 1);
	dir->len += name_len;
	return true;
}

static void dir_path_pop(struct dir_path *dir, size_t saved)
{
	dir->len = saved;
	dir->buf[saved] = '\0';
}

static void read_file(int dirfd, const char *name, struct counts *counts,
		      const struct dir_path *dir)
{
	int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	ssize_t n;

	counts->files++;
	if (fd < 0) {
		report_error(counts, dir, name, "open", errno);
		counts->failed++;
		return;
	}
	while ((n = read(fd, read_buffer, sizeof(read_buffer))) > 0)
		counts->bytes += (uint64_t)n;
	if (n < 0) {
		report_error(counts, dir, name, "read", errno);
		counts->failed++;
	}
	close(fd);
}

static unsigned char type_of_mode(mode_t mode)
{
	if (S_ISDIR(mode))
		return DT_DIR;
	if (S_ISREG(mode))
		return DT_REG;
	if (S_ISLNK(mode))
		return DT_LNK;
	return DT_UNKNOWN;
}

/*
 * Walks the directory open at DIRFD (taken over: closed here). With READING, the type comes
 * from readdir where the file system gives it and regular files are read; without, every node
 * is lstat'ed, which is the walk's whole point.
 */
static void walk_dir(int dirfd, bool reading, struct counts *counts, struct dir_path *dir)
{
	DIR *d = fdopendir(dirfd);
	struct dirent *entry;

	if (!d) {
		report_error(counts, dir, NULL, "fdopendir", errno);
		counts->errors++;
		close(dirfd);
		return;
	}
	counts->dirs++;
	errno = 0;
	while ((entry = readdir(d))) {
		const char *name = entry->d_name;
		unsigned char type = entry->d_type;
		struct stat st;

		if (name[0] == '.' && (!name[1] || (name[1] == '.' && !name[2])))
			continue;
		if (!reading || type == DT_UNKNOWN) {
			if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
				report_error(counts, dir, name, "lstat", errno);
				counts->errors++;
				continue;
			}
			type = type_of_mode(st.st_mode);
		}
		if (type == DT_DIR) {
			int child = openat(dirfd, name,
					   O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			size_t saved;

			if (child < 0) {
				report_error(counts, dir, name, "open", errno);
				counts->errors++;
				continue;
			}
			bool pushed = dir_path_push(dir, name, &saved);
			walk_dir(child, reading, counts, dir);
			if (pushed)
				dir_path_pop(dir, saved);
		} else if (type == DT_REG) {
			if (reading)
				read_file(dirfd, name, counts, dir);
			else
				counts->files++;
		} else if (type == DT_LNK) {
			counts->links++;
		} else {
			counts->other++;
		}
		errno = 0;
	}
	if (errno) {
		report_error(counts, dir, NULL, "readdir", errno);
		counts->errors++;
	}
	closedir(d);
}

static int cmd_walk(const char *root, bool reading)
{
	struct counts counts = { 0 };
	struct dir_path dir;
	int64_t start = now_ns();
	int fd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "tree-walk: %s: %s\n", root, strerror(errno));
		return 1;
	}
	snprintf(dir.buf, sizeof(dir.buf), "%s", root);
	dir.len = strlen(dir.buf);
	walk_dir(fd, reading, &counts, &dir);
	int64_t elapsed = now_ns() - start;

	if (reading)
		printf("ns=%lld dirs=%llu files=%llu failed=%llu bytes=%llu skipped=%llu "
		       "errors=%llu\n",
		       (long long)elapsed, (unsigned long long)counts.dirs,
		       (unsigned long long)counts.files, (unsigned long long)counts.failed,
		       (unsigned long long)counts.bytes,
		       (unsigned long long)(counts.links + counts.other),
		       (unsigned long long)counts.errors);
	else
		printf("ns=%lld dirs=%llu files=%llu links=%llu other=%llu errors=%llu\n",
		       (long long)elapsed, (unsigned long long)counts.dirs,
		       (unsigned long long)counts.files, (unsigned long long)counts.links,
		       (unsigned long long)counts.other, (unsigned long long)counts.errors);
	return 0;
}

/* Runs ARGV with stdout on /dev/null; its wait status, or -1 when it could not be started. */
static int run_command(char **argv)
{
	int status;
	pid_t pid = fork();

	if (pid < 0) {
		fprintf(stderr, "tree-walk: fork: %s\n", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);

		if (null >= 0 && dup2(null, STDOUT_FILENO) >= 0 && null != STDOUT_FILENO)
			close(null);
		execvp(argv[0], argv);
		fprintf(stderr, "tree-walk: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR) {
			fprintf(stderr, "tree-walk: waitpid: %s\n", strerror(errno));
			return -1;
		}
	}
	return status;
}

static int exit_code_of(int status)
{
	if (status < 0)
		return 127;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

static int cmd_run(char **argv)
{
	int64_t start = now_ns();
	int status = run_command(argv);
	int64_t elapsed = now_ns() - start;

	printf("ns=%lld status=%d\n", (long long)elapsed, exit_code_of(status));
	return exit_code_of(status) ? 1 : 0;
}

static int cmd_ready(const char *path, char **argv)
{
	int64_t start = now_ns();
	int status = run_command(argv);
	int64_t returned = now_ns();
	int64_t ready = 0;
	unsigned long polls = 0;
	struct stat st;

	if (exit_code_of(status) == 0) {
		/* A mount that is ready when its command returns succeeds on the first poll. */
		for (;;) {
			polls++;
			if (stat(path, &st) == 0) {
				ready = now_ns();
				break;
			}
			if (now_ns() - returned > READY_WAIT_NS) {
				fprintf(stderr,
					"tree-walk: %s: %s, %d s after the command returned\n",
					path, strerror(errno), (int)(READY_WAIT_NS / 1000000000LL));
				break;
			}
			usleep(100);
		}
	}
	printf("ns=%lld returned_ns=%lld status=%d polls=%lu\n",
	       (long long)(ready ? ready - start : -1), (long long)(returned - start),
	       exit_code_of(status), polls);
	return ready ? 0 : 1;
}

static int cmd_stat(const char *path, const char *count_text)
{
	char *end;
	long count = strtol(count_text, &end, 10);
	struct stat st;

	if (*end || count <= 0) {
		fprintf(stderr, "tree-walk: stat: '%s' is not a count\n", count_text);
		return 2;
	}
	int64_t start = now_ns();
	for (long i = 0; i < count; i++)
		if (stat(path, &st) != 0) {
			fprintf(stderr, "tree-walk: %s: %s\n", path, strerror(errno));
			return 1;
		}
	printf("ns=%lld count=%ld\n", (long long)(now_ns() - start), count);
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: tree-walk walk DIR | read DIR | stat PATH N | run CMD [ARG]... | "
			"ready PATH CMD [ARG]...\n");
	return 2;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "walk") == 0)
		return cmd_walk(argv[2], false);
	if (argc == 3 && strcmp(argv[1], "read") == 0)
		return cmd_walk(argv[2], true);
	if (argc == 4 && strcmp(argv[1], "stat") == 0)
		return cmd_stat(argv[2], argv[3]);
	if (argc >= 3 && strcmp(argv[1], "run") == 0)
		return cmd_run(argv + 2);
	if (argc >= 4 && strcmp(argv[1], "ready") == 0)
		return cmd_ready(argv[2], argv + 3);
	return usage();
}

/* SPDX-License-Identifier: MIT */
/*
 * Runs scenarios end to end, one after the other, each with a mount of its own: mounts it with
 * the real fakesys binary, names the sandbox's devices with each scheme the scenario expects,
 * compares, checks that lspci lists every function with its IDs and class, runs the scenario's
 * steps, and unmounts on every path.
 *
 * usage: scenario-test --fakesys PATH [--lspci PATH] [--junit FILE] SCENARIO...
 *
 * --junit FILE: also writes a JUnit XML report there (through FILE.tmp, renamed when complete):
 *   a testcase per scenario, with a <failure> for a scenario that failed, an <error> for one
 *   that could not run (refused, or not mounted), and its output.
 * Exit status: 0 when every scenario passed, 1 when any failed or could not run (or the report
 * could not be written), 2 on a usage error or a report file that cannot be created.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "scenario.h"
#include "scenario_steps.h"

static char mountpoint[256];
static volatile sig_atomic_t mounted;

/* A test killed half-way must not leave its mount behind. */
static void on_signal(int sig)
{
	if (mounted)
		umount2(mountpoint, MNT_DETACH);
	rmdir(mountpoint);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Runs argv; with output, captures its stdout (NUL-terminated, caller frees). */
static int run(char *const argv[], char **output)
{
	int pipefd[2] = { -1, -1 };

	if (output && pipe(pipefd) != 0)
		return -1;
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (output) {
			dup2(pipefd[1], STDOUT_FILENO);
			close(pipefd[0]);
			close(pipefd[1]);
		}
		execvp(argv[0], argv);
		fprintf(stderr, "scenario-test: %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (output) {
		size_t len = 0, cap = 4096;
		char *buf = malloc(cap);
		ssize_t n;

		close(pipefd[1]);
		while (buf && (n = read(pipefd[0], buf + len, cap - len - 1)) > 0) {
			len += (size_t)n;
			if (cap - len < 2048) {
				char *bigger = realloc(buf, cap *= 2);

				if (!bigger)
					free(buf);
				buf = bigger;
			}
		}
		close(pipefd[0]);
		if (buf)
			buf[len] = '\0';
		*output = buf;
	}
	int status;
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The line lspci -D -nn prints for fn, or NULL. Lines start with the address. */
static const char *find_line(const char *listing, const char *bdf)
{
	size_t len = strlen(bdf);

	for (const char *line = listing; line && *line;) {
		if (strncmp(line, bdf, len) == 0 && line[len] == ' ')
			return line;
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return NULL;
}

static bool contains_in_line(const char *line, const char *needle)
{
	const char *end = strchr(line, '\n');
	const char *hit = strstr(line, needle);

	return hit && (!end || hit < end);
}

/* lspci's listing, run once: -D -nn -vv -k gives the ID lines and every detail checked. */
static char *lspci_listing(const char *lspci)
{
	char sysfs_path[512];
	char *listing = NULL;

	snprintf(sysfs_path, sizeof(sysfs_path), "sysfs.path=%s/sys/bus/pci", mountpoint);
	/* -A linux-sysfs: without it a bad path silently falls back to the real /proc/bus/pci. */
	char *argv[] = { (char *)lspci, "-A",  "linux-sysfs", "-O", sysfs_path,
			 "-D",		"-nn", "-vv",	      "-k", NULL };
	int status = run(argv, &listing);
	if (status != 0 || !listing) {
		printf("FAIL lspci: exit status %d\n", status);
		free(listing);
		return NULL;
	}
	return listing;
}

/* Every function has its line, with its class and IDs, and nothing else has one. */
static bool check_lspci(const struct scenario *sc, const char *listing)
{
	bool ok = true;

	size_t lines = 0, present = 0;
	for (const char *p = listing; *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p))
		lines += *p != '\t' && *p != '\n';
	for (size_t i = 0; i < sc->topo.n_functions; i++)
		present += sc->topo.functions[i].present;
	if (lines != present) {
		printf("FAIL lspci: %zu lines for %zu functions\n", lines, present);
		ok = false;
	}
	for (size_t i = 0; i < sc->topo.n_functions; i++) {
		const struct topo_function *fn = &sc->topo.functions[i];
		char bdf[PCI_ADDR_STRLEN], class_tag[16], id_tag[16];

		pci_addr_format(&fn->addr, bdf);
		if (!fn->present) {
			if (find_line(listing, bdf)) {
				printf("FAIL lspci: a line for %s, which is not on the bus\n", bdf);
				ok = false;
			}
			continue;
		}
		snprintf(class_tag, sizeof(class_tag), " [%04x]: ", fn->class_code >> 8);
		snprintf(id_tag, sizeof(id_tag), " [%04x:%04x]", fn->vendor, fn->device);
		const char *line = find_line(listing, bdf);
		if (!line || !contains_in_line(line, class_tag) ||
		    !contains_in_line(line, id_tag)) {
			printf("FAIL lspci: no line for %s with%s and%s\n", bdf, class_tag, id_tag);
			ok = false;
		}
	}
	if (ok)
		printf("ok   lspci: %zu functions with their IDs and classes\n", lines);
	return ok;
}

/* The block lspci -vv prints for one device: from its first line to the next blank line. */
static char *device_block(const char *listing, const char *bdf)
{
	const char *start = find_line(listing, bdf);
	const char *end;

	if (!start)
		return NULL;
	end = strstr(start, "\n\n");
	end = end ? end + 1 : start + strlen(start);
	return strndup(start, (size_t)(end - start));
}

/* lspci's spelling of a link generation's speed in LnkSta. */
static const char *lspci_speed(uint8_t generation)
{
	static const char *const speeds[] = { "", "2.5", "5", "8", "16", "32", "64" };

	return generation < 7 ? speeds[generation] : "";
}

/*
 * lspci -vv -k shows what the scenario says of each function: its IOMMU group, driver, NUMA
 * node, firmware label, negotiated link, and for a PF its SR-IOV capability.
 */
static bool check_lspci_details(const struct scenario *sc, const char *listing)
{
	const struct topology *topo = &sc->topo;
	char want[160];
	size_t checked = 0;
	bool ok = true;

	for (size_t i = 0; i < topo->n_functions; i++) {
		const struct topo_function *fn = &topo->functions[i];
		char bdf[PCI_ADDR_STRLEN];
		char *block;

		if (!fn->present)
			continue;
		pci_addr_format(&fn->addr, bdf);
		if (!(block = device_block(listing, bdf))) {
			printf("FAIL lspci -vv: no block for %s\n", bdf);
			ok = false;
			continue;
		}
#define EXPECT(...)                                                                                \
	do {                                                                                       \
		snprintf(want, sizeof(want), __VA_ARGS__);                                         \
		checked++;                                                                         \
		if (!strstr(block, want)) {                                                        \
			printf("FAIL lspci -vv: %s does not show \"%s\"\n", bdf, want);            \
			ok = false;                                                                \
		}                                                                                  \
	} while (0)
		if (fn->group != TOPO_NONE)
			EXPECT("\tIOMMU group: %d\n", topo->groups[fn->group].id);
		if (fn->driver != TOPO_NONE)
			EXPECT("\tKernel driver in use: %s\n", topo->drivers[fn->driver].name);
		if (fn->numa_node >= 0)
			EXPECT("\tNUMA node: %d\n", fn->numa_node);
		if (fn->label)
			EXPECT("\tDeviceName: %s\n", fn->label);
		if (fn->pcie.present && fn->pcie.speed && !fn->raw_config) {
			/* "(downgraded)" may follow a speed or width below the capability. */
			EXPECT("LnkSta:\tSpeed %sGT/s", lspci_speed(fn->pcie.speed));
			const char *lnksta = strstr(block, "LnkSta:");
			const char *eol = lnksta ? strchr(lnksta, '\n') : NULL;
			char width[16];

			snprintf(width, sizeof(width), ", Width x%u", fn->pcie.width);
			const char *hit = lnksta ? strstr(lnksta, width) : NULL;
			if (!hit || (eol && hit > eol) ||
			    (hit[strlen(width)] != '\n' && hit[strlen(width)] != ' ')) {
				printf("FAIL lspci -vv: %s LnkSta does not show width x%u\n", bdf,
				       fn->pcie.width);
				ok = false;
			}
		}
		if (fn->sriov && !fn->raw_config) {
			EXPECT("Single Root I/O Virtualization (SR-IOV)");
			EXPECT("Total VFs: %u, Number of VFs: %u,", fn->sriov->total,
			       fn->sriov->num);
		}
#undef EXPECT
		free(block);
	}
	if (ok)
		printf("ok   lspci -vv -k: %zu details of %zu functions as the scenario says\n",
		       checked, topo->n_functions);
	return ok;
}

static bool still_mounted(void)
{
	FILE *f = fopen("/proc/self/mounts", "r");
	char line[1024];
	bool found = false;

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f)) {
		char *dir = strchr(line, ' ');

		found = dir && strncmp(dir + 1, mountpoint, strlen(mountpoint)) == 0 &&
			dir[1 + strlen(mountpoint)] == ' ';
	}
	fclose(f);
	return found;
}

/* A scenario's process exits with one of these; anything else is the runner's own breakdown. */
enum scenario_exit {
	SCENARIO_PASSED = 0,
	SCENARIO_FAILED = 1,
	SCENARIO_NOT_RUN = 3, /* refused, or not mounted: nothing about it was checked */
};

/* Runs one scenario, printing a line per check and PASS or FAIL with its path last. */
static enum scenario_exit run_scenario(const char *fakesys, const char *lspci, const char *path)
{
	struct scenario sc;
	char error[SCENARIO_ERROR_MAX];
	if (scenario_load(path, &sc, error) != 0) {
		printf("FAIL load: %s\n", error);
		printf("FAIL %s\n", path);
		return SCENARIO_NOT_RUN;
	}

	const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	snprintf(mountpoint, sizeof(mountpoint), "%s/fakesys-test.XXXXXX", tmp);
	if (!mkdtemp(mountpoint)) {
		printf("FAIL mkdtemp %s: %s\n", mountpoint, strerror(errno));
		printf("FAIL %s\n", path);
		scenario_free(&sc);
		return SCENARIO_NOT_RUN;
	}

	bool ok = true;
	char *mount_argv[] = { (char *)fakesys, "mount", (char *)path, mountpoint, NULL };
	mounted = 1;
	int status = run(mount_argv, NULL);
	if (status != 0) {
		printf("FAIL mount: fakesys exited with %d\n", status);
		ok = false;
	}
	for (size_t i = 0; ok && i < sc.n_expect; i++)
		ok &= check_naming(mountpoint, sc.sandbox, sc.n_sandbox, &sc.expect[i],
				   sc.expect[i].scheme);
	if (status == 0) {
		char *listing = lspci_listing(lspci);

		ok &= listing != NULL;
		if (listing) {
			ok &= check_lspci(&sc, listing);
			ok &= check_lspci_details(&sc, listing);
		}
		free(listing);
	}
	/* The steps change the host: last, once the host as the file says it is was checked. */
	if (ok && status == 0)
		ok &= run_steps(&sc, mountpoint);

	char *umount_argv[] = { (char *)fakesys, "umount", mountpoint, NULL };
	if (run(umount_argv, NULL) != 0 && still_mounted()) {
		printf("FAIL umount: fakesys umount failed; detaching\n");
		umount2(mountpoint, MNT_DETACH);
		ok = false;
	}
	mounted = 0;
	if (still_mounted()) {
		printf("FAIL umount: %s is still mounted\n", mountpoint);
		ok = false;
	}
	rmdir(mountpoint);
	scenario_free(&sc);
	printf("%s %s\n", ok ? "PASS" : "FAIL", path);
	if (status != 0)
		return SCENARIO_NOT_RUN;
	return ok ? SCENARIO_PASSED : SCENARIO_FAILED;
}

/* A growing byte buffer, kept NUL-terminated. */
struct text {
	char *data;
	size_t len, cap;
};

static bool text_append(struct text *t, const char *bytes, size_t n)
{
	if (t->len + n + 1 > t->cap) {
		size_t cap = t->cap ? t->cap : 4096;
		while (cap < t->len + n + 1)
			cap *= 2;
		char *bigger = realloc(t->data, cap);
		if (!bigger)
			return false;
		t->data = bigger;
		t->cap = cap;
	}
	memcpy(t->data + t->len, bytes, n);
	t->len += n;
	t->data[t->len] = '\0';
	return true;
}

static bool write_all(int fd, const char *bytes, size_t n)
{
	while (n > 0) {
		ssize_t written = write(fd, bytes, n);
		if (written < 0 && errno == EINTR)
			continue;
		if (written <= 0)
			return false;
		bytes += written;
		n -= (size_t)written;
	}
	return true;
}

enum outcome { PASSED, FAILED, NOT_RUN };

/* What the report says of one scenario. */
struct result {
	const char *path;
	enum outcome outcome;
	double seconds;
	struct text log;    /* stdout and stderr as they came, the report's copy of the output */
	char *message;	    /* the first FAIL line, or why the runner could not tell */
	bool out_of_memory; /* the log is incomplete */
};

/* The scenario's process while it runs, for the signal handler; 0 when there is none. */
static volatile pid_t scenario_pid;
static volatile sig_atomic_t stop_signal;

/* Passes the signal on so that the scenario unmounts, and stops once it is gone. */
static void on_runner_signal(int sig)
{
	if (scenario_pid > 0)
		kill(scenario_pid, sig);
	stop_signal = sig;
}

static const int forwarded_signals[] = { SIGINT, SIGTERM, SIGHUP };

static void set_signal_handlers(void (*handler)(int))
{
	for (size_t i = 0; i < sizeof(forwarded_signals) / sizeof(forwarded_signals[0]); i++)
		signal(forwarded_signals[i], handler);
}

static void block_signals(int how)
{
	sigset_t set;

	sigemptyset(&set);
	for (size_t i = 0; i < sizeof(forwarded_signals) / sizeof(forwarded_signals[0]); i++)
		sigaddset(&set, forwarded_signals[i]);
	sigprocmask(how, &set, NULL);
}

static double seconds_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/* Why the runner could not run or judge a scenario; NULL if even that is out of memory. */
static void set_message(struct result *result, const char *format, ...)
{
	va_list args;

	free(result->message);
	va_start(args, format);
	if (vasprintf(&result->message, format, args) < 0)
		result->message = NULL;
	va_end(args);
}

/* The first line of out starting with FAIL, without its newline; NULL if none. */
static char *first_fail_line(const char *out)
{
	for (const char *line = out; line && *line;) {
		const char *end = strchr(line, '\n');
		if (strncmp(line, "FAIL ", 5) == 0)
			return end ? strndup(line, (size_t)(end - line)) : strdup(line);
		line = end ? end + 1 : NULL;
	}
	return NULL;
}

/*
 * Runs the scenario in a process of its own (a crash or a hang-up loses only that scenario) and
 * copies its stdout and stderr to ours as they come, keeping a copy for the report.
 */
static void run_captured(const char *fakesys, const char *lspci, struct result *result)
{
	int out[2], err[2];
	struct timespec start;
	struct text stdout_text = { 0 };

	clock_gettime(CLOCK_MONOTONIC, &start);
	if (pipe2(out, O_CLOEXEC) != 0) {
		result->outcome = NOT_RUN;
		set_message(result, "scenario-test: pipe: %s", strerror(errno));
		return;
	}
	if (pipe2(err, O_CLOEXEC) != 0) {
		result->outcome = NOT_RUN;
		set_message(result, "scenario-test: pipe: %s", strerror(errno));
		close(out[0]);
		close(out[1]);
		return;
	}
	fflush(stdout);
	fflush(stderr);
	/* Until the handler knows the new pid, a signal would reach no scenario: held back. */
	block_signals(SIG_BLOCK);
	pid_t pid = fork();
	if (pid == 0) {
		scenario_pid = 0;
		set_signal_handlers(on_signal);
		block_signals(SIG_UNBLOCK);
		dup2(out[1], STDOUT_FILENO);
		dup2(err[1], STDERR_FILENO);
		/* Lines in the order they were printed, interleaved rightly with the commands'. */
		setvbuf(stdout, NULL, _IOLBF, 0);
		enum scenario_exit code = run_scenario(fakesys, lspci, result->path);
		fflush(stdout);
		_exit(code);
	}
	if (pid > 0)
		scenario_pid = pid;
	block_signals(SIG_UNBLOCK);
	close(out[1]);
	close(err[1]);
	if (pid < 0) {
		result->outcome = NOT_RUN;
		set_message(result, "scenario-test: fork: %s", strerror(errno));
		close(out[0]);
		close(err[0]);
		return;
	}

	struct pollfd fds[2] = { { .fd = out[0], .events = POLLIN },
				 { .fd = err[0], .events = POLLIN } };
	int status = 0;
	bool exited = false;
	/*
	 * Until both pipes close; a process the scenario left behind could hold them open, so once
	 * the scenario has exited, only what is already there is read.
	 */
	while (fds[0].fd >= 0 || fds[1].fd >= 0) {
		int ready = poll(fds, 2, exited ? 0 : 200);
		if (ready < 0 && errno != EINTR)
			break;
		if (ready == 0 && exited)
			break;
		for (int i = 0; ready > 0 && i < 2; i++) {
			char chunk[4096];
			ssize_t n;

			if (fds[i].fd < 0 || !fds[i].revents)
				continue;
			n = read(fds[i].fd, chunk, sizeof(chunk));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				close(fds[i].fd);
				fds[i].fd = -1;
				continue;
			}
			write_all(i == 0 ? STDOUT_FILENO : STDERR_FILENO, chunk, (size_t)n);
			if (!text_append(&result->log, chunk, (size_t)n) ||
			    (i == 0 && !text_append(&stdout_text, chunk, (size_t)n)))
				result->out_of_memory = true;
		}
		if (!exited && waitpid(pid, &status, WNOHANG) == pid)
			exited = true;
	}
	for (int i = 0; i < 2; i++)
		if (fds[i].fd >= 0)
			close(fds[i].fd);
	while (!exited && waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	scenario_pid = 0;
	result->seconds = seconds_since(&start);

	if (WIFEXITED(status) && WEXITSTATUS(status) == SCENARIO_PASSED) {
		result->outcome = PASSED;
	} else if (WIFEXITED(status) && (WEXITSTATUS(status) == SCENARIO_FAILED ||
					 WEXITSTATUS(status) == SCENARIO_NOT_RUN)) {
		result->outcome = WEXITSTATUS(status) == SCENARIO_FAILED ? FAILED : NOT_RUN;
		result->message = stdout_text.data ? first_fail_line(stdout_text.data) : NULL;
		if (!result->message)
			set_message(result, "FAIL %s", result->path);
	} else {
		result->outcome = NOT_RUN;
		if (WIFSIGNALED(status))
			set_message(result, "scenario-test: the scenario's process died of %s",
				    strsignal(WTERMSIG(status)));
		else
			set_message(result, "scenario-test: the scenario's process exited with %d",
				    WEXITSTATUS(status));
		fprintf(stderr, "%s\n", result->message);
	}
	free(stdout_text.data);
}

/*
 * The length of the UTF-8 sequence at s if it encodes a character XML 1.0 allows (tab, line
 * feed and carriage return the only control characters), else 0.
 */
static size_t xml_char_length(const unsigned char *s, size_t left)
{
	uint32_t c;
	size_t n;

	if (s[0] < 0x80)
		return s[0] >= 0x20 || s[0] == '\t' || s[0] == '\n' || s[0] == '\r';
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, c = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, c = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, c = s[0] & 0x07;
	else
		return 0;
	if (n > left)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	bool overlong = (n == 3 && c < 0x800) || (n == 4 && c < 0x10000);
	bool surrogate = c >= 0xd800 && c <= 0xdfff;
	if (overlong || surrogate || c == 0xfffe || c == 0xffff || c > 0x10ffff)
		return 0;
	return n;
}

/*
 * Writes s escaped for XML text or an attribute value. A byte XML cannot carry (a control
 * character, invalid UTF-8) is written as \xNN, as the steps print unreadable bytes.
 */
static void xml_escaped(FILE *f, const char *s, bool attribute)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t left = strlen(s);

	while (left > 0) {
		size_t n = xml_char_length(p, left);

		if (n == 0) {
			fprintf(f, "\\x%02x", *p);
			n = 1;
		} else if (*p == '&') {
			fputs("&amp;", f);
		} else if (*p == '<') {
			fputs("&lt;", f);
		} else if (*p == '>') {
			fputs("&gt;", f);
		} else if (*p == '"') {
			fputs("&quot;", f);
		} else if (*p == '\'') {
			fputs("&apos;", f);
		} else if (*p == '\r' || (attribute && (*p == '\n' || *p == '\t'))) {
			/* Written raw, a parser would turn them into spaces, or \r\n into \n. */
			fprintf(f, "&#%d;", *p);
		} else {
			fwrite(p, 1, n, f);
		}
		p += n;
		left -= n;
	}
}

/* The scenario's name: its file's base name without .yaml. */
static char *scenario_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	size_t len = strlen(base);

	if (len > 5 && strcmp(base + len - 5, ".yaml") == 0)
		len -= 5;
	return strndup(base, len);
}

static void write_junit(FILE *f, const struct result *results, size_t n, double seconds)
{
	size_t failures = 0, errors = 0;

	for (size_t i = 0; i < n; i++) {
		failures += results[i].outcome == FAILED;
		errors += results[i].outcome == NOT_RUN;
	}
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(f,
		"<testsuite name=\"fakesys scenarios\" tests=\"%zu\" failures=\"%zu\" "
		"errors=\"%zu\" skipped=\"0\" time=\"%.3f\">\n",
		n, failures, errors, seconds);
	for (size_t i = 0; i < n; i++) {
		const struct result *r = &results[i];
		char *name = scenario_name(r->path);
		const char *log = r->log.data ? r->log.data : "";

		fputs("\t<testcase classname=\"scenario\" name=\"", f);
		xml_escaped(f, name ? name : r->path, true);
		fputs("\" file=\"", f);
		xml_escaped(f, r->path, true);
		fprintf(f, "\" time=\"%.3f\">\n", r->seconds);
		free(name);
		if (r->outcome != PASSED) {
			const char *element = r->outcome == FAILED ? "failure" : "error";

			fprintf(f, "\t\t<%s message=\"", element);
			xml_escaped(f, r->message ? r->message : "FAIL", true);
			fprintf(f, "\" type=\"%s\">", r->outcome == FAILED ? "FAIL" : "NOT_RUN");
			xml_escaped(f, log, false);
			fprintf(f, "</%s>\n", element);
		}
		fputs("\t\t<system-out>", f);
		xml_escaped(f, log, false);
		if (r->out_of_memory)
			fputs("\n[scenario-test: out of memory, output cut short]\n", f);
		fputs("</system-out>\n\t</testcase>\n", f);
	}
	fputs("</testsuite>\n", f);
}

static void usage(void)
{
	fprintf(stderr, "usage: scenario-test --fakesys PATH [--lspci PATH] [--junit FILE] "
			"SCENARIO...\n");
}

int main(int argc, char **argv)
{
	const char *fakesys = NULL, *lspci = "lspci", *junit = NULL;
	static const struct option long_options[] = {
		{ "fakesys", required_argument, NULL, 'f' },
		{ "lspci", required_argument, NULL, 'l' },
		{ "junit", required_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
		if (opt == 'f')
			fakesys = optarg;
		else if (opt == 'l')
			lspci = optarg;
		else if (opt == 'j')
			junit = optarg;
		else
			return 2;
	}
	if (!fakesys || optind == argc || (junit && !*junit)) {
		usage();
		return 2;
	}

	/* One scenario and no report, as each CTest test runs it: nothing to capture, so no
	 * process of its own, which would cost the test a fork and a pipe per line. */
	if (argc - optind == 1 && !junit) {
		set_signal_handlers(on_signal);
		return run_scenario(fakesys, lspci, argv[optind]) == SCENARIO_PASSED ? 0 : 1;
	}

	/* Created before any scenario runs: a report that cannot be written is known at once. */
	char *junit_tmp = NULL;
	FILE *report = NULL;
	if (junit) {
		if (asprintf(&junit_tmp, "%s.tmp", junit) < 0) {
			fprintf(stderr, "scenario-test: out of memory\n");
			return 2;
		}
		report = fopen(junit_tmp, "we");
		if (!report) {
			fprintf(stderr, "scenario-test: %s: %s\n", junit_tmp, strerror(errno));
			free(junit_tmp);
			return 2;
		}
	}

	size_t n = (size_t)(argc - optind);
	struct result *results = calloc(n, sizeof(*results));
	if (!results) {
		fprintf(stderr, "scenario-test: out of memory\n");
		if (report) {
			fclose(report);
			unlink(junit_tmp);
		}
		free(junit_tmp);
		return 1;
	}
	struct timespec start;
	clock_gettime(CLOCK_MONOTONIC, &start);
	set_signal_handlers(on_runner_signal);
	size_t done = 0, failed = 0, not_run = 0;
	bool out_of_memory = false;
	for (; done < n && !stop_signal; done++) {
		results[done].path = argv[optind + (int)done];
		run_captured(fakesys, lspci, &results[done]);
		failed += results[done].outcome == FAILED;
		not_run += results[done].outcome == NOT_RUN;
		out_of_memory |= results[done].out_of_memory;
	}
	double seconds = seconds_since(&start);

	int exit_status = failed || not_run || out_of_memory ? 1 : 0;
	if (out_of_memory)
		fprintf(stderr, "scenario-test: out of memory: the report's output is cut short\n");
	if (n > 1 && !stop_signal)
		printf("scenario-test: %zu scenarios: %zu passed, %zu failed, %zu could not run\n",
		       n, n - failed - not_run, failed, not_run);
	if (report && stop_signal) {
		fclose(report);
		unlink(junit_tmp);
	} else if (report) {
		write_junit(report, results, done, seconds);
		bool written = !ferror(report) && fflush(report) == 0 && fsync(fileno(report)) == 0;
		int saved = errno;
		if (fclose(report) != 0 && written) {
			written = false;
			saved = errno;
		}
		if (written && rename(junit_tmp, junit) != 0) {
			written = false;
			saved = errno;
		}
		if (!written) {
			fprintf(stderr, "scenario-test: %s: %s\n", junit, strerror(saved));
			unlink(junit_tmp);
			exit_status = 1;
		}
	}
	for (size_t i = 0; i < done; i++) {
		free(results[i].log.data);
		free(results[i].message);
	}
	free(results);
	free(junit_tmp);
	if (stop_signal) {
		signal(stop_signal, SIG_DFL);
		raise(stop_signal);
	}
	return exit_status;
}

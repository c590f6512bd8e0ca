/* SPDX-License-Identifier: MIT */
/*
 * Runs one scenario end to end: mounts it with the real fakesys binary, names the sandbox's
 * devices with each scheme the scenario expects, compares, checks that lspci lists every
 * function with its IDs and class, runs the scenario's steps, and unmounts on every path.
 *
 * usage: scenario-test --fakesys PATH [--lspci PATH] SCENARIO
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
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

int main(int argc, char **argv)
{
	const char *fakesys = NULL, *lspci = "lspci";
	static const struct option long_options[] = {
		{ "fakesys", required_argument, NULL, 'f' },
		{ "lspci", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
		if (opt == 'f')
			fakesys = optarg;
		else if (opt == 'l')
			lspci = optarg;
		else
			return 2;
	}
	if (!fakesys || argc - optind != 1) {
		fprintf(stderr, "usage: scenario-test --fakesys PATH [--lspci PATH] SCENARIO\n");
		return 2;
	}
	const char *path = argv[optind];

	struct scenario sc;
	char error[SCENARIO_ERROR_MAX];
	if (scenario_load(path, &sc, error) != 0) {
		printf("FAIL load: %s\n", error);
		return 1;
	}

	const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	snprintf(mountpoint, sizeof(mountpoint), "%s/fakesys-test.XXXXXX", tmp);
	if (!mkdtemp(mountpoint)) {
		printf("FAIL mkdtemp %s: %s\n", mountpoint, strerror(errno));
		scenario_free(&sc);
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);

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
	return ok ? 0 : 1;
}

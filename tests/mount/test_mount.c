/* SPDX-License-Identifier: MIT */
/*
 * What programs see through a real fakesys mount: sizes that survive reads, the errno values
 * sysfs gives, config cut to 64 bytes for unprivileged openers, links that resolve inside the
 * mount. The fakesys binary comes from FAKESYS_BIN; without FUSE the test fails loudly.
 */
#define _GNU_SOURCE
#include <check.h>

#include "check_run.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#define FUSE_SUPER_MAGIC 0x65735546
#define NOBODY		 65534

static const char scenario_text[] =
	"scenario: mount-semantics\n"
	"devices:\n"
	"  0000:00:00.0: {id: 8086:2020, class: host-bridge}\n"
	"  0000:00:03.0: {id: 8086:2030, class: pci-bridge, driver: pcieport, group: 20,"
	" secondary: 0x3b}\n"
	"  0000:3b:00.0: {id: 8086:1572, subsystem: 8086:0006, class: 0x020000,"
	" driver: vfio-pci, group: 215}\n"
	"  0000:3b:00.1: {id: 8086:1572, class: ethernet, driver: vfio-pci, group: 216}\n";

static char workdir[128];
static char mnt[160];
static char scenario_path[160];
static const char *fakesys;
static volatile sig_atomic_t mounted;

static void path_of(char *out, const char *relative)
{
	snprintf(out, PATH_MAX, "%s/%s", mnt, relative);
}

#define NIC "sys/devices/pci0000:00/0000:00:03.0/0000:3b:00.0/"

static int run(char *const argv[])
{
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		execv(argv[0], argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

START_TEST(text_attributes_keep_size_4096_after_a_read)
{
	char path[PATH_MAX], buf[64];
	struct stat st;

	path_of(path, NIC "vendor");
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_size, 4096);
	ck_assert_int_eq(st.st_mode, S_IFREG | 0444);

	int fd = open(path, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(read(fd, buf, sizeof(buf)), 7);
	ck_assert_mem_eq(buf, "0x8086\n", 7);
	ck_assert_int_eq(pread(fd, buf, sizeof(buf), 2), 5);
	ck_assert_mem_eq(buf, "8086\n", 5);
	ck_assert_int_eq(pread(fd, buf, sizeof(buf), 7), 0);
	ck_assert_int_eq(lseek(fd, 0, SEEK_END), 4096);
	close(fd);
	/* Without direct_io the kernel would now believe the file is 7 bytes long. */
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_size, 4096);
}
END_TEST

START_TEST(opens_fail_as_on_sysfs_even_for_root)
{
	char path[PATH_MAX];

	path_of(path, NIC "vendor");
	ck_assert_int_eq(open(path, O_WRONLY), -1);
	ck_assert_int_eq(errno, EACCES);
	ck_assert_int_eq(open(path, O_RDWR), -1);
	ck_assert_int_eq(errno, EACCES);
	path_of(path, NIC "remove");
	ck_assert_int_eq(open(path, O_RDONLY), -1);
	ck_assert_int_eq(errno, EACCES);
	path_of(path, NIC "label");
	ck_assert_int_eq(open(path, O_RDONLY), -1);
	ck_assert_int_eq(errno, ENOENT);
	path_of(path, NIC "power/autosuspend_delay_ms");
	int fd = open(path, O_RDONLY);
	char buf[16];
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(read(fd, buf, sizeof(buf)), -1);
	ck_assert_int_eq(errno, EIO);
	close(fd);
}
END_TEST

START_TEST(the_tree_cannot_be_reshaped)
{
	char path[PATH_MAX], other[PATH_MAX];

	path_of(path, "sys/bus/pci/newdir");
	ck_assert_int_eq(mkdir(path, 0755), -1);
	ck_assert_int_eq(errno, EPERM);
	ck_assert_int_eq(open(path, O_WRONLY | O_CREAT, 0644), -1);
	ck_assert_int_eq(errno, EACCES);
	path_of(path, "sys/bus/pci/devices/0000:3b:00.0");
	ck_assert_int_eq(unlink(path), -1);
	ck_assert_int_eq(errno, EPERM);
	path_of(other, "sys/bus/pci/devices/moved");
	ck_assert_int_eq(rename(path, other), -1);
	ck_assert_int_eq(errno, EPERM);
	ck_assert_int_eq(symlink("x", other), -1);
	ck_assert_int_eq(errno, EPERM);
}
END_TEST

START_TEST(config_is_cut_to_64_bytes_for_unprivileged_openers)
{
	char path[PATH_MAX];
	unsigned char buf[4096];
	struct stat st;

	path_of(path, NIC "config");
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_size, 256);
	int fd = open(path, O_RDONLY);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(read(fd, buf, sizeof(buf)), 256);
	ck_assert_uint_eq(buf[0], 0x86);
	ck_assert_uint_eq(buf[1], 0x80);
	close(fd);

	pid_t pid = fork();
	if (pid == 0) {
		if (setgid(NOBODY) != 0 || setuid(NOBODY) != 0)
			_exit(10);
		fd = open(path, O_RDONLY);
		if (fd < 0)
			_exit(11);
		_exit(read(fd, buf, sizeof(buf)) == 64 ? 0 : 12);
	}
	int status;
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "as nobody: status %d",
		      status);
}
END_TEST

START_TEST(links_resolve_inside_the_mount)
{
	char path[PATH_MAX], want[PATH_MAX], resolved[PATH_MAX];

	path_of(path, "sys/bus/pci/devices/0000:3b:00.0");
	path_of(want, "sys/devices/pci0000:00/0000:00:03.0/0000:3b:00.0");
	ck_assert_ptr_nonnull(realpath(path, resolved));
	ck_assert_str_eq(resolved, want);

	path_of(path, "sys/bus/pci/devices/0000:3b:00.0/iommu_group");
	ck_assert_ptr_nonnull(realpath(path, resolved));
	ck_assert_str_eq(basename(resolved), "215");
	path_of(path, "sys/kernel/iommu_groups/216/devices/0000:3b:00.1/driver");
	ck_assert_ptr_nonnull(realpath(path, resolved));
	path_of(want, "sys/bus/pci/drivers/vfio-pci");
	ck_assert_str_eq(resolved, want);

	ssize_t n = readlink(path, resolved, sizeof(resolved) - 1);
	ck_assert_int_gt(n, 0);
	resolved[n] = '\0';
	ck_assert_str_eq(resolved, "../../../../bus/pci/drivers/vfio-pci");
	struct stat st;
	ck_assert_int_eq(lstat(path, &st), 0);
	ck_assert_int_eq(st.st_size, 0);
	ck_assert_int_eq(st.st_mode, S_IFLNK | 0777);
}
END_TEST

START_TEST(listings_and_directory_link_counts)
{
	char path[PATH_MAX];
	const char *want[] = { "0000:00:00.0", "0000:00:03.0", "0000:3b:00.0", "0000:3b:00.1" };
	int seen[4] = { 0 };
	struct dirent *entry;
	size_t entries = 0;

	path_of(path, "sys/bus/pci/devices");
	DIR *dir = opendir(path);
	ck_assert_ptr_nonnull(dir);
	while ((entry = readdir(dir))) {
		if (entry->d_name[0] == '.')
			continue;
		entries++;
		for (int i = 0; i < 4; i++)
			seen[i] += strcmp(entry->d_name, want[i]) == 0;
		ck_assert_int_eq(entry->d_type, DT_LNK);
	}
	closedir(dir);
	ck_assert_uint_eq(entries, 4);
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(seen[i], 1);

	struct stat st;
	/* The bridge's directory holds power/, link/, pci_bus/ and its two functions. */
	path_of(path, "sys/devices/pci0000:00/0000:00:03.0");
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_nlink, 7);
	ck_assert_int_eq(st.st_size, 0);
}
END_TEST

START_TEST(vfio_nodes_and_statfs)
{
	char path[PATH_MAX];
	struct stat st;
	struct statfs fs;

	path_of(path, "dev/vfio/vfio");
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert(S_ISCHR(st.st_mode));
	ck_assert_int_eq(major(st.st_rdev), 10);
	ck_assert_int_eq(minor(st.st_rdev), 196);
	path_of(path, "dev/vfio/215");
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert(S_ISCHR(st.st_mode));
	path_of(path, "dev/vfio/20"); /* the bridge's group: pcieport, not vfio-pci */
	ck_assert_int_eq(stat(path, &st), -1);
	ck_assert_int_eq(errno, ENOENT);
	/* The one thing FUSE cannot fake: statfs says FUSE, not sysfs. */
	ck_assert_int_eq(statfs(mnt, &fs), 0);
	ck_assert_int_eq(fs.f_type, FUSE_SUPER_MAGIC);
}
END_TEST

static int mount_scenario(void)
{
	const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";

	snprintf(workdir, sizeof(workdir), "%s/fakesys-mount-test.XXXXXX", tmp);
	if (!mkdtemp(workdir))
		return -1;
	/* Reachable by nobody, for the unprivileged reads. */
	chmod(workdir, 0755);
	snprintf(mnt, sizeof(mnt), "%s/mnt", workdir);
	snprintf(scenario_path, sizeof(scenario_path), "%s/scenario.yaml", workdir);
	FILE *f = fopen(scenario_path, "w");
	if (!f || fputs(scenario_text, f) < 0 || fclose(f) != 0 || mkdir(mnt, 0755) != 0)
		return -1;
	char *argv[] = { (char *)fakesys, "mount", "-o", "allow_other", scenario_path, mnt, NULL };
	mounted = 1;
	return run(argv);
}

static void unmount_scenario(void)
{
	char *argv[] = { (char *)fakesys, "umount", mnt, NULL };

	if (mounted && run(argv) != 0)
		umount2(mnt, MNT_DETACH);
	mounted = 0;
	rmdir(mnt);
	unlink(scenario_path);
	rmdir(workdir);
}

static void on_signal(int sig)
{
	if (mounted)
		umount2(mnt, MNT_DETACH);
	signal(sig, SIG_DFL);
	raise(sig);
}

int main(void)
{
	fakesys = getenv("FAKESYS_BIN");
	if (!fakesys) {
		fprintf(stderr, "test_mount: FAKESYS_BIN is not set\n");
		return EXIT_FAILURE;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	int status = mount_scenario();
	if (status != 0) {
		fprintf(stderr, "test_mount: cannot mount with %s (status %d): FUSE is required\n",
			fakesys, status);
		unmount_scenario();
		return EXIT_FAILURE;
	}

	Suite *suite = suite_create("mount");
	TCase *tc = tcase_create("semantics");
	tcase_add_test(tc, text_attributes_keep_size_4096_after_a_read);
	tcase_add_test(tc, opens_fail_as_on_sysfs_even_for_root);
	tcase_add_test(tc, the_tree_cannot_be_reshaped);
	tcase_add_test(tc, config_is_cut_to_64_bytes_for_unprivileged_openers);
	tcase_add_test(tc, links_resolve_inside_the_mount);
	tcase_add_test(tc, listings_and_directory_link_counts);
	tcase_add_test(tc, vfio_nodes_and_statfs);
	suite_add_tcase(suite, tc);
	status = check_run(suite);

	unmount_scenario();
	return status;
}

/* SPDX-License-Identifier: MIT */
/* Verbatim entries as they are served: each kind, over what the model built or beside it. */
#include <check.h>

#include "check_run.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host_tree.h"
#include "scenario.h"
#include "verbatim.h"

#define DEV "sys/devices/pci0000:00/0000:00:01.0/"

static const char scenario_text[] =
	"scenario: verbatim\n"
	"devices:\n"
	"  0000:00:00.0: {id: 8086:2020, class: host-bridge}\n"
	"  0000:00:01.0: {id: 1af4:1041, class: ethernet, driver: virtio-pci}\n"
	"verbatim:\n"
	"  " DEV "virtio0: {dir: 0750}\n"
	"  " DEV "virtio0/features: {text: \"0110\\n\"}\n"
	"  " DEV "vendor: {text: \"0xabcd\\n\", mode: 0400}\n"
	"  " DEV "d3cold_allowed: absent\n"
	"  " DEV "power: {dir: 0700}\n"
	"  " DEV "resource0: {error: EIO, mode: 0600, size: 524288}\n"
	"  " DEV "secret: {error: EACCES, mode: 0200}\n"
	"  " DEV "blob: {hex: \"00 01 ff\", size: 0}\n"
	"  " DEV "firmware_node: {link: \"../../LNXSYSTM:00/device:01\"}\n"
	"  " DEV "driver: {link: ../../../bus/pci/drivers/other}\n"
	"  dev/vfio/x: {char: \"1:3\", mode: 0666}\n";

static struct scenario sc;
static struct host_tree ht;

static void setup(void)
{
	char path[] = "/tmp/fakesys-verbatim-XXXXXX";
	char error[SCENARIO_ERROR_MAX];
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, scenario_text, strlen(scenario_text)),
			 (ssize_t)strlen(scenario_text));
	close(fd);
	int rc = scenario_load(path, &sc, error);
	unlink(path);
	ck_assert_msg(rc == 0, "%s", error);
	ck_assert_int_eq(scenario_tree_build(&sc, &ht, error), 0);
}

static void teardown(void)
{
	host_tree_free(&ht);
	scenario_free(&sc);
}

static int walk(const char *path, struct sysfs_stat *st)
{
	return sysfs_lookup_path(ht.tree, path, st);
}

static void stat_is(const char *path, uint32_t mode, uint64_t size)
{
	struct sysfs_stat st;

	ck_assert_msg(walk(path, &st) == 0, "%s missing", path);
	ck_assert_msg(st.mode == mode, "%s: mode 0%o, wanted 0%o", path, st.mode, mode);
	if (S_ISREG(mode))
		ck_assert_uint_eq(st.size, size);
}

/* The whole content, or -errno from open or read. */
static ssize_t read_all(const char *path, char *buf, size_t size)
{
	const struct sysfs_opener root = { .privileged = true };
	struct sysfs_open_file *file;
	struct sysfs_stat st;
	int err = walk(path, &st);

	if (err)
		return err;
	if ((err = sysfs_open(ht.tree, st.ino, O_RDONLY, &root, &file)))
		return err;
	ssize_t n = sysfs_read(file, buf, size, 0);
	sysfs_release(file);
	return n;
}

static bool listed(const char *dir, const char *name)
{
	struct sysfs_stat st;
	uint64_t cookie = 0;
	const char *entry;
	int seen = 0;

	ck_assert_int_eq(walk(dir, &st), 0);
	sysfs_ino_t ino = st.ino;
	while (sysfs_readdir(ht.tree, ino, &cookie, &entry, &st) == 0)
		seen += strcmp(entry, name) == 0;
	ck_assert_int_le(seen, 1);
	return seen == 1;
}

START_TEST(files_serve_their_bytes_modes_sizes_and_errors)
{
	char buf[64];

	/* Over a table attribute: the given bytes and mode, listed once. */
	stat_is(DEV "vendor", S_IFREG | 0400, 4096);
	ck_assert_int_eq(read_all(DEV "vendor", buf, sizeof(buf)), 7);
	ck_assert_int_eq(memcmp(buf, "0xabcd\n", 7), 0);
	ck_assert(listed(DEV, "vendor"));
	/* Binary bytes with a size of their own, unrelated to their length. */
	stat_is(DEV "blob", S_IFREG | 0444, 0);
	ck_assert_int_eq(read_all(DEV "blob", buf, sizeof(buf)), 3);
	ck_assert_int_eq(memcmp(buf, "\x00\x01\xff", 3), 0);
	/* A read error at read; EACCES already at open, as kernfs refuses it. */
	stat_is(DEV "resource0", S_IFREG | 0600, 524288);
	ck_assert_int_eq(read_all(DEV "resource0", buf, sizeof(buf)), -EIO);
	ck_assert_int_eq(read_all(DEV "secret", buf, sizeof(buf)), -EACCES);
	/* Inside a directory an entry made. */
	ck_assert_int_eq(read_all(DEV "virtio0/features", buf, sizeof(buf)), 5);
	ck_assert_int_eq(memcmp(buf, "0110\n", 5), 0);
}
END_TEST

START_TEST(links_directories_nodes_and_absences)
{
	char text[128];
	struct sysfs_stat st;

	ck_assert_int_eq(walk(DEV "firmware_node", &st), 0);
	ck_assert_int_eq(sysfs_readlink(ht.tree, st.ino, text, sizeof(text)), 0);
	ck_assert_str_eq(text, "../../LNXSYSTM:00/device:01");
	/* Over the model's own link, whose text the kernfs rule computed. */
	ck_assert_int_eq(walk(DEV "driver", &st), 0);
	ck_assert_int_eq(sysfs_readlink(ht.tree, st.ino, text, sizeof(text)), 0);
	ck_assert_str_eq(text, "../../../bus/pci/drivers/other");
	ck_assert(listed(DEV, "driver"));
	/* A new directory, and an existing one that keeps its contents but takes the mode. */
	stat_is(DEV "virtio0", S_IFDIR | 0750, 0);
	stat_is(DEV "power", S_IFDIR | 0700, 0);
	ck_assert_int_eq(walk(DEV "power/control", &st), 0);
	stat_is("dev/vfio/x", S_IFCHR | 0666, 0);
	ck_assert_int_eq(walk("dev/vfio/x", &st), 0);
	ck_assert_uint_eq(st.rdev_major, 1);
	ck_assert_uint_eq(st.rdev_minor, 3);
	/* Taken away: neither found nor listed. */
	ck_assert_int_eq(walk(DEV "d3cold_allowed", &st), -ENOENT);
	ck_assert(!listed(DEV, "d3cold_allowed"));
	ck_assert(listed(DEV, "enable"));
}
END_TEST

/* A write that rebuilds the tree lays the entries over the new one; those whose device went
 * go with it. */
START_TEST(entries_survive_a_rebuild_and_leave_with_their_device)
{
	struct sysfs_stat before, st;
	char text[128];

	ck_assert_int_eq(walk(DEV "firmware_node", &before), 0);
	ck_assert_int_eq(host_tree_refresh(&ht), 0);
	ck_assert_int_eq(walk(DEV "firmware_node", &st), 0);
	ck_assert_uint_eq(st.ino, before.ino);
	ck_assert_int_eq(walk(DEV "d3cold_allowed", &st), -ENOENT);
	stat_is(DEV "virtio0", S_IFDIR | 0750, 0);

	ht.topo->functions[1].present = false; /* as remove does */
	ck_assert_int_eq(host_tree_refresh(&ht), 0);
	ck_assert_int_eq(walk(DEV "firmware_node", &st), -ENOENT);
	ck_assert_int_eq(walk("dev/vfio/x", &st), 0); /* elsewhere: stays */
	ht.topo->functions[1].present = true;
	ck_assert_int_eq(host_tree_refresh(&ht), 0);
	ck_assert_int_eq(walk(DEV "firmware_node", &st), 0);
	ck_assert_int_eq(sysfs_readlink(ht.tree, st.ino, text, sizeof(text)), 0);
	ck_assert_str_eq(text, "../../LNXSYSTM:00/device:01");
	struct sysfs_change *changes;
	sysfs_changes_free(changes, sysfs_tree_take_changes(ht.tree, &changes));
}
END_TEST

/* Entries built in C skip the loader's checks: a path with an overlong name is refused, never
 * copied. */
START_TEST(a_name_too_long_is_refused)
{
	char path[VERBATIM_NAME_MAX + 16] = "sys/";
	struct verbatim_entry entry = { .path = path, .kind = VERBATIM_DIR, .mode = 0755 };
	char reason[128];
	size_t failed = 1;

	memset(path + 4, 'a', VERBATIM_NAME_MAX + 1);
	strcpy(path + 4 + VERBATIM_NAME_MAX + 1, "/x");
	ck_assert_int_eq(verbatim_tree_apply(ht.tree, &entry, 1, &failed, reason, sizeof(reason)),
			 -EINVAL);
	ck_assert_uint_eq(failed, 0);
	ck_assert_str_eq(reason, "a name in the path is longer than 255 bytes");
}
END_TEST

int main(void)
{
	Suite *suite = suite_create("verbatim");
	TCase *tc = tcase_create("served");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, files_serve_their_bytes_modes_sizes_and_errors);
	tcase_add_test(tc, links_directories_nodes_and_absences);
	tcase_add_test(tc, entries_survive_a_rebuild_and_leave_with_their_device);
	tcase_add_test(tc, a_name_too_long_is_refused);
	suite_add_tcase(suite, tc);
	return check_run(suite);
}

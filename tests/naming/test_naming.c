/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of libvfionaming against small sysfs-like trees built in a temporary directory,
 * shaped like the kernel's (device dirs under sys/devices, relative links from sys/bus/pci,
 * sys/kernel/iommu_groups and sys/class/vfio-dev; mediated devices below their parent).
 */
#define _XOPEN_SOURCE 700 /* nftw */

#include "vfionaming.h"

#include <check.h>

#include "check_run.h"
#include <errno.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NIC_CLASS	  "0x020000\n"
#define NVME_CLASS	  "0x010802\n"
#define HOST_BRIDGE_CLASS "0x060000\n"
#define PCI_BRIDGE_CLASS  "0x060400\n"

/* The tree of the running test: made by the fixture's setup, removed by its teardown. */
static char tree_root[96];

static void tree_path(char *out, size_t size, const char *format, va_list args)
{
	int prefix = snprintf(out, size, "%s/", tree_root);
	ck_assert_int_gt(prefix, 0);
	int length = vsnprintf(out + prefix, size - (size_t)prefix, format, args);
	ck_assert_msg(length >= 0 && (size_t)length < size - (size_t)prefix, "path too long");
}

static void tree_mkdir(const char *format, ...) __attribute__((format(printf, 1, 2)));
static void tree_mkdir(const char *format, ...)
{
	char path[4096];
	va_list args;
	va_start(args, format);
	tree_path(path, sizeof(path), format, args);
	va_end(args);
	ck_assert_msg(mkdir(path, 0755) == 0 || errno == EEXIST, "mkdir %s: %s", path,
		      strerror(errno));
}

static void tree_write(const char *content, const char *format, ...)
	__attribute__((format(printf, 2, 3)));
static void tree_write(const char *content, const char *format, ...)
{
	char path[4096];
	va_list args;
	va_start(args, format);
	tree_path(path, sizeof(path), format, args);
	va_end(args);
	FILE *file = fopen(path, "w");
	ck_assert_msg(file != NULL, "create %s: %s", path, strerror(errno));
	ck_assert_int_eq(fputs(content, file) >= 0, 1);
	ck_assert_int_eq(fclose(file), 0);
}

static void tree_symlink(const char *target, const char *format, ...)
	__attribute__((format(printf, 2, 3)));
static void tree_symlink(const char *target, const char *format, ...)
{
	char path[4096];
	va_list args;
	va_start(args, format);
	tree_path(path, sizeof(path), format, args);
	va_end(args);
	ck_assert_msg(symlink(target, path) == 0, "symlink %s: %s", path, strerror(errno));
}

static void tree_add_group(int group)
{
	tree_mkdir("sys/kernel/iommu_groups/%d", group);
	tree_mkdir("sys/kernel/iommu_groups/%d/devices", group);
	tree_write("DMA\n", "sys/kernel/iommu_groups/%d/type", group);
}

/*
 * One PCI function directly below its domain's host bridge, linked the way the kernel links it:
 * sys/devices/pci<DDDD>:00/<BDF>/class, sys/bus/pci/devices/<BDF>, and, when group >= 0, the
 * group's devices/<BDF> and the function's iommu_group.
 */
static void host_bridge_of(const char *bdf, char out[32])
{
	int domain_length = (int)strcspn(bdf, ":");
	snprintf(out, 32, "pci%.*s:00", domain_length, bdf);
}

static void tree_add_function(const char *bdf, const char *class_content, int group)
{
	char host_bridge[32];
	host_bridge_of(bdf, host_bridge);

	char device_link[128];
	tree_mkdir("sys/devices/%s", host_bridge);
	tree_mkdir("sys/devices/%s/%s", host_bridge, bdf);
	tree_write(class_content, "sys/devices/%s/%s/class", host_bridge, bdf);
	snprintf(device_link, sizeof(device_link), "../../../devices/%s/%s", host_bridge, bdf);
	tree_symlink(device_link, "sys/bus/pci/devices/%s", bdf);
	if (group < 0)
		return;

	char group_link[64];
	tree_add_group(group);
	snprintf(device_link, sizeof(device_link), "../../../../devices/%s/%s", host_bridge, bdf);
	tree_symlink(device_link, "sys/kernel/iommu_groups/%d/devices/%s", group, bdf);
	snprintf(group_link, sizeof(group_link), "../../../kernel/iommu_groups/%d", group);
	tree_symlink(group_link, "sys/devices/%s/%s/iommu_group", host_bridge, bdf);
}

/*
 * A mediated device as the kernel makes it: sys/devices/pci<DDDD>:00/<parent>/<uuid>/ with an
 * iommu_group link (no class attribute), and its own entry in the group's devices/.
 */
static void tree_add_mdev(const char *parent_bdf, const char *uuid, int group)
{
	char host_bridge[32], link[160];
	host_bridge_of(parent_bdf, host_bridge);
	tree_mkdir("sys/devices/%s/%s/%s", host_bridge, parent_bdf, uuid);
	tree_add_group(group);
	snprintf(link, sizeof(link), "../../../../devices/%s/%s/%s", host_bridge, parent_bdf, uuid);
	tree_symlink(link, "sys/kernel/iommu_groups/%d/devices/%s", group, uuid);
	snprintf(link, sizeof(link), "../../../../kernel/iommu_groups/%d", group);
	tree_symlink(link, "sys/devices/%s/%s/%s/iommu_group", host_bridge, parent_bdf, uuid);
}

/*
 * The iommufd node vfio<number> of the device at sys/devices/<device_dir>: the kernel's
 * <device_dir>/vfio-dev/vfio<X>/ with a device link back up, and sys/class/vfio-dev/vfio<X>
 * linking to it.
 */
static void tree_add_vfio_dev(const char *device_dir, int number)
{
	char link[192];
	const char *slash = strrchr(device_dir, '/');
	tree_mkdir("sys/class");
	tree_mkdir("sys/class/vfio-dev");
	tree_mkdir("sys/devices/%s/vfio-dev", device_dir);
	tree_mkdir("sys/devices/%s/vfio-dev/vfio%d", device_dir, number);
	snprintf(link, sizeof(link), "../../../%s", slash ? slash + 1 : device_dir);
	tree_symlink(link, "sys/devices/%s/vfio-dev/vfio%d/device", device_dir, number);
	snprintf(link, sizeof(link), "../../devices/%s/vfio-dev/vfio%d", device_dir, number);
	tree_symlink(link, "sys/class/vfio-dev/vfio%d", number);
}

/* tree_add_vfio_dev for a PCI function made by tree_add_function. */
static void tree_add_function_vfio_dev(const char *bdf, int number)
{
	char host_bridge[32], device_dir[64];
	host_bridge_of(bdf, host_bridge);
	snprintf(device_dir, sizeof(device_dir), "%s/%s", host_bridge, bdf);
	tree_add_vfio_dev(device_dir, number);
}

/* Binds a function made by tree_add_function to driver, linked as the driver core links it. */
static void tree_bind(const char *bdf, const char *driver)
{
	char host_bridge[32], link[128];
	host_bridge_of(bdf, host_bridge);
	tree_mkdir("sys/bus/pci/drivers");
	tree_mkdir("sys/bus/pci/drivers/%s", driver);
	snprintf(link, sizeof(link), "../../../bus/pci/drivers/%s", driver);
	tree_symlink(link, "sys/devices/%s/%s/driver", host_bridge, bdf);
}

/* Holds every test's tree, so main() can remove what a failed forked test left behind. */
static char trees_base[64];

static void tree_setup(void)
{
	int length = snprintf(tree_root, sizeof(tree_root), "%s/tree-XXXXXX", trees_base);
	ck_assert_msg(length > 0 && (size_t)length < sizeof(tree_root), "tree path too long");
	ck_assert_msg(mkdtemp(tree_root) != NULL, "mkdtemp %s: %s", tree_root, strerror(errno));
	tree_mkdir("sys");
	tree_mkdir("sys/devices");
	tree_mkdir("sys/bus");
	tree_mkdir("sys/bus/pci");
	tree_mkdir("sys/bus/pci/devices");
	tree_mkdir("sys/kernel");
	tree_mkdir("sys/kernel/iommu_groups");
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return type == FTW_DP ? rmdir(path) : unlink(path);
}

static void remove_tree(const char *path)
{
	if (nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0 && errno != ENOENT)
		fprintf(stderr, "cannot remove %s: %s\n", path, strerror(errno));
}

static void tree_teardown(void)
{
	if (tree_root[0])
		remove_tree(tree_root);
	tree_root[0] = '\0';
}

/* The fixture tree, with 215 and 216 each holding one NIC: the layout of the report. */
static void add_report_layout(void)
{
	tree_add_function("0000:3b:00.0", NIC_CLASS, 215);
	tree_add_function("0000:3c:00.0", NIC_CLASS, 216);
}

static enum vfio_naming_status name_in_tree(enum vfio_naming_scheme scheme, const char *prefix,
					    const char *const *paths, size_t n_paths,
					    struct vfio_naming_result *result)
{
	struct vfio_naming_options options = { .root = tree_root,
					       .scheme = scheme,
					       .prefix = prefix };
	enum vfio_naming_status status = vfio_naming_assign(&options, paths, n_paths, result);
	ck_assert_int_eq(status, result->status);
	return status;
}

static void assert_input_error(const struct vfio_naming_result *result, const char *expected)
{
	ck_assert_int_eq(result->status, VFIO_NAMING_INPUT_ERROR);
	ck_assert_ptr_nonnull(result->error);
	ck_assert_str_eq(result->error, expected);
	ck_assert_uint_eq(result->n_devices, 0);
	ck_assert_ptr_null(result->devices);
}

/* Names paths in the tree (group-index, default prefix) and expects exactly this input error;
 * format and its arguments make the message (the tree's root is usually one of them). */
static void expect_input_error(const char *const *paths, size_t n_paths, const char *format, ...)
	__attribute__((format(printf, 3, 4)));

static void expect_input_error(const char *const *paths, size_t n_paths, const char *format, ...)
{
	struct vfio_naming_result result;
	char expected[4096];
	va_list ap;

	va_start(ap, format);
	vsnprintf(expected, sizeof(expected), format, ap);
	va_end(ap);
	name_in_tree(VFIO_NAMING_GROUP_INDEX, NULL, paths, n_paths, &result);
	assert_input_error(&result, expected);
	vfio_naming_result_free(&result);
}

static void assert_device(const struct vfio_naming_result *result, size_t position, const char *id,
			  int group, unsigned index, const char *bdf, uint32_t class_code,
			  const char *host_path)
{
	ck_assert_uint_gt(result->n_devices, position);
	const struct vfio_named_device *device = &result->devices[position];
	ck_assert_str_eq(device->id, id);
	ck_assert_int_eq(device->group, group);
	ck_assert_uint_eq(device->index, index);
	ck_assert_str_eq(device->bdf, bdf);
	ck_assert_uint_eq(device->class_code, class_code);
	ck_assert_str_eq(device->host_path, host_path);
	ck_assert_str_eq(device->uuid, "");
}

/* A mediated device: bdf is its parent's, class 0. */
static void assert_mdev(const struct vfio_naming_result *result, size_t position, const char *id,
			int group, unsigned index, const char *parent_bdf, const char *uuid,
			const char *host_path)
{
	ck_assert_uint_gt(result->n_devices, position);
	const struct vfio_named_device *device = &result->devices[position];
	ck_assert_str_eq(device->id, id);
	ck_assert_int_eq(device->group, group);
	ck_assert_uint_eq(device->index, index);
	ck_assert_str_eq(device->bdf, parent_bdf);
	ck_assert_str_eq(device->uuid, uuid);
	ck_assert_uint_eq(device->class_code, 0);
	ck_assert_str_eq(device->host_path, host_path);
}

START_TEST(report_layout_collides_with_index_scheme)
{
	add_report_layout();
	const char *paths[] = { "/dev/vfio/215", "/dev/vfio/216" };
	struct vfio_naming_result result;

	ck_assert_int_eq(name_in_tree(VFIO_NAMING_INDEX, NULL, paths, 2, &result),
			 VFIO_NAMING_CHECK_FAILED);
	ck_assert_str_eq(result.error, "Duplicate device ID 'vfio_device_0'");
	ck_assert_uint_eq(result.n_devices, 2);
	assert_device(&result, 0, "vfio_device_0", 215, 0, "0000:3b:00.0", 0x020000,
		      "/dev/vfio/215");
	assert_device(&result, 1, "vfio_device_0", 216, 0, "0000:3c:00.0", 0x020000,
		      "/dev/vfio/216");
	vfio_naming_result_free(&result);
}
END_TEST

START_TEST(report_layout_is_fixed_by_group_index_scheme)
{
	add_report_layout();
	const char *paths[] = { "/dev/vfio/215", "/dev/vfio/216" };
	struct vfio_naming_result result;

	ck_assert_int_eq(name_in_tree(VFIO_NAMING_GROUP_INDEX, NULL, paths, 2, &result),
			 VFIO_NAMING_OK);
	ck_assert_ptr_null(result.error);
	ck_assert_uint_eq(result.n_devices, 2);
	assert_device(&result, 0, "vfio_device_215_0", 215, 0, "0000:3b:00.0", 0x020000,
		      "/dev/vfio/215");
	assert_device(&result, 1, "vfio_device_216_0", 216, 0, "0000:3c:00.0", 0x020000,
		      "/dev/vfio/216");
	vfio_naming_result_free(&result);
	ck_assert_ptr_null(result.devices);
	ck_assert_ptr_null(result.error);
}
END_TEST

START_TEST(host_path_order_is_kept)
{
	add_report_layout();
	const char *paths[] = { "/dev/vfio/216", "/dev/vfio/215" };
	struct vfio_naming_result result;

	ck_assert_int_eq(name_in_tree(VFIO_NAMING_GROUP_INDEX, NULL, paths, 2, &result),
			 VFIO_NAMING_OK);
	assert_device(&result, 0, "vfio_device_216_0", 216, 0, "0000:3c:00.0", 0x020000,
		      "/dev/vfio/216");
	assert_device(&result, 1, "vfio_device_215_0", 215, 0, "0000:3b:00.0", 0x020000,
		      "/dev/vfio/215");
	vfio_naming_result_free(&result);
}
END_TEST

START_TEST(members_follow_bdf_order_not_creation_order)
{
	/* Created function 1 first, so a plain directory is likely to list it first. */
	tree_add_function("0000:5e:00.1", NVME_CLASS, 40);
	tree_add_function("0000:5e:00.0", NIC_CLASS, 40);
	const char *paths[] = { "/dev/vfio/40" };
	struct vfio_naming_result result;

	ck_assert_int_eq(name_in_tree(VFIO_NAMING_GROUP_INDEX, NULL, paths, 1, &result),
			 VFIO_NAMING_OK);
	ck_assert_uint_eq(result.n_devices, 2);
	assert_device(&result, 0, "vfio_device_40_0", 40, 0, "0000:5e:00.0", 0x020000,
		      "/dev/vfio/40");
	assert_device(&result, 1, "vfio_device_40_1", 40, 1, "0000:5e:00.1", 0x010802,
		      "/dev/vfio/40");
	vfio_naming_result_free(&result);
}
END_TEST

START_TEST(members_sort_numerically_not_as_strings)
{
	/*
	 * As strings, "10000:..." < "ffff:..." and "0000:3B:..." < "0000:3a:...". Numerically
	 * domain 0xffff comes before 0x10000 and bus 0x3a before 0x3b.
	 */
	tree_add_function("10000:00:00.0", NIC_CLASS, 9);
	tree_add_function("ffff:00:00.0", NIC_CLASS, 9);
	tree_add_function("0000:3B:00.0", NIC_CLASS, 9);
	tree_add_function("0000:3a:01.0", NIC_CLASS, 9);
	const char *paths[] = { "/dev/vfio/9" };
	struct vfio_naming_result result;

	ck_assert_int_eq(name_in_tree(VFIO_NAMING_GROUP_INDEX, NULL, paths, 1, &result),
			 VFIO_NAMING_OK);
	ck_assert_uint_eq(result.n_devices, 4);
	assert_device(&result, 0, "vfio_device_9_0", 9, 0, "0000:3a:01.0", 0x020000, "/dev/vfio/9");
	/* The canonical BDF is lower case even when the entry is not. */
	assert_device(&result, 1, "vfio_device_9_1", 9, 1, "0000:3b:00.0", 0x020000, "/dev/vfio/9");
	assert_device(&result, 2, "vfio_device_9_2", 9, 2, "ffff:00:00.0", 0x020000, "/dev/vfio/9");
	assert_device(&result, 3, "vfio_device_9_3", 9, 3, "10000:00:00.0", 0x020000,
		      "/dev/vfio/9");
	vfio_naming_result_free(&result);
}
END_TEST

START_TEST(bridges_are_skipped_without_taking_an_index)
{
	/* Bridges first in BDF order: had they consumed indices, the NVMe drive would be 2. */
	tree_add_function("0000:00:00.0", HOST_BRIDGE_CLASS, 7);
	tree_add_function("0000:00:1c.0", PCI_BRIDGE_CLASS, 7);
	tree_add_function("0000:03:00.0", NVME_CLASS, 7);
	tree_add_function("0000:03:00.1", "0x060401\n", 7); /* subtractive-decode bridge */
	const char *paths[] = { "/dev/vfio/7" };
	struct vfio_naming_result result;

	ck_assert_int_eq(name_in_tree(VFIO_NAMING_GROUP_INDEX, NULL, paths, 1, &result),
			 VFIO_NAMING_OK);
	ck_assert_uint_eq(result.n_devices, 1);
	assert_device(&result, 0, "vfio_device_7_0", 7, 0, "0000:03:00.0", 0x010802, "/dev/vfio/7");
	vfio_naming_result_free(&result);

	ck_assert_int_eq(name_in_tree(VFIO_NAMING_INDEX, NULL, paths, 1, &result), VFIO_NAMING_OK);
	assert_device(&result, 0, "vfio_device_0", 7, 0, "0000:03:00.0", 0x010802, "/dev/vfio/7");
	vfio_naming_result_free(&result);
}
END_TEST

START_TEST(other_class_0x06_devices_are_handed_over)
{
	/* Only 0x0600 and 0x0604 stay behind; an ISA bridge (0x0601) is an ordinary member. */
	tree_add_function("0000:00:1f.0", "0x060100\n", 3);
	const char *paths[] = { "/dev/vfio/3" };
	struct vfio_naming_result result;

	ck_assert_int_eq(name_in_tree(VFIO_NAMING_GROUP_INDEX, NULL, paths, 1, &result),
			 VFIO_NAMING_OK);
	assert_device(&result, 0, "vfio_device_3_0", 3, 0, "0000:00:1f.0", 0x060100, "/dev/vfio/3");
	vfio_naming_result_free(&result);
}
END_TEST

START_TEST(pci_address_host_paths)
{
	add_report_layout();
	tree_add_function("0000:5e:00.0", NIC_CLASS, 40);
	tree_add_function("0000:5e:00.1", NIC_CLASS, 40);
	/* Full form, short form (domain 0), upper case, and a function standing for its group. */
	const char *paths[] = { "0000:3b:00.0", "3c:00.0", "0000:5E:00.1" };
	struct vfio_naming_result result;

	ck_assert_int_eq(name_in_tree(VFIO_NAMING_GROUP_INDEX, NULL, paths, 3, &result),
			 VFIO_NAMING_OK);
	ck_assert_uint_eq(result.n_devices, 4);
	assert_device(&result, 0, "vfio_device_215_0", 215, 0, "0000:3b:00.0", 0x020000,
		      "0000:3b:00.0");
	assert_device(&result, 1, "vfio_device_216_0", 216, 0, "0000:3c:00.0", 0x020000, "3c:00.0");
	assert_device(&result, 2, "vfio_device_40_0", 40, 0, "0000:5e:00.0", 0x020000,
		      "0000:5E:00.1");
	assert_device(&result, 3, "vfio_device_40_1", 40, 1, "0000:5e:00.1", 0x020000,
		      "0000:5E:00.1");
	vfio_naming_result_free(&result);
}
END_TEST

START_TEST(same_group_twice_is_a_duplicate)
{
	add_report_layout();
	const char *twice[] = { "/dev/vfio/215", "/dev/vfio/216", "/dev/vfio/215" };
	const char *by_address[] = { "/dev/vfio/215", "0000:3b:00.0" };
	struct vfio_naming_result result;

	ck_assert_int_eq(name_in_tree(VFIO_NAMING_GROUP_INDEX, NULL, twice, 3, &result),
			 VFIO_NAMING_CHECK_FAILED);
	ck_assert_str_eq(result.error, "Duplicate device ID 'vfio_device_215_0'");
	ck_assert_uint_eq(result.n_devices, 3);
	vfio_naming_result_free(&result);

	ck_assert_int_eq(name_in_tree(VFIO_NAMING_GROUP_INDEX, NULL, by_address, 2, &result),
			 VFIO_NAMING_CHECK_FAILED);
	ck_assert_str_eq(result.error, "Duplicate device ID 'vfio_device_215_0'");
	vfio_naming_result_free(&result);
}
END_TEST

START_TEST(noiommu_group_path)
{
	tree_add_function("0000:00:04.0", NIC_CLASS, 3);
	const char *paths[] = { "/dev/vfio/noiommu-3" };
	struct vfio_naming_result result;

	ck_assert_int_eq(name_in_tree(VFIO_NAMING_GROUP_INDEX, NULL, paths, 1, &result),
			 VFIO_NAMING_OK);
	assert_device(&result, 0, "vfio_device_3_0", 3, 0, "0000:00:04.0", 0x020000,
		      "/dev/vfio/noiommu-3");
	vfio_naming_result_free(&result);
}
END_TEST

START_TEST(long_prefix_fails_length_check_untruncated)
{
	add_report_layout();
	const char *paths[] = { "/dev/vfio/215", "/dev/vfio/216" };
	struct vfio_naming_result result;

	/* 25 + "_215_0" = 31 bytes: exactly at the limit. */
	const char *fits = "abcdefghijklmnopqrstuvwxy";
	ck_assert_int_eq(name_in_tree(VFIO_NAMING_GROUP_INDEX, fits, paths, 2, &result),
			 VFIO_NAMING_OK);
	ck_assert_uint_eq(strlen(result.devices[0].id), 31);
	vfio_naming_result_free(&result);

	/* physical_nic_ as Kata uses it, with the group added: 13 + "_215_0" + padding. */
	const char *too_long = "physical_nic_endpoint_xyz1";
	ck_assert_int_eq(name_in_tree(VFIO_NAMING_GROUP_INDEX, too_long, paths, 2, &result),
			 VFIO_NAMING_CHECK_FAILED);
	ck_assert_str_eq(
		result.error,
		"Device ID 'physical_nic_endpoint_xyz1_215_0' is 32 bytes; the limit is 31");
	ck_assert_uint_eq(result.n_devices, 2);
	ck_assert_str_eq(result.devices[1].id, "physical_nic_endpoint_xyz1_216_0");
	vfio_naming_result_free(&result);
}
END_TEST

START_TEST(ill_formed_prefix_fails_wellformed_check)
{
	add_report_layout();
	const char *paths[] = { "/dev/vfio/215" };
	struct vfio_naming_result result;
	static const struct {
		const char *prefix, *error;
	} cases[] = {
		{ "1vfio", "Device ID '1vfio_215_0' is not a valid identifier (must match "
			   "[A-Za-z][A-Za-z0-9._-]*)" },
		{ "vfio device", "Device ID 'vfio device_215_0' is not a valid identifier (must "
				 "match [A-Za-z][A-Za-z0-9._-]*)" },
		{ "", "Device ID '_215_0' is not a valid identifier (must match "
		      "[A-Za-z][A-Za-z0-9._-]*)" },
		/* A control byte is shown escaped so the message stays one line. */
		{ "vfio\ndevice", "Device ID 'vfio\\x0adevice_215_0' is not a valid identifier "
				  "(must match [A-Za-z][A-Za-z0-9._-]*)" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_int_eq(
			name_in_tree(VFIO_NAMING_GROUP_INDEX, cases[i].prefix, paths, 1, &result),
			VFIO_NAMING_CHECK_FAILED);
		ck_assert_str_eq(result.error, cases[i].error);
		ck_assert_uint_eq(result.n_devices, 1);
		vfio_naming_result_free(&result);
	}

	/* Well-formedness is checked before length: a long ill-formed ID reports the former. */
	ck_assert_int_eq(name_in_tree(VFIO_NAMING_GROUP_INDEX, "-this-prefix-is-long-and-bad",
				      paths, 1, &result),
			 VFIO_NAMING_CHECK_FAILED);
	ck_assert_ptr_nonnull(strstr(result.error, "is not a valid identifier"));
	vfio_naming_result_free(&result);

	/* Every character QEMU allows after the first letter. */
	ck_assert_int_eq(name_in_tree(VFIO_NAMING_GROUP_INDEX, "Zz9.-_", paths, 1, &result),
			 VFIO_NAMING_OK);
	ck_assert_str_eq(result.devices[0].id, "Zz9.-__215_0");
	vfio_naming_result_free(&result);
}
END_TEST

START_TEST(missing_group_names_the_path)
{
	add_report_layout();
	const char *paths[] = { "/dev/vfio/215", "/dev/vfio/12" };

	expect_input_error(
		paths, 2,
		"IOMMU group 12 does not exist: %s/sys/kernel/iommu_groups/12: No such file or "
		"directory",
		tree_root);
}
END_TEST

START_TEST(malformed_host_paths_are_input_errors)
{
	add_report_layout();
	static const char *const malformed[] = {
		"/dev/vfio/",
		"/dev/vfio/0215",
		"/dev/vfio/+215",
		"/dev/vfio/-1",
		"/dev/vfio/215x",
		"/dev/vfio/ 215",
		"/dev/vfio/215/",
		"/dev/vfio/2147483648",
		"/dev/vfio/99999999999999999999",
		"/dev/vfio/noiommu-",
		"/dev/vfio/noiommu-07",
		"/dev/vfio/vfio",
		"/dev/vfio/devices",
		"dev/vfio/215",
		"/dev/vfio//215",
		"215",
		"",
		"000:3b:00.0",
		"0000:3b:00",
		"0000:3b:0.0",
		"0000:3b:20.0",
		"0000:3b:00.8",
		"0000:3b:00.00",
		"0000:3b:00.0 ",
		"0000:3g:00.0",
		"100000000:00:00.0",
		"3b:00:0",
		"3b:00.",
	};
	struct vfio_naming_result result;
	char expected[4096];

	for (size_t i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
		name_in_tree(VFIO_NAMING_GROUP_INDEX, NULL, &malformed[i], 1, &result);
		snprintf(expected, sizeof(expected),
			 "'%s' is not a VFIO group path (/dev/vfio/<N>, /dev/vfio/noiommu-<N>) or "
			 "a PCI address",
			 malformed[i]);
		assert_input_error(&result, expected);
		vfio_naming_result_free(&result);
	}

	const char *with_newline[] = { "/dev/vfio/215\n" };
	name_in_tree(VFIO_NAMING_GROUP_INDEX, NULL, with_newline, 1, &result);
	assert_input_error(&result, "'/dev/vfio/215\\x0a' is not a VFIO group path (/dev/vfio/<N>, "
				    "/dev/vfio/noiommu-<N>) or a PCI address");
	vfio_naming_result_free(&result);
}
END_TEST

START_TEST(largest_group_number_is_accepted)
{
	const char *paths[] = { "/dev/vfio/2147483647" };
	struct vfio_naming_result result;

	expect_input_error(
		paths, 1,
		"IOMMU group 2147483647 does not exist: %s/sys/kernel/iommu_groups/2147483647: "
		"No such file or directory",
		tree_root);

	tree_add_function("0000:00:05.0", NIC_CLASS, 0);
	const char *group_zero[] = { "/dev/vfio/0" };
	ck_assert_int_eq(name_in_tree(VFIO_NAMING_GROUP_INDEX, NULL, group_zero, 1, &result),
			 VFIO_NAMING_OK);
	ck_assert_str_eq(result.devices[0].id, "vfio_device_0_0");
	vfio_naming_result_free(&result);
}
END_TEST

START_TEST(unreadable_class_names_the_path)
{
	tree_add_function("0000:3b:00.0", NIC_CLASS, 215);
	tree_add_function("0000:3b:00.1", NIC_CLASS, 215);
	const char *paths[] = { "/dev/vfio/215" };
	char path[4096];

	/* A directory where the file should be: open works, read fails with EISDIR. */
	snprintf(path, sizeof(path), "%s/sys/devices/pci0000:00/0000:3b:00.1/class", tree_root);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(mkdir(path, 0755), 0);
	expect_input_error(paths, 1,
			   "cannot read the class of 0000:3b:00.1: "
			   "%s/sys/kernel/iommu_groups/215/devices/0000:3b:00.1/class: %s",
			   tree_root, strerror(EISDIR));

	/* No file at all. */
	ck_assert_int_eq(rmdir(path), 0);
	expect_input_error(
		paths, 1,
		"cannot read the class of 0000:3b:00.1: "
		"%s/sys/kernel/iommu_groups/215/devices/0000:3b:00.1/class: No such file or "
		"directory",
		tree_root);
}
END_TEST

START_TEST(unparsable_class_names_the_path)
{
	tree_add_function("0000:3b:00.0", NIC_CLASS, 215);
	const char *paths[] = { "/dev/vfio/215" };
	static const char *const bad_contents[] = {
		"",
		"\n",
		"020000\n",
		"0x\n",
		"0x1000000\n",
		"0x0200000\n",
		"0x020000\n\n",
		"0x02 0000\n",
		"0x020000 junk\n",
		"garbage",
	};
	char expected_start[4096];
	struct vfio_naming_result result;

	snprintf(expected_start, sizeof(expected_start),
		 "cannot read the class of 0000:3b:00.0: "
		 "%s/sys/kernel/iommu_groups/215/devices/0000:3b:00.0/class: %s",
		 tree_root, strerror(EINVAL));
	for (size_t i = 0; i < sizeof(bad_contents) / sizeof(bad_contents[0]); i++) {
		tree_write(bad_contents[i], "sys/devices/pci0000:00/0000:3b:00.0/class");
		ck_assert_int_eq(name_in_tree(VFIO_NAMING_GROUP_INDEX, NULL, paths, 1, &result),
				 VFIO_NAMING_INPUT_ERROR);
		ck_assert_msg(strncmp(result.error, expected_start, strlen(expected_start)) == 0,
			      "content '%s' gave: %s", bad_contents[i], result.error);
		ck_assert_ptr_null(strchr(result.error, '\n'));
		vfio_naming_result_free(&result);
	}

	/* What the kernel prints, without the newline, and in upper case, are all accepted. */
	static const char *const good_contents[] = { "0x0c0330\n", "0x0c0330", "0X0C0330\n" };
	for (size_t i = 0; i < sizeof(good_contents) / sizeof(good_contents[0]); i++) {
		tree_write(good_contents[i], "sys/devices/pci0000:00/0000:3b:00.0/class");
		ck_assert_int_eq(name_in_tree(VFIO_NAMING_GROUP_INDEX, NULL, paths, 1, &result),
				 VFIO_NAMING_OK);
		ck_assert_uint_eq(result.devices[0].class_code, 0x0c0330);
		vfio_naming_result_free(&result);
	}
}
END_TEST

START_TEST(non_pci_member_names_the_path)
{
	tree_add_function("0000:00:02.0", "0x030000\n", 0);
	/* The kernel prints mdev UUIDs in lower case: an upper-case one is no mdev name. */
	tree_add_group(11);
	tree_symlink("../../../../devices/pci0000:00/0000:00:02.0/"
		     "4B20D080-1B54-4048-85B3-A6A62D165C01",
		     "sys/kernel/iommu_groups/11/devices/4B20D080-1B54-4048-85B3-A6A62D165C01");
	const char *paths[] = { "/dev/vfio/11" };

	expect_input_error(
		paths, 1,
		"IOMMU group 11 has a member that is not a PCI function: "
		"%s/sys/kernel/iommu_groups/11/devices/4B20D080-1B54-4048-85B3-A6A62D165C01",
		tree_root);

	/* Short-form names are not how sysfs names members either. */
	tree_add_group(12);
	tree_symlink("../../../../devices/pci0000:00/0000:00:02.0",
		     "sys/kernel/iommu_groups/12/devices/00:02.0");
	paths[0] = "/dev/vfio/12";
	expect_input_error(paths, 1,
			   "IOMMU group 12 has a member that is not a PCI function: "
			   "%s/sys/kernel/iommu_groups/12/devices/00:02.0",
			   tree_root);
}
END_TEST

START_TEST(hidden_entries_are_ignored)
{
	tree_add_function("0000:3b:00.0", NIC_CLASS, 215);
	tree_write("", "sys/kernel/iommu_groups/215/devices/.keep");
	const char *paths[] = { "/dev/vfio/215" };
	struct vfio_naming_result result;

	ck_assert_int_eq(name_in_tree(VFIO_NAMING_GROUP_INDEX, NULL, paths, 1, &result),
			 VFIO_NAMING_OK);
	ck_assert_uint_eq(result.n_devices, 1);
	vfio_naming_result_free(&result);
}
END_TEST

START_TEST(pci_address_without_group_names_the_link)
{
	tree_add_function("0000:3b:00.0", NIC_CLASS, -1);
	const char *no_link[] = { "0000:3b:00.0" };
	const char *no_device[] = { "0000:3b:00.7" };

	expect_input_error(
		no_link, 1,
		"0000:3b:00.0 has no IOMMU group: "
		"%s/sys/bus/pci/devices/0000:3b:00.0/iommu_group: No such file or directory",
		tree_root);

	expect_input_error(
		no_device, 1,
		"0000:3b:00.7 has no IOMMU group: "
		"%s/sys/bus/pci/devices/0000:3b:00.7/iommu_group: No such file or directory",
		tree_root);

	/* A link whose last component is not a group number. */
	tree_symlink("../../../kernel/iommu_groups/007",
		     "sys/devices/pci0000:00/0000:3b:00.0/iommu_group");
	expect_input_error(no_link, 1,
			   "0000:3b:00.0 has no IOMMU group: "
			   "%s/sys/bus/pci/devices/0000:3b:00.0/iommu_group points to "
			   "'../../../kernel/iommu_groups/007', not to an IOMMU group",
			   tree_root);
}
END_TEST

START_TEST(group_without_device_to_hand_over)
{
	tree_add_function("0000:00:1c.0", PCI_BRIDGE_CLASS, 20);
	tree_add_function("0000:00:00.0", HOST_BRIDGE_CLASS, 20);
	tree_add_group(21);
	const char *bridges_only[] = { "/dev/vfio/20" };
	const char *empty[] = { "/dev/vfio/21" };
	struct vfio_naming_result result;

	name_in_tree(VFIO_NAMING_GROUP_INDEX, NULL, bridges_only, 1, &result);
	assert_input_error(&result, "IOMMU group 20 has no device to hand over");
	vfio_naming_result_free(&result);

	name_in_tree(VFIO_NAMING_GROUP_INDEX, NULL, empty, 1, &result);
	assert_input_error(&result, "IOMMU group 21 has no device to hand over");
	vfio_naming_result_free(&result);
}
END_TEST

START_TEST(group_without_devices_dir)
{
	tree_mkdir("sys/kernel/iommu_groups/22");
	const char *paths[] = { "/dev/vfio/22" };

	expect_input_error(
		paths, 1,
		"cannot list IOMMU group 22: %s/sys/kernel/iommu_groups/22/devices: No such file "
		"or directory",
		tree_root);
}
END_TEST

START_TEST(other_domain_and_large_group_number)
{
	tree_add_function("0001:00:02.0", NIC_CLASS, 65535);
	tree_add_function("0001:00:02.1", NIC_CLASS, 65535);
	const char *by_group[] = { "/dev/vfio/65535" };
	const char *by_address[] = { "0001:00:02.1" };
	const char *short_means_domain_zero[] = { "00:02.0" };
	struct vfio_naming_result result;

	ck_assert_int_eq(name_in_tree(VFIO_NAMING_GROUP_INDEX, NULL, by_group, 1, &result),
			 VFIO_NAMING_OK);
	assert_device(&result, 0, "vfio_device_65535_0", 65535, 0, "0001:00:02.0", 0x020000,
		      "/dev/vfio/65535");
	assert_device(&result, 1, "vfio_device_65535_1", 65535, 1, "0001:00:02.1", 0x020000,
		      "/dev/vfio/65535");
	vfio_naming_result_free(&result);

	ck_assert_int_eq(name_in_tree(VFIO_NAMING_GROUP_INDEX, NULL, by_address, 1, &result),
			 VFIO_NAMING_OK);
	ck_assert_uint_eq(result.n_devices, 2);
	ck_assert_int_eq(result.devices[0].group, 65535);
	vfio_naming_result_free(&result);

	expect_input_error(
		short_means_domain_zero, 1,
		"0000:00:02.0 has no IOMMU group: "
		"%s/sys/bus/pci/devices/0000:00:02.0/iommu_group: No such file or directory",
		tree_root);
}
END_TEST

START_TEST(empty_host_path_list)
{
	add_report_layout();
	struct vfio_naming_result result;

	name_in_tree(VFIO_NAMING_GROUP_INDEX, NULL, NULL, 0, &result);
	assert_input_error(&result, "no host paths given");
	vfio_naming_result_free(&result);
}
END_TEST

START_TEST(root_with_and_without_trailing_slash)
{
	add_report_layout();
	char with_slash[128];
	snprintf(with_slash, sizeof(with_slash), "%s//", tree_root);
	const char *roots[] = { tree_root, with_slash };
	const char *paths[] = { "/dev/vfio/215", "0000:3c:00.0" };
	const char *missing[] = { "/dev/vfio/5" };
	char expected[4096];
	snprintf(expected, sizeof(expected),
		 "IOMMU group 5 does not exist: %s/sys/kernel/iommu_groups/5: No such file or "
		 "directory",
		 tree_root);

	for (size_t i = 0; i < 2; i++) {
		struct vfio_naming_options options = { .root = roots[i],
						       .scheme = VFIO_NAMING_GROUP_INDEX };
		struct vfio_naming_result result;
		ck_assert_int_eq(vfio_naming_assign(&options, paths, 2, &result), VFIO_NAMING_OK);
		assert_device(&result, 0, "vfio_device_215_0", 215, 0, "0000:3b:00.0", 0x020000,
			      "/dev/vfio/215");
		assert_device(&result, 1, "vfio_device_216_0", 216, 0, "0000:3c:00.0", 0x020000,
			      "0000:3c:00.0");
		vfio_naming_result_free(&result);

		vfio_naming_assign(&options, missing, 1, &result);
		assert_input_error(&result, expected);
		vfio_naming_result_free(&result);
	}
}
END_TEST

START_TEST(system_root_spellings)
{
	/* No host has group 2147483647, so this reads the real /sys without depending on it. */
	const char *paths[] = { "/dev/vfio/2147483647" };
	const char *expected = "IOMMU group 2147483647 does not exist: "
			       "/sys/kernel/iommu_groups/2147483647: No such file or directory";
	const char *roots[] = { "/", NULL, "", "//" };

	for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
		struct vfio_naming_options options = { .root = roots[i] };
		struct vfio_naming_result result;
		vfio_naming_assign(&options, paths, 1, &result);
		assert_input_error(&result, expected);
		vfio_naming_result_free(&result);
	}

	struct vfio_naming_result result;
	vfio_naming_assign(NULL, paths, 1, &result);
	assert_input_error(&result, expected);
	vfio_naming_result_free(&result);
}
END_TEST

START_TEST(unknown_scheme_is_an_input_error)
{
	add_report_layout();
	struct vfio_naming_options options = { .root = tree_root,
					       .scheme = (enum vfio_naming_scheme)42 };
	const char *paths[] = { "/dev/vfio/215" };
	struct vfio_naming_result result;

	vfio_naming_assign(&options, paths, 1, &result);
	assert_input_error(&result, "unknown naming scheme 42");
	vfio_naming_result_free(&result);
}
END_TEST

START_TEST(many_groups_index_scheme_reports_first_duplicate)
{
	enum { N_GROUPS = 600 };
	static char names[N_GROUPS][24];
	static const char *paths[N_GROUPS];
	for (int i = 0; i < N_GROUPS; i++) {
		char bdf[16];
		snprintf(bdf, sizeof(bdf), "0000:%02x:%02x.%x", 0x10 + i / 256, (i / 8) % 32,
			 i % 8);
		tree_add_function(bdf, NIC_CLASS, 1000 + i);
		snprintf(names[i], sizeof(names[i]), "/dev/vfio/%d", 1000 + i);
		paths[i] = names[i];
	}
	struct vfio_naming_result result;

	ck_assert_int_eq(name_in_tree(VFIO_NAMING_GROUP_INDEX, NULL, paths, N_GROUPS, &result),
			 VFIO_NAMING_OK);
	ck_assert_uint_eq(result.n_devices, N_GROUPS);
	ck_assert_str_eq(result.devices[N_GROUPS - 1].id, "vfio_device_1599_0");
	vfio_naming_result_free(&result);

	ck_assert_int_eq(name_in_tree(VFIO_NAMING_INDEX, NULL, paths, N_GROUPS, &result),
			 VFIO_NAMING_CHECK_FAILED);
	ck_assert_str_eq(result.error, "Duplicate device ID 'vfio_device_0'");
	size_t earlier, later;
	ck_assert_int_eq(
		vfio_naming_find_duplicate(result.devices, result.n_devices, &earlier, &later), 1);
	ck_assert_uint_eq(earlier, 0);
	ck_assert_uint_eq(later, 1);
	vfio_naming_result_free(&result);
}
END_TEST

START_TEST(find_duplicate_picks_first_repeat_in_device_order)
{
	char *ids[] = { "x", "y", "y", "x", "z" };
	struct vfio_named_device devices[5] = { { 0 } };
	for (size_t i = 0; i < 5; i++)
		devices[i].id = ids[i];
	size_t earlier = 99, later = 99;

	/* "x" repeats first in sorted order, but "y" at position 2 is the first repeat. */
	ck_assert_int_eq(vfio_naming_find_duplicate(devices, 5, &earlier, &later), 1);
	ck_assert_uint_eq(earlier, 1);
	ck_assert_uint_eq(later, 2);

	/* And the other way round: the first repeat sorts before the later one. */
	devices[0].id = devices[3].id = "y";
	devices[1].id = devices[2].id = "x";
	ck_assert_int_eq(vfio_naming_find_duplicate(devices, 5, &earlier, &later), 1);
	ck_assert_uint_eq(earlier, 1);
	ck_assert_uint_eq(later, 2);
	devices[0].id = devices[3].id = "x";
	devices[1].id = devices[2].id = "y";

	devices[2].id = "w";
	ck_assert_int_eq(vfio_naming_find_duplicate(devices, 5, &earlier, &later), 1);
	ck_assert_uint_eq(earlier, 0);
	ck_assert_uint_eq(later, 3);

	devices[3].id = "v";
	ck_assert_int_eq(vfio_naming_find_duplicate(devices, 5, &earlier, &later), 0);
	ck_assert_int_eq(vfio_naming_find_duplicate(devices, 1, &earlier, &later), 0);
	ck_assert_int_eq(vfio_naming_find_duplicate(devices, 0, &earlier, &later), 0);
}
END_TEST

START_TEST(find_duplicate_scales)
{
	enum { N = 200000 };
	struct vfio_named_device *devices = calloc(N, sizeof(*devices));
	char(*ids)[24] = calloc(N, sizeof(*ids));
	ck_assert_ptr_nonnull(devices);
	ck_assert_ptr_nonnull(ids);
	for (size_t i = 0; i < N; i++) {
		snprintf(ids[i], sizeof(ids[i]), "vfio_device_%zu_0", (i * 7919) % N);
		devices[i].id = ids[i];
	}
	size_t earlier, later;
	ck_assert_int_eq(vfio_naming_find_duplicate(devices, N, &earlier, &later), 0);

	/* Third and second to last collide; the last repeats the first but comes later. */
	memcpy(ids[N - 1], ids[0], sizeof(ids[0]));
	memcpy(ids[N - 2], ids[N - 3], sizeof(ids[0]));
	ck_assert_int_eq(vfio_naming_find_duplicate(devices, N, &earlier, &later), 1);
	ck_assert_uint_eq(earlier, N - 3);
	ck_assert_uint_eq(later, N - 2);
	free(ids);
	free(devices);
}
END_TEST

START_TEST(scheme_names_round_trip)
{
	enum vfio_naming_scheme scheme = VFIO_NAMING_INDEX;
	ck_assert_int_eq(vfio_naming_scheme_parse("group-index", &scheme), 0);
	ck_assert_int_eq(scheme, VFIO_NAMING_GROUP_INDEX);
	ck_assert_str_eq(vfio_naming_scheme_name(scheme), "group-index");
	ck_assert_int_eq(vfio_naming_scheme_parse("index", &scheme), 0);
	ck_assert_int_eq(scheme, VFIO_NAMING_INDEX);
	ck_assert_str_eq(vfio_naming_scheme_name(scheme), "index");
	ck_assert_int_eq(vfio_naming_scheme_parse("group_index", &scheme), -1);
	ck_assert_int_eq(vfio_naming_scheme_parse("", &scheme), -1);
	ck_assert_int_eq(vfio_naming_scheme_parse(NULL, &scheme), -1);
	ck_assert_int_eq(scheme, VFIO_NAMING_INDEX);
}
END_TEST

/* Group 40: a PCI bridge and two NICs, each NIC with its iommufd node. */
static void add_iommufd_layout(void)
{
	/* Function 1 first, so a plain directory is likely to list it first. */
	tree_add_function("0000:5e:00.1", NIC_CLASS, 40);
	tree_add_function("0000:5e:00.0", NIC_CLASS, 40);
	/* Sorts first and takes no index: the NICs stay 0 and 1. */
	tree_add_function("0000:00:1c.0", PCI_BRIDGE_CLASS, 40);
	tree_add_function_vfio_dev("0000:5e:00.1", 7);
	tree_add_function_vfio_dev("0000:5e:00.0", 3);
}

START_TEST(iommufd_path_names_one_device_with_its_group_index)
{
	add_iommufd_layout();
	add_report_layout();
	const char *second[] = { "/dev/vfio/devices/vfio7" };
	const char *both[] = { "/dev/vfio/devices/vfio7", "/dev/vfio/devices/vfio3",
			       "/dev/vfio/215" };
	struct vfio_naming_result result;

	ck_assert_int_eq(name_in_tree(VFIO_NAMING_GROUP_INDEX, NULL, second, 1, &result),
			 VFIO_NAMING_OK);
	ck_assert_uint_eq(result.n_devices, 1);
	assert_device(&result, 0, "vfio_device_40_1", 40, 1, "0000:5e:00.1", 0x020000,
		      "/dev/vfio/devices/vfio7");
	vfio_naming_result_free(&result);

	/* Host-path order, and the same IDs the group path gives them. */
	ck_assert_int_eq(name_in_tree(VFIO_NAMING_GROUP_INDEX, NULL, both, 3, &result),
			 VFIO_NAMING_OK);
	ck_assert_uint_eq(result.n_devices, 3);
	assert_device(&result, 0, "vfio_device_40_1", 40, 1, "0000:5e:00.1", 0x020000,
		      "/dev/vfio/devices/vfio7");
	assert_device(&result, 1, "vfio_device_40_0", 40, 0, "0000:5e:00.0", 0x020000,
		      "/dev/vfio/devices/vfio3");
	assert_device(&result, 2, "vfio_device_215_0", 215, 0, "0000:3b:00.0", 0x020000,
		      "/dev/vfio/215");
	vfio_naming_result_free(&result);

	/* The legacy scheme collides across groups for single devices too. */
	ck_assert_int_eq(name_in_tree(VFIO_NAMING_INDEX, NULL, both, 3, &result),
			 VFIO_NAMING_CHECK_FAILED);
	ck_assert_str_eq(result.error, "Duplicate device ID 'vfio_device_0'");
	vfio_naming_result_free(&result);
}
END_TEST

START_TEST(iommufd_and_group_path_of_one_group_collide)
{
	add_iommufd_layout();
	const char *group_then_device[] = { "/dev/vfio/40", "/dev/vfio/devices/vfio7" };
	const char *device_then_address[] = { "/dev/vfio/devices/vfio3", "0000:5e:00.1" };
	const char *device_twice[] = { "/dev/vfio/devices/vfio3", "/dev/vfio/devices/vfio3" };
	size_t earlier, later;
	struct vfio_naming_result result;

	ck_assert_int_eq(name_in_tree(VFIO_NAMING_GROUP_INDEX, NULL, group_then_device, 2, &result),
			 VFIO_NAMING_CHECK_FAILED);
	ck_assert_str_eq(result.error, "Duplicate device ID 'vfio_device_40_1'");
	ck_assert_uint_eq(result.n_devices, 3);
	assert_device(&result, 2, "vfio_device_40_1", 40, 1, "0000:5e:00.1", 0x020000,
		      "/dev/vfio/devices/vfio7");
	ck_assert_int_eq(
		vfio_naming_find_duplicate(result.devices, result.n_devices, &earlier, &later), 1);
	ck_assert_uint_eq(earlier, 1);
	ck_assert_uint_eq(later, 2);
	vfio_naming_result_free(&result);

	ck_assert_int_eq(
		name_in_tree(VFIO_NAMING_GROUP_INDEX, NULL, device_then_address, 2, &result),
		VFIO_NAMING_CHECK_FAILED);
	ck_assert_str_eq(result.error, "Duplicate device ID 'vfio_device_40_0'");
	ck_assert_uint_eq(result.n_devices, 3);
	vfio_naming_result_free(&result);

	ck_assert_int_eq(name_in_tree(VFIO_NAMING_GROUP_INDEX, NULL, device_twice, 2, &result),
			 VFIO_NAMING_CHECK_FAILED);
	ck_assert_str_eq(result.error, "Duplicate device ID 'vfio_device_40_0'");
	ck_assert_uint_eq(result.n_devices, 2);
	vfio_naming_result_free(&result);
}
END_TEST

START_TEST(iommufd_path_without_vfio_dev_names_the_path)
{
	add_iommufd_layout();
	const char *paths[] = { "/dev/vfio/devices/vfio9" };

	/* No sys/class/vfio-dev/vfio9 at all. */
	expect_input_error(paths, 1,
			   "/dev/vfio/devices/vfio9 has no device: "
			   "%s/sys/class/vfio-dev/vfio9/device: No such file or directory",
			   tree_root);

	/* The class entry is there but its device link is gone. */
	tree_add_function_vfio_dev("0000:5e:00.0", 9);
	char link[4096];
	snprintf(link, sizeof(link), "%s/sys/devices/pci0000:00/0000:5e:00.0/vfio-dev/vfio9/device",
		 tree_root);
	ck_assert_int_eq(unlink(link), 0);
	expect_input_error(paths, 1,
			   "/dev/vfio/devices/vfio9 has no device: "
			   "%s/sys/class/vfio-dev/vfio9/device: No such file or directory",
			   tree_root);

	/* A device link to something that is neither a PCI function nor an mdev. */
	ck_assert_int_eq(symlink("../../..", link), 0);
	expect_input_error(
		paths, 1,
		"/dev/vfio/devices/vfio9 has no device: %s/sys/class/vfio-dev/vfio9/device "
		"resolves to '%s/sys/devices/pci0000:00', not to a PCI function or a mediated "
		"device",
		tree_root, tree_root);
}
END_TEST

START_TEST(iommufd_device_outside_any_group_names_the_path)
{
	add_iommufd_layout();
	/* A function with a vfio-dev node but no iommu_group link. */
	tree_add_function("0000:3b:00.0", NIC_CLASS, -1);
	tree_add_function_vfio_dev("0000:3b:00.0", 5);
	/* A function whose iommu_group names group 41, which does not list it. */
	tree_add_function("0000:3c:00.0", NIC_CLASS, -1);
	tree_add_function("0000:3d:00.0", NIC_CLASS, 41);
	tree_symlink("../../../kernel/iommu_groups/41",
		     "sys/devices/pci0000:00/0000:3c:00.0/iommu_group");
	tree_add_function_vfio_dev("0000:3c:00.0", 6);
	/* A bridge bound to a VFIO driver: bridges stay with the host. */
	tree_add_function_vfio_dev("0000:00:1c.0", 8);
	const char *no_group[] = { "/dev/vfio/devices/vfio5" };
	const char *not_listed[] = { "/dev/vfio/devices/vfio6" };
	const char *bridge[] = { "/dev/vfio/devices/vfio8" };
	struct vfio_naming_result result;

	expect_input_error(
		no_group, 1,
		"/dev/vfio/devices/vfio5 (0000:3b:00.0) has no IOMMU group: "
		"%s/sys/bus/pci/devices/0000:3b:00.0/iommu_group: No such file or directory",
		tree_root);

	expect_input_error(
		not_listed, 1,
		"/dev/vfio/devices/vfio6 (0000:3c:00.0) is not listed in IOMMU group 41: "
		"%s/sys/kernel/iommu_groups/41/devices",
		tree_root);

	name_in_tree(VFIO_NAMING_GROUP_INDEX, NULL, bridge, 1, &result);
	assert_input_error(&result, "/dev/vfio/devices/vfio8 (0000:00:1c.0) is a bridge (class "
				    "0x060400), which stays with the host");
	vfio_naming_result_free(&result);
}
END_TEST

START_TEST(malformed_iommufd_paths_are_input_errors)
{
	add_iommufd_layout();
	static const char *const malformed[] = {
		"/dev/vfio/devices/",	    "/dev/vfio/devices/vfio",
		"/dev/vfio/devices/vfio03", "/dev/vfio/devices/vfio+3",
		"/dev/vfio/devices/vfio-3", "/dev/vfio/devices/vfio3/",
		"/dev/vfio/devices/vfio3x", "/dev/vfio/devices/3",
		"/dev/vfio/devices/VFIO3",  "/dev/vfio/devices/vfio2147483648",
		"/dev/vfio/devices//vfio3",
	};
	struct vfio_naming_result result;
	char expected[4096];

	for (size_t i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
		name_in_tree(VFIO_NAMING_GROUP_INDEX, NULL, &malformed[i], 1, &result);
		snprintf(expected, sizeof(expected),
			 "'%s' is not a VFIO device path (/dev/vfio/devices/vfio<X>)",
			 malformed[i]);
		assert_input_error(&result, expected);
		vfio_naming_result_free(&result);
	}

	const char *with_tab[] = { "/dev/vfio/devices/vfio3\t" };
	name_in_tree(VFIO_NAMING_GROUP_INDEX, NULL, with_tab, 1, &result);
	assert_input_error(&result, "'/dev/vfio/devices/vfio3\\x09' is not a VFIO device path "
				    "(/dev/vfio/devices/vfio<X>)");
	vfio_naming_result_free(&result);
}
END_TEST

#define MDEV_LOW  "00000000-0000-4000-8000-000000000001"
#define MDEV_MID  "3a6b0c1e-9f00-4c3e-a2d5-000000000002"
#define MDEV_HIGH "4b20d080-1b54-4048-85b3-a6a62d165c01"

START_TEST(mdevs_follow_functions_in_uuid_order)
{
	/* The parent GPU in its own group; the mdevs made in no particular order. */
	tree_add_function("0000:00:02.0", "0x030000\n", 0);
	tree_add_mdev("0000:00:02.0", MDEV_HIGH, 11);
	tree_add_mdev("0000:00:02.0", MDEV_LOW, 11);
	tree_add_mdev("0000:00:02.0", MDEV_MID, 11);
	/* As strings "00000000-..." < "0000:00:03.0": functions come first by rule, not by
	 * spelling. */
	tree_add_function("0000:00:03.0", NIC_CLASS, 11);
	/* The usual case: one mdev alone in its group. */
	tree_add_mdev("0000:00:02.0", "c0ffee00-aaaa-4bbb-8ccc-dddddddddddd", 12);
	const char *paths[] = { "/dev/vfio/11", "/dev/vfio/12" };
	struct vfio_naming_result result;

	ck_assert_int_eq(name_in_tree(VFIO_NAMING_GROUP_INDEX, NULL, paths, 2, &result),
			 VFIO_NAMING_OK);
	ck_assert_uint_eq(result.n_devices, 5);
	assert_device(&result, 0, "vfio_device_11_0", 11, 0, "0000:00:03.0", 0x020000,
		      "/dev/vfio/11");
	assert_mdev(&result, 1, "vfio_device_11_1", 11, 1, "0000:00:02.0", MDEV_LOW,
		    "/dev/vfio/11");
	assert_mdev(&result, 2, "vfio_device_11_2", 11, 2, "0000:00:02.0", MDEV_MID,
		    "/dev/vfio/11");
	assert_mdev(&result, 3, "vfio_device_11_3", 11, 3, "0000:00:02.0", MDEV_HIGH,
		    "/dev/vfio/11");
	assert_mdev(&result, 4, "vfio_device_12_0", 12, 0, "0000:00:02.0",
		    "c0ffee00-aaaa-4bbb-8ccc-dddddddddddd", "/dev/vfio/12");
	vfio_naming_result_free(&result);

	/* Two single-mdev groups under the legacy scheme: the reported collision again. */
	tree_add_mdev("0000:00:02.0", "c0ffee00-aaaa-4bbb-8ccc-eeeeeeeeeeee", 13);
	const char *two_groups[] = { "/dev/vfio/12", "/dev/vfio/13" };
	ck_assert_int_eq(name_in_tree(VFIO_NAMING_INDEX, NULL, two_groups, 2, &result),
			 VFIO_NAMING_CHECK_FAILED);
	ck_assert_str_eq(result.error, "Duplicate device ID 'vfio_device_0'");
	vfio_naming_result_free(&result);
}
END_TEST

START_TEST(iommufd_path_of_an_mdev)
{
	tree_add_function("0000:00:02.0", "0x030000\n", 0);
	tree_add_mdev("0000:00:02.0", MDEV_HIGH, 11);
	tree_add_mdev("0000:00:02.0", MDEV_LOW, 11);
	tree_add_vfio_dev("pci0000:00/0000:00:02.0/" MDEV_HIGH, 4);
	const char *paths[] = { "/dev/vfio/devices/vfio4" };
	const char *with_group[] = { "/dev/vfio/devices/vfio4", "/dev/vfio/11" };
	struct vfio_naming_result result;

	ck_assert_int_eq(name_in_tree(VFIO_NAMING_GROUP_INDEX, NULL, paths, 1, &result),
			 VFIO_NAMING_OK);
	ck_assert_uint_eq(result.n_devices, 1);
	assert_mdev(&result, 0, "vfio_device_11_1", 11, 1, "0000:00:02.0", MDEV_HIGH,
		    "/dev/vfio/devices/vfio4");
	vfio_naming_result_free(&result);

	ck_assert_int_eq(name_in_tree(VFIO_NAMING_GROUP_INDEX, NULL, with_group, 2, &result),
			 VFIO_NAMING_CHECK_FAILED);
	ck_assert_str_eq(result.error, "Duplicate device ID 'vfio_device_11_1'");
	vfio_naming_result_free(&result);
}
END_TEST

START_TEST(malformed_mdev_entries_name_the_path)
{
	tree_add_function("0000:00:02.0", "0x030000\n", 0);
	static const char *const not_uuids[] = {
		"4b20d080-1b54-4048-85b3-a6a62d165c0",	 /* 35 characters */
		"4b20d080-1b54-4048-85b3-a6a62d165c011", /* 37 */
		"4b20d0801-b54-4048-85b3-a6a62d165c01",	 /* hyphen misplaced */
		"4b20d080-1b54-4048-85b3-a6a62d165c0g",	 /* not hex */
		"4b20d080-1b54-4048-85B3-a6a62d165c01",	 /* upper case */
		"4b20d080_1b54_4048_85b3_a6a62d165c01",
	};
	const char *paths[] = { "/dev/vfio/30" };
	char expected[4096];
	struct vfio_naming_result result;

	tree_add_group(30);
	for (size_t i = 0; i < sizeof(not_uuids) / sizeof(not_uuids[0]); i++) {
		char entry[1024];
		snprintf(entry, sizeof(entry), "%s/sys/kernel/iommu_groups/30/devices/%s",
			 tree_root, not_uuids[i]);
		ck_assert_int_eq(symlink("../../../../devices/pci0000:00/0000:00:02.0", entry), 0);
		name_in_tree(VFIO_NAMING_GROUP_INDEX, NULL, paths, 1, &result);
		snprintf(expected, sizeof(expected),
			 "IOMMU group 30 has a member that is not a PCI function: %s", entry);
		assert_input_error(&result, expected);
		vfio_naming_result_free(&result);
		ck_assert_int_eq(unlink(entry), 0);
	}

	/* A well-formed UUID whose link leads nowhere. */
	tree_add_group(31);
	tree_symlink("../../../../devices/pci0000:00/0000:00:02.0/" MDEV_LOW,
		     "sys/kernel/iommu_groups/31/devices/" MDEV_LOW);
	paths[0] = "/dev/vfio/31";
	expect_input_error(paths, 1,
			   "cannot resolve mediated device " MDEV_LOW " of IOMMU group 31: "
			   "%s/sys/kernel/iommu_groups/31/devices/" MDEV_LOW
			   ": No such file or directory",
			   tree_root);

	/* An s390 AP mdev: its parent is the matrix device, which has no PCI address. */
	tree_mkdir("sys/devices/vfio_ap");
	tree_mkdir("sys/devices/vfio_ap/matrix");
	tree_mkdir("sys/devices/vfio_ap/matrix/" MDEV_MID);
	tree_add_group(32);
	tree_symlink("../../../../devices/vfio_ap/matrix/" MDEV_MID,
		     "sys/kernel/iommu_groups/32/devices/" MDEV_MID);
	paths[0] = "/dev/vfio/32";
	expect_input_error(paths, 1,
			   "mediated device " MDEV_MID " of IOMMU group 32 has no PCI parent: "
			   "%s/sys/kernel/iommu_groups/32/devices/" MDEV_MID
			   " resolves to '%s/sys/devices/vfio_ap/matrix/" MDEV_MID "'",
			   tree_root, tree_root);
}
END_TEST

START_TEST(many_iommufd_paths_into_one_group)
{
	/* Each path into the group must not list it again: n paths, one listing. */
	enum { N_FUNCTIONS = 1024 };
	static char names[N_FUNCTIONS][32];
	static const char *paths[N_FUNCTIONS];
	char bdfs[N_FUNCTIONS][16];
	for (int i = 0; i < N_FUNCTIONS; i++) {
		snprintf(bdfs[i], sizeof(bdfs[i]), "0000:%02x:%02x.%x", 0x40 + i / 256,
			 (i / 8) % 32, i % 8);
		tree_add_function(bdfs[i], NIC_CLASS, 60);
		/* vfio numbers unrelated to BDF order; paths given in reverse. */
		int number = (i * 7) % N_FUNCTIONS;
		tree_add_function_vfio_dev(bdfs[i], number);
		snprintf(names[N_FUNCTIONS - 1 - i], sizeof(names[0]), "/dev/vfio/devices/vfio%d",
			 number);
		paths[N_FUNCTIONS - 1 - i] = names[N_FUNCTIONS - 1 - i];
	}
	struct vfio_naming_result result;

	ck_assert_int_eq(name_in_tree(VFIO_NAMING_GROUP_INDEX, NULL, paths, N_FUNCTIONS, &result),
			 VFIO_NAMING_OK);
	ck_assert_uint_eq(result.n_devices, N_FUNCTIONS);
	for (int i = 0; i < N_FUNCTIONS; i++) {
		const struct vfio_named_device *device = &result.devices[N_FUNCTIONS - 1 - i];
		char id[32];
		snprintf(id, sizeof(id), "vfio_device_60_%d", i);
		ck_assert_str_eq(device->id, id);
		ck_assert_str_eq(device->bdf, bdfs[i]);
	}
	vfio_naming_result_free(&result);
}
END_TEST

START_TEST(groups_far_apart_share_no_members)
{
	/* Group numbers that differ only in high bits, each named by group and by device. */
	enum { N_GROUPS = 64 };
	static char names[2 * N_GROUPS][40];
	static const char *paths[2 * N_GROUPS];
	for (int i = 0; i < N_GROUPS; i++) {
		char bdf[16];
		snprintf(bdf, sizeof(bdf), "0000:%02x:00.0", i + 1);
		tree_add_function(bdf, NIC_CLASS, i << 24);
		tree_add_function_vfio_dev(bdf, i);
		snprintf(names[i], sizeof(names[i]), "/dev/vfio/%d", i << 24);
		snprintf(names[N_GROUPS + i], sizeof(names[0]), "/dev/vfio/devices/vfio%d", i);
		paths[i] = names[i];
		paths[N_GROUPS + i] = names[N_GROUPS + i];
	}
	struct vfio_naming_result result;

	ck_assert_int_eq(name_in_tree(VFIO_NAMING_GROUP_INDEX, NULL, paths, N_GROUPS, &result),
			 VFIO_NAMING_OK);
	ck_assert_uint_eq(result.n_devices, N_GROUPS);
	for (int i = 0; i < N_GROUPS; i++) {
		char bdf[16], id[32];
		snprintf(bdf, sizeof(bdf), "0000:%02x:00.0", i + 1);
		snprintf(id, sizeof(id), "vfio_device_%d_0", i << 24);
		assert_device(&result, (size_t)i, id, i << 24, 0, bdf, 0x020000, names[i]);
	}
	vfio_naming_result_free(&result);

	/* Every device twice: each one's second naming is the reported duplicate. */
	ck_assert_int_eq(name_in_tree(VFIO_NAMING_GROUP_INDEX, NULL, paths, 2 * N_GROUPS, &result),
			 VFIO_NAMING_CHECK_FAILED);
	ck_assert_uint_eq(result.n_devices, 2 * N_GROUPS);
	for (int i = 0; i < N_GROUPS; i++)
		ck_assert_str_eq(result.devices[N_GROUPS + i].id, result.devices[i].id);
	ck_assert_str_eq(result.error, "Duplicate device ID 'vfio_device_0_0'");
	vfio_naming_result_free(&result);
}
END_TEST

/* Group 9 of bridge-shares-group: a bridge and two NICs, the second still on its own driver. */
#define NOT_VIABLE_9                                                                               \
	"IOMMU group 9 is not viable: 0000:03:01.0 is bound to e1000 "                             \
	"(%s/sys/kernel/iommu_groups/9/devices/0000:03:01.0/driver); every device of the group "   \
	"must be bound to vfio-pci, pci-stub or pcieport, or to no driver"

START_TEST(group_with_a_member_on_another_driver_is_not_viable)
{
	tree_add_function("0000:02:00.0", "0x060401\n", 9);
	tree_add_function("0000:03:00.0", NIC_CLASS, 9);
	tree_add_function("0000:03:01.0", NIC_CLASS, 9);
	tree_bind("0000:03:00.0", "vfio-pci");
	tree_bind("0000:03:01.0", "e1000");
	tree_add_function_vfio_dev("0000:03:00.0", 20);
	/* Every way into the group: its node, either member's address, the bound one's node. */
	const char *group[] = { "/dev/vfio/9" };
	const char *bound[] = { "0000:03:00.0" };
	const char *host_driver[] = { "03:01.0" };
	const char *device_node[] = { "/dev/vfio/devices/vfio20" };
	struct vfio_naming_result result;

	expect_input_error(group, 1, NOT_VIABLE_9, tree_root);
	expect_input_error(bound, 1, NOT_VIABLE_9, tree_root);
	expect_input_error(host_driver, 1, NOT_VIABLE_9, tree_root);
	expect_input_error(device_node, 1, NOT_VIABLE_9, tree_root);

	char expected[4096];
	snprintf(expected, sizeof(expected), NOT_VIABLE_9, tree_root);
	name_in_tree(VFIO_NAMING_INDEX, NULL, group, 1, &result);
	assert_input_error(&result, expected);
	vfio_naming_result_free(&result);

	/* Unbound from e1000 the group is viable, and both NICs are named. */
	char link[4096];
	snprintf(link, sizeof(link), "%s/sys/devices/pci0000:00/0000:03:01.0/driver", tree_root);
	ck_assert_int_eq(unlink(link), 0);
	ck_assert_int_eq(name_in_tree(VFIO_NAMING_GROUP_INDEX, NULL, group, 1, &result),
			 VFIO_NAMING_OK);
	ck_assert_uint_eq(result.n_devices, 2);
	assert_device(&result, 0, "vfio_device_9_0", 9, 0, "0000:03:00.0", 0x020000, "/dev/vfio/9");
	assert_device(&result, 1, "vfio_device_9_1", 9, 1, "0000:03:01.0", 0x020000, "/dev/vfio/9");
	vfio_naming_result_free(&result);
}
END_TEST

START_TEST(unbound_stub_port_and_vfio_variant_members_keep_the_group_viable)
{
	tree_add_function("0000:00:1c.0", PCI_BRIDGE_CLASS, 7);
	tree_add_function("0000:03:00.0", NIC_CLASS, 7);
	tree_add_function("0000:03:00.1", NIC_CLASS, 7);
	tree_add_function("0000:03:00.2", NVME_CLASS, 7);
	tree_add_function("0000:03:00.3", NIC_CLASS, 7);
	tree_bind("0000:00:1c.0", "pcieport");
	tree_bind("0000:03:00.0", "vfio-pci");
	tree_bind("0000:03:00.1", "mlx5_vfio_pci");
	tree_bind("0000:03:00.2", "pci-stub");
	const char *paths[] = { "/dev/vfio/7" };
	struct vfio_naming_result result;

	ck_assert_int_eq(name_in_tree(VFIO_NAMING_GROUP_INDEX, NULL, paths, 1, &result),
			 VFIO_NAMING_OK);
	ck_assert_uint_eq(result.n_devices, 4);
	assert_device(&result, 0, "vfio_device_7_0", 7, 0, "0000:03:00.0", 0x020000, "/dev/vfio/7");
	assert_device(&result, 1, "vfio_device_7_1", 7, 1, "0000:03:00.1", 0x020000, "/dev/vfio/7");
	assert_device(&result, 2, "vfio_device_7_2", 7, 2, "0000:03:00.2", 0x010802, "/dev/vfio/7");
	assert_device(&result, 3, "vfio_device_7_3", 7, 3, "0000:03:00.3", 0x020000, "/dev/vfio/7");
	vfio_naming_result_free(&result);

	/* The bridge stays with the host, but on a driver of the host's it blocks the group. */
	char link[4096];
	snprintf(link, sizeof(link), "%s/sys/devices/pci0000:00/0000:00:1c.0/driver", tree_root);
	ck_assert_int_eq(unlink(link), 0);
	tree_bind("0000:00:1c.0", "shpchp");
	expect_input_error(
		paths, 1,
		"IOMMU group 7 is not viable: 0000:00:1c.0 is bound to shpchp "
		"(%s/sys/kernel/iommu_groups/7/devices/0000:00:1c.0/driver); every device "
		"of the group must be bound to vfio-pci, pci-stub or pcieport, or to no "
		"driver",
		tree_root);
}
END_TEST

START_TEST(unreadable_driver_link_names_the_path)
{
	tree_add_function("0000:03:00.0", NIC_CLASS, 9);
	/* A file where the link belongs: readlink fails with EINVAL. */
	tree_write("vfio-pci\n", "sys/devices/pci0000:00/0000:03:00.0/driver");
	const char *paths[] = { "/dev/vfio/9" };

	expect_input_error(
		paths, 1,
		"cannot read the driver of 0000:03:00.0: "
		"%s/sys/kernel/iommu_groups/9/devices/0000:03:00.0/driver: Invalid argument",
		tree_root);
}
END_TEST

START_TEST(member_gone_after_the_listing_names_the_path)
{
	tree_add_function("0000:03:00.0", NIC_CLASS, 9);
	tree_bind("0000:03:00.0", "vfio-pci");
	/* Still listed, its directory gone: removed while the group was being read. */
	tree_symlink("../../../../devices/pci0000:00/0000:03:01.0",
		     "sys/kernel/iommu_groups/9/devices/0000:03:01.0");
	const char *paths[] = { "/dev/vfio/9" };

	expect_input_error(paths, 1,
			   "IOMMU group 9 lists 0000:03:01.0, which is gone: "
			   "%s/sys/kernel/iommu_groups/9/devices/0000:03:01.0: No such file or "
			   "directory",
			   tree_root);
}
END_TEST

static Suite *naming_suite(void)
{
	Suite *suite = suite_create("vfionaming");
	TCase *trees = tcase_create("trees");
	tcase_add_checked_fixture(trees, tree_setup, tree_teardown);
	tcase_set_timeout(trees, 60);
	tcase_add_test(trees, report_layout_collides_with_index_scheme);
	tcase_add_test(trees, report_layout_is_fixed_by_group_index_scheme);
	tcase_add_test(trees, host_path_order_is_kept);
	tcase_add_test(trees, members_follow_bdf_order_not_creation_order);
	tcase_add_test(trees, members_sort_numerically_not_as_strings);
	tcase_add_test(trees, bridges_are_skipped_without_taking_an_index);
	tcase_add_test(trees, other_class_0x06_devices_are_handed_over);
	tcase_add_test(trees, pci_address_host_paths);
	tcase_add_test(trees, same_group_twice_is_a_duplicate);
	tcase_add_test(trees, noiommu_group_path);
	tcase_add_test(trees, long_prefix_fails_length_check_untruncated);
	tcase_add_test(trees, ill_formed_prefix_fails_wellformed_check);
	tcase_add_test(trees, missing_group_names_the_path);
	tcase_add_test(trees, malformed_host_paths_are_input_errors);
	tcase_add_test(trees, largest_group_number_is_accepted);
	tcase_add_test(trees, unreadable_class_names_the_path);
	tcase_add_test(trees, unparsable_class_names_the_path);
	tcase_add_test(trees, non_pci_member_names_the_path);
	tcase_add_test(trees, hidden_entries_are_ignored);
	tcase_add_test(trees, pci_address_without_group_names_the_link);
	tcase_add_test(trees, group_without_device_to_hand_over);
	tcase_add_test(trees, group_without_devices_dir);
	tcase_add_test(trees, other_domain_and_large_group_number);
	tcase_add_test(trees, empty_host_path_list);
	tcase_add_test(trees, root_with_and_without_trailing_slash);
	tcase_add_test(trees, unknown_scheme_is_an_input_error);
	tcase_add_test(trees, many_groups_index_scheme_reports_first_duplicate);
	tcase_add_test(trees, iommufd_path_names_one_device_with_its_group_index);
	tcase_add_test(trees, iommufd_and_group_path_of_one_group_collide);
	tcase_add_test(trees, iommufd_path_without_vfio_dev_names_the_path);
	tcase_add_test(trees, iommufd_device_outside_any_group_names_the_path);
	tcase_add_test(trees, malformed_iommufd_paths_are_input_errors);
	tcase_add_test(trees, mdevs_follow_functions_in_uuid_order);
	tcase_add_test(trees, iommufd_path_of_an_mdev);
	tcase_add_test(trees, malformed_mdev_entries_name_the_path);
	tcase_add_test(trees, many_iommufd_paths_into_one_group);
	tcase_add_test(trees, groups_far_apart_share_no_members);
	tcase_add_test(trees, group_with_a_member_on_another_driver_is_not_viable);
	tcase_add_test(trees, unbound_stub_port_and_vfio_variant_members_keep_the_group_viable);
	tcase_add_test(trees, unreadable_driver_link_names_the_path);
	tcase_add_test(trees, member_gone_after_the_listing_names_the_path);
	suite_add_tcase(suite, trees);

	TCase *pure = tcase_create("no tree");
	tcase_set_timeout(pure, 60);
	tcase_add_test(pure, system_root_spellings);
	tcase_add_test(pure, find_duplicate_picks_first_repeat_in_device_order);
	tcase_add_test(pure, find_duplicate_scales);
	tcase_add_test(pure, scheme_names_round_trip);
	suite_add_tcase(suite, pure);
	return suite;
}

int main(void)
{
	const char *tmpdir = getenv("TMPDIR");
	snprintf(trees_base, sizeof(trees_base), "%s/vfionaming-test-XXXXXX",
		 tmpdir && *tmpdir && strlen(tmpdir) < 32 ? tmpdir : "/tmp");
	if (!mkdtemp(trees_base)) {
		fprintf(stderr, "mkdtemp %s: %s\n", trees_base, strerror(errno));
		return EXIT_FAILURE;
	}

	int status = check_run(naming_suite());

	remove_tree(trees_base);
	return status;
}

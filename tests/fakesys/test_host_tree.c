/* SPDX-License-Identifier: MIT */
/*
 * The tree built from a topology: attribute bytes, modes, sizes and link targets, checked
 * against the values observed on real sysfs (shared reference, sections 1 and 2).
 */
#include <check.h>

#include "check_run.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "host_tree.h"

/*
 * The reference VM's virtio-net at 00:03.0 and its host bridge, plus a root port at 00:1c.0
 * leading to bus 03 with a two-function NIC bound to vfio-pci in IOMMU group 37.
 */
static struct topo_sriov nic_sriov = {
	.total = 64,
	.num = 2,
	.offset = 0x80,
	.stride = 1,
	.vf_device = 0x154c,
	.vf_driver = TOPO_NONE,
	.drivers_autoprobe = true,
	.vf_bars = { { 0x38000810000ULL, 0x10000, BAR_MEM64, true } },
	.first_vf = 5,
};

static struct topo_function functions[] = {
	{ .present = true,
	  .addr = { 0, 0x00, 0x00, 0 },
	  .vendor = 0x8086,
	  .device = 0x0d57,
	  .subsys_vendor = 0x8086,
	  .subsys_device = 0x0d57,
	  .class_code = 0x060000,
	  .numa_node = -1,
	  .group = TOPO_NONE,
	  .driver = TOPO_NONE,
	  .parent = TOPO_NONE,
	  .physfn = TOPO_NONE,
	  .acpi_index = -1,
	  .smbios_index = -1 },
	{ .present = true,
	  .addr = { 0, 0x00, 0x03, 0 },
	  .vendor = 0x1af4,
	  .device = 0x1041,
	  .subsys_vendor = 0x1af4,
	  .subsys_device = 0x1041,
	  .class_code = 0x020000,
	  .revision = 0x01,
	  .numa_node = -1,
	  .group = TOPO_NONE,
	  .driver = 2,
	  .parent = TOPO_NONE,
	  .physfn = TOPO_NONE,
	  .acpi_index = -1,
	  .smbios_index = -1 },
	{ .present = true,
	  .addr = { 0, 0x00, 0x1c, 0 },
	  .vendor = 0x8086,
	  .device = 0xa110,
	  .class_code = 0x060400,
	  .numa_node = 0,
	  .group = 0,
	  .driver = 0,
	  .parent = TOPO_NONE,
	  .physfn = TOPO_NONE,
	  .acpi_index = -1,
	  .smbios_index = -1,
	  .pcie = { .present = true,
		    .port_type = PCIE_ROOT_PORT,
		    .max_speed = 3,
		    .max_width = 8,
		    .speed = 3,
		    .width = 4 },
	  .mem_window = { 0x90000000, 0x100000 },
	  .pref_window = { 0x38000000000ULL, 0x1000000 },
	  .is_bridge = true,
	  .secondary_bus = 3,
	  .subordinate_bus = 3 },
	{ .present = true,
	  .addr = { 0, 0x03, 0x00, 0 },
	  .vendor = 0x8086,
	  .device = 0x1572,
	  .subsys_vendor = 0x8086,
	  .subsys_device = 0x0006,
	  .class_code = 0x020000,
	  .revision = 0x02,
	  .irq = 16,
	  .numa_node = 1,
	  .group = 1,
	  .driver = 1,
	  .parent = 2,
	  .physfn = TOPO_NONE,
	  .acpi_index = 3,
	  .label = "Onboard LAN 1",
	  .pcie = { .present = true,
		    .port_type = PCIE_ENDPOINT,
		    .max_speed = 3,
		    .max_width = 8,
		    .speed = 3,
		    .width = 4 },
	  .bars = { { 0x38000000000ULL, 0x800000, BAR_MEM64, true },
		    { 0 },
		    { 0 },
		    { 0x38000800000ULL, 0x8000, BAR_MEM64, false } },
	  .rom = { 0x90000000, 0x80000, BAR_MEM32, false },
	  .sriov = &nic_sriov },
	{ .present = true,
	  .addr = { 0, 0x03, 0x00, 1 },
	  .vendor = 0x8086,
	  .device = 0x1572,
	  .subsys_vendor = 0x8086,
	  .subsys_device = 0x0006,
	  .class_code = 0x020000,
	  .revision = 0x02,
	  .numa_node = 1,
	  .group = 1,
	  .driver = TOPO_NONE,
	  .parent = 2,
	  .physfn = TOPO_NONE,
	  .acpi_index = -1,
	  .smbios_index = -1 },
	/* Two VFs of 03:00.0 (offset 0x80, stride 1): siblings of their PF, in no group. */
	{ .present = true,
	  .addr = { 0, 0x03, 0x10, 0 },
	  .vendor = 0x8086,
	  .device = 0x154c,
	  .subsys_vendor = 0x8086,
	  .subsys_device = 0x0006,
	  .class_code = 0x020000,
	  .numa_node = 1,
	  .group = TOPO_NONE,
	  .driver = TOPO_NONE,
	  .parent = 2,
	  .physfn = 3,
	  .vf_index = 0,
	  .acpi_index = -1,
	  .smbios_index = -1,
	  .pcie = { .present = true,
		    .port_type = PCIE_ENDPOINT,
		    .max_speed = 3,
		    .max_width = 8,
		    .speed = 3,
		    .width = 4 },
	  .bars = { { 0x38000810000ULL, 0x10000, BAR_MEM64, true } } },
	{ .present = true,
	  .addr = { 0, 0x03, 0x10, 1 },
	  .vendor = 0x8086,
	  .device = 0x154c,
	  .subsys_vendor = 0x8086,
	  .subsys_device = 0x0006,
	  .class_code = 0x020000,
	  .numa_node = 1,
	  .group = TOPO_NONE,
	  .driver = TOPO_NONE,
	  .parent = 2,
	  .physfn = 3,
	  .vf_index = 1,
	  .acpi_index = -1,
	  .smbios_index = -1,
	  .pcie = { .present = true,
		    .port_type = PCIE_ENDPOINT,
		    .max_speed = 3,
		    .max_width = 8,
		    .speed = 3,
		    .width = 4 },
	  .bars = { { 0x38000820000ULL, 0x10000, BAR_MEM64, true } } },
};
static struct topo_group groups[] = {
	{ .id = 20, .type = IOMMU_TYPE_DMA_FQ },
	{ .id = 37, .type = IOMMU_TYPE_DMA },
};
/* Sorted by name, as the topology keeps them. */
static struct topo_driver drivers[] = { { .name = "pcieport" },
					{ .name = "vfio-pci" },
					{ .name = "virtio-pci" } };
static struct topo_root_bus root_buses[] = { { 0, 0 } };

static struct topology topo = {
	.host = { .cpus = 8, .numa_nodes = 2, .vfio_cdev = true },
	.functions = functions,
	.n_functions = 7,
	.groups = groups,
	.n_groups = 2,
	.drivers = drivers,
	.n_drivers = 3,
	.root_buses = root_buses,
	.n_root_buses = 1,
};

static struct host_tree ht;

static void setup(void)
{
	ck_assert_int_eq(host_tree_build(&topo, &ht), 0);
}

static void teardown(void)
{
	host_tree_free(&ht);
}

static int walk(const char *path, struct sysfs_stat *st)
{
	return sysfs_lookup_path(ht.tree, path, st);
}

/* Reads a whole file as the given opener; returns its length or -errno. */
static ssize_t read_as(const char *path, bool privileged, char *buf, size_t size)
{
	struct sysfs_opener opener = { .privileged = privileged };
	struct sysfs_open_file *file;
	struct sysfs_stat st;
	int err = walk(path, &st);

	if (err)
		return err;
	if ((err = sysfs_open(ht.tree, st.ino, O_RDONLY, &opener, &file)) != 0)
		return err;
	ssize_t n = sysfs_read(file, buf, size, 0);
	sysfs_release(file);
	return n;
}

/* Writes text to a file in one write() as the given opener; returns what the store gave. */
static ssize_t write_as(const char *path, bool privileged, const char *text)
{
	struct sysfs_opener opener = { .privileged = privileged };
	struct sysfs_open_file *file;
	struct sysfs_stat st;
	int err = walk(path, &st);

	if (err)
		return err;
	if ((err = sysfs_open(ht.tree, st.ino, O_WRONLY, &opener, &file)) != 0)
		return err;
	ssize_t n = sysfs_write(file, text, strlen(text));
	sysfs_release(file);
	return n;
}

static void file_is(const char *path, const char *want)
{
	char buf[SYSFS_PAGE_SIZE + 1];
	ssize_t n = read_as(path, true, buf, SYSFS_PAGE_SIZE);

	ck_assert_msg(n >= 0, "%s: error %zd", path, n);
	buf[n] = '\0';
	ck_assert_msg(strcmp(buf, want) == 0, "%s: got \"%s\", want \"%s\"", path, buf, want);
}

static void link_is(const char *path, const char *want)
{
	struct sysfs_stat st;
	char buf[512];

	ck_assert_msg(walk(path, &st) == 0, "%s missing", path);
	ck_assert_int_eq(sysfs_readlink(ht.tree, st.ino, buf, sizeof(buf)), 0);
	ck_assert_msg(strcmp(buf, want) == 0, "%s -> %s, want %s", path, buf, want);
}

static void mode_is(const char *path, uint32_t mode, uint64_t size)
{
	struct sysfs_stat st;

	ck_assert_msg(walk(path, &st) == 0, "%s missing", path);
	ck_assert_msg(st.mode == mode, "%s: mode %o, want %o", path, st.mode, mode);
	ck_assert_msg(st.size == size, "%s: size %llu, want %llu", path,
		      (unsigned long long)st.size, (unsigned long long)size);
}

#define VIRTIO "sys/devices/pci0000:00/0000:00:03.0/"
#define PORT   "sys/devices/pci0000:00/0000:00:1c.0/"
#define NIC    PORT "0000:03:00.0/"

START_TEST(text_attributes_match_the_reference_bytes)
{
	file_is(VIRTIO "vendor", "0x1af4\n");
	file_is(VIRTIO "device", "0x1041\n");
	file_is(VIRTIO "subsystem_vendor", "0x1af4\n");
	file_is(VIRTIO "subsystem_device", "0x1041\n");
	file_is(VIRTIO "class", "0x020000\n");
	file_is(VIRTIO "revision", "0x01\n");
	file_is(VIRTIO "irq", "0\n");
	file_is(VIRTIO "numa_node", "-1\n");
	file_is(VIRTIO "modalias", "pci:v00001AF4d00001041sv00001AF4sd00001041bc02sc00i00\n");
	file_is(VIRTIO "uevent",
		"DRIVER=virtio-pci\nPCI_CLASS=20000\nPCI_ID=1AF4:1041\n"
		"PCI_SUBSYS_ID=1AF4:1041\nPCI_SLOT_NAME=0000:00:03.0\n"
		"MODALIAS=pci:v00001AF4d00001041sv00001AF4sd00001041bc02sc00i00\n");
	file_is(VIRTIO "driver_override", "(null)\n");
	file_is(VIRTIO "enable", "1\n");
	file_is(VIRTIO "power_state", "D0\n");
	file_is(VIRTIO "dma_mask_bits", "64\n");
	file_is(VIRTIO "power/control", "on\n");
	file_is(VIRTIO "power/runtime_status", "active\n");
	/* The host bridge has no driver: no DRIVER= line, and PCI_CLASS without leading zeros. */
	file_is("sys/devices/pci0000:00/0000:00:00.0/uevent",
		"PCI_CLASS=60000\nPCI_ID=8086:0D57\nPCI_SUBSYS_ID=8086:0D57\n"
		"PCI_SLOT_NAME=0000:00:00.0\n"
		"MODALIAS=pci:v00008086d00000D57sv00008086sd00000D57bc06sc00i00\n");
}
END_TEST

START_TEST(cpu_affinity_follows_the_numa_node)
{
	/* 8 CPUs: node -1 is all of them, node 1 the upper half. */
	file_is(VIRTIO "local_cpus", "ff\n");
	file_is(VIRTIO "local_cpulist", "0-7\n");
	file_is(NIC "local_cpus", "f0\n");
	file_is(NIC "local_cpulist", "4-7\n");
	file_is(PORT "local_cpulist", "0-3\n");
	file_is(PORT "pci_bus/0000:03/cpulistaffinity", "0-3\n");
	file_is("sys/devices/pci0000:00/pci_bus/0000:00/cpuaffinity", "ff\n");
}
END_TEST

START_TEST(resource_has_the_distribution_kernel_line_count)
{
	char buf[SYSFS_PAGE_SIZE];
	const char *zero_line = "0x0000000000000000 0x0000000000000000 0x0000000000000000\n";
	ssize_t n = read_as(VIRTIO "resource", true, buf, sizeof(buf));

	ck_assert_int_eq(n, 13 * (ssize_t)strlen(zero_line));
	ck_assert_mem_eq(buf, zero_line, strlen(zero_line));
	n = read_as(PORT "resource", true, buf, sizeof(buf));
	ck_assert_int_eq(n, 17 * (ssize_t)strlen(zero_line));
}
END_TEST

START_TEST(config_space_header_and_who_may_read_it)
{
	uint8_t cfg[SYSFS_PAGE_SIZE];
	ssize_t n = read_as(VIRTIO "config", true, (char *)cfg, sizeof(cfg));

	ck_assert_int_eq(n, 256);
	/* IDs, revision and class as the reference VM's dump shows them. */
	static const uint8_t ids[] = { 0xf4, 0x1a, 0x41, 0x10 };
	static const uint8_t rev_class[] = { 0x01, 0x00, 0x00, 0x02 };
	static const uint8_t subsys[] = { 0xf4, 0x1a, 0x41, 0x10 };
	ck_assert_mem_eq(cfg, ids, 4);
	ck_assert_mem_eq(cfg + 0x08, rev_class, 4);
	ck_assert_mem_eq(cfg + 0x2c, subsys, 4);
	ck_assert_uint_eq(cfg[0x0e], 0x00);

	ck_assert_int_eq(read_as(VIRTIO "config", false, (char *)cfg, sizeof(cfg)), 64);
	mode_is(VIRTIO "config", S_IFREG | 0644, 256);

	/* Type 1 header with the bus numbers the bridge attributes show. */
	/* PCI Express functions have the extended space. */
	ck_assert_int_eq(read_as(PORT "config", true, (char *)cfg, sizeof(cfg)), 4096);
	ck_assert_uint_eq(cfg[0x0e], 0x01);
	ck_assert_uint_eq(cfg[0x18], 0x00);
	ck_assert_uint_eq(cfg[0x19], 0x03);
	ck_assert_uint_eq(cfg[0x1a], 0x03);
	file_is(PORT "secondary_bus_number", "3\n");
	file_is(PORT "subordinate_bus_number", "3\n");

	/* 03:00.0 has a sibling function: multi-function bit; INTx pin A with its line. */
	ck_assert_int_eq(read_as(NIC "config", true, (char *)cfg, sizeof(cfg)), 4096);
	mode_is(NIC "config", S_IFREG | 0644, 4096);
	ck_assert_uint_eq(cfg[0x0e], 0x80);
	ck_assert_uint_eq(cfg[0x3c], 16);
	ck_assert_uint_eq(cfg[0x3d], 1);
	file_is(NIC "irq", "16\n");
}
END_TEST

START_TEST(modes_and_sizes_are_sysfs_ones)
{
	struct sysfs_stat st;

	mode_is(VIRTIO "vendor", S_IFREG | 0444, 4096);
	mode_is(VIRTIO "numa_node", S_IFREG | 0644, 4096);
	mode_is(VIRTIO "remove", S_IFREG | 0220, 4096);
	mode_is(VIRTIO "rescan", S_IFREG | 0200, 4096);
	mode_is(VIRTIO "subsystem", S_IFLNK | 0777, 0);
	mode_is("sys", S_IFDIR | 0555, 0);
	mode_is("sys/bus/pci/drivers_probe", S_IFREG | 0200, 4096);
	mode_is("sys/bus/pci/drivers/vfio-pci/bind", S_IFREG | 0200, 4096);
	mode_is("sys/kernel/iommu_groups/37/type", S_IFREG | 0644, 4096);
	/* Bridge-only attributes are absent elsewhere, and so is an unbound device's driver. */
	ck_assert_int_eq(walk(VIRTIO "secondary_bus_number", &st), -ENOENT);
	ck_assert_int_eq(walk(NIC "../", &st), -ENOENT);
	ck_assert_int_eq(walk("sys/devices/pci0000:00/0000:00:00.0/driver", &st), -ENOENT);
	ck_assert_int_eq(walk(PORT "0000:03:00.1/driver", &st), -ENOENT);
	/* Write-only and read-only files refuse the other direction, even to root. */
	ck_assert_int_eq(read_as(VIRTIO "remove", true, (char *)&st, sizeof(st)), -EACCES);
	struct sysfs_open_file *file;
	struct sysfs_opener root = { .privileged = true };
	ck_assert_int_eq(walk(VIRTIO "vendor", &st), 0);
	ck_assert_int_eq(sysfs_open(ht.tree, st.ino, O_WRONLY, &root, &file), -EACCES);
	ck_assert_int_eq(walk(VIRTIO "numa_node", &st), 0);
	ck_assert_int_eq(sysfs_open(ht.tree, st.ino, O_WRONLY, &root, &file), 0);
	sysfs_release(file);
	/* power/autosuspend_delay_ms exists but the read fails. */
	char buf[16];
	ck_assert_int_eq(read_as(VIRTIO "power/autosuspend_delay_ms", true, buf, sizeof(buf)),
			 -EIO);
}
END_TEST

START_TEST(links_resolve_where_the_kernel_points_them)
{
	link_is("sys/bus/pci/devices/0000:00:03.0", "../../../devices/pci0000:00/0000:00:03.0");
	link_is("sys/bus/pci/devices/0000:03:00.0",
		"../../../devices/pci0000:00/0000:00:1c.0/0000:03:00.0");
	link_is(VIRTIO "subsystem", "../../../bus/pci");
	link_is(VIRTIO "driver", "../../../bus/pci/drivers/virtio-pci");
	link_is(NIC "subsystem", "../../../../bus/pci");
	link_is(NIC "driver", "../../../../bus/pci/drivers/vfio-pci");
	link_is(NIC "iommu_group", "../../../../kernel/iommu_groups/37");
	link_is(PORT "iommu_group", "../../../kernel/iommu_groups/20");
	link_is("sys/bus/pci/drivers/virtio-pci/0000:00:03.0",
		"../../../../devices/pci0000:00/0000:00:03.0");
	link_is("sys/kernel/iommu_groups/37/devices/0000:03:00.1",
		"../../../../devices/pci0000:00/0000:00:1c.0/0000:03:00.1");
	link_is("sys/class/pci_bus/0000:00", "../../devices/pci0000:00/pci_bus/0000:00");
	link_is("sys/devices/pci0000:00/pci_bus/0000:00/device", "../../../pci0000:00");
	link_is(PORT "pci_bus/0000:03/device", "../../../0000:00:1c.0");
}
END_TEST

START_TEST(iommu_groups_and_vfio_nodes)
{
	struct sysfs_stat st;

	file_is("sys/kernel/iommu_groups/37/type", "DMA\n");
	file_is("sys/kernel/iommu_groups/20/type", "DMA-FQ\n");
	file_is("sys/kernel/iommu_groups/37/reserved_regions",
		"0x00000000fee00000 0x00000000feefffff msi\n");
	/* vfio-pci keeps an unopened device suspended. */
	file_is(NIC "power_state", "D3hot\n");
	file_is(NIC "enable", "0\n");

	ck_assert_int_eq(walk("dev/vfio/vfio", &st), 0);
	ck_assert_uint_eq(st.mode, S_IFCHR | 0666);
	ck_assert_uint_eq(st.rdev_major, 10);
	ck_assert_uint_eq(st.rdev_minor, 196);
	ck_assert_int_eq(walk("dev/vfio/37", &st), 0);
	ck_assert_uint_eq(st.mode, S_IFCHR | 0600);
	ck_assert_uint_eq(st.rdev_major, VFIO_GROUP_MAJOR);
	/* Group 20 holds only a pcieport-bound bridge: no VFIO node. */
	ck_assert_int_eq(walk("dev/vfio/20", &st), -ENOENT);

	file_is("sys/bus/pci/drivers_autoprobe", "1\n");
	file_is("sys/bus/pci/resource_alignment", "");
}
END_TEST

START_TEST(bus_device_listing_is_complete)
{
	struct sysfs_stat st;
	const char *name;
	uint64_t cookie = 0;
	bool listed[7] = { false };
	size_t n = 0;

	ck_assert_int_eq(walk("sys/bus/pci/devices", &st), 0);
	sysfs_ino_t dir = st.ino;
	while (sysfs_readdir(ht.tree, dir, &cookie, &name, &st) == 0) {
		struct pci_addr addr;

		ck_assert(pci_addr_parse(name, &addr));
		int32_t index = topology_find_function(&topo, &addr);
		ck_assert_int_ge(index, 0);
		ck_assert(!listed[index]);
		listed[index] = true;
		ck_assert_uint_eq(st.mode, S_IFLNK | 0777);
		n++;
	}
	ck_assert_uint_eq(n, topo.n_functions);
	ck_assert_int_eq(walk("sys/kernel/iommu_groups/37/devices/0000:03:00.0", &st), 0);
	ck_assert_int_eq(walk("sys/kernel/iommu_groups/37/devices/0000:00:03.0", &st), -ENOENT);
}
END_TEST

START_TEST(vfio_nodes_have_their_class_devices)
{
	struct sysfs_stat st;

	/* How Kata maps a device number back to a host path: sys/dev/char/<maj>:<min>/uevent. */
	link_is("sys/dev/char/242:0", "../../devices/virtual/vfio/37");
	file_is("sys/devices/virtual/vfio/37/uevent", "MAJOR=242\nMINOR=0\nDEVNAME=vfio/37\n");
	file_is("sys/devices/virtual/vfio/37/dev", "242:0\n");
	link_is("sys/devices/virtual/vfio/37/subsystem", "../../../../class/vfio");
	link_is("sys/class/vfio/37", "../../devices/virtual/vfio/37");
	file_is("sys/devices/virtual/misc/vfio/uevent",
		"MAJOR=10\nMINOR=196\nDEVNAME=vfio/vfio\nDEVMODE=0666\n");
	link_is("sys/dev/char/10:196", "../../devices/virtual/misc/vfio");
	file_is("sys/devices/virtual/vfio/37/power/runtime_status", "unsupported\n");

	/* iommufd: one node per device bound to vfio-pci, found from the function. */
	link_is(NIC "vfio-dev/vfio0/device", "../../../0000:03:00.0");
	link_is("sys/class/vfio-dev/vfio0",
		"../../devices/pci0000:00/0000:00:1c.0/0000:03:00.0/vfio-dev/vfio0");
	file_is(NIC "vfio-dev/vfio0/uevent", "MAJOR=241\nMINOR=0\nDEVNAME=vfio/devices/vfio0\n");
	link_is("sys/dev/char/241:0", "../../devices/pci0000:00/0000:00:1c.0/0000:03:00.0/"
				      "vfio-dev/vfio0");
	ck_assert_int_eq(walk("dev/vfio/devices/vfio0", &st), 0);
	ck_assert_uint_eq(st.mode, S_IFCHR | 0600);
	ck_assert_uint_eq(st.rdev_major, VFIO_CDEV_MAJOR);
	ck_assert_int_eq(walk("dev/vfio/devices/vfio1", &st), -ENOENT);
	ck_assert_int_eq(walk(PORT "0000:03:00.1/vfio-dev", &st), -ENOENT);
	ck_assert_int_eq(walk("dev/iommu", &st), 0);
	ck_assert_uint_eq(st.mode, S_IFCHR | 0660);
}
END_TEST

START_TEST(grouped_functions_link_their_iommu)
{
	struct sysfs_stat st;

	link_is(NIC "iommu", "../../../virtual/iommu/dmar0");
	link_is(PORT "iommu", "../../virtual/iommu/dmar0");
	link_is("sys/class/iommu/dmar0", "../../devices/virtual/iommu/dmar0");
	link_is("sys/devices/virtual/iommu/dmar0/devices/0000:03:00.1",
		"../../../../pci0000:00/0000:00:1c.0/0000:03:00.1");
	/* No group, no IOMMU. */
	ck_assert_int_eq(walk(VIRTIO "iommu", &st), -ENOENT);
	ck_assert_int_eq(walk("sys/kernel/iommu_groups/37/name", &st), -ENOENT);
}
END_TEST

/* The same host with group 37 behind no IOMMU: vfio-noiommu. */
START_TEST(noiommu_groups_are_named_and_have_noiommu_nodes)
{
	struct topo_group noiommu_groups[2] = { groups[0], groups[1] };
	struct topology variant = topo;
	struct host_tree other;
	struct host_tree saved = ht;
	struct sysfs_stat st;

	noiommu_groups[1].noiommu = true;
	variant.groups = noiommu_groups;
	ck_assert_int_eq(host_tree_build(&variant, &other), 0);
	ht = other;
	file_is("sys/kernel/iommu_groups/37/name", "vfio-noiommu\n");
	file_is("sys/kernel/iommu_groups/37/type", "unknown\n");
	file_is("sys/kernel/iommu_groups/37/reserved_regions", "");
	ck_assert_int_eq(walk("dev/vfio/noiommu-37", &st), 0);
	ck_assert_int_eq(walk("dev/vfio/37", &st), -ENOENT);
	file_is("sys/devices/virtual/vfio/noiommu-37/uevent",
		"MAJOR=242\nMINOR=0\nDEVNAME=vfio/noiommu-37\n");
	ck_assert_int_eq(walk(NIC "iommu", &st), -ENOENT);
	link_is(NIC "iommu_group", "../../../../kernel/iommu_groups/37");
	link_is(PORT "iommu", "../../virtual/iommu/dmar0");
	host_tree_free(&other);
	ht = saved;
}
END_TEST

/* Regions given by the scenario replace the default, one line each. */
START_TEST(reserved_regions_come_from_the_model)
{
	struct topo_region regions[] = {
		{ 0x00000000000a0000ULL, 0x00000000000fffffULL, "direct-relaxable" },
		{ 0x00000000fee00000ULL, 0x00000000feefffffULL, "msi" },
	};
	struct topo_group with_regions[2] = { groups[0], groups[1] };
	struct topology variant = topo;
	struct host_tree other, saved = ht;

	with_regions[1].regions = regions;
	with_regions[1].n_regions = 2;
	variant.groups = with_regions;
	ck_assert_int_eq(host_tree_build(&variant, &other), 0);
	ht = other;
	file_is("sys/kernel/iommu_groups/37/reserved_regions",
		"0x00000000000a0000 0x00000000000fffff direct-relaxable\n"
		"0x00000000fee00000 0x00000000feefffff msi\n");
	host_tree_free(&other);
	ht = saved;
}
END_TEST

START_TEST(pcie_link_and_aer_files)
{
	struct sysfs_stat st;

	file_is(NIC "current_link_speed", "8.0 GT/s PCIe\n");
	file_is(NIC "max_link_speed", "8.0 GT/s PCIe\n");
	file_is(NIC "current_link_width", "4\n");
	file_is(NIC "max_link_width", "8\n");
	file_is(NIC "aer_dev_correctable", "RxErr 0\nBadTLP 0\nBadDLLP 0\nRollover 0\nTimeout 0\n"
					   "NonFatalErr 0\nCorrIntErr 0\nHeaderOF 0\n"
					   "TOTAL_ERR_COR 0\n");
	ck_assert_int_eq(walk(NIC "aer_rootport_total_err_cor", &st), -ENOENT);
	file_is(PORT "aer_rootport_total_err_cor", "0\n");
	file_is(NIC "link/l1_aspm", "0\n");
	ck_assert_int_eq(walk(PORT "link/l1_aspm", &st), -ENOENT);
	/* Conventional PCI: an empty link/, and none of the rest. */
	ck_assert_int_eq(walk(VIRTIO "link", &st), 0);
	ck_assert_int_eq(walk(VIRTIO "link/clkpm", &st), -ENOENT);
	ck_assert_int_eq(walk(VIRTIO "current_link_speed", &st), -ENOENT);
	ck_assert_int_eq(walk(VIRTIO "aer_dev_fatal", &st), -ENOENT);
}
END_TEST

START_TEST(resources_follow_the_bars)
{
	char buf[SYSFS_PAGE_SIZE + 1];
	struct sysfs_stat st;
	ssize_t n = read_as(NIC "resource", true, buf, SYSFS_PAGE_SIZE);

	ck_assert_int_gt(n, 0);
	buf[n] = '\0';
	/* BAR 0: 64-bit prefetchable; BAR 3: 64-bit; the ROM; IOV BAR 0 spans all 64 VFs. */
	ck_assert_msg(
		strncmp(buf, "0x0000038000000000 0x00000380007fffff 0x000000000014220c\n", 57) == 0,
		"%s", buf);
	ck_assert_ptr_nonnull(
		strstr(buf, "0x0000038000800000 0x0000038000807fff 0x0000000000140204\n"));
	ck_assert_ptr_nonnull(
		strstr(buf, "0x0000000090000000 0x000000009007ffff 0x0000000000046200\n"));
	ck_assert_ptr_nonnull(
		strstr(buf, "0x0000038000810000 0x0000038000c0ffff 0x000000000014220c\n"));
	mode_is(NIC "resource0", S_IFREG | 0600, 0x800000);
	mode_is(NIC "resource0_wc", S_IFREG | 0600, 0x800000);
	mode_is(NIC "resource3", S_IFREG | 0600, 0x8000);
	ck_assert_int_eq(walk(NIC "resource3_wc", &st), -ENOENT);
	ck_assert_int_eq(walk(NIC "resource1", &st), -ENOENT);
	ck_assert_int_eq(read_as(NIC "resource0", true, buf, sizeof(buf)), -EIO);
	mode_is(NIC "rom", S_IFREG | 0600, 0x80000);
	ck_assert_int_eq(read_as(NIC "rom", true, buf, sizeof(buf)), -EINVAL);
	/* The bridge's windows close its 17 lines. */
	n = read_as(PORT "resource", true, buf, SYSFS_PAGE_SIZE);
	buf[n] = '\0';
	ck_assert_ptr_nonnull(
		strstr(buf, "0x0000000090000000 0x00000000900fffff 0x0000000000000200\n"));
	ck_assert_ptr_nonnull(
		strstr(buf, "0x0000038000000000 0x0000038000ffffff 0x0000000000102201\n"));
}
END_TEST

START_TEST(firmware_names_and_reset)
{
	struct sysfs_stat st;

	file_is(NIC "label", "Onboard LAN 1\n");
	file_is(NIC "acpi_index", "3\n");
	ck_assert_int_eq(walk(VIRTIO "label", &st), -ENOENT);
	ck_assert_int_eq(walk(VIRTIO "acpi_index", &st), -ENOENT);
	ck_assert_int_eq(walk(VIRTIO "index", &st), -ENOENT);
	/* An SMBIOS instance shows as index, unless an ACPI name (acpi_index) hides it. */
	ck_assert_int_eq(walk(NIC "index", &st), -ENOENT);
	/* A bus reset too: the boot's scan probed 03:00.0 before 03:00.1 and the VFs joined. */
	file_is(NIC "reset_method", "flr bus\n");
	mode_is(NIC "reset", S_IFREG | 0200, 4096);
	ck_assert_int_eq(walk(VIRTIO "reset_method", &st), -ENOENT);
	ck_assert_int_eq(walk(NIC "boot_vga", &st), -ENOENT);
}
END_TEST

/*
 * The kernel probes a function's reset methods before it puts the function on its bus, and at
 * boot it scans a bus in address order, VFs coming only later: of a two-function card behind a
 * bridge, function 0 is alone when probed and function 1 is not. A rescan finds a function
 * again after all that is present.
 */
START_TEST(boot_probes_a_bus_reset_in_scan_order)
{
	struct topo_function both_express[7];
	struct topo_sriov sriov = nic_sriov;
	struct topology variant = topo;
	struct host_tree saved = ht;

	memcpy(both_express, functions, sizeof(both_express));
	both_express[3].sriov = &sriov;
	both_express[4].pcie = functions[3].pcie; /* FLR, so that 03:00.1 has a list to show */
	variant.functions = both_express;
	ck_assert_int_eq(host_tree_build(&variant, &ht), 0);

	file_is(NIC "reset_method", "flr bus\n");
	file_is(PORT "0000:03:00.1/reset_method", "flr\n");
	/* 03:00.1 and the VFs share the bus now: the probed bus reset no longer works. */
	ck_assert_int_eq(write_as(NIC "reset_method", true, "bus"), -EINVAL);

	ck_assert_int_eq(write_as(NIC "remove", true, "1"), 1);
	ck_assert_int_eq(write_as("sys/bus/pci/rescan", true, "1"), 1);
	file_is(NIC "reset_method", "flr\n");
	file_is(PORT "0000:03:00.1/reset_method", "flr\n");
	host_tree_free(&ht);
	ht = saved;
}
END_TEST

START_TEST(sriov_files_and_links)
{
	struct sysfs_stat st;

	file_is(NIC "sriov_totalvfs", "64\n");
	file_is(NIC "sriov_numvfs", "2\n");
	file_is(NIC "sriov_offset", "128\n");
	file_is(NIC "sriov_stride", "1\n");
	file_is(NIC "sriov_vf_device", "154c\n");
	file_is(NIC "sriov_drivers_autoprobe", "1\n");
	mode_is(NIC "sriov_numvfs", S_IFREG | 0644, 4096);
	link_is(NIC "virtfn0", "../0000:03:10.0");
	link_is(NIC "virtfn1", "../0000:03:10.1");
	link_is(PORT "0000:03:10.1/physfn", "../0000:03:00.0");
	file_is(PORT "0000:03:10.0/device", "0x154c\n");
	file_is(PORT "0000:03:10.0/vendor", "0x8086\n");
	mode_is(PORT "0000:03:10.0/sriov_vf_msix_count", S_IFREG | 0200, 4096);
	/* VFs: no hot-plug files, no PF files, no AER. */
	ck_assert_int_eq(walk(PORT "0000:03:10.0/remove", &st), -ENOENT);
	ck_assert_int_eq(walk(PORT "0000:03:10.0/rescan", &st), -ENOENT);
	ck_assert_int_eq(walk(PORT "0000:03:10.0/sriov_numvfs", &st), -ENOENT);
	ck_assert_int_eq(walk(PORT "0000:03:10.0/aer_dev_fatal", &st), -ENOENT);
	ck_assert_int_eq(walk(NIC "sriov_vf_msix_count", &st), -ENOENT);
	ck_assert_int_eq(walk(PORT "0000:03:00.1/sriov_totalvfs", &st), -ENOENT);
}
END_TEST

/* An mdev parent: the virtio function offering two types, one instance created in group 12. */
START_TEST(mediated_devices)
{
	static const char uuid[] = "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001";
	struct topo_mdev_type types[] = {
		{ "i915-GVTg_V5_4", "GVTg_V5_4", "low_gm_size: 128MB", "vfio-pci", 2 },
		{ "i915-GVTg_V5_8", NULL, NULL, "vfio-pci", 4 },
	};
	struct topo_function with_parent[7];
	struct topo_group with_mdev_group[3] = { groups[0], groups[1], { .id = 12 } };
	struct topo_mdev mdevs[1] = { { .parent = 1, .type = 0, .group = 2 } };
	struct topology variant = topo;
	struct host_tree other, saved = ht;
	struct sysfs_stat st;

	memcpy(with_parent, functions, sizeof(with_parent));
	with_parent[1].mdev_types = types;
	with_parent[1].n_mdev_types = 2;
	memcpy(mdevs[0].uuid, uuid, sizeof(uuid));
	variant.functions = with_parent;
	variant.groups = with_mdev_group;
	variant.n_groups = 3;
	variant.mdevs = mdevs;
	variant.n_mdevs = 1;
	ck_assert_int_eq(host_tree_build(&variant, &other), 0);
	ht = other;

	file_is(VIRTIO "mdev_supported_types/i915-GVTg_V5_4/available_instances", "1\n");
	file_is(VIRTIO "mdev_supported_types/i915-GVTg_V5_4/device_api", "vfio-pci\n");
	file_is(VIRTIO "mdev_supported_types/i915-GVTg_V5_4/name", "GVTg_V5_4\n");
	file_is(VIRTIO "mdev_supported_types/i915-GVTg_V5_8/available_instances", "4\n");
	ck_assert_int_eq(walk(VIRTIO "mdev_supported_types/i915-GVTg_V5_8/name", &st), -ENOENT);
	mode_is(VIRTIO "mdev_supported_types/i915-GVTg_V5_4/create", S_IFREG | 0200, 4096);
	link_is(VIRTIO "mdev_supported_types/i915-GVTg_V5_4/devices/"
		       "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001",
		"../../../83b8f4f2-509f-382f-3c1e-e6bfe0fa1001");

#define MDEV VIRTIO "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001/"
	link_is(MDEV "mdev_type", "../mdev_supported_types/i915-GVTg_V5_4");
	link_is(MDEV "iommu_group", "../../../../kernel/iommu_groups/12");
	link_is(MDEV "driver", "../../../../bus/mdev/drivers/vfio_mdev");
	link_is(MDEV "subsystem", "../../../../bus/mdev");
	file_is(MDEV "uevent", "DRIVER=vfio_mdev\nMDEV_TYPE=i915-GVTg_V5_4\n");
	mode_is(MDEV "remove", S_IFREG | 0200, 4096);
#undef MDEV
	link_is("sys/bus/mdev/devices/83b8f4f2-509f-382f-3c1e-e6bfe0fa1001",
		"../../../devices/pci0000:00/0000:00:03.0/83b8f4f2-509f-382f-3c1e-e6bfe0fa1001");
	link_is("sys/kernel/iommu_groups/12/devices/83b8f4f2-509f-382f-3c1e-e6bfe0fa1001",
		"../../../../devices/pci0000:00/0000:00:03.0/83b8f4f2-509f-382f-3c1e-e6bfe0fa1001");
	link_is("sys/class/mdev_bus/0000:00:03.0", "../../devices/pci0000:00/0000:00:03.0");
	/* Emulated IOMMU: no domain, no reserved regions; bound to vfio_mdev, so a VFIO node. */
	file_is("sys/kernel/iommu_groups/12/type", "unknown\n");
	file_is("sys/kernel/iommu_groups/12/reserved_regions", "");
	ck_assert_int_eq(walk("dev/vfio/12", &st), 0);
	file_is("sys/kernel/iommu_groups/37/type", "DMA\n");
	host_tree_free(&other);
	ht = saved;
}
END_TEST

/* pcieport turned MSI on for the root port: one vector, which irq then reports. */
START_TEST(msi_vectors_are_listed_by_irq_number)
{
	struct sysfs_stat st;

	file_is(PORT "msi_irqs/24", "msi\n");
	file_is(PORT "irq", "24\n");
	mode_is(PORT "msi_irqs/24", S_IFREG | 0444, 4096);
	/* vfio-pci and conventional devices without MSI have no msi_irqs. */
	ck_assert_int_eq(walk(NIC "msi_irqs", &st), -ENOENT);
	ck_assert_int_eq(walk(VIRTIO "msi_irqs", &st), -ENOENT);
	file_is(NIC "irq", "16\n");
}
END_TEST

/*
 * What CAP_SYS_ADMIN guards: the mount's permission check already keeps other users out of
 * 0644 files, so only here, with an unprivileged opener, can the stores' own checks be seen.
 */
START_TEST(stores_check_the_capability_where_the_kernel_does)
{
	ck_assert_int_eq(write_as(VIRTIO "numa_node", false, "0"), -EPERM);
	ck_assert_int_eq(write_as(VIRTIO "enable", false, "1"), -EPERM);
	/* msi_bus looks at the capability before the parse (v5.16 on): even junk is EPERM. */
	ck_assert_int_eq(write_as(VIRTIO "msi_bus", false, "x"), -EPERM);
	ck_assert_int_eq(write_as(VIRTIO "msi_bus", false, "0"), -EPERM);
	file_is(VIRTIO "msi_bus", "1\n");
	ck_assert_int_eq(write_as(VIRTIO "msi_bus", true, "x"), -EINVAL);
	ck_assert_int_eq(write_as(VIRTIO "msi_bus", true, "0\n"), 2);
	file_is(VIRTIO "msi_bus", "0\n");
	/* Flags anyone with write access may set. */
	ck_assert_int_eq(write_as(VIRTIO "broken_parity_status", false, "0x1"), 3);
	file_is(VIRTIO "broken_parity_status", "1\n");
	ck_assert_int_eq(write_as("sys/kernel/iommu_groups/37/type", false, "DMA"), -EACCES);
}
END_TEST

/* Every driver's module: a loadable one with what kernel/module gives it, a built-in one bare. */
START_TEST(drivers_link_their_modules)
{
	struct sysfs_stat st;

	link_is("sys/bus/pci/drivers/vfio-pci/module", "../../../../module/vfio_pci");
	link_is("sys/module/vfio_pci/drivers/pci:vfio-pci", "../../../bus/pci/drivers/vfio-pci");
	link_is("sys/bus/pci/drivers/virtio-pci/module", "../../../../module/virtio_pci");
	link_is("sys/module/virtio_pci/drivers/pci:virtio-pci",
		"../../../bus/pci/drivers/virtio-pci");
	/* The port driver is built in, as pcieportdrv (its composite object's name). */
	link_is("sys/bus/pci/drivers/pcieport/module", "../../../../module/pcieportdrv");
	link_is("sys/module/pcieportdrv/drivers/pci:pcieport", "../../../bus/pci/drivers/pcieport");

	const char *name;
	uint64_t cookie = 0;
	size_t n = 0;
	ck_assert_int_eq(walk("sys/module", &st), 0);
	ck_assert_uint_eq(st.mode, S_IFDIR | 0755);
	sysfs_ino_t dir = st.ino;
	while (sysfs_readdir(ht.tree, dir, &cookie, &name, &st) == 0) {
		ck_assert_msg(strcmp(name, "vfio_pci") == 0 || strcmp(name, "virtio_pci") == 0 ||
				      strcmp(name, "pcieportdrv") == 0,
			      "sys/module/%s", name);
		ck_assert_uint_eq(st.mode, S_IFDIR | 0755);
		n++;
	}
	ck_assert_uint_eq(n, 3);

	char modname[MODULE_NAME_LEN];
	static const char *const names[][2] = {
		{ "xhci_hcd", "xhci_pci" },    { "i801_smbus", "i2c_i801" },
		{ "mlx5_core", "mlx5_core" },  { "snd_hda_intel", "snd_hda_intel" },
		{ "ehci-pci", "ehci_pci" },    { "nvidia", "nvidia" },
		{ "pcieport", "pcieportdrv" },
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		module_name_of_driver(names[i][0], modname);
		ck_assert_str_eq(modname, names[i][1]);
	}
}
END_TEST

#define VFIO_MOD "sys/module/vfio_pci/"

START_TEST(loadable_module_files)
{
	char buf[64];
	struct sysfs_stat st;

	file_is(VFIO_MOD "initstate", "live\n");
	file_is(VFIO_MOD "refcnt", "0\n");
	file_is(VFIO_MOD "coresize", "16384\n");
	file_is(VFIO_MOD "initsize", "0\n");
	file_is(VFIO_MOD "taint", "\n");
	file_is("sys/module/virtio_pci/taint", "\n");
	mode_is(VFIO_MOD "initstate", S_IFREG | 0444, 4096);
	mode_is(VFIO_MOD "uevent", S_IFREG | 0200, 4096);
	mode_is(VFIO_MOD "holders", S_IFDIR | 0755, 0);
	mode_is(VFIO_MOD "drivers", S_IFDIR | 0755, 0);

	ssize_t n = read_as(VFIO_MOD "srcversion", true, buf, sizeof(buf));
	ck_assert_int_eq(n, 25);
	ck_assert_uint_eq(strspn(buf, "0123456789ABCDEF"), 24);
	ck_assert_int_eq(buf[24], '\n');

	/* uevent synthesizes an event: an action word, or EINVAL; never readable. */
	ck_assert_int_eq(read_as(VFIO_MOD "uevent", true, buf, sizeof(buf)), -EACCES);
	ck_assert_int_eq(write_as(VFIO_MOD "uevent", true, "change\n"), 7);
	ck_assert_int_eq(
		write_as(VFIO_MOD "uevent", true, "add 2b5f2f55-4b1a-4f2e-9d6c-0123456789ab A=1"),
		44);
	ck_assert_int_eq(write_as(VFIO_MOD "uevent", true, "add not-a-uuid"), -EINVAL);
	ck_assert_int_eq(write_as(VFIO_MOD "uevent", true, "chan"), -EINVAL);
	ck_assert_int_eq(write_as(VFIO_MOD "uevent", true, "\n"), -EINVAL);

	/* sections/: root-only addresses, zeros for whoever may not see kernel addresses. */
	mode_is(VFIO_MOD "sections/.text", S_IFREG | 0400, 19);
	n = read_as(VFIO_MOD "sections/.text", true, buf, sizeof(buf));
	ck_assert_int_eq(n, 19);
	ck_assert_mem_eq(buf, "0xffffffffc", 11);
	ck_assert_int_eq(buf[18], '\n');
	n = read_as(VFIO_MOD "sections/.text", false, buf, sizeof(buf));
	ck_assert_int_eq(n, 19);
	ck_assert_mem_eq(buf, "0x0000000000000000\n", 19);
	/* Modules do not overlap: virtio_pci's text is elsewhere. */
	char other[64];
	ck_assert_int_eq(
		read_as("sys/module/virtio_pci/sections/.text", true, other, sizeof(other)), 19);
	read_as(VFIO_MOD "sections/.text", true, buf, sizeof(buf));
	ck_assert(memcmp(buf, other, 19) != 0);

	/* notes/: the GNU build ID note, 36 bytes. */
	mode_is(VFIO_MOD "notes/.note.gnu.build-id", S_IFREG | 0444, 36);
	n = read_as(VFIO_MOD "notes/.note.gnu.build-id", false, buf, sizeof(buf));
	ck_assert_int_eq(n, 36);
	static const uint8_t header[] = { 4, 0, 0, 0, 20, 0, 0, 0, 3, 0, 0, 0, 'G', 'N', 'U', 0 };
	ck_assert_mem_eq(buf, header, sizeof(header));
	/* version only where the module has a MODULE_VERSION. */
	ck_assert_int_eq(walk(VFIO_MOD "version", &st), -ENOENT);
	file_is("sys/module/virtio_pci/version", "1\n");
	mode_is("sys/module/virtio_pci/version", S_IFREG | 0444, 4096);
}
END_TEST

START_TEST(builtin_module_has_no_load_state)
{
	struct sysfs_stat st;
	static const char *const absent[] = { "initstate", "refcnt",	 "coresize", "initsize",
					      "taint",	   "srcversion", "holders",  "sections",
					      "notes",	   "parameters", "version" };

	mode_is("sys/module/pcieportdrv/uevent", S_IFREG | 0200, 4096);
	for (size_t i = 0; i < sizeof(absent) / sizeof(absent[0]); i++) {
		char path[128];

		snprintf(path, sizeof(path), "sys/module/pcieportdrv/%s", absent[i]);
		ck_assert_msg(walk(path, &st) == -ENOENT, "%s exists", path);
	}
}
END_TEST

START_TEST(vfio_pci_parameters)
{
	struct sysfs_stat st;

	mode_is(VFIO_MOD "parameters/nointxmask", S_IFREG | 0644, 4096);
	mode_is(VFIO_MOD "parameters/disable_vga", S_IFREG | 0444, 4096);
	mode_is(VFIO_MOD "parameters/disable_idle_d3", S_IFREG | 0644, 4096);
	mode_is(VFIO_MOD "parameters/enable_sriov", S_IFREG | 0644, 4096);
	mode_is(VFIO_MOD "parameters/disable_denylist", S_IFREG | 0444, 4096);
	/* ids is registered with permission 0: no file. */
	ck_assert_int_eq(walk(VFIO_MOD "parameters/ids", &st), -ENOENT);
	ck_assert_int_eq(walk("sys/module/virtio_pci/parameters", &st), -ENOENT);
	file_is(VFIO_MOD "parameters/disable_idle_d3", "N\n");
	file_is(VFIO_MOD "parameters/disable_denylist", "N\n");

	/* kstrtobool decides; read-only ones refuse the open even to root. */
	ck_assert_int_eq(write_as(VFIO_MOD "parameters/disable_idle_d3", true, "Y\n"), 2);
	file_is(VFIO_MOD "parameters/disable_idle_d3", "Y\n");
	ck_assert_int_eq(write_as(VFIO_MOD "parameters/enable_sriov", true, "on"), 2);
	file_is(VFIO_MOD "parameters/enable_sriov", "Y\n");
	ck_assert_int_eq(write_as(VFIO_MOD "parameters/enable_sriov", true, "x"), -EINVAL);
	file_is(VFIO_MOD "parameters/enable_sriov", "Y\n");
	ck_assert_int_eq(write_as(VFIO_MOD "parameters/disable_denylist", true, "1"), -EACCES);
	file_is(VFIO_MOD "parameters/nointxmask", "N\n");

	/* What was written stays across a rebuild of the tree. */
	ck_assert_int_eq(host_tree_refresh(&ht), 0);
	file_is(VFIO_MOD "parameters/disable_idle_d3", "Y\n");
	link_is("sys/bus/pci/drivers/vfio-pci/module", "../../../../module/vfio_pci");
}
END_TEST

int main(void)
{
	Suite *suite = suite_create("host_tree");
	TCase *tc = tcase_create("attributes");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, text_attributes_match_the_reference_bytes);
	tcase_add_test(tc, cpu_affinity_follows_the_numa_node);
	tcase_add_test(tc, resource_has_the_distribution_kernel_line_count);
	tcase_add_test(tc, config_space_header_and_who_may_read_it);
	tcase_add_test(tc, modes_and_sizes_are_sysfs_ones);
	tcase_add_test(tc, links_resolve_where_the_kernel_points_them);
	tcase_add_test(tc, iommu_groups_and_vfio_nodes);
	tcase_add_test(tc, bus_device_listing_is_complete);
	tcase_add_test(tc, vfio_nodes_have_their_class_devices);
	tcase_add_test(tc, grouped_functions_link_their_iommu);
	tcase_add_test(tc, noiommu_groups_are_named_and_have_noiommu_nodes);
	tcase_add_test(tc, reserved_regions_come_from_the_model);
	tcase_add_test(tc, pcie_link_and_aer_files);
	tcase_add_test(tc, resources_follow_the_bars);
	tcase_add_test(tc, firmware_names_and_reset);
	tcase_add_test(tc, boot_probes_a_bus_reset_in_scan_order);
	tcase_add_test(tc, sriov_files_and_links);
	tcase_add_test(tc, mediated_devices);
	tcase_add_test(tc, msi_vectors_are_listed_by_irq_number);
	tcase_add_test(tc, stores_check_the_capability_where_the_kernel_does);
	tcase_add_test(tc, drivers_link_their_modules);
	tcase_add_test(tc, loadable_module_files);
	tcase_add_test(tc, builtin_module_has_no_load_state);
	tcase_add_test(tc, vfio_pci_parameters);
	suite_add_tcase(suite, tc);
	return check_run(suite);
}

/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the scenario loader and the model helpers: PCI addresses, class names, IOMMU
 * group types, the shipped scenarios, defaults, and the malformed corpus in tests/bad.
 */
#include "pci_class.h"
#include "host_tree.h"
#include "scenario.h"
#include "topology.h"

#include <check.h>

#include "check_run.h"
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ERROR_PREFIX "# error: "

/* ---- helpers --------------------------------------------------------------------------- */

static const char *source_dir(void)
{
	const char *dir = getenv("FAKESYS_SOURCE_DIR");

	ck_assert_msg(dir && *dir, "FAKESYS_SOURCE_DIR must point at the source tree");
	return dir;
}

static char *join_path(const char *dir, const char *name)
{
	size_t len = strlen(dir) + strlen(name) + 2;
	char *path = malloc(len);

	ck_assert_ptr_nonnull(path);
	snprintf(path, len, "%s/%s", dir, name);
	return path;
}

static bool is_zeroed(const struct scenario *sc)
{
	static const struct scenario zero;

	return memcmp(sc, &zero, sizeof(zero)) == 0;
}

/* Writes text to a fresh temporary file; the caller unlinks and frees the path. */
static char *write_temp(const char *text, size_t len)
{
	const char *tmp = getenv("TMPDIR");
	char *path = join_path(tmp && *tmp ? tmp : "/tmp", "test_scenario_XXXXXX");
	int fd = mkstemp(path);
	FILE *file;

	ck_assert_int_ge(fd, 0);
	file = fdopen(fd, "wb");
	ck_assert_ptr_nonnull(file);
	ck_assert_uint_eq(fwrite(text, 1, len, file), len);
	ck_assert_int_eq(fclose(file), 0);
	return path;
}

/* Loads YAML text through a temporary file; returns scenario_load's result. */
static int load_text(const char *text, struct scenario *sc, char error[SCENARIO_ERROR_MAX],
		     char **path_out)
{
	char *path = write_temp(text, strlen(text));
	int rc = scenario_load(path, sc, error);

	unlink(path);
	if (path_out)
		*path_out = path;
	else
		free(path);
	return rc;
}

static void load_good_text(const char *text, struct scenario *sc)
{
	char error[SCENARIO_ERROR_MAX];
	int rc = load_text(text, sc, error, NULL);

	ck_assert_msg(rc == 0, "expected to load, got: %s", error);
}

/* The part of an error after the file name: "LINE:COL: message" or "message". */
static const char *error_after_path(const char *error, const char *path)
{
	size_t len = strlen(path);

	ck_assert_msg(strncmp(error, path, len) == 0 && error[len] == ':',
		      "error does not start with '%s:': %s", path, error);
	return error + len + 1;
}

static const struct topo_function *function_at(const struct topology *topo, const char *text)
{
	struct pci_addr addr;
	int32_t index;

	ck_assert_msg(pci_addr_parse(text, &addr), "bad address in test: %s", text);
	index = topology_find_function(topo, &addr);
	ck_assert_msg(index != TOPO_NONE, "no function %s", text);
	return &topo->functions[index];
}

static int32_t index_of(const struct topology *topo, const char *text)
{
	return (int32_t)(function_at(topo, text) - topo->functions);
}

static const char *driver_of(const struct topology *topo, const struct topo_function *fn)
{
	return fn->driver == TOPO_NONE ? NULL : topo->drivers[fn->driver].name;
}

static int32_t group_of(const struct topology *topo, const struct topo_function *fn)
{
	return fn->group == TOPO_NONE ? TOPO_NONE : topo->groups[fn->group].id;
}

/* ---- PCI addresses --------------------------------------------------------------------- */

START_TEST(test_pci_addr_round_trip)
{
	static const struct {
		const char *text;
		const char *canonical;
	} cases[] = {
		{ "0000:3b:00.0", "0000:3b:00.0" },	 { "0000:3B:1F.7", "0000:3b:1f.7" },
		{ "0001:00:02.0", "0001:00:02.0" },	 { "10000:e1:00.0", "10000:e1:00.0" },
		{ "000abcde:ff:00.3", "abcde:ff:00.3" }, { "fffffff:ff:1f.7", "fffffff:ff:1f.7" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pci_addr addr, again;
		char text[PCI_ADDR_STRLEN];

		ck_assert_msg(pci_addr_parse(cases[i].text, &addr), "refused %s", cases[i].text);
		pci_addr_format(&addr, text);
		ck_assert_str_eq(text, cases[i].canonical);
		ck_assert(pci_addr_parse(text, &again));
		ck_assert_int_eq(pci_addr_compare(&addr, &again), 0);
	}
}
END_TEST

START_TEST(test_pci_addr_fields)
{
	struct pci_addr addr;

	ck_assert(pci_addr_parse("12345:ab:1e.6", &addr));
	ck_assert_uint_eq(addr.domain, 0x12345);
	ck_assert_uint_eq(addr.bus, 0xab);
	ck_assert_uint_eq(addr.dev, 0x1e);
	ck_assert_uint_eq(addr.fn, 6);
}
END_TEST

START_TEST(test_pci_addr_rejects)
{
	static const char *const bad[] = {
		"",
		"000:3b:00.0",	     /* domain of 3 digits */
		"123456789:00:00.0", /* 9 digits */
		"10000000:00:00.0",  /* does not fit PCI_ADDR_STRLEN when formatted */
		"0000:3:00.0",	     /* bus of 1 digit */
		"0000:3bb:00.0",
		"0000:3b:0.0",
		"0000:3b:000.0",
		"0000:3b:20.0", /* device above 0x1f */
		"0000:3b:00.8", /* function above 7 */
		"0000:3b:00.a",
		"0000:3b:00.00",
		"0000:3b:00.0 ",
		" 0000:3b:00.0",
		"0000:3b:00:0",
		"0000.3b:00.0",
		"3b:00.0", /* the short form is for host paths, not for device keys */
		"+000:3b:00.0",
		"0x00:3b:00.0",
		"0000:3g:00.0",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct pci_addr addr;

		ck_assert_msg(!pci_addr_parse(bad[i], &addr), "accepted '%s'", bad[i]);
	}
}
END_TEST

START_TEST(test_pci_addr_order)
{
	static const char *const sorted[] = { "0000:00:00.0", "0000:00:00.1", "0000:00:01.0",
					      "0000:01:00.0", "0000:ff:1f.7", "0001:00:00.0",
					      "10000:00:00.0" };
	size_t n = sizeof(sorted) / sizeof(sorted[0]);

	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < n; j++) {
			struct pci_addr a, b;
			int order;

			ck_assert(pci_addr_parse(sorted[i], &a));
			ck_assert(pci_addr_parse(sorted[j], &b));
			order = pci_addr_compare(&a, &b);
			ck_assert_int_eq(order < 0, i < j);
			ck_assert_int_eq(order > 0, i > j);
		}
	}
}
END_TEST

/* ---- classes and group types ----------------------------------------------------------- */

START_TEST(test_class_names)
{
	static const struct {
		const char *name;
		uint32_t code;
	} cases[] = {
		{ "host-bridge", 0x060000 }, { "pci-bridge", 0x060400 }, { "ethernet", 0x020000 },
		{ "vga", 0x030000 },	     { "3d", 0x030200 },	 { "audio", 0x040300 },
		{ "nvme", 0x010802 },	     { "usb-xhci", 0x0c0330 },	 { "unassigned", 0xff0000 },
	};
	uint32_t code = 0;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_msg(pci_class_from_name(cases[i].name, &code), "no %s", cases[i].name);
		ck_assert_uint_eq(code, cases[i].code);
		ck_assert_str_eq(pci_class_name(cases[i].code), cases[i].name);
	}
	ck_assert(!pci_class_from_name("Ethernet", &code));
	ck_assert(!pci_class_from_name("", &code));
	ck_assert(!pci_class_from_name("0x020000", &code));
}
END_TEST

START_TEST(test_class_name_fallback)
{
	/* Exact first, then class and subclass with prog-if 0, else nothing. */
	ck_assert_str_eq(pci_class_name(0x060401), "pci-bridge");
	ck_assert_str_eq(pci_class_name(0x020001), "ethernet");
	ck_assert_str_eq(pci_class_name(0x0c0330), "usb-xhci");
	ck_assert_ptr_null(pci_class_name(0x0c0320)); /* EHCI: no 0x0c0300 entry */
	ck_assert_ptr_null(pci_class_name(0x010801)); /* NVMe table is 0x010802 only */
	ck_assert_ptr_null(pci_class_name(0x123456));
}
END_TEST

START_TEST(test_class_table_consistent)
{
	size_t count = 0;

	for (const char *name; (name = pci_class_name_at(count)) != NULL; count++) {
		uint32_t code;

		ck_assert_msg(pci_class_from_name(name, &code), "%s does not parse", name);
		/* Each code has one name: the reverse lookup returns the same entry. */
		ck_assert_str_eq(pci_class_name(code), name);
		for (const char *p = name; *p; p++)
			ck_assert_msg((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
					      *p == '-',
				      "%s is not kebab-case", name);
	}
	ck_assert_uint_eq(count, 26);
}
END_TEST

START_TEST(test_class_bridges)
{
	ck_assert(pci_class_is_bridge(0x060400));
	ck_assert(pci_class_is_bridge(0x060401));
	ck_assert(pci_class_is_bridge(0x060900));
	ck_assert(!pci_class_is_bridge(0x060000));
	ck_assert(!pci_class_is_bridge(0x068000));
	ck_assert(!pci_class_is_bridge(0x020000));
}
END_TEST

START_TEST(test_iommu_group_types)
{
	static const char *const names[] = { "DMA",	  "DMA-FQ",  "identity",
					     "unmanaged", "blocked", "unknown" };
	enum iommu_group_type type;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		ck_assert_msg(iommu_group_type_parse(names[i], &type), "refused %s", names[i]);
		ck_assert_str_eq(iommu_group_type_name(type), names[i]);
	}
	ck_assert(iommu_group_type_parse("DMA-FQ", &type));
	ck_assert_int_eq(type, IOMMU_TYPE_DMA_FQ);
	ck_assert(!iommu_group_type_parse("dma", &type));
	ck_assert(!iommu_group_type_parse("Identity", &type));
	ck_assert(!iommu_group_type_parse("DMA ", &type));
	ck_assert(!iommu_group_type_parse("", &type));
}
END_TEST

/* ---- shipped scenarios ----------------------------------------------------------------- */

struct path_list {
	char **paths;
	size_t count;
	size_t capacity;
};

static void path_list_add(struct path_list *list, char *path)
{
	if (list->count == list->capacity) {
		list->capacity = list->capacity ? list->capacity * 2 : 32;
		list->paths = realloc(list->paths, list->capacity * sizeof(*list->paths));
		ck_assert_ptr_nonnull(list->paths);
	}
	list->paths[list->count++] = path;
}

static void path_list_free(struct path_list *list)
{
	for (size_t i = 0; i < list->count; i++)
		free(list->paths[i]);
	free(list->paths);
}

static bool has_yaml_suffix(const char *name)
{
	size_t len = strlen(name);

	return len > 5 && strcmp(name + len - 5, ".yaml") == 0;
}

/* Every *.yaml under dir, descending into subdirectories when recursive. */
static void find_yaml(const char *dir, bool recursive, struct path_list *list)
{
	DIR *handle = opendir(dir);
	struct dirent *entry;

	ck_assert_msg(handle != NULL, "cannot open %s: %s", dir, strerror(errno));
	while ((entry = readdir(handle)) != NULL) {
		char *path;
		struct stat st;

		if (entry->d_name[0] == '.')
			continue;
		path = join_path(dir, entry->d_name);
		ck_assert_int_eq(stat(path, &st), 0);
		if (S_ISDIR(st.st_mode) && recursive) {
			find_yaml(path, true, list);
			free(path);
		} else if (S_ISREG(st.st_mode) && has_yaml_suffix(entry->d_name)) {
			path_list_add(list, path);
		} else {
			free(path);
		}
	}
	closedir(handle);
}

START_TEST(test_every_scenario_loads)
{
	char *dir = join_path(source_dir(), "scenarios");
	struct path_list list = { 0 };

	find_yaml(dir, true, &list);
	ck_assert_uint_ge(list.count, 12);
	for (size_t i = 0; i < list.count; i++) {
		struct scenario sc;
		char error[SCENARIO_ERROR_MAX];

		ck_assert_msg(scenario_load(list.paths[i], &sc, error) == 0, "%s", error);
		ck_assert_str_eq(sc.path, list.paths[i]);
		ck_assert_ptr_nonnull(sc.name);
		ck_assert_uint_gt(sc.topo.n_functions, 0);
		ck_assert_uint_gt(sc.topo.n_root_buses, 0);
		/* vfio-pci is always there to bind to. */
		ck_assert_int_ne(topology_find_driver(&sc.topo, "vfio-pci"), TOPO_NONE);
		for (size_t j = 1; j < sc.topo.n_functions; j++)
			ck_assert_int_lt(pci_addr_compare(&sc.topo.functions[j - 1].addr,
							  &sc.topo.functions[j].addr),
					 0);
		scenario_free(&sc);
		ck_assert(is_zeroed(&sc));
	}
	path_list_free(&list);
	free(dir);
}
END_TEST

START_TEST(test_kata_10576_model)
{
	char *path = join_path(source_dir(), "scenarios/kata-10576.yaml");
	struct scenario sc;
	char error[SCENARIO_ERROR_MAX];
	const struct topology *topo = &sc.topo;
	const struct topo_function *host_bridge, *port_3a, *nic_3b, *port_5d, *nic_5e;
	struct pci_addr missing;

	ck_assert_msg(scenario_load(path, &sc, error) == 0, "%s", error);
	ck_assert_str_eq(sc.name, "kata-10576");
	ck_assert_ptr_nonnull(strstr(sc.description, "X710"));
	ck_assert_uint_eq(topo->host.cpus, 40);
	ck_assert_uint_eq(topo->host.numa_nodes, 2);

	ck_assert_uint_eq(topo->n_functions, 5);
	host_bridge = function_at(topo, "0000:00:00.0");
	port_3a = function_at(topo, "0000:3a:00.0");
	nic_3b = function_at(topo, "0000:3b:00.0");
	port_5d = function_at(topo, "0000:5d:00.0");
	nic_5e = function_at(topo, "0000:5e:00.0");
	ck_assert(pci_addr_parse("0000:3b:00.1", &missing));
	ck_assert_int_eq(topology_find_function(topo, &missing), TOPO_NONE);

	/* Parents: each NIC sits on the secondary bus of its root port. */
	ck_assert_int_eq(host_bridge->parent, TOPO_NONE);
	ck_assert_int_eq(port_3a->parent, TOPO_NONE);
	ck_assert_int_eq(port_5d->parent, TOPO_NONE);
	ck_assert_int_eq(nic_3b->parent, index_of(topo, "0000:3a:00.0"));
	ck_assert_int_eq(nic_5e->parent, index_of(topo, "0000:5d:00.0"));
	ck_assert(port_3a->is_bridge);
	ck_assert_uint_eq(port_3a->secondary_bus, 0x3b);
	ck_assert_uint_eq(port_3a->subordinate_bus, 0x3b);
	ck_assert(!nic_3b->is_bridge);
	ck_assert(!host_bridge->is_bridge);

	/* Groups: every group a device names, sorted, typed from `groups:` or DMA-FQ. */
	ck_assert_uint_eq(topo->n_groups, 5);
	ck_assert_int_eq(topo->groups[0].id, 0);
	ck_assert_int_eq(topo->groups[1].id, 30);
	ck_assert_int_eq(topo->groups[2].id, 46);
	ck_assert_int_eq(topo->groups[3].id, 215);
	ck_assert_int_eq(topo->groups[4].id, 216);
	ck_assert_int_eq(nic_3b->group, topology_find_group(topo, 215));
	ck_assert_int_eq(nic_5e->group, 4);
	ck_assert_int_eq(group_of(topo, port_5d), 46);
	ck_assert_int_eq(topo->groups[3].type, IOMMU_TYPE_DMA);
	ck_assert_int_eq(topo->groups[1].type, IOMMU_TYPE_DMA_FQ);
	ck_assert_int_eq(topology_find_group(topo, 217), TOPO_NONE);

	/* Drivers: sorted, unique, indices resolved. */
	ck_assert_uint_eq(topo->n_drivers, 2);
	ck_assert_str_eq(topo->drivers[0].name, "pcieport");
	ck_assert_str_eq(topo->drivers[1].name, "vfio-pci");
	ck_assert_int_eq(port_3a->driver, 0);
	ck_assert_str_eq(driver_of(topo, nic_5e), "vfio-pci");
	ck_assert_int_eq(host_bridge->driver, TOPO_NONE);
	ck_assert_int_eq(topology_find_driver(topo, "nvme"), TOPO_NONE);

	/* Root buses: bus 00, plus the two listed ones that devices sit on. */
	ck_assert_uint_eq(topo->n_root_buses, 3);
	ck_assert_uint_eq(topo->root_buses[0].bus, 0x00);
	ck_assert_uint_eq(topo->root_buses[1].bus, 0x3a);
	ck_assert_uint_eq(topo->root_buses[2].bus, 0x5d);
	ck_assert_uint_eq(topo->root_buses[2].domain, 0);

	/* Values and defaults. */
	ck_assert_uint_eq(nic_3b->class_code, 0x020000); /* class: ethernet */
	ck_assert_uint_eq(host_bridge->class_code, 0x060000);
	ck_assert_uint_eq(nic_3b->vendor, 0x8086);
	ck_assert_uint_eq(nic_3b->device, 0x1572);
	ck_assert_uint_eq(nic_3b->subsys_vendor, 0x8086);
	ck_assert_uint_eq(nic_3b->subsys_device, 0x0006);
	ck_assert_uint_eq(port_3a->subsys_vendor, 0); /* bridges default to 0000:0000 */
	ck_assert_uint_eq(port_3a->subsys_device, 0);
	ck_assert_uint_eq(host_bridge->subsys_device, 0x095d);
	ck_assert_uint_eq(nic_5e->revision, 0x02);
	ck_assert_uint_eq(nic_5e->irq, 40);
	ck_assert_int_eq(nic_5e->numa_node, 0);
	ck_assert_int_eq(host_bridge->numa_node, -1);
	ck_assert_uint_eq(host_bridge->irq, 0);
	ck_assert(!topology_is_multifunction(topo, nic_3b));

	/* Positions: line and column of the address key. */
	ck_assert_uint_eq(nic_3b->pos.column, 3);
	ck_assert_uint_gt(nic_3b->pos.line, port_3a->pos.line);

	ck_assert_uint_eq(sc.n_sandbox, 2);
	ck_assert_str_eq(sc.sandbox[0], "/dev/vfio/215");
	ck_assert_str_eq(sc.sandbox[1], "/dev/vfio/216");
	ck_assert_uint_eq(sc.n_expect, 2);
	ck_assert_str_eq(sc.expect[0].scheme, "index");
	ck_assert_str_eq(sc.expect[0].error, "Duplicate device ID 'vfio_device_0'");
	ck_assert_ptr_null(sc.expect[0].ids);
	ck_assert_ptr_null(sc.expect[0].prefix);
	ck_assert_str_eq(sc.expect[1].scheme, "group-index");
	ck_assert_ptr_null(sc.expect[1].error);
	ck_assert_uint_eq(sc.expect[1].n_ids, 2);
	ck_assert_str_eq(sc.expect[1].ids[0], "vfio_device_215_0");
	ck_assert_str_eq(sc.expect[1].ids[1], "vfio_device_216_0");

	scenario_free(&sc);
	free(path);
}
END_TEST

START_TEST(test_prefix_scenario)
{
	char *path = join_path(source_dir(), "scenarios/physical-nic-prefix.yaml");
	struct scenario sc;
	char error[SCENARIO_ERROR_MAX];

	ck_assert_msg(scenario_load(path, &sc, error) == 0, "%s", error);
	ck_assert_uint_eq(sc.n_expect, 2);
	ck_assert_str_eq(sc.expect[0].prefix, "physical_nic_");
	ck_assert_str_eq(sc.expect[1].prefix, "physical_nic_");
	ck_assert_str_eq(sc.expect[1].ids[0], "physical_nic__215_0");
	scenario_free(&sc);
	free(path);
}
END_TEST

/* ---- defaults and parsing details ------------------------------------------------------ */

/* Default secondaries go, in address order, to the lowest bus above the bridge's own that no
 * device, root bus, given secondary or earlier default uses. */
static const char defaults_yaml[] =
	"scenario: defaults\n"
	"root_buses: [\"0000:01\", \"0000:05\"]\n"
	"drivers: [nvme, e1000e]\n"
	"devices:\n"
	"  0000:00:00.0: {id: 8086:2020, class: host-bridge}\n"
	"  0000:00:01.0: {id: 8086:2030, class: pci-bridge, driver: pcieport}\n" /* 2 */
	"  0000:00:02.0: {id: 8086:2031, class: pci-bridge, secondary: 3, subordinate: 0x10}\n"
	"  0000:00:03.0: {id: 8086:2032, class: pci-bridge}\n" /* 4 */
	"  0000:01:00.0: {id: 8086:10d3, class: ethernet, driver: e1000e}\n"
	"  0000:03:00.0: {id: 10b5:8747, class: 0x060400}\n"		     /* 6 */
	"  0000:05:00.0: {id: 8086:2032, class: 0x0604, driver: pcieport}\n" /* 7 */
	"  0000:05:00.1: {id: 144d:a808, class: 0x0108, driver: nvme, group: 9}\n"
	"  0000:05:00.2: {id: 144d:a808, class: 0x010802, driver: nvme, group: 3}\n"
	"  0000:05:01.0: {id: 10de:2206, class: 3d, subsystem: 10de:1467, group: 9}\n"
	"  0000:05:02.0: {id: 1af4:1041, class: 0X0C0330, numa_node: -1, revision: 255}\n"
	"groups:\n"
	"  9: {type: identity}\n";

START_TEST(test_defaults)
{
	struct scenario sc;
	const struct topology *topo = &sc.topo;
	const struct topo_function *port1, *port2, *switch_port, *port5, *nvme, *gpu, *usb;

	load_good_text(defaults_yaml, &sc);
	ck_assert_uint_eq(topo->host.cpus, 8);
	ck_assert_uint_eq(topo->host.numa_nodes, 1);
	port1 = function_at(topo, "0000:00:01.0");
	port2 = function_at(topo, "0000:00:02.0");
	switch_port = function_at(topo, "0000:03:00.0");
	port5 = function_at(topo, "0000:05:00.0");
	nvme = function_at(topo, "0000:05:00.1");
	gpu = function_at(topo, "0000:05:01.0");
	usb = function_at(topo, "0000:05:02.0");

	ck_assert_uint_eq(port1->secondary_bus, 2);
	ck_assert_uint_eq(port1->subordinate_bus, 2);
	ck_assert_uint_eq(function_at(topo, "0000:00:03.0")->secondary_bus, 4);
	ck_assert_uint_eq(port2->secondary_bus, 3);
	ck_assert_uint_eq(port2->subordinate_bus, 0x10); /* given, above what it reaches */
	ck_assert_uint_eq(switch_port->secondary_bus, 6);
	ck_assert_uint_eq(switch_port->subordinate_bus, 6);
	ck_assert_int_eq(switch_port->parent, index_of(topo, "0000:00:02.0"));
	ck_assert_uint_eq(port5->secondary_bus, 7);
	ck_assert_uint_eq(port5->subordinate_bus, 7);
	ck_assert_int_eq(port5->parent, TOPO_NONE);
	ck_assert_int_eq(nvme->parent, TOPO_NONE);

	/* Class spellings: 4 hex digits mean prog-if 0; names; upper-case hex. */
	ck_assert_uint_eq(port5->class_code, 0x060400);
	ck_assert(port5->is_bridge);
	ck_assert(switch_port->is_bridge);
	ck_assert_uint_eq(nvme->class_code, 0x010800);
	ck_assert_uint_eq(function_at(topo, "0000:05:00.2")->class_code, 0x010802);
	ck_assert_uint_eq(gpu->class_code, 0x030200);
	ck_assert_uint_eq(usb->class_code, 0x0c0330);
	ck_assert_uint_eq(usb->revision, 255);

	/* Subsystem: the device's own ID unless given; 0000:0000 for bridges. */
	ck_assert_uint_eq(nvme->subsys_vendor, 0x144d);
	ck_assert_uint_eq(nvme->subsys_device, 0xa808);
	ck_assert_uint_eq(gpu->subsys_device, 0x1467);
	ck_assert_uint_eq(switch_port->subsys_vendor, 0);

	ck_assert(topology_is_multifunction(topo, nvme));
	ck_assert(topology_is_multifunction(topo, port5));
	ck_assert(!topology_is_multifunction(topo, gpu));
	ck_assert(!topology_is_multifunction(topo, port2));

	/* Groups 3 and 9, sorted; only 9 has an entry. */
	ck_assert_uint_eq(topo->n_groups, 2);
	ck_assert_int_eq(topo->groups[0].id, 3);
	ck_assert_int_eq(topo->groups[0].type, IOMMU_TYPE_DMA_FQ);
	ck_assert_int_eq(topo->groups[1].type, IOMMU_TYPE_IDENTITY);
	ck_assert_int_eq(group_of(topo, gpu), 9);
	ck_assert_int_eq(port1->group, TOPO_NONE);

	/* Drivers: referenced, listed and vfio-pci, each once, sorted. */
	ck_assert_uint_eq(topo->n_drivers, 4);
	ck_assert_str_eq(topo->drivers[0].name, "e1000e");
	ck_assert_str_eq(topo->drivers[1].name, "nvme");
	ck_assert_str_eq(topo->drivers[2].name, "pcieport");
	ck_assert_str_eq(topo->drivers[3].name, "vfio-pci");
	ck_assert_str_eq(driver_of(topo, nvme), "nvme");
	ck_assert_ptr_null(driver_of(topo, gpu));

	ck_assert_uint_eq(topo->n_root_buses, 3);
	ck_assert_uint_eq(topo->root_buses[1].bus, 1);
	ck_assert_uint_eq(topo->root_buses[2].bus, 5);
	ck_assert_uint_eq(sc.n_sandbox, 0);
	ck_assert_uint_eq(sc.n_expect, 0);
	ck_assert_ptr_null(sc.description);
	scenario_free(&sc);
}
END_TEST

START_TEST(test_subordinate_grows_through_chain)
{
	struct scenario sc;
	const struct topology *topo = &sc.topo;

	load_good_text("scenario: chain\n"
		       "devices:\n"
		       "  0000:00:1c.0: {id: 8086:a110, class: pci-bridge, secondary: 0x02}\n"
		       "  0000:02:00.0: {id: 10b5:8747, class: pci-bridge, secondary: 0x03}\n"
		       "  0000:03:08.0: {id: 10b5:8747, class: pci-bridge, secondary: 0x04}\n"
		       "  0000:03:10.0: {id: 10b5:8747, class: pci-bridge, secondary: 0x05,\n"
		       "                 subordinate: 0x07}\n"
		       "  0000:05:00.0: {id: 15b3:1017, class: ethernet}\n",
		       &sc);
	ck_assert_uint_eq(function_at(topo, "0000:03:10.0")->subordinate_bus, 7);
	ck_assert_uint_eq(function_at(topo, "0000:03:08.0")->subordinate_bus, 4);
	ck_assert_uint_eq(function_at(topo, "0000:02:00.0")->subordinate_bus, 7);
	ck_assert_uint_eq(function_at(topo, "0000:00:1c.0")->subordinate_bus, 7);
	ck_assert_int_eq(function_at(topo, "0000:05:00.0")->parent, index_of(topo, "0000:03:10.0"));
	ck_assert_int_eq(function_at(topo, "0000:03:08.0")->parent, index_of(topo, "0000:02:00.0"));
	ck_assert_uint_eq(topo->n_root_buses, 1);
	scenario_free(&sc);
}
END_TEST

START_TEST(test_number_spellings)
{
	struct scenario sc;
	const struct topo_function *fn;

	load_good_text("scenario: numbers\n"
		       "host: {cpus: 0x40, numa_nodes: 4}\n"
		       "devices:\n"
		       "  0000:00:00.0: {id: ABCD:ef01, class: 0xFF0000, irq: 0xff, group: 0,\n"
		       "                 numa_node: 3, revision: 0x0000001}\n"
		       "  0000:00:00.1: {id: abcd:ef02, class: unassigned, numa_node: -0x1,\n"
		       "                 group: 2147483647}\n",
		       &sc);
	ck_assert_uint_eq(sc.topo.host.cpus, 64);
	fn = function_at(&sc.topo, "0000:00:00.0");
	ck_assert_uint_eq(fn->vendor, 0xabcd);
	ck_assert_uint_eq(fn->device, 0xef01);
	ck_assert_uint_eq(fn->class_code, 0xff0000);
	ck_assert_uint_eq(fn->irq, 255);
	ck_assert_uint_eq(fn->revision, 1);
	ck_assert_int_eq(fn->numa_node, 3);
	ck_assert_int_eq(group_of(&sc.topo, fn), 0);
	fn = function_at(&sc.topo, "0000:00:00.1");
	ck_assert_int_eq(fn->numa_node, -1);
	ck_assert_int_eq(group_of(&sc.topo, fn), 2147483647);
	scenario_free(&sc);
}
END_TEST

START_TEST(test_sandbox_shapes)
{
	struct scenario sc;

	load_good_text("scenario: sandbox\n"
		       "devices: {0000:00:00.0: {id: 8086:2020, class: host-bridge}}\n"
		       "sandbox: [/dev/vfio/0, /dev/vfio/2147483647, /dev/vfio/noiommu-3,\n"
		       "          0000:3b:00.1, 3B:00.1, 10000:01:00.0, \"/dev/vfio/7\"]\n"
		       "expect:\n"
		       "  group-index: {prefix: '', ids: [\"a\", b]}\n",
		       &sc);
	ck_assert_uint_eq(sc.n_sandbox, 7);
	ck_assert_str_eq(sc.sandbox[4], "3B:00.1"); /* as given */
	ck_assert_str_eq(sc.sandbox[6], "/dev/vfio/7");
	ck_assert_str_eq(sc.expect[0].prefix, "");
	ck_assert_str_eq(sc.expect[0].ids[0], "a");
	scenario_free(&sc);
}
END_TEST

/* Steps, keys in any order, and the scenario's fault rules kept as written. */
START_TEST(test_steps_and_faults)
{
	struct scenario sc;

	load_good_text("scenario: steps\n"
		       "devices:\n"
		       "  0000:00:00.0: {id: 8086:2020, class: host-bridge}\n"
		       "  0000:00:03.0: {id: 8086:1572, class: ethernet, group: 1, driver: i40e}\n"
		       "sandbox: [/dev/vfio/1]\n"
		       "faults: ['sys/devices/**/class read errno=EIO', 'dev/vfio/1 open "
		       "errno=EBUSY nth=2']\n"
		       "steps:\n"
		       "  - {driver: '', override: 0000:00:03.0}\n"
		       "  - {errno: EBUSY, count: 4, numvfs: 0000:00:03.0}\n"
		       "  - {rescan: all}\n"
		       "  - {read: /sys/bus/pci/drivers_autoprobe, errno: EACCES}\n"
		       "  - {ids: [x_1_0], name: group-index, prefix: x_}\n"
		       "  - {name: index, sandbox: [3b:00.0], error: nope}\n",
		       &sc);
	ck_assert_uint_eq(sc.n_faults, 2);
	ck_assert_str_eq(sc.faults[1], "dev/vfio/1 open errno=EBUSY nth=2");
	ck_assert_uint_eq(sc.n_steps, 6);
	/* driver before its action: the empty driver still clears driver_override. */
	ck_assert_int_eq(sc.steps[0].kind, STEP_OVERRIDE);
	ck_assert_str_eq(sc.steps[0].target, "0000:00:03.0");
	ck_assert_str_eq(sc.steps[0].driver, "");
	ck_assert_uint_eq(sc.steps[0].pos.line, 8);
	ck_assert_int_eq(sc.steps[1].kind, STEP_NUMVFS);
	ck_assert_uint_eq(sc.steps[1].count, 4);
	ck_assert_int_eq(sc.steps[1].error, EBUSY);
	ck_assert_str_eq(sc.steps[2].target, "all");
	ck_assert_int_eq(sc.steps[3].error, EACCES);
	ck_assert_ptr_null(sc.steps[3].value);
	ck_assert_str_eq(sc.steps[4].outcome.scheme, "group-index");
	ck_assert_str_eq(sc.steps[4].outcome.prefix, "x_");
	ck_assert_uint_eq(sc.steps[4].outcome.n_ids, 1);
	ck_assert_ptr_null(sc.steps[4].sandbox);
	ck_assert_uint_eq(sc.steps[5].n_sandbox, 1);
	ck_assert_str_eq(sc.steps[5].sandbox[0], "3b:00.0");
	ck_assert_str_eq(sc.steps[5].outcome.error, "nope");
	ck_assert_str_eq(scenario_step_name(sc.steps[5].kind), "name");
	scenario_free(&sc);
}
END_TEST

/*
 * `plugged: false` on one function takes its whole card out, and everything below it off the
 * bus; only the card itself is marked as out of its slot, for `plug` to put it back.
 */
START_TEST(test_unplugged_card)
{
	struct scenario sc;
	const struct topology *topo = &sc.topo;

	load_good_text("scenario: unplugged\n"
		       "root_buses: ['0000:3a']\n"
		       "devices:\n"
		       "  0000:3a:00.0: {id: 8086:2030, class: pci-bridge, secondary: 0x3b}\n"
		       "  0000:3b:00.0: {id: 8086:37c0, class: pci-bridge, secondary: 0x3c,\n"
		       "                 driver: pcieport}\n"
		       "  0000:3b:00.1: {id: 8086:37c1, class: ethernet, plugged: false}\n"
		       "  0000:3c:00.0: {id: 8086:1572, class: ethernet, driver: i40e, group: 5}\n"
		       "  0000:3a:01.0: {id: 8086:1572, class: ethernet, driver: i40e}\n",
		       &sc);
	ck_assert(function_at(topo, "0000:3a:00.0")->present);
	ck_assert(!function_at(topo, "0000:3a:00.0")->unplugged);
	ck_assert(function_at(topo, "0000:3a:01.0")->present);
	for (const char *const *bdf = (const char *const[]){ "0000:3b:00.0", "0000:3b:00.1", NULL };
	     *bdf; bdf++) {
		ck_assert_msg(!function_at(topo, *bdf)->present, "%s present", *bdf);
		ck_assert_msg(function_at(topo, *bdf)->unplugged, "%s not unplugged", *bdf);
	}
	/* Below the card: off the bus and unbound until hotplug probes it, but not out itself. */
	const struct topo_function *below = function_at(topo, "0000:3c:00.0");
	ck_assert(!below->present);
	ck_assert(!below->unplugged);
	ck_assert_ptr_null(driver_of(topo, below));
	ck_assert_str_eq(driver_of(topo, function_at(topo, "0000:3a:01.0")), "i40e");
	scenario_free(&sc);
}
END_TEST

/* d3cold_allowed is the platform's word on a function; allowed unless the scenario says not. */
START_TEST(test_d3cold_allowed)
{
	struct scenario sc;

	load_good_text("scenario: d3cold\n"
		       "devices:\n"
		       "  0000:00:00.0: {id: 8086:2020, class: host-bridge}\n"
		       "  0000:00:01.0: {id: 1af4:1041, class: ethernet, d3cold_allowed: false}\n"
		       "  0000:00:02.0: {id: 1af4:1041, class: ethernet, d3cold_allowed: true}\n",
		       &sc);
	ck_assert(!function_at(&sc.topo, "0000:00:00.0")->d3cold_disallowed);
	ck_assert(function_at(&sc.topo, "0000:00:01.0")->d3cold_disallowed);
	ck_assert(!function_at(&sc.topo, "0000:00:02.0")->d3cold_disallowed);
	scenario_free(&sc);
}
END_TEST

START_TEST(test_scalar_length_limit)
{
	static const char head[] = "scenario: long\ndescription: ";
	static const char tail[] =
		"\ndevices: {0000:00:00.0: {id: 8086:2020, class: host-bridge}}\n";
	size_t len = sizeof(head) - 1 + 4097 + sizeof(tail);
	char *text = malloc(len);
	char error[SCENARIO_ERROR_MAX];
	struct scenario sc;
	char *path;

	ck_assert_ptr_nonnull(text);
	/* 4096 bytes is the limit, and allowed. */
	memcpy(text, head, sizeof(head) - 1);
	memset(text + sizeof(head) - 1, 'x', 4096);
	strcpy(text + sizeof(head) - 1 + 4096, tail);
	load_good_text(text, &sc);
	ck_assert_uint_eq(strlen(sc.description), 4096);
	scenario_free(&sc);

	memset(text + sizeof(head) - 1, 'x', 4097);
	strcpy(text + sizeof(head) - 1 + 4097, tail);
	ck_assert_int_eq(load_text(text, &sc, error, &path), -1);
	ck_assert_str_eq(error_after_path(error, path),
			 "2:14: scalar is 4097 bytes long; the limit is 4096");
	ck_assert(is_zeroed(&sc));
	free(path);
	free(text);
}
END_TEST

/* ---- PCI Express, BARs, SR-IOV, labels, groups ----------------------------------------- */

/* The function at a routing ID (bus << 8 | devfn) of domain 0, or NULL. */
static const struct topo_function *function_at_rid(const struct topology *topo, uint32_t rid)
{
	struct pci_addr addr = { 0, (uint8_t)(rid >> 8), (uint8_t)(rid >> 3 & 0x1f),
				 (uint8_t)(rid & 7) };
	int32_t index = topology_find_function(topo, &addr);

	return index == TOPO_NONE ? NULL : &topo->functions[index];
}

/* A PF at 0000:3b:00.0 with offset 0x80 and stride 2: VFs 0..63 fill 3b:10.0..3b:1f.6, and
 * VF 64 onwards spill onto bus 0x3c, which no bridge leads to. */
static const char vf_spill_yaml[] =
	"scenario: vf-spill\n"
	"host: {cpus: 8, numa_nodes: 2}\n"
	"devices:\n"
	"  0000:00:00.0: {id: 8086:2020, class: host-bridge, group: 20}\n"
	"  0000:00:03.0: {id: 8086:2030, class: pci-bridge, secondary: 0x3b, pcie: true}\n"
	"  0000:3b:00.0: {id: 8086:1572, subsystem: 8086:0007, class: ethernet, revision: 2,\n"
	"                 numa_node: 1, irq: 16, driver: i40e, group: 7,\n"
	"                 pcie: {speed: 8.0, width: 8},\n"
	"                 sriov: {total: 128, num: 100, offset: 0x80, stride: 2, vf_id: 154C,\n"
	"                         vf_driver: vfio-pci,\n"
	"                         vf_bars: [{size: 64K, type: mem64, prefetchable: true}]}}\n";

/* Functions on the bus now: VFs not enabled are in the model, but not present. */
static size_t present_functions(const struct topology *topo)
{
	size_t n = 0;

	for (size_t i = 0; i < topo->n_functions; i++)
		n += topo->functions[i].present;
	return n;
}

START_TEST(test_vf_formula_spills_onto_next_bus)
{
	struct scenario sc;
	const struct topology *topo = &sc.topo;
	const struct topo_function *pf, *port;
	int32_t pf_index, port_index;

	load_good_text(vf_spill_yaml, &sc);
	ck_assert_uint_eq(present_functions(topo), 103);
	/* The 28 VFs not enabled wait in the model, each where the formula puts it. */
	ck_assert_uint_eq(topo->n_functions, 103 + 28);
	ck_assert_uint_eq(function_at(topo, "0000:3b:00.0")->sriov->possible, 128);
	ck_assert(function_at(topo, "0000:3c:08.6")->present);	/* VF 99 */
	ck_assert(!function_at(topo, "0000:3c:09.0")->present); /* VF 100 */
	pf = function_at(topo, "0000:3b:00.0");
	pf_index = index_of(topo, "0000:3b:00.0");
	port = function_at(topo, "0000:00:03.0");
	port_index = index_of(topo, "0000:00:03.0");

	/* The kernel's formula, spelled out: routing ID = PF's + offset + stride * n. */
	for (uint32_t n = 0; n < 100; n++) {
		const struct topo_function *vf = function_at_rid(topo, 0x3b00 + 0x80 + 2 * n);

		ck_assert_msg(vf != NULL, "no VF %u", n);
		ck_assert_int_eq(vf->physfn, pf_index);
		ck_assert_uint_eq(vf->vf_index, n);
		ck_assert_int_eq(vf->parent, port_index); /* a sibling of its PF */
		ck_assert_uint_eq(vf->vendor, 0x8086);
		ck_assert_uint_eq(vf->device, 0x154c);
		ck_assert_uint_eq(vf->subsys_device, 0x0007);
		ck_assert_uint_eq(vf->class_code, 0x020000);
		ck_assert_uint_eq(vf->revision, 2);
		ck_assert_int_eq(vf->numa_node, 1);
		ck_assert_uint_eq(vf->irq, 0);
		ck_assert_str_eq(driver_of(topo, vf), "vfio-pci");
		ck_assert(vf->pcie.present);
		ck_assert_uint_eq(vf->pcie.port_type, PCIE_ENDPOINT);
		ck_assert_uint_eq(vf->pcie.width, 8);
		ck_assert_uint_eq(vf->bars[0].kind, BAR_MEM64);
		ck_assert_uint_eq(vf->bars[0].size, 64 * 1024);
		ck_assert(vf->bars[0].prefetchable);
		ck_assert_ptr_null(vf->sriov);
		ck_assert_int_eq(vf->acpi_index, -1);
		ck_assert(!vf->is_bridge);
		/* Auto groups: above the file's highest (20), in VF order. */
		ck_assert_int_eq(group_of(topo, vf), 21 + (int32_t)n);
		ck_assert(!topology_is_multifunction(topo, vf));
	}
	/* VF 100 and up exist only to be enabled: not present. */
	ck_assert(!function_at_rid(topo, 0x3b00 + 0x80 + 2 * 100)->present);
	ck_assert_ptr_nonnull(function_at(topo, "0000:3b:1f.6")); /* VF 63 */
	ck_assert_uint_eq(function_at(topo, "0000:3c:00.0")->vf_index, 64);
	ck_assert_uint_eq(function_at(topo, "0000:3c:08.6")->vf_index, 99);

	ck_assert_ptr_nonnull(pf->sriov);
	ck_assert_uint_eq(pf->sriov->total, 128);
	ck_assert_uint_eq(pf->sriov->num, 100);
	ck_assert_uint_eq(pf->sriov->offset, 0x80);
	ck_assert_uint_eq(pf->sriov->stride, 2);
	ck_assert_uint_eq(pf->sriov->vf_device, 0x154c);
	ck_assert(pf->sriov->drivers_autoprobe);
	ck_assert_int_eq(pf->sriov->vf_driver, topology_find_driver(topo, "vfio-pci"));
	ck_assert_int_eq(pf->sriov->first_vf, index_of(topo, "0000:3b:10.0"));
	ck_assert_int_eq(pf->physfn, TOPO_NONE);
	ck_assert_str_eq(driver_of(topo, pf), "i40e");
	ck_assert(!topology_is_multifunction(topo, pf)); /* VFs are not the PF's functions */

	/* The root port's range grows to the spilled bus; bus 3c is not a root bus. */
	ck_assert_uint_eq(port->secondary_bus, 0x3b);
	ck_assert_uint_eq(port->subordinate_bus, 0x3c);
	ck_assert_uint_eq(topo->n_root_buses, 1);
	ck_assert_uint_eq(topo->n_groups, 102 + 28); /* and the 28 VFs that wait */
	scenario_free(&sc);
}
END_TEST

START_TEST(test_vf_groups_modes)
{
	struct scenario sc;
	const struct topology *topo = &sc.topo;
	const struct topo_function *pf0, *pf1;

	/* Listed out of address order; the interleaved VFs of 3b:00.0 (even routing IDs) and
	 * 3b:00.1 (odd) are numbered PF by PF, then by VF index, not by VF address. */
	load_good_text(
		"scenario: vf-groups\n"
		"root_buses: [\"0000:3b\", \"0000:5e\", \"0000:af\"]\n"
		"devices:\n"
		"  0000:af:00.0: {id: 15b3:1017, class: ethernet, group: 90, pcie: true,\n"
		"                 sriov: {total: 4, num: 2, vf_id: 1018, vf_groups: same}}\n"
		"  0000:3b:00.1: {id: 8086:1572, class: ethernet, group: 41, pcie: true,\n"
		"                 sriov: {total: 8, num: 3, offset: 10, stride: 2, vf_id: 154c}}\n"
		"  0000:3b:00.0: {id: 8086:1572, class: ethernet, group: 40, pcie: true,\n"
		"                 sriov: {total: 8, num: 3, offset: 10, stride: 2, vf_id: 154c,\n"
		"                         autoprobe: false}}\n"
		"  0000:5e:00.0: {id: 8086:1592, class: ethernet, pcie: {type: rc-endpoint},\n"
		"                 sriov: {total: 4, num: 2, vf_id: 1889, vf_groups: none}}\n",
		&sc);
	pf0 = function_at(topo, "0000:3b:00.0");
	pf1 = function_at(topo, "0000:3b:00.1");
	ck_assert(!pf0->sriov->drivers_autoprobe);
	ck_assert(pf1->sriov->drivers_autoprobe);
	/* VFs of 3b:00.0 at routing IDs 0x3b0a, 0x3b0c, 0x3b0e; of 3b:00.1 at 0x3b0b, ... */
	ck_assert_int_eq(group_of(topo, function_at(topo, "0000:3b:01.2")), 91); /* PF0 VF 0 */
	ck_assert_int_eq(group_of(topo, function_at(topo, "0000:3b:01.4")), 92);
	ck_assert_int_eq(group_of(topo, function_at(topo, "0000:3b:01.6")), 93);
	ck_assert_int_eq(group_of(topo, function_at(topo, "0000:3b:01.3")), 94); /* PF1 VF 0 */
	ck_assert_int_eq(group_of(topo, function_at(topo, "0000:3b:01.5")), 95);
	ck_assert_int_eq(group_of(topo, function_at(topo, "0000:3b:01.7")), 96);
	ck_assert_int_eq(function_at(topo, "0000:3b:01.3")->physfn, index_of(topo, "0000:3b:00.1"));
	ck_assert_uint_eq(function_at(topo, "0000:3b:01.7")->vf_index, 2);
	ck_assert_int_eq(pf1->sriov->first_vf, index_of(topo, "0000:3b:01.3"));
	/* same: the PF's group; none: no group; no vf_driver: unbound. */
	ck_assert_int_eq(group_of(topo, function_at(topo, "0000:af:00.1")), 90);
	ck_assert_int_eq(group_of(topo, function_at(topo, "0000:af:00.2")), 90);
	ck_assert_int_eq(function_at(topo, "0000:5e:00.1")->group, TOPO_NONE);
	ck_assert_int_eq(function_at(topo, "0000:5e:00.2")->driver, TOPO_NONE);
	ck_assert_int_eq(function_at(topo, "0000:5e:00.0")->sriov->vf_driver, TOPO_NONE);
	/* A VF takes its PF's port type: an rc-endpoint PF has rc-endpoint VFs, no link. */
	ck_assert_uint_eq(function_at(topo, "0000:5e:00.2")->pcie.port_type,
			  PCIE_RC_INTEGRATED_ENDPOINT);
	ck_assert_uint_eq(function_at(topo, "0000:5e:00.2")->pcie.max_speed, 0);
	ck_assert_uint_eq(function_at(topo, "0000:5e:00.2")->pcie.width, 0);
	/* Defaults: offset 1, stride 1; num 0 makes no VFs and no first_vf. */
	ck_assert_uint_eq(function_at(topo, "0000:af:00.0")->sriov->offset, 1);
	ck_assert_uint_eq(function_at(topo, "0000:af:00.0")->sriov->stride, 1);
	ck_assert_uint_eq(present_functions(topo), 4 + 3 + 3 + 2 + 2);
	/* And one each for the 10 VFs that wait, numbered after every other. */
	ck_assert_uint_eq(topo->n_groups, 3 + 6 + 10);
	ck_assert_int_gt(group_of(topo, function_at(topo, "0000:3b:02.0")), 96);
	scenario_free(&sc);

	/* With no group anywhere, auto numbering starts at 0. */
	load_good_text("scenario: vf-groups-from-zero\n"
		       "devices:\n"
		       "  0000:00:04.0: {id: 8086:0b25, class: system-peripheral,\n"
		       "                 pcie: {type: rc-endpoint},\n"
		       "                 sriov: {total: 16, num: 2, offset: 0x40, vf_id: 0b26}}\n",
		       &sc);
	ck_assert_int_eq(group_of(topo, function_at(topo, "0000:00:0c.0")), 0);
	ck_assert_int_eq(group_of(topo, function_at(topo, "0000:00:0c.1")), 1);
	ck_assert_int_eq(function_at(topo, "0000:00:0c.1")->parent, TOPO_NONE);
	ck_assert_uint_eq(topo->n_root_buses, 1);
	scenario_free(&sc);
}
END_TEST

START_TEST(test_pcie_types_and_links)
{
	struct scenario sc;
	const struct topology *topo = &sc.topo;
	const struct topo_function *fn;

	load_good_text(
		"scenario: pcie\n"
		"devices:\n"
		"  0000:00:01.0: {id: 8086:2030, class: pci-bridge, secondary: 1, pcie: true}\n"
		"  0000:01:00.0: {id: 10b5:8747, class: pci-bridge, secondary: 2,\n"
		"                 pcie: {width: 16}}\n"
		"  0000:02:08.0: {id: 10b5:8747, class: pci-bridge, secondary: 3,\n"
		"                 pcie: {max_speed: 16.0, max_width: 8}}\n"
		"  0000:03:00.0: {id: 144d:a824, class: nvme,\n"
		"                 pcie: {speed: 5, width: 2, max_speed: 64,\n"
		"                 max_width: 32}}\n"
		"  0000:02:09.0: {id: 10b5:8747, class: pci-bridge, secondary: 4,\n"
		"                 pcie: {type: pcie-to-pci-bridge, speed: 2.5}}\n"
		"  0000:04:00.0: {id: 12d8:e111, class: pci-bridge, secondary: 5, pcie: true}\n"
		"  0000:00:02.0: {id: 8086:244e, class: pci-bridge, secondary: 6}\n"
		"  0000:06:00.0: {id: 12d8:e130, class: pci-bridge, secondary: 7,\n"
		"                 pcie: {speed: 32.0}}\n"
		"  0000:07:00.0: {id: 8086:1592, class: ethernet, pcie: {type: legacy-endpoint}}\n"
		"  0000:00:14.0: {id: 8086:a36d, class: usb-xhci, pcie: {type: rc-endpoint}}\n"
		"  0000:00:1f.0: {id: 8086:a30e, class: isa-bridge, pcie: false}\n"
		"  0000:00:1f.4: {id: 8086:a323, class: smbus}\n"
		"  0000:00:05.0: {id: 8086:2034, class: system-peripheral,\n"
		"                 pcie: {type: rc-event-collector}}\n"
		"  0000:00:06.0: {id: 8086:2035, class: pci-bridge, secondary: 8,\n"
		"                 pcie: {type: downstream-port}}\n",
		&sc);

	fn = function_at(topo, "0000:00:01.0"); /* on a root bus */
	ck_assert(fn->pcie.present);
	ck_assert_uint_eq(fn->pcie.port_type, PCIE_ROOT_PORT);
	ck_assert_uint_eq(fn->pcie.speed, 3); /* 8.0 GT/s x1 */
	ck_assert_uint_eq(fn->pcie.max_speed, 3);
	ck_assert_uint_eq(fn->pcie.width, 1);
	ck_assert_uint_eq(fn->pcie.max_width, 1);
	fn = function_at(topo, "0000:01:00.0"); /* below a root port */
	ck_assert_uint_eq(fn->pcie.port_type, PCIE_UPSTREAM_PORT);
	ck_assert_uint_eq(fn->pcie.width, 16);
	ck_assert_uint_eq(fn->pcie.max_width, 16);
	fn = function_at(topo, "0000:02:08.0"); /* below an upstream port */
	ck_assert_uint_eq(fn->pcie.port_type, PCIE_DOWNSTREAM_PORT);
	ck_assert_uint_eq(fn->pcie.speed, 4); /* each half defaults to the other */
	ck_assert_uint_eq(fn->pcie.max_speed, 4);
	ck_assert_uint_eq(fn->pcie.width, 8);
	fn = function_at(topo, "0000:03:00.0");
	ck_assert_uint_eq(fn->pcie.port_type, PCIE_ENDPOINT);
	ck_assert_uint_eq(fn->pcie.speed, 2);
	ck_assert_uint_eq(fn->pcie.max_speed, 6);
	ck_assert_uint_eq(fn->pcie.width, 2);
	ck_assert_uint_eq(fn->pcie.max_width, 32);
	fn = function_at(topo, "0000:02:09.0"); /* given: kept */
	ck_assert_uint_eq(fn->pcie.port_type, PCIE_TO_PCI_BRIDGE);
	ck_assert_uint_eq(fn->pcie.speed, 1);
	/* Below a PCIe-to-PCI bridge or a conventional bridge: a PCI-to-PCIe bridge. */
	ck_assert_uint_eq(function_at(topo, "0000:04:00.0")->pcie.port_type, PCI_TO_PCIE_BRIDGE);
	ck_assert(!function_at(topo, "0000:00:02.0")->pcie.present);
	ck_assert_uint_eq(function_at(topo, "0000:06:00.0")->pcie.port_type, PCI_TO_PCIE_BRIDGE);
	ck_assert_uint_eq(function_at(topo, "0000:06:00.0")->pcie.max_speed, 5);
	ck_assert_uint_eq(function_at(topo, "0000:07:00.0")->pcie.port_type, PCIE_LEGACY_ENDPOINT);
	/* Root-complex integrated functions have no link. */
	fn = function_at(topo, "0000:00:14.0");
	ck_assert(fn->pcie.present);
	ck_assert_uint_eq(fn->pcie.port_type, PCIE_RC_INTEGRATED_ENDPOINT);
	ck_assert_uint_eq(fn->pcie.speed + fn->pcie.max_speed + fn->pcie.width, 0);
	ck_assert_uint_eq(fn->pcie.max_width, 0);
	fn = function_at(topo, "0000:00:05.0");
	ck_assert_uint_eq(fn->pcie.port_type, PCIE_RC_EVENT_COLLECTOR);
	ck_assert_uint_eq(fn->pcie.max_speed, 0);
	/* pcie: false and no pcie at all are conventional PCI. */
	ck_assert(!function_at(topo, "0000:00:1f.0")->pcie.present);
	ck_assert_uint_eq(function_at(topo, "0000:00:1f.0")->pcie.speed, 0);
	ck_assert(!function_at(topo, "0000:00:1f.4")->pcie.present);
	/* A given port type is not second-guessed by position. */
	ck_assert_uint_eq(function_at(topo, "0000:00:06.0")->pcie.port_type, PCIE_DOWNSTREAM_PORT);
	scenario_free(&sc);
}
END_TEST

START_TEST(test_bars_and_rom)
{
	struct scenario sc;
	const struct topology *topo = &sc.topo;
	const struct topo_function *fn;

	load_good_text(
		"scenario: bars\n"
		"devices:\n"
		"  0000:00:01.0: {id: 8086:2030, class: pci-bridge, secondary: 1,\n"
		"                 bars: [{size: 128K, type: mem64}], rom: 2K}\n"
		"  0000:01:00.0: {id: 8086:1572, class: ethernet, rom: 0x80000,\n"
		"                 bars: [{size: 8M, type: mem64, prefetchable: true}, ~,\n"
		"                        {type: mem64, size: 32K}, {size: 256, type: io}]}\n"
		"  0000:01:00.1: {id: 8086:1572, class: ethernet,\n"
		"                 bars: [null, {size: 4096}, ~,\n"
		"                        {size: 0x100000000, type: mem64, prefetchable: true},\n"
		"                        {size: 256M, prefetchable: false}]}\n"
		"  0000:01:00.2: {id: 10de:2330, class: 3d,\n"
		"                 bars: [{size: 1T, type: mem64, prefetchable: TRUE}, \n"
		"                        {size: 16, type: mem64}, {size: 4, type: io}], rom: 1M}\n"
		"  0000:01:00.3: {id: 10de:2330, class: 3d, bars: []}\n",
		&sc);
	fn = function_at(topo, "0000:00:01.0"); /* a bridge: one mem64 fills both registers */
	ck_assert_uint_eq(fn->bars[0].kind, BAR_MEM64);
	ck_assert_uint_eq(fn->bars[0].size, 128 * 1024);
	ck_assert_uint_eq(fn->bars[1].kind, BAR_UNUSED);
	ck_assert_uint_eq(fn->rom.size, 2048);

	/* mem64 takes two registers: the entry after it describes the register after that. */
	fn = function_at(topo, "0000:01:00.0");
	ck_assert_uint_eq(fn->bars[0].kind, BAR_MEM64);
	ck_assert_uint_eq(fn->bars[0].size, 8u << 20);
	ck_assert(fn->bars[0].prefetchable);
	ck_assert_uint_eq(fn->bars[1].kind, BAR_UNUSED); /* upper half of BAR 0 */
	ck_assert_uint_eq(fn->bars[1].size, 0);
	ck_assert_uint_eq(fn->bars[2].kind, BAR_UNUSED); /* the `~` */
	ck_assert_uint_eq(fn->bars[3].kind, BAR_MEM64);
	ck_assert_uint_eq(fn->bars[3].size, 32 * 1024);
	ck_assert(!fn->bars[3].prefetchable);
	ck_assert_uint_eq(fn->bars[4].kind, BAR_UNUSED); /* upper half of BAR 3 */
	ck_assert_uint_eq(fn->bars[5].kind, BAR_IO);
	ck_assert_uint_eq(fn->bars[5].size, 256);
	ck_assert_uint_eq(fn->rom.size, 512 * 1024);
	ck_assert_uint_eq(fn->rom.kind, BAR_MEM32);

	fn = function_at(topo, "0000:01:00.1");
	ck_assert_uint_eq(fn->bars[0].kind, BAR_UNUSED);
	ck_assert_uint_eq(fn->bars[1].kind, BAR_MEM32); /* the default type */
	ck_assert_uint_eq(fn->bars[1].size, 4096);
	ck_assert_uint_eq(fn->bars[3].size, 1ull << 32);
	ck_assert_uint_eq(fn->bars[5].kind, BAR_MEM32);
	ck_assert_uint_eq(fn->bars[5].size, 1ull << 28);
	ck_assert_uint_eq(fn->rom.size, 0);
	ck_assert_uint_eq(fn->rom.kind, BAR_UNUSED);

	fn = function_at(topo, "0000:01:00.2");
	ck_assert_uint_eq(fn->bars[0].size, 1ull << 40);
	ck_assert(fn->bars[0].prefetchable);
	ck_assert_uint_eq(fn->bars[2].kind, BAR_MEM64);
	ck_assert_uint_eq(fn->bars[2].size, 16);
	ck_assert_uint_eq(fn->bars[4].kind, BAR_IO);
	ck_assert_uint_eq(fn->bars[4].size, 4);
	ck_assert_uint_eq(fn->rom.size, 1ull << 20);

	fn = function_at(topo, "0000:01:00.3");
	for (size_t i = 0; i < TOPO_N_BARS; i++)
		ck_assert_uint_eq(fn->bars[i].size, 0);
	scenario_free(&sc);
}
END_TEST

START_TEST(test_new_keys_default_to_v1)
{
	char *path = join_path(source_dir(), "scenarios/kata-10576.yaml");
	struct scenario sc;
	char error[SCENARIO_ERROR_MAX];
	const struct topology *topo = &sc.topo;

	ck_assert_msg(scenario_load(path, &sc, error) == 0, "%s", error);
	for (size_t i = 0; i < topo->n_functions; i++) {
		const struct topo_function *fn = &topo->functions[i];

		ck_assert(!fn->pcie.present);
		ck_assert_uint_eq(fn->pcie.speed, 0);
		for (size_t bar = 0; bar < TOPO_N_BARS; bar++)
			ck_assert_uint_eq(fn->bars[bar].kind, BAR_UNUSED);
		ck_assert_uint_eq(fn->rom.size, 0);
		ck_assert_ptr_null(fn->sriov);
		ck_assert_int_eq(fn->physfn, TOPO_NONE);
		ck_assert_uint_eq(fn->vf_index, 0);
		ck_assert_ptr_null(fn->label);
		ck_assert_int_eq(fn->acpi_index, -1);
	}
	for (size_t i = 0; i < topo->n_groups; i++) {
		ck_assert(!topo->groups[i].noiommu);
		ck_assert_ptr_null(topo->groups[i].regions);
		ck_assert_uint_eq(topo->groups[i].n_regions, 0);
	}
	scenario_free(&sc);
	free(path);
}
END_TEST

START_TEST(test_label_and_acpi_index)
{
	struct scenario sc;
	const struct topo_function *fn;

	load_good_text(
		"scenario: labels\n"
		"devices:\n"
		"  0000:00:19.0: {id: 8086:15b8, class: ethernet, label: \"Onboard LAN 1\",\n"
		"                 acpi_index: 3}\n"
		"  0000:00:1f.6: {id: 8086:15bb, class: ethernet, acpi_index: 0,\n"
		"                 label: \"NIC \xc3\xa9\n"
		"   012345678901234567890123456789012345678901234567890123456\"}\n",
		&sc);
	fn = function_at(&sc.topo, "0000:00:19.0");
	ck_assert_str_eq(fn->label, "Onboard LAN 1");
	ck_assert_int_eq(fn->acpi_index, 3);
	fn = function_at(&sc.topo, "0000:00:1f.6");
	/* The line break folds into a space: 64 bytes, the limit, which is allowed. */
	ck_assert_uint_eq(strlen(fn->label), 64);
	ck_assert_int_eq(strncmp(fn->label, "NIC \xc3\xa9 0123", 11), 0);
	ck_assert_int_eq(fn->acpi_index, 0);
	scenario_free(&sc);
}
END_TEST

START_TEST(test_noiommu_and_reserved_regions)
{
	struct scenario sc;
	const struct topology *topo = &sc.topo;
	const struct topo_group *group;

	load_good_text("scenario: groups\n"
		       "devices:\n"
		       "  0000:00:02.0: {id: 8086:3e92, class: vga, group: 1}\n"
		       "  0000:00:14.0: {id: 8086:a36d, class: usb-xhci, group: 3}\n"
		       "  0000:00:16.0: {id: 8086:a360, class: 0x0780, group: 4}\n"
		       "  0000:01:00.0: {id: 1af4:1041, class: ethernet, group: 9}\n"
		       "root_buses: [\"0000:01\"]\n"
		       "groups:\n"
		       "  9: {noiommu: true}\n"
		       "  4: {noiommu: false, type: DMA}\n"
		       "  1:\n"
		       "    type: identity\n"
		       "    reserved_regions:\n"
		       "      - {start: 0xfee00000, end: 0xfeefffff, type: msi}\n"
		       "      - {start: 0x7b800000, end: 0x7fffffff, type: direct-relaxable}\n"
		       "      - {start: 0x7b800000, end: 0x7b800fff, type: direct}\n"
		       "      - {type: reserved, end: 0xffffffffffffffff, start: 0xfef00000}\n"
		       "      - {start: 0xfee00000, end: 0xfee00fff, type: direct}\n",
		       &sc);
	group = &topo->groups[topology_find_group(topo, 9)];
	ck_assert(group->noiommu);
	ck_assert_int_eq(group->type, IOMMU_TYPE_UNKNOWN); /* no domain */
	ck_assert_uint_eq(group->n_regions, 0);
	group = &topo->groups[topology_find_group(topo, 4)];
	ck_assert(!group->noiommu);
	ck_assert_int_eq(group->type, IOMMU_TYPE_DMA);
	ck_assert_ptr_null(group->regions);
	ck_assert(!topo->groups[topology_find_group(topo, 3)].noiommu);

	/* Sorted by start, the kernel's type order breaking ties. */
	group = &topo->groups[topology_find_group(topo, 1)];
	ck_assert_int_eq(group->type, IOMMU_TYPE_IDENTITY);
	ck_assert_uint_eq(group->n_regions, 5);
	ck_assert_uint_eq(group->regions[0].start, 0x7b800000);
	ck_assert_str_eq(group->regions[0].type, "direct");
	ck_assert_str_eq(group->regions[1].type, "direct-relaxable");
	ck_assert_uint_eq(group->regions[1].end, 0x7fffffff);
	ck_assert_str_eq(group->regions[2].type, "direct");
	ck_assert_uint_eq(group->regions[2].start, 0xfee00000);
	ck_assert_str_eq(group->regions[3].type, "msi");
	ck_assert_uint_eq(group->regions[3].end, 0xfeefffff);
	ck_assert_str_eq(group->regions[4].type, "reserved");
	ck_assert_uint_eq(group->regions[4].end, UINT64_MAX);
	scenario_free(&sc);
}
END_TEST

/* Many PFs listed in reverse address order, thousands of VFs: every cross reference holds. */
START_TEST(test_many_vfs_cross_references)
{
	size_t capacity = 64 * 1024, len = 0;
	char *text = malloc(capacity);
	struct scenario sc;
	const struct topology *topo = &sc.topo;
	size_t n_vfs = 0;

	ck_assert_ptr_nonnull(text);
	len += (size_t)snprintf(text + len, capacity - len, "scenario: many-vfs\nroot_buses: [");
	for (unsigned bus = 0x10; bus <= 0xf0; bus += 0x10)
		len += (size_t)snprintf(text + len, capacity - len, "%s\"0000:%02x\"",
					bus == 0x10 ? "" : ", ", bus);
	len += (size_t)snprintf(text + len, capacity - len, "]\ndevices:\n");
	for (unsigned bus = 0xf0; bus >= 0x10; bus -= 0x10) {
		static const char pf[] =
			"  0000:%02x:00.0: {id: 8086:1592, class: ethernet, pcie: true,\n"
			"    group: %u, sriov: {total: 4000, num: 4000, offset: 8, vf_id: 1889}}\n";

		len += (size_t)snprintf(text + len, capacity - len, pf, bus, bus);
	}
	ck_assert_uint_lt(len, capacity);
	load_good_text(text, &sc);
	free(text);

	ck_assert_uint_eq(topo->n_functions, 15 + 15 * 4000);
	for (size_t i = 0; i < topo->n_functions; i++) {
		const struct topo_function *fn = &topo->functions[i];
		const struct topo_function *pf;
		uint32_t rid;

		if (i > 0)
			ck_assert_int_lt(pci_addr_compare(&topo->functions[i - 1].addr, &fn->addr),
					 0);
		if (fn->physfn == TOPO_NONE) {
			ck_assert_ptr_nonnull(fn->sriov);
			ck_assert_int_eq(topo->functions[fn->sriov->first_vf].physfn, (int32_t)i);
			ck_assert_uint_eq(topo->functions[fn->sriov->first_vf].vf_index, 0);
			continue;
		}
		n_vfs++;
		pf = &topo->functions[fn->physfn];
		rid = ((uint32_t)pf->addr.bus << 8) + 8 + fn->vf_index;
		ck_assert_uint_eq(fn->addr.bus, rid >> 8);
		ck_assert_uint_eq((uint32_t)fn->addr.dev << 3 | fn->addr.fn, rid & 0xff);
		/* Auto groups above 0xf0: PFs in address order (0x10 first), then VF index. */
		ck_assert_int_eq(group_of(topo, fn),
				 0xf1 + (pf->addr.bus / 0x10 - 1) * 4000 + fn->vf_index);
	}
	ck_assert_uint_eq(n_vfs, 15 * 4000);
	ck_assert_uint_eq(topo->n_root_buses, 15);
	scenario_free(&sc);
}
END_TEST

/* ---- raw config space and mediated devices --------------------------------------------- */

/* An lspci -xxxx style block of n bytes whose byte i is (i * 7 + 3) & 0xff, with offsets. */
static char *config_block(size_t n, const char *indent)
{
	size_t capacity = n * 3 + (n / 16 + 1) * (strlen(indent) + 8) + 1, len = 0;
	char *text = malloc(capacity);

	ck_assert_ptr_nonnull(text);
	for (size_t i = 0; i < n; i++) {
		if (i % 16 == 0)
			len += (size_t)snprintf(text + len, capacity - len,
						"%s%s%02zx:", i ? "\n" : "", indent, i);
		len += (size_t)snprintf(text + len, capacity - len, " %02zx", (i * 7 + 3) & 0xff);
	}
	ck_assert_uint_lt(len, capacity);
	return text;
}

static char *config_scenario(size_t n_bytes)
{
	static const char head[] = "scenario: raw\n"
				   "devices:\n"
				   "  0000:00:02.0:\n"
				   "    id: 8086:3e92\n"
				   "    class: vga\n"
				   "    config: |\n";
	char *block = config_block(n_bytes, "      ");
	size_t len = sizeof(head) + strlen(block) + 2;
	char *text = malloc(len);

	ck_assert_ptr_nonnull(text);
	snprintf(text, len, "%s%s\n", head, block);
	free(block);
	return text;
}

START_TEST(test_raw_config_spellings)
{
	struct scenario sc;
	const struct topology *topo = &sc.topo;
	const struct topo_function *fn;
	char *text;

	load_good_text(
		"scenario: raw\n"
		"devices:\n"
		"  0000:00:01.0: {id: 8086:1901, class: pci-bridge, config: 86 80 01 19}\n"
		"  0000:00:02.0: {id: 8086:3e92, class: vga, config: \"86\\t80  92\\n3E \"}\n"
		"  0000:00:14.0:\n"
		"    id: 8086:a36d\n"
		"    class: usb-xhci\n"
		"    config: |\n"
		"      0: 86 80\n"
		"\n"
		"        02: 6d a3\n" /* spaces before an offset still start the line */
		"      4: 06\n"
		"      05:\n"
		"      05: 00 90 02\n"
		"  0000:00:16.0:\n"
		"    id: 8086:a360\n"
		"    class: 0x0780\n"
		"    config: >\n"
		"      86 80\n"
		"      60 a3\n"
		"  0000:3b:00.0: {id: 8086:1572, class: ethernet, pcie: true,\n"
		"                 sriov: {total: 4, num: 2, vf_id: 154c}, config: 86 80 72 15}\n"
		"root_buses: [\"0000:3b\"]\n",
		&sc);
	fn = function_at(topo, "0000:00:01.0");
	ck_assert_uint_eq(fn->raw_config_len, 4);
	ck_assert_mem_eq(fn->raw_config, "\x86\x80\x01\x19", 4);
	fn = function_at(topo, "0000:00:02.0");
	ck_assert_uint_eq(fn->raw_config_len, 4);
	ck_assert_mem_eq(fn->raw_config, "\x86\x80\x92\x3e", 4); /* either case */
	fn = function_at(topo, "0000:00:14.0");
	ck_assert_uint_eq(fn->raw_config_len, 8);
	ck_assert_mem_eq(fn->raw_config, "\x86\x80\x6d\xa3\x06\x00\x90\x02", 8);
	fn = function_at(topo, "0000:00:16.0");
	ck_assert_uint_eq(fn->raw_config_len, 4);
	ck_assert_mem_eq(fn->raw_config, "\x86\x80\x60\xa3", 4);
	/* The PF's bytes are its own: VFs are always synthesized. */
	ck_assert_uint_eq(function_at(topo, "0000:3b:00.0")->raw_config_len, 4);
	ck_assert_ptr_null(function_at(topo, "0000:3b:00.1")->raw_config);
	ck_assert_uint_eq(function_at(topo, "0000:3b:00.2")->raw_config_len, 0);
	/* The text attributes still come from the keys. */
	ck_assert_uint_eq(function_at(topo, "0000:00:16.0")->class_code, 0x078000);
	scenario_free(&sc);

	/* lspci -xxxx: 3-digit offsets past 0xff, 4096 bytes in a scalar far above 4096 bytes. */
	text = config_scenario(4096);
	ck_assert_uint_gt(strlen(text), 3 * 4096);
	load_good_text(text, &sc);
	free(text);
	fn = function_at(topo, "0000:00:02.0");
	ck_assert_uint_eq(fn->raw_config_len, 4096);
	for (size_t i = 0; i < 4096; i++)
		ck_assert_uint_eq(fn->raw_config[i], (i * 7 + 3) & 0xff);
	ck_assert_ptr_null(function_at(topo, "0000:00:02.0")->mdev_types);
	ck_assert_uint_eq(topo->n_mdevs, 0);
	ck_assert_ptr_null(topo->mdevs);
	scenario_free(&sc);
}
END_TEST

START_TEST(test_raw_config_errors)
{
	static const struct {
		const char *config;
		const char *message;
	} cases[] = {
		{ "86 80 7", "'config' byte '7' is not two hex digits (line 1 of the value)" },
		{ "86 80 0x10",
		  "'config' byte '0x10' is not two hex digits (line 1 of the value)" },
		{ "\"00: 86 80\\n02: 72 15\\n10: 00\"",
		  "'config' offset '10:' does not match the 0x4 bytes before it (line 3 of the "
		  "value)" },
		{ "\"86 80 02: 72\"",
		  "'config' offset '02:' is not at the start of a line (line 1 of the value; only "
		  "a literal block, 'config: |', keeps YAML from joining lines)" },
		{ "\"\"", "'config' holds no bytes (1 to 4096)" },
		{ "\"0: \\n \"", "'config' holds no bytes (1 to 4096)" },
		{ "{}", "'config' must be a string" },
	};
	char error[SCENARIO_ERROR_MAX], text[256];
	struct scenario sc;
	char *path, *long_text;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(text, sizeof(text),
			 "scenario: raw\n"
			 "devices:\n"
			 "  0000:00:02.0: {id: 8086:3e92, class: vga,\n"
			 "    config: %s}\n",
			 cases[i].config);
		ck_assert_int_eq(load_text(text, &sc, error, &path), -1);
		ck_assert_int_eq(strncmp(error_after_path(error, path), "4:13: ", 6), 0);
		ck_assert_str_eq(error_after_path(error, path) + 6, cases[i].message);
		free(path);
	}

	/* One byte too many, and lspci's offsets count past 0xfff. */
	long_text = config_scenario(4097);
	ck_assert_int_eq(load_text(long_text, &sc, error, &path), -1);
	ck_assert_str_eq(error_after_path(error, path),
			 "6:13: 'config' holds 4097 bytes; the limit is 4096");
	ck_assert(is_zeroed(&sc));
	free(path);
	free(long_text);

	/* A `config` scalar may be long, but not without bound. */
	long_text = config_scenario(22000);
	ck_assert_int_eq(load_text(long_text, &sc, error, &path), -1);
	ck_assert_ptr_nonnull(strstr(error_after_path(error, path), "6:13: scalar is "));
	ck_assert_ptr_nonnull(strstr(error, " bytes long; the limit is 65536"));
	free(path);
	free(long_text);
}
END_TEST

START_TEST(test_mdev_vgpu_model)
{
	char *path = join_path(source_dir(), "scenarios/mdev-vgpu.yaml");
	struct scenario sc;
	char error[SCENARIO_ERROR_MAX];
	const struct topology *topo = &sc.topo;
	const struct topo_function *igpu;
	const struct topo_mdev_type *types;

	ck_assert_msg(scenario_load(path, &sc, error) == 0, "%s", error);
	igpu = function_at(topo, "0000:00:02.0");
	ck_assert_uint_eq(igpu->n_mdev_types, 2);
	types = igpu->mdev_types;
	ck_assert_str_eq(types[0].id, "i915-GVTg_V5_4");
	ck_assert_uint_eq(types[0].instances, 2);
	ck_assert_str_eq(types[0].name, "GVTg_V5_4");
	ck_assert_str_eq(types[0].device_api, "vfio-pci");
	ck_assert_int_eq(strncmp(types[0].description, "low_gm_size: 128MB", 18), 0);
	ck_assert_str_eq(types[1].id, "i915-GVTg_V5_8");
	ck_assert_uint_eq(types[1].instances, 4);

	/* Sorted by uuid, each alone in the group the file gives it. */
	ck_assert_uint_eq(topo->n_mdevs, 2);
	ck_assert_str_eq(topo->mdevs[0].uuid, "4b2b5d2e-8a21-4c5e-9f3b-2d8e6a1c7f40");
	ck_assert_str_eq(topo->mdevs[1].uuid, "83b8f4f2-509f-382f-3c1e-e6bfe0fa1001");
	ck_assert_int_eq(topo->mdevs[0].parent, index_of(topo, "0000:00:02.0"));
	ck_assert_int_eq(topo->mdevs[1].parent, index_of(topo, "0000:00:02.0"));
	ck_assert_int_eq(topo->mdevs[0].type, 1);
	ck_assert_int_eq(topo->mdevs[1].type, 0);
	ck_assert_int_eq(topo->groups[topo->mdevs[0].group].id, 13);
	ck_assert_int_eq(topo->groups[topo->mdevs[1].group].id, 12);
	/* The `groups:` entries name groups that only an mdev is in. */
	ck_assert_int_eq(topo->groups[topo->mdevs[1].group].type, IOMMU_TYPE_UNKNOWN);
	ck_assert_int_eq(group_of(topo, igpu), 1);
	ck_assert_uint_eq(topo->n_groups, 6); /* 0, 1, 2, 12, 13, 30 */
	for (size_t i = 0; i < topo->n_functions; i++) {
		if (&topo->functions[i] != igpu)
			ck_assert_ptr_null(topo->functions[i].mdev_types);
	}
	scenario_free(&sc);
	free(path);
}
END_TEST

START_TEST(test_mdev_defaults_and_auto_groups)
{
	struct scenario sc;
	const struct topology *topo = &sc.topo;
	const struct topo_function *gpu, *t4;
	static const char *const uuids[] = { "11111111-0000-0000-0000-000000000002",
					     "aaaaaaaa-0000-0000-0000-000000000003",
					     "bbbbbbbb-0000-0000-0000-000000000004",
					     "cccccccc-0000-0000-0000-000000000001" };

	/* Listed against address order; mdevs in neither uuid nor file order; upper-case uuids. */
	load_good_text(
		"scenario: mdev-auto\n"
		"root_buses: [\"0000:3b\", \"0000:65\"]\n"
		"devices:\n"
		"  0000:65:00.0:\n"
		"    id: 10de:1eb8\n"
		"    class: 3d\n"
		"    driver: nvidia\n"
		"    mdev:\n"
		"      - {uuid: CCCCCCCC-0000-0000-0000-000000000001, type: nvidia-222}\n"
		"      - {type: nvidia-223, uuid: 11111111-0000-0000-0000-000000000002,\n"
		"         group: 40}\n"
		"      - {uuid: aaaaaaaa-0000-0000-0000-000000000003, type: nvidia-222}\n"
		"    mdev_types:\n"
		"      - {id: nvidia-222, instances: 2, name: GRID T4-1B}\n"
		"      - {id: nvidia-223, instances: 1, device_api: vfio-ccw,\n"
		"         description: \"num_heads=4, frl_config=45, framebuffer=2048M\"}\n"
		"  0000:00:02.0:\n"
		"    id: 8086:3e92\n"
		"    class: vga\n"
		"    group: 5\n"
		"    mdev_types: [{id: nvidia-222, instances: 1}]\n" /* type ids are per device */
		"    mdev: [{uuid: bbbbbbbb-0000-0000-0000-000000000004, type: nvidia-222}]\n"
		"  0000:3b:00.0: {id: 8086:1572, class: ethernet, group: 20, pcie: true,\n"
		"                 sriov: {total: 4, num: 2, vf_id: 154c}}\n"
		"groups:\n"
		"  40: {type: DMA}\n",
		&sc);
	gpu = function_at(topo, "0000:00:02.0");
	t4 = function_at(topo, "0000:65:00.0");
	ck_assert_uint_eq(t4->n_mdev_types, 2);
	ck_assert_str_eq(t4->mdev_types[0].device_api, "vfio-pci"); /* the default */
	ck_assert_ptr_null(t4->mdev_types[0].description);
	ck_assert_str_eq(t4->mdev_types[0].name, "GRID T4-1B");
	ck_assert_str_eq(t4->mdev_types[1].device_api, "vfio-ccw");
	ck_assert_ptr_null(t4->mdev_types[1].name);
	ck_assert_str_eq(t4->mdev_types[1].description,
			 "num_heads=4, frl_config=45, framebuffer=2048M");
	ck_assert_uint_eq(gpu->n_mdev_types, 1);
	ck_assert_ptr_null(gpu->mdev_types[0].name);

	/* Highest group: 40 (an mdev's). VFs 41 and 42, then the mdevs without 'group' in uuid
	 * order: aaaa... 43, bbbb... 44, cccc... 45. */
	ck_assert_int_eq(group_of(topo, function_at(topo, "0000:3b:00.1")), 41);
	ck_assert_int_eq(group_of(topo, function_at(topo, "0000:3b:00.2")), 42);
	ck_assert_uint_eq(topo->n_mdevs, 4);
	for (size_t i = 0; i < 4; i++)
		ck_assert_str_eq(topo->mdevs[i].uuid, uuids[i]);
	ck_assert_int_eq(topo->groups[topo->mdevs[0].group].id, 40);
	ck_assert_int_eq(topo->groups[topo->mdevs[1].group].id, 43);
	ck_assert_int_eq(topo->groups[topo->mdevs[2].group].id, 44);
	ck_assert_int_eq(topo->groups[topo->mdevs[3].group].id, 45);
	ck_assert_int_eq(topo->groups[topo->mdevs[0].group].type, IOMMU_TYPE_DMA);
	ck_assert_int_eq(topo->groups[topo->mdevs[3].group].type, IOMMU_TYPE_DMA_FQ);
	ck_assert_uint_eq(topo->groups[topo->mdevs[3].group].pos.line, 9);
	/* Parents and types as indices; positions at the entries. */
	ck_assert_int_eq(topo->mdevs[0].parent, index_of(topo, "0000:65:00.0"));
	ck_assert_int_eq(topo->mdevs[2].parent, index_of(topo, "0000:00:02.0"));
	ck_assert_int_eq(topo->mdevs[0].type, 1);
	ck_assert_int_eq(topo->mdevs[1].type, 0);
	ck_assert_int_eq(topo->mdevs[2].type, 0);
	ck_assert_uint_eq(topo->mdevs[0].pos.line, 10);
	ck_assert_uint_eq(topo->mdevs[0].pos.column, 9);
	/* Groups 5, 20, 40..45, then two for VFs not enabled; nothing is in two groups. */
	ck_assert_uint_eq(topo->n_groups, 8 + 2);
	for (size_t i = 1; i < topo->n_groups; i++)
		ck_assert_int_lt(topo->groups[i - 1].id, topo->groups[i].id);
	scenario_free(&sc);
}
END_TEST

/* Duplicates among many: the second of a uuid earliest in the file is reported. */
START_TEST(test_mdev_uuid_uniqueness)
{
	char error[SCENARIO_ERROR_MAX];
	struct scenario sc;
	char *path;

	ck_assert_int_eq(load_text("scenario: uuids\n"
				   "devices:\n"
				   "  0000:00:02.0:\n"
				   "    id: 8086:3e92\n"
				   "    class: vga\n"
				   "    mdev_types: [{id: i915-GVTg_V5_8, instances: 8}]\n"
				   "    mdev:\n"
				   "      - uuid: 11111111-1111-1111-1111-111111111111\n"
				   "        type: i915-GVTg_V5_8\n"
				   "      - uuid: 22222222-2222-2222-2222-22222222222a\n"
				   "        type: i915-GVTg_V5_8\n"
				   "      - uuid: 22222222-2222-2222-2222-22222222222A\n"
				   "        type: i915-GVTg_V5_8\n"
				   "      - uuid: 11111111-1111-1111-1111-111111111111\n"
				   "        type: i915-GVTg_V5_8\n"
				   "      - uuid: 22222222-2222-2222-2222-22222222222a\n"
				   "        type: i915-GVTg_V5_8\n",
				   &sc, error, &path),
			 -1);
	ck_assert_str_eq(
		error_after_path(error, path),
		"12:15: duplicate mdev uuid 22222222-2222-2222-2222-22222222222a (first at "
		"10:15)");
	ck_assert(is_zeroed(&sc));
	free(path);
}
END_TEST

/* Thousands of mdevs: sorted by uuid, auto groups in that order, every index valid. */
START_TEST(test_many_mdevs)
{
	enum { N_MDEVS = 20000 };
	size_t capacity = 256 + (size_t)N_MDEVS * 96, len = 0;
	char *text = malloc(capacity);
	struct scenario sc;
	const struct topology *topo = &sc.topo;

	ck_assert_ptr_nonnull(text);
	len += (size_t)snprintf(text + len, capacity - len,
				"scenario: many-mdevs\n"
				"devices:\n"
				"  0000:00:02.0:\n"
				"    id: 8086:3e92\n"
				"    class: vga\n"
				"    group: 7\n"
				"    mdev_types: [{id: i915-GVTg_V5_8, instances: 65535}]\n"
				"    mdev:\n");
	for (unsigned i = 0; i < N_MDEVS; i++) {
		/* A permutation of 0..N-1, so that file order is not uuid order. */
		unsigned key = (i * 7919u) % N_MDEVS;

		len += (size_t)snprintf(text + len, capacity - len,
					"    - {uuid: %08x-0000-4000-8000-000000000000, type: "
					"i915-GVTg_V5_8}\n",
					key);
	}
	ck_assert_uint_lt(len, capacity);
	load_good_text(text, &sc);
	free(text);
	ck_assert_uint_eq(topo->n_mdevs, N_MDEVS);
	ck_assert_uint_eq(topo->n_groups, N_MDEVS + 1);
	for (size_t i = 0; i < topo->n_mdevs; i++) {
		char expected[37];

		snprintf(expected, sizeof(expected), "%08x-0000-4000-8000-000000000000",
			 (unsigned)i);
		ck_assert_str_eq(topo->mdevs[i].uuid, expected);
		ck_assert_int_eq(topo->groups[topo->mdevs[i].group].id, 8 + (int32_t)i);
		ck_assert_int_eq(topo->mdevs[i].parent, 0);
		ck_assert_int_eq(topo->mdevs[i].type, 0);
	}
	scenario_free(&sc);
}
END_TEST

/* ---- errors ---------------------------------------------------------------------------- */

START_TEST(test_missing_file)
{
	char *path = join_path(source_dir(), "scenarios/no-such-scenario.yaml");
	char error[SCENARIO_ERROR_MAX], expected[SCENARIO_ERROR_MAX];
	struct scenario sc;

	memset(&sc, 0x5a, sizeof(sc));
	ck_assert_int_eq(scenario_load(path, &sc, error), -1);
	snprintf(expected, sizeof(expected), "%s: %s", path, strerror(ENOENT));
	ck_assert_str_eq(error, expected);
	ck_assert(is_zeroed(&sc));
	free(path);

	path = join_path(source_dir(), "scenarios");
	ck_assert_int_eq(scenario_load(path, &sc, error), -1);
	snprintf(expected, sizeof(expected), "%s: %s", path, strerror(EISDIR));
	ck_assert_str_eq(error, expected);
	free(path);
}
END_TEST

START_TEST(test_empty_file)
{
	char *path = write_temp("", 0);
	char error[SCENARIO_ERROR_MAX], expected[SCENARIO_ERROR_MAX];
	struct scenario sc;

	ck_assert_int_eq(scenario_load(path, &sc, error), -1);
	snprintf(expected, sizeof(expected), "%s: empty scenario", path);
	ck_assert_str_eq(error, expected);
	ck_assert(is_zeroed(&sc));
	unlink(path);
	free(path);
}
END_TEST

/* The first line of a bad file is "# error: " and the message without the file name. */
/* The first line of path, or of path.error beside it for files that cannot carry it (binary,
 * UTF-16). */
static char *read_expected_error(const char *path)
{
	char *sidecar = malloc(strlen(path) + sizeof(".error"));
	char line[SCENARIO_ERROR_MAX + 16];
	size_t len;

	ck_assert_ptr_nonnull(sidecar);
	strcat(strcpy(sidecar, path), ".error");
	FILE *file = fopen(sidecar, "rb");
	free(sidecar);
	if (!file)
		file = fopen(path, "rb");
	ck_assert_ptr_nonnull(file);
	ck_assert_ptr_nonnull(fgets(line, sizeof(line), file));
	fclose(file);
	len = strlen(line);
	ck_assert_msg(len > 0 && line[len - 1] == '\n', "%s: first line too long", path);
	line[len - 1] = '\0';
	ck_assert_msg(strncmp(line, ERROR_PREFIX, strlen(ERROR_PREFIX)) == 0,
		      "%s does not start with '" ERROR_PREFIX "'", path);
	return strdup(line + strlen(ERROR_PREFIX));
}

START_TEST(test_bad_corpus)
{
	char *dir = join_path(source_dir(), "tests/bad");
	struct path_list list = { 0 };

	find_yaml(dir, false, &list);
	ck_assert_uint_ge(list.count, 30);
	for (size_t i = 0; i < list.count; i++) {
		const char *path = list.paths[i];
		char *text = read_expected_error(path);
		char error[SCENARIO_ERROR_MAX], expected[SCENARIO_ERROR_MAX];
		struct scenario sc;
		/* "LINE:COL: message" follows "FILE:" directly; a bare message follows "FILE: ". */
		bool positioned = text[0] >= '0' && text[0] <= '9';

		snprintf(expected, sizeof(expected), "%s:%s%s", path, positioned ? "" : " ", text);
		memset(&sc, 0x5a, sizeof(sc));
		if (scenario_load(path, &sc, error) == 0) {
			/* Verbatim entries that do not fit show once the tree is built. */
			struct host_tree ht;

			ck_assert_msg(sc.n_verbatim, "%s loaded", path);
			ck_assert_msg(scenario_tree_build(&sc, &ht, error) == -EINVAL,
				      "%s: its verbatim entries fit", path);
			scenario_free(&sc);
		}
		ck_assert_str_eq(error, expected);
		ck_assert_msg(strchr(error, '\n') == NULL, "%s: message spans lines", path);
		ck_assert_msg(is_zeroed(&sc), "%s: *out not zeroed", path);
		free(text);
	}
	path_list_free(&list);
	free(dir);
}
END_TEST

START_TEST(test_errors_in_file_order)
{
	char error[SCENARIO_ERROR_MAX];
	struct scenario sc;
	char *path;

	/* Two offenders of one whole-file rule: the earlier in the file is reported, though
	 * the check visits them in bus order. */
	ck_assert_int_eq(load_text("scenario: order\n"
				   "root_buses: [\"0000:20\", \"0000:17\"]\n"
				   "devices:\n"
				   "  0000:00:00.0: {id: 8086:2020, class: host-bridge}\n",
				   &sc, error, &path),
			 -1);
	ck_assert_str_eq(error_after_path(error, path),
			 "2:14: root bus 0000:20 has no device on it");
	free(path);

	ck_assert_int_eq(load_text("scenario: order\n"
				   "devices:\n"
				   "  0000:40:00.0: {id: 8086:1572, class: ethernet}\n"
				   "  0000:00:00.0: {id: 8086:2020, class: host-bridge}\n"
				   "  0000:30:00.0: {id: 8086:1572, class: ethernet}\n",
				   &sc, error, &path),
			 -1);
	ck_assert_str_eq(error_after_path(error, path),
			 "3:3: device 0000:40:00.0 is on bus 0000:40, which no bridge leads to "
			 "(give a bridge 'secondary: 0x40' or list \"0000:40\" in root_buses)");
	free(path);
}
END_TEST

/* The resource assignment has no position: its failure is "FILE: message". */
START_TEST(test_resource_failure_has_no_position)
{
	char error[SCENARIO_ERROR_MAX];
	struct scenario sc;
	char *path;
	const char *message;

	/* Four 2 GiB 32-bit BARs cannot fit below 4 GiB. */
	ck_assert_int_eq(load_text("scenario: exhausted\n"
				   "devices:\n"
				   "  0000:00:01.0: {id: 10de:2330, class: 3d,\n"
				   "    bars: [{size: 2G}, {size: 2G}, {size: 2G}, {size: 2G}]}\n",
				   &sc, error, &path),
			 -1);
	message = error_after_path(error, path);
	ck_assert_msg(message[0] == ' ' && !(message[1] >= '0' && message[1] <= '9'),
		      "not position-less: %s", error);
	ck_assert_uint_gt(strlen(message), 2);
	ck_assert(is_zeroed(&sc));
	free(path);
}
END_TEST

/*
 * A file past the size at which the loader parses its second half on another thread, with
 * whatever is wrong placed on line bad_line (1-based), replacing that device's line: the
 * message must name that line whichever parser met it first.
 */
#define BIG_BUSES 72 /* 72 buses x 256 functions, about 1.1 MB: past the 1 MiB split size */

static char *big_scenario(unsigned bad_line, const char *bad_text, unsigned *n_lines)
{
	size_t capacity = 2 * 1024 * 1024, len = 0;
	char *text = malloc(capacity);
	unsigned line = 1;

	ck_assert_ptr_nonnull(text);
	len += (size_t)snprintf(text + len, capacity - len, "scenario: big\nroot_buses: [");
	for (unsigned bus = 1; bus < BIG_BUSES; bus++)
		len += (size_t)snprintf(text + len, capacity - len, "%s\"0000:%02x\"",
					bus > 1 ? ", " : "", bus);
	len += (size_t)snprintf(text + len, capacity - len, "]\ndevices:\n");
	line += 3;
	for (unsigned bus = 0; bus < BIG_BUSES; bus++)
		for (unsigned devfn = 0; devfn < 256; devfn++, line++) {
			if (line == bad_line)
				len += (size_t)snprintf(text + len, capacity - len, "%s\n",
							bad_text);
			else
				len += (size_t)snprintf(
					text + len, capacity - len,
					"  0000:%02x:%02x.%u: {id: 1af4:1041, class: ethernet, "
					"group: %u}\n",
					bus, devfn >> 3, devfn & 7, bus * 32 + (devfn >> 3));
			ck_assert_uint_lt(len, capacity);
		}
	ck_assert_uint_gt(len, 1024 * 1024);
	*n_lines = line - 1;
	return text;
}

/* The error for text with bad_text on bad_line; it must name that line. */
static void big_error_on_line(unsigned bad_line, const char *bad_text, const char *message)
{
	char error[SCENARIO_ERROR_MAX], want[64];
	struct scenario sc;
	unsigned n_lines;
	char *path, *text = big_scenario(bad_line, bad_text, &n_lines);

	ck_assert_int_eq(load_text(text, &sc, error, &path), -1);
	snprintf(want, sizeof(want), "%u:", bad_line);
	const char *rest = error_after_path(error, path);
	ck_assert_msg(strncmp(rest, want, strlen(want)) == 0 && strstr(rest, message),
		      "line %u of %u: want '%s...%s', got: %s", bad_line, n_lines, want, message,
		      error);
	ck_assert(is_zeroed(&sc));
	free(path);
	free(text);
}

START_TEST(test_large_file_split_parse)
{
	struct scenario sc;
	unsigned n_lines;
	char *text = big_scenario(0, NULL, &n_lines);

	load_good_text(text, &sc);
	ck_assert_uint_eq(sc.topo.n_functions, BIG_BUSES * 256);
	/* The last device, from the far end of the second half, is where it should be. */
	const struct topo_function *last = function_at(&sc.topo, "0000:47:1f.7");
	ck_assert_uint_eq(last->pos.line, n_lines);
	ck_assert_int_eq(sc.topo.groups[last->group].id, BIG_BUSES * 32 - 1);
	scenario_free(&sc);
	free(text);

	/* In the first half, just before and just after the middle, and at the end; a model
	 * error (met in the second half's events), then a syntax error (met by the first
	 * parser, which carries on alone past a second half that failed). */
	const unsigned lines[] = { 10, 8000, 8700, 9500, 18000 };
	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		big_error_on_line(lines[i], "  0000:47:1f.7: {id: 1af4:1041, class: nonsense}",
				  "class");
		big_error_on_line(lines[i], "  0000:47:1f.7: {id: 1af4:1041, class: ethernet}]",
				  "expected");
	}
}
END_TEST

static Suite *scenario_suite(void)
{
	Suite *suite = suite_create("scenario");
	TCase *model = tcase_create("model");
	TCase *loading = tcase_create("loading");
	TCase *errors = tcase_create("errors");

	tcase_add_test(model, test_pci_addr_round_trip);
	tcase_add_test(model, test_pci_addr_fields);
	tcase_add_test(model, test_pci_addr_rejects);
	tcase_add_test(model, test_pci_addr_order);
	tcase_add_test(model, test_class_names);
	tcase_add_test(model, test_class_name_fallback);
	tcase_add_test(model, test_class_table_consistent);
	tcase_add_test(model, test_class_bridges);
	tcase_add_test(model, test_iommu_group_types);
	suite_add_tcase(suite, model);

	tcase_add_test(loading, test_every_scenario_loads);
	tcase_add_test(loading, test_kata_10576_model);
	tcase_add_test(loading, test_prefix_scenario);
	tcase_add_test(loading, test_defaults);
	tcase_add_test(loading, test_subordinate_grows_through_chain);
	tcase_add_test(loading, test_number_spellings);
	tcase_add_test(loading, test_sandbox_shapes);
	tcase_add_test(loading, test_steps_and_faults);
	tcase_add_test(loading, test_unplugged_card);
	tcase_add_test(loading, test_d3cold_allowed);
	tcase_add_test(loading, test_scalar_length_limit);
	tcase_add_test(loading, test_vf_formula_spills_onto_next_bus);
	tcase_add_test(loading, test_vf_groups_modes);
	tcase_add_test(loading, test_pcie_types_and_links);
	tcase_add_test(loading, test_bars_and_rom);
	tcase_add_test(loading, test_new_keys_default_to_v1);
	tcase_add_test(loading, test_label_and_acpi_index);
	tcase_add_test(loading, test_noiommu_and_reserved_regions);
	tcase_add_test(loading, test_many_vfs_cross_references);
	tcase_add_test(loading, test_raw_config_spellings);
	tcase_add_test(loading, test_mdev_vgpu_model);
	tcase_add_test(loading, test_mdev_defaults_and_auto_groups);
	tcase_add_test(loading, test_many_mdevs);
	tcase_add_test(loading, test_large_file_split_parse);
	suite_add_tcase(suite, loading);

	tcase_add_test(errors, test_missing_file);
	tcase_add_test(errors, test_empty_file);
	tcase_add_test(errors, test_bad_corpus);
	tcase_add_test(errors, test_errors_in_file_order);
	tcase_add_test(errors, test_resource_failure_has_no_position);
	tcase_add_test(errors, test_raw_config_errors);
	tcase_add_test(errors, test_mdev_uuid_uniqueness);
	/* Valgrind (CK_FORK=no) is slow on the corpus. */
	tcase_set_timeout(errors, 60);
	suite_add_tcase(suite, errors);
	return suite;
}

int main(void)
{
	return check_run(scenario_suite());
}

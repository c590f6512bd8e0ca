/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for the scenario loader and the model helpers: PCI addresses, class names, IOMMU
 * group types, the shipped scenarios, defaults, and the malformed corpus in tests/bad.
 */
#include "pci_class.h"
#include "scenario.h"
#include "topology.h"

#include <check.h>
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
static char *read_expected_error(const char *path)
{
	FILE *file = fopen(path, "rb");
	char line[SCENARIO_ERROR_MAX + 16];
	size_t len;

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
		ck_assert_msg(scenario_load(path, &sc, error) == -1, "%s loaded", path);
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
	tcase_add_test(loading, test_scalar_length_limit);
	suite_add_tcase(suite, loading);

	tcase_add_test(errors, test_missing_file);
	tcase_add_test(errors, test_empty_file);
	tcase_add_test(errors, test_bad_corpus);
	tcase_add_test(errors, test_errors_in_file_order);
	/* Valgrind (CK_FORK=no) is slow on the corpus. */
	tcase_set_timeout(errors, 60);
	suite_add_tcase(suite, errors);
	return suite;
}

int main(void)
{
	SRunner *runner = srunner_create(scenario_suite());
	int failed;

	srunner_run_all(runner, CK_NORMAL);
	failed = srunner_ntests_failed(runner);
	srunner_free(runner);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* SPDX-License-Identifier: MIT */
/*
 * The host a scenario describes: PCI functions on their buses, the bridges between buses,
 * IOMMU groups and drivers. This is plain data; nothing here knows about YAML, sysfs or FUSE.
 * The scenario parser fills it in and resolves every cross reference (parents, drivers, groups)
 * so that consumers never search.
 */
#ifndef FAKESYS_TOPOLOGY_H
#define FAKESYS_TOPOLOGY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TOPO_NONE (-1)

/* Where a value came from in the scenario file, for error messages. 1-based; 0 = unknown. */
struct src_pos {
	uint32_t line;
	uint32_t column;
};

struct pci_addr {
	uint32_t domain; /* 0..0xffff normally; VMD domains are 0x10000 and up */
	uint8_t bus;
	uint8_t dev; /* 0..31 */
	uint8_t fn;  /* 0..7 */
};

/* "DDDD:BB:DD.F", or "DDDDD:BB:DD.F" for a VMD domain. */
#define PCI_ADDR_STRLEN 16
void pci_addr_format(const struct pci_addr *addr, char out[PCI_ADDR_STRLEN]);
/* Strict parse of the full form above (lower or upper case hex); false if malformed. */
bool pci_addr_parse(const char *text, struct pci_addr *out);
int pci_addr_compare(const struct pci_addr *a, const struct pci_addr *b);

enum iommu_group_type {
	IOMMU_TYPE_DMA,
	IOMMU_TYPE_DMA_FQ,
	IOMMU_TYPE_IDENTITY,
	IOMMU_TYPE_UNMANAGED,
	IOMMU_TYPE_BLOCKED,
	IOMMU_TYPE_UNKNOWN,
};
/* The kernel's spelling ("DMA", "DMA-FQ", "identity", ...). */
const char *iommu_group_type_name(enum iommu_group_type type);
bool iommu_group_type_parse(const char *text, enum iommu_group_type *out);

struct topo_function {
	struct pci_addr addr;
	uint16_t vendor;
	uint16_t device;
	uint16_t subsys_vendor;
	uint16_t subsys_device;
	uint32_t class_code; /* base << 16 | sub << 8 | prog-if */
	uint8_t revision;
	uint8_t irq;	       /* INTx line; 0 = none */
	int32_t numa_node;     /* -1 = none */
	int32_t group;	       /* index into topology.groups, or TOPO_NONE */
	int32_t driver;	       /* index into topology.drivers, or TOPO_NONE */
	int32_t parent;	       /* index of the bridge whose secondary bus we sit on, or TOPO_NONE */
	bool is_bridge;	       /* type 1 header: PCI-to-PCI bridge (class 0x0604xx/0x0609xx) */
	uint8_t secondary_bus; /* bridges only */
	uint8_t subordinate_bus; /* bridges only: highest bus number below */
	struct src_pos pos;
};

struct topo_group {
	int32_t id; /* the number in /sys/kernel/iommu_groups/<id> */
	enum iommu_group_type type;
	struct src_pos pos;
};

struct topo_driver {
	char *name; /* directory name in /sys/bus/pci/drivers */
};

/* A bus that no bridge leads to: /sys/devices/pci<DDDD>:<BB>. */
struct topo_root_bus {
	uint32_t domain;
	uint8_t bus;
};

struct topo_host {
	uint32_t cpus;	     /* logical CPUs, 0..cpus-1 */
	uint32_t numa_nodes; /* CPUs split into this many equal contiguous ranges */
};

struct topology {
	struct topo_host host;
	/* Sorted by address. */
	struct topo_function *functions;
	size_t n_functions;
	/* Sorted by id. */
	struct topo_group *groups;
	size_t n_groups;
	/* Sorted by name. */
	struct topo_driver *drivers;
	size_t n_drivers;
	/* Sorted by (domain, bus). */
	struct topo_root_bus *root_buses;
	size_t n_root_buses;
};

void topology_free(struct topology *topo);

/* Index of the function at addr, or TOPO_NONE. Binary search: functions are sorted. */
int32_t topology_find_function(const struct topology *topo, const struct pci_addr *addr);
/* Index of the group with that id, or TOPO_NONE. */
int32_t topology_find_group(const struct topology *topo, int32_t id);
/* Index of the driver with that name, or TOPO_NONE. */
int32_t topology_find_driver(const struct topology *topo, const char *name);

/* True if some other function shares this one's bus and device number (header bit 7). */
bool topology_is_multifunction(const struct topology *topo, const struct topo_function *fn);

#endif

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

/* PCI Express capability: device/port type and link (conventional PCI when !present). */
enum pcie_port_type {
	PCIE_ENDPOINT = 0x0,
	PCIE_LEGACY_ENDPOINT = 0x1,
	PCIE_ROOT_PORT = 0x4,
	PCIE_UPSTREAM_PORT = 0x5,
	PCIE_DOWNSTREAM_PORT = 0x6,
	PCIE_TO_PCI_BRIDGE = 0x7,
	PCI_TO_PCIE_BRIDGE = 0x8,
	PCIE_RC_INTEGRATED_ENDPOINT = 0x9,
	PCIE_RC_EVENT_COLLECTOR = 0xa,
};

struct topo_pcie {
	bool present;	   /* false: conventional PCI, 256-byte config space */
	uint8_t port_type; /* enum pcie_port_type, the capability's Device/Port Type field */
	uint8_t max_speed; /* link generation 1..6 = 2.5, 5, 8, 16, 32, 64 GT/s; 0 = no link */
	uint8_t max_width; /* lanes: 1, 2, 4, 8, 12, 16, 32 */
	uint8_t speed;	   /* negotiated, <= max_speed */
	uint8_t width;	   /* negotiated, <= max_width */
};

enum topo_bar_kind {
	BAR_UNUSED = 0,
	BAR_MEM32,
	BAR_MEM64, /* also takes the next BAR register, which stays BAR_UNUSED */
	BAR_IO,
};

/* A BAR, a ROM or an SR-IOV VF BAR: size from the scenario, start assigned as firmware does. */
struct topo_bar {
	uint64_t start;
	uint64_t size; /* a power of two; 0 when unused */
	uint8_t kind;  /* enum topo_bar_kind */
	bool prefetchable;
};

#define TOPO_N_BARS 6

/* A bridge's forwarding windows, derived from what sits below it; size 0 = closed. */
struct topo_window {
	uint64_t start;
	uint64_t size;
};

struct topo_sriov {
	uint16_t total; /* TotalVFs */
	uint16_t num;	/* NumVFs enabled now; VFs 0..num-1 are present */
	/* VFs 0..possible-1 are functions of the model, present or not: every VF up to TotalVFs
	 * until the first whose address is taken or past the last bus. */
	uint16_t possible;
	uint16_t offset;		      /* First VF Offset */
	uint16_t stride;		      /* VF Stride */
	uint16_t vf_device;		      /* VF Device ID */
	int32_t vf_driver;		      /* index into topology.drivers, or TOPO_NONE */
	bool drivers_autoprobe;		      /* sriov_drivers_autoprobe */
	struct topo_bar vf_bars[TOPO_N_BARS]; /* per-VF size; start of VF 0's BAR */
	int32_t first_vf; /* index of VF 0 in topology.functions, TOPO_NONE if possible == 0 */
};

struct topo_function {
	struct pci_addr addr;
	/* On the bus now: false for a VF not enabled and for a function removed through sysfs.
	 * Absent functions are left out of the tree as if they did not exist. */
	bool present;
	/* Not in its slot: the scenario says `plugged: false`, or `fakesys ctl unplug` pulled it.
	 * No rescan finds it, nor anything below it, until it is plugged in. */
	bool unplugged;
	/* The platform keeps it out of D3cold (`d3cold_allowed: false`): the file reads 0 from boot
	 * and after every rescan, until written. */
	bool d3cold_disallowed;
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
	struct topo_pcie pcie;
	struct topo_bar bars[TOPO_N_BARS];
	struct topo_bar rom; /* expansion ROM; size 0 = none */
	/* Bridges: I/O, memory and prefetchable windows covering everything below. */
	struct topo_window io_window, mem_window, pref_window;
	struct topo_sriov *sriov; /* physical functions only, else NULL */
	int32_t physfn;		  /* virtual functions: index of the PF, else TOPO_NONE */
	uint16_t vf_index;	  /* virtual functions: the N of the PF's virtfnN */
	char *label;		  /* firmware name (label file, lspci "DeviceName"), or NULL */
	/* Config space bytes given by the scenario, served as given (zero past the end), instead
	 * of synthesized ones; NULL when synthesized. */
	uint8_t *raw_config;
	uint16_t raw_config_len; /* 1..4096 */
	/* Mediated device types this parent offers (mdev_supported_types/<id>/). */
	struct topo_mdev_type *mdev_types;
	size_t n_mdev_types;
	int32_t acpi_index;   /* acpi_index file; -1 = none */
	int32_t smbios_index; /* SMBIOS device instance (index file); -1 = none */
	struct src_pos pos;
};

/* A line of reserved_regions: "0x%016llx 0x%016llx %s\n" (end inclusive). */
struct topo_region {
	uint64_t start;
	uint64_t end;
	char type[20]; /* direct, direct-relaxable, reserved, msi */
};

struct topo_group {
	int32_t id; /* the number in /sys/kernel/iommu_groups/<id> */
	enum iommu_group_type type;
	/* No IOMMU: the group is named "vfio-noiommu", its node is /dev/vfio/noiommu-<id>, and
	 * reserved_regions is empty. */
	bool noiommu;
	/* reserved_regions, sorted by start; NULL/0 with !noiommu means the x86 MSI default. */
	struct topo_region *regions;
	size_t n_regions;
	struct src_pos pos;
};

#define TOPO_PCI_ANY_ID 0xffffffffu

/* A line of a driver's ID table (struct pci_device_id): which functions it claims. */
struct topo_pci_id {
	uint32_t vendor, device;       /* TOPO_PCI_ANY_ID matches any */
	uint32_t subvendor, subdevice; /* likewise */
	uint32_t class_code, class_mask;
};

struct topo_driver {
	char *name; /* directory name in /sys/bus/pci/drivers */
	/* Its static ID table: by default the IDs of the functions the scenario binds to it, as
	 * if the driver (or vfio-pci's ids= option) claimed exactly those. */
	struct topo_pci_id *ids;
	size_t n_ids;
	bool sriov_configure;	     /* it can enable VFs through sriov_numvfs */
	struct topo_pci_id *dyn_ids; /* added through new_id since */
	size_t n_dyn_ids;
};

/* A type of mediated device a parent offers: mdev_supported_types/<id>/. */
struct topo_mdev_type {
	char *id;	    /* "<driver>-<name>", e.g. "i915-GVTg_V5_4", "nvidia-63" */
	char *name;	    /* the optional "name" file, or NULL */
	char *description;  /* the optional "description" file, or NULL */
	char *device_api;   /* "vfio-pci", ... */
	uint32_t instances; /* how many this type allows in all; available = instances - created */
};

/* A created mediated device: <parent>/<uuid>/, in its own IOMMU group. */
struct topo_mdev {
	char uuid[37];	/* lower-case 8-4-4-4-12 */
	int32_t parent; /* index into topology.functions */
	int32_t type;	/* index into the parent's mdev_types */
	int32_t group;	/* index into topology.groups */
	struct src_pos pos;
};

/* A bus that no bridge leads to: /sys/devices/pci<DDDD>:<BB>. */
struct topo_root_bus {
	uint32_t domain;
	uint8_t bus;
};

struct topo_host {
	uint32_t cpus;	     /* logical CPUs, 0..cpus-1 */
	uint32_t numa_nodes; /* CPUs split into this many equal contiguous ranges */
	/* CONFIG_VFIO_DEVICE_CDEV: devices bound to vfio-pci also get /dev/vfio/devices/vfio<X>
	 * (iommufd), and /dev/iommu exists. */
	bool vfio_cdev;
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
	/* Sorted by uuid. */
	struct topo_mdev *mdevs;
	size_t n_mdevs;
};

void topology_free(struct topology *topo);

/* The driver that hands devices to user space; every topology has it. */
#define TOPO_DRIVER_VFIO_PCI "vfio-pci"

/* The name of the driver fn is bound to, or NULL when unbound. */
const char *topology_driver_of(const struct topology *topo, const struct topo_function *fn);
/*
 * fn's driver manages DMA itself (the kernel's driver_managed_dma): vfio-pci and its variant
 * drivers, pci-stub and pcieport. Binding one takes no ownership of the IOMMU group.
 */
bool topology_driver_manages_dma(const struct topology *topo, const struct topo_function *fn);
/* fn is bound to vfio-pci: its group is usable through VFIO. */
bool topology_is_vfio_bound(const struct topology *topo, const struct topo_function *fn);

/* The routing ID (bus << 8 | devfn) of a function, as SR-IOV computes VF addresses. */
uint32_t topology_routing_id(const struct pci_addr *addr);
/* Where VF n of PF pf sits: routing ID = the PF's + offset + stride * n, which may spill onto
 * higher buses; false past bus 0xff. */
bool topology_vf_address(const struct topo_function *pf, uint32_t n, struct pci_addr *out);

/* Whether id (a line of a driver's table) claims fn, as pci_match_one_device() decides. */
bool topology_id_matches(const struct topo_pci_id *id, const struct topo_function *fn);

/* Index of the function at addr, or TOPO_NONE. Binary search: functions are sorted. */
int32_t topology_find_function(const struct topology *topo, const struct pci_addr *addr);
/* Index of the group with that id, or TOPO_NONE. */
int32_t topology_find_group(const struct topology *topo, int32_t id);
/* Index of the driver with that name, or TOPO_NONE. */
int32_t topology_find_driver(const struct topology *topo, const char *name);

/* Whether function index is on the bus: it and every PF and bridge above it present (not a VF
 * left disabled, not removed through sysfs, not on a card out of its slot). */
bool topology_function_on_bus(const struct topology *topo, size_t index);
/* Which IOMMU groups exist (shown[0..n_groups)): those with a function on the bus, and those
 * given no function at all (a group of mediated devices only). 0 or -ENOMEM. */
int topology_groups_shown(const struct topology *topo, bool *shown);

/* The same domain, bus and device number: functions of one card, in one slot. */
bool topology_same_slot(const struct pci_addr *a, const struct pci_addr *b);

/* Header bit 7: another function that is not a VF shares this one's bus and device number.
 * Always false for a VF, whose header says nothing of its neighbours. */
bool topology_is_multifunction(const struct topology *topo, const struct topo_function *fn);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * What the PCI core shows in sysfs (drivers/pci/pci-sysfs.c, pci-driver.c, probe.c): the
 * attribute groups of a function's directory, of a pci_bus directory, of the root bus
 * directory, of /sys/bus/pci and of a driver's directory.
 */
#ifndef FAKESYS_PCI_SYSFS_H
#define FAKESYS_PCI_SYSFS_H

#include "pci_config.h"
#include "power_sysfs.h"
#include "sysfs_tree.h"
#include "topology.h"

struct host_tree;

/* The object behind /sys/devices/.../<BDF>. */
struct pci_device {
	struct dev_pm_info pm;	/* first: power/ reads it */
	struct host_tree *host; /* what writes that change the tree change */
	const struct topology *topo;
	const struct topo_function *fn;
	enum pci_msi_kind msi_kind;
	unsigned first_msi_irq; /* Linux IRQ numbers first..first+n_msi_irqs-1 */
	unsigned n_msi_irqs;
	/* What writes change, as the kernel keeps it in struct pci_dev; shows read it. A store
	 * may build the whole tree again (host_tree_refresh), so stores run alone, never beside a
	 * show or another store: these need no lock of their own. */
	int32_t numa_node;
	unsigned enable_cnt;
	bool broken_parity_status;
	bool msi_bus; /* the kernel keeps its inverse, no_msi */
	bool d3cold_allowed;
	bool sriov_drivers_autoprobe; /* a PF's */
	/* reset_methods[]: the methods a reset tries, in order, as numbers of pci_sysfs.c's
	 * table, one a byte from the lowest up to a zero byte. */
	uint64_t reset_methods;
	/* pci_reset_supported() when the device was added: whether reset and reset_method exist
	 * (sysfs decides that once; emptying the list later leaves the files). */
	bool reset_files;
	char *driver_override; /* NULL: none */
};

/* msi_irqs/<irq>: "msi" or "msix"; one file per vector, named by its IRQ number. */
extern const struct sysfs_attr pci_msi_irq_attr;

/* The object behind a bus: /sys/devices/pci<DDDD>:<BB> and .../pci_bus/<DDDD>:<BB>. */
struct pci_bus {
	struct dev_pm_info pm; /* first: power/ reads it */
	struct host_tree *host;
	const struct topology *topo;
	uint32_t domain;
	uint8_t number;
	int32_t numa_node; /* of the bridge leading to it; -1 for a root bus */
};

/* As the boot's scan finds the device: its reset methods see only what was found before it. */
void pci_device_init(struct pci_device *dev, const struct topology *topo,
		     const struct topo_function *fn);
/* Back to what the scenario says, as a device found again by a rescan (or a VF being enabled)
 * starts: everything present is on the bus before it. */
void pci_device_reset_state(struct pci_device *dev);
/* Frees what writes left behind (driver_override). */
void pci_device_release(struct pci_device *dev);

static inline const struct topo_function *pci_fn(const void *obj)
{
	return ((const struct pci_device *)obj)->fn;
}

/* The groups kept beside their kernel counterparts: PCIe link, AER and ASPM (pcie_sysfs.c),
 * SR-IOV physical and virtual function files (iov_sysfs.c). */
extern const struct sysfs_attr_group pcie_link_attr_group;
extern const struct sysfs_attr_group aer_attr_group;
extern const struct sysfs_attr_group aspm_ctrl_attr_group;
extern const struct sysfs_attr_group sriov_pf_attr_group;
extern const struct sysfs_attr_group sriov_vf_attr_group;

extern const struct sysfs_attr_group *const pci_dev_groups[];
extern const struct sysfs_attr_group *const pci_root_bus_groups[];  /* pci<DDDD>:<BB> */
extern const struct sysfs_attr_group *const pci_bus_class_groups[]; /* pci_bus/<DDDD>:<BB> */
extern const struct sysfs_attr_group *const pci_bus_type_groups[];  /* /sys/bus/pci */
extern const struct sysfs_attr_group *const pci_driver_groups[];    /* drivers/<name> */

#endif

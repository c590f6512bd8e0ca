/* SPDX-License-Identifier: MIT */
/*
 * The whole fake root built from a topology: sys/bus/pci, sys/devices/pci*, sys/class/pci_bus,
 * sys/kernel/iommu_groups, sys/module (the drivers' modules) and dev/vfio, linked together as
 * the kernel links them.
 */
#ifndef FAKESYS_HOST_TREE_H
#define FAKESYS_HOST_TREE_H

#include "bus_sysfs.h"
#include "device_sysfs.h"
#include "iommu_sysfs.h"
#include "mdev_sysfs.h"
#include "module_sysfs.h"
#include "pci_sysfs.h"
#include "sysfs_tree.h"
#include "topology.h"

/*
 * The fake host: the model, the objects its directories point at, and the tree built from them.
 * The objects are made once and keep what writes change; the tree is built again from the model
 * whenever a write changes its shape (host_tree_refresh), and the objects stay put, so files
 * open across a change still read the same device.
 */
struct host_tree {
	struct sysfs_tree *tree;
	struct topology *topo;
	struct bus_type_obj pci_bus_type, mdev_bus_type; /* /sys/bus/pci, /sys/bus/mdev */
	struct device_driver_obj *drivers;		 /* one per topology driver, same order */
	struct pci_device *devices;			 /* one per topology function, same order */
	size_t n_devices;
	/* Two per root bus (pci<DDDD>:<BB> and its pci_bus), then one per function: the bus it
	 * leads to (a bridge's secondary, or the virtual bus its PF's VFs spill onto). */
	struct pci_bus *buses;
	size_t n_buses;
	struct iommu_group_obj *groups; /* one per topology group, same order */
	/* The devices behind dev/ nodes: /dev/vfio/vfio, /dev/iommu, one per group, one per
	 * function (its /dev/vfio/devices/vfio<X>); minor numbers are kept while they exist. */
	struct chardev_obj *chardevs;
	size_t n_chardevs;
	struct dev_pm_info *iommus; /* IOMMU instances: one per root bus that needs one */
	int32_t *iommu_of_root;	    /* per root bus: its instance, or -1 */
	size_t n_iommus;
	struct mdev_type_obj *mdev_types; /* every parent's types, parents in address order */
	struct mdev_device_obj *mdevs;	  /* one per topology mdev, same order */
	/* The modules the drivers come from, each once (sys/module/<name>), and per topology
	 * driver the index of its own. */
	struct module_obj *modules;
	size_t n_modules;
	size_t *module_of_driver;
	/* Laid over every tree built (the scenario's verbatim entries). */
	int (*overlay)(void *ctx, struct sysfs_tree *tree);
	void *overlay_ctx;
};

/* Slots in host_tree.chardevs. */
#define CHARDEV_CONTAINER	 0
#define CHARDEV_IOMMUFD		 1
#define CHARDEV_GROUP(ht, group) (2 + (size_t)(group))
#define CHARDEV_FUNCTION(ht, fn) (2 + (ht)->topo->n_groups + (size_t)(fn))

/* Dynamic char majors (the kernel picks them; these are typical): vfio groups, then vfio-dev. */
#define VFIO_GROUP_MAJOR     242
#define VFIO_CDEV_MAJOR	     241
#define VFIO_CONTAINER_MAJOR 10	 /* /dev/vfio/vfio is a misc device */
#define VFIO_CONTAINER_MINOR 196 /* VFIO_MINOR */
#define IOMMUFD_MINOR	     122 /* misc dynamic minor of /dev/iommu: a typical value */

/* Builds the host for topo, which must outlive it. Returns 0 or -ENOMEM (nothing to free). */
int host_tree_build(struct topology *topo, struct host_tree *out);
/* Builds the tree again from the model as it is now and puts it in place of the old one (see
 * sysfs_tree_replace). 0 or -ENOMEM, when the old tree stays. */
int host_tree_refresh(struct host_tree *ht);
void host_tree_free(struct host_tree *ht);

/* Whether the function is on the bus now: present, and so is every bridge above it (and its
 * PF, for a VF). */
bool host_function_alive(const struct host_tree *ht, size_t fn);

#endif

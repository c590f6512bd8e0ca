/* SPDX-License-Identifier: MIT */
/* Shared by the files that assemble the fake root; not for anyone else. */
#ifndef FAKESYS_HOST_TREE_BUILDER_H
#define FAKESYS_HOST_TREE_BUILDER_H

#include "host_tree.h"

struct builder {
	const struct topology *topo;
	struct host_tree *ht;
	struct sysfs_tree *tree;
	struct sysfs_node *sys;		   /* /sys */
	struct sysfs_node *class_dir;	   /* /sys/class */
	struct sysfs_node *bus_pci;	   /* /sys/bus/pci */
	struct sysfs_node *class_pci_bus;  /* /sys/class/pci_bus */
	struct sysfs_node *devices_root;   /* /sys/devices */
	struct sysfs_node **driver_dirs;   /* /sys/bus/pci/drivers/<name>, per driver */
	struct sysfs_node **group_dirs;	   /* /sys/kernel/iommu_groups/<N>, per group */
	struct sysfs_node **root_bus_dirs; /* /sys/devices/pci<DDDD>:<BB>, per root bus */
	struct sysfs_node **function_dirs; /* per function, NULL until made */
};

/* Mediated devices: types on their parents, created mdevs, sys/bus/mdev. */
int mdev_tree_add(struct builder *b);

/* The VFIO and IOMMU parts: device nodes under dev/, their class devices, IOMMU instances. */
int vfio_tree_add(struct builder *b, struct sysfs_node *root);

#endif

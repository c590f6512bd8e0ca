/* SPDX-License-Identifier: MIT */
/*
 * What the PCI core and driver core do when sysfs asks them to change the host
 * (drivers/pci/pci-driver.c, iov.c, remove.c, probe.c; drivers/base/bus.c, dd.c): match and
 * bind drivers, add and drop dynamic IDs, enable and disable VFs, remove and rescan functions.
 * Each changes the model, then rebuilds the tree from it. All return 0 or -errno, the errno
 * the kernel gives for the same request.
 */
#ifndef FAKESYS_PCI_CORE_H
#define FAKESYS_PCI_CORE_H

#include "host_tree.h"

/* /sys/bus/pci's drivers_probe, and every PCI driver's bind and unbind. */
extern const struct bus_type_ops pci_core_bus_ops;

/*
 * new_id of driver: adds id to its dynamic IDs and binds every unbound function it then
 * matches. With refuse_claimed (the kernel's check when some field was left out), an ID the
 * driver matches already is EEXIST; driver_data must be one of its static table's.
 */
int pci_core_new_id(struct host_tree *ht, int32_t driver, const struct topo_pci_id *id,
		    unsigned long driver_data, bool refuse_claimed);
/* remove_id of driver: drops the first dynamic ID that fields match (fields' class_mask
 * selects the class bits compared; TOPO_PCI_ANY_ID subsystem fields match any); else ENODEV. */
int pci_core_remove_id(struct host_tree *ht, int32_t driver, const struct topo_pci_id *fields);

/* sriov_numvfs of PF fn. */
int pci_core_set_numvfs(struct host_tree *ht, size_t fn, uint16_t num);

/* remove of fn: it, every function below it and its VFs leave the bus. */
int pci_core_remove(struct host_tree *ht, size_t fn);

/* Finds again the functions removed from bus (domain, number) and below it; all of them when
 * domain is negative. */
int pci_core_rescan(struct host_tree *ht, int64_t domain, int number);

/* Hotplug of the card fn is on (every function of its device number): plug finds it and all
 * below it, and drivers probe them; unplug takes them off the bus, beyond any rescan until
 * plugged again. -EINVAL for a VF; -EEXIST when plugged in already, -ENODEV when out. */
int pci_core_plug(struct host_tree *ht, size_t fn);
int pci_core_unplug(struct host_tree *ht, size_t fn);

#endif

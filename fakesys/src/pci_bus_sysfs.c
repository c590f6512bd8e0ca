/* SPDX-License-Identifier: MIT */
/*
 * Everything around the functions: the root bus device (pci<DDDD>:<BB>), the pci_bus class
 * device of each bus, /sys/bus/pci itself and the drivers' directories (probe.c, pci-driver.c,
 * drivers/base/bus.c).
 */
#include "pci_sysfs.h"

#include <errno.h>
#include <stdio.h>

#include "bus_sysfs.h"
#include "cpumask.h"
#include "pci_core.h"
#include "sysfs_parse.h"

/* rescan_store() of a bus, and bus_rescan_store() of /sys/bus/pci: a number, nonzero scans. */
SYSFS_STORE(bus_rescan)
{
	const struct pci_bus *bus = obj;
	unsigned long value;
	int err = sysfs_parse_ul(buf, len, 0, &value);

	if (!err && value)
		err = pci_core_rescan(bus->host, bus->domain, bus->number);
	return err ? err : (ssize_t)len;
}

SYSFS_STORE(rescan_all)
{
	const struct bus_type_obj *bus = obj;
	unsigned long value;
	int err = sysfs_parse_ul(buf, len, 0, &value);

	if (!err && value)
		err = pci_core_rescan(bus->bus, -1, 0);
	return err ? err : (ssize_t)len;
}

/*
 * new_id_store(): "vendor device [subvendor subdevice class class_mask driver_data]" in hex,
 * at least two fields. Only when some are left out does the kernel refuse an ID the driver
 * claims already.
 */
SYSFS_STORE(new_id)
{
	const struct device_driver_obj *driver = obj;
	struct topo_pci_id id = { .subvendor = TOPO_PCI_ANY_ID, .subdevice = TOPO_PCI_ANY_ID };
	unsigned long driver_data = 0;
	int fields = sscanf(buf, "%x %x %x %x %x %x %lx", &id.vendor, &id.device, &id.subvendor,
			    &id.subdevice, &id.class_code, &id.class_mask, &driver_data);

	if (fields < 2)
		return -EINVAL;
	int err = pci_core_new_id(driver->bus->bus, driver->index, &id, driver_data, fields != 7);
	return err ? err : (ssize_t)len;
}

/* remove_id_store(): the same fields but driver_data, at least two. */
SYSFS_STORE(remove_id)
{
	const struct device_driver_obj *driver = obj;
	struct topo_pci_id id = { .subvendor = TOPO_PCI_ANY_ID, .subdevice = TOPO_PCI_ANY_ID };
	int fields = sscanf(buf, "%x %x %x %x %x %x", &id.vendor, &id.device, &id.subvendor,
			    &id.subdevice, &id.class_code, &id.class_mask);

	if (fields < 2)
		return -EINVAL;
	int err = pci_core_remove_id(driver->bus->bus, driver->index, &id);
	return err ? err : (ssize_t)len;
}

SYSFS_SHOW(cpuaffinity)
{
	const struct pci_bus *bus = obj;
	unsigned first, last;

	host_node_cpus(&bus->topo->host, bus->numa_node, &first, &last);
	return cpumask_emit_hex(buf, size, bus->topo->host.cpus, first, last);
}

SYSFS_SHOW(cpulistaffinity)
{
	const struct pci_bus *bus = obj;
	unsigned first, last;

	host_node_cpus(&bus->topo->host, bus->numa_node, &first, &last);
	return cpumask_emit_list(buf, size, first, last);
}

static const struct sysfs_attr attr_uevent = {
	.name = "uevent", .mode = 0644, .show = sysfs_show_empty, .store = sysfs_store_uevent
};
static const struct sysfs_attr attr_waiting_for_supplier = { .name = "waiting_for_supplier",
							     .mode = 0444,
							     .show = sysfs_show_zero };
static const struct sysfs_attr attr_cpuaffinity = { .name = "cpuaffinity",
						    .mode = 0444,
						    .show = cpuaffinity_show };
static const struct sysfs_attr attr_cpulistaffinity = { .name = "cpulistaffinity",
							.mode = 0444,
							.show = cpulistaffinity_show };
static const struct sysfs_attr attr_bus_rescan = { .name = "rescan",
						   .mode = 0200,
						   .store = bus_rescan_store };
static const struct sysfs_attr attr_rescan_all = { .name = "rescan",
						   .mode = 0200,
						   .store = rescan_all_store };
static const struct sysfs_attr attr_resource_alignment = { .name = "resource_alignment",
							   .mode = 0644,
							   .show = sysfs_show_empty };
static const struct sysfs_attr attr_new_id = { .name = "new_id",
					       .mode = 0200,
					       .store = new_id_store };
static const struct sysfs_attr attr_remove_id = { .name = "remove_id",
						  .mode = 0200,
						  .store = remove_id_store };

static const struct sysfs_attr *const root_bus_attrs[] = {
	&attr_uevent,
	&attr_waiting_for_supplier,
	NULL,
};
static const struct sysfs_attr_group root_bus_group = { .attrs = root_bus_attrs };
const struct sysfs_attr_group *const pci_root_bus_groups[] = {
	&root_bus_group,
	&power_attr_group,
	NULL,
};

static const struct sysfs_attr *const bus_class_attrs[] = {
	&attr_cpuaffinity, &attr_cpulistaffinity, &attr_bus_rescan, &attr_uevent, NULL,
};
static const struct sysfs_attr_group bus_class_group = { .attrs = bus_class_attrs };
const struct sysfs_attr_group *const pci_bus_class_groups[] = {
	&bus_class_group,
	&power_attr_group,
	NULL,
};

/* PCI's own bus files, beside the driver core's. */
static const struct sysfs_attr *const pci_bus_type_attrs[] = {
	&attr_rescan_all,
	&attr_resource_alignment,
	NULL,
};
static const struct sysfs_attr_group pci_bus_type_group = { .attrs = pci_bus_type_attrs };
const struct sysfs_attr_group *const pci_bus_type_groups[] = {
	&bus_type_attr_group,
	&pci_bus_type_group,
	NULL,
};

/* Dynamic IDs are PCI's addition to every driver's bind and unbind. */
static const struct sysfs_attr *const pci_driver_attrs[] = {
	&attr_new_id,
	&attr_remove_id,
	NULL,
};
static const struct sysfs_attr_group pci_driver_group = { .attrs = pci_driver_attrs };
const struct sysfs_attr_group *const pci_driver_groups[] = {
	&bus_driver_attr_group,
	&pci_driver_group,
	NULL,
};

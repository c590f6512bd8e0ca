/* SPDX-License-Identifier: MIT */
/*
 * Everything around the functions: the root bus device (pci<DDDD>:<BB>), the pci_bus class
 * device of each bus, /sys/bus/pci itself and the drivers' directories (probe.c, pci-driver.c,
 * drivers/base/bus.c).
 */
#include "pci_sysfs.h"

#include "cpumask.h"

#define SHOW(name)                                                                                 \
	static ssize_t name##_show(const void *obj, const struct sysfs_opener *opener, char *buf,  \
				   size_t size)

SHOW(empty)
{
	(void)obj;
	(void)opener;
	(void)buf;
	(void)size;
	return 0;
}

SHOW(zero)
{
	(void)obj;
	(void)opener;
	return sysfs_emit(buf, size, "0\n");
}

SHOW(one)
{
	(void)obj;
	(void)opener;
	return sysfs_emit(buf, size, "1\n");
}

SHOW(cpuaffinity)
{
	const struct pci_bus *bus = obj;
	unsigned first, last;

	(void)opener;
	host_node_cpus(&bus->topo->host, bus->numa_node, &first, &last);
	return cpumask_emit_hex(buf, size, bus->topo->host.cpus, first, last);
}

SHOW(cpulistaffinity)
{
	const struct pci_bus *bus = obj;
	unsigned first, last;

	(void)opener;
	host_node_cpus(&bus->topo->host, bus->numa_node, &first, &last);
	return cpumask_emit_list(buf, size, first, last);
}

static const struct sysfs_attr attr_uevent = { "uevent", 0644, empty_show, NULL, NULL };
static const struct sysfs_attr attr_waiting_for_supplier = { "waiting_for_supplier", 0444,
							     zero_show, NULL, NULL };
static const struct sysfs_attr attr_cpuaffinity = { "cpuaffinity", 0444, cpuaffinity_show, NULL,
						    NULL };
static const struct sysfs_attr attr_cpulistaffinity = { "cpulistaffinity", 0444,
							cpulistaffinity_show, NULL, NULL };
static const struct sysfs_attr attr_bus_rescan = { "rescan", 0200, NULL, NULL, NULL };
static const struct sysfs_attr attr_drivers_autoprobe = { "drivers_autoprobe", 0644, one_show, NULL,
							  NULL };
static const struct sysfs_attr attr_drivers_probe = { "drivers_probe", 0200, NULL, NULL, NULL };
static const struct sysfs_attr attr_resource_alignment = { "resource_alignment", 0644, empty_show,
							   NULL, NULL };
static const struct sysfs_attr attr_write_only_uevent = { "uevent", 0200, NULL, NULL, NULL };
static const struct sysfs_attr attr_bind = { "bind", 0200, NULL, NULL, NULL };
static const struct sysfs_attr attr_unbind = { "unbind", 0200, NULL, NULL, NULL };
static const struct sysfs_attr attr_new_id = { "new_id", 0200, NULL, NULL, NULL };
static const struct sysfs_attr attr_remove_id = { "remove_id", 0200, NULL, NULL, NULL };

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

static const struct sysfs_attr *const bus_type_attrs[] = {
	&attr_drivers_autoprobe,  &attr_drivers_probe,	   &attr_bus_rescan,
	&attr_resource_alignment, &attr_write_only_uevent, NULL,
};
static const struct sysfs_attr_group bus_type_group = { .attrs = bus_type_attrs };
const struct sysfs_attr_group *const pci_bus_type_groups[] = {
	&bus_type_group,
	NULL,
};

static const struct sysfs_attr *const driver_attrs[] = {
	&attr_bind, &attr_new_id, &attr_remove_id, &attr_write_only_uevent, &attr_unbind, NULL,
};
static const struct sysfs_attr_group driver_group = { .attrs = driver_attrs };
const struct sysfs_attr_group *const pci_driver_groups[] = {
	&driver_group,
	NULL,
};

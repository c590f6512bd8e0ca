/* SPDX-License-Identifier: MIT */
/*
 * A PCI function's attributes, one show function per file, in the kernel's formats
 * (drivers/pci/pci-sysfs.c pci_dev_attrs[] and friends). Every format lives here and only here.
 */
#include "pci_sysfs.h"

#include <string.h>

#include "cpumask.h"
#include "pci_config.h"

/* With CONFIG_PCI_IOV (every distribution kernel): 6 BARs, ROM, 6 IOV BARs; bridges add 4
 * windows. */
#define PCI_STD_RESOURCE_LINES	  13
#define PCI_BRIDGE_RESOURCE_LINES 17

#define PCI_CLASS_BRIDGE_HOST 0x0600
#define PCI_CLASS_BRIDGE_PCI  0x0604

void pci_device_init(struct pci_device *dev, const struct topology *topo,
		     const struct topo_function *fn)
{
	bool vfio = fn->driver != TOPO_NONE &&
		    strcmp(topo->drivers[fn->driver].name, PCI_DRIVER_VFIO) == 0;

	dev->topo = topo;
	dev->fn = fn;
	/* pci_pm_init() forbids runtime PM ("on"); vfio-pci lets an idle device suspend. */
	dev->pm.runtime_enabled = true;
	dev->pm.runtime_auto = false;
	dev->pm.suspended = vfio;
}

static const struct topo_function *fn_of(const void *obj)
{
	return ((const struct pci_device *)obj)->fn;
}

static const char *driver_name(const struct pci_device *dev)
{
	return dev->fn->driver == TOPO_NONE ? NULL : dev->topo->drivers[dev->fn->driver].name;
}

static bool bound_to_vfio(const struct pci_device *dev)
{
	const char *name = driver_name(dev);

	return name && strcmp(name, PCI_DRIVER_VFIO) == 0;
}

/* A bound driver enables the device, except vfio-pci, which waits for userspace to open it. */
static bool is_enabled(const struct pci_device *dev)
{
	return driver_name(dev) && !bound_to_vfio(dev);
}

#define SHOW(name)                                                                                 \
	static ssize_t name##_show(const void *obj, const struct sysfs_opener *opener, char *buf,  \
				   size_t size)
#define UNUSED_OPENER (void)opener

SHOW(vendor)
{
	UNUSED_OPENER;
	return sysfs_emit(buf, size, "0x%04x\n", fn_of(obj)->vendor);
}

SHOW(device)
{
	UNUSED_OPENER;
	return sysfs_emit(buf, size, "0x%04x\n", fn_of(obj)->device);
}

SHOW(subsystem_vendor)
{
	UNUSED_OPENER;
	return sysfs_emit(buf, size, "0x%04x\n", fn_of(obj)->subsys_vendor);
}

SHOW(subsystem_device)
{
	UNUSED_OPENER;
	return sysfs_emit(buf, size, "0x%04x\n", fn_of(obj)->subsys_device);
}

SHOW(class)
{
	UNUSED_OPENER;
	return sysfs_emit(buf, size, "0x%06x\n", fn_of(obj)->class_code);
}

SHOW(revision)
{
	UNUSED_OPENER;
	return sysfs_emit(buf, size, "0x%02x\n", fn_of(obj)->revision);
}

SHOW(irq)
{
	UNUSED_OPENER;
	return sysfs_emit(buf, size, "%u\n", fn_of(obj)->irq);
}

SHOW(numa_node)
{
	UNUSED_OPENER;
	return sysfs_emit(buf, size, "%d\n", fn_of(obj)->numa_node);
}

SHOW(local_cpus)
{
	const struct pci_device *dev = obj;
	unsigned first, last;

	UNUSED_OPENER;
	host_node_cpus(&dev->topo->host, dev->fn->numa_node, &first, &last);
	return cpumask_emit_hex(buf, size, dev->topo->host.cpus, first, last);
}

SHOW(local_cpulist)
{
	const struct pci_device *dev = obj;
	unsigned first, last;

	UNUSED_OPENER;
	host_node_cpus(&dev->topo->host, dev->fn->numa_node, &first, &last);
	return cpumask_emit_list(buf, size, first, last);
}

static ssize_t emit_modalias(char *buf, size_t size, const struct topo_function *fn)
{
	return sysfs_emit(buf, size, "pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X\n", fn->vendor,
			  fn->device, fn->subsys_vendor, fn->subsys_device,
			  (fn->class_code >> 16) & 0xff, (fn->class_code >> 8) & 0xff,
			  fn->class_code & 0xff);
}

SHOW(modalias)
{
	UNUSED_OPENER;
	return emit_modalias(buf, size, fn_of(obj));
}

SHOW(uevent)
{
	const struct pci_device *dev = obj;
	const struct topo_function *fn = dev->fn;
	char slot[PCI_ADDR_STRLEN];
	ssize_t len = 0;

	UNUSED_OPENER;
	if (driver_name(dev))
		len = sysfs_emit(buf, size, "DRIVER=%s\n", driver_name(dev));
	pci_addr_format(&fn->addr, slot);
	len += sysfs_emit(buf + len, size - (size_t)len,
			  "PCI_CLASS=%X\nPCI_ID=%04X:%04X\nPCI_SUBSYS_ID=%04X:%04X\n"
			  "PCI_SLOT_NAME=%s\nMODALIAS=",
			  fn->class_code, fn->vendor, fn->device, fn->subsys_vendor,
			  fn->subsys_device, slot);
	return len + emit_modalias(buf + len, size - (size_t)len, fn);
}

SHOW(resource)
{
	const struct topo_function *fn = fn_of(obj);
	unsigned lines = fn->is_bridge ? PCI_BRIDGE_RESOURCE_LINES : PCI_STD_RESOURCE_LINES;
	ssize_t len = 0;

	UNUSED_OPENER;
	/* No BARs are assigned in this model yet: every entry is start, end, flags = 0. */
	for (unsigned i = 0; i < lines; i++)
		len += sysfs_emit(buf + len, size - (size_t)len, "0x%016llx 0x%016llx 0x%016llx\n",
				  0ULL, 0ULL, 0ULL);
	return len;
}

SHOW(enable)
{
	UNUSED_OPENER;
	return sysfs_emit(buf, size, "%u\n", is_enabled(obj) ? 1u : 0u);
}

SHOW(power_state)
{
	UNUSED_OPENER;
	return sysfs_emit(buf, size, "%s\n",
			  ((const struct pci_device *)obj)->pm.suspended ? "D3hot" : "D0");
}

/* Devices without a driver keep the 32-bit default; drivers ask for 64. */
SHOW(dma_mask_bits)
{
	UNUSED_OPENER;
	return sysfs_emit(buf, size, "%d\n", is_enabled(obj) ? 64 : 32);
}

SHOW(driver_override)
{
	UNUSED_OPENER;
	(void)obj;
	/* Unset: the kernel prints the NULL pointer with "%s". */
	return sysfs_emit(buf, size, "%s\n", "(null)");
}

SHOW(zero)
{
	UNUSED_OPENER;
	(void)obj;
	return sysfs_emit(buf, size, "0\n");
}

SHOW(one)
{
	UNUSED_OPENER;
	(void)obj;
	return sysfs_emit(buf, size, "1\n");
}

SHOW(secondary_bus_number)
{
	UNUSED_OPENER;
	return sysfs_emit(buf, size, "%u\n", fn_of(obj)->secondary_bus);
}

SHOW(subordinate_bus_number)
{
	UNUSED_OPENER;
	return sysfs_emit(buf, size, "%u\n", fn_of(obj)->subordinate_bus);
}

/* Readers without CAP_SYS_ADMIN see only the standard header (pci_read_config). */
static ssize_t config_show(const void *obj, const struct sysfs_opener *opener, char *buf,
			   size_t size)
{
	const struct pci_device *dev = obj;
	size_t cfg_size = pci_config_size(dev->topo, dev->fn);
	uint8_t cfg[PCI_CFG_SPACE_EXP_SIZE];
	size_t visible = opener->privileged ? cfg_size : PCI_CFG_UNPRIVILEGED_SIZE;

	pci_config_fill(dev->topo, dev->fn, cfg);
	if (visible > size)
		visible = size;
	memcpy(buf, cfg, visible);
	return (ssize_t)visible;
}

/* pci_dev_config_attr_bin_size(): stat shows 256 or 4096 whoever asks. */
static size_t config_size(const void *obj)
{
	const struct pci_device *dev = obj;

	return pci_config_size(dev->topo, dev->fn) > PCI_CFG_SPACE_SIZE ? PCI_CFG_SPACE_EXP_SIZE
									: PCI_CFG_SPACE_SIZE;
}

#define RO(name)                                                                                   \
	{                                                                                          \
#name, 0444, name##_show, NULL, NULL                                               \
	}
#define RW(name)                                                                                   \
	{                                                                                          \
#name, 0644, name##_show, NULL, NULL                                               \
	}
#define RO_AS(name, s)                                                                             \
	{                                                                                          \
#name, 0444, s##_show, NULL, NULL                                                  \
	}
#define RW_AS(name, s)                                                                             \
	{                                                                                          \
#name, 0644, s##_show, NULL, NULL                                                  \
	}

static const struct sysfs_attr attr_power_state = RO(power_state);
static const struct sysfs_attr attr_resource = RO(resource);
static const struct sysfs_attr attr_vendor = RO(vendor);
static const struct sysfs_attr attr_device = RO(device);
static const struct sysfs_attr attr_subsystem_vendor = RO(subsystem_vendor);
static const struct sysfs_attr attr_subsystem_device = RO(subsystem_device);
static const struct sysfs_attr attr_revision = RO(revision);
static const struct sysfs_attr attr_class = RO(class);
static const struct sysfs_attr attr_irq = RO(irq);
static const struct sysfs_attr attr_local_cpus = RO(local_cpus);
static const struct sysfs_attr attr_local_cpulist = RO(local_cpulist);
static const struct sysfs_attr attr_modalias = RO(modalias);
static const struct sysfs_attr attr_numa_node = RW(numa_node);
static const struct sysfs_attr attr_dma_mask_bits = RO(dma_mask_bits);
static const struct sysfs_attr attr_consistent_dma_mask_bits =
	RO_AS(consistent_dma_mask_bits, dma_mask_bits);
static const struct sysfs_attr attr_enable = RW(enable);
static const struct sysfs_attr attr_broken_parity_status = RW_AS(broken_parity_status, zero);
static const struct sysfs_attr attr_msi_bus = RW_AS(msi_bus, one);
static const struct sysfs_attr attr_d3cold_allowed = RW_AS(d3cold_allowed, one);
static const struct sysfs_attr attr_driver_override = RW(driver_override);
static const struct sysfs_attr attr_ari_enabled = RO_AS(ari_enabled, zero);
static const struct sysfs_attr attr_uevent = RW(uevent);
static const struct sysfs_attr attr_config = { "config", 0644, config_show, NULL, config_size };
static const struct sysfs_attr attr_remove = { "remove", 0220, NULL, NULL, NULL };
static const struct sysfs_attr attr_rescan = { "rescan", 0200, NULL, NULL, NULL };
static const struct sysfs_attr attr_secondary_bus_number = RO(secondary_bus_number);
static const struct sysfs_attr attr_subordinate_bus_number = RO(subordinate_bus_number);

static const struct sysfs_attr *const pci_dev_attrs[] = {
	&attr_power_state,
	&attr_resource,
	&attr_vendor,
	&attr_device,
	&attr_subsystem_vendor,
	&attr_subsystem_device,
	&attr_revision,
	&attr_class,
	&attr_irq,
	&attr_local_cpus,
	&attr_local_cpulist,
	&attr_modalias,
	&attr_numa_node,
	&attr_dma_mask_bits,
	&attr_consistent_dma_mask_bits,
	&attr_enable,
	&attr_broken_parity_status,
	&attr_msi_bus,
	&attr_d3cold_allowed,
	&attr_driver_override,
	&attr_ari_enabled,
	&attr_uevent,
	&attr_config,
	NULL,
};

static const struct sysfs_attr_group pci_dev_group = { .attrs = pci_dev_attrs };

static const struct sysfs_attr *const pci_dev_hp_attrs[] = {
	&attr_remove,
	&attr_rescan,
	NULL,
};

static const struct sysfs_attr_group pci_dev_hp_group = { .attrs = pci_dev_hp_attrs };

static const struct sysfs_attr *const pci_bridge_attrs[] = {
	&attr_secondary_bus_number,
	&attr_subordinate_bus_number,
	NULL,
};

static uint16_t pci_bridge_attrs_are_visible(const void *obj, const struct sysfs_attr *attr)
{
	return fn_of(obj)->is_bridge ? attr->mode : 0;
}

static const struct sysfs_attr_group pci_bridge_group = {
	.attrs = pci_bridge_attrs,
	.is_visible = pci_bridge_attrs_are_visible,
};

const struct sysfs_attr_group *const pci_dev_groups[] = {
	&pci_dev_group, &pci_dev_hp_group, &pci_bridge_group, &power_attr_group, NULL,
};

/* SPDX-License-Identifier: MIT */
/*
 * A PCI function's attributes, one show function per file, in the kernel's formats
 * (drivers/pci/pci-sysfs.c pci_dev_attrs[] and friends). Every format lives here and only here.
 */
#include "pci_sysfs.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cpumask.h"
#include "pci_config.h"
#include "pci_core.h"
#include "pci_resources.h"
#include "sysfs_parse.h"

#define PCI_CLASS_DISPLAY_VGA 0x0300

static uint64_t probe_reset_methods(const struct pci_device *dev, bool found_at_boot);
static void reset_state(struct pci_device *dev, bool found_at_boot);

void pci_device_init(struct pci_device *dev, const struct topology *topo,
		     const struct topo_function *fn)
{
	dev->topo = topo;
	dev->fn = fn;
	reset_state(dev, true);
}

void pci_device_reset_state(struct pci_device *dev)
{
	reset_state(dev, false);
}

static void reset_state(struct pci_device *dev, bool found_at_boot)
{
	const struct topo_function *fn = dev->fn;

	/* pci_pm_init() forbids runtime PM ("on"); vfio-pci lets an idle device suspend. */
	dev->pm.runtime_enabled = true;
	dev->pm.runtime_auto = false;
	dev->pm.suspended = topology_is_vfio_bound(dev->topo, fn);
	dev->numa_node = fn->numa_node;
	/* A bound driver enables the device, except vfio-pci, which waits for userspace. */
	dev->enable_cnt =
		topology_driver_of(dev->topo, fn) && !topology_is_vfio_bound(dev->topo, fn);
	dev->broken_parity_status = false;
	/* pci_pm_init() allows it; the platform may say otherwise, found again on a rescan. */
	dev->d3cold_allowed = !fn->d3cold_disallowed;
	dev->msi_bus = true;
	dev->sriov_drivers_autoprobe = fn->sriov && fn->sriov->drivers_autoprobe;
	/* pci_init_capabilities() probes the methods as the device is found, so a bus reset
	 * depends on what is on the bus then; device_add() then decides on the files. */
	dev->reset_methods = probe_reset_methods(dev, found_at_boot);
	dev->reset_files = dev->reset_methods != 0;
	free(dev->driver_override);
	dev->driver_override = NULL;
}

void pci_device_release(struct pci_device *dev)
{
	free(dev->driver_override);
	dev->driver_override = NULL;
}

/* The writer's right to what CAP_SYS_ADMIN guards, decided at open as fakesys does for all. */
static bool capable(const struct sysfs_opener *opener)
{
	return opener->privileged;
}

static const char *driver_name(const struct pci_device *dev)
{
	return topology_driver_of(dev->topo, dev->fn);
}

static bool is_enabled(const struct pci_device *dev)
{
	return dev->enable_cnt > 0;
}

/* pci_config_attr(): one field of the function, in one format. */
#define PCI_FIELD_ATTR_SHOW(name, format, field)                                                   \
	SYSFS_SHOW(name)                                                                           \
	{                                                                                          \
		return sysfs_emit(buf, size, format, pci_fn(obj)->field);                          \
	}

PCI_FIELD_ATTR_SHOW(vendor, "0x%04x\n", vendor)
PCI_FIELD_ATTR_SHOW(device, "0x%04x\n", device)
PCI_FIELD_ATTR_SHOW(subsystem_vendor, "0x%04x\n", subsys_vendor)
PCI_FIELD_ATTR_SHOW(subsystem_device, "0x%04x\n", subsys_device)
PCI_FIELD_ATTR_SHOW(class, "0x%06x\n", class_code)
PCI_FIELD_ATTR_SHOW(revision, "0x%02x\n", revision)
PCI_FIELD_ATTR_SHOW(secondary_bus_number, "%u\n", secondary_bus)
PCI_FIELD_ATTR_SHOW(subordinate_bus_number, "%u\n", subordinate_bus)
PCI_FIELD_ATTR_SHOW(label, "%s\n", label)
/* The first MSI vector while MSI (not MSI-X) is on, else the INTx line. */
SYSFS_SHOW(irq)
{
	const struct pci_device *dev = obj;

	return sysfs_emit(buf, size, "%u\n",
			  dev->msi_kind == PCI_MSI_ON ? dev->first_msi_irq : dev->fn->irq);
}

SYSFS_SHOW(msi_irq)
{
	return sysfs_emit(buf, size, "%s\n",
			  ((const struct pci_device *)obj)->msi_kind == PCI_MSIX_ON ? "msix"
										    : "msi");
}

const struct sysfs_attr pci_msi_irq_attr = { .name = "msi_irq",
					     .mode = 0444,
					     .show = msi_irq_show };

SYSFS_SHOW(local_cpus)
{
	const struct pci_device *dev = obj;
	unsigned first, last;

	host_node_cpus(&dev->topo->host, dev->numa_node, &first, &last);
	return cpumask_emit_hex(buf, size, dev->topo->host.cpus, first, last);
}

SYSFS_SHOW(local_cpulist)
{
	const struct pci_device *dev = obj;
	unsigned first, last;

	host_node_cpus(&dev->topo->host, dev->numa_node, &first, &last);
	return cpumask_emit_list(buf, size, first, last);
}

static ssize_t emit_modalias(char *buf, size_t size, const struct topo_function *fn)
{
	return sysfs_emit(buf, size, "pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X\n", fn->vendor,
			  fn->device, fn->subsys_vendor, fn->subsys_device,
			  (fn->class_code >> 16) & 0xff, (fn->class_code >> 8) & 0xff,
			  fn->class_code & 0xff);
}

SYSFS_SHOW(modalias)
{
	return emit_modalias(buf, size, pci_fn(obj));
}

SYSFS_SHOW(uevent)
{
	const struct pci_device *dev = obj;
	const struct topo_function *fn = dev->fn;
	char slot[PCI_ADDR_STRLEN];
	ssize_t len = 0;

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

static ssize_t emit_resource(char *buf, size_t size, uint64_t start, uint64_t length,
			     unsigned long long flags)
{
	if (length == 0)
		start = flags = 0;
	return sysfs_emit(buf, size, "0x%016llx 0x%016llx 0x%016llx\n", (unsigned long long)start,
			  (unsigned long long)(length ? start + length - 1 : 0), flags);
}

/*
 * resource_show(): BARs 0-5, the ROM, the six SR-IOV BARs (each spanning every VF), and on a
 * bridge its I/O, memory and prefetchable windows and an unused fourth.
 */
SYSFS_SHOW(resource)
{
	const struct topo_function *fn = pci_fn(obj);
	const struct topo_sriov *iov = fn->sriov;
	ssize_t len = 0;

#define LINE(start, length, flags)                                                                 \
	len += emit_resource(buf + len, size - (size_t)len, (start), (length), (flags))
	for (unsigned i = 0; i < TOPO_N_BARS; i++)
		LINE(fn->bars[i].start, fn->bars[i].size, pci_bar_resource_flags(&fn->bars[i]));
	LINE(fn->rom.start, fn->rom.size, pci_rom_resource_flags(&fn->rom));
	for (unsigned i = 0; i < TOPO_N_BARS; i++) {
		const struct topo_bar *vf_bar = iov ? &iov->vf_bars[i] : NULL;

		LINE(vf_bar ? vf_bar->start : 0, vf_bar ? vf_bar->size * iov->total : 0,
		     vf_bar ? pci_bar_resource_flags(vf_bar) : 0);
	}
	if (fn->is_bridge) {
		LINE(fn->io_window.start, fn->io_window.size,
		     pci_window_resource_flags(PCI_WINDOW_IO, &fn->io_window));
		LINE(fn->mem_window.start, fn->mem_window.size,
		     pci_window_resource_flags(PCI_WINDOW_MEM, &fn->mem_window));
		LINE(fn->pref_window.start, fn->pref_window.size,
		     pci_window_resource_flags(PCI_WINDOW_PREF, &fn->pref_window));
		LINE(0, 0, 0);
	}
#undef LINE
	return len;
}

SYSFS_SHOW(enable)
{
	return sysfs_emit(buf, size, "%u\n", ((const struct pci_device *)obj)->enable_cnt);
}

/*
 * enable_store(): the count of enables, moved only while no driver holds the device. Like
 * every PCI store since v5.16, it answers EINVAL for what does not parse, ERANGE included.
 */
SYSFS_STORE(enable)
{
	struct pci_device *dev = obj;
	unsigned long value;

	if (!capable(opener))
		return -EPERM;
	if (sysfs_parse_ul(buf, len, 0, &value))
		return -EINVAL;
	if (driver_name(dev))
		return -EBUSY;
	if (value)
		dev->enable_cnt++;
	else if (dev->enable_cnt)
		dev->enable_cnt--;
	else
		return -EIO;
	return (ssize_t)len;
}

SYSFS_SHOW(numa_node)
{
	return sysfs_emit(buf, size, "%d\n", ((const struct pci_device *)obj)->numa_node);
}

/* numa_node_store(): -1 or an online node (MAX_NUMNODES is 1 << CONFIG_NODES_SHIFT, 10). */
SYSFS_STORE(numa_node)
{
	struct pci_device *dev = obj;
	int node;

	if (!capable(opener))
		return -EPERM;
	if (sysfs_parse_int(buf, len, 0, &node))
		return -EINVAL; /* out of int range too, since v5.16 */
	if ((node < 0 && node != -1) || node >= 1024)
		return -EINVAL;
	if (node != -1 && (unsigned)node >= dev->topo->host.numa_nodes)
		return -EINVAL;
	dev->numa_node = node;
	return (ssize_t)len;
}

/*
 * A flag the kernel sets from kstrtoul(): nonzero is on, unparsable EINVAL. msi_bus_store()
 * also wants CAP_SYS_ADMIN, looked at before the parse since v5.16, so EPERM wins over EINVAL.
 */
#define PCI_FLAG_ATTR(name, needs_capability)                                                      \
	SYSFS_SHOW(name)                                                                           \
	{                                                                                          \
		return sysfs_emit(buf, size, "%u\n",                                               \
				  ((const struct pci_device *)obj)->name ? 1u : 0u);               \
	}                                                                                          \
	SYSFS_STORE(name)                                                                          \
	{                                                                                          \
		unsigned long value;                                                               \
                                                                                                   \
		if ((needs_capability) && !capable(opener))                                        \
			return -EPERM;                                                             \
		if (sysfs_parse_ul(buf, len, 0, &value))                                           \
			return -EINVAL;                                                            \
		((struct pci_device *)obj)->name = value != 0;                                     \
		return (ssize_t)len;                                                               \
	}

PCI_FLAG_ATTR(broken_parity_status, false)
PCI_FLAG_ATTR(msi_bus, true)
PCI_FLAG_ATTR(d3cold_allowed, false)

SYSFS_SHOW(power_state)
{
	return sysfs_emit(buf, size, "%s\n",
			  ((const struct pci_device *)obj)->pm.suspended ? "D3hot" : "D0");
}

/* Devices without a driver keep the 32-bit default; drivers ask for 64. */
SYSFS_SHOW(dma_mask_bits)
{
	return sysfs_emit(buf, size, "%d\n", is_enabled(obj) ? 64 : 32);
}

SYSFS_SHOW(driver_override)
{
	const char *override = ((const struct pci_device *)obj)->driver_override;

	/* Unset: the kernel prints the NULL pointer with "%s". */
	return sysfs_emit(buf, size, "%s\n", override ? override : "(null)");
}

/* driver_set_override(): empty or "\n" clears; else up to the first newline; no (re)binding. */
SYSFS_STORE(driver_override)
{
	struct pci_device *dev = obj;
	char *value = NULL;

	if (len >= SYSFS_PAGE_SIZE - 1)
		return -EINVAL;
	size_t n = strcspn(buf, "\n");
	if (n && !(value = strndup(buf, n)))
		return -ENOMEM;
	free(dev->driver_override);
	dev->driver_override = value;
	return (ssize_t)len;
}

static size_t function_index(const struct pci_device *dev)
{
	return (size_t)(dev->fn - dev->topo->functions);
}

/* remove_store(): a number; nonzero takes the function and all below it off the bus. */
SYSFS_STORE(remove)
{
	struct pci_device *dev = obj;
	unsigned long value;
	int err = sysfs_parse_ul(buf, len, 0, &value);

	if (!err && value)
		err = pci_core_remove(dev->host, function_index(dev));
	return err ? err : (ssize_t)len;
}

/* dev_rescan_store(): scans the bus the function sits on. */
SYSFS_STORE(rescan)
{
	struct pci_device *dev = obj;
	unsigned long value;
	int err = sysfs_parse_ul(buf, len, 0, &value);

	if (!err && value)
		err = pci_core_rescan(dev->host, dev->fn->addr.domain, dev->fn->addr.bus);
	return err ? err : (ssize_t)len;
}

SYSFS_SHOW(index)
{
	return sysfs_emit(buf, size, "%u\n", (unsigned)pci_fn(obj)->smbios_index);
}

SYSFS_SHOW(acpi_index)
{
	return sysfs_emit(buf, size, "%u\n", (unsigned)pci_fn(obj)->acpi_index);
}

/* The first VGA device found is the one firmware booted on. */
static bool is_boot_vga(const struct pci_device *dev)
{
	for (size_t i = 0; i < dev->topo->n_functions; i++)
		if (dev->topo->functions[i].class_code >> 8 == PCI_CLASS_DISPLAY_VGA)
			return &dev->topo->functions[i] == dev->fn;
	return false;
}

SYSFS_SHOW(boot_vga)
{
	return sysfs_emit(buf, size, "%d\n", is_boot_vga(obj) ? 1 : 0);
}

/*
 * Reset methods (drivers/pci/pci.c pci_reset_fn_methods[], pci-sysfs.c reset_method_*): a
 * device's list holds numbers of this table, in the order a reset tries them; 0 ends it.
 */
enum pci_reset_method {
	RESET_END,
	RESET_DEVICE_SPECIFIC,
	RESET_ACPI,
	RESET_FLR,
	RESET_AF_FLR,
	RESET_PM,
	RESET_BUS,
	RESET_CXL_BUS,
	PCI_NUM_RESET_METHODS, /* a list holds at most one fewer, so that 0 can end it */
};

static const char *const reset_method_names[PCI_NUM_RESET_METHODS] = {
	[RESET_DEVICE_SPECIFIC] = "device_specific",
	[RESET_ACPI] = "acpi",
	[RESET_FLR] = "flr",
	[RESET_AF_FLR] = "af_flr",
	[RESET_PM] = "pm",
	[RESET_BUS] = "bus",
	[RESET_CXL_BUS] = "cxl_bus",
};

static unsigned reset_method_at(uint64_t list, unsigned i)
{
	return i < PCI_NUM_RESET_METHODS ? (unsigned)(list >> (8 * i)) & 0xff : RESET_END;
}

static uint64_t reset_method_append(uint64_t list, unsigned n, unsigned method)
{
	return list | (uint64_t)method << (8 * n);
}

#define PCI_CAP_ID_PM		0x01
#define PCI_PM_CTRL		4
#define PCI_PM_CTRL_NO_SOFT_RST 0x0008
#define PCI_CAP_ID_AF		0x13
#define PCI_AF_CAP		3
#define PCI_AF_CAP_TP		0x01
#define PCI_AF_CAP_FLR		0x02
#define PCI_EXP_DEVCAP		4
#define PCI_EXP_DEVCAP_FLR	0x10000000

/* The capabilities the probes read, from the config space the function shows. */
static bool config_offers_reset(const struct pci_device *dev, unsigned method)
{
	uint8_t cfg[PCI_CFG_SPACE_EXP_SIZE];
	size_t len = pci_config_size(dev->topo, dev->fn);
	unsigned at;

	pci_config_fill(dev->topo, dev->fn, cfg);
	switch (method) {
	case RESET_FLR: /* pcie_reset_flr() */
		at = pci_config_find_capability(cfg, len, PCI_CAP_ID_EXP);
		return at && (cfg[at + PCI_EXP_DEVCAP + 3] & PCI_EXP_DEVCAP_FLR >> 24);
	case RESET_AF_FLR: /* pci_af_flr() */
		at = pci_config_find_capability(cfg, len, PCI_CAP_ID_AF);
		return at && (cfg[at + PCI_AF_CAP] & PCI_AF_CAP_TP) &&
		       (cfg[at + PCI_AF_CAP] & PCI_AF_CAP_FLR);
	case RESET_PM: /* pci_pm_reset(): a device that keeps its state in D3hot is not reset */
		at = pci_config_find_capability(cfg, len, PCI_CAP_ID_PM);
		return at && !(cfg[at + PCI_PM_CTRL] & PCI_PM_CTRL_NO_SOFT_RST);
	default:
		return false;
	}
}

static bool same_bus(const struct topo_function *a, const struct topo_function *b)
{
	return a->addr.domain == b->addr.domain && a->addr.bus == b->addr.bus;
}

/*
 * pci_parent_bus_reset(): the bridge above resets its whole secondary bus, so the device must
 * be alone on it. Not on a root bus (no bridge), not a bridge, not a VF (a VF shares its PF's
 * bus or sits on a virtual one that no bridge leads to). What shares the bus also shares the
 * bridges above, so being present is being on the bus; a VF is present only while its PF has
 * it enabled.
 *
 * The kernel probes the methods before pci_device_add() puts the device on its bus's list, so
 * a new device sees only who came before it. A rescan or a VF being enabled adds it after all
 * that is present now. The boot's scan (pci_scan_child_bus()) adds one bus's functions in
 * devfn order before it goes below any bridge, and VFs only once enabled, after all of that:
 * function 0 of a card behind a bridge is alone when probed, its function 1 is not.
 *
 * Functions are sorted by address, VFs among them, so a bus's are neighbours in the array: a
 * probe costs what is on the bus, not what is on the host (every function is probed at boot).
 */
static bool can_bus_reset(const struct pci_device *dev, bool found_at_boot)
{
	const struct topo_function *fn = dev->fn, *functions = dev->topo->functions;
	size_t index = function_index(dev);

	if (fn->parent == TOPO_NONE || fn->physfn != TOPO_NONE || fn->is_bridge)
		return false;
	for (size_t i = index; i-- > 0 && same_bus(&functions[i], fn);)
		if (functions[i].present && !(found_at_boot && functions[i].physfn != TOPO_NONE))
			return false;
	if (found_at_boot)
		return true;
	for (size_t i = index + 1; i < dev->topo->n_functions && same_bus(&functions[i], fn); i++)
		if (functions[i].present)
			return false;
	return true;
}

/* reset_fn(dev, PCI_RESET_PROBE); a reset by a method that would probe fine succeeds here. */
static bool reset_method_works(const struct pci_device *dev, unsigned method)
{
	return method == RESET_BUS ? can_bus_reset(dev, false) : config_offers_reset(dev, method);
}

/* pci_init_reset_methods(): every method that probes fine as the device is found, in the
 * table's order. */
static uint64_t probe_reset_methods(const struct pci_device *dev, bool found_at_boot)
{
	uint64_t list = 0;
	unsigned n = 0;

	for (unsigned method = RESET_END + 1; method < PCI_NUM_RESET_METHODS; method++) {
		bool works = method == RESET_BUS ? can_bus_reset(dev, found_at_boot)
						 : config_offers_reset(dev, method);

		if (works)
			list = reset_method_append(list, n++, method);
	}
	return list;
}

SYSFS_SHOW(reset_method)
{
	uint64_t list = ((const struct pci_device *)obj)->reset_methods;
	unsigned method;
	ssize_t len = 0;

	for (unsigned i = 0; (method = reset_method_at(list, i)) != RESET_END; i++)
		len += sysfs_emit(buf + len, size - (size_t)len, "%s%s", len ? " " : "",
				  reset_method_names[method]);
	/* An empty list reads as nothing at all, not as a bare newline. */
	if (len)
		len += sysfs_emit(buf + len, size - (size_t)len, "\n");
	return len;
}

static unsigned reset_method_lookup(const char *name, size_t len)
{
	for (unsigned method = RESET_END + 1; method < PCI_NUM_RESET_METHODS; method++)
		if (sysfs_streq(name, len, reset_method_names[method]))
			return method;
	return RESET_END;
}

/*
 * reset_method_store(): "" disables reset, "default" probes the methods again, anything else
 * is names split at spaces (each trimmed of white space) that become the list in that order,
 * repeats and all. An unknown name, one that does not probe fine, or more names than a list
 * holds fails the whole write and leaves the list as it was.
 */
SYSFS_STORE(reset_method)
{
	struct pci_device *dev = obj;
	size_t end = strnlen(buf, len); /* kstrndup() stops at a NUL */
	uint64_t list = 0;
	unsigned n = 0;

	if (sysfs_streq(buf, len, "")) {
		dev->reset_methods = 0;
		return (ssize_t)len;
	}
	if (sysfs_streq(buf, len, "default")) {
		dev->reset_methods = probe_reset_methods(dev, false);
		return (ssize_t)len;
	}
	for (size_t at = 0; at <= end;) {
		const char *name = buf + at;
		const char *space = memchr(name, ' ', end - at);
		size_t name_len = space ? (size_t)(space - name) : end - at;

		at += name_len + 1;
		if (sysfs_streq(name, name_len, ""))
			continue;
		while (name_len && isspace((unsigned char)*name))
			name++, name_len--;
		while (name_len && isspace((unsigned char)name[name_len - 1]))
			name_len--;
		unsigned method = reset_method_lookup(name, name_len);
		if (method == RESET_END || !reset_method_works(dev, method) ||
		    n == PCI_NUM_RESET_METHODS - 1)
			return -EINVAL;
		list = reset_method_append(list, n++, method);
	}
	dev->reset_methods = list;
	return (ssize_t)len;
}

/* resourceN: memory BARs are only mmap()ed (a read finds no read method: EIO); I/O BARs take
 * only 1, 2 or 4-byte accesses, which no whole-file read is (EINVAL). */
static ssize_t resource_file_read(const struct topo_function *fn, unsigned n)
{
	return fn->bars[n].kind == BAR_IO ? -EINVAL : -EIO;
}

#define RESOURCE_FILES(n)                                                                          \
	static ssize_t resource##n##_show(const void *obj, const struct sysfs_opener *opener,      \
					  char *buf, size_t size)                                  \
	{                                                                                          \
		(void)opener, (void)buf, (void)size;                                               \
		return resource_file_read(pci_fn(obj), n);                                         \
	}                                                                                          \
	static size_t resource##n##_size(const void *obj)                                          \
	{                                                                                          \
		return pci_fn(obj)->bars[n].size;                                                  \
	}                                                                                          \
	static const struct sysfs_attr attr_resource##n = { .name = "resource" #n,                 \
							    .mode = 0600,                          \
							    .show = resource##n##_show,            \
							    .size = resource##n##_size };          \
	static const struct sysfs_attr attr_resource##n##_wc = { .name = "resource" #n "_wc",      \
								 .mode = 0600,                     \
								 .show = resource##n##_show,       \
								 .size = resource##n##_size }

RESOURCE_FILES(0);
RESOURCE_FILES(1);
RESOURCE_FILES(2);
RESOURCE_FILES(3);
RESOURCE_FILES(4);
RESOURCE_FILES(5);

/* Reading the ROM needs "echo 1 > rom" first. */
static ssize_t rom_show(const void *obj, const struct sysfs_opener *opener, char *buf, size_t size)
{
	(void)obj, (void)opener, (void)buf, (void)size;
	return -EINVAL;
}

static size_t rom_size(const void *obj)
{
	return pci_fn(obj)->rom.size;
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

/* clang-format off */
#define RO(attr)	     { .name = #attr, .mode = 0444, .show = attr##_show }
#define RW(attr)	     { .name = #attr, .mode = 0644, .show = attr##_show }
#define RO_AS(attr, show_fn) { .name = #attr, .mode = 0444, .show = show_fn }
#define RW_AS(attr, show_fn) { .name = #attr, .mode = 0644, .show = show_fn }
/* Read-write with a store of its own. */
#define RWS(attr) { .name = #attr, .mode = 0644, .show = attr##_show, .store = attr##_store }
/* clang-format on */

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
static const struct sysfs_attr attr_numa_node = RWS(numa_node);
static const struct sysfs_attr attr_dma_mask_bits = RO(dma_mask_bits);
static const struct sysfs_attr attr_consistent_dma_mask_bits =
	RO_AS(consistent_dma_mask_bits, dma_mask_bits_show);
static const struct sysfs_attr attr_enable = RWS(enable);
static const struct sysfs_attr attr_broken_parity_status = RWS(broken_parity_status);
static const struct sysfs_attr attr_msi_bus = RWS(msi_bus);
static const struct sysfs_attr attr_d3cold_allowed = RWS(d3cold_allowed);
static const struct sysfs_attr attr_driver_override = RWS(driver_override);
static const struct sysfs_attr attr_ari_enabled = RO_AS(ari_enabled, sysfs_show_zero);
static const struct sysfs_attr attr_uevent = {
	.name = "uevent", .mode = 0644, .show = uevent_show, .store = sysfs_store_uevent
};
static const struct sysfs_attr attr_config = {
	.name = "config", .mode = 0644, .show = config_show, .size = config_size
};
static const struct sysfs_attr attr_remove = { .name = "remove",
					       .mode = 0220,
					       .store = remove_store };
static const struct sysfs_attr attr_rescan = { .name = "rescan",
					       .mode = 0200,
					       .store = rescan_store };
static const struct sysfs_attr attr_secondary_bus_number = RO(secondary_bus_number);
static const struct sysfs_attr attr_subordinate_bus_number = RO(subordinate_bus_number);
static const struct sysfs_attr attr_label = RO(label);
static const struct sysfs_attr attr_acpi_index = RO(acpi_index);
static const struct sysfs_attr attr_index = RO(index);
static const struct sysfs_attr attr_boot_vga = RO(boot_vga);
/*
 * reset_store(): only "1" resets. pci_reset_function() tries the methods in the list's order
 * until one works (a bus reset stops working once the bus has company); ENOTTY when none does,
 * as with an empty list.
 */
SYSFS_STORE(reset)
{
	const struct pci_device *dev = obj;
	uint64_t list = dev->reset_methods;
	unsigned long value;
	unsigned method;

	if (sysfs_parse_ul(buf, len, 0, &value) || value != 1)
		return -EINVAL;
	for (unsigned i = 0; (method = reset_method_at(list, i)) != RESET_END; i++)
		if (reset_method_works(dev, method))
			return (ssize_t)len;
	return -ENOTTY;
}

static const struct sysfs_attr attr_reset = { .name = "reset", .mode = 0200, .store = reset_store };
static const struct sysfs_attr attr_reset_method = RWS(reset_method);
static const struct sysfs_attr attr_rom = {
	.name = "rom", .mode = 0600, .show = rom_show, .size = rom_size
};

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

/* VFs cannot be removed or rescanned on their own (pci_dev_hp_attrs_are_visible). */
static uint16_t pci_dev_hp_attrs_are_visible(const void *obj, const struct sysfs_attr *attr)
{
	return pci_fn(obj)->physfn != TOPO_NONE ? 0 : attr->mode;
}

static const struct sysfs_attr_group pci_dev_hp_group = {
	.attrs = pci_dev_hp_attrs,
	.is_visible = pci_dev_hp_attrs_are_visible,
};

/* The files the scenario's hardware and firmware call for. */
static const struct sysfs_attr *const pci_dev_optional_attrs[] = {
	&attr_label,	    &attr_acpi_index,	&attr_index,	    &attr_boot_vga,
	&attr_reset,	    &attr_reset_method, &attr_rom,	    &attr_resource0,
	&attr_resource1,    &attr_resource2,	&attr_resource3,    &attr_resource4,
	&attr_resource5,    &attr_resource0_wc, &attr_resource1_wc, &attr_resource2_wc,
	&attr_resource3_wc, &attr_resource4_wc, &attr_resource5_wc, NULL,
};

static uint16_t pci_dev_optional_attrs_are_visible(const void *obj, const struct sysfs_attr *attr)
{
	const struct pci_device *dev = obj;
	const struct topo_function *fn = dev->fn;
	static const struct sysfs_attr *const resources[] = { &attr_resource0, &attr_resource1,
							      &attr_resource2, &attr_resource3,
							      &attr_resource4, &attr_resource5 };
	static const struct sysfs_attr *const resources_wc[] = {
		&attr_resource0_wc, &attr_resource1_wc, &attr_resource2_wc,
		&attr_resource3_wc, &attr_resource4_wc, &attr_resource5_wc
	};

	for (unsigned n = 0; n < TOPO_N_BARS; n++) {
		if (attr == resources[n])
			return fn->bars[n].size ? attr->mode : 0;
		/* Write-combining mappings only make sense for prefetchable memory. */
		if (attr == resources_wc[n])
			return fn->bars[n].size && fn->bars[n].prefetchable ? attr->mode : 0;
	}
	if (attr == &attr_label)
		return fn->label ? attr->mode : 0;
	/* pci-label.c: an ACPI _DSM name hides the SMBIOS one. */
	if (attr == &attr_acpi_index)
		return fn->acpi_index >= 0 ? attr->mode : 0;
	if (attr == &attr_index)
		return fn->smbios_index >= 0 && fn->acpi_index < 0 ? attr->mode : 0;
	if (attr == &attr_boot_vga)
		return fn->class_code >> 8 == PCI_CLASS_DISPLAY_VGA ? attr->mode : 0;
	if (attr == &attr_rom)
		return fn->rom.size ? attr->mode : 0;
	/* reset and reset_method */
	return dev->reset_files ? attr->mode : 0;
}

static const struct sysfs_attr_group pci_dev_optional_group = {
	.attrs = pci_dev_optional_attrs,
	.is_visible = pci_dev_optional_attrs_are_visible,
};

static const struct sysfs_attr *const pci_bridge_attrs[] = {
	&attr_secondary_bus_number,
	&attr_subordinate_bus_number,
	NULL,
};

static uint16_t pci_bridge_attrs_are_visible(const void *obj, const struct sysfs_attr *attr)
{
	return pci_fn(obj)->is_bridge ? attr->mode : 0;
}

static const struct sysfs_attr_group pci_bridge_group = {
	.attrs = pci_bridge_attrs,
	.is_visible = pci_bridge_attrs_are_visible,
};

const struct sysfs_attr_group *const pci_dev_groups[] = {
	&pci_dev_group,
	&pci_dev_hp_group,
	&pci_bridge_group,
	&pci_dev_optional_group,
	&pcie_link_attr_group,
	&aer_attr_group,
	&sriov_pf_attr_group,
	&sriov_vf_attr_group,
	&aspm_ctrl_attr_group,
	&power_attr_group,
	NULL,
};

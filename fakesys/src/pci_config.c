/* SPDX-License-Identifier: MIT */
/*
 * Configuration space synthesis: the type 0 / type 1 header, little-endian, as
 * include/uapi/linux/pci_regs.h lays it out. lspci decodes these bytes, so every field it
 * prints must agree with the text attributes (vendor, class, revision, irq, bus numbers).
 */
#include "pci_config.h"

#include <string.h>

#define PCI_VENDOR_ID		0x00
#define PCI_DEVICE_ID		0x02
#define PCI_COMMAND		0x04
#define PCI_COMMAND_IO		0x0001
#define PCI_COMMAND_MEMORY	0x0002
#define PCI_COMMAND_MASTER	0x0004
#define PCI_REVISION_ID		0x08
#define PCI_CLASS_PROG		0x09
#define PCI_CACHE_LINE_SIZE	0x0c
#define PCI_HEADER_TYPE		0x0e
#define PCI_HEADER_TYPE_NORMAL	0x00
#define PCI_HEADER_TYPE_BRIDGE	0x01
#define PCI_HEADER_TYPE_MFD	0x80
#define PCI_SUBSYSTEM_VENDOR_ID 0x2c
#define PCI_SUBSYSTEM_ID	0x2e
#define PCI_INTERRUPT_LINE	0x3c
#define PCI_INTERRUPT_PIN	0x3d
#define PCI_PRIMARY_BUS		0x18
#define PCI_SECONDARY_BUS	0x19
#define PCI_SUBORDINATE_BUS	0x1a
#define PCI_IO_BASE		0x1c
#define PCI_IO_LIMIT		0x1d
#define PCI_MEMORY_BASE		0x20
#define PCI_MEMORY_LIMIT	0x22
#define PCI_PREF_MEMORY_BASE	0x24
#define PCI_PREF_MEMORY_LIMIT	0x26
#define PCI_PREF_RANGE_TYPE_64	0x01

static void put16(uint8_t *cfg, unsigned offset, uint16_t value)
{
	cfg[offset] = value & 0xff;
	cfg[offset + 1] = value >> 8;
}

size_t pci_config_size(const struct topology *topo, const struct topo_function *fn)
{
	(void)topo;
	(void)fn;
	return PCI_CFG_SPACE_SIZE;
}

void pci_config_fill(const struct topology *topo, const struct topo_function *fn, uint8_t *out)
{
	memset(out, 0, pci_config_size(topo, fn));
	put16(out, PCI_VENDOR_ID, fn->vendor);
	put16(out, PCI_DEVICE_ID, fn->device);
	put16(out, PCI_COMMAND,
	      PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | (fn->is_bridge ? PCI_COMMAND_IO : 0));
	out[PCI_REVISION_ID] = fn->revision;
	out[PCI_CLASS_PROG] = fn->class_code & 0xff;
	out[PCI_CLASS_PROG + 1] = (fn->class_code >> 8) & 0xff;
	out[PCI_CLASS_PROG + 2] = (fn->class_code >> 16) & 0xff;
	out[PCI_CACHE_LINE_SIZE] = 64 / 4; /* in dwords */
	out[PCI_HEADER_TYPE] = (fn->is_bridge ? PCI_HEADER_TYPE_BRIDGE : PCI_HEADER_TYPE_NORMAL) |
			       (topology_is_multifunction(topo, fn) ? PCI_HEADER_TYPE_MFD : 0);
	out[PCI_INTERRUPT_LINE] = fn->irq;
	out[PCI_INTERRUPT_PIN] = fn->irq ? 1 : 0; /* INTA# */

	if (fn->is_bridge) {
		out[PCI_PRIMARY_BUS] = fn->addr.bus;
		out[PCI_SECONDARY_BUS] = fn->secondary_bus;
		out[PCI_SUBORDINATE_BUS] = fn->subordinate_bus;
		/* No windows assigned yet: base above limit means closed. */
		out[PCI_IO_BASE] = 0xf0;
		out[PCI_IO_LIMIT] = 0x00;
		put16(out, PCI_MEMORY_BASE, 0xfff0);
		put16(out, PCI_MEMORY_LIMIT, 0x0000);
		put16(out, PCI_PREF_MEMORY_BASE, 0xfff0 | PCI_PREF_RANGE_TYPE_64);
		put16(out, PCI_PREF_MEMORY_LIMIT, PCI_PREF_RANGE_TYPE_64);
	} else {
		put16(out, PCI_SUBSYSTEM_VENDOR_ID, fn->subsys_vendor);
		put16(out, PCI_SUBSYSTEM_ID, fn->subsys_device);
	}
}

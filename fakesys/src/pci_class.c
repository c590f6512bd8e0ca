/* SPDX-License-Identifier: MIT */
/* The table of PCI class names that scenario files may use instead of numbers. */
#include "pci_class.h"

#include <string.h>

struct pci_class_entry {
	const char *name;
	uint32_t code;
};

/* Grouped by base class, in the order of the PCI Code and ID Assignment specification. */
static const struct pci_class_entry pci_classes[] = {
	{ "scsi", 0x010000 },
	{ "raid", 0x010400 },
	{ "sata", 0x010601 },
	{ "nvme", 0x010802 },
	{ "mass-storage", 0x018000 },
	{ "ethernet", 0x020000 },
	{ "infiniband", 0x020700 },
	{ "network", 0x028000 },
	{ "vga", 0x030000 },
	{ "3d", 0x030200 },
	{ "display", 0x038000 },
	{ "audio", 0x040300 }, /* High Definition Audio */
	{ "multimedia", 0x048000 },
	{ "host-bridge", 0x060000 },
	{ "isa-bridge", 0x060100 },
	{ "pci-bridge", 0x060400 },
	{ "other-bridge", 0x068000 },
	{ "iommu", 0x080600 },
	{ "system-peripheral", 0x088000 },
	{ "usb-xhci", 0x0c0330 },
	{ "smbus", 0x0c0500 },
	{ "serial-bus", 0x0c8000 },
	{ "encryption", 0x108000 },
	{ "signal-processing", 0x118000 },
	{ "accelerator", 0x120000 },
	{ "unassigned", 0xff0000 },
};

#define PCI_CLASS_COUNT (sizeof(pci_classes) / sizeof(pci_classes[0]))

bool pci_class_from_name(const char *name, uint32_t *code)
{
	for (size_t i = 0; i < PCI_CLASS_COUNT; i++) {
		if (strcmp(pci_classes[i].name, name) == 0) {
			*code = pci_classes[i].code;
			return true;
		}
	}
	return false;
}

const char *pci_class_name(uint32_t code)
{
	for (size_t i = 0; i < PCI_CLASS_COUNT; i++) {
		if (pci_classes[i].code == code)
			return pci_classes[i].name;
	}
	for (size_t i = 0; i < PCI_CLASS_COUNT; i++) {
		if (pci_classes[i].code == (code & 0xffff00))
			return pci_classes[i].name;
	}
	return NULL;
}

const char *pci_class_name_at(size_t index)
{
	return index < PCI_CLASS_COUNT ? pci_classes[index].name : NULL;
}

bool pci_class_is_bridge(uint32_t code)
{
	uint32_t class_and_subclass = code >> 8;

	return class_and_subclass == 0x0604 || class_and_subclass == 0x0609;
}

/* SPDX-License-Identifier: MIT */
/*
 * Names for PCI class codes, as scenario files spell them ("ethernet", "pci-bridge", ...).
 * The one table of names lives in pci_class.c.
 */
#ifndef FAKESYS_PCI_CLASS_H
#define FAKESYS_PCI_CLASS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The 24-bit class code (base << 16 | sub << 8 | prog-if) for a name; false if unknown. */
bool pci_class_from_name(const char *name, uint32_t *code);

/*
 * The name of a class code: the entry with exactly that code, else the entry for its class
 * and subclass with prog-if 0, else NULL.
 */
const char *pci_class_name(uint32_t code);

/* The index-th name of the table in table order, or NULL past the end: for listing them. */
const char *pci_class_name_at(size_t index);

/* A type 1 header: PCI-to-PCI bridge (0x0604xx) or semi-transparent PCI-to-PCI bridge (0x0609xx).
 */
bool pci_class_is_bridge(uint32_t code);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * Address assignment for BARs, expansion ROMs, SR-IOV VF BARs and bridge windows, done the way
 * x86 firmware lays out a PCI hierarchy, and the kernel's resource flags that describe them.
 */
#ifndef FAKESYS_PCI_RESOURCES_H
#define FAKESYS_PCI_RESOURCES_H

#include <stddef.h>
#include <stdint.h>

#include "topology.h"

/*
 * Where each root bus's resources start. Root buses take consecutive ranges of each space in
 * (domain, bus) order; a root bus's 64-bit range starts on a PCI_RES_PREF_ROOT_ALIGN boundary,
 * as the per-stack windows of multi-socket Xeon firmware do.
 */
#define PCI_RES_IO_START	0x1000ULL
#define PCI_RES_IO_END		0x10000ULL /* exclusive: 16-bit port space */
#define PCI_RES_MEM32_START	0x90000000ULL
#define PCI_RES_MEM32_END	0xfc000000ULL /* exclusive: IOAPIC, HPET, LAPIC, flash above */
#define PCI_RES_PREF_START	0x380000000000ULL
#define PCI_RES_PREF_END	(1ULL << 52)	/* exclusive: the x86-64 physical address limit */
#define PCI_RES_PREF_ROOT_ALIGN 0x4000000000ULL /* 256 GiB */

/* Bridge window granularity (PCI-to-PCI bridge base/limit registers). */
#define PCI_RES_IO_WINDOW_ALIGN	 0x1000ULL
#define PCI_RES_MEM_WINDOW_ALIGN 0x100000ULL
/* Memory BARs never share a page: firmware aligns small ones to 4 KiB. */
#define PCI_RES_MEM_MIN_ALIGN 0x1000ULL

/*
 * Assigns the start of every BAR, ROM and VF BAR (sriov->vf_bars[i].start is VF 0's; VF n's is
 * start + n * size, the PF's IOV resource spans size * total) and computes every bridge's I/O,
 * memory and prefetchable windows. Non-prefetchable and 32-bit BARs and ROMs go below 4 GiB,
 * 64-bit prefetchable BARs above, I/O BARs in the port space; each BAR is naturally aligned,
 * windows are 1 MiB (memory) or 4 KiB (I/O) aligned and cover everything below them. A VF
 * gets no range of its own: its bars[] become the PF's VF BARs at its vf_index. Deterministic.
 *
 * Returns 0, or -1 with a message in error (e.g. "root bus 0000:00: 32-bit memory space
 * exhausted: 0x80000000 bytes needed, 0x6c000000 available") and the topology partly assigned.
 */
int pci_resources_assign(struct topology *topo, char *error, size_t error_size);

/* The kernel's IORESOURCE_* flags in the `resource` file for a BAR or an SR-IOV VF BAR (the
 * register's low bits, then IO/MEM, PREFETCH, MEM_64, SIZEALIGN); 0 when unused. */
uint64_t pci_bar_resource_flags(const struct topo_bar *bar);
/* The same for the expansion ROM (MEM, PREFETCH, READONLY, SIZEALIGN); 0 when absent. */
uint64_t pci_rom_resource_flags(const struct topo_bar *rom);

enum pci_window_kind {
	PCI_WINDOW_IO,
	PCI_WINDOW_MEM,
	PCI_WINDOW_PREF,
};
/* The same for a bridge window line; 0 when the window is closed (size 0). */
uint64_t pci_window_resource_flags(enum pci_window_kind kind, const struct topo_window *window);

#endif

/* SPDX-License-Identifier: MIT */
/* The configuration space a function presents, synthesized from the topology. */
#ifndef FAKESYS_PCI_CONFIG_H
#define FAKESYS_PCI_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include "topology.h"

#define PCI_CFG_SPACE_SIZE     256
#define PCI_CFG_SPACE_EXP_SIZE 4096
/* What a reader without CAP_SYS_ADMIN gets of config (pci_read_config in pci-sysfs.c). */
#define PCI_CFG_UNPRIVILEGED_SIZE 64

/* cfg_size: 256 for conventional PCI, 4096 for PCI Express / extended config space. */
size_t pci_config_size(const struct topology *topo, const struct topo_function *fn);

/* The message-signalled interrupts a function's config space shows enabled. */
enum pci_msi_kind {
	PCI_MSI_OFF,
	PCI_MSI_ON,  /* MSI, one vector */
	PCI_MSIX_ON, /* MSI-X */
};

struct pci_msi_state {
	enum pci_msi_kind kind;
	unsigned vectors; /* allocated by the driver: one per CPU and one more, within the table */
};

void pci_config_msi_state(const struct topology *topo, const struct topo_function *fn,
			  struct pci_msi_state *out);

/* Capability IDs others look for in given bytes. */
#define PCI_CAP_ID_EXP	   0x10
#define PCI_EXT_CAP_ID_DSN 0x0003

/*
 * Where capability id starts in the bytes cfg[0..len) (a standard one, or with _ext an
 * extended one from 0x100), following the list as the kernel does; 0 when absent. A broken
 * list ends the walk instead of looping.
 */
unsigned pci_config_find_capability(const uint8_t *cfg, size_t len, unsigned id);
unsigned pci_config_find_ext_capability(const uint8_t *cfg, size_t len, unsigned id);

/* Fills out[0..pci_config_size) with the function's configuration space. */
void pci_config_fill(const struct topology *topo, const struct topo_function *fn, uint8_t *out);

#endif

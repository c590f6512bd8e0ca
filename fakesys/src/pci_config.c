/* SPDX-License-Identifier: MIT */
/*
 * Configuration space synthesis: the type 0 / type 1 header, the capability list and the
 * PCI Express extended capabilities, little-endian, as include/uapi/linux/pci_regs.h lays them
 * out. lspci decodes these bytes, so every field it prints must agree with the model and with
 * the text attributes (vendor, class, revision, irq, bus numbers, resource, link speeds).
 */
#include "pci_config.h"

#include <string.h>

/* Header, both types. */
#define PCI_VENDOR_ID		 0x00
#define PCI_DEVICE_ID		 0x02
#define PCI_COMMAND		 0x04
#define PCI_COMMAND_IO		 0x0001
#define PCI_COMMAND_MEMORY	 0x0002
#define PCI_COMMAND_MASTER	 0x0004
#define PCI_COMMAND_INTX_DISABLE 0x0400
#define PCI_STATUS		 0x06
#define PCI_STATUS_CAP_LIST	 0x0010
#define PCI_REVISION_ID		 0x08
#define PCI_CLASS_PROG		 0x09
#define PCI_CACHE_LINE_SIZE	 0x0c
#define PCI_HEADER_TYPE		 0x0e
#define PCI_HEADER_TYPE_NORMAL	 0x00
#define PCI_HEADER_TYPE_BRIDGE	 0x01
#define PCI_HEADER_TYPE_MFD	 0x80
#define PCI_BASE_ADDRESS_0	 0x10
#define PCI_CAPABILITY_LIST	 0x34
#define PCI_INTERRUPT_LINE	 0x3c
#define PCI_INTERRUPT_PIN	 0x3d

/* BAR register encodings. */
#define PCI_BASE_ADDRESS_SPACE_IO     0x01
#define PCI_BASE_ADDRESS_MEM_TYPE_64  0x04
#define PCI_BASE_ADDRESS_MEM_PREFETCH 0x08
#define PCI_BASE_ADDRESS_IO_MASK      0xfffffffcU
#define PCI_BASE_ADDRESS_MEM_MASK     0xfffffff0U
#define PCI_ROM_ADDRESS_MASK	      0xfffff800U

/* Type 0 only. */
#define PCI_SUBSYSTEM_VENDOR_ID 0x2c
#define PCI_SUBSYSTEM_ID	0x2e
#define PCI_ROM_ADDRESS		0x30

/* Type 1 only. */
#define PCI_TYPE1_BARS	       2
#define PCI_PRIMARY_BUS	       0x18
#define PCI_SECONDARY_BUS      0x19
#define PCI_SUBORDINATE_BUS    0x1a
#define PCI_IO_BASE	       0x1c
#define PCI_IO_LIMIT	       0x1d
#define PCI_MEMORY_BASE	       0x20
#define PCI_MEMORY_LIMIT       0x22
#define PCI_PREF_MEMORY_BASE   0x24
#define PCI_PREF_MEMORY_LIMIT  0x26
#define PCI_PREF_BASE_UPPER32  0x28
#define PCI_PREF_LIMIT_UPPER32 0x2c
#define PCI_PREF_RANGE_TYPE_64 0x01
#define PCI_ROM_ADDRESS1       0x38

/* Capabilities. */
#define PCI_CAP_ID_PM	  0x01
#define PCI_CAP_ID_MSI	  0x05
#define PCI_CAP_ID_SSVID  0x0d
#define PCI_CAP_ID_MSIX	  0x11
#define PCI_CAP_LIST_NEXT 1

#define PCI_PM_PMC	 2
#define PCI_PM_CTRL	 4
#define PCI_PM_SIZEOF	 8
#define PCI_PM_CAP_VER_3 0x0003
/* PME from D0, D3hot and D3cold, as most devices and all ports advertise. */
#define PCI_PM_CAP_PME_D0_D3	0xc800
#define PCI_PM_CTRL_NO_SOFT_RST 0x0008

#define PCI_MSI_FLAGS		  2
#define PCI_MSI_FLAGS_ENABLE	  0x0001
#define PCI_MSI_FLAGS_QMASK_SHIFT 1
#define PCI_MSI_FLAGS_64BIT	  0x0080
#define PCI_MSI_FLAGS_MASKBIT	  0x0100
#define PCI_MSI_ADDRESS_LO	  4
#define PCI_MSI_64_SIZEOF	  0x18
#define MSI_X86_ADDRESS		  0xfee00000U
#define MSI_ENDPOINT_LOG2_VECTORS 5 /* 32 */

#define PCI_MSIX_FLAGS	      2
#define PCI_MSIX_FLAGS_ENABLE 0x8000
#define PCI_MSIX_FLAGS_QSIZE  0x07ff
#define PCI_MSIX_TABLE	      4
#define PCI_MSIX_PBA	      8
#define PCI_MSIX_SIZEOF	      12
#define PCI_MSIX_ENTRY_SIZE   16
#define MSIX_VECTORS	      64
#define MSIX_VF_VECTORS	      8

#define PCI_SSVID_VENDOR_ID 4
#define PCI_SSVID_DEVICE_ID 6
#define PCI_SSVID_SIZEOF    8

/* PCI Express capability, version 2. */
#define PCI_EXP_FLAGS		   0x02
#define PCI_EXP_FLAGS_VERS_2	   0x0002
#define PCI_EXP_FLAGS_TYPE_SHIFT   4
#define PCI_EXP_FLAGS_SLOT	   0x0100
#define PCI_EXP_DEVCAP		   0x04
#define PCI_EXP_DEVCAP_PAYLOAD_512 0x00000002
#define PCI_EXP_DEVCAP_EXT_TAG	   0x00000020
#define PCI_EXP_DEVCAP_L0S_512NS   (3U << 6)
#define PCI_EXP_DEVCAP_L1_64US	   (6U << 9)
#define PCI_EXP_DEVCAP_RBE	   0x00008000
#define PCI_EXP_DEVCAP_FLR	   0x10000000
#define PCI_EXP_DEVCTL		   0x08
/* Error reporting on (AER), relaxed ordering, 256-byte payload, extended tags, no snoop,
 * 512-byte read requests: what Linux leaves a probed device with. */
#define PCI_EXP_DEVCTL_DEFAULT		0x293f
#define PCI_EXP_LNKCAP			0x0c
#define PCI_EXP_LNKCAP_WIDTH_SHIFT	4
#define PCI_EXP_LNKCAP_ASPM_L1		(2U << 10)
#define PCI_EXP_LNKCAP_L1_16US		(4U << 15)
#define PCI_EXP_LNKCAP_DLLLARC		0x00100000
#define PCI_EXP_LNKCAP_LBNC		0x00200000
#define PCI_EXP_LNKCAP_AOC		0x00400000
#define PCI_EXP_LNKCAP_PORT_SHIFT	24
#define PCI_EXP_LNKCTL			0x10
#define PCI_EXP_LNKCTL_CCC		0x0040
#define PCI_EXP_LNKSTA			0x12
#define PCI_EXP_LNKSTA_WIDTH_SHIFT	4
#define PCI_EXP_LNKSTA_SLC		0x1000
#define PCI_EXP_LNKSTA_DLLLA		0x2000
#define PCI_EXP_SLTCAP			0x14
#define PCI_EXP_SLTCAP_PWR_25W		(25U << 7)
#define PCI_EXP_SLTCAP_NCCS		0x00040000
#define PCI_EXP_SLTCAP_PSN_SHIFT	19
#define PCI_EXP_SLTCTL			0x18
#define PCI_EXP_SLTCTL_ATTN_IND_OFF	0x00c0
#define PCI_EXP_SLTCTL_PWR_IND_ON	0x0100
#define PCI_EXP_SLTCTL_PWR_IND_OFF	0x0300
#define PCI_EXP_SLTSTA			0x1a
#define PCI_EXP_SLTSTA_PDS		0x0040
#define PCI_EXP_DEVCAP2			0x24
#define PCI_EXP_DEVCAP2_COMP_TMOUT_ABCD 0x0000000f
#define PCI_EXP_DEVCAP2_COMP_TMOUT_DIS	0x00000010
#define PCI_EXP_DEVCAP2_ARI		0x00000020
#define PCI_EXP_DEVCAP2_LTR		0x00000800
#define PCI_EXP_LNKCAP2			0x2c
#define PCI_EXP_LNKCTL2			0x30
#define PCI_EXP_LNKSTA2			0x32
#define PCI_EXP_LNKSTA2_DEEMPH_3_5DB	0x0001
#define PCI_EXP_LNKSTA2_EQ_DONE		0x001e /* complete, phases 1 to 3 */
#define PCI_EXP_SIZEOF_V2		0x3c
#define PCI_EXP_SPEED_8GT		3

/* Extended capabilities. */
#define PCI_EXT_CAP_START      0x100
#define PCI_EXT_CAP_NEXT_SHIFT 20
#define PCI_EXT_CAP_VER_SHIFT  16
#define PCI_EXT_CAP_ID_ERR     0x0001
#define PCI_EXT_CAP_ID_ACS     0x000d
#define PCI_EXT_CAP_ID_SRIOV   0x0010

#define PCI_ERR_UNCOR_SEVER 0x0c
#define PCI_ERR_COR_MASK    0x14
#define PCI_ERR_CAP	    0x18
/* Data link, surprise down, flow control, receiver overflow, malformed TLP: fatal. */
#define PCI_ERR_UNCOR_SEVER_DEFAULT 0x00062030
#define PCI_ERR_COR_ADV_NFAT	    0x00002000
#define PCI_ERR_CAP_ECRC_GENC	    0x00000020
#define PCI_ERR_CAP_ECRC_CHKC	    0x00000080
#define PCI_ERR_SIZEOF_V2	    0x48

#define PCI_ACS_CAP    0x04
#define PCI_ACS_CTRL   0x06
#define PCI_ACS_SV     0x0001
#define PCI_ACS_TB     0x0002
#define PCI_ACS_RR     0x0004
#define PCI_ACS_CR     0x0008
#define PCI_ACS_UF     0x0010
#define PCI_ACS_SIZEOF 8

#define PCI_SRIOV_CTRL	     0x08
#define PCI_SRIOV_CTRL_VFE   0x0001
#define PCI_SRIOV_CTRL_MSE   0x0008
#define PCI_SRIOV_INITIAL_VF 0x0c
#define PCI_SRIOV_TOTAL_VF   0x0e
#define PCI_SRIOV_NUM_VF     0x10
#define PCI_SRIOV_FUNC_LINK  0x12
#define PCI_SRIOV_VF_OFFSET  0x14
#define PCI_SRIOV_VF_STRIDE  0x16
#define PCI_SRIOV_VF_DID     0x1a
#define PCI_SRIOV_SUP_PGSIZE 0x1c
#define PCI_SRIOV_SYS_PGSIZE 0x20
#define PCI_SRIOV_BAR	     0x24
#define PCI_SRIOV_SIZEOF     0x40
#define SRIOV_PAGE_SIZES     0x00000553 /* 4K, 8K, 64K, 256K, 1M, 4M */
#define SRIOV_PAGE_SIZE_4K   0x00000001

/* The driver that leaves interrupts off until userspace opens the device. */

static void put16(uint8_t *cfg, unsigned offset, uint16_t value)
{
	cfg[offset] = value & 0xff;
	cfg[offset + 1] = value >> 8;
}

static void put32(uint8_t *cfg, unsigned offset, uint32_t value)
{
	put16(cfg, offset, value & 0xffff);
	put16(cfg, offset + 2, value >> 16);
}

static uint16_t get16(const uint8_t *cfg, unsigned offset)
{
	return (uint16_t)(cfg[offset] | cfg[offset + 1] << 8);
}

static uint32_t get32(const uint8_t *cfg, unsigned offset)
{
	return (uint32_t)cfg[offset] | (uint32_t)cfg[offset + 1] << 8 |
	       (uint32_t)cfg[offset + 2] << 16 | (uint32_t)cfg[offset + 3] << 24;
}

static unsigned align16(unsigned offset)
{
	return (offset + 15) & ~15U;
}

/* A VF only if its physfn really is a PF; a zeroed physfn in a hand-built model is not. */
static bool is_vf(const struct topology *topo, const struct topo_function *fn)
{
	return fn->physfn != TOPO_NONE && fn->physfn >= 0 &&
	       (size_t)fn->physfn < topo->n_functions && topo->functions[fn->physfn].sriov;
}

/* A bound driver other than vfio-pci turns on MSI-X, or MSI when there is no MSI-X. */
static bool interrupts_enabled(const struct topology *topo, const struct topo_function *fn)
{
	return fn->driver != TOPO_NONE && !topology_is_vfio_bound(topo, fn);
}

static bool is_downstream_port(const struct topo_function *fn)
{
	return fn->pcie.present &&
	       (fn->pcie.port_type == PCIE_ROOT_PORT || fn->pcie.port_type == PCIE_DOWNSTREAM_PORT);
}

static bool has_link(const struct topo_function *fn)
{
	return fn->pcie.port_type != PCIE_RC_INTEGRATED_ENDPOINT &&
	       fn->pcie.port_type != PCIE_RC_EVENT_COLLECTOR;
}

static bool is_pcie_endpoint(const struct topo_function *fn)
{
	return fn->pcie.port_type == PCIE_ENDPOINT || fn->pcie.port_type == PCIE_LEGACY_ENDPOINT ||
	       fn->pcie.port_type == PCIE_RC_INTEGRATED_ENDPOINT;
}

static bool link_up(const struct topo_function *fn)
{
	return fn->pcie.speed != 0 && fn->pcie.width != 0;
}

/* Index of the BAR holding the MSI-X table: BAR 0, or else the first memory BAR; -1 if none. */
static int msix_bar(const struct topo_function *fn)
{
	for (int i = 0; i < TOPO_N_BARS; i++) {
		const struct topo_bar *bar = &fn->bars[i];

		if (bar->size && (bar->kind == BAR_MEM32 || bar->kind == BAR_MEM64))
			return i;
	}
	return -1;
}

static uint64_t msix_footprint(unsigned vectors)
{
	/* The table, then the pending bit array (one bit per vector, in qwords). */
	return (uint64_t)vectors * PCI_MSIX_ENTRY_SIZE + (vectors + 63) / 64 * 8;
}

/* Vectors whose table and PBA fit in the BAR; 0 if not even one does. */
static unsigned msix_vectors(const struct topology *topo, const struct topo_function *fn,
			     uint64_t bar_size)
{
	unsigned vectors = is_vf(topo, fn) ? MSIX_VF_VECTORS : MSIX_VECTORS;

	while (vectors && msix_footprint(vectors) > bar_size)
		vectors /= 2;
	return vectors;
}

static bool has_msix(const struct topology *topo, const struct topo_function *fn)
{
	int bar = msix_bar(fn);

	return fn->pcie.present && !fn->is_bridge && bar >= 0 &&
	       msix_vectors(topo, fn, fn->bars[bar].size) > 0;
}

/* PCI_FIND_CAP_TTL: the kernel's bound on a standard capability walk. */
#define CAP_WALK_MAX	 48
#define EXT_CAP_WALK_MAX ((PCI_CFG_SPACE_EXP_SIZE - PCI_EXT_CAP_START) / 8)

unsigned pci_config_find_capability(const uint8_t *cfg, size_t len, unsigned id)
{
	if (len < 0x40 || !(cfg[PCI_STATUS] & PCI_STATUS_CAP_LIST))
		return 0;
	unsigned pos = cfg[PCI_CAPABILITY_LIST] & 0xfc;
	for (int ttl = CAP_WALK_MAX; pos >= 0x40 && pos + 2 <= len && ttl; ttl--) {
		if (cfg[pos] == id)
			return pos;
		pos = cfg[pos + 1] & 0xfc;
	}
	return 0;
}

unsigned pci_config_find_ext_capability(const uint8_t *cfg, size_t len, unsigned id)
{
	unsigned pos = PCI_EXT_CAP_START;

	for (int ttl = EXT_CAP_WALK_MAX; pos >= PCI_EXT_CAP_START && pos + 4 <= len && ttl; ttl--) {
		uint32_t header = get32(cfg, pos);

		if (header == 0)
			break;
		if ((header & 0xffff) == id)
			return pos;
		pos = header >> PCI_EXT_CAP_NEXT_SHIFT & 0xffc;
	}
	return 0;
}

/* What given bytes say: the enable bits of their MSI-X or MSI capability. */
static void raw_msi_state(const struct topology *topo, const struct topo_function *fn,
			  struct pci_msi_state *out)
{
	const uint8_t *cfg = fn->raw_config;
	size_t len = fn->raw_config_len;
	unsigned msix = pci_config_find_capability(cfg, len, PCI_CAP_ID_MSIX);
	unsigned msi = pci_config_find_capability(cfg, len, PCI_CAP_ID_MSI);

	if (msix && msix + 4 <= len &&
	    (get16(cfg, msix + PCI_MSIX_FLAGS) & PCI_MSIX_FLAGS_ENABLE)) {
		unsigned table = (get16(cfg, msix + PCI_MSIX_FLAGS) & PCI_MSIX_FLAGS_QSIZE) + 1;

		/* The driver asked for one vector per CPU and one more, as the model's. */
		out->kind = PCI_MSIX_ON;
		out->vectors = table < topo->host.cpus + 1 ? table : topo->host.cpus + 1;
	} else if (msi && msi + 4 <= len &&
		   (get16(cfg, msi + PCI_MSI_FLAGS) & PCI_MSI_FLAGS_ENABLE)) {
		out->kind = PCI_MSI_ON;
		out->vectors = 1u << (get16(cfg, msi + PCI_MSI_FLAGS) >> 4 & 7);
	}
}

void pci_config_msi_state(const struct topology *topo, const struct topo_function *fn,
			  struct pci_msi_state *out)
{
	out->kind = PCI_MSI_OFF;
	out->vectors = 0;
	if (fn->raw_config) {
		raw_msi_state(topo, fn, out);
		return;
	}
	if (!interrupts_enabled(topo, fn))
		return;
	if (has_msix(topo, fn)) {
		unsigned table = msix_vectors(topo, fn, fn->bars[msix_bar(fn)].size);

		out->kind = PCI_MSIX_ON;
		out->vectors = table < topo->host.cpus + 1 ? table : topo->host.cpus + 1;
	} else if (fn->pcie.present) {
		out->kind = PCI_MSI_ON;
		out->vectors = 1;
	}
}

/* Writes BAR registers from reg on; a 64-bit BAR takes two, if the header has them. */
static void put_bars(uint8_t *cfg, const struct topo_bar *bars, unsigned n_regs, unsigned reg)
{
	for (unsigned i = 0; i < n_regs; i++) {
		const struct topo_bar *bar = &bars[i];
		unsigned at = reg + 4 * i;
		uint32_t prefetch = bar->prefetchable ? PCI_BASE_ADDRESS_MEM_PREFETCH : 0;

		if (bar->size == 0)
			continue;
		switch (bar->kind) {
		case BAR_IO:
			put32(cfg, at,
			      ((uint32_t)bar->start & PCI_BASE_ADDRESS_IO_MASK) |
				      PCI_BASE_ADDRESS_SPACE_IO);
			break;
		case BAR_MEM32:
			put32(cfg, at,
			      ((uint32_t)bar->start & PCI_BASE_ADDRESS_MEM_MASK) | prefetch);
			break;
		case BAR_MEM64:
			put32(cfg, at,
			      ((uint32_t)bar->start & PCI_BASE_ADDRESS_MEM_MASK) |
				      PCI_BASE_ADDRESS_MEM_TYPE_64 | prefetch);
			if (i + 1 < n_regs)
				put32(cfg, at + 4, (uint32_t)(bar->start >> 32));
			i++;
			break;
		default:
			break;
		}
	}
}

/* Disabled, as firmware leaves it: lspci shows "[disabled]" and the size from resource. */
static void put_rom(uint8_t *cfg, unsigned reg, const struct topo_bar *rom)
{
	if (rom->size)
		put32(cfg, reg, (uint32_t)rom->start & PCI_ROM_ADDRESS_MASK);
}

/* Base and limit registers; a closed window has its base above its limit. */
static void put_windows(uint8_t *cfg, const struct topo_function *fn)
{
	const struct topo_window *io = &fn->io_window, *mem = &fn->mem_window;
	const struct topo_window *pref = &fn->pref_window;

	if (io->size) {
		cfg[PCI_IO_BASE] = (io->start >> 8) & 0xf0;
		cfg[PCI_IO_LIMIT] = ((io->start + io->size - 1) >> 8) & 0xf0;
	} else {
		cfg[PCI_IO_BASE] = 0xf0;
		cfg[PCI_IO_LIMIT] = 0x00;
	}
	if (mem->size) {
		put16(cfg, PCI_MEMORY_BASE, (mem->start >> 16) & 0xfff0);
		put16(cfg, PCI_MEMORY_LIMIT, ((mem->start + mem->size - 1) >> 16) & 0xfff0);
	} else {
		put16(cfg, PCI_MEMORY_BASE, 0xfff0);
		put16(cfg, PCI_MEMORY_LIMIT, 0x0000);
	}
	if (pref->size) {
		uint64_t end = pref->start + pref->size - 1;

		put16(cfg, PCI_PREF_MEMORY_BASE,
		      ((pref->start >> 16) & 0xfff0) | PCI_PREF_RANGE_TYPE_64);
		put16(cfg, PCI_PREF_MEMORY_LIMIT, ((end >> 16) & 0xfff0) | PCI_PREF_RANGE_TYPE_64);
		put32(cfg, PCI_PREF_BASE_UPPER32, (uint32_t)(pref->start >> 32));
		put32(cfg, PCI_PREF_LIMIT_UPPER32, (uint32_t)(end >> 32));
	} else {
		put16(cfg, PCI_PREF_MEMORY_BASE, 0xfff0 | PCI_PREF_RANGE_TYPE_64);
		put16(cfg, PCI_PREF_MEMORY_LIMIT, PCI_PREF_RANGE_TYPE_64);
	}
}

/* Builds the capability list: each new capability is linked from the previous one. */
struct cap_list {
	uint8_t *cfg;
	unsigned link; /* where the pointer to the next capability goes */
	unsigned free; /* where the next capability may start */
};

static unsigned add_cap(struct cap_list *list, uint8_t id, unsigned size)
{
	unsigned at = list->free;

	list->cfg[list->link] = (uint8_t)at;
	list->cfg[at] = id;
	list->cfg[at + PCI_CAP_LIST_NEXT] = 0;
	list->link = at + PCI_CAP_LIST_NEXT;
	list->free = align16(at + size);
	return at;
}

/* The same for extended capabilities, whose header holds the next offset in bits 31:20. */
struct ext_cap_list {
	uint8_t *cfg;
	unsigned last; /* header of the last capability added, or 0 */
	unsigned free;
};

static unsigned add_ext_cap(struct ext_cap_list *list, uint16_t id, uint8_t version, unsigned size)
{
	unsigned at = list->free;

	if (list->last)
		put32(list->cfg, list->last,
		      get32(list->cfg, list->last) | (uint32_t)at << PCI_EXT_CAP_NEXT_SHIFT);
	put32(list->cfg, at, id | (uint32_t)version << PCI_EXT_CAP_VER_SHIFT);
	list->last = at;
	list->free = align16(at + size);
	return at;
}

static void put_pm(struct cap_list *list)
{
	unsigned at = add_cap(list, PCI_CAP_ID_PM, PCI_PM_SIZEOF);

	put16(list->cfg, at + PCI_PM_PMC, PCI_PM_CAP_VER_3 | PCI_PM_CAP_PME_D0_D3);
	put16(list->cfg, at + PCI_PM_CTRL, PCI_PM_CTRL_NO_SOFT_RST); /* D0 */
}

static void put_msi(struct cap_list *list, const struct topo_function *fn, bool enabled)
{
	unsigned at = add_cap(list, PCI_CAP_ID_MSI, PCI_MSI_64_SIZEOF);
	unsigned log2_vectors = is_pcie_endpoint(fn) ? MSI_ENDPOINT_LOG2_VECTORS : 0;
	uint16_t flags = PCI_MSI_FLAGS_64BIT | PCI_MSI_FLAGS_MASKBIT |
			 (uint16_t)(log2_vectors << PCI_MSI_FLAGS_QMASK_SHIFT);

	if (enabled) {
		flags |= PCI_MSI_FLAGS_ENABLE; /* one vector allocated */
		put32(list->cfg, at + PCI_MSI_ADDRESS_LO, MSI_X86_ADDRESS);
	}
	put16(list->cfg, at + PCI_MSI_FLAGS, flags);
}

static void put_msix(struct cap_list *list, const struct topology *topo,
		     const struct topo_function *fn, bool enabled)
{
	unsigned at = add_cap(list, PCI_CAP_ID_MSIX, PCI_MSIX_SIZEOF);
	int bar = msix_bar(fn);
	unsigned vectors = msix_vectors(topo, fn, fn->bars[bar].size);

	put16(list->cfg, at + PCI_MSIX_FLAGS,
	      (uint16_t)(vectors - 1) | (enabled ? PCI_MSIX_FLAGS_ENABLE : 0));
	/* Table at offset 0 of the BAR, pending bits right after it. */
	put32(list->cfg, at + PCI_MSIX_TABLE, (uint32_t)bar);
	put32(list->cfg, at + PCI_MSIX_PBA, vectors * PCI_MSIX_ENTRY_SIZE | (uint32_t)bar);
}

static void put_ssvid(struct cap_list *list, const struct topo_function *fn)
{
	unsigned at = add_cap(list, PCI_CAP_ID_SSVID, PCI_SSVID_SIZEOF);

	put16(list->cfg, at + PCI_SSVID_VENDOR_ID, fn->subsys_vendor);
	put16(list->cfg, at + PCI_SSVID_DEVICE_ID, fn->subsys_device);
}

static void put_express_link(uint8_t *cfg, unsigned at, const struct topo_function *fn)
{
	const struct topo_pcie *pcie = &fn->pcie;
	/* Every link does 2.5 GT/s on one lane; 0 in the model means the slot is empty. */
	unsigned max_speed = pcie->max_speed ? pcie->max_speed : 1;
	unsigned max_width = pcie->max_width ? pcie->max_width : 1;
	unsigned speed = pcie->speed ? pcie->speed : 1;
	bool downstream = is_downstream_port(fn) || pcie->port_type == PCI_TO_PCIE_BRIDGE;
	uint32_t lnkcap = max_speed | max_width << PCI_EXP_LNKCAP_WIDTH_SHIFT |
			  PCI_EXP_LNKCAP_ASPM_L1 | PCI_EXP_LNKCAP_L1_16US | PCI_EXP_LNKCAP_AOC;
	uint16_t lnksta = (uint16_t)(speed | (unsigned)pcie->width << PCI_EXP_LNKSTA_WIDTH_SHIFT);

	if (downstream)
		lnkcap |= PCI_EXP_LNKCAP_DLLLARC | PCI_EXP_LNKCAP_LBNC |
			  (uint32_t)fn->addr.dev << PCI_EXP_LNKCAP_PORT_SHIFT;
	if (link_up(fn)) {
		lnksta |= PCI_EXP_LNKSTA_SLC | (downstream ? PCI_EXP_LNKSTA_DLLLA : 0);
		put16(cfg, at + PCI_EXP_LNKCTL, PCI_EXP_LNKCTL_CCC);
	}
	put32(cfg, at + PCI_EXP_LNKCAP, lnkcap);
	put16(cfg, at + PCI_EXP_LNKSTA, lnksta);
	/* Supported Link Speeds Vector: bit n for generation n, all up to the maximum. */
	put32(cfg, at + PCI_EXP_LNKCAP2, ((1U << max_speed) - 1) << 1);
	put16(cfg, at + PCI_EXP_LNKCTL2, (uint16_t)max_speed);
	put16(cfg, at + PCI_EXP_LNKSTA2,
	      PCI_EXP_LNKSTA2_DEEMPH_3_5DB |
		      (link_up(fn) && speed >= PCI_EXP_SPEED_8GT ? PCI_EXP_LNKSTA2_EQ_DONE : 0));
}

static void put_express_slot(uint8_t *cfg, unsigned at, const struct topo_function *fn)
{
	/* Physical slot number: unique within the domain (13 bits = bus and device). */
	uint32_t slot = (uint32_t)fn->addr.bus << 5 | fn->addr.dev;

	put32(cfg, at + PCI_EXP_SLTCAP,
	      PCI_EXP_SLTCAP_PWR_25W | PCI_EXP_SLTCAP_NCCS | slot << PCI_EXP_SLTCAP_PSN_SHIFT);
	put16(cfg, at + PCI_EXP_SLTCTL,
	      PCI_EXP_SLTCTL_ATTN_IND_OFF |
		      (link_up(fn) ? PCI_EXP_SLTCTL_PWR_IND_ON : PCI_EXP_SLTCTL_PWR_IND_OFF));
	put16(cfg, at + PCI_EXP_SLTSTA, link_up(fn) ? PCI_EXP_SLTSTA_PDS : 0);
}

static void put_express(struct cap_list *list, const struct topo_function *fn)
{
	unsigned at = add_cap(list, PCI_CAP_ID_EXP, PCI_EXP_SIZEOF_V2);
	uint8_t *cfg = list->cfg;
	bool slot = is_downstream_port(fn);
	uint32_t devcap = PCI_EXP_DEVCAP_PAYLOAD_512 | PCI_EXP_DEVCAP_EXT_TAG | PCI_EXP_DEVCAP_RBE;
	uint32_t devcap2 = PCI_EXP_DEVCAP2_COMP_TMOUT_ABCD | PCI_EXP_DEVCAP2_COMP_TMOUT_DIS |
			   PCI_EXP_DEVCAP2_LTR;

	put16(cfg, at + PCI_EXP_FLAGS,
	      PCI_EXP_FLAGS_VERS_2 |
		      (uint16_t)((fn->pcie.port_type & 0xf) << PCI_EXP_FLAGS_TYPE_SHIFT) |
		      (slot ? PCI_EXP_FLAGS_SLOT : 0));
	if (is_pcie_endpoint(fn))
		devcap |= PCI_EXP_DEVCAP_L0S_512NS | PCI_EXP_DEVCAP_L1_64US | PCI_EXP_DEVCAP_FLR;
	put32(cfg, at + PCI_EXP_DEVCAP, devcap);
	put16(cfg, at + PCI_EXP_DEVCTL, PCI_EXP_DEVCTL_DEFAULT);
	if (has_link(fn))
		put_express_link(cfg, at, fn);
	if (slot) {
		put_express_slot(cfg, at, fn);
		devcap2 |= PCI_EXP_DEVCAP2_ARI;
	}
	put32(cfg, at + PCI_EXP_DEVCAP2, devcap2);
}

static void put_aer(struct ext_cap_list *list)
{
	unsigned at = add_ext_cap(list, PCI_EXT_CAP_ID_ERR, 2, PCI_ERR_SIZEOF_V2);

	put32(list->cfg, at + PCI_ERR_UNCOR_SEVER, PCI_ERR_UNCOR_SEVER_DEFAULT);
	put32(list->cfg, at + PCI_ERR_COR_MASK, PCI_ERR_COR_ADV_NFAT);
	put32(list->cfg, at + PCI_ERR_CAP, PCI_ERR_CAP_ECRC_GENC | PCI_ERR_CAP_ECRC_CHKC);
}

/* Redirection and source validation on, as Linux sets them for IOMMU isolation. */
static void put_acs(struct ext_cap_list *list)
{
	unsigned at = add_ext_cap(list, PCI_EXT_CAP_ID_ACS, 1, PCI_ACS_SIZEOF);

	put16(list->cfg, at + PCI_ACS_CAP,
	      PCI_ACS_SV | PCI_ACS_TB | PCI_ACS_RR | PCI_ACS_CR | PCI_ACS_UF);
	put16(list->cfg, at + PCI_ACS_CTRL, PCI_ACS_SV | PCI_ACS_RR | PCI_ACS_CR | PCI_ACS_UF);
}

static void put_sriov(struct ext_cap_list *list, const struct topo_function *fn)
{
	const struct topo_sriov *sriov = fn->sriov;
	unsigned at = add_ext_cap(list, PCI_EXT_CAP_ID_SRIOV, 1, PCI_SRIOV_SIZEOF);
	uint8_t *cfg = list->cfg;

	if (sriov->num)
		put16(cfg, at + PCI_SRIOV_CTRL, PCI_SRIOV_CTRL_VFE | PCI_SRIOV_CTRL_MSE);
	put16(cfg, at + PCI_SRIOV_INITIAL_VF, sriov->total);
	put16(cfg, at + PCI_SRIOV_TOTAL_VF, sriov->total);
	put16(cfg, at + PCI_SRIOV_NUM_VF, sriov->num);
	cfg[at + PCI_SRIOV_FUNC_LINK] = fn->addr.fn;
	put16(cfg, at + PCI_SRIOV_VF_OFFSET, sriov->offset);
	put16(cfg, at + PCI_SRIOV_VF_STRIDE, sriov->stride);
	put16(cfg, at + PCI_SRIOV_VF_DID, sriov->vf_device);
	put32(cfg, at + PCI_SRIOV_SUP_PGSIZE, SRIOV_PAGE_SIZES);
	put32(cfg, at + PCI_SRIOV_SYS_PGSIZE, SRIOV_PAGE_SIZE_4K);
	put_bars(cfg, sriov->vf_bars, TOPO_N_BARS, at + PCI_SRIOV_BAR);
}

static bool has_io_bar(const struct topo_function *fn)
{
	for (unsigned i = 0; i < TOPO_N_BARS; i++)
		if (fn->bars[i].size && fn->bars[i].kind == BAR_IO)
			return true;
	return false;
}

size_t pci_config_size(const struct topology *topo, const struct topo_function *fn)
{
	(void)topo;
	if (fn->raw_config)
		return fn->raw_config_len > PCI_CFG_SPACE_SIZE ? PCI_CFG_SPACE_EXP_SIZE
							       : PCI_CFG_SPACE_SIZE;
	return fn->pcie.present ? PCI_CFG_SPACE_EXP_SIZE : PCI_CFG_SPACE_SIZE;
}

/* IDs, class, header type, command and interrupt registers. */
static void put_header(uint8_t *out, const struct topology *topo, const struct topo_function *fn,
		       bool vf, bool messages_on)
{
	uint16_t command = PCI_COMMAND_MASTER;

	if (vf) {
		/* A VF answers ffff for its IDs (SR-IOV specification); sysfs has the real ones.
		 * Its memory decode is the PF's VF MSE bit: the VF's own Memory bit reads 0. */
		put32(out, PCI_VENDOR_ID, 0xffffffff);
	} else {
		put16(out, PCI_VENDOR_ID, fn->vendor);
		put16(out, PCI_DEVICE_ID, fn->device);
		command |= PCI_COMMAND_MEMORY;
		if (fn->is_bridge || has_io_bar(fn))
			command |= PCI_COMMAND_IO;
	}
	if (messages_on) /* drivers turn INTx off once MSI or MSI-X is on */
		command |= PCI_COMMAND_INTX_DISABLE;
	put16(out, PCI_COMMAND, command);
	out[PCI_REVISION_ID] = fn->revision;
	out[PCI_CLASS_PROG] = fn->class_code & 0xff;
	out[PCI_CLASS_PROG + 1] = (fn->class_code >> 8) & 0xff;
	out[PCI_CLASS_PROG + 2] = (fn->class_code >> 16) & 0xff;
	out[PCI_CACHE_LINE_SIZE] = 64 / 4; /* in dwords */
	/* The kernel never takes a VF for a multi-function device (pci_iov_add_virtfn). */
	out[PCI_HEADER_TYPE] =
		(fn->is_bridge ? PCI_HEADER_TYPE_BRIDGE : PCI_HEADER_TYPE_NORMAL) |
		(!vf && topology_is_multifunction(topo, fn) ? PCI_HEADER_TYPE_MFD : 0);
	out[PCI_INTERRUPT_LINE] = fn->irq;
	out[PCI_INTERRUPT_PIN] = fn->irq ? 1 : 0; /* INTA# */
}

void pci_config_fill(const struct topology *topo, const struct topo_function *fn, uint8_t *out)
{
	bool vf = is_vf(topo, fn);
	bool irq_on = interrupts_enabled(topo, fn);
	bool msix = has_msix(topo, fn);
	struct cap_list caps = { out, PCI_CAPABILITY_LIST, 0x40 };

	memset(out, 0, pci_config_size(topo, fn));
	/* Bytes the scenario gives are the device's own: served as given. */
	if (fn->raw_config) {
		memcpy(out, fn->raw_config, fn->raw_config_len);
		return;
	}
	/* Every PCIe function here has MSI, so a driver that wants interrupts gets messages. */
	put_header(out, topo, fn, vf, irq_on && fn->pcie.present);
	if (fn->is_bridge) {
		put_bars(out, fn->bars, PCI_TYPE1_BARS, PCI_BASE_ADDRESS_0);
		out[PCI_PRIMARY_BUS] = fn->addr.bus;
		out[PCI_SECONDARY_BUS] = fn->secondary_bus;
		out[PCI_SUBORDINATE_BUS] = fn->subordinate_bus;
		put_windows(out, fn);
		put_rom(out, PCI_ROM_ADDRESS1, &fn->rom);
	} else {
		/* A VF's BAR registers are read-only zero: its BARs are the PF's VF BARs. */
		if (!vf) {
			put_bars(out, fn->bars, TOPO_N_BARS, PCI_BASE_ADDRESS_0);
			put_rom(out, PCI_ROM_ADDRESS, &fn->rom);
		}
		put16(out, PCI_SUBSYSTEM_VENDOR_ID, fn->subsys_vendor);
		put16(out, PCI_SUBSYSTEM_ID, fn->subsys_device);
	}

	if (fn->pcie.present || fn->is_bridge)
		put_pm(&caps);
	if (fn->pcie.present) {
		put_msi(&caps, fn, irq_on && !msix);
		put_express(&caps, fn);
	}
	if (msix)
		put_msix(&caps, topo, fn, irq_on);
	if (fn->is_bridge && (fn->subsys_vendor || fn->subsys_device))
		put_ssvid(&caps, fn);
	if (out[PCI_CAPABILITY_LIST])
		put16(out, PCI_STATUS, PCI_STATUS_CAP_LIST);

	if (fn->pcie.present) {
		struct ext_cap_list ext = { out, 0, PCI_EXT_CAP_START };

		put_aer(&ext);
		if (is_downstream_port(fn))
			put_acs(&ext);
		if (fn->sriov && !vf)
			put_sriov(&ext, fn);
	}
}

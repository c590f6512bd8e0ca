/* SPDX-License-Identifier: MIT */
/*
 * Configuration space synthesis: header and BAR encodings, bridge windows, the capability and
 * extended capability chains, PCI Express link fields, MSI-X, SR-IOV and VF specifics, and
 * lspci (pciutils) decoding the bytes from a sysfs-like tree without a complaint.
 */
#include <check.h>

#include "check_run.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pci_config.h"
#include "pci_resources.h"

#define KiB (1ULL << 10)
#define MiB (1ULL << 20)

/* Capability IDs and the register offsets the checks read (pci_regs.h). */
#define CAP_PM	   0x01
#define CAP_MSI	   0x05
#define CAP_SSVID  0x0d
#define CAP_EXP	   0x10
#define CAP_MSIX   0x11
#define ECAP_AER   0x0001
#define ECAP_ACS   0x000d
#define ECAP_SRIOV 0x0010

/* Sizes of the structures, to check that no two capabilities overlap. */
static unsigned cap_size(uint8_t id)
{
	switch (id) {
	case CAP_PM:
		return 8;
	case CAP_MSI:
		return 0x18; /* 64-bit with per-vector masking */
	case CAP_SSVID:
		return 8;
	case CAP_EXP:
		return 0x3c;
	case CAP_MSIX:
		return 12;
	}
	return 0;
}

static unsigned ext_cap_size(uint16_t id)
{
	switch (id) {
	case ECAP_AER:
		return 0x48;
	case ECAP_ACS:
		return 8;
	case ECAP_SRIOV:
		return 0x40;
	}
	return 0;
}

static uint16_t get16(const uint8_t *cfg, unsigned at)
{
	return (uint16_t)(cfg[at] | cfg[at + 1] << 8);
}

static uint32_t get32(const uint8_t *cfg, unsigned at)
{
	return (uint32_t)get16(cfg, at) | (uint32_t)get16(cfg, at + 2) << 16;
}

/* ---- Fixture: a host as the loader and the resource assignment leave it ---- */

enum {
	HOST,	/* 00:00.0 conventional host bridge, nothing else */
	PORT,	/* 00:01.0 root port, Gen4 x16, link up, subsystem ID */
	EMPTY,	/* 00:02.0 root port, Gen3 x4, nothing behind it */
	PCIBR,	/* 00:1e.0 conventional PCI-to-PCI bridge */
	SMBUS,	/* 00:1f.0 root complex integrated endpoint, small BARs */
	NIC,	/* 01:00.0 SR-IOV PF, Gen4 x16 running at Gen3 */
	VF0,	/* 01:02.0 bound to vfio-pci */
	VF1,	/* 01:02.1 bound to iavf */
	LEGACY, /* 03:00.0 conventional endpoint with an I/O BAR */
	N_FNS
};

enum { DRV_I40E, DRV_IAVF, DRV_PCIEPORT, DRV_VFIO, N_DRIVERS };

static struct topo_function fns[N_FNS];
static struct topo_sriov nic_sriov;
static struct topo_driver drivers[N_DRIVERS] = {
	{ .name = "i40e" }, { .name = "iavf" }, { .name = "pcieport" }, { .name = "vfio-pci" }
};
static struct topo_root_bus roots[] = { { 0, 0 } };
static struct topology topo = {
	.host = { .cpus = 4, .numa_nodes = 1 },
	.functions = fns,
	.n_functions = N_FNS,
	.drivers = drivers,
	.n_drivers = N_DRIVERS,
	.root_buses = roots,
	.n_root_buses = 1,
};

static void set_fn(int index, const char *bdf, uint16_t vendor, uint16_t device,
		   uint32_t class_code, int32_t parent)
{
	struct topo_function *fn = &fns[index];

	memset(fn, 0, sizeof(*fn));
	ck_assert(pci_addr_parse(bdf, &fn->addr));
	fn->vendor = vendor;
	fn->device = device;
	fn->class_code = class_code;
	fn->numa_node = -1;
	fn->group = TOPO_NONE;
	fn->driver = TOPO_NONE;
	fn->parent = parent;
	fn->physfn = TOPO_NONE;
	fn->acpi_index = -1;
}

static void set_pcie(int index, uint8_t type, uint8_t max_speed, uint8_t max_width, uint8_t speed,
		     uint8_t width)
{
	fns[index].pcie = (struct topo_pcie){ true, type, max_speed, max_width, speed, width };
}

static void set_bar(struct topo_bar *bar, uint8_t kind, uint64_t size, bool prefetchable)
{
	bar->kind = kind;
	bar->size = size;
	bar->prefetchable = prefetchable;
}

static void setup(void)
{
	char error[256];

	set_fn(HOST, "0000:00:00.0", 0x8086, 0x2020, 0x060000, TOPO_NONE);

	set_fn(PORT, "0000:00:01.0", 0x8086, 0x2030, 0x060400, TOPO_NONE);
	fns[PORT].is_bridge = true;
	fns[PORT].secondary_bus = fns[PORT].subordinate_bus = 1;
	fns[PORT].subsys_vendor = 0x8086;
	fns[PORT].subsys_device = 0x7270;
	fns[PORT].driver = DRV_PCIEPORT;
	fns[PORT].irq = 24;
	set_pcie(PORT, PCIE_ROOT_PORT, 4, 16, 4, 16);

	set_fn(EMPTY, "0000:00:02.0", 0x8086, 0x2032, 0x060400, TOPO_NONE);
	fns[EMPTY].is_bridge = true;
	fns[EMPTY].secondary_bus = fns[EMPTY].subordinate_bus = 2;
	set_pcie(EMPTY, PCIE_ROOT_PORT, 3, 4, 0, 0);

	set_fn(PCIBR, "0000:00:1e.0", 0x8086, 0x244e, 0x060401, TOPO_NONE);
	fns[PCIBR].is_bridge = true;
	fns[PCIBR].secondary_bus = fns[PCIBR].subordinate_bus = 3;

	set_fn(SMBUS, "0000:00:1f.0", 0x8086, 0xa123, 0x0c0500, TOPO_NONE);
	fns[SMBUS].subsys_vendor = 0x8086;
	fns[SMBUS].subsys_device = 0x7270;
	set_pcie(SMBUS, PCIE_RC_INTEGRATED_ENDPOINT, 0, 0, 0, 0);
	set_bar(&fns[SMBUS].bars[0], BAR_MEM64, 256, false);
	set_bar(&fns[SMBUS].bars[4], BAR_IO, 32, false);

	set_fn(NIC, "0000:01:00.0", 0x8086, 0x1572, 0x020000, PORT);
	fns[NIC].subsys_vendor = 0x8086;
	fns[NIC].subsys_device = 0x0002;
	fns[NIC].revision = 0x02;
	fns[NIC].irq = 16;
	fns[NIC].driver = DRV_I40E;
	set_pcie(NIC, PCIE_ENDPOINT, 4, 16, 3, 16);
	set_bar(&fns[NIC].bars[0], BAR_MEM64, 32 * MiB, true);
	set_bar(&fns[NIC].bars[3], BAR_MEM64, 32 * KiB, true);
	fns[NIC].rom.size = 512 * KiB;
	nic_sriov = (struct topo_sriov){ .total = 64,
					 .num = 2,
					 .offset = 16,
					 .stride = 1,
					 .vf_device = 0x154c,
					 .vf_driver = DRV_IAVF,
					 .first_vf = VF0 };
	set_bar(&nic_sriov.vf_bars[0], BAR_MEM64, 64 * KiB, true);
	set_bar(&nic_sriov.vf_bars[3], BAR_MEM64, 16 * KiB, true);
	fns[NIC].sriov = &nic_sriov;

	for (int vf = VF0; vf <= VF1; vf++) {
		set_fn(vf, vf == VF0 ? "0000:01:02.0" : "0000:01:02.1", 0x8086, 0x154c, 0x020000,
		       PORT);
		fns[vf].subsys_vendor = 0x8086;
		fns[vf].subsys_device = 0x0000;
		fns[vf].revision = 0x02;
		fns[vf].physfn = NIC;
		fns[vf].vf_index = (uint16_t)(vf - VF0);
		fns[vf].pcie = fns[NIC].pcie;
	}
	fns[VF0].driver = DRV_VFIO;
	fns[VF1].driver = DRV_IAVF;

	set_fn(LEGACY, "0000:03:00.0", 0x1000, 0x0030, 0x010000, PCIBR);
	fns[LEGACY].irq = 11;
	set_bar(&fns[LEGACY].bars[0], BAR_IO, 256, false);
	set_bar(&fns[LEGACY].bars[1], BAR_MEM32, 16 * KiB, false);

	ck_assert_msg(pci_resources_assign(&topo, error, sizeof(error)) == 0, "%s", error);
}

static void fill(int index, uint8_t cfg[PCI_CFG_SPACE_EXP_SIZE])
{
	memset(cfg, 0xa5, PCI_CFG_SPACE_EXP_SIZE);
	pci_config_fill(&topo, &fns[index], cfg);
}

/* ---- Chain walks ---- */

struct chain {
	unsigned at[48];
	unsigned id[48];
	unsigned n;
};

/* Walks the capability list: pointers inside the device-specific area, dword aligned, no
 * loop, each capability clear of the header and of the others, ending at 0. */
static struct chain walk_caps(const uint8_t *cfg)
{
	struct chain chain = { .n = 0 };
	bool seen[256] = { false };
	unsigned at = cfg[0x34];

	ck_assert_msg((get16(cfg, 0x06) & 0x10) == (at ? 0x10 : 0),
		      "status Capabilities List bit disagrees with the pointer");
	while (at) {
		ck_assert_msg(at >= 0x40 && at <= 0xfc && at % 4 == 0, "bad pointer 0x%x", at);
		ck_assert_msg(!seen[at], "capability list loops at 0x%x", at);
		ck_assert_uint_lt(chain.n, 48);
		seen[at] = true;
		chain.at[chain.n] = at;
		chain.id[chain.n++] = cfg[at];
		ck_assert_msg(cap_size(cfg[at]), "unexpected capability 0x%02x", cfg[at]);
		ck_assert_uint_le(at + cap_size(cfg[at]), 0x100);
		at = cfg[at + 1];
	}
	for (unsigned i = 0; i < chain.n; i++)
		for (unsigned j = 0; j < chain.n; j++)
			if (i != j && chain.at[i] < chain.at[j])
				ck_assert_msg(chain.at[i] + cap_size(chain.id[i]) <= chain.at[j],
					      "capabilities at 0x%x and 0x%x overlap", chain.at[i],
					      chain.at[j]);
	return chain;
}

static struct chain walk_ext_caps(const uint8_t *cfg)
{
	struct chain chain = { .n = 0 };
	bool seen[PCI_CFG_SPACE_EXP_SIZE / 4] = { false };
	unsigned at = 0x100;

	if (get32(cfg, at) == 0)
		return chain;
	while (at) {
		uint32_t header = get32(cfg, at);

		ck_assert_msg(at >= 0x100 && at <= 0xffc && at % 4 == 0, "bad offset 0x%x", at);
		ck_assert_msg(!seen[at / 4], "extended capabilities loop at 0x%x", at);
		ck_assert_uint_lt(chain.n, 48);
		seen[at / 4] = true;
		chain.at[chain.n] = at;
		chain.id[chain.n++] = header & 0xffff;
		ck_assert_msg(ext_cap_size(header & 0xffff), "unexpected ext capability 0x%04x",
			      header & 0xffff);
		ck_assert_msg(header >> 16 & 0xf, "ext capability 0x%x has version 0", at);
		ck_assert_msg(header >> 20 == 0 ||
				      header >> 20 >= at + ext_cap_size(header & 0xffff),
			      "ext capability at 0x%x runs into the next", at);
		at = header >> 20;
	}
	return chain;
}

static void chain_is(const struct chain *chain, const unsigned *ids, unsigned n)
{
	ck_assert_uint_eq(chain->n, n);
	for (unsigned i = 0; i < n; i++)
		ck_assert_msg(chain->id[i] == ids[i], "capability %u is 0x%x, want 0x%x", i,
			      chain->id[i], ids[i]);
}

static unsigned find_cap(const uint8_t *cfg, unsigned id)
{
	struct chain chain = walk_caps(cfg);

	for (unsigned i = 0; i < chain.n; i++)
		if (chain.id[i] == id)
			return chain.at[i];
	ck_abort_msg("no capability 0x%x", id);
	return 0;
}

static unsigned find_ext_cap(const uint8_t *cfg, unsigned id)
{
	struct chain chain = walk_ext_caps(cfg);

	for (unsigned i = 0; i < chain.n; i++)
		if (chain.id[i] == id)
			return chain.at[i];
	ck_abort_msg("no ext capability 0x%x", id);
	return 0;
}

/* ---- Tests ---- */

START_TEST(conventional_function_without_bars_is_the_bare_header)
{
	uint8_t cfg[PCI_CFG_SPACE_EXP_SIZE];
	uint8_t want[PCI_CFG_SPACE_SIZE] = {
		0x86, 0x80, 0x20, 0x20, /* vendor, device */
		0x06, 0x00, 0x00, 0x00, /* command: memory, bus master; status: nothing */
		0x00, 0x00, 0x00, 0x06, /* revision, class 06 00 00 */
		0x00, 0x00, 0x00, 0x00, /* latency, cache line (below), header type 0 */
	};

	want[0x0c] = 0x10; /* 64-byte cache lines, in dwords */
	ck_assert_uint_eq(pci_config_size(&topo, &fns[HOST]), 256);
	fill(HOST, cfg);
	ck_assert_mem_eq(cfg, want, sizeof(want));
	/* Only cfg_size bytes are written. */
	ck_assert_uint_eq(cfg[PCI_CFG_SPACE_SIZE], 0xa5);
}
END_TEST

START_TEST(config_size_follows_pcie)
{
	ck_assert_uint_eq(pci_config_size(&topo, &fns[NIC]), 4096);
	ck_assert_uint_eq(pci_config_size(&topo, &fns[VF1]), 4096);
	ck_assert_uint_eq(pci_config_size(&topo, &fns[PORT]), 4096);
	ck_assert_uint_eq(pci_config_size(&topo, &fns[PCIBR]), 256);
	ck_assert_uint_eq(pci_config_size(&topo, &fns[LEGACY]), 256);
}
END_TEST

START_TEST(bar_registers_encode_the_assigned_ranges)
{
	uint8_t cfg[PCI_CFG_SPACE_EXP_SIZE];
	const struct topo_function *nic = &fns[NIC], *legacy = &fns[LEGACY];

	fill(NIC, cfg);
	/* 64-bit prefetchable: type 10b and bit 3 in the low dword, the high dword next. */
	ck_assert_uint_eq(get32(cfg, 0x10), ((uint32_t)nic->bars[0].start & ~0xfU) | 0xc);
	ck_assert_uint_eq(get32(cfg, 0x14), nic->bars[0].start >> 32);
	ck_assert_uint_ne(get32(cfg, 0x14), 0);
	ck_assert_uint_eq(get32(cfg, 0x18), 0);
	ck_assert_uint_eq(get32(cfg, 0x1c), ((uint32_t)nic->bars[3].start & ~0xfU) | 0xc);
	ck_assert_uint_eq(get32(cfg, 0x20), nic->bars[3].start >> 32);
	ck_assert_uint_eq(get32(cfg, 0x24), 0);
	/* ROM below 4 GiB, left disabled (bit 0 clear), as firmware leaves it. */
	ck_assert_uint_eq(get32(cfg, 0x30), nic->rom.start);
	ck_assert_uint_lt(nic->rom.start, 1ULL << 32);
	ck_assert_uint_ne(nic->rom.start, 0);
	/* Subsystem, interrupt pin A on its line, capabilities, memory decode and INTx off
	 * (the driver has MSI-X on). */
	ck_assert_uint_eq(get16(cfg, 0x2c), 0x8086);
	ck_assert_uint_eq(get16(cfg, 0x2e), 0x0002);
	ck_assert_uint_eq(cfg[0x3c], 16);
	ck_assert_uint_eq(cfg[0x3d], 1);
	ck_assert_uint_eq(cfg[0x0e], 0x00);
	ck_assert_uint_eq(get16(cfg, 0x04), 0x0406);
	ck_assert_uint_eq(get16(cfg, 0x06), 0x0010);

	fill(LEGACY, cfg);
	ck_assert_uint_eq(get32(cfg, 0x10), legacy->bars[0].start | 0x1);
	ck_assert_uint_lt(legacy->bars[0].start, 0x10000);
	ck_assert_uint_eq(get32(cfg, 0x14), legacy->bars[1].start);
	ck_assert_uint_eq(get32(cfg, 0x14) & 0xf, 0);	/* 32-bit, not prefetchable */
	ck_assert_uint_eq(get16(cfg, 0x04) & 0x7, 0x7); /* I/O decode for the I/O BAR */
	ck_assert_uint_eq(cfg[0x34], 0);
}
END_TEST

START_TEST(bridge_windows_decode_to_the_model)
{
	uint8_t cfg[PCI_CFG_SPACE_EXP_SIZE];
	const struct topo_function *port = &fns[PORT], *pcibr = &fns[PCIBR];

	fill(PORT, cfg);
	ck_assert_uint_eq(cfg[0x0e], 0x01);
	ck_assert_uint_eq(cfg[0x18], 0x00);
	ck_assert_uint_eq(cfg[0x19], 0x01);
	ck_assert_uint_eq(cfg[0x1a], 0x01);
	/* Memory window: bits 31:20 of base and limit. */
	ck_assert_uint_ne(port->mem_window.size, 0);
	ck_assert_uint_eq((uint64_t)(get16(cfg, 0x20) & 0xfff0) << 16, port->mem_window.start);
	ck_assert_uint_eq(((uint64_t)(get16(cfg, 0x22) & 0xfff0) << 16) | 0xfffff,
			  port->mem_window.start + port->mem_window.size - 1);
	/* Prefetchable window: 64-bit type, upper halves in 0x28 / 0x2c. */
	ck_assert_uint_eq(get16(cfg, 0x24) & 0xf, 1);
	ck_assert_uint_eq(get16(cfg, 0x26) & 0xf, 1);
	uint64_t pref_base =
		(uint64_t)(get16(cfg, 0x24) & 0xfff0) << 16 | (uint64_t)get32(cfg, 0x28) << 32;
	uint64_t pref_limit = ((uint64_t)(get16(cfg, 0x26) & 0xfff0) << 16 | 0xfffff) |
			      (uint64_t)get32(cfg, 0x2c) << 32;
	ck_assert_uint_eq(pref_base, port->pref_window.start);
	ck_assert_uint_eq(pref_limit, port->pref_window.start + port->pref_window.size - 1);
	ck_assert_uint_ge(pref_base, 1ULL << 32);
	/* No I/O below: closed, base above limit. */
	ck_assert_uint_eq(port->io_window.size, 0);
	ck_assert_uint_gt(cfg[0x1c] & 0xf0, cfg[0x1d] & 0xf0);

	/* The conventional bridge forwards the legacy device's I/O and memory. */
	fill(PCIBR, cfg);
	ck_assert_uint_ne(pcibr->io_window.size, 0);
	ck_assert_uint_eq((uint64_t)(cfg[0x1c] & 0xf0) << 8, pcibr->io_window.start);
	ck_assert_uint_eq(((uint64_t)(cfg[0x1d] & 0xf0) << 8) | 0xfff,
			  pcibr->io_window.start + pcibr->io_window.size - 1);
	ck_assert_uint_eq((uint64_t)(get16(cfg, 0x20) & 0xfff0) << 16, pcibr->mem_window.start);
	ck_assert_uint_eq(pcibr->pref_window.size, 0);
	ck_assert_uint_gt(get16(cfg, 0x24) & 0xfff0, get16(cfg, 0x26) & 0xfff0);
	ck_assert_uint_eq(get32(cfg, 0x28), 0);

	/* Whatever the model holds is what the registers say: an 8K I/O window at 0x3000. */
	fns[PCIBR].io_window = (struct topo_window){ 0x3000, 0x2000 };
	fill(PCIBR, cfg);
	ck_assert_uint_eq(cfg[0x1c], 0x30);
	ck_assert_uint_eq(cfg[0x1d], 0x40);

	fill(EMPTY, cfg);
	ck_assert_uint_eq(cfg[0x1c], 0xf0);
	ck_assert_uint_eq(cfg[0x1d], 0x00);
	ck_assert_uint_eq(get16(cfg, 0x20), 0xfff0);
	ck_assert_uint_eq(get16(cfg, 0x22), 0x0000);
}
END_TEST

START_TEST(capability_chains_are_well_formed)
{
	static const unsigned endpoint[] = { CAP_PM, CAP_MSI, CAP_EXP, CAP_MSIX };
	static const unsigned port[] = { CAP_PM, CAP_MSI, CAP_EXP, CAP_SSVID };
	static const unsigned empty_port[] = { CAP_PM, CAP_MSI, CAP_EXP };
	static const unsigned pci_bridge[] = { CAP_PM };
	static const unsigned port_ext[] = { ECAP_AER, ECAP_ACS };
	static const unsigned pf_ext[] = { ECAP_AER, ECAP_SRIOV };
	static const unsigned aer_only[] = { ECAP_AER };
	uint8_t cfg[PCI_CFG_SPACE_EXP_SIZE];
	struct chain chain;

	fill(NIC, cfg);
	chain = walk_caps(cfg);
	chain_is(&chain, endpoint, 4);
	chain = walk_ext_caps(cfg);
	chain_is(&chain, pf_ext, 2);

	fill(VF1, cfg);
	chain = walk_caps(cfg);
	chain_is(&chain, endpoint, 4);
	chain = walk_ext_caps(cfg);
	chain_is(&chain, aer_only, 1);

	fill(SMBUS, cfg);
	chain = walk_caps(cfg);
	chain_is(&chain, endpoint, 4);
	chain = walk_ext_caps(cfg);
	chain_is(&chain, aer_only, 1);

	fill(PORT, cfg);
	chain = walk_caps(cfg);
	chain_is(&chain, port, 4);
	chain = walk_ext_caps(cfg);
	chain_is(&chain, port_ext, 2);
	unsigned ssvid = find_cap(cfg, CAP_SSVID);
	ck_assert_uint_eq(get16(cfg, ssvid + 4), 0x8086);
	ck_assert_uint_eq(get16(cfg, ssvid + 6), 0x7270);

	fill(EMPTY, cfg);
	chain = walk_caps(cfg);
	chain_is(&chain, empty_port, 3);
	chain = walk_ext_caps(cfg);
	chain_is(&chain, port_ext, 2);

	/* Conventional: the bridge has power management only, the endpoint nothing; no
	 * extended space at all. */
	fill(PCIBR, cfg);
	chain = walk_caps(cfg);
	chain_is(&chain, pci_bridge, 1);
	fill(LEGACY, cfg);
	chain = walk_caps(cfg);
	ck_assert_uint_eq(chain.n, 0);

	/* Power management v3 in D0. */
	fill(NIC, cfg);
	unsigned pm = find_cap(cfg, CAP_PM);
	ck_assert_uint_eq(get16(cfg, pm + 2) & 0x7, 3);
	ck_assert_uint_eq(get16(cfg, pm + 4) & 0x3, 0);
}
END_TEST

START_TEST(pcie_capability_describes_type_and_link)
{
	uint8_t cfg[PCI_CFG_SPACE_EXP_SIZE];
	unsigned exp;

	fill(NIC, cfg);
	exp = find_cap(cfg, CAP_EXP);
	ck_assert_uint_eq(get16(cfg, exp + 2) & 0xf, 2);      /* version 2 */
	ck_assert_uint_eq(get16(cfg, exp + 2) >> 4 & 0xf, 0); /* endpoint */
	ck_assert_uint_eq(get16(cfg, exp + 2) & 0x100, 0);    /* no slot */
	ck_assert_uint_eq(get32(cfg, exp + 0x0c) & 0xf, 4);   /* 16 GT/s */
	ck_assert_uint_eq(get32(cfg, exp + 0x0c) >> 4 & 0x3f, 16);
	ck_assert_uint_eq(get32(cfg, exp + 0x0c) >> 24, 0); /* port 0 */
	ck_assert_uint_eq(get16(cfg, exp + 0x12) & 0xf, 3); /* running at 8 GT/s */
	ck_assert_uint_eq(get16(cfg, exp + 0x12) >> 4 & 0x3f, 16);
	ck_assert_uint_eq(get32(cfg, exp + 0x2c), 0x1e); /* 2.5, 5, 8 and 16 GT/s */
	ck_assert_uint_eq(get16(cfg, exp + 0x30) & 0xf, 4);
	ck_assert_uint_ne(get32(cfg, exp + 0x04) & 0x10000000, 0); /* FLR */

	fill(PORT, cfg);
	exp = find_cap(cfg, CAP_EXP);
	ck_assert_uint_eq(get16(cfg, exp + 2) >> 4 & 0xf, 4);  /* root port */
	ck_assert_uint_ne(get16(cfg, exp + 2) & 0x100, 0);     /* slot implemented */
	ck_assert_uint_ne(get16(cfg, exp + 0x12) & 0x2000, 0); /* data link layer active */
	ck_assert_uint_ne(get16(cfg, exp + 0x1a) & 0x0040, 0); /* presence detected */
	ck_assert_uint_eq(get16(cfg, exp + 0x18) >> 6 & 3, 3); /* attention indicator off */
	ck_assert_uint_eq(get16(cfg, exp + 0x18) >> 8 & 3, 1); /* power indicator on */

	fill(EMPTY, cfg);
	exp = find_cap(cfg, CAP_EXP);
	ck_assert_uint_eq(get32(cfg, exp + 0x0c) & 0x3ff, 3 | 4 << 4);
	ck_assert_uint_eq(get32(cfg, exp + 0x2c), 0x0e);	  /* 2.5 to 8 GT/s */
	ck_assert_uint_eq(get16(cfg, exp + 0x12) >> 4 & 0x3f, 0); /* no lanes up */
	ck_assert_uint_eq(get16(cfg, exp + 0x12) & 0x2000, 0);
	ck_assert_uint_eq(get16(cfg, exp + 0x1a) & 0x0040, 0);

	/* A root complex integrated endpoint has no link. */
	fill(SMBUS, cfg);
	exp = find_cap(cfg, CAP_EXP);
	ck_assert_uint_eq(get16(cfg, exp + 2) >> 4 & 0xf, 9);
	ck_assert_uint_eq(get32(cfg, exp + 0x0c), 0);
	ck_assert_uint_eq(get32(cfg, exp + 0x2c), 0);
}
END_TEST

START_TEST(msi_and_msix_fit_the_device)
{
	uint8_t cfg[PCI_CFG_SPACE_EXP_SIZE];
	unsigned msix, msi;

	/* The PF's table: 64 vectors at offset 0 of BAR 0, PBA right after. */
	fill(NIC, cfg);
	msix = find_cap(cfg, CAP_MSIX);
	ck_assert_uint_eq(get16(cfg, msix + 2) & 0x7ff, 63);
	ck_assert_uint_ne(get16(cfg, msix + 2) & 0x8000, 0); /* the driver enabled it */
	ck_assert_uint_eq(get32(cfg, msix + 4), 0);	     /* BAR 0, offset 0 */
	ck_assert_uint_eq(get32(cfg, msix + 8), 64 * 16);
	msi = find_cap(cfg, CAP_MSI);
	ck_assert_uint_eq(get16(cfg, msi + 2) & 0x1, 0);       /* MSI off when MSI-X is on */
	ck_assert_uint_eq(get16(cfg, msi + 2) & 0x180, 0x180); /* 64-bit, maskable */

	/* A 256-byte BAR holds 8 vectors and their PBA (8 * 16 + 8 <= 256), not 16. */
	fill(SMBUS, cfg);
	msix = find_cap(cfg, CAP_MSIX);
	ck_assert_uint_eq((get16(cfg, msix + 2) & 0x7ff) + 1, 8);
	ck_assert_uint_eq(get16(cfg, msix + 2) & 0x8000, 0); /* no driver */
	ck_assert_uint_eq(get32(cfg, msix + 8), 8 * 16);

	/* A VF's table is in its own (VF) BAR 0; vfio-pci leaves it off until opened. */
	fill(VF0, cfg);
	msix = find_cap(cfg, CAP_MSIX);
	ck_assert_uint_eq(get32(cfg, msix + 4) & 7, 0);
	ck_assert_uint_le((get16(cfg, msix + 2) & 0x7ff) + 1, fns[VF0].bars[0].size / 16);
	ck_assert_uint_eq(get16(cfg, msix + 2) & 0x8000, 0);
	fill(VF1, cfg);
	msix = find_cap(cfg, CAP_MSIX);
	ck_assert_uint_ne(get16(cfg, msix + 2) & 0x8000, 0);

	/* The port driver uses MSI. */
	fill(PORT, cfg);
	msi = find_cap(cfg, CAP_MSI);
	ck_assert_uint_eq(get16(cfg, msi + 2) & 0x1, 1);
	ck_assert_uint_eq(get32(cfg, msi + 4), 0xfee00000);
	ck_assert_uint_ne(get16(cfg, 0x04) & 0x0400, 0); /* INTx disabled */
}
END_TEST

START_TEST(sriov_capability_matches_the_pf)
{
	uint8_t cfg[PCI_CFG_SPACE_EXP_SIZE];
	unsigned iov;

	fill(NIC, cfg);
	iov = find_ext_cap(cfg, ECAP_SRIOV);
	ck_assert_uint_eq(get16(cfg, iov + 0x08) & 0x9, 0x9); /* VF Enable, VF MSE */
	ck_assert_uint_eq(get16(cfg, iov + 0x0c), 64);	      /* InitialVFs */
	ck_assert_uint_eq(get16(cfg, iov + 0x0e), 64);	      /* TotalVFs */
	ck_assert_uint_eq(get16(cfg, iov + 0x10), 2);	      /* NumVFs */
	ck_assert_uint_eq(cfg[iov + 0x12], 0);		      /* function dependency link */
	ck_assert_uint_eq(get16(cfg, iov + 0x14), 16);
	ck_assert_uint_eq(get16(cfg, iov + 0x16), 1);
	ck_assert_uint_eq(get16(cfg, iov + 0x1a), 0x154c);
	ck_assert_uint_ne(get32(cfg, iov + 0x1c) & 1, 0); /* 4K pages supported */
	ck_assert_uint_eq(get32(cfg, iov + 0x20), 1);	  /* and in use */
	ck_assert_uint_eq(get32(cfg, iov + 0x24), ((uint32_t)nic_sriov.vf_bars[0].start) | 0xc);
	ck_assert_uint_eq(get32(cfg, iov + 0x28), nic_sriov.vf_bars[0].start >> 32);
	ck_assert_uint_eq(get32(cfg, iov + 0x30), ((uint32_t)nic_sriov.vf_bars[3].start) | 0xc);
	ck_assert_uint_eq(get32(cfg, iov + 0x34), nic_sriov.vf_bars[3].start >> 32);
	ck_assert_uint_eq(get32(cfg, iov + 0x2c), 0);

	nic_sriov.num = 0;
	fill(NIC, cfg);
	ck_assert_uint_eq(get16(cfg, iov + 0x08) & 0x1, 0);
	ck_assert_uint_eq(get16(cfg, iov + 0x10), 0);
}
END_TEST

START_TEST(vf_header_reads_as_hardware_does)
{
	uint8_t cfg[PCI_CFG_SPACE_EXP_SIZE];

	fill(VF0, cfg);
	ck_assert_uint_eq(get32(cfg, 0x00), 0xffffffff);
	for (unsigned reg = 0x10; reg <= 0x24; reg += 4)
		ck_assert_uint_eq(get32(cfg, reg), 0);
	ck_assert_uint_eq(get32(cfg, 0x30), 0);
	/* 01:02.0 and 01:02.1 share a slot, yet a VF is never multi-function. */
	ck_assert_uint_eq(cfg[0x0e], 0x00);
	ck_assert_uint_eq(get16(cfg, 0x04) & 0x2, 0); /* memory decode is the PF's VF MSE */
	ck_assert_uint_eq(cfg[0x0b], 0x02);	      /* class as the PF */
	/* Its BARs, as the model has them, are the PF's VF BARs at its index. */
	ck_assert_uint_eq(fns[VF1].bars[0].start, nic_sriov.vf_bars[0].start + 64 * KiB);
}
END_TEST

/* ---- lspci over a sysfs-like tree ---- */

static char tree[64];

static void put_file(const char *dir, const char *name, const void *data, size_t len)
{
	char path[512];
	FILE *file;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	file = fopen(path, "w");
	ck_assert_msg(file != NULL, "%s: %s", path, strerror(errno));
	ck_assert_uint_eq(fwrite(data, 1, len, file), len);
	ck_assert_int_eq(fclose(file), 0);
}

static void put_text(const char *dir, const char *name, const char *format, ...)
{
	char text[2048];
	va_list args;
	int len;

	va_start(args, format);
	len = vsnprintf(text, sizeof(text), format, args);
	va_end(args);
	ck_assert(len >= 0 && (size_t)len < sizeof(text));
	put_file(dir, name, text, (size_t)len);
}

static int put_line(char *out, size_t size, uint64_t start, uint64_t length, uint64_t flags)
{
	if (!length)
		start = flags = 0;
	return snprintf(out, size, "0x%016llx 0x%016llx 0x%016llx\n", (unsigned long long)start,
			(unsigned long long)(length ? start + length - 1 : 0),
			(unsigned long long)flags);
}

/* The 13 (17 for a bridge) lines a CONFIG_PCI_IOV kernel shows. */
static void put_resource(const char *dir, const struct topo_function *fn)
{
	char text[2048];
	int len = 0;

	for (unsigned i = 0; i < TOPO_N_BARS; i++)
		len += put_line(text + len, sizeof(text) - (size_t)len, fn->bars[i].start,
				fn->bars[i].size, pci_bar_resource_flags(&fn->bars[i]));
	len += put_line(text + len, sizeof(text) - (size_t)len, fn->rom.start, fn->rom.size,
			pci_rom_resource_flags(&fn->rom));
	for (unsigned i = 0; i < TOPO_N_BARS; i++) {
		const struct topo_bar *vf_bar = fn->sriov ? &fn->sriov->vf_bars[i] : NULL;

		len += put_line(text + len, sizeof(text) - (size_t)len, vf_bar ? vf_bar->start : 0,
				vf_bar ? vf_bar->size * fn->sriov->total : 0,
				vf_bar ? pci_bar_resource_flags(vf_bar) : 0);
	}
	if (fn->is_bridge) {
		len += put_line(text + len, sizeof(text) - (size_t)len, fn->io_window.start,
				fn->io_window.size,
				pci_window_resource_flags(PCI_WINDOW_IO, &fn->io_window));
		len += put_line(text + len, sizeof(text) - (size_t)len, fn->mem_window.start,
				fn->mem_window.size,
				pci_window_resource_flags(PCI_WINDOW_MEM, &fn->mem_window));
		len += put_line(text + len, sizeof(text) - (size_t)len, fn->pref_window.start,
				fn->pref_window.size,
				pci_window_resource_flags(PCI_WINDOW_PREF, &fn->pref_window));
		len += put_line(text + len, sizeof(text) - (size_t)len, 0, 0, 0);
	}
	put_file(dir, "resource", text, (size_t)len);
}

/* The minimal set lspci reads (reference section 3), every device under pci0000:00. */
static void put_device(const struct topo_function *fn)
{
	char bdf[PCI_ADDR_STRLEN], dir[256], link[256];
	uint8_t cfg[PCI_CFG_SPACE_EXP_SIZE];

	pci_addr_format(&fn->addr, bdf);
	snprintf(dir, sizeof(dir), "%s/devices/pci0000:00/%s", tree, bdf);
	ck_assert_int_eq(mkdir(dir, 0755), 0);
	pci_config_fill(&topo, fn, cfg);
	put_file(dir, "config", cfg, pci_config_size(&topo, fn));
	put_text(dir, "vendor", "0x%04x\n", fn->vendor);
	put_text(dir, "device", "0x%04x\n", fn->device);
	put_text(dir, "class", "0x%06x\n", fn->class_code);
	put_text(dir, "revision", "0x%02x\n", fn->revision);
	put_text(dir, "subsystem_vendor", "0x%04x\n", fn->subsys_vendor);
	put_text(dir, "subsystem_device", "0x%04x\n", fn->subsys_device);
	put_text(dir, "irq", "%u\n", fn->irq);
	put_resource(dir, fn);
	snprintf(link, sizeof(link), "%s/bus/pci/devices/%s", tree, bdf);
	ck_assert_int_eq(symlink(dir, link), 0);
}

static void remove_tree(const char *path)
{
	struct stat st;
	DIR *dir;
	struct dirent *entry;

	if (lstat(path, &st) != 0)
		return;
	if (!S_ISDIR(st.st_mode)) {
		unlink(path);
		return;
	}
	dir = opendir(path);
	while (dir && (entry = readdir(dir)) != NULL) {
		char child[512];

		if (strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0)
			continue;
		snprintf(child, sizeof(child), "%s/%s", path, entry->d_name);
		remove_tree(child);
	}
	if (dir)
		closedir(dir);
	rmdir(path);
}

static void lspci_setup(void)
{
	static const char *const dirs[] = { "bus", "bus/pci", "bus/pci/devices", "devices",
					    "devices/pci0000:00" };
	char path[256];

	setup();
	snprintf(tree, sizeof(tree), "/tmp/fakesys-lspci-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tree));
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", tree, dirs[i]);
		ck_assert_int_eq(mkdir(path, 0755), 0);
	}
	for (size_t i = 0; i < N_FNS; i++)
		put_device(&fns[i]);
}

static void lspci_teardown(void)
{
	remove_tree(tree);
}

/* Runs lspci -vvv -xxxx on one device of the tree; returns its stdout, stderr in *err. */
static char *run_lspci(const char *bdf, char **err)
{
	char sysfs_path[128];
	int out_pipe[2], err_pipe[2], status;
	pid_t pid;

	snprintf(sysfs_path, sizeof(sysfs_path), "sysfs.path=%s/bus/pci", tree);
	ck_assert_int_eq(pipe(out_pipe), 0);
	ck_assert_int_eq(pipe(err_pipe), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		char *argv[] = { "lspci", "-A",	   "linux-sysfs", "-O",	       sysfs_path,
				 "-vvv",  "-xxxx", "-s",	  (char *)bdf, NULL };

		dup2(out_pipe[1], STDOUT_FILENO);
		dup2(err_pipe[1], STDERR_FILENO);
		close(out_pipe[0]);
		close(err_pipe[0]);
		execvp(argv[0], argv);
		_exit(127);
	}
	close(out_pipe[1]);
	close(err_pipe[1]);

	char *texts[2] = { NULL, NULL };
	size_t lens[2] = { 0, 0 };
	int fds[2] = { out_pipe[0], err_pipe[0] };
	/* lspci's output is small: read stdout to the end, then stderr. */
	for (int k = 0; k < 2; k++) {
		size_t capacity = 4096;

		texts[k] = malloc(capacity);
		ck_assert_ptr_nonnull(texts[k]);
		for (;;) {
			ssize_t n;

			if (capacity - lens[k] < 1024) {
				capacity *= 2;
				texts[k] = realloc(texts[k], capacity);
				ck_assert_ptr_nonnull(texts[k]);
			}
			n = read(fds[k], texts[k] + lens[k], capacity - lens[k] - 1);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				break;
			lens[k] += (size_t)n;
		}
		texts[k][lens[k]] = '\0';
		close(fds[k]);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
		      "lspci -s %s failed (status %d; 127: not installed): %s", bdf, status,
		      texts[1]);
	*err = texts[1];
	return texts[0];
}

/* Words lspci uses when a field or structure makes no sense to it. */
static const char *const complaints[] = {
	"<?>",	  "<access denied>", "Unknown",	     "unknown",	      "!!!",
	"<chain", "<ignored>",	     "<unassigned>", "<broken",	      "??",
	"RsvdP",  "Invalid",	     "Reserved",     "Capability ID", "Extended Capability ID",
};

static char *lspci_clean(const char *bdf)
{
	char *err, *out = run_lspci(bdf, &err);

	/* libkmod may say it has no module index here; nothing else may reach stderr. */
	for (char *line = err; *line;) {
		size_t len = strcspn(line, "\n");
		char end = line[len];

		line[len] = '\0';
		ck_assert_msg(len == 0 || strstr(line, "libkmod"), "lspci -s %s: stderr: %s", bdf,
			      line);
		line += len + (end != '\0');
	}
	free(err);
	for (size_t i = 0; i < sizeof(complaints) / sizeof(complaints[0]); i++) {
		if (strstr(out, complaints[i]))
			fputs(out, stderr);
		ck_assert_msg(!strstr(out, complaints[i]), "lspci -s %s says \"%s\"", bdf,
			      complaints[i]);
	}
	ck_assert_msg(strncmp(out, bdf + 5, strlen(bdf + 5)) == 0, "lspci did not list %s", bdf);
	return out;
}

/* Check messages are short: the output goes to stderr when an assertion is about to fail. */
static void says(const char *out, const char *text)
{
	if (!strstr(out, text))
		fputs(out, stderr);
	ck_assert_msg(strstr(out, text) != NULL, "lspci output lacks \"%s\"", text);
}

START_TEST(lspci_decodes_the_pf)
{
	char *out = lspci_clean("0000:01:00.0");
	char region[160];

	says(out, "Express (v2) Endpoint");
	says(out, "LnkCap:\tPort #0, Speed 16GT/s, Width x16");
	says(out, "LnkSta:\tSpeed 8GT/s (downgraded), Width x16");
	says(out, "LnkCap2: Supported Link Speeds: 2.5-16GT/s");
	says(out, "MSI-X: Enable+ Count=64 Masked-");
	says(out, "MSI: Enable- Count=1/32 Maskable+ 64bit+");
	says(out, "Power Management version 3");
	says(out, "[100 v2] Advanced Error Reporting");
	says(out, "Single Root I/O Virtualization (SR-IOV)");
	says(out, "Initial VFs: 64, Total VFs: 64, Number of VFs: 2");
	says(out, "VF offset: 16, stride: 1, Device ID: 154c");
	says(out, "IOVCtl:\tEnable+");
	snprintf(region, sizeof(region), "Region 0: Memory at %016llx (64-bit, prefetchable)\n",
		 (unsigned long long)nic_sriov.vf_bars[0].start);
	says(out, region);
	snprintf(region, sizeof(region),
		 "Region 0: Memory at %llx (64-bit, prefetchable) [size=32M]\n",
		 (unsigned long long)fns[NIC].bars[0].start);
	says(out, region);
	snprintf(region, sizeof(region), "Expansion ROM at %08llx [disabled] [size=512K]\n",
		 (unsigned long long)fns[NIC].rom.start);
	says(out, region);
	says(out, "Subsystem: Intel Corporation");
	says(out, "Interrupt: pin A routed to IRQ 16");
	says(out, "Control: I/O- Mem+ BusMaster+");
	says(out, "\nf00: "); /* -xxxx dumped all 4096 bytes */
	free(out);
}
END_TEST

START_TEST(lspci_decodes_a_vf)
{
	char *out = lspci_clean("0000:01:02.1");
	char region[160];

	says(out, "Express (v2) Endpoint");
	says(out, "00: ff ff ff ff");
	snprintf(region, sizeof(region),
		 "Region 0: Memory at %llx (64-bit, prefetchable) [virtual] [size=64K]\n",
		 (unsigned long long)fns[VF1].bars[0].start);
	says(out, region);
	says(out, "MSI-X: Enable+ Count=8");
	ck_assert_msg(!strstr(out, "SR-IOV"), "a VF has no SR-IOV capability");
	free(out);
}
END_TEST

START_TEST(lspci_decodes_the_ports_and_bridges)
{
	char *out = lspci_clean("0000:00:01.0");
	char window[160];

	says(out, "Express (v2) Root Port (Slot+)");
	says(out, "LnkCap:\tPort #1, Speed 16GT/s, Width x16");
	says(out, "LnkSta:\tSpeed 16GT/s, Width x16");
	says(out, "DLActive+");
	says(out, "PresDet+");
	says(out, "Access Control Services");
	says(out, "ACSCtl:\tSrcValid+");
	says(out, "MSI: Enable+ Count=1/1 Maskable+ 64bit+");
	says(out, "Bus: primary=00, secondary=01, subordinate=01");
	says(out, "Subsystem: Intel Corporation");
	/* 38M: the NIC's 32M BAR, 64 x 64K and 64 x 16K of VF BARs, its 32K BAR, in 1M steps.
	 * pciutils 3.9 takes the window from `resource` without its type bits, so it calls it
	 * 32-bit (and prints no leading zeros); the registers say 64-bit, as checked above. */
	snprintf(window, sizeof(window), "Prefetchable memory behind bridge: %llx-%llx [size=38M]",
		 (unsigned long long)fns[PORT].pref_window.start,
		 (unsigned long long)(fns[PORT].pref_window.start + 38 * MiB - 1));
	says(out, window);
	ck_assert_uint_eq(fns[PORT].pref_window.size, 38 * MiB);
	free(out);

	out = lspci_clean("0000:00:02.0");
	says(out, "LnkCap:\tPort #2, Speed 8GT/s, Width x4");
	says(out, "DLActive-");
	says(out, "PresDet-");
	says(out, "Memory behind bridge: fff00000-000fffff [disabled] [32-bit]");
	free(out);

	out = lspci_clean("0000:00:1e.0");
	says(out, "Power Management version 3");
	says(out, "I/O behind bridge: ");
	ck_assert_msg(!strstr(out, "Express"), "a conventional bridge has no PCIe capability");
	free(out);

	out = lspci_clean("0000:00:1f.0");
	says(out, "Express (v2) Root Complex Integrated Endpoint");
	says(out, "I/O ports at ");
	says(out, "(64-bit, non-prefetchable) [size=256]");
	says(out, "MSI-X: Enable- Count=8");
	free(out);

	out = lspci_clean("0000:03:00.0");
	says(out, "I/O ports at 1000 [size=256]");
	says(out, "(32-bit, non-prefetchable) [size=16K]");
	ck_assert_msg(!strstr(out, "Capabilities"), "a conventional endpoint has no capabilities");
	free(out);
}
END_TEST

/* Given bytes: the lists are followed, and a list that loops ends the walk. */
START_TEST(capabilities_are_found_in_given_bytes)
{
	uint8_t cfg[PCI_CFG_SPACE_EXP_SIZE] = { 0 };

	ck_assert_uint_eq(pci_config_find_capability(cfg, sizeof(cfg), PCI_CAP_ID_EXP), 0);
	cfg[0x06] = 0x10; /* Status: capability list */
	cfg[0x34] = 0x40;
	cfg[0x40] = 0x05, cfg[0x41] = 0x50; /* MSI, then */
	cfg[0x50] = 0x10, cfg[0x51] = 0x40; /* PCI Express, back to MSI: a loop */
	ck_assert_uint_eq(pci_config_find_capability(cfg, sizeof(cfg), PCI_CAP_ID_EXP), 0x50);
	ck_assert_uint_eq(pci_config_find_capability(cfg, sizeof(cfg), 0x11), 0);
	/* Only the bytes given count. */
	ck_assert_uint_eq(pci_config_find_capability(cfg, 0x50, PCI_CAP_ID_EXP), 0);

	/* Extended: AER at 0x100, then DSN at 0x140, which points back to 0x100. */
	cfg[0x100] = 0x01, cfg[0x102] = 0x01, cfg[0x103] = 0x14;
	cfg[0x140] = 0x03, cfg[0x142] = 0x01, cfg[0x143] = 0x10;
	ck_assert_uint_eq(pci_config_find_ext_capability(cfg, sizeof(cfg), PCI_EXT_CAP_ID_DSN),
			  0x140);
	ck_assert_uint_eq(pci_config_find_ext_capability(cfg, sizeof(cfg), 0x000d), 0);
	ck_assert_uint_eq(pci_config_find_ext_capability(cfg, PCI_CFG_SPACE_SIZE, 0x0001), 0);
}
END_TEST

static Suite *pci_config_suite(void)
{
	Suite *s = suite_create("pci_config");
	TCase *tc = tcase_create("bytes");
	TCase *lspci = tcase_create("lspci");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, conventional_function_without_bars_is_the_bare_header);
	tcase_add_test(tc, config_size_follows_pcie);
	tcase_add_test(tc, bar_registers_encode_the_assigned_ranges);
	tcase_add_test(tc, bridge_windows_decode_to_the_model);
	tcase_add_test(tc, capability_chains_are_well_formed);
	tcase_add_test(tc, pcie_capability_describes_type_and_link);
	tcase_add_test(tc, msi_and_msix_fit_the_device);
	tcase_add_test(tc, sriov_capability_matches_the_pf);
	tcase_add_test(tc, vf_header_reads_as_hardware_does);
	suite_add_tcase(s, tc);

	tcase_add_checked_fixture(lspci, lspci_setup, lspci_teardown);
	tcase_set_timeout(lspci, 30);
	tcase_add_test(lspci, lspci_decodes_the_pf);
	tcase_add_test(lspci, lspci_decodes_a_vf);
	tcase_add_test(lspci, lspci_decodes_the_ports_and_bridges);
	tcase_add_test(lspci, capabilities_are_found_in_given_bytes);
	suite_add_tcase(s, lspci);
	return s;
}

int main(void)
{
	return check_run(pci_config_suite());
}

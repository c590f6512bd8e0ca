/* SPDX-License-Identifier: MIT */
/*
 * Resource assignment, in two passes as firmware and the kernel's pci_assign_unassigned_*()
 * do it. Sizing goes bottom-up: the resources on a bus (BARs, ROMs, IOV resources and the
 * windows of the bridges sitting there) are sorted by alignment, largest first, and packed,
 * which makes the bus's window size and alignment. Placement goes top-down: each root bus takes
 * its ranges from the x86 address pools, and every resource lands at its window's start plus
 * its packed offset. Functions are sorted by address and a bridge's secondary bus is above its
 * own, so children always come after their parent in topology.functions: a reverse walk sizes
 * children first and a forward walk places parents first, with no recursion.
 */
#include "pci_resources.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IORESOURCE_IO	     0x00000100ULL
#define IORESOURCE_MEM	     0x00000200ULL
#define IORESOURCE_PREFETCH  0x00002000ULL
#define IORESOURCE_READONLY  0x00004000ULL
#define IORESOURCE_SIZEALIGN 0x00040000ULL
#define IORESOURCE_MEM_64    0x00100000ULL

/* The low bits of BAR and window registers, which the kernel keeps in the resource flags. */
#define BAR_SPACE_IO	   0x1ULL
#define BAR_MEM_TYPE_64	   0x4ULL
#define BAR_MEM_PREFETCH   0x8ULL
#define PREF_RANGE_TYPE_64 0x1ULL

/* Sizes beyond this are refused before any sum could wrap around. */
#define SIZE_LIMIT (1ULL << 62)

enum space {
	SPACE_IO,
	SPACE_MEM,  /* 32-bit: non-prefetchable and 32-bit BARs, ROMs */
	SPACE_PREF, /* 64-bit prefetchable BARs */
	N_SPACES,
};

struct pool {
	const char *name;
	uint64_t start, end; /* end exclusive */
	uint64_t root_align; /* where a root bus's range may start */
	uint64_t window_align;
};

static const struct pool pools[N_SPACES] = {
	[SPACE_IO] = { "I/O port", PCI_RES_IO_START, PCI_RES_IO_END, PCI_RES_IO_WINDOW_ALIGN,
		       PCI_RES_IO_WINDOW_ALIGN },
	[SPACE_MEM] = { "32-bit memory", PCI_RES_MEM32_START, PCI_RES_MEM32_END,
			PCI_RES_MEM_WINDOW_ALIGN, PCI_RES_MEM_WINDOW_ALIGN },
	[SPACE_PREF] = { "64-bit prefetchable memory", PCI_RES_PREF_START, PCI_RES_PREF_END,
			 PCI_RES_PREF_ROOT_ALIGN, PCI_RES_MEM_WINDOW_ALIGN },
};

/* What a request is for: a BAR, the ROM, a VF BAR or the window of a bridge. */
enum slot {
	SLOT_BAR0,
	SLOT_ROM = SLOT_BAR0 + TOPO_N_BARS,
	SLOT_VF_BAR0,
	SLOT_WINDOW = SLOT_VF_BAR0 + TOPO_N_BARS,
};

struct request {
	uint64_t size; /* bytes taken on the bus */
	uint64_t align;
	uint64_t offset; /* from the start of the bus's range in its space, once packed */
	int32_t fn;	 /* who asks; for SLOT_WINDOW, the bridge whose window it is */
	uint8_t slot;
	uint8_t space;
};

/* Working state: the requests of each bus, grouped by the bus's owner. Owner b < n_functions
 * is the secondary bus of bridge b; owner n_functions + r is root bus r. */
struct assigner {
	struct topology *topo;
	struct request *requests;
	size_t *first; /* requests of owner o: [first[o], first[o + 1]) */
	size_t n_owners;
	uint64_t (*window_align)[N_SPACES]; /* per bridge: alignment its windows need */
	char *error;
	size_t error_size;
};

static bool is_power_of_two(uint64_t value)
{
	return value && (value & (value - 1)) == 0;
}

static uint64_t max_u64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* Rounds value up to align (a power of two); false if the result would pass SIZE_LIMIT. */
static bool align_up(uint64_t value, uint64_t align, uint64_t *out)
{
	if (value > SIZE_LIMIT || align > SIZE_LIMIT)
		return false;
	*out = (value + align - 1) & ~(align - 1);
	return *out <= SIZE_LIMIT;
}

static bool is_vf(const struct topo_function *fn)
{
	return fn->physfn != TOPO_NONE;
}

static int fail(struct assigner *as, const struct topo_function *fn, const char *what)
{
	char bdf[PCI_ADDR_STRLEN];

	pci_addr_format(&fn->addr, bdf);
	snprintf(as->error, as->error_size, "%s: %s", bdf, what);
	return -1;
}

static enum space bar_space(const struct topo_bar *bar)
{
	if (bar->kind == BAR_IO)
		return SPACE_IO;
	/* A 32-bit BAR cannot reach the 64-bit window, and a bridge's non-prefetchable window is
	 * 32-bit only, so both stay below 4 GiB whatever their prefetch bit says. */
	return bar->kind == BAR_MEM64 && bar->prefetchable ? SPACE_PREF : SPACE_MEM;
}

static uint64_t bar_align(const struct topo_bar *bar)
{
	return bar->kind == BAR_IO ? bar->size : max_u64(bar->size, PCI_RES_MEM_MIN_ALIGN);
}

/* Checks the BAR registers the model describes can exist; n_regs is 6, or 2 for a bridge. */
static int check_bars(struct assigner *as, const struct topo_function *fn,
		      const struct topo_bar *bars, unsigned n_regs, bool vf_bars)
{
	for (unsigned i = 0; i < TOPO_N_BARS; i++) {
		const struct topo_bar *bar = &bars[i];
		char what[96];

		if (bar->size == 0)
			continue;
		if (bar->kind == BAR_UNUSED || bar->kind > BAR_IO)
			snprintf(what, sizeof(what), "%sBAR %u has a size but no type",
				 vf_bars ? "VF " : "", i);
		else if (!is_power_of_two(bar->size) || bar->size > SIZE_LIMIT)
			snprintf(what, sizeof(what), "%sBAR %u: size 0x%llx is not a power of two",
				 vf_bars ? "VF " : "", i, (unsigned long long)bar->size);
		else if (i >= n_regs)
			snprintf(what, sizeof(what), "BAR %u: a bridge has only BARs 0 and 1", i);
		else if (bar->kind == BAR_MEM64 && (i + 1 >= n_regs || bars[i + 1].size != 0))
			snprintf(what, sizeof(what),
				 "%sBAR %u: a 64-bit BAR needs the next register free",
				 vf_bars ? "VF " : "", i);
		else if (vf_bars && bar->kind == BAR_IO)
			snprintf(what, sizeof(what),
				 "VF BAR %u: SR-IOV VF BARs are memory, not I/O", i);
		else
			continue;
		return fail(as, fn, what);
	}
	return 0;
}

static int check_function(struct assigner *as, int32_t index)
{
	const struct topology *topo = as->topo;
	const struct topo_function *fn = &topo->functions[index];

	if (is_vf(fn)) {
		const struct topo_function *pf;

		if (fn->physfn < 0 || (size_t)fn->physfn >= topo->n_functions ||
		    !topo->functions[fn->physfn].sriov)
			return fail(as, fn, "physfn is not an SR-IOV physical function");
		pf = &topo->functions[fn->physfn];
		if (fn->vf_index >= pf->sriov->total)
			return fail(as, fn, "vf_index is not below the PF's TotalVFs");
		return 0;
	}
	if (fn->parent != TOPO_NONE &&
	    (fn->parent < 0 || fn->parent >= index || !topo->functions[fn->parent].is_bridge))
		return fail(as, fn, "parent is not a bridge listed before it");
	if (check_bars(as, fn, fn->bars, fn->is_bridge ? 2 : TOPO_N_BARS, false))
		return -1;
	if (fn->rom.size && (!is_power_of_two(fn->rom.size) || fn->rom.size > 0x80000000ULL))
		return fail(as, fn, "ROM size is not a power of two up to 2 GiB");
	if (fn->sriov) {
		if (check_bars(as, fn, fn->sriov->vf_bars, TOPO_N_BARS, true))
			return -1;
		for (unsigned i = 0; i < TOPO_N_BARS; i++)
			if (fn->sriov->vf_bars[i].size > SIZE_LIMIT / max_u64(fn->sriov->total, 1))
				return fail(as, fn,
					    "the VF BARs of all TotalVFs exceed 2^62 bytes");
	}
	return 0;
}

static int compare_roots(const struct pci_addr *addr, const struct topo_root_bus *root)
{
	if (addr->domain != root->domain)
		return addr->domain < root->domain ? -1 : 1;
	return addr->bus < root->bus ? -1 : addr->bus > root->bus;
}

/* Index of the root bus a parentless function sits on, or TOPO_NONE. */
static int32_t find_root_bus(const struct topology *topo, const struct pci_addr *addr)
{
	size_t low = 0, high = topo->n_root_buses;

	while (low < high) {
		size_t mid = low + (high - low) / 2;
		int cmp = compare_roots(addr, &topo->root_buses[mid]);

		if (cmp == 0)
			return (int32_t)mid;
		if (cmp < 0)
			high = mid;
		else
			low = mid + 1;
	}
	return TOPO_NONE;
}

/* The owner of the bus a (non-VF) function sits on. */
static int owner_of(struct assigner *as, int32_t index, size_t *owner)
{
	const struct topo_function *fn = &as->topo->functions[index];
	int32_t root;

	if (fn->parent != TOPO_NONE) {
		*owner = (size_t)fn->parent;
		return 0;
	}
	root = find_root_bus(as->topo, &fn->addr);
	if (root == TOPO_NONE)
		return fail(as, fn, "sits on no root bus and below no bridge");
	*owner = as->topo->n_functions + (size_t)root;
	return 0;
}

/* How many requests a (non-VF) function makes of the bus it sits on. */
static unsigned count_requests(const struct topo_function *fn)
{
	unsigned n = fn->is_bridge ? N_SPACES : 0;

	for (unsigned i = 0; i < TOPO_N_BARS; i++)
		n += fn->bars[i].size != 0;
	n += fn->rom.size != 0;
	if (fn->sriov && fn->sriov->total)
		for (unsigned i = 0; i < TOPO_N_BARS; i++)
			n += fn->sriov->vf_bars[i].size != 0;
	return n;
}

static struct request *append_requests(const struct topo_function *fn, int32_t index,
				       struct request *out)
{
	for (unsigned i = 0; i < TOPO_N_BARS; i++) {
		const struct topo_bar *bar = &fn->bars[i];

		if (bar->size)
			*out++ = (struct request){ .size = bar->size,
						   .align = bar_align(bar),
						   .fn = index,
						   .slot = (uint8_t)(SLOT_BAR0 + i),
						   .space = (uint8_t)bar_space(bar) };
	}
	if (fn->rom.size)
		*out++ = (struct request){ .size = fn->rom.size,
					   .align = max_u64(fn->rom.size, PCI_RES_MEM_MIN_ALIGN),
					   .fn = index,
					   .slot = SLOT_ROM,
					   .space = SPACE_MEM };
	if (fn->sriov && fn->sriov->total) {
		for (unsigned i = 0; i < TOPO_N_BARS; i++) {
			const struct topo_bar *bar = &fn->sriov->vf_bars[i];

			/* The IOV resource: every possible VF's BAR, each naturally aligned. */
			if (bar->size)
				*out++ = (struct request){ .size = bar->size * fn->sriov->total,
							   .align = bar_align(bar),
							   .fn = index,
							   .slot = (uint8_t)(SLOT_VF_BAR0 + i),
							   .space = (uint8_t)bar_space(bar) };
		}
	}
	if (fn->is_bridge)
		for (unsigned s = 0; s < N_SPACES; s++)
			*out++ = (struct request){ .fn = index,
						   .slot = SLOT_WINDOW,
						   .space = (uint8_t)s };
	return out;
}

static int collect_requests(struct assigner *as)
{
	const struct topology *topo = as->topo;
	size_t n = topo->n_functions, total = 0;
	size_t *owners = malloc(n * sizeof(*owners) + 1);

	as->n_owners = n + topo->n_root_buses;
	as->first = calloc(as->n_owners + 1, sizeof(*as->first));
	if (!owners || !as->first) {
		free(owners);
		snprintf(as->error, as->error_size, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		const struct topo_function *fn = &topo->functions[i];

		if (check_function(as, (int32_t)i) ||
		    (!is_vf(fn) && owner_of(as, (int32_t)i, &owners[i]))) {
			free(owners);
			return -1;
		}
		if (!is_vf(fn)) {
			as->first[owners[i] + 1] += count_requests(fn);
			total += count_requests(fn);
		}
	}
	for (size_t o = 0; o < as->n_owners; o++)
		as->first[o + 1] += as->first[o];

	as->requests = malloc(total * sizeof(*as->requests) + 1);
	size_t *fill = malloc(as->n_owners * sizeof(*fill) + 1);
	if (!as->requests || !fill) {
		free(fill);
		free(owners);
		snprintf(as->error, as->error_size, "out of memory");
		return -1;
	}
	memcpy(fill, as->first, as->n_owners * sizeof(*fill));
	for (size_t i = 0; i < n; i++) {
		const struct topo_function *fn = &topo->functions[i];

		if (!is_vf(fn)) {
			struct request *start = &as->requests[fill[owners[i]]];

			fill[owners[i]] += (size_t)(append_requests(fn, (int32_t)i, start) - start);
		}
	}
	free(fill);
	free(owners);
	return 0;
}

/* Largest alignment first packs without holes; ties keep address order, so runs repeat. */
static int compare_requests(const void *a, const void *b)
{
	const struct request *x = a, *y = b;

	if (x->space != y->space)
		return x->space < y->space ? -1 : 1;
	if (x->align != y->align)
		return x->align > y->align ? -1 : 1;
	if (x->fn != y->fn)
		return x->fn < y->fn ? -1 : 1;
	return (x->slot > y->slot) - (x->slot < y->slot);
}

static struct topo_window *window_of(struct topo_function *bridge, unsigned space)
{
	return space == SPACE_IO    ? &bridge->io_window
	       : space == SPACE_MEM ? &bridge->mem_window
				    : &bridge->pref_window;
}

/*
 * Packs the requests of one bus: offsets within each space, and per space the bytes used and
 * the alignment the range must start on. Windows of bridges on this bus are already sized.
 * Returns the space that overflowed, or N_SPACES.
 */
static unsigned pack_bus(struct assigner *as, size_t owner, uint64_t size[N_SPACES],
			 uint64_t align[N_SPACES])
{
	struct request *begin = &as->requests[as->first[owner]];
	size_t count = as->first[owner + 1] - as->first[owner];

	for (size_t i = 0; i < count; i++) {
		struct request *req = &begin[i];

		if (req->slot == SLOT_WINDOW) {
			req->size = window_of(&as->topo->functions[req->fn], req->space)->size;
			req->align = req->size ? as->window_align[req->fn][req->space] : 1;
		}
	}
	qsort(begin, count, sizeof(*begin), compare_requests);
	for (unsigned s = 0; s < N_SPACES; s++)
		size[s] = 0, align[s] = 1;
	for (size_t i = 0; i < count; i++) {
		struct request *req = &begin[i];
		uint64_t offset;

		if (req->size == 0)
			continue;
		if (!align_up(size[req->space], req->align, &offset) ||
		    req->size > SIZE_LIMIT - offset)
			return req->space;
		req->offset = offset;
		size[req->space] = offset + req->size;
		align[req->space] = max_u64(align[req->space], req->align);
	}
	return N_SPACES;
}

static int bridge_exhausted(struct assigner *as, const struct topo_function *bridge, unsigned space)
{
	char what[96];

	snprintf(what, sizeof(what), "%s space exhausted below this bridge", pools[space].name);
	return fail(as, bridge, what);
}

static int root_exhausted(struct assigner *as, size_t root, unsigned space, uint64_t needed,
			  uint64_t start)
{
	const struct topo_root_bus *bus = &as->topo->root_buses[root];
	uint64_t end = pools[space].end;

	snprintf(as->error, as->error_size,
		 "root bus %04x:%02x: %s space exhausted: 0x%llx bytes needed, 0x%llx available",
		 bus->domain, bus->bus, pools[space].name, (unsigned long long)needed,
		 (unsigned long long)(start < end ? end - start : 0));
	return -1;
}

static int size_bridges(struct assigner *as)
{
	struct topology *topo = as->topo;

	for (size_t i = topo->n_functions; i-- > 0;) {
		struct topo_function *bridge = &topo->functions[i];
		uint64_t size[N_SPACES], align[N_SPACES];

		if (!bridge->is_bridge || is_vf(bridge))
			continue;
		unsigned overflow = pack_bus(as, i, size, align);

		if (overflow != N_SPACES)
			return bridge_exhausted(as, bridge, overflow);
		for (unsigned s = 0; s < N_SPACES; s++) {
			struct topo_window *window = window_of(bridge, s);

			window->start = 0;
			window->size = 0;
			as->window_align[i][s] = max_u64(align[s], pools[s].window_align);
			if (size[s] && !align_up(size[s], pools[s].window_align, &window->size))
				return bridge_exhausted(as, bridge, s);
		}
	}
	return 0;
}

static void place(struct topology *topo, const struct request *req, uint64_t address)
{
	struct topo_function *fn = &topo->functions[req->fn];

	if (req->slot == SLOT_WINDOW)
		window_of(fn, req->space)->start = address;
	else if (req->slot == SLOT_ROM)
		fn->rom.start = address;
	else if (req->slot >= SLOT_VF_BAR0)
		fn->sriov->vf_bars[req->slot - SLOT_VF_BAR0].start = address;
	else
		fn->bars[req->slot - SLOT_BAR0].start = address;
}

static void place_bus(struct assigner *as, size_t owner, const uint64_t base[N_SPACES])
{
	for (size_t i = as->first[owner]; i < as->first[owner + 1]; i++) {
		const struct request *req = &as->requests[i];

		if (req->size)
			place(as->topo, req, base[req->space] + req->offset);
	}
}

static int place_roots(struct assigner *as)
{
	const struct topology *topo = as->topo;
	uint64_t cursor[N_SPACES];

	for (unsigned s = 0; s < N_SPACES; s++)
		cursor[s] = pools[s].start;
	for (size_t r = 0; r < topo->n_root_buses; r++) {
		size_t owner = topo->n_functions + r;
		uint64_t size[N_SPACES], align[N_SPACES], base[N_SPACES];

		unsigned overflow = pack_bus(as, owner, size, align);

		if (overflow != N_SPACES)
			return root_exhausted(as, r, overflow, SIZE_LIMIT, cursor[overflow]);
		for (unsigned s = 0; s < N_SPACES; s++) {
			uint64_t start;

			base[s] = cursor[s];
			if (!size[s])
				continue;
			if (!align_up(cursor[s], max_u64(align[s], pools[s].root_align), &start))
				start = pools[s].end;
			if (start >= pools[s].end || size[s] > pools[s].end - start)
				return root_exhausted(as, r, s, size[s], start);
			base[s] = start;
			cursor[s] = start + size[s];
		}
		place_bus(as, owner, base);
	}
	return 0;
}

static void place_bridges(struct assigner *as)
{
	struct topology *topo = as->topo;

	for (size_t i = 0; i < topo->n_functions; i++) {
		const struct topo_function *bridge = &topo->functions[i];
		uint64_t base[N_SPACES];

		if (!bridge->is_bridge || is_vf(bridge))
			continue;
		for (unsigned s = 0; s < N_SPACES; s++)
			base[s] = window_of(&topo->functions[i], s)->start;
		place_bus(as, i, base);
	}
}

/* A VF's BARs are slices of its PF's IOV resources. */
static void place_vfs(struct topology *topo)
{
	for (size_t i = 0; i < topo->n_functions; i++) {
		struct topo_function *vf = &topo->functions[i];

		if (!is_vf(vf))
			continue;
		const struct topo_sriov *sriov = topo->functions[vf->physfn].sriov;
		for (unsigned b = 0; b < TOPO_N_BARS; b++) {
			vf->bars[b] = sriov->vf_bars[b];
			vf->bars[b].start += (uint64_t)vf->vf_index * sriov->vf_bars[b].size;
		}
	}
}

int pci_resources_assign(struct topology *topo, char *error, size_t error_size)
{
	struct assigner as = { .topo = topo, .error = error, .error_size = error_size };
	int ret = -1;

	if (error_size)
		error[0] = '\0';
	as.window_align = malloc(topo->n_functions * sizeof(*as.window_align) + 1);
	if (!as.window_align) {
		snprintf(error, error_size, "out of memory");
		return -1;
	}
	if (collect_requests(&as) == 0 && size_bridges(&as) == 0 && place_roots(&as) == 0) {
		place_bridges(&as);
		place_vfs(topo);
		ret = 0;
	}
	free(as.window_align);
	free(as.first);
	free(as.requests);
	return ret;
}

uint64_t pci_bar_resource_flags(const struct topo_bar *bar)
{
	uint64_t flags;

	if (bar->size == 0 || bar->kind == BAR_UNUSED)
		return 0;
	if (bar->kind == BAR_IO)
		return BAR_SPACE_IO | IORESOURCE_IO | IORESOURCE_SIZEALIGN;
	flags = IORESOURCE_MEM | IORESOURCE_SIZEALIGN;
	if (bar->kind == BAR_MEM64)
		flags |= BAR_MEM_TYPE_64 | IORESOURCE_MEM_64;
	if (bar->prefetchable)
		flags |= BAR_MEM_PREFETCH | IORESOURCE_PREFETCH;
	return flags;
}

uint64_t pci_rom_resource_flags(const struct topo_bar *rom)
{
	if (rom->size == 0)
		return 0;
	return IORESOURCE_MEM | IORESOURCE_PREFETCH | IORESOURCE_READONLY | IORESOURCE_SIZEALIGN;
}

uint64_t pci_window_resource_flags(enum pci_window_kind kind, const struct topo_window *window)
{
	if (window->size == 0)
		return 0;
	switch (kind) {
	case PCI_WINDOW_IO:
		return IORESOURCE_IO; /* 16-bit I/O decode: range type 0 */
	case PCI_WINDOW_MEM:
		return IORESOURCE_MEM;
	case PCI_WINDOW_PREF:
		return PREF_RANGE_TYPE_64 | IORESOURCE_MEM | IORESOURCE_PREFETCH |
		       IORESOURCE_MEM_64;
	}
	return 0;
}

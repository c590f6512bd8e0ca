/* SPDX-License-Identifier: MIT */
/*
 * Resource assignment: every range naturally aligned, inside its address pool and apart from
 * every other; bridge windows aligned, nested, covering what sits below them and closed when
 * nothing does; VF BARs as slices of the PF's IOV resources; addresses a firmware would pick
 * for a small two-domain host, worked out by hand; and the refusals.
 */
#include <check.h>

#include "check_run.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pci_resources.h"

#define MiB (1ULL << 20)
#define GiB (1ULL << 30)
#define KiB (1ULL << 10)

/* A host built function by function, in address order, as the scenario loader leaves it. */
struct fixture {
	struct topology topo;
	struct topo_function *fns;
	struct topo_sriov *sriovs;
	size_t capacity, n_sriovs;
	struct topo_root_bus roots[8];
	uint32_t extra_root_domain[8];
	uint8_t extra_root_bus[8];
	size_t n_extra_roots;
};

static struct fixture *fixture_new(size_t capacity)
{
	struct fixture *f = calloc(1, sizeof(*f));

	ck_assert_ptr_nonnull(f);
	f->fns = calloc(capacity, sizeof(*f->fns));
	f->sriovs = calloc(capacity, sizeof(*f->sriovs));
	ck_assert_ptr_nonnull(f->fns);
	ck_assert_ptr_nonnull(f->sriovs);
	f->capacity = capacity;
	f->topo.functions = f->fns;
	f->topo.root_buses = f->roots;
	return f;
}

static void fixture_free(struct fixture *f)
{
	free(f->fns);
	free(f->sriovs);
	free(f);
}

static struct topo_function *add_fn(struct fixture *f, const char *bdf, uint32_t class_code)
{
	struct topo_function *fn;

	ck_assert_uint_lt(f->topo.n_functions, f->capacity);
	fn = &f->fns[f->topo.n_functions];
	ck_assert_msg(pci_addr_parse(bdf, &fn->addr), "bad address %s", bdf);
	if (f->topo.n_functions)
		ck_assert_msg(pci_addr_compare(&fn[-1].addr, &fn->addr) < 0, "%s out of order",
			      bdf);
	f->topo.n_functions++;
	fn->vendor = 0x8086;
	fn->device = 0x1234;
	fn->class_code = class_code;
	fn->numa_node = -1;
	fn->group = TOPO_NONE;
	fn->driver = TOPO_NONE;
	fn->parent = TOPO_NONE;
	fn->physfn = TOPO_NONE;
	fn->acpi_index = -1;
	return fn;
}

static struct topo_function *add_bridge(struct fixture *f, const char *bdf, uint8_t secondary,
					uint8_t subordinate)
{
	struct topo_function *fn = add_fn(f, bdf, 0x060400);

	fn->is_bridge = true;
	fn->secondary_bus = secondary;
	fn->subordinate_bus = subordinate;
	return fn;
}

static void set_bar(struct topo_bar *bar, uint8_t kind, uint64_t size, bool prefetchable)
{
	bar->kind = kind;
	bar->size = size;
	bar->prefetchable = prefetchable;
}

/* Makes fn a PF with `num` VFs at the kernel's BDFs, appended right after it. */
static struct topo_sriov *add_vfs(struct fixture *f, struct topo_function *pf, uint16_t total,
				  uint16_t num, uint16_t offset, uint16_t stride)
{
	struct topo_sriov *sriov = &f->sriovs[f->n_sriovs++];
	int32_t pf_index = (int32_t)(pf - f->fns);
	unsigned pf_devfn = (unsigned)pf->addr.dev << 3 | pf->addr.fn;

	pf->sriov = sriov;
	sriov->total = total;
	sriov->num = num;
	sriov->offset = offset;
	sriov->stride = stride;
	sriov->vf_device = 0x154c;
	sriov->vf_driver = TOPO_NONE;
	sriov->first_vf = num ? (int32_t)f->topo.n_functions : TOPO_NONE;
	for (uint16_t i = 0; i < num; i++) {
		unsigned rid = pf_devfn + offset + (unsigned)stride * i;
		char bdf[PCI_ADDR_STRLEN];
		struct topo_function *vf;

		snprintf(bdf, sizeof(bdf), "%04x:%02x:%02x.%u", f->fns[pf_index].addr.domain,
			 f->fns[pf_index].addr.bus + (rid >> 8), (rid & 0xff) >> 3, rid & 7);
		vf = add_fn(f, bdf, f->fns[pf_index].class_code);
		vf->physfn = pf_index;
		vf->vf_index = i;
		vf->pcie = f->fns[pf_index].pcie;
	}
	return sriov;
}

static void add_root(struct fixture *f, uint32_t domain, uint8_t bus)
{
	f->extra_root_domain[f->n_extra_roots] = domain;
	f->extra_root_bus[f->n_extra_roots++] = bus;
}

/* Resolves parents the way the loader does: the bridge whose secondary bus we sit on (a VF's
 * parent is its PF's), and lists the root buses: bus 0 of each domain plus the extra ones. */
static struct topology *fixture_finish(struct fixture *f)
{
	struct topology *topo = &f->topo;

	for (size_t i = 0; i < topo->n_functions; i++) {
		struct topo_function *fn = &f->fns[i];

		if (fn->physfn != TOPO_NONE) {
			fn->parent = f->fns[fn->physfn].parent;
			continue;
		}
		for (size_t b = 0; b < i; b++)
			if (f->fns[b].is_bridge && f->fns[b].addr.domain == fn->addr.domain &&
			    f->fns[b].secondary_bus == fn->addr.bus)
				fn->parent = (int32_t)b;
		if (fn->parent == TOPO_NONE) {
			bool known = false;

			for (size_t r = 0; r < topo->n_root_buses; r++)
				known |= f->roots[r].domain == fn->addr.domain &&
					 f->roots[r].bus == fn->addr.bus;
			if (!known) {
				ck_assert_uint_lt(topo->n_root_buses, 8);
				f->roots[topo->n_root_buses++] =
					(struct topo_root_bus){ fn->addr.domain, fn->addr.bus };
			}
		}
	}
	for (size_t e = 0; e < f->n_extra_roots; e++)
		f->roots[topo->n_root_buses++] =
			(struct topo_root_bus){ f->extra_root_domain[e], f->extra_root_bus[e] };
	/* Sorted by (domain, bus), as the model keeps them. */
	for (size_t i = 1; i < topo->n_root_buses; i++)
		for (size_t j = i; j > 0; j--) {
			struct topo_root_bus *a = &f->roots[j - 1], *b = &f->roots[j];

			if (a->domain < b->domain || (a->domain == b->domain && a->bus < b->bus))
				break;
			struct topo_root_bus tmp = *a;
			*a = *b;
			*b = tmp;
		}
	return topo;
}

static void assign_ok(struct topology *topo)
{
	char error[256] = "untouched";

	ck_assert_msg(pci_resources_assign(topo, error, sizeof(error)) == 0, "refused: %s", error);
	ck_assert_str_eq(error, "");
}

/* ---- The invariants, checked on any assigned topology ---- */

enum space { IO, MEM, PREF };

struct range {
	uint64_t start, size, align;
	enum space space;
	int32_t fn; /* the function the range belongs to (the bridge, for a window) */
	bool window;
};

static enum space space_of(const struct topo_bar *bar)
{
	if (bar->kind == BAR_IO)
		return IO;
	return bar->kind == BAR_MEM64 && bar->prefetchable ? PREF : MEM;
}

static const struct topo_window *window(const struct topo_function *bridge, enum space space)
{
	return space == IO    ? &bridge->io_window
	       : space == MEM ? &bridge->mem_window
			      : &bridge->pref_window;
}

static uint64_t mem_align(uint64_t size)
{
	return size > 4 * KiB ? size : 4 * KiB;
}

struct range_list {
	struct range *items;
	size_t n, capacity;
};

static void push(struct range_list *list, struct range range)
{
	if (list->n == list->capacity) {
		list->capacity = list->capacity ? 2 * list->capacity : 64;
		list->items = realloc(list->items, list->capacity * sizeof(*list->items));
		ck_assert_ptr_nonnull(list->items);
	}
	list->items[list->n++] = range;
}

/* The ranges a function's own registers decode: BARs, ROM, IOV resources. Not for VFs. */
static void leaf_ranges(const struct topology *topo, int32_t index, struct range_list *out)
{
	const struct topo_function *fn = &topo->functions[index];

	for (unsigned i = 0; i < TOPO_N_BARS; i++) {
		const struct topo_bar *bar = &fn->bars[i];

		if (bar->size)
			push(out,
			     (struct range){ bar->start, bar->size,
					     bar->kind == BAR_IO ? bar->size : mem_align(bar->size),
					     space_of(bar), index, false });
	}
	if (fn->rom.size)
		push(out, (struct range){ fn->rom.start, fn->rom.size, mem_align(fn->rom.size), MEM,
					  index, false });
	if (fn->sriov)
		for (unsigned i = 0; i < TOPO_N_BARS; i++) {
			const struct topo_bar *bar = &fn->sriov->vf_bars[i];

			if (bar->size)
				push(out, (struct range){ bar->start, bar->size * fn->sriov->total,
							  mem_align(bar->size), space_of(bar),
							  index, false });
		}
}

static bool inside(uint64_t start, uint64_t size, uint64_t outer_start, uint64_t outer_size)
{
	return start >= outer_start && size <= outer_size &&
	       start - outer_start <= outer_size - size;
}

static void check_in_pool(const struct range *r)
{
	static const uint64_t pool[3][2] = {
		[IO] = { PCI_RES_IO_START, PCI_RES_IO_END },
		[MEM] = { PCI_RES_MEM32_START, PCI_RES_MEM32_END },
		[PREF] = { PCI_RES_PREF_START, PCI_RES_PREF_END },
	};

	ck_assert_msg(
		inside(r->start, r->size, pool[r->space][0], pool[r->space][1] - pool[r->space][0]),
		"function %d: range 0x%llx+0x%llx outside its pool", r->fn,
		(unsigned long long)r->start, (unsigned long long)r->size);
}

static int compare_ranges(const void *a, const void *b)
{
	const struct range *x = a, *y = b;

	return (x->start > y->start) - (x->start < y->start);
}

/* No two ranges of one address space (I/O; memory, either window) share a byte. */
static void check_disjoint(struct range_list *leaves)
{
	qsort(leaves->items, leaves->n, sizeof(*leaves->items), compare_ranges);
	for (int pass = 0; pass < 2; pass++) {
		const struct range *prev = NULL;

		for (size_t i = 0; i < leaves->n; i++) {
			const struct range *r = &leaves->items[i];

			if ((r->space == IO) != (pass == 0))
				continue;
			if (prev)
				ck_assert_msg(prev->start + prev->size <= r->start,
					      "functions %d and %d overlap at 0x%llx", prev->fn,
					      r->fn, (unsigned long long)r->start);
			prev = r;
		}
	}
}

static void check_vfs(const struct topology *topo)
{
	for (size_t i = 0; i < topo->n_functions; i++) {
		const struct topo_function *vf = &topo->functions[i];

		if (vf->physfn == TOPO_NONE)
			continue;
		const struct topo_sriov *sriov = topo->functions[vf->physfn].sriov;
		for (unsigned b = 0; b < TOPO_N_BARS; b++) {
			const struct topo_bar *pf_bar = &sriov->vf_bars[b];

			ck_assert_uint_eq(vf->bars[b].size, pf_bar->size);
			ck_assert_uint_eq(vf->bars[b].kind, pf_bar->kind);
			ck_assert(vf->bars[b].prefetchable == pf_bar->prefetchable);
			if (pf_bar->size)
				ck_assert_uint_eq(vf->bars[b].start,
						  pf_bar->start + vf->vf_index * pf_bar->size);
		}
	}
}

static void verify_assignment(const struct topology *topo)
{
	struct range_list leaves = { 0 }, windows = { 0 };

	for (size_t i = 0; i < topo->n_functions; i++) {
		const struct topo_function *fn = &topo->functions[i];

		if (fn->physfn != TOPO_NONE)
			continue;
		size_t first_leaf = leaves.n;
		leaf_ranges(topo, (int32_t)i, &leaves);
		/* Each of the function's ranges lies in its bridge's window of that space. */
		for (size_t l = first_leaf; l < leaves.n; l++) {
			const struct range *r = &leaves.items[l];

			ck_assert_msg(r->start % r->align == 0, "function %zu: 0x%llx misaligned",
				      i, (unsigned long long)r->start);
			check_in_pool(r);
			if (fn->parent != TOPO_NONE) {
				const struct topo_window *w =
					window(&topo->functions[fn->parent], r->space);
				ck_assert_msg(inside(r->start, r->size, w->start, w->size),
					      "function %zu: 0x%llx outside its bridge's window", i,
					      (unsigned long long)r->start);
			}
		}
		if (!fn->is_bridge)
			continue;
		for (enum space s = IO; s <= PREF; s++) {
			const struct topo_window *w = window(fn, s);
			uint64_t granule = s == IO ? 4 * KiB : MiB;

			if (!w->size) {
				ck_assert_uint_eq(w->start, 0);
				continue;
			}
			ck_assert_msg(w->start % granule == 0 && w->size % granule == 0,
				      "bridge %zu: window %d misaligned", i, s);
			push(&windows,
			     (struct range){ w->start, w->size, granule, s, (int32_t)i, true });
			check_in_pool(&windows.items[windows.n - 1]);
			if (fn->parent != TOPO_NONE) {
				const struct topo_window *outer =
					window(&topo->functions[fn->parent], s);
				ck_assert_msg(inside(w->start, w->size, outer->start, outer->size),
					      "bridge %zu: window %d outside its parent's", i, s);
			}
		}
	}
	check_disjoint(&leaves);
	/* Windows of one space are nested or apart, never half-overlapping. */
	for (size_t a = 0; a < windows.n; a++)
		for (size_t b = a + 1; b < windows.n; b++) {
			const struct range *x = &windows.items[a], *y = &windows.items[b];

			if ((x->space == IO) != (y->space == IO))
				continue;
			bool apart =
				x->start + x->size <= y->start || y->start + y->size <= x->start;
			ck_assert_msg(apart || inside(x->start, x->size, y->start, y->size) ||
					      inside(y->start, y->size, x->start, x->size),
				      "windows of bridges %d and %d cross", x->fn, y->fn);
		}
	/* A window is open exactly when something below needs that space. */
	for (size_t i = 0; i < topo->n_functions; i++) {
		const struct topo_function *bridge = &topo->functions[i];
		bool needed[3] = { false, false, false };

		if (!bridge->is_bridge)
			continue;
		for (size_t c = i + 1; c < topo->n_functions; c++) {
			const struct topo_function *child = &topo->functions[c];

			if (child->parent != (int32_t)i || child->physfn != TOPO_NONE)
				continue;
			for (size_t l = 0; l < leaves.n; l++)
				if (leaves.items[l].fn == (int32_t)c)
					needed[leaves.items[l].space] = true;
			if (child->is_bridge)
				for (enum space s = IO; s <= PREF; s++)
					needed[s] |= window(child, s)->size != 0;
		}
		for (enum space s = IO; s <= PREF; s++)
			ck_assert_msg((window(bridge, s)->size != 0) == needed[s],
				      "bridge %zu: window %d open=%d, needed=%d", i, s,
				      window(bridge, s)->size != 0, needed[s]);
	}
	check_vfs(topo);
	free(leaves.items);
	free(windows.items);
}

/* ---- A small two-domain host ---- */

enum {
	HOST,
	RP1,
	RP2,
	RP3,
	LPC,
	UPSTREAM,
	DOWN0,
	DOWN1,
	NIC,
	VF0,
	VF1,
	VF2,
	VF3,
	NVME,
	LEGACY,
	RP80,
	GPU,
	ACCEL,
	N_HOST_FNS
};

static struct fixture *build_host(void)
{
	struct fixture *f = fixture_new(32);
	struct topo_function *fn;
	struct topo_sriov *sriov;

	add_fn(f, "0000:00:00.0", 0x060000);
	add_bridge(f, "0000:00:01.0", 1, 4);
	add_bridge(f, "0000:00:02.0", 5, 5);
	add_bridge(f, "0000:00:03.0", 6, 6); /* empty slot */
	fn = add_fn(f, "0000:00:1f.0", 0x0c0500);
	set_bar(&fn->bars[0], BAR_MEM32, 64 * KiB, false);
	set_bar(&fn->bars[1], BAR_MEM32, MiB, true);
	add_bridge(f, "0000:01:00.0", 2, 4);
	add_bridge(f, "0000:02:00.0", 3, 3);
	add_bridge(f, "0000:02:01.0", 4, 4);
	fn = add_fn(f, "0000:03:00.0", 0x020000);
	set_bar(&fn->bars[0], BAR_MEM64, 32 * MiB, true);
	set_bar(&fn->bars[3], BAR_MEM64, 16 * KiB, true);
	fn->rom.size = 512 * KiB;
	sriov = add_vfs(f, fn, 64, 4, 0x10, 1);
	set_bar(&sriov->vf_bars[0], BAR_MEM64, 64 * KiB, true);
	set_bar(&sriov->vf_bars[3], BAR_MEM64, 16 * KiB, true);
	fn = add_fn(f, "0000:04:00.0", 0x010802);
	set_bar(&fn->bars[0], BAR_MEM64, 16 * KiB, false);
	fn = add_fn(f, "0000:05:00.0", 0x070002);
	set_bar(&fn->bars[0], BAR_IO, 32, false);
	set_bar(&fn->bars[1], BAR_MEM32, 4 * KiB, false);
	add_bridge(f, "0000:80:00.0", 0x81, 0x81);
	fn = add_fn(f, "0000:81:00.0", 0x030000);
	set_bar(&fn->bars[0], BAR_MEM32, 16 * MiB, false);
	set_bar(&fn->bars[1], BAR_MEM64, 256 * MiB, true);
	set_bar(&fn->bars[3], BAR_MEM64, 32 * MiB, true);
	set_bar(&fn->bars[5], BAR_IO, 128, false);
	fn->rom.size = 128 * KiB;
	fn = add_fn(f, "0001:00:00.0", 0x120000);
	set_bar(&fn->bars[0], BAR_MEM64, GiB, true);
	add_root(f, 0, 0x80);
	fixture_finish(f);
	ck_assert_uint_eq(f->topo.n_functions, N_HOST_FNS);
	return f;
}

START_TEST(host_ranges_are_aligned_disjoint_and_covered)
{
	struct fixture *f = build_host();

	assign_ok(&f->topo);
	verify_assignment(&f->topo);
	fixture_free(f);
}
END_TEST

#define ASSERT_HEX(actual, expected)                                                               \
	ck_assert_msg((actual) == (expected), "%s = 0x%llx, want 0x%llx", #actual,                 \
		      (unsigned long long)(actual), (unsigned long long)(expected))

/*
 * Worked by hand from the rules: per bus, largest alignment first; windows 1 MiB / 4 KiB;
 * root buses one after another from 0x90000000 (32-bit), 0x1000 (I/O) and 256 GiB steps from
 * 0x380000000000 (64-bit prefetchable).
 */
START_TEST(host_gets_the_addresses_firmware_would_give)
{
	struct fixture *f = build_host();
	const struct topo_function *fn = f->fns;

	assign_ok(&f->topo);
	/* NIC below root port, switch upstream and downstream port: BAR 0 (32M), the VF BAR 0s
	 * (64 x 64K), BAR 3 (16K), the VF BAR 3s (64 x 16K): 37M + 16K, so a 38M window. */
	ASSERT_HEX(fn[NIC].bars[0].start, 0x380000000000ULL);
	ASSERT_HEX(fn[NIC].sriov->vf_bars[0].start, 0x380002000000ULL);
	ASSERT_HEX(fn[NIC].bars[3].start, 0x380002400000ULL);
	ASSERT_HEX(fn[NIC].sriov->vf_bars[3].start, 0x380002404000ULL);
	ASSERT_HEX(fn[VF2].bars[0].start, 0x380002020000ULL);
	ASSERT_HEX(fn[VF2].bars[3].start, 0x38000240c000ULL);
	ASSERT_HEX(fn[RP1].pref_window.start, 0x380000000000ULL);
	ASSERT_HEX(fn[RP1].pref_window.size, 38 * MiB);
	ASSERT_HEX(fn[UPSTREAM].pref_window.size, 38 * MiB);
	ASSERT_HEX(fn[DOWN0].pref_window.start, 0x380000000000ULL);
	ASSERT_HEX(fn[DOWN0].pref_window.size, 38 * MiB);
	ck_assert_uint_eq(fn[DOWN1].pref_window.size, 0);

	/* 32-bit: RP1's 2M (ROM's 1M window + NVMe's 1M window), RP2's 1M, LPC's 1M, LPC's 64K. */
	ASSERT_HEX(fn[RP1].mem_window.start, 0x90000000ULL);
	ASSERT_HEX(fn[RP1].mem_window.size, 2 * MiB);
	ASSERT_HEX(fn[NIC].rom.start, 0x90000000ULL);
	ASSERT_HEX(fn[NVME].bars[0].start, 0x90100000ULL);
	ASSERT_HEX(fn[RP2].mem_window.start, 0x90200000ULL);
	ASSERT_HEX(fn[LEGACY].bars[1].start, 0x90200000ULL);
	ASSERT_HEX(fn[LPC].bars[1].start, 0x90300000ULL);
	ASSERT_HEX(fn[LPC].bars[0].start, 0x90400000ULL);
	ASSERT_HEX(fn[RP2].io_window.start, 0x1000ULL);
	ASSERT_HEX(fn[RP2].io_window.size, 0x1000ULL);
	ASSERT_HEX(fn[LEGACY].bars[0].start, 0x1000ULL);
	ck_assert_uint_eq(fn[RP1].io_window.size, 0);
	ck_assert_uint_eq(
		fn[RP3].io_window.size + fn[RP3].mem_window.size + fn[RP3].pref_window.size, 0);

	/* Root bus 0000:80 follows: its 16M BAR aligns the 32-bit range to 16M, its 64-bit
	 * range starts on the next 256 GiB boundary. */
	ASSERT_HEX(fn[GPU].bars[0].start, 0x91000000ULL);
	ASSERT_HEX(fn[GPU].rom.start, 0x92000000ULL);
	ASSERT_HEX(fn[RP80].mem_window.size, 17 * MiB);
	ASSERT_HEX(fn[GPU].bars[1].start, 0x384000000000ULL);
	ASSERT_HEX(fn[GPU].bars[3].start, 0x384010000000ULL);
	ASSERT_HEX(fn[RP80].pref_window.size, 288 * MiB);
	ASSERT_HEX(fn[GPU].bars[5].start, 0x2000ULL);
	/* Domain 1's root bus: the next 256 GiB step. */
	ASSERT_HEX(fn[ACCEL].bars[0].start, 0x388000000000ULL);
	fixture_free(f);
}
END_TEST

START_TEST(assignment_is_deterministic_and_repeatable)
{
	struct fixture *a = build_host(), *b = build_host();

	assign_ok(&a->topo);
	assign_ok(&b->topo);
	assign_ok(&b->topo); /* a second run over assigned values changes nothing */
	for (size_t i = 0; i < N_HOST_FNS; i++) {
		const struct topo_function *x = &a->fns[i], *y = &b->fns[i];

		for (unsigned r = 0; r < TOPO_N_BARS; r++)
			ck_assert_uint_eq(x->bars[r].start, y->bars[r].start);
		ck_assert_uint_eq(x->rom.start, y->rom.start);
		ck_assert_mem_eq(&x->io_window, &y->io_window, sizeof(x->io_window));
		ck_assert_mem_eq(&x->mem_window, &y->mem_window, sizeof(x->mem_window));
		ck_assert_mem_eq(&x->pref_window, &y->pref_window, sizeof(x->pref_window));
	}
	fixture_free(a);
	fixture_free(b);
}
END_TEST

/* 31 root ports, each with an 8-function device of pseudo-random BARs and a few PFs. */
START_TEST(many_functions_pack_without_overlap)
{
	struct fixture *f = fixture_new(31 * 9 + 31 * 8 * 3);
	uint32_t seed = 12345;

	for (unsigned port = 1; port <= 31; port++) {
		char bdf[PCI_ADDR_STRLEN];

		snprintf(bdf, sizeof(bdf), "0000:00:%02x.0", port);
		add_bridge(f, bdf, (uint8_t)port, (uint8_t)port);
	}
	for (unsigned bus = 1; bus <= 31; bus++)
		for (unsigned func = 0; func < 8; func++) {
			char bdf[PCI_ADDR_STRLEN];
			struct topo_function *fn;

			snprintf(bdf, sizeof(bdf), "0000:%02x:00.%u", bus, func);
			fn = add_fn(f, bdf, 0x020000);
			for (unsigned b = 0; b < TOPO_N_BARS; b += 2) {
				seed = seed * 1103515245 + 12345;
				unsigned pick = (seed >> 16) % 5;
				unsigned log2 = 4 + (seed >> 8) % 21; /* 16 bytes .. 16 MiB */

				if (pick == 0)
					set_bar(&fn->bars[b], BAR_MEM32, 1ULL << log2, seed & 0x10);
				else if (pick == 1)
					set_bar(&fn->bars[b], BAR_MEM64, 1ULL << log2, false);
				else if (pick == 2)
					set_bar(&fn->bars[b], BAR_MEM64, 1ULL << (log2 + 6), true);
			}
			if (func == 7 && bus % 4 == 0) {
				struct topo_sriov *sriov = add_vfs(f, fn, 16, 2, 8, 1);

				set_bar(&sriov->vf_bars[0], BAR_MEM64, 16 * KiB << (bus % 3), true);
				set_bar(&sriov->vf_bars[2], BAR_MEM32, 4 * KiB, false);
			}
		}
	fixture_finish(f);
	assign_ok(&f->topo);
	verify_assignment(&f->topo);
	fixture_free(f);
}
END_TEST

static void assign_fails(struct topology *topo, const char *message)
{
	char error[256] = "";

	ck_assert_int_eq(pci_resources_assign(topo, error, sizeof(error)), -1);
	ck_assert_str_eq(error, message);
}

START_TEST(exhausted_32bit_space_is_refused)
{
	struct fixture *f = fixture_new(4);
	struct topo_function *fn = add_fn(f, "0000:00:02.0", 0x030000);

	/* 2 GiB at 1 GiB alignment: from 0xc0000000 only 0x3c000000 remain below 0xfc000000. */
	set_bar(&fn->bars[0], BAR_MEM32, GiB, false);
	set_bar(&fn->bars[1], BAR_MEM32, GiB, false);
	fixture_finish(f);
	assign_fails(&f->topo, "root bus 0000:00: 32-bit memory space exhausted: 0x80000000 "
			       "bytes needed, 0x3c000000 available");
	fixture_free(f);
}
END_TEST

/* Root ports 00:01.0 .. 00:<n>.0, each with one device that has a small I/O BAR. */
static struct fixture *build_io_ports(unsigned n)
{
	struct fixture *f = fixture_new(2 * n);

	for (unsigned port = 1; port <= n; port++) {
		char bdf[PCI_ADDR_STRLEN];

		snprintf(bdf, sizeof(bdf), "0000:00:%02x.0", port);
		add_bridge(f, bdf, (uint8_t)port, (uint8_t)port);
	}
	for (unsigned bus = 1; bus <= n; bus++) {
		char bdf[PCI_ADDR_STRLEN];

		snprintf(bdf, sizeof(bdf), "0000:%02x:00.0", bus);
		set_bar(&add_fn(f, bdf, 0x070002)->bars[0], BAR_IO, 8, false);
	}
	fixture_finish(f);
	return f;
}

START_TEST(exhausted_io_space_is_refused)
{
	/* Each bridge with I/O below takes 4K of the 60K above 0x1000: 15 fit, 16 do not. */
	struct fixture *fits = build_io_ports(15), *too_many = build_io_ports(16);

	assign_ok(&fits->topo);
	verify_assignment(&fits->topo);
	ASSERT_HEX(fits->fns[14].io_window.start, 0xf000ULL);
	assign_fails(&too_many->topo, "root bus 0000:00: I/O port space exhausted: 0x10000 bytes "
				      "needed, 0xf000 available");
	fixture_free(fits);
	fixture_free(too_many);
}
END_TEST

START_TEST(impossible_bars_are_refused)
{
	struct fixture *f = fixture_new(8);
	struct topo_function *fn = add_fn(f, "0000:00:1f.0", 0x0c0500);
	struct topo_sriov *sriov;

	fixture_finish(f);
	set_bar(&fn->bars[0], BAR_MEM32, 0x3000, false);
	assign_fails(&f->topo, "0000:00:1f.0: BAR 0: size 0x3000 is not a power of two");
	set_bar(&fn->bars[0], BAR_UNUSED, 0, false);
	set_bar(&fn->bars[5], BAR_MEM64, 0x4000, false);
	assign_fails(&f->topo, "0000:00:1f.0: BAR 5: a 64-bit BAR needs the next register free");
	set_bar(&fn->bars[5], BAR_UNUSED, 0, false);

	sriov = add_vfs(f, fn, 8, 0, 8, 1);
	set_bar(&sriov->vf_bars[2], BAR_IO, 0x20, false);
	assign_fails(&f->topo, "0000:00:1f.0: VF BAR 2: SR-IOV VF BARs are memory, not I/O");
	set_bar(&sriov->vf_bars[2], BAR_MEM32, 0x4000, false);
	assign_ok(&f->topo);
	fixture_free(f);
}
END_TEST

START_TEST(bridge_bars_beyond_the_type1_header_are_refused)
{
	struct fixture *f = fixture_new(4);
	struct topo_function *fn = add_bridge(f, "0000:00:01.0", 1, 1);

	fixture_finish(f);
	set_bar(&fn->bars[2], BAR_MEM32, 0x4000, false);
	assign_fails(&f->topo, "0000:00:01.0: BAR 2: a bridge has only BARs 0 and 1");
	fixture_free(f);
}
END_TEST

START_TEST(resource_flags_are_the_kernels)
{
	struct topo_bar bar = { 0 };
	struct topo_window window = { 0x90000000, MiB }, closed = { 0, 0 };

	/* Values as real hosts show them in `resource` (reference 1.5). */
	set_bar(&bar, BAR_MEM64, 0x80000, false);
	ASSERT_HEX(pci_bar_resource_flags(&bar), 0x140204ULL);
	set_bar(&bar, BAR_MEM64, 0x80000, true);
	ASSERT_HEX(pci_bar_resource_flags(&bar), 0x14220cULL);
	set_bar(&bar, BAR_MEM32, 0x1000, false);
	ASSERT_HEX(pci_bar_resource_flags(&bar), 0x40200ULL);
	set_bar(&bar, BAR_IO, 0x20, false);
	ASSERT_HEX(pci_bar_resource_flags(&bar), 0x40101ULL);
	set_bar(&bar, BAR_UNUSED, 0, false);
	ASSERT_HEX(pci_bar_resource_flags(&bar), 0ULL);
	bar.size = 0x10000;
	ASSERT_HEX(pci_rom_resource_flags(&bar), 0x46200ULL);
	ASSERT_HEX(pci_window_resource_flags(PCI_WINDOW_MEM, &window), 0x200ULL);
	ASSERT_HEX(pci_window_resource_flags(PCI_WINDOW_PREF, &window), 0x102201ULL);
	ASSERT_HEX(pci_window_resource_flags(PCI_WINDOW_IO, &window), 0x100ULL);
	ASSERT_HEX(pci_window_resource_flags(PCI_WINDOW_PREF, &closed), 0ULL);
}
END_TEST

static Suite *pci_resources_suite(void)
{
	Suite *s = suite_create("pci_resources");
	TCase *tc = tcase_create("assign");

	tcase_add_test(tc, host_ranges_are_aligned_disjoint_and_covered);
	tcase_add_test(tc, host_gets_the_addresses_firmware_would_give);
	tcase_add_test(tc, assignment_is_deterministic_and_repeatable);
	tcase_add_test(tc, many_functions_pack_without_overlap);
	tcase_add_test(tc, exhausted_32bit_space_is_refused);
	tcase_add_test(tc, exhausted_io_space_is_refused);
	tcase_add_test(tc, impossible_bars_are_refused);
	tcase_add_test(tc, bridge_bars_beyond_the_type1_header_are_refused);
	tcase_add_test(tc, resource_flags_are_the_kernels);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return check_run(pci_resources_suite());
}

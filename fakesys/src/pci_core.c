/* SPDX-License-Identifier: MIT */
/* Driver binding, dynamic IDs, SR-IOV enabling, removal and rescans, as the kernel does them. */
#include "pci_core.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static struct topo_function *function(struct host_tree *ht, size_t fn)
{
	return &ht->topo->functions[fn];
}

/* bus_find_device_by_name(): the device named exactly so, if it is on the bus. */
static bool find_by_name(const struct host_tree *ht, const char *name, size_t *out)
{
	struct pci_addr addr;
	char canonical[PCI_ADDR_STRLEN];

	if (!pci_addr_parse(name, &addr))
		return false;
	pci_addr_format(&addr, canonical);
	if (strcmp(canonical, name) != 0)
		return false; /* the kernel compares names, not numbers: no upper case */
	int32_t fn = topology_find_function(ht->topo, &addr);
	if (fn == TOPO_NONE || !host_function_alive(ht, (size_t)fn))
		return false;
	*out = (size_t)fn;
	return true;
}

static bool any_id_matches(const struct topo_pci_id *ids, size_t n, const struct topo_function *fn)
{
	for (size_t i = 0; i < n; i++)
		if (topology_id_matches(&ids[i], fn))
			return true;
	return false;
}

/* pci_match_device(): driver_override first, then dynamic IDs, then the static table. */
static bool driver_matches(struct host_tree *ht, int32_t driver, size_t fn)
{
	const struct topo_driver *drv = &ht->topo->drivers[driver];
	const char *override = ht->devices[fn].driver_override;

	if (override)
		return strcmp(override, drv->name) == 0;
	return any_id_matches(drv->dyn_ids, drv->n_dyn_ids, function(ht, fn)) ||
	       any_id_matches(drv->ids, drv->n_ids, function(ht, fn));
}

/*
 * really_probe(): the driver's probe decides. vfio-pci refuses (EINVAL) a function without an
 * IOMMU group and one that is not a normal header (a bridge); the others take anything they
 * match. A bound driver enables the function, except vfio-pci, which lets it suspend until
 * user space opens it.
 */
static int probe(struct host_tree *ht, int32_t driver, size_t fn)
{
	struct topo_function *f = function(ht, fn);
	struct pci_device *dev = &ht->devices[fn];
	bool vfio = strcmp(ht->topo->drivers[driver].name, TOPO_DRIVER_VFIO_PCI) == 0;

	if (f->driver != TOPO_NONE)
		return -EBUSY;
	if (vfio && (f->group == TOPO_NONE || f->is_bridge))
		return -EINVAL;
	f->driver = driver;
	dev->pm.suspended = vfio;
	dev->enable_cnt = vfio ? 0 : 1;
	return 0;
}

/* device_attach(): the first driver that matches and probes; errors are not the caller's. */
static bool attach(struct host_tree *ht, size_t fn)
{
	if (function(ht, fn)->driver != TOPO_NONE)
		return false;
	for (size_t d = 0; d < ht->topo->n_drivers; d++)
		if (driver_matches(ht, (int32_t)d, fn) && probe(ht, (int32_t)d, fn) == 0)
			return true;
	return false;
}

static void disable_vfs(struct host_tree *ht, size_t pf);

/* device_release_driver(). A PF driver's remove disables its VFs first, as drivers do. */
static void release(struct host_tree *ht, size_t fn)
{
	struct topo_function *f = function(ht, fn);
	struct pci_device *dev = &ht->devices[fn];

	if (f->driver == TOPO_NONE)
		return;
	if (f->sriov)
		disable_vfs(ht, fn);
	f->driver = TOPO_NONE;
	dev->pm.suspended = false;
	dev->enable_cnt = 0;
}

static int bus_probe(void *bus, const char *device)
{
	struct host_tree *ht = bus;
	size_t fn;

	if (!find_by_name(ht, device, &fn))
		return -ENODEV;
	return attach(ht, fn) ? host_tree_refresh(ht) : 0;
}

static int bus_bind(void *bus, const struct device_driver_obj *driver, const char *device)
{
	struct host_tree *ht = bus;
	size_t fn;

	if (!find_by_name(ht, device, &fn) || !driver_matches(ht, driver->index, fn))
		return -ENODEV;
	int err = probe(ht, driver->index, fn);
	return err ? err : host_tree_refresh(ht);
}

static int bus_unbind(void *bus, const struct device_driver_obj *driver, const char *device)
{
	struct host_tree *ht = bus;
	size_t fn;

	if (!find_by_name(ht, device, &fn) || function(ht, fn)->driver != driver->index)
		return -ENODEV;
	release(ht, fn);
	return host_tree_refresh(ht);
}

const struct bus_type_ops pci_core_bus_ops = {
	.probe = bus_probe,
	.bind = bus_bind,
	.unbind = bus_unbind,
};

/* ---- dynamic IDs ------------------------------------------------------------------------ */

/* new_id_store() after the parse. */
int pci_core_new_id(struct host_tree *ht, int32_t driver, const struct topo_pci_id *id,
		    unsigned long driver_data, bool refuse_claimed)
{
	struct topo_driver *drv = &ht->topo->drivers[driver];

	if (refuse_claimed) {
		/* An ID the driver claims already: pci_match_device() on a made-up device. */
		struct topo_function probe_fn = {
			.vendor = (uint16_t)id->vendor,
			.device = (uint16_t)id->device,
			.subsys_vendor = (uint16_t)id->subvendor,
			.subsys_device = (uint16_t)id->subdevice,
			.class_code = id->class_code,
		};
		if (any_id_matches(drv->dyn_ids, drv->n_dyn_ids, &probe_fn) ||
		    any_id_matches(drv->ids, drv->n_ids, &probe_fn))
			return -EEXIST;
	}
	/* Only driver_data the static table holds; ours hold 0 alone. */
	if (driver_data != 0)
		return -EINVAL;
	struct topo_pci_id *ids = realloc(drv->dyn_ids, (drv->n_dyn_ids + 1) * sizeof(*ids));
	if (!ids)
		return -ENOMEM;
	drv->dyn_ids = ids;
	ids[drv->n_dyn_ids++] = *id;

	/* driver_attach(): every unbound function the driver now matches. */
	bool changed = false;
	for (size_t fn = 0; fn < ht->topo->n_functions; fn++)
		if (host_function_alive(ht, fn) && function(ht, fn)->driver == TOPO_NONE &&
		    driver_matches(ht, driver, fn))
			changed |= probe(ht, driver, fn) == 0;
	return changed ? host_tree_refresh(ht) : 0;
}

/* remove_id_store() after the parse: drops the first dynamic ID that the fields given match. */
int pci_core_remove_id(struct host_tree *ht, int32_t driver, const struct topo_pci_id *fields)
{
	struct topo_driver *drv = &ht->topo->drivers[driver];

	for (size_t i = 0; i < drv->n_dyn_ids; i++) {
		const struct topo_pci_id *id = &drv->dyn_ids[i];

		if (id->vendor == fields->vendor && id->device == fields->device &&
		    (fields->subdevice == TOPO_PCI_ANY_ID || id->subdevice == fields->subdevice) &&
		    (fields->subvendor == TOPO_PCI_ANY_ID || id->subvendor == fields->subvendor) &&
		    !((id->class_code ^ fields->class_code) & fields->class_mask)) {
			memmove(&drv->dyn_ids[i], &drv->dyn_ids[i + 1],
				(drv->n_dyn_ids - i - 1) * sizeof(*drv->dyn_ids));
			drv->n_dyn_ids--;
			return 0;
		}
	}
	return -ENODEV;
}

/* ---- SR-IOV ----------------------------------------------------------------------------- */

/* VF n of a PF (n < possible, so the model has it): the function at its SR-IOV address. */
static size_t vf_index(const struct host_tree *ht, size_t pf, uint16_t n)
{
	struct pci_addr addr;

	topology_vf_address(&ht->topo->functions[pf], n, &addr);
	return (size_t)topology_find_function(ht->topo, &addr);
}

static void disable_vfs(struct host_tree *ht, size_t pf)
{
	struct topo_sriov *sriov = function(ht, pf)->sriov;

	for (uint16_t n = sriov->num; n-- > 0;) {
		size_t vf = vf_index(ht, pf, n);

		release(ht, vf);
		function(ht, vf)->present = false;
	}
	sriov->num = 0;
}

/* sriov_enable(): VFs appear, then probe if the PF lets them (sriov_drivers_autoprobe). */
static int enable_vfs(struct host_tree *ht, size_t pf, uint16_t num)
{
	struct topo_sriov *sriov = function(ht, pf)->sriov;

	if (num > sriov->possible)
		return -ENOMEM; /* "can't enable VFs (bus out of range)" */
	for (uint16_t n = 0; n < num; n++) {
		size_t vf = vf_index(ht, pf, n);

		function(ht, vf)->present = true;
		function(ht, vf)->driver = TOPO_NONE;
		pci_device_reset_state(&ht->devices[vf]);
	}
	sriov->num = num;
	if (ht->pci_bus_type.drivers_autoprobe && ht->devices[pf].sriov_drivers_autoprobe)
		for (uint16_t n = 0; n < num; n++)
			attach(ht, vf_index(ht, pf, n));
	return 0;
}

/* sriov_numvfs_store(), after the parse: the same count succeeds at once. */
int pci_core_set_numvfs(struct host_tree *ht, size_t fn, uint16_t num)
{
	struct topo_function *pf = function(ht, fn);
	struct topo_sriov *sriov = pf->sriov;

	if (num > sriov->total)
		return -ERANGE;
	if (num == sriov->num)
		return 0;
	if (pf->driver == TOPO_NONE || !ht->topo->drivers[pf->driver].sriov_configure)
		return -ENOENT;
	if (num == 0) {
		disable_vfs(ht, fn);
		return host_tree_refresh(ht);
	}
	if (sriov->num)
		return -EBUSY;
	int err = enable_vfs(ht, fn, num);
	return err ? err : host_tree_refresh(ht);
}

/* ---- removal and rescans ---------------------------------------------------------------- */

/* Whether bridge (or anything above it) is the function above fn. */
static bool is_below(const struct host_tree *ht, size_t fn, size_t bridge)
{
	for (int32_t up = ht->topo->functions[fn].parent; up != TOPO_NONE;
	     up = ht->topo->functions[up].parent)
		if ((size_t)up == bridge)
			return true;
	return false;
}

/* pci_stop_and_remove_bus_device(): drivers go, VFs go, then the functions below, then it. */
static void remove_subtree(struct host_tree *ht, size_t fn)
{
	for (size_t i = 0; i < ht->topo->n_functions; i++) {
		struct topo_function *f = function(ht, i);

		if ((i != fn && !is_below(ht, i, fn)) || f->physfn != TOPO_NONE || !f->present)
			continue;
		release(ht, i);
		if (f->sriov)
			disable_vfs(ht, i);
		f->present = false;
	}
}

int pci_core_remove(struct host_tree *ht, size_t fn)
{
	remove_subtree(ht, fn);
	return host_tree_refresh(ht);
}

/* Pulled out of its slot, or under something that is: no scan can find it. */
static bool out_of_slot(const struct host_tree *ht, size_t fn)
{
	for (int32_t at = (int32_t)fn; at != TOPO_NONE; at = ht->topo->functions[at].parent)
		if (ht->topo->functions[at].unplugged)
			return true;
	return false;
}

/* Functions of one card: the same device number on the same bus (a VF is no card). */
static bool same_card(const struct topology *topo, size_t a, size_t b)
{
	const struct topo_function *x = &topo->functions[a], *y = &topo->functions[b];

	return x->physfn == TOPO_NONE && y->physfn == TOPO_NONE &&
	       topology_same_slot(&x->addr, &y->addr);
}

/* On that bus, or below a bridge on it: what scanning that bus reaches. */
static bool reached_by_scan(const struct host_tree *ht, size_t fn, int64_t domain, int number)
{
	const struct topology *topo = ht->topo;

	if (domain < 0)
		return true;
	for (int32_t at = (int32_t)fn; at != TOPO_NONE; at = topo->functions[at].parent)
		if (topo->functions[at].addr.domain == domain &&
		    topo->functions[at].addr.bus == number)
			return true;
	return false;
}

/* A scan: what was removed from where it reaches comes back as new, and drivers probe it. */
static int scan(struct host_tree *ht,
		bool (*reaches)(const struct host_tree *ht, size_t fn, const void *where),
		const void *where)
{
	bool *found = calloc(ht->topo->n_functions + 1, sizeof(*found));
	bool any = false;

	if (!found)
		return -ENOMEM;
	for (size_t i = 0; i < ht->topo->n_functions; i++) {
		struct topo_function *f = function(ht, i);

		if (f->present || f->physfn != TOPO_NONE || out_of_slot(ht, i) ||
		    !reaches(ht, i, where))
			continue;
		f->present = true;
		f->driver = TOPO_NONE;
		if (f->sriov)
			f->sriov->num = 0;
		pci_device_reset_state(&ht->devices[i]);
		found[i] = any = true;
	}
	if (any && ht->pci_bus_type.drivers_autoprobe)
		for (size_t i = 0; i < ht->topo->n_functions; i++)
			if (found[i] && host_function_alive(ht, i))
				attach(ht, i);
	free(found);
	return any ? host_tree_refresh(ht) : 0;
}

struct bus_ref {
	int64_t domain; /* negative: every bus */
	int number;
};

static bool on_bus(const struct host_tree *ht, size_t fn, const void *where)
{
	const struct bus_ref *bus = where;

	return reached_by_scan(ht, fn, bus->domain, bus->number);
}

/* pci_rescan_bus(). */
int pci_core_rescan(struct host_tree *ht, int64_t domain, int number)
{
	struct bus_ref bus = { domain, number };

	return scan(ht, on_bus, &bus);
}

static bool in_card(const struct host_tree *ht, size_t fn, const void *where)
{
	size_t card = *(const size_t *)where;

	for (int32_t at = (int32_t)fn; at != TOPO_NONE; at = ht->topo->functions[at].parent)
		if (same_card(ht->topo, (size_t)at, card))
			return true;
	return false;
}

/*
 * A card pulled out: as a surprise removal through pciehp, its functions, everything below
 * them and their VFs leave the bus, and no rescan brings them back.
 */
int pci_core_unplug(struct host_tree *ht, size_t fn)
{
	if (function(ht, fn)->physfn != TOPO_NONE)
		return -EINVAL;
	if (function(ht, fn)->unplugged)
		return -ENODEV;
	for (size_t i = 0; i < ht->topo->n_functions; i++) {
		if (!same_card(ht->topo, i, fn))
			continue;
		remove_subtree(ht, i);
		function(ht, i)->unplugged = true;
	}
	return host_tree_refresh(ht);
}

/* A card plugged in: pciehp scans its slot, finding the card and all below it as new. */
int pci_core_plug(struct host_tree *ht, size_t fn)
{
	if (function(ht, fn)->physfn != TOPO_NONE)
		return -EINVAL;
	if (!function(ht, fn)->unplugged)
		return -EEXIST;
	for (size_t i = 0; i < ht->topo->n_functions; i++)
		if (same_card(ht->topo, i, fn))
			function(ht, i)->unplugged = false;
	/* Behind a bridge that is not on the bus, it waits for a rescan to be found. */
	int32_t parent = function(ht, fn)->parent;
	if (parent != TOPO_NONE && !host_function_alive(ht, (size_t)parent))
		return 0;
	return scan(ht, in_card, &fn);
}

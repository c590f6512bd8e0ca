/* SPDX-License-Identifier: MIT */
/* Lookups in a filled-in topology, and the IOMMU group type names. */
#include "topology.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const iommu_group_type_names[] = {
	[IOMMU_TYPE_DMA] = "DMA",	    [IOMMU_TYPE_DMA_FQ] = "DMA-FQ",
	[IOMMU_TYPE_IDENTITY] = "identity", [IOMMU_TYPE_UNMANAGED] = "unmanaged",
	[IOMMU_TYPE_BLOCKED] = "blocked",   [IOMMU_TYPE_UNKNOWN] = "unknown",
};

#define IOMMU_GROUP_TYPE_COUNT (sizeof(iommu_group_type_names) / sizeof(iommu_group_type_names[0]))

const char *iommu_group_type_name(enum iommu_group_type type)
{
	if ((size_t)type >= IOMMU_GROUP_TYPE_COUNT)
		return iommu_group_type_names[IOMMU_TYPE_UNKNOWN];
	return iommu_group_type_names[type];
}

bool iommu_group_type_parse(const char *text, enum iommu_group_type *out)
{
	for (size_t i = 0; i < IOMMU_GROUP_TYPE_COUNT; i++) {
		if (strcmp(iommu_group_type_names[i], text) == 0) {
			*out = (enum iommu_group_type)i;
			return true;
		}
	}
	return false;
}

void topology_free(struct topology *topo)
{
	if (!topo)
		return;
	for (size_t i = 0; i < topo->n_drivers; i++) {
		free(topo->drivers[i].name);
		free(topo->drivers[i].ids);
		free(topo->drivers[i].dyn_ids);
	}
	free(topo->drivers);
	for (size_t i = 0; i < topo->n_functions; i++) {
		struct topo_function *fn = &topo->functions[i];

		free(fn->sriov);
		free(fn->label);
		free(fn->raw_config);
		for (size_t t = 0; t < fn->n_mdev_types; t++) {
			free(fn->mdev_types[t].id);
			free(fn->mdev_types[t].name);
			free(fn->mdev_types[t].description);
			free(fn->mdev_types[t].device_api);
		}
		free(fn->mdev_types);
	}
	free(topo->functions);
	free(topo->mdevs);
	for (size_t i = 0; i < topo->n_groups; i++)
		free(topo->groups[i].regions);
	free(topo->groups);
	free(topo->root_buses);
	memset(topo, 0, sizeof(*topo));
}

/* bsearch's hit as an index; bsearch is not called on an empty (NULL) array. */
static int32_t find_index(const void *key, const void *base, size_t n, size_t size,
			  int (*compare)(const void *, const void *))
{
	const char *found = n ? bsearch(key, base, n, size, compare) : NULL;

	return found ? (int32_t)((size_t)(found - (const char *)base) / size) : TOPO_NONE;
}

static int compare_function_addr(const void *key, const void *element)
{
	return pci_addr_compare(key, &((const struct topo_function *)element)->addr);
}

static int compare_group_id(const void *key, const void *element)
{
	int32_t id = *(const int32_t *)key, here = ((const struct topo_group *)element)->id;

	return (id > here) - (id < here);
}

static int compare_driver_name(const void *key, const void *element)
{
	return strcmp(key, ((const struct topo_driver *)element)->name);
}

int32_t topology_find_function(const struct topology *topo, const struct pci_addr *addr)
{
	return find_index(addr, topo->functions, topo->n_functions, sizeof(*topo->functions),
			  compare_function_addr);
}

int32_t topology_find_group(const struct topology *topo, int32_t id)
{
	return find_index(&id, topo->groups, topo->n_groups, sizeof(*topo->groups),
			  compare_group_id);
}

int32_t topology_find_driver(const struct topology *topo, const char *name)
{
	return find_index(name, topo->drivers, topo->n_drivers, sizeof(*topo->drivers),
			  compare_driver_name);
}

bool topology_same_slot(const struct pci_addr *a, const struct pci_addr *b)
{
	return a->domain == b->domain && a->bus == b->bus && a->dev == b->dev;
}

bool topology_is_multifunction(const struct topology *topo, const struct topo_function *fn)
{
	int32_t index = topology_find_function(topo, &fn->addr);

	/* The header's bit counts the device's own functions; VFs are not among them. */
	if (index == TOPO_NONE || fn->physfn != TOPO_NONE)
		return false;
	/* Functions are sorted by address, so the slot's others are neighbours (8 at most). */
	for (int32_t i = index - 1;
	     i >= 0 && topology_same_slot(&topo->functions[i].addr, &fn->addr); i--) {
		if (topo->functions[i].physfn == TOPO_NONE)
			return true;
	}
	for (size_t i = (size_t)index + 1;
	     i < topo->n_functions && topology_same_slot(&topo->functions[i].addr, &fn->addr);
	     i++) {
		if (topo->functions[i].physfn == TOPO_NONE)
			return true;
	}
	return false;
}

uint32_t topology_routing_id(const struct pci_addr *addr)
{
	return (uint32_t)addr->bus << 8 | (uint32_t)addr->dev << 3 | addr->fn;
}

bool topology_vf_address(const struct topo_function *pf, uint32_t n, struct pci_addr *out)
{
	uint64_t rid = topology_routing_id(&pf->addr) + (uint64_t)pf->sriov->offset +
		       (uint64_t)pf->sriov->stride * n;

	if (rid > 0xffff)
		return false;
	*out = (struct pci_addr){ pf->addr.domain, (uint8_t)(rid >> 8), (uint8_t)(rid >> 3 & 0x1f),
				  (uint8_t)(rid & 7) };
	return true;
}

bool topology_id_matches(const struct topo_pci_id *id, const struct topo_function *fn)
{
	return (id->vendor == TOPO_PCI_ANY_ID || id->vendor == fn->vendor) &&
	       (id->device == TOPO_PCI_ANY_ID || id->device == fn->device) &&
	       (id->subvendor == TOPO_PCI_ANY_ID || id->subvendor == fn->subsys_vendor) &&
	       (id->subdevice == TOPO_PCI_ANY_ID || id->subdevice == fn->subsys_device) &&
	       ((id->class_code ^ fn->class_code) & id->class_mask) == 0;
}

const char *topology_driver_of(const struct topology *topo, const struct topo_function *fn)
{
	return fn->driver == TOPO_NONE ? NULL : topo->drivers[fn->driver].name;
}

bool topology_driver_manages_dma(const struct topology *topo, const struct topo_function *fn)
{
	const char *driver = topology_driver_of(topo, fn);

	/* Variant drivers (mlx5_vfio_pci, hisi_acc_vfio_pci, ...) are all named after VFIO. */
	return driver && (strstr(driver, "vfio") || strcmp(driver, "pci-stub") == 0 ||
			  strcmp(driver, "pcieport") == 0);
}

bool topology_is_vfio_bound(const struct topology *topo, const struct topo_function *fn)
{
	const char *driver = topology_driver_of(topo, fn);

	return driver && strcmp(driver, TOPO_DRIVER_VFIO_PCI) == 0;
}

bool topology_function_on_bus(const struct topology *topo, size_t index)
{
	for (const struct topo_function *fn = &topo->functions[index];;) {
		if (!fn->present)
			return false;
		if (fn->physfn != TOPO_NONE)
			fn = &topo->functions[fn->physfn];
		else if (fn->parent != TOPO_NONE)
			fn = &topo->functions[fn->parent];
		else
			return true;
	}
}

int topology_groups_shown(const struct topology *topo, bool *shown)
{
	bool *has_function = calloc(topo->n_groups + 1, sizeof(*has_function));

	if (!has_function)
		return -ENOMEM;
	for (size_t g = 0; g < topo->n_groups; g++)
		shown[g] = false;
	for (size_t i = 0; i < topo->n_functions; i++) {
		int32_t g = topo->functions[i].group;

		if (g == TOPO_NONE)
			continue;
		has_function[g] = true;
		if (topology_function_on_bus(topo, i))
			shown[g] = true;
	}
	for (size_t g = 0; g < topo->n_groups; g++)
		if (!has_function[g])
			shown[g] = true;
	free(has_function);
	return 0;
}

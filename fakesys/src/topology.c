/* SPDX-License-Identifier: MIT */
/* Lookups in a filled-in topology, and the IOMMU group type names. */
#include "topology.h"

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
	for (size_t i = 0; i < topo->n_drivers; i++)
		free(topo->drivers[i].name);
	free(topo->drivers);
	free(topo->functions);
	free(topo->groups);
	free(topo->root_buses);
	memset(topo, 0, sizeof(*topo));
}

int32_t topology_find_function(const struct topology *topo, const struct pci_addr *addr)
{
	size_t low = 0, high = topo->n_functions;

	while (low < high) {
		size_t mid = low + (high - low) / 2;
		int order = pci_addr_compare(&topo->functions[mid].addr, addr);

		if (order == 0)
			return (int32_t)mid;
		if (order < 0)
			low = mid + 1;
		else
			high = mid;
	}
	return TOPO_NONE;
}

int32_t topology_find_group(const struct topology *topo, int32_t id)
{
	size_t low = 0, high = topo->n_groups;

	while (low < high) {
		size_t mid = low + (high - low) / 2;
		int32_t here = topo->groups[mid].id;

		if (here == id)
			return (int32_t)mid;
		if (here < id)
			low = mid + 1;
		else
			high = mid;
	}
	return TOPO_NONE;
}

int32_t topology_find_driver(const struct topology *topo, const char *name)
{
	size_t low = 0, high = topo->n_drivers;

	while (low < high) {
		size_t mid = low + (high - low) / 2;
		int order = strcmp(topo->drivers[mid].name, name);

		if (order == 0)
			return (int32_t)mid;
		if (order < 0)
			low = mid + 1;
		else
			high = mid;
	}
	return TOPO_NONE;
}

static bool same_slot(const struct pci_addr *a, const struct pci_addr *b)
{
	return a->domain == b->domain && a->bus == b->bus && a->dev == b->dev;
}

bool topology_is_multifunction(const struct topology *topo, const struct topo_function *fn)
{
	int32_t index = topology_find_function(topo, &fn->addr);

	if (index == TOPO_NONE)
		return false;
	/* Functions are sorted by address, so the slot's other functions are the neighbours. */
	if (index > 0 && same_slot(&topo->functions[index - 1].addr, &fn->addr))
		return true;
	return (size_t)index + 1 < topo->n_functions &&
	       same_slot(&topo->functions[index + 1].addr, &fn->addr);
}

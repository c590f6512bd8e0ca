/* SPDX-License-Identifier: MIT */
/*
 * The mediated-device part of the fake root: each parent's mdev_supported_types/, each created
 * mdev as <parent>/<uuid>/ in its own group, sys/bus/mdev with the vfio_mdev driver, and
 * sys/class/mdev_bus/<parent>, which is what mdevctl walks.
 */
#include <errno.h>
#include <stdlib.h>

#include "host_tree_builder.h"

static bool has_mdev_types(const struct topology *topo)
{
	for (size_t i = 0; i < topo->n_functions; i++)
		if (topo->functions[i].n_mdev_types)
			return true;
	return false;
}

struct mdev_builder {
	struct builder *b;
	struct sysfs_node *bus_devices, *driver, *bus_mdev;
	size_t *type_base; /* per function: its first type in ht->mdev_types and type_dirs */
	struct sysfs_node **type_dirs;
};

static int add_types(struct mdev_builder *m, struct sysfs_node *class_dir)
{
	const struct topology *topo = m->b->topo;
	struct sysfs_tree *tree = m->b->tree;
	size_t next = 0;

	for (size_t i = 0; i < topo->n_functions; i++) {
		const struct topo_function *fn = &topo->functions[i];
		struct sysfs_node *fn_dir = m->b->function_dirs[i];
		char bdf[PCI_ADDR_STRLEN];

		m->type_base[i] = next;
		if (!fn->n_mdev_types)
			continue;
		if (!fn_dir) { /* removed: its types keep their places */
			next += fn->n_mdev_types;
			continue;
		}
		pci_addr_format(&fn->addr, bdf);
		struct sysfs_node *holder =
			sysfs_add_dir(tree, fn_dir, "mdev_supported_types", NULL, NULL);
		if (!holder || !sysfs_add_link(tree, class_dir, bdf, fn_dir))
			return -ENOMEM;
		for (size_t t = 0; t < fn->n_mdev_types; t++, next++) {
			struct mdev_type_obj *obj = &m->b->ht->mdev_types[next];

			obj->type = &fn->mdev_types[t];
			m->type_dirs[next] =
				sysfs_add_dir(tree, holder, obj->type->id, mdev_type_groups, obj);
			if (!m->type_dirs[next] ||
			    !sysfs_add_dir(tree, m->type_dirs[next], "devices", NULL, NULL))
				return -ENOMEM;
		}
	}
	return 0;
}

static int add_mdevs(struct mdev_builder *m)
{
	const struct topology *topo = m->b->topo;
	struct sysfs_tree *tree = m->b->tree;

	for (size_t j = 0; j < topo->n_mdevs; j++) {
		const struct topo_mdev *mdev = &topo->mdevs[j];
		struct mdev_device_obj *obj = &m->b->ht->mdevs[j];
		size_t type = m->type_base[mdev->parent] + (size_t)mdev->type;
		struct sysfs_node *type_dir = m->type_dirs[type];
		struct sysfs_node *group = m->b->group_dirs[mdev->group];

		if (!type_dir)
			continue; /* its parent is gone, and it with it */
		obj->pm.runtime_auto = true;
		obj->topo = topo;
		obj->mdev = mdev;
		m->b->ht->mdev_types[type].created++;
		struct sysfs_node *dir = sysfs_add_dir(tree, m->b->function_dirs[mdev->parent],
						       mdev->uuid, mdev_device_groups, obj);
		if (!dir || !sysfs_add_link(tree, dir, "mdev_type", type_dir) ||
		    !sysfs_add_link(tree, dir, "iommu_group", group) ||
		    !sysfs_add_link(tree, dir, "driver", m->driver) ||
		    !sysfs_add_link(tree, dir, "subsystem", m->bus_mdev) ||
		    !sysfs_add_link(tree, sysfs_find_child(tree, group, "devices"), mdev->uuid,
				    dir) ||
		    !sysfs_add_link(tree, sysfs_find_child(tree, type_dir, "devices"), mdev->uuid,
				    dir) ||
		    !sysfs_add_link(tree, m->bus_devices, mdev->uuid, dir) ||
		    !sysfs_add_link(tree, m->driver, mdev->uuid, dir))
			return -ENOMEM;
	}
	return 0;
}

int mdev_tree_add(struct builder *b)
{
	const struct topology *topo = b->topo;
	struct sysfs_tree *tree = b->tree;
	struct mdev_builder m = { .b = b };
	struct sysfs_node *bus, *drivers, *class_dir;
	size_t n_types = 0;
	int err = -ENOMEM;

	if (!has_mdev_types(topo))
		return 0;
	for (size_t i = 0; i < topo->n_functions; i++)
		n_types += topo->functions[i].n_mdev_types;
	/* The objects outlive each tree built over them; only the counts start again. */
	if (!b->ht->mdev_types)
		b->ht->mdev_types = calloc(n_types, sizeof(*b->ht->mdev_types));
	if (!b->ht->mdevs)
		b->ht->mdevs = calloc(topo->n_mdevs + 1, sizeof(*b->ht->mdevs));
	for (size_t t = 0; b->ht->mdev_types && t < n_types; t++)
		b->ht->mdev_types[t].created = 0;
	m.type_base = calloc(topo->n_functions, sizeof(*m.type_base));
	m.type_dirs = calloc(n_types, sizeof(*m.type_dirs));
	if (!b->ht->mdev_types || !b->ht->mdevs || !m.type_base || !m.type_dirs ||
	    !(bus = sysfs_find_child(tree, b->sys, "bus")) ||
	    !(m.bus_mdev = sysfs_add_dir(tree, bus, "mdev", mdev_bus_type_groups,
					 &b->ht->mdev_bus_type)) ||
	    !(m.bus_devices = sysfs_add_dir(tree, m.bus_mdev, "devices", NULL, NULL)) ||
	    !(drivers = sysfs_add_dir(tree, m.bus_mdev, "drivers", NULL, NULL)) ||
	    !(m.driver =
		      sysfs_add_dir(tree, drivers, MDEV_DRIVER_VFIO, mdev_driver_groups, NULL)) ||
	    !(class_dir = sysfs_add_dir(tree, b->class_dir, "mdev_bus", NULL, NULL)))
		goto out;
	err = add_types(&m, class_dir);
	if (!err)
		err = add_mdevs(&m);
out:
	free(m.type_base);
	free(m.type_dirs);
	return err;
}

/* SPDX-License-Identifier: MIT */
/*
 * The VFIO and IOMMU parts of the fake root: /dev/vfio/vfio, /dev/vfio/<N> (or noiommu-<N>),
 * iommufd's /dev/vfio/devices/vfio<X> and /dev/iommu, each with the class device the driver
 * core makes for it (sys/devices/virtual/..., sys/class/<class>/, sys/dev/char/<maj>:<min>),
 * and the IOMMU instances grouped functions point their "iommu" link at.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host_tree_builder.h"

struct vfio_builder {
	struct builder *b;
	struct sysfs_node *virtual_dir; /* /sys/devices/virtual */
	struct sysfs_node *dev_char;	/* /sys/dev/char */
	struct sysfs_node *dev_vfio;	/* /dev/vfio */
};

static struct sysfs_node *ensure_dir(struct sysfs_tree *tree, struct sysfs_node *parent,
				     const char *name)
{
	struct sysfs_node *dir = sysfs_find_child(tree, parent, name);

	return dir ? dir : sysfs_add_dir(tree, parent, name, NULL, NULL);
}

static struct chardev_obj *new_chardev(struct builder *b, size_t slot, unsigned major,
				       unsigned minor, uint16_t devmode, const char *devname_format,
				       ...) __attribute__((format(printf, 6, 7)));

static struct chardev_obj *new_chardev(struct builder *b, size_t slot, unsigned major,
				       unsigned minor, uint16_t devmode, const char *devname_format,
				       ...)
{
	struct chardev_obj *chr = &b->ht->chardevs[slot];
	va_list ap;

	chr->pm.runtime_auto = true; /* class devices: runtime PM never enabled */
	chr->major = major;
	chr->minor = minor;
	chr->live = true;
	chr->devmode = devmode;
	va_start(ap, devname_format);
	vsnprintf(chr->devname, sizeof(chr->devname), devname_format, ap);
	va_end(ap);
	return chr;
}

/*
 * A device with a node: its directory under parent, what device_add() links (subsystem,
 * /sys/class/<class>/<name>, /sys/dev/char/<major>:<minor>) and the node under node_dir.
 */
static struct sysfs_node *add_node_device(struct vfio_builder *v, struct sysfs_node *parent,
					  const char *name, const char *class_name,
					  struct chardev_obj *chr, struct sysfs_node *node_dir,
					  uint16_t node_mode)
{
	struct sysfs_tree *tree = v->b->tree;
	struct sysfs_node *class_dir = ensure_dir(tree, v->b->class_dir, class_name);
	struct sysfs_node *dir =
		class_dir ? sysfs_add_dir(tree, parent, name, chardev_groups, chr) : NULL;
	const char *node_name = strrchr(chr->devname, '/');
	char devt[24];

	node_name = node_name ? node_name + 1 : chr->devname;
	snprintf(devt, sizeof(devt), "%u:%u", chr->major, chr->minor);
	if (!dir || !sysfs_add_link(tree, dir, "subsystem", class_dir) ||
	    !sysfs_add_link(tree, class_dir, name, dir) ||
	    !sysfs_add_link(tree, v->dev_char, devt, dir) ||
	    !sysfs_add_chardev(tree, node_dir, node_name, node_mode, chr->major, chr->minor))
		return NULL;
	return dir;
}

/*
 * Minor numbers as an IDA hands them out: a device keeps its number while it exists; one that
 * comes gets the lowest free number, in slot order. wanted[i] says whether slots[i] exists
 * now; minors[i] gets its number.
 */
static int assign_minors(struct chardev_obj *slots, const bool *wanted, size_t n, unsigned *minors)
{
	bool *used = calloc(n + 1, sizeof(*used));
	unsigned next = 0;

	if (!used)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if (slots[i].live && !wanted[i])
			slots[i].live = false;
		if (slots[i].live && slots[i].minor < n)
			used[slots[i].minor] = true;
	}
	for (size_t i = 0; i < n; i++) {
		if (!wanted[i])
			continue;
		if (slots[i].live) {
			minors[i] = slots[i].minor;
			continue;
		}
		while (used[next])
			next++;
		used[next] = true;
		minors[i] = next;
	}
	free(used);
	return 0;
}

/* /dev/vfio/<N> exists while a device of group N is bound to vfio-pci. */
static int add_group_nodes(struct vfio_builder *v)
{
	const struct topology *topo = v->b->topo;
	bool *viable = calloc(topo->n_groups + 1, sizeof(*viable));
	unsigned *minors = calloc(topo->n_groups + 1, sizeof(*minors));
	struct sysfs_node *class_parent = NULL;
	int err = -ENOMEM;
	char name[24];

	if (!viable || !minors)
		goto out;
	for (size_t i = 0; i < topo->n_functions; i++)
		if (topo->functions[i].group != TOPO_NONE && v->b->function_dirs[i] &&
		    topology_is_vfio_bound(topo, &topo->functions[i]))
			viable[topo->functions[i].group] = true;
	/* mdevs are bound to vfio_mdev, which makes their groups VFIO groups too. */
	for (size_t i = 0; i < topo->n_mdevs; i++)
		viable[topo->mdevs[i].group] = true;
	if (assign_minors(&v->b->ht->chardevs[CHARDEV_GROUP(v->b->ht, 0)], viable, topo->n_groups,
			  minors) != 0)
		goto out;
	for (size_t i = 0; i < topo->n_groups; i++) {
		const struct topo_group *group = &topo->groups[i];

		if (!viable[i])
			continue;
		if (!class_parent &&
		    !(class_parent = ensure_dir(v->b->tree, v->virtual_dir, "vfio")))
			goto out;
		snprintf(name, sizeof(name), "%s%d", group->noiommu ? "noiommu-" : "", group->id);
		struct chardev_obj *chr =
			new_chardev(v->b, CHARDEV_GROUP(v->b->ht, i), VFIO_GROUP_MAJOR, minors[i],
				    0, "vfio/%s", name);
		if (!add_node_device(v, class_parent, name, "vfio", chr, v->dev_vfio, 0600))
			goto out;
	}
	err = 0;
out:
	free(viable);
	free(minors);
	return err;
}

/* iommufd: every device bound to vfio-pci also gets its own node, numbered as it binds. */
static int add_device_nodes(struct vfio_builder *v, struct sysfs_node *dev, struct sysfs_node *misc)
{
	const struct topology *topo = v->b->topo;
	struct sysfs_tree *tree = v->b->tree;
	struct sysfs_node *devices = sysfs_add_dir(tree, v->dev_vfio, "devices", NULL, NULL);
	struct chardev_obj *iommufd = new_chardev(v->b, CHARDEV_IOMMUFD, VFIO_CONTAINER_MAJOR,
						  IOMMUFD_MINOR, 0660, "iommu");
	bool *bound = calloc(topo->n_functions + 1, sizeof(*bound));
	unsigned *minors = calloc(topo->n_functions + 1, sizeof(*minors));
	int err = -ENOMEM;
	char name[24];

	if (!bound || !minors || !devices ||
	    !add_node_device(v, misc, "iommu", "misc", iommufd, dev, 0660))
		goto out;
	for (size_t i = 0; i < topo->n_functions; i++)
		bound[i] =
			v->b->function_dirs[i] && topology_is_vfio_bound(topo, &topo->functions[i]);
	if (assign_minors(&v->b->ht->chardevs[CHARDEV_FUNCTION(v->b->ht, 0)], bound,
			  topo->n_functions, minors) != 0)
		goto out;
	for (size_t i = 0; i < topo->n_functions; i++) {
		struct sysfs_node *fn_dir = v->b->function_dirs[i];

		if (!bound[i])
			continue;
		snprintf(name, sizeof(name), "vfio%u", minors[i]);
		struct chardev_obj *chr =
			new_chardev(v->b, CHARDEV_FUNCTION(v->b->ht, i), VFIO_CDEV_MAJOR, minors[i],
				    0, "vfio/devices/%s", name);
		struct sysfs_node *holder = sysfs_add_dir(tree, fn_dir, "vfio-dev", NULL, NULL);
		struct sysfs_node *dir =
			holder ? add_node_device(v, holder, name, "vfio-dev", chr, devices, 0600)
			       : NULL;
		if (!dir || !sysfs_add_link(tree, dir, "device", fn_dir))
			goto out;
	}
	err = 0;
out:
	free(bound);
	free(minors);
	return err;
}

/* The root bus a function hangs from (VFs hang where their PF does). */
static size_t root_bus_of(const struct topology *topo, const struct topo_function *fn)
{
	if (fn->physfn != TOPO_NONE)
		fn = &topo->functions[fn->physfn];
	while (fn->parent != TOPO_NONE)
		fn = &topo->functions[fn->parent];
	for (size_t i = 0; i < topo->n_root_buses; i++)
		if (topo->root_buses[i].domain == fn->addr.domain &&
		    topo->root_buses[i].bus == fn->addr.bus)
			return i;
	return 0;
}

/*
 * One remapping unit per root bus, as Intel's DMAR tables usually give one per root complex:
 * sys/devices/virtual/iommu/dmar<K>, with devices/<BDF> links and an "iommu" link back from
 * each function translated by it. Functions in no-IOMMU groups have none.
 */
static int add_iommus(struct vfio_builder *v)
{
	const struct topology *topo = v->b->topo;
	struct sysfs_tree *tree = v->b->tree;
	struct sysfs_node **units = calloc(topo->n_root_buses + 1, sizeof(*units));
	struct sysfs_node *parent = NULL, *class_dir = NULL;
	int err = -ENOMEM;
	char name[24];

	if (!units)
		return -ENOMEM;
	/* Remapping units are hardware: numbered once, in address order of what they serve,
	 * and there whether or not those functions are. */
	for (size_t i = 0; i < topo->n_functions; i++) {
		const struct topo_function *fn = &topo->functions[i];
		size_t root = root_bus_of(topo, fn);

		if (fn->group != TOPO_NONE && !topo->groups[fn->group].noiommu &&
		    v->b->ht->iommu_of_root[root] < 0)
			v->b->ht->iommu_of_root[root] = (int32_t)v->b->ht->n_iommus++;
	}
	for (size_t root = 0; root < topo->n_root_buses; root++) {
		int32_t unit = v->b->ht->iommu_of_root[root];

		if (unit < 0)
			continue;
		struct dev_pm_info *pm = &v->b->ht->iommus[unit];

		pm->runtime_auto = true;
		snprintf(name, sizeof(name), "dmar%d", unit);
		if ((!parent && !(parent = ensure_dir(tree, v->virtual_dir, "iommu"))) ||
		    (!class_dir && !(class_dir = ensure_dir(tree, v->b->class_dir, "iommu"))))
			goto out;
		units[root] = sysfs_add_dir(tree, parent, name, virtual_device_groups, pm);
		if (!units[root] || !sysfs_add_dir(tree, units[root], "devices", NULL, NULL) ||
		    !sysfs_add_link(tree, units[root], "subsystem", class_dir) ||
		    !sysfs_add_link(tree, class_dir, name, units[root]))
			goto out;
	}
	for (size_t i = 0; i < topo->n_functions; i++) {
		const struct topo_function *fn = &topo->functions[i];

		if (fn->group == TOPO_NONE || topo->groups[fn->group].noiommu ||
		    !v->b->function_dirs[i])
			continue;
		size_t root = root_bus_of(topo, fn);
		struct sysfs_node *members = sysfs_find_child(tree, units[root], "devices");
		char bdf[PCI_ADDR_STRLEN];

		pci_addr_format(&fn->addr, bdf);
		if (!sysfs_add_link(tree, v->b->function_dirs[i], "iommu", units[root]) ||
		    !sysfs_add_link(tree, members, bdf, v->b->function_dirs[i]))
			goto out;
	}
	err = 0;
out:
	free(units);
	return err;
}

int vfio_tree_add(struct builder *b, struct sysfs_node *root)
{
	struct vfio_builder v = { .b = b };
	struct sysfs_tree *tree = b->tree;
	struct sysfs_node *dev, *misc, *sys_dev;

	if (!(dev = sysfs_add_dir(tree, root, "dev", NULL, NULL)) ||
	    !(v.dev_vfio = sysfs_add_dir(tree, dev, "vfio", NULL, NULL)) ||
	    !(v.virtual_dir = ensure_dir(tree, b->devices_root, "virtual")) ||
	    !(misc = ensure_dir(tree, v.virtual_dir, "misc")) ||
	    !(sys_dev = ensure_dir(tree, b->sys, "dev")) ||
	    !(v.dev_char = ensure_dir(tree, sys_dev, "char")))
		return -ENOMEM;

	/* The container device: misc, with the node mode the driver asks for. */
	struct chardev_obj *container = new_chardev(b, CHARDEV_CONTAINER, VFIO_CONTAINER_MAJOR,
						    VFIO_CONTAINER_MINOR, 0666, "vfio/vfio");
	if (!add_node_device(&v, misc, "vfio", "misc", container, v.dev_vfio, 0666))
		return -ENOMEM;

	int err = add_group_nodes(&v);
	if (!err && b->topo->host.vfio_cdev)
		err = add_device_nodes(&v, dev, misc);
	if (!err)
		err = add_iommus(&v);
	return err;
}

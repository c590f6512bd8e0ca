/* SPDX-License-Identifier: MIT */
/* Assembles the fake root from the topology: which directory goes where, which link to what. */
#include "host_tree_builder.h"

#include "pci_core.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void bus_name(char out[16], uint32_t domain, uint8_t bus)
{
	snprintf(out, 16, "%04x:%02x", domain, bus);
}

/* pci_bus/<DDDD>:<BB> under the device that leads to the bus, and its /sys/class link. */
static int add_pci_bus(struct builder *b, size_t slot, struct sysfs_node *parent_dev,
		       uint32_t domain, uint8_t number, int32_t numa_node)
{
	struct pci_bus *bus = &b->ht->buses[slot];
	char name[16];

	bus->topo = b->topo;
	bus->host = b->ht;
	bus->domain = domain;
	bus->number = number;
	bus->numa_node = numa_node;
	bus->pm.runtime_auto = true;
	bus_name(name, domain, number);

	struct sysfs_node *holder = sysfs_find_child(b->tree, parent_dev, "pci_bus");
	if (!holder && !(holder = sysfs_add_dir(b->tree, parent_dev, "pci_bus", NULL, NULL)))
		return -ENOMEM;
	struct sysfs_node *dir = sysfs_add_dir(b->tree, holder, name, pci_bus_class_groups, bus);
	if (!dir || !sysfs_add_link(b->tree, dir, "device", parent_dev) ||
	    !sysfs_add_link(b->tree, dir, "subsystem", b->class_pci_bus) ||
	    !sysfs_add_link(b->tree, b->class_pci_bus, name, dir))
		return -ENOMEM;
	return 0;
}

static struct sysfs_node *root_bus_dir(const struct builder *b, const struct pci_addr *addr)
{
	for (size_t i = 0; i < b->topo->n_root_buses; i++)
		if (b->topo->root_buses[i].domain == addr->domain &&
		    b->topo->root_buses[i].bus == addr->bus)
			return b->root_bus_dirs[i];
	return NULL;
}

/* The bus a function leads to: a bridge's secondary, or the one its PF's VFs spill onto. */
static size_t function_bus_slot(const struct builder *b, size_t fn)
{
	return 2 * b->topo->n_root_buses + fn;
}

bool host_function_alive(const struct host_tree *ht, size_t index)
{
	return topology_function_on_bus(ht->topo, index);
}

/* Makes the function's directory, under its bridge's (made first) or its root bus's. */
static struct sysfs_node *add_function(struct builder *b, size_t index)
{
	const struct topology *topo = b->topo;
	const struct topo_function *fn = &topo->functions[index];
	struct sysfs_node *parent, *dir;
	char name[PCI_ADDR_STRLEN];

	if (b->function_dirs[index])
		return b->function_dirs[index];
	/* A VF hangs where its PF does, whatever bus it spilled onto. */
	const struct topo_function *anchor =
		fn->physfn != TOPO_NONE ? &topo->functions[fn->physfn] : fn;
	parent = fn->parent == TOPO_NONE ? root_bus_dir(b, &anchor->addr)
					 : add_function(b, (size_t)fn->parent);
	if (!parent)
		return NULL;

	pci_addr_format(&fn->addr, name);
	dir = sysfs_add_dir(b->tree, parent, name, pci_dev_groups, &b->ht->devices[index]);
	if (!dir || !sysfs_add_link(b->tree, dir, "subsystem", b->bus_pci))
		return NULL;
	if (fn->driver != TOPO_NONE) {
		struct sysfs_node *drv = b->driver_dirs[fn->driver];

		if (!sysfs_add_link(b->tree, dir, "driver", drv) ||
		    !sysfs_add_link(b->tree, drv, name, dir))
			return NULL;
	}
	if (fn->group != TOPO_NONE) {
		struct sysfs_node *group = b->group_dirs[fn->group];
		struct sysfs_node *members = sysfs_find_child(b->tree, group, "devices");

		if (!sysfs_add_link(b->tree, dir, "iommu_group", group) ||
		    !sysfs_add_link(b->tree, members, name, dir))
			return NULL;
	}
	if (fn->is_bridge && add_pci_bus(b, function_bus_slot(b, index), dir, fn->addr.domain,
					 fn->secondary_bus, fn->numa_node) != 0)
		return NULL;
	b->function_dirs[index] = dir;
	return dir;
}

/*
 * sys/module/<name> of every driver's module, with drivers/pci:<driver> links to the drivers'
 * directories and their module links back (module_add_driver()). Built-in drivers get both
 * too: they register with their KBUILD_MODNAME, for which v6.15 and later make an entry.
 */
static int add_modules(struct builder *b)
{
	struct sysfs_tree *tree = b->tree;
	struct host_tree *ht = b->ht;
	struct sysfs_node *modules = sysfs_add_dir(tree, b->sys, "module", NULL, NULL);
	char name[256];

	if (!modules)
		return -ENOMEM;
	for (size_t m = 0; m < ht->n_modules; m++) {
		struct module_obj *mod = &ht->modules[m];
		struct sysfs_node *dir = sysfs_add_dir(tree, modules, mod->name, mod->groups, mod);
		struct sysfs_node *drivers =
			dir ? sysfs_add_dir(tree, dir, "drivers", NULL, NULL) : NULL;

		if (!drivers)
			return -ENOMEM;
		for (size_t d = 0; d < b->topo->n_drivers; d++) {
			if (ht->module_of_driver[d] != m)
				continue;
			snprintf(name, sizeof(name), "pci:%s", b->topo->drivers[d].name);
			if (!sysfs_add_link(tree, drivers, name, b->driver_dirs[d]) ||
			    !sysfs_add_link(tree, b->driver_dirs[d], "module", dir))
				return -ENOMEM;
		}
	}
	return 0;
}

static int add_sys(struct builder *b, struct sysfs_node *root)
{
	const struct topology *topo = b->topo;
	struct sysfs_tree *tree = b->tree;
	struct sysfs_node *sys, *bus, *devices, *drivers, *class, *kernel, *groups;
	char name[32];

	if (!(sys = b->sys = sysfs_add_dir(tree, root, "sys", NULL, NULL)))
		return -ENOMEM;
	sysfs_set_mode(sys, 0555);
	if (!(bus = sysfs_add_dir(tree, sys, "bus", NULL, NULL)) ||
	    !(b->bus_pci =
		      sysfs_add_dir(tree, bus, "pci", pci_bus_type_groups, &b->ht->pci_bus_type)) ||
	    !(devices = sysfs_add_dir(tree, b->bus_pci, "devices", NULL, NULL)) ||
	    !(drivers = sysfs_add_dir(tree, b->bus_pci, "drivers", NULL, NULL)) ||
	    !sysfs_add_dir(tree, b->bus_pci, "slots", NULL, NULL) ||
	    !(class = b->class_dir = sysfs_add_dir(tree, sys, "class", NULL, NULL)) ||
	    !(b->class_pci_bus = sysfs_add_dir(tree, class, "pci_bus", NULL, NULL)) ||
	    !(b->devices_root = sysfs_add_dir(tree, sys, "devices", NULL, NULL)) ||
	    !(kernel = sysfs_add_dir(tree, sys, "kernel", NULL, NULL)) ||
	    !(groups = sysfs_add_dir(tree, kernel, "iommu_groups", NULL, NULL)))
		return -ENOMEM;

	for (size_t i = 0; i < topo->n_drivers; i++)
		if (!(b->driver_dirs[i] = sysfs_add_dir(tree, drivers, topo->drivers[i].name,
							pci_driver_groups, &b->ht->drivers[i])))
			return -ENOMEM;
	if (add_modules(b) != 0)
		return -ENOMEM;

	bool *shown = calloc(topo->n_groups + 1, sizeof(*shown));
	if (!shown || topology_groups_shown(topo, shown) != 0) {
		free(shown);
		return -ENOMEM;
	}
	for (size_t i = 0; i < topo->n_groups; i++) {
		if (!shown[i])
			continue;
		snprintf(name, sizeof(name), "%d", topo->groups[i].id);
		if (!(b->group_dirs[i] = sysfs_add_dir(tree, groups, name, iommu_group_groups,
						       &b->ht->groups[i])) ||
		    !sysfs_add_dir(tree, b->group_dirs[i], "devices", NULL, NULL)) {
			free(shown);
			return -ENOMEM;
		}
	}
	free(shown);

	for (size_t i = 0; i < topo->n_root_buses; i++) {
		const struct topo_root_bus *rb = &topo->root_buses[i];
		struct pci_bus *host_bridge = &b->ht->buses[2 * i];

		host_bridge->topo = topo;
		host_bridge->host = b->ht;
		host_bridge->domain = rb->domain;
		host_bridge->number = rb->bus;
		host_bridge->numa_node = -1;
		host_bridge->pm.runtime_auto = true;
		snprintf(name, sizeof(name), "pci%04x:%02x", rb->domain, rb->bus);
		b->root_bus_dirs[i] = sysfs_add_dir(tree, b->devices_root, name,
						    pci_root_bus_groups, host_bridge);
		if (!b->root_bus_dirs[i] ||
		    add_pci_bus(b, 2 * i + 1, b->root_bus_dirs[i], rb->domain, rb->bus, -1) != 0)
			return -ENOMEM;
	}

	for (size_t i = 0; i < topo->n_functions; i++)
		if (host_function_alive(b->ht, i) && !add_function(b, i))
			return -ENOMEM;
	/* A group holding mediated devices and no function sits on VFIO's emulated IOMMU. */
	for (size_t i = 0; i < topo->n_mdevs; i++)
		b->ht->groups[topo->mdevs[i].group].emulated = true;
	for (size_t i = 0; i < topo->n_functions; i++)
		if (topo->functions[i].group != TOPO_NONE)
			b->ht->groups[topo->functions[i].group].emulated = false;
	/* A VF's directory is its PF's sibling; they point at each other (pci_iov_sysfs_link). VFs
	 * past the PF's bus sit on virtual buses the kernel adds beside the PF's own. */
	for (size_t i = 0; i < topo->n_functions; i++) {
		const struct topo_function *fn = &topo->functions[i];

		if (fn->physfn == TOPO_NONE || !b->function_dirs[i])
			continue;
		struct sysfs_node *pf = b->function_dirs[fn->physfn];
		if (fn->addr.bus != topo->functions[fn->physfn].addr.bus) {
			struct sysfs_node *holder =
				sysfs_find_child(tree, sysfs_node_parent(tree, pf), "pci_bus");
			char vf_bus[16];

			bus_name(vf_bus, fn->addr.domain, fn->addr.bus);
			if ((!holder || !sysfs_find_child(tree, holder, vf_bus)) &&
			    add_pci_bus(b, function_bus_slot(b, i), sysfs_node_parent(tree, pf),
					fn->addr.domain, fn->addr.bus,
					topo->functions[fn->physfn].numa_node) != 0)
				return -ENOMEM;
		}
		snprintf(name, sizeof(name), "virtfn%u", fn->vf_index);
		if (!sysfs_add_link(tree, b->function_dirs[i], "physfn", pf) ||
		    !sysfs_add_link(tree, pf, name, b->function_dirs[i]))
			return -ENOMEM;
	}
	/* MSI vectors get Linux IRQ numbers past the IO-APIC's 24 pins, in probe order. */
	unsigned next_irq = 24;
	for (size_t i = 0; i < topo->n_functions; i++) {
		struct pci_device *dev = &b->ht->devices[i];
		struct pci_msi_state msi;
		struct sysfs_node *dir;

		pci_config_msi_state(topo, &topo->functions[i], &msi);
		if (msi.kind == PCI_MSI_OFF)
			continue;
		if (!b->function_dirs[i]) {
			next_irq += msi.vectors; /* numbers stay put when others come and go */
			continue;
		}
		dev->msi_kind = msi.kind;
		dev->first_msi_irq = next_irq;
		dev->n_msi_irqs = msi.vectors;
		if (!(dir = sysfs_add_dir(tree, b->function_dirs[i], "msi_irqs", NULL, NULL)))
			return -ENOMEM;
		for (unsigned v = 0; v < msi.vectors; v++) {
			snprintf(name, sizeof(name), "%u", next_irq++);
			if (!sysfs_add_file(tree, dir, name, &pci_msi_irq_attr, dev))
				return -ENOMEM;
		}
	}
	/* bus/pci/devices, once every device directory exists. */
	for (size_t i = 0; i < topo->n_functions; i++) {
		if (!b->function_dirs[i])
			continue;
		pci_addr_format(&topo->functions[i].addr, name);
		if (!sysfs_add_link(tree, devices, name, b->function_dirs[i]))
			return -ENOMEM;
	}
	return 0;
}

/* A tree from the model and objects as they are now. */
static int build_tree(struct host_tree *ht, struct sysfs_tree **out)
{
	const struct topology *topo = ht->topo;
	struct builder b = { .topo = topo, .ht = ht };
	int err = -ENOMEM;

	b.driver_dirs = calloc(topo->n_drivers + 1, sizeof(*b.driver_dirs));
	b.group_dirs = calloc(topo->n_groups + 1, sizeof(*b.group_dirs));
	b.root_bus_dirs = calloc(topo->n_root_buses + 1, sizeof(*b.root_bus_dirs));
	b.function_dirs = calloc(topo->n_functions + 1, sizeof(*b.function_dirs));
	b.tree = sysfs_tree_new();
	if (b.driver_dirs && b.group_dirs && b.root_bus_dirs && b.function_dirs && b.tree) {
		struct sysfs_node *root = sysfs_tree_root(b.tree);

		err = add_sys(&b, root);
		if (!err)
			err = mdev_tree_add(&b);
		if (!err)
			err = vfio_tree_add(&b, root);
		if (!err && ht->overlay)
			err = ht->overlay(ht->overlay_ctx, b.tree);
		if (!err)
			sysfs_tree_finish(b.tree);
	}
	free(b.driver_dirs);
	free(b.group_dirs);
	free(b.root_bus_dirs);
	free(b.function_dirs);
	if (err) {
		sysfs_tree_free(b.tree);
		return err;
	}
	*out = b.tree;
	return 0;
}

/* One module per module name the drivers come from; vfio-pci's is always among them. */
static void add_driver_modules(struct host_tree *ht)
{
	const struct topology *topo = ht->topo;
	uint64_t next_base = 0;
	char name[MODULE_NAME_LEN];

	for (size_t d = 0; d < topo->n_drivers; d++) {
		size_t m = 0;

		module_name_of_driver(topo->drivers[d].name, name);
		while (m < ht->n_modules && strcmp(ht->modules[m].name, name) != 0)
			m++;
		if (m == ht->n_modules)
			module_obj_init(&ht->modules[ht->n_modules++], name, &next_base);
		ht->module_of_driver[d] = m;
	}
}

int host_tree_build(struct topology *topo, struct host_tree *out)
{
	memset(out, 0, sizeof(*out));
	out->topo = topo;
	out->pci_bus_type.drivers_autoprobe = true;
	out->pci_bus_type.ops = &pci_core_bus_ops;
	out->pci_bus_type.bus = out;
	out->mdev_bus_type.drivers_autoprobe = true;
	out->devices = calloc(topo->n_functions + 1, sizeof(*out->devices));
	out->n_devices = out->devices ? topo->n_functions : 0;
	/* The + 1s keep calloc from being asked for nothing. */
	out->n_buses = 2 * topo->n_root_buses + topo->n_functions;
	out->buses = calloc(out->n_buses + 1, sizeof(*out->buses));
	out->groups = calloc(topo->n_groups + 1, sizeof(*out->groups));
	out->drivers = calloc(topo->n_drivers + 1, sizeof(*out->drivers));
	out->modules = calloc(topo->n_drivers + 1, sizeof(*out->modules));
	out->module_of_driver = calloc(topo->n_drivers + 1, sizeof(*out->module_of_driver));
	out->n_chardevs = 2 + topo->n_groups + topo->n_functions;
	out->chardevs = calloc(out->n_chardevs, sizeof(*out->chardevs));
	out->iommus = calloc(topo->n_root_buses + 1, sizeof(*out->iommus));
	out->iommu_of_root = malloc((topo->n_root_buses + 1) * sizeof(*out->iommu_of_root));
	if (!out->devices || !out->buses || !out->groups || !out->drivers || !out->modules ||
	    !out->module_of_driver || !out->chardevs || !out->iommus || !out->iommu_of_root) {
		host_tree_free(out);
		return -ENOMEM;
	}
	for (size_t i = 0; i < topo->n_functions; i++) {
		pci_device_init(&out->devices[i], topo, &topo->functions[i]);
		out->devices[i].host = out;
	}
	for (size_t i = 0; i < topo->n_groups; i++)
		iommu_group_obj_init(&out->groups[i], topo, &topo->groups[i]);
	for (size_t i = 0; i < topo->n_drivers; i++)
		out->drivers[i] = (struct device_driver_obj){ &out->pci_bus_type, (int32_t)i };
	add_driver_modules(out);
	for (size_t i = 0; i < topo->n_root_buses; i++)
		out->iommu_of_root[i] = -1;

	int err = build_tree(out, &out->tree);
	if (err)
		host_tree_free(out);
	return err;
}

int host_tree_refresh(struct host_tree *ht)
{
	struct sysfs_tree *next;
	int err = build_tree(ht, &next);

	if (!err && (err = sysfs_tree_replace(ht->tree, next)) != 0)
		sysfs_tree_free(next);
	return err;
}

void host_tree_free(struct host_tree *ht)
{
	sysfs_tree_free(ht->tree);
	for (size_t i = 0; ht->devices && i < ht->n_devices; i++)
		pci_device_release(&ht->devices[i]);
	free(ht->devices);
	free(ht->buses);
	free(ht->groups);
	free(ht->drivers);
	free(ht->modules);
	free(ht->module_of_driver);
	free(ht->chardevs);
	free(ht->iommus);
	free(ht->iommu_of_root);
	free(ht->mdev_types);
	free(ht->mdevs);
	memset(ht, 0, sizeof(*ht));
}

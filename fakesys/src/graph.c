/* SPDX-License-Identifier: MIT */
/*
 * The DOT picture of a scenario's host (graph.h): first an index of which functions and mdevs
 * each IOMMU group holds and what the sandbox is handed, built in linear time, then the text.
 */
#include "graph.h"

#include <errno.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pci_class.h"
#include "pci_sysfs.h"

/* Wide enough for a readable title, narrow enough not to stretch the picture. */
#define TITLE_WIDTH 80
/* A legend listing thousands of paths would dwarf the picture; the rest are counted. */
#define LEGEND_MAX_PATHS 32

/* The naming's classes of bridges, which stay with the host when their group is handed over. */
#define PCI_CLASS_HOST_BRIDGE 0x0600
#define PCI_CLASS_PCI_BRIDGE  0x0604

/* Items of one kind sorted by group with a counting sort: group g holds
 * items[start[g]] .. items[start[g + 1] - 1], in the order the items came. */
struct group_buckets {
	size_t *start; /* n_groups + 1 entries */
	int32_t *items;
};

enum target_kind {
	TARGET_GROUP,	    /* a group path or a PCI address: index is the group */
	TARGET_FUNCTION,    /* an iommufd device node: index is the function */
	TARGET_NO_GROUP,    /* a group path for a group the host lacks: number is its id */
	TARGET_UNGROUPED,   /* a PCI address of a function in no group: index is the function */
	TARGET_NO_FUNCTION, /* a PCI address or device node that names no function */
	TARGET_MALFORMED,   /* not a path the naming understands */
};

/* What one sandbox entry stands for on this host. */
struct sandbox_target {
	enum target_kind kind;
	int32_t index;
	int32_t number;
};

struct graph_index {
	const struct scenario *sc;
	const struct topology *topo;
	struct group_buckets functions_of_group;
	struct group_buckets mdevs_of_group;
	int32_t *vfio_devices; /* functions bound to vfio-pci in address order: vfio<X> */
	size_t n_vfio_devices;
	struct sandbox_target *targets; /* one per sandbox entry */
	bool *group_handed;
	bool *function_handed;
	bool *mdev_handed;
};

/* ---- the index ------------------------------------------------------------------------- */

/* The group index of item i: items are stride bytes apart, the int32_t at group_offset. */
static int32_t group_of_item(const void *items, size_t stride, size_t group_offset, size_t i)
{
	int32_t group;

	memcpy(&group, (const char *)items + i * stride + group_offset, sizeof(group));
	return group;
}

static int bucket_by_group(size_t n_groups, const void *items, size_t stride, size_t group_offset,
			   size_t n_items, struct group_buckets *out)
{
	out->start = calloc(n_groups + 1, sizeof(*out->start));
	out->items = malloc((n_items + 1) * sizeof(*out->items));
	if (!out->start || !out->items)
		return -1;
	for (size_t i = 0; i < n_items; i++) {
		int32_t group = group_of_item(items, stride, group_offset, i);

		if (group != TOPO_NONE && (size_t)group < n_groups)
			out->start[group + 1]++;
	}
	for (size_t g = 0; g < n_groups; g++)
		out->start[g + 1] += out->start[g];
	/* Filling advances each start[g] to the end of group g, which is where g + 1 begins. */
	for (size_t i = 0; i < n_items; i++) {
		int32_t group = group_of_item(items, stride, group_offset, i);

		if (group != TOPO_NONE && (size_t)group < n_groups)
			out->items[out->start[group]++] = (int32_t)i;
	}
	for (size_t g = n_groups; g > 0; g--)
		out->start[g] = out->start[g - 1];
	out->start[0] = 0;
	return 0;
}

static bool stays_with_host(const struct topo_function *fn)
{
	uint32_t base_and_sub = fn->class_code >> 8;

	return base_and_sub == PCI_CLASS_HOST_BRIDGE || base_and_sub == PCI_CLASS_PCI_BRIDGE;
}

static bool starts_with(const char *text, const char *prefix)
{
	return strncmp(text, prefix, strlen(prefix)) == 0;
}

/* A number as the kernel names nodes: decimal, no sign, no leading zero, at most INT32_MAX. */
static bool parse_node_number(const char *text, int32_t *out)
{
	int64_t value = 0;

	if (*text < '0' || *text > '9' || (text[0] == '0' && text[1] != '\0'))
		return false;
	for (; *text; text++) {
		if (*text < '0' || *text > '9')
			return false;
		value = value * 10 + (*text - '0');
		if (value > INT32_MAX)
			return false;
	}
	*out = (int32_t)value;
	return true;
}

static struct sandbox_target resolve_target(const struct graph_index *ix, const char *path)
{
	static const char device_node[] = "/dev/vfio/devices/vfio";
	static const char group_node[] = "/dev/vfio/";
	static const char noiommu[] = "noiommu-";
	const struct topology *topo = ix->topo;
	struct sandbox_target target = { .kind = TARGET_MALFORMED, .index = TOPO_NONE };
	char full[PCI_ADDR_STRLEN + 8];
	struct pci_addr addr;
	int32_t number;

	if (starts_with(path, device_node)) {
		if (!parse_node_number(path + strlen(device_node), &number))
			return target;
		target.kind = TARGET_NO_FUNCTION;
		if (topo->host.vfio_cdev && (size_t)number < ix->n_vfio_devices) {
			target.kind = TARGET_FUNCTION;
			target.index = ix->vfio_devices[number];
		}
		return target;
	}
	if (starts_with(path, group_node)) {
		const char *name = path + strlen(group_node);

		if (starts_with(name, noiommu))
			name += strlen(noiommu);
		if (!parse_node_number(name, &number))
			return target;
		target.index = topology_find_group(topo, number);
		target.kind = target.index == TOPO_NONE ? TARGET_NO_GROUP : TARGET_GROUP;
		target.number = number;
		return target;
	}

	/* "BB:DD.F" is domain 0000. */
	if (strlen(path) == 7)
		snprintf(full, sizeof(full), "0000:%s", path);
	else if (strlen(path) < sizeof(full))
		memcpy(full, path, strlen(path) + 1);
	else
		return target;
	if (!pci_addr_parse(full, &addr))
		return target;
	target.index = topology_find_function(topo, &addr);
	if (target.index == TOPO_NONE) {
		target.kind = TARGET_NO_FUNCTION;
	} else if (topo->functions[target.index].group == TOPO_NONE) {
		target.kind = TARGET_UNGROUPED;
	} else {
		target.kind = TARGET_GROUP;
		target.index = topo->functions[target.index].group;
	}
	return target;
}

static void mark_handed_over(struct graph_index *ix)
{
	const struct topology *topo = ix->topo;

	for (size_t i = 0; i < ix->sc->n_sandbox; i++) {
		const struct sandbox_target *target = &ix->targets[i];

		if (target->kind == TARGET_GROUP)
			ix->group_handed[target->index] = true;
		else if (target->kind == TARGET_FUNCTION &&
			 !stays_with_host(&topo->functions[target->index]))
			ix->function_handed[target->index] = true;
	}
	for (size_t g = 0; g < topo->n_groups; g++) {
		const struct group_buckets *fns = &ix->functions_of_group;
		const struct group_buckets *mdevs = &ix->mdevs_of_group;

		if (!ix->group_handed[g])
			continue;
		for (size_t k = fns->start[g]; k < fns->start[g + 1]; k++)
			if (!stays_with_host(&topo->functions[fns->items[k]]))
				ix->function_handed[fns->items[k]] = true;
		for (size_t k = mdevs->start[g]; k < mdevs->start[g + 1]; k++)
			ix->mdev_handed[mdevs->items[k]] = true;
	}
}

/* The picture is of the host as the scenario starts: VFs not enabled are left out. */
static void drop_absent_functions(const struct topology *topo, struct group_buckets *fns,
				  size_t n_groups)
{
	size_t kept = 0;

	for (size_t g = 0; g < n_groups; g++) {
		size_t from = fns->start[g], to = fns->start[g + 1];

		fns->start[g] = kept;
		for (size_t k = from; k < to; k++)
			if (topo->functions[fns->items[k]].present)
				fns->items[kept++] = fns->items[k];
	}
	fns->start[n_groups] = kept;
}

static void index_free(struct graph_index *ix)
{
	free(ix->functions_of_group.start);
	free(ix->functions_of_group.items);
	free(ix->mdevs_of_group.start);
	free(ix->mdevs_of_group.items);
	free(ix->vfio_devices);
	free(ix->targets);
	free(ix->group_handed);
	free(ix->function_handed);
	free(ix->mdev_handed);
}

static int index_build(const struct scenario *sc, struct graph_index *ix)
{
	const struct topology *topo = &sc->topo;

	*ix = (struct graph_index){ .sc = sc, .topo = topo };
	ix->vfio_devices = malloc((topo->n_functions + 1) * sizeof(*ix->vfio_devices));
	ix->targets = malloc((sc->n_sandbox + 1) * sizeof(*ix->targets));
	ix->group_handed = calloc(topo->n_groups + 1, sizeof(*ix->group_handed));
	ix->function_handed = calloc(topo->n_functions + 1, sizeof(*ix->function_handed));
	ix->mdev_handed = calloc(topo->n_mdevs + 1, sizeof(*ix->mdev_handed));
	if (!ix->vfio_devices || !ix->targets || !ix->group_handed || !ix->function_handed ||
	    !ix->mdev_handed ||
	    bucket_by_group(topo->n_groups, topo->functions, sizeof(*topo->functions),
			    offsetof(struct topo_function, group), topo->n_functions,
			    &ix->functions_of_group) != 0 ||
	    bucket_by_group(topo->n_groups, topo->mdevs, sizeof(*topo->mdevs),
			    offsetof(struct topo_mdev, group), topo->n_mdevs,
			    &ix->mdevs_of_group) != 0) {
		index_free(ix);
		errno = ENOMEM;
		return -1;
	}
	drop_absent_functions(topo, &ix->functions_of_group, topo->n_groups);
	for (size_t i = 0; i < topo->n_functions; i++)
		if (topo->functions[i].present && topology_is_vfio_bound(topo, &topo->functions[i]))
			ix->vfio_devices[ix->n_vfio_devices++] = (int32_t)i;
	for (size_t i = 0; i < sc->n_sandbox; i++)
		ix->targets[i] = resolve_target(ix, sc->sandbox[i]);
	mark_handed_over(ix);
	return 0;
}

/* ---- DOT text -------------------------------------------------------------------------- */

/*
 * len bytes of text inside a DOT quoted string: quotes and backslashes escaped (so that no
 * \N, \G or \l escape of DOT's is formed), a newline as DOT's line break, other control
 * characters, which no valid scenario holds, as '?'.
 */
static void put_escaped_n(FILE *out, const char *text, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c == '"' || c == '\\') {
			putc('\\', out);
			putc(c, out);
		} else if (c == '\n') {
			fputs("\\n", out);
		} else if (c < 0x20 || c == 0x7f) {
			putc('?', out);
		} else {
			putc(c, out);
		}
	}
}

static void put_escaped(FILE *out, const char *text)
{
	put_escaped_n(out, text, strlen(text));
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The description folded into lines of at most TITLE_WIDTH bytes where words allow. */
static void put_wrapped(FILE *out, const char *text)
{
	size_t line_len = 0;

	while (*text) {
		size_t word_len = 0;

		while (is_blank(*text))
			text++;
		while (text[word_len] && !is_blank(text[word_len]))
			word_len++;
		if (word_len == 0)
			break;
		if (line_len > 0 && line_len + 1 + word_len > TITLE_WIDTH) {
			fputs("\\n", out);
			line_len = 0;
		} else if (line_len > 0) {
			putc(' ', out);
			line_len++;
		}
		put_escaped_n(out, text, word_len);
		line_len += word_len;
		text += word_len;
	}
}

static void put_root_bus_id(FILE *out, uint32_t domain, uint8_t bus)
{
	fprintf(out, "\"pci%04x:%02x\"", (unsigned)domain, bus);
}

static void put_function_id(FILE *out, const struct topo_function *fn)
{
	char bdf[PCI_ADDR_STRLEN];

	pci_addr_format(&fn->addr, bdf);
	fprintf(out, "\"%s\"", bdf);
}

static void put_mdev_id(FILE *out, const struct topo_mdev *mdev)
{
	fputs("\"mdev:", out);
	put_escaped(out, mdev->uuid);
	putc('"', out);
}

/* The attributes that say "handed to the sandbox"; the legend uses the same. */
#define HANDED_STYLE "color=red, penwidth=3"
#define VFIO_FILL    "fillcolor=lightblue"
#define BRIDGE_FILL  "fillcolor=gray92"

/* style="a,b" from the parts that apply, in a fixed order. */
static void put_style(FILE *out, bool rounded, bool filled, bool dashed, bool bold)
{
	const char *parts[] = { rounded ? "rounded" : NULL, filled ? "filled" : NULL,
				dashed ? "dashed" : NULL, bold ? "bold" : NULL };
	const char *separator = "";

	fputs("style=\"", out);
	for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		if (!parts[i])
			continue;
		fprintf(out, "%s%s", separator, parts[i]);
		separator = ",";
	}
	putc('"', out);
}

static void put_function_node(FILE *out, const struct graph_index *ix, size_t i, const char *indent)
{
	const struct topology *topo = ix->topo;
	const struct topo_function *fn = &topo->functions[i];
	const char *class_name = pci_class_name(fn->class_code);
	bool vfio = topology_is_vfio_bound(topo, fn);
	bool handed = ix->function_handed[i];
	char bdf[PCI_ADDR_STRLEN];

	pci_addr_format(&fn->addr, bdf);
	fprintf(out, "%s\"%s\" [label=\"%s\\n", indent, bdf, bdf);
	if (class_name)
		put_escaped(out, class_name);
	else
		fprintf(out, "class 0x%06x", (unsigned)fn->class_code);
	fprintf(out, " [%04x:%04x]", fn->vendor, fn->device);
	if (fn->physfn != TOPO_NONE)
		fprintf(out, ", VF %u", (unsigned)fn->vf_index);
	if (fn->is_bridge && fn->secondary_bus == fn->subordinate_bus)
		fprintf(out, "\\nbus %02x", fn->secondary_bus);
	else if (fn->is_bridge)
		fprintf(out, "\\nbuses %02x-%02x", fn->secondary_bus, fn->subordinate_bus);
	if (fn->label) {
		fputs("\\n\\\"", out);
		put_escaped(out, fn->label);
		fputs("\\\"", out);
	}
	fputs("\\n", out);
	put_escaped(out,
		    topology_driver_of(topo, fn) ? topology_driver_of(topo, fn) : "(no driver)");
	fputs("\", shape=box, ", out);
	put_style(out, !fn->is_bridge, vfio || fn->is_bridge, false, handed);
	if (vfio)
		fputs(", " VFIO_FILL, out);
	else if (fn->is_bridge)
		fputs(", " BRIDGE_FILL, out);
	if (handed)
		fputs(", " HANDED_STYLE, out);
	fputs("];\n", out);
}

static void put_mdev_node(FILE *out, const struct graph_index *ix, size_t i, const char *indent)
{
	const struct topo_mdev *mdev = &ix->topo->mdevs[i];
	const struct topo_function *parent = &ix->topo->functions[mdev->parent];
	bool handed = ix->mdev_handed[i];

	fputs(indent, out);
	put_mdev_id(out, mdev);
	fputs(" [label=\"mdev ", out);
	put_escaped(out, mdev->uuid);
	fputs("\\n", out);
	put_escaped(out, parent->mdev_types[mdev->type].id);
	fputs("\", shape=box, ", out);
	put_style(out, true, false, true, handed);
	if (handed)
		fputs(", " HANDED_STYLE, out);
	fputs("];\n", out);
}

static void put_group_cluster(FILE *out, const struct graph_index *ix, size_t g)
{
	const struct topo_group *group = &ix->topo->groups[g];
	const struct group_buckets *fns = &ix->functions_of_group;
	const struct group_buckets *mdevs = &ix->mdevs_of_group;

	if (fns->start[g] == fns->start[g + 1] && mdevs->start[g] == mdevs->start[g + 1])
		return; /* nothing in it now (Graphviz draws no empty cluster either) */
	fprintf(out, "\tsubgraph cluster_group_%d {\n", (int)group->id);
	if (group->noiommu)
		fprintf(out,
			"\t\tlabel=\"no-IOMMU group %d (vfio-noiommu)\";\n"
			"\t\tstyle=\"rounded,dashed\";\n\t\tcolor=darkorange;\n",
			(int)group->id);
	else
		fprintf(out,
			"\t\tlabel=\"IOMMU group %d\";\n\t\tstyle=rounded;\n\t\tcolor=gray50;\n",
			(int)group->id);
	for (size_t k = fns->start[g]; k < fns->start[g + 1]; k++)
		put_function_node(out, ix, (size_t)fns->items[k], "\t\t");
	for (size_t k = mdevs->start[g]; k < mdevs->start[g + 1]; k++)
		put_mdev_node(out, ix, (size_t)mdevs->items[k], "\t\t");
	fputs("\t}\n", out);
}

/* One legend line: "<path>: <what it stands for here>". */
static void put_target_line(FILE *out, const struct graph_index *ix, size_t i)
{
	const struct sandbox_target *target = &ix->targets[i];
	const struct topology *topo = ix->topo;
	char bdf[PCI_ADDR_STRLEN];

	put_escaped(out, ix->sc->sandbox[i]);
	fputs(": ", out);
	switch (target->kind) {
	case TARGET_GROUP:
		fprintf(out, "%sIOMMU group %d", topo->groups[target->index].noiommu ? "no-" : "",
			(int)topo->groups[target->index].id);
		break;
	case TARGET_FUNCTION:
		pci_addr_format(&topo->functions[target->index].addr, bdf);
		fputs(bdf, out);
		break;
	case TARGET_NO_GROUP:
		fprintf(out, "no IOMMU group %d on this host", (int)target->number);
		break;
	case TARGET_UNGROUPED:
		fputs("a device in no IOMMU group", out);
		break;
	case TARGET_NO_FUNCTION:
		fputs("no such device", out);
		break;
	case TARGET_MALFORMED:
		fputs("not a VFIO path or PCI address", out);
		break;
	}
	fputs("\\l", out);
}

static void put_legend(FILE *out, const struct graph_index *ix)
{
	size_t n_sandbox = ix->sc->n_sandbox;

	fputs("\tsubgraph cluster_legend {\n"
	      "\t\tlabel=\"Legend\";\n\t\tstyle=rounded;\n\t\tcolor=gray70;\n"
	      "\t\t\"legend:vfio\" [label=\"bound to vfio-pci\", shape=box, "
	      "style=\"rounded,filled\", " VFIO_FILL "];\n",
	      out);
	if (n_sandbox > 0) {
		fputs("\t\t\"legend:sandbox\" [label=\"handed to the sandbox:\\l", out);
		for (size_t i = 0; i < n_sandbox && i < LEGEND_MAX_PATHS; i++)
			put_target_line(out, ix, i);
		if (n_sandbox > LEGEND_MAX_PATHS)
			fprintf(out, "... and %zu more\\l", n_sandbox - LEGEND_MAX_PATHS);
		fputs("\", shape=box, style=\"rounded,bold\", " HANDED_STYLE "];\n", out);
	}
	fputs("\t}\n", out);
}

static void put_edges(FILE *out, const struct graph_index *ix)
{
	const struct topology *topo = ix->topo;

	for (size_t i = 0; i < topo->n_functions; i++) {
		const struct topo_function *fn = &topo->functions[i];
		const char *attributes = "";

		if (!fn->present)
			continue;
		putc('\t', out);
		if (fn->physfn != TOPO_NONE) {
			put_function_id(out, &topo->functions[fn->physfn]);
			attributes = " [style=dashed]";
		} else if (fn->parent != TOPO_NONE) {
			put_function_id(out, &topo->functions[fn->parent]);
		} else {
			/* The loader makes every bus that no bridge leads to a root bus. */
			put_root_bus_id(out, fn->addr.domain, fn->addr.bus);
		}
		fputs(" -> ", out);
		put_function_id(out, fn);
		fprintf(out, "%s;\n", attributes);
	}
	for (size_t i = 0; i < topo->n_mdevs; i++) {
		putc('\t', out);
		put_function_id(out, &topo->functions[topo->mdevs[i].parent]);
		fputs(" -> ", out);
		put_mdev_id(out, &topo->mdevs[i]);
		fputs(" [style=dotted];\n", out);
	}
}

static void put_graph(FILE *out, const struct graph_index *ix)
{
	const struct scenario *sc = ix->sc;
	const struct topology *topo = ix->topo;

	fputs("digraph ", out);
	putc('"', out);
	put_escaped(out, sc->name ? sc->name : "host");
	fputs("\" {\n"
	      "\tgraph [rankdir=LR, fontname=\"Helvetica\", fontsize=12, labelloc=t, "
	      "nodesep=0.2, ranksep=0.6];\n"
	      "\tnode [fontname=\"Helvetica\", fontsize=10];\n"
	      "\tedge [color=gray40, arrowsize=0.7];\n",
	      out);
	for (size_t i = 0; i < topo->n_root_buses; i++) {
		const struct topo_root_bus *bus = &topo->root_buses[i];

		putc('\t', out);
		put_root_bus_id(out, bus->domain, bus->bus);
		fprintf(out,
			" [label=\"pci%04x:%02x\", shape=box, style=filled, fillcolor=gray80];\n",
			(unsigned)bus->domain, bus->bus);
	}
	for (size_t g = 0; g < topo->n_groups; g++)
		put_group_cluster(out, ix, g);
	for (size_t i = 0; i < topo->n_functions; i++)
		if (topo->functions[i].group == TOPO_NONE && topo->functions[i].present)
			put_function_node(out, ix, i, "\t");
	put_legend(out, ix);
	put_edges(out, ix);
	/* Last, so that no cluster inherits it. */
	fputs("\tlabel=\"", out);
	put_escaped(out, sc->name ? sc->name : "");
	if (sc->description && *sc->description) {
		fputs("\\n", out);
		put_wrapped(out, sc->description);
	}
	fputs("\";\n}\n", out);
}

int graph_write(const struct scenario *sc, FILE *out)
{
	struct graph_index ix;

	if (index_build(sc, &ix) != 0)
		return -1;
	errno = 0;
	put_graph(out, &ix);
	index_free(&ix);
	if (fflush(out) != 0 || ferror(out)) {
		if (errno == 0)
			errno = EIO;
		return -1;
	}
	return 0;
}

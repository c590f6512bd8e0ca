/* SPDX-License-Identifier: MIT */
/*
 * Unit tests for graph_write: the DOT text of every shipped scenario read back statement by
 * statement and checked against the topology (nodes, edges, IOMMU group clusters, vfio-pci and
 * sandbox marks), escaping, sandbox paths that name nothing, write errors, linear time, and
 * Graphviz's dot accepting the output.
 */
#include "graph.h"
#include "pci_class.h"
#include "scenario.h"

#include <check.h>

#include "check_run.h"
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DOT_PATH   "/usr/bin/dot"
#define NO_CLUSTER (-1)
#define LEGEND	   (-2)

/* ---- helpers --------------------------------------------------------------------------- */

static const char *source_dir(void)
{
	const char *dir = getenv("FAKESYS_SOURCE_DIR");

	ck_assert_msg(dir && *dir, "FAKESYS_SOURCE_DIR must point at the source tree");
	return dir;
}

static char *format(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *format(const char *fmt, ...)
{
	va_list ap;
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);

	ck_assert_ptr_nonnull(out);
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	ck_assert_int_eq(fclose(out), 0);
	return text;
}

static void load_scenario(const char *path, struct scenario *sc)
{
	char error[SCENARIO_ERROR_MAX];

	ck_assert_msg(scenario_load(path, sc, error) == 0, "%s", error);
}

static void load_shipped(const char *name, struct scenario *sc)
{
	char *path = format("%s/scenarios/%s", source_dir(), name);

	load_scenario(path, sc);
	free(path);
}

/* Loads YAML text through a temporary file. */
static void load_text(const char *text, struct scenario *sc)
{
	const char *tmp = getenv("TMPDIR");
	char *path = format("%s/test_graph_XXXXXX", tmp && *tmp ? tmp : "/tmp");
	int fd = mkstemp(path);
	size_t len = strlen(text);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, len), (ssize_t)len);
	ck_assert_int_eq(close(fd), 0);
	load_scenario(path, sc);
	unlink(path);
	free(path);
}

/* The DOT text for sc, NUL-terminated. */
static char *graph_text(const struct scenario *sc, size_t *len_out)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(out);
	ck_assert_int_eq(graph_write(sc, out), 0);
	ck_assert_int_eq(fclose(out), 0);
	if (len_out)
		*len_out = len;
	return text;
}

/*
 * Checks for the loops over thousands of nodes. Check's ck_assert records every assertion that
 * passes (a write each), which would dominate the run; these call into Check only to fail.
 */
#define expect(cond, ...)                                                                          \
	do {                                                                                       \
		if (!(cond))                                                                       \
			ck_abort_msg(__VA_ARGS__);                                                 \
	} while (0)
#define expect_true(cond) expect(cond, "failed: %s", #cond)
#define expect_str_eq(actual, wanted)                                                              \
	expect(strcmp(actual, wanted) == 0, "%s is '%s', not '%s'", #actual, actual, wanted)
#define expect_int_eq(actual, wanted)                                                              \
	do {                                                                                       \
		long long actual_value = (long long)(actual);                                      \
		long long wanted_value = (long long)(wanted);                                      \
		expect(actual_value == wanted_value, "%s is %lld, not %lld", #actual,              \
		       actual_value, wanted_value);                                                \
	} while (0)

/* ---- reading the DOT text back --------------------------------------------------------- */

/*
 * A DOT quoted string at *cursor (which must be at its opening quote), unescaped as a reader
 * of the label sees it, with DOT's line breaks \n and \l as '\n'; NULL when keep is false.
 * Advances past the closing quote.
 */
static char *scan_quoted(const char **cursor, bool keep)
{
	const char *p = *cursor;
	char *text = keep ? malloc(strlen(p)) : NULL;
	size_t len = 0;

	expect(*p == '"', "expected a quoted string at '%.40s'", p);
	expect_true(text || !keep);
	for (p++; *p != '"'; p++) {
		char c = *p;

		expect(c && c != '\n', "unterminated string at '%.40s'", *cursor);
		if (c == '\\') {
			p++;
			expect(strchr("nl\"\\", *p) && *p, "unexpected escape \\%c in '%.60s'", *p,
			       *cursor);
			c = *p == 'n' || *p == 'l' ? '\n' : *p;
		}
		if (keep)
			text[len++] = c;
	}
	if (keep)
		text[len] = '\0';
	*cursor = p + 1;
	return text;
}

static char *read_quoted(const char **cursor)
{
	return scan_quoted(cursor, true);
}

/* The value of key in an attribute list "[k=v, k=\"v\", ...]", unescaped; NULL if absent. */
static char *attribute(const char *attrs, const char *key)
{
	const char *p = attrs;
	size_t key_len = strlen(key);

	if (!p || *p != '[')
		return NULL;
	p++;
	while (*p && *p != ']') {
		const char *name = p;
		char *value = NULL;

		while (*p && *p != '=')
			p++;
		expect(*p == '=', "malformed attributes '%s'", attrs);
		bool match = (size_t)(p - name) == key_len && strncmp(name, key, key_len) == 0;
		p++;
		if (*p == '"') {
			value = scan_quoted(&p, match);
		} else {
			const char *start = p;

			while (*p && *p != ',' && *p != ']')
				p++;
			if (match)
				value = strndup(start, (size_t)(p - start));
		}
		if (match)
			return value;
		if (*p == ',')
			p++;
		while (*p == ' ')
			p++;
	}
	return NULL;
}

static bool attribute_is(const char *attrs, const char *key, const char *expected)
{
	char *value = attribute(attrs, key);
	bool same = value && strcmp(value, expected) == 0;

	free(value);
	return same;
}

struct parsed_node {
	int count;
	long cluster; /* group id, NO_CLUSTER or LEGEND */
	char *label;
	char *attrs;
};

struct parsed_edge {
	int count; /* edges into this node */
	char *source;
	char *attrs;
};

struct parsed_graph {
	const struct topology *topo;
	struct parsed_node *functions, *mdevs, legend_vfio, legend_sandbox;
	struct parsed_edge *function_edges, *mdev_edges;
	bool *root_bus_seen;
	int *clusters_seen; /* per group */
	char **cluster_labels;
	char *title;
	bool closed;
};

static int compare_mdev_uuid(const void *key, const void *member)
{
	return strcmp(key, ((const struct topo_mdev *)member)->uuid);
}

static int32_t mdev_index(const struct topology *topo, const char *uuid)
{
	const struct topo_mdev *found =
		bsearch(uuid, topo->mdevs, topo->n_mdevs, sizeof(*topo->mdevs), compare_mdev_uuid);

	return found ? (int32_t)(found - topo->mdevs) : TOPO_NONE;
}

static int32_t function_index(const struct topology *topo, const char *id)
{
	struct pci_addr addr;

	if (!pci_addr_parse(id, &addr))
		return TOPO_NONE;
	return topology_find_function(topo, &addr);
}

static int32_t root_bus_index(const struct topology *topo, const char *id)
{
	for (size_t i = 0; i < topo->n_root_buses; i++) {
		char name[32];

		snprintf(name, sizeof(name), "pci%04x:%02x", (unsigned)topo->root_buses[i].domain,
			 topo->root_buses[i].bus);
		if (strcmp(name, id) == 0)
			return (int32_t)i;
	}
	return TOPO_NONE;
}

static void record_node(struct parsed_graph *g, const char *id, const char *attrs, long cluster)
{
	struct parsed_node *node = NULL;
	int32_t index;

	if (strncmp(id, "mdev:", 5) == 0) {
		index = mdev_index(g->topo, id + 5);
		expect(index != TOPO_NONE, "node %s is no mdev of the scenario", id);
		node = &g->mdevs[index];
	} else if (strcmp(id, "legend:vfio") == 0) {
		node = &g->legend_vfio;
	} else if (strcmp(id, "legend:sandbox") == 0) {
		node = &g->legend_sandbox;
	} else if (strncmp(id, "pci", 3) == 0) {
		index = root_bus_index(g->topo, id);
		expect(index != TOPO_NONE, "node %s is no root bus of the scenario", id);
		expect(!g->root_bus_seen[index], "root bus %s drawn twice", id);
		expect(cluster == NO_CLUSTER, "root bus %s inside a cluster", id);
		g->root_bus_seen[index] = true;
		return;
	} else {
		index = function_index(g->topo, id);
		expect(index != TOPO_NONE, "node %s is no function of the scenario", id);
		node = &g->functions[index];
	}
	node->count++;
	expect(node->count == 1, "node %s drawn twice", id);
	node->cluster = cluster;
	node->attrs = strdup(attrs);
	node->label = attribute(attrs, "label");
	expect_true(node->attrs != NULL);
	expect(node->label != NULL, "node %s has no label", id);
}

static void record_edge(struct parsed_graph *g, const char *source, const char *target,
			const char *attrs)
{
	struct parsed_edge *edge;
	int32_t index;

	if (strncmp(target, "mdev:", 5) == 0) {
		index = mdev_index(g->topo, target + 5);
		expect(index != TOPO_NONE, "edge into %s, no mdev of the scenario", target);
		edge = &g->mdev_edges[index];
	} else {
		index = function_index(g->topo, target);
		expect(index != TOPO_NONE, "edge into %s, no function of the scenario", target);
		edge = &g->function_edges[index];
	}
	edge->count++;
	expect(edge->count == 1, "second edge into %s (from %s)", target, source);
	edge->source = strdup(source);
	edge->attrs = strdup(attrs);
	expect_true(edge->source && edge->attrs);
}

/* Reads the statements graph_write promises, one a line; anything else fails the test. */
static void parse_graph(const struct topology *topo, const char *text, struct parsed_graph *g)
{
	long cluster = NO_CLUSTER;
	const char *line = text;
	bool opened = false;

	*g = (struct parsed_graph){ .topo = topo };
	g->functions = calloc(topo->n_functions + 1, sizeof(*g->functions));
	g->mdevs = calloc(topo->n_mdevs + 1, sizeof(*g->mdevs));
	g->function_edges = calloc(topo->n_functions + 1, sizeof(*g->function_edges));
	g->mdev_edges = calloc(topo->n_mdevs + 1, sizeof(*g->mdev_edges));
	g->root_bus_seen = calloc(topo->n_root_buses + 1, sizeof(*g->root_bus_seen));
	g->clusters_seen = calloc(topo->n_groups + 1, sizeof(*g->clusters_seen));
	g->cluster_labels = calloc(topo->n_groups + 1, sizeof(*g->cluster_labels));
	expect_true(g->functions && g->mdevs && g->function_edges && g->mdev_edges &&
		    g->root_bus_seen && g->clusters_seen && g->cluster_labels);

	while (*line) {
		const char *end = strchr(line, '\n');
		char *stmt;
		const char *p;
		long id;
		int consumed = 0;

		expect(end != NULL, "the text does not end with a newline");
		stmt = strndup(line, (size_t)(end - line));
		expect_true(stmt != NULL);
		line = end + 1;
		for (p = stmt; *p == '\t'; p++)
			;
		expect(!g->closed, "text after the closing brace: '%s'", stmt);
		if (!opened) {
			expect(strncmp(stmt, "digraph \"", 9) == 0 && stmt[strlen(stmt) - 1] == '{',
			       "first line '%s'", stmt);
			opened = true;
		} else if (sscanf(p, "subgraph cluster_group_%ld {%n", &id, &consumed) == 1 &&
			   consumed > 0 && p[consumed] == '\0') {
			int32_t group = topology_find_group(topo, (int32_t)id);

			expect(cluster == NO_CLUSTER, "nested cluster '%s'", stmt);
			expect(group != TOPO_NONE, "cluster for group %ld, not a group", id);
			expect(g->clusters_seen[group]++ == 0, "two clusters for group %ld", id);
			cluster = id;
		} else if (strcmp(p, "subgraph cluster_legend {") == 0) {
			expect_int_eq(cluster, NO_CLUSTER);
			cluster = LEGEND;
		} else if (strcmp(p, "}") == 0) {
			if (cluster == NO_CLUSTER)
				g->closed = true;
			cluster = NO_CLUSTER;
		} else if (*p == '"') {
			char *first = read_quoted(&p);

			if (strncmp(p, " -> \"", 5) == 0) {
				p += 4;
				char *second = read_quoted(&p);

				expect(cluster == NO_CLUSTER, "edge inside a cluster: %s", stmt);
				expect(*p == ';' || strncmp(p, " [", 2) == 0, "edge '%s'", stmt);
				expect(stmt[strlen(stmt) - 1] == ';', "edge '%s'", stmt);
				record_edge(g, first, second, *p == ';' ? "" : p + 1);
				free(second);
			} else {
				expect(strncmp(p, " [", 2) == 0 &&
					       strcmp(stmt + strlen(stmt) - 2, "];") == 0,
				       "node statement '%s'", stmt);
				record_node(g, first, p + 1, cluster);
			}
			free(first);
		} else if (strncmp(p, "label=\"", 7) == 0) {
			const char *q = p + 6;
			char *label = read_quoted(&q);

			expect(strcmp(q, ";") == 0, "label statement '%s'", stmt);
			if (cluster >= 0) {
				int32_t group = topology_find_group(topo, (int32_t)cluster);

				expect_true(g->cluster_labels[group] == NULL);
				g->cluster_labels[group] = label;
			} else if (cluster == NO_CLUSTER) {
				expect_true(g->title == NULL);
				g->title = label;
			} else {
				free(label);
			}
		} else {
			/* Defaults and cluster styles: "graph [...];", "style=rounded;" and such.
			 */
			expect(strncmp(p, "graph [", 7) == 0 || strncmp(p, "node [", 6) == 0 ||
				       strncmp(p, "edge [", 6) == 0 ||
				       strncmp(p, "style=", 6) == 0 || strncmp(p, "color=", 6) == 0,
			       "unexpected statement '%s'", stmt);
			expect(stmt[strlen(stmt) - 1] == ';', "statement '%s'", stmt);
		}
		free(stmt);
	}
	expect(g->closed, "the graph is not closed");
}

static void free_node(struct parsed_node *node)
{
	free(node->label);
	free(node->attrs);
}

static void free_graph(struct parsed_graph *g)
{
	for (size_t i = 0; i < g->topo->n_functions; i++) {
		free_node(&g->functions[i]);
		free(g->function_edges[i].source);
		free(g->function_edges[i].attrs);
	}
	for (size_t i = 0; i < g->topo->n_mdevs; i++) {
		free_node(&g->mdevs[i]);
		free(g->mdev_edges[i].source);
		free(g->mdev_edges[i].attrs);
	}
	for (size_t i = 0; i < g->topo->n_groups; i++)
		free(g->cluster_labels[i]);
	free_node(&g->legend_vfio);
	free_node(&g->legend_sandbox);
	free(g->functions);
	free(g->mdevs);
	free(g->function_edges);
	free(g->mdev_edges);
	free(g->root_bus_seen);
	free(g->clusters_seen);
	free(g->cluster_labels);
	free(g->title);
}

/* The n-th line (0-based) of a label, or NULL; the caller frees it. */
static char *label_line(const char *label, size_t n)
{
	const char *p = label;

	for (size_t i = 0; i < n; i++) {
		p = strchr(p, '\n');
		if (!p)
			return NULL;
		p++;
	}
	return strndup(p, strcspn(p, "\n"));
}

static size_t label_lines(const char *label)
{
	size_t n = 1;

	for (const char *p = label; *p; p++)
		n += *p == '\n';
	return n;
}

static bool is_marked(const struct parsed_node *node)
{
	return attribute_is(node->attrs, "color", "red");
}

/* ---- the checks every scenario must pass ------------------------------------------------ */

static void check_function(const struct scenario *sc, const struct parsed_graph *g, size_t i)
{
	const struct topology *topo = &sc->topo;
	const struct topo_function *fn = &topo->functions[i];
	const struct parsed_node *node = &g->functions[i];
	const struct parsed_edge *edge = &g->function_edges[i];
	const char *class_name = pci_class_name(fn->class_code);
	char bdf[PCI_ADDR_STRLEN], *expected, *line;
	size_t n_lines;
	bool vfio =
		fn->driver != TOPO_NONE && strcmp(topo->drivers[fn->driver].name, "vfio-pci") == 0;

	pci_addr_format(&fn->addr, bdf);
	if (!fn->present) { /* a VF not enabled: not on the bus, not in the picture */
		expect(node->count == 0 && edge->count == 0, "%s: absent %s drawn", sc->path, bdf);
		return;
	}
	expect(node->count == 1, "%s: function %s drawn %d times", sc->path, bdf, node->count);
	n_lines = label_lines(node->label);
	expect_int_eq(n_lines, 3 + fn->is_bridge + (fn->label != NULL));

	line = label_line(node->label, 0);
	expect_str_eq(line, bdf);
	free(line);

	if (class_name)
		expected = format("%s [%04x:%04x]", class_name, fn->vendor, fn->device);
	else
		expected =
			format("class 0x%06x [%04x:%04x]", fn->class_code, fn->vendor, fn->device);
	if (fn->physfn != TOPO_NONE) {
		char *vf = format("%s, VF %u", expected, fn->vf_index);

		free(expected);
		expected = vf;
	}
	line = label_line(node->label, 1);
	expect_str_eq(line, expected);
	free(line);
	free(expected);

	if (fn->is_bridge) {
		line = label_line(node->label, 2);
		if (fn->secondary_bus == fn->subordinate_bus)
			expected = format("bus %02x", fn->secondary_bus);
		else
			expected =
				format("buses %02x-%02x", fn->secondary_bus, fn->subordinate_bus);
		expect_str_eq(line, expected);
		expect_true(attribute_is(node->attrs, "style", "filled") ||
			    attribute_is(node->attrs, "style", "filled,bold"));
		free(line);
		free(expected);
	} else {
		char *style = attribute(node->attrs, "style");

		expect(style && strncmp(style, "rounded", 7) == 0, "%s: style %s", bdf, style);
		free(style);
	}
	if (fn->label) {
		line = label_line(node->label, n_lines - 2);
		expected = format("\"%s\"", fn->label);
		expect_str_eq(line, expected);
		free(line);
		free(expected);
	}
	line = label_line(node->label, n_lines - 1);
	expect_str_eq(line,
		      fn->driver != TOPO_NONE ? topo->drivers[fn->driver].name : "(no driver)");
	free(line);

	expect(node->cluster == (fn->group == TOPO_NONE ? NO_CLUSTER : topo->groups[fn->group].id),
	       "%s: %s in cluster %ld", sc->path, bdf, node->cluster);
	expect(attribute_is(node->attrs, "fillcolor", "lightblue") == vfio,
	       "%s: %s bound to vfio-pci: %d, drawn %s", sc->path, bdf, vfio, node->attrs);

	expect(edge->count == 1, "%s: %d edges into %s", sc->path, edge->count, bdf);
	if (fn->physfn != TOPO_NONE) {
		pci_addr_format(&topo->functions[fn->physfn].addr, bdf);
		expect_str_eq(edge->source, bdf);
		expect_true(attribute_is(edge->attrs, "style", "dashed"));
	} else if (fn->parent != TOPO_NONE) {
		expect_true(topo->functions[fn->parent].is_bridge);
		pci_addr_format(&topo->functions[fn->parent].addr, bdf);
		expect_str_eq(edge->source, bdf);
		expect_str_eq(edge->attrs, "");
	} else {
		expected = format("pci%04x:%02x", fn->addr.domain, fn->addr.bus);
		expect_str_eq(edge->source, expected);
		expect_true(root_bus_index(topo, expected) != TOPO_NONE);
		expect_str_eq(edge->attrs, "");
		free(expected);
	}
}

static void check_mdev(const struct scenario *sc, const struct parsed_graph *g, size_t i)
{
	const struct topology *topo = &sc->topo;
	const struct topo_mdev *mdev = &topo->mdevs[i];
	const struct topo_function *parent = &topo->functions[mdev->parent];
	char bdf[PCI_ADDR_STRLEN], *expected;

	expect_int_eq(g->mdevs[i].count, 1);
	expected = format("mdev %s\n%s", mdev->uuid, parent->mdev_types[mdev->type].id);
	expect_str_eq(g->mdevs[i].label, expected);
	free(expected);
	expect_int_eq(g->mdevs[i].cluster, topo->groups[mdev->group].id);
	expect_int_eq(g->mdev_edges[i].count, 1);
	pci_addr_format(&parent->addr, bdf);
	expect_str_eq(g->mdev_edges[i].source, bdf);
	expect_true(attribute_is(g->mdev_edges[i].attrs, "style", "dotted"));
}

/*
 * Everything graph.h promises that follows from the topology alone. Together the per-node
 * cluster check and "drawn once" make each cluster hold exactly its group's members.
 */
static void check_structure(const struct scenario *sc, const struct parsed_graph *g)
{
	const struct topology *topo = &sc->topo;

	for (size_t i = 0; i < topo->n_functions; i++)
		check_function(sc, g, i);
	for (size_t i = 0; i < topo->n_mdevs; i++)
		check_mdev(sc, g, i);
	for (size_t i = 0; i < topo->n_root_buses; i++)
		expect(g->root_bus_seen[i], "%s: root bus %zu not drawn", sc->path, i);
	for (size_t i = 0; i < topo->n_groups; i++) {
		const struct topo_group *group = &topo->groups[i];
		char *expected = group->noiommu
					 ? format("no-IOMMU group %d (vfio-noiommu)", group->id)
					 : format("IOMMU group %d", group->id);

		bool drawn = false; /* a group with something in it now */
		for (size_t f = 0; f < topo->n_functions; f++)
			drawn |= topo->functions[f].group == (int32_t)i &&
				 topo->functions[f].present;
		for (size_t m = 0; m < topo->n_mdevs; m++)
			drawn |= topo->mdevs[m].group == (int32_t)i;
		expect(g->clusters_seen[i] == drawn, "%s: group %d has %d clusters", sc->path,
		       group->id, g->clusters_seen[i]);
		if (drawn) {
			expect_true(g->cluster_labels[i] != NULL);
			expect_str_eq(g->cluster_labels[i], expected);
		}
		free(expected);
	}
	expect_int_eq(g->legend_vfio.count, 1);
	expect_int_eq(g->legend_vfio.cluster, LEGEND);
	expect_true(attribute_is(g->legend_vfio.attrs, "fillcolor", "lightblue"));
	expect_int_eq(g->legend_sandbox.count, sc->n_sandbox > 0);
	if (sc->n_sandbox > 0) {
		expect_int_eq(g->legend_sandbox.cluster, LEGEND);
		expect_true(is_marked(&g->legend_sandbox));
		expect_true(strncmp(g->legend_sandbox.label, "handed to the sandbox:\n", 23) == 0);
	}
	expect_true(g->title != NULL);
	expect_true(strncmp(g->title, sc->name, strlen(sc->name)) == 0);
}

/* The ids of the marked nodes, in output order, joined by spaces. */
static char *marked_ids(const struct parsed_graph *g)
{
	const struct topology *topo = g->topo;
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);
	const char *separator = "";

	expect_true(out != NULL);
	for (size_t i = 0; i < topo->n_functions; i++) {
		char bdf[PCI_ADDR_STRLEN];

		if (!is_marked(&g->functions[i]))
			continue;
		pci_addr_format(&topo->functions[i].addr, bdf);
		fprintf(out, "%s%s", separator, bdf);
		separator = " ";
	}
	for (size_t i = 0; i < topo->n_mdevs; i++) {
		if (!is_marked(&g->mdevs[i]))
			continue;
		fprintf(out, "%smdev:%s", separator, topo->mdevs[i].uuid);
		separator = " ";
	}
	expect_int_eq(fclose(out), 0);
	return text;
}

/* ---- Graphviz -------------------------------------------------------------------------- */

/* dot is required once ci/setup installs Graphviz; until then it is checked where present. */
static bool dot_required(void)
{
	char *path = format("%s/ci/setup", source_dir());
	FILE *setup = fopen(path, "r");
	char line[512];
	bool listed = false;

	ck_assert_msg(setup != NULL, "%s: %s", path, strerror(errno));
	while (fgets(line, sizeof(line), setup))
		if (strncmp(line, "packages=(", 10) == 0 && strstr(line, "graphviz"))
			listed = true;
	fclose(setup);
	free(path);
	return listed;
}

static bool dot_available(void)
{
	static bool told;

	if (access(DOT_PATH, X_OK) == 0)
		return true;
	ck_assert_msg(!dot_required(), DOT_PATH " is missing although ci/setup installs graphviz");
	if (!told)
		fprintf(stderr,
			"test_graph: " DOT_PATH " is missing; the dot checks are skipped\n");
	told = true;
	return false;
}

/* dot -Tsvg takes the text with exit status 0 and says nothing of warnings or errors. */
static void check_dot_accepts(const char *what, const char *text, size_t len)
{
	const char *tmp = getenv("TMPDIR");
	char *input = format("%s/test_graph_dot_XXXXXX", tmp && *tmp ? tmp : "/tmp");
	char *messages = format("%s/test_graph_err_XXXXXX", tmp && *tmp ? tmp : "/tmp");
	int in_fd = mkstemp(input), err_fd = mkstemp(messages), status;
	char said[4096];
	ssize_t n;
	pid_t pid;

	ck_assert(in_fd >= 0 && err_fd >= 0);
	ck_assert_int_eq(write(in_fd, text, len), (ssize_t)len);
	ck_assert_int_eq(close(in_fd), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		dup2(err_fd, STDERR_FILENO);
		execl(DOT_PATH, "dot", "-Tsvg", "-o", "/dev/null", input, (char *)NULL);
		_exit(127);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	n = pread(err_fd, said, sizeof(said) - 1, 0);
	ck_assert_int_ge(n, 0);
	said[n] = '\0';
	close(err_fd);
	unlink(input);
	unlink(messages);
	free(input);
	free(messages);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "dot refused %s: %s", what,
		      said);
	ck_assert_msg(!strstr(said, "Warning") && !strstr(said, "Error"), "dot on %s: %s", what,
		      said);
}

/* ---- tests ------------------------------------------------------------------------------ */

/* Loads, draws, reads back and checks one file; returns its marked nodes. */
static char *check_file(const char *path)
{
	struct scenario sc;
	struct parsed_graph g;
	size_t len, len_again;
	char *text, *again, *marked;

	load_scenario(path, &sc);
	text = graph_text(&sc, &len);
	again = graph_text(&sc, &len_again);
	ck_assert_msg(len == len_again && memcmp(text, again, len) == 0, "%s: two pictures differ",
		      path);
	ck_assert_uint_eq(strlen(text), len);
	parse_graph(&sc.topo, text, &g);
	check_structure(&sc, &g);
	marked = marked_ids(&g);
	if (sc.n_sandbox == 0)
		ck_assert_str_eq(marked, "");
	if (dot_available())
		check_dot_accepts(path, text, len);
	free_graph(&g);
	free(again);
	free(text);
	scenario_free(&sc);
	return marked;
}

static size_t check_tree(const char *dir)
{
	DIR *listing = opendir(dir);
	struct dirent *entry;
	size_t checked = 0;

	ck_assert_msg(listing != NULL, "%s: %s", dir, strerror(errno));
	while ((entry = readdir(listing))) {
		char *path;
		struct stat st;
		size_t len = strlen(entry->d_name);

		if (entry->d_name[0] == '.')
			continue;
		path = format("%s/%s", dir, entry->d_name);
		ck_assert_int_eq(stat(path, &st), 0);
		if (S_ISDIR(st.st_mode)) {
			checked += check_tree(path);
		} else if (len > 5 && strcmp(entry->d_name + len - 5, ".yaml") == 0) {
			free(check_file(path));
			checked++;
		}
		free(path);
	}
	closedir(listing);
	return checked;
}

START_TEST(test_every_shipped_scenario)
{
	char *dir = format("%s/scenarios", source_dir());

	ck_assert_uint_ge(check_tree(dir), 20);
	free(dir);
}
END_TEST

static const struct {
	const char *file;
	const char *marked;
} handed_over[] = {
	{ "kata-10576.yaml", "0000:3b:00.0 0000:5e:00.0" },
	/* An address stands for its whole group: 3b:00.1 brings 3b:00.0 along. */
	{ "bdf-host-paths.yaml", "0000:3b:00.0 0000:3b:00.1 0000:5e:00.0" },
	/* iommufd nodes hand over single devices: vfio1 and vfio3 are VFs 1 and 3. */
	{ "iommufd-device-paths.yaml", "0000:17:01.1 0000:17:01.3" },
	{ "sriov-vfs-own-groups.yaml", "0000:3b:02.0 0000:3b:02.1 0000:3b:02.2 0000:3b:02.3 "
				       "0000:3b:02.4 0000:3b:02.5 0000:3b:02.6 0000:3b:02.7" },
	/* The PCIe-to-PCI bridge 02:00.0 shares group 9 but stays with the host. */
	{ "bridge-shares-group.yaml", "0000:03:00.0 0000:03:01.0" },
	{ "noiommu.yaml", "0000:01:00.0" },
	{ "mdev-vgpu.yaml", "0000:3b:00.0 mdev:4b2b5d2e-8a21-4c5e-9f3b-2d8e6a1c7f40 "
			    "mdev:83b8f4f2-509f-382f-3c1e-e6bfe0fa1001" },
	{ "pcie-switch.yaml", "0000:03:00.0 0000:05:00.0" },
};

START_TEST(test_sandbox_marks)
{
	char *path = format("%s/scenarios/%s", source_dir(), handed_over[_i].file);
	char *marked = check_file(path);

	ck_assert_msg(strcmp(marked, handed_over[_i].marked) == 0, "%s: marked '%s', want '%s'",
		      handed_over[_i].file, marked, handed_over[_i].marked);
	free(marked);
	free(path);
}
END_TEST

START_TEST(test_kata_picture)
{
	struct scenario sc;
	struct parsed_graph g;
	char *text;

	load_shipped("kata-10576.yaml", &sc);
	text = graph_text(&sc, NULL);
	parse_graph(&sc.topo, text, &g);
	ck_assert_str_eq(g.legend_sandbox.label, "handed to the sandbox:\n"
						 "/dev/vfio/215: IOMMU group 215\n"
						 "/dev/vfio/216: IOMMU group 216\n");
	ck_assert_str_eq(g.title,
			 "kata-10576\nTwo single-function NICs (Intel X710 and E810) behind root "
			 "ports on two root\nbuses of a Skylake-SP socket, each alone in its "
			 "IOMMU group (215 and 216),\nhanded to one sandbox.");
	ck_assert_ptr_nonnull(strstr(text, "\t\"0000:3a:00.0\" -> \"0000:3b:00.0\";\n"));
	ck_assert_ptr_nonnull(strstr(text, "\t\"pci0000:5d\" -> \"0000:5d:00.0\";\n"));
	ck_assert_ptr_nonnull(strstr(text, "\tsubgraph cluster_group_215 {\n"
					   "\t\tlabel=\"IOMMU group 215\";\n"));
	ck_assert(strstr(text, "rankdir=LR"));
	free_graph(&g);
	free(text);
	scenario_free(&sc);
}
END_TEST

/* Firmware labels and descriptions may hold quotes and backslashes; DOT must get them escaped
 * and a reader of the label must get them back. */
START_TEST(test_escaping)
{
	static const char yaml[] =
		"scenario: escaping\n"
		"description: 'say \"hi\" to C:\\dir\\ and \\N, \\G'\n"
		"devices:\n"
		"  0000:00:00.0: {id: 8086:2020, class: host-bridge}\n"
		"  0000:00:02.0: {id: 8086:1572, class: 0x0d1100, group: 3, driver: vfio-pci,\n"
		"                 label: 'Slot \"A\\\\1\" \\'}\n"
		"sandbox: [00:02.0]\n";
	struct scenario sc;
	struct parsed_graph g;
	char *text, *line;

	load_text(yaml, &sc);
	ck_assert_str_eq(sc.topo.functions[1].label, "Slot \"A\\\\1\" \\");
	text = graph_text(&sc, NULL);
	/* Every backslash in the text starts one of the escapes graph.h allows. */
	for (const char *p = strchr(text, '\\'); p; p = strchr(p + 2, '\\'))
		ck_assert_msg(strchr("\"\\nl", p[1]) != NULL, "escape \\%c", p[1]);
	ck_assert_ptr_nonnull(strstr(text, "\\n\\\"Slot \\\"A\\\\\\\\1\\\" \\\\\\\"\\n"));
	parse_graph(&sc.topo, text, &g);
	check_structure(&sc, &g);
	line = label_line(g.functions[1].label, 2);
	ck_assert_str_eq(line, "\"Slot \"A\\\\1\" \\\"");
	free(line);
	/* No class name for 0x0d1100: the number. */
	line = label_line(g.functions[1].label, 1);
	ck_assert_str_eq(line, "class 0x0d1100 [8086:1572]");
	free(line);
	ck_assert_str_eq(g.title, "escaping\nsay \"hi\" to C:\\dir\\ and \\N, \\G");
	ck_assert_str_eq(g.legend_sandbox.label,
			 "handed to the sandbox:\n00:02.0: IOMMU group 3\n");
	if (dot_available())
		check_dot_accepts("the escaping scenario", text, strlen(text));
	free_graph(&g);
	free(text);
	scenario_free(&sc);
}
END_TEST

/* Paths that name nothing mark nothing and say so; a group's bridges stay with the host. */
START_TEST(test_unresolved_paths)
{
	static const char yaml[] =
		"scenario: unresolved\n"
		"host: {vfio_cdev: false}\n"
		"devices:\n"
		"  0000:00:00.0: {id: 8086:2020, class: host-bridge}\n"
		"  0000:00:1c.0: {id: 8086:a110, class: pci-bridge, group: 9, secondary: 0x02}\n"
		"  0000:00:1f.0: {id: 8086:2918, class: isa-bridge, group: 9}\n"
		"  0000:02:00.0: {id: 10ec:8169, class: ethernet, driver: vfio-pci, group: 9}\n"
		"  0000:00:14.0: {id: 8086:a36d, class: usb-xhci, driver: xhci_hcd}\n"
		"sandbox: [/dev/vfio/99, 0000:00:14.0, 0000:05:00.0, /dev/vfio/devices/vfio0,\n"
		"          /dev/vfio/noiommu-9]\n";
	struct scenario sc;
	struct parsed_graph g;
	char *text, *marked;

	load_text(yaml, &sc);
	text = graph_text(&sc, NULL);
	parse_graph(&sc.topo, text, &g);
	check_structure(&sc, &g);
	ck_assert_str_eq(g.legend_sandbox.label, "handed to the sandbox:\n"
						 "/dev/vfio/99: no IOMMU group 99 on this host\n"
						 "0000:00:14.0: a device in no IOMMU group\n"
						 "0000:05:00.0: no such device\n"
						 "/dev/vfio/devices/vfio0: no such device\n"
						 "/dev/vfio/noiommu-9: IOMMU group 9\n");
	/* Group 9 through the noiommu spelling, as the naming reads it: the ISA bridge goes
	 * (class 0x0601 is no bridge to the naming), the PCI bridge stays. */
	marked = marked_ids(&g);
	ck_assert_str_eq(marked, "0000:00:1f.0 0000:02:00.0");
	free(marked);
	free_graph(&g);
	free(text);
	scenario_free(&sc);
}
END_TEST

/* A YAML host of n_buses root buses of 256 functions each: every other one bound to vfio-pci,
 * two functions a group, and a sandbox naming every fourth group and some device nodes. */
static char *many_functions_yaml(unsigned n_buses)
{
	char *text = NULL;
	size_t size = 0;
	FILE *out = open_memstream(&text, &size);
	unsigned n = n_buses * 256;

	ck_assert_ptr_nonnull(out);
	fprintf(out, "scenario: many\nroot_buses: [");
	for (unsigned bus = 1; bus < n_buses; bus++)
		fprintf(out, "%s\"0000:%02x\"", bus > 1 ? ", " : "", bus);
	fprintf(out, "]\ndevices:\n");
	for (unsigned i = 0; i < n; i++)
		fprintf(out,
			"  0000:%02x:%02x.%x: {id: 8086:1572, class: ethernet, driver: %s, "
			"group: %u}\n",
			i / 256, i / 8 % 32, i % 8, i % 2 ? "i40e" : "vfio-pci", i / 2);
	fprintf(out, "sandbox: [");
	for (unsigned group = 0; group < n / 2; group += 4)
		fprintf(out, "%s/dev/vfio/%u", group ? ", " : "", group);
	for (unsigned x = 1; x < n / 2; x += 64)
		fprintf(out, ", /dev/vfio/devices/vfio%u", x);
	fprintf(out, "]\n");
	ck_assert_int_eq(fclose(out), 0);
	return text;
}

static double cpu_seconds(void)
{
	struct timespec now;

	ck_assert_int_eq(clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now), 0);
	return (double)now.tv_sec + (double)now.tv_nsec / 1e9;
}

/* The fastest of a few runs, to /dev/null. */
static double time_graph(const struct scenario *sc)
{
	double best = -1;

	for (int run = 0; run < 3; run++) {
		FILE *sink = fopen("/dev/null", "w");
		double start = cpu_seconds(), took;

		ck_assert_ptr_nonnull(sink);
		ck_assert_int_eq(graph_write(sc, sink), 0);
		took = cpu_seconds() - start;
		ck_assert_int_eq(fclose(sink), 0);
		if (best < 0 || took < best)
			best = took;
	}
	return best;
}

START_TEST(test_many_functions)
{
	char *small_yaml = many_functions_yaml(16), *large_yaml = many_functions_yaml(64);
	struct scenario small, large;
	struct parsed_graph g;
	double small_time, large_time;
	char *text, *marked;
	size_t n_marked = 0;

	load_text(small_yaml, &small);
	load_text(large_yaml, &large);
	ck_assert_uint_eq(large.topo.n_functions, 16384);

	text = graph_text(&large, NULL);
	parse_graph(&large.topo, text, &g);
	check_structure(&large, &g);
	marked = marked_ids(&g);
	/* Both functions of every fourth group, and the 128 device nodes vfio1, vfio65, ...,
	 * the vfio-pci functions of groups 1, 65, ..., none of which is a fourth group. */
	for (const char *p = marked; *p; p++)
		n_marked += *p == ' ';
	ck_assert_uint_eq(n_marked + 1, 2 * 2048 + 128);
	/* The legend lists the first 32 paths and counts the rest. */
	ck_assert_uint_eq(label_lines(g.legend_sandbox.label), 1 + 32 + 1 + 1);
	ck_assert_ptr_nonnull(strstr(g.legend_sandbox.label, "\n... and 2144 more\n"));
	free(marked);
	free_graph(&g);
	free(text);

	/* Four times the functions, groups and sandbox: linear takes four times as long,
	 * quadratic sixteen. */
	small_time = time_graph(&small);
	large_time = time_graph(&large);
	ck_assert_msg(large_time < 10 * small_time + 0.002,
		      "4096 functions: %.4f s, 16384 functions: %.4f s", small_time, large_time);

	scenario_free(&small);
	scenario_free(&large);
	free(small_yaml);
	free(large_yaml);
}
END_TEST

START_TEST(test_write_error)
{
	struct scenario sc;
	FILE *full = fopen("/dev/full", "w");

	ck_assert_ptr_nonnull(full);
	load_shipped("kata-10576.yaml", &sc);
	errno = 0;
	ck_assert_int_eq(graph_write(&sc, full), -1);
	ck_assert_int_eq(errno, ENOSPC);
	fclose(full);
	scenario_free(&sc);
}
END_TEST

static Suite *graph_suite(void)
{
	Suite *suite = suite_create("graph");
	TCase *shipped = tcase_create("shipped");
	TCase *cases = tcase_create("cases");

	tcase_add_test(shipped, test_every_shipped_scenario);
	tcase_add_loop_test(shipped, test_sandbox_marks, 0,
			    sizeof(handed_over) / sizeof(handed_over[0]));
	tcase_add_test(shipped, test_kata_picture);
	tcase_set_timeout(shipped, 120);
	suite_add_tcase(suite, shipped);

	tcase_add_test(cases, test_escaping);
	tcase_add_test(cases, test_unresolved_paths);
	tcase_add_test(cases, test_many_functions);
	tcase_add_test(cases, test_write_error);
	tcase_set_timeout(cases, 300);
	suite_add_tcase(suite, cases);
	return suite;
}

int main(void)
{
	return check_run(graph_suite());
}

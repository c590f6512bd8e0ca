/* SPDX-License-Identifier: MIT */
/*
 * A picture of a scenario's host for Graphviz: `fakesys graph SCENARIO | dot -Tsvg`. It shows
 * the PCI tree, the IOMMU groups, what vfio-pci holds and what the sandbox is handed.
 */
#ifndef FAKESYS_GRAPH_H
#define FAKESYS_GRAPH_H

#include <stdio.h>

#include "scenario.h"

/*
 * Writes sc as one DOT digraph, laid out left to right, one statement per line:
 *
 * - a node "pciDDDD:BB" per root bus;
 * - a node per function, named by its address ("0000:3b:00.0"), labelled with the address,
 *   "<class name or class 0xCCSSPP> [vvvv:dddd]" (", VF <n>" for a virtual function), for a
 *   bridge "bus BB" or "buses BB-SS" (secondary to subordinate), the firmware label in quotes
 *   if any, and the driver or "(no driver)", one per line; bridges are square boxes, other
 *   functions rounded ones;
 * - a node "mdev:<uuid>" per mediated device, labelled "mdev <uuid>" and its type;
 * - edges from a root bus to the functions on it, from a bridge to the functions behind it,
 *   dashed from a physical function to its VFs (a VF has no other edge) and dotted from a
 *   parent to its mdevs: every function and mdev has exactly one edge in;
 * - per IOMMU group, in id order, `subgraph cluster_group_<id>` holding exactly its functions
 *   and mdevs, labelled "IOMMU group <id>" or "no-IOMMU group <id> (vfio-noiommu)";
 * - functions bound to vfio-pci filled light blue (fillcolor=lightblue); functions and mdevs
 *   handed to the sandbox drawn with a bold red border (color=red); and a legend cluster
 *   with the node "legend:vfio" and, when the scenario has a sandbox, "legend:sandbox"
 *   listing each host path and what it resolved to.
 *
 * Sandbox paths resolve as the naming does: /dev/vfio/<N> and /dev/vfio/noiommu-<N> to group N,
 * a PCI address (long, or short for domain 0000) to its function's group, and
 * /dev/vfio/devices/vfio<X> (hosts with vfio_cdev) to the X-th function bound to vfio-pci in
 * address order. A group hands over its mdevs and its functions except bridges (classes
 * 0x0600xx and 0x0604xx), which stay with the host; a path naming nothing marks nothing.
 *
 * The same scenario always gives the same bytes; the time taken is linear in the number of
 * functions, groups, mdevs and sandbox entries. Returns 0, or -1 with errno set when writing
 * to out fails or memory runs out (ENOMEM); out may then hold part of the picture.
 */
int graph_write(const struct scenario *sc, FILE *out);

#endif

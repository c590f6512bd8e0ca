/* SPDX-License-Identifier: MIT */
/*
 * fakesys record: a scenario from a live host's (or a copied tree's) PCI and IOMMU sysfs. The
 * model keys (devices, groups, drivers) say what the model can say; whatever it then serves
 * differently from the source goes into verbatim entries, so that replaying the file shows
 * every recorded attribute, link and listing as the source did.
 */
#ifndef FAKESYS_RECORD_H
#define FAKESYS_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct record_options {
	const char *root;      /* "/" for the live host */
	const char *name;      /* the scenario's name */
	bool children;	       /* keep devices of other subsystems below PCI functions */
	bool keep_identifiers; /* keep VPD and Device Serial Numbers */
	FILE *report;	       /* what could not be read or was left out, one line each */
	/*
	 * Called as the work goes on, phase by phase ("reading functions", "reading IOMMU
	 * groups", "loading the model", "comparing functions"): done of total, total 0 when not
	 * known. Counted in functions as the source lists them. NULL: not called.
	 */
	void (*progress)(void *arg, const char *phase, size_t done, size_t total);
	void *progress_arg;
};

/* What a recording held, for the closing summary. */
struct record_summary {
	size_t functions;
	size_t groups;
	size_t verbatim;
	size_t unreadable;
	size_t left_out;
};

/* Writes the scenario to out. 0, or -1 with a one-line reason in error. */
int record_host(const struct record_options *options, FILE *out, struct record_summary *summary,
		char *error, size_t error_size);

#endif

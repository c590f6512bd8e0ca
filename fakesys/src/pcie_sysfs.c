/* SPDX-License-Identifier: MIT */
/*
 * PCI Express files: the link attributes of pci-sysfs.c (consistent with the PCIe capability
 * pci_config.c writes) and the AER statistics of drivers/pci/pcie/aer.c.
 */
#include "pci_sysfs.h"

/* pci_speed_string(), by link generation. */
static const char *speed_string(uint8_t generation)
{
	static const char *const speeds[] = { "Unknown",       "2.5 GT/s PCIe",	 "5.0 GT/s PCIe",
					      "8.0 GT/s PCIe", "16.0 GT/s PCIe", "32.0 GT/s PCIe",
					      "64.0 GT/s PCIe" };

	return generation < sizeof(speeds) / sizeof(speeds[0]) ? speeds[generation] : speeds[0];
}

SYSFS_SHOW(current_link_speed)
{
	return sysfs_emit(buf, size, "%s\n", speed_string(pci_fn(obj)->pcie.speed));
}

SYSFS_SHOW(max_link_speed)
{
	return sysfs_emit(buf, size, "%s\n", speed_string(pci_fn(obj)->pcie.max_speed));
}

SYSFS_SHOW(current_link_width)
{
	return sysfs_emit(buf, size, "%u\n", pci_fn(obj)->pcie.width);
}

SYSFS_SHOW(max_link_width)
{
	return sysfs_emit(buf, size, "%u\n", pci_fn(obj)->pcie.max_width);
}

static const struct sysfs_attr attr_current_link_speed = { .name = "current_link_speed",
							   .mode = 0444,
							   .show = current_link_speed_show };
static const struct sysfs_attr attr_current_link_width = { .name = "current_link_width",
							   .mode = 0444,
							   .show = current_link_width_show };
static const struct sysfs_attr attr_max_link_speed = { .name = "max_link_speed",
						       .mode = 0444,
						       .show = max_link_speed_show };
static const struct sysfs_attr attr_max_link_width = { .name = "max_link_width",
						       .mode = 0444,
						       .show = max_link_width_show };

static const struct sysfs_attr *const pcie_link_attrs[] = {
	&attr_current_link_speed,
	&attr_current_link_width,
	&attr_max_link_speed,
	&attr_max_link_width,
	NULL,
};

static uint16_t pcie_link_attrs_are_visible(const void *obj, const struct sysfs_attr *attr)
{
	return pci_fn(obj)->pcie.present ? attr->mode : 0;
}

const struct sysfs_attr_group pcie_link_attr_group = {
	.attrs = pcie_link_attrs,
	.is_visible = pcie_link_attrs_are_visible,
};

/* ---- AER: every counter is 0 until an error is injected ------------------------------------ */

static const char *const correctable_errors[] = { "RxErr",	"BadTLP",  "BadDLLP",
						  "Rollover",	"Timeout", "NonFatalErr",
						  "CorrIntErr", "HeaderOF" };
static const char *const uncorrectable_errors[] = {
	"Undefined",	 "DLP",
	"SDES",		 "TLP",
	"FCP",		 "CmpltTO",
	"CmpltAbrt",	 "UnxCmplt",
	"RxOF",		 "MalfTLP",
	"ECRC",		 "UnsupReq",
	"ACSViol",	 "UncorrIntErr",
	"BlockedTLP",	 "AtomicOpBlocked",
	"TLPBlockedErr", "PoisonTLPBlocked",
};

/* aer_stats_dev_attr(): "<name> <count>" per known bit, then "TOTAL_<kind> <count>". */
static ssize_t emit_aer_stats(char *buf, size_t size, const char *const *names, size_t n,
			      const char *total)
{
	ssize_t len = 0;

	for (size_t i = 0; i < n; i++)
		len += sysfs_emit(buf + len, size - (size_t)len, "%s %llu\n", names[i], 0ULL);
	return len + sysfs_emit(buf + len, size - (size_t)len, "TOTAL_%s %llu\n", total, 0ULL);
}

#define N_OF(array) (sizeof(array) / sizeof((array)[0]))

SYSFS_SHOW(aer_dev_correctable)
{
	return emit_aer_stats(buf, size, correctable_errors, N_OF(correctable_errors), "ERR_COR");
}

SYSFS_SHOW(aer_dev_fatal)
{
	return emit_aer_stats(buf, size, uncorrectable_errors, N_OF(uncorrectable_errors),
			      "ERR_FATAL");
}

SYSFS_SHOW(aer_dev_nonfatal)
{
	return emit_aer_stats(buf, size, uncorrectable_errors, N_OF(uncorrectable_errors),
			      "ERR_NONFATAL");
}

SYSFS_SHOW(zero_count)
{
	return sysfs_emit(buf, size, "%llu\n", 0ULL);
}

static const struct sysfs_attr attr_aer_dev_correctable = { .name = "aer_dev_correctable",
							    .mode = 0444,
							    .show = aer_dev_correctable_show };
static const struct sysfs_attr attr_aer_dev_fatal = { .name = "aer_dev_fatal",
						      .mode = 0444,
						      .show = aer_dev_fatal_show };
static const struct sysfs_attr attr_aer_dev_nonfatal = { .name = "aer_dev_nonfatal",
							 .mode = 0444,
							 .show = aer_dev_nonfatal_show };
static const struct sysfs_attr attr_aer_rootport_total_err_cor = {
	.name = "aer_rootport_total_err_cor", .mode = 0444, .show = zero_count_show
};
static const struct sysfs_attr attr_aer_rootport_total_err_fatal = {
	.name = "aer_rootport_total_err_fatal", .mode = 0444, .show = zero_count_show
};
static const struct sysfs_attr attr_aer_rootport_total_err_nonfatal = {
	.name = "aer_rootport_total_err_nonfatal", .mode = 0444, .show = zero_count_show
};

static const struct sysfs_attr *const aer_attrs[] = {
	&attr_aer_dev_correctable,
	&attr_aer_dev_fatal,
	&attr_aer_dev_nonfatal,
	&attr_aer_rootport_total_err_cor,
	&attr_aer_rootport_total_err_fatal,
	&attr_aer_rootport_total_err_nonfatal,
	NULL,
};

/* AER statistics exist where the AER capability is: PCIe functions other than VFs; the root
 * port totals only on root ports and event collectors. */
static uint16_t aer_attrs_are_visible(const void *obj, const struct sysfs_attr *attr)
{
	const struct topo_function *fn = pci_fn(obj);
	bool root = fn->pcie.port_type == PCIE_ROOT_PORT ||
		    fn->pcie.port_type == PCIE_RC_EVENT_COLLECTOR;

	if (!fn->pcie.present || fn->physfn != TOPO_NONE)
		return 0;
	if ((attr == &attr_aer_rootport_total_err_cor ||
	     attr == &attr_aer_rootport_total_err_fatal ||
	     attr == &attr_aer_rootport_total_err_nonfatal) &&
	    !root)
		return 0;
	return attr->mode;
}

const struct sysfs_attr_group aer_attr_group = {
	.attrs = aer_attrs,
	.is_visible = aer_attrs_are_visible,
};

/* ---- link/: ASPM controls (pcie/aspm.c), a named group every function has ------------------ */

SYSFS_SHOW(aspm_disabled)
{
	return sysfs_emit(buf, size, "%d\n", 0);
}

static const struct sysfs_attr attr_clkpm = { .name = "clkpm",
					      .mode = 0644,
					      .show = aspm_disabled_show };
static const struct sysfs_attr attr_l0s_aspm = { .name = "l0s_aspm",
						 .mode = 0644,
						 .show = aspm_disabled_show };
static const struct sysfs_attr attr_l1_aspm = { .name = "l1_aspm",
						.mode = 0644,
						.show = aspm_disabled_show };

static const struct sysfs_attr *const aspm_ctrl_attrs[] = {
	&attr_clkpm,
	&attr_l0s_aspm,
	&attr_l1_aspm,
	NULL,
};

/* The controls belong to the downstream end of a link: a PCIe function below a port. Firmware
 * left ASPM off, so each reads 0. */
static uint16_t aspm_ctrl_attrs_are_visible(const void *obj, const struct sysfs_attr *attr)
{
	const struct topo_function *fn = pci_fn(obj);

	return fn->pcie.present && fn->pcie.max_speed && fn->parent != TOPO_NONE &&
			       fn->physfn == TOPO_NONE
		       ? attr->mode
		       : 0;
}

const struct sysfs_attr_group aspm_ctrl_attr_group = {
	.name = "link",
	.attrs = aspm_ctrl_attrs,
	.is_visible = aspm_ctrl_attrs_are_visible,
};

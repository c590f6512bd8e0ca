/* SPDX-License-Identifier: MIT */
/* power/: control, runtime_status, runtime_*_time, autosuspend_delay_ms. */
#include "power_sysfs.h"

#include <errno.h>

static const struct dev_pm_info *pm_of(const void *obj)
{
	return obj;
}

static ssize_t control_show(const void *obj, const struct sysfs_opener *opener, char *buf,
			    size_t size)
{
	(void)opener;
	return sysfs_emit(buf, size, "%s\n", pm_of(obj)->runtime_auto ? "auto" : "on");
}

static ssize_t runtime_status_show(const void *obj, const struct sysfs_opener *opener, char *buf,
				   size_t size)
{
	const struct dev_pm_info *pm = pm_of(obj);

	(void)opener;
	if (!pm->runtime_enabled)
		return sysfs_emit(buf, size, "unsupported\n");
	return sysfs_emit(buf, size, "%s\n", pm->suspended ? "suspended" : "active");
}

/* Nobody here uses autosuspend, and then the kernel refuses the read. */
static ssize_t autosuspend_delay_ms_show(const void *obj, const struct sysfs_opener *opener,
					 char *buf, size_t size)
{
	(void)obj;
	(void)opener;
	(void)buf;
	(void)size;
	return -EIO;
}

static const struct sysfs_attr control = { .name = "control", .mode = 0644, .show = control_show };
static const struct sysfs_attr runtime_status = { .name = "runtime_status",
						  .mode = 0444,
						  .show = runtime_status_show };
static const struct sysfs_attr runtime_active_time = { .name = "runtime_active_time",
						       .mode = 0444,
						       .show = sysfs_show_zero };
static const struct sysfs_attr runtime_suspended_time = { .name = "runtime_suspended_time",
							  .mode = 0444,
							  .show = sysfs_show_zero };
static const struct sysfs_attr autosuspend_delay_ms = { .name = "autosuspend_delay_ms",
							.mode = 0644,
							.show = autosuspend_delay_ms_show };

static const struct sysfs_attr *const power_attrs[] = {
	&control,
	&runtime_status,
	&runtime_active_time,
	&runtime_suspended_time,
	&autosuspend_delay_ms,
	NULL,
};

const struct sysfs_attr_group power_attr_group = {
	.name = "power",
	.attrs = power_attrs,
};

/* SPDX-License-Identifier: MIT */
/* dev ("MAJOR:MINOR") and uevent (MAJOR, MINOR, DEVNAME, DEVMODE) of devices with nodes. */
#include "device_sysfs.h"

static const struct chardev_obj *chardev_of(const void *obj)
{
	return obj;
}

static ssize_t dev_show(const void *obj, const struct sysfs_opener *opener, char *buf, size_t size)
{
	const struct chardev_obj *chr = chardev_of(obj);

	(void)opener;
	return sysfs_emit(buf, size, "%u:%u\n", chr->major, chr->minor);
}

/* dev_uevent(): DEVMODE only when the device's devnode callback gives a mode. */
static ssize_t uevent_show(const void *obj, const struct sysfs_opener *opener, char *buf,
			   size_t size)
{
	const struct chardev_obj *chr = chardev_of(obj);
	ssize_t len;

	(void)opener;
	len = sysfs_emit(buf, size, "MAJOR=%u\nMINOR=%u\nDEVNAME=%s\n", chr->major, chr->minor,
			 chr->devname);
	if (chr->devmode)
		len += sysfs_emit(buf + len, size - (size_t)len, "DEVMODE=%#o\n", chr->devmode);
	return len;
}

static const struct sysfs_attr attr_dev = { .name = "dev", .mode = 0444, .show = dev_show };
static const struct sysfs_attr attr_uevent = {
	.name = "uevent", .mode = 0644, .show = uevent_show, .store = sysfs_store_uevent
};

static const struct sysfs_attr *const chardev_attrs[] = {
	&attr_dev,
	&attr_uevent,
	NULL,
};
static const struct sysfs_attr_group chardev_group = { .attrs = chardev_attrs };

const struct sysfs_attr_group *const chardev_groups[] = {
	&chardev_group,
	&power_attr_group,
	NULL,
};

static const struct sysfs_attr attr_empty_uevent = {
	.name = "uevent", .mode = 0644, .show = sysfs_show_empty, .store = sysfs_store_uevent
};
static const struct sysfs_attr *const virtual_device_attrs[] = {
	&attr_empty_uevent,
	NULL,
};
static const struct sysfs_attr_group virtual_device_group = { .attrs = virtual_device_attrs };

const struct sysfs_attr_group *const virtual_device_groups[] = {
	&virtual_device_group,
	&power_attr_group,
	NULL,
};

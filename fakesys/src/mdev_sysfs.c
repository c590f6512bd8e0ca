/* SPDX-License-Identifier: MIT */
/* The files of mdev types, mdevs, /sys/bus/mdev and its driver, in mdev_sysfs.c's formats. */
#include "mdev_sysfs.h"

#include "bus_sysfs.h"

static const struct mdev_type_obj *type_of(const void *obj)
{
	return obj;
}

SYSFS_SHOW(available_instances)
{
	const struct mdev_type_obj *t = type_of(obj);

	return sysfs_emit(buf, size, "%u\n", t->type->instances - t->created);
}

SYSFS_SHOW(device_api)
{
	return sysfs_emit(buf, size, "%s\n", type_of(obj)->type->device_api);
}

SYSFS_SHOW(type_name)
{
	return sysfs_emit(buf, size, "%s\n", type_of(obj)->type->name);
}

SYSFS_SHOW(description)
{
	return sysfs_emit(buf, size, "%s\n", type_of(obj)->type->description);
}

static const struct sysfs_attr attr_available_instances = { .name = "available_instances",
							    .mode = 0444,
							    .show = available_instances_show };
static const struct sysfs_attr attr_device_api = { .name = "device_api",
						   .mode = 0444,
						   .show = device_api_show };
static const struct sysfs_attr attr_name = { .name = "name", .mode = 0444, .show = type_name_show };
static const struct sysfs_attr attr_description = { .name = "description",
						    .mode = 0444,
						    .show = description_show };
static const struct sysfs_attr attr_create = { .name = "create", .mode = 0200 };

static const struct sysfs_attr *const mdev_type_attrs[] = {
	&attr_available_instances, &attr_device_api, &attr_name,
	&attr_description,	   &attr_create,     NULL,
};

/* name and description are the parent driver's to offer. */
static uint16_t mdev_type_attrs_are_visible(const void *obj, const struct sysfs_attr *attr)
{
	const struct topo_mdev_type *type = type_of(obj)->type;

	if (attr == &attr_name)
		return type->name ? attr->mode : 0;
	if (attr == &attr_description)
		return type->description ? attr->mode : 0;
	return attr->mode;
}

static const struct sysfs_attr_group mdev_type_group = {
	.attrs = mdev_type_attrs,
	.is_visible = mdev_type_attrs_are_visible,
};

const struct sysfs_attr_group *const mdev_type_groups[] = {
	&mdev_type_group,
	NULL,
};

/* mdev_uevent() after the driver core's DRIVER line. */
SYSFS_SHOW(mdev_uevent)
{
	const struct mdev_device_obj *dev = obj;
	const struct topo_mdev *mdev = dev->mdev;

	return sysfs_emit(buf, size, "DRIVER=%s\nMDEV_TYPE=%s\n", MDEV_DRIVER_VFIO,
			  dev->topo->functions[mdev->parent].mdev_types[mdev->type].id);
}

static const struct sysfs_attr attr_mdev_uevent = {
	.name = "uevent", .mode = 0644, .show = mdev_uevent_show, .store = sysfs_store_uevent
};
static const struct sysfs_attr attr_remove = { .name = "remove", .mode = 0200 };

static const struct sysfs_attr *const mdev_device_attrs[] = {
	&attr_mdev_uevent,
	&attr_remove,
	NULL,
};
static const struct sysfs_attr_group mdev_device_group = { .attrs = mdev_device_attrs };

const struct sysfs_attr_group *const mdev_device_groups[] = {
	&mdev_device_group,
	&power_attr_group,
	NULL,
};

const struct sysfs_attr_group *const mdev_bus_type_groups[] = {
	&bus_type_attr_group,
	NULL,
};

const struct sysfs_attr_group *const mdev_driver_groups[] = {
	&bus_driver_attr_group,
	NULL,
};

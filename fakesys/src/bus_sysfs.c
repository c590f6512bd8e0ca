/* SPDX-License-Identifier: MIT */
/* The driver core's bus and driver files. */
#include "bus_sysfs.h"

#include <errno.h>
#include <string.h>

#include "sysfs_parse.h"

/* Device names as bus_find_device_by_name() compares them (sysfs_streq): one newline off. */
static const char *device_name(const char *buf, size_t len, char *name, size_t size)
{
	len = sysfs_strip_newline(buf, len);
	if (len >= size)
		return NULL;
	memcpy(name, buf, len);
	name[len] = '\0';
	return name;
}

/* drivers_probe_store(): ENODEV for no such device, else count, bound or not. */
SYSFS_STORE(drivers_probe)
{
	const struct bus_type_obj *bus = obj;
	char name[64];
	int err = -ENODEV;

	if (bus->ops && bus->ops->probe && device_name(buf, len, name, sizeof(name)))
		err = bus->ops->probe(bus->bus, name);
	return err ? err : (ssize_t)len;
}

/* bind_store(), unbind_store(): ENODEV for no such device, or one this driver does not
 * match (bind) or does not drive (unbind); else what binding gives. */
SYSFS_STORE(bind)
{
	const struct device_driver_obj *driver = obj;
	const struct bus_type_obj *bus = driver->bus;
	char name[64];
	int err = -ENODEV;

	if (bus->ops && bus->ops->bind && device_name(buf, len, name, sizeof(name)))
		err = bus->ops->bind(bus->bus, driver, name);
	return err ? err : (ssize_t)len;
}

SYSFS_STORE(unbind)
{
	const struct device_driver_obj *driver = obj;
	const struct bus_type_obj *bus = driver->bus;
	char name[64];
	int err = -ENODEV;

	if (bus->ops && bus->ops->unbind && device_name(buf, len, name, sizeof(name)))
		err = bus->ops->unbind(bus->bus, driver, name);
	return err ? err : (ssize_t)len;
}

SYSFS_SHOW(drivers_autoprobe)
{
	return sysfs_emit(buf, size, "%d\n", ((const struct bus_type_obj *)obj)->drivers_autoprobe);
}

/* drivers_autoprobe_store(): "0" turns it off, anything else on; never an error. */
SYSFS_STORE(drivers_autoprobe)
{
	((struct bus_type_obj *)obj)->drivers_autoprobe = buf[0] != '0';
	return (ssize_t)len;
}

static const struct sysfs_attr attr_drivers_autoprobe = { .name = "drivers_autoprobe",
							  .mode = 0644,
							  .show = drivers_autoprobe_show,
							  .store = drivers_autoprobe_store };
static const struct sysfs_attr attr_drivers_probe = { .name = "drivers_probe",
						      .mode = 0200,
						      .store = drivers_probe_store };
static const struct sysfs_attr attr_uevent = { .name = "uevent",
					       .mode = 0200,
					       .store = sysfs_store_uevent };
static const struct sysfs_attr attr_bind = { .name = "bind", .mode = 0200, .store = bind_store };
static const struct sysfs_attr attr_unbind = { .name = "unbind",
					       .mode = 0200,
					       .store = unbind_store };

static const struct sysfs_attr *const bus_type_attrs[] = {
	&attr_drivers_autoprobe,
	&attr_drivers_probe,
	&attr_uevent,
	NULL,
};

const struct sysfs_attr_group bus_type_attr_group = { .attrs = bus_type_attrs };

static const struct sysfs_attr *const bus_driver_attrs[] = {
	&attr_bind,
	&attr_unbind,
	&attr_uevent,
	NULL,
};

const struct sysfs_attr_group bus_driver_attr_group = { .attrs = bus_driver_attrs };

/* SPDX-License-Identifier: MIT */
/*
 * Loading a scenario file (format: scenarios/README.md). libyaml's event parser feeds a
 * recursive-descent reader that follows the format's grammar, so every value is checked as it
 * streams past: errors come in file order, and a collection where the format wants a scalar is
 * refused at its first level, however deep it goes. Whole-file rules (bus numbering, parents,
 * references between sections) are checked once the file is read, then the model is filled in.
 */
#include "scenario.h"

#include "hex.h"
#include "pci_class.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define SCALAR_MAX	   4096
#define FILE_SIZE_MAX	   (256u << 20)
#define SCENARIO_NAME_MAX  64
#define DRIVER_NAME_MAX	   64
#define CPUS_MAX	   8192
#define NUMA_NODES_MAX	   64
#define DEFAULT_CPUS	   8
#define DEFAULT_NUMA_NODES 1
#define BUS_MAX		   255
/* User text quoted in a message is cut to this many bytes, so that the message stays useful. */
#define SHOWN_TEXT_MAX 60

/* A device as read, with what the whole-file checks need beyond the model. */
struct pending_fn {
	struct topo_function fn;
	int32_t driver_name; /* index into loader.driver_names, or TOPO_NONE */
	int32_t group_id;    /* as written, or TOPO_NONE */
	bool has_secondary;
	bool has_subordinate;
	uint8_t given_subordinate;
	struct src_pos numa_pos; /* positions of values, for the whole-file checks */
	struct src_pos secondary_pos;
	struct src_pos subordinate_pos;
};

struct group_entry {
	int32_t id;
	enum iommu_group_type type;
	struct src_pos pos;
};

struct root_entry {
	struct topo_root_bus bus;
	struct src_pos pos;
};

/* A bus some bridge leads to: (domain, secondary) -> the bridge, for sorting and lookups. */
struct bus_link {
	uint32_t domain;
	uint8_t bus;
	uint32_t bridge; /* index into loader.fns */
};

/* Integer keys seen so far and where: duplicate detection in file order without sorting. */
struct pos_set {
	uint64_t *keys; /* key + 1; 0 marks a free slot */
	struct src_pos *positions;
	size_t n_slots; /* a power of two, at least twice count */
	size_t count;
};

/* Driver names, each stored once, with where the `drivers:` list named it. */
struct name_table {
	char **names;
	struct src_pos *listed; /* line 0: not in the `drivers:` list */
	size_t count;
	size_t capacity;
	uint32_t *slots; /* name index + 1; 0 marks a free slot */
	size_t n_slots;
};

struct loader {
	const char *path;
	char *error;
	yaml_parser_t parser;
	yaml_event_t event;
	bool have_event;
	const unsigned char *input;
	size_t input_len;
	char shown[2][SHOWN_TEXT_MAX + 4];
	unsigned next_shown;
	/* The earliest error found by a whole-file check; see note(). */
	bool noted;
	struct src_pos noted_pos;
	char noted_message[SCENARIO_ERROR_MAX];

	struct scenario sc;
	struct src_pos top_pos;
	struct src_pos scenario_pos;
	struct src_pos devices_pos;
	struct src_pos sandbox_pos;
	struct src_pos expect_pos;

	struct pending_fn *fns;
	size_t n_fns;
	size_t fns_capacity;
	struct pos_set device_set;
	struct group_entry *group_entries;
	size_t n_group_entries;
	size_t group_entries_capacity;
	struct pos_set group_set;
	struct root_entry *roots;
	size_t n_roots;
	size_t roots_capacity;
	struct pos_set root_set;
	struct name_table driver_names;
	size_t sandbox_capacity;
	size_t expect_capacity;
};

/* ---- errors ---------------------------------------------------------------------------- */

static void format_error(const struct loader *ld, struct src_pos pos, char *out, const char *format,
			 va_list args)
{
	int prefix;

	if (pos.line)
		prefix = snprintf(out, SCENARIO_ERROR_MAX, "%s:%u:%u: ", ld->path, pos.line,
				  pos.column);
	else
		prefix = snprintf(out, SCENARIO_ERROR_MAX, "%s: ", ld->path);
	if (prefix < 0 || prefix >= SCENARIO_ERROR_MAX)
		return;
	vsnprintf(out + prefix, SCENARIO_ERROR_MAX - (size_t)prefix, format, args);
}

static int fail(struct loader *ld, struct src_pos pos, const char *format, ...)
	__attribute__((format(printf, 3, 4)));

/* Writes the error; returns -1 so that callers can `return fail(...)`. */
static int fail(struct loader *ld, struct src_pos pos, const char *format, ...)
{
	va_list args;

	va_start(args, format);
	format_error(ld, pos, ld->error, format, args);
	va_end(args);
	return -1;
}

static int fail_out_of_memory(struct loader *ld)
{
	static const struct src_pos nowhere = { 0, 0 };

	return fail(ld, nowhere, "out of memory");
}

static bool pos_before(struct src_pos a, struct src_pos b)
{
	return a.line != b.line ? a.line < b.line : a.column < b.column;
}

static void note(struct loader *ld, struct src_pos pos, const char *format, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Whole-file checks visit things in address or bus order, not file order; they note every
 * problem and the earliest in the file is the one reported, as the streaming checks would.
 */
static void note(struct loader *ld, struct src_pos pos, const char *format, ...)
{
	va_list args;

	if (ld->noted && !pos_before(pos, ld->noted_pos))
		return;
	va_start(args, format);
	format_error(ld, pos, ld->noted_message, format, args);
	va_end(args);
	ld->noted = true;
	ld->noted_pos = pos;
}

static int report_noted(struct loader *ld)
{
	if (!ld->noted)
		return 0;
	memcpy(ld->error, ld->noted_message, SCENARIO_ERROR_MAX);
	return -1;
}

/* User text for a message: cut short if long, control characters replaced, on one line. */
static const char *shown(struct loader *ld, const char *text)
{
	char *out = ld->shown[ld->next_shown++ % 2];
	size_t len = strlen(text), keep = len;

	if (len > SHOWN_TEXT_MAX) {
		keep = SHOWN_TEXT_MAX;
		/* Do not cut a UTF-8 sequence in two. */
		while (keep > 0 && ((unsigned char)text[keep] & 0xc0) == 0x80)
			keep--;
	}
	for (size_t i = 0; i < keep; i++) {
		unsigned char c = (unsigned char)text[i];

		out[i] = c < 0x20 || c == 0x7f ? '?' : (char)c;
	}
	strcpy(out + keep, keep < len ? "..." : "");
	return out;
}

/* ---- small containers ------------------------------------------------------------------ */

/* Doubles the capacity of a growable array; NULL (and the array untouched) if out of memory. */
static void *grow_array(void *array, size_t *capacity, size_t element_size)
{
	size_t wanted = *capacity ? *capacity * 2 : 16;
	void *grown;

	if (wanted > SIZE_MAX / element_size)
		return NULL;
	grown = realloc(array, wanted * element_size);
	if (grown)
		*capacity = wanted;
	return grown;
}

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

static int pos_set_grow(struct pos_set *set)
{
	size_t n_slots = set->n_slots ? set->n_slots * 2 : 64;
	uint64_t *keys = calloc(n_slots, sizeof(*keys));
	struct src_pos *positions = calloc(n_slots, sizeof(*positions));

	if (!keys || !positions) {
		free(keys);
		free(positions);
		return -1;
	}
	for (size_t i = 0; i < set->n_slots; i++) {
		size_t slot;

		if (!set->keys[i])
			continue;
		slot = mix64(set->keys[i]) & (n_slots - 1);
		while (keys[slot])
			slot = (slot + 1) & (n_slots - 1);
		keys[slot] = set->keys[i];
		positions[slot] = set->positions[i];
	}
	free(set->keys);
	free(set->positions);
	set->keys = keys;
	set->positions = positions;
	set->n_slots = n_slots;
	return 0;
}

/* 0: key recorded at pos; 1: key seen before, at *first; -1: out of memory. */
static int pos_set_add(struct pos_set *set, uint64_t key, struct src_pos pos, struct src_pos *first)
{
	uint64_t stored = key + 1;
	size_t slot;

	if ((set->count + 1) * 2 > set->n_slots && pos_set_grow(set) != 0)
		return -1;
	slot = mix64(stored) & (set->n_slots - 1);
	while (set->keys[slot]) {
		if (set->keys[slot] == stored) {
			*first = set->positions[slot];
			return 1;
		}
		slot = (slot + 1) & (set->n_slots - 1);
	}
	set->keys[slot] = stored;
	set->positions[slot] = pos;
	set->count++;
	return 0;
}

static void pos_set_free(struct pos_set *set)
{
	free(set->keys);
	free(set->positions);
}

static uint64_t hash_name(const char *name)
{
	uint64_t hash = 0xcbf29ce484222325ull; /* FNV-1a */

	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		hash = (hash ^ *p) * 0x100000001b3ull;
	return hash;
}

static int name_table_grow_slots(struct name_table *table)
{
	size_t n_slots = table->n_slots ? table->n_slots * 2 : 32;
	uint32_t *slots = calloc(n_slots, sizeof(*slots));

	if (!slots)
		return -1;
	for (size_t i = 0; i < table->count; i++) {
		size_t slot = hash_name(table->names[i]) & (n_slots - 1);

		while (slots[slot])
			slot = (slot + 1) & (n_slots - 1);
		slots[slot] = (uint32_t)i + 1;
	}
	free(table->slots);
	table->slots = slots;
	table->n_slots = n_slots;
	return 0;
}

/* The index of name in the table, adding it if new; -1 if out of memory. */
static int32_t name_table_intern(struct name_table *table, const char *name)
{
	size_t slot;

	if ((table->count + 1) * 2 > table->n_slots && name_table_grow_slots(table) != 0)
		return -1;
	slot = hash_name(name) & (table->n_slots - 1);
	while (table->slots[slot]) {
		uint32_t index = table->slots[slot] - 1;

		if (strcmp(table->names[index], name) == 0)
			return (int32_t)index;
		slot = (slot + 1) & (table->n_slots - 1);
	}
	if (table->count == table->capacity) {
		size_t capacity = table->capacity;
		char **names = grow_array(table->names, &capacity, sizeof(*names));
		struct src_pos *listed;

		if (!names)
			return -1;
		table->names = names;
		capacity = table->capacity;
		listed = grow_array(table->listed, &capacity, sizeof(*listed));
		if (!listed)
			return -1;
		table->listed = listed;
		table->capacity = capacity;
	}
	table->names[table->count] = strdup(name);
	if (!table->names[table->count])
		return -1;
	table->listed[table->count] = (struct src_pos){ 0, 0 };
	table->slots[slot] = (uint32_t)table->count + 1;
	return (int32_t)table->count++;
}

static void name_table_free(struct name_table *table)
{
	for (size_t i = 0; i < table->count; i++)
		free(table->names[i]);
	free(table->names);
	free(table->listed);
	free(table->slots);
}

/* ---- events ---------------------------------------------------------------------------- */

static struct src_pos mark_pos(yaml_mark_t mark)
{
	return (struct src_pos){ (uint32_t)mark.line + 1, (uint32_t)mark.column + 1 };
}

static struct src_pos event_pos(const struct loader *ld)
{
	return mark_pos(ld->event.start_mark);
}

/* libyaml gives no mark for a decoding error, only a byte offset; count characters up to it. */
static struct src_pos offset_pos(const struct loader *ld, size_t offset)
{
	struct src_pos pos = { 1, 1 };

	for (size_t i = 0; i < offset && i < ld->input_len; i++) {
		if (ld->input[i] == '\n') {
			pos.line++;
			pos.column = 1;
		} else if ((ld->input[i] & 0xc0) != 0x80) {
			pos.column++;
		}
	}
	return pos;
}

static int fail_syntax(struct loader *ld)
{
	const yaml_parser_t *parser = &ld->parser;
	const char *problem = parser->problem ? parser->problem : "malformed YAML";

	switch (parser->error) {
	case YAML_MEMORY_ERROR:
		return fail_out_of_memory(ld);
	case YAML_READER_ERROR:
		return fail(ld, offset_pos(ld, parser->problem_offset), "%s", problem);
	default:
		break;
	}
	if (parser->context) {
		struct src_pos context_pos = mark_pos(parser->context_mark);

		return fail(ld, mark_pos(parser->problem_mark), "%s (%s at %u:%u)", problem,
			    parser->context, context_pos.line, context_pos.column);
	}
	return fail(ld, mark_pos(parser->problem_mark), "%s", problem);
}

static int refuse_anchor_and_tag(struct loader *ld, const yaml_char_t *anchor,
				 const yaml_char_t *tag)
{
	if (anchor)
		return fail(ld, event_pos(ld), "anchors and aliases are not supported");
	if (tag)
		return fail(ld, event_pos(ld), "tags are not supported");
	return 0;
}

/* Reads the next event into ld->event, refusing what the format never accepts anywhere. */
static int next_event(struct loader *ld)
{
	yaml_event_t *event = &ld->event;

	if (ld->have_event) {
		yaml_event_delete(event);
		ld->have_event = false;
	}
	if (!yaml_parser_parse(&ld->parser, event))
		return fail_syntax(ld);
	ld->have_event = true;

	switch (event->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (event->data.document_start.tag_directives.start !=
		    event->data.document_start.tag_directives.end)
			return fail(ld, event_pos(ld), "tags are not supported");
		return 0;
	case YAML_ALIAS_EVENT:
		return fail(ld, event_pos(ld), "anchors and aliases are not supported");
	case YAML_SCALAR_EVENT:
		if (refuse_anchor_and_tag(ld, event->data.scalar.anchor, event->data.scalar.tag))
			return -1;
		if (event->data.scalar.length > SCALAR_MAX)
			return fail(ld, event_pos(ld), "scalar is %zu bytes long; the limit is %d",
				    event->data.scalar.length, SCALAR_MAX);
		if (memchr(event->data.scalar.value, '\0', event->data.scalar.length))
			return fail(ld, event_pos(ld), "scalar contains a NUL character");
		return 0;
	case YAML_SEQUENCE_START_EVENT:
		return refuse_anchor_and_tag(ld, event->data.sequence_start.anchor,
					     event->data.sequence_start.tag);
	case YAML_MAPPING_START_EVENT:
		return refuse_anchor_and_tag(ld, event->data.mapping_start.anchor,
					     event->data.mapping_start.tag);
	default:
		return 0;
	}
}

static bool at(const struct loader *ld, yaml_event_type_t type)
{
	return ld->event.type == type;
}

static const char *scalar_text(const struct loader *ld)
{
	return (const char *)ld->event.data.scalar.value;
}

static bool scalar_is_plain(const struct loader *ld)
{
	return ld->event.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

/* An unquoted empty value, `~` or `null`: YAML's null, which is never a valid value here. */
static bool at_null(const struct loader *ld)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL" };

	if (!at(ld, YAML_SCALAR_EVENT) || !scalar_is_plain(ld))
		return false;
	for (size_t i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++) {
		if (strcmp(scalar_text(ld), nulls[i]) == 0)
			return true;
	}
	return false;
}

/* ---- scalar values --------------------------------------------------------------------- */

static bool is_decimal(char c)
{
	return c >= '0' && c <= '9';
}

static bool has_hex_prefix(const char *text)
{
	return text[0] == '0' && (text[1] == 'x' || text[1] == 'X');
}

/* Exactly `digits` hex digits at text, into *value. */
static bool parse_fixed_hex(const char *text, size_t digits, uint32_t *value)
{
	uint32_t accumulated = 0;

	for (size_t i = 0; i < digits; i++) {
		int digit = hex_digit_value(text[i]);

		if (digit < 0)
			return false;
		accumulated = accumulated << 4 | (uint32_t)digit;
	}
	*value = accumulated;
	return true;
}

enum number_shape { NUMBER_OK, NUMBER_MALFORMED, NUMBER_LEADING_ZERO, NUMBER_HUGE };

/* Decimal or 0x-hex with an optional '-': the only integer spellings the format has. */
static enum number_shape parse_number(const char *text, bool *negative, unsigned long long *value)
{
	const char *p = text;
	unsigned long long accumulated = 0;
	size_t digits = 0;
	bool huge = false;

	*negative = *p == '-';
	if (*negative)
		p++;
	if (has_hex_prefix(p)) {
		for (p += 2; hex_digit_value(*p) >= 0; p++, digits++) {
			if (accumulated > ULLONG_MAX >> 4)
				huge = true;
			else
				accumulated = accumulated << 4 | (unsigned)hex_digit_value(*p);
		}
	} else {
		const char *first = p;

		for (; is_decimal(*p); p++, digits++) {
			if (accumulated > (ULLONG_MAX - 9) / 10)
				huge = true;
			else
				accumulated = accumulated * 10 + (unsigned)(*p - '0');
		}
		if (digits > 1 && *first == '0' && *p == '\0')
			return NUMBER_LEADING_ZERO;
	}
	if (digits == 0 || *p != '\0')
		return NUMBER_MALFORMED;
	*value = accumulated;
	return huge ? NUMBER_HUGE : NUMBER_OK;
}

/* The current event as an integer within [min, max]; label names it in messages. */
static int value_integer(struct loader *ld, const char *label, long long min, long long max,
			 long long *out)
{
	bool negative;
	unsigned long long magnitude;
	const char *text;
	enum number_shape shape;

	if (!at(ld, YAML_SCALAR_EVENT) || at_null(ld))
		return fail(ld, event_pos(ld), "%s must be an integer", label);
	text = scalar_text(ld);
	shape = parse_number(text, &negative, &magnitude);
	if (shape == NUMBER_LEADING_ZERO)
		return fail(ld, event_pos(ld),
			    "%s must be an integer (decimal without leading zeros, or 0x hex)",
			    label);
	if (shape == NUMBER_MALFORMED)
		return fail(ld, event_pos(ld), "%s must be an integer", label);
	if (!scalar_is_plain(ld))
		return fail(ld, event_pos(ld), "%s must be an integer, not a quoted string", label);
	if (shape == NUMBER_HUGE || magnitude > (unsigned long long)LLONG_MAX ||
	    (negative && min >= 0) ||
	    (negative ? -(long long)magnitude : (long long)magnitude) < min ||
	    (!negative && (long long)magnitude > max))
		return fail(ld, event_pos(ld), "%s %s is out of range (%lld..%lld)", label,
			    shown(ld, text), min, max);
	*out = negative ? -(long long)magnitude : (long long)magnitude;
	return 0;
}

/* The current event as a string (any scalar style; never null). */
static int value_string(struct loader *ld, const char *label, const char **out)
{
	if (!at(ld, YAML_SCALAR_EVENT) || at_null(ld))
		return fail(ld, event_pos(ld), "%s must be a string", label);
	*out = scalar_text(ld);
	return 0;
}

static int value_nonempty_string(struct loader *ld, const char *label, const char **out)
{
	if (value_string(ld, label, out) != 0)
		return -1;
	if (**out == '\0')
		return fail(ld, event_pos(ld), "%s must not be empty", label);
	return 0;
}

static int value_copy(struct loader *ld, const char *label, bool allow_empty, char **out)
{
	const char *text;

	if ((allow_empty ? value_string(ld, label, &text)
			 : value_nonempty_string(ld, label, &text)) != 0)
		return -1;
	*out = strdup(text);
	return *out ? 0 : fail_out_of_memory(ld);
}

/* "VVVV:DDDD", as lspci -n prints vendor and device. */
static int value_id_pair(struct loader *ld, const char *label, uint16_t *vendor, uint16_t *device)
{
	const char *text;
	uint32_t high, low;

	if (value_string(ld, label, &text) != 0)
		return -1;
	if (strlen(text) != 9 || text[4] != ':' || !parse_fixed_hex(text, 4, &high) ||
	    !parse_fixed_hex(text + 5, 4, &low))
		return fail(ld, event_pos(ld), "%s must be VVVV:DDDD (4 hex digits each), not '%s'",
			    label, shown(ld, text));
	*vendor = (uint16_t)high;
	*device = (uint16_t)low;
	return 0;
}

static bool all_decimal(const char *text)
{
	if (!*text)
		return false;
	for (; *text; text++) {
		if (!is_decimal(*text))
			return false;
	}
	return true;
}

/* A class name from the table, 0xCCSS (prog-if 0) or 0xCCSSPP. */
static int value_class(struct loader *ld, uint32_t *code)
{
	const char *text;
	size_t len;

	if (!at(ld, YAML_SCALAR_EVENT) || at_null(ld))
		return fail(ld, event_pos(ld), "'class' must be a class name or number");
	text = scalar_text(ld);
	len = strlen(text);
	if (has_hex_prefix(text) || all_decimal(text)) {
		uint32_t value;

		if (!scalar_is_plain(ld))
			return fail(ld, event_pos(ld),
				    "'class' must be a class name or an unquoted number");
		if (has_hex_prefix(text) && (len == 6 || len == 8) &&
		    parse_fixed_hex(text + 2, len - 2, &value)) {
			*code = len == 6 ? value << 8 : value;
			return 0;
		}
		return fail(ld, event_pos(ld),
			    "ambiguous class number '%s': write 0xCCSS (4 hex digits, prog-if 0) "
			    "or 0xCCSSPP (6 hex digits)",
			    shown(ld, text));
	}
	if (!pci_class_from_name(text, code))
		return fail(ld, event_pos(ld),
			    "unknown class '%s' (names such as ethernet, nvme, vga, 3d, audio, "
			    "pci-bridge; all are listed in scenarios/README.md)",
			    shown(ld, text));
	return 0;
}

/* A directory name under /sys/bus/pci/drivers. */
static bool is_driver_name(const char *text)
{
	size_t len = strlen(text);

	if (len == 0 || len > DRIVER_NAME_MAX || strcmp(text, ".") == 0 || strcmp(text, "..") == 0)
		return false;
	for (const char *p = text; *p; p++) {
		char c = *p;

		if (!(is_decimal(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      c == '_' || c == '.' || c == '-'))
			return false;
	}
	return true;
}

static int value_driver(struct loader *ld, const char *label, int32_t *index)
{
	const char *text;

	if (value_string(ld, label, &text) != 0)
		return -1;
	if (!is_driver_name(text))
		return fail(ld, event_pos(ld),
			    "malformed driver name '%s' "
			    "(letters, digits, '_', '.' and '-'; at most %d)",
			    shown(ld, text), DRIVER_NAME_MAX);
	*index = name_table_intern(&ld->driver_names, text);
	return *index < 0 ? fail_out_of_memory(ld) : 0;
}

/* "DDDD:BB", as in /sys/devices/pciDDDD:BB. */
static bool parse_root_bus(const char *text, struct topo_root_bus *out)
{
	struct pci_addr addr;
	char full[PCI_ADDR_STRLEN + 8];
	size_t len = strlen(text);

	/* Borrow the address parser's domain and bus rules by completing the address. */
	if (len < 7 || len > 11 || text[len - 3] != ':')
		return false;
	snprintf(full, sizeof(full), "%s:00.0", text);
	if (!pci_addr_parse(full, &addr))
		return false;
	out->domain = addr.domain;
	out->bus = addr.bus;
	return true;
}

/* A group number as a host path spells it: decimal, no sign, no leading zero. */
static bool is_group_number(const char *text)
{
	bool negative;
	unsigned long long value;

	return is_decimal(*text) && !has_hex_prefix(text) &&
	       parse_number(text, &negative, &value) == NUMBER_OK && value <= INT32_MAX;
}

static bool is_sandbox_path(const char *text)
{
	static const char vfio[] = "/dev/vfio/";
	static const char noiommu[] = "noiommu-";
	struct pci_addr addr;
	char full[PCI_ADDR_STRLEN + 8];

	if (strncmp(text, vfio, sizeof(vfio) - 1) == 0) {
		const char *rest = text + sizeof(vfio) - 1;

		if (strncmp(rest, noiommu, sizeof(noiommu) - 1) == 0)
			rest += sizeof(noiommu) - 1;
		return is_group_number(rest);
	}
	if (strlen(text) == 7) {
		snprintf(full, sizeof(full), "0000:%s", text);
		return pci_addr_parse(full, &addr);
	}
	return pci_addr_parse(text, &addr);
}

/* ---- mappings -------------------------------------------------------------------------- */

/*
 * The current event as a key of a mapping whose keys are fixed names: its index in keys,
 * refusing unknown and repeated keys. seen[] holds where each key was met (line 0: not yet).
 */
static int take_key(struct loader *ld, const char *const *keys, size_t n_keys, struct src_pos *seen,
		    const char *where, size_t *index)
{
	const char *text;

	if (!at(ld, YAML_SCALAR_EVENT))
		return fail(ld, event_pos(ld), "mapping keys must be scalars");
	text = scalar_text(ld);
	for (size_t i = 0; i < n_keys; i++) {
		if (strcmp(keys[i], text) != 0)
			continue;
		if (seen[i].line)
			return fail(ld, event_pos(ld), "duplicate key '%s' (first at %u:%u)",
				    keys[i], seen[i].line, seen[i].column);
		seen[i] = event_pos(ld);
		*index = i;
		return 0;
	}
	return fail(ld, event_pos(ld), "unknown key '%s' %s", shown(ld, text), where);
}

/* Expects the current event to open a mapping; label names the value in the message. */
static int open_mapping(struct loader *ld, const char *label)
{
	if (!at(ld, YAML_MAPPING_START_EVENT))
		return fail(ld, event_pos(ld), "%s must be a mapping", label);
	return 0;
}

static int open_sequence(struct loader *ld, const char *label)
{
	if (!at(ld, YAML_SEQUENCE_START_EVENT))
		return fail(ld, event_pos(ld), "%s must be a list", label);
	return 0;
}

/* Reads the next key of an open mapping: 1 with the key as current event, 0 at its end. */
static int next_key(struct loader *ld)
{
	if (next_event(ld) != 0)
		return -1;
	if (at(ld, YAML_MAPPING_END_EVENT))
		return 0;
	if (!at(ld, YAML_SCALAR_EVENT))
		return fail(ld, event_pos(ld), "mapping keys must be scalars");
	return 1;
}

/* Reads the next item of an open list: 1 with the item as current event, 0 at its end. */
static int next_item(struct loader *ld)
{
	if (next_event(ld) != 0)
		return -1;
	return at(ld, YAML_SEQUENCE_END_EVENT) ? 0 : 1;
}

/* ---- sections -------------------------------------------------------------------------- */

enum device_key {
	DEVICE_ID,
	DEVICE_CLASS,
	DEVICE_SUBSYSTEM,
	DEVICE_REVISION,
	DEVICE_DRIVER,
	DEVICE_GROUP,
	DEVICE_NUMA_NODE,
	DEVICE_IRQ,
	DEVICE_SECONDARY,
	DEVICE_SUBORDINATE,
	DEVICE_KEY_COUNT
};

static const char *const device_keys[DEVICE_KEY_COUNT] = {
	[DEVICE_ID] = "id",
	[DEVICE_CLASS] = "class",
	[DEVICE_SUBSYSTEM] = "subsystem",
	[DEVICE_REVISION] = "revision",
	[DEVICE_DRIVER] = "driver",
	[DEVICE_GROUP] = "group",
	[DEVICE_NUMA_NODE] = "numa_node",
	[DEVICE_IRQ] = "irq",
	[DEVICE_SECONDARY] = "secondary",
	[DEVICE_SUBORDINATE] = "subordinate",
};

static int read_device_value(struct loader *ld, struct pending_fn *pending, enum device_key key)
{
	struct topo_function *fn = &pending->fn;
	char label[24];
	long long value;

	snprintf(label, sizeof(label), "'%s'", device_keys[key]);
	switch (key) {
	case DEVICE_ID:
		return value_id_pair(ld, label, &fn->vendor, &fn->device);
	case DEVICE_CLASS:
		return value_class(ld, &fn->class_code);
	case DEVICE_SUBSYSTEM:
		return value_id_pair(ld, label, &fn->subsys_vendor, &fn->subsys_device);
	case DEVICE_DRIVER:
		return value_driver(ld, label, &pending->driver_name);
	default:
		break;
	}

	switch (key) {
	case DEVICE_REVISION:
		if (value_integer(ld, label, 0, 255, &value) != 0)
			return -1;
		fn->revision = (uint8_t)value;
		return 0;
	case DEVICE_GROUP:
		if (value_integer(ld, label, 0, INT32_MAX, &value) != 0)
			return -1;
		pending->group_id = (int32_t)value;
		return 0;
	case DEVICE_NUMA_NODE:
		if (value_integer(ld, label, -1, NUMA_NODES_MAX - 1, &value) != 0)
			return -1;
		fn->numa_node = (int32_t)value;
		pending->numa_pos = event_pos(ld);
		return 0;
	case DEVICE_IRQ:
		if (value_integer(ld, label, 0, 255, &value) != 0)
			return -1;
		fn->irq = (uint8_t)value;
		return 0;
	case DEVICE_SECONDARY:
		if (value_integer(ld, label, 1, BUS_MAX, &value) != 0)
			return -1;
		fn->secondary_bus = (uint8_t)value;
		pending->has_secondary = true;
		pending->secondary_pos = event_pos(ld);
		return 0;
	case DEVICE_SUBORDINATE:
		if (value_integer(ld, label, 1, BUS_MAX, &value) != 0)
			return -1;
		pending->given_subordinate = (uint8_t)value;
		pending->has_subordinate = true;
		pending->subordinate_pos = event_pos(ld);
		return 0;
	default:
		return -1;
	}
}

/* The rules that concern one device alone, checked when its mapping ends. */
static int check_device(struct loader *ld, struct pending_fn *pending, const struct src_pos *seen,
			const char *name)
{
	struct topo_function *fn = &pending->fn;

	if (!seen[DEVICE_ID].line)
		return fail(ld, fn->pos, "device %s has no 'id'", name);
	if (!seen[DEVICE_CLASS].line)
		return fail(ld, fn->pos, "device %s has no 'class'", name);
	fn->is_bridge = pci_class_is_bridge(fn->class_code);
	if (!fn->is_bridge) {
		enum device_key first = DEVICE_SECONDARY;

		if (!seen[DEVICE_SECONDARY].line ||
		    (seen[DEVICE_SUBORDINATE].line &&
		     pos_before(seen[DEVICE_SUBORDINATE], seen[DEVICE_SECONDARY])))
			first = DEVICE_SUBORDINATE;
		if (seen[first].line)
			return fail(ld, seen[first],
				    "'%s' is only for bridges (class 0x0604xx or 0x0609xx); device "
				    "%s is class 0x%06x",
				    device_keys[first], name, fn->class_code);
	}
	if (pending->has_secondary && fn->secondary_bus <= fn->addr.bus)
		return fail(ld, pending->secondary_pos,
			    "'secondary' 0x%02x of bridge %s must be above its own bus 0x%02x",
			    fn->secondary_bus, name, fn->addr.bus);
	if (pending->has_secondary && pending->has_subordinate &&
	    pending->given_subordinate < fn->secondary_bus)
		return fail(ld, pending->subordinate_pos,
			    "'subordinate' 0x%02x of bridge %s is below its 'secondary' 0x%02x",
			    pending->given_subordinate, name, fn->secondary_bus);
	if (!seen[DEVICE_SUBSYSTEM].line && !fn->is_bridge) {
		fn->subsys_vendor = fn->vendor;
		fn->subsys_device = fn->device;
	}
	return 0;
}

static int read_device(struct loader *ld, const struct pci_addr *addr, struct src_pos key_pos)
{
	struct src_pos seen[DEVICE_KEY_COUNT] = { { 0, 0 } };
	struct pending_fn *pending;
	char name[PCI_ADDR_STRLEN], where[PCI_ADDR_STRLEN + 16], label[PCI_ADDR_STRLEN + 16];
	int more;

	pci_addr_format(addr, name);
	snprintf(label, sizeof(label), "device %s", name);
	if (open_mapping(ld, label) != 0)
		return -1;
	if (ld->n_fns == ld->fns_capacity) {
		struct pending_fn *grown = grow_array(ld->fns, &ld->fns_capacity, sizeof(*grown));

		if (!grown)
			return fail_out_of_memory(ld);
		ld->fns = grown;
	}
	pending = &ld->fns[ld->n_fns];
	memset(pending, 0, sizeof(*pending));
	pending->fn.addr = *addr;
	pending->fn.pos = key_pos;
	pending->fn.numa_node = -1;
	pending->fn.group = TOPO_NONE;
	pending->fn.driver = TOPO_NONE;
	pending->fn.parent = TOPO_NONE;
	pending->driver_name = TOPO_NONE;
	pending->group_id = TOPO_NONE;

	snprintf(where, sizeof(where), "in device %s", name);
	while ((more = next_key(ld)) == 1) {
		size_t key;

		if (take_key(ld, device_keys, DEVICE_KEY_COUNT, seen, where, &key) != 0 ||
		    next_event(ld) != 0 ||
		    read_device_value(ld, pending, (enum device_key)key) != 0)
			return -1;
	}
	if (more < 0 || check_device(ld, pending, seen, name) != 0)
		return -1;
	ld->n_fns++;
	return 0;
}

static uint64_t device_key(const struct pci_addr *addr)
{
	return (uint64_t)addr->domain << 16 | (uint64_t)addr->bus << 8 | (uint64_t)addr->dev << 3 |
	       addr->fn;
}

static int read_devices(struct loader *ld)
{
	struct src_pos start = event_pos(ld);
	int more;

	if (open_mapping(ld, "'devices'") != 0)
		return -1;
	while ((more = next_key(ld)) == 1) {
		struct pci_addr addr;
		struct src_pos key_pos = event_pos(ld), first;
		char name[PCI_ADDR_STRLEN];
		int seen;

		if (!pci_addr_parse(scalar_text(ld), &addr))
			return fail(ld, key_pos,
				    "malformed PCI address '%s' (expected DDDD:BB:DD.F)",
				    shown(ld, scalar_text(ld)));
		seen = pos_set_add(&ld->device_set, device_key(&addr), key_pos, &first);
		if (seen < 0)
			return fail_out_of_memory(ld);
		pci_addr_format(&addr, name);
		if (seen)
			return fail(ld, key_pos, "duplicate device %s (first at %u:%u)", name,
				    first.line, first.column);
		if (next_event(ld) != 0 || read_device(ld, &addr, key_pos) != 0)
			return -1;
	}
	if (more < 0)
		return -1;
	if (ld->n_fns == 0)
		return fail(ld, start, "'devices' must not be empty");
	return 0;
}

static int read_group(struct loader *ld, struct group_entry *entry)
{
	static const char *const keys[] = { "type" };
	struct src_pos seen[1] = { { 0, 0 } };
	char label[32], where[32];
	int more;

	snprintf(label, sizeof(label), "group %d", (int)entry->id);
	snprintf(where, sizeof(where), "in group %d", (int)entry->id);
	if (open_mapping(ld, label) != 0)
		return -1;
	while ((more = next_key(ld)) == 1) {
		size_t key;
		const char *text;

		if (take_key(ld, keys, 1, seen, where, &key) != 0 || next_event(ld) != 0 ||
		    value_string(ld, "'type'", &text) != 0)
			return -1;
		if (!iommu_group_type_parse(text, &entry->type))
			return fail(
				ld, event_pos(ld),
				"unknown IOMMU group type '%s' (expected DMA, DMA-FQ, identity, "
				"unmanaged, blocked or unknown)",
				shown(ld, text));
	}
	return more < 0 ? -1 : 0;
}

static int read_groups(struct loader *ld)
{
	int more;

	if (open_mapping(ld, "'groups'") != 0)
		return -1;
	while ((more = next_key(ld)) == 1) {
		struct group_entry *entry;
		struct src_pos key_pos = event_pos(ld), first;
		long long id;
		int seen;

		if (value_integer(ld, "group number", 0, INT32_MAX, &id) != 0)
			return -1;
		seen = pos_set_add(&ld->group_set, (uint64_t)id, key_pos, &first);
		if (seen < 0)
			return fail_out_of_memory(ld);
		if (seen)
			return fail(ld, key_pos, "duplicate group %lld (first at %u:%u)", id,
				    first.line, first.column);
		if (ld->n_group_entries == ld->group_entries_capacity) {
			struct group_entry *grown = grow_array(
				ld->group_entries, &ld->group_entries_capacity, sizeof(*grown));

			if (!grown)
				return fail_out_of_memory(ld);
			ld->group_entries = grown;
		}
		entry = &ld->group_entries[ld->n_group_entries];
		entry->id = (int32_t)id;
		entry->type = IOMMU_TYPE_DMA_FQ;
		entry->pos = key_pos;
		if (next_event(ld) != 0 || read_group(ld, entry) != 0)
			return -1;
		ld->n_group_entries++;
	}
	return more < 0 ? -1 : 0;
}

static int read_host(struct loader *ld)
{
	static const char *const keys[] = { "cpus", "numa_nodes" };
	struct src_pos seen[2] = { { 0, 0 } };
	struct topo_host *host = &ld->sc.topo.host;
	struct src_pos numa_nodes_pos = { 0, 0 };
	int more;

	if (open_mapping(ld, "'host'") != 0)
		return -1;
	while ((more = next_key(ld)) == 1) {
		size_t key;
		long long value;

		if (take_key(ld, keys, 2, seen, "in host", &key) != 0 || next_event(ld) != 0)
			return -1;
		if (key == 0) {
			if (value_integer(ld, "'cpus'", 1, CPUS_MAX, &value) != 0)
				return -1;
			host->cpus = (uint32_t)value;
		} else {
			if (value_integer(ld, "'numa_nodes'", 1, NUMA_NODES_MAX, &value) != 0)
				return -1;
			host->numa_nodes = (uint32_t)value;
			numa_nodes_pos = event_pos(ld);
		}
	}
	if (more < 0)
		return -1;
	if (host->cpus < host->numa_nodes)
		return fail(ld, numa_nodes_pos, "host has %u cpus, fewer than its %u numa_nodes",
			    host->cpus, host->numa_nodes);
	return 0;
}

static int read_drivers(struct loader *ld)
{
	int more;

	if (open_sequence(ld, "'drivers'") != 0)
		return -1;
	while ((more = next_item(ld)) == 1) {
		struct name_table *table = &ld->driver_names;
		int32_t index;

		if (value_driver(ld, "'drivers' entry", &index) != 0)
			return -1;
		if (table->listed[index].line)
			return fail(ld, event_pos(ld), "duplicate driver '%s' (first at %u:%u)",
				    table->names[index], table->listed[index].line,
				    table->listed[index].column);
		table->listed[index] = event_pos(ld);
	}
	return more < 0 ? -1 : 0;
}

static int read_root_buses(struct loader *ld)
{
	int more;

	if (open_sequence(ld, "'root_buses'") != 0)
		return -1;
	while ((more = next_item(ld)) == 1) {
		struct topo_root_bus bus;
		struct src_pos first;
		const char *text;
		int seen;

		if (value_string(ld, "'root_buses' entry", &text) != 0)
			return -1;
		if (!parse_root_bus(text, &bus))
			return fail(ld, event_pos(ld), "malformed root bus '%s' (expected DDDD:BB)",
				    shown(ld, text));
		seen = pos_set_add(&ld->root_set, (uint64_t)bus.domain << 8 | bus.bus,
				   event_pos(ld), &first);
		if (seen < 0)
			return fail_out_of_memory(ld);
		if (seen)
			return fail(ld, event_pos(ld),
				    "duplicate root bus %04x:%02x (first at %u:%u)",
				    (unsigned)bus.domain, bus.bus, first.line, first.column);
		if (ld->n_roots == ld->roots_capacity) {
			struct root_entry *grown =
				grow_array(ld->roots, &ld->roots_capacity, sizeof(*grown));

			if (!grown)
				return fail_out_of_memory(ld);
			ld->roots = grown;
		}
		ld->roots[ld->n_roots].bus = bus;
		ld->roots[ld->n_roots].pos = event_pos(ld);
		ld->n_roots++;
	}
	return more < 0 ? -1 : 0;
}

static int read_sandbox(struct loader *ld)
{
	struct scenario *sc = &ld->sc;
	struct src_pos start = event_pos(ld);
	int more;

	if (open_sequence(ld, "'sandbox'") != 0)
		return -1;
	while ((more = next_item(ld)) == 1) {
		const char *text;

		if (value_string(ld, "'sandbox' entry", &text) != 0)
			return -1;
		if (!is_sandbox_path(text))
			return fail(ld, event_pos(ld),
				    "malformed sandbox entry '%s' (expected /dev/vfio/<N>, "
				    "/dev/vfio/noiommu-<N> or a PCI address)",
				    shown(ld, text));
		if (sc->n_sandbox == ld->sandbox_capacity) {
			char **grown =
				grow_array(sc->sandbox, &ld->sandbox_capacity, sizeof(*grown));

			if (!grown)
				return fail_out_of_memory(ld);
			sc->sandbox = grown;
		}
		sc->sandbox[sc->n_sandbox] = strdup(text);
		if (!sc->sandbox[sc->n_sandbox])
			return fail_out_of_memory(ld);
		sc->n_sandbox++;
	}
	if (more < 0)
		return -1;
	if (sc->n_sandbox == 0)
		return fail(ld, start, "'sandbox' must not be empty");
	return 0;
}

static int read_ids(struct loader *ld, struct scenario_expect *outcome)
{
	struct src_pos start = event_pos(ld);
	size_t capacity = 0;
	int more;

	if (open_sequence(ld, "'ids'") != 0)
		return -1;
	while ((more = next_item(ld)) == 1) {
		if (outcome->n_ids == capacity) {
			char **grown = grow_array(outcome->ids, &capacity, sizeof(*grown));

			if (!grown)
				return fail_out_of_memory(ld);
			outcome->ids = grown;
		}
		if (value_copy(ld, "'ids' entry", false, &outcome->ids[outcome->n_ids]) != 0)
			return -1;
		outcome->n_ids++;
	}
	if (more < 0)
		return -1;
	if (outcome->n_ids == 0)
		return fail(ld, start, "'ids' must not be empty");
	return 0;
}

enum outcome_key { OUTCOME_IDS, OUTCOME_ERROR, OUTCOME_PREFIX, OUTCOME_KEY_COUNT };

static int read_outcome(struct loader *ld, struct scenario_expect *outcome)
{
	static const char *const keys[OUTCOME_KEY_COUNT] = {
		[OUTCOME_IDS] = "ids",
		[OUTCOME_ERROR] = "error",
		[OUTCOME_PREFIX] = "prefix",
	};
	struct src_pos seen[OUTCOME_KEY_COUNT] = { { 0, 0 } };
	char label[32], where[32];
	int more;

	snprintf(label, sizeof(label), "expect '%s'", outcome->scheme);
	snprintf(where, sizeof(where), "in expect '%s'", outcome->scheme);
	if (open_mapping(ld, label) != 0)
		return -1;
	while ((more = next_key(ld)) == 1) {
		size_t key;
		int rc;

		if (take_key(ld, keys, OUTCOME_KEY_COUNT, seen, where, &key) != 0 ||
		    next_event(ld) != 0)
			return -1;
		if (key == OUTCOME_IDS)
			rc = read_ids(ld, outcome);
		else if (key == OUTCOME_ERROR)
			rc = value_copy(ld, "'error'", false, &outcome->error);
		else
			rc = value_copy(ld, "'prefix'", true, &outcome->prefix);
		if (rc != 0)
			return -1;
	}
	if (more < 0)
		return -1;
	if (seen[OUTCOME_IDS].line && seen[OUTCOME_ERROR].line) {
		bool ids_last = pos_before(seen[OUTCOME_ERROR], seen[OUTCOME_IDS]);

		return fail(ld, ids_last ? seen[OUTCOME_IDS] : seen[OUTCOME_ERROR],
			    "expect '%s' has both 'ids' and 'error'", outcome->scheme);
	}
	if (!seen[OUTCOME_IDS].line && !seen[OUTCOME_ERROR].line)
		return fail(ld, outcome->pos, "expect '%s' needs 'ids' or 'error'",
			    outcome->scheme);
	return 0;
}

static int read_expect(struct loader *ld)
{
	static const char *const schemes[] = { "index", "group-index" };
	struct src_pos seen[2] = { { 0, 0 } };
	struct scenario *sc = &ld->sc;
	int more;

	if (open_mapping(ld, "'expect'") != 0)
		return -1;
	while ((more = next_key(ld)) == 1) {
		struct scenario_expect *outcome;
		const char *text = scalar_text(ld);
		size_t scheme = 0;

		while (scheme < 2 && strcmp(schemes[scheme], text) != 0)
			scheme++;
		if (scheme == 2)
			return fail(ld, event_pos(ld),
				    "unknown scheme '%s' in expect (expected index or group-index)",
				    shown(ld, text));
		if (take_key(ld, schemes, 2, seen, "in expect", &scheme) != 0)
			return -1;
		if (sc->n_expect == ld->expect_capacity) {
			struct scenario_expect *grown =
				grow_array(sc->expect, &ld->expect_capacity, sizeof(*grown));

			if (!grown)
				return fail_out_of_memory(ld);
			sc->expect = grown;
		}
		outcome = &sc->expect[sc->n_expect++];
		memset(outcome, 0, sizeof(*outcome));
		outcome->pos = event_pos(ld);
		outcome->scheme = strdup(schemes[scheme]);
		if (!outcome->scheme)
			return fail_out_of_memory(ld);
		if (next_event(ld) != 0 || read_outcome(ld, outcome) != 0)
			return -1;
	}
	return more < 0 ? -1 : 0;
}

static bool is_scenario_name(const char *text)
{
	size_t len = strlen(text);

	if (len == 0 || len > SCENARIO_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		bool alnum = is_decimal(c) || (c >= 'a' && c <= 'z');

		if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-')))
			return false;
	}
	return true;
}

static int read_scenario_name(struct loader *ld)
{
	const char *text;

	if (value_string(ld, "'scenario'", &text) != 0)
		return -1;
	if (!is_scenario_name(text))
		return fail(
			ld, event_pos(ld),
			"malformed scenario name '%s' (lower-case letters, digits, '.', '_' and "
			"'-', starting with a letter or digit; at most %d)",
			shown(ld, text), SCENARIO_NAME_MAX);
	ld->sc.name = strdup(text);
	return ld->sc.name ? 0 : fail_out_of_memory(ld);
}

enum top_key {
	TOP_SCENARIO,
	TOP_DESCRIPTION,
	TOP_HOST,
	TOP_DRIVERS,
	TOP_ROOT_BUSES,
	TOP_DEVICES,
	TOP_GROUPS,
	TOP_SANDBOX,
	TOP_EXPECT,
	TOP_KEY_COUNT
};

static int read_top(struct loader *ld)
{
	static const char *const keys[TOP_KEY_COUNT] = {
		[TOP_SCENARIO] = "scenario",
		[TOP_DESCRIPTION] = "description",
		[TOP_HOST] = "host",
		[TOP_DRIVERS] = "drivers",
		[TOP_ROOT_BUSES] = "root_buses",
		[TOP_DEVICES] = "devices",
		[TOP_GROUPS] = "groups",
		[TOP_SANDBOX] = "sandbox",
		[TOP_EXPECT] = "expect",
	};
	struct src_pos seen[TOP_KEY_COUNT] = { { 0, 0 } };
	int more;

	while ((more = next_key(ld)) == 1) {
		size_t key;
		int rc;

		if (take_key(ld, keys, TOP_KEY_COUNT, seen, "at top level", &key) != 0 ||
		    next_event(ld) != 0)
			return -1;
		switch ((enum top_key)key) {
		case TOP_SCENARIO:
			rc = read_scenario_name(ld);
			break;
		case TOP_DESCRIPTION:
			rc = value_copy(ld, "'description'", true, &ld->sc.description);
			break;
		case TOP_HOST:
			rc = read_host(ld);
			break;
		case TOP_DRIVERS:
			rc = read_drivers(ld);
			break;
		case TOP_ROOT_BUSES:
			rc = read_root_buses(ld);
			break;
		case TOP_DEVICES:
			rc = read_devices(ld);
			break;
		case TOP_GROUPS:
			rc = read_groups(ld);
			break;
		case TOP_SANDBOX:
			rc = read_sandbox(ld);
			break;
		default:
			rc = read_expect(ld);
			break;
		}
		if (rc != 0)
			return -1;
	}
	if (more < 0)
		return -1;
	ld->scenario_pos = seen[TOP_SCENARIO];
	ld->devices_pos = seen[TOP_DEVICES];
	ld->sandbox_pos = seen[TOP_SANDBOX];
	ld->expect_pos = seen[TOP_EXPECT];
	return 0;
}

/* The whole stream: exactly one document whose top level is a mapping. */
static int read_stream(struct loader *ld)
{
	static const struct src_pos nowhere = { 0, 0 };

	if (next_event(ld) != 0 || next_event(ld) != 0) /* stream start, then document start */
		return -1;
	if (at(ld, YAML_STREAM_END_EVENT))
		return fail(ld, nowhere, "empty scenario");
	if (next_event(ld) != 0)
		return -1;
	if (at(ld, YAML_SCALAR_EVENT) && scalar_is_plain(ld) && scalar_text(ld)[0] == '\0')
		return fail(ld, nowhere, "empty scenario");
	if (!at(ld, YAML_MAPPING_START_EVENT))
		return fail(ld, event_pos(ld), "the top level must be a mapping");
	ld->top_pos = event_pos(ld);
	if (read_top(ld) != 0)
		return -1;
	if (next_event(ld) != 0 || next_event(ld) != 0) /* document end, then what follows */
		return -1;
	if (at(ld, YAML_DOCUMENT_START_EVENT))
		return fail(ld, event_pos(ld), "more than one document");
	return 0;
}

/* ---- whole-file checks and the model --------------------------------------------------- */

static int check_references(struct loader *ld)
{
	const struct topo_host *host = &ld->sc.topo.host;

	if (!ld->scenario_pos.line)
		return fail(ld, ld->top_pos, "missing 'scenario'");
	if (!ld->devices_pos.line)
		return fail(ld, ld->top_pos, "missing 'devices'");
	if (ld->expect_pos.line && !ld->sandbox_pos.line)
		return fail(ld, ld->expect_pos, "'expect' needs a 'sandbox' to name");
	/* Still in file order: the first offender is the earliest. */
	for (size_t i = 0; i < ld->n_fns; i++) {
		const struct topo_function *fn = &ld->fns[i].fn;

		if (fn->numa_node >= (int32_t)host->numa_nodes)
			return fail(
				ld, ld->fns[i].numa_pos,
				"'numa_node' %d is out of range (-1..%u, as host numa_nodes is %u)",
				(int)fn->numa_node, host->numa_nodes - 1, host->numa_nodes);
	}
	return 0;
}

static int compare_pending_fns(const void *a, const void *b)
{
	return pci_addr_compare(&((const struct pending_fn *)a)->fn.addr,
				&((const struct pending_fn *)b)->fn.addr);
}

static int compare_bus_links(const void *a, const void *b)
{
	const struct bus_link *x = a, *y = b;

	if (x->domain != y->domain)
		return x->domain < y->domain ? -1 : 1;
	if (x->bus != y->bus)
		return x->bus < y->bus ? -1 : 1;
	return x->bridge < y->bridge ? -1 : x->bridge > y->bridge;
}

static int compare_bus_link_bus(const void *a, const void *b)
{
	const struct bus_link *x = a, *y = b;

	if (x->domain != y->domain)
		return x->domain < y->domain ? -1 : 1;
	return x->bus < y->bus ? -1 : x->bus > y->bus;
}

static int compare_root_buses(const void *a, const void *b)
{
	const struct topo_root_bus *x = a, *y = b;

	if (x->domain != y->domain)
		return x->domain < y->domain ? -1 : 1;
	return x->bus < y->bus ? -1 : x->bus > y->bus;
}

static int compare_root_entries(const void *a, const void *b)
{
	return compare_root_buses(&((const struct root_entry *)a)->bus,
				  &((const struct root_entry *)b)->bus);
}

static const struct bus_link *find_link(const struct bus_link *links, size_t n_links,
					uint32_t domain, uint8_t bus)
{
	struct bus_link key = { domain, bus, 0 };

	return bsearch(&key, links, n_links, sizeof(*links), compare_bus_link_bus);
}

static bool is_listed_root(const struct loader *ld, uint32_t domain, uint8_t bus)
{
	struct root_entry key = { { domain, bus }, { 0, 0 } };

	return ld->n_roots &&
	       bsearch(&key, ld->roots, ld->n_roots, sizeof(*ld->roots), compare_root_entries);
}

/* (domain, secondary) of every bridge that has one, sorted; *n_links gets the count. */
static struct bus_link *collect_links(const struct loader *ld, bool given_only, size_t *n_links)
{
	struct bus_link *links = malloc((ld->n_fns ? ld->n_fns : 1) * sizeof(*links));
	size_t count = 0;

	if (!links)
		return NULL;
	for (size_t i = 0; i < ld->n_fns; i++) {
		const struct pending_fn *pending = &ld->fns[i];

		if (!pending->fn.is_bridge || (given_only && !pending->has_secondary))
			continue;
		links[count].domain = pending->fn.addr.domain;
		links[count].bus = pending->fn.secondary_bus;
		links[count].bridge = (uint32_t)i;
		count++;
	}
	qsort(links, count, sizeof(*links), compare_bus_links);
	*n_links = count;
	return links;
}

/* Given secondaries: no bus reached by two bridges, no listed root bus reached by a bridge. */
static int check_given_secondaries(struct loader *ld)
{
	size_t n_links;
	struct bus_link *links = collect_links(ld, true, &n_links);
	char name[PCI_ADDR_STRLEN], other[PCI_ADDR_STRLEN];

	if (!links)
		return fail_out_of_memory(ld);
	for (size_t i = 1; i < n_links; i++) {
		const struct pending_fn *a = &ld->fns[links[i - 1].bridge];
		const struct pending_fn *b = &ld->fns[links[i].bridge];

		if (compare_bus_link_bus(&links[i - 1], &links[i]) != 0)
			continue;
		if (pos_before(b->secondary_pos, a->secondary_pos)) {
			const struct pending_fn *swap = a;

			a = b;
			b = swap;
		}
		pci_addr_format(&b->fn.addr, name);
		pci_addr_format(&a->fn.addr, other);
		note(ld, b->secondary_pos,
		     "'secondary' 0x%02x of bridge %s is already the secondary bus of bridge %s",
		     b->fn.secondary_bus, name, other);
	}
	for (size_t i = 0; i < ld->n_roots; i++) {
		const struct root_entry *root = &ld->roots[i];
		const struct bus_link *link =
			find_link(links, n_links, root->bus.domain, root->bus.bus);

		if (!link)
			continue;
		pci_addr_format(&ld->fns[link->bridge].fn.addr, name);
		note(ld, root->pos, "root bus %04x:%02x is also the secondary bus of bridge %s",
		     (unsigned)root->bus.domain, root->bus.bus, name);
	}
	free(links);
	return report_noted(ld);
}

static void mark_bus(uint64_t used[4], unsigned bus)
{
	used[bus / 64] |= 1ull << (bus % 64);
}

static bool bus_is_used(const uint64_t used[4], unsigned bus)
{
	return used[bus / 64] >> (bus % 64) & 1;
}

/* Bridges without 'secondary' take, in address order, the lowest free bus above their own. */
static int assign_default_secondaries(struct loader *ld)
{
	size_t root = 0;

	for (size_t start = 0, end; start < ld->n_fns; start = end) {
		uint32_t domain = ld->fns[start].fn.addr.domain;
		uint64_t used[4] = { 0 };

		for (end = start; end < ld->n_fns && ld->fns[end].fn.addr.domain == domain; end++) {
			mark_bus(used, ld->fns[end].fn.addr.bus);
			if (ld->fns[end].has_secondary)
				mark_bus(used, ld->fns[end].fn.secondary_bus);
		}
		while (root < ld->n_roots && ld->roots[root].bus.domain < domain)
			root++;
		for (size_t r = root; r < ld->n_roots && ld->roots[r].bus.domain == domain; r++)
			mark_bus(used, ld->roots[r].bus.bus);

		for (size_t i = start; i < end; i++) {
			struct topo_function *fn = &ld->fns[i].fn;
			unsigned bus = fn->addr.bus + 1u;
			char name[PCI_ADDR_STRLEN];

			if (!fn->is_bridge || ld->fns[i].has_secondary)
				continue;
			while (bus <= BUS_MAX && bus_is_used(used, bus))
				bus++;
			if (bus > BUS_MAX) {
				pci_addr_format(&fn->addr, name);
				note(ld, fn->pos,
				     "no free bus number above 0x%02x for the secondary bus of "
				     "bridge "
				     "%s; give it 'secondary'",
				     fn->addr.bus, name);
				continue;
			}
			fn->secondary_bus = (uint8_t)bus;
			mark_bus(used, bus);
		}
	}
	return report_noted(ld);
}

/*
 * Parents (the bridge whose secondary bus a function sits on), then subordinate buses, which
 * grow from the leaves up: a child bridge's secondary is above its parent's, so walking the
 * bridges by descending secondary meets every child before its parent.
 */
static int link_buses(struct loader *ld)
{
	size_t n_links;
	struct bus_link *links = collect_links(ld, false, &n_links);
	char name[PCI_ADDR_STRLEN];

	if (!links)
		return fail_out_of_memory(ld);
	for (size_t i = 0; i < ld->n_fns; i++) {
		struct topo_function *fn = &ld->fns[i].fn;
		const struct bus_link *link =
			find_link(links, n_links, fn->addr.domain, fn->addr.bus);

		if (link) {
			fn->parent = (int32_t)link->bridge;
			continue;
		}
		if (fn->addr.bus == 0 || is_listed_root(ld, fn->addr.domain, fn->addr.bus))
			continue;
		pci_addr_format(&fn->addr, name);
		note(ld, fn->pos,
		     "device %s is on bus %04x:%02x, which no bridge leads to (give a bridge "
		     "'secondary: 0x%02x' or list \"%04x:%02x\" in root_buses)",
		     name, (unsigned)fn->addr.domain, fn->addr.bus, fn->addr.bus,
		     (unsigned)fn->addr.domain, fn->addr.bus);
	}
	if (report_noted(ld) != 0) {
		free(links);
		return -1;
	}

	for (size_t i = 0; i < n_links; i++)
		ld->fns[links[i].bridge].fn.subordinate_bus = links[i].bus;
	for (size_t i = n_links; i-- > 0;) {
		struct pending_fn *bridge = &ld->fns[links[i].bridge];
		struct topo_function *fn = &bridge->fn;
		uint8_t reach = fn->subordinate_bus;

		if (bridge->has_subordinate) {
			uint8_t given = bridge->given_subordinate;

			pci_addr_format(&fn->addr, name);
			if (given < fn->secondary_bus)
				note(ld, bridge->subordinate_pos,
				     "'subordinate' 0x%02x of bridge %s is below its secondary bus "
				     "0x%02x",
				     given, name, fn->secondary_bus);
			else if (given < reach)
				note(ld, bridge->subordinate_pos,
				     "'subordinate' 0x%02x of bridge %s is below bus 0x%02x, which "
				     "is "
				     "reachable through it",
				     given, name, reach);
			if (given > reach)
				reach = given;
		}
		fn->subordinate_bus = reach;
		if (fn->parent != TOPO_NONE && ld->fns[fn->parent].fn.subordinate_bus < reach)
			ld->fns[fn->parent].fn.subordinate_bus = reach;
	}
	free(links);
	return report_noted(ld);
}

static int compare_group_ids(const void *a, const void *b)
{
	int32_t x = ((const struct topo_group *)a)->id, y = ((const struct topo_group *)b)->id;

	return x < y ? -1 : x > y;
}

/* Every group a device names, sorted; `groups:` entries set their type. */
static int build_groups(struct loader *ld)
{
	struct topology *topo = &ld->sc.topo;
	struct topo_group *groups = malloc((ld->n_fns ? ld->n_fns : 1) * sizeof(*groups));
	size_t count = 0;

	if (!groups)
		return fail_out_of_memory(ld);
	for (size_t i = 0; i < ld->n_fns; i++) {
		if (ld->fns[i].group_id == TOPO_NONE)
			continue;
		groups[count].id = ld->fns[i].group_id;
		groups[count].type = IOMMU_TYPE_DMA_FQ;
		groups[count].pos = (struct src_pos){ 0, 0 };
		count++;
	}
	qsort(groups, count, sizeof(*groups), compare_group_ids);
	if (count > 1) {
		size_t unique = 1;

		for (size_t i = 1; i < count; i++) {
			if (groups[i].id != groups[unique - 1].id)
				groups[unique++] = groups[i];
		}
		count = unique;
	}
	topo->groups = groups;
	topo->n_groups = count;

	/* A group's position is its first device in the file, or its `groups:` entry. */
	for (size_t i = 0; i < ld->n_fns; i++) {
		struct topo_function *fn = &ld->fns[i].fn;
		struct topo_group *group;

		if (ld->fns[i].group_id == TOPO_NONE)
			continue;
		fn->group = topology_find_group(topo, ld->fns[i].group_id);
		group = &groups[fn->group];
		if (!group->pos.line || pos_before(fn->pos, group->pos))
			group->pos = fn->pos;
	}
	for (size_t i = 0; i < ld->n_group_entries; i++) {
		const struct group_entry *entry = &ld->group_entries[i];
		int32_t index = topology_find_group(topo, entry->id);

		if (index == TOPO_NONE) {
			note(ld, entry->pos, "group %d has no device (no device has 'group: %d')",
			     (int)entry->id, (int)entry->id);
			continue;
		}
		groups[index].type = entry->type;
		groups[index].pos = entry->pos;
	}
	return report_noted(ld);
}

struct name_order {
	const char *name;
	uint32_t index; /* in the name table */
};

static int compare_name_orders(const void *a, const void *b)
{
	return strcmp(((const struct name_order *)a)->name, ((const struct name_order *)b)->name);
}

/* Every driver named anywhere, plus vfio-pci, which every host running VFIO has. */
static int build_drivers(struct loader *ld)
{
	struct topology *topo = &ld->sc.topo;
	struct name_table *table = &ld->driver_names;
	struct name_order *order;
	uint32_t *rank;

	if (name_table_intern(table, "vfio-pci") < 0)
		return fail_out_of_memory(ld);
	order = malloc(table->count * sizeof(*order));
	rank = malloc(table->count * sizeof(*rank));
	topo->drivers = calloc(table->count, sizeof(*topo->drivers));
	if (!order || !rank || !topo->drivers) {
		free(order);
		free(rank);
		return fail_out_of_memory(ld);
	}
	for (size_t i = 0; i < table->count; i++) {
		order[i].name = table->names[i];
		order[i].index = (uint32_t)i;
	}
	qsort(order, table->count, sizeof(*order), compare_name_orders);
	for (size_t i = 0; i < table->count; i++) {
		rank[order[i].index] = (uint32_t)i;
		topo->drivers[i].name = table->names[order[i].index];
	}
	topo->n_drivers = table->count;
	/* The model owns the names now. */
	table->count = 0;
	for (size_t i = 0; i < ld->n_fns; i++) {
		if (ld->fns[i].driver_name != TOPO_NONE)
			ld->fns[i].fn.driver = (int32_t)rank[ld->fns[i].driver_name];
	}
	free(order);
	free(rank);
	return 0;
}

/* Buses that functions sit on and that no bridge leads to; listed ones must be among them. */
static int build_root_buses(struct loader *ld)
{
	struct topology *topo = &ld->sc.topo;
	struct topo_root_bus *roots = malloc((ld->n_fns ? ld->n_fns : 1) * sizeof(*roots));
	size_t count = 0;

	if (!roots)
		return fail_out_of_memory(ld);
	for (size_t i = 0; i < ld->n_fns; i++) {
		const struct topo_function *fn = &ld->fns[i].fn;

		if (fn->parent != TOPO_NONE)
			continue;
		if (count && roots[count - 1].domain == fn->addr.domain &&
		    roots[count - 1].bus == fn->addr.bus)
			continue;
		roots[count].domain = fn->addr.domain;
		roots[count].bus = fn->addr.bus;
		count++;
	}
	topo->root_buses = roots;
	topo->n_root_buses = count;

	for (size_t i = 0; i < ld->n_roots; i++) {
		const struct root_entry *root = &ld->roots[i];
		bool found = bsearch(&root->bus, roots, count, sizeof(*roots), compare_root_buses);

		if (!found)
			note(ld, root->pos, "root bus %04x:%02x has no device on it",
			     (unsigned)root->bus.domain, root->bus.bus);
	}
	return report_noted(ld);
}

static int build_model(struct loader *ld)
{
	struct topology *topo = &ld->sc.topo;

	if (check_references(ld) != 0)
		return -1;
	qsort(ld->fns, ld->n_fns, sizeof(*ld->fns), compare_pending_fns);
	if (ld->n_roots)
		qsort(ld->roots, ld->n_roots, sizeof(*ld->roots), compare_root_entries);
	if (check_given_secondaries(ld) != 0 || assign_default_secondaries(ld) != 0 ||
	    link_buses(ld) != 0 || build_groups(ld) != 0 || build_drivers(ld) != 0 ||
	    build_root_buses(ld) != 0)
		return -1;

	topo->functions = malloc(ld->n_fns * sizeof(*topo->functions));
	if (!topo->functions)
		return fail_out_of_memory(ld);
	for (size_t i = 0; i < ld->n_fns; i++)
		topo->functions[i] = ld->fns[i].fn;
	topo->n_functions = ld->n_fns;
	return 0;
}

/* ---- entry points ---------------------------------------------------------------------- */

static int read_file(struct loader *ld, unsigned char **data, size_t *size)
{
	static const struct src_pos nowhere = { 0, 0 };
	FILE *file = fopen(ld->path, "rb");
	unsigned char *buffer = NULL;
	size_t capacity = 0, length = 0;
	int rc = 0;

	if (!file)
		return fail(ld, nowhere, "%s", strerror(errno));
	for (;;) {
		size_t got;

		if (length == capacity) {
			size_t wanted = capacity ? capacity * 2 : 64 * 1024;
			unsigned char *grown;

			if (capacity >= FILE_SIZE_MAX) {
				rc = fail(ld, nowhere, "larger than %u MiB", FILE_SIZE_MAX >> 20);
				break;
			}
			grown = realloc(buffer, wanted);
			if (!grown) {
				rc = fail_out_of_memory(ld);
				break;
			}
			buffer = grown;
			capacity = wanted;
		}
		got = fread(buffer + length, 1, capacity - length, file);
		length += got;
		if (got == 0) {
			if (ferror(file))
				rc = fail(ld, nowhere, "%s", strerror(errno ? errno : EIO));
			break;
		}
	}
	fclose(file);
	if (rc != 0) {
		free(buffer);
		return rc;
	}
	*data = buffer;
	*size = length;
	return 0;
}

static void loader_free(struct loader *ld)
{
	if (ld->have_event)
		yaml_event_delete(&ld->event);
	free(ld->fns);
	pos_set_free(&ld->device_set);
	free(ld->group_entries);
	pos_set_free(&ld->group_set);
	free(ld->roots);
	pos_set_free(&ld->root_set);
	name_table_free(&ld->driver_names);
}

int scenario_load(const char *path, struct scenario *out, char error[SCENARIO_ERROR_MAX])
{
	struct loader *ld = calloc(1, sizeof(*ld));
	unsigned char *data = NULL;
	size_t size = 0;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if (!ld) {
		snprintf(error, SCENARIO_ERROR_MAX, "%s: out of memory", path);
		return -1;
	}
	ld->path = path;
	ld->error = error;
	ld->sc.topo.host.cpus = DEFAULT_CPUS;
	ld->sc.topo.host.numa_nodes = DEFAULT_NUMA_NODES;
	if (read_file(ld, &data, &size) == 0) {
		ld->input = data;
		ld->input_len = size;
		if (!yaml_parser_initialize(&ld->parser)) {
			fail_out_of_memory(ld);
		} else {
			yaml_parser_set_input_string(&ld->parser, data, size);
			if (read_stream(ld) == 0 && build_model(ld) == 0)
				rc = 0;
			if (ld->have_event) {
				yaml_event_delete(&ld->event);
				ld->have_event = false;
			}
			yaml_parser_delete(&ld->parser);
		}
	}
	if (rc == 0) {
		ld->sc.path = strdup(path);
		if (!ld->sc.path)
			rc = fail_out_of_memory(ld);
	}
	if (rc == 0) {
		*out = ld->sc;
		error[0] = '\0';
	} else {
		scenario_free(&ld->sc);
	}
	loader_free(ld);
	free(data);
	free(ld);
	return rc;
}

void scenario_free(struct scenario *sc)
{
	if (!sc)
		return;
	free(sc->path);
	free(sc->name);
	free(sc->description);
	topology_free(&sc->topo);
	for (size_t i = 0; i < sc->n_sandbox; i++)
		free(sc->sandbox[i]);
	free(sc->sandbox);
	for (size_t i = 0; i < sc->n_expect; i++) {
		struct scenario_expect *outcome = &sc->expect[i];

		free(outcome->scheme);
		free(outcome->prefix);
		for (size_t j = 0; j < outcome->n_ids; j++)
			free(outcome->ids[j]);
		free(outcome->ids);
		free(outcome->error);
	}
	free(sc->expect);
	memset(sc, 0, sizeof(*sc));
}

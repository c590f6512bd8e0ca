/* SPDX-License-Identifier: MIT */
/*
 * libyaml's events for an input held in memory. A large input is parsed in two parts at once,
 * the second on a thread of its own; the reader sees exactly the events, and the syntax error,
 * that yaml_parser_parse gives on the whole input, in the same order.
 */
#ifndef FAKESYS_YAML_EVENTS_H
#define FAKESYS_YAML_EVENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

/* What a reader needs of one libyaml event. */
struct yaml_event_record {
	yaml_event_type_t type;
	uint32_t line, column; /* of its start mark, counted from 0 as libyaml's marks are */
	/* Scalars: the value, NUL-terminated (it may hold NULs of its own), its length and style.
	 */
	uint32_t length;
	yaml_scalar_style_t style;
	/* Scalars, sequence and mapping starts: whether an anchor or a tag was given. Document
	 * starts: whether directives were given (in has_tag). */
	bool has_anchor;
	bool has_tag;
	const char *value;
};

/* A syntax error as libyaml reported it: the fields of yaml_parser_t of the same names. */
struct yaml_events_error {
	yaml_error_type_t error;
	const char *problem; /* NULL when libyaml gave none */
	size_t problem_offset;
	yaml_mark_t problem_mark;
	const char *context; /* NULL when libyaml gave none */
	yaml_mark_t context_mark;
};

struct yaml_events;

/*
 * Starts parsing the size bytes at input (at most UINT32_MAX), which must stay as they are
 * until yaml_events_stop. NULL if memory or a thread could not be had.
 */
struct yaml_events *yaml_events_start(const unsigned char *input, size_t size);

/*
 * The next events, in order: 1 with (*records)[0 .. *count), at least one, valid until the next
 * call; or 0 on a syntax error after the events before it, which *error describes
 * (YAML_MEMORY_ERROR if memory ran out). After the stream's end come records of type
 * YAML_NO_EVENT, as yaml_parser_parse gives.
 */
int yaml_events_next(struct yaml_events *events, const struct yaml_event_record **records,
		     size_t *count, struct yaml_events_error *error);

/* Stops parsing wherever it is and frees everything, the records included. */
void yaml_events_stop(struct yaml_events *events);

#endif

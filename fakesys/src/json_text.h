/* SPDX-License-Identifier: MIT */
/*
 * JSON strings as fakesys writes them (the access trace, check --json, list --json): always
 * valid JSON and plain ASCII. \" \\ \b \f \n \r \t, other control characters, DEL and every
 * byte >= 0x80 become \u00XX, so a byte that is not ASCII reads back as the code point of the
 * same value (Latin-1): that gives back the exact bytes of a path or of data that is not UTF-8.
 */
#ifndef FAKESYS_JSON_TEXT_H
#define FAKESYS_JSON_TEXT_H

#include <stddef.h>
#include <stdio.h>

/* How many bytes json_escape writes for these len bytes. */
size_t json_escaped_length(const char *text, size_t len);
/* Writes text as the inside of a JSON string at out; returns the end. */
char *json_escape(char *out, const char *text, size_t len);
/* text quoted and escaped, or null for NULL. */
void json_put_string(FILE *out, const char *text);

#endif

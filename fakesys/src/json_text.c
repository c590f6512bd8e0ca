/* SPDX-License-Identifier: MIT */
#include "json_text.h"

#include <string.h>

size_t json_escaped_length(const char *text, size_t len)
{
	size_t out = 0;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		if (c == '"' || c == '\\' || c == '\b' || c == '\f' || c == '\n' || c == '\r' ||
		    c == '\t')
			out += 2;
		else if (c < 0x20 || c >= 0x7f)
			out += 6;
		else
			out += 1;
	}
	return out;
}

char *json_escape(char *out, const char *text, size_t len)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		char short_form = 0;

		switch (c) {
		case '"':
			short_form = '"';
			break;
		case '\\':
			short_form = '\\';
			break;
		case '\b':
			short_form = 'b';
			break;
		case '\f':
			short_form = 'f';
			break;
		case '\n':
			short_form = 'n';
			break;
		case '\r':
			short_form = 'r';
			break;
		case '\t':
			short_form = 't';
			break;
		}
		if (short_form) {
			*out++ = '\\';
			*out++ = short_form;
		} else if (c < 0x20 || c >= 0x7f) {
			memcpy(out, "\\u00", 4);
			out[4] = hex[c >> 4];
			out[5] = hex[c & 0xf];
			out += 6;
		} else {
			*out++ = (char)c;
		}
	}
	return out;
}

void json_put_string(FILE *out, const char *text)
{
	char chunk[6 * 256];

	if (!text) {
		fputs("null", out);
		return;
	}
	fputc('"', out);
	/* A byte escapes to 6 at most: 256 at a time fit the chunk. */
	for (size_t left = strlen(text); left;) {
		size_t n = left < 256 ? left : 256;

		fwrite(chunk, 1, (size_t)(json_escape(chunk, text, n) - chunk), out);
		text += n;
		left -= n;
	}
	fputc('"', out);
}

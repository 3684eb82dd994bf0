/* pt-canon.h: the canonical JSON form that the station hashes and signs.
 *
 * It is RFC 8785 (JCS) for the documents the station writes: object keys sorted,
 * no insignificant whitespace, strings escaped minimally, numbers in their
 * shortest round-trip form as ECMAScript prints them (so 10, 10.0 and 1e1 are all
 * "10").  Keys are compared byte-wise on UTF-8, which equals JCS's UTF-16 order for
 * every key outside U+E000..U+10FFFF; the station's keys are ASCII.  A browser can
 * reproduce the form with JSON.stringify over sorted keys. */
#pragma once

#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

/* Returns: (transfer full): the canonical form of @value, or NULL with @error set. */
char *pt_canon_dump(const json_t *value, gsize *len_out, GError **error);

/* Appends the canonical form of the string @s (@len bytes of UTF-8) to @out: what a writer
 * of canonical text piece by piece (the bundle's proofs) needs without a jansson value. */
void pt_canon_append_string(GString *out, const char *s, gsize len);

G_END_DECLS

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

/* Appends the canonical form of @value to @out.  Fails on integers beyond 2^53 or on
 * nesting deeper than PT_JSON_DEPTH_MAX. */
gboolean pt_canon_append(GString *out, const json_t *value, GError **error);

/* Returns: (transfer full): the canonical form of @value, or NULL with @error set. */
char *pt_canon_dump(const json_t *value, gsize *len_out, GError **error);

/* Parses @len bytes of JSON strictly (duplicate keys rejected, bounded depth).
 * Returns: (transfer full): a new reference, or NULL with an error that gives the
 * line and column. */
json_t *pt_json_parse(const char *data, gsize len, GError **error);

/* One member that pt_json_read_object() takes from a request body: a string (borrowed
 * from the object) into @string, or a number into @number with @has_number set. */
typedef struct {
  const char *key;
  const char **string;
  double *number;
  gboolean *has_number;
} PtJsonField;

/* Reads @object's members into @fields.  Refuses a body that is not an object, an
 * unknown member (so a typo is not silently lost), a wrong type, or a string with a
 * NUL in it.  A null member leaves its field unset. */
gboolean pt_json_read_object(json_t *object, const PtJsonField *fields, gsize n_fields,
                             GError **error);

G_END_DECLS

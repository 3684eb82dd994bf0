/* pt-json.h: reading untrusted JSON strictly, and the small helpers for writing it.
 * Every JSON text that enters the station (HTTP bodies, bundles, sync answers) goes
 * through pt_json_parse(): duplicate keys are refused and nesting is bounded. */
#pragma once

#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

/* g_autoptr(json_t): one reference dropped at the end of the scope. */
G_DEFINE_AUTOPTR_CLEANUP_FUNC(json_t, json_decref)

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

/* Returns: (transfer full): @s as a JSON string, or JSON null for NULL. */
json_t *pt_json_string_or_null(const char *s);

/* The page @shell (@shell_len bytes, holding @mark once) with its @mark replaced by @json,
 * for a <script> element: there only "<" could end the element early, and in JSON it can only
 * occur in strings, where \u003c means the same.  Returns: (transfer full); its length in
 * @len_out.  The consumer page of the station (http/pt-web.c) and of the hub (hub/pt-hub-web.c). */
char *pt_json_embed_in_html(const char *shell, gsize shell_len, const char *mark, const char *json,
                            gsize *len_out);

/* Sets @key of @object to @value, or to JSON null for NULL. */
void pt_json_set_string_or_null(json_t *object, const char *key, const char *value);

G_END_DECLS

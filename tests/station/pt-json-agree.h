/* pt-json-agree.h: pt_json_parse() held against the parser it replaced, jansson's json_loadb()
 * with JSON_REJECT_DUPLICATES and the same depth bound (test-json.c, tests/fuzz/fuzz-json.c).
 * The two must accept the same texts and build the same values: same types, same member
 * order, same numbers. */
#pragma once

#include "pt-error.h"
#include "pt-json.h"
#include "pt-limits.h"

#include <string.h>

static gboolean
pt_json_agree_depth_ok(const json_t *v, int depth)
{
  if (depth > PT_JSON_DEPTH_MAX)
    return FALSE;
  const char *key;
  json_t *member;
  if (json_is_object(v))
    json_object_foreach((json_t *)v, key,
                        member) if (!pt_json_agree_depth_ok(member, depth + 1)) return FALSE;
  for (gsize i = 0; json_is_array(v) && i < json_array_size(v); i++)
    if (!pt_json_agree_depth_ok(json_array_get(v, i), depth + 1))
      return FALSE;
  return TRUE;
}

/* Returns: (transfer full): NULL when both agree on @data, else what differs.  One known
 * difference: JSON allows no raw NUL byte, and ours refuses every one, where jansson skips a
 * NUL that follows a number (its stream takes the NUL it puts back for the end of its
 * buffer); on such a text only ours is asked. */
static char *
pt_json_agree(const char *data, gsize len)
{
  if (memchr(data, '\0', len)) {
    GError *error = NULL;
    json_t *ours = pt_json_parse(data, len, &error);
    char *why = ours ? g_strdup("accepted a raw NUL byte") : NULL;
    if (ours)
      json_decref(ours);
    g_clear_error(&error);
    return why;
  }
  json_error_t jerr;
  json_t *ref = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
  if (ref && !pt_json_agree_depth_ok(ref, 0))
    g_clear_pointer(&ref, json_decref);
  GError *error = NULL;
  json_t *ours = pt_json_parse(data, len, &error);
  char *why = NULL;
  if (!ref && ours)
    why = g_strdup_printf("accepted what jansson refuses (%s)", jerr.text);
  else if (ref && !ours)
    why = g_strdup_printf("refused what jansson accepts: %s", error->message);
  else if (!ours && (!error || error->domain != PT_ERROR || !error->message[0]))
    why = g_strdup("refused without an error");
  else if (ours) {
    const size_t flags = JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(17);
    char *a = json_dumps(ref, flags), *b = json_dumps(ours, flags);
    if (!json_equal(ref, ours) || g_strcmp0(a, b) != 0)
      why = g_strdup_printf("built %.200s where jansson built %.200s", b, a);
    free(a);
    free(b);
  }
  if (ref)
    json_decref(ref);
  if (ours)
    json_decref(ours);
  g_clear_error(&error);
  return why;
}

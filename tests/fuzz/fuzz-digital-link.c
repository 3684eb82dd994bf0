/* fuzz-digital-link.c: libFuzzer driver for the GS1 Digital Link parser and the resolver's
 * request normalisation (compressed links decoded, a trailing slash dropped).  Beyond "no
 * crash, no leak", it checks what the parser promises: an accepted link has a
 * 14-digit GTIN with a valid check digit and valid path values, and writing it back
 * and parsing again gives the same link and the same text.  A refusal always comes
 * with an error message.  The same bytes as a request target: a compressed link decodes to an
 * uncompressed target (or is refused with a message) within PT_DL_URI_MAX, leaving the output
 * untouched on refusal.
 *
 *   fuzz-digital-link -dict=digital-link.dict NEW_CORPUS_DIR corpus/digital-link */
#include <stdint.h>
#include <string.h>

#include "pt-gs1-ai.h"
#include "pt-gs1-dl-compress.h"
#include "pt-gs1-dl.h"
#include "pt-gs1-resolver.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The resolver's view of the bytes: as a compressed segment and as a request target. */
static void
fuzz_resolver(const char *text, size_t size)
{
  GString *out = g_string_new("x");
  GError *error = NULL;
  if (pt_gs1_dl_decompress(text, size, out, &error)) {
    g_assert_null(error);
    g_assert_true(g_str_has_prefix(out->str, "x/01/"));
    g_assert_true(out->len - 1 <= PT_DL_URI_MAX);
  } else {
    g_assert_true(error && error->domain == PT_GS1_ERROR && error->message[0] != '\0');
    g_assert_cmpstr(out->str, ==, "x");
    g_clear_error(&error);
  }
  g_string_free(out, TRUE);
  gboolean compressed = FALSE;
  char *target = pt_gs1_resolver_target(text, &compressed, &error);
  g_assert_true(target || (error && error->message[0] != '\0'));
  g_assert_true(!compressed || g_str_has_prefix(target, "/01/"));
  g_clear_error(&error);
  char *passed = pt_gs1_resolver_passed_query(text);
  g_assert_true(passed[0] == '\0' || passed[0] == '?');
  /* No pair passed on is a linkType, whatever the other pairs hold ('?' included). */
  if (passed[0]) {
    char **pairs = g_strsplit(passed + 1, "&", -1);
    for (char **p = pairs; *p; p++)
      g_assert_true(!g_str_has_prefix(*p, "linkType=") && strcmp(*p, "linkType") != 0);
    g_strfreev(pairs);
  }
  g_free(passed);
  g_free(pt_gs1_resolver_query_value(text, "linkType"));
  g_free(target);
  /* A request read whole: a link whose anchor and Link header name its GTIN, or nothing. */
  PtDlRequest req;
  if (pt_gs1_resolver_request("h.example", text, &req, &error)) {
    g_assert_true(pt_gs1_validate_key("GTIN", req.link.gtin, PT_GS1_GTIN_LEN, NULL));
    g_assert_true(g_str_has_prefix(req.anchor, "https://h.example/01/"));
    g_assert_nonnull(strstr(req.link_header, req.link.gtin));
    g_assert_true(!req.compressed == !req.same_as);
    pt_gs1_resolver_request_clear(&req);
  } else {
    g_assert_true(error && error->message[0] != '\0');
    g_assert_null(req.target);
    g_clear_error(&error);
  }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  char *uri = g_strndup((const char *)data, size);
  fuzz_resolver(uri, strlen(uri));
  PtDigitalLink dl;
  GError *error = NULL;
  if (!pt_gs1_digital_link_parse(uri, 2026, &dl, &error)) {
    g_assert_nonnull(error);
    g_assert_true(error->domain == PT_GS1_ERROR && error->message[0] != '\0');
    g_error_free(error);
    g_free(uri);
    return 0;
  }
  g_assert_null(error);
  g_assert_true(strlen(uri) <= PT_DL_URI_MAX);
  g_assert_true(pt_gs1_validate_key("GTIN", dl.gtin, PT_GS1_GTIN_LEN, NULL));
  if (dl.lot[0])
    g_assert_true(pt_gs1_validate_lot(dl.lot, NULL));
  if (dl.cpv[0])
    g_assert_true(pt_gs1_validate_ai("22", dl.cpv, NULL));
  if (dl.serial[0])
    g_assert_true(pt_gs1_validate_ai("21", dl.serial, NULL));

  char *again = pt_gs1_digital_link_format(&dl);
  PtDigitalLink dl2;
  g_assert_true(pt_gs1_digital_link_parse(again, 2026, &dl2, NULL));
  g_assert_true(memcmp(&dl, &dl2, sizeof dl) == 0);
  char *third = pt_gs1_digital_link_format(&dl2);
  g_assert_cmpstr(again, ==, third);
  g_free(third);
  g_free(again);
  g_free(uri);
  return 0;
}

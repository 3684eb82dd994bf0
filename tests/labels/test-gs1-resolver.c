/* test-gs1-resolver.c: the resolver's shared decisions (pt-gs1-resolver.h) and the compressed
 * Digital Link decoder (pt-gs1-dl-compress.h).
 *
 * The compressed vectors were made by GS1's own compressor (GS1DigitalLinkToolkit, as shipped
 * in the npm package digital-link.js 1.4.3: Utils.compressWebUri()); test-resolver.sh checks
 * the same against the package at run time when npm is there.  Where that toolkit's own
 * decompressor drops the leading zeros of an all-digit lot ("0077" -> "77"), the decoder here
 * keeps the length the bits declare. */
#include <string.h>

#include "pt-gs1-dl-compress.h"
#include "pt-gs1-dl.h"
#include "pt-gs1-resolver.h"
#include "pt-gs1.h"

static char *
decompress(const char *segment, GError **error)
{
  GString *out = g_string_new(NULL);
  if (!pt_gs1_dl_decompress(segment, strlen(segment), out, error)) {
    g_assert_cmpuint(out->len, ==, 0);
    g_string_free(out, TRUE);
    return NULL;
  }
  return g_string_free(out, FALSE);
}

static void
test_decompress_vectors(void)
{
  static const struct {
    const char *compressed, *target;
  } v[] = {
      {"ARFKk4XBoA", "/01/09506000134352"},
      {"CxFKk4XBoNjI23Wuu3OmmnYmf4Cg", "/01/09506000134352/10/ZG2611250007?13=261125"},
      {"CxFKk4XBoQ8FfCSsVvgTP8BQ", "/01/09506000134352/10/A%2FB%251-x?13=261125"},
      {"GhFKk4XBoE1XgkaD4rB017ERP77RU_xvIkIq",
       "/01/09506000134352/22/2A/10/abc123/21/S%2F1?11=261101&15=261231&17=270101"},
      {"GhFKk4XBoIdXiD4qxrsMg", "/01/09506000134352/10/ABC/21/XYZ?17=270101"},
      {"DBFKk4XBoAowOfBv0UMG21W", "/01/09506000134352/21/12345?foo=bar"},
      {"CwAFv7g4cggCa", "/01/00012345678905/10/0077"},
  };
  for (gsize i = 0; i < G_N_ELEMENTS(v); i++) {
    g_autoptr(GError) error = NULL;
    g_autofree char *target = decompress(v[i].compressed, &error);
    g_assert_no_error(error);
    g_assert_cmpstr(target, ==, v[i].target);
    g_assert_true(pt_gs1_dl_is_compressed(v[i].compressed, strlen(v[i].compressed)));
    /* What it decompresses to is a link the strict parser takes. */
    g_autofree char *uri = g_strconcat("https://id.gs1.org", target, NULL);
    PtDigitalLink dl;
    g_assert_true(pt_gs1_digital_link_parse(uri, 2026, &dl, &error));
    g_assert_no_error(error);
  }
}

static void
test_decompress_refused(void)
{
  static const struct {
    const char *segment, *says;
  } bad[] = {
      /* A base64 character too many: the bits name AI (05), which is not resolved here. */
      {"CxFKk4XBoQ8FfCSsVvgTP8BQX", "AI (05)"},
      /* Cut short: the lot's characters run past the end. */
      {"CxFKk4XBoQ8FfC", "ends in the middle"},
      /* '.' is not URI-safe base64. */
      {"CxFKk4XBo.8FfCSsVvgTP8BQ", "not URI-safe base64"},
      /* 0E is (01)(7003): an optimisation for an AI this resolver does not resolve. */
      {"DhFKk4XBoAAAAAAA", "optimisation code 0E"},
      /* A5 is (01)(3925), an optimisation for an AI not resolved here. */
      {"pRFKk4XBoAAAAAAA", "optimisation code A5"},
      /* (10) alone, no GTIN: 0x10, encoding 3, 2 characters "AB". */
      {"EGIAE", "no GTIN"},
      /* (01) twice. */
      {"ARFKk4XBoAIilScLg0A", "appears twice"},
  };
  for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
    g_autoptr(GError) error = NULL;
    g_autofree char *target = decompress(bad[i].segment, &error);
    g_test_message("%s -> %s", bad[i].segment, error ? error->message : target);
    g_assert_null(target);
    g_assert_error(error, PT_GS1_ERROR, PT_GS1_ERROR_SYNTAX);
    g_assert_nonnull(strstr(error->message, bad[i].says));
  }
  g_assert_false(pt_gs1_dl_is_compressed("ARFKk4XBo", 9));
  g_assert_false(pt_gs1_dl_is_compressed("ARFKk4XBo/", 10));
}

static void
test_target(void)
{
  gboolean compressed = TRUE;
  g_autoptr(GError) error = NULL;
  g_autofree char *a = pt_gs1_resolver_target("/01/09506000134352/10/L1/", &compressed, &error);
  g_assert_cmpstr(a, ==, "/01/09506000134352/10/L1");
  g_assert_false(compressed);
  g_autofree char *b =
      pt_gs1_resolver_target("/01/09506000134352/10/L1/?linkType=gs1:epcis", &compressed, NULL);
  g_assert_cmpstr(b, ==, "/01/09506000134352/10/L1?linkType=gs1:epcis");
  g_autofree char *c =
      pt_gs1_resolver_target("/CxFKk4XBoQ8FfCSsVvgTP8BQ/?linkType=linkset", &compressed, NULL);
  g_assert_true(compressed);
  g_assert_cmpstr(c, ==, "/01/09506000134352/10/A%2FB%251-x?13=261125&linkType=linkset");
  g_autofree char *d = pt_gs1_resolver_target("/CxFKk4XBoQ8FfCSsVvgTP8BQX", &compressed, &error);
  g_assert_null(d);
  g_assert_error(error, PT_GS1_ERROR, PT_GS1_ERROR_SYNTAX);
}

static void
test_request(void)
{
  PtDlRequest r;
  g_autoptr(GError) error = NULL;
  g_assert_true(
      pt_gs1_resolver_request("h.example", "/01/09506000134352/10/A%2FB/?x=1", &r, &error));
  g_assert_no_error(error);
  g_assert_cmpstr(r.link.lot, ==, "A/B");
  g_assert_cmpstr(r.anchor, ==, "https://h.example/01/09506000134352/10/A%2FB");
  g_assert_null(r.same_as);
  g_assert_true(g_str_has_prefix(r.link_header, "<https://h.example/01/09506000134352/10/A%2FB?"));
  pt_gs1_resolver_request_clear(&r);
  g_assert_true(pt_gs1_resolver_request("h.example", "/ARFKk4XBoA", &r, NULL));
  g_assert_cmpstr(r.anchor, ==, "https://h.example/01/09506000134352");
  g_assert_cmpstr(r.same_as, ==, "https://h.example/01/09506000134352");
  pt_gs1_resolver_request_clear(&r);
  const char *bad[] = {"/station", "/01/09506000134352/10/L/foo", "/ARFKk4XBoAX"};
  for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
    g_clear_error(&error);
    g_assert_false(pt_gs1_resolver_request("h.example", bad[i], &r, &error));
    g_assert_error(error, PT_GS1_ERROR, PT_GS1_ERROR_SYNTAX);
    g_assert_null(r.target);
    g_assert_null(r.anchor);
  }
}

static void
test_query(void)
{
  const char *t = "/01/09506000134352/10/L?foo=bar&linkType=gs1%3Aepcis;x=1&linkTypeX=2#frag";
  g_autofree char *passed = pt_gs1_resolver_passed_query(t);
  g_assert_cmpstr(passed, ==, "?foo=bar&x=1&linkTypeX=2");
  g_autofree char *none = pt_gs1_resolver_passed_query("/01/09506000134352?linkType=gs1:pip");
  g_assert_cmpstr(none, ==, "");
  g_autofree char *lt = pt_gs1_resolver_query_value(t, "linkType");
  g_assert_cmpstr(lt, ==, "gs1:epcis");
  g_autofree char *missing = pt_gs1_resolver_query_value(t, "frag");
  g_assert_null(missing);
  g_autofree char *bad = pt_gs1_resolver_query_value("/x?linkType=%zz", "linkType");
  g_assert_cmpstr(bad, ==, "%zz");
  g_autofree char *nul = pt_gs1_resolver_query_value("/x?linkType=a%00b", "linkType");
  g_assert_cmpstr(nul, ==, "a%00b");
}

static void
test_pick(void)
{
  const PtDlLink *link = NULL;
  g_assert_cmpint(pt_gs1_resolver_pick(PT_DL_ITEM_BATCH, NULL, "text/html", &link), ==,
                  PT_DL_PICK_DEFAULT);
  g_assert_cmpint(pt_gs1_resolver_pick(PT_DL_ITEM_BATCH, NULL, PT_GS1_LINKSET_TYPE, &link), ==,
                  PT_DL_PICK_LINKSET);
  g_assert_cmpint(pt_gs1_resolver_pick(PT_DL_ITEM_BATCH, "linkset", NULL, &link), ==,
                  PT_DL_PICK_LINKSET);
  g_assert_cmpint(pt_gs1_resolver_pick(PT_DL_ITEM_BATCH, "all", NULL, &link), ==,
                  PT_DL_PICK_LINKSET);
  static const struct {
    const char *asked;
    PtDlAnswer answer;
  } ok[] = {
      {"gs1:pip", PT_DL_ANSWER_PAGE},
      {"https://gs1.org/voc/traceability", PT_DL_ANSWER_PAGE},
      {"gs1:defaultLink", PT_DL_ANSWER_PAGE},
      {"https://ref.gs1.org/voc/epcis", PT_DL_ANSWER_EPCIS},
      {"gs1:recallStatus", PT_DL_ANSWER_RECALL},
      {"pt:traceBundle", PT_DL_ANSWER_BUNDLE},
      {"pt:clip", PT_DL_ANSWER_CLIP},
  };
  for (gsize i = 0; i < G_N_ELEMENTS(ok); i++) {
    g_assert_cmpint(pt_gs1_resolver_pick(PT_DL_ITEM_BATCH, ok[i].asked, NULL, &link), ==,
                    PT_DL_PICK_LINK);
    g_assert_cmpint(link->answer, ==, ok[i].answer);
  }
  g_assert_true(pt_gs1_resolver_redirects(link) == FALSE);
  const char *unknown[] = {"gs1:nosuchlt", "https://example.org/voc/pip", "pt:pip", "GS1:PIP"};
  for (gsize i = 0; i < G_N_ELEMENTS(unknown); i++) {
    g_assert_cmpint(pt_gs1_resolver_pick(PT_DL_ITEM_BATCH, unknown[i], NULL, &link), ==,
                    PT_DL_PICK_UNKNOWN);
    g_assert_null(link);
  }
  /* A product has its page, not a batch's documents. */
  g_assert_cmpint(pt_gs1_resolver_pick(PT_DL_ITEM_PRODUCT, "gs1:pip", NULL, &link), ==,
                  PT_DL_PICK_LINK);
  g_assert_cmpint(pt_gs1_resolver_pick(PT_DL_ITEM_PRODUCT, "gs1:epcis", NULL, &link), ==,
                  PT_DL_PICK_UNKNOWN);
  g_assert_cmpint(pt_gs1_resolver_pick(PT_DL_ITEM_PRODUCT, "gs1:recallStatus", NULL, &link), ==,
                  PT_DL_PICK_UNKNOWN);
}

/* The linkset's shape as GS1's linkset schema has it: one object per anchor, every member but
 * anchor and itemDescription an absolute link relation whose value is a non-empty array of
 * target objects with an absolute href and a title. */
static void
test_linkset(void)
{
  const char *anchor = "https://trace.example.coop/01/09506000134352/10/A%2FB%251-x";
  json_t *doc = pt_gs1_resolver_linkset(PT_DL_ITEM_BATCH, anchor, "Oranges",
                                        "https://trace.example.coop/ns/packtrace/");
  json_t *sets = json_object_get(doc, "linkset");
  g_assert_true(json_is_array(sets) && json_array_size(sets) == 1);
  json_t *set = json_array_get(sets, 0);
  g_assert_cmpstr(json_string_value(json_object_get(set, "anchor")), ==, anchor);
  g_assert_cmpstr(json_string_value(json_object_get(set, "itemDescription")), ==, "Oranges");
  const char *rel;
  json_t *targets;
  guint n_rels = 0;
  json_object_foreach(set, rel, targets)
  {
    if (strcmp(rel, "anchor") == 0 || strcmp(rel, "itemDescription") == 0)
      continue;
    n_rels++;
    g_assert_true(g_str_has_prefix(rel, "https://"));
    g_assert_true(json_is_array(targets) && json_array_size(targets) >= 1);
    json_t *t = json_array_get(targets, 0);
    g_assert_true(g_str_has_prefix(json_string_value(json_object_get(t, "href")), anchor));
    g_assert_nonnull(json_string_value(json_object_get(t, "title")));
  }
  /* defaultLink, pip, traceability, epcis, recallStatus, traceBundle; no per-event clip. */
  g_assert_cmpuint(n_rels, ==, 6);
  json_t *def = json_array_get(json_object_get(set, PT_GS1_VOC "defaultLink"), 0);
  g_assert_cmpuint(json_object_size(def), ==, 2);
  g_assert_cmpstr(json_string_value(json_object_get(def, "href")), ==, anchor);
  json_t *epcis = json_array_get(json_object_get(set, PT_GS1_VOC "epcis"), 0);
  g_autofree char *epcis_href = g_strconcat(anchor, "?linkType=gs1:epcis", NULL);
  g_assert_cmpstr(json_string_value(json_object_get(epcis, "href")), ==, epcis_href);
  g_assert_nonnull(json_object_get(set, "https://trace.example.coop/ns/packtrace/traceBundle"));
  json_decref(doc);

  doc = pt_gs1_resolver_linkset(PT_DL_ITEM_PRODUCT, "https://h/01/09506000134352", NULL, "x:");
  set = json_array_get(json_object_get(doc, "linkset"), 0);
  g_assert_null(json_object_get(set, "itemDescription"));
  g_assert_null(json_object_get(set, PT_GS1_VOC "epcis"));
  g_assert_nonnull(json_object_get(set, PT_GS1_VOC "pip"));
  json_decref(doc);
}

static void
test_headers_and_documents(void)
{
  g_autofree char *link =
      pt_gs1_resolver_link_header("https://h/01/1", "https://h/01/1?13=1", TRUE);
  g_assert_cmpstr(link, ==,
                  "<https://h/01/1?linkType=linkset>; rel=\"linkset\"; "
                  "type=\"application/linkset+json\", <https://h/01/1?13=1>; rel=\"owl:sameAs\", "
                  "<" PT_GS1_LINKSET_CONTEXT ">; rel=\"http://www.w3.org/ns/json-ld#context\"; "
                  "type=\"application/ld+json\"");
  json_t *d = pt_gs1_resolver_description("https://h", "Shed", "https://h/ns/packtrace/");
  g_assert_cmpstr(json_string_value(json_object_get(d, "resolverRoot")), ==, "https://h");
  g_assert_cmpstr(json_string_value(json_array_get(json_object_get(d, "supportedPrimaryKeys"), 0)),
                  ==, "01");
  g_assert_true(json_is_false(json_object_get(d, "linkTypeDefaultCanBeLinkset")));
  json_decref(d);

  PtDlRecall recalled = {.gtin = "09506000134352",
                         .lot = "L1",
                         .verified = TRUE,
                         .status = "recalled",
                         .reason = "listeria",
                         .since = "2026-11-25T08:00:00Z",
                         .hash_id = "ni:///sha-256;ab?ver=CBV2.0"};
  json_t *r = pt_gs1_resolver_recall_json(&recalled);
  g_assert_true(json_is_true(json_object_get(r, "recalled")));
  g_assert_cmpstr(json_string_value(json_object_get(r, "reason")), ==, "listeria");
  g_assert_true(json_is_null(json_object_get(r, "station")));
  json_decref(r);
  /* An unverified status claims nothing: neither recalled nor not. */
  PtDlRecall unverified = recalled;
  unverified.verified = FALSE;
  r = pt_gs1_resolver_recall_json(&unverified);
  g_assert_cmpstr(json_string_value(json_object_get(r, "status")), ==, "unknown");
  g_assert_true(json_is_null(json_object_get(r, "recalled")));
  g_assert_true(json_is_null(json_object_get(r, "reason")));
  g_assert_true(json_is_null(json_object_get(r, "event_hash_id")));
  json_decref(r);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/gs1-resolver/decompress/vectors", test_decompress_vectors);
  g_test_add_func("/gs1-resolver/decompress/refused", test_decompress_refused);
  g_test_add_func("/gs1-resolver/target", test_target);
  g_test_add_func("/gs1-resolver/request", test_request);
  g_test_add_func("/gs1-resolver/query", test_query);
  g_test_add_func("/gs1-resolver/pick", test_pick);
  g_test_add_func("/gs1-resolver/linkset", test_linkset);
  g_test_add_func("/gs1-resolver/headers-and-documents", test_headers_and_documents);
  return g_test_run();
}

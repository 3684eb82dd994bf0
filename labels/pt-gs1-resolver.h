/* pt-gs1-resolver.h: what a GS1 Digital Link resolver answers (GS1-Conformant Resolver
 * Standard 1.x), decided once for both of packtrace's resolvers: the station's (http/pt-web.c)
 * and the co-op hub's (hub/pt-hub-web.c).  Pure: no I/O, no HTTP library; the callers hold the
 * batch and turn a decision into a response.
 *
 * The links of an item (a batch, or a product when the link names no lot) are fixed: the
 * consumer page, served at the Digital Link itself, is the default link and answers gs1:pip and
 * gs1:traceability; a batch adds its public EPCIS document (gs1:epcis), its signed recall state
 * (gs1:recallStatus) and its public signed bundle (pt:traceBundle), each served at the link
 * with ?linkType=.  Asking for a link whose href is the page answers a redirect to it (the
 * standard: "the resolver SHALL redirect to it"); asking for a link served at its own URL
 * answers the document.  The page itself is served, not redirected to, when no linkType is
 * asked: its href is the request's own URL.
 *
 * Workload: a few string compares per scan; the linkset and description are built on demand
 * (tens of bytes of JSON per link). */
#pragma once

#include "pt-gs1-dl.h"

#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

/* GS1's web vocabulary, in which gs1: link types are full URIs (RFC 9264 relation types). */
#define PT_GS1_VOC "https://ref.gs1.org/voc/"
/* The JSON-LD context a linkset response names in its Link header. */
#define PT_GS1_LINKSET_CONTEXT "https://ref.gs1.org/standards/resolver/linkset-context"
#define PT_GS1_LINKSET_TYPE    "application/linkset+json"
/* The methods a resolver answers, for Allow and Access-Control-Allow-Methods. */
#define PT_GS1_RESOLVER_METHODS "GET, HEAD, OPTIONS"
/* Request headers a browser may send cross-origin, and response headers it may read. */
#define PT_GS1_RESOLVER_CORS_HEADERS "Accept, Accept-Language"
#define PT_GS1_RESOLVER_CORS_EXPOSE  "Link, Location, Content-Type, ETag"
/* The path of the resolver description file. */
#define PT_GS1_RESOLVER_WELL_KNOWN "/.well-known/gs1resolver"

/* What a Digital Link names. */
typedef enum {
  PT_DL_ITEM_PRODUCT = 1 << 0, /* /01/{gtin}: the product */
  PT_DL_ITEM_BATCH = 1 << 1,   /* /01/{gtin}/10/{lot}: one batch */
} PtDlItem;

/* What answers a link. */
typedef enum {
  PT_DL_ANSWER_PAGE,   /* the consumer page, at the Digital Link itself */
  PT_DL_ANSWER_EPCIS,  /* the public EPCIS 2.0 document */
  PT_DL_ANSWER_RECALL, /* the signed recall state, pt_gs1_resolver_recall_json() */
  PT_DL_ANSWER_BUNDLE, /* the public signed bundle */
  PT_DL_ANSWER_CLIP,   /* an event's evidence clip, &n=N: one per event, not in the linkset */
} PtDlAnswer;

typedef struct {
  const char *link_type; /* compact form: "gs1:pip", "pt:traceBundle" */
  const char *title;
  const char *media_type;
  PtDlAnswer answer;
  guint items;     /* the PtDlItem bits it is offered for */
  gboolean listed; /* in the linkset */
} PtDlLink;

/* What a request asks for. */
typedef enum {
  PT_DL_PICK_DEFAULT, /* no linkType: the default link, the page */
  PT_DL_PICK_LINKSET, /* linkType=linkset (or the older all), or Accept: application/linkset+json */
  PT_DL_PICK_LINK,    /* a link the item offers: *link */
  PT_DL_PICK_UNKNOWN, /* a linkType the item does not offer: 404 */
} PtDlPick;

/* Decides what @item's Digital Link answers for ?linkType=@link_type (nullable: absent) and
 * the Accept header @accept (nullable).  A link type may be given compact ("gs1:epcis") or as
 * a URI of GS1's vocabulary (https://ref.gs1.org/voc/epcis, https://gs1.org/voc/epcis).  On
 * PT_DL_PICK_LINK, *@link (transfer none, static) is the link. */
PtDlPick pt_gs1_resolver_pick(PtDlItem item, const char *link_type, const char *accept,
                              const PtDlLink **link);

/* TRUE when @link is answered by a redirect to the page (its href is the Digital Link without
 * linkType) rather than by a document at the requested URL. */
gboolean pt_gs1_resolver_redirects(const PtDlLink *link);

/* Returns: (transfer full): @link's href for the item at @anchor (an absolute Digital Link
 * without query): @anchor itself for the page, else @anchor?linkType=... . */
char *pt_gs1_resolver_href(const PtDlLink *link, const char *anchor);

/* Returns: (transfer full): the linkset of @item at @anchor (RFC 9264 JSON, in the shape of
 * GS1's linkset schema): {"linkset": [{"anchor", "itemDescription", "<link type URI>":
 * [{"href", "title", "type", "hreflang"}], ...}]}, gs1:defaultLink first.  @description
 * (nullable) is the item's name; @pt_ns is the URI of the pt: prefix (the EPCIS namespace
 * of the station's extensions). */
json_t *pt_gs1_resolver_linkset(PtDlItem item, const char *anchor, const char *description,
                                const char *pt_ns);

/* Returns: (transfer full): the value of a Link header for an answer about @anchor: the
 * linkset (rel="linkset"); with @same_as (nullable), the uncompressed Digital Link a
 * compressed request stands for (rel="owl:sameAs"); with @context, the linkset's JSON-LD
 * context (rel="http://www.w3.org/ns/json-ld#context"). */
char *pt_gs1_resolver_link_header(const char *anchor, const char *same_as, gboolean context);

/* Returns: (transfer full): the query of @raw_target (path and query as sent, nullable) to
 * pass on when redirecting: every key=value pair as sent but linkType's; "" when none is
 * left, else starting with '?'. */
char *pt_gs1_resolver_passed_query(const char *raw_target);

/* Returns: (transfer full) (nullable): the percent-decoded value of the first @key of
 * @raw_target's query, as sent when it does not decode (a bad escape, %00: a value no link
 * has); NULL when absent. */
char *pt_gs1_resolver_query_value(const char *raw_target, const char *key);

/* Returns: (transfer full): @raw_target (path and query as sent) as the uncompressed Digital
 * Link target the parser reads: a compressed link (one path segment of base64) decompressed,
 * its own query after the decompressed one; one trailing '/' of the path dropped (GS1: a
 * resolver SHOULD tolerate it).  *@compressed says whether it was compressed.  NULL when a
 * compressed link does not decode (PT_GS1_ERROR_SYNTAX, saying why). */
char *pt_gs1_resolver_target(const char *raw_target, gboolean *compressed, GError **error);

/* One request to a resolver, read from the request target as the client sent it. */
typedef struct {
  PtDigitalLink link; /* what it names */
  char *target;       /* the uncompressed request target (pt_gs1_resolver_target()) */
  gboolean compressed;
  char *same_as;     /* nullable: for a compressed request, the uncompressed Digital Link */
  char *anchor;      /* https://@host/01/{gtin}[/10/{lot}]: the item's Digital Link */
  char *link_header; /* the Link header of every answer about the item */
} PtDlRequest;

/* Reads @raw_target (path and query as sent, before any percent-decoding, so that the lot
 * "A/B" sent as A%2FB stays one segment) as a Digital Link of @host: decompressed, a
 * trailing slash dropped, parsed strictly (pt_gs1_digital_link_parse()).  @out is
 * caller-allocated; on success clear it with pt_gs1_resolver_request_clear(), on failure it
 * holds nothing.  Errors (PT_GS1_ERROR) say what is wrong: not a Digital Link path, over
 * PT_DL_URI_MAX, a compressed link that does not decode, the parser's refusal. */
gboolean pt_gs1_resolver_request(const char *host, const char *raw_target, PtDlRequest *out,
                                 GError **error);
void pt_gs1_resolver_request_clear(PtDlRequest *request);

/* Returns: (transfer full): the resolver description file (/.well-known/gs1resolver) of the
 * resolver at @origin ("https://host") named @name: name, resolverRoot, supportedPrimaryKeys
 * (01), linkTypeDefaultCanBeLinkset (false), supportedLinkType (the gs1: and pt: prefixes
 * and their namespaces), jsonLdContextLocation and the link types it serves. */
json_t *pt_gs1_resolver_description(const char *origin, const char *name, const char *pt_ns);

/* A batch's recall state as its signed events state it. */
typedef struct {
  const char *gtin;
  const char *lot;
  gboolean verified;   /* the status event (if any) was verified against the station's key */
  const char *status;  /* "active", "held", "recalled" (nullable when not verified) */
  const char *reason;  /* nullable: the signed reason of a hold or recall */
  const char *since;   /* nullable: eventTime of the status event; NULL: no status change */
  const char *hash_id; /* nullable: its GS1 Event Hash ID */
  const char *station; /* nullable: the id of the station that signed it */
} PtDlRecall;

/* Returns: (transfer full): @recall as the gs1:recallStatus answer: {gtin, lot, status,
 * recalled, reason, since, event_hash_id, verified, station}.  Nothing beyond what was
 * signed: when the status event does not verify, status is "unknown" and recalled null. */
json_t *pt_gs1_resolver_recall_json(const PtDlRecall *recall);

G_END_DECLS

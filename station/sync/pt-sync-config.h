/* pt-sync-config.h: sync connectors as station.ini describes them, one [sync NAME]
 * section each; `packtrace sync add|remove` edit those sections in place (comments
 * kept, written atomically), so the file stays the source of truth.  Also the tiny
 * template language that maps a webhook's JSON onto a platform's names. */
#pragma once

#include "pt-config.h"
#include "pt-store-sync.h"

#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

typedef enum {
  PT_SYNC_EPCIS,   /* POST {url}/capture, EPCIS 2.0 documents, batched */
  PT_SYNC_WEBHOOK, /* POST {url}, one signed JSON item per request */
  PT_SYNC_HUB,     /* the co-op hub: {url}/hub/v1/..., the whole signed log (pt-sync-hub.c) */
} PtSyncType;

/* "epcis", "webhook" or "hub". */
const char *pt_sync_type_name(PtSyncType type);

typedef struct {
  char *name;
  PtSyncType type;
  char *url;
  char *secret;       /* webhook HMAC key; required for webhooks */
  char *bearer;       /* nullable: sent as Authorization: Bearer */
  char *filter;       /* as written: all | product:X | gtin:X | grower:X */
  char *filter_kind;  /* "all", "product", "gtin", "grower" */
  char *filter_value; /* nullable; a GTIN is normalised to 14 digits */
  char *ca_file;      /* nullable: CA bundle for a private CA */
  char *proxy;        /* nullable: no proxy (the environment's is ignored) */
  int connect_timeout_ms;
  int timeout_ms;
  int max_batch;
  int retry_min_ms;
  int retry_max_ms;
  gboolean from_start;  /* a connector seen for the first time starts at the outbox's beginning */
  char *gln;            /* nullable: as written; the webhook of the buyer at these GLNs */
  GStrv glns;           /* nullable: those GLNs (recall notices for them go here) */
  gboolean video_relay; /* hub only: buyers watch loads through the hub (station/pt-hub-video.h) */
  char *template_path;  /* nullable */
  json_t *template;     /* nullable */
} PtSyncConnector;

void pt_sync_connector_free(PtSyncConnector *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtSyncConnector, pt_sync_connector_free)

/* Reads every [sync NAME] section of @config; relative paths are under @data_dir.
 * Returns: (transfer full) (element-type PtSyncConnector). */
GPtrArray *pt_sync_connectors_load(const PtConfig *config, const char *data_dir, GError **error);

/* The store's view of @c (borrows @c's strings). */
PtSyncQueueSpec pt_sync_connector_spec(const PtSyncConnector *c);

typedef struct {
  const char *name;
  const char *type;
  const char *url;
  const char *secret;   /* nullable */
  const char *bearer;   /* nullable */
  const char *filter;   /* nullable = all */
  const char *ca_file;  /* nullable */
  const char *proxy;    /* nullable */
  const char *template; /* nullable */
  int max_batch;        /* 0 = default */
  gboolean from_start;
  gboolean video_relay; /* hub only */
} PtSyncAddSpec;

/* Adds a [sync NAME] section to @ini_path after validating it exactly as the
 * loader will.  Returns: (transfer full): the new connector. */
PtSyncConnector *pt_sync_connector_add(const char *ini_path, const char *data_dir,
                                       const PtSyncAddSpec *spec, GError **error);
gboolean pt_sync_connector_remove(const char *ini_path, const char *name, GError **error);

/* Template: a JSON document; a string that is exactly "{{name}}" becomes the
 * field's value (any JSON type), "{{name}}" inside a longer string its text.
 * Unknown names are refused when the template is loaded. */
gboolean pt_sync_template_check(const json_t *template, GError **error);
/* Returns: (transfer full). */
json_t *pt_sync_template_apply(const json_t *template, json_t *fields);
/* The field names a template may use, NULL-terminated. */
extern const char *const pt_sync_template_fields[];

G_END_DECLS

/* pt-config.h: station.ini, the station's source of truth for settings.  Read with
 * GKeyFile, validated once at load; later issues add sections of their own and read
 * them through @keyfile. */
#pragma once

#include "pt-label.h"
#include "pt-printer-config.h"
#include "pt-public-config.h"

#include <glib.h>

G_BEGIN_DECLS

/* [labels] and [labels.zh]: what labels print and how the print queue reaches printers;
 * read with the rest of station.ini by pt_config_load(). */
typedef struct {
  char *supplier_name;    /* default: [station] name */
  char *supplier_address; /* nullable */
  char *supplier_phone;   /* nullable: on the compliance certificate (pt-export-cn.h) */
  char *pack_size;        /* nullable, e.g. "18 kg carton, 88 ct" */
  PtLabelTemplate template_;
  PtLabelFormat format;
  guint connect_timeout_ms; /* printer connect timeout */
  guint io_timeout_ms;      /* longest a printer may stall mid-job */
  GHashTable *zh;           /* (element-type utf8 utf8): text as entered -> Chinese */
} PtLabelSettings;

void pt_label_settings_free(PtLabelSettings *settings);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtLabelSettings, pt_label_settings_free)

typedef struct {
  char *station_id;            /* derived from the public key at init */
  char *name;                  /* shown on labels and pages */
  char *public_host;           /* host of the Digital Link printed on labels */
  char *lot_prefix;            /* generated lots start with it */
  char *gln;                   /* the shed's GLN, or NULL */
  char *company_prefix;        /* [station] gs1_company_prefix: 7-10 digits, or NULL (no SSCCs) */
  guint sscc_extension;        /* [station] sscc_extension: 0-9 */
  char *time_zone;             /* [station] time_zone as written (default "UTC") */
  int years_first, years_last; /* [station] years: the years its times may fall in */
  GTimeZone *tz;               /* owned: that zone, for eventTimeZoneOffset and times given without
                                * an offset */
  gboolean has_location;       /* [station] location set: the consumer page's origin map */
  double latitude, longitude;  /* its LAT,LON in degrees, when @has_location */
  char *listen_host;           /* HTTP listen address */
  guint16 listen_port;         /* 0 = any free port (tests) */
  char *operator_token;        /* bearer token for writes over HTTP */
  int busy_timeout_ms;         /* how long a writer waits for the database lock */
  int http_timeout_s;          /* [http] timeout_s: idle or half-sent connections are dropped */
  int http_header_timeout_s;   /* [http] header_timeout_s: a request's headers, in all */
  int disk_low_percent;        /* [alerts] disk_low_percent: free space under it is an alert */
  int clock_skew_s;            /* [alerts] clock_skew_s: a hub's clock further off is an alert */
  GKeyFile *keyfile;           /* the whole file, for sections of later modules */

  /* [labels] and [labels.zh], read at load like the keys above */
  PtLabelSettings *labels;
  /* (element-type PtPrinter): the [printer NAME] sections, in file order */
  GPtrArray *printers;
  /* [public]: who the consumer page says packed the lot */
  PtPublicConfig *public_;
} PtConfig;

/* Returns: (transfer full): the parsed config, or NULL with an error naming the
 * file, key and what is wrong. */
PtConfig *pt_config_load(const char *path, GError **error);
void pt_config_free(PtConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtConfig, pt_config_free)

/* Returns: (transfer full): station.ini text with every key documented. */
char *pt_config_template(const char *station_id, const char *operator_token);

/* Parses "HOST:PORT" or "[V6ADDR]:PORT". */
gboolean pt_config_parse_listen(const char *text, char **host_out, guint16 *port_out,
                                GError **error);

/* Editing station.ini in place (`sync add`, `calibrate --save`): open keeps the comments and
 * key order; save writes the file atomically, mode 0600.  Returns: (transfer full). */
GKeyFile *pt_config_edit_open(const char *ini_path, GError **error);
gboolean pt_config_edit_save(GKeyFile *kf, const char *ini_path, GError **error);

G_END_DECLS

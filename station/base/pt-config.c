/* pt-config.c: loading and validating station.ini, the documented template that
 * `packtrace init` writes, and editing it in place for the commands that change settings. */
#include "pt-config.h"

#include "pt-error.h"
#include "pt-file.h"
#include "pt-limits.h"
#include "pt-time.h"
#include "pt-gs1.h"
#include "pt-labels-limits.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char config_template[] =
    "# packtrace station settings.  Edit and restart `packtrace run` to apply.\n"
    "# Times are UTC everywhere below the user interface.\n"
    "\n"
    "[station]\n"
    "# Identifier of this station, derived from its Ed25519 public key by `packtrace init`.\n"
    "id=%s\n"
    "# Name shown on labels, pages and exports.\n"
    "name=Packing station\n"
    "# Host of the GS1 Digital Link printed in every batch QR code:\n"
    "#   https://HOST/01/{gtin}/10/{lot}?13={pack date YYMMDD}\n"
    "# It must be the public address that answers for this station's pages.\n"
    "public_host=trace.example.coop\n"
    "# Generated lots are PREFIX + pack date YYMMDD + a 4-digit counter, e.g. PT2611250007.\n"
    "# 1 to 6 capital letters or digits.\n"
    "lot_prefix=PT\n"
    "# GLN of the packing shed (13 digits), used as the read point of events. Empty: none.\n"
    "gln=\n"
    "# GS1 company prefix (7 to 10 digits) for the SSCCs of pallets (`packtrace pallet new`):\n"
    "# extension digit + prefix + serial reference + check digit.  Empty: no pallets.\n"
    "gs1_company_prefix=\n"
    "# SSCC extension digit (0-9), the first digit of every SSCC this station allocates.\n"
    "sscc_extension=0\n"
    "# The shed's time zone: an IANA name (Asia/Shanghai) or a fixed offset (+08:00).  Events\n"
    "# carry it as eventTimeZoneOffset (their eventTime stays UTC), and a time given without\n"
    "# an offset (event add --at 2026-11-25T08:30:00) is read in it.\n"
    "time_zone=UTC\n"
    "# The years this station records, first and last included: any time or date outside them\n"
    "# (a harvest in 1900, a pack date in 9999) is refused as a typo.  Within 1900-2199.\n"
    "years=2000-2099\n"
    "# Where the shed is, LAT,LON in decimal degrees (37.46,121.44): the consumer page then\n"
    "# draws a small map of the country with a dot there.  Empty: no map.\n"
    "location=\n"
    "\n"
    "[http]\n"
    "# Address the HTTP server listens on: HOST:PORT or [IPv6]:PORT.\n"
    "listen=127.0.0.1:8080\n"
    "# Bearer token for scripts (Authorization: Bearer TOKEN): it has the operator role.\n"
    "# People sign in with accounts of `packtrace user add`; platforms use `packtrace apikey`.\n"
    "operator_token=%s\n"
    "# Sign-in sessions (cookie pt_session) end this many seconds after their last use, and\n"
    "# at the latest this many seconds after signing in.\n"
    "session_idle_s=7200\n"
    "session_max_s=43200\n"
    "# Sign-in attempts per client address, and per user name from one address: this many\n"
    "# a minute, up to login_burst at once; beyond that the answer is 429 with Retry-After.\n"
    "login_per_minute=6\n"
    "login_burst=5\n"
    "# Requests per second per client address to the public routes (consumer pages, static\n"
    "# files, /healthz, public bundles and clips), up to public_burst at once; 0 = no limit.\n"
    "public_per_second=50\n"
    "public_burst=100\n"
    "# HTTPS: PEM certificate (with its chain) and private key, paths relative to the data\n"
    "# directory.  Both empty: plain HTTP.  A missing, unreadable or mismatched file stops\n"
    "# `packtrace run` at start.  With TLS the session cookie is marked Secure.\n"
    "tls_cert=\n"
    "tls_key=\n"
    "# Seconds a connection may stay idle or keep a request half sent before it is dropped.\n"
    "timeout_s=15\n"
    "# Seconds a request's headers may take in all, from the connection (or the previous\n"
    "# request's end) on: a client that trickles a byte a second is dropped after this.\n"
    "header_timeout_s=10\n"
    "# Sign-in password checks (argon2id, 64 MiB each) run on this many threads, beside the\n"
    "# HTTP workers; at most hash_queue sign-ins wait for them, more get 503 with Retry-After.\n"
    "hash_threads=1\n"
    "hash_queue=8\n"
    "\n"
    "[alerts]\n"
    "# The dashboard warns when the data directory's file system has less than this many\n"
    "# percent free (0 = never).\n"
    "disk_low_percent=10\n"
    "# The dashboard warns when the clock that signs every event differs by more than this\n"
    "# many seconds from a co-op hub's, read from the Date of the hub connector's answers\n"
    "# (whole seconds, so not under 2; 0 = never).\n"
    "clock_skew_s=30\n"
    "\n"
    "[store]\n"
    "# Milliseconds a writer waits for another writer's lock before giving up.\n"
    "busy_timeout_ms=5000\n"
    "\n"
    "[recording]\n"
    "# Segments go to DATA/recordings/<camera>/<UTC date>/, evidence clips to DATA/clips/.\n"
    "# Recordings may use this many bytes (K, M, G, T suffixes; 0 = no quota).  Over it, the\n"
    "# oldest segments that no kept evidence clip was cut from are deleted.\n"
    "quota_bytes=0\n"
    "# Keep at least this much free on the recordings' file system; below it even segments a\n"
    "# clip was cut from go (the clip file itself is kept).\n"
    "min_free_bytes=1G\n"
    "# Evidence clips attached to batch events are kept this many days.\n"
    "evidence_retention_days=730\n"
    "# auto: when no [camera ...] section exists, record generated demo footage (made once\n"
    "# into DATA/demo/) from a picking, a grading and a loading camera.  off: no demo.\n"
    "demo=auto\n"
    "\n"
    "# One section per camera; the name (A-Z a-z 0-9 _ -, up to 32) names its folder.\n"
    "#   role:            picking | grading | loading\n"
    "#   source:          v4l2:/dev/video0       a USB/V4L2 camera (encoded to H.264)\n"
    "#                    rtsp://user:pass@host/stream   an IP camera (H.264, recorded as is)\n"
    "#                    file:PATH              an H.264 file played in a loop (relative to "
    "DATA)\n"
    "#                    test[:PATTERN]         a GStreamer test pattern (ball, smpte, ...)\n"
    "#   segment_seconds: length of each recorded file (1..3600, default 60)\n"
    "#   width, height, fps: wanted size and rate of raw sources (v4l2, test); optional\n"
    "#   timestamp_overlay: none (default) | qr: raw sources burn each frame's UTC time (ms)\n"
    "#                    into its top left corner as a QR code, recorded and live\n"
    "#   live_idle_seconds: the live view stops this long after its last viewer (1..600,\n"
    "#                    default 10)\n"
    "#   privacy_mask:    X,Y,WIDTH,HEIGHT[;X,Y,WIDTH,HEIGHT...] in the camera's pixels, or\n"
    "#                    a rectangle's four in percent of the frame (75%%,0%%,25%%,12.5%%; at "
    "most\n"
    "#                    8): covered in the live view, clips, thumbnails and grading stills,\n"
    "#                    never in the recording (its signed hashes stay the camera's own)\n"
    "#   privacy_mask_style: black (default) | blur\n"
    "#   analysis_source: an H.264 camera's lower-resolution substream (rtsp://URL or\n"
    "#                    file:PATH): thumbnails, grading and code scanning read and decode it\n"
    "#                    instead of the main stream, which is only recorded.  scan_region,\n"
    "#                    privacy_mask and mm_per_px stay in the main stream's pixels\n"
    "#   loading cameras read the batch codes of labels passing the dock:\n"
    "#   dock:            the dock whose open load the codes go on (default: the camera's name);\n"
    "#                    codes are read only while a load is open there\n"
    "#   scan_fps:        frames a second read for codes (1..30, default 5)\n"
    "#   scan_width:      frames wider than this are scaled down before reading (default 640)\n"
    "#   scan_region:     X,Y,WIDTH,HEIGHT in the camera's pixels: only this part of the frame\n"
    "#                    (the dock) is read and watched for motion (default: the whole frame)\n"
    "#   scan_motion:     true (default): read only while something moves in the region and\n"
    "#                    for scan_hold_ms after (default 2000); false: every frame at scan_fps\n"
    "#\n"
    "# [camera picking-1]\n"
    "# role=picking\n"
    "# source=v4l2:/dev/video0\n"
    "# segment_seconds=60\n"
    "#\n"
    "# [camera dock-2]\n"
    "# role=loading\n"
    "# source=rtsp://192.168.1.64:554/Streaming/Channels/101\n"
    "\n"
    "[grading]\n"
    "# Frames per second the grading camera (role=grading, also the demo one) hands to the\n"
    "# grader while `packtrace run` runs (0..30; 0 = not graded).  Fruit go to the batch whose\n"
    "# grading is open (`packtrace grade open ID`); `packtrace grade close ID` signs the\n"
    "# inspecting event.  Frames the grader cannot keep up with are dropped, never the video.\n"
    "fps=5\n"
    "# Grade profile and calibration (millimetres per pixel at fruit height, see\n"
    "# `packtrace calibrate --save`) that `packtrace grade open` uses when not given.\n"
    "# Empty: orange-unece and 0.3.\n"
    "profile=\n"
    "mm_per_px=\n"
    "\n"
    "[public]\n"
    "# What the consumer page (the QR code's page) says about who packed the lot.  Each text\n"
    "# may have a Chinese twin, KEY_zh, shown to Chinese readers.\n"
    "#   coop_name:  the co-op's name, shown instead of the station name\n"
    "#   coop_logo:  a PNG, JPEG or SVG file (at most 64 KB) shown beside it\n"
    "#   town:       the packing shed's town\n"
    "#   hotline:    the phone number for questions, complaints and recalls\n"
    "#   recall_instructions: what a recalled lot's page tells the shopper to do\n"
    "#                (default: stop eating it, return it where it was bought for a refund)\n"
    "# coop_name=Gannan Navel Orange Co-op\n"
    "# coop_name_zh=赣南脐橙合作社\n"
    "# town=Xinfeng, Ganzhou\n"
    "# town_zh=赣州市信丰县\n"
    "# hotline=+86 797 555 0100\n"
    "\n"
    "[labels]\n"
    "# Supplier printed on case and pallet labels (default: the station name) and its address.\n"
    "supplier_name=\n"
    "supplier_address=\n"
    "# A telephone number buyers and inspectors reach the supplier on (the compliance\n"
    "# certificate, 合格证, of `packtrace export cn`).  Empty: the certificate says none is set.\n"
    "supplier_phone=\n"
    "# Pack size printed on labels, e.g. 18 kg carton, 88 ct.  Empty: not printed.\n"
    "pack_size=\n"
    "# What `packtrace label` makes without --template / --format: case or pallet; png, pdf,\n"
    "# svg or zpl.\n"
    "template=pallet\n"
    "format=png\n"
    "# Printers (raw TCP, port 9100): milliseconds to connect, and the longest a printer may\n"
    "# stall mid-job before the attempt fails and the job waits for a retry.\n"
    "connect_timeout_ms=5000\n"
    "io_timeout_ms=10000\n"
    "\n"
    "[labels.zh]\n"
    "# Chinese for the product, variety and origin of batches, keyed by the text as entered;\n"
    "# printed beside the English on pallet labels.  For example:\n"
    "# Oranges=橙子\n"
    "# Navel=脐橙\n"
    "# CN=中国\n"
    "\n"
    "# Label printers, one [printer NAME] section each (NAME: A-Z a-z 0-9 _ -, up to 32): the\n"
    "# dashboard offers them as a list and `packtrace label ID --print NAME` takes the name.\n"
    "# With none configured, the dashboard takes a typed HOST[:PORT].\n"
    "#   address:  HOST or HOST:PORT of a ZPL printer on raw TCP (port 9100 by default)\n"
    "#   label:    what the shed calls it, shown on the dashboard and in its alerts\n"
    "#   template: case or pallet, what it prints unless told (default: [labels] template)\n"
    "#   default:  true for the one preselected on the dashboard\n"
    "# [printer dock]\n"
    "# address=192.168.1.50:9100\n"
    "# label=Dock label printer\n"
    "# template=case\n"
    "# default=true\n"
    "\n"
    "# Sales platforms: one [sync NAME] section each, managed with `packtrace sync add|remove`.\n"
    "#   type=epcis (POST {url}/capture, EPCIS 2.0) or webhook (POST {url}, signed JSON)\n"
    "#   url=, secret= (webhook HMAC key), bearer=, filter=all|product:X|gtin:X|grower:X,\n"
    "#   ca_file=, proxy=, connect_timeout_ms=10000, timeout_ms=60000, max_batch=500,\n"
    "#   retry_min_ms=1000, retry_max_ms=300000, from_start=false, template= (webhook JSON)\n"
    "#   gln= (webhook only): the connector is the buyer at that GLN; recall notices for what\n"
    "#   was shipped there go to it (station/sync/RECALL-NOTICES.md)\n"
    "#   type=hub: the co-op hub (station/hub/PROTOCOL.md); video_relay=true lets the loads'\n"
    "#   buyers watch their loading through the hub, the station asking the hub what is\n"
    "#   wanted (nothing reaches the shed from outside); default false: no video leaves\n"
    "\n"
    "# Recall notices (packtrace recall): a buyer's notice not acknowledged within\n"
    "# ack_deadline (90s, 30m, 4h, 2d) is escalated: a dashboard alert and a second notice.\n"
    "# [recall]\n"
    "# ack_deadline=4h\n";

char *
pt_config_template(const char *station_id, const char *operator_token)
{
  return g_strdup_printf(config_template, station_id, operator_token);
}

gboolean
pt_config_parse_listen(const char *text, char **host_out, guint16 *port_out, GError **error)
{
  const char *colon;
  g_autofree char *host = NULL;
  if (text[0] == '[') {
    const char *close = strchr(text, ']');
    if (!close || close[1] != ':')
      goto out_bad;
    host = g_strndup(text + 1, close - text - 1);
    colon = close + 1;
  } else {
    colon = strrchr(text, ':');
    if (!colon || colon == text)
      goto out_bad;
    host = g_strndup(text, colon - text);
  }
  guint64 port;
  if (!g_ascii_string_to_unsigned(colon + 1, 10, 0, 65535, &port, NULL))
    goto out_bad;
  *host_out = g_steal_pointer(&host);
  *port_out = (guint16)port;
  return TRUE;

out_bad:
  g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
              "listen address '%s' is not HOST:PORT or [IPV6]:PORT", text);
  return FALSE;
}

static char *
get_string(GKeyFile *kf, const char *group, const char *key, const char *fallback)
{
  char *v = g_key_file_get_string(kf, group, key, NULL);
  if (!v)
    return fallback ? g_strdup(fallback) : NULL;
  g_strstrip(v);
  return v;
}

/* One coordinate of "LAT,LON": a decimal number, nothing after it, within @-limit..@limit. */
static gboolean
degrees(const char *text, double limit, double *out)
{
  char *end = NULL;
  g_autofree char *t = g_strstrip(g_strdup(text));
  *out = g_ascii_strtod(t, &end);
  return *t && end && !*end && isfinite(*out) && fabs(*out) <= limit;
}

/* [station] location "LAT,LON" in decimal degrees. */
static gboolean
location_parse(const char *text, double *lat, double *lon)
{
  g_auto(GStrv) parts = g_strsplit(text, ",", 3);
  return g_strv_length(parts) == 2 && degrees(parts[0], 90, lat) && degrees(parts[1], 180, lon);
}

static gboolean
valid_host(const char *host)
{
  if (!*host || strlen(host) > 253)
    return FALSE;
  for (const char *c = host; *c; c++)
    if (!g_ascii_isalnum(*c) && !strchr("-.:[]", *c))
      return FALSE;
  return TRUE;
}

/* [labels] and [labels.zh] */

void
pt_label_settings_free(PtLabelSettings *s)
{
  if (!s)
    return;
  g_free(s->supplier_name);
  g_free(s->supplier_address);
  g_free(s->supplier_phone);
  g_free(s->pack_size);
  g_clear_pointer(&s->zh, g_hash_table_unref);
  g_free(s);
}

/* A [labels] text value: stripped, empty = NULL, refused when over the station's text
 * limit (the label library has its own, larger, bound and shrinks text to fit). */
static gboolean
get_text(GKeyFile *kf, const char *path, const char *group, const char *key, char **out,
         GError **error)
{
  char *v = g_key_file_get_string(kf, group, key, NULL);
  if (v)
    g_strstrip(v);
  if (v && !*v)
    g_clear_pointer(&v, g_free);
  if (v && strlen(v) > PT_TEXT_FIELD_MAX) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "%s: [%s] %s is longer than %d bytes", path,
                group, key, PT_TEXT_FIELD_MAX);
    g_free(v);
    return FALSE;
  }
  *out = v;
  return TRUE;
}

static gboolean
get_ms(GKeyFile *kf, const char *path, const char *key, guint fallback, guint *out, GError **error)
{
  g_autofree char *v = NULL;
  if (!get_text(kf, path, "labels", key, &v, error))
    return FALSE;
  guint64 n = fallback;
  if (v && !g_ascii_string_to_unsigned(v, 10, 1, PT_PRINT_TIMEOUT_MS_MAX, &n, NULL)) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "%s: [labels] %s '%s' must be 1..%d", path, key,
                v, PT_PRINT_TIMEOUT_MS_MAX);
    return FALSE;
  }
  *out = (guint)n;
  return TRUE;
}

static PtLabelSettings *
label_settings_load(GKeyFile *kf, const char *path, const char *station_name, GError **error)
{
  g_autoptr(PtLabelSettings) s = g_new0(PtLabelSettings, 1);
  s->zh = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *template_ = NULL, *format = NULL;
  if (!get_text(kf, path, "labels", "supplier_name", &s->supplier_name, error) ||
      !get_text(kf, path, "labels", "supplier_address", &s->supplier_address, error) ||
      !get_text(kf, path, "labels", "supplier_phone", &s->supplier_phone, error) ||
      !get_text(kf, path, "labels", "pack_size", &s->pack_size, error) ||
      !get_text(kf, path, "labels", "template", &template_, error) ||
      !get_text(kf, path, "labels", "format", &format, error) ||
      !get_ms(kf, path, "connect_timeout_ms", PT_PRINT_CONNECT_TIMEOUT_MS, &s->connect_timeout_ms,
              error) ||
      !get_ms(kf, path, "io_timeout_ms", PT_PRINT_IO_TIMEOUT_MS, &s->io_timeout_ms, error))
    return NULL;
  if (!s->supplier_name)
    s->supplier_name = g_strdup(station_name);
  s->template_ = PT_LABEL_PALLET;
  if (template_ && !pt_label_template_from_string(template_, &s->template_)) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "%s: [labels] template '%s' must be case or pallet", path, template_);
    return NULL;
  }
  s->format = PT_LABEL_PNG;
  if (format && !pt_label_format_from_string(format, &s->format)) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "%s: [labels] format '%s' must be png, pdf, svg or zpl", path, format);
    return NULL;
  }
  g_auto(GStrv) keys = g_key_file_get_keys(kf, "labels.zh", NULL, NULL);
  for (guint i = 0; keys && keys[i]; i++) {
    char *zh = NULL;
    if (!get_text(kf, path, "labels.zh", keys[i], &zh, error))
      return NULL;
    if (zh)
      g_hash_table_insert(s->zh, g_strdup(keys[i]), zh);
  }
  return g_steal_pointer(&s);
}

PtConfig *
pt_config_load(const char *path, GError **error)
{
  g_autoptr(PtConfig) config = g_new0(PtConfig, 1);
  g_autoptr(GError) local = NULL;
  config->keyfile = g_key_file_new();
  if (!g_key_file_load_from_file(config->keyfile, path, G_KEY_FILE_KEEP_COMMENTS, &local)) {
    g_set_error(error, PT_ERROR,
                g_error_matches(local, G_FILE_ERROR, G_FILE_ERROR_NOENT) ? PT_ERROR_NOT_FOUND
                                                                         : PT_ERROR_INVALID,
                "%s: %s", path, local->message);
    return NULL;
  }
  GKeyFile *kf = config->keyfile;
  config->station_id = get_string(kf, "station", "id", NULL);
  config->name = get_string(kf, "station", "name", "Packing station");
  config->public_host = get_string(kf, "station", "public_host", "trace.example.coop");
  config->lot_prefix = get_string(kf, "station", "lot_prefix", "PT");
  config->gln = get_string(kf, "station", "gln", NULL);
  config->company_prefix = get_string(kf, "station", "gs1_company_prefix", NULL);
  g_autofree char *extension = get_string(kf, "station", "sscc_extension", "0");
  config->time_zone = get_string(kf, "station", "time_zone", "UTC");
  config->operator_token = get_string(kf, "http", "operator_token", NULL);
  g_autofree char *listen = get_string(kf, "http", "listen", "127.0.0.1:8080");
  g_autofree char *busy = get_string(kf, "store", "busy_timeout_ms", "5000");
  g_autofree char *timeout = get_string(kf, "http", "timeout_s", "15");
  g_autofree char *header_timeout =
      get_string(kf, "http", "header_timeout_s", G_STRINGIFY(PT_HTTP_HEADER_TIMEOUT_S));
  g_autofree char *disk_low = get_string(kf, "alerts", "disk_low_percent", "10");
  g_autofree char *clock_skew = get_string(kf, "alerts", "clock_skew_s", "30");

  if (!config->station_id || !*config->station_id) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "%s: [station] id is missing", path);
    return NULL;
  }
  if (!valid_host(config->public_host)) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "%s: [station] public_host '%s' is not a host name", path, config->public_host);
    return NULL;
  }
  gsize n = strlen(config->lot_prefix);
  if (n < 1 || n > 6 || strspn(config->lot_prefix, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != n) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "%s: [station] lot_prefix '%s' must be 1 to 6 capital letters or digits", path,
                config->lot_prefix);
    return NULL;
  }
  if (config->gln && !*config->gln)
    g_clear_pointer(&config->gln, g_free);
  if (config->gln && !pt_gs1_validate_key("GLN", config->gln, 13, &local)) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "%s: [station] gln: %s", path, local->message);
    return NULL;
  }
  if (config->company_prefix && !*config->company_prefix)
    g_clear_pointer(&config->company_prefix, g_free);
  gsize n_prefix = config->company_prefix ? strlen(config->company_prefix) : 0;
  if (config->company_prefix &&
      (n_prefix < 7 || n_prefix > 10 || strspn(config->company_prefix, "0123456789") != n_prefix)) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "%s: [station] gs1_company_prefix '%.32s' must be 7 to 10 digits (the prefix GS1 "
                "assigned; an SSCC has 17 digits before its check digit)",
                path, config->company_prefix);
    return NULL;
  }
  if (strlen(extension) != 1 || !g_ascii_isdigit(extension[0])) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "%s: [station] sscc_extension '%.32s' must be one digit, 0 to 9", path, extension);
    return NULL;
  }
  config->sscc_extension = (guint)(extension[0] - '0');
  g_autofree char *years = get_string(kf, "station", "years", NULL);
  config->years_first = PT_TIME_YEARS_FIRST_DEFAULT;
  config->years_last = PT_TIME_YEARS_LAST_DEFAULT;
  if (years && *years) {
    g_auto(GStrv) ends = g_strsplit(years, "-", 3);
    guint64 first = 0, last = 0;
    if (g_strv_length(ends) != 2 ||
        !g_ascii_string_to_unsigned(ends[0], 10, PT_TIME_MIN_YEAR, PT_TIME_MAX_YEAR - 1, &first,
                                    NULL) ||
        !g_ascii_string_to_unsigned(ends[1], 10, first, PT_TIME_MAX_YEAR - 1, &last, NULL)) {
      g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                  "%s: [station] years '%s' is not FIRST-LAST within %d-%d (e.g. 2000-2099)", path,
                  years, PT_TIME_MIN_YEAR, PT_TIME_MAX_YEAR - 1);
      return NULL;
    }
    config->years_first = (int)first;
    config->years_last = (int)last;
  }
  g_autofree char *location = get_string(kf, "station", "location", NULL);
  config->has_location = location && *location;
  if (config->has_location && !location_parse(location, &config->latitude, &config->longitude)) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "%s: [station] location '%s' is not LAT,LON in decimal degrees (e.g. 37.46,121.44)",
                path, location);
    return NULL;
  }
  if (!*config->time_zone) {
    g_free(config->time_zone);
    config->time_zone = g_strdup("UTC");
  }
  g_clear_error(&local);
  config->tz = pt_time_zone_new(config->time_zone, &local);
  if (!config->tz) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "%s: [station] time_zone: %s", path,
                local->message);
    return NULL;
  }
  if (!config->operator_token || strlen(config->operator_token) < 16) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "%s: [http] operator_token must be at least 16 characters", path);
    return NULL;
  }
  if (!pt_config_parse_listen(listen, &config->listen_host, &config->listen_port, &local)) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "%s: [http] %s", path, local->message);
    return NULL;
  }
  guint64 ms;
  if (!g_ascii_string_to_unsigned(busy, 10, 0, 600000, &ms, NULL)) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "%s: [store] busy_timeout_ms '%s' must be 0..600000", path, busy);
    return NULL;
  }
  config->busy_timeout_ms = (int)ms;
  guint64 v;
  if (!g_ascii_string_to_unsigned(timeout, 10, 1, 3600, &v, NULL)) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "%s: [http] timeout_s '%s' must be 1..3600",
                path, timeout);
    return NULL;
  }
  config->http_timeout_s = (int)v;
  if (!g_ascii_string_to_unsigned(header_timeout, 10, 1, 600, &v, NULL)) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "%s: [http] header_timeout_s '%s' must be 1..600", path, header_timeout);
    return NULL;
  }
  config->http_header_timeout_s = (int)v;
  if (!g_ascii_string_to_unsigned(disk_low, 10, 0, 100, &v, NULL)) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "%s: [alerts] disk_low_percent '%s' must be 0..100", path, disk_low);
    return NULL;
  }
  config->disk_low_percent = (int)v;
  if (!g_ascii_string_to_unsigned(clock_skew, 10, 0, PT_CLOCK_SKEW_MAX_S, &v, NULL) || v == 1) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "%s: [alerts] clock_skew_s '%s' must be 0 (never) or 2..%d", path, clock_skew,
                PT_CLOCK_SKEW_MAX_S);
    return NULL;
  }
  config->clock_skew_s = (int)v;
  config->labels = label_settings_load(kf, path, config->name, error);
  if (!config->labels)
    return NULL;
  config->printers = pt_printers_load(kf, path, config->labels->template_, error);
  if (!config->printers)
    return NULL;
  config->public_ = pt_public_config_load(kf, path, error);
  if (!config->public_)
    return NULL;
  return g_steal_pointer(&config);
}

void
pt_config_free(PtConfig *config)
{
  if (!config)
    return;
  g_free(config->station_id);
  g_free(config->name);
  g_free(config->public_host);
  g_free(config->lot_prefix);
  g_free(config->gln);
  g_free(config->company_prefix);
  g_free(config->time_zone);
  g_clear_pointer(&config->tz, g_time_zone_unref);
  g_free(config->listen_host);
  g_free(config->operator_token);
  g_clear_pointer(&config->labels, pt_label_settings_free);
  g_clear_pointer(&config->printers, g_ptr_array_unref);
  g_clear_pointer(&config->public_, pt_public_config_free);
  if (config->keyfile)
    g_key_file_free(config->keyfile);
  g_free(config);
}

GKeyFile *
pt_config_edit_open(const char *ini_path, GError **error)
{
  g_autoptr(GKeyFile) kf = g_key_file_new();
  g_autoptr(GError) local = NULL;
  if (!g_key_file_load_from_file(kf, ini_path, G_KEY_FILE_KEEP_COMMENTS, &local)) {
    g_set_error(error, PT_ERROR, PT_ERROR_IO, "%s: %s", ini_path, local->message);
    return NULL;
  }
  return g_steal_pointer(&kf);
}

gboolean
pt_config_edit_save(GKeyFile *kf, const char *ini_path, GError **error)
{
  gsize len;
  g_autofree char *text = g_key_file_to_data(kf, &len, NULL);
  /* station.ini holds the operator token and connector secrets. */
  return pt_file_write_atomic(ini_path, text, len, 0600, error);
}

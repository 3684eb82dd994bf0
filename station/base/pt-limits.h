/* pt-limits.h: every bound the station puts on input, buffers and queues, in one
 * place.  Over a limit the call fails with "too large"; nothing grows past these. */
#pragma once

/* HTTP */
#define PT_HTTP_BODY_MAX         (64 * 1024) /* request body, bytes */
#define PT_HTTP_URL_MAX          2048        /* request target, bytes */
#define PT_HTTP_THREADS          2           /* worker threads (the box has 2 cores) */
#define PT_HTTP_CONNECTIONS_MAX  1000        /* open connections, PT_HTTP_CONN_MEMORY each */
#define PT_HTTP_PER_ADDRESS_MAX  64  /* from one client address (many phones behind one NAT) */
#define PT_HTTP_HEADER_TIMEOUT_S 10  /* [http] header_timeout_s default: a request's headers */
#define PT_HTTP_SWEEP_MS         250 /* how often overdue headers are looked for */
#define PT_HTTP_CONN_MEMORY      (32 * 1024) /* per-connection buffer; zeroed by MHD per request */

/* JSON */
#define PT_JSON_DEPTH_MAX     32  /* nesting of any JSON we accept */
#define PT_HASH_ID_FILL_BATCH 500 /* old events given their Event Hash ID per transaction */
/* A burst of appends hands events to the signing thread (trace/pt-signer.c) in runs: the thread
 * is woken when this many wait (or when an appender needs one), not for each event, since a
 * wake-up costs a system call and two context switches (measured: 9 us of system time an event
 * when woken for each).  An appender hands an event over while fewer than four runs wait and
 * signs it itself beyond; it waits for the oldest only when six runs of rows are owed. */
#define PT_SIGNER_RUN        8
#define PT_EVENT_PREHASH_MAX (256 * 1024) /* pre-hash string of one EPCIS event (Event Hash ID) */

/* Text fields of a batch (bytes of UTF-8) */
#define PT_TEXT_FIELD_MAX 200
/* [public] (pt-public-config.h): the hotline's characters, and the co-op logo's file, read
 * into memory once and sent with each view that shows it. */
#define PT_PUBLIC_HOTLINE_MAX 32
#define PT_PUBLIC_LOGO_MAX    (64 * 1024)
/* From this many views of a lot's page on, the page asks a first-time reader to call the
 * hotline (a copied label is scanned far more than a genuine one). */
#define PT_CONSUMER_SCAN_WARN 20
#define PT_NOTE_MAX           1000

/* Listing */
#define PT_LIST_LIMIT_DEFAULT 100
#define PT_LIST_LIMIT_MAX     1000

/* verify: a bundle is read as it is checked (pt-bundle-verify.c), PT_VERIFY_CHUNK events at a
 * time, so its memory is bounded by these, never by the bundle's length (10,000 events are
 * about 12 MB).  A bundle held in memory (pt_bundle_verify()) is at most PT_BUNDLE_MAX. */
#define PT_BUNDLE_MAX         (512 * 1024 * 1024)
#define PT_VERIFY_THREADS_MAX 8             /* signature checks run on up to this many cores */
#define PT_VERIFY_CHUNK       256           /* events read, then checked on every core, at a time */
#define PT_BUNDLE_EVENT_MAX   (1024 * 1024) /* one event's text in a bundle */
#define PT_BUNDLE_PROOF_MAX   (16 * 1024)   /* one proof's text */
#define PT_BUNDLE_HEAD_MAX    (1024 * 1024) /* the head, its key chain included */
#define PT_BUNDLE_HEADER_MAX  (1024 * 1024) /* the EPCIS document without its events */
#define PT_JSON_SCAN_KEY_MAX  1024          /* a key read by pt-json-scan.h */
#define PT_JSON_SCAN_WINDOW   (64 * 1024)   /* its file window, grown only to hold a value */

/* SQLite page cache of each connection (PRAGMA cache_size, filled only as pages are read).
 * SQLite's 2 MB default held too little of the indexes an append touches: a burst of appends
 * read pages back from the kernel for each event. */
#define PT_STORE_CACHE_KB (32 * 1024)
/* Pages the write-ahead log takes before a commit copies them into the database (PRAGMA
 * wal_autocheckpoint; SQLite's default is 1000).  A burst of appends rewrites the same pages
 * of its random-key index in every transaction: a longer log copies each of them once per
 * checkpoint, not once per commit.  Durability is the log's fsync at each commit, unchanged. */
#define PT_STORE_WAL_CHECKPOINT_PAGES 8192

/* Config file */
#define PT_CONFIG_MAX (1024 * 1024)

/* The data directory's run lock (pt_file_lock(), `packtrace run`): who holds it, as text */
#define PT_FILE_LOCK_HOLDER_MAX 200

/* Backups (pt-backup.c): read/write chunk, and the largest backup.json read back (about
 * 150 bytes a file: clips and stills of several seasons) */
#define PT_BACKUP_COPY_CHUNK   (64 * 1024)
#define PT_BACKUP_MANIFEST_MAX (64 * 1024 * 1024)

/* How often `run` checks that a time service keeps the clock synchronised (pt-clock.h) */
#define PT_CLOCK_CHECK_S 3600
/* An event is not signed when the clock reads this much earlier than the last signed record
 * (pt_trace_append): clocks step back a little under NTP, never by minutes */
#define PT_CLOCK_BACK_TOLERANCE_S 300
/* [alerts] clock_skew_s: the largest a station may set; a hub connector's reading of the hub's
 * clock (its answers' Date) is written at most this often while it stays within a second, and
 * the dashboard believes one this old at most */
#define PT_CLOCK_SKEW_MAX_S  86400
#define PT_CLOCK_HUB_WRITE_S 60
#define PT_CLOCK_HUB_FRESH_S (2 * PT_CLOCK_CHECK_S)

/* Sealed station keys (trace/pt-key-seal.c): the shortest passphrase, and the largest
 * argon2id limits a sealed file may ask for (so a crafted file cannot ask for 64 GiB) */
/* Key rotations a station's chain may hold (trace/pt-key-chain.c): one a year is plenty */
#define PT_KEY_ROTATIONS_MAX 64

#define PT_KEY_PASSPHRASE_MIN       12
#define PT_KEY_SEAL_OPS_MAX         16
#define PT_KEY_SEAL_MEM_MAX         (1024u * 1024 * 1024)
#define PT_KEY_SEAL_MAX_BYTES       (16 * 1024) /* the file itself */
#define PT_KEY_PASSPHRASE_BYTES_MAX 1024        /* one line of standard input */

/* Cameras and recording (station.ini [camera NAME] and [recording]) */
#define PT_CAMERAS_MAX           16
#define PT_MIN_FREE_DEFAULT      (1ULL << 30) /* 1 GiB */
#define PT_EVIDENCE_DAYS_DEFAULT 730          /* two years: a typical produce traceability term */
#define PT_EVIDENCE_DAYS_MAX     36500
#define PT_RECORDING_RETRY_S     5  /* a camera stopped by a full disk is retried this often */
#define PT_RETENTION_INTERVAL_S  60 /* retention also runs after every closed segment */
/* A loading camera asks whether a load is open at its dock (its scan gate) when station.db's
 * log changes, at most this often: a load opened anywhere, the command line included, is
 * being read within about this long, and nothing is asked while nothing is written. */
#define PT_SCAN_RECHECK_MS       500
#define PT_SEGMENTS_LIST_DEFAULT 100
#define PT_SEGMENTS_LIST_MAX     1000
#define PT_DEMO_FOOTAGE_SECONDS  20   /* looped by the demo cameras */
#define PT_DEMO_SEGMENT_SECONDS  10   /* segment length of the demo cameras */
#define PT_DEMO_BATCHES          3    /* demo batches whose codes pass the demo loading camera */
#define PT_DEMO_CODES_MAX        4096 /* the demo loading footage's code list (bytes) */
#define PT_RECOVERY_THREADS      1    /* probes of segments a crash left open */

/* Label printing: jobs not yet done, retry backoff (doubling from the minimum up to
 * the cap), how often `packtrace run` looks for due jobs, jobs one pass attempts. */
#define PT_PRINT_QUEUE_MAX    1000
#define PT_PRINT_RETRY_MIN_MS 1000
#define PT_PRINT_RETRY_MAX_MS 60000
#define PT_PRINT_POLL_MS      1000 /* while a job is printing: is its owner alive */
#define PT_PRINT_WAKE_RATE_MS 200  /* commits to station.db wake the queue at most this often */
#define PT_PRINT_PASS_MAX     16
/* [labels] *_timeout_ms: the longest a printer may take to connect or stall, 10 minutes */
#define PT_PRINT_TIMEOUT_MS_MAX 600000
#define PT_PRINT_PROGRESS_MAX   100 /* jobs one bulk print (and its progress query) covers */
#define PT_PRINT_LIST_MAX       50  /* newest jobs the dashboard's print-job list shows */
#define PT_PRINTERS_MAX         32  /* [printer NAME] sections in station.ini */
#define PT_PRINTER_NAME_MAX     32  /* a printer's NAME: A-Z a-z 0-9 _ - */
#define PT_DASH_HELD_MAX        50  /* held batches on open loads the status API lists */
#define PT_DASH_GRADES_MAX      100 /* batches one GET /api/v1/grades?batches= names */

/* Sync (pt-sync*.c) */
#define PT_SYNC_CONNECTORS_MAX    32                /* [sync NAME] sections */
#define PT_SYNC_GLNS_MAX          1000              /* GLNs of one webhook's gln= */
#define PT_SYNC_INFLIGHT_MAX      8                 /* requests in flight per connector */
#define PT_SYNC_BATCH_DEFAULT     500               /* events per EPCIS capture, max_batch= */
#define PT_SYNC_BATCH_MAX         10000             /* largest max_batch= accepted */
#define PT_SYNC_DOC_BYTES_DEFAULT (4 * 1024 * 1024) /* capture size when none is advertised */
#define PT_SYNC_HEAD_SCAN         256               /* webhook: due rows read per dispatch */
#define PT_SYNC_RESPONSE_MAX      (64 * 1024)       /* response body kept from a platform */
#define PT_SYNC_ERROR_BODY_MAX    1024              /* of it, stored with a failure */
#define PT_SYNC_TEMPLATE_MAX      (64 * 1024)       /* webhook template file */
#define PT_SYNC_POLL_MS           200  /* how often the outbox is looked at without the watch */
#define PT_SYNC_WAKE_RATE_MS      200  /* commits to station.db wake sync at most this often */
#define PT_SYNC_RETRY_AFTER_MAX_S 3600 /* a Retry-After longer than this is cut */
#define PT_SYNC_JOB_POLL_MAX_MS   2000 /* capture job polls back off to this */
#define PT_SYNC_JOB_TIMEOUT_S     600  /* a job still running then is resent */
#define PT_SYNC_FAILURES_SHOWN    20   /* failed deliveries listed by status */
#define PT_SYNC_NAME_MAX          32   /* [sync NAME]: a connector's name, also a file name */
#define PT_SYNC_URL_MAX           2048 /* a connector's URL, as browsers and proxies take it */
#define PT_SYNC_SECRET_MIN        16   /* webhook HMAC secret: shorter ones can be guessed */
/* The hub connector (pt-sync-hub.c); what the hub accepts is under "The co-op hub" below */
#define PT_HUB_SYNC_BATCH_DEFAULT    200               /* events per POST /hub/v1/events */
#define PT_HUB_SYNC_BODY_MAX         (4 * 1024 * 1024) /* bytes of one events request sent */
#define PT_HUB_SYNC_WANTED_MAX       1000              /* evidence_wanted taken from one answer */
#define PT_HUB_SYNC_STREAM_CHUNK     (64 * 1024)       /* read buffer hashing an evidence file */
#define PT_HUB_SYNC_VIEW_MAX         (16 * 1024)       /* the hub's view kept for sync status */
#define PT_HUB_SYNC_QUARANTINE_SHOWN 20                /* quarantined events sync status lists */
#define PT_HUB_SYNC_SCAN_CHUNK       500               /* events read per step of a resume scan */
#define PT_HUB_SYNC_CODE_MAX         128               /* an enrolment code */

/* Times the station accepts (pt-time.c): UTC nanoseconds in a gint64 reach from 1677 to 2262;
 * a harvest, pack or event time outside 1900..2199 is a typo, refused rather than wrapped. */
#define PT_TIME_MIN_YEAR 1900
#define PT_TIME_MAX_YEAR 2200
#define PT_TIME_MIN_S    G_GINT64_CONSTANT(-2208988800) /* 1900-01-01T00:00:00Z */
#define PT_TIME_MAX_S    G_GINT64_CONSTANT(7258118400)  /* 2200-01-01T00:00:00Z */
/* Within those, the years a station records by default ([station] years=FIRST-LAST): a harvest
 * in 1900 or a pack date in 9999 is a typo, not a batch */
#define PT_TIME_YEARS_FIRST_DEFAULT 2000
#define PT_TIME_YEARS_LAST_DEFAULT  2099

/* Audit */
#define PT_AUDIT_BREAKS_MAX 100 /* problems listed one by one; the rest are only counted */

/* Vision grading */
#define PT_GRADE_STILLS_MAX    6  /* evidence stills of out-of-grade fruit per grading */
#define PT_GRADE_STILL_QUALITY 85 /* JPEG quality of a still */
#define PT_GRADE_RECHECK_US    G_USEC_PER_SEC /* grading feed: re-read the open grading */
#define PT_GRADE_FPS_MAX       30             /* [grading] fps: the camera tap's own limit */
#define PT_GRADE_MM_PER_PX_MAX 100            /* calibration: beyond this nothing is a fruit */
#define PT_GRADE_TAP_QUEUE     2     /* tap frames waiting for the grader; the oldest is dropped */
#define PT_GRADE_IMAGES_MAX    10000 /* images per `packtrace grade` */
#define PT_GRADE_ROIS_MAX      64    /* --roi options (the grader's own limit) */

/* Consumer page views (QR scans), counted in memory between writes */
#define PT_SCAN_FLUSH_MS        1000 /* written this long after a view, at most this often */
#define PT_SCAN_PENDING_MAX     10000 /* batches viewed in one interval; more views are not counted */
#define PT_SCAN_CLIENT_WINDOW_S 3600  /* one client's views of one batch count once this long */
#define PT_SCAN_SEEN_MAX        65536 /* (batch, client) pairs remembered; more are not counted */
#define PT_SCAN_CLIENT_MAX      64    /* bytes of a client's address */
/* The counterfeit signal of the buyer portal (pt-scan-signal.c): a day with more than
 * FACTOR times the batch's median daily scans and at least MIN scans is a spike.  The median
 * is over every day from the batch's first scan in the last SERIES_DAYS to its last (days
 * without scans count as 0), so one busy day among quiet ones stands out and a batch
 * scanned evenly does not. */
#define PT_SCAN_SERIES_DAYS  60
#define PT_SCAN_SPIKE_FACTOR 5
#define PT_SCAN_SPIKE_MIN    20

/* Rendered consumer pages kept by each HTTP worker thread (pt-web-cache.h): batches, and
 * bytes of HTML + JSON; a batch of 10,000 events renders to about 3 MB. */
#define PT_WEB_CACHE_ENTRIES 256
#define PT_WEB_CACHE_BYTES   (8 * 1024 * 1024)
/* Records a consumer page lists and its script checks (trace/pt-page-view.h): a phone shows
 * and checks this many whatever the batch's length (a loading or grading run signs thousands;
 * 10,000 were a 12 MB download, as many Ed25519 checks and a page of 10,000 items).  Enough for
 * the records the page's facts come from, the photo's and certificates' and the latest. */
#define PT_PAGE_RECORDS_MAX 50
/* Files of public bundles and EPCIS documents kept by batch revision (http/pt-doc-cache.h):
 * two (plain, gzip) per document; a batch keeps only its current revision's. */
#define PT_DOC_CACHE_FILES 512
/* Per worker thread: batch API answers (JSON, EPCIS) kept by revision (pt-text-cache.h). */
#define PT_BATCH_TEXT_CACHE_ENTRIES 64
#define PT_BATCH_TEXT_CACHE_BYTES   (4 * 1024 * 1024)

/* Live camera thumbnails (dashboard) */
#define PT_THUMB_WIDTH       320            /* pixels; narrower frames keep their size */
#define PT_THUMB_QUALITY     70             /* JPEG quality */
#define PT_THUMB_INTERVAL_US G_USEC_PER_SEC /* a camera's JPEG is encoded at most this often */
#define PT_THUMB_WATCH_US    (5 * G_USEC_PER_SEC) /* the tap runs this long after a request */
#define PT_THUMB_TAP_FPS     1.0 /* tap rate of cameras that only feed thumbnails */

/* Live view (pt-live-view.c): the first request of a viewer waits this long at most for the
 * branch's first segment (a passthrough camera's next keyframe, then one segment), looking
 * every POLL ms; a playlist or segment larger than its maximum is refused, not read. */
#define PT_LIVE_FIRST_WAIT_MS     10000
#define PT_LIVE_POLL_MS           50
#define PT_LIVE_PLAYLIST_MAX      (16 * 1024)
#define PT_LIVE_SEGMENT_MAX_BYTES (32 * 1024 * 1024)

/* A buyer's video of a load (pt-load-video.c): the window a buyer sees is the load's opening
 * to its closing widened by the margin on each side (the truck backing in and pulling away; a
 * live playlist reaches about three 1 s segments back), never more of the camera.  Its
 * recording is served as clips of at most PART_NS each (an export's bound), at most PARTS_MAX
 * of them (a load left open for days offers its first hours), cut once and kept in
 * DATA/clips/loads/ up to CLIPS_KEPT files (the newest), re-cut while the recordings last.
 * The portal's list takes at most LIST_MAX loads a page. */
#define PT_LOAD_VIDEO_MARGIN_NS     (5 * G_GINT64_CONSTANT(1000000000))
#define PT_LOAD_VIDEO_PART_NS       (30 * 60 * G_GINT64_CONSTANT(1000000000))
#define PT_LOAD_VIDEO_PARTS_MAX     16
#define PT_LOAD_VIDEO_CLIPS_KEPT    40
#define PT_LOAD_VIDEO_CLIP_INFO_MAX 4096 /* bytes of a clip's facts file */
#define PT_LOAD_VIDEO_LIST_DEFAULT  20
#define PT_LOAD_VIDEO_LIST_MAX      100

/* Pallets (SSCC) */
#define PT_PALLET_CASES_MAX  100000 /* cases of one lot one command puts on or takes off */
#define PT_SSCC_MARK_MAX     65536  /* bytes of the data directory's SSCC high-water file */
#define PT_TRANSFORM_OUT_MAX 16     /* lots one repack or sort makes */

/* Regulators' exports (pt-export-fsma.c, pt-export-cn.c): what one request may cover */
#define PT_EXPORT_RANGE_DAYS_MAX     366                 /* days of one date range */
#define PT_EXPORT_LOTS_MAX           10000               /* lots of one export */
#define PT_EXPORT_ROWS_MAX           200000              /* rows of one spreadsheet */
#define PT_EXPORT_EVENTS_PER_LOT_MAX 100000              /* events of one lot read for it */
#define PT_EXPORT_FILE_MAX           (256 * 1024 * 1024) /* a written export read back to serve */

/* Loads (trucks) */
#define PT_LOAD_TEXT_MAX       64 /* plate, seal, phone, document numbers (bytes) */
#define PT_LOAD_CLIP_BEFORE_NS (5 * G_GINT64_CONSTANT(1000000000)) /* evidence before a scan */
#define PT_LOAD_CLIP_AFTER_NS  (5 * G_GINT64_CONSTANT(1000000000)) /* and after it */
#define PT_LOAD_REFUSALS_SHOWN 100  /* refusals listed by `load show` */
#define PT_LOAD_SCAN_DEDUP_MAX 4096 /* (load, batch) pairs a loading camera remembers */
/* Pending evidence wakes on commits (at most once per WAKE_RATE) and on grace deadlines; a
 * window that waits on no event (the watch missing) is looked at again after RECHECK. */
#define PT_EVIDENCE_RECHECK_S    30
#define PT_EVIDENCE_WAKE_RATE_MS 500
#define PT_EVIDENCE_PASS_MAX     16 /* windows settled per look */
#define PT_EVIDENCE_GRACE_NS                                                                       \
  (10 * G_GINT64_CONSTANT(1000000000)) /* a window's end unrecorded this long: the camera stopped  \
                                        */

/* Access control (pt-auth.c, pt-http-auth.c) */
#define PT_AUTH_NAME_MAX             64   /* user and API key names (bytes) */
#define PT_AUTH_PASSWORD_MIN         10   /* bytes */
#define PT_AUTH_PASSWORD_MAX         256  /* bytes; argon2id takes any length, this bounds input */
#define PT_AUTH_TOUCH_MAX_S          60   /* a session's last use is written at most this often */
#define PT_AUTH_RATE_KEYS            4096 /* addresses and names a rate limit remembers */
#define PT_AUTH_HASH_THREADS_DEFAULT 1    /* [http] hash_threads: argon2id runs at once */
#define PT_AUTH_HASH_THREADS_MAX     8
#define PT_AUTH_HASH_QUEUE_DEFAULT   8 /* [http] hash_queue: sign-ins waiting for them */
#define PT_AUTH_HASH_QUEUE_MAX       256
#define PT_AUTH_BUSY_RETRY_S         2 /* Retry-After of a sign-in refused for a full queue */
#define PT_SESSION_IDLE_DEFAULT      (2 * 3600)  /* [http] session_idle_s */
#define PT_SESSION_MAX_DEFAULT       (12 * 3600) /* [http] session_max_s: one shed day */
#define PT_TLS_FILE_MAX              (64 * 1024) /* [http] tls_cert and tls_key files */

/* Buyer portal search (GET /api/v1/search): batches per page, JSON or CSV */
#define PT_BUYER_SEARCH_DEFAULT 50
#define PT_BUYER_SEARCH_MAX     1000
/* The rows of the buyer's views across batches (week x grower x facet key): over it the
 * answer is "too large" and the buyer narrows the dates or the grower. */
#define PT_BUYER_STATS_ROWS_MAX 20000
/* The hub's reader API (station/hub/pt-hub-query.c, pt-hub-quality.c). */
#define PT_HUB_QUERY_PAGE_DEFAULT 100  /* events per EPCIS query page without perPage */
#define PT_HUB_QUERY_PAGE_MAX     1000 /* perPage at most */
#define PT_HUB_QUERY_VALUES_MAX   100  /* values of one EPCIS query parameter */

/* The hub's page cache (station/hub/pt-hub-cache.c). */
#define PT_HUB_PAGE_CACHE_BYTES (64 * 1024 * 1024) /* consumer answers a hub process keeps */
#define PT_HUB_LISTEN_POLL_MS   250                /* the listener's poll, and reconnect pause */
/* Batches notified but not yet seen replayed by a read (pt-hub-cache.c); past this they
 * collapse into one fence for all. */
#define PT_HUB_CACHE_FENCES_MAX 65536

/* Drivers' phones (pt-driver.c, pt-http-driver.c) */
#define PT_DRIVER_TTL_DEFAULT_S  (12 * 3600)        /* a login QR is good for a working day */
#define PT_DRIVER_TTL_MAX_S      (30 * 24 * 3600)   /* longest --ttl accepted */
#define PT_DRIVER_OPEN_LOADS_MAX 100                /* open loads a phone is offered to join */
#define PT_DRIVER_PHOTO_BODY_MAX (8 * 1024 * 1024)  /* request body of a photo upload */
#define PT_PHOTO_LONG_EDGE       1600               /* stored photos: long edge, pixels */
#define PT_PHOTO_QUALITY         85                 /* and JPEG quality */
#define PT_PHOTO_PIXELS_MAX      (64 * 1000 * 1000) /* larger photos are refused before decoding */
#define PT_DRIVER_RATE_PER_S     5.0                /* requests per second a phone may keep up */
#define PT_DRIVER_RATE_BURST     20.0 /* and in one burst (a queue replayed after Wi-Fi returns) */
#define PT_DRIVER_RATE_KEYS      1024 /* driver tokens the rate limiter remembers */
#define PT_DRIVER_SCAN_SKEW_S                                                                      \
  300 /* a phone's scan time this far ahead of the station is                                      \
       * believed; further, the station's time is used */
#define PT_DRIVER_SCAN_AGE_MAX_S (2 * 24 * 3600) /* and an offline scan this old at most */

/* What an operator attaches to a batch for the consumer page (pt-attachment.c): a product
 * photo, or a certificate (a residue test report, a GI mark, an organic certificate). */
#define PT_ATTACH_PHOTO_BYTES_MAX (16 * 1024 * 1024) /* a photo as uploaded, before shrinking */
#define PT_ATTACH_CERT_BYTES_MAX  (8 * 1024 * 1024)  /* a certificate's file: a scanned PDF */
#define PT_ATTACH_BODY_MAX        PT_ATTACH_PHOTO_BYTES_MAX /* request body of an upload */
#define PT_ATTACH_PHOTO_EDGE      1280 /* a product photo's long edge: a phone's screen, twice */
#define PT_ATTACH_CERT_EDGE       2400 /* a certificate image's: its small print stays legible */
#define PT_ATTACH_CERT_QUALITY    90
#define PT_ATTACH_TITLE_MAX       200               /* bytes of a title or an issuer */
#define PT_ATTACH_PER_BATCH_MAX   20                /* attachments the consumer page lists */
#define PT_ATTACH_CHECK_BYTES_MAX (2 * 1024 * 1024) /* a photo the page hashes in the browser */

/* A lot's quantity, a transformation's output and a load's part, in the lot's unit: more is
 * a typing error, not produce. */
#define PT_QUANTITY_MAX 1e9

/* The co-op hub (station/hub/, PROTOCOL.md) */
#define PT_HUB_CLOCK_SKEW_S           300                /* PT-Date this far off is refused */
#define PT_HUB_BODY_MAX               (32 * 1024 * 1024) /* JSON request body, bytes */
#define PT_HUB_EVENTS_PER_REQUEST_MAX 1000               /* events of one POST /hub/v1/events */
#define PT_HUB_EVENT_BODY_MAX         (256 * 1024)       /* one signed record's text */
#define PT_HUB_EVIDENCE_MAX           (64 * 1024 * 1024) /* one evidence upload, bytes */
#define PT_HUB_GAPS_MAX               100                /* gap ranges GET /hub/v1/station lists */
#define PT_HUB_ENROL_CODE_TTL_S       (7 * 24 * 3600)    /* an enrolment code's life */
#define PT_HUB_NAME_MAX               200                /* a station's name, bytes */
#define PT_HUB_QUARANTINE_LIST_MAX    1000               /* rows `hub quarantine` prints */
#define PT_HUB_PREPARED_MAX           32                 /* statements prepared per connection */
/* A station's public profile (PUT /hub/v1/profile): ten texts of PT_TEXT_FIELD_MAX and a few
 * numbers fit many times over; its logo (PUT /hub/v1/profile/logo/{sha256}) is bounded as
 * station.ini's coop_logo is, by PT_PUBLIC_LOGO_MAX. */
#define PT_HUB_PROFILE_MAX (16 * 1024)

/* The hub's public pages (station/hub/pt-hub-web.c).  PT_HUB_PAGE_MAX_AGE_S: how long a cache
 * may serve a page, resolver answer or bundle without revalidating. */
#define PT_HUB_PAGE_MAX_AGE_S         5
#define PT_HUB_EVIDENCE_REFERRERS_MAX 16 /* events read to decide whether evidence is public */
#define PT_HUB_STATUS_ALERTS_MAX      20 /* alerts per station in GET /hub/v1/status */

/* The hub's video relay (station/hub/pt-hub-video.c, station/pt-video-relay.c; PROTOCOL.md
 * "Video relay").  A station behind NAT polls; buyers' asks wait in the hub's database. */
#define PT_HUB_VIDEO_PUT_MAX      (8 * 1024 * 1024)      /* one pushed file: an answer, a segment */
#define PT_HUB_VIDEO_CHUNK        (1024 * 1024)          /* bytes of one clip chunk pushed */
#define PT_HUB_VIDEO_CLIP_MAX     (1024LL * 1024 * 1024) /* a clip relayed at most, bytes */
#define PT_HUB_VIDEO_WANT_TTL_S   15    /* an ask for an answer or live video lives this long */
#define PT_HUB_VIDEO_CLIP_TTL_S   120   /* an ask for a clip (the page asks every 2 s) */
#define PT_HUB_VIDEO_FRESH_S      10    /* a pushed answer is served this long */
#define PT_HUB_VIDEO_LIVE_FRESH_S 6     /* a pushed playlist is live this long */
#define PT_HUB_VIDEO_LIVE_KEEP_S  60    /* pushed live files and answers are kept this long */
#define PT_HUB_VIDEO_CLIP_KEEP_S  86400 /* relayed clips are kept a day */
#define PT_HUB_VIDEO_WANTS_MAX    32    /* asks given to one poll */
#define PT_HUB_VIDEO_POLL_IDLE_MS 5000  /* a station's poll when nobody asks */
#define PT_HUB_VIDEO_POLL_BUSY_MS 1000  /* ... when an answer or a clip is asked for */
#define PT_HUB_VIDEO_POLL_LIVE_MS 500   /* ... when live video is watched */
#define PT_HUB_VIDEO_CAP_S        3600  /* a player's capability URL lives this long */
#define PT_HUB_VIDEO_LOADS_MAX    100   /* loads listed per page */
#define PT_HUB_VIDEO_CHUNKS_ROUND 8     /* clip chunks a station pushes between two polls */
#define PT_HUB_VIDEO_RETRY_MAX_MS 60000 /* a station's pause after failed polls, at most */
#define PT_HUB_VIDEO_REQUEST_MS   20000 /* one relay request at most (and a stop's wait) */
#define PT_HUB_VIDEO_OFFLINE_S    30    /* a station not polled this long is said to be offline */

/* Recalls (station/pt-recall.c, sync/pt-sync-notice.c) */
#define PT_RECALL_BATCHES_MAX     10000 /* lots one impact list follows, transformations included */
#define PT_RECALL_DEPTH_MAX       16    /* repacks of repacks an impact list follows */
#define PT_RECALL_STILLS_MAX      8     /* evidence stills listed per lot */
#define PT_RECALL_NOTICES_MAX     1000  /* notices one recall sends */
#define PT_RECALL_ACK_DEADLINE_S  (4 * 3600) /* [recall] ack_deadline's default */
#define PT_RECALL_SEND_BATCH_MAX  200        /* notices sent at once */
#define PT_RECALL_SEND_TIMEOUT_MS 10000      /* one notice's request */
#define PT_RECALL_RETRY_MAX_S     300        /* back-off between a notice's attempts, at most */
#define PT_RECALL_ATTEMPTS_MAX    50         /* then its delivery fails for good */
#define PT_RECALL_ANSWER_MAX      4096       /* a receiver's answer kept, bytes */
#define PT_RECALL_ACTION_MAX      500        /* an acknowledgement's action text, bytes */
#define PT_RECALL_LIST_MAX        500        /* notices or recalls one answer lists */
/* While a buyer's notice that went through the hub is open, its acknowledgement is asked of
 * the hub this often (one request per hub connector). */
#define PT_RECALL_HUB_ACK_POLL_S 10
/* The notice worker sleeps until its next due moment, woken by writes to station.db at most
 * this often, and in any case this often (a missed wake-up costs no more than this). */
#define PT_RECALL_WAKE_RATE_MS 200
#define PT_RECALL_IDLE_WAKE_S  300
/* A drill waits for acknowledgements this long at most. */
#define PT_RECALL_DRILL_WAIT_MAX_S (7 * 24 * 3600)

/* The recordings timeline (station/pt-timeline.c, http/pt-http-timeline.c) */
#define PT_TIMELINE_WINDOW_MAX_NS                                                                  \
  (26 * 3600 * G_GINT64_CONSTANT(1000000000)) /* a local day + DST */
#define PT_TIMELINE_SEGMENTS_MAX 5000         /* segments read per answer: a day of 20 s segments */
#define PT_TIMELINE_GAPS_MAX     1000         /* gaps per answer */
#define PT_TIMELINE_EVENTS_MAX   1000         /* event markers per answer */
#define PT_TIMELINE_SPANS_MAX    1000         /* recorded spans per answer (merged segments) */
/* Segments closer than this are one span: splitmuxsink's next file starts with the frame after
 * the last one of the previous file, a frame or so later. */
#define PT_TIMELINE_JOIN_NS (1 * G_GINT64_CONSTANT(1000000000))
/* An event marker comes from an evidence clip of the camera; clips are found by their start,
 * which is at most this long before the event (pipeline's PT_CLIP_MAX_NS). */
#define PT_TIMELINE_CLIP_SPAN_NS (6 * 3600 * G_GINT64_CONSTANT(1000000000))
/* A segment is at most this long (pipeline's PT_SEGMENT_MAX_NS): the instant lookup reads no
 * further back. */
#define PT_TIMELINE_SEGMENT_MAX_NS (3600 * G_GINT64_CONSTANT(1000000000))
#define PT_TIMELINE_EXPORT_MAX_NS  (30 * 60 * G_GINT64_CONSTANT(1000000000)) /* one export */
#define PT_TIMELINE_EXPORTS_KEPT   20 /* exported clips kept in DATA/clips/exports, newest */
/* A masked camera's recordings play in pieces this long (pt-timeline.h), each decoded, masked
 * and encoded at its first request while the player waits: a seek took 256 ms at 720p and
 * 474 ms at 1080p on the shared 2-core box (bench-timeline.sh; the whole 10 s segment 872 and
 * 1,789 ms), under the 1 s a seek may take. */
#define PT_TIMELINE_PIECE_NS (2 * G_GINT64_CONSTANT(1000000000))
/* Masked pieces kept in DATA/clips/masked, newest: ten minutes of playback (about 150 MB at
 * 2 Mbit/s), so scrubbing back and forth over them encodes each once. */
#define PT_TIMELINE_MASKED_KEPT 300

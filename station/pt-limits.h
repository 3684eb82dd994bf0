/* pt-limits.h: every bound the station puts on input, buffers and queues, in one
 * place.  Over a limit the call fails with "too large"; nothing grows past these. */
#pragma once

/* HTTP */
#define PT_HTTP_BODY_MAX        (64 * 1024)  /* request body, bytes */
#define PT_HTTP_URL_MAX         2048         /* request target, bytes */
#define PT_HTTP_THREADS         2            /* worker threads (the box has 2 cores) */
#define PT_HTTP_CONNECTIONS_MAX 256          /* open connections */
#define PT_HTTP_TIMEOUT_S       15           /* idle connection timeout */
#define PT_HTTP_CONN_MEMORY     (128 * 1024) /* per-connection buffer */

/* JSON */
#define PT_JSON_DEPTH_MAX 32 /* nesting of any JSON we accept */

/* Text fields of a batch (bytes of UTF-8) */
#define PT_TEXT_FIELD_MAX 200
#define PT_NOTE_MAX       1000

/* Listing */
#define PT_LIST_LIMIT_DEFAULT 100
#define PT_LIST_LIMIT_MAX     1000

/* verify: a bundle is read whole; 10,000 events are about 15 MB */
#define PT_BUNDLE_MAX         (512 * 1024 * 1024)
#define PT_VERIFY_THREADS_MAX 8 /* signature checks run on up to this many cores */

/* Config file */
#define PT_CONFIG_MAX (1024 * 1024)

/* Vision grading */
#define PT_GRADE_STILLS_MAX    6  /* evidence stills of out-of-grade fruit per grading */
#define PT_GRADE_STILL_QUALITY 85 /* JPEG quality of a still */
#define PT_GRADE_RECHECK_US    G_USEC_PER_SEC /* grading feed: re-read the open grading */
#define PT_GRADE_IMAGES_MAX    10000          /* images per `packtrace grade` */
#define PT_GRADE_ROIS_MAX      64             /* --roi options (the grader's own limit) */

/* pt-range.h: the one reader of an HTTP Range request header (RFC 9110, 14.2), for the
 * evidence clips the station and the hub serve: iPhone Safari and WeChat's iOS browser play
 * a video only from a server that answers "bytes=0-1" with 206 Partial Content.
 *
 * One range is served; a request for several ("bytes=0-1,5-9") is answered with the whole
 * body (200), which RFC 9110 allows, since a multipart answer would buy a player nothing. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  PT_RANGE_NONE,          /* no Range header, or one this reader ignores: send it all (200) */
  PT_RANGE_PARTIAL,       /* send @len bytes from @start (206, Content-Range) */
  PT_RANGE_UNSATISFIABLE, /* no byte of the range is in the body (416, "bytes * / size") */
} PtRangeAnswer;

/* What to answer a request whose Range header is @header (nullable) for a body of @size
 * bytes; @start_out and @len_out are set for PT_RANGE_PARTIAL.  A range that selects no byte
 * ("bytes=900-" of 500 bytes, "bytes=9-5", "bytes=-0") is unsatisfiable; a header that is not
 * a byte range ("items=1-2", "bytes=abc") is ignored, as RFC 9110 says a server may. */
PtRangeAnswer pt_range_parse(const char *header, guint64 size, guint64 *start_out,
                             guint64 *len_out);

/* Returns: (transfer full): the Content-Range value of a PT_RANGE_PARTIAL answer
 * ("bytes START-END/SIZE") or, with @len 0, of a 416 (an asterisk for the range, then "/SIZE"). */
char *pt_range_content_range(guint64 start, guint64 len, guint64 size);

G_END_DECLS

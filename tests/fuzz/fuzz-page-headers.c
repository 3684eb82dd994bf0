/* fuzz-page-headers.c: libFuzzer target for the request headers the consumer page and the
 * clips read: Range (pt_range_parse()), Accept-Language, the language cookie and ?lang=
 * (pt_consumer_lang()) and Accept-Encoding (pt_gzip_accepted()).  Each input is one header
 * value; any bytes must give an answer, and a partial range must lie inside the body. */
#include "pt-consumer-page.h"
#include "pt-gzip.h"
#include "pt-range.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const guint8 *data, size_t size);

int
LLVMFuzzerTestOneInput(const guint8 *data, size_t size)
{
  /* Header values arrive NUL-terminated from libmicrohttpd. */
  char *value = g_strndup((const char *)data, size);
  for (guint64 body = 0; body < 3000; body += 997) {
    guint64 start = 0, len = 0;
    if (pt_range_parse(value, body, &start, &len) == PT_RANGE_PARTIAL &&
        (len == 0 || start >= body || len > body - start))
      abort();
  }
  PtLang lang = pt_consumer_lang(value, value, value);
  if (lang != PT_LANG_EN && lang != PT_LANG_ZH)
    abort();
  (void)pt_gzip_accepted(value);
  g_free(value);
  return 0;
}

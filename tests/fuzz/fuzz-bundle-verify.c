/* fuzz-bundle-verify.c: `packtrace verify` reads bundles from anywhere; this drives the
 * streaming reader (pt-json-scan.h) and the whole bundle check with arbitrary bytes.  Any
 * input must give valid, or an error, and never a crash, a leak or a hang.  The same bytes
 * from a file must give the same verdict as from memory, and the reader's file window, at
 * sizes down to one byte (every value straddles a refill), the same walk as memory. */
#include "pt-bundle.h"
#include "pt-error.h"
#include "pt-json-scan.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Walks one value with @a and @b side by side, as verify does: every member or element in
 * turn, a kept value's bytes compared; both must agree at each step. */
static void
walk_both(PtJsonScan *a, PtJsonScan *b)
{
  GError *ea = NULL, *eb = NULL;
  gsize la = 0, lb = 0;
  const char *va = pt_json_scan_value(a, 4096, &la, &ea);
  char *kept = va ? g_memdup2(va, la) : NULL;
  const char *vb = pt_json_scan_value(b, 4096, &lb, &eb);
  g_assert((va == NULL) == (vb == NULL));
  if (va) {
    g_assert(la == lb && memcmp(kept, vb, la) == 0);
    g_assert(pt_json_scan_offset(a) == pt_json_scan_offset(b));
  } else if (ea->code != PT_ERROR_TOO_LARGE && eb->code != PT_ERROR_TOO_LARGE) {
    /* (A file's window stops at the bound; memory, holding it all, may find a break first.) */
    g_assert(ea->domain == PT_ERROR && eb->domain == PT_ERROR && ea->code == eb->code);
    g_assert(strcmp(ea->message, eb->message) == 0);
  }
  g_free(kept);
  g_clear_error(&ea);
  g_clear_error(&eb);
  /* Then from the start again, element by element. */
  pt_json_scan_seek(a, 0);
  pt_json_scan_seek(b, 0);
  int c = pt_json_scan_peek(a);
  g_assert(c == pt_json_scan_peek(b));
  if (c != '[' && c != '{')
    return;
  char close = c == '[' ? ']' : '}';
  g_assert(pt_json_scan_expect(a, (char)c, NULL) && pt_json_scan_expect(b, (char)c, NULL));
  for (gboolean first = TRUE;; first = FALSE) {
    gboolean ma = FALSE, mb = FALSE;
    gboolean oka = pt_json_scan_more(a, close, first, &ma, NULL);
    g_assert(oka == pt_json_scan_more(b, close, first, &mb, NULL));
    if (!oka || !ma)
      return;
    g_assert(mb);
    if (close == '}') {
      char *ka = pt_json_scan_key(a, NULL), *kb = pt_json_scan_key(b, NULL);
      g_assert((ka == NULL) == (kb == NULL));
      gboolean same = !ka || strcmp(ka, kb) == 0;
      g_free(ka);
      g_free(kb);
      g_assert(same);
      if (!ka)
        return;
    }
    gsize na = 0, nb = 0;
    oka = pt_json_scan_skip(a, &na, NULL);
    g_assert(oka == pt_json_scan_skip(b, &nb, NULL) && na == nb);
    g_assert(pt_json_scan_offset(a) == pt_json_scan_offset(b));
    if (!oka)
      return;
  }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static gboolean ready;
  static FILE *file;
  if (!ready) {
    if (sodium_init() < 0)
      return 0;
    file = tmpfile();
    g_assert(file);
    ready = TRUE;
  }
  PtVerifyResult result;
  GError *error = NULL;
  gboolean ok = pt_bundle_verify((const char *)data, size, NULL, &result, &error);
  if (ok) {
    g_assert(result.n_events >= 0);
    pt_verify_result_clear(&result);
  } else {
    /* Every refusal says what it saw, in the station's domain. */
    g_assert(error && error->domain == PT_ERROR && error->message[0]);
  }

  int fd = fileno(file);
  g_assert(ftruncate(fd, 0) == 0);
  g_assert(size == 0 || pwrite(fd, data, size, 0) == (ssize_t)size);
  GError *file_error = NULL;
  gboolean file_ok = pt_bundle_verify_fd(fd, NULL, FALSE, &result, &file_error);
  g_assert(file_ok == ok);
  if (file_ok)
    pt_verify_result_clear(&result);
  else
    g_assert(file_error->code == error->code && strcmp(file_error->message, error->message) == 0);
  g_clear_error(&error);
  g_clear_error(&file_error);

  static const gsize windows[] = {1, 3, 64};
  for (gsize w = 0; w < G_N_ELEMENTS(windows); w++) {
    PtJsonScan *a = pt_json_scan_new_fd(fd, windows[w]);
    PtJsonScan *b = pt_json_scan_new_mem((const char *)data, size);
    walk_both(a, b);
    pt_json_scan_free(a);
    pt_json_scan_free(b);
  }
  return 0;
}

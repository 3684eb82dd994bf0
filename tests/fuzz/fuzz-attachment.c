/* fuzz-attachment.c: libFuzzer target for the files an operator attaches to a batch
 * (pt-attachment.h): each input is read as a product photo and as a certificate, so it goes
 * through the magic check, the JPEG and PNG decoders and re-encoders (pt-photo.c) and the PDF
 * form check.  Any bytes must give a file to keep or an error, never a crash, a leak or a GLib
 * critical; a file kept is a JPEG or a PDF. */
#include "pt-attachment.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const guint8 *data, size_t size);

static GLogWriterOutput
log_writer(GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer unused)
{
  if (level & (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR)) {
    g_log_writer_standard_streams(level, fields, n_fields, NULL);
    abort();
  }
  return G_LOG_WRITER_HANDLED;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
  g_log_set_writer_func(log_writer, NULL, NULL);
  return 0;
}

int
LLVMFuzzerTestOneInput(const guint8 *data, size_t size)
{
  static const PtAttachSpec specs[] = {
      {.role = PT_ATTACH_PHOTO},
      {.role = PT_ATTACH_CERTIFICATE, .kind = "other", .title = "fuzz"},
  };
  for (gsize i = 0; i < G_N_ELEMENTS(specs); i++) {
    const char *type = NULL, *ext = NULL;
    int width = 0, height = 0;
    GError *error = NULL;
    GBytes *kept =
        pt_attachment_prepare(&specs[i], data, size, &type, &ext, &width, &height, &error);
    if (kept) {
      gsize n = 0;
      const guint8 *out = g_bytes_get_data(kept, &n);
      /* What is kept is what the record will say it is. */
      if (strcmp(type, "image/jpeg") == 0
              ? (n < 3 || out[0] != 0xFF || out[1] != 0xD8 || width <= 0 || height <= 0)
              : strcmp(type, "application/pdf") != 0 || n != size)
        abort();
      g_bytes_unref(kept);
    } else if (!error) {
      abort();
    }
    g_clear_error(&error);
  }
  return 0;
}

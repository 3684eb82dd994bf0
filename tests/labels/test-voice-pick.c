/* test-voice-pick.c: the PTI voice pick code against the published examples
 * (traceability.md section 3, in the source) and shared/data/gs1/voice-pick-vectors.tsv
 * (read at run time; skipped without PACKTRACE_SHARED). */
#include <string.h>

#include "pt-gs1.h"
#include "pt-voice-pick.h"

static void
check(const char *gtin, const char *lot, const char *date, const char *want)
{
  char code[5];
  g_autoptr(GError) error = NULL;
  g_assert_true(pt_voice_pick_code(gtin, lot, date, code, &error));
  g_assert_no_error(error);
  g_test_message("%s %s %s -> %s (want %s)", gtin, lot, date ? date : "-", code, want);
  g_assert_cmpstr(code, ==, want);
}

static void
test_crc(void)
{
  /* The CRC catalogue's check value for CRC-16/ARC. */
  g_assert_cmpuint(pt_crc16_arc((const guint8 *)"123456789", 9), ==, 0xBB3D);
  g_assert_cmpuint(pt_crc16_arc(NULL, 0), ==, 0);
}

static void
test_published(void)
{
  check("10850510002011", "46587443HG234", NULL, "6359");
  check("65457886676767", "2", "100126", "5836");
  check("10333830000016", "186", "230711", "7557");
  check("10333830000016", "187", "230712", "3765");
  check("10333830000023", "188", "230713", "6084");
  check("10333830000030", "189", "230714", "3105");
  /* An empty date is no date; a code under 1000 keeps its leading zero. */
  check("10850510002011", "46587443HG234", "", "6359");
  check("10333830000023", "188", NULL, "0275");
}

static void
test_bad_input(void)
{
  char code[5];
  g_autoptr(GError) error = NULL;
  g_assert_false(pt_voice_pick_code("1085051000201", "L", NULL, code, &error));
  g_assert_error(error, PT_GS1_ERROR, PT_GS1_ERROR_SYNTAX);
  g_clear_error(&error);
  g_assert_false(pt_voice_pick_code("10850510002011", "A B", NULL, code, &error));
  g_assert_error(error, PT_GS1_ERROR, PT_GS1_ERROR_CHARSET);
  g_clear_error(&error);
  g_assert_false(pt_voice_pick_code("10850510002011", "L", "2301", code, &error));
  g_assert_error(error, PT_GS1_ERROR, PT_GS1_ERROR_SYNTAX);
}

static void
test_shared_vectors(void)
{
  const char *shared = g_getenv("PACKTRACE_SHARED");
  g_autofree char *path =
      shared ? g_build_filename(shared, "data", "gs1", "voice-pick-vectors.tsv", NULL) : NULL;
  g_autofree char *text = NULL;
  if (!path || !g_file_get_contents(path, &text, NULL, NULL)) {
    g_test_skip("shared/data/gs1/voice-pick-vectors.tsv not found (PACKTRACE_SHARED)");
    return;
  }
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
  guint n = 0;
  for (char **l = lines; *l; l++) {
    if (**l == '#' || **l == '\0' || g_str_has_prefix(*l, "gtin\t"))
      continue;
    g_auto(GStrv) f = g_strsplit(*l, "\t", -1);
    g_assert_cmpuint(g_strv_length(f), ==, 4);
    check(f[0], f[1], f[2], g_strstrip(f[3]));
    n++;
  }
  g_assert_cmpuint(n, >=, 2);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/voice-pick/crc16-arc", test_crc);
  g_test_add_func("/voice-pick/published", test_published);
  g_test_add_func("/voice-pick/bad-input", test_bad_input);
  g_test_add_func("/voice-pick/shared-vectors", test_shared_vectors);
  return g_test_run();
}

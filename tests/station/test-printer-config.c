/* test-printer-config.c: the [printer NAME] sections of station.ini through pt_config_load():
 * a good file gives the printers in order with their defaults; each kind of bad section is
 * refused with an error that names the file, the section and what is wrong, and the file is
 * left as it was; names and addresses resolve as the dashboard and the CLI use them. */
#include "pt-config.h"
#include "pt-error.h"
#include "pt-limits.h"

#include <glib/gstdio.h>
#include <string.h>

static const char base_ini[] = "[station]\n"
                               "id=test-station\n"
                               "[http]\n"
                               "operator_token=0123456789abcdef0123\n"
                               "[labels]\n"
                               "template=pallet\n";

/* Writes base_ini + @extra into a fresh file; @path_out: (transfer full). */
static PtConfig *
load(const char *extra, char **path_out, GError **error)
{
  g_autofree char *dir = g_dir_make_tmp("pt-printer-config-XXXXXX", NULL);
  g_assert_nonnull(dir);
  char *path = g_build_filename(dir, "station.ini", NULL);
  g_autofree char *text = g_strconcat(base_ini, extra, NULL);
  g_assert_true(g_file_set_contents(path, text, -1, NULL));
  PtConfig *config = pt_config_load(path, error);
  *path_out = path;
  return config;
}

static void
cleanup(char *path)
{
  g_autofree char *dir = g_path_get_dirname(path);
  g_unlink(path);
  g_rmdir(dir);
  g_free(path);
}

static void
test_good(void)
{
  char *path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PtConfig) config = load("[printer dock]\n"
                                    "address=127.0.0.1:9101\n"
                                    "label=Dock label printer\n"
                                    "template=case\n"
                                    "default=true\n"
                                    "[printer office-2]\n"
                                    "address=printer.example.coop\n",
                                    &path, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(config->printers->len, ==, 2);
  const PtPrinter *dock = g_ptr_array_index(config->printers, 0);
  const PtPrinter *office = g_ptr_array_index(config->printers, 1);
  g_assert_cmpstr(dock->name, ==, "dock");
  g_assert_cmpstr(dock->address, ==, "127.0.0.1:9101");
  g_assert_cmpstr(dock->label, ==, "Dock label printer");
  g_assert_cmpint(dock->template_, ==, PT_LABEL_CASE);
  g_assert_true(dock->is_default);
  g_assert_cmpstr(office->name, ==, "office-2");
  g_assert_null(office->label);
  /* Unset: [labels] template. */
  g_assert_cmpint(office->template_, ==, PT_LABEL_PALLET);
  g_assert_false(office->is_default);

  g_assert_true(pt_printer_find(config->printers, "dock") == dock);
  g_assert_true(pt_printer_by_address(config->printers, "printer.example.coop") == office);
  const PtPrinter *named = NULL;
  g_assert_cmpstr(pt_printer_resolve(config->printers, "dock", FALSE, &named, &error), ==,
                  "127.0.0.1:9101");
  g_assert_true(named == dock);
  /* A typed address is taken only where the caller allows it, and never a word that could be
   * a mistyped name. */
  g_assert_cmpstr(pt_printer_resolve(config->printers, "10.0.0.5:9100", TRUE, &named, &error), ==,
                  "10.0.0.5:9100");
  g_assert_null(named);
  g_assert_null(pt_printer_resolve(config->printers, "10.0.0.5:9100", FALSE, NULL, &error));
  g_assert_error(error, PT_ERROR, PT_ERROR_NOT_FOUND);
  g_assert_nonnull(strstr(error->message, "(printers: dock, office-2)"));
  g_clear_error(&error);
  g_assert_null(pt_printer_resolve(config->printers, "dokc", TRUE, NULL, &error));
  g_assert_error(error, PT_ERROR, PT_ERROR_NOT_FOUND);
  g_clear_error(&error);
  cleanup(path);
}

static void
test_none(void)
{
  char *path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PtConfig) config = load("", &path, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(config->printers->len, ==, 0);
  /* With no printer configured a host name is a host name. */
  g_assert_cmpstr(pt_printer_resolve(config->printers, "zebra1", TRUE, NULL, &error), ==, "zebra1");
  g_assert_null(pt_printer_resolve(config->printers, "zebra1", FALSE, NULL, &error));
  g_assert_nonnull(strstr(error->message, "no [printer NAME] section"));
  cleanup(path);
}

/* Each bad file: its extra text and what the error must say. */
static const struct {
  const char *ini, *says;
} bad[] = {
    {"[printer]\naddress=127.0.0.1\n", "[printer]: a printer's section is [printer NAME]"},
    {"[printer dock 1]\naddress=127.0.0.1\n", "[printer dock 1]: a printer's name is 1 to 32"},
    {"[printer dock]\nlabel=Dock\n", "[printer dock] address is missing"},
    {"[printer dock]\naddress=\n", "[printer dock] address is missing"},
    {"[printer dock]\naddress=127.0.0.1:99999\n",
     "[printer dock] address '127.0.0.1:99999' is not HOST or HOST:PORT"},
    {"[printer dock]\naddress=http://dock/\n",
     "[printer dock] address 'http://dock/' is not HOST or HOST:PORT"},
    {"[printer dock]\naddress=127.0.0.1\ntemplate=a4\n",
     "[printer dock] template 'a4' must be case or pallet"},
    {"[printer dock]\naddress=127.0.0.1\ndefault=yes\n",
     "[printer dock] default 'yes' must be true or false"},
    {"[printer dock]\naddress=127.0.0.1\nport=9100\n", "[printer dock] port: unknown key"},
    {"[printer a]\naddress=10.0.0.1\ndefault=true\n[printer b]\naddress=10.0.0.2\ndefault=true\n",
     "[printer b] default=true, but printer a is the default already"},
    {"[printer a]\naddress=10.0.0.1\n[printer b]\naddress=10.0.0.1\n",
     "[printer b] address 10.0.0.1 is printer a's already"},
};

static void
test_bad(void)
{
  for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
    char *path = NULL;
    g_autoptr(GError) error = NULL;
    g_autoptr(PtConfig) config = load(bad[i].ini, &path, &error);
    g_test_message("%s -> %s", bad[i].ini, error ? error->message : "(loaded)");
    g_assert_null(config);
    g_assert_error(error, PT_ERROR, PT_ERROR_INVALID);
    g_assert_true(g_str_has_prefix(error->message, path));
    g_assert_nonnull(strstr(error->message, bad[i].says));
    /* Nothing lost: the file is as it was written. */
    g_autofree char *text = NULL;
    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    g_autofree char *want = g_strconcat(base_ini, bad[i].ini, NULL);
    g_assert_cmpstr(text, ==, want);
    cleanup(path);
  }
}

static void
test_too_many(void)
{
  g_autoptr(GString) ini = g_string_new(NULL);
  for (int i = 0; i <= PT_PRINTERS_MAX; i++)
    g_string_append_printf(ini, "[printer p%d]\naddress=10.0.0.%d\n", i, i + 1);
  char *path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PtConfig) config = load(ini->str, &path, &error);
  g_assert_null(config);
  g_assert_error(error, PT_ERROR, PT_ERROR_TOO_LARGE);
  cleanup(path);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/printer-config/good", test_good);
  g_test_add_func("/printer-config/none", test_none);
  g_test_add_func("/printer-config/bad", test_bad);
  g_test_add_func("/printer-config/too-many", test_too_many);
  return g_test_run();
}

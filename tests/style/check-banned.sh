#!/usr/bin/env bash
# check-banned.sh SOURCE_ROOT: no C file of ours calls a function that writes past a buffer
# or cannot report bad input (as curl's own check bans them): sprintf and vsprintf
# (g_strdup_printf or snprintf), strcpy and strcat (g_strlcpy, g_strconcat, GString), gets
# (fgets), and atoi/atol (g_ascii_string_to_signed, strtol with an end pointer).  TAP output.
. "$(dirname "$0")/c-files.sh" "${1:-.}"

# Comments are stripped first, so a comment may name a banned function to say why.
c_files >"$T/files"
: >"$T/hits"
while read -r f; do
  perl -0777 -ne 's{/\*.*?\*/}{ "\n" x ($& =~ tr/\n//) }gse; s{//[^\n]*}{}g;
    my $n = 0; for (split /\n/, $_, -1) { $n++;
      print "$ARGV:$n: $1\n" while /(?<![\w.>])(v?sprintf|strcpy|strcat|gets|atoi|atol)\s*\(/g }' "$f" \
    >>"$T/hits"
done <"$T/files"
n_files=$(wc -l <"$T/files")
if [ -s "$T/hits" ]; then
  not_ok "no banned function in $n_files C files" "$(wc -l <"$T/hits") calls:"
  sed 's/^/# /' "$T/hits"
else
  ok "no banned function in $n_files C files"
fi
tap_finish

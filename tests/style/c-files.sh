# c-files.sh: sourced by the style checks.  c_files lists the project's own C, one path a
# line: every .c and .h of the source folders, without vendored code or fuzz corpora.
c_files() {
  find station models labels pipeline tests web-ui -name '*.[ch]' -not -path '*/vendor/*' \
    -not -path '*/corpus/*' | sort
}

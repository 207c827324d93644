# Assertions shared by the shell tests of the command-line tool (sourced, not run).
failures=0
passes=0
expect() { # description, expected, actual
  if [ "$2" = "$3" ]; then passes=$((passes + 1)); else echo "FAIL: $1: got '$3', expected '$2'"; failures=$((failures + 1)); fi
}
expect_line() { # description, file, text
  if grep -qF -- "$3" "$2"; then passes=$((passes + 1)); else echo "FAIL: $1: no '$3' in:"; cat "$2"; failures=$((failures + 1)); fi
}
finish() {
  echo "$passes passed, $failures failed"
  [ "$failures" -eq 0 ]
}

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
served_port() { # file: the port of `reflite serve`'s "serving ... on http://127.0.0.1:PORT/" line
  for i in $(seq 1 100); do
    p=$(sed -n 's|^serving .* on http://127.0.0.1:\([0-9]*\)/$|\1|p' "$1")
    [ -n "$p" ] && { echo "$p"; return 0; }
    sleep 0.05
  done
  return 1
}

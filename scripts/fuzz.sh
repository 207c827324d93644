#!/bin/sh
# Run every libFuzzer harness for a set time and summarise what each did.
# Usage: scripts/fuzz.sh BUILD_DIR SECONDS   (FUZZ_TARGETS="http_query http_body http_raw":
# some of them only)
set -u
build=$1
secs=$2
root=$(cd "$(dirname "$0")/.." && pwd)
status=0
for name in ${FUZZ_TARGETS:-migrate query model dbfile http_query http_body http_raw}; do
  corpus=$build/corpus/$name
  findings=$build/findings/$name
  mkdir -p "$corpus" "$findings"
  echo "== fuzz_$name for ${secs}s"
  "$build/fuzz/fuzz_$name" "$corpus" "$root/fuzz/corpus/$name" \
    -max_total_time="$secs" -timeout=30 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$findings/" > "$build/fuzz_$name.log" 2>&1
  rc=$?
  grep -E "^stat::number_of_executed_units|^stat::new_units_added" "$build/fuzz_$name.log"
  n=$(ls "$findings" | wc -l)
  echo "findings: $n (exit $rc)"
  if [ "$rc" -ne 0 ] || [ "$n" -ne 0 ]; then
    status=1
    grep -E "ERROR|invariant broken|SUMMARY" "$build/fuzz_$name.log" | head -5
  fi
done
exit $status

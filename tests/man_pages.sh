#!/bin/sh
# The manual pages: man renders them without a warning, reflite(1) has the usual sections,
# every command and option the command's help lists, and the one exit rule; every rl_ name
# reflite(3) mentions is declared in the header.
# Usage: man_pages.sh MAN_DIR REFLITE_BINARY HEADER
set -u
mandir=$1
bin=$2
header=$3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
. "$(dirname "$0")/cli_lib.sh"

for page in reflite.1 reflite.3; do
  LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l "$mandir/$page" > "$dir/$page.txt" 2> "$dir/$page.err"
  expect "man -l $page" 0 $?
  expect "$page renders without warnings" "" "$(cat "$dir/$page.err")"
  [ -s "$dir/$page.txt" ]; expect "$page has text" 0 $?
done
flat() { tr '\n' ' ' | tr -s ' '; }
text1=$(flat < "$dir/reflite.1.txt")
for section in NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" EXAMPLES "SEE ALSO"; do
  grep -q "^$section\$" "$dir/reflite.1.txt"; expect "reflite(1) has $section" 0 $?
done
for cmd in schema diff migrate check; do
  case "$text1" in *"reflite $cmd"*) r=yes ;; *) r=no ;; esac
  expect "reflite(1) shows reflite $cmd" yes "$r"
  for opt in $("$bin" help $cmd | grep -oE -- '--[a-z-]+' | sort -u); do
    case "$text1" in *"$opt"*) r=yes ;; *) r=no ;; esac
    expect "reflite(1) documents $cmd $opt" yes "$r"
  done
done
rule="Exit status: 0 done or clean; 1 differs, refused or findings; 2 error (usage, I/O, a lock held by another connection, a damaged file)."
case "$text1" in *"$rule"*) r=yes ;; *) r=no ;; esac
expect "reflite(1) states the exit rule" yes "$r"
version=$("$bin" --version | cut -d' ' -f2)
grep -q "reflite $version" "$dir/reflite.1.txt"; expect "reflite(1) is of version $version" 0 $?
for name in $(grep -oE '\brl_[a-z0-9_]+' "$dir/reflite.3.txt" | sort -u); do
  grep -qE "\\b$name\\b" "$header"; expect "reflite(3)'s $name is in the header" 0 $?
done
finish

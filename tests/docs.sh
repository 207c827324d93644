#!/bin/sh
# README.md and the guide, run as a new user would run them: in a copy of the source tree,
# with HOME a fresh directory (so `make install PREFIX=$HOME/.local` installs there), in
# document order, every shell block and C program they show.
#
# What a block is, by its fence and the comment line just before it (visible in the source):
#   <!-- not run: REASON -->   the block is not run; the reason is printed.
#   <!-- file: NAME -->        the block is the file NAME (a schema, a program, a CMakeLists.txt),
#                              written where the commands run (~/ is HOME).
#   ```sh with lines "$ COMMAND" a transcript: each command runs (a line ending in "\" goes on;
#                              a here-document is part of it), and what it prints (stdout and
#                              stderr) must be the lines shown after it; "..." stands for any
#                              text, and line breaks are not compared (the docs wrap long lines);
#                              nothing shown means nothing printed. A command ending in "&" runs
#                              in the background (a server), its first lines compared, and is
#                              stopped at the end.
#   ```sh without "$ "          a script: every command must succeed.
#   ```c with "int main"        compiled with the README's pkg-config line and run: exit 0.
# Port 8080 in the documents is replaced by a free port.
# Usage: docs.sh SOURCE_DIR WORK_DIR
set -u
src=$1
work=$2
unset MAKEFLAGS MFLAGS MAKELEVEL DESTDIR PKG_CONFIG_PATH LD_LIBRARY_PATH MANPATH
rm -rf "$work"
mkdir -p "$work/home" "$work/reflite"
# the copy: what a clone holds, without builds
for f in "$src"/* "$src"/.clang-format "$src"/.ci; do
  case $(basename "$f") in build*) continue ;; esac
  [ -e "$f" ] && cp -R "$f" "$work/reflite/"
done
export HOME="$work/home"
# curl as on a terminal: no progress meter (it goes to stderr only when output is redirected)
printf 'silent\nshow-error\n' > "$HOME/.curlrc"
# `make` in the copy builds into a directory of this test, without the suite's own tests
export BUILD="$work/build" CMAKE_FLAGS="-DREFLITE_TESTS=OFF"

# below the kernel's ephemeral range: a port there is never handed to another test's client
# socket or --port 0 server between the check and the use
low=$(awk '{ print $1 }' /proc/sys/net/ipv4/ip_local_port_range 2> /dev/null)
[ -n "$low" ] && [ "$low" -gt 12000 ] || low=32768
port=""
for p in $(awk -v low="$low" 'BEGIN { srand(); for (i = 0; i < 50; i++) print 10000 + int(rand() * (low - 10000)) }'); do
  curl -s -o /dev/null "http://127.0.0.1:$p/" 2> /dev/null
  [ $? -eq 7 ] && { port=$p; break; }
done
[ -n "$port" ] || { echo "FAIL: no free port"; exit 1; }

# One script for all the documents, so that what a block exports holds for the next ones.
script="$work/run.sh"
mkdir -p "$work/tmp"
echo "__tmp='$work/tmp'" > "$script"
cat >> "$script" << 'EOF'
set -e
__failed=0 __ran=0 __marked=0 __bg="" __n=0
__stop() { for __p in $__bg; do kill "$__p" 2> /dev/null || true; done; wait 2> /dev/null || true; }
trap __stop EXIT
__match() { # want got: 0 when got is want, "..." standing for any text, where a line break
  # of want stands for a space or nothing (the docs wrap long lines)
  W=$1 G=$2 awk 'BEGIN {
    w = ENVIRON["W"]; g = ENVIRON["G"]
    gsub(/[ \t\r]+\n/, "\n", w); sub(/[ \t\r\n]+$/, "", w); sub(/^\n+/, "", w)
    gsub(/[ \t\r]+\n/, "\n", g); sub(/[ \t\r\n]+$/, "", g)
    re = ""
    for (i = 1; i <= length(w); i++) {
      c = substr(w, i, 1)
      if (substr(w, i, 3) == "...") { re = re ".*"; i += 2 }
      else if (c == "\n") re = re "[ \n]?"
      else if (c == "\\") re = re "\\\\"
      else if (c == "^") re = re "\\^"
      else if (index(".[]|()*+?{}$/", c)) re = re "[" c "]"
      else re = re c
    }
    exit !match(g, "^" re "$")
  }'
}
__run() { # location; the command in $__cmd, what it prints in $__want
  __ran=$((__ran + 1))
  __n=$((__n + 1))
  case $__cmd in
  *"&")
    eval "${__cmd%&} > $__tmp/bg_$__n.out 2>&1 &"
    __bg="$__bg $!"
    __k=$(printf '%s\n' "$__want" | grep -c . || true)
    for __i in $(seq 1 200); do
      [ "$(grep -c . "$__tmp/bg_$__n.out")" -ge "$__k" ] && break
      sleep 0.05
    done
    __got=$(head -n "$__k" "$__tmp/bg_$__n.out")
    ;;
  *)
    __st=0
    eval "$__cmd" > "$__tmp/out" 2>&1 || __st=$?
    __got=$(cat "$__tmp/out")
    ;;
  esac
  if __match "$__want" "$__got"; then
    echo "ok: $1"
  else
    __failed=$((__failed + 1))
    printf 'FAIL: %s\n  $ %s\n  expected:\n%s\n  got (exit %s):\n%s\n' "$1" "$__cmd" "$__want" "${__st:-0}" "$__got"
  fi
}
__script() { echo "ok: $1 (script)"; __ran=$((__ran + 1)); }
__program() { # location file.c
  __ran=$((__ran + 1))
  __exe=${2%.c}
  if cc -std=c17 -Wall -Wextra -Werror "$2" $(pkg-config --cflags --libs reflite) -o "$__exe" > "$__tmp/out" 2>&1 &&
     ./"$__exe" > "$__exe.out" 2>&1; then
    echo "ok: $1 (program)"
  else
    __failed=$((__failed + 1)); echo "FAIL: $1 (program $2)"; cat "$__tmp/out" "$__exe.out" 2> /dev/null
  fi
}
__not_run() { __marked=$((__marked + 1)); echo "not run: $1: $2"; }
EOF

for md in README.md docs/guide.md; do
  sed "s/8080/$port/g" "$src/$md" | awk -v doc="$md" '
    function open_quote(text,   t) { t = text; return gsub(/'\''/, "", t) % 2 }
    function flush_cmd() {
      if (cmd == "") return
      printf "__cmd=$(cat << '\''__RL_CMD'\''\n%s\n__RL_CMD\n)\n", cmd
      printf "__want=$(cat << '\''__RL_OUT'\''\n%s__RL_OUT\n)\n", want
      printf "__run %s:%d\n", doc, at
      cmd = ""; want = ""
    }
    function emit_block(   i, line, transcript, heredoc, cont) {
      if (skip != "") { printf "__not_run %s:%d \"%s\"\n", doc, start, skip; return }
      if (file != "") {
        if (substr(file, 1, 2) == "~/") file = "$HOME/" substr(file, 3)
        printf "mkdir -p \"$(dirname \"%s\")\"\n", file
        printf "cat > \"%s\" << '\''__RL_FILE'\''\n", file
        for (i = 1; i <= nl; i++) print body[i]
        print "__RL_FILE"
        return
      }
      if (lang == "c") {
        for (i = 1; i <= nl; i++) if (body[i] ~ /int main/) break
        if (i > nl) return
        nprog++
        name = sprintf("doc_%s_%02d.c", doc == "README.md" ? "readme" : "guide", nprog)
        printf "cat > %s << '\''__RL_FILE'\''\n", name
        for (i = 1; i <= nl; i++) print body[i]
        print "__RL_FILE"
        printf "__program %s:%d %s\n", doc, start, name
        return
      }
      if (lang != "sh") return
      transcript = 0
      for (i = 1; i <= nl; i++) if (body[i] ~ /^\$ /) transcript = 1
      if (!transcript) {
        printf "echo \"running %s:%d\"\n", doc, start
        for (i = 1; i <= nl; i++) print body[i]
        printf "__script %s:%d\n", doc, start
        return
      }
      cmd = ""; want = ""; heredoc = ""; cont = 0
      for (i = 1; i <= nl; i++) {
        line = body[i]
        if (heredoc != "") { cmd = cmd "\n" line; if (line == heredoc) heredoc = ""; continue }
        if (cont) { cmd = cmd "\n" line; cont = (line ~ /\\$/) || open_quote(cmd); continue }
        if (line ~ /^> / && want == "") { cmd = cmd "\n" substr(line, 3); continue }
        if (line ~ /^\$ /) {
          flush_cmd()
          cmd = substr(line, 3); at = start + i
          cont = (line ~ /\\$/) || open_quote(cmd)
          if (match(line, /<< *'\''?[A-Za-z_]+'\''?/)) {
            heredoc = substr(line, RSTART, RLENGTH); gsub(/[< '\'']/, "", heredoc)
          }
          continue
        }
        want = want line "\n"
      }
      flush_cmd()
    }
    /^<!-- not run: .* -->$/ { skip = $0; sub(/^<!-- not run: /, "", skip); sub(/ -->$/, "", skip); gsub(/"/, "", skip); next }
    /^<!-- file: [^ ]+ -->$/ { file = $3; next }
    !inblock && /^ *```[a-z]*[ \t]*$/ {
      inblock = 1; indent = index($0, "`") - 1; lang = substr($0, indent + 4); sub(/[ \t]+$/, "", lang)
      nl = 0; start = NR; next
    }
    inblock && /^ *```[ \t]*$/ { inblock = 0; emit_block(); skip = ""; file = ""; next }
    inblock { body[++nl] = substr($0, indent + 1); next }
    { if ($0 !~ /^[ \t]*$/) { skip = ""; file = "" } }
  ' >> "$script"
  echo "__stop; __bg=''" >> "$script"
done
cat >> "$script" << 'EOF'
echo "$__ran ran, $__failed failed, $__marked not run"
[ "$__failed" -eq 0 ]
EOF
cd "$work/reflite" && sh "$script"

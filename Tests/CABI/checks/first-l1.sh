#!/usr/bin/env bash
# docs/first-l1.md cannot rot: its C blocks, in order, are docs/first-l1.c; compiled with gcc through
# pkg-config against the staged install and run from an empty directory, the program prints exactly the
# walkthrough's first `text` block, and the installed `softseam replay` of the trace it wrote prints the second.
set -euo pipefail
stage=$(cd "$1" && pwd) work=$4
md=docs/first-l1.md
block() { # the N-th fenced block of language $1 (1-based)
    awk -v lang="$1" -v want="$2" '/^```/ { if (on) { on = 0; next } if ($0 == "```" lang) { n++; if (n == want) on = 1 }; next } on' "$md"
}
awk '/^```c$/ { on = 1; next } /^```$/ { on = 0 } on' "$md" >"$work/first-l1.extracted.c"
diff -u docs/first-l1.c "$work/first-l1.extracted.c" || { echo "docs/first-l1.c differs from the C blocks of $md"; exit 1; }
echo "docs/first-l1.c is the C blocks of $md ($(wc -l <docs/first-l1.c) lines)"
export PKG_CONFIG_PATH=$stage/lib/pkgconfig
run=$work/first-l1.run
mkdir -p "$run"
gcc -std=c11 -Wall -Wextra -Werror -O2 docs/first-l1.c -o "$run/first-l1" $(pkg-config --cflags --libs softseam)
(cd "$run" && ./first-l1) >"$work/first-l1.stdout"
diff -u <(block text 1) "$work/first-l1.stdout"
echo "its output is the walkthrough's"
(cd "$run" && "$stage/bin/softseam" replay first-l1.trace.jsonl) >"$work/first-l1.replay"
diff -u <(block text 2) "$work/first-l1.replay"
echo "softseam replay of its trace prints what the walkthrough shows"

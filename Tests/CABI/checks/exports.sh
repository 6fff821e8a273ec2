#!/usr/bin/env bash
# Every function softseam.h declares is exported by the release libsoftseam (nm -D), and every softseam_* /
# __tdcall* symbol the library exports is declared in the header: the two cannot drift.
set -euo pipefail
stage=$1
header=$stage/include/softseam.h
lib=$stage/lib/libsoftseam.so
# Declarations: an identifier followed by "(" on a line that is not a typedef or a comment.
declared=$(grep -vE '^\s*(typedef|/\*|\*|#)' "$header" | grep -oE '\b(softseam_[a-z0-9_]+|__tdcall[a-z_]*)\s*\(' \
    | tr -d ' (' | sort -u)
exported=$(nm -D --defined-only "$lib" | awk '$2 == "T" { print $3 }' | grep -E '^(softseam_|__tdcall)' | sort -u)
[ -n "$declared" ] || { echo "no declarations found in $header"; exit 1; }
if [ "$declared" != "$exported" ]; then
    echo "declared in softseam.h but not exported:"; comm -23 <(echo "$declared") <(echo "$exported")
    echo "exported but not in softseam.h:"; comm -13 <(echo "$declared") <(echo "$exported")
    exit 1
fi
echo "$(echo "$declared" | wc -l) functions: header and nm -D agree"

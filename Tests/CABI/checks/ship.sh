#!/usr/bin/env bash
# The installed tree ships on its own: libsoftseam.so.VERSION with the links libsoftseam.so.ABI (its SONAME) and
# libsoftseam.so; neither it nor bin/softseam needs anything from the Swift toolchain (readelf -d: no NEEDED
# Swift, Foundation or dispatch library, no RUNPATH into the toolchain); softseam --version prints softseam.h's
# version; `softseam conform` run from another directory finds the installed tables; and with the toolchain's
# runtime directory hidden (an empty directory bind-mounted over it in a private mount namespace) the
# walkthrough's program and the installed CLI still run, while the debug CLI, which links the toolchain's
# runtime, no longer does (the proof that the directory is hidden).
set -euo pipefail
stage=$(cd "$1" && pwd) cli=$(realpath "$3") work=$4
header=$stage/include/softseam.h
version=$(sed -n 's/^#define SOFTSEAM_VERSION "\([0-9.]*\)".*/\1/p' "$header")
abi=$(sed -n 's/^#define SOFTSEAM_ABI_VERSION \([0-9]*\).*/\1/p' "$header")
lib=$stage/lib
[ -n "$version" ] && [ -n "$abi" ] || { echo "no SOFTSEAM_VERSION / SOFTSEAM_ABI_VERSION in $header"; exit 1; }
[ -f "$lib/libsoftseam.so.$version" ] && [ ! -L "$lib/libsoftseam.so.$version" ] || { echo "no file libsoftseam.so.$version"; exit 1; }
[ "$(readlink "$lib/libsoftseam.so.$abi")" = "libsoftseam.so.$version" ] || { echo "libsoftseam.so.$abi is not a link to libsoftseam.so.$version"; exit 1; }
[ "$(readlink "$lib/libsoftseam.so")" = "libsoftseam.so.$abi" ] || { echo "libsoftseam.so is not a link to libsoftseam.so.$abi"; exit 1; }
readelf -d "$lib/libsoftseam.so.$version" | grep -q "Library soname: \[libsoftseam.so.$abi\]" || { echo "SONAME is not libsoftseam.so.$abi"; exit 1; }
[ "$(PKG_CONFIG_PATH=$lib/pkgconfig pkg-config --modversion softseam)" = "$version" ] || { echo "softseam.pc Version is not $version"; exit 1; }
echo "libsoftseam.so -> libsoftseam.so.$abi (SONAME) -> libsoftseam.so.$version; softseam.pc Version $version"

swift=$(command -v swiftc || command -v swift)
toolchain=$(dirname "$(dirname "$(readlink -f "$swift")")")  # e.g. /opt/swift/usr
runtime=$toolchain/lib/swift                                  # libswiftCore.so, libFoundation*.so, libdispatch.so
[ -e "$runtime/linux/libswiftCore.so" ] || { echo "no Swift runtime at $runtime/linux"; exit 1; }
for f in "$lib/libsoftseam.so.$version" "$stage/bin/softseam"; do
    dyn=$(readelf -d "$f")
    if echo "$dyn" | grep NEEDED | grep -iE 'swift|Foundation|dispatch|BlocksRuntime'; then echo "$f needs the Swift runtime"; exit 1; fi
    if echo "$dyn" | grep -E 'RUNPATH|RPATH' | grep -F "$toolchain"; then echo "$f has a path into $toolchain"; exit 1; fi
    echo "$(basename "$f"): NEEDED $(echo "$dyn" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p' | tr '\n' ' ')"
done

"$stage/bin/softseam" --version | grep -q "^softseam $version (C ABI $abi; TDX module 1.5.01" || { echo "softseam --version: $("$stage/bin/softseam" --version)"; exit 1; }
mkdir -p "$work/elsewhere"
(cd "$work/elsewhere" && env -u SOFTSEAM_SPECS "$stage/bin/softseam" conform) >"$work/conform.out"
grep -q '^conformance: .* 0 disagree$' "$work/conform.out" || { cat "$work/conform.out"; exit 1; }
echo "softseam --version: $("$stage/bin/softseam" --version); conform from $work/elsewhere: $(tail -1 "$work/conform.out")"

export PKG_CONFIG_PATH=$lib/pkgconfig
run=$work/hidden
mkdir -p "$run" "$work/empty"
gcc -std=c11 -O2 docs/first-l1.c -o "$run/first-l1" $(pkg-config --cflags --libs softseam)
if ! unshare -m --propagation private true 2>/dev/null; then
    echo "SKIP the hidden-toolchain run: no private mount namespace here (unshare -m needs root or CAP_SYS_ADMIN)"
    exit 0
fi
unshare -m --propagation private bash -euo pipefail -c '
    empty=$1 runtime=$2 run=$3 cli=$4 installed=$5
    mount --bind "$empty" "$runtime"
    [ ! -e "$runtime/linux/libswiftCore.so" ] || { echo "the runtime is still visible"; exit 1; }
    if "$cli" --version >/dev/null 2>&1; then echo "the debug CLI ran with $runtime hidden: the check proves nothing"; exit 1; fi
    cd "$run"
    env -u LD_LIBRARY_PATH ./first-l1 >first-l1.out
    env -u LD_LIBRARY_PATH "$installed" replay first-l1.trace.jsonl
' _ "$work/empty" "$runtime" "$run" "$cli" "$stage/bin/softseam"
grep -q '^L2 exit 12 ' "$run/first-l1.out" || { cat "$run/first-l1.out"; exit 1; }
echo "with $runtime hidden: the debug CLI fails; docs/first-l1.c and the installed softseam replay run"

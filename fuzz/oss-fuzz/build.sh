#!/bin/bash -eu
# Builds SoftSEAM's libFuzzer targets into $OUT, each with its seed corpus as $OUT/<target>_seed_corpus.zip.
#
# OSS-Fuzz and ClusterFuzzLite run this in their Swift builder image (gcr.io/oss-fuzz-base/base-builder-swift),
# which sets SRC, OUT, WORK and SANITIZER and provides `precompile_swift` (it sets SWIFTFLAGS for the
# sanitizer). `make fuzz` runs it on this machine with those variables pointing into .build, without
# precompile_swift: then the flags are `--sanitize=fuzzer`, and `--sanitize=address` when SANITIZER is address.
#
# The targets: fuzz-cabi (Traces/fuzz/cabi), and fuzz-ops (Traces/fuzz/ops) once the package has the SEAMFuzz
# module. Package.swift declares them only when SOFTSEAM_FUZZ is set.
root=${SOFTSEAM_ROOT:-$SRC/softseam}
cd "$root"
if [ -z "${SWIFTFLAGS:-}" ] && command -v precompile_swift >/dev/null 2>&1; then
    . precompile_swift
fi
san=${SANITIZER:-}
[ "$san" = none ] && san=
flags=${SWIFTFLAGS:---sanitize=fuzzer${san:+ -Xswiftc -sanitize=fuzzer,$san}}
export SOFTSEAM_FUZZ=1
scratch=$WORK/softseam-build

targets=(fuzz-cabi)
[ -d Sources/SEAMFuzz ] && targets+=(fuzz-ops)
mkdir -p "$OUT"
for t in "${targets[@]}"; do
    # shellcheck disable=SC2086 # SWIFTFLAGS is a list of options
    swift build -c release $flags --scratch-path "$scratch" --product "$t"
    cp "$scratch/release/$t" "$OUT/$t"
    corpus=Traces/fuzz/${t#fuzz-}
    rm -f "$OUT/${t}_seed_corpus.zip"
    if [ -d "$corpus" ]; then
        (cd "$corpus" && zip -q -j "$OUT/${t}_seed_corpus.zip" ./*)
    fi
done

#!/usr/bin/env bash
# `make fuzz`: builds the libFuzzer targets the way OSS-Fuzz and ClusterFuzzLite do — their build scripts, with
# SRC, OUT and WORK in .build and the checkout at $SRC/softseam (a link) — once with libFuzzer alone
# (.clusterfuzzlite/build.sh, which runs fuzz/oss-fuzz/build.sh) and once with AddressSanitizer
# (fuzz/oss-fuzz/build.sh), then runs every target on its seed corpus for FUZZ_SECONDS seconds (default 20) with
# SWIFT_BACKTRACE=enable=no, so that a crash is libFuzzer's and writes its input. Exit 1 when a target found
# something: its input is in .build/fuzz-findings/SANITIZER/TARGET/ (run the target on that file to see it again).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
seconds=${FUZZ_SECONDS:-20}
sanitizers=(none address)

src=$root/.build/fuzz-src
mkdir -p "$src"
ln -sfn "$root" "$src/softseam"
for san in "${sanitizers[@]}"; do
    script=fuzz/oss-fuzz/build.sh
    [ "$san" = none ] && script=.clusterfuzzlite/build.sh
    echo "== build ($san): $script"
    SRC=$src OUT=$root/.build/fuzz-out/$san WORK=$root/.build/fuzz-work/$san SANITIZER=$san "$script"
done

failed=0
for san in "${sanitizers[@]}"; do
    for bin in "$root/.build/fuzz-out/$san"/fuzz-*; do
        case $bin in *.zip) continue ;; esac
        name=$(basename "$bin")
        corpus=$root/.build/fuzz-corpus/$san/$name
        findings=$root/.build/fuzz-findings/$san/$name
        rm -rf "$corpus" "$findings"
        mkdir -p "$corpus" "$findings"
        if [ -f "$bin"_seed_corpus.zip ]; then unzip -q "$bin"_seed_corpus.zip -d "$corpus"; fi
        log=$findings/libfuzzer.log
        echo "== $name ($san): ${seconds}s from $(ls "$corpus" | wc -l) seeds"
        if SWIFT_BACKTRACE=enable=no "$bin" "$corpus" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
            -artifact_prefix="$findings/" >"$log" 2>&1; then
            grep -E "DONE|stat::average_exec_per_sec" "$log" | sed 's/^/   /'
        else
            echo "FAIL $name ($san): a finding; libFuzzer's output: $log"
            grep -E "Fatal error|ERROR|SUMMARY|Test unit written" "$log" | sed 's/^/   /' || true
            failed=1
        fi
    done
done
exit $failed

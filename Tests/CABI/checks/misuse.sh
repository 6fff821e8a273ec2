#!/usr/bin/env bash
# Tests/CABI/misuse.c: every function of softseam.h misused — the SOFTSEAM_E… code the header documents, a
# message naming the function, nothing changed; two threads on one machine; calls from inside callbacks.
set -euo pipefail
bin=$2 work=$4
"$bin/misuse" "$work"

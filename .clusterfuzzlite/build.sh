#!/bin/bash -eu
# ClusterFuzzLite's build step: the same script OSS-Fuzz runs (fuzz/oss-fuzz/build.sh).
exec "$SRC/softseam/fuzz/oss-fuzz/build.sh"

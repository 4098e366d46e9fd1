#!/usr/bin/env bash
# The whole suite again under AddressSanitizer and UndefinedBehaviorSanitizer,
# in build-sanitize/, with the crash points compiled in (CALLSCRIBE_FAULTS):
# test_faults kills the server at each stage of a job (CALLSCRIBE_FAULT_RUNS
# runs per stage, 20 by default). Never a release build; no benchmarks
# (their figures come from the normal build). CI runs this after scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build-sanitize -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCALLSCRIBE_SANITIZE=ON -DCALLSCRIBE_FAULTS=ON \
  -DCALLSCRIBE_BENCHMARKS=OFF
cmake --build build-sanitize
ctest --test-dir build-sanitize --output-on-failure --timeout 1800 "$@"

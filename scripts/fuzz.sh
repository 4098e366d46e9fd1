#!/usr/bin/env bash
# Builds the libFuzzer targets of fuzz/ with clang (ASan + UBSan, in
# build-fuzz/) and runs each for SECONDS_PER_TARGET (default 60) over a scratch
# copy of its corpus, so fuzz/corpus/ never grows. Exits non-zero on any crash,
# leak, UB report, timeout or out-of-memory; prints one table at the end.
# Scratch corpora and crash inputs stay in build-fuzz/fuzz-run/<target>/.
# FUZZ_JOBS targets run at once (default: the number of cores); FUZZ_TARGETS
# picks some ("config normalize"), default all.
# See docs/fuzzing.md.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
if ! [[ $seconds =~ ^[0-9]+$ ]] || ((seconds < 1)); then
  echo "usage: scripts/fuzz.sh [SECONDS_PER_TARGET]" >&2
  exit 2
fi
read -r -a targets <<<"${FUZZ_TARGETS:-form signature http_request audio config businesses normalize}"
jobs=${FUZZ_JOBS:-$(nproc)}

CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCALLSCRIBE_FUZZ=ON >/dev/null
cmake --build build-fuzz --target "${targets[@]/%/_fuzz}"

# The sanitizers stop at the first report (UBSan is also compiled with
# -fno-sanitize-recover=all); libFuzzer checks for leaks after each input.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:abort_on_error=1:print_stacktrace=1}
run_root=build-fuzz/fuzz-run
rm -rf "$run_root"

run_target() {
  local t=$1 dir=$run_root/$1
  mkdir -p "$dir/corpus" "$dir/artifacts" "$dir/tmp"
  cp -r "fuzz/corpus/$t/." "$dir/corpus/"
  local dict=()
  [[ -f fuzz/$t.dict ]] && dict=(-dict="fuzz/$t.dict")
  local start=$SECONDS status=0
  # The project folder is the working directory: businesses.json names
  # config/places/*.tsv relative to it, as the server does.
  TMPDIR=$PWD/$dir/tmp "build-fuzz/fuzz/${t}_fuzz" -max_total_time="$seconds" -timeout=25 \
    -print_final_stats=1 -artifact_prefix="$dir/artifacts/" "${dict[@]}" "$dir/corpus" \
    >"$dir/log" 2>&1 || status=$?
  echo $((SECONDS - start)) >"$dir/seconds"
  echo "$status" >"$dir/status"
}

running=0
for t in "${targets[@]}"; do
  if ((running >= jobs)); then
    wait -n || true
    running=$((running - 1))
  fi
  echo "fuzz: $t for ${seconds}s"
  run_target "$t" &
  running=$((running + 1))
done
wait

failed=0
printf '\n%-14s %8s %12s %8s %8s  %s\n' target seconds executions exec/s corpus findings
for t in "${targets[@]}"; do
  dir=$run_root/$t
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$dir/log" | tail -1)
  if [[ -z $execs ]]; then # no final stats: the last status line's count
    execs=$(grep -oE '^#[0-9]+' "$dir/log" | tail -1 | tr -d '#')
  fi
  execs=${execs:-0}
  secs=$(cat "$dir/seconds")
  corpus=$(find "$dir/corpus" -type f | wc -l)
  findings=$(find "$dir/artifacts" -type f | wc -l)
  status=$(cat "$dir/status")
  if ((status != 0 && findings == 0)); then
    findings=1 # a report without an artifact (a leak at exit, say): the log says what
  fi
  printf '%-14s %8s %12s %8s %8s  %s\n' "$t" "$secs" "$execs" "$((execs / (secs > 0 ? secs : 1)))" \
    "$corpus" "$findings"
  ((findings == 0)) || failed=1
done
if ((failed)); then
  echo
  for t in "${targets[@]}"; do
    dir=$run_root/$t
    if [[ $(cat "$dir/status") != 0 ]]; then
      echo "fuzz: $t failed; log $dir/log"
      grep -E '^(==[0-9]+==ERROR|SUMMARY|terminate called|  what\(\)|.*runtime error)' "$dir/log" | head -5 || true
      find "$dir/artifacts" -type f -printf '  input: %p (reproduce: build-fuzz/fuzz/'"$t"'_fuzz %p)\n'
    fi
  done
  exit 1
fi

#!/usr/bin/env bash
# Every figure of docs/benchmarks.md, measured now on this machine, printed as
# one markdown table (figure | value | how) under the machine it ran on. Each
# figure comes from a run of its bench here; nothing is copied from elsewhere.
#
# usage: bench/run_all.sh [--quick] [--only N[,N...]] [--out DIR] [--no-build]
#   --quick  smaller runs (fewer jobs, shorter wrk runs, 5,000 queued instead
#            of 100,000): minutes instead of about half an hour; the table says so
#   --only   just these figures: 1 webhook, 2 pipeline, 3 busy share, 4 speech,
#            5 extraction, 6 memory, 7 start-up
#   --out    where each bench's own output is kept (default build/bench-results)
#   --no-build  measure the binaries already in build/ (bench_webhook.sh still
#            builds its two targets)
# A bench that fails gives its figure a FAILED row naming its output file; the
# others still run.
# Needs what scripts/setup.sh installs, and wrk (apt-get install wrk).
set -euo pipefail
cd "$(dirname "$0")/.."

quick=0 only=1,2,3,4,5,6,7 out=build/bench-results build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=1; shift ;;
    --only) only="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    -h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
wanted() { [[ ",$only," == *",$1,"* ]]; }
pick() { [ "$quick" = 1 ] && echo "$2" || echo "$1"; } # FULL QUICK

command -v wrk >/dev/null || { echo "run_all: wrk is not installed (apt-get install wrk)" >&2; exit 1; }
mkdir -p "$out"
load() { cut -d' ' -f1 /proc/loadavg; }
note() { echo "[$(date +%T), load $(load)] $*" >&2; }

if [ "$build" = 1 ]; then
  note "building the benches"
  cmake --build build --target callscribe callscribe_webhook_requests callscribe_bench_trace \
    callscribe_bench_extract callscribe_bench_pipeline callscribe_bench_rss callscribe_bench_startup \
    callscribe_bench_rtf callscribe_bench_intake >"$out/build.txt" 2>&1 || { tail -30 "$out/build.txt" >&2; exit 1; }
fi

started_load=$(load)
# This machine is a virtual one: the host may take CPU time from it (steal),
# which stretches every wall-clock figure. Measured over the whole run.
cpu_times() { awk '/^cpu / { print $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9, $9 }' /proc/stat; }
read -r started_total started_steal < <(cpu_times)
rows=()
row() { rows+=("| $1 | $2 | $3 |"); }
# measure FIGURE OUTPUT COMMAND...: runs one bench into OUTPUT; on failure a
# FAILED row for FIGURE, and a non-zero status so its rows are skipped.
measure() {
  local figure="$1" output="$2"
  shift 2
  if "$@" >"$output" 2>&1; then return 0; fi
  note "FAILED: $figure (see $output)"
  row "$figure" "FAILED" "\`$*\` exited non-zero; see $output"
  return 1
}
# The value after NAME in a line of "name value" pairs (the first line that has it).
field() { awk -v k="$2" '{ for (i = 1; i < NF; ++i) if ($i == k) { print $(i + 1); exit } }' "$1"; }
# Rounded, with thousands separators: 12345.6 -> 12,346.
n() { printf '%.0f' "$1" | sed ':a; s/\B[0-9]\{3\}\>/,&/; ta'; }
# A * B, rounded to D decimals.
times() { awk -v a="$1" -v b="$2" -v d="$3" 'BEGIN { printf "%.*f", d, a * b }'; }

if wanted 1; then
  secs=$(pick 10 5)
  note "1. webhook: wrk, ${secs} s at 16 and at 64 connections"
  measure webhook "$out/1-webhook.txt" bench/bench_webhook.sh "$secs" &&
  while IFS='|' read -r _ conns rps p50 p99 bad _jobs _; do
    conns=$(echo $conns) rps=$(echo $rps)
    [[ "$conns" =~ ^[0-9]+$ ]] || continue
    row "webhook, $conns connections" "$(n "$rps") requests/s, p50 $(echo $p50), p99 $(echo $p99); non-2xx: $(echo $bad)" \
      "\`bench/bench_webhook.sh $secs\`: wrk posts signed recording-status callbacks, each a new job committed before its 200 (SQLite, WAL, synchronous=FULL), worker paused"
  done < <(grep '^| [0-9]' "$out/1-webhook.txt")
  count=$(pick 20000 5000)
  note "1. webhook's parts: checks and group-commit inserts, $count callbacks"
  measure "webhook's parts" "$out/1-intake.txt" build/callscribe_bench_intake "$count" &&
  while IFS='|' read -r _ figure value _; do
    figure=$(echo $figure) value=$(echo $value)
    case "$figure" in check*|"of which"*|durable*) ;; *) continue ;; esac
    row "webhook's part: $figure" "$value" \
      "\`callscribe_bench_intake $count\`: no HTTP, no actors; the checks of signed recording-status callbacks, then storage::record_recordings (the group commit) on a fresh SQLite file, WAL, synchronous=FULL"
  done < "$out/1-intake.txt"
fi

if wanted 2; then
  jobs=$(pick 500 100)
  note "2. pipeline: $jobs jobs through a real serve, then bench_trace's in-process pipeline"
  f="$out/2-pipeline.txt"
  measure "pipeline, real serve" "$f" build/callscribe_bench_pipeline --jobs "$jobs" &&
  row "pipeline, real \`serve\` + stand-in" "$(n "$(field "$f" jobs_per_s)") jobs/s ($jobs jobs in $(field "$f" wall_s) s, $(field "$f" dead) dead)" \
    "\`callscribe_bench_pipeline --jobs $jobs\`: 3 clients post signed callbacks to a running \`serve\` (SQLite); downloads from the loopback Twilio stand-in; \`command\` engine \`sh -c 'echo …'\`; first callback to last lead written"
  rounds=$(pick 3 1)
  if measure "pipeline, in-process" "$out/2-trace.txt" build/callscribe_bench_trace "$jobs" "$rounds"; then
  median=$(awk -F'|' '$2 ~ /trace.level=jobs/ { gsub(/ /, "", $4); print $4 }' "$out/2-trace.txt")
  row "pipeline, in-process actors" "$(n "$(times "$jobs" "$(awk -v m="$median" 'BEGIN { print 1 / m }')" 1)") jobs/s (median of $rounds; $jobs jobs in $median s)" \
    "\`callscribe_bench_trace $jobs $rounds\`, row trace.level=jobs: the actors on a SQLite file, an in-process engine that answers at once, a download that copies a file (no HTTP, no fork)"
  fi
fi

if wanted 3; then
  jobs=$(pick 200 40) d=100
  for prefetch in 3 1; do
    note "3. busy share: $jobs queued jobs, downloads ${d} ms, engine ${d} ms, worker.prefetch=$prefetch"
    f="$out/3-busy-prefetch$prefetch.txt"
    measure "busy share, prefetch $prefetch" "$f" build/callscribe_bench_pipeline --jobs "$jobs" \
      --download-ms "$d" --engine-ms "$d" --prefetch "$prefetch" --queued || continue
    share="$(times "$(field "$f" busy_share)" 100 1) %"
    row "transcriber busy share, worker.prefetch=$prefetch$([ $prefetch = 3 ] && echo ' (default)')" \
      "$share ($(field "$f" busy_s) s busy of $(field "$f" wall_s) s; idle: first download $(field "$f" first_download_s) s, waiting for downloads $(field "$f" waiting_download_s) s, hand-over $(field "$f" handover_s) s)" \
      "\`callscribe_bench_pipeline --jobs $jobs --download-ms $d --engine-ms $d --prefetch $prefetch --queued\`: stored with the worker paused, then drained; stand-in answers each download after $d ms, engine \`sleep 0.1\`; busy = callscribe_transcriber_busy_seconds_total, wall = first claim to last done (job_events)"
  done
fi

if wanted 4; then
  calls=$(pick 40 10)
  note "4. speech: PocketSphinx on $calls flite calls, 16 kHz and 8 kHz"
  measure "PocketSphinx RTF" "$out/4-speech.txt" bench/speech_rtf.sh "$calls" &&
  while read -r set rest; do
    f=$(mktemp); echo "$rest" >"$f"
    row "PocketSphinx real-time factor, warm, $set" \
      "$(field "$f" rtf) ($(field "$f" ms_per_audio_s) ms per audio second; CPU only $(field "$f" cpu_rtf)); model load $(field "$f" model_load_s) s" \
      "\`bench/speech_rtf.sh $calls\`: bench/calls/service_calls.txt spoken by flite$([ "$set" = calls-8k ] && echo ', as 8 kHz μ-law'); $(field "$f" files) calls after an unmeasured first, $(field "$f" audio_s) s of audio; resampling + recognition, wall clock"
    rm -f "$f"
  done < <(grep '^calls-' "$out/4-speech.txt")
fi

if wanted 5; then
  runs=$(pick 2000 300)
  note "5. extraction: $runs calls a row"
  measure extraction "$out/5-extract.txt" build/callscribe_bench_extract --runs "$runs" &&
  while IFS='|' read -r _ name words _runs mean p50 p99 _; do
    name=$(echo $name)
    case "$name" in "Hebrew made-up call, il + us" | "English made-up call, il + us" | *"evaluation calls joined"*) ;; *) continue ;; esac
    [ "$(echo $words)" -ge 1000 ] 2>/dev/null || continue
    row "extraction, 10-minute transcript: $name" "mean $(echo $mean) µs, p50 $(echo $p50) µs, p99 $(echo $p99) µs ($(echo $words) words)" \
      "\`callscribe_bench_extract --runs $runs\`: the gazetteer, a locksmith's 4 services, both place lists (1,219 Israeli + 24,277 US places)"
  done < <(grep '^| [A-Z]' "$out/5-extract.txt")
fi

if wanted 6; then
  jobs=$(pick 100000 5000)
  note "6. memory: $jobs callbacks queued, then drained (progress in $out/6-rss.txt)"
  f="$out/6-rss.txt"
  # Exits 1 when the drain ran out of time: its line still holds what was measured.
  build/callscribe_bench_rss --jobs "$jobs" >"$f" 2>&1 || note "the memory bench exited non-zero (see $f)"
  if grep -q '^jobs ' "$f"; then
  how="\`callscribe_bench_rss --jobs $jobs\`: VmRSS of \`serve\` on a fresh SQLite file"
  row "RSS, idle (worker paused)" "$(field "$f" rss_idle_mib) MiB" "$how, 2 s after start"
  row "RSS, $(n "$jobs") jobs queued" "$(field "$f" rss_queued_mib) MiB ($(n "$(field "$f" stored)") stored, posted in $(field "$f" post_s) s)" \
    "$how, after $(n "$jobs") signed callbacks over 32 keep-alive connections, each answered 200"
  drained=$(field "$f" drained_jobs) stored=$(field "$f" stored)
  if [ "$drained" -ge "$stored" ]; then label="after draining them"
  else label="after draining for $(field "$f" drain_s) s: NOT all, the bound ran out"; fi
  row "RSS, $label" "$(field "$f" rss_drained_mib) MiB (peak while draining $(field "$f" rss_peak_draining_mib) MiB; $(n "$drained") of $(n "$stored") done in $(field "$f" drain_s) s, $(field "$f" drain_jobs_per_s) jobs/s; SQLite's page caches $(field "$f" sqlite_drained_mib) MiB of it)" \
    "$how, restarted with the worker on, \`command\` engine \`sh -c 'echo …'\`, downloads from the stand-in; gazetteer's place lists loaded by then"
  else
    row "RSS" "FAILED" "see $f"
  fi
fi

if wanted 7; then
  runs=$(pick 7 3)
  note "7. start-up: $runs runs each"
  f="$out/7-startup.txt"
  measure start-up "$f" build/callscribe_bench_startup --runs "$runs" &&
  for db in empty_db migrated_db; do
    line=$(grep "^$db " "$f")
    row "start-up to ready, ${db/_db/ db}" "$(echo "$line" | awk '{ print $3 }') ms median (runs: $(echo "$line" | sed 's/.*runs_ms //'))" \
      "\`callscribe_bench_startup --runs $runs\`: fork/exec of \`serve\` (PocketSphinx, SQLite) to the first 200 from GET /readyz, polled every ms; after one unmeasured start"
  done
fi

cpu=$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //')
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:STRING=//p' build/CMakeCache.txt)
commit=$(git rev-parse --short HEAD 2>/dev/null || echo '?')
git diff --quiet HEAD 2>/dev/null || commit="$commit + local changes"
echo
read -r ended_total ended_steal < <(cpu_times)
# (In parentheses: a bare ">" in awk's printf is a redirection to a file.)
steal=$(awk -v t=$((ended_total - started_total)) -v s=$((ended_steal - started_steal)) 'BEGIN { printf "%.0f", (t > 0 ? 100 * s / t : 0) }')
echo "Machine: $(nproc) cores, $cpu; $(date '+%Y-%m-%d %H:%M %Z'); load average $started_load at start, $(load) at end; CPU time taken by the host (steal): $steal % of the run"
echo "Build: $build_type, commit $commit$([ "$quick" = 1 ] && echo '; --quick (smaller runs)')"
echo
echo "| figure | value | how |"
echo "|---|---|---|"
printf '%s\n' "${rows[@]}"
echo
echo "Each bench's own output: $out/"

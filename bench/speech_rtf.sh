#!/usr/bin/env bash
# PocketSphinx's warm real-time factor on the 40 service calls of
# bench/calls/service_calls.txt spoken by flite (several voices), as they are
# (16 kHz) and as a phone line carries them (8 kHz μ-law, what Twilio sends).
# callscribe_bench_rtf transcribes the first file unmeasured, then the rest.
# Usage: bench/speech_rtf.sh [CALLS (40)]   Prints one line per set:
#   SET files N audio_s A processing_s P rtf R ms_per_audio_s M cpu_rtf C model_load_s L
set -euo pipefail
cd "$(dirname "$0")/.."
calls=${1:-40}
for tool in flite sox; do
  command -v "$tool" >/dev/null || { echo "speech_rtf: missing $tool (scripts/setup.sh installs it)" >&2; exit 1; }
done
dir=$(mktemp -d /tmp/callscribe-bench-rtf.XXXXXX)
trap 'rm -rf "$dir"' EXIT
grep -v '^#' bench/calls/service_calls.txt | head -n "$calls" |
  while IFS=$'\t' read -r cid voice _service _place text; do
    [ -n "$cid" ] || continue
    flite -voice "$voice" -t "$text" -o "$dir/$cid-flite.wav"
    sox -D "$dir/$cid-flite.wav" -r 16000 -e signed -b 16 -c 1 "$dir/$cid-16k.wav"
    sox -D "$dir/$cid-16k.wav" -r 8000 -e u-law "$dir/$cid-8k.wav"
    echo "$dir/$cid-16k.wav" >> "$dir/16k.list"
    echo "$dir/$cid-8k.wav" >> "$dir/8k.list"
  done
for set in 16k 8k; do
  echo "calls-$set $(build/callscribe_bench_rtf "$dir/$set.list")"
done

#!/usr/bin/env bash
# Speech evaluation: word error rate (NIST sclite) and real-time factor of the
# embedded PocketSphinx engine against Debian's pocketsphinx_continuous with its
# default settings, on four sets of recordings:
#   librivox-16k  the LibriVox utterances of Debian's pocketsphinx-testdata, as they are
#   librivox-8k   the same, as a phone line carries them: 8 kHz μ-law
#   calls-16k     bench/calls/service_calls.txt spoken by flite (several voices), 16 kHz
#   calls-8k      the same calls, 8 kHz μ-law
# Ours runs twice: without vocabulary hints, and with bench/calls/hints.txt (the
# catalogue of services and places the calls come from).
#
# usage: bench/eval_speech.sh [--build DIR] [--work DIR] [--jobs N]
#   --build  the CMake build folder holding callscribe_eval (default: build)
#   --work   where the audio, hypotheses and sclite reports go (default: $TMPDIR/callscribe-eval)
#   --jobs   baseline decoders run at once (default: number of cores); ours runs alone,
#            so that its RTF is not shared with anything else
# Needs: pocketsphinx, pocketsphinx-en-us, pocketsphinx-testdata, sctk, sox, flite.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
build="$repo/build"
work="${TMPDIR:-/tmp}/callscribe-eval"
jobs=$(nproc)
while [ $# -gt 0 ]; do
  case "$1" in
    --build) build=$(cd "$2" && pwd); shift 2 ;;
    --work) work="$2"; shift 2 ;;
    --jobs) jobs="$2"; shift 2 ;;
    -h|--help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

eval_bin="$build/callscribe_eval"
sclite=/usr/lib/sctk/bin/sclite
testdata=/usr/share/pocketsphinx/test/data/librivox
calls="$repo/bench/calls/service_calls.txt"
hints="$repo/bench/calls/hints.txt"
for need in "$eval_bin" "$sclite" "$testdata/transcription" "$calls" "$hints"; do
  [ -e "$need" ] || { echo "missing: $need" >&2; exit 1; }
done
for tool in pocketsphinx_continuous sox flite; do
  command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 1; }
done

rm -rf "$work"
mkdir -p "$work"
export LC_ALL=C

# The one normalisation of references and hypotheses alike: lower case, no
# punctuation but the apostrophe (the dictionary has "don't"), single spaces.
# Input and output are sclite trn lines, "text (utterance-id)".
normalise() {
  awk '{
    id = $NF; $NF = "";
    text = tolower($0);
    gsub(/<\/?s>|<sil>/, " ", text);
    gsub(/[^a-z\x27]+/, " ", text);
    gsub(/^ +| +$/, "", text);
    print text " " id
  }'
}

# --- the sets: SET/list ("id path" for ours), SET/baseline.list (16 kHz files
# for pocketsphinx_continuous), SET/ref.trn
prepare_librivox() {
  local dir="$work/librivox-16k" dir8="$work/librivox-8k"
  mkdir -p "$dir/audio" "$dir8/audio"
  : > "$dir/list"; : > "$dir8/list"; : > "$dir/baseline.list"; : > "$dir8/baseline.list"
  # Reference lines: "<s> words </s> (file-id)"; sclite wants speaker_utterance ids.
  sed 's/(\(.*\))$/(librivox_\1)/' "$testdata/transcription" | normalise > "$dir/ref.trn"
  cp "$dir/ref.trn" "$dir8/ref.trn"
  while read -r fileid; do
    [ -n "$fileid" ] || continue
    local id="librivox_$fileid" src="$testdata/$fileid.wav"
    echo "$id $src" >> "$dir/list"
    echo "$id $src" >> "$dir/baseline.list"
    sox -D "$src" -r 8000 -e u-law "$dir8/audio/$id.wav"
    sox -D "$dir8/audio/$id.wav" -r 16000 -e signed -b 16 "$dir8/audio/$id-up16k.wav"
    echo "$id $dir8/audio/$id.wav" >> "$dir8/list"
    echo "$id $dir8/audio/$id-up16k.wav" >> "$dir8/baseline.list"
  done < "$testdata/fileids"
}

prepare_calls() {
  local dir="$work/calls-16k" dir8="$work/calls-8k"
  mkdir -p "$dir/audio" "$dir8/audio"
  : > "$dir/list"; : > "$dir8/list"; : > "$dir/baseline.list"; : > "$dir8/baseline.list"
  : > "$dir/ref.trn"; : > "$work/calls.keywords"
  grep -v '^#' "$calls" | while IFS=$'\t' read -r cid voice service place text; do
    [ -n "$cid" ] || continue
    local id="${voice}_${cid}"
    flite -voice "$voice" -t "$text" -o "$dir/audio/$id-flite.wav"
    sox -D "$dir/audio/$id-flite.wav" -r 16000 -e signed -b 16 -c 1 "$dir/audio/$id.wav"
    sox -D "$dir/audio/$id.wav" -r 8000 -e u-law "$dir8/audio/$id.wav"
    sox -D "$dir8/audio/$id.wav" -r 16000 -e signed -b 16 "$dir8/audio/$id-up16k.wav"
    echo "$id $dir/audio/$id.wav" >> "$dir/list"
    echo "$id $dir/audio/$id.wav" >> "$dir/baseline.list"
    echo "$id $dir8/audio/$id.wav" >> "$dir8/list"
    echo "$id $dir8/audio/$id-up16k.wav" >> "$dir8/baseline.list"
    echo "$text ($id)" | normalise >> "$dir/ref.trn"
    printf '%s\t%s\t%s\n' "$id" "$service" "$place" >> "$work/calls.keywords"
  done
  cp "$dir/ref.trn" "$dir8/ref.trn"
}

# --- decoding
run_baseline() { # SET
  local dir="$work/$1"
  # pocketsphinx_continuous splits a file at pauses and prints one line per part.
  xargs -P "$jobs" -L 1 sh -c \
    'pocketsphinx_continuous -infile "$1" -logfn /dev/null 2>/dev/null | tr "\n" " " > "$0.baseline.txt"' \
    < <(awk -v d="$dir" '{ print d "/" $1, $2 }' "$dir/baseline.list")
  while read -r id _; do
    echo "$(cat "$dir/$id.baseline.txt") ($id)"
    rm -f "$dir/$id.baseline.txt"
  done < "$dir/baseline.list" | normalise > "$dir/baseline.trn"
}

run_ours() { # SET NAME [callscribe_eval options...]
  local dir="$work/$1" name="$2"
  shift 2
  "$eval_bin" "$@" "$dir/list" "$dir/$name.raw.trn" > "$dir/$name.timing"
  normalise < "$dir/$name.raw.trn" > "$dir/$name.trn"
}

# --- scoring
wer() { # SET NAME → "12.3"
  local dir="$work/$1"
  "$sclite" -r "$dir/ref.trn" trn -h "$dir/$2.trn" trn "$2" -i spu_id -o dtl -O "$dir" -n "$2" >/dev/null
  sed -n 's/^Percent Total Error *= *\([0-9.]*\)%.*/\1/p' "$dir/$2.dtl" | head -1
}

words() { # SET
  awk '{ n += NF - 1 } END { print n }' "$work/$1/ref.trn"
}

rtf() { # SET NAME
  awk '{ for (i = 1; i < NF; ++i) if ($i == "rtf") print $(i + 1) }' "$work/$1/$2.timing"
}

# Calls whose hypothesis holds the service and the place, as whole words: "s/p" of n.
keywords_found() { # SET NAME
  awk -F'\t' -v trn="$work/$1/$2.trn" '
    BEGIN { while ((getline line < trn) > 0) { id = line; sub(/.*\(/, "", id); sub(/\)$/, "", id);
                                               sub(/ *\([^(]*\)$/, "", line); hyp[id] = " " line " " } }
    { s = tolower($2); p = tolower($3); n++
      if (index(hyp[$1], " " s " ")) fs++
      if (index(hyp[$1], " " p " ")) fp++ }
    END { printf "%d/%d of %d", fs, fp, n }' "$work/calls.keywords"
}

echo "preparing audio in $work" >&2
prepare_librivox
prepare_calls
sets=(librivox-16k librivox-8k calls-16k calls-8k)
for s in "${sets[@]}"; do
  echo "decoding $s" >&2
  run_baseline "$s"
  run_ours "$s" ours
  run_ours "$s" ours-hints --hints "$hints"
done

echo
echo "| set | files | words | baseline WER | ours WER | ours WER, hints | service/place found (baseline · ours · hints) | ours RTF | RTF, hints |"
echo "|---|---:|---:|---:|---:|---:|---|---:|---:|"
for s in "${sets[@]}"; do
  files=$(wc -l < "$work/$s/list")
  found="—"
  case "$s" in calls-*)
    found="$(keywords_found "$s" baseline) · $(keywords_found "$s" ours) · $(keywords_found "$s" ours-hints)" ;;
  esac
  printf '| %s | %d | %d | %s%% | %s%% | %s%% | %s | %s | %s |\n' "$s" "$files" "$(words "$s")" \
    "$(wer "$s" baseline)" "$(wer "$s" ours)" "$(wer "$s" ours-hints)" "$found" \
    "$(rtf "$s" ours)" "$(rtf "$s" ours-hints)"
done
echo
echo "Reports (sclite .dtl, hypotheses .trn) are in $work/<set>/."

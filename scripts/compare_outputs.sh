#!/usr/bin/env bash
# Runs two tamlil binaries on one corpus and checks that every output is the same.
#
# usage: scripts/compare_outputs.sh BASE_BIN NEW_BIN CORPUS [JOBS...]
#        e.g. scripts/compare_outputs.sh /tmp/base/tamlil target/release/tamlil data-sample 1 2
#
# For each thread count (default: 1 and 2) it runs, with each binary in turn and in
# the same folders: `tamlil run --no-cache`, `tamlil run` with an empty cache, the
# same run again with the cache warm, `tamlil segment` and `tamlil code` (on the
# units of the first). Every output file must be byte-identical, except run.json,
# where only the start time, the stage timings and the binary's path may differ.
# Prints one line per comparison and exits non-zero on any difference.
set -uo pipefail
base=$(realpath "${1:?usage: compare_outputs.sh BASE_BIN NEW_BIN CORPUS [JOBS...]}")
new=$(realpath "${2:?missing NEW_BIN}")
corpus=$(realpath "${3:?missing CORPUS}")
shift 3
jobs=("$@")
[ ${#jobs[@]} -eq 0 ] && jobs=(1 2)
work=${TAMLIL_COMPARE_DIR:-$(mktemp -d /tmp/tamlil-compare.XXXXXX)}
mkdir -p "$work"
failed=0

# run.json without the fields that may differ between two runs of the same job.
normalise_run_json() {
  python3 - "$1" <<'PY'
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
d.pop("started_unix", None)
d.pop("seconds", None)
d.pop("document_thread_seconds", None)
if d.get("command"):
    d["command"] = d["command"][1:]
print(json.dumps(d, ensure_ascii=False, indent=1, sort_keys=True))
PY
}

# Compares folders or files $1 and $2 (from the base and the new binary).
compare() {
  local a=$1 b=$2 label=$3 bad=0
  if [ -d "$a" ]; then
    if ! diff <(cd "$a" && find . -type f | sort) <(cd "$b" && find . -type f | sort) > /dev/null; then
      echo "DIFF  $label: different file lists"
      diff <(cd "$a" && find . -type f | sort) <(cd "$b" && find . -type f | sort) | head -5
      bad=1
    fi
    while IFS= read -r f; do
      [ -f "$b/$f" ] || continue
      if [ "$(basename "$f")" = run.json ]; then
        if ! diff <(normalise_run_json "$a/$f") <(normalise_run_json "$b/$f") > /dev/null; then
          echo "DIFF  $label: $f (beyond start time and timings)"
          diff <(normalise_run_json "$a/$f") <(normalise_run_json "$b/$f") | head -10
          bad=1
        fi
      elif ! cmp -s "$a/$f" "$b/$f"; then
        echo "DIFF  $label: $f"
        bad=1
      fi
    done < <(cd "$a" && find . -type f | sort)
  elif ! cmp -s "$a" "$b"; then
    echo "DIFF  $label: $(basename "$a")"
    bad=1
  fi
  if [ $bad -eq 0 ]; then
    echo "same  $label ($(du -sh "$a" | cut -f1))"
  else
    failed=1
  fi
}

for j in "${jobs[@]}"; do
  for who in base new; do
    bin=$base
    [ $who = new ] && bin=$new
    # The same output and cache paths for both binaries, so run.json names the same folders.
    rm -rf "$work/out" "$work/cache" "$work/units.csv" "$work/codings.csv"
    "$bin" run --corpus "$corpus" --out "$work/out" --no-cache --jobs "$j" 2> /dev/null || { echo "FAIL  $who run --no-cache"; failed=1; }
    rm -rf "$work/$who-nocache"; mv "$work/out" "$work/$who-nocache"
    "$bin" run --corpus "$corpus" --out "$work/out" --cache "$work/cache" --jobs "$j" 2> /dev/null || { echo "FAIL  $who run, cache cold"; failed=1; }
    rm -rf "$work/$who-cold"; mv "$work/out" "$work/$who-cold"
    "$bin" run --corpus "$corpus" --out "$work/out" --cache "$work/cache" --jobs "$j" 2> /dev/null || { echo "FAIL  $who run, cache warm"; failed=1; }
    rm -rf "$work/$who-warm"; mv "$work/out" "$work/$who-warm"
    "$bin" segment --corpus "$corpus" --out "$work/units.csv" --jobs "$j" 2> /dev/null || { echo "FAIL  $who segment"; failed=1; }
    "$bin" code --units "$work/units.csv" --out "$work/codings.csv" --jobs "$j" 2> /dev/null || { echo "FAIL  $who code"; failed=1; }
    mv "$work/units.csv" "$work/$who-units.csv"
    mv "$work/codings.csv" "$work/$who-codings.csv"
  done
  compare "$work/base-nocache" "$work/new-nocache" "jobs $j: run --no-cache"
  compare "$work/base-cold" "$work/new-cold" "jobs $j: run, cache cold"
  compare "$work/base-warm" "$work/new-warm" "jobs $j: run, cache warm"
  compare "$work/base-units.csv" "$work/new-units.csv" "jobs $j: segment units.csv"
  compare "$work/base-codings.csv" "$work/new-codings.csv" "jobs $j: code codings.csv"
done
rm -rf "$work/cache"
if [ $failed -eq 0 ]; then
  echo "all outputs identical"
else
  echo "outputs differ (kept in $work)"
fi
exit $failed

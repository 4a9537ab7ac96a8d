#!/usr/bin/env bash
# Benchmarks tamlil on a large corpus built from data-sample/, next to two floors:
# reading the bytes (cat) and finding the codebook's terms (ripgrep).
#
# usage: scripts/bench.sh SIZE_MB [RUNS]      e.g. scripts/bench.sh 100 3
#        BENCH_WARMUP=0 scripts/bench.sh 200 1   (no warm-up run)
#
# Needs: ripgrep, hyperfine, GNU time (Debian: apt-get install ripgrep hyperfine time).
# Prints a Markdown table (median wall time of RUNS runs after one warm-up, the mean
# CPU time (user + system) of those runs, MB/s, units/s, peak resident memory, and
# the ratio of each tamlil row's wall time to the ripgrep floor's, timed in the same
# run) to paste into BENCHMARKS.md.
set -euo pipefail
size=${1:?usage: scripts/bench.sh SIZE_MB [RUNS]}
runs=${2:-3}
# Untimed warm-up runs before the timed ones (BENCH_WARMUP=0 at large sizes,
# where the corpus stays in the page cache anyway).
warmup=${BENCH_WARMUP:-1}
root=$(cd "$(dirname "$0")/.." && pwd)
work=${TAMLIL_BENCH_DIR:-/tmp/tamlil-bench}/$size
bin=$root/target/release/tamlil
mkdir -p "$work"

(cd "$root" && cargo build --release --quiet)
python3 "$root/scripts/make_corpus.py" --size "$size" --out "$work/corpus" >&2
python3 "$root/scripts/codebook_terms.py" "$root/codebooks/rights-realization.toml" > "$work/terms.txt"
bytes=$(find "$work/corpus/t" -type f -printf '%s\n' | awk '{s+=$1} END {print s}')
mb=$(awk -v b="$bytes" 'BEGIN {printf "%.1f", b / 1e6}')

# The manifest without its last interview, and a codebook that differs from the
# default in its name, made anew before each timed run (the cache keeps the codings
# of the previous codebook, so an edit it has seen would be served from it): the
# re-runs after an added interview or a codebook change.
edit="sed 's/^name = .*/name = \"edit-'\$(date +%s%N)'\"/' $root/codebooks/rights-realization.toml > $work/edited.toml"
# (the codebook's learned model is named relative to it, so it goes beside the copy)
cp "$root/codebooks/rights-realization.learned.tsv" "$work/"
# The interview added: a .txt transcript of the corpus with a line that makes it new
# to the cache each time, listed after the others.
head -n -1 "$work/corpus/manifest.csv" > "$work/corpus/manifest-minus-one.csv"
# (a copy of the first UTF-8 .txt transcript with no declared encoding).
txt_file=$(python3 - "$work/corpus" <<'PY'
import csv, os, sys
d = sys.argv[1]
rows = list(csv.DictReader(open(os.path.join(d, "manifest.csv"), encoding="utf-8")))
def utf8(r):
    try:
        open(os.path.join(d, r["file"]), encoding="utf-8").read()
        return True
    except UnicodeDecodeError:
        return False
src = next(r for r in rows if r["file"].endswith(".txt") and not r.get("encoding") and utf8(r))
with open(os.path.join(d, "manifest-added.csv"), "w", encoding="utf-8", newline="") as f:
    w = csv.DictWriter(f, fieldnames=list(rows[0].keys()), lineterminator="\n")
    w.writeheader()
    w.writerows(rows[:-1] + [dict(src, id="added", file="t/added.txt")])
print(src["file"])
PY
)
add="{ cat $work/corpus/$txt_file; echo \"ת: ועוד משהו \$(date +%s%N).\"; } > $work/corpus/t/added.txt"
run="$bin run --corpus $work/corpus --out $work/out --cache $work/cache"

# name | command run before each timed run (untimed; may be empty) | timed command
cases=(
  "floor: cat||find $work/corpus/t -type f -exec cat {} + > /dev/null"
  "floor: rg -c -F -f terms.txt||rg -c -F -f $work/terms.txt $work/corpus/t > /dev/null || true"
  "tamlil segment||$bin segment --corpus $work/corpus --out $work/units.csv"
  "tamlil code||$bin code --units $work/units.csv --out $work/codings.csv"
  "tamlil run (end to end, no cache)||$bin run --corpus $work/corpus --out $work/out --no-cache"
  "tamlil run, cache warm, nothing changed|$run|$run"
  "tamlil run after a codebook change|$run && $edit|$run --codebook $work/edited.toml"
  "tamlil run after adding one interview|$run --manifest $work/corpus/manifest-minus-one.csv && $add|$run --manifest $work/corpus/manifest-added.csv"
)

# One run to produce units.csv for `code`, and its unit count.
$bin segment --corpus "$work/corpus" --out "$work/units.csv" 2> /dev/null
units=$(python3 -c "import csv,sys; csv.field_size_limit(1<<30); print(sum(1 for _ in csv.DictReader(open(sys.argv[1], encoding='utf-8'))))" "$work/units.csv")
iunits=$(python3 -c "import csv,sys; csv.field_size_limit(1<<30); print(sum(1 for r in csv.DictReader(open(sys.argv[1], encoding='utf-8')) if r['role']=='interviewee'))" "$work/units.csv")

echo "Corpus: $mb MB in $(find "$work/corpus/t" -type f | wc -l) transcripts, $units units ($iunits interviewee); $(nproc) cores; $(date -u +%Y-%m-%d)"
echo
echo "| stage | median s | CPU s | MB/s | units/s | peak RSS MB | x floor (rg) |"
echo "|---|---:|---:|---:|---:|---:|---:|"
rg_median=""
for c in "${cases[@]}"; do
  name=${c%%|*}
  rest=${c#*|}
  prep=${rest%%|*}
  cmd=${rest#*|}
  if [ -n "$prep" ]; then
    hyperfine --style none --warmup "$warmup" --runs "$runs" --prepare "$prep" --export-json "$work/h.json" "$cmd" > /dev/null 2>&1
    bash -c "$prep" > /dev/null 2>&1
  else
    hyperfine --style none --warmup "$warmup" --runs "$runs" --export-json "$work/h.json" "$cmd" > /dev/null 2>&1
  fi
  median=$(python3 -c "import json; print(json.load(open('$work/h.json'))['results'][0]['median'])")
  cpu=$(python3 -c "import json; r = json.load(open('$work/h.json'))['results'][0]; print(r['user'] + r['system'])")
  rss=$(/usr/bin/time -f '%M' bash -c "$cmd" 2>&1 >/dev/null | tail -1)
  [ "$name" = "floor: rg -c -F -f terms.txt" ] && rg_median=$median
  python3 - "$name" "$median" "$bytes" "$units" "$rss" "${rg_median:-0}" "$cpu" <<'PY'
import sys
name, med, b, u, rss, rg, cpu = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6]), float(sys.argv[7])
mbs = b / 1e6 / med
ups = "" if name.startswith("floor") else f"{u / med:,.0f}"
ratio = f"{med / rg:.2f}" if rg > 0 and not name.startswith("floor") else ""
print(f"| {name} | {med:.3f} | {cpu:.3f} | {mbs:,.1f} | {ups} | {rss / 1024:.0f} | {ratio} |")
PY
done

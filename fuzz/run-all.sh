#!/usr/bin/env bash
# Runs every fuzz target in turn for SECONDS each (default 300), one process at a time.
set -u
cd "$(dirname "$0")/.."
secs=${1:-300}
shift || true
targets=${*:-"decode_text docx docx_xml segment codebook coder manifest"}
for t in $targets; do
    dict=()
    [ -f "fuzz/$t.dict" ] && dict=("-dict=fuzz/$t.dict")
    mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t"
    echo "== $t ${secs}s"
    RUSTC_BOOTSTRAP=1 cargo fuzz run -s none "$t" "fuzz/corpus/$t" -- \
        -max_total_time="$secs" -max_len=16384 -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 "${dict[@]}" > "fuzz/artifacts/$t.log" 2>&1
    grep -E -A2 "stat::number_of_executed_units|stat::average_exec_per_sec|^Done|SUMMARY|panicked at|crash-" "fuzz/artifacts/$t.log"
done

#!/usr/bin/env bash
# End-to-end scale benchmark (issue 6): on the same generated files, time
# (a) the bare parse, polars reading every input table with its types and
#     nothing else (benches/bare_parse.rs), and
# (b) `woonaudit run`, reports included,
# alternately, RUNS times each; print the medians, the ratio b/a, the peak
# memory of each and woonaudit's per-stage split (`run --timings`) of its
# median run.
#
#   benches/scale.sh [S|M|L] [csv|parquet] [RUNS]     (default: M csv 3)
#
# The data set is generated once into $WOONAUDIT_SCALE_DIR (default
# ~/.cache/woonaudit-scale/SIZE-FORMAT) and reused. L is 1,000,000 seekers,
# 200,000 adverts and 20,000,000 responses: about 1.4 GB of CSV, under a minute
# to generate, and under 4 GiB of memory to audit. woonaudit builds in the shared
# target dir (as .ci/run); the bare parse needs polars' CSV reader, which
# only the bench crate compiles, in its own target dir (the first build
# takes about 20 minutes).
set -euo pipefail
cd "$(dirname "$0")/.."

size=${1:-M}
format=${2:-csv}
runs=${3:-3}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/woonaudit-target}
bench_target=${WOONAUDIT_BENCH_TARGET_DIR:-$HOME/.cache/woonaudit-bench-target}
data=${WOONAUDIT_SCALE_DIR:-$HOME/.cache/woonaudit-scale}/$size-$format
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build --release --locked -q
CARGO_TARGET_DIR=$bench_target cargo build --release --locked -q \
    -p woonaudit-bench --bin bare-parse
woonaudit=$CARGO_TARGET_DIR/release/woonaudit
bare=$bench_target/release/bare-parse

if [ ! -f "$data/planted.csv" ]; then
    echo "generating $size ($format) into $data ..." >&2
    "$woonaudit" generate --size "$size" --format "$format" --out "$data"
fi

now() { date +%s.%N; }
minus() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a - b }'; }
for i in $(seq "$runs"); do
    t0=$(now)
    "$bare" "$data" >"$work/bare-$i.txt" 2>/dev/null
    t1=$(now)
    "$woonaudit" run --data "$data" --out "$work/out" --timings 2>"$work/run-$i.txt" >/dev/null
    t2=$(now)
    echo "$(minus "$t1" "$t0") $(awk '$1=="peak_kb"{print $2}' "$work/bare-$i.txt")" >>"$work/bare.times"
    echo "$(minus "$t2" "$t1") $(awk '/^peak memory/{print $3}' "$work/run-$i.txt") $i" >>"$work/run.times"
    echo "run $i: bare parse $(tail -1 "$work/bare.times" | cut -d' ' -f1) s, woonaudit $(tail -1 "$work/run.times" | cut -d' ' -f1) s" >&2
done

median() { sort -n | awk '{v[NR]=$0} END {print v[int((NR+1)/2)]}'; }
bare_med=$(cut -d' ' -f1 "$work/bare.times" | median)
run_line=$(sort -n "$work/run.times" | awk '{v[NR]=$0} END {print v[int((NR+1)/2)]}')
run_med=$(echo "$run_line" | cut -d' ' -f1)
run_peak=$(echo "$run_line" | cut -d' ' -f2)
run_idx=$(echo "$run_line" | cut -d' ' -f3)
bare_peak=$(cut -d' ' -f2 "$work/bare.times" | sort -n | tail -1)

echo "size $size, $format, $runs runs, $(nproc) cores"
printf 'bare parse (polars)   median %6.2f s   peak %6.0f MiB\n' "$bare_med" "$(awk -v k="$bare_peak" 'BEGIN { print k / 1024 }')"
printf 'woonaudit run         median %6.2f s   peak %6.0f MiB\n' "$run_med" "$run_peak"
printf 'ratio run / parse     %6.2f\n' "$(awk -v a="$run_med" -v b="$bare_med" 'BEGIN { print a / b }')"
echo "stages of the median run:"
sed -n '/^stage/,/^peak/p' "$work/run-$run_idx.txt"

#!/usr/bin/env bash
# End-to-end scale benchmark (issues 6 and 13): on the same generated files,
# time, alternately, RUNS times each,
# (a) the peer: DuckDB loading every input table into a typed table of an
#     in-memory database (`CREATE TABLE t AS SELECT * FROM read_csv(...)`,
#     or read_parquet), with as many threads as woonaudit uses
#     (benches/duckdb_load.py);
# (b) polars' bare parse, every table read with its types and nothing else
#     (benches/bare_parse.rs), when its build exists; and
# (c) `woonaudit run`, reports included;
# then print the medians, the ratios c/a and c/b, the peak memory of each
# and woonaudit's per-stage split (`run --timings`) of its median run.
#
#   benches/scale.sh [S|M|L|2L] [csv|parquet|typed] [RUNS]   (default: M csv 3)
#
# `parquet` is what `woonaudit generate --format parquet` writes: text
# columns. `typed` is the same size's CSV folder written again by DuckDB as
# Parquet with typed columns (dates, timestamps, integers, doubles,
# booleans), as a database export holds them (benches/typed_parquet.py);
# it needs the DuckDB peer.
#
# The data set is generated once into $WOONAUDIT_SCALE_DIR (default
# ~/.cache/woonaudit-scale/SIZE-FORMAT) and reused. L is 1,000,000 seekers,
# 200,000 adverts and 20,000,000 responses: about 1.4 GB of CSV, under a
# minute to generate; 2L doubles seekers, adverts and responses (40,000,000
# responses, 2.9 GB of CSV). Delete the folder when the generator has changed:
# the script reuses whatever it finds there.
#
# DuckDB is the Python package `duckdb`: used from $WOONAUDIT_DUCKDB_PYTHON,
# the system python3 or the venv ~/.cache/woonaudit-bench-venv, and installed
# into that venv with pip when missing. Without Python or network the peer
# is skipped (and the script says so).
#
# The polars parse needs polars' CSV reader, which only the bench crate
# compiles, in its own target dir; the first build takes about 20 minutes
# on 2 cores, so this script does not start it. Build it once with
#   CARGO_TARGET_DIR=~/.cache/woonaudit-bench-target \
#       cargo build --release -p woonaudit-bench --bin bare-parse
# and it is used from then on (kept up to date); WOONAUDIT_SKIP_POLARS=1
# skips it even when it is built.
set -euo pipefail
cd "$(dirname "$0")/.."

size=${1:-M}
format=${2:-csv}
runs=${3:-3}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HOME/.cache/woonaudit-target}
bench_target=${WOONAUDIT_BENCH_TARGET_DIR:-$HOME/.cache/woonaudit-bench-target}
venv=${WOONAUDIT_BENCH_VENV:-$HOME/.cache/woonaudit-bench-venv}
data=${WOONAUDIT_SCALE_DIR:-$HOME/.cache/woonaudit-scale}/$size-$format
threads=$(nproc)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cargo build --release --locked -q
woonaudit=$CARGO_TARGET_DIR/release/woonaudit

# The peer: a Python with duckdb importable, installing it if need be.
has_duckdb() { "$1" -c 'import duckdb' >/dev/null 2>&1; }
python=
for candidate in "${WOONAUDIT_DUCKDB_PYTHON:-}" python3 "$venv/bin/python"; do
    if [ -n "$candidate" ] && has_duckdb "$candidate"; then
        python=$candidate
        break
    fi
done
if [ -z "$python" ]; then
    echo "installing the duckdb Python package into $venv ..." >&2
    if { [ -x "$venv/bin/python" ] || python3 -m venv "$venv"; } >/dev/null 2>&1 &&
        "$venv/bin/python" -m pip install -q duckdb >&2 && has_duckdb "$venv/bin/python"; then
        python=$venv/bin/python
    else
        echo "DuckDB peer skipped: could not install the duckdb Python package" >&2
    fi
fi
duckdb_note=
if [ -n "$python" ]; then
    duckdb_note="DuckDB $("$python" -c 'import duckdb; print(duckdb.__version__)'), $threads threads"
fi

# The second column: polars' bare parse, only when it is built.
bare=$bench_target/release/bare-parse
if [ "${WOONAUDIT_SKIP_POLARS:-0}" = 1 ]; then
    echo "polars parse skipped: WOONAUDIT_SKIP_POLARS=1" >&2
    bare=
elif [ ! -x "$bare" ]; then
    echo "polars parse skipped: $bare is not built (see the head of this script; about 20 minutes)" >&2
    bare=
else
    CARGO_TARGET_DIR=$bench_target cargo build --release --locked -q \
        -p woonaudit-bench --bin bare-parse
fi

# Typed Parquet is made from the same size's CSV.
gen_format=$format
gen_data=$data
if [ "$format" = typed ]; then
    gen_format=csv
    gen_data=${WOONAUDIT_SCALE_DIR:-$HOME/.cache/woonaudit-scale}/$size-csv
fi
if [ ! -f "$gen_data/planted.csv" ]; then
    echo "generating $size ($gen_format) into $gen_data ..." >&2
    case $size in
    2L) gen_size=(--size L --applicants 2000000 --adverts 400000) ;;
    *) gen_size=(--size "$size") ;;
    esac
    "$woonaudit" generate "${gen_size[@]}" --format "$gen_format" --out "$gen_data"
fi
if [ ! -f "$data/planted.csv" ]; then
    if [ -z "$python" ]; then
        echo "typed Parquet needs DuckDB to write it, and the duckdb Python package is missing" >&2
        exit 1
    fi
    echo "writing $size as typed Parquet into $data ..." >&2
    "$python" benches/typed_parquet.py "$gen_data" "$data"
fi

# Read every file once first, so that no contender pays for the disk: the
# first run after other data went through the page cache was up to 50%
# slower for both woonaudit and DuckDB at L.
cat "$data"/* >/dev/null

# Whether findings.csv ($1) holds exactly the anomalies of planted.csv ($2),
# compared on the columns both have, as the test suite compares them.
planted_found() {
    local py=${python:-python3}
    if ! "$py" -c 'import csv' >/dev/null 2>&1; then
        echo "(findings not compared with planted.csv: no Python)" >&2
        return 0
    fi
    "$py" - "$1" "$2" <<'PY'
import csv, sys
cols = ["check", "subject_type", "subject_id", "applicant_id", "employee_id", "link", "severity"]
def keys(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = [tuple(r[c] for c in cols) for r in csv.DictReader(f)]
    return rows
found, planted = keys(sys.argv[1]), keys(sys.argv[2])
ok = len(found) == len(set(found)) and set(found) == set(planted)
print(f"findings {len(found)}, planted {len(planted)}, {'equal' if ok else 'DIFFERENT'}", file=sys.stderr)
sys.exit(0 if ok else 1)
PY
}

now() { date +%s.%N; }
minus() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a - b }'; }
for i in $(seq "$runs"); do
    line="run $i:"
    if [ -n "$python" ]; then
        # DuckDB's own clock around the loads: Python's start and the
        # import (about 0.3 s) are not the peer's work.
        "$python" benches/duckdb_load.py "$data" "$threads" >"$work/duckdb-$i.txt"
        awk '$1=="total"{t=$2} $1=="peak_kb"{k=$2} END {print t, k}' "$work/duckdb-$i.txt" >>"$work/duckdb.times"
        line="$line DuckDB load $(tail -1 "$work/duckdb.times" | cut -d' ' -f1) s,"
    fi
    if [ -n "$bare" ]; then
        t0=$(now)
        "$bare" "$data" >"$work/bare-$i.txt" 2>/dev/null
        t1=$(now)
        echo "$(minus "$t1" "$t0") $(awk '$1=="peak_kb"{print $2}' "$work/bare-$i.txt")" >>"$work/bare.times"
        line="$line polars parse $(tail -1 "$work/bare.times" | cut -d' ' -f1) s,"
    fi
    t0=$(now)
    "$woonaudit" run --data "$data" --out "$work/out" --timings 2>"$work/run-$i.txt" >/dev/null
    t1=$(now)
    echo "$(minus "$t1" "$t0") $(awk '/^peak memory/{print $3}' "$work/run-$i.txt") $i" >>"$work/run.times"
    echo "$line woonaudit $(tail -1 "$work/run.times" | cut -d' ' -f1) s" >&2
    # Fast is worth nothing if wrong: every run must find exactly what was
    # planted (check, subject, applicant, employee, link, severity).
    if ! planted_found "$work/out/findings.csv" "$data/planted.csv"; then
        echo "run $i: findings.csv does not match $data/planted.csv" >&2
        exit 1
    fi
done

median() { sort -n | awk '{v[NR]=$0} END {print v[int((NR+1)/2)]}'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
run_line=$(median <"$work/run.times")
run_med=$(echo "$run_line" | cut -d' ' -f1)
run_peak=$(echo "$run_line" | cut -d' ' -f2)
run_idx=$(echo "$run_line" | cut -d' ' -f3)

echo "size $size, $format, $runs runs, $threads cores; medians, wall-clock seconds"
printf 'woonaudit run          %7.2f s   peak %6.0f MiB\n' "$run_med" "$run_peak"
if [ -n "$python" ]; then
    duck_med=$(cut -d' ' -f1 "$work/duckdb.times" | median)
    duck_peak=$(cut -d' ' -f2 "$work/duckdb.times" | sort -n | tail -1)
    printf 'DuckDB load (peer)     %7.2f s   peak %6s MiB   (%s)\n' "$duck_med" "$(mib "$duck_peak")" "$duckdb_note"
else
    echo "DuckDB load (peer)     skipped (no duckdb Python package)"
fi
if [ -n "$bare" ]; then
    bare_med=$(cut -d' ' -f1 "$work/bare.times" | median)
    bare_peak=$(cut -d' ' -f2 "$work/bare.times" | sort -n | tail -1)
    printf 'polars bare parse      %7.2f s   peak %6s MiB\n' "$bare_med" "$(mib "$bare_peak")"
else
    echo "polars bare parse      skipped (not built, or WOONAUDIT_SKIP_POLARS=1)"
fi
[ -n "$python" ] && echo "ratio woonaudit / DuckDB load    $(ratio "$run_med" "$duck_med")"
[ -n "$bare" ] && echo "ratio woonaudit / polars parse  $(ratio "$run_med" "$bare_med")"
echo "stages of the median woonaudit run:"
sed -n '/^stage/,/^peak/p' "$work/run-$run_idx.txt"

"""The peer of benches/scale.sh: DuckDB loads every input table of a data
folder into a typed table of an in-memory database and does nothing else.

Usage: python duckdb_load.py DIR THREADS
Prints one line per table (name, rows, seconds), then `total SECONDS` and
`peak_kb KB` (the process's peak resident memory).
"""

import pathlib
import resource
import sys
import time

import duckdb

# The input tables of spec 1.2; the optional ones are loaded when present,
# as woonaudit reads them.
TABLES = [
    "applicants", "adverts", "responses", "allocations", "employees",
    "relations", "sales", "registration_changes", "priorities", "vacancies",
]

folder = pathlib.Path(sys.argv[1])
threads = int(sys.argv[2])
con = duckdb.connect(":memory:")
con.execute(f"SET threads = {threads}")
start = time.perf_counter()
for table in TABLES:
    t0 = time.perf_counter()
    csv = folder / f"{table}.csv"
    parquet = folder / f"{table}.parquet"
    if csv.exists():
        source = f"read_csv('{csv}', header = true)"
    elif parquet.exists():
        source = f"read_parquet('{parquet}')"
    else:
        continue
    con.execute(f"CREATE TABLE {table} AS SELECT * FROM {source}")
    rows = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    print(f"{table} {rows} {time.perf_counter() - t0:.3f}")
print(f"total {time.perf_counter() - start:.3f}")
print(f"peak_kb {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}")

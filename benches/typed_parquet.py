"""Typed Parquet for the scale benchmark: every table of a generated CSV
folder written again as Parquet whose columns carry the spec's types, as a
database export holds them (`woonaudit generate --format parquet` writes
text columns).

Usage: python typed_parquet.py CSV_DIR OUT_DIR

Dates are DATE, datetimes TIMESTAMP (microseconds), counts and lottery
numbers INTEGER, amounts and points DOUBLE, flags BOOLEAN; ids, names,
postcodes, phone numbers and everything else stay text (a phone number as
a number would lose its leading zero). planted.csv, planted_affected.csv
and woonaudit.toml are copied, so findings can be checked as for the CSV.
"""

import glob
import os
import shutil
import sys

import duckdb

DATES = set(
    "birth_date registration_date urgency_from urgency_to published_on closes_on "
    "withdrawn_on allocated_on contract_start employed_from employed_to valid_from "
    "valid_to granted_on sold_on appraised_on listed_on buyer_birth_date vacated_on "
    "declared_on".split()
)
DATETIMES = set("registered_at responded_at changed_at".split())
INTEGERS = set(
    "household_size units min_age max_age min_household max_household "
    "lottery_number position".split()
)
DOUBLES = set(
    "household_income min_income max_income rent price appraisal_value "
    "scheme_discount points".split()
)
BOOLEANS = set("local_ties current_tenant urgency_first local_first".split())


def sql_type(column):
    for names, kind in [
        (DATES, "DATE"),
        (DATETIMES, "TIMESTAMP"),
        (INTEGERS, "INTEGER"),
        (DOUBLES, "DOUBLE"),
        (BOOLEANS, "BOOLEAN"),
    ]:
        if column in names:
            return kind
    return None


def main(src, dst):
    os.makedirs(dst, exist_ok=True)
    con = duckdb.connect()
    for path in sorted(glob.glob(os.path.join(src, "*.csv"))):
        table = os.path.basename(path)[: -len(".csv")]
        if table.startswith("planted"):
            continue
        with open(path, encoding="utf-8") as f:
            columns = f.readline().strip().split(",")
        select = []
        for c in columns:
            kind = sql_type(c)
            select.append(f'CAST("{c}" AS {kind}) AS "{c}"' if kind else f'"{c}"')
        out = os.path.join(dst, table + ".parquet")
        con.execute(
            f"COPY (SELECT {', '.join(select)} FROM read_csv(?, all_varchar = true, header = true)) "
            f"TO '{out}' (FORMAT parquet)",
            [path],
        )
    for extra in ["woonaudit.toml", "planted.csv", "planted_affected.csv"]:
        if os.path.exists(os.path.join(src, extra)):
            shutil.copyfile(os.path.join(src, extra), os.path.join(dst, extra))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])

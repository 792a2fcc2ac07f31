"""The web-logs hourly rollup with pandas: the baseline of `npm run bench:weblogs`.

Same rows as the workbook's rollup: visits (pid null) and cart additions (pid set) by date, hour,
type, state, category and sub_cat, for the events whose state is a US state. pandas cannot read
Parquet on Debian 12 (neither pyarrow nor fastparquet is packaged), so it reads the same lake rows
as CSV, exported by DuckDB from the lake's Parquet files before the timing starts.
Usage: python3 weblogs_baseline.py DAY.csv STATES.txt OUT.csv
Prints one JSON line: seconds to read, seconds to roll up, rows.
"""
import json, sys, time

import pandas as pd

csv_path, states_path, out_path = sys.argv[1], sys.argv[2], sys.argv[3]
states = set(open(states_path, encoding="utf8").read().splitlines())

t0 = time.perf_counter()
df = pd.read_csv(csv_path, parse_dates=["date_time"], dtype={"state": "string", "category": "string", "sub_cat": "string", "type": "string"})
t1 = time.perf_counter()
df = df[df["state"].isin(states)]
df["date"] = df["date_time"].dt.strftime("%Y-%m-%d")
df["hour"] = df["date_time"].dt.hour
df["cart"] = df["pid"].notna()
df["visit"] = ~df["cart"]
out = (df.groupby(["date", "hour", "type", "state", "category", "sub_cat"], sort=True)
         .agg(visits=("visit", "sum"), cart_adds=("cart", "sum")).reset_index())
t2 = time.perf_counter()
out.to_csv(out_path, index=False)
print(json.dumps({"read_s": t1 - t0, "rollup_s": t2 - t1, "rows": len(out)}))

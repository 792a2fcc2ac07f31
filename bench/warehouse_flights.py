"""pandas side of `npm run bench:warehouse` (bench/warehouse.ts): the flights queries.

Usage: python3 warehouse_flights.py FLIGHTS.h5 AIRPORTS.csv RUNS
Reads the flights from HDF5 (converted from the Parquet file before timing) and the airports from
the CSV, then runs each query RUNS times. Prints one JSON line: the read time, and per query the
best time in seconds and the result as {"columns", "rows"}.
"""
import json
import sys
import time

import pandas as pd

path, airports_path, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])

t0 = time.perf_counter()
df = pd.read_hdf(path, "flights")
# keep_default_na=False: an airport in state "NA" is not a missing value.
airports = pd.read_csv(airports_path, keep_default_na=False, na_values=[""])
read_seconds = time.perf_counter() - t0


def by_origin(df):
    return df.groupby("origin").agg(flights=("delay", "size"), avg_delay=("delay", "mean")).reset_index().sort_values("origin")


def by_hour(df):
    hour = df["date"].dt.hour.rename("hour")
    return df.groupby(hour).agg(flights=("delay", "size"), avg_delay=("delay", "mean")).reset_index().sort_values("hour")


def delay_percentiles(df):
    q = df["delay"].quantile([0.5, 0.9, 0.99])
    return pd.DataFrame({"p50": [q[0.5]], "p90": [q[0.9]], "p99": [q[0.99]]})


def top_routes(df):
    g = df.groupby(["origin", "destination"]).agg(flights=("delay", "size"), avg_delay=("delay", "mean")).reset_index()
    return g.sort_values(["flights", "origin", "destination"], ascending=[False, True, True]).head(10)


def late_by_month(df):
    month = df["date"].dt.month.rename("month")
    return (df["delay"] > 15).groupby(month).agg(flights="size", late_share="mean").reset_index().sort_values("month")


def moving_avg_7d(df):
    day = df["date"].dt.normalize().rename("day")
    g = df.groupby(day).agg(flights=("delay", "size"), avg_delay=("delay", "mean")).reset_index().sort_values("day")
    g["avg_delay_7d"] = g["avg_delay"].rolling(7, min_periods=1).mean()
    g["day"] = g["day"].dt.strftime("%Y-%m-%d")
    return g


def worst_day(df):
    day = df["date"].dt.normalize().rename("day")
    d = df.groupby([df["origin"], day]).agg(flights=("delay", "size"), delay_minutes=("delay", "sum")).reset_index()
    d = d.sort_values(["origin", "delay_minutes", "day"], ascending=[True, False, True]).groupby("origin").head(1)
    d["day"] = d["day"].dt.strftime("%Y-%m-%d")
    return d[["origin", "day", "flights", "delay_minutes"]]


def above_airport_avg(df):
    excess = df["delay"] - df.groupby("origin")["delay"].transform("mean")
    g = df.loc[excess > 60].groupby("origin").size().rename("flights").reset_index()
    return g.sort_values(["flights", "origin"], ascending=[False, True]).head(10)


def join_airports(df):
    m = df.merge(airports[["iata", "state"]], left_on="origin", right_on="iata", how="inner")
    return m.groupby("state").agg(flights=("delay", "size"), avg_delay=("delay", "mean")).reset_index().sort_values("state")


def long_haul(df):
    g = df[df["distance"] >= 2000].groupby("destination").agg(flights=("delay", "size"), avg_delay=("delay", "mean")).reset_index()
    return g[g["flights"] >= 100].sort_values(["avg_delay", "destination"], ascending=[False, True]).head(10)


QUERIES = [by_origin, by_hour, delay_percentiles, top_routes, late_by_month, moving_avg_7d, worst_day, above_airport_avg, join_airports, long_haul]


def plain(v):
    return v.item() if hasattr(v, "item") else v


out = {"rows": len(df), "read": read_seconds, "queries": {}}
for q in QUERIES:
    times = []
    result = None
    for _ in range(runs):
        t = time.perf_counter()
        result = q(df)
        times.append(time.perf_counter() - t)
    out["queries"][q.__name__] = {
        "seconds": min(times),
        "result": {"columns": [str(c) for c in result.columns], "rows": [[plain(v) for v in row] for row in result.itertuples(index=False, name=None)]},
    }
print(json.dumps(out))

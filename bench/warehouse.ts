/**
 * Benchmark (`npm run bench:warehouse`): 1,000,000 generated web-log rows in a Parquet file, loaded
 * into the DuckDB warehouse (schema-checked, as a scenario would) and aggregated by state and
 * category; the same aggregation with pandas on the same rows, in the same run.
 *
 * pandas cannot read Parquet on Debian 12: neither python3-pyarrow nor python3-fastparquet is
 * packaged. The fairest baseline is then pandas reading the same rows from HDF5 (PyTables, a typed
 * binary columnar-ish format like Parquet), converted from the Parquet file before timing; pandas
 * reading the CSV written from the same Parquet is reported too.
 *
 * Two timings, each the best of 5 runs: END TO END is the wall time of a fresh process that
 * answers the question (node + the workbook + DuckDB: open, create the table, load the Parquet
 * file with schema checks, aggregate; python3 + import pandas: read, aggregate), as a learner
 * would run it. COMPUTE is measured inside each process from just before the read to the result
 * (no interpreter start, no `import pandas`, no loading of the DuckDB engine).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { openWarehouse } from "../lib/warehouse";
import { progress } from "../lib/progress";

const ROWS = 1_000_000;
/** Debian's interpreter, where python3-pandas and python3-tables install (a pyenv python3 on PATH lacks them). */
const PYTHON = fs.existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
/** Runs of each; the best (minimum) time counts, as the machine may be busy with other work. */
const RUNS = 5;

const AGGREGATE = `SELECT state, category, count(*) AS visits, count(pid) AS carts, sum(price) AS revenue, avg(price) AS avg_price
FROM web_logs GROUP BY state, category ORDER BY state, category`;

const PANDAS = String.raw`
import json, sys, time
import pandas as pd
kind, path = sys.argv[1], sys.argv[2]
t0 = time.perf_counter()
if kind == "hdf":
    df = pd.read_hdf(path, "web_logs")
else:
    df = pd.read_csv(path, dtype={"state": "string", "category": "string"}, parse_dates=["day"])
t1 = time.perf_counter()
g = df.groupby(["state", "category"]).agg(visits=("price", "size"), carts=("pid", "count"), revenue=("price", "sum"), avg_price=("price", "mean")).reset_index().sort_values(["state", "category"])
t2 = time.perf_counter()
print(json.dumps({"seconds": t2 - t0, "read": t1 - t0, "groups": len(g), "visits": int(g.visits.sum()), "carts": int(g.carts.sum()), "revenue": float(g.revenue.sum())}))
`;

const TO_HDF = String.raw`
import sys
import pandas as pd
df = pd.read_csv(sys.argv[1], dtype={"state": "string", "category": "string"}, parse_dates=["day"])
df["state"] = df["state"].astype(object)
df["category"] = df["category"].astype(object)
df.to_hdf(sys.argv[2], key="web_logs", mode="w", format="fixed")
`;

interface Summary {
  seconds: number;
  groups: number;
  visits: number;
  carts: number;
  revenue: number;
}

function best(xs: number[]): number {
  return Math.min(...xs);
}

async function generate(dir: string): Promise<{ parquet: string; csv: string }> {
  const parquet = path.join(dir, "web_logs.parquet");
  const csv = path.join(dir, "web_logs.csv");
  const wh = await openWarehouse({ memory: true });
  try {
    await wh.query("SELECT setseed(0.42)");
    await wh.query(`CREATE TABLE gen AS
      SELECT DATE '2021-03-01' + CAST(floor(random() * 30) AS INTEGER) AS day,
             'state_' || CAST(floor(random() * 50) AS INTEGER) AS state,
             ['products', 'sales', 'home', 'books', 'garden', 'toys'][1 + CAST(floor(random() * 6) AS INTEGER)] AS category,
             CASE WHEN random() < 0.3 THEN CAST(floor(random() * 5000) AS BIGINT) END AS pid,
             round(random() * 200, 2) AS price
      FROM range(${ROWS})`);
    await wh.query(`COPY gen TO '${parquet}' (FORMAT parquet)`);
    await wh.query(`COPY gen TO '${csv}' (FORMAT csv, HEADER)`);
  } finally {
    await wh.close();
  }
  return { parquet, csv };
}

async function duckdbRun(parquet: string): Promise<Summary> {
  const t0 = performance.now();
  const wh = await openWarehouse({ memory: true });
  try {
    await wh.createTable("web_logs", {
      columns: [
        { name: "day", type: "DATE", mode: "REQUIRED" },
        { name: "state", type: "STRING" },
        { name: "category", type: "STRING" },
        { name: "pid", type: "INT64" },
        { name: "price", type: "FLOAT64" },
      ],
      partitionBy: "day",
    });
    const load = await wh.loadFile("web_logs", parquet);
    if (load.rows !== ROWS) throw new Error(`loaded ${load.rows} rows, expected ${ROWS}`);
    const { rows } = await wh.query<{ visits: number; carts: number; revenue: number }>(AGGREGATE);
    const seconds = (performance.now() - t0) / 1000;
    return {
      seconds,
      groups: rows.length,
      visits: rows.reduce((a, r) => a + r.visits, 0),
      carts: rows.reduce((a, r) => a + r.carts, 0),
      revenue: rows.reduce((a, r) => a + r.revenue, 0),
    };
  } finally {
    await wh.close();
  }
}

interface Timed extends Summary {
  /** Wall time of the whole process, in seconds. */
  wall: number;
}

function timedProcess(command: string, args: string[]): Timed {
  const t0 = performance.now();
  const out = execFileSync(command, args, { encoding: "utf8" });
  const wall = (performance.now() - t0) / 1000;
  return { ...(JSON.parse(out.trim().split("\n").at(-1) ?? "{}") as Summary), wall };
}

function pandasRun(kind: "hdf" | "csv", file: string): Timed {
  return timedProcess(PYTHON, ["-c", PANDAS, kind, file]);
}

function duckdbProcess(parquet: string): Timed {
  return timedProcess(process.execPath, [__filename, "--duckdb-child", parquet]);
}

function sameResult(a: Summary, b: Summary, label: string): void {
  if (a.groups !== b.groups || a.visits !== b.visits || a.carts !== b.carts || Math.abs(a.revenue - b.revenue) > 1e-6 * Math.abs(a.revenue)) {
    throw new Error(`${label} disagrees with DuckDB: ${JSON.stringify(b)} vs ${JSON.stringify(a)}`);
  }
}

async function main(): Promise<void> {
  if (process.argv[2] === "--duckdb-child") {
    // A fresh process: the parent measures its wall time. Compute time starts after the engine is loaded.
    await import("@duckdb/node-api");
    console.log(JSON.stringify(await duckdbRun(process.argv[3])));
    return;
  }
  try {
    execFileSync(PYTHON, ["-c", "import pandas, tables"], { stdio: "ignore" });
  } catch {
    console.error("pandas or PyTables is missing: apt-get install -y python3-pandas python3-tables");
    process.exit(1);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-warehouse-"));
  try {
    const steps = progress({ total: 2 + 3 * RUNS, label: "bench:warehouse" });
    const { parquet, csv } = await generate(dir);
    steps.tick(1, "generated");
    const hdf = path.join(dir, "web_logs.h5");
    execFileSync(PYTHON, ["-c", TO_HDF, csv, hdf], { stdio: "inherit" });
    steps.tick(1, "converted for pandas");
    const mb = (f: string): string => (fs.statSync(f).size / 1e6).toFixed(1);
    console.log(`${ROWS} rows: Parquet ${mb(parquet)} MB, HDF5 ${mb(hdf)} MB, CSV ${mb(csv)} MB (same rows)`);

    const duck: Timed[] = [];
    const pdHdf: Timed[] = [];
    const pdCsv: Timed[] = [];
    for (let i = 0; i < RUNS; i++) {
      duck.push(duckdbProcess(parquet));
      steps.tick(1, `duckdb ${i + 1}`);
      pdHdf.push(pandasRun("hdf", hdf));
      steps.tick(1, `pandas hdf ${i + 1}`);
      pdCsv.push(pandasRun("csv", csv));
      steps.tick(1, `pandas csv ${i + 1}`);
    }
    steps.done();
    sameResult(duck[0], pdHdf[0], "pandas (HDF5)");
    sameResult(duck[0], pdCsv[0], "pandas (CSV)");
    const fmt = (xs: number[]): string => xs.map((x) => x.toFixed(3)).join(", ");
    console.log(`results agree: ${duck[0].groups} groups, ${duck[0].visits} visits, ${duck[0].carts} carts`);
    console.log("                                   end to end (process wall, s)   compute only (s)");
    console.log(`DuckDB  Parquet -> table -> GROUP BY  ${fmt(duck.map((s) => s.wall)).padEnd(30)} ${fmt(duck.map((s) => s.seconds))}`);
    console.log(`pandas  read_hdf -> groupby           ${fmt(pdHdf.map((s) => s.wall)).padEnd(30)} ${fmt(pdHdf.map((s) => s.seconds))}`);
    console.log(`pandas  read_csv -> groupby           ${fmt(pdCsv.map((s) => s.wall)).padEnd(30)} ${fmt(pdCsv.map((s) => s.seconds))}`);
    const m = (xs: Timed[], k: "wall" | "seconds"): number => best(xs.map((s) => s[k]));
    const line = (metric: string, d: number, b: number): string => `RESULT warehouse ${metric}=${d.toFixed(3)} s baseline=${b.toFixed(3)} ratio=${(b / d).toFixed(2)}`;
    console.log(line("duckdb_compute_vs_pandas_hdf5", m(duck, "seconds"), m(pdHdf, "seconds")));
    console.log(line("duckdb_end_to_end_vs_pandas_csv", m(duck, "wall"), m(pdCsv, "wall")));
    console.log(line("duckdb_end_to_end_vs_pandas_hdf5", m(duck, "wall"), m(pdHdf, "wall")));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});

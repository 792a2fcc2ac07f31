/**
 * Web-logs benchmark (npm run bench:weblogs [events] [--lake-only]): one day of web logs (default
 * 2,000,000 events); --lake-only measures part 1 alone (quicker, for profiling the writer).
 * 1. Topic -> lake: the lines are published to the embedded broker (a child process, as in a real
 *    deployment), then a fresh stream writer reads the topic and writes Parquet files per minute of
 *    event time into the lake; events/s from its start to the last batch committed (goal >= 100,000).
 * 2. The rollup of the day over those files with DuckDB (the DAG's SQL) against the same rollup with
 *    pandas (bench/weblogs_baseline.py) over the same rows; both results are checked equal.
 *    pandas reads CSV (Debian 12 packages no Parquet engine for it): its time is read + rollup,
 *    DuckDB's is read of the Parquet files + rollup. Goal: ratio (pandas / DuckDB) >= 3.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { startBroker } from "../lib/kafka";
import { openLake } from "../lib/lake";
import { sqlLiteral, withMemoryDuckDB } from "../lib/warehouse/local-duckdb";
import { generateWebLogs, type WebLogsTruth } from "../scenarios/web-logs/generate";
import { LOGS_DATASET, startLakeWriter } from "../scenarios/web-logs/lake-writer";
import { publishLogLines } from "../scenarios/web-logs/producer";
import { rollupLines, rollupSql, type RollupRow } from "../scenarios/web-logs/rollup";
import { STATE_NAMES } from "../scenarios/web-logs/states";

const EVENTS = Number(process.argv.slice(2).find((a) => !a.startsWith("--")) ?? 2_000_000);
const LAKE_ONLY = process.argv.includes("--lake-only");

function startBrokerChild(): { child: ChildProcess; brokers: Promise<string> } {
  const child = spawn(process.execPath, [__filename, "--broker"], { stdio: ["pipe", "pipe", "inherit"] });
  const brokers = new Promise<string>((resolve, reject) => {
    let text = "";
    child.stdout!.on("data", (d: Buffer) => {
      text += d.toString();
      if (text.includes("\n")) resolve(text.slice(0, text.indexOf("\n")));
    });
    child.once("exit", (code) => reject(new Error(`broker child exited with code ${code}`)));
  });
  return { child, brokers };
}

async function brokerChild(): Promise<void> {
  const broker = await startBroker({});
  process.stdout.write(`${broker.brokers}\n`);
  process.stdin.resume();
  await new Promise((resolve) => process.stdin.once("end", resolve));
  await broker.close();
}

/** CPU seconds (user + system) a process has used so far, from /proc (0 where there is none). */
function childCpuSeconds(pid: number | undefined): number {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/**
 * The day's lines as text and the generator's ledger, nothing else: a writer process does not hold
 * the producer's lines, and a heap full of line objects slowed every full garbage collection of the
 * writer (the bench empties `lines` once they are published).
 */
function generateDay(): { truth: WebLogsTruth; lines: string[] } {
  const logs = generateWebLogs({ start: "2021-03-26T00:00:00Z", hours: 24, eventsPerHour: Math.round(EVENTS / 24), lateShare: 0, seed: 1 });
  return { truth: logs.truth, lines: logs.lines.map((l) => l.line) };
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-weblogs-"));
  const b = startBrokerChild();
  try {
    const kafka = new Kafka({ brokers: [await b.brokers], logLevel: logLevel.NOTHING });
    const { truth, lines } = generateDay();
    console.log(`generated ${truth.lines} lines (${truth.malformed} malformed)`);
    let t = performance.now();
    await publishLogLines(kafka, "bench-web-logs", lines);
    lines.length = 0;
    console.log(`published in ${((performance.now() - t) / 1000).toFixed(1)} s`);

    const lake = await openLake({ root: path.join(dir, "lake") });
    let files = 0;
    const cpu0 = process.cpuUsage();
    const brokerCpu0 = childCpuSeconds(b.child.pid);
    t = performance.now();
    const writer = await startLakeWriter({ kafka, lake, topic: "bench-web-logs", checkpointDir: path.join(dir, "ck"), triggerMs: 1000, onFile: () => files++ });
    await writer.drain({ timeoutMs: 600_000 });
    const writeS = (performance.now() - t) / 1000;
    const stats = writer.stats();
    await writer.close();
    const cpu = process.cpuUsage(cpu0);
    const cpuS = (cpu.user + cpu.system) / 1e6;
    const brokerCpuS = childCpuSeconds(b.child.pid) - brokerCpu0;
    const eps = truth.lines / writeS;
    // On a shared machine the wall time says more about the neighbours than about the writer: the CPU
    // seconds it used (DuckDB's threads included) and the broker's are the figures that carry over.
    console.log(`CPU: writer ${cpuS.toFixed(1)} s (${Math.round(truth.lines / cpuS)} events per CPU second), broker ${brokerCpuS.toFixed(1)} s; load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores`);
    console.log(`topic -> lake: ${stats.ok} events + ${stats.rejected} dead letters in ${writeS.toFixed(1)} s, ${files} Parquet files: ${Math.round(eps)} events/s`);
    console.log(`RESULT weblogs_lake events_per_s=${Math.round(eps)} events/s`);
    if (LAKE_ONLY) return;

    // 2. The day's rollup.
    const glob = path.join(lake.localPath(LOGS_DATASET) as string, "dt=2021-03-26", "*", "*.parquet");
    const csv = path.join(dir, "day.csv");
    const statesFile = path.join(dir, "states.txt");
    fs.writeFileSync(statesFile, STATE_NAMES.join("\n") + "\n");
    await withMemoryDuckDB((run) => run(`COPY (SELECT strftime(date_time, '%Y-%m-%d %H:%M:%S') AS date_time, state, ip_address, category, sub_cat, type, pid FROM read_parquet(${sqlLiteral(glob)})) TO ${sqlLiteral(csv)} (HEADER, DELIMITER ',')`));
    const runs: number[] = [];
    let rows: RollupRow[] = [];
    for (let i = 0; i < 3; i++) {
      t = performance.now();
      rows = (await withMemoryDuckDB((run) => run(rollupSql(`read_parquet(${sqlLiteral(glob)}, hive_partitioning = false)`)))) as unknown as RollupRow[];
      runs.push((performance.now() - t) / 1000);
    }
    const duckS = Math.min(...runs);
    console.log(`DuckDB rollup of the day: ${rows.length} rows in ${duckS.toFixed(3)} s (best of ${runs.length}: ${runs.map((s) => s.toFixed(3)).join(", ")})`);

    const out = path.join(dir, "pandas.csv");
    const py = spawnSync("/usr/bin/python3", [path.join(__dirname, "..", "..", "bench", "weblogs_baseline.py"), csv, statesFile, out], { encoding: "utf8" });
    if (py.status !== 0) {
      console.log(`pandas baseline failed (apt-get install python3-pandas): ${py.stderr.trim().split("\n").pop()}`);
      console.log(`RESULT weblogs rollup_s=${duckS.toFixed(3)} s (no baseline: pandas is not installed)`);
      return;
    }
    const p = JSON.parse(py.stdout.trim().split("\n").pop() as string) as { read_s: number; rollup_s: number; rows: number };
    const pandasRows = fs.readFileSync(out, "utf8").trim().split("\n").slice(1).map((l) => {
      const [date, hour, type, state, category, sub_cat, visits, cart_adds] = l.split(",");
      return { date, hour: Number(hour), type, state, category, sub_cat, visits: Number(visits), cart_adds: Number(cart_adds) };
    });
    const same = JSON.stringify(rollupLines(pandasRows)) === JSON.stringify(rollupLines(rows));
    const pandasS = p.read_s + p.rollup_s;
    console.log(`pandas: read ${p.read_s.toFixed(3)} s + rollup ${p.rollup_s.toFixed(3)} s = ${pandasS.toFixed(3)} s, ${p.rows} rows; results ${same ? "equal" : "DIFFER"}`);
    if (!same) throw new Error("the pandas and DuckDB rollups differ");
    console.log(`RESULT weblogs rollup_s=${duckS.toFixed(3)} s baseline=${pandasS.toFixed(3)} ratio=${(pandasS / duckS).toFixed(2)}`);
  } finally {
    b.child.stdin!.end();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[2] === "--broker") {
  brokerChild().catch((err) => {
    console.error(err);
    process.exit(1);
  });
} else {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}

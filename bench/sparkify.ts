/**
 * Benchmark (`npm run bench:sparkify`): the Sparkify ETL (clean and validate the event logs as a job
 * on a local cluster of WORKBOOK_JOBS workers, read the songs as a job beside it, as the DAG does,
 * stage both in the warehouse,
 * build the star schema in SQL) over generated data in the original layout, against the same ETL
 * written with pandas (bench/sparkify_baseline.py, Debian's python3-pandas) on the same files, in the
 * same run. The workbook also writes the clean events as Parquet into the lake; pandas keeps
 * everything in memory. The warehouse is DuckDB in memory, like pandas' DataFrames.
 *
 * Sizes: SPARKIFY_BENCH_EVENTS (default "100000,1000000,3000000") with 10,000 songs and 1,000 users;
 * the ratio is taken at 1,000,000 events (or the largest size below it). pandas runs at sizes up to
 * SPARKIFY_BENCH_BASELINE_MAX (default 1,000,000). Each timing is one run (the ETL is minutes of work
 * at 3M); generation and writing the files are not timed.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createCluster, deleteCluster } from "../lib/jobs/cluster";
import { openLake } from "../lib/lake";
import { projectRoot } from "../lib/paths";
import { openWarehouse } from "../lib/warehouse";
import { generateSparkify, writeSparkify } from "../scenarios/sparkify/generate";
import { buildStarSchema, createTables } from "../scenarios/sparkify/star-schema";
import { cleanEvents, loadEvents, loadSongs } from "../scenarios/sparkify/steps";

const PYTHON = fs.existsSync("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
const NOVEMBER = { start: "2018-11-01T00:00:00.000Z", end: "2018-12-01T00:00:00.000Z" };
const SIZES = (process.env.SPARKIFY_BENCH_EVENTS ?? "100000,1000000,3000000").split(",").map(Number).filter((n) => n > 0);
const BASELINE_MAX = Number(process.env.SPARKIFY_BENCH_BASELINE_MAX ?? 1_000_000);

interface Counts {
  songplays: number;
  matched: number;
  users: number;
  songs: number;
  time: number;
}

async function workbookEtl(dir: string): Promise<{ seconds: number; counts: Counts; phases: Record<string, number> }> {
  const lake = await openLake({ root: path.join(dir, "lake") });
  const sources = { lake, songs: await openLake({ root: path.join(dir, "raw", "song_data") }), logs: await openLake({ root: path.join(dir, "raw", "log_data") }) };
  const wh = await openWarehouse({ memory: true });
  const phases: Record<string, number> = {};
  const started = performance.now();
  let mark = started;
  const lap = (name: string) => {
    const now = performance.now();
    phases[name] = (now - mark) / 1000;
    mark = now;
  };
  try {
    await createTables(wh);
    const cluster = await createCluster({ name: "bench-sparkify", runner: "local" });
    try {
      // As in the DAG (clean_events and stage_songs run side by side on the cluster).
      const [clean] = await Promise.all([cleanEvents(cluster, sources, wh, NOVEMBER), loadSongs(cluster, sources, wh)]);
      lap("clean+songs");
      await loadEvents(lake, wh, clean.parquet, NOVEMBER);
      lap("stage");
      const star = await buildStarSchema(wh, NOVEMBER);
      lap("star");
      const seconds = (performance.now() - started) / 1000;
      return { seconds, phases, counts: { songplays: star.songplays, matched: star.matchedSongplays, users: star.users, songs: star.songs, time: star.time } };
    } finally {
      await deleteCluster("bench-sparkify");
    }
  } finally {
    await wh.close();
    await lake.close();
  }
}

function pandasEtl(dir: string): { seconds: number; songplays: number; matched: number; users: number; songs: number; time: number } {
  const out = execFileSync(PYTHON, [path.join(projectRoot, "bench", "sparkify_baseline.py"), path.join(dir, "raw", "song_data"), path.join(dir, "raw", "log_data")], { encoding: "utf8", maxBuffer: 1 << 24 });
  return JSON.parse(out.trim().split("\n").pop() as string);
}

async function main(): Promise<void> {
  const results: { events: number; workbook: number; pandas?: number }[] = [];
  for (const events of SIZES) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-sparkify-"));
    try {
      process.stderr.write(`generating ${events.toLocaleString("en")} events and 10,000 songs...\n`);
      const data = generateSparkify({ seed: 1, events, songs: 10_000, users: 1_000, days: 30 });
      const raw = await openLake({ root: path.join(dir, "raw") });
      await writeSparkify(raw, data);
      await raw.close();
      const truth = data.truth;
      data.logs.length = 0; // free the generated lines before timing
      data.songs.length = 0;
      const wb = await workbookEtl(dir);
      if (wb.counts.songplays !== truth.songplays || wb.counts.matched !== truth.matchedSongplays) throw new Error(`workbook counts ${JSON.stringify(wb.counts)} differ from the generator's ${truth.songplays}/${truth.matchedSongplays}`);
      const phases = Object.entries(wb.phases).map(([k, v]) => `${k} ${v.toFixed(1)} s`).join(", ");
      console.log(`${events.toLocaleString("en")} events: workbook ${wb.seconds.toFixed(2)} s (${phases})`);
      const row: { events: number; workbook: number; pandas?: number } = { events, workbook: wb.seconds };
      if (events <= BASELINE_MAX) {
        const pd = pandasEtl(dir);
        if (pd.songplays !== wb.counts.songplays || pd.matched !== wb.counts.matched || pd.users !== wb.counts.users || pd.time !== wb.counts.time) {
          throw new Error(`pandas counts ${JSON.stringify(pd)} differ from the workbook's ${JSON.stringify(wb.counts)}`);
        }
        row.pandas = pd.seconds;
        console.log(`${events.toLocaleString("en")} events: pandas ${pd.seconds.toFixed(2)} s (same counts: ${pd.songplays} songplays, ${pd.matched} matched, ${pd.users} users)`);
      }
      results.push(row);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
  console.log("growth (workbook): " + results.map((r) => `${(r.events / 1e6).toFixed(1)}M ${r.workbook.toFixed(1)} s (${Math.round(r.events / r.workbook).toLocaleString("en")} events/s)`).join(", "));
  const at = [...results].filter((r) => r.pandas !== undefined).sort((a, b) => b.events - a.events)[0];
  if (!at || at.pandas === undefined) {
    console.log(`RESULT sparkify etl=${results[results.length - 1].workbook.toFixed(2)} s`);
    return;
  }
  console.log(`RESULT sparkify etl_${at.events >= 1e6 ? `${at.events / 1e6}m` : `${at.events / 1e3}k`}=${at.workbook.toFixed(2)} s baseline=${at.pandas.toFixed(2)} ratio=${(at.pandas / at.workbook).toFixed(2)}`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});

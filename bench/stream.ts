/**
 * Stream benchmark (npm run bench:stream [events]). As in a real deployment the broker, the
 * producer and the processor are separate processes: the embedded broker and the replay producer
 * run as child processes of this script (`--child broker`, `--child produce`), the processor here.
 * 1. Throughput (produce -> process -> upsert): a generated Netflix sample replayed into the
 *    broker while the processor (mode A, 1 s trigger, both queries: 30-day tumbling windows upserted
 *    into PostgreSQL (PGlite, or DATABASE_URL), 30-day sliding anomaly windows to a topic) runs;
 *    events/s from starting the producer to the last window committed.
 *    Baseline: the batch recomputation of the same data with DuckDB (ratio = stream / batch time).
 * 2. Processing only: a fresh processor reads the same, already produced topic from the start
 *    (read -> process -> upsert, no producer running): the processor's own capacity.
 * 3. Freshness: a steady stream at a fixed rate with a probe rating every 100 ms; the time from
 *    producing a probe to seeing it counted in the table, p50 and p99 (1 s trigger, mode A).
 * 4. State: the same micro-batches of the tumbling query aggregated by the engine's in-memory state
 *    and by DuckDB (batch appended, then merged into state tables with SQL): which is faster.
 * 5. Instances (needs DATABASE_URL: child processes share one PostgreSQL server): a 4-partition topic
 *    replayed by the producer child while Netflix processor instances (child processes) run: one
 *    process without a group (state in a checkpoint file), a group of 1 (state in the changelog
 *    topic: its overhead against the single process) and a group of 2 (events/s with 2 instances;
 *    baseline = the group of 1).
 * 6. The processor alone (engine, no Kafka) on 1 and 10 million generated ratings, each in a fresh
 *    process: events/s and peak RSS, and how both grow from 1 to 10 million.
 */
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { config } from "../lib/config";
import { startBroker } from "../lib/kafka";
import { openSql } from "../lib/sql";
import { StreamEngine, type InputRecord } from "../lib/stream";
import { seededRandom } from "../lib/random";
import { generateSample, writeSample } from "../scenarios/netflix/generate";
import { createMovieRatingsTable, startNetflixProcessor, netflixEngineOptions } from "../scenarios/netflix/pipeline";
import { startNetflixInstances } from "../scenarios/netflix/instances";
import { replayRatings } from "../scenarios/netflix/producer";
import { readTitles } from "../scenarios/netflix/titles";
import { batchRecompute } from "../scenarios/netflix/oracle";
import { ratingLine } from "../scenarios/netflix/ratings";
import { startChild as startChildOf } from "./child";

const EVENTS = Number(process.argv[2] ?? 600_000);
/** Messages per producer send. kafkajs groups a send's messages with a copy per message (quadratic), so
 * sends of about 1000 short messages (~25 KB, near Kafka's default batch.size of 16 KB) are fastest. */
const SEND_BATCH = 1000;

/** Runs this script as a child process in a role; resolves with its first stdout line. */
const startChild = (args: string[]) => startChildOf(__filename, args);

/** Child roles: the broker (until stdin closes) or the replay producer (prints its result). */
async function child(role: string, args: string[]): Promise<void> {
  if (role === "broker") {
    const broker = await startBroker({});
    process.stdout.write(`${JSON.stringify({ brokers: broker.brokers })}\n`);
    process.stdin.resume();
    await new Promise((resolve) => process.stdin.once("end", resolve));
    await broker.close();
  } else if (role === "produce") {
    const [brokers, source, topic] = args;
    const kafka = new Kafka({ brokers: [brokers], logLevel: logLevel.NOTHING });
    const result = await replayRatings({ kafka, source, topic, batchSize: SEND_BATCH });
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } else if (role === "engine") {
    process.stdout.write(`${JSON.stringify(engineAlone(Number(args[0])))}\n`);
  } else {
    throw new Error(`unknown child role ${role}`);
  }
}

/**
 * 6. The processor alone (the engine: parse, validate, both queries; no Kafka) on `n` generated
 * ratings in date order, in batches of 50,000, generated on the fly so only the engine's state stays
 * in memory: the catalogue of section 1 (2,000 movies, 100,000 users; Zipf popularity, volume growing
 * over 1999-2005). Peak memory is the process's peak RSS (process.resourceUsage().maxRSS).
 */
function engineAlone(n: number): { events: number; ms: number; eventsPerS: number; baseRssMb: number; peakRssMb: number; state: Record<string, number> } {
  const MOVIES = 2000;
  const USERS = 100_000;
  const random = seededRandom(7);
  const titles = new Map(Array.from({ length: MOVIES }, (_, i) => [i + 1, { movieId: i + 1, year: 2000, title: `Movie ${i + 1}` }]));
  const cumulative = (w: number[]) => {
    const out = new Float64Array(w.length);
    let acc = 0;
    w.forEach((x, i) => (out[i] = acc += x));
    for (let i = 0; i < out.length; i++) out[i] /= acc;
    return out;
  };
  const pick = (cum: Float64Array, r: number) => {
    let lo = 0;
    let hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cum[mid] < r) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const movieCum = cumulative(Array.from({ length: MOVIES }, (_, i) => 1 / (i + 1)));
  const userCum = cumulative(Array.from({ length: USERS }, (_, i) => 1 / Math.pow(i + 1, 0.8)));
  const from = Date.UTC(1999, 10, 11);
  const days = 2243;
  const weights = Array.from({ length: days }, (_, d) => (d + 30) * (d + 30));
  const total = weights.reduce((a, b) => a + b, 0);
  const engine = new StreamEngine(netflixEngineOptions({ titles, mode: "A" }));
  global.gc?.();
  const baseRss = process.memoryUsage().rss;
  let batch: InputRecord[] = [];
  const peakState: Record<string, number> = {};
  let offset = 0;
  let ms = 0;
  const run = () => {
    const t0 = performance.now();
    engine.process(batch);
    ms += performance.now() - t0;
    batch = [];
    for (const [q, held] of Object.entries(engine.stateSize())) peakState[q] = Math.max(peakState[q] ?? 0, held);
  };
  let made = 0;
  for (let d = 0; d < days; d++) {
    const date = new Date(from + d * 86_400_000).toISOString().slice(0, 10);
    const count = d === days - 1 ? n - made : Math.round((n * weights[d]) / total);
    for (let i = 0; i < count && made < n; i++, made++) {
      const line = `${date},${pick(movieCum, random()) + 1},${1000 + pick(userCum, random()) * 37},${1 + Math.floor(random() * 5)}`;
      batch.push({ partition: 0, offset: String(offset++), key: null, value: Buffer.from(line) });
      if (batch.length === 50_000) run();
    }
  }
  if (batch.length > 0) run();
  const t0 = performance.now();
  engine.flush();
  ms += performance.now() - t0;
  const stats = engine.getStats();
  if (stats.in !== n || stats.rejected !== 0) throw new Error(`engine read ${stats.in} of ${n} (${stats.rejected} rejected)`);
  return { events: n, ms, eventsPerS: n / (ms / 1000), baseRssMb: baseRss / 2 ** 20, peakRssMb: process.resourceUsage().maxRSS / 1024, state: peakState };
}

/** 5. Netflix instances (child processes) over a fresh 4-partition topic, the producer (child) in the loop. */
async function instancesRun(name: string, count: number, group: boolean, ctx: { kafka: Kafka; brokers: string; ratings: string; titles: string; dir: string; url: string }) {
  const topic = `bench-${name}`;
  const admin = ctx.kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 4 }], waitForLeaders: true });
  await admin.disconnect();
  const sql = await openSql({ url: ctx.url });
  await sql.exec(`DROP TABLE IF EXISTS bench_${name}`);
  await createMovieRatingsTable(sql, `bench_${name}`);
  const inst = await startNetflixInstances(count, {
    applicationId: group ? `bench-${name}-${Date.now()}` : undefined,
    topic,
    anomaliesTopic: `${topic}-anomalies`,
    table: `bench_${name}`,
    titles: ctx.titles,
    mode: "A",
    checkpointDir: path.join(ctx.dir, `ck-${name}`),
    brokers: [ctx.brokers],
    databaseUrl: ctx.url,
  });
  const began = performance.now();
  const producer = startChild(["produce", ctx.brokers, ctx.ratings, topic]);
  await producer.ready;
  await producer.exited;
  const stats = await inst.finish({ timeoutMs: 600_000 });
  const ms = performance.now() - began;
  const changelog = { commits: 0, bytes: 0, ms: 0 };
  const tasks: number[][] = [];
  for (const i of inst.instances) {
    const done = i.events.find((e) => e.event === "finished");
    const g = done && done.event === "finished" ? done.stats.group : undefined;
    if (g) {
      changelog.commits += g.changelog.commits;
      changelog.bytes += g.changelog.bytes;
      changelog.ms += g.changelog.ms;
      tasks.push(g.tasks);
    }
  }
  await inst.close();
  const { rows } = await sql.query<{ n: string }>(`SELECT sum(rating_count) AS n FROM bench_${name}`);
  await sql.exec(`DROP TABLE IF EXISTS bench_${name}`);
  await sql.close();
  if (stats.in !== EVENTS || Number(rows[0].n) !== stats.ok) throw new Error(`${name}: read ${stats.in} of ${EVENTS}, table counts ${rows[0].n} of ${stats.ok} valid`);
  return { ms, eventsPerS: EVENTS / (ms / 1000), changelog, tasks };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Sections 5 and 6; returns their RESULT lines (instances: undefined without DATABASE_URL). */
async function groupSections(ctx: { kafka: Kafka; brokers: string; ratings: string; titles: string; dir: string }): Promise<[string, string | undefined]> {
  // 5. Instances: one process without a group (state in a checkpoint file), then 1 and 2 group
  //    instances (state in the changelog topic), each a child process, producer and broker in the loop.
  const url = config().sql.kind === "postgres" ? config().sql.url : undefined;
  let instancesLine: string | undefined;
  if (url) {
    const withUrl = { ...ctx, url };
    const single = await instancesRun("single", 1, false, withUrl);
    const one = await instancesRun("group1", 1, true, withUrl);
    const two = await instancesRun("group2", 2, true, withUrl);
    console.log(`instances over a 4-partition topic (${EVENTS} events, PostgreSQL server): single process ${single.eventsPerS.toFixed(0)} events/s; group of 1 ${one.eventsPerS.toFixed(0)} events/s (${one.changelog.commits} changelog commits, ${(one.changelog.bytes / 2 ** 20).toFixed(1)} MiB, ${(one.changelog.ms / 1000).toFixed(2)} s writing them); group of 2 ${two.eventsPerS.toFixed(0)} events/s (tasks ${JSON.stringify(two.tasks)}, ${(two.changelog.bytes / 2 ** 20).toFixed(1)} MiB of changelog)`);
    // group_overhead: the single process against the group of 1 (repartition step + changelog);
    // changelog_share: the part of the group-of-1 run spent writing changelog commits.
    instancesLine = `RESULT stream_instances events_per_s_2=${two.eventsPerS.toFixed(0)} events/s baseline=${one.eventsPerS.toFixed(0)} ratio=${(two.eventsPerS / one.eventsPerS).toFixed(2)} single_process=${single.eventsPerS.toFixed(0)} group_overhead=${((single.eventsPerS / one.eventsPerS - 1) * 100).toFixed(0)}% changelog_share=${((one.changelog.ms / one.ms) * 100).toFixed(1)}% changelog_mib=${(one.changelog.bytes / 2 ** 20).toFixed(1)}`;
  } else {
    console.log("instances: skipped; child-process instances share a PostgreSQL server: set DATABASE_URL");
  }

  // 6. The processor alone on 1 and 10 million generated ratings, each in a fresh process.
  const scale: ReturnType<typeof engineAlone>[] = [];
  for (const n of [1_000_000, 10_000_000]) {
    const c = spawn(process.execPath, ["--expose-gc", "--max-old-space-size=16384", __filename, "--child", "engine", String(n)], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    c.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => c.once("exit", resolve));
    if (code !== 0) throw new Error(`engine child for ${n} ratings exited ${code}`);
    const r = JSON.parse(out.trim()) as ReturnType<typeof engineAlone>;
    scale.push(r);
    console.log(`processor alone, ${n} ratings: ${r.eventsPerS.toFixed(0)} events/s (${(r.ms / 1000).toFixed(1)} s), peak RSS ${r.peakRssMb.toFixed(0)} MiB (${r.baseRssMb.toFixed(0)} MiB before the first record), most state held (windows, or buckets for the sliding query) ${JSON.stringify(r.state)}`);
  }
  const [m1, m10] = scale;

  const engineLine = `RESULT stream_engine_10m events_per_s=${m10.eventsPerS.toFixed(0)} events/s baseline=${m1.eventsPerS.toFixed(0)} ratio=${(m10.eventsPerS / m1.eventsPerS).toFixed(2)} peak_rss_mb=${m10.peakRssMb.toFixed(0)} peak_rss_1m_mb=${m1.peakRssMb.toFixed(0)} memory_ratio=${(m10.peakRssMb / m1.peakRssMb).toFixed(2)}`;
  return [engineLine, instancesLine];
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-stream-"));
  const broker = startChild(["broker"]);
  const { brokers } = JSON.parse(await broker.ready) as { brokers: string };
  const kafka = new Kafka({ brokers: [brokers], logLevel: logLevel.NOTHING });
  const sql = await openSql(config().sql.kind === "postgres" ? {} : { memory: true });
  try {
    console.log(`generating ${EVENTS} ratings...`);
    const sample = generateSample({ seed: 3, movies: 2000, users: 100_000, ratings: EVENTS, bursts: 0 });
    const files = writeSample(dir, sample);
    const titles = readTitles(files.titles);
    if (process.env.BENCH_STREAM_ONLY === "group") {
      // Only sections 5 and 6 (npm run bench:stream with BENCH_STREAM_ONLY=group).
      for (const line of await groupSections({ kafka, brokers, ratings: files.ratings, titles: files.titles, dir })) if (line) console.log(line);
      return;
    }

    // 1. Throughput: producer (child process) -> broker (child process) -> processor -> PostgreSQL.
    const began = performance.now();
    const producerChild = startChild(["produce", brokers, files.ratings, "bench-ratings"]);
    const np = await startNetflixProcessor({ kafka, sql, titles, mode: "A", table: "bench_ratings", topic: "bench-ratings", anomaliesTopic: "bench-anomalies", checkpointDir: path.join(dir, "ck"), triggerMs: 1000 });
    const produced = JSON.parse(await producerChild.ready) as { sent: number; durationMs: number };
    await producerChild.exited;
    await np.processor.finish();
    const streamMs = performance.now() - began;
    const stats = np.processor.stats();
    await np.close();
    if (stats.in !== EVENTS) throw new Error(`processed ${stats.in} of ${EVENTS}`);
    const oracle = await batchRecompute(files.ratings, titles, {});
    console.log(`produced ${produced.sent} in ${(produced.durationMs / 1000).toFixed(2)} s (child process); processed in ${stats.batches} batches; stream ${(streamMs / 1000).toFixed(2)} s, batch ${(oracle.durationMs / 1000).toFixed(2)} s`);

    // 2. Processing only: a fresh processor over the topic produced above.
    const t0 = performance.now();
    const again = await startNetflixProcessor({ kafka, sql, titles, mode: "A", table: "bench_ratings_again", topic: "bench-ratings", anomaliesTopic: "bench-anomalies-again", checkpointDir: path.join(dir, "ck-again"), triggerMs: 1000 });
    await again.processor.finish();
    const processMs = performance.now() - t0;
    const againStats = again.processor.stats();
    await again.close();
    if (againStats.in !== EVENTS) throw new Error(`processed ${againStats.in} of ${EVENTS} in the processing-only run`);
    console.log(`processing only (topic already full): ${(processMs / 1000).toFixed(2)} s in ${againStats.batches} batches`);

    // 4. State of the tumbling query: engine (in-memory) versus DuckDB, same batches, same work.
    const lines = sample.ratings.map(ratingLine);
    const batches: Buffer[][] = [];
    for (let i = 0; i < lines.length; i += 50_000) batches.push(lines.slice(i, i + 50_000).map((l) => Buffer.from(l)));
    const engineRun = (queries: "tumbling" | "both"): number => {
      const options = netflixEngineOptions({ titles, mode: "A" });
      const engine = new StreamEngine(queries === "both" ? options : { ...options, queries: options.queries.slice(0, 1) });
      const began = performance.now();
      let off = 0;
      for (const b of batches) engine.process(b.map((value) => ({ partition: 0, offset: String(off++), key: null, value })));
      return performance.now() - began;
    };
    const memoryMs = engineRun("tumbling");
    const bothMs = engineRun("both");
    const { DuckDBInstance } = await import("@duckdb/node-api");
    const db = await DuckDBInstance.create(":memory:");
    const con = await db.connect();
    await con.run("CREATE TABLE batch (ws BIGINT, movie INTEGER, usr INTEGER, rate INTEGER)");
    await con.run("CREATE TABLE agg (ws BIGINT, movie INTEGER, n BIGINT, s BIGINT, PRIMARY KEY (ws, movie))");
    await con.run("CREATE TABLE raters (ws BIGINT, movie INTEGER, usr INTEGER, PRIMARY KEY (ws, movie, usr))");
    const t = performance.now();
    for (const b of batches) {
      const app = await con.createAppender("batch");
      for (const buf of b) {
        const [d, m, u, r] = buf.toString().split(",");
        const ms = Date.parse(`${d}T00:00:00Z`);
        app.appendBigInt(BigInt(Math.floor(ms / 2_592_000_000) * 2_592_000_000));
        app.appendInteger(Number(m));
        app.appendInteger(Number(u));
        app.appendInteger(Number(r));
        app.endRow();
      }
      app.closeSync();
      await con.run("INSERT INTO agg SELECT ws, movie, count(*), sum(rate) FROM batch GROUP BY ALL ON CONFLICT DO UPDATE SET n = n + EXCLUDED.n, s = s + EXCLUDED.s");
      await con.run("INSERT OR IGNORE INTO raters SELECT DISTINCT ws, movie, usr FROM batch");
      await con.runAndReadAll("SELECT a.ws, a.movie, a.n, a.s, (SELECT count(*) FROM raters r WHERE r.ws = a.ws AND r.movie = a.movie) FROM agg a WHERE (a.ws, a.movie) IN (SELECT DISTINCT ws, movie FROM batch)");
      await con.run("DELETE FROM batch");
    }
    const duckdbMs = performance.now() - t;
    con.closeSync();
    db.closeSync();
    console.log(`tumbling-query state for ${EVENTS} events in ${batches.length} batches: in-memory ${memoryMs.toFixed(0)} ms, DuckDB ${duckdbMs.toFixed(0)} ms; engine with both queries (tumbling + 30-day sliding) ${bothMs.toFixed(0)} ms`);

    // 3. Freshness
    const RATE = 20_000;
    const SECONDS = 10;
    const probeMovie = 1;
    const producer = kafka.producer();
    await producer.connect();
    const fresh = await startNetflixProcessor({ kafka, sql, titles, mode: "A", table: "bench_fresh", topic: "bench-fresh", anomaliesTopic: "bench-fresh-anomalies", checkpointDir: path.join(dir, "ck-fresh"), triggerMs: 1000 });
    const sentAt: number[] = [];
    const seenAt: number[] = [];
    let polling = true;
    const poller = (async () => {
      while (polling) {
        const { rows } = await sql.query<{ n: number | null }>("SELECT sum(rating_count) AS n FROM bench_fresh WHERE movie_id = $1", [probeMovie]);
        const n = Number(rows[0]?.n ?? 0);
        const now = performance.now();
        while (seenAt.length < Math.min(n, sentAt.length)) seenAt.push(now);
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    const start = performance.now();
    let user = 0;
    for (let tick = 0; tick < SECONDS * 10; tick++) {
      const date = new Date(Date.UTC(2004, 0, 1) + Math.floor(tick / 10) * 86_400_000).toISOString().slice(0, 10);
      const messages = Array.from({ length: RATE / 10 }, () => ({ key: date, value: `${date},${2 + (user % 1999)},${user++ % 90_000},4` }));
      messages.push({ key: date, value: `${date},${probeMovie},${1_000_000 + tick},5` });
      await producer.send({ topic: "bench-fresh", messages });
      sentAt.push(performance.now());
      const due = start + (tick + 1) * 100;
      if (due > performance.now()) await new Promise((r) => setTimeout(r, due - performance.now()));
    }
    const deadline = performance.now() + 15_000;
    while (seenAt.length < sentAt.length && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    polling = false;
    await poller;
    await fresh.close();
    await producer.disconnect();
    const latencies = seenAt.map((s, i) => s - sentAt[i]).sort((a, b) => a - b);
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    console.log(`freshness over ${latencies.length} probes at ${RATE} events/s: p50 ${p50.toFixed(0)} ms, p99 ${p99.toFixed(0)} ms (${sql.kind})`);

    const [engineLine, instancesLine] = await groupSections({ kafka, brokers, ratings: files.ratings, titles: files.titles, dir });

    const eps = EVENTS / (streamMs / 1000);
    console.log(`RESULT stream_state memory_ms=${memoryMs.toFixed(0)} ms baseline=${duckdbMs.toFixed(0)} ratio=${(memoryMs / duckdbMs).toFixed(3)}`);
    console.log(`RESULT stream_process_only events_per_s=${(EVENTS / (processMs / 1000)).toFixed(0)} events/s`);
    console.log(`RESULT stream_freshness p50=${p50.toFixed(0)} ms p99=${p99.toFixed(0)} ms`);
    console.log(engineLine);
    if (instancesLine) console.log(instancesLine);
    console.log(`RESULT stream_throughput events_per_s=${eps.toFixed(0)} events/s baseline=${(EVENTS / (oracle.durationMs / 1000)).toFixed(0)} ratio=${(streamMs / oracle.durationMs).toFixed(2)}`);
  } finally {
    await sql.close();
    broker.child.stdin!.end();
    await broker.exited;
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

(process.argv[2] === "--child" ? child(process.argv[3], process.argv.slice(4)) : main()).catch((err) => {
  console.error(err);
  process.exit(1);
});

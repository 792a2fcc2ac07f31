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
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { config } from "../lib/config";
import { startBroker } from "../lib/kafka";
import { openSql } from "../lib/sql";
import { StreamEngine } from "../lib/stream";
import { generateSample, writeSample } from "../scenarios/netflix/generate";
import { startNetflixProcessor, netflixEngineOptions } from "../scenarios/netflix/pipeline";
import { replayRatings } from "../scenarios/netflix/producer";
import { readTitles } from "../scenarios/netflix/titles";
import { batchRecompute } from "../scenarios/netflix/oracle";
import { ratingLine } from "../scenarios/netflix/ratings";

const EVENTS = Number(process.argv[2] ?? 600_000);
/** Messages per producer send. kafkajs groups a send's messages with a copy per message (quadratic), so
 * sends of about 1000 short messages (~25 KB, near Kafka's default batch.size of 16 KB) are fastest. */
const SEND_BATCH = 1000;

/** Runs this script as a child process in a role; resolves with its first stdout line (JSON). */
function startChild(args: string[]): { child: ChildProcess; ready: Promise<string>; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [__filename, "--child", ...args], { stdio: ["pipe", "pipe", "inherit"] });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const ready = new Promise<string>((resolve, reject) => {
    let text = "";
    child.stdout!.on("data", (d: Buffer) => {
      text += d.toString();
      if (text.includes("\n")) resolve(text.slice(0, text.indexOf("\n")));
    });
    void exited.then((code) => reject(new Error(`child ${args[0]} exited with code ${code} before answering`)));
  });
  return { child, ready, exited };
}

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
  } else {
    throw new Error(`unknown child role ${role}`);
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
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

    const eps = EVENTS / (streamMs / 1000);
    console.log(`RESULT stream_state memory_ms=${memoryMs.toFixed(0)} ms baseline=${duckdbMs.toFixed(0)} ratio=${(memoryMs / duckdbMs).toFixed(3)}`);
    console.log(`RESULT stream_process_only events_per_s=${(EVENTS / (processMs / 1000)).toFixed(0)} events/s`);
    console.log(`RESULT stream_freshness p50=${p50.toFixed(0)} ms p99=${p99.toFixed(0)} ms`);
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

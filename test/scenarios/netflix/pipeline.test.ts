import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { memorySink } from "../../../lib/stream/sinks/memory";
import { netflixEngineOptions, startNetflixProcessor, type NetflixMode } from "../../../scenarios/netflix/pipeline";
import { StreamEngine, type EngineSnapshot, type InputRecord } from "../../../lib/stream/engine";
import { readDeadLetters } from "../../../lib/stream/dead-letters";
import { allWindows, latestWindows, readAnomalies, reconcileCounts } from "../../../scenarios/netflix/consumers";
import { batchRecompute, compareWithOracle } from "../../../scenarios/netflix/oracle";
import { replayRatings } from "../../../scenarios/netflix/producer";
import { readTitles } from "../../../scenarios/netflix/titles";
import { generateSample, writeSample } from "../../../scenarios/netflix/generate";
import { RATING_HEADER, ratingLine } from "../../../scenarios/netflix/ratings";
import { projectRoot } from "../../../lib/paths";
import { defer, sqlTarget, tempDir, testBroker, testSql, uniqueName } from "../../lib/stream/helpers";
import type { TestContext } from "node:test";

const sample = path.join(projectRoot, "data", "netflix");
const rule = { windowDays: 7, minRatings: 20, minMean: 4 };

async function runScenario(t: TestContext, mode: NetflixMode, source: string, titlesFile: string) {
  const { kafka } = await testBroker(t);
  const table = uniqueName("movie_ratings");
  const sql = await testSql(t, [table]);
  const titles = readTitles(titlesFile);
  const topic = uniqueName("ratings");
  const anomaliesTopic = uniqueName("anomalies");
  const writes = memorySink();
  const replay = replayRatings({ kafka, source, topic, batchSize: 1000 });
  const np = await startNetflixProcessor({ kafka, sql, titles, mode, ...rule, table, topic, anomaliesTopic, checkpointDir: tempDir(t), triggerMs: 100, maxBatchRecords: 2000, extraSinks: { movie_ratings: [writes] } });
  defer(t, () => np.close());
  await replay;
  await np.processor.finish();
  const stream = { movieRatings: await allWindows(sql, table), anomalies: await readAnomalies(kafka, anomaliesTopic) };
  const oracle = await batchRecompute(source, titles, rule);
  return { kafka, sql, table, topic, stream, oracle, writes, stats: np.processor.stats() };
}

test(`mode A (updates): after the stream ends the ${sqlTarget().kind} table and the anomalies equal the batch recomputation in DuckDB`, { timeout: 180_000 }, async (t) => {
  const r = await runScenario(t, "A", path.join(sample, "ratings"), path.join(sample, "movie_titles.csv"));
  const cmp = compareWithOracle(r.stream, r.oracle);
  assert.deepEqual(cmp.differences, []);
  assert.ok(r.oracle.movieRatings.length > 1000 && r.oracle.anomalies.length > 10, "the comparison is not trivial");
  assert.ok(r.writes.writes.length > 3, "results arrived over several batches");
  const rewritten = r.writes.rows().length - new Set(r.writes.rows().map((w) => `${w.windowStart}|${w.key}`)).size;
  assert.ok(rewritten > 0, "update mode rewrites windows that change");
  assert.equal(r.stats.in, r.oracle.lines);
  // The sample's one late rating (2001, after the 2005 ones) is late in the stream and in the batch.
  assert.deepEqual(r.oracle.late, { movie_ratings: 1, anomalies: 1 });
  assert.deepEqual(r.stats.late, r.oracle.late);
  const latest = await latestWindows(r.sql, { table: r.table, limit: 3 });
  assert.equal(latest.length, 3);
  assert.ok(latest[0].window_start.getTime() >= latest[2].window_start.getTime());
});

test(`mode C (final results): the table equals the batch recomputation, and no window was written before the watermark passed its end, nor twice`, { timeout: 180_000 }, async (t) => {
  const r = await runScenario(t, "C", path.join(sample, "ratings"), path.join(sample, "movie_titles.csv"));
  assert.deepEqual(compareWithOracle(r.stream, r.oracle).differences, []);
  const keys = new Set<string>();
  for (const w of r.writes.writes) {
    for (const row of w.rows) {
      assert.ok(row.windowEnd <= w.watermark, `window ending ${new Date(row.windowEnd).toISOString()} written at watermark ${w.watermark}`);
      const key = `${row.windowStart}|${row.key}`;
      assert.ok(!keys.has(key), `${key} written twice`);
      keys.add(key);
    }
  }
  assert.equal(keys.size, r.oracle.movieRatings.length);
  assert.deepEqual(r.stats.late, { movie_ratings: 1, anomalies: 1 });
  assert.deepEqual(r.stats.late, r.oracle.late);
  assert.ok(r.writes.writes.filter((w) => w.rows.length > 0 && Number.isFinite(w.watermark)).length > 3, "windows became final during the stream, not only at the end");
});

test("the combined_data layout streams to the same result as its batch recomputation", { timeout: 180_000 }, async (t) => {
  const r = await runScenario(t, "C", path.join(sample, "combined_data_1.txt"), path.join(sample, "movie_titles.csv"));
  assert.deepEqual(compareWithOracle(r.stream, r.oracle).differences, []);
  assert.equal(r.stats.late.movie_ratings, 0);
});

test("bad input goes to the dead-letter topic with its reason, late events are counted and reported, and counts reconcile", { timeout: 180_000 }, async (t) => {
  const dir = tempDir(t);
  const s = generateSample({ seed: 5, movies: 5, users: 50, ratings: 300, bursts: 0, from: "2003-01-01", to: "2003-06-30" });
  const { titles: titlesFile } = writeSample(dir, s);
  const good = s.ratings.map((r) => `${r.date},${r.movieId},${r.userId},${r.rate}`);
  const bad = ["2003-02-30,1,7,3", "2003-03-01,1,7,4.5", "2003-03-01,1,7,9", "2003-03-01,77,7,3", "2003-03-01,1,7", "2003-03-01,1,7,3,1"];
  // After the last good rating (late June), one rating from January is beyond the 1-day watermark,
  // and one from the day before the last is out of order but within it.
  const lastDay = good[good.length - 1].slice(0, 10);
  const dayBefore = new Date(Date.parse(lastDay) - 86_400_000).toISOString().slice(0, 10);
  const lateLine = "2003-01-05,1,7,5";
  const withinLine = `${dayBefore},1,8,2`;
  const lines = [...good.slice(0, 100), ...bad, ...good.slice(100)];
  const file = path.join(dir, "input.csv");
  fs.writeFileSync(file, [RATING_HEADER, ...lines, lateLine, withinLine].join("\n") + "\n");
  fs.rmSync(path.join(dir, "ratings"), { recursive: true });

  const { kafka } = await testBroker(t);
  const table = uniqueName("movie_ratings");
  const sql = await testSql(t, [table]);
  const titles = readTitles(titlesFile);
  const topic = uniqueName("ratings");
  await replayRatings({ kafka, source: path.join(dir, "input.csv"), topic, batchSize: 500 });
  const np = await startNetflixProcessor({ kafka, sql, titles, mode: "A", ...rule, table, topic, anomaliesTopic: uniqueName("anomalies"), checkpointDir: tempDir(t), triggerMs: 50, maxBatchRecords: 200 });
  defer(t, () => np.close());
  await np.processor.finish();
  const stats = np.processor.stats();
  const dead = await readDeadLetters(kafka, `${topic}.dead-letter`);

  const rejected = dead.filter((d) => d.kind === "rejected");
  assert.deepEqual(rejected.map((d) => d.line), bad);
  const reasons = rejected.map((d) => d.reason);
  for (const pattern of [/^bad date/, /^non-integer rating/, /^rating 9 outside 1-5/, /^unknown movie 77/, /^wrong column count: .* got 3/, /^wrong column count: .* got 5/]) {
    assert.ok(reasons.some((x) => pattern.test(x)), `a reason matching ${pattern}`);
  }
  const late = dead.filter((d) => d.kind === "late");
  assert.deepEqual([...new Set(late.map((d) => d.line))], [lateLine]);
  assert.equal(stats.in, lines.length + 2);
  assert.equal(stats.in, stats.ok + stats.rejected);
  assert.equal(stats.rejected, bad.length);
  assert.equal(stats.late.movie_ratings, 1);
  assert.equal(stats.deadLetters, dead.length);
  // Each figure from its own place: the table's rating counts, the late and the rejected dead letters.
  const counts = await reconcileCounts(sql, table, stats.in, dead);
  assert.deepEqual(counts, { read: lines.length + 2, counted: lines.length + 2 - bad.length - 1, late: 1, rejected: bad.length, balanced: true });

  // The batch recomputation over the same input leaves out the same late rating, whatever the
  // micro-batches were; the in-watermark one counts.
  const oracle = await batchRecompute(file, titles, rule);
  assert.equal(oracle.lines - oracle.valid, bad.length);
  assert.deepEqual(oracle.late, stats.late);
  assert.deepEqual(compareWithOracle({ movieRatings: await allWindows(sql, table), anomalies: oracle.anomalies }, oracle).differences, []);
});

test("the Netflix engine's snapshot after one batch is the same before and after the next batch runs (what prepare-ahead relies on)", () => {
  const sample = generateSample({ seed: 31, movies: 300, ratings: 40_000, bursts: 6, from: "2005-06-01", to: "2005-08-31" });
  const titles = new Map(sample.titles.map((t) => [t.movieId, t]));
  const lines = sample.ratings.map(ratingLine);
  const input = (from: number, to: number): InputRecord[] => lines.slice(from, to).map((l, i) => ({ partition: 0, offset: String(from + i), key: null, value: Buffer.from(l) }));
  for (const mode of ["A", "C"] as const) {
    const options = netflixEngineOptions({ titles, mode, rule });
    const engine = new StreamEngine(options);
    engine.process(input(0, 20_000));
    const snapshot = engine.snapshot();
    const before = JSON.parse(JSON.stringify(snapshot)) as EngineSnapshot;
    engine.process(input(20_000, lines.length));
    // Every bucket of the sliding anomalies query (and every window of movie_ratings) compared one by one.
    const keyed = (s: EngineSnapshot) => new Map([...(s.buckets?.anomalies ?? []).map((b) => [`anomalies|${b[0]}|${b[1]}`, JSON.stringify(b[2])] as const), ...(s.queries.movie_ratings ?? []).map((e) => [`movie_ratings|${e[0]}|${e[2]}`, JSON.stringify(e[3])] as const)]);
    const was = keyed(before);
    const now = keyed(snapshot);
    const changed = [...was].filter(([k, v]) => now.get(k) !== v).map(([k]) => k);
    assert.ok(was.size > 1000, `a realistic state (${was.size} buckets and windows)`);
    assert.deepEqual(changed, [], `mode ${mode}: ${changed.length} of ${was.size} buckets and windows of the first batch's snapshot changed when the second batch ran`);
    // And it is the state of an engine that saw the first batch only (computed apart).
    const alone = new StreamEngine(options);
    alone.process(input(0, 20_000));
    assert.deepEqual(snapshot, alone.snapshot());
  }
});

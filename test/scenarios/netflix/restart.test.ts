import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { projectRoot } from "../../../lib/paths";
import { openSql } from "../../../lib/sql";
import { allWindows, readAnomalies } from "../../../scenarios/netflix/consumers";
import { generateSample, writeSample } from "../../../scenarios/netflix/generate";
import { anomalyLines, batchRecompute, compareWithOracle, movieRatingLines } from "../../../scenarios/netflix/oracle";
import { readTitles } from "../../../scenarios/netflix/titles";
import { replayRatings } from "../../../scenarios/netflix/producer";
import { defer, sqlTarget, tempDir, testBroker, uniqueName } from "../../lib/stream/helpers";
import { runBatchChild } from "../../helpers";

const child = path.join(projectRoot, "dist", "test", "scenarios", "netflix", "processor-child.js");
const sample = path.join(projectRoot, "data", "netflix");
const rule = { windowDays: 7, minRatings: 20, minMean: 4 };

test(`a processor killed with SIGKILL mid-stream and restarted ends with the same ${sqlTarget().kind} table and anomalies as an uninterrupted run`, { timeout: 300_000 }, async (t) => {
  const { broker, kafka } = await testBroker(t);
  const dir = tempDir(t, "netflix-restart-");
  const target = sqlTarget();
  const tables = [uniqueName("movie_ratings_ref"), uniqueName("movie_ratings_crash")];
  const sqlFor = (name: string) => (target.kind === "postgres" ? { url: target.url } : { dataDir: path.join(dir, `pg-${name}`) });
  if (target.kind === "postgres") {
    defer(t, async () => {
      const sql = await openSql({ url: target.url });
      for (const table of tables) await sql.exec(`DROP TABLE IF EXISTS ${table}`);
      await sql.close();
    });
  }
  const topic = uniqueName("ratings");
  await replayRatings({ kafka, source: path.join(sample, "ratings"), topic });
  const base = { brokers: [broker.brokers], topic, titles: path.join(sample, "movie_titles.csv"), mode: "A", windowDays: 7, minRatings: 20, minMean: 4, triggerMs: 20 };

  const reference = { ...base, anomaliesTopic: uniqueName("anomalies"), checkpointDir: path.join(dir, "ck-ref"), sql: sqlFor("ref"), table: tables[0] };
  const ref = await runBatchChild(child, reference, undefined, t);
  assert.ok(ref.done && ref.batches > 10, `the reference run completes in many batches (${ref.batches})`);

  const crashed = { ...base, anomaliesTopic: uniqueName("anomalies"), checkpointDir: path.join(dir, "ck-crash"), sql: sqlFor("crash"), table: tables[1] };
  // 1. Killed from outside at an arbitrary moment after a few batches.
  const first = await runBatchChild(child, crashed, 4, t);
  assert.equal(first.signal, "SIGKILL");
  assert.equal(first.done, false);
  // 2. Killed by itself after writing the table for batch (committed + 3) but before committing it.
  const second = await runBatchChild(child, { ...crashed, crashAfterSinksOfBatch: first.batches + 3 }, undefined, t);
  assert.equal(second.signal, "SIGKILL");
  // 3. Restarted: replays the uncommitted batch and finishes.
  const third = await runBatchChild(child, crashed, undefined, t);
  assert.ok(third.done);
  assert.ok(third.replayed >= 1, "the batch planned before the kill was replayed");

  const read = async (name: string, table: string, anomaliesTopic: string) => {
    const sql = await openSql(sqlFor(name));
    try {
      return { rows: movieRatingLines(await allWindows(sql, table)), anomalies: anomalyLines(await readAnomalies(kafka, anomaliesTopic)) };
    } finally {
      await sql.close();
    }
  };
  const expected = await read("ref", tables[0], reference.anomaliesTopic);
  const got = await read("crash", tables[1], crashed.anomaliesTopic);
  assert.ok(expected.rows.length > 1000);
  assert.deepEqual(got.rows, expected.rows);
  assert.deepEqual(got.anomalies, expected.anomalies);
});

/**
 * Prepare-ahead under crashes: the whole input waits in the topic, many batches' worth, so the
 * processor runs the next batch through the engine while the sinks write the current one. A
 * checkpoint that took any of the next batch's ratings into its state (mean() changes its state in
 * place) would count them twice after a restart: wrong means, anomalies missing or extra.
 */
test("modes A and C: a processor preparing batches ahead, killed with SIGKILL (once with a batch planned and the next prepared), ends with the table and the anomalies of the batch recomputation", { timeout: 240_000 }, async (t) => {
  const { broker, kafka } = await testBroker(t);
  const dir = tempDir(t, "netflix-ahead-");
  const files = writeSample(path.join(dir, "sample"), generateSample({ seed: 3131, movies: 300, users: 3000, ratings: 30_000, bursts: 8, from: "2005-01-01", to: "2005-06-30" }));
  const target = sqlTarget();
  const sqlArgs = target.kind === "postgres" ? { url: target.url } : { dataDir: path.join(dir, "pg") };
  const tables = { A: uniqueName("movie_ratings_ahead_a"), C: uniqueName("movie_ratings_ahead_c") };
  if (target.kind === "postgres") {
    defer(t, async () => {
      const sql = await openSql({ url: target.url });
      for (const table of Object.values(tables)) await sql.exec(`DROP TABLE IF EXISTS ${table}`);
      await sql.close();
    });
  }
  const topic = uniqueName("ratings");
  const { sent } = await replayRatings({ kafka, source: files.ratings, topic });
  const maxBatchRecords = 1500;
  assert.ok(sent > 10 * maxBatchRecords, `a backlog of many batches (${sent} ratings)`);
  const oracle = await batchRecompute(files.ratings, readTitles(files.titles), rule);
  assert.ok(oracle.anomalies.length >= 50 && oracle.movieRatings.length >= 500, `a sizeable result (${oracle.movieRatings.length} windows, ${oracle.anomalies.length} anomalies)`);

  for (const mode of ["A", "C"] as const) {
    const checkpointDir = path.join(dir, `ck-${mode}`);
    const args = { brokers: [broker.brokers], topic, titles: files.titles, mode, ...rule, triggerMs: 20, maxBatchRecords, anomaliesTopic: uniqueName("anomalies"), checkpointDir, sql: sqlArgs, table: tables[mode] };
    const planned = () => fs.existsSync(path.join(checkpointDir, "pending.json"));
    const committedBatch = () => (JSON.parse(fs.readFileSync(path.join(checkpointDir, "state.json"), "utf8")) as { state: { batchId: number } }).state.batchId;

    // 1. Killed from outside after two batches.
    const first = await runBatchChild(child, args, 2, t);
    const kills = [{ signal: first.signal, planned: planned() }];
    // 2. Killed by itself after the sinks of a batch wrote, before its commit: that batch is planned,
    //    and the batch before it was committed while this one had already run through the engine.
    const second = await runBatchChild(child, { ...args, crashAfterSinksOfBatch: committedBatch() + 3 }, undefined, t);
    kills.push({ signal: second.signal, planned: planned() });
    assert.equal(second.reports.at(-1)?.nextPrepared, true, `mode ${mode}: the last commit before the kill was made with the next batch prepared`);
    // 3. A run that replays the planned batch and finishes the input.
    const last = await runBatchChild(child, args, undefined, t);
    assert.ok(last.done, `mode ${mode}: the last run finishes the input`);
    assert.equal(last.reports[0]?.replayed, true, `mode ${mode}: it begins with the planned batch`);
    assert.deepEqual(kills.map((k) => k.signal), ["SIGKILL", "SIGKILL"]);
    assert.ok(kills.filter((k) => k.planned).length >= 1, `mode ${mode}: a kill while a batch was planned (${JSON.stringify(kills)})`);
    assert.ok([first, second, last].flatMap((r) => r.reports).filter((r) => r.nextPrepared === true).length >= 3, `mode ${mode}: batches were prepared ahead`);

    const sql = await openSql(sqlArgs);
    try {
      const stream = { movieRatings: await allWindows(sql, tables[mode]), anomalies: await readAnomalies(kafka, args.anomaliesTopic) };
      assert.deepEqual(compareWithOracle(stream, oracle).differences, [], `mode ${mode}: the stream equals the batch recomputation`);
    } finally {
      await sql.close();
    }
  }
});

import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { projectRoot } from "../../../lib/paths";
import { openSql } from "../../../lib/sql";
import { allWindows, readAnomalies } from "../../../scenarios/netflix/consumers";
import { anomalyLines, movieRatingLines } from "../../../scenarios/netflix/oracle";
import { replayRatings } from "../../../scenarios/netflix/producer";
import { defer, sqlTarget, tempDir, testBroker, uniqueName } from "../../lib/stream/helpers";
import { runBatchChild } from "../../helpers";

const child = path.join(projectRoot, "dist", "test", "scenarios", "netflix", "processor-child.js");
const sample = path.join(projectRoot, "data", "netflix");

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
  const ref = await runBatchChild(child, reference);
  assert.ok(ref.done && ref.batches > 10, `the reference run completes in many batches (${ref.batches})`);

  const crashed = { ...base, anomaliesTopic: uniqueName("anomalies"), checkpointDir: path.join(dir, "ck-crash"), sql: sqlFor("crash"), table: tables[1] };
  // 1. Killed from outside at an arbitrary moment after a few batches.
  const first = await runBatchChild(child, crashed, 4);
  assert.equal(first.signal, "SIGKILL");
  assert.equal(first.done, false);
  // 2. Killed by itself after writing the table for batch (committed + 3) but before committing it.
  const second = await runBatchChild(child, { ...crashed, crashAfterSinksOfBatch: first.batches + 3 });
  assert.equal(second.signal, "SIGKILL");
  // 3. Restarted: replays the uncommitted batch and finishes.
  const third = await runBatchChild(child, crashed);
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

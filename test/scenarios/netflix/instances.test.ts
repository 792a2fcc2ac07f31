import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { projectRoot } from "../../../lib/paths";
import { openSql } from "../../../lib/sql";
import { allWindows, readAnomalies } from "../../../scenarios/netflix/consumers";
import { batchRecompute, compareWithOracle } from "../../../scenarios/netflix/oracle";
import { replayRatings } from "../../../scenarios/netflix/producer";
import { createMovieRatingsTable } from "../../../scenarios/netflix/pipeline";
import { readTitles } from "../../../scenarios/netflix/titles";
import { startNetflixInstances } from "../../../scenarios/netflix/instances";
import { defer, sleep, sqlTarget, tempDir, testBroker, uniqueName } from "../../lib/stream/helpers";

const sample = path.join(projectRoot, "data", "netflix");

async function until(what: string, ok: () => boolean, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

test("two Netflix instances (child processes, one consumer group): SIGKILL one mid-stream, the survivor takes its partitions, and the PostgreSQL table and anomalies equal the DuckDB batch", { timeout: 300_000 }, async (t) => {
  const target = sqlTarget();
  if (target.kind !== "postgres") {
    t.skip("needs a PostgreSQL server both instances can reach (DATABASE_URL); PGlite cannot be shared between processes");
    return;
  }
  const { broker, kafka } = await testBroker(t, { partitions: 4 });
  const dir = tempDir(t, "netflix-instances-");
  const table = uniqueName("movie_ratings_group");
  defer(t, async () => {
    const sql = await openSql({ url: target.url });
    await sql.exec(`DROP TABLE IF EXISTS ${table}`);
    await sql.close();
  });
  const topic = uniqueName("ratings");
  const anomaliesTopic = uniqueName("anomalies");
  const rule = { windowDays: 7, minRatings: 20, minMean: 4 };
  const setup = await openSql({ url: target.url });
  await createMovieRatingsTable(setup, table); // once, before the instances (each also creates it if missing)
  await setup.close();
  const group = await startNetflixInstances(2, {
    applicationId: uniqueName("netflix-app"),
    topic,
    anomaliesTopic,
    table,
    titles: path.join(sample, "movie_titles.csv"),
    mode: "A",
    ...rule,
    checkpointDir: path.join(dir, "ck"),
    brokers: [broker.brokers],
    databaseUrl: target.url,
    sessionTimeoutMs: 6000,
  });
  defer(t, async () => {
    for (const i of group.instances) i.child.kill("SIGKILL");
    await Promise.all(group.instances.map((i) => i.exited));
  });
  const [a, b] = group.instances;
  // The producer replays the sample about 2500 days at 400 days a second while both instances run.
  const replay = replayRatings({ kafka, source: path.join(sample, "ratings"), topic, speed: 400 });
  await until("both instances own tasks and committed batches", () => a.tasks().length > 0 && b.tasks().length > 0 && a.batches() > 2 && b.batches() > 2);
  assert.equal(a.tasks().length + b.tasks().length, 4, "the 4 tasks are split between the two instances");
  const aTasks = a.tasks();

  a.child.kill("SIGKILL");
  assert.equal((await a.exited).signal, "SIGKILL");
  const replayed = await replay;
  assert.ok(replayed.sent > 10_000);
  await until("the survivor owns every task", () => b.tasks().length === 4);
  const stats = await group.finish({ timeoutMs: 240_000 });
  await group.close();
  assert.deepEqual(aTasks.filter((p) => !b.tasks().includes(p)), [], "the killed instance's tasks moved to the survivor");

  const sql = await openSql({ url: target.url });
  try {
    const oracle = await batchRecompute(path.join(sample, "ratings"), readTitles(path.join(sample, "movie_titles.csv")), rule);
    const cmp = compareWithOracle({ movieRatings: await allWindows(sql, table), anomalies: await readAnomalies(kafka, anomaliesTopic) }, oracle);
    assert.deepEqual(cmp.differences, []);
    // Nothing became late through the takeover: only the sample's one late rating, as in the batch.
    assert.deepEqual(stats.late, { movie_ratings: 1, anomalies: 1 });
    assert.deepEqual(stats.late, oracle.late);
    // The counts reconcile although a was killed: read = valid + rejected, as in the batch, summed
    // over the instances (the survivor carries on from the counts committed with the offsets).
    assert.deepEqual({ in: stats.in, ok: stats.ok, rejected: stats.rejected }, { in: oracle.lines, ok: oracle.valid, rejected: oracle.lines - oracle.valid });
    assert.ok(oracle.movieRatings.length > 1000 && oracle.anomalies.length > 10, "the comparison is not trivial");
  } finally {
    await sql.close();
  }
});

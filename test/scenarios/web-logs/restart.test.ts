import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { projectRoot } from "../../../lib/paths";
import { readDeadLetters } from "../../../lib/stream";
import { withMemoryDuckDB, sqlLiteral } from "../../../lib/warehouse/local-duckdb";
import { generateWebLogs } from "../../../scenarios/web-logs/generate";
import { LOGS_DATASET, removeStaleStaging } from "../../../scenarios/web-logs/lake-writer";
import { openLake } from "../../../lib/lake";
import { spawnSync } from "node:child_process";
import { publishLogLines } from "../../../scenarios/web-logs/producer";
import { tempDir, testBroker } from "./helpers";
import { uniqueName } from "../../lib/stream/helpers";
import { runBatchChild } from "../../helpers";

const child = path.join(projectRoot, "dist", "test", "scenarios", "web-logs", "writer-child.js");

test("a stream writer killed with SIGKILL mid-stream and restarted leaves each event in the lake exactly once", { timeout: 240_000 }, async (t) => {
  const { broker, kafka } = await testBroker(t);
  const dir = tempDir(t, "weblogs-restart-");
  const logs = generateWebLogs({ hours: 2, eventsPerHour: 1500, seed: 11 });
  const topic = uniqueName("web-logs");
  await publishLogLines(kafka, topic, logs.lines.map((l) => l.line));
  const args = { brokers: broker.brokers, topic, lakeRoot: path.join(dir, "lake"), checkpointDir: path.join(dir, "ck"), maxBatchRecords: 250 };

  // 1. Killed from outside after a few batches.
  const first = await runBatchChild(child, args, 3, t);
  assert.equal(first.signal, "SIGKILL");
  assert.equal(first.done, false);
  const lakeRoot = path.join(dir, "lake");
  const staging = () => fs.readdirSync(lakeRoot).filter((n) => n.startsWith(".weblogs-tmp-"));
  const stagingPids = () => staging().map((n) => Number(/^\.weblogs-tmp-(\d+)-/.exec(n)?.[1]));
  assert.deepEqual(stagingPids(), [first.pid], "the killed writer left its staging folder");
  // 2. Killed by itself after writing the lake files of batch (committed + 2), before committing it.
  const second = await runBatchChild(child, { ...args, crashAfterFilesOfBatch: first.batches + 2 }, undefined, t);
  assert.equal(second.signal, "SIGKILL");
  // The killed writer left its staging folder (a batch's CSV and Parquet files) at the lake's root;
  // the one before it, killed too, had left one that this writer removed when it started.
  assert.deepEqual(stagingPids(), [second.pid], "the last killed writer's staging folder, and no other");
  // 3. Restarted: removes them, replays the uncommitted batch (same offsets, same file names) and finishes.
  const third = await runBatchChild(child, args, undefined, t);
  assert.ok(third.done, "the third run drains the topic");
  assert.ok(third.replayed >= 1, "the batch planned before the kill was replayed");
  assert.ok([first, second, third].flatMap((r) => r.reports).some((r) => r.nextPrepared === true), "with the backlog, batches were prepared ahead");

  const glob = path.join(dir, "lake", LOGS_DATASET, "*", "*", "*.parquet");
  const [stats] = await withMemoryDuckDB((run) => run(`SELECT count(*)::INTEGER AS n, count(DISTINCT kafka_offset)::INTEGER AS offsets FROM read_parquet(${sqlLiteral(glob)})`));
  assert.equal(stats.n, logs.truth.valid, "every valid event is in the lake");
  assert.equal(stats.offsets, stats.n, "and none twice");
  const expected = logs.lines.map((l, offset) => ({ l, offset })).filter(({ l }) => l.kind !== "malformed").map(({ offset }) => offset);
  const offsets = await withMemoryDuckDB((run) => run(`SELECT kafka_offset::INTEGER AS o FROM read_parquet(${sqlLiteral(glob)}) ORDER BY 1`));
  assert.deepEqual(offsets.map((r) => r.o), expected, "exactly the valid lines' offsets");
  assert.deepEqual(staging(), [], "no staging folder is left once the restarted writer has finished");
  const [everywhere] = await withMemoryDuckDB((run) => run(`SELECT count(*)::INTEGER AS n FROM read_parquet(${sqlLiteral(path.join(lakeRoot, "**", "*.parquet"))})`));
  assert.equal(everywhere.n, logs.truth.valid, "a scan of the whole lake finds each event once");
  const dead = await readDeadLetters(kafka, `${topic}.dead-letter`);
  assert.equal(new Set(dead.map((d) => d.offset)).size, logs.truth.malformed, "every malformed line is in the dead-letter topic (a replayed batch may send one again; its offset tells)");
});

test("a writer removes the staging folders of writers that no longer run, and keeps those of running ones and other hidden folders", async (t) => {
  const root = path.join(tempDir(t, "weblogs-staging-"), "lake");
  const lake = await openLake({ root });
  t.after(() => lake.close());
  const ended = spawnSync(process.execPath, ["-e", "process.pid"]).pid!; // a process that has exited
  const names = [`.weblogs-tmp-${ended}-abc12345`, `.weblogs-tmp-${process.pid}-def67890`, ".weblogs-tmp-notapid", ".other-hidden"];
  for (const n of names) {
    fs.mkdirSync(path.join(root, n, "out"), { recursive: true });
    fs.writeFileSync(path.join(root, n, "batch.csv"), "g\n");
  }
  assert.deepEqual(removeStaleStaging(lake), [path.join(root, names[0])]);
  assert.deepEqual(fs.readdirSync(root).sort(), names.slice(1).sort());
});

import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { projectRoot } from "../../../lib/paths";
import { readDeadLetters } from "../../../lib/stream";
import { withMemoryDuckDB, sqlLiteral } from "../../../lib/warehouse/local-duckdb";
import { generateWebLogs } from "../../../scenarios/web-logs/generate";
import { LOGS_DATASET } from "../../../scenarios/web-logs/lake-writer";
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
  const first = await runBatchChild(child, args, 3);
  assert.equal(first.signal, "SIGKILL");
  assert.equal(first.done, false);
  // 2. Killed by itself after writing the lake files of batch (committed + 2), before committing it.
  const second = await runBatchChild(child, { ...args, crashAfterFilesOfBatch: first.batches + 2 });
  assert.equal(second.signal, "SIGKILL");
  // 3. Restarted: replays the uncommitted batch (same offsets, same file names) and finishes.
  const third = await runBatchChild(child, args);
  assert.ok(third.done, "the third run drains the topic");
  assert.ok(third.replayed >= 1, "the batch planned before the kill was replayed");

  const glob = path.join(dir, "lake", LOGS_DATASET, "*", "*", "*.parquet");
  const [stats] = await withMemoryDuckDB((run) => run(`SELECT count(*)::INTEGER AS n, count(DISTINCT kafka_offset)::INTEGER AS offsets FROM read_parquet(${sqlLiteral(glob)})`));
  assert.equal(stats.n, logs.truth.valid, "every valid event is in the lake");
  assert.equal(stats.offsets, stats.n, "and none twice");
  const expected = logs.lines.map((l, offset) => ({ l, offset })).filter(({ l }) => l.kind !== "malformed").map(({ offset }) => offset);
  const offsets = await withMemoryDuckDB((run) => run(`SELECT kafka_offset::INTEGER AS o FROM read_parquet(${sqlLiteral(glob)}) ORDER BY 1`));
  assert.deepEqual(offsets.map((r) => r.o), expected, "exactly the valid lines' offsets");
  const dead = await readDeadLetters(kafka, `${topic}.dead-letter`);
  assert.equal(new Set(dead.map((d) => d.offset)).size, logs.truth.malformed, "every malformed line is in the dead-letter topic (a replayed batch may send one again; its offset tells)");
});

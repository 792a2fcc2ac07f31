import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { StreamEngine, startProcessor, type InputRecord, type RecordSink } from "../../../lib/stream";
import { defer, tempDir, testBroker, uniqueName } from "./helpers";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const rec = (offset: number, text: string): InputRecord => ({ partition: 0, offset: String(offset), key: null, value: Buffer.from(text) });

test("with keepValid the engine returns each batch's valid records with their parsed values and event times, in input order", () => {
  const engine = new StreamEngine<{ t: number }>({
    parse: (text) => (/^\d+$/.test(text) ? { ok: true, value: { t: Number(text) } } : { ok: false, reason: "not a number" }),
    eventTime: (v) => v.t,
    watermarkDelayMs: 0,
    queries: [],
    keepValid: true,
  });
  const r = engine.process([rec(0, "1000"), rec(1, "oops"), rec(2, "500")]);
  assert.deepEqual(r.valid?.map((v) => [v.record.offset, v.value, v.time]), [["0", { t: 1000 }, 1000], ["2", { t: 500 }, 500]]);
  assert.equal(r.dead.length, 1);
  assert.equal(r.watermarkAfter, 1000, "the watermark moves with no window query at all");
  const without = new StreamEngine<{ t: number }>({ parse: (text) => ({ ok: true, value: { t: Number(text) } }), eventTime: (v) => v.t, watermarkDelayMs: 0, queries: [] });
  assert.equal(without.process([rec(0, "1")]).valid, undefined, "not kept unless asked");
});

test("with records waiting, the processor prepares the next batch while a record sink writes the previous one, and still plans, writes and commits in order", async (t) => {
  const { kafka } = await testBroker(t, { partitions: 2 });
  const topic = uniqueName("events");
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
  await admin.disconnect();
  // Partition 0 holds 5 records, partition 1 holds 400: most batches have no record of partition 0.
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: [...Array.from({ length: 5 }, (_, i) => ({ value: String(i), partition: 0 })), ...Array.from({ length: 400 }, (_, i) => ({ value: i % 50 === 7 ? "bad" : String(i), partition: 1 }))] });
  await producer.disconnect();

  const events: string[] = [];
  const written: string[] = [];
  const dir = tempDir(t);
  const sink: RecordSink<{ t: number }> = {
    name: "slow",
    prepare: (batch) => {
      events.push(`prepare ${batch.batchId}`);
    },
    async write(batch) {
      events.push(`write ${batch.batchId}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
      for (const r of batch.records) written.push(`${r.record.partition}:${r.record.offset}`);
      events.push(`written ${batch.batchId}`);
    },
  };
  const offsets: Array<Record<string, string>> = [];
  const p = await startProcessor<{ t: number }>({
    kafka,
    topic,
    checkpointDir: dir,
    parse: (text) => (/^\d+$/.test(text) ? { ok: true, value: { t: Number(text) } } : { ok: false, reason: "not a number" }),
    eventTime: (v) => v.t,
    watermarkDelayMs: 0,
    queries: [],
    sinks: {},
    recordSinks: [sink],
    maxBatchRecords: 40,
    triggerMs: 10_000,
    onBatch: () => offsets.push(JSON.parse(fs.readFileSync(path.join(dir, "state.json"), "utf8")).offsets as Record<string, string>),
  });
  defer(t, () => p.close());
  await sleep(300); // let the consumer fetch everything: then every batch has a next one waiting
  await p.drain();

  const ahead = events.filter((e, i) => e.startsWith("prepare") && events.slice(i).some((later) => later === `written ${Number(e.split(" ")[1]) - 1}`));
  assert.ok(ahead.length > 0, `some batch was prepared while the one before it was being written: ${events.join(", ")}`);
  const writes = events.filter((e) => !e.startsWith("prepare"));
  assert.deepEqual(writes, writes.map((_, i) => `${i % 2 === 0 ? "write" : "written"} ${Math.floor(i / 2) + 1}`), "one batch written at a time, in order");
  for (const e of events.filter((x) => x.startsWith("write "))) assert.ok(events.indexOf(`prepare ${e.split(" ")[1]}`) < events.indexOf(e), `${e} after its prepare`);
  assert.deepEqual([...written].sort(), [...new Set(written)].sort(), "no record written twice");
  assert.equal(written.length, 405 - 8, "every valid record written once");
  for (let i = 1; i < offsets.length; i++) {
    for (const part of ["0", "1"]) assert.ok(BigInt(offsets[i][part]) >= BigInt(offsets[i - 1][part]), `committed offsets never go back (partition ${part}, batch ${i + 1}: ${JSON.stringify(offsets)})`);
  }
  assert.deepEqual(offsets[offsets.length - 1], { "0": "5", "1": "400" });
  const s = p.stats();
  assert.deepEqual([s.ok, s.rejected, s.deadLetters], [397, 8, 8]);
});

import { test } from "node:test";
import assert from "node:assert/strict";
import * as path from "node:path";
import { startProcessor } from "../../../lib/stream/processor";
import { count } from "../../../lib/stream/aggregates";
import { tumbling } from "../../../lib/stream/windows";
import { memorySink } from "../../../lib/stream/sinks/memory";
import { defer, tempDir, testBroker, uniqueName } from "./helpers";

test("startOffsets: a processor with a fresh checkpoint starts at the given offset; a resumed one follows its checkpoint", { timeout: 120_000 }, async (t) => {
  const { kafka } = await testBroker(t);
  const topic = uniqueName("offsets");
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ value: String(i) })) });
  const dir = path.join(tempDir(t), "checkpoint");
  const seen: number[] = [];
  const open = () =>
    startProcessor<number>({
      kafka, topic, checkpointDir: dir, triggerMs: 50, startOffsets: { 0: "6" }, watermarkDelayMs: 1_000_000,
      parse: (text) => {
        seen.push(Number(text));
        return { ok: true, value: Number(text) };
      },
      eventTime: (v) => v,
      queries: [{ name: "q", window: tumbling(100), key: () => "all", aggregates: { n: count() }, mode: "update" }],
      sinks: { q: [memorySink()] },
    });
  const first = await open();
  await first.drain();
  await first.close();
  assert.deepEqual(seen, [6, 7, 8, 9], "started at offset 6");
  await producer.send({ topic, messages: [{ value: "10" }, { value: "11" }] });
  await producer.disconnect();
  const resumed = await open();
  defer(t, () => resumed.close());
  await resumed.drain();
  assert.deepEqual(seen, [6, 7, 8, 9, 10, 11], "resumed from the checkpoint, not from startOffsets");
  assert.equal(resumed.stats().in, 6);
});

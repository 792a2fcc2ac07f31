import assert from "node:assert/strict";
import { test } from "node:test";
import { readLatest } from "../../../lib/kafka";
import { testBroker, uniqueName } from "../stream/helpers";

test("readLatest keeps the last JSON value per key up to the topic's end, and skips messages without a value", { timeout: 30_000 }, async (t) => {
  const { kafka } = await testBroker(t);
  const topic = uniqueName("latest");
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: [
    { key: "a", value: JSON.stringify({ id: "a", n: 1 }) },
    { key: "b", value: JSON.stringify({ id: "b", n: 1 }) },
    { key: "a", value: null },
    { key: "a", value: JSON.stringify({ id: "a", n: 2 }) },
  ] });
  await producer.disconnect();
  const latest = await readLatest<{ id: string; n: number }>(kafka, topic, (v) => v.id);
  assert.deepEqual(latest.sort((x, y) => x.id.localeCompare(y.id)), [{ id: "a", n: 2 }, { id: "b", n: 1 }]);
});

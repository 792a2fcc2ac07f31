import { test } from "node:test";
import assert from "node:assert/strict";
import { client, defer, spawnBrokerChild, tempDir, uniqueName, waitFor } from "../helpers";

test("a broker killed with SIGKILL while a producer sends keeps every acknowledged message, in order, once", { timeout: 180_000 }, async (t) => {
  const dataDir = tempDir(t);
  const topic = uniqueName("durable");
  const first = await spawnBrokerChild(t, ["--port", "0", "--data-dir", dataDir]);

  const producer = client(first.address).producer({ retry: { retries: 0 } });
  await producer.connect();
  const acked: string[] = [];
  let n = 0;
  let stop = false;
  const sending = (async () => {
    while (!stop) {
      const batch = Array.from({ length: 20 }, () => ({ value: `m${n++}` }));
      try {
        await producer.send({ topic, acks: -1, messages: batch });
        acked.push(...batch.map((m) => m.value));
      } catch {
        return; // the broker died under this request: not acknowledged
      }
    }
  })();
  await waitFor(() => acked.length >= 2000, 30000, "2000 acknowledged messages");
  first.child.kill("SIGKILL");
  const { signal } = await first.exited;
  stop = true;
  await sending;
  await producer.disconnect().catch(() => undefined);
  assert.equal(signal, "SIGKILL");

  const second = await spawnBrokerChild(t, ["--port", "0", "--data-dir", dataDir]);
  const kafka = client(second.address);
  // An end marker appended after the restart: once the consumer has it, it has read the whole log
  // before it, so a duplicate could not arrive later (no waiting for a quiet period).
  const producer2 = kafka.producer();
  await producer2.connect();
  defer(t, () => producer2.disconnect());
  const [ack] = await producer2.send({ topic, messages: [{ value: "after restart" }] });
  const consumer = kafka.consumer({ groupId: uniqueName("durable"), maxWaitTimeInMs: 300 });
  await consumer.connect();
  defer(t, () => consumer.disconnect());
  const read: { offset: number; value: string }[] = [];
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void read.push({ offset: Number(message.offset), value: message.value?.toString() ?? "" }) });
  await waitFor(() => read.some((s) => s.value === "after restart"), 60000, "the message sent after the restart");
  const end = read.findIndex((s) => s.value === "after restart");
  const seen = read.slice(0, end);

  // Every acknowledged message, in order, once; at most the one unacknowledged batch after them.
  assert.deepEqual(seen.slice(0, acked.length).map((s) => s.value), acked);
  assert.ok(seen.length - acked.length <= 20, `${seen.length - acked.length} unacknowledged messages survived`);
  assert.deepEqual(seen.map((s) => s.offset), seen.map((_, i) => i), "offsets are dense from 0");
  assert.equal(new Set(seen.map((s) => s.value)).size, seen.length, "no duplicates");
  assert.equal(Number(ack.baseOffset), seen.length, "offsets continue where the log ended");
  assert.equal(read.length, end + 1, "nothing after the end marker");
});

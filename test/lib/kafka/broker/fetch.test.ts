import { test } from "node:test";
import assert from "node:assert/strict";
import { Reader, Writer } from "../../../../lib/kafka/broker/protocol/codec";
import { readBatchHeader } from "../../../../lib/kafka/broker/protocol/record-batch";
import { buildBatch, client, defer, produceBody, RawClient, testBroker, uniqueName } from "../helpers";

function fetchBody(topic: string, offset: number, maxWaitMs = 0): Writer {
  return new Writer()
    .int32(-1)
    .int32(maxWaitMs)
    .int32(1)
    .int32(1 << 20)
    .int8(0)
    .int32(0)
    .int32(-1)
    .array([0], (w) => w.string(topic).array([0], (w) => w.int32(0).int32(-1).int64(offset).int64(-1).int32(1 << 20)))
    .array([], () => undefined)
    .string("");
}

function readFetch(r: Reader): { error: number; highWatermark: number; records: Buffer } {
  r.int32();
  r.int16();
  r.int32();
  r.int32();
  r.string();
  r.int32();
  r.int32();
  const error = r.int16();
  const highWatermark = r.int64();
  r.int64();
  r.int64();
  r.array((x) => [x.int64(), x.int64()]);
  r.int32();
  return { error, highWatermark, records: r.bytes() ?? Buffer.alloc(0) };
}

test("Fetch v11 returns whole batches from the one containing the offset, and OFFSET_OUT_OF_RANGE past the end", async (t) => {
  const broker = await testBroker(t);
  const topic = uniqueName("raw-fetch");
  const raw = await RawClient.connect(t, broker.port);
  await raw.request(3, 6, new Writer().array([topic], (w, n) => w.string(n)).bool(true));
  await raw.request(0, 7, produceBody(topic, 0, buildBatch(Array.from({ length: 5 }, (_, i) => ({ value: `a${i}` })))));
  await raw.request(0, 7, produceBody(topic, 0, buildBatch(Array.from({ length: 5 }, (_, i) => ({ value: `b${i}` })))));

  const inside = readFetch(await raw.request(1, 11, fetchBody(topic, 7)));
  assert.equal(inside.error, 0);
  assert.equal(inside.highWatermark, 10);
  assert.equal(readBatchHeader(inside.records).baseOffset, 5, "the batch holding offset 7 starts at 5");
  assert.equal(inside.records.length, readBatchHeader(inside.records).size, "never a split batch");
  const atEnd = readFetch(await raw.request(1, 11, fetchBody(topic, 10)));
  assert.deepEqual([atEnd.error, atEnd.records.length], [0, 0]);
  assert.equal(readFetch(await raw.request(1, 11, fetchBody(topic, 11))).error, 1);
});

test("a parked Fetch wakes up as soon as a message is appended", { timeout: 180_000 }, async (t) => {
  const broker = await testBroker(t);
  const topic = uniqueName("long-poll");
  const raw = await RawClient.connect(t, broker.port);
  await raw.request(3, 6, new Writer().array([topic], (w, n) => w.string(n)).bool(true));
  // Know (rather than sleep and hope) when the Fetch is parked: it then waits on the partition's appends.
  const partition = broker.state.store.partition(topic, 0)!;
  const onAppend = partition.onAppend.bind(partition);
  let markParked!: () => void;
  const isParked = new Promise<void>((resolve) => (markParked = resolve));
  partition.onAppend = (wake) => {
    markParked();
    return onAppend(wake);
  };
  const maxWaitMs = 120_000;
  const parked = raw.request(1, 11, fetchBody(topic, 0, maxWaitMs));
  await isParked;
  const producer = client(broker).producer();
  await producer.connect();
  defer(t, () => producer.disconnect());
  const appended = Date.now();
  await producer.send({ topic, messages: [{ value: "wake" }] });
  const res = readFetch(await parked);
  assert.ok(res.records.length > 0);
  // Unwoken it would answer at max_wait_ms (2 minutes): half of that is far more than any load explains.
  assert.ok(Date.now() - appended < maxWaitMs / 2, "answered on the append, not at max_wait_ms");
});

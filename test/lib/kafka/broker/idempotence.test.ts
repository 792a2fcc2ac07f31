import { test } from "node:test";
import assert from "node:assert/strict";
import * as net from "node:net";
import { Writer } from "../../../../lib/kafka/broker/protocol/codec";
import { buildBatch, client, defer, produceBody, RawClient, readProduceResponse, testBroker, uniqueName, waitFor } from "../helpers";

async function initProducerId(raw: RawClient): Promise<number> {
  const r = await raw.request(22, 1, new Writer().string(null).int32(60000));
  r.int32(); // throttle
  assert.equal(r.int16(), 0);
  return r.int64();
}

test("a duplicate idempotent batch gets its original offsets and is not written twice", async (t) => {
  const broker = await testBroker(t, { partitions: 1 });
  const topic = uniqueName("idem-raw");
  const raw = await RawClient.connect(t, broker.port);
  await raw.request(3, 6, new Writer().array([topic], (w, n) => w.string(n)).bool(true)); // auto-create
  const pid = await initProducerId(raw);
  const other = await initProducerId(raw);
  assert.notEqual(pid, other, "each InitProducerId gets a new id");

  const first = buildBatch([{ value: "a" }, { value: "b" }, { value: "c" }], { producerId: pid, epoch: 0, baseSequence: 0 });
  assert.deepEqual(readProduceResponse(await raw.request(0, 7, produceBody(topic, 0, Buffer.from(first)))), { error: 0, baseOffset: 0 });
  // An unrelated producer moves the log end on.
  assert.deepEqual(readProduceResponse(await raw.request(0, 7, produceBody(topic, 0, buildBatch([{ value: "x" }])))), { error: 0, baseOffset: 3 });
  // The retry of the first batch: same producer, epoch and sequence.
  assert.deepEqual(readProduceResponse(await raw.request(0, 7, produceBody(topic, 0, Buffer.from(first)))), { error: 0, baseOffset: 0 });
  const next = buildBatch([{ value: "d" }], { producerId: pid, epoch: 0, baseSequence: 3 });
  assert.deepEqual(readProduceResponse(await raw.request(0, 7, produceBody(topic, 0, next))), { error: 0, baseOffset: 4 });
  const gap = buildBatch([{ value: "e" }], { producerId: pid, epoch: 0, baseSequence: 9 });
  assert.equal(readProduceResponse(await raw.request(0, 7, produceBody(topic, 0, gap))).error, 45, "OUT_OF_ORDER_SEQUENCE_NUMBER");
  const tampered = buildBatch([{ value: "f" }], { producerId: pid, epoch: 0, baseSequence: 4 });
  tampered[tampered.length - 2] ^= 0xff;
  assert.equal(readProduceResponse(await raw.request(0, 7, produceBody(topic, 0, tampered))).error, 2, "CORRUPT_MESSAGE: CRC-32C mismatch");
  const inOrder = buildBatch([{ value: "f" }], { producerId: pid, epoch: 0, baseSequence: 4 });
  assert.deepEqual(readProduceResponse(await raw.request(0, 7, produceBody(topic, 0, inOrder))), { error: 0, baseOffset: 5 });
  assert.equal(broker.state.store.partition(topic, 0)?.log.logEndOffset, 6, "nothing written twice");
});

/**
 * A TCP proxy that forwards everything but drops the response to the first Produce request and
 * closes the client's connection, as a network failure after the broker wrote the batch.
 */
async function lossyProxy(t: Parameters<typeof testBroker>[0], target: () => number): Promise<{ port: number; produceRequests: () => number }> {
  let produceRequests = 0;
  let dropped = false;
  const server = net.createServer((downstream) => {
    const upstream = net.connect(target(), "127.0.0.1");
    const produceIds = new Set<number>();
    let fromClient = Buffer.alloc(0);
    let fromBroker = Buffer.alloc(0);
    downstream.on("data", (chunk) => {
      fromClient = Buffer.concat([fromClient, chunk]);
      while (fromClient.length >= 4 && fromClient.length >= 4 + fromClient.readInt32BE(0)) {
        const size = fromClient.readInt32BE(0);
        if (fromClient.readInt16BE(4) === 0) {
          produceRequests++;
          produceIds.add(fromClient.readInt32BE(8));
        }
        fromClient = fromClient.subarray(4 + size);
      }
      upstream.write(chunk);
    });
    upstream.on("data", (chunk) => {
      fromBroker = Buffer.concat([fromBroker, chunk]);
      while (fromBroker.length >= 4 && fromBroker.length >= 4 + fromBroker.readInt32BE(0)) {
        const size = fromBroker.readInt32BE(0);
        const frame = fromBroker.subarray(0, 4 + size);
        fromBroker = fromBroker.subarray(4 + size);
        if (!dropped && produceIds.has(frame.readInt32BE(4))) {
          dropped = true;
          downstream.destroy();
          upstream.destroy();
          return;
        }
        downstream.write(frame);
      }
    });
    const end = () => {
      downstream.destroy();
      upstream.destroy();
    };
    downstream.on("error", end);
    upstream.on("error", end);
    downstream.on("close", end);
    upstream.on("close", end);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  defer(t, () => new Promise((resolve) => server.close(resolve)));
  return { port: (server.address() as net.AddressInfo).port, produceRequests: () => produceRequests };
}

test("kafkajs idempotent producer retries after a lost response and gets the original offsets", async (t) => {
  let brokerPort = 0;
  const proxy = await lossyProxy(t, () => brokerPort);
  const broker = await testBroker(t, { advertisedPort: proxy.port });
  brokerPort = broker.port;
  const kafka = client(`127.0.0.1:${proxy.port}`);
  const topic = uniqueName("idem-retry");
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  defer(t, () => producer.disconnect());

  const [first] = await producer.send({ topic, messages: Array.from({ length: 5 }, (_, i) => ({ value: `a${i}` })) });
  assert.ok(proxy.produceRequests() >= 2, `the first send was retried (${proxy.produceRequests()} produce requests)`);
  assert.equal(first.baseOffset, "0", "the retry got the original offsets");
  const [second] = await producer.send({ topic, messages: [{ value: "b0" }] });
  assert.equal(second.baseOffset, "5", "offsets continue after the retried batch");

  // An end marker after everything: once the consumer has it, it has read every earlier message of
  // the partition, duplicates included (no waiting for a quiet period).
  await producer.send({ topic, messages: [{ value: "end" }] });
  const values: string[] = [];
  const consumer = kafka.consumer({ groupId: uniqueName("idem"), maxWaitTimeInMs: 500 });
  await consumer.connect();
  defer(t, () => consumer.disconnect());
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void values.push(message.value?.toString() ?? "") });
  await waitFor(() => values.includes("end"), 60000, "the end marker");
  assert.deepEqual(values, ["a0", "a1", "a2", "a3", "a4", "b0", "end"], "each message exactly once");
});

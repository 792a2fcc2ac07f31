import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { Kafka, logLevel } from "kafkajs";
import { Writer } from "../../../../lib/kafka/broker/protocol/codec";
import { buildBatch, client, defer, produceBody, RawClient, readProduceResponse, testBroker, uniqueName } from "../helpers";

/** ApiVersions v0 on a connection: proves the broker still serves it. */
async function apiVersionsOk(raw: RawClient): Promise<boolean> {
  const r = await raw.request(18, 0, new Writer());
  return r.int16() === 0 && r.int32() > 10;
}

function frame(payload: Buffer): Buffer {
  const size = Buffer.alloc(4);
  size.writeInt32BE(payload.length);
  return Buffer.concat([size, payload]);
}

test("bad input closes only the offending connection and the broker serves the others", async (t) => {
  const broker = await testBroker(t);
  const bystander = await RawClient.connect(t, broker.port);
  assert.equal(await apiVersionsOk(bystander), true);

  const cases: [string, (raw: RawClient) => void][] = [
    // Random bytes behind a size prefix that matches them (a random prefix would, about once in 40
    // runs, declare a plausible size and leave the broker waiting for the rest of the frame).
    ["random bytes", (raw) => raw.write(frame(randomBytes(4092)))],
    ["a huge declared size", (raw) => raw.write(Buffer.from([0x7f, 0xff, 0xff, 0xff, 0, 18, 0, 0]))],
    ["a negative declared size", (raw) => raw.write(Buffer.from([0xff, 0xff, 0xff, 0xf0]))],
    ["an unknown API key", (raw) => raw.write(frame(new Writer().int16(999).int16(0).int32(1).string("x").toBuffer()))],
    ["an unsupported version of a known API", (raw) => raw.write(frame(new Writer().int16(0).int16(99).int32(1).string("x").toBuffer()))],
    [
      "a truncated frame body",
      // Metadata v1 announcing 5 topic names but carrying none.
      (raw) => raw.write(frame(new Writer().int16(3).int16(1).int32(1).string("x").int32(5).toBuffer())),
    ],
    [
      "a produce request whose records length runs past the frame",
      (raw) => raw.write(frame(new Writer().int16(0).int16(7).int32(1).string("x").string(null).int16(1).int32(1000).int32(1).string("t").int32(1).int32(0).int32(1_000_000).toBuffer())),
    ],
  ];
  for (const [what, send] of cases) {
    const raw = await RawClient.connect(t, broker.port);
    send(raw);
    assert.equal(await raw.closedWithin(3000), true, `${what}: the connection is closed`);
    assert.equal(await apiVersionsOk(bystander), true, `${what}: the other connection is still served`);
  }

  // A frame cut off mid-way by the client going away leaves the broker unharmed.
  const cut = await RawClient.connect(t, broker.port);
  cut.write(frame(new Writer().int16(18).int16(0).int32(1).string("x").toBuffer()).subarray(0, 9));
  cut.socket.end();
  assert.equal(await cut.closedWithin(30000), true, "the broker closes the cut connection");
  assert.equal(await apiVersionsOk(bystander), true);

  // kafkajs on a fresh connection works as before.
  const kafka = client(broker);
  const producer = kafka.producer();
  await producer.connect();
  defer(t, () => producer.disconnect());
  const [ack] = await producer.send({ topic: uniqueName("after-bad"), messages: [{ value: "still fine" }] });
  assert.equal(ack.errorCode, 0);
});

test("ApiVersions at an unknown version answers in v0 layout with UNSUPPORTED_VERSION", async (t) => {
  const broker = await testBroker(t);
  const raw = await RawClient.connect(t, broker.port);
  const r = await raw.request(18, 42, new Writer());
  assert.equal(r.int16(), 35);
  const apis = r.array((x) => [x.int16(), x.int16(), x.int16()]);
  assert.deepEqual(apis.find(([key]) => key === 18), [18, 0, 3]);
  assert.equal(raw.closed, false);
});

test("a batch larger than max.message.bytes gets MESSAGE_TOO_LARGE", async (t) => {
  const broker = await testBroker(t, { maxMessageBytes: 2000 });
  const topic = uniqueName("too-large");
  const raw = await RawClient.connect(t, broker.port);
  await raw.request(3, 6, new Writer().array([topic], (w, n) => w.string(n)).bool(true));
  const big = buildBatch([{ value: Buffer.alloc(5000, 1) }]);
  assert.equal(readProduceResponse(await raw.request(0, 7, produceBody(topic, 0, big))).error, 10);
  const small = buildBatch([{ value: "ok" }]);
  assert.deepEqual(readProduceResponse(await raw.request(0, 7, produceBody(topic, 0, small))), { error: 0, baseOffset: 0 });

  const kafka = new Kafka({ brokers: [broker.brokers], logLevel: logLevel.NOTHING, retry: { retries: 0 } });
  const producer = kafka.producer({ retry: { retries: 0 } });
  await producer.connect();
  defer(t, () => producer.disconnect());
  await assert.rejects(producer.send({ topic, messages: [{ value: Buffer.alloc(5000, 2) }] }), (err: Error & { type?: string; cause?: { type?: string } }) => {
    return /MESSAGE_TOO_LARGE/.test(String(err.type ?? "") + String(err.cause?.type ?? "") + err.message);
  });
});

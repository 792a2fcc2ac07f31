/**
 * Log compaction seen by clients: kafkajs, kcat (librdkafka) and python3-confluent-kafka read a
 * compacted topic from the beginning and get the latest record per key at its original offset,
 * also after a broker restart; a record without a key is refused; the background cleaner runs by
 * itself; and sizes before/after for 100,000 records over 1,000 keys.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { CompressionTypes, Kafka } from "kafkajs";
import { Broker, startBroker } from "../../../../lib/kafka/broker/broker";
import { readBatchHeader } from "../../../../lib/kafka/broker/protocol/record-batch";
import { buildBatch, client, defer, hasCommand, produceBody, pythonWith, RawClient, readProduceResponse, run, tempDir, testBroker, uniqueName, waitFor } from "../helpers";

const KCAT = hasCommand("kcat") ? null : "kcat is not installed (apt-get install kcat)";
const confluentPython = pythonWith("confluent_kafka");
const CONFLUENT = confluentPython ? null : "python3-confluent-kafka is not installed (apt-get install python3-confluent-kafka)";

type Row = [number, string, string | null];

/** Reads a partition from the beginning with a kafkajs consumer until it has `lastOffset`. */
async function readAll(t: Parameters<typeof tempDir>[0], kafka: Kafka, topic: string, lastOffset: number): Promise<Row[]> {
  const rows: Row[] = [];
  const consumer = kafka.consumer({ groupId: uniqueName("compacted"), maxWaitTimeInMs: 200 });
  await consumer.connect();
  defer(t, () => consumer.disconnect());
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => void rows.push([Number(message.offset), message.key?.toString() ?? "", message.value === null ? null : message.value.toString()]),
  });
  await waitFor(() => rows.some(([o]) => o === lastOffset), 30000, `offset ${lastOffset}`);
  await consumer.disconnect();
  return rows;
}

async function createCompacted(kafka: Kafka, topic: string, configs: Record<string, string>): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  const configEntries = Object.entries({ "cleanup.policy": "compact", ...configs }).map(([name, value]) => ({ name, value }));
  assert.equal(await admin.createTopics({ topics: [{ topic, numPartitions: 1, configEntries }] }), true);
  await admin.disconnect();
}

/**
 * One send per batch and segment.ms=0, so every send after the first starts a new segment:
 *
 *   offsets  producer            records
 *   0        idempotent (P1)     a=a1
 *   1-2      plain (P2)          b=b1  a=a2
 *   3        P2                  c=c1
 *   4-5      P2                  b=null (tombstone)  d=d1
 *   6-7      P2                  a=a3  c=c2
 *   8        P2                  e=e1        <- active segment
 *
 * Dirty section [0, 8): a->6, b->4, c->7, d->5. Kept: 4, 5, 6, 7 (and 8, active). The batch at 0
 * loses its record but is the idempotent producer's last batch: it stays as a header with no
 * records, which clients must step over. Batches 1-2 and 3 are dropped.
 */
const EXPECTED: Row[] = [
  [4, "b", null],
  [5, "d", "d1"],
  [6, "a", "a3"],
  [7, "c", "c2"],
  [8, "e", "e1"],
];

async function writeExample(kafka: Kafka, topic: string): Promise<void> {
  const p1 = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await p1.connect();
  await p1.send({ topic, messages: [{ key: "a", value: "a1" }] });
  await p1.disconnect();
  const p2 = kafka.producer();
  await p2.connect();
  await p2.send({ topic, messages: [{ key: "b", value: "b1" }, { key: "a", value: "a2" }] });
  await p2.send({ topic, messages: [{ key: "c", value: "c1" }] });
  await p2.send({ topic, messages: [{ key: "b", value: null }, { key: "d", value: "d1" }] });
  await p2.send({ topic, messages: [{ key: "a", value: "a3" }, { key: "c", value: "c2" }] });
  const [last] = await p2.send({ topic, messages: [{ key: "e", value: "e1" }] });
  assert.equal(last.baseOffset, "8");
  await p2.disconnect();
}

const CONFLUENT_READ = `
import sys, json
from confluent_kafka import Consumer, TopicPartition
addr, topic, last = sys.argv[1], sys.argv[2], int(sys.argv[3])
c = Consumer({"bootstrap.servers": addr, "group.id": "compaction-py", "enable.auto.commit": False})
c.assign([TopicPartition(topic, 0, 0)])
rows = []
while not rows or rows[-1][0] < last:
    m = c.poll(10)
    if m is None:
        break
    if m.error():
        print(json.dumps({"error": str(m.error())}))
        sys.exit(1)
    rows.append([m.offset(), m.key().decode(), None if m.value() is None else m.value().decode()])
c.close()
print(json.dumps(rows))
`;

test("kafkajs reads a compacted topic from the beginning: the latest record per key at its original offset, and again after a restart", { timeout: 120_000 }, async (t) => {
  const dataDir = tempDir(t);
  let broker: Broker = await startBroker({ dataDir, logCleanerBackoffMs: 0 });
  defer(t, () => broker.close());
  const topic = uniqueName("compacted");
  await createCompacted(client(broker), topic, { "segment.ms": "0" });
  await writeExample(client(broker), topic);

  const result = await broker.compact(topic);
  assert.equal(result.partitions.length, 1);
  assert.deepEqual([result.partitions[0].recordsRead, result.partitions[0].recordsKept], [8, 4]);
  assert.ok(result.bytesAfter < result.bytesBefore, `${result.bytesBefore} -> ${result.bytesAfter} bytes`);
  const first = readBatchHeader(broker.state.store.partition(topic, 0)?.log.read(0, 1) as Buffer);
  assert.deepEqual([first.baseOffset, first.recordCount, first.producerId >= 0], [0, 0, true], "the idempotent producer's emptied last batch is kept as a header");
  assert.deepEqual(await readAll(t, client(broker), topic, 8), EXPECTED);

  await broker.close();
  broker = await startBroker({ dataDir, logCleanerBackoffMs: 0 });
  assert.deepEqual(await readAll(t, client(broker), topic, 8), EXPECTED, "the same after a restart on the same data folder");
  const producer = client(broker).producer();
  await producer.connect();
  defer(t, () => producer.disconnect());
  const [next] = await producer.send({ topic, messages: [{ key: "a", value: "a4" }] });
  assert.equal(next.baseOffset, "9", "offsets go on after the log end");
});

test("kcat and python3-confluent-kafka read the compacted topic the same way", { skip: (KCAT && CONFLUENT) ?? false, timeout: 120_000 }, async (t) => {
  const broker = await testBroker(t, { logCleanerBackoffMs: 0 });
  const topic = uniqueName("compacted-rdkafka");
  await createCompacted(client(broker), topic, { "segment.ms": "0" });
  await writeExample(client(broker), topic);
  await broker.compact(topic);

  if (!KCAT) {
    const r = await run("kcat", ["-b", broker.brokers, "-C", "-t", topic, "-o", "beginning", "-e", "-Z", "-f", "%o|%k|%s\\n"]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split("\n"), EXPECTED.map(([o, k, v]) => `${o}|${k}|${v ?? "NULL"}`));
  } else t.diagnostic(KCAT);
  if (!CONFLUENT) {
    const file = path.join(tempDir(t, "compaction-py-"), "read.py");
    fs.writeFileSync(file, CONFLUENT_READ);
    const r = await run(confluentPython as string, [file, broker.brokers, topic, "8"], { timeoutMs: 40000 });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    assert.deepEqual(JSON.parse(r.stdout), EXPECTED);
  } else t.diagnostic(CONFLUENT);
});

test("gzip batches are cleaned too: a batch losing some records is rewritten gzip-compressed with a good CRC", { timeout: 60_000 }, async (t) => {
  const broker = await testBroker(t, { logCleanerBackoffMs: 0 });
  const kafka = client(broker);
  const topic = uniqueName("compacted-gzip");
  await createCompacted(kafka, topic, { "segment.ms": "0" });
  const producer = kafka.producer();
  await producer.connect();
  defer(t, () => producer.disconnect());
  const send = (messages: { key: string; value: string }[]) => producer.send({ topic, compression: CompressionTypes.GZIP, messages });
  await send([{ key: "x", value: "x1" }, { key: "y", value: "y1" }, { key: "z", value: "z1" }]); // 0-2
  await send([{ key: "y", value: "y2" }]); // 3
  await send([{ key: "w", value: "w1" }]); // 4, active
  await broker.compact(topic);
  const batch = broker.state.store.partition(topic, 0)?.log.read(0, 1) as Buffer;
  const h = readBatchHeader(batch);
  assert.deepEqual([h.baseOffset, h.lastOffsetDelta, h.recordCount, h.attributes & 0x07], [0, 2, 2, 1], "base 0, last offset 2, two records, still gzip");
  assert.deepEqual(await readAll(t, kafka, topic, 4), [
    [0, "x", "x1"],
    [2, "z", "z1"],
    [3, "y", "y2"],
    [4, "w", "w1"],
  ]);
});

test("a record without a key is refused by a compacted topic with INVALID_RECORD (87)", { timeout: 60_000 }, async (t) => {
  const broker = await testBroker(t, { logCleanerBackoffMs: 0 });
  const kafka = client(broker);
  const topic = uniqueName("compacted-nokey");
  await createCompacted(kafka, topic, {});
  const raw = await RawClient.connect(t, broker.port);
  const refused = readProduceResponse(await raw.request(0, 7, produceBody(topic, 0, buildBatch([{ key: "k", value: "ok" }, { key: null, value: "no key" }]))));
  assert.equal(refused.error, 87);
  const ok = readProduceResponse(await raw.request(0, 7, produceBody(topic, 0, buildBatch([{ key: "k", value: "ok" }]))));
  assert.deepEqual(ok, { error: 0, baseOffset: 0 }, "nothing of the refused batch was written");

  const producer = kafka.producer({ retry: { retries: 0 } });
  await producer.connect();
  defer(t, () => producer.disconnect());
  await assert.rejects(producer.send({ topic, messages: [{ value: "no key" }] }), (err: Error & { type?: string; cause?: { type?: string } }) => {
    assert.equal(err.type ?? err.cause?.type, "INVALID_RECORD", String(err));
    return true;
  });
  // The same record is fine in a topic with the default (delete) policy.
  const [plain] = await producer.send({ topic: uniqueName("plain"), messages: [{ value: "no key" }] });
  assert.equal(plain.errorCode, 0);
  // Produce v8+ says which record and why.
  const v8 = await raw.request(0, 8, produceBody(topic, 0, buildBatch([{ key: null, value: "no key" }])));
  v8.int32();
  v8.string();
  v8.int32();
  v8.int32();
  assert.equal(v8.int16(), 87);
  v8.int64();
  v8.int64();
  v8.int64();
  assert.equal(v8.int32(), 1, "one record error");
  assert.equal(v8.int32(), 0, "record 0 of the batch");
  assert.match(v8.string() ?? "", /cleanup.policy=compact/);
});

test("the background cleaner compacts a topic by itself once min.cleanable.dirty.ratio is reached", { timeout: 120_000 }, async (t) => {
  const broker = await testBroker(t, { logCleanerBackoffMs: 100 });
  const kafka = client(broker);
  const topic = uniqueName("compacted-bg");
  await createCompacted(kafka, topic, { "segment.bytes": "2000" });
  const producer = kafka.producer();
  await producer.connect();
  defer(t, () => producer.disconnect());
  for (let i = 0; i < 50; i++) await producer.send({ topic, messages: Array.from({ length: 4 }, (_, j) => ({ key: `k${j}`, value: `v${i}-${"x".repeat(40)}` })) });
  const dir = path.join(broker.dataDir, "topics", `${topic}-0`);
  const size = () => fs.readdirSync(dir).filter((f) => f.endsWith(".log")).reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0);
  // Nobody asks: only the cleaner's timer can shrink the partition.
  await waitFor(() => fs.existsSync(path.join(dir, "cleaner-checkpoint.json")) && size() < 4000, 30000, "the cleaner to run");
  const rows = await readAll(t, kafka, topic, 199);
  const latest = new Map<string, string | null>();
  for (const [, k, v] of rows) latest.set(k, v);
  assert.deepEqual([...latest.entries()].sort(), [0, 1, 2, 3].map((j) => [`k${j}`, `v49-${"x".repeat(40)}`]));
  assert.ok(rows.length < 200, `${rows.length} of 200 records left`);
});

test("100,000 records over 1,000 keys: sizes before and after compaction, and its duration", { timeout: 300_000 }, async (t) => {
  const broker = await testBroker(t, { logCleanerBackoffMs: 0 });
  const kafka = client(broker);
  const topic = uniqueName("compacted-big");
  await createCompacted(kafka, topic, { "segment.bytes": String(1024 * 1024) });
  const producer = kafka.producer();
  await producer.connect();
  defer(t, () => producer.disconnect());
  const keys = 1000;
  const value = (i: number) => JSON.stringify({ seq: i, state: "s".repeat(60) });
  for (let b = 0; b < 1000; b++) {
    await producer.send({ topic, messages: Array.from({ length: 100 }, (_, j) => ({ key: `key-${(b * 100 + j) % keys}`, value: value(b * 100 + j) })) });
  }
  const r = await broker.compact(topic);
  const p = r.partitions[0];
  t.diagnostic(`100000 records, ${keys} keys: ${p.bytesBefore} bytes in ${p.segmentsBefore} segments -> ${p.bytesAfter} bytes in ${p.segmentsAfter} segments; ${p.recordsRead} records read, ${p.recordsKept} kept in the sealed segments; ${p.durationMs.toFixed(0)} ms`);
  assert.ok(p.recordsKept <= keys, `${p.recordsKept} records kept in the sealed segments`);
  assert.ok(p.bytesAfter < p.bytesBefore / 5, `${p.bytesBefore} -> ${p.bytesAfter}`);
  // Cleaning groups segments by their size before cleaning (as Kafka does), so the first pass leaves
  // one small segment per old one; the next pass merges them.
  const again = (await broker.compact(topic)).partitions[0];
  t.diagnostic(`second pass: ${again.bytesAfter} bytes in ${again.segmentsAfter} segments; ${again.durationMs.toFixed(0)} ms`);
  assert.equal(again.segmentsAfter, 2, "one cleaned segment and the active one");
  assert.equal(again.recordsKept, p.recordsKept);

  const rows = await readAll(t, kafka, topic, 99_999);
  const latest = new Map<string, string | null>();
  for (const [, k, v] of rows) latest.set(k, v);
  assert.equal(latest.size, keys);
  for (let k = 0; k < keys; k++) assert.equal(latest.get(`key-${k}`), value(99_000 + k), `key-${k}`);
  t.diagnostic(`a consumer from the beginning reads ${rows.length} records instead of 100000`);
});

test("cleanup.policy and the cleaner's topic configs are checked at creation; compact() refuses a topic that is not compacted", { timeout: 60_000 }, async (t) => {
  const broker = await testBroker(t, { logCleanerBackoffMs: 0 });
  const admin = client(broker).admin();
  await admin.connect();
  defer(t, () => admin.disconnect());
  for (const [name, value] of [["cleanup.policy", "compacted"], ["min.cleanable.dirty.ratio", "1.5"], ["delete.retention.ms", "soon"]]) {
    await assert.rejects(admin.createTopics({ topics: [{ topic: uniqueName("bad"), configEntries: [{ name, value }] }] }), (err: Error & { errors?: { type?: string }[] }) => {
      assert.deepEqual(err.errors?.map((e) => e.type), ["INVALID_CONFIG"], `${name}=${value}`);
      return true;
    });
  }
  const both = uniqueName("compact-delete");
  assert.equal(await admin.createTopics({ topics: [{ topic: both, configEntries: [{ name: "cleanup.policy", value: "compact,delete" }, { name: "delete.retention.ms", value: "1000" }] }] }), true);
  const [described] = (await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: both }] })).resources;
  const configs = new Map(described.configEntries.map((c) => [c.configName, c.configValue]));
  assert.deepEqual([configs.get("cleanup.policy"), configs.get("delete.retention.ms"), configs.get("min.cleanable.dirty.ratio")], ["compact,delete", "1000", "0.5"]);
  assert.equal((await broker.compact(both)).partitions.length, 1);

  const plain = uniqueName("plain");
  assert.equal(await admin.createTopics({ topics: [{ topic: plain }] }), true);
  await assert.rejects(broker.compact(plain), /cleanup.policy=delete/);
  await assert.rejects(broker.compact(uniqueName("missing")), /no topic/);
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { CompressionTypes } from "kafkajs";
import type { Consumer, EachMessagePayload } from "kafkajs";
import { client, defer, tempDir, testBroker, uniqueName, waitFor } from "../helpers";
import { startBroker } from "../../../../lib/kafka/broker/broker";

type Seen = { partition: number; offset: number; key: string | null; value: string; headers: Record<string, string> };

function collect(consumer: Consumer, into: Seen[]): (p: EachMessagePayload) => Promise<void> {
  void consumer;
  return async ({ partition, message }) => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(message.headers ?? {})) headers[k] = String(v);
    into.push({ partition, offset: Number(message.offset), key: message.key?.toString() ?? null, value: message.value?.toString() ?? "", headers });
  };
}

test("kafkajs round trip over several partitions with gzip, keys and headers", async (t) => {
  const broker = await testBroker(t);
  const kafka = client(broker);
  const topic = uniqueName("round-trip");
  const admin = kafka.admin();
  await admin.connect();
  defer(t, () => admin.disconnect());
  assert.equal(await admin.createTopics({ topics: [{ topic, numPartitions: 4 }] }), true);

  const producer = kafka.producer();
  await producer.connect();
  defer(t, () => producer.disconnect());
  const messages = Array.from({ length: 80 }, (_, i) => ({ key: `key-${i % 10}`, value: `value-${i}`, headers: { n: String(i), kind: "test" } }));
  const acks = await producer.send({ topic, compression: CompressionTypes.GZIP, messages: messages.slice(0, 40) });
  await producer.send({ topic, messages: messages.slice(40) });
  assert.ok(acks.length > 1, "messages went to several partitions");

  const seen: Seen[] = [];
  const consumer = kafka.consumer({ maxWaitTimeInMs: 500, groupId: uniqueName("g"), heartbeatInterval: 500 });
  await consumer.connect();
  defer(t, () => consumer.disconnect());
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: collect(consumer, seen) });
  await waitFor(() => seen.length >= 80, 20000, "80 messages");

  assert.equal(seen.length, 80);
  assert.deepEqual(seen.map((s) => s.value).sort(), messages.map((m) => m.value).sort());
  const partitionsUsed = new Set(seen.map((s) => s.partition));
  assert.ok(partitionsUsed.size >= 3, `used ${partitionsUsed.size} partitions`);
  const keyPartition = new Map<string, number>();
  for (const s of seen) {
    const i = Number(s.value.slice(6));
    assert.equal(s.key, `key-${i % 10}`);
    assert.deepEqual(s.headers, { n: String(i), kind: "test" });
    if (keyPartition.has(s.key as string)) assert.equal(keyPartition.get(s.key as string), s.partition, "one key, one partition");
    keyPartition.set(s.key as string, s.partition);
  }
  // Within a partition, offsets are dense and in order.
  for (const p of partitionsUsed) {
    const offsets = seen.filter((s) => s.partition === p).map((s) => s.offset);
    assert.deepEqual(offsets, offsets.map((_, i) => i));
  }
});

test("fromBeginning reads earlier messages, latest reads only new ones", async (t) => {
  const broker = await testBroker(t);
  const kafka = client(broker);
  const topic = uniqueName("latest");
  const producer = kafka.producer();
  await producer.connect();
  defer(t, () => producer.disconnect());
  await producer.send({ topic, messages: [1, 2, 3].map((i) => ({ value: `old-${i}` })) });

  const early: Seen[] = [];
  const late: Seen[] = [];
  const fromStart = kafka.consumer({ maxWaitTimeInMs: 500, groupId: uniqueName("begin"), heartbeatInterval: 500 });
  const latest = kafka.consumer({ maxWaitTimeInMs: 500, groupId: uniqueName("latest"), heartbeatInterval: 500 });
  for (const c of [fromStart, latest]) {
    await c.connect();
    defer(t, () => c.disconnect());
  }
  await fromStart.subscribe({ topic, fromBeginning: true });
  await latest.subscribe({ topic, fromBeginning: false });
  let latestFetched = false;
  latest.on(latest.events.FETCH, () => {
    latestFetched = true;
  });
  await fromStart.run({ eachMessage: collect(fromStart, early) });
  await latest.run({ eachMessage: collect(latest, late) });
  await waitFor(() => latestFetched && early.length === 3, 20000, "the latest consumer to fetch");
  await producer.send({ topic, messages: [4, 5].map((i) => ({ value: `new-${i}` })) });
  await waitFor(() => early.length === 5 && late.length === 2, 20000, "new messages");
  assert.deepEqual(early.map((s) => s.value), ["old-1", "old-2", "old-3", "new-4", "new-5"]);
  assert.deepEqual(late.map((s) => s.value), ["new-4", "new-5"]);
});

test("a consumer group resumes from its committed offsets", async (t) => {
  const broker = await testBroker(t);
  const kafka = client(broker);
  const topic = uniqueName("resume");
  const groupId = uniqueName("resume-group");
  const producer = kafka.producer();
  await producer.connect();
  defer(t, () => producer.disconnect());
  await producer.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ value: `first-${i}` })) });

  const first: Seen[] = [];
  const c1 = kafka.consumer({ maxWaitTimeInMs: 500, groupId, heartbeatInterval: 500 });
  await c1.connect();
  await c1.subscribe({ topic, fromBeginning: true });
  await c1.run({ eachMessage: collect(c1, first) });
  await waitFor(() => first.length === 10, 20000, "first 10");
  await c1.disconnect(); // commits on the way out

  const admin = kafka.admin();
  await admin.connect();
  defer(t, () => admin.disconnect());
  const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
  assert.deepEqual(committed[0].partitions.map((p) => p.offset), ["10"]);

  // Then an end marker: once the second consumer has it, it has read all it was going to read.
  await producer.send({ topic, messages: Array.from({ length: 5 }, (_, i) => ({ value: `second-${i}` })) });
  await producer.send({ topic, messages: [{ value: "end" }] });
  const second: Seen[] = [];
  const c2 = kafka.consumer({ maxWaitTimeInMs: 500, groupId, heartbeatInterval: 500 });
  await c2.connect();
  defer(t, () => c2.disconnect());
  await c2.subscribe({ topic, fromBeginning: true });
  await c2.run({ eachMessage: collect(c2, second) });
  await waitFor(() => second.some((s) => s.value === "end"), 60000, "the end marker");
  assert.deepEqual(second.map((s) => s.value), ["second-0", "second-1", "second-2", "second-3", "second-4", "end"]);
  assert.deepEqual(second.map((s) => s.offset), [10, 11, 12, 13, 14, 15]);
});

test("admin creates, lists and deletes topics and fetches and sets group offsets", async (t) => {
  const broker = await testBroker(t, { partitions: 2 });
  const kafka = client(broker);
  const admin = kafka.admin();
  await admin.connect();
  defer(t, () => admin.disconnect());
  const a = uniqueName("admin-a");
  const b = uniqueName("admin-b");
  assert.equal(await admin.createTopics({ topics: [{ topic: a, numPartitions: 3 }, { topic: b }] }), true);
  assert.equal(await admin.createTopics({ topics: [{ topic: a, numPartitions: 3 }] }), false, "already exists");
  const listed = await admin.listTopics();
  assert.ok(listed.includes(a) && listed.includes(b));
  const meta = await admin.fetchTopicMetadata({ topics: [a, b] });
  assert.deepEqual(meta.topics.map((t) => [t.name, t.partitions.length]).sort(), [[a, 3], [b, 2]].sort());

  const groupId = uniqueName("admin-group");
  const none = await admin.fetchOffsets({ groupId, topics: [a] });
  assert.deepEqual(none[0].partitions.map((p) => p.offset), ["-1", "-1", "-1"]);
  const producer = kafka.producer();
  await producer.connect();
  defer(t, () => producer.disconnect());
  await producer.send({ topic: a, messages: Array.from({ length: 9 }, (_, i) => ({ value: String(i), partition: i % 3 })) });
  await admin.setOffsets({ groupId, topic: a, partitions: [{ partition: 1, offset: "2" }] });
  const some = await admin.fetchOffsets({ groupId, topics: [a] });
  assert.deepEqual(some[0].partitions.sort((x, y) => x.partition - y.partition).map((p) => p.offset), ["-1", "2", "-1"]);
  const ends = await admin.fetchTopicOffsets(a);
  assert.deepEqual(ends.sort((x, y) => x.partition - y.partition).map((p) => [p.low, p.high]), [["0", "3"], ["0", "3"], ["0", "3"]]);
  const groups = await admin.listGroups();
  assert.ok(groups.groups.some((g) => g.groupId === groupId));

  await admin.deleteTopics({ topics: [b] });
  const after = await admin.listTopics();
  assert.ok(after.includes(a) && !after.includes(b));
});

test("a fetch at an offset inside a batch gets exactly the records from that offset on", async (t) => {
  const broker = await testBroker(t);
  const kafka = client(broker);
  const topic = uniqueName("inside");
  const groupId = uniqueName("inside-group");
  const producer = kafka.producer();
  await producer.connect();
  defer(t, () => producer.disconnect());
  // One send to one partition is one record batch with offsets 0-9; then an end marker at 10.
  await producer.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ value: `m${i}` })) });
  await producer.send({ topic, messages: [{ value: "end" }] });
  const seen: Seen[] = [];
  const consumer = kafka.consumer({ maxWaitTimeInMs: 500, groupId, heartbeatInterval: 500 });
  await consumer.connect();
  defer(t, () => consumer.disconnect());
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: collect(consumer, seen) });
  consumer.seek({ topic, partition: 0, offset: "4" });
  await waitFor(() => seen.some((s) => s.value === "end"), 60000, "the end marker");
  assert.deepEqual(seen.map((s) => s.offset), [4, 5, 6, 7, 8, 9, 10]);
  assert.deepEqual(seen.map((s) => s.value), ["m4", "m5", "m6", "m7", "m8", "m9", "end"]);
});

test("a consumer group of three members joining and leaving loses no message", async (t) => {
  const broker = await testBroker(t);
  const kafka = client(broker);
  const topic = uniqueName("group3");
  const groupId = uniqueName("three");
  const admin = kafka.admin();
  await admin.connect();
  defer(t, () => admin.disconnect());
  await admin.createTopics({ topics: [{ topic, numPartitions: 6 }] });
  const producer = kafka.producer();
  await producer.connect();
  defer(t, () => producer.disconnect());

  const seen = new Map<string, Set<string>>(); // value -> members that processed it
  const assignments = new Map<string, number>(); // member -> partitions in its last assignment
  const members: Consumer[] = [];
  async function addMember(name: string): Promise<Consumer> {
    const c = kafka.consumer({ maxWaitTimeInMs: 500, groupId, heartbeatInterval: 300, sessionTimeout: 6000, rebalanceTimeout: 10000 });
    c.on(c.events.GROUP_JOIN, (e) => {
      assignments.set(name, (e.payload.memberAssignment[topic] ?? []).length);
    });
    await c.connect();
    defer(t, () => c.disconnect());
    await c.subscribe({ topic, fromBeginning: true });
    await c.run({
      eachMessage: async ({ message }) => {
        const v = message.value?.toString() ?? "";
        if (!seen.has(v)) seen.set(v, new Set());
        seen.get(v)?.add(name);
      },
    });
    members.push(c);
    return c;
  }

  let sent = 0;
  const sendSome = async (n: number) => {
    await producer.send({ topic, messages: Array.from({ length: n }, () => ({ key: String(sent), value: `v${sent++}` })) });
  };
  await sendSome(30);
  await addMember("a");
  await sendSome(30);
  await addMember("b");
  await sendSome(30);
  await addMember("c");
  await waitFor(() => [...assignments.values()].reduce((x, y) => x + y, 0) === 6 && assignments.size === 3 && [...assignments.values()].every((n) => n === 2), 30000, "three members with 2 partitions each");
  await sendSome(30);
  await waitFor(() => seen.size === sent, 30000, "all messages so far");
  const byMember = new Set([...seen.values()].flatMap((s) => [...s]));
  assert.deepEqual([...byMember].sort(), ["a", "b", "c"], "every member processed messages");

  await members[2].disconnect(); // c leaves
  await sendSome(30);
  await members[1].disconnect(); // b leaves
  await sendSome(30);
  await waitFor(() => seen.size === sent, 30000, "all messages after members left");
  assert.equal(assignments.get("a"), 6, "the last member owns every partition");
  for (let i = 0; i < sent; i++) assert.ok(seen.has(`v${i}`), `v${i} was consumed`);
});

test("ListOffsets by timestamp finds the first message at or after a time", async (t) => {
  const broker = await testBroker(t);
  const kafka = client(broker);
  const topic = uniqueName("by-time");
  const producer = kafka.producer();
  await producer.connect();
  defer(t, () => producer.disconnect());
  const base = Date.now() - 100000;
  await producer.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ value: `m${i}`, timestamp: String(base + i * 1000) })) });
  await producer.send({ topic, compression: CompressionTypes.GZIP, messages: Array.from({ length: 10 }, (_, i) => ({ value: `n${i}`, timestamp: String(base + 10000 + i * 1000) })) });
  const admin = kafka.admin();
  await admin.connect();
  defer(t, () => admin.disconnect());
  for (const [ts, expected] of [[base + 3500, "4"], [base + 12000, "12"], [base - 1, "0"]] as const) {
    const [p] = await admin.fetchTopicOffsetsByTimestamp(topic, ts);
    assert.equal(p.offset, expected, `timestamp ${ts - base}`);
  }
});

test("topics, messages and committed offsets survive a broker restart", async (t) => {
  const dataDir = tempDir(t);
  const topic = uniqueName("restart");
  const groupId = uniqueName("restart-g");
  const first = await startBroker({ dataDir, partitions: 2 });
  const kafka1 = client(first);
  const producer = kafka1.producer();
  await producer.connect();
  await producer.send({ topic, messages: Array.from({ length: 6 }, (_, i) => ({ value: `r${i}`, partition: i % 2 })) });
  await producer.disconnect();
  const seen: Seen[] = [];
  const consumer = kafka1.consumer({ groupId, maxWaitTimeInMs: 300 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: collect(consumer, seen) });
  await waitFor(() => seen.length === 6, 20000, "6 messages");
  await consumer.disconnect();
  await first.close();

  const second = await testBroker(t, { dataDir });
  const admin = client(second).admin();
  await admin.connect();
  defer(t, () => admin.disconnect());
  assert.ok((await admin.listTopics()).includes(topic));
  const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
  assert.deepEqual(offsets.partitions.sort((a, b) => a.partition - b.partition).map((p) => p.offset), ["3", "3"]);
  const ends = await admin.fetchTopicOffsets(topic);
  assert.deepEqual(ends.map((p) => p.high), ["3", "3"]);
});

test("a LogAppendTime topic stamps batches with the broker's time", async (t) => {
  const broker = await testBroker(t);
  const kafka = client(broker);
  const topic = uniqueName("append-time");
  const admin = kafka.admin();
  await admin.connect();
  defer(t, () => admin.disconnect());
  await admin.createTopics({ topics: [{ topic, configEntries: [{ name: "message.timestamp.type", value: "LogAppendTime" }] }] });
  const producer = kafka.producer();
  await producer.connect();
  defer(t, () => producer.disconnect());
  const before = Date.now();
  const [ack] = await producer.send({ topic, messages: [{ value: "old", timestamp: "1000" }] });
  assert.ok(Number(ack.logAppendTime) >= before, "the produce response carries the append time");
  const stamps: number[] = [];
  const consumer = kafka.consumer({ groupId: uniqueName("append-time"), maxWaitTimeInMs: 300 });
  await consumer.connect();
  defer(t, () => consumer.disconnect());
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void stamps.push(Number(message.timestamp)) });
  await waitFor(() => stamps.length === 1, 20000, "the message");
  assert.ok(stamps[0] >= before && stamps[0] <= Date.now(), `timestamp ${stamps[0]} is the append time`);
});

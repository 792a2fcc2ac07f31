/**
 * Conformance with clients we did not write: librdkafka through Debian's kcat and
 * python3-confluent-kafka, and kafka-python (python3-kafka, old fixed API versions).
 * Each test skips, saying why, when its Debian package is not installed (.ci/run installs them).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { client, defer, hasCommand, pythonWith, run, tempDir, testBroker, uniqueName, waitFor } from "../helpers";

const KCAT = hasCommand("kcat") ? null : "kcat is not installed (apt-get install kcat)";
const confluentPython = pythonWith("confluent_kafka");
const CONFLUENT = confluentPython ? null : "python3-confluent-kafka is not installed (apt-get install python3-confluent-kafka)";
const kafkaPython = pythonWith("kafka");
const KAFKA_PYTHON = kafkaPython ? null : "python3-kafka is not installed (apt-get install python3-kafka)";

const CONFLUENT_GROUP = `
import sys, time, json
from confluent_kafka import Consumer, Producer
addr, topic, group, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
p = Producer({"bootstrap.servers": addr, "linger.ms": 5})
for i in range(n):
    p.produce(topic, key=str(i).encode(), value=("cf-%d" % i).encode())
assert p.flush(20) == 0
conf = {"bootstrap.servers": addr, "group.id": group, "auto.offset.reset": "earliest",
        "session.timeout.ms": 6000, "heartbeat.interval.ms": 500, "enable.auto.commit": False}
members = [Consumer(dict(conf)), Consumer(dict(conf))]
for c in members:
    c.subscribe([topic])
seen = {}
counts = [0, 0]
end = time.time() + 30
while len(seen) < n and time.time() < end:
    for i, c in enumerate(members):
        m = c.poll(0.2)
        if m is None or m.error():
            continue
        seen[m.value().decode()] = i
        counts[i] += 1
        c.commit(message=m, asynchronous=False)
assignments = [len(c.assignment()) for c in members]
for c in members:
    c.close()
print(json.dumps({"unique": len(seen), "counts": counts, "assignments": assignments}))
`;

const CONFLUENT_JOIN = `
import sys, time
from confluent_kafka import Consumer
c = Consumer({"bootstrap.servers": sys.argv[1], "group.id": sys.argv[2], "auto.offset.reset": "earliest", "session.timeout.ms": 6000})
c.subscribe([sys.argv[3]])
end = time.time() + 15
while time.time() < end:
    m = c.poll(0.5)
    if m is not None and m.error():
        print("ERROR", m.error().code(), m.error().name())
        break
    if m is not None:
        print("MESSAGE")
        break
c.close()
`;

const KAFKA_PYTHON_ROUND_TRIP = `
import sys, json
from kafka import KafkaProducer, KafkaConsumer
addr, topic, group = sys.argv[1], sys.argv[2], sys.argv[3]
p = KafkaProducer(bootstrap_servers=addr, acks="all", retries=3, compression_type="gzip")
futures = [p.send(topic, key=b"k%d" % i, value=b"py-%d" % i) for i in range(20)]
offsets = sorted(f.get(timeout=20).offset for f in futures)
p.flush()
p.close()
c = KafkaConsumer(topic, bootstrap_servers=addr, group_id=group, auto_offset_reset="earliest",
                  consumer_timeout_ms=3000, session_timeout_ms=6000)
values = [m.value.decode() for m in c]
c.commit()
c.close()
print(json.dumps({"offsets": offsets, "values": values}))
`;

function script(t: Parameters<typeof tempDir>[0], name: string, text: string): string {
  const file = path.join(tempDir(t, "broker-py-"), name);
  fs.writeFileSync(file, text);
  return file;
}

test("kcat lists metadata, produces, and consumes from the beginning", { skip: KCAT ?? false, timeout: 120_000 }, async (t) => {
  const broker = await testBroker(t, { partitions: 3 });
  const topic = uniqueName("kcat");
  const lines = Array.from({ length: 30 }, (_, i) => `key${i}:value ${i}`);
  const produced = await run("kcat", ["-b", broker.brokers, "-P", "-t", topic, "-K:", "-z", "gzip"], { input: `${lines.join("\n")}\n` });
  assert.equal(produced.code, 0, produced.stderr);

  const meta = await run("kcat", ["-b", broker.brokers, "-L", "-J"]);
  assert.equal(meta.code, 0, meta.stderr);
  const json = JSON.parse(meta.stdout) as { brokers: { id: number; name: string }[]; topics: { topic: string; partitions: unknown[] }[] };
  assert.deepEqual(json.brokers.map((b) => b.name), [broker.brokers]);
  assert.equal(json.topics.find((x) => x.topic === topic)?.partitions.length, 3);

  const consumed = await run("kcat", ["-b", broker.brokers, "-C", "-t", topic, "-o", "beginning", "-e", "-f", "%k:%s\n"]);
  assert.equal(consumed.code, 0, consumed.stderr);
  assert.deepEqual(consumed.stdout.trim().split("\n").sort(), [...lines].sort());

  // kafkajs reads what librdkafka wrote.
  const values: string[] = [];
  const consumer = client(broker).consumer({ groupId: uniqueName("kcat-js"), maxWaitTimeInMs: 300 });
  await consumer.connect();
  defer(t, () => consumer.disconnect());
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void values.push(`${message.key}:${message.value}`) });
  await waitFor(() => values.length >= 30, 20000, "kcat messages in kafkajs");
  assert.deepEqual(values.sort(), [...lines].sort());
});

test("kcat -G consumes as a group and commits its offsets", { skip: KCAT ?? false, timeout: 120_000 }, async (t) => {
  const broker = await testBroker(t, { partitions: 2 });
  const topic = uniqueName("kcat-group");
  const groupId = uniqueName("kcat-g");
  const producer = client(broker).producer();
  await producer.connect();
  defer(t, () => producer.disconnect());
  await producer.send({ topic, messages: Array.from({ length: 40 }, (_, i) => ({ key: String(i), value: `g${i}` })) });

  const consumed = await run("kcat", ["-b", broker.brokers, "-X", "auto.offset.reset=earliest", "-G", groupId, "-e", "-f", "%s\n", topic], { timeoutMs: 40000 });
  assert.equal(consumed.code, 0, consumed.stderr);
  assert.deepEqual(consumed.stdout.trim().split("\n").sort(), Array.from({ length: 40 }, (_, i) => `g${i}`).sort());
  const admin = client(broker).admin();
  await admin.connect();
  defer(t, () => admin.disconnect());
  const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
  assert.equal(offsets.partitions.reduce((n, p) => n + Number(p.offset), 0), 40, "kcat committed the end offsets");
});

test("a python3-confluent-kafka consumer group of two shares the partitions and reads everything", { skip: CONFLUENT ?? false, timeout: 120_000 }, async (t) => {
  const broker = await testBroker(t, { partitions: 4 });
  const topic = uniqueName("confluent");
  const groupId = uniqueName("confluent-g");
  const r = await run(confluentPython as string, [script(t, "group.py", CONFLUENT_GROUP), broker.brokers, topic, groupId, "100"], { timeoutMs: 50000 });
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { unique: number; counts: number[]; assignments: number[] };
  assert.equal(out.unique, 100);
  assert.ok(out.counts.every((c) => c > 0), `both members read messages: ${out.counts}`);
  assert.deepEqual(out.assignments, [2, 2]);
  const admin = client(broker).admin();
  await admin.connect();
  defer(t, () => admin.disconnect());
  const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
  assert.equal(offsets.partitions.reduce((n, p) => n + Number(p.offset), 0), 100, "commits reached the broker");
});

test("python3-kafka (kafka-python, fixed old API versions) produces and consumes", { skip: KAFKA_PYTHON ?? false, timeout: 120_000 }, async (t) => {
  const broker = await testBroker(t, { partitions: 2 });
  const topic = uniqueName("kafka-python");
  const r = await run(kafkaPython as string, [script(t, "round_trip.py", KAFKA_PYTHON_ROUND_TRIP), broker.brokers, topic, uniqueName("kp")], { timeoutMs: 50000 });
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { offsets: number[]; values: string[] };
  assert.equal(out.offsets.length, 20);
  assert.deepEqual(out.values.sort(), Array.from({ length: 20 }, (_, i) => `py-${i}`).sort());
});

test("a group mixing kafkajs and librdkafka members gets INCONSISTENT_GROUP_PROTOCOL (23)", { skip: CONFLUENT ?? false, timeout: 120_000 }, async (t) => {
  const broker = await testBroker(t);
  const topic = uniqueName("mixed");
  const groupId = uniqueName("mixed-g");
  const kafka = client(broker);
  const producer = kafka.producer();
  await producer.connect();
  defer(t, () => producer.disconnect());
  await producer.send({ topic, messages: [{ value: "x" }] });
  let joined = false;
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 300 });
  consumer.on(consumer.events.GROUP_JOIN, () => {
    joined = true;
  });
  await consumer.connect();
  defer(t, () => consumer.disconnect());
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async () => undefined });
  await waitFor(() => joined, 20000, "the kafkajs member to join");

  const r = await run(confluentPython as string, [script(t, "join.py", CONFLUENT_JOIN), broker.brokers, groupId, topic], { timeoutMs: 30000 });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /ERROR 23 INCONSISTENT_GROUP_PROTOCOL/);
});

import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { closeEmbeddedBroker, kafka, kafkaBrokers } from "../../../lib/kafka";
import { defer, spawnBrokerChild, tempDir, uniqueName } from "./helpers";

test("kafka() starts one embedded broker per process in the work folder and closeEmbeddedBroker stops it", async (t) => {
  const home = tempDir(t, "workbook-home-");
  const saved = { home: process.env.WORKBOOK_HOME, brokers: process.env.KAFKA_BROKERS };
  process.env.WORKBOOK_HOME = home;
  delete process.env.KAFKA_BROKERS;
  defer(t, () => {
    process.env.WORKBOOK_HOME = saved.home;
    if (saved.brokers !== undefined) process.env.KAFKA_BROKERS = saved.brokers;
  });
  defer(t, () => closeEmbeddedBroker());

  const k1 = await kafka();
  const k2 = await kafka({ clientId: "second" });
  const [a] = await kafkaBrokers();
  assert.match(a, /^127\.0\.0\.1:\d+$/);
  assert.deepEqual(await kafkaBrokers(), [a], "the same broker for every call");
  const topic = uniqueName("embedded");
  const producer = k1.producer();
  await producer.connect();
  await producer.send({ topic, messages: [{ value: "hello" }] });
  await producer.disconnect();
  const admin = k2.admin();
  await admin.connect();
  assert.ok((await admin.listTopics()).includes(topic));
  await admin.disconnect();
  assert.ok(fs.existsSync(path.join(home, "kafka", "topics", `${topic}-0`)), "data lives in <home>/kafka");

  await closeEmbeddedBroker();
  assert.equal(fs.existsSync(path.join(home, "kafka", "broker.lock")), false);
});

test("kafka() uses the broker another process runs on the same work folder", async (t) => {
  const home = tempDir(t, "workbook-home-");
  const b = await spawnBrokerChild(t, ["--port", "0", "--data-dir", path.join(home, "kafka")]);
  process.env.WORKBOOK_HOME = home;
  delete process.env.KAFKA_BROKERS;
  defer(t, () => closeEmbeddedBroker());
  assert.deepEqual(await kafkaBrokers(), [b.address]);
});

test("kafka() with KAFKA_BROKERS set points at that cluster and starts nothing", async (t) => {
  const home = tempDir(t, "workbook-home-");
  process.env.WORKBOOK_HOME = home;
  process.env.KAFKA_BROKERS = "broker1:9092,broker2:9093";
  defer(t, () => {
    delete process.env.KAFKA_BROKERS;
  });
  assert.deepEqual(await kafkaBrokers(), ["broker1:9092", "broker2:9093"]);
  await kafka();
  assert.equal(fs.existsSync(path.join(home, "kafka")), false, "no embedded broker was started");
});

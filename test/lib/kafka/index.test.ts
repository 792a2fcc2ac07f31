import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import type { KafkaConfig } from "kafkajs";
import { readConfig } from "../../../lib/config";
import { closeEmbeddedBroker, kafka, kafkaBrokers, kafkaClientConfig } from "../../../lib/kafka";
import { withEnv } from "../../helpers";
import { defer, spawnBrokerChild, tempDir, uniqueName } from "./helpers";

test("kafka() starts one embedded broker per process in the work folder and closeEmbeddedBroker stops it", async (t) => {
  const home = tempDir(t, "workbook-home-");
  withEnv(t, { WORKBOOK_HOME: home, KAFKA_BROKERS: undefined });
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
  withEnv(t, { WORKBOOK_HOME: home, KAFKA_BROKERS: undefined });
  defer(t, () => closeEmbeddedBroker());
  assert.deepEqual(await kafkaBrokers(), [b.address]);
});

test("kafka() with KAFKA_BROKERS set points at that cluster and starts nothing", async (t) => {
  const home = tempDir(t, "workbook-home-");
  withEnv(t, { WORKBOOK_HOME: home, KAFKA_BROKERS: "broker1:9092,broker2:9093" });
  assert.deepEqual(await kafkaBrokers(), ["broker1:9092", "broker2:9093"]);
  await kafka();
  assert.equal(fs.existsSync(path.join(home, "kafka")), false, "no embedded broker was started");
});

test("the kafkajs config carries TLS and SASL from KAFKA_SSL and KAFKA_SASL_* for an external cluster only", () => {
  const external = readConfig({ KAFKA_BROKERS: "b1:9093,b2:9093", KAFKA_SSL: "true", KAFKA_SASL_MECHANISM: "SCRAM-SHA-512", KAFKA_SASL_USERNAME: "ada", KAFKA_SASL_PASSWORD: "s3cret" }).kafka;
  assert.deepEqual(kafkaClientConfig(external, external.brokers, { clientId: "me", kafkaConfig: { connectionTimeout: 5000 } }), {
    connectionTimeout: 5000,
    clientId: "me",
    brokers: ["b1:9093", "b2:9093"],
    logLevel: 1,
    ssl: true,
    sasl: { mechanism: "scram-sha-512", username: "ada", password: "s3cret" },
  });

  const plain = readConfig({ KAFKA_BROKERS: "b1:9092", KAFKA_SASL_MECHANISM: "plain", KAFKA_SASL_USERNAME: "u", KAFKA_SASL_PASSWORD: "p" }).kafka;
  const c = kafkaClientConfig(plain, plain.brokers);
  assert.deepEqual(c.sasl, { mechanism: "plain", username: "u", password: "p" });
  assert.equal(c.ssl, undefined, "no TLS unless KAFKA_SSL is true");
  assert.equal(c.clientId, "de-workbook");

  const tlsOnly = readConfig({ KAFKA_BROKERS: "b1:9093", KAFKA_SSL: "1" }).kafka;
  assert.deepEqual([kafkaClientConfig(tlsOnly, tlsOnly.brokers).ssl, kafkaClientConfig(tlsOnly, tlsOnly.brokers).sasl], [true, undefined]);

  // Without KAFKA_BROKERS the embedded broker is used: the SASL and TLS settings do not apply to it.
  const embedded = readConfig({ KAFKA_SSL: "true", KAFKA_SASL_MECHANISM: "plain", KAFKA_SASL_USERNAME: "u", KAFKA_SASL_PASSWORD: "p" }).kafka;
  const e = kafkaClientConfig(embedded, ["127.0.0.1:1234"]);
  assert.deepEqual([e.brokers, e.ssl, e.sasl], [["127.0.0.1:1234"], undefined, undefined]);
  // ...and 10 s to connect (kafkajs's 1 s logs errors on a loaded machine); the caller's setting wins, external clusters keep kafkajs's
  assert.equal(e.connectionTimeout, 10_000);
  assert.equal(kafkaClientConfig(embedded, ["127.0.0.1:1234"], { kafkaConfig: { connectionTimeout: 3000 } }).connectionTimeout, 3000);
  assert.equal(c.connectionTimeout, undefined);
});

test("kafka() hands the SASL/SSL settings of the environment to the kafkajs client it creates", async (t) => {
  withEnv(t, { KAFKA_BROKERS: "broker1:9096", KAFKA_SSL: "true", KAFKA_SASL_MECHANISM: "scram-sha-256", KAFKA_SASL_USERNAME: "svc", KAFKA_SASL_PASSWORD: "pw" });
  // kafka() loads kafkajs at call time: a stand-in Kafka class records the config it is given.
  const kafkajs = require("kafkajs") as { Kafka: unknown };
  const original = kafkajs.Kafka;
  const seen: KafkaConfig[] = [];
  kafkajs.Kafka = class {
    constructor(config: KafkaConfig) {
      seen.push(config);
    }
  };
  t.after(() => {
    kafkajs.Kafka = original;
  });
  await kafka({ clientId: "wired" });
  assert.equal(seen.length, 1);
  assert.deepEqual([seen[0].brokers, seen[0].clientId, seen[0].ssl, seen[0].sasl], [["broker1:9096"], "wired", true, { mechanism: "scram-sha-256", username: "svc", password: "pw" }]);
});

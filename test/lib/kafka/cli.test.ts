import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { client, defer, spawnBrokerChild, tempDir, uniqueName } from "./helpers";

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  test(`workbook broker prints one listening line and stops cleanly on ${signal}`, async (t) => {
    const dataDir = tempDir(t);
    const b = await spawnBrokerChild(t, ["--port", "0", "--data-dir", dataDir, "--partitions", "3"]);
    assert.match(b.address, /^127\.0\.0\.1:\d+$/);
    const kafka = client(b.address);
    const admin = kafka.admin();
    await admin.connect();
    const topic = uniqueName("cli");
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ value: "x" }] });
    const meta = await admin.fetchTopicMetadata({ topics: [topic] });
    assert.equal(meta.topics[0].partitions.length, 3, "--partitions sets the auto-created topic size");
    await producer.disconnect();
    await admin.disconnect();

    b.child.kill(signal);
    const { code } = await b.exited;
    assert.equal(code, 0);
    assert.equal(fs.existsSync(path.join(dataDir, "broker.lock")), false, "the lock is released");
    assert.ok(fs.existsSync(path.join(dataDir, "topics", `${topic}-0`)), "data stays in the data folder");
  });
}

test("workbook broker rejects a bad option with a usage message", async (t) => {
  defer(t, () => undefined);
  await assert.rejects(spawnBrokerChild(t, ["--port", "abc"]), /--port "abc" is not valid/);
});

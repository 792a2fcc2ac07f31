/** What the broker does on disk by itself: retention on its timer, and DeleteTopics removing the topic's folders. */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { startBroker } from "../../../../lib/kafka/broker/broker";
import { client, defer, tempDir, testBroker, uniqueName, waitFor } from "../helpers";

const logFiles = (dir: string) => fs.readdirSync(dir).filter((f) => f.endsWith(".log")).sort();

test("retention runs on the broker's timer: a topic's old segments (retention.ms, small segment.bytes) are deleted with no client call", { timeout: 120_000 }, async (t) => {
  const broker = await testBroker(t, { retentionCheckIntervalMs: 100 });
  const kafka = client(broker);
  const topic = uniqueName("retention");
  const admin = kafka.admin();
  await admin.connect();
  const configEntries = [{ name: "retention.ms", value: "60000" }, { name: "segment.bytes", value: "200" }];
  assert.equal(await admin.createTopics({ topics: [{ topic, numPartitions: 1, configEntries }] }), true);
  const producer = kafka.producer();
  await producer.connect();
  // Ten sends an hour old, each bigger than a segment (so each seals one), then one recent send.
  const hourAgo = Date.now() - 3_600_000;
  for (let i = 0; i < 10; i++) await producer.send({ topic, messages: [{ value: `old-${i}-${"x".repeat(150)}`, timestamp: String(hourAgo + i) }] });
  const [recent] = await producer.send({ topic, messages: [{ value: "recent" }] });
  assert.equal(recent.baseOffset, "10");
  await producer.disconnect();
  await admin.disconnect();

  // From here on nobody talks to the broker: only its timer can delete the segments.
  const dir = path.join(broker.dataDir, "topics", `${topic}-0`);
  await waitFor(() => !logFiles(dir).includes(`${"0".repeat(20)}.log`), 60000, "the first segment to be deleted");
  await waitFor(() => logFiles(dir).length === 1, 60000, "only the active segment to be left");
  assert.deepEqual(logFiles(dir), [`${"10".padStart(20, "0")}.log`], "the old segments are gone, the recent one is kept");
  assert.equal(fs.readdirSync(dir).filter((f) => f.endsWith(".index")).length, 1, "their index files too");

  // Clients see the log start where the kept segment begins.
  const again = kafka.admin();
  await again.connect();
  defer(t, () => again.disconnect());
  assert.deepEqual((await again.fetchTopicOffsets(topic)).map((p) => [p.low, p.high]), [["10", "11"]]);
});

test("DeleteTopics removes the topic's partition folders from disk, and a restarted broker does not bring it back", { timeout: 120_000 }, async (t) => {
  const dataDir = tempDir(t);
  const first = await startBroker({ dataDir });
  defer(t, () => first.close());
  const kafka = client(first);
  const [kept, deleted] = [uniqueName("kept"), uniqueName("deleted")];
  const admin = kafka.admin();
  await admin.connect();
  assert.equal(await admin.createTopics({ topics: [{ topic: kept, numPartitions: 1 }, { topic: deleted, numPartitions: 2 }] }), true);
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: deleted, messages: [{ value: "a", partition: 0 }, { value: "b", partition: 1 }] });
  await producer.disconnect();
  const folder = (topic: string, p: number) => path.join(dataDir, "topics", `${topic}-${p}`);
  assert.ok(fs.existsSync(folder(deleted, 0)) && fs.existsSync(folder(deleted, 1)) && fs.existsSync(folder(kept, 0)));

  await admin.deleteTopics({ topics: [deleted] });
  await admin.disconnect();
  assert.equal(fs.existsSync(folder(deleted, 0)), false, "partition 0's folder is gone");
  assert.equal(fs.existsSync(folder(deleted, 1)), false, "partition 1's folder is gone");
  assert.ok(fs.existsSync(folder(kept, 0)), "other topics stay");

  await first.close();
  const second = await startBroker({ dataDir, autoCreateTopics: false });
  defer(t, () => second.close());
  const admin2 = client(second).admin();
  await admin2.connect();
  defer(t, () => admin2.disconnect());
  const topics = await admin2.listTopics();
  assert.ok(topics.includes(kept) && !topics.includes(deleted), JSON.stringify(topics));
});

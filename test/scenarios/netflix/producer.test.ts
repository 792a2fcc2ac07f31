import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import type { Kafka } from "kafkajs";
import { type ReplayClock, replayRatings } from "../../../scenarios/netflix/producer";
import { RATING_HEADER } from "../../../scenarios/netflix/ratings";
import { tempDir } from "../../helpers";

type Send = { at: number; topic: string; keys: string[]; values: string[] };

/** A kafkajs stand-in that records every send and the clock's time when it happened. */
function recordingKafka(now: () => number): { kafka: Kafka; sends: Send[]; connected: () => boolean } {
  const sends: Send[] = [];
  let connected = false;
  const producer = {
    connect: async () => void (connected = true),
    disconnect: async () => void (connected = false),
    send: async ({ topic, messages }: { topic: string; messages: { key: string; value: string }[] }) => {
      assert.ok(connected, "sent while connected");
      sends.push({ at: now(), topic, keys: messages.map((m) => m.key), values: messages.map((m) => m.value) });
      return [];
    },
  };
  return { kafka: { producer: () => producer } as unknown as Kafka, sends, connected: () => connected };
}

/** Days 0, 2 and 5 of January 2005: three, two and one ratings. */
function ratingsFile(dir: string): string {
  const file = path.join(dir, "ratings.csv");
  const lines = ["2005-01-01,1,1,3", "2005-01-01,1,2,4", "2005-01-01,2,3,5", "2005-01-03,1,4,2", "2005-01-03,2,5,1", "2005-01-06,1,6,3"];
  fs.writeFileSync(file, [RATING_HEADER, ...lines].join("\n") + "\n");
  return file;
}

test("a replay at a speed sends each day when the clock reaches its time (days / speed seconds after the first), and no sooner", async (t) => {
  const source = ratingsFile(tempDir(t));
  const start = 1_000_000;
  let now = start;
  const sleeps: number[] = [];
  const clock: ReplayClock = { now: () => now, sleep: async (ms) => void (sleeps.push(ms), (now += ms)) };
  const { kafka, sends, connected } = recordingKafka(() => now);

  // 2 days of ratings per second: day 2 is due 1 s after day 0, day 5 2.5 s after it.
  const result = await replayRatings({ kafka, source, topic: "paced", speed: 2, clock });
  assert.deepEqual(sends.map((s) => [s.at - start, s.values.length]), [[0, 3], [1000, 2], [2500, 1]]);
  assert.deepEqual(sleeps, [1000, 1500], "it waits exactly until each day is due");
  assert.deepEqual(sends.flatMap((s) => s.keys), ["2005-01-01", "2005-01-01", "2005-01-01", "2005-01-03", "2005-01-03", "2005-01-06"]);
  assert.ok(sends.every((s) => s.topic === "paced"));
  assert.deepEqual(result, { sent: 6, durationMs: 2500 });
  assert.equal(connected(), false, "the producer is disconnected at the end");
});

test("a replay at a speed does not wait for days whose time has already passed, and speed 0 never waits", async (t) => {
  const source = ratingsFile(tempDir(t));
  // A clock that jumps 10 s at every reading: every day is already due when its ratings are read.
  let now = 0;
  const late: ReplayClock = { now: () => (now += 10_000), sleep: async () => assert.fail("no sleep when a day is already due") };
  const behind = recordingKafka(() => now);
  assert.equal((await replayRatings({ kafka: behind.kafka, source, speed: 2, clock: late })).sent, 6);
  assert.deepEqual(behind.sends.map((s) => s.values.length), [6], "one send: nothing made it flush early");

  const fixed: ReplayClock = { now: () => 0, sleep: async () => assert.fail("speed 0 never sleeps") };
  const fast = recordingKafka(() => 0);
  assert.equal((await replayRatings({ kafka: fast.kafka, source, speed: 0, clock: fixed, batchSize: 4 })).sent, 6);
  assert.deepEqual(fast.sends.map((s) => s.values.length), [4, 2], "batches of batchSize");
  await assert.rejects(replayRatings({ kafka: fast.kafka, source, speed: -1 }), /speed=-1 must be 0/);
});

test("with the wall clock, a replay at a speed takes at least the span of its days / speed", async (t) => {
  const source = ratingsFile(tempDir(t));
  const { kafka, sends } = recordingKafka(() => Date.now());
  // 5 days at 20 days per second: at least 250 ms (only a lower bound: a loaded machine is slower).
  const started = Date.now();
  const result = await replayRatings({ kafka, source, speed: 20 });
  assert.equal(result.sent, 6);
  assert.ok(result.durationMs >= 245, `took ${result.durationMs} ms`);
  // Measured from before the call: the first send may itself be late on a busy machine, the last one
  // is never early.
  const last = sends[sends.length - 1].at - started;
  assert.ok(last >= 245, `the last day was sent ${last} ms after the start, not at least 250 ms`);
});

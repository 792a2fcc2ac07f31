import assert from "node:assert/strict";
import { test } from "node:test";
import * as zmq from "zeromq";
import { queueSends, sendsQueued } from "../../../lib/runner/send-queue";
import { flushAllStreams, streamBuffer } from "../../../lib/runner/stream-buffer";

test("queued sends: 3,000 sends that nobody awaits all arrive, in order (zeromq alone rejects the 513th and later with EBUSY)", { timeout: 60_000 }, async (t) => {
  queueSends(zmq);
  queueSends(zmq); // idempotent
  assert.equal(sendsQueued(zmq), true);
  const pub = new zmq.Publisher({ linger: 0 });
  assert.equal(pub.sendHighWaterMark, 0, "iopub keeps a burst for a slow reader instead of dropping it");
  const sub = new zmq.Subscriber({ linger: 0, receiveHighWaterMark: 0 });
  t.after(() => {
    pub.close();
    sub.close();
  });
  await pub.bind("tcp://127.0.0.1:*");
  sub.connect(pub.lastEndpoint!);
  sub.subscribe();
  const received: string[] = [];
  let probes = 0;
  const reading = (async () => {
    for await (const [frame] of sub) {
      const text = frame.toString();
      if (text === "probe") probes++;
      else received.push(text);
      if (received.length === 3000) return;
    }
  })();
  // a PUB drops what it publishes before the subscription arrives: wait until a probe comes through
  while (probes === 0) {
    void pub.send("probe");
    await new Promise((r) => setTimeout(r, 50));
  }
  const sends: Promise<void>[] = [];
  for (let i = 0; i < 3000; i++) sends.push(pub.send(`m${i}`)); // as tslab sends: all in one turn, none awaited
  const results = await Promise.allSettled(sends);
  assert.deepEqual(results.filter((r) => r.status === "rejected").map((r) => String((r as PromiseRejectedResult).reason)), []);
  await reading;
  assert.deepEqual(received, Array.from({ length: 3000 }, (_, i) => `m${i}`));
});

test("stream buffer: writes within the delay go as one message per run of one stream, in order, and flush sends at once", async () => {
  const sent: [string, string][] = [];
  const b = streamBuffer((name, text) => sent.push([name, text]), { delayMs: 20 });
  for (let i = 0; i < 2000; i++) b.write("stdout", `line ${i}\n`);
  b.write("stderr", "warning\n");
  b.write("stdout", "after\n");
  assert.equal(sent.length, 2, "a change of stream sends what waits");
  assert.equal(sent[0][1].split("\n").length - 1, 2000);
  assert.deepEqual(sent[1], ["stderr", "warning\n"]);
  await new Promise((r) => setTimeout(r, 60));
  assert.deepEqual(sent[2], ["stdout", "after\n"], "the delay sends the rest");
  b.write("stdout", "x");
  b.flush();
  assert.deepEqual(sent[3], ["stdout", "x"]);
  b.flush();
  assert.equal(sent.length, 4, "nothing waiting, nothing sent");
  const big = streamBuffer((name, text) => sent.push([name, text]), { maxChars: 10 });
  big.write("stdout", "0123456789abc");
  assert.deepEqual(sent[4], ["stdout", "0123456789abc"], "past maxChars it goes at once");
});

test("flushAllStreams sends the text of every buffer at once (a cell's and background work's), and only once", () => {
  const sent: string[] = [];
  const a = streamBuffer((_, text) => sent.push(`a:${text}`), { delayMs: 60_000 });
  const b = streamBuffer((_, text) => sent.push(`b:${text}`), { delayMs: 60_000 });
  a.write("stdout", "one\n");
  b.write("stdout", "two\n");
  flushAllStreams();
  assert.deepEqual(sent, ["a:one\n", "b:two\n"]);
  flushAllStreams();
  assert.equal(sent.length, 2);
});

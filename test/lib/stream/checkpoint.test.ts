import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { FileCheckpoint } from "../../../lib/stream/checkpoint";
import { StreamEngine } from "../../../lib/stream/engine";
import { count } from "../../../lib/stream/aggregates";
import { tumbling } from "../../../lib/stream/windows";
import { isWorkbookError } from "../../../lib/errors";
import { tempDir } from "./helpers";

const engine = () => new StreamEngine<number>({ parse: (t) => ({ ok: true, value: Number(t) }), eventTime: (v) => v, watermarkDelayMs: 0, queries: [{ name: "q", window: tumbling(10), key: () => 1, aggregates: { n: count() }, mode: "update" }] });

test("a commit stores state and offsets together and clears the planned batch", (t) => {
  const dir = tempDir(t);
  const cp = new FileCheckpoint(dir);
  assert.equal(cp.load(), undefined);
  cp.plan({ batchId: 1, end: { 0: "3" } });
  assert.deepEqual(cp.pending(), { batchId: 1, end: { 0: "3" } });
  const e = engine();
  e.process([1, 2, 3].map((n) => ({ partition: 0, offset: String(n - 1), key: null, value: Buffer.from(String(n)) })));
  cp.commit({ topic: "t", offsets: { 0: "3" }, state: e.snapshot(), committedAt: new Date().toISOString() });
  assert.equal(cp.pending(), undefined);
  const loaded = new FileCheckpoint(dir).load();
  assert.deepEqual(loaded?.offsets, { 0: "3" });
  // The stored state is the engine's state itself (its open windows, not only its statistics)...
  const state = e.snapshot();
  assert.deepEqual(loaded!.state, state);
  assert.ok(JSON.stringify(state.queries.q ?? state.buckets?.q ?? []).length > 2, `the state holds the open window: ${JSON.stringify(state)}`);
  // ...and an engine restored from it holds the same state and goes on exactly as the original.
  const restored = engine();
  restored.restore(loaded!.state);
  assert.deepEqual(restored.snapshot(), state);
  assert.deepEqual(restored.stateSize(), e.stateSize());
  const more = [4, 15, 27].map((n, i) => ({ partition: 0, offset: String(3 + i), key: null, value: Buffer.from(String(n)) }));
  assert.deepEqual(restored.process(more), e.process(more));
  assert.deepEqual(restored.flush(), e.flush());
  assert.deepEqual(restored.snapshot(), e.snapshot());
  assert.deepEqual(fs.readdirSync(dir), ["state.json"], "no temporary files left");
});

test("a commit given the engine's snapshot text stores that text as the state, with the offsets around it", (t) => {
  const dir = tempDir(t);
  const cp = new FileCheckpoint(dir);
  const e = engine();
  e.process([1, 2, 12].map((n, i) => ({ partition: 0, offset: String(i), key: null, value: Buffer.from(String(n)) })));
  const text = e.snapshotText();
  const expected = JSON.parse(text) as unknown;
  e.process([{ partition: 0, offset: "3", key: null, value: Buffer.from("13") }]);
  cp.commit({ topic: "t", offsets: { 0: "3" }, state: text, committedAt: "2026-01-01T00:00:00.000Z", deadLetters: 2 });
  const stored = JSON.parse(fs.readFileSync(path.join(dir, "state.json"), "utf8")) as Record<string, unknown>;
  assert.deepEqual(stored, { topic: "t", offsets: { 0: "3" }, committedAt: "2026-01-01T00:00:00.000Z", deadLetters: 2, state: expected });
  assert.equal((cp.load()!.state.stats as { in: number }).in, 3, "the state as it was when the text was taken, not after the 4th record");
});

test("a corrupt checkpoint is reported with its path and how to start over", (t) => {
  const dir = tempDir(t);
  fs.writeFileSync(path.join(dir, "state.json"), "{not json");
  assert.throws(() => new FileCheckpoint(dir).load(), (e) => isWorkbookError(e, "STREAM_CHECKPOINT_INVALID") && (e as Error).message.includes(dir));
});

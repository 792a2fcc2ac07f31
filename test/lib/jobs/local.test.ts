import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { isWorkbookError } from "../../../lib/errors";
import { LocalJobRunner } from "../../../lib/jobs/local";
import { processAlive } from "../../../lib/process";
import type { JobProgress } from "../../../lib/jobs/runner";
import type { BarrierResult } from "./fixtures/barrier";

const SQUARE = path.join(__dirname, "fixtures", "square.js");
const FLAKY = path.join(__dirname, "fixtures", "flaky.js");
const BARRIER = path.join(__dirname, "fixtures", "barrier.js");
const SLEEPY = path.join(__dirname, "fixtures", "sleepy.js");

type Square = { n: number; square: number; pid: number; start: number; end: number };

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "workbook-jobs-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test("the local runner splits the input into partitions, runs each slot's partitions in one reused worker process, and keeps input order", async () => {
  const runner = new LocalJobRunner({ workers: 2 });
  const input = Array.from({ length: 20 }, (_, n) => ({ n }));
  const seen: JobProgress[] = [];
  const result = await runner.run<{ n: number }, Square, object>({ module: SQUARE, input, partitions: 5 }, { onProgress: (p) => seen.push(p) });
  await runner.close();
  assert.equal(result.partitions, 5);
  assert.deepEqual(result.outputs.map((o) => o.square), input.map(({ n }) => n * n));
  // Partitions of 4 consecutive records each ran in one process, and the 5 partitions in 2
  // processes: one per slot, kept from one partition to the next.
  for (let p = 0; p < 5; p++) {
    const pids = new Set(result.outputs.slice(4 * p, 4 * p + 4).map((o) => o.pid));
    assert.equal(pids.size, 1, `partition ${p} ran in ${pids.size} processes`);
  }
  assert.equal(new Set(result.outputs.map((o) => o.pid)).size, 2);
  assert.equal(result.errors.length, 0);
  assert.equal(runner.running, 0, "the slots' processes ended with the run");
  const last = seen[seen.length - 1];
  assert.equal(last.partitionsDone, 5);
  assert.equal(last.recordsDone, 20);
  assert.ok(seen.some((p) => p.partitionsDone < 5 && p.recordsDone > 0), "progress came before the end");
});

test("with reuseWorkers: false the local runner starts a fresh process per partition (RDD.pipe's model)", async () => {
  const runner = new LocalJobRunner({ workers: 2, reuseWorkers: false });
  const input = Array.from({ length: 20 }, (_, n) => ({ n }));
  const result = await runner.run<{ n: number }, Square, object>({ module: SQUARE, input, partitions: 5 });
  await runner.close();
  assert.deepEqual(result.outputs.map((o) => o.square), input.map(({ n }) => n * n));
  for (let p = 0; p < 5; p++) assert.equal(new Set(result.outputs.slice(4 * p, 4 * p + 4).map((o) => o.pid)).size, 1);
  assert.equal(new Set(result.outputs.map((o) => o.pid)).size, 5);
});

test("a reused worker that dies on a partition is replaced: the retry and the slot's later partitions run in a new process", async (t) => {
  const markerDir = tempDir(t);
  const runner = new LocalJobRunner({ workers: 1 });
  // 4 partitions of 2 records on one slot; record 3 (partition 1) kills its process the first time.
  const input = Array.from({ length: 8 }, (_, n) => ({ n, crash: n === 3 }));
  const result = await runner.run<{ n: number; crash?: boolean }, { n: number; pid: number }, object>({ module: FLAKY, input, params: { markerDir }, partitions: 4 });
  await runner.close();
  assert.deepEqual(result.outputs.map((o) => o.n), input.map((r) => r.n));
  assert.deepEqual(result.retried, [1]);
  const pids = result.outputs.map((o) => o.pid);
  assert.equal(pids[0], pids[1], "partition 0 ran in the first process");
  assert.notEqual(pids[2], pids[0], "partition 1's retry ran in a new process (the first one died)");
  assert.deepEqual(new Set(pids.slice(2)).size, 1, "the retry and partitions 2 and 3 shared the new process");
  assert.equal(runner.running, 0);
});

for (const reuseWorkers of [true, false]) {
  test(`onWorkerProcess gets each worker process's id before its records, with the pool slot it serves (reuseWorkers: ${reuseWorkers})`, async () => {
    const started: { pid: number; slot: number }[] = [];
    const runner = new LocalJobRunner({ workers: 2, reuseWorkers, onWorkerProcess: (pid, slot) => started.push({ pid, slot }) });
    const input = Array.from({ length: 12 }, (_, n) => ({ n }));
    const result = await runner.run<{ n: number }, Square, object>({ module: SQUARE, input, partitions: 6 });
    await runner.close();
    // The pids the records report (the processes themselves) are the pids the hook was given, one each.
    assert.deepEqual([...new Set(result.outputs.map((o) => o.pid))].sort(), started.map((s) => s.pid).sort());
    assert.equal(started.length, reuseWorkers ? 2 : 6, reuseWorkers ? "one process per slot" : "one process per partition");
    assert.deepEqual([...new Set(started.map((s) => s.slot))].sort(), [0, 1], "both slots ran partitions, numbered 0 and 1");
  });
}

test("the local runner runs `workers` partitions at once, never more", async (t) => {
  const dir = tempDir(t);
  const runner = new LocalJobRunner({ workers: 2 });
  // 4 partitions of one record on 2 workers. Each record waits at a barrier until another partition
  // runs beside it (see fixtures/barrier.ts): no timing is measured, so load only makes it slower.
  const input = Array.from({ length: 4 }, (_, n) => ({ n }));
  const result = await runner.run<{ n: number }, BarrierResult, object>({ module: BARRIER, input, params: { dir, total: 4 }, partitions: 4 });
  await runner.close();
  assert.deepEqual(result.errors, []);
  assert.deepEqual(result.outputs.map((o) => o.n), [0, 1, 2, 3]);
  assert.equal(new Set(result.outputs.map((o) => o.pid)).size, 2, "one process per slot, reused");
  const report = JSON.stringify(result.outputs);
  assert.ok(result.outputs.filter((o) => o.partnered).length >= 3, `every partition but the last ran beside another: ${report}`);
  assert.ok(result.outputs.every((o) => o.runningAtStart <= 2), `never more than 2 at once: ${report}`);
  assert.deepEqual(fs.readdirSync(path.join(dir, "running")), [], "every partition finished");
});

test("the local runner returns rejected records with their index and reason, and maps the rest", async () => {
  const runner = new LocalJobRunner({ workers: 2 });
  const input = [{ n: 1 }, { n: -2 }, { n: 3 }, { n: -4 }, { n: 5 }];
  const result = await runner.run<{ n: number }, Square, object>({ module: SQUARE, input, partitions: 2 });
  await runner.close();
  assert.deepEqual(result.outputs.map((o) => o.n), [1, 3, 5]);
  assert.deepEqual(result.errors, [
    { index: 1, input: { n: -2 }, error: "negative number -2" },
    { index: 3, input: { n: -4 }, error: "negative number -4" },
  ]);
  assert.equal(result.outputs.length + result.errors.length, input.length);
});

test("the local runner retries a partition whose process dies, once", async (t) => {
  const markerDir = tempDir(t);
  const runner = new LocalJobRunner({ workers: 2 });
  const input = Array.from({ length: 9 }, (_, n) => ({ n, crash: n === 4 }));
  const result = await runner.run<{ n: number }, { n: number }, object>({ module: FLAKY, input, params: { markerDir }, partitions: 3 });
  await runner.close();
  assert.deepEqual(result.outputs.map((o) => o.n), input.map((r) => r.n));
  assert.deepEqual(result.retried, [1]);
  assert.equal(fs.readFileSync(path.join(markerDir, "crashed-4"), "utf8"), "2");
});

test("the local runner fails the job, with the partition's stderr, when a partition dies twice", async (t) => {
  const markerDir = tempDir(t);
  const runner = new LocalJobRunner({ workers: 2 });
  const input = Array.from({ length: 6 }, (_, n) => ({ n, crash: n === 0 }));
  await assert.rejects(
    runner.run({ module: FLAKY, input, params: { markerDir, always: true }, partitions: 2 }),
    (err: unknown) => isWorkbookError(err, "JOB_PARTITION_FAILED") && /partition 0 .*failed 2 times.*exited with code 3/s.test(err.message) && /dying on record 0/.test(err.message),
  );
  await runner.close();
  assert.equal(fs.readFileSync(path.join(markerDir, "crashed-0"), "utf8"), "2");
});

test("the local runner kills and retries a partition that runs over its time limit", async () => {
  const runner = new LocalJobRunner({ workers: 1, partitionTimeoutMs: 300 });
  await assert.rejects(
    runner.run({ module: SQUARE, input: [{ n: 1 }], params: { delayMs: 5000 } }),
    (err: unknown) => isWorkbookError(err, "JOB_PARTITION_FAILED") && /timed out/.test(err.message),
  );
  await runner.close();
});

test("the local runner refuses a worker count that is not a positive integer", () => {
  assert.throws(() => new LocalJobRunner({ workers: 0 }), (err: unknown) => isWorkbookError(err, "JOB_OPTIONS_INVALID") && /workers=0/.test(err.message));
});

test("the local runner returns nothing for an empty input", async () => {
  const runner = new LocalJobRunner({ workers: 2 });
  const result = await runner.run({ module: SQUARE, input: [] });
  await runner.close();
  assert.deepEqual([result.outputs, result.errors, result.partitions], [[], [], 0]);
});

/** Resolves once `predicate` holds, checking every 10 ms (no fixed sleep: a loaded machine only makes it later). */
async function until(predicate: () => boolean): Promise<void> {
  while (!predicate()) await new Promise((resolve) => setTimeout(resolve, 10));
}

test("a stopped job ends its worker processes, starts no other partition, and rejects with JOB_STOPPED; the runner runs the next job", async (t) => {
  const markerDir = tempDir(t);
  const runner = new LocalJobRunner({ workers: 2 });
  t.after(() => runner.close());
  const controller = new AbortController();
  const input = Array.from({ length: 4 }, (_, n) => ({ n }));
  const job = runner.run({ module: SLEEPY, input, params: { markerDir, delayMs: 60_000 }, partitions: 4 }, { signal: controller.signal });
  await until(() => fs.readdirSync(markerDir).length === 2); // both workers are inside a record
  const started = Date.now();
  controller.abort(new Error("the stop button"));
  await assert.rejects(job, (err: unknown) => isWorkbookError(err, "JOB_STOPPED") && /was stopped \(the stop button\) after 0 of 4 partitions; its worker processes were ended/.test((err as Error).message));
  assert.ok(Date.now() - started < 30_000, "the job ended at the stop, not after its records");
  assert.equal(runner.running, 0, "no worker process is left");
  const markers = fs.readdirSync(markerDir).sort();
  assert.deepEqual(markers, ["started-0", "started-1"], "the other partitions never started");
  for (const m of markers) assert.equal(processAlive(Number(fs.readFileSync(path.join(markerDir, m), "utf8"))), false, `the process of ${m} is gone`);

  const again = await runner.run<{ n: number }, Square, object>({ module: SQUARE, input: [{ n: 3 }], partitions: 1 });
  assert.deepEqual(again.outputs.map((o) => o.square), [9], "a job after a stop completes");
  await assert.rejects(runner.run({ module: SQUARE, input: [{ n: 1 }] }, { signal: controller.signal }), (err: unknown) => isWorkbookError(err, "JOB_STOPPED") && /before it started/.test((err as Error).message));
});

test("closing the runner stops its job in progress with JOB_STOPPED instead of retrying the killed partition", async (t) => {
  const markerDir = tempDir(t);
  const runner = new LocalJobRunner({ workers: 1 });
  const job = runner.run({ module: SLEEPY, input: [{ n: 0 }, { n: 1 }], params: { markerDir, delayMs: 60_000 }, partitions: 2 });
  await until(() => fs.readdirSync(markerDir).length === 1);
  await runner.close();
  await assert.rejects(job, (err: unknown) => isWorkbookError(err, "JOB_STOPPED") && /the runner was closed/.test((err as Error).message));
  assert.equal(runner.running, 0);
  assert.deepEqual(fs.readdirSync(markerDir), ["started-0"], "the killed partition was not run again");
});

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as path from "node:path";
import { encodeParams } from "../../../lib/jobs/job";
import { ENTRYPOINT } from "../../../lib/jobs/local";

const SQUARE = path.join(__dirname, "fixtures", "square.js");

/** Runs the entrypoint as Spark's RDD.pipe does: a process, lines on stdin, lines on stdout. */
function pipe(args: string[], stdin: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [ENTRYPOINT, ...args], { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => { stdout += c.toString(); });
    child.stderr.on("data", (c: Buffer) => { stderr += c.toString(); });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

test("the entrypoint maps JSON lines on stdin to one envelope line per record on stdout, in order", async () => {
  const input = [3, -1, 4, 1, 5].map((n) => JSON.stringify({ n })).join("\n") + "\n";
  const { code, stdout, stderr } = await pipe([SQUARE], input);
  assert.equal(code, 0, stderr);
  const lines = stdout.trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(lines.length, 5);
  assert.deepEqual(lines.map((l) => l.ok), [true, false, true, true, true]);
  assert.deepEqual(lines.filter((l) => l.ok).map((l) => l.output.square), [9, 16, 1, 25]);
  assert.deepEqual(lines[1], { ok: false, input: { n: -1 }, error: "negative number -1" });
});

test("the entrypoint passes base64 params to the job and rejects a line that is not JSON", async () => {
  const { code, stdout } = await pipe([SQUARE, encodeParams({ delayMs: 1 })], '{"n":2}\nnot json\n{"n":7}');
  assert.equal(code, 0);
  const lines = stdout.trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(lines.length, 3);
  assert.equal(lines[0].output.square, 4);
  assert.equal(lines[1].ok, false);
  assert.match(lines[1].error, /not JSON/);
  assert.equal(lines[2].output.square, 49);
});

test("the entrypoint takes a module path relative to the project root", async () => {
  const relative = path.relative(path.resolve(__dirname, "../../../.."), SQUARE);
  const { code, stdout } = await pipe([relative], '{"n":6}\n');
  assert.equal(code, 0);
  assert.equal(JSON.parse(stdout).output.square, 36);
});

test("the entrypoint refuses a module that exports no job, with exit code 2", async () => {
  const { code, stderr, stdout } = await pipe([path.join(__dirname, "fixtures", "not-a-job.js")], '{"n":1}\n');
  assert.equal(code, 2);
  assert.equal(stdout, "");
  assert.match(stderr, /does not export a job/);
});

test("with --serve the entrypoint serves partitions one after another in one process, each answered by its envelopes and a #done line", async () => {
  const part = (ns: number[]) => [`#partition ${ns.length}`, ...ns.map((n) => JSON.stringify({ n }))];
  const input = [...part([2, -1]), ...part([]), ...part([5])].join("\n") + "\n";
  const { code, stdout, stderr } = await pipe(["--serve", SQUARE], input);
  assert.equal(code, 0, stderr);
  const lines = stdout.trim().split("\n");
  assert.deepEqual(lines.map((l) => (l.startsWith("#") ? l : JSON.parse(l).ok)), [true, false, "#done 2", "#done 0", true, "#done 1"]);
  const pids = lines.filter((l) => l.startsWith("{") && JSON.parse(l).ok).map((l) => JSON.parse(l).output.pid);
  assert.equal(new Set(pids).size, 1, "one process served every partition");
  assert.equal(JSON.parse(lines[4]).output.square, 25);
});

test("with --serve the entrypoint refuses a record where a partition header should be, and input that ends inside a partition", async () => {
  const noHeader = await pipe(["--serve", SQUARE], '{"n":1}\n');
  assert.equal(noHeader.code, 1);
  assert.match(noHeader.stderr, /expected a line "#partition <records>", got "\{\\"n\\":1\}"/);
  const cut = await pipe(["--serve", SQUARE], '#partition 3\n{"n":1}\n');
  assert.equal(cut.code, 1);
  assert.match(cut.stderr, /the input ended after 1 of the partition's 3 records/);
});

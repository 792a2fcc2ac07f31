/** scripts/run-tests.js: skips are listed with their reasons, fail the run only with CI=true, node's closing summary stays last, and `*.full.test.js` files run only in the full run. */
import { test, type TestContext } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { projectRoot } from "../../lib/paths";
import { tempDir } from "../helpers";

const RUN_TESTS = path.join(projectRoot, "scripts", "run-tests.js");

/** A folder of compiled-looking test files for the runner to run instead of dist/test. */
function fixtureTests(t: TestContext, files: Record<string, string>): string {
  const dir = tempDir(t, "run-tests-");
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), `const { test, describe } = require("node:test");\n${text}\n`);
  return dir;
}

function runTests(root: string, env: Record<string, string | undefined>, args: string[] = []): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    // NODE_TEST_CONTEXT is how node's runner marks its own test processes: a nested runner would refuse to run files.
    const childEnv: NodeJS.ProcessEnv = { ...process.env, NODE_TEST_CONTEXT: undefined, TEST_ROOT: root, TEST_CONCURRENCY: "1", CI: undefined, FORCE_COLOR: undefined, NO_COLOR: "1" };
    for (const [k, v] of Object.entries(env)) childEnv[k] = v;
    for (const k of Object.keys(childEnv)) if (childEnv[k] === undefined) delete childEnv[k];
    const child = spawn(process.execPath, [RUN_TESTS, ...args], { env: childEnv, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const lastLines = (text: string, n: number) => text.trimEnd().split("\n").slice(-n);

const WITH_SKIPS = {
  "a.test.js": `
test("passes", () => {});
test("needs kcat", { skip: "kcat is not installed (apt-get install kcat)" }, () => {});
describe("suite", () => {
  test("validates", (t) => t.skip("python3-nbformat is not installed"));
});`,
};

test("locally a skipped test is listed with its reason and the run passes; node's summary comes last", { timeout: 60_000 }, async (t) => {
  const r = await runTests(fixtureTests(t, WITH_SKIPS), {});
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /2 skipped tests:\n {2}- .*a\.test\.js: needs kcat — kcat is not installed \(apt-get install kcat\)\n {2}- .*a\.test\.js: validates — python3-nbformat is not installed\n/);
  assert.doesNotMatch(r.stdout, /CI=true: a skipped test fails the run/);
  const summary = lastLines(r.stdout, 8);
  assert.deepEqual(summary.map((l) => l.split(" ")[1]), ["tests", "suites", "pass", "fail", "cancelled", "skipped", "todo", "duration_ms"], r.stdout);
  assert.ok(summary.includes("ℹ skipped 2"));
});

test("with CI=true a skipped test fails the run, naming each skip and its reason", { timeout: 60_000 }, async (t) => {
  const r = await runTests(fixtureTests(t, WITH_SKIPS), { CI: "true" });
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /needs kcat — kcat is not installed/);
  assert.match(r.stdout, /validates — python3-nbformat is not installed/);
  assert.match(r.stdout, /CI=true: a skipped test fails the run\. .*scripts\/install\.sh/);
  assert.deepEqual(lastLines(r.stdout, 8).map((l) => l.split(" ")[1]), ["tests", "suites", "pass", "fail", "cancelled", "skipped", "todo", "duration_ms"]);
});

test("with CI=true and no skip the run passes; a failing test fails it either way", { timeout: 60_000 }, async (t) => {
  const clean = await runTests(fixtureTests(t, { "ok.test.js": `test("passes", () => {});` }), { CI: "true" });
  assert.equal(clean.code, 0, clean.stdout + clean.stderr);
  assert.doesNotMatch(clean.stdout, /skipped test/);
  const failing = await runTests(fixtureTests(t, { "bad.test.js": `test("fails", () => { throw new Error("boom"); });` }), {});
  assert.equal(failing.code, 1);
});

test("every test has a time limit: a hanging test fails the run instead of hanging it", { timeout: 60_000 }, async (t) => {
  const r = await runTests(fixtureTests(t, { "hang.test.js": `test("hangs", () => new Promise(() => setInterval(() => {}, 1000)));` }), { TEST_TIMEOUT: "1000" });
  assert.equal(r.code, 1, r.stdout + r.stderr);
  assert.match(r.stdout, /timed out after 1000ms/);
});

test("npm test leaves *.full.test.js files to the full run and names them; --full and a naming substring run them", { timeout: 60_000 }, async (t) => {
  const root = fixtureTests(t, {
    "quick.test.js": `test("quick one", () => {});`,
    "long.full.test.js": `test("long one", () => {});`,
  });
  const quick = await runTests(root, {});
  assert.equal(quick.code, 0, quick.stdout + quick.stderr);
  assert.match(quick.stdout, /✔ quick one/);
  assert.doesNotMatch(quick.stdout, /long one/);
  assert.match(quick.stdout, /run-tests: 1 test files \(npm test\)\. Left to the full run \(npm run test:full, what CI runs\): long\.full\.test\.js/);
  assert.ok(lastLines(quick.stdout, 8).includes("ℹ tests 1"), quick.stdout);

  const all = await runTests(root, {}, ["--full"]);
  assert.equal(all.code, 0, all.stdout + all.stderr);
  assert.match(all.stdout, /✔ quick one/);
  assert.match(all.stdout, /✔ long one/);
  assert.ok(lastLines(all.stdout, 8).includes("ℹ tests 2"), all.stdout);

  const named = await runTests(root, {}, ["long"]);
  assert.match(named.stdout, /✔ long one/);
  assert.doesNotMatch(named.stdout, /quick one/);
});

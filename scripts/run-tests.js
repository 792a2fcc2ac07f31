// Runs the compiled tests (dist/test/**/*.test.js) with node's test runner, TZ pinned to UTC.
// Usage: node scripts/run-tests.js [--full] [substring ...]   (only test files whose path contains one of them)
//
// Two tiers. `npm test` (no --full) is what a contributor runs before every change, kept under 10
// minutes on a 2-core machine: every test but the files named `*.full.test.js`. Those are the long
// end-to-end runs (every notebook's second run in Jupyter + Chromium, a class of 33 submissions
// graded), which `npm run test:full` adds and CI (.ci/run) runs. A substring names files of either tier.
//
// Everything has a time limit, so a hang fails instead of hanging CI: `--test-timeout` (TEST_TIMEOUT
// ms, default 600000). Node 20's runner applies it to each test FILE as a whole (and as the default
// of each test inside), so it must exceed the slowest file on a loaded machine with room to spare.
// Tests known to be long set their own, tighter `{ timeout }`.
//
// Skipped tests are listed at the end with their reasons. With CI=true a skipped test fails the
// run: .ci/run installs everything the tests need, so a skip there means an install step is missing
// (add the package to scripts/install.sh). Locally skips stay skips.
"use strict";
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { spawn } = require("node:child_process");

const root = path.resolve(__dirname, "..");
// TEST_ROOT: another folder of compiled tests (the runner's own test points it at fixtures).
const dir = process.env.TEST_ROOT ? path.resolve(process.env.TEST_ROOT) : path.join(root, "dist", "test");
const args = process.argv.slice(2);
const full = args.includes("--full") || process.env.TEST_TIER === "full";
const filters = args.filter((a) => a !== "--full");
const isFullTier = (name) => name.endsWith(".full.test.js");
const files = [];
const later = [];
// tsc never deletes: a compiled test whose source was renamed or removed stays in dist/ and would run.
const stale = [];
const hasSource = (p) => process.env.TEST_ROOT || fs.existsSync(path.join(root, "test", path.relative(dir, p)).replace(/\.js$/, ".ts"));
(function walk(d) {
  for (const e of fs.readdirSync(d, { withFileTypes: true })) {
    const p = path.join(d, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.name.endsWith(".test.js") && (filters.length === 0 || filters.some((f) => p.includes(f)))) {
      if (!hasSource(p)) stale.push(p);
      else if (filters.length === 0 && !full && isFullTier(e.name)) later.push(p);
      else files.push(p);
    }
  }
})(dir);
// The longest files first (a kernel each, or many), so that the two slots do not end on one long
// file while the other is idle: about a minute less of npm test on 2 cores. The rest in name order.
const LONG_FIRST = [/lib\/runner\/messages\.test\.js$/, /notebooks\/\d\d-[^/]*\.test\.js$/, /lib\/runner\/execute\.test\.js$/, /zetasql\//, /notebooks\/browser[^/]*\.test\.js$/];
const rank = (f) => {
  const i = LONG_FIRST.findIndex((re) => re.test(f.split(path.sep).join("/")));
  return i < 0 ? LONG_FIRST.length : i;
};
files.sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
later.sort();
if (files.length === 0) {
  console.error(`no test files under ${dir}${filters.length ? ` matching ${filters.join(", ")}` : ""}; run npm run build first`);
  process.exit(1);
}
if (stale.length > 0) console.log(`run-tests: not running ${stale.length} compiled test file(s) whose source is gone: ${stale.map((f) => path.relative(root, f)).join(", ")}`);
if (later.length > 0) {
  console.log(`run-tests: ${files.length} test files (npm test). Left to the full run (npm run test:full, what CI runs): ${later.map((f) => path.relative(dir, f)).join(", ")}`);
} else if (full) {
  console.log(`run-tests: ${files.length} test files (the full run)`);
}
const concurrency = process.env.TEST_CONCURRENCY || "2";
const timeout = process.env.TEST_TIMEOUT || "600000";
const ci = /^(true|1|yes)$/i.test(process.env.CI || "");

// Node's spec reporter prints to the terminal as usual; a second reporter writes the skipped tests
// (file, name, reason) as JSON lines to a temporary file. The spec reporter's closing summary
// ("ℹ tests ...", "ℹ pass ...", ...) is held back and printed last, after the list of skips, so it
// stays the last thing on the terminal (CI reads it).
const skipsFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "workbook-tests-")), "skipped.jsonl");
// Executed notebooks shared within this run: a notebook test leaves its executed copy here
// (test/helpers.ts keepExecuted) and the browser test opens it instead of running the notebook again.
// TEST_FILES tells the browser test which notebook tests are part of this run, so it knows what to wait for.
const executedDir = path.join(path.dirname(skipsFile), "executed");
fs.mkdirSync(executedDir);
const child = spawn(process.execPath, [
  "--test",
  `--test-concurrency=${concurrency}`,
  `--test-timeout=${timeout}`,
  "--test-reporter=spec", "--test-reporter-destination=stdout",
  `--test-reporter=${path.join(__dirname, "test-skip-reporter.js")}`, `--test-reporter-destination=${skipsFile}`,
  ...files,
], {
  stdio: ["inherit", "pipe", "inherit"],
  env: { ...process.env, TZ: "UTC", EXECUTED_NOTEBOOKS_DIR: executedDir, TEST_FILES: files.join(path.delimiter), ...(process.stdout.isTTY && !process.env.NO_COLOR ? { FORCE_COLOR: process.env.FORCE_COLOR || "1" } : {}) },
});

// eslint-disable-next-line no-control-regex
const isSummaryLine = (line) => /^ℹ /.test(line.replace(/\x1b\[[0-9;]*m/g, ""));
let partial = "";
let held = [];
child.stdout.on("data", (chunk) => {
  const lines = (partial + chunk.toString("utf8")).split("\n");
  partial = lines.pop();
  let out = "";
  for (const line of lines) {
    if (isSummaryLine(line)) {
      held.push(line);
      continue;
    }
    if (held.length > 0) out += held.join("\n") + "\n";
    held = [];
    out += line + "\n";
  }
  if (out) process.stdout.write(out);
});

child.on("close", (code, signal) => {
  if (partial) {
    if (isSummaryLine(partial)) held.push(partial);
    else process.stdout.write(partial + "\n");
  }
  let status = code === null ? 1 : code;
  if (signal) console.error(`run-tests: the test runner was killed by ${signal}`);

  let skipped = [];
  try {
    skipped = fs.readFileSync(skipsFile, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
  } catch (err) {
    // The reporter writes the file even when nothing is skipped: without it the tests did not run.
    console.error(`run-tests: could not read the list of skipped tests (${err.message}); the test runner did not run the tests`);
    status = status || 1;
  }
  fs.rmSync(path.dirname(skipsFile), { recursive: true, force: true });

  if (skipped.length > 0) {
    console.log(`\n${skipped.length} skipped test${skipped.length === 1 ? "" : "s"}:`);
    for (const s of skipped) console.log(`  - ${path.relative(root, s.file) || "?"}: ${s.name} — ${s.reason || "(no reason given)"}`);
    if (ci) {
      console.log("CI=true: a skipped test fails the run. .ci/run installs everything the tests need, so each skip above is a missing install step (see scripts/install.sh).");
      status = status || 1;
    } else {
      console.log("(Locally a skip is not a failure; with CI=true it is.)");
    }
    console.log("");
  }
  if (held.length > 0) process.stdout.write(held.join("\n") + "\n");
  process.exitCode = status;
});

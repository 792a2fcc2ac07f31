// Runs the compiled tests (dist/test/**/*.test.js) with node's test runner, TZ pinned to UTC.
// Usage: node scripts/run-tests.js [substring ...]   (only test files whose path contains one of them)
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { spawnSync } = require("node:child_process");

const root = path.resolve(__dirname, "..");
const dir = path.join(root, "dist", "test");
const filters = process.argv.slice(2);
const files = [];
(function walk(d) {
  for (const e of fs.readdirSync(d, { withFileTypes: true })) {
    const p = path.join(d, e.name);
    if (e.isDirectory()) walk(p);
    else if (e.name.endsWith(".test.js") && (filters.length === 0 || filters.some((f) => p.includes(f)))) files.push(p);
  }
})(dir);
files.sort();
if (files.length === 0) {
  console.error(`no test files under ${dir}${filters.length ? ` matching ${filters.join(", ")}` : ""}; run npm run build first`);
  process.exit(1);
}
const concurrency = process.env.TEST_CONCURRENCY || "2";
const r = spawnSync(process.execPath, ["--test", `--test-concurrency=${concurrency}`, ...files], {
  stdio: "inherit",
  env: { ...process.env, TZ: "UTC" },
});
process.exit(r.status === null ? 1 : r.status);

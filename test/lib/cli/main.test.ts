import assert from "node:assert/strict";
import { test } from "node:test";
import { runCli } from "../../helpers";

test("workbook lists its commands, and an unknown command exits 2", async () => {
  const help = await runCli(["--help"]);
  assert.equal(help.code, 0);
  for (const c of ["run", "inspect", "run-all", "kernel install", "broker", "query", "data KIND", "handout", "grade"]) assert.match(help.stdout, new RegExp(`^  ${c}\\b`, "m"));
  const unknown = await runCli(["frobnicate"]);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /Unknown command "frobnicate"/);
  assert.equal((await runCli([])).code, 2);
});

test("every command is reachable through the workbook binary", async () => {
  const query = await runCli(["query", "SELECT 6 * 7 AS answer", "--memory"]);
  assert.equal(query.code, 0, query.stderr);
  assert.match(query.stdout, /answer\n-+\n\s*42/);
  for (const c of ["run", "inspect", "run-all", "broker", "query", "data", "handout", "grade"]) {
    const r = await runCli([c, "--help"]);
    assert.equal(r.code, 0, `${c} --help: ${r.stderr}`);
    assert.match(`${r.stdout}${r.stderr}`, /Usage|usage/, `${c} --help prints usage`);
  }
});

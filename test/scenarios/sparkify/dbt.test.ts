/** Sparkify's checks exported to dbt: schema.yml parsed back against the declarations, and the CLI. */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { exportDbt } from "../../../lib/quality/dbt";
import { qualityChecks } from "../../../scenarios/sparkify/quality";
import { runCli, tempDir } from "../../helpers";
import { genericTests } from "../../lib/quality/helpers";

test("Sparkify's checks as dbt: not_null, unique, accepted_values and relationships in schema.yml one for one, drift as meta, the rest as singular tests", () => {
  const checks = qualityChecks();
  const out = exportDbt(checks);
  const expected = checks.flatMap((c): [string, string, string][] =>
    c.type === "not_null" ? [[c.table, c.column, "not_null"]] : c.type === "unique" ? [[c.table, c.columns[0], "unique"]] : c.type === "relationship" ? [[c.table, c.column, "relationships"]]
      : c.type === "accepted_values" ? [[c.table, c.column, "accepted_values"]] : []);
  const got = genericTests(out.schemaYml);
  assert.deepEqual(got.map(([m, c, t]) => [m, c, t]).sort(), expected.sort());
  const rel = got.find(([, c, t]) => c === "artist_id" && t === "relationships");
  assert.deepEqual(rel?.[3], { to: "ref('sparkify_artists')", field: "artist_id", config: { where: `start_time >= '{{ var("data_interval_start") }}' and start_time < '{{ var("data_interval_end") }}'` } });
  const drift = checks.filter((c) => c.type === "drift");
  assert.equal(out.singular.length, checks.length - expected.length - drift.length, "the freshness, volume and reconciliation checks as SQL files; drift as meta, not a dbt test");
  assert.ok(drift.length > 0 && drift.every((c) => c.type === "drift" && out.schemaYml.includes("drift:")));
});

test("workbook quality export-dbt sparkify --output DIR writes schema.yml and the singular tests; an unknown scenario names the known ones", { timeout: 60_000 }, async (t) => {
  const dir = tempDir(t);
  const r = await runCli(["quality", "export-dbt", "sparkify", "--output", dir]);
  assert.equal(r.code, 0, r.stderr);
  const got = genericTests(fs.readFileSync(path.join(dir, "schema.yml"), "utf8"));
  assert.equal(got.length, 15); // 5 keys not_null + 5 unique, level accepted_values, 4 relationships
  assert.equal(fs.readdirSync(path.join(dir, "tests")).length, 7); // freshness, 5 volumes, the reconciliation
  const bad = await runCli(["quality", "export-dbt", "nope"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /No declared quality checks for scenario "nope"; scenarios with checks: .*sparkify/);
});

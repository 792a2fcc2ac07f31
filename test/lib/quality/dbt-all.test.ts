/**
 * Every scenario's declared checks exported to dbt (`workbook quality export-dbt SCENARIO`), parsed
 * back: dbt's four generic tests one for one where dbt has one (not_null, accepted_values, unique
 * of one column, relationships with nothing allowed missing), drift as meta, everything else a
 * singular SQL test. The mapping is written here from dbt's documentation, not read from the exporter.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { registeredQuality } from "../../../lib/cli/registry";
import { projectRoot } from "../../../lib/paths";
import type { QualityCheck } from "../../../lib/quality";
import { exportDbt } from "../../../lib/quality/dbt";
import { genericTests } from "./helpers";

function expectedGeneric(c: QualityCheck): [string, string, string] | null {
  if (c.type === "not_null") return [c.table, c.column, "not_null"];
  if (c.type === "accepted_values") return [c.table, c.column, "accepted_values"];
  if (c.type === "unique" && c.columns.length === 1) return [c.table, c.columns[0], "unique"];
  if (c.type === "relationship" && !c.maxMissingShare) return [c.table, c.column, "relationships"];
  return null;
}

test("every scenario's checks export to a dbt schema.yml that parses, with the generic tests one for one and the rest as singular tests", () => {
  for (const name of fs.readdirSync(path.join(projectRoot, "dist", "scenarios"))) {
    const file = path.join(projectRoot, "dist", "scenarios", name, "register.js");
    if (fs.existsSync(file)) require(file); // as bin/workbook.js loads them
  }
  const scenarios = registeredQuality();
  assert.ok(scenarios.length >= 9, `scenarios with checks: ${scenarios.map((s) => s.scenario).join(", ")}`);
  for (const { scenario, load } of scenarios) {
    const checks = load() as QualityCheck[];
    const out = exportDbt(checks);
    const expected = checks.map(expectedGeneric).filter((g): g is [string, string, string] => g !== null);
    const got = genericTests(out.schemaYml).map(([m, c, t]) => [m, c, t]);
    assert.deepEqual(got.sort(), expected.sort(), `${scenario}: the generic tests of schema.yml`);
    const drift = checks.filter((c) => c.type === "drift").length;
    assert.equal(out.singular.length, checks.length - expected.length - drift, `${scenario}: one singular test for each check dbt has no generic test for (drift is meta)`);
    for (const s of out.singular) assert.match(s.sql, /\bselect\b/i, `${scenario}: ${s.file} is a query`);
  }
});

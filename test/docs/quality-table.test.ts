/**
 * The teacher's guide's table of data-quality checks (issue 27), notebooks by the six kinds, against
 * the checks each scenario declares (its register module, as `workbook quality coverage` reads them):
 * a cell is the count of declared checks of that kind, or "no: <why>" where the scenario has none.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { registeredQuality } from "../../lib/cli/registry";
import { projectRoot } from "../../lib/paths";
import { QUALITY_KINDS, kindCounts, type QualityCheck } from "../../lib/quality";

/** The scenario notebooks and the scenario whose checks each one runs. */
const NOTEBOOK_SCENARIO: Record<string, string> = {
  "01-football-sql": "football", "02-image-kmeans": "image-kmeans", "03-sparkify-star-schema": "sparkify", "04-web-logs": "web-logs",
  "05-netflix-ratings": "netflix", "06-traffic-outliers": "traffic-outliers", "07-lambda-url-counts": "lambda-urls",
  "08-artmosphere": "artmosphere", "09-sql-to-neural-net": "penguins",
};

function guideTable(): Map<string, string[]> {
  const guide = fs.readFileSync(path.join(projectRoot, "docs", "teaching.md"), "utf8");
  const section = guide.split(/^## /m).find((s) => s.startsWith("Data quality by notebook"));
  assert.ok(section, "docs/teaching.md has a section \"## Data quality by notebook\"");
  const lines = section.split("\n");
  const first = lines.findIndex((l) => l.startsWith("| "));
  const end = lines.findIndex((l, i) => i > first && !l.startsWith("|"));
  const rows = lines.slice(first, end < 0 ? undefined : end).filter((l) => l.startsWith("| ")); // the first table of the section
  const header = rows[0].split("|").slice(1, -1).map((c) => c.trim());
  assert.deepEqual(header, ["notebook", ...QUALITY_KINDS], "the table's columns are the six kinds, in order");
  return new Map(rows.slice(1).filter((l) => !/^\|\s*-/.test(l)).map((l) => {
    const cells = l.split("|").slice(1, -1).map((c) => c.trim());
    return [cells[0].replace(/`/g, ""), cells.slice(1)];
  }));
}

test("the teacher's guide's quality table says, for each scenario notebook and kind, how many checks it declares, or why none", () => {
  for (const scenario of new Set(Object.values(NOTEBOOK_SCENARIO))) {
    const file = path.join(projectRoot, "dist", "scenarios", scenario, "register.js");
    if (fs.existsSync(file)) require(file); // the same registration bin/workbook.js loads
  }
  const declared = new Map(registeredQuality().map((q) => [q.scenario, q.load() as QualityCheck[]]));
  const table = guideTable();
  let filled = 0;
  const problems: string[] = [];
  for (const [notebook, scenario] of Object.entries(NOTEBOOK_SCENARIO)) {
    const row = table.get(notebook);
    if (!row) { problems.push(`no row for ${notebook}`); continue; }
    const counts = kindCounts(declared.get(scenario) ?? []);
    QUALITY_KINDS.forEach((kind, i) => {
      const cell = row[i] ?? "";
      if (counts[kind] > 0) {
        filled++;
        if (cell !== String(counts[kind])) problems.push(`${notebook} ${kind}: the guide says "${cell}", ${scenario} declares ${counts[kind]} check(s) of that kind`);
      } else if (!/^no: .{15,}/.test(cell)) problems.push(`${notebook} ${kind}: ${scenario} declares none, and the guide does not say why ("no: <why>"): "${cell}"`);
    });
  }
  assert.deepEqual(problems, []);
  assert.ok(filled > 0);
});

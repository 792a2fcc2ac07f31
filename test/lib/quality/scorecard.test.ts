/** The scorecard grid and one check's history, from hand-made result rows. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { PassThrough } from "node:stream";
import { checkHistorySpec, scorecardCells, scorecardSvg, scorecardText, showScorecard } from "../../../lib/quality/scorecard";
import type { QualityResultRow } from "../../../lib/quality";
import { pictureBundle } from "../../../lib/display";
import { chartSvg } from "../../../lib/display/chart";

const row = (table: string, check: string, kind: string, day: number, status: "pass" | "warn" | "fail", observed: number | null, threshold = "{}"): QualityResultRow => ({
  table_name: table, check_name: check, kind, run_id: "r", logical_date: new Date(Date.UTC(2024, 0, day)).toISOString(), observed, threshold, status, detail: "", profile: null, checked_at: new Date(),
});

const rows = [
  row("fact", "id is unique", "uniqueness", 1, "fail", 2, '{"max":0}'),
  row("fact", "id is unique", "uniqueness", 2, "pass", 0, '{"max":0}'), // the latest counts
  row("fact", "every dim_id exists in dim", "referential", 2, "warn", 0.25, '{"maxMissingShare":0.1}'),
  row("fact", "has rows", "volume", 2, "pass", 10),
  row("fact", "row count near previous runs", "volume", 2, "fail", 3),
  row("dim", "id is never null", "schema", 2, "pass", 0),
];

test("the grid: per table and kind, the worst of the latest results, passed/total; no check is grey", async () => {
  const cells = scorecardCells(rows);
  const fact = Object.fromEntries(cells.filter((c) => c.table === "fact").map((c) => [c.kind, [c.status, c.passed, c.total]]));
  assert.deepEqual(fact, { freshness: ["none", 0, 0], volume: ["fail", 1, 2], schema: ["none", 0, 0], uniqueness: ["pass", 1, 1], referential: ["warn", 0, 1], drift: ["none", 0, 0] });
  assert.equal(cells.length, 12);
  const svg = scorecardSvg(cells);
  assert.equal((svg.match(/data-status="fail"/g) ?? []).length, 1);
  assert.equal((svg.match(/data-status="none"/g) ?? []).length, 8);
  assert.match(svg, /<title>row count near previous runs<\/title>/);
  assert.match(scorecardText(cells), /fact +- +fail 1\/2 +- +pass 1\/1 +warn 0\/1/);
  const bundle = await pictureBundle(svg, "x");
  assert.equal(Buffer.from(bundle["image/png"], "base64").subarray(1, 4).toString(), "PNG");
  const out = new PassThrough();
  let printed = "";
  out.on("data", (d: Buffer) => (printed += d.toString()));
  await showScorecard(rows, { stream: out });
  assert.match(printed, /dim +- +- +pass 1\/1/);
});

test("one check's history: its points by logical date and its limit as a rule, drawn by Vega-Lite", async () => {
  const spec = checkHistorySpec(rows, "fact", "id is unique") as { data: { values: unknown[] }; layer: { data?: { values: { limit: number }[] } }[] };
  assert.deepEqual(spec.data.values, [{ logical_date: "2024-01-01T00:00:00.000Z", observed: 2, status: "fail" }, { logical_date: "2024-01-02T00:00:00.000Z", observed: 0, status: "pass" }]);
  assert.deepEqual(spec.layer[2].data?.values, [{ limit: 0 }]);
  assert.match(await chartSvg(spec), /<svg/);
});

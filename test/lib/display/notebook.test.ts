import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Writable } from "node:stream";
import { projectRoot } from "../../../lib/paths";
import { runNotebook } from "../../../lib/runner";

const FIXTURE = path.join(projectRoot, "test", "fixtures", "notebooks", "show-table-chart.ipynb");

interface Output {
  output_type: string;
  data?: Record<string, string | string[]>;
}

function text(v: string | string[] | undefined): string {
  return Array.isArray(v) ? v.join("") : (v ?? "");
}

test("a notebook run through the runner holds an inline HTML table and an SVG chart, each with a text form", { timeout: 120_000 }, async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "display-nb-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const output = path.join(dir, "out.ipynb");
  const result = await runNotebook({ input: FIXTURE, output, parameters: { states: 4 }, progressBar: false, stdout: devNull(), stderr: devNull() });
  assert.equal(result.status, "completed", result.error);
  const nb = JSON.parse(fs.readFileSync(output, "utf8")) as { cells: { outputs?: Output[] }[] };
  const outputs = nb.cells.flatMap((c) => c.outputs ?? []).filter((o) => o.output_type === "display_data");
  const table = outputs.find((o) => o.data?.["text/html"] !== undefined);
  assert.ok(table, "a text/html output");
  const html = text(table.data?.["text/html"]);
  assert.match(html, /<table/);
  assert.equal((html.match(/<td style="text-align:left;padding:2px 8px">state_\d<\/td>/g) ?? []).length, 4, "four rows, from the injected parameter");
  assert.match(text(table.data?.["text/plain"]), /state_3 +40/);
  const svg = outputs.find((o) => o.data?.["image/svg+xml"] !== undefined);
  assert.ok(svg, "an image/svg+xml output");
  assert.match(text(svg.data?.["image/svg+xml"]), /^<svg[\s\S]*Visits by state[\s\S]*<\/svg>$/);
  assert.equal(text(svg.data?.["text/plain"]), "[chart: Visits by state] bar 4 rows x=state, y=visits");
});

function devNull(): NodeJS.WritableStream {
  return new Writable({ write: (_chunk, _encoding, callback) => callback() });
}

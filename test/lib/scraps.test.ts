import assert from "node:assert/strict";
import { test } from "node:test";
import type { Notebook } from "../../lib/notebook/nbformat";
import { SCRAP_MIME, glue, readScraps } from "../../lib/scraps";

test("readScraps reads scrapbook outputs, the last of a name winning", () => {
  const scrap = (name: string, data: unknown) => ({ output_type: "display_data" as const, data: { [SCRAP_MIME]: { name, data, encoder: "json", version: 1 } } as never, metadata: {} });
  const nb: Notebook = {
    nbformat: 4, nbformat_minor: 5, metadata: {},
    cells: [
      { id: "a", cell_type: "code", metadata: {}, source: "", execution_count: 1, outputs: [scrap("n", 1), { output_type: "stream", name: "stdout", text: "x" }] },
      { id: "b", cell_type: "markdown", metadata: {}, source: "" },
      { id: "c", cell_type: "code", metadata: {}, source: "", execution_count: 2, outputs: [scrap("n", 2), scrap("rows", [{ a: 1 }])] },
    ],
  };
  assert.deepEqual(readScraps(nb), { n: 2, rows: [{ a: 1 }] });
});

test("glue outside a kernel prints the scrap, and refuses values JSON cannot hold", (t) => {
  const written: string[] = [];
  const original = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((s: string) => (written.push(s), true)) as typeof process.stdout.write;
  t.after(() => (process.stdout.write = original));
  glue("answer", { a: [1, 2] });
  process.stdout.write = original;
  assert.deepEqual(written, ['scrap answer = {"a":[1,2]}\n']);
  assert.throws(() => glue("f", () => 1), /JSON cannot hold/);
  assert.throws(() => glue("", 1), /non-empty name/);
});

test("glue in a kernel writes the scrap with a text/plain fallback, and readScraps reads it back", (t) => {
  const jupyter = require("tslab/dist/jupyter") as { lastWriteDisplayData: unknown };
  const saved = jupyter.lastWriteDisplayData;
  t.after(() => (jupyter.lastWriteDisplayData = saved));
  const outputs: { output_type: "display_data"; data: Record<string, unknown>; metadata: Record<string, unknown> }[] = [];
  jupyter.lastWriteDisplayData = (d: { data: Record<string, unknown>; metadata: Record<string, unknown> }) => outputs.push({ output_type: "display_data", ...d });
  glue("rows", 42);
  glue("long", "x".repeat(500));
  assert.equal(outputs[0].data["text/plain"], "rows = 42");
  assert.deepEqual(outputs[0].metadata, { scrapbook: { name: "rows", data: true, display: false } });
  const long = outputs[1].data["text/plain"] as string;
  assert.equal(long.length, 200);
  assert.match(long, /^long = "x+\.\.\.$/);
  const nb: Notebook = { nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [{ id: "a", cell_type: "code", metadata: {}, source: "", execution_count: 1, outputs: outputs as never }] };
  assert.deepEqual(readScraps(nb), { rows: 42, long: "x".repeat(500) });
});

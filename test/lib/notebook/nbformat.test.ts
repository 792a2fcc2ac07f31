import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { type Notebook, parseNotebook, readNotebook, serializeNotebook, splitLines, writeNotebook } from "../../../lib/notebook/nbformat";
import { checkNbformat, tempDir } from "../../helpers";

test("splitLines keeps line endings as nbformat does", () => {
  assert.deepEqual(splitLines("a\nb\n"), ["a\n", "b\n"]);
  assert.deepEqual(splitLines("a\n\nb"), ["a\n", "\n", "b"]);
  assert.deepEqual(splitLines(""), []);
});

test("notebooks are written with indent 1, sorted keys and split lines, and validate", async (t) => {
  const nb = parseNotebook({
    nbformat: 4, nbformat_minor: 2, metadata: { z: 1, a: 2 },
    cells: [
      { cell_type: "code", metadata: {}, source: "x\ny", outputs: [{ output_type: "stream", name: "stdout", text: "1\n2\n" }, { output_type: "display_data", data: { "text/html": "<b>\nx</b>", "application/json": { b: 1, a: [1] } }, metadata: {} }], execution_count: 1 },
      { cell_type: "markdown", metadata: {}, source: ["# T\n", "text"] },
    ],
  }, "test");
  assert.equal(nb.nbformat_minor, 5);
  assert.ok(nb.cells.every((c) => /^[a-zA-Z0-9_-]{1,64}$/.test(c.id)), "4.5 notebooks have cell ids");
  const text = serializeNotebook(nb);
  assert.ok(text.startsWith('{\n "cells": [\n  {\n   "cell_type": "code",'));
  assert.ok(text.endsWith("}\n"));
  assert.ok(text.indexOf('"a": 2') < text.indexOf('"z": 1'), "keys sorted");
  const back = JSON.parse(text) as Notebook;
  assert.deepEqual(back.cells[0].source, ["x\n", "y"]);
  assert.deepEqual(back.cells[0].cell_type === "code" && back.cells[0].outputs[1], { output_type: "display_data", data: { "application/json": { a: [1], b: 1 }, "text/html": ["<b>\n", "x</b>"] }, metadata: {} });
  const file = path.join(tempDir(t), "nb.ipynb");
  writeNotebook(file, nb);
  assert.deepEqual(readNotebook(file).cells.map((c) => c.id), nb.cells.map((c) => c.id));
  await checkNbformat(t, file);
});

test("bad notebooks are refused with the reason", (t) => {
  const dir = tempDir(t);
  const write = (name: string, text: string) => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, text);
    return f;
  };
  assert.throws(() => readNotebook(path.join(dir, "none.ipynb")), /No notebook at/);
  assert.throws(() => readNotebook(write("a.ipynb", "{not json")), /not valid JSON/);
  assert.throws(() => readNotebook(write("b.ipynb", '{"nbformat": 3, "cells": []}')), /not a version-4 notebook/);
  assert.throws(() => readNotebook(write("c.ipynb", '{"nbformat": 4, "cells": [{"cell_type": "heading"}]}')), /cell 0 has cell_type "heading"/);
  assert.throws(() => readNotebook(write("d.ipynb", "[]")), /not an object/);
});

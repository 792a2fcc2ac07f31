/**
 * Every SQL statement a notebook sends to the warehouse lives in scenario code, where a contract test
 * sends it to the BigQuery stand-in and the ZetaSQL check (test/zetasql) analyzes it. A notebook that
 * called `wh.query("SELECT ...")` itself would send SQL no test checks on the BigQuery path.
 * (PostgreSQL's `db.query` in 09 is not the warehouse; a learner's own SQL goes through an exercise's `check`.)
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { projectRoot } from "../../lib/paths";

test("no notebook sends SQL of its own to the warehouse: its queries are scenario functions that the contract tests send to the BigQuery stand-in", () => {
  const dir = path.join(projectRoot, "notebooks");
  const found: string[] = [];
  for (const name of fs.readdirSync(dir).filter((f) => f.endsWith(".ipynb")).sort()) {
    const nb = JSON.parse(fs.readFileSync(path.join(dir, name), "utf8")) as { cells: { cell_type: string; source: string | string[] }[] };
    nb.cells.forEach((cell, i) => {
      if (cell.cell_type !== "code") return;
      const source = ([] as string[]).concat(cell.source).join("");
      for (const m of source.matchAll(/\b(wh|warehouse|run\.warehouse)\.(query|queryFrame)\(/g)) found.push(`${name} cell ${i}: ${source.slice(m.index ?? 0, (m.index ?? 0) + 80)}`);
    });
  }
  assert.deepEqual(found, []);
});

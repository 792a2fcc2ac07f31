import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { projectRoot } from "../../lib/paths";

const notebooks = fs.readdirSync(path.join(projectRoot, "notebooks")).filter((f) => f.endsWith(".ipynb")).map((f) => f.replace(/\.ipynb$/, "")).sort();

test("the teacher's guide has a section and a learning-path row for every notebook", () => {
  const guide = fs.readFileSync(path.join(projectRoot, "docs", "teaching.md"), "utf8");
  assert.ok(notebooks.length >= 10, `notebooks found: ${notebooks.join(", ")}`);
  for (const name of notebooks) {
    assert.match(guide, new RegExp(`^## ${name}\\b`, "m"), `docs/teaching.md has no section "## ${name}"`);
    assert.match(guide, new RegExp(`^\\| \\d+ \\| \`${name}\` \\|`, "m"), `docs/teaching.md's learning path has no row for ${name}`);
  }
});

test("00-welcome's learning path lists every scenario notebook", () => {
  const welcome = JSON.parse(fs.readFileSync(path.join(projectRoot, "notebooks", "00-welcome.ipynb"), "utf8")) as { cells: { source: string[] | string }[] };
  const text = welcome.cells.map((c) => (Array.isArray(c.source) ? c.source.join("") : c.source)).join("\n");
  for (const name of notebooks.filter((n) => n !== "00-welcome")) assert.match(text, new RegExp(`\`${name}\\.ipynb\``), `00-welcome does not list ${name}`);
});

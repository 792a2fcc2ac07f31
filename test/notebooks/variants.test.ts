import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { projectRoot } from "../../lib/paths";
import { BROWSER_PARTS } from "./browser";
import { VARIANTS } from "./variants";

test("every notebook has a second run (variants.ts) and is in exactly one part of the browser test", () => {
  const notebooks = fs.readdirSync(path.join(projectRoot, "notebooks")).filter((f) => f.endsWith(".ipynb")).sort();
  assert.deepEqual(Object.keys(VARIANTS).sort(), notebooks);
  assert.deepEqual([...BROWSER_PARTS.quick, ...BROWSER_PARTS.full1, ...BROWSER_PARTS.full2].sort(), notebooks);
});

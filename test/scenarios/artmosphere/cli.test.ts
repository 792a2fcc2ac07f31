/** `workbook data artmosphere` from a terminal. */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { runCli, tempDir } from "../../helpers";
import { parseCatalogue } from "../../../scenarios/artmosphere/catalogue";

test("workbook data artmosphere writes the four files into the lake; bad arguments exit 2 with the usage", { timeout: 120_000 }, async (t) => {
  const home = path.join(tempDir(t), "home");
  const env = { WORKBOOK_HOME: home, DATABASE_URL: "", LAKE: "" };
  const data = await runCli(["data", "artmosphere", "--artworks", "120", "--artists", "40", "--duration", "2", "--uploads", "50"], { env: { WORKBOOK_HOME: home, DATABASE_URL: "" } });
  assert.equal(data.code, 0, data.stderr);
  assert.match(data.stdout, /wrote 120 artworks and 40 artists \(7 bad lines\), 104 collects \(4 malformed\) and 54 uploads \(4 malformed\)/);
  const raw = path.join(home, "lake", "artmosphere", "raw");
  const cat = parseCatalogue(fs.readFileSync(path.join(raw, "artists.json"), "utf8"), fs.readFileSync(path.join(raw, "artworks.json"), "utf8"));
  assert.equal(cat.artworks.length, 120);
  assert.ok(fs.existsSync(path.join(raw, "collecting.log")) && fs.existsSync(path.join(raw, "uploading.log")));
  const bad = await runCli(["data", "artmosphere", "--artworks", "many"], { env });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--artworks "many" is not a whole number 1 or more/);
  const help = await runCli(["data", "--help"], { env });
  assert.match(help.stdout + help.stderr, /artmosphere/);
});

import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { encodeWindows1250, parseTitles, readTitles, writeTitles } from "../../../scenarios/netflix/titles";
import { isWorkbookError } from "../../../lib/errors";
import { tempDir } from "../../lib/stream/helpers";

test("titles with commas keep everything after the second comma", () => {
  const t = parseTitles("1,2003,Dinosaur Planet\r\n12,1947,My Favorite Brunette, Again\n99,NULL,Sex, Lies, and Videotape\n");
  assert.equal(t.get(1)?.title, "Dinosaur Planet");
  assert.equal(t.get(12)?.title, "My Favorite Brunette, Again");
  assert.deepEqual(t.get(99), { movieId: 99, year: null, title: "Sex, Lies, and Videotape" });
});

test("movie_titles.csv is decoded as Windows-1250, not UTF-8", (t) => {
  const file = path.join(tempDir(t), "movie_titles.csv");
  const bytes = Buffer.concat([Buffer.from("7,2001,"), Buffer.from([0xa3, 0xf3, 0x64, 0x9f]), Buffer.from("\r\n")]); // "Łódź" in Windows-1250
  fs.writeFileSync(file, bytes);
  assert.equal(readTitles(file).get(7)?.title, "Łódź");
  assert.notEqual(bytes.toString("utf8").includes("Łódź"), true);
});

test("writing and reading titles round-trips non-ASCII letters and commas", (t) => {
  const file = path.join(tempDir(t), "movie_titles.csv");
  const titles = [
    { movieId: 1, year: 2003, title: "Příliš hlučná samota" },
    { movieId: 2, year: null, title: "Gänsehaut, Part 2" },
    { movieId: 3, year: 1999, title: "Kőszív" },
  ];
  writeTitles(file, titles);
  assert.deepEqual([...readTitles(file).values()], titles);
  assert.equal(fs.readFileSync(file).includes(Buffer.from("ř", "utf8")), false, "not UTF-8 on disk");
});

test("a character outside Windows-1250 and a malformed line are refused with a clear message", () => {
  assert.throws(() => encodeWindows1250("東京"), (e) => isWorkbookError(e, "INPUT_INVALID"));
  assert.throws(() => parseTitles("1,2003,Fine\nnot a title line\n", "movie_titles.csv"), (e) => isWorkbookError(e, "INPUT_INVALID") && /line 2/.test((e as Error).message));
});

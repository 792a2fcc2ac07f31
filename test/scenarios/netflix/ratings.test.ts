import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { dayMs, parseRating, readRatingLines, readRatings } from "../../../scenarios/netflix/ratings";
import { isWorkbookError } from "../../../lib/errors";
import { tempDir } from "../../lib/stream/helpers";

const movies = new Set([1, 2, 3]);

test("a valid rating line parses into date, movie, user and rate", () => {
  assert.deepEqual(parseRating("1999-11-11,1,510180,5", movies), { ok: true, value: { date: "1999-11-11", movieId: 1, userId: 510180, rate: 5 } });
  assert.equal(dayMs("1999-11-11"), Date.UTC(1999, 10, 11));
});

test("each kind of bad line is rejected with its own reason", () => {
  const reason = (line: string) => {
    const p = parseRating(line, movies);
    assert.equal(p.ok, false, line);
    return p.ok ? "" : p.reason;
  };
  assert.match(reason("2005-02-30,1,7,3"), /^bad date "2005-02-30"/);
  assert.match(reason("11/11/1999,1,7,3"), /^bad date/);
  assert.match(reason("2005-01-01,1,7,4.5"), /^non-integer rating "4.5"/);
  assert.match(reason("2005-01-01,1,7,six"), /^non-integer rating/);
  assert.match(reason("2005-01-01,1,7,0"), /^rating 0 outside 1-5/);
  assert.match(reason("2005-01-01,1,7,6"), /^rating 6 outside 1-5/);
  assert.match(reason("2005-01-01,99,7,3"), /^unknown movie 99/);
  assert.match(reason("2005-01-01,1,7"), /^wrong column count: expected 4 .* got 3/);
  assert.match(reason("2005-01-01,1,7,3,extra"), /^wrong column count: .* got 5/);
  assert.match(reason("2005-01-01,x,7,3"), /^bad film_id/);
});

test("part files are read in name order without their header", async (t) => {
  const dir = tempDir(t);
  fs.writeFileSync(path.join(dir, "part-00001.csv"), "date,film_id,user_id,rate\n2000-01-02,2,8,4\n");
  fs.writeFileSync(path.join(dir, "part-00000.csv"), "date,film_id,user_id,rate\r\n2000-01-01,1,7,3\r\n2000-01-01,3,9,5\r\n");
  fs.writeFileSync(path.join(dir, "notes.md"), "ignored");
  const lines: string[] = [];
  for await (const chunk of readRatingLines(dir)) lines.push(...chunk);
  assert.deepEqual(lines, ["2000-01-01,1,7,3", "2000-01-01,3,9,5", "2000-01-02,2,8,4"]);
});

test("the Netflix Prize combined_data layout is converted and sorted by date", async (t) => {
  const file = path.join(tempDir(t), "combined_data_1.txt");
  fs.writeFileSync(file, "1:\n1488844,3,2005-09-06\n822109,5,2005-05-13\n2:\n2059652,4,2005-07-01\n");
  const { ratings, rejected } = await readRatings(file, movies);
  assert.deepEqual(rejected, []);
  assert.deepEqual(ratings, [
    { date: "2005-05-13", movieId: 1, userId: 822109, rate: 5 },
    { date: "2005-07-01", movieId: 2, userId: 2059652, rate: 4 },
    { date: "2005-09-06", movieId: 1, userId: 1488844, rate: 3 },
  ]);
});

test("a file that is neither layout, or a missing path, fails with a message naming it", async (t) => {
  const file = path.join(tempDir(t), "x.csv");
  fs.writeFileSync(file, "hello,world\n");
  await assert.rejects(readRatings(file), (e) => isWorkbookError(e, "INPUT_INVALID") && (e as Error).message.includes(file));
  await assert.rejects(readRatings(file + ".missing"), (e) => isWorkbookError(e, "INPUT_MISSING"));
});

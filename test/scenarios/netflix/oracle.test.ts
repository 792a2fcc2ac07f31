import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { test } from "node:test";
import { openWarehouse } from "../../../lib/warehouse";
import { batchRecompute, compareWithOracle } from "../../../scenarios/netflix/oracle";
import type { Anomaly, MovieRatingRow } from "../../../scenarios/netflix/pipeline";
import { RATING_HEADER } from "../../../scenarios/netflix/ratings";
import type { Title } from "../../../scenarios/netflix/titles";
import { tempDir } from "../../helpers";
import { StreamEngine } from "../../../lib/stream/engine";
import { netflixEngineOptions } from "../../../scenarios/netflix/pipeline";

test("batchRecompute in a given warehouse uses temporary tables only: the warehouse's own titles, lines and valid stay", { timeout: 60_000 }, async (t) => {
  const dir = tempDir(t);
  const source = path.join(dir, "part-0.csv");
  fs.writeFileSync(source, `${RATING_HEADER}\n2005-01-03,1,10,5\n2005-01-04,1,11,4\n2005-01-04,2,12,3\nbad line\n`);
  const titles = new Map<number, Title>([[1, { movieId: 1, year: 2001, title: "One" }], [2, { movieId: 2, year: 2002, title: "Two, too" }]]);
  const wh = await openWarehouse({ memory: true });
  t.after(() => wh.close());
  for (const table of ["titles", "lines", "valid"]) await wh.query(`CREATE TABLE ${table} AS SELECT 'mine' AS owner`);

  const result = await batchRecompute(source, titles, {}, { warehouse: wh });
  assert.deepEqual([result.lines, result.valid, result.movieRatings.length], [4, 3, 2]);
  for (const table of ["titles", "lines", "valid"]) assert.deepEqual((await wh.query(`SELECT owner FROM ${table}`)).rows, [{ owner: "mine" }], table);
  const temp = await wh.query("SELECT table_name FROM duckdb_tables() WHERE temporary");
  assert.deepEqual(temp.rows, [], "the work tables were dropped");
});

test("batchRecompute leaves out the ratings the stream engine finds late (file order across part files), and counts them per query", { timeout: 60_000 }, async (t) => {
  const dir = tempDir(t);
  const titles = new Map<number, Title>([[1, { movieId: 1, year: 2001, title: "One" }], [2, { movieId: 2, year: 2002, title: "Two" }]]);
  // In file order, 2005-01-04 comes after 2005-03-10: its windows ended before that rating's watermark.
  // 2005-03-09 is out of order too, but within the one-day delay. The bad line is neither valid nor late.
  const files: Record<string, string[]> = { "part-0.csv": ["2005-01-03,1,10,5", "2005-03-10,1,11,4"], "part-1.csv": ["2005-01-04,2,12,3", "bad line", "2005-03-09,2,13,4"] };
  for (const [name, lines] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), `${RATING_HEADER}\n${lines.join("\n")}\n`);
  const rule = { windowDays: 7, minRatings: 1, minMean: 1 };
  const oracle = await batchRecompute(dir, titles, rule);
  assert.deepEqual([oracle.lines, oracle.valid], [5, 4]);
  assert.deepEqual(oracle.late, { movie_ratings: 1, anomalies: 1 });
  assert.deepEqual(oracle.movieRatings.filter((r) => r.movie_id === 2).map((r) => r.rating_count), [1], "movie 2 keeps only its March rating");

  // The engine with the Netflix options, fed the same lines in one batch, finds the same late rating.
  const engine = new StreamEngine(netflixEngineOptions({ titles, mode: "C", rule }));
  const lines = Object.values(files).flat();
  const result = engine.process(lines.map((l, i) => ({ partition: 0, offset: String(i), key: null, value: Buffer.from(l) })));
  assert.deepEqual(engine.getStats().late, oracle.late);
  assert.deepEqual([...new Set(result.dead.filter((d) => d.kind === "late").map((d) => d.record.value?.toString()))], ["2005-01-04,2,12,3"]);
});

/** Anomalies of movies 1..n in one window, mean 4.5 unless given. */
function anomalies(n: number, mean = (_: number) => 4.5): Anomaly[] {
  return Array.from({ length: n }, (_, i) => ({ window_start: "2005-01-01T00:00:00.000Z", window_end: "2005-01-08T00:00:00.000Z", movie_id: i + 1, title: `Movie ${i + 1}`, rating_count: 30, rating_mean: mean(i + 1) }));
}

const window = (movie: number, count: number): MovieRatingRow => ({ window_start: new Date("2005-01-01T00:00:00Z"), movie_id: movie, title: `Movie ${movie}`, rating_count: count, rating_sum: 4 * count, distinct_raters: count });

test("compareWithOracle lists every differing row, not the first 20, and equal inputs in another order match", () => {
  const oracle = { movieRatings: [window(1, 10), window(2, 20)], anomalies: anomalies(30) };
  assert.deepEqual(compareWithOracle({ movieRatings: [window(2, 20), window(1, 10)], anomalies: anomalies(30).reverse() }, oracle), { match: true, differences: [] });
  // 25 wrong means: each shows up once on each side, 50 lines in all.
  const wrong = compareWithOracle({ movieRatings: oracle.movieRatings, anomalies: anomalies(30, (m) => (m <= 25 ? 4.25 : 4.5)) }, oracle);
  assert.equal(wrong.match, false);
  assert.equal(wrong.differences.length, 50);
  assert.ok(wrong.differences.includes("anomalies: only in stream: 2005-01-01T00:00:00.000Z|2005-01-08T00:00:00.000Z|25|Movie 25|30|4.250000000"), wrong.differences.join("\n"));
  assert.ok(wrong.differences.includes("anomalies: only in batch: 2005-01-01T00:00:00.000Z|2005-01-08T00:00:00.000Z|25|Movie 25|30|4.500000000"));
});

test("compareWithOracle fails on a row the stream holds twice, and on two rows of one window", () => {
  const oracle = { movieRatings: [window(1, 10), window(2, 20)], anomalies: anomalies(3) };
  const twice = compareWithOracle({ movieRatings: [window(1, 10), window(1, 10), window(2, 20)], anomalies: anomalies(3) }, oracle);
  assert.deepEqual(twice.differences, [
    "movie_ratings: 2 rows for window|movie 2005-01-01T00:00:00.000Z|1 in stream",
    "movie_ratings: only in stream: 2005-01-01T00:00:00.000Z|1|Movie 1|10|40|10",
  ]);
  const two = compareWithOracle({ movieRatings: oracle.movieRatings, anomalies: [...anomalies(3), { ...anomalies(3)[1], rating_mean: 4.75 }] }, oracle);
  assert.deepEqual(two.differences, [
    "anomalies: 2 rows for window|movie 2005-01-01T00:00:00.000Z|2 in stream",
    "anomalies: only in stream: 2005-01-01T00:00:00.000Z|2005-01-08T00:00:00.000Z|2|Movie 2|30|4.750000000",
  ]);
});

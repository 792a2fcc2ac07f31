import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { SAMPLE_BAD_RECORDS, generateSample, writeSample } from "../../../scenarios/netflix/generate";
import { readRatings } from "../../../scenarios/netflix/ratings";
import { readTitles } from "../../../scenarios/netflix/titles";
import { projectRoot } from "../../../lib/paths";
import { tempDir } from "../../lib/stream/helpers";

test("the same seed gives the same sample and another seed a different one", () => {
  const a = generateSample({ seed: 7, ratings: 2000 });
  assert.deepEqual(generateSample({ seed: 7, ratings: 2000 }), a);
  assert.notDeepEqual(generateSample({ seed: 8, ratings: 2000 }).ratings, a.ratings);
});

test("a generated sample is realistic: skewed popularity, the Netflix rating mix, dates 1999-2005 in order", () => {
  const { ratings, titles } = generateSample({ seed: 1, ratings: 20_000, bursts: 0 });
  const perMovie = new Map<number, number>();
  const perRate = [0, 0, 0, 0, 0];
  for (const r of ratings) {
    perMovie.set(r.movieId, (perMovie.get(r.movieId) ?? 0) + 1);
    perRate[r.rate - 1]++;
  }
  const counts = [...perMovie.values()].sort((x, y) => y - x);
  const top10 = counts.slice(0, 10).reduce((s, c) => s + c, 0);
  assert.ok(top10 / ratings.length > 0.3, `top 10 of ${titles.length} movies hold ${top10 / ratings.length} of ratings`);
  const share = perRate.map((c) => c / ratings.length);
  assert.ok(share[3] > share[0] * 3 && share[2] > share[1], `rating mix ${share.join(", ")}`);
  assert.ok(ratings[0].date >= "1999-11-11" && ratings[ratings.length - 1].date <= "2005-12-31");
  assert.ok(ratings.every((r, i) => i === 0 || ratings[i - 1].date <= r.date));
  const late = ratings.filter((r) => r.date >= "2004-01-01").length;
  assert.ok(late > ratings.length / 2, "volume grows over time");
});

test("popularity sets the Zipf exponent: 1 (the default) puts about 1/H(100) of the ratings on the top movie, 0 spreads them evenly", () => {
  const topShare = (popularity?: number) => {
    const { ratings } = generateSample({ seed: 1, ratings: 20_000, bursts: 0, ...(popularity !== undefined ? { popularity } : {}) });
    const perMovie = new Map<number, number>();
    for (const r of ratings) perMovie.set(r.movieId, (perMovie.get(r.movieId) ?? 0) + 1);
    return { top: Math.max(...perMovie.values()) / ratings.length, movies: perMovie.size };
  };
  // By hand: H(100) = 1 + 1/2 + ... + 1/100 = 5.187, so the top movie's share is 1/5.187 = 0.193.
  const zipf = topShare();
  assert.ok(Math.abs(zipf.top - 0.193) < 0.02, `top share ${zipf.top}`);
  assert.deepEqual(topShare(1), zipf, "1 is the default");
  // Even: 200 ratings per movie expected; a binomial sd of about 14, so the top one stays under 1.5%.
  const even = topShare(0);
  assert.equal(even.movies, 100);
  assert.ok(even.top < 0.015, `top share ${even.top}`);
  assert.throws(() => generateSample({ popularity: -1 }), /popularity=-1 must be a number 0 or more/);
});

test("the committed sample is exactly what the seeded generator writes, in the original formats and under 1 MB", async (t) => {
  const dir = tempDir(t);
  writeSample(dir, generateSample({}), { combined: 2000, badRecords: SAMPLE_BAD_RECORDS });
  const committed = path.join(projectRoot, "data", "netflix");
  const list = (d: string): string[] => fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? list(path.join(d, e.name)).map((f) => `${e.name}/${f}`) : [e.name])).sort();
  const files = list(dir);
  assert.deepEqual(list(committed).filter((f) => files.includes(f)), files);
  let bytes = 0;
  for (const f of files) {
    assert.ok(fs.readFileSync(path.join(committed, f)).equals(fs.readFileSync(path.join(dir, f))), `${f} differs from the generator; regenerate data/netflix`);
    bytes += fs.statSync(path.join(committed, f)).size;
  }
  assert.ok(bytes < 1_000_000, `${bytes} bytes`);
  const titles = readTitles(path.join(committed, "movie_titles.csv"));
  assert.ok([...titles.values()].some((x) => x.title.includes(",")), "a title with a comma");
  assert.ok([...titles.values()].some((x) => [...x.title].some((ch) => ch.charCodeAt(0) > 127)), "a title with non-ASCII letters");
  assert.ok(files.includes("ratings/part-00007.csv"), "the bad records are a part file of their own");
  // The last part file holds four malformed lines, so the notebook's dead letters show rows with
  // their reasons by default, and one valid rating years behind the ratings before it (the late one)
  const { ratings, rejected } = await readRatings(path.join(committed, "ratings"), titles);
  assert.deepEqual(rejected.map((r) => r.line), ["2005-12-31,14,2665,9", "2005-12-31,14,2665", "2005-02-30,28,5995,4", "2005-12-31,28,5995,4.5"]);
  for (const r of rejected) assert.ok(r.reason.length > 5, `${r.line}: a reason`);
  const last = ratings[ratings.length - 1];
  const newestBefore = ratings.slice(0, -1).reduce((m, r) => (r.date > m ? r.date : m), "");
  assert.ok(Date.parse(newestBefore) - Date.parse(last.date) > 365 * 86_400_000, `the last rating ${last.date} is more than a year behind ${newestBefore}`);
});

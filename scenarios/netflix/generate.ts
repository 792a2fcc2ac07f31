/**
 * A seeded generator of realistic Netflix-like samples: movie popularity follows a Zipf law (a few
 * titles get most ratings), user activity is skewed too, ratings follow the Netflix Prize
 * distribution (1: 5%, 2: 10%, 3: 29%, 4: 34%, 5: 22%) shifted per movie by its "quality", and
 * dates run from 1999-11-11 to 2005-12-31 with volume growing over time, as Netflix did. A few
 * bursts (many high ratings of one movie within days) give the anomaly detector something to find.
 * The same seed always gives the same sample.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { RATING_HEADER, ratingLine, type Rating } from "./ratings";
import { writeTitles, type Title } from "./titles";

export interface GenerateOptions {
  /** Default 42. */
  seed?: number;
  /** Number of movies. Default 100. */
  movies?: number;
  /** Number of users. Default 2000. */
  users?: number;
  /** Number of ratings (before bursts). Default 15000. */
  ratings?: number;
  /** Number of anomaly bursts. Default 3. */
  bursts?: number;
  /** Ratings per burst. Default 90. */
  burstSize?: number;
  /** First and last day. Defaults 1999-11-11 and 2005-12-31. */
  from?: string;
  to?: string;
  /**
   * Exponent of the movies' Zipf popularity (rank r gets weight 1 / r^s). Default 1, as real
   * ratings are: a few movies get most of them. 0: every movie equally popular (no hot keys).
   */
  popularity?: number;
}

export interface Sample {
  titles: Title[];
  /** Sorted by date. */
  ratings: Rating[];
}

import { seededRandom } from "../../lib/random";

/** Re-exported for existing importers; defined in lib/random.ts. */
export { seededRandom };

/** Cumulative weights for sampling by binary search. */
function cumulative(weights: number[]): number[] {
  const out: number[] = [];
  let total = 0;
  for (const w of weights) out.push((total += w));
  return out.map((c) => c / total);
}

function pick(cum: number[], u: number): number {
  let lo = 0;
  let hi = cum.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cum[mid] < u) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const WORDS = ["Planet", "Night", "Return", "River", "Summer", "Stranger", "Garden", "Shadow", "City", "Winter", "Letter", "Island", "Dream", "Road", "Secret", "House", "King", "Storm", "Voyage", "Heart"];
const ADJECTIVES = ["Dinosaur", "Silent", "Last", "Golden", "Broken", "Hidden", "Little", "Wild", "Crimson", "Lost", "Distant", "Eternal"];
/** Titles with commas and with letters outside ASCII that Windows-1250 holds (Czech, Polish, German, Hungarian). */
const SPECIAL = ["My Favorite Brunette, Again", "Amélie, or the Girl from Montmartre", "Łódź: City of Dreams", "Příliš hlučná samota", "Gänsehaut, Part 2", "Kőszív", "Zażółć gęślą jaźń", "Sex, Lies, and Videotape", "Česká sen", "Die Brücke"];
const RATING_WEIGHTS = [0.046, 0.101, 0.287, 0.336, 0.23];

function formatDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function generateSample(options: GenerateOptions = {}): Sample {
  const random = seededRandom(options.seed ?? 42);
  const nMovies = options.movies ?? 100;
  const nUsers = options.users ?? 2000;
  const nRatings = options.ratings ?? 15_000;
  const from = Date.parse(`${options.from ?? "1999-11-11"}T00:00:00Z`);
  const to = Date.parse(`${options.to ?? "2005-12-31"}T00:00:00Z`);
  const days = Math.round((to - from) / 86_400_000) + 1;

  const titles: Title[] = [];
  for (let i = 1; i <= nMovies; i++) {
    const special = (i - 1) % 9 === 4 ? SPECIAL[Math.floor((i - 1) / 9) % SPECIAL.length] : undefined;
    const title = special ?? `${ADJECTIVES[Math.floor(random() * ADJECTIVES.length)]} ${WORDS[Math.floor(random() * WORDS.length)]}`;
    const year = random() < 0.02 ? null : 1920 + Math.floor(random() * 86);
    titles.push({ movieId: i, year, title });
  }
  // Popularity: Zipf over a shuffled order, so movie 1 is not always the most popular.
  const order = titles.map((t) => t.movieId);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const popularity = new Array<number>(nMovies);
  const exponent = options.popularity ?? 1;
  if (!(Number.isFinite(exponent) && exponent >= 0)) throw new RangeError(`popularity=${options.popularity} must be a number 0 or more (the Zipf exponent; 1 by default, 0 for equally popular movies)`);
  order.forEach((id, rank) => (popularity[id - 1] = 1 / Math.pow(rank + 1, exponent)));
  const movieCum = cumulative(popularity);
  const userCum = cumulative(Array.from({ length: nUsers }, (_, i) => 1 / Math.pow(i + 1, 0.8)));
  const quality = titles.map(() => (random() + random() + random() - 1.5) * 0.8);
  // Volume grows over time: day density proportional to (day + 30)^2.
  const dayCum = cumulative(Array.from({ length: days }, (_, d) => (d + 30) * (d + 30)));

  const ratings: Rating[] = [];
  const userId = (u: number) => 1000 + u * 37;
  const rate = (movie: number) => {
    const shift = quality[movie];
    const weights = RATING_WEIGHTS.map((w, i) => w * Math.exp(shift * (i - 2)));
    return pick(cumulative(weights), random()) + 1;
  };
  for (let i = 0; i < nRatings; i++) {
    const movie = pick(movieCum, random());
    const day = pick(dayCum, random());
    ratings.push({ date: formatDay(from + day * 86_400_000), movieId: movie + 1, userId: userId(pick(userCum, random())), rate: rate(movie) });
  }
  const bursts = options.bursts ?? 3;
  const burstSize = options.burstSize ?? 90;
  for (let b = 0; b < bursts; b++) {
    const movie = Math.floor(random() * nMovies);
    const start = Math.floor(random() * (days - 40));
    for (let k = 0; k < burstSize; k++) {
      const day = start + Math.floor(random() * 10);
      ratings.push({ date: formatDay(from + day * 86_400_000), movieId: movie + 1, userId: userId(Math.floor(random() * nUsers)), rate: random() < 0.7 ? 5 : 4 });
    }
  }
  ratings.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  return { titles, ratings };
}

/** Writes ratings as part files (`part-00000.csv`...), header line first, each one year of dates. */
export function writeRatingParts(dir: string, ratings: Rating[]): string[] {
  fs.mkdirSync(dir, { recursive: true });
  const byYear = new Map<string, string[]>();
  for (const r of ratings) {
    const y = r.date.slice(0, 4);
    if (!byYear.has(y)) byYear.set(y, []);
    byYear.get(y)!.push(ratingLine(r));
  }
  return [...byYear.keys()].sort().map((y, i) => {
    const file = path.join(dir, `part-${String(i).padStart(5, "0")}.csv`);
    fs.writeFileSync(file, `${RATING_HEADER}\n${byYear.get(y)!.join("\n")}\n`);
    return file;
  });
}

/** Writes ratings in the Netflix Prize combined_data layout (`MovieID:` then `CustomerID,Rating,Date`). */
export function writeCombinedData(file: string, ratings: Rating[]): void {
  const byMovie = new Map<number, Rating[]>();
  for (const r of ratings) {
    if (!byMovie.has(r.movieId)) byMovie.set(r.movieId, []);
    byMovie.get(r.movieId)!.push(r);
  }
  const parts: string[] = [];
  for (const id of [...byMovie.keys()].sort((a, b) => a - b)) {
    parts.push(`${id}:`);
    for (const r of byMovie.get(id)!) parts.push(`${r.userId},${r.rate},${r.date}`);
  }
  fs.writeFileSync(file, parts.join("\n") + "\n");
}

/**
 * The bad records of the committed sample (data/netflix), replayed last: four malformed lines, and a
 * valid rating of 2001 that arrives after every rating of 2005. Its windows closed years before it
 * arrives, so it is late whatever the micro-batches (and the batch recomputation knows it too).
 */
export const SAMPLE_BAD_RECORDS = ["2005-12-31,14,2665,9", "2005-12-31,14,2665", "2005-02-30,28,5995,4", "2005-12-31,28,5995,4.5", "2001-06-15,14,2665,5"];

/**
 * Writes a whole sample: `<dir>/ratings/part-*.csv`, `<dir>/movie_titles.csv` and, when asked,
 * `<dir>/combined_data_1.txt` with the first `combined` ratings, and a last part file of
 * `badRecords` (raw lines, e.g. SAMPLE_BAD_RECORDS).
 */
export function writeSample(dir: string, sample: Sample, options: { combined?: number; badRecords?: string[] } = {}): { ratings: string; titles: string; combined?: string } {
  fs.mkdirSync(dir, { recursive: true });
  const ratingsDir = path.join(dir, "ratings");
  const parts = writeRatingParts(ratingsDir, sample.ratings);
  if (options.badRecords?.length) fs.writeFileSync(path.join(ratingsDir, `part-${String(parts.length).padStart(5, "0")}.csv`), `${RATING_HEADER}\n${options.badRecords.join("\n")}\n`);
  const titles = path.join(dir, "movie_titles.csv");
  writeTitles(titles, sample.titles);
  let combined: string | undefined;
  if (options.combined) {
    combined = path.join(dir, "combined_data_1.txt");
    writeCombinedData(combined, sample.ratings.slice(0, options.combined));
  }
  return { ratings: ratingsDir, titles, combined };
}

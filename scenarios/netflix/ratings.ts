/**
 * Netflix ratings: the record type, the validating parser, and loaders for the two original
 * layouts.
 *
 * - Rating part files (what the original producer replayed): a header line, then
 *   `date,film_id,user_id,rate`, e.g. `1999-11-11,1,510180,5`. Files are read in name order.
 * - The Netflix Prize `combined_data_*.txt`: a `MovieID:` line, then `CustomerID,Rating,Date`
 *   lines for that movie. It is grouped by movie, not by date, so the loader sorts it by date
 *   before replay (a stream replayed in movie order would make almost every record late).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as readline from "node:readline";
import { WorkbookError } from "../../lib/errors";

export type Rating = {
  /** "YYYY-MM-DD" */
  date: string;
  movieId: number;
  userId: number;
  /** 1..5 */
  rate: number;
};

/** The header line of a rating part file. */
export const RATING_HEADER = "date,film_id,user_id,rate";

export type ParsedRating = { ok: true; value: Rating } | { ok: false; reason: string };

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const INTEGER = /^-?\d+$/;
const dayCache = new Map<string, number>();

/** Epoch ms of a "YYYY-MM-DD" date at 00:00 UTC, or NaN when it is not a real calendar date. */
export function dayMs(date: string): number {
  const cached = dayCache.get(date);
  if (cached !== undefined) return cached;
  const m = DATE.exec(date);
  let ms = NaN;
  if (m) {
    const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const t = Date.UTC(y, mo - 1, d);
    const back = new Date(t);
    if (back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d) ms = t;
  }
  if (dayCache.size < 100_000) dayCache.set(date, ms);
  return ms;
}

/**
 * Parses one `date,film_id,user_id,rate` line. Rejects, with the reason: a wrong column count, a
 * date that is not YYYY-MM-DD or not a real day, a non-integer id or rating, a rating outside 1-5,
 * and (when `movies` is given) a movie not in the titles.
 */
export function parseRating(line: string, movies?: { has(id: number): boolean }): ParsedRating {
  const parts = line.trim().split(",");
  if (parts.length !== 4) return { ok: false, reason: `wrong column count: expected 4 (date,film_id,user_id,rate), got ${parts.length}` };
  const [date, film, user, rate] = parts;
  if (!Number.isFinite(dayMs(date))) return { ok: false, reason: `bad date ${JSON.stringify(date)}: expected a real day as YYYY-MM-DD` };
  if (!INTEGER.test(film)) return { ok: false, reason: `bad film_id ${JSON.stringify(film)}: expected an integer` };
  if (!INTEGER.test(user)) return { ok: false, reason: `bad user_id ${JSON.stringify(user)}: expected an integer` };
  if (!INTEGER.test(rate)) return { ok: false, reason: `non-integer rating ${JSON.stringify(rate)}: expected 1, 2, 3, 4 or 5` };
  const r = Number(rate);
  if (r < 1 || r > 5) return { ok: false, reason: `rating ${r} outside 1-5` };
  const movieId = Number(film);
  if (movies && !movies.has(movieId)) return { ok: false, reason: `unknown movie ${movieId}: not in the titles` };
  return { ok: true, value: { date, movieId, userId: Number(user), rate: r } };
}

/** A rating as a part-file line. */
export function ratingLine(r: Rating): string {
  return `${r.date},${r.movieId},${r.userId},${r.rate}`;
}

/** The rating files under `source` (a file, or a folder: its .csv/.txt files in name order). */
export function ratingFiles(source: string): string[] {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(source);
  } catch (err) {
    throw new WorkbookError("INPUT_MISSING", `ratings ${source} does not exist; pass a rating file or a folder of them (e.g. data/netflix/ratings).`, { cause: err });
  }
  if (stat.isFile()) return [source];
  const files = fs
    .readdirSync(source)
    .filter((f) => /\.(csv|txt)$/i.test(f))
    .sort()
    .map((f) => path.join(source, f));
  if (files.length === 0) throw new WorkbookError("INPUT_MISSING", `folder ${source} holds no .csv or .txt rating files.`);
  return files;
}

/** True when the file is in the Netflix Prize combined_data layout (first line `<id>:`). */
export function isCombinedLayout(firstLine: string): boolean {
  return /^\s*\d+:\s*$/.test(firstLine);
}

/**
 * Raw rating lines (`date,film_id,user_id,rate`, not validated) of every file under `source`, in
 * replay order: part files line by line without their header; combined_data files converted and
 * sorted by date. The lines are yielded in arrays of up to `chunk` lines.
 */
export async function* readRatingLines(source: string, options: { chunk?: number } = {}): AsyncGenerator<string[]> {
  const chunk = options.chunk ?? 10_000;
  for (const file of ratingFiles(source)) {
    const lines = readline.createInterface({ input: fs.createReadStream(file, { encoding: "utf8" }), crlfDelay: Infinity });
    let first = true;
    let combined = false;
    let movie = "";
    let out: string[] = [];
    const sorted: string[] = [];
    for await (const raw of lines) {
      const line = raw.trim();
      if (first) {
        first = false;
        combined = isCombinedLayout(line);
        if (!combined) {
          if (line.toLowerCase().replace(/\s/g, "") !== RATING_HEADER) throw new WorkbookError("INPUT_INVALID", `${file} starts with ${JSON.stringify(line.slice(0, 60))}, neither the header ${RATING_HEADER} nor a combined_data "MovieID:" line.`);
          continue;
        }
      }
      if (line === "") continue;
      if (combined) {
        if (line.endsWith(":")) {
          movie = line.slice(0, -1);
          continue;
        }
        const [customer, rating, date] = line.split(",");
        sorted.push(`${date},${movie},${customer},${rating}`);
        continue;
      }
      out.push(line);
      if (out.length >= chunk) {
        yield out;
        out = [];
      }
    }
    if (combined) {
      sorted.sort((a, b) => (a.slice(0, 10) < b.slice(0, 10) ? -1 : a.slice(0, 10) > b.slice(0, 10) ? 1 : 0));
      for (let i = 0; i < sorted.length; i += chunk) yield sorted.slice(i, i + chunk);
    } else if (out.length > 0) yield out;
  }
}

/** Every valid rating under `source` (invalid lines are returned apart, with their reason). */
export async function readRatings(source: string, movies?: { has(id: number): boolean }): Promise<{ ratings: Rating[]; rejected: Array<{ line: string; reason: string }> }> {
  const ratings: Rating[] = [];
  const rejected: Array<{ line: string; reason: string }> = [];
  for await (const lines of readRatingLines(source)) {
    for (const line of lines) {
      const p = parseRating(line, movies);
      if (p.ok) ratings.push(p.value);
      else rejected.push({ line, reason: p.reason });
    }
  }
  return { ratings, rejected };
}

/**
 * The event-time lesson of notebook 05, worked out in the kernel without Kafka, so its figures are the
 * same on every machine: the input replayed as the producer replays it, cut into micro-batches of
 * `batchDays` days of replay time, then
 *
 * - the naive count: ratings counted in the 30-day window of their *processing* time (when their
 *   micro-batch ran), against the event-time result: which windows come out wrong, and by how much;
 * - modes A and C: the same engine the processor runs (lib/stream), fed the same batches, in update
 *   mode (a row per window per batch that changed it) and in append mode (one final row per window,
 *   once the watermark has passed its end);
 * - a timeline of event time against processing time, with the watermark and the late rating;
 * - what the original's `approx_count_distinct("rating")` counted (distinct rating values, at most 5)
 *   against distinct raters.
 *
 * The replay clock: a rating arrives when the replay reaches its day; a rating behind the clock (the
 * sample's rating of 2001, replayed after those of 2005) arrives at once, at the clock's day. Batch k
 * holds what arrived in [t0 + k * batchDays, t0 + (k + 1) * batchDays) and runs at the end of that
 * span: its processing time.
 */
import { DAY_MS, StreamEngine, type InputRecord, type WindowRow } from "../../lib/stream";
import type { VegaLiteSpec } from "../../lib/display/chart";
import { WorkbookError } from "../../lib/errors";
import type { DeadLetter } from "../../lib/stream/dead-letters";
import { netflixEngineOptions, RATINGS_QUERY, TUMBLING_DAYS, type Anomaly, type NetflixMode } from "./pipeline";
import { dayMs, parseRating, readRatingLines, type Rating } from "./ratings";
import type { Title } from "./titles";

const WINDOW_MS = TUMBLING_DAYS * DAY_MS;

/** A date as YYYY-MM-DD (the one date format of the lesson's tables). */
export const day = (ms: number | Date): string => new Date(ms).toISOString().slice(0, 10);

/** One line of the input as the lesson replays it. */
export interface Arrival {
  /** Position in the replay (0-based). */
  index: number;
  line: string;
  /** The parsed rating, or undefined when the line is rejected. */
  rating?: Rating;
  /** Event time (epoch ms of the rating's day); NaN for a rejected line. */
  eventTime: number;
  /** When the replay sent it (the replay clock, in data days). */
  arrival: number;
  batch: number;
  /** When its micro-batch ran: the end of the batch's span. */
  processingTime: number;
}

export interface ReplayModel {
  batchDays: number;
  arrivals: Arrival[];
  /** The non-empty batches in order: number and processing time. */
  batches: { batch: number; end: number; size: number }[];
  /** The last day of the input (the newest event time). */
  lastDay: number;
}

/** Reads the input and models its replay in micro-batches of `batchDays` days of replay time (default 7). */
export async function modelReplay(source: string, titles: Map<number, Title>, options: { batchDays?: number } = {}): Promise<ReplayModel> {
  const batchDays = options.batchDays ?? 7;
  if (!Number.isInteger(batchDays) || batchDays < 1) throw new WorkbookError("OPTIONS_INVALID", `batchDays=${batchDays} must be a whole number of days, 1 or more (e.g. 7: a week of ratings per micro-batch).`);
  const lines: string[] = [];
  for await (const chunk of readRatingLines(source)) lines.push(...chunk);
  const parsed = lines.map((line) => parseRating(line, titles));
  const first = parsed.find((p) => p.ok);
  if (!first?.ok) throw new WorkbookError("INPUT_INVALID", `${source} holds no valid rating; pass a rating file or folder such as data/netflix/ratings.`);
  const t0 = dayMs(first.value.date);
  let clock = t0;
  let lastDay = t0;
  const arrivals: Arrival[] = parsed.map((p, index) => {
    const eventTime = p.ok ? dayMs(p.value.date) : NaN;
    if (eventTime > clock) clock = eventTime;
    if (eventTime > lastDay) lastDay = eventTime;
    const batch = Math.floor((clock - t0) / (batchDays * DAY_MS));
    return { index, line: lines[index], rating: p.ok ? p.value : undefined, eventTime, arrival: clock, batch, processingTime: t0 + (batch + 1) * batchDays * DAY_MS };
  });
  const sizes = new Map<number, number>();
  for (const a of arrivals) sizes.set(a.batch, (sizes.get(a.batch) ?? 0) + 1);
  const batches = [...sizes].sort((x, y) => x[0] - y[0]).map(([batch, size]) => ({ batch, end: t0 + (batch + 1) * batchDays * DAY_MS, size }));
  return { batchDays, arrivals, batches, lastDay };
}

/** A row one mode wrote: the batch that wrote it, the watermark after that batch, and the window's figures. */
export interface WrittenRow {
  /** The batch's number (1 = first), or "end" for the end of input. */
  batch: number | "end";
  /** The batch's processing time (YYYY-MM-DD), or "end of input". */
  processed: string;
  watermark: string;
  window_start: string;
  movie_id: number;
  rating_count: number;
  rating_sum: number;
  distinct_raters: number;
}

export interface ModeRun {
  mode: NetflixMode;
  rows: WrittenRow[];
  /** Indexes (Arrival.index) of the ratings late for movie_ratings. */
  late: number[];
  /** Per batch: its processing time and the watermark after it (epoch ms). */
  watermarks: { batch: number; end: number; watermark: number }[];
}

/** Runs the movie_ratings query of the pipeline over the modelled batches in one mode (A: update, C: append). */
export function runMode(model: ReplayModel, titles: Map<number, Title>, mode: NetflixMode): ModeRun {
  const options = netflixEngineOptions({ titles, mode });
  const engine = new StreamEngine({ ...options, queries: options.queries.filter((q) => q.name === RATINGS_QUERY) });
  const rows: WrittenRow[] = [];
  const late: number[] = [];
  const watermarks: ModeRun["watermarks"] = [];
  const take = (out: WindowRow[], batch: number | "end", processed: string, watermark: string) => {
    for (const r of out) {
      rows.push({ batch, processed, watermark, window_start: day(r.windowStart), movie_id: r.key as number, rating_count: r.rating_count as number, rating_sum: r.rating_sum as number, distinct_raters: r.distinct_raters as number });
    }
  };
  let n = 0;
  for (const b of model.batches) {
    const records: InputRecord[] = model.arrivals.filter((a) => a.batch === b.batch).map((a) => ({ partition: 0, offset: String(a.index), key: null, value: Buffer.from(a.line) }));
    const result = engine.process(records);
    n++;
    for (const d of result.dead) if (d.kind === "late" && d.query === RATINGS_QUERY) late.push(Number(d.record.offset));
    watermarks.push({ batch: n, end: b.end, watermark: result.watermarkAfter });
    take(result.outputs[RATINGS_QUERY], n, day(b.end), day(result.watermarkAfter));
  }
  take(engine.flush().outputs[RATINGS_QUERY], "end", "end of input", "+inf");
  return { mode, rows, late, watermarks };
}

/** Both modes over the same batches. */
export function runModes(model: ReplayModel, titles: Map<number, Title>): { a: ModeRun; c: ModeRun } {
  return { a: runMode(model, titles, "A"), c: runMode(model, titles, "C") };
}

const keyOf = (windowStart: string, movieId: number) => `${windowStart}|${movieId}`;

/** One window where the naive count and the event-time count differ. */
export interface WrongWindow extends Record<string, unknown> {
  window_start: string;
  title: string;
  naive_count: number;
  event_time_count: number;
  difference: number;
}

/**
 * The naive count: every valid rating counted in the 30-day window of its processing time, against
 * the event-time result (the final rows of mode C). Returns the windows that differ, largest
 * difference first, with how many windows there are in all and how many ratings the naive count put
 * in another window than their own (the late one included: the naive count has no notion of late).
 */
export function naiveVsEventTime(model: ReplayModel, c: ModeRun, titles: Map<number, Title>): { wrong: WrongWindow[]; windows: number; misplaced: number } {
  const naive = new Map<string, number>();
  let misplaced = 0;
  for (const a of model.arrivals) {
    if (!a.rating) continue;
    const w = Math.floor(a.processingTime / WINDOW_MS) * WINDOW_MS;
    if (w !== Math.floor(a.eventTime / WINDOW_MS) * WINDOW_MS) misplaced++;
    const k = keyOf(day(w), a.rating.movieId);
    naive.set(k, (naive.get(k) ?? 0) + 1);
  }
  const event = new Map(c.rows.map((r) => [keyOf(r.window_start, r.movie_id), r.rating_count]));
  const keys = new Set([...naive.keys(), ...event.keys()]);
  const wrong: WrongWindow[] = [];
  for (const k of keys) {
    const n = naive.get(k) ?? 0;
    const e = event.get(k) ?? 0;
    if (n === e) continue;
    const [ws, movie] = k.split("|");
    wrong.push({ window_start: ws, title: titles.get(Number(movie))?.title ?? movie, naive_count: n, event_time_count: e, difference: n - e });
  }
  wrong.sort((x, y) => Math.abs(y.difference) - Math.abs(x.difference) || (x.window_start < y.window_start ? -1 : x.window_start > y.window_start ? 1 : 0) || x.title.localeCompare(y.title));
  return { wrong, windows: keys.size, misplaced };
}

/** Rows written per mode: in all, windows, and the most rows one window got. */
export function modesSummary(runs: { a: ModeRun; c: ModeRun }): Record<string, unknown>[] {
  return [runs.a, runs.c].map((r) => {
    const per = new Map<string, number>();
    for (const row of r.rows) per.set(keyOf(row.window_start, row.movie_id), (per.get(keyOf(row.window_start, row.movie_id)) ?? 0) + 1);
    const first = r.rows[0];
    return {
      mode: r.mode === "A" ? "A (update)" : "C (append)",
      rows_written: r.rows.length,
      windows: per.size,
      most_rows_for_one_window: Math.max(0, ...per.values()),
      first_row_written_by_batch: first ? first.batch : "none",
    };
  });
}

/** The window that mode A rewrote most often (earliest on a tie): its start and movie. */
export function busiestUpdatedWindow(a: ModeRun): { window_start: string; movie_id: number } {
  const per = new Map<string, number>();
  for (const r of a.rows) per.set(keyOf(r.window_start, r.movie_id), (per.get(keyOf(r.window_start, r.movie_id)) ?? 0) + 1);
  const [best] = [...per].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1));
  const [ws, movie] = best[0].split("|");
  return { window_start: ws, movie_id: Number(movie) };
}

/** What each mode wrote for one window, batch by batch: mode A a row per change, mode C one row once final. */
export function windowStory(runs: { a: ModeRun; c: ModeRun }, window: { window_start: string; movie_id: number }): Record<string, unknown>[] {
  const of = (r: ModeRun) => r.rows.filter((x) => x.window_start === window.window_start && x.movie_id === window.movie_id);
  const a = of(runs.a);
  const c = of(runs.c);
  const batches = [...new Set([...a, ...c].map((r) => r.batch))].sort((x, y) => (x === "end" ? 1 : y === "end" ? -1 : x - y));
  const watermarks = new Map(runs.a.watermarks.map((w) => [w.batch, w]));
  const written = (r: WrittenRow | undefined) => (r ? `count ${r.rating_count}, sum ${r.rating_sum}, raters ${r.distinct_raters}` : "-");
  return batches.map((b) => {
    const w = b === "end" ? undefined : watermarks.get(b);
    return {
      batch: b,
      processed: w ? day(w.end) : "end of input",
      watermark_after: w ? day(w.watermark) : "+inf",
      mode_A_writes: written(a.find((r) => r.batch === b)),
      mode_C_writes: written(c.find((r) => r.batch === b)),
    };
  });
}

/**
 * A timeline of event time against processing time: on the left the whole replay (a point per batch
 * and event week, sized by ratings), the watermark after each batch, and the late rating; on the right
 * a zoom of five weeks around the end of one window, where the naive count goes wrong: the ratings
 * processed after the window's end (right of the dashed line) whose event time is before it (below
 * the dotted line) are counted in the next window by processing time.
 */
export function timelineSpec(model: ReplayModel, c: ModeRun, zoomEnd: number): VegaLiteSpec {
  const late = new Set(c.late);
  const points = new Map<string, { processed: string; event: string; ratings: number }>();
  const weekOf = (t: number) => t - ((((Math.floor(t / DAY_MS) + 3) % 7) + 7) % 7) * DAY_MS; // Monday of the week
  for (const a of model.arrivals) {
    if (!a.rating || late.has(a.index)) continue;
    const k = `${a.processingTime}|${weekOf(a.eventTime)}`;
    const p = points.get(k) ?? { processed: day(a.processingTime), event: day(weekOf(a.eventTime)), ratings: 0 };
    p.ratings++;
    points.set(k, p);
  }
  const lateRows = model.arrivals.filter((a) => late.has(a.index)).map((a) => ({ processed: day(a.processingTime), event: day(a.eventTime), rated: `late: rated ${day(a.eventTime)}`, processed_on: `processed ${day(a.processingTime)}` }));
  const marks = c.watermarks.map((w) => ({ processed: day(w.end), watermark: day(w.watermark) }));
  const from = zoomEnd - 21 * DAY_MS;
  const to = zoomEnd + 14 * DAY_MS;
  const zoom = new Map<string, { processed: string; event: string; ratings: number; counted: string }>();
  for (const a of model.arrivals) {
    if (!a.rating || late.has(a.index) || a.eventTime < from || a.eventTime >= to || a.processingTime < from || a.processingTime > to) continue;
    const k = `${a.processingTime}|${a.eventTime}`;
    const wrong = Math.floor(a.processingTime / WINDOW_MS) !== Math.floor(a.eventTime / WINDOW_MS);
    const p = zoom.get(k) ?? { processed: day(a.processingTime), event: day(a.eventTime), ratings: 0, counted: wrong ? "next window" : "own window" };
    p.ratings++;
    zoom.set(k, p);
  }
  const zoomMarks = marks.filter((m) => Date.parse(m.processed) >= from && Date.parse(m.processed) <= to);
  const axis = { format: "%Y-%m-%d", tickCount: 5 }; // dates as in the tables, in UTC
  const x = { field: "processed", type: "temporal", title: "processing time (when the batch ran)", scale: { type: "utc" }, axis: { ...axis, labelAngle: -30 } };
  const y = { field: "event", type: "temporal", title: "event time (the rating's day)", scale: { type: "utc" }, axis };
  const watermarkLayer = (values: unknown[]) => ({ data: { values }, mark: { type: "line", interpolate: "step-after", color: "#d62728", strokeWidth: 1.5 }, encoding: { x, y: { field: "watermark", type: "temporal", scale: { type: "utc" } } } });
  return {
    title: `Event time against processing time (${model.batchDays}-day micro-batches; red line: the watermark)`,
    hconcat: [
      {
        title: "the whole replay",
        width: 330,
        height: 300,
        layer: [
          { data: { values: [...points.values()] }, mark: { type: "circle", color: "#1f77b4", opacity: 0.6 }, encoding: { x, y, size: { field: "ratings", type: "quantitative", title: "ratings", legend: null } } },
          watermarkLayer(marks),
          { data: { values: lateRows }, mark: { type: "point", shape: "diamond", size: 160, filled: true, color: "#d62728" }, encoding: { x, y } },
          { data: { values: lateRows }, mark: { type: "text", align: "right", dx: -4, dy: -26, fontSize: 11, color: "#d62728" }, encoding: { x, y, text: { field: "rated" } } },
          { data: { values: lateRows }, mark: { type: "text", align: "right", dx: -4, dy: -12, fontSize: 11, color: "#d62728" }, encoding: { x, y, text: { field: "processed_on" } } },
        ],
      },
      {
        title: `zoom: the window ending ${day(zoomEnd)}`,
        width: 330,
        height: 300,
        layer: [
          { data: { values: [...zoom.values()] }, mark: { type: "circle", opacity: 0.8 }, encoding: { x: { ...x, scale: { type: "utc", domain: [day(from), day(to)] } }, y: { ...y, scale: { type: "utc", domain: [day(from), day(to)] } }, size: { field: "ratings", type: "quantitative", legend: null }, color: { field: "counted", type: "nominal", title: "naive count", scale: { domain: ["own window", "next window"], range: ["#1f77b4", "#ff7f0e"] }, legend: { orient: "bottom" } } } },
          watermarkLayer(zoomMarks),
          { data: { values: [{ t: day(zoomEnd) }] }, mark: { type: "rule", strokeDash: [6, 4], color: "#555555" }, encoding: { x: { field: "t", type: "temporal", scale: { type: "utc" } } } },
          { data: { values: [{ t: day(zoomEnd) }] }, mark: { type: "rule", strokeDash: [2, 2], color: "#555555" }, encoding: { y: { field: "t", type: "temporal", scale: { type: "utc" } } } },
        ],
      },
    ],
    resolve: { scale: { color: "independent", size: "independent" } },
  };
}

/** The end of the window whose boundary the naive count gets most wrong: most ratings processed after it but rated before it. */
export function mostMisplacedBoundary(model: ReplayModel): number {
  const per = new Map<number, number>();
  for (const a of model.arrivals) {
    if (!a.rating) continue;
    const own = Math.floor(a.eventTime / WINDOW_MS);
    if (Math.floor(a.processingTime / WINDOW_MS) === own + 1) per.set(own, (per.get(own) ?? 0) + 1);
  }
  const [best] = [...per].sort((x, y) => y[1] - x[1] || x[0] - y[0]);
  return best ? (best[0] + 1) * WINDOW_MS : Math.floor(model.lastDay / WINDOW_MS) * WINDOW_MS;
}

/**
 * What the original's `approx_count_distinct("rating")` counted: distinct rating *values* per window
 * (1 to 5, so never more than 5), beside distinct raters, for the `top` windows with most ratings;
 * and over every window, the largest of each.
 */
export function distinctValuesVsRaters(model: ReplayModel, c: ModeRun, titles: Map<number, Title>, options: { top?: number } = {}): { rows: Record<string, unknown>[]; maxValues: number; maxRaters: number; windows: number } {
  const late = new Set(c.late);
  const per = new Map<string, { values: Set<number>; raters: Set<number>; count: number }>();
  for (const a of model.arrivals) {
    if (!a.rating || late.has(a.index)) continue;
    const k = keyOf(day(Math.floor(a.eventTime / WINDOW_MS) * WINDOW_MS), a.rating.movieId);
    const w = per.get(k) ?? { values: new Set(), raters: new Set(), count: 0 };
    w.values.add(a.rating.rate);
    w.raters.add(a.rating.userId);
    w.count++;
    per.set(k, w);
  }
  const all = [...per].map(([k, w]) => {
    const [ws, movie] = k.split("|");
    return { window_start: ws, title: titles.get(Number(movie))?.title ?? movie, rating_count: w.count, distinct_rating_values: w.values.size, distinct_raters: w.raters.size };
  });
  all.sort((x, y) => y.rating_count - x.rating_count || (x.window_start < y.window_start ? -1 : 1));
  return { rows: all.slice(0, options.top ?? 5), maxValues: Math.max(0, ...all.map((r) => r.distinct_rating_values)), maxRaters: Math.max(0, ...all.map((r) => r.distinct_raters)), windows: all.length };
}

/** The newest 30-day window: its bounds, and how many of its days the input covers (it ends with the data). */
export function lastWindow(model: ReplayModel): { start: string; end: string; lastDay: string; daysCovered: number } {
  const start = Math.floor(model.lastDay / WINDOW_MS) * WINDOW_MS;
  return { start: day(start), end: day(start + WINDOW_MS), lastDay: day(model.lastDay), daysCovered: Math.round((model.lastDay - start) / DAY_MS) + 1 };
}

/** The anomalies summarised per movie: how many anomalous windows, when, and their peak figures; most windows first. */
export function anomalySummary(anomalies: readonly Anomaly[]): Record<string, unknown>[] {
  const per = new Map<number, Anomaly[]>();
  for (const a of anomalies) per.set(a.movie_id, [...(per.get(a.movie_id) ?? []), a]);
  return [...per.values()]
    .map((list) => ({
      title: list[0].title,
      anomalous_windows: list.length,
      first_window_start: day(Date.parse(list[0].window_start)),
      last_window_end: day(Date.parse(list[list.length - 1].window_end)),
      most_ratings: Math.max(...list.map((a) => a.rating_count)),
      best_mean: Number(Math.max(...list.map((a) => a.rating_mean)).toFixed(2)),
    }))
    .sort((x, y) => y.anomalous_windows - x.anomalous_windows || (x.first_window_start < y.first_window_start ? -1 : 1));
}

/** Dead letters for display: their dates as YYYY-MM-DD (the engine writes full timestamps). */
export function deadLetterRows(dead: readonly DeadLetter[]): Record<string, unknown>[] {
  const short = (s: string) => s.replace(/(\d{4}-\d{2}-\d{2})T00:00:00\.000Z/g, "$1");
  return dead.map((d) => ({ line: d.line, kind: d.kind, reason: short(d.reason) }));
}

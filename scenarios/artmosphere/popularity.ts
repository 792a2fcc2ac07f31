/**
 * Live popularity: collect events replayed into a topic in real time, counted per artwork in
 * 5-second tumbling windows by the stream processor (lib/stream), upserted into PostgreSQL.
 *
 * Event time is the log's timestamp, so the windows are the same on every run and every machine;
 * the replay only paces the sending (speed 1 = as fast as the events happened). The query runs in
 * update mode: a window's row is written as soon as a batch changes it, so the chart moves while
 * the window is still open. The watermark trails the newest collect by 2 seconds; a collect older
 * than that for a closed window is late and goes to the dead-letter topic, as do malformed lines.
 */
import type { Kafka } from "kafkajs";
import { replayMessages, type ReplayMessage } from "../../lib/kafka/replay";
import { count, mapSink, postgresSink, startProcessor, tumbling } from "../../lib/stream";
import type { EngineOptions, ProcessorStats, StreamProcessor } from "../../lib/stream";
import { plainName } from "../../lib/sql";
import type { SqlDatabase } from "../../lib/sql/sql";
import { WorkbookError } from "../../lib/errors";
import { chartSvg, type VegaLiteSpec } from "../../lib/display/chart";
import { publish } from "../../lib/display/output";
import { pictureBundle } from "../../lib/display/picture";
import { parseCollect, type CollectEvent } from "./logs";

export const WINDOW_MS = 5000;
export const WATERMARK_DELAY_MS = 2000;
export const POPULARITY_TABLE = "artmosphere_popularity";
export const POPULARITY_QUERY = "popularity";


export interface ReplayCollectsOptions {
  kafka: Kafka;
  topic: string;
  /** collecting.log lines, in time order (malformed ones are sent as they are). */
  lines: string[];
  /** 1 = real time (default), 2 = twice as fast, 0 = as fast as possible. */
  speed?: number;
  signal?: AbortSignal;
}

/**
 * Sends the lines, each when its timestamp comes due (relative to the first, never more than a
 * minute after the start), key = the artwork id; a malformed line goes at once.
 */
export async function replayCollects(options: ReplayCollectsOptions): Promise<{ sent: number; ms: number }> {
  const messages = options.lines.map((line): ReplayMessage => {
    const parsed = parseCollect(line);
    return { key: line.split(",")[3] || null, value: line, ...(parsed.ok ? { time: parsed.value.ts } : {}) };
  });
  const r = await replayMessages({
    kafka: options.kafka, topic: options.topic, messages, speed: options.speed ?? 1, speedUnit: "times real time (1 = real time)",
    maxPacedMs: 60_000, slackMs: 20, batchSize: 2000, signal: options.signal,
  });
  return { sent: r.sent, ms: r.durationMs };
}

/** A row of the popularity table. */
export interface PopularityRow extends Record<string, unknown> {
  window_start: Date;
  window_end: Date;
  artwork_id: string;
  collects: number;
}

/** Creates the popularity table (window_start, artwork_id) if it does not exist. */
export async function createPopularityTable(sql: SqlDatabase, table = POPULARITY_TABLE): Promise<void> {
  await sql.exec(`CREATE TABLE IF NOT EXISTS ${plainName(table)} (
    window_start timestamp NOT NULL,
    window_end timestamp NOT NULL,
    artwork_id text NOT NULL,
    collects integer NOT NULL,
    PRIMARY KEY (window_start, artwork_id)
  )`);
}

export interface PopularityOptions {
  kafka: Kafka;
  sql: SqlDatabase;
  /** The catalogue's artwork ids: a collect of an unknown artwork is rejected. */
  artworkIds: ReadonlySet<string>;
  topic: string;
  checkpointDir: string;
  /** Default "artmosphere_popularity". */
  table?: string;
  /** Trigger interval in ms. Default 500. */
  triggerMs?: number;
}

/** The engine options of the popularity processor: the collect parser and its one query (collects per artwork and window). */
export function popularityEngineOptions(artworkIds: ReadonlySet<string>): EngineOptions<CollectEvent> {
  return {
    parse: (text) => {
      const r = parseCollect(text, artworkIds);
      return r.ok ? { ok: true, value: r.value } : { ok: false, reason: r.reason };
    },
    eventTime: (e) => e.ts,
    watermarkDelayMs: WATERMARK_DELAY_MS,
    queries: [{ name: POPULARITY_QUERY, window: tumbling(WINDOW_MS), key: (e) => e.artwork_id, aggregates: { collects: count() }, mode: "update" }],
  };
}

/** Starts the stream processor: 5-second tumbling windows per artwork, count(), update mode, into PostgreSQL. */
export async function startPopularity(options: PopularityOptions): Promise<StreamProcessor<CollectEvent>> {
  const table = plainName(options.table ?? POPULARITY_TABLE);
  await createPopularityTable(options.sql, table);
  return startProcessor<CollectEvent>({
    kafka: options.kafka,
    topic: options.topic,
    checkpointDir: options.checkpointDir,
    triggerMs: options.triggerMs ?? 500,
    ...popularityEngineOptions(options.artworkIds),
    sinks: {
      [POPULARITY_QUERY]: [
        mapSink(postgresSink<PopularityRow>({ sql: options.sql, table, key: ["window_start", "artwork_id"] }), (rows) =>
          rows.map((r) => ({ window_start: new Date(r.windowStart), window_end: new Date(r.windowEnd), artwork_id: String(r.key), collects: Number(r.collects) }))),
      ],
    },
  });
}

export interface LivePopularity {
  processor: StreamProcessor<CollectEvent>;
  topic: string;
  deadLetterTopic: string;
  /** Resolves when every line is sent and processed and the windows are closed, with the stream's counts. */
  done: Promise<ProcessorStats & { sent: number }>;
  /** Stops the replay (if still running) and the processor. The database stays open. */
  close(): Promise<void>;
}

/** Replays the lines in real time and runs the processor until the end of the input. */
export async function startLivePopularity(options: PopularityOptions & { lines: string[]; speed?: number }): Promise<LivePopularity> {
  const processor = await startPopularity(options);
  const abort = new AbortController();
  const replay = replayCollects({ kafka: options.kafka, topic: options.topic, lines: options.lines, speed: options.speed, signal: abort.signal });
  const closed = () => new WorkbookError("STREAM_CLOSED", `The live popularity stream on ${options.topic} was closed before the end of its input; start a new one to see results.`);
  const done = (async () => {
    const r = await replay;
    if (abort.signal.aborted) throw closed();
    try {
      await processor.finish({ timeoutMs: 120_000 });
    } catch (err) {
      throw abort.signal.aborted ? closed() : err; // closed while finishing: its clients went away under it
    }
    return { ...processor.stats(), sent: r.sent };
  })();
  done.catch(() => undefined);
  return {
    processor,
    topic: options.topic,
    deadLetterTopic: `${options.topic}.dead-letter`,
    done,
    async close() {
      abort.abort();
      await replay.catch(() => undefined);
      await processor.close();
    },
  };
}

/** Every window row, in key order. */
export async function popularityWindows(sql: SqlDatabase, table = POPULARITY_TABLE): Promise<PopularityRow[]> {
  const { rows } = await sql.query<PopularityRow>(`SELECT window_start, window_end, artwork_id, collects FROM ${plainName(table)} ORDER BY window_start, artwork_id`);
  return rows;
}

/** The batch recount: the same windows counted from the log lines directly (what the stream must equal at the end). */
export function recountWindows(lines: string[], artworkIds: ReadonlySet<string>): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of lines) {
    const r = parseCollect(line, artworkIds);
    if (!r.ok) continue;
    const key = `${new Date(Math.floor(r.value.ts / WINDOW_MS) * WINDOW_MS).toISOString()}|${r.value.artwork_id}`;
    out.set(key, (out.get(key) ?? 0) + 1);
  }
  return out;
}

/** The most collected artworks so far (collects summed over their windows), with each window's share. */
export async function topCollected(sql: SqlDatabase, options: { top?: number; table?: string; artworksTable?: string } = {}): Promise<Array<{ window: string; artwork: string; collects: number; total: number }>> {
  const table = plainName(options.table ?? POPULARITY_TABLE);
  const artworks = plainName(options.artworksTable ?? "artmosphere_artworks");
  const hasTitles = (await sql.query<{ ok: boolean }>("SELECT to_regclass($1) IS NOT NULL AS ok", [artworks])).rows[0].ok;
  const { rows } = await sql.query<{ window_start: Date; artwork_id: string; title: string | null; collects: number; total: number }>(
    `WITH top AS (
       SELECT artwork_id, sum(collects)::int AS total FROM ${table} GROUP BY artwork_id ORDER BY total DESC, artwork_id LIMIT $1
     )
     SELECT p.window_start, p.artwork_id, ${hasTitles ? "a.title" : "NULL::text"} AS title, p.collects, top.total
     FROM ${table} p JOIN top ON top.artwork_id = p.artwork_id
     ${hasTitles ? `LEFT JOIN ${artworks} a ON a.id = p.artwork_id` : ""}
     ORDER BY top.total DESC, p.artwork_id, p.window_start`, [options.top ?? 10]);
  return rows.map((r) => ({ window: r.window_start.toISOString().slice(11, 19), artwork: `${r.title ?? "?"} (${r.artwork_id.slice(0, 6)})`, collects: r.collects, total: r.total }));
}

/** A stacked bar chart: the most collected artworks, one colour per 5-second window. */
export function popularitySpec(rows: Array<{ window: string; artwork: string; collects: number; total: number }>, title: string): VegaLiteSpec {
  return {
    title,
    width: 460,
    height: 260,
    data: { values: rows },
    mark: "bar",
    encoding: {
      y: { field: "artwork", type: "nominal", sort: { field: "total", order: "descending" }, title: null },
      x: { field: "collects", type: "quantitative", aggregate: "sum", title: "collects" },
      color: { field: "window", type: "ordinal", title: "window (UTC)", scale: { scheme: "viridis" } },
      order: { field: "window", type: "ordinal" },
    },
  };
}

/**
 * Redraws the chart of the most collected artworks in place every `intervalMs` until `until`
 * settles, then once more; returns how many times it was drawn and the last rows.
 */
export async function showLivePopularity(sql: SqlDatabase, until: Promise<unknown>, options: { intervalMs?: number; top?: number; table?: string } = {}) {
  const displayId = `artmosphere-live-${Math.random().toString(36).slice(2)}`;
  let frames = 0;
  let rows: Awaited<ReturnType<typeof topCollected>> = [];
  const draw = async (final: boolean) => {
    rows = await topCollected(sql, { top: options.top ?? 10, table: options.table });
    const title = `Most collected artworks, 5-second windows (${final ? "final" : `live, ${new Date().toISOString().slice(11, 19)} UTC`})`;
    const text = `[live chart] ${title}: ${[...new Map(rows.map((r) => [r.artwork, r.total])).entries()].slice(0, 5).map(([a, n]) => `${a} ${n}`).join(", ")}`;
    publish(await pictureBundle(await chartSvg(popularitySpec(rows, title)), text), { displayId, update: frames > 0 });
    frames++;
  };
  let settled = false;
  until.then(() => (settled = true), () => (settled = true));
  while (!settled) {
    const next = new Promise((r) => setTimeout(r, options.intervalMs ?? 1000));
    await draw(false);
    await Promise.race([next, until.catch(() => undefined)]);
  }
  await until;
  await draw(true);
  return { frames, rows };
}

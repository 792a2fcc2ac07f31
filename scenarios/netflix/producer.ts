/**
 * Replays rating files into a topic, as the original producer did: files in name order, one
 * message per rating line, key = the date, value = the line `date,film_id,user_id,rate`.
 * `speed` is in days of ratings per second of wall time (e.g. 30 = a month per second);
 * 0 sends as fast as the broker takes them.
 */
import type { Kafka, Producer } from "kafkajs";
import { dayMs, readRatingLines } from "./ratings";
import { WorkbookError } from "../../lib/errors";

export interface ReplayOptions {
  kafka: Kafka;
  /** A rating file or a folder of them (part files or combined_data). */
  source: string;
  /** Default "netflix-ratings". */
  topic?: string;
  /** Days of ratings per second; 0 (default) = as fast as possible. */
  speed?: number;
  /** Messages per send. Default 5000. */
  batchSize?: number;
  /** Called after each send with the lines sent so far. */
  onProgress?: (sent: number) => void;
  /** Stop early when aborted. */
  signal?: AbortSignal;
  /** The clock that paces a replay with `speed` (default: wall time and setTimeout; tests pass their own). */
  clock?: ReplayClock;
}

export interface ReplayClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const wallClock: ReplayClock = { now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };

export interface ReplayResult {
  sent: number;
  durationMs: number;
}

export async function replayRatings(options: ReplayOptions): Promise<ReplayResult> {
  const speed = options.speed ?? 0;
  if (!(speed >= 0)) throw new WorkbookError("OPTIONS_INVALID", `speed=${speed} must be 0 (as fast as possible) or a positive number of days per second.`);
  const topic = options.topic ?? "netflix-ratings";
  const batchSize = options.batchSize ?? 5000;
  const clock = options.clock ?? wallClock;
  const producer: Producer = options.kafka.producer();
  await producer.connect();
  const began = clock.now();
  let sent = 0;
  let firstDay: number | undefined;
  let pending: Array<{ key: string; value: string }> = [];
  const flush = async () => {
    if (pending.length === 0) return;
    await producer.send({ topic, messages: pending });
    sent += pending.length;
    pending = [];
    options.onProgress?.(sent);
  };
  try {
    for await (const lines of readRatingLines(options.source)) {
      for (const line of lines) {
        if (options.signal?.aborted) return { sent, durationMs: clock.now() - began };
        const date = line.slice(0, line.indexOf(","));
        if (speed > 0) {
          const day = dayMs(date);
          if (Number.isFinite(day)) {
            firstDay ??= day;
            const due = began + ((day - firstDay) / 86_400_000 / speed) * 1000;
            if (due > clock.now()) {
              await flush();
              const wait = due - clock.now();
              if (wait > 0) await clock.sleep(wait);
            }
          }
        }
        pending.push({ key: date, value: line });
        if (pending.length >= batchSize) await flush();
      }
    }
    await flush();
  } finally {
    await producer.disconnect();
  }
  return { sent, durationMs: clock.now() - began };
}

/** Sends raw lines (e.g. bad records in a test) with key = the text before the first comma. */
export async function sendLines(kafka: Kafka, topic: string, lines: string[]): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  try {
    for (let i = 0; i < lines.length; i += 5000) {
      await producer.send({ topic, messages: lines.slice(i, i + 5000).map((l) => ({ key: l.split(",")[0], value: l })) });
    }
  } finally {
    await producer.disconnect();
  }
}

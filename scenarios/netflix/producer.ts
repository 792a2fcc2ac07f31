/**
 * Replays rating files into a topic, as the original producer did: files in name order, one
 * message per rating line, key = the date, value = the line `date,film_id,user_id,rate`.
 * `speed` is in days of ratings per second of wall time (e.g. 30 = a month per second);
 * 0 sends as fast as the broker takes them.
 */
import type { Kafka } from "kafkajs";
import { replayMessages, type ReplayClock, type ReplayMessage, type ReplayResult } from "../../lib/kafka/replay";
import { dayMs, readRatingLines } from "./ratings";

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

export type { ReplayClock, ReplayResult } from "../../lib/kafka/replay";

export async function replayRatings(options: ReplayOptions): Promise<ReplayResult> {
  async function* messages(): AsyncIterable<ReplayMessage> {
    for await (const lines of readRatingLines(options.source)) {
      for (const line of lines) {
        const date = line.slice(0, line.indexOf(","));
        yield { key: date, value: line, time: dayMs(date) }; // a bad date (NaN) is not paced
      }
    }
  }
  return replayMessages({
    kafka: options.kafka, topic: options.topic ?? "netflix-ratings", messages: messages(), speed: options.speed, unitMs: 86_400_000, speedUnit: "days per second",
    batchSize: options.batchSize ?? 5000, onProgress: options.onProgress, signal: options.signal, clock: options.clock,
  });
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

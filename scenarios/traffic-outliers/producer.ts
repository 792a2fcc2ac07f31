/**
 * Replays points into a topic in event time: `speed` hours of traffic per second of wall time
 * (e.g. 500: a week in about a third of a second); 0 sends as fast as the broker takes them.
 * Key = the airport, value = the point as JSON (pointMessage). Extra raw messages (bad records)
 * can be slipped in after a given number of points.
 */
import type { Kafka } from "kafkajs";
import { replayMessages, type ReplayMessage, type ReplayResult } from "../../lib/kafka/replay";
import { HOUR_MS } from "./detectors";
import type { Point } from "./detect";
import { pointMessage } from "./stream";

export interface ReplayPointsOptions {
  kafka: Kafka;
  topic: string;
  /** In event-time order (as readSeries returns them). */
  points: readonly Point[];
  /** Hours of traffic per second; 0 (default) = as fast as possible. */
  speed?: number;
  /** Raw messages sent right after the point with index `after`. */
  extra?: ReadonlyArray<{ after: number; key: string; value: string }>;
  /** Messages per send. Default 1000. */
  batchSize?: number;
  signal?: AbortSignal;
}

export type { ReplayResult as ReplayPointsResult } from "../../lib/kafka/replay";

export async function replayPoints(options: ReplayPointsOptions): Promise<ReplayResult> {
  const extra = new Map<number, Array<{ key: string; value: string }>>();
  for (const e of options.extra ?? []) {
    let l = extra.get(e.after);
    if (!l) extra.set(e.after, (l = []));
    l.push({ key: e.key, value: e.value });
  }
  function* messages(): Iterable<ReplayMessage> {
    for (let i = 0; i < options.points.length; i++) {
      const p = options.points[i];
      yield { key: p.airport, value: pointMessage(p), time: p.hour };
      for (const e of extra.get(i) ?? []) yield e; // after their point, without a time of their own
    }
  }
  return replayMessages({
    kafka: options.kafka, topic: options.topic, messages: messages(), speed: options.speed, unitMs: HOUR_MS, speedUnit: "hours per second",
    batchSize: options.batchSize ?? 1000, signal: options.signal,
  });
}

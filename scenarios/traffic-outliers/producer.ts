/**
 * Replays points into a topic in event time: `speed` hours of traffic per second of wall time
 * (e.g. 500: a week in about a third of a second); 0 sends as fast as the broker takes them.
 * Key = the airport, value = the point as JSON (pointMessage). Extra raw messages (bad records)
 * can be slipped in after a given number of points.
 */
import type { Kafka } from "kafkajs";
import { WorkbookError } from "../../lib/errors";
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

export interface ReplayPointsResult {
  sent: number;
  durationMs: number;
}

export async function replayPoints(options: ReplayPointsOptions): Promise<ReplayPointsResult> {
  const speed = options.speed ?? 0;
  if (!(speed >= 0)) throw new WorkbookError("OPTIONS_INVALID", `speed=${speed} must be 0 (as fast as possible) or a positive number of hours per second.`);
  const batchSize = options.batchSize ?? 1000;
  const extra = new Map<number, Array<{ key: string; value: string }>>();
  for (const e of options.extra ?? []) {
    let l = extra.get(e.after);
    if (!l) extra.set(e.after, (l = []));
    l.push({ key: e.key, value: e.value });
  }
  const producer = options.kafka.producer();
  await producer.connect();
  const began = Date.now();
  let sent = 0;
  let pending: Array<{ key: string; value: string }> = [];
  const flush = async () => {
    if (pending.length === 0) return;
    await producer.send({ topic: options.topic, messages: pending });
    sent += pending.length;
    pending = [];
  };
  try {
    const first = options.points[0]?.hour ?? 0;
    for (let i = 0; i < options.points.length; i++) {
      if (options.signal?.aborted) break;
      const p = options.points[i];
      if (speed > 0) {
        const due = began + ((p.hour - first) / HOUR_MS / speed) * 1000;
        if (due > Date.now()) {
          await flush();
          const wait = due - Date.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        }
      }
      pending.push({ key: p.airport, value: pointMessage(p) });
      for (const e of extra.get(i) ?? []) pending.push(e);
      if (pending.length >= batchSize) await flush();
    }
    await flush();
  } finally {
    await producer.disconnect();
  }
  return { sent, durationMs: Date.now() - began };
}

/**
 * Replays messages into a topic in event time, as the scenarios' producers do: messages go out in
 * order, in sends of `batchSize`; with `speed` > 0 a message with an event time waits until its time
 * has come (its distance from the first event time, in units of `unitMs`, divided by `speed` per
 * second of wall time); a message without one (e.g. a malformed line) goes with the others at once.
 * Stops early, with what was sent, when `signal` aborts.
 */
import type { Kafka, Message } from "kafkajs";
import { WorkbookError } from "../errors";

/** A message to replay; `time` is its event time in epoch ms (none: not paced). */
export interface ReplayMessage {
  key: string | null;
  value: string;
  time?: number;
  /** The record's timestamp, epoch ms as a string (Kafka's CreateTime); default: when it is sent. */
  timestamp?: string;
}

export interface ReplayClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

const wallClock: ReplayClock = { now: () => Date.now(), sleep: (ms) => new Promise((r) => setTimeout(r, ms)) };

export interface ReplayOptions {
  kafka: Kafka;
  topic: string;
  messages: Iterable<ReplayMessage> | AsyncIterable<ReplayMessage>;
  /** Units of event time per second of wall time; 0 (default) = as fast as the broker takes them. */
  speed?: number;
  /** The unit of `speed`, in ms (86_400_000 = days per second). Default 1000: speed 1 = real time. */
  unitMs?: number;
  /** What `speed` counts, for its error message (e.g. "days per second"). */
  speedUnit?: string;
  /** Pace only this long from the start (ms): a message due later goes when it is reached. Default: no limit. */
  maxPacedMs?: number;
  /** Send without waiting when a message is due within this many ms. Default 0. */
  slackMs?: number;
  /** Messages per send. Default 1000. */
  batchSize?: number;
  /** Called after each send with the messages sent so far. */
  onProgress?: (sent: number) => void;
  signal?: AbortSignal;
  /** The clock that paces the replay (default: wall time and setTimeout; tests pass their own). */
  clock?: ReplayClock;
}

export interface ReplayResult {
  sent: number;
  durationMs: number;
}

/** Checks a replay speed: 0, or a positive finite number. */
export function checkSpeed(speed: number, unit: string): void {
  if (!(speed >= 0) || !Number.isFinite(speed)) throw new WorkbookError("OPTIONS_INVALID", `speed=${speed} must be 0 (as fast as possible) or a positive number of ${unit}.`);
}

export async function replayMessages(options: ReplayOptions): Promise<ReplayResult> {
  const speed = options.speed ?? 0;
  const unitMs = options.unitMs ?? 1000;
  checkSpeed(speed, options.speedUnit ?? `${unitMs / 1000} s of event time per second`);
  const batchSize = options.batchSize ?? 1000;
  const clock = options.clock ?? wallClock;
  const producer = options.kafka.producer();
  await producer.connect();
  const began = clock.now();
  let sent = 0;
  let first: number | undefined;
  let pending: Message[] = [];
  const flush = async () => {
    if (pending.length === 0) return;
    await producer.send({ topic: options.topic, messages: pending });
    sent += pending.length;
    pending = [];
    options.onProgress?.(sent);
  };
  try {
    for await (const m of options.messages) {
      if (options.signal?.aborted) break;
      if (speed > 0 && m.time !== undefined && Number.isFinite(m.time)) {
        first ??= m.time;
        const due = began + Math.min(options.maxPacedMs ?? Infinity, ((m.time - first) / unitMs / speed) * 1000);
        if (due > clock.now() + (options.slackMs ?? 0)) {
          await flush();
          const wait = due - clock.now();
          if (wait > 0) await clock.sleep(wait);
          if (options.signal?.aborted) break;
        }
      }
      pending.push({ key: m.key, value: m.value, ...(m.timestamp !== undefined ? { timestamp: m.timestamp } : {}) });
      if (pending.length >= batchSize) await flush();
    }
    if (!options.signal?.aborted) await flush();
  } finally {
    await producer.disconnect();
  }
  return { sent, durationMs: clock.now() - began };
}

/**
 * The traffic-outliers scenario for the notebook: one call replays the points into a fresh topic
 * on the configured Kafka (embedded broker, or KAFKA_BROKERS), runs the stream detector over them
 * until the end of the input, and reads the alerts back from their topic; bad records are slipped
 * into the input so the dead letters show real rows with reasons.
 */
import { randomUUID } from "node:crypto";
import * as path from "node:path";
import type { Kafka } from "kafkajs";
import { config } from "../../lib/config";
import { kafka as configuredKafka } from "../../lib/kafka";
import { readDeadLetters, type DeadLetter } from "../../lib/stream/dead-letters";
import type { ProcessorStats } from "../../lib/stream";
import { WorkbookError } from "../../lib/errors";
import type { AlertMessage, AlertRule } from "./alerts";
import type { DetectorOptions, Scored } from "./detectors";
import type { Point } from "./detect";
import { followAlerts, readAlerts } from "./consumer";
import { replayPoints } from "./producer";
import { startTrafficDetector } from "./stream";

/**
 * Bad records slipped into the input, at fixed places (after the point with index `after`):
 * each one is rejected with its reason and lands in the dead-letter topic.
 */
export function badRecords(points: readonly Point[]): Array<{ after: number; key: string; value: string }> {
  if (points.length < 200) throw new WorkbookError("INPUT_INVALID", `${points.length} points are too few to slip the bad records in; pass at least 200.`);
  const first = points[0];
  const at = (n: number) => Math.min(points.length - 1, n);
  return [
    { after: at(30), key: first.airport, value: "departures,ORD,12" },
    { after: at(60), key: "XXX", value: `{"airport":"XXX","hour":"2001-01-03T10:00:00.000Z","departures":5}` },
    { after: at(90), key: first.airport, value: `{"airport":"${first.airport}","hour":"2001-01-04T10:00:00.000Z","departures":-3}` },
    { after: at(120), key: first.airport, value: `{"airport":"${first.airport}","hour":"2001-01-04T10:30:00.000Z","departures":4}` },
    { after: at(150), key: first.airport, value: `{"airport":"${first.airport}","departures":7}` },
  ];
}

/** A straggler: a point for the first hour of the data, sent once the stream has gone past it (judged late). */
export function latePoint(points: readonly Point[]): Point {
  return { airport: points[0].airport, hour: points[0].hour, departures: 1 };
}

export interface TrafficRunOptions {
  /** The points to replay, in event-time order. */
  points: readonly Point[];
  detector?: DetectorOptions;
  rule?: AlertRule;
  /** Hours of traffic per second of wall time; 0 = as fast as possible. Default 0. */
  speed?: number;
  /** Slip the bad records in. Default true. */
  bad?: boolean;
  /** Called with each alert message as the live consumer receives it. */
  onAlert?: (a: AlertMessage) => void;
  /** Trigger interval in ms. Default 200. */
  triggerMs?: number;
  /** The Kafka to use. Default: the configured one (embedded broker, or KAFKA_BROKERS). */
  kafka?: Kafka;
  /** Folder for the run's checkpoint. Default `<work folder>/traffic-outliers/checkpoint-<id>`. */
  checkpointDir?: string;
}

export interface TrafficRun {
  kafka: Kafka;
  topic: string;
  alertsTopic: string;
  deadLetterTopic: string;
  /** Messages produced (points and bad records). */
  sent: number;
  stats: ProcessorStats;
  /** Points scored by the detector. */
  scored: number;
  /** The alerts topic, read back (one message per key). */
  messages: AlertMessage[];
  /** Scored points per airport, as the stream computed them. */
  scores: Map<string, Scored[]>;
  deadLetters: DeadLetter[];
  durationMs: number;
}

/** Replays, detects on the stream until the end of the input, and reads the alerts back. */
export async function runTrafficStream(options: TrafficRunOptions): Promise<TrafficRun> {
  return (await startTrafficStream(options)).finish();
}

/** A stream run in progress: `finish()` waits for its result, `stop()` ends it early and closes its clients. */
export interface TrafficStream {
  topic: string;
  alertsTopic: string;
  /** Resolves with the run when the input has been processed; fails with STREAM_CLOSED if stopped first. */
  finish(): Promise<TrafficRun>;
  /** Stops the replay, the live alert reader and the processor, and closes the producer. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts the run of `runTrafficStream` and returns at once, so a notebook can start it with
 * `startOnce` (a re-run stops the previous run) and wait with `interruptible(stream.finish())`.
 */
export async function startTrafficStream(options: TrafficRunOptions): Promise<TrafficStream> {
  const id = randomUUID().slice(0, 8);
  const topic = `traffic-points-${id}`;
  const alertsTopic = `traffic-alerts-${id}`;
  const kafka = options.kafka ?? (await configuredKafka({ clientId: "traffic-outliers" }));
  const airports = [...new Set(options.points.map((p) => p.airport))];
  const began = Date.now();
  const detector = await startTrafficDetector({
    kafka, topic, alertsTopic, airports, detector: options.detector, rule: options.rule, keepScores: true, triggerMs: options.triggerMs,
    checkpointDir: options.checkpointDir ?? path.join(config().home, "traffic-outliers", `checkpoint-${id}`),
  });
  const abort = new AbortController();
  const stopped = new Promise<never>((_, reject) =>
    abort.signal.addEventListener("abort", () => reject(new WorkbookError("STREAM_CLOSED", `The traffic stream on ${topic} was stopped before the end of its input; start a new run to see results.`)), { once: true }));
  stopped.catch(() => undefined);
  const until = <T>(p: Promise<T>): Promise<T> => Promise.race([p, stopped]);
  const work = (async (): Promise<TrafficRun> => {
    let follower: { stop(): Promise<void> } | undefined;
    let followed = 0;
    let replaying: Promise<unknown> | undefined;
    const replay = <T>(p: Promise<T>): Promise<T> => {
      replaying = p;
      return until(p);
    };
    try {
      const onAlert = options.onAlert;
      if (onAlert) {
        follower = await until(followAlerts(kafka, alertsTopic, (a) => {
          followed++;
          onAlert(a);
        }));
      }
      const bad = options.bad !== false;
      const replayed = await replay(replayPoints({ kafka, topic, points: options.points, speed: options.speed ?? 0, extra: bad ? badRecords(options.points) : [], signal: abort.signal }));
      let sent = replayed.sent;
      if (bad) {
        await until(detector.processor.drain({ timeoutMs: 300_000 }));
        sent += (await replay(replayPoints({ kafka, topic, points: [latePoint(options.points)], signal: abort.signal }))).sent;
      }
      await until(detector.processor.finish({ timeoutMs: 300_000 }));
      const durationMs = Date.now() - began;
      const messages = await until(readAlerts(kafka, alertsTopic));
      // let the live consumer print every message before it stops
      const deadline = Date.now() + 10_000;
      while (follower && followed < messages.length && Date.now() < deadline && !abort.signal.aborted) await new Promise((r) => setTimeout(r, 50));
      return {
        kafka, topic, alertsTopic, deadLetterTopic: detector.deadLetterTopic, sent: sent, stats: detector.processor.stats(), scored: detector.sink.points,
        messages, scores: detector.sink.scores, deadLetters: await until(readDeadLetters(kafka, detector.deadLetterTopic)), durationMs,
      };
    } finally {
      await replaying?.catch(() => undefined); // a stopped replay ends at its next point
      await follower?.stop();
      await detector.close();
    }
  })();
  work.catch(() => undefined);
  return {
    topic,
    alertsTopic,
    finish: () => work,
    async stop() {
      abort.abort();
      await work.catch(() => undefined);
    },
  };
}

/**
 * Detection on the stream. Points (departures of one airport in one hour) arrive on a topic as
 * JSON, key = the airport: {"airport":"ORD","hour":"2001-02-05T08:00:00.000Z","departures":61}.
 *
 *   points topic -> stream processor (parse and validate; bad and late records to the dead-letter
 *   topic with the reason; one-hour tumbling windows per airport, emitted in append mode once the
 *   watermark has passed the hour, so each airport's hours reach the detector in order)
 *   -> detector sink (detector + alert rule, one state per airport) -> alerts topic (kafkaSink)
 *
 * The detector's state is checkpointed beside the processor's, after each batch, with the batch's
 * id: a batch replayed after a crash (same id, same rows) finds its state already saved and sends
 * nothing twice; a crash between sending the alerts and saving the state sends the same messages
 * again under the same keys, and the reader keeps one per key.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Kafka, Producer } from "kafkajs";
import { count, kafkaSink, parseJsonObject, startProcessor, sum, tumbling } from "../../lib/stream";
import type { BatchReport, EngineOptions, Parsed, Sink, StreamProcessor, WindowRow } from "../../lib/stream";
import { WorkbookError } from "../../lib/errors";
import { createDetector, HOUR_MS, type DetectorOptions, type Scored, type SeriesState } from "./detectors";
import { alertKey, alertRule, initAlertState, stepAlert, type AlertMessage, type AlertRule, type AlertState } from "./alerts";
import type { Point } from "./detect";

export const HOURLY_QUERY = "hourly";

/**
 * The exact form pointMessage writes, read without JSON.parse (which builds an object per message
 * for the garbage collector): a departures count in JSON's number grammar (no leading zero).
 * Anything else (spaces, other key order, bad values) goes through JSON.parse and its checks.
 */
const POINT_TEXT = /^\{"airport":"([A-Z0-9]{3,4})","hour":"([0-9T:.Z-]{20,24})","departures":(0|[1-9][0-9]{0,14})\}$/;

/** Parses and validates one point message. */
export function parsePoint(text: string, known?: ReadonlySet<string>): Parsed<Point> {
  const fast = POINT_TEXT.exec(text);
  if (fast) {
    const airport = fast[1];
    if (known && !known.has(airport)) return { ok: false, reason: `airport ${airport} is not one of the monitored airports` };
    const hour = parseHour(fast[2]);
    if (!Number.isFinite(hour)) return { ok: false, reason: `hour ${JSON.stringify(fast[2])} is not a date-time` };
    if (hour % HOUR_MS !== 0) return { ok: false, reason: `hour ${JSON.stringify(fast[2])} is not the start of an hour` };
    const departures = Number(fast[3]);
    if (Number.isSafeInteger(departures)) return { ok: true, value: { airport, hour, departures } };
  }
  const json = parseJsonObject(text);
  if (!json.ok) return json;
  const o = json.value;
  if (typeof o.airport !== "string" || !/^[A-Z0-9]{3,4}$/.test(o.airport)) return { ok: false, reason: `airport ${JSON.stringify(o.airport)} is not an IATA code` };
  if (known && !known.has(o.airport)) return { ok: false, reason: `airport ${o.airport} is not one of the monitored airports` };
  const hour = typeof o.hour === "string" ? parseHour(o.hour) : NaN;
  if (!Number.isFinite(hour)) return { ok: false, reason: `hour ${JSON.stringify(o.hour)} is not a date-time` };
  if (hour % HOUR_MS !== 0) return { ok: false, reason: `hour ${JSON.stringify(o.hour)} is not the start of an hour` };
  const d = o.departures;
  if (typeof d !== "number" || !Number.isInteger(d) || d < 0) return { ok: false, reason: `departures ${JSON.stringify(d)} is not a whole number, 0 or more` };
  return { ok: true, value: { airport: o.airport, hour, departures: d } };
}

const HOUR_TEXT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):00:00(?:\.000)?Z$/;

// the points of one hour arrive together (one per airport): the last hour read is kept
let lastHourText = "";
let lastHour = NaN;

/** An ISO date-time in epoch ms: the form pointMessage writes by hand (fast), any other by Date.parse. */
function parseHour(text: string): number {
  if (text === lastHourText) return lastHour;
  const t = parseHourText(text);
  lastHourText = text;
  lastHour = t;
  return t;
}

function parseHourText(text: string): number {
  const m = HOUR_TEXT.exec(text);
  if (!m) return Date.parse(text);
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]));
  // Date.UTC rolls 2001-02-30 over into March: a date that does not exist is not a date-time
  return new Date(t).getUTCDate() === Number(m[3]) && Number(m[4]) < 24 ? t : NaN;
}

/** The message value of a point. */
export function pointMessage(p: Point): string {
  return `{"airport":"${p.airport}","hour":"${new Date(p.hour).toISOString()}","departures":${p.departures}}`;
}

interface SavedDetector {
  batchId: number;
  detector: string;
  series: Record<string, { detector: SeriesState; alert: AlertState }>;
}

export interface DetectorSinkOptions {
  detector?: DetectorOptions;
  rule?: AlertRule;
  /** Where the detector state is checkpointed (a JSON file). */
  stateFile: string;
  /** Receives the alert messages of each batch (e.g. a kafkaSink to the alerts topic). */
  alerts: Sink<AlertMessage>;
  /** Keep every scored point in memory (for charts). Default false. */
  keepScores?: boolean;
}

export interface DetectorSink extends Sink<WindowRow> {
  /** Points scored (hours that reached the detector). */
  readonly points: number;
  /** Alert messages sent (alerts and resolutions). */
  readonly sent: number;
  /** Hours whose window held more than one point (a duplicate in the input): scored with the sum. */
  readonly duplicates: number;
  /** Scored points per airport (keepScores only). */
  readonly scores: Map<string, Scored[]>;
}

/** The sink that runs the detector over the hourly rows and passes alerts on. */
export function detectorSink(options: DetectorSinkOptions): DetectorSink {
  const detector = createDetector(options.detector);
  const rule = alertRule(options.rule);
  let saved: SavedDetector = { batchId: 0, detector: detector.kind, series: {} };
  if (fs.existsSync(options.stateFile)) {
    saved = JSON.parse(fs.readFileSync(options.stateFile, "utf8")) as SavedDetector;
    if (saved.detector !== detector.kind) throw new WorkbookError("STREAM_CHECKPOINT_INVALID", `${options.stateFile} holds the state of detector ${saved.detector}, not ${detector.kind}; use another checkpointDir or delete that folder.`);
  }
  const scores = new Map<string, Scored[]>();
  let points = 0;
  let sent = 0;
  let duplicates = 0;
  return {
    name: `detector:${detector.kind}`,
    get points() {
      return points;
    },
    get sent() {
      return sent;
    },
    get duplicates() {
      return duplicates;
    },
    scores,
    async write(batch) {
      if (batch.batchId <= saved.batchId) return; // applied before a crash: its alerts were sent
      const messages: AlertMessage[] = [];
      for (const row of batch.rows) {
        const airport = String(row.key);
        let s = saved.series[airport];
        if (!s) saved.series[airport] = s = { detector: detector.init(), alert: initAlertState() };
        if ((row.points as number) > 1) duplicates++;
        const scored = detector.update(s.detector, row.windowStart, row.departures as number);
        points++;
        if (options.keepScores) {
          let list = scores.get(airport);
          if (!list) scores.set(airport, (list = []));
          list.push(scored);
        }
        const m = stepAlert(s.alert, scored, rule, airport, detector.kind);
        if (m) messages.push(m);
      }
      await options.alerts.write({ ...batch, rows: messages });
      sent += messages.length;
      saved.batchId = batch.batchId;
      const tmp = `${options.stateFile}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify(saved));
      fs.renameSync(tmp, options.stateFile);
    },
  };
}

/** The engine options of the detector's processor: the point parser and the hourly query (departures per airport and hour). */
export function trafficEngineOptions(options: { airports?: readonly string[] } = {}): EngineOptions<Point> {
  const known = options.airports ? new Set(options.airports) : undefined;
  return {
    parse: (text) => parsePoint(text, known),
    eventTime: (p) => p.hour,
    watermarkDelayMs: 0,
    queries: [{ name: HOURLY_QUERY, window: tumbling(HOUR_MS), key: (p) => p.airport, aggregates: { departures: sum("departures"), points: count() }, mode: "append" }],
  };
}

export interface TrafficDetectorOptions {
  kafka: Kafka;
  /** The points topic. */
  topic: string;
  alertsTopic: string;
  /** Checkpoint folder of the processor and the detector. Reuse it to resume. */
  checkpointDir: string;
  detector?: DetectorOptions;
  rule?: AlertRule;
  /** Airports to accept; others are rejected. Default: any IATA code. */
  airports?: readonly string[];
  /** Trigger interval in ms. Default 200. */
  triggerMs?: number;
  maxBatchRecords?: number;
  keepScores?: boolean;
  onBatch?: (report: BatchReport) => void;
}

export interface TrafficDetector {
  processor: StreamProcessor<Point>;
  sink: DetectorSink;
  deadLetterTopic: string;
  close(): Promise<void>;
}

/** Starts the processor with the detector sink writing alerts to `alertsTopic`. */
export async function startTrafficDetector(options: TrafficDetectorOptions): Promise<TrafficDetector> {
  fs.mkdirSync(options.checkpointDir, { recursive: true });
  const producer: Producer = options.kafka.producer();
  await producer.connect();
  const admin = options.kafka.admin();
  await admin.connect();
  try {
    if (!(await admin.listTopics()).includes(options.alertsTopic)) await admin.createTopics({ topics: [{ topic: options.alertsTopic }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
  const alerts = kafkaSink<AlertMessage>({ producer, topic: options.alertsTopic, key: alertKey });
  let sink: DetectorSink;
  let processor: StreamProcessor<Point>;
  try {
    sink = detectorSink({ detector: options.detector, rule: options.rule, stateFile: path.join(options.checkpointDir, "detector.json"), alerts, keepScores: options.keepScores });
    processor = await startProcessor<Point>({
      kafka: options.kafka,
      topic: options.topic,
      checkpointDir: options.checkpointDir,
      ...trafficEngineOptions({ airports: options.airports }),
      sinks: { [HOURLY_QUERY]: [sink] },
      triggerMs: options.triggerMs ?? 200,
      maxBatchRecords: options.maxBatchRecords,
      onBatch: options.onBatch,
    });
  } catch (err) {
    await producer.disconnect();
    throw err;
  }
  return {
    processor,
    sink,
    deadLetterTopic: `${options.topic}.dead-letter`,
    async close() {
      await processor.close();
      await producer.disconnect();
    },
  };
}

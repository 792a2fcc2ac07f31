/**
 * A seeded generator of web logs in the original JSON format, in the order they ARRIVE:
 * - a daily traffic curve (quiet at night, a peak at 20:00 UTC), `eventsPerHour` on average;
 * - states weighted by population; each state has its own cart conversion (12-20 %);
 * - most events arrive within 20 s of their event time; a `lateShare` arrives 60-150 minutes late,
 *   after their hour has been rolled up (the DAG must notice and re-run that hour);
 * - a `malformedShare` of lines are broken (not JSON, a bad date, a missing field, a bad pid): the
 *   stream writer rejects them; an `unknownStateShare` name no US state ("Ontario"): the rollup
 *   rejects them.
 */
import * as fs from "node:fs";
import { WorkbookError } from "../../lib/errors";
import { seededRandom } from "../../lib/random";
import { formatDateTime } from "./events";
import { US_STATES } from "./states";

export interface GenerateWebLogsOptions {
  /** First hour of event time, ISO (UTC). Default "2021-03-26T10:00:00Z". */
  start?: string;
  /** Hours of traffic. Default 3. */
  hours?: number;
  /** Average events per hour (the curve moves it between 0.4x and 1.6x). Default 2000. */
  eventsPerHour?: number;
  /** Share of events that arrive 60-150 minutes late. Default 0.03. */
  lateShare?: number;
  /** Share of malformed lines. Default 0.01. */
  malformedShare?: number;
  /** Share of events with a state that is not a US state. Default 0.003. */
  unknownStateShare?: number;
  /** Default 42. */
  seed?: number;
}

export const WEBLOG_DEFAULTS = { start: "2021-03-26T10:00:00Z", hours: 3, eventsPerHour: 2000, lateShare: 0.03, malformedShare: 0.01, unknownStateShare: 0.003, seed: 42 } as const;

export type LineKind = "ok" | "late" | "malformed" | "unknown_state";

/** One line as it will be sent: its text, when it arrives (epoch ms), its event time, and what it is. */
export interface WebLogLine {
  line: string;
  arrival: number;
  /** Epoch ms of the event (for a malformed line: the event it was meant to be). */
  eventTime: number;
  kind: LineKind;
}

export interface WebLogsTruth {
  lines: number;
  malformed: number;
  unknownState: number;
  late: number;
  /** Valid events (in the lake): lines - malformed. */
  valid: number;
  /** Events the rollup counts: valid - unknownState. */
  counted: number;
  /** Product-page visits and cart additions among the counted events. */
  visits: number;
  cartAdds: number;
}

export interface WebLogs {
  /** Sorted by arrival. */
  lines: WebLogLine[];
  truth: WebLogsTruth;
  start: number;
  end: number;
}

export const CATALOGUE: Readonly<Record<string, Record<string, readonly string[]>>> = {
  products: {
    "mens-wear": ["shoes", "shirts", "jeans"],
    "womens-wear": ["dresses", "shoes", "bags"],
    electronics: ["phones", "laptops", "headphones"],
    "home-garden": ["furniture", "kitchen"],
  },
  deals: {
    "daily-deals": ["electronics", "fashion"],
    clearance: ["shoes", "home"],
  },
};

const UNKNOWN_STATES = ["Ontario", "Puerto Rico", "ohio", "N/A"];
const HOUR_MS = 3_600_000;

/** Traffic at an hour of the day relative to the mean: 0.4 at 08:00, 1.6 at 20:00 (UTC). */
export function trafficCurve(hourOfDay: number): number {
  return 1 + 0.6 * Math.sin((2 * Math.PI * (hourOfDay - 14)) / 24);
}

function check(name: string, value: number, ok: boolean, fix: string): void {
  if (!ok) throw new WorkbookError("OPTIONS_INVALID", `${name}=${JSON.stringify(value)} is not valid; ${fix}.`);
}

export function generateWebLogs(options: GenerateWebLogsOptions = {}): WebLogs {
  const o = { ...WEBLOG_DEFAULTS, ...options };
  const start = Date.parse(o.start);
  check("start", start, Number.isFinite(start) && start % HOUR_MS === 0, `pass the start of an hour as ISO text, e.g. "2021-03-26T10:00:00Z" (got ${JSON.stringify(o.start)})`);
  check("hours", o.hours, Number.isInteger(o.hours) && o.hours >= 1 && o.hours <= 24 * 400, "pass a whole number of hours from 1 to 9600");
  check("eventsPerHour", o.eventsPerHour, Number.isInteger(o.eventsPerHour) && o.eventsPerHour >= 1, "pass a positive whole number, e.g. 2000");
  for (const [name, v] of [["lateShare", o.lateShare], ["malformedShare", o.malformedShare], ["unknownStateShare", o.unknownStateShare]] as const) {
    check(name, v, v >= 0 && v < 0.5, "pass a share from 0 to 0.5, e.g. 0.03");
  }
  const random = seededRandom(o.seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
  const totalPop = US_STATES.reduce((s, st) => s + st.population, 0);
  const cumulative: number[] = [];
  let acc = 0;
  for (const st of US_STATES) cumulative.push((acc += st.population / totalPop));
  const conversion = US_STATES.map(() => 0.12 + 0.08 * random());
  const pickState = (): number => {
    const r = random();
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid] < r) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const categories = Object.keys(CATALOGUE);
  const truth: WebLogsTruth = { lines: 0, malformed: 0, unknownState: 0, late: 0, valid: 0, counted: 0, visits: 0, cartAdds: 0 };
  const lines: WebLogLine[] = [];
  for (let h = 0; h < o.hours; h++) {
    const hourStart = start + h * HOUR_MS;
    const n = Math.max(1, Math.round(o.eventsPerHour * trafficCurve(new Date(hourStart).getUTCHours())));
    for (let i = 0; i < n; i++) {
      const time = hourStart + Math.floor(random() * HOUR_MS / 1000) * 1000;
      const si = pickState();
      const category = random() < 0.8 ? categories[0] : categories[1];
      const sub = pick(Object.keys(CATALOGUE[category]));
      const type = pick(CATALOGUE[category][sub]);
      const cart = random() < conversion[si];
      const record = {
        date_time: formatDateTime(time),
        state: US_STATES[si].name,
        ip_address: `${1 + Math.floor(random() * 223)}.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}.${1 + Math.floor(random() * 254)}`,
        category,
        sub_cat: sub,
        type,
        pid: cart ? 1000 + Math.floor(random() * 9000) : null,
      };
      let kind: LineKind = "ok";
      let line: string;
      const roll = random();
      if (roll < o.malformedShare) {
        kind = "malformed";
        line = malformed(record, random);
      } else {
        if (roll < o.malformedShare + o.unknownStateShare) {
          kind = "unknown_state";
          record.state = pick(UNKNOWN_STATES);
        }
        line = JSON.stringify(record);
      }
      const late = random() < o.lateShare;
      const arrival = late ? time + (60 + Math.floor(random() * 90)) * 60_000 : time + Math.floor(random() * 20_000);
      if (late && kind === "ok") kind = "late";
      lines.push({ line, arrival, eventTime: time, kind });
      truth.lines++;
      if (kind === "malformed") truth.malformed++;
      else {
        truth.valid++;
        if (late) truth.late++;
        if (kind === "unknown_state") truth.unknownState++;
        else {
          truth.counted++;
          if (record.pid === null) truth.visits++;
          else truth.cartAdds++;
        }
      }
    }
  }
  const order = lines.map((l, i) => [l.arrival, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return { lines: order.map(([, i]) => lines[i]), truth, start, end: start + o.hours * HOUR_MS };
}

/** A broken version of a record, four ways. */
function malformed(record: Record<string, unknown>, random: () => number): string {
  const text = JSON.stringify(record);
  switch (Math.floor(random() * 4)) {
    case 0:
      return text.slice(0, Math.floor(text.length / 2)); // cut off mid-line
    case 1:
      return JSON.stringify({ ...record, date_time: String(record.date_time).replace(" ", "T").slice(0, 13) }); // a bad date
    case 2: {
      const { state: _state, ...rest } = record;
      return JSON.stringify(rest); // no state
    }
    default:
      return JSON.stringify({ ...record, pid: "n/a" }); // a pid that is no number
  }
}

/** Writes the lines (in arrival order) as the original JSON-lines file. */
export function writeWebLogs(file: string, logs: WebLogs): void {
  fs.writeFileSync(file, logs.lines.map((l) => l.line).join("\n") + "\n");
}

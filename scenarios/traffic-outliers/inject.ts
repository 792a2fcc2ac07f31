/**
 * Ground truth: a copy of the series with anomalies injected at known, seeded places: a spike
 * (2-3 hours of 2-2.5x the traffic), a drop (3-6 hours at 10-40%, an outage), a flat line (12-24
 * hours stuck at the last value, a stuck counter) and a level shift (one week at 50-65% or
 * 140-160%). Each airport gets one of each, in a random order, each in its own stretch of the
 * series after the warm-up, starting in the daytime (a drop at 3 a.m., when nothing flies,
 * would change nothing). The unaltered series stays as it was.
 */
import { seededRandom } from "../../lib/random";
import { WorkbookError } from "../../lib/errors";
import { HOUR_MS } from "./detectors";
import { byAirport, type Point } from "./detect";

export type AnomalyKind = "spike" | "drop" | "flat" | "level-shift";
export const ANOMALY_KINDS: readonly AnomalyKind[] = ["spike", "drop", "flat", "level-shift"];

export interface Anomaly {
  id: string;
  airport: string;
  kind: AnomalyKind;
  /** First altered hour (epoch ms). */
  start: number;
  /** End (exclusive, epoch ms). */
  end: number;
  /** The multiplier (spike, drop, level shift) or the stuck value (flat). */
  factor: number;
}

/** A point of the labelled copy: its injected value, the original, and the anomaly it belongs to. */
export interface LabelledPoint extends Point {
  original: number;
  anomaly: string | null;
}

export interface InjectOptions {
  /** Default 14. */
  seed?: number;
  /** Hours at the start of each series left alone (the detectors' warm-up). Default 840 (5 weeks). */
  warmupHours?: number;
}

export interface Injected {
  points: LabelledPoint[];
  anomalies: Anomaly[];
}

/** A labelled copy of `points` (in the same order) with one anomaly of each kind per airport. */
export function injectAnomalies(points: readonly Point[], options: InjectOptions = {}): Injected {
  const random = seededRandom(options.seed ?? 14);
  const warmup = options.warmupHours ?? 840;
  const between = (lo: number, hi: number) => lo + random() * (hi - lo);
  const int = (lo: number, hi: number) => Math.floor(between(lo, hi + 1));
  const labelled = new Map<Point, LabelledPoint>();
  const anomalies: Anomaly[] = [];
  for (const [airport, series] of byAirport(points)) {
    const stretch = Math.floor((series.length - warmup) / ANOMALY_KINDS.length);
    if (stretch < 24 * 9) throw new WorkbookError("INPUT_INVALID", `airport ${airport} has ${series.length} hours; injecting four anomalies after a warm-up of ${warmup} hours needs at least ${warmup + 4 * 24 * 9}.`);
    const kinds = [...ANOMALY_KINDS];
    for (let j = kinds.length - 1; j > 0; j--) {
      const r = int(0, j);
      [kinds[j], kinds[r]] = [kinds[r], kinds[j]];
    }
    const rows = series.map((p) => ({ ...p, original: p.departures, anomaly: null as string | null }));
    kinds.forEach((kind, n) => {
      const duration = kind === "spike" ? int(2, 3) : kind === "drop" ? int(3, 6) : kind === "flat" ? int(12, 24) : 168;
      // a daytime start (8:00-15:00) somewhere in this anomaly's stretch, leaving room for its duration
      const first = warmup + n * stretch;
      let i = first + int(0, stretch - duration - 24);
      const hourOfDay = (h: number) => new Date(rows[h].hour).getUTCHours();
      while (hourOfDay(i) < 8 || hourOfDay(i) > 15) i++;
      const factor = kind === "spike" ? between(2, 2.5) : kind === "drop" ? between(0.1, 0.4) : kind === "flat" ? rows[i - 1].departures : random() < 0.5 ? between(0.5, 0.65) : between(1.4, 1.6);
      const id = `${airport}-${kind}`;
      for (let h = i; h < i + duration; h++) {
        const r = rows[h];
        r.departures = kind === "flat" ? factor : Math.round(r.original * factor);
        r.anomaly = id;
      }
      anomalies.push({ id, airport, kind, start: rows[i].hour, end: rows[i].hour + duration * HOUR_MS, factor: Math.round(factor * 100) / 100 });
    });
    series.forEach((p, k) => labelled.set(p, rows[k]));
  }
  anomalies.sort((a, b) => a.start - b.start || (a.airport < b.airport ? -1 : 1));
  return { points: points.map((p) => labelled.get(p)!), anomalies };
}

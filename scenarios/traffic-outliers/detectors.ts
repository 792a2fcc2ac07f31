/**
 * Two outlier detectors over hourly counts, one state per series (airport), fed one point at a
 * time in hour order:
 *
 * - "seasonal-mad": the baseline of an hour is the median of the same hour of the week in the
 *   previous `baselineWeeks` weeks; the residual is value - baseline; the score is the residual's
 *   distance from the median of the previous `residualHours` residuals, in units of their MAD
 *   (median absolute deviation) x 1.4826 (the MAD of a normal distribution is 0.6745 sigma).
 *   Warm-up: baselineWeeks weeks of history, then residualHours residuals; no score before.
 * - "rolling-z": the plain rolling z-score: (value - mean) / standard deviation of the previous
 *   `windowHours` values. It knows nothing of the daily and weekly seasons (the naive way).
 *
 * A score is the residual in robust (or plain) standard deviations; |score| >= threshold is an
 * outlying point. The state is plain JSON (save/load), so it goes into a checkpoint.
 */
import { WorkbookError } from "../../lib/errors";

export const HOUR_MS = 3_600_000;
export const WEEK_HOURS = 168;

export type DetectorKind = "seasonal-mad" | "rolling-z";
export const DETECTOR_KINDS: readonly DetectorKind[] = ["seasonal-mad", "rolling-z"];

export interface DetectorOptions {
  /** Default "seasonal-mad". */
  kind?: DetectorKind;
  /** seasonal-mad: weeks of history in the baseline (median of the same hour of the week). Default 3. */
  baselineWeeks?: number;
  /** seasonal-mad: residuals in the median and MAD. Default 168 (one week). */
  residualHours?: number;
  /** rolling-z: values in the rolling mean and standard deviation. Default 24. */
  windowHours?: number;
  /** Smallest scale (departures) a score divides by, so a quiet series does not give huge scores. Default 1. */
  minScale?: number;
}

/** One scored point. */
export interface Scored {
  hour: number;
  value: number;
  /** What the detector expected (seasonal baseline, or rolling mean); null during warm-up. */
  baseline: number | null;
  /** Null during warm-up. */
  score: number | null;
}

/** The JSON state of one series. */
export interface SeriesState {
  /** Hour index (epoch hours) of the last point. */
  last: number | null;
  /** seasonal-mad: values of the last baselineWeeks weeks by (hour index mod size), null = missing. rolling-z: the last values. */
  values: Array<number | null>;
  /** seasonal-mad: the last residuals, oldest first. */
  residuals: number[];
}

export interface Detector {
  readonly kind: DetectorKind;
  readonly options: Required<DetectorOptions>;
  /** A fresh state for a new series. */
  init(): SeriesState;
  /** Scores the point at `hour` (epoch ms, whole hours, after the state's last one) and folds it in. */
  update(state: SeriesState, hour: number, value: number): Scored;
  /** Points a series needs before its first score (when no hour is missing). */
  readonly warmupHours: number;
}

export const DETECTOR_DEFAULTS: Required<DetectorOptions> = { kind: "seasonal-mad", baselineWeeks: 3, residualHours: WEEK_HOURS, windowHours: 24, minScale: 1 };

function positiveInteger(name: string, value: number, min = 1): void {
  if (!Number.isInteger(value) || value < min) throw new WorkbookError("OPTIONS_INVALID", `${name}=${value} must be a whole number, ${min} or more.`);
}

/** Creates a detector; throws OPTIONS_INVALID for an unknown kind or bad sizes. */
export function createDetector(options: DetectorOptions = {}): Detector {
  const o: Required<DetectorOptions> = { ...DETECTOR_DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) };
  if (!DETECTOR_KINDS.includes(o.kind)) throw new WorkbookError("OPTIONS_INVALID", `detector ${JSON.stringify(o.kind)} is not one of ${DETECTOR_KINDS.map((k) => JSON.stringify(k)).join(", ")}.`);
  positiveInteger("baselineWeeks", o.baselineWeeks);
  positiveInteger("residualHours", o.residualHours, 2);
  positiveInteger("windowHours", o.windowHours, 2);
  if (!(o.minScale > 0)) throw new WorkbookError("OPTIONS_INVALID", `minScale=${o.minScale} must be a positive number of departures.`);
  return o.kind === "seasonal-mad" ? seasonalMad(o) : rollingZ(o);
}

function hourIndex(hour: number): number {
  if (!Number.isFinite(hour) || hour % HOUR_MS !== 0) throw new WorkbookError("INPUT_INVALID", `hour ${hour} is not a whole hour in epoch milliseconds; truncate event times to the hour.`);
  return hour / HOUR_MS;
}

function checkOrder(state: SeriesState, index: number): void {
  if (state.last !== null && index <= state.last) {
    throw new WorkbookError("INPUT_INVALID", `hour ${new Date(index * HOUR_MS).toISOString()} is not after the series' last hour ${new Date(state.last * HOUR_MS).toISOString()}; feed each series in hour order, once per hour.`);
  }
}

function seasonalMad(o: Required<DetectorOptions>): Detector {
  const size = WEEK_HOURS * o.baselineWeeks;
  const window = o.residualHours;
  const history = new Float64Array(o.baselineWeeks);
  // the residual window kept sorted beside each state (rebuilt from the JSON state after a load)
  const sortedOf = new WeakMap<SeriesState, Float64Array>();
  return {
    kind: "seasonal-mad",
    options: o,
    warmupHours: size + window,
    init: () => ({ last: null, values: new Array<number | null>(size).fill(null), residuals: [] }),
    update(state, hour, value) {
      const index = hourIndex(hour);
      checkOrder(state, index);
      // hours skipped since the last point are missing: their slots hold nothing
      if (state.last !== null) {
        const gap = Math.min(index - state.last - 1, size);
        for (let i = 1; i <= gap; i++) state.values[(state.last + i) % size] = null;
      }
      state.last = index;
      let n = 0;
      for (let w = 1; w <= o.baselineWeeks; w++) {
        const v = state.values[(((index - w * WEEK_HOURS) % size) + size) % size];
        if (v === null) break;
        history[n++] = v;
      }
      state.values[index % size] = value;
      if (n < o.baselineWeeks) return { hour, value, baseline: null, score: null };
      const baseline = sortedMedian(insertionSort(history, n), n);
      const residual = value - baseline;
      const rs = state.residuals;
      let score: number | null = null;
      if (rs.length >= window) {
        let sorted = sortedOf.get(state);
        if (!sorted) {
          sorted = Float64Array.from(rs.slice(rs.length - window)).sort();
          sortedOf.set(state, sorted);
        }
        const center = sortedMedian(sorted, window);
        const mad = sortedMad(sorted, window, center);
        score = (residual - center) / Math.max(1.4826 * mad, o.minScale);
        replaceSorted(sorted, window, rs[rs.length - window], residual);
      }
      rs.push(residual);
      if (rs.length > window) rs.shift();
      return { hour, value, baseline, score };
    },
  };
}

function rollingZ(o: Required<DetectorOptions>): Detector {
  const window = o.windowHours;
  return {
    kind: "rolling-z",
    options: o,
    warmupHours: window,
    init: () => ({ last: null, values: [], residuals: [] }),
    update(state, hour, value) {
      const index = hourIndex(hour);
      checkOrder(state, index);
      state.last = index;
      const vs = state.values as number[];
      let baseline: number | null = null;
      let score: number | null = null;
      if (vs.length >= window) {
        let s = 0;
        for (const v of vs) s += v;
        const mean = s / window;
        let q = 0;
        for (const v of vs) q += (v - mean) * (v - mean);
        const sd = Math.sqrt(q / (window - 1));
        baseline = mean;
        score = (value - mean) / Math.max(sd, o.minScale);
      }
      vs.push(value);
      if (vs.length > window) vs.shift();
      return { hour, value, baseline, score };
    },
  };
}

/** Sorts the first n values of a small array in place. */
function insertionSort(a: Float64Array, n: number): Float64Array {
  for (let i = 1; i < n; i++) {
    const x = a[i];
    let j = i - 1;
    while (j >= 0 && a[j] > x) {
      a[j + 1] = a[j];
      j--;
    }
    a[j + 1] = x;
  }
  return a;
}

function lowerBound(s: Float64Array, n: number, x: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (s[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Replaces the value `old` (present) by `x` in the sorted first n values of s. */
function replaceSorted(s: Float64Array, n: number, old: number, x: number): void {
  const i = lowerBound(s, n, old);
  s.copyWithin(i, i + 1, n);
  const j = lowerBound(s, n - 1, x);
  s.copyWithin(j + 1, j, n - 1);
  s[j] = x;
}

function sortedMedian(s: Float64Array, n: number): number {
  return n % 2 === 1 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/** MAD of the first n values of the sorted array s around `center`: the deviations come in order by walking outwards from the center. */
function sortedMad(s: Float64Array, n: number, center: number): number {
  let r = 0;
  while (r < n && s[r] < center) r++;
  let l = r - 1;
  const lo = Math.floor((n - 1) / 2);
  const hi = Math.floor(n / 2);
  let a = 0;
  for (let i = 0; i <= hi; i++) {
    let d: number;
    if (l < 0) d = s[r++] - center;
    else if (r >= n) d = center - s[l--];
    else if (center - s[l] <= s[r] - center) d = center - s[l--];
    else d = s[r++] - center;
    if (i === lo) a = d;
    if (i === hi) return (a + d) / 2;
  }
  return a;
}

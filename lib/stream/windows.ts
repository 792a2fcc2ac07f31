/**
 * Event-time windows. A window is the half-open interval [start, end) in epoch milliseconds.
 * Windows are aligned to the epoch (1970-01-01T00:00Z) plus an optional offset, as in Spark and
 * Flink, so the same event always falls in the same windows whatever order it arrives in.
 */
import { WorkbookError } from "../errors";

export interface TimeWindow {
  /** Inclusive start, epoch ms. */
  start: number;
  /** Exclusive end, epoch ms. */
  end: number;
}

export interface WindowSpec {
  kind: "tumbling" | "sliding";
  /** Window length in ms. */
  sizeMs: number;
  /** Distance between the starts of consecutive windows in ms (= sizeMs when tumbling). */
  slideMs: number;
  /** Shift of the alignment from the epoch in ms (default 0). */
  offsetMs: number;
  /** Every window that contains `eventTime`, earliest first. */
  assign(eventTime: number): TimeWindow[];
}

/** One day in milliseconds. */
export const DAY_MS = 86_400_000;

function checkDuration(name: string, value: number): void {
  if (!Number.isFinite(value) || value <= 0 || !Number.isInteger(value)) {
    throw new WorkbookError("STREAM_WINDOW_INVALID", `${name}=${value} is not a positive whole number of milliseconds; pass e.g. 30 * DAY_MS.`);
  }
}

function floorTo(t: number, step: number, offset: number): number {
  return Math.floor((t - offset) / step) * step + offset;
}

/** Tumbling windows: back to back, each event in exactly one. */
export function tumbling(sizeMs: number, options: { offsetMs?: number } = {}): WindowSpec {
  checkDuration("sizeMs", sizeMs);
  const offsetMs = options.offsetMs ?? 0;
  return {
    kind: "tumbling",
    sizeMs,
    slideMs: sizeMs,
    offsetMs,
    assign(eventTime) {
      const start = floorTo(eventTime, sizeMs, offsetMs);
      return [{ start, end: start + sizeMs }];
    },
  };
}

/**
 * Sliding (hopping) windows of `sizeMs` starting every `slideMs`: each event is in
 * ceil(sizeMs / slideMs) windows (fewer at a boundary when sizeMs is not a multiple of slideMs).
 */
export function sliding(sizeMs: number, slideMs: number, options: { offsetMs?: number } = {}): WindowSpec {
  checkDuration("sizeMs", sizeMs);
  checkDuration("slideMs", slideMs);
  if (slideMs > sizeMs) {
    throw new WorkbookError("STREAM_WINDOW_INVALID", `slideMs=${slideMs} is larger than sizeMs=${sizeMs}, which would leave gaps; use tumbling(sizeMs) or a smaller slide.`);
  }
  const offsetMs = options.offsetMs ?? 0;
  return {
    kind: "sliding",
    sizeMs,
    slideMs,
    offsetMs,
    assign(eventTime) {
      const windows: TimeWindow[] = [];
      const last = floorTo(eventTime, slideMs, offsetMs);
      for (let start = last; start > eventTime - sizeMs; start -= slideMs) windows.push({ start, end: start + sizeMs });
      return windows.reverse();
    },
  };
}

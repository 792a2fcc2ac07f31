/**
 * A small terminal progress bar for long work (loads, generators, benchmarks, job pools).
 *
 *   const bar = progress({ total: files.length, label: "load" });
 *   for (const f of files) { await load(f); bar.tick(1, f); }
 *   bar.done();
 *
 * It writes to stderr only when stderr is a terminal (or when `force` is set), redrawing one line
 * in place at most every `intervalMs`; otherwise it stays silent, so logs and test output stay
 * clean. Without `total` it shows a count and a rate instead of a bar. In a notebook, use
 * `showProgress()` from lib/display, which updates one output in place.
 */

export interface ProgressOptions {
  /** Units of work expected. Default: unknown (count and rate, no bar). */
  total?: number;
  /** Shown before the bar. Default "". */
  label?: string;
  /** Where to draw. Default: process.stderr. */
  stream?: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** Draw even when the stream is not a terminal (then each redraw is its own line). Default false. */
  force?: boolean;
  /** Minimum time between redraws, in ms. Default 100. */
  intervalMs?: number;
  /** Width of the bar in characters. Default 24. */
  width?: number;
  /** Called on every change with the state (e.g. to mirror it elsewhere). Default: none. */
  onChange?: (state: ProgressState) => void;
}

export interface ProgressState {
  label: string;
  done: number;
  total?: number;
  /** Free text after the bar (e.g. the current file). */
  info: string;
  /** Milliseconds since the start. */
  elapsedMs: number;
  finished: boolean;
}

export interface Progress {
  /** Adds `n` (default 1) units done, with optional info text. */
  tick(n?: number, info?: string): void;
  /** Sets the units done (and optional info text). */
  update(done: number, info?: string): void;
  /** Finishes: draws the final state and ends the line. Further calls are ignored. */
  done(info?: string): void;
  /** The current state. */
  readonly state: ProgressState;
}

/** Starts a progress bar. */
export function progress(options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr;
  const enabled = options.force === true || (stream as { isTTY?: boolean }).isTTY === true;
  const inPlace = (stream as { isTTY?: boolean }).isTTY === true;
  const interval = options.intervalMs ?? 100;
  const width = options.width ?? 24;
  const start = Date.now();
  let lastDraw = 0;
  let lastLength = 0;
  const state: ProgressState = { label: options.label ?? "", done: 0, total: options.total, info: "", elapsedMs: 0, finished: false };

  const draw = (final: boolean): void => {
    state.elapsedMs = Date.now() - start;
    options.onChange?.({ ...state });
    if (!enabled) return;
    const now = Date.now();
    if (!final && now - lastDraw < interval) return;
    lastDraw = now;
    let line = formatProgress(state, { width });
    const columns = (stream as { columns?: number }).columns;
    if (columns && line.length > columns - 1) line = line.slice(0, columns - 1);
    if (inPlace) {
      stream.write(`\r${line}${" ".repeat(Math.max(0, lastLength - line.length))}${final ? "\n" : ""}`);
      lastLength = line.length;
    } else {
      stream.write(line + "\n");
    }
  };

  return {
    state,
    tick(n = 1, info?: string) {
      if (state.finished) return;
      state.done += n;
      if (info !== undefined) state.info = info;
      draw(false);
    },
    update(done: number, info?: string) {
      if (state.finished) return;
      state.done = done;
      if (info !== undefined) state.info = info;
      draw(false);
    },
    done(info?: string) {
      if (state.finished) return;
      state.finished = true;
      if (info !== undefined) state.info = info;
      if (state.total !== undefined && state.done < state.total && info === undefined) state.info = state.info || "stopped early";
      draw(true);
    },
  };
}

/**
 * One line of text for a progress state, e.g.
 * `load [############------------]  50% 500/1000 12.3/s eta 41s file-7.json`.
 */
export function formatProgress(state: ProgressState, options: { width?: number } = {}): string {
  const width = options.width ?? 24;
  const seconds = state.elapsedMs / 1000;
  const rate = seconds > 0 ? state.done / seconds : 0;
  const parts: string[] = [];
  if (state.label) parts.push(state.label);
  if (state.total !== undefined && state.total > 0) {
    const fraction = Math.max(0, Math.min(1, state.done / state.total));
    const filled = Math.round(fraction * width);
    parts.push(`[${"#".repeat(filled)}${"-".repeat(width - filled)}]`);
    parts.push(`${String(Math.floor(fraction * 100)).padStart(3)}%`);
    parts.push(`${formatCount(state.done)}/${formatCount(state.total)}`);
  } else {
    parts.push(formatCount(state.done));
  }
  if (seconds > 0) parts.push(`${formatRate(rate)}/s`);
  if (state.finished) parts.push(`in ${formatDuration(seconds)}`);
  else if (state.total !== undefined && rate > 0 && state.done < state.total) parts.push(`eta ${formatDuration((state.total - state.done) / rate)}`);
  if (state.info) parts.push(state.info);
  return parts.join(" ");
}

function formatCount(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

function formatRate(r: number): string {
  if (r >= 1e6) return `${(r / 1e6).toFixed(1)}M`;
  if (r >= 1e4) return `${(r / 1e3).toFixed(1)}k`;
  return r >= 100 ? r.toFixed(0) : r.toFixed(1);
}

/** "41s", "3m05s", "1h02m". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

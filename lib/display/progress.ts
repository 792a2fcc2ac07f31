/**
 * Progress for long loops in a notebook: one output that updates in place (a display id, updated
 * with update_display_data) showing an HTML progress bar, with the same line as plain text. Outside
 * a kernel it is the terminal bar of lib/progress.
 */
import { randomBytes } from "node:crypto";
import { formatProgress, progress, type Progress, type ProgressOptions, type ProgressState } from "../progress";
import { escapeHtml, inNotebook, publish, type MimeBundle } from "./output";

export interface ShowProgressOptions extends ProgressOptions {
  /** Force the notebook display (true) or the terminal bar (false). Default: detect the kernel. */
  notebook?: boolean;
}

/** The HTML and text forms of a progress state. */
export function progressBundle(state: ProgressState): MimeBundle {
  const text = formatProgress(state);
  const bar = state.total !== undefined && state.total > 0
    ? `<progress value="${Math.min(state.done, state.total)}" max="${state.total}" style="width:240px"></progress> `
    : "";
  return { "text/html": `<div style="font-family:monospace">${bar}${escapeHtml(text)}</div>`, "text/plain": text };
}

/** Starts a progress display: in place in a notebook, a terminal bar elsewhere. */
export function showProgress(options: ShowProgressOptions = {}): Progress {
  const notebook = options.notebook ?? inNotebook();
  if (!notebook) return progress(options);
  const displayId = randomBytes(8).toString("hex");
  const interval = options.intervalMs ?? 250;
  let published = false;
  let last = 0;
  return progress({
    ...options,
    stream: undefined,
    force: false,
    onChange: (state) => {
      options.onChange?.(state);
      const now = Date.now();
      if (published && !state.finished && now - last < interval) return;
      last = now;
      publish(progressBundle(state), { displayId, update: published });
      published = true;
    },
  });
}

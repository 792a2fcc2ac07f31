/**
 * Job progress on screen: records done as a bar (with records/s), partitions and phase as text.
 * In a notebook it is one output updated in place; in a terminal, a bar on stderr (lib/display).
 */
import { showProgress } from "../display/progress";
import type { JobProgress } from "./runner";

export interface JobProgressDisplay {
  onProgress(p: JobProgress): void;
  /** Ends the display (call it whether the job succeeded or not): true or "failed", or "stopped". */
  finish(failed?: boolean | "failed" | "stopped"): void;
}

/** Starts a progress display for a job of `total` records. */
export function jobProgressDisplay(label: string, total: number): JobProgressDisplay {
  const bar = showProgress({ total, label });
  return {
    onProgress(p) {
      const phase = p.phase === "running" ? "" : ` (${p.phase})`;
      bar.update(p.recordsDone, `${p.partitionsDone}/${p.partitionsTotal} partitions${phase}`);
    },
    finish(failed = false) {
      bar.done(failed === "stopped" ? "stopped" : failed ? "failed" : undefined);
    },
  };
}

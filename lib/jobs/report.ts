/** A plain progress line for jobs on stderr, at most about once a second and at the end. */
import type { JobProgress } from "./runner";

export function printProgress(write: (line: string) => void = (l) => process.stderr.write(l + "\n"), everyMs = 1000): (p: JobProgress) => void {
  let last = 0;
  let lastPhase = "";
  return (p) => {
    const now = Date.now();
    const finished = p.partitionsTotal > 0 && p.partitionsDone === p.partitionsTotal;
    if (!finished && p.phase === lastPhase && now - last < everyMs) return;
    last = now;
    lastPhase = p.phase;
    write(formatProgress(p));
  };
}

/** `running  120/400 records  3/8 partitions  52.1 records/s  2.3 s` */
export function formatProgress(p: JobProgress): string {
  return `${p.phase.padEnd(8)} ${p.recordsDone}/${p.recordsTotal} records  ${p.partitionsDone}/${p.partitionsTotal} partitions  ` +
    `${p.recordsPerSecond.toFixed(1)} records/s  ${(p.elapsedMs / 1000).toFixed(1)} s`;
}

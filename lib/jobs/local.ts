/**
 * The local runner: a pool of worker processes, one per core by default. The input is split into
 * partitions; each partition runs as one `node entrypoint.js` process fed on stdin (what Spark's
 * RDD.pipe does on an executor); a partition whose process fails is run once more.
 *
 * A run stops when its `signal` aborts or the runner is closed: no partition starts, its worker
 * processes are killed, and `run` rejects with JOB_STOPPED once every one of them has exited.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import { config } from "../config";
import { WorkbookError } from "../errors";
import { encodeParams, type Envelope, type RecordError } from "./job";
import { defaultPartitions, partition } from "./partition";
import { jobStopped, rate, type JobProgress, type JobResult, type JobRunner, type JobSpec, type RunOptions } from "./runner";

export interface LocalRunnerOptions {
  /** Worker processes at once. Default `config().jobRunner.workers` (WORKBOOK_JOBS, else the cores). */
  workers?: number;
  /** Kill and retry a partition that runs longer than this. Default: no limit. */
  partitionTimeoutMs?: number;
  /** Attempts per partition (the first run and the retries). Default 2: one retry. */
  attempts?: number;
  /**
   * Called as each partition's process starts, with its pid and the pool slot running it (0 to
   * workers - 1), before it is sent any input: e.g. to place each slot's processes in a cgroup of
   * its own, as bench:scale does to give every worker the same CPU share. Default: none.
   */
  onWorkerProcess?: (pid: number, slot: number) => void;
}

/** The compiled entrypoint every partition process runs. */
export const ENTRYPOINT = path.join(__dirname, "entrypoint.js");

interface Attempt {
  envelopes: Envelope[];
  code: number | null;
  signal: string | null;
  stderr: string;
  timedOut: boolean;
}

export class LocalJobRunner implements JobRunner {
  readonly kind = "local" as const;
  readonly workers: number;
  private readonly partitionTimeoutMs?: number;
  private readonly attempts: number;
  private readonly onWorkerProcess?: (pid: number, slot: number) => void;
  private readonly children = new Set<ChildProcess>();
  /** Stops each run in progress (close() calls them). */
  private readonly runs = new Set<(reason: unknown) => void>();

  constructor(options: LocalRunnerOptions = {}) {
    this.workers = options.workers ?? config().jobRunner.workers;
    if (!Number.isInteger(this.workers) || this.workers < 1) {
      throw new WorkbookError("JOB_OPTIONS_INVALID", `workers=${JSON.stringify(options.workers)} is not a positive integer; use e.g. workers: 2, or leave it out for one per core (WORKBOOK_JOBS).`);
    }
    this.partitionTimeoutMs = options.partitionTimeoutMs;
    this.attempts = options.attempts ?? 2;
    this.onWorkerProcess = options.onWorkerProcess;
  }

  async run<I, O, P>(spec: JobSpec<I, P>, options: RunOptions = {}): Promise<JobResult<I, O>> {
    if (options.signal?.aborted) throw jobStopped(spec.module, options.signal.reason, "before it started");
    const started = Date.now();
    const input = spec.input;
    const parts = partition(input, spec.partitions ?? defaultPartitions(input.length, this.workers));
    const params = encodeParams(spec.params ?? {});
    const done = new Array<number>(parts.length).fill(0);
    const results: Envelope<I, O>[][] = new Array(parts.length);
    const retried: number[] = [];
    let partitionsDone = 0;

    const report = () => {
      const recordsDone = done.reduce((a, b) => a + b, 0);
      const elapsedMs = Date.now() - started;
      const progress: JobProgress = {
        phase: "running", recordsDone, recordsTotal: input.length, partitionsDone, partitionsTotal: parts.length,
        recordsPerSecond: rate(recordsDone, elapsedMs), elapsedMs,
      };
      options.onProgress?.(progress);
    };

    let failure: WorkbookError | undefined;
    const mine = new Set<ChildProcess>();
    const stop = (reason: unknown): void => {
      failure ??= jobStopped(spec.module, reason, `after ${partitionsDone} of ${parts.length} partitions; its worker processes were ended`);
      for (const child of mine) child.kill("SIGKILL");
    };
    const onAbort = (): void => stop(options.signal?.reason);
    options.signal?.addEventListener("abort", onAbort, { once: true });
    this.runs.add(stop);
    let next = 0;
    const worker = async (_: unknown, slot: number) => {
      while (!failure && next < parts.length) {
        const p = next++;
        for (let attempt = 1; ; attempt++) {
          const a = await this.runPartition(spec.module, params, parts[p], mine, slot, (count) => { done[p] = count; report(); });
          if (failure) return;
          const problem = checkAttempt(a, parts[p].length);
          if (!problem) {
            results[p] = a.envelopes as Envelope<I, O>[];
            break;
          }
          done[p] = 0;
          if (attempt >= this.attempts) {
            failure = new WorkbookError("JOB_PARTITION_FAILED",
              `job ${spec.module}: partition ${p} (${parts[p].length} records) failed ${attempt} times: ${problem}` +
              (a.stderr.trim() ? `\nstderr:\n${a.stderr.trim()}` : "") +
              "\nFix the job (run one record through it with `node dist/lib/jobs/entrypoint.js <module>`), or find the record that crashes it.");
            for (const child of mine) child.kill("SIGKILL");
            return;
          }
          retried.push(p);
        }
        partitionsDone++;
        report();
      }
    };
    try {
      // every worker returns only after its process has exited, so a stopped run leaves none behind
      await Promise.all(Array.from({ length: Math.min(this.workers, Math.max(1, parts.length)) }, worker));
    } finally {
      options.signal?.removeEventListener("abort", onAbort);
      this.runs.delete(stop);
    }
    if (failure) throw failure;

    const outputs: O[] = [];
    const errors: RecordError<I>[] = [];
    let index = 0;
    for (const part of results) {
      for (const e of part ?? []) {
        if (e.ok) outputs.push(e.output);
        else errors.push({ index, input: e.input, error: e.error });
        index++;
      }
    }
    return { runner: "local", outputs, errors, records: input.length, partitions: parts.length, retried, elapsedMs: Date.now() - started };
  }

  /** Runs one partition in a fresh process; resolves with what came back, never rejects. */
  private runPartition(module: string, params: string, records: readonly unknown[], mine: Set<ChildProcess>, slot: number, onCount: (n: number) => void): Promise<Attempt> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [ENTRYPOINT, module, params], { stdio: ["pipe", "pipe", "pipe"] });
      if (child.pid !== undefined) this.onWorkerProcess?.(child.pid, slot);
      this.children.add(child);
      mine.add(child);
      const attempt: Attempt = { envelopes: [], code: null, signal: null, stderr: "", timedOut: false };
      let buffered = "";
      let badLine: string | undefined;
      child.stdout!.setEncoding("utf8");
      child.stdout!.on("data", (chunk: string) => {
        buffered += chunk;
        let nl: number;
        let added = false;
        while ((nl = buffered.indexOf("\n")) >= 0) {
          const line = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 1);
          try {
            attempt.envelopes.push(JSON.parse(line) as Envelope);
            added = true;
          } catch {
            badLine ??= line;
          }
        }
        if (added) onCount(attempt.envelopes.length);
      });
      child.stderr!.setEncoding("utf8");
      child.stderr!.on("data", (chunk: string) => { attempt.stderr = (attempt.stderr + chunk).slice(-4000); });
      child.stdin!.on("error", () => { /* the process died early; its exit code tells */ });
      const timer = this.partitionTimeoutMs === undefined ? undefined : setTimeout(() => {
        attempt.timedOut = true;
        child.kill("SIGKILL");
      }, this.partitionTimeoutMs);
      let settled = false;
      const finish = (code: number | null, signal: string | null) => {
        if (settled) return;
        settled = true;
        if (timer) clearTimeout(timer);
        this.children.delete(child);
        mine.delete(child);
        attempt.code = code;
        attempt.signal = signal;
        if (badLine !== undefined) attempt.stderr += `\n(stdout line that is not an envelope: ${badLine.slice(0, 200)})`;
        resolve(attempt);
      };
      child.on("error", (err) => {
        attempt.stderr += `\ncould not start ${process.execPath}: ${err.message}`;
        finish(null, null);
      });
      child.on("close", finish);
      writeLines(child, records);
    });
  }

  /** The worker processes running now (a stopped or finished run leaves none). */
  get running(): number {
    return this.children.size;
  }

  /** Stops the runs in progress (they reject with JOB_STOPPED) and kills every worker process. */
  async close(): Promise<void> {
    for (const stop of [...this.runs]) stop("the runner was closed");
    for (const child of this.children) child.kill("SIGKILL");
  }
}

/** Writes records as JSON lines to the child's stdin, honouring back-pressure, then ends it. */
function writeLines(child: ChildProcess, records: readonly unknown[]): void {
  const stdin = child.stdin!;
  let i = 0;
  const pump = () => {
    while (i < records.length) {
      if (!stdin.write(JSON.stringify(records[i++]) + "\n")) {
        stdin.once("drain", pump);
        return;
      }
    }
    stdin.end();
  };
  pump();
}

/** Why an attempt failed, or undefined when it is complete. */
function checkAttempt(a: Attempt, expected: number): string | undefined {
  if (a.timedOut) return "it timed out (partitionTimeoutMs)";
  if (a.code !== 0) return a.signal ? `its process was killed by ${a.signal}` : a.code === null ? "its process could not start" : `its process exited with code ${a.code}`;
  if (a.envelopes.length !== expected) return `it wrote ${a.envelopes.length} result lines for ${expected} records`;
  if (a.stderr.includes("(stdout line that is not an envelope")) return "it wrote a stdout line that is not an envelope";
  return undefined;
}

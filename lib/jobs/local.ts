/**
 * The local runner: a pool of worker processes, one per core by default. The input is split into
 * partitions, and each partition is fed to a worker process on stdin as JSON lines (what Spark's
 * RDD.pipe does on an executor); a partition whose process fails is run once more, in a new process.
 *
 * Each pool slot keeps its process for the whole run and runs its partitions in it one after another
 * (`node entrypoint.js --serve`, framed as pipe.ts says), as PySpark reuses its Python workers
 * (spark.python.worker.reuse, on by default): a process is started and warmed up once per slot, not
 * once per partition. `reuseWorkers: false` starts a fresh process per partition instead, exactly
 * what RDD.pipe does. A process that fails a partition is ended; the retry and the slot's later
 * partitions get a new one. No process outlives its run.
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
import { PARTITION_DONE, PARTITION_HEADER } from "./pipe";
import { jobStopped, rate, type JobProgress, type JobResult, type JobRunner, type JobSpec, type RunOptions } from "./runner";

export interface LocalRunnerOptions {
  /** Worker processes at once. Default `config().jobRunner.workers` (WORKBOOK_JOBS, else the cores). */
  workers?: number;
  /** Kill and retry a partition that runs longer than this. Default: no limit. */
  partitionTimeoutMs?: number;
  /** Attempts per partition (the first run and the retries). Default 2: one retry. */
  attempts?: number;
  /**
   * Keep each slot's worker process for all the partitions it runs in a job (default true), or start
   * a fresh process per partition (false: RDD.pipe's model; a job module with state that must not
   * carry from one partition to the next needs it).
   */
  reuseWorkers?: boolean;
  /**
   * Called as each worker process starts, with its pid and the pool slot it serves (0 to
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

/**
 * One worker process: runs a single partition (pipe mode: stdin ends after it, done when the process
 * exits) or partitions one after another (serve mode: done at each `#done` line).
 */
class WorkerProcess {
  readonly child: ChildProcess;
  private buffered = "";
  private current?: { attempt: Attempt; expected: number; badLine?: string; onCount: (n: number) => void; finish: () => void };
  private exit?: { code: number | null; signal: string | null };
  private readonly closed: Promise<void>;

  constructor(module: string, params: string, readonly serve: boolean) {
    this.child = spawn(process.execPath, serve ? [ENTRYPOINT, "--serve", module, params] : [ENTRYPOINT, module, params], { stdio: ["pipe", "pipe", "pipe"] });
    this.closed = new Promise((resolve) => {
      const ended = (code: number | null, signal: string | null) => {
        this.exit ??= { code, signal };
        this.current?.finish();
        resolve();
      };
      this.child.on("error", (err) => {
        if (this.current) this.current.attempt.stderr += `\ncould not start ${process.execPath}: ${err.message}`;
        ended(null, null);
      });
      this.child.on("close", ended);
    });
    this.child.stdout!.setEncoding("utf8");
    this.child.stdout!.on("data", (chunk: string) => this.onData(chunk));
    this.child.stderr!.setEncoding("utf8");
    this.child.stderr!.on("data", (chunk: string) => {
      if (this.current) this.current.attempt.stderr = (this.current.attempt.stderr + chunk).slice(-4000);
    });
    this.child.stdin!.on("error", () => { /* the process died early; its exit code tells */ });
  }

  /** True while the process can take another partition. */
  get usable(): boolean {
    return this.serve && this.exit === undefined && this.current === undefined;
  }

  private onData(chunk: string): void {
    this.buffered += chunk;
    const cur = this.current;
    let nl: number;
    let added = false;
    while ((nl = this.buffered.indexOf("\n")) >= 0) {
      const line = this.buffered.slice(0, nl);
      this.buffered = this.buffered.slice(nl + 1);
      if (!cur) continue; // nothing is asked of it: a stray line, dropped
      if (this.serve && line.startsWith(PARTITION_DONE)) {
        if (added) cur.onCount(cur.attempt.envelopes.length);
        added = false;
        cur.attempt.code = 0;
        cur.finish();
        continue;
      }
      try {
        cur.attempt.envelopes.push(JSON.parse(line) as Envelope);
        added = true;
      } catch {
        cur.badLine ??= line;
      }
    }
    if (cur && added) cur.onCount(cur.attempt.envelopes.length);
  }

  /** Runs one partition; resolves with what came back, never rejects. */
  run(records: readonly unknown[], timeoutMs: number | undefined, onCount: (n: number) => void): Promise<Attempt> {
    return new Promise((resolve) => {
      const attempt: Attempt = { envelopes: [], code: null, signal: null, stderr: "", timedOut: false };
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => {
        attempt.timedOut = true;
        this.child.kill("SIGKILL");
      }, timeoutMs);
      let settled = false;
      const cur = {
        attempt,
        expected: records.length,
        badLine: undefined as string | undefined,
        onCount,
        finish: () => {
          if (settled) return;
          settled = true;
          if (timer) clearTimeout(timer);
          this.current = undefined;
          if (this.exit) {
            // pipe mode ends here; in serve mode an exit before `#done` is a failed attempt
            if (!this.serve || attempt.code !== 0) {
              attempt.code = this.exit.code;
              attempt.signal = this.exit.signal;
            }
          }
          if (cur.badLine !== undefined) attempt.stderr += `\n(stdout line that is not an envelope: ${cur.badLine.slice(0, 200)})`;
          resolve(attempt);
        },
      };
      this.current = cur;
      if (this.exit) return cur.finish();
      writeLines(this.child, this.serve ? [`${PARTITION_HEADER}${records.length}`] : [], records, !this.serve);
    });
  }

  /** Ends the process: its input (a serve-mode process then exits by itself), or a kill. */
  async end(kill = false): Promise<void> {
    if (this.exit === undefined) {
      if (kill) this.child.kill("SIGKILL");
      else this.child.stdin!.end();
    }
    await this.closed;
  }
}

export class LocalJobRunner implements JobRunner {
  readonly kind = "local" as const;
  readonly workers: number;
  private readonly partitionTimeoutMs?: number;
  private readonly attempts: number;
  private readonly onWorkerProcess?: (pid: number, slot: number) => void;
  readonly reuseWorkers: boolean;
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
    this.reuseWorkers = options.reuseWorkers ?? true;
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
      let proc: WorkerProcess | undefined;
      try {
        while (!failure && next < parts.length) {
          const p = next++;
          for (let attempt = 1; ; attempt++) {
            if (!proc?.usable) proc = this.startWorker(spec.module, params, slot, mine);
            const a = await proc.run(parts[p], this.partitionTimeoutMs, (count) => { done[p] = count; report(); });
            if (failure) return;
            const problem = checkAttempt(a, parts[p].length);
            if (!problem) {
              results[p] = a.envelopes as Envelope<I, O>[];
              if (!proc.serve) await proc.end();
              break;
            }
            await proc.end(true); // a process that failed a partition takes no other
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
      } finally {
        // the slot's process ends with the run (killed if the run failed or was stopped)
        await proc?.end(failure !== undefined);
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

  /** Starts a worker process for a slot (serve mode when workers are reused) and tracks it until it exits. */
  private startWorker(module: string, params: string, slot: number, mine: Set<ChildProcess>): WorkerProcess {
    const proc = new WorkerProcess(module, params, this.reuseWorkers);
    const child = proc.child;
    if (child.pid !== undefined) this.onWorkerProcess?.(child.pid, slot);
    this.children.add(child);
    mine.add(child);
    child.once("close", () => {
      this.children.delete(child);
      mine.delete(child);
    });
    child.once("error", () => {
      this.children.delete(child);
      mine.delete(child);
    });
    return proc;
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

/** Writes lines (as they are) and records (as JSON lines) to the child's stdin, honouring back-pressure; then ends it if asked. */
function writeLines(child: ChildProcess, lines: readonly string[], records: readonly unknown[], end: boolean): void {
  const stdin = child.stdin!;
  const all = lines.length + records.length;
  let i = 0;
  const pump = () => {
    while (i < all) {
      const text = i < lines.length ? lines[i] : JSON.stringify(records[i - lines.length]);
      i++;
      if (!stdin.write(text + "\n")) {
        stdin.once("drain", pump);
        return;
      }
    }
    if (end) stdin.end();
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

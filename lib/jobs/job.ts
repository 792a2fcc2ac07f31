/**
 * The job contract, the one Spark's `RDD.pipe` uses: a job is a module whose `job` export maps
 * input records to output records, and it runs one partition at a time as a process reading JSON
 * lines on stdin and writing one JSON line per input line on stdout, in the same order.
 *
 * Each output line is an envelope: `{"ok":true,"output":...}` for a record the job mapped, or
 * `{"ok":false,"input":...,"error":"reason"}` for one it rejected (the map function threw). A
 * rejected record does not stop the partition; a process that dies does, and the runner retries
 * that partition.
 */

export interface Job<I = unknown, O = unknown, P = unknown> {
  /** A short name, shown in progress and errors, e.g. "image-colours". */
  name: string;
  /**
   * Maps one input record to one output record. Throw to reject the record: the error's message
   * becomes the reason in the rejected envelope, and the partition goes on.
   */
  map(record: I, params: P): O | Promise<O>;
  /** Records of one partition in flight at once (for jobs that wait on the network). Default 1. */
  concurrency?: number;
}

/** Declares a job (an identity function that gives the record, output and params types). */
export function defineJob<I, O, P = Record<string, never>>(job: Job<I, O, P>): Job<I, O, P> {
  return job;
}

/** One output line of the pipe. */
export type Envelope<I = unknown, O = unknown> = { ok: true; output: O } | { ok: false; input: I; error: string };

/** A record a job rejected: its position in the input, the record itself, and the reason. */
export interface RecordError<I = unknown> {
  index: number;
  input: I;
  error: string;
}

/** True when `value` looks like a Job (a name and a map function). */
export function isJob(value: unknown): value is Job {
  const v = value as Partial<Job> | undefined;
  return typeof v === "object" && v !== null && typeof v.name === "string" && typeof v.map === "function";
}

/** Job parameters as they travel on a command line: base64 of their JSON (no quoting problems). */
export function encodeParams(params: unknown): string {
  return Buffer.from(JSON.stringify(params ?? {}), "utf8").toString("base64");
}

export function decodeParams(text: string | undefined): unknown {
  return text ? JSON.parse(Buffer.from(text, "base64").toString("utf8")) : {};
}

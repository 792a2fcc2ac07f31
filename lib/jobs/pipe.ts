/**
 * The pipe loop of one partition: JSON lines in, one envelope line out per input line, in order.
 * The entrypoint runs it on stdin/stdout; tests can run it on any streams.
 */
import * as readline from "node:readline";
import type { Readable, Writable } from "node:stream";
import type { Envelope, Job } from "./job";

export interface PipeCounts {
  records: number;
  rejected: number;
}

/** Runs `job` over the JSON lines of `input`, writing envelopes to `output`. Resolves when input ends. */
export async function runPipe(job: Job, params: unknown, input: Readable, output: Writable): Promise<PipeCounts> {
  const concurrency = Math.max(1, Math.floor(job.concurrency ?? 1));
  const lines = readline.createInterface({ input, crlfDelay: Infinity });
  const pending: Promise<Envelope>[] = [];
  const counts: PipeCounts = { records: 0, rejected: 0 };

  const write = async (envelope: Envelope): Promise<void> => {
    counts.records++;
    if (!envelope.ok) counts.rejected++;
    if (!output.write(JSON.stringify(envelope) + "\n")) {
      await new Promise<void>((resolve) => output.once("drain", resolve));
    }
  };

  for await (const line of lines) {
    if (line.trim() === "") continue;
    pending.push(mapLine(job, params, line));
    // Keep at most `concurrency` records in flight; write results in input order.
    if (pending.length >= concurrency) await write(await pending.shift()!);
  }
  while (pending.length > 0) await write(await pending.shift()!);
  return counts;
}

async function mapLine(job: Job, params: unknown, line: string): Promise<Envelope> {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch {
    return { ok: false, input: line, error: `input line is not JSON: ${line.slice(0, 80)}` };
  }
  try {
    const output = await job.map(record, params);
    return { ok: true, output: output === undefined ? null : output };
  } catch (err) {
    return { ok: false, input: record, error: err instanceof Error ? err.message : String(err) };
  }
}

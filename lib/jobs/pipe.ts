/**
 * The pipe loop: JSON lines in, one envelope line out per input line, in order.
 *
 * - runPipe: one partition, the whole input (what Spark's RDD.pipe runs: a process per partition).
 * - servePartitions: many partitions, one after another, in one long-lived process (what PySpark
 *   does with spark.python.worker.reuse, its default): each partition comes as a header line
 *   `#partition <n>` and then its n record lines; the process answers with n envelope lines and a
 *   line `#done <n>`. The header and the closing line are not JSON, so they can never be mistaken
 *   for a record or an envelope. The process ends when its input ends.
 *
 * The entrypoint runs them on stdin/stdout; tests can run them on any streams.
 */
import * as readline from "node:readline";
import type { Readable, Writable } from "node:stream";
import type { Envelope, Job } from "./job";

export interface PipeCounts {
  records: number;
  rejected: number;
}

/** The line that opens a partition in serve mode. */
export const PARTITION_HEADER = "#partition ";
/** The line that closes a partition's answer in serve mode. */
export const PARTITION_DONE = "#done ";

/** Maps lines with at most `job.concurrency` in flight and writes their envelopes in input order. */
class Mapper {
  private readonly pending: Promise<Envelope>[] = [];
  private readonly concurrency: number;
  constructor(private readonly job: Job, private readonly params: unknown, private readonly output: Writable, readonly counts: PipeCounts) {
    this.concurrency = Math.max(1, Math.floor(job.concurrency ?? 1));
  }

  async add(line: string): Promise<void> {
    this.pending.push(mapLine(this.job, this.params, line));
    if (this.pending.length >= this.concurrency) await this.write(await this.pending.shift()!);
  }

  async drain(): Promise<void> {
    while (this.pending.length > 0) await this.write(await this.pending.shift()!);
  }

  async writeLine(text: string): Promise<void> {
    if (!this.output.write(text + "\n")) await new Promise<void>((resolve) => this.output.once("drain", resolve));
  }

  private async write(envelope: Envelope): Promise<void> {
    this.counts.records++;
    if (!envelope.ok) this.counts.rejected++;
    await this.writeLine(JSON.stringify(envelope));
  }
}

/** Runs `job` over the JSON lines of `input`, writing envelopes to `output`. Resolves when input ends. */
export async function runPipe(job: Job, params: unknown, input: Readable, output: Writable): Promise<PipeCounts> {
  const lines = readline.createInterface({ input, crlfDelay: Infinity });
  const mapper = new Mapper(job, params, output, { records: 0, rejected: 0 });
  for await (const line of lines) {
    if (line.trim() === "") continue;
    await mapper.add(line);
  }
  await mapper.drain();
  return mapper.counts;
}

/**
 * Serves partitions one after another (see above) until `input` ends. Rejects on a line where a
 * header should be, or on input that ends inside a partition: the runner never sends either.
 */
export async function servePartitions(job: Job, params: unknown, input: Readable, output: Writable): Promise<{ partitions: number } & PipeCounts> {
  const lines = readline.createInterface({ input, crlfDelay: Infinity })[Symbol.asyncIterator]();
  const total = { partitions: 0, records: 0, rejected: 0 };
  for (;;) {
    const head = await lines.next();
    if (head.done) return total;
    const header = head.value as string;
    const n = header.startsWith(PARTITION_HEADER) ? Number(header.slice(PARTITION_HEADER.length)) : NaN;
    if (!Number.isInteger(n) || n < 0) throw new Error(`serve mode: expected a line "${PARTITION_HEADER}<records>", got ${JSON.stringify(header.slice(0, 80))}`);
    const mapper = new Mapper(job, params, output, { records: 0, rejected: 0 });
    for (let i = 0; i < n; i++) {
      const line = await lines.next();
      if (line.done) throw new Error(`serve mode: the input ended after ${i} of the partition's ${n} records`);
      await mapper.add(line.value as string);
    }
    await mapper.drain();
    await mapper.writeLine(`${PARTITION_DONE}${n}`);
    total.partitions++;
    total.records += mapper.counts.records;
    total.rejected += mapper.counts.rejected;
  }
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

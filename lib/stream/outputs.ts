/**
 * What a batch sends out, one path for the single processor (processor.ts) and the group's tasks
 * (group.ts): rejected and late records to the dead-letter topic, then the queries' rows to their
 * sinks (and the valid records to record sinks). Both run before the batch is committed.
 */
import type { Message, Producer } from "kafkajs";
import type { BatchResult, DeadRecord, StreamQuery, ValidRecord } from "./engine";
import type { RecordBatch, RecordSink, Sink } from "./sinks/sink";

/** Messages per producer send (kafkajs copies a send's messages per message: large sends are slow). */
export const SEND_BATCH = 1000;

/** Sends messages to a topic in sends of SEND_BATCH messages. */
export async function sendInChunks(producer: Producer, topic: string, messages: Message[], acks?: number): Promise<void> {
  for (let i = 0; i < messages.length; i += SEND_BATCH) {
    await producer.send({ topic, ...(acks !== undefined ? { acks } : {}), messages: messages.slice(i, i + SEND_BATCH) });
  }
}

/**
 * Sends rejected and late records to the dead-letter topic, the original key and value with the
 * reason and the source in headers (kind, reason, query, source-topic, source-partition,
 * source-offset). Returns how many were sent.
 */
export async function sendDeadLetters(producer: Producer, topics: { dead: string; source: string }, dead: DeadRecord[]): Promise<number> {
  if (dead.length === 0) return 0;
  const messages: Message[] = dead.map((d) => ({
    key: d.record.key,
    value: d.record.value,
    headers: {
      kind: d.kind,
      reason: d.reason,
      ...(d.query ? { query: d.query } : {}),
      "source-topic": topics.source,
      "source-partition": String(d.record.partition),
      "source-offset": d.record.offset,
    },
  }));
  await sendInChunks(producer, topics.dead, messages);
  return dead.length;
}

export interface SinkTargets<T> {
  queries: StreamQuery<T>[];
  sinks: Record<string, Sink[]>;
  recordSinks?: RecordSink<T>[];
}

/**
 * Writes each query's rows of a batch to its sinks (in query order, each sink in turn), then the
 * batch's valid records to the record sinks. `task` is the group task that emitted the rows.
 * Returns the rows written per query.
 */
export async function writeSinks<T>(targets: SinkTargets<T>, result: BatchResult, options: { task?: number; recordBatch?: RecordBatch<T> } = {}): Promise<Record<string, number>> {
  const written: Record<string, number> = {};
  for (const q of targets.queries) {
    const rows = result.outputs[q.name] ?? [];
    written[q.name] = rows.length;
    for (const sink of targets.sinks[q.name]) {
      await sink.write({ batchId: result.batchId, ...(options.task !== undefined ? { task: options.task } : {}), query: q.name, mode: q.mode, watermark: result.watermarkAfter, rows });
    }
  }
  if (targets.recordSinks?.length) {
    const batch = options.recordBatch ?? { batchId: result.batchId, watermark: result.watermarkAfter, records: (result.valid ?? []) as ValidRecord<T>[] };
    for (const sink of targets.recordSinks) await sink.write(batch);
  }
  return written;
}

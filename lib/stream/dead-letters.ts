/** Reading back what the stream processor sent to a dead-letter topic, with the reasons in its headers. */
import type { Kafka } from "kafkajs";
import { readTopic } from "../kafka/read-topic";

/** A dead-letter message: the original line and why it was not aggregated. */
export type DeadLetter = {
  line: string;
  kind: string;
  reason: string;
  offset: string;
};

/** Reads a dead-letter topic (`<topic>.dead-letter`, written by the stream processor) from the beginning up to its current end. */
export async function readDeadLetters(kafka: Kafka, topic: string, options: { timeoutMs?: number } = {}): Promise<DeadLetter[]> {
  const out: DeadLetter[] = [];
  const text = (v: unknown) => (v === undefined ? "" : String(v));
  await readTopic(kafka, topic, (message) => {
    const h = message.headers ?? {};
    out.push({ line: message.value?.toString() ?? "", kind: text(h.kind), reason: text(h.reason), offset: text(h["source-offset"]) });
  }, options);
  return out;
}

/**
 * The producer: publishes log lines to a topic as they arrive. `sendLogLines` sends a slice of lines
 * (the replay loop in ./pipeline.ts paces the slices by arrival time and `speed`).
 */
import type { Kafka, Producer } from "kafkajs";

export const WEBLOG_TOPIC = "web-logs";

/** Sends lines in order, in sends of `batchSize` (default 1000) messages. Returns how many were sent. */
export async function sendLogLines(producer: Producer, topic: string, lines: readonly string[], batchSize = 1000): Promise<number> {
  for (let i = 0; i < lines.length; i += batchSize) {
    await producer.send({ topic, messages: lines.slice(i, i + batchSize).map((value) => ({ value })) });
  }
  return lines.length;
}

/** Publishes every line at once (no pacing), e.g. for a backfill or a benchmark. */
export async function publishLogLines(kafka: Kafka, topic: string, lines: readonly string[]): Promise<number> {
  const producer = kafka.producer();
  await producer.connect();
  try {
    return await sendLogLines(producer, topic, lines);
  } finally {
    await producer.disconnect();
  }
}

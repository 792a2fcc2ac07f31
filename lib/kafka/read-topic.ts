import { randomUUID } from "node:crypto";
import type { Kafka, KafkaMessage } from "kafkajs";

/** Reads a topic from the beginning up to its end as of the call, message by message. */
export async function readTopic(kafka: Kafka, topic: string, onMessage: (message: KafkaMessage) => void, options: { timeoutMs?: number } = {}): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  let ends: Array<{ partition: number; high: string }>;
  try {
    if (!(await admin.listTopics()).includes(topic)) await admin.createTopics({ topics: [{ topic }], waitForLeaders: true });
    ends = await admin.fetchTopicOffsets(topic);
  } finally {
    await admin.disconnect();
  }
  const remaining = new Set(ends.filter((e) => BigInt(e.high) > 0n).map((e) => e.partition));
  if (remaining.size === 0) return;
  const consumer = kafka.consumer({ groupId: `reader-${randomUUID()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`reading ${topic} timed out after ${options.timeoutMs ?? 30_000} ms`)), options.timeoutMs ?? 30_000);
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            const high = ends.find((e) => e.partition === partition)?.high ?? "0";
            if (BigInt(message.offset) >= BigInt(high)) return;
            onMessage(message);
            if (BigInt(message.offset) + 1n >= BigInt(high)) remaining.delete(partition);
            if (remaining.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
}

/**
 * The latest value per key of a topic of JSON messages, read from the beginning up to its end as of
 * the call (what a compacted topic keeps): `keyOf` gives a value's key; messages without a value are
 * skipped.
 */
export async function readLatest<T>(kafka: Kafka, topic: string, keyOf: (value: T) => string, options: { timeoutMs?: number } = {}): Promise<T[]> {
  const latest = new Map<string, T>();
  await readTopic(kafka, topic, (m) => {
    if (!m.value) return;
    const value = JSON.parse(m.value.toString()) as T;
    latest.set(keyOf(value), value);
  }, options);
  return [...latest.values()];
}

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

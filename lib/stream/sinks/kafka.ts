import type { Producer } from "kafkajs";
import type { Sink } from "./sink";
import type { WindowRow } from "../engine";

export interface KafkaSinkOptions<Row> {
  /** A connected kafkajs producer (the caller connects and disconnects it). */
  producer: Producer;
  topic: string;
  /** Message key; the same row always gets the same key (default: `<windowStart>|<key>`). */
  key?: (row: Row) => string;
  /** Message value (default: the row as JSON). */
  value?: (row: Row) => string;
}

/**
 * Publishes each row as one message. Replaying a batch after a crash publishes the same key and
 * payload again, so a reader that keeps the latest message per key (as anomalyReader does) sees
 * each row once: at-least-once delivery, idempotent result.
 */
export function kafkaSink<Row = WindowRow>(options: KafkaSinkOptions<Row>): Sink<Row> {
  const key = options.key ?? ((row: Row) => {
    const r = row as unknown as WindowRow;
    return `${r.windowStart}|${r.key}`;
  });
  const value = options.value ?? ((row: Row) => JSON.stringify(row));
  return {
    name: `kafka:${options.topic}`,
    async write(batch) {
      if (batch.rows.length === 0) return;
      await options.producer.send({ topic: options.topic, messages: batch.rows.map((row) => ({ key: key(row), value: value(row) })) });
    },
  };
}

/**
 * The alerts consumer: reads the alerts topic (latest message per key, so a batch replayed after a
 * crash does not show an alert twice) and prints one line per message; or follows the topic live.
 */
import { randomUUID } from "node:crypto";
import type { Consumer, Kafka } from "kafkajs";
import { readLatest } from "../../lib/kafka/read-topic";
import { alertKey, type AlertMessage } from "./alerts";
import { sortMessages } from "./detect";

/** Every alert message in the topic up to its current end, once per key, in event-time order. */
export async function readAlerts(kafka: Kafka, topic: string, options: { timeoutMs?: number } = {}): Promise<AlertMessage[]> {
  return sortMessages(await readLatest<AlertMessage>(kafka, topic, alertKey, options));
}

/** One line for a message, as the consumer prints it. */
export function alertLine(a: AlertMessage, names?: ReadonlyMap<string, string>): string {
  const where = names?.get(a.airport) ? `${a.airport} ${names.get(a.airport)}` : a.airport;
  const when = a.at.slice(0, 16).replace("T", " ");
  if (a.type === "alert") {
    const expected = a.baseline === null ? "?" : a.baseline.toFixed(0);
    return `ALERT    ${when}  ${where}: ${a.value} departures, expected ~${expected} (score ${a.score.toFixed(1)}, ${a.detector}) since ${a.started_at.slice(0, 16).replace("T", " ")}`;
  }
  return `RESOLVED ${when}  ${where}: back to normal at ${a.returned_at?.slice(0, 16).replace("T", " ")} (incident since ${a.started_at.slice(0, 16).replace("T", " ")}, ${a.outlying_points} outlying hours, peak score ${a.score.toFixed(1)})`;
}

/** Prints the messages, one line each; returns the lines. */
export function printAlerts(messages: readonly AlertMessage[], names?: ReadonlyMap<string, string>): string[] {
  const lines = messages.map((a) => alertLine(a, names));
  for (const l of lines) console.log(l);
  return lines;
}

/** Follows the topic from its start: calls onMessage once per new key, until stop(). */
export async function followAlerts(kafka: Kafka, topic: string, onMessage: (a: AlertMessage) => void): Promise<{ stop(): Promise<void> }> {
  const seen = new Set<string>();
  const consumer: Consumer = kafka.consumer({ groupId: `alerts-${randomUUID()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      if (!message.value) return;
      const a = JSON.parse(message.value.toString()) as AlertMessage;
      const key = alertKey(a);
      if (seen.has(key)) return;
      seen.add(key);
      onMessage(a);
    },
  });
  return { stop: () => consumer.disconnect() };
}

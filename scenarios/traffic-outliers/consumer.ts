/**
 * The alerts consumer: reads the alerts topic (latest message per key, so a batch replayed after a
 * crash does not show an alert twice) and prints one line per message; or follows the topic live.
 * In a notebook, `liveAlerts` shows the latest messages in one table updated in place and
 * `alertSummary` sums them up per airport, so a hundred alerts are a table, not a wall of lines.
 */
import { randomUUID } from "node:crypto";
import type { Consumer, Kafka } from "kafkajs";
import { publish } from "../../lib/display/output";
import { tableBundle } from "../../lib/display/table";
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
    return `ALERT    ${when}  ${where}: ${a.value} departures, expected ~${expected} (score ${a.score.toFixed(2)}, ${a.detector}) since ${a.started_at.slice(0, 16).replace("T", " ")}`;
  }
  return `RESOLVED ${when}  ${where}: back to normal at ${a.returned_at?.slice(0, 16).replace("T", " ")} (incident since ${a.started_at.slice(0, 16).replace("T", " ")}, ${a.outlying_points} outlying hours, peak score ${a.score.toFixed(2)})`;
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

/** A message as a row of a table: what, when, where, and the numbers (scores to two decimals). */
function alertRow(a: AlertMessage, names?: ReadonlyMap<string, string>): Record<string, string | number | null> {
  return {
    message: a.type === "alert" ? "ALERT" : "RESOLVED",
    at: a.at.slice(0, 16).replace("T", " "),
    airport: names?.get(a.airport) ? `${a.airport} ${names.get(a.airport)}` : a.airport,
    departures: a.type === "alert" ? a.value : null,
    expected: a.type === "alert" && a.baseline !== null ? Math.round(a.baseline) : null,
    score: a.score.toFixed(2),
    incident_since: a.started_at.slice(0, 16).replace("T", " "),
  };
}

/**
 * An `onAlert` callback for a notebook: one table, updated in place, with the `last` (default 8)
 * messages so far and the counts in its title; outside a notebook, one line per message.
 */
export function liveAlerts(names?: ReadonlyMap<string, string>, options: { last?: number } = {}): (a: AlertMessage) => void {
  const displayId = `traffic-alerts-${randomUUID()}`;
  const seen: AlertMessage[] = [];
  return (a) => {
    seen.push(a);
    const alerts = seen.filter((m) => m.type === "alert").length;
    const title = `${alerts} alerts, ${seen.length - alerts} resolutions so far; the latest ${Math.min(seen.length, options.last ?? 8)}:`;
    publish(tableBundle(seen.slice(-(options.last ?? 8)).map((m) => alertRow(m, names)), { title }), { displayId, update: seen.length > 1 });
  };
}

/** A type, not an interface, so it is a plain row for show(). */
export type AlertSummaryRow = {
  airport: string;
  alerts: number;
  resolutions: number;
  first_alert: string | null;
  last_alert: string | null;
  peak_score: string;
};

/** Per airport, most alerts first: alerts, resolutions, first and last alert, strongest score (two decimals). */
export function alertSummary(messages: readonly AlertMessage[], names?: ReadonlyMap<string, string>): AlertSummaryRow[] {
  const by = new Map<string, AlertMessage[]>();
  for (const m of messages) by.set(m.airport, [...(by.get(m.airport) ?? []), m]);
  return [...by].map(([airport, ms]) => {
    const alerts = ms.filter((m) => m.type === "alert").map((m) => m.at.slice(0, 16).replace("T", " ")).sort();
    return {
      airport: names?.get(airport) ? `${airport} ${names.get(airport)}` : airport,
      alerts: alerts.length,
      resolutions: ms.length - alerts.length,
      first_alert: alerts[0] ?? null,
      last_alert: alerts.at(-1) ?? null,
      peak_score: Math.max(...ms.map((m) => m.score)).toFixed(2),
    };
  }).sort((a, b) => b.alerts - a.alerts || a.airport.localeCompare(b.airport));
}

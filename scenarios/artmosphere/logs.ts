/**
 * The event logs, in the formats the original README gave (its code wrote others):
 *
 *   collecting.log   timestamp,user_id,collected,artwork_id
 *   uploading.log    timestamp,user_id,uploaded,artwork_id,location_code
 *
 * `timestamp` is ISO 8601 in UTC with milliseconds ("2016-02-01T12:00:03.250Z"); `location_code`
 * is an ISO 3166-1 alpha-2 country code ("FR"). A line that does not fit is rejected with the reason.
 */
import { countryOf } from "./countries";

export interface CollectEvent {
  /** Epoch milliseconds. */
  ts: number;
  user_id: string;
  artwork_id: string;
}

export interface UploadEvent extends CollectEvent {
  /** ISO 3166-1 alpha-2. */
  country: string;
}

export type LineResult<T> = { ok: true; value: T } | { ok: false; reason: string };

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

function timestamp(text: string): number | string {
  if (!TIMESTAMP.test(text)) return `timestamp ${JSON.stringify(text)} is not ISO 8601 UTC (2016-02-01T12:00:03.250Z)`;
  const ms = Date.parse(text);
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 19) !== text.slice(0, 19)) return `timestamp ${JSON.stringify(text)} is not a real date and time`;
  return ms;
}

function common(line: string, action: string, columns: number, artworkIds?: ReadonlySet<string>): LineResult<{ parts: string[]; event: CollectEvent }> {
  const parts = line.split(",");
  if (parts.length !== columns) return { ok: false, reason: `${parts.length} columns, not ${columns} (${columns === 4 ? "timestamp,user_id,collected,artwork_id" : "timestamp,user_id,uploaded,artwork_id,location_code"})` };
  const ts = timestamp(parts[0]);
  if (typeof ts === "string") return { ok: false, reason: ts };
  if (parts[1].trim() === "") return { ok: false, reason: "user_id is empty" };
  if (parts[2] !== action) return { ok: false, reason: `action ${JSON.stringify(parts[2])} is not "${action}"` };
  if (parts[3].trim() === "") return { ok: false, reason: "artwork_id is empty" };
  if (artworkIds && !artworkIds.has(parts[3])) return { ok: false, reason: `artwork_id ${JSON.stringify(parts[3])} is not in the catalogue` };
  return { ok: true, value: { parts, event: { ts, user_id: parts[1], artwork_id: parts[3] } } };
}

/** Parses a collecting.log line. With `artworkIds`, an unknown artwork is rejected. */
export function parseCollect(line: string, artworkIds?: ReadonlySet<string>): LineResult<CollectEvent> {
  const r = common(line, "collected", 4, artworkIds);
  return r.ok ? { ok: true, value: r.value.event } : r;
}

/** Parses an uploading.log line: the location must be an alpha-2 code of the country table. */
export function parseUpload(line: string, artworkIds?: ReadonlySet<string>): LineResult<UploadEvent> {
  const r = common(line, "uploaded", 5, artworkIds);
  if (!r.ok) return r;
  const code = r.value.parts[4];
  if (!/^[A-Z]{2}$/.test(code)) return { ok: false, reason: `location_code ${JSON.stringify(code)} is not an ISO 3166-1 alpha-2 code (two capital letters, e.g. FR)` };
  if (!countryOf(code)) return { ok: false, reason: `location_code ${JSON.stringify(code)} is not a known country` };
  return { ok: true, value: { ...r.value.event, country: code } };
}

/** A collecting.log line. */
export function collectLine(e: CollectEvent): string {
  return `${new Date(e.ts).toISOString()},${e.user_id},collected,${e.artwork_id}`;
}

/** An uploading.log line. */
export function uploadLine(e: UploadEvent): string {
  return `${new Date(e.ts).toISOString()},${e.user_id},uploaded,${e.artwork_id},${e.country}`;
}

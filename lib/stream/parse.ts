/** Helpers for a stream's parse function (records in, `Parsed` values or reasons out). */
import type { Parsed } from "./engine";

/**
 * A record's text as a JSON object, or the reason it is not one: `not JSON: "<its first 60
 * characters>..."` or `not a JSON object` (an array, a string, a number, null).
 */
export function parseJsonObject(text: string): Parsed<Record<string, unknown>> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: `not JSON: ${JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}...` : text)}` };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return { ok: false, reason: "not a JSON object" };
  return { ok: true, value: value as Record<string, unknown> };
}

/**
 * The original web-log format, one JSON object per line:
 * `{"date_time":"2021-03-26 14:02:11","state":"Ohio","ip_address":"10.2.3.4","category":"products","sub_cat":"mens-wear","type":"shoes","pid":1532}`
 * (pid null = a visit of a product page, pid set = the product was added to the cart). date_time is UTC.
 * The stream writer parses each line with `parseLogLine`; a malformed line is rejected with the reason
 * (it goes to the dead-letter topic). Whether the state is a real one is a business rule checked later,
 * by the hourly rollup (unknown states are rejected there, with the reason).
 */
import { parseJsonObject, type Parsed } from "../../lib/stream";

/** A parsed web-log event. */
export interface WebLogEvent {
  /** "YYYY-MM-DD HH:MM:SS", UTC. */
  date_time: string;
  state: string;
  ip_address: string;
  category: string;
  sub_cat: string;
  type: string;
  /** null: a product page visit; a number: added to cart. */
  pid: number | null;
  /** Epoch ms of date_time. */
  time: number;
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;
const TEXT_FIELDS = ["state", "ip_address", "category", "sub_cat", "type"] as const;

// The last minute parsed ("YYYY-MM-DD HH:MM") and its epoch ms: events arrive roughly in time order,
// so most lines share the previous line's minute and only their seconds need reading (the full
// check with a regex and a Date costs more than the JSON parse of the line).
let lastMinute = "";
let lastMinuteMs = 0;

/** Epoch ms of "YYYY-MM-DD HH:MM:SS" (UTC), or NaN when it is not a real date and time. */
export function parseDateTime(text: string): number {
  if (lastMinute !== "" && text.length === 19 && text.startsWith(lastMinute)) {
    const s1 = text.charCodeAt(17) - 48;
    const s2 = text.charCodeAt(18) - 48;
    if (text.charCodeAt(16) === 58 && s1 >= 0 && s1 <= 5 && s2 >= 0 && s2 <= 9) return lastMinuteMs + (s1 * 10 + s2) * 1000;
  }
  const m = DATE_TIME.exec(text);
  if (!m) return NaN;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number);
  const t = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(t);
  if (!(back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d && h < 24 && mi < 60 && s < 60)) return NaN;
  lastMinute = text.slice(0, 16);
  lastMinuteMs = t - s * 1000;
  return t;
}

/** "YYYY-MM-DD HH:MM:SS" of epoch ms (UTC). */
export function formatDateTime(t: number): string {
  return new Date(t).toISOString().slice(0, 19).replace("T", " ");
}

/** Parses one log line, or says why it is rejected. */
export function parseLogLine(text: string): Parsed<WebLogEvent> {
  const value = scanLogLine(text);
  return value !== undefined ? { ok: true, value } : parseLogLineJson(text);
}

// The shape the site writes (JSON.stringify of the record, keys in this order): `scanLogLine` reads
// it without JSON.parse, which builds an object and a string per field and was the writer's largest
// JavaScript cost per event.
const SCAN_KEYS = ['{"date_time":"', '","state":"', '","ip_address":"', '","category":"', '","sub_cat":"', '","type":"'] as const;
const SCAN_PID = '","pid":';

/**
 * The event of a line in the site's own shape (the keys in order, text without escapes or control
 * characters, a valid date, pid null or a positive integer of at most 15 digits, nothing after the
 * closing brace), or undefined for any other line: `parseLogLineJson` then decides, so both paths
 * give the same result for every line (a test compares them).
 */
export function scanLogLine(text: string): WebLogEvent | undefined {
  const fields: string[] = [];
  let p = 0;
  for (const key of SCAN_KEYS) {
    if (!text.startsWith(key, p)) return undefined;
    p += key.length;
    const start = p;
    for (;;) {
      const c = text.charCodeAt(p);
      if (c === 34) break; // the closing quote
      if (c === 92 || c < 32 || Number.isNaN(c)) return undefined; // an escape, a control character, the end
      p++;
    }
    const v = text.slice(start, p);
    // Empty or blank text: the JSON path says why (the first character of a non-blank text is no space).
    const first = v.charCodeAt(0);
    if (!(first > 32 && first < 127) && v.trim() === "") return undefined;
    fields.push(v);
  }
  if (!text.startsWith(SCAN_PID, p)) return undefined;
  p += SCAN_PID.length;
  let pid: number | null;
  if (text.length === p + 5 && text.startsWith("null}", p)) pid = null;
  else {
    const digits = text.length - p - 1;
    if (digits < 1 || digits > 15 || text.charCodeAt(text.length - 1) !== 125) return undefined;
    let n = 0;
    for (let i = p; i < text.length - 1; i++) {
      const d = text.charCodeAt(i) - 48;
      if (d < 0 || d > 9 || (d === 0 && i === p)) return undefined;
      n = n * 10 + d;
    }
    pid = n;
  }
  const time = parseDateTime(fields[0]);
  if (Number.isNaN(time)) return undefined;
  return { date_time: fields[0], state: fields[1], ip_address: fields[2], category: fields[3], sub_cat: fields[4], type: fields[5], pid, time };
}

/** Parses one log line with JSON.parse (any JSON shape), or says why it is rejected. */
export function parseLogLineJson(text: string): Parsed<WebLogEvent> {
  const json = parseJsonObject(text);
  if (!json.ok) return json;
  const r = json.value;
  if (typeof r.date_time !== "string") return { ok: false, reason: `date_time is missing or not text (got ${JSON.stringify(r.date_time)})` };
  const time = parseDateTime(r.date_time);
  if (Number.isNaN(time)) return { ok: false, reason: `date_time ${JSON.stringify(r.date_time)} is not "YYYY-MM-DD HH:MM:SS"` };
  for (const f of TEXT_FIELDS) {
    const v = r[f];
    if (typeof v !== "string" || v.trim() === "") return { ok: false, reason: `${f} is missing or empty (got ${JSON.stringify(v)})` };
  }
  const pid = r.pid;
  if (pid !== null && pid !== undefined && !(typeof pid === "number" && Number.isInteger(pid) && pid > 0)) {
    return { ok: false, reason: `pid ${JSON.stringify(pid)} is neither null nor a positive integer` };
  }
  return {
    ok: true,
    value: {
      date_time: r.date_time,
      state: r.state as string,
      ip_address: r.ip_address as string,
      category: r.category as string,
      sub_cat: r.sub_cat as string,
      type: r.type as string,
      pid: (pid as number | null | undefined) ?? null,
      time,
    },
  };
}

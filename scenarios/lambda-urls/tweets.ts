/**
 * Tweets as the streaming API gave them, one JSON object per message:
 *
 *   {"id":"1366441010003","created_at":"Mon Mar 01 14:02:11 +0000 2021","user":"ada_l","text":"Read this https://bit.ly/3LmbdA","urls":["https://bit.ly/3LmbdA"]}
 *
 * or in the shape the Twitter API (v1.1) delivered them, which `parseTweet` reads too:
 *
 *   {"id_str":"1366441010003","created_at":"Mon Mar 01 14:02:11 +0000 2021","user":{"screen_name":"ada_l"},"text":"Read this https://t.co/x1","entities":{"urls":[{"url":"https://t.co/x1","expanded_url":"https://bit.ly/3LmbdA"}]}}
 *
 * (id from `id_str`, else `id`; the user's `screen_name`; the URLs from `entities.urls[].expanded_url`,
 * or its `url` when there is no expanded one; `extended_tweet` for a long tweet's entities; without
 * any entities, the http(s) links in the text).
 * `parseTweet` validates one and normalises its URLs (./normalize.ts); `countUrlHourly` is the whole
 * computation of the view, `url_hourly (hour, url, count)`: a tweet counts once for each distinct
 * page it links to, in the hour of its created_at (UTC). The batch layer runs it over the master data
 * set, the speed layer runs the same parse incrementally, and the tests run it over the raw topic.
 */
import { parseJsonObject } from "../../lib/stream";
import { normalizeUrl, type NormalizeOptions } from "./normalize";

export const HOUR_MS = 3_600_000;

/** A valid tweet, its URLs normalised (distinct, sorted). */
export interface Tweet {
  id: string;
  /** created_at in epoch ms. */
  time: number;
  user: string;
  urls: string[];
}

export type ParsedTweet = { ok: true; value: Tweet } | { ok: false; reason: string };

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** Twitter's created_at, "Mon Mar 01 14:02:11 +0000 2021", for an epoch ms (always +0000). */
export function formatCreatedAt(ms: number): string {
  const d = new Date(ms);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000 ${d.getUTCFullYear()}`;
}

/** Parses Twitter's created_at (with any +hhmm/-hhmm offset) to epoch ms; undefined when it is not one. */
export function parseCreatedAt(text: string): number | undefined {
  const m = /^(Sun|Mon|Tue|Wed|Thu|Fri|Sat) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) (\d{2}) (\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2}) (\d{4})$/.exec(text);
  if (!m) return undefined;
  const [, dow, mon, day, hh, mm, ss, sign, oh, om, year] = m;
  const month = MONTHS.indexOf(mon);
  const local = Date.UTC(Number(year), month, Number(day), Number(hh), Number(mm), Number(ss));
  const d = new Date(local);
  if (d.getUTCMonth() !== month || d.getUTCDate() !== Number(day) || Number(hh) > 23 || Number(mm) > 59 || Number(ss) > 59) return undefined;
  if (DAYS[d.getUTCDay()] !== dow) return undefined;
  const offset = (sign === "-" ? -1 : 1) * (Number(oh) * 60 + Number(om)) * 60_000;
  return local - offset;
}

/** The start of the hour of an epoch ms. */
export function hourOf(ms: number): number {
  return Math.floor(ms / HOUR_MS) * HOUR_MS;
}

/** The URLs of a tweet object as written: `urls`, or the API's `entities.urls[]` (expanded_url, else url), or the links in its text. */
export function tweetUrls(t: Record<string, unknown>): { ok: true; urls: string[] } | { ok: false; reason: string } {
  if (t.urls !== undefined) {
    if (!Array.isArray(t.urls)) return { ok: false, reason: `urls ${JSON.stringify(t.urls)} is not a list` };
    for (const [i, raw] of t.urls.entries()) if (typeof raw !== "string") return { ok: false, reason: `urls[${i}] ${JSON.stringify(raw)} is not a string` };
    return { ok: true, urls: t.urls as string[] };
  }
  const extended = t.extended_tweet !== null && typeof t.extended_tweet === "object" ? (t.extended_tweet as Record<string, unknown>) : undefined;
  const entities = extended?.entities ?? t.entities;
  if (entities !== undefined && entities !== null) {
    const list = (entities as { urls?: unknown }).urls;
    if (typeof entities !== "object" || !Array.isArray(list)) return { ok: false, reason: `entities.urls ${JSON.stringify(list)} is not a list` };
    const urls: string[] = [];
    for (const [i, e] of list.entries()) {
      const entry = e !== null && typeof e === "object" ? (e as { expanded_url?: unknown; url?: unknown }) : {};
      const raw = typeof entry.expanded_url === "string" && entry.expanded_url !== "" ? entry.expanded_url : entry.url;
      if (typeof raw !== "string") return { ok: false, reason: `entities.urls[${i}] has neither expanded_url nor url (${JSON.stringify(e)})` };
      urls.push(raw);
    }
    return { ok: true, urls };
  }
  const text = extended?.full_text ?? t.full_text ?? t.text;
  if (typeof text !== "string") return { ok: false, reason: "the tweet has no urls, no entities and no text" };
  return { ok: true, urls: (text.match(/https?:\/\/[^\s<>"]+/gi) ?? []).map((u) => u.replace(/[.,;:!?)\]}'»…]+$/u, "")) };
}

/** The tweet's id: `id_str`, or `id` as digits (a string, or a whole number JSON kept exact). */
function tweetId(t: Record<string, unknown>): string | undefined {
  if (typeof t.id_str === "string" && /^\d+$/.test(t.id_str)) return t.id_str;
  if (typeof t.id === "string" && /^\d+$/.test(t.id)) return t.id;
  if (typeof t.id === "number" && Number.isSafeInteger(t.id) && t.id >= 0) return String(t.id);
  return undefined;
}

/** Validates one tweet and normalises its URLs; a tweet with a URL that has no canonical form is rejected. */
export function parseTweet(text: string, options: NormalizeOptions = {}): ParsedTweet {
  const json = parseJsonObject(text);
  if (!json.ok) return json;
  const t = json.value;
  const id = tweetId(t);
  if (id === undefined) return { ok: false, reason: `id ${JSON.stringify(t.id_str ?? t.id)} is not a string of digits` };
  if (typeof t.created_at !== "string") return { ok: false, reason: "created_at is missing" };
  const time = parseCreatedAt(t.created_at);
  if (time === undefined) return { ok: false, reason: `created_at ${JSON.stringify(t.created_at)} is not Twitter's "Mon Mar 01 14:02:11 +0000 2021"` };
  const user = typeof t.user === "string" ? t.user : t.user !== null && typeof t.user === "object" ? (t.user as { screen_name?: unknown }).screen_name : undefined;
  if (typeof user !== "string" || user === "") return { ok: false, reason: "user is missing" };
  const raw = tweetUrls(t);
  if (!raw.ok) return raw;
  const urls = new Set<string>();
  const where = t.urls !== undefined ? "urls" : "url";
  for (const [i, u] of raw.urls.entries()) {
    const n = normalizeUrl(u, options);
    if (!n.ok) return { ok: false, reason: `${where}[${i}]: ${n.reason}` };
    urls.add(n.url);
  }
  return { ok: true, value: { id, time, user, urls: [...urls].sort() } };
}

/** One raw message: where it is in the topic, and its text. */
export interface RawTweet {
  partition: number;
  offset: number;
  value: string;
}

/** A row of url_hourly: the hour (ISO, UTC), the canonical URL, the tweets linking to it in that hour. */
export interface UrlHourlyRow {
  hour: string;
  url: string;
  count: number;
}

export interface RejectedTweet {
  partition: number;
  offset: number;
  reason: string;
  raw: string;
}

export interface UrlCounts {
  rows: UrlHourlyRow[];
  /** Messages read = ok + rejected. */
  tweets: number;
  ok: number;
  rejected: RejectedTweet[];
  /** Largest created_at of a valid tweet (epoch ms), or null. */
  maxTime: number | null;
}

/** Adds counts into a map keyed by "hourMs\turl". */
export function addCounts(into: Map<string, number>, hour: number, urls: readonly string[], n = 1): void {
  for (const url of urls) {
    const k = `${hour}\t${url}`;
    into.set(k, (into.get(k) ?? 0) + n);
  }
}

/** Rows of a count map, sorted by hour then URL. */
export function rowsOf(counts: Map<string, number>): UrlHourlyRow[] {
  return [...counts]
    .map(([k, count]) => {
      const [hour, url] = k.split("\t");
      return { hour: new Date(Number(hour)).toISOString(), url, count };
    })
    .filter((r) => r.count > 0)
    .sort((a, b) => (a.hour < b.hour ? -1 : a.hour > b.hour ? 1 : a.url < b.url ? -1 : a.url > b.url ? 1 : 0));
}

/** The whole view from raw messages: the reference computation (a message with the same partition and offset counts once). */
export function countUrlHourly(messages: Iterable<RawTweet>, options: NormalizeOptions = {}): UrlCounts {
  const counts = new Map<string, number>();
  const seen = new Set<string>();
  const rejected: RejectedTweet[] = [];
  let ok = 0;
  let maxTime: number | null = null;
  for (const m of messages) {
    const id = `${m.partition}:${m.offset}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const parsed = parseTweet(m.value, options);
    if (!parsed.ok) {
      rejected.push({ partition: m.partition, offset: m.offset, reason: parsed.reason, raw: m.value });
      continue;
    }
    ok++;
    maxTime = maxTime === null ? parsed.value.time : Math.max(maxTime, parsed.value.time);
    addCounts(counts, hourOf(parsed.value.time), parsed.value.urls);
  }
  return { rows: rowsOf(counts), tweets: seen.size, ok, rejected, maxTime };
}

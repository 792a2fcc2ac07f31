/**
 * Validating one raw log line into a clean event, or a reason it is rejected. Pure: the clean job
 * (./clean-job.ts) and the tests call it; the reasons end up in the rejected-lines table.
 */
export interface CleanEvent {
  ts: number;
  /** ISO timestamp of `ts` (UTC), the star schema's start_time. */
  start_time: string;
  /** "" for a logged-out event. */
  user_id: string;
  first_name: string | null;
  last_name: string | null;
  gender: string | null;
  level: string;
  page: string;
  song: string | null;
  artist: string | null;
  length: number | null;
  session_id: number;
  item_in_session: number;
  location: string | null;
  user_agent: string | null;
  auth: string;
  method: string | null;
  status: number | null;
  registration: number | null;
}

export type ParsedLine = { ok: true; event: CleanEvent } | { ok: false; reason: string };

/** The columns of a clean event, in order, with their warehouse types. */
export const CLEAN_EVENT_COLUMNS = [
  ["ts", "INT64"], ["start_time", "TIMESTAMP"], ["user_id", "STRING"], ["first_name", "STRING"], ["last_name", "STRING"], ["gender", "STRING"],
  ["level", "STRING"], ["page", "STRING"], ["song", "STRING"], ["artist", "STRING"], ["length", "FLOAT64"], ["session_id", "INT64"],
  ["item_in_session", "INT64"], ["location", "STRING"], ["user_agent", "STRING"], ["auth", "STRING"], ["method", "STRING"], ["status", "INT64"],
  ["registration", "FLOAT64"],
] as const;

// Timestamps from 2000 to 2100, in milliseconds: anything else is seconds, microseconds or garbage.
const MIN_TS = Date.UTC(2000, 0, 1);
const MAX_TS = Date.UTC(2100, 0, 1);

function str(v: unknown): string | null {
  return typeof v === "string" ? v : null;
}

function int(v: unknown): number | null {
  return typeof v === "number" && Number.isInteger(v) ? v : null;
}

/** Why a parsed log line is not a valid event, or undefined when it is one. */
export function eventProblem(raw: unknown): string | undefined {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return `not an event object: a JSON ${Array.isArray(raw) ? "array" : raw === null ? "null" : typeof raw}`;
  const e = raw as Record<string, unknown>;
  const ts = e.ts;
  if (typeof ts !== "number" || !Number.isInteger(ts) || ts < MIN_TS || ts >= MAX_TS) return `ts ${JSON.stringify(ts)} is not a time in milliseconds since 1970`;
  if (!str(e.page)) return `page ${JSON.stringify(e.page)} is not a page name`;
  const userId = typeof e.userId === "number" && Number.isInteger(e.userId) ? String(e.userId) : e.userId;
  if (typeof userId !== "string" || (userId !== "" && !/^\d+$/.test(userId))) return `userId ${JSON.stringify(e.userId)} is not a user number or "" (logged out)`;
  if (e.level !== "free" && e.level !== "paid") return `level ${JSON.stringify(e.level)} is not "free" or "paid"`;
  if (int(e.sessionId) === null) return `sessionId ${JSON.stringify(e.sessionId)} is not a whole number`;
  if (e.page === "NextSong" && (!str(e.song) || !str(e.artist) || typeof e.length !== "number")) {
    return `a NextSong event needs song, artist and length; got ${JSON.stringify({ song: e.song, artist: e.artist, length: e.length })}`;
  }
  return undefined;
}

/** Why a log line is not a valid event (not JSON, or see eventProblem), or undefined when it is one. */
export function lineProblem(line: string): string | undefined {
  if (line.trim() === "") return "empty line";
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch (err) {
    return `not JSON: ${(err as Error).message}`;
  }
  return eventProblem(raw);
}

/** Parses and validates one line of a log file into a clean event (the same event the clean job's DuckDB step makes of it). */
export function parseEventLine(line: string): ParsedLine {
  const problem = lineProblem(line);
  if (problem) return { ok: false, reason: problem };
  const e = JSON.parse(line) as Record<string, unknown>;
  const ts = e.ts as number;
  return {
    ok: true,
    event: {
      ts,
      start_time: new Date(ts).toISOString(),
      user_id: String(e.userId),
      first_name: str(e.firstName),
      last_name: str(e.lastName),
      gender: str(e.gender),
      level: e.level as string,
      page: e.page as string,
      song: str(e.song),
      artist: str(e.artist),
      length: typeof e.length === "number" ? e.length : null,
      session_id: e.sessionId as number,
      item_in_session: int(e.itemInSession) ?? 0,
      location: str(e.location),
      user_agent: str(e.userAgent),
      auth: str(e.auth) ?? "",
      method: str(e.method),
      status: int(e.status),
      registration: typeof e.registration === "number" ? e.registration : null,
    },
  };
}

/** Types of the raw fields, for DuckDB's read_json over valid lines. */
export const RAW_EVENT_COLUMNS: Record<string, string> = {
  artist: "VARCHAR", auth: "VARCHAR", firstName: "VARCHAR", gender: "VARCHAR", itemInSession: "BIGINT", lastName: "VARCHAR", length: "DOUBLE",
  level: "VARCHAR", location: "VARCHAR", method: "VARCHAR", page: "VARCHAR", registration: "DOUBLE", sessionId: "BIGINT", song: "VARCHAR",
  status: "BIGINT", ts: "BIGINT", userAgent: "VARCHAR", userId: "VARCHAR",
};

/** The clean event columns from the raw fields of valid lines (what parseEventLine computes, in SQL). */
export const CLEAN_EVENT_SELECT = `SELECT ts, make_timestamp(ts * 1000) AS start_time, userId AS user_id, firstName AS first_name, lastName AS last_name,
  gender, level, page, song, artist, length, sessionId AS session_id, coalesce(itemInSession, 0) AS item_in_session, location,
  userAgent AS user_agent, coalesce(auth, '') AS auth, method, status, registration`;

/** Parses and validates one song file's text. */
export function parseSongFile(text: string): { ok: true; song: CleanSong } | { ok: false; reason: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { ok: false, reason: `not JSON: ${(err as Error).message}` };
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return { ok: false, reason: "not a song object" };
  const s = raw as Record<string, unknown>;
  for (const field of ["song_id", "title", "artist_id", "artist_name"]) {
    if (typeof s[field] !== "string" || s[field] === "") return { ok: false, reason: `${field} ${JSON.stringify(s[field])} is missing or not a string` };
  }
  if (typeof s.duration !== "number" || !(s.duration > 0)) return { ok: false, reason: `duration ${JSON.stringify(s.duration)} is not a positive number of seconds` };
  const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : null);
  return {
    ok: true,
    song: {
      song_id: s.song_id as string,
      title: s.title as string,
      artist_id: s.artist_id as string,
      artist_name: s.artist_name as string,
      artist_location: typeof s.artist_location === "string" ? s.artist_location : "",
      artist_latitude: num(s.artist_latitude),
      artist_longitude: num(s.artist_longitude),
      duration: s.duration,
      year: typeof s.year === "number" && Number.isInteger(s.year) ? s.year : 0,
    },
  };
}

export interface CleanSong {
  song_id: string;
  title: string;
  artist_id: string;
  artist_name: string;
  artist_location: string;
  artist_latitude: number | null;
  artist_longitude: number | null;
  duration: number;
  year: number;
}

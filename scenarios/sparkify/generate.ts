/**
 * A seeded generator of Sparkify's ORIGINAL raw layout, with the hard cases made real:
 *
 *   song_data/A/B/C/TRABC....json              one song object per file (the Million Song Dataset subset)
 *   log_data/2018/11/2018-11-DD-events.json    one event per line, every field of the original
 *
 * Sessions start over all 24 hours by a daily curve, `HOUR_CURVES`: few at night, a rise in the
 * morning, an evening peak for free listening; paid subscribers, who listen ad-free at work, listen
 * most through the working day.
 *
 * Hard cases: the same title by two artists; two versions of a song whose durations differ slightly;
 * users who go from free to paid mid-month; logged-out events with an empty userId; pages other than
 * NextSong; plays of songs that are not in the catalogue; an artist whose location is empty in one
 * song file and filled in another; and a few malformed lines.
 *
 * The generator also keeps its own ledger of what it wrote (`SparkifyTruth`), computed from the
 * choices it made, not from the files: tests check the star schema against it.
 */
import { seededRandom } from "../../lib/random";

/** A song file's object, exactly the original's fields. */
export interface SongRecord {
  num_songs: number;
  artist_id: string;
  artist_latitude: number | null;
  artist_longitude: number | null;
  artist_location: string;
  artist_name: string;
  song_id: string;
  title: string;
  duration: number;
  year: number;
}

/** A log event, exactly the original's fields (userId is a string, "" when logged out). */
export interface LogEvent {
  artist: string | null;
  auth: string;
  firstName: string | null;
  gender: string | null;
  itemInSession: number;
  lastName: string | null;
  length: number | null;
  level: string;
  location: string | null;
  method: string;
  page: string;
  registration: number | null;
  sessionId: number;
  song: string | null;
  status: number;
  ts: number;
  userAgent: string | null;
  userId: string;
}

export interface GenerateSparkifyOptions {
  /** Seed: the same seed gives the same files. Default 42. */
  seed?: number;
  /** Songs in the catalogue. Default 200. */
  songs?: number;
  /** Users. Default 40. */
  users?: number;
  /** Days of November 2018, from the 1st. Default 30. */
  days?: number;
  /** Events in all (spread over the days with a weekly rhythm). Default 6,000. */
  events?: number;
  /** Share of malformed log lines. Default 0.002 (at least 3 in all). */
  malformedShare?: number;
  /** Share of plays of songs not in the catalogue. Default 0.3. */
  unknownShare?: number;
}

/** What the generator knows it wrote: the reference the star schema is checked against. */
export type SparkifyTruth = {
  songs: number;
  artists: number;
  logLines: number;
  malformedLines: number;
  /** NextSong events of logged-in users (the songplays). */
  songplays: number;
  /** Songplays of a song in the catalogue (title, artist and duration all match one song). */
  matchedSongplays: number;
  /** Songplays whose title belongs to more than one song in the catalogue (another artist's, or another version). */
  ambiguousTitlePlays: number;
  /** Rows a join on the title alone gives: each songplay once per catalogue song of that title (at least once). */
  titleJoinRows: number;
  /** Users who played or browsed while logged in, with the level of their latest event. */
  userLevels: Record<string, "free" | "paid">;
  /** Users who changed level during the month. */
  upgradedUsers: string[];
  /** Distinct start times of songplays. */
  startTimes: number;
  /** Users with songplays at both levels (free before their upgrade, paid after). */
  usersAtBothLevels: number;
  /** Distinct (year, artist_id) of the catalogue: the songs' partitions in the lake. */
  songPartitions: number;
};

export interface SparkifyData {
  /** Song files: path in the layout (song_data/A/B/C/TR....json) and the object. */
  songs: { path: string; song: SongRecord }[];
  /** Log files: path in the layout and its lines (a few malformed). */
  logs: { path: string; day: string; lines: string[] }[];
  truth: SparkifyTruth;
}

const FIRST = ["Lily", "Kevin", "Jacob", "Chloe", "Tegan", "Aleena", "Jayden", "Ava", "Ryan", "Matthew", "Layla", "Sara", "Mohammad", "Kate", "Theodore", "Rylan", "Emily", "Lucas", "Noah", "Mia"];
const LAST = ["Koch", "Arellano", "Garcia", "Levine", "Cruz", "Kirby", "Fox", "Jones", "Smith", "Monroe", "Griffin", "Johnson", "Rodriguez", "Harrell", "Smith", "George", "Williams", "Chen", "Nguyen", "Brown"];
const CITIES = ["Chicago-Naperville-Elgin, IL-IN-WI", "New York-Newark-Jersey City, NY-NJ-PA", "San Francisco-Oakland-Hayward, CA", "Atlanta-Sandy Springs-Roswell, GA", "Lansing-East Lansing, MI", "Tampa-St. Petersburg-Clearwater, FL", "Portland-South Portland, ME", "Houston-The Woodlands-Sugar Land, TX"];
const AGENTS = [
  "\"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_9_4) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/36.0.1985.143 Safari/537.36\"",
  "\"Mozilla/5.0 (Windows NT 6.1; WOW64; rv:31.0) Gecko/20100101 Firefox/31.0\"",
  "Mozilla/5.0 (X11; Linux x86_64; rv:31.0) Gecko/20100101 Firefox/31.0",
  "\"Mozilla/5.0 (iPhone; CPU iPhone OS 7_1_2 like Mac OS X) AppleWebKit/537.51.2 (KHTML, like Gecko) Version/7.0 Mobile/11D257 Safari/9537.53\"",
];
const WORDS = ["Love", "Night", "Dance", "Heart", "Fire", "Rain", "Blue", "Dream", "City", "Light", "Home", "Road", "Summer", "Shadow", "Gold", "River", "Echo", "Star", "Wild", "Time", "Der", "Kleine", "Amor", "Noche", "Corazón", "Étoile"];
const ARTIST_WORDS = ["The", "Black", "Electric", "Silver", "Young", "Lost", "Royal", "Velvet", "Neon", "Paper", "Iron", "Glass"];
const OTHER_PAGES = ["Home", "Home", "Thumbs Up", "Thumbs Up", "Add to Playlist", "Add Friend", "Thumbs Down", "Settings", "Help", "About", "Roll Advert", "Error"];
const LOGGED_OUT_PAGES = ["Home", "Login", "About", "Help"];
const ALNUM = [..."ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"];

/**
 * Relative weights of a session's start hour (UTC, 0..23) by the level of the session: few sessions
 * at night, a rise from 6 in the morning; free listening peaks in the evening, paid listening (ad-free,
 * at work) is a plateau through the working day with a smaller evening. Sessions last up to about
 * an hour, so their plays spill into the next hour.
 */
export const HOUR_CURVES: Readonly<Record<"free" | "paid", readonly number[]>> = {
  free: [2.0, 1.3, 0.9, 0.8, 0.8, 1.0, 1.4, 2.0, 2.6, 2.8, 3.0, 3.2, 3.6, 3.4, 3.4, 3.8, 4.6, 6.0, 8.0, 10.0, 11.0, 9.5, 6.0, 3.0],
  paid: [0.8, 0.6, 0.5, 0.5, 0.6, 1.0, 2.0, 4.0, 6.5, 7.2, 7.4, 7.2, 6.8, 7.0, 7.2, 7.0, 6.4, 5.4, 4.2, 3.6, 3.4, 3.0, 2.0, 1.2],
};

/** The hour a uniform random number `u` in [0, 1) falls on, by the weights. */
export function hourOf(u: number, weights: readonly number[]): number {
  const total = weights.reduce((a, b) => a + b, 0);
  let at = u * total;
  for (let h = 0; h < weights.length; h++) {
    at -= weights[h];
    if (at < 0) return h;
  }
  return weights.length - 1;
}

interface User {
  id: string;
  firstName: string;
  lastName: string;
  gender: "F" | "M";
  location: string;
  userAgent: string;
  registration: number;
  level: "free" | "paid";
  /** Day index on which a free user upgrades (-1: never). */
  upgradeDay: number;
}

/** Generates the catalogue and the logs in memory (see writeSparkify to put them in a lake). */
export function generateSparkify(options: GenerateSparkifyOptions = {}): SparkifyData {
  const seed = options.seed ?? 42;
  const nSongs = Math.max(10, options.songs ?? 200);
  const nUsers = Math.max(4, options.users ?? 40);
  const days = Math.min(30, Math.max(1, options.days ?? 30));
  const nEvents = Math.max(100, options.events ?? 6000);
  const malformedShare = options.malformedShare ?? 0.002;
  const unknownShare = options.unknownShare ?? 0.3;
  const rand = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
  const id = (prefix: string, n: number) => prefix + Array.from({ length: n }, () => pick(ALNUM)).join("");

  // Artists: a few share a name-like word, one has its location in only some files.
  const nArtists = Math.max(4, Math.round(nSongs / 3));
  const artists = Array.from({ length: nArtists }, (_, i) => {
    const located = rand() < 0.6;
    return {
      id: `AR${id("", 16)}${i.toString(36).toUpperCase()}`.slice(0, 18),
      name: `${pick(ARTIST_WORDS)} ${pick(WORDS)}${i % 7 === 0 ? " featuring " + pick(FIRST) : ""} ${i}`,
      location: located ? pick(CITIES) : "",
      latitude: located ? Math.round((25 + rand() * 20) * 1e5) / 1e5 : null,
      longitude: located ? Math.round((-120 + rand() * 50) * 1e5) / 1e5 : null,
    };
  });
  const songs: { path: string; song: SongRecord }[] = [];
  const usedIds = new Set<string>();
  const addSong = (artist: (typeof artists)[number], title: string, duration: number, blankLocation = false) => {
    let track = id("TR", 16);
    while (usedIds.has(track)) track = id("TR", 16);
    usedIds.add(track);
    const song: SongRecord = {
      num_songs: 1,
      artist_id: artist.id,
      artist_latitude: blankLocation ? null : artist.latitude,
      artist_longitude: blankLocation ? null : artist.longitude,
      artist_location: blankLocation ? "" : artist.location,
      artist_name: artist.name,
      song_id: id("SO", 16),
      title,
      duration: Math.round(duration * 1e5) / 1e5,
      year: rand() < 0.4 ? 0 : 1960 + Math.floor(rand() * 59),
    };
    songs.push({ path: `song_data/${track[2]}/${track[3]}/${track[4]}/${track}.json`, song });
    return song;
  };
  const titles = new Set<string>();
  const newTitle = () => {
    let t = `${pick(WORDS)} ${pick(WORDS)}${rand() < 0.3 ? " " + pick(WORDS) : ""}`;
    while (titles.has(t)) t = `${t} ${pick(WORDS)}`;
    titles.add(t);
    return t;
  };
  // Hard cases first: the same title by two artists; two versions whose durations differ slightly;
  // an artist with its location filled in one file and empty in another.
  const sharedTitle = newTitle();
  addSong(artists[0], sharedTitle, 180 + rand() * 60);
  addSong(artists[1], sharedTitle, 200 + rand() * 60);
  const versionTitle = newTitle();
  const versionDuration = 215 + rand() * 30;
  addSong(artists[2], versionTitle, versionDuration);
  addSong(artists[2], versionTitle, versionDuration + 0.46);
  const locatedArtist = artists.find((a) => a.location !== "") ?? artists[3];
  addSong(locatedArtist, newTitle(), 150 + rand() * 100, true);
  addSong(locatedArtist, newTitle(), 150 + rand() * 100);
  while (songs.length < nSongs) addSong(artists[songs.length % nArtists], newTitle(), 120 + rand() * 240);
  // Songs played but not in the catalogue: titles and artists the catalogue does not have.
  const outside = Array.from({ length: Math.max(5, Math.round(nSongs / 4)) }, (_, i) => ({ title: `${newTitle()} (Remix ${i})`, artist: `Unsigned ${pick(WORDS)} ${i}`, duration: Math.round((120 + rand() * 240) * 1e5) / 1e5 }));
  const songsPerTitle = new Map<string, number>();
  for (const { song } of songs) songsPerTitle.set(song.title, (songsPerTitle.get(song.title) ?? 0) + 1);

  // Users: a quarter are paid from the start, a few free users upgrade mid-month.
  const users: User[] = Array.from({ length: nUsers }, (_, i) => {
    const level = rand() < 0.25 ? "paid" : "free";
    return {
      id: String(i + 2),
      firstName: pick(FIRST),
      lastName: pick(LAST),
      gender: rand() < 0.5 ? "F" : "M",
      location: pick(CITIES),
      userAgent: pick(AGENTS),
      registration: Date.UTC(2018, 6 + Math.floor(rand() * 3), 1 + Math.floor(rand() * 28)) + Math.floor(rand() * 86_400_000) + 0.0,
      level,
      upgradeDay: -1,
    };
  });
  const upgraders = users.filter((u) => u.level === "free").slice(0, Math.max(2, Math.round(nUsers / 10)));
  for (const u of upgraders) u.upgradeDay = Math.max(1, Math.min(days - 1, Math.floor(days / 3 + rand() * (days / 3))));

  // Events: per day, sessions of consecutive events starting by the daily curve of their level; volume follows a weekly rhythm.
  const dayWeights = Array.from({ length: days }, (_, d) => (new Date(Date.UTC(2018, 10, 1 + d)).getUTCDay() % 6 === 0 ? 0.7 : 1.1));
  const weightSum = dayWeights.reduce((a, b) => a + b, 0);
  const truth: SparkifyTruth = { songs: songs.length, artists: new Set(songs.map((s) => s.song.artist_id)).size, logLines: 0, malformedLines: 0, songplays: 0, matchedSongplays: 0, ambiguousTitlePlays: 0, titleJoinRows: 0, userLevels: {}, upgradedUsers: upgraders.map((u) => u.id), startTimes: 0, usersAtBothLevels: 0, songPartitions: new Set(songs.map((s) => `${s.song.year}/${s.song.artist_id}`)).size };
  const playedLevels = new Map<string, Set<string>>();
  const lastTs = new Map<string, number>();
  const lastLevel = new Map<string, "free" | "paid">();
  const startTimes = new Set<number>();
  const logs: SparkifyData["logs"] = [];
  let sessionId = 1;
  let malformedLeft = Math.max(3, Math.round(nEvents * malformedShare));
  for (let d = 0; d < days; d++) {
    const dayStart = Date.UTC(2018, 10, 1 + d);
    const day = new Date(dayStart).toISOString().slice(0, 10);
    const target = Math.round((nEvents * dayWeights[d]) / weightSum);
    const events: LogEvent[] = [];
    while (events.length < target) {
      const loggedOut = rand() < 0.05;
      const user = pick(users);
      const level: "free" | "paid" = user.upgradeDay >= 0 && d >= user.upgradeDay ? "paid" : user.level;
      let ts = dayStart + hourOf(rand(), HOUR_CURVES[level]) * 3_600_000 + Math.floor(rand() * 3_600_000);
      const length = Math.min(target - events.length, 1 + Math.floor(rand() * 12));
      const sid = sessionId++;
      for (let item = 0; item < length && ts < dayStart + 86_399_000; item++) {
        if (loggedOut) {
          events.push({ artist: null, auth: "Logged Out", firstName: null, gender: null, itemInSession: item, lastName: null, length: null, level, location: null, method: item % 2 ? "GET" : "PUT", page: pick(LOGGED_OUT_PAGES), registration: null, sessionId: sid, song: null, status: item % 2 ? 200 : 307, ts, userAgent: null, userId: "" });
          ts += 5_000 + Math.floor(rand() * 60_000);
          continue;
        }
        const seen = (at: number, lvl: "free" | "paid") => {
          if (at >= (lastTs.get(user.id) ?? 0)) {
            lastTs.set(user.id, at);
            lastLevel.set(user.id, lvl);
          }
        };
        if (user.upgradeDay === d && level === "paid" && item === 0) {
          events.push(event(user, "free", sid, item, ts, "Submit Upgrade", null, 307));
          seen(ts, "free");
          ts += 1000;
          continue;
        }
        if (rand() < 0.78) {
          const unknown = rand() < unknownShare;
          const played = unknown ? pick(outside) : (() => { const s = pick(songs).song; return { title: s.title, artist: s.artist_name, duration: s.duration }; })();
          events.push(event(user, level, sid, item, ts, "NextSong", played, 200));
          seen(ts, level);
          truth.songplays++;
          playedLevels.set(user.id, (playedLevels.get(user.id) ?? new Set()).add(level));
          const sameTitle = songsPerTitle.get(played.title) ?? 0;
          truth.titleJoinRows += Math.max(1, sameTitle);
          if (sameTitle > 1) truth.ambiguousTitlePlays++;
          if (!unknown) truth.matchedSongplays++;
          startTimes.add(ts);
          ts += Math.round(played.duration * 1000);
        } else {
          const page = pick(OTHER_PAGES);
          events.push(event(user, level, sid, item, ts, page, null, page === "Error" ? 404 : 200));
          seen(ts, level);
          ts += 2_000 + Math.floor(rand() * 30_000);
        }
      }
    }
    events.sort((a, b) => a.ts - b.ts);
    const lines = events.map((e) => JSON.stringify(e));
    // Malformed lines: spread over the first days, each a different way to be wrong.
    const spots = Math.min(malformedLeft, Math.ceil(malformedLeft / Math.max(1, days - d)));
    for (let k = 0; k < spots; k++) {
      const at = Math.floor(rand() * (lines.length + 1));
      lines.splice(at, 0, malformedLine(lines[Math.min(at, lines.length - 1)] ?? "{}", k + d));
    }
    malformedLeft -= spots;
    truth.malformedLines += spots;
    truth.logLines += lines.length;
    logs.push({ path: `log_data/2018/11/${day}-events.json`, day, lines });
  }
  // Each user's level is the level of their latest logged-in event.
  for (const [user, level] of [...lastLevel].sort((x, y) => Number(x[0]) - Number(y[0]))) truth.userLevels[user] = level;
  truth.startTimes = startTimes.size;
  truth.usersAtBothLevels = [...playedLevels.values()].filter((levels) => levels.size === 2).length;
  return { songs, logs, truth };
}

/** A logged-in user's event, with the original's fields in the original's order. */
function event(user: User, level: "free" | "paid", sessionId: number, item: number, ts: number, page: string, played: { title: string; artist: string; duration: number } | null, status: number): LogEvent {
  return {
    artist: played ? played.artist : null, auth: "Logged In", firstName: user.firstName, gender: user.gender, itemInSession: item, lastName: user.lastName,
    length: played ? played.duration : null, level, location: user.location, method: page === "Home" ? "GET" : "PUT", page, registration: user.registration,
    sessionId, song: played ? played.title : null, status, ts, userAgent: user.userAgent, userId: user.id,
  };
}

/** A line that is wrong in one of several ways (the k-th way, cycling). */
function malformedLine(near: string, k: number): string {
  switch (k % 4) {
    case 0:
      return near.slice(0, Math.max(1, Math.floor(near.length / 2))); // truncated JSON
    case 1:
      return near.replace(/"ts":\d+/, '"ts":"yesterday"'); // ts is not a number
    case 2:
      return near.replace(/"userId":"[^"]*"/, '"userId":"guest-7"').replace(/"auth":"Logged Out"/, '"auth":"Logged In"'); // not a user id
    default:
      return "[1,2,3]"; // JSON, but not an event object
  }
}

/** Where the generated files go: a lake (writeFile) or anything with the same method. */
export interface FileWriter {
  writeFile(path: string, data: string | Buffer): Promise<unknown>;
}

/** Writes the data in the original layout under `prefix` ("" or e.g. "sparkify/raw"). */
export async function writeSparkify(target: FileWriter, data: SparkifyData, prefix = ""): Promise<{ songFiles: number; logFiles: number }> {
  const at = (p: string) => (prefix ? `${prefix.replace(/\/+$/, "")}/${p}` : p);
  const queue = [...data.songs.map((s) => [at(s.path), JSON.stringify(s.song)] as const), ...data.logs.map((l) => [at(l.path), l.lines.join("\n") + "\n"] as const)];
  const writers = Array.from({ length: 16 }, async () => {
    for (let next = queue.shift(); next; next = queue.shift()) await target.writeFile(next[0], next[1]);
  });
  await Promise.all(writers);
  return { songFiles: data.songs.length, logFiles: data.logs.length };
}

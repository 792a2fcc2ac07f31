/**
 * The hand-made user files of test/fixtures/user-files and the answers worked out by hand for them
 * (each test file says how). The scenario tests and the notebooks' second runs (test/notebooks/variants.ts)
 * check against these.
 */
import * as path from "node:path";
import { fixtures } from "../helpers";

/** Web logs: see test/scenarios/web-logs/files.test.ts. */
export const WEB_LOGS_FILE = path.join(fixtures, "user-files", "web-logs.jsonl");
/** The answers worked out by hand (see above). */
export const WEB_LOGS_BY_HAND = {
  lines: 11, deadLetters: 3, lakeRows: 8, unknownState: 1, hours: 2,
  byHourAndState: [
    { hour: "2021-03-26 10:00", state: "Ohio", visits: 1, cart_adds: 1 },
    { hour: "2021-03-26 10:00", state: "Texas", visits: 2, cart_adds: 0 },
    { hour: "2021-03-26 11:00", state: "Ohio", visits: 1, cart_adds: 1 },
    { hour: "2021-03-26 11:00", state: "Texas", visits: 0, cart_adds: 1 },
  ],
};


/** Artmosphere: a catalogue folder (artworks.json, artists.json); see test/scenarios/artmosphere/user-files.test.ts. */
export const CATALOGUE_DIR = path.join(fixtures, "user-files", "artmosphere");
export const CATALOGUE_BY_HAND = {
  /** 3 artist lines (1 rejected: empty name) + 8 artwork lines (3 rejected: unknown artist, not JSON, an id twice). */
  lines: 11, artists: 2, artworks: 5, rejected: 4,
  /** "water lil" -> water & lil:*: "Water Lilies" and "Water-Lilies at Dusk" (not "Nymphéas", not "The Great Wave"). */
  query: "water lil", searchHits: 2, hits: ["b00000000000000000000001", "b00000000000000000000004"],
  /**
   * Pairs sharing a gene: 1-2 (3 genes), 1-3 and 2-3 (Water), 1-4 and 2-4 (Impressionism), 3-5 (Japanese Art):
   * 6 pairs, each both ways, all within the top 5: 12 rows.
   */
  similarPairs: 12,
};

/** Tweets in the Twitter API's shape; see test/scenarios/lambda-urls/user-files.test.ts. */
export const TWEETS_FILE = path.join(fixtures, "user-files", "tweets.jsonl");
export const TWEETS_BY_HAND = {
  /** 12 lines; rejected: 5 (not JSON), 6 (created_at "yesterday"), 11 (no screen_name), 12 (expanded_url "htp:/broken"). */
  tweets: 12, ok: 8, rejected: 4,
  /**
   * The notebook holds the stream at the fix, two thirds of the 2 hours (15:20): the lines stamped
   * before 15:20 are lines 1-7 (line 8 is the first at 15:20), of which lines 5 and 6 are malformed,
   * so the speed layer has read 7 = 5 ok + 2 rejected when it is looked at.
   */
  atFix: { sent: 7, ok: 5, rejected: 2 },
  /**
   * 14:00: pancakes (1 via bit.ly, 2 written with http/WWW/slash/utm), lambda-architecture (#comments dropped),
   * product?id=42 (fbclid dropped), markets-open (from the text: no entities), product?id=43 (9, late);
   * 15:00: about (7, no expanded_url: its url), pancakes (8, extended_tweet); 10 links nothing.
   */
  distinctUrlsPerHour: { "2021-03-01T14:00:00.000Z": 5, "2021-03-01T15:00:00.000Z": 2 },
  rows: [
    { hour: "2021-03-01T14:00:00.000Z", url: "https://blog.example.com/posts/lambda-architecture", count: 1 },
    { hour: "2021-03-01T14:00:00.000Z", url: "https://example.net/recipes/pancakes", count: 2 },
    { hour: "2021-03-01T14:00:00.000Z", url: "https://news.example.org/2021/03/01/markets-open", count: 1 },
    { hour: "2021-03-01T14:00:00.000Z", url: "https://shop.example.com/product?id=42", count: 1 },
    { hour: "2021-03-01T14:00:00.000Z", url: "https://shop.example.com/product?id=43", count: 1 },
    { hour: "2021-03-01T15:00:00.000Z", url: "https://example.com/about", count: 1 },
    { hour: "2021-03-01T15:00:00.000Z", url: "https://example.net/recipes/pancakes", count: 1 },
  ],
};

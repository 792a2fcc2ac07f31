/**
 * The second run of every notebook: other parameters, no solutions, done in the browser test as a
 * learner would do it (Jupyter Notebook + Chromium, Kernel > Restart & Run All), where it used to be
 * a second batch run in each notebook's test. Each notebook thus runs twice in `npm test`: once in
 * batch with solutions (its own test: the scraps, every exercise solvable), once here (the page, and
 * these checks on the notebook as Jupyter saved it).
 *
 * `prepare` makes the files a run needs inside `dir` and gives its parameters and environment (each
 * run has a work folder of its own); `check` asserts on the saved notebook's scraps and text.
 */
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { openSql } from "../../lib/sql";
import { sampleImages } from "../../scenarios/image-kmeans/samples";
import { RATING_HEADER } from "../../scenarios/netflix/ratings";
import { sqlTarget, uniqueName } from "../lib/stream/helpers";
import { projectRoot } from "../../lib/paths";
import { CATALOGUE_BY_HAND, CATALOGUE_DIR, TWEETS_BY_HAND, TWEETS_FILE, WEB_LOGS_BY_HAND, WEB_LOGS_FILE } from "../scenarios/user-files";

export type Parameters = Record<string, string | number | boolean | string[]>;

export interface Prepared {
  parameters: Parameters;
  /** The kernel's DATABASE_URL ("" = PGlite in the run's work folder). */
  databaseUrl?: string;
  /** Cleans up what prepare made outside `dir` (a database on the server). */
  cleanup?: () => Promise<void>;
}

export interface Variant {
  /** What this run shows, for the test's diagnostics. */
  title: string;
  /** The run's parameters, and its files in `dir`; a string is the reason it cannot run here (a skip). */
  prepare(dir: string): Promise<Prepared | string>;
  check(scraps: Record<string, unknown>, text: string): void;
}

/** The ratings of 2003 from the sample, two malformed lines in the middle, and at the end a rating of 2001 (late). */
export function ratingsWithBadRecords(dir: string): string {
  const sample = fs.readFileSync(path.join(projectRoot, "data", "netflix", "ratings", "part-00004.csv"), "utf8").trim().split("\n").slice(1);
  const ratings = path.join(dir, "ratings.csv");
  fs.writeFileSync(ratings, [RATING_HEADER, ...sample.slice(0, 1000), "2003-13-01,1,7,3", "2003-06-01,1,7,9", ...sample.slice(1000), "2001-06-15,14,2665,5"].join("\n") + "\n");
  return ratings;
}

const notAttempted = (scraps: Record<string, unknown>, text: string): void => {
  assert.equal(scraps.exercises_correct, 0);
  assert.match(text, /Not attempted yet/);
};

export const VARIANTS: Record<string, Variant> = {
  "00-welcome.ipynb": {
    title: "another name",
    prepare: async () => ({ parameters: { name: "Grace" } }),
    check(s) {
      assert.equal(s.greeting, "Hello, Grace");
      assert.equal(s.backends_ok, s.backends_checked);
    },
  },
  "02-image-kmeans.ipynb": {
    title: "without solutions: a file that is not an image is rejected",
    async prepare(dir) {
      const notImage = path.join(dir, "notes.png");
      fs.writeFileSync(notImage, "not pixels");
      return { parameters: { images: [...sampleImages().slice(0, 3), notImage], k: 3, resize: 40, runner: "local" } };
    },
    check(s, text) {
      assert.deepEqual([s.images_processed, s.images_rejected], [3, 1]);
      notAttempted(s, text);
    },
  },
  "04-web-logs.ipynb": {
    title: "without solutions, on the user's own log file (hand-made, answers worked out by hand)",
    prepare: async () => ({ parameters: { logsPath: WEB_LOGS_FILE } }),
    check(s, text) {
      assert.deepEqual([s.events, s.rejected, s.lake_rows], [WEB_LOGS_BY_HAND.lines, WEB_LOGS_BY_HAND.deadLetters, WEB_LOGS_BY_HAND.lakeRows]);
      assert.deepEqual(s.counts_by_hour_state, WEB_LOGS_BY_HAND.byHourAndState);
      assert.equal(s.warehouse_matches_lake, true);
      notAttempted(s, text);
    },
  },
  "05-netflix-ratings.ipynb": {
    title: "instances = 2: two processor processes in one consumer group write the same results as the batch",
    async prepare(dir) {
      const target = sqlTarget();
      if (target.kind !== "postgres") return "instances > 1 needs a PostgreSQL server (DATABASE_URL); PGlite cannot be shared between processes";
      // a database of its own on the shared server: other tests use the table name movie_ratings too
      const database = uniqueName("nb_instances");
      const admin = await openSql({ url: target.url });
      await admin.exec(`CREATE DATABASE ${database}`);
      const url = new URL(target.url);
      url.pathname = `/${database}`;
      return {
        parameters: { ratings: ratingsWithBadRecords(dir), mode: "A", windowDays: 7, minRatings: 5, minMean: 4, instances: 2 },
        databaseUrl: url.toString(),
        cleanup: async () => {
          await admin.exec(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
          await admin.close();
        },
      };
    },
    check(s, text) {
      assert.equal(s.oracle_match, true);
      assert.equal(s.rejected, 2);
      assert.deepEqual([s.late, s.oracle_late, s.counts_balanced], [1, 1, true], "the late rating is late in the stream and the batch; read = counted + late + rejected");
      assert.ok((s.windows_written as number) > 100, `windows_written=${String(s.windows_written)}`);
      notAttempted(s, text);
    },
  },
  "03-sparkify-star-schema.ipynb": {
    title: "a failing step: the run fails, teardown still deletes the cluster, Run All completes",
    prepare: async () => ({ parameters: { days: 5, events: 1000, songs: 60, users: 10, failAt: "build_star_schema" } }),
    check(s, text) {
      assert.equal(s.dag_state, "failed");
      assert.equal(s.cluster_deleted, true);
      assert.equal(s.songplays, 0);
      notAttempted(s, text);
    },
  },
  "08-artmosphere.ipynb": {
    title: "without solutions, on the user's own catalogue (hand-made, answers worked out by hand), another day",
    prepare: async () => ({ parameters: { cataloguePath: CATALOGUE_DIR, eventsPerSecond: 30, duration: 3, query: CATALOGUE_BY_HAND.query, day: "2016-02-05" } }),
    check(s, text) {
      assert.deepEqual([s.catalogue_lines, s.catalogue_rejected], [CATALOGUE_BY_HAND.lines, CATALOGUE_BY_HAND.rejected]);
      assert.equal(s.search_hits, CATALOGUE_BY_HAND.searchHits);
      assert.equal(s.similar_pairs, CATALOGUE_BY_HAND.similarPairs);
      assert.match(text, /Uploads on 2016-02-05/);
      assert.deepEqual([s.quality_checks, s.quality_caught], [20, 1], "the checks run on the user's catalogue too, and catch the upload planted on 2016-02-05");
      notAttempted(s, text);
    },
  },
  "07-lambda-url-counts.ipynb": {
    title: "without the bug and without solutions, on the user's own tweets (API shape, hand-made, answers worked out by hand): nothing to fix",
    prepare: async () => ({ parameters: { tweetsPath: TWEETS_FILE, bug: false, speed: 0, blockSize: 4 } }), // 12 tweets: blocks of 4, so the last batch covers them all
    check(s, text) {
      assert.deepEqual([s.tweets, s.rejected], [TWEETS_BY_HAND.tweets, TWEETS_BY_HAND.rejected]);
      assert.deepEqual([s.stream_sent, s.stream_in, s.stream_ok, s.stream_rejected], [TWEETS_BY_HAND.atFix.sent, TWEETS_BY_HAND.atFix.sent, TWEETS_BY_HAND.atFix.ok, TWEETS_BY_HAND.atFix.rejected], "the speed layer is read with the stream held at the fix");
      assert.deepEqual([s.batch_covered, s.speed_rows_after_hand_over], [TWEETS_BY_HAND.tweets, 0], "12 tweets: blocks of 4, so the last batch covers them all");
      assert.deepEqual(s.distinct_urls_per_hour, TWEETS_BY_HAND.distinctUrlsPerHour);
      assert.equal(s.urls_fixed_by_recompute, 0);
      assert.equal(s.merged_equals_recompute, true);
      notAttempted(s, text);
    },
  },
  "06-traffic-outliers.ipynb": {
    title: "without solutions, one airport, the naive detector",
    prepare: async () => ({ parameters: { airports: "LAX", chartAirport: "LAX", detector: "rolling-z", speed: 0 } }),
    check(s, text) {
      assert.equal(s.points, 4345);
      assert.ok((s.recall as number) < 0.5, `the rolling z-score misses most anomalies: recall ${String(s.recall)}`);
      notAttempted(s, text);
    },
  },
  "01-football-sql.ipynb": {
    title: "without solutions, another season and division",
    prepare: async () => ({ parameters: { season: "2013-14", division: "Serie A", top: 3 } }),
    check(s, text) {
      assert.equal(s.champion, "Juventus");
      notAttempted(s, text);
    },
  },
  "09-sql-to-neural-net.ipynb": {
    title: "without solutions, a short training",
    prepare: async () => ({ parameters: { epochs: 5 } }),
    check(s, text) {
      assert.equal((s.rows as number) + (s.rejected as number), s.records, "in = loaded + rejected");
      assert.equal(s.reloaded_same, true);
      notAttempted(s, text);
    },
  },
};

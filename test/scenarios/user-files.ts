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


/** The small input of the event-time lesson's tests, worked out by hand in event-time.test.ts and quality.test.ts. */
import * as fs from "node:fs";
import * as path from "node:path";
import { RATING_HEADER } from "../../../scenarios/netflix/ratings";
import type { Title } from "../../../scenarios/netflix/titles";

export const TITLES = new Map<number, Title>([[1, { movieId: 1, year: 2001, title: "One" }], [2, { movieId: 2, year: 2002, title: "Two" }]]);

/**
 * Batches of 7 days from 2005-01-20: [01-20, 01-27) runs at 01-27, [01-27, 02-03) at 02-03, [02-10, 02-17)
 * at 02-17. Window W0 = [2004-12-28, 2005-01-27), W1 = [2005-01-27, 2005-02-26). The last line is late:
 * its window W0 ended before 2005-02-10 less one day.
 */
export const LINES = ["2005-01-20,1,10,5", "2005-01-25,1,11,4", "2005-01-26,2,12,3", "2005-01-28,1,13,2", "bad line", "2005-02-10,1,13,2", "2005-01-02,2,14,5"];

export function writeInput(dir: string): string {
  const file = path.join(dir, "ratings.csv");
  fs.writeFileSync(file, `${RATING_HEADER}\n${LINES.join("\n")}\n`);
  return file;
}

/**
 * Web logs from your own files, in the original format: one JSON object per line,
 *
 *   {"date_time":"2021-03-26 14:02:11","state":"Ohio","ip_address":"10.2.3.4","category":"products","sub_cat":"mens-wear","type":"shoes","pid":1532}
 *
 * (date_time in UTC; pid null = a product page visit, a number = added to the cart). `logsPath` is a
 * file, a folder of such files (read in path order) or a gs:// location. The lines are replayed in
 * the order of the files, each arriving when the log has reached its time (the newest date_time so
 * far): a line older than that is a late event, as in a real log. Nothing is judged here: the stream
 * writer rejects malformed lines to the dead-letter topic, the rollup rejects unknown states.
 */
import { WorkbookError } from "../../lib/errors";
import { inputLines, readInputFiles, type ReadInputOptions } from "../../lib/lake/inputs";
import { parseLogLine } from "./events";
import type { LineKind, WebLogLine, WebLogs, WebLogsTruth } from "./generate";
import { stateByName } from "./states";

const HOUR_MS = 3_600_000;

/** Reads web-log JSON lines from a file, a folder or gs://, as the pipeline replays them. */
export async function readWebLogFiles(logsPath: string, options: Pick<ReadInputOptions, "storage"> = {}): Promise<WebLogs> {
  const lines = inputLines(await readInputFiles(logsPath, { ...options, what: "web-log JSON lines" }));
  const truth: WebLogsTruth = { lines: 0, malformed: 0, unknownState: 0, late: 0, valid: 0, counted: 0, visits: 0, cartAdds: 0 };
  const parsed = lines.map((l) => parseLogLine(l.line));
  const firstTime = parsed.map((p) => (p.ok ? p.value.time : undefined)).find((t) => t !== undefined);
  if (firstTime === undefined) {
    const bad = parsed.find((p) => !p.ok);
    throw new WorkbookError("INPUT_INVALID", `${logsPath} has ${lines.length} line(s) and none is a web-log event${bad && !bad.ok ? ` (line ${lines[0].lineNo} of ${lines[0].file}: ${bad.reason})` : ""}; each line must be a JSON object like {"date_time":"2021-03-26 14:02:11","state":"Ohio",...,"pid":null}.`);
  }
  let clock = firstTime;
  let min = firstTime;
  const out: WebLogLine[] = lines.map((l, i) => {
    const p = parsed[i];
    truth.lines++;
    let kind: LineKind = "malformed";
    let eventTime = clock;
    if (!p.ok) truth.malformed++;
    else {
      eventTime = p.value.time;
      truth.valid++;
      // late: its hour had ended when it arrived (the DAG may have rolled that hour up already)
      const late = Math.floor(eventTime / HOUR_MS) < Math.floor(clock / HOUR_MS);
      if (late) truth.late++;
      clock = Math.max(clock, eventTime);
      min = Math.min(min, eventTime);
      if (!stateByName(p.value.state)) {
        kind = "unknown_state";
        truth.unknownState++;
      } else {
        kind = late ? "late" : "ok";
        truth.counted++;
        if (p.value.pid === null) truth.visits++;
        else truth.cartAdds++;
      }
    }
    return { line: l.line, arrival: clock, eventTime, kind };
  });
  const start = Math.floor(min / HOUR_MS) * HOUR_MS;
  const end = (Math.floor(clock / HOUR_MS) + 1) * HOUR_MS;
  return { lines: out, truth, start, end };
}

/** What the lambda-urls scenario adds to the `workbook` command (loaded by bin/workbook.js): its data, its DAG and its batch tables' quality checks. */
import { registerDag, registerData, registerQuality, type CommandFn } from "../../lib/cli/registry";

registerData({
  kind: "tweets",
  scenario: "lambda-urls",
  help: "tweets with URLs in every form, some malformed, as NDJSON and/or into a topic (--tweets-per-hour N --hours N --seed S --out FILE --topic NAME)",
  load: () => (require("./cli") as typeof import("./cli")).dataTweetsCommand as CommandFn,
});

registerDag({
  id: "lambda_url_counts",
  scenario: "lambda-urls",
  description: "Lambda URL counts: tweets topic -> master data set (lake, by hour) -> url_hourly recomputed in the warehouse",
  load: () => (require("./dags") as typeof import("./dags")).lambdaDag(),
});

registerQuality({
  scenario: "lambda-urls",
  load: () => (require("./quality") as typeof import("./quality")).batchChecks(),
});

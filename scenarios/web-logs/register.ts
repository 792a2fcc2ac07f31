/** What the web-logs scenario adds to the `workbook` command (loaded by bin/workbook.js). */
import { registerDag, registerData, registerQuality, type CommandFn } from "../../lib/cli/registry";

registerData({
  kind: "weblogs",
  scenario: "web-logs",
  help: "web logs streamed through Kafka into <lake>/web_logs as Parquet (--hours N --events-per-hour N --start ISO --late-share X --seed S)",
  load: () => (require("./cli") as typeof import("./cli")).dataWebLogsCommand as CommandFn,
});

registerDag({
  id: "weblogs_hourly",
  scenario: "web-logs",
  description: "Web logs: each closed hour of the lake -> visits and cart additions -> quality checks -> the warehouse (hourly)",
  load: () => (require("./dags") as typeof import("./dags")).webLogsDag(),
});

registerQuality({
  scenario: "web-logs",
  load: () => (require("./quality") as typeof import("./quality")).webLogsChecks(Date.now()),
});

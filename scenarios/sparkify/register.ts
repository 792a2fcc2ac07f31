/** What the Sparkify scenario adds to the `workbook` command (loaded by bin/workbook.js). */
import { registerDag, registerData, registerQuality, type CommandFn } from "../../lib/cli/registry";

registerData({
  kind: "sparkify",
  scenario: "sparkify",
  help: "Sparkify's song_data/ and log_data/ in the lake (--events N --songs N --users N --days N --seed S)",
  load: () => (require("./cli") as typeof import("./cli")).dataSparkifyCommand as CommandFn,
});

registerDag({
  id: "sparkify_etl",
  scenario: "sparkify",
  description: "Sparkify: raw song and event logs in the lake -> star schema in the warehouse and the lake (monthly)",
  load: () => (require("./dags") as typeof import("./dags")).sparkifyDag(),
});

registerQuality({
  scenario: "sparkify",
  load: () => (require("./quality") as typeof import("./quality")).qualityChecks(),
});

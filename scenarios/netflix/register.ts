/** What the Netflix scenario adds to the `workbook` command (loaded by bin/workbook.js): its quality checks, for `workbook quality export-dbt netflix`. */
import { registerQuality } from "../../lib/cli/registry";

registerQuality({
  scenario: "netflix",
  load: () => (require("./quality") as typeof import("./quality")).netflixChecks(),
});

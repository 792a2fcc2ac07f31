/** What the football scenario adds to the `workbook` command (loaded by bin/workbook.js): its quality checks, for `workbook quality export-dbt football`. */
import { registerQuality } from "../../lib/cli/registry";

registerQuality({
  scenario: "football",
  load: () => (require("./quality") as typeof import("./quality")).footballChecks(),
});

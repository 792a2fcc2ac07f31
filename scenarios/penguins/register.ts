/** What the penguins scenario adds to the `workbook` command (loaded by bin/workbook.js): its quality checks, for `workbook quality export-dbt penguins`. */
import { registerQuality } from "../../lib/cli/registry";

registerQuality({
  scenario: "penguins",
  load: () => (require("./quality") as typeof import("./quality")).penguinChecks(),
});

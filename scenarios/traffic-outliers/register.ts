/** What the traffic-outliers scenario adds to the `workbook` command (loaded by bin/workbook.js): its quality checks (the flights, the hourly counts and the alerts read back), for `workbook quality export-dbt traffic-outliers`. */
import { registerQuality } from "../../lib/cli/registry";

registerQuality({
  scenario: "traffic-outliers",
  load: () => {
    const q = require("./quality") as typeof import("./quality");
    return [...q.trafficChecks(), ...q.alertChecks()];
  },
});

/** The browser test (test/notebooks/browser.ts) in the full run, first part of the notebooks; browser-2.full.test.ts runs the rest beside it. */
import { BROWSER_PARTS, browserTest } from "./browser";

browserTest(`${BROWSER_PARTS.full1.join(", ")} in Jupyter Notebook + Chromium: the executed copy shows its pictures untrusted; Restart & Run All of the second run is clean`, BROWSER_PARTS.full1);

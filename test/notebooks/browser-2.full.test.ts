/** The browser test (test/notebooks/browser.ts) in the full run, second part of the notebooks; browser-1.full.test.ts runs the others beside it. */
import { BROWSER_PARTS, browserTest } from "./browser";

browserTest(`${BROWSER_PARTS.full2.join(", ")} in Jupyter Notebook + Chromium: the executed copy shows its pictures untrusted; Restart & Run All of the second run is clean`, BROWSER_PARTS.full2);

/** The browser test (test/notebooks/browser.ts), second half of the notebooks; browser-1 runs the rest beside it. */
import { BROWSER_HALVES, browserTest } from "./browser";

browserTest(`${BROWSER_HALVES[1].join(", ")} in Jupyter Notebook + Chromium: the executed copy shows its pictures untrusted; Restart & Run All of the second run is clean`, BROWSER_HALVES[1]);

/** The browser test (test/notebooks/browser.ts), first half of the notebooks; browser-2 runs the rest beside it. */
import { BROWSER_HALVES, browserTest } from "./browser";

browserTest(`${BROWSER_HALVES[0].join(", ")} in Jupyter Notebook + Chromium: the executed copy shows its pictures untrusted; Restart & Run All of the second run is clean; a cell printing 2,000 lines shows them all and the kernel goes idle`, BROWSER_HALVES[0], { messages: true });

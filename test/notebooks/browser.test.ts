/** The browser test (test/notebooks/browser.ts) in npm test: one notebook and the 2,000-line cell; browser-1/2.full.test.ts run the others in the full run. */
import { BROWSER_PARTS, browserTest } from "./browser";

browserTest(`${BROWSER_PARTS.quick.join(", ")} in Jupyter Notebook + Chromium: the executed copy shows its pictures untrusted; Restart & Run All of the second run is clean; a cell printing 2,000 lines shows them all and the kernel goes idle`, BROWSER_PARTS.quick, { messages: true });

/**
 * Publishing rich output. Inside a tslab kernel, a display is a Jupyter display_data message
 * carrying several forms at once (e.g. text/html AND text/plain), so Jupyter, VS Code and GitHub
 * show the rich form and `workbook run --log-output` prints the plain one. Outside a kernel
 * (node, tests, the CLI) the plain form goes to stdout.
 *
 * tslab's public `display` sends one MIME type per message, so this module uses the writer tslab
 * sets for the cell being executed (tslab/dist/jupyter's `lastWriteDisplayData`), and only when
 * the kernel has already loaded tslab: it never loads tslab (or TypeScript) itself.
 */

/** MIME type -> content; "text/plain" is always present. */
export type MimeBundle = { "text/plain": string } & Record<string, string>;

type Writer = (message: { data: Record<string, string>; metadata: Record<string, unknown>; transient: Record<string, unknown> }, update: boolean) => void;

/** The kernel's display writer, when running inside a tslab kernel. */
function kernelWriter(): Writer | undefined {
  let resolved: string;
  try {
    resolved = require.resolve("tslab/dist/jupyter.js");
  } catch {
    return undefined;
  }
  const loaded = require.cache[resolved];
  const writer = (loaded?.exports as { lastWriteDisplayData?: Writer } | undefined)?.lastWriteDisplayData;
  return typeof writer === "function" ? writer : undefined;
}

/** True when running inside a tslab kernel (output becomes notebook output). */
export function inNotebook(): boolean {
  return kernelWriter() !== undefined;
}

export interface PublishOptions {
  /** A display id: later publishes with the same id and `update: true` replace the output in place. */
  displayId?: string;
  /** Replace the output published earlier under `displayId`. Default false. */
  update?: boolean;
  /** Where the plain form goes outside a kernel. Default: process.stdout. */
  stream?: NodeJS.WritableStream;
}

/** Publishes a bundle: as notebook output in a kernel, else its plain text on stdout. */
export function publish(bundle: MimeBundle, options: PublishOptions = {}): void {
  const write = kernelWriter();
  if (write) {
    write({ data: { ...bundle }, metadata: {}, transient: options.displayId ? { display_id: options.displayId } : {} }, options.update === true);
    return;
  }
  const text = bundle["text/plain"];
  (options.stream ?? process.stdout).write(text.endsWith("\n") ? text : text + "\n");
}

/** Escapes text for HTML. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/**
 * Scraps: named results a notebook records (`glue`) and tests and the CLI read back (`readScraps`),
 * in scrapbook's format: a display_data output with mime `application/scrapbook.scrap.json+json`
 * and payload {name, data, encoder: "json", version: 1}, beside a `text/plain` fallback `name = value`
 * (cut at SCRAP_TEXT_MAX characters) that viewers without scrapbook's renderer (VS Code, GitHub) show
 * instead of an error. Readers take the scrap mime and ignore the fallback, as scrapbook does.
 */
import { WorkbookError } from "./errors";
import { type JsonObject, type JsonValue, type Notebook, readNotebook } from "./notebook/nbformat";

export const SCRAP_MIME = "application/scrapbook.scrap.json+json";

/** The longest `text/plain` fallback of a scrap, in characters. */
export const SCRAP_TEXT_MAX = 200;

/** The `text/plain` form of a scrap: `name = value` (JSON), cut at SCRAP_TEXT_MAX characters. */
export function scrapText(name: string, data: JsonValue): string {
  const text = `${name} = ${JSON.stringify(data)}`;
  return text.length > SCRAP_TEXT_MAX ? `${text.slice(0, SCRAP_TEXT_MAX - 3)}...` : text;
}

type WriteDisplay = (data: JsonObject, update: boolean) => void;

function kernelDisplay(): WriteDisplay | null {
  try {
    // The tslab kernel this code runs in (same module instance as the kernel's own).
    return (require("tslab/dist/jupyter") as { lastWriteDisplayData: WriteDisplay | null }).lastWriteDisplayData;
  } catch {
    return null;
  }
}

function toJson(value: unknown, name: string): JsonValue {
  const text = JSON.stringify(value);
  if (text === undefined) {
    throw new WorkbookError("SCRAP_INVALID", `glue(${JSON.stringify(name)}, ...) got ${typeof value}, which JSON cannot hold; glue a string, number, boolean, null, list or plain object.`);
  }
  return JSON.parse(text) as JsonValue;
}

/**
 * Records `value` under `name` in the notebook's output (scrapbook's format). Outside a notebook
 * kernel it prints `scrap name = value` instead. In a notebook the scrap shows as `name = value`.
 * Returns nothing, so a cell ending in glue prints nothing.
 */
export function glue(name: string, value: unknown): void {
  if (typeof name !== "string" || name === "") throw new WorkbookError("SCRAP_INVALID", `glue needs a non-empty name, got ${JSON.stringify(name)}.`);
  const data = toJson(value, name);
  const write = kernelDisplay();
  if (write) {
    write({ data: { [SCRAP_MIME]: { name, data, encoder: "json", version: 1 }, "text/plain": scrapText(name, data) }, metadata: { scrapbook: { name, data: true, display: false } } }, false);
  } else {
    process.stdout.write(`scrap ${name} = ${JSON.stringify(data)}\n`);
  }
}

/** The scraps of a notebook (object or path), by name; a later scrap of the same name wins. */
export function readScraps(notebook: string | Notebook): Record<string, JsonValue> {
  const nb = typeof notebook === "string" ? readNotebook(notebook) : notebook;
  const out: Record<string, JsonValue> = {};
  for (const cell of nb.cells) {
    if (cell.cell_type !== "code") continue;
    for (const o of cell.outputs) {
      if (o.output_type !== "display_data" && o.output_type !== "execute_result") continue;
      const scrap = o.data[SCRAP_MIME] as JsonObject | undefined;
      if (scrap && typeof scrap.name === "string") out[scrap.name] = scrap.data ?? null;
    }
  }
  return out;
}

/**
 * Turns a kernel's iopub messages into nbformat outputs the way nbclient does: streams merge with
 * the previous chunk of the same stream, display_data with a display_id can be updated later (in any
 * cell) by update_display_data, and clear_output clears now or, with wait, before the next output.
 */
import type { JsonObject, Output } from "../notebook/nbformat";
import { joinSource } from "../notebook/nbformat";

interface Place {
  cell: number;
  output: number;
}

export class OutputCollector {
  private readonly displays = new Map<string, Place[]>();
  private readonly clearPending = new Set<number>();

  /** `outputsOf(cell)` returns the live outputs list of a cell (it is changed in place). */
  constructor(private readonly outputsOf: (cell: number) => Output[]) {}

  /** Applies one iopub message to cell `cell`. Returns true when the notebook changed. */
  handle(cell: number, msgType: string, content: JsonObject): boolean {
    switch (msgType) {
      case "stream":
        return this.add(cell, { output_type: "stream", name: content.name === "stderr" ? "stderr" : "stdout", text: String(content.text ?? "") });
      case "display_data":
      case "execute_result": {
        const data = (content.data ?? {}) as JsonObject;
        const metadata = (content.metadata ?? {}) as JsonObject;
        const output: Output = msgType === "display_data"
          ? { output_type: "display_data", data, metadata }
          : { output_type: "execute_result", data, metadata, execution_count: typeof content.execution_count === "number" ? content.execution_count : null };
        this.add(cell, output);
        const id = displayId(content);
        if (id !== undefined) {
          const places = this.displays.get(id) ?? [];
          places.push({ cell, output: this.outputsOf(cell).length - 1 });
          this.displays.set(id, places);
        }
        return true;
      }
      case "update_display_data": {
        const id = displayId(content);
        let changed = false;
        for (const place of (id !== undefined && this.displays.get(id)) || []) {
          const out = this.outputsOf(place.cell)[place.output];
          if (out && (out.output_type === "display_data" || out.output_type === "execute_result")) {
            out.data = (content.data ?? {}) as JsonObject;
            out.metadata = (content.metadata ?? {}) as JsonObject;
            changed = true;
          }
        }
        return changed;
      }
      case "error":
        return this.add(cell, {
          output_type: "error",
          ename: String(content.ename ?? "Error"),
          evalue: String(content.evalue ?? ""),
          traceback: Array.isArray(content.traceback) ? content.traceback.map(String) : [],
        });
      case "clear_output":
        if (content.wait === true) {
          this.clearPending.add(cell);
          return false;
        }
        this.clear(cell);
        return true;
      default:
        return false;
    }
  }

  private clear(cell: number): void {
    this.outputsOf(cell).length = 0;
    this.clearPending.delete(cell);
    for (const [id, places] of this.displays) {
      const kept = places.filter((p) => p.cell !== cell);
      if (kept.length) this.displays.set(id, kept);
      else this.displays.delete(id);
    }
  }

  private add(cell: number, output: Output): boolean {
    if (this.clearPending.has(cell)) this.clear(cell);
    const outputs = this.outputsOf(cell);
    const last = outputs[outputs.length - 1];
    if (output.output_type === "stream" && last?.output_type === "stream" && last.name === output.name) {
      last.text = joinSource(last.text) + joinSource(output.text);
      return true;
    }
    outputs.push(output);
    return true;
  }
}

function displayId(content: JsonObject): string | undefined {
  const transient = content.transient;
  if (transient && typeof transient === "object" && !Array.isArray(transient)) {
    const id = (transient as JsonObject).display_id;
    if (typeof id === "string" && id !== "") return id;
  }
  return undefined;
}

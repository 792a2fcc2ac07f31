/** Colour swatches as SVG: one bar per image, each colour as wide as its share. */
import { publish } from "../../lib/display/output";
import { pictureBundle } from "../../lib/display/picture";
import type { ImageColoursRow } from "./job";

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export interface SwatchOptions {
  /** Bar width in pixels. Default 360. */
  width?: number;
  /** Bar height. Default 28. */
  barHeight?: number;
  /** Width of the label column (the file name). Default 150. */
  labelWidth?: number;
}

/** An SVG with one labelled bar per row; hover a colour to see its hex and share. */
export function swatchesSvg(rows: readonly Pick<ImageColoursRow, "uri" | "colours">[], options: SwatchOptions = {}): string {
  const { width = 360, barHeight = 28, labelWidth = 150 } = options;
  const gap = 6;
  const height = rows.length * (barHeight + gap);
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${labelWidth + width}" height="${height}" font-family="sans-serif" font-size="12">`];
  rows.forEach((row, i) => {
    const y = i * (barHeight + gap);
    const name = row.uri.split(/[\\/]/).pop() ?? row.uri;
    parts.push(`<text x="0" y="${y + barHeight / 2 + 4}">${escape(name.length > 22 ? name.slice(0, 21) + "…" : name)}</text>`);
    let x = labelWidth;
    for (const c of row.colours) {
      const w = c.share * width;
      parts.push(`<rect x="${x.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${barHeight}" fill="${c.hex}"><title>${c.hex} ${(c.share * 100).toFixed(1)} %</title></rect>`);
      x += w;
    }
  });
  parts.push("</svg>");
  return parts.join("\n");
}

/** The same swatches as text: one line per image, e.g. `sample-001.png  #738986 31%  #579d93 29%`. */
export function swatchesText(rows: readonly Pick<ImageColoursRow, "uri" | "colours">[]): string {
  return rows
    .map((row) => `${(row.uri.split(/[\\/]/).pop() ?? row.uri).padEnd(22)} ${row.colours.map((c) => `${c.hex} ${Math.round(c.share * 100)}%`).join("  ")}`)
    .join("\n");
}

/**
 * Shows the swatches of the first `limit` rows (default 8): SVG with a PNG beside it in a notebook
 * (so an untrusted or static viewer still shows them), text elsewhere.
 */
export async function showSwatches(rows: readonly Pick<ImageColoursRow, "uri" | "colours">[], options: SwatchOptions & { limit?: number } = {}): Promise<void> {
  const some = rows.slice(0, options.limit ?? 8);
  publish(await pictureBundle(swatchesSvg(some, options), swatchesText(some)));
}

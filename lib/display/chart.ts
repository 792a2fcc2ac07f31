/**
 * Charts: Vega-Lite specs rendered to SVG in Node (vega's headless "none" renderer), so they show
 * in Jupyter, VS Code and on GitHub without JavaScript. vega and vega-lite are ESM-only with
 * top-level await, so they are loaded by a real dynamic import() on first use (tslab's require()
 * cannot load them). Rendering is deterministic: fixed font, no canvas (text widths estimated).
 */
import { escapeHtml, publish } from "./output";
import { pictureBundle } from "./picture";

/** A Vega-Lite specification (https://vega.github.io/vega-lite/docs/spec.html), as a plain object. */
export type VegaLiteSpec = Record<string, unknown>;

/** Defaults merged under the spec's own config, so output does not depend on the machine. */
export const CHART_CONFIG = {
  font: "Helvetica, Arial, sans-serif",
  background: "white",
  view: { continuousWidth: 400, continuousHeight: 240 },
} as const;

/** Renders a Vega-Lite spec to an SVG string. */
export async function chartSvg(spec: VegaLiteSpec): Promise<string> {
  const [vega, vl] = await Promise.all([import("vega"), import("vega-lite")]);
  const config = { ...CHART_CONFIG, ...((spec.config as Record<string, unknown>) ?? {}) };
  const compiled = vl.compile({ ...spec, config } as Parameters<typeof vl.compile>[0]).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** A one-line description of a spec: its title, mark, data size and encodings. */
export function chartText(spec: VegaLiteSpec): string {
  const title = typeof spec.title === "string" ? spec.title : (spec.title as { text?: string } | undefined)?.text;
  const mark = typeof spec.mark === "string" ? spec.mark : (spec.mark as { type?: string } | undefined)?.type ?? (spec.layer ? "layered" : "composite");
  const values = (spec.data as { values?: unknown } | undefined)?.values;
  const encoding = (spec.encoding ?? {}) as Record<string, { field?: string } | undefined>;
  const fields = Object.entries(encoding).filter(([, e]) => e?.field).map(([k, e]) => `${k}=${e?.field}`);
  const parts = [`[chart${title ? `: ${title}` : ""}]`, `${mark}`];
  if (Array.isArray(values)) parts.push(`${values.length} rows`);
  if (fields.length) parts.push(fields.join(", "));
  return parts.join(" ");
}

/**
 * Shows a Vega-Lite chart as SVG with a PNG beside it in the notebook (its text description, or
 * `text`, elsewhere).
 * Returns nothing, so a cell ending in `await chart(...)` does not also print the SVG's source
 * (tslab prints a cell's last value); `chartSvg` gives the SVG text.
 */
export async function chart(spec: VegaLiteSpec, options: { text?: string } = {}): Promise<void> {
  const svg = await chartSvg(spec);
  publish(await pictureBundle(svg, options.text ?? chartText(spec)));
}

export interface SimpleChartOptions {
  /** Field on the x axis. */
  x: string;
  /** Field on the y axis. */
  y: string;
  /** Field for colour. Default: none. */
  color?: string;
  title?: string;
  /** Default 400. */
  width?: number;
  /** Default 240. */
  height?: number;
}

function simpleSpec(mark: "bar" | "line" | "point", rows: Record<string, unknown>[], o: SimpleChartOptions): VegaLiteSpec {
  const sample = rows.find((r) => r[o.x] !== null && r[o.x] !== undefined)?.[o.x];
  const xType = mark === "bar" ? "nominal" : sample instanceof Date || (typeof sample === "string" && /^\d{4}-\d{2}-\d{2}/.test(sample)) ? "temporal" : typeof sample === "number" ? "quantitative" : "nominal";
  const values = rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v instanceof Date ? v.toISOString() : typeof v === "bigint" ? Number(v) : v])));
  return {
    ...(o.title ? { title: o.title } : {}),
    width: o.width ?? 400,
    height: o.height ?? 240,
    data: { values },
    mark: mark === "line" ? { type: "line", point: true } : mark,
    encoding: {
      x: { field: o.x, type: xType, ...(mark === "bar" ? { sort: null } : {}) },
      y: { field: o.y, type: "quantitative" },
      ...(o.color ? { color: { field: o.color, type: "nominal" } } : {}),
    },
  };
}

/** A bar chart spec of rows (x nominal, y quantitative). */
export function barChart(rows: Record<string, unknown>[], options: SimpleChartOptions): VegaLiteSpec {
  return simpleSpec("bar", rows, options);
}

/** A line chart spec of rows (x temporal or quantitative, y quantitative). */
export function lineChart(rows: Record<string, unknown>[], options: SimpleChartOptions): VegaLiteSpec {
  return simpleSpec("line", rows, options);
}

/** Colour swatches as an HTML strip (for k-means colours): hex colours with optional shares. */
export function swatchesHtml(colors: { hex: string; share?: number }[], size = 24): string {
  return `<div style="display:flex">${colors.map((c) => `<div title="${escapeHtml(c.hex)}${c.share !== undefined ? ` ${(c.share * 100).toFixed(1)}%` : ""}" style="width:${c.share !== undefined ? Math.max(2, Math.round(c.share * size * 10)) : size}px;height:${size}px;background:${escapeHtml(c.hex)}"></div>`).join("")}</div>`;
}

/**
 * A world map (choropleth) from world-atlas's Natural Earth 1:110m countries, rendered like any
 * chart. Values join to countries by name ("France") or by ISO 3166-1 numeric id ("250").
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { projectRoot } from "../paths";
import { chart, type VegaLiteSpec } from "./chart";

export interface WorldMapOptions {
  /** Row field holding the country name or ISO numeric id. Default "country". */
  key?: string;
  /** How `key` matches: "name" (default) or "id". */
  by?: "name" | "id";
  /** Row field with the number to colour by. Default "value". */
  value?: string;
  title?: string;
  /** Default 640. */
  width?: number;
  /** Default 340. */
  height?: number;
  /** Vega colour scheme. Default "blues". */
  scheme?: string;
}

let topology: unknown;

/** The world-atlas countries topology (read once). */
export function worldTopology(): unknown {
  topology ??= JSON.parse(fs.readFileSync(require.resolve("world-atlas/countries-110m.json"), "utf8"));
  return topology;
}

/** A Vega-Lite spec of a world map coloured by `rows`; countries without a value are grey. */
export function worldMapSpec(rows: Record<string, unknown>[], options: WorldMapOptions = {}): VegaLiteSpec {
  const key = options.key ?? "country";
  const value = options.value ?? "value";
  const by = options.by === "id" ? "id" : "properties.name";
  const data = { values: worldTopology(), format: { type: "topojson", feature: "countries" } };
  const values = rows.map((r) => ({ [key]: String(r[key]), [value]: typeof r[value] === "bigint" ? Number(r[value]) : r[value] }));
  return {
    ...(options.title ? { title: options.title } : {}),
    width: options.width ?? 640,
    height: options.height ?? 340,
    projection: { type: "equalEarth" },
    layer: [
      { data, mark: { type: "geoshape", fill: "#e5e5e5", stroke: "white", strokeWidth: 0.5 } },
      {
        data,
        transform: [
          { lookup: by, from: { data: { values }, key, fields: [value] } },
          { filter: `isValid(datum[${JSON.stringify(value)}])` },
        ],
        mark: { type: "geoshape", stroke: "white", strokeWidth: 0.5 },
        encoding: { color: { field: value, type: "quantitative", scale: { scheme: options.scheme ?? "blues" } } },
      },
    ],
  };
}

/** Shows a world map of `rows` (SVG in a notebook; top values as text elsewhere). */
export async function worldMap(rows: Record<string, unknown>[], options: WorldMapOptions = {}): Promise<void> {
  const key = options.key ?? "country";
  const value = options.value ?? "value";
  const top = [...rows].sort((a, b) => Number(b[value]) - Number(a[value])).slice(0, 10);
  const text = [`[world map${options.title ? `: ${options.title}` : ""}] ${rows.length} countries; top ${top.length}:`, ...top.map((r) => `  ${String(r[key])}: ${String(r[value])}`)].join("\n");
  return chart(worldMapSpec(rows, options), { text });
}

export interface UsMapOptions {
  /** Row field holding the state's FIPS code (a number or text such as 39 or "39" for Ohio). Default "fips". */
  key?: string;
  /** Row field with the number to colour by. Default "value". */
  value?: string;
  title?: string;
  /** Default 640. */
  width?: number;
  /** Default 400. */
  height?: number;
  /** Vega colour scheme. Default "blues". */
  scheme?: string;
}

let usTopology: unknown;

/** vega-datasets' us-10m.json (US states and counties, ids are FIPS codes), read once. */
export function usStatesTopology(): unknown {
  usTopology ??= JSON.parse(fs.readFileSync(path.join(projectRoot, "node_modules", "vega-datasets", "data", "us-10m.json"), "utf8"));
  return usTopology;
}

/** A Vega-Lite spec of a US states map (Albers USA) coloured by `rows`; states without a value are grey. */
export function usMapSpec(rows: Record<string, unknown>[], options: UsMapOptions = {}): VegaLiteSpec {
  const key = options.key ?? "fips";
  const value = options.value ?? "value";
  const data = { values: usStatesTopology(), format: { type: "topojson", feature: "states" } };
  const values = rows.map((r) => ({ [key]: Number(r[key]), [value]: typeof r[value] === "bigint" ? Number(r[value]) : r[value] }));
  return {
    ...(options.title ? { title: options.title } : {}),
    width: options.width ?? 640,
    height: options.height ?? 400,
    projection: { type: "albersUsa" },
    layer: [
      { data, mark: { type: "geoshape", fill: "#e5e5e5", stroke: "white", strokeWidth: 0.5 } },
      {
        data,
        transform: [
          { lookup: "id", from: { data: { values }, key, fields: [value] } },
          { filter: `isValid(datum[${JSON.stringify(value)}])` },
        ],
        mark: { type: "geoshape", stroke: "white", strokeWidth: 0.5 },
        encoding: { color: { field: value, type: "quantitative", scale: { scheme: options.scheme ?? "blues" } } },
      },
    ],
  };
}

/** Shows a US states map of `rows` (SVG with a PNG beside it in a notebook; top values as text elsewhere). */
export async function usMap(rows: Record<string, unknown>[], options: UsMapOptions & { label?: string } = {}): Promise<void> {
  const key = options.label ?? options.key ?? "fips";
  const value = options.value ?? "value";
  const top = [...rows].sort((a, b) => Number(b[value]) - Number(a[value])).slice(0, 10);
  const text = [`[US map${options.title ? `: ${options.title}` : ""}] ${rows.length} states; top ${top.length}:`, ...top.map((r) => `  ${String(r[key])}: ${String(r[value])}`)].join("\n");
  return chart(usMapSpec(rows, options), { text });
}

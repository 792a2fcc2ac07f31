/** The notebook's pictures: the standings race of a season and the Elo ratings through the seasons. */
import { lineChart, type VegaLiteSpec } from "../../lib/display/chart";
import type { Warehouse } from "../../lib/warehouse/warehouse";
import type { EloResult } from "./elo";
import { seasonOf } from "./matches";
import { leagueTable, positions } from "./standings";

/** The position after every matchday of the `top` teams of the final table (1 at the top). */
export async function standingsRaceChart(wh: Warehouse, season: string, division: string, top = 5): Promise<VegaLiteSpec> {
  const table = await leagueTable(wh, season, division);
  const teams = new Set(table.slice(0, Math.max(1, Math.floor(top))).map((r) => r.team));
  const rows = (await positions(wh, season, division)).filter((r) => teams.has(r.team));
  const spec = lineChart(rows, { x: "matchday", y: "position", color: "team", title: `${division} ${season}: position after each matchday`, width: 520 });
  const encoding = spec.encoding as Record<string, Record<string, unknown>>;
  return { ...spec, encoding: { ...encoding, y: { ...encoding.y, scale: { reverse: true, zero: false, nice: false, domainMin: 1 }, axis: { tickMinStep: 1 } } } };
}

/**
 * Elo ratings over time of the `top` teams by final rating: years on the time axis, one line per
 * team and season (`detail`), so no line crosses a summer break, when no match is played.
 */
export function eloChart(elo: EloResult, division: string, top = 5): VegaLiteSpec {
  const teams = new Set(elo.final.slice(0, Math.max(1, Math.floor(top))).map((r) => r.team));
  const rows = elo.history.filter((p) => teams.has(p.team)).map((p) => ({ date: p.match_date, season: p.season ?? seasonOf(p.match_date), team: p.team, rating: Math.round(p.rating) }));
  return {
    title: `${division}: Elo ratings of the top ${teams.size}, season by season`,
    width: 520,
    height: 240,
    data: { values: rows },
    mark: { type: "line", strokeWidth: 1.5 },
    encoding: {
      x: { field: "date", type: "temporal", title: "date (no matches in the summer break)", axis: { format: "%Y", tickCount: "year", grid: true } },
      y: { field: "rating", type: "quantitative", title: "Elo rating", scale: { zero: false } },
      color: { field: "team", type: "nominal", title: "team" },
      detail: { field: "season", type: "nominal" },
    },
  };
}

/**
 * Results inline: tables, charts, maps and progress, each with a plain-text form for terminals
 * and `workbook run --log-output`.
 *
 *   show(await wh.query("SELECT state, count(*) AS n FROM visits GROUP BY state"));
 *   await chart(barChart(rows, { x: "state", y: "n", title: "Visits by state" }));
 *   await worldMap([{ country: "France", value: 3 }]);
 *   const bar = showProgress({ total: 100, label: "images" }); bar.tick(); bar.done();
 */
export { show, tableHtml, tableText, tableBundle, formatCell } from "./table";
export type { Tabular, TableOptions } from "./table";
export { chart, chartSvg, chartText, barChart, lineChart, swatchesHtml, CHART_CONFIG } from "./chart";
export type { VegaLiteSpec, SimpleChartOptions } from "./chart";
export { worldMap, worldMapSpec, usMap, usMapSpec, usStatesTopology } from "./map";
export type { WorldMapOptions, UsMapOptions } from "./map";
export { showProgress, progressBundle } from "./progress";
export type { ShowProgressOptions } from "./progress";
export { publish, inNotebook, escapeHtml } from "./output";
export { pictureBundle, svgToPng } from "./picture";
export type { MimeBundle, PublishOptions } from "./output";

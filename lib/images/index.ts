// Images: dominant colours by k-means, and colour helpers.
export { dominantColours, checkDominantColoursOptions, DOMINANT_COLOURS_DEFAULTS } from "./dominant-colours";
export type { Colour, DominantColours, DominantColoursOptions } from "./dominant-colours";
export { clusterPixels, seededRandom } from "./kmeans";
export type { Cluster, ClusterOptions, ClusterResult } from "./kmeans";
export { rgbToHex, parseHex, rgbToHsl, hueName, colourDistance, HUE_NAMES, HUE_FAMILIES } from "./colour";
export type { Rgb } from "./colour";

/** de-workbook/artmosphere: artworks search (PostgreSQL full text), similar artworks (warehouse), live popularity (stream), upload map. */
export { generateArtmosphere, generateArtmosphereLogs, ARTMOSPHERE_DEFAULTS, CATEGORIES, GENES } from "./generate";
export { artmosphereData, readCatalogueFiles, artsyRecords } from "./user-files";
export type { ArtmosphereData, GenerateArtmosphereOptions } from "./generate";
export { writeArtmosphere, FILES } from "./files";
export { parseCatalogue, parseArtwork, parseArtist } from "./catalogue";
export type { Artwork, Artist, Catalogue, RejectedLine } from "./catalogue";
export { parseCollect, parseUpload, collectLine, uploadLine } from "./logs";
export type { CollectEvent, UploadEvent } from "./logs";
export { COUNTRIES, countryOf } from "./countries";
export type { Country } from "./countries";
export { ArtSearch, buildSearchIndex, searchArtworks, naiveSearch, searchWords, foldAccents, SEARCH_TABLE } from "./search";
export type { SearchResult, SearchHit, SearchOptions, SearchCapabilities } from "./search";
export { loadArtworkGenes, computeSimilarity, similarArtworks, similarByScan, similaritySelectSql, compareOrders, scanSizes, naiveScanAll, similarByIndex, indexedScanAll, timingTable, SIMILARITY_TABLES, TOP_SIMILAR } from "./similarity";
export type { SimilarArtwork, SimilarityBatch, OrderRow, OrderComparison, NaiveRun, IndexedRun } from "./similarity";
export {
  replayCollects, startPopularity, popularityEngineOptions, startLivePopularity, showLivePopularity, popularityWindows, recountWindows, topCollected, popularitySpec, createPopularityTable,
  WINDOW_MS, WATERMARK_DELAY_MS, POPULARITY_TABLE,
} from "./popularity";
export type { LivePopularity, PopularityOptions, PopularityRow } from "./popularity";
export { loadUploads, saveRejected, uploadsByCountry, uploadDays, UPLOADS_BY_COUNTRY_SQL, UPLOAD_TABLES, LAKE_PATHS } from "./uploads";
export type { CountryUploads, UploadLoad } from "./uploads";
export { showSearchResults, showArtworkCard, startArtmosphereStream, ARTMOSPHERE_SAMPLE } from "./scenario";
export type { ArtworkCard, ArtmosphereStream } from "./scenario";
export { artmosphereExercises, missedByNaive, SHARED_GENES_SQL, MOST_COLLECTS_SQL } from "./exercises";
export type { ArtmosphereExercises } from "./exercises";
export { loadCatalogueTable, catalogueChecks, uploadChecks, popularityChecks, runArtmosphereQuality, plantUploadOfMissingArtwork, dayInterval, QUALITY_TABLES, MISSING_ARTWORK } from "./quality";
export type { ArtmosphereQuality, PlantedUpload } from "./quality";

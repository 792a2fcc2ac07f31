/** de-workbook/image-kmeans: images -> dominant colours (a job) -> warehouse -> queries. */
export { findImageColours, startImageColours, IMAGE_JOB } from "./scenario";
export type { ImageColoursOptions, ImageColoursResult, ImageColoursRunning, RejectedImage } from "./scenario";
export type { ImageColoursRow, ImageJobParams, ImageRecord, ColourShare } from "./job";
export { imageFormat } from "./job";
export { readImage } from "./read-image";
export type { ReadImageOptions } from "./read-image";
export {
  loadImageColours, storedCounts, topHues, nearestImages, toTableRow, fileName, IMAGE_COLORS_TABLE, IMAGE_REJECTED_TABLE, IMAGES_TABLE, IMAGE_COLORS_SCHEMA, IMAGE_REJECTED_SCHEMA, IMAGES_SCHEMA,
  IMAGE_COLORS_KEY, IMAGE_REJECTED_KEY,
} from "./warehouse";
export type { HueCount, NearImage, LoadImageColoursResult, SettingsFilter, StoredCounts } from "./warehouse";
export { swatchesSvg, swatchesText, showSwatches } from "./swatches";
export type { SwatchOptions } from "./swatches";
export { makeSampleImages, makeSecondImageSet, makeFlatImage, sampleImages, sampleImagesWithFaults, samplePixels, SAMPLE_DIR, FAULTY_SAMPLE_DIR } from "./samples";
export type { SampleImageOptions } from "./samples";
export { imageExercises, mostEvenImage, mostEvenShare, REJECTED_SQL, HALF_DOMINANT_SQL } from "./exercises";
export type { ImageExercises } from "./exercises";
export { showThumbnails, thumbnails, thumbnailsSvg, rejectedForDisplay, fewerThanK, distinctColours, compareDayLoads, DAY_LOAD_TABLES } from "./lessons";
export type { Thumbnail, FewerColours, DayLoadComparison } from "./lessons";
export { imageChecks, runImageChecks, plantImageFault, plantImageFaults, plantedTable, showImageScorecard, resultsTable, daySoFar, IMAGE_FAULT_CHECKS } from "./quality";
export type { ImageChecksOptions, ImageFault } from "./quality";

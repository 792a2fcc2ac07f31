/** The APIs and version ranges this broker advertises in ApiVersions (all non-flexible but ApiVersions v3). */
export const ApiKey = {
  Produce: 0,
  Fetch: 1,
  ListOffsets: 2,
  Metadata: 3,
  OffsetCommit: 8,
  OffsetFetch: 9,
  FindCoordinator: 10,
  JoinGroup: 11,
  Heartbeat: 12,
  LeaveGroup: 13,
  SyncGroup: 14,
  DescribeGroups: 15,
  ListGroups: 16,
  ApiVersions: 18,
  CreateTopics: 19,
  DeleteTopics: 20,
  InitProducerId: 22,
} as const;

/** [apiKey, minVersion, maxVersion] */
export const SUPPORTED_APIS: readonly (readonly [number, number, number])[] = [
  [ApiKey.Produce, 3, 7],
  [ApiKey.Fetch, 4, 11],
  [ApiKey.ListOffsets, 1, 3],
  [ApiKey.Metadata, 0, 6],
  [ApiKey.OffsetCommit, 2, 5],
  [ApiKey.OffsetFetch, 1, 4],
  [ApiKey.FindCoordinator, 0, 2],
  [ApiKey.JoinGroup, 0, 5],
  [ApiKey.Heartbeat, 0, 3],
  [ApiKey.LeaveGroup, 0, 3],
  [ApiKey.SyncGroup, 0, 3],
  [ApiKey.DescribeGroups, 0, 2],
  [ApiKey.ListGroups, 0, 2],
  [ApiKey.ApiVersions, 0, 3],
  [ApiKey.CreateTopics, 0, 4],
  [ApiKey.DeleteTopics, 0, 1],
  [ApiKey.InitProducerId, 0, 1],
];

const RANGES = new Map(SUPPORTED_APIS.map(([key, min, max]) => [key, [min, max] as const]));

export function isSupported(apiKey: number, version: number): boolean {
  const r = RANGES.get(apiKey);
  return r !== undefined && version >= r[0] && version <= r[1];
}

/** Flexible versions use request header v2 (tagged fields) and response header v1. Only ApiVersions v3 here. */
export function isFlexible(apiKey: number, version: number): boolean {
  return apiKey === ApiKey.ApiVersions && version >= 3;
}

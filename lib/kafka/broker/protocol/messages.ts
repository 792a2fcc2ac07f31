/**
 * The layout of every request and response this broker serves, in every version it advertises.
 * The facts (field order, types, the versions where each field appears, is nullable or tagged, and
 * where flexible versions start) follow Kafka's JSON message schemas
 * (clients/src/main/resources/common/message/*.json in apache/kafka); the notation is ours
 * (schema.ts). Fields are named in camelCase. Ranges advertised: what a single-node Kafka 3.x broker
 * offers (Kafka 3.9's ranges), except the newest versions whose meaning this broker lacks:
 * ListOffsets 8+ (tiered storage), OffsetCommit and OffsetFetch 9 (KIP-848 groups), FindCoordinator
 * 5 and InitProducerId 5 (transaction errors of KIP-890), ListGroups 5 (group types), ApiVersions 4.
 */
import { ApiSchema, arrayOf, field as f, struct } from "./schema";

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
  DescribeConfigs: 32,
  DeleteGroups: 42,
} as const;

const throttle = (spec: string) => f("throttleTimeMs", "int32", spec);

const nodeEndpoints = (spec: string, tag: number) =>
  f(
    "nodeEndpoints",
    arrayOf([f("nodeId", "int32", spec), f("host", "string", spec), f("port", "int32", spec), f("rack", "string", spec, { nullable: spec, default: null })]),
    spec,
    { tag },
  );

const leaderIdAndEpoch = (spec: string, tag: number) =>
  f("currentLeader", struct([f("leaderId", "int32", spec, { default: -1 }), f("leaderEpoch", "int32", spec, { default: -1 })]), spec, { tag });

export const PRODUCE: ApiSchema = {
  key: ApiKey.Produce,
  name: "Produce",
  min: 3,
  max: 11,
  flexibleFrom: 9,
  request: [
    f("transactionalId", "string", "3+", { nullable: "3+", default: null }),
    f("acks", "int16", "0+"),
    f("timeoutMs", "int32", "0+"),
    f(
      "topicData",
      arrayOf([f("name", "string", "0+"), f("partitionData", arrayOf([f("index", "int32", "0+"), f("records", "records", "0+", { nullable: "0+" })]), "0+")]),
      "0+",
    ),
  ],
  response: [
    f(
      "responses",
      arrayOf([
        f("name", "string", "0+"),
        f(
          "partitionResponses",
          arrayOf([
            f("index", "int32", "0+"),
            f("errorCode", "int16", "0+"),
            f("baseOffset", "int64", "0+"),
            f("logAppendTimeMs", "int64", "2+", { default: -1 }),
            f("logStartOffset", "int64", "5+", { default: -1 }),
            f("recordErrors", arrayOf([f("batchIndex", "int32", "8+"), f("batchIndexErrorMessage", "string", "8+", { nullable: "8+", default: null })]), "8+"),
            f("errorMessage", "string", "8+", { nullable: "8+", default: null }),
            leaderIdAndEpoch("10+", 0),
          ]),
          "0+",
        ),
      ]),
      "0+",
    ),
    f("throttleTimeMs", "int32", "1+", { default: 0 }),
    nodeEndpoints("10+", 0),
  ],
};

export const FETCH: ApiSchema = {
  key: ApiKey.Fetch,
  name: "Fetch",
  min: 4,
  max: 17,
  flexibleFrom: 12,
  request: [
    f("clusterId", "string", "12+", { nullable: "12+", tag: 0, default: null }),
    f("replicaId", "int32", "0-14", { default: -1 }),
    f("replicaState", struct([f("replicaId", "int32", "15+", { default: -1 }), f("replicaEpoch", "int64", "15+", { default: -1 })]), "15+", { tag: 1 }),
    f("maxWaitMs", "int32", "0+"),
    f("minBytes", "int32", "0+"),
    f("maxBytes", "int32", "3+", { default: 0x7fffffff }),
    f("isolationLevel", "int8", "4+"),
    f("sessionId", "int32", "7+"),
    f("sessionEpoch", "int32", "7+", { default: -1 }),
    f(
      "topics",
      arrayOf([
        f("topic", "string", "0-12"),
        f("topicId", "uuid", "13+"),
        f(
          "partitions",
          arrayOf([
            f("partition", "int32", "0+"),
            f("currentLeaderEpoch", "int32", "9+", { default: -1 }),
            f("fetchOffset", "int64", "0+"),
            f("lastFetchedEpoch", "int32", "12+", { default: -1 }),
            f("logStartOffset", "int64", "5+", { default: -1 }),
            f("partitionMaxBytes", "int32", "0+"),
            f("replicaDirectoryId", "uuid", "17+", { tag: 0 }),
          ]),
          "0+",
        ),
      ]),
      "0+",
    ),
    f("forgottenTopicsData", arrayOf([f("topic", "string", "7-12"), f("topicId", "uuid", "13+"), f("partitions", arrayOf("int32"), "7+")]), "7+"),
    f("rackId", "string", "11+"),
  ],
  response: [
    throttle("1+"),
    f("errorCode", "int16", "7+"),
    f("sessionId", "int32", "7+"),
    f(
      "responses",
      arrayOf([
        f("topic", "string", "0-12"),
        f("topicId", "uuid", "13+"),
        f(
          "partitions",
          arrayOf([
            f("partitionIndex", "int32", "0+"),
            f("errorCode", "int16", "0+"),
            f("highWatermark", "int64", "0+"),
            f("lastStableOffset", "int64", "4+", { default: -1 }),
            f("logStartOffset", "int64", "5+", { default: -1 }),
            f("divergingEpoch", struct([f("epoch", "int32", "12+", { default: -1 }), f("endOffset", "int64", "12+", { default: -1 })]), "12+", { tag: 0 }),
            leaderIdAndEpoch("12+", 1),
            f("snapshotId", struct([f("endOffset", "int64", "0+", { default: -1 }), f("epoch", "int32", "0+", { default: -1 })]), "12+", { tag: 2 }),
            f("abortedTransactions", arrayOf([f("producerId", "int64", "4+"), f("firstOffset", "int64", "4+")]), "4+", { nullable: "4+" }),
            f("preferredReadReplica", "int32", "11+", { default: -1 }),
            f("records", "records", "0+", { nullable: "0+" }),
          ]),
          "0+",
        ),
      ]),
      "0+",
    ),
    nodeEndpoints("16+", 0),
  ],
};

export const LIST_OFFSETS: ApiSchema = {
  key: ApiKey.ListOffsets,
  name: "ListOffsets",
  min: 1,
  max: 7,
  flexibleFrom: 6,
  request: [
    f("replicaId", "int32", "0+"),
    f("isolationLevel", "int8", "2+"),
    f(
      "topics",
      arrayOf([
        f("name", "string", "0+"),
        f(
          "partitions",
          arrayOf([
            f("partitionIndex", "int32", "0+"),
            f("currentLeaderEpoch", "int32", "4+", { default: -1 }),
            f("timestamp", "int64", "0+"),
            f("maxNumOffsets", "int32", "0", { default: 1 }),
          ]),
          "0+",
        ),
      ]),
      "0+",
    ),
    f("timeoutMs", "int32", "10+"),
  ],
  response: [
    throttle("2+"),
    f(
      "topics",
      arrayOf([
        f("name", "string", "0+"),
        f(
          "partitions",
          arrayOf([
            f("partitionIndex", "int32", "0+"),
            f("errorCode", "int16", "0+"),
            f("oldStyleOffsets", arrayOf("int64"), "0"),
            f("timestamp", "int64", "1+", { default: -1 }),
            f("offset", "int64", "1+", { default: -1 }),
            f("leaderEpoch", "int32", "4+", { default: -1 }),
          ]),
          "0+",
        ),
      ]),
      "0+",
    ),
  ],
};

export const METADATA: ApiSchema = {
  key: ApiKey.Metadata,
  name: "Metadata",
  min: 0,
  max: 12,
  flexibleFrom: 9,
  request: [
    f("topics", arrayOf([f("topicId", "uuid", "10+"), f("name", "string", "0+", { nullable: "10+" })]), "0+", { nullable: "1+" }),
    f("allowAutoTopicCreation", "bool", "4+", { default: true }),
    f("includeClusterAuthorizedOperations", "bool", "8-10"),
    f("includeTopicAuthorizedOperations", "bool", "8+"),
  ],
  response: [
    throttle("3+"),
    f("brokers", arrayOf([f("nodeId", "int32", "0+"), f("host", "string", "0+"), f("port", "int32", "0+"), f("rack", "string", "1+", { nullable: "1+", default: null })]), "0+"),
    f("clusterId", "string", "2+", { nullable: "2+", default: null }),
    f("controllerId", "int32", "1+", { default: -1 }),
    f(
      "topics",
      arrayOf([
        f("errorCode", "int16", "0+"),
        f("name", "string", "0+", { nullable: "12+" }),
        f("topicId", "uuid", "10+"),
        f("isInternal", "bool", "1+"),
        f(
          "partitions",
          arrayOf([
            f("errorCode", "int16", "0+"),
            f("partitionIndex", "int32", "0+"),
            f("leaderId", "int32", "0+"),
            f("leaderEpoch", "int32", "7+", { default: -1 }),
            f("replicaNodes", arrayOf("int32"), "0+"),
            f("isrNodes", arrayOf("int32"), "0+"),
            f("offlineReplicas", arrayOf("int32"), "5+"),
          ]),
          "0+",
        ),
        f("topicAuthorizedOperations", "int32", "8+", { default: -2147483648 }),
      ]),
      "0+",
    ),
    f("clusterAuthorizedOperations", "int32", "8-10", { default: -2147483648 }),
  ],
};

export const OFFSET_COMMIT: ApiSchema = {
  key: ApiKey.OffsetCommit,
  name: "OffsetCommit",
  min: 2,
  max: 8,
  flexibleFrom: 8,
  request: [
    f("groupId", "string", "0+"),
    f("generationIdOrMemberEpoch", "int32", "1+", { default: -1 }),
    f("memberId", "string", "1+"),
    f("groupInstanceId", "string", "7+", { nullable: "7+", default: null }),
    f("retentionTimeMs", "int64", "2-4", { default: -1 }),
    f(
      "topics",
      arrayOf([
        f("name", "string", "0+"),
        f(
          "partitions",
          arrayOf([
            f("partitionIndex", "int32", "0+"),
            f("committedOffset", "int64", "0+"),
            f("committedLeaderEpoch", "int32", "6+", { default: -1 }),
            f("commitTimestamp", "int64", "1", { default: -1 }),
            f("committedMetadata", "string", "0+", { nullable: "0+" }),
          ]),
          "0+",
        ),
      ]),
      "0+",
    ),
  ],
  response: [
    throttle("3+"),
    f("topics", arrayOf([f("name", "string", "0+"), f("partitions", arrayOf([f("partitionIndex", "int32", "0+"), f("errorCode", "int16", "0+")]), "0+")]), "0+"),
  ],
};

const offsetFetchPartition = (spec: string, epoch: string) => [
  f("partitionIndex", "int32", spec),
  f("committedOffset", "int64", spec),
  f("committedLeaderEpoch", "int32", epoch, { default: -1 }),
  f("metadata", "string", spec, { nullable: spec }),
  f("errorCode", "int16", spec),
];

export const OFFSET_FETCH: ApiSchema = {
  key: ApiKey.OffsetFetch,
  name: "OffsetFetch",
  min: 1,
  max: 8,
  flexibleFrom: 6,
  request: [
    f("groupId", "string", "0-7"),
    f("topics", arrayOf([f("name", "string", "0-7"), f("partitionIndexes", arrayOf("int32"), "0-7")]), "0-7", { nullable: "2-7" }),
    f(
      "groups",
      arrayOf([
        f("groupId", "string", "8+"),
        f("memberId", "string", "9+", { nullable: "9+", default: null }),
        f("memberEpoch", "int32", "9+", { default: -1 }),
        f("topics", arrayOf([f("name", "string", "8+"), f("partitionIndexes", arrayOf("int32"), "8+")]), "8+", { nullable: "8+" }),
      ]),
      "8+",
    ),
    f("requireStable", "bool", "7+"),
  ],
  response: [
    throttle("3+"),
    f("topics", arrayOf([f("name", "string", "0-7"), f("partitions", arrayOf(offsetFetchPartition("0-7", "5-7")), "0-7")]), "0-7"),
    f("errorCode", "int16", "2-7"),
    f(
      "groups",
      arrayOf([
        f("groupId", "string", "8+"),
        f("topics", arrayOf([f("name", "string", "8+"), f("partitions", arrayOf(offsetFetchPartition("8+", "8+")), "8+")]), "8+"),
        f("errorCode", "int16", "8+"),
      ]),
      "8+",
    ),
  ],
};

export const FIND_COORDINATOR: ApiSchema = {
  key: ApiKey.FindCoordinator,
  name: "FindCoordinator",
  min: 0,
  max: 4,
  flexibleFrom: 3,
  request: [f("key", "string", "0-3"), f("keyType", "int8", "1+"), f("coordinatorKeys", arrayOf("string"), "4+")],
  response: [
    throttle("1+"),
    f("errorCode", "int16", "0-3"),
    f("errorMessage", "string", "1-3", { nullable: "1-3", default: null }),
    f("nodeId", "int32", "0-3"),
    f("host", "string", "0-3"),
    f("port", "int32", "0-3"),
    f(
      "coordinators",
      arrayOf([
        f("key", "string", "4+"),
        f("nodeId", "int32", "4+"),
        f("host", "string", "4+"),
        f("port", "int32", "4+"),
        f("errorCode", "int16", "4+"),
        f("errorMessage", "string", "4+", { nullable: "4+", default: null }),
      ]),
      "4+",
    ),
  ],
};

export const JOIN_GROUP: ApiSchema = {
  key: ApiKey.JoinGroup,
  name: "JoinGroup",
  min: 0,
  max: 9,
  flexibleFrom: 6,
  request: [
    f("groupId", "string", "0+"),
    f("sessionTimeoutMs", "int32", "0+"),
    f("rebalanceTimeoutMs", "int32", "1+", { default: -1 }),
    f("memberId", "string", "0+"),
    f("groupInstanceId", "string", "5+", { nullable: "5+", default: null }),
    f("protocolType", "string", "0+"),
    f("protocols", arrayOf([f("name", "string", "0+"), f("metadata", "bytes", "0+")]), "0+"),
    f("reason", "string", "8+", { nullable: "8+", default: null }),
  ],
  response: [
    throttle("2+"),
    f("errorCode", "int16", "0+"),
    f("generationId", "int32", "0+", { default: -1 }),
    f("protocolType", "string", "7+", { nullable: "7+", default: null }),
    f("protocolName", "string", "0+", { nullable: "7+" }),
    f("leader", "string", "0+"),
    f("skipAssignment", "bool", "9+"),
    f("memberId", "string", "0+"),
    f("members", arrayOf([f("memberId", "string", "0+"), f("groupInstanceId", "string", "5+", { nullable: "5+", default: null }), f("metadata", "bytes", "0+")]), "0+"),
  ],
};

export const HEARTBEAT: ApiSchema = {
  key: ApiKey.Heartbeat,
  name: "Heartbeat",
  min: 0,
  max: 4,
  flexibleFrom: 4,
  request: [
    f("groupId", "string", "0+"),
    f("generationId", "int32", "0+"),
    f("memberId", "string", "0+"),
    f("groupInstanceId", "string", "3+", { nullable: "3+", default: null }),
  ],
  response: [throttle("1+"), f("errorCode", "int16", "0+")],
};

export const LEAVE_GROUP: ApiSchema = {
  key: ApiKey.LeaveGroup,
  name: "LeaveGroup",
  min: 0,
  max: 5,
  flexibleFrom: 4,
  request: [
    f("groupId", "string", "0+"),
    f("memberId", "string", "0-2"),
    f(
      "members",
      arrayOf([f("memberId", "string", "3+"), f("groupInstanceId", "string", "3+", { nullable: "3+", default: null }), f("reason", "string", "5+", { nullable: "5+", default: null })]),
      "3+",
    ),
  ],
  response: [
    throttle("1+"),
    f("errorCode", "int16", "0+"),
    f("members", arrayOf([f("memberId", "string", "3+"), f("groupInstanceId", "string", "3+", { nullable: "3+", default: null }), f("errorCode", "int16", "3+")]), "3+"),
  ],
};

export const SYNC_GROUP: ApiSchema = {
  key: ApiKey.SyncGroup,
  name: "SyncGroup",
  min: 0,
  max: 5,
  flexibleFrom: 4,
  request: [
    f("groupId", "string", "0+"),
    f("generationId", "int32", "0+"),
    f("memberId", "string", "0+"),
    f("groupInstanceId", "string", "3+", { nullable: "3+", default: null }),
    f("protocolType", "string", "5+", { nullable: "5+", default: null }),
    f("protocolName", "string", "5+", { nullable: "5+", default: null }),
    f("assignments", arrayOf([f("memberId", "string", "0+"), f("assignment", "bytes", "0+")]), "0+"),
  ],
  response: [
    throttle("1+"),
    f("errorCode", "int16", "0+"),
    f("protocolType", "string", "5+", { nullable: "5+", default: null }),
    f("protocolName", "string", "5+", { nullable: "5+", default: null }),
    f("assignment", "bytes", "0+"),
  ],
};

export const DESCRIBE_GROUPS: ApiSchema = {
  key: ApiKey.DescribeGroups,
  name: "DescribeGroups",
  min: 0,
  max: 5,
  flexibleFrom: 5,
  request: [f("groups", arrayOf("string"), "0+"), f("includeAuthorizedOperations", "bool", "3+")],
  response: [
    throttle("1+"),
    f(
      "groups",
      arrayOf([
        f("errorCode", "int16", "0+"),
        f("groupId", "string", "0+"),
        f("groupState", "string", "0+"),
        f("protocolType", "string", "0+"),
        f("protocolData", "string", "0+"),
        f(
          "members",
          arrayOf([
            f("memberId", "string", "0+"),
            f("groupInstanceId", "string", "4+", { nullable: "4+", default: null }),
            f("clientId", "string", "0+"),
            f("clientHost", "string", "0+"),
            f("memberMetadata", "bytes", "0+"),
            f("memberAssignment", "bytes", "0+"),
          ]),
          "0+",
        ),
        f("authorizedOperations", "int32", "3+", { default: -2147483648 }),
      ]),
      "0+",
    ),
  ],
};

export const LIST_GROUPS: ApiSchema = {
  key: ApiKey.ListGroups,
  name: "ListGroups",
  min: 0,
  max: 4,
  flexibleFrom: 3,
  request: [f("statesFilter", arrayOf("string"), "4+"), f("typesFilter", arrayOf("string"), "5+")],
  response: [
    throttle("1+"),
    f("errorCode", "int16", "0+"),
    f("groups", arrayOf([f("groupId", "string", "0+"), f("protocolType", "string", "0+"), f("groupState", "string", "4+"), f("groupType", "string", "5+")]), "0+"),
  ],
};

export const API_VERSIONS: ApiSchema = {
  key: ApiKey.ApiVersions,
  name: "ApiVersions",
  min: 0,
  max: 3,
  flexibleFrom: 3,
  request: [f("clientSoftwareName", "string", "3+"), f("clientSoftwareVersion", "string", "3+")],
  response: [
    f("errorCode", "int16", "0+"),
    f("apiKeys", arrayOf([f("apiKey", "int16", "0+"), f("minVersion", "int16", "0+"), f("maxVersion", "int16", "0+")]), "0+"),
    throttle("1+"),
    f("supportedFeatures", arrayOf([f("name", "string", "3+"), f("minVersion", "int16", "3+"), f("maxVersion", "int16", "3+")]), "3+", { tag: 0 }),
    f("finalizedFeaturesEpoch", "int64", "3+", { tag: 1, default: -1 }),
    f("finalizedFeatures", arrayOf([f("name", "string", "3+"), f("maxVersionLevel", "int16", "3+"), f("minVersionLevel", "int16", "3+")]), "3+", { tag: 2 }),
    f("zkMigrationReady", "bool", "3+", { tag: 3 }),
  ],
};

export const CREATE_TOPICS: ApiSchema = {
  key: ApiKey.CreateTopics,
  name: "CreateTopics",
  min: 0,
  max: 7,
  flexibleFrom: 5,
  request: [
    f(
      "topics",
      arrayOf([
        f("name", "string", "0+"),
        f("numPartitions", "int32", "0+"),
        f("replicationFactor", "int16", "0+"),
        f("assignments", arrayOf([f("partitionIndex", "int32", "0+"), f("brokerIds", arrayOf("int32"), "0+")]), "0+"),
        f("configs", arrayOf([f("name", "string", "0+"), f("value", "string", "0+", { nullable: "0+" })]), "0+"),
      ]),
      "0+",
    ),
    f("timeoutMs", "int32", "0+", { default: 60000 }),
    f("validateOnly", "bool", "1+"),
  ],
  response: [
    throttle("2+"),
    f(
      "topics",
      arrayOf([
        f("name", "string", "0+"),
        f("topicId", "uuid", "7+"),
        f("errorCode", "int16", "0+"),
        f("errorMessage", "string", "1+", { nullable: "0+", default: null }),
        f("topicConfigErrorCode", "int16", "5+", { tag: 0 }),
        f("numPartitions", "int32", "5+", { default: -1 }),
        f("replicationFactor", "int16", "5+", { default: -1 }),
        f(
          "configs",
          arrayOf([
            f("name", "string", "5+"),
            f("value", "string", "5+", { nullable: "5+" }),
            f("readOnly", "bool", "5+"),
            f("configSource", "int8", "5+", { default: -1 }),
            f("isSensitive", "bool", "5+"),
          ]),
          "5+",
          { nullable: "5+" },
        ),
      ]),
      "0+",
    ),
  ],
};

export const DELETE_TOPICS: ApiSchema = {
  key: ApiKey.DeleteTopics,
  name: "DeleteTopics",
  min: 0,
  max: 6,
  flexibleFrom: 4,
  request: [
    f("topics", arrayOf([f("name", "string", "6+", { nullable: "6+", default: null }), f("topicId", "uuid", "6+")]), "6+"),
    f("topicNames", arrayOf("string"), "0-5"),
    f("timeoutMs", "int32", "0+"),
  ],
  response: [
    throttle("1+"),
    f(
      "responses",
      arrayOf([
        f("name", "string", "0+", { nullable: "6+" }),
        f("topicId", "uuid", "6+"),
        f("errorCode", "int16", "0+"),
        f("errorMessage", "string", "5+", { nullable: "5+", default: null }),
      ]),
      "0+",
    ),
  ],
};

export const INIT_PRODUCER_ID: ApiSchema = {
  key: ApiKey.InitProducerId,
  name: "InitProducerId",
  min: 0,
  max: 4,
  flexibleFrom: 2,
  request: [
    f("transactionalId", "string", "0+", { nullable: "0+" }),
    f("transactionTimeoutMs", "int32", "0+"),
    f("producerId", "int64", "3+", { default: -1 }),
    f("producerEpoch", "int16", "3+", { default: -1 }),
  ],
  response: [throttle("0+"), f("errorCode", "int16", "0+"), f("producerId", "int64", "0+", { default: -1 }), f("producerEpoch", "int16", "0+")],
};

export const DESCRIBE_CONFIGS: ApiSchema = {
  key: ApiKey.DescribeConfigs,
  name: "DescribeConfigs",
  min: 0,
  max: 4,
  flexibleFrom: 4,
  request: [
    f(
      "resources",
      arrayOf([f("resourceType", "int8", "0+"), f("resourceName", "string", "0+"), f("configurationKeys", arrayOf("string"), "0+", { nullable: "0+" })]),
      "0+",
    ),
    f("includeSynonyms", "bool", "1+"),
    f("includeDocumentation", "bool", "3+"),
  ],
  response: [
    throttle("0+"),
    f(
      "results",
      arrayOf([
        f("errorCode", "int16", "0+"),
        f("errorMessage", "string", "0+", { nullable: "0+", default: null }),
        f("resourceType", "int8", "0+"),
        f("resourceName", "string", "0+"),
        f(
          "configs",
          arrayOf([
            f("name", "string", "0+"),
            f("value", "string", "0+", { nullable: "0+" }),
            f("readOnly", "bool", "0+"),
            f("isDefault", "bool", "0"),
            f("configSource", "int8", "1+", { default: -1 }),
            f("isSensitive", "bool", "0+"),
            f("synonyms", arrayOf([f("name", "string", "1+"), f("value", "string", "1+", { nullable: "0+" }), f("source", "int8", "1+")]), "1+"),
            f("configType", "int8", "3+"),
            f("documentation", "string", "3+", { nullable: "0+", default: null }),
          ]),
          "0+",
        ),
      ]),
      "0+",
    ),
  ],
};

export const DELETE_GROUPS: ApiSchema = {
  key: ApiKey.DeleteGroups,
  name: "DeleteGroups",
  min: 0,
  max: 2,
  flexibleFrom: 2,
  request: [f("groupsNames", arrayOf("string"), "0+")],
  response: [throttle("0+"), f("results", arrayOf([f("groupId", "string", "0+"), f("errorCode", "int16", "0+")]), "0+")],
};

/** Every API this broker serves, by key, in ApiVersions order. */
export const APIS: readonly ApiSchema[] = [
  PRODUCE,
  FETCH,
  LIST_OFFSETS,
  METADATA,
  OFFSET_COMMIT,
  OFFSET_FETCH,
  FIND_COORDINATOR,
  JOIN_GROUP,
  HEARTBEAT,
  LEAVE_GROUP,
  SYNC_GROUP,
  DESCRIBE_GROUPS,
  LIST_GROUPS,
  API_VERSIONS,
  CREATE_TOPICS,
  DELETE_TOPICS,
  INIT_PRODUCER_ID,
  DESCRIBE_CONFIGS,
  DELETE_GROUPS,
];

export const API_BY_KEY: ReadonlyMap<number, ApiSchema> = new Map(APIS.map((a) => [a.key, a]));

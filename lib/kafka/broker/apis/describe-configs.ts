/**
 * DescribeConfigs (API key 32), versions 0-4: the configs of a topic (those this broker knows, set
 * ones as topic configs, the rest as defaults) and of the broker (none are reported). Other resource
 * types get INVALID_REQUEST.
 */
import { ErrorCode } from "../protocol/error-codes";
import { Message } from "../protocol/schema";
import { Handler } from "./context";

const TOPIC = 2;
const BROKER = 4;
/** ConfigSource values (v1+). */
const DYNAMIC_TOPIC_CONFIG = 1;
const DEFAULT_CONFIG = 5;

export const handleDescribeConfigs: Handler = (ctx, req) => {
  const store = ctx.broker.store;
  const results = (req.resources as Message[]).map((res) => {
    const base = { errorCode: ErrorCode.NONE, errorMessage: null, resourceType: res.resourceType, resourceName: res.resourceName, configs: [] as Message[] };
    if (res.resourceType === BROKER) return base;
    if (res.resourceType !== TOPIC) return { ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `resource type ${res.resourceType} is not described by this broker` };
    const topic = store.topic(res.resourceName);
    if (!topic) return { ...base, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `unknown topic ${res.resourceName}` };
    const keys = res.configurationKeys as string[] | null;
    const defaults = store.defaultTopicConfigs();
    const configs = Object.keys(defaults)
      .filter((name) => keys === null || keys.includes(name))
      .map((name) => {
        const set = topic.configs[name] !== undefined;
        const value = set ? topic.configs[name] : defaults[name];
        const source = set ? DYNAMIC_TOPIC_CONFIG : DEFAULT_CONFIG;
        return {
          name,
          value,
          readOnly: false,
          isDefault: !set,
          configSource: source,
          isSensitive: false,
          synonyms: req.includeSynonyms ? [{ name, value, source }] : [],
          configType: 0,
          documentation: null,
        };
      });
    return { ...base, configs };
  });
  return { throttleTimeMs: 0, results };
};

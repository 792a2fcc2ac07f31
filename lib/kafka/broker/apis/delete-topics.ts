/** DeleteTopics (API key 20), versions 0-6 (v6 names topics by name or by id). */
import { ErrorCode } from "../protocol/error-codes";
import { Message } from "../protocol/schema";
import { Handler } from "./context";
import { topicId, topicName } from "./topic-id";

const ZERO_ID = "0".repeat(32);

export const handleDeleteTopics: Handler = (ctx, req) => {
  const b = ctx.broker;
  const wanted: { name: string | null; id: string }[] =
    ctx.apiVersion >= 6 ? (req.topics as Message[]).map((t) => ({ name: t.name, id: t.topicId })) : (req.topicNames as string[]).map((name) => ({ name, id: ZERO_ID }));
  const responses = wanted.map((t) => {
    const name = t.name ?? topicName(t.id, () => b.store.topicNames());
    if (name === null) return { name: null, topicId: t.id, errorCode: ErrorCode.UNKNOWN_TOPIC_ID, errorMessage: `no topic has id ${t.id}` };
    const errorCode = b.deleteTopic(name);
    return { name, topicId: topicId(name), errorCode, errorMessage: errorCode === ErrorCode.NONE ? null : `topic ${name}: error ${errorCode}` };
  });
  return { throttleTimeMs: 0, responses };
};

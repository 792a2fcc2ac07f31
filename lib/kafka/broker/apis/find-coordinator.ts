/** FindCoordinator (API key 10), versions 0-4 (v4 asks for several keys at once). Always this broker. */
import { ErrorCode } from "../protocol/error-codes";
import { Handler } from "./context";

export const handleFindCoordinator: Handler = (ctx, req) => {
  const b = ctx.broker;
  const coordinators = (req.coordinatorKeys as string[]).map((key) => ({ key, nodeId: b.nodeId, host: b.host, port: b.port, errorCode: ErrorCode.NONE, errorMessage: null }));
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, nodeId: b.nodeId, host: b.host, port: b.port, coordinators };
};

/**
 * One client connection: splits the byte stream into size-prefixed requests (a request may span
 * TCP chunks, a chunk may hold many), runs them one at a time and writes responses in request
 * order. A frame that does not decode, a declared size beyond the limit, or an API/version this
 * broker does not advertise closes the connection (as Kafka does); other connections go on.
 */
import * as net from "node:net";
import { ProtocolError, Reader, Writer } from "./protocol/codec";
import { ApiKey, isFlexible, isSupported } from "./protocol/versions";
import { API_BY_KEY, API_VERSIONS } from "./protocol/messages";
import { decodeRequest, encodeResponse } from "./protocol/schema";
import { ErrorCode } from "./protocol/error-codes";
import { BrokerState, Handler, RequestContext } from "./apis/context";
import { apiVersionsResponse, handleApiVersions } from "./apis/api-versions";
import { handleFetch } from "./apis/fetch";
import { handleListOffsets } from "./apis/list-offsets";
import { handleDescribeGroups } from "./apis/describe-groups";
import { handleHeartbeat } from "./apis/heartbeat";
import { handleJoinGroup } from "./apis/join-group";
import { handleLeaveGroup } from "./apis/leave-group";
import { handleListGroups } from "./apis/list-groups";
import { handleOffsetCommit } from "./apis/offset-commit";
import { handleOffsetFetch } from "./apis/offset-fetch";
import { handleSyncGroup } from "./apis/sync-group";
import { handleFindCoordinator } from "./apis/find-coordinator";
import { handleMetadata } from "./apis/metadata";
import { handleInitProducerId } from "./apis/init-producer-id";
import { handleProduce } from "./apis/produce";
import { handleCreateTopics } from "./apis/create-topics";
import { handleDeleteTopics } from "./apis/delete-topics";
import { handleDeleteGroups } from "./apis/delete-groups";
import { handleDescribeConfigs } from "./apis/describe-configs";

const HANDLERS: Record<number, Handler> = {
  [ApiKey.Produce]: handleProduce,
  [ApiKey.Fetch]: handleFetch,
  [ApiKey.ListOffsets]: handleListOffsets,
  [ApiKey.Metadata]: handleMetadata,
  [ApiKey.OffsetCommit]: handleOffsetCommit,
  [ApiKey.OffsetFetch]: handleOffsetFetch,
  [ApiKey.FindCoordinator]: handleFindCoordinator,
  [ApiKey.JoinGroup]: handleJoinGroup,
  [ApiKey.Heartbeat]: handleHeartbeat,
  [ApiKey.LeaveGroup]: handleLeaveGroup,
  [ApiKey.SyncGroup]: handleSyncGroup,
  [ApiKey.DescribeGroups]: handleDescribeGroups,
  [ApiKey.ListGroups]: handleListGroups,
  [ApiKey.ApiVersions]: handleApiVersions,
  [ApiKey.CreateTopics]: handleCreateTopics,
  [ApiKey.DeleteTopics]: handleDeleteTopics,
  [ApiKey.InitProducerId]: handleInitProducerId,
  [ApiKey.DescribeConfigs]: handleDescribeConfigs,
  [ApiKey.DeleteGroups]: handleDeleteGroups,
};

/** Smallest possible request: api key, version, correlation id, client id length. */
const MIN_REQUEST = 10;
/** Stop reading from a client with this many requests queued (pipelining producers). */
const MAX_QUEUED = 64;
/** Wait for the socket to drain past this many unsent response bytes. */
const HIGH_WATER = 8 * 1024 * 1024;

export interface ConnectionOptions {
  maxRequestBytes: number;
  onError: (err: unknown) => void;
}

export class Connection {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private queue: Buffer[] = [];
  private running = false;
  private readonly abort = new AbortController();
  private closed = false;

  constructor(readonly socket: net.Socket, private readonly broker: BrokerState, private readonly options: ConnectionOptions) {
    socket.setNoDelay(true);
    socket.on("data", (chunk) => this.onData(chunk));
    socket.on("error", () => this.close());
    socket.on("close", () => this.close());
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort();
    this.queue = [];
    this.chunks = [];
    this.socket.destroy();
  }

  private take(n: number): Buffer {
    let out: Buffer;
    const first = this.chunks[0];
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
    } else {
      out = Buffer.allocUnsafe(n);
      let done = 0;
      while (done < n) {
        const c = this.chunks[0];
        const k = Math.min(c.length, n - done);
        c.copy(out, done, 0, k);
        done += k;
        if (k === c.length) this.chunks.shift();
        else this.chunks[0] = c.subarray(k);
      }
    }
    this.buffered -= n;
    return out;
  }

  private peekSize(): number {
    const first = this.chunks[0];
    if (first.length >= 4) return first.readInt32BE(0);
    return Buffer.concat(this.chunks).readInt32BE(0);
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    while (this.buffered >= 4) {
      const size = this.peekSize();
      if (size < MIN_REQUEST || size > this.options.maxRequestBytes) {
        this.close(); // garbage or a declared size we will not buffer
        return;
      }
      if (this.buffered < 4 + size) break;
      this.take(4);
      this.queue.push(this.take(size));
    }
    if (this.queue.length >= MAX_QUEUED) this.socket.pause();
    if (!this.running) void this.run();
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (this.queue.length > 0 && !this.closed) {
        const frame = this.queue.shift() as Buffer;
        if (this.queue.length < MAX_QUEUED / 2 && this.socket.isPaused()) this.socket.resume();
        await this.handle(frame);
        if (this.socket.writableLength > HIGH_WATER && !this.closed) {
          await new Promise<void>((resolve) => {
            const done = () => {
              this.socket.off("drain", done);
              this.socket.off("close", done);
              resolve();
            };
            this.socket.on("drain", done);
            this.socket.on("close", done);
          });
        }
      }
    } finally {
      this.running = false;
    }
  }

  private async handle(frame: Buffer): Promise<void> {
    const r = new Reader(frame);
    let correlationId = 0;
    try {
      const apiKey = r.int16();
      const apiVersion = r.int16();
      correlationId = r.int32();
      const clientId = r.nullableString();
      if (apiKey === ApiKey.ApiVersions && !isSupported(apiKey, apiVersion)) {
        // Never fail ApiVersions: answer in v0 layout with UNSUPPORTED_VERSION and our ranges.
        this.send(correlationId, false, encodeResponse(API_VERSIONS, 0, apiVersionsResponse(ErrorCode.UNSUPPORTED_VERSION)).toBuffers());
        return;
      }
      if (!isSupported(apiKey, apiVersion)) {
        this.close();
        return;
      }
      const flexible = isFlexible(apiKey, apiVersion);
      if (flexible) r.taggedFields(); // request header v2
      const api = API_BY_KEY.get(apiKey)!;
      const request = decodeRequest(api, apiVersion, r);
      const ctx: RequestContext = { apiKey, apiVersion, correlationId, clientId, clientHost: this.socket.remoteAddress ?? "", broker: this.broker, signal: this.abort.signal };
      const response = await HANDLERS[apiKey](ctx, request);
      if (response === null || this.closed) return;
      // Response header v1 (tagged fields) in flexible versions, except ApiVersions (always v0).
      const body = encodeResponse(api, apiVersion, response, new Writer(256));
      this.send(correlationId, flexible && apiKey !== ApiKey.ApiVersions, body.toBuffers());
    } catch (err) {
      if (!(err instanceof ProtocolError) && !(err instanceof RangeError)) this.options.onError(err);
      this.close();
    }
  }

  private send(correlationId: number, headerTags: boolean, body: Buffer[]): void {
    if (this.closed) return;
    const size = body.reduce((n, b) => n + b.length, 0);
    const header = Buffer.allocUnsafe(headerTags ? 9 : 8);
    header.writeInt32BE(size + header.length - 4, 0);
    header.writeInt32BE(correlationId, 4);
    if (headerTags) header[8] = 0; // no tagged fields
    this.socket.cork();
    this.socket.write(header);
    for (const b of body) this.socket.write(b);
    this.socket.uncork();
  }
}

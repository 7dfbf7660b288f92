import type { DocumentNode, FormattedExecutionResult } from 'graphql';
import type { OperationAnalysis, VariablesAnalysis } from '../analysis/operationAnalysis';
import type { AuthorizationPlan } from '../auth/authorizationPlan';
import type { Viewer } from '../auth/viewer';
import type { DatabaseWork } from '../db/databaseWork';
import type { IdempotencyClaim } from '../idempotency/idempotencyStore';
import type { CachePolicy } from '../caching/cacheHints';
import type { CachedResponse } from '../caching/responseCacheStore';
import type { ByPeriod, QuotaPeriod } from '../quota/quotaPeriods';
import type { QuotaSubject } from '../quota/quotas';

export type Transport = 'http' | 'websocket';

/** Who calls, with a bounded identity for usage counts (see clientIdentity). */
export interface ClientIdentity {
  name: string;
  version: string;
}

/** The response as the pipeline completes it: what goes out, for either transport. */
export type ResponseBody = {
  data?: Record<string, unknown> | null;
  errors?: FormattedExecutionResult['errors'];
  extensions?: Record<string, unknown>;
};

/**
 * Everything the policy pipeline knows about one operation, typed and owned by the request:
 * what was sent, what the analysis found, and what each policy decided. Policies read and
 * write it in their fixed order (see pipeline.ts); nothing is kept in module-level maps.
 */
export interface RequestState {
  readonly transport: Transport;
  readonly traceId: string;
  /** When the pipeline took the request (ms since the epoch), its body read and its client authenticated. */
  readonly receivedAt: number;
  /** When the request arrived (performance.now(), before its body was read): what its duration is measured from. */
  readonly startedAt: number;
  /** When the request must have been answered (ms since the epoch): REQUEST_TIMEOUT_MS after it arrived. */
  readonly deadline: number;
  readonly clientAddress: string;
  readonly client: ClientIdentity;
  /** The size of the GraphQL document sent (what refusing it is charged by). */
  readonly documentBytes: number;
  /** The request's Idempotency-Key (header or `extensions.idempotencyKey`), already checked for format. */
  readonly idempotencyKey: string | undefined;
  /** The SQL work the request causes, counted by its loaders and services. */
  readonly work: DatabaseWork;
  /** Verifies the request's credentials now: at once for HTTP (just verified), again for each WebSocket operation. */
  readonly verifyViewer: () => Promise<Viewer | null>;
  viewer: Viewer | null;

  /** Set once the operation is known (after parsing and validation). */
  operation?: {
    /** The query text as sent (what idempotency hashes). */
    source: string;
    operationName: string | undefined;
    /** The variables as sent. */
    variables: Record<string, unknown> | undefined;
    document: DocumentNode;
    analysis: OperationAnalysis;
    /** The analysis with these variables: coerced values, selected coordinates, cost. */
    request: VariablesAnalysis;
  };
  /** The document that executes: the sent one, narrowed by authorization. */
  executedDocument?: DocumentNode;
  authorization?: AuthorizationPlan;
  cost?: RequestCost;
  throttle?: Throttle;
  /** An API key's quota: its limits, the periods and the usage read before execution. */
  quota?: { subject: QuotaSubject; periods: ByPeriod<QuotaPeriod>; used: ByPeriod<number> };
  /** Deprecated coordinates the operation uses. */
  deprecations?: string[];
  /** The key this request holds (renewed until `stopKeepAlive`), or the stored response it replays. */
  idempotency?: { claim: IdempotencyClaim; stopKeepAlive: () => void } | { replay: StoredResponse };
  /**
   * The execution's own outcome, when the response was sent before the execution ended (its
   * deadline passed): what its idempotency key must record, not the 503 the client got.
   */
  lateOutcome?: Promise<ResponseBody>;
  /** What caches may do with the response, from the operation's selection (@cacheControl). */
  cachePolicy?: CachePolicy;
  /** What the response cache did: `hit` answers with `entry`, without executing; `stale` with it, after the database failed. */
  cache?: ResponseCacheState;
  /** The name of the policy that refused the request, if one did. */
  refusedBy?: string;
  /** Status and headers the response carries over HTTP (ignored over WebSocket). */
  readonly http: { status?: number; headers: Map<string, string> };
}

export type CacheStatus = 'hit' | 'miss' | 'stale' | 'bypass';

export interface ResponseCacheState {
  status: CacheStatus;
  /** The entry served (hit, stale), or on a miss the one still within its stale-if-error window. */
  entry?: CachedResponse;
  /** On a miss: where the response goes, and the generations of its tags when the request began. */
  key?: string;
  generations?: readonly number[];
}

export interface RequestCost {
  requestedQueryCost: number;
  actualQueryCost?: number;
  maximumQueryCost: number;
}

export interface Throttle {
  key: string;
  limits: { bucketSize: number; restoreRate: number };
  /** Points taken before execution. */
  points: number;
  available: number;
}

export interface StoredResponse {
  status: number;
  body: ResponseBody;
}

export function newRequestState(init: {
  transport: Transport;
  traceId: string;
  clientAddress: string;
  client: ClientIdentity;
  documentBytes: number;
  idempotencyKey: string | undefined;
  work: DatabaseWork;
  viewer: Viewer | null;
  verifyViewer: () => Promise<Viewer | null>;
  timeoutMs: number;
  /** performance.now() when the transport received the request; default: now. */
  startedAt?: number;
}): RequestState {
  const { timeoutMs, startedAt = performance.now(), ...fields } = init;
  const receivedAt = Date.now();
  return { ...fields, receivedAt, startedAt, deadline: receivedAt + timeoutMs, http: { headers: new Map() } };
}

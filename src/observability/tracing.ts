import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import {
  context,
  defaultTextMapGetter,
  isSpanContextValid,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
} from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

/**
 * The gateway's spans go through the OpenTelemetry API only: without an SDK (TRACING=off, the
 * default) every span is the API's no-op and costs an object; with one (startTracing) they are
 * recorded and exported. Spans: the request, parse, validate, the policy pipeline, execution,
 * each DataLoader batch and each SQL statement; attributes never hold variables or row values.
 */
export const tracer = trace.getTracer('orders-gateway');

const w3c = new W3CTraceContextPropagator();

/** A request's place in a trace: its span, the context its work runs in, and the ids it answers with. */
export interface RequestTrace {
  span: Span;
  context: Context;
  /** 32 hex digits: the X-Trace-Id header, every error's `traceId` and every log line's. */
  traceId: string;
  /** The W3C `traceparent` the response carries: this request's span in the caller's trace. */
  traceparent: string;
}

/**
 * Starts the span of a request, continuing the caller's trace when its `traceparent` is valid
 * (W3C Trace Context). Without a tracing SDK the ids are still real: the caller's trace id, or a
 * fresh one, so that the trace id a client gets back always names its request in the logs.
 */
export function startRequestTrace(name: string, headers: IncomingHttpHeaders, attributes: Attributes): RequestTrace {
  const parent = w3c.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
  const parentSpanContext = trace.getSpanContext(parent);
  const span = tracer.startSpan(name, { kind: SpanKind.SERVER, attributes }, parent);
  let { traceId, spanId, traceFlags } = span.spanContext();
  if (!isSpanContextValid(span.spanContext())) {
    // No SDK and no caller's trace: a trace of its own, not sampled by anyone.
    traceId = randomBytes(16).toString('hex');
    spanId = randomBytes(8).toString('hex');
    traceFlags = 0;
  } else if (!span.isRecording() && parentSpanContext && spanId === parentSpanContext.spanId) {
    // No SDK: the no-op span carries the caller's ids; this request is a span of its own.
    spanId = randomBytes(8).toString('hex');
  }
  return {
    span,
    context: trace.setSpan(parent, span),
    traceId,
    traceparent: `00-${traceId}-${spanId}-0${traceFlags & 1}`,
  };
}

/** Runs `work` in a child span of the active one, ending it (with the error, if any) when `work` settles. */
export async function inSpan<T>(name: string, attributes: Attributes, work: (span: Span) => Promise<T>, kind = SpanKind.INTERNAL): Promise<T> {
  return tracer.startActiveSpan(name, { kind, attributes }, async (span) => {
    try {
      return await work(span);
    } catch (error) {
      failSpan(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

export function failSpan(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : undefined });
}

/** The W3C headers that carry the active span to another service (or into a stored event). */
export function activeTraceHeaders(): Record<string, string> {
  const carrier: Record<string, string> = {};
  w3c.inject(context.active(), carrier, { set: (c, key, value) => (c[key] = value) });
  return carrier;
}

/** The span context a stored `traceparent` names, for a link from later work (an outbox publication) to the request that caused it. */
export function linkedContextOf(traceparent: string | null | undefined) {
  if (!traceparent) return undefined;
  const spanContext = trace.getSpanContext(w3c.extract(ROOT_CONTEXT, { traceparent }, defaultTextMapGetter));
  return spanContext && isSpanContextValid(spanContext) ? spanContext : undefined;
}

export { context as traceContext, SpanKind, SpanStatusCode, trace };

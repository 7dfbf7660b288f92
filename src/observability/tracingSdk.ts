import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, ParentBasedSampler, TraceIdRatioBasedSampler, type SpanProcessor } from '@opentelemetry/sdk-trace-base';

export interface TracingOptions {
  /** Where finished spans go: an OTLP exporter in production, an in-memory one in tests. */
  spanProcessor: SpanProcessor;
  serviceName: string;
  /** The share of traces started here that are recorded (0..1); a caller's sampling decision is kept. */
  sampleRatio: number;
}

export interface TracingHandle {
  /** Exports what is buffered, then unregisters the SDK (the API goes back to no-ops). */
  shutdown(): Promise<void>;
}

/**
 * Installs the OpenTelemetry SDK for the whole process: a tracer provider with the given span
 * processor, the AsyncLocalStorage context manager (which carries the active span across
 * awaits, into DataLoader batches and SQL statements) and the W3C Trace Context propagator.
 * Only called when tracing is configured (TRACING=otlp): the context manager's async hooks cost
 * CPU on every promise, which is why tracing is off by default (docs/operations.md).
 */
export function startTracing({ spanProcessor, serviceName, sampleRatio }: TracingOptions): TracingHandle {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(sampleRatio) }),
    spanProcessors: [spanProcessor],
  });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  trace.setGlobalTracerProvider(provider);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  return {
    async shutdown() {
      await provider.shutdown();
      trace.disable();
      context.disable();
      propagation.disable();
    },
  };
}

/** The OTLP/HTTP exporter behind a batching processor; endpoint and headers from the standard OTEL_EXPORTER_OTLP_* variables. */
export async function otlpSpanProcessor(): Promise<SpanProcessor> {
  const [{ OTLPTraceExporter }, { BatchSpanProcessor }] = await Promise.all([
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/sdk-trace-base'),
  ]);
  return new BatchSpanProcessor(new OTLPTraceExporter());
}

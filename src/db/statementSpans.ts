import { SpanKind, type Span } from '@opentelemetry/api';
import type pg from 'pg';
import { failSpan, tracer } from '../observability/tracing';

/** Marks a statement whose span its issuer made (the row reader, which knows its rows). */
export const TRACED = Symbol('statement traced by its issuer');

export function isTracedStatement(config: unknown): boolean {
  return typeof config === 'object' && config !== null && TRACED in config;
}

/** The longest statement text a span carries: enough to recognise it, never a value (they are parameters). */
const MAX_TEXT = 1_000;

/** A span for one SQL statement: its text (parameters as $n, never their values). */
export function startStatementSpan(text: string | undefined): Span {
  return tracer.startSpan('sql', {
    kind: SpanKind.CLIENT,
    attributes: { 'db.system.name': 'postgresql', 'db.query.text': text === undefined ? '' : text.slice(0, MAX_TEXT) },
  });
}

export function endStatementSpan(span: Span, error: Error | null, result?: Pick<pg.QueryResult, 'rowCount' | 'rows'>, rows?: number): void {
  if (error) failSpan(span, error);
  else span.setAttribute('db.response.returned_rows', rows ?? result?.rowCount ?? result?.rows?.length ?? 0);
  span.end();
}

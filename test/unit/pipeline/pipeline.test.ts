import pino from 'pino';
import { AnalysisCache } from '../../../src/analysis/analysisCache';
import { PolicyPipeline, type Policy } from '../../../src/pipeline/pipeline';
import { responseEnvelope } from '../../../src/pipeline/responseEnvelope';
import { newRequestState } from '../../../src/pipeline/requestState';
import { newDatabaseWork } from '../../../src/db/databaseWork';
import { GatewayError, QueryTooComplexError } from '../../../src/errors';
import { parse } from 'graphql';
import { requestStateFor, schema } from '../../helpers/requestStates';

const silent = pino({ level: 'silent' });
const freshState = () =>
  newRequestState({
    transport: 'websocket',
    traceId: 'trace-9',
    clientAddress: '10.0.0.2',
    client: { name: 'unknown', version: 'unknown' },
    documentBytes: 0,
    idempotencyKey: undefined,
    work: newDatabaseWork(),
    viewer: null,
    verifyViewer: async () => null,
    timeoutMs: 1_000,
  });
const sent = (query: string) => ({ source: query, document: parse(query), operationName: undefined, variables: undefined });

describe('policy pipeline', () => {
  it('runs every step in its order, before and after execution, one at a time', async () => {
    const log: string[] = [];
    const step = (name: string): Policy => ({
      name,
      prepare: async () => {
        log.push(`prepare ${name}`);
        await new Promise((resolve) => setTimeout(resolve, name === 'a' ? 20 : 0));
      },
      complete: () => void log.push(`complete ${name}`),
    });
    const pipeline = new PolicyPipeline(new AnalysisCache(schema), [step('a'), step('b'), step('c')], silent);
    const state = freshState();
    await pipeline.prepare(state, sent('{ products { totalCount } }'));
    await pipeline.complete(state, {});
    expect(log).toEqual(['prepare a', 'prepare b', 'prepare c', 'complete a', 'complete b', 'complete c']);
  });

  it('stops at the first refusal, names the step, and still completes the response', async () => {
    const ran: string[] = [];
    const refuse: Policy = {
      name: 'cost',
      prepare: () => {
        throw new QueryTooComplexError(10, 5);
      },
    };
    const after: Policy = { name: 'rateLimit', prepare: () => void ran.push('rateLimit'), complete: () => void ran.push('rateLimit complete') };
    const pipeline = new PolicyPipeline(new AnalysisCache(schema), [refuse, after], silent);
    const state = freshState();
    await expect(pipeline.prepare(state, sent('{ products { totalCount } }'))).rejects.toBeInstanceOf(GatewayError);
    expect(state.refusedBy).toBe('cost');
    await pipeline.complete(state, {});
    expect(ran).toEqual(['rateLimit complete']);
  });

  it('completes the response even when a step fails to', async () => {
    const broken: Policy = {
      name: 'broken',
      complete: () => {
        throw new Error('boom');
      },
    };
    const pipeline = new PolicyPipeline(new AnalysisCache(schema), [broken, responseEnvelope()], silent);
    const body = { errors: [{ message: 'x', extensions: { code: 'BAD_USER_INPUT' } }] };
    await pipeline.complete(freshState(), body);
    expect(body.errors[0]!.extensions).toEqual({ code: 'BAD_USER_INPUT', traceId: 'trace-9' });
  });

  it('analyses a document once across requests', async () => {
    const analyses = new AnalysisCache(schema);
    const pipeline = new PolicyPipeline(analyses, [], silent);
    const document = parse('{ products { totalCount } }');
    for (let i = 0; i < 3; i++) await pipeline.prepare(freshState(), { source: '', document, operationName: undefined, variables: undefined });
    expect(analyses.built).toBe(1);
  });
});

describe('response envelope', () => {
  it('answers 503 with Retry-After when the database was unavailable and nothing was answered', async () => {
    const state = requestStateFor('mutation { placeOrder(input: { items: [] }) { order { id } } }');
    const body = { data: { placeOrder: null }, errors: [{ message: 'busy', extensions: { code: 'SERVICE_UNAVAILABLE', retryAfterSeconds: 2 } }] };
    await responseEnvelope().complete!(state, body);
    expect(state.http.status).toBe(503);
    expect(state.http.headers.get('retry-after')).toBe('2');
  });

  it('keeps a partial answer a 200, with the coded error', async () => {
    const state = requestStateFor('{ products { totalCount } warehouses { code } }');
    const body = {
      data: { products: { totalCount: 1 }, warehouses: null },
      errors: [{ message: 'busy', path: ['warehouses'], extensions: { code: 'SERVICE_UNAVAILABLE' } }],
    };
    await responseEnvelope().complete!(state, body);
    expect(state.http.status).toBeUndefined();
  });
});

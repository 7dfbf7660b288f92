import { Kind, type OperationDefinitionNode } from 'graphql';
import { startLocalGateway } from '../server/startLocalGateway';
import { worstCaseVariables } from './checkOperations';
import type { OperationReport } from './checkOperations';
import { schemaFromSdl } from './schemaSources';
import { printSnapshot } from '../cli/schemaSnapshot';
import { buildSchema } from '../server/buildSchema';

export interface ExecutionReport {
  client: string;
  name: string;
  /** SQL statements at the small and the large page size (null: not run). */
  statements: { small: number; large: number } | null;
  growsWithPageSize: boolean;
  note: string;
}

const SMALL = 5;
const LARGE = 50;

/**
 * Runs each client query against the database of DATABASE_URL (seeded data) at two page
 * sizes, as an admin, and counts the SQL statements the driver sends: a count that grows with
 * the page size is an N+1 regression. Operations without first/last run once.
 */
export async function executeOperations(databaseUrl: string, operations: OperationReport[]): Promise<ExecutionReport[]> {
  const gateway = await startLocalGateway({
    databaseUrl,
    roles: ['admin'],
    subject: 'schema-check',
    env: { RATE_LIMIT: 'off', MAX_COST: '100000000', DATABASE_POOL_SIZE: '4' },
  });
  const { url, authorization, db } = gateway;
  const schema = schemaFromSdl(printSnapshot(buildSchema()));
  const run = async (query: string, variables: Record<string, unknown>) => {
    const before = db.stats.statements;
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as { errors?: Array<{ message: string }> };
    return { statements: db.stats.statements - before, errors: body.errors ?? [] };
  };
  const reports: ExecutionReport[] = [];
  try {
    for (const op of operations) {
      const base = { client: op.client, name: op.name };
      if (!op.document || op.kind !== 'query') {
        reports.push({ ...base, statements: null, growsWithPageSize: false, note: op.document ? `not run: a ${op.kind}` : 'not run: invalid' });
        continue;
      }
      const operation = op.document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
      const query = op.document.loc!.source.body;
      const paged = (operation.variableDefinitions ?? []).some((v) => ['first', 'last'].includes(v.variable.name.value));
      const variablesAt = (size: number) => ({ ...worstCaseVariables(schema, operation, size), ...op.sampleVariables });
      const small = await run(query, variablesAt(SMALL));
      const large = paged ? await run(query, variablesAt(LARGE)) : small;
      const errors = [...small.errors, ...large.errors].map((e) => e.message);
      reports.push({
        ...base,
        statements: { small: small.statements, large: large.statements },
        growsWithPageSize: large.statements > small.statements,
        note: errors.length ? `answered with errors: ${[...new Set(errors)].join('; ')}` : paged ? `first ${SMALL} and ${LARGE}` : 'run once (no page size)',
      });
    }
  } finally {
    await gateway.stop();
  }
  return reports;
}

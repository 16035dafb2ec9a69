import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { importPeopleCsv } from '../../people/csv-import.ts';
import type { Db } from '../../store/db.ts';
import { assertLocal } from './local-api.ts';

export interface LocalPeopleApiOptions {
  db: Db;
  consoleToken: string | undefined;
}

/** Room for a CSV of about 300,000 people at 200 bytes a row. */
const IMPORT_BODY_LIMIT_BYTES = 64 * 1024 * 1024;

/**
 * `POST /api/people/import`: the CSV import for a CLI that finds the embedded database held by this
 * server. The body is the CSV (text/csv); `dryRun=true` and `deactivateMissing=true` set the options.
 */
export async function localPeopleApiRoute(
  app: FastifyInstance,
  options: LocalPeopleApiOptions,
): Promise<void> {
  app.addHook('onRequest', async (request) => assertLocal(request, options.consoleToken));
  app.addContentTypeParser(
    'text/csv',
    { parseAs: 'string', bodyLimit: IMPORT_BODY_LIMIT_BYTES },
    (_request, body, done) => done(null, body),
  );

  app.post('/api/people/import', { bodyLimit: IMPORT_BODY_LIMIT_BYTES }, async (request) => {
    const query = request.query as { dryRun?: string; deactivateMissing?: string };
    const body = typeof request.body === 'string' ? request.body : '';
    return importPeopleCsv(options.db, Readable.from([body]), {
      dryRun: query.dryRun === 'true',
      deactivateMissing: query.deactivateMissing === 'true',
      source: 'the CSV file',
    });
  });
}

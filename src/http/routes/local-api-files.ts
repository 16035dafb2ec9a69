import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { FilesService } from '../../files/files-service.ts';
import { assertLocal } from './local-api.ts';
import { parseBody } from './privacy-api.ts';

export interface LocalFilesApiOptions {
  service: FilesService;
  consoleToken: string | undefined;
}

const identityBody = z.strictObject({
  hash: z.string().min(1),
  as: z.string().min(1),
  reason: z.string().min(1),
});

/** Room for a registry CSV of about 300,000 files at 200 bytes a row. */
const IMPORT_BODY_LIMIT_BYTES = 64 * 1024 * 1024;

/**
 * Serves the critical-file registry, file sightings and the file-event ingest under `/api/files`,
 * for a CLI that finds the embedded database held by this server. The same rule as the rest of the
 * local API applies: this machine only, or the console token.
 */
export async function localFilesApiRoute(
  app: FastifyInstance,
  options: LocalFilesApiOptions,
): Promise<void> {
  const { service } = options;
  app.addHook('onRequest', async (request) => assertLocal(request, options.consoleToken));
  app.addContentTypeParser(
    'text/csv',
    { parseAs: 'string', bodyLimit: IMPORT_BODY_LIMIT_BYTES },
    (_request, body, done) => done(null, body),
  );
  // File events are handed on as the request stream, so the ingest reads them as they arrive and
  // keeps one chunk in memory. No body limit applies to this stream.
  app.addContentTypeParser('application/x-ndjson', (_request, payload, done) =>
    done(null, payload),
  );

  app.get('/api/files', async () => service.list());

  app.post('/api/files', async (request) => service.add(request.body));

  app.post('/api/files/import', { bodyLimit: IMPORT_BODY_LIMIT_BYTES }, async (request) =>
    service.importCsv(typeof request.body === 'string' ? request.body : ''),
  );

  app.get('/api/files/sightings', async (request) => {
    const { hash } = request.query as { hash?: string };
    return service.where(hash ?? '');
  });

  app.post('/api/files/sightings/identity', async (request) => {
    const { hash, ...access } = parseBody(identityBody, request.body);
    return service.where(hash, access);
  });

  // NOTE: a unit's transaction stays open while its events arrive, so on PGlite, which runs one
  // transaction at a time, a slow sender holds up the server's other database work until the
  // unit ends.
  app.post('/api/files/events', async (request) => {
    const body = request.body;
    if (body instanceof Readable) return service.ingestEvents(body);
    return service.ingestEvents(typeof body === 'string' ? body : JSON.stringify(body ?? []));
  });
}

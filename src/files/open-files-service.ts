import { loadConfig } from '../config.ts';
import { bootstrap } from '../main.ts';
import { readDataDirLock } from '../store/data-dir-lock.ts';
import { createFileIngestDeps } from './file-ingest-deps.ts';
import { type FilesService, localFilesService, remoteFilesService } from './files-service.ts';

/**
 * Builds the files service of a CLI command: through a running server's local API when that
 * server has the embedded database open, on the database otherwise. Through the server, file events
 * are ingested with the server's rule file and configuration.
 */
export async function openFilesService(
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ service: FilesService; close(): Promise<void> }> {
  const config = loadConfig(env);
  if (config.env.DATABASE_URL === undefined) {
    const owner = readDataDirLock(config.env.CASEBRIDGE_DATA_DIR);
    if (owner?.serverUrl != null) {
      return {
        service: remoteFilesService({ url: owner.serverUrl, token: config.env.CONSOLE_TOKEN }),
        close: async () => {},
      };
    }
  }

  const deps = await bootstrap(env);
  const service = localFilesService({
    db: deps.store.db,
    fileIngest: () => createFileIngestDeps(deps),
  });
  return { service, close: () => deps.close() };
}

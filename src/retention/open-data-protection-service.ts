import { loadConfig } from '../config.ts';
import { dropFileEventPartitionsBefore } from '../files/file-event-partitions.ts';
import { bootstrap } from '../main.ts';
import { readDataDirLock } from '../store/data-dir-lock.ts';
import {
  type DataProtectionService,
  localDataProtectionService,
  remoteDataProtectionService,
} from './data-protection-service.ts';

/**
 * Builds the data protection service of a CLI command: through a running server's local API when
 * that server holds the embedded database, on the database otherwise.
 */
export async function openDataProtectionService(
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ service: DataProtectionService; close(): Promise<void> }> {
  const config = loadConfig(env);
  if (config.env.DATABASE_URL === undefined) {
    const owner = readDataDirLock(config.env.CASEBRIDGE_DATA_DIR);
    if (owner?.serverUrl != null) {
      return {
        service: remoteDataProtectionService(owner.serverUrl, config.env.CONSOLE_TOKEN),
        close: async () => {},
      };
    }
  }

  const deps = await bootstrap(env);
  const service = localDataProtectionService({
    db: deps.store.db,
    logger: deps.logger,
    config: deps.config.file,
    hooks: {
      dropFileEventPartitionsBefore: (before) =>
        dropFileEventPartitionsBefore(deps.store.db, before),
    },
  });
  return { service, close: () => deps.close() };
}

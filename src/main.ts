import { type CaseService, localCaseService, remoteCaseService } from './cases/case-service.ts';
import { type Config, loadConfig } from './config.ts';
import { createLogger, type Logger } from './log.ts';
import { syncDirectory } from './people/sync-directory.ts';
import { watchlistContextFrom } from './people/watchlists.ts';
import { readDataDirLock } from './store/data-dir-lock.ts';
import { openStore, type Store } from './store/db.ts';

export interface AppDeps {
  config: Config;
  logger: Logger;
  store: Store;
  close(): Promise<void>;
}

export interface BootstrapOptions {
  /** The configuration file to read when CASEBRIDGE_CONFIG is unset; `./casebridge.yaml` by default. */
  defaultConfigPath?: string;
}

/**
 * The composition root: reads the environment once, builds the logger and the store, applies
 * migrations and loads the configured directory. Nothing else reads `process.env`.
 */
export async function bootstrap(
  env: NodeJS.ProcessEnv = process.env,
  options: BootstrapOptions = {},
): Promise<AppDeps> {
  const config = loadConfig(env, process.cwd(), options.defaultConfigPath);
  const logger = createLogger({ level: config.env.LOG_LEVEL });
  const store = await openStore({
    databaseUrl: config.env.DATABASE_URL,
    dataDir: config.env.CASEBRIDGE_DATA_DIR,
  });

  try {
    await store.migrate();
    // Without a configuration file the database keeps the directory and roles it has, so that a
    // command run without CASEBRIDGE_CONFIG does not erase what the demo or a deployment loaded.
    if (config.configPath !== null) {
      const directory = await syncDirectory(store.db, config);
      logger.debug(
        { store: store.kind, config: config.configPath, ...directory },
        'directory loaded',
      );
    }
  } catch (error) {
    await store.close();
    throw error;
  }

  return {
    config,
    logger,
    store,
    close: () => store.close(),
  };
}

/**
 * Builds the case service of a CLI command. When a running server holds the embedded database,
 * the command goes through that server's local API instead of opening the database itself.
 */
export async function openCaseService(
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ service: CaseService; close(): Promise<void> }> {
  const config = loadConfig(env);
  if (config.env.DATABASE_URL === undefined) {
    const owner = readDataDirLock(config.env.CASEBRIDGE_DATA_DIR);
    if (owner?.serverUrl != null) {
      return {
        service: remoteCaseService(owner.serverUrl, config.env.CONSOLE_TOKEN),
        close: async () => {},
      };
    }
  }

  const deps = await bootstrap(env);
  const service = localCaseService({
    db: deps.store.db,
    logger: deps.logger,
    reopenWindowHours: deps.config.file.intake.reopenWindowHours,
    revealHours: deps.config.file.privacy.revealHours,
    watch: watchlistContextFrom(deps.config.file),
  });
  return { service, close: () => deps.close() };
}

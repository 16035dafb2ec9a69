import { type Config, loadConfig } from './config.ts';
import { createLogger, type Logger } from './log.ts';
import { openStore, type Store } from './store/db.ts';

export interface AppDeps {
  config: Config;
  logger: Logger;
  store: Store;
  close(): Promise<void>;
}

/**
 * The composition root: reads the environment once, then builds the logger and the store that
 * every command shares. Nothing else reads `process.env`.
 */
export async function bootstrap(
  env: NodeJS.ProcessEnv = process.env,
  options: { defaultConfigPath?: string } = {},
): Promise<AppDeps> {
  const config = loadConfig(env, process.cwd(), options.defaultConfigPath);
  const logger = createLogger({ level: config.env.LOG_LEVEL });
  const store = await openStore({
    databaseUrl: config.env.DATABASE_URL,
    dataDir: config.env.CASEBRIDGE_DATA_DIR,
  });
  logger.debug({ store: store.kind, config: config.configPath }, 'store opened');

  return {
    config,
    logger,
    store,
    async close() {
      await store.close();
    },
  };
}

import { App, type Authorize, SocketModeReceiver, webApi } from '@slack/bolt';
import type { Env } from '../../config.ts';
import { describeError } from '../../describe-error.ts';
import { CasebridgeError } from '../../errors.ts';
import { boltLogger } from './bolt-logger.ts';
import type { SlackListenerDeps } from './deps.ts';
import { registerAppHome } from './listeners/app-home.ts';
import { registerCaseButtons } from './listeners/case-button.ts';
import { registerCaseCommand } from './listeners/case-command.ts';
import { registerCaseForms } from './listeners/case-form.ts';
import { registerRevealListeners } from './listeners/reveal.ts';
import { SlackHttpReceiver } from './receiver.ts';
import { isPlatformError, SlackChatPort, slackClientOptions } from './slack-port.ts';

/** The bot user's ids, which Bolt needs to ignore the bot's own events. */
export interface BotIdentity {
  botId: string;
  botUserId: string;
}

export interface SlackAppDeps extends Omit<SlackListenerDeps, 'port'> {
  env: Partial<
    Pick<Env, 'SLACK_BOT_TOKEN' | 'SLACK_SIGNING_SECRET' | 'SLACK_APP_TOKEN' | 'SLACK_API_URL'>
  >;
  /** The port to use; one over a new Web API client is built when absent. */
  port?: SlackChatPort;
  /** Known bot ids; without them `auth.test` is called once, at `start()` or the first request. */
  botIdentity?: BotIdentity;
}

/** A configured Slack app: HTTP mode hands requests to `receiver`; Socket Mode connects at `start()`. */
export interface SlackApp {
  app: App;
  port: SlackChatPort;
  mode: 'http' | 'socket';
  /** The receiver that `POST /slack/events` dispatches to; null in Socket Mode. */
  receiver: SlackHttpReceiver | null;
  /** The signing secret requests to `POST /slack/events` are verified with; null in Socket Mode. */
  signingSecret: string | null;
  start(): Promise<void>;
  stop(): Promise<void>;
}

function missing(variable: string, purpose: string): CasebridgeError {
  return new CasebridgeError(
    'CONFIG_INVALID',
    `${variable} is not set; it is required ${purpose}. Copy it from the Slack app's settings (see docs/slack.md) into the environment.`,
  );
}

/**
 * Builds the Bolt app with Casebridge's listeners. With `SLACK_APP_TOKEN` it uses Socket Mode;
 * otherwise our HTTP server receives requests at `POST /slack/events` and dispatches them to the
 * returned receiver. Throws CONFIG_INVALID when a required variable is missing.
 */
export function createSlackApp(deps: SlackAppDeps): SlackApp {
  const { env, logger } = deps;
  const token = env.SLACK_BOT_TOKEN;
  if (token === undefined) throw missing('SLACK_BOT_TOKEN', 'to connect to Slack');
  const socketMode = env.SLACK_APP_TOKEN !== undefined;
  const signingSecret = env.SLACK_SIGNING_SECRET ?? null;
  if (!socketMode && signingSecret === null) {
    throw missing('SLACK_SIGNING_SECRET', 'to verify requests to POST /slack/events');
  }

  const clientOptions = slackClientOptions({ slackApiUrl: env.SLACK_API_URL, logger });
  const port = deps.port ?? new SlackChatPort(new webApi.WebClient(token, clientOptions));
  const identity = memoizedBotIdentity(port.client, deps.botIdentity);
  const receiver = socketMode
    ? new SocketModeReceiver({
        appToken: env.SLACK_APP_TOKEN!,
        logger: boltLogger(logger),
        installerOptions: { clientOptions },
      })
    : new SlackHttpReceiver(logger.child({ component: 'slack' }));

  const app = new App({
    receiver,
    socketMode,
    authorize: authorizeWith(token, identity),
    logger: boltLogger(logger),
    // A copy, because Bolt writes its logger into the options it is given.
    clientOptions: { ...clientOptions },
    convoStore: false,
  });
  app.error(async (error) => {
    logger.error({ err: describeError(error), platform: 'slack' }, 'slack listener failed');
  });

  const listenerDeps: SlackListenerDeps = { ...deps, port };
  registerCaseButtons(app, listenerDeps);
  registerCaseForms(app, listenerDeps);
  registerCaseCommand(app, listenerDeps);
  registerAppHome(app, listenerDeps);
  registerRevealListeners(app, listenerDeps);

  return {
    app,
    port,
    mode: socketMode ? 'socket' : 'http',
    receiver: receiver instanceof SlackHttpReceiver ? receiver : null,
    signingSecret: socketMode ? null : signingSecret,
    async start() {
      await checkToken(identity);
      if (socketMode) await app.start();
      logger.info({ platform: 'slack', mode: socketMode ? 'socket' : 'http' }, 'slack app started');
    },
    async stop() {
      if (socketMode) await app.stop();
    },
  };
}

type IdentityLoader = () => Promise<BotIdentity>;

/**
 * Returns a loader of the bot's ids that calls `auth.test` once and reuses its result, and after a
 * failed call tries again. Bolt 5.1's single-token authorization without the ids keeps a failed
 * result for good, or with `tokenVerificationEnabled: false` calls `auth.test` for every request.
 */
function memoizedBotIdentity(client: webApi.WebClient, known?: BotIdentity): IdentityLoader {
  let pending: Promise<BotIdentity> | undefined =
    known === undefined ? undefined : Promise.resolve(known);
  return () => {
    pending ??= client.auth.test().then(
      (result) => {
        if (result.bot_id === undefined || result.user_id === undefined) {
          throw new CasebridgeError(
            'CONFIG_INVALID',
            'Slack auth.test returned no bot_id or user_id, so SLACK_BOT_TOKEN is not a bot token. Use the Bot User OAuth Token (xoxb-…).',
          );
        }
        return { botId: result.bot_id, botUserId: result.user_id };
      },
      (error: unknown) => {
        pending = undefined;
        throw error;
      },
    );
    return pending;
  };
}

function authorizeWith(token: string, identity: IdentityLoader): Authorize<boolean> {
  return async () => ({ botToken: token, ...(await identity()) });
}

/** Fails the start when Slack rejects the token, naming the variable to fix. */
async function checkToken(identity: IdentityLoader): Promise<void> {
  try {
    await identity();
  } catch (error) {
    if (isPlatformError(error, 'invalid_auth') || isPlatformError(error, 'not_authed')) {
      throw new CasebridgeError(
        'CONFIG_INVALID',
        'Slack rejected SLACK_BOT_TOKEN (invalid_auth). Copy the Bot User OAuth Token (xoxb-…) from the Slack app settings again.',
        { cause: error },
      );
    }
    throw error;
  }
}

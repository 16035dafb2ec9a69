import { type Client, PUBLIC } from '@microsoft/teams.api';
import { App, type HttpRouteHandler, type IHttpServerAdapter } from '@microsoft/teams.apps';
import { and, eq, inArray } from 'drizzle-orm';
import type { Env } from '../../config.ts';
import { describeError } from '../../describe-error.ts';
import { CasebridgeError } from '../../errors.ts';
import { roleGrants } from '../../store/schema.ts';
import type { CaseView } from '../view-model.ts';
import { logBotAdded } from './bot-added.ts';
import { answerCardAction, type MemberLookup } from './card-action.ts';
import { maxRefreshUserIds } from './cards.ts';
import type { TeamsListenerDeps } from './deps.ts';
import { answerMessageCommand } from './message-command.ts';
import { teamsSdkLogger } from './sdk-logger.ts';
import { httpStatusOf, TeamsChatPort } from './teams-port.ts';

/** The path Teams posts activities to; the bot registration's messaging endpoint ends with it. */
export const messagingEndpoint = '/api/messages';

/** The Bot Framework service URL of the public cloud, used until an activity names the region's. */
export const defaultServiceUrl = 'https://smba.trafficmanager.net/teams/';

/** The Teams SDK's handler of a request from our HTTP server, which returns the status and body. */
export type TeamsRequestHandler = HttpRouteHandler;

/**
 * Hosts the SDK's messaging endpoint in our own HTTP server: the SDK registers its handler here
 * instead of starting Express, and `POST /api/messages` calls `handle`.
 */
export class TeamsHttpAdapter implements IHttpServerAdapter {
  private handler: HttpRouteHandler | null = null;

  registerRoute(method: 'POST', path: string, handler: HttpRouteHandler): void {
    if (method !== 'POST' || path !== messagingEndpoint) {
      throw new Error(
        `Teams SDK route ${method} ${path} is not hosted; only POST ${messagingEndpoint}`,
      );
    }
    this.handler = handler;
  }

  handle: HttpRouteHandler = async (request) => {
    if (this.handler === null) throw new Error('Teams app is not initialized');
    return this.handler(request);
  };
}

export interface TeamsAppDeps extends TeamsListenerDeps {
  env: Partial<
    Pick<
      Env,
      | 'HOST'
      | 'TEAMS_CLIENT_ID'
      | 'TEAMS_CLIENT_SECRET'
      | 'TEAMS_TENANT_ID'
      | 'TEAMS_ALLOW_UNAUTHENTICATED'
    >
  >;
  /** The service URL proactive messages go to; defaults to the public cloud's. */
  serviceUrl?: string;
  /** Conversations whose rosters are searched to resolve a user id; the routed channels. */
  rosterConversations?: readonly string[];
}

/** A configured Teams app, hosted at `POST /api/messages` of our HTTP server. */
export interface TeamsApp {
  app: App;
  port: TeamsChatPort;
  adapter: TeamsHttpAdapter;
  /** True when requests are accepted without a Bot Framework token (local development). */
  unauthenticated: boolean;
  /** Registers the SDK's route with the adapter; call it before the server receives requests. */
  start(): Promise<void>;
}

type Credentials = { clientId: string; clientSecret: string; tenantId: string };

/**
 * Reads the Teams credentials. All three of TEAMS_CLIENT_ID, TEAMS_CLIENT_SECRET and
 * TEAMS_TENANT_ID, or none with TEAMS_ALLOW_UNAUTHENTICATED=true while HOST is 127.0.0.1.
 * Throws CONFIG_INVALID otherwise.
 */
export function teamsCredentials(env: TeamsAppDeps['env']): Credentials | null {
  const given = {
    TEAMS_CLIENT_ID: env.TEAMS_CLIENT_ID,
    TEAMS_CLIENT_SECRET: env.TEAMS_CLIENT_SECRET,
    TEAMS_TENANT_ID: env.TEAMS_TENANT_ID,
  };
  const missing = Object.entries(given)
    .filter(([, value]) => value === undefined)
    .map(([name]) => name);
  const allowUnauthenticated = env.TEAMS_ALLOW_UNAUTHENTICATED !== undefined;

  if (missing.length === 0) {
    if (allowUnauthenticated) {
      throw new CasebridgeError(
        'CONFIG_INVALID',
        'TEAMS_ALLOW_UNAUTHENTICATED is set together with Teams credentials; unset it so that requests to POST /api/messages are authenticated.',
      );
    }
    return {
      clientId: given.TEAMS_CLIENT_ID!,
      clientSecret: given.TEAMS_CLIENT_SECRET!,
      tenantId: given.TEAMS_TENANT_ID!,
    };
  }
  if (missing.length < 3) {
    throw new CasebridgeError(
      'CONFIG_INVALID',
      `${missing.join(', ')} not set; Teams needs TEAMS_CLIENT_ID, TEAMS_CLIENT_SECRET and TEAMS_TENANT_ID from the bot's Entra app registration (see docs/teams.md).`,
    );
  }
  if (env.TEAMS_ALLOW_UNAUTHENTICATED !== 'true') {
    throw new CasebridgeError(
      'CONFIG_INVALID',
      'Teams credentials are not set; set TEAMS_CLIENT_ID, TEAMS_CLIENT_SECRET and TEAMS_TENANT_ID, or TEAMS_ALLOW_UNAUTHENTICATED=true for local development on 127.0.0.1.',
    );
  }
  if ((env.HOST ?? '127.0.0.1') !== '127.0.0.1') {
    throw new CasebridgeError(
      'CONFIG_INVALID',
      `TEAMS_ALLOW_UNAUTHENTICATED=true accepts unauthenticated requests, so it requires HOST=127.0.0.1, but HOST is ${env.HOST}.`,
    );
  }
  return null;
}

/** Looks a user up among the members of a conversation; a user not found there has no address. */
function memberLookupOf(api: Client): MemberLookup {
  return async (conversationId, userId) => {
    try {
      const member = await api.conversations.getMemberById(conversationId, userId);
      return member.email || member.userPrincipalName || null;
    } catch (error) {
      if (httpStatusOf(error) === 404) return null;
      throw error;
    }
  };
}

/**
 * Builds the Teams SDK app with the handlers of case cards, bot commands and conversation
 * updates. The app is hosted in our HTTP server through `TeamsHttpAdapter` and never listens
 * itself. Throws CONFIG_INVALID as `teamsCredentials` does.
 */
export function createTeamsApp(deps: TeamsAppDeps): TeamsApp {
  const credentials = teamsCredentials(deps.env);
  const adapter = new TeamsHttpAdapter();
  const serviceUrl = deps.serviceUrl ?? defaultServiceUrl;

  const app = new App({
    // Empty strings keep the SDK from reading CLIENT_ID, CLIENT_SECRET and TENANT_ID itself.
    clientId: credentials?.clientId ?? '',
    clientSecret: credentials?.clientSecret ?? '',
    tenantId: credentials?.tenantId ?? '',
    dangerouslyAllowUnauthenticatedRequests: credentials === null,
    httpServerAdapter: adapter,
    messagingEndpoint,
    serviceUrl,
    cloud: PUBLIC,
    logger: teamsSdkLogger(deps.logger),
  });

  app.on('card.action', async ({ activity, api }) =>
    answerCardAction(deps, activity, memberLookupOf(api)),
  );

  // Teams redelivers a message whose HTTP response takes longer than about 15 seconds. So the
  // response does not wait for the command, which sends its reply through the connector.
  app.on('message', async ({ activity, api, send }) => {
    answerMessageCommand(deps, activity, memberLookupOf(api), send).catch((error: unknown) => {
      deps.logger.error({ err: describeError(error), platform: 'teams' }, 'teams command failed');
    });
  });

  app.on('conversationUpdate', async ({ activity }) => {
    logBotAdded(deps.logger, activity);
  });

  const port = new TeamsChatPort({
    serviceUrl,
    http: app.api.http,
    tenantId: credentials?.tenantId ?? '',
    rosterConversations: deps.rosterConversations ?? [],
    refreshUsers: (channel, audience) => refreshUsers(channel, audience),
  });
  const refreshUsers = createRefreshUsers(deps, (channel) => port.channelRoster(channel));

  return {
    app,
    port,
    adapter,
    unauthenticated: credentials === null,
    start: () => app.initialize(),
  };
}

/** How long a channel's list of people who may act is reused, in milliseconds. */
const refreshUsersCacheMs = 60_000;

/**
 * Builds the lookup of the Teams users of a channel who hold the role of an audience: they are the
 * ones whose clients fetch their own view of a case card with buttons. Lists longer than a card's
 * refresh can name return null, and the card then carries the buttons for everyone.
 */
function createRefreshUsers(
  deps: TeamsAppDeps,
  roster: (channel: string) => Promise<Array<{ id: string; email: string | null }>>,
): (channel: string, audience: CaseView['audience']) => Promise<string[] | null> {
  const cache = new Map<string, { ids: string[] | null; until: number }>();
  return async (channel, audience) => {
    if (audience === 'manager') return null;
    const key = `${channel}|${audience}`;
    const cached = cache.get(key);
    if (cached !== undefined && cached.until > Date.now()) return cached.ids;

    const members = (await roster(channel)).filter((member) => member.email !== null);
    const emails = members.map((member) => member.email!);
    const granted =
      emails.length === 0
        ? []
        : await deps.db
            .select({ email: roleGrants.email })
            .from(roleGrants)
            .where(and(eq(roleGrants.role, audience), inArray(roleGrants.email, emails)));
    const allowed = new Set(granted.map((row) => row.email));
    const ids = members.filter((member) => allowed.has(member.email!)).map((member) => member.id);
    const result = ids.length > maxRefreshUserIds ? null : ids;
    cache.set(key, { ids: result, until: Date.now() + refreshUsersCacheMs });
    return result;
  };
}

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type Config, type FeedName, feedNames, feedSecret } from '../../config.ts';
import { CasebridgeError } from '../../errors.ts';
import type { IngestFeed } from '../../intake/ingest-feed.ts';
import { authenticateHeaders, createFeedAuth, type FeedAuth, verifyBody } from '../feed-auth.ts';
import type { Metrics } from '../metrics.ts';

export interface FeedsRouteOptions {
  config: Config;
  metrics: Metrics;
  ingestFeed: IngestFeed;
}

type FeedRequest = FastifyRequest<{ Params: { feed: string } }>;

/** Media types read as raw bytes; `*` also covers requests with another or no Content-Type. */
const RAW_BODY_TYPES = ['application/json', 'application/x-ndjson', 'text/plain', '*'];

/**
 * `POST /feeds/:feed`: the webhook intake. It authenticates the request, then hands the body to
 * intake atomically, so a request is either stored whole (202) or not at all (4xx, 5xx).
 */
export async function feedsRoute(app: FastifyInstance, options: FeedsRouteOptions): Promise<void> {
  const { config, metrics, ingestFeed } = options;
  const auths = new Map<FeedName, FeedAuth>(
    feedNames.map((feed) => [feed, createFeedAuth(feed, feedSecret(config.env, feed))]),
  );
  const disabled = [...auths.values()].filter((auth) => auth.kind === 'none');
  if (disabled.length > 0) {
    app.log.info(
      { feeds: disabled.map((auth) => auth.feed) },
      'feed endpoints without a secret reject every request',
    );
  }

  // Signatures cover the exact bytes sent, so this scope replaces fastify's JSON and text
  // parsers with one that keeps the body as a Buffer.
  app.removeAllContentTypeParsers();
  for (const type of RAW_BODY_TYPES) {
    app.addContentTypeParser(type, { parseAs: 'buffer' }, (_request, body, done) => {
      done(null, body);
    });
  }

  app.addHook('onResponse', async (request: FeedRequest, reply) => {
    const feed = parseFeedName(request.params.feed) ?? 'unknown';
    metrics.feedRequests.inc({ feed, status: String(reply.statusCode) });
  });

  app.post<{ Params: { feed: string } }>(
    '/feeds/:feed',
    {
      bodyLimit: config.env.FEED_MAX_BYTES,
      // Runs before the body is read: unknown feeds and requests without credentials are
      // rejected without buffering up to FEED_MAX_BYTES.
      onRequest: async (request, reply) => {
        const auth = auths.get(resolveFeed(request.params.feed))!;
        if (auth.kind === 'bearer') reply.header('www-authenticate', 'Bearer');
        authenticateHeaders(auth, request.headers);
      },
    },
    async (request, reply) => {
      const feed = resolveFeed(request.params.feed);
      const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);

      const webhookId = verifyBody(auths.get(feed)!, request.headers, body);

      const summary = await ingestFeed({
        feed,
        text: body.toString('utf8'),
        atomic: true,
        webhookId,
      });
      request.log.info(
        {
          feed,
          webhookId,
          created: summary.created,
          grouped: summary.grouped,
          duplicates: summary.duplicates,
        },
        'feed delivery accepted',
      );
      return reply.status(202).send({
        created: summary.created,
        grouped: summary.grouped,
        duplicates: summary.duplicates,
        rejected: summary.rejected,
      });
    },
  );
}

function parseFeedName(value: string): FeedName | undefined {
  return (feedNames as readonly string[]).includes(value) ? (value as FeedName) : undefined;
}

function resolveFeed(value: string): FeedName {
  const feed = parseFeedName(value);
  if (feed === undefined) {
    throw new CasebridgeError(
      'FEED_UNKNOWN',
      `No feed is named "${value}". Known feeds: ${feedNames.join(', ')}.`,
      { details: { feeds: [...feedNames] } },
    );
  }
  return feed;
}

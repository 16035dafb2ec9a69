import type { FastifyInstance } from 'fastify';
import type { SlackHttpReceiver } from '../../chat/slack/receiver.ts';
import {
  parseSlackBody,
  requireSignatureHeaders,
  retryHeaders,
  urlVerificationChallenge,
  verifySlackSignature,
} from '../../chat/slack/request.ts';

export interface SlackRouteOptions {
  signingSecret: string;
  receiver: SlackHttpReceiver;
  /** The clock the replay window is checked against; tests pin it. */
  now?: () => number;
}

/** Slack's payloads are far smaller; a larger body is not from Slack. */
const SLACK_MAX_BYTES = 1024 * 1024;

/**
 * `POST /slack/events`: the request URL of the Slack app's event subscriptions, interactivity and
 * slash commands. It verifies the signature over the raw body before anything else (401
 * otherwise), echoes the URL verification challenge, and hands every other request to the Bolt
 * app, which sends the response when a listener acknowledges it.
 */
export async function slackRoute(app: FastifyInstance, options: SlackRouteOptions): Promise<void> {
  const now = options.now ?? Date.now;

  // The signature covers the exact bytes sent, so this scope keeps every body as a string.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => {
    done(null, body);
  });

  app.post(
    '/slack/events',
    {
      bodyLimit: SLACK_MAX_BYTES,
      // Runs before the body is read, so unsigned requests are rejected without buffering them.
      onRequest: async (request) => requireSignatureHeaders(request.headers),
    },
    async (request, reply) => {
      const rawBody = typeof request.body === 'string' ? request.body : '';
      verifySlackSignature({
        signingSecret: options.signingSecret,
        headers: request.headers,
        rawBody,
        nowMs: now(),
      });

      const body = parseSlackBody(request.headers['content-type'], rawBody);
      const challenge = urlVerificationChallenge(body);
      if (challenge !== null) return reply.type('text/plain').send(challenge);
      // Slack checks a slash command's certificate with `ssl_check=1`; it expects an empty 200.
      if (body.ssl_check === '1') return reply.send();

      const response = await options.receiver.dispatch({ body, ...retryHeaders(request.headers) });
      switch (response.kind) {
        case 'empty':
          return reply.send();
        case 'text':
          return reply.type('text/plain').send(response.text);
        case 'json':
          return reply.type('application/json').send(response.json);
      }
    },
  );
}

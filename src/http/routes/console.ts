import fastifyFormbody from '@fastify/formbody';
import { fastifySSE } from '@fastify/sse';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { channelsOf } from '../../chat/console/console-channels.ts';
import type { ConsoleChat } from '../../chat/console/console-chat.ts';
import { loadConsolePeople, loadConsolePerson } from '../../chat/console/console-people.ts';
import {
  handleConsoleAction,
  handleConsoleNote,
} from '../../chat/console/handle-console-action.ts';
import { loadConsoleFeed } from '../../chat/console/load-console-feed.ts';
import {
  renderConsolePage,
  renderFeed,
  renderNotice,
  renderPersonPicker,
} from '../../chat/console/render-console.ts';
import { consoleTokenCookie, sameSecret } from '../console-access.ts';
import { html, page } from '../html/html.ts';

export interface ConsoleRouteOptions {
  chat: ConsoleChat;
  consoleToken: string | undefined;
}

const asQuery = z.object({ as: z.email().optional() });

function sendHtml(reply: FastifyReply, markup: string, status = 200): FastifyReply {
  return reply.status(status).type('text/html; charset=utf-8').send(markup);
}

/**
 * The local console chat at `/console`: the person picker, one person's channels, their live
 * updates (Server-Sent Events at `/console/events`), and the clicks and notes they send.
 */
export async function consoleRoute(
  app: FastifyInstance,
  options: ConsoleRouteOptions,
): Promise<void> {
  const { chat, consoleToken } = options;
  await app.register(fastifyFormbody);
  await app.register(fastifySSE, { heartbeatInterval: 15_000 });

  app.get('/console', async (request, reply) => {
    const query = asQuery.safeParse(request.query);
    if (!query.success || query.data.as === undefined) {
      return sendHtml(reply, renderPersonPicker(await loadConsolePeople(chat.db)));
    }
    const viewer = await loadConsolePerson(chat.db, query.data.as);
    if (viewer === null) {
      return sendHtml(
        reply,
        renderNotice(
          'Person not found',
          `${query.data.as} is not a person of the directory. Pick someone from the list at /console.`,
        ),
        404,
      );
    }
    const feed = await loadConsoleFeed(
      chat.db,
      channelsOf(chat.channels, viewer.email, viewer.roles),
      viewer.email,
    );
    return sendHtml(reply, renderConsolePage(viewer, feed));
  });

  app.get('/console/feed', async (request, reply) => {
    const query = asQuery.safeParse(request.query);
    const viewer =
      query.success && query.data.as !== undefined
        ? await loadConsolePerson(chat.db, query.data.as)
        : null;
    if (viewer === null) return sendHtml(reply, '', 404);
    const feed = await loadConsoleFeed(
      chat.db,
      channelsOf(chat.channels, viewer.email, viewer.roles),
      viewer.email,
    );
    return sendHtml(reply, renderFeed(viewer, feed).value);
  });

  app.get('/console/events', { sse: 'only' }, async (request, reply) => {
    const query = asQuery.safeParse(request.query);
    const viewer =
      query.success && query.data.as !== undefined
        ? await loadConsolePerson(chat.db, query.data.as)
        : null;
    if (viewer === null) {
      reply.code(404);
      await reply.sse.send({ event: 'error', data: { message: 'unknown person' } });
      return;
    }
    const visible = new Set(channelsOf(chat.channels, viewer.email, viewer.roles));
    reply.sse.keepAlive();
    await reply.sse.send({ event: 'ready', data: { channels: [...visible] } });
    const unsubscribe = chat.bus.subscribe((change) => {
      if (!visible.has(change.channel) || !reply.sse.isConnected) return;
      reply.sse.send({ event: 'change', data: change }).catch(() => unsubscribe());
    });
    reply.sse.onClose(unsubscribe);
  });

  app.post('/console/act', async (request, reply) => {
    const result = await handleConsoleAction(chat, request.body);
    if (result.kind === 'form') return sendHtml(reply, result.page, 422);
    return reply.redirect(result.location, 303);
  });

  app.post('/console/note', async (request, reply) => {
    const result = await handleConsoleNote(chat, request.body);
    return reply.redirect(result.location, 303);
  });

  app.get('/console/login', async (_request, reply) =>
    sendHtml(
      reply,
      page(
        'Casebridge console: sign in',
        html`<main><h1>Sign in to the console</h1>
<form method="post" action="/console/login">
<label for="token">Console token (CONSOLE_TOKEN)</label>
<input type="password" id="token" name="token" autocomplete="current-password" required>
<p><button type="submit" class="primary">Sign in</button></p>
</form></main>`,
      ),
    ),
  );

  app.post('/console/login', async (request, reply) => {
    const token = z.object({ token: z.string() }).safeParse(request.body);
    if (
      consoleToken === undefined ||
      !token.success ||
      !sameSecret(token.data.token, consoleToken)
    ) {
      return sendHtml(
        reply,
        renderNotice(
          'Sign-in failed',
          'The token does not match CONSOLE_TOKEN. Go back and try again.',
        ),
        401,
      );
    }
    reply.setCookie(consoleTokenCookie, token.data.token, {
      path: '/',
      httpOnly: true,
      sameSite: 'strict',
      secure: request.protocol === 'https',
    });
    return reply.redirect('/console', 303);
  });
}

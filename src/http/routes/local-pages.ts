import fastifyCookie from '@fastify/cookie';
import type { FastifyInstance } from 'fastify';
import type { ConsoleChat } from '../../chat/console/console-chat.ts';
import { assertConsoleRequest } from '../console-access.ts';
import { consoleRoute } from './console.ts';
import { dashboardRoute } from './dashboard.ts';

export interface LocalPagesOptions {
  chat: ConsoleChat;
  consoleToken: string | undefined;
}

/**
 * The pages for people in a browser, `/console` and `/dashboard`, behind one access rule: this
 * machine, or CONSOLE_TOKEN. Only the sign-in page is open, so that a visitor can present the token.
 */
export async function localPagesRoute(
  app: FastifyInstance,
  options: LocalPagesOptions,
): Promise<void> {
  await app.register(fastifyCookie);
  app.addHook('onRequest', async (request) => {
    if (request.url.split('?')[0] === '/console/login') return;
    assertConsoleRequest(request, options.consoleToken);
  });
  // The demo prints the server's address; its root leads a visitor to the console.
  app.get('/', async (_request, reply) => reply.redirect('/console', 302));
  await app.register(consoleRoute, options);
  await app.register(dashboardRoute, { db: options.chat.db });
}

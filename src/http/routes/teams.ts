import type { FastifyInstance } from 'fastify';
import { messagingEndpoint, type TeamsRequestHandler } from '../../chat/teams/app.ts';

export interface TeamsRouteOptions {
  /** The Teams SDK's request handler: `TeamsApp.adapter.handle`. */
  handle: TeamsRequestHandler;
}

/** Activities are far smaller; a larger body is not from the Bot Framework. */
const TEAMS_MAX_BYTES = 1024 * 1024;

/**
 * `POST /api/messages`: the messaging endpoint of the Teams bot. The Teams SDK checks the Bot
 * Framework token (401 without a valid one) and returns the JSON body of invoke responses, so the route
 * only hands over the parsed body and the headers and sends back what the SDK returns.
 */
export async function teamsRoute(app: FastifyInstance, options: TeamsRouteOptions): Promise<void> {
  app.post(messagingEndpoint, { bodyLimit: TEAMS_MAX_BYTES }, async (request, reply) => {
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (value !== undefined) headers[name] = value;
    }

    const response = await options.handle({ body: request.body ?? {}, headers });
    reply.code(response.status);
    if (response.body === undefined) return reply.send();
    return reply.type('application/json').send(response.body);
  });
}

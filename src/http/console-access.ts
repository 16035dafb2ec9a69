import { timingSafeEqual } from 'node:crypto';
import type {} from '@fastify/cookie';
import type { FastifyRequest } from 'fastify';
import type { Env } from '../config.ts';
import { CasebridgeError } from '../errors.ts';

const loopbackAddresses = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
const loopbackHosts = new Set(['127.0.0.1', '::1', 'localhost']);

/** The cookie that carries CONSOLE_TOKEN after a visitor from another address signed in. */
export const consoleTokenCookie = 'casebridge_console';

/**
 * Fails the start when the console would be served beyond this machine without CONSOLE_TOKEN: it
 * lets any visitor act as any person of the directory, so on another address it needs the token.
 */
export function assertConsoleExposure(env: Pick<Env, 'HOST' | 'CONSOLE_TOKEN'>): void {
  if (loopbackHosts.has(env.HOST) || env.CONSOLE_TOKEN !== undefined) return;
  throw new CasebridgeError(
    'CONFIG_INVALID',
    `HOST is ${env.HOST}, which serves the console and dashboard beyond this machine, but CONSOLE_TOKEN is not set. Set CONSOLE_TOKEN to a long random secret, or set HOST=127.0.0.1.`,
  );
}

/** Compares two secrets in constant time. */
export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Authorizes a console or dashboard request: any request from this machine, and with
 * CONSOLE_TOKEN set, a request that presents it as `Authorization: Bearer` or in the sign-in cookie.
 */
export function assertConsoleRequest(request: FastifyRequest, token: string | undefined): void {
  if (loopbackAddresses.has(request.ip)) return;
  if (token !== undefined) {
    const header = request.headers.authorization ?? '';
    if (header.startsWith('Bearer ') && sameSecret(header.slice('Bearer '.length), token)) return;
    const cookie = request.cookies?.[consoleTokenCookie];
    if (cookie !== undefined && sameSecret(cookie, token)) return;
  }
  throw new CasebridgeError(
    'UNAUTHENTICATED',
    'The console answers requests from this machine only, or with CONSOLE_TOKEN: sign in at /console/login or send Authorization: Bearer <CONSOLE_TOKEN>.',
  );
}

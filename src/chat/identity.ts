import { and, eq } from 'drizzle-orm';
import type { Role } from '../../workflows/case-events.ts';
import { findPersonByEmail, findRoles } from '../people/find-person.ts';
import type { Db } from '../store/db.ts';
import { chatIdentities } from '../store/schema.ts';
import { type Locale, resolveLocale } from './messages/index.ts';
import type { ChatPlatform, ChatPort } from './port.ts';

/** How long a platform user's e-mail address is reused before the platform is asked again. */
export const identityTtlMs = 24 * 60 * 60 * 1000;
/**
 * How long "this user has no e-mail address" is reused. It is shorter because the usual cause, a
 * missing permission such as Slack's users:read.email, is fixed by an admin within minutes.
 */
export const missingEmailTtlMs = 5 * 60 * 1000;

/** A chat user who is a person of the directory, with the roles granted to them now. */
export interface ChatPerson {
  platformUserId: string;
  email: string;
  name: string;
  roles: Role[];
  locale: Locale;
}

/**
 * The identity of a chat user: a directory person, a user whose e-mail address is not in the
 * directory, or a user the platform gives no e-mail address for (a bot, or an app without the
 * permission).
 */
export type ChatIdentity =
  | ({ kind: 'person' } & ChatPerson)
  | { kind: 'unknownEmail'; platformUserId: string; email: string }
  | { kind: 'noEmail'; platformUserId: string };

export interface IdentifyDeps {
  db: Db;
  port: Pick<ChatPort, 'platform' | 'resolveUser'>;
  now?: () => Date;
}

/**
 * Resolves a chat user to a directory person. The e-mail address comes from the platform and is
 * cached in `chat_identities`. The person and their roles are read from the directory on every
 * call, so a role granted or revoked applies at the next click.
 */
export async function identifyChatUser(
  deps: IdentifyDeps,
  platformUserId: string,
): Promise<ChatIdentity> {
  const email = await resolveEmail(deps, platformUserId);
  if (email === null) return { kind: 'noEmail', platformUserId };

  const person = await findPersonByEmail(deps.db, email);
  if (person === null) return { kind: 'unknownEmail', platformUserId, email };

  return {
    kind: 'person',
    platformUserId,
    email: person.email,
    name: person.name,
    roles: await findRoles(deps.db, person.email),
    locale: resolveLocale(person.locale),
  };
}

/** Returns the user's e-mail address, lower-cased, from the cache or from the platform. */
async function resolveEmail(deps: IdentifyDeps, platformUserId: string): Promise<string | null> {
  const now = deps.now?.() ?? new Date();
  const platform: ChatPlatform = deps.port.platform;
  const key = and(eq(chatIdentities.platform, platform), eq(chatIdentities.userId, platformUserId));

  const [cached] = await deps.db.select().from(chatIdentities).where(key).limit(1);
  if (cached !== undefined) {
    const ttl = cached.email === null ? missingEmailTtlMs : identityTtlMs;
    if (now.getTime() - cached.resolvedAt.getTime() < ttl) return cached.email;
  }

  const resolved = await deps.port.resolveUser(platformUserId);
  const email = resolved?.trim().toLowerCase() || null;
  await deps.db
    .insert(chatIdentities)
    .values({ platform, userId: platformUserId, email, resolvedAt: now })
    .onConflictDoUpdate({
      target: [chatIdentities.platform, chatIdentities.userId],
      set: { email, resolvedAt: now },
    });
  return email;
}

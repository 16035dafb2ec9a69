import type { FileConfig } from '../../config.ts';
import type { Logger } from '../../log.ts';
import type { Db } from '../../store/db.ts';
import type { ActOnCase } from '../slack/deps.ts';
import { ConsoleBus } from './console-bus.ts';
import { type ConsoleChannel, consoleChannels } from './console-channels.ts';
import { ConsoleChatPort } from './console-port.ts';

/** The local console chat: its port for the outbox, its channels, and what its routes need. */
export interface ConsoleChat {
  db: Db;
  logger: Logger;
  port: ConsoleChatPort;
  bus: ConsoleBus;
  channels: readonly ConsoleChannel[];
  act: ActOnCase;
}

/** Returns whether the routing names a console channel for any audience. */
export function consoleRouted(routing: FileConfig['routing']): boolean {
  return consoleChannels(routing).length > 0;
}

export function createConsoleChat(deps: {
  db: Db;
  logger: Logger;
  routing: FileConfig['routing'];
  act: ActOnCase;
}): ConsoleChat {
  const bus = new ConsoleBus();
  const channels = consoleChannels(deps.routing);
  const port = new ConsoleChatPort({ db: deps.db, bus, channels });
  return { db: deps.db, logger: deps.logger, port, bus, channels, act: deps.act };
}

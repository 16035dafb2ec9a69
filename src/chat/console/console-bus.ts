import { EventEmitter } from 'node:events';

/** A change in one console channel, announced to the browsers that show it. */
export interface ConsoleChange {
  channel: string;
  messageId: number;
}

/**
 * Announces console messages to the open Server-Sent Events streams of this process.
 * NOTE: the bus is in-process. With several replicas on one database, a browser connected to
 * one replica is not told about messages another replica's outbox worker wrote; it sees them at
 * its next reload.
 */
export class ConsoleBus {
  private readonly emitter = new EventEmitter();

  constructor() {
    // Every open browser tab is a listener; the default limit of 10 would only print warnings.
    this.emitter.setMaxListeners(0);
  }

  publish(change: ConsoleChange): void {
    this.emitter.emit('change', change);
  }

  /** Calls `listener` for every change until the returned function is called. */
  subscribe(listener: (change: ConsoleChange) => void): () => void {
    this.emitter.on('change', listener);
    return () => this.emitter.off('change', listener);
  }
}

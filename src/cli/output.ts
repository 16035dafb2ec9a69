import { CasebridgeError, isCasebridgeError } from '../errors.ts';

/** Exit codes of the CLI: 1 when the command ran and something was rejected or refused, 2 for usage errors. */
export const EXIT_REJECTED = 1;
export const EXIT_USAGE = 2;

export interface Output {
  json: boolean;
  /** Writes the command's result: the JSON document with --json, the human text otherwise. */
  result(document: unknown, text: () => string): void;
}

export function createOutput(
  json: boolean,
  stdout: NodeJS.WritableStream = process.stdout,
): Output {
  return {
    json,
    result(document, text) {
      stdout.write(json ? `${JSON.stringify(document, null, 2)}\n` : `${text()}\n`);
    },
  };
}

/**
 * Prints an error the way the command's mode asks (`{"error":{…}}` on stdout with --json, a line
 * on stderr otherwise) and returns the exit code.
 */
export function reportError(
  error: unknown,
  json: boolean,
  streams: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream } = process,
): number {
  if (!isCasebridgeError(error)) {
    streams.stderr.write(
      `casebridge: unexpected error: ${(error as Error)?.stack ?? String(error)}\n`,
    );
    return EXIT_REJECTED;
  }
  if (json) streams.stdout.write(`${JSON.stringify({ error: error.toJSON() }, null, 2)}\n`);
  else streams.stderr.write(`casebridge: ${error.message} [${error.code}]\n`);
  return error.code === 'USAGE_INVALID' ? EXIT_USAGE : EXIT_REJECTED;
}

export function usageError(message: string): CasebridgeError {
  return new CasebridgeError('USAGE_INVALID', message);
}

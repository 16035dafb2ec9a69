/** One line of NDJSON input: its zero-based line index and the parsed value or the JSON error. */
export type InputLine = { index: number; value: unknown } | { index: number; error: string };

/** Feed input decoded as one JSON document, as NDJSON lines, or not decodable at all. */
export type DecodedInput =
  | { kind: 'document'; value: unknown }
  | { kind: 'lines'; lines: InputLine[] }
  | { kind: 'invalid'; reason: string };

/**
 * Decodes feed input. Text that parses as one JSON value is a document. Otherwise it is read as
 * NDJSON when it has several non-blank lines and at least one of them is a JSON object or array
 * on its own. The second condition keeps a pretty-printed document with one syntax error from
 * turning into one rejection per line.
 */
export function decodeInput(input: string): DecodedInput {
  const text = input.startsWith('\uFEFF') ? input.slice(1) : input;
  if (text.trim() === '') return { kind: 'invalid', reason: 'input is empty' };

  let documentError: unknown;
  try {
    return { kind: 'document', value: JSON.parse(text) };
  } catch (error) {
    documentError = error;
  }

  const lines = splitLines(text);
  if (lines.length >= 2 && lines.some((line) => 'value' in line && isContainer(line.value))) {
    return { kind: 'lines', lines };
  }
  return {
    kind: 'invalid',
    reason: `input is not valid JSON: ${describeJsonError(documentError, text)}`,
  };
}

/** Parses each non-blank line; blank lines are skipped but still count for the line index. */
function splitLines(text: string): InputLine[] {
  const lines: InputLine[] = [];
  const rawLines = text.split('\n');
  for (let index = 0; index < rawLines.length; index++) {
    const line = (rawLines[index] ?? '').replace(/\r$/, '');
    if (line.trim() === '') continue;
    try {
      lines.push({ index, value: JSON.parse(line) });
    } catch (error) {
      lines.push({
        index,
        error: `line ${index + 1} is not valid JSON: ${describeJsonError(error, line, 'column')}`,
      });
    }
  }
  return lines;
}

function isContainer(value: unknown): boolean {
  return value !== null && typeof value === 'object';
}

/**
 * Returns the parser's message with the line and column of the error, or only the column for
 * one NDJSON line. Node 20 reports only a character position; where a newer V8 adds the line and
 * column itself, its message is kept as it is.
 */
function describeJsonError(
  error: unknown,
  text: string,
  detail: 'line' | 'column' = 'line',
): string {
  const message = error instanceof Error ? error.message : String(error);
  const position = /at position (\d+)/.exec(message);
  if (position === null || /column \d+/.test(message)) return message;

  const offset = Number(position[1]);
  const before = text.slice(0, offset);
  const column = offset - before.lastIndexOf('\n');
  if (detail === 'column') return `${message} (column ${column})`;
  return `${message} (line ${before.split('\n').length} column ${column})`;
}

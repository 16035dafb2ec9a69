/**
 * Block Kit limits that Casebridge's Slack views respect, from Slack's Block Kit reference
 * (blocks, block elements, composition objects and modal views). Lengths are in characters.
 */
export const blockKitLimits = {
  messageBlocks: 50,
  modalBlocks: 100,
  headerText: 150,
  sectionText: 3000,
  sectionFields: 10,
  sectionFieldText: 2000,
  contextElements: 10,
  contextText: 3000,
  /** Slack accepts 25 elements in an actions block; five buttons keep a row readable on phones. */
  buttonsPerActionsBlock: 5,
  buttonText: 75,
  buttonValue: 2000,
  actionId: 255,
  blockId: 255,
  inputLabel: 2000,
  inputHint: 2000,
  plainTextInputMaxLength: 3000,
  selectOptions: 100,
  optionText: 75,
  optionValue: 150,
  modalTitle: 24,
  modalButton: 24,
  privateMetadata: 3000,
  callbackId: 255,
  /** Slack truncates a message's top-level `text` beyond 40,000 characters and advises 4,000. */
  messageText: 4000,
} as const;

const ellipsis = '…';

/**
 * Shortens `text` to at most `max` UTF-16 code units, ending it with an ellipsis when it was cut.
 * It never splits a surrogate pair, so an emoji is kept whole or dropped.
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 0) return '';

  let result = '';
  for (const character of text) {
    if (result.length + character.length > max - ellipsis.length) break;
    result += character;
  }
  return result + ellipsis;
}

/**
 * Escapes the three characters that Slack's mrkdwn treats as control characters, so that text
 * from feeds or people cannot mention `<!channel>`, link or format a user.
 */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Escapes `text` for mrkdwn and shortens it to `max`, never leaving half of an escape. */
export function mrkdwn(text: string, max: number): string {
  const escaped = escapeMrkdwn(text);
  if (escaped.length <= max) return escaped;

  const cut = truncate(escaped, max);
  return cut.replace(/&[a-z]{0,3}…$/, ellipsis);
}

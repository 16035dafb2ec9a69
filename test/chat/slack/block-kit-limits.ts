import { expect } from 'vitest';

type Json = Record<string, unknown>;

function textOf(value: unknown): string {
  return (value as { text?: string } | undefined)?.text ?? '';
}

/**
 * Asserts the Block Kit limits of a message or modal's blocks: block count, text lengths, fields,
 * context elements, buttons per actions block (five, our rule), ids and their uniqueness.
 */
export function expectWithinBlockKitLimits(blocks: unknown[], maxBlocks: number): void {
  expect(blocks.length).toBeGreaterThan(0);
  expect(blocks.length).toBeLessThanOrEqual(maxBlocks);

  const blockIds = new Set<string>();
  const actionIds = new Set<string>();
  for (const block of blocks as Json[]) {
    if (typeof block.block_id === 'string') {
      expect(block.block_id.length).toBeLessThanOrEqual(255);
      expect(blockIds.has(block.block_id)).toBe(false);
      blockIds.add(block.block_id);
    }

    switch (block.type) {
      case 'header':
        expect(textOf(block.text).length).toBeLessThanOrEqual(150);
        break;
      case 'section': {
        expect(textOf(block.text).length).toBeLessThanOrEqual(3000);
        const fields = (block.fields ?? []) as Json[];
        expect(fields.length).toBeLessThanOrEqual(10);
        for (const field of fields) expect(textOf(field).length).toBeLessThanOrEqual(2000);
        expect(block.text !== undefined || fields.length > 0).toBe(true);
        break;
      }
      case 'context': {
        const elements = block.elements as Json[];
        expect(elements.length).toBeLessThanOrEqual(10);
        for (const element of elements) expect(textOf(element).length).toBeLessThanOrEqual(3000);
        break;
      }
      case 'actions': {
        const elements = block.elements as Json[];
        expect(elements.length).toBeGreaterThan(0);
        expect(elements.length).toBeLessThanOrEqual(5);
        for (const element of elements) {
          const actionId = String(element.action_id);
          expect(actionId.length).toBeLessThanOrEqual(255);
          expect(actionIds.has(actionId)).toBe(false);
          actionIds.add(actionId);
          expect(textOf(element.text).length).toBeLessThanOrEqual(75);
          expect(String(element.value ?? '').length).toBeLessThanOrEqual(2000);
        }
        break;
      }
      case 'input': {
        expect(textOf(block.label).length).toBeLessThanOrEqual(2000);
        const element = block.element as Json;
        if (element.type === 'plain_text_input') {
          expect(Number(element.max_length)).toBeLessThanOrEqual(3000);
        }
        if (element.type === 'static_select') {
          const options = element.options as Json[];
          expect(options.length).toBeLessThanOrEqual(100);
          for (const option of options) {
            expect(textOf(option.text).length).toBeLessThanOrEqual(75);
            expect(String(option.value).length).toBeLessThanOrEqual(150);
          }
        }
        break;
      }
      case 'divider':
        break;
      default:
        throw new Error(`unexpected block type ${String(block.type)}`);
    }
  }
}

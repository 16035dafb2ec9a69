import { z } from 'zod';

/** A string that vendors may leave out or send as null. */
export const optionalText = z.string().nullish();

/** A string that must hold more than white space, e.g. a record id; it is trimmed. */
export const requiredText = z.string().trim().min(1, 'must not be empty');

import { z } from 'zod';

/** A verb sent back by a button or form: letters, digits, dots, dashes, underscores. */
export const VERB = z.string().regex(/^[a-z][a-z0-9._-]{0,63}$/i);

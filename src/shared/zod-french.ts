import { z } from 'zod';
import { fr } from 'zod/v4/locales';

/**
 * Validation messages read by people (API errors, configuration problems, CLI lines) are in French:
 * zod's French locale for every schema, set once on import. Custom messages of our own schemas
 * still win over it.
 */
z.config(fr());

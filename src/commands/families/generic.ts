/**
 * Generic commands (Redis group "generic").
 */
import type { CommandRow } from '../spec.js';

export const genericCommands: CommandRow[] = [];

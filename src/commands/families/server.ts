/**
 * Server commands (Redis group "server").
 */
import type { CommandRow } from '../spec.js';

export const serverCommands: CommandRow[] = [];

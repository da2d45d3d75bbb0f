/**
 * Compile-time exhaustiveness: `default: assertNever(v)` at the end of a
 * switch over a closed union (a value's type, an encoding) makes the
 * compiler reject the switch when a member is added without its case.
 */
export function assertNever(x: never): never {
  throw new Error(`unexpected ${String((x as { type?: unknown })?.type ?? x)}`);
}

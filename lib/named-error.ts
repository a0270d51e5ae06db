// instanceof for the errors that cross module copies. Next bundles a module into every server
// chunk that imports it, each with its own copy of its classes: the republish runtime (kept on
// globalThis, made by the chunk that started it) throws its BrokerUnavailableError, a route's
// action checks against its own copy, and `instanceof` said no: the client got a 500 where a 503
// was meant (found by fault probing). Such a class answers instanceof by its name instead:
//   static [Symbol.hasInstance](value: unknown) { return isNamedError(value, 'BrokerUnavailableError'); }

/** Whether `value` is an Error whose name is `name` (whichever copy of its class made it). */
export function isNamedError(value: unknown, name: string): boolean {
  return value instanceof Error && value.name === name;
}

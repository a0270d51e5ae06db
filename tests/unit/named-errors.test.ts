// Errors that cross module copies (lib/named-error.ts): Next gives each server chunk its own copy
// of a module, so an error made by one copy of a class is checked against another. Two copies
// of each module are loaded here (vi.resetModules) and instanceof must hold across them, and
// must not hold for another error of the same shape.
import { describe, expect, it, vi } from 'vitest';

async function load() {
  return {
    publisher: await import('@/lib/bus/republish-publisher'),
    owner: await import('@/lib/bus/republish-owner'),
    action: await import('@/lib/action-error'),
    api: await import('@/lib/api/errors'),
    jsonata: await import('@/lib/transform/jsonata-worker'),
    dlq: await import('@/lib/bus/dlq-topology'),
  };
}

describe('errors checked across module copies', () => {
  it('instanceof holds between two copies of each class, and only for its own name', async () => {
    const a = await load();
    vi.resetModules();
    const b = await load();
    expect(b.publisher.BrokerUnavailableError).not.toBe(a.publisher.BrokerUnavailableError); // two copies indeed
    const pairs: [unknown, new (...args: never[]) => unknown][] = [
      [new b.publisher.BrokerUnavailableError('down'), a.publisher.BrokerUnavailableError],
      [new b.owner.OwnerUnavailableError('no lock'), a.owner.OwnerUnavailableError],
      [new b.action.ActionError('conflict', 'busy'), a.action.ActionError],
      [new b.api.ApiError('not_found', 'gone'), a.api.ApiError],
      [new b.jsonata.JsonataStalled('stalled'), a.jsonata.JsonataStalled],
      [new b.jsonata.JsonataParseError('bad', 3), a.jsonata.JsonataParseError],
      [new b.dlq.DlqMissingError('q'), a.dlq.DlqMissingError],
    ];
    for (const [err, Class] of pairs) expect(err instanceof Class, Class.name).toBe(true);
    expect(new Error('down') instanceof a.publisher.BrokerUnavailableError).toBe(false);
    expect(new b.action.ActionError('conflict', 'x') instanceof a.api.ApiError).toBe(false);
    expect({ name: 'ActionError', message: 'x' } instanceof a.action.ActionError).toBe(false);
    expect((null as unknown as object) instanceof a.action.ActionError).toBe(false);
  });
});

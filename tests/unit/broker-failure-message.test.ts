// What the reconnect loop warns: an unreachable broker, or a reachable one missing what a
// setup needs (the events exchange before the platform or the demo declared it).
import { describe, expect, it } from 'vitest';
import { brokerFailureMessage } from '@/lib/bus/connection';

describe('brokerFailureMessage', () => {
  it('says the broker cannot be reached only when it cannot', () => {
    expect(brokerFailureMessage('connect ECONNREFUSED 127.0.0.1:5672', 'connecting')).toBe('cannot connect to the broker');
  });

  it('names the missing exchange or queue when the broker refused a setup', () => {
    const exchange = brokerFailureMessage(
      "Operation failed: ExchangeDeclare; 404 (NOT-FOUND) with message \"NOT_FOUND - no exchange 'edu.events' in vhost '/'\"",
      'setup',
    );
    expect(exchange).toMatch(/^connected to the broker, but exchange 'edu\.events' does not exist yet/);
    expect(brokerFailureMessage("NOT_FOUND - no queue 'edu.events.dlq' in vhost '/'", 'setup')).toMatch(/queue 'edu\.events\.dlq' does not exist/);
    expect(brokerFailureMessage('Channel closed by server: 406 (PRECONDITION-FAILED)', 'setup')).toBe(
      'connected to the broker, but setting up channels failed: retrying',
    );
  });
});

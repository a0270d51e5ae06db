import { afterEach, describe, expect, it } from 'vitest';
import { currentDrainStatus, currentDrainStatuses, initialDrainStatus, publishDrainStatus, sumDrainStatus, type DrainStatus } from '@/lib/bus/drain-status';

const status = (queue: string, s: Partial<DrainStatus>): DrainStatus => ({ ...initialDrainStatus(), queue, brokerConnected: true, ...s });

afterEach(() => publishDrainStatus(null));

describe('the drain status over several DLQs', () => {
  it('sums counts and known depths, takes the latest drain time', () => {
    const sum = sumDrainStatus([
      status('a.dlq', { state: 'running', dlqDepth: 3, dlqConsumers: 1, drainedTotal: 10, parkedTotal: 1, lastDrainedAt: '2026-12-05T10:00:00.000Z' }),
      status('b.dlq', { state: 'running', dlqDepth: null, drainedTotal: 5, parkedTotal: 2, lastDrainedAt: '2026-12-05T11:00:00.000Z' }),
    ]);
    expect(sum).toMatchObject({
      queue: '',
      state: 'running',
      dlqDepth: 3,
      dlqConsumers: 1,
      drainedTotal: 15,
      parkedTotal: 3,
      lastDrainedAt: '2026-12-05T11:00:00.000Z',
    });
    expect(sumDrainStatus([status('a', { dlqDepth: null }), status('b', { dlqDepth: null })]).dlqDepth).toBeNull();
  });

  it('one DLQ in error makes the drain in error, named by its DLQ', () => {
    const sum = sumDrainStatus([status('a.dlq', { state: 'running' }), status('b.dlq', { state: 'error', dlqMissing: true, lastError: 'DLQ not found' })]);
    expect(sum).toMatchObject({ state: 'error', dlqMissing: true, lastError: 'b.dlq: DLQ not found' });
    expect(sumDrainStatus([status('a', { state: 'paused' }), status('b', { state: 'running' })]).state).toBe('running');
    expect(sumDrainStatus([status('a', { state: 'paused' }), status('b', { state: 'paused' })]).state).toBe('paused');
    expect(sumDrainStatus([status('a', {}), status('b', { brokerConnected: false })]).brokerConnected).toBe(false);
  });

  it('one drainer: its own status, as before', () => {
    const one = status('a.dlq', { state: 'running', drainedTotal: 7, lastError: 'x' });
    publishDrainStatus(() => one);
    expect(currentDrainStatus()).toEqual(one);
    expect(currentDrainStatuses()).toEqual([one]);
    publishDrainStatus(null);
    expect(currentDrainStatus()).toBeNull();
    expect(currentDrainStatuses()).toBeNull();
  });
});

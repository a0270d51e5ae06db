// x-death and framework error headers, in the shapes amqplib decodes them from real brokers.
import { describe, expect, it } from 'vitest';
import { amqpTime, parseDeaths, readErrorDetails, summariseDeath } from '@/lib/bus/x-death';

const ts = (seconds: number) => ({ '!': 'timestamp', value: seconds });

// RabbitMQ 3.10: x-death (newest first) + x-first-death-*; count is a long, time a timestamp.
const rabbit310 = {
  'x-death': [
    { count: 3, exchange: '', queue: 'notification-service', reason: 'rejected', 'routing-keys': ['notification-service'], time: ts(1764268800) },
    { count: 3, exchange: 'edu.retry', queue: 'notification-service.retry', reason: 'expired', 'routing-keys': ['user.created'], time: ts(1764268790) },
  ],
  'x-first-death-exchange': 'edu.events',
  'x-first-death-queue': 'notification-service',
  'x-first-death-reason': 'rejected',
};

// RabbitMQ 3.13 / 4.x: also x-last-death-*, and a delivery_limit death of a quorum queue.
const rabbit4 = {
  'x-death': [
    {
      count: 1,
      exchange: 'edu.events',
      queue: 'payment-service',
      reason: 'delivery_limit',
      'routing-keys': ['order.created'],
      time: new Date('2026-11-27T10:00:00Z'),
    },
  ],
  'x-first-death-exchange': 'edu.events',
  'x-first-death-queue': 'payment-service',
  'x-first-death-reason': 'delivery_limit',
  'x-last-death-exchange': 'edu.events',
  'x-last-death-queue': 'payment-service',
  'x-last-death-reason': 'delivery_limit',
};

describe('parseDeaths', () => {
  it('reads every entry of a 3.10 x-death array, newest first', () => {
    expect(parseDeaths(rabbit310)).toEqual([
      { queue: 'notification-service', reason: 'rejected', count: 3, exchange: '', routingKeys: ['notification-service'], time: '2025-11-27T18:40:00.000Z' },
      {
        queue: 'notification-service.retry',
        reason: 'expired',
        count: 3,
        exchange: 'edu.retry',
        routingKeys: ['user.created'],
        time: '2025-11-27T18:39:50.000Z',
      },
    ]);
  });

  it('accepts Dates, plain numbers, bigints and Buffers for the fields', () => {
    const deaths = parseDeaths({
      'x-death': [{ count: 7n, queue: Buffer.from('q1'), reason: 'maxlen', exchange: 'x', 'routing-keys': [Buffer.from('rk')], time: 1764268800 }],
    });
    expect(deaths[0]).toMatchObject({ queue: 'q1', reason: 'maxlen', count: 7, routingKeys: ['rk'], time: '2025-11-27T18:40:00.000Z' });
    expect(parseDeaths(rabbit4)[0].time).toBe('2026-11-27T10:00:00.000Z');
  });

  it('ignores x-death of the wrong shape instead of throwing', () => {
    expect(parseDeaths({ 'x-death': 'nonsense' })).toEqual([]);
    expect(parseDeaths({ 'x-death': [null, 5, Buffer.from('x')] })).toEqual([]);
    expect(parseDeaths(undefined)).toEqual([]);
  });
});

describe('summariseDeath', () => {
  it('takes the newest x-death entry: the queue it died in last', () => {
    expect(summariseDeath(rabbit310)).toMatchObject({
      queue: 'notification-service',
      reason: 'rejected',
      count: 3,
      exchange: '',
      routingKey: 'notification-service',
    });
    expect(summariseDeath(rabbit4)).toMatchObject({ queue: 'payment-service', reason: 'delivery_limit', exchange: 'edu.events', routingKey: 'order.created' });
  });

  it('falls back to x-last-death-*, then x-first-death-*', () => {
    const { 'x-death': _a, ...last } = rabbit4;
    expect(summariseDeath({ ...last, 'x-first-death-queue': 'older' })).toMatchObject({ queue: 'payment-service', reason: 'delivery_limit' });
    const { 'x-death': _b, ...first } = rabbit310;
    expect(summariseDeath(first)).toMatchObject({ queue: 'notification-service', reason: 'rejected', exchange: 'edu.events' });
  });

  it("gives '' without any death header", () => {
    expect(summariseDeath({})).toEqual({ queue: '', reason: null, exchange: null, routingKey: null, count: 0, time: null });
  });
});

describe('amqpTime', () => {
  it('understands amqplib timestamps, Dates and seconds', () => {
    expect(amqpTime(ts(0))?.toISOString()).toBe('1970-01-01T00:00:00.000Z');
    expect(amqpTime(1)?.toISOString()).toBe('1970-01-01T00:00:01.000Z');
    expect(amqpTime(new Date(5000))?.getTime()).toBe(5000);
    expect(amqpTime('garbage')).toBeNull();
    expect(amqpTime(undefined)).toBeNull();
  });
});

describe('readErrorDetails', () => {
  it("reads the platform's x-last-error", () => {
    expect(readErrorDetails({ 'x-last-error': 'SMTP timeout after 30000ms' })).toMatchObject({ message: 'SMTP timeout after 30000ms', source: 'eventdesk' });
  });

  it('reads Spring AMQP headers (message, stack trace kept whole)', () => {
    const stack = 'org.springframework.amqp.AmqpRejectAndDontRequeueException: boom\n\tat com.edu.Handler.handle(Handler.java:42)';
    expect(readErrorDetails({ 'x-exception-message': 'boom', 'x-exception-stacktrace': stack })).toEqual({
      message: 'boom',
      type: null,
      stackTrace: stack,
      source: 'spring',
    });
    // only the stack trace: its first line
    expect(readErrorDetails({ 'x-exception-stacktrace': Buffer.from(stack) }).message).toBe('org.springframework.amqp.AmqpRejectAndDontRequeueException: boom');
  });

  it('reads MassTransit MT-Fault-* headers', () => {
    expect(
      readErrorDetails({
        'MT-Fault-Message': 'Order not found',
        'MT-Fault-ExceptionType': 'System.InvalidOperationException',
        'MT-Fault-StackTrace': 'at X()',
      }),
    ).toEqual({ message: 'Order not found', type: 'System.InvalidOperationException', stackTrace: 'at X()', source: 'masstransit' });
  });

  it('reads NServiceBus.ExceptionInfo.* headers', () => {
    expect(
      readErrorDetails({
        'NServiceBus.ExceptionInfo.Message': 'Deadlock',
        'NServiceBus.ExceptionInfo.ExceptionType': 'System.Data.SqlClient.SqlException',
        'NServiceBus.ExceptionInfo.StackTrace': 'at Y()',
      }),
    ).toMatchObject({ message: 'Deadlock', type: 'System.Data.SqlClient.SqlException', source: 'nservicebus' });
  });

  it('returns nulls without error headers', () => {
    expect(readErrorDetails({ other: 1 })).toEqual({ message: null, type: null, stackTrace: null, source: null });
  });
});

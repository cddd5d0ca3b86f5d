import { describe, expect, it } from 'vitest';
import { QueueError, QueueFullError, toStorageError } from './errors.js';

describe('QueueError', () => {
  it('is recognised through its Symbol.for marker, also from another copy of the package', () => {
    const full = new QueueFullError(5, 'chat');
    expect(QueueError.isInstance(full)).toBe(true);
    expect(QueueFullError.isInstance(full)).toBe(true);
    expect(QueueFullError.isInstance(new QueueError('NOT_FOUND', 'x'))).toBe(false);
    const foreign = Object.assign(new Error('full'), { code: 'QUEUE_FULL' });
    Object.defineProperty(foreign, Symbol.for('graphiti.llm.error.QueueError'), { value: true });
    expect(QueueError.isInstance(foreign)).toBe(true);
    expect(QueueError.isInstance(new Error('plain'))).toBe(false);
    expect(QueueError.isInstance(undefined)).toBe(false);
  });
});

describe('toStorageError', () => {
  const where = 'PostgreSQL at postgres://app:***@db/x';

  it('classifies driver errors and keeps them as cause', () => {
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    expect(toStorageError(reset, 'queue.put', where)).toMatchObject({
      code: 'STORAGE_UNREACHABLE',
      cause: reset,
    });
    const terminated = new Error('Connection terminated unexpectedly');
    expect(toStorageError(terminated, 'queue.lease', where).code).toBe('STORAGE_UNREACHABLE');
    const shutdown = Object.assign(new Error('terminating connection due to administrator command'), {
      code: '57P01',
    });
    expect(toStorageError(shutdown, 'queue.ack', where).code).toBe('STORAGE_UNREACHABLE');
    const other = Object.assign(new Error('disk full'), { code: '53100' });
    const error = toStorageError(other, 'queue.put', where);
    expect(error.code).toBe('STORAGE_ERROR');
    expect(error.message).toBe(`queue.put failed on ${where}: disk full.`);
  });

  it('passes QueueErrors through unchanged', () => {
    const full = new QueueFullError(1, 'embed');
    expect(toStorageError(full, 'queue.put', where)).toBe(full);
  });
});

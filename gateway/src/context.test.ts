import pino from 'pino';
import { createContextBuilder, nextContextOf } from './context.js';

// ApolloServer copies each operation's context (cloneObject: Object.assign onto an object of the same
// prototype). The request logger, a pino child, must still be made only when something logs.

const cloneAsApolloServerDoes = <T extends object>(object: T): T => Object.assign(Object.create(Object.getPrototypeOf(object) as object) as T, object);

function countingLogger() {
  const logger = pino({ level: 'silent' });
  const children: Record<string, unknown>[] = [];
  const child = logger.child.bind(logger);
  logger.child = ((bindings: Record<string, unknown>) => {
    children.push(bindings);
    return child(bindings);
  }) as typeof logger.child;
  return { logger, children };
}

it("makes no request logger while the context is built and copied, and one for the copy's first log", async () => {
  const { logger, children } = countingLogger();
  const build = createContextBuilder(async () => {
    throw new Error('no token is sent here');
  }, logger);
  const context = await build({ requestId: 'r-1', clientIp: '10.0.0.1', userAgent: 'jest', authorization: undefined });
  const copy = cloneAsApolloServerDoes(context);
  expect(children).toEqual([]);
  expect(copy).toMatchObject({ requestId: 'r-1', clientIp: '10.0.0.1', userAgent: 'jest', viewer: undefined, accessToken: undefined });
  copy.logger.warn('first');
  copy.logger.warn('second');
  expect(children).toEqual([{ requestId: 'r-1' }]);
});

it("gives a subscription event's context its own request id, and its logger only when it logs", async () => {
  const { logger, children } = countingLogger();
  const context = await createContextBuilder(async () => {
    throw new Error('no token is sent here');
  }, logger)({ requestId: 'r-2', clientIp: undefined, userAgent: undefined, authorization: undefined });
  const next = cloneAsApolloServerDoes(nextContextOf(context, logger));
  expect(next.requestId).not.toBe('r-2');
  expect(children).toEqual([]);
  next.logger.info('event');
  expect(children).toEqual([{ requestId: next.requestId }]);
});

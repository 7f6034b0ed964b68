import { createEnvelope, EventContractError } from '../envelope.js';

it('announces an in-app notification with ids only: its title and message stay with notifications', () => {
  const envelope = createEnvelope('notifications', 'notifications.notification.created.v1', {
    notificationId: '5',
    recipientId: '10',
    notificationType: 'in_app',
    title: 'x',
    message: 'y',
  } as never);
  expect(envelope.data).toEqual({ notificationId: '5', recipientId: '10', notificationType: 'in_app' });
  expect(envelope.aggregateId).toBe('5');
  expect(() => createEnvelope('notifications', 'notifications.notification.created.v1', { notificationId: '5', recipientId: '10', notificationType: 'email' } as never)).toThrow(
    EventContractError,
  );
});

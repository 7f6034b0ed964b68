import { headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { createEnvelope, deadLetterHeaders, deadLetterSubjectOf, purgeRetiredSubjects, retiredSubjects } from '../src/index.js';
import { connectTestNats, startPrivateNats, updatedUser } from './event-test-setup.js';

// Before users sent its own mails, its verification and reset events carried one-time tokens and
// email addresses in clear. The streams' migration removes every such message for good.

let nats: Awaited<ReturnType<typeof startPrivateNats>>;
let nc: NatsConnection;
beforeAll(async () => {
  nats = await startPrivateNats();
  nc = await connectTestNats(nats.url);
});
afterAll(async () => {
  await nc.drain();
  await nats.dispose();
});

const token = 'k3lI4tG7Qm1bVq9wz0XyA5cD8eF2gH6jK9mN3pR7sT1';

/** What the old users service published: an envelope with the token and the email. */
function oldTokenEvent(subject: keyof typeof retiredSubjects, n: number) {
  return JSON.stringify({
    id: `01J0000000000000000000000${n}`,
    type: subject,
    source: 'users',
    occurredAt: new Date().toISOString(),
    aggregateId: String(n),
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    data: { userId: String(n), email: `person${n}@example.com`, username: `person${n}`, token: `${token}${n}`, expiresAt: new Date().toISOString() },
  });
}

async function subjectsIn(stream: string): Promise<string[]> {
  const jsm = await jetstreamManager(nc);
  const { state } = await jsm.streams.info(stream);
  const subjects: string[] = [];
  for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq += 1) {
    const message = await jsm.streams.getMessage(stream, { seq }).catch(() => undefined);
    if (message) subjects.push(message.subject);
  }
  return subjects;
}

it('erases the retired subjects from the producer stream and their dead letters, keeps everything else, and finds nothing the second time', async () => {
  const js = jetstream(nc);
  await js.publish('users.user.verification_requested.v1', oldTokenEvent('users.user.verification_requested.v1', 1));
  const kept = createEnvelope('users', 'users.user.updated.v1', updatedUser(2));
  await js.publish('users.user.updated.v1', JSON.stringify(kept), { msgID: kept.id });
  await js.publish('users.user.password_reset_requested.v1', oldTokenEvent('users.user.password_reset_requested.v1', 3));
  await js.publish('users.user.verification_requested.v1', oldTokenEvent('users.user.verification_requested.v1', 4));

  // Dead letters as a consumer of the old subjects would have left them, and one of another subject.
  const deadLetter = async (originalSubject: string, data: string) => {
    const headers = natsHeaders();
    headers.set(deadLetterHeaders.subject, originalSubject);
    headers.set(deadLetterHeaders.stream, 'USERS');
    headers.set(deadLetterHeaders.reason, 'exhausted');
    await js.publish(deadLetterSubjectOf('notifications', 'mails'), data, { headers });
  };
  await deadLetter('users.user.password_reset_requested.v1', oldTokenEvent('users.user.password_reset_requested.v1', 5));
  await deadLetter('users.user.updated.v1', JSON.stringify(kept));

  expect(await purgeRetiredSubjects(nc)).toEqual({
    removed: { 'users.user.verification_requested.v1': 2, 'users.user.password_reset_requested.v1': 1 },
    deadLetters: 1,
  });
  expect(await subjectsIn('USERS')).toEqual(['users.user.updated.v1']);
  expect(await subjectsIn('DEADLETTER')).toEqual(['deadletter.notifications.mails']);
  const jsm = await jetstreamManager(nc);
  const { state } = await jsm.streams.info('DEADLETTER');
  const remaining = await jsm.streams.getMessage('DEADLETTER', { seq: state.last_seq });
  expect(remaining!.header!.get(deadLetterHeaders.subject)).toBe('users.user.updated.v1');

  expect(await purgeRetiredSubjects(nc)).toEqual({ removed: { 'users.user.verification_requested.v1': 0, 'users.user.password_reset_requested.v1': 0 }, deadLetters: 0 });
});

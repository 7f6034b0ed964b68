/** A statement a client sent: its text and its values. */
export type SentStatement = { text: string; values: readonly unknown[] };

type QueryingClient = { query: (...args: never[]) => unknown };

/**
 * The same client (a node-postgres client or pool client), handing every statement it sends with
 * `query(text, values)` to `seen` first: for tests of what a writer sends, such as one statement
 * text for batches of any size.
 */
export function watchStatements<Client extends QueryingClient>(client: Client, seen: (statement: SentStatement) => void): Client {
  return new Proxy(client, {
    get(target, property, receiver) {
      if (property !== 'query') return Reflect.get(target, property, receiver) as unknown;
      return (text: unknown, values?: unknown[]) => {
        if (typeof text === 'string') seen({ text, values: values ?? [] });
        return (target.query as (text: unknown, values?: unknown[]) => unknown).call(target, text, values);
      };
    },
  });
}

export type GraphQLResponse<T = Record<string, unknown>> = {
  status: number;
  headers: Headers;
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> & { code?: string } }[];
};

/** Sends one GraphQL operation over HTTP the way a client would. */
export async function postGraphQL<T = Record<string, any>>(
  url: string,
  body: { query: string; variables?: Record<string, unknown>; operationName?: string },
  options: { token?: string; headers?: Record<string, string> } = {},
): Promise<GraphQLResponse<T>> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...options.headers,
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: Omit<GraphQLResponse<T>, 'status' | 'headers'>;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = { errors: [{ message: text }] };
  }
  return { status: response.status, headers: response.headers, ...parsed };
}

/** The extensions.code of a response's first error, or undefined when it has none. */
export function errorCodeOf(response: { errors?: { extensions?: { code?: string } }[] }): string | undefined {
  return response.errors?.[0]?.extensions?.code;
}

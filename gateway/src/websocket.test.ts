import { print } from 'graphql';
import { createDocumentParser, PARSED_DOCUMENTS_KEPT } from './websocket.js';

// The socket's document parser, on its own (the socket itself is tested through the platform in test/).

describe('createDocumentParser', () => {
  it('hands out one parsed document per text, keeps at most PARSED_DOCUMENTS_KEPT texts, and still refuses what does not parse', () => {
    const parseDocument = createDocumentParser();
    const text = 'subscription OnNotification { notificationReceived { id title } }';
    const first = parseDocument(text);
    expect(parseDocument(text)).toBe(first);
    expect(print(first)).toContain('notificationReceived');

    for (let i = 0; i < PARSED_DOCUMENTS_KEPT; i += 1) parseDocument(`query Q${i} { me { id } }`);
    // The oldest text went: it is parsed again, into a new document.
    expect(parseDocument(text)).not.toBe(first);
    expect(parseDocument('query Q999 { me { id } }')).toBe(parseDocument('query Q999 { me { id } }'));

    expect(() => parseDocument('subscription {')).toThrow(/Syntax Error/);
  });
});

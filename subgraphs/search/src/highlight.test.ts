import { escapeHighlight } from './highlight.js';

it('escapes the job text and makes only the marked words <mark> elements', () => {
  expect(escapeHighlight('Use \u0001<script>\u0002 & "quotes"', '\u0001', '\u0002')).toBe('Use <mark>&lt;script&gt;</mark> &amp; &quot;quotes&quot;');
});

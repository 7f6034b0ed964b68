const htmlEscapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/**
 * A ts_headline snippet made safe to show as HTML: the job's own text is escaped, and only the
 * matched words, which ts_headline wrapped in the given markers, become <mark> elements.
 */
export function escapeHighlight(snippet: string, start: string, end: string): string {
  const escaped = snippet.replace(/[&<>"']/g, (char) => htmlEscapes[char]!);
  return escaped.replaceAll(start, '<mark>').replaceAll(end, '</mark>');
}

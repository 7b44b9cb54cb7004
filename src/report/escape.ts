// Escaping for the HTML report: every string that reaches the page goes through one of these.

const HTML_ESCAPES: Readonly<Record<string, string>> = Object.freeze({
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
  '`': '&#96;',
  '=': '&#61;',
});

// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

/**
 * Escapes any value for HTML text and for quoted attribute values (`& < > " ' \` =` become entities), so
 * that data from other people (paths, labels, captions) can never open a tag, end an attribute or add
 * an event handler. `null`/`undefined` become ''; other non-strings are converted with `String`.
 * Control characters other than tab, newline and carriage return are dropped (they are invalid in HTML).
 * @example
 * escapeHtml('" onerror=alert(1) x="') // '&quot; onerror&#61;alert(1) x&#61;&quot;'
 */
export function escapeHtml(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'string' ? value : String(value);
  return text.replace(CONTROL_CHARACTERS, '').replace(/[&<>"'`=]/g, (c) => HTML_ESCAPES[c]);
}

/** The same escaping, named for attribute values; always use it inside double quotes. */
export const escapeAttr = escapeHtml;

/**
 * JSON for a `<script type="application/json">` block: `<`, `>`, `&` and U+2028/U+2029 become `\uXXXX`
 * escapes, so a string holding `</script>` or `<!--` cannot end the block; `JSON.parse` of the element's
 * text gives the value back unchanged.
 */
export function jsonForScript(value: unknown): string {
  const text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v)) ?? 'null';
  return text.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A relative file path or data URI that is safe as an `src` (no scheme other than data:image, no `..`). */
export function safeImageSrc(src: string): string | null {
  if (/^data:image\/(png|jpeg|webp|gif);base64,[A-Za-z0-9+/=]+$/.test(src)) return src;
  if (/^[A-Za-z0-9_-][A-Za-z0-9._/-]*$/.test(src) && !src.split('/').includes('..')) return src;
  return null;
}

/**
 * Accepts markup produced by the report's own SVG generators only if it is a single inline `<svg>` with
 * no script, event handler, link, external reference or foreign object; returns null otherwise, so a
 * bug in a generator cannot turn into script on the page.
 */
export function trustedSvg(svg: string): string | null {
  const s = svg.trim();
  if (!s.startsWith('<svg') || !s.endsWith('</svg>')) return null;
  if (/<\s*(script|foreignObject|iframe|object|embed|image|use|a)\b/i.test(s)) return null;
  if (
    /\son[a-z]+\s*=/i.test(s) ||
    /(href|src)\s*=/i.test(s) ||
    /url\s*\(\s*['"]?(?!#)/i.test(s) ||
    /javascript:/i.test(s)
  )
    return null;
  return s;
}

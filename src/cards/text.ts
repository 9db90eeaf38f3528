/**
 * Text helpers for the card model's tiny Markdown subset: **bold**, _italic_, line breaks, and links
 * the bot builds with {@link link}. Pure functions, no I/O.
 *
 * People's text is text: a `[label](https://url)` someone writes stays those characters on both
 * platforms, so a label cannot hide where a link goes. Only {@link link} makes a link; it marks it
 * with characters people's text never carries (see {@link peopleText}).
 */

import { peopleText } from '../domain/people-text';

export const ELLIPSIS = '…';

const OPEN = '\uE000';
const MID = '\uE001';
const CLOSE = '\uE002';
/** A link the bot built: OPEN label MID url CLOSE. */
const LINK_RE = /\uE000([^\uE000-\uE002\n]+)\uE001(https?:\/\/[^\s\uE000-\uE002]+)\uE002/g;
/** A link as people write it in Markdown. */
const MARKDOWN_LINK_RE = /\[([^\]\n]+)\]\((https?:\/\/[^\s)]+)\)/g;

/** A link built by the bot: the only kind of link the renderers draw. `url` must be http(s); otherwise the label alone. */
export function link(label: string, url: string): string {
  const clean = peopleText(label).replace(/\n/g, ' ').trim() || url;
  return /^https?:\/\/[^\s\uE000-\uE002]+$/.test(url) ? `${OPEN}${clean}${MID}${url}${CLOSE}` : clean;
}

/**
 * Turns the Markdown links an organiser wrote in a formatted message (a broadcast) into the bot's own
 * links, their addresses checked (http and https only). Not for anybody else's text.
 */
export function organiserLinks(markdown: string, through?: (url: string, index: number) => string): string {
  let n = 0;
  // `through`: where the n-th link (1, 2…) goes instead (a broadcast's counted link), its address being checked first
  return peopleText(markdown).replace(MARKDOWN_LINK_RE, (_m, label: string, url: string) => link(label, through ? through(url, ++n) : url));
}
/** `**bold**`: content starts and ends with a non-space, stays on one line. */
const BOLD_RE = /\*\*(?=\S)([^\n]*?\S)\*\*/g;
/** `_italic_` only at word boundaries, so `snake_case_names` are left alone. */
const ITALIC_RE = /(^|[\s([>"'])_(?=\S)([^_\n]*?\S)_(?=$|[\s.,;:!?)\]'"<])/gm;

function normaliseNewlines(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

/** Escapes the three characters Slack treats as control characters in mrkdwn and plain `text`. */
export function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * Converts the model's Markdown subset to Slack mrkdwn: escapes `&`, `<`, `>` first, then turns
 * `**bold**` into `*bold*`, keeps `_italic_`, and turns `[label](https://url)` into `<https://url|label>`.
 */
export function toSlackMrkdwn(markdown: string): string {
  const escaped = escapeSlack(normaliseNewlines(markdown));
  // Slack's links are `<url|label>` and `<` is escaped above: only the bot's links become links.
  // `|` would end the label early and `>` is already escaped, so only `|` needs care in labels.
  return escaped.replace(LINK_RE, (_m, label: string, url: string) => `<${url}|${label.replace(/\|/g, '¦')}>`).replace(BOLD_RE, (_m, inner: string) => `*${inner}*`);
}

/**
 * Converts the model's Markdown subset to Adaptive Cards TextBlock markdown. Bold, italic and links
 * are passed through; a single line break becomes `\n\n`, which Teams needs to show a line break
 * outside lists (consecutive list items keep a single `\n`).
 */
export function toAdaptiveMarkdown(markdown: string): string {
  // A Markdown link people wrote would be one in Teams: a word joiner between `]` and `(` keeps its
  // characters and breaks the syntax. Teams drops what reads as an HTML tag (`<texte>`, `<b>`): its `<`
  // is written as an entity, which Teams shows as `<`. Then the bot's own links become Markdown links.
  const text = normaliseNewlines(markdown)
    .replace(/\]\(/g, ']\u2060(')
    .replace(/<(?=[A-Za-z/!?])/g, '&lt;')
    .replace(LINK_RE, (_m, label: string, url: string) => `[${label.replace(/[[\]]/g, '')}](${url})`);
  const lines = text.split('\n');
  const isListItem = (line: string | undefined): boolean => line !== undefined && /^\s*(?:[-*+]\s|\d+[.)]\s)/.test(line);
  let out = lines[0] ?? '';
  for (let i = 1; i < lines.length; i++) {
    const previous = lines[i - 1];
    const current = lines[i];
    if (current === '' || previous === '') {
      // Part of a blank-line run: keep as is (a run of newlines already is a paragraph break).
      out += `\n${current}`;
    } else if (isListItem(previous) && isListItem(current)) {
      out += `\n${current}`;
    } else {
      out += `\n\n${current}`;
    }
  }
  return out;
}

/** Strips the Markdown subset to plain text: `**b**` → `b`, `_i_` → `i`, `[label](url)` → `label`. */
export function toPlainText(markdown: string): string {
  return normaliseNewlines(markdown)
    .replace(LINK_RE, (_m, label: string) => label)
    .replace(BOLD_RE, (_m, inner: string) => inner)
    .replace(ITALIC_RE, (_m, before: string, inner: string) => `${before}${inner}`);
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/**
 * Shortens `text` to at most `max` UTF-16 code units (which is never fewer characters than Slack or
 * Teams count), ending with "…" when something was cut. Never splits a surrogate pair.
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 0) return '';
  if (max === 1) return ELLIPSIS;
  let end = max - ELLIPSIS.length;
  if (end > 0 && isHighSurrogate(text.charCodeAt(end - 1))) end -= 1;
  return text.slice(0, end).trimEnd() + ELLIPSIS;
}

/**
 * Finds a safe place (≤ `max`) to cut Slack mrkdwn: not inside an `&amp;`-style entity nor inside a
 * `<url|label>` token, not between surrogates, preferring a line break, then a space.
 */
function mrkdwnCutIndex(text: string, max: number): number {
  let cut = max;
  const newline = text.lastIndexOf('\n', max);
  const space = text.lastIndexOf(' ', max);
  if (newline >= max / 2) cut = newline + 1;
  else if (space >= max / 2) cut = space + 1;
  // Inside `<…>`?
  const open = text.lastIndexOf('<', cut - 1);
  if (open >= 0 && text.indexOf('>', open) >= cut && open > 0) cut = open;
  // Inside an entity such as `&amp;`?
  const amp = text.lastIndexOf('&', cut - 1);
  if (amp >= 0 && cut - amp < 6 && !text.slice(amp, cut).includes(';') && amp > 0) cut = amp;
  if (cut > 0 && isHighSurrogate(text.charCodeAt(cut - 1))) cut -= 1;
  return cut > 0 ? cut : max;
}

/**
 * Splits already-converted Slack mrkdwn into chunks of at most `max` code units, cutting at line
 * breaks or spaces where possible and never inside an entity or a `<link|label>`.
 */
export function splitMrkdwn(text: string, max: number): string[] {
  const chunks: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const cut = mrkdwnCutIndex(rest, max);
    const chunk = rest.slice(0, cut).trimEnd();
    if (chunk.length > 0) chunks.push(chunk);
    rest = rest.slice(cut).replace(/^[ \n]+/, '');
  }
  if (rest.length > 0 || chunks.length === 0) chunks.push(rest);
  return chunks;
}

/** Shortens already-converted Slack mrkdwn to at most `max` code units without breaking tokens. */
export function truncateMrkdwn(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 1) return truncate(text, max);
  const cut = mrkdwnCutIndex(text, max - ELLIPSIS.length);
  return text.slice(0, cut).trimEnd() + ELLIPSIS;
}

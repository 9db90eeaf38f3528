import {
  escapeSlack,
  splitMrkdwn,
  toAdaptiveMarkdown,
  toPlainText,
  toSlackMrkdwn,
  truncate,
  truncateMrkdwn,
  verbFromActionId,
} from '../../../src/cards';

describe('Slack mrkdwn', () => {
  test('escapes &, < and > before anything else', () => {
    expect(escapeSlack('a & b <c> d')).toBe('a &amp; b &lt;c&gt; d');
    expect(toSlackMrkdwn('<script>alert("x")</script> & <!channel> <@U123>')).toBe(
      '&lt;script&gt;alert("x")&lt;/script&gt; &amp; &lt;!channel&gt; &lt;@U123&gt;',
    );
    // Already-escaped input is escaped again, not trusted.
    expect(toSlackMrkdwn('&amp;')).toBe('&amp;amp;');
  });

  test('converts bold, keeps italic, converts links', () => {
    expect(toSlackMrkdwn('**bold** and _italic_')).toBe('*bold* and _italic_');
    expect(toSlackMrkdwn('Read [the charter](https://example.org/c?a=1&b=2).')).toBe(
      'Read <https://example.org/c?a=1&amp;b=2|the charter>.',
    );
    expect(toSlackMrkdwn('[**Bold** <link>](https://x.org)')).toBe('<https://x.org|*Bold* &lt;link&gt;>');
    expect(toSlackMrkdwn('line 1\r\nline 2\nline 3')).toBe('line 1\nline 2\nline 3');
  });

  test('leaves non-links and non-bold alone', () => {
    expect(toSlackMrkdwn('[not a link](javascript:alert(1))')).toBe('[not a link](javascript:alert(1))');
    expect(toSlackMrkdwn('2 ** 3 and a*b')).toBe('2 ** 3 and a*b');
    expect(toSlackMrkdwn('snake_case_name')).toBe('snake_case_name');
  });

  test('verbFromActionId strips the duplicate suffix only', () => {
    expect(verbFromActionId('idea.support~3')).toBe('idea.support');
    expect(verbFromActionId('idea.support~12')).toBe('idea.support');
    expect(verbFromActionId('idea.support')).toBe('idea.support');
    expect(verbFromActionId('help-show_2')).toBe('help-show_2');
  });
});

describe('Adaptive Cards markdown', () => {
  test('passes the subset through and doubles single line breaks', () => {
    expect(toAdaptiveMarkdown('**b** _i_ [l](https://x.org) <tag> & co')).toBe('**b** _i_ [l](https://x.org) <tag> & co');
    expect(toAdaptiveMarkdown('a\nb')).toBe('a\n\nb');
    expect(toAdaptiveMarkdown('a\r\n\r\nb')).toBe('a\n\nb');
    expect(toAdaptiveMarkdown('Intro\n- one\n- two\nEnd')).toBe('Intro\n\n- one\n- two\n\nEnd');
  });
});

describe('plain text', () => {
  test('strips the subset', () => {
    expect(toPlainText('**Bold** _it_ [label](https://x.org) snake_case_name')).toBe('Bold it label snake_case_name');
  });
});

describe('truncate', () => {
  test('keeps short text and ends cut text with an ellipsis within the limit', () => {
    expect(truncate('short', 10)).toBe('short');
    expect(truncate('exactly10!', 10)).toBe('exactly10!');
    const cut = truncate('abcdefghijklmnop', 10);
    expect(cut).toBe('abcdefghi…');
    expect(cut.length).toBe(10);
    expect(truncate('abc', 1)).toBe('…');
    expect(truncate('abc', 0)).toBe('');
  });

  test('never splits a surrogate pair', () => {
    const cut = truncate('ab😀😀😀', 4);
    expect(cut.length).toBeLessThanOrEqual(4);
    expect(cut).toBe('ab…');
    expect(() => encodeURIComponent(cut)).not.toThrow();
  });

  test('mrkdwn helpers never cut inside an entity or a link', () => {
    const text = `${'word '.repeat(10)}<https://example.org/a|a link> &amp; more`;
    for (let max = 5; max < text.length; max++) {
      const cut = truncateMrkdwn(text, max);
      expect(cut.length).toBeLessThanOrEqual(max);
      expect(cut).not.toMatch(/<[^>]*$/);
      expect(cut).not.toMatch(/&[a-z]{0,3}…$/);
      for (const chunk of splitMrkdwn(text, Math.max(max, 30))) {
        expect(chunk.length).toBeLessThanOrEqual(Math.max(max, 30));
        expect(chunk).not.toMatch(/<[^>]*$/);
        expect(chunk).not.toMatch(/^[^<]*>/);
      }
    }
    expect(splitMrkdwn(text, 1000)).toEqual([text]);
    expect(splitMrkdwn('', 10)).toEqual(['']);
  });
});

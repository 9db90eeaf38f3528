import { escapeSlack, splitMrkdwn, toAdaptiveMarkdown, toPlainText, toSlackMrkdwn, truncate, truncateMrkdwn, verbFromActionId, link, organiserLinks } from '../../../src/cards';
import { peopleText } from '../../../src/domain/people-text';

describe('Slack mrkdwn', () => {
  test('escapes &, < and > before anything else', () => {
    expect(escapeSlack('a & b <c> d')).toBe('a &amp; b &lt;c&gt; d');
    expect(toSlackMrkdwn('<script>alert("x")</script> & <!channel> <@U123>')).toBe('&lt;script&gt;alert("x")&lt;/script&gt; &amp; &lt;!channel&gt; &lt;@U123&gt;');
    // Already-escaped input is escaped again, not trusted.
    expect(toSlackMrkdwn('&amp;')).toBe('&amp;amp;');
  });

  test("converts bold, keeps italic, converts the bot's links", () => {
    expect(toSlackMrkdwn('**bold** and _italic_')).toBe('*bold* and _italic_');
    expect(toSlackMrkdwn(`Read ${link('the charter', 'https://example.org/c?a=1&b=2')}.`)).toBe('Read <https://example.org/c?a=1&amp;b=2|the charter>.');
    expect(toSlackMrkdwn(link('**Bold** <link>', 'https://x.org'))).toBe('<https://x.org|*Bold* &lt;link&gt;>');
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
    expect(toAdaptiveMarkdown(`**b** _i_ ${link('l', 'https://x.org')} & co`)).toBe('**b** _i_ [l](https://x.org) & co');
    expect(toAdaptiveMarkdown('a\nb')).toBe('a\n\nb');
    expect(toAdaptiveMarkdown('a\r\n\r\nb')).toBe('a\n\nb');
    expect(toAdaptiveMarkdown('Intro\n- one\n- two\nEnd')).toBe('Intro\n\n- one\n- two\n\nEnd');
  });
});

describe('plain text', () => {
  test('strips the subset', () => {
    expect(toPlainText(`**Bold** _it_ ${link('label', 'https://x.org')} snake_case_name`)).toBe('Bold it label snake_case_name');
    expect(toPlainText('[label](https://x.org)')).toBe('[label](https://x.org)');
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

describe('angle brackets on Teams', () => {
  test('what would read as an HTML tag keeps its characters (Teams drops a tag: « idee <votre idée> » showed « idee »)', () => {
    expect(toAdaptiveMarkdown('« idee <votre idee> » et <b>gras</b>, </i>')).toBe('« idee &lt;votre idee> » et &lt;b>gras&lt;/b>, &lt;/i>');
    expect(toAdaptiveMarkdown('2 < 3, <2>, a<-b')).toBe('2 < 3, <2>, a<-b');
  });
});

describe("people's text is text", () => {
  const disguised = '[https://intranet.exemple.fr](https://evil.example/x)';

  test('a Markdown link people write is no link on Slack: its characters are shown, the bare URL as the URL', () => {
    expect(toSlackMrkdwn(disguised)).toBe(disguised);
    expect(toSlackMrkdwn(disguised)).not.toContain('|');
  });

  test('nor on Teams: a word joiner breaks the syntax, the characters stay', () => {
    const out = toAdaptiveMarkdown(disguised);
    expect(out).toBe('[https://intranet.exemple.fr]\u2060(https://evil.example/x)');
    expect(out).not.toMatch(/\]\(/);
  });

  test('control characters, bidirectional overrides and the link marks are stripped from people’s text', () => {
    expect(peopleText('a\u0000b\u001bc\u202Eexe.txt\u2066d\u2069\u007f\u0085e')).toBe('abcexe.txtde');
    expect(peopleText('line 1\nline 2\tend\r\n')).toBe('line 1\nline 2\tend\r\n');
    // somebody cannot forge a bot link by typing its marks
    const forged = `\uE000intranet\uE001https://evil.example\uE002`;
    expect(toSlackMrkdwn(peopleText(forged))).toBe('intranethttps://evil.example');
  });

  test('link() builds http(s) links only', () => {
    expect(toSlackMrkdwn(link('go', 'javascript:alert(1)'))).toBe('go');
    expect(toSlackMrkdwn(link('go', 'https://ok.example/a'))).toBe('<https://ok.example/a|go>');
  });

  test("an organiser's formatted message keeps its links, addresses checked", () => {
    expect(toSlackMrkdwn(organiserLinks('Voir [le site](https://exemple.fr) et [ça](javascript:x)'))).toBe('Voir <https://exemple.fr|le site> et [ça](javascript:x)');
  });
});

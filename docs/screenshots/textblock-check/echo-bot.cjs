// A tiny Teams-protocol echo bot (not Ensemble) for the TextBlock markdown check: a message naming a case gets an
// Adaptive Card whose TextBlock holds that case's text verbatim; "all" gets every case, "text" a plain text message.
// Usage: node echo-bot.cjs PORT   (run.cjs starts it)
const http = require('node:http');
const CASES = [
  ['chevrons', 'avant <votre idée> après'],
  ['entities', 'avant &lt;votre idée&gt; après'],
  ['guillemets', 'avant ‹votre idée› après'],
  ['link', 'avant [label](https://example.org) après'],
  ['link-wj', 'avant [label]\u2060(https://example.org) après'],
  ['amp', 'avant &amp;lt;votre idée&amp;gt; après, A &amp; B, A & B'],
  ['html', 'avant <b>gras</b> <i>x</i> après'],
  ['tags', 'a <votre> b <idee> c <span>d</span> e <no.> f <br> g <p>h</p> i'],
  ['tags2', 'a <votre idee> b <votre idée> c <titre> d <n°> e <numéro> f <2> g'],
  ['backslash', 'avant \\[label\\](https://example.org) après'],
];
const card = (items) => ({
  type: 'AdaptiveCard',
  version: '1.5',
  body: items.flatMap(([name, text]) => [
    { type: 'TextBlock', text: `case ${name}`, weight: 'Bolder', wrap: true },
    { type: 'TextBlock', text, wrap: true, id: `tb-${name}` },
  ]),
});
http
  .createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', async () => {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
      const a = JSON.parse(body || '{}');
      if (a.type !== 'message') return;
      const t = (a.text || '').trim();
      const items = t === 'all' ? CASES : CASES.filter(([n]) => n === t);
      if (items.length === 0 && t !== 'text') return;
      const reply = t === 'text'
        ? { text: 'plain **bold** <votre idée> [l](https://example.org)' }
        : { attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: card(items) }] };
      const url = `${a.serviceUrl.replace(/\/$/, '')}/v3/conversations/${encodeURIComponent(a.conversation.id)}/activities/${encodeURIComponent(a.id)}`;
      await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'message', from: a.recipient, recipient: a.from, conversation: a.conversation, replyToId: a.id, ...reply }),
      });
    });
  })
  .listen(Number(process.argv[2]), '127.0.0.1');

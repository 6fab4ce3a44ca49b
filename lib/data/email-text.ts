import { simpleParser } from "mailparser";
import { convert, type HtmlToTextOptions } from "html-to-text";

/** The readable text of one e-mail: what a classifier is trained on. */
export interface EmailText {
  /** The decoded `Subject` header, on one line ("" when absent). */
  subject: string;
  /** The decoded body: plain text part, or the HTML part turned into text. */
  body: string;
  /** `subject + "\n\n" + body`, whitespace normalised and trimmed. */
  text: string;
}

const HTML_OPTIONS: HtmlToTextOptions = {
  wordwrap: false,
  preserveNewlines: false,
  selectors: [
    // Link text only: no "[http://...]" after it, and no image URLs at all.
    { selector: "a", options: { ignoreHref: true } },
    { selector: "img", format: "skip" },
    { selector: "head", format: "skip" },
    { selector: "style", format: "skip" },
    { selector: "script", format: "skip" },
    { selector: "noscript", format: "skip" },
    { selector: "title", format: "skip" },
    { selector: "object", format: "skip" },
    { selector: "iframe", format: "skip" },
    { selector: "hr", format: "skip" },
    { selector: "h1", options: { uppercase: false } },
    { selector: "h2", options: { uppercase: false } },
    { selector: "h3", options: { uppercase: false } },
    { selector: "h4", options: { uppercase: false } },
    { selector: "h5", options: { uppercase: false } },
    { selector: "h6", options: { uppercase: false } },
    { selector: "table", format: "block" },
    { selector: "tr", format: "block" },
    { selector: "td", format: "inline" },
    { selector: "th", format: "inline" },
  ],
};

/** HTML to plain text; falls back to a crude tag strip if the converter fails. */
export function htmlToPlain(html: string): string {
  try {
    return convert(html, HTML_OPTIONS);
  } catch {
    return stripTags(html);
  }
}

const NAMED_ENTITIES: Record<string, string> = {
  nbsp: " ",
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
  copy: "©",
  reg: "®",
};

/** A last-resort tag stripper (no parser), used only when the proper tools failed. */
function stripTags(html: string): string {
  return decodeEntities(
    html
      .replace(/<(script|style|head)\b[\s\S]*?<\/\1\s*>/gi, " ")
      .replace(/<!--[\s\S]*?-->/g, " ")
      .replace(/<br\s*\/?>|<\/(p|div|tr|li|h[1-6])\s*>/gi, "\n")
      .replace(/<[^>]*>/g, " "),
  );
}

/** Numeric and the common named character references (plain text parts of RSS digests carry them). */
function decodeEntities(s: string): string {
  return s
    .replace(/&#(\d+);/g, (_, d: string) => safeFromCodePoint(Number(d)))
    .replace(/&#x([0-9a-f]+);/gi, (_, h: string) => safeFromCodePoint(parseInt(h, 16)))
    .replace(/&([a-z]+);/gi, (m, name: string) => NAMED_ENTITIES[name.toLowerCase()] ?? m);
}

function safeFromCodePoint(cp: number): string {
  try {
    return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : " ";
  } catch {
    return " ";
  }
}

// A text/plain part that really is HTML (common in spam): a document tag, or plenty of markup.
const HTML_DOC = /<\s*(html|body|head)\b/i;
const HTML_TAG =
  /<\/?(p|br|div|font|table|tr|td|a|span|img|center|b|i|u|strong|em|meta|li|ul|ol|h[1-6]|style|script)\b[^<>]*>/gi;

function looksLikeHtml(s: string): boolean {
  if (HTML_DOC.test(s)) return true;
  const tags = s.match(HTML_TAG);
  return tags !== null && tags.length >= 5;
}

// A body left quoted-printable encoded (the part said no encoding, or was nested badly): soft line
// breaks, or several encoded bytes such as "=20", "=3D", "=09" or 8-bit "=E9".
const QP_SOFT_BREAK = /=\r?\n/g;
const QP_BYTE = /=[0-9A-F]{2}/g;
const QP_TELLTALE = /=(20|3D|09|[89A-F][0-9A-F])/g;

function looksQuotedPrintable(s: string): boolean {
  const soft = s.match(QP_SOFT_BREAK)?.length ?? 0;
  const telltale = s.match(QP_TELLTALE)?.length ?? 0;
  return soft >= 2 || telltale >= 3;
}

function decodeQuotedPrintable(s: string): string {
  const bytes: number[] = [];
  const input = s.replace(QP_SOFT_BREAK, "");
  let ascii = true;
  for (let i = 0; i < input.length; i++) {
    const c = input.charCodeAt(i);
    if (c === 0x3d && /^[0-9A-F]{2}$/.test(input.slice(i + 1, i + 3))) {
      bytes.push(parseInt(input.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c < 0x80) {
      bytes.push(c);
    } else {
      ascii = false;
      break;
    }
  }
  // A string that already has non-ASCII characters was decoded once: only undo the escapes.
  if (!ascii) return input.replace(QP_BYTE, (m) => String.fromCharCode(parseInt(m.slice(1), 16)));
  const buf = Buffer.from(bytes);
  const utf8 = buf.toString("utf8");
  return utf8.includes("\uFFFD") ? buf.toString("latin1") : utf8;
}

// Long unbroken runs of base64 characters: an attachment or a part that was not decoded.
const BASE64_LINE = /^[ \t>|]*[A-Za-z0-9+/]{60,}={0,2}[ \t]*$/gm;
const UUENCODE_BLOCK = /^begin [0-7]{3} \S+\n[\s\S]*?^end[ \t]*$/gm;
// PGP armour carries no words: "-----BEGIN PGP SIGNATURE----- ... -----END PGP SIGNATURE-----" (also
// MESSAGE and PUBLIC KEY BLOCK), quoted or not.
const PGP_ARMOUR =
  /^[ \t>|]*-----BEGIN PGP (SIGNATURE|MESSAGE|PUBLIC KEY BLOCK)-----[\s\S]*?-----END PGP \1-----[ \t]*$/gm;
const PGP_SIGNED_HEADER = /^[ \t>|]*-----BEGIN PGP SIGNED MESSAGE-----[ \t]*\n([ \t>|]*Hash:.*\n)?/gm;
// Leftover MIME boundaries ("------=_NextPart_000_...", "--==_Exmh_1988991284P"), found in badly nested
// spam and in quoted replies.
const MIME_BOUNDARY = /^[ \t>|]*--[-=_.A-Za-z0-9]*[=_.][-=_.A-Za-z0-9]{8,}[ \t]*$/gm;
// Transport and MIME header lines (with their folded continuation lines) pasted or quoted into a body,
// matched only where the value looks like a header's, so prose such as "Content-Type: message/rfc822
// mails are handled like attachments" stays. Conversational headers of quoted replies ("> From:",
// "> Date:", "> Subject:") are left alone.
const HEADER_LINE = new RegExp(
  String.raw`^([ \t>|)*+]*(?:\w{1,12}> ?)?)` +
    "(?:" +
    [
      String.raw`Received:[ \t]+(?:from|by|via|with|id|\().*`,
      String.raw`Content-Type:[ \t]*[\w.-]+/[\w.+-]+[ \t]*(?:;.*)?`,
      String.raw`Content-Transfer-Encoding:[ \t]*[\w-]+[ \t]*`,
      String.raw`Content-Disposition:[ \t]*(?:inline|attachment)\b.*`,
      String.raw`(?:Return-Path|Delivered-To|Message-ID|Content-ID|MIME-Version|X-[A-Za-z0-9-]+):.*`,
    ].join("|") +
    String.raw`)$(?:\n\1[ \t]+\S.*)*`,
  "gim",
);

/** Tags in a text part that is mostly prose: line breaks stay line breaks, the rest goes. */
function stripStrayTags(s: string): string {
  return decodeEntities(s.replace(HTML_TAG, (tag) => (/^<\/?(br|p|div|tr|li)\b/i.test(tag) ? "\n" : "")));
}

/** Normalise whitespace: no control characters, single spaces, at most one blank line, trimmed. */
export function normaliseWhitespace(s: string): string {
  return s
    .replace(/\r\n?/g, "\n")
    .replace(/[\u200B-\u200D\u2060\uFEFF\u00AD]/g, "")
    .replace(/\uFFFD+/g, " ")
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g, " ")
    .replace(/[^\S\n]+/g, " ")
    .replace(/ ?\n ?/g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

function cleanBody(raw: string): string {
  let s = raw.replace(/\r\n?/g, "\n");
  if (looksQuotedPrintable(s)) s = decodeQuotedPrintable(s);
  // A soft line break's trailing "=20" (often in quoted replies) and "=3D" in a decoded text.
  s = s.replace(/=20$/gm, "").replace(/=3D/g, "=");
  s = looksLikeHtml(s) ? htmlToPlain(s) : stripStrayTags(s);
  s = s
    .replace(PGP_ARMOUR, "")
    .replace(PGP_SIGNED_HEADER, "")
    .replace(UUENCODE_BLOCK, "")
    .replace(HEADER_LINE, "")
    .replace(MIME_BOUNDARY, "")
    .replace(BASE64_LINE, "");
  return normaliseWhitespace(s);
}

function oneLine(s: string): string {
  return normaliseWhitespace(s.replace(/\s+/g, " "));
}

function compose(subject: string, body: string): EmailText {
  return { subject, body, text: normaliseWhitespace(`${subject}\n\n${body}`) };
}

// An mbox separator line ("From user@host  Thu Aug 22 12:36:23 2002") is not an RFC-822 header.
const MBOX_FROM = /^From [^\n]*\n/;

/** Used when mailparser fails: the part after the first blank line, tags stripped. */
function fallback(raw: string): EmailText {
  try {
    const s = raw.replace(/\r\n?/g, "\n");
    const cut = s.indexOf("\n\n");
    const head = cut >= 0 ? s.slice(0, cut) : "";
    const bodyRaw = cut >= 0 ? s.slice(cut + 2) : s;
    const subjectMatch = /^Subject:[ \t]*(.*(?:\n[ \t].*)*)/im.exec(head);
    const subject = subjectMatch ? oneLine(subjectMatch[1]) : "";
    const body = normaliseWhitespace(stripTags(bodyRaw));
    return compose(subject, body);
  } catch {
    return { subject: "", body: "", text: "" };
  }
}

/**
 * The subject and readable body of a raw RFC-822 e-mail: MIME decoded (charsets, quoted-printable,
 * base64), HTML-only messages turned into text without link or image URLs. Never throws: a message
 * the parser cannot read falls back to the part after the first blank line with tags stripped.
 */
export async function emailToText(raw: string): Promise<EmailText> {
  if (typeof raw !== "string" || raw.length === 0) return { subject: "", body: "", text: "" };
  try {
    // The corpus was stored as UTF-8 text: bytes that were not UTF-8 became U+FFFD, which would be
    // re-encoded and then decoded with the part's declared charset into "ï¿½". Drop them first.
    const input = raw.replace(MBOX_FROM, "").replace(/\uFFFD+/g, " ");
    const mail = await simpleParser(input, {
      skipHtmlToText: true,
      skipTextToHtml: true,
      skipImageLinks: true,
      keepCidLinks: true,
      checksumAlgo: false,
    });
    const subject = oneLine(mail.subject ?? "");
    let body = cleanBody(mail.text ?? "");
    if (body.length === 0 && typeof mail.html === "string" && mail.html.length > 0) {
      body = cleanBody(htmlToPlain(mail.html));
    }
    return compose(subject, body);
  } catch {
    return fallback(raw);
  }
}

// Redis replies (RESP 2, https://redis.io/docs/latest/develop/reference/protocol-spec/), read
// from text decoded as latin1: one character per byte, so bulk lengths count characters.

/** A reply: a simple or bulk string, an integer, null, an error, or an array of replies. */
export type Reply = string | number | null | ReplyError | Reply[];

/** An error reply (`-ERR …`), returned as a value rather than thrown. */
export class ReplyError {
  constructor(readonly message: string) {}
}

/**
 * The first complete reply in `text` from `at`, and where it ends; undefined while incomplete
 * (more bytes to come).
 */
export function parseReply(text: string, at = 0): { reply: Reply; end: number } | undefined {
  const lineEnd = text.indexOf('\r\n', at);
  if (lineEnd === -1) return undefined;
  const line = text.slice(at + 1, lineEnd);
  const next = lineEnd + 2;
  switch (text[at]) {
    case '+':
      return { reply: line, end: next };
    case '-':
      return { reply: new ReplyError(line), end: next };
    case ':':
      return { reply: Number(line), end: next };
    case '$': {
      const length = Number(line);
      if (length < 0) return { reply: null, end: next };
      if (text.length < next + length + 2) return undefined;
      return { reply: text.slice(next, next + length), end: next + length + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count < 0) return { reply: null, end: next };
      const items: Reply[] = [];
      let end = next;
      for (let i = 0; i < count; i++) {
        const item = parseReply(text, end);
        if (!item) return undefined;
        items.push(item.reply);
        end = item.end;
      }
      return { reply: items, end };
    }
    default:
      throw new Error(`not a Redis reply: ${JSON.stringify(text.slice(at, at + 40))}`);
  }
}

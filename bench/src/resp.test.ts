import { parseReply, ReplyError } from './resp';

describe('parseReply', () => {
  it('reads simple strings, errors, integers and bulk strings', () => {
    expect(parseReply('+OK\r\n')).toEqual({ reply: 'OK', end: 5 });
    expect(parseReply('-ERR no\r\n')?.reply).toEqual(new ReplyError('ERR no'));
    expect(parseReply(':42\r\n')?.reply).toBe(42);
    expect(parseReply('$5\r\nhe\r\no\r\n')?.reply).toBe('he\r\no');
    expect(parseReply('$-1\r\n')?.reply).toBeNull();
  });

  it('reads nested arrays, such as a SCAN reply', () => {
    expect(parseReply('*2\r\n$1\r\n0\r\n*2\r\n$1\r\na\r\n$2\r\nbc\r\n')?.reply).toEqual([
      '0',
      ['a', 'bc'],
    ]);
  });

  it('says a reply is incomplete until its last byte is in', () => {
    expect(parseReply('')).toBeUndefined();
    expect(parseReply('+OK')).toBeUndefined();
    expect(parseReply('$5\r\nhel')).toBeUndefined();
    expect(parseReply('*2\r\n$1\r\n0\r\n*1\r\n')).toBeUndefined();
  });
});

// core/cri.ts (headers, and headers glued inside a longer text) and core/lines.ts.
import { CriHeader, CriStatus, Stream, Tag, findHeaderLine, parseCriHeader } from "../../assembly/core/cri";
import { decodedLength, lineTextEnd, nextLine } from "../../assembly/core/lines";
import { text, textLen } from "./helpers";

const H = changetype<CriHeader>(memory.data(<i32>offsetof<CriHeader>(), 8));

class HeaderCase { constructor(public line: string, public status: CriStatus, public stream: Stream = Stream.None, public tag: Tag = Tag.None, public message: string = "") {} }

const HEADERS: HeaderCase[] = [
  new HeaderCase("2023-10-16T09:48:55.123456789Z stderr F message", CriStatus.Ok, Stream.Stderr, Tag.Full, "message"),
  new HeaderCase("2023-10-16T09:48:55Z stdout P part", CriStatus.Ok, Stream.Stdout, Tag.Partial, "part"),
  new HeaderCase("2023-10-16T09:48:55Z stdout F ", CriStatus.Ok, Stream.Stdout, Tag.Full, ""),
  new HeaderCase("2023-10-16T09:48:55Z stdout F", CriStatus.Ok, Stream.Stdout, Tag.Full, ""),
  new HeaderCase("2023-10-16T09:48:55Z stdout F  lead", CriStatus.Ok, Stream.Stdout, Tag.Full, " lead"),
  // The tag field is a `:` list; its first element decides (the CRI API's LogTagDelimiter).
  new HeaderCase("2023-10-16T09:48:55Z stdout P:TAG1:TAG2 x", CriStatus.Ok, Stream.Stdout, Tag.Partial, "x"),
  new HeaderCase("2023-10-16T09:48:55Z stdout F:x y", CriStatus.Ok, Stream.Stdout, Tag.Full, "y"),
  new HeaderCase("2023-10-16T09:48:55Z stdout X:P y", CriStatus.Ok, Stream.Stdout, Tag.Other, "y"),
  new HeaderCase("2023-10-16T09:48:55Z stdout :P y", CriStatus.Ok, Stream.Stdout, Tag.Other, "y"),
  new HeaderCase("2023-10-16T09:48:55Z stdout F a stdout F b", CriStatus.Ok, Stream.Stdout, Tag.Full, "a stdout F b"),
  new HeaderCase("2017-09-12T22:32:21.212861448Z stdout 2017-09-12 22:32:21.212 [INFO]", CriStatus.Ok, Stream.Stdout, Tag.Other, "22:32:21.212 [INFO]"),
  new HeaderCase("2023-10-16T09:48:55Z stdlog F x", CriStatus.BadStream),
  new HeaderCase("2023-10-16T09:48:55Z std", CriStatus.BadStream),
  new HeaderCase("2023-10-16T09:48:55Z stdout", CriStatus.NoTag),
  new HeaderCase("2023-10-16T09:48:55Z stdout  F x", CriStatus.NoTag),
  new HeaderCase("2023-10-16T09:48:55Z", CriStatus.NoStream),
  new HeaderCase("2023-10-16T09:48:55Zstdout F x", CriStatus.NoStream),
  new HeaderCase("3242 stderr F message", CriStatus.BadTime),
  new HeaderCase("", CriStatus.BadTime),
];

describe("parseCriHeader: split at the first three spaces, as kubelet does", () => {
  it("every table row", () => {
    for (let i = 0; i < HEADERS.length; i++) {
      const c = HEADERS[i];
      const p = text(c.line);
      const end = p + textLen(c.line);
      expect(parseCriHeader(p, end, H)).toBe(c.status, c.line);
      if (c.status != CriStatus.Ok) continue;
      expect(H.stream).toBe(c.stream, c.line);
      expect(H.tag).toBe(c.tag, c.line);
      expect(String.UTF8.decodeUnsafe(H.message, end - H.message)).toBe(c.message, c.line);
    }
  });
});

describe("escaped lines and glued headers", () => {
  const GLUED = "first line\\n  File \\\"x.py\\\"\\n2023-10-16T09:48:56.5Z stderr F Traceback\\nlast";
  it("lines end at an escaped line break, not at other escapes", () => {
    const p = text(GLUED);
    const end = p + textLen(GLUED);
    const second = nextLine(p, end);
    expect(<i32>(second - p)).toBe(12);
    expect(<i32>(lineTextEnd(p, second) - p)).toBe(10);
    const third = nextLine(second, end);
    expect(String.UTF8.decodeUnsafe(second, lineTextEnd(second, third) - second)).toBe('  File \\"x.py\\"');
    expect(nextLine(end, end)).toBe(end);
  });
  it("findHeaderLine finds the raw CRI line glued in, with its parts", () => {
    const p = text(GLUED);
    const end = p + textLen(GLUED);
    const at = findHeaderLine(p, end, H);
    expect(String.UTF8.decodeUnsafe(at, 22)).toBe("2023-10-16T09:48:56.5Z");
    expect(H.stream).toBe(Stream.Stderr);
    expect(String.UTF8.decodeUnsafe(H.message, 9)).toBe("Traceback");
    expect(findHeaderLine(nextLine(at, end), end, H)).toBe(end);
    // A header in the middle of a line is text, not a glued line.
    const q = text("a 2023-10-16T09:48:56.5Z stderr F x");
    expect(findHeaderLine(q, q + 35, H)).toBe(q + 35);
  });
  it("decodedLength counts the bytes the escaped text stands for", () => {
    const s = "a\\nb\\u00e9\\u20ac\\ud83d\\ude00\\\"";
    const p = text(s);
    expect(decodedLength(p, p + textLen(s), p)).toBe(1 + 1 + 1 + 2 + 3 + 4 + 1);
    // With where the first backslash is known, the text before it is not scanned again.
    expect(decodedLength(p, p + textLen(s), p + 1)).toBe(1 + 1 + 1 + 2 + 3 + 4 + 1);
    const plain = "no escapes";
    const q = text(plain);
    expect(decodedLength(q, q + 10, q + 10)).toBe(10);
  });
});

// What the filter learns about one record from the members the runner noted, and the defects derived from it.
import { pieceBytes } from "../config/config";
import { Stream, Tag } from "../core/cri";
import { LineKind } from "./continuation";
import { decodedLength } from "../core/lines";
import { LogScan } from "./log-scan";
import { Key } from "./cri-plan";
import { CopiedRecord } from "../sdk/pass";
import { WatchedMember, watchedMember } from "../sdk/watched";

// @ts-ignore: decorator
@inline function noted(k: Key): WatchedMember { return watchedMember(k); }

@unmanaged export class RecordFacts {
  /** The watched members the record has (CopiedRecord.seen): read where the runner noted them. */
  seen: u32;
  get hasLog(): bool { return (this.seen & (1 << Key.Log)) != 0; }
  /** Escaped text of `log`, inside the quotes. */
  get logStart(): usize { return noted(Key.Log).start + 1; }
  get logEnd(): usize { return noted(Key.Log).end - 1; }
  /** No backslash in `log` before this address. */
  get logClean(): usize { return noted(Key.Log).plain; }
  get hasTime(): bool { return (this.seen & (1 << Key.Time)) != 0; }
  get timeStart(): usize { return noted(Key.Time).start + 1; }
  get timeEnd(): usize { return noted(Key.Time).end - 1; }
  get hasStream(): bool { return (this.seen & (1 << Key.Stream)) != 0; }
  get hasTagKey(): bool { return (this.seen & (1 << Key.Tag)) != 0; }
  stream: Stream;
  tagKeyIsP: bool;

  // Derived by analyse():
  gluedRaw: bool; // raw CRI lines joined into one record
  severalMessages: bool;
  /** Decoded bytes of `log`; computed only when a check needs it (-1 until then). */
  messageBytes: i32;
  partial: bool;
  mixedStreams: bool;
  continuationStart: bool;
  unknownTag: bool;

  /** A new record: what the runner noted of it. */
  read(r: CopiedRecord): void {
    this.seen = r.seen;
    this.stream = Stream.None;
    if (this.hasStream) {
      const v = noted(Key.Stream);
      // Exactly "stderr" (it holds nothing a JSON writer escapes); any other text counts as stdout.
      if (v.isString) this.stream = v.end - v.start == 8 && load<u32>(v.start, 1) == 0x65647473 && load<u16>(v.start, 5) == 0x7272 ? Stream.Stderr : Stream.Stdout;
    }
    this.tagKeyIsP = false;
    if (this.hasTagKey) {
      // `P`, or `P:` and more tags (the whole field, from a regex parser such as `cri`'s logtag).
      const v = noted(Key.Tag);
      const n = v.end - v.start - 2;
      this.tagKeyIsP = v.isString && n >= 1 && load<u8>(v.start, 1) == 0x50 && (n == 1 || load<u8>(v.start, 2) == 0x3a);
    }
    this.gluedRaw = false; this.severalMessages = false; this.partial = false;
    this.mixedStreams = false; this.continuationStart = false; this.unknownTag = false;
    this.messageBytes = -1;
  }

  logBytes(): i32 {
    if (this.messageBytes < 0) this.messageBytes = decodedLength(this.logStart, this.logEnd, this.logClean);
    return this.messageBytes;
  }

  /** Derives the defects from what scanLog() found in `log`. */
  analyse(s: LogScan): void {
    if (!this.hasLog) return;
    this.gluedRaw = s.criLines > 1;
    this.severalMessages = s.messageStarts > 1;
    this.continuationStart = s.kind == LineKind.Continuation;
    this.unknownTag = s.isCri && s.tag == Tag.Other;
    // A `P` piece that never got its `F`:
    //  - raw CRI text whose last line is tagged P;
    //  - the cri parser's `_p: "P"`, which it also keeps on joined messages: only an exact
    //    multiple of the runtime's piece size (containerd splits at 16 KiB) is a lone piece;
    //  - the docker parser's output (time, no `_p`): a complete line keeps its `\n`.
    if (s.criLines > 0) this.partial = s.lastTag == Tag.Partial;
    else if (this.hasTagKey) this.partial = this.tagKeyIsP && pieceBytes > 0 && this.logBytes() > 0 && <i64>this.logBytes() % pieceBytes == 0;
    else if (this.hasTime && this.hasStream) this.partial = !s.endsWithNewline && this.logEnd > this.logStart;
    // Both streams among the raw lines, or raw lines of the other stream than the record's.
    this.mixedStreams = (s.sawStdout && s.sawStderr) ||
      (this.hasStream && this.stream != Stream.None && s.criLines > 0 && (this.stream == Stream.Stderr ? s.sawStdout : s.sawStderr));
  }
}

export const facts = changetype<RecordFacts>(memory.data(offsetof<RecordFacts>()));

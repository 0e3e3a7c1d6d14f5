// What the filter learns about one record while walking it, and the defects derived from it.
import { pieceBytes } from "../config/config";
import { Stream, Tag } from "../core/cri";
import { LineKind } from "./continuation";
import { decodedLength } from "../core/lines";
import { LogScan } from "./log-scan";

@unmanaged export class RecordFacts {
  hasLog: bool;
  logStart: usize; // escaped text of `log`, inside the quotes
  logEnd: usize;
  logClean: usize; // no backslash in `log` before this address
  hasTime: bool;
  timeStart: usize;
  timeEnd: usize;
  hasStream: bool;
  stream: Stream;
  hasTagKey: bool;
  tagKeyIsP: bool;
  heldTimestamp: usize; // an existing timestamp member, put back when no time is recovered
  heldId: usize; // an existing record id member, put back when no id is made
  heldIdEnd: usize;
  heldTimestampEnd: usize;
  heldEventTime: usize;
  heldEventTimeEnd: usize;
  heldKube: usize; // an existing kubernetes member, put back when the tag has no metadata
  heldKubeEnd: usize;

  // Derived by analyse():
  gluedRaw: bool; // raw CRI lines joined into one record
  severalMessages: bool;
  /** Decoded bytes of `log`; computed only when a check needs it (-1 until then). */
  messageBytes: i32;
  partial: bool;
  mixedStreams: bool;
  continuationStart: bool;
  unknownTag: bool;

  reset(): void {
    this.hasLog = false; this.hasTime = false; this.hasStream = false; this.hasTagKey = false;
    this.tagKeyIsP = false; this.stream = Stream.None;
    this.heldTimestamp = 0; this.heldEventTime = 0; this.heldKube = 0; this.heldId = 0;
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

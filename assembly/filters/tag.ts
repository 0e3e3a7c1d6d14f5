// Reading the tail tag (`kube.var.log.containers.<file>`): shared by the Kubernetes metadata
// (kube.ts) and the record id's container identity (record-id.ts).

/** Just after the last occurrence of `mark` (ASCII) in [tag, end), or 0. */
export function afterLast(tag: usize, end: usize, mark: string): usize {
  const n = <usize>mark.length;
  let found: usize = 0;
  for (let p = tag; p + n <= end; p++) {
    let same = true;
    for (let i: usize = 0; i < n && same; i++) same = <u16>load<u8>(p + i) == load<u16>(changetype<usize>(mark) + (i << 1));
    if (same) found = p + n;
  }
  return found;
}

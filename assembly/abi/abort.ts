// Used through `--use abort=assembly/abi/abort/abort`: the module imports nothing, so WAMR links
// it without warnings. Nothing in the filters calls it (they use no bounds-checked arrays or
// managed objects); if something ever does, the trap costs that one record only.
export function abort(message: usize, fileName: usize, line: u32, column: u32): void {
  unreachable();
}

/**
 * An error in what the user gave (an option, a file, a module, a setting), as opposed to a bug in
 * the tool: `fbwasm` prints its message in one line and exits 2; any other error is a bug and
 * exits 3 with its stack.
 */
export class InputError extends Error {}

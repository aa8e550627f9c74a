// POSIX shell words, for the scripts the program runs on hosts and the commands its advice prints.

/** `s` as one shell word: unquoted when it is plainly safe, else single-quoted. */
export function shellWord(s: string): string {
  return /^[A-Za-z0-9_./:=,@+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export function shellJoin(args: readonly string[]): string {
  return args.map(shellWord).join(" ");
}

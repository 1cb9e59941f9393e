import { describeInternal, isMemscopeError } from '../errors.ts';

/** Exit statuses (listed in the help text): the image or symbols could not be used, the command line was not valid, a bug. */
export const EXIT_DATA_ERROR = 1;
export const EXIT_BAD_REQUEST = 2;
export const EXIT_INTERNAL = 3;

/**
 * Says on stderr why memscope stopped, as one line — plus, for a bug in memscope and with `--debug`, its stack —
 * and returns the exit status.
 */
export function reportFailure(e: unknown, debug: boolean, stderr: { write(text: string): unknown }): number {
  if (isMemscopeError(e)) {
    // The first line of a message carries the reason; the rest (e.g. where symbols come from) joins it.
    stderr.write(`memscope: ${oneLine(e.message)}\n`);
    return e.code === 'BAD_REQUEST' ? EXIT_BAD_REQUEST : EXIT_DATA_ERROR;
  }
  const { message, stack } = describeInternal(e);
  const more = debug && stack ? 'the stack follows' : 'run with --debug for the stack';
  stderr.write(`memscope: internal error: ${oneLine(message)} — this is a bug in memscope, please report it (${more})\n`);
  if (debug && stack) stderr.write(`${stack}\n`);
  return EXIT_INTERNAL;
}

const oneLine = (text: string): string => text.replace(/\s*\n\s*/g, ' ');

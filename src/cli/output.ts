/**
 * The one place that writes to the terminal. Results go to stdout, warnings and errors to stderr,
 * progress only to a terminal. With --json, stdout carries exactly one JSON document.
 */
import { AamError, type ErrorDetails } from "../errors.ts";
import { proc } from "../runtime/index.ts";

export interface OutputOptions {
  json: boolean;
  quiet: boolean;
  verbose: boolean;
}

export interface Writer {
  stdout(s: string): void;
  stderr(s: string): void;
  stdoutIsTTY: boolean;
  stderrIsTTY: boolean;
  noColor: boolean;
}

export function processWriter(): Writer {
  return {
    stdout: proc.writeStdout,
    stderr: proc.writeStderr,
    stdoutIsTTY: proc.isStdoutTTY(),
    stderrIsTTY: proc.isStderrTTY(),
    noColor: proc.env("NO_COLOR") !== undefined,
  };
}

const STYLES = { red: 31, green: 32, yellow: 33, cyan: 36, dim: 2, bold: 1 } as const;
export type Style = keyof typeof STYLES;

/**
 * Characters that can forge or hide terminal output (SPEC §10: text from a registry or package is
 * printed with control characters escaped): C0 controls (newline, carriage return, escape...), DEL,
 * C1 controls (0x9b is a one-byte CSI), the Unicode line and paragraph separators, and the bidi
 * marks, embeddings, overrides and isolates that reorder what a line appears to say.
 */
const UNSAFE = /[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]/g;
/** Nothing to escape: the common case, answered by one test instead of a replace (search prints thousands). */
const PLAIN = /^[\x20-\x7e]*$/;
/** What paint() itself writes, and all the escape sequences a line may keep when colour is on. */
const OWN_SGR = /\x1b\[(?:0|1|2|31|32|33|36)m/y;

function escapeChar(c: string): string {
  if (c === "\n") return "\\n";
  if (c === "\r") return "\\r";
  if (c === "\t") return "\\t";
  const n = c.charCodeAt(0);
  return n < 0x100 ? `\\x${n.toString(16).padStart(2, "0")}` : `\\u${n.toString(16).padStart(4, "0")}`;
}

/**
 * Text from outside (a registry, a package, a certificate, a key's user id) made safe to print:
 * every control, separator and bidi character is shown escaped (`\n`, `\x1b`, `\u202e`), so a field
 * cannot end its line, move the cursor, recolour or reorder what follows. Wrap every such field.
 */
export function untrusted(s: unknown): string {
  const t = String(s ?? "");
  return PLAIN.test(t) ? t : t.replace(UNSAFE, escapeChar);
}

/**
 * The last line of defence, applied to everything Output writes: unsafe characters are escaped
 * except a line break where `multiline` allows one and, when colour is on, paint()'s own SGR codes.
 */
function neutralise(s: string, multiline: boolean, colour: boolean): string {
  if (PLAIN.test(s)) return s;
  let out = "";
  let last = 0;
  UNSAFE.lastIndex = 0;
  for (let m = UNSAFE.exec(s); m; m = UNSAFE.exec(s)) {
    const i = m.index;
    let keep = m[0] === "\n" && multiline;
    if (!keep && colour && m[0] === "\x1b") {
      OWN_SGR.lastIndex = i;
      const sgr = OWN_SGR.exec(s);
      if (sgr) {
        out += s.slice(last, i) + sgr[0];
        last = UNSAFE.lastIndex = i + sgr[0].length;
        continue;
      }
    }
    out += s.slice(last, i) + (keep ? m[0] : escapeChar(m[0]));
    last = i + 1;
  }
  return out + s.slice(last);
}

const DETAIL_FIELDS: (keyof ErrorDetails)[] = ["package", "version", "file", "entry", "field", "expected", "actual"];

export class Output {
  readonly opts: OutputOptions;
  readonly w: Writer;
  private progressShown = false;

  constructor(w: Writer, opts: OutputOptions) {
    this.w = w;
    this.opts = opts;
  }

  get json(): boolean {
    return this.opts.json;
  }

  paint(style: Style, s: string, forStderr = false): string {
    const tty = forStderr ? this.w.stderrIsTTY : this.w.stdoutIsTTY;
    if (!tty || this.w.noColor) return s;
    return `\x1b[${STYLES[style]}m${s}\x1b[0m`;
  }

  private colour(forStderr: boolean): boolean {
    return (forStderr ? this.w.stderrIsTTY : this.w.stdoutIsTTY) && !this.w.noColor;
  }

  /**
   * A human result line on stdout (suppressed with --json and --quiet). It is one line: a line break
   * or any other control character inside it is printed escaped, so text from a registry or package
   * cannot start a line of its own. Fields from outside should still go through untrusted().
   */
  line(s = ""): void {
    if (this.opts.json || this.opts.quiet) return;
    this.clearProgress();
    this.w.stdout(neutralise(s, false, this.colour(false)) + "\n");
  }

  /** Many result lines at once, each as line() prints it, in one write (a search's thousands of hits). */
  lines(ls: string[]): void {
    if (this.opts.json || this.opts.quiet || ls.length === 0) return;
    this.clearProgress();
    const colour = this.colour(false);
    this.w.stdout(ls.map((l) => neutralise(l, false, colour) + "\n").join(""));
  }

  /** A result that must show even with --quiet (e.g. `config get`, `key export`); may span lines. */
  essential(s: string): void {
    if (this.opts.json) return;
    this.clearProgress();
    const t = neutralise(s, true, this.colour(false));
    this.w.stdout(t.endsWith("\n") ? t : t + "\n");
  }

  /** Detail shown only with --verbose, on stderr. */
  verbose(s: string): void {
    if (!this.opts.verbose) return;
    this.clearProgress();
    this.w.stderr(this.paint("dim", neutralise(s, true, false), true) + "\n");
  }

  /** What the user must act on (a sign-in URL to open), on stderr even with --quiet or --json: stdout keeps the result. */
  instruct(lines: string[]): void {
    this.clearProgress();
    this.w.stderr(lines.map((l) => neutralise(l, false, false)).join("\n") + "\n");
  }

  warn(s: string): void {
    if (this.opts.quiet) return;
    this.clearProgress();
    this.w.stderr(`${this.paint("yellow", "warning:", true)} ${neutralise(s, false, this.colour(true))}\n`);
  }

  /** The one JSON document of a --json run. */
  data(doc: unknown): void {
    this.w.stdout(JSON.stringify(doc, null, 2) + "\n");
  }

  /** Progress on a terminal only: quiet when stderr is not one, and never with --json. */
  progress(label: string, done: number, total?: number): void {
    if (!this.w.stderrIsTTY || this.opts.json || this.opts.quiet) return;
    const width = 24;
    let bar = "";
    if (total && total > 0) {
      const filled = Math.round((done / total) * width);
      bar = ` [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${done}/${total}`;
    } else bar = ` ${done}`;
    this.w.stderr(`\r\x1b[2K${neutralise(label, false, false)}${bar}`);
    this.progressShown = true;
  }

  clearProgress(): void {
    if (!this.progressShown) return;
    this.w.stderr("\r\x1b[2K");
    this.progressShown = false;
  }

  error(err: AamError): void {
    this.clearProgress();
    if (this.opts.json) {
      if (err.details.reportedAsJson) return;
      const { cause: _cause, reportedAsJson: _r, ...details } = err.details;
      this.data({ ok: false, error: { code: err.code, message: err.message, exit_code: err.exitCode, ...details } });
      return;
    }
    const lines = [`${this.paint("red", `error[${err.code}]:`, true)} ${untrusted(err.message)}`];
    for (const f of DETAIL_FIELDS) {
      const v = err.details[f];
      if (v !== undefined && v !== "") lines.push(`  ${f}: ${untrusted(v)}`);
    }
    for (const p of err.details.problems ?? []) lines.push(`  - ${p.path ? `${untrusted(p.path)}: ` : ""}${untrusted(p.message)}`);
    if (this.opts.verbose && err.details.cause instanceof Error && err.code === "Error") {
      lines.push(this.paint("dim", `  cause: ${neutralise(err.details.cause.stack ?? err.details.cause.message, true, false)}`, true));
    }
    if (err.details.hint) lines.push(`${this.paint("cyan", "hint:", true)} ${untrusted(err.details.hint)}`);
    this.w.stderr(lines.join("\n") + "\n");
  }
}

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

  /** A human result line on stdout (suppressed with --json and --quiet). */
  line(s = ""): void {
    if (this.opts.json || this.opts.quiet) return;
    this.clearProgress();
    this.w.stdout(s + "\n");
  }

  /** A result that must show even with --quiet (e.g. `config get`, `key export`). */
  essential(s: string): void {
    if (this.opts.json) return;
    this.clearProgress();
    this.w.stdout(s.endsWith("\n") ? s : s + "\n");
  }

  /** Detail shown only with --verbose, on stderr. */
  verbose(s: string): void {
    if (!this.opts.verbose) return;
    this.clearProgress();
    this.w.stderr(this.paint("dim", s, true) + "\n");
  }

  warn(s: string): void {
    if (this.opts.quiet) return;
    this.clearProgress();
    this.w.stderr(`${this.paint("yellow", "warning:", true)} ${s}\n`);
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
    this.w.stderr(`\r\x1b[2K${label}${bar}`);
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
    const lines = [`${this.paint("red", `error[${err.code}]:`, true)} ${err.message}`];
    for (const f of DETAIL_FIELDS) {
      const v = err.details[f];
      if (v !== undefined && v !== "") lines.push(`  ${f}: ${v}`);
    }
    for (const p of err.details.problems ?? []) lines.push(`  - ${p.path ? `${p.path}: ` : ""}${p.message}`);
    if (this.opts.verbose && err.details.cause instanceof Error && err.code === "Error") {
      lines.push(this.paint("dim", `  cause: ${err.details.cause.stack ?? err.details.cause.message}`, true));
    }
    if (err.details.hint) lines.push(`${this.paint("cyan", "hint:", true)} ${err.details.hint}`);
    this.w.stderr(lines.join("\n") + "\n");
  }
}

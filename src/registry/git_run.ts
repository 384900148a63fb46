/**
 * Runs the real git program for git registries (SPEC §4) with the transport allow-list, whatever
 * GIT_ALLOW_PROTOCOL or git's configuration says: GIT_ALLOW_PROTOCOL, which git lets override
 * protocol.allow, is replaced with ours, and the same list is repeated as `-c protocol.*` for a git
 * that reads only the configuration. Never prompts: a terminal prompt would hang a script.
 */
import { AamError } from "../errors.ts";
import { proc, run, type RunResult } from "../runtime/index.ts";

const ALLOWED_PROTOCOLS = ["file", "https", "ssh"];
const PROTOCOL_CONFIG = ["-c", "protocol.allow=never", ...ALLOWED_PROTOCOLS.flatMap((p) => ["-c", `protocol.${p}.allow=always`])];

/** Runs git; answers its exit code and output, failures included. @throws {AamError} NotFound without git. */
export async function gitTry(args: string[], cwd?: string): Promise<RunResult> {
  const env = { ...proc.envAll(), GIT_TERMINAL_PROMPT: "0", GIT_ALLOW_PROTOCOL: ALLOWED_PROTOCOLS.join(":") };
  const r = await run("git", [...PROTOCOL_CONFIG, ...args], { cwd, env });
  if (r === null) {
    throw new AamError("NotFound", "Cannot use a git registry: the git program is not installed", {
      hint: "install git (e.g. apt-get install git), or use a folder or http(s) registry",
    });
  }
  return r;
}

/** git's last line of complaint, for an error message. */
export function gitComplaint(r: RunResult): string {
  return r.stderr.trim().split("\n").at(-1) ?? "";
}

/** What to do about a failed git command; git's own configuration decides whom it trusts over https. */
function gitHint(complaint: string): string {
  if (/certificate|SSL/i.test(complaint)) {
    return "git does not trust the server's certificate: give git its CA (git config --global http.sslCAInfo <ca.pem>, or GIT_SSL_CAINFO); aam never turns certificate checks off";
  }
  return "check the repository URL and your access to it";
}

/** Runs git and answers its stdout. @throws {AamError} Error when git fails. */
export async function git(args: string[], cwd?: string): Promise<string> {
  const r = await gitTry(args, cwd);
  if (r.code !== 0) {
    const complaint = gitComplaint(r);
    throw new AamError("Error", `Cannot run git ${args[0]}: ${complaint}`, { hint: gitHint(complaint) });
  }
  return new TextDecoder().decode(r.stdout);
}

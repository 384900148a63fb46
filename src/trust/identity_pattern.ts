/**
 * `security.trusted_identities` patterns (SPEC §6 step 6), compiled to anchored matchers for
 * Sigstore certificate identities. A pattern matches a whole identity, never a part of it:
 *
 * | pattern | matches |
 * |---|---|
 * | `user@domain.com` | exactly that address (the domain case-insensitively) |
 * | `*@domain.com` | any single local part at exactly that domain: not `a@sub.domain.com`, not `a@domain.com.evil` |
 * | `github:owner` | GitHub Actions workflow identities `https://github.com/owner/<repo>/…` whose whole owner segment is `owner` |
 * | `gitlab:owner` | GitLab CI identities `https://gitlab.com/owner/<project>/…` whose whole first segment is `owner` |
 * | `https://…` (any `scheme://`) | exactly that URI, as it appears in the certificate |
 *
 * Case: the domain of an address and the scheme and host of a URI compare case-insensitively;
 * everything else exactly (a certificate carries names as the OIDC provider spelled them).
 *
 * Issuers: `github:` and `gitlab:` name an account on one provider, so they also require the
 * certificate's OIDC issuer to be that provider's: GitHub Actions
 * (`https://token.actions.githubusercontent.com`) or GitHub's OAuth issuer as Sigstore records it
 * (`https://github.com/login/oauth`) for `github:`, `https://gitlab.com` for `gitlab:`. A
 * certificate without an issuer, or with any other, never matches them: anyone who can get a
 * certificate for a `https://github.com/<owner>/…` URI from another issuer is not `<owner>`.
 * (GitHub OAuth sign-ins put the account's e-mail address in the certificate, not the user name,
 * so in practice `github:user` matches Actions workflow identities; trust OAuth signers with an
 * e-mail pattern.) `security.allowed_issuers` (trust/policy.ts) applies on top.
 */
import { AamError } from "../errors.ts";

export type IdentityPatternKind = "email" | "email_domain" | "github" | "gitlab" | "uri";

export interface IdentityPattern {
  kind: IdentityPatternKind;
  /** The pattern as written. */
  source: string;
}

/**
 * Decides whether a certificate identity and its OIDC issuer match. Address and URI patterns look
 * at the identity only; `github:`/`gitlab:` patterns need the provider's issuer (absent → no match).
 */
export type IdentityMatcher = (identity: string, issuer?: string) => boolean;

export const GITHUB_ACTIONS_ISSUER = "https://token.actions.githubusercontent.com";
export const GITHUB_OAUTH_ISSUER = "https://github.com/login/oauth";
export const GITLAB_ISSUER = "https://gitlab.com";

/** The OIDC issuers that vouch for an account on each provider a `github:`/`gitlab:` pattern names. */
const PROVIDER_ISSUERS: Record<"github" | "gitlab", readonly string[]> = {
  github: [GITHUB_ACTIONS_ISSUER, GITHUB_OAUTH_ISSUER],
  gitlab: [GITLAB_ISSUER],
};

const DOMAIN_RE = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/;
const LOCAL_RE = /^[^\s@*]+$/;
const GITHUB_OWNER_RE = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
const GITLAB_OWNER_RE = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}$/;
const URI_RE = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/[^/\s?#]+)([^\s]*)$/;

const HINT =
  "use user@domain.com, *@domain.com, github:<owner>, gitlab:<owner>, or a full workflow URI such as https://github.com/<owner>/<repo>/.github/workflows/release.yml@refs/heads/main";

/**
 * Classifies a pattern.
 * @throws {AamError} UsageError when `p` is none of the supported forms.
 */
export function parseIdentityPattern(p: string): IdentityPattern {
  const kind = kindOf(p);
  if (!kind) throw new AamError("UsageError", `Invalid identity pattern "${String(p)}"`, { field: "security.trusted_identities", hint: HINT });
  return { kind, source: p };
}

/** Answers whether `p` is a supported identity pattern. */
export function isIdentityPattern(p: string): boolean {
  return kindOf(p) !== null;
}

function kindOf(p: unknown): IdentityPatternKind | null {
  if (typeof p !== "string" || p.length === 0 || p.length > 1024) return null;
  if (p.startsWith("github:")) return GITHUB_OWNER_RE.test(p.slice(7)) ? "github" : null;
  if (p.startsWith("gitlab:")) return GITLAB_OWNER_RE.test(p.slice(7)) ? "gitlab" : null;
  if (p.includes("://")) return URI_RE.test(p) && !p.includes("*") ? "uri" : null;
  const at = p.indexOf("@");
  if (at < 0 || at !== p.lastIndexOf("@")) return null;
  const local = p.slice(0, at);
  const domain = p.slice(at + 1);
  if (!DOMAIN_RE.test(domain)) return null;
  if (local === "*") return "email_domain";
  return LOCAL_RE.test(local) ? "email" : null;
}

/**
 * Compiles a pattern to an anchored matcher.
 * @throws {AamError} UsageError for an unsupported pattern.
 * @example
 * ```ts
 * const m = compileIdentityPattern("*@example.com");
 * m("alice@example.com");       // true
 * m("alice@example.com.evil");  // false
 * ```
 */
export function compileIdentityPattern(p: string): IdentityMatcher {
  const { kind } = parseIdentityPattern(p);
  switch (kind) {
    case "email": {
      const [local, domain] = splitAddress(p)!;
      return (identity) => {
        const a = splitAddress(identity);
        return a !== null && a[0] === local && a[1] === domain;
      };
    }
    case "email_domain": {
      const domain = splitAddress(p)![1];
      return (identity) => {
        const a = splitAddress(identity);
        return a !== null && LOCAL_RE.test(a[0]) && a[1] === domain;
      };
    }
    case "github":
      return ownerMatcher("https://github.com", p.slice(7), PROVIDER_ISSUERS.github);
    case "gitlab":
      return ownerMatcher("https://gitlab.com", p.slice(7), PROVIDER_ISSUERS.gitlab);
    case "uri": {
      const want = splitUri(p)!;
      return (identity) => {
        const u = splitUri(identity);
        return u !== null && u[0] === want[0] && u[1] === want[1];
      };
    }
  }
}

/**
 * `https://host/<owner>/<more>`: the whole first path segment is `owner`, and something follows;
 * and the certificate's issuer is exactly one of the provider's (an unknown issuer never matches).
 */
function ownerMatcher(origin: string, owner: string, issuers: readonly string[]): IdentityMatcher {
  return (identity, certIssuer) => {
    if (typeof certIssuer !== "string" || !issuers.includes(certIssuer)) return false;
    const u = splitUri(identity);
    if (!u || u[0] !== origin) return false;
    const path = u[1];
    const prefix = `/${owner}/`;
    return path.startsWith(prefix) && path.length > prefix.length && !path.startsWith(`${prefix}/`);
  };
}

/** [local part, lowercased domain] of a single-`@` address, else null. */
function splitAddress(s: unknown): [string, string] | null {
  if (typeof s !== "string") return null;
  const at = s.indexOf("@");
  if (at <= 0 || at !== s.lastIndexOf("@")) return null;
  const domain = s.slice(at + 1);
  if (!DOMAIN_RE.test(domain)) return null;
  return [s.slice(0, at), domain.toLowerCase()];
}

/** [lowercased scheme://authority, the rest exactly] of a URI, else null. */
function splitUri(s: unknown): [string, string] | null {
  if (typeof s !== "string") return null;
  const m = URI_RE.exec(s);
  return m ? [m[1].toLowerCase(), m[2]] : null;
}

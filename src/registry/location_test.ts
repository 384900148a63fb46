import { test, expect } from "bun:test";
import { gitRemoteOf } from "./location.ts";
import { catchAamError } from "../../test/helpers/errors.ts";

test("gitRemoteOf() accepts https://, ssh://, git@host:path, file:// and local paths", () => {
  for (const ok of [
    "git+https://github.com/acme/registry.git",
    "git+HTTPS://example.org/r",
    "git+ssh://git@example.org/r.git",
    "git+git@github.com:acme/registry.git",
    "git+example.org:r.git",
    "git+file:///srv/registry.git",
    "git+/srv/registry.git",
    "git+../registry",
    "git+registry",
    "git+./a:b",
    "git+C:\\registries\\r.git",
  ]) {
    expect(gitRemoteOf(ok)).toBe(ok.slice(4));
  }
});

test("gitRemoteOf() throws UsageError for remote helpers, other schemes and option-like hosts", () => {
  for (const bad of [
    "git+ext::sh -c touch% /tmp/pwned",
    "git+fd::3",
    "git+fd::0,1",
    "git+transport::https://example.org/r",
    "git+git@host::r",
    "git+http://example.org/r",
    "git+git://example.org/r",
    "git+ftp://example.org/r",
    "git+ssh://-oProxyCommand=touch%20x/r",
    "git+-oProxyCommand=x:r",
    "git+-u",
    "git+",
    "git+https://example.org/r\nx",
  ]) {
    const err = catchAamError(() => gitRemoteOf(bad));
    expect(err.code).toBe("UsageError");
    expect(err.details.hint).toBeTruthy();
  }
});

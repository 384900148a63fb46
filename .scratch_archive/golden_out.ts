import { fs } from "../src/runtime/index.ts";
import { packDirectory } from "../src/archive/index.ts";
const root = await fs.makeTempDir("aam-g-");
const tree: Record<string, string | { content: string; mode: number } | null> = {
  "aam.yaml": 'name: "@golden/pkg"\nversion: 1.0.0\ndescription: "Golden"\n',
  "skills/reviewer/SKILL.md": "# Reviewer\n\nReviews things.\n".repeat(20),
  "prompts/café.md": "non-ASCII name\n",
  [`deep/${"d".repeat(120)}/file.md`]: "ustar prefix split\n",
  [`long/${"n".repeat(200)}.md`]: "pax path\n",
  "bin/run.sh": { content: "#!/bin/sh\necho hi\n", mode: 0o755 },
  "empty": null,
};
for (const [rel, spec] of Object.entries(tree)) {
  const abs = fs.path.join(root, ...rel.split("/"));
  if (spec === null) { await fs.mkdirp(abs); continue; }
  await fs.mkdirp(fs.path.dirname(abs));
  await fs.writeFileAtomic(abs, typeof spec === "string" ? spec : spec.content);
  await fs.chmod(abs, typeof spec === "string" ? 0o644 : spec.mode);
}
const r = await packDirectory(root);
await fs.writeFileAtomic("/tmp/golden.aam", r.bytes);
await fs.remove(root);

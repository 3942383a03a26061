/**
 * The image lock (images.lock.json, components/core/images.ts) and tools/pin-images.sh: the lock's
 * form, every default image of the components coming from it, the script run for real with a fake
 * `crane` (and `skopeo`) first on PATH, a program planned with a filled lock (RAGSTACK_IMAGE_LOCK),
 * and the production rule that names the lock and the script for an unpinned default.
 */
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { DEFAULT_BOOTSTRAP_IMAGE } from "../components/aws/api-service";
import { DEFAULT_MODEL_SYNC_IMAGE } from "../components/aws/llm";
import { DEFAULT_IMAGES } from "../components/core/facts";
import {
    IMAGE_LOCK,
    ImageLock,
    defaultImage,
    digestStanding,
    imageLockPath,
    lockedReference,
    parseImageLock,
    unpinnedDefault,
} from "../components/core/images";
import { CNPG_STANDARD_IMAGES } from "../components/core/postgres-catalog";
import { withRegistry } from "../components/core/naming";
import { viaEcrPublicCache } from "../components/aws/common";
import { podRequireDefaultImageDigests, podRequireImageDigests } from "../policies/lib/kubernetes/pods";
import { taskdefinitionRequireDefaultImageDigests, taskdefinitionRequireImageDigests } from "../policies/lib/aws/ecs";
import { repoRoot } from "../testing/paths";

const root = repoRoot();
const lockText = fs.readFileSync(path.join(root, "images.lock.json"), "utf8");
const DIGEST = `sha256:${"0123456789abcdef".repeat(4)}`;

/** The repository's lock with every digest set to null (or to `digest`), as text. */
function lockWith(digest: string | null): string {
    const doc = JSON.parse(lockText);
    for (const e of Object.values<any>(doc.images)) [e.digest, e.resolved] = [digest, digest ? { at: "2027-01-15T10:00:00Z", with: "crane v0.22.1" } : null];
    return JSON.stringify(doc, null, 2) + "\n";
}

interface ScriptRun {
    code: number | null;
    stdout: string;
    stderr: string;
    lock: ImageLock;
    calls: string[];
}

/**
 * tools/pin-images.sh on a copy of a lock, with fakes first on PATH: `crane digest <ref>` prints
 * answers[ref] (a string), or fails with a registry error when the ref is not in `answers`.
 * With `skopeo: true` the fake is skopeo instead, printing the ref's text as the raw manifest.
 */
function pinImages(args: string[], lock: string, answers: Record<string, string>, opts: { skopeo?: boolean } = {}): ScriptRun {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pin-images-"));
    try {
        const bin = path.join(dir, "bin");
        fs.mkdirSync(bin);
        const file = path.join(dir, "images.lock.json");
        fs.writeFileSync(file, lock);
        fs.writeFileSync(path.join(dir, "answers.json"), JSON.stringify(answers));
        const lookup = `node -e 'const a = require(process.argv[1]); const r = process.argv[2]; if (!(r in a)) { console.error("Error: GET https://registry.example/v2/: dial tcp: lookup registry.example: no such host"); process.exit(1); } console.log(a[r])' "${dir}/answers.json"`;
        if (opts.skopeo)
            fs.writeFileSync(
                path.join(bin, "skopeo"),
                `#!/usr/bin/env bash\necho "skopeo $*" >> "${dir}/calls.log"\ncase "$1" in --version) echo "skopeo version 1.18.0" ;; inspect) ${lookup} "\${3#docker://}" >/dev/null || exit 1; printf '%s' "\${3#docker://}" ;; esac\n`,
                { mode: 0o755 },
            );
        else
            fs.writeFileSync(
                path.join(bin, "crane"),
                `#!/usr/bin/env bash\necho "crane $*" >> "${dir}/calls.log"\ncase "$1" in version) echo v0.22.1 ;; digest) ${lookup} "$2" ;; esac\n`,
                { mode: 0o755 },
            );
        // without crane on PATH for the skopeo case: PATH holds the fakes and the tools the script uses only
        const tools = path.join(dir, "tools");
        fs.mkdirSync(tools);
        for (const t of [
            "node",
            "bash",
            "date",
            "mktemp",
            "rm",
            "sha256sum",
            "cut",
            "awk",
            "head",
            "tail",
            "grep",
            "tr",
            "sed",
            "wc",
            "printf",
            "cat",
            "dirname",
        ]) {
            const found = spawnSync("bash", ["-c", `command -v ${t}`], { encoding: "utf8" }).stdout.trim();
            if (found.startsWith("/")) fs.symlinkSync(found, path.join(tools, t));
        }
        const r = spawnSync("bash", [path.join(root, "tools", "pin-images.sh"), "--lock", file, ...args], {
            encoding: "utf8",
            env: { ...process.env, PATH: `${bin}:${tools}` },
        });
        const calls = fs.existsSync(path.join(dir, "calls.log")) ? fs.readFileSync(path.join(dir, "calls.log"), "utf8").split("\n").filter(Boolean) : [];
        return { code: r.status, stdout: r.stdout, stderr: r.stderr, lock: JSON.parse(fs.readFileSync(file, "utf8")), calls };
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

/** A digest per reference, as a registry would answer. */
const digestOf = (ref: string) => `sha256:${crypto.createHash("sha256").update(ref).digest("hex")}`;
const allRefs = (lock: ImageLock) => Object.values(lock.images).map((e) => `${e.repository}:${e.tag}`);

describe("image lock (images.lock.json) and tools/pin-images.sh", function () {
    this.timeout(300_000);

    it("the lock is well formed and every default image of the components is one of its entries, each entry used", () => {
        const lock = parseImageLock(lockText);
        assert.deepStrictEqual(IMAGE_LOCK, lock, "the components read the repository's lock");
        const used = new Map<string, string>([
            ...Object.entries(DEFAULT_IMAGES).map(([k, v]) => [`DEFAULT_IMAGES.${k}`, v] as [string, string]),
            ...Object.entries(CNPG_STANDARD_IMAGES).map(([k, v]) => [`CNPG_STANDARD_IMAGES[${k}]`, v] as [string, string]),
            ["DEFAULT_BOOTSTRAP_IMAGE", DEFAULT_BOOTSTRAP_IMAGE],
            ["DEFAULT_MODEL_SYNC_IMAGE", DEFAULT_MODEL_SYNC_IMAGE],
        ]);
        const refs = Object.keys(lock.images).map((n) => defaultImage(n));
        for (const [where, image] of used) assert.ok(refs.includes(image), `${where} = ${image} is not from the lock`);
        for (const n of Object.keys(lock.images)) assert.ok([...used.values()].includes(defaultImage(n)), `lock entry ${n} is used by no default`);
        assert.strictEqual(DEFAULT_IMAGES.postgres, CNPG_STANDARD_IMAGES["16"]);
    });

    it("a default is repository:tag@digest once the lock has the digest, repository:tag before", () => {
        const e = { repository: "ollama/ollama", tag: "0.12.6", digest: null, usedBy: "llmImage", resolved: null };
        assert.strictEqual(lockedReference(e), "ollama/ollama:0.12.6");
        assert.strictEqual(
            lockedReference({ ...e, digest: DIGEST, resolved: { at: "2027-01-15T10:00:00Z", with: "crane v0.22.1" } }),
            `ollama/ollama:0.12.6@${DIGEST}`,
        );
        const filled = parseImageLock(lockWith(DIGEST));
        assert.strictEqual(defaultImage("valkey", filled), `valkey/valkey:8.1.4@${DIGEST}`);
        assert.strictEqual(defaultImage("valkey", parseImageLock(lockWith(null))), "valkey/valkey:8.1.4");
        assert.throws(() => defaultImage("redis", filled), /images\.lock\.json has no image "redis" \(it has ollama, valkey, /);
    });

    it("refuses a malformed lock, naming the entry and the field (mutations)", () => {
        const mutate = (f: (images: any) => void) => {
            const doc = JSON.parse(lockWith(null));
            f(doc.images);
            return () => parseImageLock(JSON.stringify(doc));
        };
        assert.doesNotThrow(mutate(() => undefined));
        assert.doesNotThrow(() => parseImageLock(lockWith(DIGEST)));
        assert.throws(
            mutate((i) => (i.valkey.digest = "sha256:abc")),
            /images\.valkey\.digest: got "sha256:abc"; allowed: null or sha256:<64 hex> \(tools\/pin-images\.sh writes it\)/,
        );
        assert.throws(
            mutate((i) => (i.valkey.digest = DIGEST.toUpperCase())),
            /images\.valkey\.digest/,
        );
        assert.throws(
            mutate((i) => (i.valkey.tag = "latest")),
            /images\.valkey\.tag: got "latest"; allowed: a tag other than latest/,
        );
        assert.throws(
            mutate((i) => (i.valkey.repository = "valkey/valkey:8.1.4")),
            /images\.valkey\.repository: got "valkey\/valkey:8\.1\.4"/,
        );
        assert.throws(
            mutate((i) => (i.valkey.repository = "https://ghcr.io/x")),
            /images\.valkey\.repository/,
        );
        assert.throws(
            mutate((i) => (i.valkey.usedBy = "")),
            /images\.valkey\.usedBy/,
        );
        assert.throws(
            mutate((i) => (i.valkey.digest = DIGEST)),
            /images\.valkey\.resolved: got null; allowed: \{ at: <ISO date>, with: <tool and version> \} when the digest is set/,
        );
        assert.throws(
            mutate((i) => (i.valkey.resolved = { at: "now", with: "crane" })),
            /images\.valkey\.resolved: got \{"at":"now","with":"crane"\}; allowed: null while the digest is null/,
        );
        assert.throws(
            mutate((i) => (i.Valkey = i.valkey)),
            /images\.Valkey: got "Valkey"/,
        );
        assert.throws(() => parseImageLock('{"images": {}}'), /images: got \{\}; allowed: an object of named images/);
        assert.throws(() => parseImageLock("{"), /images\.lock\.json: not JSON/);
    });

    it("an unpinned default is recognised as itself, behind a registry mirror and through the ECR pull-through cache, not in a team's own repository", () => {
        const lock = parseImageLock(lockWith(null));
        const find = (image: string) => unpinnedDefault(image, lock, { ecrPublicCache: true })?.name;
        assert.strictEqual(find("ollama/ollama:0.12.6"), "ollama");
        assert.strictEqual(find(withRegistry("ollama/ollama:0.12.6", "harbor.example.gov/mirror")), "ollama");
        assert.strictEqual(find(withRegistry("ghcr.io/cloudnative-pg/postgresql:17.6-standard-bookworm", "harbor.example.gov")), "postgres-17");
        assert.strictEqual(find(viaEcrPublicCache("public.ecr.aws/aws-cli/aws-cli:2.31.18", "123456789012.dkr.ecr.eu-west-1.amazonaws.com")), "aws-model-sync");
        assert.strictEqual(find("123456789012.dkr.ecr.eu-west-1.amazonaws.com/mirror/ollama/ollama:0.12.6"), undefined, "a team's mirror is its own image");
        assert.strictEqual(find("ollama/ollama:0.12.7"), undefined);
        assert.strictEqual(unpinnedDefault("ollama/ollama:0.12.6", parseImageLock(lockWith(DIGEST))), undefined, "pinned: nothing to say");
    });

    it("pin-images.sh resolves every null digest with crane, writes it with when and with what, and --check then passes", () => {
        const lock = parseImageLock(lockWith(null));
        const answers = Object.fromEntries(allRefs(lock).map((r) => [r, digestOf(r)]));
        const r = pinImages([], lockWith(null), answers);
        assert.strictEqual(r.code, 0, r.stderr);
        for (const [name, e] of Object.entries(r.lock.images)) {
            assert.strictEqual(e.digest, digestOf(`${e.repository}:${e.tag}`), name);
            assert.strictEqual(e.resolved!.with, "crane v0.22.1");
            assert.match(e.resolved!.at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
            assert.strictEqual(e.usedBy, lock.images[name].usedBy, "the rest of the entry is kept");
        }
        assert.doesNotThrow(() => parseImageLock(JSON.stringify(r.lock)), "the components accept what it wrote");
        assert.match(r.stdout, new RegExp(`wrote ${allRefs(lock).length} digest\\(s\\)`));
        const check = pinImages(["--check"], JSON.stringify(r.lock), {});
        assert.strictEqual(check.code, 0, check.stderr);
        assert.match(check.stdout, /all 10 default images are pinned by digest/);
        assert.deepStrictEqual(check.calls, [], "--check reaches no registry");
    });

    it("pin-images.sh keeps the digests already pinned (re-resolving them only with --update)", () => {
        const doc = JSON.parse(lockWith(null));
        doc.images.valkey.digest = DIGEST;
        doc.images.valkey.resolved = { at: "2027-01-15T10:00:00Z", with: "crane v0.22.0" };
        const answers = Object.fromEntries(allRefs(doc).map((r) => [r, digestOf(r)]));
        const kept = pinImages([], JSON.stringify(doc), answers);
        assert.strictEqual(kept.code, 0, kept.stderr);
        assert.deepStrictEqual([kept.lock.images.valkey.digest, kept.lock.images.valkey.resolved], [DIGEST, doc.images.valkey.resolved]);
        assert.ok(!kept.calls.includes("crane digest valkey/valkey:8.1.4"));
        const updated = pinImages(["--update"], JSON.stringify(doc), answers);
        assert.strictEqual(updated.code, 0, updated.stderr);
        assert.strictEqual(updated.lock.images.valkey.digest, digestOf("valkey/valkey:8.1.4"));
        assert.match(updated.stdout, new RegExp(`valkey: valkey/valkey:8\\.1\\.4 moved from ${DIGEST} to ${digestOf("valkey/valkey:8.1.4")}`));
    });

    it("pin-images.sh --check fails listing each unpinned default", () => {
        const doc = JSON.parse(lockWith(DIGEST));
        doc.images.rclone.digest = null;
        doc.images.rclone.resolved = null;
        const r = pinImages(["--check"], JSON.stringify(doc), {});
        assert.strictEqual(r.code, 1);
        assert.match(r.stderr, /unpinned: rclone \(rclone\/rclone:1\.71\.1\) has no digest in /);
        assert.match(r.stderr, /1 of 10 default images are not pinned by digest: run tools\/pin-images\.sh where their registries are reachable/);
        assert.doesNotMatch(r.stderr, /valkey/);
        const all = pinImages(["--check"], lockWith(null), {});
        assert.strictEqual(all.code, 1);
        assert.match(all.stderr, /10 of 10 default images are not pinned/);
    });

    it("pin-images.sh names the image and the registry it cannot reach, writes the others and exits 1", () => {
        const lock = parseImageLock(lockWith(null));
        const answers = Object.fromEntries(allRefs(lock).map((r) => [r, digestOf(r)]));
        delete answers["ghcr.io/cloudnative-pg/postgresql:17.6-standard-bookworm"];
        delete answers["ollama/ollama:0.12.6"];
        const r = pinImages([], lockWith(null), answers);
        assert.strictEqual(r.code, 1);
        assert.match(
            r.stderr,
            /cannot resolve ghcr\.io\/cloudnative-pg\/postgresql:17\.6-standard-bookworm from ghcr\.io with crane v0\.22\.1: Error: GET https:\/\/registry\.example\/v2\/: dial tcp/,
        );
        assert.match(r.stderr, /cannot resolve ollama\/ollama:0\.12\.6 from docker\.io with crane v0\.22\.1: /);
        assert.match(r.stderr, /2 image\(s\) not resolved; their digests stay as they were/);
        assert.strictEqual(r.lock.images["postgres-17"].digest, null);
        assert.strictEqual(r.lock.images.ollama.digest, null);
        assert.strictEqual(r.lock.images.valkey.digest, digestOf("valkey/valkey:8.1.4"), "the reachable ones are written");
    });

    it("pin-images.sh refuses a malformed digest from the tool and leaves that image as it was", () => {
        const lock = parseImageLock(lockWith(null));
        const answers = Object.fromEntries(allRefs(lock).map((r) => [r, digestOf(r)]));
        answers["valkey/valkey:8.1.4"] = "sha256:1234";
        answers["rclone/rclone:1.71.1"] = "md5:" + "a".repeat(32);
        const r = pinImages([], lockWith(null), answers);
        assert.strictEqual(r.code, 1);
        assert.match(
            r.stderr,
            /refused: crane v0\.22\.1 returned "sha256:1234" for valkey\/valkey:8\.1\.4, not a sha256:<64 hex> digest \(valkey left as it was\)/,
        );
        assert.match(r.stderr, /refused: crane v0\.22\.1 returned "md5:a+" for rclone\/rclone:1\.71\.1/);
        assert.deepStrictEqual([r.lock.images.valkey.digest, r.lock.images.valkey.resolved], [null, null]);
        assert.strictEqual(r.lock.images.rclone.digest, null);
        assert.doesNotThrow(() => parseImageLock(JSON.stringify(r.lock)));
    });

    it("pin-images.sh refuses a lock with a malformed digest before resolving anything", () => {
        const doc = JSON.parse(lockWith(null));
        doc.images.valkey.digest = "sha256:xyz";
        const r = pinImages([], JSON.stringify(doc), {});
        assert.strictEqual(r.code, 2);
        assert.match(r.stderr, /images\.valkey\.digest "sha256:xyz" is not null or sha256:<64 hex>/);
        assert.deepStrictEqual(r.calls, []);
    });

    it("without crane, pin-images.sh resolves with skopeo: the SHA-256 of the raw manifest", () => {
        const lock = parseImageLock(lockWith(null));
        const answers = Object.fromEntries(allRefs(lock).map((r) => [r, "ok"]));
        const r = pinImages([], lockWith(null), answers, { skopeo: true });
        assert.strictEqual(r.code, 0, r.stderr);
        // the fake prints the reference as the manifest's bytes
        assert.strictEqual(r.lock.images.seaweedfs.digest, digestOf("chrislusf/seaweedfs:3.97"));
        assert.strictEqual(r.lock.images.seaweedfs.resolved!.with, "skopeo 1.18.0");
        assert.ok(r.calls.includes("skopeo inspect --raw docker://chrislusf/seaweedfs:3.97"), r.calls.join("\n"));
    });

    it("a plan with a filled lock runs the defaults by digest, and they pass the production digest rule", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "filled-lock-"));
        try {
            const lock = path.join(dir, "images.lock.json");
            fs.writeFileSync(lock, lockWith(DIGEST));
            const plan = (env: Record<string, string>) => {
                const out = path.join(dir, `out-${Object.keys(env).length}`);
                const r = spawnSync(
                    process.execPath,
                    [path.join(root, "dist", "tools", "plan.js"), "--stack", "production", "--target", "kubernetes", "--out", out],
                    {
                        cwd: root,
                        encoding: "utf8",
                        env: { ...process.env, ...env },
                    },
                );
                assert.strictEqual(r.status, 0, r.stderr);
                const doc = JSON.parse(fs.readFileSync(path.join(out, "plan.json"), "utf8"));
                const manifests = spawnSync("bash", ["-c", `cat $(find "${out}/manifests" -name '*.yaml')`], { encoding: "utf8" }).stdout;
                const findings = JSON.stringify(doc.policy).match(/kubernetes-core-pod-require-(?:default-)?image-digests[^}]*/g) ?? [];
                return { manifests, findings };
            };
            const filled = plan({ RAGSTACK_IMAGE_LOCK: lock });
            assert.ok(filled.manifests.includes(`/docker.io/valkey/valkey:8.1.4@${DIGEST}`), "valkey by digest behind the stack's mirror");
            assert.ok(filled.manifests.includes(`/ghcr.io/cloudnative-pg/postgresql:16.10-standard-bookworm@${DIGEST}`));
            // The defaults by the lock's digests, the stack's own by its file's (Pulumi.production.yaml): nothing to say.
            assert.deepStrictEqual(filled.findings, []);
            const empty = path.join(dir, "empty.json");
            fs.writeFileSync(empty, lockWith(null));
            const unpinned = plan({ RAGSTACK_IMAGE_LOCK: empty, X: "1" });
            assert.ok(unpinned.manifests.includes("/docker.io/valkey/valkey:8.1.4\n"));
            assert.ok(
                unpinned.findings.some((f) =>
                    /container valkey runs \S+valkey:8\.1\.4, the default image \\"valkey\\" of images\.lock\.json, whose digest is not resolved yet: run tools\/pin-images\.sh/.test(
                        f,
                    ),
                ),
                unpinned.findings.join("\n"),
            );
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it("AWS with a filled lock: the helper images by digest where pulled directly, by tag through the ECR pull-through cache (which fills on a tag only)", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "filled-lock-aws-"));
        try {
            const lock = path.join(dir, "images.lock.json");
            fs.writeFileSync(lock, lockWith(DIGEST));
            const images = (stack: string) => {
                const out = path.join(dir, stack);
                const r = spawnSync(process.execPath, [path.join(root, "dist", "tools", "plan.js"), "--stack", stack, "--target", "aws", "--out", out], {
                    cwd: root,
                    encoding: "utf8",
                    env: { ...process.env, RAGSTACK_IMAGE_LOCK: lock },
                });
                assert.strictEqual(r.status, 0, r.stderr);
                const text = fs.readFileSync(path.join(out, "plan.json"), "utf8");
                return [...new Set(text.match(/[\w.-]+\/(?:[\w.-]+\/)*(?:postgres:16\.10-alpine|aws-cli:2\.31\.18)(?:@sha256:[a-f0-9]{64})?/g) ?? [])].sort();
            };
            // staging reaches the internet: ECR Public directly, by digest (ECS takes repository@digest:
            // https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ContainerDefinition.html, "image")
            assert.deepStrictEqual(images("staging"), [`public.ecr.aws/docker/library/postgres:16.10-alpine@${DIGEST}`]);
            // production has no internet egress: through the cache, by tag (components/aws/common.ts viaEcrPublicCache)
            const production = images("production");
            assert.ok(production.length === 2, production.join("\n"));
            for (const image of production) assert.match(image, /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com\/ecr-public\/\S+:(16\.10-alpine|2\.31\.18)$/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
        assert.strictEqual(viaEcrPublicCache(`public.ecr.aws/aws-cli/aws-cli:2.31.18@${DIGEST}`, "r.example"), "r.example/ecr-public/aws-cli/aws-cli:2.31.18");
        assert.strictEqual(
            viaEcrPublicCache(`public.ecr.aws/aws-cli/aws-cli:2.31.18@${DIGEST}`, undefined),
            `public.ecr.aws/aws-cli/aws-cli:2.31.18@${DIGEST}`,
        );
    });

    it("digestStanding: pinned, an unpinned default (directly, behind a mirror, through the ECR cache), a cached default once pinned, anything else unpinned", () => {
        const empty = parseImageLock(lockWith(null));
        const filled = parseImageLock(lockWith(DIGEST));
        const aws = { ecrPublicCache: true };
        const table: [string, ImageLock, string, { ecrPublicCache?: boolean }?][] = [
            [`ghcr.io/x/api:1.0@${DIGEST}`, empty, "pinned"],
            ["ghcr.io/x/api:1.0", empty, "unpinned"],
            ["valkey/valkey:8.1.4", empty, "unpinned-default"],
            // Docker Hub by any of its names
            ["docker.io/valkey/valkey:8.1.4", empty, "unpinned-default"],
            ["index.docker.io/valkey/valkey:8.1.4", empty, "unpinned-default"],
            ["registry-1.docker.io/valkey/valkey:8.1.4", empty, "unpinned-default"],
            ["harbor.example.gov/mirror/docker.io/valkey/valkey:8.1.4", empty, "unpinned-default"],
            ["harbor.example.gov:5000/docker.io/valkey/valkey:8.1.4", empty, "unpinned-default"],
            ["123456789012.dkr.ecr.eu-west-1.amazonaws.com/ecr-public/aws-cli/aws-cli:2.31.18", empty, "unpinned-default", aws],
            // the lock holds the digest: the default's tag alone is the stack's doing (the components add the digest)
            ["valkey/valkey:8.1.4", filled, "unpinned"],
            ["docker.io/valkey/valkey:8.1.4", filled, "unpinned"],
            // the pull-through cache fills by tag only, so a pinned default keeps its tag there (AWS's ECS helpers)
            ["123456789012.dkr.ecr.eu-west-1.amazonaws.com/ecr-public/aws-cli/aws-cli:2.31.18", filled, "cached-default", aws],
            // on Kubernetes nothing is rewritten into the cache: such a path is the stack's own image
            ["123456789012.dkr.ecr.eu-west-1.amazonaws.com/ecr-public/aws-cli/aws-cli:2.31.18", filled, "unpinned"],
            ["123456789012.dkr.ecr.eu-west-1.amazonaws.com/ecr-public/aws-cli/aws-cli:2.31.18", empty, "unpinned"],
            // a team's own copy of a default is the team's image
            ["harbor.example.gov/mirror/ollama/ollama:0.12.6", empty, "unpinned"],
            ["valkey/valkey:8.1.5", empty, "unpinned"],
        ];
        for (const [image, lock, standing, opts] of table)
            assert.strictEqual(digestStanding(image, lock, opts), standing, `${image} (${lock === empty ? "empty" : "filled"} lock${opts ? ", AWS" : ""})`);
    });

    it("the digest rules: the stack's images mandatory in production, the unpinned defaults advisory, on both targets", () => {
        const ctx = (type: string) => ({ type, name: "x", urn: "urn", config: {} });
        const deployment = (image: string) => ({ spec: { template: { spec: { containers: [{ name: "c", image }] } } } });
        const dep = ctx("kubernetes:apps/v1:Deployment");
        assert.deepStrictEqual(podRequireImageDigests.check(deployment(`ghcr.io/x/api:1.0@${DIGEST}`), dep), []);
        assert.deepStrictEqual(podRequireImageDigests.check(deployment("ghcr.io/x/api:1.0"), dep), [
            "container c image ghcr.io/x/api:1.0 is not pinned by digest (image:tag@sha256:<digest>)",
        ]);
        // The repository's lock holds nulls: a default is the advisory rule's, not the mandatory one's.
        assert.deepStrictEqual(podRequireImageDigests.check(deployment("valkey/valkey:8.1.4"), dep), []);
        assert.deepStrictEqual(podRequireDefaultImageDigests.check(deployment("valkey/valkey:8.1.4"), dep), [
            'container c runs valkey/valkey:8.1.4, the default image "valkey" of images.lock.json, whose digest is not resolved yet: run tools/pin-images.sh where valkey/valkey\'s registry is reachable (the release does, and refuses to publish an unpinned default)',
        ]);
        assert.deepStrictEqual(podRequireDefaultImageDigests.check(deployment("ghcr.io/x/api:1.0"), dep), []);
        // An ECR pull-through path is exempt only on ECS (whose helpers the library rewrites there); on Kubernetes it is the stack's image.
        const pulled = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/ecr-public/aws-cli/aws-cli:2.31.18";
        assert.deepStrictEqual(podRequireImageDigests.check(deployment(pulled), dep), [
            `container c image ${pulled} is not pinned by digest (image:tag@sha256:<digest>)`,
        ]);
        const cluster = (imageName: string) => ({ metadata: { name: "pg" }, spec: { imageName } });
        const cnpg = ctx("kubernetes:postgresql.cnpg.io/v1:Cluster");
        assert.deepStrictEqual(podRequireImageDigests.check(cluster(`ghcr.io/cloudnative-pg/postgresql:16.10-standard-bookworm@${DIGEST}`), cnpg), []);
        assert.deepStrictEqual(podRequireImageDigests.check(cluster("harbor.example.gov/pg/postgis:16"), cnpg), [
            "Cluster pg image harbor.example.gov/pg/postgis:16 is not pinned by digest (image:tag@sha256:<digest>)",
        ]);
        // AWS: the task definition's containers (a JSON string, as the provider takes it).
        const task = (...images: string[]) => ({ containerDefinitions: JSON.stringify(images.map((image, i) => ({ name: `c${i}`, image }))) });
        const td = ctx("aws:ecs/taskDefinition:TaskDefinition");
        const ecr = "123456789012.dkr.ecr.eu-west-1.amazonaws.com";
        const cached = `${ecr}/ecr-public/docker/library/postgres:16.10-alpine`;
        assert.deepStrictEqual(taskdefinitionRequireImageDigests.check(task(`${ecr}/rag-api:1.4.2@${DIGEST}`, cached), td), []);
        assert.deepStrictEqual(taskdefinitionRequireImageDigests.check(task(`${ecr}/rag-api:1.4.2`), td), [
            `container c0 image ${ecr}/rag-api:1.4.2 is not pinned by digest (image:tag@sha256:<digest>)`,
        ]);
        assert.deepStrictEqual(taskdefinitionRequireDefaultImageDigests.check(task(`${ecr}/rag-api:1.4.2`, cached), td), [
            `container c1 runs ${cached}, the default image "aws-db-bootstrap" of images.lock.json, whose digest is not resolved yet: run tools/pin-images.sh where public.ecr.aws/docker/library/postgres's registry is reachable (the release does, and refuses to publish an unpinned default)`,
        ]);
        for (const rule of [podRequireImageDigests, podRequireDefaultImageDigests, taskdefinitionRequireImageDigests, taskdefinitionRequireDefaultImageDigests])
            assert.strictEqual(rule.productionOnly, true, rule.name);
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const production = require(path.join(root, "policies", "config", "production.json"));
        assert.deepStrictEqual(
            [
                production["kubernetes-core-pod-require-image-digests"],
                production["aws-ecs-taskdefinition-require-image-digests"],
                production["kubernetes-core-pod-require-default-image-digests"],
                production["aws-ecs-taskdefinition-require-default-image-digests"],
            ],
            ["mandatory", "mandatory", "advisory", "advisory"],
        );
    });

    it("the npm package ships the lock the components read", () => {
        const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
        assert.ok(pkg.files.includes("images.lock.json"));
        // dist/components/core/images.js reads <package root>/images.lock.json (the tarball's own: test/release.test.ts)
        assert.strictEqual(imageLockPath(), path.join(root, "images.lock.json"));
    });
});
